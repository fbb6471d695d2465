/* mrt-ini.c: the file is kept as its lines; parsing builds an index over
 * them. Edits rewrite the lines of one option and re-index, which keeps
 * comments, blank lines and option order exactly as the user wrote them. */
#include "mrt-ini.h"

#include <string.h>

G_DEFINE_QUARK (mrt-ini-error-quark, mrt_ini_error)

typedef struct {
  char *key;      /* lower case */
  char *value;    /* joined and stripped */
  guint first;    /* first line */
  guint n_lines;  /* lines it spans, continuation lines included */
} Option;

typedef struct {
  char *name;
  guint header;   /* line of the [name] header */
  guint last;     /* last line belonging to the section */
  GPtrArray *options;
} Section;

struct _MrtIni {
  GPtrArray *lines;    /* char* */
  GPtrArray *sections; /* Section*; the DEFAULT section may be among them */
};

static void
option_free (gpointer p)
{
  Option *o = p;
  g_free (o->key);
  g_free (o->value);
  g_free (o);
}

static void
section_free (gpointer p)
{
  Section *s = p;
  g_free (s->name);
  g_ptr_array_unref (s->options);
  g_free (s);
}

MrtIni *
mrt_ini_new (void)
{
  MrtIni *ini = g_new0 (MrtIni, 1);
  ini->lines = g_ptr_array_new_with_free_func (g_free);
  ini->sections = g_ptr_array_new_with_free_func (section_free);
  return ini;
}

void
mrt_ini_free (MrtIni *ini)
{
  if (ini == NULL)
    return;
  g_ptr_array_unref (ini->lines);
  g_ptr_array_unref (ini->sections);
  g_free (ini);
}

static gboolean
is_blank (const char *line)
{
  for (; *line; line++)
    if (!g_ascii_isspace (*line))
      return FALSE;
  return TRUE;
}

static gboolean
is_comment (const char *line)
{
  while (g_ascii_isspace (*line))
    line++;
  return *line == '#' || *line == ';';
}

static Section *
find_section (const MrtIni *ini, const char *name)
{
  for (guint i = 0; i < ini->sections->len; i++)
    {
      Section *s = g_ptr_array_index (ini->sections, i);
      if (strcmp (s->name, name) == 0)
        return s;
    }
  return NULL;
}

static Option *
find_option (const Section *s, const char *key)
{
  g_autofree char *lower = g_ascii_strdown (key, -1);
  for (guint i = 0; s && i < s->options->len; i++)
    {
      Option *o = g_ptr_array_index (s->options, i);
      if (strcmp (o->key, lower) == 0)
        return o;
    }
  return NULL;
}

/* Builds the section/option index from ini->lines. */
static gboolean
reindex (MrtIni *ini, const char *fname, GError **error)
{
  Section *cur = NULL;
  Option *opt = NULL;
  GString *value = NULL;
  guint pending_blank = 0;

  g_ptr_array_set_size (ini->sections, 0);
  for (guint i = 0; i < ini->lines->len; i++)
    {
      const char *line = g_ptr_array_index (ini->lines, i);
      gboolean indented = g_ascii_isspace (line[0]);

      if (is_comment (line))
        continue;
      if (is_blank (line))
        {
          if (opt)
            pending_blank++;
          continue;
        }
      /* Continuation lines are indented and follow an option. */
      if (opt && indented)
        {
          g_autofree char *piece = g_strstrip (g_strdup (line));
          for (; pending_blank > 0; pending_blank--)
            g_string_append_c (value, '\n');
          g_string_append_c (value, '\n');
          g_string_append (value, piece);
          opt->n_lines = i - opt->first + 1;
          continue;
        }
      if (opt)
        {
          opt->value = g_strstrip (g_string_free (value, FALSE));
          opt = NULL;
          value = NULL;
        }
      pending_blank = 0;
      if (line[0] == '[')
        {
          const char *end = strchr (line, ']');
          g_autofree char *name = NULL;
          if (end == NULL || end == line + 1 || !is_blank (end + 1))
            {
              g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_SYNTAX,
                           "%s:%u: a section header must look like [NAME]", fname, i + 1);
              return FALSE;
            }
          name = g_strndup (line + 1, end - line - 1);
          if (find_section (ini, name))
            {
              g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_DUPLICATE,
                           "%s:%u: section [%s] appears twice", fname, i + 1, name);
              return FALSE;
            }
          cur = g_new0 (Section, 1);
          cur->name = g_steal_pointer (&name);
          cur->header = i;
          cur->options = g_ptr_array_new_with_free_func (option_free);
          g_ptr_array_add (ini->sections, cur);
          cur->last = i;
          continue;
        }
      {
        const char *delim = strpbrk (line, "=:");
        g_autofree char *raw_key = NULL; /* freed: it leaked before (found by LSan) */
        g_autofree char *key = NULL;
        if (cur == NULL)
          {
            g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_SYNTAX,
                         "%s:%u: option outside any section (add a [DEFAULT] header first)", fname, i + 1);
            return FALSE;
          }
        if (delim == NULL || delim == line)
          {
            g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_SYNTAX,
                         "%s:%u: expected “key = value”, found “%s”", fname, i + 1, line);
            return FALSE;
          }
        raw_key = g_strndup (line, delim - line);
        key = g_ascii_strdown (g_strstrip (raw_key), -1);
        if (find_option (cur, key))
          {
            g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_DUPLICATE,
                         "%s:%u: option “%s” appears twice in [%s]", fname, i + 1, key, cur->name);
            return FALSE;
          }
        opt = g_new0 (Option, 1);
        opt->key = g_steal_pointer (&key);
        opt->first = i;
        opt->n_lines = 1;
        value = g_string_new (delim + 1);
        g_ptr_array_add (cur->options, opt);
      }
    }
  if (opt)
    opt->value = g_strstrip (g_string_free (value, FALSE));
  /* a section owns every line up to the next header */
  for (guint i = 0; i < ini->sections->len; i++)
    {
      Section *s = g_ptr_array_index (ini->sections, i);
      Section *next = i + 1 < ini->sections->len ? g_ptr_array_index (ini->sections, i + 1) : NULL;
      s->last = next ? next->header - 1 : (ini->lines->len ? ini->lines->len - 1 : 0);
    }
  return TRUE;
}

MrtIni *
mrt_ini_parse (const char *text, const char *fname, GError **error)
{
  g_autoptr (MrtIni) ini = mrt_ini_new ();
  const char *p = text;

  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_SYNTAX, "%s is not UTF-8 text", fname);
      return NULL;
    }
  /* Lines end with "\n", "\r\n" or a lone "\r", like Python's universal
   * newlines; a final line break does not make an extra line. (Splitting on
   * "\n" alone kept a '\r' of "\r\r\n" in the line, so the text changed on
   * every save and reload: found by fuzzing.) */
  while (*p)
    {
      gsize len = strcspn (p, "\r\n");
      g_ptr_array_add (ini->lines, g_strndup (p, len));
      p += len;
      if (p[0] == '\r' && p[1] == '\n')
        p += 2;
      else if (*p)
        p++;
    }
  if (!reindex (ini, fname, error))
    return NULL;
  return g_steal_pointer (&ini);
}

MrtIni *
mrt_ini_load (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  if (!g_file_get_contents (path, &text, &len, error))
    return NULL;
  if (memchr (text, '\0', len))
    {
      g_set_error (error, MRT_INI_ERROR, MRT_INI_ERROR_SYNTAX, "%s is not a text file", path);
      return NULL;
    }
  return mrt_ini_parse (text, path, error);
}

MrtIni *
mrt_ini_copy (const MrtIni *ini)
{
  g_autofree char *text = mrt_ini_to_string (ini);
  return mrt_ini_parse (text, "(copy)", NULL);
}

const char *
mrt_ini_get (const MrtIni *ini, const char *section, const char *key)
{
  Option *o = find_option (find_section (ini, section), key);
  if (o == NULL && strcmp (section, "DEFAULT") != 0)
    o = find_option (find_section (ini, "DEFAULT"), key);
  return o ? o->value : NULL;
}

gboolean
mrt_ini_has_section (const MrtIni *ini, const char *section)
{
  return find_section (ini, section) != NULL;
}

static GPtrArray *
option_lines (const char *key, const char *value)
{
  GPtrArray *out = g_ptr_array_new ();
  g_auto (GStrv) parts = g_strsplit (value, "\n", -1);
  g_ptr_array_add (out, g_strdup_printf ("%s=%s", key, parts[0] ? parts[0] : ""));
  for (guint i = 1; parts[0] && parts[i]; i++)
    g_ptr_array_add (out, g_strdup_printf ("  %s", parts[i]));
  return out;
}

void
mrt_ini_set (MrtIni *ini, const char *section, const char *key, const char *value)
{
  Section *s = find_section (ini, section);
  Option *o = find_option (s, key);
  g_autoptr (GPtrArray) repl = option_lines (key, value);
  guint at;

  if (s == NULL)
    {
      if (ini->lines->len && !is_blank (g_ptr_array_index (ini->lines, ini->lines->len - 1)))
        g_ptr_array_add (ini->lines, g_strdup (""));
      g_ptr_array_add (ini->lines, g_strdup_printf ("[%s]", section));
      at = ini->lines->len;
    }
  else if (o)
    {
      at = o->first;
      g_ptr_array_remove_range (ini->lines, o->first, o->n_lines);
    }
  else
    {
      /* after the section's last non-blank line */
      at = s->last + 1;
      while (at > s->header + 1 && is_blank (g_ptr_array_index (ini->lines, at - 1)))
        at--;
    }
  for (guint i = 0; i < repl->len; i++)
    g_ptr_array_insert (ini->lines, at + i, g_ptr_array_index (repl, i));
  if (!reindex (ini, "(edited)", NULL))
    g_warn_if_reached ();
}

char *
mrt_ini_to_string (const MrtIni *ini)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < ini->lines->len; i++)
    {
      g_string_append (s, g_ptr_array_index (ini->lines, i));
      g_string_append_c (s, '\n');
    }
  return g_string_free (s, FALSE);
}

gboolean
mrt_ini_save (const MrtIni *ini, const char *path, GError **error)
{
  g_autofree char *text = mrt_ini_to_string (ini);
  return g_file_set_contents_full (path, text, -1, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}
