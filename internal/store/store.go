// Package store is kinko's SQL persistence: one implementation over database/sql with two
// drivers, embedded SQLite (modernc.org/sqlite, pure Go, the default) and PostgreSQL (pgx).
// Migrations are versioned and run at Open.
//
// Invariants:
//   - Every write goes through one group-commit writer: concurrent requests are batched into
//     one transaction and one fsync (SQLite synchronous=FULL), so no request ever waits on
//     or fails with "database is locked", and a nil error means the write is durable.
//   - The store holds ciphertext, wrapped keys and blind indexes only; it never sees a
//     plaintext value of personal data or a key that is not wrapped.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	_ "modernc.org/sqlite"             // SQLite driver "sqlite"
)

// Dialect names the SQL flavour behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

var (
	// ErrNotFound means no row matched.
	ErrNotFound = errors.New("store: not found")
	// ErrConflict means the row changed since it was read (optimistic concurrency) or a
	// unique value already exists.
	ErrConflict = errors.New("store: conflict")
)

// DB is an open kinko database.
type DB struct {
	dialect      Dialect
	r            *sql.DB // readers
	w            *sql.DB // the writer's connection(s)
	writer       *groupWriter
	now          func() time.Time
	rs, ws       *stmts // prepared statements for readers and the writer
	sqliteDSN    string
	checkpointer *checkpointer
	indexer      *auditIndexer  // writes the audit trail's customer index (audit_index.go)
	lite         *liteCustomers // SQLite: reads customers by id (sqlite_customers.go)
	pgw          *sql.Conn      // PostgreSQL: the writer's connection for pipelined appends (audit_pipeline.go)
	head         chainHead      // PostgreSQL: the chain head as the writer last moved it (audit_pipeline.go)
	unindexed    atomic.Int64   // events appended through this DB since the indexer last ran
	walFrames    atomic.Int64   // SQLite: the WAL's size in frames (checkpoint.go)
	journalDelay time.Duration  // Options.AuditJournalDelay
	where        string         // safe description for messages: a file path or host/database, never a password
}

// Options tune Open; the zero value is right for production.
type Options struct {
	Now func() time.Time
	// AuditJournal is the audit journal's file (audit_journal.go): on SQLite the database's
	// path with "-audit-journal" when empty; on PostgreSQL, a file in this server's data
	// folder, or none (read events go straight to audit_events).
	AuditJournal string
	// NoAuditJournal appends read events to audit_events directly, without a journal: for
	// tests and benchmarks.
	NoAuditJournal bool
	// AuditJournalDelay is how long read events may wait in the journal before they are
	// moved into audit_events (0: 250 ms); tests that look at the journal's file make it long.
	AuditJournalDelay time.Duration
}

// SQLiteFileName is the database file inside the data folder.
const SQLiteFileName = "kinko.db"

// Open connects to the database named by dsn and migrates it. dsn is a postgres:// or
// postgresql:// URL, or a SQLite file path (optionally prefixed with sqlite: or file:).
func Open(ctx context.Context, dsn string, opt Options) (*DB, error) {
	db := &DB{now: opt.Now, journalDelay: opt.AuditJournalDelay}
	if db.now == nil {
		db.now = time.Now
	}
	var err error
	if IsPostgres(dsn) {
		err = db.openPostgres(dsn)
	} else {
		err = db.openSQLite(dsn)
	}
	if err != nil {
		return nil, err
	}
	if err := db.migrate(ctx, len(migrations)); err != nil {
		db.Close()
		return nil, err
	}
	db.rs, db.ws = newStmts(db.r), newStmts(db.w)
	if err := db.warm(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: preparing statements: %w", db.where, err)
	}
	db.writer = newGroupWriter(db.w, db.dialect, db.writerCount(), db.appendAuditTx)
	if db.dialect == SQLite {
		db.writer.walFrames, db.writer.checkpointer = &db.walFrames, db.checkpointer
		db.writer.lite, db.writer.liteAudit = &liteWriter{}, db.appendAuditLite
	}
	if db.dialect == Postgres {
		db.writer.pipelined = db.pipelined
	}
	journal := opt.AuditJournal
	if journal == "" && db.dialect == SQLite {
		journal = db.where + journalSuffix
	}
	if journal != "" && !opt.NoAuditJournal {
		j, err := db.openAuditJournal(ctx, journal)
		if err != nil {
			db.Close()
			return nil, err
		}
		db.writer.journal, db.writer.indexJournaled = j, db.indexAppendedTx
	}
	db.writer.start()
	// Events an earlier process left in the journal go in before anything else.
	if err := db.syncJournal(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("database %s: moving the audit journal in: %w", db.where, err)
	}
	db.startAuditIndexer()
	return db, nil
}

// IsPostgres reports whether dsn names a PostgreSQL database.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

func (db *DB) openSQLite(dsn string) error {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	if path == "" {
		return errors.New("database: empty SQLite path")
	}
	db.dialect, db.where = SQLite, path
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	// Create the file ourselves so it is 0600 from the first byte (SQLite would use 0644).
	if f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600); err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	} else {
		f.Close()
	}
	// WAL: readers never block the writer. synchronous=FULL: a commit is fsynced, so 201
	// means durable. secure_delete: freed pages are zeroed, so shredded ciphertext does not
	// linger in the file. busy_timeout only matters for other processes (the CLI while the
	// server runs): inside one process all writes go through one connection.
	q := "file:" + (&url.URL{Path: path}).EscapedPath() + "?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)" +
		"&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=secure_delete(1)&_txlock=immediate"
	db.sqliteDSN = q
	// The writer never checkpoints itself (wal_autocheckpoint 0): copying WAL frames into
	// the database file happens on a connection of its own (checkpointer), off the one
	// writer's critical path. Its page cache is small and the file is mapped (mmap_size):
	// a page the cache does not hold is read in place, without a pread(2). A large cache
	// cost more than it saved: when a B-tree page splits, SQLite renumbers a page through
	// the pending-byte page number for a moment (balance_nonroot), and the cache then
	// scans its whole hash table at the commit to drop pages past the end of the database
	// (pcache1TruncateUnsafe), for a 64 MiB cache 5–8 % of a create's CPU
	// (docs/performance-log.md). See sqlite_raw.go for what mapping the file implies.
	// temp_store MEMORY keeps statement journals (the pages a multi-row INSERT inside a
	// batch would have to undo alone) in memory: on disk they were a pwrite(2) per page,
	// 5 % of all CPU under reads (docs/performance-log.md). Nothing durable is kept there.
	// The writer's WAL writes go through walBufVFS (sqlite_vfs.go): one write per commit.
	w, err := sql.Open("sqlite", q+writerVFS()+"&_pragma=wal_autocheckpoint(0)&_pragma=journal_size_limit("+strconv.Itoa(walSizeLimit)+")&_pragma=cache_size(-8192)&_pragma=mmap_size(1099511627776)&_pragma=temp_store(2)")
	if err != nil {
		return fmt.Errorf("database %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	r, err := sql.Open("sqlite", q+"&_pragma=query_only(1)&_pragma=cache_size(-16384)")
	if err != nil {
		w.Close()
		return fmt.Errorf("database %s: %w", path, err)
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxLifetime(0)
	db.r, db.w = r, w
	if err := w.Ping(); err != nil {
		db.Close()
		return fmt.Errorf("database %s: %w", path, err)
	}
	if db.checkpointer, err = newCheckpointer(path, &db.walFrames); err != nil {
		db.Close()
		return fmt.Errorf("database %s: %w", path, err)
	}
	db.lite = newLiteCustomers(path)
	return nil
}

func (db *DB) openPostgres(dsn string) error {
	u, err := url.Parse(dsn)
	if err != nil {
		return errors.New("database: not a valid postgres:// URL")
	}
	db.dialect, db.where = Postgres, u.Host+u.Path
	p, err := sql.Open("pgx", dsn)
	if err != nil {
		return fmt.Errorf("database %s: %w", db.where, err)
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return fmt.Errorf("database %s: %s", db.where, safePGError(err))
	}
	db.r, db.w = p, p
	return nil
}

// safePGError keeps a connection error's message but drops anything after "password" in
// case a driver ever echoes the DSN.
func safePGError(err error) string {
	s := err.Error()
	if i := strings.Index(strings.ToLower(s), "password="); i >= 0 {
		s = s[:i] + "…"
	}
	return s
}

func (db *DB) writerCount() int {
	// One writer for both. SQLite has one writer by design; on PostgreSQL every write appends
	// to the audit trail under its chain-head lock, so concurrent writers would only queue
	// on that lock with smaller batches (more commits): one writer batching everything is
	// faster.
	return 1
}

// Dialect reports the database flavour.
func (db *DB) Dialect() Dialect { return db.dialect }

// Where describes the database for messages (path or host/database, no credentials).
func (db *DB) Where() string { return db.where }

// Close stops the writer and closes connections.
func (db *DB) Close() error {
	if db.indexer != nil {
		db.indexer.stop(db)
	}
	if db.writer != nil {
		db.writer.close()
	}
	if db.pgw != nil {
		db.pgw.Close()
	}
	if db.lite != nil {
		db.lite.close()
	}
	if db.checkpointer != nil {
		db.checkpointer.stop()
	}
	if db.rs != nil {
		db.rs.close()
		db.ws.close()
	}
	var err error
	if db.r != nil {
		err = db.r.Close()
	}
	if db.w != nil && db.w != db.r {
		err = errors.Join(err, db.w.Close())
	}
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.r.PingContext(ctx) }

// Checkpoint folds SQLite's WAL into the main file (a no-op on PostgreSQL).
func (db *DB) Checkpoint(ctx context.Context) error {
	if db.dialect != SQLite {
		return nil
	}
	if err := db.syncJournal(ctx); err != nil {
		return err
	}
	// Outside any transaction, on the writer's one connection: it waits its turn.
	_, err := db.w.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return err
}

// q rewrites a query written with ? placeholders for the dialect ($1, $2… for PostgreSQL).
func (db *DB) q(query string) string {
	if db.dialect != Postgres {
		return query
	}
	// Runs on every statement (the rewritten text is the prepared-statement cache's key),
	// so no fmt: multi-row inserts carry hundreds of placeholders.
	b := make([]byte, 0, len(query)+len(query)/4)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b = strconv.AppendInt(append(b, '$'), int64(n), 10)
			continue
		}
		b = append(b, query[i])
	}
	return string(b)
}

func micros(t time.Time) int64 { return t.UnixMicro() }
func fromMicros(v int64) time.Time {
	return time.UnixMicro(v).UTC()
}

// Backup writes a consistent copy of a SQLite database to path (which must not exist) with
// mode 0600, using VACUUM INTO: a snapshot taken inside one read transaction, so it is
// safe while the server writes.
func (db *DB) Backup(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("backup: only the embedded SQLite database can be copied; use pg_dump for PostgreSQL")
	}
	if err := db.syncJournal(ctx); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	f.Close()
	// A connection of its own (the readers are query_only, the writer must keep writing):
	// VACUUM INTO reads one snapshot and never blocks the server's writes.
	c, err := sql.Open("sqlite", db.sqliteDSN)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}
