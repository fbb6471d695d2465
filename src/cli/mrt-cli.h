/* mrt-cli.h: shared pieces of the mrt command's subcommands. */
#pragma once

#include <json-glib/json-glib.h>
#include <mrt.h>

G_BEGIN_DECLS

/* Each returns the process exit status. argv[0] is the subcommand name. */
int mrt_cmd_info (int argc, char **argv);
int mrt_cmd_infer (int argc, char **argv);
int mrt_cmd_eval (int argc, char **argv);
int mrt_cmd_run (int argc, char **argv);
int mrt_cmd_check (int argc, char **argv);

/* A cancellable that the first Ctrl-C (SIGINT) or SIGTERM cancels. */
GCancellable *mrt_cli_cancellable (void);

/* Prints "mrt: <message>" on one line to stderr and returns 1 (130 and a
 * note for a cancelled run). */
int mrt_cli_fail (const GError *error);
int mrt_cli_failf (const char *format, ...) G_GNUC_PRINTF (1, 2);
/* Parses an --input-shape value; NULL text leaves *out untouched and returns TRUE. */
gboolean mrt_cli_parse_shape (const char *text, MrtShape *out, gboolean *given, GError **error);
/* Adds a JSON array for a shape to builder. */
void mrt_cli_json_shape (JsonBuilder *builder, const MrtShape *shape);
void mrt_cli_print_json (JsonBuilder *builder);

G_END_DECLS
