#include "CTalySQLite.h"

#include <sqlite3.h>

int taly_sqlite_configure_process(void) {
    // Both fail with SQLITE_MISUSE once SQLite is initialized, changing nothing.
    int threading = sqlite3_config(SQLITE_CONFIG_MULTITHREAD);
    int statistics = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return threading == SQLITE_OK && statistics == SQLITE_OK;
}
