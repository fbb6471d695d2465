/* studio-minimap.c: the canvas overview. The miniature is painted once per
 * scene (or overlay, or theme) into a cached surface; a frame only moves
 * the rectangle on top, so panning a 10 000-node graph stays cheap. */
#include "config.h"

#include "studio-minimap.h"

#include <glib/gi18n.h>

#include "studio-graph-view-private.h"

#define MAP_W 160.0
#define MAP_MAX_H 200.0
#define MAP_MIN_H 72.0
#define MAP_PAD 8.0

struct _StudioMinimap {
  GtkWidget parent_instance;

  StudioGraphView *view;
  cairo_surface_t *cache; /* the miniature, at the widget's size */
  int cache_w, cache_h;
};

G_DEFINE_FINAL_TYPE (StudioMinimap, studio_minimap, GTK_TYPE_WIDGET)

/* Scale and offset that fit the whole scene into the widget, centred. */
static gboolean
fit (StudioMinimap *self, double *scale, double *dx, double *dy)
{
  double sw, sh, W = gtk_widget_get_width (GTK_WIDGET (self)), H = gtk_widget_get_height (GTK_WIDGET (self));
  if (!self->view || !self->view->scene || W <= 2 * MAP_PAD || H <= 2 * MAP_PAD)
    return FALSE;
  studio_graph_scene_get_size (self->view->scene, &sw, &sh);
  sw = MAX (sw, 1), sh = MAX (sh, 1);
  *scale = MIN ((W - 2 * MAP_PAD) / sw, (H - 2 * MAP_PAD) / sh);
  *dx = (W - sw * *scale) / 2;
  *dy = (H - sh * *scale) / 2;
  return TRUE;
}

gboolean
studio_minimap_to_world (StudioMinimap *self, double x, double y, double *wx, double *wy)
{
  double s, dx, dy;
  g_return_val_if_fail (STUDIO_IS_MINIMAP (self), FALSE);
  if (!fit (self, &s, &dx, &dy))
    return FALSE;
  *wx = (x - dx) / s;
  *wy = (y - dy) / s;
  return TRUE;
}

static void
invalidate (StudioMinimap *self)
{
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  gtk_widget_queue_resize (GTK_WIDGET (self));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static void
render_cache (StudioMinimap *self, int w, int h)
{
  int factor = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  StudioSceneStyle style;
  double s, dx, dy;
  cairo_t *cr;

  g_clear_pointer (&self->cache, cairo_surface_destroy);
  self->cache = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, w * factor, h * factor);
  cairo_surface_set_device_scale (self->cache, factor, factor);
  self->cache_w = w, self->cache_h = h;
  if (!fit (self, &s, &dx, &dy))
    return;
  cr = cairo_create (self->cache);
  cairo_translate (cr, dx, dy);
  cairo_scale (cr, s, s);
  studio_graph_view_fill_style (self->view, &style);
  studio_graph_scene_paint_overview (self->view->scene, cr, s, &style);
  cairo_destroy (cr);
}

static void
studio_minimap_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioMinimap *self = STUDIO_MINIMAP (widget);
  int W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  double s, dx, dy, z, ox, oy;
  StudioScenePalette pal;
  cairo_t *cr;

  if (!fit (self, &s, &dx, &dy))
    return;
  if (!self->cache || self->cache_w != W || self->cache_h != H)
    render_cache (self, W, H);
  studio_graph_view_read_palette (self->view, &pal);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, W, H));
  cairo_set_source_surface (cr, self->cache, 0, 0);
  cairo_paint (cr);

  /* The part of the graph the canvas shows. */
  studio_graph_view_get_transform (self->view, &z, &ox, &oy);
  double fx = dx + (-ox / z) * s, fy = dy + (-oy / z) * s;
  double fw = gtk_widget_get_width (GTK_WIDGET (self->view)) / z * s;
  double fh = gtk_widget_get_height (GTK_WIDGET (self->view)) / z * s;
  /* Never thinner than a few pixels, or it gets lost on a tall graph. */
  if (fw < 6)
    fx -= (6 - fw) / 2, fw = 6;
  if (fh < 6)
    fy -= (6 - fh) / 2, fh = 6;
  cairo_rectangle (cr, fx, fy, fw, fh);
  cairo_set_source_rgba (cr, pal.accent.red, pal.accent.green, pal.accent.blue, 0.15);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, pal.accent.red, pal.accent.green, pal.accent.blue, 0.9);
  cairo_set_line_width (cr, 1.5);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

static void
studio_minimap_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum, int *natural,
                        int *minimum_baseline, int *natural_baseline)
{
  StudioMinimap *self = STUDIO_MINIMAP (widget);
  double sw = 1, sh = 1;

  if (self->view && self->view->scene)
    studio_graph_scene_get_size (self->view->scene, &sw, &sh);
  /* Natural: follow the graph's shape, within bounds (a deep network is
   * tall). The canvas gives less in a small window, down to the minimum. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = (int) (MAP_W / 2), *natural = (int) MAP_W;
  else
    *minimum = (int) (MAP_MIN_H / 2),
    *natural = (int) CLAMP ((MAP_W - 2 * MAP_PAD) * sh / MAX (sw, 1) + 2 * MAP_PAD, MAP_MIN_H, MAP_MAX_H);
}

static void
studio_minimap_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StudioMinimap *self = STUDIO_MINIMAP (widget);
  if (self->cache && (self->cache_w != width || self->cache_h != height))
    g_clear_pointer (&self->cache, cairo_surface_destroy);
}

static void
move_view (StudioMinimap *self, double x, double y)
{
  double wx, wy;
  if (studio_minimap_to_world (self, x, y, &wx, &wy))
    studio_graph_view_center_on (self->view, wx, wy);
}

static void
on_drag_begin (GtkGestureDrag *drag, double x, double y, StudioMinimap *self)
{
  move_view (self, x, y);
}

static void
on_drag_update (GtkGestureDrag *drag, double dx, double dy, StudioMinimap *self)
{
  double x0, y0;
  if (gtk_gesture_drag_get_start_point (drag, &x0, &y0))
    move_view (self, x0 + dx, y0 + dy);
}

static void
studio_minimap_dispose (GObject *object)
{
  StudioMinimap *self = STUDIO_MINIMAP (object);
  if (self->view)
    g_signal_handlers_disconnect_by_data (self->view, self);
  self->view = NULL;
  g_clear_pointer (&self->cache, cairo_surface_destroy);
  G_OBJECT_CLASS (studio_minimap_parent_class)->dispose (object);
}

static void
studio_minimap_class_init (StudioMinimapClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = studio_minimap_dispose;
  widget_class->snapshot = studio_minimap_snapshot;
  widget_class->measure = studio_minimap_measure;
  widget_class->size_allocate = studio_minimap_size_allocate;
  gtk_widget_class_set_css_name (widget_class, "minimap");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_minimap_init (StudioMinimap *self)
{
  GtkGesture *drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self), _("Overview: click or drag to move the view"));
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Graph overview"), -1);
}

GtkWidget *
studio_minimap_new (StudioGraphView *view)
{
  StudioMinimap *self = g_object_new (STUDIO_TYPE_MINIMAP, NULL);
  self->view = view;
  g_signal_connect_swapped (view, "scene-changed", G_CALLBACK (invalidate), self);
  g_signal_connect_swapped (view, "transform-changed", G_CALLBACK (gtk_widget_queue_draw), self);
  return GTK_WIDGET (self);
}
