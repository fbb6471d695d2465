/* mrt-ops-transform.c: the transform operator family: shape changes
 * (Reshape, Flatten, expand_dims, squeeze, reshape_like), axis permutations
 * (transpose, SwapAxis), broadcasting (broadcast_to/_like/_axis) and the
 * constant makers (_arange, _zeros, _ones, _full). The slicing, joining and
 * padding ops live in mrt-ops-slice.c, the broadcasting ops in
 * mrt-ops-broadcast.c; they are listed in this table too. */
#include <math.h>
#include <string.h>

#include "mrt-ops-common.h"

/* ------------------------------------------------------------------ */
/* Shared helpers                                                      */

void
mrt_ops_strided_copy (int nd, const gint64 *dim, const float *src, const gint64 *sstride, float *dst,
                      const gint64 *dstride)
{
  gint64 d[MRT_OPS_MAX_VIEW], ss[MRT_OPS_MAX_VIEW], ds[MRT_OPS_MAX_VIEW], idx[MRT_OPS_MAX_VIEW] = { 0 };
  gint64 rows = 1, so = 0, dof = 0, n, s, t;
  int k = 0;

  g_return_if_fail (nd <= MRT_OPS_MAX_VIEW);
  for (int i = 0; i < nd; i++)
    {
      if (dim[i] == 0)
        return;
      if (dim[i] == 1)
        continue;
      /* merge with the previous (outer) axis when both operands stay regular */
      if (k > 0 && ss[k - 1] == sstride[i] * dim[i] && ds[k - 1] == dstride[i] * dim[i])
        {
          d[k - 1] *= dim[i];
          ss[k - 1] = sstride[i];
          ds[k - 1] = dstride[i];
          continue;
        }
      d[k] = dim[i];
      ss[k] = sstride[i];
      ds[k] = dstride[i];
      k++;
    }
  if (k == 0)
    {
      dst[0] = src[0];
      return;
    }
  n = d[k - 1];
  s = ss[k - 1];
  t = ds[k - 1];
  for (int i = 0; i < k - 1; i++)
    rows *= d[i];
  for (gint64 r = 0; r < rows; r++)
    {
      const float *sp = src + so;
      float *dp = dst + dof;
      if (s == 1 && t == 1)
        memcpy (dp, sp, (gsize) n * sizeof (float));
      else if (t == 1)
        for (gint64 j = 0; j < n; j++)
          dp[j] = sp[j * s];
      else
        for (gint64 j = 0; j < n; j++)
          dp[j * t] = sp[j * s];
      for (int a = k - 2; a >= 0; a--)
        {
          so += ss[a];
          dof += ds[a];
          if (++idx[a] < d[a])
            break;
          so -= ss[a] * d[a];
          dof -= ds[a] * d[a];
          idx[a] = 0;
        }
    }
}

gboolean
mrt_ops_axes_attr (const MrtNode *node, const char *key, int ndim, gboolean *given, gboolean *mask,
                   GError **error)
{
  const char *text = mrt_node_get_attr (node, key);
  MrtTuple t;

  *given = FALSE;
  for (int i = 0; i < ndim; i++)
    mask[i] = FALSE;
  if (text == NULL || mrt_attr_is_none (text))
    return TRUE;
  if (!mrt_attr_parse_tuple (text, &t))
    return mrt_ops_fail (error, "%s=“%s” is not an axis or a tuple of axes", key, text);
  for (int i = 0; i < t.n; i++)
    {
      int a;
      if (t.none[i])
        return mrt_ops_fail (error, "%s=“%s”: None is not an axis", key, text);
      if (!mrt_normalize_axis (t.v[i], ndim, &a))
        return mrt_ops_fail (error, "%s: axis %" G_GINT64_FORMAT " is out of range for a %d-D input", key,
                             t.v[i], ndim);
      if (mask[a])
        return mrt_ops_fail (error, "%s=“%s” names axis %d twice", key, text, a);
      mask[a] = TRUE;
    }
  *given = t.n > 0;
  return TRUE;
}

gboolean
mrt_ops_check_shape_tuple (const char *key, const MrtTuple *t, GError **error)
{
  if (t->n > MRT_MAX_NDIM)
    return mrt_ops_fail (error, "%s has %d elements; at most %d dimensions are supported", key, t->n,
                         MRT_MAX_NDIM);
  for (int i = 0; i < t->n; i++)
    if (t->none[i])
      return mrt_ops_fail (error, "%s: None is not a dimension", key);
  return TRUE;
}

static gboolean
copy_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  memcpy (mrt_tensor_f32 (out[0]), mrt_tensor_f32 (in[0]), out[0]->n * sizeof (float));
  return TRUE;
}

/* out = in transposed so that out axis i is in axis perm[i]. */
static void
permute (const MrtTensor *in, MrtTensor *out, const int *perm)
{
  gint64 is[MRT_MAX_NDIM], ss[MRT_MAX_NDIM], ds[MRT_MAX_NDIM];
  mrt_ops_strides (&in->shape, is);
  mrt_ops_strides (&out->shape, ds);
  for (int i = 0; i < in->shape.ndim; i++)
    ss[i] = is[perm[i]];
  mrt_ops_strided_copy (out->shape.ndim, out->shape.dim, mrt_tensor_f32 (in), ss, mrt_tensor_f32 (out), ds);
}

/* ------------------------------------------------------------------ */
/* Reshape                                                             */

/* MXNet's InferReshapeShape: 0 copies a dimension, -1 infers one, -2
 * copies the rest, -3 merges two, -4 splits one into the next two values.
 * With reverse the special values are matched from the right. */
static gboolean
reshape_special (const MrtTuple *spec, gboolean reverse, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 p[MRT_MAX_TUPLE], src[MRT_MAX_NDIM], tmp[MRT_MAX_TUPLE + MRT_MAX_NDIM + 2];
  gint64 size = mrt_shape_size (in), prod = 1;
  int n = spec->n, nd = in->ndim, si = 0, k = 0, inf = -1;

  for (int i = 0; i < n; i++)
    {
      if (spec->none[i])
        return mrt_ops_fail (error, "None is not a valid shape value");
      p[i] = spec->v[reverse ? n - 1 - i : i];
    }
  for (int i = 0; i < nd; i++)
    src[i] = in->dim[reverse ? nd - 1 - i : i];

  for (int i = 0; i < n; i++)
    {
      gint64 d = p[i];
      if (d == 0)
        {
          if (si >= nd)
            return mrt_ops_fail (error, "0 copies input dimension %d, which does not exist", si);
          tmp[k++] = src[si++];
        }
      else if (d == -1)
        {
          if (inf >= 0)
            return mrt_ops_fail (error, "only one dimension can be -1 (inferred)");
          inf = k;
          tmp[k++] = 1;
          si++;
        }
      else if (d == -2)
        while (si < nd)
          tmp[k++] = src[si++];
      else if (d == -3)
        {
          if (si + 1 >= nd)
            return mrt_ops_fail (error, "-3 merges input dimensions %d and %d, which do not exist", si, si + 1);
          tmp[k++] = src[si] * src[si + 1];
          si += 2;
        }
      else if (d == -4)
        {
          gint64 d0, d1, d2;
          if (i + 2 >= n)
            return mrt_ops_fail (error, "-4 must be followed by two values");
          if (si >= nd)
            return mrt_ops_fail (error, "-4 splits input dimension %d, which does not exist", si);
          d0 = src[si++];
          d1 = p[++i];
          d2 = p[++i];
          if (d1 == -1 && d2 == -1)
            return mrt_ops_fail (error, "the two dimensions after -4 cannot both be -1");
          if (d1 == -1 && d2 > 0)
            d1 = d0 / d2;
          if (d2 == -1 && d1 > 0)
            d2 = d0 / d1;
          if (d1 < 1 || d2 < 1 || d1 * d2 != d0)
            return mrt_ops_fail (error, "-4: %" G_GINT64_FORMAT " × %" G_GINT64_FORMAT
                                 " does not split dimension %" G_GINT64_FORMAT, p[i - 1], p[i], d0);
          tmp[k++] = d1;
          tmp[k++] = d2;
        }
      else if (d < -4)
        return mrt_ops_fail (error, "%" G_GINT64_FORMAT " is not a valid shape value", d);
      else
        {
          tmp[k++] = d;
          si++;
        }
    }
  if (k > MRT_MAX_NDIM)
    return mrt_ops_fail (error, "the result would have %d dimensions; at most %d are supported", k, MRT_MAX_NDIM);
  for (int i = 0; i < k; i++)
    prod *= tmp[i];
  if (inf >= 0)
    {
      if (prod == 0 || size % prod != 0)
        return FALSE; /* the caller reports "cannot reshape" */
      tmp[inf] = size / prod;
    }
  out->ndim = k;
  for (int i = 0; i < k; i++)
    out->dim[i] = tmp[reverse ? k - 1 - i : i];
  return TRUE;
}

/* The deprecated target_shape: one 0 may be inferred; keep_highest keeps dim 0. */
static gboolean
reshape_legacy (const MrtNode *node, const MrtTuple *target, const MrtShape *in, MrtShape *out, GError **error)
{
  gboolean keep = mrt_node_get_bool (node, "keep_highest", FALSE);
  int start = keep ? 1 : 0, zeros = 0, inf = -1;
  gint64 prod = 1;

  if (!mrt_ops_check_shape_tuple ("target_shape", target, error))
    return FALSE;
  out->ndim = target->n;
  for (int i = 0; i < target->n; i++)
    out->dim[i] = target->v[i];
  if (keep && in->ndim > 0 && out->ndim > 0)
    out->dim[0] = in->dim[0];
  for (int i = start; i < out->ndim; i++)
    if (out->dim[i] == 0)
      zeros++, inf = i;
  if (zeros == 1)
    {
      out->dim[inf] = 1;
      prod = mrt_shape_size (out);
      if (prod == 0 || mrt_shape_size (in) % prod != 0)
        return FALSE;
      out->dim[inf] = mrt_shape_size (in) / prod;
    }
  return TRUE;
}

static gboolean
reshape_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple spec, target;
  g_autofree char *text = NULL;
  gboolean ok;
  GError *local = NULL;

  if (mrt_node_get_tuple (node, "shape", &spec) && spec.n > 0)
    {
      text = mrt_attr_format_tuple (spec.v, spec.n);
      ok = reshape_special (&spec, mrt_node_get_bool (node, "reverse", FALSE), in, out, &local);
    }
  else if (mrt_node_get_tuple (node, "target_shape", &target) && target.n > 0)
    {
      text = mrt_attr_format_tuple (target.v, target.n);
      ok = reshape_legacy (node, &target, in, out, &local);
    }
  else
    return mrt_ops_fail (error, "no target shape: the attribute “shape” is missing or empty");

  if (ok && mrt_shape_size (out) == mrt_shape_size (in))
    {
      for (int i = 0; i < out->ndim; i++)
        if (out->dim[i] < 0)
          ok = FALSE;
      if (ok)
        return TRUE;
    }
  {
    g_autofree char *s = mrt_shape_to_string (in);
    if (local)
      {
        g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE, "cannot reshape %s to %s: %s", s, text,
                     local->message);
        g_error_free (local);
        return FALSE;
      }
    return mrt_ops_fail (error, "cannot reshape %s to %s", s, text);
  }
}

static gboolean
flatten_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 rest = 1;
  if (in->ndim < 1)
    return mrt_ops_fail (error, "cannot flatten a 0-D input");
  for (int i = 1; i < in->ndim; i++)
    rest *= in->dim[i];
  *out = mrt_shape_make (2, in->dim[0], rest);
  return TRUE;
}

static gboolean
expand_dims_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 axis = mrt_node_get_int (node, "axis", 0);
  int a;
  if (in->ndim >= MRT_MAX_NDIM)
    return mrt_ops_fail (error, "the input already has %d dimensions", in->ndim);
  if (!mrt_normalize_axis (axis, in->ndim + 1, &a))
    return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range [%d, %d]", axis, -in->ndim - 1,
                         in->ndim);
  out->ndim = in->ndim + 1;
  for (int i = 0, j = 0; i < out->ndim; i++)
    out->dim[i] = i == a ? 1 : in->dim[j++];
  return TRUE;
}

static gboolean
squeeze_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gboolean mask[MRT_MAX_NDIM], given;
  if (!mrt_ops_axes_attr (node, "axis", in->ndim, &given, mask, error))
    return FALSE;
  out->ndim = 0;
  for (int i = 0; i < in->ndim; i++)
    {
      if (given && mask[i] && in->dim[i] != 1)
        return mrt_ops_fail (error, "cannot squeeze axis %d, whose size is %" G_GINT64_FORMAT ", not 1", i,
                             in->dim[i]);
      if (given ? !mask[i] : in->dim[i] != 1)
        out->dim[out->ndim++] = in->dim[i];
    }
  if (out->ndim == 0) /* MXNet keeps one axis */
    *out = mrt_shape_make (1, (gint64) 1);
  return TRUE;
}

/* lhs[:lhs_begin] + rhs[rhs_begin:rhs_end] + lhs[lhs_end:] */
static gboolean
reshape_like_range (const MrtNode *node, const char *side, int ndim, int *begin, int *end, GError **error)
{
  g_autofree char *kb = g_strdup_printf ("%s_begin", side);
  g_autofree char *ke = g_strdup_printf ("%s_end", side);
  const char *tb = mrt_node_get_attr (node, kb), *te = mrt_node_get_attr (node, ke);
  gint64 b = tb && !mrt_attr_is_none (tb) ? mrt_node_get_int (node, kb, 0) : 0;
  gint64 e = te && !mrt_attr_is_none (te) ? mrt_node_get_int (node, ke, ndim) : ndim;
  if (b < 0)
    b += ndim;
  if (e < 0)
    e += ndim;
  if (b < 0 || b > e || e > ndim)
    return mrt_ops_fail (error, "%s_begin/%s_end give an invalid range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
                         ") for %d dimensions", side, side, b, e, ndim);
  *begin = (int) b;
  *end = (int) e;
  return TRUE;
}

static gboolean
reshape_like_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int lb, le, rb, re, n = 0;
  if (!reshape_like_range (node, "lhs", in[0].ndim, &lb, &le, error) ||
      !reshape_like_range (node, "rhs", in[1].ndim, &rb, &re, error))
    return FALSE;
  if (lb + (re - rb) + (in[0].ndim - le) > MRT_MAX_NDIM)
    return mrt_ops_fail (error, "the result would have more than %d dimensions", MRT_MAX_NDIM);
  for (int i = 0; i < lb; i++)
    out->dim[n++] = in[0].dim[i];
  for (int i = rb; i < re; i++)
    out->dim[n++] = in[1].dim[i];
  for (int i = le; i < in[0].ndim; i++)
    out->dim[n++] = in[0].dim[i];
  out->ndim = n;
  if (mrt_shape_size (out) != mrt_shape_size (&in[0]))
    {
      g_autofree char *a = mrt_shape_to_string (&in[0]);
      g_autofree char *b = mrt_shape_to_string (out);
      return mrt_ops_fail (error, "cannot reshape %s to %s (sizes differ)", a, b);
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* transpose, SwapAxis                                                 */

static gboolean
transpose_perm (const MrtNode *node, int ndim, int *perm, GError **error)
{
  MrtTuple axes;
  gboolean seen[MRT_MAX_NDIM] = { FALSE };
  if (!mrt_node_get_tuple (node, "axes", &axes) || axes.n == 0)
    {
      for (int i = 0; i < ndim; i++)
        perm[i] = ndim - 1 - i;
      return TRUE;
    }
  if (axes.n != ndim)
    return mrt_ops_fail (error, "axes has %d elements but the input has %d dimensions", axes.n, ndim);
  for (int i = 0; i < ndim; i++)
    {
      if (axes.none[i] || !mrt_normalize_axis (axes.v[i], ndim, &perm[i]) || seen[perm[i]])
        return mrt_ops_fail (error, "axes=%s is not a permutation of the %d axes",
                             mrt_node_get_attr (node, "axes"), ndim);
      seen[perm[i]] = TRUE;
    }
  return TRUE;
}

static gboolean
swapaxis_perm (const MrtNode *node, int ndim, int *perm, GError **error)
{
  gint64 d1 = mrt_node_get_int (node, "dim1", 0), d2 = mrt_node_get_int (node, "dim2", 0);
  int a, b;
  if (!mrt_normalize_axis (d1, ndim, &a) || !mrt_normalize_axis (d2, ndim, &b))
    return mrt_ops_fail (error, "dim1=%" G_GINT64_FORMAT " or dim2=%" G_GINT64_FORMAT
                         " is out of range for a %d-D input", d1, d2, ndim);
  for (int i = 0; i < ndim; i++)
    perm[i] = i;
  perm[a] = b;
  perm[b] = a;
  return TRUE;
}

/* Reads a permutation of ndim axes from the node's attributes. */
typedef gboolean (*PermFunc) (const MrtNode *node, int ndim, int *perm, GError **error);

/* The shape and the kernel of an axis permutation given by perm_of. */
static gboolean
permuted_shape (PermFunc perm_of, const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int perm[MRT_MAX_NDIM];
  if (!perm_of (node, in->ndim, perm, error))
    return FALSE;
  out->ndim = in->ndim;
  for (int i = 0; i < in->ndim; i++)
    out->dim[i] = in->dim[perm[i]];
  return TRUE;
}

static gboolean
permuted_forward (PermFunc perm_of, const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                  GError **error)
{
  int perm[MRT_MAX_NDIM];
  if (!perm_of (node, in[0]->shape.ndim, perm, error))
    return FALSE;
  permute (in[0], out[0], perm);
  return TRUE;
}

static gboolean
transpose_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  return permuted_shape (transpose_perm, node, in, out, error);
}

static gboolean
transpose_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return permuted_forward (transpose_perm, node, in, out, error);
}

static gboolean
swapaxis_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  return permuted_shape (swapaxis_perm, node, in, out, error);
}

static gboolean
swapaxis_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return permuted_forward (swapaxis_perm, node, in, out, error);
}

/* ------------------------------------------------------------------ */
/* _arange, _zeros, _ones, _full                                       */

static gboolean
dtype_is_int (const MrtNode *node)
{
  const char *dtype = mrt_node_get_string (node, "dtype", "float32");
  return g_str_has_prefix (dtype, "int") || g_str_has_prefix (dtype, "uint");
}

static gboolean
arange_params (const MrtNode *node, double *start, double *step, gint64 *repeat, gint64 *count, GError **error)
{
  double stop;
  const char *stop_text = mrt_node_get_attr (node, "stop");
  double n;

  *start = mrt_node_get_float (node, "start", 0);
  *step = mrt_node_get_float (node, "step", 1);
  *repeat = mrt_node_get_int (node, "repeat", 1);
  if (stop_text == NULL || mrt_attr_is_none (stop_text))
    {
      if (mrt_node_get_bool (node, "infer_range", FALSE))
        return mrt_ops_fail (error, "infer_range=True needs the output shape, which is not known here");
      stop = *start;
      *start = 0;
    }
  else
    stop = mrt_node_get_float (node, "stop", 0);
  if (*step == 0)
    return mrt_ops_fail (error, "step cannot be 0");
  if (*repeat < 1)
    return mrt_ops_fail (error, "repeat must be positive, got %" G_GINT64_FORMAT, *repeat);
  n = ceil ((stop - *start) / *step);
  if (!(n > 0) || n * (double) *repeat > (double) MRT_MAX_ELEMENTS)
    return mrt_ops_fail (error, "invalid range: start=%g, stop=%g, step=%g", *start, stop, *step);
  *count = (gint64) n * *repeat;
  if (dtype_is_int (node))
    {
      *start = trunc (*start);
      *step = trunc (*step);
    }
  return TRUE;
}

static gboolean
arange_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  double start, step;
  gint64 repeat, count;
  if (!arange_params (node, &start, &step, &repeat, &count, error))
    return FALSE;
  *out = mrt_shape_make (1, count);
  return TRUE;
}

static gboolean
arange_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  double start, step;
  gint64 repeat, count;
  float *o = mrt_tensor_f32 (out[0]);
  if (!arange_params (node, &start, &step, &repeat, &count, error))
    return FALSE;
  /* float arithmetic like MXNet's kernel: start + (i / repeat) * step */
  for (gint64 i = 0; i < (gint64) out[0]->n; i++)
    o[i] = (float) start + (float) (i / repeat) * (float) step;
  return TRUE;
}

static gboolean
fill_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple t;
  mrt_node_get_tuple (node, "shape", &t);
  if (!mrt_ops_check_shape_tuple ("shape", &t, error))
    return FALSE;
  if (t.n == 0)
    return mrt_ops_fail (error, "the attribute “shape” is missing or empty");
  out->ndim = t.n;
  for (int i = 0; i < t.n; i++)
    {
      if (t.v[i] < 1)
        return mrt_ops_fail (error, "shape=%s: dimensions must be positive", mrt_node_get_attr (node, "shape"));
      out->dim[i] = t.v[i];
    }
  return TRUE;
}

static gboolean
fill_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  float v = strcmp (node->op, "_ones") == 0 ? 1.0f
            : strcmp (node->op, "_full") == 0 ? (float) mrt_node_get_float (node, "value", 0)
                                               : 0.0f;
  float *o = mrt_tensor_f32 (out[0]);
  if (dtype_is_int (node))
    v = truncf (v);
  for (gsize i = 0; i < out[0]->n; i++)
    o[i] = v;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* The table                                                           */

static const MrtAttrSpec reshape_attrs[] = {
  { "shape", MRT_ATTR_TUPLE, FALSE },
  { "reverse", MRT_ATTR_BOOL, FALSE },
  { "target_shape", MRT_ATTR_TUPLE, FALSE },
  { "keep_highest", MRT_ATTR_BOOL, FALSE },
  { NULL },
};
static const MrtAttrSpec transpose_attrs[] = {
  { "axes", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec swapaxis_attrs[] = {
  { "dim1", MRT_ATTR_INT, FALSE },
  { "dim2", MRT_ATTR_INT, FALSE },
  { NULL },
};
static const MrtAttrSpec expand_dims_attrs[] = {
  { "axis", MRT_ATTR_INT, TRUE },
  { NULL },
};
static const MrtAttrSpec squeeze_attrs[] = {
  { "axis", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec broadcast_to_attrs[] = {
  { "shape", MRT_ATTR_TUPLE, TRUE },
  { NULL },
};
static const MrtAttrSpec broadcast_like_attrs[] = {
  { "lhs_axes", MRT_ATTR_TUPLE, FALSE },
  { "rhs_axes", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec broadcast_axis_attrs[] = {
  { "axis", MRT_ATTR_TUPLE, FALSE },
  { "size", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec reshape_like_attrs[] = {
  { "lhs_begin", MRT_ATTR_INT_OR_NONE, FALSE },
  { "lhs_end", MRT_ATTR_INT_OR_NONE, FALSE },
  { "rhs_begin", MRT_ATTR_INT_OR_NONE, FALSE },
  { "rhs_end", MRT_ATTR_INT_OR_NONE, FALSE },
  { NULL },
};
static const MrtAttrSpec arange_attrs[] = {
  { "start", MRT_ATTR_FLOAT, TRUE },
  { "stop", MRT_ATTR_FLOAT_OR_NONE, FALSE },
  { "step", MRT_ATTR_FLOAT, FALSE },
  { "repeat", MRT_ATTR_INT, FALSE },
  { "infer_range", MRT_ATTR_BOOL, FALSE },
  { "ctx", MRT_ATTR_STRING, FALSE },
  { "dtype", MRT_ATTR_STRING, FALSE },
  { NULL },
};
static const MrtAttrSpec fill_attrs[] = {
  { "shape", MRT_ATTR_TUPLE, TRUE },
  { "ctx", MRT_ATTR_STRING, FALSE },
  { "dtype", MRT_ATTR_STRING, FALSE },
  { NULL },
};
static const MrtAttrSpec full_attrs[] = {
  { "shape", MRT_ATTR_TUPLE, TRUE },
  { "value", MRT_ATTR_FLOAT, TRUE },
  { "ctx", MRT_ATTR_STRING, FALSE },
  { "dtype", MRT_ATTR_STRING, FALSE },
  { NULL },
};
static const MrtAttrSpec slice_attrs[] = {
  { "begin", MRT_ATTR_TUPLE, TRUE },
  { "end", MRT_ATTR_TUPLE, TRUE },
  { "step", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec slice_axis_attrs[] = {
  { "axis", MRT_ATTR_INT, TRUE },
  { "begin", MRT_ATTR_INT, TRUE },
  { "end", MRT_ATTR_INT_OR_NONE, TRUE },
  { NULL },
};
static const MrtAttrSpec slice_like_attrs[] = {
  { "axes", MRT_ATTR_TUPLE, FALSE },
  { NULL },
};
static const MrtAttrSpec split_attrs[] = {
  { "num_outputs", MRT_ATTR_INT, TRUE },
  { "axis", MRT_ATTR_INT, FALSE },
  { "squeeze_axis", MRT_ATTR_BOOL, FALSE },
  { NULL },
};
static const MrtAttrSpec concat_attrs[] = {
  { "num_args", MRT_ATTR_INT, TRUE },
  { "dim", MRT_ATTR_INT, FALSE },
  { NULL },
};
static const MrtAttrSpec repeat_attrs[] = {
  { "repeats", MRT_ATTR_INT, TRUE },
  { "axis", MRT_ATTR_INT_OR_NONE, FALSE },
  { NULL },
};
static const MrtAttrSpec tile_attrs[] = {
  { "reps", MRT_ATTR_TUPLE, TRUE },
  { NULL },
};
static const MrtAttrSpec pad_attrs[] = {
  { "mode", MRT_ATTR_STRING, FALSE },
  { "pad_width", MRT_ATTR_TUPLE, TRUE },
  { "constant_value", MRT_ATTR_FLOAT, FALSE },
  { NULL },
};

#define OP1(op, at, shape, fwd) \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = at, .infer_shape = shape, .forward = fwd }
#define OP2(op, at, shape, fwd) \
  { .name = op, .min_inputs = 2, .max_inputs = 2, .attrs = at, .infer_shape = shape, .forward = fwd }
#define OP0(op, at, shape, fwd) \
  { .name = op, .min_inputs = 0, .max_inputs = 0, .attrs = at, .infer_shape = shape, .forward = fwd }
#define SPLIT(op)                                                                                   \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = split_attrs,                            \
    .num_outputs = mrt_ops_split_num_outputs, .infer_shape = mrt_ops_split_shape,                  \
    .forward = mrt_ops_split_forward }
#define CONCAT(op)                                                                                  \
  { .name = op, .min_inputs = 1, .max_inputs = -1, .attrs = concat_attrs,                          \
    .infer_shape = mrt_ops_concat_shape, .forward = mrt_ops_concat_forward }

const MrtOpDef mrt_ops_transform[] = {
  OP1 ("Reshape", reshape_attrs, reshape_shape, copy_forward),
  OP1 ("reshape", reshape_attrs, reshape_shape, copy_forward),
  OP1 ("Flatten", NULL, flatten_shape, copy_forward),
  OP1 ("flatten", NULL, flatten_shape, copy_forward),
  OP1 ("expand_dims", expand_dims_attrs, expand_dims_shape, copy_forward),
  OP1 ("squeeze", squeeze_attrs, squeeze_shape, copy_forward),
  OP2 ("reshape_like", reshape_like_attrs, reshape_like_shape, copy_forward),
  OP1 ("transpose", transpose_attrs, transpose_shape, transpose_forward),
  OP1 ("SwapAxis", swapaxis_attrs, swapaxis_shape, swapaxis_forward),
  OP1 ("swapaxes", swapaxis_attrs, swapaxis_shape, swapaxis_forward),
  /* broadcast_*: mrt-ops-broadcast.c */
  OP1 ("broadcast_to", broadcast_to_attrs, mrt_ops_broadcast_to_shape, mrt_ops_broadcast_forward),
  OP2 ("broadcast_like", broadcast_like_attrs, mrt_ops_broadcast_like_shape, mrt_ops_broadcast_forward),
  OP1 ("broadcast_axis", broadcast_axis_attrs, mrt_ops_broadcast_axis_shape, mrt_ops_broadcast_forward),
  OP1 ("broadcast_axes", broadcast_axis_attrs, mrt_ops_broadcast_axis_shape, mrt_ops_broadcast_forward),
  OP0 ("_arange", arange_attrs, arange_shape, arange_forward),
  OP0 ("_zeros", fill_attrs, fill_shape, fill_forward),
  OP0 ("zeros", fill_attrs, fill_shape, fill_forward),
  OP0 ("_ones", fill_attrs, fill_shape, fill_forward),
  OP0 ("_full", full_attrs, fill_shape, fill_forward),
  /* mrt-ops-slice.c */
  OP1 ("slice", slice_attrs, mrt_ops_slice_shape, mrt_ops_slice_forward),
  OP1 ("crop", slice_attrs, mrt_ops_slice_shape, mrt_ops_slice_forward),
  OP1 ("slice_axis", slice_axis_attrs, mrt_ops_slice_axis_shape, mrt_ops_slice_axis_forward),
  OP2 ("slice_like", slice_like_attrs, mrt_ops_slice_like_shape, mrt_ops_slice_like_forward),
  SPLIT ("SliceChannel"),
  SPLIT ("split"),
  CONCAT ("Concat"),
  CONCAT ("concat"),
  OP1 ("repeat", repeat_attrs, mrt_ops_repeat_shape, mrt_ops_repeat_forward),
  OP1 ("tile", tile_attrs, mrt_ops_tile_shape, mrt_ops_tile_forward),
  OP1 ("Pad", pad_attrs, mrt_ops_pad_shape, mrt_ops_pad_forward),
  OP1 ("pad", pad_attrs, mrt_ops_pad_shape, mrt_ops_pad_forward),
  { NULL },
};
