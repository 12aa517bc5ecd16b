// SQLite's process-wide settings for Swift: sqlite3_config is variadic, which Swift cannot call,
// so each option used has a typed wrapper. Everything else goes through GRDB and GRDBSQLite.
#ifndef FEEDWATCH_CSQLITE_SHIM_H
#define FEEDWATCH_CSQLITE_SHIM_H
#include <sqlite3.h>

/// Turns SQLite's memory statistics on or off; valid only before SQLite initialises.
static inline int feedwatch_sqlite3_config_memstatus(int on) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, on);
}
#endif
