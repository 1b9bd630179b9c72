/*
 * worker/group_connect.c: Connect member metadata and assignment layouts (connect-compat.md
 * §5.3), as the JVM's ConnectProtocol and IncrementalCooperativeConnectProtocol write them.
 */
#include "group_connect.h"

#include <string.h>

#include "group_codec.h"
#include "kc_alloc.h"

static const char *const proto_names[] = {"default", "compatible", "sessioned"};

const char *group_connect_protocol_name(int version)
{
    return version >= 0 && version <= 2 ? proto_names[version] : NULL;
}

int group_connect_protocol_version(const char *name)
{
    for (int i = 0; name && i <= 2; i++)
        if (strcmp(name, proto_names[i]) == 0)
            return i;
    return -1;
}

int group_connect_protocol_parse(const char *conf_value)
{
    if (!conf_value)
        return -1;
    if (strcmp(conf_value, "eager") == 0)
        return GROUP_CONNECT_EAGER;
    if (strcmp(conf_value, "compatible") == 0)
        return GROUP_CONNECT_COMPATIBLE;
    if (strcmp(conf_value, "sessioned") == 0)
        return GROUP_CONNECT_SESSIONED;
    return -1;
}

/* ---- encoding ---- */

/* Write one {connector, [tasks]} array: connectors first (task -1 leads each connector's list),
 * then tasks grouped by connector in first-seen order, as the JVM's asMap() does. */
static void put_work(struct group_codec_w *w, char *const *conns, size_t n_conns,
                     const struct connect_task_id *tasks, size_t n_tasks)
{
    /* the distinct names in order: connectors, then task connectors not seen yet */
    size_t n_names = 0;
    const char **names = kc_calloc(n_conns + n_tasks + 1, sizeof(*names));
    if (!names) {
        w->rc = KC_ENOMEM;
        return;
    }
    for (size_t i = 0; i < n_conns + n_tasks; i++) {
        const char *c = i < n_conns ? conns[i] : tasks[i - n_conns].connector;
        size_t j = 0;
        while (j < n_names && strcmp(names[j], c) != 0)
            j++;
        if (j == n_names)
            names[n_names++] = c;
    }
    group_codec_put_array_len(w, (int32_t)n_names, 0);
    for (size_t j = 0; j < n_names; j++) {
        int32_t cnt = 0;
        for (size_t i = 0; i < n_conns; i++)
            cnt += strcmp(conns[i], names[j]) == 0;
        for (size_t i = 0; i < n_tasks; i++)
            cnt += strcmp(tasks[i].connector, names[j]) == 0;
        group_codec_put_str(w, names[j], 0);
        group_codec_put_array_len(w, cnt, 0);
        for (size_t i = 0; i < n_conns; i++)
            if (strcmp(conns[i], names[j]) == 0)
                group_codec_put_i32(w, GROUP_CONNECT_CONNECTOR_TASK);
        for (size_t i = 0; i < n_tasks; i++)
            if (strcmp(tasks[i].connector, names[j]) == 0)
                group_codec_put_i32(w, tasks[i].task);
    }
    kc_free(names);
}

static void put_assignment(struct group_codec_w *w, const struct connect_assignment *a,
                           int16_t version)
{
    group_codec_put_i16(w, version);
    group_codec_put_i16(w, a->error);
    group_codec_put_str(w, a->leader ? a->leader : "", 0);
    group_codec_put_str(w, a->leader_url ? a->leader_url : "", 0);
    group_codec_put_i64(w, a->config_offset);
    put_work(w, a->connectors, a->n_connectors, a->tasks, a->n_tasks);
    if (version >= 1) {
        put_work(w, a->revoked_connectors, a->n_revoked_connectors, a->revoked_tasks,
                 a->n_revoked_tasks);
        group_codec_put_i32(w, a->delay_ms);
    }
}

static int finish(struct group_codec_w *w, uint8_t **out, size_t *out_len, struct kc_error *err,
                  const char *what)
{
    if (w->rc != KC_OK) {
        group_codec_w_fini(w);
        return kc_error_set(err, w->rc, "cannot encode %s", what);
    }
    *out = (uint8_t *)kc_buf_take(&w->b, out_len);
    if (!*out) {
        *out = kc_malloc(1);
        *out_len = 0;
        if (!*out)
            return kc_error_set(err, KC_ENOMEM, "cannot encode %s", what);
    }
    return KC_OK;
}

int group_connect_assignment_encode(const struct connect_assignment *a, uint8_t **out,
                                    size_t *out_len, struct kc_error *err)
{
    struct group_codec_w w;
    group_codec_w_init(&w);
    put_assignment(&w, a, a->version);
    return finish(&w, out, out_len, err, "Connect assignment");
}

int group_connect_meta_encode(const struct connect_member_meta *m, int version, uint8_t **out,
                              size_t *out_len, struct kc_error *err)
{
    struct group_codec_w w;
    group_codec_w_init(&w);
    group_codec_put_i16(&w, (int16_t)version);
    group_codec_put_str(&w, m->url ? m->url : "", 0);
    group_codec_put_i64(&w, m->config_offset);
    if (version >= 1) {
        if (!m->prev) {
            group_codec_put_bytes(&w, NULL, 0, 0);
        } else {
            struct group_codec_w inner;
            group_codec_w_init(&inner);
            put_assignment(&inner, m->prev, (int16_t)version);
            if (inner.rc != KC_OK)
                w.rc = inner.rc;
            else
                group_codec_put_bytes(&w, inner.b.data ? inner.b.data : "", inner.b.len, 0);
            group_codec_w_fini(&inner);
        }
    }
    return finish(&w, out, out_len, err, "Connect member metadata");
}

/* ---- decoding ---- */

static int push_task(struct connect_task_id **arr, size_t *n, const char *c, int task)
{
    struct connect_task_id *g = kc_realloc(*arr, (*n + 1) * sizeof(**arr));
    if (!g)
        return KC_ENOMEM;
    *arr = g;
    g[*n].connector = kc_strdup(c);
    if (!g[*n].connector)
        return KC_ENOMEM;
    g[*n].task = task;
    (*n)++;
    return KC_OK;
}

static int get_work(struct group_codec_r *r, char ***conns, size_t *n_conns,
                    struct connect_task_id **tasks, size_t *n_tasks)
{
    int32_t n = group_codec_get_array_len(r, 0);
    for (int32_t i = 0; i < n && !r->bad; i++) {
        char *c = group_codec_get_str(r, 0);
        int32_t k = group_codec_get_array_len(r, 0);
        int rc = c ? KC_OK : KC_EINVAL;
        for (int32_t j = 0; j < k && !r->bad && rc == KC_OK; j++) {
            int32_t t = group_codec_get_i32(r);
            if (r->bad)
                break;
            rc = t == GROUP_CONNECT_CONNECTOR_TASK ? kc_strv_push(conns, n_conns, c)
                                                  : push_task(tasks, n_tasks, c, t);
        }
        kc_free(c);
        if (rc != KC_OK)
            return rc;
    }
    return r->bad ? KC_EINVAL : KC_OK;
}

static int get_assignment(struct group_codec_r *r, struct connect_assignment *a)
{
    memset(a, 0, sizeof(*a));
    a->version = group_codec_get_i16(r);
    a->error = group_codec_get_i16(r);
    a->leader = group_codec_get_str(r, 0);
    a->leader_url = group_codec_get_str(r, 0);
    a->config_offset = group_codec_get_i64(r);
    if (r->bad || a->version < 0)
        return KC_EINVAL;
    int rc = KC_OK;
    if (group_codec_left(r) > 0)
        rc = get_work(r, &a->connectors, &a->n_connectors, &a->tasks, &a->n_tasks);
    if (rc == KC_OK && a->version >= 1 && group_codec_left(r) > 0)
        rc = get_work(r, &a->revoked_connectors, &a->n_revoked_connectors, &a->revoked_tasks,
                      &a->n_revoked_tasks);
    if (rc == KC_OK && a->version >= 1 && group_codec_left(r) >= 4)
        a->delay_ms = group_codec_get_i32(r);
    return rc;
}

int group_connect_assignment_decode(const uint8_t *p, size_t n, struct connect_assignment *a,
                                    struct kc_error *err)
{
    struct group_codec_r r;
    group_codec_r_init(&r, p, n);
    int rc = get_assignment(&r, a);
    if (rc != KC_OK) {
        group_connect_assignment_fini(a);
        return kc_error_set(err, rc, "malformed Connect assignment (%zu bytes)", n);
    }
    return KC_OK;
}

int group_connect_meta_decode(const uint8_t *p, size_t n, struct connect_member_meta *m,
                              struct kc_error *err)
{
    struct group_codec_r r;
    group_codec_r_init(&r, p, n);
    memset(m, 0, sizeof(*m));
    int16_t version = group_codec_get_i16(&r);
    m->url = group_codec_get_str(&r, 0);
    m->config_offset = group_codec_get_i64(&r);
    if (r.bad || version < 0 || !m->url) {
        group_connect_meta_fini(m);
        return kc_error_set(err, KC_EINVAL, "malformed Connect member metadata (%zu bytes)", n);
    }
    if (version >= 1 && group_codec_left(&r) > 0) {
        int32_t len;
        const uint8_t *blob = group_codec_get_bytes(&r, &len, 0);
        if (r.bad) {
            group_connect_meta_fini(m);
            return kc_error_set(err, KC_EINVAL, "malformed Connect member metadata allocation");
        }
        if (blob) {
            m->prev = kc_calloc(1, sizeof(*m->prev));
            if (!m->prev) {
                group_connect_meta_fini(m);
                return kc_error_set(err, KC_ENOMEM, "out of memory");
            }
            if (group_connect_assignment_decode(blob, (size_t)len, m->prev, err) != KC_OK) {
                group_connect_meta_fini(m);
                return err ? err->rc : KC_EINVAL;
            }
        }
    }
    return KC_OK;
}

/* ---- ownership ---- */

static void free_strv(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kc_free(v[i]);
    kc_free(v);
}

static void free_tasks(struct connect_task_id *t, size_t n)
{
    for (size_t i = 0; i < n; i++)
        kc_free(t[i].connector);
    kc_free(t);
}

void group_connect_assignment_fini(struct connect_assignment *a)
{
    if (!a)
        return;
    kc_free(a->leader);
    kc_free(a->leader_url);
    free_strv(a->connectors, a->n_connectors);
    free_tasks(a->tasks, a->n_tasks);
    free_strv(a->revoked_connectors, a->n_revoked_connectors);
    free_tasks(a->revoked_tasks, a->n_revoked_tasks);
    memset(a, 0, sizeof(*a));
}

void group_connect_assignment_free(struct connect_assignment *a)
{
    group_connect_assignment_fini(a);
    kc_free(a);
}

void group_connect_meta_fini(struct connect_member_meta *m)
{
    if (!m)
        return;
    kc_free(m->url);
    group_connect_assignment_free(m->prev);
    memset(m, 0, sizeof(*m));
}

static int copy_work(char ***dc, size_t *dnc, struct connect_task_id **dt, size_t *dnt,
                     char *const *sc, size_t snc, const struct connect_task_id *st, size_t snt)
{
    for (size_t i = 0; i < snc; i++)
        if (kc_strv_push(dc, dnc, sc[i]) != KC_OK)
            return KC_ENOMEM;
    for (size_t i = 0; i < snt; i++)
        if (push_task(dt, dnt, st[i].connector, st[i].task) != KC_OK)
            return KC_ENOMEM;
    return KC_OK;
}

int group_connect_assignment_copy(struct connect_assignment *dst,
                                  const struct connect_assignment *src)
{
    memset(dst, 0, sizeof(*dst));
    dst->version = src->version;
    dst->error = src->error;
    dst->config_offset = src->config_offset;
    dst->delay_ms = src->delay_ms;
    dst->leader = kc_strdup(src->leader ? src->leader : "");
    dst->leader_url = kc_strdup(src->leader_url ? src->leader_url : "");
    if (!dst->leader || !dst->leader_url ||
        copy_work(&dst->connectors, &dst->n_connectors, &dst->tasks, &dst->n_tasks,
                  src->connectors, src->n_connectors, src->tasks, src->n_tasks) != KC_OK ||
        copy_work(&dst->revoked_connectors, &dst->n_revoked_connectors, &dst->revoked_tasks,
                  &dst->n_revoked_tasks, src->revoked_connectors, src->n_revoked_connectors,
                  src->revoked_tasks, src->n_revoked_tasks) != KC_OK) {
        group_connect_assignment_fini(dst);
        return KC_ENOMEM;
    }
    return KC_OK;
}

static int task_eq(const struct connect_task_id *a, const struct connect_task_id *b)
{
    return a->task == b->task && strcmp(a->connector, b->connector) == 0;
}

int group_connect_assignment_apply(const struct connect_assignment *current,
                                   const struct connect_assignment *a,
                                   struct connect_assignment *out)
{
    struct connect_assignment next;
    if (group_connect_assignment_copy(&next, a) != KC_OK)
        return KC_ENOMEM;
    for (size_t i = 0; current && i < current->n_connectors; i++) {
        int gone = 0;
        for (size_t j = 0; j < a->n_revoked_connectors && !gone; j++)
            gone = strcmp(current->connectors[i], a->revoked_connectors[j]) == 0;
        if (!gone && kc_strv_push(&next.connectors, &next.n_connectors, current->connectors[i]))
            goto nomem;
    }
    for (size_t i = 0; current && i < current->n_tasks; i++) {
        int gone = 0;
        for (size_t j = 0; j < a->n_revoked_tasks && !gone; j++)
            gone = task_eq(&current->tasks[i], &a->revoked_tasks[j]);
        if (!gone && push_task(&next.tasks, &next.n_tasks, current->tasks[i].connector,
                               current->tasks[i].task) != KC_OK)
            goto nomem;
    }
    free_strv(next.revoked_connectors, next.n_revoked_connectors);
    free_tasks(next.revoked_tasks, next.n_revoked_tasks);
    next.revoked_connectors = NULL;
    next.revoked_tasks = NULL;
    next.n_revoked_connectors = next.n_revoked_tasks = 0;
    next.delay_ms = 0;
    *out = next;
    return KC_OK;
nomem:
    group_connect_assignment_fini(&next);
    return KC_ENOMEM;
}
