// CRC-32C (Castagnoli), the checksum in the footer of every index file. The hardware instruction
// (SSE 4.2) is chosen at run time, so the binary still runs on the x86-64 baseline.
#ifndef CTALYCHECKSUM_H
#define CTALYCHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Continues a CRC-32C over `length` bytes: pass 0 to start, and the previous result to go on.
uint32_t taly_crc32c_update(uint32_t crc, const void *bytes, size_t length);

/// The table implementation alone, for the test that both paths agree.
uint32_t taly_crc32c_update_software(uint32_t crc, const void *bytes, size_t length);

/// 1 when the SSE 4.2 crc32 instruction is used, 0 for the table fallback.
int taly_crc32c_is_hardware(void);

#ifdef __cplusplus
}
#endif

#endif
