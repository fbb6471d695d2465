/* studio-test-util.h: helpers shared by the GUI tests of the studio
 * (test-gui, test-canvas, test-stages-gui, test-desktop), which run under
 * Xvfb. Built into each of those executables by tests/meson.build. */
#pragma once

#include <adwaita.h>

#include "studio-application.h"
#include "studio-window.h"

G_BEGIN_DECLS

/* A predicate polled by studio_test_wait_for(). */
typedef gboolean (*StudioTestCondition) (gpointer data);

/* Sets GTK_A11Y=none (Xvfb has no session bus, so no AT-SPI bus either),
 * runs g_test_init() and returns a new StudioApplication, made
 * NON_UNIQUE and registered. GTK warns at registration that there is no
 * session bus, which no test needs, so only that step runs with warnings
 * non-fatal (criticals stay fatal). The caller owns the application. */
StudioApplication *studio_test_init (int *argc, char ***argv);

/* Iterates the default main context until cond (data) holds; FALSE if it
 * still does not after timeout_ms. Sleeps briefly when nothing is pending. */
gboolean studio_test_wait_for (StudioTestCondition cond, gpointer data, guint timeout_ms);

/* A StudioTestCondition: the monotonic time is past *(gint64 *) data. */
gboolean studio_test_time_passed (gpointer data);

/* Iterates the main loop for ms milliseconds (past transitions, toasts). */
void studio_test_settle (guint ms);

/* A StudioTestCondition on a StudioWindow: it is not loading a model. */
gboolean studio_test_not_loading (gpointer window);

/* Queues a redraw of view and asserts that within 10 s it is mapped, has
 * drawn a frame after the current one and has painted at least min_drawn
 * boxes in it. */
void studio_test_wait_for_frame (StudioGraphView *view, guint min_drawn);

/* A StudioTestCondition: a visible AdwMessageDialog is among the
 * toplevels; it is stored in *(AdwMessageDialog **) data. */
gboolean studio_test_find_message_dialog (gpointer data);

/* The first widget of the given type in root's tree (root included),
 * depth first, or NULL. */
GtkWidget *studio_test_find_child (GtkWidget *root, GType type);

/* Renders widget at its current size now and saves it as dir/name (PNG),
 * asserting the save. If nothing is drawn yet it only logs a message. */
void studio_test_write_png (GtkWidget *widget, const char *dir, const char *name);

/* Copies the sample project (fashion_cnn .json, .params and .ini from
 * $MRT_SAMPLE_DIR) into the existing folder dir, asserting each copy. */
void studio_test_copy_sample (const char *dir);

/* Deletes path and, for a folder, everything below it. */
void studio_test_remove_tree (const char *path);

G_END_DECLS
