/* mrt-ops-nn.c: the nn operator family. */
#include "mrt-op.h"

const MrtOpDef mrt_ops_nn[] = {
  { NULL },
};
