/* studio-application.h: the MRT Studio application: one window per opened
 * model, the bundled sample when started without arguments. */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STUDIO_TYPE_APPLICATION (studio_application_get_type ())
G_DECLARE_FINAL_TYPE (StudioApplication, studio_application, STUDIO, APPLICATION, AdwApplication)

StudioApplication *studio_application_new (void);
/* Path of the bundled sample symbol file, or NULL when it is not installed
 * and not next to the sources either. */
char *studio_application_find_sample (void);

G_END_DECLS
