/* test-mxnet.c: MXNet models on disk: symbol JSON of every generation, .params
 * records of every version, our writers, finding a model's files, and
 * malformed or hostile files. Older generations are produced by small
 * writers in this file, so every case is self-contained. */
#include <glib/gstdio.h>
#include <math.h>
#include <mrt.h>
#include <stdarg.h>
#include <string.h>

static char *tmpdir;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                    */

static char *
tmp_path (const char *name)
{
  return g_build_filename (tmpdir, name, NULL);
}

static char *
write_tmp (const char *name, const void *data, gsize len)
{
  char *path = tmp_path (name);
  GError *error = NULL;
  g_file_set_contents (path, data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

/* meson sets MRT_TEST_DATA; a hand run from the build folder finds the
 * fixtures beside this source file. */
static char *
data_path (const char *name)
{
  const char *dir = g_getenv ("MRT_TEST_DATA");
  g_autofree char *src = NULL;
  if (dir)
    return g_build_filename (dir, "mxnet", name, NULL);
  src = g_path_get_dirname (__FILE__);
  return g_build_filename (src, "data", "mxnet", name, NULL);
}

static char *
read_text (const char *path)
{
  char *text = NULL;
  GError *error = NULL;
  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  return text;
}

/* key, value, key, value, ..., NULL */
static GHashTable *
attrs (const char *k, ...)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;
  va_start (ap, k);
  for (; k; k = va_arg (ap, const char *))
    g_hash_table_insert (h, g_strdup (k), g_strdup (va_arg (ap, const char *)));
  va_end (ap);
  return h;
}

static MrtTensor *
filled (MrtDType dtype, MrtShape shape, int seed)
{
  MrtTensor *t = mrt_tensor_new (dtype, &shape);
  for (gsize i = 0; i < t->n; i++)
    switch (dtype)
      {
      case MRT_DTYPE_F32: ((float *) t->data)[i] = (float) i * 0.5f - (float) seed; break;
      case MRT_DTYPE_F64: ((double *) t->data)[i] = (double) i * 0.25 + seed; break;
      case MRT_DTYPE_F16: ((guint16 *) t->data)[i] = (guint16) (0x3C00 + i + (gsize) seed); break;
      case MRT_DTYPE_U8: ((guint8 *) t->data)[i] = (guint8) (i * 7 + (gsize) seed); break;
      case MRT_DTYPE_I32: ((gint32 *) t->data)[i] = (gint32) i * 1000 - seed * 77; break;
      case MRT_DTYPE_I8: ((gint8 *) t->data)[i] = (gint8) ((gint) i * 3 - 5); break;
      case MRT_DTYPE_I64: ((gint64 *) t->data)[i] = ((gint64) i << 33) - seed; break;
      default: g_assert_not_reached ();
      }
  return t;
}

static MrtTensor *
f32 (int seed, int ndim, ...)
{
  MrtShape s = { ndim };
  va_list ap;
  va_start (ap, ndim);
  for (int d = 0; d < ndim; d++)
    s.dim[d] = va_arg (ap, int);
  va_end (ap);
  return filled (MRT_DTYPE_F32, s, seed);
}

static gboolean
have_ops (void)
{
  static const char *const ops[] = { "Convolution", "BatchNorm",      "Activation",   "Pooling",
                                     "Flatten",     "FullyConnected", "SoftmaxOutput" };
  for (guint i = 0; i < G_N_ELEMENTS (ops); i++)
    if (mrt_op_lookup (ops[i]) == NULL)
      {
        g_autofree char *msg = g_strdup_printf ("the op registry has no %s yet", ops[i]);
        g_test_skip (msg);
        return FALSE;
      }
  return TRUE;
}

static void
add_param (MrtModel *m, const char *name, MrtTensor *t)
{
  mrt_model_set_param (m, name, t);
  mrt_tensor_unref (t);
}

/* data -> Convolution -> BatchNorm -> relu -> max pool -> Flatten -> FC -> softmax */
static MrtModel *
reference_model (void)
{
  MrtModel *m = mrt_model_new ();
  guint data = mrt_model_add_node (m, "data", "null", attrs ("__shape__", "(1, 3, 8, 8)", NULL), NULL, 0);
  guint cw = mrt_model_add_node (m, "conv0_weight", "null", attrs ("__lr_mult__", "2.0", NULL), NULL, 0);
  guint cb = mrt_model_add_variable (m, "conv0_bias");
  guint conv = mrt_model_add_node (m, "conv0", "Convolution",
                                   attrs ("kernel", "(3, 3)", "num_filter", "4", "pad", "(1, 1)", "no_bias", "False",
                                          NULL),
                                   (MrtEntry[]){ { data, 0 }, { cw, 0 }, { cb, 0 } }, 3);
  guint g = mrt_model_add_variable (m, "bn0_gamma"), b = mrt_model_add_variable (m, "bn0_beta");
  guint mm = mrt_model_add_variable (m, "bn0_moving_mean"), mv = mrt_model_add_variable (m, "bn0_moving_var");
  guint bn = mrt_model_add_node (m, "bn0", "BatchNorm", attrs ("eps", "1e-05", "fix_gamma", "False", NULL),
                                 (MrtEntry[]){ { conv, 0 }, { g, 0 }, { b, 0 }, { mm, 0 }, { mv, 0 } }, 5);
  guint relu = mrt_model_add_node (m, "relu0", "Activation", attrs ("act_type", "relu", NULL),
                                   (MrtEntry[]){ { bn, 0 } }, 1);
  guint pool = mrt_model_add_node (m, "pool0", "Pooling",
                                   attrs ("kernel", "(2, 2)", "pool_type", "max", "stride", "(2, 2)", NULL),
                                   (MrtEntry[]){ { relu, 0 } }, 1);
  guint flat = mrt_model_add_node (m, "flatten0", "Flatten", NULL, (MrtEntry[]){ { pool, 0 } }, 1);
  guint fw = mrt_model_add_variable (m, "fc0_weight"), fb = mrt_model_add_variable (m, "fc0_bias");
  guint fc = mrt_model_add_node (m, "fc0", "FullyConnected", attrs ("num_hidden", "10", NULL),
                                 (MrtEntry[]){ { flat, 0 }, { fw, 0 }, { fb, 0 } }, 3);
  guint label = mrt_model_add_variable (m, "softmax_label");
  guint sm = mrt_model_add_node (m, "softmax", "SoftmaxOutput", NULL, (MrtEntry[]){ { fc, 0 }, { label, 0 } }, 2);

  mrt_model_add_head (m, (MrtEntry){ sm, 0 });
  add_param (m, "conv0_weight", f32 (1, 4, 4, 3, 3, 3));
  add_param (m, "conv0_bias", f32 (2, 1, 4));
  add_param (m, "bn0_gamma", f32 (3, 1, 4));
  add_param (m, "bn0_beta", f32 (4, 1, 4));
  add_param (m, "bn0_moving_mean", f32 (5, 1, 4));
  add_param (m, "bn0_moving_var", f32 (-6, 1, 4));
  add_param (m, "fc0_weight", f32 (7, 2, 10, 64));
  add_param (m, "fc0_bias", f32 (8, 1, 10));
  return m;
}

static void
assert_attrs_equal (const char *node, GHashTable *a, GHashTable *b)
{
  GHashTableIter it;
  gpointer k, v;

  if (g_hash_table_size (a) != g_hash_table_size (b))
    g_test_message ("attributes of “%s” differ in number", node);
  g_assert_cmpuint (g_hash_table_size (a), ==, g_hash_table_size (b));
  g_hash_table_iter_init (&it, a);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_assert_cmpstr (v, ==, g_hash_table_lookup (b, k));
}

static void
assert_graphs_equal (const MrtModel *a, const MrtModel *b)
{
  g_assert_cmpuint (mrt_model_n_nodes (a), ==, mrt_model_n_nodes (b));
  for (guint i = 0; i < mrt_model_n_nodes (a); i++)
    {
      const MrtNode *x = mrt_model_node (a, i), *y = mrt_model_node (b, i);
      g_assert_cmpstr (x->name, ==, y->name);
      g_assert_cmpstr (x->op, ==, y->op);
      g_assert_cmpuint (x->n_inputs, ==, y->n_inputs);
      for (guint j = 0; j < x->n_inputs; j++)
        {
          g_assert_cmpuint (x->inputs[j].node, ==, y->inputs[j].node);
          g_assert_cmpuint (x->inputs[j].index, ==, y->inputs[j].index);
        }
      assert_attrs_equal (x->name, x->attrs, y->attrs);
    }
  g_assert_cmpuint (mrt_model_n_heads (a), ==, mrt_model_n_heads (b));
  for (guint i = 0; i < mrt_model_n_heads (a); i++)
    {
      g_assert_cmpuint (mrt_model_head (a, i).node, ==, mrt_model_head (b, i).node);
      g_assert_cmpuint (mrt_model_head (a, i).index, ==, mrt_model_head (b, i).index);
    }
}

static void
assert_params_equal (const MrtModel *a, const MrtModel *b)
{
  GHashTableIter it;
  gpointer k, v;

  g_assert_cmpuint (g_hash_table_size (a->params), ==, g_hash_table_size (b->params));
  g_hash_table_iter_init (&it, a->params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      MrtTensor *other = mrt_model_get_param (b, k);
      g_assert_nonnull (other);
      g_assert_true (mrt_tensor_equal (v, other));
    }
}

static MrtModel *
parse_ok (const char *json, const char *fname)
{
  GError *error = NULL;
  MrtModel *m = mrt_mxnet_parse_symbol (json, -1, fname, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static GHashTable *
parse_params_ok (GByteArray *b)
{
  GError *error = NULL;
  GHashTable *t = mrt_mxnet_parse_params (b->data, b->len, "test.params", &error);
  g_assert_no_error (error);
  g_assert_nonnull (t);
  return t;
}

/* ------------------------------------------------------------------------ */
/* Writers for the older symbol generations                                   */

static void
json_str (GString *s, const char *v)
{
  g_string_append_c (s, '"');
  for (const char *p = v; *p; p++)
    if (*p == '"' || *p == '\\')
      g_string_append_printf (s, "\\%c", *p);
    else if ((guchar) *p < 0x20)
      g_string_append_printf (s, "\\u%04x", (guint) (guchar) *p);
    else
      g_string_append_c (s, *p);
  g_string_append_c (s, '"');
}

static gboolean
is_hidden (const char *key)
{
  return g_str_has_prefix (key, "__") && g_str_has_suffix (key, "__");
}

typedef enum { ATTRS_ALL, ATTRS_PLAIN, ATTRS_HIDDEN_LEGACY } AttrFilter;

/* Old files spelled nnvm's hidden "__lr_mult__" as "lr_mult". */
static void
json_attrs (GString *s, GHashTable *h, AttrFilter filter)
{
  static const char *const renamed[] = { "__ctx_group__", "__lr_mult__", "__wd_mult__" };
  GHashTableIter it;
  gpointer k, v;
  gboolean first = TRUE;

  g_string_append_c (s, '{');
  g_hash_table_iter_init (&it, h);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      g_autofree char *key = g_strdup (k);
      if ((filter == ATTRS_PLAIN && is_hidden (key)) || (filter == ATTRS_HIDDEN_LEGACY && !is_hidden (key)))
        continue;
      for (guint i = 0; filter == ATTRS_HIDDEN_LEGACY && i < G_N_ELEMENTS (renamed); i++)
        if (strcmp (key, renamed[i]) == 0)
          {
            g_free (key);
            key = g_strndup (renamed[i] + 2, strlen (renamed[i]) - 4);
          }
      g_string_append (s, first ? "" : ", ");
      json_str (s, key);
      g_string_append (s, ": ");
      json_str (s, v);
      first = FALSE;
    }
  g_string_append_c (s, '}');
}

/* MXNet 0.8: "param" + "attr", [node, index] pairs, no auxiliary states. */
static void
legacy_node (GString *s, const MrtNode *n, const guint *fid, guint n_inputs)
{
  g_string_append (s, "{\"op\": ");
  json_str (s, n->op);
  g_string_append (s, ", \"param\": ");
  json_attrs (s, n->attrs, ATTRS_PLAIN);
  g_string_append (s, ", \"name\": ");
  json_str (s, n->name);
  g_string_append (s, ", \"inputs\": [");
  for (guint j = 0; j < n_inputs; j++)
    g_string_append_printf (s, "%s[%u, %u]", j ? ", " : "", fid[n->inputs[j].node], n->inputs[j].index);
  g_string_append (s, "], \"backward_source_id\": -1, \"attr\": ");
  json_attrs (s, n->attrs, ATTRS_HIDDEN_LEGACY);
  g_string_append (s, "}");
}

static char *
legacy_json (const MrtModel *m)
{
  guint n = mrt_model_n_nodes (m), k = 0;
  g_autofree gboolean *skip = g_new0 (gboolean, n);
  g_autofree guint *fid = g_new0 (guint, n);
  GString *s = g_string_new ("{\"nodes\": [");

  for (guint i = 0; i < n; i++)
    if (strcmp (mrt_model_node (m, i)->op, "BatchNorm") == 0)
      for (guint j = 3; j < mrt_model_node (m, i)->n_inputs; j++)
        skip[mrt_model_node (m, i)->inputs[j].node] = TRUE;
  for (guint i = 0; i < n; i++)
    if (!skip[i])
      {
        const MrtNode *node = mrt_model_node (m, i);
        g_string_append (s, k ? ", " : "");
        fid[i] = k++;
        legacy_node (s, node, fid, strcmp (node->op, "BatchNorm") == 0 ? 3 : node->n_inputs);
      }
  g_string_append (s, "], \"arg_nodes\": [");
  for (guint i = 0, c = 0; i < n; i++)
    if (!skip[i] && mrt_node_is_variable (mrt_model_node (m, i)))
      g_string_append_printf (s, "%s%u", c++ ? ", " : "", fid[i]);
  g_string_append_printf (s, "], \"heads\": [[%u, %u]]}", fid[mrt_model_head (m, 0).node], mrt_model_head (m, 0).index);
  return g_string_free (s, FALSE);
}

/* nnvm generations: attributes under attr_key, triples, a version. Keys are
 * written in an unusual order on purpose. */
static char *
nnvm_json (const MrtModel *m, const char *attr_key, int version)
{
  GString *s = g_string_new ("{\"attrs\": {\"mxnet_version\": [\"int\", ");
  g_string_append_printf (s, "%d]}, \"nodes\": [", version);
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    {
      const MrtNode *n = mrt_model_node (m, i);
      g_string_append (s, i ? ", {\"name\": " : "{\"name\": ");
      json_str (s, n->name);
      g_string_append (s, ", \"inputs\": [");
      for (guint j = 0; j < n->n_inputs; j++)
        g_string_append_printf (s, "%s[%u, %u, 0]", j ? ", " : "", n->inputs[j].node, n->inputs[j].index);
      g_string_append (s, "], \"op\": ");
      json_str (s, n->op);
      if (g_hash_table_size (n->attrs))
        {
          g_string_append_printf (s, ", \"%s\": ", attr_key);
          json_attrs (s, n->attrs, ATTRS_ALL);
        }
      g_string_append (s, "}");
    }
  g_string_append (s, "], \"arg_nodes\": [], \"heads\": [");
  for (guint i = 0; i < mrt_model_n_heads (m); i++)
    g_string_append_printf (s, "%s[%u, %u, 0]", i ? ", " : "", mrt_model_head (m, i).node, mrt_model_head (m, i).index);
  g_string_append (s, "]}");
  return g_string_free (s, FALSE);
}

/* ------------------------------------------------------------------------ */
/* Writer for every .params record version                                    */

typedef enum { GEN_LEGACY, GEN_V1, GEN_V2, GEN_V3 } Gen;

static void
put32 (GByteArray *b, guint32 v)
{
  v = GUINT32_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 4);
}

static void
put64 (GByteArray *b, guint64 v)
{
  v = GUINT64_TO_LE (v);
  g_byte_array_append (b, (const guint8 *) &v, 8);
}

/* t == NULL writes a "none" array. Data is copied as the host holds it: the
 * tests assume a little-endian host, as MXNet's files do. */
static void
put_array (GByteArray *b, Gen gen, const MrtTensor *t)
{
  static const guint32 magic[] = { 0, 0xF993FAC8u, 0xF993FAC9u, 0xF993FACAu };

  if (gen != GEN_LEGACY)
    put32 (b, magic[gen]);
  if (gen >= GEN_V2)
    put32 (b, 0); /* dense */
  if (t == NULL)
    {
      put32 (b, gen == GEN_V3 ? (guint32) -1 : 0);
      return;
    }
  put32 (b, (guint32) t->shape.ndim);
  for (int d = 0; d < t->shape.ndim; d++)
    if (gen == GEN_LEGACY)
      put32 (b, (guint32) t->shape.dim[d]);
    else
      put64 (b, (guint64) t->shape.dim[d]);
  put32 (b, 2); /* saved from a GPU: the context must not matter */
  put32 (b, 1);
  put32 (b, t->dtype);
  g_byte_array_append (b, t->data, (guint) (t->n * mrt_dtype_size (t->dtype)));
}

typedef struct {
  const char *name;
  MrtTensor *t;
} Named;

static GByteArray *
params_file (Gen gen, const Named *a, guint n)
{
  GByteArray *b = g_byte_array_new ();
  put64 (b, 0x112);
  put64 (b, 0);
  put64 (b, n);
  for (guint i = 0; i < n; i++)
    put_array (b, gen, a[i].t);
  put64 (b, n);
  for (guint i = 0; i < n; i++)
    {
      put64 (b, strlen (a[i].name));
      g_byte_array_append (b, (const guint8 *) a[i].name, (guint) strlen (a[i].name));
    }
  return b;
}

/* ------------------------------------------------------------------------ */
/* Symbol JSON                                                                */

/* A file in MXNet 1.x's exact layout reads and writes back byte for byte. */
static void
test_symbol_golden (void)
{
  g_autofree char *path = data_path ("golden-symbol.json");
  g_autofree char *text = read_text (path);
  g_autoptr (MrtModel) m = parse_ok (text, path);
  g_autofree char *out = mrt_mxnet_symbol_to_json (m);

  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 11);
  g_assert_cmpstr (out, ==, text);
}

static void
test_symbol_legacy_fixture (void)
{
  g_autofree char *path = data_path ("legacy-symbol.json");
  g_autofree char *text = read_text (path);
  g_autoptr (MrtModel) m = parse_ok (text, path);
  const MrtNode *bn = mrt_model_node (m, (guint) mrt_model_find (m, "bn0"));
  const MrtNode *mean = mrt_model_node (m, (guint) mrt_model_find (m, "bn0_moving_mean"));
  MrtTuple kernel;

  /* MXNet 0.8 did not store auxiliary states: they are recreated before bn0 */
  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 17);
  g_assert_cmpuint (bn->n_inputs, ==, 5);
  g_assert_cmpint (mrt_model_find (m, "bn0_moving_mean"), ==, mrt_model_find (m, "bn0") - 2);
  g_assert_cmpstr (mrt_model_node (m, bn->inputs[3].node)->name, ==, "bn0_moving_mean");
  g_assert_cmpstr (mrt_model_node (m, bn->inputs[4].node)->name, ==, "bn0_moving_var");
  g_assert_cmpstr (mrt_node_get_attr (mean, "__ctx_group__"), ==, "dev1");
  /* hidden keys take nnvm's spelling */
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (m, 1), "__lr_mult__"), ==, "2.0");
  g_assert_false (mrt_node_has_attr (mrt_model_node (m, 1), "lr_mult"));
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (m, 3), "__ctx_group__"), ==, "dev1");
  g_assert_true (mrt_node_get_tuple (mrt_model_node (m, 3), "kernel", &kernel));
  g_assert_cmpint (kernel.n, ==, 2);
  g_assert_cmpint (kernel.v[1], ==, 3);
  g_assert_cmpstr (mrt_node_get_string (mrt_model_node (m, 16), "normalization", NULL), ==, "null");
  g_assert_cmpstr (mrt_model_node (m, mrt_model_head (m, 0).node)->name, ==, "softmax");
}

static void
test_symbol_attr_fixture (void)
{
  g_autofree char *path = data_path ("attr-symbol.json");
  g_autofree char *text = read_text (path);
  g_autoptr (MrtModel) m = parse_ok (text, path);
  g_autofree char *out = mrt_mxnet_symbol_to_json (m);

  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 13);
  g_assert_cmpuint (mrt_model_node (m, 5)->n_inputs, ==, 5);
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (m, 1), "__init__"), ==, "[\"one\", {}]");
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (m, 5), "eps"), ==, "2e-05");
  /* the aux-state versions nnvm wrote come back out */
  g_assert_nonnull (strstr (out, "[[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 1], [4, 0, 1]]"));
}

static void
test_symbol_generation (gconstpointer data)
{
  const char *gen = data;
  g_autoptr (MrtModel) ref = reference_model ();
  g_autofree char *json = strcmp (gen, "legacy") == 0 ? legacy_json (ref)
                          : strcmp (gen, "attr") == 0 ? nnvm_json (ref, "attr", 904)
                                                      : nnvm_json (ref, "attrs", 10300);
  g_autofree char *path = write_tmp (gen, json, strlen (json));
  g_autoptr (MrtModel) m = parse_ok (json, path);

  assert_graphs_equal (ref, m);
}

static void
test_symbol_writer_round_trip (void)
{
  g_autoptr (MrtModel) ref = reference_model ();
  g_autofree char *json = mrt_mxnet_symbol_to_json (ref);
  g_autoptr (MrtModel) m = parse_ok (json, "ours.json");
  g_autofree char *again = mrt_mxnet_symbol_to_json (m);

  assert_graphs_equal (ref, m);
  g_assert_cmpstr (json, ==, again);
  g_assert_nonnull (strstr (json, "[[3, 0, 0], [4, 0, 0], [5, 0, 0], [6, 0, 1], [7, 0, 1]]"));
  g_assert_nonnull (strstr (json, "\n  \"attrs\": {\"mxnet_version\": [\"int\", 10600]}\n}"));
  g_assert_nonnull (strstr (json, "\"attrs\": {\"act_type\": \"relu\"}, \n"));
  g_assert_null (strstr (json, "\"attrs\": {}"));
  /* MXNet counts BatchNorm's hidden outputs (mean, var) in node_row_ptr */
  g_assert_nonnull (strstr (json, "\n    8, \n    11, \n    12, \n"));
}

static void
test_symbol_param_attr_merge (void)
{
  const char *json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []},"
                     " {\"op\": \"Convolution\", \"name\": \"c\", \"param\": {\"kernel\": \"(3, 3)\", \"num_filter\": \"4\"},"
                     " \"attr\": {\"num_filter\": \"8\", \"__lr_mult__\": \"0.5\"}, \"inputs\": [[0, 0]],"
                     " \"backward_source_id\": -1}], \"arg_nodes\": [0], \"heads\": [[1, 0]]}";
  g_autoptr (MrtModel) m = parse_ok (json, "merge.json");
  const MrtNode *c = mrt_model_node (m, 1);

  g_assert_cmpuint (g_hash_table_size (c->attrs), ==, 3);
  g_assert_cmpstr (mrt_node_get_attr (c, "kernel"), ==, "(3, 3)");
  g_assert_cmpstr (mrt_node_get_attr (c, "num_filter"), ==, "8");
  g_assert_cmpstr (mrt_node_get_attr (c, "__lr_mult__"), ==, "0.5");
}

static void
test_symbol_json_scalars (void)
{
  const char *json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []}, {\"op\": \"Custom\", \"name\": \"c\","
                     " \"attrs\": {\"num_filter\": 8, \"no_bias\": true, \"fix\": false, \"eps\": 1e-05, \"axis\": null,"
                     " \"slope\": 0.25, \"neg\": -3, \"whole\": 3.0}, \"inputs\": [[0, 0, 0]]}],"
                     " \"arg_nodes\": [0], \"heads\": [[1, 0, 0]]}";
  g_autoptr (MrtModel) m = parse_ok (json, "scalars.json");
  const MrtNode *c = mrt_model_node (m, 1);

  g_assert_cmpstr (mrt_node_get_attr (c, "num_filter"), ==, "8");
  g_assert_cmpstr (mrt_node_get_attr (c, "no_bias"), ==, "True");
  g_assert_cmpstr (mrt_node_get_attr (c, "fix"), ==, "False");
  g_assert_cmpstr (mrt_node_get_attr (c, "eps"), ==, "1e-05");
  g_assert_cmpstr (mrt_node_get_attr (c, "axis"), ==, "None");
  g_assert_cmpstr (mrt_node_get_attr (c, "slope"), ==, "0.25");
  g_assert_cmpstr (mrt_node_get_attr (c, "neg"), ==, "-3");
  g_assert_cmpstr (mrt_node_get_attr (c, "whole"), ==, "3.0");
}

static MrtModel *
attr_model (void)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "x");
  guint c = mrt_model_add_node (m, "c", "Custom",
                                attrs ("kernel", "(3, 3)", "stride", "(3,3)", "no_bias", "True", "num_group", "1",
                                       "workspace", "None", "eps", "1e-05", "axis", "-1", "slope", "0.25", "pads",
                                       "(None, 2)", "text", "a\"b\\c\nd\te/\x01", NULL),
                                (MrtEntry[]){ { x, 0 } }, 1);
  mrt_model_add_head (m, (MrtEntry){ c, 0 });
  return m;
}

/* Attribute text survives every writer unchanged and parses to typed values. */
static void
test_symbol_attr_strings (void)
{
  g_autoptr (MrtModel) ref = attr_model ();
  char *texts[] = { mrt_mxnet_symbol_to_json (ref), legacy_json (ref), nnvm_json (ref, "attr", 904) };
  const MrtNode *c = mrt_model_node (ref, 1);
  MrtTuple t;
  gint64 i;

  for (guint k = 0; k < G_N_ELEMENTS (texts); k++)
    {
      g_autoptr (MrtModel) m = parse_ok (texts[k], "attrs.json");
      assert_graphs_equal (ref, m);
      g_free (texts[k]);
    }
  g_assert_true (mrt_node_get_tuple (c, "kernel", &t) && t.n == 2 && t.v[0] == 3 && t.v[1] == 3);
  g_assert_true (mrt_node_get_tuple (c, "stride", &t) && t.n == 2 && t.v[1] == 3);
  g_assert_true (mrt_node_get_tuple (c, "pads", &t) && t.none[0] && !t.none[1] && t.v[1] == 2);
  g_assert_true (mrt_node_get_bool (c, "no_bias", FALSE));
  g_assert_true (mrt_node_get_bool (c, "num_group", FALSE));
  g_assert_cmpint (mrt_node_get_int (c, "num_group", 0), ==, 1);
  g_assert_true (mrt_attr_is_none (mrt_node_get_attr (c, "workspace")));
  g_assert_false (mrt_attr_parse_int (mrt_node_get_attr (c, "workspace"), &i));
  g_assert_cmpfloat (mrt_node_get_float (c, "eps", 0), ==, 1e-05);
  g_assert_cmpint (mrt_node_get_int (c, "axis", 0), ==, -1);
  g_assert_cmpfloat (mrt_node_get_float (c, "slope", 0), ==, 0.25);
}

/* Nodes listed before their inputs are put in topological order. */
static void
test_symbol_reorder (void)
{
  const char *json = "{\"nodes\": [{\"op\": \"relu\", \"name\": \"out\", \"inputs\": [[2, 0, 0]]},"
                     " {\"op\": \"null\", \"name\": \"w\", \"inputs\": []},"
                     " {\"op\": \"FullyConnected\", \"name\": \"fc\", \"attrs\": {\"num_hidden\": \"2\", \"no_bias\": \"True\"},"
                     " \"inputs\": [[3, 0, 0], [1, 0, 0]]}, {\"op\": \"null\", \"name\": \"data\", \"inputs\": []}],"
                     " \"arg_nodes\": [1, 3], \"heads\": [[0, 0, 0]]}";
  g_autoptr (MrtModel) m = parse_ok (json, "reorder.json");
  const MrtNode *fc = mrt_model_node (m, (guint) mrt_model_find (m, "fc"));

  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 4);
  for (guint i = 0; i < 4; i++)
    for (guint j = 0; j < mrt_model_node (m, i)->n_inputs; j++)
      g_assert_cmpuint (mrt_model_node (m, i)->inputs[j].node, <, i);
  g_assert_cmpstr (mrt_model_node (m, fc->inputs[0].node)->name, ==, "data");
  g_assert_cmpstr (mrt_model_node (m, fc->inputs[1].node)->name, ==, "w");
  g_assert_cmpstr (mrt_model_node (m, mrt_model_head (m, 0).node)->name, ==, "out");
  g_assert_cmpint (mrt_model_find (m, "out"), ==, 3);
}

/* The node named in a cycle error is on the cycle, not merely after it. */
static void
test_symbol_cycle_node (void)
{
  const char *json = "{\"nodes\": [{\"op\": \"relu\", \"name\": \"after\", \"inputs\": [[1, 0]]},"
                     " {\"op\": \"relu\", \"name\": \"a\", \"inputs\": [[2, 0]]},"
                     " {\"op\": \"relu\", \"name\": \"b\", \"inputs\": [[1, 0]]}], \"heads\": [[0, 0]]}";
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = mrt_mxnet_parse_symbol (json, -1, "cycle.json", &error);

  g_assert_null (m);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_CYCLE);
  g_assert_nonnull (strstr (error->message, "cycle.json"));
  g_assert_true (strstr (error->message, "“a”") || strstr (error->message, "“b”"));
  g_assert_null (strstr (error->message, "“after”"));
}

/* Before 0.9.5 argmax wrote axis=-1 for "no axis"; MXNet drops it. */
static void
test_symbol_argmax_upgrade (void)
{
#define ARGMAX_JSON(version) \
  "{\"nodes\": [{\"op\": \"null\", \"name\": \"x\", \"inputs\": []}, {\"op\": \"argmax\", \"name\": \"am\"," \
  " \"attr\": {\"axis\": \"-1\"}, \"inputs\": [[0, 0, 0]]}], \"arg_nodes\": [0], \"heads\": [[1, 0, 0]]," \
  " \"attrs\": {\"mxnet_version\": [\"int\", " version "]}}"
  const char *old = ARGMAX_JSON ("904");
  const char *recent = ARGMAX_JSON ("905");
  g_autoptr (MrtModel) a = parse_ok (old, "old.json");
  g_autoptr (MrtModel) b = parse_ok (recent, "recent.json");

  g_assert_false (mrt_node_has_attr (mrt_model_node (a, 1), "axis"));
  g_assert_cmpstr (mrt_node_get_attr (mrt_model_node (b, 1), "axis"), ==, "-1");
}

/* ------------------------------------------------------------------------ */
/* .params                                                                    */

static void
test_params_generation (gconstpointer data)
{
  Gen gen = (Gen) GPOINTER_TO_INT (data);
  Named a[] = {
    { "arg:w", filled (MRT_DTYPE_F32, mrt_shape_make (2, (gint64) 2, (gint64) 3), 1) },
    { "aux:m", filled (MRT_DTYPE_F64, mrt_shape_make (1, (gint64) 3), 2) },
    { "b", filled (MRT_DTYPE_I8, mrt_shape_make (1, (gint64) 4), 0) },
    { "arg:h", filled (MRT_DTYPE_F16, mrt_shape_make (2, (gint64) 2, (gint64) 2), 3) },
    { "arg:u", filled (MRT_DTYPE_U8, mrt_shape_make (1, (gint64) 5), 4) },
    { "arg:i", filled (MRT_DTYPE_I32, mrt_shape_make (3, (gint64) 1, (gint64) 2, (gint64) 2), 5) },
    { "arg:l", filled (MRT_DTYPE_I64, mrt_shape_make (1, (gint64) 3), 6) },
    { "arg:nothing", NULL },
    { "arg:empty", filled (MRT_DTYPE_F32, mrt_shape_make (2, (gint64) 0, (gint64) 3), 0) },
    /* only numpy-semantics records have 0-d arrays */
    { "arg:scalar", gen == GEN_V3 ? filled (MRT_DTYPE_F32, mrt_shape_make (0), 7) : NULL },
  };
  g_autoptr (GByteArray) b = params_file (gen, a, G_N_ELEMENTS (a));
  g_autoptr (GHashTable) t = parse_params_ok (b);

  g_assert_cmpuint (g_hash_table_size (t), ==, gen == GEN_V3 ? 9 : 8);
  g_assert_false (g_hash_table_contains (t, "nothing"));
  for (guint i = 0; i < G_N_ELEMENTS (a); i++)
    if (a[i].t)
      {
        const char *name = strchr (a[i].name, ':') ? strchr (a[i].name, ':') + 1 : a[i].name;
        MrtTensor *got = g_hash_table_lookup (t, name);
        g_assert_nonnull (got);
        g_assert_true (mrt_tensor_equal (a[i].t, got));
        mrt_tensor_unref (a[i].t);
      }
}

static void
test_params_writer_round_trip (void)
{
  g_autoptr (MrtModel) m = reference_model ();
  g_autoptr (GBytes) bytes = mrt_mxnet_params_to_bytes (m);
  g_autoptr (GBytes) again = mrt_mxnet_params_to_bytes (m);
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) t = mrt_mxnet_parse_params (data, len, "ours.params", &error);
  guint32 magic;

  g_assert_no_error (error);
  g_assert_true (g_bytes_equal (bytes, again));
  g_assert_cmpuint (g_hash_table_size (t), ==, 8);
  for (guint i = 0; i < mrt_model_n_nodes (m); i++)
    if (mrt_model_is_param (m, i))
      g_assert_true (
        mrt_tensor_equal (mrt_model_get_param (m, mrt_model_node (m, i)->name),
                          g_hash_table_lookup (t, mrt_model_node (m, i)->name)));
  memcpy (&magic, data + 24, 4);
  g_assert_cmphex (GUINT32_FROM_LE (magic), ==, 0xF993FAC9u);
  g_assert_nonnull (memmem (data, len, "aux:bn0_moving_mean", 19));
  g_assert_nonnull (memmem (data, len, "aux:bn0_moving_var", 18));
  g_assert_nonnull (memmem (data, len, "arg:bn0_gamma", 13));
  g_assert_nonnull (memmem (data, len, "arg:conv0_weight", 16));
  g_assert_null (memmem (data, len, "softmax_label", 13));
}

static void
test_params_empty (void)
{
  g_autoptr (MrtModel) m = mrt_model_new ();
  g_autoptr (GBytes) bytes = NULL;
  g_autoptr (GHashTable) t = NULL;
  gsize len;
  const guint8 *data;

  mrt_model_add_head (m, (MrtEntry){ mrt_model_add_variable (m, "x"), 0 });
  bytes = mrt_mxnet_params_to_bytes (m);
  data = g_bytes_get_data (bytes, &len);
  g_assert_cmpuint (len, ==, 32);
  t = mrt_mxnet_parse_params (data, len, "empty.params", NULL);
  g_assert_nonnull (t);
  g_assert_cmpuint (g_hash_table_size (t), ==, 0);
}

/* ------------------------------------------------------------------------ */
/* Loading, saving, finding files                                             */

static const char *vars_json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"w\", \"inputs\": []},"
                               " {\"op\": \"null\", \"name\": \"b\", \"inputs\": []},"
                               " {\"op\": \"null\", \"name\": \"x\", \"inputs\": []}],"
                               " \"arg_nodes\": [0, 1, 2], \"heads\": [[0, 0], [1, 0], [2, 0]]}";

/* Params of any type become float32; names the graph does not use vanish. */
static void
test_load_variables (void)
{
  static const guint16 half[] = { 0x3C00, 0xC000, 0x3800, 0x3400 };
  static const gint8 bytes[] = { -1, 0, 7 };
  MrtTensor *h = mrt_tensor_new (MRT_DTYPE_F16, &(MrtShape){ 2, { 2, 2 } });
  MrtTensor *i8 = mrt_tensor_new (MRT_DTYPE_I8, &(MrtShape){ 1, { 3 } });
  MrtTensor *unused = f32 (0, 1, 1);
  Named a[] = { { "arg:w", h }, { "aux:b", i8 }, { "arg:unused", unused } };
  g_autoptr (GByteArray) file = NULL;
  g_autofree char *sym = write_tmp ("vars-symbol.json", vars_json, strlen (vars_json));
  g_autofree char *params = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = NULL;
  g_autoptr (GArray) inputs = NULL;
  const float *w, *b;

  memcpy (h->data, half, sizeof half);
  memcpy (i8->data, bytes, sizeof bytes);
  file = params_file (GEN_V2, a, G_N_ELEMENTS (a));
  params = write_tmp ("vars-0000.params", file->data, file->len);
  m = mrt_mxnet_load (sym, params, &error);
  g_assert_no_error (error);
  w = mrt_tensor_f32 (mrt_model_get_param (m, "w"));
  b = mrt_tensor_f32 (mrt_model_get_param (m, "b"));
  g_assert_cmpint (mrt_model_get_param (m, "w")->dtype, ==, MRT_DTYPE_F32);
  g_assert_cmpfloat (w[0], ==, 1.0f);
  g_assert_cmpfloat (w[1], ==, -2.0f);
  g_assert_cmpfloat (w[3], ==, 0.25f);
  g_assert_cmpfloat (b[0], ==, -1.0f);
  g_assert_cmpfloat (b[2], ==, 7.0f);
  g_assert_null (mrt_model_get_param (m, "unused"));
  inputs = mrt_model_inputs (m);
  g_assert_cmpuint (inputs->len, ==, 1);
  g_assert_cmpstr (mrt_model_node (m, g_array_index (inputs, guint, 0))->name, ==, "x");
  mrt_tensor_unref (h);
  mrt_tensor_unref (i8);
  mrt_tensor_unref (unused);
}

static MrtModel *
variables_model (void)
{
  MrtModel *m = mrt_model_new ();
  mrt_model_add_head (m, (MrtEntry){ mrt_model_add_node (m, "w", "null", attrs ("__shape__", "(2, 3)", NULL), NULL, 0), 0 });
  mrt_model_add_head (m, (MrtEntry){ mrt_model_add_variable (m, "data"), 0 });
  add_param (m, "w", f32 (3, 2, 2, 3));
  return m;
}

static void
assert_files_equal (const char *a, const char *b)
{
  char *x, *y;
  gsize nx, ny;
  g_assert_true (g_file_get_contents (a, &x, &nx, NULL));
  g_assert_true (g_file_get_contents (b, &y, &ny, NULL));
  g_assert_cmpmem (x, nx, y, ny);
  g_free (x);
  g_free (y);
}

static guint
count_files (const char *dir)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  guint n = 0;
  while (d && g_dir_read_name (d))
    n++;
  return n;
}

/* Saving writes both files atomically, leaves nothing else, and saving what
 * was loaded gives the same bytes. */
static void
test_save_load (void)
{
  g_autofree char *dir = tmp_path ("save");
  g_autofree char *s1 = g_build_filename (dir, "m.json", NULL), *p1 = g_build_filename (dir, "m.params", NULL);
  g_autofree char *s2 = g_build_filename (dir, "n.json", NULL), *p2 = g_build_filename (dir, "n.params", NULL);
  g_autoptr (MrtModel) m = variables_model ();
  g_autoptr (MrtModel) back = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  g_assert_true (mrt_mxnet_save (m, s1, p1, &error));
  g_assert_true (mrt_mxnet_save (m, s1, p1, &error)); /* over the old files */
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (dir), ==, 2);
  back = mrt_mxnet_open (s1, &error);
  g_assert_no_error (error);
  assert_graphs_equal (m, back);
  assert_params_equal (m, back);
  g_assert_true (mrt_mxnet_save (back, s2, p2, &error));
  assert_files_equal (s1, s2);
  assert_files_equal (p1, p2);
}

static void
test_save_error (void)
{
  g_autoptr (MrtModel) m = variables_model ();
  g_autoptr (GError) error = NULL;
  g_autofree char *bad = tmp_path ("no-such-dir/m.json");

  g_assert_false (mrt_mxnet_save (m, bad, NULL, &error));
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "m.json"));
}

/* The whole CNN, through the registry: save, open by prefix, compare. */
static void
test_load_full_model (void)
{
  g_autoptr (MrtModel) m = NULL;
  g_autoptr (MrtModel) back = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *prefix = tmp_path ("cnn");
  g_autofree char *sym = tmp_path ("cnn.json"), *params = tmp_path ("cnn.params");

  if (!have_ops ())
    return;
  m = reference_model ();
  g_assert_true (mrt_model_validate (m, &error));
  g_assert_no_error (error);
  g_assert_true (mrt_mxnet_save (m, sym, params, &error));
  back = mrt_mxnet_open (prefix, &error);
  g_assert_no_error (error);
  assert_graphs_equal (m, back);
  assert_params_equal (m, back);
}

static void
test_load_legacy_fixture (void)
{
  g_autofree char *path = data_path ("legacy-symbol.json");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = NULL;

  if (!have_ops ())
    return;
  m = mrt_mxnet_load (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (mrt_model_n_nodes (m), ==, 17);
}

static void
test_load_bad_attribute (void)
{
  const char *json = "{\"nodes\": [{\"op\": \"null\", \"name\": \"data\", \"inputs\": []}, {\"op\": \"null\", \"name\": \"w\","
                     " \"inputs\": []}, {\"op\": \"Convolution\", \"name\": \"conv\", \"attrs\": {\"kernel\": \"(3, x)\","
                     " \"num_filter\": \"2\", \"no_bias\": \"True\"}, \"inputs\": [[0, 0, 0], [1, 0, 0]]}], \"heads\": [[2, 0, 0]]}";
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = NULL;

  if (!have_ops ())
    return;
  path = write_tmp ("bad-attribute.json", json, strlen (json));
  m = mrt_mxnet_load (path, NULL, &error);
  g_assert_null (m);
  g_assert_error (error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_ATTRIBUTE);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, "“conv”"));
}

static char *
resolve_dir (void)
{
  static const char *const files[] = { "mx-symbol.json", "mx-0001.params", "mx-0010.params", "mx-0002.params",
                                       "mx-x.params",    "mxb-0099.params", "mx-0011.params.bak", "mrt.json",
                                       "mrt.params",     "lone.json",       "half-symbol.json" };
  char *dir = tmp_path ("resolve");
  g_autoptr (GByteArray) p = params_file (GEN_V2, (Named[]){ { "arg:w", NULL } }, 1);

  if (g_file_test (dir, G_FILE_TEST_IS_DIR))
    return dir;
  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (dir, files[i], NULL);
      gboolean json = g_str_has_suffix (files[i], ".json");
      g_assert_true (g_file_set_contents (path, json ? vars_json : (const char *) p->data,
                                          json ? -1 : (gssize) p->len, NULL));
    }
  return dir;
}

static void
assert_resolves (const char *dir, const char *model, const char *symbol, const char *params)
{
  g_autofree char *m = g_build_filename (dir, model, NULL);
  g_autofree char *want_s = g_build_filename (dir, symbol, NULL);
  g_autofree char *want_p = params ? g_build_filename (dir, params, NULL) : NULL;
  g_autofree char *s = NULL, *p = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (mrt_mxnet_resolve (m, &s, &p, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (s, ==, want_s);
  g_assert_cmpstr (p, ==, want_p);
}

static void
assert_not_found (const char *dir, const char *model, const char *needle)
{
  g_autofree char *m = g_build_filename (dir, model, NULL);
  g_autofree char *want = g_build_filename (dir, needle, NULL);
  g_autofree char *s = NULL, *p = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (mrt_mxnet_resolve (m, &s, &p, &error));
  g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, want));
  g_assert_null (s);
  g_assert_null (p);
}

static void
test_resolve (void)
{
  g_autofree char *dir = resolve_dir ();

  assert_resolves (dir, "mx", "mx-symbol.json", "mx-0010.params");
  assert_resolves (dir, "mx-symbol.json", "mx-symbol.json", "mx-0010.params");
  assert_resolves (dir, "mrt", "mrt.json", "mrt.params");
  assert_resolves (dir, "mrt.json", "mrt.json", "mrt.params");
  assert_resolves (dir, "lone.json", "lone.json", NULL); /* a graph alone is fine */
  assert_not_found (dir, "lone", "lone.params");
  assert_not_found (dir, "half", "half-symbol.json");
  assert_not_found (dir, "nothing", "nothing-symbol.json");
  assert_not_found (dir, "nothing", "nothing.json");
  assert_not_found (dir, "gone.json", "gone.json");
}

static void
test_open_missing_files (void)
{
  g_autofree char *dir = resolve_dir ();
  g_autofree char *sym = g_build_filename (dir, "mrt.json", NULL);
  g_autofree char *missing = g_build_filename (dir, "missing.params", NULL);
  g_autofree char *mx = g_build_filename (dir, "mx", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = mrt_mxnet_load (sym, missing, &error);
  g_autoptr (MrtModel) ok = NULL;

  g_assert_null (m);
  g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, missing));
  g_clear_error (&error);
  g_assert_null (mrt_mxnet_load (missing, NULL, &error));
  g_assert_error (error, MRT_MXNET_ERROR, MRT_MXNET_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* "none" arrays are no parameters: w stays an input */
  ok = mrt_mxnet_open (mx, &error);
  g_assert_no_error (error);
  g_assert_null (mrt_model_get_param (ok, "w"));
}

/* ------------------------------------------------------------------------ */
/* Malformed symbols                                                          */

typedef struct {
  const char *id;
  const char *json;
  gboolean model_domain; /* MRT_MODEL_ERROR rather than MRT_MXNET_ERROR */
  int code;
  const char *needle;
} BadJson;

#define VAR(n) "{\"op\": \"null\", \"name\": \"" n "\", \"inputs\": []}"
#define RELU(n, in) "{\"op\": \"relu\", \"name\": \"" n "\", \"inputs\": " in "}"
#define GRAPH(nodes, heads) "{\"nodes\": [" nodes "], \"heads\": " heads "}"
#define J MRT_MXNET_ERROR_JSON

static const BadJson bad_json[] = {
  { "not-json", "{\"nodes\": [", FALSE, J, "not valid JSON" },
  { "empty", "", FALSE, J, "empty" },
  { "top-array", "[]", FALSE, J, "top level" },
  { "no-nodes", "{\"heads\": [[0, 0]]}", FALSE, J, "“nodes” is missing" },
  { "nodes-object", "{\"nodes\": {}, \"heads\": [[0, 0]]}", FALSE, J, "not an array" },
  { "nodes-empty", GRAPH ("", "[[0, 0]]"), FALSE, J, "“nodes” is empty" },
  { "node-number", GRAPH ("1", "[[0, 0]]"), FALSE, J, "node 0 is not an object" },
  { "node-no-name", GRAPH ("{\"op\": \"null\", \"inputs\": []}", "[[0, 0]]"), FALSE, J, "node 0 has no string “name”" },
  { "op-number", GRAPH ("{\"op\": 3, \"name\": \"x\", \"inputs\": []}", "[[0, 0]]"), FALSE, J, "“x”" },
  { "inputs-string", GRAPH (VAR ("x") ", " RELU ("r", "\"0\""), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-short", GRAPH (VAR ("x") ", " RELU ("r", "[[0]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-long", GRAPH (VAR ("x") ", " RELU ("r", "[[0, 0, 0, 0]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-string-id", GRAPH (VAR ("x") ", " RELU ("r", "[[\"0\", 0]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-negative", GRAPH (VAR ("x") ", " RELU ("r", "[[-1, 0]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-float", GRAPH (VAR ("x") ", " RELU ("r", "[[0.5, 0]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "input-dangling", GRAPH (VAR ("x") ", " RELU ("r", "[[7, 0]]"), "[[1, 0]]"), FALSE, J, "refers to node 7" },
  { "input-bad-output", GRAPH (VAR ("x") ", " RELU ("r", "[[0, 1]]"), "[[1, 0]]"), FALSE, J, "“r”" },
  { "heads-missing", "{\"nodes\": [" VAR ("x") "]}", FALSE, J, "“heads” is missing" },
  { "heads-empty", GRAPH (VAR ("x"), "[]"), FALSE, J, "“heads” is empty" },
  { "heads-object", GRAPH (VAR ("x"), "{}"), FALSE, J, "“heads” is not an array" },
  { "head-dangling", GRAPH (VAR ("x"), "[[5, 0]]"), FALSE, J, "head 0 refers to node 5" },
  { "head-malformed", GRAPH (VAR ("x"), "[[\"a\"]]"), FALSE, J, "head 0" },
  { "head-bad-output", GRAPH (VAR ("x"), "[[0, 3]]"), FALSE, J, "head 0" },
  { "attrs-array", GRAPH (VAR ("x") ", {\"op\": \"relu\", \"name\": \"r\", \"attrs\": [\"a\"], \"inputs\": [[0, 0]]}", "[[1, 0]]"),
    FALSE, J, "“r”" },
  { "param-string", GRAPH (VAR ("x") ", {\"op\": \"relu\", \"name\": \"r\", \"param\": \"a\", \"inputs\": [[0, 0]]}", "[[1, 0]]"),
    FALSE, J, "“r”" },
  { "attr-value-object",
    GRAPH (VAR ("x") ", {\"op\": \"relu\", \"name\": \"r\", \"attr\": {\"k\": {}}, \"inputs\": [[0, 0]]}", "[[1, 0]]"), FALSE,
    J, "attribute “k” must be a string" },
  { "version-string", "{\"nodes\": [" VAR ("x") "], \"heads\": [[0, 0]], \"attrs\": {\"mxnet_version\": \"10600\"}}", FALSE, J,
    "mxnet_version" },
  { "top-attrs-array", "{\"nodes\": [" VAR ("x") "], \"heads\": [[0, 0]], \"attrs\": [1]}", FALSE, J, "“attrs”" },
  { "arg-nodes-bad", "{\"nodes\": [" VAR ("x") "], \"arg_nodes\": [9], \"heads\": [[0, 0]]}", FALSE, J, "arg_nodes" },
  { "duplicate-name", GRAPH (VAR ("x") ", " VAR ("x"), "[[1, 0]]"), FALSE, J, "“x” is used by two nodes" },
  { "cycle", GRAPH (RELU ("a", "[[1, 0]]") ", " RELU ("b", "[[0, 0]]"), "[[1, 0]]"), TRUE, MRT_MODEL_ERROR_CYCLE, "cycle" },
  { "self-loop", GRAPH (VAR ("x") ", " RELU ("a", "[[1, 0]]"), "[[1, 0]]"), TRUE, MRT_MODEL_ERROR_CYCLE, "“a”" },
  { "unknown-op", GRAPH (VAR ("x") ", {\"op\": \"NoSuchOp\", \"name\": \"weird\", \"inputs\": [[0, 0]]}", "[[1, 0]]"), TRUE,
    MRT_MODEL_ERROR_UNKNOWN_OP, "“weird”" },
};

static void
test_bad_json (gconstpointer data)
{
  const BadJson *c = data;
  GQuark domain = c->model_domain ? MRT_MODEL_ERROR : MRT_MXNET_ERROR;
  g_autofree char *name = g_strdup_printf ("bad-%s.json", c->id);
  g_autofree char *path = write_tmp (name, c->json, strlen (c->json));
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = mrt_mxnet_load (path, NULL, &error);

  g_assert_null (m);
  g_assert_error (error, domain, c->code);
  if (!strstr (error->message, path) || !strstr (error->message, c->needle))
    g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, c->needle));
}

/* ------------------------------------------------------------------------ */
/* Malformed and hostile .params                                              */

/* Layout of the base file (V2, "arg:w" f32 (2, 3), "arg:b" f32 (3,)). */
enum {
  STYPE0 = 28, NDIM0 = 32, DIMS0 = 36, FLAG0 = 60, DATA0 = 64,
  NAMES = 132, NAME1 = 153, END = 166,
};

static GByteArray *
base_params (void)
{
  Named a[] = { { "arg:w", f32 (1, 2, 2, 3) }, { "arg:b", f32 (2, 1, 3) } };
  GByteArray *b = params_file (GEN_V2, a, 2);
  mrt_tensor_unref (a[0].t);
  mrt_tensor_unref (a[1].t);
  g_assert_cmpuint (b->len, ==, END);
  return b;
}

static void
set32 (GByteArray *b, guint off, guint32 v)
{
  v = GUINT32_TO_LE (v);
  memcpy (b->data + off, &v, 4);
}

static void
set64 (GByteArray *b, guint off, guint64 v)
{
  v = GUINT64_TO_LE (v);
  memcpy (b->data + off, &v, 8);
}

static void cut_20 (GByteArray *b) { g_byte_array_set_size (b, 20); }
static void cut_0 (GByteArray *b) { g_byte_array_set_size (b, 0); }
static void cut_arr0_magic (GByteArray *b) { g_byte_array_set_size (b, 26); }
static void cut_arr0_header (GByteArray *b) { g_byte_array_set_size (b, 55); }
static void cut_arr0_shape (GByteArray *b) { g_byte_array_set_size (b, 40); }
static void cut_arr0_data (GByteArray *b) { g_byte_array_set_size (b, 70); }
static void cut_arr1_header (GByteArray *b) { g_byte_array_set_size (b, 110); }
static void cut_names_count (GByteArray *b) { g_byte_array_set_size (b, 136); }
static void cut_name1_length (GByteArray *b) { g_byte_array_set_size (b, 158); }
static void cut_name1_bytes (GByteArray *b) { g_byte_array_set_size (b, 163); }
static void bad_list_magic (GByteArray *b) { b->data[0] = 0x13; }
static void huge_count (GByteArray *b) { set64 (b, 16, G_GUINT64_CONSTANT (1) << 60); }
static void count_mismatch (GByteArray *b) { set64 (b, NAMES, 1); }
static void unnamed (GByteArray *b) { set64 (b, NAMES, 0); }
static void huge_ndim (GByteArray *b) { set32 (b, NDIM0, 1u << 30); }
static void negative_ndim (GByteArray *b) { set32 (b, NDIM0, (guint32) -5); }
static void legacy_huge_ndim (GByteArray *b) { set32 (b, 24, 1000); }
static void negative_dim (GByteArray *b) { set64 (b, DIMS0, (guint64) -5); }
static void sparse (GByteArray *b) { set32 (b, STYPE0, 1); }
static void dtype_unknown (GByteArray *b) { set32 (b, FLAG0, 9); }
static void dtype_negative (GByteArray *b) { set32 (b, FLAG0, (guint32) -1); }
static void duplicate_name (GByteArray *b) { memcpy (b->data + NAME1 + 8, "aux:w", 5); }
static void bad_utf8 (GByteArray *b) { b->data[END - 1] = 0xff; }
static void nul_in_name (GByteArray *b) { b->data[END - 2] = 0; }

static void
unknown_names (GByteArray *b)
{
  memcpy (b->data + NAME1 - 5, "arg:p", 5);
  memcpy (b->data + NAME1 + 8, "arg:q", 5);
}

static void
huge_dims (GByteArray *b)
{
  set64 (b, DIMS0, G_GUINT64_CONSTANT (1) << 40);
  set64 (b, DIMS0 + 8, G_GUINT64_CONSTANT (1) << 40);
}

/* allowed by the element limit, but far more data than the file holds */
static void
dims_beyond_file (GByteArray *b)
{
  set64 (b, DIMS0, 1 << 20);
  set64 (b, DIMS0 + 8, 1 << 10);
}

static void
nan_value (GByteArray *b)
{
  float v = NAN;
  memcpy (b->data + DATA0 + 4, &v, 4);
}

static void
empty_name (GByteArray *b)
{
  set64 (b, NAME1, 4);
  g_byte_array_set_size (b, END - 1);
}

typedef struct {
  const char *id;
  void (*mutate) (GByteArray *b);
  GQuark (*domain) (void);
  int code;
  const char *needle;
} BadParams;

#define P mrt_mxnet_error_quark, MRT_MXNET_ERROR_PARAMS

static const BadParams bad_params[] = {
  { "empty-file", cut_0, P, "too short" },
  { "cut-header", cut_20, P, "too short" },
  { "cut-array0-magic", cut_arr0_magic, P, "claims 2 arrays, more than its 26 bytes can hold" },
  { "cut-array0-header", cut_arr0_header, P, "array 0 is cut short: the file ends inside its header" },
  { "cut-array0-shape", cut_arr0_shape, P, "array 0 is cut short: the file ends inside its shape" },
  { "cut-array0-data", cut_arr0_data, P, "array 0 is cut short: its data needs 24 bytes, but only 6 remain" },
  { "cut-array1-header", cut_arr1_header, P, "array 1 is cut short" },
  { "cut-names-count", cut_names_count, P, "the name list is cut short" },
  { "cut-name1-length", cut_name1_length, P, "name 1 is cut short" },
  { "cut-name1-bytes", cut_name1_bytes, P, "name 1 claims 5 bytes, but only 2 remain" },
  { "bad-list-magic", bad_list_magic, P, "not an MXNet .params file" },
  { "huge-count", huge_count, P, "claims 1152921504606846976 arrays" },
  { "count-mismatch", count_mismatch, P, "2 arrays but 1 names" },
  { "unnamed", unnamed, P, "unnamed" },
  { "huge-ndim", huge_ndim, P, "array 0 has 1073741824 dimensions" },
  { "negative-ndim", negative_ndim, P, "array 0 has -5 dimensions" },
  { "legacy-huge-ndim", legacy_huge_ndim, P, "array 0: unknown record magic" },
  { "huge-dims", huge_dims, P, "array 0: dimension 0" },
  { "dims-beyond-file", dims_beyond_file, P, "array 0 is cut short: its data needs 4294967296 bytes" },
  { "negative-dim", negative_dim, P, "array 0: dimension 0 is negative" },
  { "sparse", sparse, P, "array 0 uses storage type 1" },
  { "dtype-unknown", dtype_unknown, P, "array 0 has data type 9" },
  { "dtype-negative", dtype_negative, P, "array 0 has data type -1" },
  { "duplicate-name", duplicate_name, P, "name 1 (“aux:w”)" },
  { "bad-utf8", bad_utf8, P, "name 1 is not valid UTF-8" },
  { "nul-in-name", nul_in_name, P, "name 1 is not valid UTF-8" },
  { "empty-name", empty_name, P, "name 1 is empty" },
  { "nan", nan_value, mrt_model_error_quark, MRT_MODEL_ERROR_PARAM, "“w”" },
  { "unknown-names", unknown_names, mrt_mxnet_error_quark, MRT_MXNET_ERROR_MISMATCH, "none of its 2 parameters" },
};

static void
test_bad_params (gconstpointer data)
{
  const BadParams *c = data;
  g_autoptr (GByteArray) b = base_params ();
  g_autofree char *name = g_strdup_printf ("bad-%s.params", c->id);
  g_autofree char *sym = write_tmp ("wb-symbol.json", vars_json, strlen (vars_json));
  g_autofree char *path = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = NULL;

  c->mutate (b);
  path = write_tmp (name, b->data, b->len);
  m = mrt_mxnet_load (sym, path, &error);
  g_assert_null (m);
  g_assert_error (error, c->domain (), c->code);
  if (!strstr (error->message, path) || !strstr (error->message, c->needle))
    g_test_message ("message: %s", error->message);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, c->needle));
}

/* The unmodified base file loads: the cases above fail for their one reason. */
static void
test_bad_params_base (void)
{
  g_autoptr (GByteArray) b = base_params ();
  g_autofree char *sym = write_tmp ("wb-symbol.json", vars_json, strlen (vars_json));
  g_autofree char *path = write_tmp ("base.params", b->data, b->len);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) m = mrt_mxnet_load (sym, path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (mrt_model_get_param (m, "w"));
  g_assert_nonnull (mrt_model_get_param (m, "b"));
}

/* ------------------------------------------------------------------------ */

static void
remove_tree (const char *path)
{
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr (GDir) d = g_dir_open (path, 0, NULL);
      const char *name;
      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
    }
  g_remove (path);
}

int
main (int argc, char **argv)
{
  static const char *const gens[] = { "legacy", "attr", "attrs" };
  static const char *const pgens[] = { "legacy", "v1", "v2", "v3" };
  int rc;

  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("mrt-mxnet-XXXXXX", NULL);
  g_assert_nonnull (tmpdir);

  g_test_add_func ("/mxnet/symbol/golden", test_symbol_golden);
  g_test_add_func ("/mxnet/symbol/legacy-fixture", test_symbol_legacy_fixture);
  g_test_add_func ("/mxnet/symbol/attr-fixture", test_symbol_attr_fixture);
  for (guint i = 0; i < G_N_ELEMENTS (gens); i++)
    {
      g_autofree char *p = g_strdup_printf ("/mxnet/symbol/generation/%s", gens[i]);
      g_test_add_data_func (p, gens[i], test_symbol_generation);
    }
  g_test_add_func ("/mxnet/symbol/writer-round-trip", test_symbol_writer_round_trip);
  g_test_add_func ("/mxnet/symbol/param-attr-merge", test_symbol_param_attr_merge);
  g_test_add_func ("/mxnet/symbol/json-scalars", test_symbol_json_scalars);
  g_test_add_func ("/mxnet/symbol/attr-strings", test_symbol_attr_strings);
  g_test_add_func ("/mxnet/symbol/reorder", test_symbol_reorder);
  g_test_add_func ("/mxnet/symbol/cycle-node", test_symbol_cycle_node);
  g_test_add_func ("/mxnet/symbol/argmax-upgrade", test_symbol_argmax_upgrade);
  for (guint i = 0; i < G_N_ELEMENTS (pgens); i++)
    {
      g_autofree char *p = g_strdup_printf ("/mxnet/params/generation/%s", pgens[i]);
      g_test_add_data_func (p, GINT_TO_POINTER (i), test_params_generation);
    }
  g_test_add_func ("/mxnet/params/writer-round-trip", test_params_writer_round_trip);
  g_test_add_func ("/mxnet/params/empty", test_params_empty);
  g_test_add_func ("/mxnet/load/variables", test_load_variables);
  g_test_add_func ("/mxnet/load/full-model", test_load_full_model);
  g_test_add_func ("/mxnet/load/legacy-fixture", test_load_legacy_fixture);
  g_test_add_func ("/mxnet/load/bad-attribute", test_load_bad_attribute);
  g_test_add_func ("/mxnet/load/missing-files", test_open_missing_files);
  g_test_add_func ("/mxnet/save/load", test_save_load);
  g_test_add_func ("/mxnet/save/error", test_save_error);
  g_test_add_func ("/mxnet/resolve", test_resolve);
  for (guint i = 0; i < G_N_ELEMENTS (bad_json); i++)
    {
      g_autofree char *p = g_strdup_printf ("/mxnet/bad-json/%s", bad_json[i].id);
      g_test_add_data_func (p, &bad_json[i], test_bad_json);
    }
  g_test_add_func ("/mxnet/bad-params/base-is-valid", test_bad_params_base);
  for (guint i = 0; i < G_N_ELEMENTS (bad_params); i++)
    {
      g_autofree char *p = g_strdup_printf ("/mxnet/bad-params/%s", bad_params[i].id);
      g_test_add_data_func (p, &bad_params[i], test_bad_params);
    }

  rc = g_test_run ();
  remove_tree (tmpdir);
  g_free (tmpdir);
  return rc;
}
