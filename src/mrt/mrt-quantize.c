/* mrt-quantize.c: the quantization pass (spec §6). The float graph is
 * rebuilt node by node; every op rule (mrt-quantize-rules.c) requantizes its
 * inputs and records the output's threshold, scale and precision. This file
 * holds the shared state, the requantization primitives and the driver. */
#include "mrt-quantize-private.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (mrt-quantize-error-quark, mrt_quantize_error)

/* ---- state ---- */

double
mrt_quantized_get (GHashTable *table, const char *name)
{
  double *v = g_hash_table_lookup (table, name);
  return v ? *v : 0;
}

const char *
q_dname (Q *q, guint dst)
{
  return mrt_model_node (q->dst, dst)->name;
}

void
q_set_state (Q *q, const char *name, double th, double sc, int prec)
{
  g_hash_table_insert (q->th, g_strdup (name), g_memdup2 (&th, sizeof th));
  g_hash_table_insert (q->sc, g_strdup (name), g_memdup2 (&sc, sizeof sc));
  g_hash_table_insert (q->prec, g_strdup (name), g_memdup2 (&prec, sizeof prec));
}

double
q_th_of (Q *q, guint dst)
{
  return mrt_quantized_get (q->th, q_dname (q, dst));
}

double
q_sc_of (Q *q, guint dst)
{
  return mrt_quantized_get (q->sc, q_dname (q, dst));
}

int
q_prec_of (Q *q, guint dst)
{
  int *p = g_hash_table_lookup (q->prec, q_dname (q, dst));
  return p ? *p : 32;
}

double
q_src_th (Q *q, const char *src_name)
{
  return mrt_quantized_get (q->src_th, src_name);
}

/* ---- building ---- */

char *
q_gen_name (Q *q, const char *base)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (q->counters, base));
  g_hash_table_insert (q->counters, g_strdup (base), GUINT_TO_POINTER (k + 1));
  return g_strdup_printf ("mrt_quantize_%s_%u", base, k);
}

GHashTable *
q_attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

void
q_attr_int (GHashTable *a, const char *k, gint64 v)
{
  g_hash_table_insert (a, g_strdup (k), g_strdup_printf ("%" G_GINT64_FORMAT, v));
}

guint
q_add_op (Q *q, const char *name, const char *op, GHashTable *attrs, const guint *inputs, guint n)
{
  MrtEntry in[8];
  g_assert (n <= G_N_ELEMENTS (in));
  for (guint i = 0; i < n; i++)
    in[i] = (MrtEntry){ inputs[i], 0 };
  return mrt_model_add_node (q->dst, name, op, attrs, in, n);
}

guint
q_add_custom (Q *q, const char *base, const char *op_type, int precision, int shift_bit, guint x)
{
  g_autofree char *name = q_gen_name (q, base);
  GHashTable *a = q_attrs_new ();
  g_hash_table_insert (a, g_strdup ("op_type"), g_strdup (op_type));
  q_attr_int (a, "precision", precision);
  if (shift_bit)
    q_attr_int (a, "shift_bit", shift_bit);
  return q_add_op (q, name, "Custom", a, &x, 1);
}

guint
q_add_param (Q *q, const char *name, MrtTensor *value, int precision)
{
  guint v = mrt_model_add_variable (q->dst, name);
  q_attr_int (mrt_model_node (q->dst, v)->attrs, "precision", precision);
  mrt_model_set_param (q->dst, name, value);
  return v;
}

/* Shared scalar constants, named like upstream's nd_const. */
guint
q_const_node (Q *q, double value)
{
  g_autofree char *num = NULL;
  g_autofree char *name = NULL;
  gpointer found;
  MrtShape s = mrt_shape_make (1, (gint64) 1);
  g_autoptr (MrtTensor) t = NULL;
  guint v;

  num = value == floor (value) && fabs (value) < 1e15 ? g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) value)
                                                       : g_strdup_printf ("%.17g", value);
  name = g_strconcat ("const_var_", num, NULL);
  if ((found = g_hash_table_lookup (q->consts, name)))
    return GPOINTER_TO_UINT (found) - 1;
  t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  mrt_tensor_f32 (t)[0] = (float) value;
  v = q_add_param (q, name, t, mrt_get_bit (value));
  q_set_state (q, name, fabs (value), 1, mrt_get_bit (value));
  g_hash_table_insert (q->consts, g_strdup (name), GUINT_TO_POINTER (v + 1));
  return v;
}

/* ---- requantization (§6.2) ---- */

gboolean
q_requant_parameter (Q *q, guint src_w, int p, const double *s_given, QOut *out, GError **error)
{
  const char *wname = mrt_model_node (q->src, src_w)->name;
  MrtTensor *w = mrt_model_get_param (q->src, wname);
  double th = q_src_th (q, wname);
  g_autoptr (MrtTensor) wq = mrt_tensor_new (MRT_DTYPE_F32, &w->shape);
  g_autofree char *name = q_gen_name (q, wname);
  double s;
  gboolean clipped = FALSE;

  if (th == 0)
    {
      out->node = q_add_param (q, name, wq, 1);
      out->prec = 1;
      out->sc = 1;
      q_set_state (q, name, 0, 1, 1);
      return TRUE;
    }
  s = s_given ? *s_given : mrt_scale (th, p);
  for (gsize i = 0; i < w->n; i++)
    mrt_tensor_f32 (wq)[i] = (float) mrt_round_clip (mrt_tensor_f32 (w)[i] * s, p, &clipped);
  out->node = q_add_param (q, name, wq, p);
  out->prec = p;
  out->sc = s;
  q_set_state (q, name, th, s, p);
  return TRUE;
}

/* realize(X, sb, p): a right shift for sb > 0, a clip for sb == 0. Left
 * shifts are folded into the multiplier by the caller (the upstream CPU
 * runtime cannot run cvm_left_shift). */
guint
q_realize (Q *q, guint x, int sb, int p)
{
  if (sb > 0)
    return q_add_custom (q, "realize", "cvm_right_shift", p, sb, x);
  return q_add_custom (q, "clip", "cvm_clip", p, 0, x);
}

gboolean
q_requant_operator (Q *q, guint x, int p_out, const double *s_given, QOut *out, GError **error)
{
  double th = q_th_of (q, x), s_in = q_sc_of (q, x), s_out;
  int p_in = q_prec_of (q, x), sb;
  gboolean exact = s_given != NULL;

  if (th == 0)
    {
      *out = (QOut){ x, 1, s_given ? *s_given : 1 };
      return TRUE;
    }
  s_out = exact ? *s_given : mrt_scale (th, p_out);
  /* the values cannot need more bits than their precision, whatever the threshold says */
  sb = MIN (mrt_get_bit (th * s_in), p_in) - p_out;
  if (sb > q->opts->shift_bits)
    {
      x = q_add_custom (q, "realize", "cvm_right_shift", p_in - sb, sb, x);
      p_in -= sb;
      s_in /= ldexp (1, sb);
      q_set_state (q, q_dname (q, x), th, s_in, p_in);
    }
  if (exact || p_in > p_out)
    {
      gint64 frac;
      int exp;
      mrt_cvm_float (s_out / s_in, 32 - p_in, &frac, &exp);
      if (exp > 0)
        {
          /* fold 2^exp into the multiplier instead of a left shift */
          frac <<= exp;
          exp = 0;
        }
      if (p_in + mrt_get_bit ((double) frac) > 32)
        {
          g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW,
                       "node “%s”: requantizing to %d bits needs a multiplier of %" G_GINT64_FORMAT
                       " on %d-bit values, more than 32 bits",
                       q_dname (q, x), p_out, frac, p_in);
          return FALSE;
        }
      if (frac > 1)
        {
          g_autofree char *name = q_gen_name (q, "mul");
          guint ins[2] = { x, q_const_node (q, (double) frac) };
          x = q_add_op (q, name, "broadcast_mul", NULL, ins, 2);
          q_set_state (q, name, th, s_in * frac, p_in + mrt_get_bit ((double) frac));
        }
      x = q_realize (q, x, -exp, p_out);
      s_out = s_in * frac * ldexp (1, exp);
      q_set_state (q, q_dname (q, x), th, s_out, p_out);
      *out = (QOut){ x, p_out, s_out };
      return TRUE;
    }
  *out = (QOut){ x, p_in, s_in };
  return TRUE;
}

guint
q_mapped (Q *q, const MrtNode *n, guint i)
{
  const char *name = mrt_model_node (q->src, n->inputs[i].node)->name;
  return GPOINTER_TO_UINT (g_hash_table_lookup (q->map, name)) - 1;
}

gboolean
q_requant (Q *q, const MrtNode *n, guint i, int p, const double *s, QOut *out, GError **error)
{
  guint child = n->inputs[i].node;
  if (mrt_model_is_param (q->src, child))
    return q_requant_parameter (q, child, p, s, out, error);
  return q_requant_operator (q, q_mapped (q, n, i), p, s, out, error);
}

const MrtShape *
q_in_shape (Q *q, const MrtNode *n, guint i)
{
  return &q->shapes[mrt_model_entry_id (q->src, n->inputs[i])];
}

GHashTable *
q_copy_attrs (const MrtNode *n)
{
  GHashTable *a = q_attrs_new ();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, n->attrs);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (a, g_strdup (k), g_strdup (v));
  return a;
}

/* Rebuild n with new inputs under its own name. */
guint
q_rebuild (Q *q, const MrtNode *n, const guint *inputs, guint count)
{
  return q_add_op (q, n->name, n->op, q_copy_attrs (n), inputs, count);
}

/* §6.3: clip a node whose inferred precision exceeds what its threshold needs. */
static guint
tight_clip (Q *q, guint node)
{
  double th = q_th_of (q, node), sc = q_sc_of (q, node);
  int tight = mrt_get_bit (th * sc), p = q_prec_of (q, node);
  guint c;
  if (p <= tight)
    return node;
  c = q_add_custom (q, "clip", "cvm_clip", tight, 0, node);
  q_set_state (q, q_dname (q, c), th, sc, tight);
  return c;
}

/* Restore_name: a name, "_OP_<op>", and "_ALL_EXCEPT_" inverting the list. */
static gboolean
is_restored (Q *q, const MrtNode *n)
{
  GPtrArray *names = q->opts->restore_names;
  gboolean listed = FALSE, invert = FALSE;
  for (guint i = 0; names && i < names->len; i++)
    {
      const char *r = g_ptr_array_index (names, i);
      if (g_str_equal (r, "_ALL_EXCEPT_"))
        invert = TRUE;
      else if (g_str_equal (r, n->name) || (g_str_has_prefix (r, "_OP_") && g_str_equal (r + 4, n->op)))
        listed = TRUE;
    }
  if (invert)
    return !listed && q_find_rule (n->op) != NULL;
  return listed;
}

static gboolean
quantize_node (Q *q, guint i, GError **error)
{
  const MrtNode *n = mrt_model_node (q->src, i);
  QRule rule;
  guint out;

  if (mrt_node_is_variable (n))
    {
      if (mrt_model_is_param (q->src, i))
        return TRUE; /* consumers quantize parameters */
      out = mrt_model_add_variable (q->dst, n->name);
      q_attr_int (mrt_model_node (q->dst, out)->attrs, "precision", q->opts->input_precision);
      q_set_state (q, n->name, q_src_th (q, n->name), mrt_scale (q_src_th (q, n->name), q->opts->input_precision),
                 q->opts->input_precision);
      g_hash_table_insert (q->map, g_strdup (n->name), GUINT_TO_POINTER (out + 1));
      return TRUE;
    }
  if (n->n_outputs != 1)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s” (%s) has %u outputs; run PREPARE first", n->name, n->op, n->n_outputs);
      return FALSE;
    }
  rule = is_restored (q, n) ? q_rule_restore : q_find_rule (n->op);
  if (rule == NULL)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: operator %s cannot be quantized; put it after a split key "
                   "(SPLIT_MODEL Keys) so it stays in the float top part",
                   n->name, n->op);
      return FALSE;
    }
  if (!rule (q, n, i, error))
    return FALSE;
  out = (guint) mrt_model_find (q->dst, n->name);
  if (q_prec_of (q, out) > MRT_MAX_BIT)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW,
                   "node “%s” (%s) would need %d bits, more than the CVM's %d", n->name, n->op, q_prec_of (q, out),
                   MRT_MAX_BIT);
      return FALSE;
    }
  out = tight_clip (q, out);
  g_hash_table_insert (q->map, g_strdup (n->name), GUINT_TO_POINTER (out + 1));
  return TRUE;
}

/* §6.8: requantize outputs exactly to Output_precision. */
static gboolean
quantize_outputs (Q *q, MrtQuantized *res, GError **error)
{
  for (guint h = 0; h < mrt_model_n_heads (q->src); h++)
    {
      MrtEntry e = mrt_model_head (q->src, h);
      const char *name = mrt_model_node (q->src, e.node)->name;
      guint node = GPOINTER_TO_UINT (g_hash_table_lookup (q->map, name)) - 1;
      double sc = q_sc_of (q, node);
      if (q->opts->output_precision > 0)
        {
          double s = mrt_scale (q_th_of (q, node), q->opts->output_precision);
          QOut o;
          if (!q_requant_operator (q, node, q->opts->output_precision, &s, &o, error))
            return FALSE;
          node = o.node;
          sc = o.sc;
        }
      mrt_model_add_head (q->dst, (MrtEntry){ node, 0 });
      g_ptr_array_add (res->old_names, g_strdup (name));
      g_array_append_val (res->oscales, sc);
    }
  return TRUE;
}

void
mrt_quantize_options_init (MrtQuantizeOptions *opts)
{
  opts->input_precision = 8;
  opts->output_precision = 0;
  opts->softmax_lambd = 10;
  opts->shift_bits = 5;
  opts->per_channel = MRT_PER_CHANNEL_AUTO;
  opts->restore_names = NULL;
}

static GHashTable *
double_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

MrtQuantized *
mrt_quantize (MrtModel *model, const MrtShape *input_shape, GHashTable *thresholds, const MrtQuantizeOptions *opts,
              const MrtProgress *progress, GError **error)
{
  g_autoptr (GArray) inputs = mrt_model_inputs (model);
  g_autoptr (MrtQuantized) res = mrt_quantized_new ();
  Q q = { 0 };
  gboolean ok = TRUE;
  guint n = mrt_model_n_nodes (model);

  if (inputs->len != 1)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "quantization needs exactly one model input, the model has %u", inputs->len);
      return NULL;
    }
  q.src = model;
  q.src_th = thresholds;
  q.opts = opts;
  q.dst = mrt_model_new ();
  q.th = res->th;
  q.sc = res->sc;
  q.prec = res->prec;
  q.map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  q.counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  q.consts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  q.shapes = mrt_model_infer_shapes_single (model, input_shape, error);
  ok = q.shapes != NULL;
  for (guint i = 0; i < n && ok; i++)
    {
      const MrtNode *node = mrt_model_node (model, i);
      if (!mrt_model_is_param (model, i) && !g_hash_table_contains (thresholds, node->name))
        {
          g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_THRESHOLD,
                       "node “%s” has no threshold: calibrate the model first", node->name);
          ok = FALSE;
          break;
        }
      if (i % 16 == 0)
        {
          mrt_progress_report (progress, (double) i / n, "Quantizing");
          if (mrt_progress_cancelled (progress, error))
            {
              ok = FALSE;
              break;
            }
        }
      ok = quantize_node (&q, i, error);
    }
  if (ok)
    ok = quantize_outputs (&q, res, error);
  if (ok)
    {
      const char *in = mrt_model_node (model, g_array_index (inputs, guint, 0))->name;
      res->input_scale = mrt_quantized_get (res->sc, in);
      res->input_precision = opts->input_precision;
      res->n_restored = q.n_restored;
      res->model = mrt_model_ref (q.dst);
    }
  mrt_model_unref (q.dst);
  g_free (q.shapes);
  g_hash_table_unref (q.map);
  g_hash_table_unref (q.counters);
  g_hash_table_unref (q.consts);
  if (!ok)
    return NULL;
  mrt_progress_report (progress, 1.0, "Quantization done");
  return g_steal_pointer (&res);
}

MrtQuantized *
mrt_quantized_new (void)
{
  MrtQuantized *r = g_atomic_rc_box_new0 (MrtQuantized);
  r->th = double_table ();
  r->sc = double_table ();
  r->prec = double_table ();
  r->old_names = g_ptr_array_new_with_free_func (g_free);
  r->oscales = g_array_new (FALSE, FALSE, sizeof (double));
  return r;
}

MrtQuantized *
mrt_quantized_ref (MrtQuantized *r)
{
  return g_atomic_rc_box_acquire (r);
}

static void
quantized_clear (gpointer p)
{
  MrtQuantized *r = p;
  g_clear_pointer (&r->model, mrt_model_unref);
  g_clear_pointer (&r->th, g_hash_table_unref);
  g_clear_pointer (&r->sc, g_hash_table_unref);
  g_clear_pointer (&r->prec, g_hash_table_unref);
  g_clear_pointer (&r->old_names, g_ptr_array_unref);
  g_clear_pointer (&r->oscales, g_array_unref);
}

void
mrt_quantized_unref (MrtQuantized *r)
{
  if (r)
    g_atomic_rc_box_release_full (r, quantized_clear);
}
