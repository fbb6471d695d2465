/* studio-graph-view-decor.c: what decorates the canvas boxes: search hits,
 * split keys and the base / top parts they cut, hand-set thresholds, and
 * the overlay colours; plus the name-scope groups and the search itself. */
#include "config.h"

#include "studio-graph-view-private.h"

#include <glib/gi18n.h>
#include <math.h>

/* Past this many operators a graph opens with its groups collapsed. */
#define AUTO_COLLAPSE_OPS 600

/* ---- marks --------------------------------------------------------------- */

static void
mark_node (StudioGraphView *self, guint node, guint8 mark)
{
  gint s = studio_graph_scene_lookup (self->scene, node);
  if (s >= 0)
    self->marks[s] |= mark;
}

static void
mark_matches (StudioGraphView *self)
{
  for (guint k = 0; self->matches && k < self->matches->len; k++)
    mark_node (self, g_array_index (self->matches, guint, k),
               STUDIO_SCENE_MARK_MATCH | ((gint) k == self->current_match ? STUDIO_SCENE_MARK_CURRENT : 0));
}

/* MRT's base is everything the keys depend on (§4.2), the top the rest. */
static void
mark_split (StudioGraphView *self, GPtrArray *keys)
{
  guint n = mrt_model_n_nodes (self->shown);
  g_autofree gboolean *base = g_new0 (gboolean, MAX (n, 1));
  gboolean any = FALSE;

  for (guint k = 0; k < keys->len; k++)
    {
      gint node = mrt_model_find (self->shown, g_ptr_array_index (keys, k));
      if (node < 0)
        continue;
      base[node] = any = TRUE;
      mark_node (self, (guint) node, STUDIO_SCENE_MARK_SPLIT_KEY);
    }
  if (!any)
    return;
  /* Nodes are in topological order: one backward pass finds the ancestors. */
  for (guint i = n; i-- > 0;)
    {
      const MrtNode *nd = mrt_model_node (self->shown, i);
      for (guint j = 0; base[i] && j < nd->n_inputs; j++)
        base[nd->inputs[j].node] = TRUE;
    }
  for (guint i = 0; i < n; i++)
    {
      gint s = studio_graph_scene_lookup (self->scene, i);
      if (s < 0)
        continue;
      /* A collapsed group cut in the middle counts as base: it holds a key. */
      if (base[i])
        self->marks[s] = (self->marks[s] & ~STUDIO_SCENE_MARK_TOP) | STUDIO_SCENE_MARK_BASE;
      else if (!(self->marks[s] & STUDIO_SCENE_MARK_BASE))
        self->marks[s] |= STUDIO_SCENE_MARK_TOP;
    }
}

static void
mark_project (StudioGraphView *self)
{
  g_autoptr (GPtrArray) keys = NULL;
  g_autoptr (GHashTable) overrides = NULL;
  GHashTableIter it;
  gpointer name;

  if (!self->project)
    return;
  keys = studio_project_get_split_keys (self->project);
  mark_split (self, keys);
  overrides = studio_project_get_thresholds (self->project);
  g_hash_table_iter_init (&it, overrides);
  while (g_hash_table_iter_next (&it, &name, NULL))
    {
      gint node = mrt_model_find (self->shown, name);
      if (node >= 0)
        mark_node (self, (guint) node, STUDIO_SCENE_MARK_OVERRIDE);
    }
}

/* ---- overlay values ------------------------------------------------------- */

static double
lookup_double (GHashTable *table, const char *name)
{
  double *v = table ? g_hash_table_lookup (table, name) : NULL;
  return v ? *v : NAN;
}

/* The overlay's value for each node of the shown graph, NAN when unknown. */
static double *
node_values (StudioGraphView *self)
{
  guint n = mrt_model_n_nodes (self->shown);
  double *values = g_new (double, MAX (n, 1));
  MrtState *st = self->state;
  g_autoptr (GHashTable) overrides = self->project ? studio_project_get_thresholds (self->project) : NULL;
  g_autoptr (GHashTable) sqnr = NULL;

  if (self->overlay == STUDIO_OVERLAY_SQNR && st && st->evaluation && st->evaluation->layers)
    {
      sqnr = g_hash_table_new (g_str_hash, g_str_equal);
      for (guint k = 0; k < st->evaluation->layers->len; k++)
        {
          MrtLayerError *le = g_ptr_array_index (st->evaluation->layers, k);
          g_hash_table_insert (sqnr, le->name, &le->sqnr_db);
        }
    }
  for (guint i = 0; i < n; i++)
    {
      const char *name = mrt_model_node (self->shown, i)->name;
      double v = NAN;
      switch (self->overlay)
        {
        case STUDIO_OVERLAY_PRECISION:
          if (st && st->quantized)
            {
              int *p = g_hash_table_lookup (st->quantized->prec, name);
              v = p ? *p : NAN;
            }
          break;
        case STUDIO_OVERLAY_THRESHOLD:
          v = lookup_double (overrides, name);
          if (isnan (v) && st)
            v = lookup_double (st->thresholds, name);
          break;
        case STUDIO_OVERLAY_SQNR:
          v = lookup_double (sqnr, name);
          break;
        case STUDIO_OVERLAY_NONE:
        default:
          break;
        }
      values[i] = v;
    }
  return values;
}

/* One value per box: a collapsed group shows its worst member (lowest
 * SQNR) or its largest value (precision, threshold). */
static double *
scene_values (StudioGraphView *self, const double *values)
{
  guint n = studio_graph_scene_get_n_nodes (self->scene);
  double *out = g_new (double, MAX (n, 1));

  for (guint s = 0; s < n; s++)
    out[s] = NAN;
  for (guint i = 0; i < mrt_model_n_nodes (self->shown); i++)
    {
      gint s = studio_graph_scene_lookup (self->scene, i);
      if (s < 0 || isnan (values[i]))
        continue;
      if (isnan (out[s]))
        out[s] = values[i];
      else if (self->overlay == STUDIO_OVERLAY_SQNR)
        out[s] = MIN (out[s], values[i]);
      else
        out[s] = MAX (out[s], values[i]);
    }
  return out;
}

void
studio_graph_view_update_decor (StudioGraphView *self)
{
  guint n = self->scene ? studio_graph_scene_get_n_nodes (self->scene) : 0;

  g_clear_pointer (&self->marks, g_free);
  g_clear_pointer (&self->colors, g_free);
  studio_legend_clear (&self->legend);
  self->has_legend = FALSE;
  gtk_widget_queue_draw (GTK_WIDGET (self));
  if (!self->scene)
    return;
  self->marks = g_new0 (guint8, MAX (n, 1));
  mark_matches (self);
  mark_project (self);
  if (self->overlay != STUDIO_OVERLAY_NONE)
    {
      g_autofree double *values = node_values (self);
      g_autofree double *per_box = scene_values (self, values);
      studio_graph_view_build_legend (self, per_box, n);
    }
  else
    studio_graph_view_build_legend (self, NULL, n);
}

void
studio_graph_view_set_overlay (StudioGraphView *self, StudioOverlay overlay)
{
  static const char *const labels[] = { N_("Color: Op Type"), N_("Color: Precision"), N_("Color: Threshold"),
                                        N_("Color: SQNR") };
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  g_return_if_fail (overlay <= STUDIO_OVERLAY_SQNR);
  if (overlay == self->overlay)
    return;
  self->overlay = overlay;
  gtk_menu_button_set_label (GTK_MENU_BUTTON (self->overlay_button), _(labels[overlay]));
  studio_graph_view_update_decor (self);
  g_object_notify (G_OBJECT (self), "overlay");
  g_signal_emit_by_name (self, "scene-changed");
}

StudioOverlay
studio_graph_view_get_overlay (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), STUDIO_OVERLAY_NONE);
  return self->overlay;
}

/* ---- groups ------------------------------------------------------------------ */

void
studio_graph_view_reset_groups (StudioGraphView *self)
{
  guint n_ops = 0;

  g_clear_pointer (&self->groups, studio_graph_groups_free);
  g_clear_pointer (&self->collapsed, g_free);
  if (!self->shown)
    return;
  self->groups = studio_graph_groups_new (self->shown);
  self->collapsed = g_new0 (gboolean, MAX (studio_graph_groups_get_n (self->groups), 1));
  for (guint i = 0; i < mrt_model_n_nodes (self->shown); i++)
    n_ops += !mrt_node_is_variable (mrt_model_node (self->shown, i));
  /* Thousands of boxes are unreadable at any zoom: start from the outline. */
  if (n_ops > AUTO_COLLAPSE_OPS)
    for (guint g = 0; g < studio_graph_groups_get_n (self->groups); g++)
      self->collapsed[g] = TRUE;
}

guint
studio_graph_view_get_n_groups (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->groups ? studio_graph_groups_get_n (self->groups) : 0;
}

gint
studio_graph_view_get_group_of (StudioGraphView *self, guint node)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), -1);
  return self->groups ? studio_graph_groups_of (self->groups, node) : -1;
}

const char *
studio_graph_view_get_group_name (StudioGraphView *self, guint group)
{
  g_return_val_if_fail (group < studio_graph_view_get_n_groups (self), NULL);
  return studio_graph_groups_get_name (self->groups, group);
}

guint
studio_graph_view_get_group_size (StudioGraphView *self, guint group)
{
  g_return_val_if_fail (group < studio_graph_view_get_n_groups (self), 0);
  return studio_graph_groups_get_n_ops (self->groups, group);
}

gboolean
studio_graph_view_get_group_collapsed (StudioGraphView *self, guint group)
{
  g_return_val_if_fail (group < studio_graph_view_get_n_groups (self), FALSE);
  return self->collapsed[group];
}

/* Rebuilds the scene keeping `anchor` (a node) where it is on screen, so
 * collapsing or expanding does not throw the user somewhere else. */
static void
rebuild_anchored (StudioGraphView *self, gint anchor)
{
  graphene_rect_t before, after;
  gboolean keep = anchor >= 0 && self->mode == VIEW_FREE &&
                  studio_graph_view_get_node_rect (self, (guint) anchor, &before);

  studio_graph_view_rebuild_scene (self);
  if (keep && studio_graph_view_get_node_rect (self, (guint) anchor, &after))
    {
      double sx = self->ox + (before.origin.x + before.size.width / 2) * self->zoom;
      double sy = self->oy + before.origin.y * self->zoom;
      double W = gtk_widget_get_width (GTK_WIDGET (self)), H = gtk_widget_get_height (GTK_WIDGET (self));
      /* center_on takes world coordinates of the widget centre. */
      studio_graph_view_center_on (self, after.origin.x + after.size.width / 2 + (W / 2 - sx) / self->zoom,
                                   after.origin.y + (H / 2 - sy) / self->zoom);
    }
}

void
studio_graph_view_set_group_collapsed (StudioGraphView *self, guint group, gboolean collapsed)
{
  g_return_if_fail (group < studio_graph_view_get_n_groups (self));
  if (self->collapsed[group] == !!collapsed)
    return;
  self->collapsed[group] = !!collapsed;
  rebuild_anchored (self, (gint) studio_graph_groups_get_last (self->groups, group));
}

void
studio_graph_view_set_all_collapsed (StudioGraphView *self, gboolean collapsed)
{
  gboolean changed = FALSE;
  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  for (guint g = 0; g < studio_graph_view_get_n_groups (self); g++)
    {
      changed |= self->collapsed[g] != !!collapsed;
      self->collapsed[g] = !!collapsed;
    }
  if (changed)
    rebuild_anchored (self, self->selected);
}

/* ---- search ---------------------------------------------------------------- */

void
studio_graph_view_clear_search (StudioGraphView *self)
{
  g_clear_pointer (&self->search_text, g_free);
  if (self->matches)
    g_array_set_size (self->matches, 0);
  self->current_match = -1;
}

static gboolean
matches (const char *haystack, const char *needle)
{
  g_autofree char *low = g_utf8_casefold (haystack, -1);
  return strstr (low, needle) != NULL;
}

guint
studio_graph_view_search (StudioGraphView *self, const char *text)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  studio_graph_view_clear_search (self);
  if (!self->matches)
    self->matches = g_array_new (FALSE, FALSE, sizeof (guint));
  if (text && *text && self->shown)
    {
      g_autofree char *stripped = g_strstrip (g_strdup (text));
      self->search_text = g_utf8_casefold (stripped, -1);
      for (guint i = 0; *self->search_text && i < mrt_model_n_nodes (self->shown); i++)
        {
          const MrtNode *n = mrt_model_node (self->shown, i);
          if (!self->show_params && studio_graph_scene_is_weight (self->shown, i))
            continue;
          if (matches (n->name, self->search_text) || (!mrt_node_is_variable (n) && matches (n->op, self->search_text)))
            g_array_append_val (self->matches, i);
        }
    }
  studio_graph_view_update_decor (self);
  g_signal_emit_by_name (self, "scene-changed");
  return self->matches->len;
}

gint
studio_graph_view_search_next (StudioGraphView *self, gboolean backwards)
{
  guint n, node;
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), -1);
  n = self->matches ? self->matches->len : 0;
  if (n == 0)
    return -1;
  if (self->current_match < 0)
    self->current_match = backwards ? (gint) n - 1 : 0;
  else
    self->current_match = (gint) ((self->current_match + (backwards ? n - 1 : 1)) % n);
  node = g_array_index (self->matches, guint, self->current_match);
  studio_graph_view_reveal_node (self, node);
  studio_graph_view_set_selected_node (self, (gint) node);
  studio_graph_view_update_decor (self);
  return self->current_match;
}

guint
studio_graph_view_get_n_matches (StudioGraphView *self)
{
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), 0);
  return self->matches ? self->matches->len : 0;
}
