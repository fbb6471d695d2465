/* mrt-npy.h: NumPy .npy files (format versions 1, 2 and 3), the container of
 * CVM's data.npy and of preprocessed datasets.
 *
 * Reading accepts little-endian (or byte-order-free) '<f2', '<f4', '<f8',
 * '|u1', '|i1', '<i4' and '<i8' in C order; the tensor keeps the stored
 * dtype. Everything else (big-endian data, fortran_order True, object or
 * structured arrays, other dtypes, truncated or oversized data, shapes above
 * MRT_MAX_NDIM or MRT_MAX_ELEMENTS) is refused with an MRT_NPY_ERROR that
 * names the file. Writing produces the bytes numpy.save writes: version 1.0
 * (2.0 when the header needs it), header padded to 64 bytes. */
#pragma once

#include <glib.h>

#include "mrt-tensor.h"

G_BEGIN_DECLS

#define MRT_NPY_ERROR (mrt_npy_error_quark ())
typedef enum {
  MRT_NPY_ERROR_IO,          /* cannot read or write the file */
  MRT_NPY_ERROR_NOT_FOUND,   /* the file does not exist */
  MRT_NPY_ERROR_FORMAT,      /* not an .npy file, or a malformed header */
  MRT_NPY_ERROR_UNSUPPORTED, /* a valid .npy we do not read: dtype, byte order, fortran order */
  MRT_NPY_ERROR_TRUNCATED,   /* less (or more) data than the header announces */
  MRT_NPY_ERROR_SIZE,        /* shape out of range */
} MrtNpyError;
GQuark mrt_npy_error_quark (void);

/* Parses the bytes of an .npy file; fname is only used in messages. */
MrtTensor *mrt_npy_parse (const guint8 *data, gsize len, const char *fname, GError **error);
MrtTensor *mrt_npy_load (const char *path, GError **error);

/* The .npy bytes of t (any dtype except none). */
GBytes *mrt_npy_to_bytes (const MrtTensor *t);
/* Writes atomically: a reader sees the old file or the complete new one. */
gboolean mrt_npy_save (const MrtTensor *t, const char *path, GError **error);

G_END_DECLS
