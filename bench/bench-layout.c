/* bench-layout.c: time of the canvas' layered layout (StudioLayout) on
 * network-shaped graphs, against a trivial layout measured in the same run:
 * longest-path layers with boxes packed left to right, no crossing
 * reduction, no coordinate balancing, no edge routing. The ratio says what
 * the readable drawing costs over the least any layered drawing must do.
 *
 * Usage: bench-layout [--seconds S] [--markdown]
 * Targets (issue #7): ~500 operators (ResNet-50-sized) under 50 ms, 10 000
 * operators under 1 s. GLib only: this links the GTK-free layout sources. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "studio-layout.h"

typedef struct {
  guint from, to;
} Edge;

typedef struct {
  const char *name;
  guint n;
  GArray *edges; /* Edge */
} Graph;

static double min_seconds = 0.5;

/* Box widths vary like operator names do (112 to 240 units at 100 %). */
static double
node_width (guint i)
{
  return 112 + (i * 37) % 129;
}

static void
edge (Graph *g, guint from, guint to)
{
  Edge e = { from, to };
  g_array_append_val (g->edges, e);
}

static guint
chain (Graph *g, guint from, guint len)
{
  for (guint k = 0; k < len; k++)
    {
      edge (g, from, g->n);
      from = g->n++;
    }
  return from;
}

/* Bottleneck block: conv-bn-relu ×3 (the last without relu), a projection
 * shortcut (conv-bn) when `project`, then add and relu. */
static guint
bottleneck (Graph *g, guint in, gboolean project)
{
  guint body = chain (g, in, 8), skip = in, add;
  if (project)
    skip = chain (g, in, 2);
  add = g->n++;
  edge (g, body, add);
  edge (g, skip, add);
  return chain (g, add, 1);
}

/* Inception block: four branches of 1, 3, 5 and 2 operators joined by a
 * concat, so layers get wide and short branches need long edges. */
static guint
inception (Graph *g, guint in)
{
  static const guint lens[] = { 1, 3, 5, 2 };
  guint ends[G_N_ELEMENTS (lens)], concat;
  for (guint b = 0; b < G_N_ELEMENTS (lens); b++)
    ends[b] = chain (g, in, lens[b]);
  concat = g->n++;
  for (guint b = 0; b < G_N_ELEMENTS (lens); b++)
    edge (g, ends[b], concat);
  return concat;
}

/* What "Show Parameters" adds: a convolution's weight and bias, a batch
 * norm's four statistics, as sources feeding their operator. */
static Graph
with_params (const Graph *ops, const char *name)
{
  Graph g = { name, ops->n, g_array_copy (ops->edges) };
  for (guint i = 1; i < ops->n; i++)
    {
      guint n_params = i % 3 == 1 ? 2 : i % 3 == 2 ? 4 : 0;
      for (guint k = 0; k < n_params; k++)
        edge (&g, g.n++, i);
    }
  return g;
}

static Graph
graph_new (const char *name)
{
  Graph g = { name, 1, g_array_new (FALSE, FALSE, sizeof (Edge)) }; /* node 0: data */
  return g;
}

/* Stem, bottleneck stages with projections at each stage start, head. */
static Graph
build_resnet (guint target)
{
  Graph g = graph_new ("ResNet-like");
  guint x = chain (&g, 0, 4);
  for (guint blk = 0; g.n + 14 < target; blk++)
    x = bottleneck (&g, x, blk % 4 == 0);
  chain (&g, x, target - g.n);
  return g;
}

/* Residual stages with inception blocks in between, as in Inception-ResNet. */
static Graph
build_mixed (guint target)
{
  Graph g = graph_new ("Inception-ResNet-like");
  guint x = chain (&g, 0, 4);
  for (guint blk = 0; g.n + 20 < target; blk++)
    x = blk % 3 == 2 ? inception (&g, x) : bottleneck (&g, x, blk % 6 == 0);
  chain (&g, x, target - g.n);
  return g;
}

/* ---- the two layouts ------------------------------------------------------ */

typedef struct {
  const Graph *g;
  guint64 crossings;
  guint layers;
  double width, height;
} Run;

static void
run_layout (gpointer data)
{
  Run *run = data;
  g_autoptr (StudioLayout) layout = studio_layout_new ();
  studio_layout_set_spacing (layout, 28, 36);
  for (guint i = 0; i < run->g->n; i++)
    studio_layout_add_node (layout, node_width (i), 44);
  for (guint e = 0; e < run->g->edges->len; e++)
    {
      Edge *ed = &g_array_index (run->g->edges, Edge, e);
      studio_layout_add_edge (layout, ed->from, ed->to);
    }
  studio_layout_run (layout);
  run->crossings = studio_layout_get_n_crossings (layout);
  run->layers = studio_layout_get_n_layers (layout);
  studio_layout_get_size (layout, &run->width, &run->height);
}

/* Longest-path layering (edges go from lower to higher node ids here) and
 * left-to-right packing: what every layered drawing needs at the least. */
static void
run_baseline (gpointer data)
{
  Run *run = data;
  guint n = run->g->n, n_layers = 0;
  g_autofree guint *layer = g_new0 (guint, n);
  g_autofree double *x = g_new (double, n);
  g_autofree double *next_x = NULL;
  GArray *edges = run->g->edges;

  for (guint e = 0; e < edges->len; e++)
    {
      Edge *ed = &g_array_index (edges, Edge, e);
      layer[ed->to] = MAX (layer[ed->to], layer[ed->from] + 1);
    }
  for (guint i = 0; i < n; i++)
    n_layers = MAX (n_layers, layer[i] + 1);
  next_x = g_new0 (double, n_layers);
  for (guint i = 0; i < n; i++)
    {
      x[i] = next_x[layer[i]];
      next_x[layer[i]] += node_width (i) + 28;
    }
  run->layers = n_layers;
  run->width = 0;
  for (guint l = 0; l < n_layers; l++)
    run->width = MAX (run->width, next_x[l]);
  run->height = n_layers * (44 + 36.0);
}

typedef void (*BenchFunc) (gpointer data);

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* Median seconds per call over at least min_seconds (after a warm-up). */
static double
time_call (BenchFunc func, gpointer data)
{
  double times[2000];
  int n = 0;
  gint64 start;
  func (data);
  start = g_get_monotonic_time ();
  while (n < (int) G_N_ELEMENTS (times) && (n < 5 || (g_get_monotonic_time () - start) / 1e6 < min_seconds))
    {
      gint64 t0 = g_get_monotonic_time ();
      func (data);
      times[n++] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (times, n, sizeof (double), compare_doubles);
  return times[n / 2];
}

static void
bench (const Graph *g, double target_ms, gboolean markdown)
{
  Run layout = { g }, base = { g };
  double t = time_call (run_layout, &layout);
  double t0 = time_call (run_baseline, &base);
  const char *verdict = t * 1e3 < target_ms ? "yes" : "NO";

  if (markdown)
    printf ("| %s | %u | %u | %u | %" G_GUINT64_FORMAT " | %.2f | %.3f | %.0f× | < %.0f ms: %s |\n", g->name, g->n,
            g->edges->len, layout.layers, layout.crossings, t * 1e3, t0 * 1e3, t / t0, target_ms, verdict);
  else
    printf ("%-34s %6u nodes %6u edges %5u layers %5" G_GUINT64_FORMAT " crossings  layout %8.2f ms  "
            "baseline %7.3f ms  ratio %5.0f×  (target < %.0f ms: %s)\n",
            g->name, g->n, g->edges->len, layout.layers, layout.crossings, t * 1e3, t0 * 1e3, t / t0, target_ms,
            verdict);
}

int
main (int argc, char *argv[])
{
  gboolean markdown = FALSE;
  Graph graphs[6];

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--markdown"))
        markdown = TRUE;
      else if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
        min_seconds = g_ascii_strtod (argv[++i], NULL);
      else
        {
          fprintf (stderr, "usage: %s [--seconds S] [--markdown]\n", argv[0]);
          return 2;
        }
    }
  graphs[0] = build_resnet (500);
  graphs[1] = build_mixed (500);
  graphs[2] = build_resnet (10000);
  graphs[3] = build_mixed (10000);
  graphs[4] = with_params (&graphs[0], "ResNet-like, 500 + parameters");
  graphs[5] = with_params (&graphs[2], "ResNet-like, 10 000 + parameters");
  graphs[0].name = "ResNet-like, 500";
  graphs[1].name = "Inception-ResNet, 500";
  graphs[2].name = "ResNet-like, 10 000";
  graphs[3].name = "Inception-ResNet, 10 000";

  if (markdown)
    printf ("| graph | nodes | edges | layers | crossings | layout ms | baseline ms | ratio | target |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    bench (&graphs[i], graphs[i].edges->len > 2000 ? 1000 : 50, markdown);
  for (guint i = 0; i < G_N_ELEMENTS (graphs); i++)
    g_array_unref (graphs[i].edges);
  return 0;
}
