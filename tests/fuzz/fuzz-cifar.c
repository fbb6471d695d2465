/* fuzz-cifar.c: the CIFAR-10 binary batch reader (dataset "cifar10"): the
 * input is test_batch.bin; every batch is read. Byte 0 (when the input is
 * not a whole number of records anyway) picks the batch size. */
#include "fuzz-common.h"
#include "mrt-dataset.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  MrtShape input = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);
  MrtDataset *ds;
  MrtTensor *x, *y;
  guint batch = size ? (data[0] & 7) + 1 : 1;
  gint64 seen = 0;
  char *path;

  path = fuzz_write ("test_batch.bin", data, size);
  ds = mrt_dataset_open ("cifar10", fuzz_dir (), &input, &error);
  if (ds == NULL)
    {
      fuzz_check_error (error, path);
      g_error_free (error);
      g_free (path);
      return 0;
    }
  g_free (path);
  while (mrt_dataset_next (ds, batch, &x, &y, &error))
    {
      float *p = mrt_tensor_f32 (x);
      for (gsize i = 0; i < x->n; i++)
        if (!(p[i] > -3.f && p[i] < 3.f)) /* (0..1 - mean) / std */
          fuzz_fail ("a CIFAR pixel out of range after normalisation", NULL);
      seen += y->shape.dim[0];
      mrt_tensor_unref (x);
      mrt_tensor_unref (y);
    }
  if (error)
    fuzz_fail ("a CIFAR dataset failed mid-way", error->message);
  if (seen != mrt_dataset_n_samples (ds) || (gsize) seen * 3073 != size)
    fuzz_fail ("batches do not cover the file", NULL);
  mrt_dataset_free (ds);
  return 0;
}
