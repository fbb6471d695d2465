/* studio-export.h: "Export CVM Model…": choose a folder, run the stages the
 * export needs, compile into <folder>/<name>_cvm, load the result back with
 * the full CVM check and report the gas cost and the check in a dialog. */
#pragma once

#include <adwaita.h>

#include "studio-stage-panel.h"

G_BEGIN_DECLS

/* Shows a folder chooser, then exports there. */
void studio_export_choose_folder (GtkWindow *parent, StudioStagePanel *panel);
/* Exports to folder without asking. */
void studio_export_to_folder (GtkWindow *parent, StudioStagePanel *panel, const char *folder);

G_END_DECLS
