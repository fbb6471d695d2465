/* mrt-cvm-io.h: reading and writing CVM models: the symbol (graph JSON,
 * cvm.md §1) and the params binary (§2). The runtime reads only these two;
 * data.npy and ext are not needed.
 *
 * A loaded model is a CVM graph as described in mrt-cvm-check.h: variables
 * carry "precision" and "__shape__", operators their op_attrs as node
 * attrs, every node its "__storage_id__" from the file, and the data node a
 * "__postprocess__" attr when the symbol has a non-empty postprocess.
 * Parameters keep the stored dtype (int8 or int32). Every load runs the
 * full check (mrt_cvm_check), so a loaded model is always runnable. */
#pragma once

#include "mrt-cvm-check.h"

G_BEGIN_DECLS

/* dir_or_symbol_path: a directory holding "symbol" and "params", or a symbol
 * file: its params are "<dir>/params" when the file is named "symbol", else
 * the same path with the extension replaced by ".params". */
MrtModel *mrt_cvm_load (const char *dir_or_symbol_path, GError **error);

/* fname names the model in error messages (may be NULL). */
MrtModel *mrt_cvm_parse (const char *json, gsize json_len, const guint8 *params, gsize params_len,
                         const char *fname, GError **error);

/* The symbol alone (no parameters): everything but the parameter checks
 * (structure, attributes, declared shapes, precisions, storage, gas). For
 * gas queries on a graph file, like CVMAPIGetGasFromGraphFile. */
MrtModel *mrt_cvm_parse_symbol (const char *json, gsize json_len, const char *fname, GError **error);

/* The params binary: name -> MrtTensor (int8 or int32, as stored). */
GHashTable *mrt_cvm_params_parse (const guint8 *bytes, gsize len, GError **error);

/* The symbol JSON (cvm_1.0.0, every key). storage_ids: one id per entry,
 * checked for soundness; NULL plans a fresh one (mrt_cvm_plan_storage). */
char *mrt_cvm_symbol_to_json (const MrtModel *cvm, const int *storage_ids, GError **error);

/* The params binary of every variable except data, in node order; int8
 * when the variable's precision is <= 8, else int32. */
GBytes *mrt_cvm_params_to_bytes (const MrtModel *cvm, GError **error);

/* Writes dir/symbol (with the model's own storage plan when it has one) and
 * dir/params; creates dir. */
gboolean mrt_cvm_save (const MrtModel *cvm, const char *dir, GError **error);

/* The symbol's postprocess: "", "argmax" or "detection". */
const char *mrt_cvm_postprocess (const MrtModel *cvm);

G_END_DECLS
