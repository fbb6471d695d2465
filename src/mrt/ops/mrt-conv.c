/* mrt-conv.c: convolution (im2col + sgemm, direct depthwise) and pooling kernels. */
#include "mrt-conv.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "mrt-model.h"

/* Column-buffer budget in floats. Several images share one sgemm when their
 * columns fit, because a single small image (8x8 outputs) gives sgemm too
 * narrow a matrix to run at full speed; the budget keeps the buffer near the
 * cache so the copy in and sgemm's own packing both stay cheap. */
#define COL_BUDGET (G_GINT64_CONSTANT (1) << 19)
/* Below this many columns an image is too narrow for an efficient sgemm. */
#define MIN_GEMM_COLS 2048

/* Output positions [*lo, *hi) whose input index o*s + x0 lies in [0, size). */
static void
valid_range (gint64 size, gint64 out_size, gint64 s, gint64 x0, gint64 *lo, gint64 *hi)
{
  gint64 a = x0 >= 0 ? 0 : (-x0 + s - 1) / s;
  gint64 b = size - 1 - x0 < 0 ? 0 : (size - 1 - x0) / s + 1;
  a = MIN (a, out_size);
  b = CLAMP (b, a, out_size);
  *lo = a;
  *hi = b;
}

/* Unfolds cg channels of one image into rows (c, ky, kx) of col; row stride ldcol. */
static void
im2col (const MrtConvGeom *g, const float *in, gint64 cg, float *col, gint64 ldcol)
{
  gint64 hw = g->h * g->w;
  for (gint64 c = 0; c < cg; c++)
    for (gint64 ky = 0; ky < g->kh; ky++)
      for (gint64 kx = 0; kx < g->kw; kx++)
        {
          const float *plane = in + c * hw;
          float *row = col + ((c * g->kh + ky) * g->kw + kx) * ldcol;
          gint64 x0 = kx * g->dw - g->pw, lo, hi;
          valid_range (g->w, g->ow, g->sw, x0, &lo, &hi);
          for (gint64 oy = 0; oy < g->oh; oy++)
            {
              gint64 iy = oy * g->sh - g->ph + ky * g->dh;
              float *dst = row + oy * g->ow;
              if (iy < 0 || iy >= g->h)
                {
                  memset (dst, 0, sizeof (float) * g->ow);
                  continue;
                }
              const float *src = plane + iy * g->w;
              memset (dst, 0, sizeof (float) * lo);
              if (g->sw == 1)
                memcpy (dst + lo, src + lo + x0, sizeof (float) * (hi - lo));
              else
                for (gint64 ox = lo; ox < hi; ox++)
                  dst[ox] = src[ox * g->sw + x0];
              memset (dst + hi, 0, sizeof (float) * (g->ow - hi));
            }
        }
}

/* One filter per output channel reading input channel f / mult: loops beat
 * a GEMM whose inner dimension would be just kh*kw. */
static void
conv_depthwise (const MrtConvGeom *g, const float *in, const float *weight, const float *bias, float *out)
{
  gint64 mult = g->f / g->c, hw = g->h * g->w, p = g->oh * g->ow, kk = g->kh * g->kw;
  for (gint64 n = 0; n < g->n; n++)
    for (gint64 fo = 0; fo < g->f; fo++)
      {
        const float *plane = in + (n * g->c + fo / mult) * hw;
        const float *wk = weight + fo * kk;
        float *o = out + (n * g->f + fo) * p;
        float b = bias ? bias[fo] : 0.0f;
        for (gint64 oy = 0; oy < g->oh; oy++)
          {
            float *orow = o + oy * g->ow;
            for (gint64 ox = 0; ox < g->ow; ox++)
              orow[ox] = b;
            for (gint64 ky = 0; ky < g->kh; ky++)
              {
                gint64 iy = oy * g->sh - g->ph + ky * g->dh;
                if (iy < 0 || iy >= g->h)
                  continue;
                const float *irow = plane + iy * g->w;
                for (gint64 kx = 0; kx < g->kw; kx++)
                  {
                    float wv = wk[ky * g->kw + kx];
                    gint64 x0 = kx * g->dw - g->pw, lo, hi;
                    valid_range (g->w, g->ow, g->sw, x0, &lo, &hi);
                    if (g->sw == 1)
                      {
                        const float *src = irow + x0;
                        for (gint64 ox = lo; ox < hi; ox++)
                          orow[ox] += wv * src[ox];
                      }
                    else
                      for (gint64 ox = lo; ox < hi; ox++)
                        orow[ox] += wv * irow[ox * g->sw + x0];
                  }
              }
          }
      }
}

static void
add_bias (float *out, const float *bias, gint64 n, gint64 f, gint64 p)
{
  for (gint64 i = 0; i < n; i++)
    for (gint64 fo = 0; fo < f; fo++)
      {
        float b = bias[fo], *o = out + (i * f + fo) * p;
        for (gint64 j = 0; j < p; j++)
          o[j] += b;
      }
}

gboolean
mrt_conv2d (const MrtConvGeom *g, const float *in, const float *weight, const float *bias, float *out,
            GError **error)
{
  gint64 cg = g->c / g->groups, fg = g->f / g->groups;
  gint64 k = cg * g->kh * g->kw, p = g->oh * g->ow, hw = g->h * g->w;
  gint64 chunk;
  g_autofree float *col = NULL, *tmp = NULL;

  if (g->groups == g->c && g->f % g->c == 0)
    {
      conv_depthwise (g, in, weight, bias, out);
      return TRUE;
    }

  /* A 1x1, stride-1, unpadded convolution reads each image as a (C, H*W)
   * matrix already, so sgemm can take the input in place. */
  if (g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0 &&
      p >= MIN_GEMM_COLS)
    {
      for (gint64 n = 0; n < g->n; n++)
        for (gint64 grp = 0; grp < g->groups; grp++)
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, p, cg, 1.0f, weight + grp * fg * cg, cg,
                       in + (n * g->c + grp * cg) * hw, hw, 0.0f, out + (n * g->f + grp * fg) * p, p);
      if (bias)
        add_bias (out, bias, g->n, g->f, p);
      return TRUE;
    }

  chunk = CLAMP (COL_BUDGET / MAX (k * p, 1), 1, g->n);
  chunk = MIN (chunk, (MIN_GEMM_COLS + p - 1) / p * 4);
  col = g_try_malloc (sizeof (float) * k * p * chunk);
  if (chunk > 1)
    tmp = g_try_malloc (sizeof (float) * fg * p * chunk);
  if (col == NULL || (chunk > 1 && tmp == NULL))
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                   "out of memory for the convolution buffer (%" G_GINT64_FORMAT " bytes)",
                   (gint64) sizeof (float) * k * p * chunk);
      return FALSE;
    }
  for (gint64 n0 = 0; n0 < g->n; n0 += chunk)
    {
      gint64 nb = MIN (chunk, g->n - n0), ldcol = nb * p;
      for (gint64 grp = 0; grp < g->groups; grp++)
        {
          const float *w = weight + grp * fg * k;
          for (gint64 i = 0; i < nb; i++)
            im2col (g, in + ((n0 + i) * g->c + grp * cg) * hw, cg, col + i * p, ldcol);
          if (nb == 1)
            {
              cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, p, k, 1.0f, w, k, col, p, 0.0f,
                           out + (n0 * g->f + grp * fg) * p, p);
              continue;
            }
          cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, fg, ldcol, k, 1.0f, w, k, col, ldcol, 0.0f,
                       tmp, ldcol);
          /* tmp is (fg, image, p); the output wants (image, fg, p) */
          for (gint64 i = 0; i < nb; i++)
            for (gint64 fo = 0; fo < fg; fo++)
              memcpy (out + ((n0 + i) * g->f + grp * fg + fo) * p, tmp + fo * ldcol + i * p, sizeof (float) * p);
        }
    }
  if (bias)
    add_bias (out, bias, g->n, g->f, p);
  return TRUE;
}

void
mrt_deconv2d_depthwise (const MrtConvGeom *g, const float *in, const float *weight, float *out)
{
  gint64 hw = g->h * g->w, p = g->oh * g->ow;
  memset (out, 0, sizeof (float) * g->n * g->f * p);
  for (gint64 n = 0; n < g->n; n++)
    for (gint64 c = 0; c < g->c; c++)
      {
        const float *plane = in + (n * g->c + c) * hw;
        const float *wk = weight + c * g->kh * g->kw;
        float *o = out + (n * g->f + c) * p;
        for (gint64 iy = 0; iy < g->h; iy++)
          for (gint64 ky = 0; ky < g->kh; ky++)
            {
              gint64 oy = iy * g->sh - g->ph + ky * g->dh;
              if (oy < 0 || oy >= g->oh)
                continue;
              for (gint64 ix = 0; ix < g->w; ix++)
                {
                  float v = plane[iy * g->w + ix];
                  for (gint64 kx = 0; kx < g->kw; kx++)
                    {
                      gint64 ox = ix * g->sw - g->pw + kx * g->dw;
                      if (ox >= 0 && ox < g->ow)
                        o[oy * g->ow + ox] += v * wk[ky * g->kw + kx];
                    }
                }
            }
      }
}

/* Window bounds follow MXNet's pool.h exactly, including its quirks: the
 * average divides by the window clipped to the padded input (or to the real
 * input without count_include_pad) even when that size comes out negative
 * for windows past the end, a zero size gives NaN, and an empty max window
 * gives -FLT_MAX. */
void
mrt_pool2d (const MrtPoolGeom *g, const float *in, float *out)
{
  gint64 hw = g->h * g->w, p = g->oh * g->ow;
  for (gint64 nc = 0; nc < g->n * g->c; nc++)
    {
      const float *plane = in + nc * hw;
      float *o = out + nc * p;
      for (gint64 oy = 0; oy < g->oh; oy++)
        for (gint64 ox = 0; ox < g->ow; ox++)
          {
            gint64 y0 = oy * g->sh - g->ph, x0 = ox * g->sw - g->pw;
            if (g->type == MRT_POOL_MAX)
              {
                gint64 y1 = MIN (y0 + g->kh, g->h), x1 = MIN (x0 + g->kw, g->w);
                float m = -FLT_MAX;
                y0 = MAX (y0, 0);
                x0 = MAX (x0, 0);
                for (gint64 y = y0; y < y1; y++)
                  for (gint64 x = x0; x < x1; x++)
                    if (plane[y * g->w + x] > m)
                      m = plane[y * g->w + x];
                o[oy * g->ow + ox] = m;
              }
            else
              {
                gint64 y1 = MIN (y0 + g->kh, g->h + g->ph), x1 = MIN (x0 + g->kw, g->w + g->pw);
                gint64 size = (y1 - y0) * (x1 - x0);
                double sum = 0.0;
                y0 = MAX (y0, 0);
                x0 = MAX (x0, 0);
                y1 = MIN (y1, g->h);
                x1 = MIN (x1, g->w);
                if (!g->count_include_pad)
                  size = (y1 - y0) * (x1 - x0);
                for (gint64 y = y0; y < y1; y++)
                  for (gint64 x = x0; x < x1; x++)
                    sum += plane[y * g->w + x];
                if (g->type == MRT_POOL_SUM)
                  o[oy * g->ow + ox] = (float) sum;
                else
                  o[oy * g->ow + ox] = size != 0 ? (float) (sum / (double) size) : NAN;
              }
          }
    }
}
