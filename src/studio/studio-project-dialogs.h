/* studio-project-dialogs.h: saving a project (with a file chooser when it
 * has no path yet) and the "Save Changes?" prompt when a window with a
 * modified project closes. Saved projects go to the recent files. */
#pragma once

#include <adwaita.h>

#include "studio-project.h"

G_BEGIN_DECLS

/* Called after a save attempt: saved is FALSE when the user cancelled or
 * the save failed (the error was shown). */
typedef void (*StudioSaveDone) (GtkWindow *parent, gboolean saved, gpointer user_data);

/* Saves to the project's path, or asks for one first (always when save_as). */
void studio_project_dialogs_save (GtkWindow *parent, StudioProject *project, gboolean save_as, StudioSaveDone done,
                                  gpointer user_data);
/* Asks Save / Discard / Cancel for a modified project; destroys the window
 * after a save or a discard. */
void studio_project_dialogs_confirm_close (GtkWindow *window, StudioProject *project);
/* Shows an error with the full message. */
void studio_project_dialogs_error (GtkWindow *parent, const char *heading, const GError *error);

G_END_DECLS
