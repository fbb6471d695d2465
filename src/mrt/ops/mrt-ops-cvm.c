/* mrt-ops-cvm.c: MRT's simulated integer ops (MXNet "Custom" with op_type
 * cvm_clip, cvm_right_shift, cvm_left_shift, cvm_lut), as they appear in
 * quantized checkpoints. The float kernels compute the same integers as the
 * CVM (exactly, while values stay below 2^24). */
#include <math.h>

#include "mrt-op.h"
#include "mrt-qmath.h"

static const MrtAttrSpec custom_attrs[] = {
  { "op_type", MRT_ATTR_STRING, TRUE },
  { "precision", MRT_ATTR_INT, FALSE },
  { "shift_bit", MRT_ATTR_INT, FALSE },
  { "in_dim", MRT_ATTR_INT, FALSE },
  { NULL },
};

typedef enum { CUSTOM_CLIP, CUSTOM_RSHIFT, CUSTOM_LSHIFT, CUSTOM_LUT, CUSTOM_UNKNOWN } CustomKind;

static CustomKind
custom_kind (const MrtNode *node)
{
  const char *t = mrt_node_get_string (node, "op_type", "");
  if (g_str_equal (t, "cvm_clip"))
    return CUSTOM_CLIP;
  if (g_str_equal (t, "cvm_right_shift"))
    return CUSTOM_RSHIFT;
  if (g_str_equal (t, "cvm_left_shift"))
    return CUSTOM_LSHIFT;
  if (g_str_equal (t, "cvm_lut"))
    return CUSTOM_LUT;
  return CUSTOM_UNKNOWN;
}

static gboolean
custom_shape (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  CustomKind k = custom_kind (node);
  gint64 p = mrt_node_get_int (node, "precision", 0), sb = mrt_node_get_int (node, "shift_bit", 0);
  if (k == CUSTOM_UNKNOWN)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE, "Custom op_type “%s” is not a CVM op",
                   mrt_node_get_string (node, "op_type", ""));
      return FALSE;
    }
  if ((k == CUSTOM_LUT) != (node->n_inputs == 2))
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE, "cvm_lut takes 2 inputs, the others 1");
      return FALSE;
    }
  if (k != CUSTOM_LUT && (p < 1 || p > 32))
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE, "precision %" G_GINT64_FORMAT " is not in 1..32", p);
      return FALSE;
    }
  if ((k == CUSTOM_RSHIFT || k == CUSTOM_LSHIFT) && (sb < 1 || sb > 32))
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE, "shift_bit %" G_GINT64_FORMAT " is not in 1..32", sb);
      return FALSE;
    }
  out[0] = in[0];
  return TRUE;
}

static gboolean
custom_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  CustomKind k = custom_kind (node);
  const float *x = mrt_tensor_f32 (in[0]);
  float *y = mrt_tensor_f32 (out[0]);
  int p = (int) mrt_node_get_int (node, "precision", 32), sb = (int) mrt_node_get_int (node, "shift_bit", 1);
  double lim = k == CUSTOM_LUT ? 0 : (double) mrt_get_range (p);

  for (gsize i = 0; i < in[0]->n; i++)
    {
      double v = x[i];
      switch (k)
        {
        case CUSTOM_CLIP:
          v = round (v);
          break;
        case CUSTOM_RSHIFT:
          v = (double) mrt_cvm_right_shift ((gint64) floor (v), sb);
          break;
        case CUSTOM_LSHIFT:
          v = ldexp (floor (v), sb);
          break;
        case CUSTOM_LUT:
          {
            gint64 idx = CLAMP ((gint64) v, 0, (gint64) in[1]->n - 1);
            v = mrt_tensor_f32 (in[1])[idx];
          }
          break;
        case CUSTOM_UNKNOWN:
        default:
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC, "unknown Custom op");
          return FALSE;
        }
      if (k != CUSTOM_LUT)
        v = CLAMP (v, -lim, lim);
      y[i] = (float) v;
    }
  return TRUE;
}

const MrtOpDef mrt_ops_cvm[] = {
  { .name = "Custom", .min_inputs = 1, .max_inputs = 2, .attrs = custom_attrs,
    .infer_shape = custom_shape, .forward = custom_forward },
  { NULL },
};
