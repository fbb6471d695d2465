/* mrt-cvm-params.c: the params binary (cvm.md §2): a little-endian list of
 * names, then one DLPack-style array per name (int8 or int32 only). Every
 * size is checked against the bytes left before anything is allocated. */
#include "mrt-cvm-io.h"

#include <string.h>

#define LIST_MAGIC G_GUINT64_CONSTANT (0xF7E58D4F05049CB7)
#define ARRAY_MAGIC G_GUINT64_CONSTANT (0xDD5E40F096B4A13F)
#define ARRAY_HEADER 40 /* magic, reserved, context, ndim, dtype, byte count */

typedef struct {
  const guint8 *p;
  gsize left;
} Reader;

static gboolean
take (Reader *r, void *out, gsize n)
{
  if (r->left < n)
    return FALSE;
  memcpy (out, r->p, n);
  r->p += n;
  r->left -= n;
  return TRUE;
}

static gboolean
u64 (Reader *r, guint64 *v)
{
  guint64 x;
  if (!take (r, &x, 8))
    return FALSE;
  *v = GUINT64_FROM_LE (x);
  return TRUE;
}

static gboolean
i32 (Reader *r, gint32 *v)
{
  guint32 x;
  if (!take (r, &x, 4))
    return FALSE;
  *v = (gint32) GUINT32_FROM_LE (x);
  return TRUE;
}

#define TRUNCATED(what)                                                                                   \
  G_STMT_START                                                                                            \
  {                                                                                                       \
    g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: truncated file (reading %s)", what); \
    return NULL;                                                                                          \
  }                                                                                                       \
  G_STMT_END

static MrtTensor *
read_array (Reader *r, const char *name, GError **error)
{
  guint64 magic, reserved, nbytes;
  gint32 dev[2], ndim;
  guint8 dtype[4];
  MrtShape shape = { 0 };
  gint64 size = 1;
  guint bits;
  MrtTensor *t;

  if (!u64 (r, &magic))
    TRUNCATED ("an array header");
  if (magic != ARRAY_MAGIC)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: parameter “%s”: wrong array magic", name);
      return NULL;
    }
  if (!u64 (r, &reserved) || !i32 (r, &dev[0]) || !i32 (r, &dev[1]) || !i32 (r, &ndim) || !take (r, dtype, 4))
    TRUNCATED ("an array header");
  if (ndim < 1 || ndim > MRT_CVM_MAX_NDIM)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: parameter “%s” has %d dimensions", name, ndim);
      return NULL;
    }
  bits = dtype[1];
  if (dtype[0] != 0 || (bits != 8 && bits != 32) || (dtype[2] | (dtype[3] << 8)) != 1)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM,
                   "params: parameter “%s” has dtype code %u bits %u lanes %u; only int8 and int32 are allowed", name,
                   dtype[0], bits, dtype[2] | (dtype[3] << 8));
      return NULL;
    }
  shape.ndim = ndim;
  for (int i = 0; i < ndim; i++)
    {
      guint64 d;
      if (!u64 (r, &d))
        TRUNCATED ("an array shape");
      if (d < 1 || d > (guint64) MRT_CVM_MAX_DIM || (size *= (gint64) d) > MRT_CVM_MAX_SIZE)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                       "params: parameter “%s” has an out-of-range shape (dimension %d is %" G_GINT64_FORMAT ")", name,
                       i, (gint64) d);
          return NULL;
        }
      shape.dim[i] = (gint64) d;
    }
  if (!u64 (r, &nbytes))
    TRUNCATED ("an array size");
  if (nbytes != (guint64) size * (bits / 8))
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT,
                   "params: parameter “%s” declares %" G_GUINT64_FORMAT " data bytes, its shape needs %" G_GINT64_FORMAT,
                   name, nbytes, size * (bits / 8));
      return NULL;
    }
  if (nbytes > r->left)
    TRUNCATED ("array data");
  t = mrt_tensor_try_new (bits == 8 ? MRT_DTYPE_I8 : MRT_DTYPE_I32, &shape, error);
  if (t == NULL)
    return NULL;
  take (r, t->data, nbytes);
  if (bits == 32)
    for (gsize i = 0; i < t->n; i++)
      mrt_tensor_i32 (t)[i] = (gint32) GUINT32_FROM_LE ((guint32) mrt_tensor_i32 (t)[i]);
  return t;
}

GHashTable *
mrt_cvm_params_parse (const guint8 *bytes, gsize len, GError **error)
{
  Reader r = { bytes, len };
  g_autoptr (GHashTable) out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                      (GDestroyNotify) mrt_tensor_unref);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  guint64 magic, reserved, n, n_arrays;

  if (len == 0)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: the file is empty");
      return NULL;
    }
  if (!u64 (&r, &magic))
    TRUNCATED ("the header");
  if (magic != LIST_MAGIC)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: wrong magic (not a CVM params file)");
      return NULL;
    }
  if (!u64 (&r, &reserved) || !u64 (&r, &n))
    TRUNCATED ("the header");
  if (n > r.left / 8)
    TRUNCATED ("the names");
  for (guint64 i = 0; i < n; i++)
    {
      guint64 sl;
      char *name;
      if (!u64 (&r, &sl))
        TRUNCATED ("a name");
      if (sl > r.left)
        TRUNCATED ("a name");
      if (memchr (r.p, '\0', sl) || !g_utf8_validate ((const char *) r.p, (gssize) sl, NULL))
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: name %" G_GUINT64_FORMAT " is not valid text",
                       i);
          return NULL;
        }
      name = g_strndup ((const char *) r.p, sl);
      r.p += sl;
      r.left -= sl;
      g_ptr_array_add (names, name);
    }
  if (!u64 (&r, &n_arrays))
    TRUNCATED ("the array count");
  if (n_arrays != n)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT,
                   "params: %" G_GUINT64_FORMAT " names but %" G_GUINT64_FORMAT " arrays", n, n_arrays);
      return NULL;
    }
  if (n > r.left / ARRAY_HEADER)
    TRUNCATED ("the arrays");
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = g_ptr_array_index (names, i);
      MrtTensor *t;
      if (g_hash_table_contains (out, name))
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: parameter “%s” appears twice", name);
          return NULL;
        }
      if (!(t = read_array (&r, name, error)))
        return NULL;
      g_hash_table_insert (out, g_strdup (name), t);
    }
  if (r.left != 0)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_FORMAT, "params: %" G_GSIZE_FORMAT " unexpected bytes at the end",
                   r.left);
      return NULL;
    }
  return g_steal_pointer (&out);
}

/* ---- writer ----------------------------------------------------------- */

static void
put_u64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

static void
put_i32 (GByteArray *b, gint32 v)
{
  guint32 x = GUINT32_TO_LE ((guint32) v);
  g_byte_array_append (b, (const guint8 *) &x, 4);
}

GBytes *
mrt_cvm_params_to_bytes (const MrtModel *cvm, GError **error)
{
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (cvm, error);
  g_autoptr (GByteArray) b = NULL;
  g_autoptr (GArray) vars = g_array_new (FALSE, FALSE, sizeof (guint));

  if (g == NULL || !mrt_cvm_graph_check_params (g, error))
    return NULL;
  for (guint i = 0; i < g->n_nodes; i++)
    if (g->defs[i] == NULL && i != g->data_node)
      g_array_append_val (vars, i);
  b = g_byte_array_new ();
  put_u64 (b, LIST_MAGIC);
  put_u64 (b, 0);
  put_u64 (b, vars->len);
  for (guint k = 0; k < vars->len; k++)
    {
      const char *name = mrt_model_node (cvm, g_array_index (vars, guint, k))->name;
      put_u64 (b, strlen (name));
      g_byte_array_append (b, (const guint8 *) name, (guint) strlen (name));
    }
  put_u64 (b, vars->len);
  for (guint k = 0; k < vars->len; k++)
    {
      guint i = g_array_index (vars, guint, k);
      MrtTensor *t = mrt_model_get_param (cvm, mrt_model_node (cvm, i)->name);
      gboolean narrow = g->precision[g->entry_offset[i]] <= 8;
      guint8 dtype[4] = { 0, narrow ? 8 : 32, 1, 0 };
      put_u64 (b, ARRAY_MAGIC);
      put_u64 (b, 0);
      put_i32 (b, 1); /* kDLCPU */
      put_i32 (b, 0);
      put_i32 (b, t->shape.ndim);
      g_byte_array_append (b, dtype, 4);
      for (int d = 0; d < t->shape.ndim; d++)
        put_u64 (b, (guint64) t->shape.dim[d]);
      put_u64 (b, t->n * (narrow ? 1 : 4));
      for (gsize j = 0; j < t->n; j++)
        {
          gint32 v = t->dtype == MRT_DTYPE_I32 ? mrt_tensor_i32 (t)[j] : ((const gint8 *) t->data)[j];
          if (narrow)
            {
              gint8 c = (gint8) v; /* fits: |v| <= 127 was checked */
              g_byte_array_append (b, (const guint8 *) &c, 1);
            }
          else
            put_i32 (b, v);
        }
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&b));
}
