/* mrt-ops-broadcast.c: the broadcasting transform ops (broadcast_to,
 * broadcast_like, broadcast_axis). Their table entries are in
 * mrt-ops-transform.c. */
#include "mrt-ops-common.h"

/* ------------------------------------------------------------------ */
/* broadcast_to, broadcast_like, broadcast_axis                        */

static gboolean
cannot_broadcast (const MrtShape *from, const MrtShape *to, GError **error)
{
  g_autofree char *a = mrt_shape_to_string (from);
  g_autofree char *b = mrt_shape_to_string (to);
  return mrt_ops_fail (error, "cannot broadcast %s to %s", a, b);
}

gboolean
mrt_ops_broadcast_to_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple t;
  mrt_node_get_tuple (node, "shape", &t);
  if (!mrt_ops_check_shape_tuple ("shape", &t, error))
    return FALSE;
  out->ndim = t.n;
  for (int i = 0; i < t.n; i++)
    out->dim[i] = t.v[i] == 0 && i < in->ndim ? in->dim[i] : t.v[i];
  if (t.n != in->ndim)
    return cannot_broadcast (in, out, error);
  for (int i = 0; i < t.n; i++)
    if (out->dim[i] < 1 || (in->dim[i] != out->dim[i] && in->dim[i] != 1))
      return cannot_broadcast (in, out, error);
  return TRUE;
}

gboolean
mrt_ops_broadcast_like_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  const char *tl = mrt_node_get_attr (node, "lhs_axes"), *tr = mrt_node_get_attr (node, "rhs_axes");
  MrtTuple la, ra;

  if (!tl || !tr || mrt_attr_is_none (tl) || mrt_attr_is_none (tr))
    {
      if (in[0].ndim != in[1].ndim)
        return cannot_broadcast (&in[0], &in[1], error);
      for (int i = 0; i < in[0].ndim; i++)
        if (in[0].dim[i] != in[1].dim[i] && in[0].dim[i] != 1)
          return cannot_broadcast (&in[0], &in[1], error);
      out[0] = in[1];
      return TRUE;
    }
  mrt_node_get_tuple (node, "lhs_axes", &la);
  mrt_node_get_tuple (node, "rhs_axes", &ra);
  if (la.n != ra.n || la.n == 0)
    return mrt_ops_fail (error, "lhs_axes and rhs_axes must be non-empty and of the same length");
  out[0] = in[0];
  for (int i = 0; i < la.n; i++)
    {
      int l, r;
      if (la.none[i] || !mrt_normalize_axis (la.v[i], in[0].ndim, &l))
        return mrt_ops_fail (error, "lhs_axes=%s is out of range for a %d-D input", tl, in[0].ndim);
      if (ra.none[i] || !mrt_normalize_axis (ra.v[i], in[1].ndim, &r))
        return mrt_ops_fail (error, "rhs_axes=%s is out of range for a %d-D input", tr, in[1].ndim);
      if (in[0].dim[l] != 1 && in[0].dim[l] != in[1].dim[r])
        return mrt_ops_fail (error, "axis %d of the first input has size %" G_GINT64_FORMAT
                             " and cannot be broadcast to %" G_GINT64_FORMAT, l, in[0].dim[l], in[1].dim[r]);
      out[0].dim[l] = in[1].dim[r];
    }
  return TRUE;
}

gboolean
mrt_ops_broadcast_axis_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple axes, size;
  mrt_node_get_tuple (node, "axis", &axes);
  mrt_node_get_tuple (node, "size", &size);
  if (axes.n != size.n)
    return mrt_ops_fail (error, "axis has %d elements but size has %d", axes.n, size.n);
  *out = *in;
  for (int i = 0; i < axes.n; i++)
    {
      int a;
      if (axes.none[i] || !mrt_normalize_axis (axes.v[i], in->ndim, &a))
        return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for a %d-D input", axes.v[i],
                             in->ndim);
      if (in->dim[a] != 1)
        return mrt_ops_fail (error, "axis %d has size %" G_GINT64_FORMAT "; only axes of size 1 can be broadcast",
                             a, in->dim[a]);
      if (size.none[i] || size.v[i] < 1)
        return mrt_ops_fail (error, "size %" G_GINT64_FORMAT " is not a valid dimension", size.v[i]);
      out->dim[a] = size.v[i];
    }
  return TRUE;
}

/* out[o] = in[o'] where o' = o on every axis except those where in has size 1. */
gboolean
mrt_ops_broadcast_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *is = &in[0]->shape, *os = &out[0]->shape;
  gint64 ss[MRT_MAX_NDIM], ds[MRT_MAX_NDIM];
  mrt_ops_strides (is, ss);
  mrt_ops_strides (os, ds);
  for (int i = 0; i < os->ndim; i++)
    if (is->dim[i] == 1)
      ss[i] = 0;
  mrt_ops_strided_copy (os->ndim, os->dim, mrt_tensor_f32 (in[0]), ss, mrt_tensor_f32 (out[0]), ds);
  return TRUE;
}
