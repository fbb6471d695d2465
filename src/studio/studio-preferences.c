/* studio-preferences.c: the Preferences window. Every row is bound to its
 * GSettings key, so changes apply at once and there is nothing to save. */
#include "config.h"

#include "studio-preferences.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-settings.h"

struct _StudioPreferences {
  AdwPreferencesWindow parent_instance;

  AdwActionRow *threads_row;
  GtkAdjustment *threads_adjustment;
  AdwComboRow *method_row;
  AdwActionRow *dataset_row;

  GSettings *settings;
  GtkFileChooserNative *chooser;
};

G_DEFINE_FINAL_TYPE (StudioPreferences, studio_preferences, ADW_TYPE_PREFERENCES_WINDOW)

/* The nicks of the org.cortex.MrtStudio.CalibrationMethod enum, in the
 * order of the combo row's string list. */
static const char *const method_nicks[] = { "absmax", "lambda", "kl", "percentile" };

const char *
studio_preferences_method_nick (guint index)
{
  return index < G_N_ELEMENTS (method_nicks) ? method_nicks[index] : NULL;
}

/* ---- mappings between settings and widget properties --------------------- */

static gboolean
threads_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  g_value_set_double (value, g_variant_get_int32 (variant));
  return TRUE;
}

static GVariant *
threads_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  return g_variant_new_int32 ((gint32) lround (g_value_get_double (value)));
}

static gboolean
method_get_mapping (GValue *value, GVariant *variant, gpointer user_data)
{
  const char *nick = g_variant_get_string (variant, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (method_nicks); i++)
    if (g_str_equal (nick, method_nicks[i]))
      {
        g_value_set_uint (value, i);
        return TRUE;
      }
  return FALSE;
}

static GVariant *
method_set_mapping (const GValue *value, const GVariantType *type, gpointer user_data)
{
  const char *nick = studio_preferences_method_nick (g_value_get_uint (value));
  return nick ? g_variant_new_string (nick) : NULL;
}

/* ---- subtitles that follow the settings ---------------------------------- */

static void
update_threads_subtitle (StudioPreferences *self)
{
  int n = g_settings_get_int (self->settings, "thread-count");
  g_autofree char *subtitle = NULL;

  if (n > 0)
    subtitle = g_strdup (_("Threads for matrix products and convolutions"));
  else
    {
      int automatic = studio_settings_get_automatic_threads ();
      subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Automatic: %d thread", "Automatic: %d threads",
                                               automatic),
                                  automatic);
    }
  adw_action_row_set_subtitle (self->threads_row, subtitle);
}

static void
update_dataset_row (StudioPreferences *self)
{
  g_autofree char *folder = g_settings_get_string (self->settings, "dataset-folder");

  adw_action_row_set_subtitle (self->dataset_row, *folder ? folder : _("None"));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "prefs.clear-dataset", *folder != '\0');
}

/* ---- dataset folder ------------------------------------------------------ */

static void
on_chooser_response (GtkNativeDialog *dialog, int response, StudioPreferences *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) folder = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = folder ? g_file_get_path (folder) : NULL;
      if (path)
        g_settings_set_string (self->settings, "dataset-folder", path);
    }
  g_clear_object (&self->chooser);
}

static void
action_choose_dataset (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioPreferences *self = STUDIO_PREFERENCES (widget);
  g_autofree char *current = g_settings_get_string (self->settings, "dataset-folder");

  if (self->chooser)
    return;
  self->chooser = gtk_file_chooser_native_new (_("Choose the Dataset Folder"), GTK_WINDOW (self),
                                               GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER, _("_Select"), _("_Cancel"));
  if (*current)
    {
      g_autoptr (GFile) folder = g_file_new_for_path (current);
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), folder, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static void
action_clear_dataset (GtkWidget *widget, const char *name, GVariant *param)
{
  g_settings_reset (STUDIO_PREFERENCES (widget)->settings, "dataset-folder");
}

/* ---- GObject ------------------------------------------------------------- */

static void
studio_preferences_dispose (GObject *object)
{
  StudioPreferences *self = STUDIO_PREFERENCES (object);

  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->settings);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_PREFERENCES);
  G_OBJECT_CLASS (studio_preferences_parent_class)->dispose (object);
}

static void
studio_preferences_class_init (StudioPreferencesClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_preferences_dispose;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-preferences.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioPreferences, threads_row);
  gtk_widget_class_bind_template_child (widget_class, StudioPreferences, threads_adjustment);
  gtk_widget_class_bind_template_child (widget_class, StudioPreferences, method_row);
  gtk_widget_class_bind_template_child (widget_class, StudioPreferences, dataset_row);

  gtk_widget_class_install_action (widget_class, "prefs.choose-dataset", NULL, action_choose_dataset);
  gtk_widget_class_install_action (widget_class, "prefs.clear-dataset", NULL, action_clear_dataset);
}

static void
studio_preferences_init (StudioPreferences *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

static void
bind_settings (StudioPreferences *self)
{
  g_settings_bind_with_mapping (self->settings, "thread-count", self->threads_adjustment, "value",
                                G_SETTINGS_BIND_DEFAULT, threads_get_mapping, threads_set_mapping, NULL, NULL);
  g_settings_bind_with_mapping (self->settings, "calibration-method", self->method_row, "selected",
                                G_SETTINGS_BIND_DEFAULT, method_get_mapping, method_set_mapping, NULL, NULL);
  g_signal_connect_object (self->settings, "changed::thread-count", G_CALLBACK (update_threads_subtitle), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->settings, "changed::dataset-folder", G_CALLBACK (update_dataset_row), self,
                           G_CONNECT_SWAPPED);
  update_threads_subtitle (self);
  update_dataset_row (self);
}

StudioPreferences *
studio_preferences_new (GSettings *settings, GtkWindow *parent)
{
  StudioPreferences *self;

  g_return_val_if_fail (G_IS_SETTINGS (settings), NULL);
  self = g_object_new (STUDIO_TYPE_PREFERENCES, "transient-for", parent, NULL);
  self->settings = g_object_ref (settings);
  bind_settings (self);
  return self;
}
