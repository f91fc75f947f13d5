/* ctljson — see ctljson.h */
#include "raizctl/ctljson.h"

#include <string.h>

const char *ctljson_str(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) || !v)
		return "";
	return json_object_get_string(v);
}

bool ctljson_int(json_object *o, const char *key, int64_t *out)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !(json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double)))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

bool ctljson_has(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) && v;
}

bool ctljson_bool(json_object *o, const char *key)
{
	json_object *v;
	return o && json_object_object_get_ex(o, key, &v) && json_object_get_boolean(v);
}

json_object *ctljson_array(json_object *o, const char *key)
{
	json_object *v;
	if (!o || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_array))
		return NULL;
	return v;
}

size_t ctljson_len(json_object *a)
{
	return a ? json_object_array_length(a) : 0;
}

json_object *ctljson_find(json_object *arr, const char *key, const char *val)
{
	for (size_t i = 0; i < ctljson_len(arr); i++) {
		json_object *e = json_object_array_get_idx(arr, i);
		if (strcmp(ctljson_str(e, key), val) == 0)
			return e;
	}
	return NULL;
}
