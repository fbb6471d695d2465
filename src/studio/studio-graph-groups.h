/* studio-graph-groups.h: nested groups of model nodes that the canvas can
 * collapse into one box, found from MXNet's name scopes. GTK-free.
 *
 * A node's scope is its name without trailing digits, up to the last '_':
 * "stage1_unit2_conv1" and "stage1_unit2_bn1" are both in "stage1_unit2",
 * whose own scope is "stage1", so unit groups nest in stage groups.
 * Parameters join the innermost group of the operator they feed. A scope
 * becomes a group when it holds at least two operators, is convex (no path
 * leaves it and comes back, so a collapsed group never makes the drawn
 * graph cyclic) and differs from the group inside it. */
#pragma once

#include "mrt-model.h"

G_BEGIN_DECLS

typedef struct _StudioGraphGroups StudioGraphGroups;

StudioGraphGroups *studio_graph_groups_new (const MrtModel *model);
void studio_graph_groups_free (StudioGraphGroups *groups);

guint studio_graph_groups_get_n (const StudioGraphGroups *groups);
/* Innermost group of a model node, or -1. */
gint studio_graph_groups_of (const StudioGraphGroups *groups, guint node);
/* The group a group is nested in, or -1. */
gint studio_graph_groups_get_parent (const StudioGraphGroups *groups, guint group);
/* Does `group` hold the node (directly or through a nested group)? */
gboolean studio_graph_groups_contains (const StudioGraphGroups *groups, guint group, guint node);
/* The group whose box shows the node, given one collapsed flag per group:
 * the outermost collapsed group holding it, or -1 when none is. */
gint studio_graph_groups_box_of (const StudioGraphGroups *groups, guint node, const gboolean *collapsed);
const char *studio_graph_groups_get_name (const StudioGraphGroups *groups, guint group);
/* Operators (not parameters) in the group, nested groups included. */
guint studio_graph_groups_get_n_ops (const StudioGraphGroups *groups, guint group);
/* The group's last node in graph order: what its box stands for. */
guint studio_graph_groups_get_last (const StudioGraphGroups *groups, guint group);

/* The scope rule on its own; NULL when the name has none. */
char *studio_graph_scope_of (const char *name);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (StudioGraphGroups, studio_graph_groups_free)

G_END_DECLS
