/*
 * worker/main.c: connect-distributed, the process. Usage matches the JVM's
 * `connect-distributed.sh worker.properties`: read the worker properties (plus the CONNECT_*
 * environment of the Connect image), start the herder (internal topics, tasks) and the REST
 * server, and run until SIGTERM or SIGINT; then stop every task within
 * task.shutdown.graceful.timeout.ms, write UNASSIGNED statuses and exit 0.
 */
#include <errno.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "conf_client_tls.h"
#include "conf_worker.h"
#include "connector_config.h"
#include "connector_plugins.h"
#include "herder.h"
#include "kc_log.h"
#include "kc_strmap.h"
#include "rest_auth.h"
#include "rest_server.h"
#include "rest_tls.h"

extern char **environ;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void usage(const char *prog)
{
    fprintf(stderr,
            "USAGE: %s [-daemon] connect-distributed.properties\n"
            "Runs a Kafka Connect distributed worker (sink connectors). Worker properties may\n"
            "also come from CONNECT_* environment variables (CONNECT_GROUP_ID -> group.id).\n",
            prog);
}

/*
 * The soft limit on open files up to the hard one, as the JVM does at startup (HotSpot's
 * MaxFDLimit, on by default): a worker swapped in for the JVM image must not fail where the
 * JVM did not. Sinks hold a descriptor per open output file (the S3 sink: one per encoded
 * partition of every assigned Kafka partition), and container runtimes often start processes
 * at a soft limit of 1024 with a much higher hard one. Everything here polls (no select), so
 * descriptors past FD_SETSIZE are fine.
 */
static void raise_open_files_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) {
        return;
    }
    rlim_t was = rl.rlim_cur;
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        /* a hard limit above the kernel's ceiling (fs.nr_open): that ceiling is the most a
         * process may set */
        FILE *f = fopen("/proc/sys/fs/nr_open", "r");
        unsigned long long nr = 0;
        if (f != NULL) {
            if (fscanf(f, "%llu", &nr) != 1) {
                nr = 0;
            }
            fclose(f);
        }
        if (nr <= (unsigned long long)was) {
            return;
        }
        rl.rlim_cur = (rlim_t)nr;
        if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > (rlim_t)nr) {
            rl.rlim_max = (rlim_t)nr; /* the kernel refuses a hard limit above it */
        }
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
            return;
        }
    }
    kc_log(KC_LOG_DEBUG, "main", "Open files limit raised from %llu to %llu",
           (unsigned long long)was, (unsigned long long)rl.rlim_cur);
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    struct worker_config wc;
    int wc_loaded = 0;
    struct herder *h = NULL;
    struct rest_server *rs = NULL;
    struct conf_client_tls client_tls = {0};
    struct rest_auth *auth = NULL;
    struct kc_error err = {0};
    int status = 1;

#ifdef __GLIBC__
    /* Large buffers (sink chunks, fetch responses, arena chunks) come and go with the byte
     * budget; glibc's sliding mmap threshold would move them onto the heap after the first
     * free, where freed memory stays resident. A fixed threshold keeps them mmapped, so what is
     * freed leaves the process (1 GiB through a 32 MiB budget: 62 -> 48 MiB peak RSS).
     * Tasks raise it while every running task's budget is roomy (task.c, mmap_apply).
     * MALLOC_MMAP_THRESHOLD_ (or glibc.malloc.mmap_threshold in GLIBC_TUNABLES) still wins. */
    const char *tunables = getenv("GLIBC_TUNABLES");
    if (getenv("MALLOC_MMAP_THRESHOLD_") == NULL &&
        (tunables == NULL || strstr(tunables, "glibc.malloc.mmap_threshold") == NULL)) {
        mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    }
#endif

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(argv[0]);
            return 0;
        }
        if (strcmp(argv[i], "-daemon") == 0) {
            continue; /* accepted for script compatibility; we stay in the foreground */
        }
        if (path != NULL) {
            usage(argv[0]);
            return 2;
        }
        path = argv[i];
    }
    const char *lvl = getenv("CONNECT_LOG4J_ROOT_LOGLEVEL");
    if (lvl != NULL && kc_log_level_parse(lvl) >= 0) {
        kc_log_set_level(kc_log_level_parse(lvl));
    }
    if (path == NULL && getenv("CONNECT_BOOTSTRAP_SERVERS") == NULL) {
        usage(argv[0]);
        return 2;
    }
    raise_open_files_limit();

    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);

    kc_log(KC_LOG_INFO, "main", "Kafka Connect worker initializing ...");
    if (worker_config_load(path, environ, &wc, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
        goto out;
    }
    wc_loaded = 1;
    worker_config_log(&wc);
    if (herder_new(&wc, &h, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
        goto out;
    }
    struct connector_worker_facts facts;
    connector_config_facts_init(&facts, &wc);
    connector_plugins_facts(&facts);
    char advertised[300];
    snprintf(advertised, sizeof(advertised), "http://%s/", herder_worker_id(h));
    if (rest_auth_new(wc.rest_extension_classes.items, wc.rest_extension_classes.n,
                      getenv("KAFKA_OPTS"), &auth, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
        goto out;
    }
    struct rest_tls_config tls;
    rest_tls_config_from_props(&tls, &wc.props);
    const char *first_listener = kc_strmap_get(&wc.props, "listeners");
    while (first_listener != NULL && *first_listener == ' ') {
        first_listener++;
    }
    /* workers reach each other over rest.advertised.listener, else the first listener's
     * protocol, as the JVM's RestServer.advertisedUrl */
    int https = first_listener != NULL && strncasecmp(first_listener, "https://", 8) == 0;
    if (wc.rest_advertised_listener != NULL && wc.rest_advertised_listener[0] != '\0') {
        https = strcasecmp(wc.rest_advertised_listener, "https") == 0;
    }
    if (https) {
        snprintf(advertised, sizeof(advertised), "https://%s/", herder_worker_id(h));
    }
    if (conf_client_tls_load(&wc.props, &client_tls, &err) != KC_OK) {
        if (https) {
            kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
            goto out;
        }
        kc_log(KC_LOG_WARN, "main", "Requests to other workers' https listeners will use the "
               "system's trust store: %s", err.msg);
        kc_error_clear(&err);
    }
    if (herder_set_rest_client(h, advertised, &client_tls) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: out of memory");
        goto out;
    }
    struct rest_server_config rcfg = {
        .listeners = kc_strmap_get(&wc.props, "listeners"),
        .admin_listeners = kc_strmap_has(&wc.props, "admin.listeners")
                               ? kc_strmap_get(&wc.props, "admin.listeners")
                               : NULL,
        .allow_origin = wc.access_control_allow_origin,
        .allow_methods = wc.access_control_allow_methods,
        .response_headers = wc.response_http_headers_config,
        .advertised_url = advertised,
        .topic_tracking_disable = !wc.topic_tracking_enable,
        .topic_tracking_reset_disable = !wc.topic_tracking_allow_reset,
        .max_connections = (unsigned)wc.rest_max_connections,
        .max_connections_per_ip = (unsigned)wc.rest_max_connections_per_ip,
        .header_timeout_ms = (unsigned)wc.rest_header_timeout_ms,
        .body_timeout_ms = (unsigned)wc.rest_body_timeout_ms,
        .max_body_bytes = (size_t)wc.rest_max_body_bytes,
        .facts = &facts,
        .auth = auth,
        .tls = &tls,
        .client_tls = &client_tls,
    };
    if (rest_server_new(&rcfg, h, &rs, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
        goto out;
    }
    if (herder_start(h, &err) != KC_OK) {
        kc_log(KC_LOG_ERROR, "main", "Stopping due to error: %s", err.msg);
        goto out;
    }
    kc_log(KC_LOG_INFO, "main", "Kafka Connect started (worker id %s)", herder_worker_id(h));
    while (!stop_requested) {
        struct timespec ts = {0, 200 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    kc_log(KC_LOG_INFO, "main", "Kafka Connect stopping");
    status = 0;
out:
    herder_close_requests(h);
    rest_server_free(rs);
    rest_auth_free(auth);
    herder_free(h);
    conf_client_tls_free(&client_tls);
    if (wc_loaded) {
        worker_config_fini(&wc);
    }
    if (status == 0) {
        kc_log(KC_LOG_INFO, "main", "Kafka Connect stopped");
    }
    return status;
}
