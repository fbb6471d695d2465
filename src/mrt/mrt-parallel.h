/* mrt-parallel.h: private to libmrt. A small parallel-for on a persistent
 * GLib thread pool with as many threads as OpenBLAS uses (so
 * OPENBLAS_NUM_THREADS caps both). sgemm runs on OpenBLAS's threads; the
 * copies around it (im2col, reorder), the direct kernels and calibration's
 * statistics would otherwise run on one core and, on a 2-core machine, cost
 * as much as the sgemm itself. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*MrtRangeFunc) (gpointer data, gint64 begin, gint64 end);

/* Calls func over [0, n) split in ranges, on the caller and the pool; work
 * estimates the floats touched (small jobs stay on the caller). Returns
 * when every range is done. */
void mrt_parallel_for (gint64 n, gint64 work, MrtRangeFunc func, gpointer data);

/* The threads mrt_parallel_for uses, the caller included (1: no pool). */
guint mrt_parallel_threads (void);

G_END_DECLS
