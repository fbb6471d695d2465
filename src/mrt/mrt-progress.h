/* mrt-progress.h: how long-running library work reports progress and is cancelled. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Called from the worker thread; must be cheap and thread-safe. */
typedef void (*MrtProgressFunc) (double fraction, const char *message, gpointer user_data);

typedef struct {
  MrtProgressFunc func;
  gpointer user_data;
  GCancellable *cancellable;
} MrtProgress;

/* Both accept progress == NULL. */
static inline void
mrt_progress_report (const MrtProgress *progress, double fraction, const char *message)
{
  if (progress && progress->func)
    progress->func (fraction, message, progress->user_data);
}

/* TRUE (with error set) when the work was cancelled. */
static inline gboolean
mrt_progress_cancelled (const MrtProgress *progress, GError **error)
{
  return progress && g_cancellable_set_error_if_cancelled (progress->cancellable, error);
}

G_END_DECLS
