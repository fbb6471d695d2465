/* studio-stage-runner.c: stage results, their freshness, and the job that
 * runs stages one after another in worker threads. */
#include "studio-stage-runner.h"

#include <stdlib.h>
#include <string.h>

#include "studio-stage-signature.h"

/* Progress written by the worker, read by one low-priority idle. Shared by
 * reference: a pending idle may outlive the stage (or the runner). The UI
 * hears at most 5 times a second: every update repaints part of
 * the window, and a stage reporting every few milliseconds would keep the
 * main loop (and the display server) busy for nothing. */
#define FORWARD_INTERVAL_US (G_USEC_PER_SEC / 5)
typedef struct {
  GMutex lock;
  double fraction;
  char *message;
  GArray *acc_float, *acc_quant; /* appended by the worker, drained by the idle */
  guint idle_id;
  gint64 last_forward; /* when the UI last got an update */
  StudioStageRunner *runner; /* main thread only; NULL once detached */
} Progress;

/* A configuration shared by the runner and running jobs. */
typedef struct {
  MrtConfig *config;
} ConfigRef;

typedef struct {
  MrtState *state;
  char *signature;    /* the settings the result was made with */
  guint64 serial;     /* of this result */
  guint64 input_serial; /* of the input stage's result it was made from */
  double seconds;
  GError *error;
} StageSlot;

struct _StudioStageRunner {
  GObject parent_instance;

  MrtModel *model;
  MrtState *root;
  ConfigRef *config;
  gboolean config_valid;
  StageSlot slots[STUDIO_N_STAGES];
  guint64 next_serial;

  /* the running job */
  GArray *job;           /* MrtStage, still to run after the current one */
  ConfigRef *job_config;
  ConfigRef *job_last_config; /* run_with: for the last stage */
  gboolean current_is_last;   /* the running stage is that last stage */
  GCancellable *cancellable;
  Progress *progress;
  MrtStage current;
  gint64 stage_started;
  double fraction;
  char *message;
  GArray *acc_float, *acc_quant;
};

G_DEFINE_FINAL_TYPE (StudioStageRunner, studio_stage_runner, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_CURRENT_STAGE,
  PROP_FRACTION,
  PROP_MESSAGE,
  N_PROPS
};
static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_STATUS_CHANGED,
  SIGNAL_PROGRESS,
  SIGNAL_STAGE_FINISHED,
  SIGNAL_JOB_FINISHED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_next (StudioStageRunner *self);
static void abandon_job (StudioStageRunner *self);

/* ---- shared pieces ------------------------------------------------------- */

static ConfigRef *
config_ref_new (MrtConfig *config)
{
  ConfigRef *ref = g_atomic_rc_box_new0 (ConfigRef);
  ref->config = config;
  return ref;
}

static void
config_ref_clear (gpointer p)
{
  mrt_config_free (((ConfigRef *) p)->config);
}

static void
config_ref_unref (ConfigRef *ref)
{
  if (ref)
    g_atomic_rc_box_release_full (ref, config_ref_clear);
}

static void
progress_clear (gpointer p)
{
  Progress *pr = p;
  g_mutex_clear (&pr->lock);
  g_free (pr->message);
  g_array_unref (pr->acc_float);
  g_array_unref (pr->acc_quant);
}

static void
progress_unref (gpointer p)
{
  g_atomic_rc_box_release_full (p, progress_clear);
}

gboolean
studio_stage_runner_parse_accuracy (const char *message, double *float_top1, double *quant_top1)
{
  const char *f = message ? strstr (message, "evalfunc: top1=") : NULL;
  const char *q = message ? strstr (message, "quantize: top1=") : NULL;
  char *end;
  if (!f || !q)
    return FALSE;
  /* printf and strtod agree on the decimal separator of the locale */
  *float_top1 = strtod (f + strlen ("evalfunc: top1="), &end) / 100;
  if (end == f + strlen ("evalfunc: top1="))
    return FALSE;
  *quant_top1 = strtod (q + strlen ("quantize: top1="), &end) / 100;
  return end != q + strlen ("quantize: top1=");
}

/* Main thread: moves what the worker wrote into the runner. */
static gboolean
progress_forward (gpointer data)
{
  Progress *pr = data;
  StudioStageRunner *self = pr->runner;
  g_autofree char *message = NULL;
  double fraction;

  g_mutex_lock (&pr->lock);
  pr->idle_id = 0;
  pr->last_forward = g_get_monotonic_time ();
  fraction = pr->fraction;
  message = g_strdup (pr->message);
  if (self)
    {
      g_array_append_vals (self->acc_float, pr->acc_float->data, pr->acc_float->len);
      g_array_append_vals (self->acc_quant, pr->acc_quant->data, pr->acc_quant->len);
    }
  g_array_set_size (pr->acc_float, 0);
  g_array_set_size (pr->acc_quant, 0);
  g_mutex_unlock (&pr->lock);

  if (self == NULL)
    return G_SOURCE_REMOVE;
  self->fraction = fraction;
  g_free (self->message);
  self->message = g_steal_pointer (&message);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0);
  return G_SOURCE_REMOVE;
}

/* Worker thread. */
static void
progress_func (double fraction, const char *message, gpointer user_data)
{
  Progress *pr = user_data;
  double f1, q1;
  gboolean has_acc = studio_stage_runner_parse_accuracy (message, &f1, &q1);

  g_mutex_lock (&pr->lock);
  pr->fraction = fraction;
  g_free (pr->message);
  pr->message = g_strdup (message);
  if (has_acc)
    {
      g_array_append_val (pr->acc_float, f1);
      g_array_append_val (pr->acc_quant, q1);
    }
  if (pr->idle_id == 0)
    {
      gint64 wait = pr->last_forward + FORWARD_INTERVAL_US - g_get_monotonic_time ();
      if (wait > 0)
        pr->idle_id = g_timeout_add_full (G_PRIORITY_LOW, (guint) (wait / 1000) + 1, progress_forward,
                                          g_atomic_rc_box_acquire (pr), progress_unref);
      else
        pr->idle_id = g_idle_add_full (G_PRIORITY_LOW, progress_forward, g_atomic_rc_box_acquire (pr), progress_unref);
    }
  g_mutex_unlock (&pr->lock);
}

/* ---- status -------------------------------------------------------------- */

MrtStage
studio_stage_runner_input_stage (MrtStage stage)
{
  if (stage == MRT_STAGE_COMPILATION)
    return MRT_STAGE_MERGE_MODEL;
  return stage > MRT_STAGE_DEFAULT ? stage - 1 : MRT_STAGE_DEFAULT;
}

static gboolean
in_job (StudioStageRunner *self, MrtStage stage)
{
  for (guint i = 0; self->job && i < self->job->len; i++)
    if (g_array_index (self->job, MrtStage, i) == stage)
      return TRUE;
  return FALSE;
}

/* Up to date with the settings and with its input stage's current result. */
static gboolean
is_fresh (StudioStageRunner *self, MrtStage stage)
{
  StageSlot *slot = &self->slots[stage];
  MrtStage in = studio_stage_runner_input_stage (stage);
  g_autofree char *sig = NULL;

  if (slot->state == NULL || self->config == NULL)
    return FALSE;
  sig = studio_stage_signature (self->config->config, stage);
  if (g_strcmp0 (sig, slot->signature) != 0)
    return FALSE;
  if (in == MRT_STAGE_DEFAULT)
    return TRUE;
  return slot->input_serial == self->slots[in].serial && is_fresh (self, in);
}

StudioStageStatus
studio_stage_runner_get_status (StudioStageRunner *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), STUDIO_STAGE_STATUS_NONE);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, STUDIO_STAGE_STATUS_NONE);
  if (self->cancellable && self->current == stage)
    return STUDIO_STAGE_STATUS_RUNNING;
  if (in_job (self, stage))
    return STUDIO_STAGE_STATUS_QUEUED;
  if (self->slots[stage].error)
    return STUDIO_STAGE_STATUS_FAILED;
  if (self->slots[stage].state == NULL)
    return STUDIO_STAGE_STATUS_NONE;
  return is_fresh (self, stage) ? STUDIO_STAGE_STATUS_DONE : STUDIO_STAGE_STATUS_STALE;
}

gboolean
studio_stage_runner_get_settings_changed (StudioStageRunner *self, MrtStage stage)
{
  g_autofree char *sig = NULL;
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, FALSE);
  if (!self->slots[stage].state || !self->config)
    return FALSE;
  sig = studio_stage_signature (self->config->config, stage);
  return g_strcmp0 (sig, self->slots[stage].signature) != 0;
}

MrtState *
studio_stage_runner_get_state (StudioStageRunner *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, NULL);
  return self->slots[stage].state;
}

double
studio_stage_runner_get_seconds (StudioStageRunner *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), 0);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, 0);
  return self->slots[stage].seconds;
}

const GError *
studio_stage_runner_get_error (StudioStageRunner *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, NULL);
  return self->slots[stage].error;
}

static MrtState *
input_state (StudioStageRunner *self, MrtStage stage)
{
  MrtStage in = studio_stage_runner_input_stage (stage);
  return in == MRT_STAGE_DEFAULT ? self->root : self->slots[in].state;
}

gboolean
studio_stage_runner_can_run (StudioStageRunner *self, MrtStage stage)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  return self->root && self->config_valid && !self->cancellable && input_state (self, stage) != NULL;
}

static void
status_changed (StudioStageRunner *self)
{
  g_signal_emit (self, signals[SIGNAL_STATUS_CHANGED], 0);
}

/* ---- models and settings ------------------------------------------------- */

static void
slot_clear (StageSlot *slot)
{
  g_clear_pointer (&slot->state, mrt_state_unref);
  g_clear_pointer (&slot->signature, g_free);
  g_clear_error (&slot->error);
  slot->serial = slot->input_serial = 0;
  slot->seconds = 0;
}

void
studio_stage_runner_set_model (StudioStageRunner *self, MrtModel *original)
{
  g_return_if_fail (STUDIO_IS_STAGE_RUNNER (self));
  abandon_job (self);
  if (original)
    mrt_model_ref (original);
  g_clear_pointer (&self->model, mrt_model_unref);
  self->model = original;
  g_clear_pointer (&self->root, mrt_state_unref);
  self->root = original ? mrt_state_new (original) : NULL;
  for (guint i = 0; i < STUDIO_N_STAGES; i++)
    slot_clear (&self->slots[i]);
  g_array_set_size (self->acc_float, 0);
  g_array_set_size (self->acc_quant, 0);
  status_changed (self);
}

MrtModel *
studio_stage_runner_get_model (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  return self->model;
}

void
studio_stage_runner_set_config (StudioStageRunner *self, MrtConfig *config)
{
  g_return_if_fail (STUDIO_IS_STAGE_RUNNER (self));
  self->config_valid = config != NULL;
  if (config)
    {
      config_ref_unref (self->config);
      self->config = config_ref_new (config);
    }
  status_changed (self);
}

const MrtConfig *
studio_stage_runner_get_config (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  return self->config ? self->config->config : NULL;
}

gboolean
studio_stage_runner_get_config_valid (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  return self->config_valid;
}

/* ---- jobs ---------------------------------------------------------------- */

gboolean
studio_stage_runner_get_running (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  return self->cancellable != NULL;
}

MrtStage
studio_stage_runner_get_current_stage (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), MRT_STAGE_DEFAULT);
  return self->cancellable ? self->current : MRT_STAGE_DEFAULT;
}

double
studio_stage_runner_get_fraction (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), 0);
  return self->fraction;
}

const char *
studio_stage_runner_get_message (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  return self->message;
}

gint64
studio_stage_runner_get_stage_started (StudioStageRunner *self)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), 0);
  return self->cancellable ? self->stage_started : 0;
}

GArray *
studio_stage_runner_get_running_accuracy (StudioStageRunner *self, gboolean quantized)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), NULL);
  return quantized ? self->acc_quant : self->acc_float;
}

GArray *
studio_stage_runner_plan (StudioStageRunner *self, MrtStage last)
{
  GArray *plan = g_array_new (FALSE, FALSE, sizeof (MrtStage));
  gboolean rerun[STUDIO_N_STAGES] = { FALSE };

  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), plan);
  for (MrtStage st = STUDIO_STAGE_FIRST; st <= last && st <= STUDIO_STAGE_LAST; st++)
    {
      MrtStage in = studio_stage_runner_input_stage (st);
      rerun[st] = rerun[in] || !is_fresh (self, st);
      if (rerun[st])
        g_array_append_val (plan, st);
    }
  return plan;
}

static void
set_running (StudioStageRunner *self, MrtStage stage)
{
  self->current = stage;
  self->stage_started = g_get_monotonic_time ();
  self->fraction = 0;
  g_clear_pointer (&self->message, g_free);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STAGE]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRACTION]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MESSAGE]);
}

static void
detach_progress (StudioStageRunner *self)
{
  if (self->progress)
    {
      self->progress->runner = NULL; /* main thread only, like the idle that reads it */
      progress_unref (self->progress);
      self->progress = NULL;
    }
}

static void
finish_job (StudioStageRunner *self, MrtState *result, const GError *error)
{
  g_clear_pointer (&self->job, g_array_unref);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->job_config, config_ref_unref);
  g_clear_pointer (&self->job_last_config, config_ref_unref);
  detach_progress (self);
  self->current = MRT_STAGE_DEFAULT;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CURRENT_STAGE]);
  status_changed (self);
  g_signal_emit (self, signals[SIGNAL_JOB_FINISHED], 0, result, error);
}

static void
abandon_job (StudioStageRunner *self)
{
  g_autoptr (GError) error = NULL;
  if (!self->cancellable)
    return;
  g_cancellable_cancel (self->cancellable);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the model changed");
  finish_job (self, NULL, error);
}

static void
stage_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (StudioStageRunner) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtState) state = mrt_stage_run_finish (result, &error);
  MrtStage stage = self->current;
  gboolean last;
  StageSlot *slot = &self->slots[stage];
  MrtStage in = studio_stage_runner_input_stage (stage);

  /* a job dropped by abandon_job(): nothing of it is wanted any more */
  if (g_task_get_cancellable (G_TASK (result)) != self->cancellable)
    return;
  last = self->job->len == 0;

  /* the last batch of progress may still be queued: take it now */
  if (self->progress && self->progress->idle_id)
    {
      g_source_remove (self->progress->idle_id);
      progress_forward (g_atomic_rc_box_acquire (self->progress));
      progress_unref (self->progress);
    }
  detach_progress (self);
  if (state && self->current_is_last && self->job_last_config)
    {
      /* export: the result is not the stage's own */
      g_signal_emit (self, signals[SIGNAL_STAGE_FINISHED], 0, (guint) stage, NULL);
      finish_job (self, state, NULL);
      return;
    }
  if (state)
    {
      g_clear_pointer (&slot->state, mrt_state_unref);
      g_clear_error (&slot->error);
      slot->state = mrt_state_ref (state);
      g_free (slot->signature);
      slot->signature = studio_stage_signature (self->job_config->config, stage);
      slot->input_serial = in == MRT_STAGE_DEFAULT ? 0 : self->slots[in].serial;
      slot->serial = ++self->next_serial;
      slot->seconds = (g_get_monotonic_time () - self->stage_started) / 1e6;
    }
  else if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_clear_error (&slot->error);
      slot->error = g_error_copy (error);
    }
  g_signal_emit (self, signals[SIGNAL_STAGE_FINISHED], 0, (guint) stage, error);
  if (state == NULL || last)
    finish_job (self, state, error);
  else
    start_next (self);
}

static void
start_next (StudioStageRunner *self)
{
  MrtStage stage = g_array_index (self->job, MrtStage, 0);
  const MrtConfig *config;

  g_array_remove_index (self->job, 0);
  self->current_is_last = self->job->len == 0;
  config = self->current_is_last && self->job_last_config ? self->job_last_config->config : self->job_config->config;
  set_running (self, stage);
  if (stage == MRT_STAGE_EVALUATION)
    {
      g_array_set_size (self->acc_float, 0);
      g_array_set_size (self->acc_quant, 0);
    }
  g_clear_error (&self->slots[stage].error);
  self->progress = g_atomic_rc_box_new0 (Progress);
  g_mutex_init (&self->progress->lock);
  self->progress->acc_float = g_array_new (FALSE, FALSE, sizeof (double));
  self->progress->acc_quant = g_array_new (FALSE, FALSE, sizeof (double));
  self->progress->runner = self;
  status_changed (self);
  /* the job holds the configuration; the progress struct outlives the worker */
  mrt_stage_run_async (stage, input_state (self, stage), config, progress_func, self->progress, self->cancellable,
                       stage_done, g_object_ref (self));
}

static gboolean
start_job (StudioStageRunner *self, GArray *plan, MrtConfig *last_config, GError **error)
{
  g_autoptr (GArray) owned = plan;
  g_autoptr (MrtConfig) owned_config = last_config;

  if (self->cancellable)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY, "stages are already running");
      return FALSE;
    }
  if (self->root == NULL || !self->config_valid)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           self->root ? "the settings are not valid" : "no model is open");
      return FALSE;
    }
  if (plan->len == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS, "every stage is up to date");
      return FALSE;
    }
  if (input_state (self, g_array_index (plan, MrtStage, 0)) == NULL)
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_ORDER, "%s needs the result of %s: run it first",
                   mrt_stage_name (g_array_index (plan, MrtStage, 0)),
                   mrt_stage_name (studio_stage_runner_input_stage (g_array_index (plan, MrtStage, 0))));
      return FALSE;
    }
  self->job = g_steal_pointer (&owned);
  self->job_config = g_atomic_rc_box_acquire (self->config);
  if (last_config)
    self->job_last_config = config_ref_new (g_steal_pointer (&owned_config));
  self->cancellable = g_cancellable_new ();
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);
  start_next (self);
  return TRUE;
}

gboolean
studio_stage_runner_run (StudioStageRunner *self, MrtStage stage, GError **error)
{
  GArray *plan = g_array_new (FALSE, FALSE, sizeof (MrtStage));
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  g_return_val_if_fail (stage >= STUDIO_STAGE_FIRST && stage <= STUDIO_STAGE_LAST, FALSE);
  g_array_append_val (plan, stage);
  return start_job (self, plan, NULL, error);
}

gboolean
studio_stage_runner_run_to (StudioStageRunner *self, MrtStage last, GError **error)
{
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  return start_job (self, studio_stage_runner_plan (self, last), NULL, error);
}

gboolean
studio_stage_runner_run_all (StudioStageRunner *self, GError **error)
{
  return studio_stage_runner_run_to (self, STUDIO_STAGE_LAST, error);
}

gboolean
studio_stage_runner_run_with (StudioStageRunner *self, MrtStage last, MrtConfig *config, GError **error)
{
  GArray *plan;
  g_return_val_if_fail (STUDIO_IS_STAGE_RUNNER (self), FALSE);
  g_return_val_if_fail (config != NULL, FALSE);
  plan = studio_stage_runner_plan (self, studio_stage_runner_input_stage (last));
  /* only what `last` consumes, then `last` itself, fresh or not */
  for (guint i = plan->len; i > 0; i--)
    if (g_array_index (plan, MrtStage, i - 1) == MRT_STAGE_EVALUATION && last == MRT_STAGE_COMPILATION)
      g_array_remove_index (plan, i - 1);
  g_array_append_val (plan, last);
  return start_job (self, plan, config, error);
}

void
studio_stage_runner_cancel (StudioStageRunner *self)
{
  g_return_if_fail (STUDIO_IS_STAGE_RUNNER (self));
  if (self->cancellable)
    {
      /* nothing more starts; the running stage returns G_IO_ERROR_CANCELLED */
      g_array_set_size (self->job, 0);
      g_cancellable_cancel (self->cancellable);
      status_changed (self);
    }
}

/* ---- GObject ------------------------------------------------------------- */

static void
studio_stage_runner_dispose (GObject *object)
{
  StudioStageRunner *self = STUDIO_STAGE_RUNNER (object);
  if (self->cancellable)
    g_cancellable_cancel (self->cancellable);
  G_OBJECT_CLASS (studio_stage_runner_parent_class)->dispose (object);
}

static void
studio_stage_runner_finalize (GObject *object)
{
  StudioStageRunner *self = STUDIO_STAGE_RUNNER (object);
  /* a running task holds a reference, so no job is left here */
  detach_progress (self);
  for (guint i = 0; i < STUDIO_N_STAGES; i++)
    slot_clear (&self->slots[i]);
  g_clear_pointer (&self->root, mrt_state_unref);
  g_clear_pointer (&self->model, mrt_model_unref);
  config_ref_unref (self->config);
  g_free (self->message);
  g_array_unref (self->acc_float);
  g_array_unref (self->acc_quant);
  G_OBJECT_CLASS (studio_stage_runner_parent_class)->finalize (object);
}

static void
studio_stage_runner_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StudioStageRunner *self = STUDIO_STAGE_RUNNER (object);
  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, self->cancellable != NULL);
      break;
    case PROP_CURRENT_STAGE:
      g_value_set_uint (value, studio_stage_runner_get_current_stage (self));
      break;
    case PROP_FRACTION:
      g_value_set_double (value, self->fraction);
      break;
    case PROP_MESSAGE:
      g_value_set_string (value, self->message);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_stage_runner_class_init (StudioStageRunnerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = studio_stage_runner_dispose;
  object_class->finalize = studio_stage_runner_finalize;
  object_class->get_property = studio_stage_runner_get_property;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_CURRENT_STAGE] =
    g_param_spec_uint ("current-stage", NULL, NULL, 0, STUDIO_STAGE_LAST, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRACTION] =
    g_param_spec_double ("fraction", NULL, NULL, 0, 1, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MESSAGE] = g_param_spec_string ("message", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Any stage's status may have changed (results, settings, the job). */
  signals[SIGNAL_STATUS_CHANGED] =
    g_signal_new ("status-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* New progress (fraction, message, running accuracy) arrived. */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* (stage, error or NULL); cancelled stages carry G_IO_ERROR_CANCELLED. */
  signals[SIGNAL_STAGE_FINISHED] = g_signal_new ("stage-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                                 NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_ERROR);
  /* (MrtState* of the last stage or NULL, error or NULL) */
  signals[SIGNAL_JOB_FINISHED] = g_signal_new ("job-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL,
                                               NULL, NULL, G_TYPE_NONE, 2, G_TYPE_POINTER, G_TYPE_ERROR);
}

static void
studio_stage_runner_init (StudioStageRunner *self)
{
  self->acc_float = g_array_new (FALSE, FALSE, sizeof (double));
  self->acc_quant = g_array_new (FALSE, FALSE, sizeof (double));
}

StudioStageRunner *
studio_stage_runner_new (void)
{
  return g_object_new (STUDIO_TYPE_STAGE_RUNNER, NULL);
}
