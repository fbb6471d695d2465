/* studio-stage-signature.h: the settings each stage reads, as one string,
 * so that a result can be compared with the current settings: equal strings
 * mean the stage would read the same values again. Results of earlier
 * stages are not part of it (the runner tracks those). GTK-free. */
#pragma once

#include "mrt-config.h"

G_BEGIN_DECLS

char *studio_stage_signature (const MrtConfig *config, MrtStage stage);

G_END_DECLS
