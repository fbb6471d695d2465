/* mrt-metric.c: top-k accuracy. */
#include "mrt-metric.h"

#include "mrt-model.h"

gboolean
mrt_accuracy_update (MrtAccuracy *acc, const MrtTensor *scores, const MrtTensor *labels, GError **error)
{
  gint64 n, c;
  const float *s = mrt_tensor_f32 (scores), *l = mrt_tensor_f32 (labels);

  if (scores->dtype != MRT_DTYPE_F32 || labels->dtype != MRT_DTYPE_F32 || scores->shape.ndim < 1)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC, "accuracy needs float32 scores and labels");
      return FALSE;
    }
  n = scores->shape.dim[0];
  c = n ? (gint64) scores->n / n : 0;
  if ((gint64) labels->n != n)
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                   "the model gave %" G_GINT64_FORMAT " predictions for %" G_GSIZE_FORMAT " labels", n, labels->n);
      return FALSE;
    }
  for (gint64 i = 0; i < n; i++)
    {
      gint64 label = (gint64) l[i];
      const float *row = s + i * c;
      gint64 higher = 0;
      if (label < 0 || label >= c)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                       "label %" G_GINT64_FORMAT " is outside the model's %" G_GINT64_FORMAT " classes", label, c);
          return FALSE;
        }
      for (gint64 j = 0; j < c; j++)
        if (row[j] > row[label])
          higher++;
      acc->samples++;
      acc->top1 += higher < 1;
      acc->top5 += higher < 5;
    }
  return TRUE;
}

double
mrt_accuracy_top1 (const MrtAccuracy *acc)
{
  return acc->samples ? (double) acc->top1 / acc->samples : 0;
}

double
mrt_accuracy_top5 (const MrtAccuracy *acc)
{
  return acc->samples ? (double) acc->top5 / acc->samples : 0;
}
