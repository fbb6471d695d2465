/* mrt-npy.c: reading and writing NumPy .npy files. The header is a Python
 * dict literal; we parse the subset numpy writes (three keys, strings, a
 * boolean and a tuple of ints) and refuse anything else by name. */
#include "mrt-npy.h"

#include <gio/gio.h>
#include <string.h>

G_DEFINE_QUARK (mrt-npy-error-quark, mrt_npy_error)

static const guint8 npy_magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* ---------------------------------------------------------------------- */
/* dtypes */

typedef struct {
  const char *code; /* kind and size, after the byte-order character */
  MrtDType dtype;
} DescrEntry;

static const DescrEntry descr_table[] = {
  { "f2", MRT_DTYPE_F16 }, { "f4", MRT_DTYPE_F32 }, { "f8", MRT_DTYPE_F64 },
  { "u1", MRT_DTYPE_U8 },  { "i1", MRT_DTYPE_I8 },  { "i4", MRT_DTYPE_I32 },
  { "i8", MRT_DTYPE_I64 },
};

static gboolean
descr_to_dtype (const char *descr, const char *fname, MrtDType *out, GError **error)
{
  char order = '|';
  const char *code = descr;
  gboolean big;

  if (*code == '<' || *code == '>' || *code == '|' || *code == '=')
    order = *code++;
  for (guint i = 0; i < G_N_ELEMENTS (descr_table); i++)
    {
      if (strcmp (code, descr_table[i].code) != 0)
        continue;
      big = order == '>' || (order == '=' && G_BYTE_ORDER == G_BIG_ENDIAN);
      if (mrt_dtype_size (descr_table[i].dtype) > 1)
        {
          if (big)
            {
              g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                           "“%s”: big-endian data (dtype '%s') is not supported; "
                           "convert it with array.astype('<%s')", fname, descr, code);
              return FALSE;
            }
          if (order == '|')
            break; /* multi-byte types always carry a byte order */
        }
      *out = descr_table[i].dtype;
      return TRUE;
    }
  if (strcmp (code, "O") == 0)
    g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                 "“%s”: object arrays (dtype '%s') are not supported", fname, descr);
  else
    g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                 "“%s”: dtype '%s' is not supported (use float32, float64, float16, uint8, "
                 "int8, int32 or int64)", fname, descr);
  return FALSE;
}

static const char *
dtype_to_descr (MrtDType dtype)
{
  switch (dtype)
    {
    case MRT_DTYPE_F16: return "<f2";
    case MRT_DTYPE_F32: return "<f4";
    case MRT_DTYPE_F64: return "<f8";
    case MRT_DTYPE_U8: return "|u1";
    case MRT_DTYPE_I8: return "|i1";
    case MRT_DTYPE_I32: return "<i4";
    case MRT_DTYPE_I64: return "<i8";
    default: return NULL;
    }
}

/* .npy data is little-endian; only a big-endian host needs this. */
static void
swap_elements (gpointer data, gsize n, gsize esize)
{
  guint8 *p = data;
  for (gsize i = 0; i < n; i++, p += esize)
    for (gsize a = 0, b = esize - 1; a < b; a++, b--)
      {
        guint8 t = p[a];
        p[a] = p[b];
        p[b] = t;
      }
}

/* ---------------------------------------------------------------------- */
/* Header: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */

typedef struct {
  const char *p, *end;
  const char *fname;
  GError **error;
} Header;

static gboolean G_GNUC_PRINTF (3, 4)
header_fail (Header *h, gint code, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_set_error (h->error, MRT_NPY_ERROR, code, "“%s”: malformed .npy header: %s", h->fname, msg);
  return FALSE;
}

static void
skip_space (Header *h)
{
  while (h->p < h->end && (*h->p == ' ' || *h->p == '\t' || *h->p == '\n' || *h->p == '\r'))
    h->p++;
}

static gboolean
expect (Header *h, char c)
{
  skip_space (h);
  if (h->p >= h->end || *h->p != c)
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "expected '%c'", c);
  h->p++;
  return TRUE;
}

static gboolean
parse_string (Header *h, char **out)
{
  char quote;
  const char *start;

  skip_space (h);
  if (h->p >= h->end || (*h->p != '\'' && *h->p != '"'))
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "expected a quoted string");
  quote = *h->p++;
  start = h->p;
  while (h->p < h->end && *h->p != quote)
    {
      /* Keys and dtype codes are printable ASCII. Anything else is refused
       * here, which also keeps raw header bytes out of the (UTF-8) error
       * messages that quote these strings (found by fuzzing). */
      if (*h->p == '\\' || (guchar) *h->p < 0x20 || (guchar) *h->p > 0x7e)
        return header_fail (h, MRT_NPY_ERROR_FORMAT, "unexpected character in a string");
      h->p++;
    }
  if (h->p >= h->end)
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "unterminated string");
  *out = g_strndup (start, h->p - start);
  h->p++;
  return TRUE;
}

static gboolean
parse_bool (Header *h, gboolean *out)
{
  gsize left;
  skip_space (h);
  left = h->end - h->p;
  if (left >= 4 && memcmp (h->p, "True", 4) == 0)
    {
      *out = TRUE;
      h->p += 4;
      return TRUE;
    }
  if (left >= 5 && memcmp (h->p, "False", 5) == 0)
    {
      *out = FALSE;
      h->p += 5;
      return TRUE;
    }
  return header_fail (h, MRT_NPY_ERROR_FORMAT, "fortran_order is neither True nor False");
}

static gboolean
parse_dim (Header *h, gint64 *out)
{
  gint64 v = 0;
  if (h->p < h->end && *h->p == '-')
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "negative dimension in the shape");
  if (h->p >= h->end || !g_ascii_isdigit (*h->p))
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "the shape is not a tuple of integers");
  while (h->p < h->end && g_ascii_isdigit (*h->p))
    {
      v = v * 10 + (*h->p++ - '0');
      if (v > MRT_MAX_ELEMENTS)
        {
          g_set_error (h->error, MRT_NPY_ERROR, MRT_NPY_ERROR_SIZE,
                       "“%s”: a dimension of the shape exceeds %" G_GINT64_FORMAT, h->fname,
                       MRT_MAX_ELEMENTS);
          return FALSE;
        }
    }
  if (h->p < h->end && (*h->p == 'L' || *h->p == 'l')) /* Python 2 longs */
    h->p++;
  *out = v;
  return TRUE;
}

static gboolean
parse_shape (Header *h, MrtShape *out)
{
  MrtShape s = { 0 };
  gboolean trailing_comma = FALSE;

  if (!expect (h, '('))
    return FALSE;
  for (;;)
    {
      skip_space (h);
      if (h->p < h->end && *h->p == ')')
        break;
      if (s.ndim == MRT_MAX_NDIM)
        {
          g_set_error (h->error, MRT_NPY_ERROR, MRT_NPY_ERROR_SIZE,
                       "“%s”: the array has more than %d dimensions", h->fname, MRT_MAX_NDIM);
          return FALSE;
        }
      if (!parse_dim (h, &s.dim[s.ndim++]))
        return FALSE;
      skip_space (h);
      trailing_comma = h->p < h->end && *h->p == ',';
      if (trailing_comma)
        h->p++;
      else if (h->p < h->end && *h->p == ')')
        break;
      else
        return header_fail (h, MRT_NPY_ERROR_FORMAT, "the shape is not a tuple of integers");
    }
  h->p++;
  /* "(5)" is the integer 5 in Python, not a tuple */
  if (s.ndim == 1 && !trailing_comma)
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "the shape is not a tuple");
  *out = s;
  return TRUE;
}

typedef struct {
  char *descr;
  gboolean fortran_order;
  MrtShape shape;
  guint seen; /* bit per key */
} HeaderFields;

static gboolean
parse_header (Header *h, HeaderFields *f)
{
  static const char *keys[] = { "descr", "fortran_order", "shape" };

  if (!expect (h, '{'))
    return FALSE;
  for (;;)
    {
      g_autofree char *key = NULL;
      guint k;

      skip_space (h);
      if (h->p < h->end && *h->p == '}')
        break;
      if (!parse_string (h, &key) || !expect (h, ':'))
        return FALSE;
      for (k = 0; k < G_N_ELEMENTS (keys); k++)
        if (strcmp (key, keys[k]) == 0)
          break;
      if (k == G_N_ELEMENTS (keys))
        return header_fail (h, MRT_NPY_ERROR_FORMAT, "unexpected key '%s'", key);
      if (f->seen & (1u << k))
        return header_fail (h, MRT_NPY_ERROR_FORMAT, "key '%s' appears twice", key);
      f->seen |= 1u << k;
      skip_space (h);
      if (k == 0)
        {
          if (h->p < h->end && *h->p == '[')
            {
              g_set_error (h->error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                           "“%s”: structured arrays are not supported", h->fname);
              return FALSE;
            }
          if (!parse_string (h, &f->descr))
            return FALSE;
        }
      else if (k == 1 ? !parse_bool (h, &f->fortran_order) : !parse_shape (h, &f->shape))
        return FALSE;
      skip_space (h);
      if (h->p < h->end && *h->p == ',')
        h->p++;
      else if (!(h->p < h->end && *h->p == '}'))
        return header_fail (h, MRT_NPY_ERROR_FORMAT, "expected ',' or '}' after '%s'", key);
    }
  h->p++;
  skip_space (h);
  if (h->p != h->end)
    return header_fail (h, MRT_NPY_ERROR_FORMAT, "text after the closing brace");
  for (guint k = 0; k < G_N_ELEMENTS (keys); k++)
    if (!(f->seen & (1u << k)))
      return header_fail (h, MRT_NPY_ERROR_FORMAT, "key '%s' is missing", keys[k]);
  return TRUE;
}

/* ---------------------------------------------------------------------- */

MrtTensor *
mrt_npy_parse (const guint8 *data, gsize len, const char *fname, GError **error)
{
  HeaderFields f = { 0 };
  Header h = { 0 };
  g_autoptr (GError) local = NULL;
  guint major, minor;
  gsize header_start, header_len, offset;
  guint64 need;
  MrtDType dtype;
  MrtTensor *t = NULL;

  if (fname == NULL)
    fname = "<memory>";
  if (len < sizeof npy_magic || memcmp (data, npy_magic, sizeof npy_magic) != 0)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_FORMAT,
                   "“%s” is not a NumPy .npy file (bad magic)", fname);
      return NULL;
    }
  if (len < 10)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_TRUNCATED, "“%s”: truncated .npy header", fname);
      return NULL;
    }
  major = data[6];
  minor = data[7];
  if (major == 1)
    {
      header_start = 10;
      header_len = data[8] | (gsize) data[9] << 8;
    }
  else if ((major == 2 || major == 3) && len >= 12)
    {
      header_start = 12;
      header_len = data[8] | (gsize) data[9] << 8 | (gsize) data[10] << 16 | (gsize) data[11] << 24;
    }
  else if (major == 2 || major == 3)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_TRUNCATED, "“%s”: truncated .npy header", fname);
      return NULL;
    }
  else
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                   "“%s”: .npy format version %u.%u is not supported (1.0, 2.0 and 3.0 are)", fname,
                   major, minor);
      return NULL;
    }
  if (header_len > len - header_start)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_TRUNCATED,
                   "“%s”: the .npy header of %" G_GSIZE_FORMAT " bytes runs past the end of the file",
                   fname, header_len);
      return NULL;
    }

  h.p = (const char *) data + header_start;
  h.end = h.p + header_len;
  h.fname = fname;
  h.error = error;
  if (!parse_header (&h, &f))
    goto out;
  if (!descr_to_dtype (f.descr, fname, &dtype, error))
    goto out;
  if (f.fortran_order)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_UNSUPPORTED,
                   "“%s”: Fortran-ordered arrays are not supported; save a C-ordered copy "
                   "(numpy.ascontiguousarray)", fname);
      goto out;
    }
  if (!mrt_shape_check (&f.shape, &local))
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_SIZE, "“%s”: %s", fname, local->message);
      goto out;
    }

  offset = header_start + header_len;
  need = (guint64) mrt_shape_size (&f.shape) * mrt_dtype_size (dtype);
  if ((guint64) (len - offset) != need)
    {
      g_autofree char *shape = mrt_shape_to_string (&f.shape);
      g_set_error (error, MRT_NPY_ERROR,
                   (guint64) (len - offset) < need ? MRT_NPY_ERROR_TRUNCATED : MRT_NPY_ERROR_FORMAT,
                   "“%s”: an array of %s %s needs %" G_GUINT64_FORMAT " bytes of data, the file "
                   "holds %" G_GSIZE_FORMAT, fname, mrt_dtype_name (dtype), shape, need, len - offset);
      goto out;
    }

  t = mrt_tensor_try_new (dtype, &f.shape, &local);
  if (t == NULL)
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_SIZE, "“%s”: %s", fname, local->message);
      goto out;
    }
  if (need)
    memcpy (t->data, data + offset, need);
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    swap_elements (t->data, t->n, mrt_dtype_size (dtype));

out:
  g_free (f.descr);
  return t;
}

MrtTensor *
mrt_npy_load (const char *path, GError **error)
{
  g_autoptr (GMappedFile) file = NULL;
  g_autoptr (GError) local = NULL;

  file = g_mapped_file_new (path, FALSE, &local);
  if (file == NULL)
    {
      gboolean missing = g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT);
      g_set_error (error, MRT_NPY_ERROR, missing ? MRT_NPY_ERROR_NOT_FOUND : MRT_NPY_ERROR_IO,
                   "%s", local->message);
      return NULL;
    }
  return mrt_npy_parse ((const guint8 *) g_mapped_file_get_contents (file),
                        g_mapped_file_get_length (file), path, error);
}

GBytes *
mrt_npy_to_bytes (const MrtTensor *t)
{
  const char *descr;
  g_autofree char *shape = NULL;
  GString *header;
  GByteArray *out;
  gsize prefix, data_len, pad;
  gboolean v2;

  g_return_val_if_fail (t != NULL, NULL);
  descr = dtype_to_descr (t->dtype);
  g_return_val_if_fail (descr != NULL, NULL);

  shape = mrt_shape_to_string (&t->shape);
  header = g_string_new (NULL);
  g_string_printf (header, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape);
  /* Like numpy: pad with spaces and a final newline so the data starts at a
   * multiple of 64 bytes. */
  v2 = header->len + 1 + 10 > 65535;
  prefix = v2 ? 12 : 10;
  pad = (64 - (prefix + header->len + 1) % 64) % 64;
  for (gsize i = 0; i < pad; i++)
    g_string_append_c (header, ' ');
  g_string_append_c (header, '\n');

  data_len = t->n * mrt_dtype_size (t->dtype);
  out = g_byte_array_sized_new (prefix + header->len + data_len);
  g_byte_array_append (out, npy_magic, sizeof npy_magic);
  if (v2)
    {
      guint8 ver[6] = { 2, 0, header->len & 0xff, (header->len >> 8) & 0xff,
                        (header->len >> 16) & 0xff, (header->len >> 24) & 0xff };
      g_byte_array_append (out, ver, sizeof ver);
    }
  else
    {
      guint8 ver[4] = { 1, 0, header->len & 0xff, (header->len >> 8) & 0xff };
      g_byte_array_append (out, ver, sizeof ver);
    }
  g_byte_array_append (out, (const guint8 *) header->str, header->len);
  if (data_len)
    g_byte_array_append (out, t->data, data_len);
  if (G_BYTE_ORDER == G_BIG_ENDIAN)
    swap_elements (out->data + prefix + header->len, t->n, mrt_dtype_size (t->dtype));
  g_string_free (header, TRUE);
  return g_byte_array_free_to_bytes (out);
}

gboolean
mrt_npy_save (const MrtTensor *t, const char *path, GError **error)
{
  g_autoptr (GBytes) bytes = mrt_npy_to_bytes (t);
  g_autoptr (GError) local = NULL;
  gsize len;
  const char *data;

  g_return_val_if_fail (bytes != NULL, FALSE);
  data = g_bytes_get_data (bytes, &len);
  if (!g_file_set_contents_full (path, data, len, G_FILE_SET_CONTENTS_CONSISTENT, 0666, &local))
    {
      g_set_error (error, MRT_NPY_ERROR, MRT_NPY_ERROR_IO, "%s", local->message);
      return FALSE;
    }
  return TRUE;
}
