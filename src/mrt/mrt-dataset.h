/* mrt-dataset.h: evaluation and calibration data with MRT's preprocessing
 * (spec §10), delivered in batches shaped like the model's Input_shape.
 *
 * Datasets, each read from a directory holding the named files:
 *   mnist, fashion_mnist  t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz];
 *                         pixel / 255, sample shape (1, 28, 28)
 *   cifar10               test_batch.bin (or cifar-10-batches-bin/test_batch.bin),
 *                         records of 1 label byte + 3072 pixel bytes; pixel / 255, then
 *                         (x - mean) / std with mean (0.4914, 0.4822, 0.4465) and
 *                         std (0.2023, 0.1994, 0.2010); sample shape (3, 32, 32)
 *   quickdraw             quickdraw_X_test.npy, quickdraw_y_test.npy; raw values
 *   imagenet              class sub-folders (sorted names give the labels 0, 1, …) of
 *                         JPEG/PNG images, or the same inside a "val" folder. The
 *                         shorter side is resized (bilinear) to ceil(max(H, W) / 0.875),
 *                         the centre H×W is cropped, and RGB channels become
 *                         (pixel - mean_rgb) / std_rgb with mean_rgb (123.68, 116.779,
 *                         103.939) and std_rgb (58.393, 57.12, 57.375); sample (3, H, W).
 *                         Images are decoded per batch.
 *   npy                   data.npy (preprocessed, batch on axis 0, converted to float32)
 *                         and label.npy (integer labels, shape (N,) or (N, 1))
 * The directory is <dataset_dir>/<name>, else <dataset_dir>/<name with '_'
 * replaced by '-'> (Debian's fashion-mnist), else <dataset_dir> itself. An
 * empty or NULL dataset_dir means ~/.mxnet/datasets, MRT's default.
 *
 * A dataset is not thread-safe; use one per thread. */
#pragma once

#include <glib.h>

#include "mrt-tensor.h"

G_BEGIN_DECLS

#define MRT_DATASET_ERROR (mrt_dataset_error_quark ())
typedef enum {
  MRT_DATASET_ERROR_UNKNOWN,   /* no dataset of that name */
  MRT_DATASET_ERROR_NOT_FOUND, /* no directory holds the dataset's files */
  MRT_DATASET_ERROR_FORMAT,    /* a data file is malformed or unreadable */
  MRT_DATASET_ERROR_SHAPE,     /* Input_shape does not fit the data */
  MRT_DATASET_ERROR_IMAGE,     /* an image cannot be decoded */
} MrtDatasetError;
GQuark mrt_dataset_error_quark (void);

typedef struct _MrtDataset MrtDataset;

/* NULL-terminated list of the supported names. */
const char *const *mrt_dataset_names (void);

/* input_shape is the model input with exactly one -1 marking the batch axis,
 * e.g. (-1, 1, 28, 28) or TREC-style (38, -1). The other dimensions must
 * match the samples of the dataset. */
MrtDataset *mrt_dataset_open (const char *name, const char *dataset_dir, const MrtShape *input_shape,
                              GError **error);
void mrt_dataset_free (MrtDataset *ds);

gint64 mrt_dataset_n_samples (MrtDataset *ds);
/* Directory the data was found in. */
const char *mrt_dataset_get_dir (MrtDataset *ds);
const char *mrt_dataset_get_name (MrtDataset *ds);

/* Next batch, in file order. *data is float32 with input_shape's -1 replaced
 * by the number of samples, *labels is float32 of shape (samples,). The last
 * batch is partial: it holds the remaining samples, fewer than batch (callers
 * that need full batches, as MRT's quickdraw loader, drop it). Returns FALSE
 * with *data = *labels = NULL and no error at the end, or FALSE with an error
 * (an undecodable image). */
gboolean mrt_dataset_next (MrtDataset *ds, guint batch, MrtTensor **data, MrtTensor **labels,
                           GError **error);
/* Back to the first sample. */
void mrt_dataset_reset (MrtDataset *ds);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtDataset, mrt_dataset_free)

G_END_DECLS
