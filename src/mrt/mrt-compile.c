/* mrt-compile.c: MXNet→CVM op lowering. One function per MXNet op builds
 * the CVM node(s); the table at the end maps op names to them. */
#include "mrt-compile.h"

#include <math.h>
#include <string.h>

#include "mrt-op.h"
#include "mrt-qmath.h"

G_DEFINE_QUARK (mrt-compile-error-quark, mrt_compile_error)

typedef struct {
  const MrtModel *src;
  MrtModel *dst;
  MrtShape *shapes;       /* src entry shapes */
  MrtEntry *map;          /* src entry id -> dst entry */
  GHashTable *counters;   /* op -> next k */
  GHashTable *consts;     /* name -> dst node + 1 */
} C;

typedef gboolean (*LowerFunc) (C *c, const MrtNode *n, guint idx, GError **error);

static GHashTable *
attrs_new (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

static void
set (GHashTable *a, const char *k, const char *v)
{
  g_hash_table_insert (a, g_strdup (k), g_strdup (v));
}

static void
set_int (GHashTable *a, const char *k, gint64 v)
{
  g_hash_table_insert (a, g_strdup (k), g_strdup_printf ("%" G_GINT64_FORMAT, v));
}

static void
set_tuple (GHashTable *a, const char *k, const gint64 *v, int n)
{
  g_hash_table_insert (a, g_strdup (k), mrt_attr_format_tuple (v, n));
}

/* Copies a tuple attribute, or writes `def` (n values) when absent. */
static void
copy_tuple (GHashTable *a, const MrtNode *n, const char *from, const char *to, const gint64 *def, int ndef)
{
  MrtTuple t;
  if (mrt_node_get_tuple (n, from, &t) && t.n > 0)
    set_tuple (a, to, t.v, t.n);
  else if (def)
    set_tuple (a, to, def, ndef);
}

static MrtEntry
in_entry (C *c, const MrtNode *n, guint i)
{
  return c->map[mrt_model_entry_id (c->src, n->inputs[i])];
}

static const MrtShape *
in_shape (C *c, const MrtNode *n, guint i)
{
  return &c->shapes[mrt_model_entry_id (c->src, n->inputs[i])];
}

static guint
emit (C *c, const char *op, GHashTable *attrs, const MrtEntry *inputs, guint n_in, guint n_out)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (c->counters, op));
  g_autofree char *name = g_strdup_printf ("%s_%u", op, k);
  g_hash_table_insert (c->counters, g_strdup (op), GUINT_TO_POINTER (k + 1));
  return mrt_model_add_node_n (c->dst, name, op, attrs ? attrs : attrs_new (), inputs, n_in, n_out);
}

static void
map_out (C *c, guint idx, guint dst)
{
  c->map[mrt_model_entry_id (c->src, (MrtEntry){ idx, 0 })] = (MrtEntry){ dst, 0 };
}

/* Inputs in order, all mapped. */
static guint
emit_same_inputs (C *c, const MrtNode *n, const char *op, GHashTable *attrs)
{
  MrtEntry in[16];
  g_assert (n->n_inputs <= G_N_ELEMENTS (in));
  for (guint i = 0; i < n->n_inputs; i++)
    in[i] = in_entry (c, n, i);
  return emit (c, op, attrs, in, n->n_inputs, 1);
}

static gboolean
lower_conv (C *c, const MrtNode *n, guint idx, GError **error)
{
  static const gint64 one[2] = { 1, 1 }, zero[2] = { 0, 0 };
  GHashTable *a = attrs_new ();
  MrtTuple k;
  gboolean bias = !mrt_node_get_bool (n, "no_bias", FALSE) && n->n_inputs > 2;

  mrt_node_get_tuple (n, "kernel", &k);
  if (k.n != 2)
    {
      g_hash_table_unref (a);
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                   "node “%s”: only 2-D convolutions compile (prepare rewrites 1-D ones)", n->name);
      return FALSE;
    }
  set_int (a, "channels", mrt_node_get_int (n, "num_filter", 0));
  set_tuple (a, "kernel_size", k.v, 2);
  copy_tuple (a, n, "stride", "strides", one, 2);
  copy_tuple (a, n, "pad", "padding", zero, 2);
  copy_tuple (a, n, "dilate", "dilation", one, 2);
  set_int (a, "groups", mrt_node_get_int (n, "num_group", 1));
  set (a, "use_bias", bias ? "True" : "False");
  map_out (c, idx, emit (c, "conv2d", a, (MrtEntry[]){ in_entry (c, n, 0), in_entry (c, n, 1),
                                                       bias ? in_entry (c, n, 2) : (MrtEntry){ 0, 0 } },
                         bias ? 3 : 2, 1));
  return TRUE;
}

static gboolean
lower_dense (C *c, const MrtNode *n, guint idx, GError **error)
{
  GHashTable *a = attrs_new ();
  gboolean bias = !mrt_node_get_bool (n, "no_bias", FALSE) && n->n_inputs > 2;
  MrtEntry x = in_entry (c, n, 0);

  if (in_shape (c, n, 0)->ndim > 2)
    {
      if (!mrt_node_get_bool (n, "flatten", TRUE))
        {
          g_hash_table_unref (a);
          g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                       "node “%s”: FullyConnected with flatten=False on a %d-D input (run PREPARE)", n->name,
                       in_shape (c, n, 0)->ndim);
          return FALSE;
        }
      x = (MrtEntry){ emit (c, "flatten", NULL, &x, 1, 1), 0 };
    }
  set_int (a, "units", mrt_node_get_int (n, "num_hidden", 0));
  set (a, "use_bias", bias ? "True" : "False");
  map_out (c, idx, emit (c, "dense", a, (MrtEntry[]){ x, in_entry (c, n, 1), bias ? in_entry (c, n, 2) : x },
                         bias ? 3 : 2, 1));
  return TRUE;
}

static gboolean
lower_pool (C *c, const MrtNode *n, guint idx, GError **error)
{
  static const gint64 one[2] = { 1, 1 }, zero[2] = { 0, 0 };
  GHashTable *a;
  const MrtShape *s = in_shape (c, n, 0);

  /* derived from pool_type (upstream reads the wrong attribute, §12.4) */
  if (!g_str_equal (mrt_node_get_string (n, "pool_type", "max"), "max") || s->ndim != 4)
    {
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                   "node “%s”: only 2-D max pooling compiles to the CVM", n->name);
      return FALSE;
    }
  a = attrs_new ();
  if (mrt_node_get_bool (n, "global_pool", FALSE))
    {
      gint64 k[2] = { s->dim[2], s->dim[3] };
      set_tuple (a, "pool_size", k, 2);
    }
  else
    {
      copy_tuple (a, n, "kernel", "pool_size", NULL, 0);
      copy_tuple (a, n, "stride", "strides", one, 2);
      copy_tuple (a, n, "pad", "padding", zero, 2);
      set (a, "ceil_mode", g_str_equal (mrt_node_get_string (n, "pooling_convention", "valid"), "full") ? "True" : "False");
    }
  map_out (c, idx, emit_same_inputs (c, n, "max_pool2d", a));
  return TRUE;
}

static gboolean
lower_custom (C *c, const MrtNode *n, guint idx, GError **error)
{
  const char *t = mrt_node_get_string (n, "op_type", "");
  GHashTable *a = attrs_new ();
  if (g_str_equal (t, "cvm_lut"))
    set (a, "in_dim", mrt_node_get_attr (n, "in_dim"));
  else if (g_str_equal (t, "cvm_clip") || g_str_equal (t, "cvm_right_shift") || g_str_equal (t, "cvm_left_shift"))
    {
      set (a, "precision", mrt_node_get_attr (n, "precision"));
      if (!g_str_equal (t, "cvm_clip"))
        set (a, "shift_bit", mrt_node_get_attr (n, "shift_bit"));
    }
  else
    {
      g_hash_table_unref (a);
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED, "node “%s”: Custom op “%s” is not a CVM op",
                   n->name, t);
      return FALSE;
    }
  map_out (c, idx, emit_same_inputs (c, n, t, a));
  return TRUE;
}

static gboolean
lower_identity (C *c, const MrtNode *n, guint idx, GError **error)
{
  c->map[mrt_model_entry_id (c->src, (MrtEntry){ idx, 0 })] = in_entry (c, n, 0);
  return TRUE;
}

/* Ops whose CVM name and attributes are MXNet's own (possibly renamed). */
typedef struct {
  const char *mxnet;
  const char *cvm;
  const char *const *keep; /* attribute names carried over; NULL: none */
} Same;

static const char *const keep_axis_keep[] = { "axis", "keepdims", "exclude", NULL };
static const char *const keep_axes[] = { "axes", NULL };
static const char *const keep_shape[] = { "shape", NULL };
static const char *const keep_axis[] = { "axis", NULL };
static const char *const keep_reps[] = { "reps", NULL };
static const char *const keep_repeat[] = { "repeats", "axis", NULL };
static const char *const keep_expand[] = { "axis", "num_newaxis", NULL };

static const Same same_ops[] = {
  { "relu", "relu", NULL },
  { "negative", "negative", NULL },
  { "abs", "abs", NULL },
  { "Flatten", "flatten", NULL },
  { "flatten", "flatten", NULL },
  { "elemwise_add", "elemwise_add", NULL },
  { "elemwise_sub", "elemwise_sub", NULL },
  { "broadcast_add", "broadcast_add", NULL },
  { "broadcast_sub", "broadcast_sub", NULL },
  { "broadcast_mul", "broadcast_mul", NULL },
  { "broadcast_div", "broadcast_div", NULL },
  { "broadcast_maximum", "broadcast_max", NULL },
  { "broadcast_greater", "broadcast_greater", NULL },
  { "_maximum", "broadcast_max", NULL },
  { "where", "where", NULL },
  { "sum", "sum", keep_axis_keep },
  { "max", "max", keep_axis_keep },
  { "transpose", "transpose", keep_axes },
  { "Reshape", "reshape", keep_shape },
  { "reshape", "reshape", keep_shape },
  { "squeeze", "squeeze", keep_axis },
  { "expand_dims", "expand_dims", keep_expand },
  { "tile", "tile", keep_reps },
  { "repeat", "repeat", keep_repeat },
};

static gboolean
lower_same (C *c, const MrtNode *n, guint idx, const Same *s)
{
  GHashTable *a = attrs_new ();
  for (const char *const *k = s->keep; k && *k; k++)
    {
      const char *v = mrt_node_get_attr (n, *k);
      if (v && !mrt_attr_is_none (v))
        set (a, *k, v);
    }
  map_out (c, idx, emit_same_inputs (c, n, s->cvm, a));
  return TRUE;
}

static gboolean
lower_activation (C *c, const MrtNode *n, guint idx, GError **error)
{
  if (!g_str_equal (mrt_node_get_string (n, "act_type", "relu"), "relu"))
    {
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                   "node “%s”: Activation %s has no CVM op", n->name, mrt_node_get_string (n, "act_type", ""));
      return FALSE;
    }
  map_out (c, idx, emit_same_inputs (c, n, "relu", NULL));
  return TRUE;
}

static gboolean
lower_concat (C *c, const MrtNode *n, guint idx, GError **error)
{
  GHashTable *a = attrs_new ();
  set_int (a, "axis", mrt_node_get_int (n, "dim", 1));
  map_out (c, idx, emit_same_inputs (c, n, "concatenate", a));
  return TRUE;
}

static gboolean
lower_slice (C *c, const MrtNode *n, guint idx, GError **error)
{
  const MrtShape *s = in_shape (c, n, 0);
  MrtTuple b, e, st;
  gint64 begin[MRT_MAX_TUPLE], end[MRT_MAX_TUPLE], step[MRT_MAX_TUPLE];
  GHashTable *a = attrs_new ();
  int nd = s->ndim;

  mrt_node_get_tuple (n, "begin", &b);
  mrt_node_get_tuple (n, "end", &e);
  mrt_node_get_tuple (n, "step", &st);
  for (int i = 0; i < nd; i++)
    {
      step[i] = i < st.n && !st.none[i] ? st.v[i] : 1;
      begin[i] = i < b.n && !b.none[i] ? b.v[i] : (step[i] > 0 ? 0 : s->dim[i] - 1);
      end[i] = i < e.n && !e.none[i] ? e.v[i] : (step[i] > 0 ? s->dim[i] : -s->dim[i] - 1);
    }
  set_tuple (a, "begin", begin, nd);
  set_tuple (a, "end", end, nd);
  set_tuple (a, "stride", step, nd);
  map_out (c, idx, emit_same_inputs (c, n, "strided_slice", a));
  return TRUE;
}

static gboolean
lower_clip (C *c, const MrtNode *n, guint idx, GError **error)
{
  GHashTable *a = attrs_new ();
  set_int (a, "a_min", (gint64) mrt_node_get_float (n, "a_min", 0));
  set_int (a, "a_max", (gint64) mrt_node_get_float (n, "a_max", 0));
  map_out (c, idx, emit_same_inputs (c, n, "clip", a));
  return TRUE;
}

static gboolean
lower_embedding (C *c, const MrtNode *n, guint idx, GError **error)
{
  GHashTable *a = attrs_new ();
  set_int (a, "axis", 0);
  map_out (c, idx, emit (c, "take", a, (MrtEntry[]){ in_entry (c, n, 1), in_entry (c, n, 0) }, 2, 1));
  return TRUE;
}

static gboolean
lower_upsampling (C *c, const MrtNode *n, guint idx, GError **error)
{
  GHashTable *a;
  /* the CVM's upsampling is nearest-neighbour on one input; the other
   * inputs of a multi-input UpSampling would be dropped */
  if (n->n_inputs != 1 || !g_str_equal (mrt_node_get_string (n, "sample_type", "nearest"), "nearest"))
    {
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                   "node “%s”: only nearest UpSampling of a single input compiles to the CVM", n->name);
      return FALSE;
    }
  a = attrs_new ();
  set_int (a, "scale", mrt_node_get_int (n, "scale", 1));
  map_out (c, idx, emit (c, "upsampling", a, (MrtEntry[]){ in_entry (c, n, 0) }, 1, 1));
  return TRUE;
}

typedef struct {
  const char *op;
  LowerFunc func;
} Lowering;

static const Lowering lowerings[] = {
  { "Convolution", lower_conv },
  { "FullyConnected", lower_dense },
  { "Pooling", lower_pool },
  { "Custom", lower_custom },
  { "Activation", lower_activation },
  { "Concat", lower_concat },
  { "slice", lower_slice },
  { "clip", lower_clip },
  { "Embedding", lower_embedding },
  { "UpSampling", lower_upsampling },
  { "Dropout", lower_identity },
  { "Cast", lower_identity },
  { "identity", lower_identity },
  { "_copy", lower_identity },
  { "floor", lower_identity },
  { "ceil", lower_identity },
  { "round", lower_identity },
  { "fix", lower_identity },
};

static gboolean
lower_node (C *c, guint idx, GError **error)
{
  const MrtNode *n = mrt_model_node (c->src, idx);
  for (guint i = 0; i < G_N_ELEMENTS (lowerings); i++)
    if (g_str_equal (lowerings[i].op, n->op))
      return lowerings[i].func (c, n, idx, error);
  for (guint i = 0; i < G_N_ELEMENTS (same_ops); i++)
    if (g_str_equal (same_ops[i].mxnet, n->op))
      return lower_same (c, n, idx, &same_ops[i]);
  g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED, "node “%s”: operator %s has no CVM equivalent",
               n->name, n->op);
  return FALSE;
}

/* Integer-valued float params become int32; precision attribute kept or derived. */
static gboolean
lower_param (C *c, const MrtNode *n, guint idx, GError **error)
{
  MrtTensor *t = mrt_model_get_param (c->src, n->name);
  g_autoptr (MrtTensor) q = mrt_tensor_new (MRT_DTYPE_I32, &t->shape);
  const char *prec = mrt_node_get_attr (n, "precision");
  double absmax = 0;
  guint v;

  for (gsize i = 0; i < t->n; i++)
    {
      double x = mrt_tensor_f32 (t)[i];
      if (x != floor (x) || fabs (x) > G_MAXINT32)
        {
          g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_PARAM,
                       "parameter “%s” holds %g at element %" G_GSIZE_FORMAT ", not a 32-bit integer (quantize first)",
                       n->name, x, i);
          return FALSE;
        }
      mrt_tensor_i32 (q)[i] = (gint32) x;
      absmax = MAX (absmax, fabs (x));
    }
  v = mrt_model_add_variable (c->dst, n->name);
  if (prec)
    set (mrt_model_node (c->dst, v)->attrs, "precision", prec);
  else
    set_int (mrt_model_node (c->dst, v)->attrs, "precision", mrt_get_bit (absmax));
  mrt_model_set_param_raw (c->dst, n->name, q);
  map_out (c, idx, v);
  return TRUE;
}

MrtModel *
mrt_to_cvm (MrtModel *model, const MrtShape *input_shape, GError **error)
{
  g_autoptr (GArray) inputs = mrt_model_inputs (model);
  C c = { 0 };
  gboolean ok = TRUE;
  MrtModel *result = NULL;

  if (inputs->len != 1)
    {
      g_set_error (error, MRT_COMPILE_ERROR, MRT_COMPILE_ERROR_UNSUPPORTED,
                   "a CVM model has exactly one input, this model has %u", inputs->len);
      return NULL;
    }
  c.src = model;
  c.shapes = mrt_model_infer_shapes_single (model, input_shape, error);
  if (c.shapes == NULL)
    return NULL;
  c.dst = mrt_model_new ();
  c.map = g_new0 (MrtEntry, mrt_model_n_entries (model));
  c.counters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  {
    /* the input first, named data (the runtime looks it up by name and position) */
    const MrtNode *in = mrt_model_node (model, g_array_index (inputs, guint, 0));
    guint d = mrt_model_add_variable (c.dst, "data");
    g_autofree char *shape = mrt_shape_to_string (input_shape);
    set (mrt_model_node (c.dst, d)->attrs, "precision", mrt_node_get_string (in, "precision", "8"));
    set (mrt_model_node (c.dst, d)->attrs, "__shape__", shape);
    map_out (&c, g_array_index (inputs, guint, 0), d);
  }
  for (guint i = 0; i < mrt_model_n_nodes (model) && ok; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      if (i == g_array_index (inputs, guint, 0))
        continue;
      if (mrt_node_is_variable (n))
        ok = mrt_model_is_param (model, i) ? lower_param (&c, n, i, error) : TRUE;
      else
        ok = lower_node (&c, i, error);
    }
  for (guint h = 0; ok && h < mrt_model_n_heads (model); h++)
    mrt_model_add_head (c.dst, c.map[mrt_model_entry_id (model, mrt_model_head (model, h))]);
  if (ok)
    result = mrt_model_ref (c.dst);
  mrt_model_unref (c.dst);
  g_free (c.shapes);
  g_free (c.map);
  g_hash_table_unref (c.counters);
  return result;
}
