/* mrt-cvm-exec.c: the integer executor over planned int32 storage.
 *
 * Three things make it fast without changing a single result:
 *
 * Packed weights. conv2d and dense weights that are parameters are packed
 * once for the int8 kernels (mrt-cvm-gemm.c) when the executor is made.
 *
 * Runs. Consecutive operators that work element by element on tensors of
 * the same size (relu, cvm_clip, cvm_right_shift, elemwise_add,
 * broadcast_mul by a scalar parameter...) run as one "run": the element
 * range is cut into blocks that stay in cache, and each block goes through
 * every operator of the run, the blocks spread over the threads. Each
 * element still goes through the same kernels in node order, and a buffer
 * position is only ever touched by the block that holds it, so the result
 * is the one of plain node-by-node execution (whatever the storage plan
 * shares).
 *
 * Slices. When every operator computes each sample of the batch from that
 * sample alone (convolutions, dense, element-wise ops, pooling, flatten,
 * reductions over other axes...: checked per operator, conservatively), a
 * large batch runs depth-first: the batch is cut into slices of a few
 * samples, and each thread pushes whole slices through the graph on its
 * own small storage (a sub-executor for the slice's batch size, sharing the
 * parameters and the packed weights), which stays in the L2 cache. Threads
 * then never wait for each other between operators. A sample's result does
 * not depend on the other samples, so it is the same as in one whole-batch
 * run; a short last slice is padded with zeros, whose results are dropped. */
#include "mrt-cvm-exec-private.h"

#include <string.h>

#define RUN_BLOCK 4096
/* Slices are sized to keep their activations within this many bytes. */
#define SLICE_BYTES ((gsize) 1 << 20)

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
  for (guint k = 0; k < exec->n_subs; k++)
    mrt_cvm_exec_free (exec->subs[k]);
  g_free (exec->subs);
  if (exec->idle_subs)
    g_ptr_array_unref (exec->idle_subs);
  for (guint s = 0; exec->buffers && s < exec->n_slots; s++)
    if (!exec->borrowed[s])
      g_free (exec->buffers[s]);
  g_free (exec->buffers);
  g_free (exec->borrowed);
  g_free (exec->slot);
  g_free (exec->views);
  if (exec->steps)
    g_array_unref (exec->steps);
  if (exec->packed && !exec->packed_borrowed)
    for (guint i = 0; i < exec->graph->n_nodes; i++)
      mrt_cvm_packed_free (exec->packed[i]);
  if (!exec->packed_borrowed)
    g_free (exec->packed);
  g_free (exec->kinds);
  mrt_cvm_report_clear (&exec->report);
  mrt_cvm_graph_free (exec->graph);
  g_mutex_clear (&exec->subs_lock);
  g_cond_clear (&exec->subs_cond);
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

/* ---- storage ----------------------------------------------------------- */

static void
map_slots (MrtCvmExec *x, const int *ids)
{
  MrtCvmGraph *g = x->graph;
  g_autoptr (GHashTable) dense = g_hash_table_new (g_direct_hash, g_direct_equal);

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
  x->buffers = g_new0 (gint32 *, x->n_slots + 1);
  x->borrowed = g_new0 (gboolean, x->n_slots + 1);
}

static gint64 *
slot_elements (const MrtCvmExec *x)
{
  const MrtCvmGraph *g = x->graph;
  gint64 *elems = g_new0 (gint64, x->n_slots + 1);
  for (guint e = 0; e < g->n_entries; e++)
    elems[x->slot[e]] = MAX (elems[x->slot[e]], mrt_shape_size (&g->shapes[e]));
  return elems;
}

/* Allocates the slots still missing (params_only: the parameters' only). */
static gboolean
allocate (MrtCvmExec *x, gboolean params_only, GError **error)
{
  MrtCvmGraph *g = x->graph;
  g_autofree gint64 *elems = slot_elements (x);
  g_autofree gboolean *param_slot = g_new0 (gboolean, x->n_slots + 1);

  for (guint i = 0; i < g->n_nodes; i++)
    if (is_param (g, i))
      param_slot[x->slot[g->entry_offset[i]]] = TRUE;
  for (guint s = 0; s < x->n_slots; s++)
    if (x->buffers[s] == NULL && (param_slot[s] || !params_only) &&
        !(x->buffers[s] = g_try_malloc0 ((gsize) MAX (elems[s], 1) * sizeof (gint32))))
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
      if (!is_param (g, i))
        continue;
      t = mrt_model_get_param (g->model, mrt_model_node (g->model, i)->name);
      if (t->dtype == MRT_DTYPE_I32)
        memcpy (dst, t->data, t->n * sizeof (gint32));
      else
        for (gsize j = 0; j < t->n; j++)
          dst[j] = ((const gint8 *) t->data)[j];
    }
}

static MrtCvmView
view_of (const MrtCvmExec *x, guint e)
{
  MrtCvmView v;
  v.data = x->buffers[x->slot[e]];
  v.shape = x->graph->shapes[e];
  v.n = (gsize) mrt_shape_size (&v.shape);
  return v;
}

/* conv2d and dense whose weights (and bias) are parameters: packed once */
static void
pack_weights (MrtCvmExec *x)
{
  MrtCvmGraph *g = x->graph;
  x->packed = g_new0 (MrtCvmPacked *, g->n_nodes + 1);
  for (guint i = 0; i < g->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (g->model, i);
      MrtCvmView w, b = { 0 };
      if (x->kinds[i] == KIND_OTHER || !is_param (g, n->inputs[1].node) ||
          (n->n_inputs == 3 && !is_param (g, n->inputs[2].node)))
        continue;
      w = view_of (x, mrt_cvm_graph_entry (g, n->inputs[1]));
      if (n->n_inputs == 3)
        b = view_of (x, mrt_cvm_graph_entry (g, n->inputs[2]));
      if (x->kinds[i] == KIND_CONV2D)
        {
          MrtCvmConvGeom geom;
          mrt_cvm_conv2d_geom (g->attrs[i], &g->shapes[mrt_cvm_graph_entry (g, n->inputs[0])], &w.shape,
                               &g->shapes[g->entry_offset[i]], &geom);
          x->packed[i] = mrt_cvm_pack_conv2d (&geom, w.data, b.data);
        }
      else
        x->packed[i] = mrt_cvm_pack_dense (w.shape.dim[1], w.shape.dim[0], w.data, b.data);
    }
}

/* ---- steps (planned in mrt-cvm-exec-plan.c) ------------------------------ */

/* A 1-D view of elements [lo, lo + len) of entry e (a 1-element input stays whole). */
static MrtCvmView
block_view (const MrtCvmExec *x, guint e, gsize lo, gsize len)
{
  MrtCvmView v;
  gsize n = (gsize) mrt_shape_size (&x->graph->shapes[e]);
  if (n == 1)
    lo = 0, len = 1;
  v.data = x->buffers[x->slot[e]] + lo;
  v.shape = mrt_shape_make (1, (gint64) len);
  v.n = len;
  return v;
}

typedef struct {
  const MrtCvmExec *x;
  const Step *step;
} RunJob;

static void
run_blocks (gpointer data, gsize begin, gsize end)
{
  const RunJob *job = data;
  const MrtCvmExec *x = job->x;
  const MrtCvmGraph *g = x->graph;
  MrtCvmView views[3]; /* at most 2 inputs and 1 output (elementwise_size) */

  for (gsize b = begin; b < end; b++)
    {
      gsize lo = b * RUN_BLOCK, len = MIN (RUN_BLOCK, job->step->n - lo);
      for (guint i = job->step->first; i <= job->step->last; i++)
        {
          const MrtNode *n = mrt_model_node (g->model, i);
          if (g->defs[i] == NULL)
            continue;
          for (guint j = 0; j < n->n_inputs; j++)
            views[j] = block_view (x, mrt_cvm_graph_entry (g, n->inputs[j]), lo, len);
          views[n->n_inputs] = block_view (x, g->entry_offset[i], lo, len);
          g->defs[i]->forward (g->attrs[i], views, n->n_inputs, views + n->n_inputs, 1);
        }
    }
}

/* Runs node step->first (and the epilogue fused into it). */
static void
run_node (MrtCvmExec *x, const Step *step)
{
  MrtCvmGraph *g = x->graph;
  guint i = step->first;
  MrtNode *n = mrt_model_node (g->model, i);
  MrtCvmView *v = x->views;
  const MrtCvmPacked *pk = x->packed ? x->packed[i] : NULL;
  gint32 *out;

  for (guint j = 0; j < n->n_inputs; j++)
    v[j] = view_of (x, mrt_cvm_graph_entry (g, n->inputs[j]));
  for (guint k = 0; k < n->n_outputs; k++)
    v[n->n_inputs + k] = view_of (x, g->entry_offset[i] + k);
  /* a fused step writes the last fused node's output */
  out = x->buffers[x->slot[g->entry_offset[step->last]]];
  if (x->kinds[i] == KIND_CONV2D)
    {
      MrtCvmConvGeom geom;
      mrt_cvm_conv2d_geom (g->attrs[i], &v[0].shape, &v[1].shape, &v[n->n_inputs].shape, &geom);
      mrt_cvm_conv2d_run_fused (&geom, v[0].data, v[1].data, n->n_inputs == 3 ? v[2].data : NULL, pk, step->epi,
                                step->n_epi, out, x->n_threads);
    }
  else if (x->kinds[i] == KIND_DENSE)
    mrt_cvm_dense_run_fused (v[0].shape.dim[0], v[0].shape.dim[1], v[1].shape.dim[0], v[0].data, v[1].data,
                             n->n_inputs == 3 ? v[2].data : NULL, pk, step->epi, step->n_epi, out, x->n_threads);
  else
    g->defs[i]->forward (g->attrs[i], v, n->n_inputs, v + n->n_inputs, x->n_threads);
}

/* Runs every operator; reports each node and stops at a cancel seen between nodes. */
static gboolean
run_steps (MrtCvmExec *x, const MrtProgress *progress, GError **error)
{
  MrtCvmGraph *g = x->graph;
  for (guint s = 0; s < x->steps->len; s++)
    {
      const Step *step = &g_array_index (x->steps, Step, s);
      if (mrt_progress_cancelled (progress, error))
        return FALSE;
      if (step->blocked)
        {
          RunJob job = { x, step };
          gsize n_blocks = (step->n + RUN_BLOCK - 1) / RUN_BLOCK;
          mrt_cvm_parallel (x->n_threads, n_blocks, RUN_BLOCK * (step->last - step->first + 1), run_blocks, &job);
        }
      else
        run_node (x, step);
      /* a run reports each of its nodes; a cancel from a report is seen before the next node */
      for (guint i = step->first; i <= step->last; i++)
        if (g->defs[i] != NULL)
          {
            if (i > step->first && mrt_progress_cancelled (progress, error))
              return FALSE;
            mrt_progress_report (progress, (double) (i + 1) / g->n_nodes, mrt_model_node (g->model, i)->name);
          }
    }
  return TRUE;
}

/* ---- slices -------------------------------------------------------------- */

static MrtCvmExec *exec_create (const MrtModel *cvm, guint n_threads, MrtCvmExec *parent, gint64 slice,
                                GError **error);

/* The slice size, or 0 to run the whole batch at once; asked: -1 automatic. */
static gint64
choose_slice (const MrtCvmExec *x, gint64 asked)
{
  const MrtCvmGraph *g = x->graph;
  const MrtShape *ds = &g->shapes[g->entry_offset[g->data_node]];
  g_autofree gint64 *elems = slot_elements (x);
  g_autofree gboolean *param_slot = g_new0 (gboolean, x->n_slots + 1);
  const char *env = g_getenv ("MRT_CVM_SLICE"); /* for measurements: a slice size, 0 for none */
  gint64 batch = ds->ndim >= 1 ? ds->dim[0] : 0, slice;
  gsize bytes = 0;

  if (batch < 2 || asked == 0 || !cvm_exec_batch_separable (x))
    return 0;
  for (guint i = 0; i < g->n_nodes; i++)
    if (is_param (g, i))
      param_slot[x->slot[g->entry_offset[i]]] = TRUE;
  for (guint s = 0; s < x->n_slots; s++)
    if (!param_slot[s])
      bytes += (gsize) elems[s] * sizeof (gint32);
  if (asked >= 0)
    slice = asked;
  else if (env)
    slice = g_ascii_strtoll (env, NULL, 10);
  else if (bytes <= SLICE_BYTES)
    return 0; /* the whole batch fits already */
  else
    /* samples per slice within the budget, and at least two slices per thread */
    slice = MIN ((gint64) (SLICE_BYTES / MAX (bytes / (gsize) batch, 1)), batch / (2 * (gint64) x->n_threads));
  slice = MAX (slice, 1);
  return slice < batch ? slice : 0;
}

static gboolean
make_slices (MrtCvmExec *x, GError **error)
{
  const MrtCvmGraph *g = x->graph;
  const MrtShape *ds = &g->shapes[g->entry_offset[g->data_node]];
  g_autoptr (MrtModel) sub = mrt_model_copy (g->model);
  MrtShape s = *ds;
  g_autofree char *shape = NULL;
  gint64 n_slices = (x->batch + x->slice - 1) / x->slice;

  s.dim[0] = x->slice;
  shape = mrt_shape_to_string (&s);
  mrt_node_set_attr (mrt_model_node (sub, g->data_node), "__shape__", shape);
  x->n_subs = (guint) MIN ((gint64) x->n_threads, n_slices);
  x->subs = g_new0 (MrtCvmExec *, x->n_subs);
  x->idle_subs = g_ptr_array_new ();
  for (guint k = 0; k < x->n_subs; k++)
    {
      if (!(x->subs[k] = exec_create (sub, 1, x, 0, error)))
        return FALSE;
      g_ptr_array_add (x->idle_subs, x->subs[k]);
    }
  /* the slice graph must have the same per-sample shapes */
  for (guint e = 0; e < g->n_entries; e++)
    {
      const MrtShape *a = &g->shapes[e], *b = &x->subs[0]->graph->shapes[e];
      gboolean batch_entry = a->ndim >= 1 && a->dim[0] == x->batch && b->ndim >= 1 && b->dim[0] == x->slice;
      MrtShape a1 = *a, b1 = *b;
      if (batch_entry)
        a1.dim[0] = b1.dim[0] = 1;
      if (!mrt_shape_equal (&a1, &b1))
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_SHAPE, "slice shapes differ");
          return FALSE;
        }
    }
  return TRUE;
}

static void
drop_slices (MrtCvmExec *x)
{
  for (guint k = 0; k < x->n_subs; k++)
    mrt_cvm_exec_free (x->subs[k]);
  g_clear_pointer (&x->subs, g_free);
  g_clear_pointer (&x->idle_subs, g_ptr_array_unref);
  x->n_subs = 0;
  x->slice = 0;
}

/* ---- construction ------------------------------------------------------ */

static MrtCvmExec *
exec_create (const MrtModel *cvm, guint n_threads, MrtCvmExec *parent, gint64 slice, GError **error)
{
  MrtCvmExec *x = g_new0 (MrtCvmExec, 1);
  g_autofree int *ids = NULL;
  MrtCvmGraph *g;

  g_mutex_init (&x->lock);
  g_mutex_init (&x->subs_lock);
  g_cond_init (&x->subs_cond);
  x->n_threads = n_threads ? n_threads : mrt_cvm_default_threads ();
  if (!(x->graph = mrt_cvm_graph_new (cvm, error)) || !mrt_cvm_graph_check (x->graph, &x->report, &ids, error))
    {
      mrt_cvm_exec_free (x);
      return NULL;
    }
  g = x->graph;
  map_slots (x, ids);
  x->kinds = g_new0 (NodeKind, g->n_nodes + 1);
  for (guint i = 0; i < g->n_nodes; i++)
    if (g->defs[i] && strcmp (g->defs[i]->name, "conv2d") == 0)
      x->kinds[i] = KIND_CONV2D;
    else if (g->defs[i] && strcmp (g->defs[i]->name, "dense") == 0)
      x->kinds[i] = KIND_DENSE;
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      x->max_views = MAX (x->max_views, n->n_inputs + n->n_outputs);
    }
  x->views = g_new0 (MrtCvmView, x->max_views + 1);

  if (parent)
    {
      /* a slice executor: the parent's parameters and packed weights */
      for (guint i = 0; i < g->n_nodes; i++)
        if (is_param (g, i))
          {
            guint e = g->entry_offset[i], s = x->slot[e];
            x->buffers[s] = parent->buffers[parent->slot[e]];
            x->borrowed[s] = TRUE;
          }
      x->packed = parent->packed;
      x->packed_borrowed = TRUE;
      if (!allocate (x, FALSE, error))
        {
          mrt_cvm_exec_free (x);
          return NULL;
        }
      cvm_exec_plan_steps (x);
      return x;
    }

  x->batch = g->shapes[g->entry_offset[g->data_node]].ndim >= 1 ? g->shapes[g->entry_offset[g->data_node]].dim[0] : 1;
  x->slice = choose_slice (x, slice);
  if (!allocate (x, x->slice > 0, error))
    {
      mrt_cvm_exec_free (x);
      return NULL;
    }
  load_params (x);
  pack_weights (x);
  cvm_exec_plan_steps (x); /* after the parameters: fused epilogues read scalar ones */
  if (x->slice > 0 && !make_slices (x, NULL))
    {
      /* not sliceable after all: the whole batch at once */
      drop_slices (x);
      if (!allocate (x, FALSE, error))
        {
          mrt_cvm_exec_free (x);
          return NULL;
        }
    }
  return x;
}

MrtCvmExec *
mrt_cvm_exec_new (const MrtModel *cvm, guint n_threads, GError **error)
{
  return exec_create (cvm, n_threads, NULL, -1, error);
}

MrtCvmExec *
mrt_cvm_exec_new_sliced (const MrtModel *cvm, guint n_threads, gint64 slice, GError **error)
{
  return exec_create (cvm, n_threads, NULL, slice, error);
}

gint64
mrt_cvm_exec_slice (const MrtCvmExec *exec)
{
  return exec->slice;
}

/* ---- running ------------------------------------------------------------- */

static gboolean
check_input (const MrtCvmExec *x, const MrtTensor *input, GError **error)
{
  const MrtCvmGraph *g = x->graph;
  guint e = g->entry_offset[g->data_node];
  if (input == NULL || (input->dtype != MRT_DTYPE_I32 && input->dtype != MRT_DTYPE_I8) ||
      !mrt_shape_equal (&input->shape, &g->shapes[e]))
    {
      g_autofree char *want = mrt_shape_to_string (&g->shapes[e]);
      g_autofree char *got = input ? mrt_shape_to_string (&input->shape) : g_strdup ("nothing");
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_INPUT, "the input must be an int32 tensor of shape %s, got %s %s",
                   want, input ? mrt_dtype_name (input->dtype) : "", got);
      return FALSE;
    }
  return TRUE;
}

/* Elements [from, from + n) of input, clamped to the data precision, into
 * x's data buffer, then zeros up to `total`. */
static void
load_input (MrtCvmExec *x, const MrtTensor *input, gsize from, gsize n, gsize total)
{
  MrtCvmGraph *g = x->graph;
  guint e = g->entry_offset[g->data_node];
  gint32 r = (gint32) mrt_cvm_range (g->precision[e]);
  gint32 *dst = x->buffers[x->slot[e]];

  if (input->dtype == MRT_DTYPE_I32)
    for (gsize j = 0; j < n; j++)
      dst[j] = CLAMP (mrt_tensor_i32 (input)[from + j], -r, r);
  else
    for (gsize j = 0; j < n; j++)
      dst[j] = CLAMP (((const gint8 *) input->data)[from + j], -r, r);
  memset (dst + n, 0, (total - n) * sizeof (gint32));
}

static GPtrArray *
new_outputs (const MrtCvmExec *x, GError **error)
{
  const MrtCvmGraph *g = x->graph;
  g_autoptr (GPtrArray) outs = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  for (guint h = 0; h < g->model->heads->len; h++)
    {
      guint e = mrt_cvm_graph_entry (g, mrt_model_head (g->model, h));
      MrtTensor *t = mrt_tensor_try_new (MRT_DTYPE_I32, &g->shapes[e], error);
      if (t == NULL)
        return NULL;
      g_ptr_array_add (outs, t);
    }
  return g_steal_pointer (&outs);
}

typedef struct {
  MrtCvmExec *x;
  const MrtTensor *input;
  GPtrArray *outs;
  const MrtProgress *progress;
  gint cancelled, done;
  GMutex report_lock;
} SliceJob;

static void
run_slices (gpointer data, gsize begin, gsize end)
{
  SliceJob *job = data;
  MrtCvmExec *x = job->x, *sub;
  const MrtCvmGraph *g = x->graph;
  gsize in_per = job->input->n / (gsize) x->batch;

  g_mutex_lock (&x->subs_lock);
  while (x->idle_subs->len == 0)
    g_cond_wait (&x->subs_cond, &x->subs_lock);
  sub = g_ptr_array_steal_index_fast (x->idle_subs, x->idle_subs->len - 1);
  g_mutex_unlock (&x->subs_lock);

  for (gsize s = begin; s < end && !g_atomic_int_get (&job->cancelled); s++)
    {
      gsize first = s * (gsize) x->slice, count = MIN ((gsize) x->slice, (gsize) x->batch - first);
      load_input (sub, job->input, first * in_per, count * in_per, (gsize) x->slice * in_per);
      run_steps (sub, NULL, NULL);
      for (guint h = 0; h < job->outs->len; h++)
        {
          MrtTensor *t = g_ptr_array_index (job->outs, h);
          guint e = mrt_cvm_graph_entry (g, mrt_model_head (g->model, h));
          gsize per = t->n / (gsize) x->batch;
          memcpy (mrt_tensor_i32 (t) + first * per, sub->buffers[sub->slot[e]], count * per * sizeof (gint32));
        }
      g_mutex_lock (&job->report_lock);
      job->done++;
      mrt_progress_report (job->progress, (double) job->done * (double) x->slice / (double) x->batch,
                           mrt_model_node (g->model, g->n_nodes - 1)->name);
      if (job->progress && g_cancellable_is_cancelled (job->progress->cancellable))
        g_atomic_int_set (&job->cancelled, 1);
      g_mutex_unlock (&job->report_lock);
    }

  g_mutex_lock (&x->subs_lock);
  g_ptr_array_add (x->idle_subs, sub);
  g_cond_signal (&x->subs_cond);
  g_mutex_unlock (&x->subs_lock);
}

static GPtrArray *
exec_run_locked (MrtCvmExec *x, MrtTensor *input, const MrtProgress *progress, GError **error)
{
  MrtCvmGraph *g = x->graph;
  g_autoptr (GPtrArray) outs = NULL;

  if (!check_input (x, input, error) || mrt_progress_cancelled (progress, error) || !(outs = new_outputs (x, error)))
    return NULL;
  if (x->slice > 0)
    {
      SliceJob job = { x, input, outs, progress };
      gsize n_slices = (gsize) ((x->batch + x->slice - 1) / x->slice);
      g_mutex_init (&job.report_lock);
      mrt_cvm_parallel (x->n_threads, n_slices, G_MAXSIZE / n_slices, run_slices, &job);
      g_mutex_clear (&job.report_lock);
      if (job.cancelled && mrt_progress_cancelled (progress, error))
        return NULL;
      return g_steal_pointer (&outs);
    }
  load_input (x, input, 0, input->n, input->n);
  if (!run_steps (x, progress, error))
    return NULL;
  for (guint h = 0; h < outs->len; h++)
    {
      MrtTensor *t = g_ptr_array_index (outs, h);
      guint e = mrt_cvm_graph_entry (g, mrt_model_head (g->model, h));
      memcpy (t->data, x->buffers[x->slot[e]], t->n * sizeof (gint32));
    }
  return g_steal_pointer (&outs);
}

GPtrArray *
mrt_cvm_exec_run (MrtCvmExec *x, MrtTensor *input, const MrtProgress *progress, GError **error)
{
  GPtrArray *outs;
  g_mutex_lock (&x->lock);
  outs = exec_run_locked (x, input, progress, error);
  g_mutex_unlock (&x->lock);
  return outs;
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
