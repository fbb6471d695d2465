/* mrt-cmd-info.c: `mrt info MODEL`: the facts a user checks first about a model. */
#include <stdio.h>

#include "mrt-cli.h"

typedef struct {
  const char *op;
  guint count;
} OpCount;

static gint
compare_op_count (gconstpointer a, gconstpointer b)
{
  const OpCount *x = a, *y = b;
  if (x->count != y->count)
    return x->count < y->count ? 1 : -1;
  return strcmp (x->op, y->op);
}

/* Operators by descending count (variables excluded). */
static GArray *
op_histogram (const MrtModel *model)
{
  g_autoptr (GHashTable) counts = g_hash_table_new (g_str_hash, g_str_equal);
  GArray *a = g_array_new (FALSE, FALSE, sizeof (OpCount));
  GHashTableIter it;
  gpointer k, v;

  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      if (!mrt_node_is_variable (n))
        g_hash_table_insert (counts, (gpointer) n->op,
                             GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (counts, n->op)) + 1));
    }
  g_hash_table_iter_init (&it, counts);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      OpCount c = { k, GPOINTER_TO_UINT (v) };
      g_array_append_val (a, c);
    }
  g_array_sort (a, compare_op_count);
  return a;
}

static void
print_json (const MrtModel *model, GArray *ops, GArray *inputs, const MrtShape *shapes)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  guint64 count, bytes;

  mrt_model_param_stats (model, &count, &bytes);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "nodes");
  json_builder_add_int_value (b, mrt_model_n_nodes (model));
  json_builder_set_member_name (b, "ops");
  json_builder_begin_object (b);
  for (guint i = 0; i < ops->len; i++)
    {
      OpCount *c = &g_array_index (ops, OpCount, i);
      json_builder_set_member_name (b, c->op);
      json_builder_add_int_value (b, c->count);
    }
  json_builder_end_object (b);
  json_builder_set_member_name (b, "inputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < inputs->len; i++)
    {
      guint node = g_array_index (inputs, guint, i);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, mrt_model_node (model, node)->name);
      json_builder_set_member_name (b, "shape");
      if (shapes)
        mrt_cli_json_shape (b, &shapes[mrt_model_entry_id (model, (MrtEntry){ node, 0 })]);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "outputs");
  json_builder_begin_array (b);
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    {
      MrtEntry e = mrt_model_head (model, i);
      g_autofree char *name = mrt_model_entry_name (model, e);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "name");
      json_builder_add_string_value (b, name);
      json_builder_set_member_name (b, "shape");
      if (shapes)
        mrt_cli_json_shape (b, &shapes[mrt_model_entry_id (model, e)]);
      else
        json_builder_add_null_value (b);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_set_member_name (b, "params");
  json_builder_add_int_value (b, (gint64) count);
  json_builder_set_member_name (b, "param_bytes");
  json_builder_add_int_value (b, (gint64) bytes);
  json_builder_end_object (b);
  mrt_cli_print_json (b);
}

static void
print_text (const char *path, const MrtModel *model, GArray *ops, GArray *inputs, const MrtShape *shapes)
{
  guint64 count, bytes;
  guint n_ops = 0;

  for (guint i = 0; i < ops->len; i++)
    n_ops += g_array_index (ops, OpCount, i).count;
  mrt_model_param_stats (model, &count, &bytes);
  printf ("Model:      %s\n", path);
  printf ("Nodes:      %u (%u operators, %u variables)\n", mrt_model_n_nodes (model), n_ops,
          mrt_model_n_nodes (model) - n_ops);
  printf ("Parameters: %" G_GUINT64_FORMAT " (%.1f KiB as float32)\n", count, bytes / 1024.0);
  printf ("Inputs:\n");
  for (guint i = 0; i < inputs->len; i++)
    {
      guint node = g_array_index (inputs, guint, i);
      g_autofree char *s = shapes ? mrt_shape_to_string (&shapes[mrt_model_entry_id (model, (MrtEntry){ node, 0 })])
                                  : g_strdup ("(shape unknown: pass --input-shape)");
      printf ("  %-24s %s\n", mrt_model_node (model, node)->name, s);
    }
  printf ("Outputs:\n");
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    {
      MrtEntry e = mrt_model_head (model, i);
      g_autofree char *name = mrt_model_entry_name (model, e);
      g_autofree char *s = shapes ? mrt_shape_to_string (&shapes[mrt_model_entry_id (model, e)]) : g_strdup ("?");
      printf ("  %-24s %s\n", name, s);
    }
  printf ("Operators:\n");
  for (guint i = 0; i < ops->len; i++)
    printf ("  %-24s %u\n", g_array_index (ops, OpCount, i).op, g_array_index (ops, OpCount, i).count);
}

int
mrt_cmd_info (int argc, char **argv)
{
  g_autofree char *shape_text = NULL;
  gboolean json = FALSE, given = FALSE;
  GOptionEntry entries[] = {
    { "input-shape", 's', 0, G_OPTION_ARG_STRING, &shape_text, "Shape of the input, e.g. \"(1, 1, 28, 28)\"", "SHAPE" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, "Print one JSON object", NULL },
    { NULL },
  };
  g_autoptr (GOptionContext) ctx = g_option_context_new ("MODEL — describe a model");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = NULL;
  g_autoptr (GArray) ops = NULL;
  g_autoptr (GArray) inputs = NULL;
  g_autofree MrtShape *shapes = NULL;
  MrtShape shape = { 0 };

  g_option_context_add_main_entries (ctx, entries, NULL);
  g_option_context_set_description (ctx, "MODEL is a symbol JSON file or a prefix: P-symbol.json with the "
                                         "highest-epoch P-NNNN.params, or P.json with P.params.");
  if (!g_option_context_parse (ctx, &argc, &argv, &error))
    return mrt_cli_fail (error);
  if (argc != 2)
    return mrt_cli_failf ("info: give exactly one MODEL (see mrt info --help)");
  if (!mrt_cli_parse_shape (shape_text, &shape, &given, &error))
    return mrt_cli_fail (error);
  model = mrt_mxnet_open (argv[1], &error);
  if (model == NULL)
    return mrt_cli_fail (error);

  ops = op_histogram (model);
  inputs = mrt_model_inputs (model);
  shapes = mrt_model_infer_shapes_single (model, given ? &shape : NULL, &error);
  /* Without a given shape an unknown input shape is expected; with one, a failure is the answer. */
  if (shapes == NULL && given)
    return mrt_cli_fail (error);

  if (json)
    print_json (model, ops, inputs, shapes);
  else
    print_text (argv[1], model, ops, inputs, shapes);
  return 0;
}
