/* mrt-calibrate.c: calibration. Upstream keeps only the last batch's
 * thresholds; we take the maximum over all batches (docs/deviations.md). */
#include "mrt-calibrate.h"

#include <math.h>
#include <string.h>

#include "mrt-executor.h"
#include "mrt-parallel.h"

struct _MrtCalibration {
  MrtModel *model;
  MrtCalibMethod method;
  double lambda;
  double percentile;
  GHashTable *stats;      /* name -> MrtNodeStats* */
  GHashTable *thresholds; /* name -> double* */
  guint n_batches;
};

static void
stats_free (gpointer p)
{
  MrtNodeStats *s = p;
  g_free (s->bins);
  g_free (s);
}

MrtCalibration *
mrt_calibration_new (MrtModel *model, MrtCalibMethod method, double lambda, double percentile)
{
  MrtCalibration *cal = g_atomic_rc_box_new0 (MrtCalibration);
  cal->model = mrt_model_ref (model);
  cal->method = method;
  cal->lambda = lambda;
  cal->percentile = percentile;
  cal->stats = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, stats_free);
  cal->thresholds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return cal;
}

static void
calibration_clear (gpointer p)
{
  MrtCalibration *cal = p;
  mrt_model_unref (cal->model);
  g_hash_table_unref (cal->stats);
  g_hash_table_unref (cal->thresholds);
}

MrtCalibration *
mrt_calibration_ref (MrtCalibration *cal)
{
  return g_atomic_rc_box_acquire (cal);
}

void
mrt_calibration_unref (MrtCalibration *cal)
{
  if (cal)
    g_atomic_rc_box_release_full (cal, calibration_clear);
}

double
mrt_threshold_lambda (double absmax, double mean, double std, double lambda)
{
  double alpha = fabs (mean) + lambda * std;
  return alpha < 0.95 * absmax ? alpha : absmax;
}

/* The bin of v in a histogram over [-range, range], with scale =
 * MRT_HIST_BINS / (2 range). Truncation, not floor(): floor is a libm call
 * at -O2 on x86-64 and this runs once per activation value. NaN lands in
 * bin 0. */
static inline int
bin_at (double v, double range, double scale)
{
  double x = (v + range) * scale;
  int b = x > 0 ? (x < MRT_HIST_BINS ? (int) x : MRT_HIST_BINS - 1) : 0;
  return b;
}

static int
bin_of (double v, double range)
{
  return bin_at (v, range, MRT_HIST_BINS / (2 * range));
}

/* The range grew: move old counts to the bins their centres fall in now. */
static void
rebin (MrtNodeStats *s, double new_range)
{
  g_autofree guint64 *old = s->bins;
  double old_range = s->range;
  s->bins = g_new0 (guint64, MRT_HIST_BINS);
  for (int i = 0; i < MRT_HIST_BINS; i++)
    if (old[i])
      {
        double centre = -old_range + (i + 0.5) * (2 * old_range / MRT_HIST_BINS);
        s->bins[bin_of (centre, new_range)] += old[i];
      }
  s->range = new_range;
}

/* ---- folding one tensor into a node's statistics ----
 * Every activation of every node passes through here, so it runs on all
 * threads. The tensor is cut into FOLD_CHUNK-element chunks whose partial
 * results are combined in chunk order: the statistics do not depend on the
 * number of threads. */
#define FOLD_CHUNK 16384

typedef struct {
  const float *d;
  gsize n;
  double *absmax, *mean, *m2; /* per chunk: max |x|, mean, sum of squared deviations */
  double range;
  guint64 *bins;              /* shared; parts add their counts under lock */
  GMutex lock;
} Fold;

static void
fold_moments (gpointer data, gint64 c0, gint64 c1)
{
  Fold *f = data;
  for (gint64 c = c0; c < c1; c++)
    {
      const float *d = f->d + c * FOLD_CHUNK;
      gsize n = MIN ((gsize) FOLD_CHUNK, f->n - (gsize) c * FOLD_CHUNK);
      double absmax = 0, sum = 0, m2 = 0, mean;
      for (gsize i = 0; i < n; i++)
        {
          double v = d[i];
          absmax = MAX (absmax, fabs (v));
          sum += v;
        }
      mean = sum / (double) n;
      for (gsize i = 0; i < n; i++) /* the chunk is still in cache */
        m2 += (d[i] - mean) * (d[i] - mean);
      f->absmax[c] = absmax;
      f->mean[c] = mean;
      f->m2[c] = m2;
    }
}

static void
fold_histogram (gpointer data, gint64 c0, gint64 c1)
{
  Fold *f = data;
  g_autofree guint64 *local = g_new0 (guint64, MRT_HIST_BINS);
  const double range = f->range, scale = MRT_HIST_BINS / (2 * range);
  gsize end = MIN (f->n, (gsize) c1 * FOLD_CHUNK);
  for (gsize i = (gsize) c0 * FOLD_CHUNK; i < end; i++)
    local[bin_at (f->d[i], range, scale)]++;
  g_mutex_lock (&f->lock);
  for (int b = 0; b < MRT_HIST_BINS; b++)
    f->bins[b] += local[b];
  g_mutex_unlock (&f->lock);
}

static void
fold_tensor (MrtCalibration *cal, MrtNodeStats *s, const MrtTensor *t)
{
  gint64 chunks = (gint64) ((t->n + FOLD_CHUNK - 1) / FOLD_CHUNK);
  g_autofree double *parts = g_new (double, 3 * MAX (chunks, 1));
  Fold f = { mrt_tensor_f32 (t), t->n, parts, parts + chunks, parts + 2 * chunks, 0, NULL, { 0 } };
  double absmax = 0, mean = 0, m2 = 0, th;

  if (t->n == 0)
    return;
  mrt_parallel_for (chunks, (gint64) t->n, fold_moments, &f);
  /* Chan et al.'s pairwise combination, in chunk order */
  for (gint64 c = 0, seen = 0; c < chunks; c++)
    {
      gint64 n = MIN (FOLD_CHUNK, (gint64) t->n - c * FOLD_CHUNK);
      double delta = f.mean[c] - mean;
      absmax = MAX (absmax, f.absmax[c]);
      mean += delta * (double) n / (double) (seen + n);
      m2 += f.m2[c] + delta * delta * (double) seen * (double) n / (double) (seen + n);
      seen += n;
    }
  s->mean = mean;
  s->std = sqrt (m2 / (double) t->n);
  th = cal->method == MRT_CALIB_LAMBDA ? mrt_threshold_lambda (absmax, mean, s->std, cal->lambda) : absmax;
  s->batch_th = MAX (s->batch_th, th);
  s->absmax = MAX (s->absmax, absmax);
  if (s->absmax > s->range)
    {
      /* a little headroom so that slowly growing ranges do not rebin every batch */
      double r = s->range == 0 ? s->absmax : s->absmax * 1.25;
      if (s->count == 0)
        s->range = r;
      else
        rebin (s, r);
    }
  if (s->range > 0)
    {
      f.range = s->range;
      f.bins = s->bins;
      g_mutex_init (&f.lock);
      mrt_parallel_for (chunks, 2 * (gint64) t->n, fold_histogram, &f);
      g_mutex_clear (&f.lock);
    }
  else
    s->bins[MRT_HIST_BINS / 2] += t->n;
  s->count += t->n;
}

static gboolean
observe (const MrtModel *model, guint node, MrtTensor *const *outputs, gpointer user_data, GError **error)
{
  MrtCalibration *cal = user_data;
  const char *name = mrt_model_node (model, node)->name;
  MrtNodeStats *s = g_hash_table_lookup (cal->stats, name);

  /* parameters do not change between batches */
  if (s && mrt_model_is_param (model, node))
    return TRUE;
  if (s == NULL)
    {
      s = g_new0 (MrtNodeStats, 1);
      s->bins = g_new0 (guint64, MRT_HIST_BINS);
      g_hash_table_insert (cal->stats, g_strdup (name), s);
    }
  fold_tensor (cal, s, outputs[0]);
  return TRUE;
}

gboolean
mrt_calibration_add_batch (MrtCalibration *cal, MrtTensor *input, GCancellable *cancellable, GError **error)
{
  MrtRunOptions opts = { observe, cal, cancellable };
  g_autoptr (GPtrArray) out = mrt_model_forward (cal->model, &input, 1, &opts, error);
  if (out == NULL)
    return FALSE;
  cal->n_batches++;
  return TRUE;
}

/* |x| histogram: fold the signed bins around zero. */
static guint
fold_abs (const MrtNodeStats *s, double *abs_bins)
{
  guint half = MRT_HIST_BINS / 2;
  for (guint i = 0; i < half; i++)
    abs_bins[i] = (double) s->bins[half + i] + (double) s->bins[half - 1 - i];
  return half;
}

double
mrt_threshold_percentile (const MrtNodeStats *s, double percentile)
{
  double abs_bins[MRT_HIST_BINS / 2], total = 0, acc = 0, width;
  guint n = fold_abs (s, abs_bins);
  if (s->range <= 0)
    return 0;
  width = s->range / n;
  for (guint i = 0; i < n; i++)
    total += abs_bins[i];
  for (guint i = 0; i < n; i++)
    {
      acc += abs_bins[i];
      if (acc >= total * percentile / 100.0)
        return MIN ((i + 1) * width, s->absmax);
    }
  return s->absmax;
}

/* KL(P || Q) where Q is P quantized into `levels` buckets over its first n bins. */
static double
kl_for_cut (const double *abs_bins, guint nbins, guint cut, guint levels)
{
  g_autofree double *p = g_new0 (double, cut);
  g_autofree double *q = g_new0 (double, cut);
  double psum = 0, qsum = 0, kl = 0;

  for (guint i = 0; i < nbins; i++)
    p[MIN (i, cut - 1)] += abs_bins[i];
  for (guint j = 0; j < levels; j++)
    {
      guint start = j * cut / levels, end = (j + 1) * cut / levels;
      double sum = 0;
      guint nonzero = 0;
      for (guint i = start; i < end; i++)
        {
          sum += abs_bins[i];
          nonzero += abs_bins[i] > 0;
        }
      for (guint i = start; i < end; i++)
        q[i] = abs_bins[i] > 0 ? sum / nonzero : 0;
    }
  for (guint i = 0; i < cut; i++)
    {
      psum += p[i];
      qsum += q[i];
    }
  if (psum == 0 || qsum == 0)
    return INFINITY;
  for (guint i = 0; i < cut; i++)
    if (p[i] > 0)
      {
        double pi = p[i] / psum, qi = q[i] / qsum;
        kl += qi > 0 ? pi * log (pi / qi) : pi * 30; /* heavy penalty where Q lost all mass */
      }
  return kl;
}

double
mrt_threshold_kl (const MrtNodeStats *s)
{
  double abs_bins[MRT_HIST_BINS / 2];
  guint n = fold_abs (s, abs_bins), best = n, levels = 128;
  double best_kl = INFINITY, width;

  if (s->range <= 0)
    return 0;
  width = s->range / n;
  for (guint cut = levels; cut <= n; cut += 8)
    {
      double kl = kl_for_cut (abs_bins, n, cut, levels);
      if (kl < best_kl)
        {
          best_kl = kl;
          best = cut;
        }
    }
  return MIN (best * width, s->absmax);
}

void
mrt_calibration_finish (MrtCalibration *cal)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_remove_all (cal->thresholds);
  g_hash_table_iter_init (&it, cal->stats);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtNodeStats *s = v;
      double th;
      switch (cal->method)
        {
        case MRT_CALIB_KL: th = mrt_threshold_kl (s); break;
        case MRT_CALIB_PERCENTILE: th = mrt_threshold_percentile (s, cal->percentile); break;
        case MRT_CALIB_LAMBDA:
        case MRT_CALIB_ABSMAX:
        default: th = s->batch_th; break;
        }
      g_hash_table_insert (cal->thresholds, g_strdup (k), g_memdup2 (&th, sizeof th));
    }
}

MrtModel *
mrt_calibration_get_model (MrtCalibration *cal)
{
  return cal->model;
}

GHashTable *
mrt_calibration_get_thresholds (MrtCalibration *cal)
{
  return cal->thresholds;
}

double
mrt_calibration_get_threshold (MrtCalibration *cal, const char *name)
{
  double *th = g_hash_table_lookup (cal->thresholds, name);
  return th ? *th : 0;
}

const MrtNodeStats *
mrt_calibration_get_stats (MrtCalibration *cal, const char *name)
{
  return g_hash_table_lookup (cal->stats, name);
}

guint
mrt_calibration_n_batches (MrtCalibration *cal)
{
  return cal->n_batches;
}

MrtCalibration *
mrt_calibrate (MrtModel *model, GPtrArray *batches, MrtCalibMethod method, double lambda, double percentile,
               const MrtProgress *progress, GError **error)
{
  g_autoptr (MrtCalibration) cal = mrt_calibration_new (model, method, lambda, percentile);
  for (guint i = 0; i < batches->len; i++)
    {
      g_autofree char *msg = g_strdup_printf ("Calibrating: batch %u of %u", i + 1, batches->len);
      mrt_progress_report (progress, (double) i / batches->len, msg);
      if (mrt_progress_cancelled (progress, error))
        return NULL;
      if (!mrt_calibration_add_batch (cal, g_ptr_array_index (batches, i), progress ? progress->cancellable : NULL,
                                      error))
        return NULL;
    }
  mrt_calibration_finish (cal);
  mrt_progress_report (progress, 1.0, "Calibration done");
  return g_steal_pointer (&cal);
}
