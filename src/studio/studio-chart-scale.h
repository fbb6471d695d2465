/* studio-chart-scale.h: the arithmetic behind the charts (axes, ticks,
 * value↔pixel mapping, histogram folding), kept free of GTK so it is tested
 * without a display. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Maps [min, max] onto [pixel0, pixel1] (pixel1 < pixel0 for upward y axes).
 * A log scale maps log10 of the value and clamps values below min to it. */
typedef struct {
  double min, max;
  double pixel0, pixel1;
  gboolean log;
} StudioChartScale;

void studio_chart_scale_init (StudioChartScale *scale, double min, double max, double pixel0, double pixel1,
                              gboolean log);
double studio_chart_scale_to_pixel (const StudioChartScale *scale, double value);
double studio_chart_scale_to_value (const StudioChartScale *scale, double pixel);

/* Linear ticks at 1, 2 or 5 × 10^k steps inside [min, max], at most
 * max_ticks of them (at least 2 when the range allows). *step receives the
 * spacing (may be NULL). Returns doubles. */
GArray *studio_chart_ticks (double min, double max, guint max_ticks, double *step);
/* Widens [*min, *max] outward to multiples of the tick step. */
void studio_chart_nice_range (double *min, double *max, guint max_ticks);
/* Log ticks: the powers of ten inside [min, max] (min > 0). */
GArray *studio_chart_log_ticks (double min, double max);
/* A tick label with as many decimals as the step needs ("0.25", "10", "1e+06"). */
char *studio_chart_format_tick (double value, double step);

/* Sums n_bins into n_columns (n_columns <= n_bins); bins split between two
 * columns go to the one holding their centre. */
void studio_chart_rebin (const guint64 *bins, guint n_bins, guint64 *columns, guint n_columns);
/* For a signed histogram over [-range, range]: the share of the samples with
 * |x| > threshold, interpolating within the bins the threshold cuts. */
double studio_chart_clipped_fraction (const guint64 *bins, guint n_bins, double range, double threshold);

G_END_DECLS
