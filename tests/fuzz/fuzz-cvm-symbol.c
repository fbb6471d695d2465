/* fuzz-cvm-symbol.c: CVM symbol JSON alone (mrt_cvm_parse_symbol: structure,
 * attributes, declared shapes, precisions, storage plan, gas), then the
 * writer: an accepted symbol must write JSON that is accepted again. */
#include "fuzz-common.h"
#include "cvm/mrt-cvm-io.h"

#define FNAME "fuzz-symbol"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  MrtModel *m = mrt_cvm_parse_symbol ((const char *) data, size, FNAME, &error);
  char *json;
  MrtModel *again;

  if (m == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  json = mrt_cvm_symbol_to_json (m, NULL, &error);
  if (json == NULL)
    fuzz_fail ("an accepted symbol cannot be written", error->message);
  again = mrt_cvm_parse_symbol (json, strlen (json), "round-trip", &error);
  if (again == NULL)
    fuzz_fail ("the written symbol is refused", error->message);
  if (mrt_model_n_nodes (again) != mrt_model_n_nodes (m))
    fuzz_fail ("the written symbol has a different node count", json);
  mrt_model_unref (again);
  g_free (json);
  mrt_model_unref (m);
  return 0;
}
