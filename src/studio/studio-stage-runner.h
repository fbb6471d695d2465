/* studio-stage-runner.h: runs MRT stages for the GUI. Keeps each stage's
 * result and the settings it consumed (so later edits mark it out of date),
 * runs jobs of stages one GTask at a time, and forwards worker progress to
 * the main loop through one low-priority idle. No GTK in here. */
#pragma once

#include "mrt-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_STAGE_FIRST MRT_STAGE_PREPARE
#define STUDIO_STAGE_LAST MRT_STAGE_COMPILATION
/* Arrays indexed by MrtStage. */
#define STUDIO_N_STAGES (MRT_STAGE_COMPILATION + 1)

typedef enum {
  STUDIO_STAGE_STATUS_NONE,    /* no result */
  STUDIO_STAGE_STATUS_DONE,    /* result of the current settings */
  STUDIO_STAGE_STATUS_STALE,   /* settings or an earlier result changed since */
  STUDIO_STAGE_STATUS_QUEUED,  /* waits in the running job */
  STUDIO_STAGE_STATUS_RUNNING,
  STUDIO_STAGE_STATUS_FAILED,  /* the last run failed */
} StudioStageStatus;

#define STUDIO_TYPE_STAGE_RUNNER (studio_stage_runner_get_type ())
G_DECLARE_FINAL_TYPE (StudioStageRunner, studio_stage_runner, STUDIO, STAGE_RUNNER, GObject)

StudioStageRunner *studio_stage_runner_new (void);

/* The float model the stages start from. Forgets every result (and cancels
 * a running job). */
void studio_stage_runner_set_model (StudioStageRunner *self, MrtModel *original);
MrtModel *studio_stage_runner_get_model (StudioStageRunner *self);
/* Takes the configuration (NULL: the settings do not parse; nothing can run
 * then, and stages keep comparing with the last valid settings). A running
 * job keeps the configuration it started with. */
void studio_stage_runner_set_config (StudioStageRunner *self, MrtConfig *config);
/* The last valid configuration, or NULL. */
const MrtConfig *studio_stage_runner_get_config (StudioStageRunner *self);
gboolean studio_stage_runner_get_config_valid (StudioStageRunner *self);

StudioStageStatus studio_stage_runner_get_status (StudioStageRunner *self, MrtStage stage);
/* The stage's last result (may be out of date), or NULL. */
MrtState *studio_stage_runner_get_state (StudioStageRunner *self, MrtStage stage);
/* Wall time of the stage's last successful run, seconds. */
double studio_stage_runner_get_seconds (StudioStageRunner *self, MrtStage stage);
/* The error of the last failed run, or NULL. */
const GError *studio_stage_runner_get_error (StudioStageRunner *self, MrtStage stage);
/* The stage whose result `stage` consumes (COMPILATION and EVALUATION both
 * take MERGE_MODEL's); MRT_STAGE_DEFAULT for PREPARE. */
MrtStage studio_stage_runner_input_stage (MrtStage stage);
/* TRUE when the settings the stage's result was made with differ from the
 * current ones (as opposed to an earlier stage's result having changed). */
gboolean studio_stage_runner_get_settings_changed (StudioStageRunner *self, MrtStage stage);
/* A model, valid settings, no job running, and the input stage has a result. */
gboolean studio_stage_runner_can_run (StudioStageRunner *self, MrtStage stage);

/* Runs one stage. FALSE with an error when it cannot run now. */
gboolean studio_stage_runner_run (StudioStageRunner *self, MrtStage stage, GError **error);
/* Runs, in order, every stage up to `last` that is not up to date, and the
 * ones after it that depend on a stage being re-run. */
gboolean studio_stage_runner_run_to (StudioStageRunner *self, MrtStage last, GError **error);
gboolean studio_stage_runner_run_all (StudioStageRunner *self, GError **error);
/* Like run_to, but `last` runs with `config` (taken) and its result is not
 * kept as the stage's result: job-finished hands it over. Used by export. */
gboolean studio_stage_runner_run_with (StudioStageRunner *self, MrtStage last, MrtConfig *config, GError **error);
/* Stages in the job run_all would start, in order (for display and tests). */
GArray *studio_stage_runner_plan (StudioStageRunner *self, MrtStage last);
void studio_stage_runner_cancel (StudioStageRunner *self);

gboolean studio_stage_runner_get_running (StudioStageRunner *self);
/* The running stage, or MRT_STAGE_DEFAULT. */
MrtStage studio_stage_runner_get_current_stage (StudioStageRunner *self);
double studio_stage_runner_get_fraction (StudioStageRunner *self);
const char *studio_stage_runner_get_message (StudioStageRunner *self);
/* g_get_monotonic_time() when the running stage started, or 0. */
gint64 studio_stage_runner_get_stage_started (StudioStageRunner *self);
/* Top-1 accuracy after each batch of the running (or last) evaluation,
 * fractions in [0, 1]; read from the progress lines. */
GArray *studio_stage_runner_get_running_accuracy (StudioStageRunner *self, gboolean quantized);

/* Reads "… evalfunc: top1=90.65% … quantize: top1=90.96% …" (exported for tests). */
gboolean studio_stage_runner_parse_accuracy (const char *message, double *float_top1, double *quant_top1);

G_END_DECLS
