/* mrt-ops-common.h: helpers shared by the tensor op families (private to
 * src/mrt/ops/). Shape functions report with mrt_ops_fail; kernels walk
 * tensors through strided views (dimension, source stride, destination
 * stride) so one loop serves transpose, slicing, broadcasting and tiling. */
#pragma once

#include <stdarg.h>

#include "mrt-op.h"

/* Sets a shape error and returns FALSE. */
static inline gboolean G_GNUC_PRINTF (2, 3)
mrt_ops_fail (GError **error, const char *format, ...)
{
  va_list ap;
  char *msg;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE, msg);
  g_free (msg);
  return FALSE;
}

/* A strided view can have twice as many axes as a tensor (tile, repeat). */
#define MRT_OPS_MAX_VIEW (2 * MRT_MAX_NDIM)

/* Row-major element strides of shape. */
static inline void
mrt_ops_strides (const MrtShape *shape, gint64 *stride)
{
  gint64 acc = 1;
  for (int i = shape->ndim - 1; i >= 0; i--)
    {
      stride[i] = acc;
      acc *= shape->dim[i];
    }
}

/* dst[o] = src[sum o_i * sstride_i] for every index o of dims (row-major
 * over dst with strides dstride). Strides count elements; a zero source
 * stride repeats (broadcast). */
void mrt_ops_strided_copy (int nd, const gint64 *dim, const float *src, const gint64 *sstride, float *dst,
                           const gint64 *dstride);

/* Reads an optional axes attribute (a tuple, an int, "()" or "None").
 * *given is FALSE when it is absent, "None" or "()". Negative axes are
 * normalised; out-of-range and repeated axes are errors. mask[i] is set for
 * each listed axis. */
gboolean mrt_ops_axes_attr (const MrtNode *node, const char *key, int ndim, gboolean *given,
                            gboolean *mask, GError **error);

/* Checks a shape attribute key: at most MRT_MAX_NDIM dimensions, no None. */
gboolean mrt_ops_check_shape_tuple (const char *key, const MrtTuple *t, GError **error);

/* Op definitions living outside the file that holds their family table. */
gboolean mrt_ops_slice_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_slice_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_slice_axis_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_slice_axis_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                     GError **error);
gboolean mrt_ops_slice_like_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_slice_like_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                     GError **error);
guint mrt_ops_split_num_outputs (const MrtNode *node);
gboolean mrt_ops_split_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_split_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_concat_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_concat_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_repeat_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_repeat_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_tile_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_tile_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_pad_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_pad_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_broadcast_to_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_broadcast_like_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_broadcast_axis_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_broadcast_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                    GError **error);
