/* mrt-cvm-exec-plan.c: how the CVM executor cuts a graph into steps (runs
 * of element-wise operators, conv2d / dense with fused epilogues) and whether
 * a batch can be cut into slices. See mrt-cvm-exec.c for why neither changes
 * a result. */
#include "mrt-cvm-exec-private.h"

#include <string.h>

/* ---- runs of element-wise operators ------------------------------------ */

static const char *const elementwise_ops[] = {
  "relu", "abs", "negative", "cvm_precision", "elemwise_add", "elemwise_sub", "clip", "cvm_clip",
  "cvm_left_shift", "cvm_right_shift", "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_max",
  "broadcast_div", "broadcast_greater", NULL,
};

/* The element count of node i when it can run blockwise, else 0: an
 * element-by-element op whose inputs have its output's size, or are
 * 1-element parameters (never written while the model runs). */
static gsize
elementwise_size (const MrtCvmExec *x, guint i)
{
  const MrtCvmGraph *g = x->graph;
  const MrtNode *n = mrt_model_node (g->model, i);
  gsize size;

  if (g->defs[i] == NULL || n->n_outputs != 1 || n->n_inputs > 2 ||
      !g_strv_contains (elementwise_ops, g->defs[i]->name))
    return 0;
  size = (gsize) mrt_shape_size (&g->shapes[g->entry_offset[i]]);
  if (size < 2)
    return 0;
  for (guint j = 0; j < n->n_inputs; j++)
    {
      guint e = mrt_cvm_graph_entry (g, n->inputs[j]);
      gsize in = (gsize) mrt_shape_size (&g->shapes[e]);
      if (in != size && !(in == 1 && is_param (g, n->inputs[j].node)))
        return 0;
    }
  return size;
}

static gint fusion_disabled; /* atomic */

void
mrt_cvm_exec_set_fusion (gboolean enabled)
{
  g_atomic_int_set (&fusion_disabled, !enabled);
}

/* The epilogue operator node i computes from its input 0, or FALSE. */
static gboolean
as_epilogue (const MrtCvmExec *x, guint i, MrtCvmEpilogue *ep)
{
  const MrtCvmGraph *g = x->graph;
  const MrtNode *n = mrt_model_node (g->model, i);
  const MrtCvmAttrs *a = g->attrs[i];
  const char *op = g->defs[i]->name;

  memset (ep, 0, sizeof *ep);
  if (strcmp (op, "relu") == 0)
    *ep = (MrtCvmEpilogue){ MRT_CVM_EPI_CLAMP, 0, 0, G_MAXINT32, 0 };
  else if (strcmp (op, "cvm_clip") == 0 || strcmp (op, "cvm_right_shift") == 0)
    {
      gint32 r = (gint32) mrt_cvm_range ((int) a->v[mrt_cvm_attr_index (a->def, "precision")].i);
      *ep = (MrtCvmEpilogue){ MRT_CVM_EPI_CLAMP, 0, -r, r, 0 };
      if (op[4] == 'r')
        {
          ep->op = MRT_CVM_EPI_RSHIFT;
          ep->shift = (int) a->v[mrt_cvm_attr_index (a->def, "shift_bit")].i;
        }
    }
  else if (strcmp (op, "clip") == 0)
    *ep = (MrtCvmEpilogue){ MRT_CVM_EPI_CLAMP, 0, (gint32) a->v[mrt_cvm_attr_index (a->def, "a_min")].i,
                            (gint32) a->v[mrt_cvm_attr_index (a->def, "a_max")].i, 0 };
  else if (strcmp (op, "broadcast_mul") == 0 && n->n_inputs == 2 && is_param (g, n->inputs[1].node) &&
           mrt_shape_size (&g->shapes[mrt_cvm_graph_entry (g, n->inputs[1])]) == 1 &&
           mrt_shape_equal (&g->shapes[mrt_cvm_graph_entry (g, n->inputs[0])], &g->shapes[g->entry_offset[i]]))
    *ep = (MrtCvmEpilogue){ MRT_CVM_EPI_MUL, 0, 0, 0, x->buffers[x->slot[mrt_cvm_graph_entry (g, n->inputs[1])]][0] };
  else
    return FALSE;
  return TRUE;
}

/* Fuses into the conv2d / dense step the element-wise nodes that directly
 * follow it in node order and only read the previous one's result, as long
 * as no other node and no graph output reads that result (it is then never
 * stored). The step writes the last fused node's buffer, which must not be
 * the convolution's input buffer (tiles still read it while others store). */
static void
fuse_epilogue (const MrtCvmExec *x, const guint *readers, Step *st)
{
  const MrtCvmGraph *g = x->graph;
  const MrtNode *conv = mrt_model_node (g->model, st->first);
  guint in_slot = x->slot[mrt_cvm_graph_entry (g, conv->inputs[0])];
  guint tail = g->entry_offset[st->first], last = st->first, n_epi = 0;
  MrtCvmEpilogue epi[MRT_CVM_MAX_EPILOGUE];

  if (g_atomic_int_get (&fusion_disabled))
    return;
  for (guint i = st->first + 1; i < g->n_nodes && n_epi < MRT_CVM_MAX_EPILOGUE; i++)
    {
      const MrtNode *n = mrt_model_node (g->model, i);
      if (g->defs[i] == NULL)
        continue;
      if (readers[tail] != 1 || n->n_inputs < 1 || mrt_cvm_graph_entry (g, n->inputs[0]) != tail ||
          !as_epilogue (x, i, &epi[n_epi]))
        break;
      n_epi++;
      tail = g->entry_offset[i];
      /* a prefix that ends on the input's buffer is cut back below */
      if (x->slot[tail] != in_slot)
        {
          last = i;
          st->n_epi = n_epi;
        }
    }
  st->last = last;
  memcpy (st->epi, epi, st->n_epi * sizeof *epi);
}

void
cvm_exec_plan_steps (MrtCvmExec *x)
{
  const MrtCvmGraph *g = x->graph;
  g_autofree guint *readers = g_new0 (guint, g->n_entries + 1);

  /* readers per entry: node inputs and graph outputs */
  for (guint i = 0; i < g->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (g->model, i);
      for (guint j = 0; j < n->n_inputs; j++)
        readers[mrt_cvm_graph_entry (g, n->inputs[j])]++;
    }
  for (guint h = 0; h < g->model->heads->len; h++)
    readers[mrt_cvm_graph_entry (g, mrt_model_head (g->model, h))]++;

  x->steps = g_array_new (FALSE, FALSE, sizeof (Step));
  for (guint i = 0; i < g->n_nodes; i++)
    {
      gsize size;
      Step *last = x->steps->len ? &g_array_index (x->steps, Step, x->steps->len - 1) : NULL;
      if (g->defs[i] == NULL)
        continue;
      if (x->kinds[i] != KIND_OTHER)
        {
          Step st = { i, i, 0, FALSE };
          fuse_epilogue (x, readers, &st);
          g_array_append_val (x->steps, st);
          i = st.last;
          continue;
        }
      size = elementwise_size (x, i);
      if (size && last && last->blocked && last->n == size)
        last->last = i;
      else
        g_array_append_val (x->steps, ((Step){ i, i, size, size > 0 }));
    }
}

/* ---- can the batch be sliced? ------------------------------------------- */

/* Is axis 0 among the axes of the (tuple or int) attribute `key` of an
 * ndim-D input? An empty tuple counts as every axis. */
static gboolean
attr_names_axis0 (const MrtCvmAttrs *a, const char *key, int ndim)
{
  int k = mrt_cvm_attr_index (a->def, key);
  const MrtCvmValue *v;
  if (k < 0)
    return TRUE;
  v = &a->v[k];
  if (a->def->attrs[k].type == MRT_CVM_INT)
    return v->i == 0 || v->i == -ndim;
  if (v->n == 0)
    return TRUE;
  for (int j = 0; j < v->n; j++)
    if (v->t[j] == 0 || v->t[j] == -ndim)
      return TRUE;
  return FALSE;
}

/* sum / max: is axis 0 reduced? (axis=() reduces every axis, exclude inverts a list) */
static gboolean
reduces_axis0 (const MrtCvmAttrs *a, int ndim)
{
  int ax = mrt_cvm_attr_index (a->def, "axis"), ex = mrt_cvm_attr_index (a->def, "exclude");
  if (ax < 0 || ex < 0 || a->v[ax].n == 0)
    return TRUE;
  return a->v[ex].i ? !attr_names_axis0 (a, "axis", ndim) : attr_names_axis0 (a, "axis", ndim);
}

/* Does every operator compute sample i of its outputs from sample i of its
 * inputs alone (and parameters)? Conservative: unknown ops say no. */
gboolean
cvm_exec_batch_separable (const MrtCvmExec *x)
{
  static const char *const per_sample[] = {
    "relu", "abs", "negative", "cvm_precision", "clip", "cvm_clip", "cvm_left_shift", "cvm_right_shift",
    "elemwise_add", "elemwise_sub", "flatten", "reshape", "expand_dims", "squeeze", "max_pool2d", "upsampling",
    "conv2d", "dense", "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_max", "broadcast_div",
    "broadcast_greater", "sum", "max", "cvm_lut", "transpose", "concatenate", NULL,
  };
  const MrtCvmGraph *g = x->graph;
  const MrtShape *ds = &g->shapes[g->entry_offset[g->data_node]];
  gint64 batch = ds->ndim >= 1 ? ds->dim[0] : 0;

  if (batch < 2)
    return FALSE;
  for (guint i = 0; i < g->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (g->model, i);
      const char *op;
      const MrtShape *out;
      if (g->defs[i] == NULL)
        continue;
      op = g->defs[i]->name;
      out = &g->shapes[g->entry_offset[i]];
      if (!g_strv_contains (per_sample, op))
        return FALSE;
      for (guint k = 0; k < n->n_outputs; k++)
        if (g->shapes[g->entry_offset[i] + k].ndim < 1 || g->shapes[g->entry_offset[i] + k].dim[0] != batch)
          return FALSE;
      for (guint j = 0; j < n->n_inputs; j++)
        {
          const MrtShape *in = &g->shapes[mrt_cvm_graph_entry (g, n->inputs[j])];
          gboolean param = is_param (g, n->inputs[j].node);
          if (!param)
            {
              /* a batch tensor: its axis 0 must be the output's axis 0 */
              if (in->ndim < 1 || in->dim[0] != batch)
                return FALSE;
              if (g_str_has_prefix (op, "broadcast_") && in->ndim != out->ndim)
                return FALSE;
            }
          else if (g_str_has_prefix (op, "broadcast_"))
            {
              /* a parameter broadcast over the batch */
              if (in->ndim >= out->ndim && in->dim[0] != 1)
                return FALSE;
            }
          else if (!((strcmp (op, "conv2d") == 0 || strcmp (op, "dense") == 0) && j >= 1) &&
                   !(strcmp (op, "cvm_lut") == 0 && j == 1))
            return FALSE;
        }
      if ((strcmp (op, "sum") == 0 || strcmp (op, "max") == 0) &&
          reduces_axis0 (g->attrs[i], g->shapes[mrt_cvm_graph_entry (g, n->inputs[0])].ndim))
        return FALSE;
      if (strcmp (op, "transpose") == 0)
        {
          int k = mrt_cvm_attr_index (g->defs[i], "axes");
          if (k < 0 || g->attrs[i]->v[k].n == 0 || g->attrs[i]->v[k].t[0] != 0)
            return FALSE;
        }
      if (strcmp (op, "concatenate") == 0 && attr_names_axis0 (g->attrs[i], "axis", out->ndim))
        return FALSE;
    }
  return TRUE;
}
