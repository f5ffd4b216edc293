package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pipelined runs a batch of writes known in advance on PostgreSQL (events alone, the events
// of reads, logins and the like: groupWriter.appendEvents; creates: doStatements) in one
// round trip, or two (pipelineOnConn). Through database/sql a transaction is BEGIN, each
// write's statement, the head's lock, the event INSERTs and COMMIT, each a round trip while
// the head is locked; here the writer's own connection sends them together (pgx's pipelined
// batches). Same transaction, same statements, same result as the database/sql path; a
// failure rolls it back (the group writer then runs each write alone), and a connection
// that is not idle after that is replaced.
func (db *DB) pipelined(ctx context.Context, relaxed bool, stmts []statement, batches ...[]AuditRow) error {
	n, err := db.auditReady(batches)
	if err != nil {
		return err
	}
	if db.pgw == nil {
		if db.pgw, err = db.w.Conn(ctx); err != nil {
			return err
		}
	}
	err = db.pgw.Raw(func(dc any) error {
		c, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("audit: a PostgreSQL connection of type %T", dc)
		}
		err := db.pipelineOnConn(ctx, c.Conn(), relaxed, stmts, batches, n)
		if err != nil && c.Conn().PgConn().TxStatus() != 'I' {
			// Not back to idle after the rollback: closed, the pool drops it.
			c.Conn().Close(context.WithoutCancel(ctx))
		}
		return err
	})
	if err != nil {
		if db.pgw.PingContext(ctx) != nil {
			db.pgw.Close()
			db.pgw = nil
		}
		return err
	}
	if n > 0 {
		db.auditDone(n)
	}
	return nil
}

// chainHead is the chain head as the writer's last append left it (PostgreSQL), for the
// next batch to start from without reading it (pipelineOnConn). Only the one writer
// goroutine touches it.
type chainHead struct {
	ok   bool
	seq  int64
	hash []byte
}

// pipelineOnConn runs the batch on c. When the writer knows the chain head from its last
// append, the batch goes in one round trip: BEGIN, the writes, the events chained from that
// head, the head moved, COMMIT. If another process or server appended since, its events hold
// the seqs this batch chose: the INSERT fails on the primary key (or waits for that other
// transaction, then fails), nothing is written, and the batch runs again the locked way:
// BEGIN with the head's lock (FOR UPDATE) in one round trip, the rest in a second. Either
// way the seqs and the chain stay in commit order.
func (db *DB) pipelineOnConn(ctx context.Context, c *pgx.Conn, relaxed bool, stmts []statement, batches [][]AuditRow, n int) (err error) {
	if n > 0 && db.head.ok {
		plan, seq, hash, err := db.auditPlan(batches, n, db.head.seq, db.head.hash)
		if err != nil {
			return err
		}
		b := &pgx.Batch{}
		b.Queue("BEGIN")
		if relaxed {
			b.Queue(auditRelaxedPostgres)
		}
		queue(db, b, stmts, plan)
		if err = send(ctx, c, b); err == nil {
			db.head = chainHead{true, seq, hash}
			return nil
		}
		db.head.ok = false
		if _, rerr := c.Exec(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			return err
		}
	}
	defer func() {
		if err != nil {
			c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
	var plan []statement
	var last int64
	var hash []byte
	if n > 0 {
		lock := db.q(db.auditLockSQL())
		if relaxed {
			lock = auditLockRelaxedPostgres
		}
		b.Queue(lock)
		r := c.SendBatch(ctx, b)
		var seq int64
		var head []byte
		if _, err = r.Exec(); err == nil {
			if relaxed {
				err = r.QueryRow().Scan(&seq, &head, new(string))
			} else {
				err = r.QueryRow().Scan(&seq, &head)
			}
		}
		if err = errors.Join(err, r.Close()); err != nil {
			return fmt.Errorf("audit: reading the chain head: %w", err)
		}
		if plan, last, hash, err = db.auditPlan(batches, n, seq, head); err != nil {
			return err
		}
		b = &pgx.Batch{}
	}
	queue(db, b, stmts, plan)
	if err = send(ctx, c, b); err != nil {
		return err
	}
	if n > 0 {
		db.head = chainHead{true, last, hash}
	}
	return nil
}

// auditRelaxedPostgres makes the transaction's commit not wait for the disk.
const auditRelaxedPostgres = `SELECT set_config('synchronous_commit', 'off', true)`

// queue adds the writes' statements, the events' and COMMIT to b.
func queue(db *DB, b *pgx.Batch, stmts, events []statement) {
	for _, st := range stmts {
		b.Queue(db.q(st.query), st.args...)
	}
	for _, st := range events {
		b.Queue(db.q(st.query), st.args...)
	}
	b.Queue("COMMIT")
}

// send sends b in one round trip and reads every result; the first error stops it.
func send(ctx context.Context, c *pgx.Conn, b *pgx.Batch) (err error) {
	r := c.SendBatch(ctx, b)
	for range b.Len() {
		if _, err = r.Exec(); err != nil {
			break
		}
	}
	if err = errors.Join(err, r.Close()); err != nil {
		return fmt.Errorf("writing: %w", err)
	}
	return nil
}
