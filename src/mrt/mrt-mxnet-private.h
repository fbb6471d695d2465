/* mrt-mxnet-private.h: shared by the MXNet reader and writer files
 * (mrt-mxnet.c, mrt-mxnet-symbol.c, mrt-mxnet-params.c, mrt-mxnet-write.c). */
#pragma once

#include "mrt-mxnet.h"

G_BEGIN_DECLS

/* MXNet assumes 0.8.0 when a symbol carries no version. */
#define MXNET_VERSION_UNKNOWN 800
#define MXNET_VERSION_WRITTEN 10600

#define LIST_MAGIC G_GUINT64_CONSTANT (0x112)
#define NDARRAY_V1_MAGIC 0xF993FAC8u
#define NDARRAY_V2_MAGIC 0xF993FAC9u
#define NDARRAY_V3_MAGIC 0xF993FACAu

/* g_set_error with the message prefixed by "fname: " (mrt-mxnet.c). */
void mrt_mxnet_set_error (GError **error, GQuark domain, int code, const char *fname, const char *fmt, ...)
  G_GNUC_PRINTF (5, 6);

#define json_error(error, fname, ...) \
  mrt_mxnet_set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_JSON, fname, __VA_ARGS__)
#define params_error(error, fname, ...) \
  mrt_mxnet_set_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_PARAMS, fname, __VA_ARGS__)

/* An op whose inputs from first_aux on are auxiliary states (mrt-mxnet.c). */
typedef struct {
  const char *op;
  guint first_aux;
  const char *aux_names[2];
} MrtMxnetAuxOp;

extern const MrtMxnetAuxOp mrt_mxnet_aux_ops[];

/* The index of op in mrt_mxnet_aux_ops, or -1. */
gint mrt_mxnet_aux_op_index (const char *op);

/* Copies little-endian elements into host order (mrt-mxnet-params.c); the
 * writer uses it the other way round, as the swap is symmetric. */
void mrt_mxnet_copy_le (void *dst, const guint8 *src, gsize n, gsize size);

G_END_DECLS
