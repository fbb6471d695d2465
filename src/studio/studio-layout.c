/* studio-layout.c: the layered graph layout behind the model canvas.
 *
 * Classic Sugiyama pipeline, kept deliberately simple and deterministic:
 *   1. orient edges along a topological order (breaking cycles if any),
 *   2. longest-path layering, then pull pure sources down next to their
 *      first consumer so weights do not all pile up on the top layer,
 *   3. split long edges with dummy vertices so every edge spans one layer,
 *   4. barycenter sweeps to reduce crossings, keeping the best ordering seen,
 *   5. x coordinates by repeated neighbour averaging, each layer solved as an
 *      isotonic regression so boxes keep their order and never overlap,
 *   6. polylines through the dummies, with ports spread along box edges. */
#include "studio-layout.h"

#include <math.h>
#include <stdlib.h>

#define N_ORDER_SWEEPS 12
#define N_COORD_PASSES 8
#define DUMMY_WEIGHT 0.001 /* an edge bend gives way to a box */
#define SOURCE_WEIGHT 0.05 /* a weight or input gives way to the data path */
#define PORT_SPREAD 0.6  /* share of a box edge used by edge endpoints */

typedef struct {
  double w, h;
} InNode;

typedef struct {
  guint from, to;
} InEdge;

typedef struct {
  double w, h;
  gboolean dummy;
  guint layer;
  guint pos;      /* index within its layer */
  double x;       /* centre */
  GArray *up;     /* guint: neighbours in layer - 1 */
  GArray *down;   /* guint: neighbours in layer + 1 */
} Vertex;

struct _StudioLayout {
  double node_gap;
  double layer_gap;
  GArray *nodes; /* InNode */
  GArray *edges; /* InEdge */

  /* results */
  double *x, *y;
  guint *layer;
  GPtrArray *paths; /* GArray of StudioPoint per edge, NULL for self loops */
  double width, height;
  guint n_layers;
};

/* Working state of one run. */
typedef struct {
  StudioLayout *layout;
  guint n;          /* real nodes; vertices [0, n) are them */
  GArray *verts;    /* Vertex */
  GPtrArray *layers; /* GArray of guint vertex ids, in order */
  double *layer_y;
  double *layer_h;
  GPtrArray *chains; /* per edge: GArray of guint vertex ids along the oriented edge */
  gboolean *reversed;
} Run;

StudioLayout *
studio_layout_new (void)
{
  StudioLayout *self = g_new0 (StudioLayout, 1);
  self->node_gap = 24;
  self->layer_gap = 40;
  self->nodes = g_array_new (FALSE, FALSE, sizeof (InNode));
  self->edges = g_array_new (FALSE, FALSE, sizeof (InEdge));
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
  InNode n = { MAX (width, 0.0), MAX (height, 0.0) };
  g_array_append_val (self->nodes, n);
  return self->nodes->len - 1;
}

guint
studio_layout_add_edge (StudioLayout *self, guint from, guint to)
{
  InEdge e = { from, to };
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
      InEdge *ed = &g_array_index (self->edges, InEdge, e);
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
oriented (Run *r, const guint *rank, guint e, guint *a, guint *b)
{
  InEdge *ed = &g_array_index (r->layout->edges, InEdge, e);
  r->reversed[e] = rank[ed->from] > rank[ed->to];
  *a = r->reversed[e] ? ed->to : ed->from;
  *b = r->reversed[e] ? ed->from : ed->to;
}

static void
assign_layers (Run *r, const guint *rank)
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
add_vertex (Run *r, double w, double h, gboolean dummy, guint layer)
{
  Vertex v = { w, h, dummy, layer, 0, 0, NULL, NULL };
  GArray *row = g_ptr_array_index (r->layers, layer);
  guint id = r->verts->len;
  v.up = g_array_new (FALSE, FALSE, sizeof (guint));
  v.down = g_array_new (FALSE, FALSE, sizeof (guint));
  v.pos = row->len;
  g_array_append_val (r->verts, v);
  g_array_append_val (row, id);
  return id;
}

static Vertex *
vert (Run *r, guint id)
{
  return &g_array_index (r->verts, Vertex, id);
}

static void
build_chains (Run *r, const guint *rank)
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
      InNode *in = &g_array_index (self->nodes, InNode, i);
      GArray *row = g_ptr_array_index (r->layers, self->layer[i]);
      Vertex v = { in->w, in->h, FALSE, self->layer[i], row->len, 0,
                   g_array_new (FALSE, FALSE, sizeof (guint)), g_array_new (FALSE, FALSE, sizeof (guint)) };
      g_array_index (r->verts, Vertex, i) = v;
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
          g_array_append_val (vert (r, prev)->down, cur);
          g_array_append_val (vert (r, cur)->up, prev);
          g_array_append_val (chain, cur);
          prev = cur;
        }
    }
}

/* ---- 4: crossing reduction ----------------------------------------------- */

typedef struct {
  guint id;
  double key;
  guint pos;
} SortItem;

static int
sort_item_cmp (const void *pa, const void *pb)
{
  const SortItem *a = pa, *b = pb;
  if (a->key != b->key)
    return a->key < b->key ? -1 : 1;
  return a->pos < b->pos ? -1 : a->pos > b->pos;
}

static void
reorder_layer (Run *r, guint l, gboolean use_up)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  g_autofree SortItem *items = g_new (SortItem, row->len);

  for (guint i = 0; i < row->len; i++)
    {
      guint id = g_array_index (row, guint, i);
      Vertex *v = vert (r, id);
      GArray *nb = use_up ? v->up : v->down;
      double sum = 0;
      for (guint j = 0; j < nb->len; j++)
        sum += vert (r, g_array_index (nb, guint, j))->pos;
      /* Vertices without neighbours on that side keep their slot. */
      items[i] = (SortItem) { id, nb->len ? sum / nb->len : v->pos, v->pos };
    }
  qsort (items, row->len, sizeof (SortItem), sort_item_cmp);
  for (guint i = 0; i < row->len; i++)
    {
      g_array_index (row, guint, i) = items[i].id;
      vert (r, items[i].id)->pos = i;
    }
}

typedef struct {
  guint a, b;
} PosPair;

static int
pos_pair_cmp (const void *pa, const void *pb)
{
  const PosPair *a = pa, *b = pb;
  if (a->a != b->a)
    return a->a < b->a ? -1 : 1;
  return a->b < b->b ? -1 : a->b > b->b;
}

/* Crossings between layer l and l + 1: inversions counted with a Fenwick tree. */
static guint64
count_crossings_between (Run *r, guint l)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  GArray *below = g_ptr_array_index (r->layers, l + 1);
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (PosPair));
  g_autofree guint *tree = g_new0 (guint, below->len + 1);
  guint64 crossings = 0;

  for (guint i = 0; i < row->len; i++)
    {
      Vertex *v = vert (r, g_array_index (row, guint, i));
      for (guint j = 0; j < v->down->len; j++)
        {
          PosPair p = { v->pos, vert (r, g_array_index (v->down, guint, j))->pos };
          g_array_append_val (pairs, p);
        }
    }
  qsort (pairs->data, pairs->len, sizeof (PosPair), pos_pair_cmp);
  for (guint k = 0; k < pairs->len; k++)
    {
      guint b = g_array_index (pairs, PosPair, k).b;
      guint seen_le = 0;
      for (guint i = b + 1; i > 0; i -= i & -i)
        seen_le += tree[i];
      crossings += k - seen_le;
      for (guint i = b + 1; i <= below->len; i += i & -i)
        tree[i]++;
    }
  return crossings;
}

static guint64
count_crossings (Run *r)
{
  guint64 total = 0;
  for (guint l = 0; l + 1 < r->layers->len; l++)
    total += count_crossings_between (r, l);
  return total;
}

static void
save_order (Run *r, guint *dest)
{
  for (guint id = 0; id < r->verts->len; id++)
    dest[id] = vert (r, id)->pos;
}

static void
restore_order (Run *r, const guint *src)
{
  for (guint id = 0; id < r->verts->len; id++)
    {
      Vertex *v = vert (r, id);
      v->pos = src[id];
      g_array_index ((GArray *) g_ptr_array_index (r->layers, v->layer), guint, v->pos) = id;
    }
}

static void
reduce_crossings (Run *r)
{
  guint n_layers = r->layers->len;
  g_autofree guint *best = g_new (guint, r->verts->len);
  guint64 best_crossings = count_crossings (r);

  save_order (r, best);
  for (guint sweep = 0; sweep < N_ORDER_SWEEPS && best_crossings > 0; sweep++)
    {
      guint64 c;
      if (sweep % 2 == 0)
        for (guint l = 1; l < n_layers; l++)
          reorder_layer (r, l, TRUE);
      else
        for (guint l = n_layers - 1; l-- > 0;)
          reorder_layer (r, l, FALSE);
      c = count_crossings (r);
      if (c < best_crossings)
        {
          best_crossings = c;
          save_order (r, best);
        }
    }
  restore_order (r, best);
}

/* ---- 5: coordinates ------------------------------------------------------ */

static double
separation (Run *r, Vertex *a, Vertex *b)
{
  double gap = r->layout->node_gap;
  if (a->dummy || b->dummy)
    gap *= 0.5;
  return (a->w + b->w) / 2 + gap;
}

/* Places one layer as close as possible to desired[] (weighted least squares)
 * while keeping order and minimum separations: with offsets o_i the
 * constraint becomes "x_i - o_i non-decreasing", an isotonic regression that
 * pool-adjacent-violators solves exactly. */
static void
place_layer (Run *r, GArray *row, const double *desired)
{
  guint n = row->len;
  g_autofree double *offset = g_new (double, n);
  g_autofree double *bval = g_new (double, n);
  g_autofree double *bweight = g_new (double, n);
  g_autofree guint *bstart = g_new (guint, n);
  guint nb = 0;

  for (guint i = 0; i < n; i++)
    {
      Vertex *v = vert (r, g_array_index (row, guint, i));
      double w = v->dummy ? DUMMY_WEIGHT : v->up->len == 0 ? SOURCE_WEIGHT : 1.0;
      offset[i] = i == 0 ? 0 : offset[i - 1] + separation (r, vert (r, g_array_index (row, guint, i - 1)), v);
      bval[nb] = desired[i] - offset[i];
      bweight[nb] = w;
      bstart[nb] = i;
      nb++;
      while (nb > 1 && bval[nb - 2] > bval[nb - 1])
        {
          double tw = bweight[nb - 2] + bweight[nb - 1];
          bval[nb - 2] = (bval[nb - 2] * bweight[nb - 2] + bval[nb - 1] * bweight[nb - 1]) / tw;
          bweight[nb - 2] = tw;
          nb--;
        }
    }
  for (guint b = 0; b < nb; b++)
    {
      guint end = b + 1 < nb ? bstart[b + 1] : n;
      for (guint i = bstart[b]; i < end; i++)
        vert (r, g_array_index (row, guint, i))->x = bval[b] + offset[i];
    }
}

static int
double_cmp (const void *pa, const void *pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;
  return a < b ? -1 : a > b;
}

/* Neighbours in order of preference: boxes fed by something (the main data
 * path), then any boxes (weights, inputs), then edge bends. */
static gboolean
preferred (Vertex *n, int level)
{
  switch (level)
    {
    case 0:
      return !n->dummy && n->up->len > 0;
    case 1:
      return !n->dummy;
    default:
      return TRUE;
    }
}

static void
collect_x (Run *r, GArray *nb, int level, GArray *xs)
{
  for (guint j = 0; j < nb->len; j++)
    {
      Vertex *n = vert (r, g_array_index (nb, guint, j));
      if (preferred (n, level))
        g_array_append_val (xs, n->x);
    }
}

/* Where a vertex would like to be: the median of its most preferred
 * neighbours on the sides in use. Medians rather than means, and the data
 * path before weights and edge bends, keep a main path straight when a skip
 * connection or a weight joins it (a mean would shift each residual block
 * sideways and a deep network would drift into a diagonal). */
static double
desired_x (Run *r, Vertex *v, gboolean use_up, gboolean use_down, GArray *xs)
{
  guint m;
  g_array_set_size (xs, 0);
  for (int level = 0; level < 3 && xs->len == 0; level++)
    {
      if (use_up)
        collect_x (r, v->up, level, xs);
      if (use_down)
        collect_x (r, v->down, level, xs);
    }
  if (xs->len == 0)
    return v->x;
  qsort (xs->data, xs->len, sizeof (double), double_cmp);
  m = xs->len / 2;
  if (xs->len % 2)
    return g_array_index (xs, double, m);
  return (g_array_index (xs, double, m - 1) + g_array_index (xs, double, m)) / 2;
}

static void
align_layer (Run *r, guint l, gboolean use_up, gboolean use_down)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  g_autofree double *desired = g_new (double, row->len);
  g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < row->len; i++)
    desired[i] = desired_x (r, vert (r, g_array_index (row, guint, i)), use_up, use_down, xs);
  place_layer (r, row, desired);
}

static void
assign_coordinates (Run *r)
{
  StudioLayout *self = r->layout;
  guint n_layers = r->layers->len;
  double min_x = G_MAXDOUBLE, max_x = -G_MAXDOUBLE, y = 0;

  for (guint l = 0; l < n_layers; l++)
    {
      GArray *row = g_ptr_array_index (r->layers, l);
      g_autofree double *packed = g_new0 (double, row->len);
      place_layer (r, row, packed);
    }
  for (guint pass = 0; pass < N_COORD_PASSES; pass++)
    {
      if (pass % 2 == 0)
        for (guint l = 1; l < n_layers; l++)
          align_layer (r, l, TRUE, FALSE);
      else
        for (guint l = n_layers - 1; l-- > 0;)
          align_layer (r, l, FALSE, TRUE);
    }
  for (guint l = 0; l < n_layers; l++)
    align_layer (r, l, TRUE, TRUE);

  for (guint id = 0; id < r->verts->len; id++)
    {
      Vertex *v = vert (r, id);
      min_x = MIN (min_x, v->x - v->w / 2);
      max_x = MAX (max_x, v->x + v->w / 2);
    }
  for (guint id = 0; id < r->verts->len; id++)
    vert (r, id)->x -= min_x;
  self->width = r->verts->len ? max_x - min_x : 0;

  for (guint l = 0; l < n_layers; l++)
    {
      GArray *row = g_ptr_array_index (r->layers, l);
      double h = 0;
      for (guint i = 0; i < row->len; i++)
        h = MAX (h, vert (r, g_array_index (row, guint, i))->h);
      r->layer_y[l] = y;
      r->layer_h[l] = h;
      y += h + (l + 1 < n_layers ? self->layer_gap : 0);
    }
  self->height = y;

  for (guint i = 0; i < r->n; i++)
    {
      Vertex *v = vert (r, i);
      self->x[i] = v->x - v->w / 2;
      self->y[i] = r->layer_y[v->layer] + (r->layer_h[v->layer] - v->h) / 2;
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
spread_ports (Run *r, gboolean at_source)
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
      PortItem it = { e, vert (r, other)->x };
      g_array_append_val (g_ptr_array_index (per_node, end), it);
    }
  for (guint i = 0; i < r->n; i++)
    {
      GArray *items = g_ptr_array_index (per_node, i);
      double span = vert (r, i)->w * PORT_SPREAD;
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
route_edges (Run *r)
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
      StudioPoint start = { vert (r, a)->x + out_port[e], self->y[a] + vert (r, a)->h };
      g_array_append_val (pts, start);
      for (guint k = 1; k + 1 < chain->len; k++)
        {
          Vertex *d = vert (r, g_array_index (chain, guint, k));
          StudioPoint top = { d->x, r->layer_y[d->layer] };
          StudioPoint bottom = { d->x, r->layer_y[d->layer] + r->layer_h[d->layer] };
          g_array_append_val (pts, top);
          if (bottom.y > top.y)
            g_array_append_val (pts, bottom);
        }
      StudioPoint end = { vert (r, b)->x + in_port[e], self->y[b] };
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
  Vertex *v = p;
  g_clear_pointer (&v->up, g_array_unref);
  g_clear_pointer (&v->down, g_array_unref);
}

void
studio_layout_run (StudioLayout *self)
{
  Run r = { .layout = self, .n = self->nodes->len };
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

  r.verts = g_array_new (FALSE, TRUE, sizeof (Vertex));
  g_array_set_clear_func (r.verts, vertex_clear);
  r.layers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r.chains = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  r.layer_y = g_new0 (double, self->n_layers);
  r.layer_h = g_new0 (double, self->n_layers);
  build_chains (&r, rank);
  reduce_crossings (&r);
  assign_coordinates (&r);
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
