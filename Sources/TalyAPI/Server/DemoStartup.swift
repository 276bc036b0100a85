import TalyIngest

/// `taly serve --demo`: load the demo tenant on a first start (``DemoTenant``) and tell the
/// operator its login once the server listens.
public struct DemoStartup: Sendable {
    /// The directory of the demo fixtures (`fixtures/demo` in the repository).
    public let fixturesDirectory: String
    /// Called once with what the start-up did: with the base URL once the server listens, or with
    /// nil when it then failed to listen, so a login that is shown only once is never lost.
    public let announce: @Sendable (DemoTenant.Outcome, _ baseURL: String?) -> Void

    /// A demo start-up reading `fixturesDirectory` and reporting through `announce`.
    public init(
        fixturesDirectory: String, announce: @escaping @Sendable (DemoTenant.Outcome, _ baseURL: String?) -> Void
    ) {
        self.fixturesDirectory = fixturesDirectory
        self.announce = announce
    }
}
