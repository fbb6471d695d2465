/* mrt-mxnet-params.c: reading .params NDArray lists (legacy, V1, V2, V3
 * records; ndarray.cc NDArray::Save / Load / LegacyLoad). */
#include "mrt-mxnet-private.h"

#include <string.h>

/* ------------------------------------------------------------------------ */
/* .params reading                                                            */

typedef struct {
  const guint8 *data;
  gsize len, pos;
  const char *fname;
} Reader;

static gsize
remaining (const Reader *r)
{
  return r->len - r->pos;
}

static gboolean
read_bytes (Reader *r, void *out, gsize n)
{
  if (remaining (r) < n)
    return FALSE;
  memcpy (out, r->data + r->pos, n);
  r->pos += n;
  return TRUE;
}

static gboolean
read_u32 (Reader *r, guint32 *v)
{
  if (!read_bytes (r, v, 4))
    return FALSE;
  *v = GUINT32_FROM_LE (*v);
  return TRUE;
}

static gboolean
read_i32 (Reader *r, gint32 *v)
{
  guint32 u;
  if (!read_u32 (r, &u))
    return FALSE;
  *v = (gint32) u;
  return TRUE;
}

static gboolean
read_u64 (Reader *r, guint64 *v)
{
  if (!read_bytes (r, v, 8))
    return FALSE;
  *v = GUINT64_FROM_LE (*v);
  return TRUE;
}

/* Copies little-endian elements into host order. */
void
mrt_mxnet_copy_le (void *dst, const guint8 *src, gsize n, gsize size)
{
  memcpy (dst, src, n * size);
#if G_BYTE_ORDER == G_BIG_ENDIAN
  for (gsize i = 0; i < n; i++)
    {
      guint8 *e = (guint8 *) dst + i * size;
      for (gsize a = 0, b = size - 1; a < b; a++, b--)
        {
          guint8 t = e[a];
          e[a] = e[b];
          e[b] = t;
        }
    }
#endif
}

static gboolean
truncated (Reader *r, const char *what, guint64 index, const char *part, GError **error)
{
  params_error (error, r->fname, "%s %" G_GUINT64_FORMAT " is cut short: the file ends inside its %s", what, index,
                part);
  return FALSE;
}

typedef enum { REC_LEGACY, REC_V1, REC_V2, REC_V3 } RecordKind;

typedef struct {
  RecordKind kind;
  MrtShape shape;
  gboolean none; /* an uninitialised NDArray: no data follows */
} Record;

static gboolean
read_dims (Reader *r, guint64 index, Record *rec, GError **error)
{
  for (int d = 0; d < rec->shape.ndim; d++)
    {
      gint64 v;
      if (rec->kind == REC_LEGACY)
        {
          guint32 u;
          if (!read_u32 (r, &u))
            return truncated (r, "array", index, "shape", error);
          v = u;
        }
      else if (!read_u64 (r, (guint64 *) &v))
        return truncated (r, "array", index, "shape", error);
      if (v == -1 && rec->kind == REC_V3)
        rec->none = TRUE; /* unknown dimension (numpy semantics) */
      else if (v < 0)
        {
          params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": dimension %d is negative (%" G_GINT64_FORMAT ")",
                        index, d, v);
          return FALSE;
        }
      rec->shape.dim[d] = v;
    }
  return TRUE;
}

static gboolean
read_ndim (Reader *r, guint64 index, guint32 magic, Record *rec, GError **error)
{
  gint32 ndim;

  if (rec->kind == REC_LEGACY)
    ndim = magic <= MRT_MAX_NDIM ? (gint32) magic : -2; /* legacy records start with ndim */
  else if (!read_i32 (r, &ndim))
    return truncated (r, "array", index, "shape", error);
  /* MXNet >= 1.5 writes an unknown shape as ndim -1, in V2 records too. */
  if (ndim == -1 && rec->kind >= REC_V2)
    {
      rec->none = TRUE;
      return TRUE;
    }
  if (ndim < 0 || ndim > MRT_MAX_NDIM)
    {
      if (rec->kind == REC_LEGACY)
        params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": unknown record magic 0x%08x (as a legacy record: "
                      "%u dimensions; at most %d are supported)", index, magic, magic, MRT_MAX_NDIM);
      else
        params_error (error, r->fname, "array %" G_GUINT64_FORMAT " has %d dimensions; at most %d are supported",
                      index, ndim, MRT_MAX_NDIM);
      return FALSE;
    }
  rec->shape.ndim = ndim;
  /* Before numpy semantics an empty shape meant "no array". */
  rec->none = ndim == 0 && rec->kind != REC_V3;
  return TRUE;
}

static gboolean
read_record_head (Reader *r, guint64 index, Record *rec, GError **error)
{
  guint32 magic;
  gint32 stype;

  memset (rec, 0, sizeof *rec);
  if (!read_u32 (r, &magic))
    return truncated (r, "array", index, "header", error);
  rec->kind = magic == NDARRAY_V1_MAGIC ? REC_V1
              : magic == NDARRAY_V2_MAGIC ? REC_V2
              : magic == NDARRAY_V3_MAGIC ? REC_V3
                                          : REC_LEGACY;
  if (rec->kind >= REC_V2)
    {
      if (!read_i32 (r, &stype))
        return truncated (r, "array", index, "header", error);
      if (stype != 0)
        {
          params_error (error, r->fname, "array %" G_GUINT64_FORMAT " uses storage type %d (sparse); only dense arrays "
                        "are supported", index, stype);
          return FALSE;
        }
    }
  return read_ndim (r, index, magic, rec, error) && read_dims (r, index, rec, error);
}

static MrtTensor *
read_record_data (Reader *r, guint64 index, const Record *rec, GError **error)
{
  guint8 header[12];
  gint32 flag;
  GError *local = NULL;
  MrtTensor *t;

  if (!read_bytes (r, header, sizeof header))
    {
      truncated (r, "array", index, "header", error);
      return NULL;
    }
  memcpy (&flag, header + 8, 4); /* after the context (dev_type, dev_id), which does not matter here */
  flag = (gint32) GUINT32_FROM_LE ((guint32) flag);
  if (flag < MRT_DTYPE_F32 || flag > MRT_DTYPE_I64)
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT " has data type %d; supported are 0-6 "
                    "(float32, float64, float16, uint8, int32, int8, int64)", index, flag);
      return NULL;
    }
  if (!mrt_shape_check (&rec->shape, &local))
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": %s", index, local->message);
      g_error_free (local);
      return NULL;
    }
  /* checked before allocating: a hostile shape must not cost memory */
  if ((guint64) mrt_shape_size (&rec->shape) > remaining (r) / mrt_dtype_size (flag))
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT " is cut short: its data needs %" G_GUINT64_FORMAT
                    " bytes, but only %" G_GSIZE_FORMAT " remain", index,
                    (guint64) mrt_shape_size (&rec->shape) * mrt_dtype_size (flag), remaining (r));
      return NULL;
    }
  t = mrt_tensor_try_new ((MrtDType) flag, &rec->shape, &local);
  if (t == NULL)
    {
      params_error (error, r->fname, "array %" G_GUINT64_FORMAT ": %s", index, local->message);
      g_error_free (local);
      return NULL;
    }
  mrt_mxnet_copy_le (t->data, r->data + r->pos, t->n, mrt_dtype_size (flag));
  r->pos += t->n * mrt_dtype_size (flag);
  return t;
}

/* Returns FALSE on error; *out stays NULL for a "none" array. */
static gboolean
read_record (Reader *r, guint64 index, MrtTensor **out, GError **error)
{
  Record rec;

  *out = NULL;
  if (!read_record_head (r, index, &rec, error))
    return FALSE;
  if (rec.none)
    return TRUE;
  *out = read_record_data (r, index, &rec, error);
  return *out != NULL;
}

static gboolean
read_list_header (Reader *r, guint64 *count, GError **error)
{
  guint64 magic, reserved;

  if (r->len < 3 * sizeof (guint64))
    {
      params_error (error, r->fname, "%" G_GSIZE_FORMAT " bytes is too short for an MXNet .params file", r->len);
      return FALSE;
    }
  read_u64 (r, &magic);
  read_u64 (r, &reserved);
  read_u64 (r, count);
  if (magic != LIST_MAGIC)
    {
      params_error (error, r->fname, "not an MXNet .params file (magic 0x%" G_GINT64_MODIFIER "x, expected 0x112)",
                    magic);
      return FALSE;
    }
  /* Every record takes at least 4 bytes; refuse counts the file cannot hold
   * before anything is sized by them. */
  if (*count > remaining (r) / 4 || *count > G_MAXUINT32)
    {
      params_error (error, r->fname, "the file claims %" G_GUINT64_FORMAT " arrays, more than its %" G_GSIZE_FORMAT
                    " bytes can hold", *count, r->len);
      return FALSE;
    }
  return TRUE;
}

static char *
read_name (Reader *r, guint64 index, GError **error)
{
  guint64 len;
  char *name;

  if (!read_u64 (r, &len))
    {
      truncated (r, "name", index, "length", error);
      return NULL;
    }
  if (len > remaining (r))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " claims %" G_GUINT64_FORMAT " bytes, but only %"
                    G_GSIZE_FORMAT " remain", index, len, remaining (r));
      return NULL;
    }
  name = g_strndup ((const char *) r->data + r->pos, len);
  r->pos += len;
  if (strlen (name) != len || !g_utf8_validate (name, -1, NULL))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " is not valid UTF-8 text", index);
      g_free (name);
      return NULL;
    }
  return name;
}

/* MXNet checkpoints prefix names with "arg:" / "aux:"; Gluon files do not. */
static const char *
strip_prefix (const char *name)
{
  if (g_str_has_prefix (name, "arg:") || g_str_has_prefix (name, "aux:"))
    return name + 4;
  return name;
}

static gboolean
add_named (Reader *r, GHashTable *table, guint64 index, const char *full, MrtTensor *t, GError **error)
{
  const char *name = strip_prefix (full);

  if (*name == '\0')
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " is empty", index);
      return FALSE;
    }
  if (g_hash_table_contains (table, name))
    {
      params_error (error, r->fname, "name %" G_GUINT64_FORMAT " (“%s”) names a parameter a second time", index, full);
      return FALSE;
    }
  /* a "none" array carries no value; its name is still reserved */
  g_hash_table_insert (table, g_strdup (name), t ? mrt_tensor_ref (t) : NULL);
  return TRUE;
}

static gboolean
read_names (Reader *r, GPtrArray *arrays, GHashTable *table, GError **error)
{
  guint64 count;

  if (!read_u64 (r, &count))
    {
      params_error (error, r->fname, "the name list is cut short: the file ends inside its count");
      return FALSE;
    }
  if (count != arrays->len)
    {
      params_error (error, r->fname, "the file holds %u arrays but %" G_GUINT64_FORMAT " names%s", arrays->len, count,
                    count == 0 ? " (unnamed lists cannot be model parameters)" : "");
      return FALSE;
    }
  for (guint i = 0; i < arrays->len; i++)
    {
      g_autofree char *name = read_name (r, i, error);
      if (name == NULL || !add_named (r, table, i, name, g_ptr_array_index (arrays, i), error))
        return FALSE;
    }
  return TRUE;
}

static void
drop_none (GHashTable *table)
{
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, table);
  while (g_hash_table_iter_next (&it, &k, &v))
    if (v == NULL)
      g_hash_table_iter_remove (&it);
}

GHashTable *
mrt_mxnet_parse_params (const guint8 *data, gsize len, const char *fname, GError **error)
{
  Reader r = { data, len, 0, fname ? fname : "(params)" };
  g_autoptr (GPtrArray) arrays = g_ptr_array_new_with_free_func ((GDestroyNotify) mrt_tensor_unref);
  g_autoptr (GHashTable) table =
    g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) mrt_tensor_unref);
  guint64 count;

  g_return_val_if_fail (data != NULL || len == 0, NULL);
  if (!read_list_header (&r, &count, error))
    return NULL;
  for (guint64 i = 0; i < count; i++)
    {
      MrtTensor *t;
      if (!read_record (&r, i, &t, error))
        return NULL;
      g_ptr_array_add (arrays, t);
    }
  if (!read_names (&r, arrays, table, error))
    return NULL;
  drop_none (table);
  return g_steal_pointer (&table);
}
