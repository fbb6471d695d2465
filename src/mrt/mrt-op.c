/* mrt-op.c: the op registry, built once from the family tables in ops/. */
#include "mrt-op.h"

#include "mrt-tensor.h"

static const MrtOpDef variable_def = { .name = "null", .min_inputs = 0, .max_inputs = 0 };

static const MrtOpDef *const *
families (void)
{
  static const MrtOpDef *const tables[] = {
    mrt_ops_nn, mrt_ops_elemwise, mrt_ops_transform, mrt_ops_reduce, mrt_ops_vision, mrt_ops_cvm, NULL,
  };
  return tables;
}

static GHashTable *
registry (void)
{
  static GHashTable *table;
  static gsize once;
  if (g_once_init_enter (&once))
    {
      GHashTable *t = g_hash_table_new (g_str_hash, g_str_equal);
      g_hash_table_insert (t, (gpointer) variable_def.name, (gpointer) &variable_def);
      for (const MrtOpDef *const *f = families (); *f; f++)
        for (const MrtOpDef *d = *f; d->name; d++)
          {
            if (g_hash_table_contains (t, d->name))
              g_error ("op %s is registered twice", d->name);
            g_hash_table_insert (t, (gpointer) d->name, (gpointer) d);
          }
      table = t;
      g_once_init_leave (&once, 1);
    }
  return table;
}

const MrtOpDef *
mrt_op_lookup (const char *name)
{
  return g_hash_table_lookup (registry (), name);
}

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  const MrtOpDef *x = *(const MrtOpDef *const *) a, *y = *(const MrtOpDef *const *) b;
  return strcmp (x->name, y->name);
}

GPtrArray *
mrt_op_list (void)
{
  GPtrArray *a = g_ptr_array_new ();
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, registry ());
  while (g_hash_table_iter_next (&it, &k, &v))
    g_ptr_array_add (a, v);
  g_ptr_array_sort (a, compare_names);
  return a;
}

guint
mrt_op_num_outputs (const MrtOpDef *def, const MrtNode *node)
{
  return def->num_outputs ? def->num_outputs (node) : 1;
}

gboolean
mrt_op_input_is_label (const MrtOpDef *def, const MrtNode *node, guint i)
{
  return def->n_data_inputs > 0 && i >= def->n_data_inputs;
}

gboolean
mrt_broadcast_shape (const MrtShape *a, const MrtShape *b, MrtShape *out, GError **error)
{
  int nd = MAX (a->ndim, b->ndim);
  MrtShape r = { .ndim = nd };
  for (int i = 0; i < nd; i++)
    {
      int ia = a->ndim - nd + i, ib = b->ndim - nd + i;
      gint64 da = ia >= 0 ? a->dim[ia] : 1, db = ib >= 0 ? b->dim[ib] : 1;
      if (da != db && da != 1 && db != 1)
        {
          g_autofree char *sa = mrt_shape_to_string (a);
          g_autofree char *sb = mrt_shape_to_string (b);
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE,
                       "shapes %s and %s cannot be broadcast together", sa, sb);
          return FALSE;
        }
      r.dim[i] = da == 1 ? db : da;
    }
  *out = r;
  return TRUE;
}

gboolean
mrt_normalize_axis (gint64 axis, int ndim, int *out)
{
  if (axis < 0)
    axis += ndim;
  if (axis < 0 || axis >= ndim)
    return FALSE;
  *out = (int) axis;
  return TRUE;
}
