// Process-wide SQLite settings, which only C can set: sqlite3_config is variadic, and Swift
// does not import variadic C functions.
#ifndef CTALYSQLITE_H
#define CTALYSQLITE_H

#ifdef __cplusplus
extern "C" {
#endif

/// Puts SQLite in multi-thread mode (no mutex per connection call: GRDB already serializes each
/// connection on its own queue, the only mode it supports) and turns its memory statistics off
/// (a global mutex around every allocation). Only possible before SQLite's first use in the
/// process; returns 1 when both were applied, 0 when SQLite was already in use (nothing changes).
int taly_sqlite_configure_process(void);

#ifdef __cplusplus
}
#endif

#endif
