/* studio-inspector.h: the side pane describing the canvas selection: op,
 * input and output shapes, parameters (shape, range, mean, a small
 * histogram), attributes, and once the pipeline got that far, threshold
 * (editable: an override in the project), scale, precision and SQNR. A
 * selected collapsed group shows its size and makeup instead. Follows the
 * view's selection, state and project. */
#pragma once

#include <adwaita.h>

#include "studio-graph-view.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_INSPECTOR (studio_inspector_get_type ())
G_DECLARE_FINAL_TYPE (StudioInspector, studio_inspector, STUDIO, INSPECTOR, GtkWidget)

GtkWidget *studio_inspector_new (void);
void studio_inspector_set_view (StudioInspector *self, StudioGraphView *view);
StudioGraphView *studio_inspector_get_view (StudioInspector *self);

/* For tests: the threshold entry and the value shown in a row
 * ("calibrated", "scale", "precision", "sqnr"). */
AdwEntryRow *studio_inspector_get_threshold_row (StudioInspector *self);
const char *studio_inspector_get_value (StudioInspector *self, const char *row);
/* Shape text of the selected node's output, or NULL. */
const char *studio_inspector_get_output_shape (StudioInspector *self);

G_END_DECLS
