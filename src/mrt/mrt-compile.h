/* mrt-compile.h: lowering a quantized model (MXNet ops + Custom cvm_* ops)
 * to the CVM op set (spec mrt.md §9.1), producing a graph whose node ops are
 * canonical CVM op names, attributes in the CVM's text form, int32 params. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

#define MRT_COMPILE_ERROR (mrt_compile_error_quark ())
typedef enum {
  MRT_COMPILE_ERROR_UNSUPPORTED, /* an op the CVM cannot run */
  MRT_COMPILE_ERROR_PARAM,       /* a parameter that is not an int32 integer */
} MrtCompileError;
GQuark mrt_compile_error_quark (void);

/* input_shape: the full input shape (batch set). The input variable is
 * renamed "data" and comes first; it carries "__shape__" and "precision". */
MrtModel *mrt_to_cvm (MrtModel *quantized, const MrtShape *input_shape, GError **error);

G_END_DECLS
