/* mrt-split.c: SPLIT and MERGE (spec §4). */
#include "mrt-split.h"

#include "mrt-rewriter.h"

/* ---- split ---- */

typedef struct {
  const gboolean *is_key;
  const MrtShape *shapes;
} TopInfo;

static gboolean
top_node (MrtRewriter *rw, guint node, gpointer data)
{
  const TopInfo *info = data;
  const MrtModel *src = mrt_rewriter_src (rw);
  const MrtNode *n = mrt_model_node (src, node);
  GHashTable *attrs;
  if (!info->is_key[node])
    return TRUE;
  attrs = mrt_attrs_empty ();
  mrt_attrs_set_take (attrs, "__shape__",
                      mrt_shape_to_string (&info->shapes[mrt_model_entry_id (src, (MrtEntry){ node, 0 })]));
  mrt_rewriter_map (rw, node, 0, mrt_rewriter_add_variable (rw, n->name, attrs));
  return !mrt_rewriter_failed (rw);
}

static gboolean
mark_keys (MrtModel *model, const char *const *keys, guint n_keys, gboolean *is_key, GError **error)
{
  for (guint k = 0; k < n_keys; k++)
    {
      gint idx = mrt_model_find (model, keys[k]);
      if (idx < 0)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "split key “%s” is not a node of the model",
                       keys[k]);
          return FALSE;
        }
      if (mrt_node_is_variable (mrt_model_node (model, idx)) || mrt_model_node (model, idx)->n_outputs != 1)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "split key “%s” must be an operator with one output", keys[k]);
          return FALSE;
        }
      is_key[idx] = TRUE;
    }
  if (n_keys == 0)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "no split keys given");
      return FALSE;
    }
  return TRUE;
}

gboolean
mrt_split (MrtModel *prepared, const MrtShape *input_shape, const char *const *keys, guint n_keys,
           MrtModel **base, MrtModel **top, GError **error)
{
  guint n = mrt_model_n_nodes (prepared);
  g_autofree gboolean *is_key = g_new0 (gboolean, n + 1);
  g_autofree MrtShape *shapes = NULL;
  g_autoptr (MrtModel) b = NULL;
  g_autoptr (MrtRewriter) rw = NULL;
  TopInfo info;

  *base = *top = NULL;
  if (!mark_keys (prepared, keys, n_keys, is_key, error))
    return FALSE;
  if (!(shapes = mrt_model_infer_shapes_single (prepared, input_shape, error)))
    return FALSE;
  b = mrt_model_copy (prepared);
  g_array_set_size (b->heads, 0);
  for (guint i = 0; i < n; i++)
    if (is_key[i])
      mrt_model_add_head (b, (MrtEntry){ i, 0 });

  info = (TopInfo){ is_key, shapes };
  rw = mrt_rewriter_new (prepared, input_shape, NULL);
  if (!mrt_rewriter_run (rw, NULL, top_node, &info, error))
    return FALSE;
  *top = mrt_rewriter_finish (rw);
  *base = mrt_rewriter_prune (b);
  return TRUE;
}

/* ---- merge ---- */

static gint
key_index (const char *const *names, guint n, const char *key)
{
  for (guint i = 0; i < n; i++)
    if (g_strcmp0 (names[i], key) == 0)
      return (gint) i;
  return -1;
}

typedef struct {
  MrtModel *merged;
  GHashTable *lookup; /* name -> MrtEntry* in merged */
  const char *const *keys;
  guint n_keys;
  const double *oscales;
} Merge;

static gboolean
apply_deps (Merge *m, MrtNode *node, const MrtAttributeDep *deps, guint n_deps, GError **error)
{
  for (guint i = 0; i < n_deps; i++)
    {
      gint k;
      double v;
      if (g_strcmp0 (deps[i].op, node->op) != 0)
        continue;
      if ((k = key_index (m->keys, m->n_keys, deps[i].key)) < 0)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "Attribute_deps: “%s” is not an output of the base model", deps[i].key);
          return FALSE;
        }
      v = mrt_node_get_float (node, deps[i].attr, 0.0) * m->oscales[k];
      g_hash_table_insert (node->attrs, g_strdup (deps[i].attr), g_strdup_printf ("%" G_GINT64_FORMAT, (gint64) v));
    }
  return TRUE;
}

/* Adds a copy of top node n (not found in the base) on mapped inputs. */
static gboolean
merge_node (Merge *m, MrtModel *top, const MrtNode *n, const MrtEntry *in, const MrtAttributeDep *deps,
            guint n_deps, MrtEntry *out, GError **error)
{
  guint idx = mrt_model_add_node_n (m->merged, n->name, n->op, mrt_attrs_copy (n->attrs), in, n->n_inputs,
                                    n->n_outputs);
  MrtTensor *t;
  if (mrt_node_is_variable (n) && (t = mrt_model_get_param (top, n->name)) &&
      !mrt_model_get_param (m->merged, n->name))
    mrt_model_set_param_raw (m->merged, n->name, t);
  *out = (MrtEntry){ idx, 0 };
  return apply_deps (m, mrt_model_node (m->merged, idx), deps, n_deps, error);
}

static void
build_lookup (Merge *m, MrtModel *qbase)
{
  for (guint i = 0; i < mrt_model_n_nodes (qbase); i++)
    if (!g_hash_table_contains (m->lookup, mrt_model_node (qbase, i)->name))
      g_hash_table_insert (m->lookup, mrt_model_node (qbase, i)->name, g_memdup2 (&(MrtEntry){ i, 0 }, sizeof (MrtEntry)));
  for (guint j = 0; j < m->n_keys; j++)
    g_hash_table_insert (m->lookup, (gpointer) m->keys[j], g_memdup2 (&g_array_index (qbase->heads, MrtEntry, j),
                                                                      sizeof (MrtEntry)));
}

static gboolean
merge_oscales (Merge *m, MrtModel *top, const MrtOscaleMap *maps, guint n_maps, double **out, GError **error)
{
  guint n = mrt_model_n_heads (top);
  g_autofree double *sc = g_new0 (double, n + 1);
  if (n_maps > 0 && n_maps != n)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                   "Oscale_maps has %u entries but the merged model has %u outputs", n_maps, n);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      const char *key = n_maps ? maps[i].key : mrt_model_node (top, mrt_model_head (top, i).node)->name;
      gint k = key ? key_index (m->keys, m->n_keys, key) : -1;
      if (n_maps && key && k < 0)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID,
                       "Oscale_maps: “%s” is not an output of the base model", key);
          return FALSE;
        }
      sc[i] = k >= 0 ? m->oscales[k] : 1.0;
    }
  if (out)
    *out = g_steal_pointer (&sc);
  return TRUE;
}

MrtModel *
mrt_merge (MrtModel *qbase, MrtModel *top, const char *const *base_output_names_original,
           const MrtAttributeDep *deps, guint n_deps, const double *base_oscales, const MrtOscaleMap *maps,
           guint n_maps, double **out_oscales, GError **error)
{
  g_autoptr (GHashTable) lookup = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);
  g_autoptr (MrtModel) merged = mrt_model_copy (qbase);
  g_autofree MrtEntry *map = g_new0 (MrtEntry, mrt_model_n_nodes (top) + 1);
  Merge m = { merged, lookup, base_output_names_original, mrt_model_n_heads (qbase), base_oscales };

  g_array_set_size (merged->heads, 0);
  build_lookup (&m, qbase);
  for (guint i = 0; i < mrt_model_n_nodes (top); i++)
    {
      const MrtNode *n = mrt_model_node (top, i);
      MrtEntry *found = g_hash_table_lookup (lookup, n->name);
      g_autofree MrtEntry *in = g_new0 (MrtEntry, n->n_inputs + 1);
      if (found)
        {
          map[i] = *found;
          continue;
        }
      for (guint j = 0; j < n->n_inputs; j++)
        in[j] = (MrtEntry){ map[n->inputs[j].node].node, map[n->inputs[j].node].index + n->inputs[j].index };
      if (!merge_node (&m, top, n, in, deps, n_deps, &map[i], error))
        return NULL;
    }
  for (guint i = 0; i < mrt_model_n_heads (top); i++)
    {
      MrtEntry h = mrt_model_head (top, i);
      mrt_model_add_head (merged, (MrtEntry){ map[h.node].node, map[h.node].index + h.index });
    }
  if (!merge_oscales (&m, top, maps, n_maps, out_oscales, error))
    return NULL;
  return mrt_rewriter_prune (merged);
}
