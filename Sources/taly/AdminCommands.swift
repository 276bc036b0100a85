import ArgumentParser
import Foundation
import TalyAPI
import TalyStore

/// `taly admin …`: operator tasks on the record store in the data directory.
struct AdminCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "admin",
        abstract: "Administer tenants and the record store.",
        subcommands: [CreateTenant.self, Backup.self, Restore.self]
    )

    struct CreateTenant: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create-tenant",
            abstract: "Create a tenant with its owner account and an admin API key.",
            discussion: """
                Prints the owner's generated password and the API key once: they are stored only \
                as hashes. The data directory comes from --data-dir, TALY_DATA_DIR or ./data.
                """
        )
        @OptionGroup var data: DataDirectoryOption
        @Option(help: "The tenant's unique name.")
        var name: String
        @Option(help: "The owner's email address.")
        var adminEmail: String
        @Flag(help: "Print one JSON object with tenant, email, password and api_key.")
        var json = false

        func run() throws {
            let store = openStore(data)
            let created = orFail { () throws(StoreError) in try store.createTenant(name: name, adminEmail: adminEmail) }
            if json {
                let object: [String: Any] = [
                    "tenant": created.tenant.name, "tenant_id": (created.tenant.id?.rawValue ?? 0),
                    "email": created.owner.email,
                    "password": created.password, "api_key": created.apiKey,
                ]
                let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
                print(String(decoding: data, as: UTF8.self))
            } else {
                print("created tenant \(created.tenant.name) (id \((created.tenant.id?.rawValue ?? 0)))")
                print("owner:    \(created.owner.email)")
                print("password: \(created.password)   (shown once)")
                print("api key:  \(created.apiKey)   (shown once)")
            }
        }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "backup",
            abstract: "Copy the record store to FILE while it is in use.",
            discussion: """
                Uses SQLite's online backup API: the copy is the state of one committed transaction \
                and writers keep running. FILE is written beside itself and renamed into place.
                """
        )
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "The backup file to write; an existing file is replaced.")
        var file: String

        func run() throws {
            let store = openSQLiteStore(data)
            orFail { () throws(StoreError) in try store.backup(to: URL(fileURLWithPath: file)) }
            print("backed up \(store.path) to \(file)")
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "restore",
            abstract: "Replace the record store with a backup FILE (offline).",
            discussion: """
                Stop every taly process using the data directory first. FILE is checked (a SQLite \
                database, integrity check, migrations this binary knows) before it replaces the \
                database; migrations newer than the backup are then applied.
                """
        )
        @OptionGroup var data: DataDirectoryOption
        @Argument(help: "A file written by `taly admin backup`.")
        var file: String

        func run() throws {
            let path = databasePath(data)
            let migrations = orFail { () throws(StoreError) in
                try Store.restore(from: URL(fileURLWithPath: file), to: path)
            }
            // Opening applies the migrations newer than the backup.
            _ = openStore(data)
            print("restored \(file) into \(path) (backup at migration \(migrations.last ?? "none"))")
        }
    }
}

/// The database path in the configured data directory (flag, then environment, then default),
/// creating the directory if needed.
func databasePath(_ option: DataDirectoryOption) -> String {
    dataConfiguration(option).databasePath
}

/// The configured data directory (indexes live under it), created if needed.
func dataDirectoryPath(_ option: DataDirectoryOption) -> String {
    dataConfiguration(option).dataDirectory
}

private func dataConfiguration(_ option: DataDirectoryOption) -> TalyConfiguration {
    let configuration = orFail { () throws(ConfigurationError) in
        try TalyConfiguration.resolve(
            flags: try ConfigurationLayer(dataDirectory: option.dataDir),
            configFile: nil,
            environment: ProcessInfo.processInfo.environment
        )
    }
    _ = orFail { () throws(DataDirectoryError) in try DataDirectory(preparing: configuration.dataDirectory) }
    return configuration
}

/// Opens the record store in the configured data directory, as the store protocols: what every
/// command but the file-level backup needs.
func openStore(_ option: DataDirectoryOption) -> any RecordStore {
    openSQLiteStore(option)
}

/// Opens the SQLite store in the configured data directory: the CLI's one construction of the
/// concrete store, also used as such by `backup`, a copy of its file.
func openSQLiteStore(_ option: DataDirectoryOption) -> Store {
    let path = databasePath(option)
    return orFail { () throws(StoreError) in try Store(path: path) }
}
