/* mrt-qmath.c: quantization primitives, bit-exact with upstream MRT. */
#include "mrt-qmath.h"

#include <math.h>

int
mrt_get_bit (double x)
{
  return (int) ceil (log2 (fabs (x) + 1)) + 1;
}

int
mrt_get_bit_cnt (guint64 k)
{
  int n = 0;
  while (k)
    {
      k >>= 1;
      n++;
    }
  return n;
}

gint64
mrt_get_range (int p)
{
  return (G_GINT64_CONSTANT (1) << (p - 1)) - 1;
}

double
mrt_scale (double th, int p)
{
  if (th == 0)
    return 1;
  return (double) mrt_get_range (p) / th;
}

double
mrt_round_clip (double x, int p, gboolean *clipped)
{
  double r = round (x); /* C round(): half away from zero, like MXNet's */
  double lim = (double) mrt_get_range (p);
  if (r > lim || r < -lim)
    {
      if (clipped)
        *clipped = TRUE;
      r = r > lim ? lim : -lim;
    }
  return r;
}

/* Python's round(): half to even */
static double
round_half_even (double x)
{
  double f = floor (x), d = x - f;
  if (d > 0.5)
    return f + 1;
  if (d < 0.5)
    return f;
  return fmod (f, 2) == 0 ? f : f + 1;
}

void
mrt_cvm_float (double r, int bits, gint64 *frac, int *exp)
{
  gint64 alpha = MAX (mrt_get_range (bits), 1);
  int b = bits - 1, e = 0;
  double f;

  if (r == 0)
    {
      *frac = 0;
      *exp = 0;
      return;
    }
  while (r >= 2)
    {
      r /= 2;
      e++;
    }
  while (r < 1)
    {
      r *= 2;
      e--;
    }
  while (b > 1 && r != floor (r))
    {
      r *= 2;
      e--;
      b--;
    }
  f = round_half_even (r);
  *frac = MIN ((gint64) f, alpha);
  *exp = e;
}

gint64
mrt_cvm_right_shift (gint64 x, int b)
{
  return ((x >> (b - 1)) + 1) >> 1;
}
