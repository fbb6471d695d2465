/* mrt-mxnet-write.c: writing symbol JSON exactly as MXNet 1.x does and
 * .params as V2 records; mrt_mxnet_save writes both atomically. */
#include "mrt-mxnet-private.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Writing symbol JSON exactly as MXNet 1.x does (dmlc::JSONWriter)           */

/* dmlc's writer breaks a scope over lines or not, decided when it opens;
 * items are separated by ", " and, in a multi-line scope, a newline indented
 * two spaces per open scope. */
typedef struct {
  GString *out;
  GArray *multi; /* gboolean per open scope */
  GArray *count; /* guint per open scope */
} JsonOut;

static void
jo_newline (JsonOut *jo)
{
  if (jo->multi->len == 0 || g_array_index (jo->multi, gboolean, jo->multi->len - 1))
    {
      g_string_append_c (jo->out, '\n');
      for (guint i = 0; i < jo->multi->len * 2; i++)
        g_string_append_c (jo->out, ' ');
    }
}

static void
jo_open (JsonOut *jo, char c, gboolean multi)
{
  guint zero = 0;
  g_string_append_c (jo->out, c);
  g_array_append_val (jo->multi, multi);
  g_array_append_val (jo->count, zero);
}

static void
jo_close (JsonOut *jo, char c)
{
  gboolean multi = g_array_index (jo->multi, gboolean, jo->multi->len - 1);
  guint count = g_array_index (jo->count, guint, jo->count->len - 1);
  g_array_set_size (jo->multi, jo->multi->len - 1);
  g_array_set_size (jo->count, jo->count->len - 1);
  if (multi && count)
    jo_newline (jo);
  g_string_append_c (jo->out, c);
}

/* Separator before the next array item or object member. */
static void
jo_next (JsonOut *jo)
{
  guint *count = &g_array_index (jo->count, guint, jo->count->len - 1);
  if ((*count)++)
    g_string_append (jo->out, ", ");
  jo_newline (jo);
}

/* dmlc escapes only these five; other control characters are escaped here
 * as \u00XX so the file stays valid JSON (MXNet would write them raw). */
static void
jo_string (JsonOut *jo, const char *s)
{
  g_string_append_c (jo->out, '"');
  for (const char *p = s; *p; p++)
    switch (*p)
      {
      case '\r': g_string_append (jo->out, "\\r"); break;
      case '\n': g_string_append (jo->out, "\\n"); break;
      case '\t': g_string_append (jo->out, "\\t"); break;
      case '\\': g_string_append (jo->out, "\\\\"); break;
      case '"': g_string_append (jo->out, "\\\""); break;
      default:
        if ((guchar) *p < 0x20)
          g_string_append_printf (jo->out, "\\u%04x", (guint) (guchar) *p);
        else
          g_string_append_c (jo->out, *p);
      }
  g_string_append_c (jo->out, '"');
}

static void
jo_key (JsonOut *jo, const char *key)
{
  jo_next (jo);
  jo_string (jo, key);
  g_string_append (jo->out, ": ");
}

static void
jo_uint (JsonOut *jo, guint v)
{
  jo_next (jo);
  g_string_append_printf (jo->out, "%u", v);
}

/* dmlc writes a vector on several lines when it has more than 10 items. */
static void
jo_uints (JsonOut *jo, const guint *v, guint n)
{
  jo_open (jo, '[', n > 10);
  for (guint i = 0; i < n; i++)
    jo_uint (jo, v[i]);
  jo_close (jo, ']');
}

/* versions may be NULL (all 0) */
static void
jo_entries (JsonOut *jo, const MrtEntry *e, const guint *versions, guint n)
{
  jo_open (jo, '[', n > 10);
  for (guint i = 0; i < n; i++)
    {
      jo_next (jo);
      jo_open (jo, '[', FALSE);
      jo_uint (jo, e[i].node);
      jo_uint (jo, e[i].index);
      jo_uint (jo, versions ? versions[i] : 0);
      jo_close (jo, ']');
    }
  jo_close (jo, ']');
}

/* nnvm versions every write to a variable (UpdateNodeVersion): an input an
 * op mutates (an auxiliary state) gets the variable's next version, any
 * other read of a variable its current one. So MXNet writes BatchNorm's
 * moving_mean input as [n, 0, 1]. */
static guint *
input_versions (const MrtModel *model, const MrtNode *node, guint *var_version)
{
  guint *v = g_new0 (guint, node->n_inputs + 1);
  gint a = mrt_mxnet_aux_op_index (node->op);

  for (guint j = 0; j < node->n_inputs; j++)
    {
      guint src = node->inputs[j].node;
      if (!mrt_node_is_variable (mrt_model_node (model, src)))
        continue;
      v[j] = a >= 0 && j >= mrt_mxnet_aux_ops[a].first_aux ? ++var_version[src] : var_version[src];
    }
  return v;
}

static gint
compare_keys (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* nnvm copies the attributes into a std::map first: sorted by key. */
static void
jo_attrs (JsonOut *jo, GHashTable *attrs)
{
  guint n;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (attrs, &n);

  qsort (keys, n, sizeof (gpointer), compare_keys);
  jo_open (jo, '{', n > 1);
  for (guint i = 0; i < n; i++)
    {
      jo_key (jo, keys[i]);
      jo_string (jo, g_hash_table_lookup (attrs, keys[i]));
    }
  jo_close (jo, '}');
}

static void
jo_node (JsonOut *jo, const MrtNode *node, const guint *versions)
{
  jo_next (jo);
  jo_open (jo, '{', TRUE);
  jo_key (jo, "op");
  jo_string (jo, node->op);
  jo_key (jo, "name");
  jo_string (jo, node->name);
  if (g_hash_table_size (node->attrs) > 0)
    {
      jo_key (jo, "attrs");
      jo_attrs (jo, node->attrs);
    }
  jo_key (jo, "inputs");
  jo_entries (jo, node->inputs, versions, node->n_inputs);
  jo_close (jo, '}');
}

/* nnvm's node_row_ptr counts every output an op has, hidden ones included
 * (BatchNorm's saved mean and variance, Dropout's mask, LRN's norm), while
 * the registry may list only the visible ones. MXNet's reader ignores the
 * table; it is written for byte-exact files. */
static guint
mxnet_num_outputs (const MrtNode *node)
{
  static const struct {
    const char *op;
    guint n;
  } hidden[] = {
    { "BatchNorm", 3 },     { "BatchNorm_v1", 3 }, { "CuDNNBatchNorm", 3 }, { "SyncBatchNorm", 3 },
    { "_contrib_SyncBatchNorm", 3 }, { "Dropout", 2 }, { "LRN", 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    if (strcmp (hidden[i].op, node->op) == 0)
      return MAX (hidden[i].n, node->n_outputs);
  return node->n_outputs;
}

static void
jo_graph_tables (JsonOut *jo, const MrtModel *model)
{
  guint n = mrt_model_n_nodes (model);
  g_autoptr (GArray) args = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree guint *row_ptr = g_new0 (guint, n + 1);
  g_autofree MrtEntry *heads = g_new0 (MrtEntry, mrt_model_n_heads (model) + 1);

  for (guint i = 0; i < n; i++)
    {
      const MrtNode *node = mrt_model_node (model, i);
      if (strcmp (node->op, "null") == 0)
        g_array_append_val (args, i);
      row_ptr[i + 1] = row_ptr[i] + mxnet_num_outputs (node);
    }
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    heads[i] = mrt_model_head (model, i);
  jo_key (jo, "arg_nodes");
  jo_uints (jo, (const guint *) (gpointer) args->data, args->len);
  jo_key (jo, "node_row_ptr");
  jo_uints (jo, row_ptr, n + 1);
  jo_key (jo, "heads");
  jo_entries (jo, heads, NULL, mrt_model_n_heads (model));
}

char *
mrt_mxnet_symbol_to_json (const MrtModel *model)
{
  JsonOut jo = { g_string_new (NULL), g_array_new (FALSE, FALSE, sizeof (gboolean)),
                 g_array_new (FALSE, FALSE, sizeof (guint)) };
  g_autofree guint *var_version = g_new0 (guint, mrt_model_n_nodes (model) + 1);

  jo_open (&jo, '{', TRUE);
  jo_key (&jo, "nodes");
  jo_open (&jo, '[', TRUE);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      g_autofree guint *versions = input_versions (model, mrt_model_node (model, i), var_version);
      jo_node (&jo, mrt_model_node (model, i), versions);
    }
  jo_close (&jo, ']');
  jo_graph_tables (&jo, model);
  jo_key (&jo, "attrs");
  jo_open (&jo, '{', FALSE);
  jo_key (&jo, "mxnet_version");
  jo_open (&jo, '[', FALSE);
  jo_next (&jo);
  jo_string (&jo, "int");
  jo_uint (&jo, MXNET_VERSION_WRITTEN);
  jo_close (&jo, ']');
  jo_close (&jo, '}');
  jo_close (&jo, '}');
  g_array_unref (jo.multi);
  g_array_unref (jo.count);
  return g_string_free (jo.out, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Writing .params (V2 records, as MXNet 1.x nd.save outside numpy mode)      */

static void
put_u32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
put_u64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

static void
put_string (GByteArray *b, const char *prefix, const char *s)
{
  put_u64 (b, strlen (prefix) + strlen (s));
  g_byte_array_append (b, (const guint8 *) prefix, strlen (prefix));
  g_byte_array_append (b, (const guint8 *) s, strlen (s));
}

/* V2 has no 0-d arrays (ndim 0 means "none"), so a scalar is written as
 * shape (1,), which is what MXNet 1.x itself would hold. */
static void
put_record (GByteArray *b, const MrtTensor *t)
{
  gboolean scalar = t->shape.ndim == 0;
  gsize start;

  put_u32 (b, NDARRAY_V2_MAGIC);
  put_u32 (b, 0); /* dense storage */
  put_u32 (b, scalar ? 1 : (guint32) t->shape.ndim);
  if (scalar)
    put_u64 (b, 1);
  for (int d = 0; d < t->shape.ndim; d++)
    put_u64 (b, (guint64) t->shape.dim[d]);
  put_u32 (b, 1); /* context: cpu */
  put_u32 (b, 0); /* device id */
  put_u32 (b, MRT_DTYPE_F32);
  start = b->len;
  g_byte_array_set_size (b, b->len + t->n * sizeof (float));
  mrt_mxnet_copy_le (b->data + start, (const guint8 *) t->data, t->n, sizeof (float)); /* the swap is symmetric */
}

/* Variables feeding an op's auxiliary-state inputs are saved as "aux:". */
static gboolean *
find_aux_variables (const MrtModel *model)
{
  gboolean *aux = g_new0 (gboolean, mrt_model_n_nodes (model) + 1);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      gint a = mrt_mxnet_aux_op_index (n->op);
      for (guint j = a >= 0 ? mrt_mxnet_aux_ops[a].first_aux : n->n_inputs; j < n->n_inputs; j++)
        aux[n->inputs[j].node] = TRUE;
    }
  return aux;
}

/* Only parameters the graph uses are written, in node order, so saving the
 * same model twice gives the same bytes. */
static GArray *
saved_variables (const MrtModel *model)
{
  GArray *vars = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    if (mrt_model_is_param (model, i))
      g_array_append_val (vars, i);
  return vars;
}

GBytes *
mrt_mxnet_params_to_bytes (const MrtModel *model)
{
  GByteArray *b = g_byte_array_new ();
  g_autoptr (GArray) vars = saved_variables (model);
  g_autofree gboolean *aux = find_aux_variables (model);

  put_u64 (b, LIST_MAGIC);
  put_u64 (b, 0);
  put_u64 (b, vars->len);
  for (guint k = 0; k < vars->len; k++)
    {
      const MrtNode *n = mrt_model_node (model, g_array_index (vars, guint, k));
      g_autoptr (MrtTensor) t = mrt_tensor_to_f32 (mrt_model_get_param (model, n->name));
      put_record (b, t);
    }
  put_u64 (b, vars->len);
  for (guint k = 0; k < vars->len; k++)
    {
      guint i = g_array_index (vars, guint, k);
      put_string (b, aux[i] ? "aux:" : "arg:", mrt_model_node (model, i)->name);
    }
  return g_byte_array_free_to_bytes (b);
}

gboolean
mrt_mxnet_save (const MrtModel *model, const char *symbol_path, const char *params_path, GError **error)
{
  g_autofree char *json = mrt_mxnet_symbol_to_json (model);

  /* params first: a failure then leaves no new symbol pointing at old weights */
  if (params_path)
    {
      g_autoptr (GBytes) bytes = mrt_mxnet_params_to_bytes (model);
      gsize len;
      const char *data = g_bytes_get_data (bytes, &len);
      if (!g_file_set_contents_full (params_path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0666, error))
        return FALSE;
    }
  return g_file_set_contents_full (symbol_path, json, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0666, error);
}
