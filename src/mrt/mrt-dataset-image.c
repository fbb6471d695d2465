/* mrt-dataset-image.c: image-folder datasets (imagenet): class folders are
 * listed at open, and images are decoded with gdk-pixbuf per batch. */
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <math.h>
#include <string.h>

#include "mrt-dataset-private.h"

static const float imagenet_mean[3] = { 123.68f, 116.779f, 103.939f };
static const float imagenet_std[3] = { 58.393f, 57.12f, 57.375f };

static gboolean
is_image_name (const char *name)
{
  g_autofree char *lower = g_ascii_strdown (name, -1);
  return g_str_has_suffix (lower, ".jpg") || g_str_has_suffix (lower, ".jpeg") ||
         g_str_has_suffix (lower, ".png");
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names of the entries of dir (hidden ones skipped) that are
 * directories (want_dirs) or image files. */
static GPtrArray *
list_dir (const char *dir, gboolean want_dirs)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return names;
  while ((name = g_dir_read_name (d)))
    {
      g_autofree char *path = NULL;
      if (name[0] == '.')
        continue;
      path = g_build_filename (dir, name, NULL);
      if (want_dirs ? g_file_test (path, G_FILE_TEST_IS_DIR)
                    : is_image_name (name) && g_file_test (path, G_FILE_TEST_IS_REGULAR))
        g_ptr_array_add (names, g_strdup (name));
    }
  g_dir_close (d);
  g_ptr_array_sort (names, compare_strings);
  return names;
}

/* Images of the class folders of dir (or of dir/val), labels = folder index. */
gboolean
mrt_dataset_list_images (const char *dir, GPtrArray **files, GArray **labels)
{
  g_autofree char *val = g_build_filename (dir, "val", NULL);
  g_autoptr (GPtrArray) classes = NULL;
  const char *root = dir;

  if (g_file_test (val, G_FILE_TEST_IS_DIR))
    root = val;
  classes = list_dir (root, TRUE);
  *files = g_ptr_array_new_with_free_func (g_free);
  *labels = g_array_new (FALSE, FALSE, sizeof (float));
  for (guint c = 0; c < classes->len; c++)
    {
      g_autofree char *class_dir = g_build_filename (root, g_ptr_array_index (classes, c), NULL);
      g_autoptr (GPtrArray) images = list_dir (class_dir, FALSE);
      for (guint i = 0; i < images->len; i++)
        {
          float label = (float) c;
          g_ptr_array_add (*files, g_build_filename (class_dir, g_ptr_array_index (images, i), NULL));
          g_array_append_val (*labels, label);
        }
    }
  if ((*files)->len == 0)
    {
      g_clear_pointer (files, g_ptr_array_unref);
      g_clear_pointer (labels, g_array_unref);
      return FALSE;
    }
  return TRUE;
}

gboolean
mrt_dataset_load_imagenet (MrtDataset *ds, MrtShape *native, GError **error)
{
  GArray *labels;

  if (!mrt_dataset_list_images (ds->dir, &ds->files, &labels))
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_NOT_FOUND,
                   "“%s” holds no class sub-folders of JPEG or PNG images", ds->dir);
      return FALSE;
    }
  ds->n = labels->len;
  ds->labels = (float *) g_array_free (labels, FALSE);
  /* any image size works: the sample shape is what the model asks for */
  *native = ds->sample;
  if (ds->sample.ndim != 3 || ds->sample.dim[0] != 3 || ds->sample.dim[1] < 1 || ds->sample.dim[2] < 1)
    {
      g_autofree char *ss = mrt_shape_to_string (&ds->sample);
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_SHAPE,
                   "images of “%s” become (3, H, W) samples; Input_shape asks for %s", ds->dir, ss);
      return FALSE;
    }
  return TRUE;
}

/* Decodes an image into a (3, H, W) sample: resize the shorter side to
 * ceil(max(H, W) / 0.875) (the other side keeps the aspect ratio, rounded
 * down like MXNet's ImageRecordIter), centre crop, normalise. */
gboolean
mrt_dataset_image_sample (MrtDataset *ds, const char *path, float *out, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (GdkPixbuf) loaded = gdk_pixbuf_new_from_file (path, &local);
  g_autoptr (GdkPixbuf) pixbuf = NULL;
  g_autoptr (GdkPixbuf) scaled = NULL;
  gint64 H = ds->sample.dim[1], W = ds->sample.dim[2];
  gint64 side = (gint64) ceil ((double) MAX (H, W) / 0.875);
  gint64 w, h, nw, nh, x0, y0;
  const guint8 *px;
  int stride, nch;

  if (loaded == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_IMAGE, "cannot decode “%s”: %s", path,
                   local->message);
      return FALSE;
    }
  pixbuf = gdk_pixbuf_apply_embedded_orientation (loaded);
  w = gdk_pixbuf_get_width (pixbuf);
  h = gdk_pixbuf_get_height (pixbuf);
  if (h > w)
    {
      nw = side;
      nh = side * h / w;
    }
  else
    {
      nh = side;
      nw = side * w / h;
    }
  if (nw > 65536 || nh > 65536 || gdk_pixbuf_get_bits_per_sample (pixbuf) != 8 ||
      gdk_pixbuf_get_n_channels (pixbuf) < 3)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_IMAGE,
                   "“%s”: unsupported image (%" G_GINT64_FORMAT "×%" G_GINT64_FORMAT ")", path, w, h);
      return FALSE;
    }
  scaled = gdk_pixbuf_scale_simple (pixbuf, (int) nw, (int) nh, GDK_INTERP_BILINEAR);
  if (scaled == NULL)
    {
      g_set_error (error, MRT_DATASET_ERROR, MRT_DATASET_ERROR_IMAGE,
                   "“%s”: out of memory scaling the image", path);
      return FALSE;
    }
  px = gdk_pixbuf_read_pixels (scaled);
  stride = gdk_pixbuf_get_rowstride (scaled);
  nch = gdk_pixbuf_get_n_channels (scaled);
  y0 = (nh - H) / 2;
  x0 = (nw - W) / 2;
  for (int c = 0; c < 3; c++)
    for (gint64 y = 0; y < H; y++)
      {
        const guint8 *row = px + (y0 + y) * stride + x0 * nch + c;
        float *o = out + (c * H + y) * W;
        for (gint64 x = 0; x < W; x++)
          o[x] = ((float) row[x * nch] - imagenet_mean[c]) / imagenet_std[c];
      }
  return TRUE;
}
