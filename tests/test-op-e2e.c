/* test-op-e2e.c: one small float model per op, taken through the whole
 * chain: calibrate → quantize → lower to the CVM (mrt_to_cvm) → the CVM
 * loader checks (mrt_cvm_check) → the CVM integer executor. For every model
 *   - the executor's integers equal, bit for bit, the float simulation of the
 *     quantized MXNet-op graph (mrt_model_forward on the quantized input; the
 *     simulation holds exact integers while they stay below 2^24), and
 *   - the dequantized outputs are close to the float model's outputs.
 *
 * Tolerances. Every tensor on the way is symmetric 8-bit (weights, the input,
 * every conv input) or wider (16-bit common scales, LUT tables), so each
 * rounding costs at most half a step of its tensor: 1/254 ≈ 0.4 % of that
 * tensor's threshold. A 3×3 convolution over 2 channels adds up 18 such
 * product errors (mostly cancelling: ~√18 half-steps of the output in the
 * worst realistic case), then one more rounding for the requantized output.
 * So a few percent of the output's absolute maximum bounds the error of an
 * 8-bit model on inputs inside the calibrated range; TOL = 3 % is used, and a
 * real mistake (a wrong scale, a lost offset, a wrong index) is off by tens of
 * percent or more. exp amplifies an input error δ into a relative error of δ
 * at the output, so its bound is looser (see test_exp). */
#include <math.h>
#include <mrt.h>

#include "mrt-test-util.h"

#include "cvm/mrt-cvm.h"

#define TOL 0.03

static GPtrArray *
random_batches (MrtShape s, guint n, GRand *r, double lo, double hi)
{
  GPtrArray *b = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  for (guint i = 0; i < n; i++)
    g_ptr_array_add (b, test_random_tensor (s, r, lo, hi));
  return b;
}

static void
add_param (MrtModel *m, const char *name, MrtTensor *t)
{
  mrt_model_add_variable (m, name);
  mrt_model_set_param (m, name, t);
  mrt_tensor_unref (t);
}

/* x (N, C, H, W) → Convolution(f filters, 3×3, pad 1, bias), weights in [-0.5, 0.5] */
static guint
add_conv (MrtModel *m, const char *name, guint x, gint64 c, gint64 f, GRand *r)
{
  g_autofree char *wn = g_strconcat (name, "_weight", NULL);
  g_autofree char *bn = g_strconcat (name, "_bias", NULL);
  g_autofree char *nf = g_strdup_printf ("%" G_GINT64_FORMAT, f);
  add_param (m, wn, test_random_tensor (mrt_shape_make (4, f, c, (gint64) 3, (gint64) 3), r, -0.5, 0.5));
  add_param (m, bn, test_random_tensor (mrt_shape_make (1, f), r, -0.2, 0.2));
  return mrt_model_add_node (m, name, "Convolution", mrt_attrs_new ("kernel", "(3, 3)", "num_filter", nf, "pad", "(1, 1)", NULL),
                             (MrtEntry[]){ { x, 0 }, { (guint) mrt_model_find (m, wn), 0 },
                                           { (guint) mrt_model_find (m, bn), 0 } },
                             3);
}

static void
finish_model (MrtModel *m, guint head)
{
  g_autoptr (GError) error = NULL;
  mrt_model_add_head (m, (MrtEntry){ head, 0 });
  if (!mrt_model_validate (m, &error))
    g_error ("model: %s", error->message);
}

/* ---- the chain ---- */

typedef struct {
  MrtQuantized *q;
  MrtModel *cvm;
  GPtrArray *fl;  /* float model outputs */
  GPtrArray *sim; /* float simulation of the quantized graph */
  GPtrArray *raw; /* CVM executor outputs, int32 */
  GPtrArray *deq; /* raw / oscales */
} E2E;

static void
e2e_free (E2E *e)
{
  g_clear_pointer (&e->q, mrt_quantized_unref);
  g_clear_pointer (&e->cvm, mrt_model_unref);
  g_clear_pointer (&e->fl, g_ptr_array_unref);
  g_clear_pointer (&e->sim, g_ptr_array_unref);
  g_clear_pointer (&e->raw, g_ptr_array_unref);
  g_clear_pointer (&e->deq, g_ptr_array_unref);
  g_free (e);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (E2E, e2e_free)

static void
set_th (GHashTable *t, const char *name, double v)
{
  g_hash_table_insert (t, g_strdup (name), g_memdup2 (&v, sizeof v));
}

/* Calibrates (absmax over every batch), applies the overrides (name, value,
 * ..., NULL) and quantizes at batch 1. */
static MrtQuantized *
calibrate_quantize (MrtModel *m, GPtrArray *batches, const MrtQuantizeOptions *opts, const char *override, ...)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCalibration) cal = mrt_calibrate (m, batches, MRT_CALIB_ABSMAX, 0, 0, NULL, &error);
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  MrtShape one = ((MrtTensor *) g_ptr_array_index (batches, 0))->shape;
  GHashTableIter it;
  gpointer k, v;
  va_list ap;
  MrtQuantized *q;

  g_assert_no_error (error);
  g_hash_table_iter_init (&it, mrt_calibration_get_thresholds (cal));
  while (g_hash_table_iter_next (&it, &k, &v))
    set_th (th, k, *(double *) v);
  va_start (ap, override);
  for (const char *name = override; name; name = va_arg (ap, const char *))
    set_th (th, name, va_arg (ap, double));
  va_end (ap);
  one.dim[0] = 1;
  q = mrt_quantize (m, &one, th, opts, NULL, &error);
  if (q == NULL)
    g_error ("quantize: %s", error->message);
  return q;
}

/* Every value of the simulation is an integer below 2^24 and equals the
 * executor's. */
static void
assert_bit_exact (GPtrArray *sim, GPtrArray *raw)
{
  g_assert_cmpuint (sim->len, ==, raw->len);
  for (guint h = 0; h < raw->len; h++)
    {
      MrtTensor *s = g_ptr_array_index (sim, h), *r = g_ptr_array_index (raw, h);
      g_assert_cmpint (s->dtype, ==, MRT_DTYPE_F32);
      g_assert_cmpint (r->dtype, ==, MRT_DTYPE_I32);
      g_assert_true (mrt_shape_equal (&s->shape, &r->shape));
      for (gsize i = 0; i < r->n; i++)
        {
          float f = mrt_tensor_f32 (s)[i];
          gint32 v = mrt_tensor_i32 (r)[i];
          g_assert_cmpfloat (fabsf (f), <, 16777216.0f);
          g_assert_cmpfloat (f, ==, floorf (f));
          if ((gint32) f != v)
            g_error ("head %u element %" G_GSIZE_FORMAT ": executor %d, simulation %.1f", h, i, v, (double) f);
        }
    }
}

/* Lowers, checks, runs the executor and the float simulation on x and
 * compares them; runs the float model on x. */
static E2E *
e2e_run_quantized (MrtModel *m, MrtQuantized *q, MrtTensor *x)
{
  g_autoptr (E2E) e = g_new0 (E2E, 1);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtCvmExec) exec = NULL;
  g_autoptr (MrtTensor) xq = NULL;
  g_autoptr (MrtTensor) xqf = NULL;
  MrtCvmReport report = { 0 };

  e->q = mrt_quantized_ref (q);
  e->cvm = mrt_to_cvm (q->model, &x->shape, &error);
  if (e->cvm == NULL)
    g_error ("mrt_to_cvm: %s", error->message);
  if (!mrt_cvm_check (e->cvm, &report, &error))
    g_error ("mrt_cvm_check: %s", error->message);
  g_test_message ("gas %" G_GUINT64_FORMAT ", %u lint warnings", report.gas, report.warnings ? report.warnings->len : 0);
  for (guint i = 0; report.warnings && i < report.warnings->len; i++)
    g_test_message ("lint: %s", ((MrtCvmLint *) g_ptr_array_index (report.warnings, i))->message);
  mrt_cvm_report_clear (&report);

  exec = mrt_cvm_exec_new (e->cvm, 1, &error);
  g_assert_no_error (error);
  xq = mrt_quantize_input (x, q->input_scale, q->input_precision);
  e->raw = mrt_cvm_exec_run (exec, xq, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (e->raw->len, ==, mrt_model_n_heads (m));

  /* the quantized MXNet-op graph, simulated in float on the same integers */
  xqf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
  e->sim = mrt_model_forward (q->model, &xqf, 1, NULL, &error);
  g_assert_no_error (error);
  assert_bit_exact (e->sim, e->raw);

  e->fl = mrt_model_forward (m, &x, 1, NULL, &error);
  g_assert_no_error (error);
  e->deq = mrt_dequantize_outputs (e->raw, q->oscales);
  return g_steal_pointer (&e);
}

/* The whole chain on every batch; returns the run on batch 0. */
static E2E *
e2e_run (MrtModel *m, GPtrArray *batches, const MrtQuantizeOptions *opts)
{
  g_autoptr (MrtQuantized) q = calibrate_quantize (m, batches, opts, NULL);
  for (guint i = 1; i < batches->len; i++)
    {
      g_autoptr (E2E) other = e2e_run_quantized (m, q, g_ptr_array_index (batches, i));
    }
  return e2e_run_quantized (m, q, g_ptr_array_index (batches, 0));
}

/* max |deq − float| over head h, as a fraction of the float absmax */
static double
rel_error (E2E *e, guint h)
{
  MrtTensor *f = g_ptr_array_index (e->fl, h), *d = g_ptr_array_index (e->deq, h);
  double err = 0, range = 0;
  g_assert_true (mrt_shape_equal (&f->shape, &d->shape));
  for (gsize i = 0; i < f->n; i++)
    {
      err = MAX (err, fabs (mrt_tensor_f32 (f)[i] - mrt_tensor_f32 (d)[i]));
      range = MAX (range, fabs (mrt_tensor_f32 (f)[i]));
    }
  g_assert_cmpfloat (range, >, 0);
  return err / range;
}

static void
assert_close (E2E *e, double tol)
{
  for (guint h = 0; h < e->fl->len; h++)
    {
      double r = rel_error (e, h);
      g_test_message ("head %u: max error %.4f of the absmax", h, r);
      g_assert_cmpfloat (r, <=, tol);
    }
}

static gboolean
has_cvm_op (MrtModel *cvm, const char *op)
{
  for (guint i = 0; i < mrt_model_n_nodes (cvm); i++)
    if (g_str_equal (mrt_model_node (cvm, i)->op, op))
      return TRUE;
  return FALSE;
}

static MrtQuantizeOptions
options (int output_precision)
{
  MrtQuantizeOptions o;
  mrt_quantize_options_init (&o);
  o.output_precision = output_precision;
  return o;
}

#define XSHAPE mrt_shape_make (4, (gint64) 2, (gint64) 2, (gint64) 5, (gint64) 5)

/* ---- clip ---- */

/* data → conv(4) → clip(-0.4, 0.7): both bounds cut (the conv output spans
 * about ±1.5). The rule scales the bounds by the input's scale; the output
 * is requantized to 8 bits. */
static void
test_clip (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (101);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 4, r);
  guint cl = mrt_model_add_node (m, "clip0", "clip", mrt_attrs_new ("a_min", "-0.4", "a_max", "0.7", NULL),
                                 (MrtEntry[]){ { c, 0 } }, 1);
  g_autoptr (E2E) e = NULL;
  MrtTensor *f;
  guint lo = 0, hi = 0;

  finish_model (m, cl);
  e = e2e_run (m, batches, &o);
  g_assert_true (has_cvm_op (e->cvm, "clip"));
  /* the bounds are hit, so the test sees the clip act */
  f = g_ptr_array_index (e->fl, 0);
  for (gsize i = 0; i < f->n; i++)
    {
      lo += mrt_tensor_f32 (f)[i] == -0.4f;
      hi += mrt_tensor_f32 (f)[i] == 0.7f;
    }
  g_assert_cmpuint (lo, >, 0);
  g_assert_cmpuint (hi, >, 0);
  assert_close (e, TOL);
}

/* relu6-style clip whose integer bounds feed a convolution: the conv's
 * input must be an 8-bit value for the CVM (conv2d p0 <= 8). */
static void
test_clip_then_conv (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (102);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 4, r);
  guint cl = mrt_model_add_node (m, "clip0", "clip", mrt_attrs_new ("a_min", "0", "a_max", "0.6", NULL),
                                 (MrtEntry[]){ { c, 0 } }, 1);
  guint c2 = add_conv (m, "conv1", cl, 4, 3, r);
  g_autoptr (E2E) e = NULL;

  finish_model (m, c2);
  e = e2e_run (m, batches, &o);
  assert_close (e, TOL);
}

/* Integer bounds of the form 2^k − 1: with the data threshold set to 1 the
 * input scale is 127 and clip(-1, 1) becomes clip(-127, 127). The CVM infers
 * numprec(127) = 9 bits for it (cvm.md §3.3: "clip(-127,127) gives 9, not
 * 8"), while every value fits 8 bits; the convolution behind it takes only
 * 8-bit inputs, so the quantizer must not present it as an 8-bit value. */
static void
test_clip_pow2_bounds (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (103);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1.2, 1.2);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint cl = mrt_model_add_node (m, "clip0", "clip", mrt_attrs_new ("a_min", "-1", "a_max", "1", NULL),
                                 (MrtEntry[]){ { d, 0 } }, 1);
  guint c = add_conv (m, "conv0", cl, 2, 3, r);
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (E2E) e = NULL;
  const MrtNode *n;

  finish_model (m, c);
  q = calibrate_quantize (m, batches, &o, "data", 1.0, NULL);
  n = mrt_model_node (q->model, (guint) mrt_model_find (q->model, "clip0"));
  g_assert_cmpstr (mrt_node_get_attr (n, "a_min"), ==, "-127");
  g_assert_cmpstr (mrt_node_get_attr (n, "a_max"), ==, "127");
  for (guint i = 0; i < batches->len; i++)
    {
      g_autoptr (E2E) run = e2e_run_quantized (m, q, g_ptr_array_index (batches, i));
      if (i == 0)
        e = g_steal_pointer (&run);
    }
  /* data beyond ±1 saturates at the input already, as the float clip does */
  assert_close (e, TOL);
}

/* ---- sigmoid, exp (LUT) ---- */

/* data → conv(3) → sigmoid: the conv output is requantized exactly to 8
 * bits, offset by 127 and looked up in a 255-entry table of 16-bit values. */
static void
test_sigmoid (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (201);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 3, r);
  guint s = mrt_model_add_node (m, "sig0", "sigmoid", NULL, (MrtEntry[]){ { c, 0 } }, 1);
  g_autoptr (E2E) e = NULL;

  finish_model (m, s);
  e = e2e_run (m, batches, &o);
  g_assert_true (has_cvm_op (e->cvm, "cvm_lut"));
  /* sigmoid's slope is at most 1/4: errors shrink on the way through */
  assert_close (e, TOL);
}

/* data → exp (the input's own 8-bit scale), and data → conv → exp. */
static void
test_exp (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (202);
  for (int with_conv = 0; with_conv < 2; with_conv++)
    {
      g_autoptr (MrtModel) m = mrt_model_new ();
      g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1.5, 1.5);
      MrtQuantizeOptions o = options (8);
      guint d = mrt_model_add_variable (m, "data");
      guint c = with_conv ? add_conv (m, "conv0", d, 2, 3, r) : d;
      guint x = mrt_model_add_node (m, "exp0", "exp", NULL, (MrtEntry[]){ { c, 0 } }, 1);
      g_autoptr (E2E) e = NULL;

      finish_model (m, x);
      e = e2e_run (m, batches, &o);
      g_assert_true (has_cvm_op (e->cvm, "cvm_lut"));
      /* exp turns an absolute input error δ into a relative output error of
       * about δ. Directly on the data, δ is half an 8-bit step of 1.5
       * (0.6 %); behind the convolution it is the conv's few-percent error
       * (of its threshold, ~2), i.e. up to ~6 % at the largest outputs. */
      assert_close (e, with_conv ? 2 * TOL : TOL);
    }
}

/* ---- Embedding ---- */

/* data (N, 5) holding token ids → Embedding(V × 4). The ids come in with
 * the input's scale (127/(V−1) at 8 bits) and are requantized back to scale
 * 1, exactly; the table is quantized to 16 bits. The output rows are the
 * quantized table's rows, exactly. V = 10 with an 8-bit input, and V = 300
 * with a 16-bit input (ids above 127 need it, as trec's Input_precision). */
typedef struct {
  gint64 vocab;
  int input_precision;
} EmbeddingCase;

static void
test_embedding (gconstpointer data)
{
  const EmbeddingCase *ec = data;
  g_autoptr (GRand) r = g_rand_new_with_seed (301);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  MrtShape xs = mrt_shape_make (2, (gint64) 3, (gint64) 5);
  MrtQuantizeOptions o = options (0);
  guint d = mrt_model_add_variable (m, "data"), em;
  g_autofree char *vocab = g_strdup_printf ("%" G_GINT64_FORMAT, ec->vocab);
  g_autoptr (E2E) e = NULL;
  MrtTensor *w, *wq = NULL, *x, *out;
  double sw;

  o.input_precision = ec->input_precision;
  add_param (m, "emb_weight", test_random_tensor (mrt_shape_make (2, ec->vocab, (gint64) 4), r, -2, 2));
  em = mrt_model_add_node (m, "emb0", "Embedding", mrt_attrs_new ("input_dim", vocab, "output_dim", "4", NULL),
                           (MrtEntry[]){ { d, 0 }, { (guint) mrt_model_find (m, "emb_weight"), 0 } }, 2);
  finish_model (m, em);
  for (int b = 0; b < 3; b++)
    {
      MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &xs);
      for (gsize i = 0; i < t->n; i++)
        mrt_tensor_f32 (t)[i] = (float) g_rand_int_range (r, 0, (gint32) ec->vocab);
      mrt_tensor_f32 (t)[b] = (float) (ec->vocab - 1); /* the largest id, in every batch */
      mrt_tensor_f32 (t)[5 + b] = 0;
      g_ptr_array_add (batches, t);
    }
  e = e2e_run (m, batches, &o);
  g_assert_true (has_cvm_op (e->cvm, "take"));

  w = mrt_model_get_param (m, "emb_weight");
  for (guint i = 0; i < mrt_model_n_nodes (e->q->model); i++)
    if (g_str_has_prefix (mrt_model_node (e->q->model, i)->name, "mrt_quantize_emb_weight"))
      wq = mrt_model_get_param (e->q->model, mrt_model_node (e->q->model, i)->name);
  g_assert_nonnull (wq);
  sw = g_array_index (e->q->oscales, double, 0);
  g_assert_cmpfloat_with_epsilon (sw, 32767 / mrt_tensor_absmax (w), 1e-9 * sw);
  x = g_ptr_array_index (batches, 0);
  out = g_ptr_array_index (e->raw, 0);
  for (gsize i = 0; i < x->n; i++)
    {
      gint64 id = (gint64) mrt_tensor_f32 (x)[i];
      for (int j = 0; j < 4; j++)
        {
          gint32 v = mrt_tensor_i32 (out)[i * 4 + (gsize) j];
          g_assert_cmpfloat (v, ==, mrt_tensor_f32 (wq)[id * 4 + j]);
          /* and the quantized row is the float row within half a 16-bit step */
          g_assert_cmpfloat (fabs (v / sw - mrt_tensor_f32 (w)[id * 4 + j]), <=, 0.5 / sw + 1e-6);
        }
    }
}

/* ---- argmax, argmin ---- */

/* data (N, 8) → FullyConnected(6) → argmax/argmin(axis=1). Indices have
 * scale 1. Compared with the float model where the best score leads the
 * runner-up by more than the quantization error. */
static void
test_index (gconstpointer data)
{
  const char *op = data;
  gboolean is_max = g_str_equal (op, "argmax");
  g_autoptr (GRand) r = g_rand_new_with_seed (401);
  g_autoptr (MrtModel) m = mrt_model_new ();
  MrtShape xs = mrt_shape_make (2, (gint64) 16, (gint64) 8);
  g_autoptr (GPtrArray) batches = random_batches (xs, 3, r, -1, 1);
  MrtQuantizeOptions o = options (0);
  guint d = mrt_model_add_variable (m, "data"), fc, am;
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (GError) error = NULL;
  guint compared = 0;

  add_param (m, "fc_weight", test_random_tensor (mrt_shape_make (2, (gint64) 6, (gint64) 8), r, -1, 1));
  add_param (m, "fc_bias", test_random_tensor (mrt_shape_make (1, (gint64) 6), r, -0.2, 0.2));
  fc = mrt_model_add_node (m, "fc0", "FullyConnected", mrt_attrs_new ("num_hidden", "6", NULL),
                           (MrtEntry[]){ { d, 0 }, { (guint) mrt_model_find (m, "fc_weight"), 0 },
                                         { (guint) mrt_model_find (m, "fc_bias"), 0 } },
                           3);
  am = mrt_model_add_node (m, "idx0", op, mrt_attrs_new ("axis", "1", NULL), (MrtEntry[]){ { fc, 0 } }, 1);
  finish_model (m, am);
  q = calibrate_quantize (m, batches, &o, NULL);
  g_assert_cmpfloat (g_array_index (q->oscales, double, 0), ==, 1);

  for (guint b = 0; b < batches->len; b++)
    {
      MrtTensor *x = g_ptr_array_index (batches, b);
      g_autoptr (MrtTensor) xq = mrt_quantize_input (x, q->input_scale, q->input_precision);
      g_autoptr (MrtTensor) xqf = mrt_tensor_convert (xq, MRT_DTYPE_F32);
      g_autoptr (MrtTensor) sim = mrt_model_forward1 (q->model, xqf, &error);
      g_autoptr (MrtTensor) idx = mrt_model_forward1 (m, x, &error);
      g_autoptr (MrtModel) scores_model = mrt_model_new ();
      g_autoptr (MrtTensor) scores = NULL;
      g_assert_no_error (error);

      /* the float scores, for the margins */
      mrt_model_add_variable (scores_model, "data");
      mrt_model_add_variable (scores_model, "fc_weight");
      mrt_model_add_variable (scores_model, "fc_bias");
      mrt_model_set_param (scores_model, "fc_weight", mrt_model_get_param (m, "fc_weight"));
      mrt_model_set_param (scores_model, "fc_bias", mrt_model_get_param (m, "fc_bias"));
      finish_model (scores_model, mrt_model_add_node (scores_model, "fc0", "FullyConnected",
                                                      mrt_attrs_new ("num_hidden", "6", NULL),
                                                      (MrtEntry[]){ { 0, 0 }, { 1, 0 }, { 2, 0 } }, 3));
      scores = mrt_model_forward1 (scores_model, x, &error);
      g_assert_no_error (error);
      for (gint64 i = 0; i < 16; i++)
        {
          const float *row = mrt_tensor_f32 (scores) + i * 6;
          gint64 best = (gint64) mrt_tensor_f32 (idx)[i];
          double gap = INFINITY;
          for (gint64 j = 0; j < 6; j++)
            if (j != best)
              gap = MIN (gap, is_max ? row[best] - row[j] : row[j] - row[best]);
          g_assert_cmpfloat (gap, >=, 0);
          /* the FC output's error is ≤ 3 % of its range (about ±3) */
          if (gap > 0.1)
            {
              g_assert_cmpfloat (mrt_tensor_f32 (sim)[i], ==, (float) best);
              compared++;
            }
        }
    }
  g_assert_cmpuint (compared, >=, 40);

  /* The CVM has no argmax/argmin operator (cvm.md §3.1: "Not available
   * although often mentioned: … argmax"; a graph with one fails to load),
   * so lowering refuses it by name. */
  {
    g_autoptr (MrtModel) cvm = mrt_to_cvm (q->model, &((MrtTensor *) g_ptr_array_index (batches, 0))->shape, &error);
    g_assert_null (cvm);
    g_assert_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED);
    g_assert_nonnull (strstr (error->message, op));
  }
}

/* ---- broadcast_add / broadcast_sub ---- */

/* data → conv(4) = A.
 *   add:  broadcast_add(A, Z) with Z an all-zero (1, 4, 1, 1) parameter
 *         (threshold 0 on input 1),
 *   sub:  broadcast_sub(broadcast_mul(A, 0), A) (threshold 0 on input 0: an
 *         operator, as prepare makes of zeros_like),
 *   both: broadcast_add(A, B) with a non-zero B (the common-scale rule). */
static void
test_broadcast_addsub (gconstpointer data)
{
  const char *variant = data;
  g_autoptr (GRand) r = g_rand_new_with_seed (501);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 4, r), out;
  g_autoptr (E2E) e = NULL;

  if (g_str_equal (variant, "sub"))
    {
      guint z, mul;
      add_param (m, "zero", mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 1, { 1 } }));
      z = (guint) mrt_model_find (m, "zero");
      mul = mrt_model_add_node (m, "mul0", "broadcast_mul", NULL, (MrtEntry[]){ { c, 0 }, { z, 0 } }, 2);
      out = mrt_model_add_node (m, "sub0", "broadcast_sub", NULL, (MrtEntry[]){ { mul, 0 }, { c, 0 } }, 2);
    }
  else
    {
      MrtShape bs = mrt_shape_make (4, (gint64) 1, (gint64) 4, (gint64) 1, (gint64) 1);
      add_param (m, "b", g_str_equal (variant, "add") ? mrt_tensor_new (MRT_DTYPE_F32, &bs)
                                                      : test_random_tensor (bs, r, -1, 1));
      out = mrt_model_add_node (m, "add0", "broadcast_add", NULL,
                                (MrtEntry[]){ { c, 0 }, { (guint) mrt_model_find (m, "b"), 0 } }, 2);
    }
  finish_model (m, out);
  e = e2e_run (m, batches, &o);
  assert_close (e, TOL);
}

/* ---- Concat ---- */

/* data → conv0(2), conv1(2) (different scales) → Concat(dim=1 or -1), plus
 * the data itself: three inputs brought to one 16-bit scale. */
static void
test_concat (gconstpointer data)
{
  const char *dim = data;
  g_autoptr (GRand) r = g_rand_new_with_seed (601);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c0 = add_conv (m, "conv0", d, 2, 2, r);
  guint c1 = add_conv (m, "conv1", d, 2, 2, r);
  guint cat = mrt_model_add_node (m, "cat0", "Concat", mrt_attrs_new ("dim", dim, "num_args", "3", NULL),
                                  (MrtEntry[]){ { c0, 0 }, { d, 0 }, { c1, 0 } }, 3);
  g_autoptr (E2E) e = NULL;
  MrtTensor *out;

  finish_model (m, cat);
  e = e2e_run (m, batches, &o);
  g_assert_true (has_cvm_op (e->cvm, "concatenate"));
  out = g_ptr_array_index (e->raw, 0);
  if (g_str_equal (dim, "1"))
    g_assert_cmpint (out->shape.dim[1], ==, 6);
  else
    g_assert_cmpint (out->shape.dim[3], ==, 15);
  assert_close (e, TOL);
}

/* ---- Dropout (identity) ---- */

static void
test_dropout (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (701);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 3, r);
  guint dr = mrt_model_add_node (m, "drop0", "Dropout", mrt_attrs_new ("p", "0.5", NULL), (MrtEntry[]){ { c, 0 } }, 1);
  guint re = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { dr, 0 } }, 1);
  guint dr2 = mrt_model_add_node (m, "drop1", "Dropout", mrt_attrs_new ("p", "0.1", NULL), (MrtEntry[]){ { re, 0 } }, 1);
  g_autoptr (E2E) e = NULL;

  finish_model (m, dr2);
  e = e2e_run (m, batches, &o);
  /* gone from the CVM graph, inside it and at its output */
  g_assert_false (has_cvm_op (e->cvm, "Dropout"));
  assert_close (e, TOL);
}

/* ---- slice ---- */

typedef struct {
  const char *begin, *end, *step;
} SliceCase;

/* data → conv(4) → slice: None entries, negative ends and steps. */
static void
test_slice (void)
{
  static const SliceCase cases[] = {
    { "(None, 1, 0, None)", "(None, 3, None, -1)", NULL },
    { "(None, None, 1, None)", "(None, None, 5, None)", "(None, 2, 2, None)" },
    { "(0, 3, None, -2)", "(2, 0, None, None)", "(1, -1, -2, -1)" },
    { "(None, -3)", "(None, -1)", NULL }, /* shorter than the rank: the other axes whole */
  };
  for (guint k = 0; k < G_N_ELEMENTS (cases); k++)
    {
      g_autoptr (GRand) r = g_rand_new_with_seed (801 + k);
      g_autoptr (MrtModel) m = mrt_model_new ();
      g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
      MrtQuantizeOptions o = options (8);
      guint d = mrt_model_add_variable (m, "data");
      guint c = add_conv (m, "conv0", d, 2, 4, r);
      GHashTable *a = mrt_attrs_new ("begin", cases[k].begin, "end", cases[k].end, NULL);
      guint s;
      g_autoptr (E2E) e = NULL;

      if (cases[k].step)
        g_hash_table_insert (a, g_strdup ("step"), g_strdup (cases[k].step));
      s = mrt_model_add_node (m, "slice0", "slice", a, (MrtEntry[]){ { c, 0 } }, 1);
      finish_model (m, s);
      g_test_message ("slice begin=%s end=%s step=%s", cases[k].begin, cases[k].end, cases[k].step);
      e = e2e_run (m, batches, &o);
      g_assert_true (has_cvm_op (e->cvm, "strided_slice"));
      assert_close (e, TOL);
    }
}

/* ---- UpSampling (nearest) ---- */

static void
test_upsampling (void)
{
  g_autoptr (GRand) r = g_rand_new_with_seed (901);
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GPtrArray) batches = random_batches (XSHAPE, 3, r, -1, 1);
  MrtQuantizeOptions o = options (8);
  guint d = mrt_model_add_variable (m, "data");
  guint c = add_conv (m, "conv0", d, 2, 3, r);
  guint up = mrt_model_add_node (m, "up0", "UpSampling",
                                 mrt_attrs_new ("scale", "2", "sample_type", "nearest", "num_args", "1", NULL),
                                 (MrtEntry[]){ { c, 0 } }, 1);
  g_autoptr (E2E) e = NULL;
  MrtTensor *out;

  finish_model (m, up);
  e = e2e_run (m, batches, &o);
  g_assert_true (has_cvm_op (e->cvm, "upsampling"));
  out = g_ptr_array_index (e->raw, 0);
  g_assert_cmpint (out->shape.dim[2], ==, 10);
  g_assert_cmpint (out->shape.dim[3], ==, 10);
  assert_close (e, TOL);
}

/* Nearest UpSampling of two inputs concatenates both, each scaled to the
 * output size; the CVM's upsampling takes one input. Quantizing it as a
 * pass-through mixed the two inputs' scales, and lowering dropped the
 * second input (a (1, 2, 6, 6) result for a (1, 4, 6, 6) output). Both
 * refuse it now. */
static void
test_upsampling_multi_input_refused (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GHashTable) th = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GError) error = NULL;
  MrtShape xs = mrt_shape_make (4, (gint64) 1, (gint64) 2, (gint64) 3, (gint64) 3);
  MrtQuantizeOptions o = options (0);
  guint d = mrt_model_add_variable (m, "data");
  guint re = mrt_model_add_node (m, "relu0", "relu", NULL, (MrtEntry[]){ { d, 0 } }, 1);
  guint up = mrt_model_add_node (m, "up0", "UpSampling",
                                 mrt_attrs_new ("scale", "2", "sample_type", "nearest", "num_args", "2", NULL),
                                 (MrtEntry[]){ { d, 0 }, { re, 0 } }, 2);
  g_autoptr (MrtQuantized) q = NULL;
  g_autoptr (MrtModel) cvm = NULL;

  finish_model (m, up);
  set_th (th, "data", 1);
  set_th (th, "relu0", 0.5);
  set_th (th, "up0", 1);
  q = mrt_quantize (m, &xs, th, &o, NULL, &error);
  g_assert_null (q);
  g_assert_error (error, MRT_QUANTIZE_ERROR, MRT_QUANTIZE_ERROR_UNSUPPORTED);
  g_assert_nonnull (strstr (error->message, "up0"));
  g_clear_error (&error);
  /* the graph has no parameters: it lowers as it is, or should */
  cvm = mrt_to_cvm (m, &xs, &error);
  g_assert_null (cvm);
  g_assert_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/op-e2e/clip", test_clip);
  g_test_add_func ("/op-e2e/clip-then-conv", test_clip_then_conv);
  g_test_add_func ("/op-e2e/clip-pow2-bounds", test_clip_pow2_bounds);
  g_test_add_func ("/op-e2e/sigmoid", test_sigmoid);
  g_test_add_func ("/op-e2e/exp", test_exp);
  g_test_add_data_func ("/op-e2e/embedding", &(EmbeddingCase){ 10, 8 }, test_embedding);
  g_test_add_data_func ("/op-e2e/embedding-16bit-ids", &(EmbeddingCase){ 300, 16 }, test_embedding);
  g_test_add_data_func ("/op-e2e/argmax", "argmax", test_index);
  g_test_add_data_func ("/op-e2e/argmin", "argmin", test_index);
  g_test_add_data_func ("/op-e2e/broadcast-add-zero", "add", test_broadcast_addsub);
  g_test_add_data_func ("/op-e2e/broadcast-sub-zero", "sub", test_broadcast_addsub);
  g_test_add_data_func ("/op-e2e/broadcast-add", "both", test_broadcast_addsub);
  g_test_add_data_func ("/op-e2e/concat", "1", test_concat);
  g_test_add_data_func ("/op-e2e/concat-last-axis", "-1", test_concat);
  g_test_add_func ("/op-e2e/dropout", test_dropout);
  g_test_add_func ("/op-e2e/slice", test_slice);
  g_test_add_func ("/op-e2e/upsampling", test_upsampling);
  g_test_add_func ("/op-e2e/upsampling-multi-input-refused", test_upsampling_multi_input_refused);
  return g_test_run ();
}
