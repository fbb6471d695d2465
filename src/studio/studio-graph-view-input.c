/* studio-graph-view-input.c: the canvas' view transform and navigation:
 * pan (drag, scroll, arrow keys), zoom (Ctrl+scroll, pinch, keys), fit,
 * centring on a point or a node, and selection by click. */
#include "config.h"

#include "studio-graph-view-private.h"

#include <math.h>

#define ZOOM_STEP 1.25
#define FIT_MARGIN 24.0
/* Below this zoom the initial view stops fitting tall graphs and shows the
 * top (the inputs) at a readable size instead. */
#define READABLE_ZOOM 0.75
#define WHEEL_PAN 48.0
#define KEEP_VISIBLE 48.0

/* ---- transform --------------------------------------------------------- */

static void
scene_size (StudioGraphView *self, double *w, double *h)
{
  *w = *h = 0;
  if (self->scene)
    studio_graph_scene_get_size (self->scene, w, h);
  *w = MAX (*w, 1.0);
  *h = MAX (*h, 1.0);
}

static double
fit_zoom (StudioGraphView *self)
{
  double lw, lh;
  double W = gtk_widget_get_width (GTK_WIDGET (self));
  double H = gtk_widget_get_height (GTK_WIDGET (self));
  scene_size (self, &lw, &lh);
  return MIN (MAX (W - 2 * FIT_MARGIN, 1.0) / lw, MAX (H - 2 * FIT_MARGIN, 1.0) / lh);
}

static double
min_zoom (StudioGraphView *self)
{
  return CLAMP (fit_zoom (self) * 0.8, 0.0005, 0.25);
}

/* Never lose the graph completely: some of it stays inside the widget. */
void
studio_graph_view_clamp_offset (StudioGraphView *self)
{
  double lw, lh;
  double W = gtk_widget_get_width (GTK_WIDGET (self));
  double H = gtk_widget_get_height (GTK_WIDGET (self));
  scene_size (self, &lw, &lh);
  lw *= self->zoom, lh *= self->zoom;
  self->ox = CLAMP (self->ox, MIN (KEEP_VISIBLE, W / 2) - lw, MAX (W - KEEP_VISIBLE, W / 2));
  self->oy = CLAMP (self->oy, MIN (KEEP_VISIBLE, H / 2) - lh, MAX (H - KEEP_VISIBLE, H / 2));
}

/* The overview only helps while part of the graph is off screen. */
void
studio_graph_view_update_minimap_visibility (StudioGraphView *self)
{
  double lw, lh;
  gboolean show;
  scene_size (self, &lw, &lh);
  show = self->scene && (lw * self->zoom > gtk_widget_get_width (GTK_WIDGET (self)) + 1 ||
                         lh * self->zoom > gtk_widget_get_height (GTK_WIDGET (self)) + 1);
  if (show != gtk_widget_get_child_visible (self->minimap))
    gtk_widget_set_child_visible (self->minimap, show);
}

void
studio_graph_view_set_transform (StudioGraphView *self, double zoom, double ox, double oy)
{
  gboolean zoom_changed = zoom != self->zoom;
  self->zoom = zoom;
  self->ox = ox;
  self->oy = oy;
  studio_graph_view_clamp_offset (self);
  studio_graph_view_update_minimap_visibility (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit_by_name (self, "transform-changed");
  if (zoom_changed)
    g_object_notify (G_OBJECT (self), "zoom");
}

/* Zoom keeping the world point under (ax, ay) in place. */
static void
zoom_at (StudioGraphView *self, double zoom, double ax, double ay)
{
  double wx = (ax - self->ox) / self->zoom;
  double wy = (ay - self->oy) / self->zoom;
  zoom = CLAMP (zoom, min_zoom (self), MAX_ZOOM);
  self->mode = VIEW_FREE;
  studio_graph_view_set_transform (self, zoom, ax - wx * zoom, ay - wy * zoom);
}

void
studio_graph_view_apply_view_mode (StudioGraphView *self)
{
  double W = gtk_widget_get_width (GTK_WIDGET (self));
  double H = gtk_widget_get_height (GTK_WIDGET (self));
  double lw, lh, z;

  if (!self->scene || W <= 0 || H <= 0 || self->mode == VIEW_FREE)
    return;
  scene_size (self, &lw, &lh);
  /* Never blow a small graph up beyond 100 %: big boxes look broken. */
  z = MIN (fit_zoom (self), 1.0);
  if (self->mode == VIEW_FIT || z >= READABLE_ZOOM)
    {
      studio_graph_view_set_transform (self, z, (W - lw * z) / 2, (H - lh * z) / 2);
      return;
    }
  z = CLAMP ((W - 2 * FIT_MARGIN) / lw, READABLE_ZOOM, 1.0);
  if (lw * z <= W - 2 * FIT_MARGIN || studio_graph_scene_get_n_nodes (self->scene) == 0)
    studio_graph_view_set_transform (self, z, (W - lw * z) / 2, FIT_MARGIN);
  else
    {
      const graphene_rect_t *first = &studio_graph_scene_get_node (self->scene, 0)->rect;
      studio_graph_view_set_transform (self, z, W / 2 - (first->origin.x + first->size.width / 2) * z, FIT_MARGIN);
    }
}


/* ---- input --------------------------------------------------------------- */

static void
on_drag_begin (GtkGestureDrag *gesture, double x, double y, StudioGraphView *self)
{
  self->drag_ox = self->ox;
  self->drag_oy = self->oy;
}

static void
on_drag_update (GtkGestureDrag *gesture, double dx, double dy, StudioGraphView *self)
{
  if (!self->scene)
    return;
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "grabbing");
  self->mode = VIEW_FREE;
  studio_graph_view_set_transform (self, self->zoom, self->drag_ox + dx, self->drag_oy + dy);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, StudioGraphView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, StudioGraphView *self)
{
  guint button = gtk_gesture_single_get_current_button (GTK_GESTURE_SINGLE (gesture));
  gint node = studio_graph_view_get_node_at (self, x, y);
  gint s;

  gtk_widget_grab_focus (GTK_WIDGET (self));
  if (button == GDK_BUTTON_SECONDARY)
    {
      if (node >= 0)
        studio_graph_view_set_selected_node (self, node);
      studio_graph_view_popup_menu (self, x, y);
      return;
    }
  studio_graph_view_set_selected_node (self, node);
  /* Double-clicking a collapsed group opens it. */
  if (n_press == 2 && node >= 0 && (s = studio_graph_scene_lookup (self->scene, (guint) node)) >= 0 &&
      studio_graph_scene_get_node (self->scene, (guint) s)->group >= 0)
    studio_graph_view_set_group_collapsed (self, (guint) studio_graph_scene_get_node (self->scene, (guint) s)->group,
                                           FALSE);
}

static void
on_motion (GtkEventControllerMotion *motion, double x, double y, StudioGraphView *self)
{
  self->pointer_x = x;
  self->pointer_y = y;
  self->has_pointer = TRUE;
}

static void
on_leave (GtkEventControllerMotion *motion, StudioGraphView *self)
{
  self->has_pointer = FALSE;
}

static gboolean
on_scroll (GtkEventControllerScroll *scroll, double dx, double dy, StudioGraphView *self)
{
  GdkModifierType state = gtk_event_controller_get_current_event_state (GTK_EVENT_CONTROLLER (scroll));
  gboolean wheel = gtk_event_controller_scroll_get_unit (scroll) == GDK_SCROLL_UNIT_WHEEL;

  if (!self->scene)
    return FALSE;
  if (state & GDK_CONTROL_MASK)
    {
      /* Touchpads report pixels, wheels report notches. */
      double steps = wheel ? dy : dy / 20.0;
      double ax = self->has_pointer ? self->pointer_x : gtk_widget_get_width (GTK_WIDGET (self)) / 2.0;
      double ay = self->has_pointer ? self->pointer_y : gtk_widget_get_height (GTK_WIDGET (self)) / 2.0;
      zoom_at (self, self->zoom * pow (1.2, -steps), ax, ay);
      return TRUE;
    }
  if ((state & GDK_SHIFT_MASK) && dx == 0)
    dx = dy, dy = 0;
  self->mode = VIEW_FREE;
  studio_graph_view_set_transform (self, self->zoom, self->ox - dx * (wheel ? WHEEL_PAN : 1.0), self->oy - dy * (wheel ? WHEEL_PAN : 1.0));
  return TRUE;
}

static void
on_zoom_begin (GtkGesture *gesture, GdkEventSequence *sequence, StudioGraphView *self)
{
  self->gesture_zoom = self->zoom;
}

static void
on_zoom_scale_changed (GtkGestureZoom *gesture, double scale, StudioGraphView *self)
{
  double cx, cy;
  if (!gtk_gesture_get_bounding_box_center (GTK_GESTURE (gesture), &cx, &cy))
    return;
  zoom_at (self, self->gesture_zoom * scale, cx, cy);
}

static void
action_zoom (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  if (g_str_equal (name, "view.zoom-in"))
    studio_graph_view_zoom_in (self);
  else if (g_str_equal (name, "view.zoom-out"))
    studio_graph_view_zoom_out (self);
  else if (g_str_equal (name, "view.zoom-reset"))
    studio_graph_view_set_zoom (self, 1.0);
  else
    studio_graph_view_fit (self);
}

static void
action_pan (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  double dx, dy;
  g_variant_get (param, "(dd)", &dx, &dy);
  self->mode = VIEW_FREE;
  studio_graph_view_set_transform (self, self->zoom, self->ox + dx, self->oy + dy);
}


/* ---- public API ------------------------------------------------------------ */

void
studio_graph_view_set_zoom (StudioGraphView *self, double zoom)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  zoom_at (self, zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0,
           gtk_widget_get_height (GTK_WIDGET (self)) / 2.0);
}

double
studio_graph_view_get_zoom (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 1.0);
  return self->zoom;
}

void
studio_graph_view_zoom_in (StudioGraphView *self)
{
  studio_graph_view_set_zoom (self, self->zoom * ZOOM_STEP);
}

void
studio_graph_view_zoom_out (StudioGraphView *self)
{
  studio_graph_view_set_zoom (self, self->zoom / ZOOM_STEP);
}

void
studio_graph_view_fit (StudioGraphView *self)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  self->mode = VIEW_FIT;
  studio_graph_view_apply_view_mode (self);
}

void
studio_graph_view_get_transform (StudioGraphView *self, double *zoom, double *offset_x, double *offset_y)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (zoom)
    *zoom = self->zoom;
  if (offset_x)
    *offset_x = self->ox;
  if (offset_y)
    *offset_y = self->oy;
}

void
studio_graph_view_center_on (StudioGraphView *self, double world_x, double world_y)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  self->mode = VIEW_FREE;
  studio_graph_view_set_transform (self, self->zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 - world_x * self->zoom,
                 gtk_widget_get_height (GTK_WIDGET (self)) / 2.0 - world_y * self->zoom);
}

void
studio_graph_view_reveal_node (StudioGraphView *self, guint node)
{
  gint s, g;
  const graphene_rect_t *r;

  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (!self->shown || node >= mrt_model_n_nodes (self->shown))
    return;
  /* Open every collapsed group around it. */
  if (self->groups && studio_graph_groups_box_of (self->groups, node, self->collapsed) >= 0)
    {
      for (g = studio_graph_groups_of (self->groups, node); g >= 0; g = studio_graph_groups_get_parent (self->groups, (guint) g))
        self->collapsed[g] = FALSE;
      studio_graph_view_rebuild_scene (self);
    }
  if (!self->scene || (s = studio_graph_scene_lookup (self->scene, node)) < 0)
    return;
  r = &studio_graph_scene_get_node (self->scene, (guint) s)->rect;
  /* Far out, a box is a speck: come close enough to read it. */
  if (self->zoom < READABLE_ZOOM)
    self->zoom = MIN (READABLE_ZOOM, MAX_ZOOM);
  studio_graph_view_center_on (self, r->origin.x + r->size.width / 2, r->origin.y + r->size.height / 2);
  g_object_notify (G_OBJECT (self), "zoom");
}

/* ---- setup ------------------------------------------------------------------ */

static void
add_key (GtkWidgetClass *klass, guint key, GdkModifierType mods, const char *action)
{
  gtk_widget_class_add_binding_action (klass, key, mods, action, NULL);
}

void
studio_graph_view_class_init_input (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-reset", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.fit", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.pan", "(dd)", action_pan);

  add_key (widget_class, GDK_KEY_plus, 0, "view.zoom-in");
  add_key (widget_class, GDK_KEY_equal, 0, "view.zoom-in");
  add_key (widget_class, GDK_KEY_KP_Add, 0, "view.zoom-in");
  add_key (widget_class, GDK_KEY_minus, 0, "view.zoom-out");
  add_key (widget_class, GDK_KEY_KP_Subtract, 0, "view.zoom-out");
  add_key (widget_class, GDK_KEY_1, 0, "view.zoom-reset");
  add_key (widget_class, GDK_KEY_0, 0, "view.fit");
  add_key (widget_class, GDK_KEY_f, 0, "view.fit");
  add_key (widget_class, GDK_KEY_Escape, 0, "view.select-none");
  add_key (widget_class, GDK_KEY_k, GDK_CONTROL_MASK, "view.split-after");
  add_key (widget_class, GDK_KEY_space, 0, "view.toggle-group");
  add_key (widget_class, GDK_KEY_Menu, 0, "view.menu");
  add_key (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, "view.menu");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "view.pan", "(dd)", WHEEL_PAN, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "view.pan", "(dd)", -WHEEL_PAN, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "view.pan", "(dd)", 0.0, WHEEL_PAN);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "view.pan", "(dd)", 0.0, -WHEEL_PAN);
}

void
studio_graph_view_init_input (StudioGraphView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *zoom = gtk_gesture_zoom_new ();
  GtkEventController *scroll =
    gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES | GTK_EVENT_CONTROLLER_SCROLL_KINETIC);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  /* Primary or middle button drags pan, like most canvases. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), 0);
  g_signal_connect (click, "pressed", G_CALLBACK (on_pressed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (click));

  g_signal_connect (zoom, "begin", G_CALLBACK (on_zoom_begin), self);
  g_signal_connect (zoom, "scale-changed", G_CALLBACK (on_zoom_scale_changed), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (zoom));

  g_signal_connect (scroll, "scroll", G_CALLBACK (on_scroll), self);
  gtk_widget_add_controller (widget, scroll);

  g_signal_connect (motion, "motion", G_CALLBACK (on_motion), self);
  g_signal_connect (motion, "leave", G_CALLBACK (on_leave), self);
  gtk_widget_add_controller (widget, motion);
}
