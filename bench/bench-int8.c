/* bench-int8.c: the CVM integer executor's int8 convolution against the
 * float executor's, in the same process.
 *
 *  - per layer: the conv2d shapes of a CIFAR ResNet-20 at batch 64, the
 *    float Convolution kernel (im2col + OpenBLAS sgemm, what the float
 *    executor calls) against mrt_cvm_conv2d_run with packed weights, on the
 *    default kernel path and on every other path this CPU has;
 *  - whole model: the ResNet-20-style fixture (tests/data/models/resnet20,
 *    Fashion-MNIST 28x28) quantized by the pipeline, float executor on the
 *    original model against the CVM executor on the quantized model, same
 *    batch of real images.
 *
 * Each pair is timed alternately (A, B, A, B...) for at least --seconds and
 * the best time of each is kept: on a shared machine the slow runs measure
 * the other tenants. Ratio = baseline time / our time (> 1: faster).
 *
 * Output: rows "| figure | value | baseline | baseline value | ratio |",
 * which bench/run gathers into one table (--header prints the header).
 *
 * Usage: bench-int8 [--config resnet20.ini] [--batch 64] [--seconds S]
 *                   [--threads N] [--header] [--quick] */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cvm/mrt-cvm-exec.h"
#include "cvm/mrt-cvm-gemm.h"
#include "mrt-compile.h"
#include "mrt-dataset.h"
#include "mrt-evaluate.h"
#include "mrt-pipeline.h"
#include "mrt.h"

#include "bench-common.h"

static char float_label[128] = "float";

/* ---- per layer ------------------------------------------------------------ */

/* how often each shape occurs in ResNet-20 (conv0, 6 + 1 + 5 + 1, ...) */
static const int layer_count[] = { 1, 6, 1, 5, 1, 1, 5, 1 };

typedef struct {
  MrtCvmConvGeom g;
  gint32 *x, *w, *b, *y;
  MrtCvmPacked *pk;
  guint threads;
} IntConv;

static void
run_int_conv (gpointer data)
{
  IntConv *r = data;
  mrt_cvm_conv2d_run (&r->g, r->x, r->w, r->b, r->pk, r->y, r->threads);
}

/* Times one layer: float and int8 (default path), then the other paths
 * (int8 only, same process). Returns the times through *tf, *ti. */
static void
bench_layer (const BenchLayer *l, int batch, guint threads, GRand *rng, double *tf, double *ti, double *tpath)
{
  int o = (l->hw + 2 * l->p - l->k) / l->s + 1;
  double macs = (double) batch * l->f * o * o * l->c * l->k * l->k;
  g_autoptr (MrtModel) model = mrt_model_new ();
  MrtEntry in[3] = { { mrt_model_add_variable (model, "data"), 0 }, { mrt_model_add_variable (model, "w"), 0 },
                     { mrt_model_add_variable (model, "b"), 0 } };
  guint node = mrt_model_add_node (model, "conv", "Convolution", bench_conv_attrs (l->f, l->k, l->s, l->p, FALSE), in, 3);
  BenchFloatConv fc = { mrt_op_lookup ("Convolution"), mrt_model_node (model, node) };
  IntConv ic = { { batch, l->c, l->hw, l->hw, l->f, o, o, l->k, l->k, l->s, l->s, l->p, l->p, 1, 1, 1 } };
  gsize nx = (gsize) batch * l->c * l->hw * l->hw, nw = (gsize) l->f * l->c * l->k * l->k;
  char value[64], bvalue[64], figure[128];

  fc.in[0] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { batch, l->c, l->hw, l->hw } });
  fc.in[1] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { l->f, l->c, l->k, l->k } });
  fc.in[2] = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 1, { l->f } });
  fc.out = mrt_tensor_new (MRT_DTYPE_F32, &(MrtShape){ 4, { batch, l->f, o, o } });
  ic.x = g_new (gint32, nx);
  ic.w = g_new (gint32, nw);
  ic.b = g_new (gint32, l->f);
  ic.y = g_new (gint32, (gsize) batch * l->f * o * o);
  ic.threads = threads;
  for (int i = 0; i < 3; i++)
    for (gsize j = 0; j < fc.in[i]->n; j++)
      mrt_tensor_f32 (fc.in[i])[j] = (float) g_rand_double_range (rng, -1, 1);
  for (gsize j = 0; j < nx; j++)
    ic.x[j] = g_rand_int_range (rng, -127, 128);
  for (gsize j = 0; j < nw; j++)
    ic.w[j] = g_rand_int_range (rng, -127, 128);
  for (int j = 0; j < l->f; j++)
    ic.b[j] = g_rand_int_range (rng, -10000, 10000);
  ic.pk = mrt_cvm_pack_conv2d (&ic.g, ic.w, ic.b);

  bench_time_pair (bench_run_float_conv, &fc, run_int_conv, &ic, 3, tf, ti);
  g_snprintf (figure, sizeof figure, "conv %s, batch %d: int8 (%s)", l->name, batch,
              mrt_cvm_kernel_path_name (mrt_cvm_kernel_path ()));
  g_snprintf (value, sizeof value, "%.2f ms (%.0f GOP/s)", *ti * 1e3, 2 * macs / *ti / 1e9);
  g_snprintf (bvalue, sizeof bvalue, "%.2f ms (%.0f GFLOP/s)", *tf * 1e3, 2 * macs / *tf / 1e9);
  bench_row (figure, value, float_label, bvalue, *tf / *ti);

  /* the other paths, against the default one */
  for (int p = MRT_CVM_KERNEL_AVX2; p < MRT_CVM_KERNEL_N_PATHS; p++)
    {
      MrtCvmKernelPath best = mrt_cvm_kernel_path ();
      IntConv other = ic;
      double t_other;
      if (p == (int) best || !mrt_cvm_kernel_path_supported (p))
        continue;
      mrt_cvm_kernel_force_path (p);
      other.pk = mrt_cvm_pack_conv2d (&ic.g, ic.w, ic.b);
      mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
      /* each call runs the path its pack was made for: forced around the call */
      {
        gint64 start = g_get_monotonic_time ();
        int n = 0;
        t_other = G_MAXDOUBLE;
        while (n < 3 || ((g_get_monotonic_time () - start) / 1e6 < bench_min_seconds / 2 && n < 1000))
          {
            gint64 t0;
            mrt_cvm_kernel_force_path (p);
            t0 = g_get_monotonic_time ();
            run_int_conv (&other);
            t_other = MIN (t_other, (g_get_monotonic_time () - t0) / 1e6);
            mrt_cvm_kernel_force_path (MRT_CVM_KERNEL_AUTO);
            n++;
          }
      }
      tpath[p] += t_other * layer_count[l - bench_layers];
      mrt_cvm_packed_free (other.pk);
    }

  for (int i = 0; i < 3; i++)
    mrt_tensor_unref (fc.in[i]);
  mrt_tensor_unref (fc.out);
  mrt_cvm_packed_free (ic.pk);
  g_free (ic.x);
  g_free (ic.w);
  g_free (ic.b);
  g_free (ic.y);
}

/* ---- whole model ------------------------------------------------------------ */

typedef struct {
  MrtModel *model;
  MrtTensor *x;
} FloatRun;

static void
run_float_model (gpointer data)
{
  FloatRun *r = data;
  GError *error = NULL;
  MrtTensor *y = mrt_model_forward1 (r->model, r->x, &error);
  if (y == NULL)
    g_error ("float model: %s", error->message);
  mrt_tensor_unref (y);
}

typedef struct {
  MrtCvmExec *exec;
  MrtTensor *xq;
} IntRun;

static void
run_int_model (gpointer data)
{
  IntRun *r = data;
  GError *error = NULL;
  GPtrArray *y = mrt_cvm_exec_run (r->exec, r->xq, NULL, &error);
  if (y == NULL)
    g_error ("CVM model: %s", error->message);
  g_ptr_array_unref (y);
}

static MrtState *
quantize (const char *ini, MrtConfig **config)
{
  g_autoptr (GError) error = NULL;
  MrtConfig *c = mrt_config_load (ini, &error);
  g_autoptr (MrtModel) original = NULL;
  g_autoptr (MrtState) s0 = NULL;
  MrtState *s;
  if (c == NULL || !(original = mrt_pipeline_load_original (c, &error)))
    g_error ("%s: %s", ini, error->message);
  s0 = mrt_state_new (original);
  if (!(s = mrt_pipeline_run_stages (s0, c, MRT_STAGE_MERGE_MODEL, NULL, &error)))
    g_error ("%s: %s", ini, error->message);
  *config = c;
  return s;
}

static void
bench_model (const char *ini, int batch, guint threads)
{
  g_autoptr (GError) error = NULL;
  MrtConfig *c = NULL;
  g_autoptr (MrtState) s = quantize (ini, &c);
  g_autoptr (MrtDataset) ds = mrt_dataset_open (c->dataset, c->dataset_dir, &c->input_shape, &error);
  g_autoptr (MrtTensor) x = NULL;
  g_autoptr (MrtTensor) labels = NULL;
  g_autoptr (MrtModel) cvm = NULL;
  g_autoptr (MrtCvmExec) exec = NULL;
  g_autoptr (MrtCvmExec) whole = NULL;
  g_autoptr (MrtTensor) xq = NULL;
  FloatRun fr;
  IntRun ir, irw;
  double tf, ti, tf3, tw;
  char value[96], bvalue[96], figure[160];
  g_autofree char *name = g_path_get_basename (ini);

  if (ds == NULL || !mrt_dataset_next (ds, (guint) batch, &x, &labels, &error))
    g_error ("dataset: %s", error ? error->message : "empty");
  if (!(cvm = mrt_to_cvm (s->final, &x->shape, &error)) || !(exec = mrt_cvm_exec_new (cvm, threads, &error)) ||
      !(whole = mrt_cvm_exec_new_sliced (cvm, threads, 0, &error)))
    g_error ("CVM: %s", error->message);
  xq = mrt_quantize_input (x, s->input_scale, s->input_precision);
  fr = (FloatRun){ s->original, x };
  ir = (IntRun){ exec, xq };
  irw = (IntRun){ whole, xq };

  bench_time_pair (run_float_model, &fr, run_int_model, &ir, 3, &tf, &ti);
  g_snprintf (figure, sizeof figure, "%s whole model, batch %d: CVM executor (%s, %u threads, slices of %" G_GINT64_FORMAT ")",
              name, batch, mrt_cvm_kernel_path_name (mrt_cvm_kernel_path ()), threads ? threads : mrt_cvm_default_threads (),
              mrt_cvm_exec_slice (exec));
  g_snprintf (value, sizeof value, "%.1f ms (%.0f images/s)", ti * 1e3, batch / ti);
  g_snprintf (bvalue, sizeof bvalue, "%.1f ms (%.0f images/s)", tf * 1e3, batch / tf);
  bench_row (figure, value, float_label, bvalue, tf / ti);

  bench_time_pair (run_int_model, &irw, run_int_model, &ir, 3, &tw, &tf3);
  g_snprintf (figure, sizeof figure, "%s whole model, batch %d: CVM executor with batch slices", name, batch);
  g_snprintf (value, sizeof value, "%.1f ms", tf3 * 1e3);
  g_snprintf (bvalue, sizeof bvalue, "%.1f ms", tw * 1e3);
  bench_row (figure, value, "CVM executor, whole batch per operator", bvalue, tw / tf3);
  mrt_config_free (c);
}

int
main (int argc, char **argv)
{
  const char *ini = NULL;
  int batch = 64;
  guint threads = 0;
  gboolean header = FALSE, quick = FALSE, layers_too = TRUE;
  double sum_f = 0, sum_i = 0, tpath[MRT_CVM_KERNEL_N_PATHS] = { 0 };
  g_autoptr (GRand) rng = g_rand_new_with_seed (11);
  char value[64], bvalue[64], figure[128];

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--config") == 0 && i + 1 < argc)
      ini = argv[++i];
    else if (strcmp (argv[i], "--batch") == 0 && i + 1 < argc)
      batch = MAX (atoi (argv[++i]), 1);
    else if (strcmp (argv[i], "--seconds") == 0 && i + 1 < argc)
      bench_min_seconds = g_ascii_strtod (argv[++i], NULL);
    else if (strcmp (argv[i], "--threads") == 0 && i + 1 < argc)
      threads = (guint) atoi (argv[++i]);
    else if (strcmp (argv[i], "--header") == 0)
      header = TRUE;
    else if (strcmp (argv[i], "--quick") == 0)
      quick = TRUE;
    else if (strcmp (argv[i], "--no-layers") == 0)
      layers_too = FALSE;
    else
      {
        fprintf (stderr, "usage: %s [--config resnet20.ini] [--batch N] [--seconds S] [--threads N] [--header] [--quick] [--no-layers]\n",
                 argv[0]);
        return 2;
      }
  if (ini == NULL)
    ini = g_getenv ("MRT_RESNET20_INI");
  g_snprintf (float_label, sizeof float_label, "float executor (im2col + OpenBLAS sgemm, %s kernels, %d threads)",
              g_getenv ("OPENBLAS_CORETYPE") ? g_getenv ("OPENBLAS_CORETYPE") : "default", openblas_get_num_threads ());
  if (header)
    {
      g_autofree char *cpu = bench_cpu_model ();
      printf ("CPU: %s; nproc %u; int8 path %s; OpenBLAS %s\n\n", cpu, g_get_num_processors (),
              mrt_cvm_kernel_path_name (mrt_cvm_kernel_path ()), g_getenv ("OPENBLAS_CORETYPE") ? g_getenv ("OPENBLAS_CORETYPE") : "default core");
      printf ("| figure | value | baseline (same run) | baseline value | ratio |\n|---|---|---|---|---:|\n");
    }

  for (guint i = 0; layers_too && i < G_N_ELEMENTS (bench_layers); i++)
    {
      double tf, ti;
      if (quick && i != 1)
        continue;
      bench_layer (&bench_layers[i], batch, threads, rng, &tf, &ti, tpath);
      sum_f += tf * layer_count[i];
      sum_i += ti * layer_count[i];
    }
  if (!quick && layers_too)
    {
      g_snprintf (figure, sizeof figure, "ResNet-20 conv layers (21 convs), batch %d: int8 (%s)", batch,
                  mrt_cvm_kernel_path_name (mrt_cvm_kernel_path ()));
      g_snprintf (value, sizeof value, "%.1f ms", sum_i * 1e3);
      g_snprintf (bvalue, sizeof bvalue, "%.1f ms", sum_f * 1e3);
      bench_row (figure, value, float_label, bvalue, sum_f / sum_i);
      for (int p = MRT_CVM_KERNEL_AVX2; p < MRT_CVM_KERNEL_N_PATHS; p++)
        if (tpath[p] > 0)
          {
            g_snprintf (figure, sizeof figure, "ResNet-20 conv layers, batch %d: int8 (%s)", batch,
                        mrt_cvm_kernel_path_name (p));
            g_snprintf (value, sizeof value, "%.1f ms", tpath[p] * 1e3);
            bench_row (figure, value, float_label, bvalue, sum_f / tpath[p]);
          }
    }
  if (ini && g_file_test (ini, G_FILE_TEST_EXISTS))
    bench_model (ini, batch, threads);
  else
    fprintf (stderr, "bench-int8: no ResNet-20 configuration (--config or MRT_RESNET20_INI): whole-model rows skipped\n");
  return 0;
}
