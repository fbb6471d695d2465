/* mrt-cvm-ops.c: the CVM operator registry, the attribute grammar and the
 * helpers shared by the operator families. */
#include "mrt-cvm-ops-private.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (mrt-cvm-error-quark, mrt_cvm_error)

static const struct {
  const MrtCvmOpDef *table;
  const guint *count;
} families[] = {
  { mrt_cvm_ops_nn, &mrt_cvm_ops_nn_count },
  { mrt_cvm_ops_elemwise, &mrt_cvm_ops_elemwise_count },
  { mrt_cvm_ops_broadcast, &mrt_cvm_ops_broadcast_count },
  { mrt_cvm_ops_transform, &mrt_cvm_ops_transform_count },
  { mrt_cvm_ops_index, &mrt_cvm_ops_index_count },
  { mrt_cvm_ops_vision, &mrt_cvm_ops_vision_count },
};

guint
mrt_cvm_n_ops (void)
{
  guint n = 0;
  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    n += *families[f].count;
  return n;
}

const MrtCvmOpDef *
mrt_cvm_op_nth (guint i)
{
  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    {
      if (i < *families[f].count)
        return &families[f].table[i];
      i -= *families[f].count;
    }
  return NULL;
}

const MrtCvmOpDef *
mrt_cvm_op_lookup (const char *name)
{
  if (name == NULL)
    return NULL;
  for (guint f = 0; f < G_N_ELEMENTS (families); f++)
    for (guint i = 0; i < *families[f].count; i++)
      if (strcmp (families[f].table[i].name, name) == 0)
        return &families[f].table[i];
  return NULL;
}

char *
mrt_cvm_func_name_canonical (const char *func_name)
{
  const char *us = strrchr (func_name, '_');
  const char *p;

  if (us == NULL || us[1] == '\0')
    return g_strdup (func_name);
  for (p = us + 1; *p; p++)
    if (!g_ascii_isdigit (*p))
      return g_strdup (func_name);
  return g_strndup (func_name, us - func_name);
}

/* ---- attribute grammar ------------------------------------------------ */

static const char *
skip_ws (const char *p)
{
  while (g_ascii_isspace (*p))
    p++;
  return p;
}

/* Parses a decimal integer at *pp (no surrounding blanks); advances *pp. */
static gboolean
parse_int_at (const char **pp, gint64 *out)
{
  const char *p = *pp;
  char *end;
  gint64 v;

  if (!(g_ascii_isdigit (*p) || ((*p == '-' || *p == '+') && g_ascii_isdigit (p[1]))))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (p, &end, 10);
  if (errno || end == p)
    return FALSE;
  *out = v;
  *pp = end;
  return TRUE;
}

gboolean
mrt_cvm_parse_int (const char *text, gint64 *out)
{
  const char *p = skip_ws (text);
  gint64 v;
  if (!parse_int_at (&p, &v) || *skip_ws (p) != '\0')
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
mrt_cvm_parse_bool (const char *text, gboolean *out)
{
  g_autofree char *s = g_strstrip (g_strdup (text));
  if (g_ascii_strcasecmp (s, "true") == 0 || strcmp (s, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp (s, "false") == 0 || strcmp (s, "0") == 0)
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

gboolean
mrt_cvm_parse_tuple (const char *text, int *n, gint64 *v)
{
  const char *p = skip_ws (text);
  char close = 0;
  int k = 0;

  if (*p == '(' || *p == '[')
    {
      close = *p == '(' ? ')' : ']';
      p = skip_ws (p + 1);
      if (*p == close)
        {
          *n = 0;
          return *skip_ws (p + 1) == '\0';
        }
    }
  for (;;)
    {
      if (k == MRT_CVM_MAX_TUPLE || !parse_int_at (&p, &v[k]))
        return FALSE;
      k++;
      p = skip_ws (p);
      if (*p == ',')
        {
          p = skip_ws (p + 1);
          if (close && *p == close) /* "(1,)" */
            break;
          continue;
        }
      break;
    }
  if (close)
    {
      if (*p != close)
        return FALSE;
      p++;
    }
  if (*skip_ws (p) != '\0')
    return FALSE;
  *n = k;
  return TRUE;
}

gboolean
mrt_cvm_attr_is_hidden (const char *key)
{
  gsize n = strlen (key);
  return n >= 4 && g_str_has_prefix (key, "__") && g_str_has_suffix (key, "__");
}

int
mrt_cvm_attr_index (const MrtCvmOpDef *def, const char *name)
{
  if (def->attrs)
    for (int k = 0; def->attrs[k].name; k++)
      if (strcmp (def->attrs[k].name, name) == 0)
        return k;
  return -1;
}

static gboolean
in_range (const MrtCvmAttrSpec *s, gint64 v)
{
  return v >= s->min && v <= s->max;
}

static gboolean
parse_value (const MrtCvmAttrSpec *s, const char *text, MrtCvmValue *out, GError **error)
{
  const char *what = NULL;
  memset (out, 0, sizeof *out);
  switch (s->type)
    {
    case MRT_CVM_INT:
      if (!mrt_cvm_parse_int (text, &out->i))
        what = "an integer";
      else if (!in_range (s, out->i))
        goto range;
      break;
    case MRT_CVM_BOOL:
      {
        gboolean b;
        if (!mrt_cvm_parse_bool (text, &b))
          what = "true or false";
        out->i = b;
      }
      break;
    case MRT_CVM_OPT_INT:
      {
        g_autofree char *t = g_strstrip (g_strdup (text));
        if (strcmp (t, "None") == 0)
          out->none = TRUE;
        else if (!mrt_cvm_parse_int (text, &out->i))
          what = "an integer or None";
        else if (!in_range (s, out->i))
          goto range;
      }
      break;
    case MRT_CVM_TUPLE:
      if (!mrt_cvm_parse_tuple (text, &out->n, out->t))
        what = "a tuple of integers such as (1, 1)";
      else if (out->n < s->min_len || out->n > s->max_len)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE,
                       "attribute %s=“%s” must have %d to %d values", s->name, text, s->min_len, s->max_len);
          return FALSE;
        }
      else
        for (int k = 0; k < out->n; k++)
          if (!in_range (s, out->t[k]))
            goto range;
      break;
    case MRT_CVM_STR:
    default:
      if (s->choices)
        {
          gboolean ok = FALSE;
          for (int k = 0; s->choices[k]; k++)
            ok |= strcmp (s->choices[k], text) == 0;
          if (!ok)
            {
              g_autofree char *list = g_strjoinv (", ", (char **) s->choices);
              g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE,
                           "attribute %s=“%s” is not supported (allowed: %s)", s->name, text, list);
              return FALSE;
            }
        }
      /* interned only once accepted: GLib never frees interned strings, so
       * refused values from a file must not be (see mrt-model.c op_name) */
      out->s = g_intern_string (text);
      break;
    }
  if (what)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE, "attribute %s=“%s” is not %s", s->name, text,
                   what);
      return FALSE;
    }
  return TRUE;

range:
  g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE,
               "attribute %s=“%s” is out of range [%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT "]", s->name, text,
               s->min, s->max);
  return FALSE;
}

static int
cmp_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

gboolean
mrt_cvm_attrs_parse (const MrtCvmOpDef *def, GHashTable *attrs, MrtCvmAttrs *out, GError **error)
{
  g_autofree gpointer *keys = NULL;
  guint n_keys = 0;
  gboolean given[MRT_CVM_MAX_ATTRS] = { 0 };

  memset (out, 0, sizeof *out);
  out->def = def;
  keys = attrs ? g_hash_table_get_keys_as_array (attrs, &n_keys) : NULL;
  if (n_keys > 1)
    qsort (keys, n_keys, sizeof (gpointer), cmp_str);
  for (guint i = 0; i < n_keys; i++)
    {
      const char *key = keys[i];
      int k;
      if (mrt_cvm_attr_is_hidden (key))
        continue;
      k = mrt_cvm_attr_index (def, key);
      if (k < 0)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE, "%s has no attribute “%s”", def->name, key);
          return FALSE;
        }
      if (!parse_value (&def->attrs[k], g_hash_table_lookup (attrs, key), &out->v[k], error))
        return FALSE;
      given[k] = TRUE;
    }
  for (int k = 0; def->attrs && def->attrs[k].name; k++)
    {
      if (given[k])
        continue;
      if (def->attrs[k].def == NULL)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_ATTRIBUTE, "required attribute “%s” is missing",
                       def->attrs[k].name);
          return FALSE;
        }
      if (!parse_value (&def->attrs[k], def->attrs[k].def, &out->v[k], error))
        g_return_val_if_reached (FALSE); /* a default that does not parse is a registry bug */
    }
  return TRUE;
}

void
mrt_cvm_op_arity (const MrtCvmAttrs *a, int *min_inputs, int *max_inputs)
{
  if (a->def->arity)
    *min_inputs = *max_inputs = (int) a->def->arity (a);
  else
    {
      *min_inputs = a->def->min_inputs;
      *max_inputs = a->def->max_inputs;
    }
}

/* ---- numbers ---------------------------------------------------------- */

int
mrt_cvm_bits (guint64 n)
{
  int b = 0;
  while (n)
    {
      b++;
      n >>= 1;
    }
  return b;
}

int
mrt_cvm_numprec (guint64 n)
{
  return mrt_cvm_bits (n + 1) + 1;
}

/* ---- threads ---------------------------------------------------------- */

#define MAX_THREADS 64
#define MIN_PARALLEL_COST (1 << 15)

/* A persistent pool: starting threads per operator costs more than the
 * smaller operators themselves. The items are cut into more chunks than
 * threads and handed out on demand; the caller takes chunks too, so a job
 * finishes even when a helper starts late (on a loaded machine) or not at
 * all. The job is shared and reference-counted: a late helper may find
 * every chunk taken and the caller gone, and then only drops it. */
typedef struct {
  gatomicrefcount ref;
  MrtCvmRangeFunc fn;
  gpointer data;
  gsize n_items, n_chunks;
  gint next, done;
  GMutex lock;
  GCond cond;
} ParallelJob;

static void
parallel_job_unref (ParallelJob *job)
{
  if (g_atomic_ref_count_dec (&job->ref))
    {
      g_mutex_clear (&job->lock);
      g_cond_clear (&job->cond);
      g_free (job);
    }
}

static void
parallel_job_work (ParallelJob *job)
{
  gint c;
  while ((c = g_atomic_int_add (&job->next, 1)) < (gint) job->n_chunks)
    {
      gsize begin = job->n_items * (gsize) c / job->n_chunks, end = job->n_items * (gsize) (c + 1) / job->n_chunks;
      job->fn (job->data, begin, end);
      if (g_atomic_int_add (&job->done, 1) + 1 == (gint) job->n_chunks)
        {
          g_mutex_lock (&job->lock);
          g_cond_signal (&job->cond);
          g_mutex_unlock (&job->lock);
        }
    }
}

static void
parallel_worker (gpointer job, gpointer unused)
{
  parallel_job_work (job);
  parallel_job_unref (job);
}

static GThreadPool *
parallel_pool (void)
{
  static gsize once;
  static GThreadPool *pool;
  if (g_once_init_enter (&once))
    {
      pool = g_thread_pool_new (parallel_worker, NULL, MAX_THREADS - 1, FALSE, NULL);
      g_once_init_leave (&once, 1);
    }
  return pool;
}

void
mrt_cvm_parallel (guint n_threads, gsize n_items, gsize item_cost, MrtCvmRangeFunc fn, gpointer data)
{
  guint nt = (guint) MIN (MIN (n_threads, MAX_THREADS), n_items);
  GThreadPool *pool;
  ParallelJob *job;

  if (nt <= 1 || n_items * MAX (item_cost, 1) < MIN_PARALLEL_COST || !(pool = parallel_pool ()))
    {
      if (n_items)
        fn (data, 0, n_items);
      return;
    }
  job = g_new0 (ParallelJob, 1);
  g_atomic_ref_count_init (&job->ref);
  g_mutex_init (&job->lock);
  g_cond_init (&job->cond);
  job->fn = fn;
  job->data = data;
  job->n_items = n_items;
  /* chunks of at least MIN_PARALLEL_COST / 4, up to 8 per thread */
  job->n_chunks = MIN (MIN (n_items, 8 * (gsize) nt), MAX (n_items * MAX (item_cost, 1) / (MIN_PARALLEL_COST / 4), nt));
  for (guint k = 1; k < nt; k++)
    {
      g_atomic_ref_count_inc (&job->ref);
      if (!g_thread_pool_push (pool, job, NULL))
        parallel_job_unref (job);
    }
  parallel_job_work (job);
  g_mutex_lock (&job->lock);
  while (g_atomic_int_get (&job->done) < (gint) job->n_chunks)
    g_cond_wait (&job->cond, &job->lock);
  g_mutex_unlock (&job->lock);
  parallel_job_unref (job);
}

/* ---- shared shape / precision / kernel helpers ------------------------ */

char *
cvm_shape_str (const MrtShape *s)
{
  return mrt_shape_to_string (s);
}

void
cvm_strided_gather (int nd, const gint64 *dim, const gint32 *src, const gint64 *sstride, gint32 *dst)
{
  gint64 idx[MRT_MAX_NDIM * 2] = { 0 };
  gint64 inner, istride;

  if (nd == 0)
    {
      dst[0] = src[0];
      return;
    }
  for (int i = 0; i < nd; i++)
    if (dim[i] == 0)
      return;
  inner = dim[nd - 1];
  istride = sstride[nd - 1];
  do
    {
      gint64 off = 0;
      for (int i = 0; i < nd - 1; i++)
        off += idx[i] * sstride[i];
      for (gint64 j = 0; j < inner; j++)
        *dst++ = src[off + j * istride];
    }
  while (cvm_odometer_next (nd - 1, dim, idx));
}

gboolean
cvm_shape_same (const MrtCvmAttrs *a, const MrtShape *in, guint n_in, MrtShape *out, GError **error)
{
  for (guint i = 1; i < n_in; i++)
    if (!mrt_shape_equal (&in[0], &in[i]))
      {
        g_autofree char *s0 = cvm_shape_str (&in[0]);
        g_autofree char *s1 = cvm_shape_str (&in[i]);
        return cvm_fail (error, "input shapes differ: %s vs %s", s0, s1);
      }
  out[0] = in[0];
  return TRUE;
}

gboolean
cvm_prec_same (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  out[0] = prec[0];
  return TRUE;
}

gboolean
cvm_prec_max (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out, GError **error)
{
  int p = 0;
  for (guint i = 0; i < n_in; i++)
    p = MAX (p, prec[i]);
  out[0] = p;
  return TRUE;
}

gboolean
cvm_prec_max_plus1 (const MrtCvmAttrs *a, const MrtShape *in, const int *prec, guint n_in, int *out,
                    GError **error)
{
  out[0] = MAX (prec[0], prec[1]) + 1;
  return TRUE;
}

void
cvm_forward_copy (const MrtCvmAttrs *a, const MrtCvmView *in, guint n_in, const MrtCvmView *out, guint n_threads)
{
  if (out[0].data != in[0].data)
    memcpy (out[0].data, in[0].data, out[0].n * sizeof (gint32));
}
