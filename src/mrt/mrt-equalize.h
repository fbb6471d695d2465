/* mrt-equalize.h: cross-layer equalization, an optional prepare pass
 * ([PREPARE] Equalize = True). For a convolution A followed, through a relu,
 * by a convolution or dense layer B, channel c of A is divided by s_c and
 * the matching input channel of B multiplied by it, with
 * s_c = sqrt(range_A[c] / range_B[c]). relu(x / s) = relu(x) / s for s > 0,
 * so the float function is unchanged while the per-channel weight ranges
 * become alike — which is what a per-tensor int8 scale needs. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

/* Returns a new model (parameters of equalized pairs replaced); *n_pairs
 * (may be NULL) receives the number of pairs equalized. */
MrtModel *mrt_equalize (MrtModel *prepared, guint *n_pairs, GError **error);

G_END_DECLS
