/* studio-graph-scene.h: what the model canvas shows, in world coordinates:
 * one box per visible model node (measured with Pango, placed by
 * StudioLayout) and one routed edge per visible input. Painting and hit
 * testing live here too, so StudioGraphView only deals with the transform and
 * the input events. A scene is immutable once built. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-model.h"
#include "studio-layout.h"

G_BEGIN_DECLS

typedef enum {
  STUDIO_OP_FAMILY_INPUT,
  STUDIO_OP_FAMILY_PARAM,
  STUDIO_OP_FAMILY_COMPUTE,    /* convolution, dense, dot */
  STUDIO_OP_FAMILY_NORM,       /* batch / layer / instance normalisation */
  STUDIO_OP_FAMILY_ACTIVATION,
  STUDIO_OP_FAMILY_POOL,
  STUDIO_OP_FAMILY_ELEMWISE,   /* arithmetic, broadcasts, reductions */
  STUDIO_OP_FAMILY_SHAPE,      /* reshape, concat, slice, dropout… */
  STUDIO_OP_FAMILY_OUTPUT,     /* training heads */
  STUDIO_OP_FAMILY_QUANT,      /* cvm_* integer ops */
  STUDIO_OP_FAMILY_OTHER,
} StudioOpFamily;

typedef struct {
  guint node;            /* index in the model */
  StudioOpFamily family;
  graphene_rect_t rect;  /* world coordinates */
  char *title;           /* op name; "Input" or the shape for variables */
  char *subtitle;        /* node name */
  char *detail;          /* key attributes ("3×3, 16"), may be NULL */
  double detail_width;
} StudioSceneNode;

typedef struct {
  guint from, to;        /* scene node indices */
  StudioPoint *points;
  guint n_points;
  graphene_rect_t bounds;
} StudioSceneEdge;

/* Colours taken from the widget's style, so the canvas follows dark mode. */
typedef struct {
  GdkRGBA fg;
  GdkRGBA card;
  GdkRGBA accent;
  gboolean dark;
} StudioScenePalette;

typedef struct _StudioGraphScene StudioGraphScene;

StudioOpFamily studio_op_family_for (const char *op);
/* Should this model node be hidden while parameters are hidden? */
gboolean studio_graph_scene_is_weight (const MrtModel *model, guint node);

StudioGraphScene *studio_graph_scene_new (const MrtModel *model, gboolean show_params,
                                          const PangoFontDescription *font);
void studio_graph_scene_free (StudioGraphScene *scene);

guint studio_graph_scene_get_n_nodes (const StudioGraphScene *scene);
const StudioSceneNode *studio_graph_scene_get_node (const StudioGraphScene *scene, guint i);
/* Scene index of a model node, or -1 when it is not shown. */
gint studio_graph_scene_lookup (const StudioGraphScene *scene, guint model_node);
guint studio_graph_scene_get_n_edges (const StudioGraphScene *scene);
const StudioSceneEdge *studio_graph_scene_get_edge (const StudioGraphScene *scene, guint i);
void studio_graph_scene_get_size (const StudioGraphScene *scene, double *width, double *height);
/* Scene index of the node under a world point, or -1. */
gint studio_graph_scene_hit (const StudioGraphScene *scene, double x, double y);

/* Paints what intersects `visible` (world coordinates) into cr, which already
 * carries the world-to-device transform `scale`. selected is a scene index or
 * -1. Returns the number of node boxes painted. */
guint studio_graph_scene_paint (const StudioGraphScene *scene, cairo_t *cr, const graphene_rect_t *visible,
                                double scale, const StudioScenePalette *palette, gint selected);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioGraphScene, studio_graph_scene_free)

G_END_DECLS
