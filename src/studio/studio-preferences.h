/* studio-preferences.h: the Preferences window, a view of the GSettings
 * keys that are not remembered state (threads, new project defaults). */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define STUDIO_TYPE_PREFERENCES (studio_preferences_get_type ())
G_DECLARE_FINAL_TYPE (StudioPreferences, studio_preferences, STUDIO, PREFERENCES, AdwPreferencesWindow)

/* settings must use the org.cortex.MrtStudio schema. */
StudioPreferences *studio_preferences_new (GSettings *settings, GtkWindow *parent);

/* The calibration methods in the order the combo row lists them. */
const char *studio_preferences_method_nick (guint index);

G_END_DECLS
