/* test-quantize.c: quantization primitives and per-op rules against
 * integers computed by hand (the arithmetic is written out in comments). */
#include <math.h>
#include <mrt.h>

static void
test_primitives (void)
{
  gint64 frac;
  int exp;

  g_assert_cmpint (mrt_get_bit (0), ==, 1);
  g_assert_cmpint (mrt_get_bit (1), ==, 2);
  g_assert_cmpint (mrt_get_bit (127), ==, 8);
  g_assert_cmpint (mrt_get_bit (128), ==, 9);
  g_assert_cmpint (mrt_get_bit (-127), ==, 8);
  g_assert_cmpint (mrt_get_bit_cnt (27), ==, 5);
  g_assert_cmpint (mrt_get_bit_cnt (1), ==, 1);
  g_assert_cmpint (mrt_get_range (8), ==, 127);
  g_assert_cmpfloat (mrt_scale (0, 8), ==, 1);
  g_assert_cmpfloat (mrt_scale (0.5, 8), ==, 254);

  /* 0.75: [1,2) gives 1.5·2^-1; doubling once gives the integer 3: 3·2^-2 */
  mrt_cvm_float (0.75, 8, &frac, &exp);
  g_assert_cmpint (frac, ==, 3);
  g_assert_cmpint (exp, ==, -2);
  /* 2.5 with 4 bits: 1.25·2^1 → 2.5·2^0 → 5·2^-1 */
  mrt_cvm_float (2.5, 4, &frac, &exp);
  g_assert_cmpint (frac, ==, 5);
  g_assert_cmpint (exp, ==, -1);
  /* 1.25 with 3 bits: b runs out at 2.5·2^-1; Python round(2.5) = 2 (half to even) */
  mrt_cvm_float (1.25, 3, &frac, &exp);
  g_assert_cmpint (frac, ==, 2);
  g_assert_cmpint (exp, ==, -1);
  mrt_cvm_float (0, 8, &frac, &exp);
  g_assert_cmpint (frac, ==, 0);

  /* runtime right shift: halves go toward +inf */
  g_assert_cmpint (mrt_cvm_right_shift (-2, 2), ==, 0);  /* -0.5 → 0 */
  g_assert_cmpint (mrt_cvm_right_shift (-6, 2), ==, -1); /* -1.5 → -1 */
  g_assert_cmpint (mrt_cvm_right_shift (6, 2), ==, 2);   /* 1.5 → 2 */
  g_assert_cmpint (mrt_cvm_right_shift (-5, 1), ==, -2); /* -2.5 → -2 */
  g_assert_cmpint (mrt_cvm_right_shift (-7, 2), ==, -2); /* -1.75 → -2 */

  /* tensors round half away from zero, then clip */
  {
    gboolean clipped = FALSE;
    g_assert_cmpfloat (mrt_round_clip (2.5, 8, &clipped), ==, 3);
    g_assert_cmpfloat (mrt_round_clip (-2.5, 8, &clipped), ==, -3);
    g_assert_false (clipped);
    g_assert_cmpfloat (mrt_round_clip (200, 8, &clipped), ==, 127);
    g_assert_true (clipped);
    g_assert_cmpfloat (mrt_round_clip (-128, 8, NULL), ==, -127);
  }
}

static GHashTable *
attrs1 (const char *k, const char *v)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_hash_table_insert (h, g_strdup (k), g_strdup (v));
  return h;
}

static void
set_th (GHashTable *t, const char *name, double v)
{
  g_hash_table_insert (t, g_strdup (name), g_memdup2 (&v, sizeof v));
}

/* data (1,2) → FullyConnected(W = [[0.5, -0.25]], b = [0.1]) */
static MrtModel *
fc_model (void)
{
  MrtModel *m = mrt_model_new ();
  MrtShape ws = mrt_shape_make (2, (gint64) 1, (gint64) 2), bs = mrt_shape_make (1, (gint64) 1);
  float wv[] = { 0.5f, -0.25f }, bv[] = { 0.1f };
  g_autoptr (MrtTensor) w = mrt_tensor_new_f32 (&ws, wv);
  g_autoptr (MrtTensor) b = mrt_tensor_new_f32 (&bs, bv);
  guint d = mrt_model_add_variable (m, "data");
  guint wi = mrt_model_add_variable (m, "fc_weight");
  guint bi = mrt_model_add_variable (m, "fc_bias");
  guint fc = mrt_model_add_node (m, "fc", "FullyConnected", attrs1 ("num_hidden", "1"),
                                 (MrtEntry[]){ { d, 0 }, { wi, 0 }, { bi, 0 } }, 3);
  mrt_model_set_param (m, "fc_weight", w);
  mrt_model_set_param (m, "fc_bias", b);
  mrt_model_add_head (m, (MrtEntry){ fc, 0 });
  g_assert_true (mrt_model_validate (m, NULL));
  return m;
}

static MrtTensor *
param_of_node (MrtModel *m, const char *prefix)
{
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      MrtNode *n = mrt_model_node (m, i);
      if (g_str_has_prefix (n->name, prefix) && mrt_model_is_param (m, i))
        return mrt_model_get_param (m, n->name);
    }
  return NULL;
}

static void
test_fc_rule (void)
{
  g_autoptr (MrtModel) m = fc_model ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (GError) error = NULL;
  MrtQuantizeOptions opts;
  MrtShape in = mrt_shape_make (2, (gint64) 1, (gint64) 2);
  MrtTensor *wq, *bq;
  int *p;

  set_th (th, "data", 1.0);
  set_th (th, "fc_weight", 0.5);
  set_th (th, "fc_bias", 0.1);
  set_th (th, "fc", 0.6);
  mrt_quantize_options_init (&opts);
  opts.output_precision = 8;
  q = mrt_quantize (m, &in, th, &opts, NULL, &error);
  g_assert_no_error (error);

  /* s_x = 127/1 = 127, s_w = 127/0.5 = 254: W·254 = [127, -63.5] → [127, -64] */
  wq = param_of_node (q->model, "mrt_quantize_fc_weight_");
  g_assert_nonnull (wq);
  g_assert_cmpfloat (mrt_tensor_f32 (wq)[0], ==, 127);
  g_assert_cmpfloat (mrt_tensor_f32 (wq)[1], ==, -64);
  /* bias scale 127·254 = 32258: 0.1·32258 = 3225.8 → 3226, precision get_bit(3225.8) = 13 */
  bq = param_of_node (q->model, "mrt_quantize_fc_bias_");
  g_assert_cmpfloat (mrt_tensor_f32 (bq)[0], ==, 3226);
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (q->model, mrt_model_find (q->model, "mrt_quantize_fc_bias_0")),
                                      "precision"), ==, "13");
  /* FC precision: bits(K=2) + 8 + 8 = 18, with bias max(18, 13) + 1 = 19 */
  p = g_hash_table_lookup (q->prec, "fc");
  g_assert_cmpint (*p, ==, 19);
  g_assert_cmpfloat (mrt_quantized_get (q->sc, "fc"), ==, 32258);
  /* tight clip: get_bit(0.6·32258) = 16 < 19, so cvm_clip(16) follows */
  g_assert_cmpint (mrt_model_find (q->model, "mrt_quantize_clip_0"), >=, 0);
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (q->model, mrt_model_find (q->model, "mrt_quantize_clip_0")), "precision"), ==, "16");
  /* output requant to 8 bits: coarse shift by 16 - 8 = 8 > 5, then ×7045550 and >> 22 */
  g_assert_cmpint (q->oscales->len, ==, 1);
  g_assert_cmpfloat_with_epsilon (g_array_index (q->oscales, double, 0), 32258.0 / 256 * 7045550 / 4194304.0, 1e-9);
  g_assert_cmpfloat (q->input_scale, ==, 127);

  /* Run the integer graph (float simulation of the same integers):
   * x = [0.25, 0.5] → [32, 64]; 127·32 − 64·64 + 3226 = 3194;
   * >> 8 (rounded) = 12; 12·7045550 = 84546600; >> 22 (rounded) = 20. */
  {
    float xv[] = { 32, 64 };
    g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&in, xv);
    g_autoptr (MrtTensor) y = mrt_model_forward1 (q->model, x, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (mrt_tensor_f32 (y)[0], ==, 20);
  }
  /* x = [0.5, -1] → [64, -127]: 8128 + 8128 + 3226 = 19482; >> 8 = 76; ·7045550 >> 22 = 128 → clip 127 */
  {
    float xv[] = { 64, -127 };
    g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&in, xv);
    g_autoptr (MrtTensor) y = mrt_model_forward1 (q->model, x, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (mrt_tensor_f32 (y)[0], ==, 127);
  }
}

static void
test_overflow_refused (void)
{
  /* FC over K = 2^17 inputs: bits(K) + 8 + 8 = 34 > 32 */
  g_autoptr (MrtModel) m = mrt_model_new ();
  gint64 k = (gint64) 1 << 17;
  MrtShape ws = mrt_shape_make (2, (gint64) 1, k), in = mrt_shape_make (2, (gint64) 1, k);
  g_autoptr (MrtTensor) w = mrt_tensor_new (MRT_DTYPE_F32, &ws);
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  MrtQuantizeOptions opts;
  guint d = mrt_model_add_variable (m, "data");
  guint wi = mrt_model_add_variable (m, "big_weight");
  GHashTable *a = attrs1 ("num_hidden", "1");
  guint fc;

  g_hash_table_insert (a, g_strdup ("no_bias"), g_strdup ("True"));
  fc = mrt_model_add_node (m, "big_fc", "FullyConnected", a, (MrtEntry[]){ { d, 0 }, { wi, 0 } }, 2);
  mrt_tensor_f32 (w)[0] = 1;
  mrt_model_set_param (m, "big_weight", w);
  mrt_model_add_head (m, (MrtEntry){ fc, 0 });
  set_th (th, "data", 1);
  set_th (th, "big_weight", 1);
  set_th (th, "big_fc", 1);
  mrt_quantize_options_init (&opts);
  g_assert_null (mrt_quantize (m, &in, th, &opts, NULL, &error));
  g_assert_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_OVERFLOW);
  g_assert_nonnull (strstr (error->message, "big_fc"));
}

static void
test_unsupported_and_missing (void)
{
  g_autoptr (MrtModel) m = fc_model ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  MrtQuantizeOptions opts;
  MrtShape in = mrt_shape_make (2, (gint64) 1, (gint64) 2);
  mrt_quantize_options_init (&opts);
  set_th (th, "data", 1.0);
  g_assert_null (mrt_quantize (m, &in, th, &opts, NULL, &error));
  g_assert_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_THRESHOLD);
  g_assert_nonnull (strstr (error->message, "“fc”"));
}

/* Concat requantizes both inputs exactly to one 16-bit scale. */
static void
test_concat_common_scale (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtQuantized) q = NULL;
  MrtQuantizeOptions opts;
  MrtShape in = mrt_shape_make (2, (gint64) 1, (gint64) 3);
  guint d = mrt_model_add_variable (m, "data");
  guint r = mrt_model_add_node (m, "r", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
  GHashTable *ca = attrs1 ("dim", "1");
  guint c;
  g_hash_table_insert (ca, g_strdup ("num_args"), g_strdup ("2"));
  c = mrt_model_add_node (m, "cat", "Concat", ca, (MrtEntry[]){ { d, 0 }, { r, 0 } }, 2);
  mrt_model_add_head (m, (MrtEntry){ c, 0 });
  g_assert_true (mrt_model_validate (m, NULL));
  set_th (th, "data", 2.0);
  set_th (th, "r", 1.0);
  set_th (th, "cat", 2.0);
  mrt_quantize_options_init (&opts);
  q = mrt_quantize (m, &in, th, &opts, NULL, &error);
  g_assert_no_error (error);
  /* common scale: scale(max(2, 1), 16) = 32767 / 2 */
  g_assert_cmpfloat (mrt_quantized_get (q->sc, "cat"), ==, 32767.0 / 2);
  {
    /* data int8 with s = 63.5: [127, -64, 10] → ×(32767/2 / 63.5) exactly as cvm_float allows */
    float xv[] = { 127, -64, 10 };
    g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&in, xv);
    g_autoptr (MrtTensor) y = mrt_model_forward1 (q->model, x, &error);
    double s = 32767.0 / 2 / 63.5;
    g_assert_no_error (error);
    for (int i = 0; i < 3; i++)
      {
        g_assert_cmpfloat (fabs (mrt_tensor_f32 (y)[i] - xv[i] * s), <=, 1.0);
        g_assert_cmpfloat (fabs (mrt_tensor_f32 (y)[3 + i] - MAX (xv[i], 0) * s), <=, 1.0);
      }
  }
}

/* softmax through the LUT: with λ = 10 the output is round(16383 · softmax). */
static void
test_softmax_lut (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtQuantized) q = NULL;
  MrtQuantizeOptions opts;
  MrtShape in = mrt_shape_make (2, (gint64) 1, (gint64) 4);
  guint d = mrt_model_add_variable (m, "data");
  guint s = mrt_model_add_node (m, "sm", "softmax", NULL, (MrtEntry[]){ { d, 0 } }, 1);
  mrt_model_add_head (m, (MrtEntry){ s, 0 });
  g_assert_true (mrt_model_validate (m, NULL));
  set_th (th, "data", 4.0);
  set_th (th, "sm", 1.0);
  mrt_quantize_options_init (&opts);
  q = mrt_quantize (m, &in, th, &opts, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (g_array_index (q->oscales, double, 0), ==, 16383);
  {
    float xf[] = { 1.0f, 2.0f, -1.0f, 0.5f };
    float xv[4];
    double e[4], sum = 0;
    g_autoptr (MrtTensor) x = NULL;
    g_autoptr (MrtTensor) y = NULL;
    for (int i = 0; i < 4; i++)
      {
        xv[i] = roundf (xf[i] * 127.0f / 4.0f);
        e[i] = exp (xv[i] / (127.0 / 4.0));
        sum += e[i];
      }
    x = mrt_tensor_new_f32 (&in, xv);
    y = mrt_model_forward1 (q->model, x, &error);
    g_assert_no_error (error);
    for (int i = 0; i < 4; i++)
      g_assert_cmpfloat (fabs (mrt_tensor_f32 (y)[i] - 16383 * e[i] / sum), <=, 16383 * 0.002);
  }
}

/* Depthwise conv whose channels differ 100× in weight size: one per-tensor
 * scale crushes the small channel; per-channel multipliers keep it. Runs on
 * the CVM integer executor. */
static double
depthwise_channel_error (MrtPerChannel mode, int channel)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  MrtShape ws = mrt_shape_make (4, (gint64) 3, (gint64) 1, (gint64) 3, (gint64) 3);
  MrtShape xs = mrt_shape_make (4, (gint64) 4, (gint64) 3, (gint64) 6, (gint64) 6);
  MrtShape one = mrt_shape_make (4, (gint64) 1, (gint64) 3, (gint64) 6, (gint64) 6);
  g_autoptr (MrtTensor) w = mrt_tensor_new (MRT_DTYPE_F32, &ws);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &xs);
  g_autoptr (GRand) r = g_rand_new_with_seed (5);
  g_autoptr (GPtrArray) batches = g_ptr_array_new ();
  g_autoptr (MrtCalibration) cal = NULL;
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (MrtModel) cvm = NULL;
  g_autoptr (MrtTensor) fy = NULL;
  g_autoptr (GPtrArray) qy = NULL;
  g_autoptr (GError) error = NULL;
  MrtQuantizeOptions opts;
  const double mag[3] = { 1.0, 0.01, 0.1 };
  GHashTable *a = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint d, wi, c;
  double err = 0, range = 0;

  for (int k = 0; k < 3; k++)
    for (int i = 0; i < 9; i++)
      mrt_tensor_f32 (w)[k * 9 + i] = (float) (mag[k] * g_rand_double_range (r, -1, 1));
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_f32 (x)[i] = (float) g_rand_double_range (r, 0, 1);
  g_hash_table_insert (a, g_strdup ("kernel"), g_strdup ("(3, 3)"));
  g_hash_table_insert (a, g_strdup ("num_filter"), g_strdup ("3"));
  g_hash_table_insert (a, g_strdup ("num_group"), g_strdup ("3"));
  g_hash_table_insert (a, g_strdup ("pad"), g_strdup ("(1, 1)"));
  g_hash_table_insert (a, g_strdup ("no_bias"), g_strdup ("True"));
  d = mrt_model_add_variable (m, "data");
  wi = mrt_model_add_variable (m, "dw_weight");
  c = mrt_model_add_node (m, "dw", "Convolution", a, (MrtEntry[]){ { d, 0 }, { wi, 0 } }, 2);
  mrt_model_add_head (m, (MrtEntry){ c, 0 });
  mrt_model_set_param (m, "dw_weight", w);
  g_assert_true (mrt_model_validate (m, NULL));

  g_ptr_array_add (batches, x);
  cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  g_assert_no_error (error);
  mrt_quantize_options_init (&opts);
  opts.output_precision = 0; /* keep the conv's own precision: compare the weight grids */
  opts.per_channel = mode;
  q = mrt_quantize (m, &one, mrt_calibration_get_thresholds (cal), &opts, NULL, &error);
  g_assert_no_error (error);
  cvm = mrt_to_cvm (q->model, &xs, &error);
  g_assert_no_error (error);
  fy = mrt_model_forward1 (m, x, &error);
  qy = mrt_run_quantized (cvm, q->oscales, q->input_scale, q->input_precision, x, &error);
  g_assert_no_error (error);
  for (gint64 b = 0; b < 4; b++)
    for (gint64 i = 0; i < 36; i++)
      {
        gsize at = (gsize) ((b * 3 + channel) * 36 + i);
        double f = mrt_tensor_f32 (fy)[at], v = mrt_tensor_f32 (g_ptr_array_index (qy, 0))[at];
        err = MAX (err, fabs (f - v));
        range = MAX (range, fabs (f));
      }
  return err / range;
}

static void
test_per_channel_depthwise (void)
{
  double tensor_small = depthwise_channel_error (MRT_PER_CHANNEL_OFF, 1);
  double channel_small = depthwise_channel_error (MRT_PER_CHANNEL_AUTO, 1);
  double channel_big = depthwise_channel_error (MRT_PER_CHANNEL_ON, 0);
  g_test_message ("small channel: per-tensor %.4f, per-channel %.4f; big channel per-channel %.4f", tensor_small,
                  channel_small, channel_big);
  /* the small channel's weights use 1/100 of the int8 range per tensor */
  g_assert_cmpfloat (channel_small, <, tensor_small / 5);
  g_assert_cmpfloat (channel_small, <, 0.05);
  g_assert_cmpfloat (channel_big, <, 0.02);
}

/* Restore_name: the listed node computes in float (children divided by
 * their scales), its output has scale 1, and "_OP_"/"_ALL_EXCEPT_" select. */
static void
test_restore (void)
{
  g_autoptr (MrtModel) m = fc_model ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) names = g_ptr_array_new ();
  g_autoptr (GError) error = NULL;
  MrtShape in = mrt_shape_make (2, (gint64) 1, (gint64) 2);
  MrtQuantizeOptions opts;
  const char *lists[][2] = { { "fc", NULL }, { "_OP_FullyConnected", NULL }, { "_ALL_EXCEPT_", "data" } };

  set_th (th, "data", 1.0);
  set_th (th, "fc_weight", 0.5);
  set_th (th, "fc_bias", 0.1);
  set_th (th, "fc", 0.6);
  for (guint k = 0; k < G_N_ELEMENTS (lists); k++)
    {
      g_autoptr (MrtQuantized) q = NULL;
      g_ptr_array_set_size (names, 0);
      for (guint j = 0; j < 2 && lists[k][j]; j++)
        g_ptr_array_add (names, (gpointer) lists[k][j]);
      mrt_quantize_options_init (&opts);
      opts.restore_names = names;
      q = mrt_quantize (m, &in, th, &opts, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (q->n_restored, ==, 1);
      g_assert_cmpfloat (mrt_quantized_get (q->sc, "fc"), ==, 1);
      /* float weights survive: the graph still holds the original parameter */
      g_assert_nonnull (mrt_model_get_param (q->model, "fc_weight"));
      {
        /* x = [0.25, 0.5] quantized to [32, 64]: the float FC of [32/127, 64/127] */
        float xv[] = { 32, 64 };
        g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&in, xv);
        g_autoptr (MrtTensor) y = mrt_model_forward1 (q->model, x, &error);
        double expect = 0.5 * 32 / 127.0 - 0.25 * 64 / 127.0 + 0.1;
        g_assert_no_error (error);
        g_assert_cmpfloat (fabs (mrt_tensor_f32 (y)[0] - expect), <, 1e-6);
      }
      /* and it cannot be lowered to the CVM */
      {
        g_autoptr (MrtModel) cvm = mrt_to_cvm (q->model, &in, &error);
        g_assert_null (cvm);
        g_assert_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_PARAM);
        g_clear_error (&error);
      }
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/quantize/primitives", test_primitives);
  g_test_add_func ("/quantize/fc-rule", test_fc_rule);
  g_test_add_func ("/quantize/overflow-refused", test_overflow_refused);
  g_test_add_func ("/quantize/unsupported-and-missing", test_unsupported_and_missing);
  g_test_add_func ("/quantize/concat-common-scale", test_concat_common_scale);
  g_test_add_func ("/quantize/softmax-lut", test_softmax_lut);
  g_test_add_func ("/quantize/per-channel-depthwise", test_per_channel_depthwise);
  g_test_add_func ("/quantize/restore", test_restore);
  return g_test_run ();
}
