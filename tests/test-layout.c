/* test-layout.c: the layered graph layout, without a display. */
#include <math.h>

#include "studio-graph-groups.h"
#include "studio-layout.h"

#define EPS 1e-6

typedef struct {
  guint from, to;
} Edge;

static StudioLayout *
build (guint n, const Edge *edges, guint n_edges)
{
  StudioLayout *layout = studio_layout_new ();
  for (guint i = 0; i < n; i++)
    /* varied widths, so overlaps would show */
    studio_layout_add_node (layout, 80 + (i * 37) % 90, 40 + (i % 3) * 6);
  for (guint e = 0; e < n_edges; e++)
    studio_layout_add_edge (layout, edges[e].from, edges[e].to);
  studio_layout_run (layout);
  return layout;
}

static void
node_box (StudioLayout *layout, guint i, double *x, double *y, double *w, double *h)
{
  studio_layout_get_node_position (layout, i, x, y);
  *w = 80 + (i * 37) % 90;
  *h = 40 + (i % 3) * 6;
}

/* The canvas draws each piece of an edge inside the bounding box of two
 * consecutive points (a straight run or an S-curve), so no such box may
 * reach into a node box. Touching a border is fine: that is where an edge
 * starts and ends. */
static void
check_clear_of_boxes (StudioLayout *layout, guint n, const StudioPoint *p, guint np)
{
  for (guint k = 1; k < np; k++)
    {
      double x0 = MIN (p[k - 1].x, p[k].x), x1 = MAX (p[k - 1].x, p[k].x);
      double y0 = p[k - 1].y, y1 = p[k].y;
      for (guint i = 0; i < n; i++)
        {
          double x, y, w, h;
          node_box (layout, i, &x, &y, &w, &h);
          if (x1 <= x + EPS || x0 >= x + w - EPS || y1 <= y + EPS || y0 >= y + h - EPS)
            continue;
          g_error ("edge piece (%g,%g)-(%g,%g) runs through node %u (%g,%g %gx%g)", p[k - 1].x, y0, p[k].x, y1, i,
                   x, y, w, h);
        }
    }
}

/* Every invariant the canvas relies on, for any input graph. */
static void
check_invariants (StudioLayout *layout, guint n, const Edge *edges, guint n_edges)
{
  double lw, lh;
  studio_layout_get_size (layout, &lw, &lh);

  for (guint i = 0; i < n; i++)
    {
      double x, y, w, h;
      node_box (layout, i, &x, &y, &w, &h);
      g_assert_true (isfinite (x) && isfinite (y));
      g_assert_cmpfloat (x, >=, -EPS);
      g_assert_cmpfloat (y, >=, -EPS);
      g_assert_cmpfloat (x + w, <=, lw + EPS);
      g_assert_cmpfloat (y + h, <=, lh + EPS);
      for (guint j = i + 1; j < n; j++)
        {
          double x2, y2, w2, h2;
          node_box (layout, j, &x2, &y2, &w2, &h2);
          gboolean apart = x + w <= x2 + EPS || x2 + w2 <= x + EPS || y + h <= y2 + EPS || y2 + h2 <= y + EPS;
          if (!apart)
            g_error ("nodes %u and %u overlap: (%g,%g %gx%g) (%g,%g %gx%g)", i, j, x, y, w, h, x2, y2, w2, h2);
        }
    }

  for (guint e = 0; e < n_edges; e++)
    {
      guint np;
      const StudioPoint *p = studio_layout_get_edge_points (layout, e, &np);
      double fx, fy, fw, fh, tx, ty, tw, th;
      g_assert_cmpuint (studio_layout_get_node_layer (layout, edges[e].from), <,
                        studio_layout_get_node_layer (layout, edges[e].to));
      g_assert_nonnull (p);
      g_assert_cmpuint (np, >=, 2);
      node_box (layout, edges[e].from, &fx, &fy, &fw, &fh);
      node_box (layout, edges[e].to, &tx, &ty, &tw, &th);
      /* starts on the bottom edge of its source, ends on top of its target */
      g_assert_cmpfloat (fabs (p[0].y - (fy + fh)), <, EPS);
      g_assert_cmpfloat (p[0].x, >=, fx - EPS);
      g_assert_cmpfloat (p[0].x, <=, fx + fw + EPS);
      g_assert_cmpfloat (fabs (p[np - 1].y - ty), <, EPS);
      g_assert_cmpfloat (p[np - 1].x, >=, tx - EPS);
      g_assert_cmpfloat (p[np - 1].x, <=, tx + tw + EPS);
      for (guint k = 1; k < np; k++)
        g_assert_cmpfloat (p[k].y, >, p[k - 1].y);
      check_clear_of_boxes (layout, n, p, np);
    }
}

static void
test_single (void)
{
  g_autoptr (StudioLayout) layout = build (1, NULL, 0);
  double x, y, w, h;
  studio_layout_get_node_position (layout, 0, &x, &y);
  studio_layout_get_size (layout, &w, &h);
  g_assert_cmpfloat (x, ==, 0);
  g_assert_cmpfloat (y, ==, 0);
  g_assert_cmpfloat (w, ==, 80);
  g_assert_cmpfloat (h, ==, 40);
  g_assert_cmpuint (studio_layout_get_n_layers (layout), ==, 1);
}

static void
test_empty (void)
{
  g_autoptr (StudioLayout) layout = studio_layout_new ();
  double w, h;
  studio_layout_run (layout);
  studio_layout_get_size (layout, &w, &h);
  g_assert_cmpfloat (w, ==, 0);
  g_assert_cmpfloat (h, ==, 0);
}

static void
test_chain (void)
{
  Edge edges[9];
  g_autoptr (StudioLayout) layout = NULL;
  for (guint i = 0; i < 9; i++)
    edges[i] = (Edge) { i, i + 1 };
  layout = build (10, edges, 9);
  check_invariants (layout, 10, edges, 9);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (studio_layout_get_node_layer (layout, i), ==, i);
  /* A chain is a straight column: all centres on one vertical line. */
  for (guint i = 1; i < 10; i++)
    {
      double x0, y0, w0, h0, x1, y1, w1, h1;
      node_box (layout, i - 1, &x0, &y0, &w0, &h0);
      node_box (layout, i, &x1, &y1, &w1, &h1);
      g_assert_cmpfloat (fabs ((x0 + w0 / 2) - (x1 + w1 / 2)), <, 0.5);
    }
}

static void
test_diamond (void)
{
  const Edge edges[] = { { 0, 1 }, { 0, 2 }, { 1, 3 }, { 2, 3 } };
  g_autoptr (StudioLayout) layout = build (4, edges, G_N_ELEMENTS (edges));
  double x1, y1, x2, y2;
  check_invariants (layout, 4, edges, G_N_ELEMENTS (edges));
  g_assert_cmpuint (studio_layout_get_node_layer (layout, 1), ==, 1);
  g_assert_cmpuint (studio_layout_get_node_layer (layout, 2), ==, 1);
  g_assert_cmpuint (studio_layout_get_node_layer (layout, 3), ==, 2);
  studio_layout_get_node_position (layout, 1, &x1, &y1);
  studio_layout_get_node_position (layout, 2, &x2, &y2);
  g_assert_cmpfloat (x1, !=, x2);
}

static void
test_long_edge (void)
{
  /* 0 -> 1 -> 2 -> 3 plus the skip 0 -> 3: the skip is routed through two
   * dummies and must not cut through the boxes of 1 and 2. */
  const Edge edges[] = { { 0, 1 }, { 1, 2 }, { 2, 3 }, { 0, 3 } };
  g_autoptr (StudioLayout) layout = build (4, edges, G_N_ELEMENTS (edges));
  guint np;
  const StudioPoint *p;

  check_invariants (layout, 4, edges, G_N_ELEMENTS (edges));
  p = studio_layout_get_edge_points (layout, 3, &np);
  g_assert_cmpuint (np, ==, 6);
  for (guint mid = 1; mid <= 2; mid++)
    {
      double x, y, w, h;
      node_box (layout, mid, &x, &y, &w, &h);
      for (guint k = 1; k + 1 < np; k++)
        if (p[k].y >= y && p[k].y <= y + h)
          g_assert_true (p[k].x < x || p[k].x > x + w);
    }
}

static void
test_reversed_input_order (void)
{
  /* Nodes added consumers first: the layout must not care. */
  const Edge edges[] = { { 3, 2 }, { 2, 1 }, { 1, 0 }, { 3, 0 } };
  g_autoptr (StudioLayout) layout = build (4, edges, G_N_ELEMENTS (edges));
  check_invariants (layout, 4, edges, G_N_ELEMENTS (edges));
}

static void
test_cycle (void)
{
  /* Not a model graph, but the layout must still terminate and not overlap. */
  const Edge edges[] = { { 0, 1 }, { 1, 2 }, { 2, 0 }, { 2, 2 } };
  g_autoptr (StudioLayout) layout = build (3, edges, G_N_ELEMENTS (edges));
  guint np;
  studio_layout_get_edge_points (layout, 3, &np);
  g_assert_cmpuint (np, ==, 0);
  check_invariants (layout, 3, NULL, 0);
}

static void
add_edge (GArray *edges, guint from, guint to)
{
  Edge e = { from, to };
  g_array_append_val (edges, e);
}

/* A ResNet-like graph: stem, then blocks of conv-bn-relu-conv-bn + skip add
 * (every fourth block with a projection branch), then a head. */
static GArray *
resnet_edges (guint target, guint *n_nodes)
{
  GArray *edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  guint n = 0, prev;
#define EDGE(a, b) add_edge (edges, (a), (b))
  prev = n++; /* data */
  for (guint i = 0; i < 3; i++, n++)
    {
      EDGE (prev, n);
      prev = n;
    }
  while (n + 12 < target)
    {
      guint block_in = prev, skip = block_in, add;
      gboolean project = (n / 7) % 4 == 0;
      for (guint i = 0; i < 5; i++, n++)
        {
          EDGE (prev, n);
          prev = n;
        }
      if (project)
        {
          EDGE (block_in, n);
          EDGE (n, n + 1);
          skip = n + 1;
          n += 2;
        }
      add = n++;
      EDGE (prev, add);
      EDGE (skip, add);
      EDGE (add, n);
      prev = n++;
    }
  while (n < target)
    {
      EDGE (prev, n);
      prev = n++;
    }
#undef EDGE
  *n_nodes = n;
  return edges;
}

static void
test_resnet (void)
{
  guint n;
  g_autoptr (GArray) edges = resnet_edges (500, &n);
  g_autoptr (StudioLayout) layout = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_cmpuint (n, ==, 500);
  layout = build (n, (Edge *) edges->data, edges->len);
  g_test_message ("500 nodes, %u edges: %.1f ms, %u layers", edges->len,
                  (g_get_monotonic_time () - start) / 1000.0, studio_layout_get_n_layers (layout));
  check_invariants (layout, n, (Edge *) edges->data, edges->len);
}

/* Residual blocks joined in a chain must stay a straight column, with the
 * skips beside it, instead of drifting sideways block after block. */
static void
test_residual_no_drift (void)
{
  g_autoptr (GArray) edges = g_array_new (FALSE, FALSE, sizeof (Edge));
  g_autoptr (StudioLayout) layout = NULL;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  guint n = 1, in = 0;

  for (guint blk = 0; blk < 60; blk++, n += 4)
    {
      add_edge (edges, in, n);
      add_edge (edges, n, n + 1);
      add_edge (edges, n + 1, n + 2);
      add_edge (edges, n + 2, n + 3);
      add_edge (edges, in, n + 3);
      in = n + 3;
    }
  layout = build (n, (Edge *) edges->data, edges->len);
  check_invariants (layout, n, (Edge *) edges->data, edges->len);
  for (guint i = 0; i < n; i++)
    {
      double x, y, w, h;
      node_box (layout, i, &x, &y, &w, &h);
      lo = MIN (lo, x + w / 2);
      hi = MAX (hi, x + w / 2);
    }
  g_test_message ("centres spread over %.1f", hi - lo);
  g_assert_cmpfloat (hi - lo, <, 40);
}

static void
test_deterministic (void)
{
  guint n;
  g_autoptr (GArray) edges = resnet_edges (200, &n);
  g_autoptr (StudioLayout) a = build (n, (Edge *) edges->data, edges->len);
  g_autoptr (StudioLayout) b = build (n, (Edge *) edges->data, edges->len);

  for (guint i = 0; i < n; i++)
    {
      double xa, ya, xb, yb;
      studio_layout_get_node_position (a, i, &xa, &ya);
      studio_layout_get_node_position (b, i, &xb, &yb);
      g_assert_cmpfloat (xa, ==, xb);
      g_assert_cmpfloat (ya, ==, yb);
    }
  for (guint e = 0; e < edges->len; e++)
    {
      guint na, nb;
      const StudioPoint *pa = studio_layout_get_edge_points (a, e, &na);
      const StudioPoint *pb = studio_layout_get_edge_points (b, e, &nb);
      g_assert_cmpuint (na, ==, nb);
      g_assert_cmpmem (pa, na * sizeof (StudioPoint), pb, nb * sizeof (StudioPoint));
    }
  /* Running the same layout object again gives the same answer too. */
  studio_layout_run (a);
  for (guint i = 0; i < n; i++)
    {
      double xa, ya, xb, yb;
      studio_layout_get_node_position (a, i, &xa, &ya);
      studio_layout_get_node_position (b, i, &xb, &yb);
      g_assert_cmpfloat (xa, ==, xb);
      g_assert_cmpfloat (ya, ==, yb);
    }
}

static void
test_wide_fanout (void)
{
  /* One producer feeding 30 consumers that all join again. */
  Edge edges[60];
  g_autoptr (StudioLayout) layout = NULL;
  for (guint i = 0; i < 30; i++)
    {
      edges[2 * i] = (Edge) { 0, i + 1 };
      edges[2 * i + 1] = (Edge) { i + 1, 31 };
    }
  layout = build (32, edges, 60);
  check_invariants (layout, 32, edges, 60);
}

/* ---- crossing counts on known graphs ------------------------------------ */

static guint64
layout_crossings (guint n, const Edge *edges, guint n_edges)
{
  g_autoptr (StudioLayout) layout = build (n, edges, n_edges);
  check_invariants (layout, n, edges, n_edges);
  return studio_layout_get_n_crossings (layout);
}

static guint64
crossings_for (const Edge *edges, guint n_edges, const guint *pos)
{
  guint64 c = 0;
  for (guint i = 0; i < n_edges; i++)
    for (guint j = i + 1; j < n_edges; j++)
      {
        gint64 a = (gint64) pos[edges[i].from] - pos[edges[j].from];
        gint64 b = (gint64) pos[edges[i].to] - pos[edges[j].to];
        c += (a < 0 && b > 0) || (a > 0 && b < 0);
      }
  return c;
}

/* Next permutation of perm[0..n) in lexicographic order; FALSE after the last. */
static gboolean
next_permutation (guint *perm, guint n)
{
  guint i = n - 1, j = n - 1;
  while (i > 0 && perm[i - 1] >= perm[i])
    i--;
  if (i == 0)
    return FALSE;
  while (perm[j] <= perm[i - 1])
    j--;
  guint t = perm[i - 1];
  perm[i - 1] = perm[j], perm[j] = t;
  for (j = n - 1; i < j; i++, j--)
    t = perm[i], perm[i] = perm[j], perm[j] = t;
  return TRUE;
}

/* Fewest crossings of a two-layer graph (sources 0..top-1, sinks after),
 * by trying every order of both layers. */
static guint64
brute_force_two_layer (guint top, guint bottom, const Edge *edges, guint n_edges)
{
  guint ptop[8], pbot[8], pos[16];
  guint64 best = G_MAXUINT64;
  for (guint i = 0; i < top; i++)
    ptop[i] = i;
  do
    {
      for (guint i = 0; i < bottom; i++)
        pbot[i] = i;
      do
        {
          for (guint i = 0; i < top; i++)
            pos[i] = ptop[i];
          for (guint i = 0; i < bottom; i++)
            pos[top + i] = pbot[i];
          best = MIN (best, crossings_for (edges, n_edges, pos));
        }
      while (next_permutation (pbot, bottom));
    }
  while (next_permutation (ptop, top));
  return best;
}

static void
test_crossings_complete_bipartite (void)
{
  /* K(m,n) on two layers crosses C(m,2)·C(n,2) times in every order. */
  Edge k22[4], k33[9];
  for (guint i = 0; i < 2; i++)
    for (guint j = 0; j < 2; j++)
      k22[i * 2 + j] = (Edge) { i, 2 + j };
  for (guint i = 0; i < 3; i++)
    for (guint j = 0; j < 3; j++)
      k33[i * 3 + j] = (Edge) { i, 3 + j };
  g_assert_cmpuint (layout_crossings (4, k22, 4), ==, 1);
  g_assert_cmpuint (layout_crossings (6, k33, 9), ==, 9);
}

static void
test_crossings_untangled (void)
{
  /* A ladder added with its rungs reversed, a tree added in a scrambled
   * order: both have a drawing without crossings, and the layout finds it. */
  Edge ladder[6];
  static const Edge tree[] = {
    { 0, 5 }, { 0, 2 }, { 5, 9 }, { 5, 1 }, { 2, 7 }, { 2, 3 }, { 9, 4 }, { 1, 8 }, { 7, 6 }, { 3, 10 },
    { 9, 11 }, { 7, 12 },
  };
  for (guint i = 0; i < 6; i++)
    ladder[i] = (Edge) { i, 6 + 5 - i };
  g_assert_cmpuint (layout_crossings (12, ladder, 6), ==, 0);
  g_assert_cmpuint (layout_crossings (13, tree, G_N_ELEMENTS (tree)), ==, 0);
}

static void
test_crossings_two_layer_near_optimal (void)
{
  /* Small two-layer graphs from a fixed seed, against the optimum found by
   * trying every order. Fewest crossings is NP-hard even on two layers and
   * the sweeps are a local search, so they may miss now and then; they must
   * reach the optimum on most graphs and stay within 10 % of it overall. */
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  guint64 total = 0, total_best = 0;
  guint exact = 0, rounds = 60;
  for (guint round = 0; round < rounds; round++)
    {
      guint top = g_rand_int_range (rng, 3, 7), bottom = g_rand_int_range (rng, 3, 7), n_edges = 0;
      Edge edges[64];
      for (guint i = 0; i < top; i++)
        for (guint j = 0; j < bottom; j++)
          if (g_rand_int_range (rng, 0, 100) < 35 || j == i % bottom || i == j % top)
            edges[n_edges++] = (Edge) { i, top + j };
      guint64 best = brute_force_two_layer (top, bottom, edges, n_edges);
      guint64 got = layout_crossings (top + bottom, edges, n_edges);
      g_assert_cmpuint (got, >=, best);
      total += got, total_best += best, exact += got == best;
    }
  g_test_message ("%u of %u graphs at the optimum; %" G_GUINT64_FORMAT " crossings, optimum %" G_GUINT64_FORMAT,
                  exact, rounds, total, total_best);
  g_assert_cmpuint (exact, >=, rounds * 3 / 4);
  g_assert_cmpfloat (total, <=, total_best * 1.10);
}

/* A ResNet-like and an Inception-like graph (parallel branches of different
 * lengths joined by a concat) can both be drawn without crossings. */
static void
test_crossings_networks (void)
{
  guint n;
  g_autoptr (GArray) res = resnet_edges (500, &n);
  g_autoptr (GArray) inc = g_array_new (FALSE, FALSE, sizeof (Edge));
  guint in = 0, m = 1;

  g_assert_cmpuint (layout_crossings (n, (Edge *) res->data, res->len), ==, 0);
  for (guint blk = 0; blk < 12; blk++)
    {
      guint concat;
      guint lens[4] = { 1, 3, 3, 2 };
      g_autoptr (GArray) ends = g_array_new (FALSE, FALSE, sizeof (guint));
      for (guint b = 0; b < 4; b++)
        {
          guint prev = in;
          for (guint k = 0; k < lens[(b + blk) % 4]; k++, m++)
            {
              add_edge (inc, prev, m);
              prev = m;
            }
          g_array_append_val (ends, prev);
        }
      concat = m++;
      for (guint b = 0; b < 4; b++)
        add_edge (inc, g_array_index (ends, guint, b), concat);
      in = concat;
    }
  g_assert_cmpuint (layout_crossings (m, (Edge *) inc->data, inc->len), ==, 0);
}

/* ---- name-scope groups ----------------------------------------------------- */

static guint
chain_op (MrtModel *m, const char *name, guint in)
{
  MrtEntry e = { in, 0 };
  return mrt_model_add_node (m, name, "relu", NULL, &e, 1);
}

static void
test_groups_nested_and_convex (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (StudioGraphGroups) groups = NULL;
  guint x = mrt_model_add_variable (m, "data"), a;
  gint unit1, unit2, stage;

  /* stage1_unit1 and stage1_unit2 nest in stage1. */
  x = chain_op (m, "stage1_unit1_relu1", x);
  x = chain_op (m, "stage1_unit1_relu2", x);
  x = chain_op (m, "stage1_unit2_relu1", x);
  x = chain_op (m, "stage1_unit2_relu2", x);
  /* "odd" is not convex: odd_a -> other -> odd_b. Collapsed, it would
   * make a cycle with "other", so it is no group. */
  a = chain_op (m, "odd_a", x);
  x = chain_op (m, "other", a);
  x = mrt_model_add_node (m, "odd_b", "elemwise_add", NULL, (MrtEntry[]) { { x, 0 }, { a, 0 } }, 2);
  x = chain_op (m, "tail0", x);
  x = chain_op (m, "tail1", x);
  x = chain_op (m, "tail2", x);
  mrt_model_add_head (m, (MrtEntry) { x, 0 });

  groups = studio_graph_groups_new (m);
  g_assert_cmpuint (studio_graph_groups_get_n (groups), ==, 3);
  unit1 = studio_graph_groups_of (groups, 1);
  unit2 = studio_graph_groups_of (groups, 3);
  stage = studio_graph_groups_get_parent (groups, (guint) unit1);
  g_assert_cmpstr (studio_graph_groups_get_name (groups, (guint) unit1), ==, "stage1_unit1");
  g_assert_cmpstr (studio_graph_groups_get_name (groups, (guint) stage), ==, "stage1");
  g_assert_cmpint (studio_graph_groups_get_parent (groups, (guint) unit2), ==, stage);
  g_assert_cmpuint (studio_graph_groups_get_n_ops (groups, (guint) stage), ==, 4);
  g_assert_cmpuint (studio_graph_groups_get_last (groups, (guint) stage), ==, 4);
  g_assert_true (studio_graph_groups_contains (groups, (guint) stage, 2));
  g_assert_cmpint (studio_graph_groups_of (groups, 5), ==, -1); /* odd_a */
  g_assert_cmpint (studio_graph_groups_of (groups, 0), ==, -1); /* data */

  /* The box that shows a node: the outermost collapsed group. */
  {
    gboolean collapsed[3] = { FALSE, FALSE, FALSE };
    g_assert_cmpint (studio_graph_groups_box_of (groups, 2, collapsed), ==, -1);
    collapsed[unit1] = TRUE;
    g_assert_cmpint (studio_graph_groups_box_of (groups, 2, collapsed), ==, unit1);
    g_assert_cmpint (studio_graph_groups_box_of (groups, 3, collapsed), ==, -1);
    collapsed[stage] = TRUE;
    g_assert_cmpint (studio_graph_groups_box_of (groups, 2, collapsed), ==, stage);
    g_assert_cmpint (studio_graph_groups_box_of (groups, 3, collapsed), ==, stage);
  }
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/layout/empty", test_empty);
  g_test_add_func ("/layout/single", test_single);
  g_test_add_func ("/layout/chain", test_chain);
  g_test_add_func ("/layout/diamond", test_diamond);
  g_test_add_func ("/layout/long-edge", test_long_edge);
  g_test_add_func ("/layout/reversed-input-order", test_reversed_input_order);
  g_test_add_func ("/layout/cycle", test_cycle);
  g_test_add_func ("/layout/wide-fanout", test_wide_fanout);
  g_test_add_func ("/layout/resnet", test_resnet);
  g_test_add_func ("/layout/residual-no-drift", test_residual_no_drift);
  g_test_add_func ("/layout/deterministic", test_deterministic);
  g_test_add_func ("/layout/crossings/complete-bipartite", test_crossings_complete_bipartite);
  g_test_add_func ("/layout/crossings/untangled", test_crossings_untangled);
  g_test_add_func ("/layout/crossings/two-layer-near-optimal", test_crossings_two_layer_near_optimal);
  g_test_add_func ("/layout/crossings/networks", test_crossings_networks);
  g_test_add_func ("/layout/groups", test_groups_nested_and_convex);
  return g_test_run ();
}
