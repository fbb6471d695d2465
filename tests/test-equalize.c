/* test-equalize.c: cross-layer equalization keeps the float function and
 * evens out per-channel weight ranges, which helps per-tensor int8. */
#include <math.h>
#include <mrt.h>

static GHashTable *
conv_attrs (const char *filters, const char *groups)
{
  GHashTable *a = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (a, g_strdup ("kernel"), g_strdup ("(3, 3)"));
  g_hash_table_insert (a, g_strdup ("pad"), g_strdup ("(1, 1)"));
  g_hash_table_insert (a, g_strdup ("num_filter"), g_strdup (filters));
  g_hash_table_insert (a, g_strdup ("num_group"), g_strdup (groups));
  return a;
}

/* data (N,2,8,8) → conv A (4 ch, ranges 8, 0.05, 1, 0.3) → relu → depthwise B (4) → out */
static MrtModel *
pair_model (void)
{
  MrtModel *m = mrt_model_new ();
  MrtShape was = mrt_shape_make (4, (gint64) 4, (gint64) 2, (gint64) 3, (gint64) 3);
  MrtShape wbs = mrt_shape_make (4, (gint64) 4, (gint64) 1, (gint64) 3, (gint64) 3);
  MrtShape bs = mrt_shape_make (1, (gint64) 4);
  g_autoptr (MrtTensor) wa = mrt_tensor_new (MRT_DTYPE_F32, &was);
  g_autoptr (MrtTensor) wb = mrt_tensor_new (MRT_DTYPE_F32, &wbs);
  g_autoptr (MrtTensor) ba = mrt_tensor_new (MRT_DTYPE_F32, &bs);
  g_autoptr (MrtTensor) bb = mrt_tensor_new (MRT_DTYPE_F32, &bs);
  g_autoptr (GRand) r = g_rand_new_with_seed (3);
  const double range[4] = { 8, 0.05, 1, 0.3 };
  guint d, a, re, b;

  for (int c = 0; c < 4; c++)
    {
      for (int i = 0; i < 18; i++)
        mrt_tensor_f32 (wa)[c * 18 + i] = (float) (range[c] * g_rand_double_range (r, -1, 1));
      for (int i = 0; i < 9; i++)
        mrt_tensor_f32 (wb)[c * 9 + i] = (float) g_rand_double_range (r, -1, 1);
      mrt_tensor_f32 (ba)[c] = (float) (0.1 * range[c]);
      mrt_tensor_f32 (bb)[c] = 0.05f;
    }
  d = mrt_model_add_variable (m, "data");
  mrt_model_add_variable (m, "a_weight");
  mrt_model_add_variable (m, "a_bias");
  a = mrt_model_add_node (m, "a", "Convolution", conv_attrs ("4", "1"), (MrtEntry[]){ { d, 0 }, { 1, 0 }, { 2, 0 } }, 3);
  re = mrt_model_add_node (m, "r", "relu", NULL, (MrtEntry[]){ { a, 0 } }, 1);
  mrt_model_add_variable (m, "b_weight");
  mrt_model_add_variable (m, "b_bias");
  b = mrt_model_add_node (m, "b", "Convolution", conv_attrs ("4", "4"), (MrtEntry[]){ { re, 0 }, { 5, 0 }, { 6, 0 } }, 3);
  mrt_model_add_head (m, (MrtEntry){ b, 0 });
  mrt_model_set_param (m, "a_weight", wa);
  mrt_model_set_param (m, "a_bias", ba);
  mrt_model_set_param (m, "b_weight", wb);
  mrt_model_set_param (m, "b_bias", bb);
  g_assert_true (mrt_model_validate (m, NULL));
  return m;
}

static MrtTensor *
input (gint64 n)
{
  MrtShape s = mrt_shape_make (4, n, (gint64) 2, (gint64) 8, (gint64) 8);
  MrtTensor *x = mrt_tensor_new (MRT_DTYPE_F32, &s);
  g_autoptr (GRand) r = g_rand_new_with_seed (9);
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_f32 (x)[i] = (float) g_rand_double_range (r, 0, 1);
  return x;
}

static double
max_rel_diff (const MrtTensor *a, const MrtTensor *b)
{
  double d = 0, m = 0;
  for (gsize i = 0; i < a->n; i++)
    {
      d = MAX (d, fabs (mrt_tensor_f32 (a)[i] - mrt_tensor_f32 (b)[i]));
      m = MAX (m, fabs (mrt_tensor_f32 (a)[i]));
    }
  return d / MAX (m, 1e-12);
}

static double
spread (const MrtTensor *w)
{
  gint64 oc = w->shape.dim[0], per = (gint64) w->n / oc;
  double lo = INFINITY, hi = 0;
  for (gint64 c = 0; c < oc; c++)
    {
      double r = 0;
      for (gint64 i = 0; i < per; i++)
        r = MAX (r, fabs (mrt_tensor_f32 (w)[c * per + i]));
      lo = MIN (lo, r);
      hi = MAX (hi, r);
    }
  return hi / lo;
}

/* worst error of the per-tensor integer model against float, relative to the output range */
static double
int_error (MrtModel *m, MrtTensor *x)
{
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) 2, (gint64) 8, (gint64) 8);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (MrtCalibration) cal = NULL;
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (MrtModel) cvm = NULL;
  g_autoptr (MrtTensor) fy = NULL;
  g_autoptr (GPtrArray) qy = NULL;
  g_autoptr (GError) error = NULL;
  MrtQuantizeOptions opts;

  g_ptr_array_add (batches, x);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  mrt_quantize_options_init (&opts);
  opts.per_channel = MRT_PER_CHANNEL_OFF;
  q = mrt_quantize (m, &one, mrt_calibration_get_thresholds (cal), &opts, NULL, &error);
  g_assert_no_error (error);
  cvm = mrt_to_cvm (q->model, &x->shape, &error);
  g_assert_no_error (error);
  fy = mrt_model_forward1 (m, x, &error);
  qy = mrt_run_quantized (cvm, q->oscales, q->input_scale, q->input_precision, x, &error);
  g_assert_no_error (error);
  return max_rel_diff (fy, g_ptr_array_index (qy, 0));
}

static void
test_pair (void)
{
  g_autoptr (MrtModel) m = pair_model ();
  g_autoptr (MrtTensor) x = input (4);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) e = NULL;
  g_autoptr (MrtTensor) y0 = NULL;
  g_autoptr (MrtTensor) y1 = NULL;
  guint pairs = 0;
  double before, after;

  e = mrt_equalize (m, &pairs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs, ==, 1);
  y0 = mrt_model_forward1 (m, x, &error);
  y1 = mrt_model_forward1 (e, x, &error);
  g_assert_cmpfloat (max_rel_diff (y0, y1), <=, 1e-5);
  /* the input model is untouched; the ranges of A are far more even */
  g_assert_cmpfloat (spread (mrt_model_get_param (m, "a_weight")), >, 100);
  g_assert_cmpfloat (spread (mrt_model_get_param (e, "a_weight")), <, 20);
  before = int_error (m, x);
  after = int_error (e, x);
  g_test_message ("per-tensor integer error: %.4f without, %.4f with equalization", before, after);
  g_assert_cmpfloat (after, <, before);
}

/* Equivalence on a real depthwise-separable model, when it is present. */
static void
test_mobilenet (void)
{
  const char *dir = g_getenv ("MRT_TEST_DATA");
  g_autofree char *prefix = g_build_filename (dir ? dir : "tests/data", "models", "mobilenet", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) orig = mrt_mxnet_open (prefix, &error);
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) 1, (gint64) 28, (gint64) 28);
  MrtShape xs = mrt_shape_make (4, (gint64) 3, (gint64) 1, (gint64) 28, (gint64) 28);
  g_autoptr (MrtModel) p = NULL;
  g_autoptr (MrtModel) e = NULL;
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &xs);
  g_autoptr (MrtTensor) y0 = NULL;
  g_autoptr (MrtTensor) y1 = NULL;
  g_autoptr (GRand) r = g_rand_new_with_seed (1);
  guint pairs = 0;

  if (orig == NULL)
    {
      g_test_skip ("tests/data/models/mobilenet is not there");
      return;
    }
  p = mrt_prepare (orig, &one, NULL, &error);
  g_assert_no_error (error);
  e = mrt_equalize (p, &pairs, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs, >, 0);
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_f32 (x)[i] = (float) g_rand_double_range (r, 0, 1);
  y0 = mrt_model_forward1 (p, x, &error);
  y1 = mrt_model_forward1 (e, x, &error);
  g_assert_no_error (error);
  g_test_message ("%u pairs equalized", pairs);
  g_assert_cmpfloat (max_rel_diff (y0, y1), <=, 1e-4);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/equalize/pair", test_pair);
  g_test_add_func ("/equalize/mobilenet", test_mobilenet);
  return g_test_run ();
}
