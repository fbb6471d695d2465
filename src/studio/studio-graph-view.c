/* studio-graph-view.c: the model canvas widget: view transform, input
 * handling (pan, zoom, select, keyboard), the snapshot and the HUD children
 * (colour-by menu, minimap). What is drawn and where comes from
 * StudioGraphScene; decorations, groups and search are in
 * studio-graph-view-decor.c, menus and export in studio-graph-view-menu.c. */
#include "config.h"

#include "studio-graph-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-minimap.h"

#define MAX_ZOOM 4.0
#define ZOOM_STEP 1.25
#define FIT_MARGIN 24.0
/* Below this zoom the initial view stops fitting tall graphs and shows the
 * top (the inputs) at a readable size instead. */
#define READABLE_ZOOM 0.75
#define WHEEL_PAN 48.0
#define KEEP_VISIBLE 48.0
#define HUD_MARGIN 12

G_DEFINE_FINAL_TYPE (StudioGraphView, studio_graph_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SHOW_PARAMS,
  PROP_SELECTED_NODE,
  PROP_ZOOM,
  PROP_OVERLAY,
  N_PROPS
};

/* The "overlay" property's values, also view.overlay's targets. */
static const char *const overlay_names[] = { "none", "precision", "threshold", "sqnr" };

enum {
  SIGNAL_SCENE_CHANGED,
  SIGNAL_TRANSFORM_CHANGED,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

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

/* The overview only helps while part of the graph is off screen. */
static void
update_minimap_visibility (StudioGraphView *self)
{
  double lw, lh;
  gboolean show;
  scene_size (self, &lw, &lh);
  show = self->scene && (lw * self->zoom > gtk_widget_get_width (GTK_WIDGET (self)) + 1 ||
                         lh * self->zoom > gtk_widget_get_height (GTK_WIDGET (self)) + 1);
  if (show != gtk_widget_get_child_visible (self->minimap))
    gtk_widget_set_child_visible (self->minimap, show);
}

static void
set_transform (StudioGraphView *self, double zoom, double ox, double oy)
{
  gboolean zoom_changed = zoom != self->zoom;
  self->zoom = zoom;
  self->ox = ox;
  self->oy = oy;
  clamp_offset (self);
  update_minimap_visibility (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_TRANSFORM_CHANGED], 0);
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

void
studio_graph_view_rebuild_scene (StudioGraphView *self)
{
  PangoContext *ctx = gtk_widget_get_pango_context (GTK_WIDGET (self));

  g_clear_pointer (&self->scene, studio_graph_scene_free);
  if (self->shown)
    self->scene = studio_graph_scene_new (self->shown, self->show_params, self->groups, self->collapsed,
                                          pango_context_get_font_description (ctx));
  studio_graph_view_update_decor (self);
  if (self->mode == VIEW_FREE)
    clamp_offset (self);
  else
    apply_view_mode (self);
  update_minimap_visibility (self);
  studio_graph_view_update_actions (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_signal_emit (self, signals[SIGNAL_SCENE_CHANGED], 0);
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

static gboolean
studio_graph_view_query_tooltip (GtkWidget *widget, int x, int y, gboolean keyboard, GtkTooltip *tooltip)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  gint node = keyboard ? self->selected : studio_graph_view_get_node_at (self, x, y);
  g_autoptr (GString) markup = NULL;
  g_autoptr (GList) keys = NULL;
  g_autofree char *head = NULL;
  const MrtNode *n;
  gint s;

  if (node < 0 || !self->shown || (s = studio_graph_scene_lookup (self->scene, (guint) node)) < 0)
    return FALSE;
  if (studio_graph_scene_get_node (self->scene, (guint) s)->group >= 0)
    {
      const StudioSceneNode *sn = studio_graph_scene_get_node (self->scene, (guint) s);
      g_autofree char *text = g_markup_printf_escaped ("<b>%s</b>\n%s\n<small>%s</small>", sn->title, sn->subtitle,
                                                       _("Double-click to expand"));
      gtk_tooltip_set_markup (tooltip, text);
      return TRUE;
    }
  n = mrt_model_node (self->shown, (guint) node);
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

/* ---- painting ------------------------------------------------------------ */

void
studio_graph_view_read_palette (StudioGraphView *self, StudioScenePalette *pal)
{
  GtkStyleContext *style = gtk_widget_get_style_context (GTK_WIDGET (self));

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

void
studio_graph_view_fill_style (StudioGraphView *self, StudioSceneStyle *style)
{
  studio_graph_view_read_palette (self, &style->palette);
  style->selected = selected_scene_index (self);
  style->marks = self->marks;
  style->colors = self->colors;
}

/* The canvas as on screen, into any cairo context: the snapshot and the
 * image export share it. */
void
studio_graph_view_paint (StudioGraphView *self, cairo_t *cr, double width, double height, gboolean legend)
{
  StudioSceneStyle style;
  graphene_rect_t visible;

  if (!self->scene)
    return;
  studio_graph_view_fill_style (self, &style);
  cairo_save (cr);
  cairo_translate (cr, self->ox, self->oy);
  cairo_scale (cr, self->zoom, self->zoom);
  graphene_rect_init (&visible, -self->ox / self->zoom, -self->oy / self->zoom, width / self->zoom,
                      height / self->zoom);
  self->n_drawn = studio_graph_scene_paint (self->scene, cr, &visible, self->zoom, &style);
  cairo_restore (cr);
  if (legend && self->has_legend)
    studio_graph_view_paint_legend (self, cr, width, height);
}

static void
studio_graph_view_snapshot (GtkWidget *widget, GtkSnapshot *snapshot)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  double W = gtk_widget_get_width (widget), H = gtk_widget_get_height (widget);
  gint64 start = g_get_monotonic_time ();
  cairo_t *cr;

  self->n_frames++;
  self->n_drawn = 0;
  if (self->scene && W > 0 && H > 0)
    {
      cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, W, H));
      studio_graph_view_paint (self, cr, W, H, TRUE);
      cairo_destroy (cr);
    }
  self->last_paint_ms = (g_get_monotonic_time () - start) / 1000.0;
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    gtk_widget_snapshot_child (widget, child, snapshot);
}

/* ---- GtkWidget ----------------------------------------------------------- */

static void
allocate_corner (GtkWidget *child, int width, int height, gboolean right, gboolean bottom)
{
  GtkRequisition nat;
  int w, h;
  if (!child || !gtk_widget_should_layout (child))
    return;
  gtk_widget_get_preferred_size (child, NULL, &nat);
  w = MIN (nat.width, MAX (width - 2 * HUD_MARGIN, 0));
  h = MIN (nat.height, MAX (height - 2 * HUD_MARGIN, 0));
  gtk_widget_size_allocate (child,
                            &(GtkAllocation) { right ? width - HUD_MARGIN - w : HUD_MARGIN,
                                               bottom ? height - HUD_MARGIN - h : HUD_MARGIN, w, h },
                            -1);
}

static void
studio_graph_view_size_allocate (GtkWidget *widget, int width, int height, int baseline)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  if (self->mode != VIEW_FREE)
    apply_view_mode (self);
  else
    clamp_offset (self);
  update_minimap_visibility (self);
  allocate_corner (self->overlay_button, width, height, FALSE, FALSE);
  /* The overview is hidden rather than squeezed in a small window. */
  if (width < 420 || height < 320)
    gtk_widget_set_child_visible (self->minimap, FALSE);
  allocate_corner (self->minimap, width, height, TRUE, TRUE);
  if (self->context_menu)
    gtk_popover_present (GTK_POPOVER (self->context_menu));
}

static void
studio_graph_view_measure (GtkWidget *widget, GtkOrientation orientation, int for_size, int *minimum,
                           int *natural, int *minimum_baseline, int *natural_baseline)
{
  *minimum = 100;
  *natural = 400;
}

static void
studio_graph_view_css_changed (GtkWidget *widget, GtkCssStyleChange *change)
{
  GTK_WIDGET_CLASS (studio_graph_view_parent_class)->css_changed (widget, change);
  /* Dark mode: the minimap repaints its cached overview. */
  g_signal_emit (widget, signals[SIGNAL_SCENE_CHANGED], 0);
}

static void
studio_graph_view_dispose (GObject *object)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (object);

  g_clear_pointer (&self->overlay_button, gtk_widget_unparent);
  g_clear_pointer (&self->minimap, gtk_widget_unparent);
  g_clear_pointer (&self->context_menu, gtk_widget_unparent);
  if (self->project)
    g_clear_signal_handler (&self->project_changed_id, self->project);
  g_clear_object (&self->project);
  g_clear_pointer (&self->scene, studio_graph_scene_free);
  g_clear_pointer (&self->groups, studio_graph_groups_free);
  g_clear_pointer (&self->collapsed, g_free);
  g_clear_pointer (&self->state, mrt_state_unref);
  g_clear_pointer (&self->model, mrt_model_unref);
  self->shown = NULL;
  studio_graph_view_clear_search (self);
  g_clear_pointer (&self->marks, g_free);
  g_clear_pointer (&self->colors, g_free);
  studio_legend_clear (&self->legend);
  G_OBJECT_CLASS (studio_graph_view_parent_class)->dispose (object);
}

static void
studio_graph_view_finalize (GObject *object)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (object);
  g_clear_pointer (&self->matches, g_array_unref);
  G_OBJECT_CLASS (studio_graph_view_parent_class)->finalize (object);
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
    case PROP_OVERLAY:
      g_value_set_string (value, overlay_names[self->overlay]);
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
    case PROP_OVERLAY:
      for (guint k = 0; k < G_N_ELEMENTS (overlay_names); k++)
        if (g_strcmp0 (g_value_get_string (value), overlay_names[k]) == 0)
          studio_graph_view_set_overlay (self, (StudioOverlay) k);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
add_key (GtkWidgetClass *klass, guint key, GdkModifierType mods, const char *action)
{
  gtk_widget_class_add_binding_action (klass, key, mods, action, NULL);
}

static void
studio_graph_view_class_init (StudioGraphViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_graph_view_dispose;
  object_class->finalize = studio_graph_view_finalize;
  object_class->get_property = studio_graph_view_get_property;
  object_class->set_property = studio_graph_view_set_property;
  widget_class->snapshot = studio_graph_view_snapshot;
  widget_class->size_allocate = studio_graph_view_size_allocate;
  widget_class->measure = studio_graph_view_measure;
  widget_class->query_tooltip = studio_graph_view_query_tooltip;
  widget_class->css_changed = studio_graph_view_css_changed;

  properties[PROP_SHOW_PARAMS] =
    g_param_spec_boolean ("show-params", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SELECTED_NODE] =
    g_param_spec_int ("selected-node", NULL, NULL, -1, G_MAXINT, -1,
                      G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ZOOM] = g_param_spec_double ("zoom", NULL, NULL, 0.0, MAX_ZOOM, 1.0,
                                               G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* "none", "precision", "threshold" or "sqnr" (see StudioOverlay): a
   * string, so view.overlay can be a radio action over it. */
  properties[PROP_OVERLAY] = g_param_spec_string ("overlay", NULL, NULL, "none",
                                                  G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* A new scene or new decorations (overlay colours, marks): what the
   * minimap draws changed. */
  signals[SIGNAL_SCENE_CHANGED] = g_signal_new ("scene-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* Pan or zoom: where the minimap's frame goes. */
  signals[SIGNAL_TRANSFORM_CHANGED] = g_signal_new ("transform-changed", G_TYPE_FROM_CLASS (klass),
                                                    G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The shown graph or the pipeline state changed (for the inspector). */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                NULL, NULL, NULL, G_TYPE_NONE, 0);

  gtk_widget_class_install_action (widget_class, "view.zoom-in", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-out", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.zoom-reset", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.fit", NULL, action_zoom);
  gtk_widget_class_install_action (widget_class, "view.pan", "(dd)", action_pan);
  studio_graph_view_class_init_actions (widget_class);

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

  gtk_widget_class_set_css_name (widget_class, "graphview");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static GtkWidget *
build_overlay_button (void)
{
  g_autoptr (GMenu) menu = g_menu_new ();
  GtkWidget *button = gtk_menu_button_new ();
  g_menu_append (menu, _("Op _Type"), "view.overlay::none");
  g_menu_append (menu, _("_Precision"), "view.overlay::precision");
  g_menu_append (menu, _("_Threshold"), "view.overlay::threshold");
  g_menu_append (menu, _("_SQNR"), "view.overlay::sqnr");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), G_MENU_MODEL (menu));
  gtk_menu_button_set_label (GTK_MENU_BUTTON (button), _("Color: Op Type"));
  gtk_widget_set_tooltip_text (button, _("Color Nodes By"));
  gtk_widget_add_css_class (button, "overlay-chooser");
  return button;
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
  self->current_match = -1;
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

  self->overlay_button = build_overlay_button ();
  gtk_widget_set_parent (self->overlay_button, widget);
  self->minimap = studio_minimap_new (self);
  gtk_widget_set_parent (self->minimap, widget);
  gtk_widget_set_child_visible (self->minimap, FALSE);
  studio_graph_view_update_actions (self);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, _("Model graph"), -1);
}

/* ---- public API ---------------------------------------------------------- */

GtkWidget *
studio_graph_view_new (void)
{
  return g_object_new (STUDIO_TYPE_GRAPH_VIEW, NULL);
}

/* The graph to draw changed (new model, or a state with a prepared graph):
 * regroup, keep the selection by name, rebuild. */
static void
show_graph (StudioGraphView *self, MrtModel *shown)
{
  g_autofree char *selected_name = NULL;
  MrtModel *old = self->shown;

  if (self->selected >= 0 && old)
    selected_name = g_strdup (mrt_model_node (old, (guint) self->selected)->name);
  self->shown = shown;
  studio_graph_view_clear_search (self);
  studio_graph_view_reset_groups (self);
  self->selected = selected_name && shown ? mrt_model_find (shown, selected_name) : -1;
  studio_graph_view_rebuild_scene (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SELECTED_NODE]);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
}

void
studio_graph_view_set_model (StudioGraphView *self, MrtModel *model)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (model == self->model && !self->state)
    return;
  if (model)
    mrt_model_ref (model);
  self->shown = NULL;
  g_clear_pointer (&self->state, mrt_state_unref);
  g_clear_pointer (&self->model, mrt_model_unref);
  self->model = model;
  self->selected = -1;
  self->mode = VIEW_INITIAL;
  show_graph (self, model);
}

MrtModel *
studio_graph_view_get_model (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), NULL);
  return self->model;
}

MrtModel *
studio_graph_view_get_shown_model (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), NULL);
  return self->shown;
}

void
studio_graph_view_set_state (StudioGraphView *self, MrtState *state)
{
  MrtModel *shown;
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (state == self->state)
    return;
  if (state)
    mrt_state_ref (state);
  g_clear_pointer (&self->state, mrt_state_unref);
  self->state = state;
  shown = state && state->prepared ? state->prepared : self->model;
  if (shown != self->shown)
    show_graph (self, shown);
  else
    {
      studio_graph_view_update_decor (self);
      g_signal_emit (self, signals[SIGNAL_SCENE_CHANGED], 0);
      g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0);
    }
}

MrtState *
studio_graph_view_get_state (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), NULL);
  return self->state;
}

static void
on_project_changed (StudioProject *project, StudioGraphView *self)
{
  studio_graph_view_update_decor (self);
  studio_graph_view_update_actions (self);
  g_signal_emit (self, signals[SIGNAL_SCENE_CHANGED], 0);
}

void
studio_graph_view_set_project (StudioGraphView *self, StudioProject *project)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (project == self->project)
    return;
  if (self->project)
    g_clear_signal_handler (&self->project_changed_id, self->project);
  g_set_object (&self->project, project);
  if (project)
    self->project_changed_id = g_signal_connect (project, "changed", G_CALLBACK (on_project_changed), self);
  on_project_changed (project, self);
}

StudioProject *
studio_graph_view_get_project (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), NULL);
  return self->project;
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
  if (!show_params && self->shown && self->selected >= 0 &&
      studio_graph_scene_is_weight (self->shown, (guint) self->selected))
    studio_graph_view_set_selected_node (self, -1);
  studio_graph_view_rebuild_scene (self);
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
  if (node < 0 || !self->shown || (guint) node >= mrt_model_n_nodes (self->shown))
    node = -1;
  if (node == self->selected)
    return;
  self->selected = node;
  studio_graph_view_update_actions (self);
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

void
studio_graph_view_center_on (StudioGraphView *self, double world_x, double world_y)
{
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  self->mode = VIEW_FREE;
  set_transform (self, self->zoom, gtk_widget_get_width (GTK_WIDGET (self)) / 2.0 - world_x * self->zoom,
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
  g = studio_graph_view_get_group_of (self, node);
  if (g >= 0 && self->collapsed[g])
    studio_graph_view_set_group_collapsed (self, (guint) g, FALSE);
  if (!self->scene || (s = studio_graph_scene_lookup (self->scene, node)) < 0)
    return;
  r = &studio_graph_scene_get_node (self->scene, (guint) s)->rect;
  /* Far out, a box is a speck: come close enough to read it. */
  if (self->zoom < READABLE_ZOOM)
    self->zoom = MIN (READABLE_ZOOM, MAX_ZOOM);
  studio_graph_view_center_on (self, r->origin.x + r->size.width / 2, r->origin.y + r->size.height / 2);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ZOOM]);
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

double
studio_graph_view_get_last_paint_ms (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->last_paint_ms;
}
