/* mrt-cvm-json.c: the symbol reader (cvm.md §1): every key, type and
 * version rule of the upstream loader, turned into a CVM graph. */
#include "mrt-cvm-json.h"

#include <json-glib/json-glib.h>
#include <stdarg.h>
#include <string.h>

#include "mrt-json.h"

#define MAX_DEPTH 32

G_GNUC_PRINTF (3, 4) static gboolean
fail (GError **error, MrtCvmError code, const char *fmt, ...)
{
  g_autofree char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, MRT_CVM_ERROR, code, msg);
  return FALSE;
}

/* json-glib recurses per nesting level: refuse deep documents first. */
gboolean
mrt_cvm_json_depth_ok (const char *text, gsize len)
{
  return mrt_json_depth_ok (text, len, MAX_DEPTH);
}

JsonNode *
mrt_cvm_json_parse (const char *text, gsize len, const char *what, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  JsonNode *root;

  if (len > G_MAXSSIZE || !mrt_cvm_json_depth_ok (text, len))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "%s is nested too deeply", what);
      return NULL;
    }
  if (memchr (text, '\0', len))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "%s contains a NUL byte", what);
      return NULL;
    }
  if (!g_utf8_validate (text, (gssize) len, NULL))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "%s is not UTF-8 text", what);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, text, (gssize) len, &local))
    {
      /* json-glib quotes the offending token cut at a byte count, which can
       * split a character: keep the message UTF-8 (found by fuzzing) */
      g_autofree char *msg = g_utf8_make_valid (local->message, -1);
      fail (error, MRT_CVM_ERROR_FORMAT, "%s is not valid JSON: %s", what, msg);
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "%s is not a JSON object", what);
      return NULL;
    }
  if (!mrt_json_strings_valid (root))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "%s is not valid JSON: a string escape does not decode to UTF-8 text", what);
      return NULL;
    }
  return json_node_copy (root);
}

/* ---- typed accessors -------------------------------------------------- */

static gboolean
get_int (JsonNode *n, gint64 *out)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  *out = json_node_get_int (n);
  return TRUE;
}

static const char *
get_str (JsonNode *n)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (n);
}

static JsonArray *
get_array (JsonNode *n)
{
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* Rejects keys outside allowed (NULL-terminated). */
static gboolean
keys_allowed (JsonObject *o, const char *const *allowed, const char *where, GError **error)
{
  g_autoptr (GList) members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      gboolean ok = FALSE;
      for (int k = 0; allowed[k]; k++)
        ok |= strcmp (allowed[k], l->data) == 0;
      if (!ok)
        return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "key “%s” in %s is not supported", (const char *) l->data,
                     where);
    }
  return TRUE;
}

/* [node_id, index(, version)] */
static gboolean
get_entry (JsonNode *n, guint n_nodes, MrtEntry *out)
{
  JsonArray *a = get_array (n);
  gint64 id, idx, ver;
  if (a == NULL || json_array_get_length (a) < 2 || json_array_get_length (a) > 3)
    return FALSE;
  if (!get_int (json_array_get_element (a, 0), &id) || !get_int (json_array_get_element (a, 1), &idx))
    return FALSE;
  if (json_array_get_length (a) == 3 && !get_int (json_array_get_element (a, 2), &ver))
    return FALSE;
  if (id < 0 || id >= n_nodes || idx < 0 || idx > G_MAXINT32)
    return FALSE;
  *out = (MrtEntry){ (guint) id, (guint) idx };
  return TRUE;
}

static gboolean
get_int_list (JsonArray *a, gint64 *out, guint n, gint64 lo, gint64 hi)
{
  if (json_array_get_length (a) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (!get_int (json_array_get_element (a, i), &out[i]) || out[i] < lo || out[i] > hi)
      return FALSE;
  return TRUE;
}

/* ---- graph attrs ------------------------------------------------------ */

typedef struct {
  JsonArray *shape, *storage_id, *op_attrs, *precision, *dltype;
} GraphAttrs;

/* [tag, payload] with the expected tag; returns payload. */
static JsonArray *
tagged (JsonObject *attrs, const char *key, const char *tag, GError **error)
{
  JsonArray *pair = get_array (json_object_get_member (attrs, key));
  const char *t;
  JsonArray *payload;
  if (pair == NULL || json_array_get_length (pair) != 2 || !(t = get_str (json_array_get_element (pair, 0))) ||
      strcmp (t, tag) != 0 || !(payload = get_array (json_array_get_element (pair, 1))))
    {
      fail (error, MRT_CVM_ERROR_FORMAT, "attrs.%s must be [\"%s\", [...]]", key, tag);
      return NULL;
    }
  return payload;
}

static gboolean
read_graph_attrs (JsonObject *attrs, gboolean v100, GraphAttrs *ga, GError **error)
{
  static const char *const allowed[] = { "shape", "storage_id", "op_attrs", "precision", "dltype", "device_index",
                                         "dtype", NULL };
  static const char *const required[] = { "shape", "storage_id", "op_attrs", "precision" };

  if (!keys_allowed (attrs, allowed, "attrs", error))
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (required); k++)
    if (!json_object_has_member (attrs, required[k]))
      return fail (error, MRT_CVM_ERROR_FORMAT, "attrs.%s is missing", required[k]);
  if (!(ga->shape = tagged (attrs, "shape", "list_shape", error)) ||
      !(ga->storage_id = tagged (attrs, "storage_id", "list_int", error)) ||
      !(ga->op_attrs = tagged (attrs, "op_attrs", "list_str", error)) ||
      !(ga->precision = tagged (attrs, "precision", "list_int", error)))
    return FALSE;
  if (json_object_has_member (attrs, "dltype"))
    {
      if (!(ga->dltype = tagged (attrs, "dltype", "list_str", error)))
        return FALSE;
    }
  else if (v100)
    return fail (error, MRT_CVM_ERROR_FORMAT, "attrs.dltype is required by version cvm_1.0.0");
  if (json_object_has_member (attrs, "device_index"))
    {
      JsonArray *d = tagged (attrs, "device_index", "list_int", error);
      if (d == NULL)
        return FALSE;
      if (json_array_get_length (d) != 0)
        return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "attrs.device_index must be empty");
    }
  return TRUE;
}

static gboolean
read_shape (JsonNode *n, MrtShape *s)
{
  JsonArray *a = get_array (n);
  gint64 size = 1;
  guint nd = a ? json_array_get_length (a) : 0;
  if (nd < 1 || nd > MRT_CVM_MAX_NDIM)
    return FALSE;
  s->ndim = (int) nd;
  if (!get_int_list (a, s->dim, nd, 1, MRT_CVM_MAX_DIM))
    return FALSE;
  for (guint i = 0; i < nd; i++)
    size *= s->dim[i];
  return size <= MRT_CVM_MAX_SIZE;
}

/* op_attrs text of an operator -> node attrs (hidden keys dropped). */
static gboolean
read_op_attrs (const char *text, GHashTable *attrs, GError **error)
{
  g_autoptr (JsonNode) root = mrt_cvm_json_parse (text, strlen (text), "op_attrs", error);
  g_autoptr (GList) members = NULL;
  JsonObject *o;
  if (root == NULL)
    return FALSE;
  o = json_node_get_object (root);
  members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      const char *v = get_str (json_object_get_member (o, l->data));
      if (v == NULL)
        return fail (error, MRT_CVM_ERROR_FORMAT, "op_attrs value of “%s” is not a string", (const char *) l->data);
      if (!mrt_cvm_attr_is_hidden (l->data))
        g_hash_table_insert (attrs, g_strdup (l->data), g_strdup (v));
    }
  return TRUE;
}

/* ---- nodes ------------------------------------------------------------ */

typedef struct {
  char *name;
  char *op;           /* "null" or canonical CVM name */
  GArray *inputs;     /* MrtEntry */
  guint n_outputs;
} NodeSpec;

static void
node_spec_clear (gpointer p)
{
  NodeSpec *s = p;
  g_free (s->name);
  g_free (s->op);
  if (s->inputs)
    g_array_unref (s->inputs);
}

static gboolean
read_node (JsonNode *jn, guint i, guint n_nodes, NodeSpec *spec, GError **error)
{
  static const char *const allowed[] = { "op", "name", "inputs", "attrs", "precision", NULL };
  static const char *const attr_keys[] = { "func_name", "num_inputs", "num_outputs", "flatten_data", "op_attrs",
                                           NULL };
  JsonObject *o = jn && JSON_NODE_HOLDS_OBJECT (jn) ? json_node_get_object (jn) : NULL;
  const char *op, *name;
  JsonArray *inputs = NULL;
  g_autofree char *where = g_strdup_printf ("node %u", i);

  if (o == NULL)
    return fail (error, MRT_CVM_ERROR_FORMAT, "node %u is not an object", i);
  if (!keys_allowed (o, allowed, where, error))
    return FALSE;
  if (!(op = get_str (json_object_get_member (o, "op"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "node %u: \"op\" is missing or not a string", i);
  if (!(name = get_str (json_object_get_member (o, "name"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "node %u: \"name\" is missing or not a string", i);
  spec->name = g_strdup (name);
  spec->inputs = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  if (json_object_has_member (o, "inputs") && !(inputs = get_array (json_object_get_member (o, "inputs"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: \"inputs\" is not an array", i, name);
  for (guint j = 0; inputs && j < json_array_get_length (inputs); j++)
    {
      MrtEntry e;
      if (!get_entry (json_array_get_element (inputs, j), n_nodes, &e))
        return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: input %u is not [node, index, version]", i, name, j);
      g_array_append_val (spec->inputs, e);
    }
  if (strcmp (op, "null") == 0)
    {
      if (json_object_has_member (o, "attrs"))
        return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: a variable must not have \"attrs\"", i, name);
      if (spec->inputs->len)
        return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: a variable has no inputs", i, name);
      spec->op = g_strdup ("null");
      spec->n_outputs = 1;
      return TRUE;
    }
  if (strcmp (op, "cvm_op") != 0)
    return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "node %u “%s”: op “%s” is not supported (null or cvm_op)", i, name,
                 op);
  {
    JsonNode *an = json_object_get_member (o, "attrs");
    JsonObject *attrs = an && JSON_NODE_HOLDS_OBJECT (an) ? json_node_get_object (an) : NULL;
    g_autoptr (GList) members = NULL;
    const char *fn;
    const MrtCvmOpDef *def;
    if (attrs == NULL)
      return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: an operator needs an \"attrs\" object", i, name);
    if (!keys_allowed (attrs, attr_keys, where, error))
      return FALSE;
    members = json_object_get_members (attrs);
    for (GList *l = members; l; l = l->next)
      if (!get_str (json_object_get_member (attrs, l->data)))
        return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: attrs.%s is not a string", i, name,
                     (const char *) l->data);
    if (!(fn = get_str (json_object_get_member (attrs, "func_name"))))
      return fail (error, MRT_CVM_ERROR_FORMAT, "node %u “%s”: attrs.func_name is missing", i, name);
    spec->op = mrt_cvm_func_name_canonical (fn);
    def = mrt_cvm_op_lookup (spec->op);
    if (def == NULL)
      return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "node %u “%s”: unknown CVM operator “%s”", i, name, fn);
    spec->n_outputs = def->n_outputs;
  }
  return TRUE;
}

/* ---- the whole symbol ------------------------------------------------- */

static gboolean
check_index_list (JsonObject *top, const char *key, const guint *want, guint n, GError **error)
{
  JsonArray *a = get_array (json_object_get_member (top, key));
  g_autofree gint64 *v = g_new (gint64, n + 1);
  if (a == NULL)
    return fail (error, MRT_CVM_ERROR_FORMAT, "%s is missing or not an array", key);
  /* the length first: v holds n + 1 values (a longer list overflowed v: found by fuzzing) */
  if (json_array_get_length (a) != n || !get_int_list (a, v, n, G_MININT64, G_MAXINT64))
    return fail (error, MRT_CVM_ERROR_GRAPH, "%s does not match the graph (%u values expected)", key, n);
  for (guint i = 0; i < n; i++)
    if (v[i] != want[i])
      return fail (error, MRT_CVM_ERROR_GRAPH, "%s[%u] is %" G_GINT64_FORMAT ", expected %u", key, i, v[i], want[i]);
  return TRUE;
}

MrtModel *
mrt_cvm_symbol_read (const char *json, gsize len, MrtShape **declared, GError **error)
{
  static const char *const top_keys[] = { "nodes", "arg_nodes", "node_row_ptr", "heads", "attrs", "version",
                                          "postprocess", NULL };
  g_autoptr (JsonNode) root = mrt_cvm_json_parse (json, len, "the symbol", error);
  g_autoptr (GArray) specs = g_array_new (FALSE, TRUE, sizeof (NodeSpec));
  g_autoptr (MrtModel) m = NULL;
  g_autofree guint *row_ptr = NULL;
  g_autofree MrtShape *shapes = NULL;
  g_autofree gint64 *sids = NULL, *precs = NULL;
  g_autoptr (GArray) args = g_array_new (FALSE, FALSE, sizeof (guint));
  JsonObject *top, *attrs_o;
  JsonArray *nodes, *heads;
  const char *version = "cvm_1.0.0", *post = "";
  GraphAttrs ga = { 0 };
  guint n_nodes, n_entries;
  gboolean v100;

  g_array_set_clear_func (specs, node_spec_clear);
  if (root == NULL)
    return NULL;
  top = json_node_get_object (root);
  if (!keys_allowed (top, top_keys, "the symbol", error))
    return NULL;
  if (json_object_has_member (top, "version") && !(version = get_str (json_object_get_member (top, "version"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "version is not a string"), NULL;
  if (strcmp (version, "cvm_1.0.0") != 0 && strcmp (version, "cvm_1.1.0") != 0)
    return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "version “%s” is not supported", version), NULL;
  v100 = strcmp (version, "cvm_1.0.0") == 0;
  if (json_object_has_member (top, "postprocess") && !(post = get_str (json_object_get_member (top, "postprocess"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "postprocess is not a string"), NULL;
  if (strcmp (post, "") != 0 && strcmp (post, "argmax") != 0 && strcmp (post, "detection") != 0)
    return fail (error, MRT_CVM_ERROR_UNSUPPORTED, "postprocess “%s” is not supported", post), NULL;
  if (!(nodes = get_array (json_object_get_member (top, "nodes"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "nodes is missing or not an array"), NULL;
  if (!(heads = get_array (json_object_get_member (top, "heads"))))
    return fail (error, MRT_CVM_ERROR_FORMAT, "heads is missing or not an array"), NULL;
  {
    JsonNode *an = json_object_get_member (top, "attrs");
    if (!an || !JSON_NODE_HOLDS_OBJECT (an))
      return fail (error, MRT_CVM_ERROR_FORMAT, "attrs is missing or not an object"), NULL;
    attrs_o = json_node_get_object (an);
  }
  if (!read_graph_attrs (attrs_o, v100, &ga, error))
    return NULL;

  n_nodes = json_array_get_length (nodes);
  if (n_nodes == 0)
    return fail (error, MRT_CVM_ERROR_GRAPH, "the graph has no nodes"), NULL;
  g_array_set_size (specs, n_nodes);
  row_ptr = g_new (guint, n_nodes + 1);
  row_ptr[0] = 0;
  for (guint i = 0; i < n_nodes; i++)
    {
      NodeSpec *s = &g_array_index (specs, NodeSpec, i);
      if (!read_node (json_array_get_element (nodes, i), i, n_nodes, s, error))
        return NULL;
      row_ptr[i + 1] = row_ptr[i] + s->n_outputs;
      if (strcmp (s->op, "null") == 0)
        g_array_append_val (args, i);
    }
  n_entries = row_ptr[n_nodes];
  if (!check_index_list (top, "node_row_ptr", row_ptr, n_nodes + 1, error))
    return NULL;
  if (v100 && !check_index_list (top, "arg_nodes", (guint *) args->data, args->len, error))
    return NULL;

  /* per-entry and per-node tables */
  if (json_array_get_length (ga.shape) != n_entries || json_array_get_length (ga.storage_id) != n_entries ||
      json_array_get_length (ga.precision) != n_entries || (ga.dltype && v100 && json_array_get_length (ga.dltype) != n_entries))
    return fail (error, MRT_CVM_ERROR_GRAPH, "attrs lists must have one value per entry (%u)", n_entries), NULL;
  if (json_array_get_length (ga.op_attrs) != n_nodes)
    return fail (error, MRT_CVM_ERROR_GRAPH, "attrs.op_attrs must have one string per node (%u)", n_nodes), NULL;
  shapes = g_new0 (MrtShape, n_entries + 1);
  sids = g_new (gint64, n_entries + 1);
  precs = g_new (gint64, n_entries + 1);
  for (guint e = 0; e < n_entries; e++)
    if (!read_shape (json_array_get_element (ga.shape, e), &shapes[e]))
      return fail (error, MRT_CVM_ERROR_LIMIT, "attrs.shape[%u] is not a shape of 1..6 dims in [1, 2^24], size <= 2^30",
                   e), NULL;
  if (!get_int_list (ga.storage_id, sids, n_entries, 0, G_MAXINT32))
    return fail (error, MRT_CVM_ERROR_STORAGE, "attrs.storage_id must hold ids >= 0"), NULL;
  if (!get_int_list (ga.precision, precs, n_entries, -1, MRT_CVM_MAX_PRECISION))
    return fail (error, MRT_CVM_ERROR_PRECISION, "attrs.precision values must be -1 or 1..32"), NULL;
  for (guint e = 0; e < n_entries; e++)
    if (precs[e] == 0)
      return fail (error, MRT_CVM_ERROR_PRECISION, "attrs.precision[%u] is 0", e), NULL;
  for (guint e = 0; v100 && ga.dltype && e < n_entries; e++)
    {
      const char *t = get_str (json_array_get_element (ga.dltype, e));
      if (t == NULL || strcmp (t, "int32") != 0)
        return fail (error, MRT_CVM_ERROR_FORMAT, "attrs.dltype[%u] must be \"int32\"", e), NULL;
    }

  /* build the model */
  m = mrt_model_new ();
  for (guint i = 0; i < n_nodes; i++)
    {
      NodeSpec *s = &g_array_index (specs, NodeSpec, i);
      GHashTable *attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      const char *oa = get_str (json_array_get_element (ga.op_attrs, i));
      gint64 ids[MRT_CVM_MAX_TUPLE];
      if (oa == NULL)
        {
          g_hash_table_unref (attrs);
          return fail (error, MRT_CVM_ERROR_FORMAT, "attrs.op_attrs[%u] is not a string", i), NULL;
        }
      for (guint k = 0; k < s->n_outputs; k++)
        ids[k] = sids[row_ptr[i] + k];
      g_hash_table_insert (attrs, g_strdup ("__storage_id__"), mrt_attr_format_tuple (ids, (int) s->n_outputs));
      if (strcmp (s->op, "null") == 0)
        {
          g_hash_table_insert (attrs, g_strdup ("__shape__"), mrt_shape_to_string (&shapes[row_ptr[i]]));
          if (precs[row_ptr[i]] > 0)
            g_hash_table_insert (attrs, g_strdup ("precision"), g_strdup_printf ("%d", (int) precs[row_ptr[i]]));
          if (strcmp (s->name, "data") == 0 && post[0])
            g_hash_table_insert (attrs, g_strdup ("__postprocess__"), g_strdup (post));
        }
      else if (!read_op_attrs (oa, attrs, error))
        {
          g_hash_table_unref (attrs);
          g_prefix_error (error, "node %u “%s”: ", i, s->name);
          return NULL;
        }
      mrt_model_add_node_n (m, s->name, s->op, attrs, (MrtEntry *) s->inputs->data, s->inputs->len, s->n_outputs);
    }
  for (guint h = 0; h < json_array_get_length (heads); h++)
    {
      MrtEntry e;
      if (!get_entry (json_array_get_element (heads, h), n_nodes, &e))
        return fail (error, MRT_CVM_ERROR_FORMAT, "heads[%u] is not [node, index, version]", h), NULL;
      mrt_model_add_head (m, e);
    }
  if (declared)
    *declared = g_steal_pointer (&shapes);
  return g_steal_pointer (&m);
}
