/* mrt-config.h: the typed MRT main2 configuration (spec §2) read from an .ini,
 * with every value checked before any stage runs, plus MRT's helpers
 * (set_batch, batch_axis, checkpoint names). */
#pragma once

#include "mrt-ini.h"
#include "mrt-tensor.h"

G_BEGIN_DECLS

#define MRT_CONFIG_ERROR (mrt_config_error_quark ())
typedef enum {
  MRT_CONFIG_ERROR_MISSING, /* required option without value */
  MRT_CONFIG_ERROR_VALUE,   /* a value that does not parse or is out of range */
  MRT_CONFIG_ERROR_PATH,    /* a directory that does not exist */
  MRT_CONFIG_ERROR_CHECKPOINT,
} MrtConfigError;
GQuark mrt_config_error_quark (void);

/* Stage indices as used by Start= (spec §1.3). */
typedef enum {
  MRT_STAGE_DEFAULT = 0,
  MRT_STAGE_PREPARE,
  MRT_STAGE_SPLIT_MODEL,
  MRT_STAGE_CALIBRATION,
  MRT_STAGE_QUANTIZATION,
  MRT_STAGE_MERGE_MODEL,
  MRT_STAGE_EVALUATION,
  MRT_STAGE_COMPILATION,
} MrtStage;

const char *mrt_stage_name (MrtStage stage);

typedef enum {
  MRT_CALIB_ABSMAX,
  MRT_CALIB_LAMBDA,
  MRT_CALIB_KL,
  MRT_CALIB_PERCENTILE,
} MrtCalibMethod;

typedef struct {
  char *op;
  char *attr;
  char *key;
} MrtAttributeDep;

typedef struct {
  char *name;
  char *key; /* NULL for "None" (scale 1) */
} MrtOscaleMap;

typedef struct {
  char *path;     /* the .ini, when loaded from a file */
  char *base_dir; /* relative paths are resolved against it */

  /* DEFAULT */
  char *model_dir;
  char *model_name;
  char *device_type;
  GArray *device_ids; /* int */
  int verbosity;
  MrtShape input_shape; /* one -1 on the batch axis */
  MrtStage start;

  /* PREPARE */
  gboolean prepare_dump;
  gboolean equalize; /* extension: cross-layer equalization after prepare */

  /* SPLIT_MODEL */
  GPtrArray *split_keys; /* char*; empty: no split */
  gboolean split_dump;

  /* CALIBRATION */
  char *dataset;
  char *dataset_dir;
  int calib_batch;
  int calibrate_num;
  gboolean has_lambda;
  double lambda;
  MrtCalibMethod calib_method; /* extension: Calibration_method */
  double percentile;           /* extension: Percentile, in (0, 100] */
  gboolean calib_dump;

  /* QUANTIZATION */
  int input_precision;
  int output_precision; /* 0: not set */
  double softmax_lambd;
  int shift_bits;
  GHashTable *thresholds; /* name -> double* */
  GPtrArray *restore_names;
  gboolean quant_dump;
  int per_channel; /* extension Per_channel: 0 auto (depthwise), 1 False, 2 True (MrtPerChannel) */
  gboolean bias_correction; /* extension Bias_correction: empirical per-channel bias correction */

  /* MERGE_MODEL */
  GPtrArray *attribute_deps; /* MrtAttributeDep* */
  GPtrArray *oscale_maps;    /* MrtOscaleMap*, in file order */
  gboolean merge_dump;

  /* EVALUATION (optional section) */
  gboolean has_evaluation;
  int eval_batch;
  int iter_num;

  /* COMPILATION (optional section) */
  gboolean has_compilation;
  int compile_batch;
  char *dump_dir;

  /* One-line notes for the user (e.g. "GPU requested; computing on CPU"). */
  GPtrArray *notes;
} MrtConfig;

/* base_dir: where relative paths are resolved (NULL: the current directory). */
MrtConfig *mrt_config_from_ini (const MrtIni *ini, const char *base_dir, GError **error);
MrtConfig *mrt_config_load (const char *path, GError **error);
void mrt_config_free (MrtConfig *config);

/* MRT helpers */
int mrt_batch_axis (const MrtShape *shape);
MrtShape mrt_set_batch (const MrtShape *shape, gint64 batch);
/* <Model_dir>/<Model_name><suffix>, e.g. suffix ".prepare" → …/m.prepare */
char *mrt_config_load_fname (const MrtConfig *config, const char *suffix);
/* TRUE when <base>.json and <base>.params (and <base>.ext when with_ext) exist. */
gboolean mrt_checkpoint_exist (const char *base, gboolean with_ext);

/* Value parsers with configparser/Python-literal semantics (exported for tests). */
gboolean mrt_config_parse_int (const char *text, gint64 *out);
gboolean mrt_config_parse_float (const char *text, double *out);
gboolean mrt_config_parse_bool (const char *text, gboolean *out);
/* ARRAY(str): split on ',', strip, drop empty items. */
GPtrArray *mrt_config_parse_array (const char *text);
/* PAIR(t1,…,tn): items "a: b: c" with exactly n fields; NULL + error on a
 * wrong field count. Returns GPtrArray of GStrv. */
GPtrArray *mrt_config_parse_pairs (const char *text, guint n, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtConfig, mrt_config_free)

G_END_DECLS
