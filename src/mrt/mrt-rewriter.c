/* mrt-rewriter.c: node-by-node graph rebuilding and MRT's name generator. */
#include "mrt-rewriter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "mrt-op.h"

/* ---- names ---- */

struct _MrtNameGen {
  gatomicrefcount ref;
  GHashTable *pass_count; /* pass -> times entered */
  GHashTable *base_count; /* base -> next k */
  GPtrArray *stack;       /* pass names in use, innermost last */
};

MrtNameGen *
mrt_name_gen_new (void)
{
  MrtNameGen *g = g_new0 (MrtNameGen, 1);
  g_atomic_ref_count_init (&g->ref);
  g->pass_count = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g->base_count = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g->stack = g_ptr_array_new_with_free_func (g_free);
  return g;
}

MrtNameGen *
mrt_name_gen_ref (MrtNameGen *gen)
{
  g_atomic_ref_count_inc (&gen->ref);
  return gen;
}

void
mrt_name_gen_unref (MrtNameGen *gen)
{
  if (gen && g_atomic_ref_count_dec (&gen->ref))
    {
      g_hash_table_unref (gen->pass_count);
      g_hash_table_unref (gen->base_count);
      g_ptr_array_unref (gen->stack);
      g_free (gen);
    }
}

const char *
mrt_name_gen_begin_pass (MrtNameGen *gen, const char *pass)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (gen->pass_count, pass));
  char *name = n == 0 ? g_strdup (pass) : g_strdup_printf ("%s%u", pass, n);
  g_hash_table_insert (gen->pass_count, g_strdup (pass), GUINT_TO_POINTER (n + 1));
  g_ptr_array_add (gen->stack, name);
  return name;
}

void
mrt_name_gen_end_pass (MrtNameGen *gen)
{
  if (gen->stack->len > 0)
    g_ptr_array_remove_index (gen->stack, gen->stack->len - 1);
}

char *
mrt_name_gen_next (MrtNameGen *gen, const char *base)
{
  guint k = GPOINTER_TO_UINT (g_hash_table_lookup (gen->base_count, base));
  GString *s = g_string_new ("mrt");
  if (gen->stack->len > 0 && *(const char *) g_ptr_array_index (gen->stack, gen->stack->len - 1))
    g_string_append_printf (s, "_%s", (const char *) g_ptr_array_index (gen->stack, gen->stack->len - 1));
  if (*base)
    g_string_append_printf (s, "_%s", base);
  g_string_append_printf (s, "_%u", k);
  g_hash_table_insert (gen->base_count, g_strdup (base), GUINT_TO_POINTER (k + 1));
  return g_string_free (s, FALSE);
}

/* ---- numbers ---- */

gboolean
mrt_number_parse (const char *text, MrtNumber *out)
{
  gint64 i;
  double d;
  if (strpbrk (text, ".eEnN") == NULL && mrt_attr_parse_int (text, &i))
    {
      *out = mrt_number_int (i);
      return TRUE;
    }
  if (!mrt_attr_parse_float (text, &d))
    return FALSE;
  *out = mrt_number_float (d);
  return TRUE;
}

/* Shortest %e text that reads back as v: digits (no point) and exponent. */
static void
shortest_digits (double v, char *digits, gsize size, int *exp10)
{
  char buf[64], fmt[16];
  for (int p = 1; p <= 17; p++)
    {
      g_snprintf (fmt, sizeof fmt, "%%.%de", p - 1);
      g_ascii_formatd (buf, sizeof buf, fmt, fabs (v));
      if (g_ascii_strtod (buf, NULL) == fabs (v))
        break;
    }
  {
    char *e = strchr (buf, 'e');
    gsize n = 0;
    *exp10 = atoi (e + 1);
    for (const char *c = buf; c < e && n + 1 < size; c++)
      if (g_ascii_isdigit (*c))
        digits[n++] = *c;
    while (n > 1 && digits[n - 1] == '0')
      n--;
    digits[n] = '\0';
  }
}

char *
mrt_float_repr (double v)
{
  char digits[32];
  int e, n;
  GString *s;

  if (isnan (v))
    return g_strdup ("nan");
  if (isinf (v))
    return g_strdup (v > 0 ? "inf" : "-inf");
  if (v == 0)
    return g_strdup (signbit (v) ? "-0.0" : "0.0");
  shortest_digits (v, digits, sizeof digits, &e);
  n = (int) strlen (digits);
  s = g_string_new (v < 0 ? "-" : "");
  if (e >= -4 && e < 16)
    {
      if (e < 0)
        {
          g_string_append (s, "0.");
          for (int i = 0; i < -e - 1; i++)
            g_string_append_c (s, '0');
          g_string_append (s, digits);
        }
      else
        {
          for (int i = 0; i <= e; i++)
            g_string_append_c (s, i < n ? digits[i] : '0');
          g_string_append_c (s, '.');
          g_string_append (s, n > e + 1 ? digits + e + 1 : "0");
        }
    }
  else
    {
      g_string_append_c (s, digits[0]);
      if (n > 1)
        g_string_append_printf (s, ".%s", digits + 1);
      g_string_append_printf (s, "e%c%02d", e < 0 ? '-' : '+', abs (e));
    }
  return g_string_free (s, FALSE);
}

char *
mrt_number_to_string (MrtNumber n)
{
  return n.is_int ? g_strdup_printf ("%" G_GINT64_FORMAT, n.i) : mrt_float_repr (n.d);
}

/* ---- attributes ---- */

GHashTable *
mrt_attrs_new (const char *key, ...)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  va_list ap;
  va_start (ap, key);
  for (const char *k = key; k; k = va_arg (ap, const char *))
    {
      const char *v = va_arg (ap, const char *);
      g_hash_table_insert (h, g_strdup (k), g_strdup (v));
    }
  va_end (ap);
  return h;
}

GHashTable *
mrt_attrs_empty (void)
{
  return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
}

GHashTable *
mrt_attrs_copy (GHashTable *attrs)
{
  GHashTable *h = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter it;
  gpointer k, v;
  g_hash_table_iter_init (&it, attrs);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (h, g_strdup (k), g_strdup (v));
  return h;
}

void
mrt_attrs_set_take (GHashTable *attrs, const char *key, char *value)
{
  g_hash_table_insert (attrs, g_strdup (key), value);
}

char *
mrt_tuple_format (const MrtTuple *t)
{
  GString *s = g_string_new ("(");
  for (int i = 0; i < t->n; i++)
    {
      if (i)
        g_string_append (s, ", ");
      if (t->none[i])
        g_string_append (s, "None");
      else
        g_string_append_printf (s, "%" G_GINT64_FORMAT, t->v[i]);
    }
  g_string_append (s, t->n == 1 ? ",)" : ")");
  return g_string_free (s, FALSE);
}

/* ---- the rewriter ---- */

struct _MrtRewriter {
  const MrtModel *src;
  MrtModel *dst;
  MrtNameGen *names;
  MrtShape input_shape;
  gboolean has_input_shape;
  MrtEntry *map;     /* per source entry */
  gboolean *mapped;  /* per source entry */
  guint *src_uses;   /* per source entry */
  GArray *shapes;    /* MrtShape per new entry */
  GArray *uses;      /* guint per new entry */
  guint current;     /* source node being rewritten */
  GError *error;
};

MrtRewriter *
mrt_rewriter_new (const MrtModel *src, const MrtShape *input_shape, MrtNameGen *names)
{
  MrtRewriter *rw = g_new0 (MrtRewriter, 1);
  guint n = mrt_model_n_entries (src) + 1;

  rw->src = src;
  rw->dst = mrt_model_new ();
  rw->names = names ? mrt_name_gen_ref (names) : NULL;
  if (input_shape)
    rw->input_shape = *input_shape, rw->has_input_shape = TRUE;
  rw->map = g_new0 (MrtEntry, n);
  rw->mapped = g_new0 (gboolean, n);
  rw->src_uses = g_new0 (guint, n);
  rw->shapes = g_array_new (FALSE, TRUE, sizeof (MrtShape));
  rw->uses = g_array_new (FALSE, TRUE, sizeof (guint));
  for (guint i = 0; i < mrt_model_n_nodes (src); i++)
    {
      MrtNode *node = mrt_model_node (src, i);
      for (guint j = 0; j < node->n_inputs; j++)
        rw->src_uses[mrt_model_entry_id (src, node->inputs[j])]++;
    }
  for (guint i = 0; i < mrt_model_n_heads (src); i++)
    rw->src_uses[mrt_model_entry_id (src, mrt_model_head (src, i))]++;
  return rw;
}

void
mrt_rewriter_free (MrtRewriter *rw)
{
  if (rw == NULL)
    return;
  mrt_model_unref (rw->dst);
  mrt_name_gen_unref (rw->names);
  g_free (rw->map);
  g_free (rw->mapped);
  g_free (rw->src_uses);
  g_array_unref (rw->shapes);
  g_array_unref (rw->uses);
  g_clear_error (&rw->error);
  g_free (rw);
}

const MrtModel *
mrt_rewriter_src (MrtRewriter *rw)
{
  return rw->src;
}

const MrtNode *
mrt_rewriter_src_node (MrtRewriter *rw, guint node)
{
  return mrt_model_node (rw->src, node);
}

guint
mrt_rewriter_src_uses (MrtRewriter *rw, guint node, guint index)
{
  return rw->src_uses[mrt_model_entry_id (rw->src, (MrtEntry){ node, index })];
}

gboolean
mrt_rewriter_fail (MrtRewriter *rw, const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  const MrtNode *n = rw->current < mrt_model_n_nodes (rw->src) ? mrt_model_node (rw->src, rw->current) : NULL;

  if (rw->error)
    return FALSE;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (n)
    g_set_error (&rw->error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, "node “%s” (%s): %s", n->name, n->op, msg);
  else
    g_set_error_literal (&rw->error, MRT_MODEL_ERROR, MRT_MODEL_ERROR_INVALID, msg);
  return FALSE;
}

gboolean
mrt_rewriter_failed (MrtRewriter *rw)
{
  return rw->error != NULL;
}

static guint
dst_id (MrtRewriter *rw, MrtEntry e)
{
  return mrt_model_entry_id (rw->dst, e);
}

const MrtNode *
mrt_rewriter_node (MrtRewriter *rw, MrtEntry e)
{
  return mrt_model_node (rw->dst, e.node);
}

const MrtShape *
mrt_rewriter_shape (MrtRewriter *rw, MrtEntry e)
{
  return &g_array_index (rw->shapes, MrtShape, dst_id (rw, e));
}

guint
mrt_rewriter_uses (MrtRewriter *rw, MrtEntry e)
{
  return g_array_index (rw->uses, guint, dst_id (rw, e));
}

MrtTensor *
mrt_rewriter_param (MrtRewriter *rw, MrtEntry e)
{
  const MrtNode *n = mrt_rewriter_node (rw, e);
  return mrt_node_is_variable (n) ? mrt_model_get_param (rw->dst, n->name) : NULL;
}

gboolean
mrt_rewriter_is_op (MrtRewriter *rw, MrtEntry e, const char *op)
{
  return strcmp (mrt_rewriter_node (rw, e)->op, op) == 0;
}

MrtEntry
mrt_rewriter_in (MrtRewriter *rw, guint node, guint i)
{
  MrtEntry e = mrt_model_node (rw->src, node)->inputs[i];
  guint id = mrt_model_entry_id (rw->src, e);
  if (!rw->mapped[id])
    {
      g_autofree char *name = mrt_model_entry_name (rw->src, e);
      mrt_rewriter_fail (rw, "input %u (%s) was removed by an earlier rewrite", i, name);
      return (MrtEntry){ 0, 0 };
    }
  return rw->map[id];
}

static void
variable_shape (MrtRewriter *rw, const MrtNode *n, MrtShape *out)
{
  MrtTensor *t = mrt_model_get_param (rw->dst, n->name);
  const char *attr = mrt_node_get_attr (n, "__shape__");
  *out = (MrtShape){ 0 };
  if (t)
    *out = t->shape;
  else if (attr && mrt_shape_parse (attr, FALSE, out, NULL) && mrt_shape_size (out) > 0)
    ;
  else if (rw->has_input_shape)
    *out = rw->input_shape;
}

/* Output shapes of the node just added; zeros after an error. */
static void
infer_new_node (MrtRewriter *rw, guint idx, MrtShape *out)
{
  const MrtNode *n = mrt_model_node (rw->dst, idx);
  const MrtOpDef *def = mrt_op_lookup (n->op);
  g_autofree MrtShape *in = g_new0 (MrtShape, n->n_inputs + 1);
  GError *error = NULL;

  if (rw->error)
    return;
  if (mrt_node_is_variable (n))
    {
      variable_shape (rw, n, out);
      return;
    }
  if (def == NULL || def->infer_shape == NULL)
    {
      mrt_rewriter_fail (rw, "cannot create “%s”: operator “%s” is unknown", n->name, n->op);
      return;
    }
  for (guint j = 0; j < n->n_inputs; j++)
    in[j] = *mrt_rewriter_shape (rw, n->inputs[j]);
  if (!def->infer_shape (n, in, out, &error))
    {
      const MrtNode *cur = mrt_model_node (rw->src, rw->current);
      if (strcmp (cur->name, n->name) == 0 && strcmp (cur->op, n->op) == 0)
        mrt_rewriter_fail (rw, "%s", error->message);
      else
        mrt_rewriter_fail (rw, "the new node “%s” (%s) is invalid: %s", n->name, n->op, error->message);
      g_error_free (error);
    }
}

static MrtEntry
add_node (MrtRewriter *rw, const char *name, const char *op, GHashTable *attrs, const MrtEntry *inputs,
          guint n_inputs, guint n_outputs)
{
  guint idx = mrt_model_add_node_n (rw->dst, name, op, attrs, inputs, n_inputs, n_outputs);
  guint n_out = mrt_model_node (rw->dst, idx)->n_outputs;
  g_autofree MrtShape *out = g_new0 (MrtShape, n_out);
  infer_new_node (rw, idx, out);
  g_array_append_vals (rw->shapes, out, n_out);
  g_array_set_size (rw->uses, rw->shapes->len);
  return (MrtEntry){ idx, 0 };
}

MrtEntry
mrt_rewriter_add (MrtRewriter *rw, const char *name, const char *op, GHashTable *attrs, const MrtEntry *inputs,
                  guint n_inputs)
{
  return add_node (rw, name, op, attrs, inputs, n_inputs, 0);
}

char *
mrt_rewriter_gen_name (MrtRewriter *rw, const char *base)
{
  g_return_val_if_fail (rw->names != NULL, g_strdup (base));
  return mrt_name_gen_next (rw->names, base);
}

MrtEntry
mrt_rewriter_add_gen (MrtRewriter *rw, const char *base, const char *op, GHashTable *attrs,
                      const MrtEntry *inputs, guint n_inputs)
{
  g_autofree char *name = mrt_rewriter_gen_name (rw, base);
  return add_node (rw, name, op, attrs, inputs, n_inputs, 0);
}

MrtEntry
mrt_rewriter_add_param (MrtRewriter *rw, const char *name, MrtTensor *value, GHashTable *attrs)
{
  GHashTable *a = attrs ? attrs : mrt_attrs_empty ();
  mrt_attrs_set_take (a, "__shape__", mrt_shape_to_string (&value->shape));
  mrt_model_set_param_raw (rw->dst, name, value);
  return add_node (rw, name, "null", a, NULL, 0, 1);
}

MrtEntry
mrt_rewriter_add_param_gen (MrtRewriter *rw, const char *base, MrtTensor *value)
{
  g_autofree char *name = mrt_rewriter_gen_name (rw, base);
  return mrt_rewriter_add_param (rw, name, value, NULL);
}

MrtEntry
mrt_rewriter_add_variable (MrtRewriter *rw, const char *name, GHashTable *attrs)
{
  return add_node (rw, name, "null", attrs, NULL, 0, 1);
}

MrtTensor *
mrt_rewriter_tensor1 (float v)
{
  MrtShape s = mrt_shape_make (1, (gint64) 1);
  return mrt_tensor_new_f32 (&s, &v);
}

static gint
find_variable (MrtRewriter *rw, const char *name)
{
  gint idx = mrt_model_find (rw->dst, name);
  return idx >= 0 && mrt_node_is_variable (mrt_model_node (rw->dst, idx)) ? idx : -1;
}

MrtEntry
mrt_rewriter_const (MrtRewriter *rw, MrtNumber number)
{
  g_autofree char *text = mrt_number_to_string (number);
  g_autofree char *name = g_strconcat ("const_var_", text, NULL);
  g_autofree char *prec = g_strdup_printf ("%d", mrt_get_bit (number.d));
  g_autoptr (MrtTensor) value = NULL;
  gint idx = find_variable (rw, name);

  if (idx >= 0)
    return (MrtEntry){ (guint) idx, 0 };
  value = mrt_rewriter_tensor1 ((float) number.d);
  return mrt_rewriter_add_param (rw, name, value, mrt_attrs_new ("precision", prec, NULL));
}

void
mrt_rewriter_map (MrtRewriter *rw, guint node, guint index, MrtEntry e)
{
  guint id = mrt_model_entry_id (rw->src, (MrtEntry){ node, index });
  rw->map[id] = e;
  rw->mapped[id] = TRUE;
  g_array_index (rw->uses, guint, dst_id (rw, e)) += rw->src_uses[id];
}

static MrtEntry
copy_variable (MrtRewriter *rw, const MrtNode *n)
{
  MrtTensor *t = mrt_model_get_param (rw->src, n->name);
  gint idx = find_variable (rw, n->name);
  if (idx >= 0) /* parameters are keyed by name: one variable per name */
    return (MrtEntry){ (guint) idx, 0 };
  if (t)
    mrt_model_set_param_raw (rw->dst, n->name, t);
  return add_node (rw, n->name, "null", mrt_attrs_copy (n->attrs), NULL, 0, 1);
}

MrtEntry
mrt_rewriter_copy (MrtRewriter *rw, guint node)
{
  const MrtNode *n = mrt_model_node (rw->src, node);
  g_autofree MrtEntry *in = g_new0 (MrtEntry, n->n_inputs + 1);
  MrtEntry e;

  if (mrt_node_is_variable (n))
    e = copy_variable (rw, n);
  else
    {
      for (guint j = 0; j < n->n_inputs; j++)
        in[j] = mrt_rewriter_in (rw, node, j);
      e = add_node (rw, n->name, n->op, mrt_attrs_copy (n->attrs), in, n->n_inputs, n->n_outputs);
    }
  for (guint k = 0; k < n->n_outputs; k++)
    mrt_rewriter_map (rw, node, k, (MrtEntry){ e.node, k });
  return e;
}

static gboolean
any_output_mapped (MrtRewriter *rw, guint node)
{
  guint first = mrt_model_entry_id (rw->src, (MrtEntry){ node, 0 });
  for (guint k = 0; k < mrt_model_node (rw->src, node)->n_outputs; k++)
    if (rw->mapped[first + k])
      return TRUE;
  return FALSE;
}

gboolean
mrt_rewriter_run (MrtRewriter *rw, const MrtRewriteRule *rules, MrtRewriteHook fallback, gpointer user_data,
                  GError **error)
{
  g_autoptr (GHashTable) table = g_hash_table_new (g_str_hash, g_str_equal);

  for (const MrtRewriteRule *r = rules; r && r->op; r++)
    g_hash_table_insert (table, (gpointer) r->op, r->hook);
  for (guint i = 0; i < mrt_model_n_nodes (rw->src) && !rw->error; i++)
    {
      MrtRewriteHook hook = g_hash_table_lookup (table, mrt_model_node (rw->src, i)->op);
      rw->current = i;
      if (hook == NULL)
        hook = fallback;
      if (hook && !hook (rw, i, user_data) && !rw->error)
        mrt_rewriter_fail (rw, "rewrite failed");
      if (!rw->error && !any_output_mapped (rw, i))
        mrt_rewriter_copy (rw, i);
    }
  for (guint i = 0; i < mrt_model_n_heads (rw->src) && !rw->error; i++)
    {
      MrtEntry h = mrt_model_head (rw->src, i);
      if (!rw->mapped[mrt_model_entry_id (rw->src, h)])
        mrt_rewriter_fail (rw, "graph output %u was removed", i);
    }
  if (rw->error)
    {
      g_propagate_error (error, g_steal_pointer (&rw->error));
      return FALSE;
    }
  return TRUE;
}

MrtModel *
mrt_rewriter_finish (MrtRewriter *rw)
{
  for (guint i = 0; i < mrt_model_n_heads (rw->src); i++)
    mrt_model_add_head (rw->dst, rw->map[mrt_model_entry_id (rw->src, mrt_model_head (rw->src, i))]);
  return mrt_rewriter_prune (rw->dst);
}

MrtModel *
mrt_rewriter_prune (const MrtModel *model)
{
  guint n = mrt_model_n_nodes (model);
  g_autofree gboolean *live = g_new0 (gboolean, n + 1);
  g_autofree guint *remap = g_new0 (guint, n + 1);
  MrtModel *out = mrt_model_new ();

  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    live[mrt_model_head (model, i).node] = TRUE;
  for (guint i = n; i-- > 0;)
    if (live[i])
      {
        MrtNode *node = mrt_model_node (model, i);
        for (guint j = 0; j < node->n_inputs; j++)
          live[node->inputs[j].node] = TRUE;
      }
  for (guint i = 0; i < n; i++)
    {
      MrtNode *node = mrt_model_node (model, i);
      g_autofree MrtEntry *in = NULL;
      MrtTensor *t;
      if (!live[i])
        continue;
      in = g_new0 (MrtEntry, node->n_inputs + 1);
      for (guint j = 0; j < node->n_inputs; j++)
        in[j] = (MrtEntry){ remap[node->inputs[j].node], node->inputs[j].index };
      remap[i] = mrt_model_add_node_n (out, node->name, node->op, mrt_attrs_copy (node->attrs), in,
                                       node->n_inputs, node->n_outputs);
      if (mrt_node_is_variable (node) && (t = mrt_model_get_param (model, node->name)))
        mrt_model_set_param_raw (out, node->name, t);
    }
  for (guint i = 0; i < mrt_model_n_heads (model); i++)
    {
      MrtEntry h = mrt_model_head (model, i);
      mrt_model_add_head (out, (MrtEntry){ remap[h.node], h.index });
    }
  return out;
}
