import Foundation
import Testing

/// The seam holds only if the code above the store keeps to the protocols. These tests read the
/// callers' sources: no caller imports GRDB, none names the SQLite scope, and the concrete store
/// is named only where it is constructed.
@Suite("store seam in the callers' sources")
struct StoreSeamSourceTests {
    /// The package root, from this file's path (`Tests/TalyStoreTests/Seam/…`).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// The targets above the store.
    static let callerTargets = ["TalyAPI", "TalyIngest", "taly"]

    /// The one file per target allowed to name `Store`: where the SQLite store is constructed.
    static let constructionSites: Set<String> = ["TalyAPI/Application+build.swift", "taly/AdminCommands.swift"]

    /// Every Swift file of the caller targets, as (path below Sources/, lines without comments).
    static func callerSources() throws -> [(path: String, lines: [(number: Int, text: String)])] {
        var files: [(String, [(Int, String)])] = []
        for target in callerTargets {
            // Resolved: a scratch package links each target's folder, and the walker does not
            // descend into a link.
            let directory = root.appendingPathComponent("Sources/\(target)").resolvingSymlinksInPath()
            guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else {
                continue
            }
            for case let url as URL in walker where url.pathExtension == "swift" {
                let text = try String(contentsOf: url, encoding: .utf8)
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).enumerated().compactMap {
                    index, line -> (Int, String)? in
                    let code = line.trimmingCharacters(in: .whitespaces)
                    return code.hasPrefix("//") ? nil : (index + 1, String(line))
                }
                let relative = String(url.standardizedFileURL.path.dropFirst(directory.standardizedFileURL.path.count))
                files.append(("\(target)\(relative)", lines))
            }
        }
        return files
    }

    /// The identifiers of a line of code, in order.
    static func identifiers(_ line: String) -> [Substring] {
        line.split { !($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The places in `files` where `word` appears as a whole identifier.
    static func uses(of word: String, in files: [(path: String, lines: [(number: Int, text: String)])]) -> [String] {
        files.flatMap { file in
            file.lines.filter { identifiers($0.text).contains { $0 == word } }.map { "\(file.path):\($0.number)" }
        }
    }

    @Test("the callers' sources are found (so the checks below cannot pass on nothing)")
    func sourcesFound() throws {
        let files = try Self.callerSources()
        for target in Self.callerTargets {
            #expect(
                files.contains { $0.path.hasPrefix("\(target)/") }, "no sources of \(target) under \(Self.root.path)")
        }
    }

    @Test("no caller imports GRDB: errors and types reach them as StoreError and TalyStore's own records")
    func noGRDB() throws {
        let files = try Self.callerSources()
        let imports = files.flatMap { file in
            file.lines.filter {
                let words = Self.identifiers($0.text)
                guard let at = words.firstIndex(of: "import") else { return false }
                return words.dropFirst(at + 1).first == "GRDB"
            }.map {
                "\(file.path):\($0.number)"
            }
        }
        #expect(imports.isEmpty, "GRDB imported above the store at \(imports)")
    }

    @Test("callers hold the protocols: TenantScope is never named, Store only where it is constructed")
    func protocolsOnly() throws {
        let files = try Self.callerSources()
        #expect(
            Self.uses(of: "TenantScope", in: files).isEmpty,
            "TenantScope named at \(Self.uses(of: "TenantScope", in: files))")
        let concrete = Self.uses(of: "Store", in: files.filter { !Self.constructionSites.contains($0.path) })
        #expect(concrete.isEmpty, "the concrete Store named outside its construction at \(concrete)")
        #expect(!Self.uses(of: "Store", in: files.filter { Self.constructionSites.contains($0.path) }).isEmpty)
    }
}
