/* test-chart.c: chart scaling, ticks and histogram folding, without a display. */
#include <math.h>
#include <string.h>

#include "studio-chart-scale.h"

#define EPS 1e-9

static void
check_ticks (GArray *ticks, const double *expect, guint n)
{
  g_assert_cmpuint (ticks->len, ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpfloat_with_epsilon (g_array_index (ticks, double, i), expect[i], EPS);
}

static void
test_linear_mapping (void)
{
  StudioChartScale s;

  /* an upward y axis: value 0 at the bottom pixel */
  studio_chart_scale_init (&s, 0, 100, 200, 0, FALSE);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 0), 200, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 100), 0, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 25), 150, EPS);
  /* round trip, also outside the range */
  for (double v = -50; v <= 150; v += 12.5)
    g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_value (&s, studio_chart_scale_to_pixel (&s, v)), v, 1e-9);

  /* a symmetric x axis */
  studio_chart_scale_init (&s, -3, 3, 10, 610, FALSE);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 0), 310, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_value (&s, 410), 1, EPS);

  /* an empty range does not divide by zero */
  studio_chart_scale_init (&s, 5, 5, 0, 100, FALSE);
  g_assert_true (isfinite (studio_chart_scale_to_pixel (&s, 5)));
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 5), 0, EPS);
}

static void
test_log_mapping (void)
{
  StudioChartScale s;

  studio_chart_scale_init (&s, 1, 1e4, 100, 0, TRUE);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 1), 100, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 10), 75, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 100), 50, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 1e4), 0, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_value (&s, 25), 1000, 1e-6);
  /* zero counts sit on the baseline instead of at -infinity */
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 0), 100, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 0.5), 100, EPS);

  /* a non-positive start becomes 1 */
  studio_chart_scale_init (&s, 0, 100, 0, 10, TRUE);
  g_assert_cmpfloat_with_epsilon (s.min, 1, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 10), 5, EPS);
  /* and a degenerate one still spans a decade */
  studio_chart_scale_init (&s, 1, 1, 0, 10, TRUE);
  g_assert_cmpfloat_with_epsilon (studio_chart_scale_to_pixel (&s, 10), 10, EPS);
}

static void
test_ticks (void)
{
  double step;
  GArray *t;

  t = studio_chart_ticks (0, 100, 6, &step);
  check_ticks (t, (double[]) { 0, 20, 40, 60, 80, 100 }, 6);
  g_assert_cmpfloat_with_epsilon (step, 20, EPS);
  g_array_unref (t);

  t = studio_chart_ticks (0, 1, 5, &step);
  check_ticks (t, (double[]) { 0, 0.5, 1 }, 3);
  g_array_unref (t);

  /* ticks only inside the range, on multiples of the step, and zero is exact */
  t = studio_chart_ticks (-0.37, 0.81, 8, &step);
  g_assert_cmpfloat_with_epsilon (step, 0.2, EPS);
  check_ticks (t, (double[]) { -0.2, 0, 0.2, 0.4, 0.6, 0.8 }, 6);
  g_assert_true (g_array_index (t, double, 1) == 0.0 && !signbit (g_array_index (t, double, 1)));
  g_array_unref (t);

  /* never more than asked for */
  for (guint n = 2; n < 12; n++)
    for (double max = 0.3; max < 5000; max *= 1.7)
      {
        t = studio_chart_ticks (-max / 3, max, n, &step);
        g_assert_cmpuint (t->len, <=, n);
        g_assert_cmpuint (t->len, >=, 1);
        for (guint i = 1; i < t->len; i++)
          g_assert_cmpfloat_with_epsilon (g_array_index (t, double, i) - g_array_index (t, double, i - 1), step,
                                          step * 1e-6);
        g_array_unref (t);
      }

  /* an empty range gives its one value */
  t = studio_chart_ticks (3, 3, 5, &step);
  check_ticks (t, (double[]) { 3 }, 1);
  g_assert_cmpfloat (step, ==, 0);
  g_array_unref (t);
}

static void
test_nice_range (void)
{
  double min = 0.3, max = 97.2;
  studio_chart_nice_range (&min, &max, 6);
  g_assert_cmpfloat_with_epsilon (min, 0, EPS);
  g_assert_cmpfloat_with_epsilon (max, 100, EPS);

  min = -12.5, max = 41;
  studio_chart_nice_range (&min, &max, 5);
  g_assert_cmpfloat_with_epsilon (min, -20, EPS);
  g_assert_cmpfloat_with_epsilon (max, 60, EPS);

  /* already nice: unchanged */
  min = 0, max = 50;
  studio_chart_nice_range (&min, &max, 6);
  g_assert_cmpfloat_with_epsilon (min, 0, EPS);
  g_assert_cmpfloat_with_epsilon (max, 50, EPS);
}

static void
test_log_ticks (void)
{
  GArray *t = studio_chart_log_ticks (1, 25000);
  check_ticks (t, (double[]) { 1, 10, 100, 1000, 10000 }, 5);
  g_array_unref (t);
  t = studio_chart_log_ticks (0.05, 3);
  check_ticks (t, (double[]) { 0.1, 1 }, 2);
  g_array_unref (t);
  t = studio_chart_log_ticks (0, 3);
  g_assert_cmpuint (t->len, ==, 0);
  g_array_unref (t);
}

static void
test_format (void)
{
  static const struct {
    double v, step;
    const char *text;
  } cases[] = {
    { 20, 20, "20" }, { 0.5, 0.5, "0.5" }, { 0.25, 0.05, "0.25" }, { 0, 0.2, "0.0" },
    { -0.4, 0.2, "-0.4" }, { 1e7, 1e6, "1e+07" }, { 100, 0, "100" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *s = studio_chart_format_tick (cases[i].v, cases[i].step);
      /* the decimal point follows the C locale in tests */
      g_assert_cmpstr (s, ==, cases[i].text);
    }
}

static void
test_rebin (void)
{
  guint64 bins[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
  guint64 cols[4], one[1], same[10];
  guint64 sum = 0;

  studio_chart_rebin (bins, 10, cols, 4);
  for (guint i = 0; i < 4; i++)
    sum += cols[i];
  g_assert_cmpuint (sum, ==, 55);
  /* bin centres 0.05 … 0.95 (a centre on a boundary goes right):
   * columns take bins 0-1, 2-4, 5-6, 7-9 */
  g_assert_cmpuint (cols[0], ==, 1 + 2);
  g_assert_cmpuint (cols[1], ==, 3 + 4 + 5);
  g_assert_cmpuint (cols[2], ==, 6 + 7);
  g_assert_cmpuint (cols[3], ==, 8 + 9 + 10);

  studio_chart_rebin (bins, 10, one, 1);
  g_assert_cmpuint (one[0], ==, 55);
  studio_chart_rebin (bins, 10, same, 10);
  for (guint i = 0; i < 10; i++)
    g_assert_cmpuint (same[i], ==, bins[i]);
}

static void
test_clipped (void)
{
  /* 4 bins over [-2, 2]: [-2,-1) [-1,0) [0,1) [1,2] */
  guint64 bins[4] = { 10, 40, 40, 10 };

  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 2), 0, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 5), 0, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 1), 0.2, EPS);
  /* half of each outer bin */
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 1.5), 0.1, EPS);
  /* half of the inner bins as well */
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 0.5), 0.6, EPS);
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, 0), 1, EPS);
  /* the sign of the threshold does not matter */
  g_assert_cmpfloat_with_epsilon (studio_chart_clipped_fraction (bins, 4, 2, -1), 0.2, EPS);

  /* no data */
  g_assert_cmpfloat (studio_chart_clipped_fraction (bins, 4, 0, 1), ==, 0);
  memset (bins, 0, sizeof bins);
  g_assert_cmpfloat (studio_chart_clipped_fraction (bins, 4, 2, 1), ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/chart/linear", test_linear_mapping);
  g_test_add_func ("/chart/log", test_log_mapping);
  g_test_add_func ("/chart/ticks", test_ticks);
  g_test_add_func ("/chart/nice-range", test_nice_range);
  g_test_add_func ("/chart/log-ticks", test_log_ticks);
  g_test_add_func ("/chart/format", test_format);
  g_test_add_func ("/chart/rebin", test_rebin);
  g_test_add_func ("/chart/clipped", test_clipped);
  return g_test_run ();
}
