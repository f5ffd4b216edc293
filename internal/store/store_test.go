package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

func open(t *testing.T, b storetest.Backend) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), b.DSN, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func shop(t *testing.T, db *store.DB, id, name string) {
	t.Helper()
	err := db.CreateShop(context.Background(), store.Shop{ID: id, Name: name, KeyVersion: 1, WrappedKey: []byte("wrapped-" + id), Created: time.Now()})
	if err != nil {
		t.Fatalf("create shop: %v", err)
	}
}

func customer(shop, id string) store.Customer {
	now := time.Now().UTC().Truncate(time.Microsecond)
	c := store.Customer{Shop: shop, ID: id, Revision: 1, Created: now, Updated: now, KeyVersion: 1, DEKVersion: 1, WrappedDEK: []byte("dek-" + id)}
	for i := range c.Sealed {
		c.Sealed[i] = []byte(fmt.Sprintf("ct-%s-%d", id, i))
	}
	c.Sealed[3] = nil // phone absent
	return c
}

// TestConformance is the one suite every backend must pass.
func TestConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := open(t, b)

		t.Run("migrations are idempotent", func(t *testing.T) {
			db2, err := store.Open(ctx, b.DSN, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db2.Close()
			v, err := db2.SchemaVersion(ctx)
			if err != nil || v < 1 {
				t.Fatalf("schema version %d, %v", v, err)
			}
		})

		shop(t, db, "shopa", "a")
		shop(t, db, "shopb", "b")
		t.Run("shop names are unique", func(t *testing.T) {
			err := db.CreateShop(ctx, store.Shop{ID: "other", Name: "a", KeyVersion: 1, WrappedKey: []byte("x"), Created: time.Now()})
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("want ErrConflict, got %v", err)
			}
			s, err := db.ShopByName(ctx, "a")
			if err != nil || s.ID != "shopa" || !bytes.Equal(s.WrappedKey, []byte("wrapped-shopa")) {
				t.Fatalf("shop by name: %+v %v", s, err)
			}
			if _, err := db.Shop(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown shop: %v", err)
			}
		})

		t.Run("api keys", func(t *testing.T) {
			k := store.APIKey{ID: "key1", Shop: "shopa", Name: "backend", Hash: []byte("h1"), Scopes: []string{"customers:read", "check"}, Created: time.Now()}
			if err := db.CreateAPIKey(ctx, k); err != nil {
				t.Fatal(err)
			}
			got, err := db.APIKeyByHash(ctx, []byte("h1"))
			if err != nil || got.ID != "key1" || got.Shop != "shopa" || len(got.Scopes) != 2 {
				t.Fatalf("lookup: %+v %v", got, err)
			}
			if err := db.RevokeAPIKey(ctx, "shopb", "key1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("revoking another shop's key must fail, got %v", err)
			}
			if err := db.RevokeAPIKey(ctx, "shopa", "key1"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.APIKeyByHash(ctx, []byte("h1")); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("revoked key still found: %v", err)
			}
			keys, err := db.APIKeys(ctx, "shopa")
			if err != nil || len(keys) != 1 || keys[0].Revoked == nil {
				t.Fatalf("list: %+v %v", keys, err)
			}
		})

		t.Run("customer lifecycle", func(t *testing.T) {
			c := customer("shopa", "cust1")
			idx := []store.Index{{Field: "email", HMAC: []byte("e1")}, {Field: "phone", HMAC: []byte("p1")}}
			if err := db.InsertCustomer(ctx, c, idx); err != nil {
				t.Fatal(err)
			}
			got, err := db.Customer(ctx, "shopa", "cust1")
			if err != nil {
				t.Fatal(err)
			}
			if got.Revision != 1 || !got.Created.Equal(c.Created) || got.Sealed[3] != nil || !bytes.Equal(got.Sealed[0], c.Sealed[0]) || !bytes.Equal(got.WrappedDEK, c.WrappedDEK) {
				t.Fatalf("round trip differs: %+v", got)
			}
			if _, err := db.Customer(ctx, "shopb", "cust1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another shop must not see the customer: %v", err)
			}
			ids, err := db.FindByIndex(ctx, "shopa", "email", []byte("e1"), 10)
			if err != nil || len(ids) != 1 || ids[0] != "cust1" {
				t.Fatalf("find: %v %v", ids, err)
			}
			if ids, _ := db.FindByIndex(ctx, "shopb", "email", []byte("e1"), 10); len(ids) != 0 {
				t.Fatalf("index leaked across shops")
			}

			// Update with the right revision, then a stale one.
			c.Revision, c.Sealed[0] = 2, []byte("new-name")
			if err := db.UpdateCustomer(ctx, c, []store.Index{{Field: "email", HMAC: []byte("e2")}}); err != nil {
				t.Fatal(err)
			}
			if err := db.UpdateCustomer(ctx, c, nil); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale revision: want ErrConflict, got %v", err)
			}
			if ids, _ := db.FindByIndex(ctx, "shopa", "email", []byte("e1"), 10); len(ids) != 0 {
				t.Fatalf("old index entry survived the update")
			}
			if ids, _ := db.FindByIndex(ctx, "shopa", "phone", []byte("p1"), 10); len(ids) != 0 {
				t.Fatalf("dropped index entry survived the update")
			}

			if err := db.ShredCustomer(ctx, "shopb", "cust1"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another shop shredded the customer: %v", err)
			}
			if err := db.ShredCustomer(ctx, "shopa", "cust1"); err != nil {
				t.Fatal(err)
			}
			got, err = db.Customer(ctx, "shopa", "cust1")
			if err != nil || !got.Shredded || got.WrappedDEK != nil {
				t.Fatalf("after shred: %+v %v", got, err)
			}
			for i, f := range got.Sealed {
				if f != nil {
					t.Fatalf("field %d survived the shred", i)
				}
			}
			if ids, _ := db.FindByIndex(ctx, "shopa", "email", []byte("e2"), 10); len(ids) != 0 {
				t.Fatalf("index survived the shred")
			}
			if err := db.UpdateCustomer(ctx, store.Customer{Shop: "shopa", ID: "cust1", Revision: 4}, nil); err == nil {
				t.Fatalf("a shredded customer was updated")
			}
		})

		t.Run("rewrap and key counts", func(t *testing.T) {
			for i := range 5 {
				if err := db.InsertCustomer(ctx, customer("shopb", fmt.Sprintf("rw%d", i)), nil); err != nil {
					t.Fatal(err)
				}
			}
			refs, err := db.WrappedKeysBelow(ctx, 2, "", 3)
			if err != nil || len(refs) != 3 {
				t.Fatalf("page 1: %d %v", len(refs), err)
			}
			var rs []store.Rewrap
			for _, r := range refs {
				rs = append(rs, store.Rewrap{ID: r.ID, OldVersion: 1, NewVersion: 2, WrappedDEK: []byte("v2")})
			}
			rs = append(rs, store.Rewrap{ID: refs[0].ID, OldVersion: 1, NewVersion: 2, WrappedDEK: []byte("again")})
			n, err := db.RewrapDEKs(ctx, rs)
			if err != nil || n != 3 {
				t.Fatalf("rewrap changed %d, %v (a row already moved must be left alone)", n, err)
			}
			counts, err := db.KeyVersionCounts(ctx)
			if err != nil {
				t.Fatal(err)
			}
			// shops a and b (v1) + rw3, rw4 (v1); rw0..rw2 moved to v2.
			if counts[1] != 4 || counts[2] != 3 {
				t.Fatalf("counts %v", counts)
			}
		})

		t.Run("group commit: concurrent writers all land, one failure stays alone", func(t *testing.T) {
			var wg sync.WaitGroup
			errs := make([]error, 200)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					id := fmt.Sprintf("gc%03d", i)
					if i == 100 {
						id = "gc000" // duplicate primary key: this one alone must fail
					}
					errs[i] = db.InsertCustomer(ctx, customer("shopa", id), []store.Index{{Field: "email", HMAC: []byte(id)}})
				}()
			}
			wg.Wait()
			failed := 0
			for i, err := range errs {
				if err != nil {
					failed++
					if i != 100 && i != 0 {
						t.Errorf("insert %d failed: %v", i, err)
					}
				}
			}
			if failed != 1 {
				t.Fatalf("%d inserts failed, want exactly 1 (the duplicate)", failed)
			}
			n, err := db.CountCustomers(ctx, "shopa")
			if err != nil || n != 199 {
				t.Fatalf("count %d %v, want 199 (200 inserts, one duplicate)", n, err)
			}
		})
	})
}

func TestSQLiteBackupAndPermissions(t *testing.T) {
	b := storetest.SQLite(t)
	db := open(t, b)
	ctx := context.Background()
	shop(t, db, "s", "s")
	if err := db.InsertCustomer(ctx, customer("s", "c1"), nil); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "backup.db")
	if err := db.Backup(ctx, out); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{b.File, out} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; want no group/other access", filepath.Base(p), fi.Mode().Perm())
		}
	}
	if err := db.Backup(ctx, out); err == nil {
		t.Fatal("backup overwrote an existing file")
	}
	restored, err := store.Open(ctx, out, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer restored.Close()
	if c, err := restored.Customer(ctx, "s", "c1"); err != nil || c.ID != "c1" {
		t.Fatalf("backup lacks the customer: %v", err)
	}
}

func TestOpenRefusesNewerSchemaAndBadDSN(t *testing.T) {
	b := storetest.SQLite(t)
	ctx := context.Background()
	db := open(t, b)
	db.Close()
	raw, err := sql.Open("sqlite", b.File)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, applied_at) VALUES (999, 0)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := store.Open(ctx, b.DSN, store.Options{}); err == nil || !strings.Contains(err.Error(), "newer than this kinko") {
		t.Fatalf("a database from a newer kinko must be refused, got %v", err)
	}
	if _, err := store.Open(ctx, "postgres://nobody:secretpw@127.0.0.1:1/none?connect_timeout=1", store.Options{}); err == nil {
		t.Fatal("opening an unreachable PostgreSQL succeeded")
	} else if strings.Contains(err.Error(), "secretpw") {
		t.Fatal("the connection error repeats the password")
	}
}
