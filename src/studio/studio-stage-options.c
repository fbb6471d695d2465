/* studio-stage-options.c: settings rows of the stage panel. */
#include "config.h"

#include "studio-stage-options.h"

#include <glib/gi18n.h>
#include <string.h>

#include "studio-stage-runner.h"

typedef enum {
  KIND_TEXT,
  KIND_NUMBER,
  KIND_BOOL,
  KIND_CHOICE,
  KIND_FOLDER,
} Kind;

typedef struct {
  MrtStage stage;
  const char *section, *key;
  const char *title;
  Kind kind;
  const char *def; /* shown while empty; NULL: required */
  const char *tooltip;
} Option;

/* Calibration_method choices; the first is "empty". */
static const char *const methods[] = { "", "absmax", "lambda", "kl", "percentile", NULL };

static const Option option_table[] = {
  { MRT_STAGE_PREPARE, "DEFAULT", "Model_name", N_("Model Name"), KIND_TEXT, NULL,
    N_("Files <name>.json and <name>.params in the model folder") },
  { MRT_STAGE_PREPARE, "DEFAULT", "Model_dir", N_("Model Folder"), KIND_FOLDER, N_("the project folder"), NULL },
  { MRT_STAGE_PREPARE, "DEFAULT", "Input_shape", N_("Input Shape"), KIND_TEXT, NULL,
    N_("A tuple with -1 on the batch axis, e.g. (-1, 3, 224, 224)") },
  { MRT_STAGE_PREPARE, "PREPARE", "Dump", N_("Save Checkpoint"), KIND_BOOL, "False", NULL },
  { MRT_STAGE_SPLIT_MODEL, "SPLIT_MODEL", "Keys", N_("Split Keys"), KIND_TEXT, N_("no split"),
    N_("Nodes of the prepared graph where the model is cut, separated by commas") },
  { MRT_STAGE_SPLIT_MODEL, "SPLIT_MODEL", "Dump", N_("Save Checkpoint"), KIND_BOOL, "False", NULL },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Dataset", N_("Dataset"), KIND_TEXT, NULL,
    N_("imagenet, cifar10, mnist, fashion_mnist, quickdraw, trec, voc or coco") },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Dataset_dir", N_("Dataset Folder"), KIND_FOLDER, "~/.mxnet/datasets", NULL },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Batch", N_("Batch Size"), KIND_NUMBER, "16", NULL },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Calibrate_num", N_("Batches"), KIND_NUMBER, "1",
    N_("How many batches calibration runs") },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Calibration_method", N_("Method"), KIND_CHOICE, NULL, NULL },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Lambda", N_("Lambda"), KIND_NUMBER, N_("none"),
    N_("Threshold |mean| + λ·std instead of the absolute maximum") },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Percentile", N_("Percentile"), KIND_NUMBER, "99.99",
    N_("For the percentile method, in (0, 100]") },
  { MRT_STAGE_CALIBRATION, "CALIBRATION", "Dump", N_("Save Checkpoint"), KIND_BOOL, "False", NULL },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Input_precision", N_("Input Precision"), KIND_NUMBER, "8",
    N_("Bits of the quantized input, 2 to 32") },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Output_precision", N_("Output Precision"), KIND_NUMBER, N_("none"),
    N_("Bits of the quantized outputs, 2 to 32") },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Softmax_lambd", N_("Softmax Lambda"), KIND_NUMBER, "10", NULL },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Shift_bits", N_("Shift Bits"), KIND_NUMBER, "5", NULL },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Thresholds", N_("Threshold Overrides"), KIND_TEXT, N_("none"),
    N_("“name: value” items separated by commas; drag a histogram's threshold to add one") },
  { MRT_STAGE_QUANTIZATION, "QUANTIZATION", "Dump", N_("Save Checkpoint"), KIND_BOOL, "False", NULL },
  { MRT_STAGE_MERGE_MODEL, "MERGE_MODEL", "Attribute_deps", N_("Attribute Dependencies"), KIND_TEXT, N_("none"),
    N_("“op: attribute: key” items") },
  { MRT_STAGE_MERGE_MODEL, "MERGE_MODEL", "Oscale_maps", N_("Output Scale Maps"), KIND_TEXT, N_("none"),
    N_("“output: key” items, one per model output, when the model is split") },
  { MRT_STAGE_MERGE_MODEL, "MERGE_MODEL", "Dump", N_("Save Checkpoint"), KIND_BOOL, "False", NULL },
  { MRT_STAGE_EVALUATION, "EVALUATION", "Batch", N_("Batch Size"), KIND_NUMBER, N_("the calibration batch"), NULL },
  { MRT_STAGE_EVALUATION, "EVALUATION", "Iter_num", N_("Batches"), KIND_NUMBER, N_("the whole dataset"),
    N_("How many batches evaluation runs; 0 runs the whole dataset") },
  { MRT_STAGE_COMPILATION, "COMPILATION", "Batch", N_("Batch Size"), KIND_NUMBER, N_("the evaluation batch"),
    N_("Batch size of the sample input written as data.npy") },
  { MRT_STAGE_COMPILATION, "COMPILATION", "Dump_dir", N_("Output Folder"), KIND_FOLDER, N_("the model folder"),
    N_("The CVM model is written to <folder>/<name>_cvm") },
};

typedef struct {
  const Option *opt;
  GtkWidget *row;
  GtkWidget *hint;   /* "default …" label of entries */
  GtkWidget *widget; /* the switch of a bool */
  StudioStageOptions *owner;
} Row;

struct _StudioStageOptions {
  GPtrArray *rows; /* Row* */
  GtkWidget *error_rows[STUDIO_N_STAGES];
  StudioProject *project;
  gboolean updating; /* writing values into rows: ignore their change signals */
};

StudioStageOptions *
studio_stage_options_new (void)
{
  StudioStageOptions *o = g_new0 (StudioStageOptions, 1);
  o->rows = g_ptr_array_new_with_free_func (g_free);
  return o;
}

void
studio_stage_options_free (StudioStageOptions *o)
{
  if (!o)
    return;
  g_clear_object (&o->project);
  g_ptr_array_unref (o->rows);
  g_free (o);
}

/* ---- values -------------------------------------------------------------- */

/* The value as one line (multi-line values are joined with spaces). */
static char *
read_value (StudioStageOptions *o, const Option *opt)
{
  const char *v = o->project ? mrt_ini_get (studio_project_get_ini (o->project), opt->section, opt->key) : NULL;
  char *s = g_strdup (v ? v : "");
  g_strdelimit (s, "\n", ' ');
  return s;
}

static void
write_value (Row *r, const char *value)
{
  StudioStageOptions *o = r->owner;
  if (o->updating || !o->project)
    return;
  mrt_ini_set (studio_project_get_ini (o->project), r->opt->section, r->opt->key, value);
  studio_project_touch (o->project);
}

static void
show_value (Row *r)
{
  g_autofree char *v = read_value (r->owner, r->opt);

  switch (r->opt->kind)
    {
    case KIND_BOOL:
      {
        gboolean b = FALSE;
        if (!mrt_config_parse_bool (*v ? v : r->opt->def, &b))
          b = FALSE;
        gtk_switch_set_active (GTK_SWITCH (r->widget), b);
      }
      break;
    case KIND_CHOICE:
      {
        guint sel = 0;
        for (guint i = 1; methods[i]; i++)
          if (g_str_equal (methods[i], v))
            sel = i;
        adw_combo_row_set_selected (ADW_COMBO_ROW (r->row), sel);
      }
      break;
    case KIND_TEXT:
    case KIND_NUMBER:
    case KIND_FOLDER:
    default:
      if (!g_str_equal (gtk_editable_get_text (GTK_EDITABLE (r->row)), v))
        gtk_editable_set_text (GTK_EDITABLE (r->row), v);
      gtk_widget_set_visible (r->hint, *v == '\0' && r->opt->def);
      break;
    }
}

void
studio_stage_options_refresh (StudioStageOptions *o)
{
  o->updating = TRUE;
  for (guint i = 0; i < o->rows->len; i++)
    {
      Row *r = g_ptr_array_index (o->rows, i);
      show_value (r);
      gtk_widget_set_sensitive (r->row, o->project != NULL);
    }
  o->updating = FALSE;
}

void
studio_stage_options_set_project (StudioStageOptions *o, StudioProject *project)
{
  g_set_object (&o->project, project);
  studio_stage_options_refresh (o);
}

/* ---- rows ---------------------------------------------------------------- */

static void
on_entry_changed (GtkEditable *editable, Row *r)
{
  const char *text = gtk_editable_get_text (editable);
  gtk_widget_set_visible (r->hint, *text == '\0' && r->opt->def);
  write_value (r, text);
}

static void
on_switch_active (GtkSwitch *sw, GParamSpec *pspec, Row *r)
{
  write_value (r, gtk_switch_get_active (sw) ? "True" : "False");
}

static void
on_combo_selected (AdwComboRow *combo, GParamSpec *pspec, Row *r)
{
  guint sel = adw_combo_row_get_selected (combo);
  write_value (r, sel < G_N_ELEMENTS (methods) - 1 ? methods[sel] : "");
}

/* row: a reference; the panel may have gone while the chooser was open */
static void
on_folder_chosen (GtkNativeDialog *dialog, int response, GtkWidget *row)
{
  if (response == GTK_RESPONSE_ACCEPT && gtk_widget_get_root (row))
    {
      g_autoptr (GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));
      g_autofree char *path = file ? g_file_get_path (file) : NULL;
      if (path)
        gtk_editable_set_text (GTK_EDITABLE (row), path);
    }
  gtk_native_dialog_destroy (dialog);
  g_object_unref (dialog);
  g_object_unref (row);
}

static void
on_choose_folder (GtkButton *button, Row *r)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (button));
  GtkFileChooserNative *chooser = gtk_file_chooser_native_new (
    _(r->opt->title), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, GTK_FILE_CHOOSER_ACTION_SELECT_FOLDER,
    _("_Select"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  g_signal_connect (chooser, "response", G_CALLBACK (on_folder_chosen), g_object_ref (r->row));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static GtkWidget *
entry_row (Row *r)
{
  GtkWidget *row = adw_entry_row_new ();
  g_autofree char *hint = r->opt->def ? g_strdup_printf (_("default: %s"), _(r->opt->def)) : NULL;

  r->hint = gtk_label_new (hint);
  gtk_widget_add_css_class (r->hint, "dim-label");
  gtk_widget_add_css_class (r->hint, "caption");
  adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), r->hint);
  if (r->opt->kind == KIND_NUMBER)
    gtk_editable_set_width_chars (GTK_EDITABLE (row), 6);
  if (r->opt->kind == KIND_FOLDER)
    {
      GtkWidget *button = gtk_button_new_from_icon_name ("folder-open-symbolic");
      gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
      gtk_widget_add_css_class (button, "flat");
      gtk_widget_set_tooltip_text (button, _("Choose a Folder"));
      g_signal_connect (button, "clicked", G_CALLBACK (on_choose_folder), r);
      adw_entry_row_add_suffix (ADW_ENTRY_ROW (row), button);
    }
  g_signal_connect (row, "changed", G_CALLBACK (on_entry_changed), r);
  return row;
}

static GtkWidget *
make_row (Row *r)
{
  GtkWidget *row;
  switch (r->opt->kind)
    {
    case KIND_BOOL:
      row = adw_action_row_new ();
      r->widget = gtk_switch_new ();
      gtk_widget_set_valign (r->widget, GTK_ALIGN_CENTER);
      adw_action_row_add_suffix (ADW_ACTION_ROW (row), r->widget);
      adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), r->widget);
      g_signal_connect (r->widget, "notify::active", G_CALLBACK (on_switch_active), r);
      break;
    case KIND_CHOICE:
      {
        const char *labels[] = { _("Default"), _("Absolute maximum"), _("Lambda (mean + λ·std)"),
                                 _("KL divergence"), _("Percentile"), NULL };
        GtkStringList *list = gtk_string_list_new (labels);
        row = adw_combo_row_new ();
        adw_combo_row_set_model (ADW_COMBO_ROW (row), G_LIST_MODEL (list));
        g_object_unref (list);
        adw_action_row_set_subtitle (ADW_ACTION_ROW (row), _("Default: lambda when Lambda is set, else absolute maximum"));
        g_signal_connect (row, "notify::selected", G_CALLBACK (on_combo_selected), r);
      }
      break;
    case KIND_TEXT:
    case KIND_NUMBER:
    case KIND_FOLDER:
    default:
      row = entry_row (r);
      break;
    }
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(r->opt->title));
  if (r->opt->tooltip)
    gtk_widget_set_tooltip_text (row, _(r->opt->tooltip));
  return row;
}

void
studio_stage_options_add_rows (StudioStageOptions *o, MrtStage stage, AdwExpanderRow *expander)
{
  GtkWidget *error_row;

  for (guint i = 0; i < G_N_ELEMENTS (option_table); i++)
    {
      Row *r;
      if (option_table[i].stage != stage)
        continue;
      r = g_new0 (Row, 1);
      r->opt = &option_table[i];
      r->owner = o;
      r->row = make_row (r);
      adw_expander_row_add_row (expander, r->row);
      g_ptr_array_add (o->rows, r);
    }
  error_row = adw_action_row_new ();
  adw_action_row_add_prefix (ADW_ACTION_ROW (error_row), gtk_image_new_from_icon_name ("dialog-warning-symbolic"));
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (error_row), 0);
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (error_row), FALSE);
  gtk_widget_add_css_class (error_row, "option-error");
  gtk_widget_set_visible (error_row, FALSE);
  adw_expander_row_add_row (expander, error_row);
  o->error_rows[stage] = error_row;
  studio_stage_options_refresh (o);
}

GtkWidget *
studio_stage_options_get_row (StudioStageOptions *o, const char *section, const char *key)
{
  for (guint i = 0; i < o->rows->len; i++)
    {
      Row *r = g_ptr_array_index (o->rows, i);
      if (g_str_equal (r->opt->section, section) && g_ascii_strcasecmp (r->opt->key, key) == 0)
        return r->row;
    }
  return NULL;
}

GtkWidget *
studio_stage_options_get_error_row (StudioStageOptions *o, MrtStage stage)
{
  return o->error_rows[stage];
}

MrtStage
studio_stage_options_show_error (StudioStageOptions *o, const GError *error)
{
  MrtStage found = MRT_STAGE_DEFAULT;

  for (guint s = 0; s < STUDIO_N_STAGES; s++)
    if (o->error_rows[s])
      gtk_widget_set_visible (o->error_rows[s], FALSE);
  for (guint i = 0; i < o->rows->len; i++)
    {
      Row *r = g_ptr_array_index (o->rows, i);
      /* messages read "<file>: [SECTION] Option: what is wrong" */
      g_autofree char *tag = g_strdup_printf ("[%s] %s:", r->opt->section, r->opt->key);
      gboolean match = error && found == MRT_STAGE_DEFAULT && strstr (error->message, tag) != NULL;
      if (match)
        {
          /* the message from the option on; the file name adds nothing here */
          GtkWidget *er = o->error_rows[r->opt->stage];
          found = r->opt->stage;
          adw_preferences_row_set_title (ADW_PREFERENCES_ROW (er), _("Invalid Setting"));
          adw_action_row_set_subtitle (ADW_ACTION_ROW (er), strstr (error->message, tag));
          gtk_widget_set_visible (er, TRUE);
          gtk_widget_add_css_class (r->row, "error");
        }
      else
        gtk_widget_remove_css_class (r->row, "error");
    }
  return found;
}
