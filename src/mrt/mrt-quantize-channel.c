/* mrt-quantize-channel.c: per-channel weight scales inside CVM semantics.
 *
 * MRT quantizes a weight tensor with one scale, which wastes most of the
 * int8 range of channels whose weights are small — fatal for depthwise
 * convolutions, whose channels are independent filters. Here each output
 * channel c gets its own weight scale s_c, so the convolution's integer
 * output has per-channel scales S_c = s_x·s_c. Before anything consumes it,
 * a per-channel integer multiplier m_c ≈ 2^k · S_min / S_c (a broadcast_mul
 * with a (1, C, 1, 1) constant) and a rounding right shift by k bring every
 * channel to the common scale S_min. Only CVM ops are used, and precision
 * inference still proves the 32-bit bound:
 *   conv (≤ p bits) → [cvm_right_shift to ≤ 16 bits] → broadcast_mul (≤ 16 + k + 2 ≤ 31 bits)
 *   → cvm_right_shift by k (≤ p bits again, since m_c ≤ 2^k). */
#include "mrt-quantize-private.h"

#include <math.h>
#include <string.h>

/* Largest |w| per output channel (axis 0). */
static double *
channel_absmax (const MrtTensor *w)
{
  gint64 oc = w->shape.dim[0], per = oc ? (gint64) w->n / oc : 0;
  double *m = g_new0 (double, MAX (oc, 1));
  for (gint64 c = 0; c < oc; c++)
    for (gint64 i = 0; i < per; i++)
      m[c] = MAX (m[c], fabs (mrt_tensor_f32 (w)[c * per + i]));
  return m;
}

static guint
channel_param (Q *q, const char *base, const MrtShape *shape, const double *values, int precision)
{
  g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  g_autofree char *name = q_gen_name (q, base);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) values[i];
  q_set_state (q, name, 0, 1, precision);
  return q_add_param (q, name, t, precision);
}

gboolean
q_rule_xwb_channel (Q *q, const MrtNode *n, guint idx, GError **error)
{
  const char *wname = mrt_model_node (q->src, n->inputs[1].node)->name;
  MrtTensor *w = mrt_model_get_param (q->src, wname);
  gint64 oc = w->shape.dim[0], per = oc ? (gint64) w->n / oc : 0, k = per;
  gboolean bias = n->n_inputs > 2 && !mrt_node_get_bool (n, "no_bias", FALSE);
  const MrtShape *out_shape = &q->shapes[mrt_model_entry_id (q->src, (MrtEntry){ idx, 0 })];
  g_autofree double *th_c = channel_absmax (w);
  g_autofree double *s_c = g_new0 (double, oc);
  g_autofree double *wq = g_new0 (double, w->n);
  g_autofree double *mul = g_new0 (double, oc);
  g_autofree char *raw_name = q_gen_name (q, n->name);
  double th_out = q_src_th (q, n->name), s_min = INFINITY, s_max = 0, s_out;
  int prec, kbits, pb = 1;
  guint ins[3], y;
  QOut x;
  MrtShape ms = { .ndim = out_shape->ndim };

  if (!q_requant (q, n, 0, 8, NULL, &x, error))
    return FALSE;
  for (gint64 c = 0; c < oc; c++)
    {
      s_c[c] = x.sc * mrt_scale (th_c[c], 8);
      for (gint64 i = 0; i < per; i++)
        wq[c * per + i] = mrt_round_clip (mrt_tensor_f32 (w)[c * per + i] * mrt_scale (th_c[c], 8), 8, NULL);
      if (th_c[c] > 0)
        s_min = MIN (s_min, s_c[c]);
      s_max = MAX (s_max, s_c[c]);
    }
  if (!isfinite (s_min))
    s_min = s_max = x.sc;
  ins[0] = x.node;
  ins[1] = channel_param (q, wname, &w->shape, wq, 8);
  prec = mrt_get_bit_cnt ((guint64) k) + x.prec + 8;
  if (bias)
    {
      MrtTensor *b = mrt_model_get_param (q->src, mrt_model_node (q->src, n->inputs[2].node)->name);
      g_autofree double *bq = g_new0 (double, b->n);
      double bmax = 0;
      for (gsize c = 0; c < b->n && (gint64) c < oc; c++)
        {
          bq[c] = round (mrt_tensor_f32 (b)[c] * s_c[c]);
          bmax = MAX (bmax, fabs (bq[c]));
        }
      pb = mrt_get_bit (bmax);
      if (pb > MRT_MAX_BIT)
        {
          g_set_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW,
                       "node “%s”: the bias needs %d bits at per-channel scales", n->name, pb);
          return FALSE;
        }
      ins[2] = channel_param (q, mrt_model_node (q->src, n->inputs[2].node)->name, &b->shape, bq, pb);
      prec = MAX (prec, pb) + 1;
    }
  y = q_add_op (q, raw_name, n->op, q_copy_attrs (n), ins, bias ? 3 : 2);
  /* the largest integer any channel can hold, from the output threshold */
  {
    int tight = MIN (prec, mrt_get_bit (th_out * s_max));
    double shift_scale = 1;
    q_set_state (q, raw_name, th_out, s_max, prec);
    if (tight < prec)
      {
        y = q_add_custom (q, "clip", "cvm_clip", tight, 0, y);
        prec = tight;
      }
    if (prec > 16)
      {
        y = q_add_custom (q, "realize", "cvm_right_shift", 16, prec - 16, y);
        shift_scale = ldexp (1, -(prec - 16));
        prec = 16;
      }
    kbits = 29 - prec;
    for (gint64 c = 0; c < oc; c++)
      mul[c] = th_c[c] > 0 ? round (ldexp (s_min / s_c[c], kbits)) : 0;
    /* multipliers broadcast over the channel axis (1) */
    for (int d = 0; d < ms.ndim; d++)
      ms.dim[d] = d == 1 ? oc : 1;
    {
      g_autofree char *mname = q_gen_name (q, "mul");
      guint mins[2] = { y, channel_param (q, "channel_scale", &ms, mul, mrt_get_bit (ldexp (1, kbits))) };
      y = q_add_op (q, mname, "broadcast_mul", NULL, mins, 2);
      q_set_state (q, mname, th_out, 0, prec + mrt_get_bit (ldexp (1, kbits)));
    }
    s_out = s_min * shift_scale;
  }
  /* the node that carries the float node's name has one scale again */
  {
    GHashTable *a = q_attrs_new ();
    g_hash_table_insert (a, g_strdup ("op_type"), g_strdup ("cvm_right_shift"));
    q_attr_int (a, "precision", prec);
    q_attr_int (a, "shift_bit", kbits);
    q_add_op (q, n->name, "Custom", a, &y, 1);
  }
  q_set_state (q, n->name, th_out, s_out, prec);
  return TRUE;
}
