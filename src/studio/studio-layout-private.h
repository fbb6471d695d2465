/* studio-layout-private.h: state shared by the stages of StudioLayout
 * (studio-layout.c: layering and routing, studio-layout-order.c: crossing
 * reduction, studio-layout-coords.c: x coordinates). */
#pragma once

#include "studio-layout.h"

G_BEGIN_DECLS

typedef struct {
  double w, h;
} LayoutNode;

typedef struct {
  guint from, to;
} LayoutEdge;

typedef struct {
  double w, h;
  gboolean dummy; /* a bend of a long edge, not a box */
  guint layer;
  guint pos;      /* index within its layer */
  double x;       /* centre */
  GArray *up;     /* guint: neighbours in layer - 1 */
  GArray *down;   /* guint: neighbours in layer + 1 */
} LayoutVertex;

struct _StudioLayout {
  double node_gap;
  double layer_gap;
  GArray *nodes; /* LayoutNode */
  GArray *edges; /* LayoutEdge */

  /* results */
  double *x, *y;
  guint *layer;
  GPtrArray *paths; /* GArray of StudioPoint per edge, NULL for self loops */
  double width, height;
  guint n_layers;
  guint64 n_crossings;
};

/* Working state of one run. */
typedef struct {
  StudioLayout *layout;
  guint n;          /* real nodes; vertices [0, n) are them */
  GArray *verts;    /* LayoutVertex */
  GPtrArray *layers; /* GArray of guint vertex ids, in order */
  double *layer_y;
  double *layer_h;
  GPtrArray *chains; /* per edge: GArray of guint vertex ids along the oriented edge */
  gboolean *reversed;
} StudioLayoutRun;

static inline LayoutVertex *
studio_layout_vertex (StudioLayoutRun *r, guint id)
{
  return &g_array_index (r->verts, LayoutVertex, id);
}

/* Reorders every layer to reduce edge crossings; returns the crossings left. */
guint64 studio_layout_reduce_crossings (StudioLayoutRun *r);
/* Sets LayoutVertex.x, the layer bands and the layout's size and node positions. */
void studio_layout_assign_coordinates (StudioLayoutRun *r);

G_END_DECLS
