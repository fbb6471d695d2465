/* mrt-prepare-rewrite.c: the "rewrite" pass of PREPARE (spec §3 item 7): one
 * hook per op turning it into ops MRT can quantize. Names follow upstream:
 * where upstream names a node explicitly (N.n(...) or the original name) we
 * do the same; nodes MXNet would auto-name get mrt_rewrite_<node>_<k>, and
 * the last node of a rewrite keeps the original name. */
#include "mrt-prepare-private.h"

#include <math.h>

#include "mrt-op.h"

#define MATRIX_MAXIMUM_SIZE 65536

static gboolean
map_to (MrtRewriter *rw, guint node, MrtEntry e)
{
  mrt_rewriter_map (rw, node, 0, e);
  return !mrt_rewriter_failed (rw);
}

static char *
int_text (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static MrtEntry
add2 (MrtRewriter *rw, const char *name, gboolean gen, const char *op, MrtEntry a, MrtEntry b)
{
  MrtEntry in[2] = { a, b };
  return gen ? mrt_rewriter_add_gen (rw, name, op, NULL, in, 2) : mrt_rewriter_add (rw, name, op, NULL, in, 2);
}

static MrtTensor *
tensor_filled (const MrtShape *shape, float v)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = v;
  return t;
}

static MrtTensor *
input_param (MrtRewriter *rw, guint node, guint i)
{
  MrtTensor *t = mrt_rewriter_param (rw, mrt_rewriter_in (rw, node, i));
  if (t == NULL || t->dtype != MRT_DTYPE_F32)
    {
      mrt_rewriter_fail (rw, "input %u must be a float parameter", i);
      return NULL;
    }
  return t;
}

/* ---- BatchNorm ---- */

/* sc = gamma / sqrt(var + eps) and bias = beta - sc * mean, per channel. */
static gboolean
bn_scale_bias (MrtRewriter *rw, guint node, gint64 c, double *sc, double *bias)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtTensor *p[5] = { NULL };
  /* MXNet's default eps (1e-3), as the float kernel; upstream uses 1e-5 */
  double eps = mrt_node_get_float (n, "eps", 1e-3);
  gboolean fix_gamma = mrt_node_get_bool (n, "fix_gamma", TRUE);

  for (guint i = 1; i < 5; i++)
    if (!(p[i] = input_param (rw, node, i)) || (gint64) p[i]->n != c)
      return p[i] ? mrt_rewriter_fail (rw, "input %u does not hold %" G_GINT64_FORMAT " values", i, c) : FALSE;
  for (gint64 k = 0; k < c; k++)
    {
      double gamma = fix_gamma ? 1.0 : mrt_tensor_f32 (p[1])[k];
      sc[k] = gamma / sqrt ((double) mrt_tensor_f32 (p[4])[k] + eps);
      bias[k] = mrt_tensor_f32 (p[2])[k] - sc[k] * mrt_tensor_f32 (p[3])[k];
    }
  return TRUE;
}

/* The convolution BN can fold into: its only consumer is the BN, its
 * weight (and bias) are parameters. */
static gboolean
bn_foldable (MrtRewriter *rw, MrtEntry x, int axis, gint64 c)
{
  const MrtNode *conv = mrt_rewriter_node (rw, x);
  MrtTensor *w;
  const char *layout = mrt_node_get_attr (conv, "layout");
  if (!mrt_rewriter_is_op (rw, x, "Convolution") || mrt_rewriter_uses (rw, x) != 1 || axis != 1)
    return FALSE;
  if (layout && strcmp (layout, "NCHW") != 0 && strcmp (layout, "NCW") != 0 && strcmp (layout, "NCDHW") != 0)
    return FALSE;
  w = mrt_rewriter_param (rw, conv->inputs[1]);
  if (w == NULL || w->dtype != MRT_DTYPE_F32 || w->shape.dim[0] != c)
    return FALSE;
  return mrt_node_get_bool (conv, "no_bias", FALSE) ||
         (conv->n_inputs == 3 && mrt_rewriter_param (rw, conv->inputs[2]) != NULL);
}

static MrtEntry
bn_fold (MrtRewriter *rw, const char *bn_name, MrtEntry x, gint64 c, const double *sc, const double *bias)
{
  const MrtNode *conv = mrt_rewriter_node (rw, x);
  MrtEntry in[3] = { conv->inputs[0] };
  gboolean no_bias = mrt_node_get_bool (conv, "no_bias", FALSE);
  MrtTensor *w = mrt_rewriter_param (rw, conv->inputs[1]);
  g_autofree char *conv_name = mrt_rewriter_gen_name (rw, bn_name);
  g_autofree char *w_name = mrt_rewriter_gen_name (rw, mrt_rewriter_node (rw, conv->inputs[1])->name);
  g_autofree char *b_name = mrt_rewriter_gen_name (rw, "bias");
  MrtShape bs = mrt_shape_make (1, c);
  g_autoptr (MrtTensor) nw = mrt_tensor_copy (w);
  g_autoptr (MrtTensor) nb = mrt_tensor_new (MRT_DTYPE_F32, &bs);
  GHashTable *attrs = mrt_attrs_copy (conv->attrs);
  gsize per = w->n / (gsize) c;

  for (gsize i = 0; i < nw->n; i++)
    mrt_tensor_f32 (nw)[i] = (float) (mrt_tensor_f32 (w)[i] * sc[i / per]);
  /* BN(W x + B) = sc W x + sc B + bias; upstream adds B unscaled (wrong) */
  for (gint64 k = 0; k < c; k++)
    mrt_tensor_f32 (nb)[k] =
      (float) (bias[k] + (no_bias ? 0.0 : sc[k] * mrt_tensor_f32 (mrt_rewriter_param (rw, conv->inputs[2]))[k]));
  /* upstream overwrites the old bias under its own name */
  if (!no_bias && mrt_rewriter_uses (rw, conv->inputs[2]) == 1)
    {
      g_free (b_name);
      b_name = g_strdup (mrt_rewriter_node (rw, conv->inputs[2])->name);
    }
  in[1] = mrt_rewriter_add_param (rw, w_name, nw, NULL);
  in[2] = mrt_rewriter_add_param (rw, b_name, nb, NULL);
  mrt_attrs_set_take (attrs, "no_bias", g_strdup ("False"));
  return mrt_rewriter_add (rw, conv_name, "Convolution", attrs, in, 3);
}

/* X * sc + bias with constants of shape 1 except on the channel axis. */
static MrtEntry
bn_broadcast (MrtRewriter *rw, MrtEntry x, int axis, gint64 c, const double *sc, const double *bias)
{
  MrtShape s = *mrt_rewriter_shape (rw, x);
  g_autoptr (MrtTensor) w = NULL, b = NULL;
  MrtEntry mul;
  for (int i = 0; i < s.ndim; i++)
    s.dim[i] = i == axis ? c : 1;
  w = mrt_tensor_new (MRT_DTYPE_F32, &s);
  b = mrt_tensor_new (MRT_DTYPE_F32, &s);
  for (gint64 k = 0; k < c; k++)
    {
      mrt_tensor_f32 (w)[k] = (float) sc[k];
      mrt_tensor_f32 (b)[k] = (float) bias[k];
    }
  mul = mrt_rewriter_add_param_gen (rw, "weight", w);
  mul = add2 (rw, "broadcast_mul", TRUE, "broadcast_mul", x, mul);
  return add2 (rw, "broadcast_add", TRUE, "broadcast_add", mul, mrt_rewriter_add_param_gen (rw, "bias", b));
}

static gboolean
rw_batchnorm (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  const MrtShape *s = mrt_rewriter_shape (rw, x);
  g_autofree double *sc = NULL, *bias = NULL;
  gint64 c;
  int axis;

  for (guint k = 1; k < n->n_outputs; k++)
    if (mrt_rewriter_src_uses (rw, node, k) > 0)
      return mrt_rewriter_fail (rw, "the mean/var outputs (output_mean_var) are not supported");
  if (!mrt_normalize_axis (mrt_node_get_int (n, "axis", 1), s->ndim, &axis))
    return mrt_rewriter_fail (rw, "axis is out of range");
  c = s->dim[axis];
  sc = g_new0 (double, c + 1);
  bias = g_new0 (double, c + 1);
  if (!bn_scale_bias (rw, node, c, sc, bias))
    return FALSE;
  if (bn_foldable (rw, x, axis, c))
    return map_to (rw, node, bn_fold (rw, n->name, x, c, sc, bias));
  return map_to (rw, node, bn_broadcast (rw, x, axis, c, sc, bias));
}

/* ---- Pooling ---- */

static MrtEntry
avg_global (MrtRewriter *rw, MrtEntry x)
{
  const MrtShape *s = mrt_rewriter_shape (rw, x);
  g_autoptr (MrtTensor) k = mrt_rewriter_tensor1 ((float) (1.0 / (double) (s->dim[2] * s->dim[3])));
  MrtEntry scale = mrt_rewriter_add_param_gen (rw, "avg_scale", k);
  MrtEntry sum = mrt_rewriter_add_gen (rw, "sum", "sum", mrt_attrs_new ("axis", "(2, 3)", "keepdims", "True", NULL),
                                       &x, 1);
  return add2 (rw, "braodcast_mul", TRUE, "broadcast_mul", sum, scale); /* sic: upstream's name */
}

static gboolean
tuple2 (const MrtNode *n, const char *key, gint64 def, gint64 *out)
{
  MrtTuple t;
  if (!mrt_node_get_tuple (n, key, &t) || t.n == 0)
    t = (MrtTuple){ 2, { def, def } };
  else if (t.n == 1)
    t.v[1] = t.v[0], t.n = 2;
  if (t.n != 2 || t.none[0] || t.none[1])
    return FALSE;
  out[0] = t.v[0], out[1] = t.v[1];
  return TRUE;
}

/* Average pooling equals a depthwise convolution with weights 1/(kh·kw)
 * only when every window divides by kh·kw: valid convention, and either
 * no padding or padding counted. */
static gboolean
avg_is_conv (const MrtNode *n, gint64 *kernel, gint64 *stride, gint64 *pad)
{
  const char *cip = mrt_node_get_attr (n, "count_include_pad");
  gboolean count_pad = TRUE;
  if (cip && !mrt_attr_is_none (cip) && !mrt_attr_parse_bool (cip, &count_pad))
    return FALSE;
  if (!tuple2 (n, "kernel", 1, kernel) || !tuple2 (n, "stride", 1, stride) || !tuple2 (n, "pad", 0, pad))
    return FALSE;
  if (strcmp (mrt_node_get_string (n, "pooling_convention", "valid"), "valid") != 0)
    return FALSE;
  return count_pad || (pad[0] == 0 && pad[1] == 0);
}

static MrtEntry
avg_conv (MrtRewriter *rw, MrtEntry x, const gint64 *kernel, const gint64 *stride, const gint64 *pad)
{
  gint64 ch = mrt_rewriter_shape (rw, x)->dim[1];
  g_autofree char *conv_name = mrt_rewriter_gen_name (rw, "pool_conv");
  g_autofree char *k = mrt_prepare_format_axes (kernel, 2), *s = mrt_prepare_format_axes (stride, 2);
  g_autofree char *p = mrt_prepare_format_axes (pad, 2), *c = int_text (ch);
  MrtShape ws = mrt_shape_make (4, ch, (gint64) 1, kernel[0], kernel[1]);
  g_autoptr (MrtTensor) w = tensor_filled (&ws, (float) (1.0 / (double) (kernel[0] * kernel[1])));
  MrtEntry wv = mrt_rewriter_add_param_gen (rw, "weight", w);
  GHashTable *attrs = mrt_attrs_new ("no_bias", "True", "dilate", "(1, 1)", "kernel", k, "stride", s, "pad", p,
                                     "layout", "NCHW", "num_filter", c, "num_group", c, NULL);
  MrtEntry in[2] = { x, wv };
  return mrt_rewriter_add (rw, conv_name, "Convolution", attrs, in, 2);
}

static gboolean
rw_pooling (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  const char *layout = mrt_node_get_string (n, "layout", "NCHW");
  gint64 kernel[2], stride[2], pad[2];

  if (strcmp (mrt_node_get_string (n, "pool_type", "max"), "avg") != 0 || strcmp (layout, "NCHW") != 0 ||
      mrt_rewriter_shape (rw, x)->ndim != 4)
    return TRUE;
  if (mrt_node_get_bool (n, "global_pool", FALSE))
    return map_to (rw, node, avg_global (rw, x));
  if (avg_is_conv (n, kernel, stride, pad))
    return map_to (rw, node, avg_conv (rw, x, kernel, stride, pad));
  return TRUE; /* kept: not expressible as a convolution */
}

/* ---- activations ---- */

/* LeakyReLU(X) = relu(X) - slope * relu(-X) */
static gboolean
rw_leaky (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  g_autoptr (MrtTensor) slope = mrt_rewriter_tensor1 ((float) mrt_node_get_float (n, "slope", 0.25));
  MrtEntry x, pos, neg, s;

  if (strcmp (mrt_node_get_string (n, "act_type", "leaky"), "leaky") != 0 || n->n_inputs != 1)
    return TRUE;
  x = mrt_rewriter_in (rw, node, 0);
  pos = mrt_rewriter_add_gen (rw, n->name, "relu", NULL, &x, 1);
  neg = mrt_rewriter_add_gen (rw, n->name, "negative", NULL, &x, 1);
  neg = mrt_rewriter_add_gen (rw, n->name, "relu", NULL, &neg, 1);
  s = mrt_rewriter_add_param_gen (rw, "slope", slope);
  neg = add2 (rw, n->name, TRUE, "broadcast_mul", neg, s);
  return map_to (rw, node, add2 (rw, n->name, FALSE, "elemwise_sub", pos, neg));
}

static gboolean
rw_activation (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x;
  if (g_strcmp0 (mrt_node_get_attr (n, "act_type"), "sigmoid") != 0)
    return TRUE;
  x = mrt_rewriter_in (rw, node, 0);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "sigmoid", NULL, &x, 1));
}

/* ---- scalar ops ---- */

static gboolean
scalar_attr (MrtRewriter *rw, guint node, MrtNumber *out)
{
  const char *text = mrt_node_get_attr (mrt_rewriter_src_node (rw, node), "scalar");
  if (text == NULL || !mrt_number_parse (text, out))
    return mrt_rewriter_fail (rw, "missing or invalid scalar");
  return TRUE;
}

/* op(X, const_var_<number>) named like the source node */
static gboolean
with_const (MrtRewriter *rw, guint node, const char *op, MrtNumber number)
{
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  MrtEntry c = mrt_rewriter_const (rw, number);
  return map_to (rw, node, add2 (rw, mrt_rewriter_src_node (rw, node)->name, FALSE, op, x, c));
}

static gboolean
rw_mul_scalar (MrtRewriter *rw, guint node, gpointer data)
{
  MrtNumber s;
  return scalar_attr (rw, node, &s) && with_const (rw, node, "broadcast_mul", s);
}

static gboolean
rw_div_scalar (MrtRewriter *rw, guint node, gpointer data)
{
  MrtNumber s;
  g_autoptr (MrtTensor) inv = NULL;
  MrtEntry x;
  if (!scalar_attr (rw, node, &s))
    return FALSE;
  inv = mrt_rewriter_tensor1 ((float) (1.0 / s.d));
  x = mrt_rewriter_in (rw, node, 0);
  return map_to (rw, node, add2 (rw, mrt_rewriter_src_node (rw, node)->name, FALSE, "broadcast_mul", x,
                                 mrt_rewriter_add_param_gen (rw, "scalar", inv)));
}

static gboolean
rw_plus_scalar (MrtRewriter *rw, guint node, gpointer data)
{
  MrtNumber s;
  if (!scalar_attr (rw, node, &s))
    return FALSE;
  if (s.d == 0)
    return map_to (rw, node, mrt_rewriter_in (rw, node, 0));
  return with_const (rw, node, "broadcast_add", s);
}

/* X - s = X + (-s): broadcast_add is what the later stages support. */
static gboolean
rw_minus_scalar (MrtRewriter *rw, guint node, gpointer data)
{
  MrtNumber s;
  if (!scalar_attr (rw, node, &s))
    return FALSE;
  if (s.d == 0)
    return map_to (rw, node, mrt_rewriter_in (rw, node, 0));
  return with_const (rw, node, "broadcast_add", s.is_int ? mrt_number_int (-s.i) : mrt_number_float (-s.d));
}

static gboolean
rw_zeros_like (MrtRewriter *rw, guint node, gpointer data)
{
  return with_const (rw, node, "broadcast_mul", mrt_number_int (0));
}

static gboolean
rw_ones_like (MrtRewriter *rw, guint node, gpointer data)
{
  const char *name = mrt_rewriter_src_node (rw, node)->name;
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  MrtEntry zero = add2 (rw, name, TRUE, "broadcast_mul", x, mrt_rewriter_const (rw, mrt_number_int (0)));
  return map_to (rw, node, add2 (rw, name, FALSE, "broadcast_add", zero, mrt_rewriter_const (rw, mrt_number_int (1))));
}

/* ---- shape ops ---- */

static gboolean
rw_slice_axis (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  const MrtShape *s = mrt_rewriter_shape (rw, x);
  const char *end = mrt_node_get_attr (n, "end");
  MrtTuple b = { s->ndim }, e = { s->ndim };
  g_autofree char *bt = NULL, *et = NULL;
  int axis;

  if (!mrt_normalize_axis (mrt_node_get_int (n, "axis", 0), s->ndim, &axis))
    return mrt_rewriter_fail (rw, "axis is out of range");
  for (int i = 0; i < s->ndim; i++)
    b.none[i] = e.none[i] = i != axis;
  b.v[axis] = mrt_node_get_int (n, "begin", 0);
  e.v[axis] = end == NULL || mrt_attr_is_none (end) ? s->dim[axis] : mrt_node_get_int (n, "end", 0);
  bt = mrt_tuple_format (&b);
  et = mrt_tuple_format (&e);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "slice", mrt_attrs_new ("begin", bt, "end", et, NULL), &x, 1));
}

static gboolean
rw_swap_axis (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  int nd = mrt_rewriter_shape (rw, x)->ndim, d1, d2;
  gint64 axes[MRT_MAX_NDIM];
  g_autofree char *text = NULL;

  if (!mrt_normalize_axis (mrt_node_get_int (n, "dim1", 0), nd, &d1) ||
      !mrt_normalize_axis (mrt_node_get_int (n, "dim2", 0), nd, &d2))
    return mrt_rewriter_fail (rw, "dim1/dim2 out of range");
  if (d1 == d2)
    return map_to (rw, node, x);
  for (int i = 0; i < nd; i++)
    axes[i] = i;
  axes[d1] = d2, axes[d2] = d1;
  text = mrt_prepare_format_axes (axes, nd);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "transpose", mrt_attrs_new ("axes", text, NULL), &x, 1));
}

static gboolean
rw_elemwise_mul (MrtRewriter *rw, guint node, gpointer data)
{
  return map_to (rw, node, add2 (rw, mrt_rewriter_src_node (rw, node)->name, FALSE, "broadcast_mul",
                                 mrt_rewriter_in (rw, node, 0), mrt_rewriter_in (rw, node, 1)));
}

static gboolean
rw_reshape_like (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  MrtShape xs = *mrt_rewriter_shape (rw, x), ws = *mrt_rewriter_shape (rw, mrt_rewriter_in (rw, node, 1));
  gint64 lb = mrt_node_get_int (n, "lhs_begin", 0), le = mrt_node_get_int (n, "lhs_end", xs.ndim);
  gint64 rb = mrt_node_get_int (n, "rhs_begin", 0), re = mrt_node_get_int (n, "rhs_end", ws.ndim);
  gint64 shape[2 * MRT_MAX_NDIM];
  g_autofree char *text = NULL;
  int k = 0;

  lb += lb < 0 ? xs.ndim : 0, le += le < 0 ? xs.ndim : 0;
  rb += rb < 0 ? ws.ndim : 0, re += re < 0 ? ws.ndim : 0;
  if (!(0 <= lb && lb < le && le <= xs.ndim && 0 <= rb && rb < re && re <= ws.ndim))
    return mrt_rewriter_fail (rw, "invalid lhs/rhs ranges");
  for (gint64 i = 0; i < lb; i++)
    shape[k++] = xs.dim[i];
  for (gint64 i = rb; i < re; i++)
    shape[k++] = ws.dim[i];
  for (gint64 i = le; i < xs.ndim; i++)
    shape[k++] = xs.dim[i];
  shape[0] = -1; /* the batch axis */
  text = mrt_prepare_format_axes (shape, k);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "Reshape", mrt_attrs_new ("shape", text, NULL), &x, 1));
}

/* broadcast_mul(X, broadcast_mul(W, 0) + 1), or a tile when the batch axis
 * is not broadcast. Broadcasting onto the batch axis is kept as it is. */
static gboolean
rw_broadcast_like (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0), w = mrt_rewriter_in (rw, node, 1), one, zero;
  const MrtShape *xs = mrt_rewriter_shape (rw, x), *ws = mrt_rewriter_shape (rw, w);
  MrtTuple l, r;
  gint64 reps[MRT_MAX_NDIM];
  g_autofree char *text = NULL;

  if (!mrt_node_get_tuple (n, "lhs_axes", &l) || !mrt_node_get_tuple (n, "rhs_axes", &r) || l.n == 0)
    {
      one = mrt_rewriter_const (rw, mrt_number_int (1));
      zero = mrt_rewriter_const (rw, mrt_number_int (0));
      w = add2 (rw, "broadcast_mul", TRUE, "broadcast_mul", w, zero);
      w = add2 (rw, "broadcast_add", TRUE, "broadcast_add", w, one);
      return map_to (rw, node, add2 (rw, n->name, FALSE, "broadcast_mul", x, w));
    }
  for (int i = 0; i < xs->ndim; i++)
    reps[i] = 1;
  for (int i = 0; i < l.n && i < r.n; i++)
    {
      int la, ra;
      if (!mrt_normalize_axis (l.v[i], xs->ndim, &la) || !mrt_normalize_axis (r.v[i], ws->ndim, &ra))
        return mrt_rewriter_fail (rw, "lhs_axes/rhs_axes out of range");
      if (ra == 0)
        return TRUE; /* onto the batch axis: kept */
      reps[la] = ws->dim[ra];
    }
  text = mrt_prepare_format_axes (reps, xs->ndim);
  return map_to (rw, node, mrt_rewriter_add (rw, n->name, "tile", mrt_attrs_new ("reps", text, NULL), &x, 1));
}

/* mean = sum * (1/n). Upstream emits a right_shift no later stage supports. */
static gboolean
rw_mean (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0), sum;
  const MrtShape *s = mrt_rewriter_shape (rw, x);
  gboolean mask[MRT_MAX_NDIM];
  gint64 count = 1;

  if (!mrt_prepare_reduce_mask (rw, n, s->ndim, mask))
    return FALSE;
  for (int i = 0; i < s->ndim; i++)
    count *= mask[i] ? s->dim[i] : 1;
  if (count == 0)
    return TRUE;
  sum = mrt_rewriter_add_gen (rw, n->name, "sum", mrt_attrs_copy (n->attrs), &x, 1);
  return map_to (rw, node, add2 (rw, n->name, FALSE, "broadcast_mul", sum,
                                 mrt_rewriter_const (rw, mrt_number_float (1.0 / (double) count))));
}

/* ---- Convolution: 1-D (NCW) as 2-D ---- */

static char *
tuple_plus (const MrtNode *n, const char *key, gint64 def, gint64 extra)
{
  MrtTuple t;
  gint64 v[2] = { def, extra };
  if (mrt_node_get_tuple (n, key, &t) && t.n >= 1 && !t.none[0])
    v[0] = t.v[0];
  return mrt_prepare_format_axes (v, 2);
}

/* The weight with a trailing axis: the parameter itself (renamed in place as
 * upstream) when nothing else uses it, otherwise an expand_dims. */
static MrtEntry
conv1d_weight (MrtRewriter *rw, const char *name, MrtEntry w)
{
  MrtTensor *t = mrt_rewriter_param (rw, w);
  MrtShape s;
  g_autoptr (MrtTensor) t4 = NULL;
  if (t == NULL || mrt_rewriter_uses (rw, w) != 1)
    return mrt_rewriter_add_gen (rw, name, "expand_dims", mrt_attrs_new ("axis", "3", NULL), &w, 1);
  s = t->shape;
  s.dim[s.ndim++] = 1;
  t4 = mrt_tensor_reshape (t, &s);
  return mrt_rewriter_add_param (rw, mrt_rewriter_node (rw, w)->name, t4, NULL);
}

static gboolean
rw_convolution (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  const char *layout = mrt_node_get_attr (n, "layout");
  MrtTuple kernel;
  MrtEntry in[3];
  g_autofree char *k = NULL, *s = NULL, *p = NULL, *d = NULL;
  GHashTable *attrs;
  MrtEntry y;

  if (!mrt_node_get_tuple (n, "kernel", &kernel) || kernel.n != 1 || (layout && strcmp (layout, "NCW") != 0))
    return TRUE;
  in[0] = mrt_rewriter_in (rw, node, 0);
  in[0] = mrt_rewriter_add_gen (rw, n->name, "expand_dims", mrt_attrs_new ("axis", "3", NULL), &in[0], 1);
  in[1] = conv1d_weight (rw, n->name, mrt_rewriter_in (rw, node, 1));
  if (n->n_inputs > 2)
    in[2] = mrt_rewriter_in (rw, node, 2);
  k = tuple_plus (n, "kernel", 1, 1), s = tuple_plus (n, "stride", 1, 1);
  p = tuple_plus (n, "pad", 0, 0), d = tuple_plus (n, "dilate", 1, 1);
  attrs = mrt_attrs_new ("layout", "NCHW", "kernel", k, "stride", s, "pad", p, "dilate", d, "num_filter",
                         mrt_node_get_string (n, "num_filter", "1"), "num_group",
                         mrt_node_get_string (n, "num_group", "1"), "no_bias",
                         mrt_bool_text (mrt_node_get_bool (n, "no_bias", FALSE)), NULL);
  y = mrt_rewriter_add (rw, n->name, "Convolution", attrs, in, n->n_inputs);
  return map_to (rw, node, mrt_rewriter_add_gen (rw, n->name, "squeeze", mrt_attrs_new ("axis", "(3,)", NULL), &y, 1));
}

/* ---- FullyConnected ---- */

/* Y = B + sum_k X_k W_k^T over chunks of 65536 input features, so that no
 * accumulation runs longer than 2^16 terms. */
static MrtEntry
fc_decompose (MrtRewriter *rw, GHashTable *fc_attrs, MrtEntry x, MrtEntry w, const MrtEntry *bias)
{
  MrtTensor *wt = mrt_rewriter_param (rw, w);
  gint64 hidden = wt->shape.dim[0], c = wt->shape.dim[1];
  g_autoptr (GQueue) parts = g_queue_new ();
  MrtEntry *slot;

  if (!mrt_rewriter_is_op (rw, x, "Flatten"))
    x = mrt_rewriter_add_gen (rw, "flatten", "Flatten", NULL, &x, 1);
  for (gint64 start = 0; start < c; start += MATRIX_MAXIMUM_SIZE)
    {
      gint64 stop = MIN (start + MATRIX_MAXIMUM_SIZE, c);
      g_autofree char *b = int_text (start), *e = int_text (stop);
      MrtShape ks = mrt_shape_make (2, hidden, stop - start);
      g_autoptr (MrtTensor) wk = mrt_tensor_new (MRT_DTYPE_F32, &ks);
      GHashTable *attrs = mrt_attrs_copy (fc_attrs);
      MrtEntry in[2];
      for (gint64 h = 0; h < hidden; h++)
        memcpy (mrt_tensor_f32 (wk) + h * (stop - start), mrt_tensor_f32 (wt) + h * c + start,
                sizeof (float) * (gsize) (stop - start));
      in[0] = mrt_rewriter_add_gen (rw, "slice_axis", "slice_axis",
                                    mrt_attrs_new ("axis", "1", "begin", b, "end", e, NULL), &x, 1);
      in[1] = mrt_rewriter_add_param_gen (rw, "slice_axis", wk);
      mrt_attrs_set_take (attrs, "no_bias", g_strdup ("True"));
      slot = g_new (MrtEntry, 1);
      *slot = mrt_rewriter_add_gen (rw, "dense", "FullyConnected", attrs, in, 2);
      g_queue_push_tail (parts, slot);
    }
  while (g_queue_get_length (parts) > 1)
    {
      g_autofree MrtEntry *a = g_queue_pop_head (parts);
      g_autofree MrtEntry *b = g_queue_pop_head (parts);
      slot = g_new (MrtEntry, 1);
      *slot = add2 (rw, "elemwise_add", TRUE, "elemwise_add", *a, *b);
      g_queue_push_tail (parts, slot);
    }
  slot = g_queue_pop_head (parts);
  x = *slot;
  g_free (slot);
  return bias ? add2 (rw, "broadcast_add", TRUE, "broadcast_add", x, *bias) : x;
}

/* A FullyConnected on x named name, decomposed when its weight is wide. */
static MrtEntry
fc_build (MrtRewriter *rw, guint node, const char *name, MrtEntry x)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry in[3] = { x, mrt_rewriter_in (rw, node, 1) };
  MrtTensor *wt = mrt_rewriter_param (rw, in[1]);
  gboolean has_bias = n->n_inputs > 2 && !mrt_node_get_bool (n, "no_bias", FALSE);

  if (n->n_inputs > 2)
    in[2] = mrt_rewriter_in (rw, node, 2);
  if (wt && wt->dtype == MRT_DTYPE_F32 && wt->shape.ndim == 2 && wt->shape.dim[1] > MATRIX_MAXIMUM_SIZE)
    return fc_decompose (rw, n->attrs, x, in[1], has_bias ? &in[2] : NULL);
  return mrt_rewriter_add (rw, name, "FullyConnected", mrt_attrs_copy (n->attrs), in, n->n_inputs);
}

static MrtEntry
reshape (MrtRewriter *rw, const char *name, MrtEntry x, const gint64 *dims, int n)
{
  g_autofree char *text = mrt_prepare_format_axes (dims, n);
  return mrt_rewriter_add (rw, name, "Reshape", mrt_attrs_new ("shape", text, NULL), &x, 1);
}

static gboolean
rw_fully_connected (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry x = mrt_rewriter_in (rw, node, 0);
  MrtShape xs = *mrt_rewriter_shape (rw, x);
  MrtTensor *wt = mrt_rewriter_param (rw, mrt_rewriter_in (rw, node, 1));
  g_autofree char *pre = NULL, *fc_name = NULL;
  gint64 dims[MRT_MAX_NDIM] = { -1 };

  if (xs.ndim <= 2)
    return wt && wt->shape.ndim == 2 && wt->shape.dim[1] > MATRIX_MAXIMUM_SIZE ? map_to (rw, node, fc_build (rw, node, n->name, x))
                                                                                : TRUE;
  pre = mrt_rewriter_gen_name (rw, "pre_reshape");
  if (mrt_node_get_bool (n, "flatten", TRUE))
    {
      dims[1] = mrt_shape_size (&xs) / xs.dim[0];
      return map_to (rw, node, fc_build (rw, node, n->name, reshape (rw, pre, x, dims, 2)));
    }
  fc_name = mrt_rewriter_gen_name (rw, "reduced_fc");
  dims[1] = xs.dim[xs.ndim - 1];
  x = fc_build (rw, node, fc_name, reshape (rw, pre, x, dims, 2));
  for (int i = 1; i < xs.ndim - 1; i++)
    dims[i] = xs.dim[i];
  dims[xs.ndim - 1] = mrt_node_get_int (n, "num_hidden", 1);
  return map_to (rw, node, reshape (rw, n->name, x, dims, xs.ndim));
}

/* ---- batch_dot (3-D): transposes materialised, long K split ---- */

static MrtEntry
batch_transpose (MrtRewriter *rw, const char *base, MrtEntry x, MrtShape *s)
{
  gint64 t = s->dim[1];
  s->dim[1] = s->dim[2], s->dim[2] = t;
  return mrt_rewriter_add_gen (rw, base, "transpose", mrt_attrs_new ("axes", "(0, 2, 1)", NULL), &x, 1);
}

static MrtEntry
slice3 (MrtRewriter *rw, const char *base, MrtEntry x, const gint64 *begin, const gint64 *end)
{
  g_autofree char *b = mrt_prepare_format_axes (begin, 3), *e = mrt_prepare_format_axes (end, 3);
  return mrt_rewriter_add_gen (rw, base, "slice", mrt_attrs_new ("begin", b, "end", e, NULL), &x, 1);
}

static MrtEntry
batch_dot_split (MrtRewriter *rw, const char *name, MrtEntry a, MrtEntry b, const MrtShape *as, const MrtShape *bs)
{
  g_autoptr (GArray) parts = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  gint64 k = as->dim[2];
  guint head = 0;

  for (gint64 start = 0; start < k; start += MATRIX_MAXIMUM_SIZE)
    {
      gint64 stop = MIN (start + MATRIX_MAXIMUM_SIZE, k);
      gint64 ab[3] = { 0, 0, start }, ae[3] = { as->dim[0], as->dim[1], stop };
      gint64 bb[3] = { 0, start, 0 }, be[3] = { bs->dim[0], stop, bs->dim[2] };
      MrtEntry ak = slice3 (rw, "slice_a", a, ab, ae);
      MrtEntry bk = slice3 (rw, "slice_b", b, bb, be);
      MrtEntry d = add2 (rw, "batch_dot", TRUE, "batch_dot", ak, bk);
      g_array_append_val (parts, d);
    }
  while (parts->len - head > 1)
    {
      MrtEntry x = g_array_index (parts, MrtEntry, head), y = g_array_index (parts, MrtEntry, head + 1);
      MrtEntry s;
      head += 2;
      s = parts->len - head > 0 ? add2 (rw, "elemwise_add", TRUE, "elemwise_add", x, y)
                                : add2 (rw, name, FALSE, "elemwise_add", x, y);
      g_array_append_val (parts, s);
    }
  return g_array_index (parts, MrtEntry, head);
}

static gboolean
rw_batch_dot (MrtRewriter *rw, guint node, gpointer data)
{
  const MrtNode *n = mrt_rewriter_src_node (rw, node);
  MrtEntry a = mrt_rewriter_in (rw, node, 0), b = mrt_rewriter_in (rw, node, 1);
  MrtShape as = *mrt_rewriter_shape (rw, a), bs = *mrt_rewriter_shape (rw, b);
  gboolean ta = mrt_node_get_bool (n, "transpose_a", FALSE), tb = mrt_node_get_bool (n, "transpose_b", FALSE);

  if (as.ndim != 3 || bs.ndim != 3 || (!ta && !tb && as.dim[2] <= MATRIX_MAXIMUM_SIZE))
    return TRUE;
  if (ta)
    a = batch_transpose (rw, "transpose_a", a, &as);
  if (tb)
    b = batch_transpose (rw, "transpose_b", b, &bs);
  if (as.dim[2] <= MATRIX_MAXIMUM_SIZE)
    return map_to (rw, node, add2 (rw, n->name, FALSE, "batch_dot", a, b));
  return map_to (rw, node, batch_dot_split (rw, n->name, a, b, &as, &bs));
}

/* ---- the pass ---- */

static const MrtRewriteRule rewrite_rules[] = {
  { "BatchNorm", rw_batchnorm },
  { "Pooling", rw_pooling },
  { "LeakyReLU", rw_leaky },
  { "Activation", rw_activation },
  { "_mul_scalar", rw_mul_scalar },
  { "_MulScalar", rw_mul_scalar },
  { "_div_scalar", rw_div_scalar },
  { "_DivScalar", rw_div_scalar },
  { "_plus_scalar", rw_plus_scalar },
  { "_PlusScalar", rw_plus_scalar },
  { "_minus_scalar", rw_minus_scalar },
  { "_MinusScalar", rw_minus_scalar },
  { "zeros_like", rw_zeros_like },
  { "ones_like", rw_ones_like },
  { "slice_axis", rw_slice_axis },
  { "SwapAxis", rw_swap_axis },
  { "swapaxes", rw_swap_axis },
  { "elemwise_mul", rw_elemwise_mul },
  { "_mul", rw_elemwise_mul },
  { "_Mul", rw_elemwise_mul },
  { "Convolution", rw_convolution },
  { "FullyConnected", rw_fully_connected },
  { "batch_dot", rw_batch_dot },
  { "broadcast_like", rw_broadcast_like },
  { "reshape_like", rw_reshape_like },
  { "mean", rw_mean },
  { NULL },
};

MrtModel *
mrt_prepare_rewrite (MrtModel *model, MrtPrepareCtx *ctx, GError **error)
{
  return mrt_prepare_run_pass (model, ctx, "rewrite", rewrite_rules, NULL, NULL, error);
}
