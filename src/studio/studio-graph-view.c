/* studio-graph-view.c: the model canvas widget: view transform, input
 * handling (pan, zoom, select, keyboard) and the snapshot. What is drawn and
 * where comes from StudioGraphScene. */
#include "studio-graph-view.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-graph-scene.h"

#define MAX_ZOOM 4.0
#define ZOOM_STEP 1.25
#define FIT_MARGIN 24.0
/* Below this zoom the initial view stops fitting tall graphs and shows the
 * top (the inputs) at a readable size instead. */
#define READABLE_ZOOM 0.75
#define WHEEL_PAN 48.0
#define KEEP_VISIBLE 48.0

typedef enum {
  VIEW_FREE,    /* the user moved the view: keep it */
  VIEW_INITIAL, /* first view of a model: recomputed on resize */
  VIEW_FIT,     /* fit to window: recomputed on resize */
} ViewMode;

struct _StudioGraphView {
  GtkWidget parent_instance;

  MrtModel *model;
  StudioGraphScene *scene;
  gboolean show_params;
  gint selected; /* model node, -1 for none */

  double zoom, ox, oy;
  ViewMode mode;

  double drag_ox, drag_oy;
  double gesture_zoom;
  double pointer_x, pointer_y;
  gboolean has_pointer;

  guint n_drawn;
  guint n_frames;
};

G_DEFINE_FINAL_TYPE (StudioGraphView, studio_graph_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_PARAMS,
  PROP_SELECTED_NODE,
  PROP_ZOOM,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

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
  return CLAMP (fit_zoom (self) * 0.8, 0.005, 0.25);
}

/* Never lose the graph completely: some of it stays inside the widget. */
static void
clamp_offset (StudioGraphView *self)
{
  double lw, lh;
  double W = gtk_widget_get_width (GTK_WIDGET (self));
  double H = gtk_widget_get_height (GTK_WIDGET (self));
  scene_size (self, &lw, &lh);
  lw *= self->zoom, lh *= self->zoom;
  self->ox = CLAMP (self->ox, MIN (KEEP_VISIBLE, W / 2) - lw, MAX (W - KEEP_VISIBLE, W / 2));
  self->oy = CLAMP (self->oy, MIN (KEEP_VISIBLE, H / 2) - lh, MAX (H - KEEP_VISIBLE, H / 2));
}

static void
set_transform (StudioGraphView *self, double zoom, double ox, double oy)
{
  gboolean zoom_changed = zoom != self->zoom;
  self->zoom = zoom;
  self->ox = ox;
  self->oy = oy;
  clamp_offset (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (zoom_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
}

/* Zoom keeping the world point under (ax, ay) in place. */
static void
zoom_at (StudioGraphView *self, double zoom, double ax, double ay)
{
  double wx = (ax - self->ox) / self->zoom;
  double wy = (ay - self->oy) / self->zoom;
  zoom = CLAMP (zoom, min_zoom (self), MAX_ZOOM);
  self->mode = VIEW_FREE;
  set_transform (self, zoom, ax - wx * zoom, ay - wy * zoom);
}

static void
apply_view_mode (StudioGraphView *self)
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
      set_transform (self, z, (W - lw * z) / 2, (H - lh * z) / 2);
      return;
    }
  z = CLAMP ((W - 2 * FIT_MARGIN) / lw, READABLE_ZOOM, 1.0);
  if (lw * z <= W - 2 * FIT_MARGIN || studio_graph_scene_get_n_nodes (self->scene) == 0)
    set_transform (self, z, (W - lw * z) / 2, FIT_MARGIN);
  else
    {
      const graphene_rect_t *first = &studio_graph_scene_get_node (self->scene, 0)->rect;
      set_transform (self, z, W / 2 - (first->origin.x + first->size.width / 2) * z, FIT_MARGIN);
    }
}

/* ---- scene --------------------------------------------------------------- */

static void
rebuild_scene (StudioGraphView *self)
{
  PangoContext *ctx = gtk_widget_get_pango_context (GTK_WIDGET (self));

  g_clear_pointer (&self->scene, studio_graph_scene_free);
  if (self->model)
    self->scene = studio_graph_scene_new (self->model, self->show_params, pango_context_get_font_description (ctx));
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

static gint
selected_scene_index (StudioGraphView *self)
{
  if (!self->scene || self->selected < 0)
    return -1;
  return studio_graph_scene_lookup (self->scene, (guint) self->selected);
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
  set_transform (self, self->zoom, self->drag_ox + dx, self->drag_oy + dy);
}

static void
on_drag_end (GtkGestureDrag *gesture, double dx, double dy, StudioGraphView *self)
{
  gtk_widget_set_cursor (GTK_WIDGET (self), NULL);
}

static void
on_pressed (GtkGestureClick *gesture, int n_press, double x, double y, StudioGraphView *self)
{
  gtk_widget_grab_focus (GTK_WIDGET (self));
  studio_graph_view_set_selected_node (self, studio_graph_view_get_node_at (self, x, y));
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
  set_transform (self, self->zoom, self->ox - dx * (wheel ? WHEEL_PAN : 1.0), self->oy - dy * (wheel ? WHEEL_PAN : 1.0));
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
  set_transform (self, self->zoom, self->ox + dx, self->oy + dy);
}

static void
action_select_none (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_graph_view_set_selected_node (STUDIO_GRAPH_VIEW (widget), -1);
}

static gboolean
studio_graph_view_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  gint node = keyboard ? self->selected : studio_graph_view_get_node_at (self, x, y);
  g_autoptr (GString) markup = NULL;
  g_autoptr (GList) keys = NULL;
  g_autofree char *head = NULL;
  const MrtNode *n;

  if (node < 0 || !self->model)
    return FALSE;
  n = mrt_model_node (self->model, (guint) node);
  head = g_markup_printf_escaped ("<b>%s</b>\n%s", mrt_node_is_variable (n) ? _("Variable") : n->op, n->name);
  markup = g_string_new (head);
  keys = g_list_sort (g_hash_table_get_keys (n->attrs), (GCompareFunc) g_strcmp0);
  for (GList *l = keys; l; l = l->next)
    {
      g_autofree char *line = g_markup_printf_escaped ("\n<small>%s = %s</small>", (const char *) l->data,
                                                       (const char *) g_hash_table_lookup (n->attrs, l->data));
      g_string_append (markup, line);
    }
  gtk_tooltip_set_markup (tooltip, markup->str);
  return TRUE;
}

/* ---- GtkWidget ----------------------------------------------------------- */

static void
read_palette (GtkWidget *widget, StudioScenePalette *pal)
{
  GtkStyleContext *style = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (style, &pal->fg);
  if (!gtk_style_context_lookup_color (style, "card_bg_color", &pal->card))
    pal->card = (GdkRGBA) { 1, 1, 1, 1 };
  if (!gtk_style_context_lookup_color (style, "accent_color", &pal->accent))
    pal->accent = (GdkRGBA) { 0.208, 0.518, 0.894, 1 };
  /* Light text means a dark theme. */
  pal->dark = pal->fg.red + pal->fg.green + pal->fg.blue > 1.5;
  /* card_bg_color is translucent in the dark style: make it opaque over the
   * canvas so edges do not show through boxes. */
  if (pal->card.alpha < 1)
    {
      double a = pal->card.alpha, base = pal->dark ? 0.141 : 1.0;
      pal->card.red = pal->card.red * a + base * (1 - a);
      pal->card.green = pal->card.green * a + base * (1 - a);
      pal->card.blue = pal->card.blue * a + base * (1 - a);
      pal->card.alpha = 1;
    }
}

static void
studio_graph_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  double W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  StudioScenePalette pal;
  graphene_rect_t visible;
  cairo_t *cr;

  self->n_frames++;
  self->n_drawn = 0;
  if (!self->scene || W <= 0 || H <= 0)
    return;
  read_palette (widget, &pal);
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, W, H));
  cairo_translate (cr, self->ox, self->oy);
  cairo_scale (cr, self->zoom, self->zoom);
  graphene_rect_init (&visible, -self->ox / self->zoom, -self->oy / self->zoom, W / self->zoom, H / self->zoom);
  self->n_drawn = studio_graph_scene_paint (self->scene, cr, &visible, self->zoom, &pal,
                                            selected_scene_index (self));
  cairo_destroy (cr);
}

static void
studio_graph_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  if (self->mode != VIEW_FREE)
    apply_view_mode (self);
  else
    clamp_offset (self);
}

static void
studio_graph_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                           int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = 100;
  *natural = 400;
}

static void
studio_graph_view_dispose (GObject *object)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (object);
  g_clear_pointer (&self->scene, studio_graph_scene_free);
  g_clear_pointer (&self->model, mrt_model_unref);
  G_OBJECT_CLASS (studio_graph_view_parent_class)->dispose (object);
}

static void
studio_graph_view_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (object);
  switch (prop_id)
    {
    case PROP_SHOW_PARAMS:
      g_value_set_boolean (value, self->show_params);
      break;
    case PROP_SELECTED_NODE:
      g_value_set_int (value, self->selected);
      break;
    case PROP_ZOOM:
      g_value_set_double (value, self->zoom);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_graph_view_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (object);
  switch (prop_id)
    {
    case PROP_SHOW_PARAMS:
      studio_graph_view_set_show_params (self, g_value_get_boolean (value));
      break;
    case PROP_SELECTED_NODE:
      studio_graph_view_set_selected_node (self, g_value_get_int (value));
      break;
    case PROP_ZOOM:
      studio_graph_view_set_zoom (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_key (GtkWidgetClass *klass, guint key, const char *action)
{
  gtk_widget_class_add_binding_action (klass, key, 0, action, NULL);
}

static void
studio_graph_view_class_init (StudioGraphViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_graph_view_dispose;
  object_class->get_property = studio_graph_view_get_property;
  object_class->set_property = studio_graph_view_set_property;
  widget_class->snapshot = studio_graph_view_snapshot;
  widget_class->size_allocate = studio_graph_view_size_allocate;
  widget_class->measure = studio_graph_view_measure;
  widget_class->query_tooltip = studio_graph_view_query_tooltip;

  properties[PROP_SHOW_PARAMS] =
    g_param_spec_boolean ("show-params", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_NODE] =
    g_param_spec_int ("selected-node", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0.0, MAX_ZOOM, 1.0,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-reset", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.fit", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.pan", "(dd)", action_pan);
  gtk_widget_class_install_action (widget_class, "view.select-none", NULL, action_select_none);

  add_key (widget_class, GDK_KEY_plus, "view.zoom-in");
  add_key (widget_class, GDK_KEY_equal, "view.zoom-in");
  add_key (widget_class, GDK_KEY_KP_Add, "view.zoom-in");
  add_key (widget_class, GDK_KEY_minus, "view.zoom-out");
  add_key (widget_class, GDK_KEY_KP_Subtract, "view.zoom-out");
  add_key (widget_class, GDK_KEY_1, "view.zoom-reset");
  add_key (widget_class, GDK_KEY_0, "view.fit");
  add_key (widget_class, GDK_KEY_f, "view.fit");
  add_key (widget_class, GDK_KEY_Escape, "view.select-none");
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, 0, "view.pan", "(dd)", WHEEL_PAN, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, 0, "view.pan", "(dd)", -WHEEL_PAN, 0.0);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Up, 0, "view.pan", "(dd)", 0.0, WHEEL_PAN);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Down, 0, "view.pan", "(dd)", 0.0, -WHEEL_PAN);

  gtk_widget_class_set_css_name (widget_class, "graphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
studio_graph_view_init (StudioGraphView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkGesture *drag = gtk_gesture_drag_new ();
  GtkGesture *click = gtk_gesture_click_new ();
  GtkGesture *zoom = gtk_gesture_zoom_new ();
  GtkEventController *scroll =
    gtk_event_controller_scroll_new (GTK_EVENT_CONTROLLER_SCROLL_BOTH_AXES | GTK_EVENT_CONTROLLER_SCROLL_KINETIC);
  GtkEventController *motion = gtk_event_controller_motion_new ();

  self->selected = -1;
  self->zoom = 1.0;
  self->mode = VIEW_INITIAL;
  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (widget, TRUE);

  /* Primary or middle button drags pan, like most canvases. */
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (drag), 0);
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  g_signal_connect (drag, "drag-end", G_CALLBACK (on_drag_end), self);
  gtk_widget_add_controller (widget, GTK_EVENT_CONTROLLER (drag));

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

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model graph"), -1);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
studio_graph_view_new (void)
{
  return g_object_new (STUDIO_TYPE_GRAPH_VIEW, NULL);
}

void
studio_graph_view_set_model (StudioGraphView *self, MrtModel *model)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (model == self->model)
    return;
  if (model)
    mrt_model_ref (model);
  g_clear_pointer (&self->model, mrt_model_unref);
  self->model = model;
  studio_graph_view_set_selected_node (self, -1);
  rebuild_scene (self);
  self->mode = VIEW_INITIAL;
  apply_view_mode (self);
}

MrtModel *
studio_graph_view_get_model (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), NULL);
  return self->model;
}

void
studio_graph_view_set_show_params (StudioGraphView *self, gboolean show_params)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  show_params = !!show_params;
  if (show_params == self->show_params)
    return;
  self->show_params = show_params;
  /* A hidden node cannot stay selected. */
  if (!show_params && self->model && self->selected >= 0 &&
      studio_graph_scene_is_weight (self->model, (guint) self->selected))
    studio_graph_view_set_selected_node (self, -1);
  rebuild_scene (self);
  if (self->mode == VIEW_FREE)
    clamp_offset (self);
  else
    apply_view_mode (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PARAMS]);
}

gboolean
studio_graph_view_get_show_params (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), FALSE);
  return self->show_params;
}

void
studio_graph_view_set_selected_node (StudioGraphView *self, gint node)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (node < 0 || !self->model || (guint) node >= mrt_model_n_nodes (self->model))
    node = -1;
  if (node == self->selected)
    return;
  self->selected = node;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
}

gint
studio_graph_view_get_selected_node (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), -1);
  return self->selected;
}

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
  apply_view_mode (self);
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

guint
studio_graph_view_get_n_placed (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->scene ? studio_graph_scene_get_n_nodes (self->scene) : 0;
}

gboolean
studio_graph_view_get_node_rect (StudioGraphView *self, guint node_index, graphene_rect_t *out)
{
  gint s;
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), FALSE);
  if (!self->scene || (s = studio_graph_scene_lookup (self->scene, node_index)) < 0)
    return FALSE;
  if (out)
    *out = studio_graph_scene_get_node (self->scene, (guint) s)->rect;
  return TRUE;
}

gint
studio_graph_view_get_node_at (StudioGraphView *self, double x, double y)
{
  gint s;
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), -1);
  if (!self->scene)
    return -1;
  s = studio_graph_scene_hit (self->scene, (x - self->ox) / self->zoom, (y - self->oy) / self->zoom);
  return s < 0 ? -1 : (gint) studio_graph_scene_get_node (self->scene, (guint) s)->node;
}

guint
studio_graph_view_get_n_drawn (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->n_drawn;
}

guint
studio_graph_view_get_n_frames (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->n_frames;
}
