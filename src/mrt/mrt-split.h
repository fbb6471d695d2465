/* mrt-split.h: SPLIT and MERGE (spec §4). A prepared model is cut at key
 * nodes into a quantizable base (the keys are its outputs) and a float top
 * (the keys become its inputs); after quantizing the base, merge joins the
 * two again and rescales the top's thresholds into the integer domain. */
#pragma once

#include "mrt-config.h"
#include "mrt-model.h"

G_BEGIN_DECLS

/* keys: names of operator nodes of prepared. input_shape: the model input's
 * shape (batch 1, as after prepare), used for the key shapes.
 * base: the nodes the keys depend on; its outputs are the keys in
 * topological order (not in the order given).
 * top: the whole graph with each key replaced by a variable of the same
 * name whose "__shape__" is the key's shape; outputs as prepared's. */
gboolean mrt_split (MrtModel *prepared, const MrtShape *input_shape, const char *const *keys, guint n_keys,
                    MrtModel **base, MrtModel **top, GError **error);

/* Joins a (quantized) base and a top.
 * base_output_names_original: one name per qbase output, the key each
 * output stands for (the qbase outputs may have been renamed).
 * base_oscales: one output scale per qbase output.
 * deps: Attribute_deps; each top node of op deps[i].op gets
 *   attr ← int(attr (0 when absent) × oscale of base output deps[i].key).
 * maps: Oscale_maps in file order: one scale per merged output, 1 for
 *   key == NULL, else the oscale of that base output (names on the left are
 *   ignored, as upstream). With n_maps == 0 each output that is a base
 *   output gets its oscale and the others 1.
 * out_oscales (may be NULL): one scale per merged output (g_free). */
MrtModel *mrt_merge (MrtModel *qbase, MrtModel *top, const char *const *base_output_names_original,
                     const MrtAttributeDep *deps, guint n_deps, const double *base_oscales, const MrtOscaleMap *maps,
                     guint n_maps, double **out_oscales, GError **error);

G_END_DECLS
