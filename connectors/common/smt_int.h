/*
 * connectors/common/smt_int.h: what the smt_*.c files share -- the per-class ops table, the smt
 * object, and record/value helpers (Java class names for error messages, record copies).
 */
#ifndef SMT_INT_H
#define SMT_INT_H

#include "smt.h"

struct smt_ops {
    const char *class_name; /* canonical Java class, "$Value"/"$Key" included */
    int is_key;             /* operates on the key (1) or the value (0) */
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

#endif
