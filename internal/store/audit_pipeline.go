package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// pipelined runs a batch of writes known in advance on PostgreSQL (events alone, the events
// of reads, logins and the like: groupWriter.appendEvents; creates: doStatements) in two
// round trips. Through database/sql a transaction is BEGIN, each write's statement, the
// head's lock, the event INSERTs and COMMIT, each a round trip while the head is locked;
// here the writer's own connection sends BEGIN and the lock together, then the writes'
// statements, the INSERTs and COMMIT together (pgx's pipelined batches). The head must be
// read before the events can be chained, so two trips is the least. Same transaction, same
// statements, same result as the database/sql path; a failure rolls it back (the group
// writer then runs each write alone) and the connection is replaced.
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

func (db *DB) pipelineOnConn(ctx context.Context, c *pgx.Conn, relaxed bool, stmts []statement, batches [][]AuditRow, n int) (err error) {
	defer func() {
		if err != nil {
			c.Exec(context.WithoutCancel(ctx), "ROLLBACK")
		}
	}()
	b := &pgx.Batch{}
	b.Queue("BEGIN")
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
		var plan []statement
		if plan, err = db.auditPlan(batches, n, seq, head); err != nil {
			return err
		}
		stmts = append(stmts[:len(stmts):len(stmts)], plan...)
		b = &pgx.Batch{}
	}
	for _, st := range stmts {
		b.Queue(db.q(st.query), st.args...)
	}
	b.Queue("COMMIT")
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
