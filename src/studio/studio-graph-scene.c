/* studio-graph-scene.c: building the canvas scene (boxes, collapsed
 * groups, layout, the spatial index) and hit testing. Painting is in
 * studio-graph-scene-paint.c. */
#include "config.h"

#include "studio-graph-scene-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>

#define MAX_DETAIL_W 90.0
#define MIN_W 112.0
#define MAX_W 240.0
#define NODE_GAP 28.0
#define LAYER_GAP 36.0
#define SCENE_BAND 512.0

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
  [STUDIO_OP_FAMILY_GROUP] = { 0.239, 0.220, 0.275, 1 },      /* dark 3 */
};

const GdkRGBA *
studio_op_family_color (StudioOpFamily family)
{
  g_return_val_if_fail (family < STUDIO_N_OP_FAMILIES, &family_colors[STUDIO_OP_FAMILY_OTHER]);
  return &family_colors[family];
}

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
void
studio_graph_scene_unhint (PangoContext *ctx)
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
  sn->group = -1;
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

/* One edge per pair of boxes: inputs inside a collapsed group vanish, and
 * several edges between a group and one neighbour merge into one. */
static void
add_edges (StudioGraphScene *self, const MrtModel *model, StudioLayout *layout)
{
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);

  for (guint i = 0; i < self->n_model_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      gint to = self->scene_of[i];
      if (to < 0)
        continue;
      for (guint j = 0; j < n->n_inputs; j++)
        {
          gint from = self->scene_of[n->inputs[j].node];
          gint64 key;
          if (from < 0 || from == to)
            continue;
          /* Only edges at a group box can repeat. */
          key = ((gint64) from << 32) | (guint) to;
          if (g_array_index (self->nodes, StudioSceneNode, to).group >= 0 ||
              g_array_index (self->nodes, StudioSceneNode, from).group >= 0)
            {
              if (g_hash_table_contains (seen, &key))
                continue;
              g_hash_table_add (seen, g_memdup2 (&key, sizeof key));
            }
          StudioSceneEdge e = { (guint) from, (guint) to, NULL, 0, GRAPHENE_RECT_INIT (0, 0, 0, 0) };
          g_array_append_val (self->edges, e);
          studio_layout_add_edge (layout, (guint) from, (guint) to);
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
        graphene_rect_init (&e->bounds, x0 - SCENE_ARROW_HALF - 2, y0 - 2, x1 - x0 + 2 * SCENE_ARROW_HALF + 4,
                            y1 - y0 + 4);
    }
}

static void
describe_group (const StudioGraphGroups *groups, guint g, StudioSceneNode *sn)
{
  guint n_ops = studio_graph_groups_get_n_ops (groups, g);
  sn->node = studio_graph_groups_get_last (groups, g);
  sn->group = (gint) g;
  sn->family = STUDIO_OP_FAMILY_GROUP;
  sn->title = g_strdup (studio_graph_groups_get_name (groups, g));
  sn->subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u operator", "%u operators", n_ops), n_ops);
}

typedef struct {
  Measurer title, subtitle;
  double box_h;
} Metrics;

static double
box_width (Metrics *m, StudioSceneNode *sn)
{
  double w = measure (&m->title, sn->title);
  if (sn->detail)
    {
      sn->detail_width = MIN (measure (&m->subtitle, sn->detail), MAX_DETAIL_W);
      w += SCENE_DETAIL_GAP + sn->detail_width;
    }
  w = MAX (w, measure (&m->subtitle, sn->subtitle));
  return CLAMP (ceil (w + 2 * SCENE_PAD_X + SCENE_ACCENT_W), MIN_W, MAX_W);
}

static void
add_boxes (StudioGraphScene *self, const MrtModel *model, gboolean show_params, const StudioGraphGroups *groups,
           const gboolean *collapsed, Metrics *m, StudioLayout *graph)
{
  guint n_groups = groups ? studio_graph_groups_get_n (groups) : 0;
  g_autofree gint *group_box = g_new (gint, MAX (n_groups, 1));

  for (guint g = 0; g < n_groups; g++)
    group_box[g] = -1;
  for (guint i = 0; i < self->n_model_nodes; i++)
    {
      StudioSceneNode sn = { .group = -1 };
      gint g = groups ? studio_graph_groups_box_of (groups, i, collapsed) : -1;
      self->scene_of[i] = -1;
      if (!show_params && studio_graph_scene_is_weight (model, i))
        continue;
      if (g >= 0)
        {
          /* The group's box takes the place of its first shown member, so
           * the initial order still follows the model. */
          if (group_box[g] >= 0)
            {
              self->scene_of[i] = group_box[g];
              continue;
            }
          describe_group (groups, (guint) g, &sn);
          group_box[g] = (gint) self->nodes->len;
        }
      else
        describe_node (model, i, &sn);
      graphene_rect_init (&sn.rect, 0, 0, box_width (m, &sn), m->box_h);
      self->scene_of[i] = (gint) self->nodes->len;
      g_array_append_val (self->nodes, sn);
      studio_layout_add_node (graph, sn.rect.size.width, m->box_h);
    }
}

StudioGraphScene *
studio_graph_scene_new (const MrtModel *model, gboolean show_params, const StudioGraphGroups *groups,
                        const gboolean *collapsed, const PangoFontDescription *font)
{
  StudioGraphScene *self = g_new0 (StudioGraphScene, 1);
  PangoContext *ctx = pango_font_map_create_context (pango_cairo_font_map_get_default ());
  PangoLayout *layout;
  g_autoptr (StudioLayout) graph = studio_layout_new ();
  double title_h = 0, subtitle_h = 0;
  Metrics m;

  set_fonts (self, font);
  studio_graph_scene_unhint (ctx);
  layout = pango_layout_new (ctx);
  text_width (layout, self->title_font, "Ag", &title_h);
  text_width (layout, self->subtitle_font, "Ag", &subtitle_h);
  m.box_h = ceil (SCENE_PAD_Y * 2 + title_h + SCENE_LINE_GAP + subtitle_h);
  measurer_init (&m.title, layout, self->title_font);
  measurer_init (&m.subtitle, layout, self->subtitle_font);

  self->nodes = g_array_new (FALSE, TRUE, sizeof (StudioSceneNode));
  g_array_set_clear_func (self->nodes, scene_node_clear);
  self->edges = g_array_new (FALSE, TRUE, sizeof (StudioSceneEdge));
  g_array_set_clear_func (self->edges, scene_edge_clear);
  self->n_model_nodes = mrt_model_n_nodes (model);
  self->scene_of = g_new (gint, MAX (self->n_model_nodes, 1));
  studio_layout_set_spacing (graph, NODE_GAP, LAYER_GAP);

  add_boxes (self, model, show_params, groups, collapsed, &m, graph);
  add_edges (self, model, graph);
  studio_layout_run (graph);
  take_results (self, graph);
  studio_graph_scene_build_index (self);
  g_object_unref (layout);
  g_object_unref (ctx);
  return self;
}

void
studio_graph_scene_free (StudioGraphScene *self)
{
  if (!self)
    return;
  for (guint b = 0; b < self->n_bands; b++)
    {
      g_array_unref (self->band_nodes[b]);
      g_array_unref (self->band_edges[b]);
    }
  g_free (self->band_nodes);
  g_free (self->band_edges);
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self->scene_of);
  pango_font_description_free (self->title_font);
  pango_font_description_free (self->subtitle_font);
  g_free (self);
}

/* ---- spatial index -------------------------------------------------------- */

static guint
band_of (const StudioGraphScene *self, double y)
{
  if (y <= 0)
    return 0;
  return MIN ((guint) (y / SCENE_BAND), self->n_bands - 1);
}

static void
index_rect (StudioGraphScene *self, GArray **bands, const graphene_rect_t *r, guint id)
{
  guint b1 = band_of (self, r->origin.y + r->size.height);
  for (guint b = band_of (self, r->origin.y); b <= b1; b++)
    g_array_append_val (bands[b], id);
}

void
studio_graph_scene_build_index (StudioGraphScene *self)
{
  self->n_bands = (guint) (self->height / SCENE_BAND) + 1;
  self->band_nodes = g_new (GArray *, self->n_bands);
  self->band_edges = g_new (GArray *, self->n_bands);
  for (guint b = 0; b < self->n_bands; b++)
    {
      self->band_nodes[b] = g_array_new (FALSE, FALSE, sizeof (guint));
      self->band_edges[b] = g_array_new (FALSE, FALSE, sizeof (guint));
    }
  for (guint i = 0; i < self->nodes->len; i++)
    index_rect (self, self->band_nodes, &g_array_index (self->nodes, StudioSceneNode, i).rect, i);
  for (guint k = 0; k < self->edges->len; k++)
    {
      StudioSceneEdge *e = &g_array_index (self->edges, StudioSceneEdge, k);
      if (e->n_points)
        index_rect (self, self->band_edges, &e->bounds, k);
    }
}

/* An item reaching into several queried bands is reported from the first
 * of them only, which needs no "seen" set. */
static void
query_bands (const StudioGraphScene *self, GArray **bands, const graphene_rect_t *area, GArray *out,
             const graphene_rect_t *(*bounds) (const StudioGraphScene *, guint))
{
  guint b0 = band_of (self, area->origin.y), b1 = band_of (self, area->origin.y + area->size.height);
  g_array_set_size (out, 0);
  if (area->origin.y + area->size.height < 0 || area->origin.y > self->height)
    return;
  for (guint b = b0; b <= b1; b++)
    for (guint k = 0; k < bands[b]->len; k++)
      {
        guint id = g_array_index (bands[b], guint, k);
        const graphene_rect_t *r = bounds (self, id);
        if (MAX (band_of (self, r->origin.y), b0) == b && graphene_rect_intersection (r, area, NULL))
          g_array_append_val (out, id);
      }
}

static const graphene_rect_t *
node_bounds (const StudioGraphScene *self, guint i)
{
  return &g_array_index (self->nodes, StudioSceneNode, i).rect;
}

static const graphene_rect_t *
edge_bounds (const StudioGraphScene *self, guint k)
{
  return &g_array_index (self->edges, StudioSceneEdge, k).bounds;
}

void
studio_graph_scene_query (const StudioGraphScene *self, const graphene_rect_t *area, GArray *nodes, GArray *edges)
{
  if (nodes)
    query_bands (self, self->band_nodes, area, nodes, node_bounds);
  if (edges)
    query_bands (self, self->band_edges, area, edges, edge_bounds);
}

/* ---- queries -------------------------------------------------------------- */

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

double
studio_graph_scene_get_font_px (const StudioGraphScene *self)
{
  return self->font_px;
}

gint
studio_graph_scene_hit (const StudioGraphScene *self, double x, double y)
{
  graphene_point_t p = GRAPHENE_POINT_INIT (x, y);
  GArray *band;
  if (y < 0 || y > self->height)
    return -1;
  band = self->band_nodes[band_of (self, y)];
  for (guint k = 0; k < band->len; k++)
    {
      guint i = g_array_index (band, guint, k);
      if (graphene_rect_contains_point (&g_array_index (self->nodes, StudioSceneNode, i).rect, &p))
        return (gint) i;
    }
  return -1;
}
