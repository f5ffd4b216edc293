package store

import (
	"errors"
	"fmt"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// liteConn is a SQLite connection driven through SQLite's C API (modernc.org/sqlite/lib,
// the library the database/sql driver wraps) for the one loop that must be fast: reading
// the whole audit trail to verify it (AuditReader). Through database/sql every row costs
// more than SQLite's own step: the driver takes the connection's mutex on each API call
// (three per column), copies each column into a new Go slice, and database/sql converts
// it again. Measured on a 1 M event trail: 1.5 µs per event that way, 0.6 µs here.
//
// The connection is opened SQLITE_OPEN_NOMUTEX and query_only: it never writes, and it
// must be used by one goroutine at a time. Column bytes alias SQLite's memory and are
// valid only until the next step, reset or close of their statement. The exceptions:
// openLiteWriter, the checkpointer's, which copies the WAL into the database file and
// changes no row; and the writer's own connection, opened by database/sql and driven
// through this API for its transactions (liteConnOf, sqlite_writer.go).
type liteConn struct {
	tls *libc.TLS
	db  uintptr
}

// openLite opens the existing SQLite database file at path for reading; mapped reads the
// database file through a memory map (below).
func openLite(path string, mapped bool) (*liteConn, error) {
	return openLiteConn(path, mapped, false)
}

// openLiteWriter opens the existing SQLite database file at path for the checkpointer
// (checkpoint.go): it writes the database file (checkpoints) and nothing else.
func openLiteWriter(path string) (*liteConn, error) {
	return openLiteConn(path, false, true)
}

func openLiteConn(path string, mapped, writes bool) (_ *liteConn, err error) {
	c := &liteConn{tls: libc.NewTLS()}
	defer func() {
		if err != nil {
			c.close()
		}
	}()
	name, err := libc.CString(path)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, name)
	pp := libc.Xmalloc(c.tls, 8)
	if pp == 0 {
		return nil, errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(c.tls, pp)
	*(*uintptr)(cmem(pp)) = 0
	// Read-write without CREATE, as the pool's readers: a WAL database needs its -shm
	// file writable even to read; query_only below refuses every write.
	rc := sqlite3.Xsqlite3_open_v2(c.tls, name, pp, sqlite3.SQLITE_OPEN_READWRITE|sqlite3.SQLITE_OPEN_NOMUTEX, 0)
	c.db = *(*uintptr)(cmem(pp))
	if rc != sqlite3.SQLITE_OK {
		return nil, c.err(rc)
	}
	// busy_timeout as the pool's connections: a read waits out a WAL recovery by another
	// process rather than failing. mmap_size: pages of the database file are read in
	// place instead of one pread(2) and one copy each (the WAL is still read with pread);
	// measured on a 1 M event trail with two ranges, about 10 % less CPU per event.
	// SQLite caps the size at its compiled limit (SQLITE_MAX_MMAP_SIZE, 2 GiB), reads
	// any part of a larger file with pread and never writes through the map. The cost
	// of a map (SQLite's own caveat): if something truncates the file under it, reading
	// a page that is gone faults the process instead of returning an error. kinko never
	// shrinks its database (auto_vacuum off, no VACUUM but VACUUM INTO another file).
	// Reading customers by id (liteCustomers) maps the file too: every commit of the
	// writer makes a reader's next transaction start with an empty cache, so with a few
	// thousand customers nearly every read misses it; since read events go through the
	// journal (audit_journal.go) commits are rare and a miss served from the map costs
	// less than a pread(2) (3–5 µs of CPU per read over HTTP; unmapped measured faster
	// when every batch of reads committed, docs/performance-log.md).
	pragmas := []string{"PRAGMA query_only = 1", "PRAGMA busy_timeout = 10000"}
	if writes {
		// Reading the schema opens the WAL: until then a checkpoint reports the database
		// as not in WAL mode and does nothing.
		pragmas = append(pragmas[1:], "PRAGMA schema_version")
	}
	if mapped {
		pragmas = append(pragmas, "PRAGMA mmap_size = 1099511627776")
	}
	for _, p := range pragmas {
		if err := c.exec(p); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *liteConn) err(rc int32) error {
	if c.db == 0 {
		return fmt.Errorf("sqlite: %s", libc.GoString(sqlite3.Xsqlite3_errstr(c.tls, rc)))
	}
	return fmt.Errorf("sqlite: %s", libc.GoString(sqlite3.Xsqlite3_errmsg(c.tls, c.db)))
}

func (c *liteConn) exec(query string) error {
	z, err := libc.CString(query)
	if err != nil {
		return err
	}
	defer libc.Xfree(c.tls, z)
	if rc := sqlite3.Xsqlite3_exec(c.tls, c.db, z, 0, 0, 0); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// setChunkSize makes SQLite grow (and truncate) the database file in multiples of n bytes
// on this connection (SQLITE_FCNTL_CHUNK_SIZE).
func (c *liteConn) setChunkSize(n int32) error {
	p := libc.Xmalloc(c.tls, 4)
	if p == 0 {
		return errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(c.tls, p)
	*(*int32)(cmem(p)) = n
	if rc := sqlite3.Xsqlite3_file_control(c.tls, c.db, 0, sqlite3.SQLITE_FCNTL_CHUNK_SIZE, p); rc != sqlite3.SQLITE_OK {
		return c.err(rc)
	}
	return nil
}

// walCheckpoint runs sqlite3_wal_checkpoint_v2 on the main database with mode (a
// sqlite3.SQLITE_CHECKPOINT_* value), waiting at most wait for other connections' locks;
// it returns the WAL's size in frames, the frames copied, and whether others' locks kept
// it from finishing (SQLITE_BUSY, not an error).
func (c *liteConn) walCheckpoint(mode int32, wait time.Duration) (frames, copied int64, busy bool, err error) {
	p := libc.Xmalloc(c.tls, 8)
	if p == 0 {
		return 0, 0, false, errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(c.tls, p)
	*(*[2]int32)(cmem(p)) = [2]int32{-1, -1}
	main, err := libc.CString("main")
	if err != nil {
		return 0, 0, false, err
	}
	defer libc.Xfree(c.tls, main)
	sqlite3.Xsqlite3_busy_timeout(c.tls, c.db, int32(wait/time.Millisecond))
	rc := sqlite3.Xsqlite3_wal_checkpoint_v2(c.tls, c.db, main, mode, p, p+4)
	n := *(*[2]int32)(cmem(p))
	switch rc {
	case sqlite3.SQLITE_OK:
		return int64(n[0]), int64(n[1]), false, nil
	case sqlite3.SQLITE_BUSY:
		return int64(n[0]), int64(n[1]), true, nil
	}
	return 0, 0, false, c.err(rc)
}

func (c *liteConn) close() {
	if c.db != 0 {
		sqlite3.Xsqlite3_close_v2(c.tls, c.db) // statements are finalized by their owners first
		c.db = 0
	}
	if c.tls != nil {
		c.tls.Close()
		c.tls = nil
	}
}

// liteStmt is a prepared statement of a liteConn.
type liteStmt struct {
	c  *liteConn
	st uintptr
}

func (c *liteConn) prepare(query string) (*liteStmt, error) {
	z, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(c.tls, z)
	pp := libc.Xmalloc(c.tls, 8)
	if pp == 0 {
		return nil, errors.New("sqlite: out of memory")
	}
	defer libc.Xfree(c.tls, pp)
	*(*uintptr)(cmem(pp)) = 0
	if rc := sqlite3.Xsqlite3_prepare_v2(c.tls, c.db, z, -1, pp, 0); rc != sqlite3.SQLITE_OK {
		return nil, c.err(rc)
	}
	return &liteStmt{c: c, st: *(*uintptr)(cmem(pp))}, nil
}

// start resets the statement and binds args to ?1, ?2…
func (s *liteStmt) start(args ...int64) error {
	sqlite3.Xsqlite3_reset(s.c.tls, s.st)
	for i, a := range args {
		if rc := sqlite3.Xsqlite3_bind_int64(s.c.tls, s.st, int32(i+1), a); rc != sqlite3.SQLITE_OK {
			return s.c.err(rc)
		}
	}
	return nil
}

// bindText binds v to parameter i (SQLite copies it).
func (s *liteStmt) bindText(i int32, v string) error {
	z, err := libc.CString(v)
	if err != nil {
		return err
	}
	defer libc.Xfree(s.c.tls, z)
	if rc := sqlite3.Xsqlite3_bind_text(s.c.tls, s.st, i, z, int32(len(v)), sqliteTransient); rc != sqlite3.SQLITE_OK {
		return s.c.err(rc)
	}
	return nil
}

// sqliteTransient is SQLITE_TRANSIENT, the destructor that tells SQLite to copy the value.
const sqliteTransient = ^uintptr(0)

// next steps to the next row: false at the end.
func (s *liteStmt) next() (bool, error) {
	switch rc := sqlite3.Xsqlite3_step(s.c.tls, s.st); rc {
	case sqlite3.SQLITE_ROW:
		return true, nil
	case sqlite3.SQLITE_DONE:
		return false, nil
	default:
		return false, s.c.err(rc)
	}
}

// int64 returns column i as an integer, and whether it is stored as one.
func (s *liteStmt) int64(i int32) (int64, bool) {
	isInt := sqlite3.Xsqlite3_column_type(s.c.tls, s.st, i) == sqlite3.SQLITE_INTEGER // before any conversion
	return sqlite3.Xsqlite3_column_int64(s.c.tls, s.st, i), isInt
}

// bytes returns column i's bytes (a text as UTF-8, a number as its text, NULL as nil),
// in SQLite's memory: valid until the next step, reset or close.
func (s *liteStmt) bytes(i int32) []byte {
	p := sqlite3.Xsqlite3_column_blob(s.c.tls, s.st, i)
	n := sqlite3.Xsqlite3_column_bytes(s.c.tls, s.st, i)
	if p == 0 || n <= 0 {
		return nil
	}
	return unsafe.Slice((*byte)(cmem(p)), n)
}

// copied returns a copy of column i's bytes (nil for NULL), safe to keep.
func (s *liteStmt) copied(i int32) []byte {
	if b := s.bytes(i); b != nil {
		return append([]byte(nil), b...)
	}
	return nil
}

// end ends the statement's read (its read transaction ends with it).
func (s *liteStmt) end() { sqlite3.Xsqlite3_reset(s.c.tls, s.st) }

func (s *liteStmt) close() {
	if s != nil && s.st != 0 {
		sqlite3.Xsqlite3_finalize(s.c.tls, s.st)
		s.st = 0
	}
}

// cmem turns an address SQLite returned into a pointer. The memory is modernc's C heap,
// outside Go's, so the garbage collector neither moves nor frees it.
func cmem(p uintptr) unsafe.Pointer { return unsafe.Add(nil, p) }
