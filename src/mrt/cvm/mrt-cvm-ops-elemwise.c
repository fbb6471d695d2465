/* mrt-cvm-ops-elemwise.c: abs, negative, cvm_precision, elemwise_add/sub,
 * clip, cvm_clip, cvm_left_shift, cvm_right_shift. Every kernel here reads
 * element i before writing element i, so it may run in place. */
#include "mrt-cvm-ops-private.h"
#include "mrt-cvm-simd.h"

static void
abs_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  for (gsize i = 0; i < out[0].n; i++)
    {
      gint64 v = in[0].data[i];
      out[0].data[i] = wrap32 (v < 0 ? -v : v);
    }
}

static void
negative_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                  guint n_threads)
{
  for (gsize i = 0; i < out[0].n; i++)
    out[0].data[i] = wrap32 (-(gint64) in[0].data[i]);
}

/* bits(|x|), and 1 for 0 */
static void
cvm_precision_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                       guint n_threads)
{
  for (gsize i = 0; i < out[0].n; i++)
    {
      gint64 v = in[0].data[i];
      out[0].data[i] = v == 0 ? 1 : mrt_cvm_bits ((guint64) (v < 0 ? -v : v));
    }
}

static gboolean
cvm_precision_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                    GError **error)
{
  out[0] = 6;
  return TRUE;
}

static void
add_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  cvm_simd_binary (CVM_SIMD_ADD, in[0].data, 1, in[1].data, 1, out[0].data, out[0].n);
}

static void
sub_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  cvm_simd_binary (CVM_SIMD_SUB, in[0].data, 1, in[1].data, 1, out[0].data, out[0].n);
}

/* ---- clip ------------------------------------------------------------- */

enum { CL_MIN, CL_MAX };

static const MrtCvmAttrSpec clip_attrs[] = {
  SPEC_INT ("a_min", NULL, I32_MIN, I32_MAX),
  SPEC_INT ("a_max", NULL, I32_MIN, I32_MAX),
  SPEC_END,
};

static gboolean
clip_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  if (A_INT (a, CL_MIN) >= A_INT (a, CL_MAX))
    return cvm_fail (error, "a_min (%" G_GINT64_FORMAT ") must be smaller than a_max (%" G_GINT64_FORMAT ")",
                     A_INT (a, CL_MIN), A_INT (a, CL_MAX));
  out[0] = in[0];
  return TRUE;
}

static gboolean
clip_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  gint64 lo = A_INT (a, CL_MIN), hi = A_INT (a, CL_MAX);
  gint64 m = MAX (lo < 0 ? -lo : lo, hi < 0 ? -hi : hi);
  out[0] = mrt_cvm_numprec ((guint64) m);
  return TRUE;
}

static void
clip_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  gint64 lo = A_INT (a, CL_MIN), hi = A_INT (a, CL_MAX);
  for (gsize i = 0; i < out[0].n; i++)
    out[0].data[i] = clip32 (in[0].data[i], lo, hi);
}

/* ---- cvm_clip / cvm_right_shift / cvm_left_shift ----------------------- */

enum { PR_PRECISION, PR_SIGN, PR_SHIFT };

static const MrtCvmAttrSpec cvm_clip_attrs[] = {
  SPEC_INT ("precision", NULL, 1, MRT_CVM_MAX_PRECISION),
  SPEC_BOOL ("is_sign", "True"),
  SPEC_END,
};

static const MrtCvmAttrSpec shift_attrs[] = {
  SPEC_INT ("precision", NULL, 1, MRT_CVM_MAX_PRECISION),
  SPEC_BOOL ("is_sign", "True"),
  SPEC_INT ("shift_bit", NULL, 1, 32),
  SPEC_END,
};

static gboolean
attr_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  out[0] = (int) A_INT (a, PR_PRECISION);
  return TRUE;
}

static gboolean
left_shift_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                 GError **error)
{
  if (prec[0] + A_INT (a, PR_SHIFT) > MRT_CVM_MAX_PRECISION)
    return cvm_fail_prec (error, "input precision %d + shift_bit %" G_GINT64_FORMAT " exceeds 32", prec[0],
                          A_INT (a, PR_SHIFT));
  out[0] = (int) A_INT (a, PR_PRECISION);
  return TRUE;
}

static void
cvm_clip_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                  guint n_threads)
{
  gint64 r = mrt_cvm_range ((int) A_INT (a, PR_PRECISION));
  cvm_simd_clamp (in[0].data, out[0].data, out[0].n, (gint32) -r, (gint32) r);
}

/* Divides by 2^b rounding halves toward +inf: ((x >> (b-1)) + 1) >> 1. */
static void
right_shift_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                     guint n_threads)
{
  gint64 r = mrt_cvm_range ((int) A_INT (a, PR_PRECISION));
  /* in 32 bits: ((y + 1) >> 1) == (y >> 1) + (y & 1) for y = x >> (b - 1), without overflow */
  cvm_simd_rshift_clamp (in[0].data, out[0].data, out[0].n, (int) A_INT (a, PR_SHIFT), (gint32) -r, (gint32) r);
}

/* clip(x * 2^b): the FORMAL semantics (the upstream CPU kernel throws). */
static void
left_shift_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                    guint n_threads)
{
  gint64 r = mrt_cvm_range ((int) A_INT (a, PR_PRECISION));
  int b = (int) A_INT (a, PR_SHIFT);
  for (gsize i = 0; i < out[0].n; i++)
    {
      gint64 x = in[0].data[i];
      gint64 t = b <= 31 ? x * (G_GINT64_CONSTANT (1) << b) : x > 0 ? r : x < 0 ? -r : 0;
      out[0].data[i] = clip32 (t, -r, r);
    }
}

const MrtCvmOpDef mrt_cvm_ops_elemwise[] = {
  { "abs", NULL, 1, 1, 1, TRUE, NULL, cvm_shape_same, cvm_prec_same, abs_forward, NULL },
  { "negative", NULL, 1, 1, 1, FALSE, NULL, cvm_shape_same, cvm_prec_same, negative_forward, NULL },
  { "cvm_precision", NULL, 1, 1, 1, TRUE, NULL, cvm_shape_same, cvm_precision_prec, cvm_precision_forward, NULL },
  { "elemwise_add", NULL, 2, 2, 1, TRUE, NULL, cvm_shape_same, cvm_prec_max_plus1, add_forward, NULL },
  { "elemwise_sub", NULL, 2, 2, 1, TRUE, NULL, cvm_shape_same, cvm_prec_max_plus1, sub_forward, NULL },
  { "clip", clip_attrs, 1, 1, 1, TRUE, NULL, clip_shape, clip_prec, clip_forward, NULL },
  { "cvm_clip", cvm_clip_attrs, 1, 1, 1, TRUE, NULL, cvm_shape_same, attr_prec, cvm_clip_forward, NULL },
  { "cvm_left_shift", shift_attrs, 1, 1, 1, TRUE, NULL, cvm_shape_same, left_shift_prec, left_shift_forward,
    NULL },
  { "cvm_right_shift", shift_attrs, 1, 1, 1, TRUE, NULL, cvm_shape_same, attr_prec, right_shift_forward, NULL },
};
const guint mrt_cvm_ops_elemwise_count = G_N_ELEMENTS (mrt_cvm_ops_elemwise);
