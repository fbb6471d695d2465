/* mrt-cvm-ops-nn.c: conv2d, dense, relu, max_pool2d, upsampling (NCHW). */
#include "mrt-cvm-ops-private.h"

#include "mrt-cvm-gemm.h"
#include "mrt-cvm-simd.h"

#include <string.h>

static const char *const nchw[] = { "NCHW", NULL };

/* ---- conv2d ----------------------------------------------------------- */

enum { CV_CHANNELS, CV_KERNEL, CV_STRIDES, CV_PADDING, CV_DILATION, CV_GROUPS, CV_LAYOUT, CV_KLAYOUT,
       CV_OLAYOUT, CV_ODTYPE, CV_BIAS };

static const char *const oihw[] = { "OIHW", NULL };
static const char *const out_layouts[] = { "__undef__", "NCHW", NULL };
static const char *const out_dtypes[] = { "same", "int32", NULL };

static const MrtCvmAttrSpec conv2d_attrs[] = {
  SPEC_INT ("channels", NULL, 1, MRT_CVM_MAX_DIM),
  SPEC_TUPLE ("kernel_size", NULL, 1, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_TUPLE ("strides", "(1, 1)", 1, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_TUPLE ("padding", "(0, 0)", 0, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_TUPLE ("dilation", "(1, 1)", 1, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_INT ("groups", "1", 1, MRT_CVM_MAX_DIM),
  SPEC_STR ("layout", "NCHW", nchw),
  SPEC_STR ("kernel_layout", "OIHW", oihw),
  SPEC_STR ("out_layout", "__undef__", out_layouts),
  SPEC_STR ("out_dtype", "same", out_dtypes),
  SPEC_BOOL ("use_bias", "True"),
  SPEC_END,
};

static guint
arity_bias (const MrtCvmAttrs *a)
{
  /* use_bias is the last attribute of both conv2d and dense */
  int k = mrt_cvm_attr_index (a->def, "use_bias");
  return A_INT (a, k) ? 3 : 2;
}

static gboolean
check_bias (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, gint64 units, GError **error)
{
  if (n_in == 3 && !(in[2].ndim == 1 && in[2].dim[0] == units))
    {
      g_autofree char *s = cvm_shape_str (&in[2]);
      return cvm_fail (error, "bias shape %s must be (%" G_GINT64_FORMAT ",)", s, units);
    }
  return TRUE;
}

static gboolean
conv2d_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtShape *x = &in[0], *w = &in[1];
  gint64 oc = A_INT (a, CV_CHANNELS), g = A_INT (a, CV_GROUPS);
  const gint64 *k = A_TUP (a, CV_KERNEL)->t, *s = A_TUP (a, CV_STRIDES)->t;
  const gint64 *p = A_TUP (a, CV_PADDING)->t, *d = A_TUP (a, CV_DILATION)->t;
  MrtShape want;
  gint64 kh, kw;

  if (x->ndim != 4)
    return cvm_fail (error, "data must be 4-D (NCHW), got %d-D", x->ndim);
  if (x->dim[1] % g != 0 || oc % g != 0)
    return cvm_fail (error, "channels (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") are not divisible by groups %"
                     G_GINT64_FORMAT, x->dim[1], oc, g);
  want = mrt_shape_make (4, oc, x->dim[1] / g, k[0], k[1]);
  if (!mrt_shape_equal (w, &want))
    {
      g_autofree char *ws = cvm_shape_str (w);
      g_autofree char *es = cvm_shape_str (&want);
      return cvm_fail (error, "weight shape %s must be %s", ws, es);
    }
  if (!check_bias (a, in, n_in, oc, error))
    return FALSE;
  kh = (k[0] - 1) * d[0] + 1;
  kw = (k[1] - 1) * d[1] + 1;
  if (x->dim[2] + 2 * p[0] < kh || x->dim[3] + 2 * p[1] < kw)
    return cvm_fail (error, "the dilated kernel (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                     ") does not fit in the padded input", kh, kw);
  out[0] = mrt_shape_make (4, x->dim[0], oc, (x->dim[2] + 2 * p[0] - kh) / s[0] + 1,
                           (x->dim[3] + 2 * p[1] - kw) / s[1] + 1);
  return TRUE;
}

static gboolean
check_8bit (const int *prec, GError **error)
{
  if (prec[0] > 8 || prec[1] > 8)
    return cvm_fail_prec (error, "data and weight must be at most 8 bits, got %d and %d", prec[0], prec[1]);
  return TRUE;
}

static gboolean
conv2d_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  const MrtShape *w = &in[1];
  int p;
  if (!check_8bit (prec, error))
    return FALSE;
  p = prec[0] + prec[1] + mrt_cvm_bits ((guint64) (w->dim[1] * w->dim[2] * w->dim[3]));
  out[0] = n_in == 3 ? MAX (p, prec[2]) + 1 : p;
  return TRUE;
}

void
mrt_cvm_conv2d_geom (const MrtCvmAttrs *a, const MrtShape *x, const MrtShape *w, const MrtShape *y, MrtCvmConvGeom *g)
{
  const gint64 *s = A_TUP (a, CV_STRIDES)->t, *p = A_TUP (a, CV_PADDING)->t, *d = A_TUP (a, CV_DILATION)->t;
  *g = (MrtCvmConvGeom){ x->dim[0], x->dim[1], x->dim[2], x->dim[3], y->dim[1], y->dim[2], y->dim[3], w->dim[2],
                         w->dim[3], s[0], s[1], p[0], p[1], d[0], d[1], A_INT (a, CV_GROUPS) };
}

/* int8 products, int32 sums (mrt-cvm-gemm.c): bit-identical to the FORMAL
 * int32 loops, which remain as the fallback */
static void
conv2d_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  MrtCvmConvGeom g;
  mrt_cvm_conv2d_geom (a, &in[0].shape, &in[1].shape, &out[0].shape, &g);
  mrt_cvm_conv2d_run (&g, in[0].data, in[1].data, n_in == 3 ? in[2].data : NULL, NULL, out[0].data, n_threads);
}

static guint64
conv2d_gas (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out)
{
  guint64 per = (guint64) (mrt_shape_size (&in[1]) / in[1].dim[0]);
  return 3 * per + (n_in == 3 ? 1 : 0);
}

/* ---- dense ------------------------------------------------------------ */

enum { DN_UNITS, DN_BIAS };

static const MrtCvmAttrSpec dense_attrs[] = {
  SPEC_INT ("units", NULL, 1, MRT_CVM_MAX_DIM),
  SPEC_BOOL ("use_bias", "True"),
  SPEC_END,
};

static gboolean
dense_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gint64 units = A_INT (a, DN_UNITS);
  if (in[0].ndim != 2)
    return cvm_fail (error, "data must be 2-D, got %d-D", in[0].ndim);
  if (!(in[1].ndim == 2 && in[1].dim[0] == units && in[1].dim[1] == in[0].dim[1]))
    {
      g_autofree char *ws = cvm_shape_str (&in[1]);
      return cvm_fail (error, "weight shape %s must be (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", ws, units,
                       in[0].dim[1]);
    }
  if (!check_bias (a, in, n_in, units, error))
    return FALSE;
  out[0] = mrt_shape_make (2, in[0].dim[0], units);
  return TRUE;
}

static gboolean
dense_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  int p;
  if (!check_8bit (prec, error))
    return FALSE;
  p = prec[0] + prec[1] + mrt_cvm_bits ((guint64) in[0].dim[1]);
  out[0] = n_in == 3 ? MAX (p, prec[2]) + 1 : p;
  return TRUE;
}

static void
dense_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  mrt_cvm_dense_run (in[0].shape.dim[0], in[0].shape.dim[1], out[0].shape.dim[1], in[0].data, in[1].data,
                     n_in == 3 ? in[2].data : NULL, NULL, out[0].data, n_threads);
}

static guint64
dense_gas (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out)
{
  return 3 * (guint64) in[1].dim[1] + (n_in == 3 ? 1 : 0);
}

/* ---- relu ------------------------------------------------------------- */

static void
relu_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  cvm_simd_clamp (in[0].data, out[0].data, out[0].n, 0, G_MAXINT32);
}

/* ---- max_pool2d ------------------------------------------------------- */

enum { MP_POOL, MP_STRIDES, MP_PADDING, MP_LAYOUT, MP_CEIL };

static const MrtCvmAttrSpec max_pool2d_attrs[] = {
  SPEC_TUPLE ("pool_size", NULL, 1, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_TUPLE ("strides", "(1, 1)", 1, MRT_CVM_ATTR_MAX, 2, 2),
  SPEC_TUPLE ("padding", "(0, 0)", 0, MRT_CVM_ATTR_MAX, 1, 2),
  SPEC_STR ("layout", "NCHW", nchw),
  SPEC_BOOL ("ceil_mode", "False"),
  SPEC_END,
};

static void
pool_padding (const MrtCvmAttrs *a, gint64 *ph, gint64 *pw)
{
  const MrtCvmValue *p = A_TUP (a, MP_PADDING);
  *ph = p->t[0];
  *pw = p->n == 2 ? p->t[1] : p->t[0];
}

static gboolean
max_pool2d_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const gint64 *k = A_TUP (a, MP_POOL)->t, *s = A_TUP (a, MP_STRIDES)->t;
  gboolean ceil_mode = A_INT (a, MP_CEIL);
  gint64 ph, pw, oh, ow, h, w;

  pool_padding (a, &ph, &pw);
  if (in[0].ndim != 4)
    return cvm_fail (error, "data must be 4-D (NCHW), got %d-D", in[0].ndim);
  if (ph >= k[0] || pw >= k[1])
    return cvm_fail (error, "padding must be smaller than the pool size");
  h = in[0].dim[2];
  w = in[0].dim[3];
  if (h + 2 * ph < k[0] || w + 2 * pw < k[1])
    return cvm_fail (error, "the pool window does not fit in the padded input");
  if (ceil_mode)
    {
      oh = (h + 2 * ph - k[0] + s[0] - 1) / s[0] + 1;
      ow = (w + 2 * pw - k[1] + s[1] - 1) / s[1] + 1;
      if ((oh - 1) * s[0] >= h + ph || (ow - 1) * s[1] >= w + pw)
        return cvm_fail (error, "ceil_mode: the last pool window starts outside the input");
    }
  else
    {
      oh = (h + 2 * ph - k[0]) / s[0] + 1;
      ow = (w + 2 * pw - k[1]) / s[1] + 1;
    }
  out[0] = mrt_shape_make (4, in[0].dim[0], in[0].dim[1], oh, ow);
  return TRUE;
}

typedef struct {
  const MrtCvmAttrs *a;
  const MrtCvmView *x, *y;
} PoolJob;

/* Per output row: the max over the window's input rows (vectorised), then
 * over each window's columns. Windows are clipped to the input (padding
 * adds nothing), as in the FORMAL kernel. */
static void
max_pool2d_range (gpointer data, gsize begin, gsize end)
{
  const PoolJob *job = data;
  const gint64 *k = A_TUP (job->a, MP_POOL)->t, *s = A_TUP (job->a, MP_STRIDES)->t;
  gint64 H = job->x->shape.dim[2], W = job->x->shape.dim[3];
  gint64 OH = job->y->shape.dim[2], OW = job->y->shape.dim[3];
  g_autofree gint32 *row = g_new (gint32, W);
  gint64 ph, pw;

  pool_padding (job->a, &ph, &pw);
  for (gsize c = begin; c < end; c++)
    {
      const gint32 *x = job->x->data + c * H * W;
      gint32 *y = job->y->data + c * OH * OW;
      for (gint64 oy = 0; oy < OH; oy++)
        {
          gint64 y0 = oy * s[0] - ph, lo = MAX (y0, 0), hi = MIN (y0 + k[0], H);
          memcpy (row, x + lo * W, W * sizeof (gint32));
          gint64 ox = 0;
          for (gint64 iy = lo + 1; iy < hi; iy++)
            cvm_simd_binary (CVM_SIMD_MAX, row, 1, x + iy * W, 1, row, (gsize) W);
          if (k[1] == 2 && s[1] == 2 && pw == 0)
            {
              /* windows (2 ox, 2 ox + 1) inside the row */
              ox = MIN (OW, W / 2);
              cvm_simd_pair_max (row, y + oy * OW, (gsize) ox);
            }
          for (; ox < OW; ox++)
            {
              gint64 x0 = ox * s[1] - pw;
              gint32 m = G_MININT32;
              for (gint64 ix = MAX (x0, 0); ix < MIN (x0 + k[1], W); ix++)
                m = MAX (m, row[ix]);
              y[oy * OW + ox] = m;
            }
        }
    }
}

static void
max_pool2d_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                    guint n_threads)
{
  PoolJob job = { a, &in[0], &out[0] };
  mrt_cvm_parallel (n_threads, (gsize) (in[0].shape.dim[0] * in[0].shape.dim[1]),
                    (gsize) (in[0].shape.dim[2] * in[0].shape.dim[3]), max_pool2d_range, &job);
}

static guint64
max_pool2d_gas (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out)
{
  return (guint64) (A_TUP (a, MP_POOL)->t[0] * A_TUP (a, MP_POOL)->t[1]);
}

/* ---- upsampling ------------------------------------------------------- */

enum { UP_SCALE, UP_LAYOUT, UP_METHOD };

static const char *const nearest[] = { "NEAREST_NEIGHBOR", NULL };

static const MrtCvmAttrSpec upsampling_attrs[] = {
  SPEC_INT ("scale", NULL, 1, MRT_CVM_ATTR_MAX),
  SPEC_STR ("layout", "NCHW", nchw),
  SPEC_STR ("method", "NEAREST_NEIGHBOR", nearest),
  SPEC_END,
};

static gboolean
upsampling_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gint64 sc = A_INT (a, UP_SCALE);
  if (in[0].ndim != 4)
    return cvm_fail (error, "data must be 4-D (NCHW), got %d-D", in[0].ndim);
  out[0] = mrt_shape_make (4, in[0].dim[0], in[0].dim[1], in[0].dim[2] * sc, in[0].dim[3] * sc);
  return TRUE;
}

static void
upsampling_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                    guint n_threads)
{
  gint64 sc = A_INT (a, UP_SCALE);
  gint64 planes = in[0].shape.dim[0] * in[0].shape.dim[1];
  gint64 H = in[0].shape.dim[2], W = in[0].shape.dim[3], OH = H * sc, OW = W * sc;
  for (gint64 c = 0; c < planes; c++)
    for (gint64 oy = 0; oy < OH; oy++)
      for (gint64 ox = 0; ox < OW; ox++)
        out[0].data[(c * OH + oy) * OW + ox] = in[0].data[(c * H + oy / sc) * W + ox / sc];
}

const MrtCvmOpDef mrt_cvm_ops_nn[] = {
  { "conv2d", conv2d_attrs, 2, 3, 1, FALSE, arity_bias, conv2d_shape, conv2d_prec, conv2d_forward, conv2d_gas },
  { "dense", dense_attrs, 2, 3, 1, FALSE, arity_bias, dense_shape, dense_prec, dense_forward, dense_gas },
  { "relu", NULL, 1, 1, 1, TRUE, NULL, cvm_shape_same, cvm_prec_same, relu_forward, NULL },
  { "max_pool2d", max_pool2d_attrs, 1, 1, 1, FALSE, NULL, max_pool2d_shape, cvm_prec_same, max_pool2d_forward,
    max_pool2d_gas },
  { "upsampling", upsampling_attrs, 1, 1, 1, FALSE, NULL, upsampling_shape, cvm_prec_same, upsampling_forward,
    NULL },
};
const guint mrt_cvm_ops_nn_count = G_N_ELEMENTS (mrt_cvm_ops_nn);
