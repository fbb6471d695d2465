/* mrt-rewriter.h: rebuilding a graph node by node, as MRT's graph passes do.
 *
 * A rewriter walks a source model in topological order and builds a new
 * model. For every source node a per-op hook may emit replacement nodes and
 * map the source node's outputs to them; nodes without a hook (or whose hook
 * maps nothing) are copied with their inputs remapped. The rewriter keeps the
 * inferred shape and the consumer count of every new entry, so hooks can look
 * at their (already rewritten) inputs. Nodes left without consumers are
 * dropped when the rewriter finishes.
 *
 * MrtNameGen reproduces MRT's name generator `mrt_<pass>_<base>_<k>` (spec
 * §3.1). Unlike upstream, whose counters are process-global, a generator is
 * an object that lives for one pipeline run and is passed through the
 * passes: running prepare twice (as the GUI does) gives the same names. */
#pragma once

#include "mrt-model.h"
#include "mrt-qmath.h" /* mrt_get_bit */

G_BEGIN_DECLS

/* ---- names ---- */

typedef struct _MrtNameGen MrtNameGen;

MrtNameGen *mrt_name_gen_new (void);
MrtNameGen *mrt_name_gen_ref (MrtNameGen *gen);
void mrt_name_gen_unref (MrtNameGen *gen);
/* Enters a pass. A pass entered for the n-th time (n > 1) gets the suffix
 * n-1: "rewrite", "rewrite1", "rewrite2". Returns the name in use. */
const char *mrt_name_gen_begin_pass (MrtNameGen *gen, const char *pass);
/* Leaves the pass, restoring the enclosing one. */
void mrt_name_gen_end_pass (MrtNameGen *gen);
/* "mrt_<pass>_<base>_<k>"; k counts per base over the generator's life.
 * An empty base gives "mrt_<pass>_<k>". */
char *mrt_name_gen_next (MrtNameGen *gen, const char *base);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtNameGen, mrt_name_gen_unref)

/* ---- numbers as Python prints them (constant names are const_var_<str(x)>) ---- */

typedef struct {
  gboolean is_int;
  gint64 i;
  double d;
} MrtNumber;

static inline MrtNumber
mrt_number_int (gint64 v)
{
  return (MrtNumber){ TRUE, v, (double) v };
}
static inline MrtNumber
mrt_number_float (double v)
{
  return (MrtNumber){ FALSE, 0, v };
}
/* Attribute text as Python's eval sees it: "2" is an int, "2.0" a float. */
gboolean mrt_number_parse (const char *text, MrtNumber *out);
/* Python str(): "2", "2.0", "0.25", "1e-05", "0.3333333333333333". */
char *mrt_number_to_string (MrtNumber n);
/* Python repr of a float (shortest text that reads back exactly). */
char *mrt_float_repr (double v);

/* ---- attribute helpers ---- */

/* Key/value pairs ending with NULL; values are copied. */
GHashTable *mrt_attrs_new (const char *key, ...) G_GNUC_NULL_TERMINATED;
GHashTable *mrt_attrs_empty (void);
GHashTable *mrt_attrs_copy (GHashTable *attrs);
void mrt_attrs_set_take (GHashTable *attrs, const char *key, char *value);
/* "(None, 2, None)": elements with none[i] print None. */
char *mrt_tuple_format (const MrtTuple *t);
static inline const char *
mrt_bool_text (gboolean v)
{
  return v ? "True" : "False";
}

/* ---- the rewriter ---- */

typedef struct _MrtRewriter MrtRewriter;

/* Hook for one source node. Returns FALSE on error (see
 * mrt_rewriter_fail). Leaving the node unmapped copies it. */
typedef gboolean (*MrtRewriteHook) (MrtRewriter *rw, guint node, gpointer user_data);

typedef struct {
  const char *op;
  MrtRewriteHook hook;
} MrtRewriteRule;

/* input_shape: shape of variables that are neither parameters nor carry a
 * "__shape__" attribute (the model input). names may be NULL when no hook
 * generates names. */
MrtRewriter *mrt_rewriter_new (const MrtModel *src, const MrtShape *input_shape, MrtNameGen *names);
void mrt_rewriter_free (MrtRewriter *rw);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtRewriter, mrt_rewriter_free)

/* Runs the pass: rules (ending with { NULL }, may be NULL) are looked up by op
 * name; fallback (may be NULL) handles every other node. */
gboolean mrt_rewriter_run (MrtRewriter *rw, const MrtRewriteRule *rules, MrtRewriteHook fallback,
                           gpointer user_data, GError **error);
/* The new model: heads mapped, unreachable nodes and unreferenced
 * parameters dropped. The rewriter can only be freed afterwards. */
MrtModel *mrt_rewriter_finish (MrtRewriter *rw);

/* Queries on the source */
const MrtModel *mrt_rewriter_src (MrtRewriter *rw);
const MrtNode *mrt_rewriter_src_node (MrtRewriter *rw, guint node);
/* Consumers (and graph outputs) of output index of a source node. */
guint mrt_rewriter_src_uses (MrtRewriter *rw, guint node, guint index);

/* Queries on the new graph. Entries are new-graph entries. */
MrtEntry mrt_rewriter_in (MrtRewriter *rw, guint node, guint i); /* mapped input i of a source node */
const MrtNode *mrt_rewriter_node (MrtRewriter *rw, MrtEntry e);
const MrtShape *mrt_rewriter_shape (MrtRewriter *rw, MrtEntry e);
/* Consumers (and graph outputs) of e known so far, counted on the source. */
guint mrt_rewriter_uses (MrtRewriter *rw, MrtEntry e);
/* The parameter tensor behind e when e is a parameter variable, else NULL. */
MrtTensor *mrt_rewriter_param (MrtRewriter *rw, MrtEntry e);
gboolean mrt_rewriter_is_op (MrtRewriter *rw, MrtEntry e, const char *op);

/* Building. Names are copied; attrs is taken (may be NULL). */
MrtEntry mrt_rewriter_add (MrtRewriter *rw, const char *name, const char *op, GHashTable *attrs,
                           const MrtEntry *inputs, guint n_inputs);
/* Same, with a generated name for base. */
MrtEntry mrt_rewriter_add_gen (MrtRewriter *rw, const char *base, const char *op, GHashTable *attrs,
                               const MrtEntry *inputs, guint n_inputs);
/* A parameter variable (with "__shape__"); value is referenced. attrs may be NULL. */
MrtEntry mrt_rewriter_add_param (MrtRewriter *rw, const char *name, MrtTensor *value, GHashTable *attrs);
MrtEntry mrt_rewriter_add_param_gen (MrtRewriter *rw, const char *base, MrtTensor *value);
/* A plain variable (no parameter), e.g. a split key. */
MrtEntry mrt_rewriter_add_variable (MrtRewriter *rw, const char *name, GHashTable *attrs);
/* The shared constant const_var_<str(number)> of shape (1,) with attribute
 * precision = get_bit(number); reused when it exists. */
MrtEntry mrt_rewriter_const (MrtRewriter *rw, MrtNumber number);
/* Copies source node with remapped inputs and maps all its outputs. */
MrtEntry mrt_rewriter_copy (MrtRewriter *rw, guint node);
void mrt_rewriter_map (MrtRewriter *rw, guint node, guint index, MrtEntry e);
char *mrt_rewriter_gen_name (MrtRewriter *rw, const char *base);

/* Records an error for the node being rewritten; returns FALSE. */
gboolean mrt_rewriter_fail (MrtRewriter *rw, const char *format, ...) G_GNUC_PRINTF (2, 3);
gboolean mrt_rewriter_failed (MrtRewriter *rw);

/* Helpers shared by passes */
MrtTensor *mrt_rewriter_tensor1 (float v); /* shape (1,) */
/* A model with only the nodes reachable from the heads and the parameters
 * they reference (node order kept). */
MrtModel *mrt_rewriter_prune (const MrtModel *model);

G_END_DECLS
