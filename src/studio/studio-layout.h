/* studio-layout.h: layered ("Sugiyama") layout of a directed graph, kept free
 * of GTK so it can be tested and benchmarked without a display.
 *
 * Nodes are boxes with a width and a height; edges point from a producer to a
 * consumer. studio_layout_run() places every box so that edges point down,
 * boxes never overlap, and the result depends only on the input (the order
 * nodes and edges were added in included). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  double x;
  double y;
} StudioPoint;

typedef struct _StudioLayout StudioLayout;

StudioLayout *studio_layout_new (void);
void studio_layout_free (StudioLayout *layout);

/* Horizontal gap between neighbouring boxes and vertical gap between layers. */
void studio_layout_set_spacing (StudioLayout *layout, double node_gap, double layer_gap);

guint studio_layout_add_node (StudioLayout *layout, double width, double height);
/* Self loops are ignored; if the edges form a cycle, one edge per cycle is
 * laid out reversed (its polyline then runs upwards). */
guint studio_layout_add_edge (StudioLayout *layout, guint from, guint to);

void studio_layout_run (StudioLayout *layout);

guint studio_layout_get_n_nodes (const StudioLayout *layout);
guint studio_layout_get_n_edges (const StudioLayout *layout);
/* Top-left corner of the node's box. Valid after studio_layout_run(). */
void studio_layout_get_node_position (const StudioLayout *layout, guint node, double *x, double *y);
guint studio_layout_get_node_layer (const StudioLayout *layout, guint node);
/* Polyline from the bottom of the source box to the top of the target box;
 * NULL (and 0 points) for a self loop. Consecutive points either share their
 * x (a vertical run, which never enters a box other than the edge's own
 * ends) or lie on the two borders of one gap between layers, so a curve
 * drawn inside the bounding box of two consecutive points never crosses a
 * box: long edges pass layers through dummy slots reserved beside the
 * boxes. */
const StudioPoint *studio_layout_get_edge_points (const StudioLayout *layout, guint edge, guint *n_points);
/* Bounding size of everything placed; the layout starts at (0, 0). */
void studio_layout_get_size (const StudioLayout *layout, double *width, double *height);
guint studio_layout_get_n_layers (const StudioLayout *layout);
/* Edge crossings of the final ordering, counted between consecutive layers
 * with long edges split at every layer (what the eye sees in the gaps). */
guint64 studio_layout_get_n_crossings (const StudioLayout *layout);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioLayout, studio_layout_free)

G_END_DECLS
