/* studio-results-pane.h: the pane under the canvas: the selected node's
 * calibration histogram (dragging its threshold writes the override into
 * the project) and the accuracy view. Follows the canvas selection, the
 * stage runner and the project. */
#pragma once

#include <adwaita.h>

#include "studio-accuracy-view.h"
#include "studio-graph-view.h"
#include "studio-histogram.h"
#include "studio-project.h"
#include "studio-stage-runner.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_RESULTS_PANE (studio_results_pane_get_type ())
G_DECLARE_FINAL_TYPE (StudioResultsPane, studio_results_pane, STUDIO, RESULTS_PANE, GtkWidget)

/* Call once: the runner whose results are shown and the canvas whose
 * selection is followed (and set from the SQNR chart). */
void studio_results_pane_attach (StudioResultsPane *self, StudioStageRunner *runner, StudioGraphView *view);
void studio_results_pane_set_project (StudioResultsPane *self, StudioProject *project);

/* "calibration" or "accuracy". */
void studio_results_pane_show_page (StudioResultsPane *self, const char *name);
StudioHistogram *studio_results_pane_get_histogram (StudioResultsPane *self);
StudioAccuracyView *studio_results_pane_get_accuracy_view (StudioResultsPane *self);
/* The value label of a histogram statistic: "absmax", "mean", "std",
 * "lambda", "threshold", "step", "clipped". */
GtkLabel *studio_results_pane_get_stat_label (StudioResultsPane *self, const char *name);
/* The node the histogram shows, or NULL. */
const char *studio_results_pane_get_node (StudioResultsPane *self);

G_END_DECLS
