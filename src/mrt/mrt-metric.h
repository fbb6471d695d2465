/* mrt-metric.h: classification accuracy (top-1 / top-5) accumulated over batches. */
#pragma once

#include "mrt-tensor.h"

G_BEGIN_DECLS

typedef struct {
  guint64 samples;
  guint64 top1;
  guint64 top5;
} MrtAccuracy;

/* scores: (N, C) float32 (any leading batch axis 0); labels: (N,) float32.
 * A sample counts for top-k when fewer than k classes score strictly higher
 * than the label's class (ties favour the label, as a stable sort would not;
 * the difference is negligible and documented in docs/evaluation.md). */
gboolean mrt_accuracy_update (MrtAccuracy *acc, const MrtTensor *scores, const MrtTensor *labels,
                              GError **error);
double mrt_accuracy_top1 (const MrtAccuracy *acc);
double mrt_accuracy_top5 (const MrtAccuracy *acc);

G_END_DECLS
