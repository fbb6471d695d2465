/* test-dataset.c: dataset readers on synthetic files written here, and on the
 * real Fashion-MNIST test set when it is installed. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "mrt-dataset.h"
#include "mrt-npy.h"

#ifndef FASHION_DIR
#define FASHION_DIR "/usr/share/datasets"
#endif

static char *tmpdir;
static guint dir_counter;

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

/* A fresh dataset root for one test. */
static char *
new_root (void)
{
  char *root = g_strdup_printf ("%s/root%u", tmpdir, dir_counter++);
  g_assert_cmpint (g_mkdir (root, 0755), ==, 0);
  return root;
}

static void
write_file (const char *dir, const char *name, const void *data, gsize len)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, data, len, NULL));
}

static GBytes *
gzip_bytes (const guint8 *data, gsize len)
{
  g_autoptr (GZlibCompressor) comp = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 6);
  g_autoptr (GOutputStream) mem = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) out = g_converter_output_stream_new (mem, G_CONVERTER (comp));
  g_autoptr (GError) error = NULL;

  g_assert_true (g_output_stream_write_all (out, data, len, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (out, NULL, &error));
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (mem));
}

static guint8
pixel (guint i, guint k)
{
  return (guint8) (i * 31 + k * 7);
}

static guint8
label_of (guint i)
{
  return (guint8) (i * 3 % 10);
}

static void
put_be32 (guint8 *p, guint32 v)
{
  p[0] = v >> 24;
  p[1] = v >> 16;
  p[2] = v >> 8;
  p[3] = v;
}

/* idx files of n 28×28 images and n_labels labels into dir; gz chooses
 * compression of the images (the labels get the opposite). */
static void
write_idx (const char *dir, guint n, guint n_labels, gboolean gz)
{
  gsize img_len = 16 + (gsize) n * 784, lbl_len = 8 + n_labels;
  g_autofree guint8 *img = g_malloc (img_len);
  g_autofree guint8 *lbl = g_malloc (lbl_len);
  g_autoptr (GBytes) packed = NULL;
  gsize plen;
  const guint8 *pdata;

  put_be32 (img, 0x803);
  put_be32 (img + 4, n);
  put_be32 (img + 8, 28);
  put_be32 (img + 12, 28);
  for (guint i = 0; i < n; i++)
    for (guint k = 0; k < 784; k++)
      img[16 + i * 784 + k] = pixel (i, k);
  put_be32 (lbl, 0x801);
  put_be32 (lbl + 4, n_labels);
  for (guint i = 0; i < n_labels; i++)
    lbl[8 + i] = label_of (i);

  packed = gzip_bytes (gz ? img : lbl, gz ? img_len : lbl_len);
  pdata = g_bytes_get_data (packed, &plen);
  if (gz)
    {
      write_file (dir, "t10k-images-idx3-ubyte.gz", pdata, plen);
      write_file (dir, "t10k-labels-idx1-ubyte", lbl, lbl_len);
    }
  else
    {
      write_file (dir, "t10k-images-idx3-ubyte", img, img_len);
      write_file (dir, "t10k-labels-idx1-ubyte.gz", pdata, plen);
    }
}

static MrtShape
mnist_shape (void)
{
  return mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 28, (gint64) 28);
}

static void
test_names (void)
{
  const char *const *names = mrt_dataset_names ();
  const char *expected[] = { "mnist", "fashion_mnist", "cifar10", "quickdraw", "imagenet", "npy" };
  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    g_assert_true (g_strv_contains (names, expected[i]));
}

static void
check_idx_batches (MrtDataset *ds, guint n, guint batch)
{
  g_autoptr (GError) error = NULL;
  MrtTensor *data, *labels;
  guint seen = 0;

  while (mrt_dataset_next (ds, batch, &data, &labels, &error))
    {
      guint b = MIN (batch, n - seen);
      MrtShape want = mrt_shape_make (4, (gint64) b, (gint64) 1, (gint64) 28, (gint64) 28);
      MrtShape lwant = mrt_shape_make (1, (gint64) b);
      g_assert_true (mrt_shape_equal (&data->shape, &want));
      g_assert_true (mrt_shape_equal (&labels->shape, &lwant));
      g_assert_cmpint (data->dtype, ==, MRT_DTYPE_F32);
      for (guint i = 0; i < b; i++)
        {
          g_assert_cmpfloat (mrt_tensor_f32 (labels)[i], ==, label_of (seen + i));
          for (guint k = 0; k < 784; k++)
            g_assert_cmpfloat (mrt_tensor_f32 (data)[i * 784 + k], ==, pixel (seen + i, k) / 255.0f);
        }
      seen += b;
      mrt_tensor_unref (data);
      mrt_tensor_unref (labels);
    }
  g_assert_no_error (error);
  g_assert_null (data);
  g_assert_null (labels);
  g_assert_cmpuint (seen, ==, n);
}

static void
test_mnist (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "mnist", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  MrtShape shape = mnist_shape ();
  MrtTensor *data, *labels;

  write_idx (dir, 5, 5, TRUE);
  ds = mrt_dataset_open ("mnist", root, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mrt_dataset_n_samples (ds), ==, 5);
  g_assert_cmpstr (mrt_dataset_get_dir (ds), ==, dir);
  g_assert_cmpstr (mrt_dataset_get_name (ds), ==, "mnist");
  check_idx_batches (ds, 5, 2); /* 2, 2, then a partial batch of 1 */
  g_assert_false (mrt_dataset_next (ds, 2, &data, &labels, &error));
  g_assert_no_error (error);
  mrt_dataset_reset (ds);
  check_idx_batches (ds, 5, 5);
  mrt_dataset_reset (ds);
  check_idx_batches (ds, 5, 100);
}

/* fashion_mnist in a folder with a hyphen, and data directly in the root. */
static void
test_lookup (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "fashion-mnist", NULL);
  g_autofree char *root2 = new_root ();
  g_autoptr (GError) error = NULL;
  MrtShape shape = mnist_shape ();
  MrtDataset *ds;

  write_idx (dir, 3, 3, FALSE);
  ds = mrt_dataset_open ("fashion_mnist", root, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mrt_dataset_get_dir (ds), ==, dir);
  check_idx_batches (ds, 3, 2);
  mrt_dataset_free (ds);

  write_idx (root2, 4, 4, TRUE);
  ds = mrt_dataset_open ("mnist", root2, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mrt_dataset_get_dir (ds), ==, root2);
  check_idx_batches (ds, 4, 3);
  mrt_dataset_free (ds);
}

static void
test_not_found (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *p1 = g_build_filename (root, "fashion_mnist", NULL);
  g_autofree char *p2 = g_build_filename (root, "fashion-mnist", NULL);
  g_autofree char *incomplete = g_build_filename (root, "cifar10", NULL);
  g_autoptr (GError) error = NULL;
  MrtShape shape = mnist_shape ();
  MrtShape cshape = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);

  g_assert_null (mrt_dataset_open ("fashion_mnist", root, &shape, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, p1));
  g_assert_nonnull (strstr (error->message, p2));
  g_assert_nonnull (strstr (error->message, "t10k-images-idx3-ubyte"));
  g_clear_error (&error);

  /* a folder of the right name without the files does not count */
  g_assert_cmpint (g_mkdir (incomplete, 0755), ==, 0);
  g_assert_null (mrt_dataset_open ("cifar10", root, &cshape, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, incomplete));
  g_assert_nonnull (strstr (error->message, "test_batch.bin"));
}

static void
test_bad_shapes (void)
{
  g_autofree char *root = new_root ();
  g_autoptr (GError) error = NULL;
  MrtShape shapes[] = {
    mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 28, (gint64) 28), /* 3 channels */
    mrt_shape_make (3, (gint64) -1, (gint64) 28, (gint64) 28),             /* idx samples are (1, 28, 28) */
    mrt_shape_make (4, (gint64) 1, (gint64) 1, (gint64) 28, (gint64) 28),  /* no batch axis */
    mrt_shape_make (4, (gint64) -1, (gint64) -1, (gint64) 28, (gint64) 28),
    mrt_shape_make (4, (gint64) -1, (gint64) 0, (gint64) 28, (gint64) 28),
  };

  write_idx (root, 2, 2, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (shapes); i++)
    {
      MrtDataset *ds = mrt_dataset_open ("mnist", root, &shapes[i], &error);
      g_assert_null (ds);
      g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE);
      g_test_message ("%s", error->message);
      if (i < 2)
        g_assert_nonnull (strstr (error->message, root));
      g_clear_error (&error);
    }

  g_assert_null (mrt_dataset_open ("trec", root, &shapes[0], &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_UNKNOWN);
  g_assert_nonnull (strstr (error->message, "trec"));
}

static void
test_idx_malformed (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *root2 = new_root ();
  g_autofree char *root3 = new_root ();
  g_autofree char *path = NULL;
  g_autofree char *gz = NULL;
  g_autoptr (GError) error = NULL;
  MrtShape shape = mnist_shape ();
  gsize len;

  /* labels disagree with images */
  write_idx (root, 3, 2, FALSE);
  g_assert_null (mrt_dataset_open ("mnist", root, &shape, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "t10k-labels-idx1-ubyte"));
  g_clear_error (&error);

  /* compressed images cut short */
  write_idx (root2, 3, 3, TRUE);
  path = g_build_filename (root2, "t10k-images-idx3-ubyte.gz", NULL);
  g_assert_true (g_file_get_contents (path, &gz, &len, NULL));
  g_assert_true (g_file_set_contents (path, gz, len / 2, NULL));
  g_assert_null (mrt_dataset_open ("mnist", root2, &shape, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, path));
  g_test_message ("%s", error->message);
  g_clear_error (&error);

  /* headers announcing absurd (2^31 images) or large (a million images, 784 MB)
   * sizes over a tiny file: refused without allocating what they announce */
  for (guint i = 0; i < 2; i++)
    {
      guint8 head[16 + 10] = { 0 };
      put_be32 (head, 0x803);
      put_be32 (head + 4, i == 0 ? 0x7fffffff : 1000000);
      put_be32 (head + 8, 28);
      put_be32 (head + 12, 28);
      write_idx (root3, 1, 1, FALSE);
      write_file (root3, "t10k-images-idx3-ubyte", head, sizeof head);
      g_assert_null (mrt_dataset_open ("mnist", root3, &shape, &error));
      g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
      g_assert_nonnull (strstr (error->message, "t10k-images-idx3-ubyte"));
      g_test_message ("%s", error->message);
      g_clear_error (&error);
    }
}

static void
test_cifar (void)
{
  static const float mean[3] = { 0.4914f, 0.4822f, 0.4465f };
  static const float std[3] = { 0.2023f, 0.1994f, 0.2010f };
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "cifar10", NULL);
  g_autofree guint8 *bin = g_malloc (3 * 3073);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  g_autoptr (MrtTensor) data = NULL;
  g_autoptr (MrtTensor) labels = NULL;
  MrtShape shape = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);
  MrtShape want = mrt_shape_make (4, (gint64) 3, (gint64) 3, (gint64) 32, (gint64) 32);

  for (guint r = 0; r < 3; r++)
    {
      bin[r * 3073] = 7 - r;
      for (guint k = 0; k < 3072; k++)
        bin[r * 3073 + 1 + k] = (guint8) (r * 50 + k * 13);
    }
  write_file (dir, "test_batch.bin", bin, 3 * 3073);
  ds = mrt_dataset_open ("cifar10", root, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mrt_dataset_n_samples (ds), ==, 3);
  g_assert_true (mrt_dataset_next (ds, 16, &data, &labels, &error));
  g_assert_true (mrt_shape_equal (&data->shape, &want));
  for (guint r = 0; r < 3; r++)
    {
      g_assert_cmpfloat (mrt_tensor_f32 (labels)[r], ==, 7 - r);
      for (guint k = 0; k < 3072; k++)
        {
          guint c = k / 1024;
          float expect = ((guint8) (r * 50 + k * 13) / 255.0f - mean[c]) / std[c];
          g_assert_cmpfloat_with_epsilon (mrt_tensor_f32 (data)[r * 3072 + k], expect, 1e-6);
        }
    }

  /* a file that is not made of whole records */
  write_file (dir, "test_batch.bin", bin, 3 * 3073 - 1);
  g_clear_pointer (&ds, mrt_dataset_free);
  g_assert_null (mrt_dataset_open ("cifar10", root, &shape, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
  g_assert_nonnull (strstr (error->message, "test_batch.bin"));
}

static void
save_npy (const char *dir, const char *name, MrtTensor *t)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_assert_true (mrt_npy_save (t, path, &error));
  g_assert_no_error (error);
}

/* TREC-style batch axis last: (38, -1), the npy data being (N, 38). */
static void
test_npy_batch_axis (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "npy", NULL);
  MrtShape xs = mrt_shape_make (2, (gint64) 7, (gint64) 38);
  MrtShape ys = mrt_shape_make (1, (gint64) 7);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &xs);
  g_autoptr (MrtTensor) y = mrt_tensor_new (MRT_DTYPE_I64, &ys);
  g_autoptr (GError) error = NULL;
  MrtShape shape = mrt_shape_make (2, (gint64) 38, (gint64) -1);
  MrtShape first = mrt_shape_make (2, (gint64) -1, (gint64) 38);
  MrtDataset *ds;
  MrtTensor *data, *labels;
  guint pos = 0, sizes[3] = { 3, 3, 1 }, n_batches = 0;

  for (guint s = 0; s < 7; s++)
    {
      ((gint64 *) y->data)[s] = 6 - s;
      for (guint d = 0; d < 38; d++)
        mrt_tensor_f32 (x)[s * 38 + d] = s * 100.0f + d;
    }
  save_npy (dir, "data.npy", x);
  save_npy (dir, "label.npy", y);

  ds = mrt_dataset_open ("npy", root, &shape, &error);
  g_assert_no_error (error);
  while (mrt_dataset_next (ds, 3, &data, &labels, &error))
    {
      guint b = sizes[n_batches++];
      MrtShape want = mrt_shape_make (2, (gint64) 38, (gint64) b);
      g_assert_true (mrt_shape_equal (&data->shape, &want));
      for (guint i = 0; i < b; i++)
        {
          g_assert_cmpfloat (mrt_tensor_f32 (labels)[i], ==, 6 - (pos + i));
          for (guint d = 0; d < 38; d++)
            g_assert_cmpfloat (mrt_tensor_f32 (data)[d * b + i], ==, (pos + i) * 100.0f + d);
        }
      pos += b;
      mrt_tensor_unref (data);
      mrt_tensor_unref (labels);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (n_batches, ==, 3);
  mrt_dataset_free (ds);

  /* batch axis first: samples are copied as they are */
  ds = mrt_dataset_open ("npy", root, &first, &error);
  g_assert_no_error (error);
  g_assert_true (mrt_dataset_next (ds, 7, &data, &labels, &error));
  g_assert_cmpmem (data->data, 7 * 38 * 4, x->data, 7 * 38 * 4);
  mrt_tensor_unref (data);
  mrt_tensor_unref (labels);
  mrt_dataset_free (ds);

  /* batch axis in the middle: (2, -1, 19) from (N, 38) samples seen as (2, 19) */
  {
    MrtShape mid = mrt_shape_make (3, (gint64) 2, (gint64) -1, (gint64) 19);
    MrtShape want = mrt_shape_make (3, (gint64) 2, (gint64) 4, (gint64) 19);
    ds = mrt_dataset_open ("npy", root, &mid, &error);
    g_assert_null (ds);
    g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE);
    g_clear_error (&error);
    x->shape = mrt_shape_make (3, (gint64) 7, (gint64) 2, (gint64) 19);
    save_npy (dir, "data.npy", x);
    ds = mrt_dataset_open ("npy", root, &mid, &error);
    g_assert_no_error (error);
    g_assert_true (mrt_dataset_next (ds, 4, &data, &labels, &error));
    g_assert_true (mrt_shape_equal (&data->shape, &want));
    for (guint o = 0; o < 2; o++)
      for (guint i = 0; i < 4; i++)
        for (guint r = 0; r < 19; r++)
          g_assert_cmpfloat (mrt_tensor_f32 (data)[(o * 4 + i) * 19 + r], ==, i * 100.0f + o * 19 + r);
    mrt_tensor_unref (data);
    mrt_tensor_unref (labels);
    mrt_dataset_free (ds);
  }

  /* labels that do not match the data */
  {
    MrtShape ys2 = mrt_shape_make (1, (gint64) 6);
    g_autoptr (MrtTensor) y2 = mrt_tensor_new (MRT_DTYPE_I32, &ys2);
    save_npy (dir, "label.npy", y2);
    g_assert_null (mrt_dataset_open ("npy", root, &shape, &error));
    g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "label.npy"));
  }
}

static void
test_quickdraw (void)
{
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "quickdraw", NULL);
  MrtShape xs = mrt_shape_make (3, (gint64) 4, (gint64) 28, (gint64) 28);
  MrtShape ys = mrt_shape_make (1, (gint64) 4);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_U8, &xs);
  g_autoptr (MrtTensor) y = mrt_tensor_new (MRT_DTYPE_I32, &ys);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  g_autoptr (MrtTensor) data = NULL;
  g_autoptr (MrtTensor) labels = NULL;
  MrtShape shape = mnist_shape ();

  for (gsize i = 0; i < x->n; i++)
    ((guint8 *) x->data)[i] = (guint8) (i * 3);
  for (gint32 i = 0; i < 4; i++)
    mrt_tensor_i32 (y)[i] = i + 5;
  save_npy (dir, "quickdraw_X_test.npy", x);
  save_npy (dir, "quickdraw_y_test.npy", y);
  ds = mrt_dataset_open ("quickdraw", root, &shape, &error);
  g_assert_no_error (error);
  g_assert_true (mrt_dataset_next (ds, 4, &data, &labels, &error));
  g_assert_cmpint (data->shape.dim[0], ==, 4);
  for (gsize i = 0; i < x->n; i++)
    g_assert_cmpfloat (mrt_tensor_f32 (data)[i], ==, (guint8) (i * 3)); /* raw values */
  g_assert_cmpfloat (mrt_tensor_f32 (labels)[3], ==, 8);
}

static void
save_png (const char *dir, const char *name, int w, int h, const guint8 rgb_left[3], const guint8 rgb_right[3])
{
  g_autoptr (GdkPixbuf) pb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, w, h);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  guint8 *px = gdk_pixbuf_get_pixels (pb);
  int stride = gdk_pixbuf_get_rowstride (pb);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      memcpy (px + y * stride + x * 3, x < w / 2 ? rgb_left : rgb_right, 3);
  g_assert_true (gdk_pixbuf_save (pb, path, "png", &error, NULL));
  g_assert_no_error (error);
}

static void
test_imagenet (void)
{
  static const float mean[3] = { 123.68f, 116.779f, 103.939f };
  static const float std[3] = { 58.393f, 57.12f, 57.375f };
  static const guint8 red[3] = { 200, 30, 10 }, blue[3] = { 0, 60, 250 };
  static const guint8 black[3] = { 0, 0, 0 }, white[3] = { 255, 255, 255 };
  g_autofree char *root = new_root ();
  g_autofree char *dir = g_build_filename (root, "imagenet", NULL);
  g_autofree char *a = g_build_filename (dir, "a_class", NULL);
  g_autofree char *b = g_build_filename (dir, "b_class", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  MrtShape shape = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 16, (gint64) 16);
  MrtShape gray = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 16, (gint64) 16);
  MrtTensor *data, *labels;
  const float *v;

  save_png (a, "1.png", 40, 30, red, red);
  save_png (a, "2.PNG", 30, 41, blue, blue);
  save_png (b, "3.png", 32, 32, black, white);
  write_file (b, "notes.txt", "not an image", 12);

  ds = mrt_dataset_open ("imagenet", root, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mrt_dataset_n_samples (ds), ==, 3);
  g_assert_true (mrt_dataset_next (ds, 2, &data, &labels, &error));
  g_assert_no_error (error);
  g_assert_cmpint (data->shape.dim[0], ==, 2);
  g_assert_cmpfloat (mrt_tensor_f32 (labels)[0], ==, 0);
  g_assert_cmpfloat (mrt_tensor_f32 (labels)[1], ==, 0);
  v = mrt_tensor_f32 (data);
  for (int c = 0; c < 3; c++)
    for (int k = 0; k < 256; k++)
      {
        g_assert_cmpfloat_with_epsilon (v[c * 256 + k], (red[c] - mean[c]) / std[c], 1e-5);
        g_assert_cmpfloat_with_epsilon (v[768 + c * 256 + k], (blue[c] - mean[c]) / std[c], 1e-5);
      }
  mrt_tensor_unref (data);
  mrt_tensor_unref (labels);

  /* the partial last batch: a left-dark, right-bright image in class 1 */
  g_assert_true (mrt_dataset_next (ds, 2, &data, &labels, &error));
  g_assert_cmpint (data->shape.dim[0], ==, 1);
  g_assert_cmpfloat (mrt_tensor_f32 (labels)[0], ==, 1);
  v = mrt_tensor_f32 (data);
  for (int y = 0; y < 16; y++)
    {
      g_assert_cmpfloat_with_epsilon (v[y * 16], (0 - mean[0]) / std[0], 1e-5);
      g_assert_cmpfloat_with_epsilon (v[y * 16 + 15], (255 - mean[0]) / std[0], 1e-5);
    }
  mrt_tensor_unref (data);
  mrt_tensor_unref (labels);
  g_assert_false (mrt_dataset_next (ds, 2, &data, &labels, &error));
  g_assert_no_error (error);

  /* images give 3 channels */
  g_assert_null (mrt_dataset_open ("imagenet", root, &gray, &error));
  g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE);
  g_clear_error (&error);

  /* an undecodable image is reported by name when its batch is read */
  {
    g_autofree char *bad = g_build_filename (b, "4.png", NULL);
    g_autoptr (MrtDataset) ds2 = NULL;
    write_file (b, "4.png", "\x89PNG garbage", 12);
    ds2 = mrt_dataset_open ("imagenet", root, &shape, &error);
    g_assert_no_error (error);
    g_assert_cmpint (mrt_dataset_n_samples (ds2), ==, 4);
    g_assert_true (mrt_dataset_next (ds2, 3, &data, &labels, &error));
    mrt_tensor_unref (data);
    mrt_tensor_unref (labels);
    g_assert_false (mrt_dataset_next (ds2, 3, &data, &labels, &error));
    g_assert_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_IMAGE);
    g_assert_nonnull (strstr (error->message, bad));
    g_assert_null (data);
  }
}

/* Decompresses the beginning of a gzip file with g_converter_convert,
 * independently of the stream code the library uses. */
static GByteArray *
gunzip_prefix (const char *path, gsize want)
{
  g_autoptr (GZlibDecompressor) dec = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
  g_autofree char *gz = NULL;
  GByteArray *out = g_byte_array_new ();
  gsize len, in_pos = 0;
  guint8 buf[65536];

  g_assert_true (g_file_get_contents (path, &gz, &len, NULL));
  while (out->len < want)
    {
      gsize read = 0, written = 0;
      g_autoptr (GError) error = NULL;
      GConverterResult r = g_converter_convert (G_CONVERTER (dec), gz + in_pos, len - in_pos, buf,
                                                sizeof buf, G_CONVERTER_INPUT_AT_END, &read, &written,
                                                &error);
      g_assert_no_error (error);
      in_pos += read;
      g_byte_array_append (out, buf, written);
      if (r == G_CONVERTER_FINISHED)
        break;
    }
  return out;
}

static void
test_fashion_mnist (void)
{
  const char *images = FASHION_DIR "/fashion-mnist/t10k-images-idx3-ubyte.gz";
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  g_autoptr (GByteArray) raw = NULL;
  MrtShape shape = mnist_shape ();
  MrtTensor *data, *labels;
  guint counts[10] = { 0 }, total = 0;
  guint64 raw_sum = 0;
  double first_sum = -1;

  if (!g_file_test (images, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Fashion-MNIST is not installed in " FASHION_DIR "/fashion-mnist");
      return;
    }
  raw = gunzip_prefix (images, 16 + 784);
  g_assert_cmpuint (raw->len, >=, 16 + 784);
  for (guint k = 0; k < 784; k++)
    raw_sum += raw->data[16 + k];

  ds = mrt_dataset_open ("fashion_mnist", FASHION_DIR, &shape, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mrt_dataset_n_samples (ds), ==, 10000);
  while (mrt_dataset_next (ds, 1000, &data, &labels, &error))
    {
      if (first_sum < 0)
        {
          first_sum = 0;
          for (guint k = 0; k < 784; k++)
            {
              float p = mrt_tensor_f32 (data)[k];
              g_assert_cmpfloat (p, >=, 0);
              g_assert_cmpfloat (p, <=, 1);
              first_sum += p;
            }
        }
      for (gsize i = 0; i < labels->n; i++)
        {
          float l = mrt_tensor_f32 (labels)[i];
          g_assert_cmpfloat (l, >=, 0);
          g_assert_cmpfloat (l, <=, 9);
          g_assert_cmpfloat (l, ==, floorf (l));
          counts[(int) l]++;
        }
      total += labels->n;
      mrt_tensor_unref (data);
      mrt_tensor_unref (labels);
    }
  g_assert_no_error (error);
  g_assert_cmpuint (total, ==, 10000);
  for (int c = 0; c < 10; c++)
    g_assert_cmpuint (counts[c], ==, 1000); /* the test set is balanced */
  g_test_message ("first image: pixel sum %" G_GUINT64_FORMAT ", %.4f after /255", raw_sum, first_sum);
  g_assert_cmpuint (raw_sum, >, 0);
  g_assert_cmpfloat_with_epsilon (first_sum, raw_sum / 255.0, 1e-3);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("mrt-dataset-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);
  g_test_add_func ("/dataset/names", test_names);
  g_test_add_func ("/dataset/mnist", test_mnist);
  g_test_add_func ("/dataset/lookup", test_lookup);
  g_test_add_func ("/dataset/not-found", test_not_found);
  g_test_add_func ("/dataset/bad-shapes", test_bad_shapes);
  g_test_add_func ("/dataset/idx-malformed", test_idx_malformed);
  g_test_add_func ("/dataset/cifar10", test_cifar);
  g_test_add_func ("/dataset/npy-batch-axis", test_npy_batch_axis);
  g_test_add_func ("/dataset/quickdraw", test_quickdraw);
  g_test_add_func ("/dataset/imagenet", test_imagenet);
  g_test_add_func ("/dataset/fashion-mnist", test_fashion_mnist);
  ret = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return ret;
}
