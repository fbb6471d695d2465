/* mrt-tensor.c: dense arrays, shapes and their text form. */
#include "mrt-tensor.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

G_DEFINE_QUARK (mrt-tensor-error-quark, mrt_tensor_error)

gsize
mrt_dtype_size (MrtDType dtype)
{
  switch (dtype)
    {
    case MRT_DTYPE_F32: return 4;
    case MRT_DTYPE_F64: return 8;
    case MRT_DTYPE_F16: return 2;
    case MRT_DTYPE_U8: return 1;
    case MRT_DTYPE_I32: return 4;
    case MRT_DTYPE_I8: return 1;
    case MRT_DTYPE_I64: return 8;
    default: return 0;
    }
}

const char *
mrt_dtype_name (MrtDType dtype)
{
  static const char *names[] = { "float32", "float64", "float16", "uint8", "int32", "int8", "int64" };
  return (guint) dtype < G_N_ELEMENTS (names) ? names[dtype] : "unknown";
}

MrtShape
mrt_shape_make (int ndim, ...)
{
  MrtShape s = { 0 };
  va_list ap;
  g_return_val_if_fail (ndim >= 0 && ndim <= MRT_MAX_NDIM, s);
  s.ndim = ndim;
  va_start (ap, ndim);
  for (int i = 0; i < ndim; i++)
    s.dim[i] = va_arg (ap, gint64);
  va_end (ap);
  return s;
}

gint64
mrt_shape_size (const MrtShape *shape)
{
  gint64 n = 1;
  for (int i = 0; i < shape->ndim; i++)
    n *= shape->dim[i];
  return n;
}

gboolean
mrt_shape_equal (const MrtShape *a, const MrtShape *b)
{
  if (a->ndim != b->ndim)
    return FALSE;
  for (int i = 0; i < a->ndim; i++)
    if (a->dim[i] != b->dim[i])
      return FALSE;
  return TRUE;
}

char *
mrt_shape_to_string (const MrtShape *shape)
{
  GString *s = g_string_new ("(");
  for (int i = 0; i < shape->ndim; i++)
    g_string_append_printf (s, i ? ", %" G_GINT64_FORMAT : "%" G_GINT64_FORMAT, shape->dim[i]);
  if (shape->ndim == 1)
    g_string_append_c (s, ',');
  g_string_append_c (s, ')');
  return g_string_free (s, FALSE);
}

gboolean
mrt_shape_check (const MrtShape *shape, GError **error)
{
  gint64 n = 1;
  if (shape->ndim < 0 || shape->ndim > MRT_MAX_NDIM)
    {
      g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SHAPE,
                   "shape has %d dimensions; at most %d are supported", shape->ndim, MRT_MAX_NDIM);
      return FALSE;
    }
  for (int i = 0; i < shape->ndim; i++)
    {
      if (shape->dim[i] < 0 || shape->dim[i] > MRT_MAX_ELEMENTS)
        {
          g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SHAPE,
                       "dimension %d of the shape is %" G_GINT64_FORMAT ", out of range", i, shape->dim[i]);
          return FALSE;
        }
      n *= shape->dim[i];
      if (n > MRT_MAX_ELEMENTS)
        {
          g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SIZE,
                       "tensor of more than %" G_GINT64_FORMAT " elements refused", MRT_MAX_ELEMENTS);
          return FALSE;
        }
    }
  return TRUE;
}

gboolean
mrt_shape_parse (const char *text, gboolean allow_negative, MrtShape *out, GError **error)
{
  const char *p = text;
  char close = 0;
  MrtShape s = { 0 };

  while (g_ascii_isspace (*p))
    p++;
  if (*p == '(' || *p == '[')
    {
      close = *p == '(' ? ')' : ']';
      p++;
    }
  for (;;)
    {
      char *end;
      gint64 v;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == close && close)
        {
          p++;
          break;
        }
      if (*p == '\0')
        {
          if (close)
            goto bad;
          break;
        }
      if (s.ndim == MRT_MAX_NDIM)
        {
          g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_PARSE,
                       "shape “%s” has more than %d dimensions", text, MRT_MAX_NDIM);
          return FALSE;
        }
      errno = 0;
      v = g_ascii_strtoll (p, &end, 10);
      if (end == p || errno)
        goto bad;
      if (v < 0 && !allow_negative)
        {
          g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_PARSE,
                       "shape “%s” has a negative dimension", text);
          return FALSE;
        }
      s.dim[s.ndim++] = v;
      p = end;
      while (g_ascii_isspace (*p))
        p++;
      if (*p == ',')
        p++;
      else if (!(*p == close && close) && *p != '\0')
        goto bad;
    }
  while (g_ascii_isspace (*p))
    p++;
  if (*p != '\0')
    goto bad;
  *out = s;
  return TRUE;

bad:
  g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_PARSE,
               "“%s” is not a shape such as (1, 3, 224, 224)", text);
  return FALSE;
}

MrtTensor *
mrt_tensor_try_new (MrtDType dtype, const MrtShape *shape, GError **error)
{
  MrtTensor *t;
  gsize bytes;

  if (!mrt_shape_check (shape, error))
    return NULL;
  t = g_new0 (MrtTensor, 1);
  g_atomic_ref_count_init (&t->ref);
  t->dtype = dtype;
  t->shape = *shape;
  t->n = (gsize) mrt_shape_size (shape);
  bytes = t->n * mrt_dtype_size (dtype);
  bytes = (bytes + 63) & ~(gsize) 63;
  t->data = aligned_alloc (64, bytes ? bytes : 64);
  if (t->data == NULL)
    {
      g_free (t);
      g_set_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SIZE,
                   "out of memory allocating %" G_GSIZE_FORMAT " bytes", bytes);
      return NULL;
    }
  memset (t->data, 0, bytes ? bytes : 64);
  return t;
}

MrtTensor *
mrt_tensor_new (MrtDType dtype, const MrtShape *shape)
{
  GError *error = NULL;
  MrtTensor *t = mrt_tensor_try_new (dtype, shape, &error);
  if (t == NULL)
    g_error ("mrt_tensor_new: %s", error->message);
  return t;
}

MrtTensor *
mrt_tensor_new_f32 (const MrtShape *shape, const float *values)
{
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, shape);
  if (values)
    memcpy (t->data, values, t->n * sizeof (float));
  return t;
}

MrtTensor *
mrt_tensor_ref (MrtTensor *t)
{
  g_atomic_ref_count_inc (&t->ref);
  return t;
}

void
mrt_tensor_unref (MrtTensor *t)
{
  if (t && g_atomic_ref_count_dec (&t->ref))
    {
      free (t->data);
      g_free (t);
    }
}

MrtTensor *
mrt_tensor_copy (const MrtTensor *t)
{
  MrtTensor *c = mrt_tensor_new (t->dtype, &t->shape);
  memcpy (c->data, t->data, t->n * mrt_dtype_size (t->dtype));
  return c;
}

MrtTensor *
mrt_tensor_reshape (const MrtTensor *t, const MrtShape *shape)
{
  MrtTensor *c;
  g_return_val_if_fail (mrt_shape_size (shape) == (gint64) t->n, NULL);
  c = mrt_tensor_copy (t);
  c->shape = *shape;
  return c;
}

static double
half_to_double (guint16 h)
{
  int sign = h >> 15, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = ldexp (mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexp (mant | 0x400, exp - 25);
  return sign ? -v : v;
}

static double
element_as_double (const MrtTensor *t, gsize i)
{
  switch (t->dtype)
    {
    case MRT_DTYPE_F32: return ((const float *) t->data)[i];
    case MRT_DTYPE_F64: return ((const double *) t->data)[i];
    case MRT_DTYPE_F16: return half_to_double (((const guint16 *) t->data)[i]);
    case MRT_DTYPE_U8: return ((const guint8 *) t->data)[i];
    case MRT_DTYPE_I32: return ((const gint32 *) t->data)[i];
    case MRT_DTYPE_I8: return ((const gint8 *) t->data)[i];
    case MRT_DTYPE_I64: return (double) ((const gint64 *) t->data)[i];
    default: return 0;
    }
}

MrtTensor *
mrt_tensor_convert (const MrtTensor *t, MrtDType dtype)
{
  MrtTensor *c = mrt_tensor_new (dtype, &t->shape);
  for (gsize i = 0; i < t->n; i++)
    {
      double v = element_as_double (t, i);
      switch (dtype)
        {
        case MRT_DTYPE_F32: ((float *) c->data)[i] = (float) v; break;
        case MRT_DTYPE_F64: ((double *) c->data)[i] = v; break;
        case MRT_DTYPE_U8: ((guint8 *) c->data)[i] = (guint8) v; break;
        case MRT_DTYPE_I32: ((gint32 *) c->data)[i] = (gint32) v; break;
        case MRT_DTYPE_I8: ((gint8 *) c->data)[i] = (gint8) v; break;
        case MRT_DTYPE_I64: ((gint64 *) c->data)[i] = (gint64) v; break;
        case MRT_DTYPE_F16:
        default:
          g_error ("mrt_tensor_convert: cannot convert to %s", mrt_dtype_name (dtype));
        }
    }
  return c;
}

MrtTensor *
mrt_tensor_to_f32 (MrtTensor *t)
{
  if (t->dtype == MRT_DTYPE_F32)
    return mrt_tensor_ref (t);
  return mrt_tensor_convert (t, MRT_DTYPE_F32);
}

gboolean
mrt_tensor_equal (const MrtTensor *a, const MrtTensor *b)
{
  return a->dtype == b->dtype && mrt_shape_equal (&a->shape, &b->shape) &&
         memcmp (a->data, b->data, a->n * mrt_dtype_size (a->dtype)) == 0;
}

double
mrt_tensor_absmax (const MrtTensor *t)
{
  double m = 0;
  for (gsize i = 0; i < t->n; i++)
    {
      double v = fabs (element_as_double (t, i));
      if (v > m)
        m = v;
    }
  return m;
}
