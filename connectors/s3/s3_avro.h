/*
 * connectors/s3/s3_avro.h: an Avro object container file into an S3 object, for Confluent's
 * AvroFormat (format.class=io.confluent.connect.s3.format.avro.AvroFormat): what its
 * AvroRecordWriterProvider writes through Avro's DataFileWriter. The header ("Obj\1", the
 * metadata avro.schema and avro.codec, a 16-byte sync marker), then blocks of records: each a
 * record count, a byte count, the records' Avro binary through the codec, and the sync marker.
 * A block is written when it reaches 64,000 bytes (DataFileWriter's sync interval), when the
 * file is finished, or early when the sink's byte budget asks. The schema is the Connect
 * schema's Avro schema (avro_enc.h), taken from the file's first record.
 *
 * Codecs (avro.codec): null, deflate (raw DEFLATE, zlib level 6 as Java's Deflater default),
 * snappy (raw Snappy and the big-endian CRC-32 of the uncompressed block), bzip2 (block size
 * 900k), xz (preset 6, CRC-64) and zstandard (level 3), as Avro's CodecFactory names them.
 *
 * The sync marker is derived from the object's key (MD5), not random as Java's: the same
 * records rewritten after a crash give the same bytes.
 *
 * @thread caller: one writer per open file, on the task thread.
 */
#ifndef S3_AVRO_H
#define S3_AVRO_H

#include <stddef.h>
#include <stdint.h>

#include "avro_enc.h"
#include "cdata.h"
#include "kc_buf.h"
#include "kc_error.h"
#include "s3_store.h"

enum s3_avro_codec {
    S3_AVRO_NULL = 0,
    S3_AVRO_DEFLATE,
    S3_AVRO_SNAPPY,
    S3_AVRO_BZIP2,
    S3_AVRO_XZ,
    S3_AVRO_ZSTANDARD
};

/* Avro's sync interval (DataFileConstants.DEFAULT_SYNC_INTERVAL) */
#define S3_AVRO_BLOCK_BYTES 64000

/* avro.codec's names, NULL-ended (conf_validate_in) */
extern const char *const s3_avro_codecs[];
/* The codec of a name from s3_avro_codecs; -1 for any other. */
int s3_avro_codec_parse(const char *name);

struct s3_avro;

/*
 * A writer for values of Connect schema `schema` (NULL: schemaless) into the object named key
 * (its sync marker); the header goes out with the first block. KC_EINVAL when AvroData would
 * refuse the schema (err says why: the record is the one to blame), KC_ENOMEM.
 */
int s3_avro_new(const struct cdata_schema *schema, enum s3_avro_codec codec, const char *key,
                struct s3_avro **out, struct kc_error *err);
/* The fingerprint (cdata_schema_fingerprint) of the schema the file was begun with. */
uint64_t s3_avro_fingerprint(const struct s3_avro *w);

/* Encode v into scratch (reset first): KC_EINVAL when it does not fit the schema (err: the
 * DataException's message). Nothing is written to the file. */
int s3_avro_encode(const struct s3_avro *w, const struct cdata_value *v, struct kc_buf *scratch,
                   struct kc_error *err);
/* Add one encoded record (s3_avro_encode's scratch) to the block; a full block is written to o
 * (packed: a scratch buffer for the codec's output, shared by the sink's files). */
int s3_avro_append(struct s3_avro *w, const struct kc_buf *rec, struct s3_object *o,
                   struct kc_buf *packed, struct kc_error *err);
/* Write the pending block, if any (the file's end, or the byte budget): after it the writer
 * holds no record bytes. */
int s3_avro_flush(struct s3_avro *w, struct s3_object *o, struct kc_buf *packed,
                  struct kc_error *err);
/* Bytes of records waiting in the block; heap the writer holds. Accept NULL (0). */
size_t s3_avro_buffered(const struct s3_avro *w);
size_t s3_avro_footprint(const struct s3_avro *w);
/* Accepts NULL. */
void s3_avro_free(struct s3_avro *w);

#endif
