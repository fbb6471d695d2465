/* mrt-ops-nn.c: the nn operator family table, with convolution,
 * fully-connected, pooling and batch norm. Activations, softmax and the
 * training heads are in mrt-ops-activation.c; L2Normalization, UpSampling,
 * Embedding and batch_dot in mrt-ops-nn-misc.c. Semantics follow MXNet 1.x
 * inference; the heavy conv/pool loops live in mrt-conv.c. */
#include <cblas.h>
#include <math.h>
#include <string.h>

#include "mrt-conv.h"
#include "mrt-ops-nn-private.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Kernel, stride, pad and dilation values above this are refused: they
 * would only ever come from a corrupt file, and the bound keeps all index
 * arithmetic far from overflow. */
#define ATTR_LIMIT (G_GINT64_CONSTANT (1) << 24)

static gboolean
check_layout (const MrtNode *node, int nsp, GError **error)
{
  const char *layout = mrt_node_get_string (node, "layout", "None");
  if (mrt_attr_is_none (layout) || (nsp == 1 && strcmp (layout, "NCW") == 0) ||
      (nsp == 2 && strcmp (layout, "NCHW") == 0))
    return TRUE;
  return fail (error, "layout=%s is not supported for a %d-D operator (only %s)", layout, nsp,
               nsp == 1 ? "NCW" : "NCHW");
}

/* A per-spatial-axis tuple; absent or "()" gives def on every axis. */
static gboolean
spatial_tuple (const MrtNode *node, const char *key, int nsp, gint64 def, gint64 min, gint64 *out,
               GError **error)
{
  MrtTuple t;
  if (!mrt_node_get_tuple (node, key, &t) || t.n == 0)
    {
      for (int i = 0; i < nsp; i++)
        out[i] = def;
      return TRUE;
    }
  if (t.n != nsp)
    return fail (error, "%s=%s has %d values but the kernel has %d spatial axes", key,
                 mrt_node_get_attr (node, key), t.n, nsp);
  for (int i = 0; i < nsp; i++)
    {
      if (t.none[i] || t.v[i] < min || t.v[i] > ATTR_LIMIT)
        return fail (error, "%s=%s: each value must be between %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT,
                     key, mrt_node_get_attr (node, key), min, ATTR_LIMIT);
      out[i] = t.v[i];
    }
  return TRUE;
}

static gboolean
same_shape_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  out[0] = in[0];
  return TRUE;
}

static gboolean
identity_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  memcpy (out[0]->data, in[0]->data, sizeof (float) * out[0]->n);
  return TRUE;
}

/* ---- Convolution ---- */

typedef struct {
  int nsp;
  gboolean no_bias;
  gint64 kernel[2];
  MrtConvGeom g;
} ConvSetup;

static gboolean
conv_setup (const MrtNode *node, const MrtShape *data, ConvSetup *cs, GError **error)
{
  MrtTuple kt;
  gint64 k[2], s[2], d[2], p[2], in[2], out[2];
  int nsp;

  mrt_node_get_tuple (node, "kernel", &kt);
  nsp = kt.n;
  if (nsp < 1 || nsp > 2)
    return fail (error, "kernel=%s: only 1-D (NCW) and 2-D (NCHW) convolutions are supported",
                 mrt_node_get_string (node, "kernel", "()"));
  if (!spatial_tuple (node, "kernel", nsp, 1, 1, k, error) || !spatial_tuple (node, "stride", nsp, 1, 1, s, error) ||
      !spatial_tuple (node, "dilate", nsp, 1, 1, d, error) || !spatial_tuple (node, "pad", nsp, 0, 0, p, error) ||
      !check_layout (node, nsp, error))
    return FALSE;
  memset (cs, 0, sizeof *cs);
  cs->nsp = nsp;
  cs->no_bias = mrt_node_get_bool (node, "no_bias", FALSE);
  if (!positive_int (node, "num_filter", 0, &cs->g.f, error) || !positive_int (node, "num_group", 1, &cs->g.groups, error))
    return FALSE;
  if (data->ndim != nsp + 2)
    return fail (error, "data has shape %s; a %d-D convolution takes %s", stext (data).s, nsp,
                 nsp == 1 ? "(N, C, W)" : "(N, C, H, W)");
  cs->g.n = data->dim[0];
  cs->g.c = data->dim[1];
  if (cs->g.c % cs->g.groups != 0)
    return fail (error, "%" G_GINT64_FORMAT " input channels are not divisible by num_group=%" G_GINT64_FORMAT,
                 cs->g.c, cs->g.groups);
  if (cs->g.f % cs->g.groups != 0)
    return fail (error, "num_filter=%" G_GINT64_FORMAT " is not divisible by num_group=%" G_GINT64_FORMAT, cs->g.f,
                 cs->g.groups);
  for (int i = 0; i < nsp; i++)
    {
      gint64 dk = d[i] * (k[i] - 1) + 1;
      in[i] = data->dim[2 + i];
      if (dk > in[i] + 2 * p[i])
        return fail (error, "the kernel (%" G_GINT64_FORMAT " with dilation) is larger than the padded input (%" G_GINT64_FORMAT ") on spatial axis %d",
                     dk, in[i] + 2 * p[i], i);
      out[i] = (in[i] + 2 * p[i] - dk) / s[i] + 1;
      cs->kernel[i] = k[i];
    }
  if (nsp == 1)
    {
      cs->g.h = cs->g.oh = cs->g.kh = cs->g.sh = cs->g.dh = 1;
      cs->g.w = in[0], cs->g.ow = out[0], cs->g.kw = k[0], cs->g.sw = s[0], cs->g.pw = p[0], cs->g.dw = d[0];
    }
  else
    {
      cs->g.h = in[0], cs->g.oh = out[0], cs->g.kh = k[0], cs->g.sh = s[0], cs->g.ph = p[0], cs->g.dh = d[0];
      cs->g.w = in[1], cs->g.ow = out[1], cs->g.kw = k[1], cs->g.sw = s[1], cs->g.pw = p[1], cs->g.dw = d[1];
    }
  return TRUE;
}

static gboolean
check_bias_inputs (const MrtNode *node, gboolean no_bias, GError **error)
{
  if (!no_bias && node->n_inputs != 3)
    return fail (error, "no_bias is False, so the inputs are (data, weight, bias), but %u were given", node->n_inputs);
  if (no_bias && node->n_inputs != 2)
    return fail (error, "no_bias is True, so the inputs are (data, weight), but %u were given", node->n_inputs);
  return TRUE;
}

static gboolean
conv_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  ConvSetup cs;
  MrtShape w = { .ndim = 0 };

  if (!conv_setup (node, &in[0], &cs, error) || !check_bias_inputs (node, cs.no_bias, error))
    return FALSE;
  w.ndim = cs.nsp + 2;
  w.dim[0] = cs.g.f;
  w.dim[1] = cs.g.c / cs.g.groups;
  for (int i = 0; i < cs.nsp; i++)
    w.dim[2 + i] = cs.kernel[i];
  if (!expect_shape (&in[1], &w, "the weight", error))
    return FALSE;
  if (!cs.no_bias && !expect_shape (&in[2], &(MrtShape){ 1, { cs.g.f } }, "the bias", error))
    return FALSE;
  out[0] = in[0];
  out[0].dim[1] = cs.g.f;
  if (cs.nsp == 1)
    out[0].dim[2] = cs.g.ow;
  else
    out[0].dim[2] = cs.g.oh, out[0].dim[3] = cs.g.ow;
  return check_nonempty (&out[0], error);
}

static gboolean
conv_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  ConvSetup cs;
  if (!conv_setup (node, &in[0]->shape, &cs, error))
    return FALSE;
  return mrt_conv2d (&cs.g, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (in[1]),
                     cs.no_bias ? NULL : mrt_tensor_f32 (in[2]), mrt_tensor_f32 (out[0]), error);
}

static const MrtAttrSpec conv_attrs[] = {
  { "kernel", MRT_ATTR_TUPLE, TRUE },
  { "stride", MRT_ATTR_TUPLE },
  { "dilate", MRT_ATTR_TUPLE },
  { "pad", MRT_ATTR_TUPLE },
  { "num_filter", MRT_ATTR_INT, TRUE },
  { "num_group", MRT_ATTR_INT },
  { "workspace", MRT_ATTR_INT },
  { "no_bias", MRT_ATTR_BOOL },
  { "cudnn_tune", MRT_ATTR_STRING },
  { "cudnn_off", MRT_ATTR_BOOL },
  { "layout", MRT_ATTR_STRING },
  { NULL },
};

/* ---- FullyConnected ---- */

static gboolean
fc_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gboolean flatten = mrt_node_get_bool (node, "flatten", TRUE);
  gboolean no_bias = mrt_node_get_bool (node, "no_bias", FALSE);
  gint64 hidden, k;

  if (!positive_int (node, "num_hidden", 0, &hidden, error) || !check_bias_inputs (node, no_bias, error))
    return FALSE;
  if (in[0].ndim < 1)
    return fail (error, "data must have at least one axis");
  k = flatten ? prod (&in[0], 1, in[0].ndim) : in[0].dim[in[0].ndim - 1];
  if (!expect_shape (&in[1], &(MrtShape){ 2, { hidden, k } }, "the weight", error))
    return FALSE;
  if (!no_bias && !mrt_shape_equal (&in[2], &(MrtShape){ 1, { hidden } }) &&
      !mrt_shape_equal (&in[2], &(MrtShape){ 2, { hidden, 1 } }))
    return fail (error, "the bias has shape %s; expected (%" G_GINT64_FORMAT ",)", stext (&in[2]).s, hidden);
  if (flatten)
    out[0] = (MrtShape){ 2, { in[0].dim[0], hidden } };
  else
    {
      out[0] = in[0];
      out[0].dim[out[0].ndim - 1] = hidden;
    }
  return check_nonempty (&out[0], error);
}

static gboolean
fc_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  gboolean no_bias = mrt_node_get_bool (node, "no_bias", FALSE);
  gint64 hidden = in[1]->shape.dim[0], k = in[1]->shape.dim[1];
  gint64 rows = k > 0 ? (gint64) in[0]->n / k : (gint64) out[0]->n / hidden;
  float *y = mrt_tensor_f32 (out[0]);

  if (k > 0)
    cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasTrans, (int) rows, (int) hidden, (int) k, 1.0f,
                 mrt_tensor_f32 (in[0]), (int) k, mrt_tensor_f32 (in[1]), (int) k, 0.0f, y, (int) hidden);
  else
    memset (y, 0, sizeof (float) * out[0]->n);
  if (!no_bias)
    {
      const float *b = mrt_tensor_f32 (in[2]);
      for (gint64 r = 0; r < rows; r++)
        for (gint64 j = 0; j < hidden; j++)
          y[r * hidden + j] += b[j];
    }
  return TRUE;
}

static const MrtAttrSpec fc_attrs[] = {
  { "num_hidden", MRT_ATTR_INT, TRUE },
  { "no_bias", MRT_ATTR_BOOL },
  { "flatten", MRT_ATTR_BOOL },
  { NULL },
};

/* ---- Pooling ---- */

static const char *const pool_types[] = { "max", "avg", "sum", "lp", NULL };
static const char *const pool_conventions[] = { "valid", "full", "same", NULL };

static gboolean
pool_setup (const MrtNode *node, const MrtShape *data, MrtPoolGeom *pg, int *nsp_out, GError **error)
{
  gboolean global = mrt_node_get_bool (node, "global_pool", FALSE);
  int type, conv, nsp;
  MrtTuple kt;
  gint64 k[2], s[2], p[2], in[2], out[2];

  if ((type = enum_attr (node, "pool_type", "max", pool_types, error)) < 0 ||
      (conv = enum_attr (node, "pooling_convention", "valid", pool_conventions, error)) < 0)
    return FALSE;
  if (type == 3)
    return fail (error, "pool_type=lp is not supported");
  memset (pg, 0, sizeof *pg);
  pg->type = type == 0 ? MRT_POOL_MAX : type == 1 ? MRT_POOL_AVG : MRT_POOL_SUM;
  if (!optional_bool (node, "count_include_pad", TRUE, &pg->count_include_pad, error))
    return FALSE;
  mrt_node_get_tuple (node, "kernel", &kt);
  nsp = global ? data->ndim - 2 : kt.n;
  if (!global && kt.n == 0)
    return fail (error, "kernel is required unless global_pool is True");
  if (nsp < 1 || nsp > 2)
    return fail (error, "only 1-D (NCW) and 2-D (NCHW) pooling is supported (data %s, kernel %s)",
                 stext (data).s, mrt_node_get_string (node, "kernel", "()"));
  if (data->ndim != nsp + 2)
    return fail (error, "data has shape %s; %d-D pooling takes %s", stext (data).s, nsp,
                 nsp == 1 ? "(N, C, W)" : "(N, C, H, W)");
  if (!check_layout (node, nsp, error))
    return FALSE;
  for (int i = 0; i < nsp; i++)
    in[i] = data->dim[2 + i];
  if (global)
    for (int i = 0; i < nsp; i++)
      k[i] = in[i], s[i] = 1, p[i] = 0, out[i] = 1;
  else
    {
      if (conv == 2)
        return fail (error, "pooling_convention=same is not supported");
      if (!spatial_tuple (node, "kernel", nsp, 1, 1, k, error) || !spatial_tuple (node, "stride", nsp, 1, 1, s, error) ||
          !spatial_tuple (node, "pad", nsp, 0, 0, p, error))
        return FALSE;
      for (int i = 0; i < nsp; i++)
        {
          gint64 span = in[i] + 2 * p[i] - k[i];
          if (span < 0)
            return fail (error, "the kernel (%" G_GINT64_FORMAT ") is larger than the padded input (%" G_GINT64_FORMAT ") on spatial axis %d",
                         k[i], in[i] + 2 * p[i], i);
          out[i] = 1 + (conv == 0 ? span / s[i] : (span + s[i] - 1) / s[i]);
        }
    }
  pg->n = data->dim[0];
  pg->c = data->dim[1];
  if (nsp == 1)
    {
      pg->h = pg->oh = pg->kh = pg->sh = 1;
      pg->w = in[0], pg->ow = out[0], pg->kw = k[0], pg->sw = s[0], pg->pw = p[0];
    }
  else
    {
      pg->h = in[0], pg->oh = out[0], pg->kh = k[0], pg->sh = s[0], pg->ph = p[0];
      pg->w = in[1], pg->ow = out[1], pg->kw = k[1], pg->sw = s[1], pg->pw = p[1];
    }
  *nsp_out = nsp;
  return TRUE;
}

static gboolean
pool_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  MrtPoolGeom pg;
  int nsp;
  if (!pool_setup (node, &in[0], &pg, &nsp, error))
    return FALSE;
  out[0] = in[0];
  if (nsp == 1)
    out[0].dim[2] = pg.ow;
  else
    out[0].dim[2] = pg.oh, out[0].dim[3] = pg.ow;
  return check_nonempty (&out[0], error);
}

static gboolean
pool_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  MrtPoolGeom pg;
  int nsp;
  if (!pool_setup (node, &in[0]->shape, &pg, &nsp, error))
    return FALSE;
  mrt_pool2d (&pg, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]));
  return TRUE;
}

static const MrtAttrSpec pool_attrs[] = {
  { "kernel", MRT_ATTR_TUPLE },
  { "pool_type", MRT_ATTR_STRING },
  { "global_pool", MRT_ATTR_BOOL },
  { "cudnn_off", MRT_ATTR_BOOL },
  { "pooling_convention", MRT_ATTR_STRING },
  { "stride", MRT_ATTR_TUPLE },
  { "pad", MRT_ATTR_TUPLE },
  { "p_value", MRT_ATTR_INT_OR_NONE },
  { "count_include_pad", MRT_ATTR_ANY },
  { "layout", MRT_ATTR_STRING },
  { NULL },
};

/* ---- BatchNorm ---- */

static guint
bn_num_outputs (const MrtNode *node)
{
  return mrt_node_get_bool (node, "output_mean_var", FALSE) ? 3 : 1;
}

static gboolean
bn_axis (const MrtNode *node, const MrtShape *data, int *axis, GError **error)
{
  gint64 a = mrt_node_get_int (node, "axis", 1);
  if (!mrt_normalize_axis (a, data->ndim, axis))
    return fail (error, "axis=%" G_GINT64_FORMAT " is out of range for data %s", a, stext (data).s);
  return TRUE;
}

static gboolean
bn_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  static const char *const names[] = { NULL, "gamma", "beta", "moving_mean", "moving_var" };
  int axis;
  MrtShape c;
  if (!bn_axis (node, &in[0], &axis, error))
    return FALSE;
  c = (MrtShape){ 1, { in[0].dim[axis] } };
  for (int i = 1; i < 5; i++)
    if (!expect_shape (&in[i], &c, names[i], error))
      return FALSE;
  out[0] = in[0];
  if (node->n_outputs == 3)
    out[1] = out[2] = c;
  return TRUE;
}

/* Inference mode: the moving statistics normalise, and the mean/var outputs
 * report them, as MXNet does outside training. */
static gboolean
bn_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  double eps = mrt_node_get_float (node, "eps", 1e-3);
  gboolean fix_gamma = mrt_node_get_bool (node, "fix_gamma", TRUE);
  const float *x = mrt_tensor_f32 (in[0]), *gamma = mrt_tensor_f32 (in[1]), *beta = mrt_tensor_f32 (in[2]);
  const float *mean = mrt_tensor_f32 (in[3]), *var = mrt_tensor_f32 (in[4]);
  float *y = mrt_tensor_f32 (out[0]);
  int axis;
  gint64 outer, c, inner;

  if (!bn_axis (node, &in[0]->shape, &axis, error))
    return FALSE;
  outer = prod (&in[0]->shape, 0, axis);
  c = in[0]->shape.dim[axis];
  inner = prod (&in[0]->shape, axis + 1, in[0]->shape.ndim);
  for (gint64 ch = 0; ch < c; ch++)
    {
      float m = mean[ch], b = beta[ch];
      float scale = (float) ((fix_gamma ? 1.0 : (double) gamma[ch]) / sqrt ((double) var[ch] + eps));
      for (gint64 o = 0; o < outer; o++)
        {
          const float *xs = x + (o * c + ch) * inner;
          float *ys = y + (o * c + ch) * inner;
          gint64 i = 0;
#ifdef __SSE2__
          __m128 vm = _mm_set1_ps (m), vs = _mm_set1_ps (scale), vb = _mm_set1_ps (b);
          for (; i + 4 <= inner; i += 4)
            _mm_storeu_ps (ys + i, _mm_add_ps (_mm_mul_ps (_mm_sub_ps (_mm_loadu_ps (xs + i), vm), vs), vb));
#endif
          for (; i < inner; i++)
            ys[i] = (xs[i] - m) * scale + b;
        }
    }
  if (node->n_outputs == 3)
    {
      memcpy (out[1]->data, mean, sizeof (float) * c);
      memcpy (out[2]->data, var, sizeof (float) * c);
    }
  return TRUE;
}

static const MrtAttrSpec bn_attrs[] = {
  { "eps", MRT_ATTR_FLOAT },
  { "momentum", MRT_ATTR_FLOAT },
  { "fix_gamma", MRT_ATTR_BOOL },
  { "use_global_stats", MRT_ATTR_BOOL },
  { "output_mean_var", MRT_ATTR_BOOL },
  { "axis", MRT_ATTR_INT },
  { "cudnn_off", MRT_ATTR_BOOL },
  { "min_calib_range", MRT_ATTR_FLOAT_OR_NONE },
  { "max_calib_range", MRT_ATTR_FLOAT_OR_NONE },
  { NULL },
};

/* ---- the table ---- */

static const MrtAttrSpec no_attrs[] = { { NULL } };

#define HEAD(op, attrs_, fwd)                                                                          \
  { .name = op, .min_inputs = 1, .max_inputs = 2, .attrs = attrs_, .n_data_inputs = 1,                 \
    .infer_shape = mrt_ops_head_infer, .forward = fwd }
#define UNARY(op, attrs_, fwd)                                                                         \
  { .name = op, .min_inputs = 1, .max_inputs = 1, .attrs = attrs_, .infer_shape = same_shape_infer,    \
    .forward = fwd }

const MrtOpDef mrt_ops_nn[] = {
  { .name = "Convolution", .min_inputs = 2, .max_inputs = 3, .attrs = conv_attrs, .infer_shape = conv_infer,
    .forward = conv_forward },
  { .name = "FullyConnected", .min_inputs = 2, .max_inputs = 3, .attrs = fc_attrs, .infer_shape = fc_infer,
    .forward = fc_forward },
  { .name = "Pooling", .min_inputs = 1, .max_inputs = 1, .attrs = pool_attrs, .infer_shape = pool_infer,
    .forward = pool_forward },
  { .name = "BatchNorm", .min_inputs = 5, .max_inputs = 5, .attrs = bn_attrs, .num_outputs = bn_num_outputs,
    .infer_shape = bn_infer, .forward = bn_forward },
  { .name = "Activation", .min_inputs = 1, .max_inputs = 1, .attrs = mrt_ops_activation_attrs,
    .infer_shape = mrt_ops_activation_infer, .forward = mrt_ops_activation_forward },
  UNARY ("relu", no_attrs, mrt_ops_relu_forward),
  UNARY ("sigmoid", no_attrs, mrt_ops_sigmoid_forward),
  UNARY ("tanh", no_attrs, mrt_ops_tanh_forward),
  { .name = "LeakyReLU", .min_inputs = 1, .max_inputs = 2, .attrs = mrt_ops_leaky_attrs,
    .infer_shape = mrt_ops_leaky_infer, .forward = mrt_ops_leaky_forward },
  { .name = "softmax", .min_inputs = 1, .max_inputs = 2, .attrs = mrt_ops_softmax_attrs,
    .infer_shape = mrt_ops_softmax_infer, .forward = mrt_ops_softmax_forward },
  { .name = "log_softmax", .min_inputs = 1, .max_inputs = 2, .attrs = mrt_ops_softmax_attrs,
    .infer_shape = mrt_ops_softmax_infer, .forward = mrt_ops_log_softmax_forward },
  { .name = "softmin", .min_inputs = 1, .max_inputs = 2, .attrs = mrt_ops_softmax_attrs,
    .infer_shape = mrt_ops_softmax_infer, .forward = mrt_ops_softmin_forward },
  { .name = "SoftmaxActivation", .min_inputs = 1, .max_inputs = 1, .attrs = mrt_ops_softmax_act_attrs,
    .infer_shape = mrt_ops_softmax_act_infer, .forward = mrt_ops_softmax_act_forward },
  HEAD ("SoftmaxOutput", mrt_ops_softmax_output_attrs, mrt_ops_softmax_output_forward),
  HEAD ("Softmax", mrt_ops_softmax_output_attrs, mrt_ops_softmax_output_forward), /* MXNet's deprecated name */
  HEAD ("LinearRegressionOutput", mrt_ops_regression_attrs, identity_forward),
  HEAD ("MAERegressionOutput", mrt_ops_regression_attrs, identity_forward),
  HEAD ("LogisticRegressionOutput", mrt_ops_regression_attrs, mrt_ops_sigmoid_forward),
  UNARY ("MakeLoss", mrt_ops_make_loss_attrs, identity_forward),
  UNARY ("make_loss", no_attrs, identity_forward),
  UNARY ("BlockGrad", no_attrs, identity_forward),
  UNARY ("stop_gradient", no_attrs, identity_forward),
  UNARY ("Dropout", mrt_ops_dropout_attrs, identity_forward),
  { .name = "L2Normalization", .min_inputs = 1, .max_inputs = 1, .attrs = mrt_ops_l2_attrs,
    .infer_shape = mrt_ops_l2_infer, .forward = mrt_ops_l2_forward },
  { .name = "UpSampling", .min_inputs = 1, .max_inputs = -1, .attrs = mrt_ops_upsampling_attrs,
    .infer_shape = mrt_ops_upsampling_infer, .forward = mrt_ops_upsampling_forward },
  { .name = "Embedding", .min_inputs = 2, .max_inputs = 2, .attrs = mrt_ops_embedding_attrs,
    .infer_shape = mrt_ops_embedding_infer, .forward = mrt_ops_embedding_forward },
  { .name = "batch_dot", .min_inputs = 2, .max_inputs = 2, .attrs = mrt_ops_batch_dot_attrs,
    .infer_shape = mrt_ops_batch_dot_infer, .forward = mrt_ops_batch_dot_forward },
  { NULL },
};
