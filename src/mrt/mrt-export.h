/* mrt-export.h: COMPILATION (spec §9): write <Dump_dir>/<Model_name>_cvm/
 * with symbol, params, data.npy and ext, atomically, after checking the
 * model against every CVM loader rule. */
#pragma once

#include "mrt-pipeline.h"

G_BEGIN_DECLS

/* sample: one float batch at the compile batch size (quantized into data.npy).
 * A cancel is honoured until the finished folder is swapped into place
 * (G_IO_ERROR_CANCELLED; the previous export and no temporary folder stay). */
gboolean mrt_export_cvm (MrtModel *final, const GArray *oscales, double input_scale, int input_precision,
                         const MrtShape *input_shape_with_minus1, MrtTensor *sample, const char *dump_dir,
                         const char *model_name, char **out_dir, guint64 *out_gas, GCancellable *cancellable,
                         GError **error);

/* Parses the text of an exported folder's `ext` (what names it in errors).
 * Every member is type-checked: a wrong type is a GError, never a critical. */
gboolean mrt_parse_cvm_ext (const char *text, gsize len, const char *what, GArray **oscales, double *input_scale,
                            int *input_precision, MrtShape *input_shape, GError **error);

/* Reads the one-line `ext` of an exported folder. */
gboolean mrt_read_cvm_ext (const char *dir, GArray **oscales, double *input_scale, int *input_precision,
                           MrtShape *input_shape, GError **error);

G_END_DECLS
