package scan

import (
	"bytes"
	"encoding/csv"
	"io"
	"strings"
	"testing"
)

func TestCSVRecordEnd(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"simple", "a,b\nc", 4},
		{"crlf", "a,b\r\nc", 5},
		{"quoted newline", "\"a\nb\",c\nd", 8},
		{"doubled quote", "\"a\"\"b\",c\n", 9},
		{"quote at end of buffer undecided", "\"a\"", -1},
		{"unterminated quote", "\"a,b\nc,d\n", -1},
		{"literal quote mid-field", "5\"6,x\ny", 6},
		{"quote after delimiter opens field", "x,\"a\nb\"\nz", 8},
		{"no newline", "a,b", -1},
	}
	for _, c := range cases {
		if got := csvRecordEnd([]byte(c.in), 0, ','); got != c.want {
			t.Errorf("%s: got %d, want %d", c.name, got, c.want)
		}
	}
}

func TestAppendCSVFields(t *testing.T) {
	type f struct {
		text string
		col  int32
		esc  escKind
	}
	cases := []struct {
		name  string
		in    string
		delim byte
		want  []f
	}{
		{"plain", "a,b,c\n", ',', []f{{"a", 0, 0}, {"b", 1, 0}, {"c", 2, 0}}},
		{"crlf trimmed", "a,b\r\nc\r\n", ',', []f{{"a", 0, 0}, {"b", 1, 0}, {"c", 0, 0}}},
		{"quoted span excludes quotes", "\"x, y\",z\n", ',', []f{{"x, y", 0, 0}, {"z", 1, 0}}},
		{"doubled quote marks escape", "\"a\"\"b\"\n", ',', []f{{"a\"\"b", 0, escCSV}}},
		{"empty fields keep column numbers", ",,c\n", ',', []f{{"c", 2, 0}}},
		{"quoted newline", "\"l1\nl2\",x\n", ',', []f{{"l1\nl2", 0, 0}, {"x", 1, 0}}},
		{"tsv", "a\tb c\n", '\t', []f{{"a", 0, 0}, {"b c", 1, 0}}},
		{"unterminated quote runs to end", "\"abc", ',', []f{{"abc", 0, 0}}},
		{"junk after closing quote skipped", "\"a\"zz,b\n", ',', []f{{"a", 0, 0}, {"b", 1, 0}}},
	}
	for _, c := range cases {
		vals := appendCSVFields(nil, []byte(c.in), 0, c.delim)
		var got []f
		for _, v := range vals {
			got = append(got, f{c.in[v.start:v.end], v.col, v.esc})
		}
		if len(got) != len(c.want) {
			t.Errorf("%s: %d fields, want %d", c.name, len(got), len(c.want))
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: field %d = %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}
}

func TestCSVHeader(t *testing.T) {
	cases := []struct {
		name string
		in   string
		sjis bool
		want []string
	}{
		{"header with BOM", "\ufeffname,email\n", false, []string{"name", "email"}},
		{"quoted header", "\"氏名\",\"電話番号\"\n", false, []string{"氏名", "電話番号"}},
		{"data row is not a header", "山田,taro@example.jp\n", false, nil},
		{"digits row is not a header", "12345678,x\n", false, nil},
		{"shift_jis header", "", true, []string{"姓", "名"}},
	}
	for _, c := range cases {
		in := []byte(c.in)
		if c.sjis {
			in = sjisBytes(t, "姓,名\r\n")
		}
		got := csvHeader(in, len(in), ',', c.sjis)
		if strings.Join(got, "|") != strings.Join(c.want, "|") || (got == nil) != (c.want == nil) {
			t.Errorf("%s: header %q, want %q", c.name, got, c.want)
		}
	}
}

// FuzzCSV checks the record splitter and the field parser: offsets in bounds, in order, not
// overlapping; records tile the input; and, on input encoding/csv accepts, the same fields.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("name,email\n\"山田, 太郎\",taro@example.jp\n\"a\"\"b\",\"multi\nline\"\n"), false)
	f.Add([]byte("a\tb\n\"c\td\"\te\n"), true)
	f.Add([]byte("5\"6,\"x\ny\"z,w\r\n"), false)
	f.Fuzz(func(t *testing.T, data []byte, tab bool) {
		delim := byte(',')
		if tab {
			delim = '\t'
		}
		pos := 0
		for {
			e := csvRecordEnd(data, pos, delim)
			if e < 0 {
				break
			}
			if e <= pos || e > len(data) || data[e-1] != '\n' {
				t.Fatalf("record end %d after %d is not just past a newline", e, pos)
			}
			pos = e
		}
		vals := appendCSVFields(nil, data, 0, delim)
		prev := 0
		for _, v := range vals {
			if int(v.start) < prev || v.end <= v.start || int(v.end) > len(data) {
				t.Fatalf("field [%d,%d) out of order or bounds", v.start, v.end)
			}
			prev = int(v.end)
		}
		// Fields of complete records do not depend on what follows them: the producer cuts
		// batches at record ends.
		if pos > 0 {
			head := appendCSVFields(nil, data[:pos], 0, delim)
			tail := appendCSVFields(nil, data[pos:], 0, delim)
			if len(head)+len(tail) != len(vals) {
				t.Fatalf("cutting at a record end changed the fields")
			}
			for i, v := range head {
				if v != vals[i] {
					t.Fatalf("cutting at a record end changed field %d", i)
				}
			}
		}
		if bytes.IndexByte(data, '\r') >= 0 || len(data) == 0 || data[len(data)-1] != '\n' {
			return
		}
		r := csv.NewReader(bytes.NewReader(data))
		r.Comma = rune(delim)
		r.FieldsPerRecord = -1
		var want []string
		for {
			rec, err := r.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // encoding/csv refuses it; the lenient parser need not agree
			}
			for _, s := range rec {
				if s != "" {
					want = append(want, s)
				}
			}
		}
		var got []string
		for _, v := range vals {
			s := string(data[v.start:v.end])
			if v.esc == escCSV {
				s = strings.ReplaceAll(s, `""`, `"`)
			}
			got = append(got, s)
		}
		if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
			t.Fatalf("fields differ from encoding/csv")
		}
	})
}

func TestFieldEnd(t *testing.T) {
	naive := func(buf []byte, i int, delim byte) int {
		for i < len(buf) && buf[i] != delim && buf[i] != '\n' {
			i++
		}
		return i
	}
	cases := []struct {
		name  string
		buf   string
		delim byte
	}{
		{"empty", "", ','},
		{"no delimiter", "abcdefghijklmnopqrstuvwxyz", ','},
		{"delimiter in the first word", "ab,cdefghijk", ','},
		{"delimiter in a later word", "abcdefghij,k", ','},
		{"newline before delimiter", "abcdefghi\nj,k", ','},
		{"tab", "山田\t太郎\tyamada@example.jp\n", '\t'},
		{"bytes just above and below", "+-./\x0b\x09\x0d,\x0a", ','},
		{"high bytes", "\xff\xfe\x80\x81\x2c\x8a\x0a\xac\x2c", ','},
		{"CRLF", "0312345678\r\n", ','},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for i := 0; i <= len(c.buf); i++ {
				if got, want := fieldEnd([]byte(c.buf), i, c.delim), naive([]byte(c.buf), i, c.delim); got != want {
					t.Errorf("fieldEnd from %d = %d, want %d", i, got, want)
				}
			}
		})
	}
}
