/* mrt-main.c: the mrt command: dispatches to its subcommands. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "mrt-cli.h"

typedef struct {
  const char *name;
  int (*run) (int argc, char **argv);
  const char *summary;
} Command;

static const Command commands[] = {
  { "info", mrt_cmd_info, "Describe a model: nodes, operators, inputs, outputs, parameters" },
  { "run", mrt_cmd_run, "Run the MRT stages of a main2 .ini configuration" },
  { "infer", mrt_cmd_infer, "Run a model on a .npy input and write its outputs as .npy" },
  { "eval", mrt_cmd_eval, "Measure a model's top-1/top-5 accuracy on a dataset" },
  { "check", mrt_cmd_check, "Check an exported CVM model against every loader rule; print its gas" },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: mrt COMMAND [OPTIONS…]\n\nConvert MXNet models to deterministic CVM integer models.\n\nCommands:\n");
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nRun “mrt COMMAND --help” for a command's options.\n");
}

/* ---- Ctrl-C ----
 * The first SIGINT or SIGTERM cancels the running work, which then stops at
 * its next check and cleans up (an export in progress removes its temporary
 * folder; checkpoints are written whole or not at all). The handler only
 * writes a byte to a pipe, which a signal handler may do; a watcher thread
 * blocked on the pipe turns it into g_cancellable_cancel. A second signal
 * ends the process at once. */
static int interrupt_pipe[2] = { -1, -1 };

static void
on_signal (int sig)
{
  char byte = 1;
  ssize_t unused = write (interrupt_pipe[1], &byte, 1);
  (void) unused;
  signal (sig, SIG_DFL); /* the next one is not caught */
}

static gpointer
watch_interrupt (gpointer data)
{
  char byte;
  while (read (interrupt_pipe[0], &byte, 1) < 0 && errno == EINTR)
    ;
  g_cancellable_cancel (data);
  return NULL;
}

GCancellable *
mrt_cli_cancellable (void)
{
  static GCancellable *cancellable;
  if (cancellable == NULL)
    {
      struct sigaction sa = { 0 };
      cancellable = g_cancellable_new ();
      if (pipe (interrupt_pipe) != 0)
        return cancellable; /* no clean Ctrl-C then: the default action */
      sa.sa_handler = on_signal;
      sigemptyset (&sa.sa_mask);
      sigaction (SIGINT, &sa, NULL);
      sigaction (SIGTERM, &sa, NULL);
      g_thread_unref (g_thread_new ("mrt-interrupt", watch_interrupt, cancellable));
    }
  return cancellable;
}

int
mrt_cli_fail (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      fprintf (stderr, "mrt: interrupted; earlier results and exports are unchanged\n");
      return 130;
    }
  fprintf (stderr, "mrt: %s\n", error->message);
  return 1;
}

int
mrt_cli_failf (const char *format, ...)
{
  va_list ap;
  g_autofree char *msg = NULL;
  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  fprintf (stderr, "mrt: %s\n", msg);
  return 1;
}

gboolean
mrt_cli_parse_shape (const char *text, MrtShape *out, gboolean *given, GError **error)
{
  if (given)
    *given = FALSE;
  if (text == NULL)
    return TRUE;
  if (!mrt_shape_parse (text, FALSE, out, error) || !mrt_shape_check (out, error))
    {
      g_prefix_error (error, "--input-shape: ");
      return FALSE;
    }
  if (given)
    *given = TRUE;
  return TRUE;
}

void
mrt_cli_json_shape (JsonBuilder *builder, const MrtShape *shape)
{
  json_builder_begin_array (builder);
  for (int i = 0; i < shape->ndim; i++)
    json_builder_add_int_value (builder, shape->dim[i]);
  json_builder_end_array (builder);
}

void
mrt_cli_print_json (JsonBuilder *builder)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = json_builder_get_root (builder);
  g_autofree char *text = NULL;
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, FALSE);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

int
main (int argc, char **argv)
{
  setlocale (LC_ALL, "");
  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") ||
      g_str_equal (argv[1], "help"))
    {
      usage (argc < 2 ? stderr : stdout);
      return argc < 2 ? 2 : 0;
    }
  if (g_str_equal (argv[1], "--version"))
    {
      printf ("mrt %s\n", PACKAGE_VERSION);
      return 0;
    }
  for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (argv[1], commands[i].name))
      return commands[i].run (argc - 1, argv + 1);
  fprintf (stderr, "mrt: unknown command “%s”\n", argv[1]);
  usage (stderr);
  return 2;
}
