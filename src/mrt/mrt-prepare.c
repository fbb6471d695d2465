/* mrt-prepare.c: the PREPARE pipeline (spec §3) and its structural passes:
 * name check, training heads, input, shape check, fuse_multiple_outputs,
 * fuse_constant, fuse_transpose and params_unique. The per-op equivalences
 * of the "rewrite" pass live in mrt-prepare-rewrite.c. */
#include "mrt-prepare-private.h"

#include "mrt-executor.h"
#include "mrt-op.h"

typedef MrtModel *(*MrtPrepareFunc) (MrtModel *model, MrtPrepareCtx *ctx, GError **error);

MrtModel *
mrt_prepare_run_pass (MrtModel *model, MrtPrepareCtx *ctx, const char *pass, const MrtRewriteRule *rules,
                      MrtRewriteHook fallback, gpointer user_data, GError **error)
{
  g_autoptr (MrtRewriter) rw = NULL;
  MrtModel *out = NULL;

  if (pass)
    mrt_name_gen_begin_pass (ctx->names, pass);
  rw = mrt_rewriter_new (model, &ctx->input_shape, ctx->names);
  if (mrt_rewriter_run (rw, rules, fallback, user_data, error))
    out = mrt_rewriter_finish (rw);
  if (pass)
    mrt_name_gen_end_pass (ctx->names);
  return out;
}

/* ---- shared helpers ---- */

char *
mrt_prepare_format_axes (const gint64 *axes, int n)
{
  return mrt_attr_format_tuple (axes, n);
}

/* Axes of a transpose node over ndim axes: a permutation, or reversed when
 * absent or empty. */
static gboolean
node_transpose_axes (const MrtNode *node, int ndim, gint64 *axes)
{
  MrtTuple t;
  gboolean seen[MRT_MAX_NDIM] = { FALSE };

  if (!mrt_node_get_tuple (node, "axes", &t) || t.n == 0)
    {
      for (int i = 0; i < ndim; i++)
        axes[i] = ndim - 1 - i;
      return TRUE;
    }
  if (t.n != ndim)
    return FALSE;
  for (int i = 0; i < ndim; i++)
    {
      int a;
      if (t.none[i] || !mrt_normalize_axis (t.v[i], ndim, &a) || seen[a])
        return FALSE;
      seen[a] = TRUE;
      axes[i] = a;
    }
  return TRUE;
}

gboolean
mrt_prepare_transpose_axes (MrtRewriter *rw, MrtEntry e, gint64 *axes, int *n)
{
  const MrtNode *t = mrt_rewriter_node (rw, e);
  *n = mrt_rewriter_shape (rw, t->inputs[0])->ndim;
  if (!node_transpose_axes (t, *n, axes))
    return mrt_rewriter_fail (rw, "transpose “%s” has invalid axes", t->name);
  return TRUE;
}

gboolean
mrt_prepare_reduce_mask (MrtRewriter *rw, const MrtNode *node, int ndim, gboolean *mask)
{
  const char *text = mrt_node_get_attr (node, "axis");
  gboolean exclude = mrt_node_get_bool (node, "exclude", FALSE);
  MrtTuple t = { 0 };

  for (int i = 0; i < ndim; i++)
    mask[i] = FALSE;
  if (text == NULL || mrt_attr_is_none (text) || !mrt_attr_parse_tuple (text, &t) || t.n == 0)
    {
      for (int i = 0; i < ndim; i++)
        mask[i] = TRUE;
      return TRUE;
    }
  for (int i = 0; i < t.n; i++)
    {
      int a;
      if (t.none[i] || !mrt_normalize_axis (t.v[i], ndim, &a))
        return mrt_rewriter_fail (rw, "axis %s is out of range", text);
      mask[a] = TRUE;
    }
  for (int i = 0; exclude && i < ndim; i++)
    mask[i] = !mask[i];
  return TRUE;
}

static gboolean
map_to (MrtRewriter *rw, guint node, MrtEntry e)
{
  mrt_rewriter_map (rw, node, 0, e);
  return !mrt_rewriter_failed (rw);
}

/* ---- 1. duplicate names (on the reachable graph) ---- */

static MrtModel *
pass_unique_names (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  g_autoptr (MrtModel) pruned = mrt_rewriter_prune (model);
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);

  for (guint i = 0; i < mrt_model_n_nodes (pruned); i++)
    {
      const char *name = mrt_model_node (pruned, i)->name;
      if (!g_hash_table_add (seen, (gpointer) name))
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "duplicated name in graph: %s", name);
          return NULL;
        }
    }
  if (!mrt_model_validate (pruned, error))
    return NULL;
  return g_steal_pointer (&pruned);
}

/* ---- 2a. training heads (an extension: MRT expects inference graphs) ---- */

static MrtEntry
softmax_node (MrtRewriter *rw, const char *name, gboolean gen, MrtEntry x, const char *axis)
{
  GHashTable *a = mrt_attrs_new ("axis", axis, NULL);
  return gen ? mrt_rewriter_add_gen (rw, name, "softmax", a, &x, 1) : mrt_rewriter_add (rw, name, "softmax", a, &x, 1);
}

/* SoftmaxOutput over everything but the batch axis of an n-d input. */
static MrtEntry
softmax_flat (MrtRewriter *rw, const char *name, MrtEntry x)
{
  MrtShape s = *mrt_rewriter_shape (rw, x);
  g_autofree char *shape = NULL;
  MrtEntry f = mrt_rewriter_add_gen (rw, name, "Flatten", NULL, &x, 1);
  f = softmax_node (rw, name, TRUE, f, "-1");
  s.dim[0] = -1;
  shape = mrt_prepare_format_axes (s.dim, s.ndim);
  return mrt_rewriter_add (rw, name, "Reshape", mrt_attrs_new ("shape", shape, NULL), &f, 1);
}

static gboolean
head_softmax (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  int nd = mrt_rewriter_shape (rw, x)->ndim;
  MrtEntry y;

  if (mrt_node_get_bool (n, "multi_output", FALSE) && nd > 1)
    y = softmax_node (rw, n->name, FALSE, x, "1");
  else if (mrt_node_get_bool (n, "preserve_shape", FALSE) || nd == 2)
    y = softmax_node (rw, n->name, FALSE, x, "-1");
  else if (nd < 2) /* a softmax over single elements */
    y = mrt_rewriter_add (rw, n->name, "ones_like", NULL, &x, 1);
  else
    y = softmax_flat (rw, n->name, x);
  return map_to (rw, node, y);
}

static gboolean
head_sigmoid (MrtRewriter *rw, guint node, gpointer data)
{
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  return map_to (rw, node, mrt_rewriter_add (rw, mrt_rewriter_src_node (rw, node)->name, "sigmoid", NULL, &x, 1));
}

static gboolean
head_identity (MrtRewriter *rw, guint node, gpointer data)
{
  return map_to (rw, node, mrt_rewriter_in (rw, node, 0));
}

static const MrtRewriteRule head_rules[] = {
  { "SoftmaxOutput", head_softmax },
  { "Softmax", head_softmax },
  { "LogisticRegressionOutput", head_sigmoid },
  { "LinearRegressionOutput", head_identity },
  { "MAERegressionOutput", head_identity },
  { "MakeLoss", head_identity },
  { "make_loss", head_identity },
  { "BlockGrad", head_identity },
  { "stop_gradient", head_identity },
  { NULL },
};

static MrtModel *
pass_heads (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  return mrt_prepare_run_pass (model, ctx, "heads", head_rules, NULL, NULL, error);
}

/* ---- 2b. the input: exactly one, renamed "data", with its shape ---- */

typedef struct {
  guint input;
  const MrtShape *shape;
} InputInfo;

static gboolean
input_variable (MrtRewriter *rw, guint node, gpointer data)
{
  const InputInfo *info = data;
  GHashTable *attrs;
  if (node != info->input)
    return TRUE;
  attrs = mrt_attrs_copy (mrt_rewriter_src_node (rw, node)->attrs);
  mrt_attrs_set_take (attrs, "__shape__", mrt_shape_to_string (info->shape));
  return map_to (rw, node, mrt_rewriter_add_variable (rw, "data", attrs));
}

static gboolean
check_single_input (MrtModel *model, GArray *inputs, GError **error)
{
  GString *names;
  if (inputs->len == 1)
    return TRUE;
  if (inputs->len == 0)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "the model has no input variable");
      return FALSE;
    }
  names = g_string_new (NULL);
  for (guint i = 0; i < inputs->len; i++)
    g_string_append_printf (names, "%s“%s”", i ? ", " : "", mrt_model_node (model, g_array_index (inputs, guint, i))->name);
  g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
               "the model must have exactly one input, it has %u: %s (variables without parameters)", inputs->len,
               names->str);
  g_string_free (names, TRUE);
  return FALSE;
}

static MrtModel *
pass_input (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  static const MrtRewriteRule rules[] = { { "null", input_variable }, { NULL } };
  g_autoptr (GArray) inputs = mrt_model_inputs (model);
  InputInfo info = { 0, &ctx->input_shape };
  gint other;

  if (!check_single_input (model, inputs, error))
    return NULL;
  info.input = g_array_index (inputs, guint, 0);
  other = mrt_model_find (model, "data");
  if (other >= 0 && (guint) other != info.input)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                   "the input “%s” cannot be renamed “data”: another node has that name",
                   mrt_model_node (model, info.input)->name);
      return NULL;
    }
  return mrt_prepare_run_pass (model, ctx, NULL, rules, NULL, &info, error);
}

/* ---- 3. shape inference check ---- */

static MrtModel *
pass_infer (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  g_autofree MrtShape *shapes = mrt_model_infer_shapes_single (model, &ctx->input_shape, error);
  return shapes ? mrt_model_ref (model) : NULL;
}

/* ---- 4. fuse_multiple_outputs: SliceChannel -> slice_axis per used output ---- */

static gboolean
fmo_split (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  const MrtShape *s = mrt_rewriter_shape (rw, x);
  gint64 num = mrt_node_get_int (n, "num_outputs", 1), stride;
  int axis;

  if (!mrt_normalize_axis (mrt_node_get_int (n, "axis", 1), s->ndim, &axis))
    return mrt_rewriter_fail (rw, "axis is out of range");
  if (num <= 0 || s->dim[axis] % num != 0)
    return mrt_rewriter_fail (rw, "axis %d of size %" G_GINT64_FORMAT " cannot be split in %" G_GINT64_FORMAT,
                              axis, s->dim[axis], num);
  stride = s->dim[axis] / num;
  for (guint k = 0; k < n->n_outputs; k++)
    {
      g_autofree char *ax = g_strdup_printf ("%d", axis), *b = g_strdup_printf ("%" G_GINT64_FORMAT, k * stride);
      g_autofree char *e = g_strdup_printf ("%" G_GINT64_FORMAT, (k + 1) * stride), *sq = NULL;
      MrtEntry y;
      if (mrt_rewriter_src_uses (rw, node, k) == 0)
        continue;
      y = mrt_rewriter_add_gen (rw, "slice_axis", "slice_axis", mrt_attrs_new ("axis", ax, "begin", b, "end", e, NULL),
                                &x, 1);
      if (mrt_node_get_bool (n, "squeeze_axis", FALSE))
        {
          sq = g_strdup_printf ("(%d,)", axis);
          y = mrt_rewriter_add_gen (rw, "squeeze", "squeeze", mrt_attrs_new ("axis", sq, NULL), &y, 1);
        }
      mrt_rewriter_map (rw, node, k, y);
    }
  return !mrt_rewriter_failed (rw);
}

static MrtModel *
pass_fmo (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  static const MrtRewriteRule rules[] = { { "SliceChannel", fmo_split }, { "split", fmo_split }, { NULL } };
  return mrt_prepare_run_pass (model, ctx, "fmo", rules, NULL, NULL, error);
}

/* ---- 5/8. fuse_constant: evaluate nodes whose inputs are all parameters ---- */

static MrtTensor *
eval_constant (MrtRewriter *rw, guint node, GError **error)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autofree MrtEntry *in = g_new0 (MrtEntry, n->n_inputs + 1);
  g_autoptr (GPtrArray) out = NULL;
  guint k;

  for (guint j = 0; j < n->n_inputs; j++)
    {
      MrtEntry e = mrt_rewriter_in (rw, node, j);
      const char *name = mrt_rewriter_node (rw, e)->name;
      gint idx = mrt_model_find (m, name);
      if (idx < 0)
        {
          idx = (gint) mrt_model_add_variable (m, name);
          mrt_model_set_param_raw (m, name, mrt_rewriter_param (rw, e));
        }
      in[j] = (MrtEntry){ (guint) idx, 0 };
    }
  k = mrt_model_add_node_n (m, n->name, n->op, mrt_attrs_copy (n->attrs), in, n->n_inputs, 1);
  mrt_model_add_head (m, (MrtEntry){ k, 0 });
  out = mrt_model_forward (m, NULL, 0, NULL, error);
  return out ? mrt_tensor_ref (g_ptr_array_index (out, 0)) : NULL;
}

static gboolean
fc_node (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  g_autoptr (MrtTensor) value = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *prec = NULL;

  if (mrt_node_is_variable (n) || n->n_outputs != 1)
    return TRUE;
  for (guint j = 0; j < n->n_inputs; j++)
    if (mrt_rewriter_param (rw, mrt_rewriter_in (rw, node, j)) == NULL)
      return !mrt_rewriter_failed (rw);
  if (!(value = eval_constant (rw, node, &error)))
    return mrt_rewriter_fail (rw, "cannot evaluate the constant: %s", error->message);
  prec = g_strdup_printf ("%d", mrt_get_bit (mrt_tensor_absmax (value)));
  return map_to (rw, node, mrt_rewriter_add_param (rw, n->name, value, mrt_attrs_new ("precision", prec, NULL)));
}

static MrtModel *
pass_fuse_constant (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  return mrt_prepare_run_pass (model, ctx, "fc", NULL, fc_node, NULL, error);
}

/* ---- 6. fuse_transpose ---- */

static gboolean
ft_transpose (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0), inner;
  gint64 a1[MRT_MAX_NDIM], a2[MRT_MAX_NDIM], a3[MRT_MAX_NDIM];
  g_autofree char *text = NULL;
  gboolean identity = TRUE;
  int nd;

  if (!mrt_rewriter_is_op (rw, x, "transpose"))
    return TRUE;
  if (!mrt_prepare_transpose_axes (rw, x, a1, &nd))
    return FALSE;
  if (!node_transpose_axes (n, nd, a2))
    return mrt_rewriter_fail (rw, "invalid axes");
  for (int j = 0; j < nd; j++)
    {
      a3[j] = a1[a2[j]];
      identity = identity && a3[j] == j;
    }
  inner = mrt_rewriter_node (rw, x)->inputs[0];
  if (identity)
    return map_to (rw, node, inner);
  text = mrt_prepare_format_axes (a3, nd);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "transpose", mrt_attrs_new ("axes", text, NULL), &inner, 1));
}

/* op(transpose(X)) -> transpose(op(X)); only when the transpose has no other
 * consumer (upstream swaps regardless, which duplicates the transpose's name
 * and is not equivalent for the other consumers). */
static gboolean
ft_unary (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node), *t;
  MrtEntry x, inner, y;

  if (n->n_inputs != 1 ||
      (strcmp (n->op, "Activation") == 0 && g_strcmp0 (mrt_node_get_attr (n, "act_type"), "relu") != 0))
    return TRUE;
  x = mrt_rewriter_in (rw, node, 0);
  if (!mrt_rewriter_is_op (rw, x, "transpose") || mrt_rewriter_uses (rw, x) != 1)
    return !mrt_rewriter_failed (rw);
  t = mrt_rewriter_node (rw, x);
  inner = t->inputs[0];
  y = mrt_rewriter_add (rw, n->name, n->op, mrt_attrs_copy (n->attrs), &inner, 1);
  return map_to (rw, node, mrt_rewriter_add (rw, t->name, "transpose", mrt_attrs_copy (t->attrs), &y, 1));
}

/* Inputs all transposes with the same axes: their inputs and the axes. */
static gboolean
same_transposes (MrtRewriter *rw, guint node, MrtEntry *inner, gint64 *axes, int *nd)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  for (guint j = 0; j < n->n_inputs; j++)
    {
      MrtEntry x = mrt_rewriter_in (rw, node, j);
      gint64 a[MRT_MAX_NDIM];
      int k;
      if (!mrt_rewriter_is_op (rw, x, "transpose") || !mrt_prepare_transpose_axes (rw, x, j ? a : axes, j ? &k : nd))
        return FALSE;
      if (j > 0 && (k != *nd || memcmp (a, axes, sizeof (gint64) * k) != 0))
        return FALSE;
      inner[j] = mrt_rewriter_node (rw, x)->inputs[0];
    }
  return n->n_inputs > 0;
}

/* Concat / elemwise ops of transposes -> transpose(op(X...)). */
static gboolean
ft_multi (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  g_autofree MrtEntry *inner = g_new0 (MrtEntry, n->n_inputs + 1);
  gint64 axes[MRT_MAX_NDIM];
  g_autofree char *text = NULL;
  GHashTable *attrs;
  MrtEntry y;
  int nd, dim;

  if (!same_transposes (rw, node, inner, axes, &nd))
    return !mrt_rewriter_failed (rw);
  attrs = mrt_attrs_copy (n->attrs);
  if (g_ascii_strcasecmp (n->op, "concat") == 0)
    {
      if (!mrt_normalize_axis (mrt_node_get_int (n, "dim", 1), nd, &dim))
        {
          g_hash_table_unref (attrs);
          return mrt_rewriter_fail (rw, "dim is out of range");
        }
      mrt_attrs_set_take (attrs, "dim", g_strdup_printf ("%" G_GINT64_FORMAT, axes[dim]));
    }
  y = mrt_rewriter_add (rw, n->name, n->op, attrs, inner, n->n_inputs);
  text = mrt_prepare_format_axes (axes, nd);
  return map_to (rw, node,
                 mrt_rewriter_add_gen (rw, "fuse_transpose", "transpose", mrt_attrs_new ("axes", text, NULL), &y, 1));
}

/* Axes permutation taking reduce(X) to reduce(transpose(X)) without keepdims. */
static int
residual_axes (const gint64 *axes, const gboolean *mask_t, int nd, gint64 *perm)
{
  gboolean kept_x[MRT_MAX_NDIM] = { FALSE };
  int n = 0;
  for (int d = 0; d < nd; d++)
    if (!mask_t[d])
      kept_x[axes[d]] = TRUE;
  for (int d = 0; d < nd; d++)
    if (!mask_t[d])
      {
        int rank = 0;
        for (int a = 0; a < axes[d]; a++)
          rank += kept_x[a];
        perm[n++] = rank;
      }
  return n;
}

static gboolean
is_identity (const gint64 *perm, int n)
{
  for (int i = 0; i < n; i++)
    if (perm[i] != i)
      return FALSE;
  return TRUE;
}

/* sum/mean(transpose(X)) reduce the mapped axes of X. */
static gboolean
ft_reduce (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0), inner, y;
  gint64 axes[MRT_MAX_NDIM], red[MRT_MAX_NDIM], perm[MRT_MAX_NDIM];
  gboolean mask[MRT_MAX_NDIM], keep = mrt_node_get_bool (n, "keepdims", FALSE);
  g_autofree char *text = NULL, *ptext = NULL;
  GHashTable *attrs;
  int nd, r = 0, np;

  if (!mrt_rewriter_is_op (rw, x, "transpose"))
    return !mrt_rewriter_failed (rw);
  if (!mrt_prepare_transpose_axes (rw, x, axes, &nd) || !mrt_prepare_reduce_mask (rw, n, nd, mask))
    return FALSE;
  for (int a = 0; a < nd; a++)
    for (int d = 0; d < nd; d++)
      if (mask[d] && axes[d] == a)
        red[r++] = a;
  if (r == 0)
    return TRUE;
  inner = mrt_rewriter_node (rw, x)->inputs[0];
  attrs = mrt_attrs_copy (n->attrs);
  g_hash_table_remove (attrs, "exclude");
  text = mrt_prepare_format_axes (red, r);
  mrt_attrs_set_take (attrs, "axis", g_steal_pointer (&text));
  y = mrt_rewriter_add (rw, n->name, n->op, attrs, &inner, 1);
  np = keep ? nd : residual_axes (axes, mask, nd, perm);
  if (keep)
    memcpy (perm, axes, sizeof (gint64) * nd);
  if (r < nd && !is_identity (perm, np))
    {
      ptext = mrt_prepare_format_axes (perm, np);
      y = mrt_rewriter_add_gen (rw, "fuse_transpose", "transpose", mrt_attrs_new ("axes", ptext, NULL), &y, 1);
    }
  return map_to (rw, node, y);
}

static const MrtRewriteRule fuse_transpose_rules[] = {
  { "transpose", ft_transpose },
  { "relu", ft_unary },
  { "LeakyReLU", ft_unary },
  { "Dropout", ft_unary },
  { "clip", ft_unary },
  { "Activation", ft_unary },
  { "Concat", ft_multi },
  { "concat", ft_multi },
  { "elemwise_add", ft_multi },
  { "elemwise_sub", ft_multi },
  { "elemwise_mul", ft_multi },
  { "sum", ft_reduce },
  { "mean", ft_reduce },
  { NULL },
};

static MrtModel *
pass_fuse_transpose (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  return mrt_prepare_run_pass (model, ctx, "fuse_transpose", fuse_transpose_rules, NULL, NULL, error);
}

/* ---- 9. params_unique: drop parameters no node references ---- */

static MrtModel *
pass_params_unique (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  return mrt_rewriter_prune (model);
}

/* ---- the pipeline ---- */

static const struct {
  const char *label;
  MrtPrepareFunc func;
} prepare_passes[] = {
  { "duplicate-name check", pass_unique_names },
  { "shape inference", pass_infer },
  { "training heads", pass_heads },
  { "input", pass_input },
  { "fuse_multiple_outputs", pass_fmo },
  { "fuse_constant", pass_fuse_constant },
  { "fuse_transpose", pass_fuse_transpose },
  { "rewrite", mrt_prepare_rewrite },
  { "fuse_constant", pass_fuse_constant },
  { "params_unique", pass_params_unique },
};

static gboolean
check_result (MrtModel *model, const MrtShape *input_shape, GError **error)
{
  g_autofree MrtShape *shapes = NULL;
  if (!mrt_model_validate (model, error))
    return FALSE;
  shapes = mrt_model_infer_shapes_single (model, input_shape, error);
  return shapes != NULL;
}

static gboolean
check_input_shape (const MrtShape *shape, GError **error)
{
  if (shape == NULL || shape->ndim < 1)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE, "prepare needs the input shape");
      return FALSE;
    }
  for (int i = 0; i < shape->ndim; i++)
    if (shape->dim[i] <= 0)
      {
        g_autofree char *s = mrt_shape_to_string (shape);
        g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE,
                     "the input shape %s must have positive dimensions (set the batch)", s);
        return FALSE;
      }
  return mrt_shape_check (shape, error);
}

MrtModel *
mrt_prepare_with_names (MrtModel *model, const MrtShape *input_shape, MrtNameGen *names,
                        const MrtProgress *progress, GError **error)
{
  MrtPrepareCtx ctx = { names, { 0 } };
  g_autoptr (MrtModel) cur = NULL;
  guint n = G_N_ELEMENTS (prepare_passes);

  g_return_val_if_fail (model != NULL && names != NULL, NULL);
  if (!check_input_shape (input_shape, error))
    return NULL;
  ctx.input_shape = *input_shape;
  cur = mrt_model_ref (model);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *msg = g_strdup_printf ("prepare: %s", prepare_passes[i].label);
      MrtModel *next;
      if (mrt_progress_cancelled (progress, error))
        return NULL;
      mrt_progress_report (progress, (double) i / n, msg);
      if (!(next = prepare_passes[i].func (cur, &ctx, error)))
        {
          g_prefix_error (error, "prepare (%s): ", prepare_passes[i].label);
          return NULL;
        }
      mrt_model_unref (cur);
      cur = next;
    }
  if (!check_result (cur, input_shape, error))
    {
      g_prefix_error (error, "prepare produced an invalid graph: ");
      return NULL;
    }
  mrt_progress_report (progress, 1.0, "prepare: done");
  return g_steal_pointer (&cur);
}

MrtModel *
mrt_prepare (MrtModel *model, const MrtShape *input_shape, const MrtProgress *progress, GError **error)
{
  g_autoptr (MrtNameGen) names = mrt_name_gen_new ();
  return mrt_prepare_with_names (model, input_shape, names, progress, error);
}
