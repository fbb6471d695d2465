/* studio-graph-groups.c: nested name-scope groups of a model's nodes.
 *
 * Every scope seen (and every scope of a scope) starts as a candidate;
 * candidates that fail the rules in the header are dropped, and the rest
 * are renumbered with each one's parent the nearest surviving enclosing
 * candidate. */
#include "studio-graph-groups.h"

#define MIN_GROUP_OPS 2
/* A group holding nearly the whole model would collapse it to one box. */
#define MAX_GROUP_SHARE 0.8

typedef struct {
  char *name;
  gint parent;  /* candidate, then group index after pruning */
  guint n_ops;
  guint first, last;
  gint keep;    /* new index, or -1 */
} Group;

struct _StudioGraphGroups {
  GArray *groups; /* Group */
  gint *group_of; /* per model node: innermost group */
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

static Group *
group_at (GArray *groups, gint g)
{
  return &g_array_index (groups, Group, g);
}

/* The candidate for a scope, created with its enclosing scopes as needed. */
static gint
candidate (GArray *groups, GHashTable *index, const char *scope)
{
  gpointer found;
  g_autofree char *outer = NULL;
  gint parent, id;

  if (g_hash_table_lookup_extended (index, scope, NULL, &found))
    return GPOINTER_TO_INT (found);
  outer = studio_graph_scope_of (scope);
  parent = outer ? candidate (groups, index, outer) : -1;
  Group grp = { g_strdup (scope), parent, 0, G_MAXUINT, 0, -1 };
  id = (gint) groups->len;
  g_array_append_val (groups, grp);
  g_hash_table_insert (index, g_strdup (scope), GINT_TO_POINTER (id));
  return id;
}

/* Scopes of operators, then parameters adopt their consumers' group. */
static void
assign_scopes (StudioGraphGroups *self, const MrtModel *model)
{
  g_autoptr (GHashTable) index = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < self->n_nodes; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      g_autofree char *scope = NULL;
      if (!mrt_node_is_variable (n) && (scope = studio_graph_scope_of (n->name)))
        self->group_of[i] = candidate (self->groups, index, scope);
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
  for (guint i = 0; i < self->n_nodes; i++)
    self->group_of[i] = MAX (self->group_of[i], -1);
}

static gboolean
holds (GArray *groups, gint inner, gint g)
{
  for (; inner >= 0; inner = group_at (groups, inner)->parent)
    if (inner == g)
      return TRUE;
  return FALSE;
}

/* A path that leaves the group and re-enters it would become a cycle once
 * the group is one box. Nodes are in topological order, so such a path only
 * runs through nodes between the group's first and last member: one pass
 * over that span marks what is reachable from the group from outside. */
static gboolean
is_convex (StudioGraphGroups *self, const MrtModel *model, gint g, gboolean *reached)
{
  Group *grp = group_at (self->groups, g);
  for (guint i = grp->first; i <= grp->last; i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      gboolean inside = holds (self->groups, self->group_of[i], g);
      reached[i] = FALSE;
      for (guint j = 0; j < n->n_inputs; j++)
        {
          guint from = n->inputs[j].node;
          gboolean from_reached = from >= grp->first && from < i && reached[from];
          if (inside && from_reached)
            return FALSE;
          if (!inside && (from_reached || holds (self->groups, self->group_of[from], g)))
            reached[i] = TRUE;
        }
    }
  return TRUE;
}

static void
count_members (StudioGraphGroups *self, const MrtModel *model, guint *total_ops)
{
  *total_ops = 0;
  for (guint i = 0; i < self->n_nodes; i++)
    {
      gboolean op = !mrt_node_is_variable (mrt_model_node (model, i));
      *total_ops += op;
      for (gint g = self->group_of[i]; g >= 0; g = group_at (self->groups, g)->parent)
        {
          Group *grp = group_at (self->groups, g);
          grp->first = MIN (grp->first, i);
          grp->last = MAX (grp->last, i);
          grp->n_ops += op;
        }
    }
}

/* Keeps the groups worth collapsing, innermost first (candidates are
 * created outer-first, so children have higher ids), and renumbers them. */
static void
prune (StudioGraphGroups *self, const MrtModel *model)
{
  g_autofree gboolean *reached = g_new0 (gboolean, MAX (self->n_nodes, 1));
  g_autofree guint *kept_child_ops = g_new0 (guint, MAX (self->groups->len, 1));
  g_autoptr (GArray) kept = g_array_new (FALSE, FALSE, sizeof (Group));
  guint total_ops;

  count_members (self, model, &total_ops);
  for (guint k = self->groups->len; k-- > 0;)
    {
      Group *grp = group_at (self->groups, (gint) k);
      gboolean keep = grp->n_ops >= MIN_GROUP_OPS && grp->n_ops <= total_ops * MAX_GROUP_SHARE &&
                      grp->n_ops != kept_child_ops[k] && is_convex (self, model, (gint) k, reached);
      if (keep)
        grp->keep = 0;
      if (grp->parent >= 0)
        kept_child_ops[grp->parent] = MAX (kept_child_ops[grp->parent], keep ? grp->n_ops : kept_child_ops[k]);
    }
  /* Renumber in candidate order, so outer groups come before their children. */
  for (guint k = 0; k < self->groups->len; k++)
    {
      Group *grp = group_at (self->groups, (gint) k);
      gint p = grp->parent;
      while (p >= 0 && group_at (self->groups, p)->keep < 0)
        p = group_at (self->groups, p)->parent;
      if (grp->keep < 0)
        continue;
      grp->keep = (gint) kept->len;
      Group copy = *grp;
      copy.parent = p >= 0 ? group_at (self->groups, p)->keep : -1;
      g_array_append_val (kept, copy);
      grp->name = NULL; /* moved */
    }
  for (guint i = 0; i < self->n_nodes; i++)
    {
      gint g = self->group_of[i];
      while (g >= 0 && group_at (self->groups, g)->keep < 0)
        g = group_at (self->groups, g)->parent;
      self->group_of[i] = g >= 0 ? group_at (self->groups, g)->keep : -1;
    }
  g_array_set_size (self->groups, 0);
  g_array_append_vals (self->groups, kept->data, kept->len);
}

StudioGraphGroups *
studio_graph_groups_new (const MrtModel *model)
{
  StudioGraphGroups *self = g_new0 (StudioGraphGroups, 1);

  self->n_nodes = mrt_model_n_nodes (model);
  self->groups = g_array_new (FALSE, FALSE, sizeof (Group));
  g_array_set_clear_func (self->groups, group_clear);
  self->group_of = g_new (gint, MAX (self->n_nodes, 1));
  for (guint i = 0; i < self->n_nodes; i++)
    self->group_of[i] = -1;
  assign_scopes (self, model);
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

gint
studio_graph_groups_get_parent (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, -1);
  return group_at (self->groups, (gint) group)->parent;
}

gboolean
studio_graph_groups_contains (const StudioGraphGroups *self, guint group, guint node)
{
  return node < self->n_nodes && holds (self->groups, self->group_of[node], (gint) group);
}

gint
studio_graph_groups_box_of (const StudioGraphGroups *self, guint node, const gboolean *collapsed)
{
  gint box = -1;
  if (!collapsed || node >= self->n_nodes)
    return -1;
  for (gint g = self->group_of[node]; g >= 0; g = group_at (self->groups, g)->parent)
    if (collapsed[g])
      box = g;
  return box;
}

const char *
studio_graph_groups_get_name (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, NULL);
  return group_at (self->groups, (gint) group)->name;
}

guint
studio_graph_groups_get_n_ops (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, 0);
  return group_at (self->groups, (gint) group)->n_ops;
}

guint
studio_graph_groups_get_last (const StudioGraphGroups *self, guint group)
{
  g_return_val_if_fail (group < self->groups->len, 0);
  return group_at (self->groups, (gint) group)->last;
}
