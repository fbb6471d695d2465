/* studio-layout-order.c: crossing reduction for StudioLayout. Layers are
 * reordered by the barycenter of their neighbours, sweeping down then up;
 * crossings are counted exactly after every sweep and the best ordering seen
 * is kept, so a sweep can never make the result worse. */
#include "studio-layout-private.h"

#include <stdlib.h>

#define N_ORDER_SWEEPS 12

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
reorder_layer (StudioLayoutRun *r, guint l, gboolean use_up)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  g_autofree SortItem *items = g_new (SortItem, row->len);

  for (guint i = 0; i < row->len; i++)
    {
      guint id = g_array_index (row, guint, i);
      LayoutVertex *v = studio_layout_vertex (r, id);
      GArray *nb = use_up ? v->up : v->down;
      double sum = 0;
      for (guint j = 0; j < nb->len; j++)
        sum += studio_layout_vertex (r, g_array_index (nb, guint, j))->pos;
      /* Vertices without neighbours on that side keep their slot. */
      items[i] = (SortItem) { id, nb->len ? sum / nb->len : v->pos, v->pos };
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

void
studio_layout_reduce_crossings (StudioLayoutRun *r)
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
