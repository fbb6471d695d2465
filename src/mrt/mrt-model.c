/* mrt-model.c: building, validating and querying the graph IR. */
#include "mrt-model.h"

#include <math.h>
#include <string.h>

#include "cvm/mrt-cvm-ops.h"
#include "mrt-op.h"

G_DEFINE_QUARK (mrt-model-error-quark, mrt_model_error)

/* Op names are interned, but only those of a registry (a finite set):
 * GLib never frees an interned string, so interning every name a file
 * invents would grow memory with each malformed file read (found by
 * fuzzing: LeakSanitizer reports GLib's abandoned quark arrays). Any other
 * name, which only a model that fails validation holds, is a copy owned by
 * its node. */
static const char *
op_name (const char *op)
{
  if (strcmp (op, "null") == 0 || mrt_op_lookup (op) || mrt_cvm_op_lookup (op))
    return g_intern_string (op);
  return g_strdup (op);
}

static gboolean
op_name_is_owned (const char *op)
{
  GQuark q = g_quark_try_string (op);
  return q == 0 || g_quark_to_string (q) != op;
}

static void
node_free (gpointer p)
{
  MrtNode *node = p;
  if (op_name_is_owned (node->op))
    g_free ((char *) node->op);
  g_free (node->name);
  g_hash_table_unref (node->attrs);
  g_free (node->inputs);
  g_free (node);
}

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

MrtModel *
mrt_model_new (void)
{
  MrtModel *m = g_new0 (MrtModel, 1);
  g_atomic_ref_count_init (&m->ref);
  m->nodes = g_ptr_array_new_with_free_func (node_free);
  m->heads = g_array_new (FALSE, FALSE, sizeof (MrtEntry));
  m->params = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mrt_tensor_unref);
  m->index = g_hash_table_new (g_str_hash, g_str_equal);
  m->entry_offset = g_array_new (FALSE, FALSE, sizeof (guint));
  return m;
}

MrtModel *
mrt_model_ref (MrtModel *model)
{
  g_atomic_ref_count_inc (&model->ref);
  return model;
}

void
mrt_model_unref (MrtModel *model)
{
  if (model && g_atomic_ref_count_dec (&model->ref))
    {
      g_hash_table_unref (model->index);
      g_ptr_array_unref (model->nodes);
      g_array_unref (model->heads);
      g_hash_table_unref (model->params);
      g_array_unref (model->entry_offset);
      g_free (model);
    }
}

static GHashTable *
attrs_copy (GHashTable *src)
{
  GHashTable *dst = attrs_new ();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, src);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (dst, g_strdup (k), g_strdup (v));
  return dst;
}

MrtModel *
mrt_model_copy (MrtModel *model)
{
  MrtModel *c = mrt_model_new ();
  GHashTableIter it;
  gpointer k, v;

  for (guint i = 0; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      mrt_model_add_node_n (c, n->name, n->op, attrs_copy (n->attrs), n->inputs, n->n_inputs, n->n_outputs);
    }
  g_array_append_vals (c->heads, model->heads->data, model->heads->len);
  g_hash_table_iter_init (&it, model->params);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (c->params, g_strdup (k), mrt_tensor_ref (v));
  return c;
}

guint
mrt_model_add_node (MrtModel *model, const char *name, const char *op, GHashTable *attrs,
                    const MrtEntry *inputs, guint n_inputs)
{
  return mrt_model_add_node_n (model, name, op, attrs, inputs, n_inputs, 0);
}

guint
mrt_model_add_node_n (MrtModel *model, const char *name, const char *op, GHashTable *attrs,
                      const MrtEntry *inputs, guint n_inputs, guint n_outputs)
{
  MrtNode *node = g_new0 (MrtNode, 1);
  const MrtOpDef *def;
  guint idx = model->nodes->len;
  guint offset = idx ? g_array_index (model->entry_offset, guint, idx - 1) +
                           mrt_model_node (model, idx - 1)->n_outputs
                     : 0;

  node->name = g_strdup (name);
  node->op = op_name (op);
  node->attrs = attrs ? attrs : attrs_new ();
  node->inputs = g_memdup2 (inputs, sizeof (MrtEntry) * n_inputs);
  node->n_inputs = n_inputs;
  def = n_outputs ? NULL : mrt_op_lookup (op);
  node->n_outputs = n_outputs ? n_outputs : def ? mrt_op_num_outputs (def, node) : 1;
  g_ptr_array_add (model->nodes, node);
  g_array_append_val (model->entry_offset, offset);
  /* keep the first node of a duplicated name; validate reports duplicates */
  if (!g_hash_table_contains (model->index, node->name))
    g_hash_table_insert (model->index, node->name, GUINT_TO_POINTER (idx + 1));
  return idx;
}

guint
mrt_model_add_variable (MrtModel *model, const char *name)
{
  return mrt_model_add_node (model, name, "null", NULL, NULL, 0);
}

void
mrt_model_add_head (MrtModel *model, MrtEntry entry)
{
  g_array_append_val (model->heads, entry);
}

void
mrt_model_set_param (MrtModel *model, const char *name, MrtTensor *value)
{
  g_hash_table_insert (model->params, g_strdup (name), mrt_tensor_to_f32 (value));
}

void
mrt_model_set_param_raw (MrtModel *model, const char *name, MrtTensor *value)
{
  g_hash_table_insert (model->params, g_strdup (name), mrt_tensor_ref (value));
}

gint
mrt_model_find (const MrtModel *model, const char *name)
{
  return (gint) GPOINTER_TO_UINT (g_hash_table_lookup (model->index, name)) - 1;
}

MrtTensor *
mrt_model_get_param (const MrtModel *model, const char *name)
{
  return g_hash_table_lookup (model->params, name);
}

gboolean
mrt_model_is_param (const MrtModel *model, guint node)
{
  MrtNode *n = mrt_model_node (model, node);
  return mrt_node_is_variable (n) && g_hash_table_contains (model->params, n->name);
}

guint
mrt_model_n_entries (const MrtModel *model)
{
  guint n = model->nodes->len;
  if (n == 0)
    return 0;
  return g_array_index (model->entry_offset, guint, n - 1) + mrt_model_node (model, n - 1)->n_outputs;
}

guint
mrt_model_entry_id (const MrtModel *model, MrtEntry entry)
{
  return g_array_index (model->entry_offset, guint, entry.node) + entry.index;
}

/* A variable is a label when every consumer takes it in a label slot. */
static gboolean
variable_is_label (const MrtModel *model, guint var)
{
  gboolean used = FALSE;
  for (guint i = var + 1; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      const MrtOpDef *def = mrt_op_lookup (n->op);
      for (guint j = 0; j < n->n_inputs; j++)
        if (n->inputs[j].node == var)
          {
            if (!def || !mrt_op_input_is_label (def, n, j))
              return FALSE;
            used = TRUE;
          }
    }
  return used;
}

GArray *
mrt_model_inputs (const MrtModel *model)
{
  GArray *a = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      if (mrt_node_is_variable (n) && !g_hash_table_contains (model->params, n->name) &&
          !variable_is_label (model, i))
        g_array_append_val (a, i);
    }
  return a;
}

void
mrt_model_param_stats (const MrtModel *model, guint64 *count, guint64 *bytes)
{
  guint64 c = 0;
  for (guint i = 0; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      MrtTensor *t;
      if (mrt_node_is_variable (n) && (t = g_hash_table_lookup (model->params, n->name)))
        c += t->n;
    }
  *count = c;
  *bytes = c * sizeof (float);
}

char *
mrt_model_entry_name (const MrtModel *model, MrtEntry entry)
{
  MrtNode *n = mrt_model_node (model, entry.node);
  if (n->n_outputs > 1)
    return g_strdup_printf ("%s_output%u", n->name, entry.index);
  if (mrt_node_is_variable (n))
    return g_strdup (n->name);
  return g_strdup_printf ("%s_output", n->name);
}

static gboolean
validate_attrs (const MrtNode *node, const MrtOpDef *def, GError **error)
{
  GHashTableIter it;
  gpointer k, v;

  if (def->attrs)
    for (const MrtAttrSpec *s = def->attrs; s->name; s++)
      if (s->required && !g_hash_table_contains (node->attrs, s->name))
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE,
                       "node “%s” (%s): required attribute “%s” is missing", node->name, node->op, s->name);
          return FALSE;
        }
  g_hash_table_iter_init (&it, node->attrs);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      const char *key = k;
      if (g_str_has_prefix (key, "__") || !def->attrs)
        continue;
      for (const MrtAttrSpec *s = def->attrs; s->name; s++)
        if (strcmp (s->name, key) == 0 && !mrt_attr_check (s->type, v))
          {
            g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE,
                         "node “%s” (%s): attribute %s=“%s” is not %s", node->name, node->op, key,
                         (const char *) v, mrt_attr_type_name (s->type));
            return FALSE;
          }
    }
  return TRUE;
}

gboolean
mrt_model_validate (MrtModel *model, GError **error)
{
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  GHashTableIter it;
  gpointer k, v;

  if (model->nodes->len == 0)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "the graph has no nodes");
      return FALSE;
    }
  for (guint i = 0; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      const MrtOpDef *def = mrt_op_lookup (n->op);

      if (n->name[0] == '\0')
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "node %u has an empty name", i);
          return FALSE;
        }
      if (g_hash_table_contains (seen, n->name))
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "node name “%s” is used twice (nodes must have unique names)", n->name);
          return FALSE;
        }
      g_hash_table_add (seen, n->name);
      if (def == NULL)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_UNKNOWN_OP,
                       "node “%s”: unknown operator “%s”", n->name, n->op);
          return FALSE;
        }
      if ((gint) n->n_inputs < def->min_inputs || (def->max_inputs >= 0 && (gint) n->n_inputs > def->max_inputs))
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "node “%s” (%s) has %u inputs; the operator takes %d to %d", n->name, n->op,
                       n->n_inputs, def->min_inputs, def->max_inputs);
          return FALSE;
        }
      for (guint j = 0; j < n->n_inputs; j++)
        {
          MrtEntry e = n->inputs[j];
          if (e.node >= i)
            {
              g_set_error (error, MRT_MODEL_ERROR,
                           e.node < model->nodes->len ? MRT_MODEL_ERROR_CYCLE : MRT_MODEL_ERROR_INVALID,
                           "node “%s”: input %u refers to node %u, which %s", n->name, j, e.node,
                           e.node < model->nodes->len ? "does not come before it (cycle)" : "does not exist");
              return FALSE;
            }
          if (e.index >= mrt_model_node (model, e.node)->n_outputs)
            {
              g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                           "node “%s”: input %u uses output %u of “%s”, which has %u outputs", n->name, j,
                           e.index, mrt_model_node (model, e.node)->name, mrt_model_node (model, e.node)->n_outputs);
              return FALSE;
            }
        }
      if (!validate_attrs (n, def, error))
        return FALSE;
    }
  if (model->heads->len == 0)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "the graph has no outputs");
      return FALSE;
    }
  for (guint i = 0; i < model->heads->len; i++)
    {
      MrtEntry e = mrt_model_head (model, i);
      if (e.node >= model->nodes->len || e.index >= mrt_model_node (model, e.node)->n_outputs)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "graph output %u refers to entry [%u, %u], which does not exist", i, e.node, e.index);
          return FALSE;
        }
    }
  g_hash_table_iter_init (&it, model->params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtTensor *t = v;
      const float *d = mrt_tensor_f32 (t);
      if (t->dtype != MRT_DTYPE_F32)
        continue;
      for (gsize j = 0; j < t->n; j++)
        if (!isfinite (d[j]))
          {
            g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_PARAM,
                         "parameter “%s” holds a non-finite value (%g) at element %" G_GSIZE_FORMAT,
                         (const char *) k, (double) d[j], j);
            return FALSE;
          }
    }
  return TRUE;
}

MrtShape *
mrt_model_infer_shapes (const MrtModel *model, GHashTable *input_shapes, GError **error)
{
  guint n_entries = mrt_model_n_entries (model);
  g_autofree MrtShape *shapes = g_new0 (MrtShape, n_entries ? n_entries : 1);
  g_autofree MrtShape *in = NULL;
  guint max_in = 0;

  for (guint i = 0; i < model->nodes->len; i++)
    max_in = MAX (max_in, mrt_model_node (model, i)->n_inputs);
  in = g_new0 (MrtShape, max_in + 1);

  for (guint i = 0; i < model->nodes->len; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      MrtShape *out = &shapes[mrt_model_entry_id (model, (MrtEntry){ i, 0 })];
      const MrtOpDef *def;

      if (mrt_node_is_variable (n))
        {
          MrtTensor *t = g_hash_table_lookup (model->params, n->name);
          MrtShape *given = input_shapes ? g_hash_table_lookup (input_shapes, n->name) : NULL;
          const char *attr = mrt_node_get_attr (n, "__shape__");
          if (t)
            *out = t->shape;
          else if (given)
            *out = *given;
          /* an oversized __shape__ goes on to mrt_shape_check below, which
           * names the problem; mrt_shape_size alone could overflow on it */
          else if (attr && mrt_shape_parse (attr, FALSE, out, NULL) &&
                   (!mrt_shape_check (out, NULL) || mrt_shape_size (out) > 0))
            ;
          else if (variable_is_label (model, i))
            *out = (MrtShape){ 0 }; /* labels never reach a kernel */
          else
            {
              g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE,
                           "input “%s” has no shape: give one (for example --input-shape \"(1, 3, 224, 224)\")",
                           n->name);
              return NULL;
            }
          if (!mrt_shape_check (out, error))
            {
              g_prefix_error (error, "input “%s”: ", n->name);
              return NULL;
            }
          continue;
        }
      def = mrt_op_lookup (n->op);
      if (def == NULL || def->infer_shape == NULL)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_UNKNOWN_OP,
                       "node “%s”: no shape inference for operator “%s”", n->name, n->op);
          return NULL;
        }
      for (guint j = 0; j < n->n_inputs; j++)
        in[j] = shapes[mrt_model_entry_id (model, n->inputs[j])];
      if (!def->infer_shape (n, in, out, error))
        {
          g_prefix_error (error, "node “%s” (%s): ", n->name, n->op);
          if (error && *error)
            (*error)->domain = MRT_MODEL_ERROR, (*error)->code = MRT_MODEL_ERROR_SHAPE;
          return NULL;
        }
      for (guint j = 0; j < n->n_outputs; j++)
        if (!mrt_shape_check (&out[j], error))
          {
            g_prefix_error (error, "node “%s” (%s): ", n->name, n->op);
            return NULL;
          }
    }
  return g_steal_pointer (&shapes);
}

MrtShape *
mrt_model_infer_shapes_single (const MrtModel *model, const MrtShape *input_shape, GError **error)
{
  g_autoptr (GHashTable) map = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (GArray) inputs = mrt_model_inputs (model);
  if (input_shape)
    for (guint i = 0; i < inputs->len; i++)
      g_hash_table_insert (map, mrt_model_node (model, g_array_index (inputs, guint, i))->name,
                           (gpointer) input_shape);
  return mrt_model_infer_shapes (model, map, error);
}

const char *
mrt_node_get_attr (const MrtNode *node, const char *key)
{
  return g_hash_table_lookup (node->attrs, key);
}

gboolean
mrt_node_has_attr (const MrtNode *node, const char *key)
{
  return g_hash_table_contains (node->attrs, key);
}

gint64
mrt_node_get_int (const MrtNode *node, const char *key, gint64 def)
{
  const char *s = mrt_node_get_attr (node, key);
  gint64 v;
  return s && mrt_attr_parse_int (s, &v) ? v : def;
}

double
mrt_node_get_float (const MrtNode *node, const char *key, double def)
{
  const char *s = mrt_node_get_attr (node, key);
  double v;
  return s && mrt_attr_parse_float (s, &v) ? v : def;
}

gboolean
mrt_node_get_bool (const MrtNode *node, const char *key, gboolean def)
{
  const char *s = mrt_node_get_attr (node, key);
  gboolean v;
  return s && mrt_attr_parse_bool (s, &v) ? v : def;
}

const char *
mrt_node_get_string (const MrtNode *node, const char *key, const char *def)
{
  const char *s = mrt_node_get_attr (node, key);
  return s ? s : def;
}

gboolean
mrt_node_get_tuple (const MrtNode *node, const char *key, MrtTuple *out)
{
  const char *s = mrt_node_get_attr (node, key);
  if (s && mrt_attr_parse_tuple (s, out))
    return TRUE;
  out->n = 0;
  return FALSE;
}

void
mrt_node_set_attr (MrtNode *node, const char *key, const char *value)
{
  g_hash_table_insert (node->attrs, g_strdup (key), g_strdup (value));
}

gboolean
mrt_topo_order (guint n, guint *const *deps, const guint *n_deps, guint *order, guint *cycle_node)
{
  g_autofree guint *indeg = g_new0 (guint, n + 1);
  g_autofree guint *queue = g_new (guint, n + 1);
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func ((GDestroyNotify) g_array_unref);
  guint head = 0, tail = 0, done = 0;

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (users, g_array_new (FALSE, FALSE, sizeof (guint)));
  for (guint i = 0; i < n; i++)
    for (guint j = 0; j < n_deps[i]; j++)
      {
        g_array_append_val (g_ptr_array_index (users, deps[i][j]), i);
        indeg[i]++;
      }
  for (guint i = 0; i < n; i++)
    if (indeg[i] == 0)
      queue[tail++] = i;
  while (head < tail)
    {
      guint i = queue[head++];
      GArray *u = g_ptr_array_index (users, i);
      order[done++] = i;
      for (guint j = 0; j < u->len; j++)
        if (--indeg[g_array_index (u, guint, j)] == 0)
          queue[tail++] = g_array_index (u, guint, j);
    }
  if (done < n)
    {
      /* The first unsorted node may only sit downstream of a cycle. Every
       * unsorted node has an unsorted predecessor, so walking back n steps
       * from it must end on the cycle itself. */
      guint cur = 0;
      while (indeg[cur] == 0)
        cur++;
      for (guint step = 0; step < n; step++)
        for (guint j = 0; j < n_deps[cur]; j++)
          if (indeg[deps[cur][j]] > 0)
            {
              cur = deps[cur][j];
              break;
            }
      *cycle_node = cur;
      return FALSE;
    }
  return TRUE;
}
