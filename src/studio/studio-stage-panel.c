/* studio-stage-panel.c: the pipeline sidebar. */
#include "config.h"

#include "studio-stage-panel.h"

#include <glib/gi18n.h>

#include "studio-stage-options.h"

typedef struct {
  AdwExpanderRow *row;
  GtkImage *icon;
  GtkButton *run;
} StageRow;

struct _StudioStagePanel {
  GtkWidget parent_instance;

  GtkButton *run_all_button;
  GtkLabel *config_error_label;
  GtkListBox *stage_list;
  GtkRevealer *progress_revealer;
  GtkLabel *progress_title;
  GtkLabel *elapsed_label;
  GtkProgressBar *progress_bar;
  GtkLabel *message_label;

  StageRow stages[STUDIO_N_STAGES];
  StudioStageOptions *options;
  StudioStageRunner *runner;
  StudioProject *project;
  GError *config_error;
  guint elapsed_source;
  guint job_stages;    /* stages finished in the running job */
  MrtStage failed;     /* the stage that failed it */
  gint64 job_started;
};

G_DEFINE_FINAL_TYPE (StudioStagePanel, studio_stage_panel, GTK_TYPE_WIDGET)

static const char *const stage_titles[] = {
  NULL, N_("Prepare"), N_("Split"), N_("Calibrate"), N_("Quantize"), N_("Merge"), N_("Evaluate"), N_("Compile"),
};

static const char *const stage_descriptions[] = {
  NULL,
  N_("Fold batch norms and rewrite operators for quantization"),
  N_("Cut the model at the split keys; the top part stays float"),
  N_("Run the float model on real data to find each node's range"),
  N_("Turn the graph into integer operators with scales and precisions"),
  N_("Put the quantized base and the float top back together"),
  N_("Compare the float and the quantized model on the dataset"),
  N_("Lower to CVM and write the model folder"),
};

const char *
studio_stage_panel_stage_title (MrtStage stage)
{
  return stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST ? _(stage_titles[stage]) : "";
}

/* ---- feedback ------------------------------------------------------------ */

static void
toast (StudioStagePanel *self, const char *text)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  if (overlay)
    adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (text));
}

static void
error_dialog (StudioStagePanel *self, const char *heading, const GError *error)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  AdwMessageDialog *dialog =
    ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, heading, NULL));
  adw_message_dialog_set_body (dialog, error->message);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static char *
format_seconds (double s)
{
  if (s < 10)
    return g_strdup_printf (_("%.1f s"), s);
  if (s < 60)
    return g_strdup_printf (_("%.0f s"), s);
  return g_strdup_printf ("%d:%02d", (int) s / 60, (int) s % 60);
}

/* ---- status -------------------------------------------------------------- */

static void
set_icon (StageRow *r, const char *icon, const char *css)
{
  static const char *const classes[] = { "success", "warning", "error", "dim-label", "accent" };
  gtk_image_set_from_icon_name (r->icon, icon);
  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (r->icon), classes[i]);
  if (css)
    gtk_widget_add_css_class (GTK_WIDGET (r->icon), css);
}

static void
update_stage (StudioStagePanel *self, MrtStage stage)
{
  StageRow *r = &self->stages[stage];
  StudioStageStatus status = studio_stage_runner_get_status (self->runner, stage);
  MrtStage in = studio_stage_runner_input_stage (stage);
  g_autofree char *subtitle = NULL, *tip = NULL;


  switch (status)
    {
    case STUDIO_STAGE_STATUS_DONE:
      {
        g_autofree char *t = format_seconds (studio_stage_runner_get_seconds (self->runner, stage));
        subtitle = g_strdup_printf (_("Up to date · %s"), t);
        set_icon (r, "emblem-ok-symbolic", "success");
      }
      break;
    case STUDIO_STAGE_STATUS_STALE:
      if (studio_stage_runner_get_settings_changed (self->runner, stage))
        subtitle = g_strdup (_("Out of date · settings changed"));
      else
        /* TRANSLATORS: %s is the stage whose result this one was made from, e.g. "Merge" */
        subtitle = g_strdup_printf (_("Out of date · %s changed"), studio_stage_panel_stage_title (in));
      set_icon (r, "view-refresh-symbolic", "warning");
      break;
    case STUDIO_STAGE_STATUS_QUEUED:
      subtitle = g_strdup (_("Waiting"));
      set_icon (r, "content-loading-symbolic", "dim-label");
      break;
    case STUDIO_STAGE_STATUS_RUNNING:
      /* a still icon: a spinner would repaint the window every frame for
       * as long as the stage runs, and the progress bar shows activity */
      subtitle = g_strdup (_("Running…"));
      set_icon (r, "emblem-synchronizing-symbolic", "accent");
      break;
    case STUDIO_STAGE_STATUS_FAILED:
      {
        /* one line here; the whole message was in the dialog and stays in
         * the icon's tooltip */
        const char *msg = studio_stage_runner_get_error (self->runner, stage)->message;
        g_autofree char *line = g_utf8_substring (msg, 0, MIN (g_utf8_strlen (msg, -1), 36));
        subtitle = g_strdup_printf (_("Failed: %s%s"), line, g_utf8_strlen (msg, -1) > 36 ? "…" : "");
        set_icon (r, "dialog-error-symbolic", "error");
      }
      break;
    case STUDIO_STAGE_STATUS_NONE:
    default:
      subtitle = g_strdup (_("Not run yet"));
      set_icon (r, "radio-symbolic", "dim-label");
      break;
    }
  adw_expander_row_set_subtitle (r->row, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (r->icon), status == STUDIO_STAGE_STATUS_FAILED
                                                       ? studio_stage_runner_get_error (self->runner, stage)->message
                                                       : NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (r->run), studio_stage_runner_can_run (self->runner, stage));
  if (!studio_stage_runner_get_model (self->runner))
    tip = g_strdup (_("Open a model first"));
  else if (!studio_stage_runner_get_config_valid (self->runner))
    tip = g_strdup (_("Fix the settings first"));
  else if (in != MRT_STAGE_DEFAULT && !studio_stage_runner_get_state (self->runner, in))
    tip = g_strdup_printf (_("Run %s first"), studio_stage_panel_stage_title (in));
  else
    tip = g_strdup_printf (_("Run %s"), studio_stage_panel_stage_title (stage));
  gtk_widget_set_tooltip_text (GTK_WIDGET (r->run), tip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (r->run), GTK_ACCESSIBLE_PROPERTY_LABEL, tip, -1);
}

static void
update_all (StudioStagePanel *self)
{
  g_autoptr (GArray) plan = studio_stage_runner_plan (self->runner, STUDIO_STAGE_LAST);
  gboolean running = studio_stage_runner_get_running (self->runner);

  for (MrtStage s = STUDIO_STAGE_FIRST; s <= STUDIO_STAGE_LAST; s++)
    update_stage (self, s);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stages.run-all",
                                 !running && studio_stage_runner_get_model (self->runner) &&
                                   studio_stage_runner_get_config_valid (self->runner) && plan->len > 0);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "stages.cancel", running);
  gtk_revealer_set_reveal_child (self->progress_revealer, running);
}

static gboolean
update_elapsed (gpointer data)
{
  StudioStagePanel *self = data;
  gint64 started = studio_stage_runner_get_stage_started (self->runner);
  g_autofree char *text = NULL;
  double s;

  if (!started)
    return G_SOURCE_CONTINUE;
  s = (g_get_monotonic_time () - started) / 1e6;
  text = g_strdup_printf ("%d:%02d", (int) s / 60, (int) s % 60);
  gtk_label_set_text (self->elapsed_label, text);
  return G_SOURCE_CONTINUE;
}

static void
on_status_changed (StudioStageRunner *runner, StudioStagePanel *self)
{
  update_all (self);
}

static void
on_current_stage (StudioStageRunner *runner, GParamSpec *pspec, StudioStagePanel *self)
{
  MrtStage stage = studio_stage_runner_get_current_stage (runner);
  if (stage == MRT_STAGE_DEFAULT)
    return;
  gtk_label_set_text (self->progress_title, studio_stage_panel_stage_title (stage));
  gtk_progress_bar_set_fraction (self->progress_bar, 0);
  gtk_label_set_text (self->message_label, "");
  update_elapsed (self);
}

static void
on_progress (StudioStageRunner *runner, StudioStagePanel *self)
{
  const char *message = studio_stage_runner_get_message (runner);
  const MrtConfig *config = studio_stage_runner_get_config (runner);
  g_autofree char *text = NULL;
  double f1, q1;

  gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (studio_stage_runner_get_fraction (runner), 0, 1));
  /* evaluation's log line, said plainly; the line itself is the tooltip */
  if (studio_stage_runner_parse_accuracy (message, &f1, &q1))
    {
      guint done = studio_stage_runner_get_running_accuracy (runner, FALSE)->len;
      if (config && config->iter_num > 0)
        text = g_strdup_printf (_("Batch %u of %d · top-1 %.2f %% float, %.2f %% quantized"), done, config->iter_num,
                                100 * f1, 100 * q1);
      else
        text = g_strdup_printf (_("Batch %u · top-1 %.2f %% float, %.2f %% quantized"), done, 100 * f1, 100 * q1);
    }
  gtk_label_set_text (self->message_label, text ? text : message ? message : "");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->message_label), message);
}

static void
on_running (StudioStageRunner *runner, GParamSpec *pspec, StudioStagePanel *self)
{
  g_clear_handle_id (&self->elapsed_source, g_source_remove);
  if (studio_stage_runner_get_running (runner))
    {
      self->job_stages = 0;
      self->failed = MRT_STAGE_DEFAULT;
      self->job_started = g_get_monotonic_time ();
      gtk_label_set_text (self->elapsed_label, "0:00");
      /* the label shows whole seconds */
      self->elapsed_source = g_timeout_add_seconds_full (G_PRIORITY_LOW, 1, update_elapsed, self, NULL);
    }
}

static void
on_stage_finished (StudioStageRunner *runner, guint stage, const GError *error, StudioStagePanel *self)
{
  if (!error)
    self->job_stages++;
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    self->failed = stage;
}

static void
on_job_finished (StudioStageRunner *runner, MrtState *result, const GError *error, StudioStagePanel *self)
{
  MrtStage last = MRT_STAGE_DEFAULT;
  g_autofree char *text = NULL, *secs = NULL;

  for (MrtStage s = STUDIO_STAGE_FIRST; s <= STUDIO_STAGE_LAST; s++)
    if (result && studio_stage_runner_get_state (runner, s) == result)
      last = s;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      toast (self, _("Stopped"));
      return;
    }
  if (error)
    {
      g_autofree char *heading = self->failed
                                   ? g_strdup_printf (_("%s Failed"), studio_stage_panel_stage_title (self->failed))
                                   : g_strdup (_("Stage Failed"));
      error_dialog (self, heading, error);
      return;
    }
  /* an export's own compile is reported by the export */
  if (last == MRT_STAGE_DEFAULT)
    return;
  secs = format_seconds ((g_get_monotonic_time () - self->job_started) / 1e6);
  if (self->job_stages == 1)
    text = g_strdup_printf (_("%s finished in %s"), studio_stage_panel_stage_title (last), secs);
  else
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u stage finished in %s", "%u stages finished in %s",
                                         self->job_stages),
                            self->job_stages, secs);
  toast (self, text);
}

/* ---- settings ------------------------------------------------------------ */

static void
reload_config (StudioStagePanel *self)
{
  MrtConfig *config = NULL;
  MrtStage where;

  g_clear_error (&self->config_error);
  if (self->project)
    config = studio_project_build_config (self->project, &self->config_error);
  studio_stage_runner_set_config (self->runner, config);
  where = studio_stage_options_show_error (self->options, self->config_error);
  /* errors the rows cannot show (an option not listed, a file problem) go on top */
  gtk_widget_set_visible (GTK_WIDGET (self->config_error_label),
                          self->config_error && where == MRT_STAGE_DEFAULT);
  gtk_label_set_text (self->config_error_label, self->config_error ? self->config_error->message : "");
  if (where != MRT_STAGE_DEFAULT)
    adw_expander_row_set_expanded (self->stages[where].row, TRUE);
}

static void
on_project_changed (StudioProject *project, StudioStagePanel *self)
{
  studio_stage_options_refresh (self->options);
  reload_config (self);
}

void
studio_stage_panel_set_project (StudioStagePanel *self, StudioProject *project)
{
  g_return_if_fail (STUDIO_IS_STAGE_PANEL (self));
  if (self->project == project)
    return;
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);
  if (project)
    g_signal_connect (project, "changed", G_CALLBACK (on_project_changed), self);
  studio_stage_options_set_project (self->options, project);
  reload_config (self);
}

StudioProject *
studio_stage_panel_get_project (StudioStagePanel *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return self->project;
}

void
studio_stage_panel_set_model (StudioStagePanel *self, MrtModel *model)
{
  g_return_if_fail (STUDIO_IS_STAGE_PANEL (self));
  studio_stage_runner_set_model (self->runner, model);
}

StudioStageRunner *
studio_stage_panel_get_runner (StudioStagePanel *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return self->runner;
}

const GError *
studio_stage_panel_get_config_error (StudioStagePanel *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return self->config_error;
}

/* ---- running ------------------------------------------------------------- */

static void
report_start (StudioStagePanel *self, gboolean ok, GError *error)
{
  if (!ok)
    {
      toast (self, error->message);
      g_error_free (error);
    }
}

void
studio_stage_panel_run_stage (StudioStagePanel *self, MrtStage stage)
{
  GError *error = NULL;
  g_return_if_fail (STUDIO_IS_STAGE_PANEL (self));
  report_start (self, studio_stage_runner_run (self->runner, stage, &error), error);
}

void
studio_stage_panel_run_all (StudioStagePanel *self)
{
  GError *error = NULL;
  g_return_if_fail (STUDIO_IS_STAGE_PANEL (self));
  report_start (self, studio_stage_runner_run_all (self->runner, &error), error);
}

void
studio_stage_panel_cancel (StudioStagePanel *self)
{
  g_return_if_fail (STUDIO_IS_STAGE_PANEL (self));
  studio_stage_runner_cancel (self->runner);
}

static void
on_run_clicked (GtkButton *button, StudioStagePanel *self)
{
  studio_stage_panel_run_stage (self, GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (button), "stage")));
}

static void
action_run_all (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_stage_panel_run_all (STUDIO_STAGE_PANEL (widget));
}

static void
action_cancel (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_stage_panel_cancel (STUDIO_STAGE_PANEL (widget));
}

/* ---- accessors for tests ------------------------------------------------- */

GtkWidget *
studio_stage_panel_get_stage_row (StudioStagePanel *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, NULL);
  return GTK_WIDGET (self->stages[stage].row);
}

GtkWidget *
studio_stage_panel_get_run_button (StudioStagePanel *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, NULL);
  return GTK_WIDGET (self->stages[stage].run);
}

GtkWidget *
studio_stage_panel_get_option_row (StudioStagePanel *self, const char *section, const char *key)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return studio_stage_options_get_row (self->options, section, key);
}

GtkWidget *
studio_stage_panel_get_option_error_row (StudioStagePanel *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return studio_stage_options_get_error_row (self->options, stage);
}

GtkProgressBar *
studio_stage_panel_get_progress_bar (StudioStagePanel *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return self->progress_bar;
}

GtkLabel *
studio_stage_panel_get_elapsed_label (StudioStagePanel *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_PANEL (self), NULL);
  return self->elapsed_label;
}

/* ---- GObject ------------------------------------------------------------- */

static void
build_stage (StudioStagePanel *self, MrtStage stage)
{
  StageRow *r = &self->stages[stage];
  g_autofree char *title = g_strdup_printf ("%u · %s", stage, studio_stage_panel_stage_title (stage));

  r->row = ADW_EXPANDER_ROW (adw_expander_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (r->row), title);
  gtk_widget_set_tooltip_text (GTK_WIDGET (r->row), _(stage_descriptions[stage]));
  r->icon = GTK_IMAGE (gtk_image_new ());
  gtk_widget_set_valign (GTK_WIDGET (r->icon), GTK_ALIGN_CENTER);
  adw_expander_row_add_prefix (r->row, GTK_WIDGET (r->icon));
  r->run = GTK_BUTTON (gtk_button_new_from_icon_name ("media-playback-start-symbolic"));
  gtk_widget_set_valign (GTK_WIDGET (r->run), GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (GTK_WIDGET (r->run), "flat");
  gtk_widget_add_css_class (GTK_WIDGET (r->run), "circular");
  g_object_set_data (G_OBJECT (r->run), "stage", GUINT_TO_POINTER (stage));
  g_signal_connect (r->run, "clicked", G_CALLBACK (on_run_clicked), self);
  adw_expander_row_add_action (r->row, GTK_WIDGET (r->run));
  studio_stage_options_add_rows (self->options, stage, r->row);
  gtk_list_box_append (self->stage_list, GTK_WIDGET (r->row));
}

static void
studio_stage_panel_dispose (GObject *object)
{
  StudioStagePanel *self = STUDIO_STAGE_PANEL (object);

  g_clear_handle_id (&self->elapsed_source, g_source_remove);
  if (self->runner)
    {
      g_signal_handlers_disconnect_by_data (self->runner, self);
      studio_stage_runner_cancel (self->runner);
      g_clear_object (&self->runner);
    }
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_STAGE_PANEL);
  /* the template's root has no id, so dispose_template leaves it */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  g_clear_pointer (&self->options, studio_stage_options_free);
  G_OBJECT_CLASS (studio_stage_panel_parent_class)->dispose (object);
}

static void
studio_stage_panel_finalize (GObject *object)
{
  g_clear_error (&STUDIO_STAGE_PANEL (object)->config_error);
  G_OBJECT_CLASS (studio_stage_panel_parent_class)->finalize (object);
}

static void
studio_stage_panel_class_init (StudioStagePanelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_stage_panel_dispose;
  object_class->finalize = studio_stage_panel_finalize;

  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-stage-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, run_all_button);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, config_error_label);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, stage_list);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, progress_revealer);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, progress_title);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, elapsed_label);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, StudioStagePanel, message_label);
  gtk_widget_class_install_action (widget_class, "stages.run-all", NULL, action_run_all);
  gtk_widget_class_install_action (widget_class, "stages.cancel", NULL, action_cancel);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "stagepanel");
}

static void
studio_stage_panel_init (StudioStagePanel *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->options = studio_stage_options_new ();
  self->runner = studio_stage_runner_new ();
  for (MrtStage s = STUDIO_STAGE_FIRST; s <= STUDIO_STAGE_LAST; s++)
    build_stage (self, s);
  g_signal_connect (self->runner, "status-changed", G_CALLBACK (on_status_changed), self);
  g_signal_connect (self->runner, "notify::current-stage", G_CALLBACK (on_current_stage), self);
  g_signal_connect (self->runner, "notify::running", G_CALLBACK (on_running), self);
  g_signal_connect (self->runner, "progress", G_CALLBACK (on_progress), self);
  g_signal_connect (self->runner, "stage-finished", G_CALLBACK (on_stage_finished), self);
  g_signal_connect (self->runner, "job-finished", G_CALLBACK (on_job_finished), self);
  reload_config (self);
  update_all (self);
}

GtkWidget *
studio_stage_panel_new (void)
{
  return g_object_new (STUDIO_TYPE_STAGE_PANEL, NULL);
}
