import ArgumentParser

/// The one binary: every Taly role and tool is a subcommand.
@main
struct Taly: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taly",
        abstract: "Taly: a multi-tenant content platform around its own search engine.",
        subcommands: [
            Serve.self, WorkerCommand.self, AdminCommand.self, IngestCommand.self, IndexCommand.self,
            SearchCommand.self,
            BenchGameCommand.self,
            EvalCommand.self,
        ]
    )
}
