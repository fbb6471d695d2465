/* mrt-cvm-exec-private.h: the executor's state, shared by mrt-cvm-exec.c
 * (construction, running, slices) and mrt-cvm-exec-plan.c (steps, epilogue
 * fusion, batch separability). Private to src/mrt/cvm/. */
#pragma once

#include "mrt-cvm-exec.h"
#include "mrt-cvm-gemm.h"

typedef struct {
  guint first, last; /* node range; variables inside are skipped */
  gsize n;           /* elements of every tensor (1-element parameters aside) */
  gboolean blocked;
  /* conv2d / dense at `first` with the element-wise nodes up to `last` fused */
  MrtCvmEpilogue epi[MRT_CVM_MAX_EPILOGUE];
  guint n_epi;
} Step;

typedef enum { KIND_OTHER, KIND_CONV2D, KIND_DENSE } NodeKind;

struct _MrtCvmExec {
  MrtCvmGraph *graph;
  MrtCvmReport report;
  guint n_threads;
  guint n_slots;
  guint *slot;            /* per entry: buffer index */
  gint32 **buffers;       /* per slot */
  gboolean *borrowed;     /* per slot: the parent's parameter buffer */
  MrtCvmView *views;      /* scratch: inputs then outputs of one node */
  guint max_views;
  GArray *steps;          /* Step */
  NodeKind *kinds;        /* per node */
  MrtCvmPacked **packed;  /* per node: packed conv2d / dense weights, or NULL */
  gboolean packed_borrowed;
  /* slices (parent only) */
  gint64 batch, slice;    /* slice 0: the whole batch at once */
  MrtCvmExec **subs;      /* n_subs executors for a batch of `slice` samples */
  guint n_subs;
  GPtrArray *idle_subs;
  GMutex subs_lock;
  GCond subs_cond;
  GMutex lock;
};

static inline gboolean
is_param (const MrtCvmGraph *g, guint node)
{
  return g->defs[node] == NULL && node != g->data_node;
}

/* Cuts the nodes into steps (x->steps): runs of element-wise operators and
 * conv2d / dense with their fused epilogues. Needs slots, buffers and kinds. */
void cvm_exec_plan_steps (MrtCvmExec *x);
/* Does every operator compute sample i of its outputs from sample i of its
 * inputs alone (and parameters)? */
gboolean cvm_exec_batch_separable (const MrtCvmExec *x);
