/* mrt-attr.c: MXNet writes every attribute as Python literal text; these parse it. */
#include "mrt-attr.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *
skip_ws (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

static gboolean
rest_is_blank (const char *p)
{
  return *skip_ws (p) == '\0';
}

gboolean
mrt_attr_is_none (const char *text)
{
  const char *p = skip_ws (text);
  return strncmp (p, "None", 4) == 0 && rest_is_blank (p + 4);
}

/* Integer attributes are sizes, axes, counts and the like: MXNet stores them
 * as 32-bit (and a few 64-bit) C++ fields. Refusing magnitudes above 2^31
 * here keeps every shape function free of overflow, since a dimension
 * (<= MRT_MAX_ELEMENTS = 2^31) times an attribute then fits in 63 bits (the
 * fuzzer found repeats=3691131880531878796 overflowing repeat's shape). */
#define ATTR_INT_LIMIT (G_GINT64_CONSTANT (1) << 31)

static gboolean
int_in_range (gint64 v)
{
  return v >= -ATTR_INT_LIMIT && v <= ATTR_INT_LIMIT;
}

gboolean
mrt_attr_parse_int (const char *text, gint64 *out)
{
  const char *p = skip_ws (text);
  char *end;
  gint64 v;
  gboolean b;

  if (mrt_attr_parse_bool (text, &b) && !g_ascii_isdigit (*p))
    {
      *out = b; /* Python: True == 1 */
      return TRUE;
    }
  errno = 0;
  v = g_ascii_strtoll (p, &end, 10);
  if (end == p || errno)
    return FALSE;
  if (*end == 'L') /* Python 2 long literal, seen in old symbol files */
    end++;
  if (!rest_is_blank (end))
    {
      /* "3.0" is accepted as int when integral */
      double d;
      if (mrt_attr_parse_float (text, &d) && d == floor (d) && fabs (d) <= (double) ATTR_INT_LIMIT)
        {
          *out = (gint64) d;
          return TRUE;
        }
      return FALSE;
    }
  if (!int_in_range (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
mrt_attr_parse_float (const char *text, double *out)
{
  const char *p = skip_ws (text);
  char *end;
  double v;

  if (g_ascii_strncasecmp (p, "inf", 3) == 0 || g_ascii_strncasecmp (p, "-inf", 4) == 0 ||
      g_ascii_strncasecmp (p, "nan", 3) == 0)
    {
      /* MXNet writes inf as "inf"; NaN is never a valid attribute value. */
      if (g_ascii_strncasecmp (p, "nan", 3) == 0)
        return FALSE;
    }
  errno = 0;
  v = g_ascii_strtod (p, &end);
  if (end == p || errno == ERANGE || !rest_is_blank (end) || isnan (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
mrt_attr_parse_bool (const char *text, gboolean *out)
{
  const char *p = skip_ws (text);
  static const struct { const char *s; gboolean v; } words[] = {
    { "True", TRUE }, { "true", TRUE }, { "1", TRUE },
    { "False", FALSE }, { "false", FALSE }, { "0", FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    {
      gsize n = strlen (words[i].s);
      if (strncmp (p, words[i].s, n) == 0 && rest_is_blank (p + n))
        {
          *out = words[i].v;
          return TRUE;
        }
    }
  return FALSE;
}

gboolean
mrt_attr_parse_tuple (const char *text, MrtTuple *out)
{
  const char *p = skip_ws (text);
  char close = 0;
  MrtTuple t = { 0 };

  if (*p == '(' || *p == '[')
    {
      close = *p == '(' ? ')' : ']';
      p++;
    }
  for (;;)
    {
      char *end;
      p = skip_ws (p);
      if (close && *p == close)
        {
          p++;
          break;
        }
      if (*p == '\0')
        {
          if (close)
            return FALSE;
          break;
        }
      if (t.n == MRT_MAX_TUPLE)
        return FALSE;
      if (strncmp (p, "None", 4) == 0)
        {
          t.none[t.n] = TRUE;
          t.v[t.n++] = 0;
          p += 4;
        }
      else
        {
          errno = 0;
          t.v[t.n] = g_ascii_strtoll (p, &end, 10);
          if (end == p || errno || !int_in_range (t.v[t.n]))
            return FALSE;
          if (*end == 'L')
            end++;
          t.n++;
          p = end;
        }
      p = skip_ws (p);
      if (*p == ',')
        p++;
      else if (!(close && *p == close) && *p != '\0')
        return FALSE;
      if (!close && *p == '\0')
        break;
    }
  if (!rest_is_blank (p))
    return FALSE;
  *out = t;
  return TRUE;
}

gboolean
mrt_attr_check (MrtAttrType type, const char *text)
{
  gint64 i;
  double d;
  gboolean b;
  MrtTuple t;

  switch (type)
    {
    case MRT_ATTR_INT: return mrt_attr_parse_int (text, &i);
    case MRT_ATTR_FLOAT: return mrt_attr_parse_float (text, &d);
    case MRT_ATTR_BOOL: return mrt_attr_parse_bool (text, &b);
    case MRT_ATTR_TUPLE: return mrt_attr_parse_tuple (text, &t);
    case MRT_ATTR_INT_OR_NONE: return mrt_attr_is_none (text) || mrt_attr_parse_int (text, &i);
    case MRT_ATTR_FLOAT_OR_NONE: return mrt_attr_is_none (text) || mrt_attr_parse_float (text, &d);
    case MRT_ATTR_STRING:
    case MRT_ATTR_ANY:
    default:
      return TRUE;
    }
}

const char *
mrt_attr_type_name (MrtAttrType type)
{
  switch (type)
    {
    case MRT_ATTR_INT: return "an integer";
    case MRT_ATTR_FLOAT: return "a number";
    case MRT_ATTR_BOOL: return "True or False";
    case MRT_ATTR_TUPLE: return "a tuple of integers";
    case MRT_ATTR_INT_OR_NONE: return "an integer or None";
    case MRT_ATTR_FLOAT_OR_NONE: return "a number or None";
    default: return "a string";
    }
}

char *
mrt_attr_format_float (double v)
{
  static const char *formats[] = { "%.6g", "%.9g", "%.17g" };
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  if (v == floor (v) && fabs (v) < 1e16)
    return g_strdup_printf ("%.1f", v);
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    {
      g_ascii_formatd (buf, sizeof buf, formats[i], v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

char *
mrt_attr_format_tuple (const gint64 *v, int n)
{
  GString *s = g_string_new ("(");
  for (int i = 0; i < n; i++)
    g_string_append_printf (s, i ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, v[i]);
  if (n == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}
