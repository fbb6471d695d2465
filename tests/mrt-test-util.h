/* mrt-test-util.h: small helpers shared by libmrt's test programs. */
#pragma once

#include <mrt.h>

#include "mrt-rewriter.h" /* mrt_attrs_new: node attributes from key, value pairs */

/* float32 values uniform in [lo, hi) */
static inline MrtTensor *
test_random_tensor (MrtShape shape, GRand *r, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &shape);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) g_rand_double_range (r, lo, hi);
  return t;
}
