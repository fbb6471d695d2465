/* mrt-cvm-gemm.h: the int8 kernels behind the CVM conv2d and dense
 * (private to src/mrt/cvm/, the tests and the benches).
 *
 * The CVM holds every value in int32, but conv2d and dense take inputs and
 * weights of at most 8 bits (the graph check refuses more), so they run as
 * int8 products with int32 accumulation: the activations are converted to
 * int8 (im2col-free: a padded, channel-blocked copy of the input) and the
 * weights are packed per call; a register-blocked micro-kernel accumulates
 * 4-byte dot products (vpdpbusd on AVX512-VNNI / AVX-VNNI, vpmaddwd on AVX2,
 * plain C elsewhere). The result is bit-identical to the FORMAL kernel
 * (int32 products and sums modulo 2^32) whatever the path and the thread
 * count. Should an input hold a value outside [-128, 127] anyway, the
 * kernels fall back to the exact int32 loops.
 *
 * Depthwise-like convolutions (fewer than 4 output channels per group) run
 * on direct int32 loops vectorised over the output width. */
#pragma once

#include "mrt-cvm-ops.h"

G_BEGIN_DECLS

typedef enum {
  MRT_CVM_KERNEL_AUTO = 0,    /* the best path this CPU supports */
  MRT_CVM_KERNEL_SCALAR,      /* portable C (u8 x s8 with the +128 offset) */
  MRT_CVM_KERNEL_AVX2,        /* vpmaddwd on sign-extended int16 pairs */
  MRT_CVM_KERNEL_AVX_VNNI,    /* vpdpbusd on ymm (AVX-VNNI) */
  MRT_CVM_KERNEL_AVX512_VNNI, /* vpdpbusd on zmm (AVX512-VNNI) */
  MRT_CVM_KERNEL_N_PATHS
} MrtCvmKernelPath;

const char *mrt_cvm_kernel_path_name (MrtCvmKernelPath path);
gboolean mrt_cvm_kernel_path_supported (MrtCvmKernelPath path);
/* The path conv2d and dense use now (never AUTO). */
MrtCvmKernelPath mrt_cvm_kernel_path (void);
/* Forces a path for the whole process (tests, benches); AUTO restores the
 * default. FALSE (and nothing changes) when this CPU lacks the path. */
gboolean mrt_cvm_kernel_force_path (MrtCvmKernelPath path);

typedef struct {
  gint64 n, c, h, w;      /* input NCHW */
  gint64 oc, oh, ow;      /* output channels and size */
  gint64 kh, kw;          /* kernel */
  gint64 sh, sw, ph, pw, dh, dw;
  gint64 groups;
} MrtCvmConvGeom;

/* Weights packed for the current kernel path (reusable across calls with
 * the same weights; the executor packs each parameter once). */
typedef struct _MrtCvmPacked MrtCvmPacked;
MrtCvmPacked *mrt_cvm_pack_conv2d (const MrtCvmConvGeom *g, const gint32 *w, const gint32 *bias);
MrtCvmPacked *mrt_cvm_pack_dense (gint64 k, gint64 units, const gint32 *w, const gint32 *bias);
void mrt_cvm_packed_free (MrtCvmPacked *pk);

/* Element-wise operators applied to a conv2d / dense result in registers,
 * before it is stored: the executor fuses the cvm_clip, relu, clip,
 * cvm_right_shift and broadcast_mul by a scalar that follow a convolution
 * when nothing else reads the intermediate tensors. The arithmetic is that
 * of the standalone kernels (mrt-cvm-simd.h):
 *   CLAMP   y = clamp (x, lo, hi)
 *   RSHIFT  y = clamp (((x >> (shift - 1)) + 1) >> 1, lo, hi)
 *   MUL     y = x * mul (modulo 2^32) */
typedef enum { MRT_CVM_EPI_CLAMP, MRT_CVM_EPI_RSHIFT, MRT_CVM_EPI_MUL } MrtCvmEpiOp;
typedef struct {
  MrtCvmEpiOp op;
  int shift;
  gint32 lo, hi, mul;
} MrtCvmEpilogue;
#define MRT_CVM_MAX_EPILOGUE 8

/* y = conv2d (x, w) + bias (NULL: none), NCHW / OIHW, int32 modulo 2^32.
 * pk: NULL, or w and bias packed by mrt_cvm_pack_conv2d (ignored when packed
 * for another path). */
void mrt_cvm_conv2d_run (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias,
                         const MrtCvmPacked *pk, gint32 *y, guint n_threads);
/* y[m][u] = sum_k x[m][k] w[u][k] + bias[u], int32 modulo 2^32. */
void mrt_cvm_dense_run (gint64 m, gint64 k, gint64 units, const gint32 *x, const gint32 *w, const gint32 *bias,
                        const MrtCvmPacked *pk, gint32 *y, guint n_threads);
/* The same followed by n_epi epilogue operators (epi may be NULL when n_epi is 0). */
void mrt_cvm_conv2d_run_fused (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias,
                               const MrtCvmPacked *pk, const MrtCvmEpilogue *epi, guint n_epi, gint32 *y,
                               guint n_threads);
void mrt_cvm_dense_run_fused (gint64 m, gint64 k, gint64 units, const gint32 *x, const gint32 *w, const gint32 *bias,
                              const MrtCvmPacked *pk, const MrtCvmEpilogue *epi, guint n_epi, gint32 *y,
                              guint n_threads);

/* The exact int32 loops (any values): the fallback, and a reference. */
void mrt_cvm_conv2d_direct (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias,
                            gint32 *y, guint n_threads);

/* Which kernel the last conv2d_run / dense_run on this thread used (tests). */
typedef enum {
  MRT_CVM_KERNEL_USED_GEMM,
  MRT_CVM_KERNEL_USED_DIRECT,    /* depthwise-like shapes */
  MRT_CVM_KERNEL_USED_FALLBACK,  /* a value outside int8 */
} MrtCvmKernelUsed;
MrtCvmKernelUsed mrt_cvm_kernel_last_used (void);

/* Geometry of a conv2d node (defined in mrt-cvm-ops-nn.c). */
void mrt_cvm_conv2d_geom (const MrtCvmAttrs *a, const MrtShape *x, const MrtShape *w, const MrtShape *y,
                          MrtCvmConvGeom *g);

G_END_DECLS
