/* mrt-cvm-exec.h: the integer executor. Runs a checked CVM graph on int32
 * buffers laid out by its storage plan (the model's own, else a planned
 * one), exactly like the runtime: the input is clamped to the data
 * precision, operators run in node order with the FORMAL semantics.
 * Results are bit-identical for any thread count. */
#pragma once

#include "mrt-cvm-check.h"
#include "mrt-progress.h"

G_BEGIN_DECLS

typedef struct _MrtCvmExec MrtCvmExec;

/* Checks the model (mrt_cvm_check), allocates the storage and loads the
 * parameters. n_threads 0: mrt_cvm_default_threads (). */
MrtCvmExec *mrt_cvm_exec_new (const MrtModel *cvm, guint n_threads, GError **error);
/* Same, with the batch slice size chosen (tests, benches): -1 automatic
 * (MRT_CVM_SLICE in the environment, else by size), 0 the whole batch at
 * once, else that many samples per slice where the graph allows slices. */
MrtCvmExec *mrt_cvm_exec_new_sliced (const MrtModel *cvm, guint n_threads, gint64 slice, GError **error);
/* The slice size in use (0: whole batch). */
gint64 mrt_cvm_exec_slice (const MrtCvmExec *exec);
/* Tests: executors made after this call fuse no element-wise nodes into
 * conv2d / dense (TRUE), or do (FALSE, the default). */
void mrt_cvm_exec_set_fusion (gboolean enabled);
void mrt_cvm_exec_free (MrtCvmExec *exec);
const MrtCvmReport *mrt_cvm_exec_report (const MrtCvmExec *exec);
const MrtCvmGraph *mrt_cvm_exec_graph (const MrtCvmExec *exec);

/* input: int32 (or int8) tensor with the shape of "data"; values are
 * clamped to ±(2^(p-1)-1). Returns one new int32 tensor per head (a
 * GPtrArray owning them). Runs are serialised on one exec. */
GPtrArray *mrt_cvm_exec_run (MrtCvmExec *exec, MrtTensor *input, const MrtProgress *progress, GError **error);

/* One-shot conveniences. */
GPtrArray *mrt_cvm_forward (const MrtModel *cvm, MrtTensor *input_int32, const MrtProgress *progress,
                            GError **error);
GPtrArray *mrt_cvm_forward_full (const MrtModel *cvm, MrtTensor *input_int32, guint n_threads,
                                 const MrtProgress *progress, GError **error);

/* min (number of processors, 8) */
guint mrt_cvm_default_threads (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtCvmExec, mrt_cvm_exec_free)

G_END_DECLS
