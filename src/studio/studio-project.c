/* studio-project.c: the project `.ini`, its template, and the two options
 * the canvas edits (split keys and threshold overrides). */
#include "config.h"

#include "studio-project.h"
#include "studio-settings.h"

#include <gio/gio.h>
#include <math.h>
#include <stdlib.h>

#define TEMPLATE_RESOURCE "/org/cortex/MrtStudio/project-template.ini"

struct _StudioProject {
  GObject parent_instance;

  MrtIni *ini;
  char *path;      /* NULL until saved */
  char *base_dir;  /* the .ini's folder, or the model's while unsaved */
  char *model_name;
  gboolean modified;
};

G_DEFINE_FINAL_TYPE (StudioProject, studio_project, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PATH,
  PROP_MODIFIED,
  N_PROPS
};

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* ---- helpers ------------------------------------------------------------- */

/* "lenet" for ".../lenet-symbol.json", ".../lenet.json" or ".../lenet". */
static char *
model_name_for_path (const char *path)
{
  char *base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - strlen (".json")] = '\0';
  if (g_str_has_suffix (base, "-symbol"))
    base[strlen (base) - strlen ("-symbol")] = '\0';
  return base;
}

/* Shortest decimal that reads back as the same double, so a saved 0.1 is
 * "0.1" and not "0.10000000000000001". */
static char *
format_double (double v)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  for (int digits = 1; digits <= 17; digits++)
    {
      char fmt[8];
      g_snprintf (fmt, sizeof fmt, "%%.%dg", digits);
      g_ascii_formatd (buf, sizeof buf, fmt, v);
      if (g_ascii_strtod (buf, NULL) == v)
        break;
    }
  return g_strdup (buf);
}

/* One item per line: a continuation line each, with the separating comma
 * MRT's ARRAY/PAIR parsing splits on. */
static char *
join_items (GPtrArray *items)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (s, "\n%s%s", (const char *) g_ptr_array_index (items, i), i + 1 < items->len ? "," : "");
  return g_string_free (s, FALSE);
}

static void
mark_changed (StudioProject *self)
{
  gboolean was = self->modified;
  self->modified = TRUE;
  if (!was)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

/* The input shape with -1 on the batch axis: the input's recorded shape
 * when the symbol has one, else a guess from the layer that consumes it. */
static char *
guess_input_shape (const MrtModel *model)
{
  g_autoptr (GArray) inputs = model ? mrt_model_inputs (model) : NULL;
  const MrtNode *in;
  MrtShape shape;
  guint input;

  if (!inputs || inputs->len == 0)
    return NULL;
  input = g_array_index (inputs, guint, 0);
  in = mrt_model_node (model, input);
  if (mrt_node_get_attr (in, "__shape__") && mrt_shape_parse (mrt_node_get_attr (in, "__shape__"), TRUE, &shape, NULL) &&
      shape.ndim > 0)
    {
      shape.dim[0] = -1;
      return mrt_shape_to_string (&shape);
    }
  for (guint i = input + 1; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      MrtTensor *w;
      if (n->n_inputs < 2 || n->inputs[0].node != input)
        continue;
      w = mrt_model_get_param (model, mrt_model_node (model, n->inputs[1].node)->name);
      if (!w)
        break;
      /* Square images of the usual sizes for the channel count. */
      if (g_str_equal (n->op, "Convolution") && w->shape.ndim == 4)
        {
          gint64 c = w->shape.dim[1];
          gint64 hw = c == 1 ? 28 : c == 3 && w->shape.dim[0] <= 16 ? 32 : 224;
          return g_strdup_printf ("(-1, %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ")", c, hw, hw);
        }
      if (g_str_equal (n->op, "FullyConnected") && w->shape.ndim == 2)
        return g_strdup_printf ("(-1, %" G_GINT64_FORMAT ")", w->shape.dim[1]);
      break;
    }
  return NULL;
}

static const char *
guess_dataset (const char *shape)
{
  if (!shape)
    return NULL;
  if (g_str_equal (shape, "(-1, 1, 28, 28)"))
    return "mnist";
  if (g_str_equal (shape, "(-1, 3, 32, 32)"))
    return "cifar10";
  if (g_str_equal (shape, "(-1, 3, 224, 224)"))
    return "imagenet";
  return NULL;
}

/* ---- construction -------------------------------------------------------- */

StudioProject *
studio_project_new_for_model (const char *model_path, const MrtModel *model)
{
  StudioProject *self = g_object_new (STUDIO_TYPE_PROJECT, NULL);
  g_autoptr (GBytes) text = g_resources_lookup_data (TEMPLATE_RESOURCE, 0, NULL);
  g_autofree char *abs = g_canonicalize_filename (model_path ? model_path : "untitled", NULL);
  g_autofree char *shape = guess_input_shape (model);
  const char *dataset = guess_dataset (shape);

  /* The template is part of the build; a missing one is a packaging bug. */
  g_assert (text != NULL);
  self->ini = mrt_ini_parse (g_bytes_get_data (text, NULL), TEMPLATE_RESOURCE, NULL);
  g_assert (self->ini != NULL);
  self->base_dir = g_path_get_dirname (abs);
  self->model_name = model_name_for_path (abs);
  mrt_ini_set (self->ini, "DEFAULT", "Model_name", self->model_name);
  if (shape)
    mrt_ini_set (self->ini, "DEFAULT", "Input_shape", shape);
  if (dataset)
    mrt_ini_set (self->ini, "CALIBRATION", "Dataset", dataset);
  /* the user's preferred calibration method and dataset folder */
  studio_settings_apply_project_defaults (self->ini);
  /* Nothing to lose yet: a fresh project only counts as modified once the
   * user changes something. */
  return self;
}

StudioProject *
studio_project_load (const char *ini_path, GError **error)
{
  g_autoptr (MrtIni) ini = mrt_ini_load (ini_path, error);
  StudioProject *self;
  const char *name;

  if (!ini)
    return NULL;
  self = g_object_new (STUDIO_TYPE_PROJECT, NULL);
  self->ini = g_steal_pointer (&ini);
  self->path = g_canonicalize_filename (ini_path, NULL);
  self->base_dir = g_path_get_dirname (self->path);
  name = mrt_ini_get (self->ini, "DEFAULT", "Model_name");
  self->model_name = g_strdup (name && *name ? name : "");
  return self;
}

static char *
resolve_dir (const char *value, const char *base_dir)
{
  g_autofree char *expanded = NULL;
  if (!value || !*value)
    return g_strdup (base_dir);
  if (value[0] == '~')
    expanded = g_build_filename (g_get_home_dir (), value + 1, NULL);
  else
    expanded = g_strdup (value);
  return g_canonicalize_filename (expanded, base_dir);
}

char *
studio_project_find_for_model (const char *model_path)
{
  g_autofree char *abs = g_canonicalize_filename (model_path, NULL);
  g_autofree char *dir = g_path_get_dirname (abs);
  g_autofree char *name = model_name_for_path (abs);
  g_autofree char *file = g_strconcat (name, ".ini", NULL);
  g_autofree char *ini_path = g_build_filename (dir, file, NULL);
  g_autoptr (MrtIni) ini = NULL;
  g_autofree char *model_dir = NULL;

  if (!g_file_test (ini_path, G_FILE_TEST_IS_REGULAR) || !(ini = mrt_ini_load (ini_path, NULL)))
    return NULL;
  model_dir = resolve_dir (mrt_ini_get (ini, "DEFAULT", "Model_dir"), dir);
  if (g_strcmp0 (mrt_ini_get (ini, "DEFAULT", "Model_name"), name) != 0 || g_strcmp0 (model_dir, dir) != 0)
    return NULL;
  return g_steal_pointer (&ini_path);
}

/* ---- accessors ----------------------------------------------------------- */

const char *
studio_project_get_path (StudioProject *self)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  return self->path;
}

const char *
studio_project_get_base_dir (StudioProject *self)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  return self->base_dir;
}

const char *
studio_project_get_model_name (StudioProject *self)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  return self->model_name;
}

char *
studio_project_get_model_prefix (StudioProject *self)
{
  g_autofree char *dir = NULL;
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  dir = resolve_dir (mrt_ini_get (self->ini, "DEFAULT", "Model_dir"), self->base_dir);
  return g_build_filename (dir, self->model_name, NULL);
}

MrtIni *
studio_project_get_ini (StudioProject *self)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  return self->ini;
}

void
studio_project_touch (StudioProject *self)
{
  g_return_if_fail (STUDIO_IS_PROJECT (self));
  mark_changed (self);
}

MrtConfig *
studio_project_build_config (StudioProject *self, GError **error)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  return mrt_config_from_ini (self->ini, self->base_dir, error);
}

gboolean
studio_project_is_modified (StudioProject *self)
{
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), FALSE);
  return self->modified;
}

/* ---- split keys ---------------------------------------------------------- */

GPtrArray *
studio_project_get_split_keys (StudioProject *self)
{
  const char *v;
  g_return_val_if_fail (STUDIO_IS_PROJECT (self), NULL);
  v = mrt_ini_get (self->ini, "SPLIT_MODEL", "Keys");
  return v ? mrt_config_parse_array (v) : g_ptr_array_new_with_free_func (g_free);
}

static gint
find_key (GPtrArray *keys, const char *name)
{
  for (guint i = 0; i < keys->len; i++)
    if (g_str_equal (g_ptr_array_index (keys, i), name))
      return (gint) i;
  return -1;
}

gboolean
studio_project_has_split_key (StudioProject *self, const char *name)
{
  g_autoptr (GPtrArray) keys = studio_project_get_split_keys (self);
  return find_key (keys, name) >= 0;
}

static void
write_keys (StudioProject *self, GPtrArray *keys)
{
  g_autofree char *value = join_items (keys);
  mrt_ini_set (self->ini, "SPLIT_MODEL", "Keys", value);
  mark_changed (self);
}

gboolean
studio_project_add_split_key (StudioProject *self, const char *name)
{
  g_autoptr (GPtrArray) keys = studio_project_get_split_keys (self);
  g_return_val_if_fail (name && *name && !strchr (name, ','), FALSE);
  if (find_key (keys, name) >= 0)
    return FALSE;
  g_ptr_array_add (keys, g_strdup (name));
  write_keys (self, keys);
  return TRUE;
}

gboolean
studio_project_remove_split_key (StudioProject *self, const char *name)
{
  g_autoptr (GPtrArray) keys = studio_project_get_split_keys (self);
  gint i = find_key (keys, name);
  if (i < 0)
    return FALSE;
  g_ptr_array_remove_index (keys, (guint) i);
  write_keys (self, keys);
  return TRUE;
}

/* ---- thresholds ---------------------------------------------------------- */

/* Items in file order, so rewriting keeps the user's order. */
static GPtrArray *
read_threshold_items (StudioProject *self)
{
  const char *v = mrt_ini_get (self->ini, "QUANTIZATION", "Thresholds");
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) items = v ? mrt_config_parse_array (v) : NULL;

  for (guint i = 0; items && i < items->len; i++)
    {
      g_auto (GStrv) f = g_strsplit (g_ptr_array_index (items, i), ":", -1);
      double d;
      if (g_strv_length (f) != 2)
        continue;
      g_strstrip (f[0]);
      g_strstrip (f[1]);
      if (*f[0] && mrt_config_parse_float (f[1], &d))
        g_ptr_array_add (out, g_steal_pointer (&f));
    }
  return out;
}

GHashTable *
studio_project_get_thresholds (StudioProject *self)
{
  g_autoptr (GPtrArray) items = NULL;
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  g_return_val_if_fail (STUDIO_IS_PROJECT (self), out);
  items = read_threshold_items (self);
  for (guint i = 0; i < items->len; i++)
    {
      char **f = g_ptr_array_index (items, i);
      double *d = g_new (double, 1);
      mrt_config_parse_float (f[1], d);
      g_hash_table_insert (out, g_strdup (f[0]), d);
    }
  return out;
}

gboolean
studio_project_get_threshold (StudioProject *self, const char *name, double *value)
{
  g_autoptr (GHashTable) th = studio_project_get_thresholds (self);
  double *d = g_hash_table_lookup (th, name);
  if (d && value)
    *value = *d;
  return d != NULL;
}

static void
write_thresholds (StudioProject *self, GPtrArray *items)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *value = NULL;
  for (guint i = 0; i < items->len; i++)
    {
      char **f = g_ptr_array_index (items, i);
      g_ptr_array_add (lines, g_strdup_printf ("%s: %s", f[0], f[1]));
    }
  value = join_items (lines);
  mrt_ini_set (self->ini, "QUANTIZATION", "Thresholds", value);
  mark_changed (self);
}

void
studio_project_set_threshold (StudioProject *self, const char *name, double value)
{
  g_autoptr (GPtrArray) items = NULL;
  g_autofree char *text = NULL;
  gboolean found = FALSE;

  g_return_if_fail (STUDIO_IS_PROJECT (self));
  g_return_if_fail (name && *name && !strchr (name, ':') && !strchr (name, ','));
  g_return_if_fail (isfinite (value) && value >= 0);
  items = read_threshold_items (self);
  text = format_double (value);
  for (guint i = 0; i < items->len; i++)
    {
      char **f = g_ptr_array_index (items, i);
      if (!g_str_equal (f[0], name))
        continue;
      if (g_str_equal (f[1], text))
        return;
      g_free (f[1]);
      f[1] = g_strdup (text);
      found = TRUE;
    }
  if (!found)
    {
      char **f = g_new0 (char *, 3);
      f[0] = g_strdup (name);
      f[1] = g_strdup (text);
      g_ptr_array_add (items, f);
    }
  write_thresholds (self, items);
}

gboolean
studio_project_clear_threshold (StudioProject *self, const char *name)
{
  g_autoptr (GPtrArray) items = NULL;
  guint before;

  g_return_val_if_fail (STUDIO_IS_PROJECT (self), FALSE);
  items = read_threshold_items (self);
  before = items->len;
  for (guint i = items->len; i-- > 0;)
    if (g_str_equal (((char **) g_ptr_array_index (items, i))[0], name))
      g_ptr_array_remove_index (items, i);
  if (items->len == before)
    return FALSE;
  write_thresholds (self, items);
  return TRUE;
}

/* ---- saving -------------------------------------------------------------- */

/* Model_dir as the `.ini` at new_dir must say to find the model where it is
 * now: empty when the model sits next to it, absolute otherwise. Left alone
 * when it already resolves right, so a user's relative path survives. */
static void
retarget_model_dir (StudioProject *self, const char *new_dir)
{
  const char *raw = mrt_ini_get (self->ini, "DEFAULT", "Model_dir");
  g_autofree char *model_dir = resolve_dir (raw, self->base_dir);
  g_autofree char *as_saved = resolve_dir (raw, new_dir);

  if (g_str_equal (model_dir, as_saved))
    return;
  mrt_ini_set (self->ini, "DEFAULT", "Model_dir", g_str_equal (model_dir, new_dir) ? "" : model_dir);
}

gboolean
studio_project_save (StudioProject *self, const char *path, GError **error)
{
  g_autofree char *abs = NULL;
  g_autofree char *dir = NULL;
  gboolean moved;

  g_return_val_if_fail (STUDIO_IS_PROJECT (self), FALSE);
  g_return_val_if_fail (path || self->path, FALSE);
  abs = g_canonicalize_filename (path ? path : self->path, NULL);
  dir = g_path_get_dirname (abs);
  retarget_model_dir (self, dir);
  if (!mrt_ini_save (self->ini, abs, error))
    return FALSE;
  moved = g_strcmp0 (abs, self->path) != 0;
  g_free (self->path);
  self->path = g_steal_pointer (&abs);
  g_free (self->base_dir);
  self->base_dir = g_steal_pointer (&dir);
  if (moved)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PATH]);
  if (self->modified)
    {
      self->modified = FALSE;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODIFIED]);
    }
  return TRUE;
}

/* ---- GObject ------------------------------------------------------------- */

static void
studio_project_finalize (GObject *object)
{
  StudioProject *self = STUDIO_PROJECT (object);
  g_clear_pointer (&self->ini, mrt_ini_free);
  g_free (self->path);
  g_free (self->base_dir);
  g_free (self->model_name);
  G_OBJECT_CLASS (studio_project_parent_class)->finalize (object);
}

static void
studio_project_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StudioProject *self = STUDIO_PROJECT (object);
  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    case PROP_MODIFIED:
      g_value_set_boolean (value, self->modified);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_project_class_init (StudioProjectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = studio_project_finalize;
  object_class->get_property = studio_project_get_property;

  properties[PROP_PATH] = g_param_spec_string ("path", NULL, NULL, NULL, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  properties[PROP_MODIFIED] =
    g_param_spec_boolean ("modified", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Split keys, thresholds or any other option changed. */
  signals[SIGNAL_CHANGED] = g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL,
                                          NULL, G_TYPE_NONE, 0);
}

static void
studio_project_init (StudioProject *self)
{
}
