package scan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CSV and TSV follow RFC 4180 as spreadsheets write it: a field that starts with a quote runs
// to the next quote not doubled, newlines included; a quote anywhere else is an ordinary
// character. The delimiter, the quote and the newline are below 0x40, so they never appear as
// the second byte of a Shift_JIS character and the raw bytes can be split without decoding.

// csvRecordEnd returns the index just past the newline that ends the record starting at
// buf[start], or -1 if that record is not complete within buf.
func csvRecordEnd(buf []byte, start int, delim byte) int {
	i := start
	// end is the first newline at or after i (len(buf): none). A quoted field that closes
	// before it leaves it the first one after the field too, so it is searched for again
	// only when a quoted field ran past it.
	end := -1
	for {
		if end < i {
			end = len(buf)
			if nl := bytes.IndexByte(buf[i:], '\n'); nl >= 0 {
				end = i + nl
			}
		}
		q := bytes.IndexByte(buf[i:end], '"')
		if q < 0 {
			if end == len(buf) {
				return -1
			}
			return end + 1
		}
		q += i
		if q != start && buf[q-1] != delim {
			i = q + 1 // a quote inside an unquoted field is literal
			continue
		}
		j := q + 1
		for {
			k := bytes.IndexByte(buf[j:], '"')
			if k < 0 {
				return -1
			}
			j += k + 1
			if j < len(buf) && buf[j] == '"' {
				j++
				continue
			}
			if j == len(buf) {
				return -1 // the next byte decides whether this quote was doubled
			}
			break
		}
		i = j
	}
}

// appendCSVFields appends one value per non-empty field of the records in buf[start:]: the
// span is the field's content without its quotes and without the CR of a CRLF, col is the
// field's index in its record. An unterminated quoted field runs to the end of buf.
func appendCSVFields(vals []value, buf []byte, start int, delim byte) []value {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	d, nl := ones*uint64(delim), ones*uint64('\n')
	col := int32(0)
	i := start
	for i < len(buf) {
		if buf[i] == '"' {
			vals, i = appendQuotedField(vals, buf, i, col, delim)
		} else {
			// fieldEnd, written out: as a call it had this loop's variables stored and read
			// back around it for each field.
			j := i
			for ; j <= len(buf)-8; j += 8 {
				x := binary.LittleEndian.Uint64(buf[j : j+8])
				a, b := x^d, x^nl
				if m := (a-ones)&^a&highs | (b-ones)&^b&highs; m != 0 {
					j += bits.TrailingZeros64(m) / 8
					goto found
				}
			}
			for j < len(buf) && buf[j] != delim && buf[j] != '\n' {
				j++
			}
		found:
			e := j
			if e > i && buf[e-1] == '\r' && (e == len(buf) || buf[e] == '\n') {
				e--
			}
			if e > i {
				vals = append(vals, value{start: int32(i), end: int32(e), col: col})
			}
			i = j
		}
		if i >= len(buf) {
			break
		}
		if buf[i] == delim {
			col++
		} else {
			col = 0
		}
		i++
	}
	return vals
}

// appendQuotedField appends the quoted field that starts at buf[i] and returns the index of
// the delimiter or newline after it (len(buf): none). A function of its own: in
// appendCSVFields its calls of IndexByte had that loop's variables stored and read back
// at every field, quoted or not.
func appendQuotedField(vals []value, buf []byte, i int, col int32, delim byte) ([]value, int) {
	j, esc := i+1, escNone
	for {
		k := bytes.IndexByte(buf[j:], '"')
		if k < 0 {
			j = len(buf)
			break
		}
		j += k
		if j+1 < len(buf) && buf[j+1] == '"' {
			esc = escCSV
			j += 2
			continue
		}
		break
	}
	if j > i+1 {
		vals = append(vals, value{start: int32(i + 1), end: int32(j), col: col, esc: esc})
	}
	// Anything between the closing quote and the delimiter is malformed; skip it.
	i = j + 1
	for i < len(buf) && buf[i] != delim && buf[i] != '\n' {
		i++
	}
	return vals, i
}

// fieldEnd returns the index of the first delim or newline in buf[i:], or len(buf)
// (appendCSVFields has it written out; the tests check this form). It looks at eight
// bytes at a time: the unquoted fields of a customer CSV are ten to thirty
// bytes, and this loop was a tenth of the CSV reader's time byte by byte.
func fieldEnd(buf []byte, i int, delim byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	d, nl := ones*uint64(delim), ones*uint64('\n')
	// (The loop's bounds are written so that the compiler can tell buf[i:i+8] is within buf:
	// with i+8 <= len(buf) and buf[i:] it checked both and built the slice at each step.)
	for ; i >= 0 && i <= len(buf)-8; i += 8 {
		x := binary.LittleEndian.Uint64(buf[i : i+8])
		// A zero byte in x^d or x^nl is a match. The lowest set high bit of each test marks
		// its first match exactly (a borrow can only mark bytes above one), so the lowest
		// of the two is the first delimiter or newline.
		a, b := x^d, x^nl
		if m := (a-ones)&^a&highs | (b-ones)&^b&highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(buf) && buf[i] != delim && buf[i] != '\n' {
		i++
	}
	return i
}

// csvHeader parses the header record buf[:end] into column names, or returns nil when the
// first record looks like data (an @, or a field that is mostly a long run of digits), in
// which case the file has no header and its first record is scanned like the others.
func csvHeader(buf []byte, end int, delim byte, sjis bool) []string {
	vals := appendCSVFields(nil, buf[:end], 0, delim)
	ncols := 0
	for _, v := range vals {
		ncols = max(ncols, int(v.col)+1)
	}
	names := make([]string, ncols)
	var text []byte
	for _, v := range vals {
		raw := buf[v.start:v.end]
		text, _ = decodeValue(text[:0], nil, raw, v.esc, sjis)
		s := strings.TrimSpace(strings.TrimPrefix(string(text), "\ufeff"))
		if looksLikeData(s) {
			return nil
		}
		names[v.col] = s
	}
	return names
}

func looksLikeData(s string) bool {
	if strings.ContainsAny(s, "@＠") {
		return true
	}
	digits, n := 0, 0
	for _, r := range s {
		n++
		if unicode.IsDigit(r) {
			digits++
		}
	}
	return digits >= 5 && digits*2 >= n || utf8.RuneCountInString(s) > 64
}
