/* studio-layout-coords.c: x coordinates for StudioLayout. Each vertex is
 * pulled towards the median of its neighbours, layer by layer, sweeping down
 * and up; a layer is then placed as an isotonic regression, which keeps the
 * order from crossing reduction and the minimum gaps exactly. */
#include "studio-layout-private.h"

#include <stdlib.h>

#define N_COORD_PASSES 8
#define DUMMY_WEIGHT 0.001 /* an edge bend gives way to a box */
#define SOURCE_WEIGHT 0.05 /* a weight or input gives way to the data path */

static double
separation (StudioLayoutRun *r, LayoutVertex *a, LayoutVertex *b)
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
place_layer (StudioLayoutRun *r, GArray *row, const double *desired)
{
  guint n = row->len;
  g_autofree double *offset = g_new (double, n);
  g_autofree double *bval = g_new (double, n);
  g_autofree double *bweight = g_new (double, n);
  g_autofree guint *bstart = g_new (guint, n);
  guint nb = 0;

  for (guint i = 0; i < n; i++)
    {
      LayoutVertex *v = studio_layout_vertex (r, g_array_index (row, guint, i));
      double w = v->dummy ? DUMMY_WEIGHT : v->up->len == 0 ? SOURCE_WEIGHT : 1.0;
      offset[i] = i == 0 ? 0 : offset[i - 1] + separation (r, studio_layout_vertex (r, g_array_index (row, guint, i - 1)), v);
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
        studio_layout_vertex (r, g_array_index (row, guint, i))->x = bval[b] + offset[i];
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
preferred (LayoutVertex *n, int level)
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
collect_x (StudioLayoutRun *r, GArray *nb, int level, GArray *xs)
{
  for (guint j = 0; j < nb->len; j++)
    {
      LayoutVertex *n = studio_layout_vertex (r, g_array_index (nb, guint, j));
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
desired_x (StudioLayoutRun *r, LayoutVertex *v, gboolean use_up, gboolean use_down, GArray *xs)
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
align_layer (StudioLayoutRun *r, guint l, gboolean use_up, gboolean use_down)
{
  GArray *row = g_ptr_array_index (r->layers, l);
  g_autofree double *desired = g_new (double, row->len);
  g_autoptr (GArray) xs = g_array_new (FALSE, FALSE, sizeof (double));

  for (guint i = 0; i < row->len; i++)
    desired[i] = desired_x (r, studio_layout_vertex (r, g_array_index (row, guint, i)), use_up, use_down, xs);
  place_layer (r, row, desired);
}

void
studio_layout_assign_coordinates (StudioLayoutRun *r)
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
      LayoutVertex *v = studio_layout_vertex (r, id);
      min_x = MIN (min_x, v->x - v->w / 2);
      max_x = MAX (max_x, v->x + v->w / 2);
    }
  for (guint id = 0; id < r->verts->len; id++)
    studio_layout_vertex (r, id)->x -= min_x;
  self->width = r->verts->len ? max_x - min_x : 0;

  for (guint l = 0; l < n_layers; l++)
    {
      GArray *row = g_ptr_array_index (r->layers, l);
      double h = 0;
      for (guint i = 0; i < row->len; i++)
        h = MAX (h, studio_layout_vertex (r, g_array_index (row, guint, i))->h);
      r->layer_y[l] = y;
      r->layer_h[l] = h;
      y += h + (l + 1 < n_layers ? self->layer_gap : 0);
    }
  self->height = y;

  for (guint i = 0; i < r->n; i++)
    {
      LayoutVertex *v = studio_layout_vertex (r, i);
      self->x[i] = v->x - v->w / 2;
      self->y[i] = r->layer_y[v->layer] + (r->layer_h[v->layer] - v->h) / 2;
    }
}
