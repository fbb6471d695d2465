/* mrt-attr.h: typed parsing of MXNet attribute strings ("(3, 3)", "True", "None", "-1", "0.25"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MRT_MAX_TUPLE 16

typedef enum {
  MRT_ATTR_INT,
  MRT_ATTR_FLOAT,
  MRT_ATTR_BOOL,
  MRT_ATTR_TUPLE,     /* of ints; elements may be None */
  MRT_ATTR_STRING,
  MRT_ATTR_INT_OR_NONE,
  MRT_ATTR_FLOAT_OR_NONE,
  MRT_ATTR_ANY,       /* kept as text, not checked */
} MrtAttrType;

typedef struct {
  int n;
  gint64 v[MRT_MAX_TUPLE];
  gboolean none[MRT_MAX_TUPLE];
} MrtTuple;

/* Each returns FALSE when the text does not parse as that type. */
/* Integers (and tuple elements) beyond ±2^31 are refused: see mrt-attr.c. */
gboolean mrt_attr_parse_int (const char *text, gint64 *out);
gboolean mrt_attr_parse_float (const char *text, double *out);
gboolean mrt_attr_parse_bool (const char *text, gboolean *out);
/* "(3, 3)", "(3,3)", "[1, 2]", "3", "()", "(None, 2)", "(1,)" */
gboolean mrt_attr_parse_tuple (const char *text, MrtTuple *out);
gboolean mrt_attr_is_none (const char *text);
/* Checks text against type; a string always passes. */
gboolean mrt_attr_check (MrtAttrType type, const char *text);
const char *mrt_attr_type_name (MrtAttrType type);

/* Python-style float text: "0.25", "1e-05", "3.0" (repr-like, round-trips). */
char *mrt_attr_format_float (double v);
/* "(1, 2, 3)"; a 1-tuple prints "(1,)" */
char *mrt_attr_format_tuple (const gint64 *v, int n);

G_END_DECLS
