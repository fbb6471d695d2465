/* mrt-ini.h: MRT's .ini files, read with Python configparser's rules and
 * written back with every comment and unknown line kept, so that a project
 * saved by the GUI still holds the user's notes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MRT_INI_ERROR (mrt_ini_error_quark ())
typedef enum {
  MRT_INI_ERROR_SYNTAX,
  MRT_INI_ERROR_DUPLICATE,
} MrtIniError;
GQuark mrt_ini_error_quark (void);

typedef struct _MrtIni MrtIni;

MrtIni *mrt_ini_new (void);
MrtIni *mrt_ini_parse (const char *text, const char *fname, GError **error);
MrtIni *mrt_ini_load (const char *path, GError **error);
void mrt_ini_free (MrtIni *ini);
MrtIni *mrt_ini_copy (const MrtIni *ini);

/* Section names are case-sensitive, keys are not (configparser). get()
 * falls back to [DEFAULT]; NULL when absent. Multi-line values are joined
 * with '\n' and stripped. */
const char *mrt_ini_get (const MrtIni *ini, const char *section, const char *key);
gboolean mrt_ini_has_section (const MrtIni *ini, const char *section);
/* Sets (or adds) an option; a value with '\n' is written as indented
 * continuation lines. Creates the section when missing. */
void mrt_ini_set (MrtIni *ini, const char *section, const char *key, const char *value);
char *mrt_ini_to_string (const MrtIni *ini);
/* Atomic: temporary file + rename. */
gboolean mrt_ini_save (const MrtIni *ini, const char *path, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtIni, mrt_ini_free)

G_END_DECLS
