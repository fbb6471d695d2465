/* mrt-cvm-ops-private.h: helpers shared by the CVM operator families
 * (private to src/mrt/cvm/). */
#pragma once

#include "mrt-cvm-ops.h"

/* Sets a shape (or precision) error and evaluates to FALSE. */
#define cvm_fail(error, ...) \
  (g_set_error ((error), MRT_CVM_ERROR, MRT_CVM_ERROR_SHAPE, __VA_ARGS__), FALSE)
#define cvm_fail_prec(error, ...) \
  (g_set_error ((error), MRT_CVM_ERROR, MRT_CVM_ERROR_PRECISION, __VA_ARGS__), FALSE)

/* Attribute accessors (k = index in the op's schema). */
#define A_INT(a, k) ((a)->v[(k)].i)
#define A_TUP(a, k) (&(a)->v[(k)])
#define A_STR(a, k) ((a)->v[(k)].s)

/* Common schema rows. */
#define SPEC_INT(name, def, lo, hi) { name, MRT_CVM_INT, def, lo, hi, 0, 0, NULL }
#define SPEC_BOOL(name, def) { name, MRT_CVM_BOOL, def, 0, 1, 0, 0, NULL }
#define SPEC_TUPLE(name, def, lo, hi, nmin, nmax) { name, MRT_CVM_TUPLE, def, lo, hi, nmin, nmax, NULL }
#define SPEC_OPT_INT(name, def, lo, hi) { name, MRT_CVM_OPT_INT, def, lo, hi, 0, 0, NULL }
#define SPEC_STR(name, def, choices) { name, MRT_CVM_STR, def, 0, 0, 0, 0, choices }
#define SPEC_END { NULL, 0, NULL, 0, 0, 0, 0, NULL }

#define I32_MAX G_MAXINT32
#define I32_MIN (-G_MAXINT32)

/* Wrapping int32 arithmetic (C semantics of the runtime without UB). */
static inline gint32
wrap32 (gint64 v)
{
  return (gint32) (guint32) (guint64) v;
}

static inline gint32
clip32 (gint64 v, gint64 lo, gint64 hi)
{
  return (gint32) (v < lo ? lo : v > hi ? hi : v);
}

/* Row-major element strides of shape. */
static inline void
cvm_strides (const MrtShape *shape, gint64 *stride)
{
  gint64 acc = 1;
  for (int i = shape->ndim - 1; i >= 0; i--)
    {
      stride[i] = acc;
      acc *= shape->dim[i];
    }
}

/* Normalises a possibly negative axis against ndim; FALSE when out of range. */
static inline gboolean
cvm_axis (gint64 axis, int ndim, int *out)
{
  if (axis < -ndim || axis >= ndim)
    return FALSE;
  *out = (int) (axis < 0 ? axis + ndim : axis);
  return TRUE;
}

char *cvm_shape_str (const MrtShape *s);

/* Walks every index of an nd box (dims), calling nothing: callers use
 * cvm_odometer_next to advance idx; returns FALSE after the last index. */
static inline gboolean
cvm_odometer_next (int nd, const gint64 *dim, gint64 *idx)
{
  for (int i = nd - 1; i >= 0; i--)
    {
      if (++idx[i] < dim[i])
        return TRUE;
      idx[i] = 0;
    }
  return FALSE;
}

/* dst[o] = src[sum o_i * sstride_i] for each index o of the box dim
 * (row-major over dst, contiguous). */
void cvm_strided_gather (int nd, const gint64 *dim, const gint32 *src, const gint64 *sstride, gint32 *dst);

/* Shared shape / precision rules. */
gboolean cvm_shape_same (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error);
gboolean cvm_prec_same (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                        GError **error);
gboolean cvm_prec_max (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                       GError **error);
gboolean cvm_prec_max_plus1 (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                             GError **error);
/* Copy kernel of the reshape family (in-place safe). */
void cvm_forward_copy (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                       guint n_threads);

/* Family tables. */
extern const MrtCvmOpDef mrt_cvm_ops_nn[];
extern const guint mrt_cvm_ops_nn_count;
extern const MrtCvmOpDef mrt_cvm_ops_elemwise[];
extern const guint mrt_cvm_ops_elemwise_count;
extern const MrtCvmOpDef mrt_cvm_ops_broadcast[];
extern const guint mrt_cvm_ops_broadcast_count;
extern const MrtCvmOpDef mrt_cvm_ops_transform[];
extern const guint mrt_cvm_ops_transform_count;
extern const MrtCvmOpDef mrt_cvm_ops_index[];
extern const guint mrt_cvm_ops_index_count;
extern const MrtCvmOpDef mrt_cvm_ops_vision[];
extern const guint mrt_cvm_ops_vision_count;
