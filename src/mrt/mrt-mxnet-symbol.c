/* mrt-mxnet-symbol.c: reading symbol JSON of every generation (legacy
 * "param", "attr", "attrs"; nnvm's saveload_json.cc) into a model, with the
 * upgrades MXNet itself applies to old symbols (legacy_json_util.cc). */
#include "mrt-mxnet-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "mrt-op.h"

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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
#include "mrt-json.h"

#define MAX_JSON_DEPTH 64

static gboolean
read_raw_graph (RawGraph *g, const char *json, gssize len, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new_immutable ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (!mrt_json_depth_ok (json, len < 0 ? strlen (json) : (gsize) len, MAX_JSON_DEPTH))
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
  if (!mrt_json_strings_valid (root))
    {
      json_error (error, g->fname, "not valid JSON: a string escape does not decode to UTF-8 text");
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
    mrt_mxnet_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_CYCLE, g->fname,
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
  gint a = mrt_mxnet_aux_op_index (raw->op);
  g_autoptr (GArray) none = NULL;

  if (g->version >= 900 || a < 0 || inputs->len != mrt_mxnet_aux_ops[a].first_aux)
    return TRUE;
  none = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  for (guint k = 0; k < G_N_ELEMENTS (mrt_mxnet_aux_ops[a].aux_names); k++)
    {
      g_autofree char *name = g_strdup_printf ("%s_%s", raw->name, mrt_mxnet_aux_ops[a].aux_names[k]);
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
