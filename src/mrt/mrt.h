/* mrt.h: the libmrt umbrella header. */
#pragma once

#include "mrt-attr.h"
#include "mrt-executor.h"
#include "mrt-model.h"
#include "mrt-mxnet.h"
#include "mrt-op.h"
#include "mrt-tensor.h"
#include "mrt-metric.h"
#include "mrt-config.h"
#include "mrt-ini.h"
#include "mrt-progress.h"
