/* mrt-cvm-graph.c: structural analysis of a CVM graph: operators and their
 * attributes, arity, order, the data input, shapes, limits and precisions. */
#include "mrt-cvm-check.h"

#include <stdarg.h>
#include <string.h>

void
mrt_cvm_graph_free (MrtCvmGraph *graph)
{
  if (graph == NULL)
    return;
  if (graph->attrs)
    for (guint i = 0; i < graph->n_nodes; i++)
      g_free (graph->attrs[i]);
  g_free (graph->attrs);
  g_free (graph->defs);
  g_free (graph->entry_offset);
  g_free (graph->shapes);
  g_free (graph->precision);
  if (graph->model)
    mrt_model_unref (graph->model);
  g_free (graph);
}

G_GNUC_PRINTF (5, 6) static gboolean
node_fail (GError **error, MrtCvmError code, const MrtModel *m, guint i, const char *fmt, ...)
{
  MrtNode *n = mrt_model_node (m, i);
  g_autofree char *msg = NULL;
  va_list ap;
  va_start (ap, fmt);
  msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (error, MRT_CVM_ERROR, code, "node %u “%s” (%s): %s", i, n->name, n->op, msg);
  return FALSE;
}

/* Prefixes an error raised by an op function with the node, keeping its code. */
static gboolean
node_prefix (GError **error, const MrtModel *m, guint i)
{
  MrtNode *n = mrt_model_node (m, i);
  g_prefix_error (error, "node %u “%s” (%s): ", i, n->name, n->op);
  return FALSE;
}

static gboolean
check_limits (const MrtShape *s, GError **error)
{
  gint64 size = 1;
  if (s->ndim < 1 || s->ndim > MRT_CVM_MAX_NDIM)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT, "shape has %d dimensions (allowed 1 to %d)", s->ndim,
                   MRT_CVM_MAX_NDIM);
      return FALSE;
    }
  for (int i = 0; i < s->ndim; i++)
    {
      if (s->dim[i] < 1 || s->dim[i] > MRT_CVM_MAX_DIM)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                       "dimension %d is %" G_GINT64_FORMAT " (allowed 1 to 2^24)", i, s->dim[i]);
          return FALSE;
        }
      size *= s->dim[i];
      if (size > MRT_CVM_MAX_SIZE)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT, "tensor has more than 2^30 elements");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
analyse_structure (MrtCvmGraph *g, GError **error)
{
  const MrtModel *m = g->model;
  g_autoptr (GHashTable) names = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean have_data = FALSE, seen_op = FALSE;
  guint off = 0;

  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (m, i);
      g->entry_offset[i] = off;
      off += n->n_outputs;
      if (n->name == NULL || n->name[0] == '\0')
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH, "node %u has an empty name", i);
          return FALSE;
        }
      if (strcmp (n->op, "null") == 0)
        {
          if (n->n_inputs != 0 || n->n_outputs != 1)
            return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i, "a variable has no inputs and one output");
          if (g_hash_table_contains (names, n->name))
            return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i, "variable name used twice");
          g_hash_table_add (names, n->name);
          if (strcmp (n->name, "data") == 0)
            {
              if (seen_op)
                return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i,
                                  "the input variable must come before every operator node");
              have_data = TRUE;
              g->data_node = i;
            }
          continue;
        }
      seen_op = TRUE;
      g->defs[i] = mrt_cvm_op_lookup (n->op);
      if (g->defs[i] == NULL)
        return node_fail (error, MRT_CVM_ERROR_UNSUPPORTED, m, i, "unknown CVM operator “%s”", n->op);
      if (n->n_outputs != g->defs[i]->n_outputs)
        return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i, "has %u outputs; the operator has %u", n->n_outputs,
                          g->defs[i]->n_outputs);
      g->attrs[i] = g_new0 (MrtCvmAttrs, 1);
      if (!mrt_cvm_attrs_parse (g->defs[i], n->attrs, g->attrs[i], error))
        return node_prefix (error, m, i);
      {
        int lo, hi;
        mrt_cvm_op_arity (g->attrs[i], &lo, &hi);
        if ((int) n->n_inputs < lo || (hi >= 0 && (int) n->n_inputs > hi))
          return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i, "has %u inputs; the operator takes %d%s", n->n_inputs,
                            lo, hi == lo ? "" : " or more");
      }
      for (guint j = 0; j < n->n_inputs; j++)
        {
          MrtEntry e = n->inputs[j];
          if (e.node >= i)
            return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i,
                              "input %u refers to node %u, which does not come before it (cycle or wrong order)", j,
                              e.node);
          if (e.index >= mrt_model_node (m, e.node)->n_outputs)
            return node_fail (error, MRT_CVM_ERROR_GRAPH, m, i, "input %u uses output %u of node %u, which has %u",
                              j, e.index, e.node, mrt_model_node (m, e.node)->n_outputs);
        }
    }
  g->n_entries = off;
  if (!have_data)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH, "the graph has no input variable named “data”");
      return FALSE;
    }
  if (m->heads->len == 0)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH, "the graph has no outputs (heads)");
      return FALSE;
    }
  for (guint h = 0; h < m->heads->len; h++)
    {
      MrtEntry e = mrt_model_head (m, h);
      if (e.node >= g->n_nodes || e.index >= mrt_model_node (m, e.node)->n_outputs)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH, "output %u refers to entry [%u, %u], which does not exist",
                       h, e.node, e.index);
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
variable_shape (MrtCvmGraph *g, guint i, MrtShape *out, GError **error)
{
  MrtNode *n = mrt_model_node (g->model, i);
  MrtTensor *t = mrt_model_get_param (g->model, n->name);
  const char *attr = mrt_node_get_attr (n, "__shape__");
  MrtShape declared;

  if (attr && !mrt_shape_parse (attr, FALSE, &declared, NULL))
    return node_fail (error, MRT_CVM_ERROR_SHAPE, g->model, i, "__shape__ “%s” is not a shape", attr);
  if (t && i != g->data_node)
    {
      if (attr && !mrt_shape_equal (&declared, &t->shape))
        {
          g_autofree char *ps = mrt_shape_to_string (&t->shape);
          return node_fail (error, MRT_CVM_ERROR_PARAM, g->model, i, "parameter shape %s differs from declared %s",
                            ps, attr);
        }
      *out = t->shape;
    }
  else if (attr)
    *out = declared;
  else
    return node_fail (error, MRT_CVM_ERROR_SHAPE, g->model, i, "variable has no shape (set __shape__)");
  if (!check_limits (out, error))
    return node_prefix (error, g->model, i);
  return TRUE;
}

static gboolean
variable_precision (MrtCvmGraph *g, guint i, int *out, GError **error)
{
  MrtNode *n = mrt_model_node (g->model, i);
  const char *s = mrt_node_get_attr (n, "precision");
  gint64 p;
  if (s == NULL)
    return node_fail (error, MRT_CVM_ERROR_PRECISION, g->model, i, "variable has no precision");
  if (!mrt_cvm_parse_int (s, &p) || p < 1 || p > MRT_CVM_MAX_PRECISION)
    return node_fail (error, MRT_CVM_ERROR_PRECISION, g->model, i, "precision “%s” is not in 1..32", s);
  *out = (int) p;
  return TRUE;
}

static gboolean
analyse_tensors (MrtCvmGraph *g, GError **error)
{
  const MrtModel *m = g->model;
  MrtShape in[64];
  int prec[64];
  g_autofree MrtShape *in_heap = NULL;
  g_autofree int *prec_heap = NULL;
  guint max_in = 0;

  for (guint i = 0; i < g->n_nodes; i++)
    max_in = MAX (max_in, mrt_model_node (m, i)->n_inputs);
  MrtShape *ins = in;
  int *precs = prec;
  if (max_in > G_N_ELEMENTS (in))
    {
      ins = in_heap = g_new (MrtShape, max_in);
      precs = prec_heap = g_new (int, max_in);
    }

  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (m, i);
      guint e0 = g->entry_offset[i];
      if (g->defs[i] == NULL)
        {
          if (!variable_shape (g, i, &g->shapes[e0], error) || !variable_precision (g, i, &g->precision[e0], error))
            return FALSE;
          continue;
        }
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint e = mrt_cvm_graph_entry (g, n->inputs[j]);
          ins[j] = g->shapes[e];
          precs[j] = g->precision[e];
        }
      if (!g->defs[i]->infer_shape (g->attrs[i], ins, n->n_inputs, &g->shapes[e0], error))
        return node_prefix (error, m, i);
      for (guint k = 0; k < n->n_outputs; k++)
        if (!check_limits (&g->shapes[e0 + k], error))
          return node_prefix (error, m, i);
      if (!g->defs[i]->infer_precision (g->attrs[i], ins, precs, n->n_inputs, &g->precision[e0], error))
        return node_prefix (error, m, i);
      for (guint k = 0; k < n->n_outputs; k++)
        if (g->precision[e0 + k] < 1 || g->precision[e0 + k] > MRT_CVM_MAX_PRECISION)
          return node_fail (error, MRT_CVM_ERROR_PRECISION, m, i, "output precision %d is not in 1..32",
                            g->precision[e0 + k]);
    }
  return TRUE;
}

MrtCvmGraph *
mrt_cvm_graph_new (const MrtModel *cvm, GError **error)
{
  g_autoptr (MrtCvmGraph) g = g_new0 (MrtCvmGraph, 1);
  guint n_entries = 0;

  g->model = mrt_model_ref ((MrtModel *) cvm);
  g->n_nodes = mrt_model_n_nodes (cvm);
  if (g->n_nodes == 0)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH, "the graph has no nodes");
      return NULL;
    }
  for (guint i = 0; i < g->n_nodes; i++)
    n_entries += mrt_model_node (cvm, i)->n_outputs;
  g->defs = g_new0 (const MrtCvmOpDef *, g->n_nodes);
  g->attrs = g_new0 (MrtCvmAttrs *, g->n_nodes);
  g->entry_offset = g_new0 (guint, g->n_nodes);
  g->shapes = g_new0 (MrtShape, n_entries + 1);
  g->precision = g_new0 (int, n_entries + 1);
  if (!analyse_structure (g, error) || !analyse_tensors (g, error))
    return NULL;
  return g_steal_pointer (&g);
}
