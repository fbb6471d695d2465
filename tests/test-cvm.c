/* test-cvm.c: the CVM side of libmrt: every operator against hand-computed
 * golden vectors (written out literally below), precision inference, the
 * spec's worked examples, gas, the JSON/params round trips, the storage
 * planner, thread-count independence and malformed inputs. */
#include <glib/gstdio.h>
#include <string.h>

#include "cvm/mrt-cvm.h"

#define V(...) ((const gint32[]){ __VA_ARGS__ })
#define KV(...) ((const char *const[]){ __VA_ARGS__, NULL })

typedef struct {
  const char *shape;
  int prec;
  const gint32 *v;
} Var;

static GHashTable *
str_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static MrtShape
shape_of (const char *text)
{
  MrtShape s;
  g_assert_true (mrt_shape_parse (text, FALSE, &s, NULL));
  return s;
}

static MrtTensor *
i32_tensor (const char *shape, const gint32 *v)
{
  MrtShape s = shape_of (shape);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_I32, &s);
  memcpy (t->data, v, t->n * sizeof (gint32));
  return t;
}

/* Adds a variable; index 0 of a test is "data", the others are parameters. */
static guint
add_var (MrtModel *m, const char *name, const char *shape, int prec, const gint32 *v)
{
  GHashTable *a = str_table ();
  guint id;
  g_hash_table_insert (a, g_strdup ("precision"), g_strdup_printf ("%d", prec));
  g_hash_table_insert (a, g_strdup ("__shape__"), g_strdup (shape));
  id = mrt_model_add_node_n (m, name, "null", a, NULL, 0, 1);
  if (strcmp (name, "data") != 0)
    {
      g_autoptr (MrtTensor) t = i32_tensor (shape, v);
      mrt_model_set_param_raw (m, name, t);
    }
  return id;
}

static guint
add_op (MrtModel *m, const char *name, const char *op, const char *const *kv, const MrtEntry *in, guint n_in)
{
  GHashTable *a = str_table ();
  for (guint i = 0; kv && kv[i]; i += 2)
    g_hash_table_insert (a, g_strdup (kv[i]), g_strdup (kv[i + 1]));
  return mrt_model_add_node_n (m, name, op, a, in, n_in, mrt_cvm_op_lookup (op)->n_outputs);
}

/* data + parameters -> op; the graph output is output `out` of the op. */
static MrtModel *
single_op_out (const char *op, const char *const *kv, const Var *vars, guint n_vars, guint out)
{
  MrtModel *m = mrt_model_new ();
  MrtEntry in[8];
  guint o;
  g_assert_nonnull (mrt_cvm_op_lookup (op));
  for (guint i = 0; i < n_vars; i++)
    {
      g_autofree char *name = i == 0 ? g_strdup ("data") : g_strdup_printf ("p%u", i);
      in[i] = (MrtEntry){ add_var (m, name, vars[i].shape, vars[i].prec, vars[i].v), 0 };
    }
  o = add_op (m, "op_0", op, kv, in, n_vars);
  mrt_model_add_head (m, (MrtEntry){ o, out });
  return m;
}

static MrtModel *
single_op (const char *op, const char *const *kv, const Var *vars, guint n_vars)
{
  return single_op_out (op, kv, vars, n_vars, 0);
}

static void
check_op_full (const char *op, const char *const *kv, const Var *vars, guint n_vars, guint out, const char *shape,
               const gint32 *expect, gsize n_expect, int prec)
{
  g_autoptr (MrtModel) m = single_op_out (op, kv, vars, n_vars, out);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (m, &error);
  g_autoptr (MrtTensor) x = NULL;
  g_autoptr (GPtrArray) outs = NULL;
  MrtTensor *y;
  MrtShape want = shape_of (shape);

  g_assert_no_error (error);
  x = i32_tensor (vars[0].shape, vars[0].v);
  outs = mrt_cvm_forward_full (m, x, 1, NULL, &error);
  g_assert_no_error (error);
  y = g_ptr_array_index (outs, 0);
  if (!mrt_shape_equal (&y->shape, &want))
    g_error ("%s: output shape %s, expected %s", op, mrt_shape_to_string (&y->shape), shape);
  g_assert_cmpuint (y->n, ==, n_expect);
  for (gsize i = 0; i < n_expect; i++)
    if (mrt_tensor_i32 (y)[i] != expect[i])
      g_error ("%s: element %" G_GSIZE_FORMAT " is %d, expected %d", op, i, mrt_tensor_i32 (y)[i], expect[i]);
  if (prec > 0)
    g_assert_cmpint (g->precision[g->entry_offset[n_vars] + out], ==, prec);
}

#define CHECK_OP(op, kv, vars, shape, expect, prec) \
  check_op_full (op, kv, vars, G_N_ELEMENTS (vars), 0, shape, expect, G_N_ELEMENTS (expect), prec)
#define CHECK_OUT(op, kv, vars, out, shape, expect, prec) \
  check_op_full (op, kv, vars, G_N_ELEMENTS (vars), out, shape, expect, G_N_ELEMENTS (expect), prec)

/* The check of a single-op model fails with a message containing needle. */
static void
check_op_fails (const char *op, const char *const *kv, const Var *vars, guint n_vars, const char *needle)
{
  g_autoptr (MrtModel) m = single_op (op, kv, vars, n_vars);
  g_autoptr (GError) error = NULL;
  g_assert_false (mrt_cvm_check (m, NULL, &error));
  g_assert_nonnull (error);
  if (!strstr (error->message, needle))
    g_error ("%s: error “%s” does not mention “%s”", op, error->message, needle);
}
#define CHECK_FAILS(op, kv, vars, needle) check_op_fails (op, kv, vars, G_N_ELEMENTS (vars), needle)

/* ---- registry ---------------------------------------------------------- */

static void
test_registry (void)
{
  static const char *const names[] = {
    "conv2d", "dense", "relu", "max_pool2d", "upsampling", "abs", "negative", "cvm_precision", "elemwise_add",
    "elemwise_sub", "clip", "cvm_clip", "cvm_left_shift", "cvm_right_shift", "broadcast_add", "broadcast_sub",
    "broadcast_mul", "broadcast_max", "broadcast_div", "broadcast_greater", "sum", "max", "flatten", "reshape",
    "expand_dims", "squeeze", "transpose", "concatenate", "repeat", "tile", "strided_slice", "slice_like", "take",
    "cvm_lut", "where", "get_valid_counts", "non_max_suppression",
  };
  static const char *const in_place[] = { "flatten", "relu", "expand_dims", "reshape", "squeeze", "abs",
                                          "cvm_precision", "elemwise_add", "elemwise_sub", "clip", "cvm_clip",
                                          "cvm_right_shift", "cvm_left_shift" };
  g_autofree char *c1 = mrt_cvm_func_name_canonical ("conv2d_17");
  g_autofree char *c2 = mrt_cvm_func_name_canonical ("conv2d17");
  g_autofree char *c3 = mrt_cvm_func_name_canonical ("cvm_right_shift");

  g_assert_cmpuint (mrt_cvm_n_ops (), ==, 37);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const MrtCvmOpDef *d = mrt_cvm_op_lookup (names[i]);
      gboolean ip = FALSE;
      g_assert_nonnull (d);
      for (guint k = 0; k < G_N_ELEMENTS (in_place); k++)
        ip |= strcmp (in_place[k], names[i]) == 0;
      g_assert_cmpint (d->in_place, ==, ip);
      g_assert_cmpuint (d->n_outputs, ==, strcmp (names[i], "get_valid_counts") == 0 ? 2 : 1);
    }
  g_assert_null (mrt_cvm_op_lookup ("pad"));
  g_assert_null (mrt_cvm_op_lookup ("nn.relu"));
  g_assert_cmpstr (c1, ==, "conv2d");
  g_assert_cmpstr (c2, ==, "conv2d17");
  g_assert_cmpstr (c3, ==, "cvm_right_shift");
  g_assert_cmpint (mrt_cvm_bits (0), ==, 0);
  g_assert_cmpint (mrt_cvm_bits (1), ==, 1);
  g_assert_cmpint (mrt_cvm_bits (3), ==, 2);
  g_assert_cmpint (mrt_cvm_bits (4), ==, 3);
  g_assert_cmpint (mrt_cvm_numprec (127), ==, 9);
  g_assert_cmpint (mrt_cvm_numprec (100), ==, 8);
}

static void
test_attr_grammar (void)
{
  int n;
  gint64 v[16];
  gboolean b;
  gint64 i;
  g_assert_true (mrt_cvm_parse_tuple ("(1, 2)", &n, v) && n == 2 && v[0] == 1 && v[1] == 2);
  g_assert_true (mrt_cvm_parse_tuple ("[3,4]", &n, v) && n == 2 && v[1] == 4);
  g_assert_true (mrt_cvm_parse_tuple ("5", &n, v) && n == 1 && v[0] == 5);
  g_assert_true (mrt_cvm_parse_tuple ("(7,)", &n, v) && n == 1 && v[0] == 7);
  g_assert_true (mrt_cvm_parse_tuple ("()", &n, v) && n == 0);
  g_assert_true (mrt_cvm_parse_tuple ("(-1, -2)", &n, v) && v[0] == -1 && v[1] == -2);
  g_assert_false (mrt_cvm_parse_tuple ("(1, 2", &n, v));
  g_assert_false (mrt_cvm_parse_tuple ("(1; 2)", &n, v));
  g_assert_false (mrt_cvm_parse_tuple ("(None, 2)", &n, v));
  g_assert_true (mrt_cvm_parse_bool ("True", &b) && b);
  g_assert_true (mrt_cvm_parse_bool ("FALSE", &b) && !b);
  g_assert_true (mrt_cvm_parse_bool ("1", &b) && b);
  g_assert_false (mrt_cvm_parse_bool ("yes", &b));
  g_assert_true (mrt_cvm_parse_int (" -12 ", &i) && i == -12);
  g_assert_false (mrt_cvm_parse_int ("3.0", &i));
  g_assert_false (mrt_cvm_parse_int ("True", &i));
  g_assert_true (mrt_cvm_attr_is_hidden ("__layout__"));
  g_assert_false (mrt_cvm_attr_is_hidden ("layout"));
}

/* ---- nn ---------------------------------------------------------------- */

static void
test_conv2d (void)
{
  /* x = 1..9 (3x3), w = [[1, 2], [3, 4]], b = 10:
   * y00 = 1+4+12+20+10 = 47, y01 = 2+6+15+24+10 = 57,
   * y10 = 4+10+21+32+10 = 77, y11 = 5+12+24+36+10 = 87 */
  const Var v[] = { { "(1, 1, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9) },
                    { "(1, 1, 2, 2)", 8, V (1, 2, 3, 4) },
                    { "(1,)", 8, V (10) } };
  /* 8 + 8 + bits(1*2*2) = 19; with bias max(19, 8) + 1 = 20 */
  CHECK_OP ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)"), v, "(1, 1, 2, 2)", V (47, 57, 77, 87), 20);
}

static void
test_conv2d_padding (void)
{
  /* x = [[1, 2], [3, 4]], w = 1..9 (3x3), padding 1: every window holds the
   * four inputs at kernel offsets depending on the output position.
   * y00 = 1*5+2*6+3*8+4*9 = 77, y01 = 1*4+2*5+3*7+4*8 = 67,
   * y10 = 1*2+2*3+3*5+4*6 = 47, y11 = 1*1+2*2+3*4+4*5 = 37 */
  const Var v[] = { { "(1, 1, 2, 2)", 8, V (1, 2, 3, 4) },
                    { "(1, 1, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9) } };
  CHECK_OP ("conv2d", KV ("channels", "1", "kernel_size", "(3, 3)", "padding", "(1, 1)", "use_bias", "False"), v,
            "(1, 1, 2, 2)", V (77, 67, 47, 37), 8 + 8 + 4);
}

static void
test_conv2d_groups_strides (void)
{
  /* two groups, 1x1 kernels 2 and -1, stride 2 picks corners 1,3,7,9 / 10,12,16,18 */
  const Var v[] = { { "(1, 2, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18) },
                    { "(2, 1, 1, 1)", 8, V (2, -1) } };
  CHECK_OP ("conv2d",
            KV ("channels", "2", "kernel_size", "(1, 1)", "strides", "(2, 2)", "groups", "2", "use_bias", "False"), v,
            "(1, 2, 2, 2)", V (2, 6, 14, 18, -10, -12, -16, -18), 17);
}

static void
test_conv2d_dilation (void)
{
  /* 2x2 kernel of ones dilated by 2 covers the corners: 1+3+7+9 = 20 */
  const Var v[] = { { "(1, 1, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9) }, { "(1, 1, 2, 2)", 8, V (1, 1, 1, 1) } };
  CHECK_OP ("conv2d",
            KV ("channels", "1", "kernel_size", "(2, 2)", "dilation", "(2, 2)", "use_bias", "false"), v,
            "(1, 1, 1, 1)", V (20), 8 + 8 + 3);
}

static void
test_conv2d_errors (void)
{
  const Var wide[] = { { "(1, 1, 3, 3)", 9, V (1, 2, 3, 4, 5, 6, 7, 8, 9) }, { "(1, 1, 2, 2)", 8, V (1, 1, 1, 1) } };
  const Var badw[] = { { "(1, 1, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9) }, { "(2, 1, 2, 2)", 8, V (1, 1, 1, 1, 1, 1, 1, 1) } };
  CHECK_FAILS ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)", "use_bias", "False"), wide, "at most 8 bits");
  CHECK_FAILS ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)", "use_bias", "False"), badw, "weight shape");
  /* use_bias defaults to true: 2 inputs are not enough */
  CHECK_FAILS ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)"), badw, "has 2 inputs; the operator takes 3");
  CHECK_FAILS ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)", "layout", "NHWC", "use_bias", "0"), badw,
               "layout=“NHWC” is not supported");
  CHECK_FAILS ("conv2d", KV ("channels", "1", "kernel_size", "(2, 2)", "strides", "(0, 1)", "use_bias", "0"), badw,
               "out of range");
}

static void
test_dense (void)
{
  /* y00 = 1+2+3+5 = 11, y01 = 2-2+0-5 = -5, y10 = -1+0+1+5 = 5, y11 = -2-0+0-5 = -7 */
  const Var v[] = { { "(2, 3)", 8, V (1, 2, 3, -1, 0, 1) },
                    { "(2, 3)", 8, V (1, 1, 1, 2, -1, 0) },
                    { "(2,)", 8, V (5, -5) } };
  /* 8 + 8 + bits(3) = 18, bias: 19 */
  CHECK_OP ("dense", KV ("units", "2"), v, "(2, 2)", V (11, -5, 5, -7), 19);
}

static void
test_relu (void)
{
  const Var v[] = { { "(4,)", 8, V (-3, 0, 5, -1) } };
  CHECK_OP ("relu", NULL, v, "(4,)", V (0, 0, 5, 0), 8);
  CHECK_FAILS ("relu", KV ("alpha", "1"), v, "relu has no attribute “alpha”");
}

static void
test_max_pool2d (void)
{
  /* all-negative input, 2x2 windows with padding 1: the padding never wins */
  const Var v[] = { { "(1, 1, 3, 3)", 8, V (-1, -2, -3, -4, -5, -6, -7, -8, -9) } };
  const Var c[] = { { "(1, 1, 3, 3)", 8, V (1, 2, 3, 4, 5, 6, 7, 8, 9) } };
  CHECK_OP ("max_pool2d", KV ("pool_size", "(2, 2)", "padding", "(1, 1)"), v, "(1, 1, 4, 4)",
            V (-1, -1, -2, -3, -1, -1, -2, -3, -4, -4, -5, -6, -7, -7, -8, -9), 8);
  /* ceil mode keeps the partial last windows: rows {0,1},{2} x cols {0,1},{2} */
  CHECK_OP ("max_pool2d", KV ("pool_size", "(2, 2)", "strides", "(2, 2)", "ceil_mode", "True"), c, "(1, 1, 2, 2)",
            V (5, 6, 8, 9), 8);
  CHECK_OP ("max_pool2d", KV ("pool_size", "(2, 2)", "strides", "(2, 2)"), c, "(1, 1, 1, 1)", V (5), 8);
  CHECK_FAILS ("max_pool2d", KV ("pool_size", "(2, 2)", "padding", "(2,)"), c, "smaller than the pool size");
}

static void
test_upsampling (void)
{
  const Var v[] = { { "(1, 1, 2, 2)", 8, V (1, 2, 3, 4) } };
  CHECK_OP ("upsampling", KV ("scale", "2"), v, "(1, 1, 4, 4)", V (1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4), 8);
}

/* ---- elementwise ------------------------------------------------------- */

static void
test_abs_negative (void)
{
  const Var v[] = { { "(4,)", 9, V (-5, 0, 7, -128) } };
  CHECK_OP ("abs", NULL, v, "(4,)", V (5, 0, 7, 128), 9);
  CHECK_OP ("negative", NULL, v, "(4,)", V (5, 0, -7, 128), 9);
}

static void
test_cvm_precision (void)
{
  const Var v[] = { { "(8,)", 8, V (0, 1, 2, 3, 4, 127, -127, -8) } };
  CHECK_OP ("cvm_precision", NULL, v, "(8,)", V (1, 1, 2, 2, 3, 7, 7, 4), 6);
}

static void
test_elemwise (void)
{
  const Var v[] = { { "(3,)", 8, V (1, 2, 3) }, { "(3,)", 8, V (10, -20, 30) } };
  const Var bad[] = { { "(3,)", 8, V (1, 2, 3) }, { "(1, 3)", 8, V (10, -20, 30) } };
  CHECK_OP ("elemwise_add", NULL, v, "(3,)", V (11, -18, 33), 9);
  CHECK_OP ("elemwise_sub", NULL, v, "(3,)", V (-9, 22, -27), 9);
  CHECK_FAILS ("elemwise_add", NULL, bad, "input shapes differ");
}

static void
test_clip (void)
{
  const Var v[] = { { "(5,)", 8, V (-5, -2, 0, 3, 7) } };
  const Var w[] = { { "(3,)", 16, V (-300, 5, 300) } };
  /* numprec(3) = bits(4) + 1 = 4 */
  CHECK_OP ("clip", KV ("a_min", "-2", "a_max", "3"), v, "(5,)", V (-2, -2, 0, 3, 3), 4);
  /* clip(-127, 127) has precision 9, not 8 */
  CHECK_OP ("clip", KV ("a_min", "-127", "a_max", "127"), w, "(3,)", V (-127, 5, 127), 9);
  CHECK_OP ("clip", KV ("a_min", "-100", "a_max", "100"), w, "(3,)", V (-100, 5, 100), 8);
  CHECK_FAILS ("clip", KV ("a_min", "3", "a_max", "3"), v, "must be smaller than a_max");
  CHECK_FAILS ("clip", KV ("a_min", "-2147483647", "a_max", "2147483647"), v, "not in 1..32");
}

static void
test_cvm_clip (void)
{
  const Var v[] = { { "(5,)", 8, V (-10, -7, 0, 7, 9) } };
  CHECK_OP ("cvm_clip", KV ("precision", "4"), v, "(5,)", V (-7, -7, 0, 7, 7), 4);
  CHECK_FAILS ("cvm_clip", KV ("precision", "33"), v, "out of range");
  CHECK_FAILS ("cvm_clip", NULL, v, "required attribute “precision” is missing");
}

static void
test_right_shift (void)
{
  /* divide by 4 rounding halves toward +inf, then clip to 127 */
  const Var v[] = { { "(12,)", 11, V (-2, -6, 6, -1, 1, 2, -3, 5, -5, 7, 1000, -1000) } };
  const Var w[] = { { "(4,)", 8, V (-3, 3, -1, 1) } };
  CHECK_OP ("cvm_right_shift", KV ("precision", "8", "shift_bit", "2"), v, "(12,)",
            V (0, -1, 2, 0, 0, 1, -1, 1, -1, 2, 127, -127), 8);
  /* shift_bit 1: -1.5 -> -1, 1.5 -> 2, -0.5 -> 0, 0.5 -> 1 */
  CHECK_OP ("cvm_right_shift", KV ("precision", "8", "shift_bit", "1"), w, "(4,)", V (-1, 2, 0, 1), 8);
}

static void
test_left_shift (void)
{
  const Var v[] = { { "(5,)", 8, V (1, -2, 15, -16, 0) } };
  const Var wide[] = { { "(1,)", 30, V (1) } };
  CHECK_OP ("cvm_left_shift", KV ("precision", "8", "shift_bit", "3"), v, "(5,)", V (8, -16, 120, -127, 0), 8);
  CHECK_FAILS ("cvm_left_shift", KV ("precision", "8", "shift_bit", "3"), wide, "exceeds 32");
}

/* ---- broadcast and reduce ---------------------------------------------- */

static void
test_broadcast (void)
{
  const Var a[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) }, { "(3,)", 8, V (10, 20, 30) } };
  const Var b[] = { { "(2, 1)", 8, V (1, 2) }, { "(1, 3)", 8, V (10, 20, 30) } };
  const Var c[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) }, { "(2, 1)", 8, V (1, 2) } };
  const Var d[] = { { "(3,)", 8, V (2, -3, 4) }, { "(1,)", 8, V (-5) } };
  const Var e[] = { { "(2, 2)", 8, V (1, -5, 3, -7) }, { "(2,)", 8, V (0, -6) } };
  const Var f[] = { { "(6,)", 8, V (-7, 7, -7, 7, 5, 0) }, { "(6,)", 8, V (3, 3, -3, -3, 0, 0) } };
  const Var g[] = { { "(3,)", 8, V (1, 2, 3) }, { "(1,)", 8, V (2) } };
  const Var bad[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) }, { "(2,)", 8, V (1, 2) } };
  CHECK_OP ("broadcast_add", NULL, a, "(2, 3)", V (11, 22, 33, 14, 25, 36), 9);
  CHECK_OP ("broadcast_add", NULL, b, "(2, 3)", V (11, 21, 31, 12, 22, 32), 9);
  CHECK_OP ("broadcast_sub", NULL, c, "(2, 3)", V (0, 1, 2, 2, 3, 4), 9);
  CHECK_OP ("broadcast_mul", NULL, d, "(3,)", V (-10, 15, -20), 16);
  CHECK_OP ("broadcast_max", NULL, e, "(2, 2)", V (1, -5, 3, -6), 8);
  /* C division truncates toward zero; division by zero gives 0 */
  CHECK_OP ("broadcast_div", NULL, f, "(6,)", V (-2, 2, 2, -2, 0, 0), 8);
  CHECK_OP ("broadcast_greater", NULL, g, "(3,)", V (0, 0, 1), 8);
  CHECK_FAILS ("broadcast_add", NULL, bad, "cannot be broadcast");
}

static void
test_sum (void)
{
  const Var v[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) } };
  CHECK_OP ("sum", KV ("axis", "(1,)"), v, "(2,)", V (6, 15), 8 + 2);
  CHECK_OP ("sum", KV ("axis", "0", "keepdims", "True"), v, "(1, 3)", V (5, 7, 9), 8 + 2);
  CHECK_OP ("sum", NULL, v, "(1,)", V (21), 8 + 3);
  CHECK_OP ("sum", KV ("axis", "(-1,)", "exclude", "True"), v, "(3,)", V (5, 7, 9), 8 + 2);
  CHECK_OP ("sum", KV ("axis", "(0, 1)", "exclude", "True"), v, "(2, 3)", V (1, 2, 3, 4, 5, 6), 9);
  CHECK_FAILS ("sum", KV ("axis", "(1, -1)"), v, "listed twice");
  CHECK_FAILS ("sum", KV ("axis", "(2,)"), v, "out of range");
}

static void
test_max (void)
{
  const Var v[] = { { "(2, 2)", 8, V (-3, -1, -4, -2) } };
  /* axis=() starts the accumulator at 0 (upstream quirk) ... */
  CHECK_OP ("max", NULL, v, "(1,)", V (0), 8);
  /* ... an explicit axis list starts from the data */
  CHECK_OP ("max", KV ("axis", "(0, 1)"), v, "(1,)", V (-1), 8);
  CHECK_OP ("max", KV ("axis", "(1,)"), v, "(2,)", V (-1, -2), 8);
  CHECK_OP ("max", KV ("axis", "(0,)", "keepdims", "true"), v, "(1, 2)", V (-3, -1), 8);
}

/* ---- shape ops ---------------------------------------------------------- */

static void
test_flatten_reshape (void)
{
  const Var v[] = { { "(2, 2, 2)", 8, V (1, 2, 3, 4, 5, 6, 7, 8) } };
  const Var r[] = { { "(2, 3, 4)", 8,
                      V (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23) } };
  const gint32 *seq = r[0].v;
  CHECK_OP ("flatten", NULL, v, "(2, 4)", V (1, 2, 3, 4, 5, 6, 7, 8), 8);
  check_op_full ("reshape", KV ("shape", "(-1, 4)"), r, 1, 0, "(6, 4)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(0, -1)"), r, 1, 0, "(2, 12)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(-2,)"), r, 1, 0, "(2, 3, 4)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(-3, 4)"), r, 1, 0, "(6, 4)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(-4, 1, 2, -2)"), r, 1, 0, "(1, 2, 3, 4)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(2, -4, -1, 3, 4)"), r, 1, 0, "(2, 1, 3, 4)", seq, 24, 8);
  check_op_full ("reshape", KV ("shape", "(0, 0, 2, 2)"), r, 1, 0, "(2, 3, 2, 2)", seq, 24, 8);
  check_op_fails ("reshape", KV ("shape", "(5, -1)"), r, 1, "cannot infer");
  check_op_fails ("reshape", KV ("shape", "(-1, -1)"), r, 1, "more than one -1");
  check_op_fails ("reshape", KV ("shape", "(1, 1, 1, 1, 1, 1, 24)"), r, 1, "at most 6");
}

static void
test_expand_squeeze (void)
{
  const Var v[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) } };
  const Var s[] = { { "(1, 2, 1, 3)", 8, V (1, 2, 3, 4, 5, 6) } };
  const Var one[] = { { "(1, 1)", 8, V (7) } };
  CHECK_OP ("expand_dims", KV ("axis", "1", "num_newaxis", "2"), v, "(2, 1, 1, 3)", V (1, 2, 3, 4, 5, 6), 8);
  CHECK_OP ("expand_dims", KV ("axis", "-1"), v, "(2, 3, 1)", V (1, 2, 3, 4, 5, 6), 8);
  CHECK_FAILS ("expand_dims", KV ("axis", "3"), v, "out of range");
  CHECK_OP ("squeeze", NULL, s, "(2, 3)", V (1, 2, 3, 4, 5, 6), 8);
  CHECK_OP ("squeeze", KV ("axis", "(2,)"), s, "(1, 2, 3)", V (1, 2, 3, 4, 5, 6), 8);
  CHECK_OP ("squeeze", NULL, one, "(1,)", V (7), 8);
  CHECK_FAILS ("squeeze", KV ("axis", "(1,)"), s, "cannot squeeze");
}

static void
test_transpose (void)
{
  const Var v[] = { { "(2, 3)", 8, V (1, 2, 3, 4, 5, 6) } };
  const Var c[] = { { "(2, 2, 2)", 8, V (0, 1, 2, 3, 4, 5, 6, 7) } };
  CHECK_OP ("transpose", NULL, v, "(3, 2)", V (1, 4, 2, 5, 3, 6), 8);
  /* out[i, j, k] = in[j, k, i] */
  CHECK_OP ("transpose", KV ("axes", "(2, 0, 1)"), c, "(2, 2, 2)", V (0, 2, 4, 6, 1, 3, 5, 7), 8);
  CHECK_OP ("transpose", KV ("axes", "(-1, 0, 1)"), c, "(2, 2, 2)", V (0, 2, 4, 6, 1, 3, 5, 7), 8);
  CHECK_FAILS ("transpose", KV ("axes", "(0, 0, 1)"), c, "not a permutation");
}

static void
test_concatenate (void)
{
  const Var v[] = { { "(2, 1)", 8, V (1, 2) }, { "(2, 2)", 12, V (3, 4, 5, 6) } };
  const Var r[] = { { "(1, 2)", 8, V (1, 2) }, { "(2, 2)", 8, V (3, 4, 5, 6) } };
  const Var bad[] = { { "(2, 1)", 8, V (1, 2) }, { "(3, 2)", 8, V (3, 4, 5, 6, 7, 8) } };
  CHECK_OP ("concatenate", NULL, v, "(2, 3)", V (1, 3, 4, 2, 5, 6), 12);
  CHECK_OP ("concatenate", KV ("axis", "-2"), r, "(3, 2)", V (1, 2, 3, 4, 5, 6), 8);
  CHECK_FAILS ("concatenate", NULL, bad, "does not match");
}

static void
test_repeat_tile (void)
{
  const Var v[] = { { "(2, 2)", 8, V (1, 2, 3, 4) } };
  const Var t[] = { { "(2,)", 8, V (1, 2) } };
  CHECK_OP ("repeat", KV ("repeats", "2", "axis", "1"), v, "(2, 4)", V (1, 1, 2, 2, 3, 3, 4, 4), 8);
  CHECK_OP ("repeat", KV ("repeats", "2"), v, "(4, 2)", V (1, 2, 1, 2, 3, 4, 3, 4), 8);
  CHECK_OP ("tile", KV ("reps", "(2, 2)"), t, "(2, 4)", V (1, 2, 1, 2, 1, 2, 1, 2), 8);
  CHECK_OP ("tile", KV ("reps", "(2, 1)"), v, "(4, 2)", V (1, 2, 3, 4, 1, 2, 3, 4), 8);
  CHECK_OP ("tile", KV ("reps", "(2,)"), v, "(2, 4)", V (1, 2, 1, 2, 3, 4, 3, 4), 8);
  CHECK_FAILS ("repeat", KV ("repeats", "0"), v, "out of range");
}

/* ---- indexing ---------------------------------------------------------- */

static void
test_strided_slice (void)
{
  const Var v[] = { { "(5,)", 8, V (0, 1, 2, 3, 4) } };
  const Var m[] = { { "(3, 4)", 8, V (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) } };
  /* reversal: begin 4, end -6 (+5 = -1), stride -1 */
  CHECK_OP ("strided_slice", KV ("begin", "(4,)", "end", "(-6,)", "stride", "(-1,)"), v, "(5,)", V (4, 3, 2, 1, 0), 8);
  CHECK_OP ("strided_slice", KV ("begin", "(4,)", "end", "(0,)", "stride", "(-2,)"), v, "(2,)", V (4, 2), 8);
  CHECK_OP ("strided_slice", KV ("begin", "(1,)", "end", "(4,)", "stride", "(2,)"), v, "(2,)", V (1, 3), 8);
  CHECK_OP ("strided_slice", KV ("begin", "(-2,)", "end", "(100,)"), v, "(2,)", V (3, 4), 8);
  CHECK_OP ("strided_slice", KV ("begin", "(0, 1)", "end", "(3, 4)", "stride", "(2, 2)"), m, "(2, 2)", V (1, 3, 9, 11),
            8);
  /* begin/end shorter than the rank: the rest of the axis */
  CHECK_OP ("strided_slice", KV ("begin", "(1,)", "end", "(2,)"), m, "(1, 4)", V (4, 5, 6, 7), 8);
  CHECK_FAILS ("strided_slice", KV ("begin", "(3,)", "end", "(1,)"), v, "empty slice");
  CHECK_FAILS ("strided_slice", KV ("begin", "(0,)", "end", "(3,)", "stride", "(0,)"), v, "stride of axis 0 is 0");
}

static void
test_slice_like (void)
{
  const Var a[] = { { "(3, 4)", 8, V (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) }, { "(2, 2)", 8, V (0, 0, 0, 0) } };
  const Var b[] = { { "(3, 4)", 8, V (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) }, { "(1, 3)", 8, V (0, 0, 0) } };
  CHECK_OP ("slice_like", NULL, a, "(2, 2)", V (0, 1, 4, 5), 8);
  CHECK_OP ("slice_like", KV ("axis", "(1,)"), b, "(3, 3)", V (0, 1, 2, 4, 5, 6, 8, 9, 10), 8);
}

static void
test_take (void)
{
  const Var flat[] = { { "(4,)", 8, V (10, 20, 30, 40) }, { "(4,)", 8, V (-1, 0, 3, 7) } };
  const Var ax0[] = { { "(3, 2)", 8, V (1, 2, 3, 4, 5, 6) }, { "(2,)", 8, V (2, -5) } };
  const Var ax1[] = { { "(3, 2)", 8, V (1, 2, 3, 4, 5, 6) }, { "(1,)", 8, V (9) } };
  const Var nd[] = { { "(3, 2)", 8, V (1, 2, 3, 4, 5, 6) }, { "(2, 2)", 8, V (0, 2, 1, 1) } };
  /* indices are clamped, never an error */
  CHECK_OP ("take", NULL, flat, "(4,)", V (10, 10, 40, 40), 8);
  CHECK_OP ("take", KV ("axis", "0"), ax0, "(2, 2)", V (5, 6, 1, 2), 8);
  CHECK_OP ("take", KV ("axis", "1"), ax1, "(3, 1)", V (2, 4, 6), 8);
  CHECK_OP ("take", KV ("axis", "0"), nd, "(2, 2, 2)", V (1, 2, 5, 6, 3, 4, 3, 4), 8);
  CHECK_OP ("take", KV ("axis", "None"), nd, "(2, 2)", V (1, 3, 2, 2), 8);
}

static void
test_cvm_lut (void)
{
  const Var v[] = { { "(1, 6)", 8, V (-1, 0, 1, 2, 3, 9) }, { "(4,)", 10, V (10, 20, 30, 400) } };
  /* the table's precision */
  CHECK_OP ("cvm_lut", KV ("in_dim", "4"), v, "(1, 6)", V (10, 10, 20, 30, 400, 400), 10);
  CHECK_FAILS ("cvm_lut", KV ("in_dim", "5"), v, "in_dim is 5");
}

static void
test_where (void)
{
  const Var v[] = { { "(4,)", 2, V (1, 0, -1, 0) }, { "(4,)", 8, V (1, 2, 3, 4) }, { "(4,)", 8, V (5, 6, 7, 8) } };
  const Var r[] = { { "(2,)", 8, V (0, 3) }, { "(2, 2)", 8, V (1, 2, 3, 4) }, { "(2, 2)", 8, V (5, 6, 7, 8) } };
  /* precision of the condition */
  CHECK_OP ("where", NULL, v, "(4,)", V (1, 6, 3, 8), 2);
  /* 1-D condition selects whole rows (the correct semantics) */
  CHECK_OP ("where", NULL, r, "(2, 2)", V (5, 6, 3, 4), 8);
}

/* ---- vision ------------------------------------------------------------ */

static void
test_get_valid_counts (void)
{
  const Var v[] = { { "(1, 4, 3)", 8, V (0, 5, 1, 1, -1, 2, 2, 9, 3, 3, 0, 4) } };
  /* numprec(4 * 3) = bits(13) + 1 = 5 */
  CHECK_OUT ("get_valid_counts", NULL, v, 0, "(1,)", V (2), 5);
  CHECK_OUT ("get_valid_counts", NULL, v, 1, "(1, 4, 3)", V (0, 5, 1, 2, 9, 3, -1, -1, -1, -1, -1, -1), 8);
  CHECK_OUT ("get_valid_counts", KV ("score_threshold", "-1"), v, 0, "(1,)", V (3), 5);
}

#define R0 0, 50, 0, 0, 10, 10
#define R1 0, 90, 1, 1, 11, 11
#define R2 1, 80, 0, 0, 10, 10
#define R3 0, 70, 20, 20, 30, 30
#define RX -1, -1, -1, -1, -1, -1

static void
test_nms (void)
{
  /* iou(R1, R0) = floor(100 * 81 / (200 - 81)) = 68 */
  const Var v[] = { { "(1, 4, 6)", 8, V (R0, R1, R2, R3) }, { "(1,)", 8, V (4) } };
  const Var two[] = { { "(1, 4, 6)", 8, V (R0, R1, R2, R3) }, { "(1,)", 8, V (2) } };
  const Var neg[] = { { "(1, 4, 6)", 8, V (R0, -1, 90, 1, 1, 11, 11, R2, R3) }, { "(1,)", 8, V (4) } };
  CHECK_OP ("non_max_suppression", NULL, v, "(1, 4, 6)", V (R1, R2, R3, RX), 8);
  CHECK_OP ("non_max_suppression", KV ("force_suppress", "True"), v, "(1, 4, 6)", V (R1, R3, RX, RX), 8);
  CHECK_OP ("non_max_suppression", KV ("iou_threshold", "69"), v, "(1, 4, 6)", V (R1, R2, R3, R0), 8);
  CHECK_OP ("non_max_suppression", NULL, two, "(1, 4, 6)", V (R1, RX, RX, RX), 8);
  CHECK_OP ("non_max_suppression", KV ("top_k", "1"), v, "(1, 4, 6)", V (R1, RX, RX, RX), 8);
  CHECK_OP ("non_max_suppression", KV ("max_output_size", "2"), v, "(1, 4, 6)", V (R1, R2, RX, RX), 8);
  /* a negative id is skipped; R0 then survives (R2 has another id) */
  CHECK_OP ("non_max_suppression", NULL, neg, "(1, 4, 6)", V (R2, R3, R0, RX), 8);
  CHECK_FAILS ("non_max_suppression", KV ("id_index", "-1"), v, "out of range");
  CHECK_FAILS ("non_max_suppression", KV ("return_indices", "True"), v, "only return_indices=False");
}

/* ---- the spec's worked examples ----------------------------------------- */

/* cvm.md §1.2, verbatim */
static const char LUT_JSON[] =
  "{\"nodes\": [{\"op\": \"null\", \"name\": \"data\", \"inputs\": []},\n"
  "           {\"op\": \"null\", \"name\": \"tbl\", \"inputs\": []},\n"
  "           {\"op\": \"cvm_op\", \"name\": \"cvm_lut_0\",\n"
  "            \"attrs\": {\"flatten_data\": \"0\", \"func_name\": \"cvm_lut\",\n"
  "                      \"num_inputs\": \"2\", \"num_outputs\": \"1\"},\n"
  "            \"inputs\": [[0, 0, 0], [1, 0, 0]]}],\n"
  " \"arg_nodes\": [0, 1], \"node_row_ptr\": [0, 1, 2, 3], \"heads\": [[2, 0, 0]],\n"
  " \"attrs\": {\"op_attrs\": [\"list_str\", [\"{\\\"precision\\\": \\\"8\\\"}\", \"{\\\"precision\\\": \\\"8\\\"}\", "
  "\"{\\\"in_dim\\\": \\\"4\\\"}\"]],\n"
  "           \"dltype\": [\"list_str\", [\"int32\", \"int32\", \"int32\"]],\n"
  "           \"precision\": [\"list_int\", [8, 8, -1]],\n"
  "           \"storage_id\": [\"list_int\", [1, 2, 0]],\n"
  "           \"shape\": [\"list_shape\", [[1, 6], [4], [1, 6]]]},\n"
  " \"version\": \"cvm_1.0.0\"}";

/* cvm.md §2, the worked example (one param tbl = int8 [10, 20, 30, 40]) */
static const char LUT_PARAMS_HEX[] = "b79c04054f8de5f7 0000000000000000 0100000000000000 "
                                     "0300000000000000 74626c "
                                     "0100000000000000 "
                                     "3fa1b496f0405edd 0000000000000000 01000000 00000000 01000000 "
                                     "00 08 0100 "
                                     "0400000000000000 "
                                     "0400000000000000 0a141e28";

static GBytes *
hex_bytes (const char *hex)
{
  GByteArray *b = g_byte_array_new ();
  for (const char *p = hex; *p;)
    {
      guint8 v;
      if (g_ascii_isspace (*p))
        {
          p++;
          continue;
        }
      g_assert_true (g_ascii_isxdigit (p[0]) && g_ascii_isxdigit (p[1]));
      v = (guint8) (g_ascii_xdigit_value (p[0]) * 16 + g_ascii_xdigit_value (p[1]));
      g_byte_array_append (b, &v, 1);
      p += 2;
    }
  return g_byte_array_free_to_bytes (b);
}

/* base with old replaced by new (old must occur) */
static char *
edit (const char *base, const char *old, const char *new)
{
  const char *at = strstr (base, old);
  if (at == NULL)
    g_error ("edit: “%s” not found", old);
  return g_strdup_printf ("%.*s%s%s", (int) (at - base), base, new, at + strlen (old));
}

static MrtModel *
parse_lut (const char *json, const char *params_hex, GError **error)
{
  g_autoptr (GBytes) p = hex_bytes (params_hex);
  return mrt_cvm_parse (json, strlen (json), g_bytes_get_data (p, NULL), g_bytes_get_size (p), "lut", error);
}

static void
assert_values (MrtTensor *t, const gint32 *v, gsize n)
{
  g_assert_cmpuint (t->n, ==, n);
  for (gsize i = 0; i < n; i++)
    g_assert_cmpint (mrt_tensor_i32 (t)[i], ==, v[i]);
}

static void
run_lut (MrtModel *m)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtTensor) x = i32_tensor ("(1, 6)", V (-1, 0, 1, 2, 3, 9));
  g_autoptr (GPtrArray) y = mrt_cvm_forward (m, x, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (y->len, ==, 1);
  assert_values (g_ptr_array_index (y, 0), V (10, 10, 20, 30, 40, 40), 6);
}

static void
test_spec_lut_model (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = parse_lut (LUT_JSON, LUT_PARAMS_HEX, &error);
  g_autofree int *ids = NULL;
  MrtCvmReport r = { 0 };
  MrtTensor *tbl;

  g_assert_no_error (error);
  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 3);
  g_assert_cmpstr (mrt_model_node (m, 2)->op, ==, "cvm_lut");
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (m, 0), "precision"), ==, "8");
  tbl = mrt_model_get_param (m, "tbl");
  g_assert_nonnull (tbl);
  g_assert_cmpint (tbl->dtype, ==, MRT_DTYPE_I8);
  g_assert_true (mrt_cvm_get_storage_ids (m, &ids, &error));
  g_assert_cmpint (ids[0], ==, 1);
  g_assert_cmpint (ids[1], ==, 2);
  g_assert_cmpint (ids[2], ==, 0);

  g_assert_true (mrt_cvm_check (m, &r, &error));
  g_assert_no_error (error);
  /* ops: 6 lookups; mem: 5 * (6 + 4 + 6) */
  g_assert_cmpuint (r.ops, ==, 6);
  g_assert_cmpuint (r.mem, ==, 80);
  g_assert_cmpuint (r.gas, ==, 86);
  g_assert_cmpuint (r.storage_bytes, ==, 24 + 24 + 16);
  g_assert_cmpuint (r.n_storage_ids, ==, 3);
  g_assert_cmpint (r.input_precision, ==, 8);
  g_assert_cmpint (r.output_precision, ==, 8);
  g_assert_cmpuint (r.input_type_size, ==, 1);
  g_assert_cmpuint (r.output_type_size, ==, 1);
  g_assert_cmpuint (r.input_bytes, ==, 6);
  g_assert_cmpuint (r.output_bytes, ==, 6);
  g_assert_cmpuint (r.warnings->len, ==, 0);
  mrt_cvm_report_clear (&r);
  run_lut (m);
}

static void
test_spec_fixture_load (void)
{
  const char *dir = g_getenv ("MRT_TEST_DATA");
  g_autofree char *path = NULL, *sym = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) a = NULL, b = NULL, c = NULL;

  if (dir == NULL)
    {
      g_test_skip ("MRT_TEST_DATA is not set");
      return;
    }
  path = g_build_filename (dir, "cvm", "lut", NULL);
  sym = g_build_filename (path, "symbol", NULL);
  a = mrt_cvm_load (path, &error);
  g_assert_no_error (error);
  run_lut (a);
  b = mrt_cvm_load (sym, &error);
  g_assert_no_error (error);
  run_lut (b);
  c = mrt_cvm_load ("/nonexistent/model_cvm", &error);
  g_assert_null (c);
  g_assert_nonnull (error);
}

static void
test_spec_params_roundtrip (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) want = hex_bytes (LUT_PARAMS_HEX);
  g_autoptr (GHashTable) table = mrt_cvm_params_parse (g_bytes_get_data (want, NULL), g_bytes_get_size (want), &error);
  g_autoptr (MrtModel) m = parse_lut (LUT_JSON, LUT_PARAMS_HEX, &error);
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GBytes) empty_want = hex_bytes ("b79c04054f8de5f7 0000000000000000 0000000000000000 0000000000000000");
  g_autoptr (GBytes) empty_got = NULL;
  g_autoptr (MrtModel) solo = mrt_model_new ();
  MrtTensor *t;
  guint d;

  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 1);
  t = g_hash_table_lookup (table, "tbl");
  g_assert_cmpint (t->dtype, ==, MRT_DTYPE_I8);
  g_assert_cmpint (t->shape.ndim, ==, 1);
  g_assert_cmpint (t->shape.dim[0], ==, 4);
  g_assert_cmpint (((gint8 *) t->data)[3], ==, 40);

  got = mrt_cvm_params_to_bytes (m, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (got, want));

  /* a model without parameters writes the 32-byte empty file */
  d = add_var (solo, "data", "(2,)", 8, NULL);
  mrt_model_add_head (solo, (MrtEntry){ add_op (solo, "relu_0", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1), 0 });
  empty_got = mrt_cvm_params_to_bytes (solo, &error);
  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (empty_got, empty_want));
  g_clear_pointer (&table, g_hash_table_unref);
  table = mrt_cvm_params_parse (g_bytes_get_data (empty_want, NULL), 32, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (table), ==, 0);
}

/* ---- gas ---------------------------------------------------------------- */

/* data (1,1,4,4) -> conv2d(2 ch, 3x3, pad 1, bias) -> cvm_right_shift -> relu
 * -> max_pool2d(2x2, stride 2) -> flatten -> dense(3, bias) */
static MrtModel *
conv_model (GRand *rnd)
{
  MrtModel *m = mrt_model_new ();
  gint32 w[18], b[2], dw[24], db[3];
  guint d, cw, cb, c, s, r, p, f, ww, wb, o;
  for (guint i = 0; i < 18; i++)
    w[i] = rnd ? g_rand_int_range (rnd, -127, 128) : (gint32) i - 9;
  for (guint i = 0; i < 24; i++)
    dw[i] = rnd ? g_rand_int_range (rnd, -127, 128) : (gint32) (i % 7) - 3;
  b[0] = 5, b[1] = -5, db[0] = 1, db[1] = 2, db[2] = -3;
  d = add_var (m, "data", "(1, 1, 4, 4)", 8, NULL);
  cw = add_var (m, "conv_w", "(2, 1, 3, 3)", 8, w);
  cb = add_var (m, "conv_b", "(2,)", 8, b);
  c = add_op (m, "conv2d_0", "conv2d", KV ("channels", "2", "kernel_size", "(3, 3)", "padding", "(1, 1)"),
              (MrtEntry[]){ { d, 0 }, { cw, 0 }, { cb, 0 } }, 3);
  s = add_op (m, "cvm_right_shift_0", "cvm_right_shift", KV ("precision", "8", "shift_bit", "4"),
              (MrtEntry[]){ { c, 0 } }, 1);
  r = add_op (m, "relu_0", "relu", NULL, (MrtEntry[]){ { s, 0 } }, 1);
  p = add_op (m, "max_pool2d_0", "max_pool2d", KV ("pool_size", "(2, 2)", "strides", "(2, 2)"),
              (MrtEntry[]){ { r, 0 } }, 1);
  f = add_op (m, "flatten_0", "flatten", NULL, (MrtEntry[]){ { p, 0 } }, 1);
  ww = add_var (m, "dense_w", "(3, 8)", 8, dw);
  wb = add_var (m, "dense_b", "(3,)", 8, db);
  o = add_op (m, "dense_0", "dense", KV ("units", "3"), (MrtEntry[]){ { f, 0 }, { ww, 0 }, { wb, 0 } }, 3);
  mrt_model_add_head (m, (MrtEntry){ o, 0 });
  return m;
}

static void
test_gas_conv (void)
{
  g_autoptr (MrtModel) m = conv_model (NULL);
  g_autoptr (GError) error = NULL;
  MrtCvmReport r = { 0 };

  g_assert_true (mrt_cvm_check (m, &r, &error));
  g_assert_no_error (error);
  /* ops: conv (3 * 9 + 1) * 32 = 896, shift 32, relu 32, pool 4 * 8 = 32,
   *      flatten 8, dense (3 * 8 + 1) * 3 = 75                  -> 1075
   * mem: variables 5 * (16 + 18 + 2 + 24 + 3) = 315,
   *      operators 5 * (32 + 32 + 32 + 8 + 8 + 3) = 575         -> 890 */
  g_assert_cmpuint (r.ops, ==, 1075);
  g_assert_cmpuint (r.mem, ==, 890);
  g_assert_cmpuint (r.gas, ==, 1965);
  /* conv output 8 + 8 + bits(9) = 20, +1 with bias; dense 8 + 8 + bits(8) + 1 */
  g_assert_cmpint (r.output_precision, ==, 8 + 8 + 4 + 1);
  g_assert_cmpuint (r.output_type_size, ==, 4);
  g_assert_cmpuint (r.output_bytes, ==, 12);
  mrt_cvm_report_clear (&r);
}

static void
test_gas_vision (void)
{
  const Var gv[] = { { "(1, 4, 3)", 8, V (0, 5, 1, 1, -1, 2, 2, 9, 3, 3, 0, 4) } };
  const Var nm[] = { { "(1, 4, 6)", 8, V (R0, R1, R2, R3) }, { "(1,)", 8, V (4) } };
  g_autoptr (MrtModel) a = single_op ("get_valid_counts", NULL, gv, 1);
  g_autoptr (MrtModel) b = single_op ("non_max_suppression", NULL, nm, 2);
  g_autoptr (GError) error = NULL;
  MrtCvmReport r = { 0 };

  /* only output 0 (the counts) is charged: ops 1; mem 5 * (12 + 1 + 12) */
  g_assert_true (mrt_cvm_check (a, &r, &error));
  g_assert_cmpuint (r.ops, ==, 1);
  g_assert_cmpuint (r.mem, ==, 125);
  mrt_cvm_report_clear (&r);
  /* base 20 * batch: ops 20 * 24; mem 5 * (24 + 1 + 24) */
  g_assert_true (mrt_cvm_check (b, &r, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (r.ops, ==, 480);
  g_assert_cmpuint (r.mem, ==, 245);
  g_assert_cmpuint (r.warnings->len, ==, 1);
  mrt_cvm_report_clear (&r);
}

/* ---- writer -> reader ---------------------------------------------------- */

static MrtModel *
reparse (const MrtModel *m, const int *ids, char **json_out)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = mrt_cvm_symbol_to_json (m, ids, &error);
  g_autoptr (GBytes) params = NULL;
  MrtModel *back;
  g_assert_no_error (error);
  params = mrt_cvm_params_to_bytes (m, &error);
  g_assert_no_error (error);
  back = mrt_cvm_parse (json, strlen (json), g_bytes_get_data (params, NULL), g_bytes_get_size (params), "rt", &error);
  g_assert_no_error (error);
  if (json_out)
    *json_out = g_steal_pointer (&json);
  return back;
}

static void
assert_same_outputs (GPtrArray *a, GPtrArray *b)
{
  g_assert_cmpuint (a->len, ==, b->len);
  for (guint i = 0; i < a->len; i++)
    g_assert_true (mrt_tensor_equal (g_ptr_array_index (a, i), g_ptr_array_index (b, i)));
}

static void
test_json_roundtrip (void)
{
  g_autoptr (GRand) rnd = g_rand_new_with_seed (7);
  g_autoptr (MrtModel) m = conv_model (rnd);
  g_autoptr (MrtModel) back = NULL, again = NULL, lut = NULL, lut2 = NULL, loaded = NULL;
  g_autofree char *json1 = NULL, *json2 = NULL, *lut_json = NULL, *tmp = NULL;
  g_autofree int *ids = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) p1 = NULL, p2 = NULL;
  g_autoptr (GPtrArray) y1 = NULL, y2 = NULL, y3 = NULL;
  g_autoptr (MrtTensor) x = NULL;
  gint32 xv[16];

  back = reparse (m, NULL, &json1);
  g_assert_true (mrt_cvm_get_storage_ids (back, &ids, &error));
  again = reparse (back, ids, &json2);
  g_assert_cmpstr (json1, ==, json2);
  p1 = mrt_cvm_params_to_bytes (back, &error);
  p2 = mrt_cvm_params_to_bytes (again, &error);
  g_assert_true (g_bytes_equal (p1, p2));
  for (const char *key = "nodes\0arg_nodes\0node_row_ptr\0heads\0dltype\0op_attrs\0precision\0shape\0storage_id\0"
                         "\"cvm_1.0.0\"\0\"func_name\": \"conv2d\"\0\"num_inputs\": \"3\"\0\"flatten_data\": \"0\"\0";
       *key; key += strlen (key) + 1)
    if (!strstr (json1, key))
      g_error ("the symbol lacks %s:\n%s", key, json1);
  /* op_attrs strings, and the shift's precision attribute in the precision list */
  g_assert_nonnull (strstr (json1, "\"{\\\"precision\\\": \\\"8\\\", \\\"shift_bit\\\": \\\"4\\\"}\""));
  g_assert_nonnull (strstr (json1, "\"precision\": [\"list_int\", [8, 8, 8, -1, 8, -1, -1, -1, 8, 8, -1]]"));

  for (guint i = 0; i < 16; i++)
    xv[i] = g_rand_int_range (rnd, -127, 128);
  x = i32_tensor ("(1, 1, 4, 4)", xv);
  y1 = mrt_cvm_forward (m, x, NULL, &error);
  g_assert_no_error (error);
  y2 = mrt_cvm_forward (again, x, NULL, &error);
  g_assert_no_error (error);
  assert_same_outputs (y1, y2);

  /* the §1.2 model keeps its own plan through a round trip */
  lut = parse_lut (LUT_JSON, LUT_PARAMS_HEX, &error);
  g_assert_no_error (error);
  g_clear_pointer (&ids, g_free);
  g_assert_true (mrt_cvm_get_storage_ids (lut, &ids, &error));
  lut2 = reparse (lut, ids, &lut_json);
  g_assert_nonnull (strstr (lut_json, "\"storage_id\": [\"list_int\", [1, 2, 0]]"));
  g_assert_nonnull (strstr (lut_json, "\"precision\": [\"list_int\", [8, 8, -1]]"));
  run_lut (lut2);

  /* save + load through a directory */
  tmp = g_dir_make_tmp ("mrt-cvm-XXXXXX", &error);
  g_assert_no_error (error);
  g_assert_true (mrt_cvm_save (m, tmp, &error));
  g_assert_no_error (error);
  loaded = mrt_cvm_load (tmp, &error);
  g_assert_no_error (error);
  y3 = mrt_cvm_forward (loaded, x, NULL, &error);
  g_assert_no_error (error);
  assert_same_outputs (y1, y3);
  {
    g_autofree char *s = g_build_filename (tmp, "symbol", NULL);
    g_autofree char *p = g_build_filename (tmp, "params", NULL);
    g_remove (s);
    g_remove (p);
    g_rmdir (tmp);
  }
}

/* ---- storage planner ---------------------------------------------------- */

typedef struct {
  MrtEntry e;
  int prec;
} Ent;

/* A random graph of same-shape (2, 3) operators over data and one parameter. */
static MrtModel *
random_graph (GRand *r, guint n_ops)
{
  static const char *const unary[] = { "relu", "abs", "negative", "cvm_clip", "cvm_right_shift", "reshape", "clip",
                                       "cvm_precision", "flatten" };
  static const char *const binary[] = { "elemwise_add", "elemwise_sub", "broadcast_mul", "broadcast_max",
                                        "broadcast_add" };
  MrtModel *m = mrt_model_new ();
  g_autoptr (GArray) ents = g_array_new (FALSE, FALSE, sizeof (Ent));
  gint32 pv[6];
  Ent e;

  for (guint i = 0; i < 6; i++)
    pv[i] = g_rand_int_range (r, -31, 32);
  e = (Ent){ { add_var (m, "data", "(2, 3)", 8, NULL), 0 }, 8 };
  g_array_append_val (ents, e);
  e = (Ent){ { add_var (m, "w", "(2, 3)", 6, pv), 0 }, 6 };
  g_array_append_val (ents, e);
  for (guint k = 0; k < n_ops; k++)
    {
      g_autofree char *name = g_strdup_printf ("op_%u", k);
      guint pick = ents->len - 1 - (g_rand_boolean (r) ? (guint) g_rand_int_range (r, 0, (gint32) MIN (ents->len, 4))
                                                        : (guint) g_rand_int_range (r, 0, (gint32) ents->len));
      Ent a = g_array_index (ents, Ent, pick);
      Ent b = g_array_index (ents, Ent, g_rand_int_range (r, 0, (gint32) ents->len));
      Ent out;
      if (g_rand_int_range (r, 0, 3) == 0 && a.prec <= 12 && b.prec <= 12)
        {
          const char *op = binary[g_rand_int_range (r, 0, G_N_ELEMENTS (binary))];
          out.e = (MrtEntry){ add_op (m, name, op, NULL, (MrtEntry[]){ a.e, b.e }, 2), 0 };
          out.prec = strcmp (op, "broadcast_mul") == 0 ? a.prec + b.prec
                     : strcmp (op, "broadcast_max") == 0 ? MAX (a.prec, b.prec) : MAX (a.prec, b.prec) + 1;
        }
      else
        {
          const char *op = a.prec > 20 ? "cvm_clip" : unary[g_rand_int_range (r, 0, G_N_ELEMENTS (unary))];
          static const char *const clip8[] = { "precision", "8", NULL };
          static const char *const shift1[] = { "precision", "8", "shift_bit", "1", NULL };
          static const char *const same[] = { "shape", "(0, -1)", NULL };
          static const char *const clip50[] = { "a_min", "-50", "a_max", "50", NULL };
          const char *const *kv = NULL;
          out.prec = a.prec;
          if (strcmp (op, "cvm_clip") == 0)
            kv = clip8, out.prec = 8;
          else if (strcmp (op, "cvm_right_shift") == 0)
            kv = shift1, out.prec = 8;
          else if (strcmp (op, "reshape") == 0)
            kv = same;
          else if (strcmp (op, "clip") == 0)
            kv = clip50, out.prec = 7;
          else if (strcmp (op, "cvm_precision") == 0)
            out.prec = 6;
          out.e = (MrtEntry){ add_op (m, name, op, kv, &a.e, 1), 0 };
        }
      g_array_append_val (ents, out);
    }
  mrt_model_add_head (m, g_array_index (ents, Ent, ents->len - 1).e);
  for (guint h = g_rand_int_range (r, 0, 3); h > 0; h--)
    mrt_model_add_head (m, g_array_index (ents, Ent, g_rand_int_range (r, 2, (gint32) ents->len)).e);
  return m;
}

static void
test_storage_random (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (20221117);
  guint reused = 0;

  for (guint t = 0; t < 60; t++)
    {
      g_autoptr (MrtModel) m = random_graph (r, 3 + t % 25);
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (m, &error);
      g_autofree int *plan = NULL, *identity = NULL;
      g_autoptr (MrtModel) a = NULL, b = NULL;
      g_autoptr (GPtrArray) ya = NULL, yb = NULL;
      g_autoptr (MrtTensor) x = NULL;
      guint64 bytes_plan, bytes_id;
      guint n_plan, n_id;
      gint32 xv[6];

      g_assert_no_error (error);
      plan = mrt_cvm_graph_plan_storage (g);
      identity = g_new (int, g->n_entries);
      for (guint e = 0; e < g->n_entries; e++)
        identity[e] = (int) e;
      g_assert_true (mrt_cvm_graph_check_storage (g, plan, &bytes_plan, &n_plan, &error));
      g_assert_no_error (error);
      g_assert_true (mrt_cvm_graph_check_storage (g, identity, &bytes_id, &n_id, &error));
      g_assert_cmpuint (bytes_plan, <=, bytes_id);
      reused += n_plan < n_id;

      for (guint i = 0; i < 6; i++)
        xv[i] = g_rand_int_range (r, -127, 128);
      x = i32_tensor ("(2, 3)", xv);
      a = reparse (m, identity, NULL);
      b = reparse (m, plan, NULL);
      ya = mrt_cvm_forward_full (a, x, 1, NULL, &error);
      g_assert_no_error (error);
      yb = mrt_cvm_forward_full (b, x, 1, NULL, &error);
      g_assert_no_error (error);
      assert_same_outputs (ya, yb);
    }
  g_assert_cmpuint (reused, >, 40);
}

/* data -> relu (r) -> abs (s) -> negative (n); add_0 = r + n; add_1 = add_0 + w;
 * outputs add_1 and s */
static MrtModel *
storage_model (void)
{
  MrtModel *m = mrt_model_new ();
  guint d = add_var (m, "data", "(2,)", 8, NULL);
  guint w = add_var (m, "w", "(2,)", 8, V (1, 2));
  guint r = add_op (m, "relu_0", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
  guint s = add_op (m, "abs_0", "abs", NULL, (MrtEntry[]){ { r, 0 } }, 1);
  guint n = add_op (m, "negative_0", "negative", NULL, (MrtEntry[]){ { s, 0 } }, 1);
  guint t = add_op (m, "elemwise_add_0", "elemwise_add", NULL, (MrtEntry[]){ { r, 0 }, { n, 0 } }, 2);
  guint u = add_op (m, "elemwise_add_1", "elemwise_add", NULL, (MrtEntry[]){ { t, 0 }, { w, 0 } }, 2);
  mrt_model_add_head (m, (MrtEntry){ u, 0 });
  mrt_model_add_head (m, (MrtEntry){ s, 0 });
  return m;
}

static void
check_plan (MrtModel *m, const int *ids, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (m, &error);
  gboolean ok;
  g_assert_no_error (error);
  ok = mrt_cvm_graph_check_storage (g, ids, NULL, NULL, &error);
  if (needle == NULL)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else if (ok || !strstr (error->message, needle))
    g_error ("plan accepted or wrong error (wanted “%s”): %s", needle, error ? error->message : "none");
}

static void
test_storage_rules (void)
{
  g_autoptr (MrtModel) m = storage_model ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) b = NULL;
  g_autoptr (GPtrArray) y = NULL;
  g_autoptr (MrtTensor) x = i32_tensor ("(2,)", V (-3, 4));
  /* entries: data 0, w 1, relu 2, abs 3, negative 4, add 5, add 6 */
  check_plan (m, V (5, 6, 0, 1, 2, 3, 4), NULL);
  /* in place: add_1 over add_0's buffer, add_0 over negative's */
  check_plan (m, V (5, 6, 0, 1, 2, 2, 2), NULL);
  /* abs may run in place, but relu's value is still read by add_0 (upstream accepts this) */
  check_plan (m, V (5, 6, 0, 0, 2, 3, 4), "which a later node still reads");
  /* negative is not in-place capable (upstream spells it "nagetive") */
  check_plan (m, V (5, 6, 0, 1, 1, 3, 4), "cannot run in place");
  check_plan (m, V (5, 5, 0, 1, 2, 3, 4), "share a buffer");
  check_plan (m, V (5, 6, 0, 1, 6, 3, 4), "overwrites parameter");
  check_plan (m, V (5, 6, 0, 1, 2, 1, 4), "overwrites graph output");
  /* relu's buffer is free once add_0 has read it */
  check_plan (m, V (5, 6, 0, 1, 2, 3, 0), NULL);
  /* data's buffer may be reused once data is dead */
  check_plan (m, V (5, 6, 0, 5, 2, 3, 4), NULL);
  check_plan (m, V (5, 6, 0, -1, 2, 3, 4), "negative");

  /* the sound in-place plan computes the same: relu [0, 4], abs [0, 4],
   * negative [0, -4], add [0, 0], + w [1, 2] */
  b = reparse (m, V (5, 6, 0, 1, 2, 2, 2), NULL);
  y = mrt_cvm_forward (b, x, NULL, &error);
  g_assert_no_error (error);
  assert_values (g_ptr_array_index (y, 0), V (1, 2), 2);
}

/* ---- threads ----------------------------------------------------------- */

static gint32 *
rand_values (GRand *r, gsize n, int lo, int hi)
{
  gint32 *v = g_new (gint32, n);
  for (gsize i = 0; i < n; i++)
    v[i] = g_rand_int_range (r, lo, hi + 1);
  return v;
}

static void
test_threads (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (99);
  g_autofree gint32 *xv = rand_values (r, 2 * 4 * 12 * 12, -127, 127);
  g_autofree gint32 *wv = rand_values (r, 8 * 4 * 3 * 3, -127, 127);
  g_autofree gint32 *bv = rand_values (r, 8, -127, 127);
  g_autofree gint32 *dw = rand_values (r, 32 * 1152, -127, 127);
  g_autofree gint32 *db = rand_values (r, 32, -127, 127);
  g_autoptr (MrtModel) conv = mrt_model_new ();
  g_autoptr (MrtModel) full = NULL;
  g_autoptr (MrtTensor) x = i32_tensor ("(2, 4, 12, 12)", xv);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) c1 = NULL, c4 = NULL, f1 = NULL, f4 = NULL;
  const char *const *ckv = KV ("channels", "8", "kernel_size", "(3, 3)", "padding", "(1, 1)");
  guint d, w, b, c, s, f, ww, wb, o;
  MrtTensor *y;

  d = add_var (conv, "data", "(2, 4, 12, 12)", 8, NULL);
  w = add_var (conv, "w", "(8, 4, 3, 3)", 8, wv);
  b = add_var (conv, "b", "(8,)", 8, bv);
  c = add_op (conv, "conv2d_0", "conv2d", ckv, (MrtEntry[]){ { d, 0 }, { w, 0 }, { b, 0 } }, 3);
  full = mrt_model_copy (conv);
  mrt_model_add_head (conv, (MrtEntry){ c, 0 });
  s = add_op (full, "shift", "cvm_right_shift", KV ("precision", "8", "shift_bit", "15"), (MrtEntry[]){ { c, 0 } }, 1);
  f = add_op (full, "flatten", "flatten", NULL, (MrtEntry[]){ { s, 0 } }, 1);
  ww = add_var (full, "dw", "(32, 1152)", 8, dw);
  wb = add_var (full, "db", "(32,)", 8, db);
  o = add_op (full, "dense", "dense", KV ("units", "32"), (MrtEntry[]){ { f, 0 }, { ww, 0 }, { wb, 0 } }, 3);
  mrt_model_add_head (full, (MrtEntry){ o, 0 });

  c1 = mrt_cvm_forward_full (conv, x, 1, NULL, &error);
  g_assert_no_error (error);
  c4 = mrt_cvm_forward_full (conv, x, 4, NULL, &error);
  g_assert_no_error (error);
  assert_same_outputs (c1, c4);
  f1 = mrt_cvm_forward_full (full, x, 1, NULL, &error);
  g_assert_no_error (error);
  f4 = mrt_cvm_forward_full (full, x, 4, NULL, &error);
  g_assert_no_error (error);
  assert_same_outputs (f1, f4);

  /* the textbook convolution, written independently */
  y = g_ptr_array_index (c1, 0);
  for (int n = 0; n < 2; n++)
    for (int oc = 0; oc < 8; oc++)
      for (int oy = 0; oy < 12; oy++)
        for (int ox = 0; ox < 12; ox++)
          {
            gint64 acc = bv[oc];
            for (int ic = 0; ic < 4; ic++)
              for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++)
                  {
                    int iy = oy + i - 1, ix = ox + j - 1;
                    if (iy >= 0 && iy < 12 && ix >= 0 && ix < 12)
                      acc += (gint64) xv[((n * 4 + ic) * 12 + iy) * 12 + ix] * wv[((oc * 4 + ic) * 3 + i) * 3 + j];
                  }
            g_assert_cmpint (mrt_tensor_i32 (y)[((n * 8 + oc) * 12 + oy) * 12 + ox], ==, acc);
          }
}

/* ---- malformed inputs --------------------------------------------------- */

typedef struct {
  const char *old, *new, *needle;
} Edit;

static void
expect_symbol_error (const char *json, const char *params_hex, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = parse_lut (json, params_hex, &error);
  g_assert_null (m);
  g_assert_nonnull (error);
  g_assert_true (error->domain == MRT_CVM_ERROR);
  if (!g_str_has_prefix (error->message, "lut: ") || !strstr (error->message, needle))
    g_error ("error “%s” does not name the file or mention “%s”", error->message, needle);
}

static void
test_malformed_symbol (void)
{
  static const Edit edits[] = {
    { "\"version\": \"cvm_1.0.0\"}", "\"version\": \"cvm_1.0.0\", \"extra\": 1}", "key “extra” in the symbol is not supported" },
    { "cvm_1.0.0", "cvm_2.0.0", "version “cvm_2.0.0” is not supported" },
    { "\"func_name\": \"cvm_lut\"", "\"func_name\": \"conv3d\"", "unknown CVM operator “conv3d”" },
    { "\"func_name\": \"cvm_lut\"", "\"func_name\": \"cvm_lut17\"", "unknown CVM operator “cvm_lut17”" },
    { "\"num_inputs\": \"2\"", "\"num_inputs\": 2", "attrs.num_inputs is not a string" },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{\\\"in_dim\\\": \\\"4\\\", \\\"foo\\\": \\\"1\\\"}", "has no attribute “foo”" },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{\\\"in_dim\\\": \\\"four\\\"}", "in_dim=“four” is not an integer" },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{\\\"in_dim\\\": 4}", "op_attrs value of “in_dim” is not a string" },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{}", "required attribute “in_dim” is missing" },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{\\\"in_dim\\\"", "op_attrs is not valid JSON" },
    { "[[0, 0, 0], [1, 0, 0]]", "[[2, 0, 0], [1, 0, 0]]", "does not come before it" },
    { "[[0, 0, 0], [1, 0, 0]]", "[[0, 0, 0], [1, 1, 0]]", "uses output 1 of node 1" },
    { "[[0, 0, 0], [1, 0, 0]]", "[[0, 0, 0], [1]]", "input 1 is not [node, index, version]" },
    { "[[0, 0, 0], [1, 0, 0]]", "[[0, 0, 0]]", "has 1 inputs; the operator takes 2" },
    { "[0, 1, 2, 3]", "[0, 1, 2, 4]", "node_row_ptr[3] is 4" },
    { "\"node_row_ptr\": [0, 1, 2, 3], ", "", "node_row_ptr is missing" },
    { "\"arg_nodes\": [0, 1]", "\"arg_nodes\": [0]", "arg_nodes does not match" },
    { "[\"int32\", \"int32\", \"int32\"]", "[\"int32\", \"float32\", \"int32\"]", "attrs.dltype[1] must be \"int32\"" },
    { "\"dltype\": [\"list_str\", [\"int32\", \"int32\", \"int32\"]],", "", "attrs.dltype is required" },
    { "[[1, 6], [4], [1, 6]]", "[[1, 6], [4], [1, 5]]", "declared shape (1, 5) of output 0 differs from the inferred (1, 6)" },
    { "[[1, 6], [4], [1, 6]]", "[[1, 0], [4], [1, 6]]", "attrs.shape[0] is not a shape" },
    { "[[1, 6], [4], [1, 6]]", "[[1, 6], [4], [1, 1, 1, 1, 1, 1, 6]]", "attrs.shape[2] is not a shape" },
    { "[[1, 6], [4], [1, 6]]", "[[1, 6], [4]]", "one value per entry (3)" },
    /* absurd but legal sizes are refused by the storage cap, before any allocation */
    { "[[1, 6], [4], [1, 6]]", "[[16777216, 64], [4], [16777216, 64]]", "bytes (at most 2^32)" },
    { "[[1, 6], [4], [1, 6]]", "[[16777216, 65], [4], [16777216, 65]]", "attrs.shape[0] is not a shape" },
    { "\"shape\": [\"list_shape\"", "\"shape\": [\"list_int\"", "attrs.shape must be [\"list_shape\", [...]]" },
    { "\"precision\": [\"list_int\", [8, 8, -1]]", "\"precision\": [\"list_int\", [33, 8, -1]]", "precision values must be -1 or 1..32" },
    { "\"precision\": [\"list_int\", [8, 8, -1]]", "\"precision\": [\"list_int\", [-1, 8, -1]]", "variable has no precision" },
    { "\"storage_id\": [\"list_int\", [1, 2, 0]]", "\"storage_id\": [\"list_int\", [1, 2, 1]]", "cannot run in place" },
    { "\"storage_id\": [\"list_int\", [1, 2, 0]]", "\"storage_id\": [\"list_int\", [1, 1, 0]]", "share a buffer" },
    { "\"storage_id\": [\"list_int\", [1, 2, 0]]", "\"storage_id\": [\"list_int\", [1, -2, 0]]", "storage_id must hold ids >= 0" },
    { "\"attrs\": {\"op_attrs\"", "\"attrs\": {\"device_index\": [\"list_int\", [0, 0, 0]], \"op_attrs\"", "device_index must be empty" },
    { "\"attrs\": {\"op_attrs\"", "\"attrs\": {\"foo\": 1, \"op_attrs\"", "key “foo” in attrs is not supported" },
    { "\"heads\": [[2, 0, 0]]", "\"heads\": []", "no outputs" },
    { "\"heads\": [[2, 0, 0]]", "\"heads\": [[3, 0, 0]]", "heads[0] is not [node, index, version]" },
    { "{\"op\": \"null\", \"name\": \"data\", \"inputs\": []}", "{\"op\": \"null\", \"name\": \"x\", \"inputs\": []}", "no input variable named “data”" },
    { "{\"op\": \"null\", \"name\": \"data\", \"inputs\": []}", "{\"op\": \"null\", \"name\": \"data\", \"attrs\": {}, \"inputs\": []}", "a variable must not have \"attrs\"" },
    { "{\"op\": \"null\", \"name\": \"data\", \"inputs\": []}", "{\"op\": \"null\", \"name\": \"data\", \"control_deps\": [], \"inputs\": []}", "key “control_deps” in node 0 is not supported" },
    { "\"op\": \"cvm_op\"", "\"op\": \"conv\"", "op “conv” is not supported" },
    { "\"op\": \"cvm_op\"", "\"op\": 3", "\"op\" is missing or not a string" },
    { "[\"{\\\"precision\\\": \\\"8\\\"}\", ", "[", "one string per node (3)" },
  };
  static const char *const whole[][2] = {
    { "not json", "not valid JSON" },
    { "[1, 2]", "not a JSON object" },
    { "", "not a JSON object" },
    { "{}", "nodes is missing" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *json = edit (LUT_JSON, edits[i].old, edits[i].new);
      expect_symbol_error (json, LUT_PARAMS_HEX, edits[i].needle);
    }
  for (guint i = 0; i < G_N_ELEMENTS (whole); i++)
    expect_symbol_error (whole[i][0], LUT_PARAMS_HEX, whole[i][1]);
  {
    /* hostile nesting would overflow json-glib's recursion */
    GString *deep = g_string_new ("{\"nodes\": ");
    for (int i = 0; i < 200000; i++)
      g_string_append_c (deep, '[');
    expect_symbol_error (deep->str, LUT_PARAMS_HEX, "nested too deeply");
    g_string_free (deep, TRUE);
  }
}

static void
test_symbol_variants (void)
{
  /* accepted variations: func_name suffix, hidden keys, 2-element inputs,
   * compact JSON, version 1.1.0 without dltype or with wrong arg_nodes */
  static const Edit ok[] = {
    { "\"func_name\": \"cvm_lut\"", "\"func_name\": \"cvm_lut_17\"", NULL },
    { "{\\\"in_dim\\\": \\\"4\\\"}", "{\\\"in_dim\\\": \\\"4\\\", \\\"__hidden__\\\": \\\"x\\\"}", NULL },
    { "[[0, 0, 0], [1, 0, 0]]", "[[0, 0], [1, 0]]", NULL },
    { "\"name\": \"data\", \"inputs\": []}", "\"name\": \"data\", \"inputs\": [], \"precision\": \"8\"}", NULL },
    { "\"version\": \"cvm_1.0.0\"", "\"version\": \"cvm_1.1.0\", \"postprocess\": \"detection\"", NULL },
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autofree char *json = edit (LUT_JSON, ok[i].old, ok[i].new);
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtModel) m = parse_lut (json, LUT_PARAMS_HEX, &error);
      g_assert_no_error (error);
      run_lut (m);
    }
  {
    g_autofree char *a = edit (LUT_JSON, "\"version\": \"cvm_1.0.0\"", "\"version\": \"cvm_1.1.0\"");
    g_autofree char *b = edit (a, "\"arg_nodes\": [0, 1]", "\"arg_nodes\": [7]");
    g_autofree char *c = edit (b, "\"dltype\": [\"list_str\", [\"int32\", \"int32\", \"int32\"]],", "");
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtModel) m = parse_lut (c, LUT_PARAMS_HEX, &error);
    MrtCvmReport r = { 0 };
    g_assert_no_error (error);
    g_assert_cmpstr (mrt_cvm_postprocess (m), ==, "");
    g_assert_true (mrt_cvm_check (m, &r, &error));
    mrt_cvm_report_clear (&r);
  }
  {
    /* postprocess changes the output width and survives a round trip */
    g_autofree char *a = edit (LUT_JSON, "\"version\"", "\"postprocess\": \"detection\", \"version\"");
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtModel) m = parse_lut (a, LUT_PARAMS_HEX, &error);
    g_autofree char *json = NULL;
    MrtCvmReport r = { 0 };
    g_assert_no_error (error);
    g_assert_cmpstr (mrt_cvm_postprocess (m), ==, "detection");
    g_assert_true (mrt_cvm_check (m, &r, &error));
    g_assert_cmpuint (r.output_type_size, ==, 4);
    g_assert_cmpuint (r.output_bytes, ==, 24);
    mrt_cvm_report_clear (&r);
    json = mrt_cvm_symbol_to_json (m, NULL, &error);
    g_assert_nonnull (strstr (json, "\"postprocess\": \"detection\""));
  }
  {
    /* the symbol alone, for gas queries */
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtModel) m = mrt_cvm_parse_symbol (LUT_JSON, strlen (LUT_JSON), "lut", &error);
    g_autoptr (MrtCvmGraph) g = NULL;
    guint64 ops, mem;
    g_assert_no_error (error);
    g = mrt_cvm_graph_new (m, &error);
    g_assert_true (mrt_cvm_graph_gas (g, &ops, &mem, &error));
    g_assert_cmpuint (ops + mem, ==, 86);
  }
}

static void
expect_params_error (const char *hex, const char *needle)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = parse_lut (LUT_JSON, hex, &error);
  g_assert_null (m);
  g_assert_nonnull (error);
  if (!g_str_has_prefix (error->message, "lut: ") || !strstr (error->message, needle))
    g_error ("error “%s” does not name the file or mention “%s”", error->message, needle);
}

static void
test_malformed_params (void)
{
  static const Edit edits[] = {
    { "b79c04054f8de5f7", "b79c04054f8de5f8", "params: wrong magic" },
    { "3fa1b496f0405edd", "3fa1b496f0405ede", "parameter “tbl”: wrong array magic" },
    { "0a141e28", "0a141e", "truncated" },
    { "0a141e28", "0a141e28 00", "1 unexpected bytes at the end" },
    { "0a141e28", "80141e28", "parameter “tbl” at index 0 value -128 exceeds its precision 8" },
    { "74626c", "746278", "parameter “tbx” is not a variable of the graph" },
    { "00 08 0100", "00 10 0100", "only int8 and int32" },
    { "00 08 0100", "01 08 0100", "only int8 and int32" },
    { "0400000000000000 0400000000000000 0a141e28", "0000000000010000 0400000000000000 0a141e28",
      "out-of-range shape" },
    { "0400000000000000 0a141e28", "0500000000000000 0a141e28", "declares 5 data bytes" },
    { "0100000000000000 0300000000000000", "0000000000000010 0300000000000000", "truncated file (reading the names)" },
    { "01000000 00 08 0100 0400000000000000", "02000000 00 08 0100 0200000000000000 0200000000000000",
      "parameter shape (2, 2) differs from declared (4,)" },
    { "01000000 00 08 0100", "09000000 00 08 0100", "has 9 dimensions" },
    { "0100000000000000 3fa1", "0200000000000000 3fa1", "1 names but 2 arrays" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (edits); i++)
    {
      g_autofree char *hex = edit (LUT_PARAMS_HEX, edits[i].old, edits[i].new);
      expect_params_error (hex, edits[i].needle);
    }
  expect_params_error ("", "params: the file is empty");
  expect_params_error ("b79c04054f8de5f7 0000000000000000 0000000000000000 0000000000000000",
                       "parameter “tbl” is missing");
  {
    /* a "data" array is accepted and ignored */
    g_autofree char *hex = g_strdup (
      "b79c04054f8de5f7 0000000000000000 0200000000000000 0300000000000000 74626c 0400000000000000 64617461 "
      "0200000000000000 "
      "3fa1b496f0405edd 0000000000000000 01000000 00000000 01000000 00 08 0100 0400000000000000 "
      "0400000000000000 0a141e28 "
      "3fa1b496f0405edd 0000000000000000 01000000 00000000 02000000 00 20 0100 0100000000000000 0600000000000000 "
      "1800000000000000 000000000000000000000000000000000000000000000000");
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtModel) m = parse_lut (LUT_JSON, hex, &error);
    g_assert_no_error (error);
    g_assert_null (mrt_model_get_param (m, "data"));
    run_lut (m);
  }
}

/* ---- checker extras ----------------------------------------------------- */

static void
test_check_graph_rules (void)
{
  g_autoptr (GError) error = NULL;
  {
    /* two variables named data */
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint a = add_var (m, "data", "(2,)", 8, NULL);
    guint b = add_var (m, "data", "(2,)", 8, NULL);
    mrt_model_add_head (m, (MrtEntry){ add_op (m, "e", "elemwise_add", NULL, (MrtEntry[]){ { a, 0 }, { b, 0 } }, 2), 0 });
    g_assert_false (mrt_cvm_check (m, NULL, &error));
    g_assert_nonnull (strstr (error->message, "variable name used twice"));
    g_clear_error (&error);
  }
  {
    /* data after an operator */
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint w = add_var (m, "w", "(2,)", 8, V (1, 2));
    guint r = add_op (m, "r", "relu", NULL, (MrtEntry[]){ { w, 0 } }, 1);
    guint d = add_var (m, "data", "(2,)", 8, NULL);
    mrt_model_add_head (m, (MrtEntry){ add_op (m, "e", "elemwise_add", NULL, (MrtEntry[]){ { r, 0 }, { d, 0 } }, 2), 0 });
    g_assert_false (mrt_cvm_check (m, NULL, &error));
    g_assert_nonnull (strstr (error->message, "must come before every operator"));
    g_clear_error (&error);
  }
  {
    /* heads with different row counts cannot be interleaved */
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint d = add_var (m, "data", "(2, 3)", 8, NULL);
    guint r = add_op (m, "r", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
    guint f = add_op (m, "t", "transpose", NULL, (MrtEntry[]){ { d, 0 } }, 1);
    mrt_model_add_head (m, (MrtEntry){ r, 0 });
    mrt_model_add_head (m, (MrtEntry){ f, 0 });
    g_assert_false (mrt_cvm_check (m, NULL, &error));
    g_assert_nonnull (strstr (error->message, "different row counts"));
    g_clear_error (&error);
  }
  {
    /* unknown op, parameter of another dtype, missing shape */
    g_autoptr (MrtModel) m = mrt_model_new ();
    guint d = add_var (m, "data", "(2,)", 8, NULL);
    MrtShape s = shape_of ("(2,)");
    g_autoptr (MrtTensor) f = mrt_tensor_new (MRT_DTYPE_F32, &s);
    guint w;
    mrt_model_add_head (m, (MrtEntry){ mrt_model_add_node_n (m, "p", "pad", NULL, (MrtEntry[]){ { d, 0 } }, 1, 1), 0 });
    g_assert_false (mrt_cvm_check (m, NULL, &error));
    g_assert_nonnull (strstr (error->message, "unknown CVM operator “pad”"));
    g_clear_error (&error);
    g_clear_pointer (&m, mrt_model_unref);
    m = mrt_model_new ();
    d = add_var (m, "data", "(2,)", 8, NULL);
    w = add_var (m, "w", "(2,)", 8, V (1, 1));
    memset (f->data, 0, 8);
    mrt_model_set_param_raw (m, "w", f);
    mrt_model_add_head (m, (MrtEntry){ add_op (m, "e", "elemwise_add", NULL, (MrtEntry[]){ { d, 0 }, { w, 0 } }, 2), 0 });
    g_assert_false (mrt_cvm_check (m, NULL, &error));
    g_assert_nonnull (strstr (error->message, "CVM takes int32 or int8"));
    g_clear_error (&error);
  }
}

static void
test_gas_limit (void)
{
  /* dense over 2^20 inputs: 3 * 2^20 per output, 2^20 outputs = 3 * 2^40 operations
   * (shapes only: the graph is analysed, nothing is allocated) */
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCvmGraph) g = NULL;
  GHashTable *a = str_table ();
  guint d = add_var (m, "data", "(1024, 1048576)", 1, NULL);
  guint w;
  guint64 ops = 0, mem = 0;
  g_hash_table_insert (a, g_strdup ("precision"), g_strdup ("1"));
  g_hash_table_insert (a, g_strdup ("__shape__"), g_strdup ("(1024, 1048576)"));
  w = mrt_model_add_node_n (m, "w", "null", a, NULL, 0, 1);
  mrt_model_add_head (m, (MrtEntry){ add_op (m, "dense_0", "dense", KV ("units", "1024", "use_bias", "False"),
                                             (MrtEntry[]){ { d, 0 }, { w, 0 } }, 2), 0 });
  g = mrt_cvm_graph_new (m, &error);
  g_assert_no_error (error);
  /* 1 + 1 + bits(2^20) */
  g_assert_cmpint (g->precision[2], ==, 23);
  g_assert_false (mrt_cvm_graph_gas (g, &ops, &mem, &error));
  g_assert_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT);
  g_assert_nonnull (strstr (error->message, "more than 2^40 operations"));
}

static void
test_input_clamp (void)
{
  const Var v[] = { { "(4,)", 8, V (0, 0, 0, 0) } };
  g_autoptr (MrtModel) m = single_op ("abs", NULL, v, 1);
  g_autoptr (MrtModel) n = single_op ("negative", NULL, v, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtTensor) x = i32_tensor ("(4,)", V (-128, 127, 300, -300));
  g_autoptr (MrtTensor) bad = i32_tensor ("(2, 2)", V (1, 2, 3, 4));
  g_autoptr (GPtrArray) y = NULL, z = NULL, w = NULL;
  MrtShape s = shape_of ("(4,)");
  g_autoptr (MrtTensor) x8 = mrt_tensor_new (MRT_DTYPE_I8, &s);

  /* the input is clamped to +-127 (int8 -128 becomes -127), not rejected */
  y = mrt_cvm_forward (n, x, NULL, &error);
  g_assert_no_error (error);
  assert_values (g_ptr_array_index (y, 0), V (127, -127, -127, 127), 4);
  ((gint8 *) x8->data)[0] = -128, ((gint8 *) x8->data)[1] = 5, ((gint8 *) x8->data)[2] = -5,
  ((gint8 *) x8->data)[3] = 127;
  z = mrt_cvm_forward (m, x8, NULL, &error);
  g_assert_no_error (error);
  assert_values (g_ptr_array_index (z, 0), V (127, 5, 5, 127), 4);
  w = mrt_cvm_forward (m, bad, NULL, &error);
  g_assert_null (w);
  g_assert_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_INPUT);
}

static gboolean
has_lint (const MrtCvmReport *r, MrtCvmLintKind kind)
{
  for (guint i = 0; i < r->warnings->len; i++)
    if (((MrtCvmLint *) g_ptr_array_index (r->warnings, i))->kind == kind)
      return TRUE;
  return FALSE;
}

static void
check_lint (const char *op, const char *const *kv, const Var *vars, guint n_vars, MrtCvmLintKind kind)
{
  g_autoptr (MrtModel) m = single_op (op, kv, vars, n_vars);
  g_autoptr (GError) error = NULL;
  MrtCvmReport r = { 0 };
  g_assert_true (mrt_cvm_check (m, &r, &error));
  g_assert_no_error (error);
  if (!has_lint (&r, kind))
    g_error ("%s: lint %d missing", op, kind);
  mrt_cvm_report_clear (&r);
}

static void
test_lint (void)
{
  const Var one[] = { { "(2, 2)", 8, V (1, 2, 3, 4) } };
  const Var w1[] = { { "(2,)", 8, V (0, 3) }, { "(2, 2)", 8, V (1, 2, 3, 4) }, { "(2, 2)", 8, V (5, 6, 7, 8) } };
  const Var wp[] = { { "(2,)", 2, V (0, 1) }, { "(2,)", 8, V (1, 2) }, { "(2,)", 8, V (5, 6) } };
  const Var nm[] = { { "(1, 4, 6)", 8, V (R0, R1, R2, R3) }, { "(1,)", 8, V (4) } };
  const Var big[] = { { "(2,)", 20, V (1, 2) } };
  const Var clean[] = { { "(2,)", 8, V (1, 2) } };
  g_autoptr (MrtModel) ok = single_op ("relu", NULL, clean, 1);
  g_autoptr (GError) error = NULL;
  MrtCvmReport r = { 0 };

  check_lint ("cvm_left_shift", KV ("precision", "8", "shift_bit", "1"), one, 1, MRT_CVM_LINT_LEFT_SHIFT);
  check_lint ("where", NULL, w1, 3, MRT_CVM_LINT_WHERE_1D);
  check_lint ("where", NULL, wp, 3, MRT_CVM_LINT_WHERE_PRECISION);
  check_lint ("max", NULL, one, 1, MRT_CVM_LINT_MAX_EMPTY_AXIS);
  check_lint ("cvm_right_shift", KV ("precision", "8", "shift_bit", "31"), big, 1, MRT_CVM_LINT_RIGHT_SHIFT_WIDE);
  check_lint ("cvm_right_shift", KV ("precision", "24", "shift_bit", "8"), big, 1, MRT_CVM_LINT_RIGHT_SHIFT_WIDE);
  check_lint ("non_max_suppression", NULL, nm, 2, MRT_CVM_LINT_NMS_BACKEND);
  g_assert_true (mrt_cvm_check (ok, &r, &error));
  g_assert_cmpuint (r.warnings->len, ==, 0);
  mrt_cvm_report_clear (&r);
}

static void
cancel_on_progress (double fraction, const char *message, gpointer user_data)
{
  g_cancellable_cancel (user_data);
}

static void
test_cancel (void)
{
  g_autoptr (MrtModel) m = storage_model ();
  g_autoptr (GCancellable) c = g_cancellable_new ();
  MrtProgress p = { cancel_on_progress, c, c };
  g_autoptr (MrtTensor) x = i32_tensor ("(2,)", V (1, 2));
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) y = mrt_cvm_forward (m, x, &p, &error);
  g_assert_null (y);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cvm/registry", test_registry);
  g_test_add_func ("/cvm/attr-grammar", test_attr_grammar);
  g_test_add_func ("/cvm/op/conv2d", test_conv2d);
  g_test_add_func ("/cvm/op/conv2d-padding", test_conv2d_padding);
  g_test_add_func ("/cvm/op/conv2d-groups-strides", test_conv2d_groups_strides);
  g_test_add_func ("/cvm/op/conv2d-dilation", test_conv2d_dilation);
  g_test_add_func ("/cvm/op/conv2d-errors", test_conv2d_errors);
  g_test_add_func ("/cvm/op/dense", test_dense);
  g_test_add_func ("/cvm/op/relu", test_relu);
  g_test_add_func ("/cvm/op/max_pool2d", test_max_pool2d);
  g_test_add_func ("/cvm/op/upsampling", test_upsampling);
  g_test_add_func ("/cvm/op/abs-negative", test_abs_negative);
  g_test_add_func ("/cvm/op/cvm_precision", test_cvm_precision);
  g_test_add_func ("/cvm/op/elemwise", test_elemwise);
  g_test_add_func ("/cvm/op/clip", test_clip);
  g_test_add_func ("/cvm/op/cvm_clip", test_cvm_clip);
  g_test_add_func ("/cvm/op/cvm_right_shift", test_right_shift);
  g_test_add_func ("/cvm/op/cvm_left_shift", test_left_shift);
  g_test_add_func ("/cvm/op/broadcast", test_broadcast);
  g_test_add_func ("/cvm/op/sum", test_sum);
  g_test_add_func ("/cvm/op/max", test_max);
  g_test_add_func ("/cvm/op/flatten-reshape", test_flatten_reshape);
  g_test_add_func ("/cvm/op/expand_dims-squeeze", test_expand_squeeze);
  g_test_add_func ("/cvm/op/transpose", test_transpose);
  g_test_add_func ("/cvm/op/concatenate", test_concatenate);
  g_test_add_func ("/cvm/op/repeat-tile", test_repeat_tile);
  g_test_add_func ("/cvm/op/strided_slice", test_strided_slice);
  g_test_add_func ("/cvm/op/slice_like", test_slice_like);
  g_test_add_func ("/cvm/op/take", test_take);
  g_test_add_func ("/cvm/op/cvm_lut", test_cvm_lut);
  g_test_add_func ("/cvm/op/where", test_where);
  g_test_add_func ("/cvm/op/get_valid_counts", test_get_valid_counts);
  g_test_add_func ("/cvm/op/non_max_suppression", test_nms);
  g_test_add_func ("/cvm/spec/lut-model", test_spec_lut_model);
  g_test_add_func ("/cvm/spec/fixture-load", test_spec_fixture_load);
  g_test_add_func ("/cvm/spec/params-roundtrip", test_spec_params_roundtrip);
  g_test_add_func ("/cvm/gas/conv", test_gas_conv);
  g_test_add_func ("/cvm/gas/vision", test_gas_vision);
  g_test_add_func ("/cvm/io/json-roundtrip", test_json_roundtrip);
  g_test_add_func ("/cvm/io/malformed-symbol", test_malformed_symbol);
  g_test_add_func ("/cvm/io/symbol-variants", test_symbol_variants);
  g_test_add_func ("/cvm/io/malformed-params", test_malformed_params);
  g_test_add_func ("/cvm/storage/random-graphs", test_storage_random);
  g_test_add_func ("/cvm/storage/rules", test_storage_rules);
  g_test_add_func ("/cvm/check/graph-rules", test_check_graph_rules);
  g_test_add_func ("/cvm/check/lint", test_lint);
  g_test_add_func ("/cvm/check/gas-limit", test_gas_limit);
  g_test_add_func ("/cvm/exec/input-clamp", test_input_clamp);
  g_test_add_func ("/cvm/exec/threads", test_threads);
  g_test_add_func ("/cvm/exec/cancel", test_cancel);
  return g_test_run ();
}
