/* test-cvm-gemm.c: the int8 conv2d / dense kernels of the CVM executor
 * (cvm/mrt-cvm-gemm.c) against a naive int64 reference, on every kernel path
 * this CPU has (each forced in turn), with odd sizes (K not a multiple of
 * 32, output-channel and pixel tails), extreme values, groups, depthwise,
 * stride, padding and dilation; the exact fallback for values outside int8;
 * thread counts 1/2/4; and the executor's runs and batch slices, which must
 * not change a single output. */
#include <string.h>

#include "cvm/mrt-cvm-exec.h"
#include "cvm/mrt-cvm-gemm.h"
#include "cvm/mrt-cvm.h"

static GRand *rng;

/* Random values in [lo, hi]; one in four is lo or hi. */
static void
fill (gint32 *v, gsize n, gint32 lo, gint32 hi)
{
  guint64 span = (guint64) ((gint64) hi - lo + 1);
  for (gsize i = 0; i < n; i++)
    switch (g_rand_int_range (rng, 0, 8))
      {
      case 0: v[i] = lo; break;
      case 1: v[i] = hi; break;
      default: v[i] = (gint32) (lo + (gint64) ((((guint64) g_rand_int (rng) << 32) | g_rand_int (rng)) % span));
      }
}

static gint32
wrap (gint64 v)
{
  return (gint32) (guint32) (guint64) v;
}

static void
ref_conv (const MrtCvmConvGeom *g, const gint32 *x, const gint32 *w, const gint32 *b, gint32 *y)
{
  gint64 icg = g->c / g->groups, ocg = g->oc / g->groups;
  for (gint64 n = 0; n < g->n; n++)
    for (gint64 oc = 0; oc < g->oc; oc++)
      for (gint64 oy = 0; oy < g->oh; oy++)
        for (gint64 ox = 0; ox < g->ow; ox++)
          {
            gint64 acc = b ? b[oc] : 0;
            for (gint64 ic = 0; ic < icg; ic++)
              for (gint64 ki = 0; ki < g->kh; ki++)
                for (gint64 kj = 0; kj < g->kw; kj++)
                  {
                    gint64 iy = oy * g->sh - g->ph + ki * g->dh, ix = ox * g->sw - g->pw + kj * g->dw;
                    gint64 c = (oc / ocg) * icg + ic;
                    if (iy < 0 || iy >= g->h || ix < 0 || ix >= g->w)
                      continue;
                    acc += (gint64) x[((n * g->c + c) * g->h + iy) * g->w + ix] *
                           w[((oc * icg + ic) * g->kh + ki) * g->kw + kj];
                  }
            y[((n * g->oc + oc) * g->oh + oy) * g->ow + ox] = wrap (acc);
          }
}

static void
ref_dense (gint64 m, gint64 k, gint64 u, const gint32 *x, const gint32 *w, const gint32 *b, gint32 *y)
{
  for (gint64 i = 0; i < m; i++)
    for (gint64 j = 0; j < u; j++)
      {
        gint64 acc = b ? b[j] : 0;
        for (gint64 q = 0; q < k; q++)
          acc += (gint64) x[i * k + q] * w[j * k + q];
        y[i * u + j] = wrap (acc);
      }
}

static void
assert_equal (const gint32 *got, const gint32 *want, gsize n, const char *what)
{
  for (gsize i = 0; i < n; i++)
    if (got[i] != want[i])
      g_error ("%s: element %" G_GSIZE_FORMAT " is %d, expected %d", what, i, got[i], want[i]);
}

static const guint thread_counts[] = { 1, 2, 4 };

/* ---- conv2d ---------------------------------------------------------------- */

typedef struct {
  const char *name;
  gint64 n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, groups;
  gboolean bias;
} ConvCase;

static const ConvCase conv_cases[] = {
  { "3x3 pad 1, 16 -> 16", 3, 16, 8, 8, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "odd sizes: K = 45, 13 channels, 63 pixels", 2, 5, 7, 9, 13, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "stride 2", 2, 6, 11, 10, 20, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "dilation 2", 1, 4, 9, 9, 8, 3, 3, 1, 1, 2, 2, 2, 2, 1, FALSE },
  { "1x1 stride 2, K = 33", 2, 33, 6, 6, 17, 1, 1, 2, 2, 0, 0, 1, 1, 1, TRUE },
  { "5x3 kernel, strides (2, 1), pads (2, 0)", 2, 3, 12, 13, 9, 5, 3, 2, 1, 2, 0, 1, 1, 1, TRUE },
  { "dilation (1, 3), stride (1, 2)", 1, 7, 10, 15, 11, 2, 3, 1, 2, 0, 3, 1, 3, 1, TRUE },
  { "K = 630", 1, 70, 5, 5, 33, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "one input channel", 4, 1, 10, 10, 16, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "1x1 output", 3, 9, 3, 3, 40, 3, 3, 1, 1, 0, 0, 1, 1, 1, TRUE },
  { "padding wider than the kernel", 1, 3, 4, 5, 5, 3, 3, 1, 1, 3, 4, 1, 1, 1, TRUE },
  { "groups 2", 2, 8, 6, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 2, TRUE },
  { "groups 4, 3 channels per group", 1, 12, 5, 6, 16, 3, 3, 2, 1, 1, 1, 1, 1, 4, TRUE },
  { "groups 3, 4 outputs per group", 2, 6, 5, 5, 12, 1, 1, 1, 1, 0, 0, 1, 1, 3, FALSE },
  { "depthwise", 2, 10, 9, 8, 10, 3, 3, 1, 1, 1, 1, 1, 1, 10, TRUE },
  { "depthwise stride 2", 1, 12, 13, 13, 12, 3, 3, 2, 2, 1, 1, 1, 1, 12, TRUE },
  { "depthwise dilated", 1, 5, 11, 11, 5, 3, 3, 1, 1, 2, 2, 2, 2, 5, FALSE },
  { "depthwise, multiplier 2", 2, 6, 7, 7, 12, 3, 3, 1, 1, 1, 1, 1, 1, 6, TRUE },
  { "batch 1, 32 x 32", 1, 16, 32, 32, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
};

static void
conv_geom (const ConvCase *cc, MrtCvmConvGeom *g)
{
  *g = (MrtCvmConvGeom){ cc->n, cc->c, cc->h, cc->w, cc->oc, 0, 0, cc->kh, cc->kw, cc->sh, cc->sw, cc->ph, cc->pw,
                         cc->dh, cc->dw, cc->groups };
  g->oh = (cc->h + 2 * cc->ph - ((cc->kh - 1) * cc->dh + 1)) / cc->sh + 1;
  g->ow = (cc->w + 2 * cc->pw - ((cc->kw - 1) * cc->dw + 1)) / cc->sw + 1;
}

typedef struct {
  MrtCvmConvGeom g;
  gsize nx, nw, ny;
  gint32 *x, *w, *b, *y, *want;
} ConvData;

static void
conv_data_init (ConvData *d, const ConvCase *cc, gint32 lo, gint32 hi, gint32 blo, gint32 bhi)
{
  conv_geom (cc, &d->g);
  d->nx = (gsize) (d->g.n * d->g.c * d->g.h * d->g.w);
  d->nw = (gsize) (d->g.oc * (d->g.c / d->g.groups) * d->g.kh * d->g.kw);
  d->ny = (gsize) (d->g.n * d->g.oc * d->g.oh * d->g.ow);
  d->x = g_new (gint32, d->nx);
  d->w = g_new (gint32, d->nw);
  d->b = cc->bias ? g_new (gint32, d->g.oc) : NULL;
  d->y = g_new (gint32, d->ny);
  d->want = g_new (gint32, d->ny);
  fill (d->x, d->nx, lo, hi);
  fill (d->w, d->nw, lo, hi);
  if (d->b)
    fill (d->b, (gsize) d->g.oc, blo, bhi);
  ref_conv (&d->g, d->x, d->w, d->b, d->want);
}

static void
conv_data_clear (ConvData *d)
{
  g_free (d->x);
  g_free (d->w);
  g_free (d->b);
  g_free (d->y);
  g_free (d->want);
}

/* every path, packed or not, every thread count */
static void
check_conv_all (ConvData *d, const char *name, MrtCvmKernelUsed expect)
{
  for (int p = MRT_CVM_KERNEL_SCALAR; p < MRT_CVM_KERNEL_N_PATHS; p++)
    {
      MrtCvmPacked *pk;
      if (!mrt_cvm_kernel_force_path (p))
        continue;
      pk = mrt_cvm_pack_conv2d (&d->g, d->w, d->b);
      for (guint t = 0; t < G_N_ELEMENTS (thread_counts); t++)
        for (int packed = 0; packed < 2; packed++)
          {
            g_autofree char *what =
              g_strdup_printf ("conv2d %s, %s, %u threads%s", name, mrt_cvm_kernel_path_name (p), thread_counts[t],
                               packed ? ", packed" : "");
            memset (d->y, 0x5a, d->ny * sizeof (gint32));
            mrt_cvm_conv2d_run (&d->g, d->x, d->w, d->b, packed ? pk : NULL, d->y, thread_counts[t]);
            if (mrt_cvm_kernel_last_used () != expect)
              g_error ("%s: kernel %d used, expected %d", what, mrt_cvm_kernel_last_used (), expect);
            assert_equal (d->y, d->want, d->ny, what);
          }
      mrt_cvm_packed_free (pk);
    }
  mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
}

static void
test_conv_cases (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      const ConvCase *cc = &conv_cases[i];
      ConvData d;
      conv_data_init (&d, cc, -127, 127, -100000, 100000);
      check_conv_all (&d, cc->name, cc->oc / cc->groups >= 4 ? MRT_CVM_KERNEL_USED_GEMM : MRT_CVM_KERNEL_USED_DIRECT);
      conv_data_clear (&d);
    }
}

/* the largest sums: every product +-127 * 127 with one sign, and -128 too */
static void
test_conv_extremes (void)
{
  const ConvCase cc = { "extremes", 2, 64, 6, 6, 24, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE };
  const gint32 xs[] = { 127, -127, -128 }, ws[] = { 127, -127, -128 };
  for (guint a = 0; a < G_N_ELEMENTS (xs); a++)
    for (guint b = 0; b < G_N_ELEMENTS (ws); b++)
      {
        ConvData d;
        g_autofree char *name = g_strdup_printf ("x = %d, w = %d", xs[a], ws[b]);
        conv_data_init (&d, &cc, -127, 127, G_MININT32, G_MAXINT32);
        for (gsize i = 0; i < d.nx; i++)
          d.x[i] = xs[a];
        for (gsize i = 0; i < d.nw; i++)
          d.w[i] = ws[b];
        ref_conv (&d.g, d.x, d.w, d.b, d.want);
        check_conv_all (&d, name, MRT_CVM_KERNEL_USED_GEMM);
        conv_data_clear (&d);
      }
}

/* values outside int8: the exact int32 loops, wrapping modulo 2^32 */
static void
test_conv_fallback (void)
{
  const ConvCase cc = { "fallback", 2, 5, 6, 6, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE };
  for (int where = 0; where < 2; where++)
    {
      ConvData d;
      conv_data_init (&d, &cc, -127, 127, -1000, 1000);
      if (where == 0)
        d.x[g_rand_int_range (rng, 0, (gint32) d.nx)] = 128; /* just outside */
      else
        for (gsize i = 0; i < d.nw; i++)
          d.w[i] = g_rand_int_range (rng, -2000000000, 2000000000); /* products wrap */
      ref_conv (&d.g, d.x, d.w, d.b, d.want);
      check_conv_all (&d, where == 0 ? "input 128" : "huge weights", MRT_CVM_KERNEL_USED_FALLBACK);
      conv_data_clear (&d);
    }
}

/* random shapes */
static void
test_conv_random (void)
{
  for (int i = 0; i < 40; i++)
    {
      ConvCase cc = { "random" };
      ConvData d;
      g_autofree char *name = NULL;
      cc.groups = g_rand_int_range (rng, 0, 3) == 0 ? g_rand_int_range (rng, 2, 4) : 1;
      cc.n = g_rand_int_range (rng, 1, 4);
      cc.c = cc.groups * g_rand_int_range (rng, 1, 12);
      cc.oc = cc.groups * g_rand_int_range (rng, 1, 24);
      cc.kh = g_rand_int_range (rng, 1, 4);
      cc.kw = g_rand_int_range (rng, 1, 4);
      cc.sh = g_rand_int_range (rng, 1, 3);
      cc.sw = g_rand_int_range (rng, 1, 3);
      cc.dh = g_rand_int_range (rng, 1, 3);
      cc.dw = g_rand_int_range (rng, 1, 3);
      cc.ph = g_rand_int_range (rng, 0, 3);
      cc.pw = g_rand_int_range (rng, 0, 3);
      cc.h = g_rand_int_range (rng, (cc.kh - 1) * cc.dh + 1, 14);
      cc.w = g_rand_int_range (rng, (cc.kw - 1) * cc.dw + 1, 14);
      cc.bias = g_rand_boolean (rng);
      name = g_strdup_printf ("random %d: n %" G_GINT64_FORMAT " c %" G_GINT64_FORMAT " oc %" G_GINT64_FORMAT
                              " groups %" G_GINT64_FORMAT,
                              i, cc.n, cc.c, cc.oc, cc.groups);
      conv_data_init (&d, &cc, -128, 127, G_MININT32, G_MAXINT32);
      check_conv_all (&d, name, cc.oc / cc.groups >= 4 ? MRT_CVM_KERNEL_USED_GEMM : MRT_CVM_KERNEL_USED_DIRECT);
      conv_data_clear (&d);
    }
}

/* ---- dense ----------------------------------------------------------------- */

static void
check_dense (gint64 m, gint64 k, gint64 u, gboolean bias, gint32 lo, gint32 hi, MrtCvmKernelUsed expect)
{
  g_autofree gint32 *x = g_new (gint32, m * k);
  g_autofree gint32 *w = g_new (gint32, u * k);
  g_autofree gint32 *b = bias ? g_new (gint32, u) : NULL;
  g_autofree gint32 *y = g_new (gint32, m * u);
  g_autofree gint32 *want = g_new (gint32, m * u);

  fill (x, (gsize) (m * k), lo, hi);
  fill (w, (gsize) (u * k), -128, 127);
  if (b)
    fill (b, (gsize) u, G_MININT32, G_MAXINT32);
  ref_dense (m, k, u, x, w, b, want);
  for (int p = MRT_CVM_KERNEL_SCALAR; p < MRT_CVM_KERNEL_N_PATHS; p++)
    {
      MrtCvmPacked *pk;
      if (!mrt_cvm_kernel_force_path (p))
        continue;
      pk = mrt_cvm_pack_dense (k, u, w, b);
      for (guint t = 0; t < G_N_ELEMENTS (thread_counts); t++)
        for (int packed = 0; packed < 2; packed++)
          {
            g_autofree char *what = g_strdup_printf ("dense %" G_GINT64_FORMAT "x%" G_GINT64_FORMAT "x%" G_GINT64_FORMAT
                                                     ", %s, %u threads%s",
                                                     m, k, u, mrt_cvm_kernel_path_name (p), thread_counts[t],
                                                     packed ? ", packed" : "");
            memset (y, 0x5a, m * u * sizeof (gint32));
            mrt_cvm_dense_run (m, k, u, x, w, b, packed ? pk : NULL, y, thread_counts[t]);
            g_assert_cmpint (mrt_cvm_kernel_last_used (), ==, expect);
            assert_equal (y, want, (gsize) (m * u), what);
          }
      mrt_cvm_packed_free (pk);
    }
  mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
}

static void
test_dense (void)
{
  static const gint64 sizes[][3] = {
    { 1, 1, 1 }, { 3, 5, 7 }, { 17, 33, 19 }, { 16, 32, 16 }, { 5, 100, 130 }, { 64, 1568, 64 }, { 33, 7, 40 },
    { 2, 1000, 3 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++)
    check_dense (sizes[i][0], sizes[i][1], sizes[i][2], i % 2 == 0, -128, 127, MRT_CVM_KERNEL_USED_GEMM);
  for (int i = 0; i < 20; i++)
    check_dense (g_rand_int_range (rng, 1, 40), g_rand_int_range (rng, 1, 300), g_rand_int_range (rng, 1, 50),
                 g_rand_boolean (rng), -128, 127, MRT_CVM_KERNEL_USED_GEMM);
  check_dense (9, 21, 11, TRUE, -129, 129, MRT_CVM_KERNEL_USED_FALLBACK);
}

/* a stale pack (made for another path) is not used */
static void
test_stale_pack (void)
{
  const ConvCase cc = { "stale", 1, 8, 5, 5, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE };
  ConvData d;
  MrtCvmPacked *pk;
  conv_data_init (&d, &cc, -127, 127, -10, 10);
  g_assert_true (mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_SCALAR));
  pk = mrt_cvm_pack_conv2d (&d.g, d.w, d.b);
  for (int p = MRT_CVM_KERNEL_SCALAR; p < MRT_CVM_KERNEL_N_PATHS; p++)
    if (mrt_cvm_kernel_force_path (p))
      {
        mrt_cvm_conv2d_run (&d.g, d.x, d.w, d.b, pk, d.y, 1);
        assert_equal (d.y, d.want, d.ny, mrt_cvm_kernel_path_name (p));
      }
  mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
  mrt_cvm_packed_free (pk);
  conv_data_clear (&d);
}

static void
test_paths (void)
{
  g_assert_true (mrt_cvm_kernel_path_supported (MRT_CVM_KERNEL_SCALAR));
  g_assert_false (mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_N_PATHS));
  g_assert_true (mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO));
  g_assert_cmpint (mrt_cvm_kernel_path (), !=, MRT_CVM_KERNEL_AUTO);
  for (int p = MRT_CVM_KERNEL_SCALAR; p < MRT_CVM_KERNEL_N_PATHS; p++)
    if (g_test_verbose ())
      g_test_message ("path %s: %s", mrt_cvm_kernel_path_name (p),
                      mrt_cvm_kernel_path_supported (p) ? "supported" : "not on this CPU");
#if defined(__x86_64__)
  if (__builtin_cpu_supports ("avx2"))
    g_assert_true (mrt_cvm_kernel_path_supported (MRT_CVM_KERNEL_AVX2));
#endif
}

/* ---- the executor: runs, slices, threads, paths -------------------------- */

static GHashTable *
str_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static guint
add_var (MrtModel *m, const char *name, const char *shape, int prec, gint32 lo, gint32 hi)
{
  GHashTable *a = str_table ();
  guint id;
  g_hash_table_insert (a, g_strdup ("precision"), g_strdup_printf ("%d", prec));
  g_hash_table_insert (a, g_strdup ("__shape__"), g_strdup (shape));
  id = mrt_model_add_node_n (m, name, "null", a, NULL, 0, 1);
  if (strcmp (name, "data") != 0)
    {
      MrtShape s;
      g_autoptr (MrtTensor) t = NULL;
      g_assert_true (mrt_shape_parse (shape, FALSE, &s, NULL));
      t = mrt_tensor_new (MRT_DTYPE_I32, &s);
      fill (mrt_tensor_i32 (t), t->n, lo, hi);
      mrt_model_set_param_raw (m, name, t);
    }
  return id;
}

static MrtEntry
op (MrtModel *m, const char *name, const char *opname, const char *const *kv, const MrtEntry *in, guint n_in)
{
  GHashTable *a = str_table ();
  for (guint i = 0; kv && kv[i]; i += 2)
    g_hash_table_insert (a, g_strdup (kv[i]), g_strdup (kv[i + 1]));
  return (MrtEntry){ mrt_model_add_node_n (m, name, opname, a, in, n_in, 1), 0 };
}

#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define IN(...) ((const MrtEntry[]){ __VA_ARGS__ }), G_N_ELEMENTS (((const MrtEntry[]){ __VA_ARGS__ }))

static MrtEntry
w2_of (MrtModel *m)
{
  return (MrtEntry){ add_var (m, "w2", "(12, 12, 1, 1)", 8, -127, 127), 0 };
}

/* A small residual network over a batch of 16 (activations well over the
 * slice budget): conv, shift, relu, conv, scale by a scalar parameter,
 * residual add, clip, pooling, flatten, dense; three outputs. */
static MrtModel *
resnet_block (void)
{
  MrtModel *m = mrt_model_new ();
  MrtEntry d = { add_var (m, "data", "(16, 8, 20, 20)", 8, 0, 0), 0 };
  MrtEntry w1 = { add_var (m, "w1", "(16, 8, 3, 3)", 8, -127, 127), 0 };
  MrtEntry b1 = { add_var (m, "b1", "(16,)", 8, -127, 127), 0 };
  MrtEntry w2 = { add_var (m, "w2", "(16, 16, 3, 3)", 8, -127, 127), 0 };
  MrtEntry b2 = { add_var (m, "b2", "(16,)", 8, -127, 127), 0 };
  MrtEntry sc = { add_var (m, "scale", "(1,)", 4, 3, 7), 0 };
  MrtEntry wd = { add_var (m, "wd", "(10, 1600)", 8, -127, 127), 0 };
  MrtEntry bd = { add_var (m, "bd", "(10,)", 8, -127, 127), 0 };
  MrtEntry c1, r1, z1, c2, r2, s2, r3, a, cl, p, f, o;

  c1 = op (m, "conv1", "conv2d", KV ("channels", "16", "kernel_size", "(3, 3)", "padding", "(1, 1)"), IN (d, w1, b1));
  r1 = op (m, "shift1", "cvm_right_shift", KV ("precision", "8", "shift_bit", "9"), IN (c1));
  z1 = op (m, "relu1", "relu", NULL, IN (r1));
  c2 = op (m, "conv2", "conv2d", KV ("channels", "16", "kernel_size", "(3, 3)", "padding", "(1, 1)"), IN (z1, w2, b2));
  r2 = op (m, "shift2", "cvm_right_shift", KV ("precision", "8", "shift_bit", "10"), IN (c2));
  s2 = op (m, "scale2", "broadcast_mul", NULL, IN (r2, sc));
  r3 = op (m, "shift3", "cvm_right_shift", KV ("precision", "8", "shift_bit", "2"), IN (s2));
  a = op (m, "add", "elemwise_add", NULL, IN (r3, z1));
  cl = op (m, "clip", "cvm_clip", KV ("precision", "8"), IN (a));
  p = op (m, "pool", "max_pool2d", KV ("pool_size", "(2, 2)", "strides", "(2, 2)"), IN (cl));
  f = op (m, "flatten", "flatten", NULL, IN (p));
  o = op (m, "dense", "dense", KV ("units", "10"), IN (f, wd, bd));
  mrt_model_add_head (m, o);
  mrt_model_add_head (m, f);
  return m;
}

/* data read by conv only, then a chain of element-wise nodes: the planner
 * may give the chain's outputs the input's buffer */
static MrtModel *
conv_chain (void)
{
  MrtModel *m = mrt_model_new ();
  MrtEntry d = { add_var (m, "data", "(6, 12, 9, 9)", 8, 0, 0), 0 };
  MrtEntry w = { add_var (m, "w", "(12, 12, 3, 3)", 8, -127, 127), 0 };
  MrtEntry b = { add_var (m, "b", "(12,)", 8, -127, 127), 0 };
  MrtEntry k = { add_var (m, "k", "(1,)", 3, -3, 3), 0 };
  MrtEntry c, e;
  c = op (m, "conv", "conv2d", KV ("channels", "12", "kernel_size", "(3, 3)", "padding", "(1, 1)"), IN (d, w, b));
  e = op (m, "clip", "clip", KV ("a_min", "-50000", "a_max", "60000"), IN (c));
  e = op (m, "mul", "broadcast_mul", NULL, IN (e, k));
  e = op (m, "relu", "relu", NULL, IN (e));
  e = op (m, "shift", "cvm_right_shift", KV ("precision", "8", "shift_bit", "7"), IN (e));
  e = op (m, "cclip", "cvm_clip", KV ("precision", "6"), IN (e));
  c = op (m, "conv2", "conv2d", KV ("channels", "12", "kernel_size", "(1, 1)", "use_bias", "False"), IN (e, w2_of (m)));
  e = op (m, "relu2", "relu", NULL, IN (c));
  mrt_model_add_head (m, e);
  return m;
}

/* mixes samples: must never run in slices */
static MrtModel *
batch_mixing (gboolean transpose)
{
  MrtModel *m = mrt_model_new ();
  MrtEntry d = { add_var (m, "data", "(8, 8, 24, 24)", 8, 0, 0), 0 };
  MrtEntry w = { add_var (m, "w", "(8, 8, 3, 3)", 8, -127, 127), 0 };
  MrtEntry c, r, s, o;
  c = op (m, "conv", "conv2d", KV ("channels", "8", "kernel_size", "(3, 3)", "padding", "(1, 1)", "use_bias", "False"),
          IN (d, w));
  r = op (m, "shift", "cvm_right_shift", KV ("precision", "8", "shift_bit", "8"), IN (c));
  if (transpose)
    o = op (m, "transpose", "transpose", KV ("axes", "(1, 0, 2, 3)"), IN (r));
  else
    {
      s = op (m, "sum", "sum", KV ("axis", "(0,)", "keepdims", "True"), IN (r));
      o = op (m, "add", "broadcast_add", NULL, IN (r, s));
    }
  mrt_model_add_head (m, o);
  return m;
}

/* slice: -1 automatic, 0 none; expect_sliced: -1 either way */
static GPtrArray *
run_model (MrtModel *m, MrtTensor *x, gint64 slice, guint threads, int expect_sliced)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCvmExec) exec = NULL;
  GPtrArray *out;
  exec = mrt_cvm_exec_new_sliced (m, threads, slice, &error);
  g_assert_no_error (error);
  if (expect_sliced >= 0)
    g_assert_cmpint (mrt_cvm_exec_slice (exec) > 0, ==, expect_sliced);
  out = mrt_cvm_exec_run (exec, x, NULL, &error);
  g_assert_no_error (error);
  /* twice: nothing may leak from one run into the next */
  {
    g_autoptr (GPtrArray) again = mrt_cvm_exec_run (exec, x, NULL, &error);
    g_assert_no_error (error);
    for (guint h = 0; h < out->len; h++)
      {
        MrtTensor *a = g_ptr_array_index (out, h), *b = g_ptr_array_index (again, h);
        assert_equal (mrt_tensor_i32 (b), mrt_tensor_i32 (a), a->n, "second run");
      }
  }
  return out;
}

static void
assert_same_outputs (GPtrArray *a, GPtrArray *b, const char *what)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint h = 0; h < a->len; h++)
    {
      MrtTensor *ta = g_ptr_array_index (a, h), *tb = g_ptr_array_index (b, h);
      g_assert_true (mrt_shape_equal (&ta->shape, &tb->shape));
      assert_equal (mrt_tensor_i32 (tb), mrt_tensor_i32 (ta), ta->n, what);
    }
}

static MrtTensor *
random_input (MrtModel *m)
{
  MrtShape s;
  MrtTensor *x;
  g_assert_true (mrt_shape_parse (mrt_node_get_attr (mrt_model_node (m, 0), "__shape__"), FALSE, &s, NULL));
  x = mrt_tensor_new (MRT_DTYPE_I32, &s);
  fill (mrt_tensor_i32 (x), x->n, -140, 140); /* some get clamped to +-127 */
  return x;
}

/* every path, slice size, thread count, with and without fused epilogues,
 * against the scalar path run operator by operator without slices */
static void
check_configurations (MrtModel *m, const gint64 *slices, const int *sliced, guint n_slices)
{
  g_autoptr (MrtTensor) x = random_input (m);
  g_autoptr (GPtrArray) base = NULL;

  g_assert_true (mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_SCALAR));
  mrt_cvm_exec_set_fusion (FALSE);
  base = run_model (m, x, 0, 1, 0);
  for (int fused = 0; fused < 2; fused++)
    for (int p = MRT_CVM_KERNEL_SCALAR; p < MRT_CVM_KERNEL_N_PATHS; p++)
      {
        if (!mrt_cvm_kernel_force_path (p))
          continue;
        mrt_cvm_exec_set_fusion (fused);
        for (guint s = 0; s < n_slices; s++)
          for (guint t = 0; t < G_N_ELEMENTS (thread_counts); t++)
            {
              g_autofree char *what = g_strdup_printf ("%s, slice %" G_GINT64_FORMAT ", %u threads%s",
                                                       mrt_cvm_kernel_path_name (p), slices[s], thread_counts[t],
                                                       fused ? ", fused" : "");
              g_autoptr (GPtrArray) out = run_model (m, x, slices[s], thread_counts[t], sliced[s]);
              assert_same_outputs (base, out, what);
            }
      }
  mrt_cvm_exec_set_fusion (TRUE);
  mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
}

static void
test_exec_configurations (void)
{
  g_autoptr (MrtModel) m = resnet_block ();
  const gint64 slices[] = { -1, 0, 1, 3, 16, 100 };
  const int sliced[] = { 1, 0, 1, 1, 0, 0 };
  check_configurations (m, slices, sliced, G_N_ELEMENTS (slices));
}

static void
test_exec_fused_chain (void)
{
  g_autoptr (MrtModel) m = conv_chain ();
  const gint64 slices[] = { 0, 4 };
  const int sliced[] = { 0, 1 };
  check_configurations (m, slices, sliced, G_N_ELEMENTS (slices));
}

static void
test_exec_batch_mixing (void)
{
  for (int transpose = 0; transpose < 2; transpose++)
    {
      g_autoptr (MrtModel) m = batch_mixing (transpose);
      g_autoptr (MrtTensor) x = random_input (m);
      g_autoptr (GPtrArray) whole = run_model (m, x, 0, 1, 0);
      g_autoptr (GPtrArray) asked = run_model (m, x, 2, 2, 0); /* refused */
      assert_same_outputs (whole, asked, transpose ? "transpose (1, 0, 2, 3)" : "sum over the batch");
    }
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (20240611);
  g_test_add_func ("/cvm-gemm/paths", test_paths);
  g_test_add_func ("/cvm-gemm/conv2d/cases", test_conv_cases);
  g_test_add_func ("/cvm-gemm/conv2d/extremes", test_conv_extremes);
  g_test_add_func ("/cvm-gemm/conv2d/fallback", test_conv_fallback);
  g_test_add_func ("/cvm-gemm/conv2d/random", test_conv_random);
  g_test_add_func ("/cvm-gemm/conv2d/stale-pack", test_stale_pack);
  g_test_add_func ("/cvm-gemm/dense", test_dense);
  g_test_add_func ("/cvm-gemm/exec/configurations", test_exec_configurations);
  g_test_add_func ("/cvm-gemm/exec/fused-chain", test_exec_fused_chain);
  g_test_add_func ("/cvm-gemm/exec/batch-mixing", test_exec_batch_mixing);
  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
