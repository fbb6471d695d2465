/* studio-application.c: application-wide actions, accelerators and the
 * mapping from command line files to windows. */
#include "config.h"

#include "studio-application.h"

#include <glib/gi18n.h>

#include "studio-preferences.h"
#include "studio-settings.h"
#include "studio-window.h"

struct _StudioApplication {
  AdwApplication parent_instance;
};

G_DEFINE_FINAL_TYPE (StudioApplication, studio_application, ADW_TYPE_APPLICATION)

char *
studio_application_find_sample (void)
{
  /* Installed location first; the source tree keeps `mrt-studio` usable
   * straight from the build directory. */
  static const char *const candidates[] = {
    PKGDATADIR "/sample/fashion_cnn.json",
    SOURCE_SAMPLEDIR "/fashion_cnn.json",
  };
  for (guint i = 0; i < G_N_ELEMENTS (candidates); i++)
    if (g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (candidates[i]);
  return NULL;
}

static void
studio_application_activate (GApplication *app)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (app));
  g_autofree char *sample = NULL;

  if (window)
    {
      gtk_window_present (window);
      return;
    }
  window = GTK_WINDOW (studio_window_new (GTK_APPLICATION (app)));
  sample = studio_application_find_sample ();
  if (sample)
    {
      g_autoptr (GFile) file = g_file_new_for_path (sample);
      studio_window_open (STUDIO_WINDOW (window), file);
    }
  gtk_window_present (window);
}

static void
studio_application_open (GApplication *app, GFile **files, int n_files, const char *hint)
{
  for (int i = 0; i < n_files; i++)
    {
      StudioWindow *window = studio_window_new (GTK_APPLICATION (app));
      studio_window_open (window, files[i]);
      gtk_window_present (GTK_WINDOW (window));
    }
}

/* The notes of the newest release, as in the AppStream metainfo: the same
 * strings, so one translation serves both. */
static char *
release_notes (void)
{
  const char *items[] = {
    N_("Open MXNet symbol and parameter files and browse the model graph"),
    N_("Prepare, split, calibrate, quantize and merge models the MRT way"),
    N_("Evaluate the float and the integer model on a dataset"),
    N_("Export CVM models, also with the mrt command"),
    N_("Preferences for threads, calibration and datasets, dark style and a German translation"),
  };
  GString *notes = g_string_new (NULL);

  g_string_append_printf (notes, "<p>%s</p><ul>", _("First release."));
  for (guint i = 0; i < G_N_ELEMENTS (items); i++)
    {
      g_autofree char *item = g_markup_escape_text (_(items[i]), -1);
      g_string_append_printf (notes, "<li>%s</li>", item);
    }
  g_string_append (notes, "</ul>");
  return g_string_free (notes, FALSE);
}

static void
action_about (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  static const char *developers[] = { "The MRT Studio developers", NULL };
  GtkApplication *app = GTK_APPLICATION (user_data);
  g_autofree char *notes = release_notes ();
  GtkWidget *about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                                   "transient-for", gtk_application_get_active_window (app),
                                   "application-name", _("MRT Studio"),
                                   "application-icon", APP_ID,
                                   "developer-name", _("The MRT Studio developers"),
                                   "version", PACKAGE_VERSION,
                                   "comments", _("Turn MXNet floating point models into integer CVM models"),
                                   "website", "https://github.com/cortexlabs/mrt-studio",
                                   "issue-url", "https://github.com/cortexlabs/mrt-studio/issues",
                                   "developers", developers,
                                   "copyright", _("© 2026 The MRT Studio developers"),
                                   "license-type", GTK_LICENSE_APACHE_2_0,
                                   "release-notes-version", PACKAGE_VERSION,
                                   "release-notes", notes,
                                   /* Translators: your names, one per line */
                                   "translator-credits", _("translator-credits"),
                                   NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
action_preferences (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (user_data));
  StudioPreferences *prefs = studio_preferences_new (studio_settings_get (), parent);
  gtk_window_present (GTK_WINDOW (prefs));
}

/* Opens a file of the recent list in the active window, or a new one. */
static void
action_open_recent (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkApplication *app = GTK_APPLICATION (user_data);
  GtkWindow *window = gtk_application_get_active_window (app);
  g_autoptr (GFile) file = g_file_new_for_path (g_variant_get_string (param, NULL));

  if (!STUDIO_IS_WINDOW (window))
    window = GTK_WINDOW (studio_window_new (app));
  studio_window_open (STUDIO_WINDOW (window), file);
  gtk_window_present (window);
}

static void
action_quit (GSimpleAction *action, GVariant *param, gpointer user_data)
{
  GtkWindow *window = gtk_application_get_active_window (GTK_APPLICATION (user_data));

  /* Quitting skips the windows' close-request, where their size is saved. */
  if (window)
    studio_settings_save_window (window);
  g_application_quit (G_APPLICATION (user_data));
}

static const GActionEntry app_actions[] = {
  { "about", action_about },
  { "preferences", action_preferences },
  { "open-recent", action_open_recent, "s" },
  /* Never enabled: greys out the "No Recent Files" placeholder. */
  { "no-recent", NULL },
  { "quit", action_quit },
};

static void
set_accels (GtkApplication *app, const char *action, const char *accel, const char *accel2)
{
  const char *accels[] = { accel, accel2, NULL };
  gtk_application_set_accels_for_action (app, action, accels);
}

static void
set_enabled (GApplication *app, const char *name, gboolean enabled)
{
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (app), name)), enabled);
}

static void
studio_application_startup (GApplication *app)
{
  G_APPLICATION_CLASS (studio_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (app), app_actions, G_N_ELEMENTS (app_actions), app);
  studio_settings_init ();
  gtk_window_set_default_icon_name (APP_ID);
  /* Without the schema there is nothing for the preferences to show. */
  set_enabled (app, "preferences", studio_settings_get () != NULL);
  set_enabled (app, "no-recent", FALSE);
  set_accels (GTK_APPLICATION (app), "app.preferences", "<Control>comma", NULL);
  set_accels (GTK_APPLICATION (app), "app.quit", "<Control>q", NULL);
  set_accels (GTK_APPLICATION (app), "window.close", "<Control>w", NULL);
  set_accels (GTK_APPLICATION (app), "win.open", "<Control>o", NULL);
  set_accels (GTK_APPLICATION (app), "win.fit", "<Control>0", NULL);
  set_accels (GTK_APPLICATION (app), "win.zoom-in", "<Control>plus", "<Control>equal");
  set_accels (GTK_APPLICATION (app), "win.zoom-out", "<Control>minus", NULL);
  set_accels (GTK_APPLICATION (app), "win.zoom-reset", "<Control>1", NULL);
}

static void
studio_application_class_init (StudioApplicationClass *klass)
{
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);
  app_class->startup = studio_application_startup;
  app_class->activate = studio_application_activate;
  app_class->open = studio_application_open;
}

static void
studio_application_init (StudioApplication *self)
{
}

StudioApplication *
studio_application_new (void)
{
  return g_object_new (STUDIO_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_OPEN,
                       "resource-base-path", "/org/cortex/MrtStudio",
                       NULL);
}
