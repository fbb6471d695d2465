/* test-pipeline.c: the stages end to end on a small split model: checkpoints,
 * Start= resume from every stage, order errors, async runs and cancellation. */
#include <mrt.h>

#include "mrt-test-util.h"
#include <glib/gstdio.h>
#include <string.h>
#include <utime.h>

static char *tmpdir;

/* data (N,2,6,6) → conv(4, 3×3) → relu [split key] → max pool → Flatten: the top
 * holds only scale-agnostic ops, so the merged model compiles. */
static void
write_fixture (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (MrtTensor) w = test_random_tensor (mrt_shape_make (4, (gint64) 4, (gint64) 2, (gint64) 3, (gint64) 3), r, -1, 1);
  g_autoptr (MrtTensor) b = test_random_tensor (mrt_shape_make (1, (gint64) 4), r, -0.5, 0.5);
  g_autoptr (MrtTensor) x = test_random_tensor (mrt_shape_make (4, (gint64) 20, (gint64) 2, (gint64) 6, (gint64) 6), r, 0, 1);
  MrtShape ls = mrt_shape_make (1, (gint64) 20);
  g_autoptr (MrtTensor) labels = mrt_tensor_new (MRT_DTYPE_I64, &ls);
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_build_filename (tmpdir, "tiny.json", NULL);
  g_autofree char *params = g_build_filename (tmpdir, "tiny.params", NULL);
  g_autofree char *dsdir = g_build_filename (tmpdir, "npy", NULL);
  g_autofree char *dpath = g_build_filename (dsdir, "data.npy", NULL);
  g_autofree char *lpath = g_build_filename (dsdir, "label.npy", NULL);
  guint d = mrt_model_add_variable (m, "data");
  guint wi = mrt_model_add_variable (m, "conv0_weight");
  guint bi = mrt_model_add_variable (m, "conv0_bias");
  guint c = mrt_model_add_node (m, "conv0", "Convolution",
                                mrt_attrs_new ("kernel", "(3, 3)", "num_filter", "4", "pad", "(1, 1)", NULL),
                                (MrtEntry[]){ { d, 0 }, { wi, 0 }, { bi, 0 } }, 3);
  guint re = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { c, 0 } }, 1);
  guint p = mrt_model_add_node (m, "pool0", "Pooling",
                                mrt_attrs_new ("kernel", "(2, 2)", "stride", "(2, 2)", "pool_type", "max", NULL),
                                (MrtEntry[]){ { re, 0 } }, 1);
  guint f = mrt_model_add_node (m, "flatten0", "Flatten", NULL, (MrtEntry[]){ { p, 0 } }, 1);

  mrt_model_add_head (m, (MrtEntry){ f, 0 });
  mrt_model_set_param (m, "conv0_weight", w);
  mrt_model_set_param (m, "conv0_bias", b);
  g_assert_true (mrt_model_validate (m, &error));
  g_assert_true (mrt_mxnet_save (m, json, params, &error));
  g_assert_no_error (error);
  for (int i = 0; i < 20; i++)
    ((gint64 *) labels->data)[i] = g_rand_int_range (r, 0, 36);
  g_mkdir_with_parents (dsdir, 0755);
  g_assert_true (mrt_npy_save (x, dpath, &error));
  g_assert_true (mrt_npy_save (labels, lpath, &error));
}

static MrtIni *
fixture_ini (void)
{
  g_autofree char *outdir = g_build_filename (tmpdir, "out", NULL);
  g_autofree char *text = g_strdup_printf (
    "[DEFAULT]\nModel_dir=\nModel_name=tiny\nInput_shape=(-1, 2, 6, 6)\nStart=\n"
    "[PREPARE]\nDump=True\n"
    "[SPLIT_MODEL]\nKeys=relu0\nDump=True\n"
    "[CALIBRATION]\nDataset=npy\nDataset_dir=npy\nBatch=5\nCalibrate_num=2\nDump=True\n"
    "[QUANTIZATION]\nInput_precision=8\nOutput_precision=8\nDump=True\n"
    "[MERGE_MODEL]\nAttribute_deps=\nOscale_maps=flatten0: relu0\nDump=True\n"
    "[EVALUATION]\nBatch=5\nIter_num=4\n"
    "[COMPILATION]\nBatch=1\nDump_dir=%s\n",
    outdir);
  g_mkdir_with_parents (outdir, 0755);
  return mrt_ini_parse (text, "tiny.ini", NULL);
}

static MrtConfig *
config_with_start (const char *start)
{
  g_autoptr (MrtIni) ini = fixture_ini ();
  g_autoptr (GError) error = NULL;
  MrtConfig *c;
  mrt_ini_set (ini, "DEFAULT", "Start", start);
  c = mrt_config_from_ini (ini, tmpdir, &error);
  g_assert_no_error (error);
  return c;
}

static GBytes *
read_bytes (const char *dir, const char *name)
{
  g_autofree char *p = g_build_filename (dir, name, NULL);
  g_autofree char *data = NULL;
  gsize len;
  g_assert_true (g_file_get_contents (p, &data, &len, NULL));
  return g_bytes_new_take (g_steal_pointer (&data), len);
}

static void
test_full_run_and_resume (void)
{
  g_autoptr (MrtConfig) c = config_with_start ("");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtState) s = mrt_pipeline_run (c, NULL, &error);
  g_autoptr (GBytes) sym = NULL;
  g_autoptr (GBytes) par = NULL;
  const char *starts[] = { "PREPARE", "SPLIT_MODEL", "CALIBRATION", "QUANTIZATION", "MERGE_MODEL" };
  const char *files[] = { "tiny.prepare.json", "tiny.base.params", "tiny.top.json", "tiny.mrt.calibrate.ext",
                          "tiny.mrt.quantize.params", "tiny.all.quantize.json", "tiny.all.quantize.ext" };

  g_assert_no_error (error);
  g_assert_nonnull (s->base);
  g_assert_nonnull (s->top);
  g_assert_cmpint (s->oscales->len, ==, 1);
  g_assert_nonnull (s->evaluation);
  g_assert_cmpint (s->evaluation->samples, ==, 20);
  g_assert_nonnull (s->export_dir);
  g_assert_cmpuint (s->gas, >, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *p = g_build_filename (tmpdir, files[i], NULL);
      if (!g_file_test (p, G_FILE_TEST_IS_REGULAR))
        g_error ("checkpoint %s missing", files[i]);
    }
  sym = read_bytes (s->export_dir, "symbol");
  par = read_bytes (s->export_dir, "params");

  for (guint i = 0; i < G_N_ELEMENTS (starts); i++)
    {
      g_autoptr (MrtConfig) rc = config_with_start (starts[i]);
      g_autoptr (MrtState) r = mrt_pipeline_run (rc, NULL, &error);
      g_autoptr (GBytes) sym2 = NULL;
      g_autoptr (GBytes) par2 = NULL;
      if (r == NULL)
        g_error ("Start=%s: %s", starts[i], error->message);
      /* the resumed run skips what came before, and ends with the same model */
      g_assert_cmpint (g_array_index (r->times, MrtStageTime, 0).stage, ==,
                       (MrtStage) (MRT_STAGE_PREPARE + i + 1));
      g_assert_cmpfloat (r->evaluation->quant_top1, ==, s->evaluation->quant_top1);
      g_assert_cmpfloat (g_array_index (r->oscales, double, 0), ==, g_array_index (s->oscales, double, 0));
      sym2 = read_bytes (r->export_dir, "symbol");
      par2 = read_bytes (r->export_dir, "params");
      g_assert_true (g_bytes_equal (sym, sym2));
      g_assert_true (g_bytes_equal (par, par2));
    }
}

static void
test_missing_checkpoint (void)
{
  g_autoptr (MrtConfig) c = config_with_start ("QUANTIZATION");
  g_autoptr (GError) error = NULL;
  g_autofree char *p = g_build_filename (tmpdir, "tiny.mrt.quantize.json", NULL);
  g_autofree char *moved = g_strconcat (p, ".moved", NULL);
  g_assert_cmpint (g_rename (p, moved), ==, 0);
  g_assert_null (mrt_pipeline_run (c, NULL, &error));
  g_assert_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT);
  g_assert_nonnull (strstr (error->message, "Check point of QUANTIZATION not found"));
  g_assert_cmpint (g_rename (moved, p), ==, 0);
}

static void
test_order_error_and_immutability (void)
{
  g_autoptr (MrtConfig) c = config_with_start ("");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtState) s0 = mrt_state_new (orig);
  g_autoptr (MrtState) s1 = NULL;
  g_autoptr (MrtState) s2 = NULL;

  g_assert_null (mrt_stage_run (MRT_STAGE_QUANTIZATION, s0, c, NULL, &error));
  g_assert_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER);
  g_clear_error (&error);
  s1 = mrt_stage_run (MRT_STAGE_PREPARE, s0, c, NULL, &error);
  g_assert_no_error (error);
  /* the input state is untouched: a new state holds the result */
  g_assert_null (s0->prepared);
  g_assert_nonnull (s1->prepared);
  g_assert_true (s1->original == s0->original);
  s2 = mrt_stage_run (MRT_STAGE_SPLIT_MODEL, s1, c, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (s1->base);
  g_assert_true (s2->prepared == s1->prepared);
  g_assert_cmpint (mrt_model_n_heads (s2->base), ==, 1);
}

typedef struct {
  GMainLoop *loop;
  MrtState *result;
  GError *error;
  guint progress_calls;
} AsyncData;

static void
on_progress (double fraction, const char *message, gpointer user_data)
{
  AsyncData *d = user_data;
  g_atomic_int_inc (&d->progress_calls);
}

static void
on_done (GObject *source, GAsyncResult *res, gpointer user_data)
{
  AsyncData *d = user_data;
  d->result = mrt_stage_run_finish (res, &d->error);
  g_main_loop_quit (d->loop);
}

static void
test_async_and_cancel (void)
{
  g_autoptr (MrtConfig) c = config_with_start ("");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtState) s0 = mrt_state_new (orig);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  AsyncData d = { g_main_loop_new (NULL, FALSE), NULL, NULL, 0 };

  mrt_stage_run_async (MRT_STAGE_PREPARE, s0, c, on_progress, &d, NULL, on_done, &d);
  g_main_loop_run (d.loop);
  g_assert_no_error (d.error);
  g_assert_nonnull (d.result);
  g_assert_nonnull (d.result->prepared);
  g_assert_cmpuint (g_atomic_int_get (&d.progress_calls), >, 0);
  g_clear_pointer (&d.result, mrt_state_unref);

  g_cancellable_cancel (cancel);
  mrt_stage_run_async (MRT_STAGE_PREPARE, s0, c, NULL, NULL, cancel, on_done, &d);
  g_main_loop_run (d.loop);
  g_assert_null (d.result);
  g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (s0->prepared);
  g_clear_error (&d.error);
  g_main_loop_unref (d.loop);
}

/* Runs orig through every stage before EVALUATION. */
static MrtState *
quantized_state (MrtModel *orig, const MrtConfig *c)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtState) s0 = mrt_state_new (orig);
  MrtState *s = mrt_pipeline_run_stages (s0, c, MRT_STAGE_MERGE_MODEL, NULL, &error);
  g_assert_no_error (error);
  return s;
}

static void
assert_same_evaluation (const MrtEvaluation *a, const MrtEvaluation *b, gboolean quant_too)
{
  g_assert_cmpuint (a->samples, ==, b->samples);
  g_assert_cmpfloat (a->float_top1, ==, b->float_top1);
  g_assert_cmpfloat (a->float_top5, ==, b->float_top5);
  g_assert_cmpuint (a->n_classes, ==, b->n_classes);
  g_assert_cmpmem (a->class_total, a->n_classes * sizeof (guint64), b->class_total, b->n_classes * sizeof (guint64));
  g_assert_cmpmem (a->class_float, a->n_classes * sizeof (guint64), b->class_float, b->n_classes * sizeof (guint64));
  g_assert_cmpmem (a->running_float->data, a->running_float->len * sizeof (double), b->running_float->data,
                   b->running_float->len * sizeof (double));
  if (!quant_too)
    return;
  g_assert_cmpfloat (a->quant_top1, ==, b->quant_top1);
  g_assert_cmpfloat (a->quant_top5, ==, b->quant_top5);
  g_assert_cmpmem (a->class_quant, a->n_classes * sizeof (guint64), b->class_quant, b->n_classes * sizeof (guint64));
  g_assert_cmpmem (a->running_quant->data, a->running_quant->len * sizeof (double), b->running_quant->data,
                   b->running_quant->len * sizeof (double));
}

static MrtEvaluation *
evaluate (const MrtState *s, const MrtConfig *c, gboolean cache)
{
  g_autoptr (GError) error = NULL;
  MrtEvaluation *ev;
  g_setenv ("MRT_EVAL_CACHE", cache ? "1" : "0", TRUE);
  ev = mrt_evaluate (s, c, NULL, NULL, NULL, &error);
  g_unsetenv ("MRT_EVAL_CACHE");
  g_assert_no_error (error);
  g_assert_nonnull (ev);
  return ev;
}

/* Re-evaluating the same original model on the same batches reuses the
 * float results, with figures identical to a full evaluation; after new
 * thresholds only the quantized side changes; any other model or batch
 * setting evaluates the float model again. */
static void
test_evaluation_reuses_float_results (void)
{
  g_autoptr (MrtConfig) c = config_with_start ("");
  g_autoptr (MrtConfig) c2 = config_with_start ("");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtModel) reloaded = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtState) s = quantized_state (orig, c);
  g_autoptr (MrtState) s_reloaded = quantized_state (reloaded, c);
  g_autoptr (MrtState) s_tuned = NULL;
  g_autoptr (MrtEvaluation) full = NULL, again = NULL, uncached = NULL, tuned = NULL, tuned_full = NULL;
  g_autoptr (MrtEvaluation) other_model = NULL, other_iters = NULL;

  mrt_evaluate_forget_float_results ();
  full = evaluate (s, c, TRUE);
  g_assert_false (full->float_reused);
  again = evaluate (s, c, TRUE);
  g_assert_true (again->float_reused);
  assert_same_evaluation (full, again, TRUE);
  uncached = evaluate (s, c, FALSE);
  g_assert_false (uncached->float_reused);
  assert_same_evaluation (full, uncached, TRUE);

  /* new thresholds: a new quantized model of the same original */
  {
    g_autoptr (MrtIni) ini = fixture_ini ();
    g_autoptr (MrtConfig) ct = NULL;
    mrt_ini_set (ini, "QUANTIZATION", "Thresholds", "relu0: 0.5");
    ct = mrt_config_from_ini (ini, tmpdir, &error);
    g_assert_no_error (error);
    s_tuned = quantized_state (orig, ct);
  }
  tuned = evaluate (s_tuned, c, TRUE);
  g_assert_true (tuned->float_reused);
  tuned_full = evaluate (s_tuned, c, FALSE);
  assert_same_evaluation (tuned, tuned_full, TRUE);
  assert_same_evaluation (full, tuned, FALSE);

  /* a test set file rewritten on disk: evaluated again */
  {
    g_autofree char *labels = g_build_filename (tmpdir, "npy", "label.npy", NULL);
    struct utimbuf times = { 1000000000, 1000000000 };
    g_autoptr (MrtEvaluation) rewritten = NULL;
    g_assert_cmpint (g_utime (labels, &times), ==, 0);
    rewritten = evaluate (s, c, TRUE);
    g_assert_false (rewritten->float_reused);
    assert_same_evaluation (full, rewritten, TRUE);
  }

  /* another model object (reloaded from disk), other batches */
  other_model = evaluate (s_reloaded, c, TRUE);
  g_assert_false (other_model->float_reused);
  c2->iter_num = 2;
  other_iters = evaluate (s_reloaded, c2, TRUE);
  g_assert_false (other_iters->float_reused);
  g_assert_cmpuint (other_iters->samples, ==, 10);
  mrt_evaluate_forget_float_results ();
}

int
main (int argc, char **argv)
{
  int r;
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("mrt-pipeline-XXXXXX", NULL);
  write_fixture ();
  g_test_add_func ("/pipeline/full-run-and-resume", test_full_run_and_resume);
  g_test_add_func ("/pipeline/missing-checkpoint", test_missing_checkpoint);
  g_test_add_func ("/pipeline/order-error-and-immutability", test_order_error_and_immutability);
  g_test_add_func ("/pipeline/async-and-cancel", test_async_and_cancel);
  g_test_add_func ("/pipeline/evaluation-reuses-float-results", test_evaluation_reuses_float_results);
  r = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      g_warning ("could not remove %s", tmpdir);
  }
  return r;
}
