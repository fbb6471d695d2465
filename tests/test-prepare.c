/* test-prepare.c: the PREPARE passes. Every rewrite is checked on small random
 * models for equivalence (original vs prepared outputs on the same random
 * input), for the op sequence it produces and for the generated names. */
#include <math.h>

#include "mrt-dataset.h"
#include "mrt-executor.h"
#include "mrt-mxnet.h"
#include "mrt-prepare.h"

/* ---- building small models ---- */

typedef struct {
  MrtModel *m;
  GRand *rand;
} Builder;

static Builder
builder_new (void)
{
  return (Builder){ mrt_model_new (), g_rand_new_with_seed (42) };
}

static MrtModel *
builder_finish (Builder *b, guint head)
{
  mrt_model_add_head (b->m, (MrtEntry){ head, 0 });
  g_rand_free (b->rand);
  return b->m;
}

static MrtTensor *
random_tensor (GRand *rand, const MrtShape *shape, double lo, double hi)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  for (gsize i = 0; i < t->n; i++)
    mrt_tensor_f32 (t)[i] = (float) g_rand_double_range (rand, lo, hi);
  return t;
}

static guint
var (Builder *b, const char *name)
{
  return mrt_model_add_variable (b->m, name);
}

static guint
param_range (Builder *b, const char *name, MrtShape shape, double lo, double hi)
{
  g_autoptr (MrtTensor) t = random_tensor (b->rand, &shape, lo, hi);
  mrt_model_set_param (b->m, name, t);
  return mrt_model_add_variable (b->m, name);
}

static guint
param (Builder *b, const char *name, MrtShape shape)
{
  return param_range (b, name, shape, -1.0, 1.0);
}

/* op(name, op, attrs, n inputs given as node indices (output 0)) */
static guint
op (Builder *b, const char *name, const char *opname, GHashTable *attrs, guint n, ...)
{
  MrtEntry in[8];
  va_list ap;
  va_start (ap, n);
  for (guint i = 0; i < n; i++)
    in[i] = (MrtEntry){ va_arg (ap, guint), 0 };
  va_end (ap);
  return mrt_model_add_node (b->m, name, opname, attrs, in, n);
}

#define A(...) mrt_attrs_new (__VA_ARGS__, NULL)
#define S(...) mrt_shape_make (__VA_ARGS__)

/* ---- checks ---- */

static double
max_rel_error (MrtTensor *ref, MrtTensor *got)
{
  double scale = 0, err = 0;
  g_assert_true (mrt_shape_equal (&ref->shape, &got->shape));
  for (gsize i = 0; i < ref->n; i++)
    {
      scale = MAX (scale, fabs (mrt_tensor_f32 (ref)[i]));
      err = MAX (err, fabs ((double) mrt_tensor_f32 (ref)[i] - mrt_tensor_f32 (got)[i]));
    }
  return scale > 1e-6 ? err / scale : err;
}

/* Runs both models on input; every output within 1e-4 (relative to the
 * largest magnitude of the reference output). */
static void
assert_same_outputs (MrtModel *orig, MrtModel *prep, MrtTensor *input)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GArray) in_o = mrt_model_inputs (orig);
  MrtTensor *ins[1] = { input };
  g_autoptr (GPtrArray) a = mrt_model_forward (orig, ins, in_o->len, NULL, &error);
  g_autoptr (GPtrArray) b = NULL;
  g_assert_no_error (error);
  b = mrt_model_forward (prep, ins, 1, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_cmpfloat (max_rel_error (g_ptr_array_index (a, i), g_ptr_array_index (b, i)), <=, 1e-4);
}

/* The operators of the prepared graph in order, comma-separated. */
static char *
op_sequence (MrtModel *m)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      MrtNode *n = mrt_model_node (m, i);
      if (!mrt_node_is_variable (n))
        g_string_append_printf (s, "%s%s", s->len ? "," : "", n->op);
    }
  return g_string_free (s, FALSE);
}

/* Prepares orig (takes it), checks equivalence on a random input and the op
 * sequence; returns the prepared model. */
static MrtModel *
check_prepare (MrtModel *orig_in, MrtShape shape, const char *ops)
{
  g_autoptr (MrtModel) orig = orig_in;
  g_autoptr (GError) error = NULL;
  g_autoptr (GRand) rand = g_rand_new_with_seed (7);
  g_autoptr (MrtTensor) x = random_tensor (rand, &shape, -2.0, 2.0);
  g_autofree char *seq = NULL;
  MrtModel *prep;

  g_assert_true (mrt_model_validate (orig, &error));
  g_assert_no_error (error);
  prep = mrt_prepare (orig, &shape, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (prep);
  g_assert_true (mrt_model_validate (prep, &error));
  seq = op_sequence (prep);
  if (ops)
    g_assert_cmpstr (seq, ==, ops);
  assert_same_outputs (orig, prep, x);
  return prep;
}

static MrtNode *
node_named (MrtModel *m, const char *name)
{
  gint i = mrt_model_find (m, name);
  if (i < 0)
    g_error ("no node named %s", name);
  return mrt_model_node (m, i);
}

static const char *
input_name (MrtModel *m, MrtNode *n, guint i)
{
  return mrt_model_node (m, n->inputs[i].node)->name;
}

static MrtNode *
head_node (MrtModel *m, guint i)
{
  return mrt_model_node (m, mrt_model_head (m, i).node);
}

/* ---- name generator and number text ---- */

static void
test_names (void)
{
  g_autoptr (MrtNameGen) g = mrt_name_gen_new ();
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;

  g_assert_cmpstr (mrt_name_gen_begin_pass (g, "rewrite"), ==, "rewrite");
  a = mrt_name_gen_next (g, "bn0");
  b = mrt_name_gen_next (g, "bn0");
  mrt_name_gen_end_pass (g);
  g_assert_cmpstr (mrt_name_gen_begin_pass (g, "rewrite"), ==, "rewrite1");
  c = mrt_name_gen_next (g, "bn0"); /* the counter is per base, not per pass */
  d = mrt_name_gen_next (g, "");
  mrt_name_gen_end_pass (g);
  g_assert_cmpstr (mrt_name_gen_begin_pass (g, "rewrite"), ==, "rewrite2");
  mrt_name_gen_end_pass (g);
  g_assert_cmpstr (mrt_name_gen_begin_pass (g, "fc"), ==, "fc");
  e = mrt_name_gen_next (g, "x");
  g_assert_cmpstr (a, ==, "mrt_rewrite_bn0_0");
  g_assert_cmpstr (b, ==, "mrt_rewrite_bn0_1");
  g_assert_cmpstr (c, ==, "mrt_rewrite1_bn0_2");
  g_assert_cmpstr (d, ==, "mrt_rewrite1_0");
  g_assert_cmpstr (e, ==, "mrt_fc_x_0");
}

static void
test_number_text (void)
{
  static const struct {
    double v;
    const char *s;
  } floats[] = {
    { 0.25, "0.25" }, { 2.0, "2.0" }, { 1e-05, "1e-05" }, { 0.0001, "0.0001" }, { 1.0 / 3, "0.3333333333333333" },
    { 1e16, "1e+16" }, { 123456.789, "123456.789" }, { -1.5e-07, "-1.5e-07" }, { 0.1, "0.1" }, { 0.0, "0.0" },
    { 1.0 / 784, "0.0012755102040816326" }, { 1234567890123456.0, "1234567890123456.0" },
  };
  MrtNumber n;
  for (guint i = 0; i < G_N_ELEMENTS (floats); i++)
    {
      g_autofree char *s = mrt_float_repr (floats[i].v);
      g_assert_cmpstr (s, ==, floats[i].s);
    }
  g_assert_true (mrt_number_parse ("3", &n) && n.is_int && n.i == 3);
  g_assert_true (mrt_number_parse ("3.0", &n) && !n.is_int && n.d == 3.0);
  g_assert_true (mrt_number_parse ("1e-3", &n) && !n.is_int);
  g_assert_false (mrt_number_parse ("abc", &n));
  g_assert_cmpint (mrt_get_bit (0), ==, 1);
  g_assert_cmpint (mrt_get_bit (1), ==, 2);
  g_assert_cmpint (mrt_get_bit (127), ==, 8);
  g_assert_cmpint (mrt_get_bit (128), ==, 9);
  g_assert_cmpint (mrt_get_bit (-0.5), ==, 2);
}

/* ---- BatchNorm ---- */

static guint
add_bn (Builder *b, const char *name, guint x, gint64 c, const char *fix_gamma)
{
  g_autofree char *g = g_strconcat (name, "_gamma", NULL), *be = g_strconcat (name, "_beta", NULL);
  g_autofree char *mm = g_strconcat (name, "_moving_mean", NULL), *mv = g_strconcat (name, "_moving_var", NULL);
  guint pg = param_range (b, g, S (1, c), 0.5, 1.5), pb = param (b, be, S (1, c));
  guint pm = param (b, mm, S (1, c)), pv = param_range (b, mv, S (1, c), 0.2, 2.0);
  GHashTable *attrs = fix_gamma ? A ("eps", "1e-05", "fix_gamma", fix_gamma) : A ("eps", "1e-05");
  return op (b, name, "BatchNorm", attrs, 5, x, pg, pb, pm, pv);
}

static guint
add_conv (Builder *b, const char *name, guint x, gint64 cin, gint64 cout, gboolean bias)
{
  g_autofree char *wn = g_strconcat (name, "_weight", NULL), *bn = g_strconcat (name, "_bias", NULL);
  guint w = param (b, wn, S (4, cout, cin, (gint64) 3, (gint64) 3));
  g_autofree char *nf = g_strdup_printf ("%" G_GINT64_FORMAT, cout);
  if (!bias)
    return op (b, name, "Convolution",
               A ("kernel", "(3, 3)", "pad", "(1, 1)", "num_filter", nf, "no_bias", "True"), 2, x, w);
  return op (b, name, "Convolution", A ("kernel", "(3, 3)", "pad", "(1, 1)", "num_filter", nf), 3, x, w,
             param (b, bn, S (1, cout)));
}

static void
test_bn_fold (void)
{
  for (int with_bias = 0; with_bias < 2; with_bias++)
    {
      Builder b = builder_new ();
      guint conv = add_conv (&b, "conv0", var (&b, "data"), 3, 4, with_bias);
      guint bn = add_bn (&b, "bn0", conv, 4, "False");
      g_autoptr (MrtModel) p =
        check_prepare (builder_finish (&b, op (&b, "relu0", "relu", NULL, 1, bn)), S (4, 1, 3, 8, 8),
                       "Convolution,relu");
      MrtNode *c = node_named (p, "mrt_rewrite_bn0_0");
      g_assert_cmpstr (c->op, ==, "Convolution");
      g_assert_cmpstr (input_name (p, c, 1), ==, "mrt_rewrite_conv0_weight_0");
      /* upstream keeps the old bias name, or names a new one "bias" */
      g_assert_cmpstr (input_name (p, c, 2), ==, with_bias ? "conv0_bias" : "mrt_rewrite_bias_0");
      g_assert_false (mrt_node_get_bool (c, "no_bias", TRUE));
      g_assert_cmpint (mrt_model_find (p, "bn0_gamma"), <, 0); /* params_unique */
      g_assert_cmpint (mrt_model_find (p, "conv0_weight"), <, 0);
      g_assert_nonnull (mrt_model_get_param (p, "mrt_rewrite_conv0_weight_0"));
    }
}

/* BN after a convolution that has another consumer, and after a relu. */
static void
test_bn_broadcast (void)
{
  Builder b = builder_new ();
  guint conv = add_conv (&b, "conv0", var (&b, "data"), 3, 4, TRUE);
  guint bn = add_bn (&b, "bn0", conv, 4, NULL);
  guint r = op (&b, "relu0", "relu", NULL, 1, conv);
  guint bn2 = add_bn (&b, "bn1", r, 4, "False");
  guint sum = op (&b, "add0", "elemwise_add", NULL, 2, bn, bn2);
  g_autoptr (MrtModel) p =
    check_prepare (builder_finish (&b, sum), S (4, 1, 3, 6, 6),
                   "Convolution,broadcast_mul,broadcast_add,relu,broadcast_mul,broadcast_add,elemwise_add");
  MrtNode *mul = node_named (p, "mrt_rewrite_broadcast_mul_0");
  MrtNode *add = node_named (p, "mrt_rewrite_broadcast_add_1");
  MrtTensor *w = mrt_model_get_param (p, "mrt_rewrite_weight_0");
  g_assert_cmpstr (input_name (p, mul, 0), ==, "conv0");
  g_assert_cmpstr (input_name (p, add, 1), ==, "mrt_rewrite_bias_1");
  g_assert_nonnull (w);
  g_assert_cmpint (w->shape.ndim, ==, 4);
  g_assert_cmpint (w->shape.dim[1], ==, 4);
  g_assert_cmpint (w->shape.dim[2], ==, 1);
}

/* ---- Pooling ---- */

static void
test_avg_pool_global (void)
{
  Builder b = builder_new ();
  guint p0 = op (&b, "pool0", "Pooling", A ("kernel", "(1, 1)", "pool_type", "avg", "global_pool", "True"), 1,
                 var (&b, "data"));
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, p0), S (4, 2, 3, 5, 4), "sum,broadcast_mul");
  MrtNode *h = head_node (p, 0);
  g_assert_cmpstr (h->name, ==, "mrt_rewrite_braodcast_mul_0");
  g_assert_cmpstr (input_name (p, h, 0), ==, "mrt_rewrite_sum_0");
  g_assert_cmpstr (input_name (p, h, 1), ==, "mrt_rewrite_avg_scale_0");
  g_assert_cmpfloat_with_epsilon (mrt_tensor_f32 (mrt_model_get_param (p, "mrt_rewrite_avg_scale_0"))[0], 0.05,
                                  1e-7);
}

static void
test_avg_pool_local (void)
{
  static const struct {
    const char *pad, *cip, *convention, *ops;
  } cases[] = {
    { "(0, 0)", NULL, NULL, "Convolution" },
    { "(1, 1)", NULL, NULL, "Convolution" },         /* count_include_pad defaults to True */
    { "(1, 1)", "False", NULL, "Pooling" },          /* windows divide by fewer elements */
    { "(0, 0)", "False", NULL, "Convolution" },      /* no padding: the same */
    { "(0, 0)", NULL, "full", "Pooling" },           /* partial windows at the border */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Builder b = builder_new ();
      GHashTable *attrs = A ("kernel", "(3, 3)", "stride", "(2, 2)", "pad", cases[i].pad, "pool_type", "avg");
      guint p0;
      g_autoptr (MrtModel) p = NULL;
      if (cases[i].cip)
        g_hash_table_insert (attrs, g_strdup ("count_include_pad"), g_strdup (cases[i].cip));
      if (cases[i].convention)
        g_hash_table_insert (attrs, g_strdup ("pooling_convention"), g_strdup (cases[i].convention));
      p0 = op (&b, "pool0", "Pooling", attrs, 1, var (&b, "data"));
      p = check_prepare (builder_finish (&b, p0), S (4, 1, 3, 8, 8), cases[i].ops);
      if (strcmp (cases[i].ops, "Convolution") == 0)
        {
          MrtNode *c = head_node (p, 0);
          g_assert_cmpstr (c->name, ==, "mrt_rewrite_pool_conv_0");
          g_assert_cmpstr (input_name (p, c, 1), ==, "mrt_rewrite_weight_0");
          g_assert_cmpint (mrt_node_get_int (c, "num_group", 0), ==, 3);
        }
    }
}

static void
test_max_pool_kept (void)
{
  Builder b = builder_new ();
  guint p0 = op (&b, "pool0", "Pooling", A ("kernel", "(2, 2)", "stride", "(2, 2)"), 1, var (&b, "data"));
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, p0), S (4, 1, 2, 6, 6), "Pooling");
  g_assert_cmpstr (head_node (p, 0)->name, ==, "pool0");
}

/* ---- activations and scalar ops ---- */

static void
test_leaky_relu (void)
{
  Builder b = builder_new ();
  guint l = op (&b, "leaky0", "LeakyReLU", A ("act_type", "leaky", "slope", "0.1"), 1, var (&b, "data"));
  g_autoptr (MrtModel) p =
    check_prepare (builder_finish (&b, l), S (2, 3, 7), "relu,negative,relu,broadcast_mul,elemwise_sub");
  g_assert_cmpstr (head_node (p, 0)->name, ==, "leaky0");
  g_assert_cmpfloat_with_epsilon (mrt_tensor_f32 (mrt_model_get_param (p, "mrt_rewrite_slope_0"))[0], 0.1, 1e-7);
}

static void
test_activation (void)
{
  Builder b = builder_new ();
  guint a = op (&b, "act0", "Activation", A ("act_type", "sigmoid"), 1, var (&b, "data"));
  guint r = op (&b, "act1", "Activation", A ("act_type", "relu"), 1, a);
  guint t = op (&b, "act2", "Activation", A ("act_type", "tanh"), 1, r);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, t), S (2, 2, 5), "sigmoid,Activation,Activation");
  g_assert_cmpstr (node_named (p, "act0")->op, ==, "sigmoid");
}

static void
test_scalar_ops (void)
{
  Builder b = builder_new ();
  guint x = op (&b, "mul0", "_mul_scalar", A ("scalar", "2"), 1, var (&b, "data"));
  x = op (&b, "plus0", "_plus_scalar", A ("scalar", "0.5"), 1, x);
  x = op (&b, "div0", "_div_scalar", A ("scalar", "4.0"), 1, x);
  x = op (&b, "minus0", "_minus_scalar", A ("scalar", "3"), 1, x);
  x = op (&b, "plus1", "_plus_scalar", A ("scalar", "0.0"), 1, x); /* dropped */
  x = op (&b, "mul1", "_mul_scalar", A ("scalar", "2"), 1, x);   /* shares const_var_2 */
  g_autoptr (MrtModel) p = check_prepare (
    builder_finish (&b, x), S (2, 2, 3),
    "broadcast_mul,broadcast_add,broadcast_mul,broadcast_add,broadcast_mul");
  MrtNode *c2 = node_named (p, "const_var_2");
  g_assert_cmpstr (mrt_node_get_attr (c2, "precision"), ==, "3");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "const_var_0.5"), "precision"), ==, "2");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "const_var_-3"), "precision"), ==, "3");
  g_assert_cmpstr (input_name (p, node_named (p, "div0"), 1), ==, "mrt_rewrite_scalar_0");
  g_assert_cmpstr (input_name (p, node_named (p, "mul1"), 0), ==, "minus0");
  g_assert_cmpstr (input_name (p, node_named (p, "mul1"), 1), ==, "const_var_2");
}

static void
test_zeros_ones_like (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint r = op (&b, "relu0", "relu", NULL, 1, d);
  guint z = op (&b, "zeros0", "zeros_like", NULL, 1, r);
  guint o = op (&b, "ones0", "ones_like", NULL, 1, r);
  guint s = op (&b, "add0", "elemwise_add", NULL, 2, z, o);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, op (&b, "add1", "elemwise_add", NULL, 2, s, d)),
                                          S (2, 3, 4),
                                          "relu,broadcast_mul,broadcast_mul,broadcast_add,elemwise_add,elemwise_add");
  g_assert_cmpstr (input_name (p, node_named (p, "zeros0"), 1), ==, "const_var_0");
  g_assert_cmpstr (input_name (p, node_named (p, "ones0"), 0), ==, "mrt_rewrite_ones0_0");
  g_assert_cmpstr (input_name (p, node_named (p, "ones0"), 1), ==, "const_var_1");
}

/* ---- shape ops ---- */

static void
test_slice_axis_swapaxis (void)
{
  Builder b = builder_new ();
  guint s = op (&b, "slice0", "slice_axis", A ("axis", "2", "begin", "1", "end", "None"), 1, var (&b, "data"));
  guint s2 = op (&b, "slice1", "slice_axis", A ("axis", "-1", "begin", "0", "end", "3"), 1, s);
  guint w = op (&b, "swap0", "SwapAxis", A ("dim1", "1", "dim2", "3"), 1, s2);
  guint w2 = op (&b, "swap1", "SwapAxis", A ("dim1", "2", "dim2", "2"), 1, w); /* identity */
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, w2), S (4, 1, 2, 5, 4), "slice,slice,transpose");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "slice0"), "begin"), ==, "(None, None, 1, None)");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "slice0"), "end"), ==, "(None, None, 5, None)");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "swap0"), "axes"), ==, "(0, 3, 2, 1)");
}

static void
test_elemwise_mul_and_mean (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint m = op (&b, "mul0", "elemwise_mul", NULL, 2, d, d);
  guint mean = op (&b, "mean0", "mean", A ("axis", "(2, 3)", "keepdims", "True"), 1, m);
  guint mean2 = op (&b, "mean1", "mean", A ("axis", "1"), 1, mean);
  g_autoptr (MrtModel) p =
    check_prepare (builder_finish (&b, mean2), S (4, 1, 3, 4, 5), "broadcast_mul,sum,broadcast_mul,sum,broadcast_mul");
  MrtNode *h = node_named (p, "mean0");
  g_assert_cmpstr (h->op, ==, "broadcast_mul");
  g_assert_cmpstr (input_name (p, h, 0), ==, "mrt_rewrite_mean0_0");
  g_assert_cmpstr (input_name (p, h, 1), ==, "const_var_0.05");
  g_assert_cmpstr (input_name (p, node_named (p, "mean1"), 1), ==, "const_var_0.3333333333333333");
  g_assert_cmpstr (node_named (p, "mul0")->op, ==, "broadcast_mul");
}

static void
test_reshape_broadcast_like (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint w = param (&b, "w", S (4, 1, 3, 4, 2));
  guint w2 = param (&b, "w2", S (3, 1, 24, 3));
  guint s = op (&b, "sum0", "sum", A ("axis", "3", "keepdims", "True"), 1, d);
  guint bl = op (&b, "bl0", "broadcast_like", NULL, 2, s, w);
  guint rl = op (&b, "rl0", "reshape_like", A ("lhs_begin", "1", "rhs_begin", "1", "rhs_end", "2"), 2, bl, w2);
  guint t = op (&b, "bl1", "broadcast_like", A ("lhs_axes", "(1,)", "rhs_axes", "(1,)"), 2,
                op (&b, "sum1", "sum", A ("axis", "1", "keepdims", "True"), 1, rl), w2);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, t), S (4, 1, 3, 4, 2),
                                          "sum,broadcast_mul,Reshape,sum,tile");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "rl0"), "shape"), ==, "(-1, 24)");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "bl1"), "reps"), ==, "(1, 24)");
}

static void
test_batch_dot (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint w = param (&b, "w", S (3, 1, 5, 4));
  guint bd = op (&b, "bd0", "batch_dot", A ("transpose_b", "True"), 2, d, w);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, bd), S (3, 1, 3, 4), "batch_dot");
  /* the transpose of a parameter is folded by fuse_constant */
  MrtNode *h = head_node (p, 0);
  g_assert_cmpstr (h->name, ==, "bd0");
  g_assert_cmpstr (input_name (p, h, 1), ==, "mrt_rewrite_transpose_b_0");
  g_assert_false (mrt_node_get_bool (h, "transpose_b", FALSE));
}

/* ---- SliceChannel ---- */

static void
test_slice_channel (void)
{
  for (int squeeze = 0; squeeze < 2; squeeze++)
    {
      Builder b = builder_new ();
      guint sc = op (&b, "split0", "SliceChannel",
                     A ("num_outputs", "3", "axis", "1", "squeeze_axis", squeeze ? "True" : "False"), 1,
                     var (&b, "data"));
      MrtEntry in[2] = { { sc, 0 }, { sc, 2 } };
      guint add = mrt_model_add_node (b.m, "add0", "elemwise_add", NULL, in, 2);
      guint rel = mrt_model_add_node (b.m, "relu0", "relu", NULL, &in[1], 1);
      guint add2 = op (&b, "add1", "elemwise_add", NULL, 2, add, rel);
      g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, add2), squeeze ? S (3, 1, 3, 4) : S (3, 1, 6, 4),
                                              squeeze ? "slice,squeeze,slice,squeeze,elemwise_add,relu,elemwise_add"
                                                      : "slice,slice,elemwise_add,relu,elemwise_add");
      MrtNode *s0 = node_named (p, "mrt_fmo_slice_axis_0"), *s1 = node_named (p, "mrt_fmo_slice_axis_1");
      g_assert_cmpstr (mrt_node_get_attr (s0, "begin"), ==, "(None, 0, None)");
      g_assert_cmpstr (mrt_node_get_attr (s1, "end"), ==, squeeze ? "(None, 3, None)" : "(None, 6, None)");
    }
}

/* ---- fuse_transpose ---- */

static void
test_transpose_double (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint t0 = op (&b, "t0", "transpose", A ("axes", "(0, 2, 3, 1)"), 1, d);
  guint t1 = op (&b, "t1", "transpose", A ("axes", "(0, 2, 1, 3)"), 1, t0);
  guint t2 = op (&b, "t2", "transpose", A ("axes", "(0, 2, 1, 3)"), 1, d);
  guint t3 = op (&b, "t3", "transpose", A ("axes", "(0, 2, 1, 3)"), 1, t2); /* the identity: dropped */
  g_autoptr (MrtModel) p = NULL;
  mrt_model_add_head (b.m, (MrtEntry){ t1, 0 });
  p = check_prepare (builder_finish (&b, t3), S (4, 1, 2, 3, 4), "transpose");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "t1"), "axes"), ==, "(0, 3, 2, 1)");
  g_assert_cmpstr (input_name (p, node_named (p, "t1"), 0), ==, "data");
  g_assert_cmpstr (head_node (p, 1)->name, ==, "data");
}

static void
test_transpose_unary (void)
{
  Builder b = builder_new ();
  guint t0 = op (&b, "t0", "transpose", A ("axes", "(0, 2, 1)"), 1, var (&b, "data"));
  guint r = op (&b, "relu0", "relu", NULL, 1, t0);
  guint c = op (&b, "clip0", "clip", A ("a_min", "-0.5", "a_max", "0.5"), 1, r);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, c), S (3, 2, 3, 4), "relu,clip,transpose");
  /* the op keeps its name, the transpose at the end keeps the transpose's */
  g_assert_cmpstr (input_name (p, node_named (p, "relu0"), 0), ==, "data");
  g_assert_cmpstr (head_node (p, 0)->name, ==, "t0");
}

/* A transpose with two consumers is not swapped (upstream would be wrong). */
static void
test_transpose_shared (void)
{
  Builder b = builder_new ();
  guint t0 = op (&b, "t0", "transpose", A ("axes", "(0, 2, 1)"), 1, var (&b, "data"));
  guint r = op (&b, "relu0", "relu", NULL, 1, t0);
  guint n = op (&b, "neg0", "negative", NULL, 1, t0);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, op (&b, "add0", "elemwise_add", NULL, 2, r, n)),
                                          S (3, 2, 3, 4), "transpose,relu,negative,elemwise_add");
  g_assert_cmpstr (input_name (p, node_named (p, "relu0"), 0), ==, "t0");
}

static void
test_transpose_multi (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint t0 = op (&b, "t0", "transpose", A ("axes", "(0, 2, 3, 1)"), 1, d);
  guint t1 = op (&b, "t1", "transpose", A ("axes", "(0, 2, 3, 1)"), 1, op (&b, "r", "relu", NULL, 1, d));
  guint c = op (&b, "concat0", "Concat", A ("num_args", "2", "dim", "3"), 2, t0, t1);
  guint t2 = op (&b, "t2", "transpose", A ("axes", "(0, 2, 3, 1)"), 1, d);
  guint t3 = op (&b, "t3", "transpose", A ("axes", "(0, 2, 3, 1)"), 1, op (&b, "n", "negative", NULL, 1, d));
  guint a = op (&b, "add0", "elemwise_add", NULL, 2, t2, t3);
  guint s = op (&b, "sum0", "sum", A ("axis", "(1, 2)", "keepdims", "False"), 1, a);
  g_autoptr (MrtModel) p = NULL;
  mrt_model_add_head (b.m, (MrtEntry){ c, 0 });
  p = check_prepare (builder_finish (&b, s), S (4, 1, 2, 3, 4),
                     "relu,Concat,transpose,negative,elemwise_add,sum");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "concat0"), "dim"), ==, "1");
  g_assert_cmpstr (input_name (p, node_named (p, "concat0"), 0), ==, "data");
  g_assert_cmpstr (head_node (p, 0)->name, ==, "mrt_fuse_transpose_fuse_transpose_0");
  g_assert_cmpstr (input_name (p, node_named (p, "add0"), 0), ==, "data");
  g_assert_cmpstr (input_name (p, node_named (p, "sum0"), 0), ==, "add0");
  g_assert_cmpstr (mrt_node_get_attr (node_named (p, "sum0"), "axis"), ==, "(2, 3)");
  g_assert_cmpint (mrt_model_find (p, "t2"), <, 0);
}

/* sum of a transpose without keepdims: a residual transpose when the kept
 * axes change order, none when they do not. */
static void
test_transpose_sum (void)
{
  static const struct {
    const char *axes, *sum_axis, *keep, *ops;
  } cases[] = {
    { "(0, 3, 1, 2)", "2", "False", "sum,transpose" },
    { "(0, 3, 1, 2)", "1", "False", "sum" },
    { "(0, 2, 3, 1)", "(1, 2)", "False", "sum" },
    { "(0, 3, 1, 2)", "(1, 3)", "True", "sum,transpose" },
    { "(3, 2, 1, 0)", "(0, 1, 2, 3)", "False", "sum" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Builder b = builder_new ();
      guint t = op (&b, "t0", "transpose", A ("axes", cases[i].axes), 1, var (&b, "data"));
      guint s = op (&b, "sum0", "sum", A ("axis", cases[i].sum_axis, "keepdims", cases[i].keep), 1, t);
      g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, s), S (4, 2, 3, 4, 5), cases[i].ops);
      g_assert_cmpstr (input_name (p, node_named (p, "sum0"), 0), ==, "data");
    }
}

/* ---- FullyConnected, Conv1D ---- */

static void
test_fc_flatten (void)
{
  for (int flatten = 0; flatten < 2; flatten++)
    {
      Builder b = builder_new ();
      guint w = param (&b, "fc_weight", flatten ? S (2, 5, 24) : S (2, 5, 4));
      guint fc = op (&b, "fc", "FullyConnected", A ("num_hidden", "5", "flatten", flatten ? "True" : "False"), 3,
                     var (&b, "data"), w, param (&b, "fc_bias", S (1, 5)));
      g_autoptr (MrtModel) p =
        check_prepare (builder_finish (&b, fc), S (4, 2, 2, 3, 4),
                       flatten ? "Reshape,FullyConnected" : "Reshape,FullyConnected,Reshape");
      g_assert_cmpstr (node_named (p, "mrt_rewrite_pre_reshape_0")->op, ==, "Reshape");
      if (flatten)
        g_assert_cmpstr (head_node (p, 0)->name, ==, "fc");
      else
        {
          g_assert_cmpstr (node_named (p, "mrt_rewrite_reduced_fc_0")->op, ==, "FullyConnected");
          g_assert_cmpstr (mrt_node_get_attr (node_named (p, "fc"), "shape"), ==, "(-1, 2, 3, 5)");
        }
    }
}

static void
test_fc_decomposition (void)
{
  Builder b = builder_new ();
  guint w = param (&b, "fc_weight", S (2, 3, 70000));
  guint fc = op (&b, "fc", "FullyConnected", A ("num_hidden", "3"), 3, var (&b, "data"), w,
                 param (&b, "fc_bias", S (1, 3)));
  g_autoptr (MrtModel) p =
    check_prepare (builder_finish (&b, fc), S (2, 1, 70000),
                   "Flatten,slice_axis,FullyConnected,slice_axis,FullyConnected,elemwise_add,broadcast_add");
  g_assert_cmpstr (head_node (p, 0)->name, ==, "mrt_rewrite_broadcast_add_0");
  g_assert_cmpint (mrt_model_get_param (p, "mrt_rewrite_slice_axis_3")->shape.dim[1], ==, 70000 - 65536);
  g_assert_cmpstr (node_named (p, "mrt_rewrite_dense_1")->op, ==, "FullyConnected");
}

static void
test_conv1d (void)
{
  Builder b = builder_new ();
  guint w = param (&b, "c_weight", S (3, 4, 2, 3));
  guint c = op (&b, "c", "Convolution", A ("kernel", "(3,)", "pad", "(1,)", "num_filter", "4", "layout", "NCW"), 3,
                var (&b, "data"), w, param (&b, "c_bias", S (1, 4)));
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, c), S (3, 1, 2, 10), "expand_dims,Convolution,squeeze");
  MrtNode *conv = node_named (p, "c");
  g_assert_cmpstr (mrt_node_get_attr (conv, "kernel"), ==, "(3, 1)");
  g_assert_cmpstr (mrt_node_get_attr (conv, "pad"), ==, "(1, 0)");
  g_assert_cmpint (mrt_model_get_param (p, "c_weight")->shape.ndim, ==, 4);
}

/* ---- training heads, inputs, constants ---- */

static void
test_training_heads (void)
{
  static const struct {
    const char *op, *ops;
    int nd;
  } cases[] = {
    { "SoftmaxOutput", "FullyConnected,softmax", 2 },
    { "LogisticRegressionOutput", "FullyConnected,sigmoid", 2 },
    { "LinearRegressionOutput", "FullyConnected", 2 },
    { "SoftmaxOutput", "Convolution,Flatten,softmax,Reshape", 4 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Builder b = builder_new ();
      guint x = var (&b, "x");
      guint y = cases[i].nd == 2 ? op (&b, "fc", "FullyConnected", A ("num_hidden", "3"), 3, x,
                                       param (&b, "w", S (2, 3, 6)), param (&b, "bias", S (1, 3)))
                                 : add_conv (&b, "conv", x, 2, 3, FALSE);
      guint h = op (&b, "out", cases[i].op, NULL, 2, y, var (&b, "label"));
      g_autoptr (MrtModel) p =
        check_prepare (builder_finish (&b, h), cases[i].nd == 2 ? S (2, 2, 6) : S (4, 1, 2, 3, 3), cases[i].ops);
      g_assert_cmpint (mrt_model_find (p, "label"), <, 0);
      g_assert_cmpint (mrt_model_find (p, "x"), <, 0);
      g_assert_cmpstr (mrt_node_get_attr (node_named (p, "data"), "__shape__"), ==,
                       cases[i].nd == 2 ? "(2, 6)" : "(1, 2, 3, 3)");
    }
}

static void
test_fuse_constant (void)
{
  Builder b = builder_new ();
  guint d = var (&b, "data");
  guint a = op (&b, "range0", "_arange", A ("start", "0", "stop", "4"), 0);
  guint w = param (&b, "w", S (1, 4));
  guint m = op (&b, "wm", "elemwise_mul", NULL, 2, w, a);
  guint t = op (&b, "wt", "_mul_scalar", A ("scalar", "3"), 1, m);
  guint y = op (&b, "y", "broadcast_add", NULL, 2, d, t);
  g_autoptr (MrtModel) p = check_prepare (builder_finish (&b, y), S (2, 2, 4), "broadcast_add");
  MrtNode *c = node_named (p, "wt");
  MrtTensor *v = mrt_model_get_param (p, "wt");
  g_assert_true (mrt_node_is_variable (c));
  g_assert_nonnull (v);
  g_autofree char *prec = g_strdup_printf ("%d", mrt_get_bit (mrt_tensor_absmax (v)));
  g_assert_cmpstr (mrt_node_get_attr (c, "precision"), ==, prec);
  g_assert_cmpint (mrt_model_find (p, "w"), <, 0);
  g_assert_cmpint (mrt_model_find (p, "range0"), <, 0);
}

static void
test_errors (void)
{
  g_autoptr (GError) error = NULL;
  MrtShape s = S (2, 1, 3);
  {
    Builder b = builder_new ();
    guint a = var (&b, "a"), c = var (&b, "b");
    g_autoptr (MrtModel) m = builder_finish (&b, op (&b, "add", "elemwise_add", NULL, 2, a, c));
    g_assert_null (mrt_prepare (m, &s, NULL, &error));
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID);
    g_assert_nonnull (strstr (error->message, "exactly one input"));
    g_clear_error (&error);
  }
  {
    Builder b = builder_new ();
    guint a = var (&b, "a");
    guint r = op (&b, "r", "relu", NULL, 1, a);
    g_autoptr (MrtModel) m = builder_finish (&b, op (&b, "r", "relu", NULL, 1, r));
    g_assert_null (mrt_prepare (m, &s, NULL, &error));
    g_assert_nonnull (strstr (error->message, "duplicated name in graph: r"));
    g_clear_error (&error);
  }
  {
    Builder b = builder_new ();
    g_autoptr (MrtModel) m = builder_finish (&b, op (&b, "r", "relu", NULL, 1, var (&b, "a")));
    MrtShape bad = S (2, (gint64) -1, (gint64) 3);
    g_assert_null (mrt_prepare (m, &bad, NULL, &error));
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  }
}

static void
on_progress (double fraction, const char *message, gpointer user_data)
{
  GPtrArray *log = user_data;
  g_ptr_array_add (log, g_strdup (message));
}

static void
test_progress_cancel_repeat (void)
{
  Builder b = builder_new ();
  guint conv = add_conv (&b, "conv0", var (&b, "data"), 3, 4, FALSE);
  g_autoptr (MrtModel) m = builder_finish (&b, add_bn (&b, "bn0", conv, 4, NULL));
  g_autoptr (GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GCancellable) cancel = g_cancellable_new ();
  MrtProgress progress = { on_progress, log, cancel };
  MrtShape s = S (4, 1, 3, 4, 4);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) p1 = mrt_prepare (m, &s, &progress, &error);
  g_autoptr (MrtModel) p2 = mrt_prepare (m, &s, NULL, &error);
  g_autofree char *j1 = NULL, *j2 = NULL;

  g_assert_no_error (error);
  g_assert_cmpuint (log->len, ==, 11);
  g_assert_cmpstr (g_ptr_array_index (log, 7), ==, "prepare: rewrite");
  g_assert_cmpstr (g_ptr_array_index (log, 10), ==, "prepare: done");
  /* names restart with every run (upstream's counters are process-wide) */
  j1 = mrt_mxnet_symbol_to_json (p1);
  j2 = mrt_mxnet_symbol_to_json (p2);
  g_assert_cmpstr (j1, ==, j2);
  g_assert_cmpint (mrt_model_find (p2, "mrt_rewrite_bn0_0"), >=, 0);
  /* a shared generator continues: the second run gets "rewrite1" names */
  {
    g_autoptr (MrtNameGen) g = mrt_name_gen_new ();
    g_autoptr (MrtModel) q1 = mrt_prepare_with_names (m, &s, g, NULL, &error);
    g_autoptr (MrtModel) q2 = mrt_prepare_with_names (m, &s, g, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpint (mrt_model_find (q1, "mrt_rewrite_bn0_0"), >=, 0);
    g_assert_cmpint (mrt_model_find (q2, "mrt_rewrite1_bn0_1"), >=, 0);
  }
  g_cancellable_cancel (cancel);
  g_assert_null (mrt_prepare (m, &s, &progress, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* The original model is not modified. */
static void
test_input_untouched (void)
{
  Builder b = builder_new ();
  guint conv = add_conv (&b, "conv0", var (&b, "x"), 3, 4, TRUE);
  g_autoptr (MrtModel) m = builder_finish (&b, add_bn (&b, "bn0", conv, 4, NULL));
  g_autofree char *before = mrt_mxnet_symbol_to_json (m), *after = NULL;
  g_autoptr (GBytes) pb = mrt_mxnet_params_to_bytes (m);
  g_autoptr (GBytes) pa = NULL;
  MrtShape s = S (4, 1, 3, 4, 4);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) p = mrt_prepare (m, &s, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  after = mrt_mxnet_symbol_to_json (m);
  pa = mrt_mxnet_params_to_bytes (m);
  g_assert_cmpstr (before, ==, after);
  g_assert_true (g_bytes_equal (pa, pb));
}

/* ---- real models ---- */

static MrtModel *
open_model (const char *dir, const char *name)
{
  g_autofree char *json = g_strdup_printf ("%s/%s.json", dir, name);
  g_autofree char *params = g_strdup_printf ("%s/%s.params", dir, name);
  g_autoptr (GError) error = NULL;
  MrtModel *m;
  if (!g_file_test (json, G_FILE_TEST_EXISTS) || !g_file_test (params, G_FILE_TEST_EXISTS))
    return NULL;
  m = mrt_mxnet_load (json, params, &error);
  g_assert_no_error (error);
  return m;
}

/* Fashion-MNIST test images when available, else uniform [0, 1] noise. */
static MrtTensor *
sample_inputs (guint n)
{
  MrtShape shape = S (4, (gint64) -1, (gint64) 1, (gint64) 28, (gint64) 28);
  g_autoptr (MrtDataset) ds = mrt_dataset_open ("fashion_mnist", "/usr/share/datasets", &shape, NULL);
  MrtTensor *data = NULL, *labels = NULL;
  if (ds && mrt_dataset_next (ds, n, &data, &labels, NULL))
    {
      mrt_tensor_unref (labels);
      return data;
    }
  {
    g_autoptr (GRand) rand = g_rand_new_with_seed (3);
    shape.dim[0] = n;
    return random_tensor (rand, &shape, 0.0, 1.0);
  }
}

static void
check_real_model (const char *dir, const char *name, const char *expect_ops)
{
  g_autoptr (MrtModel) m = open_model (dir, name);
  g_autoptr (MrtModel) p = NULL;
  g_autoptr (MrtTensor) x = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *seq = NULL;
  MrtShape s = S (4, 1, 1, 28, 28);

  if (m == NULL)
    {
      g_test_skip ("model not available");
      return;
    }
  p = mrt_prepare (m, &s, NULL, &error);
  g_assert_no_error (error);
  seq = op_sequence (p);
  if (expect_ops)
    g_assert_cmpstr (seq, ==, expect_ops);
  g_assert_null (strstr (seq, "BatchNorm"));
  g_assert_null (strstr (seq, "SoftmaxOutput"));
  x = sample_inputs (16);
  assert_same_outputs (m, p, x); /* batch 16 through a graph prepared at batch 1 */
  {
    /* preparing a prepared model changes nothing */
    g_autoptr (MrtModel) again = mrt_prepare (p, &s, NULL, &error);
    g_autofree char *seq2 = NULL;
    g_assert_no_error (error);
    seq2 = op_sequence (again);
    g_assert_cmpstr (seq, ==, seq2);
    g_assert_cmpuint (mrt_model_n_nodes (again), ==, mrt_model_n_nodes (p));
    assert_same_outputs (p, again, x);
  }
}

static void
test_fashion_cnn (void)
{
  const char *dir = g_getenv ("MRT_SAMPLE_DIR");
  check_real_model (dir ? dir : "data/sample", "fashion_cnn",
                    "Convolution,Activation,Pooling,Convolution,Activation,Pooling,Flatten,FullyConnected,"
                    "Activation,FullyConnected,softmax");
}

static void
test_resnet20 (void)
{
  const char *dir = g_getenv ("MRT_TEST_DATA");
  g_autofree char *models = g_build_filename (dir ? dir : "tests/data", "models", NULL);
  check_real_model (models, "resnet20", NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/prepare/names", test_names);
  g_test_add_func ("/prepare/number-text", test_number_text);
  g_test_add_func ("/prepare/bn-fold", test_bn_fold);
  g_test_add_func ("/prepare/bn-broadcast", test_bn_broadcast);
  g_test_add_func ("/prepare/avg-pool-global", test_avg_pool_global);
  g_test_add_func ("/prepare/avg-pool-local", test_avg_pool_local);
  g_test_add_func ("/prepare/max-pool", test_max_pool_kept);
  g_test_add_func ("/prepare/leaky-relu", test_leaky_relu);
  g_test_add_func ("/prepare/activation", test_activation);
  g_test_add_func ("/prepare/scalar-ops", test_scalar_ops);
  g_test_add_func ("/prepare/zeros-ones-like", test_zeros_ones_like);
  g_test_add_func ("/prepare/slice-axis-swapaxis", test_slice_axis_swapaxis);
  g_test_add_func ("/prepare/elemwise-mul-mean", test_elemwise_mul_and_mean);
  g_test_add_func ("/prepare/reshape-broadcast-like", test_reshape_broadcast_like);
  g_test_add_func ("/prepare/batch-dot", test_batch_dot);
  g_test_add_func ("/prepare/slice-channel", test_slice_channel);
  g_test_add_func ("/prepare/transpose-double", test_transpose_double);
  g_test_add_func ("/prepare/transpose-unary", test_transpose_unary);
  g_test_add_func ("/prepare/transpose-shared", test_transpose_shared);
  g_test_add_func ("/prepare/transpose-multi", test_transpose_multi);
  g_test_add_func ("/prepare/transpose-sum", test_transpose_sum);
  g_test_add_func ("/prepare/fc-flatten", test_fc_flatten);
  g_test_add_func ("/prepare/fc-decomposition", test_fc_decomposition);
  g_test_add_func ("/prepare/conv1d", test_conv1d);
  g_test_add_func ("/prepare/training-heads", test_training_heads);
  g_test_add_func ("/prepare/fuse-constant", test_fuse_constant);
  g_test_add_func ("/prepare/errors", test_errors);
  g_test_add_func ("/prepare/progress-cancel-repeat", test_progress_cancel_repeat);
  g_test_add_func ("/prepare/input-untouched", test_input_untouched);
  g_test_add_func ("/prepare/fashion-cnn", test_fashion_cnn);
  g_test_add_func ("/prepare/resnet20", test_resnet20);
  return g_test_run ();
}
