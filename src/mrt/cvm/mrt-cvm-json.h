/* mrt-cvm-json.h: JSON helpers and the symbol reader (private to src/mrt/cvm/). */
#pragma once

#include <json-glib/json-glib.h>

#include "mrt-cvm-io.h"

/* FALSE when text nests arrays/objects deeper than json-glib can take safely. */
gboolean mrt_cvm_json_depth_ok (const char *text, gsize len);
/* Parses text that must be a JSON object; what names it in errors. */
JsonNode *mrt_cvm_json_parse (const char *text, gsize len, const char *what, GError **error);
/* The symbol as a model (structure and types checked; no shape or
 * precision inference yet). *declared: the file's shape per entry (g_free). */
MrtModel *mrt_cvm_symbol_read (const char *json, gsize len, MrtShape **declared, GError **error);
