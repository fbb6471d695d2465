/* studio-histogram.h: a node's calibration histogram on a log count axis,
 * with markers for abs-max, mean, |mean| + λσ and the chosen threshold. The
 * threshold marker can be dragged; "threshold-changed" reports the value
 * when the drag ends. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-calibrate.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_HISTOGRAM (studio_histogram_get_type ())
G_DECLARE_FINAL_TYPE (StudioHistogram, studio_histogram, STUDIO, HISTOGRAM, GtkWidget)

GtkWidget *studio_histogram_new (void);

/* Copies the statistics; NULL empties the chart. */
void studio_histogram_set_stats (StudioHistogram *self, const MrtNodeStats *stats);
gboolean studio_histogram_has_stats (StudioHistogram *self);
/* λ of the |mean| + λσ marker; 0 hides it. */
void studio_histogram_set_lambda (StudioHistogram *self, double lambda);
void studio_histogram_set_threshold (StudioHistogram *self, double threshold);
double studio_histogram_get_threshold (StudioHistogram *self);
/* Share of the values with |x| above the threshold. */
double studio_histogram_get_clipped_fraction (StudioHistogram *self);

/* Widget x of a value, and back (for tests and hit testing). */
double studio_histogram_value_to_x (StudioHistogram *self, double value);
double studio_histogram_x_to_value (StudioHistogram *self, double x);

G_END_DECLS
