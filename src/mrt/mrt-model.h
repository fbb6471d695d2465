/* mrt-model.h: the graph IR. A model is a list of nodes in topological order,
 * the graph outputs (heads) and the float32 parameters. Once validated a model
 * is treated as immutable: stages build new models instead of editing one. */
#pragma once

#include <gio/gio.h>
#include <string.h>

#include "mrt-attr.h"
#include "mrt-tensor.h"

G_BEGIN_DECLS

#define MRT_MODEL_ERROR (mrt_model_error_quark ())
typedef enum {
  MRT_MODEL_ERROR_INVALID,    /* structural problem: names, dangling inputs, heads */
  MRT_MODEL_ERROR_CYCLE,
  MRT_MODEL_ERROR_UNKNOWN_OP,
  MRT_MODEL_ERROR_ATTRIBUTE,
  MRT_MODEL_ERROR_SHAPE,
  MRT_MODEL_ERROR_PARAM,
  MRT_MODEL_ERROR_EXEC,
} MrtModelError;
GQuark mrt_model_error_quark (void);

typedef struct {
  guint node;
  guint index;
} MrtEntry;

typedef struct {
  char *name;
  const char *op;    /* "null" for variables; interned when a registered op */
  GHashTable *attrs; /* char* -> char*, never NULL */
  MrtEntry *inputs;
  guint n_inputs;
  guint n_outputs;
} MrtNode;

typedef struct {
  gatomicrefcount ref;
  GPtrArray *nodes;   /* MrtNode*, topological order */
  GArray *heads;      /* MrtEntry */
  GHashTable *params; /* char* -> MrtTensor* (float32) */
  GHashTable *index;  /* name -> node index + 1 */
  GArray *entry_offset; /* guint per node: id of its first entry */
} MrtModel;

MrtModel *mrt_model_new (void);
MrtModel *mrt_model_ref (MrtModel *model);
void mrt_model_unref (MrtModel *model);
/* Deep copy of the graph; parameter tensors are shared (they are immutable). */
MrtModel *mrt_model_copy (MrtModel *model);

/* Building. attrs: transfer full, may be NULL. The node's output count comes
 * from the op registry. Inputs must refer to nodes already added. */
guint mrt_model_add_node (MrtModel *model, const char *name, const char *op,
                          GHashTable *attrs, const MrtEntry *inputs, guint n_inputs);
/* Same, with an explicit output count (graphs of another op set, e.g. CVM's). */
guint mrt_model_add_node_n (MrtModel *model, const char *name, const char *op, GHashTable *attrs,
                            const MrtEntry *inputs, guint n_inputs, guint n_outputs);
guint mrt_model_add_variable (MrtModel *model, const char *name);
void mrt_model_add_head (MrtModel *model, MrtEntry entry);
/* Stores a float32 copy (or a reference when already float32). */
void mrt_model_set_param (MrtModel *model, const char *name, MrtTensor *value);
/* Stores a reference with the tensor's own dtype (integer graphs). */
void mrt_model_set_param_raw (MrtModel *model, const char *name, MrtTensor *value);
/* Checks names, inputs, op arity and attribute types, heads, parameter data (NaN). */
gboolean mrt_model_validate (MrtModel *model, GError **error);

/* Queries */
static inline guint
mrt_model_n_nodes (const MrtModel *model)
{
  return model->nodes->len;
}
static inline MrtNode *
mrt_model_node (const MrtModel *model, guint i)
{
  return g_ptr_array_index (model->nodes, i);
}
static inline guint
mrt_model_n_heads (const MrtModel *model)
{
  return model->heads->len;
}
static inline MrtEntry
mrt_model_head (const MrtModel *model, guint i)
{
  return g_array_index (model->heads, MrtEntry, i);
}
gint mrt_model_find (const MrtModel *model, const char *name);
MrtTensor *mrt_model_get_param (const MrtModel *model, const char *name);
gboolean mrt_model_is_param (const MrtModel *model, guint node);
guint mrt_model_n_entries (const MrtModel *model);
guint mrt_model_entry_id (const MrtModel *model, MrtEntry entry);
/* Variables that are neither parameters nor training labels, in node order. */
GArray *mrt_model_inputs (const MrtModel *model);
/* Sum of parameter element counts and bytes (float32). */
void mrt_model_param_stats (const MrtModel *model, guint64 *count, guint64 *bytes);
/* Output name as MXNet shows it: node name, or name_output<i> for multi-output nodes. */
char *mrt_model_entry_name (const MrtModel *model, MrtEntry entry);

/* Shape inference. input_shapes maps input name -> MrtShape*; inputs not in
 * it use their "__shape__" attribute. Returns one shape per entry (g_free). */
MrtShape *mrt_model_infer_shapes (const MrtModel *model, GHashTable *input_shapes, GError **error);
/* Convenience for single-input models. */
MrtShape *mrt_model_infer_shapes_single (const MrtModel *model, const MrtShape *input_shape, GError **error);

/* Node attributes. Values were type-checked by mrt_model_validate, so these
 * return the default when absent and never fail. */
const char *mrt_node_get_attr (const MrtNode *node, const char *key);
gboolean mrt_node_has_attr (const MrtNode *node, const char *key);
gint64 mrt_node_get_int (const MrtNode *node, const char *key, gint64 def);
double mrt_node_get_float (const MrtNode *node, const char *key, double def);
gboolean mrt_node_get_bool (const MrtNode *node, const char *key, gboolean def);
const char *mrt_node_get_string (const MrtNode *node, const char *key, const char *def);
/* FALSE (and out->n = 0) when absent. */
gboolean mrt_node_get_tuple (const MrtNode *node, const char *key, MrtTuple *out);
void mrt_node_set_attr (MrtNode *node, const char *key, const char *value);
static inline gboolean
mrt_node_is_variable (const MrtNode *node)
{
  return node->n_inputs == 0 && strcmp (node->op, "null") == 0;
}

/* Kahn ordering: n nodes, deps[i] lists n_deps[i] predecessors of node i.
 * Fills order (length n). On a cycle returns FALSE and *cycle_node names one
 * node on it. */
gboolean mrt_topo_order (guint n, guint *const *deps, const guint *n_deps, guint *order, guint *cycle_node);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtModel, mrt_model_unref)

G_END_DECLS
