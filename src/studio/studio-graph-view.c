/* studio-graph-view.c: the model canvas widget: what it shows (model,
 * pipeline state, project), the snapshot and the HUD children (colour-by
 * menu, minimap). What is drawn and where comes from StudioGraphScene;
 * navigation is in studio-graph-view-input.c, decorations, groups and
 * search in studio-graph-view-decor.c, menus and export in
 * studio-graph-view-menu.c. */
#include "config.h"

#include "studio-graph-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

#include "studio-minimap.h"

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
    studio_graph_view_clamp_offset (self);
  else
    studio_graph_view_apply_view_mode (self);
  studio_graph_view_update_minimap_visibility (self);
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

/* ---- tooltips -------------------------------------------------------------- */

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

/* share: the most of the canvas' width and height the child may take. */
static void
allocate_corner (GtkWidget *child, int width, int height, gboolean right, gboolean bottom, double share)
{
  GtkRequisition min, nat;
  int w, h;
  if (!child || !gtk_widget_should_layout (child))
    return;
  gtk_widget_get_preferred_size (child, &min, &nat);
  w = MAX (min.width, MIN (nat.width, (int) ((width - 2 * HUD_MARGIN) * share)));
  h = MAX (min.height, MIN (nat.height, (int) ((height - 2 * HUD_MARGIN) * share)));
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
    studio_graph_view_apply_view_mode (self);
  else
    studio_graph_view_clamp_offset (self);
  studio_graph_view_update_minimap_visibility (self);
  allocate_corner (self->overlay_button, width, height, FALSE, FALSE, 1.0);
  /* The overview is hidden rather than squeezed in a small window. */
  if (width < 420 || height < 320)
    gtk_widget_set_child_visible (self->minimap, FALSE);
  allocate_corner (self->minimap, width, height, TRUE, TRUE, 0.3);
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

  studio_graph_view_class_init_input (widget_class);
  studio_graph_view_class_init_actions (widget_class);


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

  self->selected = -1;
  self->current_match = -1;
  self->zoom = 1.0;
  self->mode = VIEW_INITIAL;
  gtk_widget_set_focusable (widget, TRUE);
  gtk_widget_set_overflow (widget, GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_has_tooltip (widget, TRUE);

  studio_graph_view_init_input (self);

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
  g_autoptr (MrtState) old = NULL;
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (state == self->state)
    return;
  /* The old state may own the graph on screen: keep it alive until the
   * selection was carried over by name. */
  old = g_steal_pointer (&self->state);
  self->state = state ? mrt_state_ref (state) : NULL;
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
