/* studio-chart-scale.c: chart arithmetic without GTK. */
#include "studio-chart-scale.h"

#include <math.h>

void
studio_chart_scale_init (StudioChartScale *scale, double min, double max, double pixel0, double pixel1, gboolean log)
{
  scale->log = log;
  if (log)
    {
      /* A log axis needs a positive start; counts start at 1. */
      min = min > 0 ? min : 1;
      max = max > min ? max : min * 10;
    }
  else if (!(max > min))
    max = min + 1;
  scale->min = min;
  scale->max = max;
  scale->pixel0 = pixel0;
  scale->pixel1 = pixel1;
}

static double
scale_pos (const StudioChartScale *scale, double value)
{
  if (scale->log)
    {
      value = MAX (value, scale->min);
      return (log10 (value) - log10 (scale->min)) / (log10 (scale->max) - log10 (scale->min));
    }
  return (value - scale->min) / (scale->max - scale->min);
}

double
studio_chart_scale_to_pixel (const StudioChartScale *scale, double value)
{
  return scale->pixel0 + scale_pos (scale, value) * (scale->pixel1 - scale->pixel0);
}

double
studio_chart_scale_to_value (const StudioChartScale *scale, double pixel)
{
  double t;
  if (scale->pixel1 == scale->pixel0)
    return scale->min;
  t = (pixel - scale->pixel0) / (scale->pixel1 - scale->pixel0);
  if (scale->log)
    return pow (10, log10 (scale->min) + t * (log10 (scale->max) - log10 (scale->min)));
  return scale->min + t * (scale->max - scale->min);
}

/* The smallest 1, 2 or 5 × 10^k at least `raw`. */
static double
nice_step (double raw)
{
  double mag = pow (10, floor (log10 (raw)));
  double m = raw / mag;
  /* tolerance, so 0.2 / 1e-1 = 2.0000000000000004 stays 2 */
  if (m <= 1 + 1e-9)
    return mag;
  if (m <= 2 + 1e-9)
    return 2 * mag;
  if (m <= 5 + 1e-9)
    return 5 * mag;
  return 10 * mag;
}

static double
tick_step (double min, double max, guint max_ticks)
{
  double range = max - min;
  if (!isfinite (range) || range <= 0 || max_ticks < 2)
    return 0;
  return nice_step (range / (max_ticks - 1));
}

GArray *
studio_chart_ticks (double min, double max, guint max_ticks, double *step_out)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  double step = tick_step (min, max, max_ticks);

  if (step_out)
    *step_out = step;
  if (step <= 0)
    {
      if (isfinite (min) && max_ticks > 0)
        g_array_append_val (ticks, min);
      return ticks;
    }
  for (double k = ceil (min / step - 1e-9); k * step <= max + step * 1e-9; k++)
    {
      double v = k * step;
      if (fabs (v) < step * 1e-9)
        v = 0; /* no "-0" or 1e-17 labels */
      g_array_append_val (ticks, v);
    }
  return ticks;
}

void
studio_chart_nice_range (double *min, double *max, guint max_ticks)
{
  double step = tick_step (*min, *max, max_ticks);
  if (step <= 0)
    return;
  *min = floor (*min / step + 1e-9) * step;
  *max = ceil (*max / step - 1e-9) * step;
}

GArray *
studio_chart_log_ticks (double min, double max)
{
  GArray *ticks = g_array_new (FALSE, FALSE, sizeof (double));
  if (!(min > 0) || !(max >= min) || !isfinite (max))
    return ticks;
  for (int k = (int) ceil (log10 (min) - 1e-9); k <= (int) floor (log10 (max) + 1e-9); k++)
    {
      double v = pow (10, k);
      g_array_append_val (ticks, v);
    }
  return ticks;
}

char *
studio_chart_format_tick (double value, double step)
{
  int decimals;
  if (fabs (value) >= 1e6 || (value != 0 && fabs (value) < 1e-4))
    return g_strdup_printf ("%.0e", value);
  decimals = step > 0 ? (int) -floor (log10 (step) + 1e-9) : 0;
  return g_strdup_printf ("%.*f", CLAMP (decimals, 0, 6), value);
}

void
studio_chart_rebin (const guint64 *bins, guint n_bins, guint64 *columns, guint n_columns)
{
  for (guint c = 0; c < n_columns; c++)
    columns[c] = 0;
  if (n_columns == 0)
    return;
  for (guint i = 0; i < n_bins; i++)
    {
      guint c = (guint) (((guint64) i * 2 + 1) * n_columns / ((guint64) n_bins * 2));
      columns[MIN (c, n_columns - 1)] += bins[i];
    }
}

double
studio_chart_clipped_fraction (const guint64 *bins, guint n_bins, double range, double threshold)
{
  double width = 2 * range / n_bins, total = 0, clipped = 0;

  if (n_bins == 0 || !(range > 0))
    return 0;
  threshold = fabs (threshold);
  for (guint i = 0; i < n_bins; i++)
    {
      double lo = -range + i * width, hi = lo + width;
      double above = CLAMP ((hi - MAX (lo, threshold)) / width, 0, 1);
      double below = CLAMP ((MIN (hi, -threshold) - lo) / width, 0, 1);
      total += bins[i];
      clipped += bins[i] * MIN (above + below, 1);
    }
  return total > 0 ? clipped / total : 0;
}
