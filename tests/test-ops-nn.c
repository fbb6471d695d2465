/* test-ops-nn.c: the nn and vision operators against naive references.
 * Every op runs through a one-node model and the float executor; the
 * references below are written independently of the kernels (direct loops,
 * double accumulation). */
#include <math.h>
#include <string.h>

#include "mrt.h"

#define TOLERANCE 1e-5

static GRand *rng;

static MrtTensor *
random_tensor (const MrtShape *shape, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) g_rand_double_range (rng, lo, hi);
  return t;
}

static MrtTensor *
tensor_from (const MrtShape *shape, const float *values)
{
  return mrt_tensor_new_f32 (shape, values);
}

static GHashTable *
attrs_valist (const char *first, va_list ap)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (const char *k = first; k; k = va_arg (ap, const char *))
    {
      const char *v = va_arg (ap, const char *);
      g_hash_table_insert (h, g_strdup (k), g_strdup (v));
    }
  return h;
}

/* Builds variables in0..in<n-1> (those flagged as params become
 * parameters), one op node over them and a head on output `out_index`. */
static MrtModel *
build_model (const char *op, GHashTable *attrs, MrtTensor *const *inputs, const gboolean *is_param, guint n,
             guint out_index)
{
  MrtModel *m = mrt_model_new ();
  g_autofree MrtEntry *entries = g_new0 (MrtEntry, n + 1);
  guint node;
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *name = g_strdup_printf ("in%u", i);
      entries[i] = (MrtEntry){ mrt_model_add_variable (m, name), 0 };
      if (is_param && is_param[i])
        mrt_model_set_param (m, name, inputs[i]);
    }
  node = mrt_model_add_node (m, "op", op, attrs, entries, n);
  mrt_model_add_head (m, (MrtEntry){ node, out_index });
  return m;
}

/* Runs op; inputs not flagged as params are fed at run time in order.
 * Returns the output or NULL with error (from validation, shape inference
 * or the kernel). */
static MrtTensor *
run_op_full (const char *op, GHashTable *attrs, MrtTensor *const *inputs, const gboolean *is_param, guint n,
             guint out_index, GError **error)
{
  g_autoptr (MrtModel) m = build_model (op, attrs, inputs, is_param, n, out_index);
  g_autoptr (GPtrArray) fed = g_ptr_array_new ();
  g_autoptr (GPtrArray) out = NULL;
  if (!mrt_model_validate (m, error))
    return NULL;
  for (guint i = 0; i < n; i++)
    if (!(is_param && is_param[i]))
      g_ptr_array_add (fed, inputs[i]);
  out = mrt_model_forward (m, (MrtTensor *const *) fed->pdata, fed->len, NULL, error);
  return out ? mrt_tensor_ref (g_ptr_array_index (out, 0)) : NULL;
}

/* data is the run-time input; the rest are parameters. */
static MrtTensor *
run_op (const char *op, GHashTable *attrs, MrtTensor *const *inputs, guint n, GError **error)
{
  gboolean is_param[8] = { FALSE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE, TRUE };
  g_assert_cmpuint (n, <=, 8);
  return run_op_full (op, attrs, inputs, is_param, n, 0, error);
}

/* Attributes as key, value pairs ending with NULL. */
static MrtTensor *
run1 (const char *op, MrtTensor *data, const char *first_key, ...)
{
  va_list ap;
  GHashTable *attrs;
  GError *error = NULL;
  MrtTensor *out;
  va_start (ap, first_key);
  attrs = attrs_valist (first_key, ap);
  va_end (ap);
  out = run_op (op, attrs, &data, 1, &error);
  g_assert_no_error (error);
  return out;
}

static GHashTable *G_GNUC_NULL_TERMINATED
attrs_new (const char *first_key, ...)
{
  va_list ap;
  GHashTable *h;
  va_start (ap, first_key);
  h = attrs_valist (first_key, ap);
  va_end (ap);
  return h;
}

/* max|got - ref| <= 1e-5 * max(1, max|ref|); NaN must match NaN. */
static void
assert_close (const MrtTensor *got, const double *ref, gsize n, const MrtShape *shape)
{
  double maxref = 0, maxdiff = 0;
  const float *g = mrt_tensor_f32 (got);
  if (shape)
    g_assert_true (mrt_shape_equal (&got->shape, shape));
  g_assert_cmpuint (got->n, ==, n);
  for (gsize i = 0; i < n; i++)
    {
      if (isnan (ref[i]) || isnan (g[i]))
        {
          if (!(isnan (ref[i]) && isnan (g[i])))
            g_error ("element %" G_GSIZE_FORMAT ": got %g, expected %g", i, (double) g[i], ref[i]);
          continue;
        }
      maxref = MAX (maxref, fabs (ref[i]));
      maxdiff = MAX (maxdiff, fabs ((double) g[i] - ref[i]));
    }
  if (maxdiff > TOLERANCE * MAX (1.0, maxref))
    g_error ("max difference %g exceeds %g (max |ref| %g)", maxdiff, TOLERANCE * MAX (1.0, maxref), maxref);
}

static void
assert_error_contains (GError *error, const char *needle)
{
  g_assert_nonnull (error);
  if (strstr (error->message, needle) == NULL)
    g_error ("error “%s” does not mention “%s”", error->message, needle);
}

/* ---------------- Convolution ---------------- */

typedef struct {
  const char *path;
  int n, c, h, w; /* h == 0: 1-D (N, C, W) */
  int f, kh, kw, sh, sw, ph, pw, dh, dw, groups;
  gboolean no_bias;
} ConvCase;

static const ConvCase conv_cases[] = {
  { "/conv/3x3-odd-batch3", 3, 3, 7, 9, 5, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/stride2-pad-odd", 2, 4, 9, 11, 6, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "/conv/dilate2", 2, 3, 10, 9, 4, 3, 3, 1, 1, 2, 2, 2, 2, 1, FALSE },
  { "/conv/rect-kernel-asym", 1, 2, 8, 13, 3, 2, 5, 1, 3, 0, 2, 1, 1, 1, FALSE },
  { "/conv/groups2", 3, 4, 7, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1, 2, FALSE },
  { "/conv/groups2-stride2-dilate", 2, 6, 11, 9, 4, 3, 3, 2, 2, 2, 1, 2, 1, 2, TRUE },
  { "/conv/depthwise", 3, 5, 9, 7, 5, 3, 3, 1, 1, 1, 1, 1, 1, 5, FALSE },
  { "/conv/depthwise-stride2-dilate", 2, 4, 12, 11, 4, 3, 3, 2, 2, 2, 2, 2, 2, 4, TRUE },
  { "/conv/depthwise-threaded", 4, 8, 32, 33, 8, 3, 3, 1, 1, 1, 1, 1, 1, 8, FALSE },
  { "/conv/depthwise-multiplier2", 2, 3, 8, 8, 6, 3, 3, 1, 1, 1, 1, 1, 1, 3, FALSE },
  { "/conv/1x1-small", 3, 8, 5, 7, 4, 1, 1, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "/conv/1x1-large-direct", 2, 6, 48, 50, 5, 1, 1, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "/conv/1x1-stride2", 3, 8, 9, 9, 4, 1, 1, 2, 2, 0, 0, 1, 1, 1, TRUE },
  { "/conv/chunked-batch5", 5, 16, 37, 37, 8, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/many-images-per-gemm", 7, 4, 6, 5, 3, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/banded-rows", 2, 16, 64, 64, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  /* per-thread (image, row band) tasks, groups, a last band of one row */
  { "/conv/banded-tasks-groups", 2, 32, 41, 40, 32, 3, 3, 1, 1, 1, 1, 1, 1, 2, FALSE },
  /* too wide for a single-threaded band: multi-image chunks and the reorder copy */
  { "/conv/chunked-64ch", 3, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/chunked-64ch-stride2", 3, 32, 15, 16, 64, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  /* one image too wide for a band task: the multi-threaded sgemm, whole and in bands of rows */
  { "/conv/single-image-wide", 1, 64, 8, 8, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/single-image-row-bands", 1, 64, 48, 48, 64, 3, 3, 1, 1, 1, 1, 1, 1, 1, TRUE },
  { "/conv/banded-rows-stride2", 1, 16, 131, 129, 5, 3, 3, 2, 2, 1, 1, 1, 1, 1, TRUE },
  { "/conv/kernel-equals-input", 2, 3, 5, 5, 4, 5, 5, 1, 1, 0, 0, 1, 1, 1, FALSE },
  { "/conv/pad-larger-than-kernel", 1, 2, 4, 4, 3, 3, 3, 2, 2, 4, 4, 1, 1, 1, FALSE },
  { "/conv/same-width-tall-kernel", 2, 3, 9, 8, 4, 5, 3, 1, 1, 1, 1, 1, 1, 1, FALSE },
  { "/conv/same-width-dilated-rows", 2, 2, 7, 6, 3, 3, 3, 1, 1, 3, 2, 3, 1, 1, TRUE },
  { "/conv/1d", 3, 4, 0, 17, 5, 0, 3, 0, 2, 0, 1, 0, 2, 1, FALSE },
  { "/conv/1d-same", 2, 3, 0, 13, 4, 0, 3, 0, 1, 0, 1, 0, 1, 1, FALSE },
  { "/conv/1d-groups-nobias", 2, 4, 0, 10, 6, 0, 2, 0, 1, 0, 0, 0, 1, 2, TRUE },
  { "/conv/1d-depthwise", 2, 3, 0, 12, 3, 0, 3, 0, 1, 0, 1, 0, 1, 3, FALSE },
};

static int
conv_out (int in, int k, int s, int p, int d)
{
  return (in + 2 * p - (d * (k - 1) + 1)) / s + 1;
}

static void
test_conv_case (gconstpointer data)
{
  const ConvCase *cc = data;
  gboolean one_d = cc->h == 0;
  int h = one_d ? 1 : cc->h, kh = one_d ? 1 : cc->kh, sh = one_d ? 1 : cc->sh, ph = one_d ? 0 : cc->ph;
  int dh = one_d ? 1 : cc->dh;
  int oh = conv_out (h, kh, sh, ph, dh), ow = conv_out (cc->w, cc->kw, cc->sw, cc->pw, cc->dw);
  int cg = cc->c / cc->groups, fg = cc->f / cc->groups;
  MrtShape xs = one_d ? mrt_shape_make (3, (gint64) cc->n, (gint64) cc->c, (gint64) cc->w)
                      : mrt_shape_make (4, (gint64) cc->n, (gint64) cc->c, (gint64) h, (gint64) cc->w);
  MrtShape wsh = one_d ? mrt_shape_make (3, (gint64) cc->f, (gint64) cg, (gint64) cc->kw)
                       : mrt_shape_make (4, (gint64) cc->f, (gint64) cg, (gint64) kh, (gint64) cc->kw);
  MrtShape os = one_d ? mrt_shape_make (3, (gint64) cc->n, (gint64) cc->f, (gint64) ow)
                      : mrt_shape_make (4, (gint64) cc->n, (gint64) cc->f, (gint64) oh, (gint64) ow);
  g_autoptr (MrtTensor) x = random_tensor (&xs, -1, 1);
  g_autoptr (MrtTensor) w = random_tensor (&wsh, -1, 1);
  g_autoptr (MrtTensor) b = random_tensor (&(MrtShape){ 1, { cc->f } }, -1, 1);
  g_autoptr (MrtTensor) y = NULL;
  g_autofree double *ref = g_new0 (double, (gsize) cc->n * cc->f * oh * ow);
  g_autofree char *kernel = NULL, *stride = NULL, *pad = NULL, *dilate = NULL, *nf = NULL, *ng = NULL;
  const float *xd = mrt_tensor_f32 (x), *wd = mrt_tensor_f32 (w), *bd = mrt_tensor_f32 (b);
  MrtTensor *inputs[3] = { x, w, b };
  GError *error = NULL;

  if (one_d)
    {
      kernel = g_strdup_printf ("(%d,)", cc->kw);
      stride = g_strdup_printf ("(%d,)", cc->sw);
      pad = g_strdup_printf ("(%d,)", cc->pw);
      dilate = g_strdup_printf ("(%d,)", cc->dw);
    }
  else
    {
      kernel = g_strdup_printf ("(%d, %d)", kh, cc->kw);
      stride = g_strdup_printf ("(%d, %d)", sh, cc->sw);
      pad = g_strdup_printf ("(%d, %d)", ph, cc->pw);
      dilate = g_strdup_printf ("(%d, %d)", dh, cc->dw);
    }
  nf = g_strdup_printf ("%d", cc->f);
  ng = g_strdup_printf ("%d", cc->groups);
  y = run_op ("Convolution",
              attrs_new ("kernel", kernel, "stride", stride, "pad", pad, "dilate", dilate, "num_filter", nf,
                         "num_group", ng, "no_bias", cc->no_bias ? "True" : "False", "workspace", "512",
                         "cudnn_tune", "off", "layout", one_d ? "NCW" : "NCHW", NULL),
              inputs, cc->no_bias ? 2 : 3, &error);
  g_assert_no_error (error);

  for (int n = 0; n < cc->n; n++)
    for (int f = 0; f < cc->f; f++)
      for (int oy = 0; oy < oh; oy++)
        for (int ox = 0; ox < ow; ox++)
          {
            int grp = f / fg;
            double acc = cc->no_bias ? 0.0 : bd[f];
            for (int c = 0; c < cg; c++)
              for (int ky = 0; ky < kh; ky++)
                for (int kx = 0; kx < cc->kw; kx++)
                  {
                    int iy = oy * sh - ph + ky * dh, ix = ox * cc->sw - cc->pw + kx * cc->dw;
                    if (iy < 0 || iy >= h || ix < 0 || ix >= cc->w)
                      continue;
                    acc += (double) xd[((n * cc->c + grp * cg + c) * h + iy) * cc->w + ix] *
                           wd[((f * cg + c) * kh + ky) * cc->kw + kx];
                  }
            ref[((n * cc->f + f) * oh + oy) * ow + ox] = acc;
          }
  assert_close (y, ref, (gsize) cc->n * cc->f * oh * ow, &os);
}

/* Runs a Convolution with the given shapes and attributes and expects a
 * shape error mentioning needle. */
static void
expect_conv_error (const MrtShape *xs, const MrtShape *ws, const MrtShape *bs, GHashTable *attrs, const char *needle)
{
  g_autoptr (MrtTensor) x = random_tensor (xs, -1, 1);
  g_autoptr (MrtTensor) w = random_tensor (ws, -1, 1);
  g_autoptr (MrtTensor) b = bs ? random_tensor (bs, -1, 1) : NULL;
  g_autoptr (MrtTensor) y = NULL;
  MrtTensor *inputs[3] = { x, w, b };
  GError *error = NULL;
  y = run_op ("Convolution", attrs, inputs, bs ? 3 : 2, &error);
  g_assert_null (y);
  assert_error_contains (error, needle);
  g_error_free (error);
}

static void
test_conv_errors (void)
{
  MrtShape x = mrt_shape_make (4, 1, 4, 8, 8);
  MrtShape w = mrt_shape_make (4, 6, 4, 3, 3), b = mrt_shape_make (1, 6);

  expect_conv_error (&x, &(MrtShape){ 4, { 6, 4, 3, 2 } }, &b, attrs_new ("kernel", "(3, 3)", "num_filter", "6", NULL),
                     "weight has shape (6, 4, 3, 2)");
  expect_conv_error (&x, &w, &(MrtShape){ 1, { 5 } }, attrs_new ("kernel", "(3, 3)", "num_filter", "6", NULL),
                     "bias has shape (5,)");
  expect_conv_error (&x, &w, NULL, attrs_new ("kernel", "(3, 3)", "num_filter", "6", NULL), "no_bias is False");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3)", "num_filter", "6", "no_bias", "True", NULL),
                     "no_bias is True");
  expect_conv_error (&x, &(MrtShape){ 4, { 6, 4, 9, 9 } }, &b, attrs_new ("kernel", "(9, 9)", "num_filter", "6", NULL),
                     "larger than the padded input");
  expect_conv_error (&x, &(MrtShape){ 4, { 6, 4, 5, 5 } }, &b,
                     attrs_new ("kernel", "(5, 5)", "dilate", "(2, 2)", "num_filter", "6", NULL),
                     "larger than the padded input");
  expect_conv_error (&x, &(MrtShape){ 4, { 6, 1, 3, 3 } }, &b,
                     attrs_new ("kernel", "(3, 3)", "num_filter", "6", "num_group", "3", NULL), "not divisible");
  expect_conv_error (&x, &(MrtShape){ 4, { 5, 2, 3, 3 } }, &(MrtShape){ 1, { 5 } },
                     attrs_new ("kernel", "(3, 3)", "num_filter", "5", "num_group", "2", NULL), "num_filter=5");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3)", "num_filter", "6", "layout", "NHWC", NULL), "layout");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3, 3)", "num_filter", "6", NULL), "1-D");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3,)", "num_filter", "6", NULL), "data has shape");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3)", "num_filter", "0", NULL), "num_filter=0");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3)", "stride", "(0, 1)", "num_filter", "6", NULL),
                     "stride");
  expect_conv_error (&x, &w, &b, attrs_new ("kernel", "(3, 3)", "pad", "(1, 1, 1)", "num_filter", "6", NULL), "pad");
  expect_conv_error (&(MrtShape){ 4, { 0, 4, 8, 8 } }, &w, &b, attrs_new ("kernel", "(3, 3)", "num_filter", "6", NULL),
                     "empty");
}

static void
test_conv_missing_attr (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 4, { 1, 2, 4, 4 } }, -1, 1);
  g_autoptr (MrtTensor) w = random_tensor (&(MrtShape){ 4, { 3, 2, 3, 3 } }, -1, 1);
  MrtTensor *inputs[2] = { x, w };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("Convolution", attrs_new ("kernel", "(3, 3)", "no_bias", "True", NULL), inputs, 2,
                                    &error);
  g_assert_null (y);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  assert_error_contains (error, "num_filter");
  g_clear_error (&error);
  y = run_op ("Convolution", attrs_new ("kernel", "three", "num_filter", "3", "no_bias", "True", NULL), inputs, 2,
              &error);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  g_clear_error (&error);
}

/* ---------------- Pooling ---------------- */

typedef struct {
  const char *path;
  const char *type;
  int n, c, h, w; /* h == 0: 1-D */
  int kh, kw, sh, sw, ph, pw;
  gboolean full, global, exclude_pad;
} PoolCase;

static const PoolCase pool_cases[] = {
  { "/pool/max-3x3-s2-pad-odd", "max", 2, 3, 9, 7, 3, 3, 2, 2, 1, 1, FALSE, FALSE, FALSE },
  { "/pool/max-full", "max", 2, 2, 8, 7, 3, 2, 2, 2, 0, 1, TRUE, FALSE, FALSE },
  { "/pool/avg-valid-pad", "avg", 3, 2, 7, 9, 3, 3, 2, 2, 1, 1, FALSE, FALSE, FALSE },
  { "/pool/avg-full-include-pad", "avg", 2, 3, 8, 9, 3, 3, 2, 2, 1, 1, TRUE, FALSE, FALSE },
  { "/pool/avg-full-exclude-pad", "avg", 2, 3, 8, 9, 3, 3, 2, 2, 1, 1, TRUE, FALSE, TRUE },
  { "/pool/avg-valid-exclude-pad", "avg", 1, 2, 6, 6, 2, 2, 1, 1, 1, 1, FALSE, FALSE, TRUE },
  { "/pool/sum-full", "sum", 2, 2, 7, 7, 2, 2, 2, 2, 0, 0, TRUE, FALSE, FALSE },
  { "/pool/max-threaded", "max", 4, 8, 33, 35, 3, 3, 2, 2, 1, 1, FALSE, FALSE, FALSE },
  { "/pool/avg-threaded-full", "avg", 4, 8, 34, 33, 3, 3, 2, 2, 1, 1, TRUE, FALSE, TRUE },
  { "/pool/global-max", "max", 3, 4, 5, 7, 0, 0, 0, 0, 0, 0, FALSE, TRUE, FALSE },
  { "/pool/global-avg", "avg", 3, 4, 6, 5, 0, 0, 0, 0, 0, 0, FALSE, TRUE, FALSE },
  { "/pool/global-sum", "sum", 2, 3, 4, 4, 0, 0, 0, 0, 0, 0, FALSE, TRUE, FALSE },
  { "/pool/1d-max", "max", 2, 3, 0, 11, 0, 3, 0, 2, 0, 1, FALSE, FALSE, FALSE },
  { "/pool/1d-avg-full-exclude", "avg", 2, 3, 0, 10, 0, 3, 0, 2, 0, 1, TRUE, FALSE, TRUE },
  { "/pool/1d-global-avg", "avg", 2, 3, 0, 9, 0, 0, 0, 0, 0, 0, FALSE, TRUE, FALSE },
};

static int
pool_out (int in, int k, int s, int p, gboolean full)
{
  int span = in + 2 * p - k;
  return 1 + (full ? (int) ceil ((double) span / s) : span / s);
}

static void
test_pool_case (gconstpointer data)
{
  const PoolCase *pc = data;
  gboolean one_d = pc->h == 0;
  int h = one_d ? 1 : pc->h;
  int kh = pc->global ? h : one_d ? 1 : pc->kh, kw = pc->global ? pc->w : pc->kw;
  int sh = pc->global || one_d ? 1 : pc->sh, sw = pc->global ? 1 : pc->sw;
  int ph = pc->global || one_d ? 0 : pc->ph, pw = pc->global ? 0 : pc->pw;
  int oh = pool_out (h, kh, sh, ph, pc->full), ow = pool_out (pc->w, kw, sw, pw, pc->full);
  MrtShape xs = one_d ? mrt_shape_make (3, (gint64) pc->n, (gint64) pc->c, (gint64) pc->w)
                      : mrt_shape_make (4, (gint64) pc->n, (gint64) pc->c, (gint64) h, (gint64) pc->w);
  MrtShape os = one_d ? mrt_shape_make (3, (gint64) pc->n, (gint64) pc->c, (gint64) ow)
                      : mrt_shape_make (4, (gint64) pc->n, (gint64) pc->c, (gint64) oh, (gint64) ow);
  g_autoptr (MrtTensor) x = random_tensor (&xs, -2, 2);
  g_autoptr (MrtTensor) y = NULL;
  g_autofree double *ref = g_new0 (double, (gsize) pc->n * pc->c * oh * ow);
  g_autofree char *kernel = NULL, *stride = NULL, *pad = NULL;
  const float *xd = mrt_tensor_f32 (x);
  GError *error = NULL;
  GHashTable *attrs;

  if (one_d)
    {
      kernel = g_strdup_printf ("(%d,)", pc->kw);
      stride = g_strdup_printf ("(%d,)", pc->sw);
      pad = g_strdup_printf ("(%d,)", pc->pw);
    }
  else
    {
      kernel = g_strdup_printf ("(%d, %d)", pc->kh, pc->kw);
      stride = g_strdup_printf ("(%d, %d)", pc->sh, pc->sw);
      pad = g_strdup_printf ("(%d, %d)", pc->ph, pc->pw);
    }
  if (pc->global)
    attrs = attrs_new ("pool_type", pc->type, "global_pool", "True", "kernel", "(1, 1)", NULL);
  else
    attrs = attrs_new ("pool_type", pc->type, "kernel", kernel, "stride", stride, "pad", pad, "pooling_convention",
                       pc->full ? "full" : "valid", "count_include_pad", pc->exclude_pad ? "False" : "True", NULL);
  if (one_d && pc->global)
    g_hash_table_remove (attrs, "kernel");
  y = run_op ("Pooling", attrs, &x, 1, &error);
  g_assert_no_error (error);

  /* The average's divisor counts the window positions inside the padded
   * input (count_include_pad) or inside the real input. */
  for (int nc = 0; nc < pc->n * pc->c; nc++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        {
          double acc = 0, mx = -INFINITY;
          int in_padded = 0, in_real = 0;
          for (int ky = 0; ky < kh; ky++)
            for (int kx = 0; kx < kw; kx++)
              {
                int iy = oy * sh - ph + ky, ix = ox * sw - pw + kx;
                if (iy < h + ph && ix < pc->w + pw)
                  in_padded++;
                if (iy < 0 || iy >= h || ix < 0 || ix >= pc->w)
                  continue;
                in_real++;
                acc += xd[(nc * h + iy) * pc->w + ix];
                mx = MAX (mx, xd[(nc * h + iy) * pc->w + ix]);
              }
          double *r = &ref[(nc * oh + oy) * ow + ox];
          if (strcmp (pc->type, "max") == 0)
            *r = mx;
          else if (strcmp (pc->type, "sum") == 0)
            *r = acc;
          else
            *r = acc / (pc->exclude_pad ? in_real : in_padded);
        }
  assert_close (y, ref, (gsize) pc->n * pc->c * oh * ow, &os);
}

static void
expect_pool_error (const MrtShape *xs, GHashTable *attrs, const char *needle)
{
  g_autoptr (MrtTensor) x = random_tensor (xs, -1, 1);
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("Pooling", attrs, &x, 1, &error);
  g_assert_null (y);
  assert_error_contains (error, needle);
  g_error_free (error);
}

static void
test_pool_errors (void)
{
  MrtShape x = mrt_shape_make (4, 1, 2, 5, 5);
  expect_pool_error (&x, attrs_new ("kernel", "(7, 7)", NULL), "larger than the padded input");
  expect_pool_error (&x, attrs_new ("pool_type", "avg", NULL), "kernel is required");
  expect_pool_error (&x, attrs_new ("kernel", "(2, 2)", "pool_type", "median", NULL), "pool_type");
  expect_pool_error (&x, attrs_new ("kernel", "(2, 2)", "pool_type", "lp", NULL), "lp");
  expect_pool_error (&x, attrs_new ("kernel", "(2, 2)", "pooling_convention", "odd", NULL), "pooling_convention");
  expect_pool_error (&x, attrs_new ("kernel", "(2,)", NULL), "data has shape");
  expect_pool_error (&x, attrs_new ("kernel", "(2, 2)", "count_include_pad", "maybe", NULL), "count_include_pad");
  expect_pool_error (&(MrtShape){ 2, { 3, 4 } }, attrs_new ("global_pool", "True", NULL), "only 1-D");
}

/* The last full-convention window may lie past the padded input; MXNet then
 * divides by a negative size and gets -0 (max gives -FLT_MAX). */
static void
test_pool_window_past_end (void)
{
  float v[5] = { 1, 2, 3, 4, 5 };
  g_autoptr (MrtTensor) x = tensor_from (&(MrtShape){ 3, { 1, 1, 5 } }, v);
  g_autoptr (MrtTensor) avg = run1 ("Pooling", x, "kernel", "(1,)", "stride", "(3,)", "pool_type", "avg",
                                    "pooling_convention", "full", NULL);
  g_autoptr (MrtTensor) mx = run1 ("Pooling", x, "kernel", "(1,)", "stride", "(3,)", "pooling_convention", "full",
                                   NULL);
  const float *a = mrt_tensor_f32 (avg), *m = mrt_tensor_f32 (mx);
  g_assert_cmpint (avg->shape.dim[2], ==, 3);
  g_assert_cmpfloat (a[0], ==, 1);
  g_assert_cmpfloat (a[1], ==, 4);
  g_assert_cmpfloat (a[2], ==, 0);
  g_assert_true (signbit (a[2]));
  g_assert_cmpfloat (m[2], ==, -G_MAXFLOAT);
}

/* ---------------- FullyConnected ---------------- */

static void
check_fc (const MrtShape *xs, int hidden, gboolean flatten, gboolean no_bias)
{
  gint64 k = flatten ? mrt_shape_size (xs) / xs->dim[0] : xs->dim[xs->ndim - 1];
  gint64 rows = mrt_shape_size (xs) / k;
  g_autoptr (MrtTensor) x = random_tensor (xs, -1, 1);
  g_autoptr (MrtTensor) w = random_tensor (&(MrtShape){ 2, { hidden, k } }, -1, 1);
  g_autoptr (MrtTensor) b = random_tensor (&(MrtShape){ 1, { hidden } }, -1, 1);
  g_autoptr (MrtTensor) y = NULL;
  g_autofree double *ref = g_new0 (double, rows * hidden);
  g_autofree char *nh = g_strdup_printf ("%d", hidden);
  MrtTensor *inputs[3] = { x, w, b };
  MrtShape os;
  GError *error = NULL;

  y = run_op ("FullyConnected",
              attrs_new ("num_hidden", nh, "flatten", flatten ? "True" : "False", "no_bias", no_bias ? "True" : "False",
                         NULL),
              inputs, no_bias ? 2 : 3, &error);
  g_assert_no_error (error);
  for (gint64 r = 0; r < rows; r++)
    for (int j = 0; j < hidden; j++)
      {
        double acc = no_bias ? 0 : mrt_tensor_f32 (b)[j];
        for (gint64 i = 0; i < k; i++)
          acc += (double) mrt_tensor_f32 (x)[r * k + i] * mrt_tensor_f32 (w)[j * k + i];
        ref[r * hidden + j] = acc;
      }
  if (flatten)
    os = mrt_shape_make (2, xs->dim[0], (gint64) hidden);
  else
    {
      os = *xs;
      os.dim[os.ndim - 1] = hidden;
    }
  assert_close (y, ref, rows * hidden, &os);
}

static void
test_fc (void)
{
  check_fc (&(MrtShape){ 2, { 3, 7 } }, 5, TRUE, FALSE);
  check_fc (&(MrtShape){ 4, { 3, 2, 3, 5 } }, 4, TRUE, FALSE);
  check_fc (&(MrtShape){ 3, { 2, 3, 6 } }, 5, FALSE, FALSE);
  check_fc (&(MrtShape){ 4, { 2, 3, 2, 5 } }, 3, FALSE, TRUE);
  check_fc (&(MrtShape){ 2, { 1, 300 } }, 17, TRUE, TRUE);
}

static void
test_fc_errors (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 3, { 2, 3, 4 } }, -1, 1);
  g_autoptr (MrtTensor) w = random_tensor (&(MrtShape){ 2, { 5, 4 } }, -1, 1);
  g_autoptr (MrtTensor) b2 = random_tensor (&(MrtShape){ 2, { 5, 1 } }, -1, 1);
  g_autoptr (MrtTensor) y = NULL;
  MrtTensor *inputs[3] = { x, w, b2 };
  GError *error = NULL;
  /* flatten=True wants K = 12 */
  y = run_op ("FullyConnected", attrs_new ("num_hidden", "5", "no_bias", "True", NULL), inputs, 2, &error);
  g_assert_null (y);
  assert_error_contains (error, "expected (5, 12)");
  g_clear_error (&error);
  /* MXNet also accepts a (num_hidden, 1) bias */
  y = run_op ("FullyConnected", attrs_new ("num_hidden", "5", "flatten", "False", NULL), inputs, 3, &error);
  g_assert_no_error (error);
  g_assert_cmpint (y->shape.ndim, ==, 3);
  g_clear_pointer (&y, mrt_tensor_unref);
  y = run_op ("FullyConnected", attrs_new ("num_hidden", "6", "flatten", "False", "no_bias", "True", NULL), inputs, 2,
              &error);
  assert_error_contains (error, "weight has shape (5, 4)");
  g_clear_error (&error);
}

/* ---------------- BatchNorm ---------------- */

static void
check_bn (const MrtShape *xs, int axis, const char *eps, gboolean fix_gamma, gboolean mean_var)
{
  int ax = axis < 0 ? axis + xs->ndim : axis;
  gint64 c = xs->dim[ax], inner = 1;
  double e = eps ? g_ascii_strtod (eps, NULL) : 1e-3;
  g_autoptr (MrtTensor) x = random_tensor (xs, -3, 3);
  g_autoptr (MrtTensor) gamma = random_tensor (&(MrtShape){ 1, { c } }, 0.5, 2);
  g_autoptr (MrtTensor) beta = random_tensor (&(MrtShape){ 1, { c } }, -1, 1);
  g_autoptr (MrtTensor) mean = random_tensor (&(MrtShape){ 1, { c } }, -1, 1);
  g_autoptr (MrtTensor) var = random_tensor (&(MrtShape){ 1, { c } }, 0.01, 2);
  MrtTensor *inputs[5] = { x, gamma, beta, mean, var };
  gboolean is_param[5] = { FALSE, TRUE, TRUE, TRUE, TRUE };
  g_autofree char *axis_s = g_strdup_printf ("%d", axis);
  g_autofree double *ref = g_new0 (double, mrt_shape_size (xs));
  GHashTable *attrs = attrs_new ("axis", axis_s, "fix_gamma", fix_gamma ? "True" : "False", "momentum", "0.9",
                                 "use_global_stats", "False", "output_mean_var", mean_var ? "True" : "False", NULL);
  GError *error = NULL;
  g_autoptr (MrtTensor) y = NULL;

  if (eps)
    g_hash_table_insert (attrs, g_strdup ("eps"), g_strdup (eps));
  for (int i = ax + 1; i < xs->ndim; i++)
    inner *= xs->dim[i];
  y = run_op ("BatchNorm", g_hash_table_ref (attrs), inputs, 5, &error);
  g_assert_no_error (error);
  for (gint64 i = 0; i < mrt_shape_size (xs); i++)
    {
      gint64 ch = (i / inner) % c;
      double g = fix_gamma ? 1.0 : mrt_tensor_f32 (gamma)[ch];
      ref[i] = (mrt_tensor_f32 (x)[i] - mrt_tensor_f32 (mean)[ch]) / sqrt (mrt_tensor_f32 (var)[ch] + e) * g +
               mrt_tensor_f32 (beta)[ch];
    }
  assert_close (y, ref, mrt_shape_size (xs), xs);
  if (mean_var)
    for (guint o = 1; o < 3; o++)
      {
        g_autoptr (MrtTensor) s = run_op_full ("BatchNorm", g_hash_table_ref (attrs), inputs, is_param, 5, o, &error);
        g_assert_no_error (error);
        g_assert_true (mrt_tensor_equal (s, o == 1 ? mean : var));
      }
  g_hash_table_unref (attrs);
}

static void
test_batchnorm (void)
{
  check_bn (&(MrtShape){ 4, { 3, 4, 5, 3 } }, 1, NULL, TRUE, FALSE);
  check_bn (&(MrtShape){ 4, { 2, 3, 4, 5 } }, 1, "2e-5", FALSE, FALSE);
  check_bn (&(MrtShape){ 3, { 2, 5, 6 } }, -1, "1e-5", FALSE, FALSE);
  check_bn (&(MrtShape){ 2, { 4, 7 } }, 1, NULL, FALSE, TRUE);
}

static void
test_batchnorm_errors (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 4, { 1, 3, 2, 2 } }, -1, 1);
  g_autoptr (MrtTensor) p3 = random_tensor (&(MrtShape){ 1, { 3 } }, 0.1, 1);
  g_autoptr (MrtTensor) p4 = random_tensor (&(MrtShape){ 1, { 4 } }, 0.1, 1);
  MrtTensor *inputs[5] = { x, p3, p3, p4, p3 };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("BatchNorm", NULL, inputs, 5, &error);
  assert_error_contains (error, "moving_mean has shape (4,); expected (3,)");
  g_clear_error (&error);
  inputs[3] = p3;
  y = run_op ("BatchNorm", attrs_new ("axis", "4", NULL), inputs, 5, &error);
  assert_error_contains (error, "axis=4");
  g_clear_error (&error);
  y = run_op ("BatchNorm", NULL, inputs, 3, &error);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID);
  g_clear_error (&error);
}

/* ---------------- activations ---------------- */

static double
ref_act (const char *type, double x)
{
  if (strcmp (type, "relu") == 0)
    return x > 0 ? x : 0;
  if (strcmp (type, "sigmoid") == 0)
    return 1 / (1 + exp (-x));
  if (strcmp (type, "tanh") == 0)
    return tanh (x);
  if (strcmp (type, "softrelu") == 0)
    return log (1 + exp (x));
  if (strcmp (type, "softsign") == 0)
    return x / (1 + fabs (x));
  if (strcmp (type, "log_sigmoid") == 0)
    return -log (1 + exp (-x));
  if (strcmp (type, "mish") == 0)
    return x * tanh (log (1 + exp (x)));
  g_assert_not_reached ();
}

static void
test_activation (void)
{
  static const char *types[] = { "relu", "sigmoid", "tanh", "softrelu", "softsign", "log_sigmoid", "mish" };
  MrtShape s = mrt_shape_make (3, 2, 5, 7);
  g_autoptr (MrtTensor) x = random_tensor (&s, -6, 6);
  g_autofree double *ref = g_new (double, x->n);

  for (guint t = 0; t < G_N_ELEMENTS (types); t++)
    {
      g_autoptr (MrtTensor) y = run1 ("Activation", x, "act_type", types[t], NULL);
      for (gsize i = 0; i < x->n; i++)
        ref[i] = ref_act (types[t], mrt_tensor_f32 (x)[i]);
      assert_close (y, ref, x->n, &s);
      if (t < 3) /* relu, sigmoid and tanh are also standalone ops */
        {
          g_autoptr (MrtTensor) z = run1 (types[t], x, NULL);
          assert_close (z, ref, x->n, &s);
        }
    }
}

static void
test_activation_extremes (void)
{
  float v[6] = { -100, -30, 0, 19.5f, 25, 100 };
  g_autoptr (MrtTensor) x = tensor_from (&(MrtShape){ 1, { 6 } }, v);
  g_autoptr (MrtTensor) sr = run1 ("Activation", x, "act_type", "softrelu", NULL);
  g_autoptr (MrtTensor) sg = run1 ("sigmoid", x, NULL);
  double ref_sr[6], ref_sg[6];
  for (int i = 0; i < 6; i++)
    {
      ref_sr[i] = v[i] > 20 ? v[i] : log1p (exp (v[i]));
      ref_sg[i] = 1 / (1 + exp (-(double) v[i]));
    }
  assert_close (sr, ref_sr, 6, NULL);
  assert_close (sg, ref_sg, 6, NULL);
  {
    float w[5] = { NAN, -1, 2, -0.5f, 3 };
    double ref[5] = { NAN, 0, 2, 0, 3 };
    g_autoptr (MrtTensor) xn = tensor_from (&(MrtShape){ 1, { 5 } }, w);
    g_autoptr (MrtTensor) r = run1 ("relu", xn, NULL);
    assert_close (r, ref, 5, NULL);
  }
}

static void
test_activation_errors (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 1, { 3 } }, -1, 1);
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("Activation", attrs_new ("act_type", "swish", NULL), &x, 1, &error);
  assert_error_contains (error, "act_type=“swish”");
  g_clear_error (&error);
  y = run_op ("Activation", NULL, &x, 1, &error);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  g_clear_error (&error);
}

static void
test_leaky_relu (void)
{
  static const double alpha = 1.6732632423543772848170429916717, lambda = 1.0507009873554804934193349852946;
  MrtShape s = mrt_shape_make (4, 2, 3, 4, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -3, 3);
  g_autofree double *ref = g_new (double, x->n);
  const float *xd = mrt_tensor_f32 (x);
  struct { const char *type, *slope; } cases[] = {
    { NULL, NULL }, { "leaky", "0.1" }, { "elu", NULL }, { "elu", "0.7" }, { "selu", NULL }, { "gelu", NULL },
    { "rrelu", NULL },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GHashTable *attrs = attrs_new (NULL, NULL);
      GError *error = NULL;
      const char *type = cases[c].type ? cases[c].type : "leaky";
      double slope = cases[c].slope ? g_ascii_strtod (cases[c].slope, NULL) : 0.25;
      g_autoptr (MrtTensor) y = NULL;
      if (cases[c].type)
        g_hash_table_insert (attrs, g_strdup ("act_type"), g_strdup (cases[c].type));
      if (cases[c].slope)
        g_hash_table_insert (attrs, g_strdup ("slope"), g_strdup (cases[c].slope));
      y = run_op ("LeakyReLU", attrs, &x, 1, &error);
      g_assert_no_error (error);
      for (gsize i = 0; i < x->n; i++)
        {
          double v = xd[i];
          if (strcmp (type, "leaky") == 0)
            ref[i] = v > 0 ? v : slope * v;
          else if (strcmp (type, "elu") == 0)
            ref[i] = v > 0 ? v : slope * (exp (v) - 1);
          else if (strcmp (type, "selu") == 0)
            ref[i] = lambda * (v > 0 ? v : alpha * (exp (v) - 1));
          else if (strcmp (type, "gelu") == 0)
            ref[i] = 0.5 * v * (1 + erf (v / sqrt (2.0)));
          else
            ref[i] = v > 0 ? v : (0.125 + 0.334) / 2 * v;
        }
      assert_close (y, ref, x->n, &s);
    }
}

static void
check_prelu (const MrtShape *xs, const MrtShape *gs, int gamma_axis)
{
  g_autoptr (MrtTensor) x = random_tensor (xs, -2, 2);
  g_autoptr (MrtTensor) g = random_tensor (gs, 0, 1);
  g_autofree double *ref = g_new (double, x->n);
  MrtTensor *inputs[2] = { x, g };
  GError *error = NULL;
  gint64 inner = 1;
  g_autoptr (MrtTensor) y = run_op ("LeakyReLU", attrs_new ("act_type", "prelu", NULL), inputs, 2, &error);
  g_assert_no_error (error);
  for (int i = gamma_axis + 1; i < xs->ndim; i++)
    inner *= xs->dim[i];
  for (gsize i = 0; i < x->n; i++)
    {
      double v = mrt_tensor_f32 (x)[i];
      double a = g->n == 1 ? mrt_tensor_f32 (g)[0] : mrt_tensor_f32 (g)[(i / inner) % xs->dim[gamma_axis]];
      ref[i] = v > 0 ? v : a * v;
    }
  assert_close (y, ref, x->n, xs);
}

static void
test_prelu (void)
{
  check_prelu (&(MrtShape){ 4, { 2, 3, 4, 5 } }, &(MrtShape){ 1, { 3 } }, 1);
  check_prelu (&(MrtShape){ 2, { 4, 6 } }, &(MrtShape){ 1, { 6 } }, 1);
  check_prelu (&(MrtShape){ 3, { 2, 3, 4 } }, &(MrtShape){ 1, { 1 } }, 1);
  /* gamma matching only axis 0 binds there (MXNet's expand_shape) */
  check_prelu (&(MrtShape){ 3, { 5, 3, 4 } }, &(MrtShape){ 1, { 5 } }, 0);
}

static void
test_prelu_errors (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 3, { 2, 3, 4 } }, -1, 1);
  g_autoptr (MrtTensor) g = random_tensor (&(MrtShape){ 1, { 4 } }, -1, 1);
  MrtTensor *inputs[2] = { x, g };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("LeakyReLU", attrs_new ("act_type", "prelu", NULL), inputs, 2, &error);
  assert_error_contains (error, "cannot be broadcast");
  g_clear_error (&error);
  y = run_op ("LeakyReLU", attrs_new ("act_type", "prelu", NULL), inputs, 1, &error);
  assert_error_contains (error, "(data, gamma)");
  g_clear_error (&error);
  y = run_op ("LeakyReLU", attrs_new ("act_type", "leaky", NULL), inputs, 2, &error);
  assert_error_contains (error, "one input");
  g_clear_error (&error);
}

/* ---------------- softmax family ---------------- */

/* softmax over axis of x, in place into ref; log_mode for log_softmax. */
static void
ref_softmax (const float *x, double *ref, const MrtShape *s, int axis, double t, gboolean log_mode, const float *len)
{
  gint64 outer = 1, inner = 1, dim = s->dim[axis];
  for (int i = 0; i < axis; i++)
    outer *= s->dim[i];
  for (int i = axis + 1; i < s->ndim; i++)
    inner *= s->dim[i];
  for (gint64 o = 0; o < outer; o++)
    for (gint64 i = 0; i < inner; i++)
      {
        gint64 n = len ? CLAMP ((gint64) len[o * inner + i], 0, dim) : dim;
        double sum = 0;
        for (gint64 j = 0; j < n; j++)
          sum += exp (x[(o * dim + j) * inner + i] / t);
        for (gint64 j = 0; j < dim; j++)
          {
            double v = exp (x[(o * dim + j) * inner + i] / t) / sum;
            ref[(o * dim + j) * inner + i] = j >= n ? 0 : log_mode ? log (v) : v;
          }
      }
}

static void
test_softmax (void)
{
  MrtShape s = mrt_shape_make (3, 3, 4, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -5, 5);
  g_autofree double *ref = g_new (double, x->n);
  g_autofree float *neg = g_new (float, x->n);
  struct { const char *op, *axis, *t; int ax; double temp; gboolean log_mode, negate; } cases[] = {
    { "softmax", NULL, NULL, 2, 1, FALSE, FALSE },
    { "softmax", "1", NULL, 1, 1, FALSE, FALSE },
    { "softmax", "0", "2.5", 0, 2.5, FALSE, FALSE },
    { "softmax", "-2", "None", 1, 1, FALSE, FALSE },
    { "log_softmax", NULL, NULL, 2, 1, TRUE, FALSE },
    { "log_softmax", "1", "0.5", 1, 0.5, TRUE, FALSE },
    { "softmin", "-1", NULL, 2, 1, FALSE, TRUE },
    { "softmin", "1", "3", 1, 3, FALSE, TRUE },
  };
  for (gsize i = 0; i < x->n; i++)
    neg[i] = -mrt_tensor_f32 (x)[i];
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GHashTable *attrs = attrs_new (NULL, NULL);
      GError *error = NULL;
      g_autoptr (MrtTensor) y = NULL;
      if (cases[c].axis)
        g_hash_table_insert (attrs, g_strdup ("axis"), g_strdup (cases[c].axis));
      if (cases[c].t)
        g_hash_table_insert (attrs, g_strdup ("temperature"), g_strdup (cases[c].t));
      y = run_op (cases[c].op, attrs, &x, 1, &error);
      g_assert_no_error (error);
      ref_softmax (cases[c].negate ? neg : mrt_tensor_f32 (x), ref, &s, cases[c].ax, cases[c].temp,
                   cases[c].log_mode, NULL);
      assert_close (y, ref, x->n, &s);
    }
}

static void
test_softmax_large_values (void)
{
  float v[4] = { 1000, 1001, -1000, 999 };
  g_autoptr (MrtTensor) x = tensor_from (&(MrtShape){ 2, { 1, 4 } }, v);
  g_autoptr (MrtTensor) y = run1 ("softmax", x, NULL);
  g_autoptr (MrtTensor) l = run1 ("log_softmax", x, NULL);
  double e0 = exp (-1.0), e3 = exp (-2.0), sum = e0 + 1 + e3;
  double ref[4] = { e0 / sum, 1 / sum, 0, e3 / sum }, lref[4];
  for (int i = 0; i < 4; i++)
    lref[i] = (v[i] - 1001.0) - log (sum);
  assert_close (y, ref, 4, NULL);
  assert_close (l, lref, 4, NULL);
}

static void
test_softmax_length (void)
{
  MrtShape s = mrt_shape_make (3, 2, 3, 6);
  float lens[6] = { 6, 1, 3, 0, 4, 9 };
  g_autoptr (MrtTensor) x = random_tensor (&s, -3, 3);
  g_autoptr (MrtTensor) len = tensor_from (&(MrtShape){ 2, { 2, 3 } }, lens);
  g_autofree double *ref = g_new (double, x->n);
  MrtTensor *inputs[2] = { x, len };
  gboolean fed[2] = { FALSE, FALSE };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op_full ("softmax", attrs_new ("axis", "-1", "use_length", "True", NULL), inputs,
                                         fed, 2, 0, &error);
  g_assert_no_error (error);
  ref_softmax (mrt_tensor_f32 (x), ref, &s, 2, 1, FALSE, lens);
  assert_close (y, ref, x->n, &s);
  g_clear_pointer (&y, mrt_tensor_unref);

  /* length must match the data without the softmax axis */
  y = run_op_full ("softmax", attrs_new ("axis", "1", "use_length", "True", NULL), inputs, fed, 2, 0, &error);
  assert_error_contains (error, "length has shape (2, 3); expected (2, 6)");
  g_clear_error (&error);
  y = run_op_full ("softmax", attrs_new ("axis", "1", NULL), inputs, fed, 2, 0, &error);
  assert_error_contains (error, "use_length=False");
  g_clear_error (&error);
  y = run_op ("softmax", attrs_new ("axis", "3", NULL), &x, 1, &error);
  assert_error_contains (error, "axis=3");
  g_clear_error (&error);
}

static void
test_softmax_activation (void)
{
  MrtShape s = mrt_shape_make (4, 2, 3, 4, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -4, 4);
  g_autofree double *ref = g_new (double, x->n);
  g_autoptr (MrtTensor) inst = run1 ("SoftmaxActivation", x, NULL);
  g_autoptr (MrtTensor) chan = run1 ("SoftmaxActivation", x, "mode", "channel", NULL);
  g_autoptr (MrtTensor) x2 = random_tensor (&(MrtShape){ 2, { 3, 7 } }, -4, 4);
  g_autoptr (MrtTensor) inst2 = run1 ("SoftmaxActivation", x2, "mode", "instance", NULL);
  GError *error = NULL;
  g_autoptr (MrtTensor) bad = NULL;

  /* MXNet flattens "instance" to (rest, last axis) */
  ref_softmax (mrt_tensor_f32 (x), ref, &s, 3, 1, FALSE, NULL);
  assert_close (inst, ref, x->n, &s);
  ref_softmax (mrt_tensor_f32 (x), ref, &s, 1, 1, FALSE, NULL);
  assert_close (chan, ref, x->n, &s);
  ref_softmax (mrt_tensor_f32 (x2), ref, &x2->shape, 1, 1, FALSE, NULL);
  assert_close (inst2, ref, x2->n, &x2->shape);
  bad = run_op ("SoftmaxActivation", attrs_new ("mode", "channel", NULL), &x2, 1, &error);
  assert_error_contains (error, "at least 3 axes");
  g_clear_error (&error);
}

/* The label of a training head is neither a parameter nor a model input. */
static MrtTensor *
run_head (const char *op, MrtTensor *x, GHashTable *attrs, GError **error)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  MrtEntry in[2] = { { mrt_model_add_variable (m, "data"), 0 }, { mrt_model_add_variable (m, "label"), 0 } };
  guint node = mrt_model_add_node (m, "head", op, attrs, in, 2);
  g_autoptr (GArray) inputs = NULL;
  g_autoptr (GPtrArray) out = NULL;
  mrt_model_add_head (m, (MrtEntry){ node, 0 });
  if (!mrt_model_validate (m, error))
    return NULL;
  inputs = mrt_model_inputs (m);
  g_assert_cmpuint (inputs->len, ==, 1);
  g_assert_cmpuint (g_array_index (inputs, guint, 0), ==, 0);
  out = mrt_model_forward (m, &x, 1, NULL, error);
  return out ? mrt_tensor_ref (g_ptr_array_index (out, 0)) : NULL;
}

static void
test_softmax_output (void)
{
  MrtShape s2 = mrt_shape_make (2, 4, 7), s4 = mrt_shape_make (4, 2, 3, 4, 5);
  g_autoptr (MrtTensor) x2 = random_tensor (&s2, -4, 4);
  g_autoptr (MrtTensor) x4 = random_tensor (&s4, -4, 4);
  g_autofree double *ref = g_new (double, x4->n);
  MrtShape flat = mrt_shape_make (2, 2, 60);
  GError *error = NULL;
  const char *names[] = { "SoftmaxOutput", "Softmax" };

  for (guint k = 0; k < G_N_ELEMENTS (names); k++)
    {
      g_autoptr (MrtTensor) y = run_head (names[k], x2, attrs_new ("grad_scale", "1.0", "ignore_label", "-1",
                                                                   "normalization", "null", NULL), &error);
      g_assert_no_error (error);
      ref_softmax (mrt_tensor_f32 (x2), ref, &s2, 1, 1, FALSE, NULL);
      assert_close (y, ref, x2->n, &s2);
    }
  {
    g_autoptr (MrtTensor) y = run_head ("SoftmaxOutput", x4, NULL, &error);
    g_assert_no_error (error);
    ref_softmax (mrt_tensor_f32 (x4), ref, &flat, 1, 1, FALSE, NULL);
    assert_close (y, ref, x4->n, &s4);
  }
  {
    g_autoptr (MrtTensor) y = run_head ("SoftmaxOutput", x4, attrs_new ("multi_output", "True", NULL), &error);
    g_assert_no_error (error);
    ref_softmax (mrt_tensor_f32 (x4), ref, &s4, 1, 1, FALSE, NULL);
    assert_close (y, ref, x4->n, &s4);
  }
  {
    g_autoptr (MrtTensor) y = run_head ("SoftmaxOutput", x4, attrs_new ("preserve_shape", "True", NULL), &error);
    g_assert_no_error (error);
    ref_softmax (mrt_tensor_f32 (x4), ref, &s4, 3, 1, FALSE, NULL);
    assert_close (y, ref, x4->n, &s4);
  }
}

static void
test_regression_heads (void)
{
  MrtShape s = mrt_shape_make (3, 3, 2, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -5, 5);
  g_autofree double *ident = g_new (double, x->n), *sig = g_new (double, x->n);
  GError *error = NULL;
  const char *identity_heads[] = { "LinearRegressionOutput", "MAERegressionOutput" };
  for (gsize i = 0; i < x->n; i++)
    {
      ident[i] = mrt_tensor_f32 (x)[i];
      sig[i] = 1 / (1 + exp (-ident[i]));
    }
  for (guint k = 0; k < G_N_ELEMENTS (identity_heads); k++)
    {
      g_autoptr (MrtTensor) y = run_head (identity_heads[k], x, attrs_new ("grad_scale", "2", NULL), &error);
      g_assert_no_error (error);
      assert_close (y, ident, x->n, &s);
    }
  {
    g_autoptr (MrtTensor) y = run_head ("LogisticRegressionOutput", x, NULL, &error);
    g_assert_no_error (error);
    assert_close (y, sig, x->n, &s);
  }
  /* the label input is optional */
  {
    g_autoptr (MrtTensor) y = run1 ("LinearRegressionOutput", x, NULL);
    assert_close (y, ident, x->n, &s);
  }
  g_assert_cmpuint (mrt_op_lookup ("SoftmaxOutput")->n_data_inputs, ==, 1);
  g_assert_cmpuint (mrt_op_lookup ("LogisticRegressionOutput")->n_data_inputs, ==, 1);
  g_assert_cmpuint (mrt_op_lookup ("LinearRegressionOutput")->n_data_inputs, ==, 1);
}

static void
test_identities (void)
{
  MrtShape s = mrt_shape_make (3, 2, 3, 4);
  g_autoptr (MrtTensor) x = random_tensor (&s, -5, 5);
  g_autoptr (MrtTensor) a = run1 ("MakeLoss", x, "grad_scale", "1.0", "normalization", "null", NULL);
  g_autoptr (MrtTensor) b = run1 ("BlockGrad", x, NULL);
  g_autoptr (MrtTensor) c = run1 ("Dropout", x, "p", "0.5", "mode", "training", "axes", "()", NULL);
  g_autoptr (MrtTensor) d = run1 ("Dropout", x, "p", "0.2", "mode", "always", "axes", "(2, 3)", "cudnn_off", "None",
                                  NULL);
  g_autoptr (MrtTensor) e = run1 ("stop_gradient", x, NULL);
  g_autoptr (MrtTensor) f = run1 ("make_loss", x, NULL);
  g_assert_true (mrt_tensor_equal (a, x));
  g_assert_true (mrt_tensor_equal (b, x));
  g_assert_true (mrt_tensor_equal (c, x));
  g_assert_true (mrt_tensor_equal (d, x));
  g_assert_true (mrt_tensor_equal (e, x));
  g_assert_true (mrt_tensor_equal (f, x));
}

/* ---------------- L2Normalization ---------------- */

static void
test_l2_normalization (void)
{
  MrtShape s = mrt_shape_make (4, 2, 3, 4, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -3, 3);
  g_autofree double *ref = g_new (double, x->n);
  const float *xd = mrt_tensor_f32 (x);
  const char *modes[] = { "instance", "channel", "spatial" };
  for (guint m = 0; m < 3; m++)
    {
      g_autoptr (MrtTensor) y = m == 0 ? run1 ("L2Normalization", x, NULL)
                                       : run1 ("L2Normalization", x, "mode", modes[m], "eps", "1e-6", NULL);
      double eps = m == 0 ? 1e-10 : 1e-6;
      for (int n = 0; n < 2; n++)
        for (int c = 0; c < 3; c++)
          for (int p = 0; p < 20; p++)
            {
              double ss = 0;
              /* the set of elements sharing this element's norm */
              for (int c2 = 0; c2 < 3; c2++)
                for (int p2 = 0; p2 < 20; p2++)
                  {
                    gboolean same = m == 0 || (m == 1 && p2 == p) || (m == 2 && c2 == c);
                    double v = xd[(n * 3 + c2) * 20 + p2];
                    if (same)
                      ss += v * v;
                  }
              ref[(n * 3 + c) * 20 + p] = xd[(n * 3 + c) * 20 + p] / sqrt (ss + eps);
            }
      assert_close (y, ref, x->n, &s);
    }
  {
    g_autoptr (MrtTensor) x2 = random_tensor (&(MrtShape){ 2, { 3, 4 } }, -1, 1);
    GError *error = NULL;
    g_autoptr (MrtTensor) y = run_op ("L2Normalization", attrs_new ("mode", "spatial", NULL), &x2, 1, &error);
    assert_error_contains (error, "at least 3 axes");
    g_clear_error (&error);
  }
}

/* ---------------- UpSampling ---------------- */

static void
test_upsampling_nearest (void)
{
  MrtShape s = mrt_shape_make (4, 2, 3, 3, 5);
  g_autoptr (MrtTensor) x = random_tensor (&s, -1, 1);
  g_autoptr (MrtTensor) y = run1 ("UpSampling", x, "scale", "2", "sample_type", "nearest", "num_args", "1", NULL);
  g_autofree double *ref = g_new (double, x->n * 4);
  for (int nc = 0; nc < 6; nc++)
    for (int oy = 0; oy < 6; oy++)
      for (int ox = 0; ox < 10; ox++)
        ref[(nc * 6 + oy) * 10 + ox] = mrt_tensor_f32 (x)[(nc * 3 + oy / 2) * 5 + ox / 2];
  assert_close (y, ref, x->n * 4, &(MrtShape){ 4, { 2, 3, 6, 10 } });
}

static void
check_upsampling_multi (gboolean sum)
{
  /* output 8x8 from a 4x4 input at scale 2 and a 2x2 input at scale 4 */
  g_autoptr (MrtTensor) a = random_tensor (&(MrtShape){ 4, { 2, 3, 4, 4 } }, -1, 1);
  g_autoptr (MrtTensor) b = random_tensor (&(MrtShape){ 4, { 2, sum ? 3 : 2, 2, 2 } }, -1, 1);
  MrtTensor *inputs[2] = { a, b };
  gboolean fed[2] = { FALSE, FALSE };
  int oc = sum ? 3 : 5;
  g_autofree double *ref = g_new0 (double, 2 * oc * 64);
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op_full ("UpSampling",
                                         attrs_new ("scale", "2", "sample_type", "nearest", "num_args", "2",
                                                    "multi_input_mode", sum ? "sum" : "concat", NULL),
                                         inputs, fed, 2, 0, &error);
  g_assert_no_error (error);
  for (int n = 0; n < 2; n++)
    for (int oy = 0; oy < 8; oy++)
      for (int ox = 0; ox < 8; ox++)
        {
          for (int c = 0; c < 3; c++)
            ref[((n * oc + c) * 8 + oy) * 8 + ox] += mrt_tensor_f32 (a)[((n * 3 + c) * 4 + oy / 2) * 4 + ox / 2];
          for (int c = 0; c < b->shape.dim[1]; c++)
            ref[((n * oc + (sum ? c : 3 + c)) * 8 + oy) * 8 + ox] +=
              mrt_tensor_f32 (b)[((n * b->shape.dim[1] + c) * 2 + oy / 4) * 2 + ox / 4];
        }
  assert_close (y, ref, 2 * oc * 64, &(MrtShape){ 4, { 2, oc, 8, 8 } });
}

static void
test_upsampling_multi (void)
{
  check_upsampling_multi (FALSE);
  check_upsampling_multi (TRUE);
}

static void
check_upsampling_bilinear (int scale)
{
  int k = 2 * scale - scale % 2, pad = (int) ceil ((scale - 1) / 2.0), h = 3, w = 4;
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 4, { 2, 3, h, w } }, -1, 1);
  g_autoptr (MrtTensor) wt = random_tensor (&(MrtShape){ 4, { 3, 1, k, k } }, -1, 1);
  MrtTensor *inputs[2] = { x, wt };
  g_autofree char *sc = g_strdup_printf ("%d", scale);
  int oh = h * scale, ow = w * scale;
  g_autofree double *ref = g_new0 (double, 6 * oh * ow);
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("UpSampling",
                                    attrs_new ("scale", sc, "sample_type", "bilinear", "num_filter", "3", "num_args",
                                               "2", NULL),
                                    inputs, 2, &error);
  g_assert_no_error (error);
  /* gather form of the transposed convolution: output (oy, ox) takes input
   * (iy, ix) through tap (oy + pad - iy*s, ox + pad - ix*s) when in range */
  for (int nc = 0; nc < 6; nc++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        {
          double acc = 0;
          for (int iy = 0; iy < h; iy++)
            for (int ix = 0; ix < w; ix++)
              {
                int ky = oy + pad - iy * scale, kx = ox + pad - ix * scale;
                if (ky >= 0 && ky < k && kx >= 0 && kx < k)
                  acc += (double) mrt_tensor_f32 (x)[(nc * h + iy) * w + ix] * mrt_tensor_f32 (wt)[((nc % 3) * k + ky) * k + kx];
              }
          ref[(nc * oh + oy) * ow + ox] = acc;
        }
  assert_close (y, ref, 6 * oh * ow, &(MrtShape){ 4, { 2, 3, oh, ow } });
}

static void
test_upsampling_bilinear (void)
{
  check_upsampling_bilinear (2);
  check_upsampling_bilinear (3);
}

static void
test_upsampling_errors (void)
{
  g_autoptr (MrtTensor) a = random_tensor (&(MrtShape){ 4, { 1, 2, 4, 4 } }, -1, 1);
  g_autoptr (MrtTensor) b = random_tensor (&(MrtShape){ 4, { 1, 2, 3, 3 } }, -1, 1);
  g_autoptr (MrtTensor) c = random_tensor (&(MrtShape){ 4, { 1, 3, 2, 2 } }, -1, 1);
  MrtTensor *inputs[2] = { a, b };
  gboolean fed[2] = { FALSE, FALSE };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op_full ("UpSampling", attrs_new ("scale", "2", "sample_type", "nearest", NULL), inputs,
                                         fed, 2, 0, &error);
  assert_error_contains (error, "whole factor");
  g_clear_error (&error);
  inputs[1] = c;
  y = run_op_full ("UpSampling", attrs_new ("scale", "2", "sample_type", "nearest", "multi_input_mode", "sum", NULL),
                   inputs, fed, 2, 0, &error);
  assert_error_contains (error, "equal channel counts");
  g_clear_error (&error);
  y = run_op_full ("UpSampling", attrs_new ("scale", "2", "sample_type", "nearest", "num_args", "3", NULL), inputs, fed,
                   2, 0, &error);
  assert_error_contains (error, "num_args=3");
  g_clear_error (&error);
  y = run_op ("UpSampling", attrs_new ("scale", "2", "sample_type", "bicubic", NULL), &a, 1, &error);
  assert_error_contains (error, "sample_type");
  g_clear_error (&error);
}

/* ---------------- Embedding ---------------- */

static void
test_embedding (void)
{
  float idx[6] = { 0, 4, 2.7f, -3, 11, 1 };
  g_autoptr (MrtTensor) x = tensor_from (&(MrtShape){ 2, { 2, 3 } }, idx);
  g_autoptr (MrtTensor) w = random_tensor (&(MrtShape){ 2, { 5, 4 } }, -1, 1);
  MrtTensor *inputs[2] = { x, w };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op ("Embedding", attrs_new ("input_dim", "5", "output_dim", "4", "dtype", "float32",
                                                            "sparse_grad", "False", NULL),
                                    inputs, 2, &error);
  int rows[6] = { 0, 4, 2, 0, 4, 1 }; /* truncated, then clipped to [0, 4] */
  double ref[24];
  g_assert_no_error (error);
  for (int i = 0; i < 6; i++)
    for (int j = 0; j < 4; j++)
      ref[i * 4 + j] = mrt_tensor_f32 (w)[rows[i] * 4 + j];
  assert_close (y, ref, 24, &(MrtShape){ 3, { 2, 3, 4 } });
  g_clear_pointer (&y, mrt_tensor_unref);
  y = run_op ("Embedding", attrs_new ("input_dim", "6", "output_dim", "4", NULL), inputs, 2, &error);
  assert_error_contains (error, "expected (6, 4)");
  g_clear_error (&error);
}

/* ---------------- batch_dot ---------------- */

static void
test_batch_dot (void)
{
  int b = 3, m = 4, n = 5, k = 6;
  for (int ta = 0; ta < 2; ta++)
    for (int tb = 0; tb < 2; tb++)
      {
        g_autoptr (MrtTensor) a = random_tensor (&(MrtShape){ 3, { b, ta ? k : m, ta ? m : k } }, -1, 1);
        g_autoptr (MrtTensor) bb = random_tensor (&(MrtShape){ 3, { b, tb ? n : k, tb ? k : n } }, -1, 1);
        MrtTensor *inputs[2] = { a, bb };
        gboolean fed[2] = { FALSE, FALSE };
        g_autofree double *ref = g_new (double, b * m * n);
        GError *error = NULL;
        g_autoptr (MrtTensor) y = run_op_full ("batch_dot",
                                               attrs_new ("transpose_a", ta ? "True" : "False", "transpose_b",
                                                          tb ? "True" : "False", NULL),
                                               inputs, fed, 2, 0, &error);
        g_assert_no_error (error);
        for (int i = 0; i < b; i++)
          for (int r = 0; r < m; r++)
            for (int c = 0; c < n; c++)
              {
                double acc = 0;
                for (int q = 0; q < k; q++)
                  acc += (double) mrt_tensor_f32 (a)[i * m * k + (ta ? q * m + r : r * k + q)] *
                         mrt_tensor_f32 (bb)[i * k * n + (tb ? c * k + q : q * n + c)];
                ref[(i * m + r) * n + c] = acc;
              }
        assert_close (y, ref, b * m * n, &(MrtShape){ 3, { b, m, n } });
      }
}

static void
test_batch_dot_errors (void)
{
  g_autoptr (MrtTensor) a = random_tensor (&(MrtShape){ 3, { 2, 3, 4 } }, -1, 1);
  g_autoptr (MrtTensor) b = random_tensor (&(MrtShape){ 3, { 2, 5, 4 } }, -1, 1);
  g_autoptr (MrtTensor) c = random_tensor (&(MrtShape){ 3, { 3, 4, 4 } }, -1, 1);
  g_autoptr (MrtTensor) d = random_tensor (&(MrtShape){ 2, { 4, 4 } }, -1, 1);
  MrtTensor *inputs[2] = { a, b };
  gboolean fed[2] = { FALSE, FALSE };
  GError *error = NULL;
  g_autoptr (MrtTensor) y = run_op_full ("batch_dot", NULL, inputs, fed, 2, 0, &error);
  assert_error_contains (error, "inner dimensions");
  g_clear_error (&error);
  inputs[1] = c;
  y = run_op_full ("batch_dot", NULL, inputs, fed, 2, 0, &error);
  assert_error_contains (error, "batch axes");
  g_clear_error (&error);
  inputs[1] = d;
  y = run_op_full ("batch_dot", NULL, inputs, fed, 2, 0, &error);
  assert_error_contains (error, ">= 3");
  g_clear_error (&error);
}

/* ---------------- box_nms ---------------- */

/* MXNet's documented example. */
static void
test_box_nms_doc_example (void)
{
  float v[24] = { 0, 0.5f, 0.1f, 0.1f, 0.2f, 0.2f, 1, 0.4f, 0.1f, 0.1f, 0.2f, 0.2f,
                  0, 0.3f, 0.1f, 0.1f, 0.14f, 0.14f, 2, 0.6f, 0.5f, 0.5f, 0.7f, 0.8f };
  double ref[24] = { 2, 0.6, 0.5, 0.5, 0.7, 0.8, 0, 0.5, 0.1, 0.1, 0.2, 0.2,
                     -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1 };
  g_autoptr (MrtTensor) x = tensor_from (&(MrtShape){ 2, { 4, 6 } }, v);
  g_autoptr (MrtTensor) y = run1 ("_contrib_box_nms", x, "overlap_thresh", "0.1", "coord_start", "2", "score_index",
                                  "1", "id_index", "0", "force_suppress", "True", "in_format", "corner", "out_format",
                                  "corner", NULL);
  g_autoptr (MrtTensor) z = run1 ("_contrib_box_non_maximum_suppression", x, "overlap_thresh", "0.1", "id_index", "0",
                                  "force_suppress", "True", NULL);
  assert_close (y, ref, 24, &x->shape);
  assert_close (z, ref, 24, &x->shape);
}

typedef struct {
  double overlap, valid;
  int topk, coord, score, id, background;
  gboolean force, in_center, out_center;
} NmsCase;

static double
ref_iou (const float *a, const float *b, gboolean center)
{
  double a0, a1, a2, a3, b0, b1, b2, b3, iw, ih, inter, aa, ab;
  if (center)
    {
      a0 = a[0] - a[2] / 2.0, a2 = a[0] + a[2] / 2.0, a1 = a[1] - a[3] / 2.0, a3 = a[1] + a[3] / 2.0;
      b0 = b[0] - b[2] / 2.0, b2 = b[0] + b[2] / 2.0, b1 = b[1] - b[3] / 2.0, b3 = b[1] + b[3] / 2.0;
    }
  else
    a0 = a[0], a1 = a[1], a2 = a[2], a3 = a[3], b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
  iw = MAX (0.0, MIN (a2, b2) - MAX (a0, b0));
  ih = MAX (0.0, MIN (a3, b3) - MAX (a1, b1));
  inter = iw * ih;
  aa = (a2 - a0 < 0 || a3 - a1 < 0) ? 0 : (a2 - a0) * (a3 - a1);
  ab = (b2 - b0 < 0 || b3 - b1 < 0) ? 0 : (b2 - b0) * (b3 - b1);
  return inter / (aa + ab - inter);
}

/* Straightforward reference: sort (selection, ties by index), greedy NMS
 * within the top k, compact, convert. */
static void
ref_nms (const float *x, double *ref, int batches, int num, int width, const NmsCase *p)
{
  for (int b = 0; b < batches; b++)
    {
      const float *rows = x + b * num * width;
      double *out = ref + b * num * width;
      int cand[64], nc = 0, kept = 0;
      gboolean dead[64] = { FALSE }, used[64] = { FALSE };
      g_assert_cmpint (num, <=, 64);
      for (;;)
        {
          int best = -1;
          for (int i = 0; i < num; i++)
            {
              const float *r = rows + i * width;
              if (used[i] || !(r[p->score] > (float) p->valid) || (p->id >= 0 && r[p->id] == (float) p->background))
                continue;
              if (best < 0 || r[p->score] > rows[best * width + p->score])
                best = i;
            }
          if (best < 0)
            break;
          used[best] = TRUE;
          cand[nc++] = best;
        }
      if (p->topk >= 0)
        nc = MIN (nc, p->topk);
      for (int i = 0; i < nc; i++)
        for (int j = i + 1; j < nc && !dead[i]; j++)
          {
            const float *ri = rows + cand[i] * width, *rj = rows + cand[j] * width;
            if (dead[j])
              continue;
            if (!p->force && p->id >= 0 && (int) ri[p->id] != (int) rj[p->id])
              continue;
            if (ref_iou (ri + p->coord, rj + p->coord, p->in_center) > p->overlap)
              dead[j] = TRUE;
          }
      for (int i = 0; i < num * width; i++)
        out[i] = -1;
      for (int i = 0; i < nc; i++)
        if (!dead[i])
          {
            double *o = out + kept++ * width;
            for (int j = 0; j < width; j++)
              o[j] = rows[cand[i] * width + j];
            if (p->in_center != p->out_center && o[p->coord] >= 0)
              {
                double *c = o + p->coord, c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3];
                if (p->out_center)
                  c[0] = (c0 + c2) / 2, c[1] = (c1 + c3) / 2, c[2] = c2 - c0, c[3] = c3 - c1;
                else
                  c[0] = c0 - c2 / 2, c[1] = c1 - c3 / 2, c[2] = c0 + c2 / 2, c[3] = c1 + c3 / 2;
              }
          }
    }
}

static void
check_nms (const NmsCase *p, int b1, int b2, int num, int width)
{
  MrtShape s = b2 ? mrt_shape_make (4, (gint64) b1, (gint64) b2, (gint64) num, (gint64) width)
                  : mrt_shape_make (3, (gint64) b1, (gint64) num, (gint64) width);
  int batches = b1 * (b2 ? b2 : 1);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &s);
  g_autofree double *ref = g_new (double, x->n);
  float *d = mrt_tensor_f32 (x);
  g_autoptr (MrtTensor) y = NULL;
  char ov[32], va[32], tk[16], cs[16], si[16], ii[16], bg[16];
  GError *error = NULL;

  /* clustered boxes so that suppression happens; a few share a score */
  for (int i = 0; i < batches * num; i++)
    {
      float *r = d + i * width;
      for (int j = 0; j < width; j++)
        r[j] = (float) g_rand_double_range (rng, 0, 1);
      r[p->score] = (float) (g_rand_int_range (rng, 0, 12) / 10.0);
      if (p->id >= 0)
        r[p->id] = (float) g_rand_int_range (rng, -1, 3);
      if (p->in_center)
        {
          r[p->coord] = (float) g_rand_double_range (rng, 0, 4);
          r[p->coord + 1] = (float) g_rand_double_range (rng, 0, 4);
          r[p->coord + 2] = (float) g_rand_double_range (rng, 0.5, 3);
          r[p->coord + 3] = (float) g_rand_double_range (rng, 0.5, 3);
        }
      else
        {
          float x0 = (float) g_rand_double_range (rng, -1, 4), y0 = (float) g_rand_double_range (rng, 0, 4);
          r[p->coord] = x0;
          r[p->coord + 1] = y0;
          r[p->coord + 2] = x0 + (float) g_rand_double_range (rng, 0.5, 3);
          r[p->coord + 3] = y0 + (float) g_rand_double_range (rng, 0.5, 3);
        }
    }
  g_ascii_dtostr (ov, sizeof ov, p->overlap);
  g_ascii_dtostr (va, sizeof va, p->valid);
  g_snprintf (tk, sizeof tk, "%d", p->topk);
  g_snprintf (cs, sizeof cs, "%d", p->coord);
  g_snprintf (si, sizeof si, "%d", p->score);
  g_snprintf (ii, sizeof ii, "%d", p->id);
  g_snprintf (bg, sizeof bg, "%d", p->background);
  y = run_op ("_contrib_box_nms",
              attrs_new ("overlap_thresh", ov, "valid_thresh", va, "topk", tk, "coord_start", cs, "score_index", si,
                         "id_index", ii, "background_id", bg, "force_suppress", p->force ? "True" : "False",
                         "in_format", p->in_center ? "center" : "corner", "out_format",
                         p->out_center ? "center" : "corner", NULL),
              &x, 1, &error);
  g_assert_no_error (error);
  ref_nms (d, ref, batches, num, width, p);
  assert_close (y, ref, x->n, &s);
}

static void
test_box_nms_random (void)
{
  static const NmsCase cases[] = {
    { 0.5, 0, -1, 2, 1, -1, -1, FALSE, FALSE, FALSE },
    { 0.3, 0.25, -1, 2, 1, 0, -1, FALSE, FALSE, FALSE },
    { 0.3, 0.25, -1, 2, 1, 0, -1, TRUE, FALSE, FALSE },
    { 0.4, 0.1, 5, 2, 1, 0, 1, FALSE, FALSE, FALSE },
    { 0.45, 0, 7, 0, 4, -1, -1, FALSE, TRUE, TRUE },
    { 0.5, 0.05, -1, 1, 0, 5, 2, FALSE, FALSE, TRUE },
    { 0.5, 0.05, -1, 1, 0, -1, -1, TRUE, TRUE, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      check_nms (&cases[i], 3, 0, 20, 6);
      check_nms (&cases[i], 2, 2, 13, 7);
    }
}

/* topk = 0 leaves the input untouched (MXNet returns early). */
static void
test_box_nms_topk_zero (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 2, { 5, 6 } }, 0, 1);
  g_autoptr (MrtTensor) y = run1 ("_contrib_box_nms", x, "topk", "0", NULL);
  g_assert_true (mrt_tensor_equal (x, y));
}

static void
test_box_nms_errors (void)
{
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 2, { 5, 6 } }, 0, 1);
  g_autoptr (MrtTensor) narrow = random_tensor (&(MrtShape){ 2, { 5, 5 } }, 0, 1);
  g_autoptr (MrtTensor) flat = random_tensor (&(MrtShape){ 1, { 6 } }, 0, 1);
  struct { MrtTensor *x; const char *key, *value, *needle; } cases[] = {
    { x, "score_index", "6", "score_index=6" },
    { x, "score_index", "3", "overlaps the coordinates" },
    { x, "coord_start", "3", "out of range" },
    { x, "id_index", "1", "both 1" },
    { x, "id_index", "4", "overlaps the coordinates" },
    { narrow, "id_index", "0", "at least 6" },
    { x, "in_format", "xywh", "in_format" },
    { flat, "topk", "-1", "at least 2 axes" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      GError *error = NULL;
      g_autoptr (MrtTensor) y = run_op ("_contrib_box_nms", attrs_new (cases[i].key, cases[i].value, NULL),
                                        &cases[i].x, 1, &error);
      g_assert_null (y);
      assert_error_contains (error, cases[i].needle);
      g_error_free (error);
    }
}

/* ---------------- registry ---------------- */

static void
test_registry (void)
{
  static const char *ops[] = {
    "Convolution", "FullyConnected", "Pooling", "BatchNorm", "Activation", "relu", "sigmoid", "tanh", "LeakyReLU",
    "softmax", "log_softmax", "SoftmaxActivation", "SoftmaxOutput", "LinearRegressionOutput",
    "LogisticRegressionOutput", "MakeLoss", "BlockGrad", "Dropout", "L2Normalization", "UpSampling", "Embedding",
    "batch_dot", "_contrib_box_nms",
  };
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      const MrtOpDef *d = mrt_op_lookup (ops[i]);
      g_assert_nonnull (d);
      g_assert_nonnull (d->infer_shape);
      g_assert_nonnull (d->forward);
      g_assert_nonnull (d->attrs);
    }
}

/* Runs a small conv -> BN -> relu -> pool -> FC -> softmax chain at two
 * batch sizes: shapes are inferred per run, and batch rows are independent. */
static void
test_chain_batch_independence (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  MrtEntry data = { mrt_model_add_variable (m, "data"), 0 };
  const char *pnames[] = { "w", "b", "gamma", "beta", "mean", "var", "fw", "fb" };
  MrtShape pshapes[] = { { 4, { 4, 3, 3, 3 } }, { 1, { 4 } }, { 1, { 4 } }, { 1, { 4 } }, { 1, { 4 } },
                         { 1, { 4 } }, { 2, { 5, 16 } }, { 1, { 5 } } };
  MrtEntry p[8], e;
  g_autoptr (MrtTensor) x = random_tensor (&(MrtShape){ 4, { 3, 3, 8, 8 } }, -1, 1);
  g_autoptr (MrtTensor) x1 = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { 1, 3, 8, 8 } });
  g_autoptr (MrtTensor) y3 = NULL, y1 = NULL;
  GError *error = NULL;

  for (int i = 0; i < 8; i++)
    {
      g_autoptr (MrtTensor) t = random_tensor (&pshapes[i], 0.1, 1);
      p[i] = (MrtEntry){ mrt_model_add_variable (m, pnames[i]), 0 };
      mrt_model_set_param (m, pnames[i], t);
    }
  e = (MrtEntry){ mrt_model_add_node (m, "conv", "Convolution",
                                      attrs_new ("kernel", "(3, 3)", "pad", "(1, 1)", "num_filter", "4", NULL),
                                      (MrtEntry[]){ data, p[0], p[1] }, 3), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "bn", "BatchNorm", attrs_new ("fix_gamma", "False", NULL),
                                      (MrtEntry[]){ e, p[2], p[3], p[4], p[5] }, 5), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "act", "Activation", attrs_new ("act_type", "relu", NULL), &e, 1), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "pool", "Pooling",
                                      attrs_new ("kernel", "(2, 2)", "stride", "(2, 2)", "pool_type", "max", NULL), &e,
                                      1), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "pool2", "Pooling",
                                      attrs_new ("kernel", "(2, 2)", "stride", "(2, 2)", "pool_type", "avg", NULL), &e,
                                      1), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "fc", "FullyConnected", attrs_new ("num_hidden", "5", NULL),
                                      (MrtEntry[]){ e, p[6], p[7] }, 3), 0 };
  e = (MrtEntry){ mrt_model_add_node (m, "prob", "softmax", NULL, &e, 1), 0 };
  mrt_model_add_head (m, e);
  g_assert_true (mrt_model_validate (m, &error));
  y3 = mrt_model_forward1 (m, x, &error);
  g_assert_no_error (error);
  memcpy (x1->data, mrt_tensor_f32 (x) + 2 * 3 * 64, sizeof (float) * 3 * 64);
  y1 = mrt_model_forward1 (m, x1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (y3->shape.dim[0], ==, 3);
  g_assert_cmpint (y1->shape.dim[0], ==, 1);
  for (int j = 0; j < 5; j++)
    g_assert_cmpfloat_with_epsilon (mrt_tensor_f32 (y3)[10 + j], mrt_tensor_f32 (y1)[j], 1e-6);
}

int
main (int argc, char **argv)
{
  int ret;
  g_test_init (&argc, &argv, NULL);
  rng = g_rand_new_with_seed (20240611);

  for (guint i = 0; i < G_N_ELEMENTS (conv_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/ops-nn", conv_cases[i].path, NULL);
      g_test_add_data_func (path, &conv_cases[i], test_conv_case);
    }
  g_test_add_func ("/ops-nn/conv/errors", test_conv_errors);
  g_test_add_func ("/ops-nn/conv/attribute-errors", test_conv_missing_attr);
  for (guint i = 0; i < G_N_ELEMENTS (pool_cases); i++)
    {
      g_autofree char *path = g_strconcat ("/ops-nn", pool_cases[i].path, NULL);
      g_test_add_data_func (path, &pool_cases[i], test_pool_case);
    }
  g_test_add_func ("/ops-nn/pool/window-past-end", test_pool_window_past_end);
  g_test_add_func ("/ops-nn/pool/errors", test_pool_errors);
  g_test_add_func ("/ops-nn/fc/values", test_fc);
  g_test_add_func ("/ops-nn/fc/errors", test_fc_errors);
  g_test_add_func ("/ops-nn/batchnorm/values", test_batchnorm);
  g_test_add_func ("/ops-nn/batchnorm/errors", test_batchnorm_errors);
  g_test_add_func ("/ops-nn/activation/values", test_activation);
  g_test_add_func ("/ops-nn/activation/extremes", test_activation_extremes);
  g_test_add_func ("/ops-nn/activation/errors", test_activation_errors);
  g_test_add_func ("/ops-nn/leaky-relu/values", test_leaky_relu);
  g_test_add_func ("/ops-nn/leaky-relu/prelu", test_prelu);
  g_test_add_func ("/ops-nn/leaky-relu/errors", test_prelu_errors);
  g_test_add_func ("/ops-nn/softmax/values", test_softmax);
  g_test_add_func ("/ops-nn/softmax/large-values", test_softmax_large_values);
  g_test_add_func ("/ops-nn/softmax/use-length", test_softmax_length);
  g_test_add_func ("/ops-nn/softmax/activation", test_softmax_activation);
  g_test_add_func ("/ops-nn/heads/softmax-output", test_softmax_output);
  g_test_add_func ("/ops-nn/heads/regression", test_regression_heads);
  g_test_add_func ("/ops-nn/identities", test_identities);
  g_test_add_func ("/ops-nn/l2-normalization", test_l2_normalization);
  g_test_add_func ("/ops-nn/upsampling/nearest", test_upsampling_nearest);
  g_test_add_func ("/ops-nn/upsampling/multi-input", test_upsampling_multi);
  g_test_add_func ("/ops-nn/upsampling/bilinear", test_upsampling_bilinear);
  g_test_add_func ("/ops-nn/upsampling/errors", test_upsampling_errors);
  g_test_add_func ("/ops-nn/embedding", test_embedding);
  g_test_add_func ("/ops-nn/batch-dot/values", test_batch_dot);
  g_test_add_func ("/ops-nn/batch-dot/errors", test_batch_dot_errors);
  g_test_add_func ("/ops-nn/box-nms/doc-example", test_box_nms_doc_example);
  g_test_add_func ("/ops-nn/box-nms/random", test_box_nms_random);
  g_test_add_func ("/ops-nn/box-nms/topk-zero", test_box_nms_topk_zero);
  g_test_add_func ("/ops-nn/box-nms/errors", test_box_nms_errors);
  g_test_add_func ("/ops-nn/registry", test_registry);
  g_test_add_func ("/ops-nn/chain-batch-independence", test_chain_batch_independence);
  ret = g_test_run ();
  g_rand_free (rng);
  return ret;
}
