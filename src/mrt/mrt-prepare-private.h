/* mrt-prepare-private.h: shared between the PREPARE pass files. */
#pragma once

#include "mrt-prepare.h"

G_BEGIN_DECLS

typedef struct {
  MrtNameGen *names;
  MrtShape input_shape;
} MrtPrepareCtx;

/* Runs one rewriter pass named pass (NULL: no name scope) over model. */
MrtModel *mrt_prepare_run_pass (MrtModel *model, MrtPrepareCtx *ctx, const char *pass, const MrtRewriteRule *rules,
                                MrtRewriteHook fallback, gpointer user_data, GError **error);

/* The "rewrite" pass (mrt-prepare-rewrite.c). */
MrtModel *mrt_prepare_rewrite (MrtModel *model, MrtPrepareCtx *ctx, GError **error);

/* Effective axes of the transpose node behind e (absent axes: reversed). */
gboolean mrt_prepare_transpose_axes (MrtRewriter *rw, MrtEntry e, gint64 *axes, int *n);
/* Reduced axes of a reduction (sum/mean) over ndim axes: "axis" (tuple, int,
 * None or absent: all) and "exclude". */
gboolean mrt_prepare_reduce_mask (MrtRewriter *rw, const MrtNode *node, int ndim, gboolean *mask);
/* A "(a, b, ...)" tuple of ints. */
char *mrt_prepare_format_axes (const gint64 *axes, int n);

G_END_DECLS
