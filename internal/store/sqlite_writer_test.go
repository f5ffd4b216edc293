package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// liteConnOf reads the handle out of the pinned driver's connection, and the handle works.
func TestLiteConnOf(t *testing.T) {
	ctx := context.Background()
	sdb, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer sdb.Close()
	conn, err := sdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		c, err := liteConnOf(dc)
		if err != nil {
			return err
		}
		s, err := c.prepare("SELECT 41 + 1")
		if err != nil {
			return err
		}
		defer s.close()
		if ok, err := s.next(); !ok || err != nil {
			t.Fatalf("step: %v %v", ok, err)
		}
		if v, _ := s.int64(0); v != 42 {
			t.Fatalf("SELECT 41 + 1 = %d through the handle", v)
		}
		s.end()
		return nil
	})
	if err != nil {
		t.Fatalf("the driver's connection could not be read (did modernc.org/sqlite change?): %v", err)
	}
	for _, v := range []any{nil, 1, &struct{ db int }{}, &struct{ db uintptr }{db: 1}} {
		if _, err := liteConnOf(v); err == nil {
			t.Fatalf("liteConnOf(%#v) = no error", v)
		}
	}
}

// The writer's statements go through the C API, and what they store is what the driver
// would store: TEXT for strings, BLOB for []byte (empty ones too), NULL for nil,
// INTEGER for integers.
func TestWriterStatementsThroughCAPI(t *testing.T) {
	ctx := context.Background()
	db, _ := openSQLite(t, Options{})
	if err := db.CreateShop(ctx, Shop{ID: "s1", Name: "s1", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	c := Customer{Shop: "s1", ID: "c1", Revision: 1, Created: now, Updated: now, KeyVersion: 7, DEKVersion: 1, WrappedDEK: []byte("dek")}
	c.Sealed[0] = []byte("名前の暗号文")
	c.Sealed[1] = []byte{}
	idx := []Index{{Field: "email", HMAC: []byte{0, 1, 2}}}
	if err := db.InsertCustomer(ctx, c, idx); err != nil {
		t.Fatal(err)
	}
	c.Sealed[2], c.Revision = []byte("mail"), 2
	if err := db.UpdateCustomer(ctx, c, idx); err != nil {
		t.Fatal(err)
	}
	c.Revision = 1 // stale: no row matches, RowsAffected 0 must say so
	if err := db.UpdateCustomer(ctx, c, idx); err == nil {
		t.Fatal("a stale update was not refused")
	}
	// Read the writer's state on its own goroutine, between transactions.
	if err := db.write(ctx, func(*sql.Tx) error {
		w := db.writer.lite
		if w.broken || w.stmts[insertCustomerSQL] == nil || w.stmts[updateCustomerSQL] == nil {
			t.Errorf("the statements did not go through the C API (broken %v, prepared %d)", w.broken, len(w.stmts))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var got string
	err := db.r.QueryRowContext(ctx, `SELECT typeof(id) || typeof(shop_id) || typeof(shredded) || typeof(revision) || typeof(created_at) ||
		typeof(key_version) || typeof(wrapped_dek) || typeof(name) || typeof(name_kana) || length(name_kana) || typeof(email) ||
		typeof(phone) || typeof(ix_email) || typeof(ix_phone) || '|' || id || key_version || revision || CAST(name AS TEXT) FROM customers`).Scan(&got)
	if err != nil {
		t.Fatal(err)
	}
	want := "texttextintegerintegerintegerintegerblobblobblob0blobnullblobnull|c172名前の暗号文"
	if got != want {
		t.Fatalf("stored\n%s\nwant\n%s", got, want)
	}
}

// A batch of creates and events runs wholly through the C API (transact): its events are
// chained; a create that fails (a duplicate id) fails alone, its neighbours and their events
// are stored, and the connection is left outside any transaction; a statement with an
// argument the C API path does not bind runs through database/sql, once, with its event.
func TestWriterTransact(t *testing.T) {
	ctx := context.Background()
	db, _ := openSQLite(t, Options{NoAuditJournal: true})
	if err := db.CreateShop(ctx, Shop{ID: "s1", Name: "s1", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	event := func(id string) AuditRow {
		return AuditRow{Actor: "system", Action: "create", Shop: "s1", Customers: []string{id}, Outcome: "ok"}
	}
	now := time.Now()
	cust := func(id string) Customer {
		return Customer{Shop: "s1", ID: id, Revision: 1, Created: now, Updated: now, KeyVersion: 1, DEKVersion: 1, WrappedDEK: []byte("dek")}
	}
	if err := db.InsertCustomer(ctx, cust("dup"), nil, event("dup")); err != nil {
		t.Fatal(err)
	}
	// Sixteen concurrent creates, one of them a duplicate: batched together by the writer.
	errs := make(chan error, 16)
	for i := range 16 {
		id := fmt.Sprintf("c%02d", i)
		if i == 7 {
			id = "dup"
		}
		go func() { errs <- db.InsertCustomer(ctx, cust(id), nil, event(id)) }()
	}
	failed := 0
	for range 16 {
		if <-errs != nil {
			failed++
		}
	}
	if failed != 1 {
		t.Fatalf("%d creates failed, want the duplicate alone", failed)
	}
	// Unsupported argument (a bool): through database/sql, with its event, once.
	run := func(tx *sql.Tx, st statement) error { _, err := db.exec(ctx, tx, st.query, st.args...); return err }
	if err := db.writer.doStatements(ctx, []statement{{"UPDATE customers SET revision = revision + 1 WHERE id = 'c00' AND ?", []any{true}}}, []AuditRow{event("c00")}, run); err != nil {
		t.Fatal(err)
	}
	var n, events, rev int
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM customers").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, "SELECT count(*) FROM audit_events").Scan(&events); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, "SELECT revision FROM customers WHERE id = 'c00'").Scan(&rev); err != nil {
		t.Fatal(err)
	}
	if n != 16 || events != 17 || rev != 2 {
		t.Fatalf("customers %d events %d revision %d, want 16 17 2", n, events, rev)
	}
	if err := db.write(ctx, func(*sql.Tx) error {
		w := db.writer.lite
		if w.stmts["BEGIN IMMEDIATE"] == nil || w.stmts["COMMIT"] == nil || w.stmts["ROLLBACK"] == nil || w.stmts[db.auditLockSQL()] == nil {
			t.Errorf("the batches did not run through transact (%d statements prepared)", len(w.stmts))
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := chainOf(t, db); got != 17 {
		t.Fatalf("chain of %d events, want 17", got)
	}
	// A relaxed batch (read events, no journal) commits with synchronous NORMAL; the
	// durable write after it runs with FULL again.
	if err := db.AppendAuditRelaxed(ctx, []AuditRow{{Actor: "system", Action: "read", Shop: "s1", Customers: []string{"c01"}, Outcome: "ok"}}); err != nil {
		t.Fatal(err)
	}
	if !db.writer.lite.relaxed {
		t.Fatal("the relaxed batch did not set synchronous NORMAL")
	}
	if err := db.write(ctx, func(tx *sql.Tx) error {
		var mode int
		if err := tx.QueryRow("PRAGMA synchronous").Scan(&mode); err != nil {
			return err
		}
		if mode != 2 {
			t.Errorf("a durable write ran with synchronous = %d, want 2 (FULL)", mode)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// openSQLite opens a store on a fresh SQLite database of its own, closed when the test
// ends, and returns it with the database file's path.
func openSQLite(t *testing.T, opt Options) (*DB, string) {
	t.Helper()
	b := storetest.SQLite(t)
	db, err := Open(context.Background(), b.DSN, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, b.File
}
