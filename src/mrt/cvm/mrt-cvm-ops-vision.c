/* mrt-cvm-ops-vision.c: get_valid_counts and non_max_suppression, following
 * the FORMAL reference backend (rows are [id, score, x1, y1, x2, y2]). */
#include "mrt-cvm-ops-private.h"

#include <string.h>

/* ---- get_valid_counts ------------------------------------------------- */

enum { GV_THRESHOLD };

static const MrtCvmAttrSpec get_valid_counts_attrs[] = {
  SPEC_INT ("score_threshold", "0", I32_MIN, I32_MAX),
  SPEC_END,
};

static gboolean
get_valid_counts_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  if (in[0].ndim != 3)
    return cvm_fail (error, "data must be 3-D (batch, boxes, values), got %d-D", in[0].ndim);
  if (in[0].dim[2] < 2 || in[0].dim[2] >= 32)
    return cvm_fail (error, "rows must have 2 to 31 values, got %" G_GINT64_FORMAT, in[0].dim[2]);
  out[0] = mrt_shape_make (1, in[0].dim[0]);
  out[1] = in[0];
  return TRUE;
}

static gboolean
get_valid_counts_prec (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                       GError **error)
{
  out[0] = mrt_cvm_numprec ((guint64) (in[0].dim[1] * in[0].dim[2]));
  out[1] = prec[0];
  return TRUE;
}

static void
get_valid_counts_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out,
                          guint n_threads)
{
  gint64 B = in[0].shape.dim[0], N = in[0].shape.dim[1], K = in[0].shape.dim[2];
  gint64 thr = A_INT (a, GV_THRESHOLD);
  for (gint64 b = 0; b < B; b++)
    {
      const gint32 *x = in[0].data + b * N * K;
      gint32 *y = out[1].data + b * N * K;
      gint64 n = 0;
      for (gint64 j = 0; j < N; j++)
        if (x[j * K + 1] > thr)
          memcpy (y + n++ * K, x + j * K, (gsize) K * sizeof (gint32));
      out[0].data[b] = (gint32) n;
      for (gint64 i = n * K; i < N * K; i++)
        y[i] = -1;
    }
}

/* ---- non_max_suppression ---------------------------------------------- */

enum { NM_MAX_OUT, NM_IOU, NM_FORCE, NM_TOP_K, NM_COORD, NM_SCORE, NM_ID, NM_RET_IDX, NM_INVALID_BOTTOM };

static const MrtCvmAttrSpec nms_attrs[] = {
  SPEC_INT ("max_output_size", "-1", I32_MIN, I32_MAX),
  SPEC_INT ("iou_threshold", "50", 1, I32_MAX),
  SPEC_BOOL ("force_suppress", "False"),
  SPEC_INT ("top_k", "-1", I32_MIN, I32_MAX),
  SPEC_INT ("coord_start", "2", 2, 2),
  SPEC_INT ("score_index", "1", 1, 1),
  SPEC_INT ("id_index", "0", 0, 0),
  SPEC_BOOL ("return_indices", "False"),
  SPEC_BOOL ("invalid_to_bottom", "True"),
  SPEC_END,
};

static gboolean
nms_shape (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  if (A_INT (a, NM_RET_IDX) || !A_INT (a, NM_INVALID_BOTTOM))
    return cvm_fail (error, "only return_indices=False and invalid_to_bottom=True are supported");
  if (in[0].ndim != 3 || in[0].dim[2] != 6)
    {
      g_autofree char *s = cvm_shape_str (&in[0]);
      return cvm_fail (error, "data shape %s must be (batch, boxes, 6)", s);
    }
  if (in[1].ndim != 1 || in[1].dim[0] != in[0].dim[0])
    return cvm_fail (error, "valid_count must have shape (%" G_GINT64_FORMAT ",)", in[0].dim[0]);
  out[0] = in[0];
  return TRUE;
}

/* FORMAL iou on corner boxes, in percent, floor; 0 for degenerate boxes. */
static gint64
iou_percent (const gint32 *r1, const gint32 *r2)
{
  __int128 a1 = (__int128) ((gint64) r1[2] - r1[0]) * ((gint64) r1[3] - r1[1]);
  __int128 a2 = (__int128) ((gint64) r2[2] - r2[0]) * ((gint64) r2[3] - r2[1]);
  __int128 sum = a1 + a2, overlap, rest;
  gint64 w, h;

  if (sum <= 0)
    return 0;
  w = MAX (0, (gint64) MIN (r1[2], r2[2]) - MAX (r1[0], r2[0]));
  h = MAX (0, (gint64) MIN (r1[3], r2[3]) - MAX (r1[1], r2[1]));
  overlap = (__int128) h * w;
  rest = sum - overlap;
  if (rest <= 0)
    return 0;
  if (G_MAXINT64 / 100 < overlap)
    rest /= 100;
  else
    overlap *= 100;
  overlap /= rest;
  return overlap > G_MAXINT64 ? G_MAXINT64 : (gint64) overlap;
}

/* Stable merge sort of row indices by score (row[1]) descending. */
static void
sort_by_score (gint64 *idx, gint64 *tmp, gint64 n, const gint32 *x)
{
  gint64 mid, i, j, k;
  if (n < 2)
    return;
  mid = n / 2;
  sort_by_score (idx, tmp, mid, x);
  sort_by_score (idx + mid, tmp, n - mid, x);
  for (i = 0, j = mid, k = 0; i < mid || j < n;)
    if (j >= n || (i < mid && x[idx[i] * 6 + 1] >= x[idx[j] * 6 + 1]))
      tmp[k++] = idx[i++];
    else
      tmp[k++] = idx[j++];
  memcpy (idx, tmp, (gsize) n * sizeof (gint64));
}

static void
nms_forward (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  const gint64 K = 6;
  gint64 B = in[0].shape.dim[0], N = in[0].shape.dim[1];
  gint64 mos = A_INT (a, NM_MAX_OUT), top_k = A_INT (a, NM_TOP_K), thr = A_INT (a, NM_IOU);
  gboolean force = A_INT (a, NM_FORCE);
  g_autofree gint64 *idx = g_new (gint64, N);
  g_autofree gint64 *tmp = g_new (gint64, N);

  for (gint64 b = 0; b < B; b++)
    {
      const gint32 *x = in[0].data + b * N * K;
      gint32 *y = out[0].data + b * N * K;
      gint64 T = CLAMP ((gint64) in[1].data[b], 0, N);
      gint64 n_max = mos >= 0 ? MIN (T, mos) : T, p_max = top_k >= 0 ? MIN (T, top_k) : T, n = 0;

      for (gint64 i = 0; i < T; i++)
        idx[i] = i;
      sort_by_score (idx, tmp, T, x);
      for (gint64 p = 0; n < n_max && p < p_max; p++)
        {
          const gint32 *r = x + idx[p] * K;
          gboolean ignored = FALSE;
          if (r[0] < 0)
            continue;
          for (gint64 i = 0; i < n && !ignored; i++)
            if (force || y[i * K] == r[0])
              ignored = iou_percent (y + i * K + 2, r + 2) >= thr;
          if (!ignored)
            memcpy (y + n++ * K, r, K * sizeof (gint32));
        }
      for (gint64 i = n * K; i < N * K; i++)
        y[i] = -1;
    }
}

static guint64
nms_gas (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, const MrtShape *out)
{
  return 20 * (guint64) in[0].dim[0]; /* batch dim, as upstream codes it */
}

const MrtCvmOpDef mrt_cvm_ops_vision[] = {
  { "get_valid_counts", get_valid_counts_attrs, 1, 1, 2, FALSE, NULL, get_valid_counts_shape,
    get_valid_counts_prec, get_valid_counts_forward, NULL },
  { "non_max_suppression", nms_attrs, 2, 2, 1, FALSE, NULL, nms_shape, cvm_prec_same, nms_forward, nms_gas },
};
const guint mrt_cvm_ops_vision_count = G_N_ELEMENTS (mrt_cvm_ops_vision);
