/* mrt-config.c: typed reading of main2 configurations. Upstream stops on a
 * missing option (KeyError); we treat a missing option or section like an
 * empty value, i.e. the default (docs/deviations.md). */
#include "mrt-config.h"

#include <errno.h>
#include <math.h>
#include <string.h>

G_DEFINE_QUARK (mrt-config-error-quark, mrt_config_error)

static const char *stage_names[] = {
  "DEFAULT", "PREPARE", "SPLIT_MODEL", "CALIBRATION", "QUANTIZATION", "MERGE_MODEL", "EVALUATION", "COMPILATION",
};

const char *
mrt_stage_name (MrtStage stage)
{
  return (guint) stage < G_N_ELEMENTS (stage_names) ? stage_names[stage] : "?";
}

gboolean
mrt_config_parse_int (const char *text, gint64 *out)
{
  char *end;
  gint64 v;
  while (g_ascii_isspace (*text))
    text++;
  if (!g_ascii_isdigit (*text) && !((*text == '-' || *text == '+') && g_ascii_isdigit (text[1])))
    return FALSE;
  errno = 0;
  v = g_ascii_strtoll (text, &end, 10);
  while (g_ascii_isspace (*end))
    end++;
  if (errno || *end)
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
mrt_config_parse_float (const char *text, double *out)
{
  char *end;
  double v;
  while (g_ascii_isspace (*text))
    text++;
  if (*text == '\0')
    return FALSE;
  errno = 0;
  v = g_ascii_strtod (text, &end);
  while (g_ascii_isspace (*end))
    end++;
  if (errno || *end || end == text || !isfinite (v))
    return FALSE;
  *out = v;
  return TRUE;
}

gboolean
mrt_config_parse_bool (const char *text, gboolean *out)
{
  if (g_str_equal (text, "True") || g_str_equal (text, "true"))
    *out = TRUE;
  else if (g_str_equal (text, "False") || g_str_equal (text, "false"))
    *out = FALSE;
  else
    return FALSE;
  return TRUE;
}

GPtrArray *
mrt_config_parse_array (const char *text)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_auto (GStrv) items = g_strsplit (text, ",", -1);
  for (guint i = 0; items[i]; i++)
    {
      char *s = g_strstrip (items[i]);
      if (*s)
        g_ptr_array_add (out, g_strdup (s));
    }
  return out;
}

GPtrArray *
mrt_config_parse_pairs (const char *text, guint n, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) items = mrt_config_parse_array (text);
  for (guint i = 0; i < items->len; i++)
    {
      const char *item = g_ptr_array_index (items, i);
      g_auto (GStrv) fields = g_strsplit (item, ":", -1);
      if (g_strv_length (fields) != n)
        {
          g_set_error (error, MRT_CONFIG_ERROR, MRT_CONFIG_ERROR_VALUE,
                       "item “%s” must have %u fields separated by “:”", item, n);
          return NULL;
        }
      for (guint j = 0; j < n; j++)
        g_strstrip (fields[j]);
      /* a duplicate key path (all but the last field) is an error */
      for (guint k = 0; k < out->len; k++)
        {
          GStrv prev = g_ptr_array_index (out, k);
          gboolean same = TRUE;
          for (guint j = 0; j + 1 < n; j++)
            same = same && g_str_equal (prev[j], fields[j]);
          if (same)
            {
              g_set_error (error, MRT_CONFIG_ERROR, MRT_CONFIG_ERROR_VALUE, "“%s” is given twice", item);
              return NULL;
            }
        }
      g_ptr_array_add (out, g_steal_pointer (&fields));
    }
  return g_steal_pointer (&out);
}

/* Reading context: the error names [SECTION] Option. */
typedef struct {
  const MrtIni *ini;
  const char *fname;
  GError **error;
  gboolean failed;
} Reader;

static const char *
raw (Reader *r, const char *section, const char *key)
{
  const char *v = mrt_ini_get (r->ini, section, key);
  return v && *v ? v : NULL;
}

static void
fail (Reader *r, const char *section, const char *key, MrtConfigError code, const char *fmt, ...) G_GNUC_PRINTF (5, 6);

static void
fail (Reader *r, const char *section, const char *key, MrtConfigError code, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  if (r->failed)
    return;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (r->error, MRT_CONFIG_ERROR, code, "%s: [%s] %s: %s", r->fname, section, key, msg);
  r->failed = TRUE;
}

static char *
get_str (Reader *r, const char *section, const char *key, const char *def, gboolean required)
{
  const char *v = raw (r, section, key);
  if (v == NULL && required)
    fail (r, section, key, MRT_CONFIG_ERROR_MISSING, "please specify the value");
  return g_strdup (v ? v : def);
}

static int
get_int (Reader *r, const char *section, const char *key, int def, int min, int max)
{
  const char *v = raw (r, section, key);
  gint64 i;
  if (v == NULL)
    return def;
  if (!mrt_config_parse_int (v, &i))
    {
      fail (r, section, key, MRT_CONFIG_ERROR_VALUE, "“%s” is not an integer", v);
      return def;
    }
  if (i < min || i > max)
    {
      fail (r, section, key, MRT_CONFIG_ERROR_VALUE, "%" G_GINT64_FORMAT " is out of range [%d, %d]", i, min, max);
      return def;
    }
  return (int) i;
}

static double
get_float (Reader *r, const char *section, const char *key, double def, gboolean *given, double min_excl)
{
  const char *v = raw (r, section, key);
  double d;
  if (given)
    *given = FALSE;
  if (v == NULL || g_str_equal (v, "None"))
    return def;
  if (!mrt_config_parse_float (v, &d))
    {
      fail (r, section, key, MRT_CONFIG_ERROR_VALUE, "“%s” is not a number", v);
      return def;
    }
  if (!(d > min_excl))
    {
      fail (r, section, key, MRT_CONFIG_ERROR_VALUE, "%g must be greater than %g", d, min_excl);
      return def;
    }
  if (given)
    *given = TRUE;
  return d;
}

static gboolean
get_bool (Reader *r, const char *section, const char *key, gboolean def)
{
  const char *v = raw (r, section, key);
  gboolean b;
  if (v == NULL)
    return def;
  if (!mrt_config_parse_bool (v, &b))
    {
      fail (r, section, key, MRT_CONFIG_ERROR_VALUE, "“%s” is not True or False", v);
      return def;
    }
  return b;
}

static char *
get_dir (Reader *r, const char *base_dir, const char *section, const char *key, const char *def)
{
  const char *v = raw (r, section, key);
  g_autofree char *expanded = NULL;
  char *path;
  if (v == NULL)
    v = def;
  if (v[0] == '~')
    expanded = g_build_filename (g_get_home_dir (), v + 1, NULL);
  else
    expanded = g_strdup (v);
  path = g_path_is_absolute (expanded) ? g_canonicalize_filename (expanded, NULL)
                                       : g_canonicalize_filename (expanded, base_dir);
  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    fail (r, section, key, MRT_CONFIG_ERROR_PATH, "directory “%s” does not exist", path);
  return path;
}

static void
read_default (Reader *r, MrtConfig *c)
{
  const char *start;
  const char *shape = raw (r, "DEFAULT", "Input_shape");
  const char *dev_ids;
  int minus = 0;

  /* empty: the configuration's own folder (MRT: ~/mrt_model), so a project folder is self-contained */
  c->model_dir = get_dir (r, c->base_dir, "DEFAULT", "Model_dir", c->base_dir);
  c->model_name = get_str (r, "DEFAULT", "Model_name", NULL, TRUE);
  c->device_type = get_str (r, "DEFAULT", "Device_type", "cpu", FALSE);
  if (!g_str_equal (c->device_type, "cpu") && !g_str_equal (c->device_type, "gpu"))
    fail (r, "DEFAULT", "Device_type", MRT_CONFIG_ERROR_VALUE, "“%s” is neither cpu nor gpu", c->device_type);
  c->device_ids = g_array_new (FALSE, FALSE, sizeof (int));
  if ((dev_ids = raw (r, "DEFAULT", "Device_ids")))
    {
      g_autoptr (GPtrArray) ids = mrt_config_parse_array (dev_ids);
      for (guint i = 0; i < ids->len; i++)
        {
          gint64 id;
          int v;
          if (!mrt_config_parse_int (g_ptr_array_index (ids, i), &id) || id < 0)
            {
              fail (r, "DEFAULT", "Device_ids", MRT_CONFIG_ERROR_VALUE, "“%s” is not a device number",
                    (const char *) g_ptr_array_index (ids, i));
              break;
            }
          v = (int) id;
          g_array_append_val (c->device_ids, v);
        }
    }
  c->verbosity = get_int (r, "DEFAULT", "Verbosity", 0, 0, 100);
  if (shape == NULL)
    fail (r, "DEFAULT", "Input_shape", MRT_CONFIG_ERROR_MISSING, "please specify the value, e.g. (-1, 3, 224, 224)");
  else if (!mrt_shape_parse (shape, TRUE, &c->input_shape, NULL) || c->input_shape.ndim == 0)
    fail (r, "DEFAULT", "Input_shape", MRT_CONFIG_ERROR_VALUE, "“%s” is not a tuple such as (-1, 3, 224, 224)", shape);
  else
    {
      for (int i = 0; i < c->input_shape.ndim; i++)
        {
          if (c->input_shape.dim[i] == -1)
            minus++;
          else if (c->input_shape.dim[i] <= 0)
            minus = 99;
        }
      if (minus != 1)
        fail (r, "DEFAULT", "Input_shape", MRT_CONFIG_ERROR_VALUE,
              "“%s” must hold exactly one -1 (the batch axis) and positive sizes", shape);
      else
        {
          /* A sample (batch 1) must be a tensor we can allocate: refuse absurd
           * sizes here rather than when a stage multiplies them out. */
          MrtShape one = mrt_set_batch (&c->input_shape, 1);
          if (!mrt_shape_check (&one, NULL))
            fail (r, "DEFAULT", "Input_shape", MRT_CONFIG_ERROR_VALUE,
                  "“%s” is too large: a sample may hold at most %" G_GINT64_FORMAT " elements", shape,
                  MRT_MAX_ELEMENTS);
        }
    }
  start = raw (r, "DEFAULT", "Start");
  c->start = MRT_STAGE_DEFAULT;
  if (start)
    {
      guint i;
      for (i = 0; i <= MRT_STAGE_MERGE_MODEL; i++)
        if (g_str_equal (start, stage_names[i]))
          break;
      if (i > MRT_STAGE_MERGE_MODEL)
        fail (r, "DEFAULT", "Start", MRT_CONFIG_ERROR_VALUE,
              "“%s” is not one of DEFAULT, PREPARE, SPLIT_MODEL, CALIBRATION, QUANTIZATION, MERGE_MODEL", start);
      else
        c->start = i;
    }
  if (g_str_equal (c->device_type, "gpu"))
    g_ptr_array_add (c->notes, g_strdup ("GPU devices are configured; MRT Studio computes on the CPU"));
}

static void
read_calibration (Reader *r, MrtConfig *c)
{
  const char *S = "CALIBRATION";
  const char *method = raw (r, S, "Calibration_method");
  c->dataset = get_str (r, S, "Dataset", NULL, TRUE);
  c->calib_batch = get_int (r, S, "Batch", 16, 1, 1 << 20);
  c->calibrate_num = get_int (r, S, "Calibrate_num", 1, 1, 1 << 20);
  c->lambda = get_float (r, S, "Lambda", 0, &c->has_lambda, 0);
  c->dataset_dir = get_dir (r, c->base_dir, S, "Dataset_dir", "~/.mxnet/datasets");
  c->calib_dump = get_bool (r, S, "Dump", FALSE);
  c->calib_method = c->has_lambda ? MRT_CALIB_LAMBDA : MRT_CALIB_ABSMAX;
  if (method)
    {
      if (g_str_equal (method, "absmax"))
        c->calib_method = MRT_CALIB_ABSMAX;
      else if (g_str_equal (method, "lambda"))
        c->calib_method = MRT_CALIB_LAMBDA;
      else if (g_str_equal (method, "kl"))
        c->calib_method = MRT_CALIB_KL;
      else if (g_str_equal (method, "percentile"))
        c->calib_method = MRT_CALIB_PERCENTILE;
      else
        fail (r, S, "Calibration_method", MRT_CONFIG_ERROR_VALUE, "“%s” is not absmax, lambda, kl or percentile",
              method);
      if (c->calib_method == MRT_CALIB_LAMBDA && !c->has_lambda)
        fail (r, S, "Calibration_method", MRT_CONFIG_ERROR_VALUE, "lambda needs a Lambda value");
    }
  c->percentile = get_float (r, S, "Percentile", 99.99, NULL, 0);
  if (c->percentile > 100)
    fail (r, S, "Percentile", MRT_CONFIG_ERROR_VALUE, "%g is above 100", c->percentile);
}

static void
read_quantization (Reader *r, MrtConfig *c)
{
  const char *S = "QUANTIZATION";
  const char *th = raw (r, S, "Thresholds"), *rn = raw (r, S, "Restore_name");
  c->input_precision = get_int (r, S, "Input_precision", 8, 2, 32);
  c->output_precision = get_int (r, S, "Output_precision", 0, 2, 32);
  c->softmax_lambd = get_float (r, S, "Softmax_lambd", 10, NULL, 0);
  c->shift_bits = get_int (r, S, "Shift_bits", 5, 0, 31);
  c->quant_dump = get_bool (r, S, "Dump", FALSE);
  {
    const char *pc = raw (r, S, "Per_channel");
    gboolean b;
    c->per_channel = 0;
    if (pc && g_ascii_strcasecmp (pc, "auto") != 0)
      {
        if (mrt_config_parse_bool (pc, &b))
          c->per_channel = b ? 2 : 1;
        else
          fail (r, S, "Per_channel", MRT_CONFIG_ERROR_VALUE, "“%s” is not auto, True or False", pc);
      }
  }
  c->bias_correction = get_bool (r, S, "Bias_correction", FALSE);
  c->thresholds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (th && !r->failed)
    {
      GError *err = NULL;
      g_autoptr (GPtrArray) pairs = mrt_config_parse_pairs (th, 2, &err);
      if (pairs == NULL)
        {
          fail (r, S, "Thresholds", MRT_CONFIG_ERROR_VALUE, "%s", err->message);
          g_error_free (err);
        }
      for (guint i = 0; pairs && i < pairs->len; i++)
        {
          GStrv p = g_ptr_array_index (pairs, i);
          double v;
          if (!mrt_config_parse_float (p[1], &v) || v < 0)
            {
              fail (r, S, "Thresholds", MRT_CONFIG_ERROR_VALUE, "threshold of “%s” must be a number ≥ 0, not “%s”",
                    p[0], p[1]);
              break;
            }
          g_hash_table_insert (c->thresholds, g_strdup (p[0]), g_memdup2 (&v, sizeof v));
        }
    }
  c->restore_names = rn ? mrt_config_parse_array (rn) : g_ptr_array_new_with_free_func (g_free);
}

static void
attribute_dep_free (gpointer p)
{
  MrtAttributeDep *d = p;
  g_free (d->op);
  g_free (d->attr);
  g_free (d->key);
  g_free (d);
}

static void
oscale_map_free (gpointer p)
{
  MrtOscaleMap *m = p;
  g_free (m->name);
  g_free (m->key);
  g_free (m);
}

static void
read_merge (Reader *r, MrtConfig *c)
{
  const char *S = "MERGE_MODEL";
  const char *deps = raw (r, S, "Attribute_deps"), *maps = raw (r, S, "Oscale_maps");
  GError *err = NULL;

  c->attribute_deps = g_ptr_array_new_with_free_func (attribute_dep_free);
  c->oscale_maps = g_ptr_array_new_with_free_func (oscale_map_free);
  c->merge_dump = get_bool (r, S, "Dump", FALSE);
  if (deps && !r->failed)
    {
      g_autoptr (GPtrArray) p = mrt_config_parse_pairs (deps, 3, &err);
      if (p == NULL)
        fail (r, S, "Attribute_deps", MRT_CONFIG_ERROR_VALUE, "%s", err->message);
      for (guint i = 0; p && i < p->len; i++)
        {
          GStrv f = g_ptr_array_index (p, i);
          MrtAttributeDep *d = g_new0 (MrtAttributeDep, 1);
          d->op = g_strdup (f[0]);
          d->attr = g_strdup (f[1]);
          d->key = g_strdup (f[2]);
          g_ptr_array_add (c->attribute_deps, d);
        }
      g_clear_error (&err);
    }
  if (maps && !r->failed)
    {
      g_autoptr (GPtrArray) p = mrt_config_parse_pairs (maps, 2, &err);
      if (p == NULL)
        fail (r, S, "Oscale_maps", MRT_CONFIG_ERROR_VALUE, "%s", err->message);
      for (guint i = 0; p && i < p->len; i++)
        {
          GStrv f = g_ptr_array_index (p, i);
          MrtOscaleMap *m = g_new0 (MrtOscaleMap, 1);
          m->name = g_strdup (f[0]);
          m->key = g_str_equal (f[1], "None") ? NULL : g_strdup (f[1]);
          g_ptr_array_add (c->oscale_maps, m);
        }
      g_clear_error (&err);
    }
  if (c->split_keys->len > 0 && !r->failed && c->oscale_maps->len == 0)
    fail (r, S, "Oscale_maps", MRT_CONFIG_ERROR_MISSING,
          "the model is split (SPLIT_MODEL Keys), so give one entry per model output");
}

MrtConfig *
mrt_config_from_ini (const MrtIni *ini, const char *base_dir, GError **error)
{
  g_autoptr (MrtConfig) c = g_new0 (MrtConfig, 1);
  Reader r = { ini, "configuration", error, FALSE };
  const char *keys;

  c->base_dir = base_dir ? g_strdup (base_dir) : g_build_filename (g_get_home_dir (), "mrt_model", NULL);
  c->notes = g_ptr_array_new_with_free_func (g_free);
  read_default (&r, c);
  c->prepare_dump = get_bool (&r, "PREPARE", "Dump", FALSE);
  c->equalize = get_bool (&r, "PREPARE", "Equalize", FALSE);
  keys = raw (&r, "SPLIT_MODEL", "Keys");
  c->split_keys = keys ? mrt_config_parse_array (keys) : g_ptr_array_new_with_free_func (g_free);
  c->split_dump = get_bool (&r, "SPLIT_MODEL", "Dump", FALSE);
  read_calibration (&r, c);
  read_quantization (&r, c);
  read_merge (&r, c);
  c->has_evaluation = mrt_ini_has_section (ini, "EVALUATION");
  c->eval_batch = get_int (&r, "EVALUATION", "Batch", c->calib_batch, 1, 1 << 20);
  c->iter_num = get_int (&r, "EVALUATION", "Iter_num", 0, 0, G_MAXINT);
  c->has_compilation = mrt_ini_has_section (ini, "COMPILATION");
  c->compile_batch = get_int (&r, "COMPILATION", "Batch", c->has_evaluation ? c->eval_batch : c->calib_batch, 1, 1 << 16);
  if (c->has_compilation && !r.failed)
    c->dump_dir = get_dir (&r, c->base_dir, "COMPILATION", "Dump_dir", c->model_dir);
  if (!r.failed && c->split_keys->len == 0 &&
      (c->start == MRT_STAGE_SPLIT_MODEL || c->start == MRT_STAGE_MERGE_MODEL))
    fail (&r, "DEFAULT", "Start", MRT_CONFIG_ERROR_VALUE, "%s is a start point only when SPLIT_MODEL Keys is set",
          mrt_stage_name (c->start));
  if (r.failed)
    return NULL;
  return g_steal_pointer (&c);
}

MrtConfig *
mrt_config_load (const char *path, GError **error)
{
  g_autoptr (MrtIni) ini = mrt_ini_load (path, error);
  g_autofree char *dir = NULL;
  g_autofree char *abs = NULL;
  MrtConfig *c;
  if (ini == NULL)
    return NULL;
  abs = g_canonicalize_filename (path, NULL);
  dir = g_path_get_dirname (abs);
  c = mrt_config_from_ini (ini, dir, error);
  if (c == NULL)
    {
      /* name the file rather than "configuration" */
      if (error && *error && g_str_has_prefix ((*error)->message, "configuration: "))
        {
          char *m = g_strdup_printf ("%s: %s", path, (*error)->message + strlen ("configuration: "));
          g_free ((*error)->message);
          (*error)->message = m;
        }
      return NULL;
    }
  c->path = g_steal_pointer (&abs);
  return c;
}

void
mrt_config_free (MrtConfig *c)
{
  if (c == NULL)
    return;
  g_free (c->path);
  g_free (c->base_dir);
  g_free (c->model_dir);
  g_free (c->model_name);
  g_free (c->device_type);
  g_clear_pointer (&c->device_ids, g_array_unref);
  g_clear_pointer (&c->split_keys, g_ptr_array_unref);
  g_free (c->dataset);
  g_free (c->dataset_dir);
  g_clear_pointer (&c->thresholds, g_hash_table_unref);
  g_clear_pointer (&c->restore_names, g_ptr_array_unref);
  g_clear_pointer (&c->attribute_deps, g_ptr_array_unref);
  g_clear_pointer (&c->oscale_maps, g_ptr_array_unref);
  g_free (c->dump_dir);
  g_clear_pointer (&c->notes, g_ptr_array_unref);
  g_free (c);
}

int
mrt_batch_axis (const MrtShape *shape)
{
  for (int i = 0; i < shape->ndim; i++)
    if (shape->dim[i] == -1)
      return i;
  return -1;
}

MrtShape
mrt_set_batch (const MrtShape *shape, gint64 batch)
{
  MrtShape s = *shape;
  int axis = mrt_batch_axis (shape);
  if (axis >= 0)
    s.dim[axis] = batch;
  return s;
}

char *
mrt_config_load_fname (const MrtConfig *config, const char *suffix)
{
  g_autofree char *base = g_strconcat (config->model_name, suffix, NULL);
  return g_build_filename (config->model_dir, base, NULL);
}

gboolean
mrt_checkpoint_exist (const char *base, gboolean with_ext)
{
  const char *exts[] = { ".json", ".params", ".ext" };
  for (guint i = 0; i < (with_ext ? 3u : 2u); i++)
    {
      g_autofree char *p = g_strconcat (base, exts[i], NULL);
      if (!g_file_test (p, G_FILE_TEST_IS_REGULAR))
        return FALSE;
    }
  return TRUE;
}
