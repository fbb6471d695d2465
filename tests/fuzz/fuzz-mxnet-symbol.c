/* fuzz-mxnet-symbol.c: MXNet symbol JSON (mrt_mxnet_parse_symbol), the
 * writer (a model that was read must write JSON that reads again), then
 * what mrt_mxnet_load does next (mrt_model_validate: structure and
 * attributes) and shape inference from the __shape__ attributes. */
#include "fuzz-common.h"
#include "mrt-mxnet.h"

#define FNAME "fuzz-symbol.json"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  MrtModel *model = mrt_mxnet_parse_symbol ((const char *) data, (gssize) size, FNAME, &error);

  if (model == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  if (error != NULL)
    fuzz_fail ("success with an error set", error->message);

  /* written back, the symbol must read again with the same number of nodes */
  {
    char *json = mrt_mxnet_symbol_to_json (model);
    MrtModel *again = mrt_mxnet_parse_symbol (json, -1, "round-trip", &error);
    if (again == NULL)
      fuzz_fail ("the written symbol does not read back", error->message);
    if (mrt_model_n_nodes (again) != mrt_model_n_nodes (model))
      fuzz_fail ("the written symbol has a different node count", json);
    mrt_model_unref (again);
    g_free (json);
  }

  if (!mrt_model_validate (model, &error))
    {
      fuzz_check_error (error, NULL);
      g_clear_error (&error);
    }
  else
    {
      /* shapes from the __shape__ attributes: every op's shape function
       * runs on the file's attributes */
      MrtShape *shapes = mrt_model_infer_shapes_single (model, NULL, &error);
      if (shapes == NULL)
        {
          fuzz_check_error (error, NULL);
          g_clear_error (&error);
        }
      g_free (shapes);
    }
  mrt_model_unref (model);
  return 0;
}
