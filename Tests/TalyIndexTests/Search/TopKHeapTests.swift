import TalyTestSupport
import Testing

@testable import TalyIndex

@Suite("the top-k heap keeps the k best entries")
struct TopKHeapTests {
    @Test("random scores with many ties, offered in address order, equal a full sort's first k (seeded)")
    func randomOffers() {
        let seed = SplitMix64.testSeed()
        print("TopKHeapTests.randomOffers seed \(seed)")
        var random = SplitMix64(seed: seed)
        for round in 0..<200 {
            let capacity = [0, 1, 2, 3, 10, 100, 1000].randomElement(using: &random)!
            // Few distinct scores, so ties (broken by the older address) decide most places.
            let distinct = Int.random(in: 1...20, using: &random)
            var offered: [SearchHit] = []
            var heap = TopKHeap(capacity: capacity)
            for segment in 0..<Int.random(in: 1...3, using: &random) {
                var document: UInt32 = 0
                for _ in 0..<Int.random(in: 0...1500, using: &random) {
                    document += UInt32.random(in: 1...5, using: &random)
                    let score = Float(Int.random(in: 0..<distinct, using: &random)) * 0.25
                    heap.offer(score: score, segment: segment, document: document)
                    offered.append(SearchHit(segment: segment, document: document, score: score))
                }
            }
            let expected = offered.sorted { a, b in
                a.score != b.score ? a.score > b.score : (a.segment, a.document) < (b.segment, b.document)
            }.prefix(capacity)
            #expect(heap.sortedHits() == Array(expected), "seed \(seed) round \(round) k \(capacity)")
            if capacity > 0 && offered.count >= capacity {
                #expect(heap.threshold == expected.last!.score, "seed \(seed) round \(round) k \(capacity)")
            }
        }
    }
}
