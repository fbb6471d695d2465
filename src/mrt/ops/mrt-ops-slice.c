/* mrt-ops-slice.c: the transform ops that select, join or pad data: slice,
 * slice_axis, slice_like, SliceChannel, Concat, repeat, tile and Pad. They
 * are registered in the transform table (mrt-ops-transform.c). Every kernel
 * is a strided view handed to mrt_ops_strided_copy, except Pad. */
#include <string.h>

#include "mrt-ops-common.h"

/* dst (contiguous, extents view) = in[begin + o * step] */
static void
slice_copy (const MrtTensor *in, const gint64 *view, const gint64 *begin, const gint64 *step, float *dst)
{
  gint64 is[MRT_MAX_NDIM], ss[MRT_MAX_NDIM], ds[MRT_MAX_NDIM], acc = 1, offset = 0;
  int nd = in->shape.ndim;
  for (int i = nd - 1; i >= 0; i--)
    {
      ds[i] = acc;
      acc *= view[i];
    }
  mrt_ops_strides (&in->shape, is);
  for (int i = 0; i < nd; i++)
    {
      ss[i] = is[i] * step[i];
      offset += begin[i] * is[i];
    }
  mrt_ops_strided_copy (nd, view, mrt_tensor_f32 (in) + offset, ss, dst, ds);
}

/* ------------------------------------------------------------------ */
/* slice: MXNet's GetIndexRange, with Python-style clamping            */

static gboolean
slice_ranges (const MrtNode *node, const MrtShape *in, gint64 *begin, gint64 *step, MrtShape *out, GError **error)
{
  MrtTuple b, e, s;

  mrt_node_get_tuple (node, "begin", &b);
  mrt_node_get_tuple (node, "end", &e);
  mrt_node_get_tuple (node, "step", &s);
  if (in->ndim == 0)
    return mrt_ops_fail (error, "cannot slice a 0-D input");
  if (b.n != e.n)
    return mrt_ops_fail (error, "begin has %d elements and end has %d; they must match", b.n, e.n);
  if (b.n > in->ndim)
    return mrt_ops_fail (error, "begin has %d elements but the input has %d dimensions", b.n, in->ndim);
  if (s.n != 0 && s.n != b.n)
    return mrt_ops_fail (error, "step has %d elements and begin has %d; they must match", s.n, b.n);
  *out = *in;
  for (int i = 0; i < in->ndim; i++)
    {
      begin[i] = 0;
      step[i] = 1;
    }
  for (int i = 0; i < b.n; i++)
    {
      gint64 len = in->dim[i], st = s.n && !s.none[i] ? s.v[i] : 1, bb, ee, size;
      if (st == 0)
        return mrt_ops_fail (error, "step[%d] cannot be 0", i);
      /* a step at least as long as the axis takes one element either way */
      st = CLAMP (st, -MAX (len, 1), MAX (len, 1));
      bb = b.none[i] ? (st < 0 ? len - 1 : 0) : b.v[i];
      ee = e.none[i] ? (st < 0 ? -1 : len) : e.v[i];
      bb = CLAMP (bb, -len - 1, len + 1); /* keeps the arithmetic below in range */
      ee = CLAMP (ee, -len - 1, len + 1);
      if (bb < 0)
        bb += len;
      if (ee < 0 && !e.none[i])
        ee += len;
      if (bb < 0 && st > 0)
        bb = 0;
      if (bb > len - 1 && st < 0)
        bb = len - 1;
      ee = CLAMP (ee, -1, len);
      if (bb < 0 || bb > len - 1)
        size = 0;
      else if (st > 0)
        size = ee > bb ? (ee - bb - 1) / st + 1 : 0;
      else
        size = ee < bb ? (bb - ee - 1) / -st + 1 : 0;
      if (size == 0)
        return mrt_ops_fail (error, "begin=%s, end=%s, step=%s select nothing on axis %d (size %" G_GINT64_FORMAT
                             ")", mrt_node_get_attr (node, "begin"), mrt_node_get_attr (node, "end"),
                             mrt_node_get_string (node, "step", "()"), i, len);
      out->dim[i] = size;
      begin[i] = bb;
      step[i] = st;
    }
  return TRUE;
}

gboolean
mrt_ops_slice_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 begin[MRT_MAX_NDIM], step[MRT_MAX_NDIM];
  return slice_ranges (node, &in[0], begin, step, &out[0], error);
}

gboolean
mrt_ops_slice_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 begin[MRT_MAX_NDIM], step[MRT_MAX_NDIM];
  MrtShape view;
  if (!slice_ranges (node, &in[0]->shape, begin, step, &view, error))
    return FALSE;
  slice_copy (in[0], view.dim, begin, step, mrt_tensor_f32 (out[0]));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* slice_axis: no clamping, out-of-range values are errors              */

static gboolean
slice_axis_range (const MrtNode *node, const MrtShape *in, int *axis, gint64 *begin, gint64 *end, GError **error)
{
  gint64 a = mrt_node_get_int (node, "axis", 0), b = mrt_node_get_int (node, "begin", 0), len, e;
  const char *te = mrt_node_get_attr (node, "end");
  if (!mrt_normalize_axis (a, in->ndim, axis))
    return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for a %d-D input", a, in->ndim);
  len = in->dim[*axis];
  e = te && !mrt_attr_is_none (te) ? mrt_node_get_int (node, "end", len) : len;
  if (b < 0)
    b += len;
  if (e < 0)
    e += len;
  if (b < 0 || e > len || b >= e)
    return mrt_ops_fail (error, "begin=%" G_GINT64_FORMAT ", end=%s is not a valid range of axis %d (size %"
                         G_GINT64_FORMAT ")", mrt_node_get_int (node, "begin", 0), te ? te : "None", *axis, len);
  *begin = b;
  *end = e;
  return TRUE;
}

gboolean
mrt_ops_slice_axis_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int axis;
  gint64 b, e;
  if (!slice_axis_range (node, &in[0], &axis, &b, &e, error))
    return FALSE;
  out[0] = in[0];
  out[0].dim[axis] = e - b;
  return TRUE;
}

gboolean
mrt_ops_slice_axis_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 begin[MRT_MAX_NDIM] = { 0 }, step[MRT_MAX_NDIM], b, e;
  int axis;
  if (!slice_axis_range (node, &in[0]->shape, &axis, &b, &e, error))
    return FALSE;
  begin[axis] = b;
  for (int i = 0; i < MRT_MAX_NDIM; i++)
    step[i] = 1;
  slice_copy (in[0], out[0]->shape.dim, begin, step, mrt_tensor_f32 (out[0]));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* slice_like: the leading part of data, sized like the second input    */

gboolean
mrt_ops_slice_like_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple axes;
  g_autofree char *a = mrt_shape_to_string (&in[0]);
  g_autofree char *b = mrt_shape_to_string (&in[1]);

  mrt_node_get_tuple (node, "axes", &axes);
  out[0] = in[0];
  if (axes.n == 0)
    {
      if (in[0].ndim != in[1].ndim)
        return mrt_ops_fail (error, "without axes both inputs need the same number of dimensions, got %s and %s",
                             a, b);
      for (int i = 0; i < in[0].ndim; i++)
        out[0].dim[i] = in[1].dim[i];
    }
  for (int i = 0; i < axes.n; i++)
    {
      int ax;
      if (axes.none[i] || !mrt_normalize_axis (axes.v[i], in[0].ndim, &ax) || ax >= in[1].ndim)
        return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for inputs %s and %s", axes.v[i],
                             a, b);
      out[0].dim[ax] = in[1].dim[ax];
    }
  for (int i = 0; i < in[0].ndim; i++)
    if (out[0].dim[i] > in[0].dim[i] || out[0].dim[i] < 1)
      return mrt_ops_fail (error, "cannot slice %s like %s: axis %d is too short or empty", a, b, i);
  return TRUE;
}

gboolean
mrt_ops_slice_like_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 begin[MRT_MAX_NDIM] = { 0 }, step[MRT_MAX_NDIM];
  for (int i = 0; i < MRT_MAX_NDIM; i++)
    step[i] = 1;
  slice_copy (in[0], out[0]->shape.dim, begin, step, mrt_tensor_f32 (out[0]));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* SliceChannel (split)                                                */

#define MAX_SPLIT 65536

guint
mrt_ops_split_num_outputs (const MrtNode *node)
{
  gint64 n = mrt_node_get_int (node, "num_outputs", 1);
  return n >= 1 && n <= MAX_SPLIT ? (guint) n : 1; /* shape inference reports bad values */
}

static gboolean
split_params (const MrtNode *node, const MrtShape *in, int *axis, gint64 *chunk, GError **error)
{
  gint64 n = mrt_node_get_int (node, "num_outputs", 1), a = mrt_node_get_int (node, "axis", 1);
  if (n < 1 || n > MAX_SPLIT)
    return mrt_ops_fail (error, "num_outputs=%" G_GINT64_FORMAT " must be between 1 and %d", n, MAX_SPLIT);
  if (!mrt_normalize_axis (a, in->ndim, axis))
    return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for a %d-D input", a, in->ndim);
  if (in->dim[*axis] % n != 0 || in->dim[*axis] == 0)
    return mrt_ops_fail (error, "axis %d of size %" G_GINT64_FORMAT " cannot be split into %" G_GINT64_FORMAT
                         " equal parts", *axis, in->dim[*axis], n);
  if (mrt_node_get_bool (node, "squeeze_axis", FALSE) && in->dim[*axis] != n)
    return mrt_ops_fail (error, "with squeeze_axis the size of axis %d (%" G_GINT64_FORMAT
                         ") must equal num_outputs (%" G_GINT64_FORMAT ")", *axis, in->dim[*axis], n);
  *chunk = in->dim[*axis] / n;
  return TRUE;
}

gboolean
mrt_ops_split_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtShape s = in[0];
  int axis;
  gint64 chunk;
  if (!split_params (node, &in[0], &axis, &chunk, error))
    return FALSE;
  s.dim[axis] = chunk;
  if (mrt_node_get_bool (node, "squeeze_axis", FALSE))
    {
      for (int i = axis; i < s.ndim - 1; i++)
        s.dim[i] = s.dim[i + 1];
      if (--s.ndim == 0)
        s = mrt_shape_make (1, (gint64) 1);
    }
  for (guint i = 0; i < node->n_outputs; i++)
    out[i] = s;
  return TRUE;
}

gboolean
mrt_ops_split_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 begin[MRT_MAX_NDIM] = { 0 }, step[MRT_MAX_NDIM];
  MrtShape view = in[0]->shape;
  int axis;
  gint64 chunk;
  if (!split_params (node, &in[0]->shape, &axis, &chunk, error))
    return FALSE;
  for (int i = 0; i < MRT_MAX_NDIM; i++)
    step[i] = 1;
  view.dim[axis] = chunk;
  for (guint j = 0; j < node->n_outputs; j++)
    {
      begin[axis] = (gint64) j * chunk;
      slice_copy (in[0], view.dim, begin, step, mrt_tensor_f32 (out[j]));
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Concat                                                              */

static gboolean
concat_axis (const MrtNode *node, const MrtShape *in, int *axis, GError **error)
{
  gint64 dim = mrt_node_get_int (node, "dim", 1);
  gint64 num_args = mrt_node_get_int (node, "num_args", node->n_inputs);
  if (num_args != (gint64) node->n_inputs)
    return mrt_ops_fail (error, "num_args is %" G_GINT64_FORMAT " but the node has %u inputs", num_args,
                         node->n_inputs);
  if (!mrt_normalize_axis (dim, in[0].ndim, axis))
    return mrt_ops_fail (error, "dim %" G_GINT64_FORMAT " is out of range for a %d-D input", dim, in[0].ndim);
  return TRUE;
}

gboolean
mrt_ops_concat_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int axis;
  if (!concat_axis (node, in, &axis, error))
    return FALSE;
  out[0] = in[0];
  for (guint j = 1; j < node->n_inputs; j++)
    {
      gboolean ok = in[j].ndim == in[0].ndim;
      for (int i = 0; ok && i < in[0].ndim; i++)
        ok = i == axis || in[j].dim[i] == in[0].dim[i];
      if (!ok)
        {
          g_autofree char *a = mrt_shape_to_string (&in[0]);
          g_autofree char *b = mrt_shape_to_string (&in[j]);
          return mrt_ops_fail (error, "input %u has shape %s, which does not match %s outside axis %d", j, b, a,
                               axis);
        }
      out[0].dim[axis] += in[j].dim[axis];
    }
  return TRUE;
}

gboolean
mrt_ops_concat_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  MrtShape shapes[1];
  gint64 ss[MRT_MAX_NDIM], ds[MRT_MAX_NDIM], offset = 0;
  int axis;
  shapes[0] = in[0]->shape;
  if (!concat_axis (node, shapes, &axis, error))
    return FALSE;
  mrt_ops_strides (&out[0]->shape, ds);
  for (guint j = 0; j < node->n_inputs; j++)
    {
      mrt_ops_strides (&in[j]->shape, ss);
      mrt_ops_strided_copy (in[j]->shape.ndim, in[j]->shape.dim, mrt_tensor_f32 (in[j]), ss,
                            mrt_tensor_f32 (out[0]) + offset * ds[axis], ds);
      offset += in[j]->shape.dim[axis];
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* repeat, tile                                                        */

static gboolean
repeat_params (const MrtNode *node, const MrtShape *in, gint64 *repeats, int *axis, GError **error)
{
  const char *ta = mrt_node_get_attr (node, "axis");
  *repeats = mrt_node_get_int (node, "repeats", 1);
  if (*repeats < 1)
    return mrt_ops_fail (error, "repeats must be positive, got %" G_GINT64_FORMAT, *repeats);
  *axis = -1; /* None: flatten */
  if (ta && !mrt_attr_is_none (ta))
    {
      gint64 a = mrt_node_get_int (node, "axis", 0);
      if (!mrt_normalize_axis (a, in->ndim, axis))
        return mrt_ops_fail (error, "axis %" G_GINT64_FORMAT " is out of range for a %d-D input", a, in->ndim);
    }
  return TRUE;
}

gboolean
mrt_ops_repeat_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 repeats;
  int axis;
  if (!repeat_params (node, &in[0], &repeats, &axis, error))
    return FALSE;
  if (axis < 0)
    *out = mrt_shape_make (1, mrt_shape_size (&in[0]) * repeats);
  else
    {
      out[0] = in[0];
      out[0].dim[axis] *= repeats;
    }
  return TRUE;
}

gboolean
mrt_ops_repeat_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 dim[MRT_MAX_NDIM + 1], ss[MRT_MAX_NDIM + 1], ds[MRT_MAX_NDIM + 1], is[MRT_MAX_NDIM], repeats, acc = 1;
  int axis, nd = 0;
  const MrtShape *s = &in[0]->shape;
  if (!repeat_params (node, s, &repeats, &axis, error))
    return FALSE;
  mrt_ops_strides (s, is);
  if (axis < 0)
    {
      dim[nd] = (gint64) in[0]->n, ss[nd++] = 1;
      dim[nd] = repeats, ss[nd++] = 0;
    }
  else
    for (int i = 0; i < s->ndim; i++)
      {
        dim[nd] = s->dim[i], ss[nd++] = is[i];
        if (i == axis) /* each element along axis is followed by its copies */
          dim[nd] = repeats, ss[nd++] = 0;
      }
  for (int i = nd - 1; i >= 0; i--)
    {
      ds[i] = acc;
      acc *= dim[i];
    }
  mrt_ops_strided_copy (nd, dim, mrt_tensor_f32 (in[0]), ss, mrt_tensor_f32 (out[0]), ds);
  return TRUE;
}

static gboolean
tile_reps (const MrtNode *node, const MrtShape *in, MrtTuple *reps, GError **error)
{
  mrt_node_get_tuple (node, "reps", reps);
  if (reps->n > MRT_MAX_NDIM)
    return mrt_ops_fail (error, "reps has %d elements; at most %d dimensions are supported", reps->n, MRT_MAX_NDIM);
  for (int i = 0; i < reps->n; i++)
    if (reps->none[i] || reps->v[i] < 1)
      return mrt_ops_fail (error, "reps=%s: every element must be a positive integer",
                           mrt_node_get_attr (node, "reps"));
  return TRUE;
}

gboolean
mrt_ops_tile_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtTuple reps;
  int nd;
  if (!tile_reps (node, &in[0], &reps, error))
    return FALSE;
  nd = MAX (in[0].ndim, reps.n);
  out->ndim = nd;
  for (int i = 0; i < nd; i++)
    {
      int ii = i - (nd - in[0].ndim), ir = i - (nd - reps.n);
      out->dim[i] = (ii >= 0 ? in[0].dim[ii] : 1) * (ir >= 0 ? reps.v[ir] : 1);
    }
  return TRUE;
}

gboolean
mrt_ops_tile_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gint64 dim[MRT_OPS_MAX_VIEW], ss[MRT_OPS_MAX_VIEW], ds[MRT_OPS_MAX_VIEW], is[MRT_MAX_NDIM], acc = 1;
  const MrtShape *s = &in[0]->shape;
  MrtTuple reps;
  int nd;
  if (!tile_reps (node, s, &reps, error))
    return FALSE;
  nd = MAX (s->ndim, reps.n);
  mrt_ops_strides (s, is);
  /* output axis i viewed as (reps_i, dim_i): the input repeats as a block */
  for (int i = 0; i < nd; i++)
    {
      int ii = i - (nd - s->ndim), ir = i - (nd - reps.n);
      dim[2 * i] = ir >= 0 ? reps.v[ir] : 1;
      ss[2 * i] = 0;
      dim[2 * i + 1] = ii >= 0 ? s->dim[ii] : 1;
      ss[2 * i + 1] = ii >= 0 ? is[ii] : 0;
    }
  for (int i = 2 * nd - 1; i >= 0; i--)
    {
      ds[i] = acc;
      acc *= dim[i];
    }
  mrt_ops_strided_copy (2 * nd, dim, mrt_tensor_f32 (in[0]), ss, mrt_tensor_f32 (out[0]), ds);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Pad (MXNet: 4-D or 5-D input, no padding on the first two axes)     */

typedef enum { PAD_CONSTANT, PAD_EDGE, PAD_REFLECT } PadMode;

static gboolean
pad_params (const MrtNode *node, const MrtShape *in, PadMode *mode, MrtTuple *pw, GError **error)
{
  const char *m = mrt_node_get_string (node, "mode", "constant");
  if (strcmp (m, "constant") == 0)
    *mode = PAD_CONSTANT;
  else if (strcmp (m, "edge") == 0)
    *mode = PAD_EDGE;
  else if (strcmp (m, "reflect") == 0)
    *mode = PAD_REFLECT;
  else
    return mrt_ops_fail (error, "unknown mode “%s” (constant, edge or reflect)", m);
  if (in->ndim != 4 && in->ndim != 5)
    return mrt_ops_fail (error, "only 4-D and 5-D inputs can be padded, got %d-D", in->ndim);
  mrt_node_get_tuple (node, "pad_width", pw);
  if (pw->n != 2 * in->ndim)
    return mrt_ops_fail (error, "pad_width has %d elements; a %d-D input needs %d", pw->n, in->ndim, 2 * in->ndim);
  for (int i = 0; i < pw->n; i++)
    if (pw->none[i] || pw->v[i] < 0 || (i < 4 && pw->v[i] != 0))
      return mrt_ops_fail (error, "pad_width=%s: widths must be non-negative and zero on the first two axes",
                           mrt_node_get_attr (node, "pad_width"));
  for (int i = 0; i < in->ndim; i++)
    {
      if (pw->v[2 * i] > MRT_MAX_ELEMENTS || pw->v[2 * i + 1] > MRT_MAX_ELEMENTS)
        return mrt_ops_fail (error, "pad_width=%s is too large", mrt_node_get_attr (node, "pad_width"));
      if (*mode == PAD_REFLECT && (pw->v[2 * i] >= in->dim[i] || pw->v[2 * i + 1] >= in->dim[i]))
        return mrt_ops_fail (error, "reflect padding must be smaller than the padded axis (axis %d has size %"
                             G_GINT64_FORMAT ")", i, in->dim[i]);
      if (*mode == PAD_EDGE && in->dim[i] == 0 && pw->v[2 * i] + pw->v[2 * i + 1] > 0)
        return mrt_ops_fail (error, "edge padding of the empty axis %d", i);
    }
  return TRUE;
}

gboolean
mrt_ops_pad_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  PadMode mode;
  MrtTuple pw;
  if (!pad_params (node, &in[0], &mode, &pw, error))
    return FALSE;
  out[0] = in[0];
  for (int i = 0; i < in[0].ndim; i++)
    out[0].dim[i] += pw.v[2 * i] + pw.v[2 * i + 1];
  return TRUE;
}

gboolean
mrt_ops_pad_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *is = &in[0]->shape, *os = &out[0]->shape;
  const float *src = mrt_tensor_f32 (in[0]);
  float *dst = mrt_tensor_f32 (out[0]);
  float value = (float) mrt_node_get_float (node, "constant_value", 0);
  gint64 stride[MRT_MAX_NDIM], idx[MRT_MAX_NDIM] = { 0 }, total = 0, *map[MRT_MAX_NDIM];
  g_autofree gint64 *maps = NULL;
  int nd = is->ndim, last = is->ndim - 1;
  gint64 n_last = os->dim[last];
  PadMode mode;
  MrtTuple pw;

  if (!pad_params (node, is, &mode, &pw, error))
    return FALSE;
  if (out[0]->n == 0)
    return TRUE;
  /* per axis: output coordinate -> input coordinate, or -1 for the constant */
  for (int i = 0; i < nd; i++)
    total += os->dim[i];
  maps = g_new (gint64, total);
  total = 0;
  for (int i = 0; i < nd; i++)
    {
      gint64 n = is->dim[i];
      map[i] = maps + total;
      total += os->dim[i];
      for (gint64 o = 0; o < os->dim[i]; o++)
        {
          gint64 c = o - pw.v[2 * i];
          if (c < 0 || c >= n)
            {
              if (mode == PAD_CONSTANT)
                c = -1;
              else if (mode == PAD_EDGE)
                c = c < 0 ? 0 : n - 1;
              else
                c = c < 0 ? -c : 2 * (n - 1) - c;
            }
          map[i][o] = c;
        }
    }
  mrt_ops_strides (is, stride);
  for (gint64 r = 0, rows = (gint64) out[0]->n / n_last; r < rows; r++)
    {
      gint64 base = 0;
      gboolean outside = FALSE;
      float *row = dst + r * n_last;
      for (int i = 0; i < last; i++)
        {
          if (map[i][idx[i]] < 0)
            outside = TRUE;
          base += map[i][idx[i]] * stride[i];
        }
      for (gint64 j = 0; j < n_last; j++)
        row[j] = outside || map[last][j] < 0 ? value : src[base + map[last][j]];
      for (int i = last - 1; i >= 0; i--)
        {
          if (++idx[i] < os->dim[i])
            break;
          idx[i] = 0;
        }
    }
  return TRUE;
}
