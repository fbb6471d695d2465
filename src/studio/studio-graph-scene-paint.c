/* studio-graph-scene-paint.c: painting the canvas scene with cairo, at two
 * levels of detail: cards with text, shadows and curved edges close up;
 * plain rectangles and straight edges far out, where the details would be
 * smaller than a pixel and a 10 000-node overview must still pan smoothly. */
#include "config.h"

#include "studio-graph-scene-private.h"

#include <math.h>
#include <pango/pangocairo.h>

/* Below this on-screen font size text is unreadable anyway: skip it. */
#define MIN_TEXT_PX 4.5
/* Below this zoom, boxes are plain rectangles and edges straight lines. */
#define DETAIL_SCALE 0.3
/* Below this zoom, only the selection's edges are drawn. */
#define MIN_EDGE_SCALE 0.06

static const GdkRGBA match_color = { 0.965, 0.827, 0.176, 1 };    /* yellow 2 */
static const GdkRGBA current_color = { 0.902, 0.380, 0.000, 1 };  /* orange 4 */
static const GdkRGBA key_color = { 0.878, 0.106, 0.141, 1 };      /* red 3 */
static const GdkRGBA override_color = { 0.569, 0.255, 0.675, 1 }; /* purple 3 */
static const GdkRGBA base_color = { 0.208, 0.518, 0.894, 1 };     /* blue 3 */
static const GdkRGBA top_color = { 0.753, 0.380, 0.796, 1 };      /* purple 2 */
static const GdkRGBA no_value_color = { 0.604, 0.600, 0.588, 1 }; /* light 5 */

typedef struct {
  const StudioGraphScene *scene;
  cairo_t *cr;
  double scale;
  const StudioSceneStyle *style;
  PangoLayout *layout;
} Painter;

static void
rounded_rect (cairo_t *cr, double x, double y, double w, double h, double r)
{
  r = MIN (r, MIN (w, h) / 2);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - r, y + r, r, -G_PI / 2, 0);
  cairo_arc (cr, x + w - r, y + h - r, r, 0, G_PI / 2);
  cairo_arc (cr, x + r, y + h - r, r, G_PI / 2, G_PI);
  cairo_arc (cr, x + r, y + r, r, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
}

static void
set_color (cairo_t *cr, const GdkRGBA *c, double alpha)
{
  cairo_set_source_rgba (cr, c->red, c->green, c->blue, c->alpha * alpha);
}

static guint8
marks_of (const StudioSceneStyle *style, guint i)
{
  return style->marks ? style->marks[i] : 0;
}

/* The box's hue: its overlay value when an overlay is on (grey without a
 * value), its op family otherwise. */
static const GdkRGBA *
accent_of (const StudioSceneStyle *style, const StudioSceneNode *sn, guint i)
{
  if (style->colors)
    return style->colors[i].alpha > 0 ? &style->colors[i] : &no_value_color;
  return studio_op_family_color (sn->family);
}

/* ---- edges --------------------------------------------------------------- */

/* Vertical S-curves between consecutive points: tangents are vertical at every
 * point, so chains through dummy vertices join smoothly. The last segment
 * stops short so the arrow tip is not covered by the line. */
static void
edge_path (cairo_t *cr, const StudioSceneEdge *e, gboolean curved)
{
  const StudioPoint *p = e->points;
  cairo_move_to (cr, p[0].x, p[0].y);
  for (guint k = 1; k < e->n_points; k++)
    {
      double qy = curved && k + 1 == e->n_points ? p[k].y - SCENE_ARROW_LEN : p[k].y;
      double my = (p[k - 1].y + qy) / 2;
      if (!curved || p[k - 1].x == p[k].x)
        cairo_line_to (cr, p[k].x, qy);
      else
        cairo_curve_to (cr, p[k - 1].x, my, p[k].x, my, p[k].x, qy);
    }
}

static void
arrow_head (cairo_t *cr, const StudioSceneEdge *e)
{
  const StudioPoint *end = &e->points[e->n_points - 1];
  cairo_move_to (cr, end->x, end->y);
  cairo_line_to (cr, end->x - SCENE_ARROW_HALF, end->y - SCENE_ARROW_LEN - 1);
  cairo_line_to (cr, end->x + SCENE_ARROW_HALF, end->y - SCENE_ARROW_LEN - 1);
  cairo_close_path (cr);
  cairo_fill (cr);
}

static void
paint_edges (Painter *p, GArray *edges)
{
  cairo_t *cr = p->cr;
  const StudioScenePalette *pal = &p->style->palette;
  gboolean detailed = p->scale >= DETAIL_SCALE;
  double lw = MAX (1.2, 0.8 / p->scale);
  gint sel = p->style->selected;

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* Ordinary edges share one colour: one path, one stroke. When the gap
   * between layers is under a few pixels they are only a smear over the
   * boxes, and stroking thousands of them would cost most of the frame. */
  set_color (cr, &pal->fg, pal->dark ? 0.35 : 0.3);
  cairo_set_line_width (cr, detailed ? lw : 1.0 / p->scale);
  for (guint k = 0; p->scale >= MIN_EDGE_SCALE && k < edges->len; k++)
    {
      const StudioSceneEdge *e = studio_graph_scene_get_edge (p->scene, g_array_index (edges, guint, k));
      if (e->n_points >= 2 && (sel < 0 || ((gint) e->from != sel && (gint) e->to != sel)))
        edge_path (cr, e, detailed);
    }
  cairo_stroke (cr);
  if (detailed)
    for (guint k = 0; k < edges->len; k++)
      {
        const StudioSceneEdge *e = studio_graph_scene_get_edge (p->scene, g_array_index (edges, guint, k));
        if (e->n_points >= 2 && (sel < 0 || ((gint) e->from != sel && (gint) e->to != sel)))
          arrow_head (cr, e);
      }
  /* The selection's edges on top, in the accent colour. */
  set_color (cr, &pal->accent, 1.0);
  cairo_set_line_width (cr, detailed ? lw * 1.8 : 2.0 / p->scale);
  for (guint k = 0; sel >= 0 && k < edges->len; k++)
    {
      const StudioSceneEdge *e = studio_graph_scene_get_edge (p->scene, g_array_index (edges, guint, k));
      if (e->n_points < 2 || ((gint) e->from != sel && (gint) e->to != sel))
        continue;
      edge_path (cr, e, detailed);
      cairo_stroke (cr);
      if (detailed)
        arrow_head (cr, e);
    }
}

/* ---- decorations ----------------------------------------------------------- */

/* A dashed cut line across the node's outgoing edges, with scissors. */
static void
paint_split_key (Painter *p, const graphene_rect_t *r)
{
  cairo_t *cr = p->cr;
  double y = r->origin.y + r->size.height + 12, x0 = r->origin.x - 14, x1 = r->origin.x + r->size.width + 14;
  double hair = 1.0 / p->scale;
  double dash[] = { 6, 4 };

  set_color (cr, &key_color, 1.0);
  cairo_set_line_width (cr, MAX (2.0, 2 * hair));
  if (p->scale >= DETAIL_SCALE)
    cairo_set_dash (cr, dash, 2, 0);
  cairo_move_to (cr, x0 + 12, y);
  cairo_line_to (cr, x1, y);
  cairo_stroke (cr);
  cairo_set_dash (cr, NULL, 0, 0);
  /* Scissors: two rings and two crossing blades, pointing along the cut. */
  cairo_set_line_width (cr, MAX (1.5, 1.5 * hair));
  cairo_new_sub_path (cr);
  cairo_arc (cr, x0, y - 3.5, 2.5, 0, 2 * G_PI);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x0, y + 3.5, 2.5, 0, 2 * G_PI);
  cairo_move_to (cr, x0 + 2, y - 2);
  cairo_line_to (cr, x0 + 10, y + 2.5);
  cairo_move_to (cr, x0 + 2, y + 2);
  cairo_line_to (cr, x0 + 10, y - 2.5);
  cairo_stroke (cr);
}

/* A dot in the top right corner: the threshold was set by hand. */
static void
paint_override (Painter *p, const graphene_rect_t *r)
{
  double radius = MAX (4.0, 3.0 / p->scale);
  cairo_new_sub_path (p->cr);
  cairo_arc (p->cr, r->origin.x + r->size.width - 9, r->origin.y + 9, radius, 0, 2 * G_PI);
  set_color (p->cr, &override_color, 1.0);
  cairo_fill_preserve (p->cr);
  set_color (p->cr, &p->style->palette.card, 1.0);
  cairo_set_line_width (p->cr, MAX (1.5, 1.0 / p->scale));
  cairo_stroke (p->cr);
}

/* Search hits get a halo that stays visible however far out the view is. */
static void
paint_match (Painter *p, const graphene_rect_t *r, gboolean current)
{
  double grow = MAX (5.0, (current ? 5.0 : 3.5) / p->scale);
  rounded_rect (p->cr, r->origin.x - grow, r->origin.y - grow, r->size.width + 2 * grow, r->size.height + 2 * grow,
                SCENE_RADIUS + grow);
  set_color (p->cr, current ? &current_color : &match_color, current ? 0.9 : 0.75);
  cairo_fill (p->cr);
}

/* ---- boxes ----------------------------------------------------------------- */

static void
paint_text (Painter *p, const StudioSceneNode *sn)
{
  const StudioGraphScene *self = p->scene;
  PangoLayout *layout = p->layout;
  cairo_t *cr = p->cr;
  const StudioScenePalette *pal = &p->style->palette;
  const graphene_rect_t *r = &sn->rect;
  double x = r->origin.x + SCENE_ACCENT_W + SCENE_PAD_X;
  double width = r->size.width - SCENE_ACCENT_W - 2 * SCENE_PAD_X;
  int title_h;

  if (sn->family == STUDIO_OP_FAMILY_INPUT)
    x = r->origin.x + SCENE_PAD_X + r->size.height / 4, width -= r->size.height / 4;
  pango_layout_set_width (layout,
                          (int) ((sn->detail ? width - sn->detail_width - SCENE_DETAIL_GAP : width) * PANGO_SCALE));
  pango_layout_set_font_description (layout, self->title_font);
  pango_layout_set_text (layout, sn->title, -1);
  pango_layout_get_pixel_size (layout, NULL, &title_h);
  set_color (cr, &pal->fg, 0.95);
  cairo_move_to (cr, x, r->origin.y + SCENE_PAD_Y);
  pango_cairo_show_layout (cr, layout);

  pango_layout_set_font_description (layout, self->subtitle_font);
  if (sn->detail)
    {
      int detail_h;
      pango_layout_set_width (layout, (int) (sn->detail_width * PANGO_SCALE));
      pango_layout_set_text (layout, sn->detail, -1);
      pango_layout_get_pixel_size (layout, NULL, &detail_h);
      set_color (cr, &pal->fg, 0.6);
      /* baseline-ish alignment with the bolder, taller title */
      cairo_move_to (cr, x + width - sn->detail_width, r->origin.y + SCENE_PAD_Y + title_h - detail_h);
      pango_cairo_show_layout (cr, layout);
    }
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));
  pango_layout_set_text (layout, sn->subtitle, -1);
  set_color (cr, &pal->fg, 0.6);
  cairo_move_to (cr, x, r->origin.y + SCENE_PAD_Y + title_h + SCENE_LINE_GAP);
  pango_cairo_show_layout (cr, layout);
}

/* How strongly the card is tinted: enough to tell hues apart at a glance,
 * light enough to keep the text readable. An overlay is the point of the
 * view, so it is stronger. */
static const GdkRGBA *
tint_of (Painter *p, const StudioSceneNode *sn, guint i, double *alpha)
{
  const StudioSceneStyle *style = p->style;
  guint8 m = marks_of (style, i);
  gboolean dark = style->palette.dark;

  if (style->colors && style->colors[i].alpha > 0)
    {
      *alpha = dark ? 0.38 : 0.42;
      return &style->colors[i];
    }
  if (!style->colors && (m & (STUDIO_SCENE_MARK_BASE | STUDIO_SCENE_MARK_TOP)))
    {
      *alpha = dark ? 0.22 : 0.16;
      return m & STUDIO_SCENE_MARK_TOP ? &top_color : &base_color;
    }
  *alpha = sn->family == STUDIO_OP_FAMILY_INPUT ? 0.22 : (dark ? 0.14 : 0.08);
  return accent_of (style, sn, i);
}

static void
paint_card (Painter *p, const StudioSceneNode *sn, guint i, double x, double y, double w, double h, double radius)
{
  cairo_t *cr = p->cr;
  double alpha;
  const GdkRGBA *tint = tint_of (p, sn, i, &alpha);

  if (p->scale > 0.35)
    {
      rounded_rect (cr, x, y + 1.5, w, h, radius);
      cairo_set_source_rgba (cr, 0, 0, 0, p->style->palette.dark ? 0.35 : 0.07);
      cairo_fill (cr);
    }
  rounded_rect (cr, x, y, w, h, radius);
  set_color (cr, &p->style->palette.card, 1.0);
  cairo_fill_preserve (cr);
  set_color (cr, tint, alpha);
  cairo_fill (cr);
}

static void
paint_node (Painter *p, const StudioSceneNode *sn, guint i)
{
  cairo_t *cr = p->cr;
  const StudioScenePalette *pal = &p->style->palette;
  const GdkRGBA *c = accent_of (p->style, sn, i);
  guint8 marks = marks_of (p->style, i);
  double x = sn->rect.origin.x, y = sn->rect.origin.y;
  double w = sn->rect.size.width, h = sn->rect.size.height;
  double radius = sn->family == STUDIO_OP_FAMILY_INPUT ? h / 2 : SCENE_RADIUS;
  double hair = 1.0 / p->scale;

  if (marks & STUDIO_SCENE_MARK_MATCH)
    paint_match (p, &sn->rect, marks & STUDIO_SCENE_MARK_CURRENT);
  if (sn->group >= 0)
    {
      /* A collapsed group: a second card peeking out behind the first. */
      paint_card (p, sn, i, x + SCENE_STACK_OFFSET, y + SCENE_STACK_OFFSET, w, h, radius);
      rounded_rect (cr, x + SCENE_STACK_OFFSET + 0.5, y + SCENE_STACK_OFFSET + 0.5, w - 1, h - 1, radius);
      set_color (cr, c, pal->dark ? 0.6 : 0.45);
      cairo_set_line_width (cr, MAX (1.0, hair));
      cairo_stroke (cr);
    }
  paint_card (p, sn, i, x, y, w, h, radius);
  if (sn->family != STUDIO_OP_FAMILY_INPUT)
    {
      cairo_save (cr);
      rounded_rect (cr, x, y, w, h, radius);
      cairo_clip (cr);
      cairo_rectangle (cr, x, y, SCENE_ACCENT_W, h);
      set_color (cr, c, 1.0);
      cairo_fill (cr);
      cairo_restore (cr);
    }
  if ((gint) i == p->style->selected)
    {
      rounded_rect (cr, x - 2.5, y - 2.5, w + 5, h + 5, radius + 2.5);
      set_color (cr, &pal->accent, 1.0);
      cairo_set_line_width (cr, MAX (2.0, 1.5 * hair));
    }
  else
    {
      rounded_rect (cr, x + 0.5, y + 0.5, w - 1, h - 1, radius);
      set_color (cr, c, pal->dark ? 0.6 : 0.45);
      cairo_set_line_width (cr, MAX (1.0, hair));
    }
  cairo_stroke (cr);

  if (p->scene->font_px * p->scale >= MIN_TEXT_PX)
    paint_text (p, sn);
  if (marks & STUDIO_SCENE_MARK_OVERRIDE)
    paint_override (p, &sn->rect);
  if (marks & STUDIO_SCENE_MARK_SPLIT_KEY)
    paint_split_key (p, &sn->rect);
}

static const GdkRGBA *
simple_color (Painter *p, const StudioSceneNode *sn, guint i)
{
  guint8 marks = marks_of (p->style, i);
  if (!p->style->colors && (marks & (STUDIO_SCENE_MARK_BASE | STUDIO_SCENE_MARK_TOP)))
    return marks & STUDIO_SCENE_MARK_TOP ? &top_color : &base_color;
  return accent_of (p->style, sn, i);
}

/* Far out: one flat rectangle per box, filled in its hue. Boxes of one
 * colour go into one path and one fill, since thousands of separate
 * fills are what made the whole-graph view slow; halos first (beneath),
 * marks last (on top). */
static void
paint_nodes_simple (Painter *p, GArray *nodes)
{
  cairo_t *cr = p->cr;
  g_autoptr (GPtrArray) colors = g_ptr_array_new ();
  g_autofree guint *color_of = g_new (guint, MAX (nodes->len, 1));
  double alpha = p->style->colors ? 0.95 : 0.75;

  for (guint k = 0; k < nodes->len; k++)
    {
      guint i = g_array_index (nodes, guint, k);
      const StudioSceneNode *sn = studio_graph_scene_get_node (p->scene, i);
      const GdkRGBA *c = simple_color (p, sn, i);
      guint slot = 0;
      if (marks_of (p->style, i) & STUDIO_SCENE_MARK_MATCH)
        paint_match (p, &sn->rect, marks_of (p->style, i) & STUDIO_SCENE_MARK_CURRENT);
      while (slot < colors->len && !gdk_rgba_equal (g_ptr_array_index (colors, slot), c))
        slot++;
      if (slot == colors->len)
        g_ptr_array_add (colors, (gpointer) c);
      color_of[k] = slot;
    }
  for (guint slot = 0; slot < colors->len; slot++)
    {
      for (guint k = 0; k < nodes->len; k++)
        if (color_of[k] == slot)
          {
            const graphene_rect_t *r = &studio_graph_scene_get_node (p->scene, g_array_index (nodes, guint, k))->rect;
            cairo_rectangle (cr, r->origin.x, r->origin.y, r->size.width, r->size.height);
          }
      set_color (cr, g_ptr_array_index (colors, slot), alpha);
      cairo_fill (cr);
    }
  for (guint k = 0; k < nodes->len; k++)
    {
      guint i = g_array_index (nodes, guint, k);
      const graphene_rect_t *r = &studio_graph_scene_get_node (p->scene, i)->rect;
      guint8 marks = marks_of (p->style, i);
      if ((gint) i == p->style->selected)
        {
          double grow = 2.0 / p->scale;
          cairo_rectangle (cr, r->origin.x - grow, r->origin.y - grow, r->size.width + 2 * grow,
                           r->size.height + 2 * grow);
          set_color (cr, &p->style->palette.accent, 1.0);
          cairo_set_line_width (cr, 2.0 / p->scale);
          cairo_stroke (cr);
        }
      if (marks & STUDIO_SCENE_MARK_OVERRIDE)
        paint_override (p, r);
      if (marks & STUDIO_SCENE_MARK_SPLIT_KEY)
        paint_split_key (p, r);
    }
}

static guint
paint_area (const StudioGraphScene *self, cairo_t *cr, const graphene_rect_t *visible, double scale,
            const StudioSceneStyle *style, gboolean detailed)
{
  g_autoptr (GArray) nodes = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) edges = g_array_new (FALSE, FALSE, sizeof (guint));
  Painter p = { self, cr, scale, style, NULL };

  studio_graph_scene_query (self, visible, nodes, edges);
  if (detailed)
    {
      p.layout = pango_cairo_create_layout (cr);
      studio_graph_scene_unhint (pango_layout_get_context (p.layout));
      pango_layout_context_changed (p.layout);
      pango_layout_set_ellipsize (p.layout, PANGO_ELLIPSIZE_MIDDLE);
      pango_layout_set_single_paragraph_mode (p.layout, TRUE);
    }
  paint_edges (&p, edges);
  if (!detailed)
    paint_nodes_simple (&p, nodes);
  for (guint k = 0; detailed && k < nodes->len; k++)
    {
      guint i = g_array_index (nodes, guint, k);
      paint_node (&p, studio_graph_scene_get_node (self, i), i);
    }
  g_clear_object (&p.layout);
  return nodes->len;
}

guint
studio_graph_scene_paint (const StudioGraphScene *self, cairo_t *cr, const graphene_rect_t *visible, double scale,
                          const StudioSceneStyle *style)
{
  return paint_area (self, cr, visible, scale, style, scale >= DETAIL_SCALE);
}

void
studio_graph_scene_paint_overview (const StudioGraphScene *self, cairo_t *cr, double scale,
                                   const StudioSceneStyle *style)
{
  graphene_rect_t all = GRAPHENE_RECT_INIT (-8, -8, self->width + 16, self->height + 16);
  StudioSceneStyle plain = *style;
  /* Selection and search halos would cover a whole thumbnail: the minimap
   * shows them its own way. */
  plain.selected = -1;
  paint_area (self, cr, &all, scale, &plain, FALSE);
}
