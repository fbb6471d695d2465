/* studio-layout-order.c: crossing reduction for StudioLayout. Layers are
 * reordered by the barycenter (later the median) of their neighbours,
 * sweeping down then up, each sweep followed by adjacent swaps (transpose);
 * crossings are counted exactly after every sweep and the best ordering seen
 * is kept, so a sweep can never make the result worse. */
#include "studio-layout-private.h"

#include <stdlib.h>

#define N_ORDER_SWEEPS 12
#define SIFT_MAX_WIDTH 256
#define RESTART_MAX_VERTICES 4000

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

static int
guint_cmp (const void *pa, const void *pb)
{
  guint a = *(const guint *) pa, b = *(const guint *) pb;
  return a < b ? -1 : a > b;
}

/* Median of the neighbours' positions (the mean of the two middle ones for
 * an even count), the rule of Eades and Wormald; barycenter is the mean. */
static double
sort_key (StudioLayoutRun *r, GArray *nb, gboolean median, guint *scratch)
{
  double sum = 0;
  for (guint j = 0; j < nb->len; j++)
    {
      scratch[j] = studio_layout_vertex (r, g_array_index (nb, guint, j))->pos;
      sum += scratch[j];
    }
  if (!median)
    return sum / nb->len;
  qsort (scratch, nb->len, sizeof (guint), guint_cmp);
  if (nb->len % 2)
    return scratch[nb->len / 2];
  return (scratch[nb->len / 2 - 1] + scratch[nb->len / 2]) / 2.0;
}

static void
reorder_layer (StudioLayoutRun *r, guint l, gboolean use_up, gboolean median, GArray *scratch)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  g_autofree SortItem *items = g_new (SortItem, row->len);

  for (guint i = 0; i < row->len; i++)
    {
      guint id = g_array_index (row, guint, i);
      LayoutVertex *v = studio_layout_vertex (r, id);
      GArray *nb = use_up ? v->up : v->down;
      if (scratch->len < nb->len)
        g_array_set_size (scratch, nb->len);
      /* Vertices without neighbours on that side keep their slot. */
      items[i] = (SortItem) { id, nb->len ? sort_key (r, nb, median, (guint *) scratch->data) : v->pos, v->pos };
    }
  qsort (items, row->len, sizeof (SortItem), sort_item_cmp);
  for (guint i = 0; i < row->len; i++)
    {
      g_array_index (row, guint, i) = items[i].id;
      studio_layout_vertex (r, items[i].id)->pos = i;
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
count_crossings_between (StudioLayoutRun *r, guint l)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  GArray *below = g_ptr_array_index (r->layers, l + 1);
  g_autoptr (GArray) pairs = g_array_new (FALSE, FALSE, sizeof (PosPair));
  g_autofree guint *tree = g_new0 (guint, below->len + 1);
  guint64 crossings = 0;

  for (guint i = 0; i < row->len; i++)
    {
      LayoutVertex *v = studio_layout_vertex (r, g_array_index (row, guint, i));
      for (guint j = 0; j < v->down->len; j++)
        {
          PosPair p = { v->pos, studio_layout_vertex (r, g_array_index (v->down, guint, j))->pos };
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

/* Crossings among the edges of u and v on one side when u is left of v:
 * pairs of neighbours a of u and b of v with b left of a. */
static guint
pair_crossings (StudioLayoutRun *r, GArray *nu, GArray *nv)
{
  guint c = 0;
  for (guint i = 0; i < nu->len; i++)
    {
      guint a = studio_layout_vertex (r, g_array_index (nu, guint, i))->pos;
      for (guint j = 0; j < nv->len; j++)
        c += studio_layout_vertex (r, g_array_index (nv, guint, j))->pos < a;
    }
  return c;
}

/* Gansner et al.'s transpose: swap neighbours in a layer while that lowers
 * the crossings on both sides. It repairs what the averaging rules cannot
 * see, such as ties and vertices pulled two ways. */
static void
transpose (StudioLayoutRun *r)
{
  gboolean improved = TRUE;
  for (guint round = 0; improved && round < 16; round++)
    {
      improved = FALSE;
      for (guint l = 0; l < r->layers->len; l++)
        {
          GArray *row = g_ptr_array_index (r->layers, l);
          for (guint i = 0; i + 1 < row->len; i++)
            {
              guint u = g_array_index (row, guint, i), v = g_array_index (row, guint, i + 1);
              LayoutVertex *vu = studio_layout_vertex (r, u), *vv = studio_layout_vertex (r, v);
              guint keep = pair_crossings (r, vu->up, vv->up) + pair_crossings (r, vu->down, vv->down);
              guint swap = pair_crossings (r, vv->up, vu->up) + pair_crossings (r, vv->down, vu->down);
              if (swap >= keep)
                continue;
              g_array_index (row, guint, i) = v;
              g_array_index (row, guint, i + 1) = u;
              vu->pos = i + 1;
              vv->pos = i;
              improved = TRUE;
            }
        }
    }
}

static guint
crossings_if_left (StudioLayoutRun *r, LayoutVertex *u, LayoutVertex *v)
{
  return pair_crossings (r, u->up, v->up) + pair_crossings (r, u->down, v->down);
}

/* Sifting (Matuszewski, Schönfeld and Molitor): take each vertex out of its
 * layer and put it back where it crosses least, trying every slot. Escapes
 * local minima that adjacent swaps cannot leave, at a cost quadratic in the
 * layer width, hence only on layers up to SIFT_MAX_WIDTH. */
static void
sift_layer (StudioLayoutRun *r, GArray *row)
{
  g_autofree guint *order = g_memdup2 (row->data, sizeof (guint) * row->len);
  guint n = row->len;

  for (guint k = 0; k < n; k++)
    {
      LayoutVertex *v = studio_layout_vertex (r, order[k]);
      guint from = v->pos, best_slot = 0;
      gint64 cost = 0, best;
      /* Cost relative to v at the far left: moving it past w swaps the
       * order of their edges. */
      best = 0;
      for (guint i = 0, slot = 0; i < n; i++)
        {
          LayoutVertex *w;
          if (i == from)
            continue;
          w = studio_layout_vertex (r, g_array_index (row, guint, i));
          cost += (gint64) crossings_if_left (r, w, v) - crossings_if_left (r, v, w);
          slot++;
          if (cost < best || (cost == best && slot <= from && slot > best_slot))
            best = cost, best_slot = slot;
        }
      if (best_slot == from)
        continue;
      g_array_remove_index (row, from);
      g_array_insert_val (row, best_slot, order[k]);
      for (guint i = MIN (from, best_slot); i <= MAX (from, best_slot); i++)
        studio_layout_vertex (r, g_array_index (row, guint, i))->pos = i;
    }
}

static void
sift (StudioLayoutRun *r)
{
  for (guint l = 0; l < r->layers->len; l++)
    {
      GArray *row = g_ptr_array_index (r->layers, l);
      if (row->len > 1 && row->len <= SIFT_MAX_WIDTH)
        sift_layer (r, row);
    }
}

static guint64
count_crossings (StudioLayoutRun *r)
{
  guint64 total = 0;
  for (guint l = 0; l + 1 < r->layers->len; l++)
    total += count_crossings_between (r, l);
  return total;
}

static void
save_order (StudioLayoutRun *r, guint *dest)
{
  for (guint id = 0; id < r->verts->len; id++)
    dest[id] = studio_layout_vertex (r, id)->pos;
}

static void
restore_order (StudioLayoutRun *r, const guint *src)
{
  for (guint id = 0; id < r->verts->len; id++)
    {
      LayoutVertex *v = studio_layout_vertex (r, id);
      v->pos = src[id];
      g_array_index ((GArray *) g_ptr_array_index (r->layers, v->layer), guint, v->pos) = id;
    }
}

typedef struct {
  guint *order;
  guint64 crossings;
} BestOrder;

static void
consider (StudioLayoutRun *r, BestOrder *best)
{
  guint64 c = count_crossings (r);
  if (c < best->crossings)
    {
      best->crossings = c;
      save_order (r, best->order);
    }
}

static void
run_sweeps (StudioLayoutRun *r, BestOrder *best, GArray *scratch)
{
  guint n_layers = r->layers->len;
  for (guint sweep = 0; sweep < N_ORDER_SWEEPS && best->crossings > 0; sweep++)
    {
      /* Down and up in turn; barycenters for the first rounds, then
       * medians, which settle differently on vertices with many edges. */
      gboolean median = sweep >= N_ORDER_SWEEPS / 2;
      if (sweep % 2 == 0)
        for (guint l = 1; l < n_layers; l++)
          reorder_layer (r, l, TRUE, median, scratch);
      else
        for (guint l = n_layers - 1; l-- > 0;)
          reorder_layer (r, l, FALSE, median, scratch);
      transpose (r);
      sift (r);
      consider (r, best);
    }
}

static void
push_all (GArray *stack, GArray *nb)
{
  for (guint j = nb->len; j-- > 0;)
    g_array_append_val (stack, g_array_index (nb, guint, j));
}

/* Orders every layer by first discovery in a depth-first walk over edges in
 * both directions: connected vertices end up near each other in every layer,
 * the classic initial order of dot. */
static void
dfs_order (StudioLayoutRun *r, gboolean backwards)
{
  g_autofree gboolean *seen = g_new0 (gboolean, r->verts->len);
  g_autofree guint *next = g_new0 (guint, r->layers->len);
  g_autoptr (GArray) stack = g_array_new (FALSE, FALSE, sizeof (guint));

  for (guint l = 0; l < r->layers->len; l++)
    {
      GArray *row = g_ptr_array_index (r->layers, backwards ? r->layers->len - 1 - l : l);
      for (guint i = 0; i < row->len; i++)
        {
          g_array_append_val (stack, g_array_index (row, guint, backwards ? row->len - 1 - i : i));
          while (stack->len)
            {
              guint id = g_array_index (stack, guint, stack->len - 1);
              LayoutVertex *v = studio_layout_vertex (r, id);
              g_array_set_size (stack, stack->len - 1);
              if (seen[id])
                continue;
              seen[id] = TRUE;
              v->pos = next[v->layer]++;
              push_all (stack, v->up);
              push_all (stack, v->down);
            }
        }
    }
  for (guint id = 0; id < r->verts->len; id++)
    {
      LayoutVertex *v = studio_layout_vertex (r, id);
      g_array_index ((GArray *) g_ptr_array_index (r->layers, v->layer), guint, v->pos) = id;
    }
}

guint64
studio_layout_reduce_crossings (StudioLayoutRun *r)
{
  g_autofree guint *initial = g_new (guint, r->verts->len);
  g_autofree guint *order = g_new (guint, r->verts->len);
  g_autoptr (GArray) scratch = g_array_new (FALSE, FALSE, sizeof (guint));
  BestOrder best = { order, G_MAXUINT64 };

  save_order (r, initial);
  consider (r, &best);
  run_sweeps (r, &best, scratch);
  /* The sweeps are a local search. On graphs small enough for it to cost
   * little, a second start from a depth-first order often settles in a
   * lower minimum (ties in the averages otherwise pin the model order). */
  for (guint start = 0; start < 2 && best.crossings > 0 && r->verts->len <= RESTART_MAX_VERTICES; start++)
    {
      restore_order (r, initial);
      dfs_order (r, start == 1);
      consider (r, &best);
      run_sweeps (r, &best, scratch);
    }
  restore_order (r, best.order);
  return best.crossings;
}
