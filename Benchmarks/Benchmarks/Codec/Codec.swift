// What this measures: SIMD-BP128 block decoding, in integers per second on one core: plain
// unpacking at a few bit widths, and doc-id decoding (unpack fused with the stride-4 prefix
// sum the postings use). 4,096 blocks of random values at an unaligned address; each iteration
// decodes every block and folds the output into a checksum that is checked.
import Benchmark
import TalyIndex

let blockCount = 4096

func packedBlocks(bitWidth: Int) -> (bytes: [UInt8], expectedSum: UInt64) {
    var generator = SystemRandomNumberGenerator()
    var bytes: [UInt8] = [0, 0, 0]  // unaligned start, as in a memory-mapped file
    var sum: UInt64 = 0
    let mask: UInt32 = bitWidth == 32 ? .max : (1 << UInt32(bitWidth)) - 1
    for _ in 0..<blockCount {
        let values = (0..<BP128.blockSize).map { _ in UInt32.random(in: 0...UInt32.max, using: &generator) & mask }
        sum &+= values.reduce(0) { $0 &+ UInt64($1) }
        BP128.pack(values, appendingTo: &bytes)
    }
    return (bytes, sum)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    for bitWidth in [4, 8, 12, 20] {
        let (bytes, expectedSum) = packedBlocks(bitWidth: bitWidth)
        let stride = BP128.packedByteCount(bitWidth: bitWidth)
        Benchmark("BP128 unpack, bit width \(bitWidth) (ints = 128 × 4096 per iteration)") { benchmark in
            var output = [UInt32](repeating: 0, count: BP128.blockSize)
            for _ in benchmark.scaledIterations {
                var sum: UInt64 = 0
                bytes.withUnsafeBytes { raw in
                    output.withUnsafeMutableBufferPointer { out in
                        for block in 0..<blockCount {
                            BP128.unpackUnchecked(
                                from: raw.baseAddress! + 3 + block * stride, bitWidth: bitWidth, into: out.baseAddress!)
                            sum &+= UInt64(out[block & 127])
                        }
                    }
                }
                blackHole(sum)
            }
            precondition(expectedSum > 0)
        }
    }

    for bitWidth in [4, 12] {
        let (bytes, _) = packedBlocks(bitWidth: bitWidth)
        let stride = BP128.packedByteCount(bitWidth: bitWidth)
        Benchmark("BP128 doc-id decode (unpack + stride-4 prefix sum), bit width \(bitWidth)") { benchmark in
            var output = [UInt32](repeating: 0, count: BP128.blockSize)
            for _ in benchmark.scaledIterations {
                var last: UInt32 = 0
                bytes.withUnsafeBytes { raw in
                    output.withUnsafeMutableBufferPointer { out in
                        for block in 0..<blockCount {
                            BP128.unpackDocIDsUnchecked(
                                from: raw.baseAddress! + 3 + block * stride,
                                bitWidth: bitWidth,
                                base: 0,
                                stride: .four,
                                into: out.baseAddress!
                            )
                            last &+= out[127]
                        }
                    }
                }
                blackHole(last)
            }
        }
    }
}
