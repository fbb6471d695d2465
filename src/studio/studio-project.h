/* studio-project.h: a project is an MRT main2 `.ini` plus the model it
 * names. The `.ini` is edited in place (mrt_ini_set), so the user's comments
 * and option order survive a save; the GUI's choices live in it:
 * [SPLIT_MODEL] Keys and [QUANTIZATION] Thresholds. GTK-free.
 *
 * A model opened without an `.ini` gets a project made from a template
 * with every main2 section, Model_name and Input_shape filled in; it has no
 * path until the first save. */
#pragma once

#include <glib-object.h>

#include "mrt-config.h"
#include "mrt-ini.h"
#include "mrt-model.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_PROJECT (studio_project_get_type ())
G_DECLARE_FINAL_TYPE (StudioProject, studio_project, STUDIO, PROJECT, GObject)

/* model_path: the symbol file (or MXNet prefix) that was opened; model, when
 * given, fills Input_shape (from the input's __shape__ or the first layer). */
StudioProject *studio_project_new_for_model (const char *model_path, const MrtModel *model);
/* Reads an `.ini`; the model is not loaded (see studio_project_get_model_prefix). */
StudioProject *studio_project_load (const char *ini_path, GError **error);
/* "<dir>/<name>.ini" next to a model file, when it exists and names that
 * model; NULL otherwise. Lets opening a model pick up its project. */
char *studio_project_find_for_model (const char *model_path);

/* NULL until the project was saved or loaded. */
const char *studio_project_get_path (StudioProject *self);
/* Where relative paths resolve: the `.ini`'s folder, or the model's while unsaved. */
const char *studio_project_get_base_dir (StudioProject *self);
/* <Model_dir>/<Model_name> as MRT reads it (empty Model_dir: the `.ini`'s
 * folder). Checks nothing, so a project whose other options are not valid
 * yet still opens its model. */
char *studio_project_get_model_prefix (StudioProject *self);
const char *studio_project_get_model_name (StudioProject *self);

/* The `.ini` itself, for reading. Change it only through the setters below,
 * or call studio_project_touch() after editing it, so "changed" is emitted. */
MrtIni *studio_project_get_ini (StudioProject *self);
void studio_project_touch (StudioProject *self);
/* The typed configuration of the current content (for running stages). */
MrtConfig *studio_project_build_config (StudioProject *self, GError **error);

/* [SPLIT_MODEL] Keys: names of prepared-graph nodes, in the file's order. */
GPtrArray *studio_project_get_split_keys (StudioProject *self);
gboolean studio_project_has_split_key (StudioProject *self, const char *name);
/* Both return FALSE when nothing changed (key already there / absent). */
gboolean studio_project_add_split_key (StudioProject *self, const char *name);
gboolean studio_project_remove_split_key (StudioProject *self, const char *name);

/* [QUANTIZATION] Thresholds overrides: name -> double*, a new table. A
 * malformed item in a hand-edited file is skipped rather than fatal. */
GHashTable *studio_project_get_thresholds (StudioProject *self);
gboolean studio_project_get_threshold (StudioProject *self, const char *name, double *value);
void studio_project_set_threshold (StudioProject *self, const char *name, double value);
gboolean studio_project_clear_threshold (StudioProject *self, const char *name);

/* Saves atomically to path (NULL: the current path). Saving elsewhere
 * rewrites Model_dir when needed so the `.ini` still finds its model. */
gboolean studio_project_save (StudioProject *self, const char *path, GError **error);
gboolean studio_project_is_modified (StudioProject *self);

G_END_DECLS
