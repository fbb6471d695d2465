/* studio-chart-draw.h: drawing helpers shared by the chart widgets: the
 * palette read from the style, text, rules, and axes with grid lines. The
 * arithmetic lives in studio-chart-scale.h. */
#pragma once

#include <gtk/gtk.h>

#include "studio-chart-scale.h"

G_BEGIN_DECLS

typedef struct {
  GdkRGBA fg, dim, grid, axis;
  GdkRGBA accent;
  GdkRGBA series_float, series_quant; /* the float and quantized model */
  GdkRGBA good, bad, warn, neutral;
  gboolean dark;
} StudioChartPalette;

void studio_chart_palette_read (GtkWidget *widget, StudioChartPalette *pal);
GdkRGBA studio_chart_alpha (const GdkRGBA *color, double alpha);

/* Draws text with its anchor at (x, y): xalign/yalign 0 = left/top, 1 = right/bottom. */
void studio_chart_text (GtkSnapshot *snapshot, GtkWidget *widget, const char *text, double x, double y, float xalign,
                        float yalign, const GdkRGBA *color, gboolean small);
void studio_chart_text_size (GtkWidget *widget, const char *text, gboolean small, int *width, int *height);

void studio_chart_rect (GtkSnapshot *snapshot, double x, double y, double w, double h, const GdkRGBA *color);
/* Vertical and horizontal rules; dashed ones go through cairo. */
void studio_chart_vline (GtkSnapshot *snapshot, double x, double y0, double y1, double width, const GdkRGBA *color,
                         gboolean dashed);
void studio_chart_hline (GtkSnapshot *snapshot, double x0, double x1, double y, double width, const GdkRGBA *color);

/* Horizontal grid lines and labels left of the plot for the y scale's
 * ticks (log or linear); `suffix` follows each label (e.g. "%"). */
void studio_chart_y_axis (GtkSnapshot *snapshot, GtkWidget *widget, const StudioChartScale *y, double x0, double x1,
                          guint max_ticks, const char *suffix, const StudioChartPalette *pal);
/* Tick labels below the plot for the x scale (linear). */
void studio_chart_x_axis (GtkSnapshot *snapshot, GtkWidget *widget, const StudioChartScale *x, double y,
                          guint max_ticks, const StudioChartPalette *pal);

/* Count labels: 1, 10, 100, 1k, 10k, 1M. */
char *studio_chart_format_count (double value);

G_END_DECLS
