/* studio-search.h: the canvas' find bar (Ctrl+F): a search entry over node
 * names and op names, a "3 of 12" count, and previous / next buttons that
 * jump to the match and select it. Matches are highlighted on the canvas. */
#pragma once

#include <gtk/gtk.h>

#include "studio-graph-view.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_SEARCH (studio_search_get_type ())
G_DECLARE_FINAL_TYPE (StudioSearch, studio_search, STUDIO, SEARCH, GtkWidget)

GtkWidget *studio_search_new (void);
void studio_search_set_view (StudioSearch *self, StudioGraphView *view);

/* Shows the bar and focuses its entry, or hides it and ends the search. */
void studio_search_set_active (StudioSearch *self, gboolean active);
gboolean studio_search_get_active (StudioSearch *self);
GtkEditable *studio_search_get_entry (StudioSearch *self);
/* The count label's text, e.g. "3 of 12" (for tests). */
const char *studio_search_get_status (StudioSearch *self);

G_END_DECLS
