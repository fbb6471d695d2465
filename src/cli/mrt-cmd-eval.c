/* mrt-cmd-eval.c: `mrt eval MODEL --dataset NAME --dataset-dir DIR`: float accuracy. */
#include <stdio.h>

#include "mrt-cli.h"
#include "mrt-dataset.h"

/* The natural input shape (batch axis -1) of each classification dataset. */
static gboolean
default_shape (const char *dataset, MrtShape *out)
{
  if (g_str_equal (dataset, "mnist") || g_str_equal (dataset, "fashion_mnist") || g_str_equal (dataset, "quickdraw"))
    *out = mrt_shape_make (4, (gint64) -1, (gint64) 1, (gint64) 28, (gint64) 28);
  else if (g_str_equal (dataset, "cifar10"))
    *out = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 32, (gint64) 32);
  else if (g_str_equal (dataset, "imagenet"))
    *out = mrt_shape_make (4, (gint64) -1, (gint64) 3, (gint64) 224, (gint64) 224);
  else
    return FALSE;
  return TRUE;
}

int
mrt_cmd_eval (int argc, char **argv)
{
  g_autofree char *dataset = NULL, *dataset_dir = NULL, *shape_text = NULL;
  gint batch = 100, iter_num = 0;
  gboolean json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "dataset", 'd', 0, G_OPTION_ARG_STRING, &dataset, "Dataset name: mnist, fashion_mnist, cifar10, quickdraw, imagenet, npy", "NAME" },
    { "dataset-dir", 0, 0, G_OPTION_ARG_FILENAME, &dataset_dir, "Dataset root (default ~/.mxnet/datasets)", "DIR" },
    { "input-shape", 's', 0, G_OPTION_ARG_STRING, &shape_text, "Input shape with -1 on the batch axis", "SHAPE" },
    { "batch", 'b', 0, G_OPTION_ARG_INT, &batch, "Batch size (default 100)", "N" },
    { "iter-num", 'n', 0, G_OPTION_ARG_INT, &iter_num, "Number of batches (default: the whole dataset)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No per-iteration lines", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL — measure top-1/top-5 accuracy");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  MrtAccuracy acc = { 0 };
  MrtShape shape;
  gint64 t0 = g_get_monotonic_time ();

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2 || dataset == NULL)
    return mrt_cli_failf ("eval: usage: mrt eval MODEL --dataset NAME [--dataset-dir DIR]");
  if (batch <= 0 || iter_num < 0)
    return mrt_cli_failf ("eval: --batch must be positive and --iter-num not negative");
  if (shape_text)
    {
      if (!mrt_shape_parse (shape_text, TRUE, &shape, &error))
        return mrt_cli_fail (error);
    }
  else if (!default_shape (dataset, &shape))
    return mrt_cli_failf ("eval: give --input-shape for dataset “%s”, e.g. \"(-1, 3, 32, 32)\"", dataset);
  if (dataset_dir == NULL)
    dataset_dir = g_build_filename (g_get_home_dir (), ".mxnet", "datasets", NULL);

  model = mrt_mxnet_open (argv[1], &error);
  if (model == NULL)
    return mrt_cli_fail (error);
  ds = mrt_dataset_open (dataset, dataset_dir, &shape, &error);
  if (ds == NULL)
    return mrt_cli_fail (error);

  for (gint it = 0; iter_num == 0 || it < iter_num; it++)
    {
      g_autoptr (MrtTensor) data = NULL;
      g_autoptr (MrtTensor) labels = NULL;
      g_autoptr (MrtTensor) scores = NULL;
      if (g_cancellable_set_error_if_cancelled (mrt_cli_cancellable (), &error))
        return mrt_cli_fail (error);
      if (!mrt_dataset_next (ds, (guint) batch, &data, &labels, &error))
        {
          if (error)
            return mrt_cli_fail (error);
          break;
        }
      scores = mrt_model_forward1 (model, data, &error);
      if (scores == NULL || !mrt_accuracy_update (&acc, scores, labels, &error))
        return mrt_cli_fail (error);
      if (!quiet && !json)
        printf ("Iteration: %3d | evalfunc: top1=%.2f%% top5=%.2f%% | Total Sample: %" G_GUINT64_FORMAT "\n", it,
                100 * mrt_accuracy_top1 (&acc), 100 * mrt_accuracy_top5 (&acc), acc.samples);
    }
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, mrt_accuracy_top1 (&acc));
      json_builder_set_member_name (b, "top5");
      json_builder_add_double_value (b, mrt_accuracy_top5 (&acc));
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, (gint64) acc.samples);
      json_builder_end_object (b);
      mrt_cli_print_json (b);
    }
  else
    printf ("top1=%.2f%% top5=%.2f%% samples=%" G_GUINT64_FORMAT " (%.1f s)\n", 100 * mrt_accuracy_top1 (&acc),
            100 * mrt_accuracy_top5 (&acc), acc.samples, (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}
