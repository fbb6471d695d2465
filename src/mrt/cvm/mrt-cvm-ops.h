/* mrt-cvm-ops.h: the CVM operator registry (separate from the MXNet one in
 * mrt-op.h). For each of the 37 canonical CVM operators it holds the
 * attribute schema (types, defaults, ranges), the arity, shape inference,
 * precision inference (cvm.md §3.3), the int32 kernel (the FORMAL reference
 * semantics of §3.4) and the gas base (§4.4).
 *
 * In a CVM graph (an MrtModel) an operator node has op = the canonical CVM
 * name ("conv2d", "cvm_lut", ...) and its CVM attributes as node attrs
 * (strings exactly as in the symbol's op_attrs). Keys of the form "__x__" are
 * ignored by the schema. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

/* Limits of cvm.md §4.5. */
#define MRT_CVM_MAX_NDIM 6
#define MRT_CVM_MAX_DIM (G_GINT64_CONSTANT (1) << 24)
#define MRT_CVM_MAX_SIZE (G_GINT64_CONSTANT (1) << 30)
#define MRT_CVM_MAX_PRECISION 32
#define MRT_CVM_ATTR_MAX 4096
#define MRT_CVM_MAX_TUPLE 16
#define MRT_CVM_MAX_ATTRS 12

#define MRT_CVM_ERROR (mrt_cvm_error_quark ())
typedef enum {
  MRT_CVM_ERROR_FORMAT,      /* malformed JSON or params bytes, wrong types */
  MRT_CVM_ERROR_UNSUPPORTED, /* unknown key, operator or version */
  MRT_CVM_ERROR_ATTRIBUTE,   /* bad operator attribute */
  MRT_CVM_ERROR_GRAPH,       /* names, inputs, order, heads, arity */
  MRT_CVM_ERROR_SHAPE,
  MRT_CVM_ERROR_PRECISION,
  MRT_CVM_ERROR_PARAM,
  MRT_CVM_ERROR_STORAGE,
  MRT_CVM_ERROR_LIMIT,       /* size, gas and storage caps */
  MRT_CVM_ERROR_INPUT,       /* bad input given to the executor */
} MrtCvmError;
GQuark mrt_cvm_error_quark (void);

typedef enum {
  MRT_CVM_INT,     /* decimal integer */
  MRT_CVM_BOOL,    /* true/false/1/0, case-insensitive */
  MRT_CVM_TUPLE,   /* "(a, b)", "[a, b]", "a", "()" */
  MRT_CVM_OPT_INT, /* "None" or an integer */
  MRT_CVM_STR,
} MrtCvmAttrType;

typedef struct {
  const char *name;
  MrtCvmAttrType type;
  const char *def;            /* default text; NULL: required */
  gint64 min, max;            /* range of an INT/OPT_INT value and of each TUPLE element */
  int min_len, max_len;       /* TUPLE length */
  const char *const *choices; /* STR: allowed values, NULL-terminated; NULL: any */
} MrtCvmAttrSpec;

typedef struct {
  gint64 i;     /* INT, BOOL (0/1), OPT_INT */
  gboolean none; /* OPT_INT was "None" */
  int n;        /* TUPLE length */
  gint64 t[MRT_CVM_MAX_TUPLE];
  const char *s; /* STR (interned) */
} MrtCvmValue;

typedef struct _MrtCvmOpDef MrtCvmOpDef;

/* Parsed attributes of one node: v[k] is the value of def->attrs[k]
 * (the default when absent). */
typedef struct {
  const MrtCvmOpDef *def;
  MrtCvmValue v[MRT_CVM_MAX_ATTRS];
} MrtCvmAttrs;

/* An int32 tensor view into executor storage. */
typedef struct {
  gint32 *data;
  MrtShape shape;
  gsize n;
} MrtCvmView;

struct _MrtCvmOpDef {
  const char *name;
  const MrtCvmAttrSpec *attrs; /* terminated by { NULL }; NULL: the op takes no attributes */
  int min_inputs, max_inputs;  /* max_inputs -1: unbounded */
  guint n_outputs;
  gboolean in_place;           /* may write its output over input 0 (or 1 for elemwise_add/sub) */
  /* Exact input count when it depends on attributes (conv2d, dense). */
  guint (*arity) (const MrtCvmAttrs *a);
  gboolean (*infer_shape) (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error);
  /* prec[i]: input precisions; fills out[j] (unchecked range, the caller checks 1..32). */
  gboolean (*infer_precision) (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in,
                               int *out, GError **error);
  /* Never fails: every check happened at load. out[j].data may equal
   * in[k].data for in-place ops. */
  void (*forward) (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                   guint n_threads);
  /* Gas base per output element (NULL: 1). */
  guint64 (*gas_base) (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out);
};

/* Canonical names only (no aliases); NULL when unknown. */
const MrtCvmOpDef *mrt_cvm_op_lookup (const char *name);
guint mrt_cvm_n_ops (void);
const MrtCvmOpDef *mrt_cvm_op_nth (guint i);
/* The runtime's func_name rule: strips one trailing "_<digits>" group
 * ("conv2d_3" -> "conv2d"); returns a newly allocated string. */
char *mrt_cvm_func_name_canonical (const char *func_name);

/* TRUE for "__x__" keys, which the attribute parser ignores. */
gboolean mrt_cvm_attr_is_hidden (const char *key);
/* Parses and range-checks attrs (key -> text) against def's schema: unknown
 * keys, missing required ones and bad values are errors. */
gboolean mrt_cvm_attrs_parse (const MrtCvmOpDef *def, GHashTable *attrs, MrtCvmAttrs *out, GError **error);
/* Index of an attribute in def->attrs, -1 when absent from the schema. */
int mrt_cvm_attr_index (const MrtCvmOpDef *def, const char *name);
/* Input count the node must have (given its attributes); max -1: unbounded. */
void mrt_cvm_op_arity (const MrtCvmAttrs *a, int *min_inputs, int *max_inputs);

/* Strict text parsers of the CVM attribute grammar (§1.3). */
gboolean mrt_cvm_parse_int (const char *text, gint64 *out);
gboolean mrt_cvm_parse_bool (const char *text, gboolean *out);
gboolean mrt_cvm_parse_tuple (const char *text, int *n, gint64 *v);

/* bits(n): number of binary digits (0 -> 0, 1 -> 1, 2..3 -> 2, ...). */
int mrt_cvm_bits (guint64 n);
/* numprec(n) = bits(n + 1) + 1, the runtime's rule for clip and get_valid_counts. */
int mrt_cvm_numprec (guint64 n);
/* 2^(p-1) - 1 for p in 1..32. */
static inline gint64
mrt_cvm_range (int p)
{
  return (G_GINT64_CONSTANT (1) << (p - 1)) - 1;
}

/* Runs fn over [0, n_items) split into contiguous chunks on up to n_threads
 * threads (the calling thread included). Results must not depend on the
 * split: each item must write its own outputs only. item_cost estimates
 * the work per item; small jobs run inline. */
typedef void (*MrtCvmRangeFunc) (gpointer data, gsize begin, gsize end);
void mrt_cvm_parallel (guint n_threads, gsize n_items, gsize item_cost, MrtCvmRangeFunc fn, gpointer data);

G_END_DECLS
