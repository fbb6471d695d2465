/* mrt-json.h: guards every JSON reader puts in front of json-glib 1.6. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* json-glib recurses once per nesting level, so deeply nested brackets
 * overflow the stack: TRUE when text nests at most max_depth levels. */
gboolean mrt_json_depth_ok (const char *text, gsize len, int max_depth);

/* json-glib 1.6 decodes escapes JSON does not have (octal "\6", lone
 * surrogates "\ud800") into bytes that are not UTF-8: TRUE when every string
 * and member name under node is UTF-8. Recursion is bounded by a prior
 * mrt_json_depth_ok. */
gboolean mrt_json_strings_valid (JsonNode *node);

G_END_DECLS
