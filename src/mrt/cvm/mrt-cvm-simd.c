/* mrt-cvm-simd.c: vectorised element-by-element int32 loops (see the header). */
#include "mrt-cvm-simd.h"

#include <string.h>

#include "mrt-cvm-gemm.h"

#if defined(__x86_64__) || defined(__i386__)
#define MRT_X86 1
#include <immintrin.h>
#endif

/* ---- portable: four lanes of GCC/clang vector extensions ---------------- */

typedef gint32 V4 __attribute__ ((vector_size (16)));
typedef guint32 V4u __attribute__ ((vector_size (16)));

static inline V4
v4_load (const gint32 *p)
{
  V4 v;
  memcpy (&v, p, sizeof v);
  return v;
}

static inline void
v4_store (gint32 *p, V4 v)
{
  memcpy (p, &v, sizeof v);
}

static inline V4
v4_splat (gint32 x)
{
  return (V4){ x, x, x, x };
}

/* m: lanes of -1 (take a) or 0 (take b) */
static inline V4
v4_select (V4 m, V4 a, V4 b)
{
  return (a & m) | (b & ~m);
}

static inline V4
v4_clamp (V4 x, V4 lo, V4 hi)
{
  x = v4_select (x < lo, lo, x);
  return v4_select (x > hi, hi, x);
}

/* ((x >> (b-1)) + 1) >> 1 in 32 bits: (y >> 1) + (y & 1) for y = x >> (b-1), no overflow */
static inline gint32
rshift1 (gint32 x, int b)
{
  gint32 y = x >> (b - 1);
  return (y >> 1) + (y & 1);
}

static inline gint32
binary1 (CvmSimdOp op, gint32 a, gint32 b)
{
  switch (op)
    {
    case CVM_SIMD_ADD: return (gint32) ((guint32) a + (guint32) b);
    case CVM_SIMD_SUB: return (gint32) ((guint32) a - (guint32) b);
    case CVM_SIMD_MUL: return (gint32) ((guint32) a * (guint32) b);
    case CVM_SIMD_MAX:
    default: return MAX (a, b);
    }
}

static void
clamp_v4 (const gint32 *x, gint32 *y, gsize n, gint32 lo, gint32 hi)
{
  V4 l = v4_splat (lo), h = v4_splat (hi);
  gsize i = 0;
  for (; i + 4 <= n; i += 4)
    v4_store (y + i, v4_clamp (v4_load (x + i), l, h));
  for (; i < n; i++)
    y[i] = CLAMP (x[i], lo, hi);
}

static void
rshift_clamp_v4 (const gint32 *x, gint32 *y, gsize n, int b, gint32 lo, gint32 hi)
{
  V4 l = v4_splat (lo), h = v4_splat (hi), one = v4_splat (1);
  gsize i = 0;
  for (; i + 4 <= n; i += 4)
    {
      V4 v = v4_load (x + i) >> (b - 1);
      v4_store (y + i, v4_clamp ((v >> 1) + (v & one), l, h));
    }
  for (; i < n; i++)
    y[i] = CLAMP (rshift1 (x[i], b), lo, hi);
}

static void
binary_v4 (CvmSimdOp op, const gint32 *a, gsize sa, const gint32 *b, gsize sb, gint32 *y, gsize n)
{
  gsize i = 0;
  for (; i + 4 <= n; i += 4)
    {
      V4 u = sa ? v4_load (a + i) : v4_splat (a[0]), v = sb ? v4_load (b + i) : v4_splat (b[0]);
      v4_store (y + i, op == CVM_SIMD_ADD   ? (V4) ((V4u) u + (V4u) v)
                       : op == CVM_SIMD_SUB ? (V4) ((V4u) u - (V4u) v)
                       : op == CVM_SIMD_MUL ? (V4) ((V4u) u * (V4u) v)
                                            : v4_select (u > v, u, v));
    }
  for (; i < n; i++)
    y[i] = binary1 (op, a[i * sa], b[i * sb]);
}

static void
pair_max_c (const gint32 *x, gint32 *y, gsize n)
{
  for (gsize i = 0; i < n; i++)
    y[i] = MAX (x[2 * i], x[2 * i + 1]);
}

/* ---- AVX2 ----------------------------------------------------------------- */

#ifdef MRT_X86
#define T_AVX2 __attribute__ ((target ("avx2")))
#define T_AVX512 __attribute__ ((target ("avx512f")))

T_AVX2 static void
clamp_avx2 (const gint32 *x, gint32 *y, gsize n, gint32 lo, gint32 hi)
{
  __m256i l = _mm256_set1_epi32 (lo), h = _mm256_set1_epi32 (hi);
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    _mm256_storeu_si256 ((__m256i *) (y + i),
                         _mm256_max_epi32 (_mm256_min_epi32 (_mm256_loadu_si256 ((const __m256i *) (x + i)), h), l));
  clamp_v4 (x + i, y + i, n - i, lo, hi);
}

T_AVX2 static void
rshift_clamp_avx2 (const gint32 *x, gint32 *y, gsize n, int b, gint32 lo, gint32 hi)
{
  __m256i l = _mm256_set1_epi32 (lo), h = _mm256_set1_epi32 (hi), one = _mm256_set1_epi32 (1);
  __m128i cnt = _mm_cvtsi32_si128 (b - 1);
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    {
      __m256i v = _mm256_sra_epi32 (_mm256_loadu_si256 ((const __m256i *) (x + i)), cnt);
      v = _mm256_add_epi32 (_mm256_srai_epi32 (v, 1), _mm256_and_si256 (v, one));
      _mm256_storeu_si256 ((__m256i *) (y + i), _mm256_max_epi32 (_mm256_min_epi32 (v, h), l));
    }
  rshift_clamp_v4 (x + i, y + i, n - i, b, lo, hi);
}

T_AVX2 static void
binary_avx2 (CvmSimdOp op, const gint32 *a, gsize sa, const gint32 *b, gsize sb, gint32 *y, gsize n)
{
  gsize i = 0;
  for (; i + 8 <= n; i += 8)
    {
      __m256i u = sa ? _mm256_loadu_si256 ((const __m256i *) (a + i)) : _mm256_set1_epi32 (a[0]);
      __m256i v = sb ? _mm256_loadu_si256 ((const __m256i *) (b + i)) : _mm256_set1_epi32 (b[0]);
      _mm256_storeu_si256 ((__m256i *) (y + i), op == CVM_SIMD_ADD   ? _mm256_add_epi32 (u, v)
                                                : op == CVM_SIMD_SUB ? _mm256_sub_epi32 (u, v)
                                                : op == CVM_SIMD_MUL ? _mm256_mullo_epi32 (u, v)
                                                                     : _mm256_max_epi32 (u, v));
    }
  binary_v4 (op, a + i * sa, sa, b + i * sb, sb, y + i, n - i);
}

/* ---- AVX-512 (full vectors, then one masked tail) ------------------------- */

static inline T_AVX512 __m512i
clamp_zmm (__m512i v, __m512i lo, __m512i hi)
{
  return _mm512_max_epi32 (_mm512_min_epi32 (v, hi), lo);
}

static inline T_AVX512 __m512i
rshift_zmm (__m512i v, __m128i cnt, __m512i one)
{
  v = _mm512_sra_epi32 (v, cnt);
  return _mm512_add_epi32 (_mm512_srai_epi32 (v, 1), _mm512_and_si512 (v, one));
}

static inline T_AVX512 __m512i
binary_zmm (CvmSimdOp op, __m512i u, __m512i v)
{
  switch (op)
    {
    case CVM_SIMD_ADD: return _mm512_add_epi32 (u, v);
    case CVM_SIMD_SUB: return _mm512_sub_epi32 (u, v);
    case CVM_SIMD_MUL: return _mm512_mullo_epi32 (u, v);
    case CVM_SIMD_MAX:
    default: return _mm512_max_epi32 (u, v);
    }
}

static inline T_AVX512 __mmask16
tail16 (gsize left)
{
  return (__mmask16) ((1u << left) - 1);
}

T_AVX512 static void
clamp_avx512 (const gint32 *x, gint32 *y, gsize n, gint32 lo, gint32 hi)
{
  __m512i l = _mm512_set1_epi32 (lo), h = _mm512_set1_epi32 (hi);
  gsize i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_si512 (y + i, clamp_zmm (_mm512_loadu_si512 (x + i), l, h));
  if (i < n)
    _mm512_mask_storeu_epi32 (y + i, tail16 (n - i), clamp_zmm (_mm512_maskz_loadu_epi32 (tail16 (n - i), x + i), l, h));
}

T_AVX512 static void
rshift_clamp_avx512 (const gint32 *x, gint32 *y, gsize n, int b, gint32 lo, gint32 hi)
{
  __m512i l = _mm512_set1_epi32 (lo), h = _mm512_set1_epi32 (hi), one = _mm512_set1_epi32 (1);
  __m128i cnt = _mm_cvtsi32_si128 (b - 1);
  gsize i = 0;
  for (; i + 16 <= n; i += 16)
    _mm512_storeu_si512 (y + i, clamp_zmm (rshift_zmm (_mm512_loadu_si512 (x + i), cnt, one), l, h));
  if (i < n)
    {
      __mmask16 m = tail16 (n - i);
      _mm512_mask_storeu_epi32 (y + i, m, clamp_zmm (rshift_zmm (_mm512_maskz_loadu_epi32 (m, x + i), cnt, one), l, h));
    }
}

T_AVX512 static void
binary_avx512 (CvmSimdOp op, const gint32 *a, gsize sa, const gint32 *b, gsize sb, gint32 *y, gsize n)
{
  __m512i ca = _mm512_set1_epi32 (a[0]), cb = _mm512_set1_epi32 (b[0]);
  gsize i = 0;
  if (sa && sb)
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_si512 (y + i, binary_zmm (op, _mm512_loadu_si512 (a + i), _mm512_loadu_si512 (b + i)));
  else if (sa)
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_si512 (y + i, binary_zmm (op, _mm512_loadu_si512 (a + i), cb));
  else if (sb)
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_si512 (y + i, binary_zmm (op, ca, _mm512_loadu_si512 (b + i)));
  else
    for (; i + 16 <= n; i += 16)
      _mm512_storeu_si512 (y + i, binary_zmm (op, ca, cb));
  if (i < n)
    {
      __mmask16 m = tail16 (n - i);
      __m512i u = sa ? _mm512_maskz_loadu_epi32 (m, a + i) : ca, v = sb ? _mm512_maskz_loadu_epi32 (m, b + i) : cb;
      _mm512_mask_storeu_epi32 (y + i, m, binary_zmm (op, u, v));
    }
}

T_AVX512 static void
pair_max_avx512 (const gint32 *x, gint32 *y, gsize n)
{
  const __m512i even = _mm512_setr_epi32 (0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  const __m512i odd = _mm512_add_epi32 (even, _mm512_set1_epi32 (1));
  gsize i = 0;
  for (; i + 16 <= n; i += 16)
    {
      __m512i a = _mm512_loadu_si512 (x + 2 * i), b = _mm512_loadu_si512 (x + 2 * i + 16);
      _mm512_storeu_si512 (y + i, _mm512_max_epi32 (_mm512_permutex2var_epi32 (a, even, b),
                                                    _mm512_permutex2var_epi32 (a, odd, b)));
    }
  pair_max_c (x + 2 * i, y + i, n - i);
}
#endif

/* ---- dispatch: follows the int8 kernel path ------------------------------ */

typedef enum { LEVEL_V4, LEVEL_AVX2, LEVEL_AVX512 } Level;

static Level
level (void)
{
#ifdef MRT_X86
  switch (mrt_cvm_kernel_path ())
    {
    case MRT_CVM_KERNEL_AVX512_VNNI:
      return LEVEL_AVX512; /* implies AVX512F */
    case MRT_CVM_KERNEL_AVX2:
    case MRT_CVM_KERNEL_AVX_VNNI:
      return LEVEL_AVX2;
    default:
      break;
    }
#endif
  return LEVEL_V4;
}

void
cvm_simd_clamp (const gint32 *x, gint32 *y, gsize n, gint32 lo, gint32 hi)
{
#ifdef MRT_X86
  Level l = level ();
  if (l == LEVEL_AVX512)
    clamp_avx512 (x, y, n, lo, hi);
  else
  if (l == LEVEL_AVX2)
    clamp_avx2 (x, y, n, lo, hi);
  else
#endif
    clamp_v4 (x, y, n, lo, hi);
}

void
cvm_simd_rshift_clamp (const gint32 *x, gint32 *y, gsize n, int b, gint32 lo, gint32 hi)
{
#ifdef MRT_X86
  Level l = level ();
  if (l == LEVEL_AVX512)
    rshift_clamp_avx512 (x, y, n, b, lo, hi);
  else
  if (l == LEVEL_AVX2)
    rshift_clamp_avx2 (x, y, n, b, lo, hi);
  else
#endif
    rshift_clamp_v4 (x, y, n, b, lo, hi);
}

void
cvm_simd_binary (CvmSimdOp op, const gint32 *a, gsize sa, const gint32 *b, gsize sb, gint32 *y, gsize n)
{
#ifdef MRT_X86
  Level l = level ();
  if (l == LEVEL_AVX512)
    binary_avx512 (op, a, sa, b, sb, y, n);
  else
  if (l == LEVEL_AVX2)
    binary_avx2 (op, a, sa, b, sb, y, n);
  else
#endif
    binary_v4 (op, a, sa, b, sb, y, n);
}

void
cvm_simd_pair_max (const gint32 *x, gint32 *y, gsize n)
{
#ifdef MRT_X86
  if (level () == LEVEL_AVX512)
    pair_max_avx512 (x, y, n);
  else
#endif
    pair_max_c (x, y, n);
}
