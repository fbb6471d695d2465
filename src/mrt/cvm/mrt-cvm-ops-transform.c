/* mrt-cvm-ops-transform.c: flatten, reshape (MXNet special codes),
 * expand_dims, squeeze, transpose, concatenate, repeat, tile. */
#include "mrt-cvm-ops-private.h"

#include <string.h>

#define AXIS_LO (-MRT_CVM_MAX_NDIM - 1)
#define AXIS_HI MRT_CVM_MAX_NDIM

static gboolean
too_many_dims (int nd, GError **error)
{
  if (nd > MRT_CVM_MAX_NDIM)
    return !cvm_fail (error, "the result would have %d dimensions (at most %d)", nd, MRT_CVM_MAX_NDIM);
  return FALSE;
}

/* ---- flatten ---------------------------------------------------------- */

static gboolean
flatten_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gint64 rest = 1;
  for (int i = 1; i < in[0].ndim; i++)
    rest *= in[0].dim[i];
  out[0] = mrt_shape_make (2, in[0].dim[0], rest);
  return TRUE;
}

/* ---- reshape ---------------------------------------------------------- */

enum { RS_SHAPE };

static const MrtCvmAttrSpec reshape_attrs[] = {
  SPEC_TUPLE ("shape", NULL, -4, MRT_CVM_MAX_DIM, 1, MRT_CVM_MAX_TUPLE),
  SPEC_END,
};

static gboolean
reshape_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtCvmValue *sh = A_TUP (a, RS_SHAPE);
  const MrtShape *x = &in[0];
  MrtShape o = { 0 };
  int src = 0, infer = -1;
  gint64 known = 1, total = mrt_shape_size (x);

#define PUSH(v)                                  \
  do                                             \
    {                                            \
      if (too_many_dims (o.ndim + 1, error))     \
        return FALSE;                            \
      o.dim[o.ndim++] = (v);                     \
    }                                            \
  while (0)

  for (int i = 0; i < sh->n; i++)
    {
      gint64 v = sh->t[i];
      if (v > 0)
        {
          PUSH (v);
          src++;
        }
      else if (v == 0)
        {
          if (src >= x->ndim)
            return cvm_fail (error, "shape code 0 at position %d has no input dimension to copy", i);
          PUSH (x->dim[src++]);
        }
      else if (v == -1)
        {
          if (infer >= 0)
            return cvm_fail (error, "shape has more than one -1");
          infer = o.ndim;
          PUSH (1);
          src++;
        }
      else if (v == -2)
        {
          while (src < x->ndim)
            PUSH (x->dim[src++]);
        }
      else if (v == -3)
        {
          if (src + 1 >= x->ndim)
            return cvm_fail (error, "shape code -3 needs two input dimensions");
          PUSH (x->dim[src] * x->dim[src + 1]);
          src += 2;
        }
      else /* -4: split one input dimension into the next two values */
        {
          gint64 d, d0, d1;
          if (i + 2 >= sh->n || src >= x->ndim)
            return cvm_fail (error, "shape code -4 needs an input dimension and two values");
          d = x->dim[src++];
          d0 = sh->t[i + 1];
          d1 = sh->t[i + 2];
          i += 2;
          if (d0 == -1 && d1 > 0 && d % d1 == 0)
            d0 = d / d1;
          else if (d1 == -1 && d0 > 0 && d % d0 == 0)
            d1 = d / d0;
          if (d0 <= 0 || d1 <= 0 || d0 * d1 != d)
            return cvm_fail (error, "shape code -4 cannot split %" G_GINT64_FORMAT " into (%" G_GINT64_FORMAT
                             ", %" G_GINT64_FORMAT ")", d, sh->t[i - 1], sh->t[i]);
          PUSH (d0);
          PUSH (d1);
        }
    }
#undef PUSH
  for (int i = 0; i < o.ndim; i++)
    if (i != infer)
      known *= o.dim[i];
  if (infer >= 0)
    {
      if (known == 0 || total % known != 0)
        return cvm_fail (error, "cannot infer the -1 dimension");
      o.dim[infer] = total / known;
    }
  if (mrt_shape_size (&o) != total)
    {
      g_autofree char *si = cvm_shape_str (x);
      g_autofree char *so = cvm_shape_str (&o);
      return cvm_fail (error, "cannot reshape %s into %s", si, so);
    }
  out[0] = o;
  return TRUE;
}

/* ---- expand_dims / squeeze -------------------------------------------- */

enum { ED_AXIS, ED_NUM };

static const MrtCvmAttrSpec expand_dims_attrs[] = {
  SPEC_INT ("axis", NULL, AXIS_LO, AXIS_HI),
  SPEC_INT ("num_newaxis", "1", 0, MRT_CVM_ATTR_MAX),
  SPEC_END,
};

static gboolean
expand_dims_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  int nd = in[0].ndim, n = (int) A_INT (a, ED_NUM), ax;
  gint64 axis = A_INT (a, ED_AXIS);
  MrtShape o = { 0 };

  if (axis < -nd - 1 || axis > nd)
    return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D input", axis, nd);
  if (too_many_dims (nd + n, error))
    return FALSE;
  ax = (int) (axis < 0 ? axis + nd + 1 : axis);
  for (int i = 0; i < ax; i++)
    o.dim[o.ndim++] = in[0].dim[i];
  for (int i = 0; i < n; i++)
    o.dim[o.ndim++] = 1;
  for (int i = ax; i < nd; i++)
    o.dim[o.ndim++] = in[0].dim[i];
  out[0] = o;
  return TRUE;
}

enum { SQ_AXIS };

static const MrtCvmAttrSpec axes_attrs[] = {
  SPEC_TUPLE ("axis", "()", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1, 0, MRT_CVM_MAX_NDIM),
  SPEC_END,
};

static gboolean
squeeze_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  const MrtCvmValue *ax = A_TUP (a, SQ_AXIS);
  gboolean drop[MRT_MAX_NDIM] = { 0 };
  MrtShape o = { 0 };

  for (int i = 0; i < in[0].ndim; i++)
    drop[i] = ax->n == 0 && in[0].dim[i] == 1;
  for (int k = 0; k < ax->n; k++)
    {
      int i;
      if (!cvm_axis (ax->t[k], in[0].ndim, &i))
        return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D input", ax->t[k], in[0].ndim);
      if (in[0].dim[i] != 1)
        return cvm_fail (error, "cannot squeeze axis %d of size %" G_GINT64_FORMAT, i, in[0].dim[i]);
      drop[i] = TRUE;
    }
  for (int i = 0; i < in[0].ndim; i++)
    if (!drop[i])
      o.dim[o.ndim++] = in[0].dim[i];
  if (o.ndim == 0)
    o = mrt_shape_make (1, (gint64) 1);
  out[0] = o;
  return TRUE;
}

/* ---- transpose -------------------------------------------------------- */

enum { TR_AXES };

static const MrtCvmAttrSpec transpose_attrs[] = {
  SPEC_TUPLE ("axes", "()", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1, 0, MRT_CVM_MAX_NDIM),
  SPEC_END,
};

static gboolean
transpose_perm (const MrtCvmAttrs *a, int nd, int *perm, GError **error)
{
  const MrtCvmValue *ax = A_TUP (a, TR_AXES);
  gboolean seen[MRT_MAX_NDIM] = { 0 };

  if (ax->n == 0)
    {
      for (int i = 0; i < nd; i++)
        perm[i] = nd - 1 - i;
      return TRUE;
    }
  if (ax->n != nd)
    return cvm_fail (error, "axes has %d values for a %d-D input", ax->n, nd);
  for (int i = 0; i < nd; i++)
    {
      if (!cvm_axis (ax->t[i], nd, &perm[i]) || seen[perm[i]])
        return cvm_fail (error, "axes is not a permutation of the %d input axes", nd);
      seen[perm[i]] = TRUE;
    }
  return TRUE;
}

static gboolean
transpose_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  int perm[MRT_MAX_NDIM];
  if (!transpose_perm (a, in[0].ndim, perm, error))
    return FALSE;
  out[0].ndim = in[0].ndim;
  for (int i = 0; i < in[0].ndim; i++)
    out[0].dim[i] = in[0].dim[perm[i]];
  return TRUE;
}

static void
transpose_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                   guint n_threads)
{
  int perm[MRT_MAX_NDIM];
  gint64 is[MRT_MAX_NDIM], ss[MRT_MAX_NDIM];
  transpose_perm (a, in[0].shape.ndim, perm, NULL);
  cvm_strides (&in[0].shape, is);
  for (int i = 0; i < in[0].shape.ndim; i++)
    ss[i] = is[perm[i]];
  cvm_strided_gather (out[0].shape.ndim, out[0].shape.dim, in[0].data, ss, out[0].data);
}

/* ---- concatenate ------------------------------------------------------ */

enum { CC_AXIS };

static const MrtCvmAttrSpec concatenate_attrs[] = {
  SPEC_INT ("axis", "1", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1),
  SPEC_END,
};

static gboolean
concatenate_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  int ax = 0;
  MrtShape o = in[0];
  if (!cvm_axis (A_INT (a, CC_AXIS), in[0].ndim, &ax))
    return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D input", A_INT (a, CC_AXIS),
                     in[0].ndim);
  for (guint k = 1; k < n_in; k++)
    {
      gboolean ok = in[k].ndim == o.ndim;
      for (int i = 0; ok && i < o.ndim; i++)
        ok = i == ax || in[k].dim[i] == o.dim[i];
      if (!ok)
        {
          g_autofree char *s0 = cvm_shape_str (&in[0]);
          g_autofree char *sk = cvm_shape_str (&in[k]);
          return cvm_fail (error, "input %u shape %s does not match %s outside axis %d", k, sk, s0, ax);
        }
      o.dim[ax] += in[k].dim[ax];
    }
  out[0] = o;
  return TRUE;
}

static void
concatenate_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                     guint n_threads)
{
  int ax = 0;
  gint64 outer = 1, inner = 1;
  gint32 *dst = out[0].data;

  cvm_axis (A_INT (a, CC_AXIS), out[0].shape.ndim, &ax);
  for (int i = 0; i < ax; i++)
    outer *= out[0].shape.dim[i];
  for (int i = ax + 1; i < out[0].shape.ndim; i++)
    inner *= out[0].shape.dim[i];
  for (gint64 o = 0; o < outer; o++)
    for (guint k = 0; k < n_in; k++)
      {
        gint64 block = in[k].shape.dim[ax] * inner;
        memcpy (dst, in[k].data + o * block, (gsize) block * sizeof (gint32));
        dst += block;
      }
}

/* ---- repeat ----------------------------------------------------------- */

enum { RP_REPEATS, RP_AXIS };

static const MrtCvmAttrSpec repeat_attrs[] = {
  SPEC_INT ("repeats", NULL, 1, MRT_CVM_MAX_DIM),
  SPEC_INT ("axis", "0", -MRT_CVM_MAX_NDIM, MRT_CVM_MAX_NDIM - 1),
  SPEC_END,
};

static gboolean
repeat_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  int ax = 0;
  if (!cvm_axis (A_INT (a, RP_AXIS), in[0].ndim, &ax))
    return cvm_fail (error, "axis %" G_GINT64_FORMAT " is out of range for %d-D input", A_INT (a, RP_AXIS),
                     in[0].ndim);
  out[0] = in[0];
  out[0].dim[ax] *= A_INT (a, RP_REPEATS);
  return TRUE;
}

static void
repeat_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                guint n_threads)
{
  int ax = 0;
  gint64 rep = A_INT (a, RP_REPEATS), outer = 1, inner = 1, d;
  gint32 *dst = out[0].data;

  cvm_axis (A_INT (a, RP_AXIS), in[0].shape.ndim, &ax);
  d = in[0].shape.dim[ax];
  for (int i = 0; i < ax; i++)
    outer *= in[0].shape.dim[i];
  for (int i = ax + 1; i < in[0].shape.ndim; i++)
    inner *= in[0].shape.dim[i];
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < d * rep; i++)
      {
        memcpy (dst, in[0].data + (o * d + i / rep) * inner, (gsize) inner * sizeof (gint32));
        dst += inner;
      }
}

/* ---- tile ------------------------------------------------------------- */

enum { TL_REPS };

static const MrtCvmAttrSpec tile_attrs[] = {
  SPEC_TUPLE ("reps", NULL, 1, MRT_CVM_ATTR_MAX, 1, MRT_CVM_MAX_NDIM),
  SPEC_END,
};

/* Input dims and reps right-aligned to the output rank. */
static int
tile_align (const MrtCvmAttrs *a, const MrtShape *in, gint64 *dim, gint64 *reps)
{
  const MrtCvmValue *r = A_TUP (a, TL_REPS);
  int nd = MAX (in->ndim, r->n);
  for (int i = 0; i < nd; i++)
    {
      int ii = in->ndim - nd + i, ir = r->n - nd + i;
      dim[i] = ii >= 0 ? in->dim[ii] : 1;
      reps[i] = ir >= 0 ? r->t[ir] : 1;
    }
  return nd;
}

static gboolean
tile_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  gint64 dim[MRT_CVM_MAX_TUPLE], reps[MRT_CVM_MAX_TUPLE];
  int nd = tile_align (a, &in[0], dim, reps);
  if (too_many_dims (nd, error))
    return FALSE;
  out[0].ndim = nd;
  for (int i = 0; i < nd; i++)
    out[0].dim[i] = dim[i] * reps[i];
  return TRUE;
}

/* The output viewed as (rep_0, dim_0, rep_1, dim_1, ...): rep axes have a
 * zero source stride. */
static void
tile_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  gint64 dim[MRT_CVM_MAX_TUPLE], reps[MRT_CVM_MAX_TUPLE], vd[2 * MRT_MAX_NDIM], vs[2 * MRT_MAX_NDIM];
  gint64 acc = 1;
  int nd = tile_align (a, &in[0].shape, dim, reps);
  for (int i = nd - 1; i >= 0; i--)
    {
      vd[2 * i] = reps[i];
      vs[2 * i] = 0;
      vd[2 * i + 1] = dim[i];
      vs[2 * i + 1] = acc;
      acc *= dim[i];
    }
  cvm_strided_gather (2 * nd, vd, in[0].data, vs, out[0].data);
}

const MrtCvmOpDef mrt_cvm_ops_transform[] = {
  { "flatten", NULL, 1, 1, 1, TRUE, NULL, flatten_shape, cvm_prec_same, cvm_forward_copy, NULL },
  { "reshape", reshape_attrs, 1, 1, 1, TRUE, NULL, reshape_shape, cvm_prec_same, cvm_forward_copy, NULL },
  { "expand_dims", expand_dims_attrs, 1, 1, 1, TRUE, NULL, expand_dims_shape, cvm_prec_same, cvm_forward_copy,
    NULL },
  { "squeeze", axes_attrs, 1, 1, 1, TRUE, NULL, squeeze_shape, cvm_prec_same, cvm_forward_copy, NULL },
  { "transpose", transpose_attrs, 1, 1, 1, FALSE, NULL, transpose_shape, cvm_prec_same, transpose_forward, NULL },
  { "concatenate", concatenate_attrs, 1, -1, 1, FALSE, NULL, concatenate_shape, cvm_prec_max,
    concatenate_forward, NULL },
  { "repeat", repeat_attrs, 1, 1, 1, FALSE, NULL, repeat_shape, cvm_prec_same, repeat_forward, NULL },
  { "tile", tile_attrs, 1, 1, 1, FALSE, NULL, tile_shape, cvm_prec_same, tile_forward, NULL },
};
const guint mrt_cvm_ops_transform_count = G_N_ELEMENTS (mrt_cvm_ops_transform);
