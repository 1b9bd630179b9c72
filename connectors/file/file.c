/*
 * connectors/file/file.c: FileStreamSink, the JVM's org.apache.kafka.connect.file sink, written
 * line for line like FileStreamSinkTask: each record's value is printed with Java's
 * String.valueOf (cdata_to_java_string) and a newline, to `file` opened for append, or to
 * standard output when `file` is unset. Each put() ends with one write(2) of its batch, so the
 * lines reach the kernel as promptly as the JVM's unbuffered PrintStream makes them; flush()
 * writes whatever is left, and only then does the worker commit the offsets, so a kill -9 of
 * the worker loses nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf_def.h"
#include "conf_values.h"
#include "kc_alloc.h"
#include "kc_buf.h"
#include "kc_log.h"
#include "sink.h"

#define FILE_SINK_KEY_FILE "file"
#define FILE_SINK_BUF_FLUSH (256 * 1024) /* write(2) whenever this much is buffered */
#define FILE_SINK_BUF_CAP ((size_t)1 << 30)

struct file_sink {
    int fd;         /* owned unless it is stdout */
    int own_fd;
    char *path;     /* owned, NULL = stdout */
    struct kc_buf out; /* lines not yet written */
    struct cdata_memo memo; /* HashMap order of the last record's keys */
};

static const struct conf_def file_sink_config_def[] = {
    {
        .name = FILE_SINK_KEY_FILE,
        .type = CONF_STRING,
        .default_value = NULL,
        .default_is_null = 1,
        .importance = CONF_HIGH,
        .doc = "Destination filename. If not specified, the standard output will be used",
        .group = NULL,
        .order_in_group = -1,
        .width = CONF_WIDTH_NONE,
    },
    {.name = NULL},
};

static int write_out(struct file_sink *fs, struct kc_error *err);

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* One write to the file, counted in the task's metrics (connect_c_sink_*). */
static int write_all(struct sink_task *st, struct file_sink *fs, struct kc_error *err)
{
    if (fs->out.len == 0) {
        return KC_OK;
    }
    int64_t t0 = now_us();
    size_t len = fs->out.len;
    int rc = write_out(fs, err);
    sink_task_record_insert(st, rc == KC_OK ? len : 0, now_us() - t0, rc == KC_OK);
    return rc;
}

static int write_out(struct file_sink *fs, struct kc_error *err)
{
    size_t off = 0;
    while (off < fs->out.len) {
        ssize_t w = write(fs->fd, fs->out.data + off, fs->out.len - off);
        if (w < 0) {
            if (errno == EINTR) {
                continue;
            }
            int e = errno;
            /* Keep what was not written: drop only the written prefix. */
            memmove(fs->out.data, fs->out.data + off, fs->out.len - off);
            fs->out.len -= off;
            return kc_error_set_errno(err, KC_EIO, e, "Couldn't write to destination file %s",
                                      fs->path ? fs->path : "stdout");
        }
        off += (size_t)w;
    }
    kc_buf_reset(&fs->out);
    return KC_OK;
}

static int file_task_start(struct sink_task *st, const struct conf_values *cv,
                           struct kc_error *err)
{
    struct file_sink *fs = kc_calloc(1, sizeof(*fs));
    if (fs == NULL) {
        return kc_error_set(err, KC_ENOMEM, "out of memory");
    }
    kc_buf_init(&fs->out, FILE_SINK_BUF_CAP);
    const char *path = conf_values_string(cv, FILE_SINK_KEY_FILE);
    if (path == NULL || path[0] == '\0') {
        fs->fd = STDOUT_FILENO;
        fs->own_fd = 0;
    } else {
        fs->path = kc_strdup(path);
        fs->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fs->path == NULL || fs->fd < 0) {
            int e = errno;
            kc_free(fs->path);
            kc_free(fs);
            /* The JVM's message: "Couldn't find or create file '<f>' for FileStreamSinkTask" */
            return kc_error_set_errno(err, KC_EFATAL, e,
                                      "Couldn't find or create file '%s' for FileStreamSinkTask",
                                      path);
        }
        fs->own_fd = 1;
    }
    sink_task_set_ctx(st, fs);
    sink_task_log(st, KC_LOG_INFO, "FileStreamSinkTask writing to %s",
                  fs->path ? fs->path : "stdout");
    return KC_OK;
}

static int file_task_put(struct sink_task *st, const struct sink_record *recs, size_t n,
                         struct kc_error *err)
{
    struct file_sink *fs = sink_task_ctx(st);
    for (size_t i = 0; i < n; i++) {
        const struct sink_record *r = &recs[i];
        /* This sink does not ask for raw values, so the worker always converted them. */
        int rc = cdata_to_java_string_memo(r->value, &fs->out, &fs->memo);
        if (rc == KC_OK) {
            rc = kc_buf_append_byte(&fs->out, '\n');
        }
        if (rc == KC_EINVAL) {
            return kc_error_set(err, KC_EFATAL,
                                "FileStreamSinkTask: a Decimal of more than %d bytes in record "
                                "%s-%d@%lld is too large to print",
                                CDATA_DECIMAL_MAX_BYTES, r->topic, (int)r->partition,
                                (long long)r->offset);
        }
        if (rc != KC_OK) {
            return kc_error_set(err, KC_EFATAL, "FileStreamSinkTask: out of memory buffering "
                                                "records");
        }
        if (fs->out.len >= FILE_SINK_BUF_FLUSH && (rc = write_all(st, fs, err)) != KC_OK) {
            return rc;
        }
    }
    /* The JVM's PrintStream hands every line to the file at once; one write(2) per batch
     * keeps `tail -f` users seeing the same thing at a fraction of the cost. */
    return write_all(st, fs, err);
}

static int file_task_flush(struct sink_task *st, struct kc_error *err)
{
    struct file_sink *fs = sink_task_ctx(st);
    return write_all(st, fs, err);
}

static void file_task_stop(struct sink_task *st)
{
    struct file_sink *fs = sink_task_ctx(st);
    if (fs == NULL) {
        return;
    }
    struct kc_error err;
    if (write_all(st, fs, &err) != KC_OK) {
        sink_task_log(st, KC_LOG_WARN, "%s", err.msg);
    }
    if (fs->own_fd) {
        close(fs->fd);
    }
    kc_buf_fini(&fs->out);
    cdata_memo_fini(&fs->memo);
    kc_free(fs->path);
    kc_free(fs);
    sink_task_set_ctx(st, NULL);
}

static const char *const file_sink_classes[] = {
    "org.apache.kafka.connect.file.FileStreamSinkConnector",
    NULL,
};

const struct sink_connector_ops file_sink_ops = {
    .version = SINK_OPS_VERSION,
    .name = "file",
    .class_names = file_sink_classes,
    .task_class = "org.apache.kafka.connect.file.FileStreamSinkTask",
    .plugin_version = "4.1.0",
    .config_def = file_sink_config_def,
    .flags = SINK_FLAG_NO_HEADERS, /* FileStreamSinkTask prints values only */
    .start = file_task_start,
    .put = file_task_put,
    .flush = file_task_flush,
    .stop = file_task_stop,
};
