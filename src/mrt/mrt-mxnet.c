/* mrt-mxnet.c: MXNet models on disk: symbol JSON (every generation) and
 * NDArray-list .params files (legacy, V1, V2, V3 records).
 *
 * The layouts follow MXNet's own code, not its docs: nnvm's
 * saveload_json.cc (reader and writer), legacy_json_util.cc (upgrades of old
 * symbols), dmlc json.h (the writer's exact whitespace) and ndarray.cc
 * (NDArray::Save / Load / LegacyLoad).
 *
 * Error domains: problems in the files themselves are MRT_MXNET_ERROR; a
 * cycle is MRT_MODEL_ERROR_CYCLE; what mrt_model_validate finds keeps its
 * MRT_MODEL_ERROR code. Every message starts with the file name.
 *
 * This file finds and loads models; the readers are mrt-mxnet-symbol.c and
 * mrt-mxnet-params.c, the writers mrt-mxnet-write.c. */
#include "mrt-mxnet-private.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (mrt-mxnet-error-quark, mrt_mxnet_error)

void
mrt_mxnet_set_error (GError **error, GQuark domain, int code, const char *fname, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, domain, code, "%s: %s", fname, msg);
}

/* Ops whose inputs from first_aux on are auxiliary states (MXNet saves them
 * as "aux:") and which MXNet < 0.9 left out of the JSON. */
const MrtMxnetAuxOp mrt_mxnet_aux_ops[] = {
  { "BatchNorm", 3, { "moving_mean", "moving_var" } },
  { "BatchNorm_v1", 3, { "moving_mean", "moving_var" } },
  { "CuDNNBatchNorm", 3, { "moving_mean", "moving_var" } },
  { "SyncBatchNorm", 3, { "moving_mean", "moving_var" } },
  { "_contrib_SyncBatchNorm", 3, { "moving_mean", "moving_var" } },
};

gint
mrt_mxnet_aux_op_index (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (mrt_mxnet_aux_ops); i++)
    if (strcmp (mrt_mxnet_aux_ops[i].op, op) == 0)
      return (gint) i;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Loading                                                                    */

static GBytes *
read_file (const char *path, GError **error)
{
  g_autoptr (GError) local = NULL;
  GMappedFile *map = g_mapped_file_new (path, FALSE, &local);
  GBytes *bytes;

  if (map == NULL)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND, "%s: no such file", path);
      else
        g_set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND, "%s: cannot be read: %s", path,
                     local->message);
      return NULL;
    }
  bytes = g_mapped_file_get_bytes (map);
  g_mapped_file_unref (map);
  return bytes;
}

static guint
bind_params (MrtModel *model, GHashTable *params)
{
  guint bound = 0;
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      MrtTensor *t = mrt_node_is_variable (n) ? g_hash_table_lookup (params, n->name) : NULL;
      if (t)
        {
          mrt_model_set_param (model, n->name, t);
          bound++;
        }
    }
  return bound;
}

static gboolean
attach_params (MrtModel *model, const char *symbol_path, const char *params_path, GError **error)
{
  g_autoptr (GBytes) bytes = read_file (params_path, error);
  g_autoptr (GHashTable) params = NULL;
  gsize len;
  const guint8 *data;

  if (bytes == NULL)
    return FALSE;
  data = g_bytes_get_data (bytes, &len);
  params = mrt_mxnet_parse_params (data ? data : (const guint8 *) "", len, params_path, error);
  if (params == NULL)
    return FALSE;
  /* A file whose names match nothing is almost always the wrong file. */
  if (bind_params (model, params) == 0 && g_hash_table_size (params) > 0)
    {
      mrt_mxnet_set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_MISMATCH, params_path,
                 "none of its %u parameters is a variable of %s", g_hash_table_size (params), symbol_path);
      return FALSE;
    }
  return TRUE;
}

MrtModel *
mrt_mxnet_load (const char *symbol_path, const char *params_path, GError **error)
{
  g_autoptr (GBytes) json = read_file (symbol_path, error);
  g_autoptr (MrtModel) model = NULL;
  GError *local = NULL;
  gsize len;
  const char *text;

  if (json == NULL)
    return NULL;
  text = g_bytes_get_data (json, &len);
  model = mrt_mxnet_parse_symbol (text ? text : "", (gssize) len, symbol_path, error);
  if (model == NULL || (params_path && !attach_params (model, symbol_path, params_path, error)))
    return NULL;
  if (!mrt_model_validate (model, &local))
    {
      gboolean in_params = local->code == MRT_MODEL_ERROR_PARAM && params_path;
      g_prefix_error (&local, "%s: ", in_params ? params_path : symbol_path);
      g_propagate_error (error, local);
      return NULL;
    }
  return g_steal_pointer (&model);
}

/* ------------------------------------------------------------------------ */
/* Finding the files of a model                                               */

/* prefix-NNNN.params with the highest NNNN, or NULL. */
static char *
find_epoch_params (const char *prefix)
{
  g_autofree char *dir = g_path_get_dirname (prefix);
  g_autofree char *base = g_path_get_basename (prefix);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autofree char *best = NULL;
  guint64 best_epoch = 0;
  gsize blen = strlen (base);
  const char *entry;

  while (d && (entry = g_dir_read_name (d)))
    {
      const char *p;
      gsize digits;
      guint64 epoch;
      if (strncmp (entry, base, blen) != 0 || entry[blen] != '-')
        continue;
      p = entry + blen + 1;
      digits = strspn (p, "0123456789");
      if (digits == 0 || digits > 18 || strcmp (p + digits, ".params") != 0)
        continue;
      epoch = g_ascii_strtoull (p, NULL, 10);
      if (best == NULL || epoch > best_epoch)
        {
          g_free (best);
          best = g_strdup (entry);
          best_epoch = epoch;
        }
    }
  return best ? g_build_filename (dir, best, NULL) : NULL;
}

/* The params beside an explicit symbol file, or NULL. */
static char *
params_beside (const char *symbol_path)
{
  g_autofree char *base = NULL;
  char *params;

  if (g_str_has_suffix (symbol_path, "-symbol.json"))
    {
      base = g_strndup (symbol_path, strlen (symbol_path) - strlen ("-symbol.json"));
      return find_epoch_params (base);
    }
  if (!g_str_has_suffix (symbol_path, ".json"))
    return NULL;
  base = g_strndup (symbol_path, strlen (symbol_path) - strlen (".json"));
  params = g_strconcat (base, ".params", NULL);
  if (g_file_test (params, G_FILE_TEST_IS_REGULAR))
    return params;
  g_free (params);
  return NULL;
}

static gboolean
not_found (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static gboolean
not_found (GError **error, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND, msg);
  return FALSE;
}

/* A prefix names a whole model, so its params must exist too. */
static gboolean
resolve_prefix (const char *prefix, char **symbol_path, char **params_path, GError **error)
{
  g_autofree char *mx_symbol = g_strconcat (prefix, "-symbol.json", NULL);
  g_autofree char *mrt_symbol = g_strconcat (prefix, ".json", NULL);
  g_autofree char *mrt_params = g_strconcat (prefix, ".params", NULL);

  if (g_file_test (mx_symbol, G_FILE_TEST_IS_REGULAR))
    {
      *params_path = find_epoch_params (prefix);
      if (*params_path == NULL)
        return not_found (error, "%s: found, but no %s-NNNN.params beside it", mx_symbol, prefix);
      *symbol_path = g_steal_pointer (&mx_symbol);
      return TRUE;
    }
  if (g_file_test (mrt_symbol, G_FILE_TEST_IS_REGULAR))
    {
      if (!g_file_test (mrt_params, G_FILE_TEST_IS_REGULAR))
        return not_found (error, "%s: no such file (the parameters of %s)", mrt_params, mrt_symbol);
      *symbol_path = g_steal_pointer (&mrt_symbol);
      *params_path = g_steal_pointer (&mrt_params);
      return TRUE;
    }
  return not_found (error, "no model at “%s”: tried %s and %s", prefix, mx_symbol, mrt_symbol);
}

gboolean
mrt_mxnet_resolve (const char *model, char **symbol_path, char **params_path, GError **error)
{
  g_return_val_if_fail (model && symbol_path && params_path, FALSE);
  *symbol_path = *params_path = NULL;
  /* An explicit symbol file may stand alone: a graph can be shown without weights. */
  if (g_file_test (model, G_FILE_TEST_IS_REGULAR))
    {
      *symbol_path = g_strdup (model);
      *params_path = params_beside (model);
      return TRUE;
    }
  if (g_str_has_suffix (model, ".json"))
    return not_found (error, "%s: no such file", model);
  return resolve_prefix (model, symbol_path, params_path, error);
}

MrtModel *
mrt_mxnet_open (const char *model, GError **error)
{
  g_autofree char *symbol_path = NULL;
  g_autofree char *params_path = NULL;

  if (!mrt_mxnet_resolve (model, &symbol_path, &params_path, error))
    return NULL;
  return mrt_mxnet_load (symbol_path, params_path, error);
}
