/* mrt-tensor.h: dense n-dimensional arrays (float32 / int32 in memory) and shapes. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define MRT_MAX_NDIM 8
/* Refuse single tensors above this many elements (hostile sizes). */
#define MRT_MAX_ELEMENTS (G_GINT64_CONSTANT (1) << 31)

/* Values match MXNet's mshadow type flags, used by the .params format. */
typedef enum {
  MRT_DTYPE_F32 = 0,
  MRT_DTYPE_F64 = 1,
  MRT_DTYPE_F16 = 2,
  MRT_DTYPE_U8 = 3,
  MRT_DTYPE_I32 = 4,
  MRT_DTYPE_I8 = 5,
  MRT_DTYPE_I64 = 6,
} MrtDType;

typedef struct {
  int ndim;
  gint64 dim[MRT_MAX_NDIM];
} MrtShape;

typedef struct {
  gatomicrefcount ref;
  MrtDType dtype;
  MrtShape shape;
  gsize n;       /* number of elements */
  gpointer data; /* n * element size bytes, 64-byte aligned */
} MrtTensor;

#define MRT_TENSOR_ERROR (mrt_tensor_error_quark ())
typedef enum {
  MRT_TENSOR_ERROR_SIZE,
  MRT_TENSOR_ERROR_SHAPE,
  MRT_TENSOR_ERROR_PARSE,
} MrtTensorError;
GQuark mrt_tensor_error_quark (void);

gsize mrt_dtype_size (MrtDType dtype);
const char *mrt_dtype_name (MrtDType dtype);

/* Shapes */
MrtShape mrt_shape_make (int ndim, ...);
gint64 mrt_shape_size (const MrtShape *shape);
gboolean mrt_shape_equal (const MrtShape *a, const MrtShape *b);
/* "(1, 3, 224, 224)"; for a 1-d shape "(5,)" like Python. */
char *mrt_shape_to_string (const MrtShape *shape);
/* Parses "(1,1,28,28)", "[1, 2]", "(5,)", "()" and "5". Dims must be >= 0
 * unless allow_negative (Input_shape uses -1 for the batch axis). */
gboolean mrt_shape_parse (const char *text, gboolean allow_negative, MrtShape *out, GError **error);
/* Checks 0 <= ndim <= MRT_MAX_NDIM, dims >= 0 and size <= MRT_MAX_ELEMENTS. */
gboolean mrt_shape_check (const MrtShape *shape, GError **error);

/* Tensors. mrt_tensor_new aborts only on out-of-memory; use _try for untrusted sizes. */
MrtTensor *mrt_tensor_new (MrtDType dtype, const MrtShape *shape);
MrtTensor *mrt_tensor_try_new (MrtDType dtype, const MrtShape *shape, GError **error);
MrtTensor *mrt_tensor_new_f32 (const MrtShape *shape, const float *values);
MrtTensor *mrt_tensor_ref (MrtTensor *t);
void mrt_tensor_unref (MrtTensor *t);
MrtTensor *mrt_tensor_copy (const MrtTensor *t);
/* Converts any dtype to float32 (new tensor; ref when already float32). */
MrtTensor *mrt_tensor_to_f32 (MrtTensor *t);
MrtTensor *mrt_tensor_convert (const MrtTensor *t, MrtDType dtype);
/* Same data, new shape of the same size (copy). */
MrtTensor *mrt_tensor_reshape (const MrtTensor *t, const MrtShape *shape);
gboolean mrt_tensor_equal (const MrtTensor *a, const MrtTensor *b);
/* Largest |x| (as double) over all elements; 0 for empty. */
double mrt_tensor_absmax (const MrtTensor *t);

static inline float *
mrt_tensor_f32 (const MrtTensor *t)
{
  return (float *) t->data;
}

static inline gint32 *
mrt_tensor_i32 (const MrtTensor *t)
{
  return (gint32 *) t->data;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (MrtTensor, mrt_tensor_unref)

G_END_DECLS
