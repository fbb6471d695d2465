/* mrt-cmd-infer.c: `mrt infer MODEL --input X.npy --output Y.npy`. */
#include <stdio.h>

#include "mrt-cli.h"
#include "mrt-npy.h"

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

int
mrt_cmd_infer (int argc, char **argv)
{
  g_autofree char *input = NULL, *output = NULL;
  GOptionEntry entries[] = {
    { "input", 'i', 0, G_OPTION_ARG_FILENAME, &input, "Input tensor (.npy, any numeric dtype)", "X.npy" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Where to write the output (float32 .npy)", "Y.npy" },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL — run a model on one input");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = NULL;
  g_autoptr (MrtTensor) x = NULL;
  g_autoptr (MrtTensor) xf = NULL;
  g_autoptr (GPtrArray) outputs = NULL;

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2 || input == NULL || output == NULL)
    return mrt_cli_failf ("infer: usage: mrt infer MODEL --input X.npy --output Y.npy");
  model = mrt_mxnet_open (argv[1], &error);
  if (model == NULL)
    return mrt_cli_fail (error);
  x = mrt_npy_load (input, &error);
  if (x == NULL)
    return mrt_cli_fail (error);
  xf = mrt_tensor_to_f32 (x);
  outputs = mrt_model_forward (model, &xf, 1, NULL, &error);
  if (outputs == NULL)
    return mrt_cli_fail (error);
  for (guint i = 0; i < outputs->len; i++)
    {
      g_autofree char *path = output_path (output, i);
      MrtTensor *y = g_ptr_array_index (outputs, i);
      g_autofree char *shape = mrt_shape_to_string (&y->shape);
      if (!mrt_npy_save (y, path, &error))
        return mrt_cli_fail (error);
      printf ("%s %s\n", path, shape);
    }
  return 0;
}
