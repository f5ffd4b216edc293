package vault_test

import (
	"context"
	"fmt"
	"github.com/kinko-jp/kinko/internal/audit"
	"sync/atomic"
	"testing"

	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

// BenchmarkCreate measures a customer create through the vault (validation, card check,
// normalisation, blind indexes, sealing, group-committed insert) with parallel callers.
func BenchmarkCreate(b *testing.B) {
	benchBackends(b, func(b *testing.B, e *env) {
		ctx := context.Background()
		var n atomic.Int64
		b.SetParallelism(8)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				in := hanako()
				in.Email = ptr(fmt.Sprintf("user%d@example.jp", n.Add(1)))
				if _, err := e.v.Create(ctx, e.as(), in); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

// BenchmarkGet measures reading and opening one customer, parallel callers, with every
// read recorded in the audit trail (the production path).
func BenchmarkGet(b *testing.B) { benchBackends(b, func(b *testing.B, e *env) { benchGet(b, e) }) }

// BenchmarkGetAuditOff is the same read with a recorder that writes nothing: the
// reference for issue 5's "reads with audit on stay ≥ 80 % of reads with audit off".
func BenchmarkGetAuditOff(b *testing.B) {
	benchBackends(b, func(b *testing.B, e *env) {
		e.v = vault.New(e.db, e.keys, e.tombs, nopRecorder{}, vault.Options{})
		benchGet(b, e)
	})
}

type nopRecorder struct{}

func (nopRecorder) AppendRead(context.Context, ...audit.Event) error { return nil }

func benchGet(b *testing.B, e *env) {
	ctx := context.Background()
	var ids []string
	for range 1000 {
		rec, err := e.v.Create(ctx, e.as(), hanako())
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	var n atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	cpu := storetest.StartCPU(b)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := e.v.Get(ctx, e.as(), ids[n.Add(1)%int64(len(ids))]); err != nil {
				b.Fatal(err)
			}
		}
	})
	cpu.Stop()
}

func BenchmarkSearch(b *testing.B) {
	benchBackends(b, func(b *testing.B, e *env) {
		ctx := context.Background()
		for i := range 100 {
			e.v.Create(ctx, e.as(), vault.Input{Email: ptr(fmt.Sprintf("x%d@example.jp", i))})
		}
		e.v.Create(ctx, e.as(), hanako())
		b.ResetTimer()
		for b.Loop() {
			if rs, err := e.v.Search(ctx, e.as(), "email", email); err != nil || len(rs) != 1 {
				b.Fatal(err)
			}
		}
	})
}

func benchBackends(b *testing.B, fn func(b *testing.B, e *env)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, newEnv(b, storetest.SQLite(b))) })
	b.Run("postgres", func(b *testing.B) { fn(b, newEnv(b, storetest.Postgres(b))) })
}
