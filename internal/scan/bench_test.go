package scan

import (
	"context"
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
