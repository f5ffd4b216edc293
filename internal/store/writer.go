package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// maxBatch bounds one group commit: large enough to absorb a burst of hundreds of
// concurrent requests in one fsync, small enough that one transaction stays short.
const maxBatch = 256

type writeOp struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// groupWriter is the one way writes reach the database. Each of its goroutines takes every
// operation waiting, runs them in one transaction and commits once; if one fails, the batch
// is rolled back and each operation is run again in its own transaction, so one bad request
// never fails its neighbours and never leaves half of itself behind.
type groupWriter struct {
	db   *sql.DB
	ops  chan *writeOp
	wg   sync.WaitGroup
	once sync.Once
	quit chan struct{}
}

var errClosed = errors.New("store: closed")

func newGroupWriter(db *sql.DB, workers int) *groupWriter {
	g := &groupWriter{db: db, ops: make(chan *writeOp, 4096), quit: make(chan struct{})}
	for range workers {
		g.wg.Add(1)
		go g.loop()
	}
	return g
}

var donePool = sync.Pool{New: func() any { return make(chan error, 1) }}

// do runs fn inside a write transaction and returns once it is committed (durable) or
// failed. fn may be run more than once (after a neighbour's failure) and must have no side
// effects outside the transaction.
func (g *groupWriter) do(ctx context.Context, fn func(*sql.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	op := &writeOp{ctx: context.WithoutCancel(ctx), fn: fn, done: donePool.Get().(chan error)}
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
	for {
		var first *writeOp
		select {
		case first = <-g.ops:
		case <-g.quit:
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
		g.run(batch)
	}
}

func (g *groupWriter) run(batch []*writeOp) {
	if len(batch) == 1 {
		batch[0].done <- g.tx(batch[0].ctx, batch[0].fn)
		return
	}
	err := g.tx(batch[0].ctx, func(tx *sql.Tx) error {
		for _, op := range batch {
			if err := op.fn(tx); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, op := range batch {
			op.done <- nil
		}
		return
	}
	for _, op := range batch {
		op.done <- g.tx(op.ctx, op.fn)
	}
}

func (g *groupWriter) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	tx, err := g.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}

func (g *groupWriter) close() {
	g.once.Do(func() { close(g.quit) })
	g.wg.Wait()
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
	return db.writer.do(ctx, fn)
}
