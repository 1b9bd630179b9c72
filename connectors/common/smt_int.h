/*
 * connectors/common/smt_int.h: what the smt_*.c files share -- the per-class ops table, the smt
 * object, and record/value helpers (Java class names for error messages, record copies).
 */
#ifndef SMT_INT_H
#define SMT_INT_H

#include "smt.h"

/* The Debezium release whose transforms ours follow (and the JVM test runs). */
#define SMT_DEBEZIUM_VERSION "3.6.1.Final"

struct smt_ops {
    const char *class_name; /* canonical Java class, "$Value"/"$Key" included */
    int is_key;             /* operates on the key (1) or the value (0) */
    const char *version;    /* plugin version GET /connector-plugins shows; NULL = Kafka's */
    /* MUST: parse props, set t->ctx (owned; freed by fini). */
    int (*init)(struct smt *t, const struct kc_strmap *props, struct kc_error *err);
    /* MAY be NULL: ctx is freed with kc_free. */
    void (*fini)(struct smt *t);
    /* MUST: see smt_apply. */
    int (*apply)(struct smt *t, const struct sink_record *in, struct kc_arena *a,
                 const struct sink_record **out, struct kc_error *err);
};

struct smt {
    const struct smt_ops *ops;
    void *ctx;
    struct kc_arena conf; /* owned: parsed settings (field names, lists) */
    const struct smt_predicate *pred; /* borrowed, may be NULL */
    const char *err_class;            /* static, last failure's Java exception class */
    int negate;
};

extern const struct smt_ops smt_insert_field_value_ops, smt_insert_field_key_ops;
extern const struct smt_ops smt_replace_field_value_ops, smt_replace_field_key_ops;
extern const struct smt_ops smt_extract_field_value_ops, smt_extract_field_key_ops;
extern const struct smt_ops smt_flatten_value_ops, smt_flatten_key_ops;
extern const struct smt_ops smt_cast_value_ops, smt_cast_key_ops;
extern const struct smt_ops smt_timestamp_value_ops, smt_timestamp_key_ops;
extern const struct smt_ops smt_regex_router_ops, smt_filter_ops;
extern const struct smt_ops smt_mask_field_value_ops, smt_mask_field_key_ops;
extern const struct smt_ops smt_hoist_field_value_ops, smt_hoist_field_key_ops;
extern const struct smt_ops smt_value_to_key_ops, smt_timestamp_router_ops;
extern const struct smt_ops smt_header_from_value_ops, smt_header_from_key_ops;
extern const struct smt_ops smt_insert_header_ops, smt_drop_headers_ops;
extern const struct smt_ops smt_dbz_extract_new_state_ops, smt_dbz_header_to_value_ops;

/* Java's value.getClass().getName() for a Connect value ("java.lang.Long", "null"). */
const char *smt_java_class(const struct cdata_value *v);
/* Shallow copy of *in in the arena, or NULL. */
struct sink_record *smt_record_dup(const struct sink_record *in, struct kc_arena *a);
/* The part this transform works on. */
void smt_part(const struct smt *t, const struct sink_record *r, const struct cdata_schema **s,
              const struct cdata_value **v);
void smt_set_part(const struct smt *t, struct sink_record *r, const struct cdata_schema *s,
                  const struct cdata_value *v);
/* Split a Java list setting ("a, b,c") into an arena array of trimmed strings. */
int smt_list(const char *s, struct kc_arena *a, const char ***out, size_t *n);
int smt_oom(struct kc_error *err);

/* Shared by the smt_*.c files (smt_fields.c): Requirements.requireMap / requireStruct, a struct
 * schema with SchemaUtil.copySchemaBasics(src) and room for n fields, SchemaBuilder.field (fails
 * on a duplicate name), and Struct.get(i) -- the field's default for a null when dflt is set, as
 * the JVM transforms' replace.null.with.default=true does. */
int smt_require_map(const struct cdata_value *v, const char *purpose, struct kc_error *err);
int smt_require_struct(const struct cdata_value *v, const char *purpose, struct kc_error *err);
struct cdata_schema *smt_struct_schema_new(const struct cdata_schema *src, size_t n,
                                           struct kc_arena *a, struct cdata_field **fields);
int smt_struct_add_field(struct cdata_schema *s, struct cdata_field *f, const char *name,
                         const struct cdata_schema *fs, struct kc_error *err);
const struct cdata_value *smt_struct_field(const struct cdata_value *v, size_t i, int dflt);
/* Struct.put's ConnectSchema.validateValue for a field: null on a required schema, or a value
 * whose Java class the schema does not take. */
int smt_put_check(const char *field, const struct cdata_schema *s, const struct cdata_value *v,
                  struct kc_error *err);
/* java.util.HashMap iteration order of map's entries (arena array of map->n indexes). */
int smt_java_map_order(const struct cdata_value *map, struct kc_arena *a, uint32_t **order);
/* A ConfigDef BOOLEAN setting (dflt when absent). */
int smt_bool_prop(const struct kc_strmap *props, const char *key, int dflt, int *out,
                  struct kc_error *err);
/* A record copy whose headers are in[0..n) of a new arena array with room for n + extra. */
struct sink_header *smt_headers_copy(const struct sink_record *in, size_t extra,
                                     struct kc_arena *a);

#endif
