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
 * MRT_MODEL_ERROR code. Every message starts with the file name. */
#include "mrt-mxnet.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "mrt-op.h"

G_DEFINE_QUARK (mrt-mxnet-error-quark, mrt_mxnet_error)

/* MXNet assumes 0.8.0 when a symbol carries no version. */
#define MXNET_VERSION_UNKNOWN 800
#define MXNET_VERSION_WRITTEN 10600

#define LIST_MAGIC G_GUINT64_CONSTANT (0x112)
#define NDARRAY_V1_MAGIC 0xF993FAC8u
#define NDARRAY_V2_MAGIC 0xF993FAC9u
#define NDARRAY_V3_MAGIC 0xF993FACAu

static void set_error (GError **error, GQuark domain, int code, const char *fname, const char *fmt, ...)
  G_GNUC_PRINTF (5, 6);

static void
set_error (GError **error, GQuark domain, int code, const char *fname, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;

  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, domain, code, "%s: %s", fname, msg);
}

#define json_error(error, fname, ...) \
  set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_JSON, fname, __VA_ARGS__)
#define params_error(error, fname, ...) \
  set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_PARAMS, fname, __VA_ARGS__)

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

/* Ops whose inputs from first_aux on are auxiliary states (MXNet saves them
 * as "aux:") and which MXNet < 0.9 left out of the JSON. */
static const struct {
  const char *op;
  guint first_aux;
  const char *aux_names[2];
} aux_ops[] = {
  { "BatchNorm", 3, { "moving_mean", "moving_var" } },
  { "BatchNorm_v1", 3, { "moving_mean", "moving_var" } },
  { "CuDNNBatchNorm", 3, { "moving_mean", "moving_var" } },
  { "SyncBatchNorm", 3, { "moving_mean", "moving_var" } },
  { "_contrib_SyncBatchNorm", 3, { "moving_mean", "moving_var" } },
};

static gint
aux_op_index (const char *op)
{
  for (guint i = 0; i < G_N_ELEMENTS (aux_ops); i++)
    if (strcmp (aux_ops[i].op, op) == 0)
      return (gint) i;
  return -1;
}

/* ------------------------------------------------------------------------ */
/* Symbol JSON: reading into raw nodes (ids as in the file)                  */

typedef struct {
  char *name;
  char *op;
  GHashTable *attrs;
  GArray *inputs; /* MrtEntry, node ids as in the file */
} RawNode;

typedef struct {
  const char *fname;
  gint64 version;
  GPtrArray *nodes; /* RawNode* */
  GArray *heads;    /* MrtEntry */
} RawGraph;

static void
raw_node_free (gpointer p)
{
  RawNode *n = p;
  g_free (n->name);
  g_free (n->op);
  if (n->attrs)
    g_hash_table_unref (n->attrs);
  g_array_unref (n->inputs);
  g_free (n);
}

static gboolean
json_uint (JsonNode *node, guint *out)
{
  gint64 v;
  if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  v = json_node_get_int (node);
  if (v < 0 || v > G_MAXUINT)
    return FALSE;
  *out = (guint) v;
  return TRUE;
}

/* [node, index] (before nnvm) or [node, index, version]; version is unused. */
static gboolean
json_entry (JsonNode *node, MrtEntry *out)
{
  JsonArray *a;
  guint len, version;

  if (!JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  a = json_node_get_array (node);
  len = json_array_get_length (a);
  if (len != 2 && len != 3)
    return FALSE;
  return json_uint (json_array_get_element (a, 0), &out->node) &&
         json_uint (json_array_get_element (a, 1), &out->index) &&
         (len == 2 || json_uint (json_array_get_element (a, 2), &version));
}

/* MXNet stores every attribute as text; hand-written files sometimes use
 * JSON scalars, which become the text Python would have written. */
static char *
attr_text (JsonNode *v)
{
  GType t;

  if (JSON_NODE_HOLDS_NULL (v))
    return g_strdup ("None");
  if (!JSON_NODE_HOLDS_VALUE (v))
    return NULL;
  t = json_node_get_value_type (v);
  if (t == G_TYPE_STRING)
    return g_strdup (json_node_get_string (v));
  if (t == G_TYPE_INT64)
    return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (v));
  if (t == G_TYPE_DOUBLE)
    return mrt_attr_format_float (json_node_get_double (v));
  if (t == G_TYPE_BOOLEAN)
    return g_strdup (json_node_get_boolean (v) ? "True" : "False");
  return NULL;
}

static gboolean
merge_attrs (RawGraph *g, guint i, RawNode *raw, JsonObject *obj, const char *field, GError **error)
{
  JsonNode *member = json_object_get_member (obj, field);
  JsonObjectIter it;
  const char *key;
  JsonNode *value;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (member))
    {
      json_error (error, g->fname, "node %u (“%s”): “%s” must be an object", i, raw->name, field);
      return FALSE;
    }
  json_object_iter_init_ordered (&it, json_node_get_object (member));
  while (json_object_iter_next_ordered (&it, &key, &value))
    {
      char *text = attr_text (value);
      if (text == NULL)
        {
          json_error (error, g->fname, "node %u (“%s”): attribute “%s” must be a string", i, raw->name, key);
          return FALSE;
        }
      g_hash_table_insert (raw->attrs, g_strdup (key), text);
    }
  return TRUE;
}

static gboolean
read_inputs (RawGraph *g, guint i, RawNode *raw, JsonObject *obj, GError **error)
{
  JsonNode *member = json_object_get_member (obj, "inputs");
  JsonArray *a;

  if (member == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_ARRAY (member))
    {
      json_error (error, g->fname, "node %u (“%s”): “inputs” must be an array", i, raw->name);
      return FALSE;
    }
  a = json_node_get_array (member);
  for (guint j = 0; j < json_array_get_length (a); j++)
    {
      MrtEntry e;
      if (!json_entry (json_array_get_element (a, j), &e))
        {
          json_error (error, g->fname, "node %u (“%s”): input %u is not [node, index] or [node, index, version]",
                      i, raw->name, j);
          return FALSE;
        }
      g_array_append_val (raw->inputs, e);
    }
  return TRUE;
}

static const char *
string_member (JsonObject *obj, const char *key)
{
  JsonNode *m = json_object_get_member (obj, key);
  if (m == NULL || !JSON_NODE_HOLDS_VALUE (m) || json_node_get_value_type (m) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (m);
}

static RawNode *
read_node (RawGraph *g, guint i, JsonNode *jn, GError **error)
{
  RawNode *raw;
  JsonObject *obj;
  const char *name, *op;

  if (!JSON_NODE_HOLDS_OBJECT (jn))
    {
      json_error (error, g->fname, "node %u is not an object", i);
      return NULL;
    }
  obj = json_node_get_object (jn);
  name = string_member (obj, "name");
  op = string_member (obj, "op");
  if (name == NULL)
    {
      json_error (error, g->fname, "node %u has no string “name”", i);
      return NULL;
    }
  if (op == NULL)
    {
      json_error (error, g->fname, "node %u (“%s”) has no string “op”", i, name);
      return NULL;
    }
  raw = g_new0 (RawNode, 1);
  raw->name = g_strdup (name);
  raw->op = g_strdup (op);
  raw->attrs = attrs_new ();
  raw->inputs = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  /* nnvm inserts "param" without overwriting, so attr/attrs win. */
  if (!merge_attrs (g, i, raw, obj, "param", error) || !merge_attrs (g, i, raw, obj, "attr", error) ||
      !merge_attrs (g, i, raw, obj, "attrs", error) || !read_inputs (g, i, raw, obj, error))
    {
      raw_node_free (raw);
      return NULL;
    }
  return raw;
}

static gboolean
read_nodes (RawGraph *g, JsonObject *root, GError **error)
{
  JsonNode *member = json_object_get_member (root, "nodes");
  JsonArray *a;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member))
    {
      json_error (error, g->fname, "“nodes” is %s; a symbol needs an array of nodes",
                  member ? "not an array" : "missing");
      return FALSE;
    }
  a = json_node_get_array (member);
  if (json_array_get_length (a) == 0)
    {
      json_error (error, g->fname, "“nodes” is empty");
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      RawNode *raw = read_node (g, i, json_array_get_element (a, i), error);
      if (raw == NULL)
        return FALSE;
      g_ptr_array_add (g->nodes, raw);
    }
  return TRUE;
}

static gboolean
read_heads (RawGraph *g, JsonObject *root, GError **error)
{
  JsonNode *member = json_object_get_member (root, "heads");
  JsonArray *a;

  if (member == NULL || !JSON_NODE_HOLDS_ARRAY (member) || json_array_get_length (json_node_get_array (member)) == 0)
    {
      json_error (error, g->fname, "“heads” is %s; a symbol needs at least one output",
                  member == NULL ? "missing" : JSON_NODE_HOLDS_ARRAY (member) ? "empty" : "not an array");
      return FALSE;
    }
  a = json_node_get_array (member);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      MrtEntry e;
      if (!json_entry (json_array_get_element (a, i), &e))
        {
          json_error (error, g->fname, "head %u is not [node, index] or [node, index, version]", i);
          return FALSE;
        }
      if (e.node >= g->nodes->len)
        {
          json_error (error, g->fname, "head %u refers to node %u, but the graph has %u node(s)", i, e.node,
                      g->nodes->len);
          return FALSE;
        }
      g_array_append_val (g->heads, e);
    }
  return TRUE;
}

/* Top-level "attrs": {"mxnet_version": ["int", 10600]} (absent before 0.9). */
static gboolean
read_version (RawGraph *g, JsonObject *root, GError **error)
{
  JsonNode *attrs = json_object_get_member (root, "attrs"), *v;
  JsonArray *a;

  g->version = MXNET_VERSION_UNKNOWN;
  if (attrs == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (attrs))
    {
      json_error (error, g->fname, "the top-level “attrs” must be an object");
      return FALSE;
    }
  v = json_object_get_member (json_node_get_object (attrs), "mxnet_version");
  if (v == NULL)
    return TRUE;
  a = JSON_NODE_HOLDS_ARRAY (v) ? json_node_get_array (v) : NULL;
  if (a == NULL || json_array_get_length (a) != 2 ||
      json_node_get_value_type (json_array_get_element (a, 1)) != G_TYPE_INT64)
    {
      json_error (error, g->fname, "“mxnet_version” must look like [\"int\", 10600]");
      return FALSE;
    }
  g->version = json_array_get_int_element (a, 1);
  return TRUE;
}

/* arg_nodes is redundant (it lists the variables); only its form is checked. */
static gboolean
check_arg_nodes (RawGraph *g, JsonObject *root, GError **error)
{
  JsonNode *member = json_object_get_member (root, "arg_nodes");
  JsonArray *a;
  guint id;

  if (member == NULL)
    return TRUE;
  a = JSON_NODE_HOLDS_ARRAY (member) ? json_node_get_array (member) : NULL;
  for (guint i = 0; a && i < json_array_get_length (a); i++)
    if (!json_uint (json_array_get_element (a, i), &id) || id >= g->nodes->len)
      a = NULL;
  if (a == NULL)
    json_error (error, g->fname, "“arg_nodes” must be an array of node ids");
  return a != NULL;
}

static gboolean
check_references (RawGraph *g, GError **error)
{
  for (guint i = 0; i < g->nodes->len; i++)
    {
      RawNode *raw = g_ptr_array_index (g->nodes, i);
      for (guint j = 0; j < raw->inputs->len; j++)
        {
          MrtEntry e = g_array_index (raw->inputs, MrtEntry, j);
          if (e.node >= g->nodes->len)
            {
              json_error (error, g->fname, "node %u (“%s”): input %u refers to node %u, but the graph has %u node(s)",
                          i, raw->name, j, e.node, g->nodes->len);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* json-glib recurses once per nesting level, so a document of deeply nested
 * brackets overflows the stack (a crash found with tests/bad). A symbol
 * nests 4 levels; refuse anything deeper than MAX_JSON_DEPTH first. */
#define MAX_JSON_DEPTH 64

static gboolean
json_depth_ok (const char *text, gsize len)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > MAX_JSON_DEPTH)
        return FALSE;
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}

static gboolean
read_raw_graph (RawGraph *g, const char *json, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (!json_depth_ok (json, len < 0 ? strlen (json) : (gsize) len))
    {
      json_error (error, g->fname, "not a symbol: arrays and objects nest more than %d levels deep", MAX_JSON_DEPTH);
      return FALSE;
    }
  if (!g_utf8_validate (json, len, NULL))
    {
      json_error (error, g->fname, "not valid JSON: the text is not UTF-8 (or holds a NUL byte)");
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, json, len, &local))
    {
      /* json-glib quotes the offending token cut at a byte count, which can
       * split a character: keep the message UTF-8 (found by fuzzing) */
      g_autofree char *msg = g_utf8_make_valid (local->message, -1);
      json_error (error, g->fname, "not valid JSON: %s", msg);
      return FALSE;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      json_error (error, g->fname, "%s", root ? "the top level is not a JSON object" : "the file is empty");
      return FALSE;
    }
  return read_version (g, json_node_get_object (root), error) && read_nodes (g, json_node_get_object (root), error) &&
         check_arg_nodes (g, json_node_get_object (root), error) && read_heads (g, json_node_get_object (root), error) &&
         check_references (g, error);
}

/* ------------------------------------------------------------------------ */
/* Upgrades MXNet itself applies to old symbols (legacy_json_util.cc)        */

/* Old files spell hidden attributes "lr_mult"; nnvm spells them "__lr_mult__".
 * A "weight_lr_mult" style key on an op belongs to one of its inputs, which
 * needs the op's argument names; such keys are kept as they are. */
static void
upgrade_hidden_keys (RawNode *raw)
{
  static const char *const hidden[] = { "ctx_group", "lr_mult", "wd_mult", "force_mirroring", "mirror_stage" };
  for (guint i = 0; i < G_N_ELEMENTS (hidden); i++)
    {
      char *key, *value;
      if (g_hash_table_steal_extended (raw->attrs, hidden[i], (gpointer *) &key, (gpointer *) &value))
        {
          g_free (key);
          g_hash_table_insert (raw->attrs, g_strdup_printf ("__%s__", hidden[i]), value);
        }
    }
}

static void
upgrade_raw_graph (RawGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++)
    {
      RawNode *raw = g_ptr_array_index (g->nodes, i);
      upgrade_hidden_keys (raw);
      /* Before 0.9.5 argmax/argmin wrote axis=-1 for "no axis". */
      if (g->version < 905 && (strcmp (raw->op, "argmax") == 0 || strcmp (raw->op, "argmin") == 0) &&
          g_strcmp0 (g_hash_table_lookup (raw->attrs, "axis"), "-1") == 0)
        g_hash_table_remove (raw->attrs, "axis");
    }
}

/* ------------------------------------------------------------------------ */
/* Symbol JSON: ordering and building the model                              */

static gboolean
is_sorted (RawGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++)
    {
      RawNode *raw = g_ptr_array_index (g->nodes, i);
      for (guint j = 0; j < raw->inputs->len; j++)
        if (g_array_index (raw->inputs, MrtEntry, j).node >= i)
          return FALSE;
    }
  return TRUE;
}

static gboolean
order_nodes (RawGraph *g, guint *order, GError **error)
{
  guint n = g->nodes->len, cycle = 0;
  g_autofree guint **deps = NULL;
  g_autofree guint *n_deps = NULL;
  gboolean ok;

  if (is_sorted (g))
    {
      for (guint i = 0; i < n; i++)
        order[i] = i;
      return TRUE;
    }
  deps = g_new0 (guint *, n);
  n_deps = g_new0 (guint, n);
  for (guint i = 0; i < n; i++)
    {
      RawNode *raw = g_ptr_array_index (g->nodes, i);
      n_deps[i] = raw->inputs->len;
      deps[i] = g_new (guint, n_deps[i] + 1);
      for (guint j = 0; j < n_deps[i]; j++)
        deps[i][j] = g_array_index (raw->inputs, MrtEntry, j).node;
    }
  ok = mrt_topo_order (n, deps, n_deps, order, &cycle);
  for (guint i = 0; i < n; i++)
    g_free (deps[i]);
  if (!ok)
    set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_CYCLE, g->fname,
               "the graph has a cycle through node %u (“%s”)", cycle,
               ((RawNode *) g_ptr_array_index (g->nodes, cycle))->name);
  return ok;
}

static gboolean
add_checked (MrtModel *model, RawGraph *g, guint file_id, const char *name, const char *op, GHashTable *attrs,
             GArray *inputs, guint *out, GError **error)
{
  if (mrt_model_find (model, name) >= 0)
    {
      json_error (error, g->fname, "node %u: the name “%s” is used by two nodes", file_id, name);
      if (attrs)
        g_hash_table_unref (attrs);
      return FALSE;
    }
  *out = mrt_model_add_node (model, name, op, attrs, (const MrtEntry *) (gpointer) inputs->data, inputs->len);
  return TRUE;
}

/* MXNet < 0.9 did not store auxiliary states; it recreates them as
 * "<node>_moving_mean" etc., carrying the node's hidden attributes. */
static gboolean
add_missing_aux (MrtModel *model, RawGraph *g, guint file_id, RawNode *raw, GArray *inputs, GError **error)
{
  gint a = aux_op_index (raw->op);
  g_autoptr (GArray) none = NULL;

  if (g->version >= 900 || a < 0 || inputs->len != aux_ops[a].first_aux)
    return TRUE;
  none = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  for (guint k = 0; k < G_N_ELEMENTS (aux_ops[a].aux_names); k++)
    {
      g_autofree char *name = g_strdup_printf ("%s_%s", raw->name, aux_ops[a].aux_names[k]);
      GHashTable *attrs = attrs_new ();
      GHashTableIter it;
      gpointer key, value;
      MrtEntry e = { 0, 0 };

      g_hash_table_iter_init (&it, raw->attrs);
      while (g_hash_table_iter_next (&it, &key, &value))
        if (g_str_has_prefix (key, "__") && g_str_has_suffix (key, "__"))
          g_hash_table_insert (attrs, g_strdup (key), g_strdup (value));
      if (!add_checked (model, g, file_id, name, "null", attrs, none, &e.node, error))
        return FALSE;
      g_array_append_val (inputs, e);
    }
  return TRUE;
}

static gboolean
add_raw_node (MrtModel *model, RawGraph *g, guint file_id, guint *new_id, GError **error)
{
  RawNode *raw = g_ptr_array_index (g->nodes, file_id);
  g_autoptr (GArray) inputs = g_array_sized_new (FALSE, FALSE, sizeof (MrtEntry), raw->inputs->len + 2);

  for (guint j = 0; j < raw->inputs->len; j++)
    {
      MrtEntry e = g_array_index (raw->inputs, MrtEntry, j);
      e.node = new_id[e.node];
      g_array_append_val (inputs, e);
    }
  if (!add_missing_aux (model, g, file_id, raw, inputs, error))
    return FALSE;
  return add_checked (model, g, file_id, raw->name, raw->op, g_steal_pointer (&raw->attrs), inputs,
                      &new_id[file_id], error);
}

/* Output indices can only be checked against ops the registry knows; for
 * unknown ops mrt_model_validate reports the op itself. */
static gboolean
bad_output_index (const MrtModel *model, MrtEntry e)
{
  const MrtNode *src = mrt_model_node (model, e.node);
  return e.index >= src->n_outputs && mrt_op_lookup (src->op) != NULL;
}

static gboolean
check_output_indices (const MrtModel *model, RawGraph *g, GError **error)
{
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      for (guint j = 0; j < n->n_inputs; j++)
        if (bad_output_index (model, n->inputs[j]))
          {
            const MrtNode *src = mrt_model_node (model, n->inputs[j].node);
            json_error (error, g->fname, "node “%s”: input %u uses output %u of “%s”, which has %u output(s)",
                        n->name, j, n->inputs[j].index, src->name, src->n_outputs);
            return FALSE;
          }
    }
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    if (bad_output_index (model, mrt_model_head (model, i)))
      {
        const MrtNode *src = mrt_model_node (model, mrt_model_head (model, i).node);
        json_error (error, g->fname, "head %u uses output %u of “%s”, which has %u output(s)", i,
                    mrt_model_head (model, i).index, src->name, src->n_outputs);
        return FALSE;
      }
  return TRUE;
}

static MrtModel *
build_model (RawGraph *g, const guint *order, GError **error)
{
  g_autoptr (MrtModel) model = mrt_model_new ();
  g_autofree guint *new_id = g_new0 (guint, g->nodes->len);

  for (guint k = 0; k < g->nodes->len; k++)
    if (!add_raw_node (model, g, order[k], new_id, error))
      return NULL;
  for (guint i = 0; i < g->heads->len; i++)
    {
      MrtEntry e = g_array_index (g->heads, MrtEntry, i);
      e.node = new_id[e.node];
      mrt_model_add_head (model, e);
    }
  if (!check_output_indices (model, g, error))
    return NULL;
  return g_steal_pointer (&model);
}

MrtModel *
mrt_mxnet_parse_symbol (const char *json, gssize len, const char *fname, GError **error)
{
  RawGraph g = { fname ? fname : "(symbol)", 0, NULL, NULL };
  g_autofree guint *order = NULL;
  MrtModel *model = NULL;

  g_return_val_if_fail (json != NULL, NULL);
  g.nodes = g_ptr_array_new_with_free_func (raw_node_free);
  g.heads = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  if (read_raw_graph (&g, json, len, error))
    {
      upgrade_raw_graph (&g);
      order = g_new (guint, g.nodes->len);
      if (order_nodes (&g, order, error))
        model = build_model (&g, order, error);
    }
  g_ptr_array_unref (g.nodes);
  g_array_unref (g.heads);
  return model;
}

/* ------------------------------------------------------------------------ */
/* .params reading                                                            */

typedef struct {
  const guint8 *data;
  gsize len, pos;
  const char *fname;
} Reader;

static gsize
remaining (const Reader *r)
{
  return r->len - r->pos;
}

static gboolean
read_bytes (Reader *r, void *out, gsize n)
{
  if (remaining (r) < n)
    return FALSE;
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
  return TRUE;
}

static gboolean
read_u32 (Reader *r, guint32 *v)
{
  if (!read_bytes (r, v, 4))
    return FALSE;
  *v = GUINT32_FROM_LE (*v);
  return TRUE;
}

static gboolean
read_i32 (Reader *r, gint32 *v)
{
  guint32 u;
  if (!read_u32 (r, &u))
    return FALSE;
  *v = (gint32) u;
  return TRUE;
}

static gboolean
read_u64 (Reader *r, guint64 *v)
{
  if (!read_bytes (r, v, 8))
    return FALSE;
  *v = GUINT64_FROM_LE (*v);
  return TRUE;
}

/* Copies little-endian elements into host order. */
static void
copy_le (void *dst, const guint8 *src, gsize n, gsize size)
{
  memcpy (dst, src, n * size);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    {
      guint8 *e = (guint8 *) dst + i * size;
      for (gsize a = 0, b = size - 1; a < b; a++, b--)
        {
          guint8 t = e[a];
          e[a] = e[b];
          e[b] = t;
        }
    }
#endif
}

static gboolean
truncated (Reader *r, const char *what, guint64 index, const char *part, GError **error)
{
  params_error (error, r->fname, "%s %" G_GUINT64_FORMAT " is cut short: the file ends inside its %s", what, index,
                part);
  return FALSE;
}

typedef enum { REC_LEGACY, REC_V1, REC_V2, REC_V3 } RecordKind;

typedef struct {
  RecordKind kind;
  MrtShape shape;
  gboolean none; /* an uninitialised NDArray: no data follows */
} Record;

static gboolean
read_dims (Reader *r, guint64 index, Record *rec, GError **error)
{
  for (int d = 0; d < rec->shape.ndim; d++)
    {
      gint64 v;
      if (rec->kind == REC_LEGACY)
        {
          guint32 u;
          if (!read_u32 (r, &u))
            return truncated (r, "array", index, "shape", error);
          v = u;
        }
      else if (!read_u64 (r, (guint64 *) &v))
        return truncated (r, "array", index, "shape", error);
      if (v == -1 && rec->kind == REC_V3)
        rec->none = TRUE; /* unknown dimension (numpy semantics) */
      else if (v < 0)
        {
          params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": dimension %d is negative (%" G_GINT64_FORMAT ")",
                        index, d, v);
          return FALSE;
        }
      rec->shape.dim[d] = v;
    }
  return TRUE;
}

static gboolean
read_ndim (Reader *r, guint64 index, guint32 magic, Record *rec, GError **error)
{
  gint32 ndim;

  if (rec->kind == REC_LEGACY)
    ndim = magic <= MRT_MAX_NDIM ? (gint32) magic : -2; /* legacy records start with ndim */
  else if (!read_i32 (r, &ndim))
    return truncated (r, "array", index, "shape", error);
  /* MXNet >= 1.5 writes an unknown shape as ndim -1, in V2 records too. */
  if (ndim == -1 && rec->kind >= REC_V2)
    {
      rec->none = TRUE;
      return TRUE;
    }
  if (ndim < 0 || ndim > MRT_MAX_NDIM)
    {
      if (rec->kind == REC_LEGACY)
        params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": unknown record magic 0x%08x (as a legacy record: "
                      "%u dimensions; at most %d are supported)", index, magic, magic, MRT_MAX_NDIM);
      else
        params_error (error, r->fname, "array %" G_GUINT64_FORMAT " has %d dimensions; at most %d are supported",
                      index, ndim, MRT_MAX_NDIM);
      return FALSE;
    }
  rec->shape.ndim = ndim;
  /* Before numpy semantics an empty shape meant "no array". */
  rec->none = ndim == 0 && rec->kind != REC_V3;
  return TRUE;
}

static gboolean
read_record_head (Reader *r, guint64 index, Record *rec, GError **error)
{
  guint32 magic;
  gint32 stype;

  memset (rec, 0, sizeof *rec);
  if (!read_u32 (r, &magic))
    return truncated (r, "array", index, "header", error);
  rec->kind = magic == NDARRAY_V1_MAGIC ? REC_V1
              : magic == NDARRAY_V2_MAGIC ? REC_V2
              : magic == NDARRAY_V3_MAGIC ? REC_V3
                                          : REC_LEGACY;
  if (rec->kind >= REC_V2)
    {
      if (!read_i32 (r, &stype))
        return truncated (r, "array", index, "header", error);
      if (stype != 0)
        {
          params_error (error, r->fname, "array %" G_GUINT64_FORMAT " uses storage type %d (sparse); only dense arrays "
                        "are supported", index, stype);
          return FALSE;
        }
    }
  return read_ndim (r, index, magic, rec, error) && read_dims (r, index, rec, error);
}

static MrtTensor *
read_record_data (Reader *r, guint64 index, const Record *rec, GError **error)
{
  guint8 header[12];
  gint32 flag;
  GError *local = NULL;
  MrtTensor *t;

  if (!read_bytes (r, header, sizeof header))
    {
      truncated (r, "array", index, "header", error);
      return NULL;
    }
  memcpy (&flag, header + 8, 4); /* after the context (dev_type, dev_id), which does not matter here */
  flag = (gint32) GUINT32_FROM_LE ((guint32) flag);
  if (flag < MRT_DTYPE_F32 || flag > MRT_DTYPE_I64)
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT " has data type %d; supported are 0-6 "
                    "(float32, float64, float16, uint8, int32, int8, int64)", index, flag);
      return NULL;
    }
  if (!mrt_shape_check (&rec->shape, &local))
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": %s", index, local->message);
      g_error_free (local);
      return NULL;
    }
  /* checked before allocating: a hostile shape must not cost memory */
  if ((guint64) mrt_shape_size (&rec->shape) > remaining (r) / mrt_dtype_size (flag))
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT " is cut short: its data needs %" G_GUINT64_FORMAT
                    " bytes, but only %" G_GSIZE_FORMAT " remain", index,
                    (guint64) mrt_shape_size (&rec->shape) * mrt_dtype_size (flag), remaining (r));
      return NULL;
    }
  t = mrt_tensor_try_new ((MrtDType) flag, &rec->shape, &local);
  if (t == NULL)
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": %s", index, local->message);
      g_error_free (local);
      return NULL;
    }
  copy_le (t->data, r->data + r->pos, t->n, mrt_dtype_size (flag));
  r->pos += t->n * mrt_dtype_size (flag);
  return t;
}

/* Returns FALSE on error; *out stays NULL for a "none" array. */
static gboolean
read_record (Reader *r, guint64 index, MrtTensor **out, GError **error)
{
  Record rec;

  *out = NULL;
  if (!read_record_head (r, index, &rec, error))
    return FALSE;
  if (rec.none)
    return TRUE;
  *out = read_record_data (r, index, &rec, error);
  return *out != NULL;
}

static gboolean
read_list_header (Reader *r, guint64 *count, GError **error)
{
  guint64 magic, reserved;

  if (r->len < 3 * sizeof (guint64))
    {
      params_error (error, r->fname, "%" G_GSIZE_FORMAT " bytes is too short for an MXNet .params file", r->len);
      return FALSE;
    }
  read_u64 (r, &magic);
  read_u64 (r, &reserved);
  read_u64 (r, count);
  if (magic != LIST_MAGIC)
    {
      params_error (error, r->fname, "not an MXNet .params file (magic 0x%" G_GINT64_MODIFIER "x, expected 0x112)",
                    magic);
      return FALSE;
    }
  /* Every record takes at least 4 bytes; refuse counts the file cannot hold
   * before anything is sized by them. */
  if (*count > remaining (r) / 4 || *count > G_MAXUINT32)
    {
      params_error (error, r->fname, "the file claims %" G_GUINT64_FORMAT " arrays, more than its %" G_GSIZE_FORMAT
                    " bytes can hold", *count, r->len);
      return FALSE;
    }
  return TRUE;
}

static char *
read_name (Reader *r, guint64 index, GError **error)
{
  guint64 len;
  char *name;

  if (!read_u64 (r, &len))
    {
      truncated (r, "name", index, "length", error);
      return NULL;
    }
  if (len > remaining (r))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " claims %" G_GUINT64_FORMAT " bytes, but only %"
                    G_GSIZE_FORMAT " remain", index, len, remaining (r));
      return NULL;
    }
  name = g_strndup ((const char *) r->data + r->pos, len);
  r->pos += len;
  if (strlen (name) != len || !g_utf8_validate (name, -1, NULL))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " is not valid UTF-8 text", index);
      g_free (name);
      return NULL;
    }
  return name;
}

/* MXNet checkpoints prefix names with "arg:" / "aux:"; Gluon files do not. */
static const char *
strip_prefix (const char *name)
{
  if (g_str_has_prefix (name, "arg:") || g_str_has_prefix (name, "aux:"))
    return name + 4;
  return name;
}

static gboolean
add_named (Reader *r, GHashTable *table, guint64 index, const char *full, MrtTensor *t, GError **error)
{
  const char *name = strip_prefix (full);

  if (*name == '\0')
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " is empty", index);
      return FALSE;
    }
  if (g_hash_table_contains (table, name))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " (“%s”) names a parameter a second time", index, full);
      return FALSE;
    }
  /* a "none" array carries no value; its name is still reserved */
  g_hash_table_insert (table, g_strdup (name), t ? mrt_tensor_ref (t) : NULL);
  return TRUE;
}

static gboolean
read_names (Reader *r, GPtrArray *arrays, GHashTable *table, GError **error)
{
  guint64 count;

  if (!read_u64 (r, &count))
    {
      params_error (error, r->fname, "the name list is cut short: the file ends inside its count");
      return FALSE;
    }
  if (count != arrays->len)
    {
      params_error (error, r->fname, "the file holds %u arrays but %" G_GUINT64_FORMAT " names%s", arrays->len, count,
                    count == 0 ? " (unnamed lists cannot be model parameters)" : "");
      return FALSE;
    }
  for (guint i = 0; i < arrays->len; i++)
    {
      g_autofree char *name = read_name (r, i, error);
      if (name == NULL || !add_named (r, table, i, name, g_ptr_array_index (arrays, i), error))
        return FALSE;
    }
  return TRUE;
}

static void
drop_none (GHashTable *table)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (v == NULL)
      g_hash_table_iter_remove (&it);
}

GHashTable *
mrt_mxnet_parse_params (const guint8 *data, gsize len, const char *fname, GError **error)
{
  Reader r = { data, len, 0, fname ? fname : "(params)" };
  g_autoptr (GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  g_autoptr (GHashTable) table =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mrt_tensor_unref);
  guint64 count;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (!read_list_header (&r, &count, error))
    return NULL;
  for (guint64 i = 0; i < count; i++)
    {
      MrtTensor *t;
      if (!read_record (&r, i, &t, error))
        return NULL;
      g_ptr_array_add (arrays, t);
    }
  if (!read_names (&r, arrays, table, error))
    return NULL;
  drop_none (table);
  return g_steal_pointer (&table);
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
      set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_MISMATCH, params_path,
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
  gint a = aux_op_index (node->op);

  for (guint j = 0; j < node->n_inputs; j++)
    {
      guint src = node->inputs[j].node;
      if (!mrt_node_is_variable (mrt_model_node (model, src)))
        continue;
      v[j] = a >= 0 && j >= aux_ops[a].first_aux ? ++var_version[src] : var_version[src];
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
  copy_le (b->data + start, (const guint8 *) t->data, t->n, sizeof (float)); /* the swap is symmetric */
}

/* Variables feeding an op's auxiliary-state inputs are saved as "aux:". */
static gboolean *
find_aux_variables (const MrtModel *model)
{
  gboolean *aux = g_new0 (gboolean, mrt_model_n_nodes (model) + 1);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      gint a = aux_op_index (n->op);
      for (guint j = a >= 0 ? aux_ops[a].first_aux : n->n_inputs; j < n->n_inputs; j++)
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
