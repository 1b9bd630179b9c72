/*
 * worker/murmur2.c: a faithful port of Kafka's Utils.murmur2. Java does the arithmetic on signed
 * 32-bit ints with wrap-around and logical shifts (>>>); we do it on uint32_t, which gives the
 * same bits without signed-overflow undefined behaviour, and convert back at the end.
 */
#include "murmur2.h"

#include <assert.h>

int32_t murmur2_hash(const void *data, size_t len)
{
    const uint8_t *p = data;
    const uint32_t seed = 0x9747b28cu;
    const uint32_t m = 0x5bd1e995u;
    const int r = 24;
    /* Java's length is an int; keys are short, but keep the truncation explicit. */
    uint32_t length = (uint32_t)len;
    uint32_t h = seed ^ length;
    uint32_t length4 = length / 4;

    for (uint32_t i = 0; i < length4; i++) {
        uint32_t i4 = i * 4;
        uint32_t k = (uint32_t)p[i4] | ((uint32_t)p[i4 + 1] << 8) | ((uint32_t)p[i4 + 2] << 16) |
                     ((uint32_t)p[i4 + 3] << 24);
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }

    /* Java's switch falls through from 3 to 1; spelled out here to keep -Wimplicit-fallthrough
     * quiet. */
    uint32_t tail = length & ~3u;
    switch (length % 4) {
    case 3:
        h ^= (uint32_t)p[tail + 2] << 16;
        h ^= (uint32_t)p[tail + 1] << 8;
        h ^= (uint32_t)p[tail];
        h *= m;
        break;
    case 2:
        h ^= (uint32_t)p[tail + 1] << 8;
        h ^= (uint32_t)p[tail];
        h *= m;
        break;
    case 1:
        h ^= (uint32_t)p[tail];
        h *= m;
        break;
    default:
        break;
    }

    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return (int32_t)h;
}

int32_t murmur2_to_positive(int32_t h)
{
    return (int32_t)((uint32_t)h & 0x7fffffffu);
}

int32_t murmur2_partition(const void *key, size_t len, int32_t n_partitions)
{
    assert(n_partitions > 0);
    return murmur2_to_positive(murmur2_hash(key, len)) % n_partitions;
}
