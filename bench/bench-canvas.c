/* bench-canvas.c: what a frame of the model canvas costs, rasterised with
 * cairo into a 1280×800 image (what GSK's cairo renderer does), for a
 * 10 000-operator graph at zoom levels from 100 % to the whole graph, and
 * for the grouped outline it opens with. Baseline measured in the same
 * run: clearing the frame, the least any frame costs. Needs no display.
 *
 * Usage: bench-canvas [--seconds S] [--markdown] */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "studio-graph-groups.h"
#include "studio-graph-scene.h"

#define FRAME_W 1280
#define FRAME_H 800

static double min_seconds = 0.5;

static guint
op1 (MrtModel *m, const char *name, const char *op, guint in)
{
  MrtEntry e = { in, 0 };
  return mrt_model_add_node (m, name, op, NULL, &e, 1);
}

/* 40 stages of 50 residual units of five operators, named in scopes. */
static MrtModel *
build_model (void)
{
  MrtModel *m = mrt_model_new ();
  guint x = mrt_model_add_variable (m, "data");
  for (guint s = 0; s < 40; s++)
    for (guint u = 0; u < 50; u++)
      {
        g_autofree char *p = g_strdup_printf ("stage%u_unit%u_", s, u);
        g_autofree char *a = g_strconcat (p, "conv1", NULL), *b = g_strconcat (p, "relu1", NULL);
        g_autofree char *c = g_strconcat (p, "conv2", NULL), *d = g_strconcat (p, "bn2", NULL);
        g_autofree char *e = g_strconcat (p, "plus", NULL);
        guint in = x, y = op1 (m, a, "relu", x);
        y = op1 (m, b, "relu", y);
        y = op1 (m, c, "tanh", y);
        y = op1 (m, d, "sigmoid", y);
        x = mrt_model_add_node (m, e, "elemwise_add", NULL, (MrtEntry[]) { { y, 0 }, { in, 0 } }, 2);
      }
  mrt_model_add_head (m, (MrtEntry) { x, 0 });
  return m;
}

typedef struct {
  StudioGraphScene *scene;
  cairo_surface_t *surface;
  double zoom;
  guint drawn;
} Frame;

static void
paint_frame (Frame *f, gboolean clear_only)
{
  cairo_t *cr = cairo_create (f->surface);
  StudioSceneStyle style = { .palette = { { 0.2, 0.2, 0.2, 1 }, { 1, 1, 1, 1 }, { 0.21, 0.52, 0.89, 1 }, FALSE },
                             .selected = -1 };
  double sw, sh;

  cairo_set_source_rgb (cr, 0.98, 0.98, 0.98);
  cairo_paint (cr);
  if (!clear_only)
    {
      /* Centred on the middle of the graph, as after a jump. */
      studio_graph_scene_get_size (f->scene, &sw, &sh);
      double ox = FRAME_W / 2.0 - sw / 2 * f->zoom, oy = FRAME_H / 2.0 - sh / 2 * f->zoom;
      graphene_rect_t visible = GRAPHENE_RECT_INIT (-ox / f->zoom, -oy / f->zoom, FRAME_W / f->zoom,
                                                    FRAME_H / f->zoom);
      cairo_translate (cr, ox, oy);
      cairo_scale (cr, f->zoom, f->zoom);
      f->drawn = studio_graph_scene_paint (f->scene, cr, &visible, f->zoom, &style);
    }
  cairo_destroy (cr);
  cairo_surface_flush (f->surface);
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
time_frame (Frame *f, gboolean clear_only)
{
  double times[2000];
  int n = 0;
  gint64 start;
  paint_frame (f, clear_only);
  start = g_get_monotonic_time ();
  while (n < (int) G_N_ELEMENTS (times) && (n < 5 || (g_get_monotonic_time () - start) / 1e6 < min_seconds))
    {
      gint64 t0 = g_get_monotonic_time ();
      paint_frame (f, clear_only);
      times[n++] = (g_get_monotonic_time () - t0) / 1e6;
    }
  qsort (times, n, sizeof (double), compare_doubles);
  return times[n / 2];
}

static void
row (const char *what, Frame *f, double base, gboolean markdown)
{
  double t = time_frame (f, FALSE);
  if (markdown)
    printf ("| %s | %.3g %% | %u | %.2f | %.0f× | %s |\n", what, f->zoom * 100, f->drawn, t * 1e3, t / base,
            t < 1 / 60.0 ? "yes" : "no");
  else
    printf ("%-34s zoom %8.3g %%  %6u boxes  %8.2f ms  (%5.0f× clear)  60 fps: %s\n", what, f->zoom * 100, f->drawn,
            t * 1e3, t / base, t < 1 / 60.0 ? "yes" : "no");
}

int
main (int argc, char *argv[])
{
  gboolean markdown = FALSE;
  g_autoptr (MrtModel) model = build_model ();
  g_autoptr (StudioGraphGroups) groups = NULL;
  g_autofree gboolean *collapsed = NULL;
  PangoFontDescription *font = pango_font_description_from_string ("Cantarell 11");
  Frame f = { NULL, cairo_image_surface_create (CAIRO_FORMAT_ARGB32, FRAME_W, FRAME_H), 1.0, 0 };
  double base, sw, sh, fit;
  gint64 t0;

  for (int i = 1; i < argc; i++)
    {
      if (g_str_equal (argv[i], "--markdown"))
        markdown = TRUE;
      else if (g_str_equal (argv[i], "--seconds") && i + 1 < argc)
        min_seconds = g_ascii_strtod (argv[++i], NULL);
      else
        {
          fprintf (stderr, "usage: %s [--seconds S] [--markdown]\n", argv[0]);
          return 2;
        }
    }

  t0 = g_get_monotonic_time ();
  f.scene = studio_graph_scene_new (model, FALSE, NULL, NULL, font);
  printf ("%u operators: scene (measure + layout + index) built in %.0f ms\n\n",
          studio_graph_scene_get_n_nodes (f.scene) - 1, (g_get_monotonic_time () - t0) / 1e3);
  base = time_frame (&f, TRUE);
  if (markdown)
    printf ("| view | zoom | boxes drawn | frame ms | vs clear | < 16.7 ms |\n|---|---:|---:|---:|---:|---|\n");
  else
    printf ("baseline (clear a %dx%d frame): %.3f ms\n", FRAME_W, FRAME_H, base * 1e3);
  studio_graph_scene_get_size (f.scene, &sw, &sh);
  fit = MIN ((FRAME_W - 48) / sw, (FRAME_H - 48) / sh);
  for (double z = 1.0; z > fit * 2; z /= 4)
    {
      f.zoom = z;
      row ("expanded", &f, base, markdown);
    }
  f.zoom = fit;
  row ("expanded, whole graph", &f, base, markdown);
  studio_graph_scene_free (f.scene);

  groups = studio_graph_groups_new (model);
  collapsed = g_new (gboolean, studio_graph_groups_get_n (groups));
  for (guint g = 0; g < studio_graph_groups_get_n (groups); g++)
    collapsed[g] = TRUE;
  f.scene = studio_graph_scene_new (model, FALSE, groups, collapsed, font);
  studio_graph_scene_get_size (f.scene, &sw, &sh);
  f.zoom = MIN (1.0, MIN ((FRAME_W - 48) / sw, (FRAME_H - 48) / sh));
  row ("outline (groups collapsed), fitted", &f, base, markdown);
  f.zoom = 1.0;
  row ("outline, 100 %", &f, base, markdown);

  studio_graph_scene_free (f.scene);
  cairo_surface_destroy (f.surface);
  pango_font_description_free (font);
  return 0;
}
