/* mrt-ops-elemwise.c: the elemwise operator family. Binary ops (same-shape,
 * broadcasting, with a scalar on either side) share one row kernel per
 * operation and one broadcasting driver; unary math ops are one loop each.
 * Arithmetic is float32 as in MXNet; comparisons give 1.0 or 0.0. */
#include <math.h>
#include <string.h>

#include "mrt-ops-common.h"

/* ------------------------------------------------------------------ */
/* Binary operations                                                   */

/* o[i] = f(a[i * sa], b[i * sb]) for i < n */
typedef void (*BinaryRow) (const float *a, gint64 sa, const float *b, gint64 sb, float *o, gint64 n);

#define BINARY_OP(name, expr)                                                                      \
  static void row_##name (const float *a, gint64 sa, const float *b, gint64 sb, float *o, gint64 n) \
  {                                                                                                \
    if (sa == 1 && sb == 1)                                                                        \
      for (gint64 i = 0; i < n; i++)                                                               \
        {                                                                                          \
          const float x = a[i], y = b[i];                                                          \
          o[i] = (expr);                                                                           \
        }                                                                                          \
    else if (sa == 1 && sb == 0)                                                                   \
      for (gint64 i = 0; i < n; i++)                                                               \
        {                                                                                          \
          const float x = a[i], y = b[0];                                                          \
          o[i] = (expr);                                                                           \
        }                                                                                          \
    else                                                                                           \
      for (gint64 i = 0; i < n; i++)                                                               \
        {                                                                                          \
          const float x = a[i * sa], y = b[i * sb];                                                \
          o[i] = (expr);                                                                           \
        }                                                                                          \
  }

/* Python-style modulo (sign of the divisor); MXNet gives 0 for a zero divisor. */
static inline float
mod_f (float x, float y)
{
  float r;
  if (y == 0)
    return 0;
  r = fmodf (x, y);
  if (r != 0 && ((r < 0) != (y < 0)))
    r += y;
  return r;
}

BINARY_OP (add, x + y)
BINARY_OP (sub, x - y)
BINARY_OP (mul, x * y)
BINARY_OP (div, x / y)
BINARY_OP (mod, mod_f (x, y))
BINARY_OP (power, powf (x, y))
BINARY_OP (maximum, x > y ? x : y)
BINARY_OP (minimum, x < y ? x : y)
BINARY_OP (hypot, hypotf (x, y))
BINARY_OP (equal, x == y ? 1.0f : 0.0f)
BINARY_OP (not_equal, x != y ? 1.0f : 0.0f)
BINARY_OP (greater, x > y ? 1.0f : 0.0f)
BINARY_OP (greater_equal, x >= y ? 1.0f : 0.0f)
BINARY_OP (lesser, x < y ? 1.0f : 0.0f)
BINARY_OP (lesser_equal, x <= y ? 1.0f : 0.0f)
BINARY_OP (logical_and, (x != 0 && y != 0) ? 1.0f : 0.0f)
BINARY_OP (logical_or, (x != 0 || y != 0) ? 1.0f : 0.0f)
BINARY_OP (logical_xor, ((x != 0) != (y != 0)) ? 1.0f : 0.0f)

/* out = row(a, b) with numpy broadcasting (out has the broadcast shape).
 * Axes are merged where all three operands stay contiguous, so the common
 * cases (same shape, per-channel constants) run as a few long rows. */
static void
broadcast_binary (const MrtTensor *a, const MrtTensor *b, MrtTensor *out, BinaryRow row)
{
  const MrtShape *os = &out->shape;
  gint64 sta[MRT_MAX_NDIM], stb[MRT_MAX_NDIM];
  gint64 dim[MRT_MAX_NDIM], sa[MRT_MAX_NDIM], sb[MRT_MAX_NDIM], idx[MRT_MAX_NDIM] = { 0 };
  const float *pa = mrt_tensor_f32 (a), *pb = mrt_tensor_f32 (b);
  float *po = mrt_tensor_f32 (out);
  gint64 inner, oa = 0, ob = 0;
  int k = 0;

  if (out->n == 0)
    return;
  mrt_ops_strides (&a->shape, sta);
  mrt_ops_strides (&b->shape, stb);
  for (int i = 0; i < os->ndim; i++)
    {
      int ia = i - (os->ndim - a->shape.ndim), ib = i - (os->ndim - b->shape.ndim);
      gint64 x = ia >= 0 && a->shape.dim[ia] != 1 ? sta[ia] : 0;
      gint64 y = ib >= 0 && b->shape.dim[ib] != 1 ? stb[ib] : 0;
      if (os->dim[i] == 1)
        continue;
      if (k > 0 && sa[k - 1] == x * os->dim[i] && sb[k - 1] == y * os->dim[i])
        {
          dim[k - 1] *= os->dim[i];
          sa[k - 1] = x;
          sb[k - 1] = y;
          continue;
        }
      dim[k] = os->dim[i];
      sa[k] = x;
      sb[k] = y;
      k++;
    }
  if (k == 0)
    {
      row (pa, 0, pb, 0, po, 1);
      return;
    }
  inner = dim[k - 1];
  for (gint64 r = 0, rows = (gint64) out->n / inner; r < rows; r++)
    {
      row (pa + oa, sa[k - 1], pb + ob, sb[k - 1], po + r * inner, inner);
      for (int d = k - 2; d >= 0; d--)
        {
          oa += sa[d];
          ob += sb[d];
          if (++idx[d] < dim[d])
            break;
          oa -= sa[d] * dim[d];
          ob -= sb[d] * dim[d];
          idx[d] = 0;
        }
    }
}

static gboolean
same_shape_binary_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (!mrt_shape_equal (&in[0], &in[1]))
    {
      g_autofree char *a = mrt_shape_to_string (&in[0]);
      g_autofree char *b = mrt_shape_to_string (&in[1]);
      return mrt_ops_fail (error, "the inputs must have the same shape, got %s and %s", a, b);
    }
  out[0] = in[0];
  return TRUE;
}

static gboolean
broadcast_binary_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  return mrt_broadcast_shape (&in[0], &in[1], &out[0], error);
}

static gboolean
unary_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  out[0] = in[0];
  return TRUE;
}

static float
scalar_attr (const MrtNode *node)
{
  return (float) mrt_node_get_float (node, "scalar", 1.0);
}

/* fwd_X: tensor ∘ tensor (same shape or broadcast); sfwd_X: tensor ∘ scalar;
 * rfwd_X: scalar ∘ tensor (the _r*_scalar ops). */
#define BINARY_FORWARDS(name)                                                                        \
  static G_GNUC_UNUSED gboolean fwd_##name (const MrtNode *node, MrtTensor *const *in,               \
                                            MrtTensor *const *out, GError **error)                   \
  {                                                                                                  \
    broadcast_binary (in[0], in[1], out[0], row_##name);                                             \
    return TRUE;                                                                                     \
  }                                                                                                  \
  static G_GNUC_UNUSED gboolean sfwd_##name (const MrtNode *node, MrtTensor *const *in,              \
                                             MrtTensor *const *out, GError **error)                  \
  {                                                                                                  \
    const float s = scalar_attr (node);                                                              \
    row_##name (mrt_tensor_f32 (in[0]), 1, &s, 0, mrt_tensor_f32 (out[0]), (gint64) out[0]->n);      \
    return TRUE;                                                                                     \
  }                                                                                                  \
  static G_GNUC_UNUSED gboolean rfwd_##name (const MrtNode *node, MrtTensor *const *in,              \
                                             MrtTensor *const *out, GError **error)                  \
  {                                                                                                  \
    const float s = scalar_attr (node);                                                              \
    row_##name (&s, 0, mrt_tensor_f32 (in[0]), 1, mrt_tensor_f32 (out[0]), (gint64) out[0]->n);      \
    return TRUE;                                                                                     \
  }

BINARY_FORWARDS (add)
BINARY_FORWARDS (sub)
BINARY_FORWARDS (mul)
BINARY_FORWARDS (div)
BINARY_FORWARDS (mod)
BINARY_FORWARDS (power)
BINARY_FORWARDS (maximum)
BINARY_FORWARDS (minimum)
BINARY_FORWARDS (hypot)
BINARY_FORWARDS (equal)
BINARY_FORWARDS (not_equal)
BINARY_FORWARDS (greater)
BINARY_FORWARDS (greater_equal)
BINARY_FORWARDS (lesser)
BINARY_FORWARDS (lesser_equal)
BINARY_FORWARDS (logical_and)
BINARY_FORWARDS (logical_or)
BINARY_FORWARDS (logical_xor)

/* ------------------------------------------------------------------ */
/* Unary operations                                                    */

#define UNARY_OP(name, expr)                                                                       \
  static gboolean ufwd_##name (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,   \
                               GError **error)                                                     \
  {                                                                                                \
    const float *src = mrt_tensor_f32 (in[0]);                                                     \
    float *dst = mrt_tensor_f32 (out[0]);                                                          \
    for (gsize i = 0; i < out[0]->n; i++)                                                          \
      {                                                                                            \
        const float x = src[i];                                                                    \
        dst[i] = (expr);                                                                           \
      }                                                                                            \
    return TRUE;                                                                                   \
  }

UNARY_OP (negative, -x)
UNARY_OP (abs, fabsf (x))
UNARY_OP (sign, x > 0 ? 1.0f : x < 0 ? -1.0f : 0.0f)
UNARY_OP (exp, expf (x))
UNARY_OP (expm1, expm1f (x))
UNARY_OP (log, logf (x))
UNARY_OP (log2, log2f (x))
UNARY_OP (log10, log10f (x))
UNARY_OP (log1p, log1pf (x))
UNARY_OP (sqrt, sqrtf (x))
UNARY_OP (rsqrt, 1.0f / sqrtf (x))
UNARY_OP (cbrt, cbrtf (x))
UNARY_OP (square, x * x)
UNARY_OP (reciprocal, 1.0f / x)
UNARY_OP (floor, floorf (x))
UNARY_OP (ceil, ceilf (x))
UNARY_OP (round, roundf (x)) /* half away from zero */
/* MXNet rint: a tie goes to the lower neighbour (1.5 -> 1, -2.5 -> -3) */
UNARY_OP (rint, (x - floorf (x)) <= (ceilf (x) - x) ? floorf (x) : ceilf (x))
UNARY_OP (trunc, truncf (x)) /* fix: toward zero */
UNARY_OP (copy, x)

static void
fill (MrtTensor *t, float value)
{
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = value;
}

static gboolean
zeros_like_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  fill (out[0], 0.0f);
  return TRUE;
}

static gboolean
ones_like_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  fill (out[0], 1.0f);
  return TRUE;
}

static gboolean
clip_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const float lo = (float) mrt_node_get_float (node, "a_min", 0), hi = (float) mrt_node_get_float (node, "a_max", 0);
  const float *src = mrt_tensor_f32 (in[0]);
  float *dst = mrt_tensor_f32 (out[0]);
  for (gsize i = 0; i < out[0]->n; i++)
    {
      float x = src[i];
      dst[i] = x > hi ? hi : x < lo ? lo : x;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Cast: the value a float takes after a round trip through dtype       */

typedef enum { CAST_F32, CAST_F64, CAST_F16, CAST_U8, CAST_I8, CAST_I32, CAST_I64, CAST_BOOL } CastKind;

static const struct {
  const char *name;
  CastKind kind;
} cast_dtypes[] = {
  { "float32", CAST_F32 }, { "float64", CAST_F64 }, { "float16", CAST_F16 }, { "uint8", CAST_U8 },
  { "int8", CAST_I8 },     { "int32", CAST_I32 },   { "int64", CAST_I64 },   { "bool", CAST_BOOL },
};

static gboolean
cast_kind (const MrtNode *node, CastKind *kind, GError **error)
{
  const char *dtype = mrt_node_get_string (node, "dtype", "");
  for (guint i = 0; i < G_N_ELEMENTS (cast_dtypes); i++)
    if (strcmp (dtype, cast_dtypes[i].name) == 0)
      {
        *kind = cast_dtypes[i].kind;
        return TRUE;
      }
  return mrt_ops_fail (error, "unsupported dtype “%s” (float32, float64, float16, uint8, int8, int32, "
                       "int64 or bool)", dtype);
}

/* Nearest float16 value (round half to even, overflow to infinity). */
static float
round_to_half (float x)
{
  float a = fabsf (x);
  int e;
  if (isnan (x) || isinf (x))
    return x;
  if (a >= 65520.0f)
    return copysignf (INFINITY, x);
  if (a < 6.103515625e-05f) /* subnormal halves: multiples of 2^-24 */
    return ldexpf (rintf (ldexpf (x, 24)), -24);
  frexpf (a, &e); /* a in [2^(e-1), 2^e): 11 significant bits */
  return ldexpf (rintf (ldexpf (x, 11 - e)), e - 11);
}

/* Float to integer conversion as x86 does it (cvttss2si): truncation toward
 * zero, out-of-range and NaN give the most negative value. Narrow types are
 * converted through int32 and wrap. */
static gint64
trunc_to_int (float x, int bits)
{
  double lim = ldexp (1.0, bits - 1);
  double t = trunc ((double) x);
  if (isnan (t) || t >= lim || t < -lim)
    return bits == 64 ? G_MININT64 : G_MININT32;
  return (gint64) t;
}

static float
cast_value (float x, CastKind kind)
{
  switch (kind)
    {
    case CAST_F16: return round_to_half (x);
    case CAST_U8: return (float) (guint8) (trunc_to_int (x, 32) & 0xff);
    case CAST_I8: return (float) (gint8) (guint8) (trunc_to_int (x, 32) & 0xff);
    case CAST_I32: return (float) trunc_to_int (x, 32);
    case CAST_I64: return (float) trunc_to_int (x, 64);
    case CAST_BOOL: return x != 0 ? 1.0f : 0.0f;
    case CAST_F32:
    case CAST_F64:
    default:
      return x;
    }
}

static gboolean
cast_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  CastKind kind;
  if (!cast_kind (node, &kind, error))
    return FALSE;
  out[0] = in[0];
  return TRUE;
}

static gboolean
cast_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const float *src = mrt_tensor_f32 (in[0]);
  float *dst = mrt_tensor_f32 (out[0]);
  CastKind kind;
  if (!cast_kind (node, &kind, error))
    return FALSE;
  for (gsize i = 0; i < out[0]->n; i++)
    dst[i] = cast_value (src[i], kind);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* where, add_n                                                        */

static gboolean
where_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  g_autofree char *c = mrt_shape_to_string (&in[0]);
  g_autofree char *x = mrt_shape_to_string (&in[1]);
  g_autofree char *y = mrt_shape_to_string (&in[2]);
  if (!mrt_shape_equal (&in[1], &in[2]))
    return mrt_ops_fail (error, "x %s and y %s must have the same shape", x, y);
  if (!mrt_shape_equal (&in[0], &in[1]) &&
      !(in[0].ndim == 1 && in[1].ndim >= 1 && in[0].dim[0] == in[1].dim[0]))
    return mrt_ops_fail (error, "condition %s must have the shape of x %s or be 1-D with x's first dimension",
                         c, x);
  out[0] = in[1];
  return TRUE;
}

static gboolean
where_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const float *c = mrt_tensor_f32 (in[0]), *x = mrt_tensor_f32 (in[1]), *y = mrt_tensor_f32 (in[2]);
  float *o = mrt_tensor_f32 (out[0]);
  gsize n = out[0]->n;
  /* a 1-D condition selects whole slices along axis 0 */
  gsize inner = in[0]->n == n ? 1 : (in[0]->n ? n / in[0]->n : 1);
  for (gsize i = 0; i < n; i++)
    o[i] = c[i / inner] != 0 ? x[i] : y[i];
  return TRUE;
}

static gboolean
add_n_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 num_args = mrt_node_get_int (node, "num_args", node->n_inputs);
  if (num_args != (gint64) node->n_inputs)
    return mrt_ops_fail (error, "num_args is %" G_GINT64_FORMAT " but the node has %u inputs", num_args,
                         node->n_inputs);
  for (guint i = 1; i < node->n_inputs; i++)
    if (!mrt_shape_equal (&in[0], &in[i]))
      {
        g_autofree char *a = mrt_shape_to_string (&in[0]);
        g_autofree char *b = mrt_shape_to_string (&in[i]);
        return mrt_ops_fail (error, "input %u has shape %s, input 0 has %s; all must be equal", i, b, a);
      }
  out[0] = in[0];
  return TRUE;
}

static gboolean
add_n_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  float *o = mrt_tensor_f32 (out[0]);
  memcpy (o, mrt_tensor_f32 (in[0]), out[0]->n * sizeof (float));
  for (guint j = 1; j < node->n_inputs; j++)
    {
      const float *x = mrt_tensor_f32 (in[j]);
      for (gsize i = 0; i < out[0]->n; i++)
        o[i] += x[i];
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static const MrtAttrSpec scalar_attrs[] = {
  { "scalar", MRT_ATTR_FLOAT, TRUE },
  { "is_int", MRT_ATTR_BOOL, FALSE },
  { NULL },
};
static const MrtAttrSpec clip_attrs[] = {
  { "a_min", MRT_ATTR_FLOAT, TRUE },
  { "a_max", MRT_ATTR_FLOAT, TRUE },
  { NULL },
};
static const MrtAttrSpec cast_attrs[] = {
  { "dtype", MRT_ATTR_STRING, TRUE },
  { NULL },
};
static const MrtAttrSpec add_n_attrs[] = {
  { "num_args", MRT_ATTR_INT, TRUE },
  { NULL },
};

#define ELEMWISE(op, f) \
  { .name = op, .min_inputs = 2, .max_inputs = 2, .infer_shape = same_shape_binary_shape, .forward = fwd_##f }
#define BROADCAST(op, f) \
  { .name = op, .min_inputs = 2, .max_inputs = 2, .infer_shape = broadcast_binary_shape, .forward = fwd_##f }
#define SCALAR(op, f)                                                                            \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = scalar_attrs, .infer_shape = unary_shape, \
    .forward = sfwd_##f }
#define RSCALAR(op, f)                                                                           \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = scalar_attrs, .infer_shape = unary_shape, \
    .forward = rfwd_##f }
#define UNARY(op, f) \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .infer_shape = unary_shape, .forward = ufwd_##f }

const MrtOpDef mrt_ops_elemwise[] = {
  /* same-shape binary ops and their old symbol-file names */
  ELEMWISE ("elemwise_add", add), ELEMWISE ("_add", add), ELEMWISE ("_plus", add), ELEMWISE ("_Plus", add),
  ELEMWISE ("elemwise_sub", sub), ELEMWISE ("_sub", sub), ELEMWISE ("_minus", sub), ELEMWISE ("_Minus", sub),
  ELEMWISE ("elemwise_mul", mul), ELEMWISE ("_mul", mul), ELEMWISE ("_Mul", mul),
  ELEMWISE ("elemwise_div", div), ELEMWISE ("_div", div), ELEMWISE ("_Div", div),
  ELEMWISE ("_mod", mod), ELEMWISE ("_Mod", mod),
  ELEMWISE ("_power", power), ELEMWISE ("_Power", power),
  ELEMWISE ("_maximum", maximum), ELEMWISE ("_Maximum", maximum),
  ELEMWISE ("_minimum", minimum), ELEMWISE ("_Minimum", minimum),
  ELEMWISE ("_hypot", hypot), ELEMWISE ("_Hypot", hypot),
  ELEMWISE ("_equal", equal), ELEMWISE ("_not_equal", not_equal),
  ELEMWISE ("_greater", greater), ELEMWISE ("_greater_equal", greater_equal),
  ELEMWISE ("_lesser", lesser), ELEMWISE ("_lesser_equal", lesser_equal),
  ELEMWISE ("_logical_and", logical_and), ELEMWISE ("_logical_or", logical_or),
  ELEMWISE ("_logical_xor", logical_xor),

  /* broadcasting binary ops */
  BROADCAST ("broadcast_add", add), BROADCAST ("broadcast_plus", add),
  BROADCAST ("broadcast_sub", sub), BROADCAST ("broadcast_minus", sub),
  BROADCAST ("broadcast_mul", mul), BROADCAST ("broadcast_div", div),
  BROADCAST ("broadcast_mod", mod), BROADCAST ("broadcast_power", power),
  BROADCAST ("broadcast_maximum", maximum), BROADCAST ("broadcast_minimum", minimum),
  BROADCAST ("broadcast_hypot", hypot),
  BROADCAST ("broadcast_equal", equal), BROADCAST ("broadcast_not_equal", not_equal),
  BROADCAST ("broadcast_greater", greater), BROADCAST ("broadcast_greater_equal", greater_equal),
  BROADCAST ("broadcast_lesser", lesser), BROADCAST ("broadcast_lesser_equal", lesser_equal),
  BROADCAST ("broadcast_logical_and", logical_and), BROADCAST ("broadcast_logical_or", logical_or),
  BROADCAST ("broadcast_logical_xor", logical_xor),

  /* tensor-scalar ops */
  SCALAR ("_plus_scalar", add), SCALAR ("_PlusScalar", add),
  SCALAR ("_minus_scalar", sub), SCALAR ("_MinusScalar", sub),
  RSCALAR ("_rminus_scalar", sub), RSCALAR ("_RMinusScalar", sub),
  SCALAR ("_mul_scalar", mul), SCALAR ("_MulScalar", mul),
  SCALAR ("_div_scalar", div), SCALAR ("_DivScalar", div),
  RSCALAR ("_rdiv_scalar", div), RSCALAR ("_RDivScalar", div),
  SCALAR ("_mod_scalar", mod), SCALAR ("_ModScalar", mod),
  RSCALAR ("_rmod_scalar", mod), RSCALAR ("_RModScalar", mod),
  SCALAR ("_power_scalar", power), SCALAR ("_PowerScalar", power),
  RSCALAR ("_rpower_scalar", power), RSCALAR ("_RPowerScalar", power),
  SCALAR ("_maximum_scalar", maximum), SCALAR ("_MaximumScalar", maximum),
  SCALAR ("_minimum_scalar", minimum), SCALAR ("_MinimumScalar", minimum),
  SCALAR ("_hypot_scalar", hypot), SCALAR ("_HypotScalar", hypot),
  SCALAR ("_equal_scalar", equal), SCALAR ("_EqualScalar", equal),
  SCALAR ("_not_equal_scalar", not_equal), SCALAR ("_NotEqualScalar", not_equal),
  SCALAR ("_greater_scalar", greater), SCALAR ("_GreaterScalar", greater),
  SCALAR ("_greater_equal_scalar", greater_equal), SCALAR ("_GreaterEqualScalar", greater_equal),
  SCALAR ("_lesser_scalar", lesser), SCALAR ("_LesserScalar", lesser),
  SCALAR ("_lesser_equal_scalar", lesser_equal), SCALAR ("_LesserEqualScalar", lesser_equal),
  SCALAR ("_logical_and_scalar", logical_and), SCALAR ("_LogicalAndScalar", logical_and),
  SCALAR ("_logical_or_scalar", logical_or), SCALAR ("_LogicalOrScalar", logical_or),
  SCALAR ("_logical_xor_scalar", logical_xor), SCALAR ("_LogicalXorScalar", logical_xor),

  /* unary math */
  UNARY ("negative", negative), UNARY ("abs", abs), UNARY ("sign", sign),
  UNARY ("exp", exp), UNARY ("expm1", expm1),
  UNARY ("log", log), UNARY ("log2", log2), UNARY ("log10", log10), UNARY ("log1p", log1p),
  UNARY ("sqrt", sqrt), UNARY ("rsqrt", rsqrt), UNARY ("cbrt", cbrt),
  UNARY ("square", square), UNARY ("reciprocal", reciprocal),
  UNARY ("floor", floor), UNARY ("ceil", ceil), UNARY ("round", round), UNARY ("rint", rint),
  UNARY ("fix", trunc), UNARY ("trunc", trunc),
  UNARY ("_copy", copy), UNARY ("identity", copy),
  { .name = "zeros_like", .min_inputs = 1, .max_inputs = 1, .infer_shape = unary_shape,
    .forward = zeros_like_forward },
  { .name = "ones_like", .min_inputs = 1, .max_inputs = 1, .infer_shape = unary_shape,
    .forward = ones_like_forward },

  { .name = "clip", .min_inputs = 1, .max_inputs = 1, .attrs = clip_attrs, .infer_shape = unary_shape,
    .forward = clip_forward },
  { .name = "Cast", .min_inputs = 1, .max_inputs = 1, .attrs = cast_attrs, .infer_shape = cast_shape,
    .forward = cast_forward },
  { .name = "cast", .min_inputs = 1, .max_inputs = 1, .attrs = cast_attrs, .infer_shape = cast_shape,
    .forward = cast_forward },
  { .name = "where", .min_inputs = 3, .max_inputs = 3, .infer_shape = where_shape, .forward = where_forward },
  { .name = "add_n", .min_inputs = 1, .max_inputs = -1, .attrs = add_n_attrs, .infer_shape = add_n_shape,
    .forward = add_n_forward },
  { .name = "ElementWiseSum", .min_inputs = 1, .max_inputs = -1, .attrs = add_n_attrs,
    .infer_shape = add_n_shape, .forward = add_n_forward },
  { NULL },
};
