/* mrt-ops-activation.c: the nn family's activations (Activation, relu,
 * sigmoid, tanh, LeakyReLU), the softmax family and the training heads.
 * Semantics follow MXNet 1.x inference; the ops are listed in mrt_ops_nn[]
 * (mrt-ops-nn.c). */
#include <math.h>

#include "mrt-ops-nn-private.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

gboolean
mrt_ops_activation_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (enum_attr (node, "act_type", "", act_types, error) < 0)
    return FALSE;
  out[0] = in[0];
  return TRUE;
}

gboolean
mrt_ops_activation_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  int kind = enum_attr (node, "act_type", "", act_types, error);
  if (kind < 0)
    return FALSE;
  apply_act ((ActKind) kind, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), out[0]->n);
  return TRUE;
}

#define UNARY_ACT(fname, kind)                                                                        \
  gboolean fname (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **e)        \
  {                                                                                                   \
    apply_act (kind, mrt_tensor_f32 (in[0]), mrt_tensor_f32 (out[0]), out[0]->n);                     \
    return TRUE;                                                                                      \
  }
UNARY_ACT (mrt_ops_relu_forward, ACT_RELU)
UNARY_ACT (mrt_ops_sigmoid_forward, ACT_SIGMOID)
UNARY_ACT (mrt_ops_tanh_forward, ACT_TANH)
#undef UNARY_ACT

const MrtAttrSpec mrt_ops_activation_attrs[] = {
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

gboolean
mrt_ops_leaky_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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

gboolean
mrt_ops_leaky_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

const MrtAttrSpec mrt_ops_leaky_attrs[] = {
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

gboolean
mrt_ops_softmax_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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

gboolean
mrt_ops_softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, FALSE, FALSE, error);
}

gboolean
mrt_ops_log_softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, TRUE, FALSE, error);
}

gboolean
mrt_ops_softmin_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  return softmax_any_forward (node, in, out, FALSE, TRUE, error);
}

const MrtAttrSpec mrt_ops_softmax_attrs[] = {
  { "axis", MRT_ATTR_INT },
  { "temperature", MRT_ATTR_FLOAT_OR_NONE },
  { "dtype", MRT_ATTR_STRING },
  { "use_length", MRT_ATTR_ANY },
  { NULL },
};

static const char *const softmax_act_modes[] = { "instance", "channel", NULL };

gboolean
mrt_ops_softmax_act_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
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
gboolean
mrt_ops_softmax_act_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

const MrtAttrSpec mrt_ops_softmax_act_attrs[] = {
  { "mode", MRT_ATTR_STRING },
  { NULL },
};

/* ---- training heads (inference behaviour only; input 1 is the label) ---- */

gboolean
mrt_ops_head_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  if (in[0].ndim < 1)
    return fail (error, "data must have at least one axis");
  out[0] = in[0];
  return TRUE;
}

/* multi_output: softmax over axis 1 of (n, k, rest); preserve_shape: over
 * the last axis; otherwise over everything but the batch axis. */
gboolean
mrt_ops_softmax_output_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
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

const MrtAttrSpec mrt_ops_softmax_output_attrs[] = {
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

const MrtAttrSpec mrt_ops_regression_attrs[] = {
  { "grad_scale", MRT_ATTR_FLOAT },
  { NULL },
};

const MrtAttrSpec mrt_ops_make_loss_attrs[] = {
  { "grad_scale", MRT_ATTR_FLOAT },
  { "valid_thresh", MRT_ATTR_FLOAT },
  { "normalization", MRT_ATTR_STRING },
  { NULL },
};

const MrtAttrSpec mrt_ops_dropout_attrs[] = {
  { "p", MRT_ATTR_FLOAT },
  { "mode", MRT_ATTR_STRING },
  { "axes", MRT_ATTR_TUPLE },
  { "cudnn_off", MRT_ATTR_ANY },
  { NULL },
};
