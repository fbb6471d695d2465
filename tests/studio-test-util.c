/* studio-test-util.c: helpers shared by the GUI tests (see the header). */
#include "studio-test-util.h"

#include <glib/gstdio.h>

StudioApplication *
studio_test_init (int *argc, char ***argv)
{
  StudioApplication *app;
  GLogLevelFlags fatal;

  g_setenv ("GTK_A11Y", "none", TRUE);
  g_test_init (argc, argv, NULL);
  app = studio_application_new ();
  g_application_set_flags (G_APPLICATION (app), G_APPLICATION_NON_UNIQUE);
  fatal = g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
  g_assert_true (g_application_register (G_APPLICATION (app), NULL, NULL));
  g_log_set_always_fatal (fatal);
  return app;
}

gboolean
studio_test_wait_for (StudioTestCondition cond, gpointer data, guint timeout_ms)
{
  gint64 end = g_get_monotonic_time () + timeout_ms * (gint64) 1000;
  while (!cond (data))
    {
      if (g_get_monotonic_time () > end)
        return FALSE;
      if (!g_main_context_iteration (NULL, FALSE))
        g_usleep (1000);
    }
  return TRUE;
}

gboolean
studio_test_time_passed (gpointer data)
{
  return g_get_monotonic_time () > *(gint64 *) data;
}

void
studio_test_settle (guint ms)
{
  gint64 until = g_get_monotonic_time () + ms * (gint64) 1000;
  studio_test_wait_for (studio_test_time_passed, &until, ms + 1000);
}

gboolean
studio_test_not_loading (gpointer window)
{
  return !studio_window_get_loading (window);
}

typedef struct {
  StudioGraphView *view;
  guint frames_seen;
  guint min_drawn;
} FrameWait;

static gboolean
view_drew (gpointer data)
{
  FrameWait *w = data;
  return gtk_widget_get_mapped (GTK_WIDGET (w->view)) && studio_graph_view_get_n_frames (w->view) > w->frames_seen &&
         studio_graph_view_get_n_drawn (w->view) >= w->min_drawn;
}

void
studio_test_wait_for_frame (StudioGraphView *view, guint min_drawn)
{
  FrameWait w = { view, studio_graph_view_get_n_frames (view), min_drawn };
  gtk_widget_queue_draw (GTK_WIDGET (view));
  g_assert_true (studio_test_wait_for (view_drew, &w, 10000));
}

gboolean
studio_test_find_message_dialog (gpointer data)
{
  AdwMessageDialog **out = data;
  GListModel *toplevels = gtk_window_get_toplevels (); /* transfer none */
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_MESSAGE_DIALOG (w) && gtk_widget_get_visible (GTK_WIDGET (w)))
        {
          *out = ADW_MESSAGE_DIALOG (w);
          return TRUE;
        }
    }
  return FALSE;
}

GtkWidget *
studio_test_find_child (GtkWidget *root, GType type)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (root, type))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = studio_test_find_child (c, type);
      if (found)
        return found;
    }
  return NULL;
}

void
studio_test_write_png (GtkWidget *widget, const char *dir, const char *name)
{
  int w = gtk_widget_get_width (widget), h = gtk_widget_get_height (widget);
  g_autoptr (GdkPaintable) paintable = gtk_widget_paintable_new (widget);
  GtkSnapshot *snapshot = gtk_snapshot_new ();
  g_autoptr (GskRenderNode) node = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  gdk_paintable_snapshot (paintable, snapshot, w, h);
  node = gtk_snapshot_free_to_node (snapshot);
  if (!node)
    {
      g_test_message ("screenshot %s: nothing drawn", name);
      return;
    }
  texture = gsk_renderer_render_texture (gtk_native_get_renderer (GTK_NATIVE (widget)), node,
                                         &GRAPHENE_RECT_INIT (0, 0, w, h));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("screenshot: %s (%dx%d)", path, w, h);
}

void
studio_test_copy_sample (const char *dir)
{
  static const char *const files[] = { "fashion_cnn.json", "fashion_cnn.params", "fashion_cnn.ini" };
  const char *sample = g_getenv ("MRT_SAMPLE_DIR");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *from = g_build_filename (sample, files[i], NULL);
      g_autofree char *to = g_build_filename (dir, files[i], NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_assert_true (g_file_get_contents (from, &data, &len, NULL));
      g_assert_true (g_file_set_contents (to, data, len, NULL));
    }
}

void
studio_test_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;
  while (dir && (name = g_dir_read_name (dir)))
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        studio_test_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}
