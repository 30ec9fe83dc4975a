#ifndef THUMBNAIL_CSQLITE_SHIM_H
#define THUMBNAIL_CSQLITE_SHIM_H
// SQLite reports errors through return codes, so it needs no C shim of its own. SQLITE_TRANSIENT
// is a macro casting -1 to a function pointer, which Swift cannot import: these two wrappers bind
// text and blobs with it (SQLite copies the bytes before the call returns).
#include <sqlite3.h>

static inline int csqlite_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int count) {
    return sqlite3_bind_blob(statement, index, bytes, count, SQLITE_TRANSIENT);
}

static inline int csqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, int count) {
    return sqlite3_bind_text(statement, index, text, count, SQLITE_TRANSIENT);
}
#endif
