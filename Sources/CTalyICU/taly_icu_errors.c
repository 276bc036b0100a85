// Error names and UTF-8 validation shared by the CTalyICU handles.
#include "CTalyICU.h"

#include <unicode/utf8.h>
#include <unicode/utypes.h>

const char *taly_icu_error_name(int32_t code) {
    switch (code) {
    case TALY_ICU_E_NULL_ARGUMENT:
        return "TALY_ICU_E_NULL_ARGUMENT";
    case TALY_ICU_E_TEXT_TOO_LONG:
        return "TALY_ICU_E_TEXT_TOO_LONG";
    case TALY_ICU_E_OUT_OF_MEMORY:
        return "TALY_ICU_E_OUT_OF_MEMORY";
    default:
        break;
    }
    // Our codes are minus an ICU UErrorCode; u_errorName knows every ICU value (and warnings).
    if (code <= 0 && code > -U_ERROR_LIMIT) {
        return u_errorName((UErrorCode)(-code));
    }
    return "TALY_ICU_E_UNKNOWN";
}

int64_t taly_utf8_first_invalid(const uint8_t *text, int64_t length) {
    if (text == NULL || length <= 0) {
        return -1;
    }
    int64_t i = 0;
    // ASCII runs dominate real text: skip them eight bytes at a time before decoding.
    while (i < length) {
        while (i + 8 <= length) {
            uint64_t word;
            __builtin_memcpy(&word, text + i, 8);
            if (word & UINT64_C(0x8080808080808080)) {
                break;
            }
            i += 8;
        }
        if (i >= length) {
            break;
        }
        if (text[i] < 0x80) {
            i += 1;
            continue;
        }
        // U8_NEXT works on int32 indexes; decode from a window so long texts do not overflow.
        int32_t window = (length - i) > 4 ? 4 : (int32_t)(length - i);
        int32_t j = 0;
        UChar32 c;
        U8_NEXT(text + i, j, window, c);
        if (c < 0) {
            return i;
        }
        i += j;
    }
    return -1;
}
