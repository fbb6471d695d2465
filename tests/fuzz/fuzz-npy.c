/* fuzz-npy.c: .npy files (mrt_npy_parse), the writer round trip, and the
 * "npy" dataset reader over the same bytes: as data.npy with generated
 * labels, and as label.npy of itself. */
#include "fuzz-common.h"
#include "mrt-dataset.h"
#include "mrt-npy.h"

#define FNAME "fuzz.npy"

/* Opens the npy dataset in the scratch directory and reads every batch. */
static void
read_dataset (const MrtShape *input)
{
  GError *error = NULL;
  MrtDataset *ds = mrt_dataset_open ("npy", fuzz_dir (), input, &error);
  MrtTensor *x, *y;
  gint64 seen = 0;

  if (ds == NULL)
    {
      fuzz_check_error (error, NULL);
      g_error_free (error);
      return;
    }
  while (mrt_dataset_next (ds, 3, &x, &y, &error))
    {
      seen += y->shape.dim[0];
      mrt_tensor_unref (x);
      mrt_tensor_unref (y);
    }
  if (error)
    fuzz_fail ("an in-memory dataset failed mid-way", error->message);
  if (seen != mrt_dataset_n_samples (ds))
    fuzz_fail ("batches do not cover the dataset", NULL);
  mrt_dataset_free (ds);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  MrtTensor *t = mrt_npy_parse (data, size, FNAME, &error), *again;
  GBytes *bytes;
  MrtShape input = { 0 };
  gboolean positive = TRUE;

  if (t == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  bytes = mrt_npy_to_bytes (t);
  again = mrt_npy_parse (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), "round-trip", &error);
  if (again == NULL)
    fuzz_fail ("the written .npy is refused", error->message);
  if (!mrt_tensor_equal (t, again))
    fuzz_fail ("the written .npy reads back different", NULL);
  mrt_tensor_unref (again);
  g_bytes_unref (bytes);

  /* as a dataset: small arrays only (the dataset converts to float32) */
  if (t->shape.ndim >= 1 && t->n <= 4096 && t->shape.dim[0] <= 256)
    {
      MrtShape ls = mrt_shape_make (1, t->shape.dim[0]);
      MrtTensor *labels = mrt_tensor_new (MRT_DTYPE_I32, &ls);
      GBytes *lb = mrt_npy_to_bytes (labels);

      input.ndim = t->shape.ndim;
      input.dim[0] = -1;
      for (int i = 1; i < t->shape.ndim; i++)
        {
          input.dim[i] = t->shape.dim[i];
          positive = positive && t->shape.dim[i] > 0;
        }
      if (positive)
        {
          g_free (fuzz_write ("data.npy", data, size));
          g_free (fuzz_write ("label.npy", g_bytes_get_data (lb, NULL), g_bytes_get_size (lb)));
          read_dataset (&input);
          /* the same file as labels (of itself when it is (N,) or (N, 1)) */
          g_free (fuzz_write ("label.npy", data, size));
          read_dataset (&input);
        }
      g_bytes_unref (lb);
      mrt_tensor_unref (labels);
    }
  mrt_tensor_unref (t);
  return 0;
}
