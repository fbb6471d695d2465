/* fuzz-cvm-ext.c: the `ext` file of an exported CVM folder
 * (mrt_parse_cvm_ext, what `mrt infer DIR` reads to scale inputs and
 * outputs). Whatever it accepts must be usable as is: a positive finite
 * input scale, a precision from 1 to 32, positive finite output scales and
 * dimensions that are -1 or non-negative. */
#include <math.h>

#include "fuzz-common.h"
#include "mrt-export.h"

#define FNAME "fuzz-ext"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  GError *error = NULL;
  GArray *oscales = NULL;
  double scale = 0;
  int precision = 0;
  MrtShape shape;

  if (!mrt_parse_cvm_ext ((const char *) data, size, FNAME, &oscales, &scale, &precision, &shape, &error))
    {
      fuzz_check_error (error, FNAME);
      g_error_free (error);
      return 0;
    }
  if (!(scale > 0) || !isfinite (scale))
    fuzz_fail ("accepted an input scale that is not positive and finite", NULL);
  if (precision < 1 || precision > 32)
    fuzz_fail ("accepted a precision outside 1..32", NULL);
  for (guint i = 0; i < oscales->len; i++)
    if (!(g_array_index (oscales, double, i) > 0) || !isfinite (g_array_index (oscales, double, i)))
      fuzz_fail ("accepted an output scale that is not positive and finite", NULL);
  if (shape.ndim < 0 || shape.ndim > MRT_MAX_NDIM)
    fuzz_fail ("accepted a shape with too many dimensions", NULL);
  for (int i = 0; i < shape.ndim; i++)
    if (shape.dim[i] < -1)
      fuzz_fail ("accepted a negative dimension", NULL);
  g_array_unref (oscales);
  return 0;
}
