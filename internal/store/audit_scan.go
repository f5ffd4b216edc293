package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The read path of verification (internal/audit/verify.go): the whole trail, in order,
// page by page. Kept apart from audit.go, which appends.

// AuditRaw is one stored event as verification reads it. Body and Hash alias the driver's
// buffers and are valid only during the callback.
type AuditRaw struct {
	Seq  int64
	Body []byte
	Hash []byte
	// ColumnsMatch reports whether the time, actor and action columns say what Body says
	// (true when Body is not a well-formed encoding: verification reports that itself).
	ColumnsMatch bool
}

// auditScanSQLite reads an event in four columns instead of six: each column a query
// returns costs SQLite about as much as hashing the event, so the hash, actor and action
// come joined as hash || actor || 0x00 || action (actor and action never hold a NUL:
// record.Validate refuses it, so the split is unambiguous).
const auditScanSQLite = "SELECT seq, time, body, hash || CAST(actor AS BLOB) || x'00' || CAST(action AS BLOB) FROM audit_events WHERE rowid > ? AND rowid <= ? ORDER BY rowid"

const auditScanPostgres = `SELECT seq, time, body, hash, actor, action FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq`

// ScanAudit calls fn for every stored event whose position is in (after, upto], in order:
// by rowid on SQLite (which appendAuditTx sets to seq, so a row whose seq column was
// changed shows up where it was written) and by seq on PostgreSQL. It reads in one query
// and allocates nothing per event beyond what the driver does; callers page with ranges.
func (db *DB) ScanAudit(ctx context.Context, after, upto uint64, fn func(*AuditRaw) error) error {
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
	var h record.Header
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
		r.ColumnsMatch = record.ParseHeader(body, &h) != nil ||
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
