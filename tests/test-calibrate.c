/* test-calibrate.c: threshold rules, histograms, multi-batch aggregation, KL vs absmax. */
#include <math.h>
#include <mrt.h>

static MrtModel *
relu_model (void)
{
  MrtModel *m = mrt_model_new ();
  guint d = mrt_model_add_variable (m, "data");
  guint r = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
  mrt_model_add_head (m, (MrtEntry){ r, 0 });
  g_assert_true (mrt_model_validate (m, NULL));
  return m;
}

static MrtTensor *
tensor_from (const float *v, gint64 n)
{
  MrtShape s = mrt_shape_make (2, (gint64) 1, n);
  return mrt_tensor_new_f32 (&s, v);
}

static void
test_lambda_rule (void)
{
  /* alpha below 0.95 absmax wins, otherwise absmax */
  g_assert_cmpfloat (mrt_threshold_lambda (10, 1, 0.5, 4), ==, 3);
  g_assert_cmpfloat (mrt_threshold_lambda (10, -1, 2, 4), ==, 9);
  g_assert_cmpfloat (mrt_threshold_lambda (10, 0, 3, 4), ==, 10);
}

static void
test_absmax_and_stats (void)
{
  g_autoptr (MrtModel) m = relu_model ();
  float v[] = { -4, -1, 0, 1, 2, 3 };
  g_autoptr (MrtTensor) x = tensor_from (v, 6);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCalibration) cal = NULL;
  const MrtNodeStats *s;
  guint64 total = 0;

  g_ptr_array_add (batches, x);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (mrt_calibration_get_threshold (cal, "data"), ==, 4);
  g_assert_cmpfloat (mrt_calibration_get_threshold (cal, "relu0"), ==, 3);
  s = mrt_calibration_get_stats (cal, "data");
  g_assert_cmpfloat_with_epsilon (s->mean, 1.0 / 6, 1e-9);
  {
    double var = 0;
    for (int i = 0; i < 6; i++)
      var += (v[i] - 1.0 / 6) * (v[i] - 1.0 / 6);
    g_assert_cmpfloat_with_epsilon (s->std, sqrt (var / 6), 1e-9);
  }
  for (int i = 0; i < MRT_HIST_BINS; i++)
    total += s->bins[i];
  g_assert_cmpint (total, ==, 6);
  g_assert_cmpint (s->count, ==, 6);
}

/* A tensor of many chunks (the statistics are folded on every thread,
 * chunk by chunk, then combined): mean, std, absmax and the histogram
 * match a plain one-thread computation. An offset mean makes a naive
 * sum-of-squares formula visibly wrong, so the combination is tested. */
static void
test_stats_many_chunks (void)
{
  g_autoptr (MrtModel) m = relu_model ();
  const gint64 n = 200003; /* 12 full chunks and a ragged one */
  MrtShape shape = mrt_shape_make (2, (gint64) 1, n);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &shape);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCalibration) cal = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  g_autofree guint64 *bins = g_new0 (guint64, MRT_HIST_BINS);
  const MrtNodeStats *s;
  double sum = 0, var = 0, mean, absmax = 0, range;
  float *d = mrt_tensor_f32 (x);

  for (gint64 i = 0; i < n; i++)
    {
      d[i] = (float) (1000.0 + g_rand_double_range (r, -3, 3) * (i % 7 == 0 ? 4 : 1));
      sum += d[i];
      absmax = MAX (absmax, fabs (d[i]));
    }
  mean = sum / n;
  for (gint64 i = 0; i < n; i++)
    var += (d[i] - mean) * (d[i] - mean);
  g_ptr_array_add (batches, x);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
  g_assert_no_error (error);
  s = mrt_calibration_get_stats (cal, "data");
  g_assert_cmpfloat (s->absmax, ==, absmax);
  g_assert_cmpfloat (s->range, >=, absmax);
  range = s->range;
  g_assert_cmpfloat_with_epsilon (s->mean, mean, 1e-9 * fabs (mean));
  g_assert_cmpfloat_with_epsilon (s->std, sqrt (var / n), 1e-9 * sqrt (var / n));
  g_assert_cmpint (s->count, ==, n);
  /* every value in the bin a direct computation gives */
  for (gint64 i = 0; i < n; i++)
    {
      double pos = (d[i] + range) * (MRT_HIST_BINS / (2 * range));
      bins[CLAMP ((int) pos, 0, MRT_HIST_BINS - 1)]++;
    }
  for (int b = 0; b < MRT_HIST_BINS; b++)
    if (bins[b] != s->bins[b])
      g_error ("bin %d holds %" G_GUINT64_FORMAT " values, expected %" G_GUINT64_FORMAT, b, s->bins[b], bins[b]);

  /* a second batch within the range: binned in the same pass as its moments */
  {
    g_autoptr (MrtTensor) x2 = mrt_tensor_new (MRT_DTYPE_F32, &shape);
    g_autoptr (MrtCalibration) cal2 = NULL;
    float *d2 = mrt_tensor_f32 (x2);
    for (gint64 i = 0; i < n; i++)
      {
        double pos;
        d2[i] = 0.5f * d[(i * 7) % n];
        pos = (d2[i] + range) * (MRT_HIST_BINS / (2 * range));
        bins[CLAMP ((int) pos, 0, MRT_HIST_BINS - 1)]++;
      }
    g_ptr_array_add (batches, x2);
    cal2 = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
    g_assert_no_error (error);
    s = mrt_calibration_get_stats (cal2, "data");
    g_assert_cmpfloat (s->range, ==, range);
    g_assert_cmpint (s->count, ==, 2 * n);
    for (int b = 0; b < MRT_HIST_BINS; b++)
      if (bins[b] != s->bins[b])
        g_error ("after two batches bin %d holds %" G_GUINT64_FORMAT " values, expected %" G_GUINT64_FORMAT, b,
                 s->bins[b], bins[b]);
  }
}

/* Upstream keeps the last batch only; we keep the maximum. */
static void
test_batches_aggregate_by_max (void)
{
  g_autoptr (MrtModel) m = relu_model ();
  float a[] = { 5, -1, 2, 0 }, b[] = { 1, 1, -2, 0.5f };
  g_autoptr (MrtTensor) xa = tensor_from (a, 4);
  g_autoptr (MrtTensor) xb = tensor_from (b, 4);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCalibration) cal = NULL;
  guint64 total = 0;
  const MrtNodeStats *s;

  g_ptr_array_add (batches, xa);
  g_ptr_array_add (batches, xb);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (mrt_calibration_n_batches (cal), ==, 2);
  g_assert_cmpfloat (mrt_calibration_get_threshold (cal, "data"), ==, 5);
  s = mrt_calibration_get_stats (cal, "data");
  for (int i = 0; i < MRT_HIST_BINS; i++)
    total += s->bins[i];
  g_assert_cmpint (total, ==, 8);

  /* a third batch beyond the range: the histogram grows and is binned again */
  {
    float cc[] = { 9, 0, -0.5f, 0 };
    g_autoptr (MrtTensor) xc = tensor_from (cc, 4);
    g_autoptr (MrtCalibration) cal3 = NULL;
    g_ptr_array_add (batches, xc);
    cal3 = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 99.99, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (mrt_calibration_get_threshold (cal3, "data"), ==, 9);
    s = mrt_calibration_get_stats (cal3, "data");
    g_assert_cmpfloat (s->range, >=, 9);
    total = 0;
    for (int i = 0; i < MRT_HIST_BINS; i++)
      total += s->bins[i];
    g_assert_cmpint (total, ==, 12);
    /* 9 sits in its own bin of the grown range */
    g_assert_cmpint (s->bins[CLAMP ((int) ((9 + s->range) * MRT_HIST_BINS / (2 * s->range)), 0, MRT_HIST_BINS - 1)],
                     >=, 1);
  }
}

/* A long-tailed distribution: most values small, a few large outliers. */
static MrtTensor *
skewed (gint64 n)
{
  MrtShape s = mrt_shape_make (2, (gint64) 1, n);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  GRand *r = g_rand_new_with_seed (7);
  for (gint64 i = 0; i < n; i++)
    {
      /* Laplace-like bulk within ~±3 */
      double u = g_rand_double_range (r, -0.5, 0.5);
      double v = -0.5 * copysign (log (1 - 2 * fabs (u)), u);
      mrt_tensor_f32 (t)[i] = (float) v;
    }
  mrt_tensor_f32 (t)[0] = 40.0f;
  mrt_tensor_f32 (t)[1] = -35.0f;
  g_rand_free (r);
  return t;
}

static void
test_kl_differs_from_absmax (void)
{
  g_autoptr (MrtModel) m = relu_model ();
  g_autoptr (MrtTensor) x = skewed (200000);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCalibration) kl = NULL;
  g_autoptr (MrtCalibration) am = NULL;
  g_autoptr (MrtCalibration) pc = NULL;
  double th_kl, th_am, th_pc;

  g_ptr_array_add (batches, x);
  kl = mrt_calibrate (m, batches, MRT_CALIB_KL, 0, 0, NULL, &error);
  g_assert_no_error (error);
  am = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  pc = mrt_calibrate (m, batches, MRT_CALIB_PERCENTILE, 0, 99.9, NULL, &error);
  th_kl = mrt_calibration_get_threshold (kl, "data");
  th_am = mrt_calibration_get_threshold (am, "data");
  th_pc = mrt_calibration_get_threshold (pc, "data");
  g_test_message ("absmax %g, kl %g, percentile(99.9) %g", th_am, th_kl, th_pc);
  g_assert_cmpfloat (th_am, ==, 40);
  /* KL clips the outliers: well below absmax, above the bulk */
  g_assert_cmpfloat (th_kl, <, 0.5 * th_am);
  g_assert_cmpfloat (th_kl, >, 1.0);
  /* 99.9 % of a Laplace(0.5) lies within ~3.45 */
  g_assert_cmpfloat (th_pc, >, 2.5);
  g_assert_cmpfloat (th_pc, <, 5.0);
}

static void
test_cancel (void)
{
  g_autoptr (MrtModel) m = relu_model ();
  float a[] = { 1, 2 };
  g_autoptr (MrtTensor) x = tensor_from (a, 2);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (GCancellable) c = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  MrtProgress p = { NULL, NULL, c };
  g_ptr_array_add (batches, x);
  g_cancellable_cancel (c);
  g_assert_null (mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, &p, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/calibrate/lambda-rule", test_lambda_rule);
  g_test_add_func ("/calibrate/absmax-and-stats", test_absmax_and_stats);
  g_test_add_func ("/calibrate/stats-many-chunks", test_stats_many_chunks);
  g_test_add_func ("/calibrate/batches-aggregate-by-max", test_batches_aggregate_by_max);
  g_test_add_func ("/calibrate/kl-differs-from-absmax", test_kl_differs_from_absmax);
  g_test_add_func ("/calibrate/cancel", test_cancel);
  return g_test_run ();
}
