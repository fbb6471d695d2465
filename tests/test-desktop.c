/* test-desktop.c: settings, preferences, About, dark style and keyboard
 * access of the studio, run under Xvfb with GSETTINGS_BACKEND=memory. */
#include "config.h"

#include <adwaita.h>
#include <cblas.h>
#include <string.h>

#include "studio-application.h"
#include "studio-preferences.h"
#include "studio-settings.h"
#include "studio-stage-panel.h"
#include "studio-test-util.h"
#include "studio-window.h"

static StudioApplication *app;

static GtkWidget *
find_action_button (GtkWidget *root, const char *action)
{
  if (GTK_IS_BUTTON (root) && g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (root)), action) == 0)
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_action_button (c, action);
      if (found)
        return found;
    }
  return NULL;
}

static GtkWidget *
find_primary_menu (GtkWidget *root)
{
  if (GTK_IS_MENU_BUTTON (root) && gtk_menu_button_get_primary (GTK_MENU_BUTTON (root)))
    return root;
  for (GtkWidget *c = gtk_widget_get_first_child (root); c; c = gtk_widget_get_next_sibling (c))
    {
      GtkWidget *found = find_primary_menu (c);
      if (found)
        return found;
    }
  return NULL;
}

/* ---- settings ------------------------------------------------------------ */

static void
test_recent (void)
{
  GSettings *settings = studio_settings_get ();
  const char *start[] = { "/a", "/b", "/c", NULL };
  g_auto (GStrv) pushed = studio_settings_push_recent (start, "/b");
  g_auto (GStrv) list = NULL;
  g_autoptr (GMenu) menu = g_menu_new ();
  g_autoptr (GMenuModel) section = NULL;
  g_autofree char *label = NULL;

  g_assert_nonnull (settings);
  /* Most recent first, no duplicates. */
  g_assert_cmpstrv (pushed, ((const char *[]) { "/b", "/a", "/c", NULL }));

  g_settings_reset (settings, STUDIO_RECENT_MODELS);
  studio_settings_bind_recent_menu (menu);
  /* A greyed out placeholder while the lists are empty. */
  g_assert_cmpint (g_menu_model_get_n_items (G_MENU_MODEL (menu)), ==, 1);
  for (guint i = 0; i < STUDIO_RECENT_MAX + 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/models/net_%u.json", i);
      studio_settings_add_recent_model (path);
    }
  studio_settings_add_recent_model ("/models/net_3.json");
  list = g_settings_get_strv (settings, STUDIO_RECENT_MODELS);
  g_assert_cmpuint (g_strv_length (list), ==, STUDIO_RECENT_MAX);
  g_assert_cmpstr (list[0], ==, "/models/net_3.json");
  g_assert_cmpstr (list[1], ==, "/models/net_14.json");

  /* The menu follows: one section of models, names with underscores
   * escaped so they are not taken for mnemonics. */
  g_assert_cmpint (g_menu_model_get_n_items (G_MENU_MODEL (menu)), ==, 1);
  section = g_menu_model_get_item_link (G_MENU_MODEL (menu), 0, G_MENU_LINK_SECTION);
  g_assert_cmpint (g_menu_model_get_n_items (section), ==, STUDIO_RECENT_MAX);
  g_assert_true (g_menu_model_get_item_attribute (section, 0, G_MENU_ATTRIBUTE_LABEL, "s", &label));
  g_assert_cmpstr (label, ==, "net__3.json");

  studio_settings_add_recent_project ("/projects/p.ini");
  g_assert_cmpint (g_menu_model_get_n_items (G_MENU_MODEL (menu)), ==, 2);
  g_settings_reset (settings, STUDIO_RECENT_MODELS);
  g_settings_reset (settings, STUDIO_RECENT_PROJECTS);
}

static void
test_project_defaults (void)
{
  GSettings *settings = studio_settings_get ();
  g_autofree char *method = studio_settings_dup_calibration_method ();
  g_autofree char *folder = studio_settings_dup_dataset_folder ();
  g_autoptr (MrtIni) ini = NULL;

  g_assert_cmpstr (method, ==, "absmax");
  g_assert_null (folder);
  g_settings_set_string (settings, "calibration-method", "kl");
  g_settings_set_string (settings, "dataset-folder", "/data/sets");
  g_free (method), method = studio_settings_dup_calibration_method ();
  g_free (folder), folder = studio_settings_dup_dataset_folder ();
  g_assert_cmpstr (method, ==, "kl");
  g_assert_cmpstr (folder, ==, "/data/sets");
  /* Written into a new project's .ini. */
  ini = mrt_ini_parse ("[CALIBRATION]\nLambda=\nDataset_dir=\n", "new.ini", NULL);
  studio_settings_apply_project_defaults (ini);
  g_assert_cmpstr (mrt_ini_get (ini, "CALIBRATION", "Calibration_method"), ==, "kl");
  g_assert_cmpstr (mrt_ini_get (ini, "CALIBRATION", "Dataset_dir"), ==, "/data/sets");
  g_settings_reset (settings, "calibration-method");
  g_settings_reset (settings, "dataset-folder");
  /* MRT's own default stays implicit. */
  g_clear_pointer (&ini, mrt_ini_free);
  ini = mrt_ini_parse ("[CALIBRATION]\nLambda=\n", "new.ini", NULL);
  studio_settings_apply_project_defaults (ini);
  g_assert_null (mrt_ini_get (ini, "CALIBRATION", "Calibration_method"));
  g_assert_null (mrt_ini_get (ini, "CALIBRATION", "Dataset_dir"));
}

static void
test_threads (void)
{
  GSettings *settings = studio_settings_get ();
  int automatic = studio_settings_get_automatic_threads ();

  g_assert_cmpint (studio_settings_resolve_threads (0, 6), ==, 6);
  g_assert_cmpint (studio_settings_resolve_threads (3, 6), ==, 3);
  g_assert_cmpint (studio_settings_resolve_threads (0, 0), ==, 1);
  /* The application applied the setting at startup and follows changes. */
  g_settings_set_int (settings, "thread-count", 1);
  g_assert_cmpint (openblas_get_num_threads (), ==, 1);
  g_settings_set_int (settings, "thread-count", 0);
  g_assert_cmpint (openblas_get_num_threads (), ==, automatic);
}

/* ---- windows ------------------------------------------------------------- */

static void
test_window_geometry (void)
{
  GSettings *settings = studio_settings_get ();
  StudioWindow *window;
  int w, h;

  g_settings_set_int (settings, "window-width", 900);
  g_settings_set_int (settings, "window-height", 640);
  window = studio_window_new (GTK_APPLICATION (app));
  gtk_window_get_default_size (GTK_WINDOW (window), &w, &h);
  g_assert_cmpint (w, ==, 900);
  g_assert_cmpint (h, ==, 640);
  gtk_window_present (GTK_WINDOW (window));
  studio_test_settle (200);
  gtk_window_set_default_size (GTK_WINDOW (window), 1000, 700);
  /* Closing saves, as the user does it (destroying directly would not). */
  gtk_window_close (GTK_WINDOW (window));
  studio_test_settle (100);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 1000);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 700);
  g_assert_false (g_settings_get_boolean (settings, "window-maximized"));
  g_settings_reset (settings, "window-width");
  g_settings_reset (settings, "window-height");
}

static void
test_preferences (void)
{
  GSettings *settings = studio_settings_get ();
  StudioPreferences *prefs = studio_preferences_new (settings, NULL);
  GtkSpinButton *spin_button;
  AdwComboRow *combo;
  GtkWidget *clear;
  g_autofree char *folder = NULL;

  gtk_window_present (GTK_WINDOW (prefs));
  studio_test_settle (200);
  spin_button = GTK_SPIN_BUTTON (studio_test_find_child (GTK_WIDGET (prefs), GTK_TYPE_SPIN_BUTTON));
  combo = ADW_COMBO_ROW (studio_test_find_child (GTK_WIDGET (prefs), ADW_TYPE_COMBO_ROW));
  g_assert_nonnull (spin_button);
  g_assert_nonnull (combo);

  /* Both ways: widget to setting and setting to widget. */
  gtk_spin_button_set_value (spin_button, 4);
  g_assert_cmpint (g_settings_get_int (settings, "thread-count"), ==, 4);
  g_settings_set_int (settings, "thread-count", 0);
  g_assert_cmpfloat (gtk_spin_button_get_value (spin_button), ==, 0);

  adw_combo_row_set_selected (combo, 3);
  g_assert_cmpstr (studio_preferences_method_nick (3), ==, "percentile");
  g_assert_cmpint (g_settings_get_enum (settings, "calibration-method"), ==, 3);
  g_settings_set_string (settings, "calibration-method", "lambda");
  g_assert_cmpuint (adw_combo_row_get_selected (combo), ==, 1);

  /* Nothing to forget until a folder is set. */
  clear = find_action_button (GTK_WIDGET (prefs), "prefs.clear-dataset");
  g_assert_nonnull (clear);
  g_assert_false (gtk_widget_is_sensitive (clear));
  g_settings_set_string (settings, "dataset-folder", "/data");
  g_assert_true (gtk_widget_is_sensitive (clear));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (prefs), "prefs.clear-dataset", NULL));
  folder = g_settings_get_string (settings, "dataset-folder");
  g_assert_cmpstr (folder, ==, "");

  g_settings_reset (settings, "calibration-method");
  gtk_window_destroy (GTK_WINDOW (prefs));
}

static gboolean
about_shown (gpointer data)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr (GObject) w = g_list_model_get_item (toplevels, i);
      if (ADW_IS_ABOUT_WINDOW (w))
        {
          *(AdwAboutWindow **) data = ADW_ABOUT_WINDOW (w);
          return TRUE;
        }
    }
  return FALSE;
}

static void
test_about (void)
{
  AdwAboutWindow *about = NULL;

  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  g_assert_true (about_shown (&about));
  g_assert_cmpstr (adw_about_window_get_version (about), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (about), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (about), ==, GTK_LICENSE_APACHE_2_0);
  g_assert_true (g_str_has_prefix (adw_about_window_get_website (about), "https://"));
  g_assert_true (g_str_has_prefix (adw_about_window_get_issue_url (about), "https://"));
  g_assert_nonnull (strstr (adw_about_window_get_release_notes (about), "<li>"));
  /* The icon is bundled, so it shows before installation too. */
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()), APP_ID));
  gtk_window_destroy (GTK_WINDOW (about));
}

static void
test_dark (void)
{
  AdwStyleManager *style = adw_style_manager_get_default ();

  /* Follows the system unless told otherwise; Xvfb's system is light. */
  g_assert_cmpint (adw_style_manager_get_color_scheme (style), ==, ADW_COLOR_SCHEME_DEFAULT);
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  g_assert_true (adw_style_manager_get_dark (style));
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  g_assert_false (adw_style_manager_get_dark (style));
}

/* ---- keyboard access ----------------------------------------------------- */

static StudioWindow *
sample_window (void)
{
  g_autofree char *path = g_build_filename (g_getenv ("MRT_SAMPLE_DIR"), "fashion_cnn.json", NULL);
  g_autoptr (GFile) file = g_file_new_for_path (path);
  StudioWindow *window = studio_window_new (GTK_APPLICATION (app));
  gint64 end = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  gtk_window_present (GTK_WINDOW (window));
  studio_window_open (window, file);
  while (!studio_test_not_loading (window) && g_get_monotonic_time () < end)
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (studio_window_get_model (window));
  studio_test_settle (300);
  return window;
}

/* A label with text somewhere inside, as in buttons with an icon and a label. */
static gboolean
has_text (GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_visible (widget) && *gtk_label_get_text (GTK_LABEL (widget)))
    return TRUE;
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    if (has_text (c))
      return TRUE;
  return FALSE;
}

/* A button a keyboard or screen reader user can reach must say what it
 * does: with its label, or with a tooltip (GTK 4.8 makes it the
 * accessible description). */
static void
check_buttons (GtkWidget *widget, guint *n_checked)
{
  /* GTK labels the buttons it makes itself (window controls, search bar). */
  if (GTK_IS_WINDOW_CONTROLS (widget) || GTK_IS_POPOVER (widget))
    return;
  if (GTK_IS_SEARCH_BAR (widget))
    {
      GtkWidget *child = gtk_search_bar_get_child (GTK_SEARCH_BAR (widget));
      if (child)
        check_buttons (child, n_checked);
      return;
    }
  if ((GTK_IS_BUTTON (widget) || GTK_IS_MENU_BUTTON (widget)) && gtk_widget_get_focusable (widget) &&
      gtk_widget_get_can_focus (widget) &&
      gtk_widget_get_visible (widget))
    {
      GtkWidget *parent = gtk_widget_get_parent (widget);
      const char *label = GTK_IS_BUTTON (widget) ? gtk_button_get_label (GTK_BUTTON (widget)) : NULL;
      gboolean said = (label && *label) || gtk_widget_get_tooltip_text (widget) ||
                      (GTK_IS_MENU_BUTTON (parent) && gtk_widget_get_tooltip_text (parent)) ||
                      has_text (widget);
      if (!said)
        {
          g_autoptr (GString) path = g_string_new (G_OBJECT_TYPE_NAME (widget));
          for (GtkWidget *a = parent; a; a = gtk_widget_get_parent (a))
            g_string_append_printf (path, " < %s", G_OBJECT_TYPE_NAME (a));
          g_test_message ("button (icon %s) without a label or tooltip: %s",
                          GTK_IS_BUTTON (widget) ? gtk_button_get_icon_name (GTK_BUTTON (widget)) : "?", path->str);
        }
      g_assert_true (said);
      (*n_checked)++;
    }
  for (GtkWidget *c = gtk_widget_get_first_child (widget); c; c = gtk_widget_get_next_sibling (c))
    check_buttons (c, n_checked);
}

static void
test_buttons_labelled (void)
{
  StudioWindow *window = sample_window ();
  StudioPreferences *prefs = studio_preferences_new (studio_settings_get (), GTK_WINDOW (window));
  guint n = 0;

  check_buttons (GTK_WIDGET (window), &n);
  g_assert_cmpuint (n, >=, 5);
  gtk_window_present (GTK_WINDOW (prefs));
  n = 0;
  check_buttons (GTK_WIDGET (prefs), &n);
  g_assert_cmpuint (n, >=, 2);
  gtk_window_destroy (GTK_WINDOW (prefs));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* The character after the mnemonic underscore, lowercased; 0 for none. */
static gunichar
mnemonic_of (const char *label)
{
  for (const char *p = label; (p = strchr (p, '_')) != NULL; p += 2)
    {
      if (p[1] == '\0')
        return 0;
      if (p[1] != '_')
        return g_unichar_tolower (g_utf8_get_char (p + 1));
    }
  return 0;
}

/* Every menu item has a mnemonic, and no two in one popover share it
 * (sections share their menu's popover, submenus have their own). The
 * recent files are data, not labels. */
static void
check_mnemonics (GMenuModel *menu, GHashTable *used, guint *n_items)
{
  for (int i = 0; i < g_menu_model_get_n_items (menu); i++)
    {
      g_autofree char *label = NULL;
      g_autofree char *action = NULL;
      g_autoptr (GMenuModel) section = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SECTION);
      g_autoptr (GMenuModel) submenu = g_menu_model_get_item_link (menu, i, G_MENU_LINK_SUBMENU);

      g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_ACTION, "s", &action);
      if (action && (g_str_equal (action, "app.open-recent") || g_str_equal (action, "app.no-recent")))
        continue;
      if (g_menu_model_get_item_attribute (menu, i, G_MENU_ATTRIBUTE_LABEL, "s", &label) && !section)
        {
          gunichar m = mnemonic_of (label);
          const char *other = g_hash_table_lookup (used, GUINT_TO_POINTER (m));
          if (!m || other)
            g_test_message ("menu item “%s”: %s", label, m ? other : "no mnemonic");
          g_assert_true (m != 0);
          g_assert_null (other);
          g_hash_table_insert (used, GUINT_TO_POINTER (m), g_strdup (label));
          (*n_items)++;
        }
      if (section)
        check_mnemonics (section, used, n_items);
      if (submenu)
        {
          g_autoptr (GHashTable) sub_used = g_hash_table_new_full (NULL, NULL, NULL, g_free);
          check_mnemonics (submenu, sub_used, n_items);
        }
    }
}

static void
test_menu_mnemonics (void)
{
  StudioWindow *window = studio_window_new (GTK_APPLICATION (app));
  GtkWidget *menu_button = find_primary_menu (GTK_WIDGET (window));
  g_autoptr (GHashTable) used = g_hash_table_new_full (NULL, NULL, NULL, g_free);
  guint n = 0;

  g_assert_nonnull (menu_button);
  g_assert_cmpuint (mnemonic_of ("Open _Recent"), ==, 'r');
  g_assert_cmpuint (mnemonic_of ("net__3.json"), ==, 0);
  check_mnemonics (gtk_menu_button_get_menu_model (GTK_MENU_BUTTON (menu_button)), used, &n);
  g_assert_cmpuint (n, >=, 5);
  gtk_window_destroy (GTK_WINDOW (window));
}

/* Tab walks the whole window and comes back around: no control is skipped
 * and none keeps the focus. */
static void
test_focus_cycle (void)
{
  StudioWindow *window = sample_window ();
  GtkWidget *view = GTK_WIDGET (studio_window_get_graph_view (window));
  GtkWidget *menu_button = find_primary_menu (GTK_WIDGET (window));
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();
  GtkWidget *first = NULL;

  for (guint step = 0; step < 200; step++)
    {
      GtkWidget *focus;
      if (!gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD))
        {
          /* Past the last control GTK wraps around to the first. */
          gtk_window_set_focus (GTK_WINDOW (window), NULL);
          g_assert_true (gtk_widget_child_focus (GTK_WIDGET (window), GTK_DIR_TAB_FORWARD));
        }
      focus = gtk_root_get_focus (GTK_ROOT (window));
      g_assert_nonnull (focus);
      if (focus == first)
        break;
      if (!first)
        first = focus;
      g_assert_false (g_ptr_array_find (seen, focus, NULL));
      g_ptr_array_add (seen, focus);
    }
  g_assert_true (gtk_root_get_focus (GTK_ROOT (window)) == first);
  g_test_message ("Tab visits %u controls", seen->len);
  g_assert_true (g_ptr_array_find_with_equal_func (seen, view, (GEqualFunc) gtk_widget_is_ancestor, NULL) ||
                 g_ptr_array_find (seen, view, NULL));
  g_assert_true (g_ptr_array_find (seen, gtk_widget_get_first_child (menu_button), NULL) ||
                 g_ptr_array_find (seen, menu_button, NULL));
  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- screenshots for the metainfo and the README ------------------------- */

/* A copy of the sample, so the stages write their results away from the
 * source tree. */
static char *
copy_sample (void)
{
  g_autofree char *dir = g_dir_make_tmp ("mrt-desktop-XXXXXX", NULL);

  g_assert_nonnull (dir);
  studio_test_copy_sample (dir);
  return g_steal_pointer (&dir);
}

static gboolean
stages_done (gpointer data)
{
  StudioStageRunner *runner = studio_stage_panel_get_runner (studio_window_get_stage_panel (data));
  return !studio_stage_runner_get_running (runner);
}

/* Only with MRT_STUDIO_SCREENSHOT_DIR set: the sample model after a run of
 * every stage, in the light and the dark style (data/screenshots/README.md). */
static void
test_screenshots (void)
{
  const char *dir = g_getenv ("MRT_STUDIO_SCREENSHOT_DIR");
  AdwStyleManager *style = adw_style_manager_get_default ();
  g_autofree char *sample = NULL;
  g_autofree char *json = NULL;
  g_autoptr (GFile) file = NULL;
  StudioGraphView *view;
  StudioWindow *window;

  if (!dir)
    {
      g_test_skip ("MRT_STUDIO_SCREENSHOT_DIR is not set");
      return;
    }
  sample = copy_sample ();
  json = g_build_filename (sample, "fashion_cnn.json", NULL);
  file = g_file_new_for_path (json);
  window = studio_window_new (GTK_APPLICATION (app));
  gtk_window_set_default_size (GTK_WINDOW (window), 1280, 800);
  gtk_window_present (GTK_WINDOW (window));
  studio_window_open (window, file);
  while (studio_window_get_loading (window))
    g_main_context_iteration (NULL, TRUE);
  g_assert_nonnull (studio_window_get_model (window));
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.run-all", NULL));
  for (gint64 end = g_get_monotonic_time () + 300 * G_USEC_PER_SEC;
       !stages_done (window) && g_get_monotonic_time () < end;)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (stages_done (window));
  /* A quantized convolution selected shows the inspector; then wait out
   * the "stages finished" toast. */
  view = studio_window_get_graph_view (window);
  g_assert_cmpuint (studio_graph_view_search (view, "batchnorm1"), >, 0);
  g_assert_cmpint (studio_graph_view_search_next (view, FALSE), >=, 0);
  studio_graph_view_search (view, NULL);
  studio_test_settle (6000);
  studio_test_write_png (GTK_WIDGET (window), dir, "main.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_FORCE_DARK);
  studio_test_settle (500);
  studio_test_write_png (GTK_WIDGET (window), dir, "dark.png");
  adw_style_manager_set_color_scheme (style, ADW_COLOR_SCHEME_DEFAULT);
  gtk_window_destroy (GTK_WINDOW (window));
  studio_test_settle (200);
  studio_test_remove_tree (sample);
}

static void
add_keyboard_tests (void)
{
  g_test_add_func ("/desktop/buttons-labelled", test_buttons_labelled);
  g_test_add_func ("/desktop/menu-mnemonics", test_menu_mnemonics);
  g_test_add_func ("/desktop/focus-cycle", test_focus_cycle);
  g_test_add_func ("/desktop/screenshots", test_screenshots);
}

int
main (int argc, char *argv[])
{
  int ret;

  app = studio_test_init (&argc, &argv);

  g_test_add_func ("/desktop/recent", test_recent);
  g_test_add_func ("/desktop/project-defaults", test_project_defaults);
  g_test_add_func ("/desktop/threads", test_threads);
  g_test_add_func ("/desktop/window-geometry", test_window_geometry);
  g_test_add_func ("/desktop/preferences", test_preferences);
  g_test_add_func ("/desktop/about", test_about);
  g_test_add_func ("/desktop/dark", test_dark);
  add_keyboard_tests ();
  ret = g_test_run ();
  g_object_unref (app);
  return ret;
}
