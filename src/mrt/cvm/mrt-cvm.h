/* mrt-cvm.h: the CVM side of libmrt: operator registry, checker, storage
 * planner, symbol/params I/O and the integer executor. See docs/cvm.md. */
#pragma once

#include "mrt-cvm-ops.h"
#include "mrt-cvm-check.h"
#include "mrt-cvm-io.h"
#include "mrt-cvm-exec.h"
