/* fuzz-ini.c: the .ini reader (mrt_ini_parse, as mrt_ini_load calls it),
 * its writer and editor, and the typed configuration (mrt_config_from_ini).
 * What was read must write back byte-identical text that reads again, and an
 * edit must keep the file readable. */
#include "fuzz-common.h"
#include "mrt-config.h"

#define FNAME "fuzz.ini"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  char *text, *out, *out2;
  MrtIni *ini, *again;
  MrtConfig *config;

  /* mrt_ini_load refuses text with a NUL byte before parsing */
  if (memchr (data, '\0', size))
    return 0;
  text = g_strndup ((const char *) data, size);
  ini = mrt_ini_parse (text, FNAME, &error);
  if (ini == NULL)
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      g_free (text);
      return 0;
    }

  out = mrt_ini_to_string (ini);
  again = mrt_ini_parse (out, "round-trip", &error);
  if (again == NULL)
    fuzz_fail ("the written .ini is refused", error->message);
  out2 = mrt_ini_to_string (again);
  if (strcmp (out, out2) != 0)
    fuzz_fail ("writing the .ini twice gives different text", NULL);
  if (g_strcmp0 (mrt_ini_get (ini, "DEFAULT", "Model_name"), mrt_ini_get (again, "DEFAULT", "Model_name")) != 0)
    fuzz_fail ("a value changed in the round trip", NULL);
  mrt_ini_free (again);
  g_free (out2);
  g_free (out);

  config = mrt_config_from_ini (ini, fuzz_dir (), &error);
  if (config == NULL)
    {
      fuzz_check_error (error, "configuration");
      g_clear_error (&error);
    }
  mrt_config_free (config);

  /* editing (what the GUI does) keeps the file readable, and the value sticks */
  mrt_ini_set (ini, "CALIBRATION", "Batch", "16\n  32");
  mrt_ini_set (ini, "NEW SECTION", "Key", "value");
  out = mrt_ini_to_string (ini);
  again = mrt_ini_parse (out, "edited", &error);
  if (again == NULL)
    fuzz_fail ("the edited .ini is refused", error->message);
  if (g_strcmp0 (mrt_ini_get (again, "CALIBRATION", "Batch"), "16\n32") != 0)
    fuzz_fail ("an edited value did not stick", mrt_ini_get (again, "CALIBRATION", "Batch"));
  mrt_ini_free (again);
  g_free (out);
  mrt_ini_free (ini);
  g_free (text);
  return 0;
}
