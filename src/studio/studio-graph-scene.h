/* studio-graph-scene.h: what the model canvas shows, in world coordinates:
 * one box per visible model node or collapsed group (measured with Pango,
 * placed by StudioLayout) and one routed edge per visible input. Painting
 * and hit testing live here too, so StudioGraphView only deals with the
 * transform, the input events and what decorates the boxes. A scene is
 * immutable once built; it needs no display, only a font map. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-model.h"
#include "studio-graph-groups.h"
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
  STUDIO_OP_FAMILY_GROUP,      /* a collapsed group */
  STUDIO_N_OP_FAMILIES
} StudioOpFamily;

typedef struct {
  guint node;            /* model node; for a collapsed group, its last node */
  gint group;            /* the collapsed group this box stands for, or -1 */
  StudioOpFamily family;
  graphene_rect_t rect;  /* world coordinates */
  char *title;           /* op name; "Input" or the shape for variables; the group's name */
  char *subtitle;        /* node name; "12 operators" for a group */
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

/* Per-box decorations, computed by the view when its inputs change. */
typedef enum {
  STUDIO_SCENE_MARK_MATCH = 1 << 0,     /* matches the search */
  STUDIO_SCENE_MARK_CURRENT = 1 << 1,   /* the match last jumped to */
  STUDIO_SCENE_MARK_SPLIT_KEY = 1 << 2, /* the model is split after it */
  STUDIO_SCENE_MARK_OVERRIDE = 1 << 3,  /* threshold set by the user */
  STUDIO_SCENE_MARK_BASE = 1 << 4,      /* in the base part of a split */
  STUDIO_SCENE_MARK_TOP = 1 << 5,       /* in the top part of a split */
} StudioSceneMark;

typedef struct {
  StudioScenePalette palette;
  gint selected;          /* scene index or -1 */
  const guint8 *marks;    /* StudioSceneMark per scene node, or NULL */
  const GdkRGBA *colors;  /* overlay colour per scene node (alpha 0: no value), or NULL: op families */
} StudioSceneStyle;

typedef struct _StudioGraphScene StudioGraphScene;

StudioOpFamily studio_op_family_for (const char *op);
const GdkRGBA *studio_op_family_color (StudioOpFamily family);
/* Should this model node be hidden while parameters are hidden? */
gboolean studio_graph_scene_is_weight (const MrtModel *model, guint node);

/* groups and collapsed (one flag per group) may be NULL: nothing collapsed. */
StudioGraphScene *studio_graph_scene_new (const MrtModel *model, gboolean show_params,
                                          const StudioGraphGroups *groups, const gboolean *collapsed,
                                          const PangoFontDescription *font);
void studio_graph_scene_free (StudioGraphScene *scene);

guint studio_graph_scene_get_n_nodes (const StudioGraphScene *scene);
const StudioSceneNode *studio_graph_scene_get_node (const StudioGraphScene *scene, guint i);
/* Scene index of a model node (its group's box when collapsed), or -1 when
 * it is not shown. */
gint studio_graph_scene_lookup (const StudioGraphScene *scene, guint model_node);
guint studio_graph_scene_get_n_edges (const StudioGraphScene *scene);
const StudioSceneEdge *studio_graph_scene_get_edge (const StudioGraphScene *scene, guint i);
void studio_graph_scene_get_size (const StudioGraphScene *scene, double *width, double *height);
/* Scene index of the node under a world point, or -1. */
gint studio_graph_scene_hit (const StudioGraphScene *scene, double x, double y);
/* Scene nodes and edges (guint indices, in index order) whose bounds meet
 * `area`, from a spatial index, so a frame costs what is visible rather
 * than the size of the model. Either array may be NULL. */
void studio_graph_scene_query (const StudioGraphScene *scene, const graphene_rect_t *area, GArray *nodes,
                               GArray *edges);
double studio_graph_scene_get_font_px (const StudioGraphScene *scene);

/* Paints what intersects `visible` (world coordinates) into cr, which already
 * carries the world-to-device transform `scale`. Far out, boxes become plain
 * rectangles and edges straight lines, which keeps a 10 000-node overview
 * fast. Returns the number of boxes painted. */
guint studio_graph_scene_paint (const StudioGraphScene *scene, cairo_t *cr, const graphene_rect_t *visible,
                                double scale, const StudioSceneStyle *style);
/* The whole graph as an overview: rectangles in their family or overlay
 * colour and faint edges, for the minimap. */
void studio_graph_scene_paint_overview (const StudioGraphScene *scene, cairo_t *cr, double scale,
                                        const StudioSceneStyle *style);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioGraphScene, studio_graph_scene_free)

G_END_DECLS
