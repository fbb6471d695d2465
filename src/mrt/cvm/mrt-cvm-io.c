/* mrt-cvm-io.c: loading (symbol + params + the full check) and saving. */
#include "mrt-cvm-json.h"

#include <glib/gstdio.h>
#include <string.h>

#define MAX_SYMBOL_BYTES (G_GINT64_CONSTANT (1) << 30)
#define MAX_PARAMS_BYTES (G_GINT64_CONSTANT (1) << 33)

const char *
mrt_cvm_postprocess (const MrtModel *cvm)
{
  for (guint i = 0; i < mrt_model_n_nodes (cvm); i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      if (mrt_node_is_variable (n) && strcmp (n->name, "data") == 0)
        {
          const char *p = mrt_node_get_attr (n, "__postprocess__");
          return p ? p : "";
        }
    }
  return "";
}

static gboolean
attach_params (MrtModel *m, GHashTable *params, GError **error)
{
  g_autoptr (GHashTable) vars = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer k, v;

  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    if (strcmp (mrt_model_node (m, i)->op, "null") == 0)
      g_hash_table_add (vars, mrt_model_node (m, i)->name);
  g_hash_table_iter_init (&it, params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      if (!g_hash_table_contains (vars, k))
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM, "params: parameter “%s” is not a variable of the graph",
                       (const char *) k);
          return FALSE;
        }
      if (strcmp (k, "data") != 0) /* accepted, then replaced by the input */
        mrt_model_set_param_raw (m, k, v);
    }
  return TRUE;
}

static gboolean
compare_declared (const MrtCvmGraph *g, const MrtShape *declared, GError **error)
{
  for (guint i = 0; i < g->n_nodes; i++)
    for (guint k = 0; k < mrt_model_node (g->model, i)->n_outputs; k++)
      {
        guint e = g->entry_offset[i] + k;
        if (!mrt_shape_equal (&declared[e], &g->shapes[e]))
          {
            g_autofree char *ds = mrt_shape_to_string (&declared[e]);
            g_autofree char *is = mrt_shape_to_string (&g->shapes[e]);
            MrtNode *n = mrt_model_node (g->model, i);
            g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_SHAPE,
                         "node %u “%s” (%s): declared shape %s of output %u differs from the inferred %s", i, n->name,
                         n->op, ds, k, is);
            return FALSE;
          }
      }
  return TRUE;
}

static MrtModel *
parse_common (const char *json, gsize json_len, const guint8 *params, gsize params_len, gboolean with_params,
              GError **error)
{
  g_autofree MrtShape *declared = NULL;
  g_autoptr (MrtModel) m = mrt_cvm_symbol_read (json, json_len, &declared, error);
  g_autoptr (MrtCvmGraph) g = NULL;

  if (m == NULL)
    return NULL;
  if (with_params)
    {
      g_autoptr (GHashTable) table = mrt_cvm_params_parse (params, params_len, error);
      if (table == NULL || !attach_params (m, table, error))
        return NULL;
    }
  if (!(g = mrt_cvm_graph_new (m, error)) || !compare_declared (g, declared, error))
    return NULL;
  if (with_params)
    {
      if (!mrt_cvm_graph_check (g, NULL, NULL, error))
        return NULL;
    }
  else
    {
      g_autofree int *ids = NULL;
      guint64 ops, mem;
      if (!mrt_cvm_get_storage_ids (m, &ids, error) || !mrt_cvm_graph_check_storage (g, ids, NULL, NULL, error) ||
          !mrt_cvm_graph_gas (g, &ops, &mem, error))
        return NULL;
    }
  return g_steal_pointer (&m);
}

MrtModel *
mrt_cvm_parse (const char *json, gsize json_len, const guint8 *params, gsize params_len, const char *fname,
               GError **error)
{
  MrtModel *m = parse_common (json, json_len, params, params_len, TRUE, error);
  if (m == NULL && fname)
    g_prefix_error (error, "%s: ", fname);
  return m;
}

MrtModel *
mrt_cvm_parse_symbol (const char *json, gsize json_len, const char *fname, GError **error)
{
  MrtModel *m = parse_common (json, json_len, NULL, 0, FALSE, error);
  if (m == NULL && fname)
    g_prefix_error (error, "%s: ", fname);
  return m;
}

static gboolean
read_file (const char *path, gint64 limit, char **data, gsize *len, GError **error)
{
  GStatBuf st;
  if (g_stat (path, &st) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: cannot read the file", path);
      return FALSE;
    }
  if (!S_ISREG (st.st_mode) || (gint64) st.st_size > limit)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT, "%s: not a regular file or larger than %" G_GINT64_FORMAT
                   " bytes", path, limit);
      return FALSE;
    }
  return g_file_get_contents (path, data, len, error);
}

MrtModel *
mrt_cvm_load (const char *path, GError **error)
{
  g_autofree char *sym = NULL, *par = NULL, *json = NULL, *params = NULL;
  gsize json_len, params_len;

  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      sym = g_build_filename (path, "symbol", NULL);
      par = g_build_filename (path, "params", NULL);
    }
  else
    {
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *dir = g_path_get_dirname (path);
      const char *dot = strrchr (base, '.');
      sym = g_strdup (path);
      if (strcmp (base, "symbol") == 0 || dot == NULL)
        par = g_build_filename (dir, "params", NULL);
      else
        {
          g_autofree char *stem = g_strndup (base, dot - base);
          g_autofree char *name = g_strconcat (stem, ".params", NULL);
          par = g_build_filename (dir, name, NULL);
        }
    }
  if (!read_file (sym, MAX_SYMBOL_BYTES, &json, &json_len, error) ||
      !read_file (par, MAX_PARAMS_BYTES, &params, &params_len, error))
    return NULL;
  return mrt_cvm_parse (json, json_len, (const guint8 *) params, params_len, path, error);
}

gboolean
mrt_cvm_save (const MrtModel *cvm, const char *dir, GError **error)
{
  g_autofree int *ids = NULL;
  g_autofree char *json = NULL, *sym = NULL, *par = NULL;
  g_autoptr (GBytes) bytes = NULL;

  if (!mrt_cvm_get_storage_ids (cvm, &ids, error) || !(json = mrt_cvm_symbol_to_json (cvm, ids, error)) ||
      !(bytes = mrt_cvm_params_to_bytes (cvm, error)))
    return FALSE;
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "%s: cannot create the directory", dir);
      return FALSE;
    }
  sym = g_build_filename (dir, "symbol", NULL);
  par = g_build_filename (dir, "params", NULL);
  return g_file_set_contents (sym, json, -1, error) &&
         g_file_set_contents (par, g_bytes_get_data (bytes, NULL), (gssize) g_bytes_get_size (bytes), error);
}
