// CRC-32C with runtime dispatch: SSE 4.2 `crc32` when the CPU has it, else slicing-by-8 tables.
// Both compute the same function (reflected polynomial 0x82F63B78), which a test checks.
#include "CTalyChecksum.h"

#include <pthread.h>
#include <string.h>

static uint32_t table[8][256];
static int hardware = 0;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void build_tables(void) {
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = n;
        for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
        table[0][n] = crc;
    }
    for (uint32_t n = 0; n < 256; n++) {
        uint32_t crc = table[0][n];
        for (int k = 1; k < 8; k++) {
            crc = table[0][crc & 0xFF] ^ (crc >> 8);
            table[k][n] = crc;
        }
    }
}

static uint32_t crc32c_software(uint32_t crc, const uint8_t *p, size_t n) {
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);  // little-endian load, unaligned-safe
        word ^= crc;
        crc = table[7][word & 0xFF] ^ table[6][(word >> 8) & 0xFF] ^ table[5][(word >> 16) & 0xFF] ^
              table[4][(word >> 24) & 0xFF] ^ table[3][(word >> 32) & 0xFF] ^ table[2][(word >> 40) & 0xFF] ^
              table[1][(word >> 48) & 0xFF] ^ table[0][word >> 56];
        p += 8;
        n -= 8;
    }
    while (n--) crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
    return crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_hardware(uint32_t crc, const uint8_t *p, size_t n) {
    uint64_t c = crc;
    while (n >= 8) {
        uint64_t word;
        memcpy(&word, p, 8);
        c = __builtin_ia32_crc32di(c, word);
        p += 8;
        n -= 8;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--) c32 = __builtin_ia32_crc32qi(c32, *p++);
    return c32;
}
#endif

static void initialize(void) {
    build_tables();
#if defined(__x86_64__)
    __builtin_cpu_init();
    hardware = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#endif
}

int taly_crc32c_is_hardware(void) {
    pthread_once(&once, initialize);
    return hardware;
}

uint32_t taly_crc32c_update_software(uint32_t crc, const void *bytes, size_t length) {
    pthread_once(&once, initialize);
    return ~crc32c_software(~crc, (const uint8_t *)bytes, length);
}

uint32_t taly_crc32c_update(uint32_t crc, const void *bytes, size_t length) {
    pthread_once(&once, initialize);
    crc = ~crc;
#if defined(__x86_64__)
    if (hardware) return ~crc32c_hardware(crc, (const uint8_t *)bytes, length);
#endif
    return ~crc32c_software(crc, (const uint8_t *)bytes, length);
}
