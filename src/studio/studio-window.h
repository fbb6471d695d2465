/* studio-window.h: the main window: header bar, the model canvas, and the
 * empty / loading / error states around it. */
#pragma once

#include <adwaita.h>

#include "mrt-model.h"
#include "studio-graph-view.h"

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

/* "lenet" for ".../lenet-symbol.json", ".../lenet.json" or ".../lenet". */
char *studio_window_model_name_for_path (const char *path);

G_END_DECLS
