package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// auditCutMigration creates audit_cut (part of migration 4; audit_retention_cut since
// migration 6): the one row pruning leaves
// behind. It names the last event removed (seq, hash) with an HMAC under the master key, so
// verification can start the chain there and tell a retention cut from events deleted
// behind kinko's back (internal/audit, docs/audit.md "Retention").
const auditCutMigration = `CREATE TABLE audit_cut (
		id BIGINT PRIMARY KEY,
		seq BIGINT NOT NULL,
		hash BLOB NOT NULL,
		time BIGINT NOT NULL,
		key_version BIGINT NOT NULL,
		mac BLOB NOT NULL
	)`

// AuditFirstSeqFrom returns the smallest seq of an event written at or after t, and false
// when every stored event is older than t.
func (db *DB) AuditFirstSeqFrom(ctx context.Context, t time.Time) (uint64, bool, error) {
	if err := db.syncJournal(ctx); err != nil {
		return 0, false, err
	}
	var seq sql.NullInt64
	if err := db.queryRow(ctx, `SELECT MIN(seq) FROM audit_events WHERE time >= ?`, micros(t)).Scan(&seq); err != nil {
		return 0, false, fmt.Errorf("audit: finding the retention cut: %w", err)
	}
	if !seq.Valid {
		return 0, false, nil
	}
	return uint64(seq.Int64), true, nil
}

// AuditCut returns the signed cut of the last pruning (ErrNotFound when the trail was never
// pruned). Time is the time of the last event removed.
func (db *DB) AuditCut(ctx context.Context) (AuditCheckpoint, error) {
	var c AuditCheckpoint
	var seq, t, v int64
	err := db.queryRow(ctx, `SELECT seq, hash, time, key_version, mac FROM audit_retention_cut WHERE id = 1`).Scan(&seq, &c.Hash, &t, &v, &c.MAC)
	if errors.Is(err, sql.ErrNoRows) {
		return AuditCheckpoint{}, ErrNotFound
	}
	if err != nil {
		return AuditCheckpoint{}, fmt.Errorf("audit: reading the retention cut: %w", err)
	}
	c.Seq, c.Time, c.KeyVersion = uint64(seq), fromMicros(t), uint32(v)
	return c, nil
}

// PruneAudit removes the events up to and including cut.Seq, their customer-index rows and
// the checkpoints before the cut, and stores cut, all in one transaction: the trail is never
// shorter without the signed cut that explains it. A cut at or behind the stored one does
// nothing. It returns the number of events removed.
func (db *DB) PruneAudit(ctx context.Context, cut AuditCheckpoint) (int64, error) {
	var removed int64
	err := db.write(ctx, func(tx *sql.Tx) error {
		removed = 0
		var have sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_retention_cut`).Scan(&have); err != nil {
			return err
		}
		if have.Valid && uint64(have.Int64) >= cut.Seq {
			return nil
		}
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO audit_retention_cut (id, seq, hash, time, key_version, mac) VALUES (1, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, time = excluded.time,
			key_version = excluded.key_version, mac = excluded.mac`),
			int64(cut.Seq), cut.Hash, micros(cut.Time), int64(cut.KeyVersion), cut.MAC); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM audit_events WHERE seq <= ?`), int64(cut.Seq))
		if err != nil {
			return err
		}
		if removed, err = res.RowsAffected(); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM audit_customers WHERE seq <= ?`), int64(cut.Seq)); err != nil {
			return err
		}
		// The summaries of buckets whose events are all gone.
		for _, table := range []string{"audit_bucket_keys", "audit_bucket_times"} {
			if _, err := tx.ExecContext(ctx, db.q(`DELETE FROM `+table+` WHERE bucket < ?`), int64((cut.Seq+1)/auditBucket)); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, db.q(`DELETE FROM audit_checkpoints WHERE seq < ?`), int64(cut.Seq))
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit: pruning: %w", err)
	}
	return removed, nil
}

// ReplaceAuditCut re-signs the stored cut in place (same seq and hash, a new MAC and key
// version); ErrNotFound when there is no cut at that seq.
func (db *DB) ReplaceAuditCut(ctx context.Context, cut AuditCheckpoint) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE audit_retention_cut SET time = ?, key_version = ?, mac = ? WHERE id = 1 AND seq = ? AND hash = ?`),
			micros(cut.Time), int64(cut.KeyVersion), cut.MAC, int64(cut.Seq), cut.Hash)
		return expectOne(res, err)
	})
}
