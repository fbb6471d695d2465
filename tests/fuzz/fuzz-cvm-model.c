/* fuzz-cvm-model.c: a whole CVM model (mrt_cvm_parse: symbol + params + the
 * full check, what mrt_cvm_load runs). Input: a 4-byte little-endian length
 * L, then L bytes of symbol JSON, then the params binary (see
 * tests/fuzz/README.md for making seeds). An accepted model must pass the
 * check `mrt check` runs (gas, storage, lint) and write a symbol and params
 * that are accepted again. */
#include "fuzz-common.h"
#include "cvm/mrt-cvm-check.h"
#include "cvm/mrt-cvm-io.h"

#define FNAME "fuzz-model"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  gsize sym_len;
  MrtModel *m, *again;
  char *json;
  GBytes *params;

  if (size < 4)
    return 0;
  sym_len = (gsize) data[0] | (gsize) data[1] << 8 | (gsize) data[2] << 16 | (gsize) data[3] << 24;
  data += 4;
  size -= 4;
  sym_len = MIN (sym_len, size);

  m = mrt_cvm_parse ((const char *) data, sym_len, data + sym_len, size - sym_len, FNAME, &error);
  if (m == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  /* what `mrt check` reports on a folder: gas, storage and the lint list */
  {
    MrtCvmReport report = { 0 };
    if (!mrt_cvm_check (m, &report, &error))
      fuzz_fail ("an accepted model fails the check with a report", error->message);
    if (report.gas != report.ops + report.mem)
      fuzz_fail ("gas is not ops + mem", NULL);
    for (guint i = 0; report.warnings && i < report.warnings->len; i++)
      {
        const MrtCvmLint *l = g_ptr_array_index (report.warnings, i);
        if (l->message == NULL || !g_utf8_validate (l->message, -1, NULL))
          fuzz_fail ("a lint message is missing or not UTF-8", NULL);
      }
    mrt_cvm_report_clear (&report);
  }
  json = mrt_cvm_symbol_to_json (m, NULL, &error);
  if (json == NULL)
    fuzz_fail ("an accepted model's symbol cannot be written", error->message);
  params = mrt_cvm_params_to_bytes (m, &error);
  if (params == NULL)
    fuzz_fail ("an accepted model's params cannot be written", error->message);
  again = mrt_cvm_parse (json, strlen (json), g_bytes_get_data (params, NULL), g_bytes_get_size (params),
                         "round-trip", &error);
  if (again == NULL)
    fuzz_fail ("the written model is refused", error->message);
  mrt_model_unref (again);
  g_bytes_unref (params);
  g_free (json);
  mrt_model_unref (m);
  return 0;
}
