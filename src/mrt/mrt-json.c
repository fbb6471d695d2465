/* mrt-json.c: JSON input guards shared by the MXNet and CVM readers (both
 * found by fuzzing). */
#include "mrt-json.h"

gboolean
mrt_json_depth_ok (const char *text, gsize len, int max_depth)
{
  int depth = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if ((c == '[' || c == '{') && ++depth > max_depth)
        return FALSE;
      else if (c == ']' || c == '}')
        depth--;
    }
  return TRUE;
}

gboolean
mrt_json_strings_valid (JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter it;
      const char *key;
      JsonNode *value;
      json_object_iter_init (&it, json_node_get_object (node));
      while (json_object_iter_next (&it, &key, &value))
        if (!g_utf8_validate (key, -1, NULL) || !mrt_json_strings_valid (value))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *a = json_node_get_array (node);
      for (guint i = 0; i < json_array_get_length (a); i++)
        if (!mrt_json_strings_valid (json_array_get_element (a, i)))
          return FALSE;
      return TRUE;
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_utf8_validate (json_node_get_string (node), -1, NULL);
  return TRUE;
}
