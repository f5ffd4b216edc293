package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// maxBatch bounds one group commit: large enough to absorb a burst of hundreds of
// concurrent requests in one fsync, small enough that one transaction stays short.
const maxBatch = 256

type writeOp struct {
	ctx context.Context
	// fn makes the change and returns the audit events that must be on record with it;
	// the writer appends them in the same transaction (see tx).
	fn      func(*sql.Tx) ([]AuditRow, error)
	done    chan error
	relaxed bool // commit without waiting for the disk (see doRelaxed)
	// A batch of operations made of statements whose results nothing looks at (stmts,
	// none for events alone) and of events, all known in advance, may take the pipelined
	// path (pipelined); fn then runs stmts and returns events.
	simple bool
	stmts  []statement
	events []AuditRow
}

// groupWriter is the one way writes reach the database. Each of its goroutines takes every
// operation waiting, runs them and appends their audit events in one transaction (see tx)
// and commits once; if one fails, the batch is rolled back and each operation is run again
// in its own transaction (with its own events), so one bad request never fails its
// neighbours and never leaves half of itself behind.
type groupWriter struct {
	db      *sql.DB
	dialect Dialect
	// appendAudit chains events into the trail inside a transaction (DB.appendAuditTx).
	appendAudit func(ctx context.Context, tx *sql.Tx, relaxed bool, events ...[]AuditRow) error
	// pipelined, when set (PostgreSQL), runs a batch of simple operations in a transaction
	// with fewer round trips (DB.pipelined).
	pipelined func(ctx context.Context, relaxed bool, stmts []statement, events ...[]AuditRow) error
	ops       chan *writeOp
	workers   int
	wg        sync.WaitGroup
	once      sync.Once
	quit      chan struct{}

	// lite (SQLite) begins the writer's transactions and runs their statements through
	// SQLite's C API (sqlite_writer.go).
	lite *liteWriter
	// liteAudit appends events in a transaction of lite's (DB.appendAuditLite).
	liteAudit func(w *liteWriter, events [][]AuditRow) error
	// walFrames is the SQLite WAL's size in frames as the checkpointer last saw it, and
	// restartAfter the earliest time for the next restartWAL (checkpoint.go).
	walFrames      *atomic.Int64
	checkpointer   *checkpointer
	restartAfter   time.Time
	restartBackoff time.Duration
	restarts       atomic.Int64 // WAL restarts done (tests look)
	// journal (when this process owns one) holds the events of reads, appended by the
	// readers; every transaction moves its pending events into audit_events first
	// (audit_journal.go).
	journal *auditJournal
	// indexJournaled indexes the events of a transaction that moves the journal's in, in
	// that transaction (DB.indexAppendedTx).
	indexJournaled func(ctx context.Context, tx *sql.Tx, events [][]AuditRow) error
}

var errClosed = errors.New("store: closed")

func newGroupWriter(db *sql.DB, dialect Dialect, workers int, appendAudit func(context.Context, *sql.Tx, bool, ...[]AuditRow) error) *groupWriter {
	return &groupWriter{db: db, dialect: dialect, appendAudit: appendAudit, ops: make(chan *writeOp, 4096), quit: make(chan struct{}), workers: workers}
}

// start starts the writer's goroutines, once its fields are set.
func (g *groupWriter) start() {
	for range g.workers {
		g.wg.Add(1)
		go g.loop()
	}
}

var donePool = sync.Pool{New: func() any { return make(chan error, 1) }}

// do runs fn inside a write transaction, appends the audit events fn returns in the same
// transaction, and returns once it is committed (durable) or failed. fn may be run more
// than once (after a neighbour's failure) and must have no side effects outside the
// transaction.
func (g *groupWriter) do(ctx context.Context, fn func(*sql.Tx) ([]AuditRow, error)) error {
	return g.submit(ctx, &writeOp{fn: fn})
}

// doRelaxed is do for writes that record something rather than change it (the audit events
// of reads): committed before it returns, so a crash of kinko cannot lose them, but the
// commit does not wait for the disk. It reaches the disk with the next durable commit or
// WAL checkpoint (SQLite, at most checkpointInterval later) or the WAL writer (PostgreSQL,
// synchronous_commit off: at most three wal_writer_delay later). A batch is relaxed only
// when every operation in it is: a durable write never loses its guarantee.
func (g *groupWriter) doRelaxed(ctx context.Context, fn func(*sql.Tx) ([]AuditRow, error)) error {
	return g.submit(ctx, &writeOp{fn: fn, relaxed: true})
}

// appendEvents appends events alone (no change with them): relaxed as doRelaxed.
func (g *groupWriter) appendEvents(ctx context.Context, events []AuditRow, relaxed bool) error {
	return g.submit(ctx, &writeOp{fn: func(*sql.Tx) ([]AuditRow, error) { return events, nil }, relaxed: relaxed, simple: true, events: events})
}

// doStatements is do for a change made of statements whose results nothing looks at (a
// create) and the events that record it; run runs one statement in a transaction.
func (g *groupWriter) doStatements(ctx context.Context, stmts []statement, events []AuditRow, run func(*sql.Tx, statement) error) error {
	fn := func(tx *sql.Tx) ([]AuditRow, error) {
		for _, st := range stmts {
			if err := run(tx, st); err != nil {
				return nil, err
			}
		}
		return events, nil
	}
	return g.submit(ctx, &writeOp{fn: fn, simple: true, stmts: stmts, events: events})
}

func (g *groupWriter) submit(ctx context.Context, op *writeOp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op.ctx, op.done = context.WithoutCancel(ctx), donePool.Get().(chan error)
	select {
	case g.ops <- op:
	case <-g.quit:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if the caller gives up: the answer must say
	// what happened to the data.
	err := <-op.done
	donePool.Put(op.done)
	return err
}

func (g *groupWriter) loop() {
	defer g.wg.Done()
	batch := make([]*writeOp, 0, maxBatch)
	// recent holds the sizes of the last batches of read events; their largest says how
	// many readers are about. The last batch alone is a poor guide: one small batch
	// (readers still busy reading) made the next linger for fewer, and the batches stayed
	// small (measured: two events a commit with sixteen readers).
	var recent [32]int
	next := 0
	for {
		if g.walFrames != nil && g.walFrames.Load() >= walRestartFrames && time.Now().After(g.restartAfter) {
			g.restartWAL()
		}
		var first *writeOp
		select {
		case first = <-g.ops:
		case <-g.journal.kicked():
			g.journalDue()
			continue
		case <-g.journal.timerC():
			g.journal.armed = false
			g.journalDue()
			continue
		case <-g.quit:
			g.journal.shut()
			g.ingest()
			return
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case op := <-g.ops:
				batch = append(batch, op)
			default:
				break fill
			}
		}
		if want := slices.Max(recent[:]) * 3 / 4; first.relaxed && len(batch) < want {
			batch = g.linger(batch, want)
		}
		if first.relaxed {
			recent[next] = len(batch)
			next = (next + 1) % len(recent)
		}
		g.run(batch)
		g.journalDue()
	}
}

// journalDue moves the journal's events in when they are due, or sets the timer for when
// they will be (auditJournal.due).
func (g *groupWriter) journalDue() {
	if g.journal == nil {
		return
	}
	if now, _ := g.journal.due(); now {
		g.ingest()
	}
	if _, wait := g.journal.due(); wait > 0 && !g.journal.armed {
		g.journal.arm(wait)
	}
}

// restartWAL restarts SQLite's WAL file between two batches, when no write transaction is
// open (checkpoint.go says why), on the checkpointer's connection; it waits at most
// walRestartWait for readers, and not at all while the checkpointer is copying.
func (g *groupWriter) restartWAL() {
	_, _, busy, err := g.checkpointer.restart(walRestartWait)
	if err != nil || busy {
		g.restartBackoff = min(max(2*g.restartBackoff, walRestartBackoff), walRestartMaxBackoff)
		g.restartAfter = time.Now().Add(g.restartBackoff)
		return
	}
	g.walFrames.Store(0)
	g.restartBackoff = 0
	g.restarts.Add(1)
}

// lingerFor bounds how long a batch of read events waits for the readers seen in recent
// batches. Each commit costs the same few WAL pages whatever it holds, so under load a
// slightly later, larger commit is far cheaper per event; when recent batches were small
// (one reader, an idle server) nothing waits at all.
const lingerFor = time.Millisecond

func (g *groupWriter) linger(batch []*writeOp, want int) []*writeOp {
	t := time.NewTimer(lingerFor)
	defer t.Stop()
	for len(batch) < want && len(batch) < maxBatch {
		select {
		case op := <-g.ops:
			batch = append(batch, op)
			if !op.relaxed {
				return batch // a durable write is waiting: commit now
			}
		case <-t.C:
			return batch
		}
	}
	return batch
}

// ingest moves the journal's pending events into audit_events in a transaction of their
// own (audit_journal.go); a failure leaves them pending for the next transaction.
func (g *groupWriter) ingest() {
	if g.journal == nil || g.journal.queued.Load() == 0 {
		return
	}
	// Not pipelined on PostgreSQL: a few round trips every journalIngestDelay, and the
	// events are indexed in the same transaction (indexAppendedTx) rather than read back.
	g.tx([]*writeOp{{ctx: context.Background(), relaxed: true, fn: func(*sql.Tx) ([]AuditRow, error) { return nil, nil }}})
}

func (g *groupWriter) run(batch []*writeOp) {
	if len(batch) == 1 {
		batch[0].done <- g.tx(batch)
		return
	}
	if err := g.tx(batch); err == nil {
		for _, op := range batch {
			op.done <- nil
		}
		return
	}
	for _, op := range batch {
		op.done <- g.tx([]*writeOp{op})
	}
}

// tx runs ops in one transaction, each change with its audit events, and commits once; an
// action commits with its events or not at all. The commit is relaxed only when every op is.
//
// The events of all ops are appended together, last: one read and one move of the chain
// head and multi-row inserts instead of statements per op. On PostgreSQL each statement is
// a network round trip made while the head is locked (measured: about twice the creates and
// reads per second over HTTP, 25 times the appends per second); on SQLite, once the
// customer index left the append (audit_index.go), a batch of read events is one INSERT
// (docs/performance-log.md).
func (g *groupWriter) tx(ops []*writeOp) error {
	ctx := ops[0].ctx
	relaxed, simple := true, true
	for _, op := range ops {
		relaxed = relaxed && op.relaxed
		simple = simple && op.simple
	}
	// The journal's events happened first: they go in first, and the mark says so.
	var taken []AuditRow
	var upto uint64
	if g.journal != nil {
		taken, upto = g.journal.take()
	}
	var mark statement
	if len(taken) > 0 {
		mark = g.journal.mark(upto)
	}
	err := g.txWith(ctx, ops, relaxed, simple, taken, mark)
	if len(taken) > 0 {
		if err != nil {
			g.journal.putBack(taken)
		} else {
			g.journal.moved(upto, taken)
		}
	}
	return err
}

// txWith is tx with the journal's events taken (and the statement that marks them moved);
// simple says every op is made of statements and events known in advance.
func (g *groupWriter) txWith(ctx context.Context, ops []*writeOp, relaxed, simple bool, taken []AuditRow, mark statement) error {
	if simple && g.pipelined != nil {
		var stmts []statement
		events := make([][]AuditRow, 0, len(ops)+1)
		if len(taken) > 0 {
			stmts = append(stmts, mark)
			events = append(events, taken)
		}
		for _, op := range ops {
			stmts = append(stmts, op.stmts...)
			events = append(events, op.events)
		}
		return g.pipelined(ctx, relaxed, stmts, events...)
	}
	var tx *sql.Tx
	var err error
	if g.lite != nil {
		// The connection's synchronous mode follows relaxed (liteWriter.attach).
		if simple && len(taken) == 0 && g.liteAudit != nil {
			// Statements and events known in advance (creates, events alone): the whole
			// transaction through SQLite's C API (liteWriter.transact).
			handled, err := g.lite.transact(ctx, g.db, relaxed, func() error {
				for _, op := range ops {
					for _, st := range op.stmts {
						if err := g.lite.must(st.query, st.args); err != nil {
							return err
						}
					}
				}
				events := make([][]AuditRow, 0, len(ops))
				for _, op := range ops {
					if len(op.events) > 0 {
						events = append(events, op.events)
					}
				}
				return g.liteAudit(g.lite, events)
			})
			if handled && !errors.Is(err, errLiteUnsupported) {
				return err
			}
		}
		if tx, err = g.lite.begin(ctx, g.db, relaxed); err != nil {
			return err
		}
		defer g.lite.end()
	} else if tx, err = g.db.BeginTx(ctx, nil); err != nil {
		return err
	}
	// On PostgreSQL a relaxed batch's commit stops waiting for the disk when its events
	// lock the chain head (appendAuditTx): no round trip of its own. A relaxed batch with no
	// event (the indexer's) commits durably, which costs it nothing that matters.
	events := make([][]AuditRow, 0, len(ops)+1)
	if len(taken) > 0 {
		events = append(events, taken)
		if _, err := tx.ExecContext(ctx, mark.query, mark.args...); err != nil {
			tx.Rollback()
			return fmt.Errorf("audit journal: %w", err)
		}
	}
	for _, op := range ops {
		ev, err := op.fn(tx)
		if err != nil {
			tx.Rollback()
			return err
		}
		if len(ev) == 0 {
			continue
		}
		events = append(events, ev)
	}
	if len(events) > 0 {
		if err := g.appendAudit(ctx, tx, relaxed, events...); err != nil {
			tx.Rollback()
			return err
		}
	}
	if len(taken) > 0 && g.indexJournaled != nil {
		if err := g.indexJournaled(ctx, tx, events); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

func (g *groupWriter) close() {
	g.once.Do(func() { close(g.quit) })
	g.wg.Wait()
	if g.lite != nil {
		g.lite.finalize() // before the connection closes (DB.Close)
	}
	g.journal.close()
	for {
		select {
		case op := <-g.ops:
			op.done <- errClosed
		default:
			return
		}
	}
}

// write runs fn through the group writer.
func (db *DB) write(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.writer.do(ctx, func(tx *sql.Tx) ([]AuditRow, error) { return nil, fn(tx) })
}

// writeAudited runs fn through the group writer and appends the audit events it returns in
// the same transaction: the change exists only if its events are on record.
func (db *DB) writeAudited(ctx context.Context, fn func(*sql.Tx) ([]AuditRow, error)) error {
	return db.writer.do(ctx, fn)
}
