/* studio-graph-view.h: the model canvas. Draws a MrtModel as a layered graph
 * and lets the user pan, zoom, search, select nodes, collapse name-scope
 * groups, cut the model (split keys) and see quantization results as
 * colour overlays. The world-to-widget transform is
 * widget = world * zoom + offset.
 *
 * Which graph is shown: the model given to set_model(), or, once a pipeline
 * state with a prepared graph was pushed with set_state(), that prepared
 * graph, because MRT's split keys and threshold names refer to it. Node
 * indices in this API always refer to the shown graph
 * (studio_graph_view_get_shown_model()). Split keys chosen on the original
 * graph stay valid after prepare when the node keeps its name, which holds
 * for most operators (prepare renames only what it fuses or rewrites). */
#pragma once

#include <gtk/gtk.h>

#include "mrt-model.h"
#include "mrt-pipeline.h"
#include "studio-project.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_GRAPH_VIEW (studio_graph_view_get_type ())
G_DECLARE_FINAL_TYPE (StudioGraphView, studio_graph_view, STUDIO, GRAPH_VIEW, GtkWidget)

typedef enum {
  STUDIO_OVERLAY_NONE,      /* op families */
  STUDIO_OVERLAY_PRECISION, /* bits per node, after quantization */
  STUDIO_OVERLAY_THRESHOLD, /* calibrated or overridden threshold */
  STUDIO_OVERLAY_SQNR,      /* per-layer SQNR in dB, after evaluation */
} StudioOverlay;

GtkWidget *studio_graph_view_new (void);

/* model may be NULL; the view keeps a reference. Clears the state. */
void studio_graph_view_set_model (StudioGraphView *self, MrtModel *model);
MrtModel *studio_graph_view_get_model (StudioGraphView *self);
/* The graph on screen: the state's prepared graph when there is one. */
MrtModel *studio_graph_view_get_shown_model (StudioGraphView *self);

/* For the stage panel: the latest pipeline state (NULL to clear). The view
 * shows state->prepared when set, and takes thresholds (calibration plus
 * the project's overrides), precisions and scales (quantization) and
 * per-layer SQNR (evaluation) from it for the overlays and the inspector.
 * The view keeps a reference; emits "state-changed". */
void studio_graph_view_set_state (StudioGraphView *self, MrtState *state);
MrtState *studio_graph_view_get_state (StudioGraphView *self);

/* The project whose split keys and threshold overrides the canvas shows
 * and edits. The view keeps a reference. */
void studio_graph_view_set_project (StudioGraphView *self, StudioProject *project);
StudioProject *studio_graph_view_get_project (StudioGraphView *self);

void studio_graph_view_set_show_params (StudioGraphView *self, gboolean show_params);
gboolean studio_graph_view_get_show_params (StudioGraphView *self);

/* Node of the shown graph, or -1 for no selection. */
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
/* Moves the view so the world point is at the widget's centre. */
void studio_graph_view_center_on (StudioGraphView *self, double world_x, double world_y);
/* Expands the node's group if collapsed, then centres the node (zooming in
 * to a readable size when the view is far out). */
void studio_graph_view_reveal_node (StudioGraphView *self, guint node);

/* Colour overlays, with a legend in the bottom left corner. */
void studio_graph_view_set_overlay (StudioGraphView *self, StudioOverlay overlay);
StudioOverlay studio_graph_view_get_overlay (StudioGraphView *self);

/* Name-scope groups (see studio-graph-groups.h) of the shown graph. */
guint studio_graph_view_get_n_groups (StudioGraphView *self);
gint studio_graph_view_get_group_of (StudioGraphView *self, guint node);
const char *studio_graph_view_get_group_name (StudioGraphView *self, guint group);
guint studio_graph_view_get_group_size (StudioGraphView *self, guint group);
void studio_graph_view_set_group_collapsed (StudioGraphView *self, guint group, gboolean collapsed);
gboolean studio_graph_view_get_group_collapsed (StudioGraphView *self, guint group);
void studio_graph_view_set_all_collapsed (StudioGraphView *self, gboolean collapsed);

/* Search by node name or op name (case-insensitive substring). Matches are
 * highlighted; returns how many. NULL or "" ends the search. */
guint studio_graph_view_search (StudioGraphView *self, const char *text);
/* Selects and reveals the next (or previous) match; returns its position in
 * the match list, or -1 when there is none. */
gint studio_graph_view_search_next (StudioGraphView *self, gboolean backwards);
guint studio_graph_view_get_n_matches (StudioGraphView *self);

/* Toggles "split after this node" on the project for a node (its name);
 * returns TRUE when the node is a key afterwards. */
gboolean studio_graph_view_toggle_split_key (StudioGraphView *self, guint node);

/* The current view (what is on screen, with the legend) as PNG, or as SVG
 * when path ends in ".svg". */
gboolean studio_graph_view_export_image (StudioGraphView *self, const char *path, GError **error);
/* Asks where (GtkFileChooserNative, PNG or SVG), exports, and reports in a
 * toast (the nearest AdwToastOverlay) or an error dialog. */
void studio_graph_view_choose_export_image (StudioGraphView *self);

/* Introspection, mostly for tests. Rects are in world coordinates. */
guint studio_graph_view_get_n_placed (StudioGraphView *self);
gboolean studio_graph_view_get_node_rect (StudioGraphView *self, guint node_index, graphene_rect_t *out);
/* Node under a point in widget coordinates, or -1. For a collapsed group,
 * the group's last node. */
gint studio_graph_view_get_node_at (StudioGraphView *self, double x, double y);
/* Node boxes painted by the last snapshot, and how many snapshots ran. */
guint studio_graph_view_get_n_drawn (StudioGraphView *self);
guint studio_graph_view_get_n_frames (StudioGraphView *self);
/* Milliseconds the last snapshot took to paint. */
double studio_graph_view_get_last_paint_ms (StudioGraphView *self);

G_END_DECLS
