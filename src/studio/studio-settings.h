/* studio-settings.h: the org.cortex.MrtStudio GSettings and what hangs off
 * them: preferences read elsewhere, the recent files lists, the thread count
 * handed to OpenBLAS and the saved window geometry. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-ini.h"

G_BEGIN_DECLS

#define STUDIO_RECENT_MAX 10
#define STUDIO_RECENT_MODELS "recent-models"
#define STUDIO_RECENT_PROJECTS "recent-projects"

/* The shared settings, or NULL when the schema is not installed (the app
 * then runs on defaults and remembers nothing). */
GSettings *studio_settings_get (void);
/* Applies the thread count now and whenever it changes. Called once at start. */
void studio_settings_init (void);

/* Threads OpenBLAS gets for a "thread-count" value: 0 keeps the count it
 * chose by itself at start (honouring OPENBLAS_NUM_THREADS). */
int studio_settings_resolve_threads (int setting, int automatic);
/* The count OpenBLAS chose before any preference was applied. */
int studio_settings_get_automatic_threads (void);

/* Defaults for a new project: "absmax", "lambda", "kl" or "percentile";
 * the dataset folder or NULL. Without settings they give the schema defaults. */
char *studio_settings_dup_calibration_method (void);
char *studio_settings_dup_dataset_folder (void);
/* Writes those defaults into the .ini of a new project: the method only
 * when it is not absmax (MRT's own default, so upstream MRT reads the file
 * the same way), the folder only when one is set. A lambda default leaves
 * Lambda as it is: the project then asks for a value. */
void studio_settings_apply_project_defaults (MrtIni *ini);

/* Puts path first in a recent list (STUDIO_RECENT_MODELS or
 * STUDIO_RECENT_PROJECTS), dropping older duplicates and keeping at most
 * STUDIO_RECENT_MAX entries. */
void studio_settings_add_recent (const char *key, const char *path);
void studio_settings_add_recent_model (const char *path);
void studio_settings_add_recent_project (const char *path);
/* Pure list update behind studio_settings_add_recent(); returns a new array. */
char **studio_settings_push_recent (const char *const *list, const char *path);

/* Fills menu with the recent files as "app.open-recent" items and keeps it
 * up to date for as long as the menu lives. */
void studio_settings_bind_recent_menu (GMenu *menu);

/* Restores the saved size and maximized state, and saves them when the
 * window is closed. */
void studio_settings_track_window (GtkWindow *window);
void studio_settings_save_window (GtkWindow *window);

G_END_DECLS
