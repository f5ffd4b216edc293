package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/audit/record"
)

// The audit trail's indexes, written behind the trail rather than with each event: the
// customer index ("which events name customer X") and each bucket's summary (its actors,
// actions and span of times, for queries by those).
//
// Every read of a customer appends an event, and the request waits for its commit (fail
// closed). An index keyed by customer id puts each event's index row on a random page, and
// indexes on actor, action and time add a page per batch each (per actor in it): with them
// written in the same transaction a batch of eight read events wrote 14 pages of WAL instead
// of 3 (docs/performance-log.md). So the append writes the event only, and an indexer adds the
// index rows and the summaries afterwards, in transactions of up to auditIndexBatch events,
// in seq order, moving audit_index_progress with them:
//
//   - a query with a filter first brings the indexes up to the chain head (IndexAudit), so
//     it never misses an event;
//   - both are bucketed by seq (auditBucket seqs a bucket): one indexer transaction touches
//     the pages of one or two buckets, not pages all over the index; a query reads one short
//     range per bucket, newest first, and by actor, action or time only the buckets whose
//     summaries can hold a match;
//   - verification holds every event up to the progress mark to exactly its customers in
//     the index and to its bucket's summary, and an event after it to exactly its customers
//     or none (internal/audit); moving the mark back only makes the indexer write the
//     missing rows again.
const (
	// auditBucket is the number of seqs per bucket of the customer index and of the
	// summaries. Migration 7 writes the number into the index expression and the
	// summaries it builds; change both together or not at all.
	auditBucket = 16384
	// auditIndexBatch bounds one indexer transaction: short enough that the one writer
	// is not held up (a few milliseconds), long enough to share its commit.
	auditIndexBatch = 2048
	// auditIndexEvery is how often the indexer looks for events to index when no append
	// through this DB asked for it (events appended by another process or server).
	auditIndexEvery = 500 * time.Millisecond
)

// auditIndexMigration (migration 7) replaces the customer index keyed by customer id with
// the bucketed one, the indexes on time, actor and action with the buckets' summaries
// (built here from the events), and adds the indexer's progress mark (every event is
// indexed at this point: the index was written with the events until now). On SQLite audit_customers
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
	/*postgres*/ DROP INDEX audit_events_time;
	/*postgres*/ DROP INDEX audit_events_actor;
	/*postgres*/ DROP INDEX audit_events_action;
	/*sqlite*/ CREATE TABLE audit_customers_rebuilt (
		seq BIGINT NOT NULL,
		customer_id TEXT NOT NULL,
		PRIMARY KEY (seq, customer_id)
	) WITHOUT ROWID;
	/*sqlite*/ INSERT INTO audit_customers_rebuilt (seq, customer_id) SELECT seq, customer_id FROM audit_customers;
	/*sqlite*/ DROP TABLE audit_customers;
	/*sqlite*/ ALTER TABLE audit_customers_rebuilt RENAME TO audit_customers;
	CREATE INDEX audit_customers_bucket ON audit_customers ((seq / 16384), customer_id, seq);
	/*sqlite*/ CREATE TABLE audit_bucket_keys (
		key TEXT NOT NULL,
		bucket BIGINT NOT NULL,
		PRIMARY KEY (key, bucket)
	) WITHOUT ROWID;
	/*postgres*/ CREATE TABLE audit_bucket_keys (
		key TEXT NOT NULL,
		bucket BIGINT NOT NULL,
		PRIMARY KEY (key, bucket)
	);
	INSERT INTO audit_bucket_keys (key, bucket) SELECT DISTINCT 'actor:' || actor, seq / 16384 FROM audit_events;
	INSERT INTO audit_bucket_keys (key, bucket) SELECT DISTINCT 'action:' || action, seq / 16384 FROM audit_events;
	CREATE TABLE audit_bucket_times (
		bucket BIGINT PRIMARY KEY,
		first BIGINT NOT NULL,
		last BIGINT NOT NULL
	);
	INSERT INTO audit_bucket_times (bucket, first, last) SELECT seq / 16384, MIN(time), MAX(time) FROM audit_events GROUP BY seq / 16384;
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

// bucketSummary is what the indexer adds to a bucket's summary: the actors and actions of
// its events (ActorKey, ActionKey) and the span of their times.
type bucketSummary struct {
	keys        map[string]bool
	first, last int64
}

// ActorKey and ActionKey are the keys of audit_bucket_keys for an actor and an action.
func ActorKey(actor string) string   { return "actor:" + actor }
func ActionKey(action string) string { return "action:" + action }

var (
	auditBucketKeyRows = multiRows(`INSERT INTO audit_bucket_keys (key, bucket) VALUES (?, ?)`, ` ON CONFLICT DO NOTHING`)
	auditBucketTimeSQL = [...]string{
		SQLite: `INSERT INTO audit_bucket_times (bucket, first, last) VALUES (?, ?, ?)
			ON CONFLICT (bucket) DO UPDATE SET first = min(first, excluded.first), last = max(last, excluded.last)`,
		Postgres: `INSERT INTO audit_bucket_times (bucket, first, last) VALUES (?, ?, ?)
			ON CONFLICT (bucket) DO UPDATE SET first = LEAST(audit_bucket_times.first, excluded.first), last = GREATEST(audit_bucket_times.last, excluded.last)`,
	}
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
	return db.indexAuditRange(ctx, tx, from, head)
}

// indexAuditRange indexes up to auditIndexBatch events with from < seq <= head and moves
// the progress mark to the last; it returns how many it indexed.
func (db *DB) indexAuditRange(ctx context.Context, tx *sql.Tx, from, head int64) (int, error) {
	st, err := db.ws.get(ctx, db.q(auditUnindexedSQL))
	if err != nil {
		return 0, err
	}
	rows, err := tx.StmtContext(ctx, st).QueryContext(ctx, from, head)
	if err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	var ix auditIndexRows
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
		ix.event(seq, h.Micros, string(h.Actor), string(h.Action))
		record.Customers(body, func(id []byte) { ix.ids = append(ix.ids, string(id)) })
		ix.customers(seq)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("audit: indexing: %w", err)
	}
	if err := db.writeAuditIndex(ctx, tx, &ix, last); err != nil {
		return 0, err
	}
	return n, nil
}

// auditIndexRows collects what indexing a run of events writes: customer index rows and
// bucket summaries.
type auditIndexRows struct {
	args []any
	ids  []string
	sum  map[int64]*bucketSummary
}

// event adds an event's actor, action and time to its bucket's summary.
func (x *auditIndexRows) event(seq, micros int64, actor, action string) {
	if x.sum == nil {
		x.sum = map[int64]*bucketSummary{}
	}
	b := x.sum[seq/auditBucket]
	if b == nil {
		b = &bucketSummary{keys: map[string]bool{}, first: micros, last: micros}
		x.sum[seq/auditBucket] = b
	}
	b.keys[ActorKey(actor)], b.keys[ActionKey(action)] = true, true
	b.first, b.last = min(b.first, micros), max(b.last, micros)
}

// customers adds index rows for event seq and the customer ids collected in x.ids.
func (x *auditIndexRows) customers(seq int64) {
	slices.Sort(x.ids)
	for _, id := range slices.Compact(x.ids) {
		x.args = append(x.args, seq, id)
	}
	x.ids = x.ids[:0]
}

// writeAuditIndex writes x inside tx and moves the progress mark to last.
func (db *DB) writeAuditIndex(ctx context.Context, tx *sql.Tx, x *auditIndexRows, last int64) error {
	if err := db.execRows(ctx, tx, auditCustomerRows, 2, x.args); err != nil {
		return fmt.Errorf("audit: indexing: %w", err)
	}
	var keys []any
	for bucket, b := range x.sum {
		for k := range b.keys {
			keys = append(keys, k, bucket)
		}
		if _, err := db.exec(ctx, tx, auditBucketTimeSQL[db.dialect], bucket, b.first, b.last); err != nil {
			return fmt.Errorf("audit: indexing: %w", err)
		}
	}
	if err := db.execRows(ctx, tx, auditBucketKeyRows, 2, keys); err != nil {
		return fmt.Errorf("audit: indexing: %w", err)
	}
	if _, err := db.exec(ctx, tx, auditSetProgressSQL, last); err != nil {
		return fmt.Errorf("audit: indexing: %w", err)
	}
	return nil
}

// indexAppendedTx indexes the events just appended in tx (their Seq set, in order), in the
// same transaction, after the few events before them the indexer has not reached yet:
// called when the journal's events go in (audit_journal.go), a batch large enough that
// its index rows cost what the indexer's would, without reading the events back or a
// commit of their own. When the indexer is further behind it is left to it.
func (db *DB) indexAppendedTx(ctx context.Context, tx *sql.Tx, batches [][]AuditRow) error {
	if len(batches) == 0 || len(batches[0]) == 0 {
		return nil
	}
	var from int64
	if err := db.txQueryRow(ctx, tx, db.auditProgressSQL()).Scan(&from); err != nil {
		return fmt.Errorf("audit: reading the index's progress: %w", err)
	}
	before := int64(batches[0][0].Seq) - 1
	if before-from > auditIndexBatch || before < from {
		return nil
	}
	if before > from {
		if _, err := db.indexAuditRange(ctx, tx, from, before); err != nil {
			return err
		}
	}
	var ix auditIndexRows
	var last int64
	for _, evs := range batches {
		for i := range evs {
			e := &evs[i]
			last = int64(e.Seq)
			ix.event(last, e.Micros(), e.Actor, e.Action)
			ix.ids = append(ix.ids, e.Customers...)
			ix.customers(last)
		}
	}
	return db.writeAuditIndex(ctx, tx, &ix, last)
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
	if err := db.syncJournal(ctx); err != nil {
		return err
	}
	return db.indexAudit(ctx)
}

// indexAudit is IndexAudit for the events in audit_events: the indexer's, which leaves the
// journal's events to be indexed as they go in (indexAppendedTx) rather than moving them
// in early in small batches.
func (db *DB) indexAudit(ctx context.Context) error {
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
			db.indexAudit(context.Background())
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

// AuditBucket is the bucket of event seq (of the customer index and of the summaries).
func AuditBucket(seq uint64) int64 { return int64(seq / auditBucket) }

// AuditSummary is what the indexer recorded of one bucket of events: the actors and the
// actions of its events, and the span of their times (µs).
type AuditSummary struct {
	Actors, Actions map[string]bool
	First, Last     int64
	Timed           bool // the bucket has its span of times
}

// AuditSummaries reads every bucket's summary (a few rows per 16,384 events), for
// verification.
func (db *DB) AuditSummaries(ctx context.Context) (map[int64]*AuditSummary, error) {
	if err := db.syncJournal(ctx); err != nil {
		return nil, err
	}
	out := map[int64]*AuditSummary{}
	get := func(b int64) *AuditSummary {
		s := out[b]
		if s == nil {
			s = &AuditSummary{Actors: map[string]bool{}, Actions: map[string]bool{}}
			out[b] = s
		}
		return s
	}
	rows, err := db.query(ctx, `SELECT key, bucket FROM audit_bucket_keys`)
	if err != nil {
		return nil, fmt.Errorf("audit: reading the summaries: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var key string
		var b int64
		if err := rows.Scan(&key, &b); err != nil {
			return nil, fmt.Errorf("audit: reading the summaries: %w", err)
		}
		if v, ok := strings.CutPrefix(key, ActorKey("")); ok {
			get(b).Actors[v] = true
		} else if v, ok := strings.CutPrefix(key, ActionKey("")); ok {
			get(b).Actions[v] = true
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("audit: reading the summaries: %w", err)
	}
	trows, err := db.query(ctx, `SELECT bucket, first, last FROM audit_bucket_times`)
	if err != nil {
		return nil, fmt.Errorf("audit: reading the summaries: %w", err)
	}
	defer trows.Close()
	for trows.Next() {
		var b, first, last int64
		if err := trows.Scan(&b, &first, &last); err != nil {
			return nil, fmt.Errorf("audit: reading the summaries: %w", err)
		}
		s := get(b)
		s.First, s.Last, s.Timed = first, last, true
	}
	if err := trows.Err(); err != nil {
		return nil, fmt.Errorf("audit: reading the summaries: %w", err)
	}
	return out, nil
}
