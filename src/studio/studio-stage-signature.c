/* studio-stage-signature.c: which settings each stage reads. */
#include "studio-stage-signature.h"

#include <stdlib.h>
#include <string.h>

static void
append_strv (GString *s, const GPtrArray *a)
{
  for (guint i = 0; a && i < a->len; i++)
    g_string_append_printf (s, "%s,", (const char *) g_ptr_array_index (a, i));
  g_string_append_c (s, ';');
}

static int
compare_str (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static void
append_thresholds (GString *s, GHashTable *th)
{
  g_autofree gpointer *keys = (gpointer *) g_hash_table_get_keys_as_array (th, NULL);
  guint n = g_hash_table_size (th);
  qsort (keys, n, sizeof (gpointer), compare_str);
  for (guint i = 0; i < n; i++)
    g_string_append_printf (s, "%s=%.17g,", (const char *) keys[i], *(double *) g_hash_table_lookup (th, keys[i]));
  g_string_append_c (s, ';');
}

char *
studio_stage_signature (const MrtConfig *c, MrtStage stage)
{
  GString *s = g_string_new (NULL);
  g_autofree char *shape = mrt_shape_to_string (&c->input_shape);

  switch (stage)
    {
    case MRT_STAGE_PREPARE:
      g_string_append_printf (s, "%s;%s;%s;", c->model_dir, c->model_name, shape);
      break;
    case MRT_STAGE_SPLIT_MODEL:
      append_strv (s, c->split_keys);
      break;
    case MRT_STAGE_CALIBRATION:
      g_string_append_printf (s, "%s;%s;%s;%d;%d;%d;%.17g;%d;%.17g;", shape, c->dataset, c->dataset_dir, c->calib_batch,
                              c->calibrate_num, c->has_lambda, c->lambda, c->calib_method, c->percentile);
      break;
    case MRT_STAGE_QUANTIZATION:
      g_string_append_printf (s, "%d;%d;%.17g;%d;", c->input_precision, c->output_precision, c->softmax_lambd,
                              c->shift_bits);
      append_thresholds (s, c->thresholds);
      break;
    case MRT_STAGE_MERGE_MODEL:
      for (guint i = 0; i < c->attribute_deps->len; i++)
        {
          MrtAttributeDep *d = g_ptr_array_index (c->attribute_deps, i);
          g_string_append_printf (s, "%s:%s:%s,", d->op, d->attr, d->key);
        }
      for (guint i = 0; i < c->oscale_maps->len; i++)
        {
          MrtOscaleMap *m = g_ptr_array_index (c->oscale_maps, i);
          g_string_append_printf (s, "%s:%s,", m->name, m->key ? m->key : "None");
        }
      break;
    case MRT_STAGE_EVALUATION:
      g_string_append_printf (s, "%s;%s;%s;%d;%d;", shape, c->dataset, c->dataset_dir, c->eval_batch, c->iter_num);
      break;
    case MRT_STAGE_COMPILATION:
      g_string_append_printf (s, "%s;%s;%s;%s;%d;%s;", shape, c->model_name, c->dataset, c->dataset_dir,
                              c->compile_batch, c->dump_dir ? c->dump_dir : c->model_dir);
      break;
    case MRT_STAGE_DEFAULT:
    default:
      break;
    }
  return g_string_free (s, FALSE);
}
