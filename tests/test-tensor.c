/* test-tensor.c: shapes, tensors and attribute text parsing. */
#include <math.h>
#include <mrt.h>

static void
test_shape_parse (void)
{
  struct { const char *text; int ndim; gint64 d0, dl; } ok[] = {
    { "(1, 3, 224, 224)", 4, 1, 224 }, { "(1,1,28,28)", 4, 1, 28 }, { "[2, 5]", 2, 2, 5 },
    { "(7,)", 1, 7, 7 }, { "()", 0, 0, 0 }, { "5", 1, 5, 5 }, { "  ( 4 , 2 ) ", 2, 4, 2 },
  };
  const char *bad[] = { "(1, 2", "(a, 2)", "1, 2)", "(1,, 2)", "(1 2)", "(1, 2, 3, 4, 5, 6, 7, 8, 9)", "", "(-1, 2)" };

  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      MrtShape s;
      g_autoptr (GError) error = NULL;
      g_assert_true (mrt_shape_parse (ok[i].text, FALSE, &s, &error));
      g_assert_no_error (error);
      g_assert_cmpint (s.ndim, ==, ok[i].ndim);
      if (s.ndim)
        {
          g_assert_cmpint (s.dim[0], ==, ok[i].d0);
          g_assert_cmpint (s.dim[s.ndim - 1], ==, ok[i].dl);
        }
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      MrtShape s;
      g_autoptr (GError) error = NULL;
      gboolean r = mrt_shape_parse (bad[i], FALSE, &s, &error);
      /* "" parses as the empty shape; everything else must fail */
      if (bad[i][0] == '\0')
        {
          g_assert_true (r);
          g_assert_cmpint (s.ndim, ==, 0);
          continue;
        }
      g_assert_false (r);
      g_assert_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_PARSE);
    }
  {
    MrtShape s;
    g_assert_true (mrt_shape_parse ("(-1, 1, 28, 28)", TRUE, &s, NULL));
    g_assert_cmpint (s.dim[0], ==, -1);
  }
}

static void
test_shape_format (void)
{
  MrtShape s = mrt_shape_make (3, (gint64) 2, (gint64) 3, (gint64) 4);
  MrtShape one = mrt_shape_make (1, (gint64) 9);
  g_autofree char *a = mrt_shape_to_string (&s);
  g_autofree char *b = mrt_shape_to_string (&one);
  g_assert_cmpstr (a, ==, "(2, 3, 4)");
  g_assert_cmpstr (b, ==, "(9,)");
  g_assert_cmpint (mrt_shape_size (&s), ==, 24);
}

static void
test_absurd_sizes (void)
{
  MrtShape huge = mrt_shape_make (3, (gint64) 1 << 20, (gint64) 1 << 20, (gint64) 1 << 20);
  MrtShape neg = mrt_shape_make (2, (gint64) 3, (gint64) -2);
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  g_assert_null (mrt_tensor_try_new (MRT_DTYPE_F32, &huge, &error));
  g_assert_error (error, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SIZE);
  g_assert_null (mrt_tensor_try_new (MRT_DTYPE_F32, &neg, &error2));
  g_assert_error (error2, MRT_TENSOR_ERROR, MRT_TENSOR_ERROR_SHAPE);
}

static void
test_tensor_convert (void)
{
  MrtShape s = mrt_shape_make (1, (gint64) 4);
  float v[] = { -1.5f, 0.0f, 2.25f, 127.0f };
  g_autoptr (MrtTensor) t = mrt_tensor_new_f32 (&s, v);
  g_autoptr (MrtTensor) d = mrt_tensor_convert (t, MRT_DTYPE_F64);
  g_autoptr (MrtTensor) i = mrt_tensor_convert (t, MRT_DTYPE_I32);
  g_autoptr (MrtTensor) back = mrt_tensor_to_f32 (d);
  g_assert_cmpfloat (((double *) d->data)[2], ==, 2.25);
  g_assert_cmpint (mrt_tensor_i32 (i)[0], ==, -1); /* C conversion truncates */
  g_assert_true (mrt_tensor_equal (t, back));
  g_assert_cmpfloat (mrt_tensor_absmax (t), ==, 127.0);
}

static void
test_attr_parse (void)
{
  gint64 i;
  double f;
  gboolean b;
  MrtTuple t;

  g_assert_true (mrt_attr_parse_tuple ("(3, 3)", &t));
  g_assert_cmpint (t.n, ==, 2);
  g_assert_cmpint (t.v[1], ==, 3);
  g_assert_true (mrt_attr_parse_tuple ("(3,3)", &t) && t.n == 2);
  g_assert_true (mrt_attr_parse_tuple ("[1, -2, 3]", &t) && t.n == 3 && t.v[1] == -2);
  g_assert_true (mrt_attr_parse_tuple ("(None, 2)", &t) && t.n == 2 && t.none[0] && !t.none[1]);
  g_assert_true (mrt_attr_parse_tuple ("(1,)", &t) && t.n == 1);
  g_assert_true (mrt_attr_parse_tuple ("()", &t) && t.n == 0);
  g_assert_true (mrt_attr_parse_tuple ("4", &t) && t.n == 1 && t.v[0] == 4);
  g_assert_false (mrt_attr_parse_tuple ("(3, x)", &t));
  g_assert_false (mrt_attr_parse_tuple ("(3, 3", &t));

  g_assert_true (mrt_attr_parse_bool ("True", &b) && b);
  g_assert_true (mrt_attr_parse_bool ("false", &b) && !b);
  g_assert_true (mrt_attr_parse_bool ("1", &b) && b);
  g_assert_false (mrt_attr_parse_bool ("yes", &b));

  g_assert_true (mrt_attr_parse_int ("-3", &i) && i == -3);
  g_assert_true (mrt_attr_parse_int ("True", &i) && i == 1);
  g_assert_true (mrt_attr_parse_int ("2.0", &i) && i == 2);
  g_assert_false (mrt_attr_parse_int ("2.5", &i));
  g_assert_false (mrt_attr_parse_int ("abc", &i));

  g_assert_true (mrt_attr_parse_float ("1e-05", &f) && f == 1e-05);
  g_assert_true (mrt_attr_parse_float ("-0.25", &f) && f == -0.25);
  g_assert_false (mrt_attr_parse_float ("nan", &f));
  g_assert_false (mrt_attr_parse_float ("0.1x", &f));

  g_assert_true (mrt_attr_is_none ("None"));
  g_assert_false (mrt_attr_is_none ("Nonesuch"));
  g_assert_true (mrt_attr_check (MRT_ATTR_INT_OR_NONE, "None"));
  g_assert_true (mrt_attr_check (MRT_ATTR_INT_OR_NONE, "-1"));
  g_assert_false (mrt_attr_check (MRT_ATTR_INT, "None"));
}

static void
test_attr_format (void)
{
  double values[] = { 0.25, 1e-05, 3.0, -2.5, 0.1, 1.0 / 3.0, 123456.789 };
  for (guint i = 0; i < G_N_ELEMENTS (values); i++)
    {
      g_autofree char *s = mrt_attr_format_float (values[i]);
      double back;
      g_assert_true (mrt_attr_parse_float (s, &back));
      g_assert_cmpfloat (back, ==, values[i]);
    }
  {
    g_autofree char *s = mrt_attr_format_float (3.0);
    gint64 v[] = { 1, 2 };
    g_autofree char *t = mrt_attr_format_tuple (v, 2);
    g_autofree char *t1 = mrt_attr_format_tuple (v, 1);
    g_assert_cmpstr (s, ==, "3.0");
    g_assert_cmpstr (t, ==, "(1, 2)");
    g_assert_cmpstr (t1, ==, "(1,)");
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tensor/shape-parse", test_shape_parse);
  g_test_add_func ("/tensor/shape-format", test_shape_format);
  g_test_add_func ("/tensor/absurd-sizes", test_absurd_sizes);
  g_test_add_func ("/tensor/convert", test_tensor_convert);
  g_test_add_func ("/attr/parse", test_attr_parse);
  g_test_add_func ("/attr/format", test_attr_format);
  return g_test_run ();
}
