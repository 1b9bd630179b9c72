/*
 * connectors/common/conv_int.h: what the conv_*.c files share and nothing else includes -- the
 * per-class ops table, the conv object and the error helpers.
 */
#ifndef CONV_INT_H
#define CONV_INT_H

#include "conv.h"

#define CONV_CAN_CONVERT 0x1 /* implements Converter */
#define CONV_CAN_HEADER 0x2  /* implements HeaderConverter */
#define CONV_HEADER_TOTAL 0x4 /* header_to_connect rejects nothing: fails only for lack of memory */

struct conv_ops {
    const char *class_name; /* canonical Java class */
    unsigned caps;          /* CONV_CAN_* */
    /* MUST: set c->ctx; props borrowed. */
    int (*init)(struct conv *c, const struct kc_strmap *props, struct kc_error *err);
    /* MAY be NULL: nothing to free. */
    void (*fini)(struct conv *c);
    /* MUST (for CONV_CAN_CONVERT, and used for headers when header_to_connect is NULL). */
    int (*to_connect)(struct conv *c, const char *topic, const void *data, size_t len,
                      struct kc_arena *a, const struct cdata_schema **schema,
                      const struct cdata_value **value, struct kc_error *err);
    /* MAY be NULL: headers go through to_connect (JsonConverter, StringConverter, ...). */
    int (*header_to_connect)(struct conv *c, const char *topic, const char *header_key,
                             const void *data, size_t len, struct kc_arena *a,
                             const struct cdata_schema **schema, const struct cdata_value **value,
                             struct kc_error *err);
};

struct conv {
    const struct conv_ops *ops;
    int role;               /* CONV_ROLE_* */
    void *ctx;              /* owned by the implementation */
    const char *err_class;  /* static string or NULL */
    size_t err_java_len;
};

extern const struct conv_ops conv_json_ops;
extern const struct conv_ops conv_string_ops;
extern const struct conv_ops conv_bytearray_ops;
extern const struct conv_ops conv_integer_ops;
extern const struct conv_ops conv_long_ops;
extern const struct conv_ops conv_short_ops;
extern const struct conv_ops conv_float_ops;
extern const struct conv_ops conv_double_ops;
extern const struct conv_ops conv_boolean_ops;
extern const struct conv_ops conv_simple_header_ops;
extern const struct conv_ops conv_avro_ops;

/*
 * Fail with a DataException: err->msg = java_msg followed by the printf'd detail (the cause's
 * text, which the JVM keeps out of getMessage()). Returns KC_EINVAL.
 */
int conv_data_error(struct conv *c, struct kc_error *err, const char *java_msg,
                    const char *detail_fmt, ...) __attribute__((format(printf, 4, 5)));
/* Same, for SchemaBuilder's own checks (a DataException subclass in the JVM). */
#define CONV_SCHEMA_BUILDER_EXCEPTION "org.apache.kafka.connect.errors.SchemaBuilderException"
int conv_schema_builder_error(struct conv *c, struct kc_error *err, const char *java_msg);
/* Record that err (already set by a helper) is a DataException whose whole text is Java's. */
int conv_data_error_keep(struct conv *c, struct kc_error *err, int rc);

/* ConfigDef BOOLEAN parsing: trimmed, case-insensitive "true"/"false"; absent = def. */
int conv_prop_bool(const struct kc_strmap *props, const char *key, int def, int *out,
                   struct kc_error *err);
/* ConfigDef INT parsing; absent = def. */
int conv_prop_int(const struct kc_strmap *props, const char *key, int def, int *out,
                  struct kc_error *err);

#endif
