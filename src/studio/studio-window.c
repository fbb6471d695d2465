/* studio-window.c: the main window. Owns the current model and the loading of
 * new ones (off the main thread), and forwards view actions to the canvas. */
#include "config.h"

#include "studio-window.h"

#include <glib/gi18n.h>

#include "mrt-mxnet.h"
#include "studio-export.h"
#include "studio-project-dialogs.h"
#include "studio-results-pane.h"
#include "studio-settings.h"
#include "studio-stage-panel.h"
#include "studio-inspector.h"
#include "studio-search.h"

struct _StudioWindow {
  AdwApplicationWindow parent_instance;

  AdwWindowTitle *window_title;
  AdwToastOverlay *toast_overlay;
  GtkStack *stack;
  AdwStatusPage *loading_page;
  AdwStatusPage *error_page;
  GtkSpinner *spinner;
  GtkButton *zoom_button;
  GtkWidget *zoom_box;
  StudioGraphView *graph_view;
  StudioStagePanel *stage_panel;
  StudioResultsPane *results_pane;
  StudioInspector *inspector;
  StudioSearch *search;
  AdwFlap *inspector_flap;

  MrtModel *model;
  StudioProject *pending_project; /* an opened .ini whose model is loading */
  char *path;
  GCancellable *load_cancellable; /* non-NULL while a load runs */
  GtkFileChooserNative *chooser;
  guint zoom_label_source;
};

G_DEFINE_FINAL_TYPE (StudioWindow, studio_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_LOADING,
  PROP_SHOW_PARAMS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
studio_window_model_name_for_path (const char *path)
{
  g_autofree char *base = NULL;
  if (!path || !*path)
    return g_strdup (_("Untitled Model"));
  base = g_path_get_basename (path);
  if (g_str_has_suffix (base, ".json"))
    base[strlen (base) - strlen (".json")] = '\0';
  /* MXNet checkpoints are "<prefix>-symbol.json" */
  if (g_str_has_suffix (base, "-symbol"))
    base[strlen (base) - strlen ("-symbol")] = '\0';
  return g_steal_pointer (&base);
}

static void
update_actions (StudioWindow *self)
{
  gboolean has_graph = self->model != NULL && self->load_cancellable == NULL;
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.fit", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-in", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-out", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.zoom-reset", has_graph);
  /* View controls only mean something while a graph is on screen. */
  gtk_widget_set_visible (self->zoom_box, has_graph);
  gtk_widget_set_visible (GTK_WIDGET (self->stage_panel), has_graph);
  gtk_widget_set_visible (GTK_WIDGET (self->results_pane), has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.run-all", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.cancel-stages", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-project", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.save-project-as", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.find", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.export-image", has_graph);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.toggle-inspector", has_graph);
}

/* ---- the project and the stages ------------------------------------------ */

/* The project of a newly shown model: the .ini that was opened, else the
 * .ini next to the model that names it, else a fresh one. */
static StudioProject *
project_for_model (StudioWindow *self, MrtModel *model, const char *path)
{
  g_autofree char *found = NULL;
  if (self->pending_project)
    return g_steal_pointer (&self->pending_project);
  if (path && (found = studio_project_find_for_model (path)))
    {
      StudioProject *project = studio_project_load (found, NULL);
      if (project)
        return project;
    }
  return studio_project_new_for_model (path, model);
}

static void
set_project (StudioWindow *self, StudioProject *project)
{
  studio_stage_panel_set_project (self->stage_panel, project);
  studio_results_pane_set_project (self->results_pane, project);
  studio_graph_view_set_project (self->graph_view, project);
}

StudioProject *
studio_window_get_project (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return studio_stage_panel_get_project (self->stage_panel);
}

StudioStagePanel *
studio_window_get_stage_panel (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->stage_panel;
}

StudioResultsPane *
studio_window_get_results_pane (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->results_pane;
}

static void
action_stages (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  if (g_str_equal (name, "win.run-all"))
    studio_stage_panel_run_all (self->stage_panel);
  else if (g_str_equal (name, "win.cancel-stages"))
    studio_stage_panel_cancel (self->stage_panel);
  else
    studio_export_choose_folder (GTK_WINDOW (self), self->stage_panel);
}

static void
action_save_project (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  StudioProject *project = studio_window_get_project (self);
  if (project)
    studio_project_dialogs_save (GTK_WINDOW (self), project, g_str_equal (name, "win.save-project-as"), NULL, NULL);
}

static gboolean
on_close_request (GtkWindow *window, gpointer data)
{
  StudioProject *project = studio_window_get_project (STUDIO_WINDOW (window));
  if (!project || !studio_project_is_modified (project))
    return FALSE;
  studio_project_dialogs_confirm_close (window, project);
  return TRUE;
}

static void
set_loading (StudioWindow *self, GCancellable *cancellable)
{
  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_set_object (&self->load_cancellable, cancellable);
  gtk_spinner_set_spinning (self->spinner, cancellable != NULL);
  update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

void
studio_window_set_model (StudioWindow *self, MrtModel *model, const char *path)
{
  g_autofree char *name = NULL;
  g_autofree char *subtitle = NULL;
  guint n_ops = 0;

  g_return_if_fail (STUDIO_IS_WINDOW (self));
  if (model)
    mrt_model_ref (model);
  g_clear_pointer (&self->model, mrt_model_unref);
  self->model = model;
  g_free (self->path);
  self->path = g_strdup (path);
  studio_graph_view_set_model (self->graph_view, model);
  studio_stage_panel_set_model (self->stage_panel, model);
  if (model)
    {
      g_autoptr (StudioProject) project = project_for_model (self, model, path);
      set_project (self, project);
    }
  else
    set_project (self, NULL);

  if (!model)
    {
      adw_window_title_set_title (self->window_title, _("MRT Studio"));
      adw_window_title_set_subtitle (self->window_title, NULL);
      gtk_window_set_title (GTK_WINDOW (self), _("MRT Studio"));
      gtk_stack_set_visible_child_name (self->stack, "empty");
      update_actions (self);
      return;
    }
  for (guint i = 0; i < mrt_model_n_nodes (model); i++)
    if (!mrt_node_is_variable (mrt_model_node (model, i)))
      n_ops++;
  name = studio_window_model_name_for_path (path);
  subtitle = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u operator", "%u operators", n_ops), n_ops);
  adw_window_title_set_title (self->window_title, name);
  adw_window_title_set_subtitle (self->window_title, subtitle);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->window_title), path);
  gtk_window_set_title (GTK_WINDOW (self), name);
  gtk_stack_set_visible_child_name (self->stack, "graph");
  update_actions (self);
  gtk_widget_grab_focus (GTK_WIDGET (self->graph_view));
}

MrtModel *
studio_window_get_model (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->model;
}

gboolean
studio_window_get_loading (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), FALSE);
  return self->load_cancellable != NULL;
}

StudioGraphView *
studio_window_get_graph_view (StudioWindow *self)
{
  g_return_val_if_fail (STUDIO_IS_WINDOW (self), NULL);
  return self->graph_view;
}

/* ---- loading ------------------------------------------------------------- */

static void
load_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  GError *error = NULL;
  MrtModel *model = mrt_mxnet_open (task_data, &error);
  if (model)
    g_task_return_pointer (task, model, (GDestroyNotify) mrt_model_unref);
  else
    g_task_return_error (task, error);
}

static void
show_error (StudioWindow *self, const char *path, const GError *error)
{
  g_autofree char *name = g_path_get_basename (path);
  AdwMessageDialog *dialog;

  adw_status_page_set_description (self->error_page, error->message);
  /* A failed load keeps the model that was already open. */
  gtk_stack_set_visible_child_name (self->stack, self->model ? "graph" : "error");
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), NULL, NULL));
  adw_message_dialog_format_heading (dialog, _("Could Not Open “%s”"), name);
  adw_message_dialog_set_body (dialog, error->message);
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
load_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  StudioWindow *self = STUDIO_WINDOW (source);
  GTask *task = G_TASK (result);
  const char *path = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtModel) model = g_task_propagate_pointer (task, &error);

  /* A newer load replaced this one: its result no longer matters. */
  if (g_task_get_cancellable (task) != self->load_cancellable)
    return;
  set_loading (self, NULL);
  if (model)
    {
      const char *opened = self->pending_project ? studio_project_get_path (self->pending_project) : path;
      g_autoptr (GFile) file = g_file_new_for_path (opened);
      g_autofree char *uri = g_file_get_uri (file);
      if (self->pending_project)
        studio_settings_add_recent_project (opened);
      else
        studio_settings_add_recent_model (path);
      /* the desktop's recent files too */
      gtk_recent_manager_add_item (gtk_recent_manager_get_default (), uri);
      studio_window_set_model (self, model, path);
    }
  else
    {
      g_clear_object (&self->pending_project);
      show_error (self, path, error);
    }
}

void
studio_window_open (StudioWindow *self, GFile *file)
{
  g_autofree char *path = NULL;
  g_autofree char *name = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (STUDIO_IS_WINDOW (self));
  g_return_if_fail (G_IS_FILE (file));
  path = g_file_get_path (file);
  if (!path)
    {
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Only local files can be opened")));
      return;
    }
  name = g_path_get_basename (path);
  g_clear_object (&self->pending_project);
  /* a project: load the model it names, then show both */
  if (g_str_has_suffix (path, ".ini"))
    {
      g_autoptr (GError) error = NULL;
      self->pending_project = studio_project_load (path, &error);
      if (!self->pending_project)
        {
          show_error (self, path, error);
          return;
        }
      g_free (path);
      path = studio_project_get_model_prefix (self->pending_project);
    }
  cancellable = g_cancellable_new ();
  set_loading (self, cancellable);
  adw_status_page_set_description (self->loading_page, name);
  gtk_stack_set_visible_child_name (self->stack, "loading");

  task = g_task_new (self, cancellable, load_done, NULL);
  g_task_set_source_tag (task, studio_window_open);
  g_task_set_task_data (task, g_steal_pointer (&path), g_free);
  g_task_run_in_thread (task, load_thread);
}

/* ---- open dialog and drag and drop --------------------------------------- */

static void
on_chooser_response (GtkNativeDialog *dialog, int response, StudioWindow *self)
{
  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      if (file)
        studio_window_open (self, file);
    }
  g_clear_object (&self->chooser);
}

static void
action_open (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  GtkFileFilter *filter;

  if (self->chooser)
    {
      gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
      return;
    }
  self->chooser = gtk_file_chooser_native_new (_("Open Model"), GTK_WINDOW (self), GTK_FILE_CHOOSER_ACTION_OPEN,
                                               _("_Open"), _("_Cancel"));
  filter = gtk_file_filter_new ();
  gtk_file_filter_set_name (filter, _("MXNet Models and MRT Projects"));
  gtk_file_filter_add_pattern (filter, "*.json");
  gtk_file_filter_add_pattern (filter, "*.ini");
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (self->chooser), filter);
  g_object_unref (filter);
  if (self->path)
    {
      g_autoptr (GFile) file = g_file_new_for_path (self->path);
      g_autoptr (GFile) dir = g_file_get_parent (file);
      if (dir)
        gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (self->chooser), dir, NULL);
    }
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (self->chooser), TRUE);
  g_signal_connect (self->chooser, "response", G_CALLBACK (on_chooser_response), self);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (self->chooser));
}

static gboolean
on_drop (GtkDropTarget *target, const GValue *value, double x, double y, StudioWindow *self)
{
  GFile *file = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *lower = NULL;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);
      file = files ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    file = g_value_get_object (value);
  if (!file)
    return FALSE;
  basename = g_file_get_basename (file);
  lower = g_ascii_strdown (basename ? basename : "", -1);
  if (!g_str_has_suffix (lower, ".json") && !g_str_has_suffix (lower, ".ini"))
    {
      g_autofree char *msg = g_strdup_printf (_("“%s” is neither an MXNet symbol file (.json) nor a project (.ini)"),
                                              basename);
      adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (msg));
      return FALSE;
    }
  studio_window_open (self, file);
  return TRUE;
}

/* ---- view actions -------------------------------------------------------- */

static void
action_view (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioGraphView *view = STUDIO_WINDOW (widget)->graph_view;
  if (g_str_equal (name, "win.fit"))
    studio_graph_view_fit (view);
  else if (g_str_equal (name, "win.zoom-in"))
    studio_graph_view_zoom_in (view);
  else if (g_str_equal (name, "win.zoom-out"))
    studio_graph_view_zoom_out (view);
  else
    studio_graph_view_set_zoom (view, 1.0);
}

static gboolean
update_zoom_label (gpointer data)
{
  StudioWindow *self = data;
  g_autofree char *label = g_strdup_printf ("%.0f%%", studio_graph_view_get_zoom (self->graph_view) * 100);
  gtk_button_set_label (self->zoom_button, label);
  self->zoom_label_source = 0;
  return G_SOURCE_REMOVE;
}

/* The canvas changes its zoom while it is being allocated (fitting to its
 * new size); relabelling the button right then would queue a resize in the
 * middle of a layout pass, which GTK 4.8 does not pick up again. */
static void
on_zoom_changed (StudioGraphView *view, GParamSpec *pspec, StudioWindow *self)
{
  if (!self->zoom_label_source)
    self->zoom_label_source = g_idle_add (update_zoom_label, self);
}

static void
on_show_params_changed (StudioGraphView *view, GParamSpec *pspec, StudioWindow *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SHOW_PARAMS]);
}

/* ---- canvas actions ------------------------------------------------------ */

static void
action_canvas (GtkWidget *widget, const char *name, GVariant *param)
{
  StudioWindow *self = STUDIO_WINDOW (widget);
  if (g_str_equal (name, "win.find"))
    studio_search_set_active (self->search, TRUE);
  else if (g_str_equal (name, "win.toggle-inspector"))
    adw_flap_set_reveal_flap (self->inspector_flap, !adw_flap_get_reveal_flap (self->inspector_flap));
  else
    studio_graph_view_choose_export_image (self->graph_view);
}

/* ---- GObject ------------------------------------------------------------- */

static void
studio_window_dispose (GObject *object)
{
  StudioWindow *self = STUDIO_WINDOW (object);

  if (self->load_cancellable)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  g_clear_handle_id (&self->zoom_label_source, g_source_remove);
  if (self->chooser)
    gtk_native_dialog_destroy (GTK_NATIVE_DIALOG (self->chooser));
  g_clear_object (&self->chooser);
  g_clear_object (&self->pending_project);
  gtk_widget_dispose_template (GTK_WIDGET (self), STUDIO_TYPE_WINDOW);
  G_OBJECT_CLASS (studio_window_parent_class)->dispose (object);
}

static void
studio_window_finalize (GObject *object)
{
  StudioWindow *self = STUDIO_WINDOW (object);
  g_clear_pointer (&self->model, mrt_model_unref);
  g_free (self->path);
  G_OBJECT_CLASS (studio_window_parent_class)->finalize (object);
}

static void
studio_window_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  StudioWindow *self = STUDIO_WINDOW (object);
  switch (prop_id)
    {
    case PROP_LOADING:
      g_value_set_boolean (value, studio_window_get_loading (self));
      break;
    case PROP_SHOW_PARAMS:
      /* Property actions read this before the template is built and after
       * it is disposed. */
      g_value_set_boolean (value, self->graph_view && studio_graph_view_get_show_params (self->graph_view));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_window_set_property (GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  StudioWindow *self = STUDIO_WINDOW (object);
  switch (prop_id)
    {
    case PROP_SHOW_PARAMS:
      if (self->graph_view)
        studio_graph_view_set_show_params (self->graph_view, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
studio_window_class_init (StudioWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = studio_window_dispose;
  object_class->finalize = studio_window_finalize;
  object_class->get_property = studio_window_get_property;
  object_class->set_property = studio_window_set_property;

  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL, FALSE, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Mirrors the canvas property so the menu can toggle it as a property action. */
  properties[PROP_SHOW_PARAMS] =
    g_param_spec_boolean ("show-params", NULL, NULL, FALSE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (STUDIO_TYPE_GRAPH_VIEW);
  g_type_ensure (STUDIO_TYPE_STAGE_PANEL);
  g_type_ensure (STUDIO_TYPE_RESULTS_PANE);
  g_type_ensure (STUDIO_TYPE_INSPECTOR);
  g_type_ensure (STUDIO_TYPE_SEARCH);
  gtk_widget_class_set_template_from_resource (widget_class, "/org/cortex/MrtStudio/studio-window.ui");
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, window_title);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, stack);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, loading_page);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, error_page);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, spinner);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, zoom_button);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, zoom_box);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, graph_view);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, stage_panel);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, results_pane);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, inspector);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, search);
  gtk_widget_class_bind_template_child (widget_class, StudioWindow, inspector_flap);
  /* Only looked up once, by studio_settings_bind_recent_menu(). */
  gtk_widget_class_bind_template_child_full (widget_class, "recent_menu", FALSE, 0);

  gtk_widget_class_install_action (widget_class, "win.open", NULL, action_open);
  gtk_widget_class_install_action (widget_class, "win.fit", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "win.zoom-in", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "win.zoom-out", NULL, action_view);
  gtk_widget_class_install_action (widget_class, "win.zoom-reset", NULL, action_view);
  gtk_widget_class_install_property_action (widget_class, "win.show-params", "show-params");
  gtk_widget_class_install_action (widget_class, "win.run-all", NULL, action_stages);
  gtk_widget_class_install_action (widget_class, "win.cancel-stages", NULL, action_stages);
  gtk_widget_class_install_action (widget_class, "win.export", NULL, action_stages);
  gtk_widget_class_install_action (widget_class, "win.save-project", NULL, action_save_project);
  gtk_widget_class_install_action (widget_class, "win.save-project-as", NULL, action_save_project);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, "win.run-all", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_period, GDK_CONTROL_MASK, "win.cancel-stages", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK, "win.export", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK, "win.save-project", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_s, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.save-project-as", NULL);
  /* The canvas: find, inspector, image export (studio-graph-view.h). */
  gtk_widget_class_install_action (widget_class, "win.find", NULL, action_canvas);
  gtk_widget_class_install_action (widget_class, "win.export-image", NULL, action_canvas);
  gtk_widget_class_install_action (widget_class, "win.toggle-inspector", NULL, action_canvas);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_f, GDK_CONTROL_MASK, "win.find", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_e, GDK_CONTROL_MASK | GDK_SHIFT_MASK,
                                       "win.export-image", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_F9, 0, "win.toggle-inspector", NULL);
}

static void
studio_window_init (StudioWindow *self)
{
  GtkDropTarget *target;

  gtk_widget_init_template (GTK_WIDGET (self));
  studio_inspector_set_view (self->inspector, self->graph_view);
  studio_search_set_view (self->search, self->graph_view);
  studio_results_pane_attach (self->results_pane, studio_stage_panel_get_runner (self->stage_panel), self->graph_view);
  g_signal_connect (self, "close-request", G_CALLBACK (on_close_request), NULL);
  studio_settings_track_window (GTK_WINDOW (self));
  studio_settings_bind_recent_menu (
    G_MENU (gtk_widget_get_template_child (GTK_WIDGET (self), STUDIO_TYPE_WINDOW, "recent_menu")));
  g_signal_connect_object (self->graph_view, "notify::zoom", G_CALLBACK (on_zoom_changed), self, 0);
  g_signal_connect_object (self->graph_view, "notify::show-params", G_CALLBACK (on_show_params_changed), self, 0);

  target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  gtk_drop_target_set_gtypes (target, (GType[]) { GDK_TYPE_FILE_LIST, G_TYPE_FILE }, 2);
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (GTK_WIDGET (self->toast_overlay), GTK_EVENT_CONTROLLER (target));
  gtk_widget_add_css_class (GTK_WIDGET (self->toast_overlay), "drop-target");

  gtk_stack_set_visible_child_name (self->stack, "empty");
  update_actions (self);
}

StudioWindow *
studio_window_new (GtkApplication *application)
{
  return g_object_new (STUDIO_TYPE_WINDOW, "application", application, NULL);
}
