package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// appendAuditPipelined appends the events of a batch that changes nothing else (the events
// of reads, logins and the like: groupWriter.appendEvents) on PostgreSQL in two round trips
// instead of four. Through database/sql a transaction is BEGIN, the head's lock, the
// INSERTs and COMMIT, each a round trip while the head is locked by the first; here the
// writer's own connection sends BEGIN and the lock together, and the INSERTs with COMMIT
// together (pgx's pipelined batches). The head must be read before the events can be
// chained, so two trips is the least. Same transaction, same statements, same result as
// appendAuditTx; a failure rolls it back and the connection is replaced.
func (db *DB) appendAuditPipelined(ctx context.Context, relaxed bool, batches ...[]AuditRow) error {
	n, err := db.auditReady(batches)
	if err != nil || n == 0 {
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
		err := db.appendOnConn(ctx, c.Conn(), relaxed, batches, n)
		if err != nil {
			// Its state is unknown after a failure half-way: closed, the pool drops it.
			c.Conn().Close(context.WithoutCancel(ctx))
		}
		return err
	})
	if err != nil {
		db.pgw.Close()
		db.pgw = nil
		return err
	}
	db.auditDone(n)
	return nil
}

func (db *DB) appendOnConn(ctx context.Context, c *pgx.Conn, relaxed bool, batches [][]AuditRow, n int) (err error) {
	defer func() {
		if err != nil {
			c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	lock := db.q(db.auditLockSQL())
	if relaxed {
		lock = auditLockRelaxedPostgres
	}
	b := &pgx.Batch{}
	b.Queue("BEGIN")
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
	plan, err := db.auditPlan(batches, n, seq, head)
	if err != nil {
		return err
	}
	b = &pgx.Batch{}
	for _, st := range plan {
		b.Queue(db.q(st.query), st.args...)
	}
	b.Queue("COMMIT")
	r = c.SendBatch(ctx, b)
	for range b.Len() {
		if _, err = r.Exec(); err != nil {
			break
		}
	}
	if err = errors.Join(err, r.Close()); err != nil {
		return fmt.Errorf("audit: appending: %w", err)
	}
	return nil
}
