/* mrt-qmath.h: the numeric primitives of MRT quantization (spec §0). The
 * rounding modes differ on purpose: tensors round half away from zero,
 * cvm_float rounds half to even (Python round), the runtime's right shift
 * rounds halves toward +inf. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MRT_MAX_BIT 32

/* ceil(log2(|x| + 1)) + 1: bits including sign to hold |x|. 0→1, 1→2, 127→8, 128→9. */
int mrt_get_bit (double x);
/* bit length of k > 0 (floor(log2 k) + 1). */
int mrt_get_bit_cnt (guint64 k);
/* 2^(p-1) - 1 */
gint64 mrt_get_range (int p);
/* (2^(p-1) - 1) / th; 1 when th == 0. */
double mrt_scale (double th, int p);
/* round half away from zero, then clip to ±get_range(p). Returns TRUE when anything was clipped. */
double mrt_round_clip (double x, int p, gboolean *clipped);
/* r ≈ frac · 2^exp with |frac| of at most `bits` signed bits. */
void mrt_cvm_float (double r, int bits, gint64 *frac, int *exp);
/* The runtime's right shift: ((x >> (b-1)) + 1) >> 1 with arithmetic shifts. */
gint64 mrt_cvm_right_shift (gint64 x, int b);

G_END_DECLS
