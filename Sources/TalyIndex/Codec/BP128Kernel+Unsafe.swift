/// The SIMD-BP128 pack and unpack loops for one bit width fixed at compile time.
///
/// Layout (Lemire & Boytsov 2015, "Decoding billions of integers per second through vectorization",
/// SPE 45(1), the vertical "4 lanes" layout of simdcomp): a block holds 128 values; value `i` lives in lane `i % 4`
/// and is the `i / 4`-th value of that lane. Each lane is a little-endian bit stream of 32 values of `bitWidth`
/// bits, and the four streams are interleaved one 32-bit word at a time, so the block is `bitWidth` 16-byte words
/// and unpacking row `r` (values `4r ..< 4r + 4`) is one `SIMD4<UInt32>` shift, or and mask.
///
/// `bitWidth` is a generic value parameter, so each width gets its own specialization in which the 32-row loop is
/// fully unrolled and every shift amount is a constant: the per-width routines of simdcomp without generated source.
/// Assumes a little-endian host (x86-64, arm64), which is also the byte order on disk.
enum BP128Kernel<let bitWidth: Int> {
    /// The lane mask, `2^bitWidth - 1`.
    @inline(__always)
    static var mask: SIMD4<UInt32> {
        SIMD4(repeating: bitWidth >= 32 ? UInt32.max : (UInt32(1) &<< UInt32(bitWidth)) &- 1)
    }

    /// Unpacks one block of `16 * bitWidth` bytes at `source` (any alignment) into 128 values at `destination`,
    /// passing each row of 4 values through `transform` (identity, or a prefix sum for delta-coded doc ids).
    @inline(__always)
    static func unpack<Transform: BP128RowTransform>(
        from source: UnsafeRawPointer,
        into destination: UnsafeMutablePointer<UInt32>,
        transform: inout Transform
    ) {
        let output = UnsafeMutableRawPointer(destination)
        if bitWidth == 0 {
            for row in 0..<32 {
                let values = transform.apply(SIMD4<UInt32>())
                output.storeBytes(of: values, toByteOffset: row &* 16, as: SIMD4<UInt32>.self)
            }
            return
        }
        if bitWidth == 32 {
            for row in 0..<32 {
                let word = source.loadUnaligned(fromByteOffset: row &* 16, as: SIMD4<UInt32>.self)
                output.storeBytes(of: transform.apply(word), toByteOffset: row &* 16, as: SIMD4<UInt32>.self)
            }
            return
        }
        // 32 calls rather than a loop: Swift cannot ask for unrolling, and only an unrolled body lets every
        // shift and branch below fold to a constant (a rolled loop keeps variable shifts and per-row branches).
        // The transform state is copied into a local so it lives in a register, not behind the `inout` pointer.
        var word = source.loadUnaligned(as: SIMD4<UInt32>.self)
        var state = transform
        defer { transform = state }
        unpackRow(0, from: source, into: output, word: &word, transform: &state)
        unpackRow(1, from: source, into: output, word: &word, transform: &state)
        unpackRow(2, from: source, into: output, word: &word, transform: &state)
        unpackRow(3, from: source, into: output, word: &word, transform: &state)
        unpackRow(4, from: source, into: output, word: &word, transform: &state)
        unpackRow(5, from: source, into: output, word: &word, transform: &state)
        unpackRow(6, from: source, into: output, word: &word, transform: &state)
        unpackRow(7, from: source, into: output, word: &word, transform: &state)
        unpackRow(8, from: source, into: output, word: &word, transform: &state)
        unpackRow(9, from: source, into: output, word: &word, transform: &state)
        unpackRow(10, from: source, into: output, word: &word, transform: &state)
        unpackRow(11, from: source, into: output, word: &word, transform: &state)
        unpackRow(12, from: source, into: output, word: &word, transform: &state)
        unpackRow(13, from: source, into: output, word: &word, transform: &state)
        unpackRow(14, from: source, into: output, word: &word, transform: &state)
        unpackRow(15, from: source, into: output, word: &word, transform: &state)
        unpackRow(16, from: source, into: output, word: &word, transform: &state)
        unpackRow(17, from: source, into: output, word: &word, transform: &state)
        unpackRow(18, from: source, into: output, word: &word, transform: &state)
        unpackRow(19, from: source, into: output, word: &word, transform: &state)
        unpackRow(20, from: source, into: output, word: &word, transform: &state)
        unpackRow(21, from: source, into: output, word: &word, transform: &state)
        unpackRow(22, from: source, into: output, word: &word, transform: &state)
        unpackRow(23, from: source, into: output, word: &word, transform: &state)
        unpackRow(24, from: source, into: output, word: &word, transform: &state)
        unpackRow(25, from: source, into: output, word: &word, transform: &state)
        unpackRow(26, from: source, into: output, word: &word, transform: &state)
        unpackRow(27, from: source, into: output, word: &word, transform: &state)
        unpackRow(28, from: source, into: output, word: &word, transform: &state)
        unpackRow(29, from: source, into: output, word: &word, transform: &state)
        unpackRow(30, from: source, into: output, word: &word, transform: &state)
        unpackRow(31, from: source, into: output, word: &word, transform: &state)
    }

    /// Unpacks row `row` (values `4 * row ..< 4 * row + 4`); `word` holds the packed word where the row starts and
    /// is advanced when the row reaches the end of it. With `row` and `bitWidth` constant, everything but the
    /// vector shift, or, mask and store folds away.
    @inline(__always)
    static func unpackRow<Transform: BP128RowTransform>(
        _ row: Int,
        from source: UnsafeRawPointer,
        into output: UnsafeMutableRawPointer,
        word: inout SIMD4<UInt32>,
        transform: inout Transform
    ) {
        let firstBit = row &* bitWidth
        let shift = firstBit & 31
        let wordIndex = firstBit &>> 5
        let low = word &>> UInt32(truncatingIfNeeded: shift)
        var values: SIMD4<UInt32>
        if shift &+ bitWidth > 32 {
            // The row straddles two words. Mask only the high part (the low part has 32 - shift < bitWidth bits):
            // masking the `or` instead lets LLVM match a funnel shift, which it scalarizes on SSE2 (`shrd` per lane).
            word = source.loadUnaligned(fromByteOffset: (wordIndex &+ 1) &* 16, as: SIMD4<UInt32>.self)
            values = low | (word &<< UInt32(truncatingIfNeeded: 32 &- shift)) & mask
        } else if shift &+ bitWidth == 32 {
            values = low  // the row ends the word: no mask needed
            if wordIndex &+ 1 < bitWidth {
                word = source.loadUnaligned(fromByteOffset: (wordIndex &+ 1) &* 16, as: SIMD4<UInt32>.self)
            }
        } else {
            values = low & mask
        }
        output.storeBytes(of: transform.apply(values), toByteOffset: row &* 16, as: SIMD4<UInt32>.self)
    }

    /// Packs the low `bitWidth` bits of 128 values at `source` into `16 * bitWidth` bytes at `destination`
    /// (any alignment); higher bits are dropped.
    @inline(__always)
    static func pack(from source: UnsafePointer<UInt32>, into destination: UnsafeMutableRawPointer) {
        let input = UnsafeRawPointer(source)
        if bitWidth == 0 {
            return
        }
        if bitWidth == 32 {
            for row in 0..<32 {
                let values = input.loadUnaligned(fromByteOffset: row &* 16, as: SIMD4<UInt32>.self)
                destination.storeBytes(of: values, toByteOffset: row &* 16, as: SIMD4<UInt32>.self)
            }
            return
        }
        var word = SIMD4<UInt32>()
        packRow(0, from: input, into: destination, word: &word)
        packRow(1, from: input, into: destination, word: &word)
        packRow(2, from: input, into: destination, word: &word)
        packRow(3, from: input, into: destination, word: &word)
        packRow(4, from: input, into: destination, word: &word)
        packRow(5, from: input, into: destination, word: &word)
        packRow(6, from: input, into: destination, word: &word)
        packRow(7, from: input, into: destination, word: &word)
        packRow(8, from: input, into: destination, word: &word)
        packRow(9, from: input, into: destination, word: &word)
        packRow(10, from: input, into: destination, word: &word)
        packRow(11, from: input, into: destination, word: &word)
        packRow(12, from: input, into: destination, word: &word)
        packRow(13, from: input, into: destination, word: &word)
        packRow(14, from: input, into: destination, word: &word)
        packRow(15, from: input, into: destination, word: &word)
        packRow(16, from: input, into: destination, word: &word)
        packRow(17, from: input, into: destination, word: &word)
        packRow(18, from: input, into: destination, word: &word)
        packRow(19, from: input, into: destination, word: &word)
        packRow(20, from: input, into: destination, word: &word)
        packRow(21, from: input, into: destination, word: &word)
        packRow(22, from: input, into: destination, word: &word)
        packRow(23, from: input, into: destination, word: &word)
        packRow(24, from: input, into: destination, word: &word)
        packRow(25, from: input, into: destination, word: &word)
        packRow(26, from: input, into: destination, word: &word)
        packRow(27, from: input, into: destination, word: &word)
        packRow(28, from: input, into: destination, word: &word)
        packRow(29, from: input, into: destination, word: &word)
        packRow(30, from: input, into: destination, word: &word)
        packRow(31, from: input, into: destination, word: &word)
    }

    /// Packs row `row` into `word`, storing `word` when the row completes it and carrying the row's high bits over.
    @inline(__always)
    static func packRow(
        _ row: Int,
        from input: UnsafeRawPointer,
        into destination: UnsafeMutableRawPointer,
        word: inout SIMD4<UInt32>
    ) {
        let firstBit = row &* bitWidth
        let shift = firstBit & 31
        let values = input.loadUnaligned(fromByteOffset: row &* 16, as: SIMD4<UInt32>.self) & mask
        word |= values &<< UInt32(truncatingIfNeeded: shift)
        if shift &+ bitWidth >= 32 {
            destination.storeBytes(of: word, toByteOffset: (firstBit &>> 5) &* 16, as: SIMD4<UInt32>.self)
            let carried = shift &+ bitWidth > 32
            word = carried ? values &>> UInt32(truncatingIfNeeded: 32 &- shift) : SIMD4<UInt32>()
        }
    }
}

/// A step applied to each unpacked row of 4 values: identity, or one of the prefix sums that undo delta coding.
///
/// Conformers are small structs so the kernel specializes on them and the step is inlined into the unpack loop.
protocol BP128RowTransform {
    /// Returns the final values for one row of 4 consecutive positions, updating any running state.
    mutating func apply(_ row: SIMD4<UInt32>) -> SIMD4<UInt32>
}

/// Leaves rows unchanged: plain unpacking.
struct BP128IdentityRows: BP128RowTransform {
    @inline(__always)
    func apply(_ row: SIMD4<UInt32>) -> SIMD4<UInt32> { row }
}

/// Undoes stride-1 deltas (`x[i] - x[i-1]`): an in-register prefix sum of 4 lanes plus the carry from the previous row.
struct BP128PrefixSumD1Rows: BP128RowTransform {
    /// The last decoded value, broadcast to all lanes.
    var carry: SIMD4<UInt32>

    @inline(__always)
    mutating func apply(_ row: SIMD4<UInt32>) -> SIMD4<UInt32> {
        // Scan of 4 lanes with operations SSE2 has whole: a 64-bit lane shift (psllq) adds lane 0 into 1 and 2 into 3,
        // then lane 1 broadcast (pshufd) and masked to the upper half adds into lanes 2 and 3. Writing the scan as
        // `SIMD4(0, row[0], row[1], row[2])` instead makes LLVM extract lanes to scalar registers.
        var scan = row &+ unsafeBitCast(unsafeBitCast(row, to: SIMD2<UInt64>.self) &<< 32, to: SIMD4<UInt32>.self)
        scan &+= SIMD4(repeating: scan[1]) & SIMD4(0, 0, .max, .max)
        let values = scan &+ carry
        // The loop-carried chain is this one add; broadcasting the row total stays off it.
        carry &+= SIMD4(repeating: scan[3])
        return values
    }
}

/// Undoes stride-4 deltas (`x[i] - x[i-4]`, "D4" in Lemire, Boytsov & Kurz 2016): one vector add per row.
struct BP128PrefixSumD4Rows: BP128RowTransform {
    /// The previous row's values.
    var previous: SIMD4<UInt32>

    @inline(__always)
    mutating func apply(_ row: SIMD4<UInt32>) -> SIMD4<UInt32> {
        previous &+= row
        return previous
    }
}
