/* mrt-cmd-infer.c: `mrt infer MODEL --input X.npy --output Y.npy [--raw]`.
 * MODEL is a float MXNet model, a quantized checkpoint (P.all.quantize or
 * P.mrt.quantize, with P.all.quantize.ext beside it) or an exported CVM
 * folder. Quantized models run on the CVM integer executor. */
#include <stdio.h>

#include "mrt-cli.h"
#include "cvm/mrt-cvm-exec.h"
#include "cvm/mrt-cvm-io.h"

/* Y.npy, Y.1.npy, Y.2.npy, … one per model output. */
static char *
output_path (const char *base, guint i)
{
  g_autofree char *stem = NULL;
  if (i == 0)
    return g_strdup (base);
  stem = g_str_has_suffix (base, ".npy") ? g_strndup (base, strlen (base) - 4) : g_strdup (base);
  return g_strdup_printf ("%s.%u.npy", stem, i);
}

static gboolean
is_cvm_dir (const char *path)
{
  g_autofree char *sym = g_build_filename (path, "symbol", NULL);
  g_autofree char *par = g_build_filename (path, "params", NULL);
  return g_file_test (sym, G_FILE_TEST_IS_REGULAR) && g_file_test (par, G_FILE_TEST_IS_REGULAR);
}

/* "m.mrt.quantize" or "m.all.quantize" (optionally with .json) → "m" */
static char *
quantized_stem (const char *model)
{
  g_autofree char *p = g_str_has_suffix (model, ".json") ? g_strndup (model, strlen (model) - 5) : g_strdup (model);
  const char *suffixes[] = { ".mrt.quantize", ".all.quantize" };
  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    if (g_str_has_suffix (p, suffixes[i]))
      return g_strndup (p, strlen (p) - strlen (suffixes[i]));
  return NULL;
}

/* Integer outputs, then dequantized unless raw. */
static GPtrArray *
run_integer (MrtModel *cvm, MrtTensor *x, const GArray *oscales, double scale, int precision, gboolean raw,
             GError **error)
{
  g_autoptr (MrtTensor) xi = NULL;
  if (raw)
    xi = mrt_tensor_convert (x, MRT_DTYPE_I32);
  else
    {
      g_autoptr (MrtTensor) xf = mrt_tensor_to_f32 (x);
      xi = mrt_quantize_input (xf, scale, precision);
    }
  if (raw)
    return mrt_cvm_forward (cvm, xi, NULL, error);
  {
    g_autoptr (MrtTensor) xf = mrt_tensor_to_f32 (x);
    return mrt_run_quantized (cvm, oscales, scale, precision, xf, error);
  }
}

int
mrt_cmd_infer (int argc, char **argv)
{
  g_autofree char *input = NULL, *output = NULL;
  gboolean raw = FALSE;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Input tensor (.npy, any numeric dtype)", "X.npy" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the output (.npy)", "Y.npy" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &raw,
      "Quantized models: the input is already integer, write the integer outputs (int32)", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL — run a model on one input");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = NULL;
  g_autoptr (MrtTensor) x = NULL;
  g_autoptr (GPtrArray) outputs = NULL;
  g_autofree char *stem = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "MODEL is a float MXNet model (symbol JSON or prefix), a quantized "
                                         "checkpoint (P.all.quantize / P.mrt.quantize with P.all.quantize.ext) or "
                                         "an exported CVM folder. Quantized inputs are quantized with the input "
                                         "scale and outputs divided by the output scales, unless --raw.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2 || input == NULL || output == NULL)
    return mrt_cli_failf ("infer: usage: mrt infer MODEL --input X.npy --output Y.npy [--raw]");
  if (!(x = mrt_npy_load (input, &error)))
    return mrt_cli_fail (error);

  if (is_cvm_dir (argv[1]))
    {
      g_autoptr (GArray) oscales = NULL;
      double scale = 1;
      int prec = 8;
      MrtShape shape;
      if (!(model = mrt_cvm_load (argv[1], &error)) ||
          (!raw && !mrt_read_cvm_ext (argv[1], &oscales, &scale, &prec, &shape, &error)))
        return mrt_cli_fail (error);
      outputs = run_integer (model, x, oscales, scale, prec, raw, &error);
    }
  else if ((stem = quantized_stem (argv[1])))
    {
      g_autofree char *ext = g_strconcat (stem, ".all.quantize.ext", NULL);
      g_autoptr (GArray) oscales = NULL;
      g_autoptr (MrtModel) cvm = NULL;
      double scale;
      int prec;
      if (!(model = mrt_mxnet_open (argv[1], &error)) || !mrt_read_all_ext (ext, &oscales, &scale, &prec, &error))
        return mrt_cli_fail (error);
      if (!(cvm = mrt_to_cvm (model, &x->shape, &error)))
        return mrt_cli_fail (error);
      outputs = run_integer (cvm, x, oscales, scale, prec, raw, &error);
    }
  else
    {
      g_autoptr (MrtTensor) xf = NULL;
      if (raw)
        return mrt_cli_failf ("infer: --raw applies to quantized models only");
      if (!(model = mrt_mxnet_open (argv[1], &error)))
        return mrt_cli_fail (error);
      xf = mrt_tensor_to_f32 (x);
      outputs = mrt_model_forward (model, &xf, 1, NULL, &error);
    }
  if (outputs == NULL)
    return mrt_cli_fail (error);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autofree char *path = output_path (output, i);
      MrtTensor *y = g_ptr_array_index (outputs, i);
      g_autofree char *shape = mrt_shape_to_string (&y->shape);
      if (!mrt_npy_save (y, path, &error))
        return mrt_cli_fail (error);
      printf ("%s %s %s\n", path, mrt_dtype_name (y->dtype), shape);
    }
  return 0;
}
