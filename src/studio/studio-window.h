/* studio-window.h: the main window: header bar, the model canvas, and the
 * empty / loading / error states around it. */
#pragma once

#include <adwaita.h>

#include "mrt-model.h"
#include "studio-graph-view.h"
#include "studio-project.h"
#include "studio-results-pane.h"
#include "studio-stage-panel.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_WINDOW (studio_window_get_type ())
G_DECLARE_FINAL_TYPE (StudioWindow, studio_window, STUDIO, WINDOW, AdwApplicationWindow)

StudioWindow *studio_window_new (GtkApplication *application);

/* Loads an MXNet model (symbol JSON or prefix) in a worker thread; the window
 * shows a spinner meanwhile and an error dialog if loading fails. */
void studio_window_open (StudioWindow *self, GFile *file);
/* Shows an already loaded model. path names it in the title and may be NULL. */
void studio_window_set_model (StudioWindow *self, MrtModel *model, const char *path);
MrtModel *studio_window_get_model (StudioWindow *self);
gboolean studio_window_get_loading (StudioWindow *self);
StudioGraphView *studio_window_get_graph_view (StudioWindow *self);
/* The project of the shown model (NULL without a model). Opening a model
 * picks up the .ini next to it that names it, or starts a fresh project;
 * studio_window_open() also takes a project .ini. */
StudioProject *studio_window_get_project (StudioWindow *self);
StudioStagePanel *studio_window_get_stage_panel (StudioWindow *self);
StudioResultsPane *studio_window_get_results_pane (StudioWindow *self);

/* "lenet" for ".../lenet-symbol.json", ".../lenet.json" or ".../lenet". */
char *studio_window_model_name_for_path (const char *path);

G_END_DECLS
