/* bench-startup.c: time from process start to the first frame that shows
 * the bundled sample's graph, against the first frame of an empty window
 * measured in the same process (the baseline: what GTK itself costs).
 * Needs a display: run under xvfb-run with GSK_RENDERER=cairo. */
#include <adwaita.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "studio-application.h"
#include "studio-graph-view.h"
#include "studio-window.h"

static GMainLoop *loop;
static gint64 t_done;

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static gboolean
empty_tick (GtkWidget *w, GdkFrameClock *clock, gpointer data)
{
  /* the first tick after mapping follows the first paint */
  t_done = now_us ();
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

static gboolean
graph_tick (GtkWidget *w, GdkFrameClock *clock, gpointer data)
{
  StudioGraphView *view = data;
  if (studio_graph_view_get_n_placed (view) == 0 || studio_graph_view_get_n_frames (view) == 0)
    return G_SOURCE_CONTINUE;
  t_done = now_us ();
  g_main_loop_quit (loop);
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  gint64 t_start = now_us (), t_empty, t_app;
  g_autofree char *sample = g_build_filename (SOURCE_SAMPLEDIR, "fashion_cnn.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (sample);
  StudioApplication *app;
  StudioWindow *window;
  GtkWidget *plain;

  g_setenv ("GTK_A11Y", "none", TRUE);
  loop = g_main_loop_new (NULL, FALSE);
  /* baseline: toolkit start and the first frame of an empty window */
  adw_init ();
  plain = gtk_window_new ();
  gtk_widget_add_tick_callback (plain, empty_tick, NULL, NULL);
  gtk_window_present (GTK_WINDOW (plain));
  g_main_loop_run (loop);
  t_empty = t_done - t_start;
  gtk_window_destroy (GTK_WINDOW (plain));

  /* the app: window, model loaded in the background, laid out and drawn */
  t_start = now_us ();
  app = studio_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  g_application_register (G_APPLICATION (app), NULL, NULL);
  window = studio_window_new (GTK_APPLICATION (app));
  gtk_widget_add_tick_callback (GTK_WIDGET (window), graph_tick, studio_window_get_graph_view (window), NULL);
  studio_window_open (window, file);
  gtk_window_present (GTK_WINDOW (window));
  g_main_loop_run (loop);
  t_app = t_done - t_start;

  printf ("| figure | ms | ratio to baseline |\n|---|---:|---:|\n");
  printf ("| first frame of an empty window (baseline, includes toolkit start) | %.1f | 1.00 |\n", t_empty / 1000.0);
  printf ("| MRT Studio window with the sample graph drawn | %.1f | %.2f |\n", t_app / 1000.0,
          (double) t_app / (double) MAX (t_empty, 1));
  printf ("| total to the first sample frame | %.1f | |\n", (t_empty + t_app) / 1000.0);
  gtk_window_destroy (GTK_WINDOW (window));
  g_object_unref (app);
  return 0;
}
