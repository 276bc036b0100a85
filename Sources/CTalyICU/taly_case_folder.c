// TalyCaseFolder: NFKC_Casefold (unorm2) from UTF-8 to UTF-8 with reusable UTF-16 scratch space.
#include "CTalyICU.h"

#include <stdlib.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

struct TalyCaseFolder {
    // The shared NFKC_Casefold instance is owned by ICU and must not be closed.
    const UNormalizer2 *normalizer;
    // ICU normalizes UTF-16 only: the input is converted into `source`, folded into `folded`.
    UChar *source;
    int32_t sourceCapacity;
    UChar *folded;
    int32_t foldedCapacity;
};

TalyCaseFolder *taly_case_folder_open(int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *normalizer = unorm2_getNFKCCasefoldInstance(&status);
    if (U_FAILURE(status)) {
        if (error != NULL) {
            *error = -(int32_t)status;
        }
        return NULL;
    }
    TalyCaseFolder *folder = calloc(1, sizeof(TalyCaseFolder));
    if (folder == NULL) {
        if (error != NULL) {
            *error = TALY_ICU_E_OUT_OF_MEMORY;
        }
        return NULL;
    }
    folder->normalizer = normalizer;
    if (error != NULL) {
        *error = 0;
    }
    return folder;
}

void taly_case_folder_close(TalyCaseFolder *folder) {
    if (folder == NULL) {
        return;
    }
    free(folder->source);
    free(folder->folded);
    free(folder);
}

// Grows *buffer to hold at least `needed` UTF-16 units; returns 0 on success.
static int32_t taly_reserve(UChar **buffer, int32_t *capacity, int32_t needed) {
    if (needed <= *capacity) {
        return 0;
    }
    int64_t grown = (int64_t)needed + needed / 2 + 16;
    if (grown > INT32_MAX) {
        grown = INT32_MAX;
    }
    UChar *resized = realloc(*buffer, (size_t)grown * sizeof(UChar));
    if (resized == NULL) {
        return TALY_ICU_E_OUT_OF_MEMORY;
    }
    *buffer = resized;
    *capacity = (int32_t)grown;
    return 0;
}

int32_t taly_case_folder_fold(
    TalyCaseFolder *folder, const uint8_t *source, int32_t length, uint8_t *destination, int32_t capacity) {
    if (folder == NULL || (source == NULL && length != 0) || length < 0 || capacity < 0 ||
        (destination == NULL && capacity != 0)) {
        return TALY_ICU_E_NULL_ARGUMENT;
    }
    if (length == 0) {
        return 0;
    }
    // A UTF-8 string never has more UTF-16 units than bytes.
    int32_t reserved = taly_reserve(&folder->source, &folder->sourceCapacity, length);
    if (reserved != 0) {
        return reserved;
    }
    UErrorCode status = U_ZERO_ERROR;
    int32_t sourceLength = 0;
    u_strFromUTF8(folder->source, folder->sourceCapacity, &sourceLength, (const char *)source, length, &status);
    if (U_FAILURE(status)) {
        return -(int32_t)status;
    }
    reserved = taly_reserve(&folder->folded, &folder->foldedCapacity, sourceLength + 8);
    if (reserved != 0) {
        return reserved;
    }
    int32_t foldedLength =
        unorm2_normalize(folder->normalizer, folder->source, sourceLength, folder->folded, folder->foldedCapacity,
                         &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        // Rare expansions (e.g. U+FDFA folds to 18 code units): retry once at the exact size.
        status = U_ZERO_ERROR;
        reserved = taly_reserve(&folder->folded, &folder->foldedCapacity, foldedLength);
        if (reserved != 0) {
            return reserved;
        }
        foldedLength = unorm2_normalize(folder->normalizer, folder->source, sourceLength, folder->folded,
                                        folder->foldedCapacity, &status);
    }
    if (U_FAILURE(status)) {
        return -(int32_t)status;
    }
    int32_t outputLength = 0;
    u_strToUTF8((char *)destination, capacity, &outputLength, folder->folded, foldedLength, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        // The caller retries with a buffer of outputLength bytes.
        return outputLength;
    }
    if (U_FAILURE(status)) {
        return -(int32_t)status;
    }
    return outputLength;
}
