/* bench-eval.c: the EVALUATION stage (float model and quantized model on
 * the whole test set) as `mrt run` runs it, against the same evaluation
 * with the two models run one after the other (MRT_EVAL_SERIAL=1), and
 * against the float model alone; and the evaluation's peak memory against
 * parameters + one batch of activations.
 *
 * Peak memory: the kernel's high-water mark of resident memory (VmHWM),
 * reset just before the evaluation (/proc/self/clear_refs), minus the
 * resident memory at that point (the libraries, the models and the
 * quantization state already loaded). It therefore counts everything the
 * evaluation allocates: the test set, the CVM model and executor, both
 * forward passes, the thread stacks.
 * Parameters: the float model's and the quantized model's (both are held).
 * Activations: every tensor of one float forward pass at the evaluation
 * batch size (the input included), 4 bytes per value.
 *
 * Calibration: CALIBRATION's work on 16 batches of 64 test images (the
 * forward passes plus every node's statistics: absmax, mean, std and the
 * 4096-bin histogram), against the same forward passes alone, alternated,
 * best of three each. The ratio shows what the statistics add.
 *
 * Output: rows for bench/run's table (see bench-int8.c); --header adds the
 * header. Usage: bench-eval [--config fashion_cnn.ini] [--header] [--repeat N] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mrt-dataset.h"
#include "mrt-evaluate.h"
#include "mrt-pipeline.h"
#include "mrt.h"

#include "bench-common.h"

/* kB from /proc/self/status */
static gint64
status_kb (const char *key)
{
  g_autofree char *text = NULL;
  gint64 v = -1;
  if (g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    {
      g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
      for (char **l = lines; *l; l++)
        if (g_str_has_prefix (*l, key) && (*l)[strlen (key)] == ':')
          v = g_ascii_strtoll (*l + strlen (key) + 1, NULL, 10);
    }
  return v;
}

/* "5" resets VmHWM to the current RSS (Linux >= 4.0) */
static gboolean
reset_peak (void)
{
  FILE *f = fopen ("/proc/self/clear_refs", "w");
  gboolean ok;
  if (f == NULL)
    return FALSE;
  ok = fputs ("5", f) >= 0;
  return fclose (f) == 0 && ok;
}

static MrtState *
quantize (MrtConfig *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) original = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtState) s0 = NULL;
  MrtState *s;
  if (original == NULL)
    g_error ("%s", error->message);
  s0 = mrt_state_new (original);
  if (!(s = mrt_pipeline_run_stages (s0, c, MRT_STAGE_MERGE_MODEL, NULL, &error)))
    g_error ("%s", error->message);
  return s;
}

static double
evaluate (const MrtState *s, const MrtConfig *c, gboolean serial, gboolean reuse, guint64 *samples, double *top1)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtEvaluation) ev = NULL;
  gint64 t0;
  g_setenv ("MRT_EVAL_SERIAL", serial ? "1" : "0", TRUE);
  g_setenv ("MRT_EVAL_CACHE", reuse ? "1" : "0", TRUE);
  t0 = g_get_monotonic_time ();
  if (!(ev = mrt_evaluate (s, c, NULL, NULL, NULL, &error)))
    g_error ("evaluation: %s", error->message);
  *samples = ev->samples;
  *top1 = ev->quant_top1;
  if (reuse != ev->float_reused)
    g_error ("evaluation: float results %s", reuse ? "not reused" : "reused against MRT_EVAL_CACHE=0");
  return (g_get_monotonic_time () - t0) / 1e6;
}

/* the float model alone over the same batches */
static double
float_only (const MrtState *s, const MrtConfig *c)
{
  g_autoptr (GError) error = NULL;
  MrtShape shape = c->input_shape;
  g_autoptr (MrtDataset) ds = mrt_dataset_open (c->dataset, c->dataset_dir, &shape, &error);
  gint64 t0 = g_get_monotonic_time ();
  int iters = c->iter_num > 0 ? c->iter_num : G_MAXINT;
  if (ds == NULL)
    g_error ("%s", error->message);
  for (int it = 0; it < iters; it++)
    {
      g_autoptr (MrtTensor) x = NULL;
      g_autoptr (MrtTensor) labels = NULL;
      g_autoptr (MrtTensor) y = NULL;
      if (!mrt_dataset_next (ds, (guint) c->eval_batch, &x, &labels, &error))
        break;
      if (!(y = mrt_model_forward1 (s->original, x, &error)))
        g_error ("%s", error->message);
    }
  return (g_get_monotonic_time () - t0) / 1e6;
}

#define CAL_BATCHES 16
#define CAL_BATCH 64

/* CAL_BATCHES batches of CAL_BATCH test images */
static GPtrArray *
calibration_batches (const MrtConfig *c)
{
  g_autoptr (GError) error = NULL;
  MrtShape shape = c->input_shape;
  g_autoptr (MrtDataset) ds = mrt_dataset_open (c->dataset, c->dataset_dir, &shape, &error);
  GPtrArray *batches = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  if (ds == NULL)
    g_error ("%s", error->message);
  for (guint i = 0; i < CAL_BATCHES; i++)
    {
      MrtTensor *x = NULL, *labels = NULL;
      if (!mrt_dataset_next (ds, CAL_BATCH, &x, &labels, &error))
        g_error ("calibration batches: %s", error ? error->message : "dataset too small");
      g_ptr_array_add (batches, x);
      mrt_tensor_unref (labels);
    }
  return batches;
}

static double
calibrate_once (MrtModel *m, GPtrArray *batches, gboolean stats)
{
  g_autoptr (GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  if (stats)
    {
      g_autoptr (MrtCalibration) cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
      if (cal == NULL)
        g_error ("calibration: %s", error->message);
    }
  else
    for (guint i = 0; i < batches->len; i++)
      {
        g_autoptr (MrtTensor) y = mrt_model_forward1 (m, g_ptr_array_index (batches, i), &error);
        if (y == NULL)
          g_error ("forward: %s", error->message);
      }
  return (g_get_monotonic_time () - t0) / 1e6;
}

static void
calibration_rows (const MrtState *s, const MrtConfig *c, const char *name)
{
  g_autoptr (GPtrArray) batches = calibration_batches (c);
  MrtModel *m = mrt_state_quant_input (s);
  double t_cal = G_MAXDOUBLE, t_fwd = G_MAXDOUBLE;
  char figure[160], value[96], bvalue[96];
  for (int r = 0; r < 3; r++)
    {
      t_cal = MIN (t_cal, calibrate_once (m, batches, TRUE));
      t_fwd = MIN (t_fwd, calibrate_once (m, batches, FALSE));
    }
  g_snprintf (figure, sizeof figure, "%s CALIBRATION, %d batches of %d (forward + statistics of every node)", name,
              CAL_BATCHES, CAL_BATCH);
  g_snprintf (value, sizeof value, "%.3f s", t_cal);
  g_snprintf (bvalue, sizeof bvalue, "%.3f s", t_fwd);
  bench_row (figure, value, "the same forward passes without statistics", bvalue, t_fwd / t_cal);
}

static guint64
activation_bytes (const MrtModel *m, const MrtShape *input)
{
  g_autoptr (GError) error = NULL;
  g_autofree MrtShape *shapes = mrt_model_infer_shapes_single (m, input, &error);
  guint64 bytes = 0;
  if (shapes == NULL)
    g_error ("shapes: %s", error->message);
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      const MrtNode *n = mrt_model_node (m, i);
      if (mrt_model_is_param (m, i))
        continue;
      for (guint k = 0; k < n->n_outputs; k++)
        bytes += 4 * (guint64) mrt_shape_size (&shapes[mrt_model_entry_id (m, (MrtEntry){ i, k })]);
    }
  return bytes;
}

int
main (int argc, char **argv)
{
  const char *ini = g_getenv ("MRT_SAMPLE_INI");
  gboolean header = FALSE, calibration_only = FALSE;
  int repeat = 1;
  g_autoptr (GError) error = NULL;
  MrtConfig *c;
  g_autoptr (MrtState) s = NULL;
  guint64 samples = 0, pf = 0, pq = 0, n_params, act;
  double top1 = 0, t_par = G_MAXDOUBLE, t_ser = G_MAXDOUBLE, t_float = G_MAXDOUBLE, t_again = G_MAXDOUBLE;
  gint64 rss0, hwm = -1;
  gboolean peak_ok;
  char value[96], bvalue[96], figure[160];
  MrtShape in_shape;
  g_autofree char *name = NULL;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--config") == 0 && i + 1 < argc)
      ini = argv[++i];
    else if (strcmp (argv[i], "--repeat") == 0 && i + 1 < argc)
      repeat = MAX (atoi (argv[++i]), 1);
    else if (strcmp (argv[i], "--header") == 0)
      header = TRUE;
    else if (strcmp (argv[i], "--calibration-only") == 0)
      calibration_only = TRUE;
    else
      {
        fprintf (stderr, "usage: %s [--config fashion_cnn.ini] [--header] [--repeat N] [--calibration-only]\n",
                 argv[0]);
        return 2;
      }
  if (ini == NULL)
    {
      fprintf (stderr, "bench-eval: no configuration (--config or MRT_SAMPLE_INI)\n");
      return 2;
    }
  if (header)
    printf ("| figure | value | baseline (same run) | baseline value | ratio |\n|---|---|---|---|---:|\n");
  if (!(c = mrt_config_load (ini, &error)))
    g_error ("%s: %s", ini, error->message);
  name = g_path_get_basename (ini);
  s = quantize (c);

  if (calibration_only)
    {
      calibration_rows (s, c, name);
      mrt_config_free (c);
      return 0;
    }
  /* memory first, on a fresh heap: the overlapped evaluation */
  rss0 = status_kb ("VmRSS");
  peak_ok = reset_peak ();
  t_par = evaluate (s, c, FALSE, FALSE, &samples, &top1);
  hwm = status_kb ("VmHWM");
  for (int r = 0; r < repeat; r++)
    {
      t_ser = MIN (t_ser, evaluate (s, c, TRUE, FALSE, &samples, &top1));
      t_par = MIN (t_par, evaluate (s, c, FALSE, FALSE, &samples, &top1));
      t_float = MIN (t_float, float_only (s, c));
    }
  /* re-evaluation, as after new thresholds: the float results of a first
   * (cached) run are reused */
  mrt_evaluate_forget_float_results ();
  evaluate (s, c, FALSE, FALSE, &samples, &top1); /* MRT_EVAL_CACHE=0 still stores */
  for (int r = 0; r < MAX (repeat, 2); r++)
    t_again = MIN (t_again, evaluate (s, c, FALSE, TRUE, &samples, &top1));

  g_snprintf (figure, sizeof figure, "%s EVALUATION, %" G_GUINT64_FORMAT " images, batch %d (float + quantized, overlapped)",
              name, samples, c->eval_batch);
  g_snprintf (value, sizeof value, "%.2f s (quantized top-1 %.2f%%)", t_par, 100 * top1);
  g_snprintf (bvalue, sizeof bvalue, "%.2f s", t_ser);
  bench_row (figure, value, "same, float then quantized per batch (MRT_EVAL_SERIAL=1)", bvalue, t_ser / t_par);
  g_snprintf (bvalue, sizeof bvalue, "%.2f s", t_float);
  bench_row (figure, value, "the float model alone over the same batches", bvalue, t_float / t_par);
  g_snprintf (figure, sizeof figure, "%s EVALUATION again (float results reused, as after new thresholds)", name);
  g_snprintf (value, sizeof value, "%.2f s", t_again);
  g_snprintf (bvalue, sizeof bvalue, "%.2f s", t_par);
  bench_row (figure, value, "the first evaluation (float + quantized, overlapped)", bvalue, t_par / t_again);

  calibration_rows (s, c, name);

  mrt_model_param_stats (s->original, &n_params, &pf);
  mrt_model_param_stats (s->final, &n_params, &pq);
  in_shape = c->input_shape;
  in_shape.dim[0] = c->eval_batch;
  act = activation_bytes (s->original, &in_shape);
  if (peak_ok && hwm > 0 && rss0 > 0)
    {
      double peak = (double) (hwm - rss0) * 1024;
      g_snprintf (figure, sizeof figure, "%s EVALUATION peak memory (VmHWM above the RSS before it)", name);
      g_snprintf (value, sizeof value, "%.1f MB", peak / 1e6);
      g_snprintf (bvalue, sizeof bvalue, "%.1f MB (%.1f + %.1f); limit 3×", (pf + pq + act) / 1e6, (pf + pq) / 1e6,
                  act / 1e6);
      bench_row (figure, value, "parameters (float + quantized) + one batch of float activations", bvalue,
           peak / (double) (pf + pq + act));
    }
  else
    fprintf (stderr, "bench-eval: cannot reset or read the memory high-water mark\n");
  mrt_config_free (c);
  return 0;
}
