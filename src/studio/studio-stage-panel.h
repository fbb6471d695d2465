/* studio-stage-panel.h: the pipeline sidebar: one row per stage (prepare →
 * split → calibrate → quantize → merge → evaluate → compile) with its
 * status, its `.ini` settings and a run button; "Run All"; the progress of
 * the running stage with elapsed time and Cancel. Owns the stage runner and
 * keeps its configuration in step with the project's `.ini`. */
#pragma once

#include <adwaita.h>

#include "studio-project.h"
#include "studio-stage-runner.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_STAGE_PANEL (studio_stage_panel_get_type ())
G_DECLARE_FINAL_TYPE (StudioStagePanel, studio_stage_panel, STUDIO, STAGE_PANEL, GtkWidget)

GtkWidget *studio_stage_panel_new (void);

/* The project whose settings the stages use (NULL: none). */
void studio_stage_panel_set_project (StudioStagePanel *self, StudioProject *project);
StudioProject *studio_stage_panel_get_project (StudioStagePanel *self);
/* The float model the stages start from; forgets every result. */
void studio_stage_panel_set_model (StudioStagePanel *self, MrtModel *model);
StudioStageRunner *studio_stage_panel_get_runner (StudioStagePanel *self);

/* Reports a failed start (busy, invalid settings) in a toast. */
void studio_stage_panel_run_stage (StudioStagePanel *self, MrtStage stage);
void studio_stage_panel_run_all (StudioStagePanel *self);
void studio_stage_panel_cancel (StudioStagePanel *self);

/* The current configuration error, or NULL. */
const GError *studio_stage_panel_get_config_error (StudioStagePanel *self);

/* For tests: a stage's row (an AdwExpanderRow), its run button, an option's
 * row (e.g. "CALIBRATION", "Batch"), and the progress widgets. */
GtkWidget *studio_stage_panel_get_stage_row (StudioStagePanel *self, MrtStage stage);
GtkWidget *studio_stage_panel_get_run_button (StudioStagePanel *self, MrtStage stage);
GtkWidget *studio_stage_panel_get_option_row (StudioStagePanel *self, const char *section, const char *key);
GtkWidget *studio_stage_panel_get_option_error_row (StudioStagePanel *self, MrtStage stage);
GtkProgressBar *studio_stage_panel_get_progress_bar (StudioStagePanel *self);
GtkLabel *studio_stage_panel_get_elapsed_label (StudioStagePanel *self);

/* User-facing stage names: "Prepare", "Split", "Calibrate", … */
const char *studio_stage_panel_stage_title (MrtStage stage);

G_END_DECLS
