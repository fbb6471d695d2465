/* mrt-cvm-gemm-private.h: what mrt-cvm-gemm.c (paths, packing, dispatch,
 * the portable kernels) shares with mrt-cvm-gemm-x86.c (the AVX2, AVX-VNNI
 * and AVX512-VNNI kernels). Private to src/mrt/cvm/. */
#pragma once

#include "mrt-cvm-gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#define MRT_X86 1
#endif

typedef struct {
  const guint32 *const *rows; /* MR pixel bases (rows >= mr repeat a valid one) */
  const gssize *koff;         /* kq tap offsets, in lane groups */
  gsize kq;
  const guint32 *w;           /* [kq][NR] weight lane groups */
  const gint32 *cb;           /* NR accumulator start values */
  gint32 *out;                /* element (r, j) at out[r * rs + j * cs] */
  gssize rs, cs;              /* one of them is 1 */
  int mr, nr;                 /* valid rows and lanes */
  const MrtCvmEpilogue *epi;  /* applied before the store */
  guint n_epi;
} Tile;

/* Converts a row of k values (k contiguous channels) into ceil(k / 4) u8 lane groups. */
guint32 cvm_gemm_dense_row_u8_c (const gint32 *x, gsize k, guint32 *dst);

#ifdef MRT_X86

#define T_AVX2 __attribute__ ((target ("avx2")))
#define T_AVXVNNI __attribute__ ((target ("avx2,avxvnni")))
#define T_AVX512 __attribute__ ((target ("avx512f,avx512bw,avx512vl,avx512vnni")))

/* The tile, plane row and dense row kernels of each x86 path (see the Path
 * table in mrt-cvm-gemm.c). */
T_AVX2 void cvm_gemm_tile_avx2 (const Tile *t);
T_AVXVNNI void cvm_gemm_tile_avxvnni (const Tile *t);
T_AVX512 void cvm_gemm_tile_avx512 (const Tile *t);
T_AVX2 guint32 cvm_gemm_plane_row_u8_avx2 (const gint32 *const *src, gsize len, guint32 *dst);
T_AVX2 guint32 cvm_gemm_plane_row_s16_avx2 (const gint32 *const *src, gsize len, guint32 *dst);
T_AVX512 guint32 cvm_gemm_plane_row_u8_avx512 (const gint32 *const *src, gsize len, guint32 *dst);
T_AVX512 guint32 cvm_gemm_dense_row_u8_avx512 (const gint32 *x, gsize k, guint32 *dst);
/* y[i] += x[i] * w, i < n, modulo 2^32 */
T_AVX2 void cvm_gemm_row_mac_avx2 (guint32 *y, const guint32 *x, guint32 w, gint64 n);
/* Does the CPU have AVX-VNNI (and AVX2)? */
guint32 cvm_gemm_avxvnni_cpu (void);

#endif /* MRT_X86 */
