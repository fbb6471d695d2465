/* mrt-export.c: the CVM model folder. Everything is written into a
 * temporary sibling folder first; only a complete, checked folder is swapped
 * into place (renameat2 RENAME_EXCHANGE), so a failed or interrupted export
 * never damages the previous one. */
#include "mrt-export.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "cvm/mrt-cvm-io.h"
#include "cvm/mrt-cvm-json.h"
#include "mrt-compile.h"
#include "mrt-evaluate.h"
#include "mrt-npy.h"

static char *
ext_json (const GArray *oscales, double input_scale, int input_precision, const MrtShape *shape)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) g = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "inputs_ext");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scale");
  json_builder_add_double_value (b, input_scale);
  json_builder_set_member_name (b, "target_bit");
  json_builder_add_int_value (b, input_precision);
  json_builder_end_object (b);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "oscales");
  json_builder_begin_array (b);
  for (guint i = 0; i < oscales->len; i++)
    json_builder_add_double_value (b, g_array_index (oscales, double, i));
  json_builder_end_array (b);
  json_builder_set_member_name (b, "input_shapes");
  json_builder_begin_array (b);
  for (int i = 0; i < shape->ndim; i++)
    json_builder_add_int_value (b, shape->dim[i]);
  json_builder_end_array (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (g, root);
  return json_generator_to_data (g, NULL);
}

static gboolean
write_file (const char *dir, const char *name, const void *data, gsize len, GError **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_set_contents_full (path, data, (gssize) len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

static void
remove_tree (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_tree (p);
      else
        g_unlink (p);
    }
  g_rmdir (dir);
}

/* Put tmp at final: swap atomically when final exists, then drop the old one. */
static gboolean
swap_into_place (const char *tmp, const char *final, GError **error)
{
  if (g_file_test (final, G_FILE_TEST_IS_DIR))
    {
      if (renameat2 (AT_FDCWD, tmp, AT_FDCWD, final, RENAME_EXCHANGE) != 0)
        {
          int e = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot replace %s: %s", final, g_strerror (e));
          return FALSE;
        }
      remove_tree (tmp); /* now holds the previous export */
      return TRUE;
    }
  if (g_rename (tmp, final) != 0)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot create %s: %s", final, g_strerror (e));
      return FALSE;
    }
  return TRUE;
}

/* The constructs cvm.md §6 item 7 says never to emit: the upstream runtime
 * runs them wrongly or not at all. */
static gboolean
refused_lint (MrtCvmLintKind kind)
{
  switch (kind)
    {
    case MRT_CVM_LINT_LEFT_SHIFT:
    case MRT_CVM_LINT_WHERE_1D:
    case MRT_CVM_LINT_MAX_EMPTY_AXIS:
    case MRT_CVM_LINT_RIGHT_SHIFT_WIDE:
      return TRUE;
    default:
      return FALSE;
    }
}

gboolean
mrt_export_cvm (MrtModel *final, const GArray *oscales, double input_scale, int input_precision,
                const MrtShape *input_shape, MrtTensor *sample, const char *dump_dir, const char *model_name,
                char **out_dir, guint64 *out_gas, GCancellable *cancellable, GError **error)
{
  g_autoptr (MrtModel) cvm = NULL;
  g_autofree char *json = NULL, *ext = NULL, *target = NULL, *tmpl = NULL, *tmp = NULL;
  g_autoptr (GBytes) params = NULL;
  g_autoptr (GBytes) npy = NULL;
  g_autoptr (MrtTensor) q = NULL;
  g_autoptr (MrtTensor) q8 = NULL;
  MrtCvmReport report = { 0 };
  gboolean ok;

  if (g_cancellable_set_error_if_cancelled (cancellable, error) || !(cvm = mrt_to_cvm (final, &sample->shape, error)))
    return FALSE;
  if (!mrt_cvm_check (cvm, &report, error))
    {
      g_prefix_error (error, "the exported model fails the CVM loader checks: ");
      return FALSE;
    }
  for (guint i = 0; report.warnings && i < report.warnings->len; i++)
    if (refused_lint (((MrtCvmLint *) g_ptr_array_index (report.warnings, i))->kind))
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s",
                     ((MrtCvmLint *) g_ptr_array_index (report.warnings, i))->message);
        mrt_cvm_report_clear (&report);
        return FALSE;
      }
  if (g_cancellable_set_error_if_cancelled (cancellable, error) ||
      !(json = mrt_cvm_symbol_to_json (cvm, NULL, error)) || !(params = mrt_cvm_params_to_bytes (cvm, error)))
    {
      mrt_cvm_report_clear (&report);
      return FALSE;
    }
  /* data.npy: int8 when the input fits (upstream always casts to int8, which overflows above 8 bits) */
  q = mrt_quantize_input (sample, input_scale, input_precision);
  q8 = input_precision <= 8 ? mrt_tensor_convert (q, MRT_DTYPE_I8) : mrt_tensor_ref (q);
  npy = mrt_npy_to_bytes (q8);
  ext = ext_json (oscales, input_scale, input_precision, input_shape);

  target = g_strdup_printf ("%s/%s_cvm", dump_dir, model_name);
  tmpl = g_strdup_printf ("%s/.%s_cvm.XXXXXX", dump_dir, model_name);
  tmp = g_mkdtemp (tmpl) ? g_strdup (tmpl) : NULL;
  if (tmp == NULL)
    {
      int e = errno;
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "cannot write in %s: %s", dump_dir, g_strerror (e));
      mrt_cvm_report_clear (&report);
      return FALSE;
    }
  ok = write_file (tmp, "symbol", json, strlen (json), error) &&
       write_file (tmp, "params", g_bytes_get_data (params, NULL), g_bytes_get_size (params), error) &&
       write_file (tmp, "data.npy", g_bytes_get_data (npy, NULL), g_bytes_get_size (npy), error) &&
       write_file (tmp, "ext", ext, strlen (ext), error);
  if (ok)
    {
      /* what we wrote must load back through the full checker */
      g_autoptr (MrtModel) back = mrt_cvm_load (tmp, error);
      ok = back != NULL;
      if (!ok)
        g_prefix_error (error, "the written model does not load back: ");
    }
  /* a cancel is honoured up to the swap, which is the point of no return */
  if (ok)
    ok = !g_cancellable_set_error_if_cancelled (cancellable, error) && swap_into_place (tmp, target, error);
  if (!ok)
    remove_tree (tmp);
  if (ok)
    {
      if (out_dir)
        *out_dir = g_steal_pointer (&target);
      if (out_gas)
        *out_gas = report.gas;
    }
  mrt_cvm_report_clear (&report);
  return ok;
}

/* A JSON number member (integers count: json-glib keeps them as int64). */
static gboolean
ext_number (JsonNode *n, double *out)
{
  if (n == NULL || !JSON_NODE_HOLDS_VALUE (n))
    return FALSE;
  switch (json_node_get_value_type (n))
    {
    case G_TYPE_INT64: *out = (double) json_node_get_int (n); return TRUE;
    case G_TYPE_DOUBLE: *out = json_node_get_double (n); return TRUE;
    default: return FALSE;
    }
}

static gboolean
ext_fail (GError **error, const char *what, const char *problem)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %s %s", what, problem,
               "(expected {\"inputs_ext\": {\"data\": {\"scale\": …, \"target_bit\": …}}, "
               "\"oscales\": […], \"input_shapes\": […]})");
  return FALSE;
}

gboolean
mrt_parse_cvm_ext (const char *text, gsize len, const char *what, GArray **oscales, double *input_scale,
                   int *input_precision, MrtShape *input_shape, GError **error)
{
  g_autoptr (JsonNode) root = mrt_cvm_json_parse (text, len, what, error);
  g_autoptr (GArray) os_values = NULL;
  JsonObject *obj, *data;
  JsonNode *n;
  JsonArray *os, *shape = NULL;
  double scale = 1, bits = 8, v;
  MrtShape sh = { 0 };

  if (root == NULL)
    return FALSE;
  obj = json_node_get_object (root);
  n = json_object_get_member (obj, "inputs_ext");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return ext_fail (error, what, "has no \"inputs_ext\" object");
  n = json_object_get_member (json_node_get_object (n), "data");
  if (n == NULL || !JSON_NODE_HOLDS_OBJECT (n))
    return ext_fail (error, what, "has no \"inputs_ext\".\"data\" object");
  data = json_node_get_object (n);
  if (json_object_has_member (data, "scale") &&
      (!ext_number (json_object_get_member (data, "scale"), &scale) || !(scale > 0) || !isfinite (scale)))
    return ext_fail (error, what, "has an input \"scale\" that is not a positive finite number");
  if (json_object_has_member (data, "target_bit") &&
      (!ext_number (json_object_get_member (data, "target_bit"), &bits) || bits != floor (bits) || bits < 1 ||
       bits > 32))
    return ext_fail (error, what, "has an input \"target_bit\" that is not an integer from 1 to 32");
  n = json_object_get_member (obj, "oscales");
  if (n == NULL || !JSON_NODE_HOLDS_ARRAY (n))
    return ext_fail (error, what, "has no \"oscales\" array");
  os = json_node_get_array (n);
  os_values = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < json_array_get_length (os); i++)
    {
      if (!ext_number (json_array_get_element (os, i), &v) || !(v > 0) || !isfinite (v))
        {
          g_autofree char *msg = g_strdup_printf ("has an \"oscales\" entry %u that is not a positive finite number", i);
          return ext_fail (error, what, msg);
        }
      g_array_append_val (os_values, v);
    }
  n = json_object_get_member (obj, "input_shapes");
  if (n != NULL && !JSON_NODE_HOLDS_ARRAY (n))
    return ext_fail (error, what, "has an \"input_shapes\" that is not an array");
  shape = n ? json_node_get_array (n) : NULL;
  if (shape && json_array_get_length (shape) > MRT_MAX_NDIM)
    return ext_fail (error, what, "has more \"input_shapes\" dimensions than supported");
  for (guint i = 0; shape && i < json_array_get_length (shape); i++)
    {
      if (!ext_number (json_array_get_element (shape, i), &v) || v != floor (v) || v < -1 || v > G_MAXINT32)
        return ext_fail (error, what, "has an \"input_shapes\" entry that is not a dimension");
      sh.dim[sh.ndim++] = (gint64) v;
    }
  *input_scale = scale;
  *input_precision = (int) bits;
  *oscales = g_steal_pointer (&os_values);
  if (input_shape)
    *input_shape = sh;
  return TRUE;
}

gboolean
mrt_read_cvm_ext (const char *dir, GArray **oscales, double *input_scale, int *input_precision,
                  MrtShape *input_shape, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "ext", NULL);
  g_autofree char *text = NULL;
  gsize len;
  GStatBuf st;

  /* ext is one short line: refuse anything huge before reading it */
  if (g_stat (path, &st) == 0 && st.st_size > (1 << 24))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s: %lld bytes is too large for an ext file", path,
                   (long long) st.st_size);
      return FALSE;
    }
  if (!g_file_get_contents (path, &text, &len, error))
    return FALSE;
  return mrt_parse_cvm_ext (text, len, path, oscales, input_scale, input_precision, input_shape, error);
}
