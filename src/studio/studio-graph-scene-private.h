/* studio-graph-scene-private.h: the scene's fields, shared by building
 * (studio-graph-scene.c) and painting (studio-graph-scene-paint.c). */
#pragma once

#include "studio-graph-scene.h"

G_BEGIN_DECLS

/* Box metrics in world units (1 unit = 1 pixel at 100 %). */
#define SCENE_PAD_X 12.0
#define SCENE_PAD_Y 8.0
#define SCENE_ACCENT_W 4.0
#define SCENE_LINE_GAP 2.0
#define SCENE_DETAIL_GAP 12.0
#define SCENE_RADIUS 8.0
#define SCENE_ARROW_LEN 7.0
#define SCENE_ARROW_HALF 4.0
/* Groups draw as a stack of cards: the back card's offset. */
#define SCENE_STACK_OFFSET 4.0

struct _StudioGraphScene {
  GArray *nodes;    /* StudioSceneNode */
  GArray *edges;    /* StudioSceneEdge */
  gint *scene_of;   /* per model node */
  guint n_model_nodes;
  double width, height;
  PangoFontDescription *title_font;
  PangoFontDescription *subtitle_font;
  double font_px;

  /* Spatial index: horizontal bands of SCENE_BAND units, each listing the
   * nodes and edges whose bounds reach into it. */
  guint n_bands;
  GArray **band_nodes; /* guint */
  GArray **band_edges; /* guint */
};

void studio_graph_scene_build_index (StudioGraphScene *scene);
void studio_graph_scene_unhint (PangoContext *ctx);

G_END_DECLS
