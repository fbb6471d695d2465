/* fuzz-cvm-params.c: the CVM params binary alone (mrt_cvm_params_parse). */
#include "fuzz-common.h"
#include "cvm/mrt-cvm-io.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GHashTable *params = mrt_cvm_params_parse (data, size, &error);
  GHashTableIter it;
  gpointer k, v;
  gsize total = 0;

  if (params == NULL)
    {
      /* the params reader has no file name; its messages say "params:" */
      fuzz_check_error (error, "params");
      g_error_free (error);
      return 0;
    }
  g_hash_table_iter_init (&it, params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtTensor *t = v;
      if (t->dtype != MRT_DTYPE_I8 && t->dtype != MRT_DTYPE_I32)
        fuzz_fail ("a CVM parameter that is neither int8 nor int32", k);
      if ((gint64) t->n != mrt_shape_size (&t->shape))
        fuzz_fail ("element count differs from the shape", k);
      total += t->n * mrt_dtype_size (t->dtype);
      (void) mrt_tensor_absmax (t);
    }
  if (total > size)
    fuzz_fail ("more data than the input holds", NULL);
  g_hash_table_unref (params);
  return 0;
}
