/* fuzz-idx.c: the idx reader of the mnist / fashion_mnist datasets, through
 * mrt_dataset_open and mrt_dataset_next on files in a scratch directory.
 *
 * Input: 1 flag byte, a 4-byte big-endian length L, L bytes of the images
 * file (idx3), then the labels file (idx1). Flags: bit 0 gzips the images,
 * bit 1 the labels (valid gzip of the fuzzed bytes); bit 2 names the raw
 * images file ".gz" instead (a broken gzip stream); bit 3 asks for an
 * Input_shape that does not match the images; bits 4-7 + 1 are the batch. */
#include <gio/gio.h>

#include "fuzz-common.h"
#include "mrt-dataset.h"

static const char *const files[] = { "t10k-images-idx3-ubyte", "t10k-images-idx3-ubyte.gz",
                                     "t10k-labels-idx1-ubyte", "t10k-labels-idx1-ubyte.gz" };

static GBytes *
gzip (const uint8_t *data, size_t size)
{
  GZlibCompressor *z = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, 1);
  GByteArray *out = g_byte_array_new ();
  guint8 buf[4096];
  gsize read, written;
  GConverterResult r;

  do
    {
      r = g_converter_convert (G_CONVERTER (z), data, size, buf, sizeof buf, G_CONVERTER_INPUT_AT_END, &read,
                               &written, NULL);
      if (r == G_CONVERTER_ERROR)
        fuzz_fail ("gzip failed", NULL);
      g_byte_array_append (out, buf, (guint) written);
      data += read;
      size -= read;
    }
  while (r != G_CONVERTER_FINISHED);
  g_object_unref (z);
  return g_byte_array_free_to_bytes (out);
}

static void
put (const char *name, const uint8_t *data, size_t size, gboolean compress)
{
  if (compress)
    {
      GBytes *gz = gzip (data, size);
      g_free (fuzz_write (name, g_bytes_get_data (gz, NULL), g_bytes_get_size (gz)));
      g_bytes_unref (gz);
    }
  else
    g_free (fuzz_write (name, data, size));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  guint8 flags;
  gsize img_len;
  const uint8_t *img, *lbl;
  gsize lbl_len;
  MrtShape input = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 28, (gint64) 28);
  MrtDataset *ds;
  MrtTensor *x, *y;
  gint64 seen = 0;

  if (size < 5)
    return 0;
  flags = data[0];
  img_len = (gsize) data[1] << 24 | (gsize) data[2] << 16 | (gsize) data[3] << 8 | data[4];
  data += 5;
  size -= 5;
  img_len = MIN (img_len, size);
  img = data;
  lbl = data + img_len;
  lbl_len = size - img_len;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    fuzz_remove (files[i]);
  if (flags & 4)
    g_free (fuzz_write (files[1], img, img_len));
  else
    put (files[flags & 1], img, img_len, flags & 1);
  put (files[2 + ((flags >> 1) & 1)], lbl, lbl_len, (flags >> 1) & 1);

  /* ask for the images' own size, so that reading goes on past the header */
  if (img_len >= 16)
    {
      gint64 rows = (gint64) ((guint32) img[8] << 24 | (guint32) img[9] << 16 | (guint32) img[10] << 8 | img[11]);
      gint64 cols = (gint64) ((guint32) img[12] << 24 | (guint32) img[13] << 16 | (guint32) img[14] << 8 | img[15]);
      if (rows >= 1 && cols >= 1 && rows <= 1 << 20 && cols <= 1 << 20 && rows * cols <= 1 << 20)
        input = mrt_shape_make (4, (gint64) -1, (gint64) 1, rows, cols);
    }
  if (flags & 8)
    input.dim[2]++;

  ds = mrt_dataset_open ("fashion_mnist", fuzz_dir (), &input, &error);
  if (ds == NULL)
    {
      fuzz_check_error (error, NULL);
      g_error_free (error);
      return 0;
    }
  while (seen < 4096 && mrt_dataset_next (ds, (flags >> 4) + 1, &x, &y, &error))
    {
      seen += y->shape.dim[0];
      mrt_tensor_unref (x);
      mrt_tensor_unref (y);
    }
  if (error)
    fuzz_fail ("an idx dataset failed mid-way", error->message);
  mrt_dataset_free (ds);
  return 0;
}
