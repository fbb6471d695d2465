/* mrt-ops-vision.c: the vision operator family. */
#include "mrt-op.h"

const MrtOpDef mrt_ops_vision[] = {
  { NULL },
};
