/* studio-layout.c: the layered graph layout behind the model canvas.
 *
 * Classic Sugiyama pipeline, kept deliberately simple and deterministic:
 *   1. orient edges along a topological order (breaking cycles if any),
 *   2. longest-path layering, then pull pure sources down next to their
 *      first consumer so weights do not all pile up on the top layer,
 *   3. split long edges with dummy vertices so every edge spans one layer,
 *   4. barycenter sweeps to reduce crossings (studio-layout-order.c),
 *   5. x coordinates pulled towards neighbour medians, each layer solved as
 *      an isotonic regression so boxes keep their order and never overlap
 *      (studio-layout-coords.c),
 *   6. polylines through the dummies, with ports spread along box edges. */
#include "studio-layout-private.h"

#include <math.h>
#include <stdlib.h>

#define PORT_SPREAD 0.6 /* share of a box edge used by edge endpoints */

StudioLayout *
studio_layout_new (void)
{
  StudioLayout *self = g_new0 (StudioLayout, 1);
  self->node_gap = 24;
  self->layer_gap = 40;
  self->nodes = g_array_new (FALSE, FALSE, sizeof (LayoutNode));
  self->edges = g_array_new (FALSE, FALSE, sizeof (LayoutEdge));
  return self;
}

static void
clear_results (StudioLayout *self)
{
  g_clear_pointer (&self->x, g_free);
  g_clear_pointer (&self->y, g_free);
  g_clear_pointer (&self->layer, g_free);
  g_clear_pointer (&self->paths, g_ptr_array_unref);
  self->width = self->height = 0;
  self->n_layers = 0;
  self->n_crossings = 0;
}

void
studio_layout_free (StudioLayout *self)
{
  if (!self)
    return;
  clear_results (self);
  g_array_unref (self->nodes);
  g_array_unref (self->edges);
  g_free (self);
}

void
studio_layout_set_spacing (StudioLayout *self, double node_gap, double layer_gap)
{
  self->node_gap = MAX (node_gap, 1.0);
  self->layer_gap = MAX (layer_gap, 1.0);
}

guint
studio_layout_add_node (StudioLayout *self, double width, double height)
{
  LayoutNode n = { MAX (width, 0.0), MAX (height, 0.0) };
  g_array_append_val (self->nodes, n);
  return self->nodes->len - 1;
}

guint
studio_layout_add_edge (StudioLayout *self, guint from, guint to)
{
  LayoutEdge e = { from, to };
  g_return_val_if_fail (from < self->nodes->len && to < self->nodes->len, G_MAXUINT);
  g_array_append_val (self->edges, e);
  return self->edges->len - 1;
}

/* ---- 1 + 2: orientation and layering ---------------------------------- */

/* Kahn's algorithm; when stuck on a cycle, force the lowest-numbered node
 * left. Returns rank[] (position in the order). */
static guint *
topological_rank (StudioLayout *self)
{
  guint n = self->nodes->len;
  g_autofree guint *indeg = g_new0 (guint, n);
  g_autofree gboolean *done = g_new0 (gboolean, n);
  g_autofree guint *queue = g_new (guint, n);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint *rank = g_new0 (guint, n);
  guint head = 0, tail = 0, next_rank = 0, scan = 0;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint e = 0; e < self->edges->len; e++)
    {
      LayoutEdge *ed = &g_array_index (self->edges, LayoutEdge, e);
      if (ed->from == ed->to)
        continue;
      g_array_append_val (g_ptr_array_index (out, ed->from), ed->to);
      indeg[ed->to]++;
    }
  for (guint i = 0; i < n; i++)
    if (indeg[i] == 0)
      queue[tail++] = i;

  while (next_rank < n)
    {
      guint v;
      if (head == tail)
        {
          while (done[scan] || indeg[scan] == 0)
            scan++;
          queue[tail++] = scan;
          indeg[scan] = 0;
        }
      v = queue[head++];
      if (done[v])
        continue;
      done[v] = TRUE;
      rank[v] = next_rank++;
      GArray *succ = g_ptr_array_index (out, v);
      for (guint j = 0; j < succ->len; j++)
        {
          guint s = g_array_index (succ, guint, j);
          if (!done[s] && indeg[s] > 0 && --indeg[s] == 0)
            queue[tail++] = s;
        }
    }
  return rank;
}

/* Oriented edge endpoints: always from lower rank to higher rank. */
static void
oriented (StudioLayoutRun *r, const guint *rank, guint e, guint *a, guint *b)
{
  LayoutEdge *ed = &g_array_index (r->layout->edges, LayoutEdge, e);
  r->reversed[e] = rank[ed->from] > rank[ed->to];
  *a = r->reversed[e] ? ed->to : ed->from;
  *b = r->reversed[e] ? ed->from : ed->to;
}

static void
assign_layers (StudioLayoutRun *r, const guint *rank)
{
  StudioLayout *self = r->layout;
  guint n = r->n, max_layer = 0;
  g_autofree guint *order = g_new (guint, n);
  g_autofree gboolean *has_pred = g_new0 (gboolean, n);
  guint *layer = self->layer;

  for (guint i = 0; i < n; i++)
    order[rank[i]] = i;
  /* Longest path: edges are relaxed in rank order of their sources. */
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (out, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint e = 0; e < self->edges->len; e++)
    {
      guint a, b;
      oriented (r, rank, e, &a, &b);
      if (a == b)
        continue;
      g_array_append_val (g_ptr_array_index (out, a), b);
      has_pred[b] = TRUE;
    }
  for (guint k = 0; k < n; k++)
    {
      guint v = order[k];
      GArray *succ = g_ptr_array_index (out, v);
      for (guint j = 0; j < succ->len; j++)
        {
          guint s = g_array_index (succ, guint, j);
          layer[s] = MAX (layer[s], layer[v] + 1);
        }
    }
  /* A source only needs to sit above its earliest consumer. */
  for (guint v = 0; v < n; v++)
    {
      GArray *succ = g_ptr_array_index (out, v);
      guint lowest = G_MAXUINT;
      if (has_pred[v] || succ->len == 0)
        continue;
      for (guint j = 0; j < succ->len; j++)
        lowest = MIN (lowest, layer[g_array_index (succ, guint, j)]);
      layer[v] = lowest - 1;
    }
  for (guint v = 0; v < n; v++)
    max_layer = MAX (max_layer, layer[v]);
  self->n_layers = n ? max_layer + 1 : 0;
}

/* ---- 3: vertices, dummies and chains ------------------------------------ */

static guint
add_vertex (StudioLayoutRun *r, double w, double h, gboolean dummy, guint layer)
{
  LayoutVertex v = { w, h, dummy, layer, 0, 0, NULL, NULL };
  GArray *row = g_ptr_array_index (r->layers, layer);
  guint id = r->verts->len;
  v.up = g_array_new (FALSE, FALSE, sizeof (guint));
  v.down = g_array_new (FALSE, FALSE, sizeof (guint));
  v.pos = row->len;
  g_array_append_val (r->verts, v);
  g_array_append_val (row, id);
  return id;
}

static void
build_chains (StudioLayoutRun *r, const guint *rank)
{
  StudioLayout *self = r->layout;

  for (guint l = 0; l < self->n_layers; l++)
    g_ptr_array_add (r->layers, g_array_new (FALSE, FALSE, sizeof (guint)));
  /* Real vertices first, in rank order, so the initial ordering follows the
   * model's own order. */
  g_autofree guint *order = g_new (guint, r->n);
  for (guint i = 0; i < r->n; i++)
    order[rank[i]] = i;
  g_array_set_size (r->verts, r->n);
  for (guint k = 0; k < r->n; k++)
    {
      guint i = order[k];
      LayoutNode *in = &g_array_index (self->nodes, LayoutNode, i);
      GArray *row = g_ptr_array_index (r->layers, self->layer[i]);
      LayoutVertex v = { in->w, in->h, FALSE, self->layer[i], row->len, 0,
                   g_array_new (FALSE, FALSE, sizeof (guint)), g_array_new (FALSE, FALSE, sizeof (guint)) };
      g_array_index (r->verts, LayoutVertex, i) = v;
      g_array_append_val (row, i);
    }

  for (guint e = 0; e < self->edges->len; e++)
    {
      guint a, b, prev;
      GArray *chain = g_array_new (FALSE, FALSE, sizeof (guint));
      g_ptr_array_add (r->chains, chain);
      oriented (r, rank, e, &a, &b);
      if (a == b)
        continue;
      g_array_append_val (chain, a);
      prev = a;
      for (guint l = self->layer[a] + 1; l <= self->layer[b]; l++)
        {
          guint cur = l == self->layer[b] ? b : add_vertex (r, 0, 0, TRUE, l);
          g_array_append_val (studio_layout_vertex (r, prev)->down, cur);
          g_array_append_val (studio_layout_vertex (r, cur)->up, prev);
          g_array_append_val (chain, cur);
          prev = cur;
        }
    }
}

/* ---- 6: edge polylines --------------------------------------------------- */

typedef struct {
  guint edge;
  double key;
} PortItem;

static int
port_item_cmp (const void *pa, const void *pb)
{
  const PortItem *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->edge < b->edge ? -1 : a->edge > b->edge;
}

/* For every edge, the horizontal offset of its end at the source (out) or
 * target (in) box, so several edges on one box do not meet in one point. */
static double *
spread_ports (StudioLayoutRun *r, gboolean at_source)
{
  guint n_edges = r->chains->len;
  double *port = g_new0 (double, n_edges);
  g_autoptr (GPtrArray) per_node = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);

  for (guint i = 0; i < r->n; i++)
    g_ptr_array_add (per_node, g_array_new (FALSE, FALSE, sizeof (PortItem)));
  for (guint e = 0; e < n_edges; e++)
    {
      GArray *chain = g_ptr_array_index (r->chains, e);
      guint end, other;
      if (chain->len < 2)
        continue;
      end = g_array_index (chain, guint, at_source ? 0 : chain->len - 1);
      other = g_array_index (chain, guint, at_source ? 1 : chain->len - 2);
      PortItem it = { e, studio_layout_vertex (r, other)->x };
      g_array_append_val (g_ptr_array_index (per_node, end), it);
    }
  for (guint i = 0; i < r->n; i++)
    {
      GArray *items = g_ptr_array_index (per_node, i);
      double span = studio_layout_vertex (r, i)->w * PORT_SPREAD;
      qsort (items->data, items->len, sizeof (PortItem), port_item_cmp);
      for (guint k = 0; k < items->len; k++)
        port[g_array_index (items, PortItem, k).edge] = span * ((k + 0.5) / items->len - 0.5);
    }
  return port;
}

static void
path_free (gpointer p)
{
  if (p)
    g_array_unref (p);
}

static void
route_edges (StudioLayoutRun *r)
{
  StudioLayout *self = r->layout;
  g_autofree double *out_port = spread_ports (r, TRUE);
  g_autofree double *in_port = spread_ports (r, FALSE);

  self->paths = g_ptr_array_new_with_free_func (path_free);
  for (guint e = 0; e < r->chains->len; e++)
    {
      GArray *chain = g_ptr_array_index (r->chains, e);
      GArray *pts;
      guint a, b;
      if (chain->len < 2)
        {
          g_ptr_array_add (self->paths, NULL);
          continue;
        }
      pts = g_array_new (FALSE, FALSE, sizeof (StudioPoint));
      a = g_array_index (chain, guint, 0);
      b = g_array_index (chain, guint, chain->len - 1);
      StudioPoint start = { studio_layout_vertex (r, a)->x + out_port[e], self->y[a] + studio_layout_vertex (r, a)->h };
      guint la = self->layer[a], lb = self->layer[b];
      g_array_append_val (pts, start);
      /* A box shorter than its layer leaves the edge inside the band, where
       * a bend could touch a taller neighbour: run straight to the gap. */
      if (start.y < r->layer_y[la] + r->layer_h[la])
        {
          StudioPoint stub = { start.x, r->layer_y[la] + r->layer_h[la] };
          g_array_append_val (pts, stub);
        }
      for (guint k = 1; k + 1 < chain->len; k++)
        {
          LayoutVertex *d = studio_layout_vertex (r, g_array_index (chain, guint, k));
          StudioPoint top = { d->x, r->layer_y[d->layer] };
          StudioPoint bottom = { d->x, r->layer_y[d->layer] + r->layer_h[d->layer] };
          g_array_append_val (pts, top);
          if (bottom.y > top.y)
            g_array_append_val (pts, bottom);
        }
      StudioPoint end = { studio_layout_vertex (r, b)->x + in_port[e], self->y[b] };
      if (end.y > r->layer_y[lb])
        {
          StudioPoint stub = { end.x, r->layer_y[lb] };
          g_array_append_val (pts, stub);
        }
      g_array_append_val (pts, end);
      if (r->reversed[e])
        for (guint i = 0, j = pts->len - 1; i < j; i++, j--)
          {
            StudioPoint t = g_array_index (pts, StudioPoint, i);
            g_array_index (pts, StudioPoint, i) = g_array_index (pts, StudioPoint, j);
            g_array_index (pts, StudioPoint, j) = t;
          }
      g_ptr_array_add (self->paths, pts);
    }
}

static void
vertex_clear (gpointer p)
{
  LayoutVertex *v = p;
  g_clear_pointer (&v->up, g_array_unref);
  g_clear_pointer (&v->down, g_array_unref);
}

void
studio_layout_run (StudioLayout *self)
{
  StudioLayoutRun r = { .layout = self, .n = self->nodes->len };
  g_autofree guint *rank = NULL;

  clear_results (self);
  if (r.n == 0)
    {
      self->paths = g_ptr_array_new ();
      return;
    }
  self->x = g_new0 (double, r.n);
  self->y = g_new0 (double, r.n);
  self->layer = g_new0 (guint, r.n);
  r.reversed = g_new0 (gboolean, self->edges->len);
  rank = topological_rank (self);
  assign_layers (&r, rank);

  r.verts = g_array_new (FALSE, TRUE, sizeof (LayoutVertex));
  g_array_set_clear_func (r.verts, vertex_clear);
  r.layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r.chains = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r.layer_y = g_new0 (double, self->n_layers);
  r.layer_h = g_new0 (double, self->n_layers);
  build_chains (&r, rank);
  self->n_crossings = studio_layout_reduce_crossings (&r);
  studio_layout_assign_coordinates (&r);
  route_edges (&r);

  g_array_unref (r.verts);
  g_ptr_array_unref (r.layers);
  g_ptr_array_unref (r.chains);
  g_free (r.layer_y);
  g_free (r.layer_h);
  g_free (r.reversed);
}

guint
studio_layout_get_n_nodes (const StudioLayout *self)
{
  return self->nodes->len;
}

guint
studio_layout_get_n_edges (const StudioLayout *self)
{
  return self->edges->len;
}

void
studio_layout_get_node_position (const StudioLayout *self, guint node, double *x, double *y)
{
  g_return_if_fail (self->x != NULL && node < self->nodes->len);
  if (x)
    *x = self->x[node];
  if (y)
    *y = self->y[node];
}

guint
studio_layout_get_node_layer (const StudioLayout *self, guint node)
{
  g_return_val_if_fail (self->layer != NULL && node < self->nodes->len, 0);
  return self->layer[node];
}

const StudioPoint *
studio_layout_get_edge_points (const StudioLayout *self, guint edge, guint *n_points)
{
  GArray *pts;
  *n_points = 0;
  g_return_val_if_fail (self->paths != NULL && edge < self->paths->len, NULL);
  pts = g_ptr_array_index (self->paths, edge);
  if (!pts)
    return NULL;
  *n_points = pts->len;
  return (const StudioPoint *) pts->data;
}

void
studio_layout_get_size (const StudioLayout *self, double *width, double *height)
{
  if (width)
    *width = self->width;
  if (height)
    *height = self->height;
}

guint
studio_layout_get_n_layers (const StudioLayout *self)
{
  return self->n_layers;
}

guint64
studio_layout_get_n_crossings (const StudioLayout *self)
{
  return self->n_crossings;
}
