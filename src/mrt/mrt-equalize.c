/* mrt-equalize.c: cross-layer equalization (Nagel et al. 2019, "Data-free
 * quantization"), restricted to pairs where it is exactly equivalent. */
#include "mrt-equalize.h"

#include <math.h>
#include <string.h>

/* The single consumer of node i, or -1. */
static gint
only_consumer (const MrtModel *m, guint i)
{
  gint found = -1;
  for (guint j = i + 1; j < mrt_model_n_nodes (m); j++)
    {
      MrtNode *n = mrt_model_node (m, j);
      for (guint k = 0; k < n->n_inputs; k++)
        if (n->inputs[k].node == i)
          {
            if (found >= 0 && found != (gint) j)
              return -1;
            found = (gint) j;
          }
    }
  for (guint h = 0; h < mrt_model_n_heads (m); h++)
    if (mrt_model_head (m, h).node == i)
      return -1; /* an output must keep its values */
  return found;
}

static gboolean
is_relu (const MrtNode *n)
{
  return g_str_equal (n->op, "relu") ||
         (g_str_equal (n->op, "Activation") && g_str_equal (mrt_node_get_string (n, "act_type", ""), "relu"));
}

/* A conv/dense with parameter weights (and bias, if any). */
static gboolean
is_xwb (const MrtModel *m, const MrtNode *n)
{
  if (!g_str_equal (n->op, "Convolution") && !g_str_equal (n->op, "FullyConnected"))
    return FALSE;
  for (guint k = 1; k < n->n_inputs; k++)
    if (!mrt_model_is_param (m, n->inputs[k].node))
      return FALSE;
  return n->n_inputs >= 2;
}

static MrtTensor *
param_copy (MrtModel *m, const MrtNode *n, guint input)
{
  return mrt_tensor_copy (mrt_model_get_param (m, mrt_model_node (m, n->inputs[input].node)->name));
}

/* Scales channel c of A's output and B's input; FALSE when the shapes do not line up. */
static gboolean
equalize_pair (MrtModel *m, const MrtNode *a, const MrtNode *b)
{
  g_autoptr (MrtTensor) wa = param_copy (m, a, 1);
  g_autoptr (MrtTensor) wb = param_copy (m, b, 1);
  g_autoptr (MrtTensor) ba = a->n_inputs > 2 ? param_copy (m, a, 2) : NULL;
  gint64 oc = wa->shape.dim[0], per_a = oc ? (gint64) wa->n / oc : 0;
  gint64 groups_b = mrt_node_get_int (b, "num_group", 1);
  gint64 ob = wb->shape.dim[0], cin_b = wb->shape.ndim > 1 ? wb->shape.dim[1] : 0;
  gint64 spatial = cin_b ? (gint64) wb->n / (ob * cin_b) : 0;
  gboolean depthwise_b = groups_b > 1;

  if (g_str_equal (a->op, "Convolution") && mrt_node_get_int (a, "num_group", 1) != 1)
    return FALSE; /* A's output channels must be independent rows of W */
  if (depthwise_b ? (groups_b != oc || ob != oc || cin_b != 1) : (groups_b != 1 || cin_b != oc))
    return FALSE;
  for (gint64 c = 0; c < oc; c++)
    {
      double ra = 0, rb = 0, s;
      for (gint64 i = 0; i < per_a; i++)
        ra = MAX (ra, fabs (mrt_tensor_f32 (wa)[c * per_a + i]));
      if (depthwise_b)
        for (gint64 i = 0; i < spatial; i++)
          rb = MAX (rb, fabs (mrt_tensor_f32 (wb)[c * spatial + i]));
      else
        for (gint64 o = 0; o < ob; o++)
          for (gint64 i = 0; i < spatial; i++)
            rb = MAX (rb, fabs (mrt_tensor_f32 (wb)[(o * cin_b + c) * spatial + i]));
      if (ra <= 0 || rb <= 0)
        continue;
      s = CLAMP (sqrt (ra / rb), 1e-3, 1e3);
      for (gint64 i = 0; i < per_a; i++)
        mrt_tensor_f32 (wa)[c * per_a + i] /= (float) s;
      if (ba)
        mrt_tensor_f32 (ba)[c] /= (float) s;
      if (depthwise_b)
        for (gint64 i = 0; i < spatial; i++)
          mrt_tensor_f32 (wb)[c * spatial + i] *= (float) s;
      else
        for (gint64 o = 0; o < ob; o++)
          for (gint64 i = 0; i < spatial; i++)
            mrt_tensor_f32 (wb)[(o * cin_b + c) * spatial + i] *= (float) s;
    }
  mrt_model_set_param (m, mrt_model_node (m, a->inputs[1].node)->name, wa);
  if (ba)
    mrt_model_set_param (m, mrt_model_node (m, a->inputs[2].node)->name, ba);
  mrt_model_set_param (m, mrt_model_node (m, b->inputs[1].node)->name, wb);
  return TRUE;
}

/* Parameters used by more than one node cannot be rescaled for one pair. */
static gboolean
params_private (const MrtModel *m, const MrtNode *n)
{
  for (guint k = 1; k < n->n_inputs; k++)
    if (only_consumer (m, n->inputs[k].node) < 0)
      return FALSE;
  return TRUE;
}

MrtModel *
mrt_equalize (MrtModel *prepared, guint *n_pairs, GError **error)
{
  MrtModel *m = mrt_model_copy (prepared);
  guint pairs = 0;

  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      const MrtNode *a = mrt_model_node (m, i), *r, *b;
      gint ri, bi;
      if (!is_xwb (m, a) || !g_str_equal (a->op, "Convolution") || !params_private (m, a))
        continue;
      if ((ri = only_consumer (m, i)) < 0 || !is_relu (r = mrt_model_node (m, (guint) ri)))
        continue;
      if ((bi = only_consumer (m, (guint) ri)) < 0 || !is_xwb (m, b = mrt_model_node (m, (guint) bi)) ||
          b->inputs[0].node != (guint) ri || !params_private (m, b))
        continue;
      if (g_str_equal (b->op, "FullyConnected"))
        continue; /* a flattening FC mixes channels with positions */
      if (equalize_pair (m, a, b))
        pairs++;
    }
  if (n_pairs)
    *n_pairs = pairs;
  return m;
}
