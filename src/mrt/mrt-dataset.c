/* mrt-dataset.c: dataset readers with MRT's preprocessing. Small datasets
 * (idx, CIFAR binary, .npy) are read whole at open and converted to float
 * per batch; image folders are listed at open and decoded per batch
 * (mrt-dataset-image.c). */
#include "mrt-dataset.h"

#include <gio/gio.h>
#include <string.h>

#include "mrt-dataset-private.h"
#include "mrt-npy.h"

G_DEFINE_QUARK (mrt-dataset-error-quark, mrt_dataset_error)

static const char *const idx_images[] = { "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz", NULL };
static const char *const idx_labels[] = { "t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz", NULL };
static const char *const cifar_files[] = { "test_batch.bin", "cifar-10-batches-bin/test_batch.bin", NULL };
static const char *const qd_x[] = { "quickdraw_X_test.npy", NULL };
static const char *const qd_y[] = { "quickdraw_y_test.npy", NULL };
static const char *const npy_x[] = { "data.npy", NULL };
static const char *const npy_y[] = { "label.npy", NULL };

static const DatasetDef datasets[] = {
  { "mnist", KIND_IDX, { idx_images, idx_labels },
    "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]" },
  { "fashion_mnist", KIND_IDX, { idx_images, idx_labels },
    "t10k-images-idx3-ubyte[.gz] and t10k-labels-idx1-ubyte[.gz]" },
  { "cifar10", KIND_CIFAR, { cifar_files, NULL }, "test_batch.bin" },
  { "quickdraw", KIND_QUICKDRAW, { qd_x, qd_y }, "quickdraw_X_test.npy and quickdraw_y_test.npy" },
  { "imagenet", KIND_IMAGENET, { NULL, NULL }, "class sub-folders of JPEG or PNG images" },
  { "npy", KIND_NPY, { npy_x, npy_y }, "data.npy and label.npy" },
};

static const char *const dataset_names[] = { "mnist", "fashion_mnist", "cifar10", "quickdraw",
                                              "imagenet", "npy", NULL };

static const float cifar_mean[3] = { 0.4914f, 0.4822f, 0.4465f };
static const float cifar_std[3] = { 0.2023f, 0.1994f, 0.2010f };
const char *const *
mrt_dataset_names (void)
{
  return dataset_names;
}

/* ---------------------------------------------------------------------- */
/* Files and directories */

static char *
find_file (const char *dir, const char *const *alternatives)
{
  for (guint i = 0; alternatives[i]; i++)
    {
      char *path = g_build_filename (dir, alternatives[i], NULL);
      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return path;
      g_free (path);
    }
  return NULL;
}

static gboolean
dir_holds_dataset (const DatasetDef *def, const char *dir)
{
  if (!g_file_test (dir, G_FILE_TEST_IS_DIR))
    return FALSE;
  if (def->kind == KIND_IMAGENET)
    {
      GPtrArray *files;
      GArray *labels;
      if (!mrt_dataset_list_images (dir, &files, &labels))
        return FALSE;
      g_ptr_array_unref (files);
      g_array_unref (labels);
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (def->files) && def->files[i]; i++)
    {
      g_autofree char *path = find_file (dir, def->files[i]);
      if (path == NULL)
        return FALSE;
    }
  return TRUE;
}

static char *
expand_root (const char *dataset_dir)
{
  if (dataset_dir == NULL || dataset_dir[0] == '\0')
    return g_build_filename (g_get_home_dir (), ".mxnet", "datasets", NULL);
  if (dataset_dir[0] == '~' && (dataset_dir[1] == '/' || dataset_dir[1] == '\0'))
    return g_build_filename (g_get_home_dir (), dataset_dir + 1, NULL);
  return g_strdup (dataset_dir);
}

static char *
find_dir (const DatasetDef *def, const char *dataset_dir, GError **error)
{
  g_autofree char *root = expand_root (dataset_dir);
  g_autofree char *hyphen = g_strdelimit (g_strdup (def->name), "_", '-');
  g_autoptr (GPtrArray) tried = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *list = NULL;

  g_ptr_array_add (tried, g_build_filename (root, def->name, NULL));
  if (strcmp (hyphen, def->name) != 0)
    g_ptr_array_add (tried, g_build_filename (root, hyphen, NULL));
  g_ptr_array_add (tried, g_strdup (root));
  for (guint i = 0; i < tried->len; i++)
    if (dir_holds_dataset (def, g_ptr_array_index (tried, i)))
      return g_strdup (g_ptr_array_index (tried, i));

  g_ptr_array_add (tried, NULL);
  list = g_strjoinv (", ", (char **) tried->pdata);
  g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_NOT_FOUND,
               "dataset “%s” not found: none of %s holds %s", def->name, list, def->describe);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Readers. Each fills ds->raw (or ds->files), ds->labels and ds->n, and
 * returns the sample shape found in the data. */

static GInputStream *
open_stream (const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GError) local = NULL;
  GInputStream *in = G_INPUT_STREAM (g_file_read (file, NULL, &local));

  if (in == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "“%s”: %s", path, local->message);
      return NULL;
    }
  if (g_str_has_suffix (path, ".gz"))
    {
      g_autoptr (GZlibDecompressor) dec = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP);
      GInputStream *conv = g_converter_input_stream_new (in, G_CONVERTER (dec));
      g_object_unref (in);
      in = conv;
    }
  return in;
}

static void
set_read_error (const char *path, const GError *local, GError **error)
{
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                 "“%s” is truncated: the compressed data ends early", path);
  else
    g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "“%s”: %s", path, local->message);
}

static gboolean
read_exact (GInputStream *in, void *buf, gsize len, const char *path, const char *what, GError **error)
{
  g_autoptr (GError) local = NULL;
  gsize got = 0;

  if (!g_input_stream_read_all (in, buf, len, &got, NULL, &local))
    {
      set_read_error (path, local, error);
      return FALSE;
    }
  if (got != len)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” is truncated: %s needs %" G_GSIZE_FORMAT " bytes, %" G_GSIZE_FORMAT " are left",
                   path, what, len, got);
      return FALSE;
    }
  return TRUE;
}

/* An idx file of unsigned bytes with ndim dimensions, as a U8 tensor. */
static MrtTensor *
read_idx (const char *path, int ndim, GError **error)
{
  g_autoptr (GInputStream) in = open_stream (path, error);
  g_autoptr (GError) local = NULL;
  guint8 head[4 + 4 * 3];
  g_autoptr (GByteArray) buf = NULL;
  MrtShape shape = { 0 };
  MrtTensor *t;
  gsize need;

  g_assert (ndim >= 1 && ndim <= 3);
  if (in == NULL || !read_exact (in, head, 4, path, "the idx header", error))
    return NULL;
  if (head[0] != 0 || head[1] != 0)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” is not an idx file (bad magic)", path);
      return NULL;
    }
  if (head[2] != 0x08)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” holds idx data of type 0x%02x; only unsigned bytes (0x08) are supported",
                   path, head[2]);
      return NULL;
    }
  if (head[3] != ndim)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” has %u dimensions, %d expected", path, head[3], ndim);
      return NULL;
    }
  if (!read_exact (in, head + 4, 4 * ndim, path, "the idx header", error))
    return NULL;
  shape.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    {
      const guint8 *p = head + 4 + 4 * i;
      shape.dim[i] = (gint64) ((guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]);
    }
  if (!mrt_shape_check (&shape, &local))
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "“%s”: %s", path, local->message);
      return NULL;
    }
  /* Read in chunks so that a header announcing absurd sizes cannot make us
   * allocate more than the file really holds. */
  need = (gsize) mrt_shape_size (&shape);
  buf = g_byte_array_new ();
  while (buf->len < need)
    {
      gsize chunk = MIN (need - buf->len, (gsize) 1 << 20), at = buf->len, got = 0;
      g_byte_array_set_size (buf, at + chunk);
      if (!g_input_stream_read_all (in, buf->data + at, chunk, &got, NULL, &local))
        {
          set_read_error (path, local, error);
          return NULL;
        }
      g_byte_array_set_size (buf, at + got);
      if (got < chunk)
        {
          g_autofree char *ss = mrt_shape_to_string (&shape);
          g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                       "“%s” is truncated: the header announces a %s array, only %u bytes follow",
                       path, ss, buf->len);
          return NULL;
        }
    }
  t = mrt_tensor_new (MRT_DTYPE_U8, &shape);
  if (need)
    memcpy (t->data, buf->data, need);
  return t;
}

static gboolean
load_idx (MrtDataset *ds, MrtShape *native, GError **error)
{
  g_autofree char *img_path = find_file (ds->dir, idx_images);
  g_autofree char *lbl_path = find_file (ds->dir, idx_labels);
  g_autoptr (MrtTensor) labels = NULL;

  ds->raw = read_idx (img_path, 3, error);
  if (ds->raw == NULL)
    return FALSE;
  labels = read_idx (lbl_path, 1, error);
  if (labels == NULL)
    return FALSE;
  if (labels->shape.dim[0] != ds->raw->shape.dim[0])
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” has %" G_GINT64_FORMAT " labels but “%s” has %" G_GINT64_FORMAT " images",
                   lbl_path, labels->shape.dim[0], img_path, ds->raw->shape.dim[0]);
      return FALSE;
    }
  ds->n = labels->shape.dim[0];
  ds->labels = g_new (float, MAX (ds->n, 1));
  for (gint64 i = 0; i < ds->n; i++)
    ds->labels[i] = ((const guint8 *) labels->data)[i];
  *native = mrt_shape_make (3, (gint64) 1, ds->raw->shape.dim[1], ds->raw->shape.dim[2]);
  ds->div = 255.0f;
  return TRUE;
}

#define CIFAR_RECORD (1 + 3 * 32 * 32)

static gboolean
load_cifar (MrtDataset *ds, MrtShape *native, GError **error)
{
  g_autofree char *path = find_file (ds->dir, cifar_files);
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GError) local = NULL;
  const guint8 *data;
  gsize len;
  MrtShape shape;

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "%s", local->message);
      return FALSE;
    }
  data = (const guint8 *) g_mapped_file_get_contents (file);
  len = g_mapped_file_get_length (file);
  if (len == 0 || len % CIFAR_RECORD != 0)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” is not a CIFAR-10 binary batch: its size (%" G_GSIZE_FORMAT " bytes) is not a "
                   "multiple of %d", path, len, CIFAR_RECORD);
      return FALSE;
    }
  ds->n = len / CIFAR_RECORD;
  shape = mrt_shape_make (4, ds->n, (gint64) 3, (gint64) 32, (gint64) 32);
  /* a file of more than MRT_MAX_ELEMENTS pixels is refused, not an abort */
  ds->raw = mrt_tensor_try_new (MRT_DTYPE_U8, &shape, &local);
  if (ds->raw == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "“%s”: %s", path, local->message);
      return FALSE;
    }
  ds->labels = g_new (float, ds->n);
  for (gint64 i = 0; i < ds->n; i++)
    {
      const guint8 *rec = data + i * CIFAR_RECORD;
      ds->labels[i] = rec[0];
      memcpy ((guint8 *) ds->raw->data + i * (CIFAR_RECORD - 1), rec + 1, CIFAR_RECORD - 1);
    }
  *native = mrt_shape_make (3, (gint64) 3, (gint64) 32, (gint64) 32);
  ds->div = 255.0f;
  ds->mean = cifar_mean;
  ds->std = cifar_std;
  ds->channel_size = 32 * 32;
  return TRUE;
}

static MrtTensor *
load_npy_file (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  MrtTensor *t = mrt_npy_load (path, &local);
  if (t == NULL)
    g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT, "%s", local->message);
  return t;
}

/* quickdraw and npy: samples on axis 0 of one array, labels in another. */
static gboolean
load_arrays (MrtDataset *ds, MrtShape *native, GError **error)
{
  gboolean qd = ds->def->kind == KIND_QUICKDRAW;
  g_autofree char *x_path = find_file (ds->dir, qd ? qd_x : npy_x);
  g_autofree char *y_path = find_file (ds->dir, qd ? qd_y : npy_y);
  g_autoptr (MrtTensor) x = load_npy_file (x_path, error);
  g_autoptr (MrtTensor) y = NULL;
  g_autoptr (MrtTensor) yf = NULL;

  if (x == NULL || (y = load_npy_file (y_path, error)) == NULL)
    return FALSE;
  if (x->shape.ndim < 1)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” holds a scalar; samples must lie along axis 0", x_path);
      return FALSE;
    }
  ds->n = x->shape.dim[0];
  if (!(y->shape.ndim == 1 || (y->shape.ndim == 2 && y->shape.dim[1] == 1)) || y->shape.dim[0] != ds->n)
    {
      g_autofree char *ys = mrt_shape_to_string (&y->shape);
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_FORMAT,
                   "“%s” has shape %s; (%" G_GINT64_FORMAT ",) labels are needed to match “%s”", y_path,
                   ys, ds->n, x_path);
      return FALSE;
    }
  yf = mrt_tensor_to_f32 (y);
  ds->labels = g_new (float, MAX (ds->n, 1));
  if (ds->n)
    memcpy (ds->labels, yf->data, ds->n * sizeof (float));
  native->ndim = x->shape.ndim - 1;
  for (int i = 1; i < x->shape.ndim; i++)
    native->dim[i - 1] = x->shape.dim[i];
  ds->raw = mrt_tensor_to_f32 (x);
  ds->div = 1.0f;
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Opening */

static gboolean
split_input_shape (MrtDataset *ds, const MrtShape *input, GError **error)
{
  g_autofree char *text = mrt_shape_to_string (input);
  int axis = -1;

  for (int i = 0; i < input->ndim; i++)
    {
      if (input->dim[i] == -1 && axis < 0)
        axis = i;
      else if (input->dim[i] < 1)
        {
          axis = -2;
          break;
        }
    }
  if (axis < 0)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE,
                   "Input_shape %s must have exactly one -1 (the batch axis) and positive "
                   "dimensions elsewhere", text);
      return FALSE;
    }
  ds->input_shape = *input;
  ds->batch_axis = axis;
  ds->sample.ndim = input->ndim - 1;
  ds->sample_size = 1;
  ds->inner = 1;
  for (int i = 0, j = 0; i < input->ndim; i++)
    if (i != axis)
      {
        ds->sample.dim[j++] = input->dim[i];
        ds->sample_size *= input->dim[i];
        if (i > axis)
          ds->inner *= input->dim[i];
        if (ds->sample_size > MRT_MAX_ELEMENTS)
          {
            g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE,
                         "Input_shape %s is too large", text);
            return FALSE;
          }
      }
  return TRUE;
}

/* Same dimensions once axes of size 1 are dropped: (28, 28) fits (1, 28, 28). */
static gboolean
shapes_fit (const MrtShape *a, const MrtShape *b)
{
  int i = 0, j = 0;
  for (;;)
    {
      while (i < a->ndim && a->dim[i] == 1)
        i++;
      while (j < b->ndim && b->dim[j] == 1)
        j++;
      if (i == a->ndim || j == b->ndim)
        return i == a->ndim && j == b->ndim;
      if (a->dim[i++] != b->dim[j++])
        return FALSE;
    }
}

MrtDataset *
mrt_dataset_open (const char *name, const char *dataset_dir, const MrtShape *input_shape, GError **error)
{
  g_autoptr (MrtDataset) ds = NULL;
  const DatasetDef *def = NULL;
  MrtShape native = { 0 };
  gboolean ok = FALSE;

  g_return_val_if_fail (name != NULL && input_shape != NULL, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (datasets); i++)
    if (strcmp (datasets[i].name, name) == 0)
      def = &datasets[i];
  if (def == NULL)
    {
      g_autofree char *known = g_strjoinv (", ", (char **) dataset_names);
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_UNKNOWN,
                   "dataset “%s” is not supported; supported datasets: %s", name, known);
      return NULL;
    }

  ds = g_new0 (MrtDataset, 1);
  ds->def = def;
  ds->div = 1.0f;
  if (!split_input_shape (ds, input_shape, error))
    return NULL;
  ds->dir = find_dir (def, dataset_dir, error);
  if (ds->dir == NULL)
    return NULL;

  switch (def->kind)
    {
    case KIND_IDX: ok = load_idx (ds, &native, error); break;
    case KIND_CIFAR: ok = load_cifar (ds, &native, error); break;
    case KIND_QUICKDRAW:
    case KIND_NPY: ok = load_arrays (ds, &native, error); break;
    case KIND_IMAGENET: ok = mrt_dataset_load_imagenet (ds, &native, error); break;
    default: g_assert_not_reached ();
    }
  if (!ok)
    return NULL;

  /* idx and CIFAR samples have a fixed layout; arrays may differ by axes of 1 */
  if (def->kind == KIND_NPY || def->kind == KIND_QUICKDRAW ? !shapes_fit (&native, &ds->sample)
                                                           : !mrt_shape_equal (&native, &ds->sample))
    {
      g_autofree char *ns = mrt_shape_to_string (&native);
      g_autofree char *ss = mrt_shape_to_string (&ds->sample);
      g_autofree char *is = mrt_shape_to_string (input_shape);
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE,
                   "dataset “%s” in “%s” has samples of shape %s, but Input_shape %s asks for %s", name,
                   ds->dir, ns, is, ss);
      return NULL;
    }
  return g_steal_pointer (&ds);
}

void
mrt_dataset_free (MrtDataset *ds)
{
  if (ds == NULL)
    return;
  g_free (ds->dir);
  g_free (ds->labels);
  g_clear_pointer (&ds->raw, mrt_tensor_unref);
  g_clear_pointer (&ds->files, g_ptr_array_unref);
  g_free (ds);
}

gint64
mrt_dataset_n_samples (MrtDataset *ds)
{
  return ds->n;
}

const char *
mrt_dataset_get_dir (MrtDataset *ds)
{
  return ds->dir;
}

const char *
mrt_dataset_get_name (MrtDataset *ds)
{
  return ds->def->name;
}

void
mrt_dataset_reset (MrtDataset *ds)
{
  ds->pos = 0;
}

/* ---------------------------------------------------------------------- */
/* Batches */

/* Preprocessed sample s of an in-memory dataset, into out (sample_size). */
static void
memory_sample (MrtDataset *ds, gint64 s, float *out)
{
  gint64 m = ds->sample_size;
  if (ds->raw->dtype == MRT_DTYPE_U8)
    {
      const guint8 *p = (const guint8 *) ds->raw->data + s * m;
      for (gint64 e = 0; e < m; e++)
        out[e] = (float) p[e] / ds->div;
    }
  else
    memcpy (out, mrt_tensor_f32 (ds->raw) + s * m, m * sizeof (float));
  if (ds->mean)
    for (gint64 e = 0; e < m; e++)
      {
        gint64 c = e / ds->channel_size;
        out[e] = (out[e] - ds->mean[c]) / ds->std[c];
      }
}

gboolean
mrt_dataset_next (MrtDataset *ds, guint batch, MrtTensor **data, MrtTensor **labels, GError **error)
{
  g_autoptr (MrtTensor) d = NULL;
  g_autoptr (MrtTensor) l = NULL;
  g_autoptr (GError) local = NULL;
  g_autofree float *sample = NULL;
  MrtShape shape, lshape;
  gint64 b, outer;
  float *dst;

  g_return_val_if_fail (ds != NULL && batch > 0 && data != NULL && labels != NULL, FALSE);
  *data = *labels = NULL;
  if (ds->pos >= ds->n)
    return FALSE;

  b = MIN ((gint64) batch, ds->n - ds->pos);
  shape = ds->input_shape;
  shape.dim[ds->batch_axis] = b;
  d = mrt_tensor_try_new (MRT_DTYPE_F32, &shape, &local);
  if (d == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE, "dataset “%s”, batch of %u: %s",
                   ds->def->name, batch, local->message);
      return FALSE;
    }
  lshape = mrt_shape_make (1, b);
  l = mrt_tensor_new (MRT_DTYPE_F32, &lshape);
  sample = g_new (float, MAX (ds->sample_size, 1));
  dst = mrt_tensor_f32 (d);
  outer = ds->inner ? ds->sample_size / ds->inner : 0;

  for (gint64 i = 0; i < b; i++)
    {
      gint64 s = ds->pos + i;
      if (ds->files)
        {
          if (!mrt_dataset_image_sample (ds, g_ptr_array_index (ds->files, s), sample, error))
            return FALSE;
        }
      else
        memory_sample (ds, s, sample);
      /* element (o, r) of the sample goes to (o, i, r) of the batch */
      for (gint64 o = 0; o < outer; o++)
        memcpy (dst + (o * b + i) * ds->inner, sample + o * ds->inner, ds->inner * sizeof (float));
      mrt_tensor_f32 (l)[i] = ds->labels[s];
    }
  ds->pos += b;
  *data = g_steal_pointer (&d);
  *labels = g_steal_pointer (&l);
  return TRUE;
}
