/// One parsed clause of a sequence, with the operator before it and its `+`/`-` modifier.
struct QueryClause: Sendable, Equatable {
    /// How the clause is joined to the one before it.
    enum Conjunction: Sendable, Equatable {
        /// Juxtaposition: the parser's default operator.
        case implicit
        /// `AND` / `&&`.
        case and
        /// `OR` / `||`.
        case or
    }

    /// The prefix operator of the clause.
    enum Modifier: Sendable, Equatable {
        /// No prefix.
        case none
        /// `+`.
        case required
        /// `-`, `!` or `NOT`.
        case prohibited
    }

    /// How the clause is joined to the one before it.
    var conjunction: Conjunction
    /// The prefix operator of the clause.
    var modifier: Modifier
    /// The clause itself.
    var query: Query
}

/// Turns a sequence of clauses into one `Query`, giving `AND` precedence over `OR`.
///
/// The sequence is cut into AND-chains: a clause joined by `AND` (or by juxtaposition when the
/// default operator is AND) extends the chain before it; `OR` (or juxtaposition under OR) starts a
/// new chain. A chain of one clause is placed by its modifier (`+` must, `-` must not, none
/// should); a longer chain becomes one conjunction (unmodified and `+` clauses must, `-` must
/// not) that is a should clause of the sequence. So `a AND b OR c` is `(+a +b) c`, as Lucene's
/// `PrecedenceQueryParser`; Lucene's classic `QueryParser` would make it `+a +b c`.
/// `-` and `NOT` exclude at the level of their sequence, as in Lucene: `a OR NOT b` is `a -b`.
enum QueryClauseCombiner {
    /// The query of `clauses`; `nil` when there are none.
    static func combine(_ clauses: [QueryClause], defaultOperator: QueryParser.Operator) -> Query? {
        var must: [Query] = []
        var should: [Query] = []
        var mustNot: [Query] = []
        // Chains are runs of clauses, walked as index ranges: an array per chain was several
        // allocations on every query, `+a +b` included.
        var start = 0
        while start < clauses.count {
            var end = start + 1
            while end < clauses.count, extendsChain(clauses[end], defaultOperator: defaultOperator) { end += 1 }
            if end - start == 1 {
                let clause = clauses[start]
                switch clause.modifier {
                case .none: should.append(clause.query)
                case .required: must.append(clause.query)
                case .prohibited: mustNot.append(clause.query)
                }
            } else {
                var chainMust: [Query] = []
                var chainMustNot: [Query] = []
                for clause in clauses[start..<end] {
                    if clause.modifier == .prohibited {
                        chainMustNot.append(clause.query)
                    } else {
                        chainMust.append(clause.query)
                    }
                }
                if let conjunction = boolean(must: chainMust, should: [], mustNot: chainMustNot) {
                    should.append(conjunction)
                }
            }
            start = end
        }
        return boolean(must: must, should: should, mustNot: mustNot)
    }

    /// True when `clause` joins the chain before it rather than starting a new one.
    private static func extendsChain(_ clause: QueryClause, defaultOperator: QueryParser.Operator) -> Bool {
        switch clause.conjunction {
        case .and: true
        case .or: false
        case .implicit: defaultOperator == .and
        }
    }

    /// The simplest query equivalent to these clauses; `nil` when all are empty.
    ///
    /// - A lone should clause that is a pure conjunction (no should clauses of its own) is required
    ///   anyway (minimumShouldMatch 1), so it moves to must; must clauses that are pure
    ///   conjunctions are spliced in (`+(+a -b) +c` is `+a +c -b`).
    /// - `matchAll` stands in for "everything" only where no other must clause is left.
    /// - Only negative clauses get `must: [.matchAll]` (everything except them).
    /// - One positive clause and nothing else is returned bare.
    /// - minimumShouldMatch is 1 when there are should clauses and no must clause, else 0.
    static func boolean(must: [Query], should: [Query], mustNot: [Query]) -> Query? {
        var must = must
        var should = should
        var mustNot = mustNot
        var filter: [Query] = []
        if must.isEmpty, should.count == 1, case .boolean(_, let inner, _, _, _) = should[0], inner.isEmpty {
            must = should
            should = []
        }
        if must.contains(where: \.isPureConjunction) {
            var spliced: [Query] = []
            for clause in must {
                if case .boolean(let innerMust, let innerShould, let innerMustNot, let innerFilter, _) = clause,
                    innerShould.isEmpty
                {
                    spliced += innerMust
                    mustNot += innerMustNot
                    filter += innerFilter
                } else {
                    spliced.append(clause)
                }
            }
            must = spliced
        }
        if must.contains(.matchAll) {
            if must.contains(where: { $0 != .matchAll }) {
                must.removeAll { $0 == .matchAll }
            } else if must.count > 1 {
                must = [.matchAll]
            }
        }
        if must.isEmpty, should.isEmpty {
            if mustNot.isEmpty, filter.isEmpty { return nil }
            must = [.matchAll]
        }
        if must.count + should.count == 1, mustNot.isEmpty, filter.isEmpty {
            return must.first ?? should[0]
        }
        let minimumShouldMatch = must.isEmpty && filter.isEmpty && !should.isEmpty ? 1 : 0
        return .boolean(
            must: must, should: should, mustNot: mustNot, filter: filter, minimumShouldMatch: minimumShouldMatch)
    }
}

extension Query {
    /// True for a boolean query without should clauses, which a must clause splices in.
    fileprivate var isPureConjunction: Bool {
        if case .boolean(_, let should, _, _, _) = self { return should.isEmpty }
        return false
    }
}
