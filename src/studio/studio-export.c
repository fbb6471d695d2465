/* studio-export.c: exporting the quantized model as a CVM folder. */
#include "config.h"

#include "studio-export.h"

#include <glib/gi18n.h>

#include "cvm/mrt-cvm-io.h"

typedef struct {
  GtkWindow *parent; /* weak */
  StudioStageRunner *runner;
  gulong handler;
} Export;

typedef struct {
  char *dir;
  guint64 gas;
  MrtCvmReport report;
  GError *error;
} Checked;

static void
export_free (Export *ex)
{
  g_clear_weak_pointer (&ex->parent);
  g_clear_object (&ex->runner);
  g_free (ex);
}

static void
checked_free (gpointer p)
{
  Checked *c = p;
  g_free (c->dir);
  mrt_cvm_report_clear (&c->report);
  g_clear_error (&c->error);
  g_free (c);
}

static void
message (GtkWindow *parent, const char *heading, const char *body)
{
  AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, heading, body));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- the report ---------------------------------------------------------- */

static void
on_report_response (AdwMessageDialog *dialog, const char *response, gpointer data)
{
  const char *dir = g_object_get_data (G_OBJECT (dialog), "dir");
  if (g_str_equal (response, "open") && dir)
    {
      g_autoptr (GFile) file = g_file_new_for_path (dir);
      g_autofree char *uri = g_file_get_uri (file);
      g_app_info_launch_default_for_uri_async (uri, NULL, NULL, NULL, NULL);
    }
}

static void
show_report (GtkWindow *parent, Checked *c)
{
  AdwMessageDialog *dialog;
  g_autofree char *body = NULL;

  if (c->error)
    {
      body = g_strdup_printf (_("The model was written to %s, but loading it back failed the CVM check:\n\n%s"),
                              c->dir, c->error->message);
      message (parent, _("Exported Model Failed the Check"), body);
      return;
    }
  body = g_strdup_printf (_("Written to %s\n\n"
                            "Gas cost: %" G_GUINT64_FORMAT " (%" G_GUINT64_FORMAT " operations + %" G_GUINT64_FORMAT
                            " memory)\n"
                            "CVM check: passed, %u lint warnings\n"
                            "Input precision: %d bits · output precision: %d bits"),
                          c->dir, c->report.gas, c->report.ops, c->report.mem,
                          c->report.warnings ? c->report.warnings->len : 0, c->report.input_precision,
                          c->report.output_precision);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (parent, _("CVM Model Exported"), body));
  adw_message_dialog_add_responses (dialog, "open", _("_Open Folder"), "close", _("_Close"), NULL);
  adw_message_dialog_set_default_response (dialog, "close");
  adw_message_dialog_set_close_response (dialog, "close");
  g_object_set_data_full (G_OBJECT (dialog), "dir", g_strdup (c->dir), g_free);
  g_signal_connect (dialog, "response", G_CALLBACK (on_report_response), NULL);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* Worker: the runtime's own view of the folder (mrt_cvm_load runs every
 * loader rule), then the gas and lint report. */
static void
check_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  Checked *c = task_data;
  g_autoptr (MrtModel) model = mrt_cvm_load (c->dir, &c->error);
  if (model)
    mrt_cvm_check (model, &c->report, &c->error);
  g_task_return_boolean (task, TRUE);
}

static void
check_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GtkWindow *parent = user_data;
  show_report (parent, g_task_get_task_data (G_TASK (result)));
  g_object_unref (parent);
}

static void
on_job_finished (StudioStageRunner *runner, MrtState *result, const GError *error, Export *ex)
{
  g_autoptr (GTask) task = NULL;
  Checked *c;

  g_signal_handler_disconnect (runner, ex->handler);
  /* failures and cancellation are reported by the stage panel */
  if (!error && result && result->export_dir && ex->parent)
    {
      g_autoptr (GFile) file = g_file_new_for_path (result->export_dir);
      g_autofree char *uri = g_file_get_uri (file);
      gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
      c = g_new0 (Checked, 1);
      c->dir = g_strdup (result->export_dir);
      c->gas = result->gas;
      task = g_task_new (NULL, NULL, check_done, g_object_ref (ex->parent));
      g_task_set_task_data (task, c, checked_free);
      g_task_run_in_thread (task, check_thread);
    }
  export_free (ex);
}

/* ---- starting ------------------------------------------------------------ */

void
studio_export_to_folder (GtkWindow *parent, StudioStagePanel *panel, const char *folder)
{
  StudioProject *project = studio_stage_panel_get_project (panel);
  StudioStageRunner *runner = studio_stage_panel_get_runner (panel);
  g_autoptr (MrtIni) ini = NULL;
  g_autoptr (GError) error = NULL;
  MrtConfig *config;
  Export *ex;

  if (!project || !studio_stage_runner_get_model (runner))
    {
      message (parent, _("Nothing to Export"), _("Open a model first."));
      return;
    }
  if (studio_stage_runner_get_running (runner))
    {
      message (parent, _("Stages Are Running"), _("Wait for the running stages to finish, or cancel them."));
      return;
    }
  /* the project keeps its own Dump_dir: the chosen folder is for this export only */
  ini = mrt_ini_copy (studio_project_get_ini (project));
  mrt_ini_set (ini, "COMPILATION", "Dump_dir", folder);
  config = mrt_config_from_ini (ini, studio_project_get_base_dir (project), &error);
  if (!config)
    {
      message (parent, _("Cannot Export"), error->message);
      return;
    }
  ex = g_new0 (Export, 1);
  g_set_weak_pointer (&ex->parent, parent);
  ex->runner = g_object_ref (runner);
  ex->handler = g_signal_connect (runner, "job-finished", G_CALLBACK (on_job_finished), ex);
  if (!studio_stage_runner_run_with (runner, MRT_STAGE_COMPILATION, config, &error))
    {
      g_signal_handler_disconnect (runner, ex->handler);
      export_free (ex);
      message (parent, _("Cannot Export"), error->message);
    }
}

static void
on_folder_response (GtkNativeDialog *chooser, int response, StudioStagePanel *panel)
{
  GtkWindow *parent = gtk_native_dialog_get_transient_for (chooser);
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        studio_export_to_folder (parent, panel, path);
      else
        message (parent, _("Cannot Export"), _("Choose a local folder."));
    }
  gtk_native_dialog_destroy (chooser);
  g_object_unref (chooser);
  g_object_unref (panel);
}

void
studio_export_choose_folder (GtkWindow *parent, StudioStagePanel *panel)
{
  StudioProject *project = studio_stage_panel_get_project (panel);
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (_("Export CVM Model"), parent, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
                                         _("_Export"), _("_Cancel"));
  if (project && studio_project_get_base_dir (project))
    {
      g_autoptr (GFile) dir = g_file_new_for_path (studio_project_get_base_dir (project));
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_response), g_object_ref (panel));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
