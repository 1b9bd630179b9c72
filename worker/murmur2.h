/*
 * worker/murmur2.h: the Java producer's key hash, so records we write to the status topic land in
 * the partition a JVM worker would pick for the same key (connect-compat.md §0.3). Two live copies
 * of one status key in two partitions would survive compaction and confuse every reader.
 */
#ifndef MURMUR2_H
#define MURMUR2_H

#include <stddef.h>
#include <stdint.h>

/* org.apache.kafka.common.utils.Utils.murmur2(byte[]): seed 0x9747b28c. @thread any */
int32_t murmur2_hash(const void *data, size_t len);

/* Utils.toPositive: h & 0x7fffffff (not abs(), which would differ for INT32_MIN). @thread any */
int32_t murmur2_to_positive(int32_t h);

/*
 * The default partitioner's choice for a non-null key: toPositive(murmur2(key)) % n_partitions
 * (BuiltInPartitioner.partitionForKey). n_partitions must be > 0. @thread any
 */
int32_t murmur2_partition(const void *key, size_t len, int32_t n_partitions);

#endif
