/* studio-inspector.c: the selection's details, rebuilt whenever the
 * selection, the pipeline state or the project changes. */
#include "config.h"

#include "studio-inspector.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-graph-view-private.h"

#define HIST_BINS 24

struct _StudioInspector {
  GtkWidget parent_instance;

  GtkStack *stack;
  GtkLabel *title_label;
  GtkLabel *subtitle_label;
  GtkButton *expand_button;
  AdwPreferencesGroup *quant_group;
  AdwPreferencesGroup *shapes_group;
  AdwPreferencesGroup *params_group;
  AdwPreferencesGroup *attrs_group;
  AdwEntryRow *threshold_row;
  GtkButton *reset_button;
  GtkLabel *calibrated_value;
  GtkLabel *scale_value;
  GtkLabel *precision_value;
  GtkLabel *sqnr_value;

  GPtrArray *rows; /* GtkWidget* added to the groups below, with "group" data */
  StudioGraphView *view;
  StudioProject *project;
  char *node_name; /* what the threshold row edits */

  /* Shapes of the shown graph, inferred once per graph and input shape. */
  MrtModel *shapes_model;
  char *shapes_input;
  MrtShape *shapes;
  char *output_shape;
  guint refresh_source;
};

G_DEFINE_FINAL_TYPE (StudioInspector, studio_inspector, GTK_TYPE_WIDGET)

static void refresh (StudioInspector *self);

/* ---- rows ----------------------------------------------------------------- */

static void
clear_rows (StudioInspector *self)
{
  for (guint i = 0; i < self->rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->rows, i);
      adw_preferences_group_remove (g_object_get_data (G_OBJECT (row), "group"), row);
    }
  g_ptr_array_set_size (self->rows, 0);
}

static GtkWidget *
add_row (StudioInspector *self, AdwPreferencesGroup *group, const char *title, const char *value)
{
  GtkWidget *row = adw_action_row_new ();
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  if (value)
    {
      GtkWidget *label = gtk_label_new (value);
      gtk_label_set_selectable (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap (GTK_LABEL (label), TRUE);
      gtk_label_set_wrap_mode (GTK_LABEL (label), PANGO_WRAP_WORD_CHAR);
      gtk_label_set_xalign (GTK_LABEL (label), 1);
      gtk_label_set_max_width_chars (GTK_LABEL (label), 18);
      gtk_widget_add_css_class (label, "dim-label");
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), label);
    }
  g_object_set_data (G_OBJECT (row), "group", group);
  adw_preferences_group_add (group, row);
  g_ptr_array_add (self->rows, row);
  return row;
}

static void
set_value (GtkLabel *label, const char *text)
{
  gtk_label_set_text (label, text ? text : "—");
}

/* ---- shapes --------------------------------------------------------------- */

static void
update_shapes (StudioInspector *self, MrtModel *model)
{
  const char *input = self->project ? mrt_ini_get (studio_project_get_ini (self->project), "DEFAULT", "Input_shape")
                                    : NULL;
  MrtShape shape;

  if (model == self->shapes_model && g_strcmp0 (input, self->shapes_input) == 0)
    return;
  g_clear_pointer (&self->shapes, g_free);
  g_free (self->shapes_input);
  self->shapes_input = g_strdup (input);
  /* A reference, so a freed model's address cannot pass for a new one. */
  mrt_model_ref (model);
  g_clear_pointer (&self->shapes_model, mrt_model_unref);
  self->shapes_model = model;
  /* Batch 1 from the project's Input_shape; without one, the __shape__
   * attributes the symbol may carry. A failure just leaves shapes unknown. */
  if (input && mrt_shape_parse (input, TRUE, &shape, NULL) && shape.ndim > 0)
    {
      MrtShape one = mrt_set_batch (&shape, 1);
      g_autoptr (GArray) inputs = mrt_model_inputs (model);
      if (inputs->len == 1)
        self->shapes = mrt_model_infer_shapes_single (model, &one, NULL);
    }
  if (!self->shapes)
    self->shapes = mrt_model_infer_shapes (model, NULL, NULL);
}

static char *
entry_shape (StudioInspector *self, MrtModel *model, MrtEntry e)
{
  if (!self->shapes)
    return g_strdup (_("unknown"));
  return mrt_shape_to_string (&self->shapes[mrt_model_entry_id (model, e)]);
}

static void
fill_shapes (StudioInspector *self, MrtModel *model, guint node)
{
  const MrtNode *n = mrt_model_node (model, node);

  update_shapes (self, model);
  for (guint j = 0; j < n->n_inputs; j++)
    {
      if (studio_graph_scene_is_weight (model, n->inputs[j].node))
        continue;
      g_autofree char *name = mrt_model_entry_name (model, n->inputs[j]);
      g_autofree char *shape = entry_shape (self, model, n->inputs[j]);
      g_autofree char *title = g_strdup_printf (_("Input: %s"), name);
      add_row (self, self->shapes_group, title, shape);
    }
  for (guint k = 0; k < MAX (n->n_outputs, 1u); k++)
    {
      g_autofree char *shape = entry_shape (self, model, (MrtEntry) { node, k });
      g_autofree char *title = n->n_outputs > 1 ? g_strdup_printf (_("Output %u"), k) : g_strdup (_("Output"));
      add_row (self, self->shapes_group, title, shape);
      if (k == 0)
        {
          g_free (self->output_shape);
          self->output_shape = g_strdup (shape);
        }
    }
}

/* ---- parameters ----------------------------------------------------------- */

static void
draw_histogram (GtkDrawingArea *area, cairo_t *cr, int w, int h, gpointer data)
{
  const double *bins = data;
  GdkRGBA c;
  double bw = (double) w / HIST_BINS;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &c);
  cairo_set_source_rgba (cr, c.red, c.green, c.blue, 0.55);
  for (int b = 0; b < HIST_BINS; b++)
    {
      double bh = MAX (bins[b] > 0 ? 1.0 : 0.0, bins[b] * (h - 1));
      cairo_rectangle (cr, b * bw + 0.5, h - bh, MAX (bw - 1, 1), bh);
    }
  cairo_fill (cr);
}

/* min, max, mean and a HIST_BINS histogram (normalised to its tallest bin,
 * on a square-root scale so the tails stay visible). */
static GtkWidget *
param_summary (MrtTensor *t, char **text)
{
  const float *d = mrt_tensor_f32 (t);
  double lo = INFINITY, hi = -INFINITY, sum = 0, top = 0;
  double *bins = g_new0 (double, HIST_BINS);
  g_autofree char *shape = mrt_shape_to_string (&t->shape);
  GtkWidget *area;

  for (gsize i = 0; i < t->n; i++)
    {
      lo = MIN (lo, d[i]), hi = MAX (hi, d[i]);
      sum += d[i];
    }
  for (gsize i = 0; t->n && hi > lo && i < t->n; i++)
    bins[MIN ((int) ((d[i] - lo) / (hi - lo) * HIST_BINS), HIST_BINS - 1)]++;
  for (int b = 0; b < HIST_BINS; b++)
    top = MAX (top, bins[b]);
  for (int b = 0; b < HIST_BINS; b++)
    bins[b] = top > 0 ? sqrt (bins[b] / top) : 0;
  *text = t->n ? g_strdup_printf (_("%s · min %.3g · max %.3g · mean %.3g"), shape, lo, hi, sum / t->n)
               : g_strdup (shape);
  area = gtk_drawing_area_new ();
  gtk_widget_set_size_request (area, 72, 28);
  gtk_widget_set_valign (area, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (area), draw_histogram, bins, g_free);
  gtk_widget_set_tooltip_text (area, _("Distribution of the values"));
  return area;
}

static void
add_param_row (StudioInspector *self, const char *title, MrtTensor *t)
{
  g_autofree char *text = NULL;
  GtkWidget *hist = param_summary (t, &text);
  GtkWidget *row = add_row (self, self->params_group, title, NULL);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), text);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 3);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), hist);
}

static void
fill_params (StudioInspector *self, MrtModel *model, guint node)
{
  const MrtNode *n = mrt_model_node (model, node);
  MrtTensor *own = mrt_node_is_variable (n) ? mrt_model_get_param (model, n->name) : NULL;
  guint before = self->rows->len;

  if (own && own->dtype == MRT_DTYPE_F32)
    add_param_row (self, _("Value"), own);
  for (guint j = 0; j < n->n_inputs; j++)
    {
      const char *name = mrt_model_node (model, n->inputs[j].node)->name;
      MrtTensor *t = mrt_model_get_param (model, name);
      /* "conv0_weight" reads "weight" next to conv0. */
      const char *short_name = g_str_has_prefix (name, n->name) && name[strlen (n->name)] == '_'
                                 ? name + strlen (n->name) + 1
                                 : name;
      if (t && t->dtype == MRT_DTYPE_F32)
        add_param_row (self, short_name, t);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->params_group), self->rows->len > before);
}

static void
fill_attrs (StudioInspector *self, const MrtNode *n)
{
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (n->attrs), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    add_row (self, self->attrs_group, l->data, g_hash_table_lookup (n->attrs, l->data));
  adw_preferences_group_set_title (self->attrs_group, _("Attributes"));
  gtk_widget_set_visible (GTK_WIDGET (self->attrs_group), keys != NULL);
}

/* ---- quantization ---------------------------------------------------------- */

static char *
format_number (double v)
{
  return isnan (v) ? NULL : g_strdup_printf ("%.6g", v);
}

static void
fill_quant (StudioInspector *self, MrtModel *model, const char *name)
{
  MrtState *st = studio_graph_view_get_state (self->view);
  double calibrated = NAN, override = NAN, sqnr = NAN;
  gboolean has_override = self->project && studio_project_get_threshold (self->project, name, &override);
  g_autofree char *cal_text = NULL, *scale_text = NULL, *prec_text = NULL, *sqnr_text = NULL, *th_text = NULL;

  if (st && st->thresholds && g_hash_table_lookup (st->thresholds, name))
    calibrated = *(double *) g_hash_table_lookup (st->thresholds, name);
  if (st && st->quantized && g_hash_table_lookup (st->quantized->sc, name))
    scale_text = format_number (*(double *) g_hash_table_lookup (st->quantized->sc, name));
  if (st && st->quantized && g_hash_table_lookup (st->quantized->prec, name))
    prec_text = g_strdup_printf (_("%d bits"), *(int *) g_hash_table_lookup (st->quantized->prec, name));
  for (guint k = 0; st && st->evaluation && st->evaluation->layers && k < st->evaluation->layers->len; k++)
    {
      MrtLayerError *le = g_ptr_array_index (st->evaluation->layers, k);
      if (g_str_equal (le->name, name))
        sqnr = le->sqnr_db;
    }
  if (!isnan (sqnr))
    sqnr_text = g_strdup_printf (_("%.1f dB"), sqnr);
  cal_text = format_number (calibrated);
  set_value (self->calibrated_value, cal_text);
  set_value (self->scale_value, scale_text);
  set_value (self->precision_value, prec_text);
  set_value (self->sqnr_value, sqnr_text);

  g_free (self->node_name);
  self->node_name = g_strdup (name);
  th_text = format_number (has_override ? override : calibrated);
  gtk_editable_set_text (GTK_EDITABLE (self->threshold_row), th_text ? th_text : "");
  gtk_widget_remove_css_class (GTK_WIDGET (self->threshold_row), "error");
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->threshold_row),
                                 has_override ? _("Threshold (set by hand)") : _("Threshold"));
  gtk_widget_set_sensitive (GTK_WIDGET (self->threshold_row), self->project != NULL);
  gtk_widget_set_visible (GTK_WIDGET (self->reset_button), has_override);
}

static void
on_threshold_apply (AdwEntryRow *row, StudioInspector *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (row));
  char *end = NULL;
  double v = g_ascii_strtod (text, &end);

  if (!self->project || !self->node_name)
    return;
  /* MRT's "name: value, …" list cannot hold such a name. */
  if (strpbrk (self->node_name, ":,"))
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }
  while (end && g_ascii_isspace (*end))
    end++;
  if (!*text || !end || *end || !isfinite (v) || v < 0)
    {
      gtk_widget_add_css_class (GTK_WIDGET (row), "error");
      return;
    }
  studio_project_set_threshold (self->project, self->node_name, v);
}

/* The canvas' view.* actions are not in scope here: call it directly. */
static void
on_expand_clicked (GtkButton *button, StudioInspector *self)
{
  gint node = self->view ? studio_graph_view_get_selected_node (self->view) : -1;
  gint box = node >= 0 && self->view->groups
               ? studio_graph_groups_box_of (self->view->groups, (guint) node, self->view->collapsed)
               : -1;
  if (box >= 0)
    studio_graph_view_set_group_collapsed (self->view, (guint) box, FALSE);
}

static void
on_reset_clicked (GtkButton *button, StudioInspector *self)
{
  if (self->project && self->node_name)
    studio_project_clear_threshold (self->project, self->node_name);
}

/* ---- the whole pane ---------------------------------------------------------- */

static void
show_group (StudioInspector *self, MrtModel *model, guint group)
{
  g_autoptr (GHashTable) ops = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GList) keys = NULL;
  guint n_ops = studio_graph_view_get_group_size (self->view, group);
  g_autofree char *subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Collapsed group of %u operator",
                                                            "Collapsed group of %u operators", n_ops),
                                               n_ops);

  gtk_label_set_text (self->title_label, studio_graph_view_get_group_name (self->view, group));
  gtk_label_set_text (self->subtitle_label, subtitle);
  gtk_widget_set_visible (GTK_WIDGET (self->expand_button), TRUE);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      if (studio_graph_view_get_group_of (self->view, i) != (gint) group || mrt_node_is_variable (n))
        continue;
      g_hash_table_insert (ops, (gpointer) n->op,
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (ops, n->op)) + 1));
    }
  keys = g_list_sort (g_hash_table_get_keys (ops), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      g_autofree char *count = g_strdup_printf ("%u", GPOINTER_TO_UINT (g_hash_table_lookup (ops, l->data)));
      add_row (self, self->attrs_group, l->data, count);
    }
  adw_preferences_group_set_title (self->attrs_group, _("Operators"));
  gtk_widget_set_visible (GTK_WIDGET (self->attrs_group), TRUE);
  gtk_widget_set_visible (GTK_WIDGET (self->quant_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->shapes_group), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->params_group), FALSE);
}

static void
show_node (StudioInspector *self, MrtModel *model, guint node)
{
  const MrtNode *n = mrt_model_node (model, node);
  gboolean weight = studio_graph_scene_is_weight (model, node);

  gtk_label_set_text (self->title_label, !mrt_node_is_variable (n) ? n->op : weight ? _("Parameter") : _("Input"));
  gtk_label_set_text (self->subtitle_label, n->name);
  gtk_widget_set_visible (GTK_WIDGET (self->expand_button), FALSE);
  gtk_widget_set_visible (GTK_WIDGET (self->quant_group), !weight);
  gtk_widget_set_visible (GTK_WIDGET (self->shapes_group), TRUE);
  if (!weight)
    fill_quant (self, model, n->name);
  fill_shapes (self, model, node);
  fill_params (self, model, node);
  fill_attrs (self, n);
}

static gboolean
refresh_idle (gpointer data)
{
  StudioInspector *self = data;
  self->refresh_source = 0;
  refresh (self);
  return G_SOURCE_REMOVE;
}

/* Scene changes come in bursts (and from style changes, mid-way through
 * a CSS update): rebuild the rows once, afterwards. */
static void
refresh_later (StudioInspector *self)
{
  if (!self->refresh_source)
    self->refresh_source = g_idle_add (refresh_idle, self);
}

static void
watch_project (StudioInspector *self)
{
  StudioProject *project = self->view ? studio_graph_view_get_project (self->view) : NULL;
  if (project == self->project)
    return;
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_set_object (&self->project, project);
  if (project)
    g_signal_connect_swapped (project, "changed", G_CALLBACK (refresh), self);
}

static void
refresh (StudioInspector *self)
{
  MrtModel *model = self->view ? studio_graph_view_get_shown_model (self->view) : NULL;
  gint node = self->view ? studio_graph_view_get_selected_node (self->view) : -1;
  gint s = node >= 0 && self->view->scene ? studio_graph_scene_lookup (self->view->scene, (guint) node) : -1;
  const StudioSceneNode *sn = s >= 0 ? studio_graph_scene_get_node (self->view->scene, (guint) s) : NULL;

  watch_project (self);
  clear_rows (self);
  g_clear_pointer (&self->node_name, g_free);
  g_clear_pointer (&self->output_shape, g_free);
  if (!model || node < 0)
    {
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  if (sn && sn->group >= 0)
    show_group (self, model, (guint) sn->group);
  else
    show_node (self, model, (guint) node);
  gtk_stack_set_visible_child_name (self->stack, "node");
}

/* ---- GObject ------------------------------------------------------------------ */

static void
studio_inspector_dispose (GObject *object)
{
  StudioInspector *self = STUDIO_INSPECTOR (object);
  studio_inspector_set_view (self, NULL);
  g_clear_handle_id (&self->refresh_source, g_source_remove);
  if (self->project)
    g_signal_handlers_disconnect_by_data (self->project, self);
  g_clear_object (&self->project);
  g_clear_pointer (&self->rows, g_ptr_array_unref);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_INSPECTOR);
  G_OBJECT_CLASS (studio_inspector_parent_class)->dispose (object);
}

static void
studio_inspector_finalize (GObject *object)
{
  StudioInspector *self = STUDIO_INSPECTOR (object);
  g_free (self->node_name);
  g_free (self->shapes_input);
  g_free (self->shapes);
  g_free (self->output_shape);
  g_clear_pointer (&self->shapes_model, mrt_model_unref);
  G_OBJECT_CLASS (studio_inspector_parent_class)->finalize (object);
}

static void
studio_inspector_class_init (StudioInspectorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_inspector_dispose;
  object_class->finalize = studio_inspector_finalize;
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-inspector.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, stack);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, title_label);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, subtitle_label);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, expand_button);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, quant_group);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, shapes_group);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, params_group);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, attrs_group);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, threshold_row);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, reset_button);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, calibrated_value);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, scale_value);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, precision_value);
  gtk_widget_class_bind_template_child (widget_class, StudioInspector, sqnr_value);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inspector");
}

static void
studio_inspector_init (StudioInspector *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_ptr_array_new ();
  g_signal_connect (self->threshold_row, "apply", G_CALLBACK (on_threshold_apply), self);
  g_signal_connect (self->reset_button, "clicked", G_CALLBACK (on_reset_clicked), self);
  g_signal_connect (self->expand_button, "clicked", G_CALLBACK (on_expand_clicked), self);
}

GtkWidget *
studio_inspector_new (void)
{
  return g_object_new (STUDIO_TYPE_INSPECTOR, NULL);
}

void
studio_inspector_set_view (StudioInspector *self, StudioGraphView *view)
{
  g_return_if_fail (STUDIO_IS_INSPECTOR (self));
  if (view == self->view)
    return;
  if (self->view)
    g_signal_handlers_disconnect_by_data (self->view, self);
  self->view = view;
  if (view)
    {
      g_signal_connect_swapped (view, "notify::selected-node", G_CALLBACK (refresh), self);
      g_signal_connect_swapped (view, "state-changed", G_CALLBACK (refresh), self);
      /* Collapsing or expanding turns the selection into a group or back. */
      g_signal_connect_swapped (view, "scene-changed", G_CALLBACK (refresh_later), self);
    }
  if (self->rows)
    refresh (self);
}

StudioGraphView *
studio_inspector_get_view (StudioInspector *self)
{
  g_return_val_if_fail (STUDIO_IS_INSPECTOR (self), NULL);
  return self->view;
}

AdwEntryRow *
studio_inspector_get_threshold_row (StudioInspector *self)
{
  g_return_val_if_fail (STUDIO_IS_INSPECTOR (self), NULL);
  return self->threshold_row;
}

const char *
studio_inspector_get_value (StudioInspector *self, const char *row)
{
  g_return_val_if_fail (STUDIO_IS_INSPECTOR (self), NULL);
  if (g_str_equal (row, "calibrated"))
    return gtk_label_get_text (self->calibrated_value);
  if (g_str_equal (row, "scale"))
    return gtk_label_get_text (self->scale_value);
  if (g_str_equal (row, "precision"))
    return gtk_label_get_text (self->precision_value);
  if (g_str_equal (row, "sqnr"))
    return gtk_label_get_text (self->sqnr_value);
  return NULL;
}

const char *
studio_inspector_get_output_shape (StudioInspector *self)
{
  g_return_val_if_fail (STUDIO_IS_INSPECTOR (self), NULL);
  return self->output_shape;
}
