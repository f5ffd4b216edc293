package store

import (
	"context"
	"database/sql"
	"sync"
)

// stmts caches prepared statements by query text. Parsing SQL is a third of the cost of a
// small query on SQLite; a prepared statement is parsed once per connection and reused.
type stmts struct {
	db *sql.DB
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

func newStmts(db *sql.DB) *stmts { return &stmts{db: db, m: map[string]*sql.Stmt{}} }

func (s *stmts) get(ctx context.Context, query string) (*sql.Stmt, error) {
	s.mu.RLock()
	st := s.m[query]
	s.mu.RUnlock()
	if st != nil {
		return st, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if st = s.m[query]; st != nil {
		return st, nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	s.m[query] = st
	return st, nil
}

func (s *stmts) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		st.Close()
	}
	s.m = map[string]*sql.Stmt{}
}

// queryRow runs a cached read statement (query written with ? placeholders).
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	st, err := db.rs.get(ctx, db.q(query))
	if err != nil {
		// Let the error surface through Scan like an ordinary QueryRow would.
		return db.r.QueryRowContext(ctx, db.q(query), args...)
	}
	return st.QueryRowContext(ctx, args...)
}

// query runs a cached read statement returning rows.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	st, err := db.rs.get(ctx, db.q(query))
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// exec runs a write statement inside tx, prepared when it is one of the hot statements
// warmed at Open. On SQLite, inside the writer's transaction, it goes through SQLite's C
// API instead of database/sql (liteWriter.exec, sqlite_writer.go). It never prepares on the fly: on SQLite the writer has a single
// connection, held by tx, so preparing outside tx would wait for ourselves.
//
// The statement runs to its end even if ctx is cancelled (its client went away): it is
// part of a batch in the writer's transaction, and a write once queued is carried out
// (groupWriter.submit). A context that cannot be cancelled also spares the SQLite driver
// what it sets up around each statement to interrupt it: a goroutine, a channel and a
// progress handler.
func (db *DB) exec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if db.writer != nil && db.writer.lite != nil {
		if res, ok, err := db.writer.lite.exec(tx, query, args); ok {
			return res, err
		}
	}
	ctx = uncancelled(ctx)
	q := db.q(query)
	db.ws.mu.RLock()
	st := db.ws.m[q]
	db.ws.mu.RUnlock()
	if st == nil {
		return tx.ExecContext(ctx, q, args...)
	}
	return tx.StmtContext(ctx, st).ExecContext(ctx, args...)
}

// warm prepares the writer's hot statements before the writer starts.
func (db *DB) warm(ctx context.Context) error {
	hot := append([]string{insertCustomerSQL, updateCustomerSQL, shredCustomerSQL}, db.auditHotSQL()...)
	for _, q := range hot {
		if _, err := db.ws.get(ctx, db.q(q)); err != nil {
			return err
		}
	}
	return nil
}

// uncancelled is ctx without its cancellation (see exec).
func uncancelled(ctx context.Context) context.Context {
	if ctx.Done() == nil {
		return ctx
	}
	return context.WithoutCancel(ctx)
}
