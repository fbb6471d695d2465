/* mrt-cvm-storage.c: storage plans (one buffer id per entry): the planner,
 * the soundness check and the "__storage_id__" node attributes. */
#include "mrt-cvm-check.h"

#include <string.h>

#define STORAGE_CAP (G_GUINT64_CONSTANT (1) << 32)

/* Per entry: index of the last node reading it (-1: none). */
static gint *
last_uses (const MrtCvmGraph *g)
{
  gint *last = g_new (gint, g->n_entries + 1);
  for (guint e = 0; e < g->n_entries; e++)
    last[e] = -1;
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      for (guint j = 0; j < n->n_inputs; j++)
        last[mrt_cvm_graph_entry (g, n->inputs[j])] = (gint) i;
    }
  return last;
}

static gboolean *
head_mask (const MrtCvmGraph *g)
{
  gboolean *head = g_new0 (gboolean, g->n_entries + 1);
  for (guint h = 0; h < g->model->heads->len; h++)
    head[mrt_cvm_graph_entry (g, mrt_model_head (g->model, h))] = TRUE;
  return head;
}

/* Inputs an in-place op may overwrite: input 0, or both for elemwise add/sub. */
static guint
in_place_inputs (const MrtCvmGraph *g, guint i)
{
  if (!g->defs[i] || !g->defs[i]->in_place)
    return 0;
  return g->defs[i]->min_inputs == 2 ? 2 : 1;
}

/* ---- planner ---------------------------------------------------------- */

typedef struct {
  int id;
  gint64 size;
} FreeBuf;

int *
mrt_cvm_graph_plan_storage (const MrtCvmGraph *g)
{
  g_autofree gint *last = last_uses (g);
  g_autofree gboolean *head = head_mask (g);
  g_autofree gboolean *moved = g_new0 (gboolean, g->n_entries + 1);
  g_autoptr (GArray) pool = g_array_new (FALSE, FALSE, sizeof (FreeBuf));
  g_autoptr (GArray) sizes = g_array_new (FALSE, FALSE, sizeof (gint64));
  int *ids = g_new (int, g->n_entries + 1);
  int next = 0;

  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      guint e0 = g->entry_offset[i];
      if (g->defs[i] == NULL)
        continue;
      for (guint k = 0; k < n->n_outputs; k++)
        {
          guint e = e0 + k;
          gint64 need = mrt_shape_size (&g->shapes[e]);
          int id = -1;
          /* in place: take over an operator input that dies here */
          for (guint j = 0; k == 0 && j < in_place_inputs (g, i) && id < 0; j++)
            {
              guint src = mrt_cvm_graph_entry (g, n->inputs[j]);
              if (g->defs[n->inputs[j].node] && !head[src] && last[src] == (gint) i && !moved[src] &&
                  mrt_shape_size (&g->shapes[src]) == need)
                {
                  id = ids[src];
                  moved[src] = TRUE;
                }
            }
          if (id < 0 && pool->len > 0)
            {
              /* best fit; otherwise grow the largest free buffer */
              guint best = G_MAXUINT, largest = 0;
              for (guint b = 0; b < pool->len; b++)
                {
                  FreeBuf *fb = &g_array_index (pool, FreeBuf, b);
                  if (fb->size >= need && (best == G_MAXUINT || fb->size < g_array_index (pool, FreeBuf, best).size))
                    best = b;
                  if (fb->size > g_array_index (pool, FreeBuf, largest).size)
                    largest = b;
                }
              if (best == G_MAXUINT)
                best = largest;
              id = g_array_index (pool, FreeBuf, best).id;
              g_array_remove_index_fast (pool, best);
            }
          if (id < 0)
            {
              gint64 zero = 0;
              id = next++;
              g_array_append_val (sizes, zero);
            }
          g_array_index (sizes, gint64, id) = MAX (g_array_index (sizes, gint64, id), need);
          ids[e] = id;
        }
      /* release inputs read for the last time, then outputs nobody reads */
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint src = mrt_cvm_graph_entry (g, n->inputs[j]);
          gboolean dup = FALSE;
          for (guint q = 0; q < j; q++)
            dup |= mrt_cvm_graph_entry (g, n->inputs[q]) == src;
          if (!dup && g->defs[n->inputs[j].node] && !head[src] && last[src] == (gint) i && !moved[src])
            {
              FreeBuf fb = { ids[src], g_array_index (sizes, gint64, ids[src]) };
              g_array_append_val (pool, fb);
            }
        }
      for (guint k = 0; k < n->n_outputs; k++)
        if (last[e0 + k] < 0 && !head[e0 + k])
          {
            FreeBuf fb = { ids[e0 + k], g_array_index (sizes, gint64, ids[e0 + k]) };
            g_array_append_val (pool, fb);
          }
    }
  /* variables last, each with its own buffer */
  for (guint i = 0; i < g->n_nodes; i++)
    if (g->defs[i] == NULL)
      ids[g->entry_offset[i]] = next++;
  return ids;
}

int *
mrt_cvm_plan_storage (const MrtModel *cvm, GError **error)
{
  g_autoptr (MrtCvmGraph) g = mrt_cvm_graph_new (cvm, error);
  return g ? mrt_cvm_graph_plan_storage (g) : NULL;
}

/* ---- soundness -------------------------------------------------------- */

typedef struct {
  const MrtCvmGraph *g;
  guint *node_of; /* per entry */
  char buf[2][256];
} Names;

static const char *
entry_desc (Names *nm, int which, guint e)
{
  guint i = nm->node_of[e];
  const char *end;
  g_snprintf (nm->buf[which], sizeof nm->buf[which], "entry %u (node %u “%s”)", e, i,
              mrt_model_node (nm->g->model, i)->name);
  /* a long name is cut at a byte count: never inside a character, or the
   * error message is not UTF-8 (found by fuzzing) */
  if (!g_utf8_validate (nm->buf[which], -1, &end))
    nm->buf[which][end - nm->buf[which]] = '\0';
  return nm->buf[which];
}

#define STORAGE_FAIL(i, id, ...)                                                                   \
  G_STMT_START                                                                                     \
  {                                                                                                \
    MrtNode *n_ = mrt_model_node (g->model, (i));                                                 \
    g_autofree char *msg_ = g_strdup_printf (__VA_ARGS__);                                        \
    g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_STORAGE, "node %u “%s” (%s): storage id %d: %s", (i), \
                 n_->name, n_->op, (id), msg_);                                                    \
    return FALSE;                                                                                  \
  }                                                                                                \
  G_STMT_END

gboolean
mrt_cvm_graph_check_storage (const MrtCvmGraph *g, const int *ids, guint64 *bytes, guint *n_ids, GError **error)
{
  g_autofree gint *last = last_uses (g);
  g_autofree gboolean *head = head_mask (g);
  g_autoptr (GHashTable) dense = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint *slot = g_new (guint, g->n_entries + 1);
  g_autofree guint *node_of = g_new (guint, g->n_entries + 1);
  g_autofree gint64 *size = NULL;
  g_autofree gint *owner = NULL;
  Names nm = { g, node_of, { "", "" } };
  guint n_slots = 0;
  guint64 total = 0;

  for (guint i = 0; i < g->n_nodes; i++)
    for (guint k = 0; k < mrt_model_node (g->model, i)->n_outputs; k++)
      node_of[g->entry_offset[i] + k] = i;
  for (guint e = 0; e < g->n_entries; e++)
    {
      gpointer v;
      if (ids[e] < 0)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_STORAGE, "storage id of entry %u is negative (%d)", e,
                       ids[e]);
          return FALSE;
        }
      if (!g_hash_table_lookup_extended (dense, GINT_TO_POINTER (ids[e]), NULL, &v))
        {
          v = GUINT_TO_POINTER (n_slots++);
          g_hash_table_insert (dense, GINT_TO_POINTER (ids[e]), v);
        }
      slot[e] = GPOINTER_TO_UINT (v);
    }
  size = g_new0 (gint64, n_slots + 1);
  owner = g_new (gint, n_slots + 1);
  for (guint s = 0; s < n_slots; s++)
    owner[s] = -1;
  for (guint e = 0; e < g->n_entries; e++)
    size[slot[e]] = MAX (size[slot[e]], mrt_shape_size (&g->shapes[e]));
  for (guint s = 0; s < n_slots; s++)
    total += (guint64) size[s] * 4;
  if (total > STORAGE_CAP)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_LIMIT,
                   "the storage plan needs %" G_GUINT64_FORMAT " bytes (at most 2^32)", total);
      return FALSE;
    }

  /* every variable is loaded before the first operator runs */
  for (guint i = 0; i < g->n_nodes; i++)
    if (g->defs[i] == NULL)
      {
        guint e = g->entry_offset[i];
        if (owner[slot[e]] >= 0)
          STORAGE_FAIL (i, ids[e], "variables %s and %s share a buffer", entry_desc (&nm, 0, e),
                        entry_desc (&nm, 1, (guint) owner[slot[e]]));
        owner[slot[e]] = (gint) e;
      }
  for (guint i = 0; i < g->n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (g->model, i);
      guint e0 = g->entry_offset[i];
      if (g->defs[i] == NULL)
        continue;
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint src = mrt_cvm_graph_entry (g, n->inputs[j]);
          if (owner[slot[src]] != (gint) src)
            STORAGE_FAIL (i, ids[src], "input %s was overwritten by %s before this node reads it",
                          entry_desc (&nm, 0, src), entry_desc (&nm, 1, (guint) owner[slot[src]]));
          for (guint k = 0; k < n->n_outputs; k++)
            if (slot[e0 + k] == slot[src] && !(k == 0 && j < in_place_inputs (g, i)))
              STORAGE_FAIL (i, ids[src], "output %s shares the buffer of input %s, but the operator cannot run in place",
                            entry_desc (&nm, 0, e0 + k), entry_desc (&nm, 1, src));
        }
      for (guint k = 0; k < n->n_outputs; k++)
        {
          guint e = e0 + k, s = slot[e];
          gint o = owner[s];
          for (guint q = 0; q < k; q++)
            if (slot[e0 + q] == s)
              STORAGE_FAIL (i, ids[e], "outputs %s and %s share a buffer", entry_desc (&nm, 0, e),
                            entry_desc (&nm, 1, e0 + q));
          if (o >= 0)
            {
              guint on = node_of[o];
              if (g->defs[on] == NULL && on != g->data_node)
                STORAGE_FAIL (i, ids[e], "output %s overwrites parameter %s", entry_desc (&nm, 0, e),
                              entry_desc (&nm, 1, (guint) o));
              if (head[o])
                STORAGE_FAIL (i, ids[e], "output %s overwrites graph output %s", entry_desc (&nm, 0, e),
                              entry_desc (&nm, 1, (guint) o));
              if (last[o] > (gint) i)
                STORAGE_FAIL (i, ids[e], "output %s overwrites %s, which a later node still reads",
                              entry_desc (&nm, 0, e), entry_desc (&nm, 1, (guint) o));
            }
          owner[s] = (gint) e;
        }
    }
  if (bytes)
    *bytes = total;
  if (n_ids)
    *n_ids = n_slots;
  return TRUE;
}

/* ---- node attributes -------------------------------------------------- */

gboolean
mrt_cvm_get_storage_ids (const MrtModel *cvm, int **ids, GError **error)
{
  guint n_nodes = mrt_model_n_nodes (cvm), n_with = 0, e = 0;
  g_autofree int *out = g_new (int, mrt_model_n_entries (cvm) + 1);

  *ids = NULL;
  for (guint i = 0; i < n_nodes; i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      const char *s = mrt_node_get_attr (n, "__storage_id__");
      gint64 v[MRT_CVM_MAX_TUPLE];
      int k;
      if (s == NULL)
        {
          e += n->n_outputs;
          continue;
        }
      n_with++;
      if (!mrt_cvm_parse_tuple (s, &k, v) || k != (int) n->n_outputs)
        {
          g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_STORAGE, "node %u “%s”: __storage_id__ “%s” does not give "
                       "one id per output", i, n->name, s);
          return FALSE;
        }
      for (int j = 0; j < k; j++)
        {
          if (v[j] < 0 || v[j] > G_MAXINT32)
            {
              g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_STORAGE, "node %u “%s”: storage id %" G_GINT64_FORMAT
                           " is out of range", i, n->name, v[j]);
              return FALSE;
            }
          out[e++] = (int) v[j];
        }
    }
  if (n_with == 0)
    return TRUE;
  if (n_with != n_nodes)
    {
      g_set_error (error, MRT_CVM_ERROR, MRT_CVM_ERROR_STORAGE, "only %u of %u nodes carry a storage id", n_with,
                   n_nodes);
      return FALSE;
    }
  *ids = g_steal_pointer (&out);
  return TRUE;
}

void
mrt_cvm_set_storage_ids (MrtModel *cvm, const int *ids)
{
  guint e = 0;
  for (guint i = 0; i < mrt_model_n_nodes (cvm); i++)
    {
      MrtNode *n = mrt_model_node (cvm, i);
      gint64 v[MRT_CVM_MAX_TUPLE];
      g_autofree char *s = NULL;
      if (ids == NULL)
        {
          g_hash_table_remove (n->attrs, "__storage_id__");
          continue;
        }
      for (guint k = 0; k < n->n_outputs && k < MRT_CVM_MAX_TUPLE; k++)
        v[k] = ids[e + k];
      e += n->n_outputs;
      s = mrt_attr_format_tuple (v, (int) MIN (n->n_outputs, MRT_CVM_MAX_TUPLE));
      mrt_node_set_attr (n, "__storage_id__", s);
    }
}
