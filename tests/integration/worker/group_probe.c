/*
 * tests/integration/worker/group_probe.c: one Connect group member in a process, for
 * tests/integration/test_group_member.py. It joins <group> on the broker with a fixed view of the
 * config topic (connectors and task counts given on the command line), keeps the set of work it
 * runs from the member's callbacks, and prints one line per event on stdout:
 *   ASSIGN gen=<g> leader=<0|1> proto=<version> error=<e> delay=<ms> member=<id> run=<items>
 *   REVOKE <items>
 *   VIEW gen=<g> <url>=<items>;...   (leader: what every member holds after this round)
 * where items are "c" (connector) and "c/n" (task) sorted and comma-separated. stdin: "rejoin"
 * asks for a rebalance, "leave <ms>" leaves the group for ms; EOF or "quit" stops the member (LeaveGroup) and exits 0.
 *
 * usage: group_probe <url> <connectors: name:tasks,...> [key=value worker property]...
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "group_member.h"
#include "kc_alloc.h"
#include "kc_log.h"
#include "kc_strmap.h"

struct probe {
    const char **names;
    int *counts;
    size_t n;
    int64_t offset;
    char **run; /* "c" or "c/n" */
    size_t n_run;
    int eager;
};

static int64_t cb_offset(void *ctx)
{
    return ((struct probe *)ctx)->offset;
}

static int cb_snapshot(void *ctx, struct group_snapshot *out)
{
    struct probe *p = ctx;
    memset(out, 0, sizeof(*out));
    out->config_offset = p->offset;
    out->connectors = p->names;
    out->n_connectors = p->n;
    out->task_counts = p->counts;
    return 0;
}

static void cb_snapshot_free(void *ctx, struct group_snapshot *s)
{
    (void)ctx;
    (void)s;
}

static char *item(const char *c, int t)
{
    return t < 0 ? kc_strdup(c) : kc_asprintf("%s/%d", c, t);
}

static void run_del(struct probe *p, const char *it)
{
    for (size_t i = 0; i < p->n_run; i++)
        if (strcmp(p->run[i], it) == 0) {
            kc_free(p->run[i]);
            p->run[i] = p->run[--p->n_run];
            return;
        }
}

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_items(char **v, size_t n)
{
    if (n > 1)
        qsort(v, n, sizeof(*v), cmp);
    for (size_t i = 0; i < n; i++)
        printf("%s%s", i ? "," : "", v[i]);
}

static void cb_revoke(void *ctx, const struct connect_assignment *r)
{
    struct probe *p = ctx;
    char **v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < r->n_revoked_connectors; i++) {
        char *it = item(r->revoked_connectors[i], -1);
        run_del(p, it);
        kc_strv_push(&v, &n, it);
        kc_free(it);
    }
    for (size_t i = 0; i < r->n_revoked_tasks; i++) {
        char *it = item(r->revoked_tasks[i].connector, r->revoked_tasks[i].task);
        run_del(p, it);
        kc_strv_push(&v, &n, it);
        kc_free(it);
    }
    printf("REVOKE ");
    print_items(v, n);
    printf("\n");
    fflush(stdout);
    for (size_t i = 0; i < n; i++)
        kc_free(v[i]);
    kc_free(v);
}

static void cb_assign(void *ctx, const struct connect_assignment *a, int32_t gen, int leader)
{
    struct probe *p = ctx;
    if (a->error == 0) {
        if (a->version == 0) { /* eager: exactly this */
            for (size_t i = 0; i < p->n_run; i++)
                kc_free(p->run[i]);
            p->n_run = 0;
        }
        for (size_t i = 0; i < a->n_connectors; i++) {
            char *it = item(a->connectors[i], -1);
            kc_strv_push(&p->run, &p->n_run, it);
            kc_free(it);
        }
        for (size_t i = 0; i < a->n_tasks; i++) {
            char *it = item(a->tasks[i].connector, a->tasks[i].task);
            kc_strv_push(&p->run, &p->n_run, it);
            kc_free(it);
        }
    }
    printf("ASSIGN gen=%d leader=%d proto=%d error=%d delay=%d leader_id=%s run=", gen, leader,
           a->version, a->error, a->delay_ms, a->leader);
    print_items(p->run, p->n_run);
    printf("\n");
    fflush(stdout);
}

/* VIEW gen=<g> <url>=<items>;<url>=<items>... */
static void cb_view(void *ctx, const struct group_leader_member *ms, size_t n, int32_t gen)
{
    (void)ctx;
    printf("VIEW gen=%d ", gen);
    for (size_t i = 0; i < n; i++) {
        char **v = NULL;
        size_t k = 0;
        for (size_t j = 0; j < ms[i].owned->n_connectors; j++)
            kc_strv_push(&v, &k, ms[i].owned->connectors[j]);
        for (size_t j = 0; j < ms[i].owned->n_tasks; j++) {
            char *it = item(ms[i].owned->tasks[j].connector, ms[i].owned->tasks[j].task);
            kc_strv_push(&v, &k, it);
            kc_free(it);
        }
        printf("%s%s=", i ? ";" : "", ms[i].url);
        print_items(v, k);
        for (size_t j = 0; j < k; j++)
            kc_free(v[j]);
        kc_free(v);
    }
    printf("\n");
    fflush(stdout);
}

static void cb_lost(void *ctx)
{
    struct probe *p = ctx;
    for (size_t i = 0; i < p->n_run; i++)
        kc_free(p->run[i]);
    p->n_run = 0;
    printf("LOST\n");
    fflush(stdout);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: group_probe <url> <name:tasks,...> [key=value]...\n");
        return 2;
    }
    struct probe p = {0};
    p.offset = 1;
    char *spec = kc_strdup(argv[2]);
    for (char *save = NULL, *t = strtok_r(spec, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *colon = strchr(t, ':');
        p.names = kc_realloc(p.names, (p.n + 1) * sizeof(*p.names));
        p.counts = kc_realloc(p.counts, (p.n + 1) * sizeof(*p.counts));
        if (colon)
            *colon = '\0';
        p.names[p.n] = t;
        p.counts[p.n] = colon ? atoi(colon + 1) : 1;
        p.n++;
    }
    struct kc_strmap *props = kc_strmap_new();
    for (int i = 3; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue;
        *eq = '\0';
        kc_strmap_set(props, argv[i], eq + 1);
        if (strcmp(argv[i], "config.offset") == 0)
            p.offset = atoll(eq + 1);
    }
    if (getenv("GROUP_PROBE_TRACE"))
        kc_log_set_level(KC_LOG_TRACE);
    struct group_member_conf conf = {.worker_props = props, .url = argv[1]};
    struct group_callbacks cb = {.ctx = &p,
                                 .config_offset = cb_offset,
                                 .snapshot = cb_snapshot,
                                 .snapshot_free = cb_snapshot_free,
                                 .on_revoke = cb_revoke,
                                 .on_assign = cb_assign,
                                 .on_lost = cb_lost,
                                 .on_leader_view = cb_view};
    struct group_member *m;
    struct kc_error err;
    if (group_member_start(&conf, &cb, &m, &err) != 0) {
        fprintf(stderr, "group_member_start: %s\n", err.msg);
        return 1;
    }
    char line[256];
    while (fgets(line, sizeof(line), stdin)) {
        if (strncmp(line, "rejoin", 6) == 0)
            group_member_rejoin(m);
        else if (strncmp(line, "leave ", 6) == 0)
            group_member_leave_for(m, atoll(line + 6));
        else if (strncmp(line, "quit", 4) == 0)
            break;
    }
    group_member_stop(m);
    printf("STOPPED\n");
    fflush(stdout);
    for (size_t i = 0; i < p.n_run; i++)
        kc_free(p.run[i]);
    kc_free(p.run);
    kc_free(p.names);
    kc_free(p.counts);
    kc_free(spec);
    kc_strmap_free(props);
    return 0;
}
