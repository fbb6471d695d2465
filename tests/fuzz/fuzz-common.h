/* fuzz-common.h: shared helpers of the libFuzzer harnesses in tests/fuzz/.
 *
 * Each harness defines LLVMFuzzerInitialize and LLVMFuzzerTestOneInput. Built
 * with clang -fsanitize=fuzzer it is a libFuzzer target; built with replay.c
 * (any compiler) it is a plain program that feeds every file of the corpus
 * directories given on its command line to LLVMFuzzerTestOneInput, which is
 * how the seed corpora and crash regressions run in the normal test suite.
 *
 * Beyond "no crash", the harnesses assert the readers' contract: a failure
 * is a GError whose message names the file, and what was read can be written
 * back and read again. A broken contract aborts, which libFuzzer reports. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Library warnings and criticals (g_return_if_fail) are bugs under hostile
 * input too: make them abort so the fuzzer sees them. */
static inline void
fuzz_setup (void)
{
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING | G_LOG_FATAL_MASK);
  g_setenv ("OPENBLAS_NUM_THREADS", "1", FALSE);
}

/* Every harness includes this header once, so it defines the entry point
 * libFuzzer calls before the first input (replay.c, linked with a harness,
 * only calls it). */
#ifndef FUZZ_REPLAY
int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_setup ();
  return 0;
}
#endif

G_GNUC_NORETURN static inline void
fuzz_fail (const char *what, const char *detail)
{
  fprintf (stderr, "fuzz contract broken: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  fflush (stderr);
  abort ();
}

/* A reader that returned NULL must have set an error that names the file. */
static inline void
fuzz_check_error (const GError *error, const char *fname)
{
  if (error == NULL)
    fuzz_fail ("reader failed without a GError", NULL);
  if (error->message == NULL || !g_utf8_validate (error->message, -1, NULL))
    fuzz_fail ("error message is not UTF-8", NULL);
  if (fname && strstr (error->message, fname) == NULL)
    fuzz_fail ("error message does not name the file", error->message);
}

static char *fuzz_dir_path;

static inline void
fuzz_rm_rf (const char *path)
{
  GDir *d = g_dir_open (path, 0, NULL);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    {
      char *child = g_build_filename (path, name, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        fuzz_rm_rf (child);
      else
        g_unlink (child);
      g_free (child);
    }
  if (d)
    g_dir_close (d);
  g_rmdir (path);
}

static inline void
fuzz_dir_cleanup (void)
{
  if (fuzz_dir_path)
    fuzz_rm_rf (fuzz_dir_path);
}

/* A private scratch directory, removed at exit. */
static inline const char *
fuzz_dir (void)
{
  if (fuzz_dir_path == NULL)
    {
      GError *error = NULL;
      fuzz_dir_path = g_dir_make_tmp ("mrt-fuzz-XXXXXX", &error);
      if (fuzz_dir_path == NULL)
        fuzz_fail ("cannot create a scratch directory", error->message);
      atexit (fuzz_dir_cleanup);
    }
  return fuzz_dir_path;
}

/* Writes data to <fuzz_dir>/<name> (non-atomically: speed matters here). */
static inline char *
fuzz_write (const char *name, const void *data, size_t size)
{
  char *path = g_build_filename (fuzz_dir (), name, NULL);
  FILE *f = fopen (path, "wb");
  if (f == NULL || (size && fwrite (data, 1, size, f) != size) || fclose (f) != 0)
    fuzz_fail ("cannot write a scratch file", path);
  return path;
}

static inline void
fuzz_remove (const char *name)
{
  char *path = g_build_filename (fuzz_dir (), name, NULL);
  g_unlink (path);
  g_free (path);
}
