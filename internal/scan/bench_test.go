package scan

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/kinko-jp/kinko/internal/scan/corpusgen"
)

type discard struct{ n int }

func (d *discard) Finding(*Finding) error     { d.n++; return nil }
func (d *discard) FileDone(*FileResult) error { return nil }

// BenchmarkScan measures the scanner per format in MB/s, every detector on, all cores, on
// one file of the generated corpus (8 MiB each; the .gz figure is per decompressed byte).
//
//	go test ./internal/scan -run '^$' -bench Scan -benchtime 5x
func BenchmarkScan(b *testing.B) {
	cases := []struct{ name, file string }{
		{"csv", "customers_utf8.csv"},
		{"csv-shift_jis", "customers_sjis.csv"},
		{"tsv", "orders.tsv"},
		{"json", "customers.json"},
		{"jsonl", "events.jsonl"},
		{"sql-mysql", "shop_mysql.sql"},
		{"sql-postgres", "shop_pg.sql"},
		{"log-nginx", "access.log"},
		{"log-app", "app.log"},
		{"text", "inquiries.txt"},
		{"csv.gz", "members.csv.gz"},
	}
	dir := b.TempDir()
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			p := filepath.Join(dir, c.file)
			if _, err := os.Stat(p); err != nil {
				if _, err := corpusgen.Generate(corpusgen.Config{Dir: dir, Size: 8 << 20, Seed: 7, Only: c.file}); err != nil {
					b.Fatal(err)
				}
			}
			size := int64(len(fileBytes(b, p)))
			b.SetBytes(size)
			s := New(Options{})
			b.ResetTimer()
			for b.Loop() {
				d := &discard{}
				if err := s.Run(context.Background(), []string{p}, d); err != nil {
					b.Fatal(err)
				}
				if d.n == 0 {
					b.Fatal("no findings")
				}
			}
		})
	}
}

// BenchmarkScanFolder scans the folder named by KINKO_BENCH_DIR the way `kinko scan --format
// jsonl DIR >/dev/null` does (JSON Lines formatted by the workers, written to io.Discard); it
// is skipped without it. It is the one to profile, and the source of cmd/kinko/default.pgo:
//
//	go run ./cmd/kinko-corpus -out /tmp/kperf/corpus -size 600MB
//	KINKO_BENCH_DIR=/tmp/kperf/corpus go test ./internal/scan -run '^$' -bench ScanFolder \
//	    -benchtime 3x -cpuprofile /tmp/scan.pprof
func BenchmarkScanFolder(b *testing.B) {
	dir := os.Getenv("KINKO_BENCH_DIR")
	if dir == "" {
		b.Skip("KINKO_BENCH_DIR not set")
	}
	var size int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if info, err := d.Info(); err == nil {
				size += info.Size()
			}
		}
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size) // bytes on disk: the .gz files count compressed
	s := New(Options{})
	for b.Loop() {
		r := NewJSONLReporter(io.Discard)
		if err := s.Run(context.Background(), []string{dir}, r); err != nil {
			b.Fatal(err)
		}
		if err := r.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
