/* studio-graph-scene.c: building, hit testing and painting the canvas scene. */
#include "studio-graph-scene.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

/* Box metrics in world units (1 unit = 1 pixel at 100 %). */
#define PAD_X 12.0
#define PAD_Y 8.0
#define ACCENT_W 4.0
#define LINE_GAP 2.0
#define DETAIL_GAP 12.0
#define MAX_DETAIL_W 90.0
#define MIN_W 112.0
#define MAX_W 240.0
#define RADIUS 8.0
#define NODE_GAP 28.0
#define LAYER_GAP 36.0
#define ARROW_LEN 7.0
#define ARROW_HALF 4.0
/* Below this on-screen font size text is unreadable anyway: skip it. */
#define MIN_TEXT_PX 4.5

struct _StudioGraphScene {
  GArray *nodes;    /* StudioSceneNode */
  GArray *edges;    /* StudioSceneEdge */
  gint *scene_of;   /* per model node */
  guint n_model_nodes;
  double width, height;
  PangoFontDescription *title_font;
  PangoFontDescription *subtitle_font;
  double font_px;
};

/* GNOME HIG palette, one hue per family. */
static const GdkRGBA family_colors[] = {
  [STUDIO_OP_FAMILY_INPUT] = { 0.149, 0.635, 0.412, 1 },      /* green 5 */
  [STUDIO_OP_FAMILY_PARAM] = { 0.604, 0.600, 0.588, 1 },      /* light 5 */
  [STUDIO_OP_FAMILY_COMPUTE] = { 0.208, 0.518, 0.894, 1 },    /* blue 3 */
  [STUDIO_OP_FAMILY_NORM] = { 0.569, 0.255, 0.675, 1 },       /* purple 3 */
  [STUDIO_OP_FAMILY_ACTIVATION] = { 1.000, 0.471, 0.000, 1 }, /* orange 3 */
  [STUDIO_OP_FAMILY_POOL] = { 0.180, 0.761, 0.494, 1 },       /* green 4 */
  [STUDIO_OP_FAMILY_ELEMWISE] = { 0.898, 0.647, 0.039, 1 },   /* yellow 5 */
  [STUDIO_OP_FAMILY_SHAPE] = { 0.596, 0.416, 0.267, 1 },      /* brown 3 */
  [STUDIO_OP_FAMILY_OUTPUT] = { 0.878, 0.106, 0.141, 1 },     /* red 3 */
  [STUDIO_OP_FAMILY_QUANT] = { 0.129, 0.565, 0.643, 1 },      /* teal */
  [STUDIO_OP_FAMILY_OTHER] = { 0.467, 0.463, 0.482, 1 },      /* dark 1 */
};

static const struct {
  const char *name;
  StudioOpFamily family;
} op_families[] = {
  { "Convolution", STUDIO_OP_FAMILY_COMPUTE },     { "Deconvolution", STUDIO_OP_FAMILY_COMPUTE },
  { "FullyConnected", STUDIO_OP_FAMILY_COMPUTE },  { "dot", STUDIO_OP_FAMILY_COMPUTE },
  { "batch_dot", STUDIO_OP_FAMILY_COMPUTE },       { "Embedding", STUDIO_OP_FAMILY_COMPUTE },
  { "BatchNorm", STUDIO_OP_FAMILY_NORM },          { "InstanceNorm", STUDIO_OP_FAMILY_NORM },
  { "LayerNorm", STUDIO_OP_FAMILY_NORM },          { "L2Normalization", STUDIO_OP_FAMILY_NORM },
  { "LRN", STUDIO_OP_FAMILY_NORM },                { "Activation", STUDIO_OP_FAMILY_ACTIVATION },
  { "LeakyReLU", STUDIO_OP_FAMILY_ACTIVATION },    { "relu", STUDIO_OP_FAMILY_ACTIVATION },
  { "sigmoid", STUDIO_OP_FAMILY_ACTIVATION },      { "tanh", STUDIO_OP_FAMILY_ACTIVATION },
  { "softmax", STUDIO_OP_FAMILY_ACTIVATION },      { "log_softmax", STUDIO_OP_FAMILY_ACTIVATION },
  { "SoftmaxActivation", STUDIO_OP_FAMILY_ACTIVATION }, { "clip", STUDIO_OP_FAMILY_ACTIVATION },
  { "Pooling", STUDIO_OP_FAMILY_POOL },            { "UpSampling", STUDIO_OP_FAMILY_POOL },
  { "SoftmaxOutput", STUDIO_OP_FAMILY_OUTPUT },    { "LinearRegressionOutput", STUDIO_OP_FAMILY_OUTPUT },
  { "LogisticRegressionOutput", STUDIO_OP_FAMILY_OUTPUT }, { "MAERegressionOutput", STUDIO_OP_FAMILY_OUTPUT },
  { "Flatten", STUDIO_OP_FAMILY_SHAPE },           { "flatten", STUDIO_OP_FAMILY_SHAPE },
  { "Reshape", STUDIO_OP_FAMILY_SHAPE },           { "reshape", STUDIO_OP_FAMILY_SHAPE },
  { "transpose", STUDIO_OP_FAMILY_SHAPE },         { "Concat", STUDIO_OP_FAMILY_SHAPE },
  { "concat", STUDIO_OP_FAMILY_SHAPE },            { "expand_dims", STUDIO_OP_FAMILY_SHAPE },
  { "squeeze", STUDIO_OP_FAMILY_SHAPE },           { "SliceChannel", STUDIO_OP_FAMILY_SHAPE },
  { "split", STUDIO_OP_FAMILY_SHAPE },             { "repeat", STUDIO_OP_FAMILY_SHAPE },
  { "tile", STUDIO_OP_FAMILY_SHAPE },              { "Dropout", STUDIO_OP_FAMILY_SHAPE },
  { "Cast", STUDIO_OP_FAMILY_SHAPE },              { "stack", STUDIO_OP_FAMILY_SHAPE },
  { "Pad", STUDIO_OP_FAMILY_SHAPE },               { "pad", STUDIO_OP_FAMILY_SHAPE },
  { "_copy", STUDIO_OP_FAMILY_SHAPE },             { "identity", STUDIO_OP_FAMILY_SHAPE },
  { "BlockGrad", STUDIO_OP_FAMILY_SHAPE },         { "add_n", STUDIO_OP_FAMILY_ELEMWISE },
  { "ElementWiseSum", STUDIO_OP_FAMILY_ELEMWISE },
};

static const struct {
  const char *prefix;
  StudioOpFamily family;
} op_prefixes[] = {
  { "cvm_", STUDIO_OP_FAMILY_QUANT },      { "slice", STUDIO_OP_FAMILY_SHAPE },
  { "elemwise_", STUDIO_OP_FAMILY_ELEMWISE }, { "broadcast_", STUDIO_OP_FAMILY_ELEMWISE },
  { "_plus", STUDIO_OP_FAMILY_ELEMWISE },  { "_minus", STUDIO_OP_FAMILY_ELEMWISE },
  { "_mul", STUDIO_OP_FAMILY_ELEMWISE },   { "_div", STUDIO_OP_FAMILY_ELEMWISE },
  { "_rminus", STUDIO_OP_FAMILY_ELEMWISE }, { "_rdiv", STUDIO_OP_FAMILY_ELEMWISE },
  { "_maximum", STUDIO_OP_FAMILY_ELEMWISE }, { "_minimum", STUDIO_OP_FAMILY_ELEMWISE },
  { "sum", STUDIO_OP_FAMILY_ELEMWISE },    { "mean", STUDIO_OP_FAMILY_ELEMWISE },
  { "max", STUDIO_OP_FAMILY_ELEMWISE },    { "min", STUDIO_OP_FAMILY_ELEMWISE },
  { "negative", STUDIO_OP_FAMILY_ELEMWISE }, { "abs", STUDIO_OP_FAMILY_ELEMWISE },
  { "sqrt", STUDIO_OP_FAMILY_ELEMWISE },   { "square", STUDIO_OP_FAMILY_ELEMWISE },
  { "exp", STUDIO_OP_FAMILY_ELEMWISE },    { "log", STUDIO_OP_FAMILY_ELEMWISE },
};

StudioOpFamily
studio_op_family_for (const char *op)
{
  if (g_strcmp0 (op, "null") == 0)
    return STUDIO_OP_FAMILY_INPUT;
  for (guint i = 0; i < G_N_ELEMENTS (op_families); i++)
    if (strcmp (op, op_families[i].name) == 0)
      return op_families[i].family;
  for (guint i = 0; i < G_N_ELEMENTS (op_prefixes); i++)
    if (g_str_has_prefix (op, op_prefixes[i].prefix))
      return op_prefixes[i].family;
  return STUDIO_OP_FAMILY_OTHER;
}

gboolean
studio_graph_scene_is_weight (const MrtModel *model, guint node)
{
  static const char *const suffixes[] = { "_weight", "_bias", "_gamma", "_beta", "_moving_mean",
                                          "_moving_var", "_running_mean", "_running_var" };
  const MrtNode *n = mrt_model_node (model, node);

  if (mrt_model_is_param (model, node))
    return TRUE;
  /* A symbol opened without its .params file has no values at all; fall back
   * to MXNet's naming so weights do not flood the canvas as "inputs". */
  if (!mrt_node_is_variable (n) || g_hash_table_size (model->params) > 0)
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (n->name, suffixes[i]))
      return TRUE;
  return FALSE;
}

/* Hinting off so a text measured here is as wide as it is painted at any
 * zoom level. */
static void
unhint_context (PangoContext *ctx)
{
  cairo_font_options_t *fo = cairo_font_options_create ();
  cairo_font_options_set_hint_metrics (fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style (fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options (ctx, fo);
  cairo_font_options_destroy (fo);
}

static void
set_fonts (StudioGraphScene *self, const PangoFontDescription *font)
{
  gint size = pango_font_description_get_size (font);
  gboolean absolute = pango_font_description_get_size_is_absolute (font);

  if (size <= 0)
    {
      size = 10 * PANGO_SCALE;
      absolute = FALSE;
    }
  self->title_font = pango_font_description_copy (font);
  pango_font_description_set_weight (self->title_font, PANGO_WEIGHT_BOLD);
  self->subtitle_font = pango_font_description_copy (font);
  if (absolute)
    pango_font_description_set_absolute_size (self->subtitle_font, size * 0.85);
  else
    pango_font_description_set_size (self->subtitle_font, (gint) (size * 0.85));
  self->font_px = absolute ? size / (double) PANGO_SCALE : size / (double) PANGO_SCALE * 96.0 / 72.0;
}

static double
text_width (PangoLayout *layout, const PangoFontDescription *font, const char *text, double *height)
{
  PangoRectangle logical;
  pango_layout_set_font_description (layout, font);
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_extents (layout, NULL, &logical);
  if (height)
    *height = ceil (logical.height / (double) PANGO_SCALE);
  return logical.width / (double) PANGO_SCALE;
}

/* Laying out thousands of node names one Pango layout at a time takes
 * hundreds of milliseconds. Names and op names are nearly always printable
 * ASCII, so their width is summed from cached advances, with slack for
 * kerning; only other text goes through Pango. */
typedef struct {
  PangoLayout *layout;
  const PangoFontDescription *font;
  double advance[128];
} Measurer;

static void
measurer_init (Measurer *m, PangoLayout *layout, const PangoFontDescription *font)
{
  m->layout = layout;
  m->font = font;
  for (int c = 32; c < 127; c++)
    {
      char text[2] = { (char) c, 0 };
      m->advance[c] = text_width (layout, font, text, NULL);
    }
}

static double
measure (Measurer *m, const char *text)
{
  double w = 0;
  for (const char *p = text; *p; p++)
    {
      if ((guchar) *p < 32 || (guchar) *p >= 127)
        return ceil (text_width (m->layout, m->font, text, NULL));
      w += m->advance[(guchar) *p];
    }
  return ceil (w * 1.02 + 1);
}

static void
append_window (GString *s, const MrtNode *n, const char *key)
{
  MrtTuple t;
  if (!mrt_node_get_tuple (n, key, &t) || t.n == 0)
    return;
  for (int i = 0; i < t.n; i++)
    g_string_append_printf (s, i ? "×%" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, t.v[i]);
}

static void
append_stride (GString *s, const MrtNode *n)
{
  MrtTuple t;
  if (mrt_node_get_tuple (n, "stride", &t) && t.n > 0 && t.v[0] > 1)
    g_string_append_printf (s, "/%" G_GINT64_FORMAT, t.v[0]);
}

/* The one or two attributes that tell nodes of one op apart at a glance;
 * everything else is in the tooltip. */
static char *
op_summary (const MrtNode *n)
{
  GString *s = g_string_new (NULL);
  const char *op = n->op;

  if (g_str_equal (op, "Convolution") || g_str_equal (op, "Deconvolution"))
    {
      append_window (s, n, "kernel");
      append_stride (s, n);
      if (mrt_node_has_attr (n, "num_filter"))
        g_string_append_printf (s, ", %" G_GINT64_FORMAT, mrt_node_get_int (n, "num_filter", 0));
    }
  else if (g_str_equal (op, "FullyConnected") && mrt_node_has_attr (n, "num_hidden"))
    g_string_append_printf (s, "%" G_GINT64_FORMAT, mrt_node_get_int (n, "num_hidden", 0));
  else if (g_str_equal (op, "Pooling"))
    {
      g_string_append (s, mrt_node_get_string (n, "pool_type", "max"));
      if (mrt_node_get_bool (n, "global_pool", FALSE))
        g_string_append (s, _(" global"));
      else
        {
          g_string_append_c (s, ' ');
          append_window (s, n, "kernel");
          append_stride (s, n);
        }
    }
  else if (g_str_equal (op, "Activation") || g_str_equal (op, "LeakyReLU"))
    g_string_append (s, mrt_node_get_string (n, "act_type", ""));
  else if (g_str_equal (op, "Reshape") || g_str_equal (op, "reshape"))
    g_string_append (s, mrt_node_get_string (n, "shape", ""));
  else if (g_str_has_suffix (op, "_scalar"))
    g_string_append (s, mrt_node_get_string (n, "scalar", ""));
  else if (g_str_equal (op, "Dropout"))
    g_string_append (s, mrt_node_get_string (n, "p", ""));
  g_strstrip (s->str);
  return g_string_free (s, s->str[0] == '\0');
}

static void
describe_node (const MrtModel *model, guint i, StudioSceneNode *sn)
{
  const MrtNode *n = mrt_model_node (model, i);
  MrtTensor *value;

  sn->node = i;
  sn->subtitle = g_strdup (n->name);
  if (!mrt_node_is_variable (n))
    {
      sn->family = studio_op_family_for (n->op);
      sn->title = g_strdup (n->op);
      sn->detail = op_summary (n);
    }
  else if (studio_graph_scene_is_weight (model, i))
    {
      value = mrt_model_get_param (model, n->name);
      sn->family = STUDIO_OP_FAMILY_PARAM;
      sn->title = value ? mrt_shape_to_string (&value->shape) : g_strdup (_("Parameter"));
    }
  else
    {
      sn->family = STUDIO_OP_FAMILY_INPUT;
      sn->title = g_strdup (_("Input"));
    }
}

static void
scene_node_clear (gpointer p)
{
  StudioSceneNode *sn = p;
  g_free (sn->title);
  g_free (sn->subtitle);
  g_free (sn->detail);
}

static void
scene_edge_clear (gpointer p)
{
  g_free (((StudioSceneEdge *) p)->points);
}

static void
add_edges (StudioGraphScene *self, const MrtModel *model, StudioLayout *layout)
{
  for (guint s = 0; s < self->nodes->len; s++)
    {
      const MrtNode *n = mrt_model_node (model, g_array_index (self->nodes, StudioSceneNode, s).node);
      for (guint j = 0; j < n->n_inputs; j++)
        {
          gint from = self->scene_of[n->inputs[j].node];
          if (from < 0)
            continue;
          StudioSceneEdge e = { (guint) from, s, NULL, 0, GRAPHENE_RECT_INIT (0, 0, 0, 0) };
          g_array_append_val (self->edges, e);
          studio_layout_add_edge (layout, (guint) from, s);
        }
    }
}

static void
take_results (StudioGraphScene *self, StudioLayout *layout)
{
  studio_layout_get_size (layout, &self->width, &self->height);
  for (guint s = 0; s < self->nodes->len; s++)
    {
      StudioSceneNode *sn = &g_array_index (self->nodes, StudioSceneNode, s);
      double x, y;
      studio_layout_get_node_position (layout, s, &x, &y);
      sn->rect.origin.x = x;
      sn->rect.origin.y = y;
    }
  for (guint k = 0; k < self->edges->len; k++)
    {
      StudioSceneEdge *e = &g_array_index (self->edges, StudioSceneEdge, k);
      const StudioPoint *pts = studio_layout_get_edge_points (layout, k, &e->n_points);
      double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
      e->points = g_memdup2 (pts, sizeof (StudioPoint) * e->n_points);
      for (guint p = 0; p < e->n_points; p++)
        {
          x0 = MIN (x0, pts[p].x), x1 = MAX (x1, pts[p].x);
          y0 = MIN (y0, pts[p].y), y1 = MAX (y1, pts[p].y);
        }
      /* Margin for the arrow head and the line width. */
      if (e->n_points)
        graphene_rect_init (&e->bounds, x0 - ARROW_HALF - 2, y0 - 2, x1 - x0 + 2 * ARROW_HALF + 4, y1 - y0 + 4);
    }
}

StudioGraphScene *
studio_graph_scene_new (const MrtModel *model, gboolean show_params, const PangoFontDescription *font)
{
  StudioGraphScene *self = g_new0 (StudioGraphScene, 1);
  PangoContext *ctx = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  PangoLayout *layout;
  g_autoptr (StudioLayout) graph = studio_layout_new ();
  double title_h = 0, subtitle_h = 0, box_h;
  Measurer title_m, subtitle_m;

  set_fonts (self, font);
  unhint_context (ctx);
  layout = pango_layout_new (ctx);
  text_width (layout, self->title_font, "Ag", &title_h);
  text_width (layout, self->subtitle_font, "Ag", &subtitle_h);
  box_h = ceil (PAD_Y * 2 + title_h + LINE_GAP + subtitle_h);
  measurer_init (&title_m, layout, self->title_font);
  measurer_init (&subtitle_m, layout, self->subtitle_font);

  self->nodes = g_array_new (FALSE, TRUE, sizeof (StudioSceneNode));
  g_array_set_clear_func (self->nodes, scene_node_clear);
  self->edges = g_array_new (FALSE, TRUE, sizeof (StudioSceneEdge));
  g_array_set_clear_func (self->edges, scene_edge_clear);
  self->n_model_nodes = mrt_model_n_nodes (model);
  self->scene_of = g_new (gint, MAX (self->n_model_nodes, 1));
  studio_layout_set_spacing (graph, NODE_GAP, LAYER_GAP);

  for (guint i = 0; i < self->n_model_nodes; i++)
    {
      StudioSceneNode sn = { 0 };
      double w;
      self->scene_of[i] = -1;
      if (!show_params && studio_graph_scene_is_weight (model, i))
        continue;
      describe_node (model, i, &sn);
      w = measure (&title_m, sn.title);
      if (sn.detail)
        {
          sn.detail_width = MIN (measure (&subtitle_m, sn.detail), MAX_DETAIL_W);
          w += DETAIL_GAP + sn.detail_width;
        }
      w = MAX (w, measure (&subtitle_m, sn.subtitle));
      w = CLAMP (ceil (w + 2 * PAD_X + ACCENT_W), MIN_W, MAX_W);
      graphene_rect_init (&sn.rect, 0, 0, w, box_h);
      self->scene_of[i] = (gint) self->nodes->len;
      g_array_append_val (self->nodes, sn);
      studio_layout_add_node (graph, w, box_h);
    }
  add_edges (self, model, graph);
  studio_layout_run (graph);
  take_results (self, graph);
  g_object_unref (layout);
  g_object_unref (ctx);
  return self;
}

void
studio_graph_scene_free (StudioGraphScene *self)
{
  if (!self)
    return;
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self->scene_of);
  pango_font_description_free (self->title_font);
  pango_font_description_free (self->subtitle_font);
  g_free (self);
}

guint
studio_graph_scene_get_n_nodes (const StudioGraphScene *self)
{
  return self->nodes->len;
}

const StudioSceneNode *
studio_graph_scene_get_node (const StudioGraphScene *self, guint i)
{
  g_return_val_if_fail (i < self->nodes->len, NULL);
  return &g_array_index (self->nodes, StudioSceneNode, i);
}

gint
studio_graph_scene_lookup (const StudioGraphScene *self, guint model_node)
{
  return model_node < self->n_model_nodes ? self->scene_of[model_node] : -1;
}

guint
studio_graph_scene_get_n_edges (const StudioGraphScene *self)
{
  return self->edges->len;
}

const StudioSceneEdge *
studio_graph_scene_get_edge (const StudioGraphScene *self, guint i)
{
  g_return_val_if_fail (i < self->edges->len, NULL);
  return &g_array_index (self->edges, StudioSceneEdge, i);
}

void
studio_graph_scene_get_size (const StudioGraphScene *self, double *width, double *height)
{
  *width = self->width;
  *height = self->height;
}

gint
studio_graph_scene_hit (const StudioGraphScene *self, double x, double y)
{
  graphene_point_t p = GRAPHENE_POINT_INIT (x, y);
  for (guint i = 0; i < self->nodes->len; i++)
    if (graphene_rect_contains_point (&g_array_index (self->nodes, StudioSceneNode, i).rect, &p))
      return (gint) i;
  return -1;
}

/* ---- painting ------------------------------------------------------------ */

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

/* Vertical S-curves between consecutive points: tangents are vertical at every
 * point, so chains through dummy vertices join smoothly. The last segment
 * stops short so the arrow tip is not covered by the line. */
static void
edge_path (cairo_t *cr, const StudioSceneEdge *e)
{
  const StudioPoint *p = e->points;
  cairo_move_to (cr, p[0].x, p[0].y);
  for (guint k = 1; k < e->n_points; k++)
    {
      double qy = k + 1 == e->n_points ? p[k].y - ARROW_LEN : p[k].y;
      double my = (p[k - 1].y + qy) / 2;
      if (p[k - 1].x == p[k].x)
        cairo_line_to (cr, p[k].x, qy);
      else
        cairo_curve_to (cr, p[k - 1].x, my, p[k].x, my, p[k].x, qy);
    }
}

static void
paint_edges (const StudioGraphScene *self, cairo_t *cr, const graphene_rect_t *visible, double scale,
             const StudioScenePalette *pal, gint selected)
{
  double lw = MAX (1.2, 0.8 / scale);

  cairo_set_line_cap (cr, CAIRO_LINE_CAP_ROUND);
  for (int pass = 0; pass < 2; pass++)
    for (guint k = 0; k < self->edges->len; k++)
      {
        const StudioSceneEdge *e = &g_array_index (self->edges, StudioSceneEdge, k);
        gboolean hot = selected >= 0 && ((gint) e->from == selected || (gint) e->to == selected);
        const StudioPoint *end;
        /* Highlighted edges go in a second pass so they stay on top. */
        if (e->n_points < 2 || hot != (pass == 1) || !graphene_rect_intersection (&e->bounds, visible, NULL))
          continue;
        end = &e->points[e->n_points - 1];
        if (hot)
          set_color (cr, &pal->accent, 1.0);
        else
          set_color (cr, &pal->fg, pal->dark ? 0.35 : 0.3);
        cairo_set_line_width (cr, hot ? lw * 1.8 : lw);
        edge_path (cr, e);
        cairo_stroke (cr);
        cairo_move_to (cr, end->x, end->y);
        cairo_line_to (cr, end->x - ARROW_HALF, end->y - ARROW_LEN - 1);
        cairo_line_to (cr, end->x + ARROW_HALF, end->y - ARROW_LEN - 1);
        cairo_close_path (cr);
        cairo_fill (cr);
      }
}

static void
paint_text (const StudioGraphScene *self, cairo_t *cr, PangoLayout *layout, const StudioSceneNode *sn,
            const StudioScenePalette *pal)
{
  const graphene_rect_t *r = &sn->rect;
  double x = r->origin.x + ACCENT_W + PAD_X;
  double width = r->size.width - ACCENT_W - 2 * PAD_X;
  int title_h;

  if (sn->family == STUDIO_OP_FAMILY_INPUT)
    x = r->origin.x + PAD_X + r->size.height / 4, width -= r->size.height / 4;
  pango_layout_set_width (layout, (int) ((sn->detail ? width - sn->detail_width - DETAIL_GAP : width) * PANGO_SCALE));
  pango_layout_set_font_description (layout, self->title_font);
  pango_layout_set_text (layout, sn->title, -1);
  pango_layout_get_pixel_size (layout, NULL, &title_h);
  set_color (cr, &pal->fg, 0.95);
  cairo_move_to (cr, x, r->origin.y + PAD_Y);
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
      cairo_move_to (cr, x + width - sn->detail_width, r->origin.y + PAD_Y + title_h - detail_h);
      pango_cairo_show_layout (cr, layout);
    }
  pango_layout_set_width (layout, (int) (width * PANGO_SCALE));

  pango_layout_set_text (layout, sn->subtitle, -1);
  set_color (cr, &pal->fg, 0.6);
  cairo_move_to (cr, x, r->origin.y + PAD_Y + title_h + LINE_GAP);
  pango_cairo_show_layout (cr, layout);
}

static void
paint_node (const StudioGraphScene *self, cairo_t *cr, PangoLayout *layout, const StudioSceneNode *sn,
            double scale, const StudioScenePalette *pal, gboolean is_selected)
{
  const GdkRGBA *c = &family_colors[sn->family];
  double x = sn->rect.origin.x, y = sn->rect.origin.y;
  double w = sn->rect.size.width, h = sn->rect.size.height;
  double radius = sn->family == STUDIO_OP_FAMILY_INPUT ? h / 2 : RADIUS;
  double hair = 1.0 / scale;

  if (scale > 0.35)
    {
      rounded_rect (cr, x, y + 1.5, w, h, radius);
      cairo_set_source_rgba (cr, 0, 0, 0, pal->dark ? 0.35 : 0.07);
      cairo_fill (cr);
    }
  rounded_rect (cr, x, y, w, h, radius);
  set_color (cr, &pal->card, 1.0);
  cairo_fill_preserve (cr);
  /* A faint tint of the family hue, strong enough to tell families apart at
   * a glance, light enough to keep the text readable. */
  set_color (cr, c, sn->family == STUDIO_OP_FAMILY_INPUT ? 0.22 : (pal->dark ? 0.14 : 0.08));
  cairo_fill (cr);

  if (sn->family != STUDIO_OP_FAMILY_INPUT)
    {
      cairo_save (cr);
      rounded_rect (cr, x, y, w, h, radius);
      cairo_clip (cr);
      cairo_rectangle (cr, x, y, ACCENT_W, h);
      set_color (cr, c, 1.0);
      cairo_fill (cr);
      cairo_restore (cr);
    }

  if (is_selected)
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

  if (self->font_px * scale >= MIN_TEXT_PX)
    paint_text (self, cr, layout, sn, pal);
}

guint
studio_graph_scene_paint (const StudioGraphScene *self, cairo_t *cr, const graphene_rect_t *visible,
                          double scale, const StudioScenePalette *pal, gint selected)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  guint drawn = 0;

  unhint_context (pango_layout_get_context (layout));
  pango_layout_context_changed (layout);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_MIDDLE);
  pango_layout_set_single_paragraph_mode (layout, TRUE);

  paint_edges (self, cr, visible, scale, pal, selected);
  for (guint i = 0; i < self->nodes->len; i++)
    {
      const StudioSceneNode *sn = &g_array_index (self->nodes, StudioSceneNode, i);
      if (!graphene_rect_intersection (&sn->rect, visible, NULL))
        continue;
      paint_node (self, cr, layout, sn, scale, pal, (gint) i == selected);
      drawn++;
    }
  g_object_unref (layout);
  return drawn;
}
