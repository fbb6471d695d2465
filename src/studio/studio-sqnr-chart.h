/* studio-sqnr-chart.h: per-layer SQNR of the quantized model as bars in
 * graph order; clicking a bar emits "layer-activated" with its name. */
#pragma once

#include <gtk/gtk.h>

#include "mrt-pipeline.h"

G_BEGIN_DECLS

#define STUDIO_TYPE_SQNR_CHART (studio_sqnr_chart_get_type ())
G_DECLARE_FINAL_TYPE (StudioSqnrChart, studio_sqnr_chart, STUDIO, SQNR_CHART, GtkWidget)

/* layers: MrtLayerError*, graph order; copied. NULL empties the chart. */
void studio_sqnr_chart_set_layers (StudioSqnrChart *self, const GPtrArray *layers);
guint studio_sqnr_chart_get_n_layers (StudioSqnrChart *self);
/* Highlights the layer of that name (NULL: none). */
void studio_sqnr_chart_set_selected (StudioSqnrChart *self, const char *name);
/* Layer index under a widget x, or -1. */
int studio_sqnr_chart_get_layer_at (StudioSqnrChart *self, double x, double y);
/* Widget x of a layer's bar centre. */
double studio_sqnr_chart_get_bar_x (StudioSqnrChart *self, guint index);

G_END_DECLS
