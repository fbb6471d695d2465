/* mrt-cmd-run.c: `mrt run CONFIG.ini`: the main2 pipeline. */
#include <stdio.h>

#include "mrt-cli.h"

typedef struct {
  gboolean quiet;
  MrtStage last_stage;
  char *last_message;
} RunUi;

static void
on_progress (double fraction, const char *message, gpointer user_data)
{
  RunUi *ui = user_data;
  /* evaluation lines are worth printing as they come, like MRT's log */
  if (!ui->quiet && message && g_str_has_prefix (message, "Iteration:"))
    {
      fprintf (stderr, "%s\n", message);
      return;
    }
  if (!ui->quiet && message && g_strcmp0 (message, ui->last_message) != 0 && fraction == 0)
    fprintf (stderr, "  %s\n", message);
  g_free (ui->last_message);
  ui->last_message = g_strdup (message);
}

static void
print_json (const MrtState *s)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "stages");
  json_builder_begin_array (b);
  for (guint i = 0; i < s->times->len; i++)
    {
      MrtStageTime *t = &g_array_index (s->times, MrtStageTime, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, mrt_stage_name (t->stage));
      json_builder_set_member_name (b, "seconds");
      json_builder_add_double_value (b, t->seconds);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  if (s->oscales)
    {
      json_builder_set_member_name (b, "oscales");
      json_builder_begin_array (b);
      for (guint i = 0; i < s->oscales->len; i++)
        json_builder_add_double_value (b, g_array_index (s->oscales, double, i));
      json_builder_end_array (b);
    }
  if (s->evaluation)
    {
      MrtEvaluation *ev = s->evaluation;
      json_builder_set_member_name (b, "evaluation");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "float");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, ev->float_top1);
      json_builder_set_member_name (b, "top5");
      json_builder_add_double_value (b, ev->float_top5);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "quantized");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "top1");
      json_builder_add_double_value (b, ev->quant_top1);
      json_builder_set_member_name (b, "top5");
      json_builder_add_double_value (b, ev->quant_top5);
      json_builder_end_object (b);
      json_builder_set_member_name (b, "samples");
      json_builder_add_int_value (b, (gint64) ev->samples);
      json_builder_end_object (b);
    }
  if (s->export_dir)
    {
      json_builder_set_member_name (b, "export");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "dir");
      json_builder_add_string_value (b, s->export_dir);
      json_builder_set_member_name (b, "gas");
      json_builder_add_int_value (b, (gint64) s->gas);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  mrt_cli_print_json (b);
}

static void
print_text (const MrtState *s)
{
  for (guint i = 0; i < s->times->len; i++)
    {
      MrtStageTime *t = &g_array_index (s->times, MrtStageTime, i);
      printf ("%-13s %8.2f s\n", mrt_stage_name (t->stage), t->seconds);
    }
  if (s->evaluation)
    printf ("Accuracy on %" G_GUINT64_FORMAT " samples: float top1=%.2f%% top5=%.2f%%, quantized top1=%.2f%% top5=%.2f%%\n",
            s->evaluation->samples, 100 * s->evaluation->float_top1, 100 * s->evaluation->float_top5,
            100 * s->evaluation->quant_top1, 100 * s->evaluation->quant_top5);
  if (s->export_dir)
    printf ("CVM model: %s (gas %" G_GUINT64_FORMAT ")\n", s->export_dir, s->gas);
}

int
mrt_cmd_run (int argc, char **argv)
{
  gboolean json = FALSE, quiet = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object at the end", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "No progress lines", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("CONFIG.ini — run the MRT stages of a main2 configuration");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) config = NULL;
  g_autoptr (MrtState) state = NULL;
  RunUi ui = { 0 };
  MrtProgress progress = { on_progress, &ui, mrt_cli_cancellable () };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2)
    return mrt_cli_failf ("run: give exactly one CONFIG.ini");
  config = mrt_config_load (argv[1], &error);
  if (config == NULL)
    return mrt_cli_fail (error);
  for (guint i = 0; i < config->notes->len; i++)
    fprintf (stderr, "mrt: note: %s\n", (const char *) g_ptr_array_index (config->notes, i));
  ui.quiet = quiet || json;
  state = mrt_pipeline_run (config, &progress, &error);
  g_free (ui.last_message);
  if (state == NULL)
    return mrt_cli_fail (error);
  if (json)
    print_json (state);
  else
    print_text (state);
  return 0;
}
