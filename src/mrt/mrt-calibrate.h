/* mrt-calibrate.h: calibration (spec §5): per-node thresholds from float runs
 * on real data, with a histogram per node for the GUI and for the
 * histogram-based methods (KL, percentile). */
#pragma once

#include "mrt-config.h"
#include "mrt-model.h"
#include "mrt-progress.h"

G_BEGIN_DECLS

/* Signed histogram over [-range, range]. */
#define MRT_HIST_BINS 4096

typedef struct {
  double absmax;     /* over every batch */
  double mean;       /* of the last batch, signed */
  double std;        /* of the last batch, population */
  double batch_th;   /* max over batches of the per-batch absmax / lambda threshold */
  double range;      /* histogram covers [-range, range] */
  guint64 count;     /* elements seen */
  guint64 *bins;     /* MRT_HIST_BINS */
} MrtNodeStats;

typedef struct _MrtCalibration MrtCalibration;

MrtCalibration *mrt_calibration_new (MrtModel *model, MrtCalibMethod method, double lambda, double percentile);
MrtCalibration *mrt_calibration_ref (MrtCalibration *cal);
void mrt_calibration_unref (MrtCalibration *cal);

/* Runs the model on one batch and folds every node's output 0 into the stats. */
gboolean mrt_calibration_add_batch (MrtCalibration *cal, MrtTensor *input, GCancellable *cancellable, GError **error);
/* Computes the thresholds with the configured method. */
void mrt_calibration_finish (MrtCalibration *cal);

MrtModel *mrt_calibration_get_model (MrtCalibration *cal);
/* name -> double* of every node; valid after finish. */
GHashTable *mrt_calibration_get_thresholds (MrtCalibration *cal);
double mrt_calibration_get_threshold (MrtCalibration *cal, const char *name);
const MrtNodeStats *mrt_calibration_get_stats (MrtCalibration *cal, const char *name);
guint mrt_calibration_n_batches (MrtCalibration *cal);

/* The threshold rules on their own (exported for tests and the GUI). */
double mrt_threshold_lambda (double absmax, double mean, double std, double lambda);
/* Entropy calibration (TensorRT style) on the |x| histogram folded from stats. */
double mrt_threshold_kl (const MrtNodeStats *stats);
double mrt_threshold_percentile (const MrtNodeStats *stats, double percentile);

/* Whole stage: runs `batches` (float32 inputs) through the model. */
MrtCalibration *mrt_calibrate (MrtModel *model, GPtrArray *batches, MrtCalibMethod method, double lambda,
                               double percentile, const MrtProgress *progress, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtCalibration, mrt_calibration_unref)

G_END_DECLS
