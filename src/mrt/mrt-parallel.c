/* mrt-parallel.c: the float executor's parallel-for (see mrt-parallel.h). */
#include "mrt-parallel.h"

#include <cblas.h>

/* Heap-allocated and shared: a helper the scheduler starts late may find
 * every part taken and the caller gone; it then only drops its reference.
 * The hand-offs go through atomics (ready, done) rather than only through
 * GLib's mutex and queue: those are futex-based, invisible to
 * ThreadSanitizer, which would otherwise report every result as a race. */
typedef struct {
  gint ref; /* g_atomic_int_*, which compile inline where the sanitizer sees them */
  MrtRangeFunc func;
  gpointer data;
  gint64 n;
  gint parts, ready, next, done;
  GMutex lock; /* only for sleeping on cond until done == parts */
  GCond cond;
} ParallelJob;

static void
job_unref (ParallelJob *job)
{
  if (g_atomic_int_dec_and_test (&job->ref))
    {
      g_mutex_clear (&job->lock);
      g_cond_clear (&job->cond);
      g_free (job);
    }
}

static void
run_parts (ParallelJob *job)
{
  gint part;
  (void) g_atomic_int_get (&job->ready); /* pairs with the set before the push */
  while ((part = g_atomic_int_add (&job->next, 1)) < job->parts)
    {
      job->func (job->data, job->n * part / job->parts, job->n * (part + 1) / job->parts);
      if (g_atomic_int_add (&job->done, 1) + 1 == job->parts)
        {
          g_mutex_lock (&job->lock);
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->lock);
        }
    }
}

static void
pool_worker (gpointer task, gpointer unused)
{
  run_parts (task);
  job_unref (task);
}

static GThreadPool *
worker_pool (guint *n_threads)
{
  static GThreadPool *pool;
  static guint threads;
  static gsize once;
  if (g_once_init_enter (&once))
    {
      /* as many threads as OpenBLAS, so OPENBLAS_NUM_THREADS caps both */
      threads = (guint) MAX (openblas_get_num_threads (), 1);
      if (threads > 1)
        pool = g_thread_pool_new (pool_worker, NULL, (gint) threads - 1, FALSE, NULL);
      g_once_init_leave (&once, 1);
    }
  *n_threads = pool ? threads : 1;
  return pool;
}

/* Below this many floats of work a job runs on the caller: waking a helper
 * costs more than it saves. */
#define PARALLEL_MIN_WORK (G_GINT64_CONSTANT (1) << 15)

/* Calls func over [0, n) split in ranges, on the caller and the pool; work
 * estimates the floats touched. The caller takes parts too, so a busy pool
 * slows a job but cannot stall it. */
void
mrt_parallel_for (gint64 n, gint64 work, MrtRangeFunc func, gpointer data)
{
  guint threads;
  GThreadPool *pool = worker_pool (&threads);
  ParallelJob *job;
  gint helpers;

  if (pool == NULL || n < 2 || work < PARALLEL_MIN_WORK)
    {
      if (n > 0)
        func (data, 0, n);
      return;
    }
  job = g_new0 (ParallelJob, 1);
  job->ref = 1;
  job->func = func;
  job->data = data;
  job->n = n;
  job->parts = (gint) MIN (n, (gint64) threads * 4);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  g_atomic_int_set (&job->ready, 1);
  helpers = (gint) MIN ((gint64) threads - 1, job->parts - 1);
  for (gint i = 0; i < helpers; i++)
    {
      g_atomic_int_inc (&job->ref);
      g_thread_pool_push (pool, job, NULL);
    }
  run_parts (job);
  g_mutex_lock (&job->lock);
  while (g_atomic_int_get (&job->done) < job->parts)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);
  job_unref (job);
}

guint
mrt_parallel_threads (void)
{
  guint threads;
  worker_pool (&threads);
  return threads;
}
