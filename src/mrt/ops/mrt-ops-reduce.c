/* mrt-ops-reduce.c: the reduce operator family. */
#include "mrt-op.h"

const MrtOpDef mrt_ops_reduce[] = {
  { NULL },
};
