/* mrt-op.h: the op registry. One entry per op holds everything the library
 * knows about it: attribute schema, arity, shape inference, float kernel. Op
 * families live in src/mrt/ops/ and export a table each. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;
  MrtAttrType type;
  gboolean required;
} MrtAttrSpec;

/* in: shapes of the node's inputs; out: filled, node->n_outputs shapes.
 * Messages need not name the node: callers prefix it. */
typedef gboolean (*MrtInferShapeFunc) (const MrtNode *node, const MrtShape *in, MrtShape *out,
                                       GError **error);
/* Float32 kernel. Outputs are allocated by the caller with the inferred shapes. */
typedef gboolean (*MrtForwardFunc) (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                    GError **error);

typedef struct {
  const char *name;
  gint min_inputs;
  gint max_inputs; /* -1: any number */
  const MrtAttrSpec *attrs; /* ends with { NULL }; may be NULL; keys "__x__" are always allowed */
  guint (*num_outputs) (const MrtNode *node); /* NULL: 1 */
  guint n_data_inputs; /* training heads: inputs from this index on are labels. 0: none are */
  MrtInferShapeFunc infer_shape;
  MrtForwardFunc forward;
} MrtOpDef;

const MrtOpDef *mrt_op_lookup (const char *name);
/* Every registered op, sorted by name (for docs and tests). */
GPtrArray *mrt_op_list (void);
guint mrt_op_num_outputs (const MrtOpDef *def, const MrtNode *node);
/* Is input i of node a training label (not something a user must supply)? */
gboolean mrt_op_input_is_label (const MrtOpDef *def, const MrtNode *node, guint i);

/* Family tables, each ending with an entry whose name is NULL. */
extern const MrtOpDef mrt_ops_nn[];
extern const MrtOpDef mrt_ops_elemwise[];
extern const MrtOpDef mrt_ops_transform[];
extern const MrtOpDef mrt_ops_reduce[];
extern const MrtOpDef mrt_ops_vision[];
extern const MrtOpDef mrt_ops_cvm[]; /* MRT's Custom cvm_* ops */

/* Helpers for kernels and shape functions */
gboolean mrt_broadcast_shape (const MrtShape *a, const MrtShape *b, MrtShape *out, GError **error);
/* Normalises a possibly negative axis; FALSE if out of range. */
gboolean mrt_normalize_axis (gint64 axis, int ndim, int *out);

G_END_DECLS
