/* mrt-cvm-simd.h: vectorised element-by-element int32 loops for the CVM
 * kernels (private to src/mrt/cvm/). AVX-512 or AVX2 when the kernel path
 * (mrt_cvm_kernel_path) allows it, else four-lane GCC/clang vector
 * extensions (SSE2 on x86-64). Every result is the exact int32 one: sums
 * and products wrap modulo 2^32, shifts are arithmetic. In place is fine
 * (x == y). */
#pragma once

#include <glib.h>

/* y[i] = clamp (x[i], lo, hi) */
void cvm_simd_clamp (const gint32 *x, gint32 *y, gsize n, gint32 lo, gint32 hi);
/* y[i] = clamp (((x[i] >> (b - 1)) + 1) >> 1, lo, hi) (exact, in 64 bits), 1 <= b <= 32 */
void cvm_simd_rshift_clamp (const gint32 *x, gint32 *y, gsize n, int b, gint32 lo, gint32 hi);

typedef enum { CVM_SIMD_ADD, CVM_SIMD_SUB, CVM_SIMD_MUL, CVM_SIMD_MAX } CvmSimdOp;
/* y[i] = op (a[i * sa], b[i * sb]), sa and sb 0 (one value) or 1 */
void cvm_simd_binary (CvmSimdOp op, const gint32 *a, gsize sa, const gint32 *b, gsize sb, gint32 *y, gsize n);

/* y[i] = max (x[2 i], x[2 i + 1]), i < n (x holds 2 n values) */
void cvm_simd_pair_max (const gint32 *x, gint32 *y, gsize n);
