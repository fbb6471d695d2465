/* studio-sqnr-chart.c: per-layer SQNR bars. */
#include "studio-sqnr-chart.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-chart-draw.h"

#define MARGIN_LEFT 56.0
#define MARGIN_RIGHT 12.0
#define MARGIN_TOP 12.0
#define MARGIN_BOTTOM 8.0
/* below this the quantized layer is noticeably off; above GOOD_DB it is fine */
#define POOR_DB 20.0
#define GOOD_DB 30.0

typedef struct {
  char *name, *op;
  double db, cosine;
} Layer;

struct _StudioSqnrChart {
  GtkWidget parent_instance;
  GArray *layers; /* Layer */
  int selected, hover;
};

G_DEFINE_FINAL_TYPE (StudioSqnrChart, studio_sqnr_chart, GTK_TYPE_WIDGET)

enum {
  SIGNAL_LAYER_ACTIVATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
layer_clear (gpointer p)
{
  Layer *l = p;
  g_free (l->name);
  g_free (l->op);
}

void
studio_sqnr_chart_set_layers (StudioSqnrChart *self, const GPtrArray *layers)
{
  g_return_if_fail (STUDIO_IS_SQNR_CHART (self));
  g_array_set_size (self->layers, 0);
  for (guint i = 0; layers && i < layers->len; i++)
    {
      const MrtLayerError *e = g_ptr_array_index (layers, i);
      Layer l = { g_strdup (e->name), g_strdup (e->op), e->sqnr_db, e->cosine };
      g_array_append_val (self->layers, l);
    }
  self->selected = self->hover = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
studio_sqnr_chart_get_n_layers (StudioSqnrChart *self)
{
  g_return_val_if_fail (STUDIO_IS_SQNR_CHART (self), 0);
  return self->layers->len;
}

void
studio_sqnr_chart_set_selected (StudioSqnrChart *self, const char *name)
{
  g_return_if_fail (STUDIO_IS_SQNR_CHART (self));
  self->selected = -1;
  for (guint i = 0; name && i < self->layers->len; i++)
    if (g_str_equal (g_array_index (self->layers, Layer, i).name, name))
      self->selected = (int) i;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static double
slot_width (StudioSqnrChart *self)
{
  double plot = gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_LEFT - MARGIN_RIGHT;
  return self->layers->len ? MIN (plot / self->layers->len, 48) : 0;
}

double
studio_sqnr_chart_get_bar_x (StudioSqnrChart *self, guint index)
{
  g_return_val_if_fail (STUDIO_IS_SQNR_CHART (self), 0);
  return MARGIN_LEFT + (index + 0.5) * slot_width (self);
}

int
studio_sqnr_chart_get_layer_at (StudioSqnrChart *self, double x, double y)
{
  double w;
  int i;
  g_return_val_if_fail (STUDIO_IS_SQNR_CHART (self), -1);
  w = slot_width (self);
  if (w <= 0 || x < MARGIN_LEFT)
    return -1;
  i = (int) floor ((x - MARGIN_LEFT) / w);
  return i < (int) self->layers->len ? i : -1;
}

/* The dB axis: from 0 (or the lowest value) to a nice top over the finite values. */
static void
y_scale (StudioSqnrChart *self, StudioChartScale *y)
{
  double lo = 0, hi = GOOD_DB + 10, H = gtk_widget_get_height (GTK_WIDGET (self));
  for (guint i = 0; i < self->layers->len; i++)
    {
      double db = g_array_index (self->layers, Layer, i).db;
      if (isfinite (db))
        lo = MIN (lo, db), hi = MAX (hi, db);
    }
  studio_chart_nice_range (&lo, &hi, 5);
  studio_chart_scale_init (y, lo, hi, H - MARGIN_BOTTOM, MARGIN_TOP, FALSE);
}

static void
studio_sqnr_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioSqnrChart *self = STUDIO_SQNR_CHART (widget);
  double W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget), w = slot_width (self);
  StudioChartPalette pal;
  StudioChartScale y;
  double zero;

  studio_chart_palette_read (widget, &pal);
  if (self->layers->len == 0)
    {
      studio_chart_text (snapshot, widget, _("Per-layer SQNR appears after evaluation"), W / 2, H / 2, 0.5, 0.5,
                         &pal.dim, FALSE);
      return;
    }
  y_scale (self, &y);
  studio_chart_y_axis (snapshot, widget, &y, MARGIN_LEFT, W - MARGIN_RIGHT, 5, " dB", &pal);
  zero = studio_chart_scale_to_pixel (&y, 0);
  for (guint i = 0; i < self->layers->len; i++)
    {
      const Layer *l = &g_array_index (self->layers, Layer, i);
      double v = isfinite (l->db) ? l->db : y.max, top = studio_chart_scale_to_pixel (&y, v);
      double x = MARGIN_LEFT + i * w, gap = w > 4 ? MAX (1, w * 0.2) : 0;
      GdkRGBA c = v < POOR_DB ? pal.bad : v < GOOD_DB ? pal.warn : pal.good;

      if ((int) i == self->selected || (int) i == self->hover)
        studio_chart_rect (snapshot, x, y.pixel1, w, y.pixel0 - y.pixel1, &pal.grid);
      if ((int) i != self->selected && self->selected >= 0)
        c = studio_chart_alpha (&c, 0.55);
      studio_chart_rect (snapshot, x + gap / 2, MIN (top, zero), MAX (w - gap, 1), fabs (zero - top), &c);
    }
  studio_chart_hline (snapshot, MARGIN_LEFT, W - MARGIN_RIGHT, zero, 1, &pal.axis);
  /* where "good" starts */
  studio_chart_hline (snapshot, MARGIN_LEFT, W - MARGIN_RIGHT, studio_chart_scale_to_pixel (&y, POOR_DB), 1,
                      &(GdkRGBA) { pal.bad.red, pal.bad.green, pal.bad.blue, 0.35 });
}

static gboolean
on_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip, gpointer data)
{
  StudioSqnrChart *self = STUDIO_SQNR_CHART (widget);
  int i = studio_sqnr_chart_get_layer_at (self, x, y);
  const Layer *l;
  g_autofree char *db = NULL, *markup = NULL;

  if (i < 0)
    return FALSE;
  l = &g_array_index (self->layers, Layer, i);
  db = isfinite (l->db) ? g_strdup_printf ("%.1f dB", l->db) : g_strdup (_("exact"));
  markup = g_markup_printf_escaped ("<b>%s</b> <small>%s</small>\n%s: %s\n%s: %.5f", l->name, l->op, _("SQNR"), db,
                                    _("Cosine similarity"), l->cosine);
  gtk_tooltip_set_markup (tooltip, markup);
  return TRUE;
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, StudioSqnrChart *self)
{
  int i = studio_sqnr_chart_get_layer_at (self, x, y);
  if (i != self->hover)
    {
      self->hover = i;
      gtk_widget_set_cursor_from_name (GTK_WIDGET (self), i >= 0 ? "pointer" : NULL);
      gtk_widget_queue_draw (GTK_WIDGET (self));
    }
}

static void
on_leave (GtkEventControllerMotion *motion, StudioSqnrChart *self)
{
  self->hover = -1;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
on_released (GtkGestureClick *click, int n_press, double x, double y, StudioSqnrChart *self)
{
  int i = studio_sqnr_chart_get_layer_at (self, x, y);
  if (i < 0)
    return;
  self->selected = i;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_LAYER_ACTIVATED], 0, g_array_index (self->layers, Layer, i).name);
}

static void
sqnr_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
              int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 220 : 100;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 480 : 150;
}

static void
studio_sqnr_chart_finalize (GObject *object)
{
  g_array_unref (STUDIO_SQNR_CHART (object)->layers);
  G_OBJECT_CLASS (studio_sqnr_chart_parent_class)->finalize (object);
}

static void
studio_sqnr_chart_class_init (StudioSqnrChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = studio_sqnr_chart_finalize;
  widget_class->snapshot = studio_sqnr_chart_snapshot;
  widget_class->measure = sqnr_measure;
  /* (const char *name): a bar was clicked. */
  signals[SIGNAL_LAYER_ACTIVATED] = g_signal_new ("layer-activated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
  gtk_widget_class_set_css_name (widget_class, "sqnrchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_sqnr_chart_init (StudioSqnrChart *self)
{
  GtkGesture *click = gtk_gesture_click_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  g_array_set_clear_func (self->layers, layer_clear);
  self->selected = self->hover = -1;
  g_signal_connect (click, "released", G_CALLBACK (on_released), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_widget_set_has_tooltip (GTK_WIDGET (self), TRUE);
  g_signal_connect (self, "query-tooltip", G_CALLBACK (on_query_tooltip), NULL);
}
