/* test-reliability.c: what a crash or a cancel must not break.
 *
 *  - Interrupted writes: a child process exports CVM folders (and, in another
 *    test, writes checkpoints, .npy, .ini and ext files) in a loop over
 *    previous good ones and is SIGKILLed at pseudo-random points; what is on
 *    disk must then be one complete version (old or new, byte for byte), and
 *    an export must load with mrt_cvm_load.
 *  - Cancellation: every stage of a plain and of a split pipeline is
 *    cancelled before it starts, at each of its progress reports, and from
 *    another thread after a range of delays; a cancelled run returns NULL
 *    with G_IO_ERROR_CANCELLED and leaves its input state exactly as it was
 *    (same pointers, same values), and the next run succeeds. An export
 *    cancelled from another thread at 30 delays either finishes or leaves
 *    the previous folder byte for byte and no temporary folder.
 *
 * All pseudo-random choices come from fixed seeds. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cvm/mrt-cvm-io.h"
#include "mrt.h"

void openblas_set_num_threads (int num_threads); /* cblas.h; one thread keeps fork() simple */

static char *tmpdir;

/* ---- fixture: a tiny CNN and an .npy dataset ----------------------------- */

static GHashTable *
kv (const char *k1, const char *v1, const char *k2, const char *v2, const char *k3, const char *v3)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *k[] = { k1, k2, k3 }, *v[] = { v1, v2, v3 };
  for (guint i = 0; i < 3 && k[i]; i++)
    g_hash_table_insert (h, g_strdup (k[i]), g_strdup (v[i]));
  return h;
}

static MrtTensor *
uniform (GRand *r, MrtShape s, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) g_rand_double_range (r, lo, hi);
  return t;
}

/* data (N, 1, 6, 6) → Convolution 3×3×3 → relu → max Pooling 2×2 → Flatten
 * (27 outputs; labels in [0, 27)). relu0 is the split key of the split
 * configuration: the top (pooling, flatten) is scale-agnostic. */
static void
write_fixture (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (2024);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (MrtTensor) w = uniform (r, mrt_shape_make (4, (gint64) 3, (gint64) 1, (gint64) 3, (gint64) 3), -1, 1);
  g_autoptr (MrtTensor) b = uniform (r, mrt_shape_make (1, (gint64) 3), -0.2, 0.2);
  g_autoptr (MrtTensor) x = uniform (r, mrt_shape_make (4, (gint64) 32, (gint64) 1, (gint64) 6, (gint64) 6), 0, 1);
  MrtShape ls = mrt_shape_make (1, (gint64) 32);
  g_autoptr (MrtTensor) y = mrt_tensor_new (MRT_DTYPE_I32, &ls);
  g_autoptr (GError) error = NULL;
  g_autofree char *json = g_build_filename (tmpdir, "tiny.json", NULL);
  g_autofree char *params = g_build_filename (tmpdir, "tiny.params", NULL);
  g_autofree char *ds = g_build_filename (tmpdir, "npy", NULL);
  g_autofree char *xp = g_build_filename (ds, "data.npy", NULL);
  g_autofree char *yp = g_build_filename (ds, "label.npy", NULL);
  g_autofree char *out = g_build_filename (tmpdir, "out", NULL);
  guint data = mrt_model_add_variable (m, "data");
  guint wv = mrt_model_add_variable (m, "conv0_weight");
  guint bv = mrt_model_add_variable (m, "conv0_bias");
  guint conv = mrt_model_add_node (m, "conv0", "Convolution", kv ("kernel", "(3, 3)", "num_filter", "3", "pad", "(1, 1)"),
                                   (MrtEntry[]){ { data, 0 }, { wv, 0 }, { bv, 0 } }, 3);
  guint relu = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { conv, 0 } }, 1);
  guint pool = mrt_model_add_node (m, "pool0", "Pooling", kv ("kernel", "(2, 2)", "stride", "(2, 2)", "pool_type", "max"),
                                   (MrtEntry[]){ { relu, 0 } }, 1);
  guint flat = mrt_model_add_node (m, "flatten0", "Flatten", NULL, (MrtEntry[]){ { pool, 0 } }, 1);

  mrt_model_add_head (m, (MrtEntry){ flat, 0 });
  mrt_model_set_param (m, "conv0_weight", w);
  mrt_model_set_param (m, "conv0_bias", b);
  g_assert_true (mrt_model_validate (m, &error));
  g_assert_true (mrt_mxnet_save (m, json, params, &error));
  for (gsize i = 0; i < y->n; i++)
    mrt_tensor_i32 (y)[i] = g_rand_int_range (r, 0, 27);
  g_assert_cmpint (g_mkdir_with_parents (ds, 0755), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (out, 0755), ==, 0);
  g_assert_true (mrt_npy_save (x, xp, &error));
  g_assert_true (mrt_npy_save (y, yp, &error));
  g_assert_no_error (error);
}

static MrtConfig *
fixture_config (gboolean split)
{
  g_autofree char *text = g_strdup_printf (
    "[DEFAULT]\nModel_dir=\nModel_name=tiny\nInput_shape=(-1, 1, 6, 6)\n"
    "[SPLIT_MODEL]\nKeys=%s\n"
    "[CALIBRATION]\nDataset=npy\nDataset_dir=npy\nBatch=8\nCalibrate_num=2\n"
    "[QUANTIZATION]\nInput_precision=8\nOutput_precision=8\n"
    "[MERGE_MODEL]\nOscale_maps=%s\n"
    "[EVALUATION]\nBatch=8\nIter_num=2\n"
    "[COMPILATION]\nBatch=1\nDump_dir=out\n",
    split ? "relu0" : "", split ? "flatten0: relu0" : "");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtIni) ini = mrt_ini_parse (text, "reliability.ini", &error);
  MrtConfig *c;
  g_assert_no_error (error);
  c = mrt_config_from_ini (ini, tmpdir, &error);
  g_assert_no_error (error);
  return c;
}

/* ---- files and folders --------------------------------------------------- */

static GBytes *
slurp (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_bytes_new_take (data, len);
}

static const char *const export_files[] = { "symbol", "params", "data.npy", "ext" };

/* The four files of an export folder (NULL where missing). */
static void
read_export (const char *dir, GBytes *out[4])
{
  for (guint i = 0; i < 4; i++)
    {
      g_autofree char *p = g_build_filename (dir, export_files[i], NULL);
      out[i] = slurp (p);
    }
}

static gboolean
same_export (GBytes *const a[4], GBytes *const b[4])
{
  for (guint i = 0; i < 4; i++)
    if (a[i] == NULL || b[i] == NULL || !g_bytes_equal (a[i], b[i]))
      return FALSE;
  return TRUE;
}

static void
clear_export (GBytes *x[4])
{
  for (guint i = 0; i < 4; i++)
    g_clear_pointer (&x[i], g_bytes_unref);
}

static void
remove_tree (const char *path)
{
  g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (path, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR) && !g_file_test (p, G_FILE_TEST_IS_SYMLINK))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (path);
}

/* Runs child() in a forked process, SIGKILLs it after delay_us, reaps it. */
static void
kill_after (void (*child) (gpointer), gpointer data, gulong delay_us)
{
  pid_t pid;
  int status;

  fflush (NULL);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      child (data);
      _exit (0);
    }
  g_usleep (delay_us);
  kill (pid, SIGKILL);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  /* killed, or done before the signal: both are fine */
  g_assert_true (WIFSIGNALED (status) || (WIFEXITED (status) && WEXITSTATUS (status) == 0));
}

/* ---- the pipeline ----------------------------------------------------------- */

/* The state after each stage of the plan (index by MrtStage; NULL when the
 * plan skips it), from a clean run. */
static MrtState *
run_until (const MrtConfig *c, MrtStage last)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_pipeline_load_original (c, &error);
  g_autoptr (MrtState) s0 = NULL;
  MrtState *s;

  g_assert_no_error (error);
  s0 = mrt_state_new (orig);
  s = mrt_pipeline_run_stages (s0, c, last, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* ---- interrupted export ------------------------------------------------------ */

typedef struct {
  MrtState *state;
  const MrtConfig *config;
  MrtTensor *samples[2];
} ExportJob;

static gboolean
export_one (ExportJob *job, guint which, GError **error)
{
  g_autofree char *dir = NULL;
  guint64 gas = 0;
  g_autofree char *dump = g_build_filename (tmpdir, "out", NULL);
  return mrt_export_cvm (job->state->final, job->state->oscales, job->state->input_scale,
                         job->state->input_precision, &job->config->input_shape, job->samples[which], dump,
                         job->config->model_name, &dir, &gas, NULL, error);
}

/* The child: exports B, A, B, A, … until it is killed. */
static void
export_forever (gpointer data)
{
  for (guint i = 0;; i++)
    if (!export_one (data, (i + 1) % 2, NULL))
      _exit (2);
}

static void
test_export_killed (void)
{
  g_autoptr (MrtConfig) c = fixture_config (FALSE);
  g_autoptr (GRand) r = g_rand_new_with_seed (7);
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_build_filename (tmpdir, "out", "tiny_cvm", NULL);
  g_autofree char *outdir = g_build_filename (tmpdir, "out", NULL);
  ExportJob job = { run_until (c, MRT_STAGE_MERGE_MODEL), c, { NULL, NULL } };
  GBytes *a[4] = { NULL }, *b[4] = { NULL };
  gint64 t0;
  gulong took;
  guint saw_a = 0, saw_b = 0;

  /* two different exports of the same model: their data.npy differ */
  for (guint k = 0; k < 2; k++)
    {
      MrtShape s = mrt_shape_make (4, (gint64) 1, (gint64) 1, (gint64) 6, (gint64) 6);
      job.samples[k] = uniform (r, s, 0, 1);
    }
  g_assert_true (export_one (&job, 1, &error));
  read_export (target, b);
  t0 = g_get_monotonic_time ();
  g_assert_true (export_one (&job, 0, &error));
  took = (gulong) (g_get_monotonic_time () - t0);
  g_assert_no_error (error);
  read_export (target, a);
  g_assert_false (same_export (a, b));

  /* kill the exporting child anywhere within about three exports */
  for (guint it = 0; it < 40; it++)
    {
      GBytes *now[4] = { NULL };
      g_autoptr (MrtModel) loaded = NULL;
      gulong delay = (gulong) g_rand_int_range (r, 0, (gint32) MIN (3 * took + 1000, G_MAXINT32));

      kill_after (export_forever, &job, delay);
      read_export (target, now);
      if (same_export (now, a))
        saw_a++;
      else if (same_export (now, b))
        saw_b++;
      else
        g_error ("after a kill at %lu µs the export folder holds neither complete export", delay);
      loaded = mrt_cvm_load (target, &error);
      g_assert_no_error (error);
      g_assert_nonnull (loaded);
      clear_export (now);
    }
  g_test_message ("export killed 40 times (an export takes %lu µs): %u times the first, %u the second", took, saw_a,
                  saw_b);

  /* leftovers of killed exports are hidden temporary folders; the next
   * export still works and replaces the folder whole */
  g_assert_true (export_one (&job, 0, &error));
  {
    GBytes *now[4] = { NULL };
    read_export (target, now);
    g_assert_true (same_export (now, a));
    clear_export (now);
  }
  {
    g_autoptr (GDir) d = g_dir_open (outdir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)))
      if (g_str_has_prefix (name, ".tiny_cvm."))
        {
          g_autofree char *p = g_build_filename (outdir, name, NULL);
          remove_tree (p);
        }
  }
  clear_export (a);
  clear_export (b);
  mrt_tensor_unref (job.samples[0]);
  mrt_tensor_unref (job.samples[1]);
  mrt_state_unref (job.state);
}

/* ---- interrupted checkpoint, .npy, .ini and ext writes ------------------------- */

typedef struct {
  MrtModel *models[2];
  MrtTensor *tensors[2];
  MrtIni *inis[2];
  GArray *oscales[2];
  char *json, *params, *npy, *ini, *ext;
} WriteJob;

static void
write_set (WriteJob *j, guint w)
{
  MrtShape s = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 6, (gint64) 6);
  if (!mrt_mxnet_save (j->models[w], j->json, j->params, NULL) || !mrt_npy_save (j->tensors[w], j->npy, NULL) ||
      !mrt_ini_save (j->inis[w], j->ini, NULL) || !mrt_write_all_ext (j->ext, j->oscales[w], 1.5 + w, 8, &s, NULL))
    _exit (2);
}

static void
write_forever (gpointer data)
{
  for (guint i = 0;; i++)
    write_set (data, (i + 1) % 2);
}

static void
test_writes_killed (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (99);
  g_autoptr (GError) error = NULL;
  WriteJob j = { { NULL } };
  const char **paths;
  GBytes *v[2][5];
  gint64 t0;
  gulong took;

  j.json = g_build_filename (tmpdir, "ck.json", NULL);
  j.params = g_build_filename (tmpdir, "ck.params", NULL);
  j.npy = g_build_filename (tmpdir, "ck.npy", NULL);
  j.ini = g_build_filename (tmpdir, "ck.ini", NULL);
  j.ext = g_build_filename (tmpdir, "ck.ext", NULL);
  paths = (const char *[]){ j.json, j.params, j.npy, j.ini, j.ext };
  for (guint w = 0; w < 2; w++)
    {
      g_autofree char *text = g_strdup_printf ("# project %u\n[DEFAULT]\nModel_name=m%u\n", w, w);
      g_autofree char *json = g_build_filename (tmpdir, "tiny.json", NULL);
      g_autofree char *params = g_build_filename (tmpdir, "tiny.params", NULL);
      double os = 3.0 + w;
      /* large enough that a write takes a while: 256k floats */
      j.tensors[w] = uniform (r, mrt_shape_make (2, (gint64) 512, (gint64) 512), -1, 1);
      j.models[w] = mrt_mxnet_load (json, params, &error);
      g_assert_no_error (error);
      if (w)
        {
          g_autoptr (MrtTensor) bias = mrt_tensor_copy (mrt_model_get_param (j.models[w], "conv0_bias"));
          mrt_tensor_f32 (bias)[0] += 1;
          mrt_model_set_param (j.models[w], "conv0_bias", bias);
        }
      j.inis[w] = mrt_ini_parse (text, "ck.ini", &error);
      g_assert_no_error (error);
      j.oscales[w] = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_val (j.oscales[w], os);
    }
  for (guint w = 0; w < 2; w++)
    {
      write_set (&j, w);
      for (guint f = 0; f < 5; f++)
        v[w][f] = slurp (paths[f]);
    }
  for (guint f = 1; f < 5; f++) /* the symbol JSON is the same: only a parameter differs */
    g_assert_false (g_bytes_equal (v[0][f], v[1][f]));
  t0 = g_get_monotonic_time ();
  write_set (&j, 1);
  took = (gulong) (g_get_monotonic_time () - t0);

  for (guint it = 0; it < 40; it++)
    {
      gulong delay = (gulong) g_rand_int_range (r, 0, (gint32) MIN (3 * took + 1000, G_MAXINT32));
      kill_after (write_forever, &j, delay);
      for (guint f = 0; f < 5; f++)
        {
          g_autoptr (GBytes) now = slurp (paths[f]);
          if (now == NULL || (!g_bytes_equal (now, v[0][f]) && !g_bytes_equal (now, v[1][f])))
            g_error ("after a kill at %lu µs, %s is neither complete version", delay, paths[f]);
        }
    }

  for (guint f = 0; f < 5; f++)
    {
      g_bytes_unref (v[0][f]);
      g_bytes_unref (v[1][f]);
    }
  {
    /* the files, and the temporaries (ck.*.XXXXXX) of killed writes */
    g_autoptr (GDir) d = g_dir_open (tmpdir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name (d)))
      if (g_str_has_prefix (name, "ck."))
        {
          g_autofree char *p = g_build_filename (tmpdir, name, NULL);
          g_unlink (p);
        }
  }
  for (guint w = 0; w < 2; w++)
    {
      mrt_model_unref (j.models[w]);
      mrt_tensor_unref (j.tensors[w]);
      mrt_ini_free (j.inis[w]);
      g_array_unref (j.oscales[w]);
    }
  g_free (j.json);
  g_free (j.params);
  g_free (j.npy);
  g_free (j.ini);
  g_free (j.ext);
}

/* ---- cancellation ----------------------------------------------------------------- */

typedef struct {
  GCancellable *cancellable;
  gint calls;     /* progress reports seen (atomic) */
  gint cancel_at; /* cancel at this report; 0: never */
} Watch;

static void
on_progress (double fraction, const char *message, gpointer user_data)
{
  Watch *w = user_data;
  gint n = g_atomic_int_add (&w->calls, 1) + 1;
  g_assert_true (fraction >= 0 && fraction <= 1);
  if (w->cancel_at > 0 && n == w->cancel_at)
    g_cancellable_cancel (w->cancellable);
}

/* Everything of a state a stage could change by mistake. */
typedef struct {
  MrtState fields; /* pointers and scalars, as they were */
  guint times_len;
  guint n_thresholds;
  guint n_oscales;
  double first_oscale;
  guint original_nodes;
} Snapshot;

static void
snapshot (const MrtState *s, Snapshot *out)
{
  memcpy (&out->fields, s, sizeof *s);
  out->times_len = s->times ? s->times->len : 0;
  out->n_thresholds = s->thresholds ? g_hash_table_size (s->thresholds) : 0;
  out->n_oscales = s->oscales ? s->oscales->len : 0;
  out->first_oscale = s->oscales && s->oscales->len ? g_array_index (s->oscales, double, 0) : 0;
  out->original_nodes = s->original ? mrt_model_n_nodes (s->original) : 0;
}

static void
assert_unchanged (const MrtState *s, const Snapshot *before, MrtStage stage, const char *how)
{
  Snapshot now;
  snapshot (s, &now);
  if (memcmp (&now.fields, &before->fields, sizeof now.fields) != 0 || now.times_len != before->times_len ||
      now.n_thresholds != before->n_thresholds || now.n_oscales != before->n_oscales ||
      now.first_oscale != before->first_oscale || now.original_nodes != before->original_nodes)
    g_error ("%s cancelled %s changed its input state", mrt_stage_name (stage), how);
}

/* One run under a cancellable: NULL + CANCELLED, or (when the stage was past
 * its last check) a complete result. Returns TRUE when it was cancelled. */
static gboolean
run_checked (MrtStage stage, MrtState *in, const MrtConfig *c, Watch *w, const char *how)
{
  MrtProgress p = { on_progress, w, w->cancellable };
  g_autoptr (GError) error = NULL;
  Snapshot before;
  MrtState *out;

  snapshot (in, &before);
  out = mrt_stage_run (stage, in, c, &p, &error);
  assert_unchanged (in, &before, stage, how);
  if (out == NULL)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_error ("%s cancelled %s failed with “%s” instead of being cancelled", mrt_stage_name (stage), how,
                 error ? error->message : "(no error)");
      return TRUE;
    }
  g_assert_no_error (error);
  /* (SPLIT_MODEL without keys passes the state on: no base) */
  g_assert_true (mrt_state_has (out, stage) || (stage == MRT_STAGE_SPLIT_MODEL && c->split_keys->len == 0));
  mrt_state_unref (out);
  return FALSE;
}

typedef struct {
  GCancellable *cancellable;
  gulong delay_us;
} Canceller;

static gpointer
cancel_later (gpointer data)
{
  Canceller *k = data;
  g_usleep (k->delay_us);
  g_cancellable_cancel (k->cancellable);
  return NULL;
}

/* No hidden temporary folder of an export is left in dir. */
static void
assert_no_temporaries (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  g_assert_nonnull (d);
  while ((name = g_dir_read_name (d)))
    if (g_str_has_prefix (name, ".tiny_cvm."))
      g_error ("a cancelled or finished export left %s/%s behind", dir, name);
}

/* An export cancelled at any moment either finishes (the new folder) or
 * fails with G_IO_ERROR_CANCELLED leaving the previous folder, byte for
 * byte, and no temporary folder. */
static void
test_export_cancelled (void)
{
  g_autoptr (MrtConfig) c = fixture_config (FALSE);
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (GError) error = NULL;
  g_autofree char *target = g_build_filename (tmpdir, "out", "tiny_cvm", NULL);
  g_autofree char *outdir = g_build_filename (tmpdir, "out", NULL);
  ExportJob job = { run_until (c, MRT_STAGE_MERGE_MODEL), c, { NULL, NULL } };
  GBytes *a[4] = { NULL }, *b[4] = { NULL };
  guint cancelled = 0, finished = 0;
  gint64 t0;
  gulong took;

  for (guint k = 0; k < 2; k++)
    {
      MrtShape s = mrt_shape_make (4, (gint64) 1, (gint64) 1, (gint64) 6, (gint64) 6);
      job.samples[k] = uniform (r, s, 0, 1);
    }
  t0 = g_get_monotonic_time ();
  g_assert_true (export_one (&job, 0, &error));
  took = (gulong) (g_get_monotonic_time () - t0);
  read_export (target, a);
  g_assert_true (export_one (&job, 1, &error));
  read_export (target, b);
  g_assert_false (same_export (a, b));

  for (guint it = 0; it <= 30; it++)
    {
      g_autofree char *dir = NULL;
      g_autofree char *dump = g_build_filename (tmpdir, "out", NULL);
      Canceller k = { g_cancellable_new (), took * it / 25 };
      GBytes *now[4] = { NULL };
      GThread *t = NULL;
      gboolean ok;

      if (it == 0)
        g_cancellable_cancel (k.cancellable); /* before it starts */
      else
        t = g_thread_new ("canceller", cancel_later, &k);
      ok = mrt_export_cvm (job.state->final, job.state->oscales, job.state->input_scale, job.state->input_precision,
                           &c->input_shape, job.samples[0], dump, c->model_name, &dir, NULL, k.cancellable, &error);
      if (t)
        g_thread_join (t);
      read_export (target, now);
      if (ok)
        {
          g_assert_no_error (error);
          g_assert_true (same_export (now, a));
          finished++;
          /* back to B for the next round */
          g_assert_true (export_one (&job, 1, &error));
        }
      else
        {
          g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
          g_clear_error (&error);
          g_assert_true (same_export (now, b));
          cancelled++;
        }
      assert_no_temporaries (outdir);
      clear_export (now);
      g_object_unref (k.cancellable);
    }
  g_test_message ("export of %lu µs cancelled at 31 delays: %u cancelled, %u finished", took, cancelled, finished);
  g_assert_cmpuint (cancelled, >=, 1);
  clear_export (a);
  clear_export (b);
  mrt_tensor_unref (job.samples[0]);
  mrt_tensor_unref (job.samples[1]);
  mrt_state_unref (job.state);
}

static void
cancel_every_stage (gboolean split)
{
  g_autoptr (MrtConfig) c = fixture_config (split);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_pipeline_load_original (c, &error);
  g_autoptr (GArray) plan = mrt_pipeline_plan (c);
  g_autofree char *export_dir = g_build_filename (tmpdir, "out", "tiny_cvm", NULL);
  MrtState *s;

  g_assert_no_error (error);
  s = mrt_state_new (orig);
  for (guint i = 0; i < plan->len; i++)
    {
      MrtStage stage = g_array_index (plan, MrtStage, i);
      Watch w = { NULL, 0, 0 };
      GBytes *export_before[4] = { NULL };
      gint reports;
      guint cancelled = 0, runs = 0;
      gint64 t0;
      gulong took;
      MrtState *next;


      /* cancelled before it starts: no progress, nothing happens */
      w.cancellable = g_cancellable_new ();
      g_cancellable_cancel (w.cancellable);
      g_assert_true (run_checked (stage, s, c, &w, "before it started"));
      g_assert_cmpint (g_atomic_int_get (&w.calls), ==, 0);
      g_clear_object (&w.cancellable);

      /* a clean run counts the progress reports and times the stage */
      w.cancellable = g_cancellable_new ();
      w.calls = 0;
      t0 = g_get_monotonic_time ();
      g_assert_false (run_checked (stage, s, c, &w, "never"));
      took = (gulong) (g_get_monotonic_time () - t0);
      reports = g_atomic_int_get (&w.calls);
      g_clear_object (&w.cancellable);
      read_export (export_dir, export_before); /* what every later run exports too */

      /* at each progress report (at most 30 of them, spread evenly) */
      for (gint k = 1; k <= reports; k += MAX (1, reports / 30))
        {
          w.cancellable = g_cancellable_new ();
          w.calls = 0;
          w.cancel_at = k;
          {
            gboolean was = run_checked (stage, s, c, &w, "at a progress report");
            /* a cancel at the first of several reports is always seen (a
             * later one may come after the stage's last check) */
            if (!was && k == 1 && reports > 1)
              g_error ("%s ignored a cancel at its first progress report", mrt_stage_name (stage));
            cancelled += was;
          }
          runs++;
          g_clear_object (&w.cancellable);
        }
      w.cancel_at = 0;

      /* from another thread, after delays across the stage's run time */
      for (guint d = 0; d < 6; d++)
        {
          Canceller k = { g_cancellable_new (), took * d / 5 };
          GThread *t;
          w.cancellable = k.cancellable;
          w.calls = 0;
          t = g_thread_new ("canceller", cancel_later, &k);
          cancelled += run_checked (stage, s, c, &w, "from another thread");
          runs++;
          g_thread_join (t);
          g_clear_object (&w.cancellable);
        }
      g_test_message ("%s%s: %d progress reports, %lu µs; %u of %u interrupted runs were cancelled",
                      mrt_stage_name (stage), split ? " (split)" : "", reports, took, cancelled, runs);

      /* a cancelled COMPILATION leaves the previous export alone */
      if (stage == MRT_STAGE_COMPILATION && export_before[0])
        {
          GBytes *now[4] = { NULL };
          read_export (export_dir, now);
          g_assert_true (same_export (now, export_before)); /* every run exports the same bytes */
          clear_export (now);
        }
      clear_export (export_before);

      /* and the next run succeeds */
      next = mrt_stage_run (stage, s, c, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (next);
      mrt_state_unref (s);
      s = next;
    }
  g_assert_nonnull (s->export_dir);
  mrt_state_unref (s);
}

static void
test_cancel_plain (void)
{
  cancel_every_stage (FALSE);
}

static void
test_cancel_split (void)
{
  cancel_every_stage (TRUE);
}

int
main (int argc, char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  openblas_set_num_threads (1);
  tmpdir = g_dir_make_tmp ("mrt-reliability-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  write_fixture ();
  g_test_add_func ("/reliability/export-killed", test_export_killed);
  g_test_add_func ("/reliability/writes-killed", test_writes_killed);
  g_test_add_func ("/reliability/export-cancelled", test_export_cancelled);
  g_test_add_func ("/reliability/cancel/plain", test_cancel_plain);
  g_test_add_func ("/reliability/cancel/split", test_cancel_split);
  ret = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
