/* test-bad-inputs.c: every malformed input of tests/bad/ (listed in
 * tests/bad/MANIFEST, written by tests/bad/make-bad.py) is refused by its
 * reader with a GError, not a crash; the message holds the expected text and
 * names the file. Then hostile sizes: each reader gets headers claiming
 * about 2^40 elements (or bytes) in a child process whose address space is
 * capped at 1 GiB, and must fail cleanly without allocating. */
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "cvm/mrt-cvm.h"
#include "mrt-config.h"
#include "mrt-dataset.h"
#include "mrt-mxnet.h"
#include "mrt-export.h"
#include "mrt-npy.h"

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

static char *bad_dir;
static char *data_dir;

typedef struct {
  char *format;
  char *name;
  char *expect;
} Case;

static void
case_free (gpointer p)
{
  Case *c = p;
  g_free (c->format);
  g_free (c->name);
  g_free (c->expect);
  g_free (c);
}

static GPtrArray *cases;

static char *
read_text (const char *path, gsize *len)
{
  g_autoptr (GError) error = NULL;
  char *text = NULL;
  g_assert_true (g_file_get_contents (path, &text, len, &error));
  g_assert_no_error (error);
  return text;
}

/* Runs the case's reader; returns what it returned (NULL expected). The
 * message must name *named. */
static gboolean
load_case (const Case *c, const char *path, char **named, GError **error)
{
  MrtShape input;

  *named = g_strdup (path);
  if (g_str_equal (c->format, "mxnet-symbol"))
    {
      g_autoptr (MrtModel) m = mrt_mxnet_load (path, NULL, error);
      return m != NULL;
    }
  if (g_str_equal (c->format, "mxnet-params"))
    {
      g_autofree char *sym = g_build_filename (data_dir, "mxnet", "golden-symbol.json", NULL);
      g_autoptr (MrtModel) m = mrt_mxnet_load (sym, path, error);
      return m != NULL;
    }
  if (g_str_equal (c->format, "cvm-symbol"))
    {
      gsize len;
      g_autofree char *json = read_text (path, &len);
      g_autoptr (MrtModel) m = mrt_cvm_parse_symbol (json, len, path, error);
      return m != NULL;
    }
  if (g_str_equal (c->format, "cvm-params"))
    {
      /* the params of tests/data/cvm/lut, as mrt_cvm_load would read them */
      g_autofree char *sym = g_build_filename (data_dir, "cvm", "lut", "symbol", NULL);
      gsize jl, pl;
      g_autofree char *json = read_text (sym, &jl);
      g_autofree char *params = read_text (path, &pl);
      g_autoptr (MrtModel) m = mrt_cvm_parse (json, jl, (const guint8 *) params, pl, path, error);
      return m != NULL;
    }
  if (g_str_equal (c->format, "cvm-ext"))
    {
      gsize len;
      g_autofree char *text = read_text (path, &len);
      g_autoptr (GArray) oscales = NULL;
      double scale;
      int precision;
      MrtShape shape;
      return mrt_parse_cvm_ext (text, len, path, &oscales, &scale, &precision, &shape, error);
    }
  if (g_str_equal (c->format, "npy"))
    {
      g_autoptr (MrtTensor) t = mrt_npy_load (path, error);
      return t != NULL;
    }
  if (g_str_equal (c->format, "idx") || g_str_equal (c->format, "cifar") || g_str_equal (c->format, "dataset-npy"))
    {
      const char *name = g_str_equal (c->format, "idx") ? "mnist" : g_str_equal (c->format, "cifar") ? "cifar10" : "npy";
      g_autoptr (MrtDataset) ds = NULL;
      if (g_str_equal (c->format, "idx"))
        input = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 28, (gint64) 28);
      else if (g_str_equal (c->format, "cifar"))
        input = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);
      else
        input = mrt_shape_make (2, (gint64) -1, (gint64) 3);
      ds = mrt_dataset_open (name, path, &input, error);
      return ds != NULL;
    }
  if (g_str_equal (c->format, "ini"))
    {
      g_autoptr (MrtIni) ini = mrt_ini_load (path, error);
      return ini != NULL;
    }
  if (g_str_equal (c->format, "config"))
    {
      g_autoptr (MrtConfig) config = mrt_config_load (path, error);
      return config != NULL;
    }
  g_error ("tests/bad/MANIFEST: unknown format “%s”", c->format);
  return FALSE;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_build_filename (bad_dir, c->format, c->name, NULL);
  g_autofree char *named = NULL;
  g_autoptr (GError) error = NULL;
  gboolean ok;

  g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS));
  ok = load_case (c, path, &named, &error);
  if (ok)
    g_error ("%s/%s was accepted; expected an error with “%s”", c->format, c->name, c->expect);
  g_assert_nonnull (error);
  g_assert_true (g_utf8_validate (error->message, -1, NULL));
  if (g_test_verbose ())
    g_test_message ("%s/%s: %s", c->format, c->name, error->message);
  if (strstr (error->message, c->expect) == NULL)
    g_error ("%s/%s: the message “%s” lacks “%s”", c->format, c->name, error->message, c->expect);
  if (strstr (error->message, named) == NULL)
    g_error ("%s/%s: the message “%s” does not name the file", c->format, c->name, error->message);
}

/* Every file of tests/bad/<format>/ has a MANIFEST line, and there are enough. */
static void
test_manifest_complete (void)
{
  g_autoptr (GHashTable) listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GDir) top = g_dir_open (bad_dir, 0, NULL);
  const char *format;
  guint formats = 0;

  g_assert_nonnull (top);
  for (guint i = 0; i < cases->len; i++)
    {
      Case *c = g_ptr_array_index (cases, i);
      g_hash_table_add (listed, g_build_filename (c->format, c->name, NULL));
    }
  while ((format = g_dir_read_name (top)))
    {
      g_autofree char *fdir = g_build_filename (bad_dir, format, NULL);
      g_autoptr (GDir) d = NULL;
      const char *name;
      if (!g_file_test (fdir, G_FILE_TEST_IS_DIR))
        continue;
      formats++;
      d = g_dir_open (fdir, 0, NULL);
      while ((name = g_dir_read_name (d)))
        {
          g_autofree char *key = g_build_filename (format, name, NULL);
          if (!g_hash_table_contains (listed, key))
            g_error ("tests/bad/%s is not in tests/bad/MANIFEST", key);
        }
    }
  g_assert_cmpuint (formats, >=, 10);
  g_assert_cmpuint (cases->len, >=, 60);
}

/* ---- hostile sizes under a 1 GiB address-space cap ----------------------- */

static void
le32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
le64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

static void
be32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_BE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static const guint64 TERA = G_GUINT64_CONSTANT (1) << 40;

static void
write_file (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_true (g_file_set_contents (path, data, (gssize) len, &error));
}

static gsize
peak_rss_mib (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (gsize) ru.ru_maxrss / 1024;
}

/* In the child: each reader, given a header that claims ~2^40 elements, or a
 * count or string length of 2^40, must return an error. */
static void
hostile_readers (const char *dir)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) b = NULL;
  gsize rss_before = peak_rss_mib ();

  /* .npy: 2^20 × 2^20 float32, and 2^31 bytes announced by a 100-byte file */
  {
    static const char h1[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (1048576, 1048576), }";
    static const char h2[] = "{'descr': '|u1', 'fortran_order': False, 'shape': (2147483648,), }";
    const char *headers[] = { h1, h2 };
    for (guint i = 0; i < 2; i++)
      {
        g_autoptr (MrtTensor) t = NULL;
        b = g_byte_array_new ();
        g_byte_array_append (b, (const guint8 *) "\x93NUMPY\x01\x00", 8);
        g_byte_array_append (b, (const guint8 *) (guint16[]){ GUINT16_TO_LE ((guint16) strlen (headers[i])) }, 2);
        g_byte_array_append (b, (const guint8 *) headers[i], (guint) strlen (headers[i]));
        g_byte_array_append (b, (const guint8 *) "0123456789", 10);
        t = mrt_npy_parse (b->data, b->len, "hostile.npy", &error);
        g_assert_null (t);
        g_assert_error (error, MRT_NPY_ERROR, (gint) (i == 0 ? MRT_NPY_ERROR_SIZE : MRT_NPY_ERROR_TRUNCATED));
        g_clear_error (&error);
        g_clear_pointer (&b, g_byte_array_unref);
      }
  }

  /* MXNet .params: 2^40 arrays; a V2 array of 2^20 × 2^20; a name of 2^40 bytes */
  {
    GHashTable *t;
    b = g_byte_array_new ();
    le64 (b, 0x112), le64 (b, 0), le64 (b, TERA), le64 (b, 0);
    t = mrt_mxnet_parse_params (b->data, b->len, "hostile.params", &error);
    g_assert_null (t);
    g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_PARAMS);
    g_clear_error (&error);
    g_clear_pointer (&b, g_byte_array_unref);

    b = g_byte_array_new ();
    le64 (b, 0x112), le64 (b, 0), le64 (b, 1);
    le32 (b, 0xF993FAC9u), le32 (b, 0), le32 (b, 2), le64 (b, 1 << 20), le64 (b, 1 << 20);
    le32 (b, 1), le32 (b, 0), le32 (b, 0);
    t = mrt_mxnet_parse_params (b->data, b->len, "hostile.params", &error);
    g_assert_null (t);
    g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_PARAMS);
    g_clear_error (&error);
    g_clear_pointer (&b, g_byte_array_unref);

    b = g_byte_array_new ();
    le64 (b, 0x112), le64 (b, 0), le64 (b, 1);
    le32 (b, 0xF993FAC9u), le32 (b, 0), le32 (b, 1), le64 (b, 1), le32 (b, 1), le32 (b, 0), le32 (b, 3);
    g_byte_array_append (b, (const guint8 *) "x", 1);
    le64 (b, 1), le64 (b, TERA);
    t = mrt_mxnet_parse_params (b->data, b->len, "hostile.params", &error);
    g_assert_null (t);
    g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_PARAMS);
    g_clear_error (&error);
    g_clear_pointer (&b, g_byte_array_unref);
  }

  /* CVM params: 2^40 names; a name of 2^40 bytes; an int32 array of 2^20 × 2^20 */
  {
    static const guint64 list_magic = G_GUINT64_CONSTANT (0xF7E58D4F05049CB7);
    static const guint64 array_magic = G_GUINT64_CONSTANT (0xDD5E40F096B4A13F);
    GHashTable *t;
    for (guint i = 0; i < 3; i++)
      {
        b = g_byte_array_new ();
        le64 (b, list_magic), le64 (b, 0);
        if (i == 0)
          le64 (b, TERA), le64 (b, 0);
        else if (i == 1)
          le64 (b, 1), le64 (b, TERA), le64 (b, 0);
        else
          {
            le64 (b, 1), le64 (b, 1);
            g_byte_array_append (b, (const guint8 *) "w", 1);
            le64 (b, 1), le64 (b, array_magic), le64 (b, 0), le32 (b, 1), le32 (b, 0), le32 (b, 2);
            g_byte_array_append (b, (const guint8[]){ 0, 32, 1, 0 }, 4);
            le64 (b, 1 << 20), le64 (b, 1 << 20), le64 (b, TERA * 4);
          }
        t = mrt_cvm_params_parse (b->data, b->len, &error);
        g_assert_null (t);
        g_assert_error (error, MRT_CVM_ERROR, (gint) (i == 2 ? MRT_CVM_ERROR_LIMIT : MRT_CVM_ERROR_FORMAT));
        g_clear_error (&error);
        g_clear_pointer (&b, g_byte_array_unref);
      }
  }

  /* CVM symbol: a data input of 2^20 × 2^20 */
  {
    static const char sym[] =
      "{\"nodes\": [{\"op\": \"null\", \"name\": \"data\", \"inputs\": []}, {\"op\": \"cvm_op\", \"name\": \"r\", "
      "\"attrs\": {\"func_name\": \"relu\", \"num_inputs\": \"1\", \"num_outputs\": \"1\", \"flatten_data\": \"0\"}, "
      "\"inputs\": [[0, 0, 0]]}], \"arg_nodes\": [0], \"node_row_ptr\": [0, 1, 2], \"heads\": [[1, 0, 0]], "
      "\"attrs\": {\"op_attrs\": [\"list_str\", [\"{\\\"precision\\\": \\\"8\\\"}\", \"{}\"]], "
      "\"dltype\": [\"list_str\", [\"int32\", \"int32\"]], \"precision\": [\"list_int\", [8, -1]], "
      "\"storage_id\": [\"list_int\", [0, 1]], \"shape\": [\"list_shape\", [[1048576, 1048576], [1048576, 1048576]]]}, "
      "\"version\": \"cvm_1.0.0\"}";
    g_autoptr (MrtModel) m = mrt_cvm_parse_symbol (sym, sizeof sym - 1, "hostile-symbol", &error);
    g_assert_null (m);
    g_assert_nonnull (error);
    g_clear_error (&error);
  }

  /* MXNet symbol: a data input of 2^60 elements, then its shapes inferred */
  {
    static const char sym[] =
      "{\"nodes\": [{\"op\": \"null\", \"name\": \"data\", \"attrs\": {\"__shape__\": \"(1048576, 1048576, 1048576)\"}, "
      "\"inputs\": []}, {\"op\": \"relu\", \"name\": \"r\", \"inputs\": [[0, 0, 0]]}], \"arg_nodes\": [0], "
      "\"heads\": [[1, 0, 0]]}";
    g_autoptr (MrtModel) m = mrt_mxnet_parse_symbol (sym, -1, "hostile-symbol.json", &error);
    g_autofree MrtShape *shapes = NULL;
    g_assert_no_error (error);
    g_assert_true (mrt_model_validate (m, &error));
    shapes = mrt_model_infer_shapes_single (m, NULL, &error);
    g_assert_null (shapes);
    g_assert_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SIZE);
    g_clear_error (&error);
  }

  /* idx: 2^20 × 2^10 × 2^10 images; 2^11 × 2^10 × 2^10 (accepted as a shape)
   * announced by a 16-byte file */
  for (guint i = 0; i < 2; i++)
    {
      MrtShape input = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 1024, (gint64) 1024);
      g_autoptr (MrtDataset) ds = NULL;
      b = g_byte_array_new ();
      g_byte_array_append (b, (const guint8[]){ 0, 0, 8, 3 }, 4);
      be32 (b, i == 0 ? 1u << 20 : 1u << 11), be32 (b, 1 << 10), be32 (b, 1 << 10);
      write_file (dir, "t10k-images-idx3-ubyte", b->data, b->len);
      g_clear_pointer (&b, g_byte_array_unref);
      b = g_byte_array_new ();
      g_byte_array_append (b, (const guint8[]){ 0, 0, 8, 1 }, 4);
      be32 (b, 0xFFFFFFFFu);
      write_file (dir, "t10k-labels-idx1-ubyte", b->data, b->len);
      g_clear_pointer (&b, g_byte_array_unref);
      ds = mrt_dataset_open ("mnist", dir, &input, &error);
      g_assert_null (ds);
      g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
      g_clear_error (&error);
    }

  /* CIFAR-10: a (sparse) batch file of 700 000 records, 2^31 + 2 916 352
   * pixels: refused (or not even mapped, under the address-space cap) */
  {
    MrtShape input = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);
    g_autofree char *path = g_build_filename (dir, "test_batch.bin", NULL);
    g_autoptr (MrtDataset) ds = NULL;
    FILE *f = fopen (path, "wb");
    g_assert_nonnull (f);
    g_assert_cmpint (ftruncate (fileno (f), (off_t) 700000 * 3073), ==, 0);
    fclose (f);
    ds = mrt_dataset_open ("cifar10", dir, &input, &error);
    g_assert_null (ds);
    g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
    g_clear_error (&error);
    g_unlink (path);
  }

  /* configuration and dataset: a sample of 2^40 elements */
  {
    static const char ini_text[] = "[DEFAULT]\nModel_name=m\nInput_shape=(-1, 1048576, 1048576)\n"
                                   "[CALIBRATION]\nDataset=mnist\nDataset_dir=.\n";
    MrtShape input = mrt_shape_make (3, (gint64) -1, (gint64) 1 << 20, (gint64) 1 << 20);
    g_autoptr (MrtIni) ini = mrt_ini_parse (ini_text, "hostile.ini", &error);
    g_autoptr (MrtConfig) config = NULL;
    g_autoptr (MrtDataset) ds = NULL;
    g_assert_no_error (error);
    config = mrt_config_from_ini (ini, dir, &error);
    g_assert_null (config);
    g_assert_error (error, MRT_CONFIG_ERROR, MRT_CONFIG_ERROR_VALUE);
    g_clear_error (&error);
    ds = mrt_dataset_open ("mnist", dir, &input, &error);
    g_assert_null (ds);
    g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE);
    g_clear_error (&error);
  }

  /* nothing above may have touched more than a few MiB */
  g_assert_cmpuint (peak_rss_mib (), <, rss_before + 256);
}

static void
test_hostile_sizes (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mrt-hostile-XXXXXX", NULL);
  pid_t pid;
  int status;

  g_assert_nonnull (dir);
  /* Plain fork (not g_test_trap_subprocess, which re-runs the program): the
   * child caps its address space, runs the readers, and reports by its exit
   * status. ASan reserves terabytes of shadow address space, so under ASan
   * the cap is left out and the RSS bound is what is checked. */
  fflush (NULL);
  pid = fork ();
  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      if (!UNDER_ASAN)
        {
          struct rlimit lim = { (rlim_t) 1 << 30, (rlim_t) 1 << 30 };
          if (setrlimit (RLIMIT_AS, &lim) != 0)
            _exit (3);
        }
      hostile_readers (dir); /* a failed assertion aborts the child */
      _exit (0);
    }
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  {
    g_autofree char *images = g_build_filename (dir, "t10k-images-idx3-ubyte", NULL);
    g_autofree char *labels = g_build_filename (dir, "t10k-labels-idx1-ubyte", NULL);
    g_remove (images);
    g_remove (labels);
    g_rmdir (dir);
  }
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("the readers failed on hostile sizes (%s %d; see the messages above)",
             WIFEXITED (status) ? "exit status" : "signal", WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
}

int
main (int argc, char **argv)
{
  const char *env = g_getenv ("MRT_TEST_DATA");
  g_autofree char *manifest_path = NULL;
  g_autofree char *manifest = NULL;
  g_auto (GStrv) lines = NULL;

  g_test_init (&argc, &argv, NULL);
  data_dir = env ? g_strdup (env) : g_build_filename (SOURCE_SAMPLEDIR, "..", "..", "tests", "data", NULL);
  bad_dir = g_build_filename (data_dir, "..", "bad", NULL);
  manifest_path = g_build_filename (bad_dir, "MANIFEST", NULL);
  manifest = read_text (manifest_path, NULL);
  lines = g_strsplit (manifest, "\n", -1);
  cases = g_ptr_array_new_with_free_func (case_free);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto (GStrv) f = NULL;
      char *slash;
      Case *c;
      if (lines[i][0] == '\0' || lines[i][0] == '#')
        continue;
      f = g_strsplit (lines[i], "\t", 2);
      slash = strchr (f[0], '/');
      if (g_strv_length (f) != 2 || slash == NULL)
        g_error ("tests/bad/MANIFEST line %u is not “format/name<TAB>text”", i + 1);
      c = g_new0 (Case, 1);
      c->format = g_strndup (f[0], slash - f[0]);
      c->name = g_strdup (slash + 1);
      c->expect = g_strdup (f[1]);
      g_ptr_array_add (cases, c);
      {
        g_autofree char *path = g_strdup_printf ("/bad/%s/%s", c->format, c->name);
        g_test_add_data_func (path, c, test_case);
      }
    }
  g_test_add_func ("/bad/manifest-complete", test_manifest_complete);
  g_test_add_func ("/bad/hostile-sizes", test_hostile_sizes);
  {
    int ret = g_test_run ();
    g_ptr_array_unref (cases);
    g_free (bad_dir);
    g_free (data_dir);
    return ret;
  }
}
