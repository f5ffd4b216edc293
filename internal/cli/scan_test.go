package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/scan/corpusgen"
)

// scanRun runs `kinko scan args…` the way Main does and returns the exit status and output.
func scanRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code := run(context.Background(), e, append([]string{"scan"}, args...))
	return code, out.String(), errb.String()
}

type jsonlFinding struct {
	Path       string  `json:"path"`
	Type       string  `json:"type"`
	Start      int64   `json:"start"`
	End        int64   `json:"end"`
	Line       int     `json:"line"`
	Confidence float64 `json:"confidence"`
	Reason     string  `json:"reason"`
}

func parseJSONL(t *testing.T, out string) []jsonlFinding {
	t.Helper()
	var fs []jsonlFinding
	for i, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if line == "" {
			continue
		}
		var f jsonlFinding
		dec := json.NewDecoder(strings.NewReader(line))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			t.Fatalf("jsonl line %d does not parse: %v", i+1, err)
		}
		fs = append(fs, f)
	}
	return fs
}

const (
	secretCard  = "4111111111111111"
	secretEmail = "hanako.kinko@example.jp"
	secretName  = "金庫 花子"
	secretPhone = "090-3141-5926"
)

// writeFixture writes a small customer file holding the secret values above.
func writeFixture(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "customers.csv")
	data := "name,email,tel,card_number,order_no\n" + secretName + "," + secretEmail + "," + secretPhone + "," + secretCard + ",20240115-000123\n"
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestScanOutputsNeverContainValues checks every format for what must appear (the finding)
// and what must not (the values themselves).
func TestScanOutputsNeverContainValues(t *testing.T) {
	dir := t.TempDir()
	p := writeFixture(t, dir)
	secrets := map[string]string{"card": secretCard, "email": secretEmail, "name": secretName, "phone": secretPhone, "card tail": "11111111"}
	for _, format := range []string{"jsonl", "text", "sarif"} {
		t.Run(format, func(t *testing.T) {
			code, out, errOut := scanRun(t, "--format", format, p)
			if code != 1 {
				t.Fatalf("exit status %d, want 1 (findings); stderr: %s", code, errOut)
			}
			if !strings.Contains(out, "card_number") {
				t.Errorf("%s output does not mention card_number", format)
			}
			for what, s := range secrets {
				if strings.Contains(out, s) || strings.Contains(errOut, s) {
					t.Errorf("%s output contains the %s", format, what)
				}
			}
			if format == "text" && !strings.Contains(out, "4111 **** **** 1111") {
				t.Errorf("text output lacks the masked card preview")
			}
		})
	}
}

func TestScanJSONLShape(t *testing.T) {
	dir := t.TempDir()
	p := writeFixture(t, dir)
	code, out, _ := scanRun(t, "--format", "jsonl", "--types", "card_number", p)
	if code != 1 {
		t.Fatalf("exit status %d, want 1", code)
	}
	data, _ := os.ReadFile(p)
	fs := parseJSONL(t, out)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1 (card only)", len(fs))
	}
	f := fs[0]
	if f.Path != p || f.Type != "card_number" || f.Line != 2 || string(data[f.Start:f.End]) != secretCard {
		t.Errorf("finding %+v does not point exactly at the card number on line 2", jsonlFinding{Path: f.Path, Type: f.Type, Start: f.Start, End: f.End, Line: f.Line})
	}
	line := strings.SplitN(out, "\n", 2)[0]
	want := []string{`{"path":`, `,"type":`, `,"start":`, `,"end":`, `,"line":`, `,"confidence":`, `,"reason":`}
	at := 0
	for _, k := range want {
		i := strings.Index(line[at:], k)
		if i < 0 {
			t.Fatalf("key %s missing or out of order in the jsonl line", k)
		}
		at += i + len(k)
	}
}

func TestScanSARIF(t *testing.T) {
	dir := t.TempDir()
	p := writeFixture(t, dir)
	_, out, _ := scanRun(t, "--format", "sarif", p)
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine  int   `json:"startLine"`
							ByteOffset int64 `json:"byteOffset"`
							ByteLength int64 `json:"byteLength"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("SARIF does not parse: %v", err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || doc.Runs[0].Tool.Driver.Name != "kinko" {
		t.Fatalf("not a SARIF 2.1.0 run from kinko")
	}
	run := doc.Runs[0]
	if len(run.Tool.Driver.Rules) != 8 {
		t.Errorf("%d rules, want one per type (8)", len(run.Tool.Driver.Rules))
	}
	data, _ := os.ReadFile(p)
	found := false
	for _, r := range run.Results {
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result ruleIndex does not match its ruleId")
		}
		loc := r.Locations[0].PhysicalLocation
		if r.RuleID == "card_number" {
			found = true
			g := loc.Region
			if g.StartLine != 2 || string(data[g.ByteOffset:g.ByteOffset+g.ByteLength]) != secretCard {
				t.Errorf("card result region is not the card number on line 2")
			}
		}
		if !strings.HasSuffix(loc.ArtifactLocation.URI, "customers.csv") {
			t.Errorf("artifact URI does not name the file")
		}
	}
	if !found {
		t.Errorf("no card_number result")
	}
}

func TestScanExitStatusAndErrors(t *testing.T) {
	dir := t.TempDir()
	clean := filepath.Join(dir, "clean.txt")
	os.WriteFile(clean, []byte("nothing personal here, order 20240115-000123 shipped\n"), 0o644)
	bin := filepath.Join(dir, "image.bin")
	os.WriteFile(bin, []byte{0x89, 'P', 'N', 'G', 0, 0, 0, 0x0d, 0x49, 0x48}, 0o644)
	fixture := writeFixture(t, t.TempDir())
	missing := filepath.Join(dir, "missing.csv")

	cases := []struct {
		name      string
		args      []string
		code      int
		stderrHas string
	}{
		{"no findings", []string{"--format", "jsonl", clean}, 0, ""},
		{"findings", []string{"--format", "jsonl", fixture}, 1, ""},
		{"flags after path", []string{fixture, "--format", "jsonl", "--types", "email"}, 1, ""},
		{"missing file names the file", []string{"--format", "jsonl", missing, fixture}, 2, "kinko: " + missing + ": "},
		{"binary skipped and said so", []string{"--format", "jsonl", bin}, 0, bin + ": skipped: binary"},
		{"unknown format is usage", []string{"--format", "xml", clean}, 2, "unknown --format"},
		{"unknown type is usage", []string{"--types", "card_number,shoe_size", clean}, 2, "shoe_size"},
		{"bad glob is usage", []string{"--exclude", "[", clean}, 2, "--exclude"},
		{"no path is usage", []string{"--format", "jsonl"}, 2, "no PATH"},
		{"unknown flag is usage", []string{"--colour", clean}, 2, "colour"},
		{"double dash ends flags", []string{"--format", "jsonl", "--", clean}, 0, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, out, errOut := scanRun(t, c.args...)
			if code != c.code {
				t.Errorf("exit status %d, want %d", code, c.code)
			}
			if c.stderrHas != "" && !strings.Contains(errOut, c.stderrHas) {
				t.Errorf("stderr does not say %q", c.stderrHas)
			}
			for _, s := range []string{secretCard, secretEmail, secretName} {
				if strings.Contains(out+errOut, s) {
					t.Errorf("output contains a value")
				}
			}
		})
	}
}

func TestScanHelpListsEveryFlag(t *testing.T) {
	code, out, _ := scanRun(t, "-h")
	if code != 0 {
		t.Fatalf("-h exit status %d", code)
	}
	for _, f := range []string{"-format", "-types", "-redact", "-exclude", "-jobs", "Exit status"} {
		if !strings.Contains(out, f) {
			t.Errorf("help lacks %s", f)
		}
	}
}

func TestScanFolderExcludeAndRedact(t *testing.T) {
	dir := t.TempDir()
	writeFixture(t, dir)
	os.MkdirAll(filepath.Join(dir, "vendor"), 0o755)
	os.WriteFile(filepath.Join(dir, "vendor", "x.log"), []byte("card=4111111111111111\n"), 0o644)
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write([]byte("2024-01-15 WARN card_number=5555-5555-5555-4444 email=" + secretEmail + "\n"))
	zw.Close()
	os.WriteFile(filepath.Join(dir, "app.log.gz"), gz.Bytes(), 0o644)

	code, out, errOut := scanRun(t, "--format", "jsonl", "--exclude", "vendor", "--redact", dir)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr %s", code, errOut)
	}
	if strings.Contains(out, "vendor") {
		t.Errorf("excluded folder was scanned")
	}
	if !strings.Contains(out, filepath.Join(dir, "app.log.gz")) {
		t.Errorf("the .gz file was not scanned or its path is not joined under the folder")
	}
	red, err := os.ReadFile(filepath.Join(dir, "customers.csv.redacted"))
	if err != nil {
		t.Fatalf("no redacted copy: %v", err)
	}
	orig, _ := os.ReadFile(filepath.Join(dir, "customers.csv"))
	if !bytes.Contains(orig, []byte(secretCard)) {
		t.Errorf("the original was modified")
	}
	for _, s := range []string{secretCard, secretEmail, secretPhone} {
		if bytes.Contains(red, []byte(s)) {
			t.Errorf("redacted copy still holds a value")
		}
	}
	if !bytes.Contains(red, []byte("****************")) || !bytes.Contains(red, []byte("20240115-000123")) {
		t.Errorf("redacted copy does not mask the card with * or lost the order number")
	}
	zr, err := os.Open(filepath.Join(dir, "app.log.gz.redacted"))
	if err != nil {
		t.Fatalf("no redacted .gz copy: %v", err)
	}
	defer zr.Close()
	gr, err := gzip.NewReader(zr)
	if err != nil {
		t.Fatalf("redacted .gz copy is not gzip: %v", err)
	}
	var plain bytes.Buffer
	plain.ReadFrom(gr)
	if bytes.Contains(plain.Bytes(), []byte("5555-5555-5555-4444")) || !bytes.Contains(plain.Bytes(), []byte("****-****-****-****")) {
		t.Errorf("redacted .gz copy does not mask the card and keep its separators")
	}
	// A second scan must not pick up the redacted copies.
	_, out2, _ := scanRun(t, "--format", "jsonl", "--exclude", "vendor", dir)
	if strings.Contains(out2, ".redacted") {
		t.Errorf("a folder scan read its own .redacted output")
	}
}

// Quality targets from issue 4.
var qualityTargets = map[string][2]float64{ // precision, recall
	"card_number": {0.995, 0.995},
	"my_number":   {0.995, 0.995},
}

const defaultPrecision, defaultRecall = 0.98, 0.97

type span struct{ start, end int64 }

// TestScanQuality runs `kinko scan --format jsonl` over the labelled corpus and measures
// precision and recall per type. A finding counts as a true positive when it overlaps a label
// of its type in its file; a label counts as found when a finding of its type overlaps it.
// "exact" counts findings whose span equals the label's. Only offsets are printed, never values.
func TestScanQuality(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "scan")
	dir := filepath.Join(root, "corpus")
	labels, err := corpusgen.ReadLabels(filepath.Join(root, "corpus.labels.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := scanRun(t, "--format", "jsonl", dir)
	if code != 1 {
		t.Fatalf("exit status %d, want 1; stderr: %s", code, errOut)
	}
	if errOut != "" {
		t.Errorf("stderr not empty on the corpus: %s", errOut)
	}
	findings := parseJSONL(t, out)

	type key struct{ path, typ string }
	lab := map[key][]span{}
	for _, l := range labels {
		k := key{l.Path, l.Type}
		lab[k] = append(lab[k], span{l.Start, l.End})
	}
	found := map[key][]span{}
	for _, f := range findings {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			t.Fatalf("finding path not under the corpus")
		}
		k := key{filepath.ToSlash(rel), f.Type}
		found[k] = append(found[k], span{f.Start, f.End})
	}
	overlaps := func(a span, bs []span) (bool, bool) {
		i := sort.Search(len(bs), func(i int) bool { return bs[i].end > a.start })
		for ; i < len(bs) && bs[i].start < a.end; i++ {
			if bs[i].end > a.start {
				return true, bs[i] == a
			}
		}
		return false, false
	}
	for k := range found {
		sort.Slice(found[k], func(i, j int) bool { return found[k][i].start < found[k][j].start })
	}
	type row struct {
		labels, findings, tp, fp, fn, exact int
		fpAt, fnAt                          []string
	}
	rows := map[string]*row{}
	get := func(t string) *row {
		if rows[t] == nil {
			rows[t] = &row{}
		}
		return rows[t]
	}
	for k, fs := range found {
		r := get(k.typ)
		for _, f := range fs {
			r.findings++
			if ok, exact := overlaps(f, lab[k]); ok {
				r.tp++
				if exact {
					r.exact++
				}
			} else {
				r.fp++
				if len(r.fpAt) < 8 {
					r.fpAt = append(r.fpAt, fmt.Sprintf("%s@%d-%d", k.path, f.start, f.end))
				}
			}
		}
	}
	for k, ls := range lab {
		r := get(k.typ)
		for _, l := range ls {
			r.labels++
			if ok, _ := overlaps(l, found[k]); !ok {
				r.fn++
				if len(r.fnAt) < 8 {
					r.fnAt = append(r.fnAt, fmt.Sprintf("%s@%d-%d", k.path, l.start, l.end))
				}
			}
		}
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-12s %7s %8s %6s %5s %5s %9s %7s %6s\n", "type", "labels", "findings", "tp", "fp", "fn", "precision", "recall", "exact")
	types := make([]string, 0, len(rows))
	for typ := range rows {
		types = append(types, typ)
	}
	sort.Strings(types)
	var failures []string
	for _, typ := range types {
		r := rows[typ]
		prec, rec := 1.0, 1.0
		if r.findings > 0 {
			prec = float64(r.tp) / float64(r.findings)
		}
		if r.labels > 0 {
			rec = float64(r.labels-r.fn) / float64(r.labels)
		}
		fmt.Fprintf(&table, "%-12s %7d %8d %6d %5d %5d %9.4f %7.4f %6d\n", typ, r.labels, r.findings, r.tp, r.fp, r.fn, prec, rec, r.exact)
		wantP, wantR := defaultPrecision, defaultRecall
		if q, ok := qualityTargets[typ]; ok {
			wantP, wantR = q[0], q[1]
		}
		if prec < wantP {
			failures = append(failures, fmt.Sprintf("%s: precision %.4f < %.3f; first false positives (file@start-end): %s", typ, prec, wantP, strings.Join(r.fpAt, " ")))
		}
		if rec < wantR {
			failures = append(failures, fmt.Sprintf("%s: recall %.4f < %.3f; first misses (file@start-end): %s", typ, rec, wantR, strings.Join(r.fnAt, " ")))
		}
	}
	t.Logf("scan quality on testdata/scan/corpus (%d labels, %d findings):\n%s", len(labels), len(findings), table.String())
	for _, f := range failures {
		t.Error(f)
	}
}
