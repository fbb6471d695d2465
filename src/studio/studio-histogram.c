/* studio-histogram.c: the calibration histogram chart. */
#include "studio-histogram.h"

#include <glib/gi18n.h>
#include <math.h>
#include <string.h>

#include "studio-chart-draw.h"

#define MARGIN_RIGHT 16.0
#define MARGIN_TOP 36.0
#define MARGIN_BOTTOM 24.0
#define HIT_SLOP 6.0

struct _StudioHistogram {
  GtkWidget parent_instance;

  gboolean has_stats;
  MrtNodeStats stats; /* bins owned */
  double lambda;
  double threshold;
  gboolean dragging;
  double drag_start_x;
};

G_DEFINE_FINAL_TYPE (StudioHistogram, studio_histogram, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_THRESHOLD,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_THRESHOLD_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- geometry ------------------------------------------------------------ */

static double
margin_left (StudioHistogram *self)
{
  return 48;
}

/* The x range shown: the histogram's, widened to keep the threshold in view. */
static double
x_extent (StudioHistogram *self)
{
  double r = self->has_stats ? self->stats.range : 1;
  if (!(r > 0))
    r = MAX (self->stats.absmax, 1e-6);
  /* a little room right of the outermost marker */
  return MAX (MAX (r, self->stats.absmax), fabs (self->threshold)) * 1.05;
}

static void
x_scale (StudioHistogram *self, StudioChartScale *x)
{
  double r = x_extent (self);
  studio_chart_scale_init (x, -r, r, margin_left (self), gtk_widget_get_width (GTK_WIDGET (self)) - MARGIN_RIGHT, FALSE);
}

double
studio_histogram_value_to_x (StudioHistogram *self, double value)
{
  StudioChartScale x;
  g_return_val_if_fail (STUDIO_IS_HISTOGRAM (self), 0);
  x_scale (self, &x);
  return studio_chart_scale_to_pixel (&x, value);
}

double
studio_histogram_x_to_value (StudioHistogram *self, double px)
{
  StudioChartScale x;
  g_return_val_if_fail (STUDIO_IS_HISTOGRAM (self), 0);
  x_scale (self, &x);
  return studio_chart_scale_to_value (&x, px);
}

/* ---- data ---------------------------------------------------------------- */

void
studio_histogram_set_stats (StudioHistogram *self, const MrtNodeStats *stats)
{
  g_return_if_fail (STUDIO_IS_HISTOGRAM (self));
  g_clear_pointer (&self->stats.bins, g_free);
  self->has_stats = stats != NULL && stats->bins != NULL;
  if (self->has_stats)
    {
      self->stats = *stats;
      self->stats.bins = g_memdup2 (stats->bins, sizeof (guint64) * MRT_HIST_BINS);
    }
  else
    memset (&self->stats, 0, sizeof self->stats);
  self->dragging = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

gboolean
studio_histogram_has_stats (StudioHistogram *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTOGRAM (self), FALSE);
  return self->has_stats;
}

void
studio_histogram_set_lambda (StudioHistogram *self, double lambda)
{
  g_return_if_fail (STUDIO_IS_HISTOGRAM (self));
  self->lambda = lambda;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
studio_histogram_set_threshold (StudioHistogram *self, double threshold)
{
  g_return_if_fail (STUDIO_IS_HISTOGRAM (self));
  threshold = fabs (threshold);
  if (threshold == self->threshold)
    return;
  self->threshold = threshold;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THRESHOLD]);
}

double
studio_histogram_get_threshold (StudioHistogram *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTOGRAM (self), 0);
  return self->threshold;
}

double
studio_histogram_get_clipped_fraction (StudioHistogram *self)
{
  g_return_val_if_fail (STUDIO_IS_HISTOGRAM (self), 0);
  if (!self->has_stats)
    return 0;
  return studio_chart_clipped_fraction (self->stats.bins, MRT_HIST_BINS, self->stats.range, self->threshold);
}

/* ---- drawing ------------------------------------------------------------- */

typedef struct {
  double value;
  const char *label;
  const GdkRGBA *color;
  gboolean dashed, mirror;
} Marker;

static void
draw_bars (StudioHistogram *self, GtkSnapshot *snapshot, const StudioChartScale *x, const StudioChartScale *y,
           const guint64 *cols, guint n_cols, const StudioChartPalette *pal)
{
  double x0 = studio_chart_scale_to_pixel (x, -self->stats.range);
  double x1 = studio_chart_scale_to_pixel (x, self->stats.range);
  double cw = (x1 - x0) / n_cols, base = y->pixel0;
  GdkRGBA inside = studio_chart_alpha (&pal->series_float, 0.8), outside = studio_chart_alpha (&pal->bad, 0.8);

  for (guint i = 0; i < n_cols; i++)
    {
      double centre = -self->stats.range + (i + 0.5) * 2 * self->stats.range / n_cols;
      double top;
      if (cols[i] == 0)
        continue;
      /* a single count would sit on the log baseline: give it a sliver */
      top = MIN (studio_chart_scale_to_pixel (y, cols[i]), base - 1.5);
      studio_chart_rect (snapshot, x0 + i * cw, top, MAX (cw - (cw > 3 ? 1 : 0), 1), base - top,
                         fabs (centre) > self->threshold ? &outside : &inside);
    }
}

static void
draw_markers (StudioHistogram *self, GtkSnapshot *snapshot, const StudioChartScale *x, double top, double bottom,
              const StudioChartPalette *pal)
{
  GtkWidget *widget = GTK_WIDGET (self);
  const MrtNodeStats *s = &self->stats;
  double last_end[2] = { -1e9, -1e9 };
  g_autofree char *th_label = g_strdup_printf ("θ %.4g", self->threshold);
  Marker markers[4];
  guint n = 0;

  markers[n++] = (Marker) { s->mean, "μ", &pal->neutral, TRUE, FALSE };
  if (self->lambda > 0)
    markers[n++] = (Marker) { fabs (s->mean) + self->lambda * s->std, "|μ|+λσ", &pal->good, TRUE, TRUE };
  markers[n++] = (Marker) { s->absmax, _("max"), &pal->dim, TRUE, TRUE };
  markers[n++] = (Marker) { self->threshold, th_label, &pal->accent, FALSE, TRUE };

  for (guint i = 0; i < n; i++)
    {
      Marker *m = &markers[i];
      double px = studio_chart_scale_to_pixel (x, m->value), width = m->dashed ? 1 : 2;
      int tw, th;
      guint row;

      studio_chart_vline (snapshot, px, top, bottom, width, m->color, m->dashed);
      if (m->mirror)
        studio_chart_vline (snapshot, studio_chart_scale_to_pixel (x, -m->value), top, bottom, width, m->color,
                            m->dashed);
      /* labels above the plot, on a second row when they would collide */
      studio_chart_text_size (widget, m->label, TRUE, &tw, &th);
      row = px - tw / 2.0 < last_end[0] + 4 ? 1 : 0;
      last_end[row] = px + tw / 2.0;
      studio_chart_text (snapshot, widget, m->label, px, top - 2 - row * (th + 1), 0.5, 1, m->color, TRUE);
    }
  /* drag handles on the threshold lines */
  for (int sign = -1; sign <= 1; sign += 2)
    {
      double px = studio_chart_scale_to_pixel (x, sign * self->threshold);
      GskRoundedRect handle;
      gsk_rounded_rect_init_from_rect (&handle, &GRAPHENE_RECT_INIT (px - 4, top + 4, 8, 16), 3);
      gtk_snapshot_push_rounded_clip (snapshot, &handle);
      gtk_snapshot_append_color (snapshot, &pal->accent, &handle.bounds);
      gtk_snapshot_pop (snapshot);
    }
}

static void
studio_histogram_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioHistogram *self = STUDIO_HISTOGRAM (widget);
  double W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  double left = margin_left (self), top = MARGIN_TOP, bottom = H - MARGIN_BOTTOM;
  StudioChartPalette pal;
  StudioChartScale x, y;
  g_autofree guint64 *cols = NULL;
  guint64 peak = 1;
  guint n_cols;
  GdkRGBA shade;

  studio_chart_palette_read (widget, &pal);
  if (!self->has_stats || W < left + MARGIN_RIGHT + 20 || bottom - top < 20)
    {
      studio_chart_text (snapshot, widget, _("No calibration data"), W / 2, H / 2, 0.5, 0.5, &pal.dim, FALSE);
      return;
    }
  x_scale (self, &x);
  n_cols = (guint) CLAMP ((studio_chart_scale_to_pixel (&x, self->stats.range) -
                           studio_chart_scale_to_pixel (&x, -self->stats.range)) / 3, 1, MRT_HIST_BINS);
  cols = g_new (guint64, n_cols);
  studio_chart_rebin (self->stats.bins, MRT_HIST_BINS, cols, n_cols);
  for (guint i = 0; i < n_cols; i++)
    peak = MAX (peak, cols[i]);
  studio_chart_scale_init (&y, 1, pow (10, ceil (log10 ((double) peak) + 1e-9)), bottom, top, TRUE);

  /* the clipped regions */
  shade = studio_chart_alpha (&pal.bad, 0.06);
  studio_chart_rect (snapshot, left, top, studio_chart_scale_to_pixel (&x, -self->threshold) - left, bottom - top,
                     &shade);
  studio_chart_rect (snapshot, studio_chart_scale_to_pixel (&x, self->threshold), top,
                     x.pixel1 - studio_chart_scale_to_pixel (&x, self->threshold), bottom - top, &shade);

  studio_chart_y_axis (snapshot, widget, &y, left, x.pixel1, 6, NULL, &pal);
  draw_bars (self, snapshot, &x, &y, cols, n_cols, &pal);
  studio_chart_hline (snapshot, left, x.pixel1, bottom, 1, &pal.axis);
  studio_chart_x_axis (snapshot, widget, &x, bottom, MAX (2, (guint) ((x.pixel1 - left) / 70)), &pal);
  draw_markers (self, snapshot, &x, top, bottom, &pal);
}

/* ---- dragging the threshold ---------------------------------------------- */

static gboolean
near_threshold (StudioHistogram *self, double px)
{
  return self->has_stats && (fabs (px - studio_histogram_value_to_x (self, self->threshold)) <= HIT_SLOP ||
                             fabs (px - studio_histogram_value_to_x (self, -self->threshold)) <= HIT_SLOP);
}

static void
drag_to (StudioHistogram *self, double px)
{
  double v = fabs (studio_histogram_x_to_value (self, px));
  double r = self->has_stats ? MAX (self->stats.range, self->stats.absmax) : 1;
  studio_histogram_set_threshold (self, CLAMP (v, r * 1e-4, r));
}

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, StudioHistogram *self)
{
  if (!near_threshold (self, x))
    {
      gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_DENIED);
      return;
    }
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  self->dragging = TRUE;
  self->drag_start_x = x;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, StudioHistogram *self)
{
  if (self->dragging)
    drag_to (self, self->drag_start_x + dx);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, StudioHistogram *self)
{
  if (!self->dragging)
    return;
  drag_to (self, self->drag_start_x + dx);
  self->dragging = FALSE;
  g_signal_emit (self, signals[SIGNAL_THRESHOLD_CHANGED], 0, self->threshold);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, StudioHistogram *self)
{
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), near_threshold (self, x) || self->dragging ? "col-resize" : NULL);
}

/* ---- GObject ------------------------------------------------------------- */

static void
studio_histogram_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                          int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 240 : 140;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 520 : 220;
}

static void
studio_histogram_finalize (GObject *object)
{
  StudioHistogram *self = STUDIO_HISTOGRAM (object);
  g_free (self->stats.bins);
  G_OBJECT_CLASS (studio_histogram_parent_class)->finalize (object);
}

static void
studio_histogram_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StudioHistogram *self = STUDIO_HISTOGRAM (object);
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_histogram_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StudioHistogram *self = STUDIO_HISTOGRAM (object);
  switch (prop_id)
    {
    case PROP_THRESHOLD:
      studio_histogram_set_threshold (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_histogram_class_init (StudioHistogramClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->finalize = studio_histogram_finalize;
  object_class->get_property = studio_histogram_get_property;
  object_class->set_property = studio_histogram_set_property;
  widget_class->snapshot = studio_histogram_snapshot;
  widget_class->measure = studio_histogram_measure;

  properties[PROP_THRESHOLD] = g_param_spec_double ("threshold", NULL, NULL, 0, G_MAXDOUBLE, 0,
                                                    G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* (double threshold): the user dropped the threshold marker. */
  signals[SIGNAL_THRESHOLD_CHANGED] = g_signal_new ("threshold-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_DOUBLE);
  gtk_widget_class_set_css_name (widget_class, "histogram");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_histogram_init (StudioHistogram *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkEventController *motion = gtk_event_controller_motion_new ();

  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  gtk_widget_add_controller (GTK_WIDGET (self), motion);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  _("Calibration histogram"), -1);
}

GtkWidget *
studio_histogram_new (void)
{
  return g_object_new (STUDIO_TYPE_HISTOGRAM, NULL);
}
