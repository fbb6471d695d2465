/* mrt-conv.c: convolution (im2col + sgemm, in per-thread row bands or in
 * multi-image chunks; direct depthwise) and pooling kernels. */
#include "mrt-conv.h"

#include <cblas.h>
#include <float.h>
#include <math.h>
#include <string.h>

#include "mrt-model.h"
#include "mrt-parallel.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Images are unfolded a chunk at a time into a column buffer of at most
 * COL_BUDGET floats, small enough to stay in L2 while sgemm packs it. A
 * chunk holds several images when one alone would give sgemm a narrow
 * (8x8 outputs: 64 columns) or tiny product: per-call overhead, above all
 * waking OpenBLAS's threads, then dominates. The result of a multi-image
 * chunk needs one extra copy into NCHW order, cheap next to the unfolding. */
#define COL_BUDGET (G_GINT64_CONSTANT (1) << 18)
#define MIN_GEMM_COLS 1024
#define MIN_GEMM_MACS (G_GINT64_CONSTANT (1) << 22)

/* ---- vector helpers ----
 * The build uses -O2, where GCC only vectorises loops it needs no runtime
 * checks for, so the few hot loops spell out their SSE2 form. */

/* y[i] += a * x[i] */
static inline void
axpy (float *restrict y, float a, const float *restrict x, gint64 n)
{
  gint64 i = 0;
#ifdef __SSE2__
  __m128 va = _mm_set1_ps (a);
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps (y + i, _mm_add_ps (_mm_loadu_ps (y + i), _mm_mul_ps (va, _mm_loadu_ps (x + i))));
#endif
  for (; i < n; i++)
    y[i] += a * x[i];
}

/* y[i] = x[i] + b (x may equal y) */
static inline void
add_const (float *y, const float *x, float b, gint64 n)
{
  gint64 i = 0;
#ifdef __SSE2__
  __m128 vb = _mm_set1_ps (b);
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps (y + i, _mm_add_ps (_mm_loadu_ps (x + i), vb));
#endif
  for (; i < n; i++)
    y[i] = x[i] + b;
}

static inline void
fill (float *y, float v, gint64 n)
{
  gint64 i = 0;
#ifdef __SSE2__
  __m128 vv = _mm_set1_ps (v);
  for (; i + 4 <= n; i += 4)
    _mm_storeu_ps (y + i, vv);
#endif
  for (; i < n; i++)
    y[i] = v;
}

/* dst[i] = src[2 i] for i < n; src holds at least avail floats. */
static inline void
gather2 (float *restrict dst, const float *restrict src, gint64 n, gint64 avail)
{
  gint64 i = 0;
#ifdef __SSE2__
  for (; i + 4 <= n && 2 * i + 8 <= avail; i += 4)
    _mm_storeu_ps (dst + i, _mm_shuffle_ps (_mm_loadu_ps (src + 2 * i), _mm_loadu_ps (src + 2 * i + 4),
                                            _MM_SHUFFLE (2, 0, 2, 0)));
#endif
  for (; i < n; i++)
    dst[i] = src[2 * i];
}

/* ---- convolution ---- */

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

/* Output rows [*oy0, *oy1) whose kernel row ky lands inside the input. */
static void
valid_rows (const MrtConvGeom *g, gint64 ky, gint64 *oy0, gint64 *oy1)
{
  gint64 first = g->ph - ky * g->dh, end = g->h + g->ph - ky * g->dh;
  *oy0 = first <= 0 ? 0 : MIN ((first + g->sh - 1) / g->sh, g->oh);
  *oy1 = end <= 0 ? 0 : CLAMP ((end + g->sh - 1) / g->sh, *oy0, g->oh);
}

/* A col row for a stride-1 convolution whose output rows are as wide as its
 * input rows (the usual "same" padding): a run of output rows is then one
 * shifted copy of the input plane, and only the |x0| border columns of each
 * row, which pick up neighbouring-row values, need zeroing afterwards. */
static void
unfold_same_width (const MrtConvGeom *g, const float *plane, gint64 ky, gint64 x0, gint64 oy0, gint64 oy1,
                   gint64 ya, gint64 yb, float *row)
{
  gint64 w = g->w, hw = g->h * g->w;
  oy0 = CLAMP (oy0, ya, yb);
  oy1 = CLAMP (oy1, oy0, yb);
  if (oy0 > ya)
    memset (row, 0, sizeof (float) * (oy0 - ya) * w);
  if (oy1 < yb)
    memset (row + (oy1 - ya) * w, 0, sizeof (float) * (yb - oy1) * w);
  if (oy1 > oy0)
    {
      gint64 src0 = (oy0 - g->ph + ky * g->dh) * w + x0, n = (oy1 - oy0) * w;
      gint64 skip = MAX (-src0, 0), keep = MIN (n, hw - src0) - skip;
      float *dst = row + (oy0 - ya) * w;
      if (keep > 0)
        memcpy (dst + skip, plane + src0 + skip, sizeof (float) * keep);
      if (x0 != 0)
        {
          /* usually a single column: plain stores, not a memset call per row */
          gint64 nz = MIN (x0 < 0 ? -x0 : x0, w), first = x0 < 0 ? 0 : w - nz;
          for (gint64 oy = oy0; oy < oy1; oy++, dst += w)
            for (gint64 j = 0; j < nz; j++)
              dst[first + j] = 0.0f;
        }
    }
}

/* Any other geometry, one output row at a time. */
static void
unfold_rows (const MrtConvGeom *g, const float *plane, gint64 ky, gint64 x0, gint64 lo, gint64 hi, gint64 oy0,
             gint64 oy1, gint64 ya, gint64 yb, float *row)
{
  gint64 ow = g->ow;
  oy0 = CLAMP (oy0, ya, yb);
  oy1 = CLAMP (oy1, oy0, yb);
  if (oy0 > ya)
    memset (row, 0, sizeof (float) * (oy0 - ya) * ow);
  if (oy1 < yb)
    memset (row + (oy1 - ya) * ow, 0, sizeof (float) * (yb - oy1) * ow);
  for (gint64 oy = oy0; oy < oy1; oy++)
    {
      /* input row iy, starting at the first in-range tap (index lo*s + x0 >= 0) */
      const float *src = plane + (oy * g->sh - g->ph + ky * g->dh) * g->w + lo * g->sw + x0;
      float *dst = row + (oy - ya) * ow;
      for (gint64 ox = 0; ox < lo; ox++)
        dst[ox] = 0.0f;
      if (g->sw == 1)
        memcpy (dst + lo, src, sizeof (float) * (hi - lo));
      else if (g->sw == 2)
        gather2 (dst + lo, src, hi - lo, g->w - x0 - 2 * lo);
      else
        for (gint64 ox = lo; ox < hi; ox++)
          dst[ox] = src[(ox - lo) * g->sw];
      for (gint64 ox = hi; ox < ow; ox++)
        dst[ox] = 0.0f;
    }
}

typedef struct {
  const MrtConvGeom *g;
  const float *in; /* first image of the chunk, first channel of the group */
  gint64 nb;       /* images in the chunk */
  gint64 ya, yb;   /* output rows covered (all of them when nb > 1) */
  float *col;      /* K rows (c, ky, kx), each holding nb blocks of (yb-ya)*ow columns */
  gint64 ldcol;
} Im2col;

static void
im2col_rows (gpointer data, gint64 r0, gint64 r1)
{
  const Im2col *job = data;
  const MrtConvGeom *g = job->g;
  gint64 hw = g->h * g->w, block = (job->yb - job->ya) * g->ow;
  gboolean same_width = g->sh == 1 && g->sw == 1 && g->ow == g->w;
  for (gint64 r = r0; r < r1; r++)
    {
      gint64 c = r / (g->kh * g->kw), ky = r / g->kw % g->kh, kx = r % g->kw;
      gint64 x0 = kx * g->dw - g->pw, lo, hi, oy0, oy1;
      valid_range (g->w, g->ow, g->sw, x0, &lo, &hi);
      valid_rows (g, ky, &oy0, &oy1);
      for (gint64 i = 0; i < job->nb; i++)
        {
          const float *plane = job->in + (i * g->c + c) * hw;
          float *row = job->col + r * job->ldcol + i * block;
          if (same_width)
            unfold_same_width (g, plane, ky, x0, oy0, oy1, job->ya, job->yb, row);
          else
            unfold_rows (g, plane, ky, x0, lo, hi, oy0, oy1, job->ya, job->yb, row);
        }
    }
}

typedef struct {
  const MrtConvGeom *g;
  const float *in, *weight, *bias;
  float *out;
} Direct;

/* One filter per output channel reading input channel f / mult: loops beat
 * a GEMM whose inner dimension would be just kh*kw. Ranges are (n, f) planes. */
static void
depthwise_planes (gpointer data, gint64 q0, gint64 q1)
{
  const Direct *job = data;
  const MrtConvGeom *g = job->g;
  gint64 mult = g->f / g->c, hw = g->h * g->w, p = g->oh * g->ow, kk = g->kh * g->kw;
  for (gint64 q = q0; q < q1; q++)
    {
      gint64 n = q / g->f, fo = q % g->f;
      const float *plane = job->in + (n * g->c + fo / mult) * hw;
      const float *wk = job->weight + fo * kk;
      float *o = job->out + q * p;
      float b = job->bias ? job->bias[fo] : 0.0f;
      for (gint64 oy = 0; oy < g->oh; oy++)
        {
          float *orow = o + oy * g->ow;
          fill (orow, b, g->ow);
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
                    axpy (orow + lo, wv, irow + x0 + lo, hi - lo);
                  else
                    for (gint64 ox = lo; ox < hi; ox++)
                      orow[ox] += wv * irow[ox * g->sw + x0];
                }
            }
        }
    }
}

typedef struct {
  const float *tmp, *bias;
  float *out;
  gint64 nb, fg, p, ldtmp, out_stride; /* out_stride: floats per image in out */
} Scatter;

/* tmp holds (fg, image, p); the output wants (image, fg, p), plus bias.
 * Ranges are (image, channel) planes. */
static void
scatter_planes (gpointer data, gint64 q0, gint64 q1)
{
  const Scatter *job = data;
  for (gint64 q = q0; q < q1; q++)
    {
      gint64 i = q / job->fg, fo = q % job->fg;
      const float *src = job->tmp + fo * job->ldtmp + i * job->p;
      float *dst = job->out + i * job->out_stride + fo * job->p;
      add_const (dst, src, job->bias ? job->bias[fo] : 0.0f, job->p);
    }
}

/* One pool job per multi-image chunk: unfolding chunk i+1 shares it with
 * reordering chunk i's product, halving the thread hand-offs, which cost
 * the most when the machine is busy. Range [0, k) unfolds, the rest
 * reorders. */
typedef struct {
  const Im2col *unfold;
  const Scatter *reorder; /* NULL for the first chunk */
  gint64 k;
} Step;

static void
step_parts (gpointer data, gint64 b, gint64 e)
{
  const Step *st = data;
  gint64 k = st->unfold ? st->k : 0;
  if (b < k)
    im2col_rows ((gpointer) st->unfold, b, MIN (e, k));
  if (e > k)
    scatter_planes ((gpointer) st->reorder, MAX (b, k) - k, e - k);
}

static void
add_bias (float *out, const float *bias, gint64 f, gint64 p)
{
  for (gint64 fo = 0; fo < f; fo++)
    add_const (out + fo * p, out + fo * p, bias[fo], p);
}

static void
sgemm (gint64 m, gint64 n, gint64 k, const float *a, gint64 lda, const float *b, gint64 ldb, float *c, gint64 ldc)
{
  cblas_sgemm (CblasRowMajor, CblasNoTrans, CblasNoTrans, (int) m, (int) n, (int) k, 1.0f, a, (int) lda, b,
               (int) ldb, 0.0f, c, (int) ldc);
}

/* OpenBLAS runs a GEMM of at most this many multiply-adds on the calling
 * thread (interface/gemm.c: SMP_THRESHOLD_MIN x GEMM_MULTITHREAD_THRESHOLD,
 * 65536 x 4 in Debian's build), so such calls can run side by side on our
 * own threads without competing for OpenBLAS's. */
#define BLAS_SINGLE_THREAD_MACS (G_GINT64_CONSTANT (1) << 18)
#define BANDED_MIN_COLS 32

typedef struct {
  const MrtConvGeom *g;
  const float *in, *weight, *bias;
  float *out;
  gint64 band;     /* output rows per task */
  gint64 n_bands;  /* tasks per image */
  gint failed;     /* set when a task could not allocate its buffer */
} Banded;

/* Tasks of (image, band of output rows), each on one thread: unfold into a
 * private buffer that stays in cache, one single-threaded sgemm straight
 * into the NCHW output (no reorder copy), bias. Both cores then compute
 * all the time, with none of the phases of the chunked path (unfold on our
 * threads, sgemm on OpenBLAS's, reorder) and their thread hand-offs. */
static void
banded_tasks (gpointer data, gint64 t0, gint64 t1)
{
  Banded *job = data;
  const MrtConvGeom *g = job->g;
  gint64 cg = g->c / g->groups, fg = g->f / g->groups;
  gint64 k = cg * g->kh * g->kw, p = g->oh * g->ow, hw = g->h * g->w;
  float *col = g_try_malloc (sizeof (float) * k * job->band * g->ow);

  if (col == NULL)
    {
      g_atomic_int_set (&job->failed, TRUE);
      return;
    }
  for (gint64 t = t0; t < t1; t++)
    {
      gint64 n = t / job->n_bands, ya = t % job->n_bands * job->band, yb = MIN (ya + job->band, g->oh);
      gint64 nc = (yb - ya) * g->ow;
      for (gint64 grp = 0; grp < g->groups; grp++)
        {
          Im2col unfold = { g, job->in + (n * g->c + grp * cg) * hw, 1, ya, yb, col, nc };
          float *o = job->out + (n * g->f + grp * fg) * p;
          im2col_rows (&unfold, 0, k);
          sgemm (fg, nc, k, job->weight + grp * fg * k, k, col, nc, o + ya * g->ow, p);
          if (job->bias)
            for (gint64 fo = 0; fo < fg; fo++)
              add_const (o + fo * p + ya * g->ow, o + fo * p + ya * g->ow, job->bias[grp * fg + fo], nc);
        }
    }
  g_free (col);
}

gboolean
mrt_conv2d (const MrtConvGeom *g, const float *in, const float *weight, const float *bias, float *out,
            GError **error)
{
  gint64 cg = g->c / g->groups, fg = g->f / g->groups;
  gint64 k = cg * g->kh * g->kw, p = g->oh * g->ow, hw = g->h * g->w;
  gint64 chunk, band, cols, rows;
  g_autofree float *col = NULL, *tmp = NULL;

  if (g->groups == g->c && g->f % g->c == 0)
    {
      Direct job = { g, in, weight, bias, out };
      mrt_parallel_for (g->n * g->f, g->n * g->f * p * g->kh * g->kw, depthwise_planes, &job);
      return TRUE;
    }

  /* A 1x1, stride-1, unpadded convolution reads each image as a (C, H*W)
   * matrix already, so sgemm can take the input in place. */
  if (g->kh == 1 && g->kw == 1 && g->sh == 1 && g->sw == 1 && g->ph == 0 && g->pw == 0 &&
      p >= MIN_GEMM_COLS)
    {
      for (gint64 n = 0; n < g->n; n++)
        for (gint64 grp = 0; grp < g->groups; grp++)
          {
            float *o = out + (n * g->f + grp * fg) * p;
            sgemm (fg, p, cg, weight + grp * fg * cg, cg, in + (n * g->c + grp * cg) * hw, hw, o, p);
            if (bias)
              add_bias (o, bias + grp * fg, fg, p);
          }
      return TRUE;
    }

  /* Banded when a band of at least BANDED_MIN_COLS output pixels fits one
   * single-threaded OpenBLAS call; narrower products lose more to sgemm's
   * per-call cost than they gain, and wider ones need OpenBLAS's threads. */
  rows = MIN (BLAS_SINGLE_THREAD_MACS / MAX (fg * k * g->ow, 1), g->oh);
  if (rows >= 1 && rows * g->ow >= MIN (BANDED_MIN_COLS, p) && g->n * ((g->oh + rows - 1) / rows) > 1)
    {
      Banded job = { g, in, weight, bias, out, rows, (g->oh + rows - 1) / rows, FALSE };
      mrt_parallel_for (g->n * job.n_bands, g->n * (k + g->f) * p, banded_tasks, &job);
      if (job.failed)
        {
          g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                       "out of memory for the convolution buffer (%" G_GINT64_FORMAT " bytes)",
                       (gint64) sizeof (float) * k * rows * g->ow);
          return FALSE;
        }
      return TRUE;
    }

  chunk = MAX ((MIN_GEMM_COLS + p - 1) / p, (MIN_GEMM_MACS + fg * k * p - 1) / (fg * k * p));
  chunk = CLAMP (chunk, 1, MAX (COL_BUDGET / MAX (k * p, 1), 1));
  chunk = MIN (chunk, g->n);
  /* an image too big for the budget (VGG at 224x224: 115 MB of columns)
   * is unfolded a band of output rows at a time */
  band = g->oh;
  if (chunk == 1 && k * p > COL_BUDGET)
    band = CLAMP (MAX ((MIN_GEMM_COLS + g->ow - 1) / g->ow, COL_BUDGET / (k * g->ow)), 1, g->oh);
  cols = chunk > 1 ? chunk * p : band * g->ow;
  col = g_try_malloc (sizeof (float) * k * cols);
  if (chunk > 1)
    tmp = g_try_malloc (sizeof (float) * fg * cols);
  if (col == NULL || (chunk > 1 && tmp == NULL))
    {
      g_set_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_EXEC,
                   "out of memory for the convolution buffer (%" G_GINT64_FORMAT " bytes)",
                   (gint64) sizeof (float) * k * cols);
      return FALSE;
    }
  if (chunk == 1)
    for (gint64 n = 0; n < g->n; n++)
      for (gint64 grp = 0; grp < g->groups; grp++)
        {
          const float *x = in + (n * g->c + grp * cg) * hw, *w = weight + grp * fg * k;
          float *o = out + (n * g->f + grp * fg) * p;
          for (gint64 ya = 0; ya < g->oh; ya += band)
            {
              gint64 yb = MIN (ya + band, g->oh), nc = (yb - ya) * g->ow;
              Im2col job = { g, x, 1, ya, yb, col, nc };
              mrt_parallel_for (k, k * nc, im2col_rows, &job);
              sgemm (fg, nc, k, w, k, col, nc, o + ya * g->ow, p);
            }
          if (bias)
            add_bias (o, bias + grp * fg, fg, p);
        }
  else
    {
      Scatter prev = { 0 };
      gboolean has_prev = FALSE;
      for (gint64 n0 = 0; n0 < g->n; n0 += chunk)
        for (gint64 grp = 0; grp < g->groups; grp++)
          {
            gint64 nb = MIN (chunk, g->n - n0), reorder = has_prev ? prev.nb * fg : 0;
            Im2col job = { g, in + (n0 * g->c + grp * cg) * hw, nb, 0, g->oh, col, nb * p };
            Step st = { &job, has_prev ? &prev : NULL, k };
            mrt_parallel_for (k + reorder, (k * nb + reorder) * p, step_parts, &st);
            sgemm (fg, nb * p, k, weight + grp * fg * k, k, col, nb * p, tmp, nb * p);
            prev = (Scatter){ tmp, bias ? bias + grp * fg : NULL, out + (n0 * g->f + grp * fg) * p, nb, fg, p,
                              nb * p, g->f * p };
            has_prev = TRUE;
          }
      mrt_parallel_for (prev.nb * fg, prev.nb * fg * p, scatter_planes, &prev);
    }
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
typedef struct {
  const MrtPoolGeom *g;
  const float *in;
  float *out;
} PoolJob;

static void
pool_planes (gpointer data, gint64 q0, gint64 q1)
{
  const PoolJob *job = data;
  const MrtPoolGeom *g = job->g;
  gint64 hw = g->h * g->w, p = g->oh * g->ow;
  for (gint64 nc = q0; nc < q1; nc++)
    {
      const float *plane = job->in + nc * hw;
      float *o = job->out + nc * p;
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

void
mrt_pool2d (const MrtPoolGeom *g, const float *in, float *out)
{
  PoolJob job = { g, in, out };
  mrt_parallel_for (g->n * g->c, g->n * g->c * g->oh * g->ow * g->kh * g->kw, pool_planes, &job);
}
