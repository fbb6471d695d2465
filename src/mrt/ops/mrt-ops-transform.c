/* mrt-ops-transform.c: the transform operator family. */
#include "mrt-op.h"

const MrtOpDef mrt_ops_transform[] = {
  { NULL },
};
