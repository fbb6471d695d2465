/* fuzz-mxnet-params.c: MXNet .params NDArray lists (legacy, V1, V2, V3). */
#include "fuzz-common.h"
#include "mrt-mxnet.h"

#define FNAME "fuzz.params"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GHashTable *params = mrt_mxnet_parse_params (data, size, FNAME, &error);
  GHashTableIter it;
  gpointer k, v;
  gsize total = 0;

  if (params == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  /* every tensor is complete, and together they fit in the input */
  g_hash_table_iter_init (&it, params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtTensor *t = v;
      if (t == NULL || *(const char *) k == '\0')
        fuzz_fail ("a NULL tensor or an empty name in the table", NULL);
      if ((gint64) t->n != mrt_shape_size (&t->shape))
        fuzz_fail ("element count differs from the shape", k);
      total += t->n * mrt_dtype_size (t->dtype);
      (void) mrt_tensor_absmax (t); /* touches every element */
    }
  if (total > size)
    fuzz_fail ("more data than the input holds", NULL);
  g_hash_table_unref (params);
  return 0;
}
