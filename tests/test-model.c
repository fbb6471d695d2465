/* test-model.c: the graph IR: building, validation errors, topological order, inputs, shapes. */
#include <math.h>
#include <mrt.h>

static GHashTable *
attrs (const char *k, const char *v, ...)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;
  va_start (ap, v);
  while (k)
    {
      g_hash_table_insert (h, g_strdup (k), g_strdup (v));
      k = va_arg (ap, const char *);
      if (k)
        v = va_arg (ap, const char *);
    }
  va_end (ap);
  return h;
}

/* data -> FullyConnected(w, b) -> relu -> SoftmaxOutput(label) */
static MrtModel *
small_model (void)
{
  MrtModel *m = mrt_model_new ();
  MrtShape ws = mrt_shape_make (2, (gint64) 4, (gint64) 6), bs = mrt_shape_make (1, (gint64) 4);
  g_autoptr (MrtTensor) w = mrt_tensor_new (MRT_DTYPE_F32, &ws);
  g_autoptr (MrtTensor) b = mrt_tensor_new (MRT_DTYPE_F32, &bs);
  guint d = mrt_model_add_variable (m, "data");
  guint wi = mrt_model_add_variable (m, "fc_weight");
  guint bi = mrt_model_add_variable (m, "fc_bias");
  guint fc = mrt_model_add_node (m, "fc", "FullyConnected", attrs ("num_hidden", "4", NULL),
                                 (MrtEntry[]){ { d, 0 }, { wi, 0 }, { bi, 0 } }, 3);
  guint r = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { fc, 0 } }, 1);
  guint l = mrt_model_add_variable (m, "softmax_label");
  guint s = mrt_model_add_node (m, "softmax", "SoftmaxOutput", NULL, (MrtEntry[]){ { r, 0 }, { l, 0 } }, 2);
  for (gsize i = 0; i < w->n; i++)
    mrt_tensor_f32 (w)[i] = (float) i / 10.0f - 1.0f;
  mrt_model_set_param (m, "fc_weight", w);
  mrt_model_set_param (m, "fc_bias", b);
  mrt_model_add_head (m, (MrtEntry){ s, 0 });
  return m;
}

static void
test_build_and_query (void)
{
  g_autoptr (MrtModel) m = small_model ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) inputs = NULL;
  g_autofree MrtShape *shapes = NULL;
  MrtShape in = mrt_shape_make (2, (gint64) 3, (gint64) 6);
  guint64 count, bytes;

  g_assert_true (mrt_model_validate (m, &error));
  g_assert_no_error (error);
  g_assert_cmpint (mrt_model_find (m, "relu0"), ==, 4);
  g_assert_cmpint (mrt_model_find (m, "nope"), ==, -1);
  g_assert_true (mrt_model_is_param (m, 1));
  g_assert_false (mrt_model_is_param (m, 0));
  /* the label is not an input a user must supply */
  inputs = mrt_model_inputs (m);
  g_assert_cmpint (inputs->len, ==, 1);
  g_assert_cmpint (g_array_index (inputs, guint, 0), ==, 0);
  mrt_model_param_stats (m, &count, &bytes);
  g_assert_cmpint (count, ==, 28);
  g_assert_cmpint (bytes, ==, 112);

  shapes = mrt_model_infer_shapes_single (m, &in, &error);
  g_assert_no_error (error);
  g_assert_nonnull (shapes);
  g_assert_cmpint (shapes[mrt_model_entry_id (m, (MrtEntry){ 3, 0 })].dim[1], ==, 4);
  g_assert_cmpint (shapes[mrt_model_entry_id (m, (MrtEntry){ 6, 0 })].dim[0], ==, 3);
}

static void
test_copy_is_deep (void)
{
  g_autoptr (MrtModel) m = small_model ();
  g_autoptr (MrtModel) c = mrt_model_copy (m);
  mrt_node_set_attr (mrt_model_node (c, 3), "num_hidden", "5");
  g_assert_cmpint (mrt_node_get_int (mrt_model_node (m, 3), "num_hidden", 0), ==, 4);
  g_assert_cmpint (mrt_node_get_int (mrt_model_node (c, 3), "num_hidden", 0), ==, 5);
  g_assert_true (mrt_model_validate (c, NULL));
}

static void
expect_invalid (MrtModel *m, gint code, const char *fragment)
{
  g_autoptr (GError) error = NULL;
  g_assert_false (mrt_model_validate (m, &error));
  g_assert_error (error, MRT_MODEL_ERROR, code);
  if (!strstr (error->message, fragment))
    g_error ("message “%s” lacks “%s”", error->message, fragment);
}

static void
test_validation_errors (void)
{
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "no nodes");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint d = mrt_model_add_variable (m, "data");
    mrt_model_add_node (m, "data", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ 1, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "“data” is used twice");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint d = mrt_model_add_variable (m, "data");
    mrt_model_add_node (m, "x", "Frobnicate", NULL, (MrtEntry[]){ { d, 0 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ 1, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_UNKNOWN_OP, "Frobnicate");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    mrt_model_add_variable (m, "data");
    mrt_model_add_node (m, "x", "relu", NULL, (MrtEntry[]){ { 1, 0 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ 1, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_CYCLE, "“x”");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    mrt_model_add_variable (m, "data");
    mrt_model_add_node (m, "x", "relu", NULL, (MrtEntry[]){ { 7, 0 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ 1, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "does not exist");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint d = mrt_model_add_variable (m, "data");
    mrt_model_add_node (m, "x", "relu", NULL, (MrtEntry[]){ { d, 2 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ 1, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "output 2");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    mrt_model_add_variable (m, "data");
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "no outputs");
  }
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    mrt_model_add_variable (m, "data");
    mrt_model_add_head (m, (MrtEntry){ 3, 0 });
    expect_invalid (m, MRT_MODEL_ERROR_INVALID, "graph output 0");
  }
  {
    g_autoptr (MrtModel) m = small_model ();
    mrt_node_set_attr (mrt_model_node (m, 3), "num_hidden", "(3, x)");
    expect_invalid (m, MRT_MODEL_ERROR_ATTRIBUTE, "num_hidden");
  }
  {
    g_autoptr (MrtModel) m = small_model ();
    MrtTensor *w = mrt_model_get_param (m, "fc_weight");
    mrt_tensor_f32 (w)[3] = NAN;
    expect_invalid (m, MRT_MODEL_ERROR_PARAM, "fc_weight");
  }
}

static void
test_shape_errors (void)
{
  g_autoptr (MrtModel) m = small_model ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  MrtShape wrong = mrt_shape_make (2, (gint64) 3, (gint64) 5);
  g_assert_null (mrt_model_infer_shapes_single (m, NULL, &error));
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error->message, "“data”"));
  g_assert_null (mrt_model_infer_shapes_single (m, &wrong, &error2));
  g_assert_error (error2, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  g_assert_nonnull (strstr (error2->message, "“fc”"));
}

static void
test_topo_order (void)
{
  /* 0 <- 2, 1 <- 0, 2 has none: order 2, 0, 1 */
  guint d0[] = { 2 }, d1[] = { 0 };
  guint *deps[] = { d0, d1, NULL };
  guint n_deps[] = { 1, 1, 0 };
  guint order[3], cyc = 99;
  g_assert_true (mrt_topo_order (3, deps, n_deps, order, &cyc));
  g_assert_cmpint (order[0], ==, 2);
  g_assert_cmpint (order[1], ==, 0);
  g_assert_cmpint (order[2], ==, 1);
  {
    guint c0[] = { 1 }, c1[] = { 0 };
    guint *cdeps[] = { c0, c1 };
    guint cn[] = { 1, 1 };
    g_assert_false (mrt_topo_order (2, cdeps, cn, order, &cyc));
    g_assert_cmpint (cyc, <, 2);
  }
}

static void
test_forward_small (void)
{
  g_autoptr (MrtModel) m = small_model ();
  MrtShape in = mrt_shape_make (2, (gint64) 2, (gint64) 6);
  g_autoptr (MrtTensor) x = mrt_tensor_new (MRT_DTYPE_F32, &in);
  g_autoptr (MrtTensor) y = NULL;
  g_autoptr (GError) error = NULL;
  for (gsize i = 0; i < x->n; i++)
    mrt_tensor_f32 (x)[i] = (float) i / 12.0f;
  g_assert_true (mrt_model_validate (m, &error));
  y = mrt_model_forward1 (m, x, &error);
  g_assert_no_error (error);
  g_assert_cmpint (y->shape.ndim, ==, 2);
  /* rows of a softmax sum to 1 */
  for (int r = 0; r < 2; r++)
    {
      double s = 0;
      for (int c = 0; c < 4; c++)
        s += mrt_tensor_f32 (y)[r * 4 + c];
      g_assert_cmpfloat_with_epsilon (s, 1.0, 1e-5);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/model/build-and-query", test_build_and_query);
  g_test_add_func ("/model/copy-is-deep", test_copy_is_deep);
  g_test_add_func ("/model/validation-errors", test_validation_errors);
  g_test_add_func ("/model/shape-errors", test_shape_errors);
  g_test_add_func ("/model/topo-order", test_topo_order);
  g_test_add_func ("/model/forward-small", test_forward_small);
  return g_test_run ();
}
