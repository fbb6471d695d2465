/* mrt-ops-nn.c: the nn operator family (convolution, pooling, normalisation,
 * activations, softmax, training heads, embedding). Semantics follow MXNet
 * 1.x inference; the heavy conv/pool loops live in mrt-conv.c. */
#include <cblas.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "mrt-conv.h"
#include "mrt-op.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Kernel, stride, pad and dilation values above this are refused: they
 * would only ever come from a corrupt file, and the bound keeps all index
 * arithmetic far from overflow. */
#define ATTR_LIMIT (G_GINT64_CONSTANT (1) << 24)

static gboolean G_GNUC_PRINTF (2, 3)
fail (GError **error, const char *format, ...)
{
  va_list ap;
  char *msg;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error_literal (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE, msg);
  g_free (msg);
  return FALSE;
}

/* By value so it can sit inside a printf argument list without a free. */
typedef struct {
  char s[200];
} ShapeText;

static ShapeText
stext (const MrtShape *shape)
{
  ShapeText t;
  g_autofree char *s = mrt_shape_to_string (shape);
  g_strlcpy (t.s, s, sizeof t.s);
  return t;
}

static gint64
prod (const MrtShape *s, int from, int to)
{
  gint64 n = 1;
  for (int i = from; i < to; i++)
    n *= s->dim[i];
  return n;
}

/* Looks for a zero dimension rather than multiplying: an oversized shape
 * is the caller's mrt_shape_check to refuse, and must not overflow here. */
static gboolean
check_nonempty (const MrtShape *out, GError **error)
{
  for (int i = 0; i < out->ndim; i++)
    if (out->dim[i] == 0)
      return fail (error, "the output %s would be empty", stext (out).s);
  return TRUE;
}

static gboolean
expect_shape (const MrtShape *got, const MrtShape *want, const char *what, GError **error)
{
  if (!mrt_shape_equal (got, want))
    return fail (error, "%s has shape %s; expected %s", what, stext (got).s, stext (want).s);
  return TRUE;
}

/* Index of the attribute's value in choices (NULL-terminated), or -1. */
static int
enum_attr (const MrtNode *node, const char *key, const char *def, const char *const *choices, GError **error)
{
  const char *v = mrt_node_get_string (node, key, def);
  g_autofree char *list = NULL;
  for (int i = 0; choices[i]; i++)
    if (strcmp (v, choices[i]) == 0)
      return i;
  list = g_strjoinv (", ", (char **) choices);
  fail (error, "%s=“%s” is not one of %s", key, v, list);
  return -1;
}

/* dmlc::optional<bool> attributes may be written as "None". */
static gboolean
optional_bool (const MrtNode *node, const char *key, gboolean def, gboolean *out, GError **error)
{
  const char *v = mrt_node_get_attr (node, key);
  if (v == NULL || mrt_attr_is_none (v))
    *out = def;
  else if (!mrt_attr_parse_bool (v, out))
    return fail (error, "%s=“%s” is not True, False or None", key, v);
  return TRUE;
}

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

/* Counts (num_filter, num_hidden, ...) are bounded by the tensor size limit. */
static gboolean
positive_int (const MrtNode *node, const char *key, gint64 def, gint64 *out, GError **error)
{
  *out = mrt_node_get_int (node, key, def);
  if (*out < 1 || *out > MRT_MAX_ELEMENTS)
    return fail (error, "%s=%" G_GINT64_FORMAT " must be between 1 and %" G_GINT64_FORMAT, key, *out,
                 MRT_MAX_ELEMENTS);
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

/* ---- Activations ---- */

typedef enum {
  ACT_RELU,
  ACT_SIGMOID,
  ACT_TANH,
  ACT_SOFTRELU,
  ACT_SOFTSIGN,
  ACT_LOG_SIGMOID,
  ACT_MISH,
} ActKind;

static const char *const act_types[] = { "relu", "sigmoid", "tanh", "softrelu", "softsign", "log_sigmoid", "mish", NULL };

static void
apply_act (ActKind kind, const float *x, float *y, gsize n)
{
  switch (kind)
    {
    case ACT_RELU: /* NaN passes through, as in MXNet >= 1.6 */
      {
        gsize i = 0;
#ifdef __SSE2__
        /* maxps returns its second operand when either one is NaN */
        for (; i + 4 <= n; i += 4)
          _mm_storeu_ps (y + i, _mm_max_ps (_mm_setzero_ps (), _mm_loadu_ps (x + i)));
#endif
        for (; i < n; i++)
          y[i] = x[i] < 0.0f ? 0.0f : x[i];
        break;
      }
    case ACT_SIGMOID:
      for (gsize i = 0; i < n; i++)
        y[i] = 1.0f / (1.0f + expf (-x[i]));
      break;
    case ACT_TANH:
      for (gsize i = 0; i < n; i++)
        y[i] = tanhf (x[i]);
      break;
    case ACT_SOFTRELU: /* MXNet's cut-off: above 20, log1p(exp(x)) == x in float */
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 20.0f ? x[i] : log1pf (expf (x[i]));
      break;
    case ACT_SOFTSIGN:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] / (1.0f + fabsf (x[i]));
      break;
    case ACT_LOG_SIGMOID:
      for (gsize i = 0; i < n; i++)
        y[i] = logf (1.0f / (1.0f + expf (-x[i])));
      break;
    case ACT_MISH:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] * tanhf (log1pf (expf (x[i])));
      break;
    }
}

static gboolean
activation_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (enum_attr (node, "act_type", "", act_types, error) < 0)
    return FALSE;
  out[0] = in[0];
  return TRUE;
}

static gboolean
activation_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  int kind = enum_attr (node, "act_type", "", act_types, error);
  if (kind < 0)
    return FALSE;
  apply_act ((ActKind) kind, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), out[0]->n);
  return TRUE;
}

#define UNARY_ACT(fname, kind)                                                                        \
  static gboolean fname (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **e) \
  {                                                                                                   \
    apply_act (kind, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), out[0]->n);                     \
    return TRUE;                                                                                      \
  }
UNARY_ACT (relu_forward, ACT_RELU)
UNARY_ACT (sigmoid_forward, ACT_SIGMOID)
UNARY_ACT (tanh_forward, ACT_TANH)
#undef UNARY_ACT

static const MrtAttrSpec activation_attrs[] = {
  { "act_type", MRT_ATTR_STRING, TRUE },
  { NULL },
};

/* ---- LeakyReLU ---- */

static const char *const leaky_types[] = { "leaky", "prelu", "elu", "selu", "gelu", "rrelu", NULL };
enum { LEAKY, PRELU, ELU, SELU, GELU, RRELU };

/* MXNet's expand_shape: gamma's axes bind from the right, but only to data
 * axes 0 and 1, and only where sizes match or gamma has 1. */
static gboolean
prelu_gamma_shape (const MrtShape *gamma, const MrtShape *data, MrtShape *expanded, GError **error)
{
  int s = gamma->ndim - 1;
  expanded->ndim = data->ndim;
  for (int i = data->ndim - 1; i >= 0; i--)
    {
      if (s >= 0 && i <= 1 && (data->dim[i] == gamma->dim[s] || gamma->dim[s] == 1))
        expanded->dim[i] = gamma->dim[s--];
      else
        expanded->dim[i] = 1;
    }
  if (s != -1)
    return fail (error, "gamma %s cannot be broadcast to data %s", stext (gamma).s, stext (data).s);
  return TRUE;
}

static gboolean
leaky_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int type = enum_attr (node, "act_type", "leaky", leaky_types, error);
  MrtShape e;
  if (type < 0)
    return FALSE;
  if (type == PRELU)
    {
      if (node->n_inputs != 2)
        return fail (error, "act_type=prelu takes (data, gamma); %u inputs were given", node->n_inputs);
      if (in[0].ndim < 1)
        return fail (error, "act_type=prelu needs data with at least one axis");
      if (!prelu_gamma_shape (&in[1], &in[0], &e, error))
        return FALSE;
    }
  else if (node->n_inputs != 1)
    return fail (error, "act_type=%s takes one input; %u were given", leaky_types[type], node->n_inputs);
  out[0] = in[0];
  return TRUE;
}

static gboolean
leaky_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  static const double selu_alpha = 1.6732632423543772848170429916717;
  static const double selu_lambda = 1.0507009873554804934193349852946;
  int type = enum_attr (node, "act_type", "leaky", leaky_types, error);
  float slope = (float) mrt_node_get_float (node, "slope", 0.25);
  const float *x = mrt_tensor_f32 (in[0]);
  float *y = mrt_tensor_f32 (out[0]);
  gsize n = out[0]->n;

  if (type < 0)
    return FALSE;
  if (type == RRELU) /* inference uses the mean of the random slope's range */
    slope = (float) ((mrt_node_get_float (node, "lower_bound", 0.125) + mrt_node_get_float (node, "upper_bound", 0.334)) / 2);
  switch (type)
    {
    case LEAKY:
    case RRELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
      break;
    case ELU:
      for (gsize i = 0; i < n; i++)
        y[i] = x[i] > 0.0f ? x[i] : slope * expm1f (x[i]);
      break;
    case SELU:
      for (gsize i = 0; i < n; i++)
        y[i] = (float) (selu_lambda * (x[i] > 0.0f ? x[i] : selu_alpha * expm1 (x[i])));
      break;
    case GELU:
      for (gsize i = 0; i < n; i++)
        y[i] = 0.5f * x[i] * (1.0f + erff (x[i] / (float) G_SQRT2));
      break;
    case PRELU:
      {
        MrtShape e;
        const float *g = mrt_tensor_f32 (in[1]);
        const MrtShape *d = &in[0]->shape;
        gint64 d0 = d->dim[0], d1 = d->ndim > 1 ? d->dim[1] : 1, inner = prod (d, 2, d->ndim), e1;
        if (!prelu_gamma_shape (&in[1]->shape, d, &e, error))
          return FALSE;
        e1 = d->ndim > 1 ? e.dim[1] : 1;
        for (gint64 i0 = 0; i0 < d0; i0++)
          for (gint64 i1 = 0; i1 < d1; i1++)
            {
              float a = g[(e.dim[0] > 1 ? i0 : 0) * e1 + (e1 > 1 ? i1 : 0)];
              gsize base = (gsize) ((i0 * d1 + i1) * inner);
              for (gint64 i = 0; i < inner; i++)
                y[base + i] = x[base + i] > 0.0f ? x[base + i] : a * x[base + i];
            }
        break;
      }
    }
  return TRUE;
}

static const MrtAttrSpec leaky_attrs[] = {
  { "act_type", MRT_ATTR_STRING },
  { "slope", MRT_ATTR_FLOAT },
  { "lower_bound", MRT_ATTR_FLOAT },
  { "upper_bound", MRT_ATTR_FLOAT },
  { NULL },
};

/* ---- softmax family ---- */

/* Softmax over the middle axis of (outer, dim, inner). With lengths (one per
 * (outer, inner) row) only the first length entries take part and the rest
 * become 0, as MXNet's use_length does. */
static void
softmax_core (const float *x, float *y, gint64 outer, gint64 dim, gint64 inner, double temperature,
              gboolean log_mode, const float *lengths)
{
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < inner; i++)
      {
        const float *xs = x + o * dim * inner + i;
        float *ys = y + o * dim * inner + i;
        gint64 len = dim;
        double m = -INFINITY, sum = 0.0, logsum;
        if (lengths)
          {
            float l = lengths[o * inner + i];
            len = isnan (l) || l <= 0.0f ? 0 : l >= (float) dim ? dim : (gint64) l;
          }
        /* the max is taken after scaling so a negative temperature stays stable */
        for (gint64 j = 0; j < len; j++)
          m = MAX (m, (double) xs[j * inner] / temperature);
        for (gint64 j = 0; j < len; j++)
          sum += exp ((double) xs[j * inner] / temperature - m);
        logsum = log (sum);
        for (gint64 j = 0; j < len; j++)
          {
            double z = (double) xs[j * inner] / temperature - m;
            ys[j * inner] = (float) (log_mode ? z - logsum : exp (z) / sum);
          }
        for (gint64 j = len; j < dim; j++)
          ys[j * inner] = 0.0f;
      }
}

static gboolean
softmax_setup (const MrtNode *node, const MrtShape *data, int *axis, gboolean *use_length, GError **error)
{
  gint64 a = mrt_node_get_int (node, "axis", -1);
  if (!optional_bool (node, "use_length", FALSE, use_length, error))
    return FALSE;
  if (!mrt_normalize_axis (a, data->ndim, axis))
    return fail (error, "axis=%" G_GINT64_FORMAT " is out of range for data %s", a, stext (data).s);
  return TRUE;
}

static gboolean
softmax_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int axis;
  gboolean use_length;
  if (!softmax_setup (node, &in[0], &axis, &use_length, error))
    return FALSE;
  if (use_length != (node->n_inputs == 2))
    return fail (error, "use_length=%s needs %s inputs; %u were given", use_length ? "True" : "False",
                 use_length ? "two (data, length)" : "one", node->n_inputs);
  if (use_length)
    {
      MrtShape want = { .ndim = in[0].ndim - 1 };
      for (int i = 0, j = 0; i < in[0].ndim; i++)
        if (i != axis)
          want.dim[j++] = in[0].dim[i];
      if (!expect_shape (&in[1], &want, "length", error))
        return FALSE;
    }
  out[0] = in[0];
  return TRUE;
}

static gboolean
softmax_any_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, gboolean log_mode,
                     gboolean negate, GError **error)
{
  const MrtShape *d = &in[0]->shape;
  const char *t = mrt_node_get_attr (node, "temperature");
  double temperature = t && !mrt_attr_is_none (t) ? mrt_node_get_float (node, "temperature", 1.0) : 1.0;
  gboolean use_length;
  int axis;
  if (!softmax_setup (node, d, &axis, &use_length, error))
    return FALSE;
  /* softmin is softmax of -x; a negative temperature is exactly that */
  softmax_core (mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), prod (d, 0, axis), d->dim[axis],
                prod (d, axis + 1, d->ndim), negate ? -temperature : temperature, log_mode,
                use_length ? mrt_tensor_f32 (in[1]) : NULL);
  return TRUE;
}

static gboolean
softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, FALSE, FALSE, error);
}

static gboolean
log_softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, TRUE, FALSE, error);
}

static gboolean
softmin_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, FALSE, TRUE, error);
}

static const MrtAttrSpec softmax_attrs[] = {
  { "axis", MRT_ATTR_INT },
  { "temperature", MRT_ATTR_FLOAT_OR_NONE },
  { "dtype", MRT_ATTR_STRING },
  { "use_length", MRT_ATTR_ANY },
  { NULL },
};

static const char *const softmax_act_modes[] = { "instance", "channel", NULL };

static gboolean
softmax_act_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  int mode = enum_attr (node, "mode", "instance", softmax_act_modes, error);
  if (mode < 0)
    return FALSE;
  if (mode == 1 && in[0].ndim < 3)
    return fail (error, "mode=channel needs data with at least 3 axes, not %s", stext (&in[0]).s);
  if (in[0].ndim < 1)
    return fail (error, "data must have at least one axis");
  out[0] = in[0];
  return TRUE;
}

/* MXNet's "instance" mode flattens to (rest, last axis), so for (N, C, H, W)
 * it is a softmax over W, not over C*H*W. */
static gboolean
softmax_act_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *d = &in[0]->shape;
  int mode = enum_attr (node, "mode", "instance", softmax_act_modes, error);
  if (mode < 0)
    return FALSE;
  if (mode == 0)
    softmax_core (mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), prod (d, 0, d->ndim - 1), d->dim[d->ndim - 1], 1,
                  1.0, FALSE, NULL);
  else
    softmax_core (mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), d->dim[0], d->dim[1], prod (d, 2, d->ndim), 1.0,
                  FALSE, NULL);
  return TRUE;
}

static const MrtAttrSpec softmax_act_attrs[] = {
  { "mode", MRT_ATTR_STRING },
  { NULL },
};

/* ---- training heads (inference behaviour only; input 1 is the label) ---- */

static gboolean
head_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (in[0].ndim < 1)
    return fail (error, "data must have at least one axis");
  out[0] = in[0];
  return TRUE;
}

/* multi_output: softmax over axis 1 of (n, k, rest); preserve_shape: over
 * the last axis; otherwise over everything but the batch axis. */
static gboolean
softmax_output_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *d = &in[0]->shape;
  const float *x = mrt_tensor_f32 (in[0]);
  float *y = mrt_tensor_f32 (out[0]);
  if (mrt_node_get_bool (node, "multi_output", FALSE))
    softmax_core (x, y, d->dim[0], d->ndim > 1 ? d->dim[1] : 1, prod (d, 2, d->ndim), 1.0, FALSE, NULL);
  else if (mrt_node_get_bool (node, "preserve_shape", FALSE))
    softmax_core (x, y, prod (d, 0, d->ndim - 1), d->dim[d->ndim - 1], 1, 1.0, FALSE, NULL);
  else
    softmax_core (x, y, d->dim[0], prod (d, 1, d->ndim), 1, 1.0, FALSE, NULL);
  return TRUE;
}

static const MrtAttrSpec softmax_output_attrs[] = {
  { "grad_scale", MRT_ATTR_FLOAT },
  { "ignore_label", MRT_ATTR_FLOAT },
  { "multi_output", MRT_ATTR_BOOL },
  { "use_ignore", MRT_ATTR_BOOL },
  { "preserve_shape", MRT_ATTR_BOOL },
  { "normalization", MRT_ATTR_STRING },
  { "out_grad", MRT_ATTR_BOOL },
  { "smooth_alpha", MRT_ATTR_FLOAT },
  { NULL },
};

static const MrtAttrSpec regression_attrs[] = {
  { "grad_scale", MRT_ATTR_FLOAT },
  { NULL },
};

static const MrtAttrSpec make_loss_attrs[] = {
  { "grad_scale", MRT_ATTR_FLOAT },
  { "valid_thresh", MRT_ATTR_FLOAT },
  { "normalization", MRT_ATTR_STRING },
  { NULL },
};

static const MrtAttrSpec no_attrs[] = { { NULL } };

static const MrtAttrSpec dropout_attrs[] = {
  { "p", MRT_ATTR_FLOAT },
  { "mode", MRT_ATTR_STRING },
  { "axes", MRT_ATTR_TUPLE },
  { "cudnn_off", MRT_ATTR_ANY },
  { NULL },
};

/* ---- L2Normalization ---- */

static const char *const l2_modes[] = { "instance", "channel", "spatial", NULL };

static gboolean
l2_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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

static gboolean
l2_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

static const MrtAttrSpec l2_attrs[] = {
  { "eps", MRT_ATTR_FLOAT },
  { "mode", MRT_ATTR_STRING },
  { NULL },
};

/* ---- UpSampling ---- */

static const char *const up_types[] = { "nearest", "bilinear", NULL };
static const char *const up_modes[] = { "concat", "sum", NULL };

static gboolean
upsampling_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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

static gboolean
upsampling_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

static const MrtAttrSpec upsampling_attrs[] = {
  { "scale", MRT_ATTR_INT, TRUE },
  { "num_filter", MRT_ATTR_INT },
  { "sample_type", MRT_ATTR_STRING, TRUE },
  { "multi_input_mode", MRT_ATTR_STRING },
  { "num_args", MRT_ATTR_INT },
  { "workspace", MRT_ATTR_INT },
  { NULL },
};

/* ---- Embedding ---- */

static gboolean
embedding_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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
static gboolean
embedding_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

static const MrtAttrSpec embedding_attrs[] = {
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

static gboolean
batch_dot_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  gint64 batch, m, n, k;
  if (!batch_dot_dims (node, &in[0], &in[1], &batch, &m, &n, &k, error))
    return FALSE;
  out[0] = in[0];
  out[0].dim[out[0].ndim - 2] = m;
  out[0].dim[out[0].ndim - 1] = n;
  return check_nonempty (&out[0], error);
}

static gboolean
batch_dot_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

static const MrtAttrSpec batch_dot_attrs[] = {
  { "transpose_a", MRT_ATTR_BOOL },
  { "transpose_b", MRT_ATTR_BOOL },
  { "forward_stype", MRT_ATTR_STRING },
  { NULL },
};

/* ---- the table ---- */

#define HEAD(op, attrs_, fwd)                                                                          \
  { .name = op, .min_inputs = 1, .max_inputs = 2, .attrs = attrs_, .n_data_inputs = 1,                 \
    .infer_shape = head_infer, .forward = fwd }
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
  { .name = "Activation", .min_inputs = 1, .max_inputs = 1, .attrs = activation_attrs,
    .infer_shape = activation_infer, .forward = activation_forward },
  UNARY ("relu", no_attrs, relu_forward),
  UNARY ("sigmoid", no_attrs, sigmoid_forward),
  UNARY ("tanh", no_attrs, tanh_forward),
  { .name = "LeakyReLU", .min_inputs = 1, .max_inputs = 2, .attrs = leaky_attrs, .infer_shape = leaky_infer,
    .forward = leaky_forward },
  { .name = "softmax", .min_inputs = 1, .max_inputs = 2, .attrs = softmax_attrs, .infer_shape = softmax_infer,
    .forward = softmax_forward },
  { .name = "log_softmax", .min_inputs = 1, .max_inputs = 2, .attrs = softmax_attrs, .infer_shape = softmax_infer,
    .forward = log_softmax_forward },
  { .name = "softmin", .min_inputs = 1, .max_inputs = 2, .attrs = softmax_attrs, .infer_shape = softmax_infer,
    .forward = softmin_forward },
  { .name = "SoftmaxActivation", .min_inputs = 1, .max_inputs = 1, .attrs = softmax_act_attrs,
    .infer_shape = softmax_act_infer, .forward = softmax_act_forward },
  HEAD ("SoftmaxOutput", softmax_output_attrs, softmax_output_forward),
  HEAD ("Softmax", softmax_output_attrs, softmax_output_forward), /* MXNet's deprecated name */
  HEAD ("LinearRegressionOutput", regression_attrs, identity_forward),
  HEAD ("MAERegressionOutput", regression_attrs, identity_forward),
  HEAD ("LogisticRegressionOutput", regression_attrs, sigmoid_forward),
  UNARY ("MakeLoss", make_loss_attrs, identity_forward),
  UNARY ("make_loss", no_attrs, identity_forward),
  UNARY ("BlockGrad", no_attrs, identity_forward),
  UNARY ("stop_gradient", no_attrs, identity_forward),
  UNARY ("Dropout", dropout_attrs, identity_forward),
  { .name = "L2Normalization", .min_inputs = 1, .max_inputs = 1, .attrs = l2_attrs, .infer_shape = l2_infer,
    .forward = l2_forward },
  { .name = "UpSampling", .min_inputs = 1, .max_inputs = -1, .attrs = upsampling_attrs,
    .infer_shape = upsampling_infer, .forward = upsampling_forward },
  { .name = "Embedding", .min_inputs = 2, .max_inputs = 2, .attrs = embedding_attrs, .infer_shape = embedding_infer,
    .forward = embedding_forward },
  { .name = "batch_dot", .min_inputs = 2, .max_inputs = 2, .attrs = batch_dot_attrs, .infer_shape = batch_dot_infer,
    .forward = batch_dot_forward },
  { NULL },
};
