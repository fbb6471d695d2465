/* mrt-conv.h: private to libmrt. Convolution and pooling kernels on plain
 * float arrays in NCHW layout. 1-D ops run as 2-D ones with H = 1, so one
 * kernel serves both. Geometry is validated by the callers' shape inference. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 n, c, h, w;  /* input */
  gint64 f, oh, ow;   /* output channels and size */
  gint64 kh, kw, sh, sw, ph, pw, dh, dw;
  gint64 groups;
} MrtConvGeom;

/* bias may be NULL. Fails only when scratch memory cannot be allocated. */
gboolean mrt_conv2d (const MrtConvGeom *g, const float *in, const float *weight, const float *bias,
                     float *out, GError **error);

/* Transposed convolution with one filter per channel (num_group = C = F),
 * weight (C, 1, kh, kw): what bilinear UpSampling runs. */
void mrt_deconv2d_depthwise (const MrtConvGeom *g, const float *in, const float *weight, float *out);

typedef enum {
  MRT_POOL_MAX,
  MRT_POOL_AVG,
  MRT_POOL_SUM,
} MrtPoolType;

typedef struct {
  gint64 n, c, h, w, oh, ow;
  gint64 kh, kw, sh, sw, ph, pw;
  MrtPoolType type;
  gboolean count_include_pad;
} MrtPoolGeom;

void mrt_pool2d (const MrtPoolGeom *g, const float *in, float *out);

G_END_DECLS
