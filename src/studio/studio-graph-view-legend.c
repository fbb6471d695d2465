/* studio-graph-view-legend.c: overlay colours and the legend that explains
 * them (bottom left of the canvas, and in exported images). */
#include "config.h"

#include "studio-graph-view-private.h"

#include <glib/gi18n.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <stdlib.h>

#define LEGEND_MARGIN 12.0
#define LEGEND_PAD 10.0
#define BAR_W 168.0
#define BAR_H 10.0
#define SWATCH 12.0
#define ROW_GAP 6.0

typedef struct {
  double t;
  GdkRGBA c;
} Stop;

/* viridis: perceptually even and readable for colour-blind users. */
static const Stop sequential[] = {
  { 0.00, { 0.267, 0.005, 0.329, 1 } }, { 0.25, { 0.231, 0.322, 0.545, 1 } }, { 0.50, { 0.129, 0.569, 0.549, 1 } },
  { 0.75, { 0.369, 0.788, 0.384, 1 } }, { 1.00, { 0.992, 0.906, 0.145, 1 } },
};
/* Error: red (poor SQNR) through yellow to green (close to float). */
static const Stop quality[] = {
  { 0.0, { 0.878, 0.106, 0.141, 1 } }, { 0.5, { 0.965, 0.827, 0.176, 1 } }, { 1.0, { 0.180, 0.761, 0.494, 1 } },
};
static const GdkRGBA base_swatch = { 0.208, 0.518, 0.894, 1 };
static const GdkRGBA top_swatch = { 0.753, 0.380, 0.796, 1 };
static const GdkRGBA key_swatch = { 0.878, 0.106, 0.141, 1 };
static const GdkRGBA override_swatch = { 0.569, 0.255, 0.675, 1 };

void
studio_overlay_ramp (StudioOverlay overlay, double t, GdkRGBA *out)
{
  const Stop *stops = overlay == STUDIO_OVERLAY_SQNR ? quality : sequential;
  guint n = overlay == STUDIO_OVERLAY_SQNR ? G_N_ELEMENTS (quality) : G_N_ELEMENTS (sequential);
  guint k = 1;

  t = isnan (t) ? 0 : CLAMP (t, 0.0, 1.0);
  while (k + 1 < n && stops[k].t < t)
    k++;
  double f = (t - stops[k - 1].t) / (stops[k].t - stops[k - 1].t);
  out->red = stops[k - 1].c.red + f * (stops[k].c.red - stops[k - 1].c.red);
  out->green = stops[k - 1].c.green + f * (stops[k].c.green - stops[k - 1].c.green);
  out->blue = stops[k - 1].c.blue + f * (stops[k].c.blue - stops[k - 1].c.blue);
  out->alpha = 1;
}

void
studio_legend_clear (StudioLegend *legend)
{
  g_clear_pointer (&legend->title, g_free);
  g_clear_pointer (&legend->note, g_free);
  g_clear_pointer (&legend->labels, g_ptr_array_unref);
  g_clear_pointer (&legend->colors, g_array_unref);
  legend->gradient = legend->log_scale = FALSE;
}

static void
add_swatch (StudioLegend *legend, const char *label, const GdkRGBA *color)
{
  if (!legend->labels)
    {
      legend->labels = g_ptr_array_new_with_free_func (g_free);
      legend->colors = g_array_new (FALSE, FALSE, sizeof (GdkRGBA));
    }
  g_ptr_array_add (legend->labels, g_strdup (label));
  g_array_append_val (legend->colors, *color);
}

static int
double_cmp (const void *pa, const void *pb)
{
  double a = *(const double *) pa, b = *(const double *) pb;
  return a < b ? -1 : a > b;
}

/* Precisions are few and discrete: one swatch each, spread over the ramp. */
static void
colour_discrete (StudioGraphView *self, const double *values, guint n)
{
  g_autoptr (GArray) distinct = g_array_new (FALSE, FALSE, sizeof (double));
  for (guint s = 0; s < n; s++)
    if (!isnan (values[s]))
      g_array_append_val (distinct, values[s]);
  g_array_sort (distinct, double_cmp);
  for (guint k = 0; k + 1 < distinct->len;)
    if (g_array_index (distinct, double, k) == g_array_index (distinct, double, k + 1))
      g_array_remove_index (distinct, k + 1);
    else
      k++;
  for (guint k = 0; k < distinct->len; k++)
    {
      GdkRGBA c;
      g_autofree char *label = g_strdup_printf (_("%g bits"), g_array_index (distinct, double, k));
      studio_overlay_ramp (self->overlay, distinct->len > 1 ? k / (distinct->len - 1.0) : 0.5, &c);
      add_swatch (&self->legend, label, &c);
    }
  for (guint s = 0; s < n; s++)
    for (guint k = 0; !isnan (values[s]) && k < distinct->len; k++)
      if (g_array_index (distinct, double, k) == values[s])
        self->colors[s] = g_array_index (self->legend.colors, GdkRGBA, k);
}

/* Thresholds span orders of magnitude: a log scale keeps them apart. */
static void
colour_continuous (StudioGraphView *self, const double *values, guint n)
{
  gboolean log_scale = self->overlay == STUDIO_OVERLAY_THRESHOLD;
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;

  for (guint s = 0; s < n; s++)
    {
      double v = values[s];
      if (isnan (v) || (log_scale && v <= 0))
        continue;
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  if (lo > hi)
    return;
  self->legend.gradient = TRUE;
  self->legend.log_scale = log_scale;
  self->legend.low = lo;
  self->legend.high = hi;
  for (guint s = 0; s < n; s++)
    {
      double v = values[s], t;
      if (isnan (v))
        continue;
      if (log_scale)
        t = hi > lo ? (log (MAX (v, lo)) - log (lo)) / (log (hi) - log (lo)) : 0.5;
      else
        t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      studio_overlay_ramp (self->overlay, t, &self->colors[s]);
    }
}

static gboolean
any_mark (StudioGraphView *self, guint n, guint8 mark)
{
  for (guint s = 0; s < n; s++)
    if (self->marks[s] & mark)
      return TRUE;
  return FALSE;
}

void
studio_graph_view_build_legend (StudioGraphView *self, const double *values, guint n)
{
  static const char *const titles[] = { NULL, N_("Precision"), N_("Threshold"), N_("SQNR (dB)") };
  static const char *const missing[] = { NULL, N_("Quantize the model to see precisions"),
                                         N_("Calibrate the model to see thresholds"),
                                         N_("Evaluate the model to see the error per layer") };
  StudioLegend *legend = &self->legend;

  if (values)
    {
      self->colors = g_new0 (GdkRGBA, MAX (n, 1));
      legend->title = g_strdup (_(titles[self->overlay]));
      if (self->overlay == STUDIO_OVERLAY_PRECISION)
        colour_discrete (self, values, n);
      else
        colour_continuous (self, values, n);
      if (!legend->gradient && !legend->labels)
        legend->note = g_strdup (_(missing[self->overlay]));
      self->has_legend = TRUE;
    }
  else if (any_mark (self, n, STUDIO_SCENE_MARK_SPLIT_KEY))
    {
      legend->title = g_strdup (_("Split"));
      add_swatch (legend, _("Base (quantized)"), &base_swatch);
      add_swatch (legend, _("Top (kept in float)"), &top_swatch);
      add_swatch (legend, _("Split key"), &key_swatch);
      self->has_legend = TRUE;
    }
  if (any_mark (self, n, STUDIO_SCENE_MARK_OVERRIDE))
    {
      if (!legend->title)
        legend->title = g_strdup (_("Thresholds"));
      add_swatch (legend, _("Threshold set by hand"), &override_swatch);
      self->has_legend = TRUE;
    }
}

/* ---- painting --------------------------------------------------------------- */

static char *
format_value (StudioGraphView *self, double v)
{
  if (self->overlay == STUDIO_OVERLAY_SQNR)
    return g_strdup_printf ("%.1f", v);
  return g_strdup_printf ("%.3g", v);
}

static PangoLayout *
legend_layout (StudioGraphView *self, cairo_t *cr, gboolean bold)
{
  PangoLayout *layout = pango_cairo_create_layout (cr);
  PangoFontDescription *font =
    pango_font_description_copy (pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
  if (bold)
    pango_font_description_set_weight (font, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description (layout, font);
  pango_font_description_free (font);
  return layout;
}

static void
text_size (PangoLayout *layout, const char *text, double *w, double *h)
{
  int pw, ph;
  pango_layout_set_text (layout, text, -1);
  pango_layout_get_pixel_size (layout, &pw, &ph);
  *w = pw;
  *h = ph;
}

static void
draw_text (cairo_t *cr, PangoLayout *layout, const char *text, double x, double y)
{
  pango_layout_set_text (layout, text, -1);
  cairo_move_to (cr, x, y);
  pango_cairo_show_layout (cr, layout);
}

/* Lays the legend out (paint == FALSE) or paints it at (x, y); returns its size. */
static void
legend_pass (StudioGraphView *self, cairo_t *cr, PangoLayout *title_l, PangoLayout *body_l, double x, double y,
             gboolean paint, double *out_w, double *out_h, const StudioScenePalette *pal)
{
  StudioLegend *lg = &self->legend;
  double w = 0, h = 0, tw, th, cy = y + LEGEND_PAD, cx = x + LEGEND_PAD;

  text_size (title_l, lg->title ? lg->title : "", &tw, &th);
  if (paint)
    {
      cairo_set_source_rgba (cr, pal->fg.red, pal->fg.green, pal->fg.blue, 0.95);
      draw_text (cr, title_l, lg->title ? lg->title : "", cx, cy);
    }
  w = tw, cy += th + ROW_GAP;
  if (lg->gradient)
    {
      g_autofree char *lo = format_value (self, lg->low), *hi = format_value (self, lg->high);
      double lw, lh, hw, hh;
      if (paint)
        {
          cairo_pattern_t *pat = cairo_pattern_create_linear (cx, 0, cx + BAR_W, 0);
          for (int k = 0; k <= 16; k++)
            {
              GdkRGBA c;
              studio_overlay_ramp (self->overlay, k / 16.0, &c);
              cairo_pattern_add_color_stop_rgb (pat, k / 16.0, c.red, c.green, c.blue);
            }
          cairo_rectangle (cr, cx, cy, BAR_W, BAR_H);
          cairo_set_source (cr, pat);
          cairo_fill (cr);
          cairo_pattern_destroy (pat);
        }
      cy += BAR_H + 3;
      text_size (body_l, lo, &lw, &lh);
      text_size (body_l, hi, &hw, &hh);
      if (paint)
        {
          cairo_set_source_rgba (cr, pal->fg.red, pal->fg.green, pal->fg.blue, 0.7);
          draw_text (cr, body_l, lo, cx, cy);
          draw_text (cr, body_l, hi, cx + BAR_W - hw, cy);
        }
      w = MAX (w, BAR_W), cy += MAX (lh, hh) + ROW_GAP;
    }
  for (guint k = 0; lg->labels && k < lg->labels->len; k++)
    {
      const char *label = g_ptr_array_index (lg->labels, k);
      const GdkRGBA *c = &g_array_index (lg->colors, GdkRGBA, k);
      text_size (body_l, label, &tw, &th);
      if (paint)
        {
          cairo_new_sub_path (cr);
          cairo_arc (cr, cx + SWATCH / 2, cy + th / 2, SWATCH / 2 - 1, 0, 2 * G_PI);
          gdk_cairo_set_source_rgba (cr, c);
          cairo_fill (cr);
          cairo_set_source_rgba (cr, pal->fg.red, pal->fg.green, pal->fg.blue, 0.85);
          draw_text (cr, body_l, label, cx + SWATCH + 6, cy);
        }
      w = MAX (w, SWATCH + 6 + tw), cy += th + 2;
    }
  if (lg->note)
    {
      text_size (body_l, lg->note, &tw, &th);
      if (paint)
        {
          cairo_set_source_rgba (cr, pal->fg.red, pal->fg.green, pal->fg.blue, 0.6);
          draw_text (cr, body_l, lg->note, cx, cy);
        }
      w = MAX (w, tw), cy += th + 2;
    }
  h = cy - y + LEGEND_PAD - 2;
  *out_w = w + 2 * LEGEND_PAD;
  *out_h = h;
}

void
studio_graph_view_paint_legend (StudioGraphView *self, cairo_t *cr, double width, double height)
{
  g_autoptr (PangoLayout) title_l = legend_layout (self, cr, TRUE);
  g_autoptr (PangoLayout) body_l = legend_layout (self, cr, FALSE);
  StudioScenePalette pal;
  double w, h, x = LEGEND_MARGIN, y;

  studio_graph_view_read_palette (self, &pal);
  legend_pass (self, cr, title_l, body_l, 0, 0, FALSE, &w, &h, &pal);
  y = height - LEGEND_MARGIN - h;
  if (y < LEGEND_MARGIN || w + 2 * LEGEND_MARGIN > width)
    return;
  cairo_save (cr);
  cairo_new_sub_path (cr);
  cairo_arc (cr, x + w - 8, y + 8, 8, -G_PI / 2, 0);
  cairo_arc (cr, x + w - 8, y + h - 8, 8, 0, G_PI / 2);
  cairo_arc (cr, x + 8, y + h - 8, 8, G_PI / 2, G_PI);
  cairo_arc (cr, x + 8, y + 8, 8, G_PI, 3 * G_PI / 2);
  cairo_close_path (cr);
  cairo_set_source_rgba (cr, pal.card.red, pal.card.green, pal.card.blue, 0.94);
  cairo_fill_preserve (cr);
  cairo_set_source_rgba (cr, pal.fg.red, pal.fg.green, pal.fg.blue, 0.15);
  cairo_set_line_width (cr, 1);
  cairo_stroke (cr);
  legend_pass (self, cr, title_l, body_l, x, y, TRUE, &w, &h, &pal);
  cairo_restore (cr);
}
