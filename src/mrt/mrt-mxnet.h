/* mrt-mxnet.h: reading and writing MXNet models: symbol JSON of every
 * generation (legacy "param", "attr", "attrs") and .params NDArray lists
 * (legacy, V1, V2, V3). Writes the current JSON generation and V2 params. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

#define MRT_MXNET_ERROR (mrt_mxnet_error_quark ())
typedef enum {
  MRT_MXNET_ERROR_NOT_FOUND,
  MRT_MXNET_ERROR_JSON,     /* malformed symbol JSON */
  MRT_MXNET_ERROR_PARAMS,   /* malformed .params */
  MRT_MXNET_ERROR_MISMATCH, /* symbol and params disagree */
} MrtMxnetError;
GQuark mrt_mxnet_error_quark (void);

/* Parses symbol JSON text; fname is only used in messages. The model has no
 * parameters yet. */
MrtModel *mrt_mxnet_parse_symbol (const char *json, gssize len, const char *fname, GError **error);
/* Parses a .params file: name (without arg:/aux:) -> MrtTensor* (as stored). */
GHashTable *mrt_mxnet_parse_params (const guint8 *data, gsize len, const char *fname, GError **error);

/* Loads symbol + params (params_path may be NULL) and validates the model. */
MrtModel *mrt_mxnet_load (const char *symbol_path, const char *params_path, GError **error);
/* MODEL is a symbol JSON path or a prefix P: P-symbol.json with the
 * highest-epoch P-NNNN.params (MXNet naming) or P.json with P.params (MRT). */
gboolean mrt_mxnet_resolve (const char *model, char **symbol_path, char **params_path, GError **error);
MrtModel *mrt_mxnet_open (const char *model, GError **error);

/* Writers (current generation / V2). Files are written atomically. */
char *mrt_mxnet_symbol_to_json (const MrtModel *model);
GBytes *mrt_mxnet_params_to_bytes (const MrtModel *model);
gboolean mrt_mxnet_save (const MrtModel *model, const char *symbol_path, const char *params_path, GError **error);

G_END_DECLS
