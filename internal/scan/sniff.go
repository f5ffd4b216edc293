package scan

import (
	"bytes"
	"path/filepath"
	"strings"
	"unicode/utf8"
)

// Format is how a file's content is structured.
type Format string

// The formats the scanner understands.
const (
	FormatCSV   Format = "csv"
	FormatTSV   Format = "tsv"
	FormatJSON  Format = "json"
	FormatJSONL Format = "jsonl"
	FormatSQL   Format = "sql"
	FormatLog   Format = "log"
	FormatText  Format = "text"
)

// Encoding is a file's character encoding.
type Encoding string

// The encodings the scanner reads.
const (
	EncUTF8     Encoding = "utf-8"
	EncShiftJIS Encoding = "shift_jis"
	// encASCII is what a sample of plain ASCII says: UTF-8 and Shift_JIS both fit, and the
	// first byte above 0x7F later in the file decides.
	encASCII Encoding = "ascii"
)

// sniffSize is how much of a file's start decides its encoding and format.
const sniffSize = 64 << 10

// sniffEncoding decides the encoding of head, or returns a reason to skip the file as binary.
func sniffEncoding(head []byte) (Encoding, string) {
	if bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}) {
		return EncUTF8, ""
	}
	if bytes.HasPrefix(head, []byte{0xFF, 0xFE}) || bytes.HasPrefix(head, []byte{0xFE, 0xFF}) {
		// Excel's "Unicode text" export. Not read: offsets would have to be UTF-16 units.
		return "", "UTF-16 text is not read (save it as UTF-8 or Shift_JIS)"
	}
	if bytes.IndexByte(head, 0) >= 0 {
		return "", "binary file"
	}
	ctl, high := 0, 0
	for _, c := range head {
		switch {
		case c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != 0x1b:
			ctl++
		case c >= 0x80:
			high++
		}
	}
	if ctl*20 > len(head) {
		return "", "binary file"
	}
	if high == 0 {
		return encASCII, ""
	}
	return decideEncoding(head)
}

// decideEncoding tells UTF-8 from Shift_JIS on a sample that has bytes above 0x7F. Valid
// UTF-8 with multibyte characters is almost never valid Shift_JIS text of the same meaning, so
// UTF-8 wins when it is valid; a sample cut in the middle of a character is allowed.
func decideEncoding(p []byte) (Encoding, string) {
	// Valid UTF-8 (most files) is told by the library's word-at-a-time check; only a head
	// with a bad or cut rune is decoded rune by rune to count the bad bytes.
	if utf8.Valid(p) {
		return EncUTF8, ""
	}
	bad8 := 0
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && n == 1 {
			if len(p)-i < utf8.UTFMax && !utf8.FullRune(p[i:]) {
				break
			}
			bad8++
		}
		i += n
	}
	if bad8 == 0 {
		return EncUTF8, ""
	}
	good, bad, _ := validSJIS(p)
	if bad*100 <= good && bad < bad8 {
		return EncShiftJIS, ""
	}
	if bad8*100 <= len(p) {
		return EncUTF8, "" // a few stray bytes in a UTF-8 file
	}
	return "", "binary file (neither UTF-8 nor Shift_JIS text)"
}

// sniffFormat decides the format from the name (without .gz) and the start of the content.
func sniffFormat(name string, head []byte) (Format, byte) {
	base := strings.ToLower(filepath.Base(name))
	switch filepath.Ext(base) {
	case ".csv":
		return FormatCSV, ','
	case ".tsv", ".tab":
		return FormatTSV, '\t'
	case ".jsonl", ".ndjson":
		return FormatJSONL, 0
	case ".json":
		if looksJSONL(head) {
			return FormatJSONL, 0
		}
		return FormatJSON, 0
	case ".sql", ".dump":
		return FormatSQL, 0
	case ".log":
		return FormatLog, 0
	case ".txt", ".text", ".md", ".eml":
		return FormatText, 0
	}
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	trimmed := bytes.TrimLeft(head, " \t\r\n")
	switch {
	case looksJSONL(trimmed):
		return FormatJSONL, 0
	case len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '['):
		return FormatJSON, 0
	case looksSQL(head):
		return FormatSQL, 0
	}
	if d := csvDelimiter(head); d != 0 {
		if d == '\t' {
			return FormatTSV, d
		}
		return FormatCSV, d
	}
	if strings.Contains(base, ".log") || strings.Contains(base, "access") {
		return FormatLog, 0
	}
	return FormatText, 0
}

// looksJSONL: the first two non-empty lines are each one JSON object.
func looksJSONL(head []byte) bool {
	n := 0
	lines := bytes.SplitN(head, []byte{'\n'}, 4)
	if len(lines) < 2 {
		return false
	}
	for _, line := range lines[:min(3, len(lines))] {
		line = bytes.TrimSpace(bytes.TrimPrefix(line, []byte{0xEF, 0xBB, 0xBF}))
		if len(line) == 0 {
			continue
		}
		if line[0] != '{' || line[len(line)-1] != '}' {
			return false
		}
		n++
		if n == 2 {
			return true
		}
	}
	return false
}

func looksSQL(head []byte) bool {
	for _, m := range []string{"-- MySQL dump", "-- PostgreSQL database dump", "INSERT INTO ", "CREATE TABLE ", "COPY "} {
		i := bytes.Index(head, []byte(m))
		if i == 0 || i > 0 && head[i-1] == '\n' {
			return true
		}
	}
	return false
}

// csvDelimiter returns ',' or '\t' when the first lines of head have the same non-zero number
// of that delimiter, or 0.
func csvDelimiter(head []byte) byte {
	lines := bytes.Split(head, []byte{'\n'})
	if len(lines) > 1 && len(head) == sniffSize {
		lines = lines[:len(lines)-1] // the last line is cut
	}
	if len(lines) > 6 {
		lines = lines[:6]
	}
	for _, d := range []byte{'\t', ','} {
		want, ok, n := -1, true, 0
		for _, l := range lines {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			c := bytes.Count(l, []byte{d})
			if want < 0 {
				want = c
			}
			if c != want || c == 0 {
				ok = false
				break
			}
			n++
		}
		if ok && n >= 2 {
			return d
		}
	}
	return 0
}

// isMySQL says whether a dump uses MySQL's string syntax (backslash escapes, backquoted names).
func isMySQL(head []byte) bool {
	return bytes.Contains(head, []byte("-- MySQL dump")) || bytes.Contains(head, []byte("ENGINE=")) ||
		bytes.Contains(head, []byte("/*!")) || bytes.IndexByte(head, '`') >= 0 ||
		bytes.Contains(head, []byte("-- MariaDB dump"))
}
