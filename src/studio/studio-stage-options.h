/* studio-stage-options.h: the `.ini` options of each stage as preference
 * rows (entries, switches, a combo, folders), written straight into the
 * project's `.ini`, with the default shown while a value is empty and the
 * configuration error shown next to the option it names. */
#pragma once

#include <adwaita.h>

#include "mrt-config.h"
#include "studio-project.h"

G_BEGIN_DECLS

typedef struct _StudioStageOptions StudioStageOptions;

StudioStageOptions *studio_stage_options_new (void);
void studio_stage_options_free (StudioStageOptions *options);

/* Adds the rows of the stage's options to expander, and a hidden row for
 * errors at the end. */
void studio_stage_options_add_rows (StudioStageOptions *options, MrtStage stage, AdwExpanderRow *expander);
/* Binds the rows to a project (NULL: no project; rows are cleared). */
void studio_stage_options_set_project (StudioStageOptions *options, StudioProject *project);
/* Re-reads every value from the project (after a change made elsewhere);
 * rows whose text already matches are left alone. */
void studio_stage_options_refresh (StudioStageOptions *options);
/* Shows a configuration error next to the option it names (NULL clears).
 * Returns the stage the option belongs to, or MRT_STAGE_DEFAULT when the
 * message names no option shown here. */
MrtStage studio_stage_options_show_error (StudioStageOptions *options, const GError *error);

/* The row of an option, e.g. ("CALIBRATION", "Batch"), or NULL. */
GtkWidget *studio_stage_options_get_row (StudioStageOptions *options, const char *section, const char *key);
/* The error row of a stage (hidden when there is no error). */
GtkWidget *studio_stage_options_get_error_row (StudioStageOptions *options, MrtStage stage);

G_END_DECLS
