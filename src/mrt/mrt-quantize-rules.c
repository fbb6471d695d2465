/* mrt-quantize-rules.c: the per-op quantization rules (spec §6.4–6.6),
 * one function per op family and one table mapping op names to them. */
#include "mrt-quantize-private.h"

#include <math.h>
#include <string.h>

/* ---- op rules (§6.4–6.6) ---- */

/* Per-channel weight scales: always, never, or (auto) for depthwise
 * convolutions, where per-tensor scales lose the most. */
static gboolean
use_per_channel (Q *q, const MrtNode *n)
{
  gint64 groups = mrt_node_get_int (n, "num_group", 1);
  switch (q->opts->per_channel)
    {
    case MRT_PER_CHANNEL_ON: return TRUE;
    case MRT_PER_CHANNEL_OFF: return FALSE;
    case MRT_PER_CHANNEL_AUTO:
    default:
      return g_str_equal (n->op, "Convolution") && groups > 1 && groups == mrt_node_get_int (n, "num_filter", 0);
    }
}

static gboolean
rule_xwb (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, w, b = { 0 };
  guint ins[3];
  const MrtShape *ws = q_in_shape (q, n, 1);
  gint64 k = mrt_shape_size (ws) / MAX (ws->dim[0], 1);
  int prec;
  gboolean bias = n->n_inputs > 2 && !mrt_node_get_bool (n, "no_bias", FALSE);

  if (!mrt_model_is_param (q->src, n->inputs[1].node))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s” (%s): the weight must be a parameter", n->name, n->op);
      return FALSE;
    }
  if (use_per_channel (q, n))
    return q_rule_xwb_channel (q, n, idx, error);
  if (!q_requant (q, n, 0, 8, NULL, &x, error) || !q_requant_parameter (q, n->inputs[1].node, 8, NULL, &w, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = w.node;
  prec = mrt_get_bit_cnt ((guint64) k) + x.prec + w.prec;
  if (bias)
    {
      double sb = x.sc * w.sc;
      int pb = mrt_get_bit (q_src_th (q, mrt_model_node (q->src, n->inputs[2].node)->name) * sb);
      if (!q_requant_parameter (q, n->inputs[2].node, pb, &sb, &b, error))
        return FALSE;
      ins[2] = b.node;
      prec = MAX (prec, b.prec) + 1;
    }
  q_rebuild (q, n, ins, bias ? 3 : 2);
  q_set_state (q, n->name, q_src_th (q, n->name), x.sc * w.sc, prec);
  return TRUE;
}

static int
input_prec_for (const char *op)
{
  if (g_str_equal (op, "slice_like"))
    return 30;
  return 16;
}

/* All inputs to one common scale (§6.4 _quantize_scale). */
static gboolean
rule_scale (Q *q, const MrtNode *n, guint idx, GError **error)
{
  int p = input_prec_for (n->op), pmax = 0;
  double th_in = 0, s;
  guint ins[8];

  if (n->n_inputs > G_N_ELEMENTS (ins))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s” (%s): more than %u inputs", n->name, n->op, (guint) G_N_ELEMENTS (ins));
      return FALSE;
    }
  for (guint i = 0; i < n->n_inputs; i++)
    th_in = MAX (th_in, q_src_th (q, mrt_model_node (q->src, n->inputs[i].node)->name));
  s = mrt_scale (th_in, p);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      QOut c;
      if (!q_requant (q, n, i, p, &s, &c, error))
        return FALSE;
      ins[i] = c.node;
      pmax = MAX (pmax, c.prec);
    }
  q_rebuild (q, n, ins, n->n_inputs);
  q_set_state (q, n->name, q_src_th (q, n->name), s, g_str_equal (n->op, "Concat") ? pmax : pmax + 1);
  return TRUE;
}

static gboolean
rule_broadcast_addsub (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double ta = q_src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
  double tb = q_src_th (q, mrt_model_node (q->src, n->inputs[1].node)->name);
  QOut a, b;
  guint ins[2];

  if (ta != 0 && tb != 0)
    return rule_scale (q, n, idx, error);
  /* One input is all zeros: quantize it as zeros and keep the other's scale.
   * (Upstream overwrites the threshold instead; see docs/deviations.md.) */
  if (!q_requant (q, n, 0, 16, NULL, &a, error) || !q_requant (q, n, 1, 16, NULL, &b, error))
    return FALSE;
  ins[0] = a.node;
  ins[1] = b.node;
  q_rebuild (q, n, ins, 2);
  q_set_state (q, n->name, q_src_th (q, n->name), ta != 0 ? a.sc : b.sc, MAX (a.prec, b.prec) + 1);
  return TRUE;
}

static gboolean
rule_broadcast_mul (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, b;
  guint ins[2];
  if (!q_requant (q, n, 0, 16, NULL, &x, error) || !q_requant (q, n, 1, 16, NULL, &b, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = b.node;
  q_rebuild (q, n, ins, 2);
  if ((b.prec == 1 && b.sc == 1) || (x.prec == 1 && x.sc == 1))
    q_set_state (q, n->name, q_src_th (q, n->name), 1, 1);
  else
    q_set_state (q, n->name, q_src_th (q, n->name), x.sc * b.sc, x.prec + b.prec);
  return TRUE;
}

static gboolean
rule_sum (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x;
  const MrtShape *is = q_in_shape (q, n, 0);
  const MrtShape *os = &q->shapes[mrt_model_entry_id (q->src, (MrtEntry){ idx, 0 })];
  gint64 k = mrt_shape_size (is) / MAX (mrt_shape_size (os), 1);
  if (!q_requant (q, n, 0, 8, NULL, &x, error))
    return FALSE;
  q_rebuild (q, n, &x.node, 1);
  q_set_state (q, n->name, q_src_th (q, n->name), x.sc, mrt_get_bit_cnt ((guint64) k) + x.prec);
  return TRUE;
}

static gboolean
rule_clip (Q *q, const MrtNode *n, guint idx, GError **error)
{
  guint x = q_mapped (q, n, 0);
  double s = q_sc_of (q, x);
  gint64 lo = (gint64) (mrt_node_get_float (n, "a_min", 0) * s);
  gint64 hi = (gint64) (mrt_node_get_float (n, "a_max", 0) * s);
  GHashTable *a = q_copy_attrs (n);
  /* The precision the CVM infers for clip: numprec(max |bound|) =
   * bits(m + 1) + 1 (cvm.md §3.3), one more than get_bit(m) when m = 2^k − 1
   * (clip(-127, 127) has 9 bits there). Recording get_bit(m) would let an
   * 8-bit consumer (conv2d, dense) take the clip unrequantized and the CVM
   * reject the graph. */
  int prec = mrt_get_bit_cnt ((guint64) MAX (ABS (lo), ABS (hi)) + 1) + 1;
  q_attr_int (a, "a_min", lo);
  q_attr_int (a, "a_max", hi);
  q_add_op (q, n->name, n->op, a, &x, 1);
  q_set_state (q, n->name, q_src_th (q, n->name), s, prec);
  return TRUE;
}

/* Output scale and precision of input 0 carry over (§6.4 default rule). */
static gboolean
rule_pass (Q *q, const MrtNode *n, guint idx, GError **error)
{
  guint ins[8];
  if (n->n_inputs > G_N_ELEMENTS (ins))
    return FALSE;
  for (guint i = 0; i < n->n_inputs; i++)
    {
      if (mrt_model_is_param (q->src, n->inputs[i].node))
        {
          g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                       "node “%s” (%s): a parameter input is not supported here", n->name, n->op);
          return FALSE;
        }
      ins[i] = q_mapped (q, n, i);
    }
  q_rebuild (q, n, ins, n->n_inputs);
  q_set_state (q, n->name, q_src_th (q, n->name), q_sc_of (q, ins[0]), q_prec_of (q, ins[0]));
  return TRUE;
}

static gboolean
rule_activation (Q *q, const MrtNode *n, guint idx, GError **error)
{
  const char *act = mrt_node_get_string (n, "act_type", "relu");
  if (!g_str_equal (act, "relu"))
    {
      /* upstream silently passes these through and computes garbage (§12.3) */
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: Activation act_type=%s cannot be quantized (only relu; sigmoid is rewritten by prepare)",
                   n->name, act);
      return FALSE;
    }
  return rule_pass (q, n, idx, error);
}

static gboolean
rule_pooling (Q *q, const MrtNode *n, guint idx, GError **error)
{
  if (!g_str_equal (mrt_node_get_string (n, "pool_type", "max"), "max"))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: %s pooling cannot be quantized; prepare rewrites average pooling into "
                   "convolutions, so run PREPARE first",
                   n->name, mrt_node_get_string (n, "pool_type", "max"));
      return FALSE;
    }
  return rule_pass (q, n, idx, error);
}

/* Nearest-neighbour UpSampling of one input is a pass-through. With several
 * inputs MXNet scales each to the output size and concatenates (or sums)
 * them, which needs a common scale and has no single CVM upsampling;
 * bilinear is a deconvolution. Neither is quantized. */
static gboolean
rule_upsampling (Q *q, const MrtNode *n, guint idx, GError **error)
{
  if (n->n_inputs != 1 || !g_str_equal (mrt_node_get_string (n, "sample_type", "nearest"), "nearest"))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: only nearest UpSampling of a single input can be quantized (%u inputs, sample_type=%s)",
                   n->name, n->n_inputs, mrt_node_get_string (n, "sample_type", "nearest"));
      return FALSE;
    }
  return rule_pass (q, n, idx, error);
}

/* An integer table: value T[i] for index i, shape (len, 1). */
static guint
table_param (Q *q, const char *base, const double *values, guint len, int precision)
{
  MrtShape s = mrt_shape_make (2, (gint64) len, (gint64) 1);
  g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  g_autofree char *name = q_gen_name (q, base);
  for (guint i = 0; i < len; i++)
    mrt_tensor_f32 (t)[i] = (float) values[i];
  q_set_state (q, name, 0, 1, precision);
  return q_add_param (q, name, t, precision);
}

static guint
add_lut (Q *q, const char *name, guint idx_node, guint table, guint in_dim)
{
  GHashTable *a = q_attrs_new ();
  guint ins[2] = { idx_node, table };
  g_hash_table_insert (a, g_strdup ("op_type"), g_strdup ("cvm_lut"));
  q_attr_int (a, "in_dim", in_dim);
  return q_add_op (q, name, "Custom", a, ins, 2);
}

static gboolean
rule_table (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double th = q_src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
  double sx = mrt_scale (th, 8), absmax = 0, s_o;
  gboolean is_exp = g_str_equal (n->op, "exp");
  const int alpha = 127, p_o = 16;
  g_autofree double *out = g_new (double, 2 * alpha + 1);
  QOut x;
  guint add, tbl;

  if (!q_requant (q, n, 0, 8, &sx, &x, error))
    return FALSE;
  {
    g_autofree char *name = q_gen_name (q, "index");
    guint ins[2] = { x.node, q_const_node (q, alpha) };
    add = q_add_op (q, name, "broadcast_add", NULL, ins, 2);
    q_set_state (q, name, 2 * alpha, 1, 9);
  }
  for (int i = -alpha; i <= alpha; i++)
    {
      double v = i / x.sc;
      out[i + alpha] = is_exp ? exp (v) : 1 / (1 + exp (-v));
      absmax = MAX (absmax, fabs (out[i + alpha]));
    }
  s_o = mrt_scale (absmax, p_o);
  for (int i = 0; i < 2 * alpha + 1; i++)
    out[i] = mrt_round_clip (out[i] * s_o, p_o, NULL);
  tbl = table_param (q, "table", out, 2 * alpha + 1, p_o);
  add_lut (q, n->name, add, tbl, 2 * alpha + 1);
  q_set_state (q, n->name, q_src_th (q, n->name), s_o, p_o);
  return TRUE;
}

static guint
op2 (Q *q, const char *base, const char *op, GHashTable *attrs, guint a, guint b, double th, double sc, int prec)
{
  g_autofree char *name = q_gen_name (q, base);
  guint ins[2] = { a, b };
  guint r = q_add_op (q, name, op, attrs, ins, b == G_MAXUINT ? 1 : 2);
  q_set_state (q, name, th, sc, prec);
  return r;
}

static gboolean
rule_softmax (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double th = q_src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
  double sx = mrt_scale (th, 8), lambd = q->opts->softmax_lambd;
  const char *axis = mrt_node_get_string (n, "axis", "-1");
  int tprec = mrt_get_bit (exp (lambd)), p_o = MIN (15, 31 - tprec);
  gint64 alpha, K;
  int pn;
  QOut x;
  guint mx, offset, diff, norm, tbl, lut, s, mul, half, num, prob;
  g_autofree double *t = NULL;
  GHashTable *ra;

  if (p_o <= 8)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW,
                   "node “%s”: Softmax_lambd=%g leaves %d output bits; use a value below 14", n->name, lambd, p_o);
      return FALSE;
    }
  if (!q_requant (q, n, 0, 8, &sx, &x, error))
    return FALSE;
  alpha = (gint64) (lambd * x.sc);
  K = mrt_get_range (p_o);
  ra = q_attrs_new ();
  g_hash_table_insert (ra, g_strdup ("axis"), g_strdup (axis));
  g_hash_table_insert (ra, g_strdup ("keepdims"), g_strdup ("True"));
  /* norm = x - max + alpha lies in [0, alpha]; its clips need get_bit(alpha)
   * bits, which exceeds 8 when the input threshold is below lambda (upstream
   * clips to 8 bits there and computes a wrong softmax; docs/deviations.md) */
  pn = MAX (x.prec, mrt_get_bit ((double) alpha));
  mx = op2 (q, "max", "max", ra, x.node, G_MAXUINT, th, x.sc, x.prec);
  offset = op2 (q, "sub", "broadcast_sub", NULL, mx, q_const_node (q, (double) alpha), th, x.sc,
                MAX (x.prec, mrt_get_bit ((double) alpha)) + 1);
  offset = q_realize (q, offset, 0, pn + 1);
  q_set_state (q, q_dname (q, offset), th, x.sc, pn + 1);
  diff = op2 (q, "sub", "broadcast_sub", NULL, x.node, offset, th, x.sc, pn + 2);
  diff = op2 (q, "relu", "relu", NULL, diff, G_MAXUINT, th, x.sc, pn + 2);
  norm = q_realize (q, diff, 0, pn);
  q_set_state (q, q_dname (q, norm), th, x.sc, pn);
  t = g_new (double, alpha + 1);
  for (gint64 i = 0; i <= alpha; i++)
    t[i] = CLAMP (round (exp (i / x.sc)), 0, (double) mrt_get_range (tprec));
  tbl = table_param (q, "table", t, (guint) alpha + 1, tprec);
  {
    g_autofree char *name = q_gen_name (q, "lut");
    lut = add_lut (q, name, norm, tbl, (guint) alpha + 1);
    q_set_state (q, name, exp (lambd), 1, tprec);
  }
  ra = q_attrs_new ();
  g_hash_table_insert (ra, g_strdup ("axis"), g_strdup (axis));
  g_hash_table_insert (ra, g_strdup ("keepdims"), g_strdup ("True"));
  s = op2 (q, "sum", "sum", ra, lut, G_MAXUINT, 0, 1, 31);
  mul = op2 (q, "mul", "broadcast_mul", NULL, lut, q_const_node (q, (double) K), 0, 1, tprec + mrt_get_bit ((double) K));
  /* s >> 1 fits 30 bits; precision 31 would make p + shift = 32, where the upstream CPU kernel skips its clip */
  half = q_add_custom (q, "realize", "cvm_right_shift", 30, 1, s);
  q_set_state (q, q_dname (q, half), 0, 1, 30);
  num = op2 (q, "add", "broadcast_add", NULL, mul, half, 0, 1, 32);
  prob = op2 (q, "div", "broadcast_div", NULL, num, s, 0, 1, 32);
  {
    GHashTable *a = q_attrs_new ();
    guint in = prob;
    g_hash_table_insert (a, g_strdup ("op_type"), g_strdup ("cvm_clip"));
    q_attr_int (a, "precision", p_o);
    q_add_op (q, n->name, "Custom", a, &in, 1);
  }
  q_set_state (q, n->name, q_src_th (q, n->name), (double) K, p_o);
  return TRUE;
}

static gboolean
rule_embedding (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, w;
  guint ins[2];
  double th_w = q_src_th (q, mrt_model_node (q->src, n->inputs[1].node)->name);
  double one = 1;

  if (!mrt_model_is_param (q->src, n->inputs[1].node))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: the Embedding table must be a parameter", n->name);
      return FALSE;
    }
  x.node = q_mapped (q, n, 0);
  if (q_sc_of (q, x.node) != 1 && !q_requant_operator (q, x.node, 32, &one, &x, error))
    return FALSE;
  if (!q_requant_parameter (q, n->inputs[1].node, 16, NULL, &w, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = w.node;
  q_rebuild (q, n, ins, 2);
  q_set_state (q, n->name, th_w, w.sc, mrt_get_bit (th_w * w.sc));
  return TRUE;
}

static gboolean
rule_index (Q *q, const MrtNode *n, guint idx, GError **error)
{
  /* argmax/argmin output indices: scale 1 (upstream copies the input scale, §12.8) */
  guint x = q_mapped (q, n, 0);
  const MrtShape *is = q_in_shape (q, n, 0);
  q_rebuild (q, n, &x, 1);
  q_set_state (q, n->name, (double) mrt_shape_size (is), 1, mrt_get_bit ((double) mrt_shape_size (is)));
  return TRUE;
}

typedef struct {
  const char *op;
  QRule rule;
} RuleEntry;

static const RuleEntry rules[] = {
  { "Convolution", rule_xwb },
  { "FullyConnected", rule_xwb },
  { "elemwise_add", rule_scale },
  { "elemwise_sub", rule_scale },
  { "Concat", rule_scale },
  { "slice_like", rule_scale },
  { "broadcast_add", rule_broadcast_addsub },
  { "broadcast_sub", rule_broadcast_addsub },
  { "broadcast_mul", rule_broadcast_mul },
  { "sum", rule_sum },
  { "clip", rule_clip },
  { "softmax", rule_softmax },
  { "sigmoid", rule_table },
  { "exp", rule_table },
  { "Embedding", rule_embedding },
  { "argmax", rule_index },
  { "argmin", rule_index },
  { "Activation", rule_activation },
  { "Pooling", rule_pooling },
  { "relu", rule_pass },
  { "Flatten", rule_pass },
  { "flatten", rule_pass },
  { "Reshape", rule_pass },
  { "reshape", rule_pass },
  { "transpose", rule_pass },
  { "slice", rule_pass },
  { "expand_dims", rule_pass },
  { "squeeze", rule_pass },
  { "tile", rule_pass },
  { "repeat", rule_pass },
  { "UpSampling", rule_upsampling },
  { "Dropout", rule_pass },
  { "negative", rule_pass },
  { "max", rule_pass },
};

/* §6.7: a restored node computes in float: its children are divided by
 * their scales, parameters stay float, and the output has scale 1. */
gboolean
q_rule_restore (Q *q, const MrtNode *n, guint idx, GError **error)
{
  guint ins[8];
  double th = q_src_th (q, n->name);
  if (n->n_inputs > G_N_ELEMENTS (ins))
    return FALSE;
  for (guint i = 0; i < n->n_inputs; i++)
    {
      guint child = n->inputs[i].node;
      if (mrt_model_is_param (q->src, child))
        {
          const char *pname = mrt_model_node (q->src, child)->name;
          gint found = mrt_model_find (q->dst, pname);
          MrtTensor *t = mrt_model_get_param (q->src, pname);
          ins[i] = found >= 0 ? (guint) found : q_add_param (q, pname, t, mrt_get_bit (mrt_tensor_absmax (t)));
        }
      else
        {
          guint x = q_mapped (q, n, i);
          double s = q_sc_of (q, x);
          if (s != 1)
            {
              g_autofree char *name = q_gen_name (q, "restore");
              guint mins[2] = { x, q_const_node (q, 1.0 / s) };
              x = q_add_op (q, name, "broadcast_mul", NULL, mins, 2);
              q_set_state (q, name, q_th_of (q, mins[0]), 1, q_prec_of (q, mins[0]));
            }
          ins[i] = x;
        }
    }
  q_rebuild (q, n, ins, n->n_inputs);
  q_set_state (q, n->name, th, 1, mrt_get_bit (th));
  q->n_restored++;
  return TRUE;
}

QRule
q_find_rule (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].op, op))
      return rules[i].rule;
  return NULL;
}

