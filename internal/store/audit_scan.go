package store

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The read path of verification (internal/audit/verify.go): the whole trail, in order,
// page by page. Kept apart from audit.go, which appends.

// AuditExtent is where the trail stands: the chain head row and the largest seq present.
type AuditExtent struct {
	HeadSeq  uint64
	HeadHash []byte // nil while the trail is empty
	MaxSeq   uint64 // largest seq in audit_events
	// Indexed is the customer index's progress mark: every event up to it has its rows in
	// audit_customers; an event after it has its rows or none yet (audit_index.go).
	Indexed uint64
}

// AuditRaw is one stored event as verification reads it. Body and Hash alias the driver's
// buffers and are valid only during the callback.
type AuditRaw struct {
	Seq  int64
	Body []byte
	Hash []byte
	// Header is Body's header and HeaderErr what record.ParseHeader said of Body (nil:
	// Body is a well-formed encoding), so that verification does not parse it again.
	Header    record.Header
	HeaderErr error
	// ColumnsMatch reports whether the time, actor and action columns say what Body says
	// (true when Body is not a well-formed encoding: verification reports that itself).
	ColumnsMatch bool
}

// AuditExtent reads the chain head and the largest seq stored, in one snapshot.
func (db *DB) AuditExtent(ctx context.Context) (AuditExtent, error) {
	if err := db.syncJournal(ctx); err != nil {
		return AuditExtent{}, err
	}
	var x AuditExtent
	tx, err := db.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return x, err
	}
	defer tx.Rollback()
	var head int64
	if err := tx.QueryRowContext(ctx, auditHeadSQL).Scan(&head, &x.HeadHash); err != nil {
		return x, fmt.Errorf("audit: reading the chain head: %w", err)
	}
	x.HeadSeq = uint64(max(head, 0))
	var indexed int64
	if err := tx.QueryRowContext(ctx, auditProgressSQL).Scan(&indexed); err != nil {
		return x, fmt.Errorf("audit: reading the index's progress: %w", err)
	}
	x.Indexed = uint64(max(indexed, 0))
	// On SQLite seq is the rowid (migration 7): the largest is the table's last row.
	q := `SELECT COALESCE(MAX(seq), 0) FROM audit_events`
	var m int64
	if err := tx.QueryRowContext(ctx, q).Scan(&m); err != nil {
		return x, fmt.Errorf("audit: reading the trail's extent: %w", err)
	}
	x.MaxSeq = uint64(max(m, 0))
	return x, nil
}

// AuditHash returns the stored hash of event seq (ErrNotFound when there is none).
func (db *DB) AuditHash(ctx context.Context, seq uint64) ([]byte, error) {
	// An event already in audit_events needs no move of the journal's first: a checkpoint
	// asks for the head AuditExtent just moved in, and a move is a commit that empties
	// every reader's cache (sqlite_customers.go).
	h, err := db.auditHash(ctx, seq)
	if !errors.Is(err, ErrNotFound) {
		return h, err
	}
	if err := db.syncJournal(ctx); err != nil {
		return nil, err
	}
	return db.auditHash(ctx, seq)
}

func (db *DB) auditHash(ctx context.Context, seq uint64) ([]byte, error) {
	var h []byte
	err := db.queryRow(ctx, `SELECT hash FROM audit_events WHERE seq = ?`, int64(seq)).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return h, err
}

// auditScanSQLite reads an event in four columns instead of six: each column a query
// returns costs SQLite about as much as hashing the event, so the hash, actor and action
// come joined as hash || actor || 0x00 || action (actor and action never hold a NUL:
// record.Validate refuses it, so the split is unambiguous).
const auditScanSQLite = "SELECT seq, time, body, hash || CAST(actor AS BLOB) || x'00' || CAST(action AS BLOB) FROM audit_events WHERE rowid > ? AND rowid <= ? ORDER BY rowid"

const auditScanPostgres = `SELECT seq, time, body, hash, actor, action FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`

// ScanAudit calls fn for every stored event whose seq is in (after, upto], in seq order
// (on SQLite the rowid, the table's own order). It reads in one query
// and allocates nothing per event beyond what the driver does; callers page with ranges.
func (db *DB) ScanAudit(ctx context.Context, after, upto uint64, fn func(*AuditRaw) error) error {
	if err := db.syncJournal(ctx); err != nil {
		return err
	}
	q := auditScanPostgres
	if db.dialect == SQLite {
		q = auditScanSQLite
	}
	rows, err := db.query(ctx, q, int64(after), int64(upto))
	if err != nil {
		return fmt.Errorf("audit: reading events: %w", err)
	}
	defer rows.Close()
	var r AuditRaw
	var body, tail, actor, action sql.RawBytes
	var t int64
	for rows.Next() {
		if db.dialect == SQLite {
			err = rows.Scan(&r.Seq, &t, &body, &tail)
			if len(tail) >= record.HashSize {
				r.Hash = tail[:record.HashSize]
				actor, action, _ = bytes.Cut(tail[record.HashSize:], []byte{0})
			} else {
				r.Hash, actor, action = tail, nil, nil
			}
		} else {
			err = rows.Scan(&r.Seq, &t, &body, &r.Hash, &actor, &action)
		}
		if err != nil {
			return fmt.Errorf("audit: reading events: %w", err)
		}
		r.Body = body
		r.HeaderErr = record.ParseHeader(body, &r.Header)
		h := &r.Header
		r.ColumnsMatch = r.HeaderErr != nil ||
			(h.Micros == t && bytes.Equal(h.Actor, actor) && bytes.Equal(h.Action, action))
		if err := fn(&r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: reading events: %w", err)
	}
	return nil
}

// ScanAuditCustomers calls fn for every row of the customer index with seq in
// (after, upto], ordered by seq then customer id. customer is valid only during the call.
func (db *DB) ScanAuditCustomers(ctx context.Context, after, upto uint64, fn func(seq uint64, customer []byte) error) error {
	if err := db.syncJournal(ctx); err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT seq, customer_id FROM audit_customers WHERE seq > ? AND seq <= ? ORDER BY seq, customer_id`, int64(after), int64(upto))
	if err != nil {
		return fmt.Errorf("audit: reading the customer index: %w", err)
	}
	defer rows.Close()
	var seq int64
	var id sql.RawBytes
	for rows.Next() {
		if err := rows.Scan(&seq, &id); err != nil {
			return fmt.Errorf("audit: reading the customer index: %w", err)
		}
		if err := fn(uint64(seq), id); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("audit: reading the customer index: %w", err)
	}
	return nil
}

// AuditReader reads the trail for verification: ScanAudit and ScanAuditCustomers, on
// SQLite over a connection of its own driven through SQLite's C API (liteConn, about a
// third of database/sql's cost per row), on PostgreSQL over a connection of the pool
// read with pgx's own interface (rows in binary format, columns read in place, none of
// database/sql's per-value conversions and copies). Each goroutine uses its own reader;
// Close it after use.
type AuditReader struct {
	db                *DB
	lite              *liteConn
	events, customers *liteStmt
	pg                *sql.Conn // PostgreSQL: one connection of the pool, read through pgx itself
}

// The same rows as auditScanSQLite, in six plain columns: on a liteConn a column costs
// little, so the hash, actor and action need no joining.
const (
	auditEventsLite    = `SELECT seq, time, actor, action, body, hash FROM audit_events WHERE rowid > ?1 AND rowid <= ?2 ORDER BY rowid`
	auditCustomersLite = `SELECT seq, customer_id FROM audit_customers WHERE seq > ?1 AND seq <= ?2 ORDER BY seq, customer_id`
)

// NewAuditReader opens a reader of the trail.
func (db *DB) NewAuditReader(ctx context.Context) (_ *AuditReader, err error) {
	if err := db.syncJournal(ctx); err != nil {
		return nil, err
	}
	r := &AuditReader{db: db}
	if db.dialect != SQLite {
		if r.pg, err = db.r.Conn(ctx); err != nil {
			return nil, fmt.Errorf("audit: opening a reader: %w", err)
		}
		return r, nil
	}
	// The file the pool has open, whatever prefix or options its DSN carried.
	var path string
	if err := db.r.QueryRowContext(ctx, `SELECT file FROM pragma_database_list WHERE name = 'main'`).Scan(&path); err != nil {
		return nil, fmt.Errorf("audit: opening a reader: %w", err)
	}
	if r.lite, err = openLite(path, true); err != nil {
		return nil, fmt.Errorf("audit: opening a reader: %w", err)
	}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	if r.events, err = r.lite.prepare(auditEventsLite); err != nil {
		return nil, fmt.Errorf("audit: opening a reader: %w", err)
	}
	if r.customers, err = r.lite.prepare(auditCustomersLite); err != nil {
		return nil, fmt.Errorf("audit: opening a reader: %w", err)
	}
	return r, nil
}

// Close releases the reader's connection.
func (r *AuditReader) Close() error {
	if r.pg != nil {
		err := r.pg.Close()
		r.pg = nil
		return err
	}
	if r.lite != nil {
		r.events.close()
		r.customers.close()
		r.lite.close()
		r.lite = nil
	}
	return nil
}

// ctxEvery is how many rows a reader reads between looks at its context (a few ms).
const ctxEvery = 4096

// ScanAudit is DB.ScanAudit on the reader's connection: fn sees the same AuditRaw, whose
// Body and Hash are valid only during the call.
func (r *AuditReader) ScanAudit(ctx context.Context, after, upto uint64, fn func(*AuditRaw) error) error {
	if r.pg != nil {
		return r.scanPostgres(ctx, after, upto, fn)
	}
	if r.lite == nil {
		return r.db.ScanAudit(ctx, after, upto, fn)
	}
	var raw AuditRaw
	return r.events.each(ctx, after, upto, "events", func(s *liteStmt) error {
		seq, isInt := s.int64(0)
		if !isInt {
			seq = 0 // not a seq: verification reports the row as out of place
		}
		t, tInt := s.int64(1)
		actor, action := s.bytes(2), s.bytes(3)
		raw.Seq, raw.Body, raw.Hash = seq, s.bytes(4), s.bytes(5)
		raw.HeaderErr = record.ParseHeader(raw.Body, &raw.Header)
		h := &raw.Header
		raw.ColumnsMatch = raw.HeaderErr != nil ||
			(tInt && h.Micros == t && bytes.Equal(h.Actor, actor) && bytes.Equal(h.Action, action))
		return fn(&raw)
	})
}

// ScanAuditCustomers is DB.ScanAuditCustomers on the reader's connection.
func (r *AuditReader) ScanAuditCustomers(ctx context.Context, after, upto uint64, fn func(seq uint64, customer []byte) error) error {
	if r.pg != nil {
		return r.scanCustomersPostgres(ctx, after, upto, fn)
	}
	if r.lite == nil {
		return r.db.ScanAuditCustomers(ctx, after, upto, fn)
	}
	return r.customers.each(ctx, after, upto, "the customer index", func(s *liteStmt) error {
		seq, _ := s.int64(0) // an integer: the WHERE clause passes no other type
		return fn(uint64(seq), s.bytes(1))
	})
}

// each runs the statement over (after, upto] and calls row for every row, looking at ctx
// every ctxEvery rows; what names the rows in errors.
func (s *liteStmt) each(ctx context.Context, after, upto uint64, what string, row func(*liteStmt) error) error {
	if err := s.start(int64(after), int64(upto)); err != nil {
		return fmt.Errorf("audit: reading %s: %w", what, err)
	}
	defer s.end()
	for n := 0; ; n++ {
		if n%ctxEvery == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		ok, err := s.next()
		if err != nil {
			return fmt.Errorf("audit: reading %s: %w", what, err)
		}
		if !ok {
			return nil
		}
		if err := row(s); err != nil {
			return err
		}
	}
}

// pgx runs fn with the reader's connection as pgx's own.
func (r *AuditReader) pgx(fn func(*pgx.Conn) error) error {
	return r.pg.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("audit: a PostgreSQL connection of type %T", dc)
		}
		return fn(c.Conn())
	})
}

// pgBinary asks for every result column in PostgreSQL's binary format: a bigint is 8
// bytes big-endian, bytea and text are their bytes.
var pgBinary = pgx.QueryResultFormats{pgx.BinaryFormatCode}

// bigint reads a bigint column in binary format (ok false when it is not 8 bytes).
func bigint(v []byte) (int64, bool) {
	if len(v) != 8 {
		return 0, false
	}
	return int64(binary.BigEndian.Uint64(v)), true
}

// scanPostgres is ScanAudit on PostgreSQL.
func (r *AuditReader) scanPostgres(ctx context.Context, after, upto uint64, fn func(*AuditRaw) error) error {
	var fnErr error // fn's own error goes back as it is (verification stops with it)
	err := r.pgx(func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT seq, time, actor, action, body, hash FROM audit_events WHERE seq > $1 AND seq <= $2 ORDER BY seq`,
			pgBinary, int64(after), int64(upto))
		if err != nil {
			return err
		}
		defer rows.Close()
		var raw AuditRaw
		for rows.Next() {
			v := rows.RawValues()
			if len(v) != 6 {
				return fmt.Errorf("%d columns", len(v))
			}
			seq, _ := bigint(v[0])
			t, tOK := bigint(v[1])
			raw.Seq, raw.Body, raw.Hash = seq, v[4], v[5]
			raw.HeaderErr = record.ParseHeader(raw.Body, &raw.Header)
			h := &raw.Header
			raw.ColumnsMatch = raw.HeaderErr != nil ||
				(tOK && h.Micros == t && bytes.Equal(h.Actor, v[2]) && bytes.Equal(h.Action, v[3]))
			if fnErr = fn(&raw); fnErr != nil {
				return fnErr
			}
		}
		return rows.Err()
	})
	if err != nil && err != fnErr {
		return fmt.Errorf("audit: reading events: %w", err)
	}
	return err
}

// scanCustomersPostgres is ScanAuditCustomers on PostgreSQL.
func (r *AuditReader) scanCustomersPostgres(ctx context.Context, after, upto uint64, fn func(seq uint64, customer []byte) error) error {
	var fnErr error
	err := r.pgx(func(c *pgx.Conn) error {
		rows, err := c.Query(ctx, `SELECT seq, customer_id FROM audit_customers WHERE seq > $1 AND seq <= $2 ORDER BY seq, customer_id COLLATE "C"`,
			pgBinary, int64(after), int64(upto))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			v := rows.RawValues()
			if len(v) != 2 {
				return fmt.Errorf("%d columns", len(v))
			}
			seq, _ := bigint(v[0])
			if fnErr = fn(uint64(seq), v[1]); fnErr != nil {
				return fnErr
			}
		}
		return rows.Err()
	})
	if err != nil && err != fnErr {
		return fmt.Errorf("audit: reading the customer index: %w", err)
	}
	return err
}
