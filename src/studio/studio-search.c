/* studio-search.c: the find bar. A GtkSearchBar holding the entry, the
 * match count and the previous / next buttons; the matching itself is
 * StudioGraphView's. */
#include "config.h"

#include "studio-search.h"

#include <glib/gi18n.h>

struct _StudioSearch {
  GtkWidget parent_instance;

  GtkWidget *bar;
  GtkWidget *entry;
  GtkWidget *status;
  GtkWidget *prev_button;
  GtkWidget *next_button;
  StudioGraphView *view;
  char *searched; /* the text the matches are for */
};

G_DEFINE_FINAL_TYPE (StudioSearch, studio_search, GTK_TYPE_WIDGET)

static void
update_status (StudioSearch *self, gint current)
{
  guint n = self->view ? studio_graph_view_get_n_matches (self->view) : 0;
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->entry));
  g_autofree char *label = NULL;

  if (!*text)
    label = g_strdup ("");
  else if (n == 0)
    label = g_strdup (_("No matches"));
  else if (current < 0)
    label = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u match", "%u matches", n), n);
  else
    /* Translators: position of the current match among all matches */
    label = g_strdup_printf (_("%d of %u"), current + 1, n);
  gtk_label_set_text (GTK_LABEL (self->status), label);
  gtk_widget_set_sensitive (self->prev_button, n > 0);
  gtk_widget_set_sensitive (self->next_button, n > 0);
  if (*text && n == 0)
    gtk_widget_add_css_class (self->entry, "error");
  else
    gtk_widget_remove_css_class (self->entry, "error");
}

static void
on_search_changed (GtkSearchEntry *entry, StudioSearch *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (entry));
  /* The entry reports changes after a pause; by then Enter may already
   * have jumped through the same matches, which must not start over. */
  if (!self->view || g_strcmp0 (text, self->searched) == 0)
    return;
  g_free (self->searched);
  self->searched = g_strdup (text);
  studio_graph_view_search (self->view, text);
  update_status (self, -1);
}

static void
jump (StudioSearch *self, gboolean backwards)
{
  if (self->view)
    update_status (self, studio_graph_view_search_next (self->view, backwards));
}

static void
on_activate (GtkSearchEntry *entry, StudioSearch *self)
{
  on_search_changed (entry, self);
  jump (self, FALSE);
}

static void
on_next (StudioSearch *self)
{
  jump (self, FALSE);
}

static void
on_previous (StudioSearch *self)
{
  jump (self, TRUE);
}

static void
on_stop (GtkSearchEntry *entry, StudioSearch *self)
{
  studio_search_set_active (self, FALSE);
}

static void
on_mode_changed (GtkSearchBar *bar, GParamSpec *pspec, StudioSearch *self)
{
  if (gtk_search_bar_get_search_mode (bar))
    return;
  /* Closing the bar ends the highlighting and hands the keyboard back. */
  gtk_editable_set_text (GTK_EDITABLE (self->entry), "");
  g_clear_pointer (&self->searched, g_free);
  if (self->view)
    {
      studio_graph_view_search (self->view, NULL);
      gtk_widget_grab_focus (GTK_WIDGET (self->view));
    }
}

static GtkWidget *
icon_button (const char *icon, const char *tooltip, GCallback callback, StudioSearch *self)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);
  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_widget_set_sensitive (button, FALSE);
  g_signal_connect_swapped (button, "clicked", callback, self);
  return button;
}

static void
studio_search_dispose (GObject *object)
{
  StudioSearch *self = STUDIO_SEARCH (object);
  g_clear_pointer (&self->bar, gtk_widget_unparent);
  g_clear_pointer (&self->searched, g_free);
  studio_search_set_view (self, NULL);
  G_OBJECT_CLASS (studio_search_parent_class)->dispose (object);
}

static void
studio_search_class_init (StudioSearchClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  G_OBJECT_CLASS (klass)->dispose = studio_search_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "studiosearch");
}

static void
studio_search_init (StudioSearch *self)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  GtkWidget *nav = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 0);

  self->entry = gtk_search_entry_new ();
  g_object_set (self->entry, "placeholder-text", _("Find node by name or op"), NULL);
  gtk_widget_set_size_request (self->entry, 320, -1);
  g_signal_connect (self->entry, "search-changed", G_CALLBACK (on_search_changed), self);
  g_signal_connect (self->entry, "activate", G_CALLBACK (on_activate), self);
  g_signal_connect_swapped (self->entry, "next-match", G_CALLBACK (on_next), self);
  g_signal_connect_swapped (self->entry, "previous-match", G_CALLBACK (on_previous), self);
  g_signal_connect (self->entry, "stop-search", G_CALLBACK (on_stop), self);

  self->status = gtk_label_new (NULL);
  gtk_widget_add_css_class (self->status, "dim-label");
  gtk_widget_add_css_class (self->status, "numeric");
  gtk_label_set_width_chars (GTK_LABEL (self->status), 10);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);

  self->prev_button = icon_button ("go-up-symbolic", _("Previous Match"), G_CALLBACK (on_previous), self);
  self->next_button = icon_button ("go-down-symbolic", _("Next Match"), G_CALLBACK (on_next), self);
  gtk_widget_add_css_class (nav, "linked");
  gtk_box_append (GTK_BOX (nav), self->prev_button);
  gtk_box_append (GTK_BOX (nav), self->next_button);

  gtk_box_append (GTK_BOX (box), self->entry);
  gtk_box_append (GTK_BOX (box), nav);
  gtk_box_append (GTK_BOX (box), self->status);

  self->bar = gtk_search_bar_new ();
  gtk_search_bar_set_child (GTK_SEARCH_BAR (self->bar), box);
  gtk_search_bar_connect_entry (GTK_SEARCH_BAR (self->bar), GTK_EDITABLE (self->entry));
  gtk_search_bar_set_show_close_button (GTK_SEARCH_BAR (self->bar), TRUE);
  g_signal_connect (self->bar, "notify::search-mode-enabled", G_CALLBACK (on_mode_changed), self);
  gtk_widget_set_parent (self->bar, GTK_WIDGET (self));
}

GtkWidget *
studio_search_new (void)
{
  return g_object_new (STUDIO_TYPE_SEARCH, NULL);
}

/* A new graph on the canvas (another model, or the prepared one) drops
 * the highlighting: search it again for what the entry holds. */
static void
on_graph_changed (StudioSearch *self)
{
  g_clear_pointer (&self->searched, g_free);
  if (gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (self->bar)))
    on_search_changed (GTK_SEARCH_ENTRY (self->entry), self);
}

void
studio_search_set_view (StudioSearch *self, StudioGraphView *view)
{
  g_return_if_fail (STUDIO_IS_SEARCH (self));
  if (self->view)
    g_signal_handlers_disconnect_by_data (self->view, self);
  self->view = view;
  if (view)
    g_signal_connect_swapped (view, "state-changed", G_CALLBACK (on_graph_changed), self);
}

void
studio_search_set_active (StudioSearch *self, gboolean active)
{
  g_return_if_fail (STUDIO_IS_SEARCH (self));
  gtk_search_bar_set_search_mode (GTK_SEARCH_BAR (self->bar), active);
  if (active)
    {
      gtk_widget_grab_focus (self->entry);
      gtk_editable_select_region (GTK_EDITABLE (self->entry), 0, -1);
    }
}

gboolean
studio_search_get_active (StudioSearch *self)
{
  g_return_val_if_fail (STUDIO_IS_SEARCH (self), FALSE);
  return gtk_search_bar_get_search_mode (GTK_SEARCH_BAR (self->bar));
}

GtkEditable *
studio_search_get_entry (StudioSearch *self)
{
  g_return_val_if_fail (STUDIO_IS_SEARCH (self), NULL);
  return GTK_EDITABLE (self->entry);
}

const char *
studio_search_get_status (StudioSearch *self)
{
  g_return_val_if_fail (STUDIO_IS_SEARCH (self), NULL);
  return gtk_label_get_text (GTK_LABEL (self->status));
}
