/* mrt-cvm-ops-broadcast.c: broadcast_add/sub/mul/max/div/greater (NumPy
 * broadcasting) and the reductions sum and max. */
#include "mrt-cvm-ops-private.h"
#include "mrt-cvm-simd.h"

#include <string.h>

/* ---- broadcast binary ops --------------------------------------------- */

static gboolean
broadcast_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtShape *x = &in[0], *y = &in[1];
  int nd = MAX (x->ndim, y->ndim);
  MrtShape o = { .ndim = nd };

  for (int i = 0; i < nd; i++)
    {
      int ix = x->ndim - nd + i, iy = y->ndim - nd + i;
      gint64 dx = ix >= 0 ? x->dim[ix] : 1, dy = iy >= 0 ? y->dim[iy] : 1;
      if (dx != dy && dx != 1 && dy != 1)
        {
          g_autofree char *sx = cvm_shape_str (x);
          g_autofree char *sy = cvm_shape_str (y);
          return cvm_fail (error, "shapes %s and %s cannot be broadcast together", sx, sy);
        }
      o.dim[i] = MAX (dx, dy);
    }
  out[0] = o;
  return TRUE;
}

/* Element strides of in, aligned to the output rank, 0 on broadcast axes. */
static void
broadcast_strides (const MrtShape *in, const MrtShape *out, gint64 *stride)
{
  gint64 s[MRT_MAX_NDIM];
  int off = out->ndim - in->ndim;
  cvm_strides (in, s);
  for (int i = 0; i < out->ndim; i++)
    stride[i] = i < off || in->dim[i - off] == 1 ? 0 : s[i - off];
}

typedef enum { BC_ADD, BC_SUB, BC_MUL, BC_MAX, BC_DIV, BC_GREATER } BcOp;

static inline gint32
bc_apply (BcOp op, gint64 x, gint64 y)
{
  switch (op)
    {
    case BC_ADD: return wrap32 (x + y);
    case BC_SUB: return wrap32 (x - y);
    case BC_MUL: return wrap32 (x * y);
    case BC_MAX: return (gint32) MAX (x, y);
    case BC_DIV: return y == 0 ? 0 : wrap32 (x / y); /* C division truncates toward zero */
    case BC_GREATER:
    default: return x > y;
    }
}

/* Each input the output's size (no broadcasting: same elements in the same
 * order) or a single value: a flat loop. FALSE for the other cases. */
static gboolean
broadcast_flat (BcOp op, const MrtCvmView *in, const MrtCvmView *out)
{
  gsize n = out[0].n, sa = in[0].n == n, sb = in[1].n == n;
  CvmSimdOp sop = op == BC_ADD ? CVM_SIMD_ADD : op == BC_SUB ? CVM_SIMD_SUB : op == BC_MUL ? CVM_SIMD_MUL : CVM_SIMD_MAX;

  if ((op != BC_ADD && op != BC_SUB && op != BC_MUL && op != BC_MAX) || (!sa && in[0].n != 1) ||
      (!sb && in[1].n != 1))
    return FALSE;
  cvm_simd_binary (sop, in[0].data, sa, in[1].data, sb, out[0].data, n);
  return TRUE;
}

static void
broadcast_run (BcOp op, const MrtCvmView *in, const MrtCvmView *out)
{
  const MrtShape *os = &out[0].shape;
  gint64 sx[MRT_MAX_NDIM], sy[MRT_MAX_NDIM], idx[MRT_MAX_NDIM] = { 0 };
  int nd = os->ndim;
  gint64 inner = os->dim[nd - 1];
  gint32 *dst = out[0].data;

  if (broadcast_flat (op, in, out))
    return;
  broadcast_strides (&in[0].shape, os, sx);
  broadcast_strides (&in[1].shape, os, sy);
  do
    {
      gint64 ox = 0, oy = 0;
      for (int i = 0; i < nd - 1; i++)
        {
          ox += idx[i] * sx[i];
          oy += idx[i] * sy[i];
        }
      for (gint64 j = 0; j < inner; j++)
        *dst++ = bc_apply (op, in[0].data[ox + j * sx[nd - 1]], in[1].data[oy + j * sy[nd - 1]]);
    }
  while (cvm_odometer_next (nd - 1, os->dim, idx));
}

#define BROADCAST_KERNEL(fname, OP)                                                                     \
  static void fname (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, \
                     guint n_threads)                                                                   \
  {                                                                                                     \
    broadcast_run (OP, in, out);                                                                        \
  }

BROADCAST_KERNEL (badd_forward, BC_ADD)
BROADCAST_KERNEL (bsub_forward, BC_SUB)
BROADCAST_KERNEL (bmul_forward, BC_MUL)
BROADCAST_KERNEL (bmax_forward, BC_MAX)
BROADCAST_KERNEL (bdiv_forward, BC_DIV)
BROADCAST_KERNEL (bgreater_forward, BC_GREATER)

static gboolean
mul_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  out[0] = prec[0] + prec[1];
  return TRUE;
}

/* ---- sum / max -------------------------------------------------------- */

enum { RD_AXIS, RD_KEEPDIMS, RD_EXCLUDE, RD_DTYPE };

static const MrtCvmAttrSpec reduce_attrs[] = {
  SPEC_TUPLE ("axis", "()", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1, 0, MRT_CVM_MAX_NDIM),
  SPEC_BOOL ("keepdims", "False"),
  SPEC_BOOL ("exclude", "False"),
  SPEC_STR ("dtype", "int32", NULL),
  SPEC_END,
};

/* mask[i]: axis i is reduced. */
static gboolean
reduce_mask (const MrtCvmAttrs *a, int ndim, gboolean *mask, GError **error)
{
  const MrtCvmValue *ax = A_TUP (a, RD_AXIS);
  memset (mask, 0, sizeof (gboolean) * MRT_MAX_NDIM);
  if (ax->n == 0)
    {
      for (int i = 0; i < ndim; i++)
        mask[i] = TRUE;
      return TRUE;
    }
  for (int k = 0; k < ax->n; k++)
    {
      int i;
      if (!cvm_axis (ax->t[k], ndim, &i))
        return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D input", ax->t[k], ndim);
      if (mask[i])
        return cvm_fail (error, "axis %" G_GINT64_FORMAT " is listed twice", ax->t[k]);
      mask[i] = TRUE;
    }
  if (A_INT (a, RD_EXCLUDE))
    for (int i = 0; i < ndim; i++)
      mask[i] = !mask[i];
  return TRUE;
}

static gboolean
reduce_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gboolean mask[MRT_MAX_NDIM];
  MrtShape o = { 0 };

  if (!reduce_mask (a, in[0].ndim, mask, error))
    return FALSE;
  for (int i = 0; i < in[0].ndim; i++)
    if (!mask[i])
      o.dim[o.ndim++] = in[0].dim[i];
    else if (A_INT (a, RD_KEEPDIMS))
      o.dim[o.ndim++] = 1;
  if (o.ndim == 0)
    o = mrt_shape_make (1, (gint64) 1);
  out[0] = o;
  return TRUE;
}

static gboolean
sum_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  MrtShape o;
  if (!reduce_shape (a, in, n_in, &o, error))
    return FALSE;
  out[0] = prec[0] + mrt_cvm_bits ((guint64) (mrt_shape_size (&in[0]) / mrt_shape_size (&o)));
  return TRUE;
}

static void
reduce_run (const MrtCvmAttrs *a, const MrtCvmView *in, const MrtCvmView *out, gboolean is_max)
{
  const MrtShape *is = &in[0].shape;
  gboolean mask[MRT_MAX_NDIM];
  MrtShape keep = *is;
  gint64 ks[MRT_MAX_NDIM], os[MRT_MAX_NDIM], idx[MRT_MAX_NDIM] = { 0 };
  gint64 inner, inner_os;
  const gint32 *src = in[0].data;
  gboolean empty_axis = A_TUP (a, RD_AXIS)->n == 0;
  int nd = is->ndim;

  reduce_mask (a, nd, mask, NULL);
  for (int i = 0; i < nd; i++)
    if (mask[i])
      keep.dim[i] = 1;
  cvm_strides (&keep, ks);
  for (int i = 0; i < nd; i++)
    os[i] = mask[i] ? 0 : ks[i];
  /* Both upstream backends start the accumulator at 0 when axis is empty,
   * so max over all-negative data gives 0 there. */
  for (gsize i = 0; i < out[0].n; i++)
    out[0].data[i] = is_max && !empty_axis ? G_MININT32 : 0;
  inner = is->dim[nd - 1];
  inner_os = os[nd - 1];
  do
    {
      gint64 o = 0;
      for (int i = 0; i < nd - 1; i++)
        o += idx[i] * os[i];
      for (gint64 j = 0; j < inner; j++)
        {
          gint32 *d = &out[0].data[o + j * inner_os];
          gint32 v = *src++;
          if (is_max)
            *d = MAX (*d, v);
          else
            *d = wrap32 ((gint64) *d + v);
        }
    }
  while (cvm_odometer_next (nd - 1, is->dim, idx));
}

static void
sum_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  reduce_run (a, in, out, FALSE);
}

static void
max_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  reduce_run (a, in, out, TRUE);
}

static guint64
sum_gas (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out)
{
  return (guint64) (mrt_shape_size (&in[0]) / mrt_shape_size (&out[0]));
}

const MrtCvmOpDef mrt_cvm_ops_broadcast[] = {
  { "broadcast_add", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, cvm_prec_max_plus1, badd_forward, NULL },
  { "broadcast_sub", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, cvm_prec_max_plus1, bsub_forward, NULL },
  { "broadcast_mul", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, mul_prec, bmul_forward, NULL },
  { "broadcast_max", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, cvm_prec_max, bmax_forward, NULL },
  { "broadcast_div", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, cvm_prec_same, bdiv_forward, NULL },
  { "broadcast_greater", NULL, 2, 2, 1, FALSE, NULL, broadcast_shape, cvm_prec_same, bgreater_forward, NULL },
  { "sum", reduce_attrs, 1, 1, 1, FALSE, NULL, reduce_shape, sum_prec, sum_forward, sum_gas },
  { "max", reduce_attrs, 1, 1, 1, FALSE, NULL, reduce_shape, cvm_prec_same, max_forward, NULL },
};
const guint mrt_cvm_ops_broadcast_count = G_N_ELEMENTS (mrt_cvm_ops_broadcast);
