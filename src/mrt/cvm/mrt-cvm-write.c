/* mrt-cvm-write.c: the symbol writer (cvm_1.0.0 with every key filled in,
 * as the upstream exporter writes it; one node per line). */
#include "mrt-cvm-io.h"

#include <string.h>

static void
put_str (GString *s, const char *v)
{
  g_string_append_c (s, '"');
  for (const char *p = v; *p; p++)
    {
      guchar c = (guchar) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (s, "\\%c", c);
      else if (c == '\n')
        g_string_append (s, "\\n");
      else if (c == '\t')
        g_string_append (s, "\\t");
      else if (c == '\r')
        g_string_append (s, "\\r");
      else if (c < 0x20)
        g_string_append_printf (s, "\\u%04x", c);
      else
        g_string_append_c (s, (char) c);
    }
  g_string_append_c (s, '"');
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The op_attrs object text of node i: operators list their attributes in
 * schema order, variables their visible attributes sorted by key. */
static char *
op_attrs_text (const MrtCvmGraph *g, guint i)
{
  MrtNode *n = mrt_model_node (g->model, i);
  GString *s = g_string_new ("{");
  gboolean first = TRUE;
  g_autoptr (GPtrArray) keys = g_ptr_array_new ();

  if (g->defs[i] && g->defs[i]->attrs)
    {
      for (int k = 0; g->defs[i]->attrs[k].name; k++)
        if (mrt_node_has_attr (n, g->defs[i]->attrs[k].name))
          g_ptr_array_add (keys, (gpointer) g->defs[i]->attrs[k].name);
    }
  else if (g->defs[i] == NULL)
    {
      GHashTableIter it;
      gpointer k;
      g_hash_table_iter_init (&it, n->attrs);
      while (g_hash_table_iter_next (&it, &k, NULL))
        if (!mrt_cvm_attr_is_hidden (k))
          g_ptr_array_add (keys, k);
      g_ptr_array_sort (keys, cmp_str);
    }
  for (guint k = 0; k < keys->len; k++)
    {
      const char *key = g_ptr_array_index (keys, k);
      g_string_append (s, first ? "" : ", ");
      put_str (s, key);
      g_string_append (s, ": ");
      put_str (s, mrt_node_get_attr (n, key));
      first = FALSE;
    }
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
put_shape (GString *s, const MrtShape *sh)
{
  g_string_append_c (s, '[');
  for (int d = 0; d < sh->ndim; d++)
    g_string_append_printf (s, d ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, sh->dim[d]);
  g_string_append_c (s, ']');
}

static void
put_node (GString *s, const MrtCvmGraph *g, guint i)
{
  MrtNode *n = mrt_model_node (g->model, i);
  g_string_append (s, "    {\"op\": ");
  put_str (s, g->defs[i] ? "cvm_op" : "null");
  g_string_append (s, ", \"name\": ");
  put_str (s, n->name);
  if (g->defs[i])
    {
      g_string_append (s, ", \"attrs\": {\"flatten_data\": \"0\", \"func_name\": ");
      put_str (s, n->op);
      g_string_append_printf (s, ", \"num_inputs\": \"%u\", \"num_outputs\": \"%u\"}", n->n_inputs, n->n_outputs);
    }
  g_string_append (s, ", \"inputs\": [");
  for (guint j = 0; j < n->n_inputs; j++)
    g_string_append_printf (s, "%s[%u, %u, 0]", j ? ", " : "", n->inputs[j].node, n->inputs[j].index);
  g_string_append (s, "]}");
}

char *
mrt_cvm_symbol_to_json (const MrtModel *cvm, const int *storage_ids, GError **error)
{
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (cvm, error);
  g_autofree int *planned = NULL;
  const int *ids = storage_ids;
  const char *post = mrt_cvm_postprocess (cvm);
  GString *s;
  gboolean first;

  if (g == NULL)
    return NULL;
  if (ids == NULL)
    ids = planned = mrt_cvm_graph_plan_storage (g);
  if (!mrt_cvm_graph_check_storage (g, ids, NULL, NULL, error))
    return NULL;

  s = g_string_new ("{\n  \"nodes\": [\n");
  for (guint i = 0; i < g->n_nodes; i++)
    {
      put_node (s, g, i);
      g_string_append (s, i + 1 < g->n_nodes ? ", \n" : "\n");
    }
  g_string_append (s, "  ], \n  \"arg_nodes\": [");
  first = TRUE;
  for (guint i = 0; i < g->n_nodes; i++)
    if (g->defs[i] == NULL)
      {
        g_string_append_printf (s, first ? "%u" : ", %u", i);
        first = FALSE;
      }
  g_string_append (s, "], \n  \"node_row_ptr\": [0");
  for (guint i = 0; i < g->n_nodes; i++)
    g_string_append_printf (s, ", %u", g->entry_offset[i] + mrt_model_node (cvm, i)->n_outputs);
  g_string_append (s, "], \n  \"heads\": [");
  for (guint h = 0; h < cvm->heads->len; h++)
    {
      MrtEntry e = mrt_model_head (cvm, h);
      g_string_append_printf (s, "%s[%u, %u, 0]", h ? ", " : "", e.node, e.index);
    }
  g_string_append (s, "], \n  \"attrs\": {\n    \"dltype\": [\"list_str\", [");
  for (guint e = 0; e < g->n_entries; e++)
    g_string_append (s, e ? ", \"int32\"" : "\"int32\"");
  g_string_append (s, "]], \n    \"op_attrs\": [\"list_str\", [");
  for (guint i = 0; i < g->n_nodes; i++)
    {
      g_autofree char *t = op_attrs_text (g, i);
      g_string_append (s, i ? ", " : "");
      put_str (s, t);
    }
  g_string_append (s, "]], \n    \"precision\": [\"list_int\", [");
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      /* variables: their precision; ops: -1 unless they have a precision attribute */
      const char *p = g->defs[i] == NULL ? NULL : mrt_node_get_attr (n, "precision");
      for (guint k = 0; k < n->n_outputs; k++)
        {
          int v = g->defs[i] == NULL ? g->precision[g->entry_offset[i]] : -1;
          gint64 pv;
          if (p && mrt_cvm_parse_int (p, &pv))
            v = (int) pv;
          g_string_append_printf (s, g->entry_offset[i] + k ? ", %d" : "%d", v);
        }
    }
  g_string_append (s, "]], \n    \"shape\": [\"list_shape\", [");
  for (guint e = 0; e < g->n_entries; e++)
    {
      g_string_append (s, e ? ", " : "");
      put_shape (s, &g->shapes[e]);
    }
  g_string_append (s, "]], \n    \"storage_id\": [\"list_int\", [");
  for (guint e = 0; e < g->n_entries; e++)
    g_string_append_printf (s, e ? ", %d" : "%d", ids[e]);
  g_string_append (s, "]]\n  }, \n");
  if (post[0])
    {
      g_string_append (s, "  \"postprocess\": ");
      put_str (s, post);
      g_string_append (s, ", \n");
    }
  g_string_append (s, "  \"version\": \"cvm_1.0.0\"\n}\n");
  return g_string_free (s, FALSE);
}
