/* mrt-mxnet.c: placeholder until the MXNet reader lands. */
#include "mrt-mxnet.h"
G_DEFINE_QUARK (mrt-mxnet-error-quark, mrt_mxnet_error)
