/* mrt-pipeline-private.h: checkpoint files shared by the stages (spec §1.2). */
#pragma once

#include "mrt-pipeline.h"

G_BEGIN_DECLS

/* <Model_dir>/<Model_name><suffix>.json/.params in MXNet format, atomically. */
gboolean mrt_save_checkpoint (const MrtModel *m, const MrtConfig *config, const char *suffix, GError **error);
/* The same files; a missing one is MRT's "Check point of X not found". */
MrtModel *mrt_load_checkpoint (const MrtConfig *config, const char *suffix, MrtStage stage, GError **error);
/* .mrt.calibrate.ext / .mrt.quantize.ext: thresholds, plus the quantization state when q is given. */
gboolean mrt_load_mrt_ext (const char *path, GHashTable **th, MrtQuantized *q, GError **error);
/* .all.quantize.ext into the state's oscales and input scale/precision. */
gboolean mrt_load_all_ext (const char *path, MrtState *s, GError **error);

G_END_DECLS
