/*
 * connectors/parquet/parquet_schema.c: the schema tree a writer is built from. Nodes live in
 * one array (node 0 is the root message); each knows its parent, children, repetition, and the
 * maximum definition and repetition levels of the path down to it, fixed when it is added.
 *
 * Every pairing of physical and logical type is checked at add time against the Parquet
 * LogicalTypes spec, so a schema that pyarrow, DuckDB or Spark would reject cannot be built.
 * Depth, levels, columns and name lengths are capped (parquet.h), because inferred schemas come
 * from hostile input.
 */
#include <string.h>

#include "kc_alloc.h"
#include "parquet_int.h"

#define PARQUET_MAX_DEPTH 128 /* inference nests at most PARQUET_JSON_MAX_DEPTH x 2 + 1 */

struct parquet_schema *parquet_schema_new(void)
{
    struct parquet_schema *s = kc_calloc(1, sizeof(*s));
    if (s == NULL) {
        return NULL;
    }
    s->cap = 16;
    s->nodes = kc_calloc((size_t)s->cap, sizeof(s->nodes[0]));
    if (s->nodes == NULL) {
        kc_free(s);
        return NULL;
    }
    s->nodes[0].name = kc_strdup("schema");
    if (s->nodes[0].name == NULL) {
        kc_free(s->nodes);
        kc_free(s);
        return NULL;
    }
    s->nodes[0].name_len = 6;
    s->nodes[0].parent = -1;
    s->nodes[0].leaf = -1;
    s->n = 1;
    return s;
}

void parquet_schema_free(struct parquet_schema *s)
{
    if (s == NULL) {
        return;
    }
    for (int i = 0; i < s->n; i++) {
        kc_free(s->nodes[i].name);
        kc_free(s->nodes[i].children);
    }
    kc_free(s->nodes);
    kc_free(s->leaves);
    kc_free(s);
}

static int add_node(struct parquet_schema *s, int parent, const char *name,
                    enum parquet_repetition rep, int *id_out, struct kc_error *err)
{
    struct parquet_node *p;
    struct parquet_node *nd;
    size_t name_len;

    if (parent < 0 || parent >= s->n || s->nodes[parent].is_leaf) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: parent %d is not a group", parent);
    }
    if (name == NULL || (name_len = strlen(name)) > PARQUET_MAX_NAME) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: field name missing or longer than "
                                            "%d bytes",
                            PARQUET_MAX_NAME);
    }
    if (!parquet_utf8_valid(name, name_len)) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: field name is not valid UTF-8");
    }
    if ((int)rep < PARQUET_REQUIRED || (int)rep > PARQUET_REPEATED) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: bad repetition %d", (int)rep);
    }
    p = &s->nodes[parent];
    if (p->depth + 1 > PARQUET_MAX_DEPTH ||
        p->max_def + (rep != PARQUET_REQUIRED) > PARQUET_MAX_LEVEL) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: field '%s' nested too deep", name);
    }
    for (int c = 0; c < p->nchildren; c++) {
        if (strcmp(s->nodes[p->children[c]].name, name) == 0) {
            return kc_error_set(err, KC_EINVAL, "parquet schema: duplicate field '%s'", name);
        }
    }
    if (s->n == s->cap) {
        int ncap = s->cap * 2;
        struct parquet_node *nodes = kc_realloc(s->nodes, (size_t)ncap * sizeof(*nodes));
        if (nodes == NULL) {
            return kc_error_set(err, KC_ENOMEM, "parquet schema: out of memory");
        }
        s->nodes = nodes;
        s->cap = ncap;
        p = &s->nodes[parent];
    }
    if (p->nchildren == p->children_cap) {
        int ncap = p->children_cap ? p->children_cap * 2 : 4;
        int *ch = kc_realloc(p->children, (size_t)ncap * sizeof(int));
        if (ch == NULL) {
            return kc_error_set(err, KC_ENOMEM, "parquet schema: out of memory");
        }
        p->children = ch;
        p->children_cap = ncap;
    }
    nd = &s->nodes[s->n];
    memset(nd, 0, sizeof(*nd));
    nd->name = kc_strndup(name, name_len);
    nd->name_len = name_len;
    if (nd->name == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet schema: out of memory");
    }
    nd->parent = parent;
    nd->rep = rep;
    nd->depth = p->depth + 1;
    nd->max_def = p->max_def + (rep != PARQUET_REQUIRED);
    nd->max_rep = p->max_rep + (rep == PARQUET_REPEATED);
    nd->leaf = -1;
    p->children[p->nchildren++] = s->n;
    if (id_out != NULL) {
        *id_out = s->n;
    }
    s->n++;
    s->finished = 0;
    return KC_OK;
}

int parquet_schema_add_group(struct parquet_schema *s, int parent, const char *name,
                             enum parquet_repetition rep, const struct parquet_logical *lt,
                             int *id_out, struct kc_error *err)
{
    int id = -1;
    int rc;
    if (lt != NULL && lt->kind != PARQUET_LOGICAL_NONE && lt->kind != PARQUET_LOGICAL_LIST &&
        lt->kind != PARQUET_LOGICAL_MAP) {
        return kc_error_set(err, KC_EINVAL,
                            "parquet schema: group '%s' can only be annotated LIST or MAP", name);
    }
    rc = add_node(s, parent, name, rep, &id, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (lt != NULL) {
        s->nodes[id].lt = *lt;
    }
    if (id_out != NULL) {
        *id_out = id;
    }
    return KC_OK;
}

/* Minimum FIXED_LEN_BYTE_ARRAY width holding a DECIMAL of this precision (two's complement). */
static int decimal_bytes(int precision)
{
    /* floor(log10(2^(8n-1) - 1)) digits fit in n bytes. */
    static const int max_digits[] = {0, 2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35,
                                     38, 40, 43, 45, 47, 50, 52, 55, 57, 59, 62, 64, 67, 69, 71,
                                     74, 76};
    for (int n = 1; n < (int)(sizeof(max_digits) / sizeof(max_digits[0])); n++) {
        if (max_digits[n] >= precision) {
            return n;
        }
    }
    return -1;
}

static int check_leaf(const char *name, enum parquet_type type, const struct parquet_logical *lt,
                      int *type_length, struct kc_error *err)
{
    enum parquet_logical_kind k = lt->kind;
    const char *bad = NULL;

    if ((int)type < PARQUET_BOOLEAN || (int)type > PARQUET_FIXED_LEN_BYTE_ARRAY) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: '%s' has bad type %d", name,
                            (int)type);
    }
    switch (k) {
    case PARQUET_LOGICAL_NONE:
        break;
    case PARQUET_LOGICAL_STRING:
    case PARQUET_LOGICAL_ENUM:
    case PARQUET_LOGICAL_JSON:
        if (type != PARQUET_BYTE_ARRAY) {
            bad = "STRING, ENUM and JSON annotate BYTE_ARRAY only";
        }
        break;
    case PARQUET_LOGICAL_UUID:
        if (type != PARQUET_FIXED_LEN_BYTE_ARRAY) {
            bad = "UUID annotates FIXED_LEN_BYTE_ARRAY(16) only";
        } else if (*type_length == 0) {
            *type_length = 16;
        } else if (*type_length != 16) {
            bad = "UUID needs length 16";
        }
        break;
    case PARQUET_LOGICAL_DATE:
        if (type != PARQUET_INT32) {
            bad = "DATE annotates INT32 only";
        }
        break;
    case PARQUET_LOGICAL_TIME:
        if ((int)lt->unit < PARQUET_MILLIS || (int)lt->unit > PARQUET_NANOS) {
            bad = "bad time unit";
        } else if (lt->unit == PARQUET_MILLIS ? type != PARQUET_INT32 : type != PARQUET_INT64) {
            bad = "TIME(MILLIS) needs INT32, TIME(MICROS|NANOS) INT64";
        }
        break;
    case PARQUET_LOGICAL_TIMESTAMP:
        if ((int)lt->unit < PARQUET_MILLIS || (int)lt->unit > PARQUET_NANOS) {
            bad = "bad time unit";
        } else if (type != PARQUET_INT64) {
            bad = "TIMESTAMP annotates INT64 only";
        }
        break;
    case PARQUET_LOGICAL_INT:
        if (lt->bit_width != 8 && lt->bit_width != 16 && lt->bit_width != 32 &&
            lt->bit_width != 64) {
            bad = "INT bit width must be 8, 16, 32 or 64";
        } else if (lt->bit_width == 64 ? type != PARQUET_INT64 : type != PARQUET_INT32) {
            bad = "INT(8|16|32) needs INT32, INT(64) INT64";
        }
        break;
    case PARQUET_LOGICAL_DECIMAL: {
        int max_p = type == PARQUET_INT32 ? 9 : type == PARQUET_INT64 ? 18 : 38;
        if (type == PARQUET_FIXED_LEN_BYTE_ARRAY) {
            if (*type_length == 0) {
                *type_length = decimal_bytes(lt->precision < 1 ? 1 : lt->precision);
            }
            max_p = 0;
            for (int p = 1; p <= 76 && decimal_bytes(p) > 0 && decimal_bytes(p) <= *type_length;
                 p++) {
                max_p = p;
            }
        } else if (type != PARQUET_INT32 && type != PARQUET_INT64) {
            bad = "DECIMAL is written as INT32, INT64 or FIXED_LEN_BYTE_ARRAY";
            break;
        }
        if (lt->precision < 1 || lt->precision > max_p || lt->scale < 0 ||
            lt->scale > lt->precision) {
            bad = "DECIMAL precision/scale out of range for its physical type";
        }
        break;
    }
    case PARQUET_LOGICAL_LIST:
    case PARQUET_LOGICAL_MAP:
        bad = "LIST and MAP annotate groups only";
        break;
    default:
        bad = "unknown logical type";
        break;
    }
    if (bad == NULL && type == PARQUET_FIXED_LEN_BYTE_ARRAY &&
        (*type_length <= 0 || *type_length > (1 << 20))) {
        bad = "FIXED_LEN_BYTE_ARRAY needs a length of 1..1048576";
    }
    if (bad != NULL) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: column '%s': %s", name, bad);
    }
    return KC_OK;
}

int parquet_schema_add_leaf(struct parquet_schema *s, int parent, const char *name,
                            enum parquet_repetition rep, enum parquet_type type,
                            const struct parquet_logical *lt, int type_length, int *id_out,
                            struct kc_error *err)
{
    struct parquet_logical none = {0};
    int id = -1;
    int rc;
    if (lt == NULL) {
        lt = &none;
    }
    rc = check_leaf(name != NULL ? name : "?", type, lt, &type_length, err);
    if (rc != KC_OK) {
        return rc;
    }
    if (s->leaf_nodes >= PARQUET_MAX_COLUMNS) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: more than %d columns",
                            PARQUET_MAX_COLUMNS);
    }
    rc = add_node(s, parent, name, rep, &id, err);
    if (rc != KC_OK) {
        return rc;
    }
    s->nodes[id].is_leaf = 1;
    s->leaf_nodes++;
    s->nodes[id].type = type;
    s->nodes[id].type_length = type == PARQUET_FIXED_LEN_BYTE_ARRAY ? type_length : 0;
    s->nodes[id].lt = *lt;
    if (id_out != NULL) {
        *id_out = id;
    }
    return KC_OK;
}

int parquet_schema_add_list(struct parquet_schema *s, int parent, const char *name,
                            enum parquet_repetition rep, int *list_id_out,
                            struct kc_error *err)
{
    struct parquet_logical lt = {.kind = PARQUET_LOGICAL_LIST};
    int gid;
    int rc = parquet_schema_add_group(s, parent, name, rep, &lt, &gid, err);
    if (rc != KC_OK) {
        return rc;
    }
    return parquet_schema_add_group(s, gid, "list", PARQUET_REPEATED, NULL, list_id_out, err);
}

int parquet_schema_add_map(struct parquet_schema *s, int parent, const char *name,
                           enum parquet_repetition rep, int *kv_id_out, struct kc_error *err)
{
    struct parquet_logical lt = {.kind = PARQUET_LOGICAL_MAP};
    int gid;
    int rc = parquet_schema_add_group(s, parent, name, rep, &lt, &gid, err);
    if (rc != KC_OK) {
        return rc;
    }
    return parquet_schema_add_group(s, gid, "key_value", PARQUET_REPEATED, NULL, kv_id_out,
                                    err);
}

static int number_leaves(struct parquet_schema *s, int id, struct kc_error *err)
{
    struct parquet_node *nd = &s->nodes[id];
    if (nd->is_leaf) {
        nd->leaf = s->nleaves;
        s->leaves[s->nleaves++] = id;
        return KC_OK;
    }
    if (nd->nchildren == 0) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: group '%s' has no fields",
                            nd->name);
    }
    if (nd->lt.kind == PARQUET_LOGICAL_LIST || nd->lt.kind == PARQUET_LOGICAL_MAP) {
        const struct parquet_node *r = &s->nodes[nd->children[0]];
        if (nd->nchildren != 1 || r->rep != PARQUET_REPEATED || nd->rep == PARQUET_REPEATED) {
            return kc_error_set(err, KC_EINVAL,
                                "parquet schema: LIST/MAP group '%s' needs exactly one repeated "
                                "child and must not be repeated itself",
                                nd->name);
        }
        if (nd->lt.kind == PARQUET_LOGICAL_MAP &&
            (r->is_leaf || r->nchildren < 1 || r->nchildren > 2 ||
             s->nodes[r->children[0]].rep != PARQUET_REQUIRED)) {
            return kc_error_set(err, KC_EINVAL,
                                "parquet schema: MAP group '%s' needs key_value { required key; "
                                "value }",
                                nd->name);
        }
    }
    for (int c = 0; c < nd->nchildren; c++) {
        int rc = number_leaves(s, nd->children[c], err);
        if (rc != KC_OK) {
            return rc;
        }
    }
    return KC_OK;
}

int parquet_schema_finish(struct parquet_schema *s, struct kc_error *err)
{
    int leaves = 0;
    if (s->finished) {
        return KC_OK;
    }
    for (int i = 0; i < s->n; i++) {
        leaves += s->nodes[i].is_leaf;
        s->nodes[i].leaf = -1;
    }
    if (leaves == 0) {
        return kc_error_set(err, KC_EINVAL, "parquet schema: no columns");
    }
    kc_free(s->leaves);
    s->nleaves = 0;
    s->leaves = kc_calloc((size_t)leaves, sizeof(int));
    if (s->leaves == NULL) {
        return kc_error_set(err, KC_ENOMEM, "parquet schema: out of memory");
    }
    int rc = number_leaves(s, PARQUET_SCHEMA_ROOT, err);
    if (rc != KC_OK) {
        return rc;
    }
    s->finished = 1;
    return KC_OK;
}

int parquet_schema_leaf_count(const struct parquet_schema *s)
{
    return s->leaf_nodes;
}

int parquet_schema_leaf_index(const struct parquet_schema *s, int node)
{
    if (!s->finished || node < 0 || node >= s->n) {
        return -1;
    }
    return s->nodes[node].leaf;
}

int parquet_schema_max_def(const struct parquet_schema *s, int leaf)
{
    return s->nodes[s->leaves[leaf]].max_def;
}

int parquet_schema_max_rep(const struct parquet_schema *s, int leaf)
{
    return s->nodes[s->leaves[leaf]].max_rep;
}

enum parquet_sort parquet_node_sort(const struct parquet_node *nd)
{
    switch (nd->type) {
    case PARQUET_BOOLEAN:
        return PARQUET_SORT_UNSIGNED;
    case PARQUET_INT32:
    case PARQUET_INT64:
        if (nd->lt.kind == PARQUET_LOGICAL_INT && !nd->lt.is_signed) {
            return PARQUET_SORT_UNSIGNED;
        }
        return PARQUET_SORT_SIGNED;
    case PARQUET_INT96:
        return PARQUET_SORT_NONE;
    case PARQUET_FLOAT:
    case PARQUET_DOUBLE:
        return PARQUET_SORT_FLOAT;
    case PARQUET_BYTE_ARRAY:
        return PARQUET_SORT_UNSIGNED;
    case PARQUET_FIXED_LEN_BYTE_ARRAY:
        return nd->lt.kind == PARQUET_LOGICAL_DECIMAL ? PARQUET_SORT_SIGNED
                                                      : PARQUET_SORT_UNSIGNED;
    }
    return PARQUET_SORT_NONE;
}
