/* studio-results-pane.c: histogram and accuracy under the canvas. */
#include "config.h"

#include "studio-results-pane.h"

#include <glib/gi18n.h>
#include <math.h>

static const char *const stat_names[] = { "absmax", "mean", "std", "lambda", "threshold", "step", "clipped" };
#define N_STATS G_N_ELEMENTS (stat_names)

struct _StudioResultsPane {
  GtkWidget parent_instance;

  GtkStack *stack;
  GtkStack *calib_stack;
  AdwStatusPage *calib_status;
  GtkLabel *node_title;
  GtkLabel *node_subtitle;
  GtkGrid *stats_grid;
  GtkButton *reset_button;
  StudioHistogram *histogram;
  StudioAccuracyView *accuracy_view;
  GtkLabel *stats[N_STATS];

  StudioStageRunner *runner;
  StudioGraphView *view;
  StudioProject *project;
  char *node; /* name of the selected node */
  MrtEvaluation *shown_ev; /* a reference: what the accuracy view shows */
};

G_DEFINE_FINAL_TYPE (StudioResultsPane, studio_results_pane, GTK_TYPE_WIDGET)

/* ---- histogram ----------------------------------------------------------- */

static void
set_stat (StudioResultsPane *self, guint i, const char *text)
{
  gtk_label_set_text (self->stats[i], text);
}

static void
show_empty (StudioResultsPane *self, const char *title, const char *description)
{
  adw_status_page_set_title (self->calib_status, title);
  adw_status_page_set_description (self->calib_status, description);
  gtk_stack_set_visible_child_name (self->calib_stack, "empty");
  studio_histogram_set_stats (self->histogram, NULL);
}

static void
show_stats_text (StudioResultsPane *self, const MrtNodeStats *st, double th, gboolean overridden, double lambda)
{
  g_autofree char *absmax = g_strdup_printf ("%.5g", st->absmax);
  g_autofree char *mean = g_strdup_printf ("%.5g", st->mean);
  g_autofree char *std = g_strdup_printf ("%.5g", st->std);
  g_autofree char *lam = lambda > 0 ? g_strdup_printf ("%.5g  (λ = %g)", fabs (st->mean) + lambda * st->std, lambda)
                                    : g_strdup (_("— (Lambda not set)"));
  g_autofree char *thr = g_strdup_printf ("%.5g  %s", th, overridden ? _("(override)") : _("(calibrated)"));
  g_autofree char *step = g_strdup_printf ("%.5g", th / 127);
  g_autofree char *clipped = g_strdup_printf ("%.3f %%", 100 * studio_histogram_get_clipped_fraction (self->histogram));

  set_stat (self, 0, absmax);
  set_stat (self, 1, mean);
  set_stat (self, 2, std);
  set_stat (self, 3, lam);
  set_stat (self, 4, thr);
  set_stat (self, 5, step);
  set_stat (self, 6, clipped);
  gtk_widget_set_sensitive (GTK_WIDGET (self->reset_button), overridden);
}

static void
update_histogram (StudioResultsPane *self)
{
  MrtState *state = self->runner ? studio_stage_runner_get_state (self->runner, MRT_STAGE_CALIBRATION) : NULL;
  const MrtConfig *config = self->runner ? studio_stage_runner_get_config (self->runner) : NULL;
  const MrtNodeStats *st;
  MrtModel *cal_model;
  double th = 0, override;
  gboolean overridden;
  double *calibrated;
  gint index;
  g_autofree char *subtitle = NULL;

  if (!self->node)
    {
      show_empty (self, _("No Node Selected"), _("Select a node on the canvas to see its calibration histogram"));
      return;
    }
  if (!state || !state->calibration)
    {
      show_empty (self, _("Not Calibrated Yet"), _("Run the Calibrate stage to see the node’s value histogram"));
      return;
    }
  st = mrt_calibration_get_stats (state->calibration, self->node);
  if (!st || st->count == 0)
    {
      g_autofree char *d = g_strdup_printf (_("“%s” is not in the calibrated graph: Prepare folded or renamed it"),
                                            self->node);
      show_empty (self, _("No Calibration Data"), d);
      return;
    }
  cal_model = mrt_calibration_get_model (state->calibration);
  index = mrt_model_find (cal_model, self->node);
  calibrated = state->thresholds ? g_hash_table_lookup (state->thresholds, self->node) : NULL;
  overridden = self->project && studio_project_get_threshold (self->project, self->node, &override);
  th = overridden ? override : calibrated ? *calibrated : st->absmax;

  gtk_label_set_text (self->node_title, self->node);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%s · %" G_GUINT64_FORMAT " value",
                                           "%s · %" G_GUINT64_FORMAT " values", st->count),
                              index >= 0 ? mrt_model_node (cal_model, index)->op : "?", st->count);
  gtk_label_set_text (self->node_subtitle, subtitle);
  studio_histogram_set_stats (self->histogram, st);
  studio_histogram_set_lambda (self->histogram, config && config->has_lambda ? config->lambda : 0);
  studio_histogram_set_threshold (self->histogram, th);
  show_stats_text (self, st, th, overridden, config && config->has_lambda ? config->lambda : 0);
  gtk_stack_set_visible_child_name (self->calib_stack, "histogram");
}

static void
on_threshold_dragged (StudioHistogram *histogram, double value, StudioResultsPane *self)
{
  if (self->project && self->node)
    studio_project_set_threshold (self->project, self->node, value);
  else
    update_histogram (self);
}

/* live numbers while the marker moves */
static void
on_threshold_notify (StudioHistogram *histogram, GParamSpec *pspec, StudioResultsPane *self)
{
  double th = studio_histogram_get_threshold (histogram);
  g_autofree char *step = g_strdup_printf ("%.5g", th / 127);
  g_autofree char *clipped = g_strdup_printf ("%.3f %%", 100 * studio_histogram_get_clipped_fraction (histogram));
  set_stat (self, 5, step);
  set_stat (self, 6, clipped);
}

static void
on_reset (GtkButton *button, StudioResultsPane *self)
{
  if (self->project && self->node)
    studio_project_clear_threshold (self->project, self->node);
}

static void
on_selected_node (StudioGraphView *view, GParamSpec *pspec, StudioResultsPane *self)
{
  MrtModel *model = studio_graph_view_get_shown_model (view);
  gint i = studio_graph_view_get_selected_node (view);

  g_clear_pointer (&self->node, g_free);
  if (model && i >= 0 && (guint) i < mrt_model_n_nodes (model))
    self->node = g_strdup (mrt_model_node (model, i)->name);
  update_histogram (self);
  studio_accuracy_view_select_layer (self->accuracy_view, self->node);
}

static void
on_view_state_changed (StudioGraphView *view, StudioResultsPane *self)
{
  on_selected_node (view, NULL, self);
}

/* ---- accuracy ------------------------------------------------------------ */

static void
update_accuracy (StudioResultsPane *self)
{
  MrtState *state = studio_stage_runner_get_state (self->runner, MRT_STAGE_EVALUATION);
  const MrtConfig *config = studio_stage_runner_get_config (self->runner);
  MrtEvaluation *ev = state ? state->evaluation : NULL;

  if (studio_stage_runner_get_current_stage (self->runner) == MRT_STAGE_EVALUATION || ev == self->shown_ev)
    return;
  g_clear_pointer (&self->shown_ev, mrt_evaluation_unref);
  self->shown_ev = ev ? mrt_evaluation_ref (ev) : NULL;
  studio_accuracy_view_set_evaluation (self->accuracy_view, ev, config ? config->dataset : NULL);
  studio_accuracy_view_select_layer (self->accuracy_view, self->node);
}

static void
on_progress (StudioStageRunner *runner, StudioResultsPane *self)
{
  const MrtConfig *config = studio_stage_runner_get_config (runner);
  if (studio_stage_runner_get_current_stage (runner) != MRT_STAGE_EVALUATION)
    return;
  studio_accuracy_view_set_running (self->accuracy_view, studio_stage_runner_get_running_accuracy (runner, FALSE),
                                    studio_stage_runner_get_running_accuracy (runner, TRUE),
                                    config ? (guint) MAX (config->iter_num, 0) : 0);
}

/* The canvas shows the newest results: evaluation's state carries
 * everything up to merge plus the per-layer errors; compile adds nothing it
 * draws. */
static void
push_state (StudioResultsPane *self)
{
  MrtState *latest = NULL;
  for (MrtStage s = MRT_STAGE_EVALUATION; s >= STUDIO_STAGE_FIRST && !latest; s--)
    latest = studio_stage_runner_get_state (self->runner, s);
  if (self->view && studio_graph_view_get_state (self->view) != latest)
    studio_graph_view_set_state (self->view, latest);
}

static void
on_status_changed (StudioStageRunner *runner, StudioResultsPane *self)
{
  push_state (self);
  update_histogram (self);
  update_accuracy (self);
}

static void
on_current_stage (StudioStageRunner *runner, GParamSpec *pspec, StudioResultsPane *self)
{
  /* a new evaluation starts from an empty line */
  if (studio_stage_runner_get_current_stage (runner) == MRT_STAGE_EVALUATION)
    {
      g_clear_pointer (&self->shown_ev, mrt_evaluation_unref);
      studio_accuracy_view_set_evaluation (self->accuracy_view, NULL, NULL);
      gtk_stack_set_visible_child_name (self->stack, "accuracy");
    }
}

static void
on_layer_activated (StudioAccuracyView *view, const char *name, StudioResultsPane *self)
{
  MrtModel *model = self->view ? studio_graph_view_get_shown_model (self->view) : NULL;
  gint i = model ? mrt_model_find (model, name) : -1;
  if (i >= 0)
    {
      studio_graph_view_set_selected_node (self->view, i);
      studio_graph_view_reveal_node (self->view, i);
      return;
    }
  {
    GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
    g_autofree char *msg = g_strdup_printf (_("“%s” is not on the canvas"), name);
    if (overlay)
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (msg));
  }
}

/* ---- public -------------------------------------------------------------- */

void
studio_results_pane_attach (StudioResultsPane *self, StudioStageRunner *runner, StudioGraphView *view)
{
  g_return_if_fail (STUDIO_IS_RESULTS_PANE (self));
  g_return_if_fail (self->runner == NULL);
  self->runner = g_object_ref (runner);
  g_set_weak_pointer (&self->view, view);
  g_signal_connect_object (runner, "status-changed", G_CALLBACK (on_status_changed), self, 0);
  g_signal_connect_object (runner, "progress", G_CALLBACK (on_progress), self, 0);
  g_signal_connect_object (runner, "notify::current-stage", G_CALLBACK (on_current_stage), self, 0);
  g_signal_connect_object (view, "notify::selected-node", G_CALLBACK (on_selected_node), self, 0);
  g_signal_connect_object (view, "state-changed", G_CALLBACK (on_view_state_changed), self, 0);
  on_selected_node (view, NULL, self);
  update_accuracy (self);
}

static void
on_project_changed (StudioProject *project, StudioResultsPane *self)
{
  update_histogram (self);
}

void
studio_results_pane_set_project (StudioResultsPane *self, StudioProject *project)
{
  g_return_if_fail (STUDIO_IS_RESULTS_PANE (self));
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);
  if (project)
    g_signal_connect (project, "changed", G_CALLBACK (on_project_changed), self);
  update_histogram (self);
}

void
studio_results_pane_show_page (StudioResultsPane *self, const char *name)
{
  g_return_if_fail (STUDIO_IS_RESULTS_PANE (self));
  gtk_stack_set_visible_child_name (self->stack, name);
}

StudioHistogram *
studio_results_pane_get_histogram (StudioResultsPane *self)
{
  g_return_val_if_fail (STUDIO_IS_RESULTS_PANE (self), NULL);
  return self->histogram;
}

StudioAccuracyView *
studio_results_pane_get_accuracy_view (StudioResultsPane *self)
{
  g_return_val_if_fail (STUDIO_IS_RESULTS_PANE (self), NULL);
  return self->accuracy_view;
}

GtkLabel *
studio_results_pane_get_stat_label (StudioResultsPane *self, const char *name)
{
  g_return_val_if_fail (STUDIO_IS_RESULTS_PANE (self), NULL);
  for (guint i = 0; i < N_STATS; i++)
    if (g_str_equal (stat_names[i], name))
      return self->stats[i];
  return NULL;
}

const char *
studio_results_pane_get_node (StudioResultsPane *self)
{
  g_return_val_if_fail (STUDIO_IS_RESULTS_PANE (self), NULL);
  return self->node;
}

/* ---- GObject ------------------------------------------------------------- */

static void
build_stats (StudioResultsPane *self)
{
  const char *titles[N_STATS] = { _("Abs-max"), _("Mean μ"), _("Std σ"), _("|μ| + λσ"),
                                  _("Threshold θ"), _("Int8 step θ/127"), _("Clipped |x| > θ") };
  for (guint i = 0; i < N_STATS; i++)
    {
      GtkWidget *title = gtk_label_new (titles[i]);
      GtkWidget *value = gtk_label_new ("—");
      gtk_label_set_xalign (GTK_LABEL (title), 0);
      gtk_label_set_xalign (GTK_LABEL (value), 0);
      gtk_label_set_selectable (GTK_LABEL (value), TRUE);
      gtk_widget_add_css_class (title, "dim-label");
      gtk_widget_add_css_class (value, "numeric");
      gtk_grid_attach (self->stats_grid, title, 0, i, 1, 1);
      gtk_grid_attach (self->stats_grid, value, 1, i, 1, 1);
      self->stats[i] = GTK_LABEL (value);
    }
}

static void
studio_results_pane_dispose (GObject *object)
{
  StudioResultsPane *self = STUDIO_RESULTS_PANE (object);
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);
  g_clear_object (&self->runner);
  g_clear_weak_pointer (&self->view);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_RESULTS_PANE);
  /* the template's root has no id, so dispose_template leaves it */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  G_OBJECT_CLASS (studio_results_pane_parent_class)->dispose (object);
}

static void
studio_results_pane_finalize (GObject *object)
{
  g_free (STUDIO_RESULTS_PANE (object)->node);
  g_clear_pointer (&STUDIO_RESULTS_PANE (object)->shown_ev, mrt_evaluation_unref);
  G_OBJECT_CLASS (studio_results_pane_parent_class)->finalize (object);
}

static void
studio_results_pane_class_init (StudioResultsPaneClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_results_pane_dispose;
  object_class->finalize = studio_results_pane_finalize;
  g_type_ensure (STUDIO_TYPE_HISTOGRAM);
  g_type_ensure (STUDIO_TYPE_ACCURACY_VIEW);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-results-pane.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, stack);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, calib_stack);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, calib_status);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, node_title);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, node_subtitle);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, stats_grid);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, reset_button);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, histogram);
  gtk_widget_class_bind_template_child (widget_class, StudioResultsPane, accuracy_view);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "resultspane");
}

static void
studio_results_pane_init (StudioResultsPane *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_stats (self);
  g_signal_connect (self->histogram, "threshold-changed", G_CALLBACK (on_threshold_dragged), self);
  g_signal_connect (self->histogram, "notify::threshold", G_CALLBACK (on_threshold_notify), self);
  g_signal_connect (self->reset_button, "clicked", G_CALLBACK (on_reset), self);
  g_signal_connect (self->accuracy_view, "layer-activated", G_CALLBACK (on_layer_activated), self);
  update_histogram (self);
}
