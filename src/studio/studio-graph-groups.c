/* studio-graph-groups.c: name-scope groups of a model's nodes. */
#include "studio-graph-groups.h"

#define MIN_GROUP_OPS 2

typedef struct {
  char *name;
  guint n_ops;
  guint last;
} Group;

struct _StudioGraphGroups {
  GArray *groups; /* Group */
  gint *group_of; /* per model node */
  guint n_nodes;
};

char *
studio_graph_scope_of (const char *name)
{
  gsize len = strlen (name);
  const char *cut;

  while (len > 0 && g_ascii_isdigit (name[len - 1]))
    len--;
  cut = g_strrstr_len (name, (gssize) len, "_");
  if (!cut || cut == name)
    return NULL;
  return g_strndup (name, cut - name);
}

static void
group_clear (gpointer p)
{
  g_free (((Group *) p)->name);
}

/* A path that leaves the group and re-enters it would become a cycle once
 * the group is one box. Nodes are in topological order, so such a path only
 * runs through nodes between the group's first and last member: one pass
 * over that span marks what is reachable from the group from outside. */
static gboolean
is_convex (const MrtModel *model, const gint *group_of, gint g, guint first, guint last, gboolean *reached)
{
  gboolean convex = TRUE;
  for (guint i = first; i <= last && convex; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      gboolean inside = group_of[i] == g;
      reached[i] = FALSE;
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint from = n->inputs[j].node;
          gboolean from_inside = group_of[from] == g;
          gboolean from_reached = from >= first && from < i && reached[from];
          if (inside && from_reached)
            convex = FALSE;
          else if (!inside && (from_inside || from_reached))
            reached[i] = TRUE;
        }
    }
  return convex;
}

/* Scopes of operators, then parameters adopt their consumers' group. */
static void
assign_scopes (StudioGraphGroups *self, const MrtModel *model, GHashTable *index)
{
  for (guint i = 0; i < self->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      g_autofree char *scope = NULL;
      gpointer found;
      if (mrt_node_is_variable (n) || !(scope = studio_graph_scope_of (n->name)))
        continue;
      if (!g_hash_table_lookup_extended (index, scope, NULL, &found))
        {
          Group grp = { g_strdup (scope), 0, i };
          found = GUINT_TO_POINTER (self->groups->len);
          g_array_append_val (self->groups, grp);
          g_hash_table_insert (index, g_steal_pointer (&scope), found);
        }
      self->group_of[i] = (gint) GPOINTER_TO_UINT (found);
    }
  for (guint i = 0; i < self->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint from = n->inputs[j].node;
          if (!mrt_model_is_param (model, from))
            continue;
          /* -2: feeds operators of several groups, so it belongs to none. */
          if (self->group_of[from] == -1)
            self->group_of[from] = self->group_of[i];
          else if (self->group_of[from] != self->group_of[i])
            self->group_of[from] = -2;
        }
    }
}

/* Keeps the groups worth collapsing and renumbers them densely. */
static void
prune (StudioGraphGroups *self, const MrtModel *model)
{
  g_autofree guint *first = g_new (guint, self->groups->len);
  g_autofree gint *remap = g_new (gint, self->groups->len);
  g_autofree gboolean *reached = g_new0 (gboolean, MAX (self->n_nodes, 1));
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (Group));

  for (guint g = 0; g < self->groups->len; g++)
    first[g] = G_MAXUINT;
  for (guint i = 0; i < self->n_nodes; i++)
    {
      gint g = self->group_of[i];
      if (g < 0)
        continue;
      Group *grp = &g_array_index (self->groups, Group, g);
      first[g] = MIN (first[g], i);
      grp->last = i;
      grp->n_ops += !mrt_node_is_variable (mrt_model_node (model, i));
    }
  for (guint g = 0; g < self->groups->len; g++)
    {
      Group *grp = &g_array_index (self->groups, Group, g);
      remap[g] = -1;
      if (grp->n_ops < MIN_GROUP_OPS || !is_convex (model, self->group_of, (gint) g, first[g], grp->last, reached))
        continue;
      remap[g] = (gint) kept->len;
      g_array_append_val (kept, *grp);
      grp->name = NULL; /* moved */
    }
  for (guint i = 0; i < self->n_nodes; i++)
    self->group_of[i] = self->group_of[i] < 0 ? -1 : remap[self->group_of[i]];
  g_array_set_size (self->groups, 0);
  g_array_append_vals (self->groups, kept->data, kept->len);
}

StudioGraphGroups *
studio_graph_groups_new (const MrtModel *model)
{
  StudioGraphGroups *self = g_new0 (StudioGraphGroups, 1);
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  self->n_nodes = mrt_model_n_nodes (model);
  self->groups = g_array_new (FALSE, FALSE, sizeof (Group));
  g_array_set_clear_func (self->groups, group_clear);
  self->group_of = g_new (gint, MAX (self->n_nodes, 1));
  for (guint i = 0; i < self->n_nodes; i++)
    self->group_of[i] = -1;
  assign_scopes (self, model, index);
  prune (self, model);
  return self;
}

void
studio_graph_groups_free (StudioGraphGroups *self)
{
  if (!self)
    return;
  g_array_unref (self->groups);
  g_free (self->group_of);
  g_free (self);
}

guint
studio_graph_groups_get_n (const StudioGraphGroups *self)
{
  return self->groups->len;
}

gint
studio_graph_groups_of (const StudioGraphGroups *self, guint node)
{
  return node < self->n_nodes ? self->group_of[node] : -1;
}

const char *
studio_graph_groups_get_name (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, NULL);
  return g_array_index (self->groups, Group, group).name;
}

guint
studio_graph_groups_get_n_ops (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, 0);
  return g_array_index (self->groups, Group, group).n_ops;
}

guint
studio_graph_groups_get_last (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, 0);
  return g_array_index (self->groups, Group, group).last;
}
