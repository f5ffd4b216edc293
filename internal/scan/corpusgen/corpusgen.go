// Package corpusgen writes kinko's labelled scanner corpus: realistic Japanese shop data in
// every format `kinko scan` reads (CSV in UTF-8 and Shift_JIS, TSV, JSON, JSON Lines, MySQL and
// PostgreSQL dumps, nginx and application logs, plain text, .gz), with every personal value
// labelled by type and byte span, and many hard negatives that must not be reported: order and
// tracking numbers, JAN codes, prices, dates that are not birth dates, IP addresses,
// timestamps, UUIDs and product names that mention a prefecture.
//
// The same seed gives the same bytes, so the small corpus in testdata/scan/corpus can be
// checked for freshness, and Size scales it to hundreds of megabytes for benchmarks.
//
// All personal data is synthetic: names and places are common, card numbers are the issuers'
// published test numbers, My Numbers are random with a valid check digit.
package corpusgen

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
)

// Label is one personal value in the corpus: its file (relative to the corpus folder), type
// and byte span in the file's own bytes (decompressed for .gz).
type Label struct {
	Path  string `json:"path"`
	Type  string `json:"type"`
	Start int64  `json:"start"`
	End   int64  `json:"end"`
}

// Config says what to generate.
type Config struct {
	Dir    string // output folder, created if missing
	Size   int64  // approximate total size in bytes
	Seed   uint64
	Only   string // if set, generate only the file with this name
	Labels bool   // collect labels (off for huge benchmark corpora)
}

// DefaultSize is the committed corpus's size: big enough for every type to have well over a
// hundred labels, small enough for git and for a test that runs in seconds.
const DefaultSize = 256 << 10

type fileSpec struct {
	name   string
	weight int
	sjis   bool
	gen    func(g *gen, d *doc)
}

var files = []fileSpec{
	{"customers_utf8.csv", 10, false, genCustomersCSV},
	{"customers_sjis.csv", 10, true, genCustomersSJIS},
	{"orders.tsv", 8, false, genOrdersTSV},
	{"products.csv", 4, false, genProductsCSV},
	{"customers.json", 10, false, genCustomersJSON},
	{"events.jsonl", 8, false, genEventsJSONL},
	{"shop_mysql.sql", 10, false, genMySQLDump},
	{"shop_pg.sql", 10, false, genPGDump},
	{"access.log", 8, false, genAccessLog},
	{"app.log", 8, false, genAppLog},
	{"inquiries.txt", 8, false, genInquiries},
	{"members.csv.gz", 6, false, genMembersCSV},
	{"app-old.log.gz", 4, false, genAppLog},
	{"employees.csv", 13, false, genEmployees},
	{"legacy_payments.csv", 7, false, genLegacyPayments},
}

// FileNames lists the files a full corpus has.
func FileNames() []string {
	out := make([]string, len(files))
	for i, f := range files {
		out[i] = f.name
	}
	return out
}

// Generate writes the corpus and returns its labels (nil unless cfg.Labels), sorted by path
// and offset.
func Generate(cfg Config) ([]Label, error) {
	if cfg.Size <= 0 {
		cfg.Size = DefaultSize
	}
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, err
	}
	total := 0
	for _, f := range files {
		total += f.weight
	}
	var labels []Label
	found := false
	for i, f := range files {
		if cfg.Only != "" && f.name != cfg.Only {
			continue
		}
		found = true
		budget := cfg.Size * int64(f.weight) / int64(total)
		if cfg.Only != "" {
			budget = cfg.Size
		}
		g := &gen{r: rand.New(rand.NewPCG(cfg.Seed, uint64(i)))}
		d, err := newDoc(filepath.Join(cfg.Dir, f.name), f.name, f.sjis, budget, cfg.Labels)
		if err != nil {
			return nil, err
		}
		f.gen(g, d)
		if err := d.close(); err != nil {
			return nil, err
		}
		labels = append(labels, d.labels...)
	}
	if !found {
		return nil, fmt.Errorf("no corpus file named %q (known: %s)", cfg.Only, strings.Join(FileNames(), ", "))
	}
	sort.SliceStable(labels, func(i, j int) bool {
		if labels[i].Path != labels[j].Path {
			return labels[i].Path < labels[j].Path
		}
		return labels[i].Start < labels[j].Start
	})
	return labels, nil
}

// WriteLabels writes labels one per line as "path<TAB>type<TAB>start<TAB>end": compact, since
// the committed corpus has thousands of them.
func WriteLabels(path string, labels []Label) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for _, l := range labels {
		fmt.Fprintf(w, "%s\t%s\t%d\t%d\n", l.Path, l.Type, l.Start, l.End)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadLabels reads a labels file written by WriteLabels.
func ReadLabels(path string) ([]Label, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Label
	for i, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, fmt.Errorf("%s:%d: want 4 tab-separated fields", path, i+1)
		}
		s, err1 := strconv.ParseInt(f[2], 10, 64)
		e, err2 := strconv.ParseInt(f[3], 10, 64)
		if err1 != nil || err2 != nil || e < s {
			return nil, fmt.Errorf("%s:%d: bad offsets", path, i+1)
		}
		out = append(out, Label{Path: f[0], Type: f[1], Start: s, End: e})
	}
	return out, nil
}

// doc writes one file while counting its bytes, so that a labelled value's span is known
// exactly in the file's own encoding.
type doc struct {
	name    string
	f       *os.File
	w       *bufio.Writer
	zw      *gzip.Writer
	enc     *encoding.Encoder
	off     int64
	budget  int64
	collect bool
	labels  []Label
	err     error
}

func newDoc(path, name string, sjis bool, budget int64, collect bool) (*doc, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	d := &doc{name: name, f: f, w: bufio.NewWriterSize(f, 256<<10), budget: budget, collect: collect}
	if strings.HasSuffix(name, ".gz") {
		d.zw, _ = gzip.NewWriterLevel(d.w, gzip.BestSpeed)
		d.zw.ModTime = fixedTime // reproducible bytes
	}
	if sjis {
		d.enc = japanese.ShiftJIS.NewEncoder()
	}
	return d, nil
}

func (d *doc) more() bool { return d.off < d.budget && d.err == nil }

// s writes plain text.
func (d *doc) s(x string) {
	if d.err != nil {
		return
	}
	b := []byte(x)
	if d.enc != nil {
		var err error
		if b, err = d.enc.Bytes(b); err != nil {
			d.err = fmt.Errorf("%s: not encodable in Shift_JIS: %w", d.name, err)
			return
		}
	}
	if d.zw != nil {
		_, d.err = d.zw.Write(b)
	} else {
		_, d.err = d.w.Write(b)
	}
	d.off += int64(len(b))
}

// v writes a personal value of type t and labels its span.
func (d *doc) v(t, x string) {
	start := d.off
	d.s(x)
	if d.collect && x != "" {
		d.labels = append(d.labels, Label{Path: d.name, Type: t, Start: start, End: d.off})
	}
}

func (d *doc) close() error {
	if d.zw != nil {
		if err := d.zw.Close(); err != nil && d.err == nil {
			d.err = err
		}
	}
	if err := d.w.Flush(); err != nil && d.err == nil {
		d.err = err
	}
	if err := d.f.Close(); err != nil && d.err == nil {
		d.err = err
	}
	return d.err
}
