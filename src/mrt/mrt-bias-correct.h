/* mrt-bias-correct.h: empirical bias correction (extension, issue #5): the
 * mean per-channel error that quantization adds to each Convolution and
 * FullyConnected output is measured on calibration data and folded back into
 * the float bias before quantizing. */
#pragma once

#include "mrt-model.h"
#include "mrt-quantize.h"

G_BEGIN_DECLS

/* model: a float model (prepared or base), left unchanged.
 * input_shape: its input's shape at batch 1. thresholds, opts: as for
 * mrt_quantize. batches: float32 calibration inputs.
 *
 * Quantizes the model, runs the float model and the quantized one (float
 * simulation, input quantized with the input scale) on every batch, and for
 * each Convolution / FullyConnected node with its own bias parameter computes
 * per output channel the mean over batch and positions of
 * float − quantized / scale. Returns a copy of the model whose bias
 * parameters are increased by those means; every other parameter is shared
 * with `model`.
 * Layers are corrected one at a time in graph order: each is measured with
 * the layers before it already corrected (one quantization per layer).
 * Nodes without a bias (no_bias, or a bias shared with another node) are
 * left alone. The thresholds of the corrected bias parameters are raised in
 * place (to at least the new absmax), so quantizing the returned model with
 * `thresholds` does not clip the correction away.
 * n_corrected (may be NULL): how many biases changed. */
MrtModel *mrt_bias_correct (MrtModel *model, const MrtShape *input_shape, GHashTable *thresholds,
                            const MrtQuantizeOptions *opts, GPtrArray *batches, guint *n_corrected,
                            GError **error);

G_END_DECLS
