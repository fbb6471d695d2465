/* make-seeds.c: writes the generated seed corpora and dictionaries of
 * tests/fuzz/ (files named gen-*; hand-made and fuzzer-found files are left
 * alone). Valid seeds let the fuzzers start deep in each reader: CVM graphs
 * are built with the library and written by its own writers, one per CVM
 * operator plus small networks; MXNet symbols get one graph per registered
 * op; binary formats get every version / dtype the readers accept.
 *
 *   build-fuzz/tests/fuzz/make-seeds tests/fuzz
 *
 * (built with -Dfuzz=true; see README.md). Deterministic: the same library
 * writes the same files. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "cvm/mrt-cvm.h"
#include "mrt-mxnet.h"
#include "mrt-npy.h"
#include "mrt-op.h"

static const char *root;

static void
put (const char *reader, const char *name, const void *data, gsize len)
{
  g_autofree char *dir = g_build_filename (root, reader, NULL);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr (GError) error = NULL;
  g_mkdir_with_parents (dir, 0755);
  if (!g_file_set_contents (path, data, (gssize) len, &error))
    g_error ("%s", error->message);
}

static void
put_dict (const char *reader, GPtrArray *words)
{
  g_autoptr (GString) s = g_string_new ("# libFuzzer dictionary, written by make-seeds.c\n");
  g_autofree char *path = g_strdup_printf ("%s/%s.dict", root, reader);
  g_ptr_array_sort (words, (GCompareFunc) (void (*) (void)) g_strcmp0);
  for (guint i = 0; i < words->len; i++)
    {
      const char *w = g_ptr_array_index (words, i);
      if (i > 0 && strcmp (w, g_ptr_array_index (words, i - 1)) == 0)
        continue;
      g_string_append_printf (s, "\"%s\"\n", w);
    }
  if (!g_file_set_contents (path, s->str, (gssize) s->len, NULL))
    g_error ("cannot write %s", path);
}

/* ---- CVM ------------------------------------------------------------------ */

static GHashTable *
str_table (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static guint
var (MrtModel *m, const char *name, const char *shape, int prec, int lo, int hi)
{
  GHashTable *a = str_table ();
  MrtShape s;
  guint id;

  g_hash_table_insert (a, g_strdup ("precision"), g_strdup_printf ("%d", prec));
  g_hash_table_insert (a, g_strdup ("__shape__"), g_strdup (shape));
  id = mrt_model_add_node_n (m, name, "null", a, NULL, 0, 1);
  if (strcmp (name, "data") != 0)
    {
      g_autoptr (MrtTensor) t = NULL;
      if (!mrt_shape_parse (shape, FALSE, &s, NULL))
        g_error ("bad shape %s", shape);
      t = mrt_tensor_new (MRT_DTYPE_I32, &s);
      for (gsize i = 0; i < t->n; i++)
        mrt_tensor_i32 (t)[i] = lo + (int) (i * 7 % (guint) (hi - lo + 1));
      mrt_model_set_param_raw (m, name, t);
    }
  return id;
}

static guint
op (MrtModel *m, const char *name, const char *opname, const char *const *kv, const guint *in, guint n_in)
{
  GHashTable *a = str_table ();
  MrtEntry e[8];
  for (guint i = 0; kv && kv[i]; i += 2)
    g_hash_table_insert (a, g_strdup (kv[i]), g_strdup (kv[i + 1]));
  for (guint i = 0; i < n_in; i++)
    e[i] = (MrtEntry){ in[i], 0 };
  return mrt_model_add_node_n (m, name, opname, a, e, n_in, mrt_cvm_op_lookup (opname)->n_outputs);
}

typedef struct {
  const char *name; /* seed name */
  const char *op;
  const char *kv[16];
  const char *shapes[4]; /* input 0 is data */
  int prec[4];
  int lo, hi;           /* parameter values */
} CvmRecipe;

#define X8 "(2, 3)"
static const CvmRecipe cvm_recipes[] = {
  { "relu", "relu", { NULL }, { X8 }, { 8 }, 0, 0 },
  { "abs", "abs", { NULL }, { X8 }, { 8 }, 0, 0 },
  { "negative", "negative", { NULL }, { X8 }, { 8 }, 0, 0 },
  { "flatten", "flatten", { NULL }, { "(2, 3, 2)" }, { 8 }, 0, 0 },
  { "cvm_precision", "cvm_precision", { NULL }, { X8 }, { 8 }, 0, 0 },
  { "cvm_clip", "cvm_clip", { "precision", "4", NULL }, { X8 }, { 8 }, 0, 0 },
  { "cvm_clip_unsigned", "cvm_clip", { "precision", "4", "is_sign", "False", NULL }, { X8 }, { 8 }, 0, 0 },
  { "cvm_right_shift", "cvm_right_shift", { "precision", "8", "shift_bit", "2", NULL }, { X8 }, { 16 }, 0, 0 },
  { "cvm_left_shift", "cvm_left_shift", { "precision", "16", "shift_bit", "2", NULL }, { X8 }, { 8 }, 0, 0 },
  { "clip", "clip", { "a_min", "-5", "a_max", "5", NULL }, { X8 }, { 8 }, 0, 0 },
  { "elemwise_add", "elemwise_add", { NULL }, { X8, X8 }, { 8, 8 }, -3, 3 },
  { "elemwise_sub", "elemwise_sub", { NULL }, { X8, X8 }, { 8, 8 }, -3, 3 },
  { "broadcast_add", "broadcast_add", { NULL }, { X8, "(1, 3)" }, { 8, 8 }, -3, 3 },
  { "broadcast_sub", "broadcast_sub", { NULL }, { X8, "(2, 1)" }, { 8, 8 }, -3, 3 },
  { "broadcast_mul", "broadcast_mul", { NULL }, { X8, "(1,)" }, { 8, 8 }, -3, 3 },
  { "broadcast_div", "broadcast_div", { NULL }, { X8, "(3,)" }, { 8, 8 }, 1, 3 },
  { "broadcast_max", "broadcast_max", { NULL }, { X8, X8 }, { 8, 8 }, -3, 3 },
  { "broadcast_greater", "broadcast_greater", { NULL }, { X8, X8 }, { 8, 8 }, -3, 3 },
  { "sum", "sum", { "axis", "(1,)", "keepdims", "True", NULL }, { X8 }, { 8 }, 0, 0 },
  { "sum_all", "sum", { NULL }, { X8 }, { 8 }, 0, 0 },
  { "max", "max", { "axis", "(-1,)", NULL }, { X8 }, { 8 }, 0, 0 },
  { "max_exclude", "max", { "axis", "(0,)", "exclude", "True", NULL }, { "(2, 3, 2)" }, { 8 }, 0, 0 },
  { "reshape", "reshape", { "shape", "(3, -1)", NULL }, { X8 }, { 8 }, 0, 0 },
  { "reshape_special", "reshape", { "shape", "(0, -2)", NULL }, { "(2, 3, 2)" }, { 8 }, 0, 0 },
  { "expand_dims", "expand_dims", { "axis", "1", "num_newaxis", "2", NULL }, { X8 }, { 8 }, 0, 0 },
  { "squeeze", "squeeze", { "axis", "(1,)", NULL }, { "(2, 1, 3)" }, { 8 }, 0, 0 },
  { "transpose", "transpose", { "axes", "(1, 0, 2)", NULL }, { "(2, 3, 2)" }, { 8 }, 0, 0 },
  { "concatenate", "concatenate", { "axis", "0", NULL }, { X8, X8, "(1, 3)" }, { 8, 8, 8 }, -3, 3 },
  { "repeat", "repeat", { "repeats", "2", "axis", "1", NULL }, { X8 }, { 8 }, 0, 0 },
  { "tile", "tile", { "reps", "(2, 1)", NULL }, { X8 }, { 8 }, 0, 0 },
  { "strided_slice", "strided_slice", { "begin", "(0, 2)", "end", "(2, 0)", "stride", "(1, -1)", NULL }, { X8 }, { 8 }, 0, 0 },
  { "slice_like", "slice_like", { "axis", "(1,)", NULL }, { X8, "(2, 2)" }, { 8, 8 }, 0, 1 },
  { "take", "take", { "axis", "1", NULL }, { X8, "(2,)" }, { 8, 8 }, 0, 2 },
  { "take_flat", "take", { NULL }, { X8, "(4,)" }, { 8, 8 }, 0, 5 },
  { "cvm_lut", "cvm_lut", { "in_dim", "4", NULL }, { X8, "(4,)" }, { 8, 8 }, -9, 9 },
  { "where", "where", { NULL }, { X8, X8, X8 }, { 8, 8, 8 }, -2, 2 },
  { "dense", "dense", { "units", "2", NULL }, { X8, "(2, 3)", "(2,)" }, { 8, 8, 8 }, -3, 3 },
  { "dense_nobias", "dense", { "units", "2", "use_bias", "False", NULL }, { X8, "(2, 3)" }, { 8, 8 }, -3, 3 },
  { "conv2d", "conv2d", { "channels", "2", "kernel_size", "(3, 3)", "padding", "(1, 1)", NULL },
    { "(1, 1, 4, 4)", "(2, 1, 3, 3)", "(2,)" }, { 8, 8, 8 }, -2, 2 },
  { "conv2d_groups", "conv2d", { "channels", "2", "kernel_size", "(1, 1)", "groups", "2", "use_bias", "False",
                                 "strides", "(2, 2)", "dilation", "(1, 1)", NULL },
    { "(1, 2, 4, 4)", "(2, 1, 1, 1)" }, { 8, 8 }, -2, 2 },
  { "max_pool2d", "max_pool2d", { "pool_size", "(2, 2)", "strides", "(2, 2)", NULL }, { "(1, 1, 4, 4)" }, { 8 }, 0, 0 },
  { "max_pool2d_ceil", "max_pool2d", { "pool_size", "(3, 3)", "strides", "(2, 2)", "padding", "(1, 1)",
                                       "ceil_mode", "True", NULL }, { "(1, 1, 5, 5)" }, { 8 }, 0, 0 },
  { "upsampling", "upsampling", { "scale", "2", NULL }, { "(1, 1, 2, 2)" }, { 8 }, 0, 0 },
  { "get_valid_counts", "get_valid_counts", { "score_threshold", "1", NULL }, { "(1, 3, 6)" }, { 8 }, 0, 0 },
  { "nms", "non_max_suppression", { "iou_threshold", "50", "top_k", "2", NULL }, { "(1, 3, 6)", "(1,)" }, { 8, 8 },
    1, 2 },
};

static void
write_cvm (const char *name, MrtModel *m)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GBytes) params = NULL;
  g_autoptr (GByteArray) both = g_byte_array_new ();
  g_autofree char *sname = g_strdup_printf ("gen-%s.json", name);
  g_autofree char *pname = g_strdup_printf ("gen-%s.params", name);
  g_autofree char *mname = g_strdup_printf ("gen-%s", name);
  g_autoptr (MrtModel) again = NULL;
  guint8 len[4];
  gsize jl;

  if (!mrt_cvm_check (m, NULL, &error) || !(json = mrt_cvm_symbol_to_json (m, NULL, &error)) ||
      !(params = mrt_cvm_params_to_bytes (m, &error)))
    {
      g_printerr ("cvm seed %s skipped: %s\n", name, error->message);
      return;
    }
  jl = strlen (json);
  again = mrt_cvm_parse (json, jl, g_bytes_get_data (params, NULL), g_bytes_get_size (params), name, &error);
  if (again == NULL)
    {
      g_printerr ("cvm seed %s does not load: %s\n", name, error->message);
      return;
    }
  put ("cvm-symbol", sname, json, jl);
  put ("cvm-params", pname, g_bytes_get_data (params, NULL), g_bytes_get_size (params));
  len[0] = jl & 0xff, len[1] = (jl >> 8) & 0xff, len[2] = (jl >> 16) & 0xff, len[3] = (jl >> 24) & 0xff;
  g_byte_array_append (both, len, 4);
  g_byte_array_append (both, (const guint8 *) json, (guint) jl);
  g_byte_array_append (both, g_bytes_get_data (params, NULL), (guint) g_bytes_get_size (params));
  put ("cvm-model", mname, both->data, both->len);
}

static void
cvm_seeds (void)
{
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  static const char *const json_words[] = {
    "nodes", "arg_nodes", "node_row_ptr", "heads", "attrs", "version", "cvm_1.0.0", "op_attrs", "dltype",
    "precision", "storage_id", "shape", "list_str", "list_int", "list_shape", "int32", "cvm_op", "null",
    "func_name", "flatten_data", "num_inputs", "num_outputs", "name", "inputs", "op", "postprocess",
    "argmax", "detection", "data", "True", "False", "None", "__shape__",
  };

  for (guint i = 0; i < G_N_ELEMENTS (cvm_recipes); i++)
    {
      const CvmRecipe *r = &cvm_recipes[i];
      g_autoptr (MrtModel) m = mrt_model_new ();
      guint in[4], n = 0, o;
      for (; n < 4 && r->shapes[n]; n++)
        {
          g_autofree char *vname = n == 0 ? g_strdup ("data") : g_strdup_printf ("p%u", n);
          in[n] = var (m, vname, r->shapes[n], r->prec[n], r->lo, r->hi);
        }
      o = op (m, "op_0", r->op, r->kv, in, n);
      mrt_model_add_head (m, (MrtEntry){ o, 0 });
      write_cvm (r->name, m);
    }

  /* a small network like the exported sample: conv, clip, relu, pool,
   * shift, flatten, dense, and two heads */
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    static const char *const conv[] = { "channels", "2", "kernel_size", "(3, 3)", "padding", "(1, 1)", NULL };
    static const char *const clip16[] = { "precision", "16", NULL };
    static const char *const pool[] = { "pool_size", "(2, 2)", "strides", "(2, 2)", NULL };
    static const char *const shift[] = { "precision", "8", "shift_bit", "4", NULL };
    static const char *const dense[] = { "units", "3", "use_bias", "False", NULL };
    guint d = var (m, "data", "(1, 1, 4, 4)", 8, 0, 0);
    guint w = var (m, "w", "(2, 1, 3, 3)", 8, -3, 3), b = var (m, "b", "(2,)", 12, -100, 100);
    guint c = op (m, "conv2d_0", "conv2d", conv, (guint[]){ d, w, b }, 3);
    guint cl = op (m, "cvm_clip_0", "cvm_clip", clip16, &c, 1);
    guint re = op (m, "relu_0", "relu", NULL, &cl, 1);
    guint po = op (m, "max_pool2d_0", "max_pool2d", pool, &re, 1);
    guint sh = op (m, "cvm_right_shift_0", "cvm_right_shift", shift, &po, 1);
    guint fl = op (m, "flatten_0", "flatten", NULL, &sh, 1);
    guint w2 = var (m, "w2", "(3, 8)", 8, -5, 5);
    guint de = op (m, "dense_0", "dense", dense, (guint[]){ fl, w2 }, 2);
    mrt_model_add_head (m, (MrtEntry){ de, 0 });
    mrt_model_add_head (m, (MrtEntry){ fl, 0 });
    write_cvm ("net", m);
  }

  for (guint i = 0; i < mrt_cvm_n_ops (); i++)
    {
      const MrtCvmOpDef *def = mrt_cvm_op_nth (i);
      g_ptr_array_add (words, g_strdup (def->name));
      for (guint k = 0; def->attrs && def->attrs[k].name; k++)
        g_ptr_array_add (words, g_strdup (def->attrs[k].name));
    }
  for (guint i = 0; i < G_N_ELEMENTS (json_words); i++)
    g_ptr_array_add (words, g_strdup (json_words[i]));
  put_dict ("cvm-symbol", words);
}

/* ---- MXNet ---------------------------------------------------------------- */

static const char *
attr_example (MrtAttrType type, const char *name)
{
  if (strcmp (name, "act_type") == 0)
    return "relu";
  if (strcmp (name, "pool_type") == 0)
    return "max";
  switch (type)
    {
    case MRT_ATTR_INT: return "2";
    case MRT_ATTR_FLOAT: return "0.5";
    case MRT_ATTR_BOOL: return "False";
    case MRT_ATTR_TUPLE: return "(1, 1)";
    case MRT_ATTR_INT_OR_NONE: return "1";
    case MRT_ATTR_FLOAT_OR_NONE: return "None";
    default: return "1";
    }
}

static void
mxnet_seeds (void)
{
  g_autoptr (GPtrArray) ops = mrt_op_list ();
  g_autoptr (GPtrArray) words = g_ptr_array_new_with_free_func (g_free);
  static const char *const json_words[] = {
    "nodes", "arg_nodes", "node_row_ptr", "heads", "attrs", "attr", "param", "inputs", "op", "name",
    "null", "mxnet_version", "int", "__shape__", "__dtype__", "__init__", "__lr_mult__", "True", "False",
    "None", "(1, 1)",
  };

  for (guint i = 0; i < ops->len; i++)
    {
      const MrtOpDef *def = g_ptr_array_index (ops, i);
      g_autoptr (GString) s = g_string_new ("{\"nodes\": [");
      g_autoptr (GString) attrs = g_string_new (NULL);
      g_autofree char *fname = NULL;
      int n_in = MAX (def->min_inputs, 1);

      for (int k = 0; k < n_in; k++)
        g_string_append_printf (s, "{\"op\": \"null\", \"name\": \"%s\", \"attrs\": {\"__shape__\": \"(1, 2, 4, 4)\"}, "
                                "\"inputs\": []}, ", k ? "w" : "data");
      /* fix the names of a multi-input op's variables */
      if (n_in > 1)
        for (int k = 1; k < n_in; k++)
          {
            g_autofree char *from = g_strdup_printf ("\"name\": \"w\"");
            g_autofree char *to = g_strdup_printf ("\"name\": \"w%d\"", k);
            char *at = strstr (s->str, from);
            gsize pos = at - s->str;
            g_string_erase (s, (gssize) pos, (gssize) strlen (from));
            g_string_insert (s, (gssize) pos, to);
          }
      for (guint k = 0; def->attrs && def->attrs[k].name; k++)
        if (def->attrs[k].required)
          g_string_append_printf (attrs, "%s\"%s\": \"%s\"", attrs->len ? ", " : "", def->attrs[k].name,
                                  attr_example (def->attrs[k].type, def->attrs[k].name));
      g_string_append_printf (s, "{\"op\": \"%s\", \"name\": \"node\", \"attrs\": {%s}, \"inputs\": [", def->name,
                              attrs->str);
      for (int k = 0; k < n_in; k++)
        g_string_append_printf (s, "%s[%d, 0, 0]", k ? ", " : "", k);
      g_string_append_printf (s, "]}], \"arg_nodes\": [");
      for (int k = 0; k < n_in; k++)
        g_string_append_printf (s, "%s%d", k ? ", " : "", k);
      g_string_append_printf (s, "], \"heads\": [[%d, 0, 0]], \"attrs\": {\"mxnet_version\": [\"int\", 10500]}}\n",
                              n_in);
      fname = g_strdup_printf ("gen-op-%s.json", def->name);
      put ("mxnet-symbol", fname, s->str, s->len);

      g_ptr_array_add (words, g_strdup (def->name));
      for (guint k = 0; def->attrs && def->attrs[k].name; k++)
        g_ptr_array_add (words, g_strdup (def->attrs[k].name));
    }
  for (guint i = 0; i < G_N_ELEMENTS (json_words); i++)
    g_ptr_array_add (words, g_strdup (json_words[i]));
  put_dict ("mxnet-symbol", words);
}

static void
le32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
le64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

/* One record of each kind: 0 legacy (u32 ndim + u32 dims), 1-3 V1-V3. */
static void
mx_record (GByteArray *b, int kind, int ndim, const gint64 *dims, int dtype)
{
  static const guint32 magic[] = { 0, 0xF993FAC8u, 0xF993FAC9u, 0xF993FACAu };
  gint64 n = 1;
  static const int esize[] = { 4, 8, 2, 1, 4, 1, 8 };

  if (kind == 0)
    le32 (b, (guint32) ndim);
  else
    {
      le32 (b, magic[kind]);
      if (kind >= 2)
        le32 (b, 0); /* dense storage */
      le32 (b, (guint32) ndim);
    }
  for (int d = 0; d < ndim; d++)
    {
      if (kind == 0)
        le32 (b, (guint32) dims[d]);
      else
        le64 (b, (guint64) dims[d]);
      n *= dims[d];
    }
  if (ndim == 0 && kind != 3)
    return; /* "none" */
  le32 (b, 1); /* cpu */
  le32 (b, 0);
  le32 (b, (guint32) dtype);
  for (gint64 i = 0; i < n * esize[dtype]; i++)
    {
      guint8 v = (guint8) (i * 37 + 1);
      g_byte_array_append (b, &v, 1);
    }
}

static void
mx_params (const char *name, int kind, int n, int dtype0)
{
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autofree char *fname = g_strdup_printf ("gen-%s.params", name);
  le64 (b, 0x112);
  le64 (b, 0);
  le64 (b, (guint64) n);
  for (int i = 0; i < n; i++)
    {
      gint64 dims[3] = { 2, 1 + i, 3 };
      mx_record (b, kind, 1 + i % 3, dims, (dtype0 + i) % 7);
    }
  le64 (b, (guint64) n);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *nm = g_strdup_printf ("%s%s_w%d", i % 2 ? "arg:" : "aux:", name, i);
      le64 (b, strlen (nm));
      g_byte_array_append (b, (const guint8 *) nm, (guint) strlen (nm));
    }
  put ("mxnet-params", fname, b->data, b->len);
}

static void
mxnet_params_seeds (void)
{
  static const char *const kinds[] = { "legacy", "v1", "v2", "v3" };
  for (int k = 0; k < 4; k++)
    for (int d = 0; d < 7; d += 3)
      {
        g_autofree char *name = g_strdup_printf ("%s-dt%d", kinds[k], d);
        mx_params (name, k, 3, d);
      }
  /* "none" arrays: V2 with ndim 0 and ndim -1, V3 with an unknown dim */
  {
    g_autoptr (GByteArray) b = g_byte_array_new ();
    gint64 dims[2] = { -1, 2 };
    le64 (b, 0x112), le64 (b, 0), le64 (b, 3);
    mx_record (b, 2, 0, NULL, 0);
    le32 (b, 0xF993FAC9u), le32 (b, 0), le32 (b, (guint32) -1);
    le32 (b, 0xF993FACAu), le32 (b, 0), le32 (b, 2), le64 (b, (guint64) dims[0]), le64 (b, 2);
    le64 (b, 3);
    for (int i = 0; i < 3; i++)
      le64 (b, 1), g_byte_array_append (b, (const guint8 *) "abc" + i, 1);
    put ("mxnet-params", "gen-none.params", b->data, b->len);
  }
  /* the library's writer */
  {
    g_autoptr (MrtModel) m = mrt_model_new ();
    MrtShape s = mrt_shape_make (2, (gint64) 2, (gint64) 3);
    g_autoptr (MrtTensor) t = mrt_tensor_new (MRT_DTYPE_F32, &s);
    g_autoptr (GBytes) bytes = NULL;
    mrt_model_add_node (m, "data", "null", NULL, NULL, 0);
    mrt_model_add_node (m, "fc_weight", "null", NULL, NULL, 0);
    for (gsize i = 0; i < t->n; i++)
      mrt_tensor_f32 (t)[i] = (float) i / 4.f - 0.5f;
    mrt_model_set_param (m, "fc_weight", t);
    bytes = mrt_mxnet_params_to_bytes (m);
    put ("mxnet-params", "gen-writer.params", g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  }
}

/* ---- npy, idx, CIFAR, ini ---------------------------------------------------- */

static void
npy_seeds (void)
{
  static const MrtDType types[] = { MRT_DTYPE_F32, MRT_DTYPE_F64, MRT_DTYPE_F16, MRT_DTYPE_U8,
                                    MRT_DTYPE_I32, MRT_DTYPE_I8, MRT_DTYPE_I64 };
  static const char *const shapes[] = { "()", "(3,)", "(2, 3)", "(0, 4)", "(2, 1, 2, 2)", "(4, 1)" };
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    for (guint j = 0; j < G_N_ELEMENTS (shapes); j++)
      {
        MrtShape s;
        g_autoptr (MrtTensor) t = NULL;
        g_autoptr (GBytes) b = NULL;
        g_autofree char *name = NULL;
        if ((i + j) % 2 && j != 1)
          continue; /* a sample of the combinations */
        mrt_shape_parse (shapes[j], FALSE, &s, NULL);
        t = mrt_tensor_new (types[i], &s);
        for (gsize k = 0; k < t->n * mrt_dtype_size (types[i]); k++)
          ((guint8 *) t->data)[k] = (guint8) (k * 13 + 7);
        b = mrt_npy_to_bytes (t);
        name = g_strdup_printf ("gen-%s-%u.npy", mrt_dtype_name (types[i]), j);
        put ("npy", name, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
      }
  /* version 2 and 3 headers, hand-made */
  for (int v = 2; v <= 3; v++)
    {
      static const char header[] = "{'descr': '<i4', 'fortran_order': False, 'shape': (2,), }          \n";
      g_autoptr (GByteArray) b = g_byte_array_new ();
      g_autofree char *name = g_strdup_printf ("gen-v%d.npy", v);
      guint8 pre[12] = { 0x93, 'N', 'U', 'M', 'P', 'Y', (guint8) v, 0, sizeof header - 1, 0, 0, 0 };
      g_byte_array_append (b, pre, 12);
      g_byte_array_append (b, (const guint8 *) header, sizeof header - 1);
      le32 (b, 5), le32 (b, (guint32) -6);
      put ("npy", name, b->data, b->len);
    }
}

static void
be32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_BE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

/* fuzz-idx input: flags, BE length of the images, images, labels */
static void
idx_seed (const char *name, guint8 flags, guint32 n, guint32 rows, guint32 cols)
{
  g_autoptr (GByteArray) img = g_byte_array_new ();
  g_autoptr (GByteArray) b = g_byte_array_new ();
  g_autofree char *fname = g_strdup_printf ("gen-%s", name);
  static const guint8 magic3[4] = { 0, 0, 8, 3 }, magic1[4] = { 0, 0, 8, 1 };

  g_byte_array_append (img, magic3, 4);
  be32 (img, n), be32 (img, rows), be32 (img, cols);
  for (guint32 i = 0; i < n * rows * cols; i++)
    {
      guint8 v = (guint8) (i * 29);
      g_byte_array_append (img, &v, 1);
    }
  g_byte_array_append (b, &flags, 1);
  be32 (b, img->len);
  g_byte_array_append (b, img->data, img->len);
  g_byte_array_append (b, magic1, 4);
  be32 (b, n);
  for (guint32 i = 0; i < n; i++)
    {
      guint8 v = (guint8) (i % 10);
      g_byte_array_append (b, &v, 1);
    }
  put ("idx", fname, b->data, b->len);
}

static void
cifar_seeds (void)
{
  for (guint n = 1; n <= 3; n += 2)
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      g_autofree char *name = g_strdup_printf ("gen-%u-records.bin", n);
      for (guint i = 0; i < n * 3073; i++)
        {
          guint8 v = i % 3073 == 0 ? (guint8) (i / 3073) : (guint8) (i * 17);
          g_byte_array_append (b, &v, 1);
        }
      put ("cifar", name, b->data, b->len);
    }
}

static void
ini_seeds (void)
{
  static const char *const words[] = {
    "DEFAULT", "PREPARE", "SPLIT_MODEL", "CALIBRATION", "QUANTIZATION", "MERGE_MODEL", "EVALUATION",
    "COMPILATION", "Model_dir", "Model_name", "Device_type", "Device_ids", "Verbosity", "Input_shape",
    "Start", "Dump", "Keys", "Dataset", "Dataset_dir", "Batch", "Calibrate_num", "Lambda",
    "Calibration_method", "Percentile", "Input_precision", "Output_precision", "Softmax_lambd", "Shift_bits",
    "Thresholds", "Restore_name", "Attribute_deps", "Oscale_maps", "Iter_num", "Dump_dir", "absmax",
    "lambda", "kl", "percentile", "True", "False", "None", "cpu", "gpu", "(-1, 1, 28, 28)", "[", "]", "=",
    ":", "\\x0A  ", "#", ";",
  };
  static const char split[] =
    "[DEFAULT]\nModel_dir=\nModel_name=m\nInput_shape=(-1, 3, 224, 224)\nStart=MERGE_MODEL\n"
    "Device_type=gpu\nDevice_ids=0, 1\n\n[SPLIT_MODEL]\nKeys=a, b\n\n[CALIBRATION]\nDataset=imagenet\n"
    "Dataset_dir=.\nLambda=16\nCalibration_method=percentile\nPercentile=99.9\n\n[QUANTIZATION]\n"
    "Thresholds=a: 1.5,\n  b: 2\nRestore_name=x, y\nSoftmax_lambd=10\nShift_bits=5\n\n[MERGE_MODEL]\n"
    "Attribute_deps=Embedding: input_dim: x, slice_axis: begin: a\nOscale_maps=a: b, c: None\n\n"
    "[EVALUATION]\nBatch=8\nIter_num=2\n\n[COMPILATION]\nBatch=1\nDump_dir=.\n";
  static const char odd[] =
    "; comment\r\n[DEFAULT]\r\nmodel_name : m\r\nINPUT_SHAPE = [-1,5]\r\nkey=line one\r\n  line two\r\n\r\n"
    "  line four\r\n# x\r\n[QUANTIZATION]\r\nInput_precision = 33\r\n";
  g_autoptr (GPtrArray) dict = g_ptr_array_new_with_free_func (g_free);

  put ("ini", "gen-split.ini", split, sizeof split - 1);
  put ("ini", "gen-odd.ini", odd, sizeof odd - 1);
  for (guint i = 0; i < G_N_ELEMENTS (words); i++)
    g_ptr_array_add (dict, g_strdup (words[i]));
  put_dict ("ini", dict);
}

int
main (int argc, char **argv)
{
  if (argc != 2)
    {
      g_printerr ("usage: %s TESTS_FUZZ_DIR\n", argv[0]);
      return 2;
    }
  root = argv[1];
  cvm_seeds ();
  mxnet_seeds ();
  mxnet_params_seeds ();
  npy_seeds ();
  idx_seed ("2x3x4", 0x10, 2, 3, 4);
  idx_seed ("3x2x2-gz", 0x23, 3, 2, 2);
  idx_seed ("1x28x28", 0x00, 1, 28, 28);
  idx_seed ("4x1x1-rawgz", 0x34, 4, 1, 1);
  cifar_seeds ();
  ini_seeds ();
  return 0;
}
