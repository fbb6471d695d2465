/* test-split.c: SPLIT and MERGE on a detection-like model whose top holds
 * ops MRT cannot quantize (_greater_scalar, where, _contrib_box_nms). */
#include <math.h>

#include "mrt-executor.h"
#include "mrt-prepare.h"
#include "mrt-split.h"

#define A(...) mrt_attrs_new (__VA_ARGS__, NULL)
#define S(...) mrt_shape_make (__VA_ARGS__)

static guint
op (MrtModel *m, const char *name, const char *opname, GHashTable *attrs, guint n, ...)
{
  MrtEntry in[8];
  va_list ap;
  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    in[i] = (MrtEntry){ va_arg (ap, guint), 0 };
  va_end (ap);
  return mrt_model_add_node (m, name, opname, attrs, in, n);
}

static MrtTensor *
random_tensor (GRand *rand, MrtShape shape, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &shape);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) g_rand_double_range (rand, lo, hi);
  return t;
}

static guint
param (MrtModel *m, GRand *rand, const char *name, MrtShape shape)
{
  g_autoptr (MrtTensor) t = random_tensor (rand, shape, -1.0, 1.0);
  mrt_model_set_param (m, name, t);
  return mrt_model_add_variable (m, name);
}

/* backbone -> cls_prob (1, 6) and bbox (1, 6, 4); the top thresholds the
 * scores, runs NMS and also returns the keys themselves. */
static MrtModel *
detection_model (void)
{
  MrtModel *m = mrt_model_new ();
  g_autoptr (GRand) rand = g_rand_new_with_seed (11);
  guint d = mrt_model_add_variable (m, "data");
  guint c = op (m, "conv0", "Convolution", A ("kernel", "(3, 3)", "num_filter", "4", "no_bias", "True"), 2, d,
                param (m, rand, "conv0_weight", S (4, 4, 3, 3, 3)));
  guint f = op (m, "flat0", "Flatten", NULL, 1, op (m, "relu0", "relu", NULL, 1, c));
  guint fc = op (m, "cls_fc", "FullyConnected", A ("num_hidden", "6"), 3, f, param (m, rand, "cls_w", S (2, 6, 144)),
                 param (m, rand, "cls_b", S (1, 6)));
  guint cls = op (m, "cls_prob", "sigmoid", NULL, 1, fc);
  guint bfc = op (m, "box_fc", "FullyConnected", A ("num_hidden", "24"), 3, f,
                  param (m, rand, "box_w", S (2, 24, 144)), param (m, rand, "box_b", S (1, 24)));
  guint box = op (m, "bbox", "Reshape", A ("shape", "(-1, 6, 4)"), 1, bfc);
  guint mask = op (m, "mask", "_greater_scalar", A ("scalar", "0.5"), 1, cls);
  guint ids = op (m, "ids", "zeros_like", NULL, 1, cls);
  guint sc = op (m, "scores", "where", NULL, 3, mask, cls, ids);
  guint sr = op (m, "scores3", "Reshape", A ("shape", "(-1, 6, 1)"), 1, sc);
  guint cat = op (m, "dets", "Concat", A ("num_args", "2", "dim", "2"), 2, sr, box);
  guint nms = op (m, "nms", "_contrib_box_nms",
                  A ("valid_thresh", "0.3", "overlap_thresh", "0.5", "score_index", "0", "coord_start", "1",
                     "id_index", "-1"),
                  1, cat);
  guint boxes = op (m, "boxes", "Reshape", A ("shape", "(-1, 24)"), 1, box);
  guint heads[] = { ids, sc, boxes, nms, cls };
  for (guint i = 0; i < G_N_ELEMENTS (heads); i++)
    mrt_model_add_head (m, (MrtEntry){ heads[i], 0 });
  return m;
}

static const MrtShape input_shape = { 4, { 1, 3, 8, 8 } };

static MrtModel *
prepared_model (void)
{
  g_autoptr (MrtModel) m = detection_model ();
  g_autoptr (GError) error = NULL;
  MrtModel *p;
  g_assert_true (mrt_model_validate (m, &error));
  p = mrt_prepare (m, &input_shape, NULL, &error);
  g_assert_no_error (error);
  return p;
}

static GPtrArray *
run (MrtModel *m, MrtTensor **inputs, guint n)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *out = mrt_model_forward (m, inputs, n, NULL, &error);
  g_assert_no_error (error);
  return out;
}

static MrtTensor *
input_tensor (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5);
  return random_tensor (rand, input_shape, 0.0, 1.0);
}

static void
assert_close (MrtTensor *a, MrtTensor *b, double scale, double tol)
{
  g_assert_true (mrt_shape_equal (&a->shape, &b->shape));
  for (gsize i = 0; i < a->n; i++)
    g_assert_cmpfloat (fabs (mrt_tensor_f32 (a)[i] * scale - mrt_tensor_f32 (b)[i]), <=, tol);
}

static const char *const keys[] = { "bbox", "cls_prob" }; /* not in graph order */
static const char *const base_names[] = { "cls_prob", "bbox" };

static void
test_split (void)
{
  g_autoptr (MrtModel) p = prepared_model ();
  g_autoptr (MrtModel) base = NULL, top = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtTensor) x = input_tensor ();
  g_autoptr (GPtrArray) ref = NULL, bout = NULL, tout = NULL;
  g_autoptr (GArray) tin = NULL;
  MrtTensor *top_in[2];

  g_assert_true (mrt_split (p, &input_shape, keys, 2, &base, &top, &error));
  g_assert_no_error (error);
  g_assert_true (mrt_model_validate (base, &error) && mrt_model_validate (top, &error));
  /* base: outputs in graph order, only what the keys need */
  g_assert_cmpuint (mrt_model_n_heads (base), ==, 2);
  g_assert_cmpstr (mrt_model_node (base, mrt_model_head (base, 0).node)->name, ==, "cls_prob");
  g_assert_cmpstr (mrt_model_node (base, mrt_model_head (base, 1).node)->name, ==, "bbox");
  g_assert_cmpint (mrt_model_find (base, "nms"), <, 0);
  g_assert_null (mrt_model_get_param (base, "const_var_0"));
  /* top: the keys are inputs with their shapes */
  tin = mrt_model_inputs (top);
  g_assert_cmpuint (tin->len, ==, 2);
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (top, mrt_model_find (top, "cls_prob")), "__shape__"), ==,
                   "(1, 6)");
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (top, mrt_model_find (top, "bbox")), "__shape__"), ==,
                   "(1, 6, 4)");
  g_assert_cmpint (mrt_model_find (top, "conv0"), <, 0);
  g_assert_null (mrt_model_get_param (top, "conv0_weight"));
  g_assert_cmpuint (mrt_model_n_heads (top), ==, 5);

  /* base then top computes what the prepared model computes */
  ref = run (p, &x, 1);
  bout = run (base, &x, 1);
  for (guint i = 0; i < 2; i++)
    {
      const char *name = mrt_model_node (top, g_array_index (tin, guint, i))->name;
      top_in[i] = g_ptr_array_index (bout, strcmp (name, "cls_prob") == 0 ? 0 : 1);
    }
  tout = run (top, top_in, 2);
  for (guint i = 0; i < ref->len; i++)
    assert_close (g_ptr_array_index (ref, i), g_ptr_array_index (tout, i), 1.0, 0.0);
}

static void
test_round_trip (void)
{
  g_autoptr (MrtModel) p = prepared_model ();
  g_autoptr (MrtModel) base = NULL, top = NULL, merged = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtTensor) x = input_tensor ();
  g_autoptr (GPtrArray) ref = NULL, out = NULL;
  g_autofree double *oscales = NULL;
  const double ones[2] = { 1.0, 1.0 };

  g_assert_true (mrt_split (p, &input_shape, keys, 2, &base, &top, &error));
  merged = mrt_merge (base, top, base_names, NULL, 0, ones, NULL, 0, &oscales, &error);
  g_assert_no_error (error);
  g_assert_true (mrt_model_validate (merged, &error));
  g_assert_cmpuint (mrt_model_n_nodes (merged), ==, mrt_model_n_nodes (p));
  ref = run (p, &x, 1);
  out = run (merged, &x, 1);
  for (guint i = 0; i < ref->len; i++)
    {
      assert_close (g_ptr_array_index (ref, i), g_ptr_array_index (out, i), 1.0, 0.0);
      g_assert_cmpfloat (oscales[i], ==, 1.0);
    }
}

/* A stand-in for the quantized base: outputs scaled by 10 and 4 and renamed. */
static MrtModel *
scaled_base (MrtModel *base, const double *scales)
{
  MrtModel *q = mrt_model_copy (base);
  g_array_set_size (q->heads, 0);
  for (guint i = 0; i < 2; i++)
    {
      g_autofree char *cname = g_strdup_printf ("scale_%u", i);
      g_autofree char *oname = g_strdup_printf ("%s_q", base_names[i]);
      float v = (float) scales[i];
      MrtShape one = S (1, (gint64) 1);
      g_autoptr (MrtTensor) t = mrt_tensor_new_f32 (&one, &v);
      guint c = mrt_model_add_variable (q, cname);
      MrtEntry in[2] = { mrt_model_head (base, i), { c, 0 } };
      mrt_model_set_param (q, cname, t);
      mrt_model_add_head (q, (MrtEntry){ mrt_model_add_node (q, oname, "broadcast_mul", NULL, in, 2), 0 });
    }
  return q;
}

static void
test_merge_scaled (void)
{
  g_autoptr (MrtModel) p = prepared_model ();
  g_autoptr (MrtModel) base = NULL, top = NULL, qbase = NULL, merged = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtTensor) x = input_tensor ();
  g_autoptr (GPtrArray) ref = NULL, out = NULL;
  g_autofree double *oscales = NULL;
  const double scales[2] = { 10.0, 4.0 };
  const MrtAttributeDep deps[] = {
    { (char *) "_greater_scalar", (char *) "scalar", (char *) "cls_prob" },
    { (char *) "_contrib_box_nms", (char *) "valid_thresh", (char *) "cls_prob" },
  };
  const MrtOscaleMap maps[] = {
    { (char *) "ids", NULL },
    { (char *) "scores", (char *) "cls_prob" },
    { (char *) "whatever", (char *) "bbox" }, /* the left-hand names are ignored */
    { (char *) "nms", (char *) "cls_prob" },
    { (char *) "cls", (char *) "cls_prob" },
  };
  MrtTensor *nf, *nq;
  guint valid = 0, kept = 0;

  g_assert_true (mrt_split (p, &input_shape, keys, 2, &base, &top, &error));
  qbase = scaled_base (base, scales);
  merged = mrt_merge (qbase, top, base_names, deps, G_N_ELEMENTS (deps), scales, maps, G_N_ELEMENTS (maps),
                      &oscales, &error);
  g_assert_no_error (error);
  g_assert_true (mrt_model_validate (merged, &error));
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (merged, mrt_model_find (merged, "mask")), "scalar"), ==, "5");
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (merged, mrt_model_find (merged, "nms")), "valid_thresh"), ==,
                   "3");
  g_assert_cmpfloat (oscales[0], ==, 1.0);
  g_assert_cmpfloat (oscales[1], ==, 10.0);
  g_assert_cmpfloat (oscales[2], ==, 4.0);
  g_assert_cmpfloat (oscales[3], ==, 10.0);
  g_assert_cmpfloat (oscales[4], ==, 10.0);
  g_assert_cmpint (mrt_model_find (merged, "cls_prob_q"), >=, 0);
  g_assert_null (mrt_model_get_param (p, "scale_0"));

  /* the top now runs on scaled values: each output is the float one times its oscale */
  ref = run (p, &x, 1);
  out = run (merged, &x, 1);
  for (guint i = 0; i < 3; i++)
    assert_close (g_ptr_array_index (ref, i), g_ptr_array_index (out, i), oscales[i], 1e-4);
  assert_close (g_ptr_array_index (ref, 4), g_ptr_array_index (out, 4), oscales[4], 1e-4);
  /* NMS rows: score x10, box x4, invalid rows stay -1 */
  nf = g_ptr_array_index (ref, 3), nq = g_ptr_array_index (out, 3);
  for (gsize r = 0; r < nf->n / 5; r++)
    for (int k = 0; k < 5; k++)
      {
        float f = mrt_tensor_f32 (nf)[r * 5 + k], q = mrt_tensor_f32 (nq)[r * 5 + k];
        double s = mrt_tensor_f32 (nf)[r * 5] < 0 ? 1.0 : k == 0 ? 10.0 : 4.0;
        g_assert_cmpfloat (fabs (f * s - q), <=, 1e-4);
        valid += k == 0 && f >= 0;
      }
  for (gsize i = 0; i < 6; i++)
    kept += mrt_tensor_f32 (g_ptr_array_index (ref, 1))[i] > 0;
  /* the data exercises both sides of the thresholds */
  g_assert_cmpuint (valid, >, 0);
  g_assert_cmpuint (valid, <, 6);
  g_assert_cmpuint (kept, >, 0);
  g_assert_cmpuint (kept, <, 6);
}

static void
test_default_oscales (void)
{
  g_autoptr (MrtModel) p = prepared_model ();
  g_autoptr (MrtModel) base = NULL, top = NULL, merged = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree double *oscales = NULL;
  const double scales[2] = { 10.0, 4.0 };
  g_assert_true (mrt_split (p, &input_shape, keys, 2, &base, &top, &error));
  merged = mrt_merge (base, top, base_names, NULL, 0, scales, NULL, 0, &oscales, &error);
  g_assert_no_error (error);
  /* without Oscale_maps: outputs that are base outputs get their scale */
  g_assert_cmpfloat (oscales[1], ==, 1.0);
  g_assert_cmpfloat (oscales[4], ==, 10.0);
}

static void
test_errors (void)
{
  g_autoptr (MrtModel) p = prepared_model ();
  g_autoptr (MrtModel) base = NULL, top = NULL;
  g_autoptr (GError) error = NULL;
  const char *bad[] = { "cls_prob", "nope" };
  const char *var[] = { "data" };
  const double scales[2] = { 1.0, 1.0 };
  const MrtAttributeDep dep = { (char *) "_greater_scalar", (char *) "scalar", (char *) "missing" };
  const MrtOscaleMap map[5] = { { (char *) "a", (char *) "missing" } };

  g_assert_false (mrt_split (p, &input_shape, bad, 2, &base, &top, &error));
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "“nope”"));
  g_assert_null (base);
  g_clear_error (&error);
  g_assert_false (mrt_split (p, &input_shape, var, 1, &base, &top, &error));
  g_assert_nonnull (strstr (error->message, "“data”"));
  g_clear_error (&error);
  g_assert_false (mrt_split (p, &input_shape, NULL, 0, &base, &top, &error));
  g_clear_error (&error);

  g_assert_true (mrt_split (p, &input_shape, keys, 2, &base, &top, &error));
  g_assert_null (mrt_merge (base, top, base_names, &dep, 1, scales, NULL, 0, NULL, &error));
  g_assert_nonnull (strstr (error->message, "“missing”"));
  g_clear_error (&error);
  g_assert_null (mrt_merge (base, top, base_names, NULL, 0, scales, map, 5, NULL, &error));
  g_assert_nonnull (strstr (error->message, "“missing”"));
  g_clear_error (&error);
  g_assert_null (mrt_merge (base, top, base_names, NULL, 0, scales, map, 2, NULL, &error));
  g_assert_nonnull (strstr (error->message, "2 entries"));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/split/split", test_split);
  g_test_add_func ("/split/round-trip", test_round_trip);
  g_test_add_func ("/split/merge-scaled", test_merge_scaled);
  g_test_add_func ("/split/default-oscales", test_default_oscales);
  g_test_add_func ("/split/errors", test_errors);
  return g_test_run ();
}
