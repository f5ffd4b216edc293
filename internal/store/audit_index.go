package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The customer index of the audit trail ("which events name customer X"), written behind
// the trail rather than with each event.
//
// Every read of a customer appends an event, and the request waits for its commit (fail
// closed). An index keyed by customer id puts each event's index row on a random page, so
// with the index written in the same transaction every read event cost a page of WAL of its
// own, on top of the few pages a whole batch of events shares at the end of audit_events
// (measured: about 20 µs a read of 50, docs/performance.md). So the append writes the event
// only, and an indexer adds the index rows afterwards, in transactions of up to
// auditIndexBatch events, in seq order, moving audit_index_progress with them:
//
//   - a query by customer first brings the index up to the chain head (IndexAudit), so it
//     never misses an event;
//   - the index is bucketed by seq (audit_customers_bucket on seq / auditBucket, customer
//     id, seq): one indexer transaction touches the pages of one or two buckets, not pages
//     all over the index; a query by customer reads one short range per bucket;
//   - verification holds every event up to the progress mark to exactly its customers in
//     the index, and an event after it to exactly its customers or none (internal/audit);
//     moving the mark back only makes the indexer write the missing rows again.
const (
	// auditBucket is the number of seqs per bucket of the customer index. Migration 7
	// writes the number into the index expression; change both together or not at all.
	auditBucket = 16384
	// auditIndexBatch bounds one indexer transaction: short enough that the one writer
	// is not held up (a few milliseconds), long enough to share its commit.
	auditIndexBatch = 2048
	// auditIndexEvery is how often the indexer looks for events to index when no append
	// through this DB asked for it (events appended by another process or server).
	auditIndexEvery = 500 * time.Millisecond
)

// auditIndexMigration (migration 7) replaces the customer index keyed by customer id with
// the bucketed one and adds the indexer's progress mark (every event is indexed at this
// point: the index was written with the events until now). On SQLite audit_customers
// becomes WITHOUT ROWID (its primary key is the table: one B-tree fewer for every row) and
// audit_events' seq becomes its rowid (it was a copy of it with an index of its own: one
// B-tree fewer for every event). Each event keeps its place: the new seq is the old rowid,
// which kinko set to the seq, so an event whose seq column alone was edited before (which
// verification reported by its place) now says its seq again, and an event moved is still
// reported where it lies.
const auditIndexMigration = `DROP INDEX audit_customers_customer;
	/*sqlite*/ CREATE TABLE audit_events_rebuilt (
		seq INTEGER PRIMARY KEY,
		time BIGINT NOT NULL,
		actor TEXT NOT NULL,
		action TEXT NOT NULL,
		body BLOB NOT NULL,
		hash BLOB NOT NULL
	);
	/*sqlite*/ INSERT INTO audit_events_rebuilt (seq, time, actor, action, body, hash)
		SELECT rowid, time, actor, action, body, hash FROM audit_events ORDER BY rowid;
	/*sqlite*/ DROP TABLE audit_events;
	/*sqlite*/ ALTER TABLE audit_events_rebuilt RENAME TO audit_events;
	/*sqlite*/ CREATE INDEX audit_events_time ON audit_events(time);
	/*sqlite*/ CREATE INDEX audit_events_actor ON audit_events(actor, seq);
	/*sqlite*/ CREATE INDEX audit_events_action ON audit_events(action, seq);
	/*sqlite*/ CREATE TABLE audit_customers_rebuilt (
		seq BIGINT NOT NULL,
		customer_id TEXT NOT NULL,
		PRIMARY KEY (seq, customer_id)
	) WITHOUT ROWID;
	/*sqlite*/ INSERT INTO audit_customers_rebuilt (seq, customer_id) SELECT seq, customer_id FROM audit_customers;
	/*sqlite*/ DROP TABLE audit_customers;
	/*sqlite*/ ALTER TABLE audit_customers_rebuilt RENAME TO audit_customers;
	CREATE INDEX audit_customers_bucket ON audit_customers ((seq / 16384), customer_id, seq);
	CREATE TABLE audit_index_progress (
		id BIGINT PRIMARY KEY,
		seq BIGINT NOT NULL
	);
	INSERT INTO audit_index_progress (id, seq) SELECT 1, seq FROM audit_chain_head`

const (
	auditCustomerSQL      = `INSERT INTO audit_customers (seq, customer_id) VALUES (?, ?)`
	auditCustomerConflict = ` ON CONFLICT DO NOTHING` // rows a moved-back mark makes the indexer write again
	auditProgressSQL      = `SELECT seq FROM audit_index_progress WHERE id = 1`
	auditSetProgressSQL   = `UPDATE audit_index_progress SET seq = ? WHERE id = 1`
	auditPendingSQL       = `SELECT h.seq, p.seq FROM audit_chain_head h, audit_index_progress p WHERE h.id = 1 AND p.id = 1`
)

var auditUnindexedSQL = `SELECT seq, body FROM audit_events WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ` + strconv.Itoa(auditIndexBatch)

func (db *DB) auditProgressSQL() string {
	if db.dialect == Postgres {
		return auditProgressSQL + ` FOR UPDATE` // servers sharing a database index in turn
	}
	return auditProgressSQL
}

// indexAuditTx indexes up to auditIndexBatch events after the progress mark, up to the
// chain head, inside tx, and moves the mark; it returns how many it indexed.
func (db *DB) indexAuditTx(ctx context.Context, tx *sql.Tx) (int, error) {
	var from, head int64
	if err := db.txQueryRow(ctx, tx, db.auditProgressSQL()).Scan(&from); err != nil {
		return 0, fmt.Errorf("audit: reading the index's progress: %w", err)
	}
	if err := db.txQueryRow(ctx, tx, auditHeadSQL).Scan(&head, new([]byte)); err != nil {
		return 0, fmt.Errorf("audit: reading the chain head: %w", err)
	}
	if head <= from {
		return 0, nil
	}
	st, err := db.ws.get(ctx, db.q(auditUnindexedSQL))
	if err != nil {
		return 0, err
	}
	rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, from, head)
	if err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	var args []any
	var ids [][]byte
	var h record.Header
	n, last := 0, from
	for rows.Next() {
		var seq int64
		var body []byte
		if err := rows.Scan(&seq, &body); err != nil {
			rows.Close()
			return 0, fmt.Errorf("audit: indexing: %w", err)
		}
		n, last = n+1, seq
		if record.ParseHeader(body, &h) != nil {
			continue // a damaged event: verification names it; there is nothing to index
		}
		ids = ids[:0]
		record.Customers(body, func(id []byte) { ids = append(ids, id) })
		slices.SortFunc(ids, bytes.Compare)
		for _, id := range slices.CompactFunc(ids, bytes.Equal) {
			args = append(args, seq, string(id))
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	if err := db.execRows(ctx, tx, auditCustomerRows, 2, args); err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	if _, err := db.exec(ctx, tx, auditSetProgressSQL, last); err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	return n, nil
}

// auditPending reports whether events after the index's progress mark wait to be indexed.
func (db *DB) auditPending(ctx context.Context) (bool, error) {
	var head, done int64
	if err := db.queryRow(ctx, auditPendingSQL).Scan(&head, &done); err != nil {
		return false, fmt.Errorf("audit: reading the index's progress: %w", err)
	}
	return head > done, nil
}

// IndexAudit brings the customer index up to the chain head as it is when called. Queries
// by customer call it first; the indexer calls it in the background.
func (db *DB) IndexAudit(ctx context.Context) error {
	for {
		pending, err := db.auditPending(ctx)
		if err != nil || !pending {
			return err
		}
		var n int
		err = db.writer.doRelaxed(ctx, func(tx *sql.Tx) ([]AuditRow, error) {
			var err error
			n, err = db.indexAuditTx(ctx, tx)
			return nil, err
		})
		if err != nil {
			return err
		}
		if n < auditIndexBatch {
			// Caught up with the head read in that transaction; appends since then are
			// newer than the call.
			return nil
		}
	}
}

// auditIndexer runs IndexAudit when appends through this DB have left auditIndexBatch
// events behind, and every auditIndexEvery in case another process appended.
type auditIndexer struct {
	kick chan struct{}
	quit chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func (db *DB) startAuditIndexer() {
	x := &auditIndexer{kick: make(chan struct{}, 1), quit: make(chan struct{})}
	db.indexer = x
	x.wg.Add(1)
	go func() {
		defer x.wg.Done()
		t := time.NewTicker(auditIndexEvery)
		defer t.Stop()
		for {
			select {
			case <-x.quit:
				return
			case <-x.kick:
			case <-t.C:
			}
			db.unindexed.Store(0)
			// A failure is retried at the next tick; queries by customer index for themselves.
			db.IndexAudit(context.Background())
		}
	}()
}

// auditAppended is told of every append; it wakes the indexer once a batch is waiting.
func (db *DB) auditAppended() {
	if db.indexer != nil && db.unindexed.Load() >= auditIndexBatch {
		select {
		case db.indexer.kick <- struct{}{}:
		default:
		}
	}
}

// stop ends the indexer and indexes what is left, so that a short-lived process (a CLI
// command that recorded an event) leaves its events indexed.
func (x *auditIndexer) stop(db *DB) {
	x.once.Do(func() {
		close(x.quit)
		x.wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		db.IndexAudit(ctx)
	})
}
