/* studio-project-dialogs.c: save, save as, and the close prompt. */
#include "config.h"

#include "studio-project-dialogs.h"

#include <glib/gi18n.h>

#include "studio-settings.h"

typedef struct {
  GtkWindow *parent;
  StudioProject *project;
  StudioSaveDone done;
  gpointer user_data;
} Save;

static void
save_free (Save *s)
{
  g_clear_object (&s->parent);
  g_clear_object (&s->project);
  g_free (s);
}

void
studio_project_dialogs_error (GtkWindow *parent, const char *heading, const GError *error)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
remember (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autofree char *uri = g_file_get_uri (file);
  studio_settings_add_recent_project (path);
  gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
}

static void
finish_save (Save *s, const char *path)
{
  g_autoptr (GError) error = NULL;
  gboolean ok = studio_project_save (s->project, path, &error);
  if (ok)
    remember (studio_project_get_path (s->project));
  else
    studio_project_dialogs_error (s->parent, _("Could Not Save the Project"), error);
  if (s->done)
    s->done (s->parent, ok, s->user_data);
  save_free (s);
}

static void
on_save_response (GtkNativeDialog *chooser, int response, Save *s)
{
  g_autoptr (GFile) file = response == GTK_RESPONSE_ACCEPT ? gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser))
                                                           : NULL;
  g_autofree char *path = file ? g_file_get_path (file) : NULL;

  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  if (path)
    {
      finish_save (s, path);
      return;
    }
  if (s->done)
    s->done (s->parent, FALSE, s->user_data);
  save_free (s);
}

void
studio_project_dialogs_save (GtkWindow *parent, StudioProject *project, gboolean save_as, StudioSaveDone done,
                             gpointer user_data)
{
  Save *s = g_new0 (Save, 1);
  GtkFileChooserNative *chooser;
  GtkFileFilter *filter;
  g_autofree char *name = NULL;

  s->parent = g_object_ref (parent);
  s->project = g_object_ref (project);
  s->done = done;
  s->user_data = user_data;
  if (!save_as && studio_project_get_path (project))
    {
      finish_save (s, NULL);
      return;
    }
  chooser = gtk_file_chooser_native_new (_("Save Project"), parent, GTK_FILE_CHOOSER_ACTION_SAVE, _("_Save"),
                                         _("_Cancel"));
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("MRT Projects (.ini)"));
  gtk_file_filter_add_pattern (filter, "*.ini");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_unref (filter);
  name = g_strdup_printf ("%s.ini", *studio_project_get_model_name (project) ? studio_project_get_model_name (project)
                                                                              : "project");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (studio_project_get_base_dir (project))
    {
      g_autoptr (GFile) dir = g_file_new_for_path (studio_project_get_base_dir (project));
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), s);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

/* ---- closing ------------------------------------------------------------- */

static void
close_after_save (GtkWindow *window, gboolean saved, gpointer user_data)
{
  if (saved)
    gtk_window_destroy (window);
}

static void
on_close_response (AdwMessageDialog *dialog, const char *response, StudioProject *project)
{
  GtkWindow *window = gtk_window_get_transient_for (GTK_WINDOW (dialog));

  if (g_str_equal (response, "discard"))
    gtk_window_destroy (window);
  else if (g_str_equal (response, "save"))
    studio_project_dialogs_save (window, project, FALSE, close_after_save, NULL);
}

void
studio_project_dialogs_confirm_close (GtkWindow *window, StudioProject *project)
{
  const char *path = studio_project_get_path (project);
  g_autofree char *name = path ? g_path_get_basename (path) : NULL;
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (window, _("Save Changes?"), NULL));

  if (name)
    adw_message_dialog_format_body (dialog, _("“%s” has unsaved changes. Changes that are not saved are lost."), name);
  else
    adw_message_dialog_set_body (dialog, _("This project was never saved. Changes that are not saved are lost."));
  adw_message_dialog_add_responses (dialog, "cancel", _("_Cancel"), "discard", _("_Discard"), "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (dialog, "discard", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_response_appearance (dialog, "save", ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (dialog, "save");
  adw_message_dialog_set_close_response (dialog, "cancel");
  g_signal_connect_data (dialog, "response", G_CALLBACK (on_close_response), g_object_ref (project),
                         (GClosureNotify) (void (*) (void)) g_object_unref, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}
