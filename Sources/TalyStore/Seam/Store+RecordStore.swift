/// SQLite through GRDB: the one implementation of the store protocols today. The requirements are
/// the methods of `Store` and `TenantScope` themselves, written in their own files.
extension Store: RecordStore {}

extension TenantScope: TenantStore {}
