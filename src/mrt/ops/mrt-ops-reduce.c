/* mrt-ops-reduce.c: the reduce operator family: sum, mean, prod, max, min,
 * nansum, nanprod and norm over a set of axes (one driver), and argmax /
 * argmin along one axis. Sums and products accumulate in double. */
#include <math.h>
#include <string.h>

#include "mrt-ops-common.h"

typedef enum {
  RED_SUM,
  RED_MEAN,
  RED_PROD,
  RED_MAX,
  RED_MIN,
  RED_NANSUM,
  RED_NANPROD,
  RED_NORM1,
  RED_NORM2,
} ReduceKind;

/* Output of a reduction over mask (MXNet ReduceAxesShapeImpl): keepdims
 * keeps reduced axes as 1; reducing every axis without keepdims gives (1,). */
static void
reduced_shape (const MrtShape *in, const gboolean *mask, gboolean keepdims, MrtShape *out)
{
  out->ndim = 0;
  for (int i = 0; i < in->ndim; i++)
    if (keepdims)
      out->dim[out->ndim++] = mask[i] ? 1 : in->dim[i];
    else if (!mask[i])
      out->dim[out->ndim++] = in->dim[i];
  if (out->ndim == 0 && !keepdims)
    *out = mrt_shape_make (1, (gint64) 1);
}

/* The reduced axes: the "axis" attribute (absent, None or () = all axes),
 * inverted by "exclude" when given. */
static gboolean
reduce_mask (const MrtNode *node, const MrtShape *in, gboolean *mask, GError **error)
{
  gboolean given;
  if (!mrt_ops_axes_attr (node, "axis", in->ndim, &given, mask, error))
    return FALSE;
  for (int i = 0; i < in->ndim; i++)
    mask[i] = !given || (mrt_node_get_bool (node, "exclude", FALSE) ? !mask[i] : mask[i]);
  return TRUE;
}

static gboolean
reduce_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gboolean mask[MRT_MAX_NDIM];
  if (!reduce_mask (node, &in[0], mask, error))
    return FALSE;
  reduced_shape (&in[0], mask, mrt_node_get_bool (node, "keepdims", FALSE), &out[0]);
  return TRUE;
}

static gboolean
reduce_minmax_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (mrt_shape_size (&in[0]) == 0)
    return mrt_ops_fail (error, "cannot reduce an empty input with max or min");
  return reduce_shape (node, in, out, error);
}

static gboolean
norm_ord (const MrtNode *node, ReduceKind *kind, GError **error)
{
  gint64 ord = mrt_node_get_int (node, "ord", 2);
  if (ord != 1 && ord != 2)
    return mrt_ops_fail (error, "ord=%" G_GINT64_FORMAT " is not supported (1 or 2)", ord);
  *kind = ord == 1 ? RED_NORM1 : RED_NORM2;
  return TRUE;
}

static gboolean
norm_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  ReduceKind kind;
  gboolean mask[MRT_MAX_NDIM], given;
  if (!norm_ord (node, &kind, error) || !mrt_ops_axes_attr (node, "axis", in[0].ndim, &given, mask, error))
    return FALSE;
  for (int i = 0; i < in[0].ndim; i++)
    mask[i] = mask[i] || !given;
  reduced_shape (&in[0], mask, mrt_node_get_bool (node, "keepdims", FALSE), &out[0]);
  return TRUE;
}

static double
reduce_init (ReduceKind kind)
{
  switch (kind)
    {
    case RED_PROD:
    case RED_NANPROD: return 1;
    case RED_MAX: return -INFINITY;
    case RED_MIN: return INFINITY;
    default: return 0;
    }
}

/* acc[o] (op)= x over one row of n input elements; the row either reduces
 * into one accumulator (astride 0) or runs along n of them (astride 1). */
#define REDUCE_ROW(STEP)                                          \
  for (gint64 j = 0; j < n; j++)                                  \
    {                                                             \
      double *a = acc + j * astride;                              \
      const double v = x[j * xstride];                            \
      STEP;                                                       \
    }

static void
reduce_row (ReduceKind kind, const float *x, gint64 xstride, double *acc, gint64 astride, gint64 n)
{
  switch (kind)
    {
    case RED_SUM:
    case RED_MEAN: REDUCE_ROW (*a += v) break;
    case RED_PROD: REDUCE_ROW (*a *= v) break;
    case RED_NANSUM: REDUCE_ROW (if (!isnan (v)) *a += v) break;
    case RED_NANPROD: REDUCE_ROW (if (!isnan (v)) *a *= v) break;
    case RED_MAX: REDUCE_ROW (if (v > *a || isnan (v)) *a = v) break;
    case RED_MIN: REDUCE_ROW (if (v < *a || isnan (v)) *a = v) break;
    case RED_NORM1: REDUCE_ROW (*a += fabs (v)) break;
    case RED_NORM2: REDUCE_ROW (*a += v * v) break;
    default: break;
    }
}

/* Reduces in over the axes in mask into out (n_out elements, kept axes in order). */
static void
reduce_run (const MrtTensor *in, const gboolean *mask, ReduceKind kind, MrtTensor *out)
{
  const MrtShape *s = &in->shape;
  gint64 dim[MRT_MAX_NDIM], as[MRT_MAX_NDIM], idx[MRT_MAX_NDIM] = { 0 };
  gint64 acc_stride[MRT_MAX_NDIM], stride = 1, count, off = 0;
  g_autofree double *acc = g_new (double, MAX (out->n, 1));
  const float *x = mrt_tensor_f32 (in);
  float *o = mrt_tensor_f32 (out);
  int k = 0;

  for (gsize i = 0; i < out->n; i++)
    acc[i] = reduce_init (kind);
  for (int i = s->ndim - 1; i >= 0; i--)
    {
      acc_stride[i] = mask[i] ? 0 : stride;
      stride *= mask[i] ? 1 : s->dim[i];
    }
  /* the input is walked in order; merge axes whose accumulator strides stay regular */
  for (int i = 0; i < s->ndim; i++)
    {
      if (s->dim[i] == 1)
        continue;
      if (k > 0 && as[k - 1] == acc_stride[i] * s->dim[i])
        {
          dim[k - 1] *= s->dim[i];
          as[k - 1] = acc_stride[i];
          continue;
        }
      dim[k] = s->dim[i];
      as[k] = acc_stride[i];
      k++;
    }
  if (in->n > 0)
    {
      if (k == 0)
        reduce_row (kind, x, 0, acc, 0, 1);
      else
        {
          gint64 n = dim[k - 1];
          for (gint64 r = 0, rows = (gint64) in->n / n; r < rows; r++)
            {
              reduce_row (kind, x + r * n, 1, acc + off, as[k - 1], n);
              for (int a = k - 2; a >= 0; a--)
                {
                  off += as[a];
                  if (++idx[a] < dim[a])
                    break;
                  off -= as[a] * dim[a];
                  idx[a] = 0;
                }
            }
        }
    }
  count = out->n ? (gint64) (in->n / out->n) : 0;
  for (gsize i = 0; i < out->n; i++)
    {
      double v = acc[i];
      if (kind == RED_MEAN)
        v /= (double) count;
      else if (kind == RED_NORM2)
        v = sqrt (v);
      o[i] = (float) v;
    }
}

static gboolean
reduce_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, ReduceKind kind,
                GError **error)
{
  gboolean mask[MRT_MAX_NDIM];
  if (!reduce_mask (node, &in[0]->shape, mask, error))
    return FALSE;
  reduce_run (in[0], mask, kind, out[0]);
  return TRUE;
}

#define REDUCE_FORWARD(name, kind)                                                                  \
  static gboolean name##_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, \
                                  GError **error)                                                   \
  {                                                                                                 \
    return reduce_forward (node, in, out, kind, error);                                             \
  }

REDUCE_FORWARD (sum, RED_SUM)
REDUCE_FORWARD (mean, RED_MEAN)
REDUCE_FORWARD (prod, RED_PROD)
REDUCE_FORWARD (max, RED_MAX)
REDUCE_FORWARD (min, RED_MIN)
REDUCE_FORWARD (nansum, RED_NANSUM)
REDUCE_FORWARD (nanprod, RED_NANPROD)

static gboolean
norm_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  ReduceKind kind = RED_SUM; /* set by norm_ord on success */
  gboolean mask[MRT_MAX_NDIM], given;
  if (!norm_ord (node, &kind, error) ||
      !mrt_ops_axes_attr (node, "axis", in[0]->shape.ndim, &given, mask, error))
    return FALSE;
  for (int i = 0; i < in[0]->shape.ndim; i++)
    mask[i] = mask[i] || !given;
  reduce_run (in[0], mask, kind, out[0]);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* argmax, argmin                                                      */

/* axis: -1 when the input is flattened (axis None). */
static gboolean
search_axis (const MrtNode *node, const MrtShape *in, int *axis, GError **error)
{
  const char *text = mrt_node_get_attr (node, "axis");
  gint64 a;
  *axis = -1;
  if (strcmp (node->op, "argmax_channel") == 0)
    a = -1;
  else if (text == NULL || mrt_attr_is_none (text))
    return TRUE;
  else
    a = mrt_node_get_int (node, "axis", 0);
  if (!mrt_normalize_axis (a, MAX (in->ndim, 1), axis))
    return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for a %d-D input", a, in->ndim);
  return TRUE;
}

static gboolean
search_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gboolean mask[MRT_MAX_NDIM];
  int axis;
  if (!search_axis (node, &in[0], &axis, error))
    return FALSE;
  if (mrt_shape_size (&in[0]) == 0)
    return mrt_ops_fail (error, "cannot search an empty input");
  for (int i = 0; i < in[0].ndim; i++)
    mask[i] = axis < 0 || i == axis;
  /* argmax_channel is argmax(axis=-1) with fixed parameters */
  reduced_shape (&in[0], mask,
                         strcmp (node->op, "argmax_channel") != 0 && mrt_node_get_bool (node, "keepdims", FALSE),
                         &out[0]);
  return TRUE;
}

/* Index (as a float) of the first largest (or smallest) element along the
 * axis; a NaN wins, like the max reduction. */
static gboolean
search_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, gboolean is_max,
                GError **error)
{
  const MrtShape *s = &in[0]->shape;
  const float *x = mrt_tensor_f32 (in[0]);
  float *o = mrt_tensor_f32 (out[0]);
  gint64 outer = 1, len = (gint64) in[0]->n, inner = 1;
  int axis;

  if (!search_axis (node, s, &axis, error))
    return FALSE;
  if (axis >= 0 && s->ndim > 0)
    {
      len = s->dim[axis];
      for (int i = 0; i < axis; i++)
        outer *= s->dim[i];
      for (int i = axis + 1; i < s->ndim; i++)
        inner *= s->dim[i];
    }
  for (gint64 p = 0; p < outer; p++)
    for (gint64 q = 0; q < inner; q++)
      {
        const float *row = x + p * len * inner + q;
        gint64 best = 0;
        float bv = row[0];
        for (gint64 j = 1; j < len && !isnan (bv); j++)
          {
            float v = row[j * inner];
            if (isnan (v) || (is_max ? v > bv : v < bv))
              {
                bv = v;
                best = j;
              }
          }
        o[p * inner + q] = (float) best;
      }
  return TRUE;
}

static gboolean
argmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return search_forward (node, in, out, TRUE, error);
}

static gboolean
argmin_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return search_forward (node, in, out, FALSE, error);
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static const MrtAttrSpec reduce_attrs[] = {
  { "axis", MRT_ATTR_TUPLE, FALSE },
  { "keepdims", MRT_ATTR_BOOL, FALSE },
  { "exclude", MRT_ATTR_BOOL, FALSE },
  { NULL },
};
static const MrtAttrSpec norm_attrs[] = {
  { "ord", MRT_ATTR_INT, FALSE },
  { "axis", MRT_ATTR_TUPLE, FALSE },
  { "keepdims", MRT_ATTR_BOOL, FALSE },
  { "out_dtype", MRT_ATTR_STRING, FALSE },
  { NULL },
};
static const MrtAttrSpec search_attrs[] = {
  { "axis", MRT_ATTR_INT_OR_NONE, FALSE },
  { "keepdims", MRT_ATTR_BOOL, FALSE },
  { NULL },
};

#define REDUCE(op, shape, fwd) \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = reduce_attrs, .infer_shape = shape, .forward = fwd }

const MrtOpDef mrt_ops_reduce[] = {
  REDUCE ("sum", reduce_shape, sum_forward),
  REDUCE ("sum_axis", reduce_shape, sum_forward),
  REDUCE ("mean", reduce_shape, mean_forward),
  REDUCE ("prod", reduce_shape, prod_forward),
  REDUCE ("nansum", reduce_shape, nansum_forward),
  REDUCE ("nanprod", reduce_shape, nanprod_forward),
  REDUCE ("max", reduce_minmax_shape, max_forward),
  REDUCE ("max_axis", reduce_minmax_shape, max_forward),
  REDUCE ("min", reduce_minmax_shape, min_forward),
  REDUCE ("min_axis", reduce_minmax_shape, min_forward),
  { .name = "norm", .min_inputs = 1, .max_inputs = 1, .attrs = norm_attrs, .infer_shape = norm_shape,
    .forward = norm_forward },
  { .name = "argmax", .min_inputs = 1, .max_inputs = 1, .attrs = search_attrs, .infer_shape = search_shape,
    .forward = argmax_forward },
  { .name = "argmin", .min_inputs = 1, .max_inputs = 1, .attrs = search_attrs, .infer_shape = search_shape,
    .forward = argmin_forward },
  { .name = "argmax_channel", .min_inputs = 1, .max_inputs = 1, .infer_shape = search_shape,
    .forward = argmax_forward },
  { NULL },
};
