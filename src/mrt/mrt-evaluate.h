/* mrt-evaluate.h: EVALUATION (spec §8): the float model and the quantized
 * model on the same batches; the quantized one runs on the CVM integer
 * executor. Also per-layer error of every quantized node. */
#pragma once

#include "mrt-pipeline.h"

G_BEGIN_DECLS

/* Progress lines like MRT's ("Iteration: … | evalfunc: … | quantize: …") go
 * to log_func when given. */
typedef void (*MrtLogFunc) (const char *line, gpointer user_data);

MrtEvaluation *mrt_evaluate (const MrtState *state, const MrtConfig *config, const MrtProgress *progress,
                             MrtLogFunc log_func, gpointer log_data, GError **error);

/* mrt_evaluate keeps the float model's per-sample verdicts of its last
 * complete run and reuses them (ev->float_reused) when the same original
 * model is evaluated again on the same batches (same dataset settings, and
 * the test set's files and class folders with the same names, sizes and
 * modification times): only the quantized model then runs. This drops
 * them. MRT_EVAL_CACHE=0 in the environment disables reuse. */
void mrt_evaluate_forget_float_results (void);

/* Quantizes a float batch with the input scale (round half away from zero, clip). */
MrtTensor *mrt_quantize_input (const MrtTensor *x, double scale, int precision);

/* Runs the final quantized model on a float batch: quantize the input, run
 * the CVM graph on integers, divide each output by its scale. */
GPtrArray *mrt_run_quantized (MrtModel *cvm, const GArray *oscales, double input_scale, int input_precision,
                              MrtTensor *x, GError **error);

/* Divides each integer output by its output scale (float32 results). */
GPtrArray *mrt_dequantize_outputs (GPtrArray *outputs, const GArray *oscales);

G_END_DECLS
