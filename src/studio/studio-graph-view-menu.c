/* studio-graph-view-menu.c: the canvas' actions (split keys, groups,
 * thresholds), its context menu, and exporting the view as PNG or SVG. */
#include "config.h"

#include "studio-graph-view-private.h"

#include <adwaita.h>
#include <cairo-svg.h>
#include <glib/gi18n.h>

/* ---- actions ------------------------------------------------------------- */

static const char *
selected_name (StudioGraphView *self)
{
  if (self->selected < 0 || !self->shown)
    return NULL;
  return mrt_model_node (self->shown, (guint) self->selected)->name;
}

gboolean
studio_graph_view_toggle_split_key (StudioGraphView *self, guint node)
{
  const char *name;
  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), FALSE);
  g_return_val_if_fail (self->project != NULL && self->shown != NULL, FALSE);
  g_return_val_if_fail (node < mrt_model_n_nodes (self->shown), FALSE);
  name = mrt_model_node (self->shown, node)->name;
  if (strchr (name, ','))
    return FALSE;
  if (studio_project_remove_split_key (self->project, name))
    return FALSE;
  studio_project_add_split_key (self->project, name);
  return TRUE;
}

static void
action_split_after (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  if (self->selected >= 0 && self->project)
    studio_graph_view_toggle_split_key (self, (guint) self->selected);
}

/* Space: open the box the selection is folded into, or fold its
 * innermost group. */
static void
action_toggle_group (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  gint box, g;
  if (self->selected < 0 || !self->groups)
    return;
  box = studio_graph_groups_box_of (self->groups, (guint) self->selected, self->collapsed);
  g = studio_graph_groups_of (self->groups, (guint) self->selected);
  if (box >= 0)
    studio_graph_view_set_group_collapsed (self, (guint) box, FALSE);
  else if (g >= 0)
    studio_graph_view_set_group_collapsed (self, (guint) g, TRUE);
}

static void
action_group (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  gint g = g_variant_get_int32 (param);
  if (g >= 0 && (guint) g < studio_graph_view_get_n_groups (self))
    studio_graph_view_set_group_collapsed (self, (guint) g, g_str_equal (name, "view.collapse-group"));
}

static void
action_collapse_all (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_graph_view_set_all_collapsed (STUDIO_GRAPH_VIEW (widget), g_str_equal (name, "view.collapse-all"));
}

static void
action_select_none (GtkWidget *widget, const char *name, GVariant *param)
{
  studio_graph_view_set_selected_node (STUDIO_GRAPH_VIEW (widget), -1);
}

static void
action_copy_name (GtkWidget *widget, const char *name, GVariant *param)
{
  const char *node = selected_name (STUDIO_GRAPH_VIEW (widget));
  if (node)
    gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), node);
}

static void
action_reset_threshold (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  const char *node = selected_name (self);
  if (node && self->project)
    studio_project_clear_threshold (self->project, node);
}

static void
action_menu (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *self = STUDIO_GRAPH_VIEW (widget);
  graphene_rect_t r;
  double x = gtk_widget_get_width (widget) / 2.0, y = gtk_widget_get_height (widget) / 2.0;
  /* From the keyboard: point at the selected box when it is on screen. */
  if (self->selected >= 0 && studio_graph_view_get_node_rect (self, (guint) self->selected, &r))
    {
      double bx = self->ox + (r.origin.x + r.size.width / 2) * self->zoom;
      double by = self->oy + (r.origin.y + r.size.height) * self->zoom;
      if (bx >= 0 && by >= 0 && bx <= gtk_widget_get_width (widget) && by <= gtk_widget_get_height (widget))
        x = bx, y = by;
    }
  studio_graph_view_popup_menu (self, x, y);
}

void
studio_graph_view_update_actions (StudioGraphView *self)
{
  GtkWidget *w = GTK_WIDGET (self);
  gboolean has_node = self->selected >= 0 && self->shown;
  gint g = has_node ? studio_graph_view_get_group_of (self, (guint) self->selected) : -1;
  gboolean has_override = has_node && self->project &&
                          studio_project_get_threshold (self->project, selected_name (self), NULL);

  /* Keys are a comma-separated list in the .ini: such a name cannot be one. */
  gtk_widget_action_set_enabled (w, "view.split-after",
                                 has_node && self->project && !strchr (selected_name (self), ','));
  gtk_widget_action_set_enabled (w, "view.toggle-group", g >= 0);
  gtk_widget_action_set_enabled (w, "view.collapse-all", studio_graph_view_get_n_groups (self) > 0);
  gtk_widget_action_set_enabled (w, "view.expand-all", studio_graph_view_get_n_groups (self) > 0);
  gtk_widget_action_set_enabled (w, "view.copy-name", has_node);
  gtk_widget_action_set_enabled (w, "view.reset-threshold", has_override);
  gtk_widget_action_set_enabled (w, "view.menu", self->shown != NULL);
}

void
studio_graph_view_class_init_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "view.select-none", NULL, action_select_none);
  gtk_widget_class_install_action (widget_class, "view.split-after", NULL, action_split_after);
  gtk_widget_class_install_action (widget_class, "view.toggle-group", NULL, action_toggle_group);
  gtk_widget_class_install_action (widget_class, "view.collapse-group", "i", action_group);
  gtk_widget_class_install_action (widget_class, "view.expand-group", "i", action_group);
  gtk_widget_class_install_action (widget_class, "view.collapse-all", NULL, action_collapse_all);
  gtk_widget_class_install_action (widget_class, "view.expand-all", NULL, action_collapse_all);
  gtk_widget_class_install_action (widget_class, "view.copy-name", NULL, action_copy_name);
  gtk_widget_class_install_action (widget_class, "view.reset-threshold", NULL, action_reset_threshold);
  gtk_widget_class_install_action (widget_class, "view.menu", NULL, action_menu);
  gtk_widget_class_install_property_action (widget_class, "view.overlay", "overlay");
}

/* ---- context menu --------------------------------------------------------- */

static GMenuItem *
item (const char *label, const char *action, const char *accel)
{
  GMenuItem *it = g_menu_item_new (label, action);
  if (accel)
    g_menu_item_set_attribute (it, "accel", "s", accel);
  return it;
}

static void
append (GMenu *section, GMenuItem *it)
{
  g_menu_append_item (section, it);
  g_object_unref (it);
}

/* Node names are full of underscores, which a menu label would take for
 * mnemonics. */
static char *
escape_mnemonics (const char *text)
{
  g_auto (GStrv) parts = g_strsplit (text, "_", -1);
  return g_strjoinv ("__", parts);
}

/* Is any group collapsed (or, with collapsed FALSE, expanded)? */
static gboolean
any_group (StudioGraphView *self, gboolean collapsed)
{
  for (guint g = 0; g < studio_graph_view_get_n_groups (self); g++)
    if (self->collapsed[g] == collapsed)
      return TRUE;
  return FALSE;
}

/* Rebuilt for every popup, so labels name the node and group at hand. */
static GMenuModel *
build_menu (StudioGraphView *self)
{
  GMenu *menu = g_menu_new ();
  g_autoptr (GMenu) node = g_menu_new ();
  g_autoptr (GMenu) groups = g_menu_new ();
  g_autoptr (GMenu) view = g_menu_new ();
  const char *name = selected_name (self);
  gint g = name ? studio_graph_view_get_group_of (self, (guint) self->selected) : -1;

  if (name && self->project)
    append (node, item (studio_project_has_split_key (self->project, name) ? _("_Remove Split Key")
                                                                           : _("_Split After This Node"),
                        "view.split-after", "<Control>k"));
  if (name && self->project && studio_project_get_threshold (self->project, name, NULL))
    append (node, item (_("Reset _Threshold"), "view.reset-threshold", NULL));
  if (name)
    append (node, item (_("_Copy Name"), "view.copy-name", NULL));
  if (g >= 0)
    {
      gint box = studio_graph_groups_box_of (self->groups, (guint) self->selected, self->collapsed);
      /* Folded: open its box. Open: fold it at any level of nesting. */
      for (gint k = box >= 0 ? box : g; k >= 0; k = studio_graph_groups_get_parent (self->groups, (guint) k))
        {
          g_autofree char *name_text = escape_mnemonics (studio_graph_view_get_group_name (self, (guint) k));
          g_autofree char *label = g_strdup_printf (box >= 0 ? _("_Expand “%s”") : _("C_ollapse “%s”"), name_text);
          GMenuItem *it = item (label, NULL, k == (box >= 0 ? box : g) ? "space" : NULL);
          g_menu_item_set_action_and_target_value (it, box >= 0 ? "view.expand-group" : "view.collapse-group",
                                                   g_variant_new_int32 (k));
          append (groups, it);
          if (box >= 0)
            break;
        }
    }
  if (any_group (self, FALSE))
    append (groups, item (_("Collapse _All Groups"), "view.collapse-all", NULL));
  if (any_group (self, TRUE))
    append (groups, item (_("E_xpand All Groups"), "view.expand-all", NULL));
  append (view, item (_("_Fit to Window"), "view.fit", NULL));
  append (view, item (_("Export Graph _Image…"), "win.export-image", NULL));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (node));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (groups));
  g_menu_append_section (menu, NULL, G_MENU_MODEL (view));
  return G_MENU_MODEL (menu);
}

void
studio_graph_view_popup_menu (StudioGraphView *self, double x, double y)
{
  g_autoptr (GMenuModel) model = NULL;

  if (!self->shown)
    return;
  model = build_menu (self);
  if (!self->context_menu)
    {
      self->context_menu = gtk_popover_menu_new_from_model (model);
      gtk_widget_set_parent (self->context_menu, GTK_WIDGET (self));
      gtk_popover_set_has_arrow (GTK_POPOVER (self->context_menu), FALSE);
      gtk_widget_set_halign (self->context_menu, GTK_ALIGN_START);
    }
  else
    gtk_popover_menu_set_menu_model (GTK_POPOVER_MENU (self->context_menu), model);
  gtk_popover_set_pointing_to (GTK_POPOVER (self->context_menu), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  gtk_popover_popup (GTK_POPOVER (self->context_menu));
}

/* ---- export --------------------------------------------------------------- */

static void
paint_background (StudioGraphView *self, cairo_t *cr, double w, double h)
{
  GdkRGBA bg;
  if (!gtk_style_context_lookup_color (gtk_widget_get_style_context (GTK_WIDGET (self)), "view_bg_color", &bg))
    bg = (GdkRGBA) { 1, 1, 1, 1 };
  gdk_cairo_set_source_rgba (cr, &bg);
  cairo_rectangle (cr, 0, 0, w, h);
  cairo_fill (cr);
}

static gboolean
check (cairo_status_t status, const char *path, GError **error)
{
  if (status == CAIRO_STATUS_SUCCESS)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: %s"), path,
               cairo_status_to_string (status));
  return FALSE;
}

gboolean
studio_graph_view_export_image (StudioGraphView *self, const char *path, GError **error)
{
  double w = gtk_widget_get_width (GTK_WIDGET (self)), h = gtk_widget_get_height (GTK_WIDGET (self));
  gboolean svg = g_str_has_suffix (path, ".svg") || g_str_has_suffix (path, ".SVG");
  int factor = MAX (gtk_widget_get_scale_factor (GTK_WIDGET (self)), 1);
  cairo_surface_t *surface;
  cairo_status_t status;
  cairo_t *cr;

  g_return_val_if_fail (STUDIO_IS_GRAPH_VIEW (self), FALSE);
  if (!self->scene || w <= 0 || h <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, _("Could not write “%s”: no graph on screen"), path);
      return FALSE;
    }
  if (svg)
    surface = cairo_svg_surface_create (path, w, h);
  else
    {
      /* At the screen's scale factor, so a HiDPI export stays sharp. */
      surface = cairo_image_surface_create (CAIRO_FORMAT_ARGB32, (int) w * factor, (int) h * factor);
      cairo_surface_set_device_scale (surface, factor, factor);
    }
  cr = cairo_create (surface);
  paint_background (self, cr, w, h);
  studio_graph_view_paint (self, cr, w, h, TRUE);
  status = cairo_status (cr);
  cairo_destroy (cr);
  if (status == CAIRO_STATUS_SUCCESS && !svg)
    status = cairo_surface_write_to_png (surface, path);
  cairo_surface_finish (surface);
  if (status == CAIRO_STATUS_SUCCESS)
    status = cairo_surface_status (surface);
  cairo_surface_destroy (surface);
  return check (status, path, error);
}

static void
report_export (StudioGraphView *self, const char *path, const GError *error)
{
  GtkWidget *overlay = gtk_widget_get_ancestor (GTK_WIDGET (self), ADW_TYPE_TOAST_OVERLAY);
  g_autofree char *base = g_path_get_basename (path);

  if (error)
    {
      AdwMessageDialog *dialog = ADW_MESSAGE_DIALOG (
        adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))), _("Could Not Export the Image"),
                                error->message));
      adw_message_dialog_add_response (dialog, "close", _("_Close"));
      gtk_window_present (GTK_WINDOW (dialog));
    }
  else if (overlay)
    {
      g_autofree char *msg = g_strdup_printf (_("Saved “%s”"), base);
      adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay), adw_toast_new (msg));
    }
}

static void
on_export_response (GtkNativeDialog *dialog, int response, StudioGraphView *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      GtkFileFilter *filter = gtk_file_chooser_get_filter (GTK_FILE_CHOOSER (dialog));
      g_autoptr (GError) error = NULL;
      if (path && !g_str_has_suffix (path, ".png") && !g_str_has_suffix (path, ".svg"))
        {
          /* No extension typed: the chosen filter decides. */
          gboolean svg = filter && g_strcmp0 (gtk_file_filter_get_name (filter), _("SVG Image")) == 0;
          char *with_ext = g_strconcat (path, svg ? ".svg" : ".png", NULL);
          g_free (path);
          path = with_ext;
        }
      if (path)
        {
          studio_graph_view_export_image (self, path, &error);
          report_export (self, path, error);
        }
    }
  g_object_set_data (G_OBJECT (self), "export-chooser", NULL);
}

static void
add_filter (GtkFileChooser *chooser, const char *name, const char *pattern, const char *mime)
{
  GtkFileFilter *filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, name);
  gtk_file_filter_add_pattern (filter, pattern);
  gtk_file_filter_add_mime_type (filter, mime);
  gtk_file_chooser_add_filter (chooser, filter);
  g_object_unref (filter);
}

void
studio_graph_view_choose_export_image (StudioGraphView *self)
{
  GtkFileChooserNative *chooser;
  g_autofree char *name = NULL;

  g_return_if_fail (STUDIO_IS_GRAPH_VIEW (self));
  if (!self->shown)
    return;
  chooser = gtk_file_chooser_native_new (_("Export Graph Image"), GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_SAVE, _("_Export"), _("_Cancel"));
  add_filter (GTK_FILE_CHOOSER (chooser), _("PNG Image"), "*.png", "image/png");
  add_filter (GTK_FILE_CHOOSER (chooser), _("SVG Image"), "*.svg", "image/svg+xml");
  name = g_strdup_printf ("%s.png", self->project && *studio_project_get_model_name (self->project)
                                      ? studio_project_get_model_name (self->project)
                                      : "graph");
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  if (self->project && studio_project_get_base_dir (self->project))
    {
      g_autoptr (GFile) dir = g_file_new_for_path (studio_project_get_base_dir (self->project));
      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_export_response), self);
  /* The view keeps the dialog alive until it answers. */
  g_object_set_data_full (G_OBJECT (self), "export-chooser", chooser, g_object_unref);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}
