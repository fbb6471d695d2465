/* test-bias-correct.c: empirical bias correction (mrt-bias-correct.h) on a
 * synthetic model whose quantization error has a per-channel mean: the
 * inputs sit 0.4 of an input step above a grid point, so 4-bit input
 * rounding always pulls them down, and the weight grids add a fixed error
 * of their own. The integer model runs on the CVM executor. */
#include <math.h>
#include <mrt.h>

#define N 16
#define CIN 2
#define COUT 4
#define HW 6
#define UNITS 3

static GHashTable *
conv_attrs (const char *kernel, const char *pad, int filters, gboolean no_bias)
{
  GHashTable *a = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (a, g_strdup ("kernel"), g_strdup (kernel));
  g_hash_table_insert (a, g_strdup ("pad"), g_strdup (pad));
  g_hash_table_insert (a, g_strdup ("num_filter"), g_strdup_printf ("%d", filters));
  g_hash_table_insert (a, g_strdup ("no_bias"), g_strdup (no_bias ? "True" : "False"));
  return a;
}

static MrtTensor *
random_tensor (GRand *r, MrtShape s, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) g_rand_double_range (r, lo, hi);
  return t;
}

/* data → conv1 (3×3, bias) → relu → conv2 (1×1, no bias) → flatten → fc (bias) */
static MrtModel *
make_model (void)
{
  MrtModel *m = mrt_model_new ();
  g_autoptr (GRand) r = g_rand_new_with_seed (11);
  g_autoptr (MrtTensor) w1 = random_tensor (r, mrt_shape_make (4, (gint64) COUT, (gint64) CIN, (gint64) 3, (gint64) 3), -0.3, 1);
  g_autoptr (MrtTensor) b1 = random_tensor (r, mrt_shape_make (1, (gint64) COUT), -0.5, 0.5);
  g_autoptr (MrtTensor) w2 = random_tensor (r, mrt_shape_make (4, (gint64) COUT, (gint64) COUT, (gint64) 1, (gint64) 1), -1, 1);
  g_autoptr (MrtTensor) w3 = random_tensor (r, mrt_shape_make (2, (gint64) UNITS, (gint64) (COUT * HW * HW)), -0.2, 0.3);
  g_autoptr (MrtTensor) b3 = random_tensor (r, mrt_shape_make (1, (gint64) UNITS), -1, 1);
  GHashTable *fa = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint d = mrt_model_add_variable (m, "data"), n;
  guint v1 = mrt_model_add_variable (m, "conv1_weight"), v2 = mrt_model_add_variable (m, "conv1_bias");
  guint v3 = mrt_model_add_variable (m, "conv2_weight");
  guint v4 = mrt_model_add_variable (m, "fc_weight"), v5 = mrt_model_add_variable (m, "fc_bias");

  n = mrt_model_add_node (m, "conv1", "Convolution", conv_attrs ("(3, 3)", "(1, 1)", COUT, FALSE),
                          (MrtEntry[]){ { d, 0 }, { v1, 0 }, { v2, 0 } }, 3);
  n = mrt_model_add_node (m, "relu1", "relu", NULL, (MrtEntry[]){ { n, 0 } }, 1);
  n = mrt_model_add_node (m, "conv2", "Convolution", conv_attrs ("(1, 1)", "(0, 0)", COUT, TRUE),
                          (MrtEntry[]){ { n, 0 }, { v3, 0 } }, 2);
  n = mrt_model_add_node (m, "flat", "flatten", NULL, (MrtEntry[]){ { n, 0 } }, 1);
  g_hash_table_insert (fa, g_strdup ("num_hidden"), g_strdup_printf ("%d", UNITS));
  n = mrt_model_add_node (m, "fc", "FullyConnected", fa, (MrtEntry[]){ { n, 0 }, { v4, 0 }, { v5, 0 } }, 3);
  mrt_model_add_head (m, (MrtEntry){ n, 0 });
  mrt_model_set_param (m, "conv1_weight", w1);
  mrt_model_set_param (m, "conv1_bias", b1);
  mrt_model_set_param (m, "conv2_weight", w2);
  mrt_model_set_param (m, "fc_weight", w3);
  mrt_model_set_param (m, "fc_bias", b3);
  g_assert_true (mrt_model_validate (m, NULL));
  return m;
}

/* Values k + 0.4 (k = 0…6) and one 7: the absmax threshold is 7, the 4-bit
 * input scale 1, and every other value rounds down by 0.4. */
static MrtTensor *
make_batch (guint32 seed)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (seed);
  MrtShape s = mrt_shape_make (4, (gint64) N, (gint64) CIN, (gint64) HW, (gint64) HW);
  MrtTensor *x = mrt_tensor_new (MRT_DTYPE_F32, &s);
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_f32 (x)[i] = (float) (g_rand_int_range (r, 0, 7) + 0.4);
  mrt_tensor_f32 (x)[0] = 7.0f;
  return x;
}

static void
options (MrtQuantizeOptions *opts)
{
  mrt_quantize_options_init (opts);
  opts->input_precision = 4;
  opts->output_precision = 8;
  opts->per_channel = MRT_PER_CHANNEL_OFF;
}

/* Mean over units of |mean over samples of (float − integer)| of the head,
 * and the float output's mean |value| (for scale). */
static double
head_bias (MrtModel *reference, MrtModel *quantize_me, GHashTable *th, MrtTensor *x, double *magnitude)
{
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) CIN, (gint64) HW, (gint64) HW);
  MrtQuantizeOptions opts;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (MrtModel) cvm = NULL;
  g_autoptr (MrtTensor) fy = NULL;
  g_autoptr (GPtrArray) qy = NULL;
  double total = 0, mag = 0;

  options (&opts);
  q = mrt_quantize (quantize_me, &one, th, &opts, NULL, &error);
  g_assert_no_error (error);
  cvm = mrt_to_cvm (q->model, &x->shape, &error);
  g_assert_no_error (error);
  qy = mrt_run_quantized (cvm, q->oscales, q->input_scale, q->input_precision, x, &error);
  g_assert_no_error (error);
  fy = mrt_model_forward1 (reference, x, &error);
  g_assert_no_error (error);
  for (int u = 0; u < UNITS; u++)
    {
      double e = 0;
      for (int b = 0; b < N; b++)
        {
          double f = mrt_tensor_f32 (fy)[b * UNITS + u];
          e += f - mrt_tensor_f32 (g_ptr_array_index (qy, 0))[b * UNITS + u];
          mag += fabs (f);
        }
      total += fabs (e / N);
    }
  *magnitude = mag / (N * UNITS);
  return total / UNITS;
}

static void
test_bias_correct (void)
{
  g_autoptr (MrtModel) m = make_model ();
  g_autoptr (MrtTensor) calib = make_batch (1);
  g_autoptr (MrtTensor) test = make_batch (2);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (MrtCalibration) cal = NULL;
  g_autoptr (MrtModel) corrected = NULL;
  g_autoptr (GError) error = NULL;
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) CIN, (gint64) HW, (gint64) HW);
  MrtQuantizeOptions opts;
  GHashTable *th;
  guint n_corrected = 0, n_params = 0;
  double before, after, mag;
  GHashTableIter it;
  gpointer k, v;

  g_ptr_array_add (batches, calib);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  g_assert_no_error (error);
  th = mrt_calibration_get_thresholds (cal);
  /* on a batch not used for the correction, from the same distribution */
  before = head_bias (m, m, th, test, &mag);
  options (&opts);
  corrected = mrt_bias_correct (m, &one, th, &opts, batches, &n_corrected, &error);
  g_assert_no_error (error);
  g_assert_nonnull (corrected);
  g_assert_cmpuint (n_corrected, ==, 2); /* conv1 and fc; conv2 has no bias */

  /* the same graph; only the two bias parameters differ */
  g_assert_cmpuint (mrt_model_n_nodes (corrected), ==, mrt_model_n_nodes (m));
  g_assert_cmpuint (g_hash_table_size (corrected->params), ==, g_hash_table_size (m->params));
  g_hash_table_iter_init (&it, m->params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtTensor *a = v, *b = mrt_model_get_param (corrected, k);
      gboolean is_bias = g_str_has_suffix (k, "_bias"), same = TRUE;
      g_assert_nonnull (b);
      g_assert_cmpuint (a->n, ==, b->n);
      for (gsize i = 0; i < a->n; i++)
        same = same && mrt_tensor_f32 (a)[i] == mrt_tensor_f32 (b)[i];
      g_assert_true (same != is_bias);
      n_params++;
    }
  g_assert_cmpuint (n_params, ==, 5);

  after = head_bias (m, corrected, th, test, &mag);
  g_test_message ("mean |per-unit output bias|: %.4f without correction, %.4f with (mean |output| %.2f)", before,
                  after, mag);
  g_assert_cmpfloat (before, >, 0.01 * mag);
  g_assert_cmpfloat (after, <, before / 3);
}

/* A model without biases comes back as is. */
static void
test_nothing_to_correct (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  g_autoptr (MrtTensor) w = random_tensor (r, mrt_shape_make (4, (gint64) COUT, (gint64) CIN, (gint64) 3, (gint64) 3), -1, 1);
  g_autoptr (MrtTensor) x = make_batch (4);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (MrtCalibration) cal = NULL;
  g_autoptr (MrtModel) out = NULL;
  g_autoptr (GError) error = NULL;
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) CIN, (gint64) HW, (gint64) HW);
  MrtQuantizeOptions opts;
  guint n_corrected = 99;
  guint d = mrt_model_add_variable (m, "data"), wv = mrt_model_add_variable (m, "c_weight");
  guint c = mrt_model_add_node (m, "c", "Convolution", conv_attrs ("(3, 3)", "(1, 1)", COUT, TRUE),
                                (MrtEntry[]){ { d, 0 }, { wv, 0 } }, 2);
  mrt_model_add_head (m, (MrtEntry){ c, 0 });
  mrt_model_set_param (m, "c_weight", w);
  g_assert_true (mrt_model_validate (m, NULL));
  g_ptr_array_add (batches, x);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  g_assert_no_error (error);
  options (&opts);
  out = mrt_bias_correct (m, &one, mrt_calibration_get_thresholds (cal), &opts, batches, &n_corrected, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (n_corrected, ==, 0);
  g_assert_true (mrt_model_get_param (out, "c_weight") == mrt_model_get_param (m, "c_weight"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/bias-correct/reduces-output-bias", test_bias_correct);
  g_test_add_func ("/bias-correct/nothing-to-correct", test_nothing_to_correct);
  return g_test_run ();
}
