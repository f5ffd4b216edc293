package store_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

func benchDB(b *testing.B, fn func(b *testing.B, db *store.DB)) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			be := storetest.SQLite(b)
			if name == "postgres" {
				be = storetest.Postgres(b)
			}
			db, err := store.Open(context.Background(), be.DSN, store.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			shopRow(b, db)
			fn(b, db)
		})
	}
}

func shopRow(b *testing.B, db *store.DB) {
	if err := db.CreateShop(context.Background(), store.Shop{ID: "s", Name: "s", KeyVersion: 1, WrappedKey: []byte("w")}); err != nil {
		b.Fatal(err)
	}
}

func indexes(i int64) []store.Index {
	h := func(f string) []byte { return []byte(fmt.Sprintf("%-16d", i)[:16] + f)[:16] }
	return []store.Index{{Field: "email", HMAC: h("e")}, {Field: "phone", HMAC: h("p")}, {Field: "name", HMAC: h("n")}, {Field: "name_kana", HMAC: h("k")}}
}

// BenchmarkInsertCustomer: a sealed customer row with four blind indexes through the
// group-commit writer, 16 concurrent callers per core (as HTTP requests would be).
func BenchmarkInsertCustomer(b *testing.B) {
	benchDB(b, func(b *testing.B, db *store.DB) {
		var n atomic.Int64
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := n.Add(1)
				if err := db.InsertCustomer(context.Background(), customer("s", fmt.Sprintf("c%025d", i)), indexes(i)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkCustomer reads one customer row by id, parallel readers.
func BenchmarkCustomer(b *testing.B) {
	benchDB(b, func(b *testing.B, db *store.DB) {
		const rows = 2000
		for i := range rows {
			db.InsertCustomer(context.Background(), customer("s", fmt.Sprintf("c%025d", i)), indexes(int64(i)))
		}
		var n atomic.Int64
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := db.Customer(context.Background(), "s", fmt.Sprintf("c%025d", n.Add(1)%rows)); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkAppendRead appends read events (one per call, as a read's) from 16 callers per
// core: through the journal (the server's path) and straight into audit_events.
func BenchmarkAppendRead(b *testing.B) {
	for _, mode := range []string{"journal", "direct"} {
		b.Run(mode, func(b *testing.B) {
			be := storetest.SQLite(b)
			db, err := store.Open(context.Background(), be.DSN, store.Options{NoAuditJournal: mode == "direct"})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			var n atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			cpu := storetest.StartCPU(b)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					ev := store.AuditRow{Actor: "key:k1", Action: "read", ActorIP: "127.0.0.1", Shop: "s",
						Customers: []string{fmt.Sprintf("c%025d", i%1000)}, Fields: []string{"name", "email", "phone"}, Outcome: "ok", RequestID: fmt.Sprintf("r%d", i)}
					if err := db.AppendAuditRelaxed(context.Background(), []store.AuditRow{ev}); err != nil {
						b.Fatal(err)
					}
				}
			})
			cpu.Stop()
		})
	}
}
