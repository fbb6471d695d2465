/* studio-graph-view-private.h: StudioGraphView's fields, shared by its
 * parts: the widget core (studio-graph-view.c), navigation
 * (studio-graph-view-input.c), decorations, overlays,
 * groups and search (studio-graph-view-decor.c), the legend
 * (studio-graph-view-legend.c) and the context menu, actions and image
 * export (studio-graph-view-menu.c). */
#pragma once

#include "studio-graph-scene.h"
#include "studio-graph-view.h"

G_BEGIN_DECLS

typedef enum {
  VIEW_FREE,    /* the user moved the view: keep it */
  VIEW_INITIAL, /* first view of a model: recomputed on resize */
  VIEW_FIT,     /* fit to window: recomputed on resize */
} ViewMode;

/* What the legend shows, rebuilt with the decorations. */
typedef struct {
  char *title;
  gboolean gradient;  /* a colour bar from low to high, else swatches */
  double low, high;   /* gradient ends, in the overlay's unit */
  gboolean log_scale;
  GPtrArray *labels;  /* char*: swatch labels */
  GArray *colors;     /* GdkRGBA: swatch colours */
  char *note;         /* e.g. "Run calibration to see thresholds", or NULL */
} StudioLegend;

struct _StudioGraphView {
  GtkWidget parent_instance;

  MrtModel *model;       /* as given to set_model */
  MrtState *state;       /* pushed by the stage panel */
  MrtModel *shown;       /* borrowed: state->prepared or model */
  StudioProject *project;
  gulong project_changed_id;
  StudioGraphGroups *groups;
  gboolean *collapsed;   /* per group */
  StudioGraphScene *scene;
  gboolean show_params;
  gint selected;         /* node of the shown graph, -1 for none */

  /* decorations, per scene node (see StudioSceneStyle) */
  StudioOverlay overlay;
  guint8 *marks;
  GdkRGBA *colors;       /* NULL without overlay */
  StudioLegend legend;
  gboolean has_legend;

  /* search */
  char *search_text;
  GArray *matches;       /* guint: nodes of the shown graph, graph order */
  gint current_match;

  double zoom, ox, oy;
  ViewMode mode;
  double drag_ox, drag_oy;
  double gesture_zoom;
  double pointer_x, pointer_y;
  gboolean has_pointer;

  GtkWidget *overlay_button; /* HUD: colour-by menu, top left */
  GtkWidget *minimap;        /* HUD: overview, bottom right */
  GtkWidget *context_menu;

  guint n_drawn;
  guint n_frames;
  double last_paint_ms;
};

#define MAX_ZOOM 4.0

/* studio-graph-view-input.c */
void studio_graph_view_class_init_input (GtkWidgetClass *widget_class);
void studio_graph_view_init_input (StudioGraphView *self);
void studio_graph_view_set_transform (StudioGraphView *self, double zoom, double ox, double oy);
void studio_graph_view_clamp_offset (StudioGraphView *self);
void studio_graph_view_apply_view_mode (StudioGraphView *self);
void studio_graph_view_update_minimap_visibility (StudioGraphView *self);

/* studio-graph-view.c */
void studio_graph_view_rebuild_scene (StudioGraphView *self);
void studio_graph_view_read_palette (StudioGraphView *self, StudioScenePalette *pal);
void studio_graph_view_fill_style (StudioGraphView *self, StudioSceneStyle *style);
void studio_graph_view_paint (StudioGraphView *self, cairo_t *cr, double width, double height, gboolean legend);

/* studio-graph-view-decor.c */
void studio_graph_view_update_decor (StudioGraphView *self);
void studio_graph_view_reset_groups (StudioGraphView *self);
void studio_graph_view_clear_search (StudioGraphView *self);
void studio_legend_clear (StudioLegend *legend);

/* studio-graph-view-legend.c */
void studio_graph_view_build_legend (StudioGraphView *self, const double *values, guint n_values);
void studio_graph_view_paint_legend (StudioGraphView *self, cairo_t *cr, double width, double height);
/* Colour for a value in the overlay's ramp; t in [0, 1]. */
void studio_overlay_ramp (StudioOverlay overlay, double t, GdkRGBA *out);

/* studio-graph-view-menu.c */
void studio_graph_view_class_init_actions (GtkWidgetClass *widget_class);
void studio_graph_view_popup_menu (StudioGraphView *self, double x, double y);
void studio_graph_view_update_actions (StudioGraphView *self);

G_END_DECLS
