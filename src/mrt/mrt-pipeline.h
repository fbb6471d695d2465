/* mrt-pipeline.h: the MRT stages as functions from an immutable state to a
 * new state, the checkpoints they write (spec §1.2), Start= resume (§1.3),
 * and GTask wrappers for the GUI. A failed or cancelled stage returns NULL
 * and leaves its input state as it was. */
#pragma once

#include "mrt-calibrate.h"
#include "mrt-config.h"
#include "mrt-model.h"
#include "mrt-progress.h"
#include "mrt-quantize.h"

G_BEGIN_DECLS

#define MRT_PIPELINE_ERROR (mrt_pipeline_error_quark ())
typedef enum {
  MRT_PIPELINE_ERROR_ORDER,      /* a stage's input is missing: run the earlier stage */
  MRT_PIPELINE_ERROR_CHECKPOINT, /* a checkpoint is missing or unreadable */
} MrtPipelineError;
GQuark mrt_pipeline_error_quark (void);

typedef struct {
  char *name;
  char *op;
  double sqnr_db;
  double cosine;
} MrtLayerError;

typedef struct {
  guint64 samples;
  double float_top1, float_top5;
  double quant_top1, quant_top5;
  GArray *running_float; /* double: cumulative top-1 after each batch */
  GArray *running_quant;
  guint n_classes;
  guint64 *class_total;   /* per class */
  guint64 *class_float;   /* correct top-1 per class */
  guint64 *class_quant;
  GPtrArray *layers;      /* MrtLayerError*, graph order */
  gboolean float_reused;  /* the float results came from the previous evaluation */
} MrtEvaluation;

MrtEvaluation *mrt_evaluation_new (guint n_classes);
MrtEvaluation *mrt_evaluation_ref (MrtEvaluation *ev);
void mrt_evaluation_unref (MrtEvaluation *ev);

typedef struct {
  MrtStage stage;
  double seconds;
} MrtStageTime;

typedef struct {
  MrtModel *original;
  MrtModel *prepared;
  MrtModel *base;            /* split only */
  MrtModel *top;             /* split only */
  MrtCalibration *calibration;
  GHashTable *thresholds;    /* name -> double*, the calibrated values (also after a resume) */
  MrtQuantized *quantized;   /* of the prepared model, or of base when split */
  MrtModel *final;           /* the complete quantized model (merged when split) */
  GArray *oscales;           /* double per final output */
  double input_scale;
  int input_precision;
  MrtEvaluation *evaluation;
  char *export_dir;
  guint64 gas;
  GArray *times;             /* MrtStageTime */
} MrtState;

MrtState *mrt_state_new (MrtModel *original);
MrtState *mrt_state_ref (MrtState *state);
void mrt_state_unref (MrtState *state);
/* The model calibration and quantization work on: base when split, else prepared. */
MrtModel *mrt_state_quant_input (const MrtState *state);
/* Is the stage's output present in this state? */
gboolean mrt_state_has (const MrtState *state, MrtStage stage);

/* Loads <Model_dir>/<Model_name>.json/.params (MRT naming, or MXNet naming). */
MrtModel *mrt_pipeline_load_original (const MrtConfig *config, GError **error);

/* One stage. thresholds given to QUANTIZATION are config->thresholds applied
 * over the calibrated values. */
MrtState *mrt_stage_run (MrtStage stage, MrtState *input, const MrtConfig *config, const MrtProgress *progress,
                         GError **error);
/* Loads the checkpoint of `stage` (Start= semantics) on top of input. */
MrtState *mrt_stage_load (MrtStage stage, MrtState *input, const MrtConfig *config, GError **error);

/* Runs everything a main2 configuration asks for, from Start= on. */
MrtState *mrt_pipeline_run (const MrtConfig *config, const MrtProgress *progress, GError **error);
/* Runs the planned stages (mrt_pipeline_plan) from state, stopping after
 * last (MRT_STAGE_DEFAULT: all of them). state is not changed; the result is
 * a new reference. */
MrtState *mrt_pipeline_run_stages (MrtState *state, const MrtConfig *config, MrtStage last,
                                   const MrtProgress *progress, GError **error);
/* The stages mrt_pipeline_run runs for this configuration, in order. */
GArray *mrt_pipeline_plan (const MrtConfig *config);

/* GTask wrappers: the worker reports progress through func (from the worker
 * thread). config must stay alive until the callback. */
void mrt_stage_run_async (MrtStage stage, MrtState *input, const MrtConfig *config, MrtProgressFunc func,
                          gpointer func_data, GCancellable *cancellable, GAsyncReadyCallback callback,
                          gpointer user_data);
MrtState *mrt_stage_run_finish (GAsyncResult *result, GError **error);

/* Checkpoint ext files */
gboolean mrt_write_mrt_ext (const char *path, const MrtQuantized *q, GHashTable *th, GError **error);
gboolean mrt_write_all_ext (const char *path, const GArray *oscales, double input_scale, int input_precision,
                            const MrtShape *input_shape, GError **error);

/* Reads main2's 6-line (or V3's 2-line) .all.quantize.ext. */
gboolean mrt_read_all_ext (const char *path, GArray **oscales, double *input_scale, int *input_precision,
                           GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtState, mrt_state_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtEvaluation, mrt_evaluation_unref)

G_END_DECLS
