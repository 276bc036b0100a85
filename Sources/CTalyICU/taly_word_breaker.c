// TalyWordBreaker: a UAX #29 word break iterator (ICU ubrk, root locale) over UTF-8 text.
#include "CTalyICU.h"

#include <stdlib.h>
#include <unicode/ubrk.h>
#include <unicode/utext.h>

struct TalyWordBreaker {
    UBreakIterator *iterator;
    // utext_openUTF8 reuses this struct, so setting a new text allocates nothing; UTF-8 native
    // indexes make every boundary a byte offset into the caller's text.
    UText *text;
    // The boundary where the next segment starts, or UBRK_DONE once the text is exhausted.
    int32_t current;
};

TalyWordBreaker *taly_word_breaker_open(int32_t *error) {
    UErrorCode status = U_ZERO_ERROR;
    TalyWordBreaker *breaker = calloc(1, sizeof(TalyWordBreaker));
    if (breaker == NULL) {
        if (error != NULL) {
            *error = TALY_ICU_E_OUT_OF_MEMORY;
        }
        return NULL;
    }
    breaker->current = UBRK_DONE;
    breaker->iterator = ubrk_open(UBRK_WORD, "", NULL, 0, &status);
    if (U_SUCCESS(status)) {
        breaker->text = utext_openUTF8(NULL, "", 0, &status);
    }
    if (U_SUCCESS(status)) {
        ubrk_setUText(breaker->iterator, breaker->text, &status);
    }
    if (U_FAILURE(status)) {
        taly_word_breaker_close(breaker);
        if (error != NULL) {
            *error = -(int32_t)status;
        }
        return NULL;
    }
    if (error != NULL) {
        *error = 0;
    }
    return breaker;
}

void taly_word_breaker_close(TalyWordBreaker *breaker) {
    if (breaker == NULL) {
        return;
    }
    if (breaker->iterator != NULL) {
        ubrk_close(breaker->iterator);
    }
    if (breaker->text != NULL) {
        utext_close(breaker->text);
    }
    free(breaker);
}

int32_t taly_word_breaker_set_text(TalyWordBreaker *breaker, const uint8_t *text, int64_t length) {
    if (breaker == NULL || (text == NULL && length != 0) || length < 0) {
        return TALY_ICU_E_NULL_ARGUMENT;
    }
    if (length > INT32_MAX) {
        return TALY_ICU_E_TEXT_TOO_LONG;
    }
    UErrorCode status = U_ZERO_ERROR;
    static const char empty[1] = {0};
    const char *chars = length == 0 ? empty : (const char *)text;
    breaker->text = utext_openUTF8(breaker->text, chars, length, &status);
    if (U_SUCCESS(status)) {
        ubrk_setUText(breaker->iterator, breaker->text, &status);
    }
    if (U_FAILURE(status)) {
        breaker->current = UBRK_DONE;
        return -(int32_t)status;
    }
    breaker->current = ubrk_first(breaker->iterator);
    return 0;
}

int32_t taly_word_breaker_next_words(TalyWordBreaker *breaker, int32_t *segments, int32_t capacity) {
    if (breaker == NULL || segments == NULL || capacity < 0) {
        return TALY_ICU_E_NULL_ARGUMENT;
    }
    int32_t written = 0;
    // One C call fills many segments: a Swift → C call per boundary would cost more than the
    // segmentation of a short word.
    while (written < capacity && breaker->current != UBRK_DONE) {
        int32_t start = breaker->current;
        int32_t end = ubrk_next(breaker->iterator);
        breaker->current = end;
        if (end == UBRK_DONE) {
            break;
        }
        // The status of the rule that ended this segment; the largest value when several apply.
        int32_t status = ubrk_getRuleStatus(breaker->iterator);
        if (status >= UBRK_WORD_NONE_LIMIT) {
            segments[3 * written] = start;
            segments[3 * written + 1] = end;
            segments[3 * written + 2] = status;
            written += 1;
        }
    }
    return written;
}
