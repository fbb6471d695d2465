/* mrt-cmd-check.c: `mrt check CVM_DIR`: every CVM loader rule, the gas cost
 * and the constructs the upstream CPU runtime gets wrong. */
#include <stdio.h>

#include "mrt-cli.h"
#include "cvm/mrt-cvm-io.h"

int
mrt_cmd_check (int argc, char **argv)
{
  gboolean json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("CVM_DIR — check an exported CVM model");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = NULL;
  MrtCvmReport r = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2)
    return mrt_cli_failf ("check: give exactly one CVM_DIR (a folder with symbol and params)");
  if (!(model = mrt_cvm_load (argv[1], &error)) || !mrt_cvm_check (model, &r, &error))
    return mrt_cli_fail (error);
  if (json)
    {
      g_autoptr (JsonBuilder) b = json_builder_new ();
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "ok");
      json_builder_add_boolean_value (b, TRUE);
      json_builder_set_member_name (b, "gas");
      json_builder_add_int_value (b, (gint64) r.gas);
      json_builder_set_member_name (b, "ops");
      json_builder_add_int_value (b, (gint64) r.ops);
      json_builder_set_member_name (b, "mem");
      json_builder_add_int_value (b, (gint64) r.mem);
      json_builder_set_member_name (b, "storage_bytes");
      json_builder_add_int_value (b, (gint64) r.storage_bytes);
      json_builder_set_member_name (b, "input_precision");
      json_builder_add_int_value (b, r.input_precision);
      json_builder_set_member_name (b, "output_precision");
      json_builder_add_int_value (b, r.output_precision);
      json_builder_set_member_name (b, "warnings");
      json_builder_begin_array (b);
      for (guint i = 0; r.warnings && i < r.warnings->len; i++)
        json_builder_add_string_value (b, ((MrtCvmLint *) g_ptr_array_index (r.warnings, i))->message);
      json_builder_end_array (b);
      json_builder_end_object (b);
      mrt_cli_print_json (b);
    }
  else
    {
      printf ("%s: OK — passes every CVM loader check\n", argv[1]);
      printf ("Gas:        %" G_GUINT64_FORMAT " (ops %" G_GUINT64_FORMAT " + memory %" G_GUINT64_FORMAT ")\n", r.gas,
              r.ops, r.mem);
      printf ("Storage:    %" G_GUINT64_FORMAT " bytes in %u buffers\n", r.storage_bytes, r.n_storage_ids);
      printf ("Input:      %d bits (%u byte%s per value)\n", r.input_precision, r.input_type_size,
              r.input_type_size == 1 ? "" : "s");
      printf ("Output:     %d bits (%u byte%s per value)\n", r.output_precision, r.output_type_size,
              r.output_type_size == 1 ? "" : "s");
      for (guint i = 0; r.warnings && i < r.warnings->len; i++)
        printf ("warning: %s\n", ((MrtCvmLint *) g_ptr_array_index (r.warnings, i))->message);
    }
  mrt_cvm_report_clear (&r);
  return 0;
}
