// CTalyICU: the slice of ICU that Taly's analysis needs, behind a header of stdint types and
// opaque handles only. Debian's ICU headers cannot be imported into Swift (symbols are versioned,
// e.g. ubrk_open_72, and the Clang module clashes with Foundation's bundled ICU), so only the .c
// files of this target include <unicode/...>. The target also holds the analysis kernels that
// need no ICU but do need C: UTF-8 validation and the ASCII word classifier (vector bit masks).
//
// Conventions: functions never abort on bad input. Functions returning int32_t return a value >= 0
// on success and a negative error code on failure: minus an ICU UErrorCode (see
// taly_icu_error_name) or one of the TALY_ICU_E_* codes below. Handles are not thread-safe: use
// one per thread; they are reusable across any number of texts.
#ifndef CTALYICU_H
#define CTALYICU_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// A NULL handle or buffer was passed.
#define TALY_ICU_E_NULL_ARGUMENT (-100001)
/// A text longer than INT32_MAX bytes (ICU indexes are 32-bit).
#define TALY_ICU_E_TEXT_TOO_LONG (-100002)
/// Memory allocation failed inside the wrapper.
#define TALY_ICU_E_OUT_OF_MEMORY (-100003)

/// Returns a static, human-readable name for an error code returned by this library.
const char *taly_icu_error_name(int32_t code);

/// Returns the offset of the first byte of the first ill-formed UTF-8 sequence in text, or -1 when
/// all `length` bytes are well-formed UTF-8 (surrogates and non-shortest forms are ill-formed).
int64_t taly_utf8_first_invalid(const uint8_t *text, int64_t length);

// MARK: - Word segmentation (UAX #29 through ubrk)

/// An ICU word break iterator bound to a UTF-8 UText; boundaries are UTF-8 byte offsets.
typedef struct TalyWordBreaker TalyWordBreaker;

/// Opens a root-locale word break iterator; on failure returns NULL and sets *error (< 0).
TalyWordBreaker *taly_word_breaker_open(int32_t *error);

/// Closes a breaker; NULL is allowed.
void taly_word_breaker_close(TalyWordBreaker *breaker);

/// Points the breaker at new UTF-8 text (not copied: it must stay valid and unchanged while
/// segments are read). Returns 0 or a negative error code.
int32_t taly_word_breaker_set_text(TalyWordBreaker *breaker, const uint8_t *text, int64_t length);

/// Fills `segments` with up to `capacity` word-like segments as triples (start, end, status):
/// byte offsets [start, end) into the text and the ICU rule status, keeping only segments whose
/// status is >= UBRK_WORD_NONE_LIMIT (100: numbers, letters, kana, ideographs). Returns the
/// number of triples written; 0 means the text is exhausted. Call repeatedly to continue.
int32_t taly_word_breaker_next_words(TalyWordBreaker *breaker, int32_t *segments, int32_t capacity);

// MARK: - NFKC case folding (unorm2 NFKC_Casefold)

/// Reusable UTF-16 scratch space for NFKC_Casefold of UTF-8 strings.
typedef struct TalyCaseFolder TalyCaseFolder;

/// Opens a case folder; on failure returns NULL and sets *error (< 0).
TalyCaseFolder *taly_case_folder_open(int32_t *error);

/// Closes a case folder; NULL is allowed.
void taly_case_folder_close(TalyCaseFolder *folder);

/// Writes NFKC_Casefold(source) as UTF-8 into destination and returns its length in bytes. When
/// the result is longer than `capacity` it returns the needed length and the destination content
/// is unspecified: call again with a larger buffer. Returns a negative error code on failure
/// (e.g. ill-formed UTF-8 input).
int32_t taly_case_folder_fold(
    TalyCaseFolder *folder, const uint8_t *source, int32_t length, uint8_t *destination, int32_t capacity);

// MARK: - ASCII word classification (the standard analyzer's fast path; no ICU involved)

/// Pick the fastest implementation the CPU supports.
#define TALY_ASCII_WORDS_BEST 0
/// One byte at a time (the only implementation off x86-64).
#define TALY_ASCII_WORDS_SCALAR 1
/// 16-byte SSE2 compares (x86-64 baseline).
#define TALY_ASCII_WORDS_SSE2 2
/// 32-byte AVX2 compares, when the CPU has AVX2 (else SSE2).
#define TALY_ASCII_WORDS_AVX2 3

/// Folds A-Z to a-z in place in `text` and sets bit i of word_masks[k] when byte 64k + i belongs
/// to a word under the rules of ASCIIWordTokenizer (letters, digits, '_', '@'; '.' and '\'' between
/// two letters; '.', '\'', ',' and ';' between two digits). `word_masks` must hold
/// (length + 63) / 64 words; bits past `length` are 0. Returns the number of maximal runs of word
/// bytes, or -1 as soon as a byte >= 0x80 is seen (the text is then partly folded: not ASCII).
/// `implementation` is one of TALY_ASCII_WORDS_*; all give identical results.
int64_t taly_ascii_words(uint8_t *text, int64_t length, uint64_t *word_masks, int32_t implementation);

#ifdef __cplusplus
}
#endif

#endif  // CTALYICU_H
