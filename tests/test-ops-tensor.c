/* test-ops-tensor.c: the elemwise, transform and reduce op families. Every
 * op runs in a one-node model and is compared with a naive reference
 * written here (double precision, index arithmetic on coordinates), on
 * random inputs from a fixed seed. Shapes are checked by hand for the
 * special values (Reshape, slice, Pad, ...) and for the error cases. */
#include <math.h>
#include <stdarg.h>
#include <string.h>

#include <mrt.h>

#define SEED 20240607

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static MrtShape
shp (const char *text)
{
  MrtShape s;
  g_autoptr (GError) error = NULL;
  if (!mrt_shape_parse (text, FALSE, &s, &error))
    g_error ("bad test shape %s: %s", text, error->message);
  return s;
}

static char *
shape_str (const MrtShape *s)
{
  return mrt_shape_to_string (s);
}

static MrtTensor *
rand_tensor (GRand *r, const char *shape, double lo, double hi)
{
  MrtShape s = shp (shape);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) g_rand_double_range (r, lo, hi);
  return t;
}

/* integers in [lo, hi], so that ties and equalities occur */
static MrtTensor *
rand_int_tensor (GRand *r, const char *shape, int lo, int hi)
{
  MrtShape s = shp (shape);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &s);
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) g_rand_int_range (r, lo, hi + 1);
  return t;
}

static GHashTable *
attrs_va (const char *first, va_list ap)
{
  GHashTable *a = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (const char *k = first; k; k = va_arg (ap, const char *))
    {
      const char *v = va_arg (ap, const char *);
      g_hash_table_insert (a, g_strdup (k), g_strdup (v));
    }
  return a;
}

/* x0..x{n-1} -> op -> every output is a head. Inputs with their bit in
 * const_mask become parameters holding values[i]. */
static MrtModel *
one_op_model (const char *op, guint n_in, MrtTensor *const *values, guint const_mask, GHashTable *attrs,
              guint *node)
{
  MrtModel *m = mrt_model_new ();
  MrtEntry e[16];
  g_assert_cmpuint (n_in, <=, G_N_ELEMENTS (e));
  for (guint i = 0; i < n_in; i++)
    {
      char name[16];
      g_snprintf (name, sizeof name, "x%u", i);
      e[i] = (MrtEntry){ mrt_model_add_variable (m, name), 0 };
      if (const_mask & (1u << i))
        mrt_model_set_param (m, name, values[i]);
    }
  *node = mrt_model_add_node (m, "op", op, attrs, e, n_in);
  for (guint o = 0; o < mrt_model_node (m, *node)->n_outputs; o++)
    mrt_model_add_head (m, (MrtEntry){ *node, o });
  return m;
}

static GPtrArray *
run_va (const char *op, guint n_in, MrtTensor *const *in, guint const_mask, GError **error, const char *first,
        va_list ap)
{
  guint node, nf = 0;
  MrtTensor *feed[16];
  g_autoptr (MrtModel) m = one_op_model (op, n_in, in, const_mask, attrs_va (first, ap), &node);
  for (guint i = 0; i < n_in; i++)
    if (!(const_mask & (1u << i)))
      feed[nf++] = in[i];
  if (!mrt_model_validate (m, error))
    return NULL;
  return mrt_model_forward (m, feed, nf, NULL, error);
}

/* Runs op (attributes: NULL-terminated key, value pairs); NULL and error on failure. */
static G_GNUC_NULL_TERMINATED GPtrArray *
run_op (const char *op, guint n_in, MrtTensor *const *in, GError **error, ...)
{
  va_list ap;
  GPtrArray *r;
  const char *first;
  va_start (ap, error);
  first = va_arg (ap, const char *);
  r = run_va (op, n_in, in, 0, error, first, ap);
  va_end (ap);
  return r;
}

/* Runs op, which must succeed, and returns its first output. */
static G_GNUC_NULL_TERMINATED MrtTensor *
run1 (const char *op, guint n_in, MrtTensor *const *in, ...)
{
  va_list ap;
  g_autoptr (GPtrArray) r = NULL;
  g_autoptr (GError) error = NULL;
  const char *first;
  va_start (ap, in);
  first = va_arg (ap, const char *);
  r = run_va (op, n_in, in, 0, &error, first, ap);
  va_end (ap);
  if (r == NULL)
    g_error ("%s failed: %s", op, error->message);
  return mrt_tensor_ref (g_ptr_array_index (r, 0));
}

/* Output shapes of op for input shapes in (all outputs; *n_out gets their
 * number), or NULL and error. */
static MrtShape *
infer_va (const char *op, guint n_in, const MrtShape *in, guint *n_out, GError **error, const char *first,
          va_list ap)
{
  guint node;
  g_autoptr (GHashTable) map = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (MrtModel) m = one_op_model (op, n_in, NULL, 0, attrs_va (first, ap), &node);
  g_autofree MrtShape *all = NULL;
  MrtShape *res;
  guint n;

  for (guint i = 0; i < n_in; i++)
    g_hash_table_insert (map, mrt_model_node (m, i)->name, (gpointer) &in[i]);
  if (!mrt_model_validate (m, error))
    return NULL;
  all = n_in == 1 ? mrt_model_infer_shapes_single (m, &in[0], error) : mrt_model_infer_shapes (m, map, error);
  if (all == NULL)
    return NULL;
  n = mrt_model_node (m, node)->n_outputs;
  res = g_new (MrtShape, n);
  memcpy (res, &all[mrt_model_entry_id (m, (MrtEntry){ node, 0 })], n * sizeof (MrtShape));
  if (n_out)
    *n_out = n;
  return res;
}

static G_GNUC_NULL_TERMINATED MrtShape *
infer_n (const char *op, guint n_in, const MrtShape *in, guint *n_out, GError **error, ...)
{
  va_list ap;
  MrtShape *r;
  const char *first;
  va_start (ap, error);
  first = va_arg (ap, const char *);
  r = infer_va (op, n_in, in, n_out, error, first, ap);
  va_end (ap);
  return r;
}

/* Shape of the first output, as text such as "(4, 3, 2)"; NULL and error on failure. */
static G_GNUC_NULL_TERMINATED char *
infer_str (const char *op, const char *in0, const char *in1, GError **error, ...)
{
  MrtShape in[2];
  va_list ap;
  g_autofree MrtShape *out = NULL;
  const char *first;
  in[0] = shp (in0);
  if (in1)
    in[1] = shp (in1);
  va_start (ap, error);
  first = va_arg (ap, const char *);
  out = infer_va (op, in1 ? 2 : 1, in, NULL, error, first, ap);
  va_end (ap);
  return out ? shape_str (&out[0]) : NULL;
}

#define assert_shape(op, in0, in1, expected, ...)                                   \
  G_STMT_START                                                                      \
  {                                                                                 \
    g_autoptr (GError) error_ = NULL;                                               \
    g_autofree char *got_ = infer_str (op, in0, in1, &error_, __VA_ARGS__);         \
    g_assert_no_error (error_);                                                     \
    g_assert_cmpstr (got_, ==, expected);                                           \
  }                                                                                 \
  G_STMT_END

/* Shape inference must fail with a shape error whose message contains needle. */
#define assert_shape_error(op, in0, in1, needle, ...)                               \
  G_STMT_START                                                                      \
  {                                                                                 \
    g_autoptr (GError) error_ = NULL;                                               \
    g_autofree char *got_ = infer_str (op, in0, in1, &error_, __VA_ARGS__);         \
    g_assert_null (got_);                                                           \
    g_assert_error (error_, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);                \
    if (!strstr (error_->message, needle))                                          \
      g_error ("“%s” does not contain “%s”", error_->message, needle);              \
  }                                                                                 \
  G_STMT_END

/* NULL when got matches the expected shape and values (relative error
 * <= 1e-5, with a 1e-8 floor near zero), else a description. */
static char *
compare (const char *what, const MrtTensor *got, const MrtShape *shape, const double *expected)
{
  const float *g = mrt_tensor_f32 (got);
  if (!mrt_shape_equal (&got->shape, shape))
    {
      g_autofree char *a = shape_str (&got->shape);
      g_autofree char *b = shape_str (shape);
      return g_strdup_printf ("%s: shape %s, expected %s", what, a, b);
    }
  for (gsize i = 0; i < got->n; i++)
    {
      double e = expected[i], v = g[i];
      if ((isnan (e) && isnan (v)) || (isinf (e) && v == e))
        continue;
      if (!(fabs (v - e) <= 1e-5 * MAX (fabs (e), 1e-3)))
        return g_strdup_printf ("%s: element %" G_GSIZE_FORMAT " is %.9g, expected %.9g", what, i, v, e);
    }
  return NULL;
}

#define assert_close(what, got, shape, expected)                                    \
  G_STMT_START                                                                      \
  {                                                                                 \
    char *msg_ = compare (what, got, shape, expected);                              \
    if (msg_)                                                                       \
      g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC, msg_);      \
    g_free (msg_);                                                                  \
  }                                                                                 \
  G_STMT_END

static void
unravel (gint64 idx, const MrtShape *s, gint64 *c)
{
  for (int i = s->ndim - 1; i >= 0; i--)
    {
      c[i] = s->dim[i] ? idx % s->dim[i] : 0;
      idx = s->dim[i] ? idx / s->dim[i] : 0;
    }
}

static gint64
ravel (const gint64 *c, const MrtShape *s)
{
  gint64 idx = 0;
  for (int i = 0; i < s->ndim; i++)
    idx = idx * s->dim[i] + c[i];
  return idx;
}

/* Element of t at output coordinates c (of an nd-D shape), numpy broadcasting. */
static double
bcast_at (const MrtTensor *t, const gint64 *c, int nd)
{
  gint64 tc[MRT_MAX_NDIM];
  for (int i = 0; i < t->shape.ndim; i++)
    {
      int j = i + nd - t->shape.ndim;
      tc[i] = t->shape.dim[i] == 1 ? 0 : c[j];
    }
  return mrt_tensor_f32 (t)[ravel (tc, &t->shape)];
}

static double *
new_expected (const MrtShape *s)
{
  return g_new0 (double, MAX (mrt_shape_size (s), 1));
}

/* ------------------------------------------------------------------ */
/* Registry                                                            */

static void
test_registry (void)
{
  const char *names[] = {
    "elemwise_add", "elemwise_sub", "elemwise_mul", "elemwise_div", "_plus", "_minus", "_mul", "_div",
    "_Plus", "_Minus", "_Mul", "_Div", "_Maximum", "_Minimum", "_maximum", "_minimum",
    "broadcast_add", "broadcast_sub", "broadcast_mul", "broadcast_div", "broadcast_maximum",
    "broadcast_minimum", "broadcast_power", "broadcast_greater", "broadcast_greater_equal",
    "broadcast_lesser", "broadcast_lesser_equal", "broadcast_equal", "broadcast_not_equal",
    "broadcast_plus", "broadcast_minus",
    "_plus_scalar", "_minus_scalar", "_rminus_scalar", "_mul_scalar", "_div_scalar", "_rdiv_scalar",
    "_power_scalar", "_maximum_scalar", "_minimum_scalar", "_greater_scalar", "_greater_equal_scalar",
    "_lesser_scalar", "_lesser_equal_scalar", "_equal_scalar", "_not_equal_scalar",
    "negative", "abs", "exp", "log", "sqrt", "square", "floor", "ceil", "round", "fix", "sign", "clip",
    "Cast", "zeros_like", "ones_like", "where", "_copy", "identity", "add_n", "ElementWiseSum",
    "Reshape", "reshape", "Flatten", "flatten", "transpose", "SwapAxis", "expand_dims", "squeeze",
    "Concat", "concat", "slice", "slice_axis", "slice_like", "SliceChannel", "split", "repeat", "tile",
    "Pad", "_arange", "broadcast_to", "broadcast_like", "broadcast_axis", "reshape_like", "zeros",
    "_zeros", "_ones",
    "sum", "mean", "max", "min", "prod", "sum_axis", "argmax", "argmin", "norm",
  };
  const MrtOpDef *const tables[] = { mrt_ops_elemwise, mrt_ops_transform, mrt_ops_reduce };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      const MrtOpDef *d = mrt_op_lookup (names[i]);
      if (d == NULL)
        g_error ("op %s is not registered", names[i]);
    }
  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    for (const MrtOpDef *d = tables[t]; d->name; d++)
      {
        g_assert_nonnull (d->infer_shape);
        g_assert_nonnull (d->forward);
        g_assert_true (mrt_op_lookup (d->name) == d);
        g_assert_cmpint (d->min_inputs, >=, 0);
        g_assert_true (d->max_inputs < 0 || d->max_inputs >= d->min_inputs);
      }
}

/* ------------------------------------------------------------------ */
/* Binary elementwise ops                                              */

static double
py_mod (double x, double y)
{
  return y == 0 ? 0 : x - y * floor (x / y);
}

typedef struct {
  const char *base;
  double (*f) (double, double);
  double lo, hi;   /* input range */
  gboolean ints;   /* integer inputs (comparisons, logic) */
} BinaryRef;

static double r_add (double x, double y) { return x + y; }
static double r_sub (double x, double y) { return x - y; }
static double r_mul (double x, double y) { return x * y; }
static double r_div (double x, double y) { return x / y; }
static double r_pow (double x, double y) { return pow (x, y); }
static double r_max (double x, double y) { return x > y ? x : y; }
static double r_min (double x, double y) { return x < y ? x : y; }
static double r_hypot (double x, double y) { return sqrt (x * x + y * y); }
static double r_eq (double x, double y) { return x == y; }
static double r_ne (double x, double y) { return x != y; }
static double r_gt (double x, double y) { return x > y; }
static double r_ge (double x, double y) { return x >= y; }
static double r_lt (double x, double y) { return x < y; }
static double r_le (double x, double y) { return x <= y; }
static double r_and (double x, double y) { return x != 0 && y != 0; }
static double r_or (double x, double y) { return x != 0 || y != 0; }
static double r_xor (double x, double y) { return (x != 0) != (y != 0); }

static const BinaryRef binary_refs[] = {
  { "add", r_add, -3, 3, FALSE },        { "sub", r_sub, -3, 3, FALSE },
  { "mul", r_mul, -3, 3, FALSE },        { "div", r_div, 0.25, 3, FALSE },
  { "mod", py_mod, -5, 5, FALSE },       { "power", r_pow, 0.5, 2, FALSE },
  { "maximum", r_max, -3, 3, FALSE },    { "minimum", r_min, -3, 3, FALSE },
  { "hypot", r_hypot, -3, 3, FALSE },    { "equal", r_eq, -2, 2, TRUE },
  { "not_equal", r_ne, -2, 2, TRUE },    { "greater", r_gt, -2, 2, TRUE },
  { "greater_equal", r_ge, -2, 2, TRUE }, { "lesser", r_lt, -2, 2, TRUE },
  { "lesser_equal", r_le, -2, 2, TRUE }, { "logical_and", r_and, -1, 1, TRUE },
  { "logical_or", r_or, -1, 1, TRUE },   { "logical_xor", r_xor, -1, 1, TRUE },
};

static const BinaryRef *
binary_ref (const char *base)
{
  for (guint i = 0; i < G_N_ELEMENTS (binary_refs); i++)
    if (strcmp (binary_refs[i].base, base) == 0)
      return &binary_refs[i];
  g_error ("no reference for %s", base);
  return NULL;
}

static MrtTensor *
ref_input (GRand *r, const BinaryRef *ref, const char *shape)
{
  if (ref->ints)
    return rand_int_tensor (r, shape, (int) ref->lo, (int) ref->hi);
  return rand_tensor (r, shape, ref->lo, ref->hi);
}

/* op(a, b) for inputs of shapes sa and sb against the broadcasting reference */
static void
check_binary (GRand *r, const char *op, const char *base, const char *sa, const char *sb, guint const_mask)
{
  const BinaryRef *ref = binary_ref (base);
  g_autoptr (MrtTensor) a = ref_input (r, ref, sa);
  g_autoptr (MrtTensor) b = ref_input (r, ref, sb);
  MrtTensor *in[2] = { a, b };
  MrtShape os;
  g_autofree double *exp = NULL;
  g_autoptr (GPtrArray) outs = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *what = g_strdup_printf ("%s%s%s", op, sa, sb);
  gint64 c[MRT_MAX_NDIM];

  g_assert_true (mrt_broadcast_shape (&a->shape, &b->shape, &os, NULL));
  exp = new_expected (&os);
  for (gint64 i = 0; i < mrt_shape_size (&os); i++)
    {
      unravel (i, &os, c);
      exp[i] = ref->f (bcast_at (a, c, os.ndim), bcast_at (b, c, os.ndim));
    }
  {
    guint node, nf = 0;
    MrtTensor *feed[2];
    g_autoptr (MrtModel) m = one_op_model (op, 2, in, const_mask, NULL, &node);
    for (guint i = 0; i < 2; i++)
      if (!(const_mask & (1u << i)))
        feed[nf++] = in[i];
    g_assert_true (mrt_model_validate (m, &error));
    outs = mrt_model_forward (m, feed, nf, NULL, &error);
  }
  g_assert_no_error (error);
  assert_close (what, g_ptr_array_index (outs, 0), &os, exp);
}

static const struct {
  const char *op, *base;
} elemwise_ops[] = {
  { "elemwise_add", "add" }, { "_add", "add" }, { "_plus", "add" }, { "_Plus", "add" },
  { "elemwise_sub", "sub" }, { "_sub", "sub" }, { "_minus", "sub" }, { "_Minus", "sub" },
  { "elemwise_mul", "mul" }, { "_mul", "mul" }, { "_Mul", "mul" },
  { "elemwise_div", "div" }, { "_div", "div" }, { "_Div", "div" },
  { "_mod", "mod" }, { "_power", "power" }, { "_Power", "power" },
  { "_maximum", "maximum" }, { "_Maximum", "maximum" }, { "_minimum", "minimum" }, { "_Minimum", "minimum" },
  { "_hypot", "hypot" }, { "_equal", "equal" }, { "_not_equal", "not_equal" }, { "_greater", "greater" },
  { "_greater_equal", "greater_equal" }, { "_lesser", "lesser" }, { "_lesser_equal", "lesser_equal" },
  { "_logical_and", "logical_and" }, { "_logical_or", "logical_or" }, { "_logical_xor", "logical_xor" },
};

static const struct {
  const char *op, *base;
} broadcast_ops[] = {
  { "broadcast_add", "add" }, { "broadcast_plus", "add" }, { "broadcast_sub", "sub" },
  { "broadcast_minus", "sub" }, { "broadcast_mul", "mul" }, { "broadcast_div", "div" },
  { "broadcast_mod", "mod" }, { "broadcast_power", "power" }, { "broadcast_maximum", "maximum" },
  { "broadcast_minimum", "minimum" }, { "broadcast_hypot", "hypot" }, { "broadcast_equal", "equal" },
  { "broadcast_not_equal", "not_equal" }, { "broadcast_greater", "greater" },
  { "broadcast_greater_equal", "greater_equal" }, { "broadcast_lesser", "lesser" },
  { "broadcast_lesser_equal", "lesser_equal" }, { "broadcast_logical_and", "logical_and" },
  { "broadcast_logical_or", "logical_or" }, { "broadcast_logical_xor", "logical_xor" },
};

static void
test_elemwise_binary (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED);
  for (guint i = 0; i < G_N_ELEMENTS (elemwise_ops); i++)
    {
      check_binary (r, elemwise_ops[i].op, elemwise_ops[i].base, "(3, 5, 7)", "(3, 5, 7)", 0);
      check_binary (r, elemwise_ops[i].op, elemwise_ops[i].base, "(11,)", "(11,)", 0);
    }
  /* a constant operand (parameter) */
  check_binary (r, "elemwise_add", "add", "(2, 3)", "(2, 3)", 2);
}

static void
test_elemwise_binary_errors (void)
{
  assert_shape_error ("elemwise_add", "(3, 5)", "(5, 3)", "same shape", NULL);
  assert_shape_error ("_maximum", "(3, 1)", "(3, 5)", "same shape", NULL);
  assert_shape_error ("elemwise_mul", "(3, 5)", "(1, 3, 5)", "same shape", NULL);
}

static void
test_broadcast_binary (void)
{
  const char *pairs[][2] = {
    { "(3, 5, 7)", "(3, 5, 7)" }, { "(3, 1, 7)", "(5, 1)" },   { "(2, 3, 4, 5)", "(1, 3, 1, 1)" },
    { "(4, 1)", "(1, 6)" },        { "(1,)", "(3, 5)" },        { "(3, 5, 7)", "(7,)" },
    { "(1, 1, 1)", "(2, 3, 4)" }, { "(5, 1, 3)", "(5, 4, 1)" }, { "(2, 1, 3, 1, 2)", "(1, 4, 3, 5, 1)" },
  };
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 1);
  for (guint i = 0; i < G_N_ELEMENTS (broadcast_ops); i++)
    for (guint j = 0; j < G_N_ELEMENTS (pairs); j++)
      {
        check_binary (r, broadcast_ops[i].op, broadcast_ops[i].base, pairs[j][0], pairs[j][1], 0);
        check_binary (r, broadcast_ops[i].op, broadcast_ops[i].base, pairs[j][1], pairs[j][0], 0);
      }
  /* constants as either operand */
  check_binary (r, "broadcast_mul", "mul", "(2, 3, 4, 4)", "(1, 3, 1, 1)", 2);
  check_binary (r, "broadcast_add", "add", "(1, 3, 1, 1)", "(2, 3, 4, 4)", 1);
}

static void
test_broadcast_shapes (void)
{
  assert_shape ("broadcast_add", "(3, 1, 7)", "(5, 1)", "(3, 5, 7)", NULL);
  assert_shape ("broadcast_mul", "(1,)", "(2, 3)", "(2, 3)", NULL);
  assert_shape ("broadcast_greater", "(4, 1, 1)", "(1, 6)", "(4, 1, 6)", NULL);
  assert_shape_error ("broadcast_add", "(3, 4)", "(5, 4)", "cannot be broadcast", NULL);
  assert_shape_error ("broadcast_sub", "(2, 3, 4)", "(3, 5)", "cannot be broadcast", NULL);
}

/* ------------------------------------------------------------------ */
/* Scalar ops                                                          */

static void
test_scalar_ops (void)
{
  static const struct {
    const char *op, *base;
    gboolean reversed;
  } ops[] = {
    { "_plus_scalar", "add", FALSE },         { "_PlusScalar", "add", FALSE },
    { "_minus_scalar", "sub", FALSE },        { "_MinusScalar", "sub", FALSE },
    { "_rminus_scalar", "sub", TRUE },        { "_RMinusScalar", "sub", TRUE },
    { "_mul_scalar", "mul", FALSE },          { "_MulScalar", "mul", FALSE },
    { "_div_scalar", "div", FALSE },          { "_DivScalar", "div", FALSE },
    { "_rdiv_scalar", "div", TRUE },          { "_RDivScalar", "div", TRUE },
    { "_mod_scalar", "mod", FALSE },          { "_rmod_scalar", "mod", TRUE },
    { "_power_scalar", "power", FALSE },      { "_PowerScalar", "power", FALSE },
    { "_rpower_scalar", "power", TRUE },      { "_maximum_scalar", "maximum", FALSE },
    { "_MaximumScalar", "maximum", FALSE },   { "_minimum_scalar", "minimum", FALSE },
    { "_MinimumScalar", "minimum", FALSE },   { "_hypot_scalar", "hypot", FALSE },
    { "_equal_scalar", "equal", FALSE },      { "_EqualScalar", "equal", FALSE },
    { "_not_equal_scalar", "not_equal", FALSE }, { "_greater_scalar", "greater", FALSE },
    { "_GreaterScalar", "greater", FALSE },   { "_greater_equal_scalar", "greater_equal", FALSE },
    { "_lesser_scalar", "lesser", FALSE },    { "_lesser_equal_scalar", "lesser_equal", FALSE },
    { "_LesserEqualScalar", "lesser_equal", FALSE }, { "_logical_and_scalar", "logical_and", FALSE },
    { "_logical_or_scalar", "logical_or", FALSE }, { "_logical_xor_scalar", "logical_xor", FALSE },
  };
  const char *scalars[] = { "1.0", "0.75", "2", "-1.5", "0" };
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 2);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    for (guint k = 0; k < G_N_ELEMENTS (scalars); k++)
      {
        const BinaryRef *ref = binary_ref (ops[i].base);
        double s;
        g_autoptr (MrtTensor) x = ref_input (r, ref, "(3, 5, 7)");
        g_autoptr (MrtTensor) y = run1 (ops[i].op, 1, &x, "scalar", scalars[k], NULL);
        g_autofree double *exp = new_expected (&x->shape);
        g_autofree char *what = g_strdup_printf ("%s scalar=%s", ops[i].op, scalars[k]);

        /* x / 0 gives infinities, (-1.5) ** 0.7 NaN: both sides agree on those */
        g_assert_true (mrt_attr_parse_float (scalars[k], &s));
        for (gsize j = 0; j < x->n; j++)
          {
            double v = mrt_tensor_f32 (x)[j], sf = (float) s;
            exp[j] = ops[i].reversed ? ref->f (sf, v) : ref->f (v, sf);
          }
        assert_close (what, y, &x->shape, exp);
      }
}

static void
test_scalar_attr_required (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(2, 2)", -1, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) out = run_op ("_mul_scalar", 1, &x, &error, NULL);
  g_assert_null (out);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  g_clear_error (&error);
  g_clear_pointer (&out, g_ptr_array_unref);
  out = run_op ("_plus_scalar", 1, &x, &error, "scalar", "two", NULL);
  g_assert_null (out);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
}

/* ------------------------------------------------------------------ */
/* Unary ops                                                           */

static double u_neg (double x) { return -x; }
static double u_abs (double x) { return x < 0 ? -x : x; }
static double u_sign (double x) { return x > 0 ? 1 : x < 0 ? -1 : 0; }
static double u_square (double x) { return x * x; }
static double u_recip (double x) { return 1 / x; }
static double u_rsqrt (double x) { return 1 / sqrt (x); }
static double u_ident (double x) { return x; }
static double u_round (double x) { return x >= 0 ? floor (x + 0.5) : -floor (-x + 0.5); }
static double u_fix (double x) { return x >= 0 ? floor (x) : ceil (x); }
static double u_rint (double x) { double f = floor (x); return x - f <= 0.5 ? f : f + 1; }
static double u_zero (double x) { return 0; }
static double u_one (double x) { return 1; }

static void
test_unary_ops (void)
{
  static const struct {
    const char *op;
    double (*f) (double);
    double lo, hi;
  } ops[] = {
    { "negative", u_neg, -5, 5 },  { "abs", u_abs, -5, 5 },       { "sign", u_sign, -2, 2 },
    { "exp", exp, -4, 4 },         { "expm1", expm1, -1, 1 },      { "log", log, 0.01, 10 },
    { "log2", log2, 0.01, 10 },    { "log10", log10, 0.01, 10 },   { "log1p", log1p, -0.5, 3 },
    { "sqrt", sqrt, 0, 10 },       { "rsqrt", u_rsqrt, 0.1, 10 },  { "cbrt", cbrt, -8, 8 },
    { "square", u_square, -4, 4 }, { "reciprocal", u_recip, 0.1, 4 }, { "floor", floor, -5, 5 },
    { "ceil", ceil, -5, 5 },       { "round", u_round, -5, 5 },    { "rint", u_rint, -5, 5 },
    { "fix", u_fix, -5, 5 },       { "trunc", u_fix, -5, 5 },      { "_copy", u_ident, -5, 5 },
    { "identity", u_ident, -5, 5 }, { "zeros_like", u_zero, -5, 5 }, { "ones_like", u_one, -5, 5 },
  };
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 3);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    {
      g_autoptr (MrtTensor) x = rand_tensor (r, "(3, 5, 7)", ops[i].lo, ops[i].hi);
      g_autoptr (MrtTensor) y = NULL;
      g_autofree double *exp = new_expected (&x->shape);
      float *d = mrt_tensor_f32 (x);
      /* a third of the values are exact halves and integers for the rounding ops */
      for (gsize j = 0; j < x->n; j += 3)
        d[j] = CLAMP (floorf (d[j] * 2) / 2, ops[i].lo, ops[i].hi);
      for (gsize j = 0; j < x->n; j++)
        exp[j] = ops[i].f (d[j]);
      y = run1 (ops[i].op, 1, &x, NULL);
      assert_close (ops[i].op, y, &x->shape, exp);
    }
}

static void
test_rounding_by_hand (void)
{
  const float in[] = { -2.5f, -1.5f, -0.5f, 0.5f, 1.5f, 2.5f, -2.7f, 2.7f };
  const double round_[] = { -3, -2, -1, 1, 2, 3, -3, 3 };
  const double rint_[] = { -3, -2, -1, 0, 1, 2, -3, 3 };
  const double fix_[] = { -2, -1, -0.0, 0, 1, 2, -2, 2 };
  MrtShape s = shp ("(8,)");
  g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&s, in);
  g_autoptr (MrtTensor) a = run1 ("round", 1, &x, NULL);
  g_autoptr (MrtTensor) b = run1 ("rint", 1, &x, NULL);
  g_autoptr (MrtTensor) c = run1 ("fix", 1, &x, NULL);
  assert_close ("round", a, &s, round_);
  assert_close ("rint", b, &s, rint_);
  assert_close ("fix", c, &s, fix_);
}

static void
test_clip (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 4);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(4, 9)", -3, 3);
  g_autoptr (MrtTensor) y = run1 ("clip", 1, &x, "a_min", "-1.25", "a_max", "0.5", NULL);
  g_autofree double *exp = new_expected (&x->shape);
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) bad = NULL;
  for (gsize j = 0; j < x->n; j++)
    exp[j] = fmin (fmax (mrt_tensor_f32 (x)[j], -1.25), 0.5);
  assert_close ("clip", y, &x->shape, exp);
  bad = run_op ("clip", 1, &x, &error, "a_min", "0", NULL);
  g_assert_null (bad);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
}

static double
wrap_int (double t, double mod, double lo)
{
  double v = fmod (t - lo, mod);
  if (v < 0)
    v += mod;
  return v + lo;
}

static void
test_cast (void)
{
  const float in[] = { 2.7f, -2.7f, 0.5f, -0.5f, 300.5f, -1.5f, 127.9f, 128.2f, 0.1f, 1e-5f, 70000.0f, 1.0009765625f };
  MrtShape s = shp ("(12,)");
  g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&s, in);
  const char *dtypes[] = { "float32", "float64", "int32", "int64", "uint8", "int8", "bool", "float16" };
  double exp[12];

  for (guint k = 0; k < G_N_ELEMENTS (dtypes); k++)
    {
      g_autoptr (MrtTensor) y = run1 (k % 2 ? "cast" : "Cast", 1, &x, "dtype", dtypes[k], NULL);
      for (guint j = 0; j < G_N_ELEMENTS (in); j++)
        {
          double v = in[j], t = v >= 0 ? floor (v) : ceil (v);
          switch (k)
            {
            case 0: case 1: exp[j] = v; break;
            case 2: case 3: exp[j] = t; break;
            case 4: exp[j] = wrap_int (t, 256, 0); break;
            case 5: exp[j] = wrap_int (t, 256, -128); break;
            case 6: exp[j] = v != 0; break;
            default:
#ifdef __FLT16_MAX__
              exp[j] = (double) (_Float16) in[j];
#else
              exp[j] = v;
#endif
              break;
            }
        }
#ifndef __FLT16_MAX__
      if (k == 7)
        continue;
#endif
      assert_close (dtypes[k], y, &s, exp);
    }
  /* hand-checked float16 values */
  {
    g_autoptr (MrtTensor) y = run1 ("Cast", 1, &x, "dtype", "float16", NULL);
    const float *d = mrt_tensor_f32 (y);
    g_assert_cmpfloat (d[8], ==, 0.0999755859375);
    g_assert_cmpfloat (d[4], ==, 300.5);
    g_assert_true (isinf (d[10]));
    g_assert_cmpfloat (d[11], ==, 1.0009765625);
  }
  assert_shape_error ("Cast", "(2, 2)", NULL, "dtype", "dtype", "complex64", NULL);
}

static void
test_where (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 5);
  g_autoptr (MrtTensor) c = rand_int_tensor (r, "(4, 3, 5)", 0, 1);
  g_autoptr (MrtTensor) c1 = rand_int_tensor (r, "(4,)", -1, 1);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(4, 3, 5)", -3, 3);
  g_autoptr (MrtTensor) y = rand_tensor (r, "(4, 3, 5)", -3, 3);
  g_autofree double *exp = new_expected (&x->shape);
  MrtTensor *in[3] = { c, x, y };
  gint64 co[MRT_MAX_NDIM];

  {
    g_autoptr (MrtTensor) o = run1 ("where", 3, in, NULL);
    for (gsize j = 0; j < x->n; j++)
      exp[j] = mrt_tensor_f32 (c)[j] != 0 ? mrt_tensor_f32 (x)[j] : mrt_tensor_f32 (y)[j];
    assert_close ("where", o, &x->shape, exp);
  }
  {
    g_autoptr (MrtTensor) o = NULL;
    in[0] = c1;
    o = run1 ("where", 3, in, NULL);
    for (gsize j = 0; j < x->n; j++)
      {
        unravel ((gint64) j, &x->shape, co);
        exp[j] = mrt_tensor_f32 (c1)[co[0]] != 0 ? mrt_tensor_f32 (x)[j] : mrt_tensor_f32 (y)[j];
      }
    assert_close ("where 1-D", o, &x->shape, exp);
  }
  {
    MrtShape shapes[3] = { shp ("(3,)"), shp ("(4, 5)"), shp ("(4, 5)") };
    g_autoptr (GError) error = NULL;
    g_autofree MrtShape *o = infer_n ("where", 3, shapes, NULL, &error, NULL);
    g_assert_null (o);
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
    g_clear_error (&error);
    shapes[0] = shp ("(4, 5)");
    shapes[2] = shp ("(4, 1)");
    g_assert_null (infer_n ("where", 3, shapes, NULL, &error, NULL));
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  }
}

static void
test_add_n (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 6);
  MrtTensor *in[4];
  g_autofree double *exp = NULL;
  for (guint i = 0; i < 4; i++)
    in[i] = rand_tensor (r, "(3, 5, 7)", -2, 2);
  exp = new_expected (&in[0]->shape);
  for (gsize j = 0; j < in[0]->n; j++)
    for (guint i = 0; i < 4; i++)
      exp[j] += mrt_tensor_f32 (in[i])[j];
  {
    g_autoptr (MrtTensor) a = run1 ("add_n", 4, in, "num_args", "4", NULL);
    g_autoptr (MrtTensor) b = run1 ("ElementWiseSum", 4, in, "num_args", "4", NULL);
    assert_close ("add_n", a, &in[0]->shape, exp);
    assert_close ("ElementWiseSum", b, &in[0]->shape, exp);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (GPtrArray) bad = run_op ("add_n", 3, in, &error, "num_args", "4", NULL);
    g_assert_null (bad);
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  }
  {
    MrtShape shapes[2] = { shp ("(2, 3)"), shp ("(3, 2)") };
    g_autoptr (GError) error = NULL;
    g_assert_null (infer_n ("add_n", 2, shapes, NULL, &error, "num_args", "2", NULL));
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
    g_clear_error (&error);
    g_assert_null (infer_n ("add_n", 2, shapes, NULL, &error, NULL));
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  }
  for (guint i = 0; i < 4; i++)
    mrt_tensor_unref (in[i]);
}

/* ------------------------------------------------------------------ */
/* Reshape and friends                                                 */

static void
test_reshape_shapes (void)
{
  static const struct {
    const char *in, *shape, *reverse, *out;
  } cases[] = {
    /* the examples from MXNet's Reshape documentation */
    { "(2, 3, 4)", "(4, 0, 2)", NULL, "(4, 3, 2)" },
    { "(2, 3, 4)", "(2, 0, 0)", NULL, "(2, 3, 4)" },
    { "(2, 3, 4)", "(6, 1, -1)", NULL, "(6, 1, 4)" },
    { "(2, 3, 4)", "(3, -1, 8)", NULL, "(3, 1, 8)" },
    { "(2, 3, 4)", "(-1,)", NULL, "(24,)" },
    { "(2, 3, 4)", "(-2,)", NULL, "(2, 3, 4)" },
    { "(2, 3, 4)", "(2, -2)", NULL, "(2, 3, 4)" },
    { "(2, 3, 4)", "(-2, 1, 1)", NULL, "(2, 3, 4, 1, 1)" },
    { "(2, 3, 4)", "(-3, 4)", NULL, "(6, 4)" },
    { "(2, 3, 4, 5)", "(-3, -3)", NULL, "(6, 20)" },
    { "(2, 3, 4)", "(0, -3)", NULL, "(2, 12)" },
    { "(2, 3, 4)", "(-3, -2)", NULL, "(6, 4)" },
    { "(2, 3, 4)", "(-4, 1, 2, -2)", NULL, "(1, 2, 3, 4)" },
    { "(2, 3, 4)", "(2, -4, -1, 3, -2)", NULL, "(2, 1, 3, 4)" },
    { "(10, 5, 4)", "(-1, 0)", NULL, "(40, 5)" },
    { "(10, 5, 4)", "(-1, 0)", "True", "(50, 4)" },
    { "(10, 5, 4)", "(-1, 0)", "False", "(40, 5)" },
    /* more combinations */
    { "(1, 3, 224, 224)", "(0, -1)", NULL, "(1, 150528)" },
    { "(2, 3, 4)", "(-4, -1, 1, 0, 0)", NULL, "(2, 1, 3, 4)" },
    { "(2, 3, 4)", "(0, -4, 3, -1, -2)", NULL, "(2, 3, 1, 4)" },
    { "(6, 4)", "(-4, 2, 3, 0)", NULL, "(2, 3, 4)" },
    { "(2, 12)", "(0, -4, -1, 4)", NULL, "(2, 3, 4)" },
    { "(2, 3, 4)", "(-3, 0)", "True", "(6, 4)" },
    { "(2, 3, 4, 5)", "(-3, -2)", NULL, "(6, 4, 5)" },
    { "(2, 3, 4)", "(-1, 2)", NULL, "(12, 2)" },
    { "(2, 3, 4)", "(4, -2)", NULL, "(4, 3, 4)" }, /* size mismatch below */
    { "(7,)", "(1, -1, 1)", NULL, "(1, 7, 1)" },
    { "(2, 3, 4)", "[24]", NULL, "(24,)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *got = cases[i].reverse
                                 ? infer_str ("Reshape", cases[i].in, NULL, &error, "shape", cases[i].shape,
                                              "reverse", cases[i].reverse, NULL)
                                 : infer_str ("Reshape", cases[i].in, NULL, &error, "shape", cases[i].shape, NULL);
      if (strcmp (cases[i].shape, "(4, -2)") == 0)
        {
          /* (4, 3, 4) has 48 elements, not 24 */
          g_assert_null (got);
          g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
          continue;
        }
      g_assert_no_error (error);
      if (g_strcmp0 (got, cases[i].out) != 0)
        g_error ("Reshape %s shape=%s reverse=%s: got %s, expected %s", cases[i].in, cases[i].shape,
                 cases[i].reverse, got, cases[i].out);
    }
  /* the alias and the deprecated target_shape */
  assert_shape ("reshape", "(2, 3, 4)", NULL, "(6, 4)", "shape", "(-3, -2)", NULL);
  assert_shape ("Reshape", "(2, 3, 4)", NULL, "(4, 6)", "target_shape", "(4, 0)", NULL);
  assert_shape ("Reshape", "(2, 3, 4)", NULL, "(2, 12)", "target_shape", "(9, 0)", "keep_highest", "True", NULL);
  assert_shape ("Reshape", "(2, 3, 4)", NULL, "(3, 8)", "target_shape", "(3, 8)", NULL);
}

static void
test_reshape_errors (void)
{
  assert_shape_error ("Reshape", "(2, 3)", NULL, "cannot reshape (2, 3) to (4, -1)", "shape", "(4, -1)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "only one dimension can be -1", "shape", "(-1, -1)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "does not split", "shape", "(-4, 5, -1, -2)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "cannot both be -1", "shape", "(-4, -1, -1, -2)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "followed by two", "shape", "(0, 0, -4, 2)", NULL);
  assert_shape_error ("Reshape", "(2, 3)", NULL, "does not exist", "shape", "(0, 0, 0)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "not a valid shape value", "shape", "(-5, 4)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "-3 merges", "shape", "(0, 0, -3)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "cannot reshape (2, 3, 4) to (5, 5)", "shape", "(5,5)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "cannot reshape (2, 3, 4) to (7,)", "shape", "[7]", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "cannot reshape", "shape", "(5, -1)", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "no target shape", NULL);
  assert_shape_error ("Reshape", "(2, 3, 4)", NULL, "cannot reshape", "target_shape", "(5, 0)", NULL);
  assert_shape_error ("reshape_like", "(2, 3, 4)", "(5, 5)", "cannot reshape", NULL);
}

static void
test_reshape_data (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 7);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(2, 3, 4)", -1, 1);
  g_autofree double *exp = new_expected (&x->shape);
  static const struct {
    const char *op, *k, *v, *out;
  } cases[] = {
    { "Reshape", "shape", "(4, -1)", "(4, 6)" },  { "Flatten", NULL, NULL, "(2, 12)" },
    { "flatten", NULL, NULL, "(2, 12)" },         { "expand_dims", "axis", "1", "(2, 1, 3, 4)" },
    { "squeeze", NULL, NULL, "(2, 3, 4)" },
  };
  for (gsize j = 0; j < x->n; j++)
    exp[j] = mrt_tensor_f32 (x)[j];
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MrtTensor) y = run1 (cases[i].op, 1, &x, cases[i].k, cases[i].v, NULL);
      MrtShape s = shp (cases[i].out);
      assert_close (cases[i].op, y, &s, exp);
    }
  {
    g_autoptr (MrtTensor) like = rand_tensor (r, "(6, 4)", 0, 1);
    MrtTensor *in[2] = { x, like };
    g_autoptr (MrtTensor) y = run1 ("reshape_like", 2, in, NULL);
    assert_close ("reshape_like", y, &like->shape, exp);
  }
}

static void
test_shape_ops (void)
{
  assert_shape ("Flatten", "(2, 3, 4)", NULL, "(2, 12)", NULL);
  assert_shape ("Flatten", "(5,)", NULL, "(5, 1)", NULL);
  assert_shape ("expand_dims", "(2, 3)", NULL, "(1, 2, 3)", "axis", "0", NULL);
  assert_shape ("expand_dims", "(2, 3)", NULL, "(2, 3, 1)", "axis", "2", NULL);
  assert_shape ("expand_dims", "(2, 3)", NULL, "(2, 3, 1)", "axis", "-1", NULL);
  assert_shape ("expand_dims", "(2, 3)", NULL, "(1, 2, 3)", "axis", "-3", NULL);
  assert_shape_error ("expand_dims", "(2, 3)", NULL, "out of range", "axis", "3", NULL);
  assert_shape_error ("expand_dims", "(2, 3)", NULL, "out of range", "axis", "-4", NULL);
  assert_shape ("squeeze", "(1, 3, 1, 4)", NULL, "(3, 4)", NULL);
  assert_shape ("squeeze", "(1, 3, 1, 4)", NULL, "(3, 4)", "axis", "None", NULL);
  assert_shape ("squeeze", "(1, 3, 1, 4)", NULL, "(3, 1, 4)", "axis", "0", NULL);
  assert_shape ("squeeze", "(1, 3, 1, 4)", NULL, "(3, 4)", "axis", "(0, 2)", NULL);
  assert_shape ("squeeze", "(1, 3, 1, 4)", NULL, "(1, 3, 4)", "axis", "-2", NULL);
  assert_shape ("squeeze", "(1, 1)", NULL, "(1,)", NULL);
  assert_shape_error ("squeeze", "(1, 3, 1, 4)", NULL, "cannot squeeze axis 1", "axis", "1", NULL);
  assert_shape_error ("squeeze", "(1, 3, 1, 4)", NULL, "out of range", "axis", "4", NULL);
  assert_shape ("reshape_like", "(2, 3, 4)", "(6, 4)", "(6, 4)", NULL);
  assert_shape ("reshape_like", "(2, 3, 4)", "(12, 9)", "(2, 12)", "lhs_begin", "1", "lhs_end", "3", "rhs_begin",
                "0", "rhs_end", "1", NULL);
  assert_shape ("reshape_like", "(30, 7)", "(15, 2, 4)", "(15, 2, 7)", "lhs_begin", "0", "lhs_end", "-1",
                "rhs_begin", "0", "rhs_end", "-1", NULL);
  assert_shape ("reshape_like", "(30, 12)", "(4, 2, 2, 3)", "(30, 2, 2, 3)", "lhs_begin", "-1", "lhs_end", "None",
                "rhs_begin", "1", "rhs_end", "None", NULL);
}

/* ------------------------------------------------------------------ */
/* transpose, SwapAxis                                                 */

static void
check_permute (GRand *r, const char *op, const char *in_shape, const int *perm, const char *k1, const char *v1,
               const char *k2, const char *v2)
{
  g_autoptr (MrtTensor) x = rand_tensor (r, in_shape, -1, 1);
  g_autoptr (MrtTensor) y = run1 (op, 1, &x, k1, v1, k2, v2, NULL);
  MrtShape os = x->shape;
  g_autofree double *exp = NULL;
  gint64 oc[MRT_MAX_NDIM], ic[MRT_MAX_NDIM];
  for (int i = 0; i < os.ndim; i++)
    os.dim[i] = x->shape.dim[perm[i]];
  exp = new_expected (&os);
  for (gint64 j = 0; j < mrt_shape_size (&os); j++)
    {
      unravel (j, &os, oc);
      for (int i = 0; i < os.ndim; i++)
        ic[perm[i]] = oc[i];
      exp[j] = mrt_tensor_f32 (x)[ravel (ic, &x->shape)];
    }
  assert_close (op, y, &os, exp);
}

static void
test_transpose (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 8);
  const int rev[] = { 2, 1, 0 }, p102[] = { 1, 0, 2 }, p201[] = { 2, 0, 1 }, p4[] = { 0, 2, 3, 1 };
  const int p021[] = { 0, 2, 1 };
  check_permute (r, "transpose", "(3, 5, 7)", rev, NULL, NULL, NULL, NULL);
  check_permute (r, "transpose", "(3, 5, 7)", rev, "axes", "()", NULL, NULL);
  check_permute (r, "transpose", "(3, 5, 7)", p102, "axes", "(1, 0, 2)", NULL, NULL);
  check_permute (r, "transpose", "(3, 5, 7)", p201, "axes", "(-1, 0, 1)", NULL, NULL);
  check_permute (r, "transpose", "(2, 3, 4, 5)", p4, "axes", "(0, 2, 3, 1)", NULL, NULL);
  check_permute (r, "SwapAxis", "(3, 5, 7)", rev, "dim1", "0", "dim2", "2");
  check_permute (r, "SwapAxis", "(3, 5, 7)", p021, "dim1", "-1", "dim2", "1");
  check_permute (r, "swapaxes", "(3, 5, 7)", p102, "dim1", "1", NULL, NULL);
  assert_shape ("transpose", "(2, 3, 4)", NULL, "(4, 3, 2)", NULL);
  assert_shape ("transpose", "(2, 3, 4)", NULL, "(3, 2, 4)", "axes", "(1, 0, 2)", NULL);
  assert_shape ("SwapAxis", "(2, 3, 4)", NULL, "(2, 3, 4)", "dim1", "1", "dim2", "1", NULL);
  assert_shape_error ("transpose", "(2, 3, 4)", NULL, "not a permutation", "axes", "(0, 0, 1)", NULL);
  assert_shape_error ("transpose", "(2, 3, 4)", NULL, "axes has 2 elements", "axes", "(0, 1)", NULL);
  assert_shape_error ("transpose", "(2, 3, 4)", NULL, "not a permutation", "axes", "(0, 1, 3)", NULL);
  assert_shape_error ("SwapAxis", "(2, 3, 4)", NULL, "out of range", "dim1", "3", NULL);
}

/* ------------------------------------------------------------------ */
/* slice, slice_axis, slice_like                                       */

/* Python's slice.indices(): the independent reference for MXNet's slice. */
static gint64
py_slice (gint64 len, gboolean has_b, gint64 b, gboolean has_e, gint64 e, gint64 step, gint64 *first)
{
  gint64 n = 0;
  if (step > 0)
    {
      b = has_b ? (b < 0 ? MAX (b + len, 0) : MIN (b, len)) : 0;
      e = has_e ? (e < 0 ? MAX (e + len, 0) : MIN (e, len)) : len;
      for (gint64 i = b; i < e; i += step)
        n++;
    }
  else
    {
      b = has_b ? (b < 0 ? MAX (b + len, -1) : MIN (b, len - 1)) : len - 1;
      e = has_e ? (e < 0 ? MAX (e + len, -1) : MIN (e, len - 1)) : -1;
      for (gint64 i = b; i > e; i += step)
        n++;
    }
  *first = b;
  return n;
}

static void
check_slice (GRand *r, const char *in_shape, const char *begin, const char *end, const char *step,
             const char *expected_shape)
{
  g_autoptr (MrtTensor) x = rand_tensor (r, in_shape, -1, 1);
  g_autoptr (MrtTensor) y = NULL;
  MrtTuple tb, te, ts = { 0 };
  gint64 first[MRT_MAX_NDIM], st[MRT_MAX_NDIM], oc[MRT_MAX_NDIM], ic[MRT_MAX_NDIM];
  MrtShape os = x->shape;
  g_autofree double *exp = NULL;
  g_autofree char *got = NULL;
  g_autofree char *what = g_strdup_printf ("slice %s[%s:%s:%s]", in_shape, begin, end, step ? step : "");

  g_assert_true (mrt_attr_parse_tuple (begin, &tb));
  g_assert_true (mrt_attr_parse_tuple (end, &te));
  if (step)
    g_assert_true (mrt_attr_parse_tuple (step, &ts));
  for (int i = 0; i < os.ndim; i++)
    {
      st[i] = i < ts.n && !ts.none[i] ? ts.v[i] : 1;
      if (i < tb.n)
        os.dim[i] = py_slice (x->shape.dim[i], !tb.none[i], tb.v[i], !te.none[i], te.v[i], st[i], &first[i]);
      else
        first[i] = 0;
    }
  got = shape_str (&os);
  g_assert_cmpstr (got, ==, expected_shape);
  exp = new_expected (&os);
  for (gint64 j = 0; j < mrt_shape_size (&os); j++)
    {
      unravel (j, &os, oc);
      for (int i = 0; i < os.ndim; i++)
        ic[i] = first[i] + oc[i] * st[i];
      exp[j] = mrt_tensor_f32 (x)[ravel (ic, &x->shape)];
    }
  y = step ? run1 ("slice", 1, &x, "begin", begin, "end", end, "step", step, NULL)
           : run1 ("slice", 1, &x, "begin", begin, "end", end, NULL);
  assert_close (what, y, &os, exp);
}

static void
test_slice (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 9);
  check_slice (r, "(5, 6, 7)", "(1, None, -3)", "(4, None, None)", NULL, "(3, 6, 3)");
  check_slice (r, "(5, 6, 7)", "(None,)", "(None,)", "(-1,)", "(5, 6, 7)");
  check_slice (r, "(5, 6, 7)", "(-1, 4)", "(None, 0)", "(-2, -2)", "(3, 2, 7)");
  check_slice (r, "(5, 6, 7)", "(-100,)", "(100,)", NULL, "(5, 6, 7)");
  check_slice (r, "(5, 6, 7)", "(2, 1, 0)", "(-1, -1, 7)", "(2, 3, 3)", "(1, 2, 3)");
  check_slice (r, "(5, 6, 7)", "(4,)", "(-100,)", "(-1,)", "(5, 6, 7)");
  check_slice (r, "(5, 6, 7)", "(10,)", "(-100,)", "(-2,)", "(3, 6, 7)");
  check_slice (r, "(5, 6, 7)", "(0, 0, 0)", "(5, 6, 7)", "(None, 4, 100)", "(5, 2, 1)");
  check_slice (r, "(5, 6, 7)", "(1, 2)", "(3, 5)", "(1, None)", "(2, 3, 7)");
  check_slice (r, "(9,)", "(-3,)", "(None,)", NULL, "(3,)");
  check_slice (r, "(9,)", "(None,)", "(-7,)", "(-3,)", "(2,)");
  check_slice (r, "(2, 3, 4, 5)", "(None, None, None, 1)", "(None, None, None, -1)", NULL, "(2, 3, 4, 3)");
  check_slice (r, "(4, 4)", "[1, 1]", "[3, 3]", NULL, "(2, 2)");
  /* the alias */
  assert_shape ("crop", "(5, 6)", NULL, "(2, 6)", "begin", "(1,)", "end", "(3,)", NULL);
  /* errors */
  assert_shape_error ("slice", "(5, 6, 7)", NULL, "select nothing", "begin", "(3,)", "end", "(1,)", NULL);
  assert_shape_error ("slice", "(5, 6, 7)", NULL, "select nothing", "begin", "(5,)", "end", "(None,)", NULL);
  assert_shape_error ("slice", "(5, 6, 7)", NULL, "cannot be 0", "begin", "(0,)", "end", "(2,)", "step", "(0,)",
                      NULL);
  assert_shape_error ("slice", "(5, 6)", NULL, "input has 2 dimensions", "begin", "(0, 0, 0)", "end", "(1, 1, 1)",
                      NULL);
  assert_shape_error ("slice", "(5, 6)", NULL, "must match", "begin", "(0, 0)", "end", "(1,)", NULL);
  assert_shape_error ("slice", "(5, 6)", NULL, "must match", "begin", "(0, 0)", "end", "(1, 1)", "step", "(1,)",
                      NULL);
}

static void
test_slice_axis (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 10);
  static const struct {
    const char *axis, *begin, *end, *out;
    int ax;
    gint64 b;
  } cases[] = {
    { "1", "1", "4", "(5, 3, 7)", 1, 1 },   { "-1", "-3", "None", "(5, 6, 3)", 2, 4 },
    { "0", "0", "-1", "(4, 6, 7)", 0, 0 },  { "2", "6", "7", "(5, 6, 1)", 2, 6 },
    { "-3", "-5", "-4", "(1, 6, 7)", 0, 0 },
  };
  g_autoptr (MrtTensor) x = rand_tensor (r, "(5, 6, 7)", -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MrtTensor) y = run1 ("slice_axis", 1, &x, "axis", cases[i].axis, "begin", cases[i].begin, "end",
                                      cases[i].end, NULL);
      MrtShape os = shp (cases[i].out);
      g_autofree double *exp = new_expected (&os);
      gint64 c[MRT_MAX_NDIM];
      for (gint64 j = 0; j < mrt_shape_size (&os); j++)
        {
          unravel (j, &os, c);
          c[cases[i].ax] += cases[i].b;
          exp[j] = mrt_tensor_f32 (x)[ravel (c, &x->shape)];
        }
      assert_close ("slice_axis", y, &os, exp);
    }
  assert_shape_error ("slice_axis", "(5, 6, 7)", NULL, "not a valid range", "axis", "1", "begin", "0", "end", "10",
                      NULL);
  assert_shape_error ("slice_axis", "(5, 6, 7)", NULL, "not a valid range", "axis", "1", "begin", "4", "end", "2",
                      NULL);
  assert_shape_error ("slice_axis", "(5, 6, 7)", NULL, "not a valid range", "axis", "1", "begin", "-9", "end",
                      "None", NULL);
  assert_shape_error ("slice_axis", "(5, 6, 7)", NULL, "out of range", "axis", "3", "begin", "0", "end", "1",
                      NULL);
}

static void
test_slice_like (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 11);
  static const struct {
    const char *like, *axes, *out;
  } cases[] = {
    { "(3, 4, 5)", NULL, "(3, 4, 5)" },   { "(3, 4, 5)", "(0, 2)", "(3, 6, 5)" },
    { "(3, 4, 5)", "(-1,)", "(5, 6, 5)" }, { "(2, 6)", "(0, 1)", "(2, 6, 7)" },
    { "(5, 6, 7)", "()", "(5, 6, 7)" },
  };
  g_autoptr (MrtTensor) x = rand_tensor (r, "(5, 6, 7)", -1, 1);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MrtTensor) like = rand_tensor (r, cases[i].like, 0, 1);
      MrtTensor *in[2] = { x, like };
      g_autoptr (MrtTensor) y = run1 ("slice_like", 2, in, cases[i].axes ? "axes" : NULL, cases[i].axes, NULL);
      MrtShape os = shp (cases[i].out);
      g_autofree double *exp = new_expected (&os);
      gint64 c[MRT_MAX_NDIM];
      for (gint64 j = 0; j < mrt_shape_size (&os); j++)
        {
          unravel (j, &os, c);
          exp[j] = mrt_tensor_f32 (x)[ravel (c, &x->shape)];
        }
      assert_close ("slice_like", y, &os, exp);
    }
  assert_shape_error ("slice_like", "(5, 6, 7)", "(6, 6, 7)", "too short", NULL);
  assert_shape_error ("slice_like", "(5, 6, 7)", "(3, 3)", "same number of dimensions", NULL);
  assert_shape_error ("slice_like", "(5, 6, 7)", "(3, 3)", "out of range", "axes", "(2,)", NULL);
}

/* ------------------------------------------------------------------ */
/* SliceChannel, Concat                                                */

static void
check_split (GRand *r, const char *op, const char *in_shape, const char *n, const char *axis, const char *squeeze,
             const char *out_shape, int ax)
{
  g_autoptr (MrtTensor) x = rand_tensor (r, in_shape, -1, 1);
  g_autoptr (GPtrArray) outs = NULL;
  g_autoptr (GError) error = NULL;
  gint64 k = g_ascii_strtoll (n, NULL, 10), chunk = x->shape.dim[ax] / k;
  MrtShape os = shp (out_shape), view = x->shape;

  outs = run_op (op, 1, &x, &error, "num_outputs", n, "axis", axis, "squeeze_axis", squeeze, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (outs->len, ==, (guint) k);
  view.dim[ax] = chunk;
  for (gint64 o = 0; o < k; o++)
    {
      g_autofree double *exp = new_expected (&view);
      gint64 c[MRT_MAX_NDIM];
      for (gint64 j = 0; j < mrt_shape_size (&view); j++)
        {
          unravel (j, &view, c);
          c[ax] += o * chunk;
          exp[j] = mrt_tensor_f32 (x)[ravel (c, &x->shape)];
        }
      assert_close (op, g_ptr_array_index (outs, o), &os, exp);
    }
}

static void
test_split (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 12);
  check_split (r, "SliceChannel", "(2, 6, 3)", "3", "1", "False", "(2, 2, 3)", 1);
  check_split (r, "split", "(2, 6, 3)", "3", "-1", "True", "(2, 6)", 2);
  check_split (r, "SliceChannel", "(4, 5)", "4", "0", "False", "(1, 5)", 0);
  check_split (r, "SliceChannel", "(4, 5)", "4", "0", "True", "(5,)", 0);
  check_split (r, "SliceChannel", "(3, 10, 2)", "1", "1", "False", "(3, 10, 2)", 1);
  check_split (r, "SliceChannel", "(6,)", "6", "0", "True", "(1,)", 0);

  /* the default axis is 1; every output gets a shape */
  {
    MrtShape in = shp ("(2, 8, 5)");
    g_autoptr (GError) error = NULL;
    guint n = 0;
    g_autofree MrtShape *o = infer_n ("SliceChannel", 1, &in, &n, &error, "num_outputs", "4", NULL);
    g_assert_no_error (error);
    g_assert_cmpuint (n, ==, 4);
    for (guint i = 0; i < n; i++)
      {
        g_autofree char *t = shape_str (&o[i]);
        g_assert_cmpstr (t, ==, "(2, 2, 5)");
      }
  }
  assert_shape ("SliceChannel", "(2, 8, 5)", NULL, "(2, 2, 5)", "num_outputs", "4", NULL);
  assert_shape_error ("SliceChannel", "(2, 6, 3)", NULL, "cannot be split", "num_outputs", "4", NULL);
  assert_shape_error ("SliceChannel", "(2, 6, 3)", NULL, "must equal num_outputs", "num_outputs", "3",
                      "squeeze_axis", "1", NULL);
  assert_shape_error ("SliceChannel", "(2, 6, 3)", NULL, "out of range", "num_outputs", "2", "axis", "3", NULL);
  assert_shape_error ("SliceChannel", "(2, 6, 3)", NULL, "between 1 and", "num_outputs", "0", NULL);
  /* the model's output count follows the attribute */
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    MrtEntry e = { mrt_model_add_variable (m, "x"), 0 };
    GHashTable *a = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    guint node;
    g_hash_table_insert (a, g_strdup ("num_outputs"), g_strdup ("5"));
    node = mrt_model_add_node (m, "s", "SliceChannel", a, &e, 1);
    g_assert_cmpuint (mrt_model_node (m, node)->n_outputs, ==, 5);
  }
}

static void
check_concat (GRand *r, const char *op, const char **shapes, guint n, const char *dim, int ax, const char *out_shape)
{
  MrtTensor *in[8];
  g_autoptr (MrtTensor) y = NULL;
  MrtShape os = shp (out_shape);
  g_autofree double *exp = new_expected (&os);
  g_autofree char *num = g_strdup_printf ("%u", n);
  gint64 c[MRT_MAX_NDIM];

  for (guint i = 0; i < n; i++)
    in[i] = rand_tensor (r, shapes[i], -1, 1);
  y = dim ? run1 (op, n, in, "num_args", num, "dim", dim, NULL) : run1 (op, n, in, "num_args", num, NULL);
  for (gint64 j = 0; j < mrt_shape_size (&os); j++)
    {
      guint i = 0;
      unravel (j, &os, c);
      while (c[ax] >= in[i]->shape.dim[ax])
        c[ax] -= in[i++]->shape.dim[ax];
      exp[j] = mrt_tensor_f32 (in[i])[ravel (c, &in[i]->shape)];
    }
  assert_close (op, y, &os, exp);
  for (guint i = 0; i < n; i++)
    mrt_tensor_unref (in[i]);
}

static void
test_concat (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 13);
  const char *a[] = { "(2, 3, 4)", "(2, 1, 4)", "(2, 5, 4)" };
  const char *b[] = { "(1, 3)", "(4, 3)" };
  const char *c[] = { "(2, 3, 1)", "(2, 3, 6)", "(2, 3, 2)", "(2, 3, 1)" };
  const char *d[] = { "(3, 5)" };
  check_concat (r, "Concat", a, 3, NULL, 1, "(2, 9, 4)");
  check_concat (r, "concat", a, 3, "1", 1, "(2, 9, 4)");
  check_concat (r, "Concat", b, 2, "0", 0, "(5, 3)");
  check_concat (r, "Concat", b, 2, "-2", 0, "(5, 3)");
  check_concat (r, "Concat", c, 4, "-1", 2, "(2, 3, 10)");
  check_concat (r, "Concat", d, 1, "1", 1, "(3, 5)");
  {
    MrtShape shapes[2] = { shp ("(2, 3, 4)"), shp ("(2, 3, 5)") };
    g_autoptr (GError) error = NULL;
    g_autofree MrtShape *o = NULL;
    GHashTable *at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    guint node;
    g_autoptr (MrtModel) m = NULL;
    g_autoptr (GHashTable) map = g_hash_table_new (g_str_hash, g_str_equal);
    g_hash_table_insert (at, g_strdup ("num_args"), g_strdup ("2"));
    m = one_op_model ("Concat", 2, NULL, 0, at, &node);
    g_hash_table_insert (map, "x0", &shapes[0]);
    g_hash_table_insert (map, "x1", &shapes[1]);
    g_assert_true (mrt_model_validate (m, NULL));
    o = mrt_model_infer_shapes (m, map, &error);
    g_assert_null (o);
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
    g_assert_nonnull (strstr (error->message, "does not match"));
    g_clear_error (&error);
    g_clear_pointer (&m, mrt_model_unref);
    at = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
    g_hash_table_insert (at, g_strdup ("num_args"), g_strdup ("2"));
    g_hash_table_insert (at, g_strdup ("dim"), g_strdup ("2"));
    m = one_op_model ("Concat", 2, NULL, 0, at, &node);
    o = mrt_model_infer_shapes (m, map, &error);
    g_assert_no_error (error);
    g_assert_nonnull (o);
    g_assert_cmpint (o[mrt_model_entry_id (m, (MrtEntry){ node, 0 })].dim[2], ==, 9);
  }
  assert_shape_error ("Concat", "(2, 3)", NULL, "num_args is 2", "num_args", "2", NULL);
  assert_shape_error ("Concat", "(2, 3)", NULL, "out of range", "num_args", "1", "dim", "2", NULL);
}

/* ------------------------------------------------------------------ */
/* repeat, tile, broadcast_to/_like/_axis                              */

static void
test_repeat (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 14);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(2, 3, 4)", -1, 1);
  static const struct {
    const char *repeats, *axis, *out;
    int ax;
  } cases[] = {
    { "2", NULL, "(48,)", -1 },    { "3", "None", "(72,)", -1 }, { "2", "1", "(2, 6, 4)", 1 },
    { "3", "-1", "(2, 3, 12)", 2 }, { "2", "-3", "(4, 3, 4)", 0 }, { "1", "0", "(2, 3, 4)", 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gint64 rep = g_ascii_strtoll (cases[i].repeats, NULL, 10), c[MRT_MAX_NDIM];
      g_autoptr (MrtTensor) y = run1 ("repeat", 1, &x, "repeats", cases[i].repeats, cases[i].axis ? "axis" : NULL,
                                      cases[i].axis, NULL);
      MrtShape os = shp (cases[i].out);
      g_autofree double *exp = new_expected (&os);
      for (gint64 j = 0; j < mrt_shape_size (&os); j++)
        {
          if (cases[i].ax < 0)
            exp[j] = mrt_tensor_f32 (x)[j / rep];
          else
            {
              unravel (j, &os, c);
              c[cases[i].ax] /= rep;
              exp[j] = mrt_tensor_f32 (x)[ravel (c, &x->shape)];
            }
        }
      assert_close ("repeat", y, &os, exp);
    }
  assert_shape_error ("repeat", "(2, 3)", NULL, "positive", "repeats", "0", NULL);
  assert_shape_error ("repeat", "(2, 3)", NULL, "out of range", "repeats", "2", "axis", "2", NULL);
}

static void
test_tile (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 15);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(2, 3)", -1, 1);
  static const struct {
    const char *reps, *out;
  } cases[] = {
    { "(2, 2)", "(4, 6)" }, { "(2, 1, 3)", "(2, 2, 9)" }, { "(3,)", "(2, 9)" },
    { "()", "(2, 3)" },     { "(1, 1)", "(2, 3)" },       { "(3, 1)", "(6, 3)" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MrtTensor) y = run1 ("tile", 1, &x, "reps", cases[i].reps, NULL);
      MrtShape os = shp (cases[i].out);
      g_autofree double *exp = new_expected (&os);
      gint64 c[MRT_MAX_NDIM], ic[2];
      for (gint64 j = 0; j < mrt_shape_size (&os); j++)
        {
          unravel (j, &os, c);
          ic[0] = c[os.ndim - 2] % 2;
          ic[1] = c[os.ndim - 1] % 3;
          exp[j] = mrt_tensor_f32 (x)[ic[0] * 3 + ic[1]];
        }
      assert_close (cases[i].reps, y, &os, exp);
    }
  assert_shape_error ("tile", "(2, 3)", NULL, "positive integer", "reps", "(2, 0)", NULL);
  assert_shape_error ("tile", "(2, 3)", NULL, "positive integer", "reps", "(-1,)", NULL);
}

/* out[c] = x[c with size-1 axes of x at 0], for x and out of the same rank */
static void
check_bcast_same_rank (const char *what, const MrtTensor *x, const MrtTensor *y, const char *out_shape)
{
  MrtShape os = shp (out_shape);
  g_autofree double *exp = new_expected (&os);
  gint64 c[MRT_MAX_NDIM];
  for (gint64 j = 0; j < mrt_shape_size (&os); j++)
    {
      unravel (j, &os, c);
      exp[j] = bcast_at (x, c, os.ndim);
    }
  assert_close (what, y, &os, exp);
}

static void
test_broadcast_to (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 16);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(3, 1, 1)", -1, 1);
  g_autoptr (MrtTensor) x2 = rand_tensor (r, "(2, 1, 4)", -1, 1);
  g_autoptr (MrtTensor) like = rand_tensor (r, "(3, 4, 5)", -1, 1);
  {
    g_autoptr (MrtTensor) y = run1 ("broadcast_to", 1, &x, "shape", "(3, 4, 5)", NULL);
    check_bcast_same_rank ("broadcast_to", x, y, "(3, 4, 5)");
  }
  {
    g_autoptr (MrtTensor) y = run1 ("broadcast_to", 1, &x2, "shape", "(0, 3, 0)", NULL);
    check_bcast_same_rank ("broadcast_to 0", x2, y, "(2, 3, 4)");
  }
  {
    MrtTensor *in[2] = { x, like };
    g_autoptr (MrtTensor) y = run1 ("broadcast_like", 2, in, NULL);
    check_bcast_same_rank ("broadcast_like", x, y, "(3, 4, 5)");
  }
  {
    g_autoptr (MrtTensor) other = rand_tensor (r, "(7, 6, 9)", -1, 1);
    MrtTensor *in[2] = { x, other };
    g_autoptr (MrtTensor) y = run1 ("broadcast_like", 2, in, "lhs_axes", "(1, -1)", "rhs_axes", "(0, 2)", NULL);
    check_bcast_same_rank ("broadcast_like axes", x, y, "(3, 7, 9)");
  }
  {
    g_autoptr (MrtTensor) y = run1 ("broadcast_axis", 1, &x, "axis", "(1, 2)", "size", "(4, 5)", NULL);
    g_autoptr (MrtTensor) z = run1 ("broadcast_axes", 1, &x, "axis", "-1", "size", "6", NULL);
    check_bcast_same_rank ("broadcast_axis", x, y, "(3, 4, 5)");
    check_bcast_same_rank ("broadcast_axes", x, z, "(3, 1, 6)");
  }
  assert_shape_error ("broadcast_to", "(2, 3)", NULL, "cannot broadcast (2, 3) to (4, 3)", "shape", "(4, 3)", NULL);
  assert_shape_error ("broadcast_to", "(2, 3)", NULL, "cannot broadcast", "shape", "(2, 2, 3)", NULL);
  assert_shape_error ("broadcast_like", "(2, 3)", "(4, 3)", "cannot broadcast", NULL);
  assert_shape_error ("broadcast_like", "(2, 1)", "(2, 3, 4)", "cannot broadcast", NULL);
  assert_shape_error ("broadcast_like", "(2, 1)", "(2, 3, 4)", "out of range", "lhs_axes", "(2,)", "rhs_axes",
                      "(0,)", NULL);
  assert_shape_error ("broadcast_axis", "(2, 3)", NULL, "only axes of size 1", "axis", "1", "size", "5", NULL);
  assert_shape_error ("broadcast_axis", "(2, 1)", NULL, "out of range", "axis", "2", "size", "5", NULL);
}

/* ------------------------------------------------------------------ */
/* Pad                                                                 */

static gint64
pad_source (gint64 o, gint64 before, gint64 n, const char *mode)
{
  gint64 c = o - before;
  if (c >= 0 && c < n)
    return c;
  if (strcmp (mode, "constant") == 0)
    return -1;
  if (strcmp (mode, "edge") == 0)
    return c < 0 ? 0 : n - 1;
  while (c < 0 || c >= n) /* reflect without repeating the edge */
    c = c < 0 ? -c : 2 * (n - 1) - c;
  return c;
}

static void
check_pad (GRand *r, const char *in_shape, const char *pad, const char *mode, const char *value, const char *out)
{
  g_autoptr (MrtTensor) x = rand_tensor (r, in_shape, -1, 1);
  g_autoptr (MrtTensor) y = run1 ("Pad", 1, &x, "mode", mode, "pad_width", pad, "constant_value", value, NULL);
  MrtShape os = shp (out);
  MrtTuple pw;
  g_autofree double *exp = new_expected (&os);
  g_autofree char *what = g_strdup_printf ("Pad %s %s %s", in_shape, mode, pad);
  gint64 c[MRT_MAX_NDIM];
  double v;

  g_assert_true (mrt_attr_parse_tuple (pad, &pw));
  g_assert_true (mrt_attr_parse_float (value, &v));
  for (gint64 j = 0; j < mrt_shape_size (&os); j++)
    {
      gboolean outside = FALSE;
      unravel (j, &os, c);
      for (int i = 0; i < os.ndim; i++)
        if ((c[i] = pad_source (c[i], pw.v[2 * i], x->shape.dim[i], mode)) < 0)
          outside = TRUE;
      exp[j] = outside ? (float) v : mrt_tensor_f32 (x)[ravel (c, &x->shape)];
    }
  assert_close (what, y, &os, exp);
}

static void
test_pad (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 17);
  const char *pad4 = "(0, 0, 0, 0, 1, 2, 2, 1)", *pad5 = "(0, 0, 0, 0, 1, 1, 0, 2, 2, 0)";
  check_pad (r, "(2, 2, 3, 4)", pad4, "constant", "1.5", "(2, 2, 6, 7)");
  check_pad (r, "(2, 2, 3, 4)", pad4, "edge", "0", "(2, 2, 6, 7)");
  check_pad (r, "(2, 2, 3, 4)", pad4, "reflect", "0", "(2, 2, 6, 7)");
  check_pad (r, "(1, 3, 5, 5)", "(0, 0, 0, 0, 0, 4, 4, 0)", "reflect", "0", "(1, 3, 9, 9)");
  check_pad (r, "(1, 1, 2, 3, 3)", pad5, "constant", "-2", "(1, 1, 4, 5, 5)");
  check_pad (r, "(1, 1, 2, 3, 3)", pad5, "edge", "0", "(1, 1, 4, 5, 5)");
  check_pad (r, "(1, 1, 2, 3, 3)", pad5, "reflect", "0", "(1, 1, 4, 5, 5)");
  assert_shape ("pad", "(1, 3, 4, 4)", NULL, "(1, 3, 6, 6)", "pad_width", "(0, 0, 0, 0, 1, 1, 1, 1)", NULL);
  assert_shape_error ("Pad", "(3, 4, 4)", NULL, "4-D and 5-D", "pad_width", "(0, 0, 1, 1, 1, 1)", NULL);
  assert_shape_error ("Pad", "(1, 3, 4, 4)", NULL, "zero on the first two axes", "pad_width",
                      "(1, 0, 0, 0, 1, 1, 1, 1)", NULL);
  assert_shape_error ("Pad", "(1, 3, 4, 4)", NULL, "needs 8", "pad_width", "(0, 0, 0, 0, 1, 1)", NULL);
  assert_shape_error ("Pad", "(1, 3, 4, 4)", NULL, "smaller than", "mode", "reflect", "pad_width",
                      "(0, 0, 0, 0, 4, 0, 1, 1)", NULL);
  assert_shape_error ("Pad", "(1, 3, 4, 4)", NULL, "unknown mode", "mode", "wrap", "pad_width",
                      "(0, 0, 0, 0, 1, 1, 1, 1)", NULL);
}

/* ------------------------------------------------------------------ */
/* _arange, _zeros, _ones                                              */

static MrtTensor *
run0 (const char *op, GError **error, ...)
{
  va_list ap;
  g_autoptr (GPtrArray) out = NULL;
  const char *first;
  va_start (ap, error);
  first = va_arg (ap, const char *);
  out = run_va (op, 0, NULL, 0, error, first, ap);
  va_end (ap);
  return out ? mrt_tensor_ref (g_ptr_array_index (out, 0)) : NULL;
}

static void
test_init_ops (void)
{
  static const struct {
    const char *start, *stop, *step, *repeat, *dtype;
    double values[8];
    int n;
  } cases[] = {
    { "2", "11", "3", NULL, NULL, { 2, 5, 8 }, 3 },
    { "5", NULL, NULL, NULL, NULL, { 0, 1, 2, 3, 4 }, 5 },
    { "0", "3", NULL, "2", NULL, { 0, 0, 1, 1, 2, 2 }, 6 },
    { "5", "0", "-1.5", NULL, NULL, { 5, 3.5, 2, 0.5 }, 4 },
    { "0.5", "4.7", "1.3", NULL, "int32", { 0, 1, 2, 3 }, 4 },
    { "0.5", "1.0", "0.125", NULL, "float32", { 0.5, 0.625, 0.75, 0.875 }, 4 },
    { "-3", "None", "1", NULL, NULL, { 0 }, 0 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtTensor) y = run0 ("_arange", &error, "start", cases[i].start, "stop",
                                      cases[i].stop ? cases[i].stop : "None", "step",
                                      cases[i].step ? cases[i].step : "1", "repeat",
                                      cases[i].repeat ? cases[i].repeat : "1", "dtype",
                                      cases[i].dtype ? cases[i].dtype : "float32", NULL);
      MrtShape s;
      if (cases[i].n == 0)
        {
          g_assert_null (y);
          g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
          g_assert_nonnull (strstr (error->message, "invalid range"));
          continue;
        }
      g_assert_no_error (error);
      s = mrt_shape_make (1, (gint64) cases[i].n);
      assert_close ("_arange", y, &s, cases[i].values);
    }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtTensor) y = run0 ("_arange", &error, "start", "0", "stop", "3", "step", "0", NULL);
    g_assert_null (y);
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  }
  {
    static const char *ops[] = { "_zeros", "zeros", "_ones" };
    for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
      {
        g_autoptr (GError) error = NULL;
        g_autoptr (MrtTensor) y = run0 (ops[i], &error, "shape", "(2, 3, 4)", "dtype", "float32", NULL);
        MrtShape s = shp ("(2, 3, 4)");
        double exp[24];
        g_assert_no_error (error);
        for (guint j = 0; j < 24; j++)
          exp[j] = i == 2;
        assert_close (ops[i], y, &s, exp);
      }
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtTensor) y = run0 ("_full", &error, "shape", "(3,)", "value", "2.5", NULL);
    MrtShape s = shp ("(3,)");
    const double exp[] = { 2.5, 2.5, 2.5 };
    g_assert_no_error (error);
    assert_close ("_full", y, &s, exp);
  }
  {
    g_autoptr (GError) error = NULL;
    g_autoptr (MrtTensor) y = run0 ("_zeros", &error, "shape", "(2, 0)", NULL);
    g_assert_null (y);
    g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_SHAPE);
  }
}

/* ------------------------------------------------------------------ */
/* Reductions                                                          */

typedef enum { R_SUM, R_MEAN, R_PROD, R_MAX, R_MIN, R_NANSUM, R_NANPROD, R_NORM1, R_NORM2 } RKind;

/* The reference: every input element is added into the output element
 * that its kept coordinates address. mask: reduced axes. */
static double *
ref_reduce (const MrtTensor *x, const gboolean *mask, gboolean keepdims, RKind kind, MrtShape *os)
{
  MrtShape ks = x->shape; /* the keepdims shape indexes the accumulators */
  gint64 c[MRT_MAX_NDIM], n_out, *count;
  double *acc;
  os->ndim = 0;
  for (int i = 0; i < x->shape.ndim; i++)
    {
      if (mask[i])
        ks.dim[i] = 1;
      if (keepdims || !mask[i])
        os->dim[os->ndim++] = ks.dim[i];
    }
  if (os->ndim == 0 && !keepdims)
    *os = mrt_shape_make (1, (gint64) 1);
  n_out = mrt_shape_size (&ks);
  acc = g_new (double, n_out);
  count = g_new0 (gint64, n_out);
  for (gint64 o = 0; o < n_out; o++)
    acc[o] = kind == R_PROD || kind == R_NANPROD ? 1 : kind == R_MAX ? -INFINITY : kind == R_MIN ? INFINITY : 0;
  for (gint64 j = 0; j < (gint64) x->n; j++)
    {
      double v = mrt_tensor_f32 (x)[j];
      gint64 o;
      unravel (j, &x->shape, c);
      for (int i = 0; i < x->shape.ndim; i++)
        if (mask[i])
          c[i] = 0;
      o = ravel (c, &ks);
      count[o]++;
      switch (kind)
        {
        case R_SUM: case R_MEAN: acc[o] += v; break;
        case R_PROD: acc[o] *= v; break;
        case R_MAX: acc[o] = fmax (acc[o], v); break;
        case R_MIN: acc[o] = fmin (acc[o], v); break;
        case R_NANSUM: acc[o] += isnan (v) ? 0 : v; break;
        case R_NANPROD: acc[o] *= isnan (v) ? 1 : v; break;
        case R_NORM1: acc[o] += fabs (v); break;
        case R_NORM2: acc[o] += v * v; break;
        }
    }
  for (gint64 o = 0; o < n_out; o++)
    if (kind == R_MEAN)
      acc[o] /= count[o];
    else if (kind == R_NORM2)
      acc[o] = sqrt (acc[o]);
  g_free (count);
  return acc;
}

static void
test_reduce (void)
{
  static const struct {
    const char *op;
    RKind kind;
    double lo, hi;
  } ops[] = {
    { "sum", R_SUM, -2, 2 },        { "sum_axis", R_SUM, -2, 2 }, { "mean", R_MEAN, -2, 2 },
    { "prod", R_PROD, 0.5, 1.5 },   { "max", R_MAX, -2, 2 },      { "max_axis", R_MAX, -2, 2 },
    { "min", R_MIN, -2, 2 },        { "min_axis", R_MIN, -2, 2 }, { "nansum", R_NANSUM, -2, 2 },
    { "nanprod", R_NANPROD, 0.5, 1.5 },
  };
  /* axis text, reduced axes of a 3-D input */
  static const struct {
    const char *axis;
    gboolean mask[3];
  } axes[] = {
    { NULL, { 1, 1, 1 } },     { "None", { 1, 1, 1 } },   { "()", { 1, 1, 1 } },    { "1", { 0, 1, 0 } },
    { "-1", { 0, 0, 1 } },     { "(0, 2)", { 1, 0, 1 } }, { "(2, 0)", { 1, 0, 1 } }, { "(1,)", { 0, 1, 0 } },
    { "(0, 1, 2)", { 1, 1, 1 } }, { "(-3, -2)", { 1, 1, 0 } },
  };
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 18);

  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    for (guint a = 0; a < G_N_ELEMENTS (axes); a++)
      for (int keep = 0; keep < 2; keep++)
        for (int excl = 0; excl < 2; excl++)
          {
            g_autoptr (MrtTensor) x = rand_tensor (r, "(3, 5, 7)", ops[i].lo, ops[i].hi);
            g_autoptr (MrtTensor) y = NULL;
            gboolean mask[3];
            MrtShape os;
            g_autofree double *exp = NULL;
            g_autofree char *what = g_strdup_printf ("%s axis=%s keepdims=%d exclude=%d", ops[i].op,
                                                     axes[a].axis ? axes[a].axis : "(absent)", keep, excl);
            gboolean given = axes[a].axis && strcmp (axes[a].axis, "None") && strcmp (axes[a].axis, "()");
            if (ops[i].kind == R_NANSUM || ops[i].kind == R_NANPROD)
              mrt_tensor_f32 (x)[7] = mrt_tensor_f32 (x)[50] = NAN;
            for (int k = 0; k < 3; k++)
              mask[k] = excl && given ? !axes[a].mask[k] : axes[a].mask[k];
            exp = ref_reduce (x, mask, keep, ops[i].kind, &os);
            y = run1 (ops[i].op, 1, &x, "keepdims", keep ? "True" : "False", "exclude", excl ? "1" : "0",
                      axes[a].axis ? "axis" : NULL, axes[a].axis, NULL);
            assert_close (what, y, &os, exp);
          }
}

/* NaN propagates through max and min (MXNet >= 1.6, numpy); nansum skips it */
static void
test_reduce_nan (void)
{
  const float in[] = { 1, NAN, 3, 4, -5, 6 };
  MrtShape s = shp ("(2, 3)"), o = shp ("(2,)");
  g_autoptr (MrtTensor) x = mrt_tensor_new_f32 (&s, in);
  g_autoptr (MrtTensor) a = run1 ("max", 1, &x, "axis", "1", NULL);
  g_autoptr (MrtTensor) b = run1 ("min", 1, &x, "axis", "1", NULL);
  g_autoptr (MrtTensor) c = run1 ("nansum", 1, &x, "axis", "1", NULL);
  g_autoptr (MrtTensor) d = run1 ("sum", 1, &x, "axis", "1", NULL);
  const double ea[] = { NAN, 6 }, eb[] = { NAN, -5 }, ec[] = { 4, 5 }, ed[] = { NAN, 5 };
  assert_close ("max", a, &o, ea);
  assert_close ("min", b, &o, eb);
  assert_close ("nansum", c, &o, ec);
  assert_close ("sum", d, &o, ed);
}

static void
test_reduce_shapes (void)
{
  assert_shape ("sum", "(3, 5, 7)", NULL, "(1,)", NULL);
  assert_shape ("sum", "(3, 5, 7)", NULL, "(1, 1, 1)", "keepdims", "True", NULL);
  assert_shape ("sum", "(3, 5, 7)", NULL, "(3, 7)", "axis", "1", NULL);
  assert_shape ("mean", "(3, 5, 7)", NULL, "(3, 1, 7)", "axis", "(1,)", "keepdims", "True", NULL);
  assert_shape ("max", "(3, 5, 7)", NULL, "(5,)", "axis", "1", "exclude", "True", NULL);
  assert_shape ("min", "(3, 5, 7)", NULL, "(1, 5, 1)", "axis", "1", "exclude", "True", "keepdims", "True", NULL);
  assert_shape ("prod", "(3, 5, 7)", NULL, "(1,)", "axis", "(0, 1, 2)", NULL);
  assert_shape ("sum", "(3, 5, 7)", NULL, "(1,)", "axis", "()", "exclude", "True", NULL);
  assert_shape ("sum", "(2, 3, 4, 5)", NULL, "(2, 5)", "axis", "(1, 2)", NULL);
  assert_shape ("norm", "(3, 5, 7)", NULL, "(1,)", NULL);
  assert_shape ("norm", "(3, 5, 7)", NULL, "(3, 1, 1)", "axis", "(1, 2)", "keepdims", "1", NULL);
  assert_shape ("argmax", "(3, 5, 7)", NULL, "(1,)", NULL);
  assert_shape ("argmax", "(3, 5, 7)", NULL, "(3, 7)", "axis", "1", NULL);
  assert_shape ("argmin", "(3, 5, 7)", NULL, "(3, 5, 1)", "axis", "-1", "keepdims", "True", NULL);
  assert_shape ("argmin", "(3, 5, 7)", NULL, "(1, 1, 1)", "axis", "None", "keepdims", "True", NULL);
  assert_shape ("argmax", "(6,)", NULL, "(1,)", "axis", "0", NULL);
  assert_shape ("argmax_channel", "(4, 6)", NULL, "(4,)", NULL);
  assert_shape_error ("sum", "(3, 5, 7)", NULL, "out of range", "axis", "3", NULL);
  assert_shape_error ("mean", "(3, 5, 7)", NULL, "out of range", "axis", "(0, -4)", NULL);
  assert_shape_error ("sum", "(3, 5, 7)", NULL, "twice", "axis", "(1, -2)", NULL);
  assert_shape_error ("argmax", "(3, 5, 7)", NULL, "out of range", "axis", "3", NULL);
  assert_shape_error ("argmin", "(3,)", NULL, "out of range", "axis", "1", NULL);
  assert_shape_error ("norm", "(3, 5, 7)", NULL, "ord=3", "ord", "3", NULL);
}

static void
test_norm (void)
{
  static const struct {
    const char *ord, *axis;
    gboolean mask[3];
    RKind kind;
  } cases[] = {
    { NULL, NULL, { 1, 1, 1 }, R_NORM2 },   { "2", "(1,)", { 0, 1, 0 }, R_NORM2 },
    { "1", "-1", { 0, 0, 1 }, R_NORM1 },    { "2", "(0, 2)", { 1, 0, 1 }, R_NORM2 },
    { "1", "None", { 1, 1, 1 }, R_NORM1 },
  };
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 19);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int keep = 0; keep < 2; keep++)
      {
        g_autoptr (MrtTensor) x = rand_tensor (r, "(3, 5, 7)", -2, 2);
        MrtShape os;
        g_autofree double *exp = ref_reduce (x, cases[i].mask, keep, cases[i].kind, &os);
        g_autoptr (MrtTensor) y = run1 ("norm", 1, &x, "keepdims", keep ? "True" : "False",
                                        cases[i].ord ? "ord" : NULL, cases[i].ord, "axis", cases[i].axis, NULL);
        assert_close ("norm", y, &os, exp);
      }
}

static void
test_argmax (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 20);
  static const struct {
    const char *op, *axis;
    int ax; /* -1: flattened */
  } cases[] = {
    { "argmax", NULL, -1 }, { "argmax", "1", 1 },   { "argmax", "-1", 2 }, { "argmax", "0", 0 },
    { "argmin", "None", -1 }, { "argmin", "1", 1 }, { "argmin", "-3", 0 }, { "argmax_channel", NULL, 2 },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    for (int keep = 0; keep < 2; keep++)
      for (int ints = 0; ints < 2; ints++)
        {
          gboolean channel = strcmp (cases[i].op, "argmax_channel") == 0;
          /* integer inputs have ties: the first index must win */
          g_autoptr (MrtTensor) x = ints ? rand_int_tensor (r, "(3, 5, 7)", 0, 3) : rand_tensor (r, "(3, 5, 7)", -2, 2);
          gboolean is_max = strcmp (cases[i].op, "argmin") != 0;
          gboolean mask[3];
          MrtShape os;
          g_autofree double *best = NULL;
          g_autofree double *exp = NULL;
          g_autoptr (MrtTensor) y = NULL;
          gint64 c[MRT_MAX_NDIM];
          for (int k = 0; k < 3; k++)
            mask[k] = cases[i].ax < 0 || cases[i].ax == k;
          /* the reference values, then the first index that reaches them */
          best = ref_reduce (x, mask, TRUE, is_max ? R_MAX : R_MIN, &os);
          g_free (ref_reduce (x, mask, keep, R_SUM, &os));
          exp = new_expected (&os);
          for (gint64 j = 0; j < mrt_shape_size (&os); j++)
            exp[j] = -1;
          for (gint64 j = 0; j < (gint64) x->n; j++)
            {
              MrtShape ks = x->shape;
              gint64 pos, o;
              unravel (j, &x->shape, c);
              pos = cases[i].ax < 0 ? j : c[cases[i].ax];
              for (int k = 0; k < 3; k++)
                if (mask[k])
                  c[k] = 0, ks.dim[k] = 1;
              o = ravel (c, &ks);
              if (exp[o] < 0 && mrt_tensor_f32 (x)[j] == best[o])
                exp[o] = (double) pos;
            }
          if (channel && keep)
            continue; /* argmax_channel has no keepdims */
          y = run1 (cases[i].op, 1, &x, "keepdims", keep ? "True" : "False", cases[i].axis ? "axis" : NULL,
                    cases[i].axis, NULL);
          assert_close (cases[i].op, y, &os, exp);
        }
}

/* Non-contiguous reductions and broadcasts on larger inputs, where the
 * axis-merging fast paths of the kernels matter. */
static void
test_large_mixed (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (SEED + 21);
  g_autoptr (MrtTensor) x = rand_tensor (r, "(2, 3, 4, 5, 6)", -1, 1);
  const gboolean masks[][5] = {
    { 1, 0, 1, 0, 1 }, { 0, 1, 1, 0, 0 }, { 0, 0, 0, 1, 1 }, { 1, 1, 0, 0, 0 }, { 0, 1, 0, 1, 0 },
  };
  for (guint m = 0; m < G_N_ELEMENTS (masks); m++)
    {
      GString *axis = g_string_new ("(");
      MrtShape os;
      g_autofree double *exp = NULL;
      g_autoptr (MrtTensor) y = NULL;
      g_autofree char *text = NULL;
      for (int k = 0; k < 5; k++)
        if (masks[m][k])
          g_string_append_printf (axis, "%s%d", axis->len > 1 ? ", " : "", k);
      g_string_append (axis, ")");
      text = g_string_free (axis, FALSE);
      exp = ref_reduce (x, masks[m], FALSE, R_SUM, &os);
      y = run1 ("sum", 1, &x, "axis", text, NULL);
      assert_close (text, y, &os, exp);
    }
  check_binary (r, "broadcast_add", "add", "(2, 3, 4, 5, 6)", "(2, 1, 4, 1, 6)", 0);
  check_binary (r, "broadcast_mul", "mul", "(1, 3, 1, 5, 1)", "(2, 3, 4, 5, 6)", 0);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/ops-tensor/registry", test_registry);
  g_test_add_func ("/ops-tensor/elemwise/binary", test_elemwise_binary);
  g_test_add_func ("/ops-tensor/elemwise/binary-errors", test_elemwise_binary_errors);
  g_test_add_func ("/ops-tensor/elemwise/broadcast", test_broadcast_binary);
  g_test_add_func ("/ops-tensor/elemwise/broadcast-shapes", test_broadcast_shapes);
  g_test_add_func ("/ops-tensor/elemwise/scalar", test_scalar_ops);
  g_test_add_func ("/ops-tensor/elemwise/scalar-attr", test_scalar_attr_required);
  g_test_add_func ("/ops-tensor/elemwise/unary", test_unary_ops);
  g_test_add_func ("/ops-tensor/elemwise/rounding", test_rounding_by_hand);
  g_test_add_func ("/ops-tensor/elemwise/clip", test_clip);
  g_test_add_func ("/ops-tensor/elemwise/cast", test_cast);
  g_test_add_func ("/ops-tensor/elemwise/where", test_where);
  g_test_add_func ("/ops-tensor/elemwise/add-n", test_add_n);
  g_test_add_func ("/ops-tensor/transform/reshape-shapes", test_reshape_shapes);
  g_test_add_func ("/ops-tensor/transform/reshape-errors", test_reshape_errors);
  g_test_add_func ("/ops-tensor/transform/reshape-data", test_reshape_data);
  g_test_add_func ("/ops-tensor/transform/shape-ops", test_shape_ops);
  g_test_add_func ("/ops-tensor/transform/transpose", test_transpose);
  g_test_add_func ("/ops-tensor/transform/slice", test_slice);
  g_test_add_func ("/ops-tensor/transform/slice-axis", test_slice_axis);
  g_test_add_func ("/ops-tensor/transform/slice-like", test_slice_like);
  g_test_add_func ("/ops-tensor/transform/split", test_split);
  g_test_add_func ("/ops-tensor/transform/concat", test_concat);
  g_test_add_func ("/ops-tensor/transform/repeat", test_repeat);
  g_test_add_func ("/ops-tensor/transform/tile", test_tile);
  g_test_add_func ("/ops-tensor/transform/broadcast-to", test_broadcast_to);
  g_test_add_func ("/ops-tensor/transform/pad", test_pad);
  g_test_add_func ("/ops-tensor/transform/init", test_init_ops);
  g_test_add_func ("/ops-tensor/reduce/values", test_reduce);
  g_test_add_func ("/ops-tensor/reduce/nan", test_reduce_nan);
  g_test_add_func ("/ops-tensor/reduce/shapes", test_reduce_shapes);
  g_test_add_func ("/ops-tensor/reduce/norm", test_norm);
  g_test_add_func ("/ops-tensor/reduce/argmax", test_argmax);
  g_test_add_func ("/ops-tensor/reduce/large", test_large_mixed);
  return g_test_run ();
}
