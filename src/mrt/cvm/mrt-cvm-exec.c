/* mrt-cvm-exec.c: the integer executor over planned int32 storage. */
#include "mrt-cvm-exec.h"

#include <string.h>

struct _MrtCvmExec {
  MrtCvmGraph *graph;
  MrtCvmReport report;
  guint n_threads;
  guint n_slots;
  guint *slot;        /* per entry: buffer index */
  gint32 **buffers;   /* per slot */
  MrtCvmView *views;  /* scratch: inputs then outputs of one node */
  guint max_views;
  GMutex lock;
};

guint
mrt_cvm_default_threads (void)
{
  return CLAMP (g_get_num_processors (), 1, 8);
}

void
mrt_cvm_exec_free (MrtCvmExec *exec)
{
  if (exec == NULL)
    return;
  for (guint s = 0; exec->buffers && s < exec->n_slots; s++)
    g_free (exec->buffers[s]);
  g_free (exec->buffers);
  g_free (exec->slot);
  g_free (exec->views);
  mrt_cvm_report_clear (&exec->report);
  mrt_cvm_graph_free (exec->graph);
  g_mutex_clear (&exec->lock);
  g_free (exec);
}

const MrtCvmReport *
mrt_cvm_exec_report (const MrtCvmExec *exec)
{
  return &exec->report;
}

const MrtCvmGraph *
mrt_cvm_exec_graph (const MrtCvmExec *exec)
{
  return exec->graph;
}

static gboolean
allocate (MrtCvmExec *x, const int *ids, GError **error)
{
  MrtCvmGraph *g = x->graph;
  g_autoptr (GHashTable) dense = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree gint64 *elems = NULL;

  x->slot = g_new (guint, g->n_entries + 1);
  for (guint e = 0; e < g->n_entries; e++)
    {
      gpointer v;
      if (!g_hash_table_lookup_extended (dense, GINT_TO_POINTER (ids[e]), NULL, &v))
        {
          v = GUINT_TO_POINTER (x->n_slots++);
          g_hash_table_insert (dense, GINT_TO_POINTER (ids[e]), v);
        }
      x->slot[e] = GPOINTER_TO_UINT (v);
    }
  elems = g_new0 (gint64, x->n_slots + 1);
  for (guint e = 0; e < g->n_entries; e++)
    elems[x->slot[e]] = MAX (elems[x->slot[e]], mrt_shape_size (&g->shapes[e]));
  x->buffers = g_new0 (gint32 *, x->n_slots + 1);
  for (guint s = 0; s < x->n_slots; s++)
    if (!(x->buffers[s] = g_try_malloc0 ((gsize) MAX (elems[s], 1) * sizeof (gint32))))
      {
        g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT, "out of memory allocating %" G_GINT64_FORMAT " bytes",
                     elems[s] * 4);
        return FALSE;
      }
  return TRUE;
}

static void
load_params (MrtCvmExec *x)
{
  MrtCvmGraph *g = x->graph;
  for (guint i = 0; i < g->n_nodes; i++)
    {
      guint e = g->entry_offset[i];
      MrtTensor *t;
      gint32 *dst = x->buffers[x->slot[e]];
      if (g->defs[i] != NULL || i == g->data_node)
        continue;
      t = mrt_model_get_param (g->model, mrt_model_node (g->model, i)->name);
      if (t->dtype == MRT_DTYPE_I32)
        memcpy (dst, t->data, t->n * sizeof (gint32));
      else
        for (gsize j = 0; j < t->n; j++)
          dst[j] = ((const gint8 *) t->data)[j];
    }
}

MrtCvmExec *
mrt_cvm_exec_new (const MrtModel *cvm, guint n_threads, GError **error)
{
  MrtCvmExec *x = g_new0 (MrtCvmExec, 1);
  g_autofree int *ids = NULL;

  g_mutex_init (&x->lock);
  x->n_threads = n_threads ? n_threads : mrt_cvm_default_threads ();
  if (!(x->graph = mrt_cvm_graph_new (cvm, error)) || !mrt_cvm_graph_check (x->graph, &x->report, &ids, error) ||
      !allocate (x, ids, error))
    {
      mrt_cvm_exec_free (x);
      return NULL;
    }
  for (guint i = 0; i < x->graph->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      x->max_views = MAX (x->max_views, n->n_inputs + n->n_outputs);
    }
  x->views = g_new0 (MrtCvmView, x->max_views + 1);
  load_params (x);
  return x;
}

static MrtCvmView
view_of (MrtCvmExec *x, guint e)
{
  MrtCvmView v;
  v.data = x->buffers[x->slot[e]];
  v.shape = x->graph->shapes[e];
  v.n = (gsize) mrt_shape_size (&v.shape);
  return v;
}

static gboolean
load_input (MrtCvmExec *x, MrtTensor *input, GError **error)
{
  MrtCvmGraph *g = x->graph;
  guint e = g->entry_offset[g->data_node];
  gint64 r = mrt_cvm_range (g->precision[e]);
  gint32 *dst = x->buffers[x->slot[e]];

  if (input == NULL || (input->dtype != MRT_DTYPE_I32 && input->dtype != MRT_DTYPE_I8) ||
      !mrt_shape_equal (&input->shape, &g->shapes[e]))
    {
      g_autofree char *want = mrt_shape_to_string (&g->shapes[e]);
      g_autofree char *got = input ? mrt_shape_to_string (&input->shape) : g_strdup ("nothing");
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_INPUT, "the input must be an int32 tensor of shape %s, got %s %s",
                   want, input ? mrt_dtype_name (input->dtype) : "", got);
      return FALSE;
    }
  for (gsize j = 0; j < input->n; j++)
    {
      gint64 v = input->dtype == MRT_DTYPE_I32 ? mrt_tensor_i32 (input)[j] : ((const gint8 *) input->data)[j];
      dst[j] = (gint32) CLAMP (v, -r, r);
    }
  return TRUE;
}

GPtrArray *
mrt_cvm_exec_run (MrtCvmExec *x, MrtTensor *input, const MrtProgress *progress, GError **error)
{
  MrtCvmGraph *g = x->graph;
  g_autoptr (GPtrArray) outs = NULL;
  g_autoptr (GMutexLocker) locker = g_mutex_locker_new (&x->lock);

  if (!load_input (x, input, error))
    return NULL;
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      if (g->defs[i] == NULL)
        continue;
      if (mrt_progress_cancelled (progress, error))
        return NULL;
      for (guint j = 0; j < n->n_inputs; j++)
        x->views[j] = view_of (x, mrt_cvm_graph_entry (g, n->inputs[j]));
      for (guint k = 0; k < n->n_outputs; k++)
        x->views[n->n_inputs + k] = view_of (x, g->entry_offset[i] + k);
      g->defs[i]->forward (g->attrs[i], x->views, n->n_inputs, x->views + n->n_inputs, x->n_threads);
      mrt_progress_report (progress, (double) (i + 1) / g->n_nodes, n->name);
    }
  outs = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  for (guint h = 0; h < g->model->heads->len; h++)
    {
      guint e = mrt_cvm_graph_entry (g, mrt_model_head (g->model, h));
      MrtTensor *t = mrt_tensor_try_new (MRT_DTYPE_I32, &g->shapes[e], error);
      if (t == NULL)
        return NULL;
      memcpy (t->data, x->buffers[x->slot[e]], t->n * sizeof (gint32));
      g_ptr_array_add (outs, t);
    }
  return g_steal_pointer (&outs);
}

GPtrArray *
mrt_cvm_forward_full (const MrtModel *cvm, MrtTensor *input, guint n_threads, const MrtProgress *progress,
                      GError **error)
{
  g_autoptr (MrtCvmExec) x = mrt_cvm_exec_new (cvm, n_threads, error);
  return x ? mrt_cvm_exec_run (x, input, progress, error) : NULL;
}

GPtrArray *
mrt_cvm_forward (const MrtModel *cvm, MrtTensor *input, const MrtProgress *progress, GError **error)
{
  return mrt_cvm_forward_full (cvm, input, 0, progress, error);
}
