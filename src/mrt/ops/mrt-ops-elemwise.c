/* mrt-ops-elemwise.c: the elemwise operator family. */
#include "mrt-op.h"

const MrtOpDef mrt_ops_elemwise[] = {
  { NULL },
};
