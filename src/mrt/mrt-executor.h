/* mrt-executor.h: runs a model in float32, node by node in topological order. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

/* Called after each operator node (and each variable) has produced its
 * outputs. Return FALSE to stop the run (set error). */
typedef gboolean (*MrtNodeObserver) (const MrtModel *model, guint node, MrtTensor *const *outputs,
                                     gpointer user_data, GError **error);

typedef struct {
  MrtNodeObserver observer;
  gpointer user_data;
  GCancellable *cancellable;
} MrtRunOptions;

/* inputs: one float32 tensor per mrt_model_inputs() entry, in that order.
 * Returns a GPtrArray of MrtTensor* (one per head), or NULL with error. */
GPtrArray *mrt_model_forward (const MrtModel *model, MrtTensor *const *inputs, guint n_inputs,
                              const MrtRunOptions *options, GError **error);

/* Single-input convenience; returns the first output. */
MrtTensor *mrt_model_forward1 (const MrtModel *model, MrtTensor *input, GError **error);

G_END_DECLS
