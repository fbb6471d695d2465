/* mrt-cvm-check.h: analysis and verification of CVM graphs: every loader rule
 * of cvm.md §1–§4 (structure, attributes, shapes, limits, precision,
 * parameters, storage plan, gas), plus checks upstream lacks (storage
 * lifetimes, consistent weight shapes, head row counts) and a lint list of
 * constructs the upstream CPU runtime gets wrong.
 *
 * A CVM graph is an MrtModel whose
 *   - variables have op "null", a "precision" attr ("1".."32") and a
 *     "__shape__" attr (e.g. "(1, 3, 32, 32)"; optional for parameters,
 *     whose tensor gives the shape); exactly one is named "data", the input;
 *   - operator nodes have op = canonical CVM name and the CVM attributes as
 *     node attrs (strings, as in op_attrs);
 *   - parameters are int32 or int8 tensors (mrt_model_set_param_raw);
 *   - optionally every node carries "__storage_id__" = "(id,)" (one id per
 *     output): the storage plan read from a symbol file.
 * The MXNet registry (mrt-op.h) does not know CVM ops: never call
 * mrt_model_validate on such a model. */
#pragma once

#include "mrt-cvm-ops.h"

G_BEGIN_DECLS

/* Result of the structural analysis of a CVM graph. */
typedef struct {
  MrtModel *model;          /* a reference */
  guint n_nodes, n_entries;
  guint data_node;          /* the "data" variable */
  const MrtCvmOpDef **defs; /* per node; NULL for variables */
  MrtCvmAttrs **attrs;      /* per node; NULL for variables */
  guint *entry_offset;      /* per node: id of its first entry */
  MrtShape *shapes;         /* per entry */
  int *precision;           /* per entry */
} MrtCvmGraph;

/* Structure, operator attributes and arity, topological order, the data
 * input, shapes (inferred and compared with declared ones), limits and
 * precisions. Parameters and storage are not looked at. */
MrtCvmGraph *mrt_cvm_graph_new (const MrtModel *cvm, GError **error);
void mrt_cvm_graph_free (MrtCvmGraph *graph);
static inline guint
mrt_cvm_graph_entry (const MrtCvmGraph *graph, MrtEntry e)
{
  return graph->entry_offset[e.node] + e.index;
}

typedef enum {
  MRT_CVM_LINT_LEFT_SHIFT,       /* cvm_left_shift: the upstream CPU kernel throws */
  MRT_CVM_LINT_WHERE_1D,         /* where with a 1-D condition: both upstream kernels are wrong */
  MRT_CVM_LINT_WHERE_PRECISION,  /* where takes the condition's precision, lower than x/y's */
  MRT_CVM_LINT_MAX_EMPTY_AXIS,   /* max with axis=(): the accumulator starts at 0 */
  MRT_CVM_LINT_RIGHT_SHIFT_WIDE, /* shift_bit >= 31 or precision + shift_bit >= 32: CPU differs */
  MRT_CVM_LINT_NMS_BACKEND,      /* non_max_suppression: CPU and FORMAL procedures differ */
  MRT_CVM_LINT_ARGMAX_ROWS,      /* postprocess "argmax" is only right for one row */
} MrtCvmLintKind;

typedef struct {
  MrtCvmLintKind kind;
  guint node;    /* G_MAXUINT for graph-level warnings */
  char *message; /* names the node */
} MrtCvmLint;

typedef struct {
  guint64 gas, ops, mem;          /* §4.4: gas = ops + mem */
  guint64 storage_bytes;          /* GetStorageSize of the plan */
  guint n_storage_ids;
  int input_precision, output_precision;
  guint input_type_size, output_type_size; /* bytes per value: 1 or 4 */
  guint64 input_bytes, output_bytes;       /* CVMAPIGetInputLength / GetOutputLength */
  GPtrArray *warnings;            /* MrtCvmLint*: the lint list (does not fail the check) */
} MrtCvmReport;

/* Frees the warnings; the struct itself is the caller's. */
void mrt_cvm_report_clear (MrtCvmReport *report);

/* The full load-time check. report (may be NULL) is filled on success. */
gboolean mrt_cvm_check (const MrtModel *cvm, MrtCvmReport *report, GError **error);
/* Same on an analysed graph; *storage_ids (may be NULL) receives the plan
 * that was checked: the model's own, else a fresh one (g_free). */
gboolean mrt_cvm_graph_check (const MrtCvmGraph *graph, MrtCvmReport *report, int **storage_ids, GError **error);

/* Parameters: present for every variable but data, known names, int32/int8,
 * declared shapes, values within the variable's precision. */
gboolean mrt_cvm_graph_check_params (const MrtCvmGraph *graph, GError **error);
/* §4.4 exactly, with its limits. */
gboolean mrt_cvm_graph_gas (const MrtCvmGraph *graph, guint64 *ops, guint64 *mem, GError **error);

/* Storage plans: one id per entry.
 * The planner gives every variable its own id (after the operator ids, as
 * upstream does), reuses operator buffers after their last use (best fit)
 * and lets in-place ops write over an input that dies at that node. */
int *mrt_cvm_plan_storage (const MrtModel *cvm, GError **error);
int *mrt_cvm_graph_plan_storage (const MrtCvmGraph *graph);
/* The upstream rule (ops not in-place capable must not share an id with an
 * input) plus lifetimes: no entry may be overwritten while a later node
 * still reads it, graph outputs and parameters are never overwritten, and
 * variables do not share ids. bytes = GetStorageSize (capped at 2^32). */
gboolean mrt_cvm_graph_check_storage (const MrtCvmGraph *graph, const int *ids, guint64 *bytes, guint *n_ids,
                                      GError **error);
/* The plan stored in the model's "__storage_id__" attrs: TRUE with *ids NULL
 * when the model has none, FALSE when it is incomplete or malformed. */
gboolean mrt_cvm_get_storage_ids (const MrtModel *cvm, int **ids, GError **error);
/* Stores ids (one per entry) as "__storage_id__" attrs; NULL removes them. */
void mrt_cvm_set_storage_ids (MrtModel *cvm, const int *ids);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtCvmGraph, mrt_cvm_graph_free)

G_END_DECLS
