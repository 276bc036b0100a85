import Foundation
import TalyAPI
import TalyIngest
import TalyStore

/// Prints what `taly serve --demo` did on standard output, apart from the log lines on standard
/// error: on a first start the login, shown once because the store keeps only hashes.
@Sendable func announceDemo(_ outcome: DemoTenant.Outcome, baseURL: String?) {
    var lines: [String] = []
    switch outcome {
    case .created(let created):
        let login = created.bootstrap
        let url = baseURL ?? "(not serving: see the error below)"
        lines = [
            "",
            "Demo tenant loaded: \(created.products.accepted) products, \(created.articles.accepted) articles "
                + "(\(created.publishedArticles) published). This login is shown once:",
            "  tenant:   \(login.tenant.name)",
            "  email:    \(login.owner.email)",
            "  password: \(login.password)",
            "  api key:  \(login.apiKey)",
            "  base URL: \(url)",
            "Search products and articles (indexing takes a moment after start):",
            "  curl -s -H 'Authorization: Bearer \(login.apiKey)' '\(url)/v1/search?collection=products&q=game'",
            "  curl -s -H 'Authorization: Bearer \(login.apiKey)' '\(url)/v1/search?collection=\(DemoTenant.articleType)&q=index'",
            "Sign in for a session token:",
            "  curl -s -X POST '\(url)/v1/auth/login' -H 'Content-Type: application/json' -d "
                + "'{\"tenant\":\"\(login.tenant.name)\",\"email\":\"\(login.owner.email)\",\"password\":\"\(login.password)\"}'",
            "",
        ]
        if let reject = created.firstReject {
            lines.append("Warning: some fixture records were rejected, the first: \(reject)")
        }
    case .alreadyLoaded:
        lines = [
            "Demo tenant \"\(DemoTenant.name)\" exists: its login was printed on the first start. "
                + "Delete the data directory to load it afresh."
        ]
    case .skipped(let tenants):
        lines = [
            "--demo: the data directory already has \(tenants) tenant(s); the demo tenant loads only into an empty one."
        ]
    }
    FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}
