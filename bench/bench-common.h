/* bench-common.h: what the benchmark programs share: the ResNet-20 layer
 * shapes, the alternating best-of timer, the float convolution runner, the
 * table row and the CPU name. Each program is one file, so the state here
 * is per program. */
#pragma once

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "mrt.h"

/* The convolution shapes of a CIFAR ResNet-20 (input 32x32). */
typedef struct {
  const char *name;
  gboolean shortcut; /* a 1x1 projection shortcut */
  int c, hw, f, k, s, p;
} BenchLayer;

static const BenchLayer bench_layers[] = {
  { "conv0 3→16 3x3", FALSE, 3, 32, 16, 3, 1, 1 },
  { "stage1 16→16 3x3", FALSE, 16, 32, 16, 3, 1, 1 },
  { "stage2 16→32 3x3/2", FALSE, 16, 32, 32, 3, 2, 1 },
  { "stage2 32→32 3x3", FALSE, 32, 16, 32, 3, 1, 1 },
  { "stage2 16→32 1x1/2", TRUE, 16, 32, 32, 1, 2, 0 },
  { "stage3 32→64 3x3/2", FALSE, 32, 16, 64, 3, 2, 1 },
  { "stage3 64→64 3x3", FALSE, 64, 8, 64, 3, 1, 1 },
  { "stage3 32→64 1x1/2", TRUE, 32, 16, 64, 1, 2, 0 },
};

static double bench_min_seconds = 1.0;
static gboolean bench_cpu_time;

/* Seconds of wall time, or of process CPU time when bench_cpu_time: with
 * OPENBLAS_NUM_THREADS=1 that measures the kernels' own efficiency however
 * loaded the machine is (with more threads it would count OpenBLAS's
 * spinning workers too). */
static inline double
bench_now (void)
{
  if (bench_cpu_time)
    {
      struct timespec ts;
      clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
      return ts.tv_sec + ts.tv_nsec / 1e9;
    }
  return g_get_monotonic_time () / 1e6;
}

typedef void (*BenchFunc) (gpointer data);

/* Fastest call of each of a and b (b may be NULL) over at least
 * bench_min_seconds and min_runs rounds, after one warm-up call each,
 * alternating a and b so that both see the same machine: on a shared host
 * the load changes from second to second. The best time, not the mean,
 * because the slow runs measure the other tenants. */
static inline void
bench_time_pair (BenchFunc a, gpointer a_data, BenchFunc b, gpointer b_data, int min_runs, double *t_a, double *t_b)
{
  gint64 start;
  int n = 0;
  a (a_data);
  if (b)
    b (b_data);
  *t_a = *t_b = G_MAXDOUBLE;
  start = g_get_monotonic_time ();
  while (n < min_runs || ((g_get_monotonic_time () - start) / 1e6 < bench_min_seconds && n < 10000))
    {
      double t0 = bench_now (), t1;
      a (a_data);
      t1 = bench_now ();
      *t_a = MIN (*t_a, t1 - t0);
      if (b)
        {
          b (b_data);
          *t_b = MIN (*t_b, bench_now () - t1);
        }
      n++;
    }
}

/* One call of the float executor's Convolution kernel, outputs preallocated
 * as the executor does. */
typedef struct {
  const MrtOpDef *def;
  const MrtNode *node;
  MrtTensor *in[3];
  MrtTensor *out;
} BenchFloatConv;

static inline void
bench_run_float_conv (gpointer data)
{
  BenchFloatConv *r = data;
  GError *error = NULL;
  if (!r->def->forward (r->node, r->in, &r->out, &error))
    g_error ("float convolution: %s", error->message);
}

static inline GHashTable *
bench_conv_attrs (int f, int k, int s, int p, gboolean no_bias)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (h, g_strdup ("kernel"), g_strdup_printf ("(%d, %d)", k, k));
  g_hash_table_insert (h, g_strdup ("stride"), g_strdup_printf ("(%d, %d)", s, s));
  g_hash_table_insert (h, g_strdup ("pad"), g_strdup_printf ("(%d, %d)", p, p));
  g_hash_table_insert (h, g_strdup ("num_filter"), g_strdup_printf ("%d", f));
  g_hash_table_insert (h, g_strdup ("no_bias"), g_strdup (no_bias ? "True" : "False"));
  return h;
}

/* A row of bench/run's table. */
static inline void
bench_row (const char *figure, const char *value, const char *baseline, const char *bvalue, double ratio)
{
  printf ("| %s | %s | %s | %s | %.2f× |\n", figure, value, baseline, bvalue, ratio);
  fflush (stdout);
}

/* /proc/cpuinfo's model name */
static inline char *
bench_cpu_model (void)
{
  g_autofree char *text = NULL;
  if (g_file_get_contents ("/proc/cpuinfo", &text, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
      for (char **p = lines; *p; p++)
        if (g_str_has_prefix (*p, "model name"))
          {
            char *colon = strchr (*p, ':');
            return g_strdup (g_strstrip (colon ? colon + 1 : *p));
          }
    }
  return g_strdup ("unknown");
}
