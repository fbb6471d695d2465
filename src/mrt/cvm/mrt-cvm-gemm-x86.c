/* mrt-cvm-gemm-x86.c: the x86 SIMD kernels of the int8 convolution and
 * dense (AVX2, AVX-VNNI, AVX512-VNNI), each compiled for its own target.
 * The layout, the micro-kernel and why the results are exact are described
 * at the top of mrt-cvm-gemm.c. */
#include "mrt-cvm-gemm-private.h"

#ifdef MRT_X86

#include <cpuid.h>
#include <immintrin.h>

static inline guint32
load_u32 (const guint32 *p)
{
  return *p;
}

/* -- ymm helpers (AVX2 and AVX-VNNI share them) -- */

static inline T_AVX2 __m256i
ymm_tail_mask (gsize left)
{
  return _mm256_cmpgt_epi32 (_mm256_set1_epi32 ((int) MIN (left, 8)), _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
}

/* x of a channel row (p NULL: a padding channel, x = 0); masked-out lanes read 0 */
static inline T_AVX2 __m256i
ymm_load (const gint32 *p, gsize i, __m256i m)
{
  return p ? _mm256_maskload_epi32 ((const int *) p + i, m) : _mm256_setzero_si256 ();
}

static inline T_AVX2 guint32
ymm_or_lanes (__m256i v)
{
  __m128i x = _mm_or_si128 (_mm256_castsi256_si128 (v), _mm256_extracti128_si256 (v, 1));
  x = _mm_or_si128 (x, _mm_shuffle_epi32 (x, 0x4e));
  x = _mm_or_si128 (x, _mm_shuffle_epi32 (x, 0xb1));
  return (guint32) _mm_cvtsi128_si32 (x);
}

T_AVX2 guint32
cvm_gemm_plane_row_u8_avx2 (const gint32 *const *src, gsize len, guint32 *dst)
{
  const __m256i off = _mm256_set1_epi32 (128);
  __m256i orv = _mm256_setzero_si256 ();
  for (gsize i = 0; i < len; i += 8)
    {
      __m256i m = ymm_tail_mask (len - i);
      __m256i a0 = _mm256_add_epi32 (ymm_load (src[0], i, m), off);
      __m256i a1 = _mm256_add_epi32 (ymm_load (src[1], i, m), off);
      __m256i a2 = _mm256_add_epi32 (ymm_load (src[2], i, m), off);
      __m256i a3 = _mm256_add_epi32 (ymm_load (src[3], i, m), off);
      __m256i v = _mm256_or_si256 (_mm256_or_si256 (a0, _mm256_slli_epi32 (a1, 8)),
                                   _mm256_or_si256 (_mm256_slli_epi32 (a2, 16), _mm256_slli_epi32 (a3, 24)));
      orv = _mm256_or_si256 (orv, _mm256_or_si256 (_mm256_or_si256 (a0, a1), _mm256_or_si256 (a2, a3)));
      _mm256_maskstore_epi32 ((int *) dst + i, m, v);
    }
  return ymm_or_lanes (orv);
}

T_AVX2 guint32
cvm_gemm_plane_row_s16_avx2 (const gint32 *const *src, gsize len, guint32 *dst)
{
  const __m256i off = _mm256_set1_epi32 (128), lo16 = _mm256_set1_epi32 (0xffff);
  __m256i orv = _mm256_setzero_si256 ();
  for (gsize i = 0; i < len; i += 8)
    {
      __m256i m = ymm_tail_mask (len - i);
      __m256i x0 = ymm_load (src[0], i, m), x1 = ymm_load (src[1], i, m);
      __m256i v = _mm256_or_si256 (_mm256_and_si256 (x0, lo16), _mm256_slli_epi32 (x1, 16));
      orv = _mm256_or_si256 (orv, _mm256_or_si256 (_mm256_add_epi32 (x0, off), _mm256_add_epi32 (x1, off)));
      _mm256_maskstore_epi32 ((int *) dst + i, m, v);
    }
  return ymm_or_lanes (orv);
}

/* The tile's epilogue on its N rows a[r] of one vector width (VEC; P: the
 * intrinsics' prefix, SI: the integer vector suffix). The rounding shift is
 * the one of cvm_right_shift: (v >> (s - 1)), then (y >> 1) + (y & 1). */
#define VEC_EPILOGUE(NAME, TARGET, VEC, N, P, SI)                                                 \
  static inline TARGET void NAME (const Tile *t, VEC a[N])                                        \
  {                                                                                               \
    for (guint e = 0; e < t->n_epi; e++)                                                          \
      {                                                                                           \
        const MrtCvmEpilogue *ep = &t->epi[e];                                                    \
        VEC lo = P##_set1_epi32 (ep->lo), hi = P##_set1_epi32 (ep->hi), one = P##_set1_epi32 (1); \
        VEC mul = P##_set1_epi32 (ep->mul);                                                       \
        __m128i cnt = _mm_cvtsi32_si128 (ep->shift - 1);                                          \
        for (int r = 0; r < N; r++)                                                               \
          {                                                                                       \
            VEC v = a[r];                                                                         \
            if (ep->op == MRT_CVM_EPI_MUL)                                                        \
              v = P##_mullo_epi32 (v, mul);                                                       \
            else                                                                                  \
              {                                                                                   \
                if (ep->op == MRT_CVM_EPI_RSHIFT)                                                 \
                  {                                                                               \
                    v = P##_sra_epi32 (v, cnt);                                                   \
                    v = P##_add_epi32 (P##_srai_epi32 (v, 1), P##_and_##SI (v, one));             \
                  }                                                                               \
                v = P##_max_epi32 (P##_min_epi32 (v, hi), lo);                                    \
              }                                                                                   \
            a[r] = v;                                                                             \
          }                                                                                       \
      }                                                                                           \
  }

VEC_EPILOGUE (ymm_epilogue, T_AVX2, __m256i, 8, _mm256, si256)

/* Stores an 8 x 8 tile: rows acc[r] (lanes j). Transposed when rs == 1. */
static inline T_AVX2 void
ymm_store_tile (const Tile *t, __m256i a[8])
{
  ymm_epilogue (t, a);
  if (t->cs == 1)
    {
      __m256i mask = _mm256_cmpgt_epi32 (_mm256_set1_epi32 (t->nr), _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
      for (int r = 0; r < t->mr; r++)
        if (t->nr == 8)
          _mm256_storeu_si256 ((__m256i *) (t->out + r * t->rs), a[r]);
        else
          _mm256_maskstore_epi32 (t->out + r * t->rs, mask, a[r]);
    }
  else
    {
      __m256i b[8], c[8], col[8];
      __m256i mask = _mm256_cmpgt_epi32 (_mm256_set1_epi32 (t->mr), _mm256_setr_epi32 (0, 1, 2, 3, 4, 5, 6, 7));
      for (int k = 0; k < 4; k++)
        {
          b[2 * k] = _mm256_unpacklo_epi32 (a[2 * k], a[2 * k + 1]);
          b[2 * k + 1] = _mm256_unpackhi_epi32 (a[2 * k], a[2 * k + 1]);
        }
      for (int h = 0; h < 2; h++)
        {
          c[4 * h + 0] = _mm256_unpacklo_epi64 (b[4 * h + 0], b[4 * h + 2]);
          c[4 * h + 1] = _mm256_unpackhi_epi64 (b[4 * h + 0], b[4 * h + 2]);
          c[4 * h + 2] = _mm256_unpacklo_epi64 (b[4 * h + 1], b[4 * h + 3]);
          c[4 * h + 3] = _mm256_unpackhi_epi64 (b[4 * h + 1], b[4 * h + 3]);
        }
      for (int m = 0; m < 4; m++)
        {
          col[m] = _mm256_permute2x128_si256 (c[m], c[4 + m], 0x20);
          col[4 + m] = _mm256_permute2x128_si256 (c[m], c[4 + m], 0x31);
        }
      for (int j = 0; j < t->nr; j++)
        if (t->mr == 8)
          _mm256_storeu_si256 ((__m256i *) (t->out + j * t->cs), col[j]);
        else
          _mm256_maskstore_epi32 (t->out + j * t->cs, mask, col[j]);
    }
}

#define YMM_TILE(NAME, TARGET, MAC)                                                       \
  TARGET void NAME (const Tile *t)                                                        \
  {                                                                                       \
    const guint32 *r0 = t->rows[0], *r1 = t->rows[1], *r2 = t->rows[2], *r3 = t->rows[3]; \
    const guint32 *r4 = t->rows[4], *r5 = t->rows[5], *r6 = t->rows[6], *r7 = t->rows[7]; \
    __m256i cb = _mm256_loadu_si256 ((const __m256i *) t->cb);                            \
    __m256i a[8] = { cb, cb, cb, cb, cb, cb, cb, cb };                                    \
    for (gsize q = 0; q < t->kq; q++)                                                     \
      {                                                                                   \
        gssize o = t->koff[q];                                                            \
        __m256i wv = _mm256_loadu_si256 ((const __m256i *) (t->w + q * 8));               \
        a[0] = MAC (a[0], _mm256_set1_epi32 ((int) load_u32 (r0 + o)), wv);               \
        a[1] = MAC (a[1], _mm256_set1_epi32 ((int) load_u32 (r1 + o)), wv);               \
        a[2] = MAC (a[2], _mm256_set1_epi32 ((int) load_u32 (r2 + o)), wv);               \
        a[3] = MAC (a[3], _mm256_set1_epi32 ((int) load_u32 (r3 + o)), wv);               \
        a[4] = MAC (a[4], _mm256_set1_epi32 ((int) load_u32 (r4 + o)), wv);               \
        a[5] = MAC (a[5], _mm256_set1_epi32 ((int) load_u32 (r5 + o)), wv);               \
        a[6] = MAC (a[6], _mm256_set1_epi32 ((int) load_u32 (r6 + o)), wv);               \
        a[7] = MAC (a[7], _mm256_set1_epi32 ((int) load_u32 (r7 + o)), wv);               \
      }                                                                                   \
    ymm_store_tile (t, a);                                                                \
  }

/* int16 pairs: vpmaddwd, then vpaddd (see the exactness note in mrt-cvm-gemm.c) */
#define MAC_AVX2(acc, a, w) _mm256_add_epi32 ((acc), _mm256_madd_epi16 ((a), (w)))
YMM_TILE (cvm_gemm_tile_avx2, T_AVX2, MAC_AVX2)

/* u8 x s8 quadruples: vpdpbusd (VEX) */
#define MAC_AVXVNNI(acc, a, w) _mm256_dpbusd_avx_epi32 ((acc), (a), (w))
YMM_TILE (cvm_gemm_tile_avxvnni, T_AVXVNNI, MAC_AVXVNNI)

/* -- zmm -- */

static inline T_AVX512 __m512i
zmm_load_u8 (const gint32 *p, gsize i, __mmask16 m)
{
  /* x + 128; a padding channel (p NULL) reads as x = 0; masked-out lanes as 0 */
  const __m512i off = _mm512_set1_epi32 (128);
  return p ? _mm512_maskz_add_epi32 (m, _mm512_maskz_loadu_epi32 (m, p + i), off) : _mm512_maskz_mov_epi32 (m, off);
}

T_AVX512 guint32
cvm_gemm_plane_row_u8_avx512 (const gint32 *const *src, gsize len, guint32 *dst)
{
  __m512i orv = _mm512_setzero_si512 ();
  for (gsize i = 0; i < len; i += 16)
    {
      __mmask16 m = len - i >= 16 ? 0xffff : (__mmask16) ((1u << (len - i)) - 1);
      __m512i a0 = zmm_load_u8 (src[0], i, m), a1 = zmm_load_u8 (src[1], i, m);
      __m512i a2 = zmm_load_u8 (src[2], i, m), a3 = zmm_load_u8 (src[3], i, m);
      __m512i v = _mm512_or_si512 (_mm512_or_si512 (a0, _mm512_slli_epi32 (a1, 8)),
                                   _mm512_or_si512 (_mm512_slli_epi32 (a2, 16), _mm512_slli_epi32 (a3, 24)));
      orv = _mm512_or_si512 (orv, _mm512_or_si512 (_mm512_or_si512 (a0, a1), _mm512_or_si512 (a2, a3)));
      _mm512_mask_storeu_epi32 (dst + i, m, v);
    }
  return (guint32) _mm512_reduce_or_epi32 (orv);
}

T_AVX512 guint32
cvm_gemm_dense_row_u8_avx512 (const gint32 *x, gsize k, guint32 *dst)
{
  const __m512i off = _mm512_set1_epi32 (128);
  __m512i orv = _mm512_setzero_si512 ();
  gsize i = 0;
  guint32 bad;

  for (; i + 16 <= k; i += 16)
    {
      __m512i a = _mm512_add_epi32 (_mm512_loadu_si512 (x + i), off);
      orv = _mm512_or_si512 (orv, a);
      /* vpmovdb truncates to the low byte: a is in [0, 255] when in range */
      _mm_storeu_si128 ((__m128i *) (dst + i / 4), _mm512_cvtepi32_epi8 (a));
    }
  bad = (guint32) _mm512_reduce_or_epi32 (orv);
  if (i < k)
    bad |= cvm_gemm_dense_row_u8_c (x + i, k - i, dst + i / 4);
  return bad;
}

VEC_EPILOGUE (zmm_epilogue, T_AVX512, __m512i, 16, _mm512, si512)

T_AVX512 void
cvm_gemm_tile_avx512 (const Tile *t)
{
  const guint32 *r0 = t->rows[0], *r1 = t->rows[1], *r2 = t->rows[2], *r3 = t->rows[3];
  const guint32 *r4 = t->rows[4], *r5 = t->rows[5], *r6 = t->rows[6], *r7 = t->rows[7];
  const guint32 *r8 = t->rows[8], *r9 = t->rows[9], *r10 = t->rows[10], *r11 = t->rows[11];
  const guint32 *r12 = t->rows[12], *r13 = t->rows[13], *r14 = t->rows[14], *r15 = t->rows[15];
  __m512i cb = _mm512_loadu_si512 (t->cb);
  __m512i a0 = cb, a1 = cb, a2 = cb, a3 = cb, a4 = cb, a5 = cb, a6 = cb, a7 = cb;
  __m512i a8 = cb, a9 = cb, a10 = cb, a11 = cb, a12 = cb, a13 = cb, a14 = cb, a15 = cb;
  __m512i a[16];

  for (gsize q = 0; q < t->kq; q++)
    {
      gssize o = t->koff[q];
      __m512i wv = _mm512_loadu_si512 (t->w + q * 16);
#define MAC(k) a##k = _mm512_dpbusd_epi32 (a##k, _mm512_set1_epi32 ((int) load_u32 (r##k + o)), wv)
      MAC (0); MAC (1); MAC (2); MAC (3); MAC (4); MAC (5); MAC (6); MAC (7);
      MAC (8); MAC (9); MAC (10); MAC (11); MAC (12); MAC (13); MAC (14); MAC (15);
#undef MAC
    }
  a[0] = a0, a[1] = a1, a[2] = a2, a[3] = a3, a[4] = a4, a[5] = a5, a[6] = a6, a[7] = a7;
  a[8] = a8, a[9] = a9, a[10] = a10, a[11] = a11, a[12] = a12, a[13] = a13, a[14] = a14, a[15] = a15;

  zmm_epilogue (t, a);

  if (t->cs == 1)
    {
      __mmask16 m = (__mmask16) ((1u << t->nr) - 1);
      for (int r = 0; r < t->mr; r++)
        _mm512_mask_storeu_epi32 (t->out + r * t->rs, m, a[r]);
    }
  else
    {
      /* 16 x 16 transpose: col[j][r] = a[r][j] */
      __m512i b[16], c[16], d[4], e[4], f[4], g[4];
      __mmask16 m = (__mmask16) ((1u << t->mr) - 1);
      for (int k = 0; k < 8; k++)
        {
          b[2 * k] = _mm512_unpacklo_epi32 (a[2 * k], a[2 * k + 1]);
          b[2 * k + 1] = _mm512_unpackhi_epi32 (a[2 * k], a[2 * k + 1]);
        }
      /* c[4 h + m], 128-bit lane L: rows 4h..4h+3 of column 4 L + m */
      for (int h = 0; h < 4; h++)
        {
          c[4 * h + 0] = _mm512_unpacklo_epi64 (b[4 * h + 0], b[4 * h + 2]);
          c[4 * h + 1] = _mm512_unpackhi_epi64 (b[4 * h + 0], b[4 * h + 2]);
          c[4 * h + 2] = _mm512_unpacklo_epi64 (b[4 * h + 1], b[4 * h + 3]);
          c[4 * h + 3] = _mm512_unpackhi_epi64 (b[4 * h + 1], b[4 * h + 3]);
        }
      for (int k = 0; k < 4; k++)
        {
          d[k] = _mm512_shuffle_i32x4 (c[k], c[4 + k], 0x88);
          e[k] = _mm512_shuffle_i32x4 (c[k], c[4 + k], 0xdd);
          f[k] = _mm512_shuffle_i32x4 (c[8 + k], c[12 + k], 0x88);
          g[k] = _mm512_shuffle_i32x4 (c[8 + k], c[12 + k], 0xdd);
        }
      for (int k = 0; k < 4; k++)
        {
          __m512i col[4];
          col[0] = _mm512_shuffle_i32x4 (d[k], f[k], 0x88); /* column k */
          col[1] = _mm512_shuffle_i32x4 (e[k], g[k], 0x88); /* column 4 + k */
          col[2] = _mm512_shuffle_i32x4 (d[k], f[k], 0xdd); /* column 8 + k */
          col[3] = _mm512_shuffle_i32x4 (e[k], g[k], 0xdd); /* column 12 + k */
          for (int l = 0; l < 4; l++)
            if (4 * l + k < t->nr)
              _mm512_mask_storeu_epi32 (t->out + (4 * l + k) * t->cs, m, col[l]);
        }
    }
}

guint32
cvm_gemm_avxvnni_cpu (void)
{
  unsigned int a, b, c, d;
  if (!__builtin_cpu_supports ("avx2") || !__get_cpuid_count (7, 1, &a, &b, &c, &d))
    return 0;
  return (a >> 4) & 1; /* CPUID.(EAX=7,ECX=1):EAX[4] AVX-VNNI */
}

/* -- the direct convolution's row update -- */

/* y[i] += x[i] * w, i < n, modulo 2^32 */
T_AVX2 void
cvm_gemm_row_mac_avx2 (guint32 *y, const guint32 *x, guint32 w, gint64 n)
{
  __m256i wv = _mm256_set1_epi32 ((int) w);
  gint64 i = 0;
  for (; i + 8 <= n; i += 8)
    {
      __m256i p = _mm256_mullo_epi32 (_mm256_loadu_si256 ((const __m256i *) (x + i)), wv);
      _mm256_storeu_si256 ((__m256i *) (y + i), _mm256_add_epi32 (_mm256_loadu_si256 ((const __m256i *) (y + i)), p));
    }
  for (; i < n; i++)
    y[i] += x[i] * w;
}

#endif /* MRT_X86 */
