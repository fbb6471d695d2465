/* mrt-cvm-gemm.c: int8 convolution and dense for the CVM executor.
 *
 * Layout. The activations of one image are copied once into "lane groups":
 * 32-bit words holding EPL consecutive input channels of one pixel (EPL = 4
 * bytes u8, or 2 int16), channel-blocked and zero-padded:
 *   act[n][g][cq][H + 2 ph][W + 2 pw]   (cq: channel block of the group)
 * so every tap (cq, ki, kj) of an output pixel is one aligned 32-bit load
 * at  pixel base + koff[q]  with the same offset koff[q] for every pixel.
 * No im2col matrix is built. The weights of each group are packed per call
 * into [oc block][q][NR lanes] lane groups (oc block = NR output channels).
 *
 * Micro-kernel. A tile is MR output pixels x NR output channels of int32
 * accumulators kept in registers; per tap it loads one vector of NR weight
 * lane groups and, for each pixel, broadcasts its activation lane group and
 * accumulates a 4-byte dot product per lane. The tile is transposed in
 * registers on the way out, so that the output stays NCHW (for dense, rows
 * are stored as they are).
 *
 * Why the results are exact (equal to the FORMAL int32 kernel, which
 * computes modulo 2^32):
 *  - inputs and weights are checked to lie in [-128, 127] while they are
 *    converted (the graph check guarantees |v| <= 127 already; should a
 *    value fall outside anyway, the call falls back to the int32 loops);
 *  - u8 x s8 paths (vpdpbusd, scalar): the activation byte is a = x + 128 in
 *    [0, 255], the weight w in [-128, 127]. VPDPBUSD forms the four products
 *    a_i w_i (each in [-32640, 32385]) and their sum (in [-130560, 129540])
 *    exactly in 32 bits, then adds it to the accumulator modulo 2^32 (the
 *    non-saturating form; VPDPBUSDS and VPMADDUBSW, which saturate, are never
 *    used). The accumulator starts at  bias - 128 * sum_k w_k  (mod 2^32),
 *    so it ends at  bias + sum_k x_k w_k  (mod 2^32), whatever wraps in
 *    between. (With the graph check's precision rule 8 + 8 + bits(K) <= 32
 *    the true sum even fits in int32, but exactness does not rely on it.)
 *  - AVX2 path: VPMADDWD on sign-extended int16 x and w: each lane forms
 *    x0 w0 + x1 w1 with |x|, |w| <= 128, so |sum| <= 32768: exact, far from
 *    the instruction's only overflow (-32768 * -32768 twice). Sums are
 *    VPADDD, modulo 2^32.
 *  - padding pixels and padding channels hold x = 0 (a = 128) and padding
 *    weights are 0: they add nothing.
 * The order of the additions differs from the reference, which does not
 * matter modulo 2^32 (a commutative ring). Every output element is computed
 * by one thread from the same data, so results do not depend on the thread
 * count either. */
#include "mrt-cvm-gemm-private.h"

#include <string.h>

#include "mrt-cvm-ops.h"
#include "mrt-cvm-simd.h"

/* ---- paths ------------------------------------------------------------- */

/* the epilogue on one value (the scalar path and the fallback) */
static inline gint32
epi_apply1 (const MrtCvmEpilogue *epi, guint n_epi, gint32 v)
{
  for (guint e = 0; e < n_epi; e++)
    switch (epi[e].op)
      {
      case MRT_CVM_EPI_CLAMP:
        v = CLAMP (v, epi[e].lo, epi[e].hi);
        break;
      case MRT_CVM_EPI_RSHIFT:
        {
          gint32 y = v >> (epi[e].shift - 1);
          v = CLAMP ((y >> 1) + (y & 1), epi[e].lo, epi[e].hi);
        }
        break;
      case MRT_CVM_EPI_MUL:
      default:
        v = (gint32) ((guint32) v * (guint32) epi[e].mul);
        break;
      }
  return v;
}

/* the epilogue over a whole array, with the standalone kernels */
static void
epi_apply_array (const MrtCvmEpilogue *epi, guint n_epi, gint32 *y, gsize n)
{
  for (guint e = 0; e < n_epi; e++)
    switch (epi[e].op)
      {
      case MRT_CVM_EPI_CLAMP:
        cvm_simd_clamp (y, y, n, epi[e].lo, epi[e].hi);
        break;
      case MRT_CVM_EPI_RSHIFT:
        cvm_simd_rshift_clamp (y, y, n, epi[e].shift, epi[e].lo, epi[e].hi);
        break;
      case MRT_CVM_EPI_MUL:
      default:
        cvm_simd_binary (CVM_SIMD_MUL, y, 1, &epi[e].mul, 0, y, n);
        break;
      }
}

typedef void (*TileFunc) (const Tile *t);
/* Converts len values of epl channel rows (src[e] NULL: a padding channel)
 * into lane groups; returns the OR of (x + 128) (out of range: bits above 0xff). */
typedef guint32 (*PlaneRowFunc) (const gint32 *const *src, gsize len, guint32 *dst);
/* Converts a row of k values (k contiguous channels) into ceil(k / epl) lane groups. */
typedef guint32 (*DenseRowFunc) (const gint32 *x, gsize k, guint32 *dst);

typedef struct {
  MrtCvmKernelPath path;
  const char *name;
  int epl;           /* 4: u8 activations x s8 weights; 2: int16 x int16 */
  int mr, nr;
  TileFunc tile;
  PlaneRowFunc plane_row;
  DenseRowFunc dense_row;
} Path;

#define U8_ZERO 0x80808080u /* four activations equal to 0 */

static inline guint32
lane_zero (int epl)
{
  return epl == 4 ? U8_ZERO : 0;
}

/* ---- portable C --------------------------------------------------------- */

static guint32
plane_row_u8_c (const gint32 *const *src, gsize len, guint32 *dst)
{
  guint32 bad = 0;
  for (gsize i = 0; i < len; i++)
    {
      guint32 v = 0;
      for (int e = 0; e < 4; e++)
        {
          guint32 a = src[e] ? (guint32) src[e][i] + 128u : 128u;
          bad |= a;
          v |= (a & 0xffu) << (8 * e);
        }
      dst[i] = v;
    }
  return bad;
}

guint32
cvm_gemm_dense_row_u8_c (const gint32 *x, gsize k, guint32 *dst)
{
  guint32 bad = 0;
  for (gsize q = 0; q * 4 < k; q++)
    {
      guint32 v = 0;
      for (gsize e = 0; e < 4; e++)
        {
          guint32 a = q * 4 + e < k ? (guint32) x[q * 4 + e] + 128u : 128u;
          bad |= a;
          v |= (a & 0xffu) << (8 * e);
        }
      dst[q] = v;
    }
  return bad;
}

static guint32
dense_row_s16_c (const gint32 *x, gsize k, guint32 *dst)
{
  guint32 bad = 0;
  for (gsize q = 0; q * 2 < k; q++)
    {
      guint32 v = 0;
      for (gsize e = 0; e < 2; e++)
        {
          guint32 xv = q * 2 + e < k ? (guint32) x[q * 2 + e] : 0;
          bad |= xv + 128u;
          v |= (xv & 0xffffu) << (16 * e);
        }
      dst[q] = v;
    }
  return bad;
}

#define SCALAR_MR 4
#define SCALAR_NR 8

static void
tile_scalar (const Tile *t)
{
  for (int r = 0; r < t->mr; r++)
    {
      guint32 acc[SCALAR_NR];
      const guint32 *row = t->rows[r];
      for (int j = 0; j < SCALAR_NR; j++)
        acc[j] = (guint32) t->cb[j];
      for (gsize q = 0; q < t->kq; q++)
        {
          guint32 a = row[t->koff[q]];
          const guint32 *wq = t->w + q * SCALAR_NR;
          for (int j = 0; j < SCALAR_NR; j++)
            {
              gint32 dot = 0; /* |dot| <= 4 * 255 * 128 */
              for (int e = 0; e < 4; e++)
                dot += (gint32) ((a >> (8 * e)) & 0xffu) * (gint32) (gint8) (guint8) (wq[j] >> (8 * e));
              acc[j] += (guint32) dot;
            }
        }
      for (int j = 0; j < t->nr; j++)
        t->out[r * t->rs + j * t->cs] = epi_apply1 (t->epi, t->n_epi, (gint32) acc[j]);
    }
}

/* the x86 kernels are in mrt-cvm-gemm-x86.c */

static const Path paths[MRT_CVM_KERNEL_N_PATHS] = {
  [MRT_CVM_KERNEL_SCALAR] = { MRT_CVM_KERNEL_SCALAR, "scalar", 4, SCALAR_MR, SCALAR_NR, tile_scalar, plane_row_u8_c,
                              cvm_gemm_dense_row_u8_c },
#ifdef MRT_X86
  [MRT_CVM_KERNEL_AVX2] = { MRT_CVM_KERNEL_AVX2, "avx2", 2, 8, 8, cvm_gemm_tile_avx2, cvm_gemm_plane_row_s16_avx2,
                            dense_row_s16_c },
  [MRT_CVM_KERNEL_AVX_VNNI] = { MRT_CVM_KERNEL_AVX_VNNI, "avx-vnni", 4, 8, 8, cvm_gemm_tile_avxvnni,
                                cvm_gemm_plane_row_u8_avx2, cvm_gemm_dense_row_u8_c },
  [MRT_CVM_KERNEL_AVX512_VNNI] = { MRT_CVM_KERNEL_AVX512_VNNI, "avx512-vnni", 4, 16, 16, cvm_gemm_tile_avx512,
                                   cvm_gemm_plane_row_u8_avx512, cvm_gemm_dense_row_u8_avx512 },
#endif
};

#define MAX_MR 16

static gint forced_path; /* atomic; 0: auto */

const char *
mrt_cvm_kernel_path_name (MrtCvmKernelPath path)
{
  static const char *const names[] = { "auto", "scalar", "avx2", "avx-vnni", "avx512-vnni" };
  return path < MRT_CVM_KERNEL_N_PATHS ? names[path] : "?";
}

gboolean
mrt_cvm_kernel_path_supported (MrtCvmKernelPath path)
{
  switch (path)
    {
    case MRT_CVM_KERNEL_AUTO:
    case MRT_CVM_KERNEL_SCALAR:
      return TRUE;
#ifdef MRT_X86
    case MRT_CVM_KERNEL_AVX2:
      return __builtin_cpu_supports ("avx2");
    case MRT_CVM_KERNEL_AVX_VNNI:
      return cvm_gemm_avxvnni_cpu ();
    case MRT_CVM_KERNEL_AVX512_VNNI:
      return __builtin_cpu_supports ("avx512f") && __builtin_cpu_supports ("avx512bw") &&
             __builtin_cpu_supports ("avx512vl") && __builtin_cpu_supports ("avx512vnni");
#endif
    default:
      return FALSE;
    }
}

static MrtCvmKernelPath
best_path (void)
{
  static gsize done;
  static MrtCvmKernelPath best;
  if (g_once_init_enter (&done))
    {
      const char *env = g_getenv ("MRT_CVM_KERNEL"); /* for measurements: scalar, avx2, avx-vnni */
      best = MRT_CVM_KERNEL_SCALAR;
      for (int p = MRT_CVM_KERNEL_N_PATHS - 1; p > MRT_CVM_KERNEL_SCALAR; p--)
        if (mrt_cvm_kernel_path_supported (p))
          {
            best = p;
            break;
          }
      for (int p = MRT_CVM_KERNEL_SCALAR; env && p < MRT_CVM_KERNEL_N_PATHS; p++)
        if (g_strcmp0 (env, mrt_cvm_kernel_path_name (p)) == 0 && mrt_cvm_kernel_path_supported (p))
          best = p;
      g_once_init_leave (&done, 1);
    }
  return best;
}

MrtCvmKernelPath
mrt_cvm_kernel_path (void)
{
  gint p = g_atomic_int_get (&forced_path);
  return p ? (MrtCvmKernelPath) p : best_path ();
}

gboolean
mrt_cvm_kernel_force_path (MrtCvmKernelPath path)
{
  if (path >= MRT_CVM_KERNEL_N_PATHS || !mrt_cvm_kernel_path_supported (path))
    return FALSE;
  g_atomic_int_set (&forced_path, (gint) path);
  return TRUE;
}

static _Thread_local MrtCvmKernelUsed last_used;

MrtCvmKernelUsed
mrt_cvm_kernel_last_used (void)
{
  return last_used;
}

/* ---- weights ----------------------------------------------------------- */

struct _MrtCvmPacked {
  MrtCvmKernelPath path;
  guint32 *w;   /* [groups][nob][kq][nr] */
  gint32 *cb;   /* [groups][nob][nr] */
  gsize kq;     /* taps per group: cq * kh * kw */
  gint64 cq;    /* lane groups per pixel and group */
  gint64 nob;   /* oc blocks per group */
  gboolean ok;  /* every weight in [-128, 127] */
};

/* w: OIHW with I = icg; q = (cq * kh + ki) * kw + kj */
static MrtCvmPacked *
pack_weights (const Path *p, gint64 groups, gint64 ocg, gint64 icg, gint64 kh, gint64 kw, const gint32 *w,
              const gint32 *bias)
{
  MrtCvmPacked *pk = g_new0 (MrtCvmPacked, 1);
  gint64 epl = p->epl, nr = p->nr, khw = kh * kw;
  guint32 bad = 0, mask = epl == 4 ? 0xffu : 0xffffu;

  pk->path = p->path;
  pk->cq = (icg + epl - 1) / epl;
  pk->kq = (gsize) (pk->cq * khw);
  pk->nob = (ocg + nr - 1) / nr;
  pk->w = g_new0 (guint32, (gsize) (groups * pk->nob) * pk->kq * (gsize) nr);
  pk->cb = g_new0 (gint32, (gsize) (groups * pk->nob * nr));
  for (gint64 oc = 0; oc < groups * ocg; oc++)
    {
      gint64 g = oc / ocg, ob = (oc % ocg) / nr, j = (oc % ocg) % nr;
      guint32 *dst = pk->w + (gsize) (g * pk->nob + ob) * pk->kq * (gsize) nr + j;
      const gint32 *wo = w + oc * icg * khw;
      guint32 sum = 0;
      for (gint64 c = 0; c < icg; c++)
        for (gint64 t = 0; t < khw; t++)
          {
            /* tap q = (c / epl) * khw + t, byte (or half) c % epl of its lane group */
            gint32 x = wo[c * khw + t];
            bad |= (guint32) x + 128u;
            sum += (guint32) x;
            dst[((c / epl) * khw + t) * nr] |= ((guint32) x & mask) << (32 / epl * (c % epl));
          }
      /* u8 activations carry +128: start at bias - 128 sum(w), modulo 2^32 */
      pk->cb[(g * pk->nob + ob) * nr + j] = (gint32) ((bias ? (guint32) bias[oc] : 0u) - (epl == 4 ? 128u * sum : 0u));
    }
  pk->ok = (bad & ~0xffu) == 0;
  return pk;
}

void
mrt_cvm_packed_free (MrtCvmPacked *pk)
{
  if (pk == NULL)
    return;
  g_free (pk->w);
  g_free (pk->cb);
  g_free (pk);
}

/* ---- the direct int32 convolution (depthwise, fallback) ------------------ */

typedef struct {
  const MrtCvmConvGeom *g;
  const gint32 *x, *w, *b;
  gint32 *y;
} DirectJob;

static void
row_mac_c (guint32 *y, const guint32 *x, guint32 w, gint64 n)
{
  for (gint64 i = 0; i < n; i++)
    y[i] += x[i] * w;
}

static void
direct_range (gpointer data, gsize begin, gsize end)
{
  const DirectJob *job = data;
  const MrtCvmConvGeom *g = job->g;
  gint64 icg = g->c / g->groups, ocg = g->oc / g->groups;
  void (*row_mac) (guint32 *, const guint32 *, guint32, gint64) = row_mac_c;

#ifdef MRT_X86
  if (mrt_cvm_kernel_path () != MRT_CVM_KERNEL_SCALAR && __builtin_cpu_supports ("avx2"))
    row_mac = cvm_gemm_row_mac_avx2;
#endif
  for (gsize item = begin; item < end; item++)
    {
      gint64 n = (gint64) item / g->oc, oc = (gint64) item % g->oc;
      gint64 c0 = (oc / ocg) * icg;
      guint32 *plane = (guint32 *) job->y + (n * g->oc + oc) * g->oh * g->ow;
      guint32 bias = job->b ? (guint32) job->b[oc] : 0;

      for (gint64 i = 0; i < g->oh * g->ow; i++)
        plane[i] = bias;
      for (gint64 ic = 0; ic < icg; ic++)
        {
          const guint32 *xc = (const guint32 *) job->x + (n * g->c + c0 + ic) * g->h * g->w;
          for (gint64 ki = 0; ki < g->kh; ki++)
            for (gint64 kj = 0; kj < g->kw; kj++)
              {
                /* products and sums modulo 2^32: the runtime's int32 arithmetic */
                guint32 wv = (guint32) job->w[((oc * icg + ic) * g->kh + ki) * g->kw + kj];
                gint64 offx = kj * g->dw - g->pw;
                gint64 ox_lo, ox_hi;
                if (wv == 0)
                  continue;
                /* the output columns with ox * sw + offx in [0, w) */
                ox_lo = offx >= 0 ? 0 : (-offx + g->sw - 1) / g->sw;
                ox_hi = g->w - offx <= 0 ? 0 : MIN (g->ow, (g->w - offx - 1) / g->sw + 1);
                if (ox_lo >= ox_hi)
                  continue;
                for (gint64 oy = 0; oy < g->oh; oy++)
                  {
                    gint64 iy = oy * g->sh + ki * g->dh - g->ph;
                    const guint32 *xr;
                    guint32 *yr = plane + oy * g->ow;
                    if (iy < 0 || iy >= g->h)
                      continue;
                    xr = xc + iy * g->w;
                    if (g->sw == 1)
                      row_mac (yr + ox_lo, xr + ox_lo + offx, wv, ox_hi - ox_lo);
                    else
                      for (gint64 ox = ox_lo; ox < ox_hi; ox++)
                        yr[ox] += xr[ox * g->sw + offx] * wv;
                  }
              }
        }
    }
}

void
mrt_cvm_conv2d_direct (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias, gint32 *y,
                       guint n_threads)
{
  DirectJob job = { g, x, w, bias, y };
  gsize cost = (gsize) (g->oh * g->ow * (g->c / g->groups) * g->kh * g->kw);
  mrt_cvm_parallel (n_threads, (gsize) (g->n * g->oc), cost, direct_range, &job);
}

/* ---- the int8 convolution ----------------------------------------------- */

typedef struct {
  const Path *p;
  const MrtCvmConvGeom *g;
  const gint32 *x;
  gint32 *y;
  const MrtCvmPacked *pk;
  guint32 *act;     /* [n][groups][cq][hp][wp] */
  gint64 hp, wp, icg, ocg;
  gsize plane;      /* hp * wp */
  gssize *koff;     /* [kq] */
  gint64 tiles;     /* per image and group */
  gint bad;         /* atomic: a value outside int8 */
  const MrtCvmEpilogue *epi;
  guint n_epi;
} ConvJob;

static void
convert_planes (gpointer data, gsize begin, gsize end)
{
  ConvJob *job = data;
  const MrtCvmConvGeom *g = job->g;
  gint64 epl = job->p->epl, cq_n = job->pk->cq;
  guint32 zero = lane_zero (job->p->epl), bad = 0;

  for (gsize item = begin; item < end; item++)
    {
      /* item = (n * groups + grp) * cq + cq */
      gint64 cq = (gint64) item % cq_n, ng = (gint64) item / cq_n;
      gint64 n = ng / g->groups, grp = ng % g->groups;
      guint32 *dst = job->act + item * job->plane;
      const gint32 *src[4] = { NULL, NULL, NULL, NULL };
      gint64 c0 = grp * job->icg + cq * epl;

      for (gint64 e = 0; e < epl; e++)
        if (cq * epl + e < job->icg)
          src[e] = job->x + (n * g->c + c0 + e) * g->h * g->w;
      for (gsize i = 0; i < (gsize) (g->ph * job->wp); i++)
        dst[i] = zero;
      for (gint64 iy = 0; iy < g->h; iy++)
        {
          guint32 *row = dst + (iy + g->ph) * job->wp;
          const gint32 *rs[4];
          for (gint64 e = 0; e < 4; e++)
            rs[e] = src[e] ? src[e] + iy * g->w : NULL;
          for (gint64 i = 0; i < g->pw; i++)
            row[i] = row[g->pw + g->w + i] = zero;
          bad |= job->p->plane_row (rs, (gsize) g->w, row + g->pw);
        }
      for (gsize i = (gsize) ((g->ph + g->h) * job->wp); i < job->plane; i++)
        dst[i] = zero;
    }
  if (bad & ~0xffu)
    g_atomic_int_set (&job->bad, 1);
}

static void
conv_tiles (gpointer data, gsize begin, gsize end)
{
  const ConvJob *job = data;
  const MrtCvmConvGeom *g = job->g;
  const Path *p = job->p;
  gint64 npix = g->oh * g->ow, mr_max = p->mr;
  const guint32 *rows[MAX_MR];
  Tile t;

  t.koff = job->koff;
  t.kq = job->pk->kq;
  t.rows = rows;
  t.rs = 1;
  t.cs = (gssize) npix;
  t.epi = job->epi;
  t.n_epi = job->n_epi;
  for (gsize item = begin; item < end; item++)
    {
      /* item = (n * groups + grp) * tiles + tile */
      gint64 tile = (gint64) item % job->tiles, ng = (gint64) item / job->tiles;
      gint64 n = ng / g->groups, grp = ng % g->groups;
      gint64 p0 = tile * mr_max;
      const guint32 *base = job->act + (gsize) (ng * job->pk->cq) * job->plane;

      gint64 oy = p0 / g->ow, ox = p0 % g->ow;

      t.mr = (int) MIN (mr_max, npix - p0);
      for (int r = 0; r < t.mr; r++)
        {
          rows[r] = base + oy * g->sh * job->wp + ox * g->sw;
          if (++ox == g->ow)
            ox = 0, oy++;
        }
      for (int r = t.mr; r < mr_max; r++)
        rows[r] = rows[t.mr - 1];
      for (gint64 ob = 0; ob < job->pk->nob; ob++)
        {
          gint64 oc0 = grp * job->ocg + ob * p->nr;
          t.nr = (int) MIN (p->nr, job->ocg - ob * p->nr);
          t.w = job->pk->w + (gsize) (grp * job->pk->nob + ob) * job->pk->kq * (gsize) p->nr;
          t.cb = job->pk->cb + (grp * job->pk->nob + ob) * p->nr;
          t.out = job->y + (n * g->oc + oc0) * npix + p0;
          p->tile (&t);
        }
    }
}

/* Groups with fewer output channels than this run on the direct loops. */
#define MIN_GEMM_OCG 4

static gboolean
conv_uses_gemm (const MrtCvmConvGeom *g)
{
  return g->oc / g->groups >= MIN_GEMM_OCG;
}

MrtCvmPacked *
mrt_cvm_pack_conv2d (const MrtCvmConvGeom *g, const gint32 *w, const gint32 *bias)
{
  if (!conv_uses_gemm (g))
    return NULL;
  return pack_weights (&paths[mrt_cvm_kernel_path ()], g->groups, g->oc / g->groups, g->c / g->groups, g->kh, g->kw,
                       w, bias);
}

void
mrt_cvm_conv2d_run (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias,
                    const MrtCvmPacked *pk, gint32 *y, guint n_threads)
{
  mrt_cvm_conv2d_run_fused (g, x, w, bias, pk, NULL, 0, y, n_threads);
}

void
mrt_cvm_conv2d_run_fused (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *bias,
                          const MrtCvmPacked *pk, const MrtCvmEpilogue *epi, guint n_epi, gint32 *y,
                          guint n_threads)
{
  ConvJob job = { &paths[mrt_cvm_kernel_path ()], g, x, y };
  MrtCvmPacked *own = NULL;
  gsize n_planes, act_len;

  job.epi = epi;
  job.n_epi = n_epi;
  if (!conv_uses_gemm (g))
    {
      last_used = MRT_CVM_KERNEL_USED_DIRECT;
      mrt_cvm_conv2d_direct (g, x, w, bias, y, n_threads);
      epi_apply_array (epi, n_epi, y, (gsize) (g->n * g->oc * g->oh * g->ow));
      return;
    }
  if (pk == NULL || pk->path != job.p->path)
    pk = own = mrt_cvm_pack_conv2d (g, w, bias);
  job.pk = pk;
  job.icg = g->c / g->groups;
  job.ocg = g->oc / g->groups;
  job.hp = g->h + 2 * g->ph;
  job.wp = g->w + 2 * g->pw;
  job.plane = (gsize) (job.hp * job.wp);
  n_planes = (gsize) (g->n * g->groups * pk->cq);
  act_len = n_planes * job.plane;
  job.act = pk->ok ? g_try_new (guint32, act_len) : NULL;
  if (job.act != NULL)
    mrt_cvm_parallel (n_threads, n_planes, job.plane, convert_planes, &job);
  if (job.act == NULL || g_atomic_int_get (&job.bad))
    {
      last_used = MRT_CVM_KERNEL_USED_FALLBACK;
      mrt_cvm_conv2d_direct (g, x, w, bias, y, n_threads);
      epi_apply_array (epi, n_epi, y, (gsize) (g->n * g->oc * g->oh * g->ow));
    }
  else
    {
      job.koff = g_new (gssize, pk->kq);
      for (gint64 cq = 0; cq < pk->cq; cq++)
        for (gint64 ki = 0; ki < g->kh; ki++)
          for (gint64 kj = 0; kj < g->kw; kj++)
            job.koff[(cq * g->kh + ki) * g->kw + kj] = (gssize) (cq * (gint64) job.plane + ki * g->dh * job.wp + kj * g->dw);
      job.tiles = (g->oh * g->ow + job.p->mr - 1) / job.p->mr;
      last_used = MRT_CVM_KERNEL_USED_GEMM;
      mrt_cvm_parallel (n_threads, (gsize) (g->n * g->groups * job.tiles),
                        (gsize) job.p->mr * pk->kq * (gsize) (pk->nob * job.p->nr), conv_tiles, &job);
      g_free (job.koff);
    }
  g_free (job.act);
  mrt_cvm_packed_free (own);
}

/* ---- the int8 dense ------------------------------------------------------ */

typedef struct {
  const Path *p;
  gint64 m, k, units;
  const gint32 *x, *w, *bias;
  gint32 *y;
  const MrtCvmPacked *pk;
  guint32 *act;  /* [m][kq] */
  gssize *koff;
  gint bad;
  const MrtCvmEpilogue *epi;
  guint n_epi;
} DenseJob;

static void
dense_convert (gpointer data, gsize begin, gsize end)
{
  DenseJob *job = data;
  guint32 bad = 0;
  for (gsize m = begin; m < end; m++)
    bad |= job->p->dense_row (job->x + m * job->k, (gsize) job->k, job->act + m * job->pk->kq);
  if (bad & ~0xffu)
    g_atomic_int_set (&job->bad, 1);
}

static void
dense_tiles (gpointer data, gsize begin, gsize end)
{
  const DenseJob *job = data;
  const Path *p = job->p;
  const guint32 *rows[MAX_MR];
  Tile t;

  t.koff = job->koff;
  t.kq = job->pk->kq;
  t.rows = rows;
  t.rs = (gssize) job->units;
  t.cs = 1;
  t.epi = job->epi;
  t.n_epi = job->n_epi;
  for (gsize tile = begin; tile < end; tile++)
    {
      gint64 m0 = (gint64) tile * p->mr;
      t.mr = (int) MIN (p->mr, job->m - m0);
      for (int r = 0; r < p->mr; r++)
        rows[r] = job->act + (gsize) (m0 + MIN (r, t.mr - 1)) * job->pk->kq;
      for (gint64 ob = 0; ob < job->pk->nob; ob++)
        {
          t.nr = (int) MIN (p->nr, job->units - ob * p->nr);
          t.w = job->pk->w + (gsize) ob * job->pk->kq * (gsize) p->nr;
          t.cb = job->pk->cb + ob * p->nr;
          t.out = job->y + m0 * job->units + ob * p->nr;
          p->tile (&t);
        }
    }
}

static void
dense_exact_range (gpointer data, gsize begin, gsize end)
{
  const DenseJob *job = data;
  for (gsize item = begin; item < end; item++)
    {
      gint64 m = (gint64) item / job->units, u = (gint64) item % job->units;
      const gint32 *xr = job->x + m * job->k, *wr = job->w + u * job->k;
      guint32 acc = job->bias ? (guint32) job->bias[u] : 0;
      for (gint64 k = 0; k < job->k; k++)
        acc += (guint32) xr[k] * (guint32) wr[k];
      job->y[item] = (gint32) acc;
    }
}

MrtCvmPacked *
mrt_cvm_pack_dense (gint64 k, gint64 units, const gint32 *w, const gint32 *bias)
{
  return pack_weights (&paths[mrt_cvm_kernel_path ()], 1, units, k, 1, 1, w, bias);
}

void
mrt_cvm_dense_run (gint64 m, gint64 k, gint64 units, const gint32 *x, const gint32 *w, const gint32 *bias,
                   const MrtCvmPacked *pk, gint32 *y, guint n_threads)
{
  mrt_cvm_dense_run_fused (m, k, units, x, w, bias, pk, NULL, 0, y, n_threads);
}

void
mrt_cvm_dense_run_fused (gint64 m, gint64 k, gint64 units, const gint32 *x, const gint32 *w, const gint32 *bias,
                         const MrtCvmPacked *pk, const MrtCvmEpilogue *epi, guint n_epi, gint32 *y,
                         guint n_threads)
{
  DenseJob job = { &paths[mrt_cvm_kernel_path ()], m, k, units, x, w, bias, y };
  MrtCvmPacked *own = NULL;

  job.epi = epi;
  job.n_epi = n_epi;

  if (pk == NULL || pk->path != job.p->path)
    pk = own = mrt_cvm_pack_dense (k, units, w, bias);
  job.pk = pk;
  job.act = pk->ok ? g_try_new (guint32, (gsize) m * pk->kq) : NULL;
  if (job.act != NULL)
    mrt_cvm_parallel (n_threads, (gsize) m, (gsize) k, dense_convert, &job);
  if (job.act != NULL && !g_atomic_int_get (&job.bad))
    {
      job.koff = g_new (gssize, pk->kq);
      for (gsize q = 0; q < pk->kq; q++)
        job.koff[q] = (gssize) q;
      last_used = MRT_CVM_KERNEL_USED_GEMM;
      mrt_cvm_parallel (n_threads, (gsize) ((m + job.p->mr - 1) / job.p->mr),
                        (gsize) job.p->mr * pk->kq * (gsize) (pk->nob * job.p->nr), dense_tiles, &job);
      g_free (job.koff);
    }
  else
    {
      /* the exact int32 loops */
      last_used = MRT_CVM_KERNEL_USED_FALLBACK;
      mrt_cvm_parallel (n_threads, (gsize) (m * units), (gsize) k, dense_exact_range, &job);
      epi_apply_array (epi, n_epi, y, (gsize) (m * units));
    }
  g_free (job.act);
  mrt_cvm_packed_free (own);
}
