/* bench-conv.c: convolution throughput for the layer shapes of a CIFAR
 * ResNet-20 at batch 64, against plain cblas_sgemm of the same M/N/K in the
 * same process, plus whole-model images/s for a ResNet-20 built in code.
 *
 * Usage: bench-conv [--batch N] [--seconds S] [--markdown] [--profile] [--cpu-time]
 * The conv rows call the Convolution op's float kernel directly (what the
 * executor calls, with preallocated outputs); the model row goes through
 * mrt_model_forward. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "mrt.h"

#include "bench-common.h"

static void
fill (MrtTensor *t, GRand *rng)
{
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) g_rand_double_range (rng, -1, 1);
}

typedef struct {
  int m, n, k;
  float *a, *b, *c;
} GemmRun;

static void
run_gemm (gpointer data)
{
  GemmRun *g = data;
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, g->m, g->n, g->k, 1.0f, g->a, g->k, g->b, g->n, 0.0f,
               g->c, g->n);
}

static void
bench_layer (const BenchLayer *l, int batch, GRand *rng, gboolean markdown, double *sum_conv, double *sum_gemm)
{
  int o = (l->hw + 2 * l->p - l->k) / l->s + 1;
  int m = l->f, n = batch * o * o, k = l->c * l->k * l->k;
  double flops = 2.0 * m * n * k, t_conv, t_gemm;
  g_autoptr (MrtModel) model = mrt_model_new ();
  MrtEntry in[3] = { { mrt_model_add_variable (model, "data"), 0 }, { mrt_model_add_variable (model, "w"), 0 },
                     { mrt_model_add_variable (model, "b"), 0 } };
  guint node = mrt_model_add_node (model, "conv", "Convolution", bench_conv_attrs (l->f, l->k, l->s, l->p, FALSE), in, 3);
  BenchFloatConv r = { mrt_op_lookup ("Convolution"), mrt_model_node (model, node) };
  GemmRun g = { m, n, k };

  r.in[0] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { batch, l->c, l->hw, l->hw } });
  r.in[1] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { l->f, l->c, l->k, l->k } });
  r.in[2] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 1, { l->f } });
  r.out = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { batch, l->f, o, o } });
  for (int i = 0; i < 3; i++)
    fill (r.in[i], rng);

  g.a = g_new (float, (gsize) m * k);
  g.b = g_new (float, (gsize) k * n);
  g.c = g_new (float, (gsize) m * n);
  for (gsize i = 0; i < (gsize) m * k; i++)
    g.a[i] = (float) g_rand_double_range (rng, -1, 1);
  for (gsize i = 0; i < (gsize) k * n; i++)
    g.b[i] = (float) g_rand_double_range (rng, -1, 1);
  bench_time_pair (bench_run_float_conv, &r, run_gemm, &g, 5, &t_conv, &t_gemm);

  *sum_conv += t_conv;
  *sum_gemm += t_gemm;
  if (markdown)
    printf ("| %s%s | %d | %d | %d | %.2f | %.1f | %.1f | %.0f%% |\n", l->name, l->shortcut ? " (shortcut)" : "", m, n, k, t_conv * 1e3, flops / t_conv / 1e9,
            flops / t_gemm / 1e9, 100.0 * t_gemm / t_conv);
  else
    printf ("%-20s%-12s M=%-3d N=%-6d K=%-4d %8.2f ms %7.1f GFLOP/s   sgemm %7.1f GFLOP/s   ratio %3.0f%%\n", l->name,
            l->shortcut ? " (shortcut)" : "", m, n, k,
            t_conv * 1e3, flops / t_conv / 1e9, flops / t_gemm / 1e9, 100.0 * t_gemm / t_conv);
  for (int i = 0; i < 3; i++)
    mrt_tensor_unref (r.in[i]);
  mrt_tensor_unref (r.out);
  g_free (g.a);
  g_free (g.b);
  g_free (g.c);
}

/* ---- ResNet-20 (CIFAR, v1: conv-BN-ReLU, 1x1 projection shortcuts) ---- */

typedef struct {
  MrtModel *m;
  GRand *rng;
  int counter;
} Net;

static MrtEntry
param (Net *net, const char *base, const MrtShape *shape, double lo, double hi)
{
  g_autofree char *name = g_strdup_printf ("%s_%d", base, net->counter++);
  g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) g_rand_double_range (net->rng, lo, hi);
  mrt_model_set_param (net->m, name, t);
  return (MrtEntry){ mrt_model_add_variable (net->m, name), 0 };
}

static MrtEntry
node (Net *net, const char *op, GHashTable *attrs, const MrtEntry *in, guint n)
{
  g_autofree char *name = g_strdup_printf ("%s_%d", op, net->counter++);
  return (MrtEntry){ mrt_model_add_node (net->m, name, op, attrs, in, n), 0 };
}

static GHashTable *
attrs1 (const char *key, const char *value)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (h, g_strdup (key), g_strdup (value));
  return h;
}

/* conv (no bias) + BN, optionally + ReLU */
static MrtEntry
conv_bn (Net *net, MrtEntry x, int c, int f, int k, int s, gboolean relu)
{
  double scale = 1.0 / sqrt (c * k * k);
  MrtEntry in[5] = { x, param (net, "w", &(MrtShape){ 4, { f, c, k, k } }, -scale, scale) };
  MrtEntry y = node (net, "Convolution", bench_conv_attrs (f, k, s, k / 2, TRUE), in, 2);
  MrtEntry bn[5] = { y, param (net, "gamma", &(MrtShape){ 1, { f } }, 0.5, 1.5),
                     param (net, "beta", &(MrtShape){ 1, { f } }, -0.1, 0.1),
                     param (net, "mean", &(MrtShape){ 1, { f } }, -0.1, 0.1),
                     param (net, "var", &(MrtShape){ 1, { f } }, 0.5, 1.5) };
  y = node (net, "BatchNorm", attrs1 ("fix_gamma", "False"), bn, 5);
  return relu ? node (net, "Activation", attrs1 ("act_type", "relu"), &y, 1) : y;
}

static MrtModel *
resnet20 (GRand *rng)
{
  Net net = { mrt_model_new (), rng, 0 };
  MrtEntry x = { mrt_model_add_variable (net.m, "data"), 0 };
  int c = 16;
  x = conv_bn (&net, x, 3, 16, 3, 1, TRUE);
  for (int stage = 0; stage < 3; stage++)
    for (int b = 0; b < 3; b++)
      {
        int f = 16 << stage, s = stage > 0 && b == 0 ? 2 : 1;
        MrtEntry y = conv_bn (&net, x, c, f, 3, s, TRUE);
        MrtEntry sc = s == 2 ? conv_bn (&net, x, c, f, 1, s, FALSE) : x;
        MrtEntry sum[2];
        y = conv_bn (&net, y, f, f, 3, 1, FALSE);
        sum[0] = y, sum[1] = sc;
        y = node (&net, "elemwise_add", NULL, sum, 2);
        x = node (&net, "Activation", attrs1 ("act_type", "relu"), &y, 1);
        c = f;
      }
  {
    GHashTable *pool = attrs1 ("global_pool", "True");
    MrtEntry fc[3];
    g_hash_table_insert (pool, g_strdup ("pool_type"), g_strdup ("avg"));
    g_hash_table_insert (pool, g_strdup ("kernel"), g_strdup ("(8, 8)"));
    fc[0] = node (&net, "Pooling", pool, &x, 1);
    fc[1] = param (&net, "fc_w", &(MrtShape){ 2, { 10, 64 } }, -0.1, 0.1);
    fc[2] = param (&net, "fc_b", &(MrtShape){ 1, { 10 } }, -0.1, 0.1);
    x = node (&net, "FullyConnected", attrs1 ("num_hidden", "10"), fc, 3);
    x = node (&net, "softmax", NULL, &x, 1);
  }
  mrt_model_add_head (net.m, x);
  return net.m;
}

typedef struct {
  MrtModel *model;
  MrtTensor *input;
} ModelRun;

static void
run_model (gpointer data)
{
  ModelRun *r = data;
  GError *error = NULL;
  MrtTensor *out = mrt_model_forward1 (r->model, r->input, &error);
  if (out == NULL)
    g_error ("model run failed: %s", error->message);
  mrt_tensor_unref (out);
}

typedef struct {
  GHashTable *totals; /* op name -> gint64 microseconds (in a gpointer) */
  gint64 last;
} Profile;

static gboolean
observe (const MrtModel *model, guint i, MrtTensor *const *outputs, gpointer user_data, GError **error)
{
  Profile *p = user_data;
  gint64 now = g_get_monotonic_time ();
  const char *op = mrt_model_node (model, i)->op;
  gint64 t = GPOINTER_TO_SIZE (g_hash_table_lookup (p->totals, op));
  g_hash_table_insert (p->totals, (gpointer) op, GSIZE_TO_POINTER (t + now - p->last));
  p->last = now;
  return TRUE;
}

/* Time per operator type over `runs` whole-model runs. */
static void
profile_model (MrtModel *model, MrtTensor *input, int runs)
{
  Profile p = { g_hash_table_new (g_str_hash, g_str_equal) };
  MrtRunOptions opt = { observe, &p };
  GHashTableIter it;
  gpointer k, v;
  for (int r = 0; r < runs; r++)
    {
      GPtrArray *out;
      p.last = g_get_monotonic_time ();
      out = mrt_model_forward (model, &input, 1, &opt, NULL);
      g_ptr_array_unref (out);
    }
  printf ("\nper operator type (mean of %d runs):\n", runs);
  g_hash_table_iter_init (&it, p.totals);
  while (g_hash_table_iter_next (&it, &k, &v))
    printf ("  %-16s %8.2f ms\n", (const char *) k, GPOINTER_TO_SIZE (v) / 1e3 / runs);
  g_hash_table_unref (p.totals);
}

int
main (int argc, char **argv)
{
  gboolean markdown = FALSE, profile = FALSE;
  int batch = 64;
  double sum_conv = 0, sum_gemm = 0, t_model;
  g_autoptr (GRand) rng = g_rand_new_with_seed (7);
  g_autofree char *cpu = bench_cpu_model ();
  g_autoptr (MrtModel) model = NULL;
  g_autoptr (GError) error = NULL;
  ModelRun mr;

  bench_min_seconds = 0.5;
  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--markdown") == 0)
      markdown = TRUE;
    else if (strcmp (argv[i], "--profile") == 0)
      profile = TRUE;
    else if (strcmp (argv[i], "--cpu-time") == 0)
      bench_cpu_time = TRUE;
    else if (strcmp (argv[i], "--batch") == 0 && i + 1 < argc)
      batch = atoi (argv[++i]);
    else if (strcmp (argv[i], "--seconds") == 0 && i + 1 < argc)
      bench_min_seconds = g_ascii_strtod (argv[++i], NULL);
    else
      {
        fprintf (stderr, "usage: %s [--batch N] [--seconds S] [--markdown] [--profile] [--cpu-time]\n", argv[0]);
        return 2;
      }
  if (batch < 1)
    batch = 1;

  printf ("CPU: %s; %u online CPUs; OpenBLAS %s; OpenBLAS threads: %d; batch %d; %s time\n\n", cpu,
          g_get_num_processors (), openblas_get_config (), openblas_get_num_threads (), batch,
          bench_cpu_time ? "CPU" : "wall");
  if (markdown)
    printf ("| layer | M | N | K | conv ms | conv GFLOP/s | sgemm GFLOP/s | conv / sgemm |\n"
            "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  for (guint i = 0; i < G_N_ELEMENTS (bench_layers); i++)
    bench_layer (&bench_layers[i], batch, rng, markdown, &sum_conv, &sum_gemm);
  printf (markdown ? "\nAll conv layer shapes once each: %.1f ms, sgemm alone %.1f ms (%.0f%%)\n"
                   : "\nall layer shapes once each: conv %.1f ms, sgemm %.1f ms (ratio %.0f%%)\n",
          sum_conv * 1e3, sum_gemm * 1e3, 100 * sum_gemm / sum_conv);

  model = resnet20 (rng);
  if (!mrt_model_validate (model, &error))
    {
      fprintf (stderr, "ResNet-20 does not validate: %s\n", error->message);
      return 1;
    }
  mr.model = model;
  mr.input = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { batch, 3, 32, 32 } });
  fill (mr.input, rng);
  bench_time_pair (run_model, &mr, NULL, NULL, 5, &t_model, &(double){ 0 });
  printf ("\nResNet-20 (CIFAR, 32x32) whole model, batch %d: %.1f ms per batch, %.0f images/s\n", batch, t_model * 1e3,
          batch / t_model);
  if (profile)
    profile_model (model, mr.input, 5);
  mrt_tensor_unref (mr.input);
  return 0;
}
