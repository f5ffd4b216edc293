package audit

import (
	"context"
	"crypto/rand"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// benchTrail builds a SQLite trail of n events once per process (KINKO_BENCH_AUDIT_EVENTS,
// default 1,000,000), appended in large batches through the store. With
// KINKO_BENCH_AUDIT_DIR=D the trail is kept in the data folder D (made by `kinko init
// --data D`, or created here) and only topped up to n events by later runs, so repeated
// benchmarks skip the build and `kinko audit verify --data D` can be timed on the same trail.
var benchTrail struct {
	once sync.Once
	f    *fixture
	n    int
	err  error
}

func verifyFixture(b *testing.B) (*fixture, int) {
	benchTrail.once.Do(func() {
		benchTrail.f, benchTrail.n, benchTrail.err = buildBenchTrail(b)
	})
	if benchTrail.err != nil {
		b.Fatal(benchTrail.err)
	}
	return benchTrail.f, benchTrail.n
}

func buildBenchTrail(b *testing.B) (*fixture, int, error) {
	n := 1_000_000
	if s := os.Getenv("KINKO_BENCH_AUDIT_EVENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	dir := os.Getenv("KINKO_BENCH_AUDIT_DIR")
	if dir == "" {
		var err error
		if dir, err = os.MkdirTemp("", "kinko-audit-bench"); err != nil {
			return nil, 0, err
		}
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, 0, err
	}
	// Not newFixture: its cleanups would close the database when the first benchmark
	// (or the first of -count runs) ends, and the trail is shared by all of them.
	ctx := context.Background()
	path := filepath.Join(dir, store.SQLiteFileName)
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		return nil, 0, err
	}
	kpath := filepath.Join(dir, keyring.FileName)
	open := keyring.Open
	if _, err := os.Stat(kpath); errors.Is(err, fs.ErrNotExist) {
		open = keyring.Create
	}
	kr, err := open(kpath, rand.Reader)
	if err != nil {
		return nil, 0, err
	}
	f := &fixture{b: storetest.Backend{Name: "sqlite", DSN: path, File: path}, db: db, kr: kr, cpath: CheckpointPath(kr.Path())}
	x, err := db.AuditExtent(ctx)
	if err != nil {
		return nil, 0, err
	}
	if x.HeadSeq >= uint64(n) {
		return f, int(x.HeadSeq), nil
	}
	batch := make([]Event, 0, 8192)
	for i := int(x.HeadSeq) + 1; i <= n; i++ {
		batch = append(batch, event(i))
		if len(batch) == cap(batch) || i == n {
			if err := f.db.AppendAudit(ctx, batch); err != nil {
				return nil, 0, err
			}
			batch = batch[:0]
		}
	}
	f.fill(b, 0)
	if err := f.db.Checkpoint(ctx); err != nil {
		return nil, 0, err
	}
	return f, n, nil
}

// BenchmarkVerify verifies a whole SQLite trail per iteration and reports events/s.
func BenchmarkVerify(b *testing.B) {
	f, n := verifyFixture(b)
	ctx := context.Background()
	b.ResetTimer()
	start, cpu0 := time.Now(), storetest.CPUTime()
	for b.Loop() {
		rep, err := Verify(ctx, f.db, f.kr, f.cpath)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Problem != nil || rep.Events != uint64(n) {
			b.Fatalf("verify: %v", rep.Problem)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
	// On a shared machine the wall clock also counts other processes' time: events per
	// second of this process's CPU time says what the code costs.
	b.ReportMetric(float64(n)*float64(b.N)/(storetest.CPUTime()-cpu0).Seconds(), "events/cpu-s")
}

// BenchmarkVerifyPostgres is BenchmarkVerify on PostgreSQL (KINKO_TEST_POSTGRES): the
// trail (KINKO_BENCH_AUDIT_EVENTS events, default 1,000,000) is built in a fresh schema
// first, which takes a while.
func BenchmarkVerifyPostgres(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("KINKO_BENCH_AUDIT_EVENTS"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	f := newFixture(b, storetest.Postgres(b))
	ctx := context.Background()
	batch := make([]Event, 0, 8192)
	for i := 1; i <= n; i++ {
		batch = append(batch, event(i))
		if len(batch) == cap(batch) || i == n {
			if err := f.db.AppendAudit(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	f.fill(b, 0)
	f.exec(b, "VACUUM ANALYZE audit_events")
	f.exec(b, "VACUUM ANALYZE audit_customers")
	b.ResetTimer()
	start, cpu0 := time.Now(), storetest.CPUTime()
	for b.Loop() {
		rep, err := Verify(ctx, f.db, f.kr, f.cpath)
		if err != nil {
			b.Fatal(err)
		}
		if rep.Problem != nil || rep.Events != uint64(n) {
			b.Fatalf("verify: %v", rep.Problem)
		}
	}
	b.ReportMetric(float64(n)*float64(b.N)/time.Since(start).Seconds(), "events/s")
	// The server's CPU time is not in this figure (it runs in its own processes).
	b.ReportMetric(float64(n)*float64(b.N)/(storetest.CPUTime()-cpu0).Seconds(), "events/cpu-s")
}

// BenchmarkAppend appends one event per call from many goroutines at once, the way
// concurrent requests do; the store's group commit batches them. Reports events/s.
func BenchmarkAppend(b *testing.B) {
	for _, name := range []string{"sqlite", "postgres"} {
		b.Run(name, func(b *testing.B) {
			var bk storetest.Backend
			if name == "sqlite" {
				bk = storetest.SQLite(b)
			} else {
				bk = storetest.Postgres(b)
			}
			f := newFixture(b, bk)
			tr, err := Open(context.Background(), f.db, f.kr, f.cpath, nil)
			if err != nil {
				b.Fatal(err)
			}
			defer tr.Close()
			var i atomic.Int64
			b.SetParallelism(128)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := tr.Append(context.Background(), event(int(i.Add(1)))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "events/s")
		})
	}
}
