/* mrt-executor.c: the float32 executor. Shapes are inferred per run from the
 * input shapes, so one model serves any batch size. Each intermediate tensor
 * is released as soon as its last consumer has run. */
#include "mrt-executor.h"

#include "mrt-op.h"

GPtrArray *
mrt_model_forward (const MrtModel *model, MrtTensor *const *inputs, guint n_inputs,
                   const MrtRunOptions *options, GError **error)
{
  static const MrtRunOptions no_options = { 0 };
  g_autoptr (GArray) input_nodes = mrt_model_inputs (model);
  g_autoptr (GHashTable) shape_map = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree MrtShape *shapes = NULL;
  g_autofree MrtTensor **values = NULL;
  g_autofree guint *uses = NULL;
  g_autofree MrtTensor **in = NULL;
  guint n_entries = mrt_model_n_entries (model), max_in = 1;
  GPtrArray *result = NULL;
  gboolean ok = TRUE;

  if (options == NULL)
    options = &no_options;
  if (n_inputs != input_nodes->len)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                   "the model takes %u inputs, %u were given", input_nodes->len, n_inputs);
      return NULL;
    }
  for (guint i = 0; i < n_inputs; i++)
    g_hash_table_insert (shape_map, mrt_model_node (model, g_array_index (input_nodes, guint, i))->name,
                         (gpointer) &inputs[i]->shape);
  shapes = mrt_model_infer_shapes (model, shape_map, error);
  if (shapes == NULL)
    return NULL;

  values = g_new0 (MrtTensor *, n_entries);
  uses = g_new0 (guint, n_entries);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      max_in = MAX (max_in, n->n_inputs);
      for (guint j = 0; j < n->n_inputs; j++)
        uses[mrt_model_entry_id (model, n->inputs[j])]++;
    }
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    uses[mrt_model_entry_id (model, mrt_model_head (model, i))]++;
  in = g_new0 (MrtTensor *, max_in);

  for (guint i = 0; i < mrt_model_n_nodes (model) && ok; i++)
    {
      MrtNode *n = mrt_model_node (model, i);
      guint first = mrt_model_entry_id (model, (MrtEntry){ i, 0 });

      if (g_cancellable_set_error_if_cancelled (options->cancellable, error))
        {
          ok = FALSE;
          break;
        }
      if (mrt_node_is_variable (n))
        {
          MrtTensor *t = mrt_model_get_param (model, n->name);
          for (guint k = 0; k < n_inputs && !t; k++)
            if (g_array_index (input_nodes, guint, k) == i)
              t = inputs[k];
          if (t == NULL) /* a label: give it an empty tensor */
            values[first] = mrt_tensor_new (MRT_DTYPE_F32, &shapes[first]);
          else
            values[first] = t->dtype == MRT_DTYPE_F32 ? mrt_tensor_ref (t) : mrt_tensor_to_f32 (t);
        }
      else
        {
          const MrtOpDef *def = mrt_op_lookup (n->op);
          if (def == NULL || def->forward == NULL)
            {
              g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                           "node “%s”: operator “%s” has no float kernel", n->name, n->op);
              ok = FALSE;
              break;
            }
          for (guint j = 0; j < n->n_inputs; j++)
            in[j] = values[mrt_model_entry_id (model, n->inputs[j])];
          for (guint j = 0; j < n->n_outputs && ok; j++)
            if (!(values[first + j] = mrt_tensor_try_new (MRT_DTYPE_F32, &shapes[first + j], error)))
              ok = FALSE;
          if (ok && !def->forward (n, in, &values[first], error))
            {
              g_prefix_error (error, "node “%s” (%s): ", n->name, n->op);
              ok = FALSE;
            }
          for (guint j = 0; j < n->n_inputs && ok; j++)
            {
              guint e = mrt_model_entry_id (model, n->inputs[j]);
              if (--uses[e] == 0)
                g_clear_pointer (&values[e], mrt_tensor_unref);
            }
        }
      if (ok && options->observer &&
          !options->observer (model, i, &values[first], options->user_data, error))
        ok = FALSE;
    }

  if (ok)
    {
      result = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
      for (guint i = 0; i < mrt_model_n_heads (model); i++)
        g_ptr_array_add (result, mrt_tensor_ref (values[mrt_model_entry_id (model, mrt_model_head (model, i))]));
    }
  for (guint e = 0; e < n_entries; e++)
    g_clear_pointer (&values[e], mrt_tensor_unref);
  return result;
}

MrtTensor *
mrt_model_forward1 (const MrtModel *model, MrtTensor *input, GError **error)
{
  g_autoptr (GPtrArray) out = mrt_model_forward (model, &input, 1, NULL, error);
  return out ? mrt_tensor_ref (g_ptr_array_index (out, 0)) : NULL;
}
