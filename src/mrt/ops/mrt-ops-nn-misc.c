/* mrt-ops-nn-misc.c: the rest of the nn family: L2Normalization,
 * UpSampling, Embedding and batch_dot. Semantics follow MXNet 1.x
 * inference; the ops are listed in mrt_ops_nn[] (mrt-ops-nn.c). */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "mrt-conv.h"
#include "mrt-ops-nn-private.h"

/* ---- L2Normalization ---- */

static const char *const l2_modes[] = { "instance", "channel", "spatial", NULL };

gboolean
mrt_ops_l2_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int mode = enum_attr (node, "mode", "instance", l2_modes, error);
  if (mode < 0)
    return FALSE;
  if (in[0].ndim < (mode == 0 ? 1 : 3))
    return fail (error, "mode=%s needs data with at least %d axes, not %s", l2_modes[mode], mode == 0 ? 1 : 3,
                 stext (&in[0]).s);
  out[0] = in[0];
  return TRUE;
}

gboolean
mrt_ops_l2_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *d = &in[0]->shape;
  int mode = enum_attr (node, "mode", "instance", l2_modes, error);
  double eps = mrt_node_get_float (node, "eps", 1e-10);
  const float *x = mrt_tensor_f32 (in[0]);
  float *y = mrt_tensor_f32 (out[0]);
  /* every mode reduces the middle axis of some (outer, dim, inner) view */
  gint64 outer, dim, inner;

  if (mode < 0)
    return FALSE;
  if (mode == 0)
    outer = d->dim[0], dim = prod (d, 1, d->ndim), inner = 1;
  else if (mode == 1)
    outer = d->dim[0], dim = d->dim[1], inner = prod (d, 2, d->ndim);
  else
    outer = d->dim[0] * d->dim[1], dim = prod (d, 2, d->ndim), inner = 1;
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < inner; i++)
      {
        const float *xs = x + o * dim * inner + i;
        float *ys = y + o * dim * inner + i;
        double ss = 0.0;
        float norm;
        for (gint64 j = 0; j < dim; j++)
          ss += (double) xs[j * inner] * xs[j * inner];
        norm = (float) sqrt (ss + eps);
        for (gint64 j = 0; j < dim; j++)
          ys[j * inner] = xs[j * inner] / norm;
      }
  return TRUE;
}

const MrtAttrSpec mrt_ops_l2_attrs[] = {
  { "eps", MRT_ATTR_FLOAT },
  { "mode", MRT_ATTR_STRING },
  { NULL },
};

/* ---- UpSampling ---- */

static const char *const up_types[] = { "nearest", "bilinear", NULL };
static const char *const up_modes[] = { "concat", "sum", NULL };

gboolean
mrt_ops_upsampling_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int type = enum_attr (node, "sample_type", "nearest", up_types, error);
  int mode = enum_attr (node, "multi_input_mode", "concat", up_modes, error);
  gint64 scale, num_args = mrt_node_get_int (node, "num_args", node->n_inputs);

  if (type < 0 || mode < 0 || !positive_int (node, "scale", 1, &scale, error))
    return FALSE;
  if (in[0].ndim != 4)
    return fail (error, "data has shape %s; UpSampling takes (N, C, H, W)", stext (&in[0]).s);
  out[0] = in[0];
  out[0].dim[2] = in[0].dim[2] * scale;
  out[0].dim[3] = in[0].dim[3] * scale;
  if (type == 0)
    {
      if (num_args != node->n_inputs)
        return fail (error, "num_args=%" G_GINT64_FORMAT " but %u inputs were given", num_args, node->n_inputs);
      out[0].dim[1] = 0;
      for (guint i = 0; i < node->n_inputs; i++)
        {
          const MrtShape *s = &in[i];
          if (s->ndim != 4 || s->dim[0] != in[0].dim[0] || s->dim[2] == 0 || s->dim[3] == 0)
            return fail (error, "input %u has shape %s; expected (%" G_GINT64_FORMAT ", C, H, W)", i, stext (s).s,
                         in[0].dim[0]);
          if (out[0].dim[2] % s->dim[2] != 0 || out[0].dim[3] % s->dim[3] != 0 ||
              out[0].dim[2] / s->dim[2] != out[0].dim[3] / s->dim[3])
            return fail (error, "input %u (%s) cannot be scaled by a whole factor to the output size %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT,
                         i, stext (s).s, out[0].dim[2], out[0].dim[3]);
          if (mode == 1 && i > 0 && s->dim[1] != out[0].dim[1])
            return fail (error, "multi_input_mode=sum needs equal channel counts; input %u has %" G_GINT64_FORMAT " not %" G_GINT64_FORMAT,
                         i, s->dim[1], out[0].dim[1]);
          out[0].dim[1] = mode == 1 ? s->dim[1] : out[0].dim[1] + s->dim[1];
        }
    }
  else
    {
      gint64 k = 2 * scale - scale % 2;
      if (node->n_inputs != 2)
        return fail (error, "sample_type=bilinear takes (data, weight); %u inputs were given", node->n_inputs);
      if (mrt_node_get_int (node, "num_filter", 0) != in[0].dim[1])
        return fail (error, "sample_type=bilinear needs num_filter equal to the %" G_GINT64_FORMAT " input channels",
                     in[0].dim[1]);
      if (!expect_shape (&in[1], &(MrtShape){ 4, { in[0].dim[1], 1, k, k } }, "the weight", error))
        return FALSE;
    }
  return check_nonempty (&out[0], error);
}

gboolean
mrt_ops_upsampling_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  int type = enum_attr (node, "sample_type", "nearest", up_types, error);
  int mode = enum_attr (node, "multi_input_mode", "concat", up_modes, error);
  const MrtShape *o = &out[0]->shape;
  float *y = mrt_tensor_f32 (out[0]);
  gint64 oc = o->dim[1], oh = o->dim[2], ow = o->dim[3], c0 = 0;

  if (type < 0 || mode < 0)
    return FALSE;
  if (type == 1)
    {
      gint64 s = o->dim[2] / in[0]->shape.dim[2];
      MrtConvGeom g = { .n = o->dim[0], .c = oc, .h = in[0]->shape.dim[2], .w = in[0]->shape.dim[3],
                        .f = oc, .oh = oh, .ow = ow, .kh = 2 * s - s % 2, .kw = 2 * s - s % 2,
                        .sh = s, .sw = s, .ph = s / 2, .pw = s / 2, .dh = 1, .dw = 1, .groups = oc };
      mrt_deconv2d_depthwise (&g, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (in[1]), y);
      return TRUE;
    }
  if (mode == 1)
    memset (y, 0, sizeof (float) * out[0]->n);
  for (guint a = 0; a < node->n_inputs; a++)
    {
      const MrtShape *s = &in[a]->shape;
      const float *x = mrt_tensor_f32 (in[a]);
      gint64 c = s->dim[1], h = s->dim[2], w = s->dim[3], f = oh / h;
      for (gint64 n = 0; n < o->dim[0]; n++)
        for (gint64 ch = 0; ch < c; ch++)
          {
            const float *plane = x + (n * c + ch) * h * w;
            float *dst = y + (n * oc + (mode == 1 ? ch : c0 + ch)) * oh * ow;
            for (gint64 yy = 0; yy < oh; yy++)
              for (gint64 xx = 0; xx < ow; xx++)
                {
                  float v = plane[(yy / f) * w + xx / f];
                  if (mode == 1)
                    dst[yy * ow + xx] += v;
                  else
                    dst[yy * ow + xx] = v;
                }
          }
      c0 += c;
    }
  return TRUE;
}

const MrtAttrSpec mrt_ops_upsampling_attrs[] = {
  { "scale", MRT_ATTR_INT, TRUE },
  { "num_filter", MRT_ATTR_INT },
  { "sample_type", MRT_ATTR_STRING, TRUE },
  { "multi_input_mode", MRT_ATTR_STRING },
  { "num_args", MRT_ATTR_INT },
  { "workspace", MRT_ATTR_INT },
  { NULL },
};

/* ---- Embedding ---- */

gboolean
mrt_ops_embedding_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 input_dim, output_dim;
  if (!positive_int (node, "input_dim", 0, &input_dim, error) || !positive_int (node, "output_dim", 0, &output_dim, error))
    return FALSE;
  if (in[0].ndim >= MRT_MAX_NDIM)
    return fail (error, "indices %s have too many axes", stext (&in[0]).s);
  if (!expect_shape (&in[1], &(MrtShape){ 2, { input_dim, output_dim } }, "the weight", error))
    return FALSE;
  out[0] = in[0];
  out[0].dim[out[0].ndim++] = output_dim;
  return check_nonempty (&out[0], error);
}

/* Indices are truncated toward zero and clipped into range, as MXNet's
 * take(mode=clip) does; NaN counts as 0. */
gboolean
mrt_ops_embedding_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const float *idx = mrt_tensor_f32 (in[0]), *w = mrt_tensor_f32 (in[1]);
  gint64 rows = in[1]->shape.dim[0], dim = in[1]->shape.dim[1];
  float *y = mrt_tensor_f32 (out[0]);
  for (gsize i = 0; i < in[0]->n; i++)
    {
      float v = idx[i];
      gint64 r = isnan (v) || v <= 0.0f ? 0 : v >= (float) rows ? rows - 1 : (gint64) v;
      memcpy (y + i * dim, w + r * dim, sizeof (float) * dim);
    }
  return TRUE;
}

const MrtAttrSpec mrt_ops_embedding_attrs[] = {
  { "input_dim", MRT_ATTR_INT, TRUE },
  { "output_dim", MRT_ATTR_INT, TRUE },
  { "dtype", MRT_ATTR_STRING },
  { "sparse_grad", MRT_ATTR_BOOL },
  { NULL },
};

/* ---- batch_dot ---- */

static gboolean
batch_dot_dims (const MrtNode *node, const MrtShape *a, const MrtShape *b, gint64 *batch, gint64 *m, gint64 *n,
                gint64 *k, GError **error)
{
  gboolean ta = mrt_node_get_bool (node, "transpose_a", FALSE), tb = mrt_node_get_bool (node, "transpose_b", FALSE);
  int nd = a->ndim;
  gint64 kb;
  if (nd < 3 || b->ndim != nd)
    return fail (error, "batch_dot needs two arrays with the same number (>= 3) of axes, not %s and %s",
                 stext (a).s, stext (b).s);
  for (int i = 0; i < nd - 2; i++)
    if (a->dim[i] != b->dim[i])
      return fail (error, "the batch axes of %s and %s differ", stext (a).s, stext (b).s);
  *batch = prod (a, 0, nd - 2);
  *m = ta ? a->dim[nd - 1] : a->dim[nd - 2];
  *k = ta ? a->dim[nd - 2] : a->dim[nd - 1];
  kb = tb ? b->dim[nd - 1] : b->dim[nd - 2];
  *n = tb ? b->dim[nd - 2] : b->dim[nd - 1];
  if (*k != kb)
    return fail (error, "the inner dimensions of %s and %s do not match (transpose_a=%d, transpose_b=%d)",
                 stext (a).s, stext (b).s, ta, tb);
  return TRUE;
}

gboolean
mrt_ops_batch_dot_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 batch, m, n, k;
  if (!batch_dot_dims (node, &in[0], &in[1], &batch, &m, &n, &k, error))
    return FALSE;
  out[0] = in[0];
  out[0].dim[out[0].ndim - 2] = m;
  out[0].dim[out[0].ndim - 1] = n;
  return check_nonempty (&out[0], error);
}

gboolean
mrt_ops_batch_dot_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gboolean ta = mrt_node_get_bool (node, "transpose_a", FALSE), tb = mrt_node_get_bool (node, "transpose_b", FALSE);
  gint64 batch, m, n, k;
  const float *a = mrt_tensor_f32 (in[0]), *b = mrt_tensor_f32 (in[1]);
  float *y = mrt_tensor_f32 (out[0]);
  if (!batch_dot_dims (node, &in[0]->shape, &in[1]->shape, &batch, &m, &n, &k, error))
    return FALSE;
  if (k == 0)
    {
      memset (y, 0, sizeof (float) * out[0]->n);
      return TRUE;
    }
  for (gint64 i = 0; i < batch; i++)
    cblas_sgemm (CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, (int) m, (int) n,
                 (int) k, 1.0f, a + i * m * k, ta ? (int) m : (int) k, b + i * k * n, tb ? (int) k : (int) n, 0.0f,
                 y + i * m * n, (int) n);
  return TRUE;
}

const MrtAttrSpec mrt_ops_batch_dot_attrs[] = {
  { "transpose_a", MRT_ATTR_BOOL },
  { "transpose_b", MRT_ATTR_BOOL },
  { "forward_stype", MRT_ATTR_STRING },
  { NULL },
};
