/* mrt-cvm-check.c: parameters, gas, lint and the report of the full check. */
#include "mrt-cvm-check.h"

#include <stdarg.h>
#include <string.h>

#define GAS_BASE_MAX (G_GUINT64_CONSTANT (1) << 30)
#define GAS_OPS_MAX (G_GUINT64_CONSTANT (1) << 40)
#define GAS_MEM_MAX (G_GUINT64_CONSTANT (1) << 40)

void
mrt_cvm_report_clear (MrtCvmReport *report)
{
  if (report && report->warnings)
    g_ptr_array_unref (report->warnings);
  if (report)
    memset (report, 0, sizeof *report);
}

static void
lint_free (gpointer p)
{
  MrtCvmLint *l = p;
  g_free (l->message);
  g_free (l);
}

/* ---- parameters ------------------------------------------------------- */

gboolean
mrt_cvm_graph_check_params (const MrtCvmGraph *g, GError **error)
{
  const MrtModel *m = g->model;
  GHashTableIter it;
  gpointer k, v;

  g_hash_table_iter_init (&it, m->params);
  while (g_hash_table_iter_next (&it, &k, &v))
    {
      gint idx = mrt_model_find (m, k);
      if (idx < 0 || g->defs[idx] != NULL)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM, "parameter “%s” is not a variable of the graph",
                       (const char *) k);
          return FALSE;
        }
    }
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (m, i);
      MrtTensor *t;
      guint e = g->entry_offset[i];
      gint64 r;
      if (g->defs[i] != NULL || i == g->data_node)
        continue;
      t = mrt_model_get_param (m, n->name);
      if (t == NULL)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM, "parameter “%s” is missing", n->name);
          return FALSE;
        }
      if (t->dtype != MRT_DTYPE_I32 && t->dtype != MRT_DTYPE_I8)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM, "parameter “%s” is %s; CVM takes int32 or int8",
                       n->name, mrt_dtype_name (t->dtype));
          return FALSE;
        }
      if (!mrt_shape_equal (&t->shape, &g->shapes[e]))
        {
          g_autofree char *ts = mrt_shape_to_string (&t->shape);
          g_autofree char *ds = mrt_shape_to_string (&g->shapes[e]);
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM, "parameter “%s” has shape %s, declared %s", n->name,
                       ts, ds);
          return FALSE;
        }
      r = mrt_cvm_range (g->precision[e]);
      for (gsize j = 0; j < t->n; j++)
        {
          gint64 x = t->dtype == MRT_DTYPE_I32 ? mrt_tensor_i32 (t)[j] : ((const gint8 *) t->data)[j];
          if (x > r || x < -r)
            {
              g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_PARAM,
                           "parameter “%s” at index %" G_GSIZE_FORMAT " value %" G_GINT64_FORMAT
                           " exceeds its precision %d", n->name, j, x, g->precision[e]);
              return FALSE;
            }
        }
    }
  return TRUE;
}

/* ---- gas (§4.4) ------------------------------------------------------- */

gboolean
mrt_cvm_graph_gas (const MrtCvmGraph *g, guint64 *ops_out, guint64 *mem_out, GError **error)
{
  guint64 ops = 0, mem = 0;
  MrtShape in[64];

  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      guint e0 = g->entry_offset[i];
      if (g->defs[i] == NULL)
        mem += 5 * (guint64) mrt_shape_size (&g->shapes[e0]);
      else
        {
          guint64 base = 1;
          if (g->defs[i]->gas_base)
            {
              g_autofree MrtShape *heap = n->n_inputs > G_N_ELEMENTS (in) ? g_new (MrtShape, n->n_inputs) : NULL;
              MrtShape *ins = heap ? heap : in;
              for (guint j = 0; j < n->n_inputs; j++)
                ins[j] = g->shapes[mrt_cvm_graph_entry (g, n->inputs[j])];
              base = g->defs[i]->gas_base (g->attrs[i], ins, n->n_inputs, &g->shapes[e0]);
            }
          if (base > GAS_BASE_MAX)
            {
              g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                           "node %u “%s” (%s): cost %" G_GUINT64_FORMAT " per element exceeds 2^30", i, n->name, n->op,
                           base);
              return FALSE;
            }
          ops += base * (guint64) mrt_shape_size (&g->shapes[e0]);
          if (ops > GAS_OPS_MAX)
            {
              g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                           "node %u “%s” (%s): the model needs more than 2^40 operations", i, n->name, n->op);
              return FALSE;
            }
          for (guint k = 0; k < n->n_outputs; k++)
            mem += 5 * (guint64) mrt_shape_size (&g->shapes[e0 + k]);
        }
      if (mem > GAS_MEM_MAX)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                       "node %u “%s”: the model's memory cost exceeds 2^40", i, n->name);
          return FALSE;
        }
    }
  *ops_out = ops;
  *mem_out = mem;
  return TRUE;
}

/* ---- lint ------------------------------------------------------------- */

G_GNUC_PRINTF (4, 5) static void
lint_add (GPtrArray *list, MrtCvmLintKind kind, guint node, const char *fmt, ...)
{
  MrtCvmLint *l = g_new0 (MrtCvmLint, 1);
  va_list ap;
  va_start (ap, fmt);
  l->kind = kind;
  l->node = node;
  l->message = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_ptr_array_add (list, l);
}

static gint64
rows_of (const MrtShape *s)
{
  return mrt_shape_size (s) / s->dim[s->ndim - 1];
}

static void
lint (const MrtCvmGraph *g, const char *postprocess, GPtrArray *list)
{
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      const MrtCvmOpDef *def = g->defs[i];
      const MrtCvmAttrs *a = g->attrs[i];
      if (def == NULL)
        continue;
      if (strcmp (def->name, "cvm_left_shift") == 0)
        lint_add (list, MRT_CVM_LINT_LEFT_SHIFT, i,
                  "node %u “%s”: cvm_left_shift fails on the upstream CPU runtime (its kernel throws)", i, n->name);
      else if (strcmp (def->name, "cvm_right_shift") == 0)
        {
          gint64 p = a->v[mrt_cvm_attr_index (def, "precision")].i, b = a->v[mrt_cvm_attr_index (def, "shift_bit")].i;
          if (b >= 31 || p + b >= 32)
            lint_add (list, MRT_CVM_LINT_RIGHT_SHIFT_WIDE, i,
                      "node %u “%s”: cvm_right_shift with shift_bit %" G_GINT64_FORMAT " and precision %" G_GINT64_FORMAT
                      " gives different results on the upstream CPU runtime", i, n->name, b, p);
        }
      else if (strcmp (def->name, "where") == 0)
        {
          guint ec = mrt_cvm_graph_entry (g, n->inputs[0]), ex = mrt_cvm_graph_entry (g, n->inputs[1]);
          guint ey = mrt_cvm_graph_entry (g, n->inputs[2]);
          if (!mrt_shape_equal (&g->shapes[ec], &g->shapes[ex]))
            lint_add (list, MRT_CVM_LINT_WHERE_1D, i,
                      "node %u “%s”: where with a 1-D condition is computed wrongly by the upstream kernels", i, n->name);
          if (g->precision[ec] < MAX (g->precision[ex], g->precision[ey]))
            lint_add (list, MRT_CVM_LINT_WHERE_PRECISION, i,
                      "node %u “%s”: where takes the condition's precision %d, below its values' %d", i, n->name,
                      g->precision[ec], MAX (g->precision[ex], g->precision[ey]));
        }
      else if (strcmp (def->name, "max") == 0 && a->v[mrt_cvm_attr_index (def, "axis")].n == 0)
        lint_add (list, MRT_CVM_LINT_MAX_EMPTY_AXIS, i,
                  "node %u “%s”: max with axis=() starts from 0, so all-negative data gives 0", i, n->name);
      else if (strcmp (def->name, "non_max_suppression") == 0)
        lint_add (list, MRT_CVM_LINT_NMS_BACKEND, i,
                  "node %u “%s”: the upstream CPU and FORMAL non_max_suppression may disagree", i, n->name);
    }
  if (strcmp (postprocess, "argmax") == 0)
    for (guint h = 0; h < g->model->heads->len; h++)
      if (rows_of (&g->shapes[mrt_cvm_graph_entry (g, mrt_model_head (g->model, h))]) > 1)
        {
          lint_add (list, MRT_CVM_LINT_ARGMAX_ROWS, G_MAXUINT,
                    "postprocess “argmax” is only computed right for a single row");
          break;
        }
}

/* ---- the full check --------------------------------------------------- */

static const char *
postprocess_of (const MrtCvmGraph *g)
{
  const char *p = mrt_node_get_attr (mrt_model_node (g->model, g->data_node), "__postprocess__");
  return p ? p : "";
}

gboolean
mrt_cvm_graph_check (const MrtCvmGraph *g, MrtCvmReport *report, int **storage_ids, GError **error)
{
  g_autofree int *ids = NULL;
  MrtCvmReport r = { 0 };
  const char *post = postprocess_of (g);
  gint64 rows = -1;
  guint64 out_values = 0;

  if (strcmp (post, "") != 0 && strcmp (post, "argmax") != 0 && strcmp (post, "detection") != 0)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_UNSUPPORTED, "postprocess “%s” is not supported", post);
      return FALSE;
    }
  if (!mrt_cvm_graph_check_params (g, error))
    return FALSE;
  if (!mrt_cvm_get_storage_ids (g->model, &ids, error))
    return FALSE;
  if (ids == NULL)
    ids = mrt_cvm_graph_plan_storage (g);
  if (!mrt_cvm_graph_check_storage (g, ids, &r.storage_bytes, &r.n_storage_ids, error))
    return FALSE;
  if (!mrt_cvm_graph_gas (g, &r.ops, &r.mem, error))
    return FALSE;
  r.gas = r.ops + r.mem;

  for (guint h = 0; h < g->model->heads->len; h++)
    {
      guint e = mrt_cvm_graph_entry (g, mrt_model_head (g->model, h));
      gint64 hr = rows_of (&g->shapes[e]);
      if (rows >= 0 && hr != rows && g->model->heads->len > 1)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_GRAPH,
                       "outputs have different row counts (%" G_GINT64_FORMAT " and %" G_GINT64_FORMAT
                       "); the runtime interleaves rows and cannot run this graph", rows, hr);
          return FALSE;
        }
      rows = hr;
      r.output_precision = MAX (r.output_precision, g->precision[e]);
      out_values += strcmp (post, "argmax") == 0 ? (guint64) hr : (guint64) mrt_shape_size (&g->shapes[e]);
    }
  r.input_precision = g->precision[g->entry_offset[g->data_node]];
  r.input_type_size = r.input_precision <= 8 ? 1 : 4;
  r.input_bytes = (guint64) mrt_shape_size (&g->shapes[g->entry_offset[g->data_node]]) * r.input_type_size;
  r.output_type_size = post[0] != '\0' || r.output_precision > 8 ? 4 : 1;
  r.output_bytes = out_values * r.output_type_size;

  if (report)
    {
      r.warnings = g_ptr_array_new_with_free_func (lint_free);
      lint (g, post, r.warnings);
      *report = r;
    }
  if (storage_ids)
    *storage_ids = g_steal_pointer (&ids);
  return TRUE;
}

gboolean
mrt_cvm_check (const MrtModel *cvm, MrtCvmReport *report, GError **error)
{
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (cvm, error);
  return g && mrt_cvm_graph_check (g, report, NULL, error);
}
