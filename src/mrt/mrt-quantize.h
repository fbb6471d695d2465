/* mrt-quantize.h: quantization (spec §6): a float model plus thresholds
 * become an integer graph (MXNet ops plus Custom cvm_* ops) with a scale and
 * a precision per node, provably free of overflow. */
#pragma once

#include "mrt-model.h"
#include "mrt-progress.h"

G_BEGIN_DECLS

#define MRT_QUANTIZE_ERROR (mrt_quantize_error_quark ())
typedef enum {
  MRT_QUANTIZE_ERROR_UNSUPPORTED, /* an op without a quantize rule */
  MRT_QUANTIZE_ERROR_OVERFLOW,    /* a node would need more than 32 bits */
  MRT_QUANTIZE_ERROR_THRESHOLD,   /* missing or invalid threshold */
} MrtQuantizeError;
GQuark mrt_quantize_error_quark (void);

typedef enum {
  MRT_PER_CHANNEL_AUTO, /* depthwise convolutions only */
  MRT_PER_CHANNEL_OFF,  /* MRT's per-tensor scales everywhere */
  MRT_PER_CHANNEL_ON,   /* every Convolution and FullyConnected */
} MrtPerChannel;

typedef struct {
  int input_precision;   /* 8 */
  int output_precision;  /* 0: outputs keep their precision */
  double softmax_lambd;  /* 10 */
  int shift_bits;        /* 5 */
  MrtPerChannel per_channel; /* extension; AUTO */
  /* Restore_name (§6.7, debug): node names, "_OP_<op>" for every node of an
   * op, "_ALL_EXCEPT_" to invert. Restored nodes compute in float: the
   * result can be evaluated (in float simulation) but not exported. NULL: none. */
  GPtrArray *restore_names;
} MrtQuantizeOptions;

void mrt_quantize_options_init (MrtQuantizeOptions *opts);

typedef struct {
  MrtModel *model;      /* the quantized graph */
  GHashTable *th;       /* node name -> double* */
  GHashTable *sc;       /* node name -> double* */
  GHashTable *prec;     /* node name -> int* */
  GPtrArray *old_names; /* output names of the float model, in order */
  GArray *oscales;      /* double per output */
  double input_scale;
  int input_precision;
  guint n_restored;     /* nodes computed in float (Restore_name) */
} MrtQuantized;

/* thresholds: node name -> double* for every node of `model` (calibration
 * plus user overrides). */
/* input_shape: the model input's shape at batch 1. */
MrtQuantized *mrt_quantize (MrtModel *model, const MrtShape *input_shape, GHashTable *thresholds,
                            const MrtQuantizeOptions *opts, const MrtProgress *progress, GError **error);
MrtQuantized *mrt_quantized_new (void);
MrtQuantized *mrt_quantized_ref (MrtQuantized *q);
void mrt_quantized_unref (MrtQuantized *q);

double mrt_quantized_get (GHashTable *table, const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtQuantized, mrt_quantized_unref)

G_END_DECLS
