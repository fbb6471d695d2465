/* mrt-bias-correct.c: empirical bias correction (see mrt-bias-correct.h). */
#include "mrt-bias-correct.h"

#include <math.h>
#include <string.h>

#include "mrt-evaluate.h"
#include "mrt-executor.h"

typedef struct {
  guint node;        /* in the float model */
  const char *name;  /* the node's name (owned by the model) */
  const char *bias;  /* the bias parameter's name */
  int axis;          /* channel axis of the output (-1: last) */
  gint64 channels;
  double *sum;       /* per channel: sum of the outputs (dequantized) */
  guint64 count;     /* elements seen per channel */
  double *fmean;     /* per channel: mean float output */
} Target;

/* Stops a quantized run once the layer being measured has been seen. */
#define STOP_QUARK (g_quark_from_static_string ("mrt-bias-correct-stop"))

typedef struct {
  GHashTable *wanted;  /* name -> Target* */
  GHashTable *scales;  /* name -> double*: divide by it (NULL: float model) */
  gboolean stop;       /* stop after the first wanted node */
} Capture;

static void accumulate (Target *t, const MrtTensor *y, double sc);

static gboolean
capture (const MrtModel *model, guint node, MrtTensor *const *outputs, gpointer user_data, GError **error)
{
  Capture *c = user_data;
  const MrtNode *n = mrt_model_node (model, node);
  Target *t;
  if (mrt_node_is_variable (n) || !(t = g_hash_table_lookup (c->wanted, n->name)))
    return TRUE;
  accumulate (t, outputs[0], c->scales ? mrt_quantized_get (c->scales, n->name) : 1);
  if (c->stop)
    {
      g_set_error_literal (error, STOP_QUARK, 0, "measured");
      return FALSE;
    }
  return TRUE;
}

/* Convolution / FullyConnected nodes whose bias is a parameter used by no other node. */
static GPtrArray *
find_targets (MrtModel *m)
{
  GPtrArray *targets = g_ptr_array_new_with_free_func (g_free);
  g_autofree guint *uses = g_new0 (guint, mrt_model_n_nodes (m));
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      const MrtNode *n = mrt_model_node (m, i);
      for (guint j = 0; j < n->n_inputs; j++)
        uses[n->inputs[j].node]++;
    }
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      const MrtNode *n = mrt_model_node (m, i);
      gboolean conv = g_str_equal (n->op, "Convolution"), fc = g_str_equal (n->op, "FullyConnected");
      const MrtNode *b;
      MrtTensor *bias;
      Target *t;
      if ((!conv && !fc) || mrt_node_get_bool (n, "no_bias", FALSE) || n->n_inputs < 3)
        continue;
      b = mrt_model_node (m, n->inputs[2].node);
      if (!mrt_model_is_param (m, n->inputs[2].node) || uses[n->inputs[2].node] != 1 ||
          !(bias = mrt_model_get_param (m, b->name)))
        continue;
      t = g_new0 (Target, 1);
      t->node = i;
      t->name = n->name;
      t->bias = b->name;
      /* a FullyConnected with flatten=False keeps the leading axes: units are last */
      t->axis = conv ? 1 : -1;
      t->channels = (gint64) bias->n;
      g_ptr_array_add (targets, t);
    }
  return targets;
}

/* Adds y / sc of one node, per channel, to t (shapes it does not expect are skipped). */
static void
accumulate (Target *t, const MrtTensor *y, double sc)
{
  int nd = y->shape.ndim, axis = t->axis < 0 ? nd - 1 : t->axis;
  gint64 outer = 1, inner = 1, ch;
  if (nd <= axis || sc <= 0 || y->dtype != MRT_DTYPE_F32)
    return;
  ch = y->shape.dim[axis];
  if (ch != t->channels)
    return;
  for (int i = 0; i < axis; i++)
    outer *= y->shape.dim[i];
  for (int i = axis + 1; i < nd; i++)
    inner *= y->shape.dim[i];
  for (gint64 o = 0; o < outer; o++)
    for (gint64 c = 0; c < ch; c++)
      {
        const float *a = mrt_tensor_f32 (y) + (o * ch + c) * inner;
        double s = 0;
        for (gint64 k = 0; k < inner; k++)
          s += a[k];
        t->sum[c] += s / sc;
      }
  t->count += (guint64) (outer * inner);
}

static void
reset (Target *t)
{
  memset (t->sum, 0, sizeof (double) * (gsize) t->channels);
  t->count = 0;
}

/* Runs every batch through `model` with the capture; a stop is not an error. */
static gboolean
run_batches (const MrtModel *model, GPtrArray *batches, const MrtQuantized *q, Capture *cap, GError **error)
{
  MrtRunOptions ro = { capture, cap, NULL };
  for (guint bi = 0; bi < batches->len; bi++)
    {
      MrtTensor *x = g_ptr_array_index (batches, bi);
      g_autoptr (MrtTensor) xq = NULL;
      g_autoptr (MrtTensor) xqf = NULL;
      g_autoptr (GPtrArray) out = NULL;
      GError *local = NULL;
      if (q != NULL)
        {
          /* the quantized graph in float holds exactly the integers while they stay below 2^24 */
          xq = mrt_quantize_input (x, q->input_scale, q->input_precision);
          xqf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
          x = xqf;
        }
      out = mrt_model_forward (model, &x, 1, &ro, &local);
      if (out == NULL)
        {
          if (!g_error_matches (local, STOP_QUARK, 0))
            {
              g_propagate_error (error, local);
              return FALSE;
            }
          g_error_free (local);
        }
    }
  return TRUE;
}

MrtModel *
mrt_bias_correct (MrtModel *model, const MrtShape *input_shape, GHashTable *thresholds,
                  const MrtQuantizeOptions *opts, GPtrArray *batches, guint *n_corrected, GError **error)
{
  g_autoptr (GPtrArray) targets = find_targets (model);
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (MrtModel) out = NULL;
  g_autofree double *store = NULL;
  gint64 total = 0;
  guint corrected = 0;

  if (n_corrected)
    *n_corrected = 0;
  if (targets->len == 0 || batches == NULL || batches->len == 0)
    return mrt_model_ref (model);
  for (guint i = 0; i < targets->len; i++)
    total += ((Target *) g_ptr_array_index (targets, i))->channels;
  store = g_new0 (double, 2 * total);
  total = 0;
  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = g_ptr_array_index (targets, i);
      t->sum = store + total;
      t->fmean = store + total + t->channels;
      total += 2 * t->channels;
      g_hash_table_insert (wanted, (gpointer) t->name, t);
    }

  /* the float model's per-channel means, once: mean(f − q/sc) = mean(f) − mean(q/sc) */
  {
    Capture fc = { wanted, NULL, FALSE };
    if (!run_batches (model, batches, NULL, &fc, error))
      return NULL;
    for (guint i = 0; i < targets->len; i++)
      {
        Target *t = g_ptr_array_index (targets, i);
        for (gint64 c = 0; c < t->channels; c++)
          t->fmean[c] = t->count ? t->sum[c] / (double) t->count : 0;
      }
  }

  /* layer by layer in graph order: each layer is measured after the layers
   * before it have been corrected (one quantization per layer; the quantized
   * run stops at the layer measured) */
  out = mrt_model_copy (model);
  for (guint i = 0; i < targets->len; i++)
    {
      Target *t = g_ptr_array_index (targets, i);
      g_autoptr (GHashTable) one = g_hash_table_new (g_str_hash, g_str_equal);
      g_autoptr (MrtQuantized) q = NULL;
      g_autoptr (MrtTensor) nb = NULL;
      MrtTensor *bias = mrt_model_get_param (out, t->bias);
      guint64 fcount = t->count;
      Capture qc = { one, NULL, TRUE };
      if (fcount == 0)
        continue;
      if (!(q = mrt_quantize (out, input_shape, thresholds, opts, NULL, error)))
        return NULL;
      qc.scales = q->sc;
      g_hash_table_insert (one, (gpointer) t->name, t);
      reset (t);
      if (!run_batches (q->model, batches, q, &qc, error))
        return NULL;
      if (t->count == 0)
        continue;
      nb = mrt_tensor_new (MRT_DTYPE_F32, &bias->shape);
      for (gint64 c = 0; c < t->channels; c++)
        mrt_tensor_f32 (nb)[c] = (float) (mrt_tensor_f32 (bias)[c] + t->fmean[c] - t->sum[c] / (double) t->count);
      mrt_model_set_param (out, t->bias, nb);
      /* the bias is quantized at its own threshold: let it cover the new values */
      {
        double *th = g_hash_table_lookup (thresholds, t->bias);
        if (th != NULL)
          for (gint64 c = 0; c < t->channels; c++)
            *th = MAX (*th, fabs (mrt_tensor_f32 (nb)[c]));
      }
      corrected++;
    }
  if (n_corrected)
    *n_corrected = corrected;
  return g_steal_pointer (&out);
}
