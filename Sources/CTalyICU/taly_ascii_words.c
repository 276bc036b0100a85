// The classification kernel of the standard analyzer's ASCII fast path: which bytes belong to a
// word, 64 bytes per mask word, with A-Z folded to a-z in place. The word rules themselves are
// documented (and tested against ICU) in Swift's ASCIIWordTokenizer; this file only evaluates
// them with vector compares, because Swift cannot turn a vector comparison into a bit mask
// (pmovmskb). x86-64 uses SSE2 (the baseline) or AVX2 when the CPU has it; other architectures
// use a portable byte loop with the same results.
#include "CTalyICU.h"

#include <string.h>

/// Bit masks of one 64-byte block: bit i describes byte i.
typedef struct {
    uint64_t letter;      // A-Z, a-z, '@' (ALetter in ICU's root rules)
    uint64_t digit;       // 0-9
    uint64_t word;        // letter, digit or '_': always part of a word
    uint64_t mid_letter;  // '.' and '\'': join letter-letter (WB6/7)
    uint64_t mid_number;  // '.', '\'', ',', ';': join digit-digit (WB11/12)
    uint64_t high;        // bytes >= 0x80: not ASCII
} BlockClasses;

#if defined(__x86_64__)
#include <immintrin.h>

/// Hides a movemask result from the optimizer. Without it clang merges the two 32-bit masks of a
/// block into one 64-lane boolean vector, which AVX2 cannot move to a register in one
/// instruction, and lowers that to 64 byte extracts (measured: 18 instructions per byte).
#define TALY_OPAQUE(value)                  \
    ({                                      \
        uint32_t opaque = (uint32_t)(value); \
        __asm__("" : "+r"(opaque));         \
        opaque;                             \
    })

/// The masks of 16 or 32 bytes (movemask results).
typedef struct {
    uint32_t letter, digit, word, mid_letter, mid_number, high;
} PartClasses;

/// Classifies and folds 16 bytes.
static inline __attribute__((always_inline)) PartClasses classify16(const uint8_t *source, uint8_t *folded) {
    __m128i v = _mm_loadu_si128((const __m128i *)source);
    // Signed compares are exact here: every byte that matters is below 0x80, and bytes above
    // make the whole text non-ASCII anyway.
    __m128i lower = _mm_or_si128(v, _mm_set1_epi8(0x20));
    __m128i letter = _mm_and_si128(
        _mm_cmpgt_epi8(lower, _mm_set1_epi8('a' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('z' + 1), lower));
    __m128i upper =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('A' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('Z' + 1), v));
    letter = _mm_or_si128(letter, _mm_cmpeq_epi8(v, _mm_set1_epi8('@')));
    __m128i digit =
        _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)), _mm_cmpgt_epi8(_mm_set1_epi8('9' + 1), v));
    __m128i word = _mm_or_si128(_mm_or_si128(letter, digit), _mm_cmpeq_epi8(v, _mm_set1_epi8('_')));
    __m128i mid_letter = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('.')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\'')));
    __m128i mid_number = _mm_or_si128(
        mid_letter, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(',')), _mm_cmpeq_epi8(v, _mm_set1_epi8(';'))));
    _mm_storeu_si128((__m128i *)folded, _mm_or_si128(v, _mm_and_si128(upper, _mm_set1_epi8(0x20))));
    PartClasses part = {
        TALY_OPAQUE(_mm_movemask_epi8(letter)),     TALY_OPAQUE(_mm_movemask_epi8(digit)),
        TALY_OPAQUE(_mm_movemask_epi8(word)),       TALY_OPAQUE(_mm_movemask_epi8(mid_letter)),
        TALY_OPAQUE(_mm_movemask_epi8(mid_number)), TALY_OPAQUE(_mm_movemask_epi8(v)),
    };
    return part;
}

/// Places the 16-bit masks of four quarters into a block's 64-bit mask.
#define TALY_COMBINE4(out, a, b, c, d, field)                                                       \
    (out).field = (uint64_t)(a).field | ((uint64_t)(b).field << 16) | ((uint64_t)(c).field << 32) | \
                  ((uint64_t)(d).field << 48)

static inline __attribute__((always_inline)) BlockClasses classify_block_sse2(
    const uint8_t *source, uint8_t *folded) {
    PartClasses a = classify16(source, folded);
    PartClasses b = classify16(source + 16, folded + 16);
    PartClasses c = classify16(source + 32, folded + 32);
    PartClasses d = classify16(source + 48, folded + 48);
    BlockClasses block;
    TALY_COMBINE4(block, a, b, c, d, letter);
    TALY_COMBINE4(block, a, b, c, d, digit);
    TALY_COMBINE4(block, a, b, c, d, word);
    TALY_COMBINE4(block, a, b, c, d, mid_letter);
    TALY_COMBINE4(block, a, b, c, d, mid_number);
    TALY_COMBINE4(block, a, b, c, d, high);
    return block;
}

/// The same as classify16 on 32 bytes.
__attribute__((target("avx2"))) static inline __attribute__((always_inline)) PartClasses classify32(
    const uint8_t *source, uint8_t *folded) {
    __m256i v = _mm256_loadu_si256((const __m256i *)source);
    __m256i lower = _mm256_or_si256(v, _mm256_set1_epi8(0x20));
    __m256i letter = _mm256_and_si256(
        _mm256_cmpgt_epi8(lower, _mm256_set1_epi8('a' - 1)), _mm256_cmpgt_epi8(_mm256_set1_epi8('z' + 1), lower));
    __m256i upper = _mm256_and_si256(
        _mm256_cmpgt_epi8(v, _mm256_set1_epi8('A' - 1)), _mm256_cmpgt_epi8(_mm256_set1_epi8('Z' + 1), v));
    letter = _mm256_or_si256(letter, _mm256_cmpeq_epi8(v, _mm256_set1_epi8('@')));
    __m256i digit = _mm256_and_si256(
        _mm256_cmpgt_epi8(v, _mm256_set1_epi8('0' - 1)), _mm256_cmpgt_epi8(_mm256_set1_epi8('9' + 1), v));
    __m256i word = _mm256_or_si256(_mm256_or_si256(letter, digit), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('_')));
    __m256i mid_letter =
        _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8('.')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8('\'')));
    __m256i mid_number = _mm256_or_si256(
        mid_letter,
        _mm256_or_si256(_mm256_cmpeq_epi8(v, _mm256_set1_epi8(',')), _mm256_cmpeq_epi8(v, _mm256_set1_epi8(';'))));
    _mm256_storeu_si256((__m256i *)folded, _mm256_or_si256(v, _mm256_and_si256(upper, _mm256_set1_epi8(0x20))));
    PartClasses part = {
        TALY_OPAQUE(_mm256_movemask_epi8(letter)),     TALY_OPAQUE(_mm256_movemask_epi8(digit)),
        TALY_OPAQUE(_mm256_movemask_epi8(word)),       TALY_OPAQUE(_mm256_movemask_epi8(mid_letter)),
        TALY_OPAQUE(_mm256_movemask_epi8(mid_number)), TALY_OPAQUE(_mm256_movemask_epi8(v)),
    };
    return part;
}

__attribute__((target("avx2"))) static inline __attribute__((always_inline)) BlockClasses classify_block_avx2(
    const uint8_t *source, uint8_t *folded) {
    PartClasses low = classify32(source, folded);
    PartClasses upper = classify32(source + 32, folded + 32);
    BlockClasses block;
    block.letter = (uint64_t)low.letter | ((uint64_t)upper.letter << 32);
    block.digit = (uint64_t)low.digit | ((uint64_t)upper.digit << 32);
    block.word = (uint64_t)low.word | ((uint64_t)upper.word << 32);
    block.mid_letter = (uint64_t)low.mid_letter | ((uint64_t)upper.mid_letter << 32);
    block.mid_number = (uint64_t)low.mid_number | ((uint64_t)upper.mid_number << 32);
    block.high = (uint64_t)low.high | ((uint64_t)upper.high << 32);
    return block;
}
#endif

/// The portable classifier: one byte at a time, same masks.
static inline __attribute__((always_inline)) BlockClasses classify_block_scalar(
    const uint8_t *source, uint8_t *folded) {
    BlockClasses block = {0, 0, 0, 0, 0, 0};
    BlockClasses *classes = &block;
    for (int i = 0; i < 64; i++) {
        uint8_t byte = source[i];
        uint8_t lower = byte | 0x20;
        uint64_t bit = UINT64_C(1) << i;
        int is_letter = (lower >= 'a' && lower <= 'z') || byte == '@';
        int is_digit = byte >= '0' && byte <= '9';
        int is_mid_letter = byte == '.' || byte == '\'';
        classes->letter |= is_letter ? bit : 0;
        classes->digit |= is_digit ? bit : 0;
        classes->word |= (is_letter || is_digit || byte == '_') ? bit : 0;
        classes->mid_letter |= is_mid_letter ? bit : 0;
        classes->mid_number |= (is_mid_letter || byte == ',' || byte == ';') ? bit : 0;
        classes->high |= byte >= 0x80 ? bit : 0;
        folded[i] = (byte >= 'A' && byte <= 'Z') ? (uint8_t)(byte | 0x20) : byte;
    }
    return block;
}

/// Joins mid characters between two letters or two digits, and counts the word segments that
/// start in the block. `before` holds the previous block's letter/digit/word bit 63 in bit 0,
/// `next_letter`/`next_digit` the next block's bit 0 (0 past the end of the text).
typedef struct {
    uint64_t letter_before, digit_before, word_before;
    int64_t segments;
} JoinState;

static inline __attribute__((always_inline)) uint64_t finish_block(
    const BlockClasses *block, uint64_t next_letter, uint64_t next_digit, JoinState *state) {
    uint64_t letter_left = (block->letter << 1) | state->letter_before;
    uint64_t letter_right = (block->letter >> 1) | (next_letter << 63);
    uint64_t digit_left = (block->digit << 1) | state->digit_before;
    uint64_t digit_right = (block->digit >> 1) | (next_digit << 63);
    uint64_t joined =
        (block->mid_letter & letter_left & letter_right) | (block->mid_number & digit_left & digit_right);
    uint64_t word = block->word | joined;
    uint64_t starts = word & ~((word << 1) | state->word_before);
    state->segments += __builtin_popcountll(starts);
    state->letter_before = block->letter >> 63;
    state->digit_before = block->digit >> 63;
    state->word_before = word >> 63;
    return word;
}

/// The whole pass, instantiated once per classifier so each inlines its own block function.
#define TALY_ASCII_WORDS_BODY(classify_block)                                                      \
    int64_t blocks = (length + 63) / 64;                                                           \
    JoinState state = {0, 0, 0, 0};                                                                \
    BlockClasses previous;                                                                         \
    BlockClasses current;                                                                          \
    for (int64_t block = 0; block < blocks; block++) {                                             \
        uint8_t *bytes = text + block * 64;                                                        \
        int64_t remaining = length - block * 64;                                                   \
        if (remaining >= 64) {                                                                     \
            current = classify_block(bytes, bytes);                                                \
        } else {                                                                                   \
            /* The tail: zero bytes are separators, so padding never extends a word. */            \
            uint8_t padded[64] = {0};                                                              \
            memcpy(padded, bytes, (size_t)remaining);                                              \
            current = classify_block(padded, padded);                                              \
            memcpy(bytes, padded, (size_t)remaining);                                              \
        }                                                                                          \
        if (current.high != 0) {                                                                   \
            return -1;                                                                             \
        }                                                                                          \
        if (block > 0) {                                                                           \
            word_masks[block - 1] = finish_block(&previous, current.letter & 1, current.digit & 1, \
                                                 &state);                                          \
        }                                                                                          \
        previous = current;                                                                        \
    }                                                                                              \
    if (blocks > 0) {                                                                              \
        word_masks[blocks - 1] = finish_block(&previous, 0, 0, &state);                            \
    }                                                                                              \
    return state.segments;

static int64_t ascii_words_scalar(uint8_t *text, int64_t length, uint64_t *word_masks) {
    TALY_ASCII_WORDS_BODY(classify_block_scalar)
}

#if defined(__x86_64__)
static int64_t ascii_words_sse2(uint8_t *text, int64_t length, uint64_t *word_masks) {
    TALY_ASCII_WORDS_BODY(classify_block_sse2)
}

__attribute__((target("avx2,popcnt"))) static int64_t ascii_words_avx2(
    uint8_t *text, int64_t length, uint64_t *word_masks) {
    TALY_ASCII_WORDS_BODY(classify_block_avx2)
}
#endif

int64_t taly_ascii_words(uint8_t *text, int64_t length, uint64_t *word_masks, int32_t implementation) {
    if (text == NULL || length <= 0) {
        return 0;
    }
#if defined(__x86_64__)
    if (implementation == TALY_ASCII_WORDS_BEST) {
        implementation = __builtin_cpu_supports("avx2") ? TALY_ASCII_WORDS_AVX2 : TALY_ASCII_WORDS_SSE2;
    }
    if (implementation == TALY_ASCII_WORDS_AVX2 && __builtin_cpu_supports("avx2")) {
        return ascii_words_avx2(text, length, word_masks);
    }
    if (implementation != TALY_ASCII_WORDS_SCALAR) {
        return ascii_words_sse2(text, length, word_masks);
    }
#endif
    (void)implementation;
    return ascii_words_scalar(text, length, word_masks);
}
