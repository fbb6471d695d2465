/* mrt-dataset-private.h: the dataset object shared by mrt-dataset.c
 * (files, readers, batches) and mrt-dataset-image.c (image folders).
 * Private to src/mrt/. */
#pragma once

#include "mrt-dataset.h"

typedef enum {
  KIND_IDX,
  KIND_CIFAR,
  KIND_QUICKDRAW,
  KIND_IMAGENET,
  KIND_NPY,
} Kind;

/* Each file is found under any of its alternative names (first match wins). */
typedef struct {
  const char *name;
  Kind kind;
  const char *const *files[2];
  const char *describe; /* what the directory must hold, for messages */
} DatasetDef;

struct _MrtDataset {
  const DatasetDef *def;
  char *dir;
  MrtShape input_shape;
  int batch_axis;
  MrtShape sample;     /* input_shape without the batch axis */
  gint64 sample_size;  /* elements per sample */
  gint64 inner;        /* elements of a sample after the batch axis */
  gint64 n, pos;
  float *labels;       /* n labels */

  /* in-memory samples, (n, sample…) row-major, U8 or F32 */
  MrtTensor *raw;
  float div;           /* 1 or 255 */
  const float *mean, *std; /* per channel (axis 0 of the sample), or NULL */
  gint64 channel_size;

  /* image folders */
  GPtrArray *files;    /* char* paths, in label order */
};

/* Images of the class folders of dir (or of dir/val), labels = folder index. */
gboolean mrt_dataset_list_images (const char *dir, GPtrArray **files, GArray **labels);
/* The imagenet reader: lists the images and checks the (3, H, W) sample. */
gboolean mrt_dataset_load_imagenet (MrtDataset *ds, MrtShape *native, GError **error);
/* Decodes and preprocesses the image at path into a (3, H, W) sample. */
gboolean mrt_dataset_image_sample (MrtDataset *ds, const char *path, float *out, GError **error);
