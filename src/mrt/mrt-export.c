/* mrt-export.c: the CVM model folder. Everything is written into a
 * temporary sibling folder first; only a complete, checked folder is swapped
 * into place (renameat2 RENAME_EXCHANGE), so a failed or interrupted export
 * never damages the previous one. */
#include "mrt-export.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "cvm/mrt-cvm-io.h"
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
                char **out_dir, guint64 *out_gas, GError **error)
{
  g_autoptr (MrtModel) cvm = NULL;
  g_autofree char *json = NULL, *ext = NULL, *target = NULL, *tmpl = NULL, *tmp = NULL;
  g_autoptr (GBytes) params = NULL;
  g_autoptr (GBytes) npy = NULL;
  g_autoptr (MrtTensor) q = NULL;
  g_autoptr (MrtTensor) q8 = NULL;
  MrtCvmReport report = { 0 };
  gboolean ok;

  if (!(cvm = mrt_to_cvm (final, &sample->shape, error)))
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
  if (!(json = mrt_cvm_symbol_to_json (cvm, NULL, error)) || !(params = mrt_cvm_params_to_bytes (cvm, error)))
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
  if (ok)
    ok = swap_into_place (tmp, target, error);
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

gboolean
mrt_read_cvm_ext (const char *dir, GArray **oscales, double *input_scale, int *input_precision,
                  MrtShape *input_shape, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "ext", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonObject *root, *data;
  JsonArray *os, *shape;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!json_parser_load_from_data (p, text, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    goto bad;
  root = json_node_get_object (json_parser_get_root (p));
  if (!json_object_has_member (root, "inputs_ext") || !json_object_has_member (root, "oscales"))
    goto bad;
  data = json_object_get_object_member (json_object_get_object_member (root, "inputs_ext"), "data");
  os = json_object_get_array_member (root, "oscales");
  if (data == NULL || os == NULL)
    goto bad;
  *input_scale = json_object_get_double_member_with_default (data, "scale", 1);
  *input_precision = (int) json_object_get_int_member_with_default (data, "target_bit", 8);
  *oscales = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < json_array_get_length (os); i++)
    {
      double d = json_array_get_double_element (os, i);
      g_array_append_val (*oscales, d);
    }
  if (input_shape)
    {
      *input_shape = (MrtShape){ 0 };
      shape = json_object_has_member (root, "input_shapes") ? json_object_get_array_member (root, "input_shapes") : NULL;
      for (guint i = 0; shape && i < json_array_get_length (shape) && i < MRT_MAX_NDIM; i++)
        input_shape->dim[input_shape->ndim++] = json_array_get_int_element (shape, i);
    }
  return TRUE;

bad:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "%s: expected one JSON object with inputs_ext, oscales and input_shapes", path);
  return FALSE;
}
