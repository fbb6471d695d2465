/* studio-accuracy-view.h: float vs quantized accuracy after (and while)
 * evaluation: a summary table with bars, the running top-1 line, a
 * per-class table and the per-layer SQNR chart. "layer-activated" (name)
 * forwards clicks on the SQNR bars. */
#pragma once

#include <adwaita.h>

#include "mrt-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_ACCURACY_VIEW (studio_accuracy_view_get_type ())
G_DECLARE_FINAL_TYPE (StudioAccuracyView, studio_accuracy_view, STUDIO, ACCURACY_VIEW, GtkWidget)

GtkWidget *studio_accuracy_view_new (void);

/* ev NULL clears the view. dataset (may be NULL) names the classes of
 * well-known datasets. */
void studio_accuracy_view_set_evaluation (StudioAccuracyView *self, const MrtEvaluation *ev, const char *dataset);
/* The running top-1 series while evaluation runs; expected = planned batches. */
void studio_accuracy_view_set_running (StudioAccuracyView *self, const GArray *float_top1, const GArray *quant_top1,
                                       guint expected);
void studio_accuracy_view_select_layer (StudioAccuracyView *self, const char *name);

/* The summary labels: row 0 top-1, 1 top-5; column 0 float, 1 quantized,
 * 2 difference. */
GtkLabel *studio_accuracy_view_get_value_label (StudioAccuracyView *self, guint row, guint column);
guint studio_accuracy_view_get_n_classes (StudioAccuracyView *self);
GtkWidget *studio_accuracy_view_get_sqnr_chart (StudioAccuracyView *self);
GtkWidget *studio_accuracy_view_get_running_chart (StudioAccuracyView *self);

G_END_DECLS
