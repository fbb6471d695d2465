/* studio-accuracy-charts.h: the accuracy view's charts: float vs quantized
 * top-1/top-5 bars and the running top-1 line drawn while evaluation runs. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_ACCURACY_BARS (studio_accuracy_bars_get_type ())
G_DECLARE_FINAL_TYPE (StudioAccuracyBars, studio_accuracy_bars, STUDIO, ACCURACY_BARS, GtkWidget)

/* Fractions in [0, 1]; ev NULL empties the chart. */
void studio_accuracy_bars_set_evaluation (StudioAccuracyBars *self, const MrtEvaluation *ev);

#define STUDIO_TYPE_RUNNING_CHART (studio_running_chart_get_type ())
G_DECLARE_FINAL_TYPE (StudioRunningChart, studio_running_chart, STUDIO, RUNNING_CHART, GtkWidget)

/* Top-1 after each batch, fractions; copied. expected: batches planned
 * (0: unknown), so the x axis does not rescale as points arrive. */
void studio_running_chart_set_series (StudioRunningChart *self, const GArray *float_top1, const GArray *quant_top1,
                                      guint expected);
guint studio_running_chart_get_n_points (StudioRunningChart *self);

G_END_DECLS
