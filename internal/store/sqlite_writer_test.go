package store

import (
	"context"
	"database/sql"
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
	b := storetest.SQLite(t)
	db, err := Open(ctx, b.DSN, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
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
	err = db.r.QueryRowContext(ctx, `SELECT typeof(id) || typeof(shop_id) || typeof(shredded) || typeof(revision) || typeof(created_at) ||
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
