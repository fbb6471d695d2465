/* studio-chart-draw.c: drawing helpers for the chart widgets. */
#include "studio-chart-draw.h"

#include <math.h>

static void
lookup (GtkStyleContext *style, const char *name, GdkRGBA *out, const char *fallback)
{
  if (!gtk_style_context_lookup_color (style, name, out))
    gdk_rgba_parse (out, fallback);
}

GdkRGBA
studio_chart_alpha (const GdkRGBA *color, double alpha)
{
  GdkRGBA c = *color;
  c.alpha *= alpha;
  return c;
}

void
studio_chart_palette_read (GtkWidget *widget, StudioChartPalette *pal)
{
  GtkStyleContext *style = gtk_widget_get_style_context (widget);

  gtk_style_context_get_color (style, &pal->fg);
  pal->dark = pal->fg.red + pal->fg.green + pal->fg.blue > 1.5;
  pal->dim = studio_chart_alpha (&pal->fg, 0.6);
  pal->grid = studio_chart_alpha (&pal->fg, 0.08);
  pal->axis = studio_chart_alpha (&pal->fg, 0.3);
  lookup (style, "accent_color", &pal->accent, "#3584e4");
  /* The GNOME palette; lighter shades read better on dark backgrounds. */
  lookup (style, pal->dark ? "blue_2" : "blue_3", &pal->series_float, "#3584e4");
  lookup (style, pal->dark ? "orange_2" : "orange_4", &pal->series_quant, "#e66100");
  lookup (style, "success_color", &pal->good, "#26a269");
  lookup (style, "error_color", &pal->bad, "#c01c28");
  lookup (style, "warning_color", &pal->warn, "#9c6e03");
  lookup (style, pal->dark ? "purple_2" : "purple_3", &pal->neutral, "#9141ac");
}

static PangoLayout *
make_layout (GtkWidget *widget, const char *text, gboolean small)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (widget, text);
  if (small)
    {
      PangoAttrList *attrs = pango_attr_list_new ();
      pango_attr_list_insert (attrs, pango_attr_scale_new (0.85));
      pango_attr_list_insert (attrs, pango_attr_font_features_new ("tnum"));
      pango_layout_set_attributes (layout, attrs);
      pango_attr_list_unref (attrs);
    }
  return layout;
}

void
studio_chart_text_size (GtkWidget *widget, const char *text, gboolean small, int *width, int *height)
{
  g_autoptr (PangoLayout) layout = make_layout (widget, text, small);
  pango_layout_get_pixel_size (layout, width, height);
}

void
studio_chart_text (GtkSnapshot *snapshot, GtkWidget *widget, const char *text, double x, double y, float xalign,
                   float yalign, const GdkRGBA *color, gboolean small)
{
  g_autoptr (PangoLayout) layout = make_layout (widget, text, small);
  int w, h;

  pango_layout_get_pixel_size (layout, &w, &h);
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (round (x - w * xalign), round (y - h * yalign)));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

void
studio_chart_rect (GtkSnapshot *snapshot, double x, double y, double w, double h, const GdkRGBA *color)
{
  if (w <= 0 || h <= 0)
    return;
  gtk_snapshot_append_color (snapshot, color, &GRAPHENE_RECT_INIT (x, y, w, h));
}

void
studio_chart_vline (GtkSnapshot *snapshot, double x, double y0, double y1, double width, const GdkRGBA *color,
                    gboolean dashed)
{
  double top = MIN (y0, y1), h = fabs (y1 - y0);
  cairo_t *cr;

  /* snap to the pixel grid so 1 px rules stay crisp */
  x = round (x - width / 2);
  if (!dashed)
    {
      studio_chart_rect (snapshot, x, top, width, h, color);
      return;
    }
  cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (x - 1, top, width + 2, h));
  gdk_cairo_set_source_rgba (cr, color);
  cairo_set_line_width (cr, width);
  cairo_set_dash (cr, (double[]) { 4, 3 }, 2, 0);
  cairo_move_to (cr, x + width / 2, top);
  cairo_line_to (cr, x + width / 2, top + h);
  cairo_stroke (cr);
  cairo_destroy (cr);
}

void
studio_chart_hline (GtkSnapshot *snapshot, double x0, double x1, double y, double width, const GdkRGBA *color)
{
  studio_chart_rect (snapshot, MIN (x0, x1), round (y - width / 2), fabs (x1 - x0), width, color);
}

char *
studio_chart_format_count (double value)
{
  static const char *const units[] = { "", "k", "M", "G", "T" };
  guint u = 0;
  while (value >= 1000 && u + 1 < G_N_ELEMENTS (units))
    value /= 1000, u++;
  return g_strdup_printf ("%g%s", value, units[u]);
}

void
studio_chart_y_axis (GtkSnapshot *snapshot, GtkWidget *widget, const StudioChartScale *y, double x0, double x1,
                     guint max_ticks, const char *suffix, const StudioChartPalette *pal)
{
  double step = 0;
  g_autoptr (GArray) ticks = y->log ? studio_chart_log_ticks (y->min, y->max)
                                    : studio_chart_ticks (y->min, y->max, max_ticks, &step);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i), py = studio_chart_scale_to_pixel (y, v);
      g_autofree char *num = y->log ? studio_chart_format_count (v) : studio_chart_format_tick (v, step);
      g_autofree char *label = g_strconcat (num, suffix ? suffix : "", NULL);
      studio_chart_hline (snapshot, x0, x1, py, 1, &pal->grid);
      studio_chart_text (snapshot, widget, label, x0 - 6, py, 1, 0.5, &pal->dim, TRUE);
    }
}

void
studio_chart_x_axis (GtkSnapshot *snapshot, GtkWidget *widget, const StudioChartScale *x, double y, guint max_ticks,
                     const StudioChartPalette *pal)
{
  double step = 0;
  g_autoptr (GArray) ticks = studio_chart_ticks (x->min, x->max, max_ticks, &step);
  for (guint i = 0; i < ticks->len; i++)
    {
      double v = g_array_index (ticks, double, i), px = studio_chart_scale_to_pixel (x, v);
      g_autofree char *label = studio_chart_format_tick (v, step);
      studio_chart_vline (snapshot, px, y, y + 4, 1, &pal->axis, FALSE);
      studio_chart_text (snapshot, widget, label, px, y + 5, 0.5, 0, &pal->dim, TRUE);
    }
}
