/* replay.c: runs a fuzz harness without libFuzzer. Every argument is a file
 * or a directory; every regular file found (directories recursively, in
 * sorted order; README*, *.md and *.expect skipped) is passed once to
 * LLVMFuzzerTestOneInput. Used by the test suite with the seed corpora and
 * crash regressions of tests/fuzz/<reader>/, under gcc and ASan/UBSan. */
#define FUZZ_REPLAY
#include "fuzz-common.h"

static gint
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

static gboolean
skipped (const char *name)
{
  return name[0] == '.' || g_str_has_prefix (name, "README") || g_str_has_suffix (name, ".md") ||
         g_str_has_suffix (name, ".expect");
}

static void
collect (const char *path, GPtrArray *files)
{
  GDir *d;
  const char *name;
  GPtrArray *names;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  d = g_dir_open (path, 0, NULL);
  if (d == NULL)
    return;
  names = g_ptr_array_new_with_free_func (g_free);
  while ((name = g_dir_read_name (d)))
    if (!skipped (name))
      g_ptr_array_add (names, g_strdup (name));
  g_dir_close (d);
  g_ptr_array_sort (names, compare_names);
  for (guint i = 0; i < names->len; i++)
    {
      char *child = g_build_filename (path, g_ptr_array_index (names, i), NULL);
      collect (child, files);
      g_free (child);
    }
  g_ptr_array_unref (names);
}

int
main (int argc, char **argv)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  gboolean verbose = g_getenv ("MRT_FUZZ_VERBOSE") != NULL;

  LLVMFuzzerInitialize (&argc, &argv);
  for (int i = 1; i < argc; i++)
    collect (argv[i], files);
  if (files->len == 0)
    {
      fprintf (stderr, "%s: no input files\n", argv[0]);
      return 1;
    }
  for (guint i = 0; i < files->len; i++)
    {
      const char *path = g_ptr_array_index (files, i);
      GError *error = NULL;
      char *data;
      gsize len;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          fprintf (stderr, "%s: %s\n", argv[0], error->message);
          return 1;
        }
      if (verbose)
        fprintf (stderr, "%s\n", path);
      /* a private copy of exactly len bytes, so that ASan sees any overread */
      {
        guint8 *copy = g_malloc (len ? len : 1);
        memcpy (copy, data, len);
        LLVMFuzzerTestOneInput (copy, len);
        g_free (copy);
      }
      g_free (data);
    }
  printf ("%s: %u inputs replayed\n", argv[0], files->len);
  g_ptr_array_unref (files);
  return 0;
}
