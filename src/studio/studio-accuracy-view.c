/* studio-accuracy-view.c: the accuracy page. */
#include "config.h"

#include "studio-accuracy-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-accuracy-charts.h"
#include "studio-sqnr-chart.h"

/* ---- one row of the per-class table -------------------------------------- */

#define STUDIO_TYPE_CLASS_ROW (studio_class_row_get_type ())
G_DECLARE_FINAL_TYPE (StudioClassRow, studio_class_row, STUDIO, CLASS_ROW, GObject)

struct _StudioClassRow {
  GObject parent_instance;
  guint index;
  char *name;
  guint64 total;
  double acc[2]; /* float, quantized; NAN without samples */
};

G_DEFINE_FINAL_TYPE (StudioClassRow, studio_class_row, G_TYPE_OBJECT)

static void
studio_class_row_finalize (GObject *object)
{
  g_free (STUDIO_CLASS_ROW (object)->name);
  G_OBJECT_CLASS (studio_class_row_parent_class)->finalize (object);
}

static void
studio_class_row_class_init (StudioClassRowClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = studio_class_row_finalize;
}

static void
studio_class_row_init (StudioClassRow *self)
{
}

typedef enum {
  COL_CLASS,
  COL_SAMPLES,
  COL_FLOAT,
  COL_QUANT,
  COL_DELTA,
  N_COLS
} Column;

static double
row_value (StudioClassRow *r, Column col)
{
  switch (col)
    {
    case COL_CLASS: return r->index;
    case COL_SAMPLES: return (double) r->total;
    case COL_FLOAT: return r->acc[0];
    case COL_QUANT: return r->acc[1];
    case COL_DELTA:
    case N_COLS:
    default: return r->acc[1] - r->acc[0];
    }
}

/* ---- the view ------------------------------------------------------------ */

struct _StudioAccuracyView {
  GtkWidget parent_instance;

  GtkStack *stack;
  GtkGrid *summary_grid;
  StudioAccuracyBars *bars;
  StudioRunningChart *running;
  GtkColumnView *class_view;
  StudioSqnrChart *sqnr;

  GtkLabel *values[2][3];
  GtkLabel *samples;
  GListStore *classes;
};

G_DEFINE_FINAL_TYPE (StudioAccuracyView, studio_accuracy_view, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LAYER_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static const char *const fashion_names[] = {
  N_("T-shirt/top"), N_("Trouser"), N_("Pullover"), N_("Dress"), N_("Coat"),
  N_("Sandal"), N_("Shirt"), N_("Sneaker"), N_("Bag"), N_("Ankle boot"),
};
static const char *const cifar_names[] = {
  N_("Airplane"), N_("Automobile"), N_("Bird"), N_("Cat"), N_("Deer"),
  N_("Dog"), N_("Frog"), N_("Horse"), N_("Ship"), N_("Truck"),
};

static char *
class_name (const char *dataset, guint index)
{
  if (dataset && g_str_equal (dataset, "fashion_mnist") && index < G_N_ELEMENTS (fashion_names))
    return g_strdup_printf ("%u · %s", index, _(fashion_names[index]));
  if (dataset && g_str_equal (dataset, "cifar10") && index < G_N_ELEMENTS (cifar_names))
    return g_strdup_printf ("%u · %s", index, _(cifar_names[index]));
  return g_strdup_printf ("%u", index);
}

static char *
format_percent (double v)
{
  return isnan (v) ? g_strdup ("—") : g_strdup_printf ("%.2f %%", 100 * v);
}

/* Percentage points, with the sign; a drop is what the user looks for. */
static void
set_delta (GtkLabel *label, double delta)
{
  g_autofree char *text = g_strdup_printf (_("%+.2f pp"), 100 * delta);
  gtk_label_set_text (label, isnan (delta) ? "—" : text);
  gtk_widget_remove_css_class (GTK_WIDGET (label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (label), "success");
  if (isnan (delta))
    return;
  gtk_widget_add_css_class (GTK_WIDGET (label), delta <= -0.01 ? "error" : delta < -0.002 ? "warning" : "success");
}

void
studio_accuracy_view_set_evaluation (StudioAccuracyView *self, const MrtEvaluation *ev, const char *dataset)
{
  double v[2][2];

  g_return_if_fail (STUDIO_IS_ACCURACY_VIEW (self));
  studio_accuracy_bars_set_evaluation (self->bars, ev);
  studio_sqnr_chart_set_layers (self->sqnr, ev ? ev->layers : NULL);
  g_list_store_remove_all (self->classes);
  if (ev == NULL)
    {
      studio_running_chart_set_series (self->running, NULL, NULL, 0);
      gtk_stack_set_visible_child_name (self->stack, "empty");
      return;
    }
  v[0][0] = ev->float_top1, v[0][1] = ev->quant_top1;
  v[1][0] = ev->float_top5, v[1][1] = ev->quant_top5;
  for (guint r = 0; r < 2; r++)
    {
      for (guint c = 0; c < 2; c++)
        {
          g_autofree char *text = format_percent (v[r][c]);
          gtk_label_set_text (self->values[r][c], text);
        }
      set_delta (self->values[r][2], v[r][1] - v[r][0]);
    }
  {
    g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%" G_GUINT64_FORMAT " sample",
                                                          "%" G_GUINT64_FORMAT " samples", ev->samples),
                                             ev->samples);
    /* the float model did not run again: say so, it explains a fast run */
    if (ev->float_reused)
      {
        g_autofree char *full = g_strdup_printf (_("%s · original model’s results from the previous evaluation"), text);
        gtk_label_set_text (self->samples, full);
      }
    else
      gtk_label_set_text (self->samples, text);
  }
  studio_running_chart_set_series (self->running, ev->running_float, ev->running_quant, ev->running_float->len);
  for (guint i = 0; i < ev->n_classes; i++)
    {
      StudioClassRow *row = g_object_new (STUDIO_TYPE_CLASS_ROW, NULL);
      row->index = i;
      row->name = class_name (dataset, i);
      row->total = ev->class_total[i];
      row->acc[0] = ev->class_total[i] ? (double) ev->class_float[i] / ev->class_total[i] : NAN;
      row->acc[1] = ev->class_total[i] ? (double) ev->class_quant[i] / ev->class_total[i] : NAN;
      g_list_store_append (self->classes, row);
      g_object_unref (row);
    }
  gtk_stack_set_visible_child_name (self->stack, "results");
}

void
studio_accuracy_view_set_running (StudioAccuracyView *self, const GArray *float_top1, const GArray *quant_top1,
                                  guint expected)
{
  g_return_if_fail (STUDIO_IS_ACCURACY_VIEW (self));
  studio_running_chart_set_series (self->running, float_top1, quant_top1, expected);
  if (float_top1 && float_top1->len > 0)
    gtk_stack_set_visible_child_name (self->stack, "results");
}

void
studio_accuracy_view_select_layer (StudioAccuracyView *self, const char *name)
{
  g_return_if_fail (STUDIO_IS_ACCURACY_VIEW (self));
  studio_sqnr_chart_set_selected (self->sqnr, name);
}

GtkLabel *
studio_accuracy_view_get_value_label (StudioAccuracyView *self, guint row, guint column)
{
  g_return_val_if_fail (STUDIO_IS_ACCURACY_VIEW (self), NULL);
  g_return_val_if_fail (row < 2 && column < 3, NULL);
  return self->values[row][column];
}

guint
studio_accuracy_view_get_n_classes (StudioAccuracyView *self)
{
  g_return_val_if_fail (STUDIO_IS_ACCURACY_VIEW (self), 0);
  return g_list_model_get_n_items (G_LIST_MODEL (self->classes));
}

GtkWidget *
studio_accuracy_view_get_sqnr_chart (StudioAccuracyView *self)
{
  g_return_val_if_fail (STUDIO_IS_ACCURACY_VIEW (self), NULL);
  return GTK_WIDGET (self->sqnr);
}

GtkWidget *
studio_accuracy_view_get_running_chart (StudioAccuracyView *self)
{
  g_return_val_if_fail (STUDIO_IS_ACCURACY_VIEW (self), NULL);
  return GTK_WIDGET (self->running);
}

/* ---- building ------------------------------------------------------------ */

static GtkLabel *
grid_label (StudioAccuracyView *self, const char *text, int col, int row, const char *css)
{
  GtkWidget *label = gtk_label_new (text);
  gtk_label_set_xalign (GTK_LABEL (label), col == 0 ? 0 : 1);
  if (css)
    gtk_widget_add_css_class (label, css);
  gtk_grid_attach (self->summary_grid, label, col, row, 1, 1);
  return GTK_LABEL (label);
}

static void
build_summary (StudioAccuracyView *self)
{
  const char *heads[] = { _("Float"), _("Quantized"), _("Difference") };
  const char *rows[] = { _("Top-1"), _("Top-5") };

  for (guint c = 0; c < 3; c++)
    grid_label (self, heads[c], c + 1, 0, "dim-label");
  for (guint r = 0; r < 2; r++)
    {
      grid_label (self, rows[r], 0, r + 1, "heading");
      for (guint c = 0; c < 3; c++)
        {
          self->values[r][c] = grid_label (self, "—", c + 1, r + 1, "numeric");
          if (c < 2)
            gtk_widget_add_css_class (GTK_WIDGET (self->values[r][c]), "title-4");
        }
    }
  self->samples = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_xalign (self->samples, 0);
  gtk_widget_add_css_class (GTK_WIDGET (self->samples), "dim-label");
  gtk_widget_add_css_class (GTK_WIDGET (self->samples), "caption");
  gtk_grid_attach (self->summary_grid, GTK_WIDGET (self->samples), 0, 3, 4, 1);
}

static void
setup_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  GtkWidget *label = gtk_label_new (NULL);
  Column col = GPOINTER_TO_INT (data);
  gtk_label_set_xalign (GTK_LABEL (label), col == COL_CLASS ? 0 : 1);
  gtk_widget_add_css_class (label, "numeric");
  gtk_list_item_set_child (item, label);
}

static void
bind_cell (GtkSignalListItemFactory *factory, GtkListItem *item, gpointer data)
{
  StudioClassRow *row = gtk_list_item_get_item (item);
  GtkLabel *label = GTK_LABEL (gtk_list_item_get_child (item));
  Column col = GPOINTER_TO_INT (data);
  g_autofree char *text = NULL;

  if (col == COL_DELTA)
    {
      set_delta (label, row_value (row, col));
      return;
    }
  if (col == COL_CLASS)
    text = g_strdup (row->name);
  else if (col == COL_SAMPLES)
    text = g_strdup_printf ("%" G_GUINT64_FORMAT, row->total);
  else
    text = format_percent (row_value (row, col));
  gtk_label_set_text (label, text);
}

static int
compare_rows (gconstpointer a, gconstpointer b, gpointer data)
{
  double va = row_value ((StudioClassRow *) a, GPOINTER_TO_INT (data));
  double vb = row_value ((StudioClassRow *) b, GPOINTER_TO_INT (data));
  /* classes without samples last */
  if (isnan (va) || isnan (vb))
    return isnan (va) - isnan (vb);
  return va < vb ? GTK_ORDERING_SMALLER : va > vb ? GTK_ORDERING_LARGER : GTK_ORDERING_EQUAL;
}

static void
build_class_view (StudioAccuracyView *self)
{
  /* TRANSLATORS: column titles of the per-class table; Δ is quantized minus float */
  const char *titles[N_COLS] = { _("Class"), _("Samples"), _("Float"), _("Quantized"), _("Δ") };
  static const int widths[N_COLS] = { -1, 76, 76, 90, 76 };
  GtkSortListModel *sorted;
  GtkNoSelection *selection;

  for (int c = 0; c < N_COLS; c++)
    {
      GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();
      GtkColumnViewColumn *column;
      GtkSorter *sorter = GTK_SORTER (gtk_custom_sorter_new (compare_rows, GINT_TO_POINTER (c), NULL));
      g_signal_connect (factory, "setup", G_CALLBACK (setup_cell), GINT_TO_POINTER (c));
      g_signal_connect (factory, "bind", G_CALLBACK (bind_cell), GINT_TO_POINTER (c));
      column = gtk_column_view_column_new (titles[c], factory);
      gtk_column_view_column_set_sorter (column, sorter);
      gtk_column_view_column_set_expand (column, c == COL_CLASS);
      gtk_column_view_column_set_fixed_width (column, widths[c]);
      gtk_column_view_append_column (self->class_view, column);
      g_object_unref (sorter);
      g_object_unref (column);
    }
  self->classes = g_list_store_new (STUDIO_TYPE_CLASS_ROW);
  sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_object_ref (self->classes)),
                                    g_object_ref (gtk_column_view_get_sorter (self->class_view)));
  selection = gtk_no_selection_new (G_LIST_MODEL (sorted));
  gtk_column_view_set_model (self->class_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
}

static void
on_layer_activated (StudioSqnrChart *chart, const char *name, StudioAccuracyView *self)
{
  g_signal_emit (self, signals[SIGNAL_LAYER_ACTIVATED], 0, name);
}

static void
studio_accuracy_view_dispose (GObject *object)
{
  StudioAccuracyView *self = STUDIO_ACCURACY_VIEW (object);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_ACCURACY_VIEW);
  /* the template's root has no id, so dispose_template leaves it */
  for (GtkWidget *child; (child = gtk_widget_get_first_child (GTK_WIDGET (self)));)
    gtk_widget_unparent (child);
  g_clear_object (&self->classes);
  G_OBJECT_CLASS (studio_accuracy_view_parent_class)->dispose (object);
}

static void
studio_accuracy_view_class_init (StudioAccuracyViewClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = studio_accuracy_view_dispose;
  /* (const char *name): a bar of the SQNR chart was clicked. */
  signals[SIGNAL_LAYER_ACTIVATED] = g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);

  g_type_ensure (STUDIO_TYPE_ACCURACY_BARS);
  g_type_ensure (STUDIO_TYPE_RUNNING_CHART);
  g_type_ensure (STUDIO_TYPE_SQNR_CHART);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-accuracy-view.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, stack);
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, summary_grid);
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, bars);
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, running);
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, class_view);
  gtk_widget_class_bind_template_child (widget_class, StudioAccuracyView, sqnr);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
}

static void
studio_accuracy_view_init (StudioAccuracyView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  build_summary (self);
  build_class_view (self);
  g_signal_connect (self->sqnr, "layer-activated", G_CALLBACK (on_layer_activated), self);
}

GtkWidget *
studio_accuracy_view_new (void)
{
  return g_object_new (STUDIO_TYPE_ACCURACY_VIEW, NULL);
}
