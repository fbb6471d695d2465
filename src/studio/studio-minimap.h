/* studio-minimap.h: the canvas' overview in a corner: the whole graph in
 * miniature with a frame around what is on screen; click or drag in it to
 * move the view. A child of StudioGraphView, which shows it only while part
 * of the graph is off screen. */
#pragma once

#include "studio-graph-view.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_MINIMAP (studio_minimap_get_type ())
G_DECLARE_FINAL_TYPE (StudioMinimap, studio_minimap, STUDIO, MINIMAP, GtkWidget)

/* view: the canvas whose scene and transform the minimap follows; not
 * referenced (the view owns the minimap). */
GtkWidget *studio_minimap_new (StudioGraphView *view);

/* World point under a minimap point, for tests; FALSE without a scene. */
gboolean studio_minimap_to_world (StudioMinimap *self, double x, double y, double *wx, double *wy);

G_END_DECLS
