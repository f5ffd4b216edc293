package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// liteWriter runs the SQLite writer's statements (DB.exec: a create's INSERT, the audit
// trail's appends, updates and shreds) through SQLite's C API on the connection of the
// transaction the writer has open, instead of through database/sql and the driver.
//
// Why: a create is one INSERT of 23 values, run by the one writer every request waits
// for. Through database/sql each value is checked and converted, then the driver
// allocates C memory for each text and blob, copies it, binds it and frees it after the
// step, and takes the connection's mutex around each call; that was about 30 % of the
// INSERT's cost, some 6 µs of the writer's time per create (docs/performance-log.md). Here
// each statement is prepared once, the values are copied into one block of C memory and
// bound in place, and the statement is stepped and reset.
//
// A batch made only of statements and events known in advance (creates, events alone)
// goes further (transact): its whole transaction, BEGIN IMMEDIATE to COMMIT, runs through
// the C API; other batches are begun and committed by database/sql (begin, end), their
// statements run through exec on the transaction's connection.
//
// What it does not change: the statements, the values stored (a string is bound as TEXT,
// a []byte as a BLOB, nil as NULL, an integer as INTEGER, exactly as the driver binds
// them), the transactions (the same BEGIN IMMEDIATE, COMMIT or ROLLBACK on the same
// connection), and the errors' meaning. A statement with an argument of any other type
// goes through database/sql as before (exec reports it as not handled; transact rolls back
// and the batch runs through database/sql).
//
// The connection belongs to the transaction: the writer takes it from the pool with
// DB.Conn for each transaction (begin), reads SQLite's handle out of the driver's
// connection (liteConnOf), and gives it back after the commit or rollback (end), so the
// pool's other users (a checkpoint, the CLI's maintenance) still get their turn between
// transactions. Only the writer's goroutine uses it, and only while tx is open.
type liteWriter struct {
	c     *liteConn // the connection of the open transaction (nil between transactions)
	tx    *sql.Tx   // the open transaction; exec runs only statements of this one
	conn  *sql.Conn
	stmts map[string]*liteStmt // prepared on handle
	// handle is the SQLite connection the statements were prepared on.
	handle uintptr
	buf    uintptr // C memory the text and blob values are copied into for binding
	bufCap int
	// relaxed is the connection's synchronous mode: NORMAL when true, FULL when false (as
	// the DSN opens it).
	relaxed bool
	// broken is set when the driver's connection could not be read (another version of
	// modernc.org/sqlite): every statement then goes through database/sql.
	broken bool
}

// attach takes the writer's connection from db, sets its synchronous mode (FULL, NORMAL
// when relaxed) when it is not already (a transaction cannot), and reads SQLite's handle
// out of it (nil when the driver's connection cannot be read: database/sql then does
// everything).
func (w *liteWriter) attach(ctx context.Context, db *sql.DB, relaxed bool) (*sql.Conn, *liteConn, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, nil, err
	}
	if relaxed != w.relaxed {
		mode := "PRAGMA synchronous = FULL"
		if relaxed {
			mode = "PRAGMA synchronous = NORMAL"
		}
		if _, err := conn.ExecContext(ctx, mode); err != nil {
			conn.Close()
			return nil, nil, err
		}
		w.relaxed = relaxed // only once it is so: a durable commit never runs relaxed
	}
	var c *liteConn
	if !w.broken {
		if err := conn.Raw(func(dc any) error {
			var err error
			c, err = liteConnOf(dc)
			return err
		}); err != nil {
			w.broken = true // the driver changed shape: database/sql from now on
			c = nil
		}
	}
	if c != nil && c.db != w.handle {
		// A new connection (database/sql replaced a broken one): the statements prepared
		// on the old one go with it.
		w.finalize()
		w.handle = c.db
	}
	return conn, c, nil
}

// begin begins a transaction on the writer's connection (see attach) through
// database/sql; exec runs the statements of that transaction through the C API.
func (w *liteWriter) begin(ctx context.Context, db *sql.DB, relaxed bool) (*sql.Tx, error) {
	conn, c, err := w.attach(ctx, db, relaxed)
	if err != nil {
		return nil, err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		conn.Close()
		return nil, err
	}
	w.c, w.tx, w.conn = c, tx, conn
	return tx, nil
}

// errLiteUnsupported says a statement of a transaction run wholly through the C API
// (transact) had an argument it does not bind; the transaction was rolled back and must
// be run through database/sql instead.
var errLiteUnsupported = errors.New("store: a statement the C API path does not bind")

// transact runs fn in a transaction on the writer's connection wholly through the C API:
// BEGIN IMMEDIATE (as the driver's transactions, _txlock=immediate), fn's statements
// (run), COMMIT; ROLLBACK when anything fails. handled is false, with nothing done, when
// the driver's connection cannot be read.
func (w *liteWriter) transact(ctx context.Context, db *sql.DB, relaxed bool, fn func() error) (handled bool, err error) {
	conn, c, err := w.attach(ctx, db, relaxed)
	if err != nil {
		return true, err
	}
	defer conn.Close()
	if c == nil {
		return false, nil
	}
	w.c = c
	defer func() { w.c = nil }()
	if err := w.must("BEGIN IMMEDIATE", nil); err != nil {
		return true, err
	}
	if err = fn(); err == nil {
		err = w.must("COMMIT", nil)
	}
	if err != nil && sqlite3.Xsqlite3_get_autocommit(c.tls, c.db) == 0 {
		// Still in the transaction: undo all of it. A failed ROLLBACK leaves the
		// connection in a transaction, which database/sql's next use would inherit:
		// close it (the pool opens another).
		if rerr := w.must("ROLLBACK", nil); rerr != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}
	return true, err
}

// must runs a statement of transact's transaction.
func (w *liteWriter) must(query string, args []any) error {
	_, ok, err := w.run(query, args)
	if !ok {
		return errLiteUnsupported
	}
	return err
}

// queryHead reads the first row of query (the audit chain head: seq, hash) in transact's
// transaction.
func (w *liteWriter) queryHead(query string) (seq int64, hash []byte, err error) {
	s, err := w.stmt(query)
	if err != nil {
		return 0, nil, err
	}
	defer s.end()
	ok, err := s.next()
	if err != nil {
		return 0, nil, err
	}
	if !ok {
		return 0, nil, sql.ErrNoRows
	}
	seq, _ = s.int64(0)
	return seq, s.copied(1), nil
}

// end gives the connection back to the pool once the transaction is over.
func (w *liteWriter) end() {
	if w.conn != nil {
		w.conn.Close()
	}
	w.c, w.tx, w.conn = nil, nil, nil
}

// finalize finalizes every prepared statement and frees the value buffer. SQLite keeps a
// closed connection (sqlite3_close_v2) until its statements are finalized; any TLS will
// do for that, the driver's own may be gone with its connection.
func (w *liteWriter) finalize() {
	if len(w.stmts) == 0 && w.buf == 0 {
		return
	}
	tls := libc.NewTLS()
	defer tls.Close()
	for _, s := range w.stmts {
		sqlite3.Xsqlite3_finalize(tls, s.st)
	}
	w.stmts = nil
	if w.buf != 0 {
		libc.Xfree(tls, w.buf)
		w.buf, w.bufCap = 0, 0
	}
}

// liteResult is the sql.Result of a statement run by liteWriter.
type liteResult struct{ id, rows int64 }

func (r liteResult) LastInsertId() (int64, error) { return r.id, nil }
func (r liteResult) RowsAffected() (int64, error) { return r.rows, nil }

// exec runs query with args inside tx through the C API. ok is false, with nothing done,
// when it cannot: tx is not the writer's open transaction, or an argument has a type it
// does not bind; the caller then runs the statement through database/sql.
func (w *liteWriter) exec(tx *sql.Tx, query string, args []any) (res sql.Result, ok bool, err error) {
	if w == nil || w.c == nil || tx != w.tx {
		return nil, false, nil
	}
	return w.run(query, args)
}

// stmt returns query prepared on the current connection.
func (w *liteWriter) stmt(query string) (*liteStmt, error) {
	if s := w.stmts[query]; s != nil {
		return s, nil
	}
	s, err := w.c.prepare(query)
	if err != nil {
		return nil, err
	}
	if w.stmts == nil {
		w.stmts = map[string]*liteStmt{}
	}
	w.stmts[query] = s
	return s, nil
}

// run binds args to query, steps it to its end and resets it (see exec).
func (w *liteWriter) run(query string, args []any) (res sql.Result, ok bool, err error) {
	size := 0
	for _, a := range args {
		switch v := a.(type) {
		case nil, int, int64, uint32:
		case string:
			size += len(v)
		case []byte:
			size += len(v)
		default:
			return nil, false, nil
		}
	}
	s, err := w.stmt(query)
	if err != nil {
		return nil, true, err
	}
	tls := w.c.tls
	if int(sqlite3.Xsqlite3_bind_parameter_count(tls, s.st)) != len(args) {
		return nil, false, nil // database/sql says what is wrong
	}
	if size > w.bufCap || w.buf == 0 { // never a NULL pointer: SQLite would bind an empty value as NULL
		n := max(size, 2*w.bufCap, 4096)
		p := libc.Xrealloc(tls, w.buf, libc.Tsize_t(n))
		if p == 0 {
			return nil, true, errors.New("sqlite: out of memory")
		}
		w.buf, w.bufCap = p, n
	}
	mem := unsafe.Slice((*byte)(cmem(w.buf)), w.bufCap)
	off := 0
	for i, a := range args {
		var rc int32
		n := int32(i + 1)
		switch v := a.(type) {
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(tls, s.st, n)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.st, n, int64(v))
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.st, n, v)
		case uint32:
			rc = sqlite3.Xsqlite3_bind_int64(tls, s.st, n, int64(v))
		case string:
			copy(mem[off:], v)
			rc = sqlite3.Xsqlite3_bind_text(tls, s.st, n, w.buf+uintptr(off), int32(len(v)), 0)
			off += len(v)
		case []byte:
			if v == nil {
				rc = sqlite3.Xsqlite3_bind_null(tls, s.st, n)
				break
			}
			copy(mem[off:], v)
			rc = sqlite3.Xsqlite3_bind_blob(tls, s.st, n, w.buf+uintptr(off), int32(len(v)), 0)
			off += len(v)
		}
		if rc != sqlite3.SQLITE_OK {
			err := w.c.err(rc)
			sqlite3.Xsqlite3_clear_bindings(tls, s.st)
			return nil, true, err
		}
	}
	// The values are bound in place (SQLITE_STATIC): they must not outlive this call.
	defer sqlite3.Xsqlite3_clear_bindings(tls, s.st)
	for {
		switch rc := sqlite3.Xsqlite3_step(tls, s.st); rc {
		case sqlite3.SQLITE_ROW:
			continue
		case sqlite3.SQLITE_DONE:
			sqlite3.Xsqlite3_reset(tls, s.st)
			return liteResult{
				id:   sqlite3.Xsqlite3_last_insert_rowid(tls, w.c.db),
				rows: sqlite3.Xsqlite3_changes64(tls, w.c.db),
			}, true, nil
		default:
			err := w.c.err(rc)
			sqlite3.Xsqlite3_reset(tls, s.st)
			return nil, true, err
		}
	}
}

// liteConnOf reads SQLite's connection handle and the C runtime's thread state out of a
// modernc.org/sqlite driver connection (its unexported fields db and tls; the version is
// pinned in go.mod and TestLiteConnOf fails if their shape changes).
func liteConnOf(dc any) (*liteConn, error) {
	v := reflect.ValueOf(dc)
	if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
		return nil, fmt.Errorf("store: unexpected SQLite driver connection %T", dc)
	}
	db, tls := v.Elem().FieldByName("db"), v.Elem().FieldByName("tls")
	if !db.IsValid() || db.Kind() != reflect.Uintptr || !tls.IsValid() || tls.Type() != reflect.TypeFor[*libc.TLS]() {
		return nil, fmt.Errorf("store: unexpected SQLite driver connection %T", dc)
	}
	if db.Uint() == 0 || tls.IsNil() {
		return nil, errors.New("store: SQLite driver connection is closed")
	}
	return &liteConn{db: uintptr(db.Uint()), tls: (*libc.TLS)(tls.UnsafePointer())}, nil
}
