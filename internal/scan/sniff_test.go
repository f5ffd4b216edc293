package scan

import (
	"strings"
	"testing"
)

func TestSniffEncoding(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		enc  Encoding
		skip bool
	}{
		{"ascii undecided", []byte("a,b\n1,2\n"), encASCII, false},
		{"utf-8", []byte("氏名,電話\n山田,03\n"), EncUTF8, false},
		{"utf-8 bom", []byte("\ufeffname\n"), EncUTF8, false},
		{"utf-8 cut mid-character at the end", []byte("山田")[:5], EncUTF8, false},
		{"shift_jis", sjisBytes(t, "氏名,電話番号\r\n山田 太郎,03-1234-5678\r\n"), EncShiftJIS, false},
		{"shift_jis half-width kana", sjisBytes(t, "ﾔﾏﾀﾞ ﾀﾛｳ,表示\r\n"), EncShiftJIS, false},
		{"utf-16 is said so", []byte{0xFF, 0xFE, 'a', 0, 'b', 0}, "", true},
		{"nul bytes are binary", []byte("PK\x03\x04\x00\x00"), "", true},
		{"control bytes are binary", []byte{1, 2, 3, 4, 5, 6, 7, 8, 'a'}, "", true},
		{"random high bytes are binary", []byte{0xff, 0xfe, 0xfd, 0xa0, 0xff, 0x80, 0xfd, 0xfe}, "", true},
	}
	for _, c := range cases {
		enc, why := sniffEncoding(c.in)
		if enc != c.enc || (why != "") != c.skip {
			t.Errorf("%s: got %q/%q, want %q skip=%v", c.name, enc, why, c.enc, c.skip)
		}
	}
}

func TestSniffFormat(t *testing.T) {
	cases := []struct {
		name, file, head string
		want             Format
		delim            byte
	}{
		{"csv by extension", "a.csv", "x", FormatCSV, ','},
		{"tsv by extension", "a.TSV", "x", FormatTSV, '\t'},
		{"json", "a.json", "[\n {\"a\":1}\n]", FormatJSON, 0},
		{"json that is json lines", "a.json", "{\"a\":1}\n{\"a\":2}\n", FormatJSONL, 0},
		{"ndjson", "a.ndjson", "{}", FormatJSONL, 0},
		{"sql", "dump.sql", "--", FormatSQL, 0},
		{"log", "access.log", "x", FormatLog, 0},
		{"rotated log by content", "access.log.1", "1.2.3.4 - - [x] \"GET /\"\n", FormatLog, 0},
		{"csv by content", "export", "a,b,c\n1,2,3\n4,5,6\n", FormatCSV, ','},
		{"tsv by content", "export", "a\tb\n1\t2\n", FormatTSV, '\t'},
		{"mysql dump by content", "backup", "-- MySQL dump 10.13\n", FormatSQL, 0},
		{"pg dump by content", "backup", "--\n-- PostgreSQL database dump\n", FormatSQL, 0},
		{"json lines by content", "events", "{\"a\":1}\n{\"b\":2}\n", FormatJSONL, 0},
		{"json by content", "data", "  [{\"a\":1}]", FormatJSON, 0},
		{"text", "notes", "こんにちは。\n今日は、晴れ。\n", FormatText, 0},
	}
	for _, c := range cases {
		f, d := sniffFormat(c.file, []byte(c.head))
		if f != c.want || d != c.delim {
			t.Errorf("%s: got %s/%q, want %s/%q", c.name, f, d, c.want, c.delim)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add("x.csv", []byte("a,b\n"))
	f.Add("y", sjisBytes(f, "山田,表\r\n"))
	f.Add("z.json", []byte("{\"a\":1}\n{"))
	f.Fuzz(func(t *testing.T, name string, head []byte) {
		enc, why := sniffEncoding(head)
		if why == "" && enc == "" {
			t.Fatalf("no encoding and no reason")
		}
		fm, d := sniffFormat(name, head)
		if fm == "" || (d != 0) != (fm == FormatCSV || fm == FormatTSV) || strings.ContainsRune(string(fm), 0) {
			t.Fatalf("bad format decision")
		}
	})
}

func TestIndexHigh(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want int
	}{
		{"empty", nil, -1},
		{"ascii", []byte("plain ascii text, longer than eight bytes"), -1},
		{"high in the first word", []byte("ab\x80cdefghij"), 2},
		{"high in the tail", []byte("abcdefgh\xe3"), 8},
		{"high after many words", append([]byte("0123456789abcdef01234567"), 0xff), 24},
	}
	for _, c := range cases {
		if got := indexHigh(c.in); got != c.want {
			t.Errorf("%s: %d, want %d", c.name, got, c.want)
		}
	}
}
