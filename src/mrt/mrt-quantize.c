/* mrt-quantize.c: the quantization pass (spec §6). The float graph is
 * rebuilt node by node; every op rule requantizes its inputs and records the
 * output's threshold, scale and precision. Rules live in one table below. */
#include "mrt-quantize.h"

#include <math.h>
#include <string.h>

#include "mrt-op.h"
#include "mrt-qmath.h"

G_DEFINE_QUARK (mrt-quantize-error-quark, mrt_quantize_error)

typedef struct {
  const MrtModel *src;
  MrtModel *dst;
  MrtShape *shapes;        /* src entries at batch 1 */
  GHashTable *src_th;      /* src name -> double* */
  const MrtQuantizeOptions *opts;
  GHashTable *map;         /* src name -> dst index + 1 */
  GHashTable *th, *sc;     /* dst name -> double* */
  GHashTable *prec;        /* dst name -> int* */
  GHashTable *counters;    /* name base -> next k */
  GHashTable *consts;      /* const name -> dst index + 1 */
} Q;

typedef struct {
  guint node; /* dst index */
  int prec;
  double sc;
} QOut;

typedef gboolean (*QRule) (Q *q, const MrtNode *n, guint src_idx, GError **error);

/* ---- state ---- */

double
mrt_quantized_get (GHashTable *table, const char *name)
{
  double *v = g_hash_table_lookup (table, name);
  return v ? *v : 0;
}

static const char *
dname (Q *q, guint dst)
{
  return mrt_model_node (q->dst, dst)->name;
}

static void
set_state (Q *q, const char *name, double th, double sc, int prec)
{
  g_hash_table_insert (q->th, g_strdup (name), g_memdup2 (&th, sizeof th));
  g_hash_table_insert (q->sc, g_strdup (name), g_memdup2 (&sc, sizeof sc));
  g_hash_table_insert (q->prec, g_strdup (name), g_memdup2 (&prec, sizeof prec));
}

static double
th_of (Q *q, guint dst)
{
  return mrt_quantized_get (q->th, dname (q, dst));
}

static double
sc_of (Q *q, guint dst)
{
  return mrt_quantized_get (q->sc, dname (q, dst));
}

static int
prec_of (Q *q, guint dst)
{
  int *p = g_hash_table_lookup (q->prec, dname (q, dst));
  return p ? *p : 32;
}

static double
src_th (Q *q, const char *src_name)
{
  return mrt_quantized_get (q->src_th, src_name);
}

/* ---- building ---- */

static char *
gen_name (Q *q, const char *base)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (q->counters, base));
  g_hash_table_insert (q->counters, g_strdup (base), GUINT_TO_POINTER (k + 1));
  return g_strdup_printf ("mrt_quantize_%s_%u", base, k);
}

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
attr_int (GHashTable *a, const char *k, gint64 v)
{
  g_hash_table_insert (a, g_strdup (k), g_strdup_printf ("%" G_GINT64_FORMAT, v));
}

static guint
add_op (Q *q, const char *name, const char *op, GHashTable *attrs, const guint *inputs, guint n)
{
  MrtEntry in[8];
  g_assert (n <= G_N_ELEMENTS (in));
  for (guint i = 0; i < n; i++)
    in[i] = (MrtEntry){ inputs[i], 0 };
  return mrt_model_add_node (q->dst, name, op, attrs, in, n);
}

static guint
add_custom (Q *q, const char *base, const char *op_type, int precision, int shift_bit, guint x)
{
  g_autofree char *name = gen_name (q, base);
  GHashTable *a = attrs_new ();
  g_hash_table_insert (a, g_strdup ("op_type"), g_strdup (op_type));
  attr_int (a, "precision", precision);
  if (shift_bit)
    attr_int (a, "shift_bit", shift_bit);
  return add_op (q, name, "Custom", a, &x, 1);
}

static guint
add_param (Q *q, const char *name, MrtTensor *value, int precision)
{
  guint v = mrt_model_add_variable (q->dst, name);
  attr_int (mrt_model_node (q->dst, v)->attrs, "precision", precision);
  mrt_model_set_param (q->dst, name, value);
  return v;
}

/* Shared scalar constants, named like upstream's nd_const. */
static guint
const_node (Q *q, double value)
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
  v = add_param (q, name, t, mrt_get_bit (value));
  set_state (q, name, fabs (value), 1, mrt_get_bit (value));
  g_hash_table_insert (q->consts, g_strdup (name), GUINT_TO_POINTER (v + 1));
  return v;
}

/* ---- requantization (§6.2) ---- */

static gboolean
requant_parameter (Q *q, guint src_w, int p, const double *s_given, QOut *out, GError **error)
{
  const char *wname = mrt_model_node (q->src, src_w)->name;
  MrtTensor *w = mrt_model_get_param (q->src, wname);
  double th = src_th (q, wname);
  g_autoptr (MrtTensor) wq = mrt_tensor_new (MRT_DTYPE_F32, &w->shape);
  g_autofree char *name = gen_name (q, wname);
  double s;
  gboolean clipped = FALSE;

  if (th == 0)
    {
      out->node = add_param (q, name, wq, 1);
      out->prec = 1;
      out->sc = 1;
      set_state (q, name, 0, 1, 1);
      return TRUE;
    }
  s = s_given ? *s_given : mrt_scale (th, p);
  for (gsize i = 0; i < w->n; i++)
    mrt_tensor_f32 (wq)[i] = (float) mrt_round_clip (mrt_tensor_f32 (w)[i] * s, p, &clipped);
  out->node = add_param (q, name, wq, p);
  out->prec = p;
  out->sc = s;
  set_state (q, name, th, s, p);
  return TRUE;
}

/* realize(X, sb, p): a right shift for sb > 0, a clip for sb == 0. Left
 * shifts are folded into the multiplier by the caller (the upstream CPU
 * runtime cannot run cvm_left_shift). */
static guint
realize (Q *q, guint x, int sb, int p)
{
  if (sb > 0)
    return add_custom (q, "realize", "cvm_right_shift", p, sb, x);
  return add_custom (q, "clip", "cvm_clip", p, 0, x);
}

static gboolean
requant_operator (Q *q, guint x, int p_out, const double *s_given, QOut *out, GError **error)
{
  double th = th_of (q, x), s_in = sc_of (q, x), s_out;
  int p_in = prec_of (q, x), sb;
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
      x = add_custom (q, "realize", "cvm_right_shift", p_in - sb, sb, x);
      p_in -= sb;
      s_in /= ldexp (1, sb);
      set_state (q, dname (q, x), th, s_in, p_in);
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
                       dname (q, x), p_out, frac, p_in);
          return FALSE;
        }
      if (frac > 1)
        {
          g_autofree char *name = gen_name (q, "mul");
          guint ins[2] = { x, const_node (q, (double) frac) };
          x = add_op (q, name, "broadcast_mul", NULL, ins, 2);
          set_state (q, name, th, s_in * frac, p_in + mrt_get_bit ((double) frac));
        }
      x = realize (q, x, -exp, p_out);
      s_out = s_in * frac * ldexp (1, exp);
      set_state (q, dname (q, x), th, s_out, p_out);
      *out = (QOut){ x, p_out, s_out };
      return TRUE;
    }
  *out = (QOut){ x, p_in, s_in };
  return TRUE;
}

static guint
mapped (Q *q, const MrtNode *n, guint i)
{
  const char *name = mrt_model_node (q->src, n->inputs[i].node)->name;
  return GPOINTER_TO_UINT (g_hash_table_lookup (q->map, name)) - 1;
}

static gboolean
requant (Q *q, const MrtNode *n, guint i, int p, const double *s, QOut *out, GError **error)
{
  guint child = n->inputs[i].node;
  if (mrt_model_is_param (q->src, child))
    return requant_parameter (q, child, p, s, out, error);
  return requant_operator (q, mapped (q, n, i), p, s, out, error);
}

static const MrtShape *
in_shape (Q *q, const MrtNode *n, guint i)
{
  return &q->shapes[mrt_model_entry_id (q->src, n->inputs[i])];
}

static GHashTable *
copy_attrs (const MrtNode *n)
{
  GHashTable *a = attrs_new ();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, n->attrs);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (a, g_strdup (k), g_strdup (v));
  return a;
}

/* Rebuild n with new inputs under its own name. */
static guint
rebuild (Q *q, const MrtNode *n, const guint *inputs, guint count)
{
  return add_op (q, n->name, n->op, copy_attrs (n), inputs, count);
}

/* ---- op rules (§6.4–6.6) ---- */

static gboolean
rule_xwb (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, w, b = { 0 };
  guint ins[3];
  const MrtShape *ws = in_shape (q, n, 1);
  gint64 k = mrt_shape_size (ws) / MAX (ws->dim[0], 1);
  int prec;
  gboolean bias = n->n_inputs > 2 && !mrt_node_get_bool (n, "no_bias", FALSE);

  if (!mrt_model_is_param (q->src, n->inputs[1].node))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s” (%s): the weight must be a parameter", n->name, n->op);
      return FALSE;
    }
  if (!requant (q, n, 0, 8, NULL, &x, error) || !requant_parameter (q, n->inputs[1].node, 8, NULL, &w, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = w.node;
  prec = mrt_get_bit_cnt ((guint64) k) + x.prec + w.prec;
  if (bias)
    {
      double sb = x.sc * w.sc;
      int pb = mrt_get_bit (src_th (q, mrt_model_node (q->src, n->inputs[2].node)->name) * sb);
      if (!requant_parameter (q, n->inputs[2].node, pb, &sb, &b, error))
        return FALSE;
      ins[2] = b.node;
      prec = MAX (prec, b.prec) + 1;
    }
  rebuild (q, n, ins, bias ? 3 : 2);
  set_state (q, n->name, src_th (q, n->name), x.sc * w.sc, prec);
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
    th_in = MAX (th_in, src_th (q, mrt_model_node (q->src, n->inputs[i].node)->name));
  s = mrt_scale (th_in, p);
  for (guint i = 0; i < n->n_inputs; i++)
    {
      QOut c;
      if (!requant (q, n, i, p, &s, &c, error))
        return FALSE;
      ins[i] = c.node;
      pmax = MAX (pmax, c.prec);
    }
  rebuild (q, n, ins, n->n_inputs);
  set_state (q, n->name, src_th (q, n->name), s, g_str_equal (n->op, "Concat") ? pmax : pmax + 1);
  return TRUE;
}

static gboolean
rule_broadcast_addsub (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double ta = src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
  double tb = src_th (q, mrt_model_node (q->src, n->inputs[1].node)->name);
  QOut a, b;
  guint ins[2];

  if (ta != 0 && tb != 0)
    return rule_scale (q, n, idx, error);
  /* One input is all zeros: quantize it as zeros and keep the other's scale.
   * (Upstream overwrites the threshold instead; see docs/deviations.md.) */
  if (!requant (q, n, 0, 16, NULL, &a, error) || !requant (q, n, 1, 16, NULL, &b, error))
    return FALSE;
  ins[0] = a.node;
  ins[1] = b.node;
  rebuild (q, n, ins, 2);
  set_state (q, n->name, src_th (q, n->name), ta != 0 ? a.sc : b.sc, MAX (a.prec, b.prec) + 1);
  return TRUE;
}

static gboolean
rule_broadcast_mul (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, b;
  guint ins[2];
  if (!requant (q, n, 0, 16, NULL, &x, error) || !requant (q, n, 1, 16, NULL, &b, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = b.node;
  rebuild (q, n, ins, 2);
  if ((b.prec == 1 && b.sc == 1) || (x.prec == 1 && x.sc == 1))
    set_state (q, n->name, src_th (q, n->name), 1, 1);
  else
    set_state (q, n->name, src_th (q, n->name), x.sc * b.sc, x.prec + b.prec);
  return TRUE;
}

static gboolean
rule_sum (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x;
  const MrtShape *is = in_shape (q, n, 0);
  const MrtShape *os = &q->shapes[mrt_model_entry_id (q->src, (MrtEntry){ idx, 0 })];
  gint64 k = mrt_shape_size (is) / MAX (mrt_shape_size (os), 1);
  if (!requant (q, n, 0, 8, NULL, &x, error))
    return FALSE;
  rebuild (q, n, &x.node, 1);
  set_state (q, n->name, src_th (q, n->name), x.sc, mrt_get_bit_cnt ((guint64) k) + x.prec);
  return TRUE;
}

static gboolean
rule_clip (Q *q, const MrtNode *n, guint idx, GError **error)
{
  guint x = mapped (q, n, 0);
  double s = sc_of (q, x);
  gint64 lo = (gint64) (mrt_node_get_float (n, "a_min", 0) * s);
  gint64 hi = (gint64) (mrt_node_get_float (n, "a_max", 0) * s);
  GHashTable *a = copy_attrs (n);
  attr_int (a, "a_min", lo);
  attr_int (a, "a_max", hi);
  add_op (q, n->name, n->op, a, &x, 1);
  set_state (q, n->name, src_th (q, n->name), s, mrt_get_bit ((double) MAX (ABS (lo), ABS (hi))));
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
      ins[i] = mapped (q, n, i);
    }
  rebuild (q, n, ins, n->n_inputs);
  set_state (q, n->name, src_th (q, n->name), sc_of (q, ins[0]), prec_of (q, ins[0]));
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

/* An integer table: value T[i] for index i, shape (len, 1). */
static guint
table_param (Q *q, const char *base, const double *values, guint len, int precision)
{
  MrtShape s = mrt_shape_make (2, (gint64) len, (gint64) 1);
  g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  g_autofree char *name = gen_name (q, base);
  for (guint i = 0; i < len; i++)
    mrt_tensor_f32 (t)[i] = (float) values[i];
  set_state (q, name, 0, 1, precision);
  return add_param (q, name, t, precision);
}

static guint
add_lut (Q *q, const char *name, guint idx_node, guint table, guint in_dim)
{
  GHashTable *a = attrs_new ();
  guint ins[2] = { idx_node, table };
  g_hash_table_insert (a, g_strdup ("op_type"), g_strdup ("cvm_lut"));
  attr_int (a, "in_dim", in_dim);
  return add_op (q, name, "Custom", a, ins, 2);
}

static gboolean
rule_table (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double th = src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
  double sx = mrt_scale (th, 8), absmax = 0, s_o;
  gboolean is_exp = g_str_equal (n->op, "exp");
  const int alpha = 127, p_o = 16;
  g_autofree double *out = g_new (double, 2 * alpha + 1);
  QOut x;
  guint add, tbl;

  if (!requant (q, n, 0, 8, &sx, &x, error))
    return FALSE;
  {
    g_autofree char *name = gen_name (q, "index");
    guint ins[2] = { x.node, const_node (q, alpha) };
    add = add_op (q, name, "broadcast_add", NULL, ins, 2);
    set_state (q, name, 2 * alpha, 1, 9);
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
  set_state (q, n->name, src_th (q, n->name), s_o, p_o);
  return TRUE;
}

static guint
op2 (Q *q, const char *base, const char *op, GHashTable *attrs, guint a, guint b, double th, double sc, int prec)
{
  g_autofree char *name = gen_name (q, base);
  guint ins[2] = { a, b };
  guint r = add_op (q, name, op, attrs, ins, b == G_MAXUINT ? 1 : 2);
  set_state (q, name, th, sc, prec);
  return r;
}

static gboolean
rule_softmax (Q *q, const MrtNode *n, guint idx, GError **error)
{
  double th = src_th (q, mrt_model_node (q->src, n->inputs[0].node)->name);
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
  if (!requant (q, n, 0, 8, &sx, &x, error))
    return FALSE;
  alpha = (gint64) (lambd * x.sc);
  K = mrt_get_range (p_o);
  ra = attrs_new ();
  g_hash_table_insert (ra, g_strdup ("axis"), g_strdup (axis));
  g_hash_table_insert (ra, g_strdup ("keepdims"), g_strdup ("True"));
  /* norm = x - max + alpha lies in [0, alpha]; its clips need get_bit(alpha)
   * bits, which exceeds 8 when the input threshold is below lambda (upstream
   * clips to 8 bits there and computes a wrong softmax; docs/deviations.md) */
  pn = MAX (x.prec, mrt_get_bit ((double) alpha));
  mx = op2 (q, "max", "max", ra, x.node, G_MAXUINT, th, x.sc, x.prec);
  offset = op2 (q, "sub", "broadcast_sub", NULL, mx, const_node (q, (double) alpha), th, x.sc,
                MAX (x.prec, mrt_get_bit ((double) alpha)) + 1);
  offset = realize (q, offset, 0, pn + 1);
  set_state (q, dname (q, offset), th, x.sc, pn + 1);
  diff = op2 (q, "sub", "broadcast_sub", NULL, x.node, offset, th, x.sc, pn + 2);
  diff = op2 (q, "relu", "relu", NULL, diff, G_MAXUINT, th, x.sc, pn + 2);
  norm = realize (q, diff, 0, pn);
  set_state (q, dname (q, norm), th, x.sc, pn);
  t = g_new (double, alpha + 1);
  for (gint64 i = 0; i <= alpha; i++)
    t[i] = CLAMP (round (exp (i / x.sc)), 0, (double) mrt_get_range (tprec));
  tbl = table_param (q, "table", t, (guint) alpha + 1, tprec);
  {
    g_autofree char *name = gen_name (q, "lut");
    lut = add_lut (q, name, norm, tbl, (guint) alpha + 1);
    set_state (q, name, exp (lambd), 1, tprec);
  }
  ra = attrs_new ();
  g_hash_table_insert (ra, g_strdup ("axis"), g_strdup (axis));
  g_hash_table_insert (ra, g_strdup ("keepdims"), g_strdup ("True"));
  s = op2 (q, "sum", "sum", ra, lut, G_MAXUINT, 0, 1, 31);
  mul = op2 (q, "mul", "broadcast_mul", NULL, lut, const_node (q, (double) K), 0, 1, tprec + mrt_get_bit ((double) K));
  half = add_custom (q, "realize", "cvm_right_shift", 31, 1, s);
  set_state (q, dname (q, half), 0, 1, 31);
  num = op2 (q, "add", "broadcast_add", NULL, mul, half, 0, 1, 32);
  prob = op2 (q, "div", "broadcast_div", NULL, num, s, 0, 1, 32);
  {
    GHashTable *a = attrs_new ();
    guint in = prob;
    g_hash_table_insert (a, g_strdup ("op_type"), g_strdup ("cvm_clip"));
    attr_int (a, "precision", p_o);
    add_op (q, n->name, "Custom", a, &in, 1);
  }
  set_state (q, n->name, src_th (q, n->name), (double) K, p_o);
  return TRUE;
}

static gboolean
rule_embedding (Q *q, const MrtNode *n, guint idx, GError **error)
{
  QOut x, w;
  guint ins[2];
  double th_w = src_th (q, mrt_model_node (q->src, n->inputs[1].node)->name);
  double one = 1;

  if (!mrt_model_is_param (q->src, n->inputs[1].node))
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED,
                   "node “%s”: the Embedding table must be a parameter", n->name);
      return FALSE;
    }
  x.node = mapped (q, n, 0);
  if (sc_of (q, x.node) != 1 && !requant_operator (q, x.node, 32, &one, &x, error))
    return FALSE;
  if (!requant_parameter (q, n->inputs[1].node, 16, NULL, &w, error))
    return FALSE;
  ins[0] = x.node;
  ins[1] = w.node;
  rebuild (q, n, ins, 2);
  set_state (q, n->name, th_w, w.sc, mrt_get_bit (th_w * w.sc));
  return TRUE;
}

static gboolean
rule_index (Q *q, const MrtNode *n, guint idx, GError **error)
{
  /* argmax/argmin output indices: scale 1 (upstream copies the input scale, §12.8) */
  guint x = mapped (q, n, 0);
  const MrtShape *is = in_shape (q, n, 0);
  rebuild (q, n, &x, 1);
  set_state (q, n->name, (double) mrt_shape_size (is), 1, mrt_get_bit ((double) mrt_shape_size (is)));
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
  { "UpSampling", rule_pass },
  { "Dropout", rule_pass },
  { "negative", rule_pass },
  { "max", rule_pass },
};

static QRule
find_rule (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (rules); i++)
    if (g_str_equal (rules[i].op, op))
      return rules[i].rule;
  return NULL;
}

/* §6.3: clip a node whose inferred precision exceeds what its threshold needs. */
static guint
tight_clip (Q *q, guint node)
{
  double th = th_of (q, node), sc = sc_of (q, node);
  int tight = mrt_get_bit (th * sc), p = prec_of (q, node);
  guint c;
  if (p <= tight)
    return node;
  c = add_custom (q, "clip", "cvm_clip", tight, 0, node);
  set_state (q, dname (q, c), th, sc, tight);
  return c;
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
      attr_int (mrt_model_node (q->dst, out)->attrs, "precision", q->opts->input_precision);
      set_state (q, n->name, src_th (q, n->name), mrt_scale (src_th (q, n->name), q->opts->input_precision),
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
  rule = find_rule (n->op);
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
  if (prec_of (q, out) > MRT_MAX_BIT)
    {
      g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW,
                   "node “%s” (%s) would need %d bits, more than the CVM's %d", n->name, n->op, prec_of (q, out),
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
      double sc = sc_of (q, node);
      if (q->opts->output_precision > 0)
        {
          double s = mrt_scale (th_of (q, node), q->opts->output_precision);
          QOut o;
          if (!requant_operator (q, node, q->opts->output_precision, &s, &o, error))
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
