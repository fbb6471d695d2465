/* mrt-cvm-ops-index.c: strided_slice, slice_like, take, cvm_lut, where.
 * Indices are clamped, never an error (take, cvm_lut). */
#include "mrt-cvm-ops-private.h"

#include <string.h>

/* ---- strided_slice ---------------------------------------------------- */

enum { SS_BEGIN, SS_END, SS_STRIDE };

static const MrtCvmAttrSpec strided_slice_attrs[] = {
  SPEC_TUPLE ("begin", NULL, I32_MIN, I32_MAX, 0, MRT_CVM_MAX_NDIM),
  SPEC_TUPLE ("end", NULL, I32_MIN, I32_MAX, 0, MRT_CVM_MAX_NDIM),
  SPEC_TUPLE ("stride", "()", I32_MIN, I32_MAX, 0, MRT_CVM_MAX_NDIM),
  SPEC_END,
};

/* Per axis: first index, step and length. */
static gboolean
slice_plan (const MrtCvmAttrs *a, const MrtShape *in, gint64 *begin, gint64 *step, gint64 *len, GError **error)
{
  const MrtCvmValue *b = A_TUP (a, SS_BEGIN), *e = A_TUP (a, SS_END), *s = A_TUP (a, SS_STRIDE);
  if (b->n > in->ndim || e->n > in->ndim || s->n > in->ndim)
    return cvm_fail (error, "begin/end/stride have more values than the %d input axes", in->ndim);
  for (int i = 0; i < in->ndim; i++)
    {
      gint64 dim = in->dim[i];
      gint64 st = i < s->n ? s->t[i] : 1;
      gint64 bi = i < b->n ? b->t[i] : 0;
      gint64 ei = i < e->n ? e->t[i] : dim;
      if (st == 0)
        return cvm_fail (error, "stride of axis %d is 0", i);
      if (bi < 0)
        bi += dim;
      if (ei < 0)
        ei += dim;
      if (st > 0)
        {
          bi = CLAMP (bi, 0, dim);
          ei = CLAMP (ei, 0, dim);
          if (!(bi < ei))
            return cvm_fail (error, "axis %d: empty slice [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", i, bi, ei);
          len[i] = (ei - bi + st - 1) / st;
        }
      else
        {
          bi = CLAMP (bi, -1, dim - 1);
          ei = CLAMP (ei, -1, dim - 1);
          if (!(ei < bi))
            return cvm_fail (error, "axis %d: empty slice [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ") with negative "
                             "stride", i, bi, ei);
          len[i] = (bi - ei + (-st) - 1) / (-st);
        }
      begin[i] = bi;
      step[i] = st;
    }
  return TRUE;
}

static gboolean
strided_slice_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gint64 b[MRT_MAX_NDIM], s[MRT_MAX_NDIM];
  out[0].ndim = in[0].ndim;
  return slice_plan (a, &in[0], b, s, out[0].dim, error);
}

static void
strided_slice_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                       guint n_threads)
{
  gint64 b[MRT_MAX_NDIM], s[MRT_MAX_NDIM], len[MRT_MAX_NDIM], is[MRT_MAX_NDIM], ss[MRT_MAX_NDIM];
  gint64 base = 0;
  slice_plan (a, &in[0].shape, b, s, len, NULL);
  cvm_strides (&in[0].shape, is);
  for (int i = 0; i < in[0].shape.ndim; i++)
    {
      base += b[i] * is[i];
      ss[i] = s[i] * is[i];
    }
  cvm_strided_gather (out[0].shape.ndim, out[0].shape.dim, in[0].data + base, ss, out[0].data);
}

/* ---- slice_like ------------------------------------------------------- */

enum { SL_AXIS };

static const MrtCvmAttrSpec slice_like_attrs[] = {
  SPEC_TUPLE ("axis", "()", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1, 0, MRT_CVM_MAX_NDIM),
  SPEC_END,
};

static gboolean
slice_like_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtCvmValue *ax = A_TUP (a, SL_AXIS);
  const MrtShape *x = &in[0], *like = &in[1];
  MrtShape o = *x;

  if (ax->n == 0)
    {
      if (like->ndim != x->ndim)
        return cvm_fail (error, "shape_like has %d axes, data has %d", like->ndim, x->ndim);
      for (int i = 0; i < x->ndim; i++)
        o.dim[i] = like->dim[i];
    }
  for (int k = 0; k < ax->n; k++)
    {
      int i;
      if (!cvm_axis (ax->t[k], x->ndim, &i) || i >= like->ndim)
        return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range", ax->t[k]);
      o.dim[i] = like->dim[i];
    }
  for (int i = 0; i < x->ndim; i++)
    if (o.dim[i] > x->dim[i])
      {
        g_autofree char *sx = cvm_shape_str (x);
        g_autofree char *sl = cvm_shape_str (like);
        return cvm_fail (error, "shape_like %s is larger than data %s on axis %d", sl, sx, i);
      }
  out[0] = o;
  return TRUE;
}

static void
slice_like_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                    guint n_threads)
{
  gint64 is[MRT_MAX_NDIM];
  cvm_strides (&in[0].shape, is);
  cvm_strided_gather (out[0].shape.ndim, out[0].shape.dim, in[0].data, is, out[0].data);
}

/* ---- take ------------------------------------------------------------- */

enum { TK_AXIS };

static const MrtCvmAttrSpec take_attrs[] = {
  SPEC_OPT_INT ("axis", "None", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1),
  SPEC_END,
};

static gboolean
take_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtShape *x = &in[0], *ind = &in[1];
  MrtShape o = { 0 };
  int ax = 0;

  if (a->v[TK_AXIS].none)
    {
      out[0] = *ind;
      return TRUE;
    }
  if (!cvm_axis (A_INT (a, TK_AXIS), x->ndim, &ax))
    return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D data", A_INT (a, TK_AXIS), x->ndim);
  if (x->ndim - 1 + ind->ndim > MRT_CVM_MAX_NDIM)
    return cvm_fail (error, "the result would have %d dimensions (at most %d)", x->ndim - 1 + ind->ndim,
                     MRT_CVM_MAX_NDIM);
  for (int i = 0; i < ax; i++)
    o.dim[o.ndim++] = x->dim[i];
  for (int i = 0; i < ind->ndim; i++)
    o.dim[o.ndim++] = ind->dim[i];
  for (int i = ax + 1; i < x->ndim; i++)
    o.dim[o.ndim++] = x->dim[i];
  out[0] = o;
  return TRUE;
}

static void
take_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  const gint32 *ind = in[1].data;
  gint64 outer = 1, inner = 1, d;
  gint32 *dst = out[0].data;
  int ax = 0;

  if (a->v[TK_AXIS].none)
    {
      gint64 last = (gint64) in[0].n - 1;
      for (gsize i = 0; i < out[0].n; i++)
        out[0].data[i] = in[0].data[CLAMP ((gint64) ind[i], 0, last)];
      return;
    }
  cvm_axis (A_INT (a, TK_AXIS), in[0].shape.ndim, &ax);
  d = in[0].shape.dim[ax];
  for (int i = 0; i < ax; i++)
    outer *= in[0].shape.dim[i];
  for (int i = ax + 1; i < in[0].shape.ndim; i++)
    inner *= in[0].shape.dim[i];
  for (gint64 o = 0; o < outer; o++)
    for (gsize k = 0; k < in[1].n; k++)
      {
        gint64 j = CLAMP ((gint64) ind[k], 0, d - 1);
        memcpy (dst, in[0].data + (o * d + j) * inner, (gsize) inner * sizeof (gint32));
        dst += inner;
      }
}

/* ---- cvm_lut ---------------------------------------------------------- */

enum { LUT_IN_DIM };

static const MrtCvmAttrSpec cvm_lut_attrs[] = {
  SPEC_INT ("in_dim", NULL, 1, MRT_CVM_MAX_SIZE),
  SPEC_END,
};

static gboolean
cvm_lut_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  if (mrt_shape_size (&in[1]) != A_INT (a, LUT_IN_DIM))
    return cvm_fail (error, "the table has %" G_GINT64_FORMAT " entries but in_dim is %" G_GINT64_FORMAT,
                     mrt_shape_size (&in[1]), A_INT (a, LUT_IN_DIM));
  out[0] = in[0];
  return TRUE;
}

static gboolean
cvm_lut_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  out[0] = prec[1];
  return TRUE;
}

static void
cvm_lut_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                 guint n_threads)
{
  gint64 last = A_INT (a, LUT_IN_DIM) - 1;
  for (gsize i = 0; i < out[0].n; i++)
    out[0].data[i] = in[1].data[CLAMP ((gint64) in[0].data[i], 0, last)];
}

/* ---- where ------------------------------------------------------------ */

static gboolean
where_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtShape *c = &in[0], *x = &in[1], *y = &in[2];
  if (!mrt_shape_equal (x, y))
    return cvm_fail (error, "x and y shapes differ");
  if (!mrt_shape_equal (c, x) && !(c->ndim == 1 && c->dim[0] == x->dim[0]))
    {
      g_autofree char *sc = cvm_shape_str (c);
      g_autofree char *sx = cvm_shape_str (x);
      return cvm_fail (error, "condition shape %s must equal %s or be (%" G_GINT64_FORMAT ",)", sc, sx, x->dim[0]);
    }
  out[0] = *x;
  return TRUE;
}

/* The correct semantics, also for a 1-D condition (both upstream kernels
 * are broken there; the checker lints it). */
static void
where_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  gsize row = in[0].n == out[0].n ? 1 : out[0].n / in[0].n;
  for (gsize i = 0; i < out[0].n; i++)
    out[0].data[i] = in[0].data[i / row] != 0 ? in[1].data[i] : in[2].data[i];
}

const MrtCvmOpDef mrt_cvm_ops_index[] = {
  { "strided_slice", strided_slice_attrs, 1, 1, 1, FALSE, NULL, strided_slice_shape, cvm_prec_same,
    strided_slice_forward, NULL },
  { "slice_like", slice_like_attrs, 2, 2, 1, FALSE, NULL, slice_like_shape, cvm_prec_same, slice_like_forward,
    NULL },
  { "take", take_attrs, 2, 2, 1, FALSE, NULL, take_shape, cvm_prec_same, take_forward, NULL },
  { "cvm_lut", cvm_lut_attrs, 2, 2, 1, FALSE, NULL, cvm_lut_shape, cvm_lut_prec, cvm_lut_forward, NULL },
  { "where", NULL, 3, 3, 1, FALSE, NULL, where_shape, cvm_prec_same, where_forward, NULL },
};
const guint mrt_cvm_ops_index_count = G_N_ELEMENTS (mrt_cvm_ops_index);
