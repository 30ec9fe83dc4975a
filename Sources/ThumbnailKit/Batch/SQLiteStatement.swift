import CSQLite

/// A prepared statement: bind, step, read columns, reset.
final class SQLiteStatement {
    private let handle: OpaquePointer
    private let connection: SQLiteConnection

    init(_ handle: OpaquePointer, connection: SQLiteConnection) {
        self.handle = handle
        self.connection = connection
    }

    deinit { sqlite3_finalize(handle) }

    /// Clears the bindings and rewinds, ready for the next use.
    func reset() {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    /// Rewinds without clearing the bindings: every parameter is bound again before the next step.
    func rewind() { sqlite3_reset(handle) }

    /// The length in bytes of a text or blob column.
    func columnBytes(_ column: Int32) -> Int { Int(sqlite3_column_bytes(handle, column)) }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }

    /// Binds text without NUL bytes (hex digits, keys).
    func bind(_ index: Int32, text: String) {
        _ = text.withCString { csqlite_bind_text(handle, index, $0, -1) }
    }

    /// Binds a string's UTF-8 bytes as a blob: compared byte for byte, whatever they are.
    func bind(_ index: Int32, blob: String) {
        var blob = blob
        blob.withUTF8 { _ = csqlite_bind_blob(handle, index, $0.baseAddress ?? UnsafePointer(bitPattern: 1), Int32($0.count)) }
    }

    func bind(_ index: Int32, blob: [UInt8]) {
        blob.withUnsafeBytes { _ = csqlite_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count)) }
    }

    /// Steps once: true with a row to read, false when done.
    func step() throws(SQLiteError) -> Bool {
        let status = sqlite3_step(handle)
        switch status {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let error = connection.error(status)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Steps a statement that returns no rows, then resets it.
    func run() throws(SQLiteError) {
        defer { reset() }
        _ = try step()
    }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func text(_ column: Int32) -> String {
        guard let bytes = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    /// A blob column's bytes, valid until the next step or reset.
    func blob(_ column: Int32) -> UnsafeRawBufferPointer {
        let pointer = sqlite3_column_blob(handle, column)
        let count = Int(sqlite3_column_bytes(handle, column))
        return UnsafeRawBufferPointer(start: count > 0 ? pointer : nil, count: count)
    }
}
