/* mrt-pipeline.c: the stages as state → state functions, Start= resume, GTask wrappers. */
#include "mrt-pipeline-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "mrt-bias-correct.h"
#include "mrt-dataset.h"
#include "mrt-equalize.h"
#include "mrt-evaluate.h"
#include "mrt-export.h"
#include "mrt-mxnet.h"
#include "mrt-prepare.h"
#include "mrt-split.h"

G_DEFINE_QUARK (mrt-pipeline-error-quark, mrt_pipeline_error)

/* ---- state ---- */

static void
state_clear (gpointer p)
{
  MrtState *s = p;
  g_clear_pointer (&s->original, mrt_model_unref);
  g_clear_pointer (&s->prepared, mrt_model_unref);
  g_clear_pointer (&s->base, mrt_model_unref);
  g_clear_pointer (&s->top, mrt_model_unref);
  g_clear_pointer (&s->calibration, mrt_calibration_unref);
  g_clear_pointer (&s->thresholds, g_hash_table_unref);
  g_clear_pointer (&s->quantized, mrt_quantized_unref);
  g_clear_pointer (&s->final, mrt_model_unref);
  g_clear_pointer (&s->oscales, g_array_unref);
  g_clear_pointer (&s->evaluation, mrt_evaluation_unref);
  g_free (s->export_dir);
  g_clear_pointer (&s->times, g_array_unref);
}

MrtState *
mrt_state_new (MrtModel *original)
{
  MrtState *s = g_atomic_rc_box_new0 (MrtState);
  s->original = original ? mrt_model_ref (original) : NULL;
  s->times = g_array_new (FALSE, FALSE, sizeof (MrtStageTime));
  return s;
}

MrtState *
mrt_state_ref (MrtState *state)
{
  return g_atomic_rc_box_acquire (state);
}

void
mrt_state_unref (MrtState *state)
{
  if (state)
    g_atomic_rc_box_release_full (state, state_clear);
}

static gpointer
ref_or_null (gpointer p, gpointer (*ref) (gpointer))
{
  return p ? ref (p) : NULL;
}

/* A new state sharing everything with `s` except what stage and later produce. */
static MrtState *
state_derive (const MrtState *s, MrtStage stage)
{
  MrtState *n = mrt_state_new (s->original);
  if (stage > MRT_STAGE_PREPARE)
    n->prepared = ref_or_null (s->prepared, (gpointer (*) (gpointer)) mrt_model_ref);
  if (stage > MRT_STAGE_SPLIT_MODEL)
    {
      n->base = ref_or_null (s->base, (gpointer (*) (gpointer)) mrt_model_ref);
      n->top = ref_or_null (s->top, (gpointer (*) (gpointer)) mrt_model_ref);
    }
  if (stage > MRT_STAGE_CALIBRATION)
    {
      n->calibration = ref_or_null (s->calibration, (gpointer (*) (gpointer)) mrt_calibration_ref);
      n->thresholds = ref_or_null (s->thresholds, (gpointer (*) (gpointer)) g_hash_table_ref);
    }
  if (stage > MRT_STAGE_QUANTIZATION)
    {
      n->quantized = ref_or_null (s->quantized, (gpointer (*) (gpointer)) mrt_quantized_ref);
      n->input_scale = s->input_scale;
      n->input_precision = s->input_precision;
    }
  if (stage > MRT_STAGE_MERGE_MODEL)
    {
      n->final = ref_or_null (s->final, (gpointer (*) (gpointer)) mrt_model_ref);
      n->oscales = s->oscales ? g_array_copy (s->oscales) : NULL;
    }
  if (stage > MRT_STAGE_EVALUATION || stage == MRT_STAGE_COMPILATION)
    n->evaluation = ref_or_null (s->evaluation, (gpointer (*) (gpointer)) mrt_evaluation_ref);
  g_array_append_vals (n->times, s->times->data, s->times->len);
  return n;
}

MrtModel *
mrt_state_quant_input (const MrtState *s)
{
  return s->base ? s->base : s->prepared;
}

gboolean
mrt_state_has (const MrtState *s, MrtStage stage)
{
  switch (stage)
    {
    case MRT_STAGE_DEFAULT: return s->original != NULL;
    case MRT_STAGE_PREPARE: return s->prepared != NULL;
    case MRT_STAGE_SPLIT_MODEL: return s->base != NULL;
    case MRT_STAGE_CALIBRATION: return s->thresholds != NULL;
    case MRT_STAGE_QUANTIZATION: return s->quantized != NULL;
    case MRT_STAGE_MERGE_MODEL: return s->final != NULL;
    case MRT_STAGE_EVALUATION: return s->evaluation != NULL;
    case MRT_STAGE_COMPILATION: return s->export_dir != NULL;
    default: return FALSE;
    }
}

static void
layer_error_free (gpointer p)
{
  MrtLayerError *l = p;
  g_free (l->name);
  g_free (l->op);
  g_free (l);
}

MrtEvaluation *
mrt_evaluation_new (guint n_classes)
{
  MrtEvaluation *ev = g_atomic_rc_box_new0 (MrtEvaluation);
  ev->running_float = g_array_new (FALSE, FALSE, sizeof (double));
  ev->running_quant = g_array_new (FALSE, FALSE, sizeof (double));
  ev->n_classes = n_classes;
  ev->class_total = g_new0 (guint64, n_classes);
  ev->class_float = g_new0 (guint64, n_classes);
  ev->class_quant = g_new0 (guint64, n_classes);
  ev->layers = g_ptr_array_new_with_free_func (layer_error_free);
  return ev;
}

MrtEvaluation *
mrt_evaluation_ref (MrtEvaluation *ev)
{
  return g_atomic_rc_box_acquire (ev);
}

static void
evaluation_clear (gpointer p)
{
  MrtEvaluation *ev = p;
  g_clear_pointer (&ev->running_float, g_array_unref);
  g_clear_pointer (&ev->running_quant, g_array_unref);
  g_free (ev->class_total);
  g_free (ev->class_float);
  g_free (ev->class_quant);
  g_clear_pointer (&ev->layers, g_ptr_array_unref);
}

void
mrt_evaluation_unref (MrtEvaluation *ev)
{
  if (ev)
    g_atomic_rc_box_release_full (ev, evaluation_clear);
}

/* ---- stages ---- */

MrtModel *
mrt_pipeline_load_original (const MrtConfig *config, GError **error)
{
  g_autofree char *prefix = g_build_filename (config->model_dir, config->model_name, NULL);
  return mrt_mxnet_open (prefix, error);
}

static gboolean
need (const MrtState *s, MrtStage stage, MrtStage running, GError **error)
{
  if (mrt_state_has (s, stage))
    return TRUE;
  g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER, "%s needs the result of %s: run it first",
               mrt_stage_name (running), mrt_stage_name (stage));
  return FALSE;
}

static MrtState *
stage_prepare (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  MrtShape shape = mrt_set_batch (&c->input_shape, 1);
  if (!need (in, MRT_STAGE_DEFAULT, MRT_STAGE_PREPARE, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_PREPARE);
  if (!(s->prepared = mrt_prepare (in->original, &shape, p, error)))
    return NULL;
  if (c->equalize)
    {
      MrtModel *eq = mrt_equalize (s->prepared, NULL, error);
      if (eq == NULL)
        return NULL;
      mrt_model_unref (s->prepared);
      s->prepared = eq;
    }
  if (c->prepare_dump && !mrt_save_checkpoint (s->prepared, c, ".prepare", error))
    return NULL;
  return g_steal_pointer (&s);
}

static MrtState *
stage_split (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  MrtShape shape = mrt_set_batch (&c->input_shape, 1);
  if (!need (in, MRT_STAGE_PREPARE, MRT_STAGE_SPLIT_MODEL, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_SPLIT_MODEL);
  if (c->split_keys->len == 0)
    return g_steal_pointer (&s);
  if (!mrt_split (in->prepared, &shape, (const char *const *) c->split_keys->pdata, c->split_keys->len, &s->base,
                  &s->top, error))
    return NULL;
  if (c->split_dump &&
      (!mrt_save_checkpoint (s->top, c, ".top", error) || !mrt_save_checkpoint (s->base, c, ".base", error)))
    return NULL;
  return g_steal_pointer (&s);
}

/* Calibrate_num batches of Batch samples. */
static GPtrArray *
calibration_batches (const MrtConfig *c, GError **error)
{
  MrtShape shape = c->input_shape;
  g_autoptr (MrtDataset) ds = mrt_dataset_open (c->dataset, c->dataset_dir, &shape, error);
  g_autoptr (GPtrArray) batches = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  if (ds == NULL)
    return NULL;
  for (int i = 0; i < c->calibrate_num; i++)
    {
      MrtTensor *data = NULL, *labels = NULL;
      if (!mrt_dataset_next (ds, (guint) c->calib_batch, &data, &labels, error))
        {
          if (error && *error)
            return NULL;
          break;
        }
      mrt_tensor_unref (labels);
      g_ptr_array_add (batches, data);
    }
  if (batches->len == 0)
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER, "dataset %s has no samples", c->dataset);
      return NULL;
    }
  return g_steal_pointer (&batches);
}

static MrtState *
stage_calibrate (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  g_autoptr (GPtrArray) batches = NULL;
  if (!need (in, MRT_STAGE_PREPARE, MRT_STAGE_CALIBRATION, error))
    return NULL;
  if (c->split_keys->len > 0 && !need (in, MRT_STAGE_SPLIT_MODEL, MRT_STAGE_CALIBRATION, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_CALIBRATION);
  if (!(batches = calibration_batches (c, error)))
    return NULL;
  s->calibration = mrt_calibrate (mrt_state_quant_input (in), batches, c->calib_method, c->lambda, c->percentile,
                                  p, error);
  if (s->calibration == NULL)
    return NULL;
  s->thresholds = g_hash_table_ref (mrt_calibration_get_thresholds (s->calibration));
  if (c->calib_dump)
    {
      g_autofree char *ext = mrt_config_load_fname (c, ".mrt.calibrate.ext");
      if (!mrt_save_checkpoint (mrt_state_quant_input (in), c, ".mrt.calibrate", error) ||
          !mrt_write_mrt_ext (ext, NULL, s->thresholds, error))
        return NULL;
    }
  return g_steal_pointer (&s);
}

/* Calibrated thresholds with the configuration's overrides on top. */
static GHashTable *
effective_thresholds (GHashTable *calibrated, const MrtConfig *c)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, calibrated);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (t, g_strdup (k), g_memdup2 (v, sizeof (double)));
  g_hash_table_iter_init (&it, c->thresholds);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (t, g_strdup (k), g_memdup2 (v, sizeof (double)));
  return t;
}

static MrtState *
stage_quantize (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  g_autoptr (GHashTable) th = NULL;
  MrtQuantizeOptions opts;
  MrtShape shape = mrt_set_batch (&c->input_shape, 1);

  if (!need (in, MRT_STAGE_CALIBRATION, MRT_STAGE_QUANTIZATION, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_QUANTIZATION);
  th = effective_thresholds (in->thresholds, c);
  {
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init (&it, c->thresholds);
    while (g_hash_table_iter_next (&it, &k, NULL))
      if (mrt_model_find (mrt_state_quant_input (in), k) < 0)
        {
          g_set_error (error, MRT_CONFIG_ERROR, MRT_CONFIG_ERROR_VALUE,
                       "[QUANTIZATION] Thresholds: no node named “%s” in the prepared graph", (const char *) k);
          return NULL;
        }
  }
  mrt_quantize_options_init (&opts);
  opts.input_precision = c->input_precision;
  opts.output_precision = c->output_precision;
  opts.softmax_lambd = c->softmax_lambd;
  opts.shift_bits = c->shift_bits;
  opts.per_channel = (MrtPerChannel) c->per_channel;
  opts.restore_names = c->restore_names;
  if (c->bias_correction)
    {
      /* extension: quantize a bias-corrected copy; the state keeps the uncorrected float model */
      g_autoptr (GPtrArray) batches = calibration_batches (c, error);
      g_autoptr (MrtModel) corrected = NULL;
      if (batches == NULL || mrt_progress_cancelled (p, error))
        return NULL;
      corrected = mrt_bias_correct (mrt_state_quant_input (in), &shape, th, &opts, batches, NULL, error);
      if (corrected == NULL)
        return NULL;
      s->quantized = mrt_quantize (corrected, &shape, th, &opts, p, error);
    }
  else
    s->quantized = mrt_quantize (mrt_state_quant_input (in), &shape, th, &opts, p, error);
  if (s->quantized == NULL)
    return NULL;
  s->input_scale = s->quantized->input_scale;
  s->input_precision = s->quantized->input_precision;
  if (c->quant_dump)
    {
      g_autofree char *ext = mrt_config_load_fname (c, ".mrt.quantize.ext");
      g_autofree char *all = mrt_config_load_fname (c, ".all.quantize.ext");
      if (!mrt_save_checkpoint (s->quantized->model, c, ".mrt.quantize", error) ||
          !mrt_write_mrt_ext (ext, s->quantized, NULL, error) ||
          !mrt_write_all_ext (all, s->quantized->oscales, s->input_scale, s->input_precision, &c->input_shape, error))
        return NULL;
    }
  return g_steal_pointer (&s);
}

static MrtState *
stage_merge (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  if (!need (in, MRT_STAGE_QUANTIZATION, MRT_STAGE_MERGE_MODEL, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_MERGE_MODEL);
  if (in->top == NULL)
    {
      s->final = mrt_model_ref (in->quantized->model);
      s->oscales = g_array_copy (in->quantized->oscales);
    }
  else
    {
      double *oscales = NULL;
      g_autoptr (GPtrArray) deps = g_ptr_array_new ();
      g_autoptr (GPtrArray) maps = g_ptr_array_new ();
      g_autofree MrtAttributeDep *dep_arr = g_new0 (MrtAttributeDep, c->attribute_deps->len + 1);
      g_autofree MrtOscaleMap *map_arr = g_new0 (MrtOscaleMap, c->oscale_maps->len + 1);
      for (guint i = 0; i < c->attribute_deps->len; i++)
        dep_arr[i] = *(MrtAttributeDep *) g_ptr_array_index (c->attribute_deps, i);
      for (guint i = 0; i < c->oscale_maps->len; i++)
        map_arr[i] = *(MrtOscaleMap *) g_ptr_array_index (c->oscale_maps, i);
      s->final = mrt_merge (in->quantized->model, in->top, (const char *const *) in->quantized->old_names->pdata,
                            dep_arr, c->attribute_deps->len, (const double *) in->quantized->oscales->data, map_arr,
                            c->oscale_maps->len, &oscales, error);
      if (s->final == NULL)
        return NULL;
      s->oscales = g_array_new (FALSE, FALSE, sizeof (double));
      g_array_append_vals (s->oscales, oscales, c->oscale_maps->len);
      g_free (oscales);
    }
  if (c->merge_dump && in->top)
    {
      g_autofree char *all = mrt_config_load_fname (c, ".all.quantize.ext");
      if (!mrt_save_checkpoint (s->final, c, ".all.quantize", error) ||
          !mrt_write_all_ext (all, s->oscales, s->input_scale, s->input_precision, &c->input_shape, error))
        return NULL;
    }
  return g_steal_pointer (&s);
}

static MrtState *
stage_evaluate (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  if (!need (in, MRT_STAGE_MERGE_MODEL, MRT_STAGE_EVALUATION, error))
    return NULL;
  s = state_derive (in, MRT_STAGE_EVALUATION);
  s->export_dir = g_strdup (in->export_dir);
  s->gas = in->gas;
  if (!(s->evaluation = mrt_evaluate (in, c, p, NULL, NULL, error)))
    return NULL;
  return g_steal_pointer (&s);
}

static MrtState *
stage_compile (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error)
{
  g_autoptr (MrtState) s = NULL;
  g_autoptr (MrtDataset) ds = NULL;
  g_autoptr (MrtTensor) sample = NULL;
  g_autoptr (MrtTensor) labels = NULL;
  MrtShape shape = c->input_shape;
  const char *dump_dir = c->dump_dir ? c->dump_dir : c->model_dir;

  if (!need (in, MRT_STAGE_MERGE_MODEL, MRT_STAGE_COMPILATION, error))
    return NULL;
  if (in->quantized && in->quantized->n_restored > 0)
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER,
                   "%u nodes are restored ([QUANTIZATION] Restore_name) and compute in float; "
                   "a CVM model must be all integer: clear Restore_name to export",
                   in->quantized->n_restored);
      return NULL;
    }
  s = state_derive (in, MRT_STAGE_COMPILATION);
  mrt_progress_report (p, 0, "Compiling to CVM");
  if (!(ds = mrt_dataset_open (c->dataset, c->dataset_dir, &shape, error)) ||
      !mrt_dataset_next (ds, (guint) c->compile_batch, &sample, &labels, error))
    {
      if (error && *error == NULL)
        g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER, "dataset %s is empty", c->dataset);
      return NULL;
    }
  /* the export honours a cancel until it swaps the new folder into place */
  if (!mrt_export_cvm (in->final, in->oscales, in->input_scale, in->input_precision, &c->input_shape, sample,
                       dump_dir, c->model_name, &s->export_dir, &s->gas, p ? p->cancellable : NULL, error))
    return NULL;
  mrt_progress_report (p, 1, "Exported");
  return g_steal_pointer (&s);
}

typedef MrtState *(*StageFunc) (MrtState *in, const MrtConfig *c, const MrtProgress *p, GError **error);

static StageFunc
stage_func (MrtStage stage)
{
  switch (stage)
    {
    case MRT_STAGE_PREPARE: return stage_prepare;
    case MRT_STAGE_SPLIT_MODEL: return stage_split;
    case MRT_STAGE_CALIBRATION: return stage_calibrate;
    case MRT_STAGE_QUANTIZATION: return stage_quantize;
    case MRT_STAGE_MERGE_MODEL: return stage_merge;
    case MRT_STAGE_EVALUATION: return stage_evaluate;
    case MRT_STAGE_COMPILATION: return stage_compile;
    case MRT_STAGE_DEFAULT:
    default: return NULL;
    }
}

MrtState *
mrt_stage_run (MrtStage stage, MrtState *input, const MrtConfig *config, const MrtProgress *progress,
               GError **error)
{
  StageFunc f = stage_func (stage);
  gint64 t0 = g_get_monotonic_time ();
  MrtState *out;
  MrtStageTime t;

  g_return_val_if_fail (f != NULL, NULL);
  if (mrt_progress_cancelled (progress, error))
    return NULL;
  out = f (input, config, progress, error);
  if (out == NULL)
    return NULL;
  t.stage = stage;
  t.seconds = (g_get_monotonic_time () - t0) / 1e6;
  g_array_append_val (out->times, t);
  return out;
}

MrtState *
mrt_stage_load (MrtStage stage, MrtState *in, const MrtConfig *c, GError **error)
{
  g_autoptr (MrtState) s = state_derive (in, stage + 1);
  gboolean split = c->split_keys->len > 0;

  switch (stage)
    {
    case MRT_STAGE_PREPARE:
      if (!(s->prepared = mrt_load_checkpoint (c, ".prepare", stage, error)))
        return NULL;
      break;
    case MRT_STAGE_SPLIT_MODEL:
      if (!(s->base = mrt_load_checkpoint (c, ".base", stage, error)) || !(s->top = mrt_load_checkpoint (c, ".top", stage, error)))
        return NULL;
      s->prepared = mrt_model_ref (s->base);
      break;
    case MRT_STAGE_CALIBRATION:
      {
        g_autofree char *ext = mrt_config_load_fname (c, ".mrt.calibrate.ext");
        if (!(s->prepared = mrt_load_checkpoint (c, ".mrt.calibrate", stage, error)))
          return NULL;
        if (split)
          {
            s->base = mrt_model_ref (s->prepared);
            if (!(s->top = mrt_load_checkpoint (c, ".top", stage, error)))
              return NULL;
          }
        if (!mrt_load_mrt_ext (ext, &s->thresholds, NULL, error))
          return NULL;
      }
      break;
    case MRT_STAGE_QUANTIZATION:
      {
        g_autofree char *ext = mrt_config_load_fname (c, ".mrt.quantize.ext");
        g_autofree char *all = mrt_config_load_fname (c, ".all.quantize.ext");
        s->quantized = mrt_quantized_new ();
        if (!(s->quantized->model = mrt_load_checkpoint (c, ".mrt.quantize", stage, error)))
          return NULL;
        if (split && !(s->top = mrt_load_checkpoint (c, ".top", stage, error)))
          return NULL;
        if (!mrt_load_mrt_ext (ext, &s->thresholds, s->quantized, error) || !mrt_load_all_ext (all, s, error))
          return NULL;
        g_array_append_vals (s->quantized->oscales, s->oscales->data, s->oscales->len);
        g_clear_pointer (&s->oscales, g_array_unref);
        s->quantized->input_scale = s->input_scale;
        s->quantized->input_precision = s->input_precision;
      }
      break;
    case MRT_STAGE_MERGE_MODEL:
      {
        g_autofree char *all = mrt_config_load_fname (c, ".all.quantize.ext");
        if (!(s->final = mrt_load_checkpoint (c, ".all.quantize", stage, error)) || !mrt_load_all_ext (all, s, error))
          return NULL;
      }
      break;
    case MRT_STAGE_DEFAULT:
    case MRT_STAGE_EVALUATION:
    case MRT_STAGE_COMPILATION:
    default:
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT, "%s is not a start point",
                   mrt_stage_name (stage));
      return NULL;
    }
  return g_steal_pointer (&s);
}

GArray *
mrt_pipeline_plan (const MrtConfig *c)
{
  GArray *plan = g_array_new (FALSE, FALSE, sizeof (MrtStage));
  for (MrtStage st = MRT_STAGE_PREPARE; st <= MRT_STAGE_COMPILATION; st++)
    {
      if (st <= c->start)
        continue;
      if ((st == MRT_STAGE_EVALUATION && !(c->has_evaluation && c->iter_num > 0)) ||
          (st == MRT_STAGE_COMPILATION && !c->has_compilation))
        continue;
      g_array_append_val (plan, st);
    }
  return plan;
}

MrtState *
mrt_pipeline_run (const MrtConfig *config, const MrtProgress *progress, GError **error)
{
  g_autoptr (MrtModel) original = mrt_pipeline_load_original (config, error);
  g_autoptr (MrtState) state = NULL;

  if (original == NULL)
    return NULL;
  state = mrt_state_new (original);
  if (config->start != MRT_STAGE_DEFAULT)
    {
      MrtState *loaded = mrt_stage_load (config->start, state, config, error);
      if (loaded == NULL)
        return NULL;
      mrt_state_unref (state);
      state = loaded;
    }
  return mrt_pipeline_run_stages (state, config, MRT_STAGE_DEFAULT, progress, error);
}

MrtState *
mrt_pipeline_run_stages (MrtState *state, const MrtConfig *config, MrtStage last, const MrtProgress *progress,
                         GError **error)
{
  g_autoptr (GArray) plan = mrt_pipeline_plan (config);
  MrtState *s = mrt_state_ref (state);

  for (guint i = 0; i < plan->len; i++)
    {
      MrtStage st = g_array_index (plan, MrtStage, i);
      MrtState *next;
      if (last != MRT_STAGE_DEFAULT && st > last)
        break;
      next = mrt_stage_run (st, s, config, progress, error);
      mrt_state_unref (s);
      if (next == NULL)
        {
          g_prefix_error (error, "%s: ", mrt_stage_name (st));
          return NULL;
        }
      s = next;
    }
  return s;
}

/* ---- GTask ---- */

typedef struct {
  MrtStage stage;
  MrtState *input;
  const MrtConfig *config;
  MrtProgressFunc func;
  gpointer func_data;
} RunData;

static void
run_data_free (gpointer p)
{
  RunData *d = p;
  mrt_state_unref (d->input);
  g_free (d);
}

static void
run_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  RunData *d = task_data;
  MrtProgress p = { d->func, d->func_data, cancellable };
  GError *error = NULL;
  MrtState *out = mrt_stage_run (d->stage, d->input, d->config, &p, &error);
  if (out)
    g_task_return_pointer (task, out, (GDestroyNotify) mrt_state_unref);
  else
    g_task_return_error (task, error);
}

void
mrt_stage_run_async (MrtStage stage, MrtState *input, const MrtConfig *config, MrtProgressFunc func,
                     gpointer func_data, GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  RunData *d = g_new0 (RunData, 1);
  d->stage = stage;
  d->input = mrt_state_ref (input);
  d->config = config;
  d->func = func;
  d->func_data = func_data;
  g_task_set_source_tag (task, mrt_stage_run_async);
  g_task_set_task_data (task, d, run_data_free);
  g_task_run_in_thread (task, run_thread);
}

MrtState *
mrt_stage_run_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
