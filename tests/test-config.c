/* test-config.c: .ini parsing with configparser rules, typed MRT options and their errors. */
#include <mrt.h>

static char *tmpdir;

static const char *mnist_ini =
  "[DEFAULT]\n"
  "Model_dir=\n"
  "Model_name=mnist_dapp\n"
  "Device_type=\n"
  "Device_ids=\n"
  "# Verbosity 20 is INFO\n"
  "Verbosity=20\n"
  "Input_shape=(-1, 1, 28, 28)\n"
  "Start=\n"
  "\n"
  "[PREPARE]\n"
  "Dump=\n"
  "\n"
  "[SPLIT_MODEL]\n"
  "Keys=\n"
  "Dump=\n"
  "\n"
  "[CALIBRATION]\n"
  "Batch=\n"
  "Calibrate_num=1\n"
  "# lambd=None: Iteration: 62, evalfunc top1=99.18%\n"
  "Lambda=\n"
  "Dataset=mnist\n"
  "Dataset_dir=\n"
  "Device_type=cpu\n"
  "Device_ids=\n"
  "Dump=\n"
  "\n"
  "[QUANTIZATION]\n"
  "Input_precision=8\n"
  "Output_precision=8\n"
  "Device_type=cpu\n"
  "Device_ids=0\n"
  "Softmax_lambd=\n"
  "Shift_bits=\n"
  "Thresholds=\n"
  "Restore_name=\n"
  "Dump=\n"
  "\n"
  "[MERGE_MODEL]\n"
  "Attribute_deps=\n"
  "Oscale_maps=\n"
  "Dump=\n"
  "\n"
  "[EVALUATION]\n"
  "Batch=15\n"
  "Device_type=gpu\n"
  "Device_ids=0\n"
  "Iter_num=10\n"
  "\n"
  "[COMPILATION]\n"
  "Batch=1\n"
  "Dump_dir=\n";

static MrtConfig *
load_text (const char *text, GError **error)
{
  g_autoptr (MrtIni) ini = mrt_ini_parse (text, "test.ini", error);
  if (ini == NULL)
    return NULL;
  return mrt_config_from_ini (ini, tmpdir, error);
}

/* mnist.ini with one option replaced (or appended to its section) */
static char *
mnist_with (const char *section, const char *key, const char *value)
{
  g_autoptr (MrtIni) ini = mrt_ini_parse (mnist_ini, "mnist.ini", NULL);
  g_autofree char *md = g_strdup (tmpdir);
  mrt_ini_set (ini, "DEFAULT", "Model_dir", md);
  mrt_ini_set (ini, "CALIBRATION", "Dataset_dir", md);
  if (section)
    mrt_ini_set (ini, section, key, value);
  return mrt_ini_to_string (ini);
}

static void
test_ini_rules (void)
{
  const char *text = "[DEFAULT]\n"
                     "Shared = from default\n"
                     "[A]\n"
                     "KEY_case = value with spaces   \n"
                     "Multi=\n"
                     "  first,\n"
                     "  # a comment inside the value\n"
                     "  second\n"
                     "colon: yes\n"
                     "; comment\n"
                     "[B]\n"
                     "Shared=own\n";
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtIni) ini = mrt_ini_parse (text, "rules.ini", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mrt_ini_get (ini, "A", "key_case"), ==, "value with spaces");
  g_assert_cmpstr (mrt_ini_get (ini, "A", "KEY_CASE"), ==, "value with spaces");
  g_assert_cmpstr (mrt_ini_get (ini, "A", "multi"), ==, "first,\nsecond");
  g_assert_cmpstr (mrt_ini_get (ini, "A", "colon"), ==, "yes");
  g_assert_cmpstr (mrt_ini_get (ini, "A", "shared"), ==, "from default");
  g_assert_cmpstr (mrt_ini_get (ini, "B", "shared"), ==, "own");
  g_assert_null (mrt_ini_get (ini, "A", "absent"));
  g_assert_null (mrt_ini_get (ini, "NOSECTION", "x"));
}

static void
test_ini_errors (void)
{
  struct { const char *text; gint code; const char *frag; } bad[] = {
    { "key=value\n", MRT_INI_ERROR_SYNTAX, "rules.ini:1" },
    { "[A]\nnovalue\n", MRT_INI_ERROR_SYNTAX, "rules.ini:2" },
    { "[A\nx=1\n", MRT_INI_ERROR_SYNTAX, "[NAME]" },
    { "[A]\nx=1\n[A]\n", MRT_INI_ERROR_DUPLICATE, "section [A]" },
    { "[A]\nx=1\nX=2\n", MRT_INI_ERROR_DUPLICATE, "“x” appears twice" },
    { "[A]\n=1\n", MRT_INI_ERROR_SYNTAX, "key = value" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_assert_null (mrt_ini_parse (bad[i].text, "rules.ini", &error));
      g_assert_error (error, MRT_INI_ERROR, bad[i].code);
      if (!strstr (error->message, bad[i].frag))
        g_error ("“%s” lacks “%s”", error->message, bad[i].frag);
    }
}

static void
test_ini_edit_keeps_comments (void)
{
  g_autoptr (MrtIni) ini = mrt_ini_parse (mnist_ini, "mnist.ini", NULL);
  g_autofree char *out = NULL;
  g_autoptr (MrtIni) back = NULL;
  g_autofree char *path = g_build_filename (tmpdir, "edited.ini", NULL);
  g_autoptr (GError) error = NULL;

  mrt_ini_set (ini, "SPLIT_MODEL", "Keys", "\nconv0,\nconv1");
  mrt_ini_set (ini, "QUANTIZATION", "Thresholds", "data: 2.64");
  mrt_ini_set (ini, "CALIBRATION", "Calibration_method", "kl");
  mrt_ini_set (ini, "NEW", "x", "1");
  out = mrt_ini_to_string (ini);
  g_assert_nonnull (strstr (out, "# lambd=None: Iteration: 62, evalfunc top1=99.18%"));
  g_assert_nonnull (strstr (out, "# Verbosity 20 is INFO"));
  g_assert_true (mrt_ini_save (ini, path, &error));
  back = mrt_ini_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (mrt_ini_get (back, "SPLIT_MODEL", "Keys"), ==, "conv0,\nconv1");
  g_assert_cmpstr (mrt_ini_get (back, "QUANTIZATION", "thresholds"), ==, "data: 2.64");
  g_assert_cmpstr (mrt_ini_get (back, "CALIBRATION", "calibration_method"), ==, "kl");
  g_assert_cmpstr (mrt_ini_get (back, "NEW", "x"), ==, "1");
  /* the option stayed inside its section: the next section still parses */
  g_assert_cmpstr (mrt_ini_get (back, "MERGE_MODEL", "Dump"), ==, "");
}

static void
test_mnist_defaults (void)
{
  g_autofree char *text = mnist_with (NULL, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) c = load_text (text, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (c->model_name, ==, "mnist_dapp");
  g_assert_cmpint (c->verbosity, ==, 20);
  g_assert_cmpint (c->input_shape.ndim, ==, 4);
  g_assert_cmpint (c->input_shape.dim[0], ==, -1);
  g_assert_cmpint (mrt_batch_axis (&c->input_shape), ==, 0);
  g_assert_cmpint (c->start, ==, MRT_STAGE_DEFAULT);
  g_assert_false (c->prepare_dump);
  g_assert_cmpint (c->split_keys->len, ==, 0);
  g_assert_cmpint (c->calib_batch, ==, 16);
  g_assert_cmpint (c->calibrate_num, ==, 1);
  g_assert_false (c->has_lambda);
  g_assert_cmpint (c->calib_method, ==, MRT_CALIB_ABSMAX);
  g_assert_cmpstr (c->dataset, ==, "mnist");
  g_assert_cmpint (c->input_precision, ==, 8);
  g_assert_cmpint (c->output_precision, ==, 8);
  g_assert_cmpfloat (c->softmax_lambd, ==, 10);
  g_assert_cmpint (c->shift_bits, ==, 5);
  g_assert_cmpint (g_hash_table_size (c->thresholds), ==, 0);
  g_assert_true (c->has_evaluation);
  g_assert_cmpint (c->eval_batch, ==, 15);
  g_assert_cmpint (c->iter_num, ==, 10);
  g_assert_true (c->has_compilation);
  g_assert_cmpint (c->compile_batch, ==, 1);
  g_assert_cmpstr (c->dump_dir, ==, c->model_dir);
  /* the EVALUATION section asks for a GPU; CPU is used, and we say so once */
  g_assert_cmpint (c->device_ids->len, ==, 0);
}

static void
test_typed_values (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *t0 = mnist_with ("SPLIT_MODEL", "Keys", "\nssd0_softmax0,\n  ssd0_concat0,\n");
  g_autoptr (MrtIni) ini0 = mrt_ini_parse (t0, "t0.ini", NULL);
  g_autofree char *t1 = NULL;
  g_autoptr (MrtConfig) c1 = NULL;
  mrt_ini_set (ini0, "MERGE_MODEL", "Oscale_maps", "out0: ssd0_softmax0");
  t1 = mrt_ini_to_string (ini0);
  c1 = load_text (t1, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c1->split_keys->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (c1->split_keys, 1), ==, "ssd0_concat0");
  {
    g_autoptr (MrtIni) ini = mrt_ini_parse (t1, "x.ini", NULL);
    g_autofree char *text = NULL;
    g_autoptr (MrtConfig) c = NULL;
    mrt_ini_set (ini, "QUANTIZATION", "Thresholds", "\ndata: 2.64,\nssd0_slice_axis0: 1");
    mrt_ini_set (ini, "MERGE_MODEL", "Attribute_deps",
                 "_greater_scalar: scalar: ssd0_softmax0,\n_contrib_box_nms: valid_thresh: ssd0_softmax0");
    mrt_ini_set (ini, "MERGE_MODEL", "Oscale_maps", "a: None, b: ssd0_softmax0, c: ssd0_concat0");
    mrt_ini_set (ini, "CALIBRATION", "Lambda", "16");
    mrt_ini_set (ini, "DEFAULT", "Device_ids", "0, 1,2");
    mrt_ini_set (ini, "DEFAULT", "Input_shape", "(38, -1)");
    mrt_ini_set (ini, "DEFAULT", "Start", "SPLIT_MODEL");
    mrt_ini_set (ini, "QUANTIZATION", "Restore_name", "_OP_softmax, conv0");
    text = mrt_ini_to_string (ini);
    c = load_text (text, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (*(double *) g_hash_table_lookup (c->thresholds, "data"), ==, 2.64);
    g_assert_cmpfloat (*(double *) g_hash_table_lookup (c->thresholds, "ssd0_slice_axis0"), ==, 1);
    g_assert_cmpint (c->attribute_deps->len, ==, 2);
    g_assert_cmpstr (((MrtAttributeDep *) g_ptr_array_index (c->attribute_deps, 1))->attr, ==, "valid_thresh");
    g_assert_cmpint (c->oscale_maps->len, ==, 3);
    g_assert_null (((MrtOscaleMap *) g_ptr_array_index (c->oscale_maps, 0))->key);
    g_assert_cmpstr (((MrtOscaleMap *) g_ptr_array_index (c->oscale_maps, 2))->key, ==, "ssd0_concat0");
    g_assert_true (c->has_lambda);
    g_assert_cmpfloat (c->lambda, ==, 16);
    g_assert_cmpint (c->calib_method, ==, MRT_CALIB_LAMBDA);
    g_assert_cmpint (c->device_ids->len, ==, 3);
    g_assert_cmpint (mrt_batch_axis (&c->input_shape), ==, 1);
    {
      MrtShape s = mrt_set_batch (&c->input_shape, 16);
      g_assert_cmpint (s.dim[0], ==, 38);
      g_assert_cmpint (s.dim[1], ==, 16);
    }
    g_assert_cmpint (c->start, ==, MRT_STAGE_SPLIT_MODEL);
    g_assert_cmpint (c->restore_names->len, ==, 2);
  }
}

/* A missing option or section means "default" (upstream: KeyError). */
static void
test_missing_is_default (void)
{
  g_autofree char *text = g_strdup_printf ("[DEFAULT]\nModel_name=m\nModel_dir=%s\nInput_shape=(-1, 3, 32, 32)\n"
                                           "[CALIBRATION]\nDataset=cifar10\nDataset_dir=%s\n",
                                           tmpdir, tmpdir);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) c = load_text (text, &error);
  g_assert_no_error (error);
  g_assert_false (c->has_evaluation);
  g_assert_false (c->has_compilation);
  g_assert_cmpint (c->shift_bits, ==, 5);
  g_assert_cmpint (c->output_precision, ==, 0);
}

static void
test_option_errors (void)
{
  struct { const char *section, *key, *value; gint code; const char *frag; } bad[] = {
    { "DEFAULT", "Model_name", "", MRT_CONFIG_ERROR_MISSING, "[DEFAULT] Model_name: please specify" },
    { "DEFAULT", "Input_shape", "(1, 1, 28, 28)", MRT_CONFIG_ERROR_VALUE, "exactly one -1" },
    { "DEFAULT", "Input_shape", "(-1, -1, 28)", MRT_CONFIG_ERROR_VALUE, "exactly one -1" },
    { "DEFAULT", "Input_shape", "(-1, 0, 28)", MRT_CONFIG_ERROR_VALUE, "Input_shape" },
    { "DEFAULT", "Input_shape", "[-1, x]", MRT_CONFIG_ERROR_VALUE, "not a tuple" },
    { "DEFAULT", "Start", "CALIBRATE", MRT_CONFIG_ERROR_VALUE, "[DEFAULT] Start" },
    { "DEFAULT", "Start", "MERGE_MODEL", MRT_CONFIG_ERROR_VALUE, "only when SPLIT_MODEL Keys" },
    { "DEFAULT", "Model_dir", "/nonexistent/dir", MRT_CONFIG_ERROR_PATH, "/nonexistent/dir" },
    { "DEFAULT", "Device_type", "tpu", MRT_CONFIG_ERROR_VALUE, "Device_type" },
    { "DEFAULT", "Device_ids", "0, a", MRT_CONFIG_ERROR_VALUE, "Device_ids" },
    { "DEFAULT", "Verbosity", "loud", MRT_CONFIG_ERROR_VALUE, "[DEFAULT] Verbosity" },
    { "PREPARE", "Dump", "yes", MRT_CONFIG_ERROR_VALUE, "[PREPARE] Dump: “yes” is not True or False" },
    { "CALIBRATION", "Batch", "0", MRT_CONFIG_ERROR_VALUE, "[CALIBRATION] Batch: 0 is out of range" },
    { "CALIBRATION", "Batch", "16.0", MRT_CONFIG_ERROR_VALUE, "not an integer" },
    { "CALIBRATION", "Calibrate_num", "-1", MRT_CONFIG_ERROR_VALUE, "Calibrate_num" },
    { "CALIBRATION", "Lambda", "abc", MRT_CONFIG_ERROR_VALUE, "[CALIBRATION] Lambda" },
    { "CALIBRATION", "Lambda", "-3", MRT_CONFIG_ERROR_VALUE, "greater than 0" },
    { "CALIBRATION", "Dataset", "", MRT_CONFIG_ERROR_MISSING, "[CALIBRATION] Dataset" },
    { "CALIBRATION", "Calibration_method", "median", MRT_CONFIG_ERROR_VALUE, "Calibration_method" },
    { "CALIBRATION", "Percentile", "150", MRT_CONFIG_ERROR_VALUE, "above 100" },
    { "QUANTIZATION", "Input_precision", "64", MRT_CONFIG_ERROR_VALUE, "[QUANTIZATION] Input_precision" },
    { "QUANTIZATION", "Output_precision", "1", MRT_CONFIG_ERROR_VALUE, "Output_precision" },
    { "QUANTIZATION", "Shift_bits", "-2", MRT_CONFIG_ERROR_VALUE, "Shift_bits" },
    { "QUANTIZATION", "Softmax_lambd", "0", MRT_CONFIG_ERROR_VALUE, "Softmax_lambd" },
    { "QUANTIZATION", "Per_channel", "sometimes", MRT_CONFIG_ERROR_VALUE, "[QUANTIZATION] Per_channel" },
    { "QUANTIZATION", "Bias_correction", "maybe", MRT_CONFIG_ERROR_VALUE, "[QUANTIZATION] Bias_correction" },
    { "QUANTIZATION", "Thresholds", "data 2.64", MRT_CONFIG_ERROR_VALUE, "2 fields" },
    { "QUANTIZATION", "Thresholds", "data: x", MRT_CONFIG_ERROR_VALUE, "threshold of “data”" },
    { "QUANTIZATION", "Thresholds", "data: 1, data: 2", MRT_CONFIG_ERROR_VALUE, "given twice" },
    { "MERGE_MODEL", "Attribute_deps", "a: b", MRT_CONFIG_ERROR_VALUE, "3 fields" },
    { "EVALUATION", "Iter_num", "-5", MRT_CONFIG_ERROR_VALUE, "[EVALUATION] Iter_num" },
    { "COMPILATION", "Dump_dir", "/no/such/dump", MRT_CONFIG_ERROR_PATH, "[COMPILATION] Dump_dir" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autofree char *text = mnist_with (bad[i].section, bad[i].key, bad[i].value);
      g_autoptr (GError) error = NULL;
      g_autoptr (MrtConfig) c = load_text (text, &error);
      g_assert_null (c);
      g_assert_error (error, MRT_CONFIG_ERROR, bad[i].code);
      if (!strstr (error->message, bad[i].frag))
        g_error ("case %u: “%s” lacks “%s”", i, error->message, bad[i].frag);
    }
}

static void
test_split_needs_oscale_maps (void)
{
  g_autofree char *text = mnist_with ("SPLIT_MODEL", "Keys", "conv0");
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) c = load_text (text, &error);
  g_assert_null (c);
  g_assert_error (error, MRT_CONFIG_ERROR, MRT_CONFIG_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "Oscale_maps"));
}

static void
test_load_file_names (void)
{
  g_autofree char *text = mnist_with (NULL, NULL, NULL);
  g_autofree char *path = g_build_filename (tmpdir, "mnist.ini", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (MrtConfig) c = NULL;
  g_autofree char *fname = NULL;
  g_autofree char *json = NULL, *params = NULL, *ext = NULL;

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  c = mrt_config_load (path, &error);
  g_assert_no_error (error);
  fname = mrt_config_load_fname (c, ".prepare");
  g_assert_true (g_str_has_suffix (fname, "/mnist_dapp.prepare"));
  g_assert_false (mrt_checkpoint_exist (fname, FALSE));
  json = g_strconcat (fname, ".json", NULL);
  params = g_strconcat (fname, ".params", NULL);
  ext = g_strconcat (fname, ".ext", NULL);
  g_file_set_contents (json, "{}", -1, NULL);
  g_file_set_contents (params, "", -1, NULL);
  g_assert_true (mrt_checkpoint_exist (fname, FALSE));
  g_assert_false (mrt_checkpoint_exist (fname, TRUE));
  g_file_set_contents (ext, "", -1, NULL);
  g_assert_true (mrt_checkpoint_exist (fname, TRUE));
  /* an error from a file names the file */
  {
    g_autofree char *bad = g_build_filename (tmpdir, "bad.ini", NULL);
    g_autoptr (GError) e2 = NULL;
    g_file_set_contents (bad, "[DEFAULT]\nModel_name=x\n", -1, NULL);
    g_assert_null (mrt_config_load (bad, &e2));
    g_assert_nonnull (strstr (e2->message, "bad.ini"));
  }
}

int
main (int argc, char **argv)
{
  int r;
  g_test_init (&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp ("mrt-config-XXXXXX", NULL);
  g_test_add_func ("/ini/rules", test_ini_rules);
  g_test_add_func ("/ini/errors", test_ini_errors);
  g_test_add_func ("/ini/edit-keeps-comments", test_ini_edit_keeps_comments);
  g_test_add_func ("/config/mnist-defaults", test_mnist_defaults);
  g_test_add_func ("/config/typed-values", test_typed_values);
  g_test_add_func ("/config/missing-is-default", test_missing_is_default);
  g_test_add_func ("/config/option-errors", test_option_errors);
  g_test_add_func ("/config/split-needs-oscale-maps", test_split_needs_oscale_maps);
  g_test_add_func ("/config/load-file-names", test_load_file_names);
  r = g_test_run ();
  {
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", tmpdir);
    if (system (cmd) != 0)
      r = r ? r : 0;
  }
  return r;
}
