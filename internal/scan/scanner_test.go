package scan

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kinko-jp/kinko/internal/detect"
)

type collect struct {
	findings []Finding
	results  []FileResult
}

func (c *collect) Finding(f *Finding) error     { c.findings = append(c.findings, *f); return nil }
func (c *collect) FileDone(r *FileResult) error { c.results = append(c.results, *r); return nil }

func scanPaths(t testing.TB, opts Options, paths ...string) (*collect, []Notice) {
	t.Helper()
	var notices []Notice
	opts.Notice = func(n Notice) { notices = append(notices, n) }
	c := &collect{}
	if err := New(opts).Run(context.Background(), paths, c); err != nil {
		t.Fatalf("scan: %v", err)
	}
	return c, notices
}

func gz(t testing.TB, data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// fileBytes returns a file's own bytes as offsets count them: decompressed for .gz.
func fileBytes(t testing.TB, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.HasSuffix(path, ".gz") || strings.HasSuffix(path, ".gz.redacted") {
		r, err := gzip.NewReader(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		data, _ = io.ReadAll(r)
	}
	return data
}

func TestScanFormats(t *testing.T) {
	type want struct {
		typ   detect.Type
		value string // the exact bytes the finding must cover (in UTF-8; encoded for Shift_JIS)
		line  int
	}
	cases := []struct {
		name    string
		file    string
		content string
		sjis    bool
		gzip    bool
		format  Format
		want    []want
	}{
		{"csv with bom and quotes", "c.csv", "\ufeffname,email,tracking_no\r\n\"山田 太郎\",\"taro@example.jp\",123456789012\r\n", false, false, FormatCSV,
			[]want{{detect.PersonName, "山田 太郎", 2}, {detect.Email, "taro@example.jp", 2}}},
		{"csv field spanning lines", "m.csv", "note,email\n\"line one\nline two\",hanako@example.jp\n", false, false, FormatCSV,
			[]want{{detect.Email, "hanako@example.jp", 3}}},
		{"shift_jis csv split name", "s.csv", "姓,名,電話番号\r\n山田,太郎,090-1234-5678\r\n", true, false, FormatCSV,
			[]want{{detect.PersonName, "山田", 2}, {detect.PersonName, "太郎", 2}, {detect.Phone, "090-1234-5678", 2}}},
		{"tsv", "o.tsv", "order_id\tship_tel\tjan\n20240115-000123\t03-1234-5678\t4901234567894\n", false, false, FormatTSV,
			[]want{{detect.Phone, "03-1234-5678", 2}}},
		{"json nested and escaped", "j.json", "{\n \"customer\": {\"name\": \"\\u5c71\\u7530 \\u592a\\u90ce\", \"email\": \"a.b@example.jp\"},\n \"items\": [{\"name\": \"京都府産 宇治抹茶\", \"jan\": \"4901234567894\"}]\n}\n", false, false, FormatJSON,
			[]want{{detect.PersonName, `\u5c71\u7530 \u592a\u90ce`, 2}, {detect.Email, "a.b@example.jp", 2}}},
		{"json lines", "e.jsonl", "{\"card_number\":\"4111 1111 1111 1111\",\"order_id\":\"1000234567\"}\n{\"tel\":\"0312345678\"}\n", false, false, FormatJSONL,
			[]want{{detect.CardNumber, "4111 1111 1111 1111", 1}, {detect.Phone, "0312345678", 2}}},
		{"mysql dump", "d.sql", "CREATE TABLE `c` (\n `name` varchar(20),\n `email` varchar(50)\n) ENGINE=InnoDB;\nINSERT INTO `c` VALUES ('佐藤 花子','hanako@example.jp');\n", false, false, FormatSQL,
			[]want{{detect.PersonName, "佐藤 花子", 5}, {detect.Email, "hanako@example.jp", 5}}},
		{"postgres copy", "p.sql", "COPY public.c (id, name, phone) FROM stdin;\n1\t鈴木 一郎\t+81-90-1234-5678\n\\.\n", false, false, FormatSQL,
			[]want{{detect.PersonName, "鈴木 一郎", 2}, {detect.Phone, "+81-90-1234-5678", 2}}},
		{"nginx log with percent-encoded email", "access.log", "203.0.113.5 - - [15/Jan/2024:10:22:33 +0900] \"GET /c?email=taro%40example.jp HTTP/1.1\" 200 512 \"-\" \"curl/8\"\n", false, false, FormatLog,
			[]want{{detect.Email, "taro%40example.jp", 1}}},
		{"app log key=value", "app.log", "2024-01-15T10:22:33+09:00 WARN card_number=4111-1111-1111-1111 tracking_no=123456789012 ip=192.168.0.1\n", false, false, FormatLog,
			[]want{{detect.CardNumber, "4111-1111-1111-1111", 1}}},
		{"log line that is json", "svc.log", "{\"level\":\"info\",\"user\":{\"email\":\"x.y@example.com\"}}\n", false, false, FormatLog,
			[]want{{detect.Email, "x.y@example.com", 1}}},
		{"plain text mail", "mail.txt", "件名：ご注文\n\nお名前：田中 健 様\n生年月日：昭和60年4月1日\n", false, false, FormatText,
			[]want{{detect.PersonName, "田中 健", 3}, {detect.BirthDate, "昭和60年4月1日", 4}}},
		{"gzip csv", "g.csv.gz", "email,tel\nken@example.jp,080-1111-2222\n", false, true, FormatCSV,
			[]want{{detect.Email, "ken@example.jp", 2}, {detect.Phone, "080-1111-2222", 2}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			data := []byte(c.content)
			if c.sjis {
				data = sjisBytes(t, c.content)
			}
			if c.gzip {
				data = gz(t, data)
			}
			p := filepath.Join(dir, c.file)
			os.WriteFile(p, data, 0o644)
			res, notices := scanPaths(t, Options{Redact: true}, p)
			if len(notices) != 0 {
				t.Fatalf("unexpected notices: %d", len(notices))
			}
			if len(res.results) != 1 || res.results[0].Format != c.format {
				t.Fatalf("file not read as %s", c.format)
			}
			own := fileBytes(t, p)
			for _, w := range c.want {
				value := []byte(w.value)
				if c.sjis {
					value = sjisBytes(t, w.value)
				}
				ok := false
				for _, f := range res.findings {
					if f.Type == w.typ && bytes.Equal(own[f.Start:f.End], value) && f.Line == w.line {
						ok = true
					}
				}
				if !ok {
					t.Errorf("no %s finding covering exactly the expected bytes on line %d", w.typ, w.line)
				}
			}
			// The redacted copy: same encoding and line structure, none of the values.
			red := fileBytes(t, p+".redacted")
			if bytes.Count(red, []byte{'\n'}) != bytes.Count(own, []byte{'\n'}) {
				t.Errorf("redacted copy has a different number of lines")
			}
			for _, w := range c.want {
				value := []byte(w.value)
				if c.sjis {
					value = sjisBytes(t, w.value)
				}
				if bytes.Contains(red, value) {
					t.Errorf("redacted copy still contains a %s", w.typ)
				}
			}
			if c.sjis {
				if _, why := sniffEncoding(red); why != "" || !bytes.Contains(red, sjisBullet) {
					t.Errorf("redacted Shift_JIS copy is not Shift_JIS with ● marks")
				}
			} else if !utf8.Valid(red) {
				t.Errorf("redacted copy is not valid UTF-8")
			}
		})
	}
}

// bigCSV builds a CSV with a quoted multi-line note in every row, so block cuts land inside
// quoted fields, and returns the exact offsets of the emails in it.
func bigCSV(rows int) ([]byte, []int64) {
	var b bytes.Buffer
	b.WriteString("id,note,email\n")
	var offs []int64
	for i := range rows {
		fmt.Fprintf(&b, "%d,\"first line, with comma\nsecond \"\"quoted\"\" line %d\",", i, i)
		offs = append(offs, int64(b.Len()))
		fmt.Fprintf(&b, "user%d@example.jp\n", i)
	}
	return b.Bytes(), offs
}

func TestScanLargeFileAcrossBlocks(t *testing.T) {
	data, offs := bigCSV(60000) // about 4 MB: several blocks
	dir := t.TempDir()
	p := filepath.Join(dir, "big.csv")
	os.WriteFile(p, data, 0o644)
	var prev []Finding
	for _, jobs := range []int{1, 2, 3} {
		res, _ := scanPaths(t, Options{Jobs: jobs, Types: []detect.Type{detect.Email}}, p)
		if len(res.findings) != len(offs) {
			t.Fatalf("jobs=%d: %d findings, want %d", jobs, len(res.findings), len(offs))
		}
		for i, f := range res.findings {
			if f.Start != offs[i] || f.Line != 2*i+3 {
				t.Fatalf("jobs=%d: finding %d at the wrong offset or line", jobs, i)
			}
		}
		if prev != nil {
			for i := range prev {
				if prev[i] != res.findings[i] {
					t.Fatalf("results differ between worker counts")
				}
			}
		}
		prev = res.findings
	}
}

func TestScanLongRecordIsCutWithWarning(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "long.log")
	line := "email=first@example.jp " + strings.Repeat("x", 3<<20) + " email=last@example.jp\nnext line tel=03-1234-5678\n"
	os.WriteFile(p, []byte(line), 0o644)
	res, notices := scanPaths(t, Options{MaxRecord: 1 << 20}, p)
	if len(notices) != 1 || notices[0].Kind != NoticeWarning || !strings.Contains(notices[0].Msg, "longer than 1 MiB") {
		t.Fatalf("want one warning about the long record")
	}
	types := map[detect.Type]int{}
	for _, f := range res.findings {
		types[f.Type]++
	}
	if types[detect.Email] != 2 || types[detect.Phone] != 1 {
		t.Errorf("values around a cut record were lost: %v", types)
	}
}

func TestScanShiftJISAfterLongASCII(t *testing.T) {
	// The first block is plain ASCII; the encoding is decided where Japanese text appears.
	var b bytes.Buffer
	b.WriteString("id,note,name\n")
	for i := 0; b.Len() < 2<<20; i++ {
		fmt.Fprintf(&b, "%d,plain ascii row,x\n", i)
	}
	head := b.Len()
	b.Write(sjisBytes(t, "999,備考,山田 太郎\n"))
	dir := t.TempDir()
	p := filepath.Join(dir, "late.csv")
	os.WriteFile(p, b.Bytes(), 0o644)
	res, _ := scanPaths(t, Options{Types: []detect.Type{detect.PersonName}}, p)
	if len(res.results) != 1 || res.results[0].Encoding != EncShiftJIS {
		t.Fatalf("encoding not decided as Shift_JIS")
	}
	want := sjisBytes(t, "山田 太郎")
	found := false
	for _, f := range res.findings {
		if f.Start > int64(head) && bytes.Equal(b.Bytes()[f.Start:f.End], want) {
			found = true
		}
	}
	if !found {
		t.Errorf("the name in the Shift_JIS tail was not found at its Shift_JIS offsets")
	}
}

func TestScanErrorsAndSkips(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.csv.gz")
	os.WriteFile(bad, []byte("this is not gzip"), 0o644)
	trunc := filepath.Join(dir, "trunc.log.gz")
	full := gz(t, bytes.Repeat([]byte("tel=03-1234-5678 some text\n"), 2000))
	os.WriteFile(trunc, full[:len(full)/2], 0o644)
	bin := filepath.Join(dir, "photo.jpg")
	os.WriteFile(bin, []byte{0xff, 0xd8, 0xff, 0xe0, 0, 0x10, 'J', 'F', 'I', 'F', 0}, 0o644)
	res, notices := scanPaths(t, Options{Redact: true}, bad, trunc, bin, filepath.Join(dir, "nope"))
	if len(res.results) != 4 {
		t.Fatalf("%d results, want 4", len(res.results))
	}
	kinds := []NoticeKind{NoticeError, NoticeError, NoticeSkip, NoticeError}
	for i, n := range notices {
		if i >= len(kinds) || n.Kind != kinds[i] {
			t.Fatalf("notice %d has kind %d", i, n.Kind)
		}
		if strings.Contains(n.Msg, "03-1234-5678") || strings.Contains(n.Msg, dir) {
			t.Errorf("notice %d quotes content or repeats the path", i)
		}
	}
	if _, err := os.Stat(trunc + ".redacted"); err == nil {
		t.Errorf("a redacted copy of a file that failed half-way was left behind")
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "*.tmp*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left behind")
	}
}

// FuzzScanFile runs the whole pipeline on arbitrary content under every kind of name and
// checks the invariants: no panic, findings inside the file, sorted and not overlapping,
// line numbers right, and a redacted copy with the same lines and (plain UTF-8 formats) the
// same number of characters.
func FuzzScanFile(f *testing.F) {
	names := []string{"f.csv", "f.tsv", "f.json", "f.jsonl", "f.sql", "f.log", "f.txt", "f.csv.gz", "f"}
	f.Add([]byte("name,tel\n山田 太郎,090-1234-5678\n\"a\nb\",4111111111111111\n"), uint8(0))
	f.Add([]byte("{\"customer\":{\"name\":\"\\u5c71\\u7530\",\"email\":\"a@b.jp\"}}"), uint8(2))
	f.Add([]byte("INSERT INTO t (email) VALUES ('a@example.jp'),('b\\'c@example.jp');\nCOPY t (tel) FROM stdin;\n0312345678\n\\.\n"), uint8(4))
	f.Add([]byte("1.2.3.4 - - \"GET /?email=a%40example.jp\" card=4111-1111-1111-1111\n"), uint8(5))
	f.Add([]byte("お名前：山田 太郎 様\n〒150-0001 東京都渋谷区神宮前1-2-3\n"), uint8(6))
	f.Add([]byte("email\nx@example.com\n"), uint8(7))
	f.Add([]byte(`{"nAme":"\u7000"}`), uint8(6)) // an escaped name in a text file: as many marks as characters
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		name := names[int(which)%len(names)]
		dir := t.TempDir()
		p := filepath.Join(dir, name)
		content := data
		if strings.HasSuffix(name, ".gz") {
			content = gz(t, data)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
		res, _ := scanPaths(t, Options{Redact: true, Preview: true}, p)
		if len(res.results) != 1 {
			t.Fatalf("want one result")
		}
		r := res.results[0]
		if r.Skipped != "" || r.Err != nil {
			return
		}
		var end int64
		for _, fd := range res.findings {
			if fd.Start < end || fd.End <= fd.Start || fd.End > int64(len(data)) {
				t.Fatalf("finding [%d,%d) out of order or outside the file", fd.Start, fd.End)
			}
			end = fd.End
			if want := bytes.Count(data[:fd.Start], []byte{'\n'}) + 1; fd.Line != want {
				t.Fatalf("finding line %d, want %d", fd.Line, want)
			}
		}
		red := fileBytes(t, p+".redacted")
		if bytes.Count(red, []byte{'\n'}) != bytes.Count(data, []byte{'\n'}) {
			t.Fatalf("redacted copy has a different number of lines")
		}
		if len(res.findings) == 0 && !bytes.Equal(red, data) {
			t.Fatalf("redacted copy differs though nothing was found")
		}
		plain := r.Format == FormatText || r.Format == FormatLog || r.Format == FormatCSV || r.Format == FormatTSV
		if plain && r.Encoding == EncUTF8 && utf8.Valid(data) && utf8.RuneCount(red) != utf8.RuneCount(data) {
			t.Fatalf("redacted copy changed the number of characters")
		}
	})
}

func TestByteBudget(t *testing.T) {
	var b byteBudget
	b.acquire(inflightBytes * 2) // bigger than the whole budget: passes alone
	done := make(chan struct{})
	go func() {
		b.acquire(1) // must wait until the big one is released
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("a second batch passed while the budget was exhausted")
	case <-time.After(50 * time.Millisecond):
	}
	b.release(inflightBytes * 2)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("release did not wake the waiting producer")
	}
	b.release(1)
	if b.used != 0 {
		t.Fatalf("budget not back to zero: %d", b.used)
	}
}

func TestScanWalkSkipsVCSAndRedacted(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, ".git", "objects"), 0o755)
	os.WriteFile(filepath.Join(dir, ".git", "objects", "ab"), []byte{0x78, 0x01, 0, 0}, 0o644)
	os.WriteFile(filepath.Join(dir, "a.log"), []byte("email=x@example.jp\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "a.log.redacted"), []byte("email=y@example.jp\n"), 0o644)
	res, notices := scanPaths(t, Options{}, dir)
	if len(notices) != 0 || len(res.results) != 1 || res.results[0].Path != filepath.Join(dir, "a.log") {
		t.Fatalf("walk did not skip .git and .redacted files (%d results, %d notices)", len(res.results), len(notices))
	}
	// Named explicitly, the folder is scanned.
	_, notices = scanPaths(t, Options{}, filepath.Join(dir, ".git"))
	if len(notices) != 1 || notices[0].Kind != NoticeSkip {
		t.Fatalf("a .git folder named as PATH was not walked")
	}
}
