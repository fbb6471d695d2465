/* mrt-quantize-private.h: what the quantization rules share: the pass
 * state and the requantization primitives (spec §6.2). */
#pragma once

#include "mrt-quantize.h"

#include "mrt-op.h"
#include "mrt-qmath.h"

G_BEGIN_DECLS

typedef struct {
  const MrtModel *src;
  MrtModel *dst;
  MrtShape *shapes;        /* src entries at batch 1 */
  GHashTable *src_th;      /* src name -> double* */
  const MrtQuantizeOptions *opts;
  GHashTable *map;         /* src name -> dst index + 1 */
  GHashTable *th, *sc;     /* dst name -> double* */
  GHashTable *prec;        /* dst name -> int* */
  GHashTable *counters;    /* name base -> next k */
  GHashTable *consts;      /* const name -> dst index + 1 */
  guint n_restored;
} Q;

typedef struct {
  guint node; /* dst index */
  int prec;
  double sc;
} QOut;

typedef gboolean (*QRule) (Q *q, const MrtNode *n, guint src_idx, GError **error);

/* state of dst nodes, by name */
const char *q_dname (Q *q, guint dst);
void q_set_state (Q *q, const char *name, double th, double sc, int prec);
double q_th_of (Q *q, guint dst);
double q_sc_of (Q *q, guint dst);
int q_prec_of (Q *q, guint dst);
double q_src_th (Q *q, const char *src_name);

/* building */
char *q_gen_name (Q *q, const char *base);
GHashTable *q_attrs_new (void);
void q_attr_int (GHashTable *a, const char *k, gint64 v);
guint q_add_op (Q *q, const char *name, const char *op, GHashTable *attrs, const guint *inputs, guint n);
guint q_add_custom (Q *q, const char *base, const char *op_type, int precision, int shift_bit, guint x);
guint q_add_param (Q *q, const char *name, MrtTensor *value, int precision);
guint q_const_node (Q *q, double value);
guint q_realize (Q *q, guint x, int sb, int p);

/* requantization */
gboolean q_requant_parameter (Q *q, guint src_w, int p, const double *s_given, QOut *out, GError **error);
gboolean q_requant_operator (Q *q, guint x, int p_out, const double *s_given, QOut *out, GError **error);
gboolean q_requant (Q *q, const MrtNode *n, guint i, int p, const double *s, QOut *out, GError **error);
guint q_mapped (Q *q, const MrtNode *n, guint i);
const MrtShape *q_in_shape (Q *q, const MrtNode *n, guint i);
GHashTable *q_copy_attrs (const MrtNode *n);
guint q_rebuild (Q *q, const MrtNode *n, const guint *inputs, guint count);

/* rules */
QRule q_find_rule (const char *op);
gboolean q_rule_restore (Q *q, const MrtNode *n, guint idx, GError **error);
gboolean q_rule_xwb_channel (Q *q, const MrtNode *n, guint idx, GError **error);

G_END_DECLS
