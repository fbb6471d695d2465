/* mrt-ops-nn-private.h: private to the nn op family. mrt-ops-nn.c holds the
 * mrt_ops_nn[] table with convolution, fully-connected, pooling and batch
 * norm; mrt-ops-activation.c the activations, softmax family and training
 * heads; mrt-ops-nn-misc.c L2Normalization, UpSampling, Embedding and
 * batch_dot. Below: the helpers their shape functions share, then the ops
 * the table references from the other two files. */
#pragma once

#include <stdarg.h>
#include <string.h>

#include "mrt-op.h"
#include "mrt-ops-common.h"

/* shape errors: the ops' shared reporter */
#define fail mrt_ops_fail

/* By value so it can sit inside a printf argument list without a free. */
typedef struct {
  char s[200];
} ShapeText;

static inline ShapeText
stext (const MrtShape *shape)
{
  ShapeText t;
  g_autofree char *s = mrt_shape_to_string (shape);
  g_strlcpy (t.s, s, sizeof t.s);
  return t;
}

static inline gint64
prod (const MrtShape *s, int from, int to)
{
  gint64 n = 1;
  for (int i = from; i < to; i++)
    n *= s->dim[i];
  return n;
}

/* Looks for a zero dimension rather than multiplying: an oversized shape
 * is the caller's mrt_shape_check to refuse, and must not overflow here. */
static inline gboolean
check_nonempty (const MrtShape *out, GError **error)
{
  for (int i = 0; i < out->ndim; i++)
    if (out->dim[i] == 0)
      return fail (error, "the output %s would be empty", stext (out).s);
  return TRUE;
}

static inline gboolean
expect_shape (const MrtShape *got, const MrtShape *want, const char *what, GError **error)
{
  if (!mrt_shape_equal (got, want))
    return fail (error, "%s has shape %s; expected %s", what, stext (got).s, stext (want).s);
  return TRUE;
}

/* Index of the attribute's value in choices (NULL-terminated), or -1. */
static inline int
enum_attr (const MrtNode *node, const char *key, const char *def, const char *const *choices, GError **error)
{
  const char *v = mrt_node_get_string (node, key, def);
  g_autofree char *list = NULL;
  for (int i = 0; choices[i]; i++)
    if (strcmp (v, choices[i]) == 0)
      return i;
  list = g_strjoinv (", ", (char **) choices);
  fail (error, "%s=“%s” is not one of %s", key, v, list);
  return -1;
}

/* dmlc::optional<bool> attributes may be written as "None". */
static inline gboolean
optional_bool (const MrtNode *node, const char *key, gboolean def, gboolean *out, GError **error)
{
  const char *v = mrt_node_get_attr (node, key);
  if (v == NULL || mrt_attr_is_none (v))
    *out = def;
  else if (!mrt_attr_parse_bool (v, out))
    return fail (error, "%s=“%s” is not True, False or None", key, v);
  return TRUE;
}

/* Counts (num_filter, num_hidden, ...) are bounded by the tensor size limit. */
static inline gboolean
positive_int (const MrtNode *node, const char *key, gint64 def, gint64 *out, GError **error)
{
  *out = mrt_node_get_int (node, key, def);
  if (*out < 1 || *out > MRT_MAX_ELEMENTS)
    return fail (error, "%s=%" G_GINT64_FORMAT " must be between 1 and %" G_GINT64_FORMAT, key, *out,
                 MRT_MAX_ELEMENTS);
  return TRUE;
}

/* mrt-ops-activation.c */
extern const MrtAttrSpec mrt_ops_activation_attrs[];
gboolean mrt_ops_activation_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_activation_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                     GError **error);
gboolean mrt_ops_relu_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_sigmoid_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_tanh_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
extern const MrtAttrSpec mrt_ops_leaky_attrs[];
gboolean mrt_ops_leaky_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_leaky_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
extern const MrtAttrSpec mrt_ops_softmax_attrs[];
gboolean mrt_ops_softmax_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
gboolean mrt_ops_log_softmax_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                      GError **error);
gboolean mrt_ops_softmin_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
extern const MrtAttrSpec mrt_ops_softmax_act_attrs[];
gboolean mrt_ops_softmax_act_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_softmax_act_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                      GError **error);
gboolean mrt_ops_head_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_softmax_output_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                         GError **error);
extern const MrtAttrSpec mrt_ops_softmax_output_attrs[];
extern const MrtAttrSpec mrt_ops_regression_attrs[];
extern const MrtAttrSpec mrt_ops_make_loss_attrs[];
extern const MrtAttrSpec mrt_ops_dropout_attrs[];

/* mrt-ops-nn-misc.c */
extern const MrtAttrSpec mrt_ops_l2_attrs[];
gboolean mrt_ops_l2_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_l2_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
extern const MrtAttrSpec mrt_ops_upsampling_attrs[];
gboolean mrt_ops_upsampling_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_upsampling_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out,
                                     GError **error);
extern const MrtAttrSpec mrt_ops_embedding_attrs[];
gboolean mrt_ops_embedding_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_embedding_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
extern const MrtAttrSpec mrt_ops_batch_dot_attrs[];
gboolean mrt_ops_batch_dot_infer (const MrtNode *node, const MrtShape *in, MrtShape *out, GError **error);
gboolean mrt_ops_batch_dot_forward (const MrtNode *node, MrtTensor *const *in, MrtTensor *const *out, GError **error);
