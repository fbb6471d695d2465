/* test-gui.c: smoke tests of the studio window and canvas, run under Xvfb.
 * Set MRT_STUDIO_SCREENSHOT_DIR to also get PNGs of the window states. */
#include <adwaita.h>
#include <math.h>

#include "mrt.h"
#include "studio-application.h"
#include "studio-test-util.h"
#include "studio-window.h"

static StudioApplication *app;

/* ---- models built in code ------------------------------------------------ */

static void
add_param (MrtModel *m, const char *name, int ndim, gint64 d0, gint64 d1, gint64 d2, gint64 d3)
{
  MrtShape shape = mrt_shape_make (ndim, d0, d1, d2, d3);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &shape);
  mrt_model_add_variable (m, name);
  mrt_model_set_param (m, name, t);
  mrt_tensor_unref (t);
}

static guint
add_op (MrtModel *m, const char *name, const char *op, guint n_in, ...)
{
  MrtEntry in[8];
  va_list ap;
  va_start (ap, n_in);
  for (guint i = 0; i < n_in; i++)
    in[i] = (MrtEntry) { va_arg (ap, guint), 0 };
  va_end (ap);
  return mrt_model_add_node (m, name, op, NULL, in, n_in);
}

static guint
conv (MrtModel *m, const char *name, guint input, gint64 cin, gint64 cout)
{
  g_autofree char *w = g_strdup_printf ("%s_weight", name);
  g_autofree char *b = g_strdup_printf ("%s_bias", name);
  guint wi = mrt_model_n_nodes (m), bi = wi + 1;
  add_param (m, w, 4, cout, cin, 3, 3);
  add_param (m, b, 1, cout, 0, 0, 0);
  return add_op (m, name, "Convolution", 3, input, wi, bi);
}

/* A small CNN with a residual branch and every kind of node the canvas
 * distinguishes: input, parameters, operators of several families. */
static MrtModel *
build_cnn (void)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "data"), skip, g, b, mean, var;

  x = conv (m, "conv0", x, 1, 16);
  g = mrt_model_n_nodes (m);
  add_param (m, "bn0_gamma", 1, 16, 0, 0, 0);
  b = g + 1, mean = g + 2, var = g + 3;
  add_param (m, "bn0_beta", 1, 16, 0, 0, 0);
  add_param (m, "bn0_moving_mean", 1, 16, 0, 0, 0);
  add_param (m, "bn0_moving_var", 1, 16, 0, 0, 0);
  x = add_op (m, "bn0", "BatchNorm", 5, x, g, b, mean, var);
  x = add_op (m, "relu0", "relu", 1, x);
  skip = x = add_op (m, "pool0", "Pooling", 1, x);
  x = conv (m, "conv1", x, 16, 16);
  x = add_op (m, "relu1", "relu", 1, x);
  x = conv (m, "conv2", x, 16, 16);
  x = add_op (m, "add0", "elemwise_add", 2, x, skip);
  x = add_op (m, "relu2", "relu", 1, x);
  x = add_op (m, "flatten0", "Flatten", 1, x);
  g = mrt_model_n_nodes (m);
  add_param (m, "dense0_weight", 2, 10, 3136, 0, 0);
  add_param (m, "dense0_bias", 1, 10, 0, 0, 0);
  x = add_op (m, "dense0", "FullyConnected", 3, x, g, g + 1);
  x = add_op (m, "softmax0", "softmax", 1, x);
  mrt_model_add_head (m, (MrtEntry) { x, 0 });
  return m;
}

/* ~500 nodes of conv / relu blocks with skips, for culling. */
static MrtModel *
build_big (void)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "data");
  for (guint blk = 0; mrt_model_n_nodes (m) < 500; blk++)
    {
      g_autofree char *c1 = g_strdup_printf ("stage%u_conv0", blk);
      g_autofree char *r1 = g_strdup_printf ("stage%u_relu0", blk);
      g_autofree char *c2 = g_strdup_printf ("stage%u_conv1", blk);
      g_autofree char *add = g_strdup_printf ("stage%u_add", blk);
      guint in = x;
      x = conv (m, c1, x, 8, 8);
      x = add_op (m, r1, "relu", 1, x);
      x = conv (m, c2, x, 8, 8);
      x = add_op (m, add, "elemwise_add", 2, x, in);
    }
  mrt_model_add_head (m, (MrtEntry) { x, 0 });
  return m;
}

/* ---- helpers ------------------------------------------------------------- */

static StudioWindow *
new_window (void)
{
  StudioWindow *window = studio_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1180, 760);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* Mapped and laid out down to the leaves of the first branch. */
static gboolean
widget_shown (gpointer data)
{
  GtkWidget *w = data;
  if (!gtk_widget_get_mapped (w))
    return FALSE;
  for (; w; w = gtk_widget_get_first_child (w))
    if (gtk_widget_get_width (w) <= 0 && gtk_widget_get_visible (w))
      return FALSE;
  return TRUE;
}

/* With MRT_STUDIO_SCREENSHOT_DIR set, a PNG of widget once it is laid out
 * and past the stack crossfade. */
static void
save_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("MRT_STUDIO_SCREENSHOT_DIR");

  if (!dir)
    return;
  g_assert_true (studio_test_wait_for (widget_shown, widget, 10000));
  studio_test_settle (400); /* past the stack crossfade */
  studio_test_write_png (widget, dir, name);
}

/* Every shown node has a real box, and no two boxes touch. */
static void
check_placement (StudioGraphView *view, MrtModel *model)
{
  g_autoptr (GArray) rects = g_array_new (FALSE, FALSE, sizeof (graphene_rect_t));
  gboolean show_params = studio_graph_view_get_show_params (view);

  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      graphene_rect_t r;
      gboolean placed = studio_graph_view_get_node_rect (view, i, &r);
      if (mrt_model_is_param (model, i) && !show_params)
        {
          g_assert_false (placed);
          continue;
        }
      g_assert_true (placed);
      g_assert_cmpfloat (r.size.width, >, 0);
      g_assert_cmpfloat (r.size.height, >, 0);
      for (guint j = 0; j < rects->len; j++)
        g_assert_false (graphene_rect_intersection (&r, &g_array_index (rects, graphene_rect_t, j), NULL));
      g_array_append_val (rects, r);
    }
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, rects->len);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_window_model (void)
{
  g_autoptr (MrtModel) model = build_cnn ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  guint n_ops = 0;

  save_screenshot (GTK_WIDGET (window), "empty.png");
  studio_window_set_model (window, model, "/tmp/lenet-symbol.json");
  studio_test_wait_for_frame (view, 1);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "lenet");
  g_assert_true (studio_window_get_model (window) == model);
  check_placement (view, model);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    n_ops += !mrt_model_is_param (model, i);
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, n_ops);
  save_screenshot (GTK_WIDGET (window), "cnn.png");
  /* Fitted, every box is painted. */
  studio_graph_view_fit (view);
  studio_test_wait_for_frame (view, 1);
  g_assert_cmpuint (studio_graph_view_get_n_drawn (view), ==, n_ops);
  save_screenshot (GTK_WIDGET (window), "cnn-fit.png");

  studio_graph_view_set_selected_node (view, mrt_model_find (model, "add0"));
  studio_test_wait_for_frame (view, 1);
  save_screenshot (GTK_WIDGET (window), "cnn-selected.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_zoom_fit (void)
{
  g_autoptr (MrtModel) model = build_cnn ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  double z0, x0, y0, z, x, y;

  studio_window_set_model (window, model, "/tmp/cnn.json");
  studio_test_wait_for_frame (view, 1);
  studio_graph_view_get_transform (view, &z, &x, &y);
  /* The model is taller than the window: fitting shrinks it. */
  studio_graph_view_fit (view);
  studio_graph_view_get_transform (view, &z0, &x0, &y0);
  g_assert_cmpfloat (z0, >, 0);
  g_assert_cmpfloat (z0, <, z);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.zoom-in", NULL));
  studio_graph_view_get_transform (view, &z, &x, &y);
  g_assert_cmpfloat (z, >, z0);
  g_assert_cmpfloat (x, !=, x0);

  studio_graph_view_zoom_out (view);
  studio_graph_view_zoom_out (view);
  studio_graph_view_get_transform (view, &z, NULL, NULL);
  g_assert_cmpfloat (z, <, z0);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.fit", NULL));
  studio_graph_view_get_transform (view, &z, &x, &y);
  g_assert_cmpfloat (fabs (z - z0), <, 1e-9);
  g_assert_cmpfloat (fabs (x - x0), <, 1e-9);
  g_assert_cmpfloat (fabs (y - y0), <, 1e-9);

  /* The canvas' own key bindings go through the same actions. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.zoom-reset", NULL));
  g_assert_cmpfloat (studio_graph_view_get_zoom (view), ==, 1.0);
  studio_test_wait_for_frame (view, 1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_show_params (void)
{
  g_autoptr (MrtModel) model = build_cnn ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);

  studio_window_set_model (window, model, NULL);
  studio_test_wait_for_frame (view, 1);
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), <, mrt_model_n_nodes (model));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-params", NULL));
  g_assert_true (studio_graph_view_get_show_params (view));
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, mrt_model_n_nodes (model));
  check_placement (view, model);
  studio_test_wait_for_frame (view, 1);
  save_screenshot (GTK_WIDGET (window), "cnn-params.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_culling (void)
{
  g_autoptr (MrtModel) model = build_big ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  guint placed;

  studio_window_set_model (window, model, "/tmp/big.json");
  studio_test_wait_for_frame (view, 1);
  check_placement (view, model);
  placed = studio_graph_view_get_n_placed (view);
  /* The initial view of a tall graph stays readable: only the top shows. */
  g_assert_cmpfloat (studio_graph_view_get_zoom (view), >=, 0.5);
  g_assert_cmpuint (studio_graph_view_get_n_drawn (view), <, placed);
  save_screenshot (GTK_WIDGET (window), "big-top.png");

  studio_graph_view_fit (view);
  studio_test_wait_for_frame (view, 1);
  g_assert_cmpuint (studio_graph_view_get_n_drawn (view), ==, placed);
  save_screenshot (GTK_WIDGET (window), "big-fit.png");
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_selection (void)
{
  g_autoptr (MrtModel) model = build_cnn ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  gint relu = mrt_model_find (model, "relu0");
  gint weight = mrt_model_find (model, "conv0_weight");

  graphene_rect_t r;
  double z, ox, oy;

  studio_window_set_model (window, model, NULL);
  studio_test_wait_for_frame (view, 1);
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, -1);

  /* Hit testing goes through the view transform: the centre of a box on
   * screen finds that box, a point left of every box finds nothing. */
  studio_graph_view_zoom_in (view);
  g_assert_true (studio_graph_view_get_node_rect (view, relu, &r));
  studio_graph_view_get_transform (view, &z, &ox, &oy);
  g_assert_cmpint (studio_graph_view_get_node_at (view, (r.origin.x + r.size.width / 2) * z + ox,
                                                  (r.origin.y + r.size.height / 2) * z + oy), ==, relu);
  g_assert_cmpint (studio_graph_view_get_node_at (view, ox - 10, (r.origin.y + 5) * z + oy), ==, -1);

  g_object_set (view, "selected-node", relu, NULL);
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, relu);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.select-none", NULL));
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, -1);

  /* Hiding parameters drops a selected parameter. */
  studio_graph_view_set_show_params (view, TRUE);
  studio_graph_view_set_selected_node (view, weight);
  studio_graph_view_set_show_params (view, FALSE);
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, -1);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_open_sample (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("MRT_SAMPLE_DIR") ? g_getenv ("MRT_SAMPLE_DIR") : ".",
                                            "fashion_cnn.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  StudioWindow *window;
  StudioGraphView *view;
  MrtModel *model;

  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("sample model not present");
      return;
    }
  window = new_window ();
  view = studio_window_get_graph_view (window);
  studio_window_open (window, file);
  g_assert_true (studio_window_get_loading (window));
  g_assert_true (studio_test_wait_for (studio_test_not_loading, window, 60000));
  model = studio_window_get_model (window);
  g_assert_nonnull (model);
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "fashion_cnn");
  studio_test_wait_for_frame (view, 1);
  check_placement (view, model);
  save_screenshot (GTK_WIDGET (window), "sample.png");

  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  studio_test_wait_for_frame (view, 1);
  save_screenshot (GTK_WIDGET (window), "sample-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_open_error (void)
{
  g_autoptr (GFile) file = g_file_new_for_path ("/nonexistent/missing-model.json");
  StudioWindow *window = new_window ();
  AdwMessageDialog *dialog = NULL;

  studio_window_open (window, file);
  g_assert_true (studio_test_wait_for (studio_test_not_loading, window, 30000));
  g_assert_null (studio_window_get_model (window));
  g_assert_true (studio_test_wait_for (studio_test_find_message_dialog, &dialog, 10000));
  /* The whole GError message is shown, and it names the file. */
  g_assert_nonnull (strstr (adw_message_dialog_get_body (dialog), "missing-model"));
  g_assert_cmpstr (gtk_window_get_title (GTK_WINDOW (window)), ==, "MRT Studio");
  save_screenshot (GTK_WIDGET (window), "error.png");
  save_screenshot (GTK_WIDGET (dialog), "error-dialog.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  gtk_window_destroy (GTK_WINDOW (window));
}

static void
test_model_name (void)
{
  static const char *const cases[][2] = {
    { "/a/b/resnet18-symbol.json", "resnet18" },
    { "/a/b/fashion_cnn.json", "fashion_cnn" },
    { "lenet", "lenet" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *name = studio_window_model_name_for_path (cases[i][0]);
      g_assert_cmpstr (name, ==, cases[i][1]);
    }
}

int
main (int argc, char *argv[])
{
  int ret;

  app = studio_test_init (&argc, &argv);

  g_test_add_func ("/gui/model-name", test_model_name);
  g_test_add_func ("/gui/window-model", test_window_model);
  g_test_add_func ("/gui/zoom-fit", test_zoom_fit);
  g_test_add_func ("/gui/show-params", test_show_params);
  g_test_add_func ("/gui/selection", test_selection);
  g_test_add_func ("/gui/culling", test_culling);
  g_test_add_func ("/gui/open-sample", test_open_sample);
  g_test_add_func ("/gui/open-error", test_open_error);
  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
