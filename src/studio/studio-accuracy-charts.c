/* studio-accuracy-charts.c: accuracy bars, the running accuracy line and
 * the per-layer SQNR bars, drawn in snapshot(). */
#include "studio-accuracy-charts.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-chart-draw.h"

/* ---- top-1 / top-5 bars -------------------------------------------------- */

struct _StudioAccuracyBars {
  GtkWidget parent_instance;
  gboolean has;
  double value[2][2]; /* [top1, top5][float, quant] */
};

G_DEFINE_FINAL_TYPE (StudioAccuracyBars, studio_accuracy_bars, GTK_TYPE_WIDGET)

#define BAR_H 14.0
#define BAR_GAP 3.0
#define GROUP_GAP 12.0

void
studio_accuracy_bars_set_evaluation (StudioAccuracyBars *self, const MrtEvaluation *ev)
{
  g_return_if_fail (STUDIO_IS_ACCURACY_BARS (self));
  self->has = ev != NULL;
  if (ev)
    {
      self->value[0][0] = ev->float_top1, self->value[0][1] = ev->quant_top1;
      self->value[1][0] = ev->float_top5, self->value[1][1] = ev->quant_top5;
    }
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
studio_accuracy_bars_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioAccuracyBars *self = STUDIO_ACCURACY_BARS (widget);
  double W = gtk_widget_get_width (widget), left = 56, right = W - 68, y = 4;
  const char *groups[] = { _("Top-1"), _("Top-5") };
  StudioChartPalette pal;
  StudioChartScale x;

  studio_chart_palette_read (widget, &pal);
  studio_chart_scale_init (&x, 0, 100, left, right, FALSE);
  for (guint g = 0; g < 2; g++)
    {
      studio_chart_text (snapshot, widget, groups[g], left - 8, y + BAR_H + BAR_GAP / 2, 1, 0.5, &pal.fg, FALSE);
      for (guint s = 0; s < 2; s++)
        {
          const GdkRGBA *color = s ? &pal.series_quant : &pal.series_float;
          GdkRGBA track = studio_chart_alpha (&pal.fg, 0.06);
          double v = self->has ? 100 * self->value[g][s] : 0, end = studio_chart_scale_to_pixel (&x, v);
          studio_chart_rect (snapshot, left, y, right - left, BAR_H, &track);
          studio_chart_rect (snapshot, left, y, end - left, BAR_H, color);
          if (self->has)
            {
              g_autofree char *label = g_strdup_printf ("%.2f %%", v);
              studio_chart_text (snapshot, widget, label, right + 6, y + BAR_H / 2, 0, 0.5, color, TRUE);
            }
          y += BAR_H + BAR_GAP;
        }
      y += GROUP_GAP;
    }
  studio_chart_x_axis (snapshot, widget, &x, y - GROUP_GAP + 2, 6, &pal);
}

static void
bars_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
              int *minimum_baseline, int *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = 220, *natural = 360;
  else
    *minimum = *natural = (int) (4 + 4 * (BAR_H + BAR_GAP) + GROUP_GAP + 24);
}

static void
studio_accuracy_bars_class_init (StudioAccuracyBarsClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  widget_class->snapshot = studio_accuracy_bars_snapshot;
  widget_class->measure = bars_measure;
  gtk_widget_class_set_css_name (widget_class, "accuracybars");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_accuracy_bars_init (StudioAccuracyBars *self)
{
}

/* ---- running accuracy ---------------------------------------------------- */

struct _StudioRunningChart {
  GtkWidget parent_instance;
  GArray *series[2];
  guint expected;
};

G_DEFINE_FINAL_TYPE (StudioRunningChart, studio_running_chart, GTK_TYPE_WIDGET)

void
studio_running_chart_set_series (StudioRunningChart *self, const GArray *float_top1, const GArray *quant_top1,
                                 guint expected)
{
  const GArray *in[2] = { float_top1, quant_top1 };
  g_return_if_fail (STUDIO_IS_RUNNING_CHART (self));
  for (guint s = 0; s < 2; s++)
    {
      g_array_set_size (self->series[s], 0);
      if (in[s])
        g_array_append_vals (self->series[s], in[s]->data, in[s]->len);
    }
  self->expected = expected;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

guint
studio_running_chart_get_n_points (StudioRunningChart *self)
{
  g_return_val_if_fail (STUDIO_IS_RUNNING_CHART (self), 0);
  return MIN (self->series[0]->len, self->series[1]->len);
}

static void
draw_series (GtkSnapshot *snapshot, const GArray *series, const StudioChartScale *x, const StudioChartScale *y,
             const GdkRGBA *color)
{
  cairo_t *cr;
  if (series->len == 0)
    return;
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x->pixel0 - 4, y->pixel1 - 4,
                                                                 x->pixel1 - x->pixel0 + 8, y->pixel0 - y->pixel1 + 8));
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  for (guint i = 0; i < series->len; i++)
    cairo_line_to (cr, studio_chart_scale_to_pixel (x, i + 1),
                   studio_chart_scale_to_pixel (y, 100 * g_array_index (series, double, i)));
  if (series->len == 1)
    cairo_arc (cr, studio_chart_scale_to_pixel (x, 1),
               studio_chart_scale_to_pixel (y, 100 * g_array_index (series, double, 0)), 2, 0, 2 * G_PI);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
studio_running_chart_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioRunningChart *self = STUDIO_RUNNING_CHART (widget);
  double W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  double lo = 100, hi = 0;
  guint n = studio_running_chart_get_n_points (self);
  StudioChartPalette pal;
  StudioChartScale x, y;
  int lw;

  studio_chart_palette_read (widget, &pal);
  if (n == 0)
    {
      studio_chart_text (snapshot, widget, _("Accuracy appears here while evaluation runs"), W / 2, H / 2, 0.5, 0.5,
                         &pal.dim, FALSE);
      return;
    }
  for (guint s = 0; s < 2; s++)
    for (guint i = 0; i < n; i++)
      {
        lo = MIN (lo, 100 * g_array_index (self->series[s], double, i));
        hi = MAX (hi, 100 * g_array_index (self->series[s], double, i));
      }
  /* a little air around the lines, never beyond 0–100 % */
  lo = MAX (0, lo - MAX (1, (hi - lo) * 0.2));
  hi = MIN (100, hi + MAX (1, (hi - lo) * 0.2));
  studio_chart_nice_range (&lo, &hi, 5);
  studio_chart_scale_init (&x, 1, MAX (MAX (self->expected, n), 2), 56, W - 12, FALSE);
  studio_chart_scale_init (&y, MAX (lo, 0), MIN (hi, 100), H - 22, 22, FALSE);
  studio_chart_y_axis (snapshot, widget, &y, x.pixel0, x.pixel1, 5, " %", &pal);
  studio_chart_hline (snapshot, x.pixel0, x.pixel1, y.pixel0, 1, &pal.axis);
  /* batches are whole numbers: never more ticks than batches */
  studio_chart_x_axis (snapshot, widget, &x, y.pixel0,
                       CLAMP ((guint) ((x.pixel1 - x.pixel0) / 60), 2, (guint) (x.max - x.min) + 1), &pal);
  draw_series (snapshot, self->series[0], &x, &y, &pal.series_float);
  draw_series (snapshot, self->series[1], &x, &y, &pal.series_quant);

  /* legend, top right */
  studio_chart_text_size (widget, _("Quantized"), TRUE, &lw, NULL);
  studio_chart_rect (snapshot, x.pixel1 - lw - 14, 8, 10, 3, &pal.series_quant);
  studio_chart_text (snapshot, widget, _("Quantized"), x.pixel1, 10, 1, 0.5, &pal.fg, TRUE);
  studio_chart_rect (snapshot, x.pixel1 - lw - 80, 8, 10, 3, &pal.series_float);
  studio_chart_text (snapshot, widget, _("Float"), x.pixel1 - lw - 66, 10, 0, 0.5, &pal.fg, TRUE);
}

static void
running_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                 int *minimum_baseline, int *natural_baseline)
{
  *minimum = orientation == GTK_ORIENTATION_HORIZONTAL ? 220 : 120;
  *natural = orientation == GTK_ORIENTATION_HORIZONTAL ? 420 : 160;
}

static void
studio_running_chart_finalize (GObject *object)
{
  StudioRunningChart *self = STUDIO_RUNNING_CHART (object);
  g_array_unref (self->series[0]);
  g_array_unref (self->series[1]);
  G_OBJECT_CLASS (studio_running_chart_parent_class)->finalize (object);
}

static void
studio_running_chart_class_init (StudioRunningChartClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->finalize = studio_running_chart_finalize;
  widget_class->snapshot = studio_running_chart_snapshot;
  widget_class->measure = running_measure;
  gtk_widget_class_set_css_name (widget_class, "runningchart");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_running_chart_init (StudioRunningChart *self)
{
  self->series[0] = g_array_new (FALSE, FALSE, sizeof (double));
  self->series[1] = g_array_new (FALSE, FALSE, sizeof (double));
}
