/*
 * connectors/parquet/parquet_cli.c: connect-parquet, JSON lines to Parquet on the command line.
 *
 *   connect-parquet [--schema FILE | --infer N] [--codec C] [--row-group-bytes B] ... IN OUT
 *
 * IN and OUT may be "-" (standard input / output). Bad records are printed to standard error
 * with their line numbers and skipped; the summary (rows written, bad records, files) goes to
 * standard output, or to standard error when OUT is "-". Exit status: 0 all records written,
 * 1 some records were bad (the files are still complete and valid), 2 usage, 3 failure.
 * Everything else lives in the library; this file only parses flags and moves bytes.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kc_alloc.h"
#include "parquet.h"
#include "parquet_json.h"

#define CLI_MAX_KV 64

struct cli {
    const char *out_path;
    FILE *out;
    char *out_name; /* owned: the current file's name */
    int quiet;
    unsigned long long max_report;
    unsigned long long reported;
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: connect-parquet [options] IN.jsonl OUT.parquet   (either may be '-')\n"
            "  --schema FILE           Kafka Connect schema (JsonConverter 'schema' object, or an\n"
            "                          envelope holding one); default: envelope schema or inference\n"
            "  --infer N               infer the schema from the first N records (default 1000)\n"
            "  --infer-timestamps      infer DATE/TIMESTAMP from ISO-8601 strings\n"
            "  --on-mismatch P         skip (report the record) | rotate (start a new file)\n"
            "  --ignore-unknown        drop fields that are not in the schema\n"
            "  --codec C               none|snappy|gzip|zstd|lz4_raw (default snappy)\n"
            "  --level N               compression level (gzip, zstd)\n"
            "  --row-group-bytes B     cut row groups at B buffered bytes (default 64M)\n"
            "  --row-group-rows N      and at N rows (default: no limit)\n"
            "  --page-bytes B          cut pages at B bytes (default 1M)\n"
            "  --page-rows N           and at N rows (default 20000)\n"
            "  --page-version 1|2      data page version (default 1)\n"
            "  --no-dictionary         PLAIN encoding only\n"
            "  --dictionary-bytes B    dictionary size before falling back to PLAIN (default 1M)\n"
            "  --memory-cap B          hard cap on buffered bytes (forces row-group cuts)\n"
            "  --max-line-bytes B      longer lines are bad records (default 64M, at most 1G)\n"
            "  --kv KEY=VALUE          add footer key-value metadata (repeatable)\n"
            "  --created-by TEXT       footer created_by\n"
            "  --quiet                 do not print bad records\n"
            "Sizes take k, m, g suffixes (powers of 1024).\n");
}

/* "123", "64k", "1G": a size in bytes, or -1 for anything else -- a sign, trailing text, or a
 * value whose suffix would shift it past 64 bits or past size_t (it once wrapped silently:
 * "17179869184G" became 0, "-1" a huge size). */
static int parse_size(const char *s, size_t *out)
{
    char *end;
    while (*s == ' ' || *s == '\t') {
        s++;
    }
    if (!isdigit((unsigned char)*s)) {
        return -1;
    }
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s) {
        return -1;
    }
    unsigned shift = 0;
    switch (*end) {
    case 'k':
    case 'K':
        shift = 10;
        end++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        end++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        end++;
        break;
    default:
        break;
    }
    if (*end != '\0' || v > (ULLONG_MAX >> shift) || (v << shift) > (unsigned long long)SIZE_MAX) {
        return -1;
    }
    *out = (size_t)(v << shift);
    return 0;
}

static int cli_write(void *opaque, const void *buf, size_t len)
{
    struct cli *cl = opaque;
    return fwrite(buf, 1, len, cl->out) == len ? 0 : -1;
}

static int cli_open(void *opaque, unsigned index, parquet_write_fn **write, void **wopaque,
                    struct kc_error *err)
{
    struct cli *cl = opaque;
    kc_free(cl->out_name);
    cl->out_name = NULL;
    if (strcmp(cl->out_path, "-") == 0) {
        if (index > 0) {
            return kc_error_set(err, KC_EINVAL, "cannot rotate files on standard output");
        }
        cl->out = stdout;
    } else {
        const char *dot = strrchr(cl->out_path, '.');
        if (index == 0) {
            cl->out_name = kc_strdup(cl->out_path);
        } else if (dot != NULL && strcmp(dot, ".parquet") == 0) {
            cl->out_name = kc_asprintf("%.*s.%u.parquet", (int)(dot - cl->out_path), cl->out_path,
                                       index);
        } else {
            cl->out_name = kc_asprintf("%s.%u", cl->out_path, index);
        }
        if (cl->out_name == NULL) {
            return kc_error_set(err, KC_ENOMEM, "out of memory");
        }
        cl->out = fopen(cl->out_name, "wb");
        if (cl->out == NULL) {
            return kc_error_set_errno(err, KC_EIO, errno, "cannot create %s", cl->out_name);
        }
    }
    setvbuf(cl->out, NULL, _IOFBF, 1 << 20);
    *write = cli_write;
    *wopaque = cl;
    return KC_OK;
}

static int cli_close(void *opaque, unsigned index, struct kc_error *err)
{
    struct cli *cl = opaque;
    int bad = fflush(cl->out) != 0;
    (void)index;
    if (cl->out != stdout) {
        bad |= fclose(cl->out) != 0;
    }
    cl->out = NULL;
    if (bad) {
        return kc_error_set_errno(err, KC_EIO, errno, "cannot write %s",
                                  cl->out_name != NULL ? cl->out_name : "standard output");
    }
    return KC_OK;
}

static void cli_bad(void *opaque, uint64_t line, const struct kc_error *why)
{
    struct cli *cl = opaque;
    if (cl->quiet) {
        return;
    }
    if (cl->reported++ < cl->max_report) {
        fprintf(stderr, "connect-parquet: line %llu: %s\n", (unsigned long long)line, why->msg);
    } else if (cl->reported == cl->max_report + 1) {
        fprintf(stderr, "connect-parquet: more bad records; not printing them\n");
    }
}

static json_t *load_schema(const char *path, struct kc_error *err)
{
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (j == NULL) {
        kc_error_set(err, KC_EINVAL, "%s:%d: %s", path, jerr.line, jerr.text);
        return NULL;
    }
    if (json_is_object(json_object_get(j, "schema"))) {
        json_t *s = json_incref(json_object_get(j, "schema"));
        json_decref(j);
        return s;
    }
    return j;
}

int main(int argc, char **argv)
{
    struct parquet_jsonl_options o;
    struct parquet_jsonl *c = NULL;
    struct cli cl;
    struct kc_error err;
    const char *schema_path = NULL;
    const char *kv[2 * CLI_MAX_KV];
    char *kv_copy[CLI_MAX_KV];
    size_t nkv = 0;
    json_t *schema = NULL;
    const char *in_path = NULL;
    int in_fd = -1;
    char *buf = NULL;
    int status = 3;
    int rc;

    memset(&cl, 0, sizeof(cl));
    cl.max_report = 1000;
    kc_error_clear(&err);
    parquet_jsonl_options_init(&o);
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = 1;
        size_t sz = 0;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if (a[0] != '-' || a[1] == '\0') {
            break;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            status = 0;
            goto out;
        } else if (strcmp(a, "--infer-timestamps") == 0) {
            o.infer_timestamps = 1;
            takes = 0;
        } else if (strcmp(a, "--ignore-unknown") == 0) {
            o.write_flags |= PARQUET_JSON_IGNORE_UNKNOWN;
            takes = 0;
        } else if (strcmp(a, "--no-dictionary") == 0) {
            o.writer.dictionary = 0;
            takes = 0;
        } else if (strcmp(a, "--quiet") == 0) {
            cl.quiet = 1;
            takes = 0;
        } else if (v == NULL) {
            fprintf(stderr, "connect-parquet: %s needs a value\n", a);
            status = 2;
            goto out;
        } else if (strcmp(a, "--schema") == 0) {
            schema_path = v;
        } else if (strcmp(a, "--infer") == 0 && parse_size(v, &sz) == 0 && sz > 0) {
            o.infer_records = sz;
        } else if (strcmp(a, "--on-mismatch") == 0 &&
                   (strcmp(v, "skip") == 0 || strcmp(v, "rotate") == 0)) {
            o.on_mismatch = v[0] == 'r' ? PARQUET_JSON_ROTATE : PARQUET_JSON_SKIP;
        } else if (strcmp(a, "--codec") == 0 && parquet_codec_parse(v) >= 0) {
            o.writer.codec = (enum parquet_codec)parquet_codec_parse(v);
        } else if (strcmp(a, "--level") == 0) {
            o.writer.compression_level = atoi(v);
        } else if (strcmp(a, "--row-group-bytes") == 0 && parse_size(v, &sz) == 0 && sz > 0) {
            o.writer.row_group_bytes = sz;
        } else if (strcmp(a, "--row-group-rows") == 0 && parse_size(v, &sz) == 0) {
            o.writer.row_group_rows = sz;
        } else if (strcmp(a, "--page-bytes") == 0 && parse_size(v, &sz) == 0 && sz > 0) {
            o.writer.page_bytes = sz;
        } else if (strcmp(a, "--page-rows") == 0 && parse_size(v, &sz) == 0 && sz > 0) {
            o.writer.page_rows = sz;
        } else if (strcmp(a, "--page-version") == 0 && (strcmp(v, "1") == 0 ||
                                                          strcmp(v, "2") == 0)) {
            o.writer.page_version = v[0] - '0';
        } else if (strcmp(a, "--dictionary-bytes") == 0 && parse_size(v, &sz) == 0) {
            o.writer.dictionary_page_bytes = sz;
        } else if (strcmp(a, "--memory-cap") == 0 && parse_size(v, &sz) == 0) {
            o.writer.memory_cap = sz;
        } else if (strcmp(a, "--max-line-bytes") == 0 && parse_size(v, &sz) == 0 && sz > 0 &&
                   sz <= ((size_t)1 << 30)) {
            o.max_line_bytes = sz;
        } else if (strcmp(a, "--created-by") == 0) {
            o.writer.created_by = v;
        } else if (strcmp(a, "--kv") == 0 && strchr(v, '=') != NULL && nkv < CLI_MAX_KV) {
            char *copy = kc_strdup(v);
            if (copy == NULL) {
                goto out;
            }
            kv_copy[nkv] = copy;
            *strchr(copy, '=') = '\0';
            kv[2 * nkv] = copy;
            kv[2 * nkv + 1] = copy + strlen(copy) + 1;
            nkv++;
        } else {
            fprintf(stderr, "connect-parquet: bad option or value: %s %s\n", a, v);
            usage(stderr);
            status = 2;
            goto out;
        }
        i += takes;
    }
    if (argc - i != 2) {
        usage(stderr);
        status = 2;
        goto out;
    }
    in_path = argv[i];
    cl.out_path = argv[i + 1];
    o.kv = kv;
    o.nkv = nkv;
    if (schema_path != NULL) {
        schema = load_schema(schema_path, &err);
        if (schema == NULL) {
            fprintf(stderr, "connect-parquet: %s\n", err.msg);
            status = 2;
            goto out;
        }
        o.connect_schema = schema;
    }
    in_fd = strcmp(in_path, "-") == 0 ? STDIN_FILENO : open(in_path, O_RDONLY);
    if (in_fd < 0) {
        fprintf(stderr, "connect-parquet: cannot open %s: %s\n", in_path, strerror(errno));
        goto out;
    }
    rc = parquet_jsonl_new(&c, &o, cli_open, cli_close, cli_bad, &cl, &err);
    if (rc != KC_OK) {
        fprintf(stderr, "connect-parquet: %s\n", err.msg);
        status = rc == KC_EINVAL ? 2 : 3;
        goto out;
    }
    buf = kc_malloc(1 << 20);
    if (buf == NULL) {
        goto out;
    }
    for (;;) {
        ssize_t n = read(in_fd, buf, 1 << 20);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fprintf(stderr, "connect-parquet: reading %s: %s\n", in_path, strerror(errno));
            goto out;
        }
        if (n == 0) {
            break;
        }
        rc = parquet_jsonl_feed(c, buf, (size_t)n, &err);
        if (rc != KC_OK) {
            fprintf(stderr, "connect-parquet: %s\n", err.msg);
            goto out;
        }
    }
    rc = parquet_jsonl_finish(c, &err);
    if (rc != KC_OK) {
        fprintf(stderr, "connect-parquet: %s\n", err.msg);
        goto out;
    }
    fprintf(strcmp(cl.out_path, "-") == 0 ? stderr : stdout,
            "rows written: %llu\nbad records: %llu\nfiles: %u\n",
            (unsigned long long)parquet_jsonl_rows(c),
            (unsigned long long)parquet_jsonl_bad_records(c), parquet_jsonl_files(c));
    status = parquet_jsonl_bad_records(c) > 0 ? 1 : 0;
out:
    if (cl.out != NULL && cl.out != stdout) {
        /* A file left open here has no footer: remove it rather than leave one readers
         * reject. Completed files (closed through cli_close) stay. */
        struct stat sb;
        int regular = fstat(fileno(cl.out), &sb) == 0 && S_ISREG(sb.st_mode);
        fclose(cl.out);
        if (cl.out_name != NULL && regular) {
            unlink(cl.out_name); /* never a device or a pipe the user named */
        }
    }
    kc_free(cl.out_name);
    kc_free(buf);
    parquet_jsonl_free(c);
    json_decref(schema);
    for (size_t k = 0; k < nkv; k++) {
        kc_free(kv_copy[k]);
    }
    if (in_fd > 0) {
        close(in_fd);
    }
    return status;
}
