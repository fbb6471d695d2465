/* test-npy.c: .npy reading and writing. */
#include <glib/gstdio.h>
#include <string.h>

#include "mrt-npy.h"

static char *tmpdir;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;
  if (dir)
    {
      while ((name = g_dir_read_name (dir)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_remove (path);
}

/* Bytes of an .npy file with the given version, header text and data. */
static GBytes *
make_npy (guint major, const char *header, const void *data, gsize data_len)
{
  GByteArray *a = g_byte_array_new ();
  gsize hl = strlen (header);
  g_byte_array_append (a, (const guint8 *) "\x93NUMPY", 6);
  if (major == 1)
    {
      guint8 v[4] = { 1, 0, hl & 0xff, hl >> 8 };
      g_byte_array_append (a, v, 4);
    }
  else
    {
      guint8 v[6] = { major, 0, hl & 0xff, (hl >> 8) & 0xff, (hl >> 16) & 0xff, hl >> 24 };
      g_byte_array_append (a, v, 6);
    }
  g_byte_array_append (a, (const guint8 *) header, hl);
  if (data_len)
    g_byte_array_append (a, data, data_len);
  return g_byte_array_free_to_bytes (a);
}

static void
fill_pattern (MrtTensor *t, guint seed)
{
  guint8 *p = t->data;
  gsize n = t->n * mrt_dtype_size (t->dtype);
  for (gsize i = 0; i < n; i++)
    p[i] = (guint8) (i * 37 + seed * 11 + 5);
}

static void
test_roundtrip (void)
{
  static const MrtDType dtypes[] = { MRT_DTYPE_F32, MRT_DTYPE_F64, MRT_DTYPE_F16, MRT_DTYPE_U8,
                                     MRT_DTYPE_I8,  MRT_DTYPE_I32, MRT_DTYPE_I64 };
  MrtShape shapes[] = { mrt_shape_make (0), mrt_shape_make (1, (gint64) 0), mrt_shape_make (1, (gint64) 5),
                        mrt_shape_make (3, (gint64) 2, (gint64) 3, (gint64) 4),
                        mrt_shape_make (4, (gint64) 1, (gint64) 1, (gint64) 7, (gint64) 9) };

  for (guint d = 0; d < G_N_ELEMENTS (dtypes); d++)
    for (guint s = 0; s < G_N_ELEMENTS (shapes); s++)
      {
        g_autoptr (MrtTensor) t = mrt_tensor_new (dtypes[d], &shapes[s]);
        g_autoptr (MrtTensor) back = NULL;
        g_autoptr (GBytes) bytes = NULL;
        g_autoptr (GError) error = NULL;
        const guint8 *raw;
        gsize len, hl;

        fill_pattern (t, d * 10 + s);
        bytes = mrt_npy_to_bytes (t);
        raw = g_bytes_get_data (bytes, &len);
        g_assert_cmpmem (raw, 6, "\x93NUMPY", 6);
        g_assert_cmpint (raw[6], ==, 1);
        hl = raw[8] | raw[9] << 8;
        g_assert_cmpint ((10 + hl) % 64, ==, 0);
        g_assert_cmpint (raw[10 + hl - 1], ==, '\n');
        g_assert_cmpuint (len, ==, 10 + hl + t->n * mrt_dtype_size (t->dtype));

        back = mrt_npy_parse (raw, len, "roundtrip.npy", &error);
        g_assert_no_error (error);
        g_assert_true (mrt_tensor_equal (t, back));
      }
}

/* The exact bytes numpy.save writes. */
static void
test_numpy_compatible (void)
{
  MrtShape s23 = mrt_shape_make (2, (gint64) 2, (gint64) 3);
  MrtShape s5 = mrt_shape_make (1, (gint64) 5);
  g_autoptr (MrtTensor) a = mrt_tensor_new (MRT_DTYPE_F32, &s23);
  g_autoptr (MrtTensor) b = mrt_tensor_new (MRT_DTYPE_I64, &s5);
  g_autoptr (GBytes) ba = mrt_npy_to_bytes (a);
  g_autoptr (GBytes) bb = mrt_npy_to_bytes (b);
  g_autofree char *ha = g_strdup_printf ("%-117s\n", "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }");
  g_autofree char *hb = g_strdup_printf ("%-117s\n", "{'descr': '<i8', 'fortran_order': False, 'shape': (5,), }");
  gsize len;
  const guint8 *raw = g_bytes_get_data (ba, &len);

  g_assert_cmpuint (len, ==, 152);
  g_assert_cmpmem (raw, 10, "\x93NUMPY\x01\x00v\x00", 10);
  g_assert_cmpmem (raw + 10, 118, ha, 118);
  raw = g_bytes_get_data (bb, &len);
  g_assert_cmpuint (len, ==, 168);
  g_assert_cmpmem (raw + 10, 118, hb, 118);
}

static void
test_headers (void)
{
  static const float values[6] = { 1, 2, 3, 4, 5, 6.5f };
  struct {
    guint major;
    const char *header;
    MrtDType dtype;
    int ndim;
  } cases[] = {
    { 1, "{\"shape\": (2, 3), \"descr\": \"<f4\", \"fortran_order\": False}", MRT_DTYPE_F32, 2 },
    { 1, "{'descr':'<f4','fortran_order':False,'shape':(2L, 3L)}\n", MRT_DTYPE_F32, 2 },
    { 2, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), }         \n", MRT_DTYPE_F32, 1 },
    { 3, "{'descr': '<f4', 'fortran_order': False, 'shape': (1, 2, 3), }\n", MRT_DTYPE_F32, 3 },
    { 1, "{'descr': '=f4', 'fortran_order': False, 'shape': (3, 2), }\n", MRT_DTYPE_F32, 2 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GBytes) bytes = make_npy (cases[i].major, cases[i].header, values, sizeof values);
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtTensor) t = NULL;
      gsize len;
      const guint8 *raw = g_bytes_get_data (bytes, &len);

      t = mrt_npy_parse (raw, len, "header.npy", &error);
      g_assert_no_error (error);
      g_assert_cmpint (t->dtype, ==, cases[i].dtype);
      g_assert_cmpint (t->shape.ndim, ==, cases[i].ndim);
      g_assert_cmpuint (t->n, ==, 6);
      g_assert_cmpmem (t->data, sizeof values, values, sizeof values);
    }

  /* one-byte types with any byte-order mark, and a scalar */
  {
    guint8 v = 200;
    g_autoptr (GBytes) bytes = make_npy (1, "{'descr': '<u1', 'fortran_order': False, 'shape': ()}", &v, 1);
    g_autoptr (GError) error = NULL;
    gsize len;
    const guint8 *raw = g_bytes_get_data (bytes, &len);
    g_autoptr (MrtTensor) t = mrt_npy_parse (raw, len, "scalar.npy", &error);
    g_assert_no_error (error);
    g_assert_cmpint (t->dtype, ==, MRT_DTYPE_U8);
    g_assert_cmpint (t->shape.ndim, ==, 0);
    g_assert_cmpuint (((guint8 *) t->data)[0], ==, 200);
  }
}

static void
test_save_load (void)
{
  MrtShape s = mrt_shape_make (2, (gint64) 3, (gint64) 4);
  g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_I32, &s);
  g_autoptr (MrtTensor) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_build_filename (tmpdir, "save", NULL);
  g_autofree char *path = g_build_filename (dir, "t.npy", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.npy", NULL);
  g_autofree char *bad_dir = g_build_filename (dir, "no-such-dir", "t.npy", NULL);
  GDir *d;
  guint count = 0;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_i32 (t)[i] = (gint32) i * -1000003;
  g_assert_true (mrt_npy_save (t, path, &error));
  g_assert_no_error (error);
  /* saving again replaces the file atomically */
  mrt_tensor_i32 (t)[0] = 42;
  g_assert_true (mrt_npy_save (t, path, &error));
  g_assert_no_error (error);
  back = mrt_npy_load (path, &error);
  g_assert_no_error (error);
  g_assert_true (mrt_tensor_equal (t, back));
  d = g_dir_open (dir, 0, NULL);
  while (g_dir_read_name (d))
    count++;
  g_dir_close (d);
  g_assert_cmpuint (count, ==, 1); /* no temporary left behind */

  g_assert_null (mrt_npy_load (missing, &error));
  g_assert_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "missing.npy"));
  g_clear_error (&error);

  g_assert_false (mrt_npy_save (t, bad_dir, &error));
  g_assert_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_IO);
  g_assert_nonnull (strstr (error->message, "no-such-dir"));
}

typedef struct {
  const char *name;
  guint major;
  const char *header; /* NULL: raw bytes below */
  gsize data_len;     /* zero bytes of data appended */
  gint code;
} BadCase;

static void
test_malformed (void)
{
  static const BadCase cases[] = {
    { "big-endian", 1, "{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8, MRT_NPY_ERROR_UNSUPPORTED },
    { "fortran", 1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16, MRT_NPY_ERROR_UNSUPPORTED },
    { "object", 1, "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16, MRT_NPY_ERROR_UNSUPPORTED },
    { "complex", 1, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,), }", 16, MRT_NPY_ERROR_UNSUPPORTED },
    { "uint16", 1, "{'descr': '<u2', 'fortran_order': False, 'shape': (2,), }", 4, MRT_NPY_ERROR_UNSUPPORTED },
    { "no-order", 1, "{'descr': '|f4', 'fortran_order': False, 'shape': (2,), }", 8, MRT_NPY_ERROR_UNSUPPORTED },
    { "structured", 1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }", 8, MRT_NPY_ERROR_UNSUPPORTED },
    { "version4", 4, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8, MRT_NPY_ERROR_UNSUPPORTED },
    { "truncated-data", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (10,), }", 8, MRT_NPY_ERROR_TRUNCATED },
    { "trailing-data", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", 8, MRT_NPY_ERROR_FORMAT },
    { "missing-shape", 1, "{'descr': '<f4', 'fortran_order': False}", 8, MRT_NPY_ERROR_FORMAT },
    { "duplicate-key", 1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8, MRT_NPY_ERROR_FORMAT },
    { "unknown-key", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8, MRT_NPY_ERROR_FORMAT },
    { "negative-dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", 8, MRT_NPY_ERROR_FORMAT },
    { "not-a-tuple", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2), }", 8, MRT_NPY_ERROR_FORMAT },
    { "unterminated", 1, "{'descr': '<f4, 'fortran_order': False, 'shape': (2,), }", 8, MRT_NPY_ERROR_FORMAT },
    { "bad-bool", 1, "{'descr': '<f4', 'fortran_order': 0, 'shape': (2,), }", 8, MRT_NPY_ERROR_FORMAT },
    { "after-brace", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), } x", 8, MRT_NPY_ERROR_FORMAT },
    { "not-a-dict", 1, "['descr', '<f4']", 8, MRT_NPY_ERROR_FORMAT },
    { "too-many-dims", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", 4, MRT_NPY_ERROR_SIZE },
    { "huge-dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776,), }", 4, MRT_NPY_ERROR_SIZE },
    { "huge-product", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000), }", 4, MRT_NPY_ERROR_SIZE },
    { "overflow-dim", 1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999,), }", 4, MRT_NPY_ERROR_SIZE },
    { "empty", 0, NULL, 0, MRT_NPY_ERROR_FORMAT },
    { "bad-magic", 0, NULL, 0, MRT_NPY_ERROR_FORMAT },
    { "short-header", 0, NULL, 0, MRT_NPY_ERROR_TRUNCATED },
    { "header-past-end", 0, NULL, 0, MRT_NPY_ERROR_TRUNCATED },
  };
  static const guint8 zeros[64] = { 0 };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const BadCase *c = &cases[i];
      g_autofree char *fname = g_strdup_printf ("%s.npy", c->name);
      g_autofree char *path = g_build_filename (tmpdir, fname, NULL);
      g_autoptr (GBytes) bytes = NULL;
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtTensor) t = NULL;
      const guint8 *raw;
      gsize len;

      if (c->header)
        bytes = make_npy (c->major, c->header, zeros, c->data_len);
      else if (strcmp (c->name, "empty") == 0)
        bytes = g_bytes_new_static ("", 0);
      else if (strcmp (c->name, "bad-magic") == 0)
        bytes = g_bytes_new_static ("\x93NUMPX\x01\x00\x02\x00{}", 12);
      else if (strcmp (c->name, "short-header") == 0)
        bytes = g_bytes_new_static ("\x93NUMPY\x01", 7);
      else
        bytes = g_bytes_new_static ("\x93NUMPY\x01\x00\xff\x00{'descr'", 17);
      raw = g_bytes_get_data (bytes, &len);
      g_assert_true (g_file_set_contents (path, (const char *) raw, len, NULL));

      t = mrt_npy_load (path, &error);
      if (!g_error_matches (error, MRT_NPY_ERROR, c->code))
        g_error ("%s: expected code %d, got %s", c->name, c->code, error ? error->message : "success");
      g_assert_null (t);
      if (!strstr (error->message, path))
        g_error ("%s: message does not name the file: %s", c->name, error->message);
      g_test_message ("%s: %s", c->name, error->message);
    }
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("mrt-npy-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/npy/roundtrip", test_roundtrip);
  g_test_add_func ("/npy/numpy-compatible", test_numpy_compatible);
  g_test_add_func ("/npy/headers", test_headers);
  g_test_add_func ("/npy/save-load", test_save_load);
  g_test_add_func ("/npy/malformed", test_malformed);
  ret = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
