/* mrt-evaluate.c: float vs quantized accuracy, with the quantized model run
 * on the CVM integer executor, and per-layer error from one batch. */
#include "mrt-evaluate.h"

#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "cvm/mrt-cvm-exec.h"
#include "mrt-compile.h"
#include "mrt-dataset.h"
#include "mrt-executor.h"
#include "mrt-metric.h"
#include "mrt-qmath.h"

MrtTensor *
mrt_quantize_input (const MrtTensor *x, double scale, int precision)
{
  MrtTensor *q = mrt_tensor_new (MRT_DTYPE_I32, &x->shape);
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_i32 (q)[i] = (gint32) mrt_round_clip (mrt_tensor_f32 (x)[i] * scale, precision, NULL);
  return q;
}

GPtrArray *
mrt_run_quantized (MrtModel *cvm, const GArray *oscales, double input_scale, int input_precision, MrtTensor *x,
                   GError **error)
{
  g_autoptr (MrtTensor) xq = mrt_quantize_input (x, input_scale, input_precision);
  g_autoptr (GPtrArray) out = mrt_cvm_forward (cvm, xq, NULL, error);
  if (out == NULL)
    return NULL;
  return mrt_dequantize_outputs (out, oscales);
}

GPtrArray *
mrt_dequantize_outputs (GPtrArray *out, const GArray *oscales)
{
  GPtrArray *res = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  for (guint i = 0; i < out->len; i++)
    {
      MrtTensor *o = g_ptr_array_index (out, i);
      MrtTensor *f = mrt_tensor_new (MRT_DTYPE_F32, &o->shape);
      double s = i < oscales->len ? g_array_index (oscales, double, i) : 1;
      for (gsize j = 0; j < o->n; j++)
        mrt_tensor_f32 (f)[j] = (float) (mrt_tensor_i32 (o)[j] / s);
      g_ptr_array_add (res, f);
    }
  return res;
}

/* ---- per-layer error ---- */

typedef struct {
  GHashTable *outputs; /* name -> MrtTensor* */
  GHashTable *wanted;  /* names to keep, NULL: all */
} Capture;

static gboolean
capture (const MrtModel *model, guint node, MrtTensor *const *outputs, gpointer user_data, GError **error)
{
  Capture *c = user_data;
  const MrtNode *n = mrt_model_node (model, node);
  if (mrt_node_is_variable (n) || (c->wanted && !g_hash_table_contains (c->wanted, n->name)))
    return TRUE;
  g_hash_table_insert (c->outputs, g_strdup (n->name), mrt_tensor_ref (outputs[0]));
  return TRUE;
}

static void
layer_errors (const MrtState *s, MrtTensor *x, GPtrArray *layers)
{
  MrtModel *fm = mrt_state_quant_input (s), *qm = s->quantized->model;
  Capture fc = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mrt_tensor_unref), NULL };
  Capture qc = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mrt_tensor_unref), NULL };
  MrtRunOptions fo = { capture, &fc, NULL }, qo = { capture, &qc, NULL };
  g_autoptr (MrtTensor) xq = mrt_quantize_input (x, s->input_scale, s->input_precision);
  g_autoptr (MrtTensor) xqf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
  g_autoptr (GPtrArray) fo_out = NULL;
  g_autoptr (GPtrArray) qo_out = NULL;

  fo_out = mrt_model_forward (fm, &x, 1, &fo, NULL);
  /* the quantized graph in float holds exactly the integers while they stay below 2^24 */
  qo_out = mrt_model_forward (qm, &xqf, 1, &qo, NULL);
  if (fo_out && qo_out)
    for (guint i = 0; i < mrt_model_n_nodes (fm); i++)
      {
        const MrtNode *n = mrt_model_node (fm, i);
        MrtTensor *f = g_hash_table_lookup (fc.outputs, n->name);
        MrtTensor *q = g_hash_table_lookup (qc.outputs, n->name);
        double sc = mrt_quantized_get (s->quantized->sc, n->name), sig = 0, noise = 0, dot = 0, qq = 0;
        MrtLayerError *le;
        if (!f || !q || f->n != q->n || sc == 0)
          continue;
        for (gsize j = 0; j < f->n; j++)
          {
            double a = mrt_tensor_f32 (f)[j], b = mrt_tensor_f32 (q)[j] / sc;
            sig += a * a;
            noise += (a - b) * (a - b);
            dot += a * b;
            qq += b * b;
          }
        le = g_new0 (MrtLayerError, 1);
        le->name = g_strdup (n->name);
        le->op = g_strdup (n->op);
        le->sqnr_db = noise > 0 ? 10 * log10 (sig / noise) : INFINITY;
        le->cosine = sig > 0 && qq > 0 ? dot / sqrt (sig * qq) : (sig == qq ? 1 : 0);
        g_ptr_array_add (layers, le);
      }
  g_hash_table_unref (fc.outputs);
  g_hash_table_unref (qc.outputs);
}

/* ---- the quantized model of one batch, on a worker thread ---- */

/* While the calling thread runs the float model on a batch, a worker runs
 * the quantized one on the CVM executor, with half the cores' threads: the
 * float side already spreads over every core (OpenBLAS, the conv pool), and
 * the much cheaper integer side fills the gaps (the float model's serial
 * operators) rather than slowing OpenBLAS's evenly split threads. The
 * results are joined before anything is counted or printed, so both stay in
 * batch order; the integer results do not depend on the thread count. */
typedef struct {
  MrtCvmExec *exec;
  const MrtState *s;
  MrtTensor *x;
  GPtrArray *out; /* dequantized outputs, or NULL and error */
  GError *error;
} QuantJob;

static gpointer
quant_job_run (gpointer data)
{
  QuantJob *job = data;
  g_autoptr (MrtTensor) xq = mrt_quantize_input (job->x, job->s->input_scale, job->s->input_precision);
  g_autoptr (GPtrArray) raw = mrt_cvm_exec_run (job->exec, xq, NULL, &job->error);
  if (raw != NULL)
    job->out = mrt_dequantize_outputs (raw, job->s->oscales);
  return NULL;
}

/* ---- accuracy ---- */

static void
count_classes (MrtEvaluation *ev, const MrtTensor *scores, const MrtTensor *labels, guint64 *correct)
{
  gint64 n = scores->shape.dim[0], c = n ? (gint64) scores->n / n : 0;
  for (gint64 i = 0; i < n; i++)
    {
      gint64 label = (gint64) mrt_tensor_f32 (labels)[i], best = 0;
      const float *row = mrt_tensor_f32 (scores) + i * c;
      for (gint64 j = 1; j < c; j++)
        if (row[j] > row[best])
          best = j;
      if (label >= 0 && label < ev->n_classes && best == label)
        correct[label]++;
    }
}

/* ---- the float model's verdicts, kept between evaluations ----
 * The float model and the test set do not change while a user tunes
 * thresholds and re-runs QUANTIZATION, MERGE_MODEL and EVALUATION, yet the
 * float forward pass costs several times the integer one. Its per-sample
 * verdicts (how many classes score above the label, and whether the label
 * is the arg-max) are all accuracy needs, so the last complete evaluation's
 * verdicts are kept, keyed by the original model (a reference is held, so
 * the pointer cannot be reused) and every setting that decides the batches.
 * MRT_EVAL_CACHE=0 turns this off (the benchmark's baseline). */
typedef struct {
  guint16 higher;    /* classes scoring strictly above the label, saturated */
  guint8 label_best; /* the label is the first arg-max (count_classes' rule) */
} Verdict;

typedef struct {
  gint ref;
  MrtModel *original;
  char *key;
  guint n_classes;
  GArray *verdicts; /* Verdict per sample, in dataset order */
} FloatCache;

static GMutex float_cache_lock;
static FloatCache *float_cache; /* the last complete evaluation's */

static void
float_cache_unref (FloatCache *fc)
{
  if (fc && g_atomic_int_dec_and_test (&fc->ref))
    {
      mrt_model_unref (fc->original);
      g_free (fc->key);
      g_array_unref (fc->verdicts);
      g_free (fc);
    }
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FloatCache, float_cache_unref)

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Name, size and modification time of every file in dir and, for its
 * sub-folders (ImageNet-style class folders), in them: a replaced or
 * rewritten test set gives another key. */
static void
append_files (GString *k, const char *dir, int depth)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *path = g_build_filename (dir, g_ptr_array_index (names, i), NULL);
      GStatBuf st;
      if (g_stat (path, &st) != 0)
        continue;
      g_string_append_printf (k, "%s:%lld:%lld.%09ld\n", (const char *) g_ptr_array_index (names, i),
                              (long long) st.st_size, (long long) st.st_mtim.tv_sec, (long) st.st_mtim.tv_nsec);
      if (S_ISDIR (st.st_mode) && depth > 0)
        append_files (k, path, depth - 1);
    }
}

static char *
float_cache_key (const MrtConfig *c, MrtDataset *ds)
{
  GString *k = g_string_new (NULL);
  g_string_append_printf (k, "%s\n%s\n%d\n%d\n%" G_GINT64_FORMAT "\n", c->dataset, mrt_dataset_get_dir (ds),
                          c->eval_batch, c->iter_num, mrt_dataset_n_samples (ds));
  for (int i = 0; i < c->input_shape.ndim; i++)
    g_string_append_printf (k, "%" G_GINT64_FORMAT ",", c->input_shape.dim[i]);
  g_string_append_c (k, '\n');
  append_files (k, mrt_dataset_get_dir (ds), 1);
  return g_string_free (k, FALSE);
}

/* The cached verdicts for this model and configuration, or NULL. */
static FloatCache *
float_cache_lookup (const MrtModel *original, const char *key)
{
  FloatCache *hit = NULL;
  if (g_strcmp0 (g_getenv ("MRT_EVAL_CACHE"), "0") == 0)
    return NULL;
  g_mutex_lock (&float_cache_lock);
  if (float_cache && float_cache->original == original && g_str_equal (float_cache->key, key))
    {
      hit = float_cache;
      g_atomic_int_inc (&hit->ref);
    }
  g_mutex_unlock (&float_cache_lock);
  return hit;
}

static void
float_cache_store (MrtModel *original, char *key, guint n_classes, GArray *verdicts)
{
  FloatCache *fc = g_new0 (FloatCache, 1), *old;
  fc->ref = 1;
  fc->original = mrt_model_ref (original);
  fc->key = key;
  fc->n_classes = n_classes;
  fc->verdicts = g_array_ref (verdicts);
  g_mutex_lock (&float_cache_lock);
  old = float_cache;
  float_cache = fc;
  g_mutex_unlock (&float_cache_lock);
  float_cache_unref (old);
}

void
mrt_evaluate_forget_float_results (void)
{
  FloatCache *old;
  g_mutex_lock (&float_cache_lock);
  old = float_cache;
  float_cache = NULL;
  g_mutex_unlock (&float_cache_lock);
  float_cache_unref (old);
}

/* The verdicts of a batch of float scores (labels already checked by
 * mrt_accuracy_update). */
static void
append_verdicts (GArray *verdicts, const MrtTensor *scores, const MrtTensor *labels)
{
  gint64 n = scores->shape.dim[0], c = n ? (gint64) scores->n / n : 0;
  for (gint64 i = 0; i < n; i++)
    {
      gint64 label = (gint64) mrt_tensor_f32 (labels)[i], best = 0, higher = 0;
      const float *row = mrt_tensor_f32 (scores) + i * c;
      Verdict v;
      for (gint64 j = 0; j < c; j++)
        {
          higher += row[j] > row[label];
          if (row[j] > row[best])
            best = j;
        }
      v.higher = (guint16) MIN (higher, G_MAXUINT16);
      v.label_best = best == label;
      g_array_append_val (verdicts, v);
    }
}

/* What mrt_accuracy_update and count_classes do with the float scores,
 * from cached verdicts. */
static void
apply_verdicts (MrtEvaluation *ev, MrtAccuracy *acc, const Verdict *v, const MrtTensor *labels)
{
  for (gsize i = 0; i < labels->n; i++)
    {
      gint64 label = (gint64) mrt_tensor_f32 (labels)[i];
      acc->samples++;
      acc->top1 += v[i].higher < 1;
      acc->top5 += v[i].higher < 5;
      if (label >= 0 && label < ev->n_classes && v[i].label_best)
        ev->class_float[label]++;
    }
}

MrtEvaluation *
mrt_evaluate (const MrtState *s, const MrtConfig *c, const MrtProgress *progress, MrtLogFunc log_func,
              gpointer log_data, GError **error)
{
  MrtShape shape = c->input_shape;
  g_autoptr (MrtDataset) ds = NULL;
  g_autoptr (MrtEvaluation) ev = NULL;
  g_autoptr (MrtModel) cvm = NULL;
  g_autoptr (MrtCvmExec) exec = NULL;
  MrtShape cvm_shape = { 0 };
  MrtAccuracy fa = { 0 }, qa = { 0 };
  int iters = c->iter_num > 0 ? c->iter_num : G_MAXINT;
  gboolean serial = g_strcmp0 (g_getenv ("MRT_EVAL_SERIAL"), "1") == 0;
  g_autofree char *key = NULL;
  g_autoptr (FloatCache) cached = NULL;
  g_autoptr (GArray) verdicts = g_array_new (FALSE, FALSE, sizeof (Verdict));
  gboolean reused = FALSE;

  if (!(ds = mrt_dataset_open (c->dataset, c->dataset_dir, &shape, error)))
    return NULL;
  key = float_cache_key (c, ds);
  cached = float_cache_lookup (s->original, key);
  for (int it = 0; it < iters; it++)
    {
      g_autoptr (MrtTensor) x = NULL;
      g_autoptr (MrtTensor) labels = NULL;
      g_autoptr (MrtTensor) fout = NULL;
      g_autoptr (GPtrArray) qout = NULL;
      g_autofree char *line = NULL;
      double t1;

      if (mrt_progress_cancelled (progress, error))
        return NULL;
      if (!mrt_dataset_next (ds, (guint) c->eval_batch, &x, &labels, error))
        {
          if (error && *error)
            return NULL;
          break;
        }
      /* the cache must cover this batch exactly, else it is not used */
      if (cached && fa.samples + labels->n > cached->verdicts->len)
        g_clear_pointer (&cached, float_cache_unref);
      if (cached && s->quantized && s->quantized->n_restored > 0)
        {
          g_autoptr (MrtTensor) xq = mrt_quantize_input (x, s->input_scale, s->input_precision);
          g_autoptr (MrtTensor) xf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
          g_autoptr (GPtrArray) raw = mrt_model_forward (s->final, &xf, 1, NULL, error);
          if (raw == NULL)
            return NULL;
          qout = mrt_dequantize_outputs (raw, s->oscales);
        }
      else if (s->quantized && s->quantized->n_restored > 0)
        {
          /* restored nodes compute in float: only the float simulation can run them */
          g_autoptr (MrtTensor) xq = mrt_quantize_input (x, s->input_scale, s->input_precision);
          g_autoptr (MrtTensor) xf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
          g_autoptr (GPtrArray) raw = mrt_model_forward (s->final, &xf, 1, NULL, error);
          if (raw == NULL || !(fout = mrt_model_forward1 (s->original, x, error)))
            return NULL;
          qout = mrt_dequantize_outputs (raw, s->oscales);
        }
      else
        {
          /* one checked executor per batch shape (the last batch may be smaller) */
          if (cvm == NULL || !mrt_shape_equal (&cvm_shape, &x->shape))
            {
              g_clear_pointer (&exec, mrt_cvm_exec_free);
              g_clear_pointer (&cvm, mrt_model_unref);
              cvm_shape = x->shape;
              /* alone (float results cached) it has every core, else half */
              guint threads = serial || cached ? 0 : MAX (mrt_cvm_default_threads () / 2, 1);
              if (!(cvm = mrt_to_cvm (s->final, &cvm_shape, error)) || !(exec = mrt_cvm_exec_new (cvm, threads, error)))
                return NULL;
            }
          {
            QuantJob job = { exec, s, x };
            /* MRT_EVAL_SERIAL=1: one after the other (the benchmark's baseline) */
            GThread *worker = serial || cached ? NULL : g_thread_try_new ("mrt-eval-cvm", quant_job_run, &job, NULL);
            if (worker == NULL)
              quant_job_run (&job);
            fout = cached ? NULL : mrt_model_forward1 (s->original, x, error);
            if (worker != NULL)
              g_thread_join (worker);
            qout = job.out;
            if (fout == NULL && !cached)
              {
                g_clear_error (&job.error);
                return NULL;
              }
            if (qout == NULL)
              {
                g_propagate_error (error, job.error);
                return NULL;
              }
          }
        }
      if (ev == NULL)
        ev = mrt_evaluation_new (cached ? cached->n_classes : fout->shape.ndim >= 2 ? (guint) fout->shape.dim[1] : 1);
      if (cached)
        {
          guint64 before = fa.samples;
          if (!mrt_accuracy_update (&qa, g_ptr_array_index (qout, 0), labels, error))
            return NULL;
          apply_verdicts (ev, &fa, &g_array_index (cached->verdicts, Verdict, before), labels);
          reused = TRUE;
        }
      else
        {
          if (!mrt_accuracy_update (&fa, fout, labels, error) ||
              !mrt_accuracy_update (&qa, g_ptr_array_index (qout, 0), labels, error))
            return NULL;
          append_verdicts (verdicts, fout, labels);
          count_classes (ev, fout, labels, ev->class_float);
        }
      for (gsize i = 0; i < labels->n; i++)
        {
          gint64 l = (gint64) mrt_tensor_f32 (labels)[i];
          if (l >= 0 && l < ev->n_classes)
            ev->class_total[l]++;
        }
      count_classes (ev, g_ptr_array_index (qout, 0), labels, ev->class_quant);
      t1 = mrt_accuracy_top1 (&fa);
      g_array_append_val (ev->running_float, t1);
      t1 = mrt_accuracy_top1 (&qa);
      g_array_append_val (ev->running_quant, t1);
      /* per-layer error needs the float graph the quantizer saw (absent after Start=QUANTIZATION) */
      if (it == 0 && s->quantized && mrt_state_quant_input (s))
        layer_errors (s, x, ev->layers);
      line = g_strdup_printf ("Iteration: %3d | evalfunc: top1=%.2f%% top5=%.2f%% | quantize: top1=%.2f%% top5=%.2f%% | "
                              "Total Sample: %" G_GUINT64_FORMAT,
                              it, 100 * mrt_accuracy_top1 (&fa), 100 * mrt_accuracy_top5 (&fa), 100 * mrt_accuracy_top1 (&qa),
                              100 * mrt_accuracy_top5 (&qa), fa.samples);
      if (log_func)
        log_func (line, log_data);
      mrt_progress_report (progress, c->iter_num > 0 ? (double) (it + 1) / c->iter_num
                                                      : (double) fa.samples / MAX (mrt_dataset_n_samples (ds), 1),
                           line);
    }
  if (ev == NULL)
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER, "dataset %s gave no samples", c->dataset);
      return NULL;
    }
  /* a run that computed every float verdict itself refreshes the cache */
  if (!reused)
    float_cache_store (s->original, g_steal_pointer (&key), ev->n_classes, verdicts);
  ev->float_reused = reused;
  ev->samples = fa.samples;
  ev->float_top1 = mrt_accuracy_top1 (&fa);
  ev->float_top5 = mrt_accuracy_top5 (&fa);
  ev->quant_top1 = mrt_accuracy_top1 (&qa);
  ev->quant_top5 = mrt_accuracy_top5 (&qa);
  return g_steal_pointer (&ev);
}
