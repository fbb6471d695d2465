/* mrt-prepare.h: the PREPARE stage (spec §3): graph normalisation passes that
 * turn a float model into the equivalent graph MRT can calibrate and
 * quantize. The input model is not modified. See docs/prepare.md. */
#pragma once

#include "mrt-model.h"
#include "mrt-progress.h"
#include "mrt-rewriter.h"

G_BEGIN_DECLS

/* input_shape: the shape of the model's single input with the batch already
 * set, e.g. (1, 1, 28, 28). The input is renamed "data" and carries the shape
 * in its "__shape__" attribute. Generated names start from fresh counters,
 * so two runs on the same model give the same graph. */
MrtModel *mrt_prepare (MrtModel *model, const MrtShape *input_shape, const MrtProgress *progress,
                       GError **error);

/* Same, generating names with names (a pipeline run that continues with
 * later stages shares one generator, as upstream's process-wide one). */
MrtModel *mrt_prepare_with_names (MrtModel *model, const MrtShape *input_shape, MrtNameGen *names,
                                  const MrtProgress *progress, GError **error);

G_END_DECLS
