/* studio-settings.c: the application's GSettings, shared by every window,
 * and the few places where a setting takes effect outside the preferences. */
#include "config.h"

#include "studio-settings.h"

#include <cblas.h>
#include <glib/gi18n.h>

static int automatic_threads = -1;

GSettings *
studio_settings_get (void)
{
  static GSettings *settings;
  static gsize once;

  if (g_once_init_enter (&once))
    {
      GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
      g_autoptr (GSettingsSchema) schema = source ? g_settings_schema_source_lookup (source, APP_ID, TRUE) : NULL;

      if (schema)
        settings = g_settings_new_full (schema, NULL, NULL);
      else
        g_message ("GSettings schema %s is not installed: preferences and recent files are not saved. "
                   "Install MRT Studio or point GSETTINGS_SCHEMA_DIR at <builddir>/data.",
                   APP_ID);
      g_once_init_leave (&once, 1);
    }
  return settings;
}

/* ---- threads ------------------------------------------------------------- */

int
studio_settings_resolve_threads (int setting, int automatic)
{
  return setting > 0 ? setting : MAX (automatic, 1);
}

int
studio_settings_get_automatic_threads (void)
{
  if (automatic_threads < 0)
    automatic_threads = MAX (openblas_get_num_threads (), 1);
  return automatic_threads;
}

static void
apply_threads (GSettings *settings)
{
  int automatic = studio_settings_get_automatic_threads ();
  openblas_set_num_threads (studio_settings_resolve_threads (g_settings_get_int (settings, "thread-count"), automatic));
}

void
studio_settings_init (void)
{
  GSettings *settings = studio_settings_get ();

  /* Remember OpenBLAS' own choice before overriding it. */
  studio_settings_get_automatic_threads ();
  if (!settings)
    return;
  apply_threads (settings);
  g_signal_connect (settings, "changed::thread-count", G_CALLBACK (apply_threads), NULL);
}

/* ---- new project defaults ------------------------------------------------ */

char *
studio_settings_dup_calibration_method (void)
{
  GSettings *settings = studio_settings_get ();
  return settings ? g_settings_get_string (settings, "calibration-method") : g_strdup ("absmax");
}

char *
studio_settings_dup_dataset_folder (void)
{
  GSettings *settings = studio_settings_get ();
  g_autofree char *folder = settings ? g_settings_get_string (settings, "dataset-folder") : NULL;
  return folder && *folder ? g_steal_pointer (&folder) : NULL;
}

void
studio_settings_apply_project_defaults (MrtIni *ini)
{
  g_autofree char *method = studio_settings_dup_calibration_method ();
  g_autofree char *folder = studio_settings_dup_dataset_folder ();

  g_return_if_fail (ini != NULL);
  if (!g_str_equal (method, "absmax"))
    mrt_ini_set (ini, "CALIBRATION", "Calibration_method", method);
  if (folder)
    mrt_ini_set (ini, "CALIBRATION", "Dataset_dir", folder);
}

/* ---- recent files -------------------------------------------------------- */

char **
studio_settings_push_recent (const char *const *list, const char *path)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint n = 1;

  g_strv_builder_add (builder, path);
  for (guint i = 0; list && list[i] && n < STUDIO_RECENT_MAX; i++)
    if (!g_str_equal (list[i], path))
      {
        g_strv_builder_add (builder, list[i]);
        n++;
      }
  return g_strv_builder_end (builder);
}

void
studio_settings_add_recent (const char *key, const char *path)
{
  GSettings *settings = studio_settings_get ();
  g_auto (GStrv) old = NULL;
  g_auto (GStrv) list = NULL;

  g_return_if_fail (key != NULL);
  if (!settings || !path || !*path)
    return;
  old = g_settings_get_strv (settings, key);
  list = studio_settings_push_recent ((const char *const *) old, path);
  g_settings_set_strv (settings, key, (const char *const *) list);
}

void
studio_settings_add_recent_model (const char *path)
{
  studio_settings_add_recent (STUDIO_RECENT_MODELS, path);
}

void
studio_settings_add_recent_project (const char *path)
{
  studio_settings_add_recent (STUDIO_RECENT_PROJECTS, path);
}

/* File names are full of underscores, which menus would take for mnemonics. */
static char *
menu_label_for_path (const char *path)
{
  g_autofree char *base = g_path_get_basename (path);
  g_auto (GStrv) parts = g_strsplit (base, "_", -1);
  return g_strjoinv ("__", parts);
}

static void
fill_section (GMenu *section, GSettings *settings, const char *key)
{
  g_auto (GStrv) list = g_settings_get_strv (settings, key);

  for (guint i = 0; list[i]; i++)
    {
      g_autofree char *label = menu_label_for_path (list[i]);
      g_autoptr (GMenuItem) item = g_menu_item_new (label, NULL);
      g_menu_item_set_action_and_target_value (item, "app.open-recent", g_variant_new_string (list[i]));
      g_menu_append_item (section, item);
    }
}

static void
refill_recent_menu (GMenu *menu)
{
  GSettings *settings = studio_settings_get ();
  g_autoptr (GMenu) models = g_menu_new ();
  g_autoptr (GMenu) projects = g_menu_new ();

  g_menu_remove_all (menu);
  fill_section (models, settings, STUDIO_RECENT_MODELS);
  fill_section (projects, settings, STUDIO_RECENT_PROJECTS);
  if (g_menu_model_get_n_items (G_MENU_MODEL (models)) > 0)
    g_menu_append_section (menu, _("Models"), G_MENU_MODEL (models));
  if (g_menu_model_get_n_items (G_MENU_MODEL (projects)) > 0)
    g_menu_append_section (menu, _("Projects"), G_MENU_MODEL (projects));
  if (g_menu_model_get_n_items (G_MENU_MODEL (menu)) == 0)
    {
      /* app.no-recent is always disabled, so the placeholder shows greyed out. */
      g_autoptr (GMenuItem) none = g_menu_item_new (_("No Recent Files"), "app.no-recent");
      g_menu_append_item (menu, none);
    }
}

void
studio_settings_bind_recent_menu (GMenu *menu)
{
  GSettings *settings = studio_settings_get ();

  g_return_if_fail (G_IS_MENU (menu));
  if (!settings)
    return;
  refill_recent_menu (menu);
  g_signal_connect_object (settings, "changed::" STUDIO_RECENT_MODELS, G_CALLBACK (refill_recent_menu), menu,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (settings, "changed::" STUDIO_RECENT_PROJECTS, G_CALLBACK (refill_recent_menu), menu,
                           G_CONNECT_SWAPPED);
}

/* ---- window geometry ----------------------------------------------------- */

void
studio_settings_save_window (GtkWindow *window)
{
  GSettings *settings = studio_settings_get ();
  int width = 0, height = 0;

  g_return_if_fail (GTK_IS_WINDOW (window));
  if (!settings)
    return;
  /* The default size follows the window as it is resized, but not into
   * the maximized state, so it is the size to come back to. */
  gtk_window_get_default_size (window, &width, &height);
  if (width > 0 && height > 0)
    {
      g_settings_set_int (settings, "window-width", width);
      g_settings_set_int (settings, "window-height", height);
    }
  g_settings_set_boolean (settings, "window-maximized", gtk_window_is_maximized (window));
}

static gboolean
on_close_request (GtkWindow *window)
{
  studio_settings_save_window (window);
  return FALSE;
}

void
studio_settings_track_window (GtkWindow *window)
{
  GSettings *settings = studio_settings_get ();
  int width, height;

  g_return_if_fail (GTK_IS_WINDOW (window));
  if (!settings)
    return;
  width = g_settings_get_int (settings, "window-width");
  height = g_settings_get_int (settings, "window-height");
  if (width > 0 && height > 0)
    gtk_window_set_default_size (window, width, height);
  if (g_settings_get_boolean (settings, "window-maximized"))
    gtk_window_maximize (window);
  g_signal_connect (window, "close-request", G_CALLBACK (on_close_request), NULL);
}
