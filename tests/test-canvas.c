/* test-canvas.c: the canvas features of issue #7 under Xvfb: the project
 * `.ini` round trip (split keys and thresholds chosen on the canvas),
 * groups, search, overlays and the inspector, the minimap, image export,
 * and a 10 000-operator graph. Set MRT_STUDIO_SCREENSHOT_DIR for PNGs. */
#include <adwaita.h>
#include <glib/gstdio.h>
#include <math.h>

#include "mrt.h"
#include "studio-application.h"
#include "studio-graph-groups.h"
#include "studio-inspector.h"
#include "studio-minimap.h"
#include "studio-project.h"
#include "studio-search.h"
#include "studio-test-util.h"
#include "studio-window.h"

static StudioApplication *app;

/* ---- models built in code ------------------------------------------------ */

static void
add_param (MrtModel *m, const char *name, gint64 d0, gint64 d1)
{
  MrtShape shape = d1 ? mrt_shape_make (2, d0, d1) : mrt_shape_make (1, d0);
  MrtTensor *t = mrt_tensor_new (MRT_DTYPE_F32, &shape);
  float *d = mrt_tensor_f32 (t);
  for (gsize i = 0; i < t->n; i++)
    d[i] = (float) sin (i * 0.37) * (1 + i % 7);
  mrt_model_add_variable (m, name);
  mrt_model_set_param (m, name, t);
  mrt_tensor_unref (t);
}

static guint
op1 (MrtModel *m, const char *name, const char *op, guint in)
{
  MrtEntry e = { in, 0 };
  return mrt_model_add_node (m, name, op, NULL, &e, 1);
}

static guint
dense (MrtModel *m, const char *name, guint in, gint64 n_in, gint64 n_out)
{
  g_autofree char *w = g_strdup_printf ("%s_weight", name);
  g_autofree char *b = g_strdup_printf ("%s_bias", name);
  GHashTable *attrs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  guint wi = mrt_model_n_nodes (m);
  add_param (m, w, n_out, n_in);
  add_param (m, b, n_out, 0);
  g_hash_table_insert (attrs, g_strdup ("num_hidden"), g_strdup_printf ("%" G_GINT64_FORMAT, n_out));
  return mrt_model_add_node (m, name, "FullyConnected", attrs,
                             (MrtEntry[]) { { in, 0 }, { wi, 0 }, { wi + 1, 0 } }, 3);
}

/* `blocks` residual blocks named in scopes, "stage<s>_unit<u>_*", so every
 * unit is a group of four operators. */
static MrtModel *
build_scoped (guint stages, guint units)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "data");
  mrt_node_set_attr (mrt_model_node (m, x), "__shape__", "(1, 16)");
  for (guint s = 1; s <= stages; s++)
    for (guint u = 1; u <= units; u++)
      {
        g_autofree char *p = g_strdup_printf ("stage%u_unit%u_", s, u);
        g_autofree char *fc1 = g_strconcat (p, "fc1", NULL), *r1 = g_strconcat (p, "relu1", NULL);
        g_autofree char *fc2 = g_strconcat (p, "fc2", NULL), *add = g_strconcat (p, "plus", NULL);
        guint in = x, y;
        y = dense (m, fc1, x, 16, 16);
        y = op1 (m, r1, "relu", y);
        y = dense (m, fc2, y, 16, 16);
        x = mrt_model_add_node (m, add, "elemwise_add", NULL, (MrtEntry[]) { { y, 0 }, { in, 0 } }, 2);
      }
  x = op1 (m, "flatten0", "Flatten", x);
  x = dense (m, "fc_out", x, 16, 10);
  x = op1 (m, "softmax0", "softmax", x);
  mrt_model_add_head (m, (MrtEntry) { x, 0 });
  return m;
}

/* ---- helpers --------------------------------------------------------------- */

static StudioWindow *
new_window (void)
{
  StudioWindow *window = studio_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  return window;
}

/* The window holds the project; closing with changes would ask first. */
static void
close_window (StudioWindow *window)
{
  gtk_window_destroy (GTK_WINDOW (window));
}

/* With MRT_STUDIO_SCREENSHOT_DIR set, a PNG of widget past its transitions. */
static void
save_screenshot (GtkWidget *widget, const char *name)
{
  const char *dir = g_getenv ("MRT_STUDIO_SCREENSHOT_DIR");

  if (!dir)
    return;
  studio_test_settle (450); /* past transitions */
  studio_test_write_png (widget, dir, name);
}

static void
show_inspector (StudioWindow *window)
{
  AdwFlap *flap = ADW_FLAP (studio_test_find_child (GTK_WIDGET (window), ADW_TYPE_FLAP));
  /* F9 (win.toggle-inspector) flips it: twice gives back the start. */
  gboolean was = adw_flap_get_reveal_flap (flap);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.toggle-inspector", NULL));
  g_assert_true (adw_flap_get_reveal_flap (flap) != was);
  adw_flap_set_reveal_flap (flap, TRUE);
}

/* The sample project copied into dir; returns the path of its .ini. */
static char *
copy_sample (const char *dir)
{
  studio_test_copy_sample (dir);
  return g_build_filename (dir, "fashion_cnn.ini", NULL);
}

static StudioWindow *
open_and_wait (const char *path)
{
  g_autoptr (GFile) file = g_file_new_for_path (path);
  StudioWindow *window = new_window ();
  studio_window_open (window, file);
  g_assert_true (studio_test_wait_for (studio_test_not_loading, window, 60000));
  g_assert_nonnull (studio_window_get_model (window));
  studio_test_wait_for_frame (studio_window_get_graph_view (window), 0);
  return window;
}

/* ---- project round trip ---------------------------------------------------- */

static void
test_project_round_trip (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mrt-canvas-XXXXXX", NULL);
  g_autofree char *ini_path = copy_sample (dir);
  g_autoptr (MrtConfig) config = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  StudioWindow *window = open_and_wait (ini_path);
  StudioGraphView *view = studio_window_get_graph_view (window);
  StudioInspector *inspector = STUDIO_INSPECTOR (studio_test_find_child (GTK_WIDGET (window), STUDIO_TYPE_INSPECTOR));
  StudioProject *project = studio_window_get_project (window);
  MrtModel *model = studio_graph_view_get_shown_model (view);
  gint relu = mrt_model_find (model, "relu1"), fc = mrt_model_find (model, "fc0");
  AdwEntryRow *row;
  double *th;

  g_assert_nonnull (project);
  g_assert_cmpstr (studio_project_get_path (project), !=, NULL);
  g_assert_false (studio_project_is_modified (project));
  g_assert_cmpint (relu, >=, 0);

  /* Split after relu1 and fc0 (Ctrl+K is view.split-after), then take fc0
   * back and put it in again: keys are removable. */
  studio_graph_view_set_selected_node (view, relu);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.split-after", NULL));
  studio_graph_view_set_selected_node (view, fc);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.split-after", NULL));
  g_assert_true (studio_project_has_split_key (project, "fc0"));
  g_assert_false (studio_graph_view_toggle_split_key (view, (guint) fc));
  g_assert_false (studio_project_has_split_key (project, "fc0"));
  g_assert_true (studio_graph_view_toggle_split_key (view, (guint) fc));
  g_assert_true (studio_project_is_modified (project));

  /* A threshold typed into the inspector, and one reset to calibration. */
  studio_graph_view_set_selected_node (view, relu);
  show_inspector (window);
  row = studio_inspector_get_threshold_row (inspector);
  gtk_editable_set_text (GTK_EDITABLE (row), "not a number");
  g_signal_emit_by_name (row, "apply");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (row), "error"));
  gtk_editable_set_text (GTK_EDITABLE (row), "2.5");
  g_signal_emit_by_name (row, "apply");
  studio_graph_view_set_selected_node (view, fc);
  gtk_editable_set_text (GTK_EDITABLE (studio_inspector_get_threshold_row (inspector)), "7");
  g_signal_emit_by_name (studio_inspector_get_threshold_row (inspector), "apply");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.reset-threshold", NULL));
  g_assert_false (studio_project_get_threshold (project, "fc0", NULL));
  studio_graph_view_fit (view);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-split.png");
  studio_graph_view_set_zoom (view, 1.0);
  studio_graph_view_reveal_node (view, (guint) relu);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-split-zoomed.png");

  /* A split model needs Oscale_maps too; the stage options set it. */
  mrt_ini_set (studio_project_get_ini (project), "MERGE_MODEL", "Oscale_maps", "softmax: None");
  studio_project_touch (project);
  /* Saved in place (Ctrl+S), read back with MRT's own reader. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.save-project", NULL));
  g_assert_false (studio_project_is_modified (project));
  config = mrt_config_load (ini_path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (config->split_keys->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (config->split_keys, 0), ==, "relu1");
  g_assert_cmpstr (g_ptr_array_index (config->split_keys, 1), ==, "fc0");
  g_assert_cmpuint (g_hash_table_size (config->thresholds), ==, 1);
  th = g_hash_table_lookup (config->thresholds, "relu1");
  g_assert_nonnull (th);
  g_assert_cmpfloat (*th, ==, 2.5);
  /* The user's comments survive, and items are one per line. */
  g_assert_true (g_file_get_contents (ini_path, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "# MRT main2 configuration for the bundled sample model"));
  g_assert_nonnull (strstr (text, "Keys=\n  relu1,\n  fc0\n"));
  g_assert_nonnull (strstr (text, "Thresholds=\n  relu1: 2.5\n"));
  close_window (window);
}

static void
test_new_project (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mrt-canvas-XXXXXX", NULL);
  g_autofree char *model_path = g_build_filename (dir, "scoped-symbol.json", NULL);
  g_autofree char *ini_path = g_build_filename (dir, "scoped.ini", NULL);
  g_autofree char *elsewhere = g_build_filename (dir, "sub", NULL);
  g_autofree char *moved = g_build_filename (elsewhere, "copy.ini", NULL);
  g_autofree char *prefix = NULL;
  g_autofree char *expect_prefix = g_build_filename (dir, "scoped", NULL);
  g_autofree char *found = NULL;
  g_autoptr (MrtModel) model = build_scoped (1, 2);
  g_autoptr (StudioProject) project = studio_project_new_for_model (model_path, model);
  g_autoptr (MrtIni) ini = NULL;
  g_autoptr (GHashTable) th = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_null (studio_project_get_path (project));
  g_assert_cmpstr (studio_project_get_model_name (project), ==, "scoped");
  g_assert_cmpstr (mrt_ini_get (studio_project_get_ini (project), "DEFAULT", "Input_shape"), ==, "(-1, 16)");
  /* Every main2 section is there, empty values where MRT has defaults. */
  for (const char *const *s = (const char *const[]) { "PREPARE", "SPLIT_MODEL", "CALIBRATION", "QUANTIZATION",
                                                      "MERGE_MODEL", "EVALUATION", "COMPILATION", NULL };
       *s; s++)
    g_assert_true (mrt_ini_has_section (studio_project_get_ini (project), *s));
  studio_project_set_threshold (project, "stage1_unit1_relu1", 0.1);
  studio_project_set_threshold (project, "stage1_unit2_plus", 12);
  studio_project_set_threshold (project, "stage1_unit1_relu1", 0.25);
  g_assert_true (studio_project_clear_threshold (project, "stage1_unit2_plus"));
  g_assert_false (studio_project_clear_threshold (project, "nothing"));
  g_assert_true (studio_project_save (project, ini_path, &error));
  g_assert_no_error (error);
  ini = mrt_ini_load (ini_path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mrt_ini_get (ini, "DEFAULT", "Model_dir"), ==, "");
  g_assert_cmpstr (mrt_ini_get (ini, "QUANTIZATION", "Thresholds"), ==, "stage1_unit1_relu1: 0.25");
  /* Saved in another folder, the project still points at the model. */
  g_assert_cmpint (g_mkdir (elsewhere, 0755), ==, 0);
  g_assert_true (studio_project_save (project, moved, &error));
  prefix = studio_project_get_model_prefix (project);
  g_assert_cmpstr (prefix, ==, expect_prefix);
  th = studio_project_get_thresholds (project);
  g_assert_cmpfloat (*(double *) g_hash_table_lookup (th, "stage1_unit1_relu1"), ==, 0.25);
  /* Opening the model again finds the project beside it. */
  g_assert_true (g_file_set_contents (model_path, "{}", -1, NULL));
  found = studio_project_find_for_model (model_path);
  g_assert_cmpstr (found, ==, ini_path);
}

/* ---- groups ------------------------------------------------------------------ */

static void
test_groups (void)
{
  g_autoptr (MrtModel) model = build_scoped (2, 3);
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  guint expanded, collapsed;
  gint g;
  graphene_rect_t r;

  studio_window_set_model (window, model, "/tmp/scoped.json");
  studio_test_wait_for_frame (view, 0);
  /* Six units nested in two stages. */
  g_assert_cmpuint (studio_graph_view_get_n_groups (view), ==, 8);
  g = studio_graph_view_get_group_of (view, (guint) mrt_model_find (model, "stage2_unit1_relu1"));
  g_assert_cmpint (g, >=, 0);
  g_assert_cmpstr (studio_graph_view_get_group_name (view, (guint) g), ==, "stage2_unit1");
  g_assert_cmpuint (studio_graph_view_get_group_size (view, (guint) g), ==, 4);
  expanded = studio_graph_view_get_n_placed (view);

  studio_graph_view_set_group_collapsed (view, (guint) g, TRUE);
  collapsed = studio_graph_view_get_n_placed (view);
  g_assert_cmpuint (collapsed, ==, expanded - 3);
  /* Every member maps to the one box of its group. */
  g_assert_true (studio_graph_view_get_node_rect (view, (guint) mrt_model_find (model, "stage2_unit1_fc1"), &r));
  {
    graphene_rect_t r2;
    g_assert_true (studio_graph_view_get_node_rect (view, (guint) mrt_model_find (model, "stage2_unit1_plus"), &r2));
    g_assert_true (graphene_rect_equal (&r, &r2));
  }
  studio_graph_view_set_selected_node (view, mrt_model_find (model, "stage2_unit1_plus"));
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-group-collapsed.png");
  /* Space (view.toggle-group) expands the selection's group again. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.toggle-group", NULL));
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, expanded);
  /* The node menu (Shift+F10) offers to fold the unit or the whole stage. */
  studio_graph_view_set_selected_node (view, mrt_model_find (model, "stage1_unit2_relu1"));
  studio_graph_view_reveal_node (view, (guint) mrt_model_find (model, "stage1_unit2_relu1"));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.menu", NULL));
  {
    GtkWidget *menu = NULL;
    /* The view's own popover, not the colour chooser's inside its button. */
    for (GtkWidget *c = gtk_widget_get_first_child (GTK_WIDGET (view)); c; c = gtk_widget_get_next_sibling (c))
      if (GTK_IS_POPOVER_MENU (c))
        menu = c;
    g_assert_nonnull (menu);
    g_assert_true (studio_test_wait_for ((StudioTestCondition) gtk_widget_get_mapped, menu, 5000));
    save_screenshot (menu, "canvas-menu.png");
    gtk_popover_popdown (GTK_POPOVER (menu));
  }
  g_assert_true (gtk_widget_activate_action (
    GTK_WIDGET (view), "view.collapse-group", "i",
    studio_graph_view_get_group_of (view, (guint) mrt_model_find (model, "stage1_unit2_relu1"))));
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, expanded - 3);
  studio_graph_view_set_all_collapsed (view, TRUE);
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, expanded - 2 * 11);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-groups-all.png");
  close_window (window);
}

static void
test_scope_rule (void)
{
  static const char *const cases[][2] = {
    { "stage1_unit2_conv1", "stage1_unit2" }, { "stage1_unit2_bn1", "stage1_unit2" },
    { "resnetv10_stage3_conv4", "resnetv10_stage3" }, { "conv0", NULL }, { "_plus3", NULL },
    { "stage1_unit1_conv1_weight", "stage1_unit1_conv1" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *scope = studio_graph_scope_of (cases[i][0]);
      g_assert_cmpstr (scope, ==, cases[i][1]);
    }
}

/* ---- search ------------------------------------------------------------------ */

static gboolean
has_12_matches (gpointer view)
{
  return studio_graph_view_get_n_matches (view) == 12;
}

static void
test_search (void)
{
  g_autoptr (MrtModel) model = build_scoped (3, 4);
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  StudioSearch *search = STUDIO_SEARCH (studio_test_find_child (GTK_WIDGET (window), STUDIO_TYPE_SEARCH));
  gint target = mrt_model_find (model, "stage3_unit2_relu1");
  double z, ox, oy;
  graphene_rect_t r;

  studio_window_set_model (window, model, "/tmp/scoped.json");
  studio_test_wait_for_frame (view, 0);
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.find", NULL));
  g_assert_true (studio_search_get_active (search));
  /* By op name: every relu. By node name: one. */
  g_assert_cmpuint (studio_graph_view_search (view, "RELU"), ==, 12);
  g_assert_cmpuint (studio_graph_view_search (view, "stage3_unit2_relu"), ==, 1);
  g_assert_cmpint (studio_graph_view_search_next (view, FALSE), ==, 0);
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, target);
  /* Jumping puts the match in the middle of the canvas. */
  g_assert_true (studio_graph_view_get_node_rect (view, (guint) target, &r));
  studio_graph_view_get_transform (view, &z, &ox, &oy);
  g_assert_cmpfloat (fabs (ox + (r.origin.x + r.size.width / 2) * z - gtk_widget_get_width (GTK_WIDGET (view)) / 2.0),
                     <, 2);

  /* Through the entry, as typed: the entry searches after a short pause. */
  gtk_editable_set_text (studio_search_get_entry (search), "fc2");
  g_assert_true (studio_test_wait_for (has_12_matches, view, 5000));
  g_signal_emit_by_name (studio_search_get_entry (search), "activate");
  g_signal_emit_by_name (studio_search_get_entry (search), "activate");
  g_assert_cmpstr (studio_search_get_status (search), ==, "2 of 12");
  g_assert_cmpint (studio_graph_view_get_selected_node (view), ==, mrt_model_find (model, "stage1_unit2_fc2"));
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-search.png");
  gtk_editable_set_text (studio_search_get_entry (search), "no such node");
  g_signal_emit_by_name (studio_search_get_entry (search), "search-changed");
  g_assert_cmpstr (studio_search_get_status (search), ==, "No matches");
  studio_search_set_active (search, FALSE);
  g_assert_cmpuint (studio_graph_view_get_n_matches (view), ==, 0);
  close_window (window);
}

/* ---- overlays and the inspector --------------------------------------------- */

static MrtState *
fake_state (MrtModel *model)
{
  MrtState *st = mrt_state_new (model);
  st->prepared = mrt_model_ref (model);
  st->thresholds = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  st->quantized = mrt_quantized_new ();
  st->evaluation = mrt_evaluation_new (10);
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    {
      const MrtNode *n = mrt_model_node (model, i);
      double th = 0.5 + i * 0.75, sc = 127.0 / th;
      int prec = i % 3 == 0 ? 8 : i % 3 == 1 ? 16 : 24;
      MrtLayerError *le = g_new0 (MrtLayerError, 1);
      g_hash_table_insert (st->thresholds, g_strdup (n->name), g_memdup2 (&th, sizeof th));
      g_hash_table_insert (st->quantized->sc, g_strdup (n->name), g_memdup2 (&sc, sizeof sc));
      g_hash_table_insert (st->quantized->prec, g_strdup (n->name), g_memdup2 (&prec, sizeof prec));
      le->name = g_strdup (n->name);
      le->op = g_strdup (n->op);
      le->sqnr_db = 45.0 - i * 0.6;
      g_ptr_array_add (st->evaluation->layers, le);
    }
  return st;
}

static void
test_overlays_inspector (void)
{
  g_autoptr (MrtModel) model = build_scoped (1, 3);
  g_autoptr (MrtState) state = fake_state (model);
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  StudioInspector *inspector = STUDIO_INSPECTOR (studio_test_find_child (GTK_WIDGET (window), STUDIO_TYPE_INSPECTOR));
  gint fc = mrt_model_find (model, "stage1_unit2_fc1");
  g_autofree char *expect_scale = NULL;

  studio_window_set_model (window, model, "/tmp/scoped.json");
  studio_test_wait_for_frame (view, 0);
  show_inspector (window);
  studio_graph_view_set_selected_node (view, fc);
  g_assert_cmpstr (studio_inspector_get_output_shape (inspector), ==, "(1, 16)");
  g_assert_cmpstr (studio_inspector_get_value (inspector, "precision"), ==, "—");
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-inspector.png");

  /* The stage panel's push: thresholds, scales, precisions, SQNR appear. */
  studio_graph_view_set_state (view, state);
  g_assert_true (studio_graph_view_get_shown_model (view) == model);
  expect_scale = g_strdup_printf ("%.6g", 127.0 / (0.5 + fc * 0.75));
  g_assert_cmpstr (studio_inspector_get_value (inspector, "scale"), ==, expect_scale);
  g_assert_cmpstr (studio_inspector_get_value (inspector, "precision"), ==, fc % 3 == 0 ? "8 bits" : fc % 3 == 1 ? "16 bits" : "24 bits");
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (view), "view.overlay", "s", "precision"));
  g_assert_cmpint (studio_graph_view_get_overlay (view), ==, STUDIO_OVERLAY_PRECISION);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-overlay-precision.png");
  studio_project_set_threshold (studio_window_get_project (window), "stage1_unit1_relu1", 3);
  studio_graph_view_set_state (view, state);
  studio_graph_view_set_overlay (view, STUDIO_OVERLAY_THRESHOLD);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-overlay-threshold.png");
  /* The window's own runner owns the state; after a project change it
   * pushes its (empty) state again, so push the test's once more. */
  studio_graph_view_set_state (view, state);
  studio_graph_view_set_overlay (view, STUDIO_OVERLAY_SQNR);
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_FORCE_DARK);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-overlay-sqnr-dark.png");
  adw_style_manager_set_color_scheme (adw_style_manager_get_default (), ADW_COLOR_SCHEME_DEFAULT);
  studio_graph_view_set_state (view, NULL);
  studio_graph_view_set_overlay (view, STUDIO_OVERLAY_NONE);
  close_window (window);
}

/* The real pipeline on the bundled model, when its dataset is installed:
 * the canvas switches to the prepared graph, and the overlays and the
 * inspector find the quantizer's values under its node names. */
static void
test_real_pipeline (void)
{
  g_autofree char *ini = g_build_filename (g_getenv ("MRT_SAMPLE_DIR"), "fashion_cnn.ini", NULL);
  static const MrtStage stages[] = { MRT_STAGE_PREPARE, MRT_STAGE_SPLIT_MODEL, MRT_STAGE_CALIBRATION,
                                     MRT_STAGE_QUANTIZATION, MRT_STAGE_MERGE_MODEL, MRT_STAGE_EVALUATION };
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) config = mrt_config_load (ini, &error);
  g_autoptr (MrtState) state = NULL;
  StudioWindow *window;
  StudioGraphView *view;
  StudioInspector *inspector;
  MrtModel *shown;
  guint with_precision = 0, ops = 0;
  gint conv;

  if (!config)
    {
      g_test_skip (error->message);
      return;
    }
  config->iter_num = 2; /* two batches are enough for per-layer SQNR */
  window = open_and_wait (ini);
  view = studio_window_get_graph_view (window);
  inspector = STUDIO_INSPECTOR (studio_test_find_child (GTK_WIDGET (window), STUDIO_TYPE_INSPECTOR));
  state = mrt_state_new (studio_window_get_model (window));
  for (guint k = 0; k < G_N_ELEMENTS (stages); k++)
    {
      MrtState *next = mrt_stage_run (stages[k], state, config, NULL, &error);
      g_assert_no_error (error);
      mrt_state_unref (state);
      state = next;
    }

  studio_graph_view_set_state (view, state);
  shown = studio_graph_view_get_shown_model (view);
  g_assert_true (shown == state->prepared);
  for (guint i = 0; i < mrt_model_n_nodes (shown); i++)
    if (!mrt_node_is_variable (mrt_model_node (shown, i)))
      {
        ops++;
        with_precision += g_hash_table_contains (state->quantized->prec, mrt_model_node (shown, i)->name);
      }
  g_test_message ("%u of %u prepared operators have a precision", with_precision, ops);
  g_assert_cmpuint (with_precision * 2, >, ops);

  conv = -1;
  for (guint i = 0; conv < 0 && i < mrt_model_n_nodes (shown); i++)
    if (g_str_equal (mrt_model_node (shown, i)->op, "Convolution"))
      conv = (gint) i;
  show_inspector (window);
  studio_graph_view_set_selected_node (view, conv);
  g_assert_cmpstr (studio_inspector_get_value (inspector, "precision"), !=, "—");
  g_assert_cmpstr (studio_inspector_get_value (inspector, "calibrated"), !=, "—");
  studio_graph_view_set_overlay (view, STUDIO_OVERLAY_SQNR);
  studio_graph_view_fit (view);
  studio_test_wait_for_frame (view, 0);
  save_screenshot (GTK_WIDGET (window), "canvas-real-sqnr.png");
  studio_graph_view_set_overlay (view, STUDIO_OVERLAY_NONE);
  close_window (window);
}

/* ---- export, minimap, a big graph --------------------------------------------- */

static void
test_export (void)
{
  g_autoptr (MrtModel) model = build_scoped (1, 2);
  g_autofree char *dir = g_dir_make_tmp ("mrt-canvas-XXXXXX", NULL);
  g_autofree char *png = g_build_filename (dir, "graph.png", NULL);
  g_autofree char *svg = g_build_filename (dir, "graph.svg", NULL);
  g_autofree char *bad = g_build_filename (dir, "missing", "graph.png", NULL);
  g_autofree char *text = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GdkTexture) texture = NULL;
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);

  studio_window_set_model (window, model, "/tmp/scoped.json");
  studio_test_wait_for_frame (view, 0);
  g_assert_true (studio_graph_view_export_image (view, png, &error));
  g_assert_no_error (error);
  texture = gdk_texture_new_from_filename (png, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gdk_texture_get_width (texture), >=, gtk_widget_get_width (GTK_WIDGET (view)));
  g_assert_true (studio_graph_view_export_image (view, svg, &error));
  g_assert_true (g_file_get_contents (svg, &text, NULL, NULL));
  g_assert_nonnull (strstr (text, "<svg"));
  g_assert_false (studio_graph_view_export_image (view, bad, &error));
  g_assert_nonnull (strstr (error->message, "missing"));
  close_window (window);
}

/* ~10 000 operators: residual blocks in 40 stages of 50 units. */
static MrtModel *
build_huge (void)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "data");
  for (guint s = 0; s < 40; s++)
    for (guint u = 0; u < 50; u++)
      {
        g_autofree char *p = g_strdup_printf ("stage%u_unit%u_", s, u);
        g_autofree char *a = g_strconcat (p, "relu1", NULL), *b = g_strconcat (p, "relu2", NULL);
        g_autofree char *c = g_strconcat (p, "relu3", NULL), *d = g_strconcat (p, "tanh", NULL);
        g_autofree char *e = g_strconcat (p, "plus", NULL);
        guint in = x, y = op1 (m, a, "relu", x);
        y = op1 (m, b, "relu", y);
        y = op1 (m, c, "relu", y);
        y = op1 (m, d, "tanh", y);
        x = mrt_model_add_node (m, e, "elemwise_add", NULL, (MrtEntry[]) { { y, 0 }, { in, 0 } }, 2);
      }
  mrt_model_add_head (m, (MrtEntry) { x, 0 });
  return m;
}

static void
test_huge_graph (void)
{
  g_autoptr (MrtModel) model = build_huge ();
  StudioWindow *window = new_window ();
  StudioGraphView *view = studio_window_get_graph_view (window);
  GtkWidget *minimap = studio_test_find_child (GTK_WIDGET (view), STUDIO_TYPE_MINIMAP);
  gint64 t0 = g_get_monotonic_time ();
  guint placed;
  double wx, wy, z;

  studio_window_set_model (window, model, "/tmp/huge.json");
  g_test_message ("10 000 operators: grouped scene built in %.0f ms",
                  (g_get_monotonic_time () - t0) / 1000.0);
  studio_test_wait_for_frame (view, 0);
  /* So many operators open as an outline of collapsed groups: 40 stages of
   * 50 units each. */
  g_assert_cmpuint (studio_graph_view_get_n_groups (view), ==, 2040);
  g_assert_true (studio_graph_view_get_group_collapsed (view, 0));
  g_assert_cmpuint (studio_graph_view_get_n_placed (view), ==, 41);
  save_screenshot (GTK_WIDGET (window), "canvas-huge-outline.png");

  t0 = g_get_monotonic_time ();
  studio_graph_view_set_all_collapsed (view, FALSE);
  placed = studio_graph_view_get_n_placed (view);
  g_test_message ("expanded to %u boxes in %.0f ms", placed, (g_get_monotonic_time () - t0) / 1000.0);
  g_assert_cmpuint (placed, ==, 10001);
  studio_test_wait_for_frame (view, 0);
  /* Only what is on screen is painted. */
  g_assert_cmpuint (studio_graph_view_get_n_drawn (view), <, 100);
  g_test_message ("paint at %.0f %%: %u boxes, %.1f ms", studio_graph_view_get_zoom (view) * 100,
                  studio_graph_view_get_n_drawn (view), studio_graph_view_get_last_paint_ms (view));
  g_assert_true (gtk_widget_get_child_visible (minimap));
  /* Clicking in the minimap's lower half moves the view down the graph. */
  g_assert_true (studio_minimap_to_world (STUDIO_MINIMAP (minimap), gtk_widget_get_width (minimap) / 2.0,
                                          gtk_widget_get_height (minimap) * 0.75, &wx, &wy));
  studio_graph_view_center_on (view, wx, wy);
  studio_test_wait_for_frame (view, 0);
  g_test_message ("paint after jump: %u boxes, %.1f ms", studio_graph_view_get_n_drawn (view),
                  studio_graph_view_get_last_paint_ms (view));
  save_screenshot (GTK_WIDGET (window), "canvas-huge-minimap.png");
  for (z = 0.4; z > 0.004; z /= 2.5)
    {
      studio_graph_view_set_zoom (view, z);
      studio_test_wait_for_frame (view, 0);
      g_test_message ("paint at %.2f %%: %u boxes, %.1f ms", studio_graph_view_get_zoom (view) * 100,
                      studio_graph_view_get_n_drawn (view), studio_graph_view_get_last_paint_ms (view));
    }
  studio_graph_view_fit (view);
  studio_test_wait_for_frame (view, 0);
  g_test_message ("paint fitted: %u boxes, %.1f ms", studio_graph_view_get_n_drawn (view),
                  studio_graph_view_get_last_paint_ms (view));
  g_assert_cmpuint (studio_graph_view_get_n_drawn (view), ==, placed);
  close_window (window);
}

int
main (int argc, char *argv[])
{
  int ret;

  app = studio_test_init (&argc, &argv);

  g_test_add_func ("/canvas/scope-rule", test_scope_rule);
  g_test_add_func ("/canvas/project-round-trip", test_project_round_trip);
  g_test_add_func ("/canvas/new-project", test_new_project);
  g_test_add_func ("/canvas/groups", test_groups);
  g_test_add_func ("/canvas/search", test_search);
  g_test_add_func ("/canvas/overlays-inspector", test_overlays_inspector);
  g_test_add_func ("/canvas/real-pipeline", test_real_pipeline);
  g_test_add_func ("/canvas/export", test_export);
  g_test_add_func ("/canvas/huge-graph", test_huge_graph);
  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
