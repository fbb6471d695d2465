/* mrt-ops-vision.c: the vision operator family: box non-maximum suppression
 * with MXNet 1.x _contrib_box_nms semantics (CPU path), quirks included. */
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "mrt-op.h"
#include "mrt-ops-common.h"

typedef struct {
  float overlap_thresh, valid_thresh;
  gint64 topk, coord_start, score_index, id_index;
  float background_id;
  gboolean force_suppress, in_center, out_center;
} NmsParams;

static gboolean
box_format (const MrtNode *node, const char *key, gboolean *center, GError **error)
{
  const char *v = mrt_node_get_string (node, key, "corner");
  if (strcmp (v, "corner") != 0 && strcmp (v, "center") != 0)
    return mrt_ops_fail (error, "%s=“%s” is not corner or center", key, v);
  *center = v[1] == 'e';
  return TRUE;
}

/* The index checks are those of MXNet's BoxNMSShape. */
static gboolean
nms_params (const MrtNode *node, const MrtShape *data, NmsParams *p, GError **error)
{
  gint64 width, expected;
  p->overlap_thresh = (float) mrt_node_get_float (node, "overlap_thresh", 0.5);
  p->valid_thresh = (float) mrt_node_get_float (node, "valid_thresh", 0.0);
  p->topk = mrt_node_get_int (node, "topk", -1);
  p->coord_start = mrt_node_get_int (node, "coord_start", 2);
  p->score_index = mrt_node_get_int (node, "score_index", 1);
  p->id_index = mrt_node_get_int (node, "id_index", -1);
  p->background_id = (float) mrt_node_get_int (node, "background_id", -1);
  p->force_suppress = mrt_node_get_bool (node, "force_suppress", FALSE);
  if (!box_format (node, "in_format", &p->in_center, error) || !box_format (node, "out_format", &p->out_center, error))
    return FALSE;
  if (data->ndim < 2)
    return mrt_ops_fail (error, "data must have at least 2 axes (…, num_boxes, box_width)");
  width = data->dim[data->ndim - 1];
  expected = p->id_index >= 0 ? 6 : 5;
  if (width < expected)
    return mrt_ops_fail (error, "each box has %" G_GINT64_FORMAT " values; at least %" G_GINT64_FORMAT " are needed "
                 "(score and 4 coordinates%s)", width, expected, p->id_index >= 0 ? " and a class id" : "");
  if (p->score_index < 0 || p->score_index >= width)
    return mrt_ops_fail (error, "score_index=%" G_GINT64_FORMAT " is out of range [0, %" G_GINT64_FORMAT ")", p->score_index, width);
  if (p->coord_start < 0 || p->coord_start + 3 >= width)
    return mrt_ops_fail (error, "coordinates [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "] are out of range [0, %" G_GINT64_FORMAT ")",
                 p->coord_start, p->coord_start + 3, width);
  if (p->score_index >= p->coord_start && p->score_index <= p->coord_start + 3)
    return mrt_ops_fail (error, "score_index=%" G_GINT64_FORMAT " overlaps the coordinates", p->score_index);
  if (p->id_index >= 0)
    {
      if (p->id_index >= width)
        return mrt_ops_fail (error, "id_index=%" G_GINT64_FORMAT " is out of range [0, %" G_GINT64_FORMAT ")", p->id_index, width);
      if (p->id_index >= p->coord_start && p->id_index <= p->coord_start + 3)
        return mrt_ops_fail (error, "id_index=%" G_GINT64_FORMAT " overlaps the coordinates", p->id_index);
      if (p->id_index == p->score_index)
        return mrt_ops_fail (error, "id_index and score_index are both %" G_GINT64_FORMAT, p->id_index);
    }
  return TRUE;
}

static gboolean
box_nms_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error)
{
  NmsParams p;
  if (!nms_params (node, &in[0], &p, error))
    return FALSE;
  out[0] = in[0];
  return TRUE;
}

/* The class ids are compared after a C++ static_cast<int>; on x86 every
 * NaN or out-of-range value converts to INT_MIN. */
static int
x86_float_to_int (float v)
{
  if (isnan (v) || v >= 2147483648.0f || v < -2147483648.0f)
    return INT_MIN;
  return (int) v;
}

static float
overlap_1d (const float *a, const float *b, gboolean center)
{
  float left, right, w;
  if (!center)
    {
      left = a[0] > b[0] ? a[0] : b[0];
      right = a[2] < b[2] ? a[2] : b[2];
    }
  else
    {
      float aw = a[2] / 2, bw = b[2] / 2;
      float al = a[0] - aw, ar = a[0] + aw, bl = b[0] - bw, br = b[0] + bw;
      left = bl > al ? bl : al;
      right = br < ar ? br : ar;
    }
  w = right - left;
  return w > 0 ? w : 0.0f;
}

static float
box_area (const float *box, gboolean center)
{
  float w = center ? box[2] : box[2] - box[0];
  float h = center ? box[3] : box[3] - box[1];
  return w < 0 || h < 0 ? 0.0f : w * h;
}

typedef struct {
  const float *rows;
  gint64 width, score_index;
} SortContext;

/* Descending score, ties in input order: what MXNet's stable sort gives. */
static gint
compare_scores (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const SortContext *ctx = user_data;
  gint64 i = *(const gint64 *) a, j = *(const gint64 *) b;
  float si = ctx->rows[i * ctx->width + ctx->score_index], sj = ctx->rows[j * ctx->width + ctx->score_index];
  if (si != sj)
    return si > sj ? -1 : 1;
  return i < j ? -1 : i > j;
}

static gboolean
box_nms_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error)
{
  const MrtShape *d = &in[0]->shape;
  const float *x = mrt_tensor_f32 (in[0]);
  float *y = mrt_tensor_f32 (out[0]);
  NmsParams p;
  gint64 num, width, batches, topk;
  g_autofree gint64 *order = NULL;
  g_autofree float *areas = NULL;

  if (!nms_params (node, d, &p, error))
    return FALSE;
  num = d->dim[d->ndim - 2];
  width = d->dim[d->ndim - 1];
  batches = num * width > 0 ? (gint64) in[0]->n / (num * width) : 0;
  topk = p.topk < 0 ? num : MIN (num, p.topk);
  if (topk < 1) /* MXNet returns the input untouched here */
    {
      memcpy (y, x, sizeof (float) * in[0]->n);
      return TRUE;
    }
  order = g_new (gint64, num);
  areas = g_new (float, num);
  for (gsize i = 0; i < out[0]->n; i++)
    y[i] = -1.0f;

  for (gint64 b = 0; b < batches; b++)
    {
      const float *rows = x + b * num * width;
      float *dst = y + b * num * width;
      SortContext ctx = { rows, width, p.score_index };
      gint64 count = 0, kept = 0;

      for (gint64 i = 0; i < num; i++)
        {
          const float *r = rows + i * width;
          if (r[p.score_index] > p.valid_thresh && (p.id_index < 0 || r[p.id_index] != p.background_id))
            order[count++] = i;
        }
      g_qsort_with_data (order, (gint) count, sizeof (gint64), compare_scores, &ctx);
      count = MIN (count, topk);
      for (gint64 i = 0; i < count; i++)
        areas[i] = box_area (rows + order[i] * width + p.coord_start, p.in_center);

      /* greedy: each surviving box suppresses the lower-scored ones it overlaps */
      for (gint64 ref = 0; ref < count; ref++)
        {
          const float *rb;
          if (order[ref] < 0)
            continue;
          rb = rows + order[ref] * width;
          for (gint64 pos = ref + 1; pos < count; pos++)
            {
              const float *pb;
              float inter, iou;
              if (order[pos] < 0)
                continue;
              pb = rows + order[pos] * width;
              if (!p.force_suppress && p.id_index >= 0 &&
                  x86_float_to_int (rb[p.id_index]) != x86_float_to_int (pb[p.id_index]))
                continue;
              inter = overlap_1d (rb + p.coord_start, pb + p.coord_start, p.in_center) *
                      overlap_1d (rb + p.coord_start + 1, pb + p.coord_start + 1, p.in_center);
              iou = inter / (areas[ref] + areas[pos] - inter);
              if (iou > p.overlap_thresh)
                order[pos] = -1;
            }
        }
      for (gint64 i = 0; i < count; i++)
        if (order[i] >= 0)
          memcpy (dst + kept++ * width, rows + order[i] * width, sizeof (float) * width);

      /* MXNet converts every output row but skips those whose first
       * coordinate is negative, which covers the -1 filler and, as a
       * quirk, real boxes left of the origin too. */
      if (p.in_center != p.out_center)
        for (gint64 i = 0; i < num; i++)
          {
            float *c = dst + i * width + p.coord_start;
            if (c[0] < 0)
              continue;
            if (p.out_center)
              {
                float l = c[0], t = c[1], r = c[2], bt = c[3];
                c[0] = (l + r) / 2, c[1] = (t + bt) / 2, c[2] = r - l, c[3] = bt - t;
              }
            else
              {
                float cx = c[0], cy = c[1], hw = c[2] / 2, hh = c[3] / 2;
                c[0] = cx - hw, c[1] = cy - hh, c[2] = cx + hw, c[3] = cy + hh;
              }
          }
    }
  return TRUE;
}

static const MrtAttrSpec box_nms_attrs[] = {
  { "overlap_thresh", MRT_ATTR_FLOAT },
  { "valid_thresh", MRT_ATTR_FLOAT },
  { "topk", MRT_ATTR_INT },
  { "coord_start", MRT_ATTR_INT },
  { "score_index", MRT_ATTR_INT },
  { "id_index", MRT_ATTR_INT },
  { "background_id", MRT_ATTR_INT },
  { "force_suppress", MRT_ATTR_BOOL },
  { "in_format", MRT_ATTR_STRING },
  { "out_format", MRT_ATTR_STRING },
  { NULL },
};

/* MXNet registers one alias, _contrib_box_non_maximum_suppression; the
 * Python name mx.nd.contrib.box_nms is a front-end spelling, not an op. */
const MrtOpDef mrt_ops_vision[] = {
  { .name = "_contrib_box_nms", .min_inputs = 1, .max_inputs = 1, .attrs = box_nms_attrs,
    .infer_shape = box_nms_infer, .forward = box_nms_forward },
  { .name = "_contrib_box_non_maximum_suppression", .min_inputs = 1, .max_inputs = 1, .attrs = box_nms_attrs,
    .infer_shape = box_nms_infer, .forward = box_nms_forward },
  { NULL },
};
