/* studio-graph-view.h: the model canvas. Draws a MrtModel as a layered graph
 * and lets the user pan, zoom and select nodes. The world-to-widget
 * transform is widget = world * zoom + offset. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-model.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_GRAPH_VIEW (studio_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (StudioGraphView, studio_graph_view, STUDIO, GRAPH_VIEW, GtkWidget)

GtkWidget *studio_graph_view_new (void);

/* model may be NULL; the view keeps a reference. */
void studio_graph_view_set_model (StudioGraphView *self, MrtModel *model);
MrtModel *studio_graph_view_get_model (StudioGraphView *self);

void studio_graph_view_set_show_params (StudioGraphView *self, gboolean show_params);
gboolean studio_graph_view_get_show_params (StudioGraphView *self);

/* Model node index, or -1 for no selection. */
void studio_graph_view_set_selected_node (StudioGraphView *self, gint node);
gint studio_graph_view_get_selected_node (StudioGraphView *self);

/* Zooming keeps the point under the widget centre fixed. */
void studio_graph_view_set_zoom (StudioGraphView *self, double zoom);
double studio_graph_view_get_zoom (StudioGraphView *self);
void studio_graph_view_zoom_in (StudioGraphView *self);
void studio_graph_view_zoom_out (StudioGraphView *self);
/* Shows the whole graph, centred. Deferred until the widget has a size. */
void studio_graph_view_fit (StudioGraphView *self);
void studio_graph_view_get_transform (StudioGraphView *self, double *zoom, double *offset_x, double *offset_y);

/* Introspection, mostly for tests. Rects are in world coordinates. */
guint studio_graph_view_get_n_placed (StudioGraphView *self);
gboolean studio_graph_view_get_node_rect (StudioGraphView *self, guint node_index, graphene_rect_t *out);
/* Model node under a point in widget coordinates, or -1. */
gint studio_graph_view_get_node_at (StudioGraphView *self, double x, double y);
/* Node boxes painted by the last snapshot, and how many snapshots ran. */
guint studio_graph_view_get_n_drawn (StudioGraphView *self);
guint studio_graph_view_get_n_frames (StudioGraphView *self);

G_END_DECLS
