/* mrt-checkpoint.c: MRT's checkpoint files: models in MXNet format and the
 * ext files (the 4-line MRT state, main2's 6-line .all.quantize.ext, V3's
 * 2-line form), all written atomically. */
#include "mrt-pipeline-private.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "mrt-mxnet.h"


gboolean
mrt_save_checkpoint (const MrtModel *m, const MrtConfig *config, const char *suffix, GError **error)
{
  g_autofree char *base = mrt_config_load_fname (config, suffix);
  g_autofree char *json = g_strconcat (base, ".json", NULL);
  g_autofree char *params = g_strconcat (base, ".params", NULL);
  return mrt_mxnet_save (m, json, params, error);
}

MrtModel *
mrt_load_checkpoint (const MrtConfig *config, const char *suffix, MrtStage stage, GError **error)
{
  g_autofree char *base = mrt_config_load_fname (config, suffix);
  g_autofree char *json = g_strconcat (base, ".json", NULL);
  g_autofree char *params = g_strconcat (base, ".params", NULL);
  if (!mrt_checkpoint_exist (base, FALSE))
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT,
                   "Check point of %s not found (%s.json / .params), please move the start point earlier",
                   mrt_stage_name (stage), base);
      return NULL;
    }
  return mrt_mxnet_load (json, params, error);
}

static JsonNode *
table_to_json (GHashTable *t, gboolean ints, gboolean nested)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (GList) keys = g_list_sort (g_hash_table_get_keys (t), (GCompareFunc) strcmp);
  json_builder_begin_object (b);
  for (GList *l = keys; l; l = l->next)
    {
      json_builder_set_member_name (b, l->data);
      if (nested)
        {
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "out_key");
          json_builder_add_int_value (b, *(int *) g_hash_table_lookup (t, l->data));
          json_builder_end_object (b);
        }
      else if (ints)
        json_builder_add_int_value (b, *(int *) g_hash_table_lookup (t, l->data));
      else
        json_builder_add_double_value (b, *(double *) g_hash_table_lookup (t, l->data));
    }
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

static char *
node_to_line (JsonNode *n)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, n);
  return json_generator_to_data (g, NULL);
}

static gboolean
write_lines (const char *path, GPtrArray *lines, GError **error)
{
  g_autoptr (GString) s = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++)
    {
      g_string_append (s, g_ptr_array_index (lines, i));
      g_string_append_c (s, '\n');
    }
  return g_file_set_contents_full (path, s->str, s->len, G_FILE_SET_CONTENTS_CONSISTENT, 0644, error);
}

gboolean
mrt_write_mrt_ext (const char *path, const MrtQuantized *q, GHashTable *th, GError **error)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) names = NULL;
  g_autoptr (JsonNode) thn = NULL;
  g_autoptr (JsonNode) precn = NULL;
  g_autoptr (JsonNode) scn = NULL;
  g_autoptr (GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);

  json_builder_begin_array (b);
  for (guint i = 0; q && i < q->old_names->len; i++)
    json_builder_add_string_value (b, g_ptr_array_index (q->old_names, i));
  json_builder_end_array (b);
  names = json_builder_get_root (b);
  thn = table_to_json (q ? q->th : th, FALSE, FALSE);
  precn = table_to_json (q ? q->prec : empty, TRUE, TRUE);
  scn = table_to_json (q ? q->sc : empty, FALSE, FALSE);
  g_ptr_array_add (lines, node_to_line (names));
  g_ptr_array_add (lines, node_to_line (thn));
  g_ptr_array_add (lines, node_to_line (precn));
  g_ptr_array_add (lines, node_to_line (scn));
  return write_lines (path, lines, error);
}

gboolean
mrt_write_all_ext (const char *path, const GArray *oscales, double input_scale, int input_precision,
                   const MrtShape *input_shape, GError **error)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonNode) os = NULL;
  g_autoptr (JsonNode) ie = NULL;
  g_autoptr (JsonNode) sh = NULL;

  json_builder_begin_array (b);
  for (guint i = 0; i < oscales->len; i++)
    json_builder_add_double_value (b, g_array_index (oscales, double, i));
  json_builder_end_array (b);
  os = json_builder_get_root (b);
  json_builder_reset (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "data");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "scale");
  json_builder_add_double_value (b, input_scale);
  json_builder_set_member_name (b, "target_bit");
  json_builder_add_int_value (b, input_precision);
  json_builder_end_object (b);
  json_builder_end_object (b);
  ie = json_builder_get_root (b);
  json_builder_reset (b);
  json_builder_begin_array (b);
  for (int i = 0; i < input_shape->ndim; i++)
    json_builder_add_int_value (b, input_shape->dim[i]);
  json_builder_end_array (b);
  sh = json_builder_get_root (b);
  g_ptr_array_add (lines, g_strdup ("\"oscales: \""));
  g_ptr_array_add (lines, node_to_line (os));
  g_ptr_array_add (lines, g_strdup ("\"input_ext: \""));
  g_ptr_array_add (lines, node_to_line (ie));
  g_ptr_array_add (lines, g_strdup ("\"input shapes: \""));
  g_ptr_array_add (lines, node_to_line (sh));
  return write_lines (path, lines, error);
}

/* Reads the JSON value on line `index` of an ext file. */
static JsonNode *
ext_line (GStrv lines, guint index, const char *path, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  if (index >= g_strv_length (lines) || !json_parser_load_from_data (p, lines[index], -1, NULL))
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT, "%s: line %u is missing or not JSON",
                   path, index + 1);
      return NULL;
    }
  return json_node_copy (json_parser_get_root (p));
}

static GStrv
read_ext (const char *path, GError **error)
{
  g_autofree char *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return NULL;
  return g_strsplit (text, "\n", -1);
}

/* json-glib keeps integral numbers as int64 and get_double() does not convert them */
static double
json_number (JsonNode *n)
{
  if (json_node_get_value_type (n) == G_TYPE_INT64)
    return (double) json_node_get_int (n);
  return json_node_get_double (n);
}

static GHashTable *
json_to_doubles (JsonNode *n, const char *path, GError **error)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObject *o;
  g_autoptr (GList) members = NULL;
  if (!JSON_NODE_HOLDS_OBJECT (n))
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT, "%s: expected a JSON object", path);
      g_hash_table_unref (t);
      return NULL;
    }
  o = json_node_get_object (n);
  members = json_object_get_members (o);
  for (GList *l = members; l; l = l->next)
    {
      JsonNode *v = json_object_get_member (o, l->data);
      double d;
      if (JSON_NODE_HOLDS_OBJECT (v))
        d = json_object_get_int_member_with_default (json_node_get_object (v), "out_key", 0);
      else
        d = json_number (v);
      g_hash_table_insert (t, g_strdup (l->data), g_memdup2 (&d, sizeof d));
    }
  return t;
}

/* .mrt.calibrate.ext / .mrt.quantize.ext → thresholds (+ quantization state) */
gboolean
mrt_load_mrt_ext (const char *path, GHashTable **th, MrtQuantized *q, GError **error)
{
  g_auto (GStrv) lines = read_ext (path, error);
  g_autoptr (JsonNode) l0 = NULL, l1 = NULL, l2 = NULL, l3 = NULL;
  if (lines == NULL || !(l0 = ext_line (lines, 0, path, error)) || !(l1 = ext_line (lines, 1, path, error)) ||
      !(l2 = ext_line (lines, 2, path, error)) || !(l3 = ext_line (lines, 3, path, error)))
    return FALSE;
  if (!(*th = json_to_doubles (l1, path, error)))
    return FALSE;
  if (q)
    {
      g_autoptr (GHashTable) prec = json_to_doubles (l2, path, error);
      g_autoptr (GHashTable) sc = json_to_doubles (l3, path, error);
      GHashTableIter it;
      gpointer k, v;
      if (!prec || !sc)
        return FALSE;
      g_hash_table_iter_init (&it, prec);
      while (g_hash_table_iter_next (&it, &k, &v))
        {
          int p = (int) *(double *) v;
          g_hash_table_insert (q->prec, g_strdup (k), g_memdup2 (&p, sizeof p));
        }
      g_hash_table_iter_init (&it, sc);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (q->sc, g_strdup (k), g_memdup2 (v, sizeof (double)));
      g_hash_table_iter_init (&it, *th);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (q->th, g_strdup (k), g_memdup2 (v, sizeof (double)));
      if (JSON_NODE_HOLDS_ARRAY (l0))
        for (guint i = 0; i < json_array_get_length (json_node_get_array (l0)); i++)
          g_ptr_array_add (q->old_names, g_strdup (json_array_get_string_element (json_node_get_array (l0), i)));
    }
  return TRUE;
}

/* main2's 6-line .all.quantize.ext (also accepts V3's 2-line form) */
gboolean
mrt_read_all_ext (const char *path, GArray **oscales, double *input_scale, int *input_precision, GError **error)
{
  g_auto (GStrv) lines = read_ext (path, error);
  g_autoptr (JsonNode) os = NULL, ie = NULL;
  gboolean v3;
  JsonObject *data;
  if (lines == NULL)
    return FALSE;
  v3 = lines[0] && lines[0][0] == '[';
  if (!(os = ext_line (lines, v3 ? 0 : 1, path, error)) || !(ie = ext_line (lines, v3 ? 1 : 3, path, error)))
    return FALSE;
  if (!JSON_NODE_HOLDS_ARRAY (os) || !JSON_NODE_HOLDS_OBJECT (ie) ||
      !json_object_has_member (json_node_get_object (ie), "data") ||
      !JSON_NODE_HOLDS_OBJECT (json_object_get_member (json_node_get_object (ie), "data")))
    {
      g_set_error (error, MRT_PIPELINE_ERROR, MRT_PIPELINE_ERROR_CHECKPOINT,
                   "%s: expected the output scales and {\"data\": {\"scale\", \"target_bit\"}}", path);
      return FALSE;
    }
  *oscales = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint i = 0; i < json_array_get_length (json_node_get_array (os)); i++)
    {
      double d = json_number (json_array_get_element (json_node_get_array (os), i));
      g_array_append_val (*oscales, d);
    }
  data = json_object_get_object_member (json_node_get_object (ie), "data");
  *input_scale = json_object_has_member (data, "scale") ? json_number (json_object_get_member (data, "scale")) : 1;
  *input_precision = (int) json_object_get_int_member_with_default (data, "target_bit", 8);
  return TRUE;
}

gboolean
mrt_load_all_ext (const char *path, MrtState *s, GError **error)
{
  return mrt_read_all_ext (path, &s->oscales, &s->input_scale, &s->input_precision, error);
}
