package scan

import (
	"bytes"
	"encoding/binary"
	"unicode"
	"unicode/utf8"
)

// escKind says how a value is escaped in the file, so that the detector sees the text the
// file means while offsets are still reported in the file's own bytes.
type escKind uint8

const (
	escNone     escKind = iota
	escJSON             // JSON string: \" \\ \/ \b \f \n \r \t \uXXXX (surrogate pairs too)
	escCSV              // quoted CSV field: "" is one "
	escSQL              // standard SQL string (PostgreSQL): '' is one '
	escSQLSlash         // MySQL string: backslash escapes and ''
	escCOPY             // PostgreSQL COPY text format: \t \n \\ \NNN \xHH …
	escNumber           // a bare JSON or SQL number: no escapes, but redacted with 0s to stay a number
)

// unit decodes the character or escape sequence at the start of p (len(p) > 0). It returns
// the rune it stands for and how many bytes of p it takes, always at least 1, so loops over
// units advance and stay inside p. Invalid bytes decode as utf8.RuneError of size 1.
func unit(p []byte, esc escKind, sjis bool) (rune, int) {
	b := p[0]
	switch {
	case b == '\\' && len(p) > 1 && (esc == escJSON || esc == escSQLSlash || esc == escCOPY):
		return backslashUnit(p, esc)
	case b == '"' && esc == escCSV && len(p) > 1 && p[1] == '"':
		return '"', 2
	case b == '\'' && (esc == escSQL || esc == escSQLSlash) && len(p) > 1 && p[1] == '\'':
		return '\'', 2
	case b < utf8.RuneSelf:
		return rune(b), 1
	case sjis:
		return sjisRune(p)
	}
	return utf8.DecodeRune(p)
}

func backslashUnit(p []byte, esc escKind) (rune, int) {
	c := p[1]
	switch c {
	case 'n':
		return '\n', 2
	case 't':
		return '\t', 2
	case 'r':
		return '\r', 2
	case 'b':
		return '\b', 2
	case 'f':
		return '\f', 2
	}
	switch esc {
	case escJSON:
		if c == 'u' {
			r, ok := hex4(p[2:])
			if !ok {
				return '\\', 1
			}
			if r >= 0xD800 && r < 0xDC00 && len(p) >= 12 && p[6] == '\\' && p[7] == 'u' {
				if lo, ok := hex4(p[8:]); ok && lo >= 0xDC00 && lo < 0xE000 {
					return (r-0xD800)<<10 + (lo - 0xDC00) + 0x10000, 12
				}
			}
			if r >= 0xD800 && r < 0xE000 {
				return utf8.RuneError, 6
			}
			return r, 6
		}
	case escSQLSlash:
		switch c {
		case '0':
			return 0, 2
		case 'Z':
			return 0x1A, 2
		}
	case escCOPY:
		switch {
		case c == 'v':
			return '\v', 2
		case c >= '0' && c <= '7':
			r, n := rune(0), 1
			for n < 4 && n < len(p) && p[n] >= '0' && p[n] <= '7' {
				r = r*8 + rune(p[n]-'0')
				n++
			}
			return r, n
		case c == 'x' && len(p) > 2 && hexVal(p[2]) >= 0:
			r, n := rune(hexVal(p[2])), 3
			if len(p) > 3 && hexVal(p[3]) >= 0 {
				r, n = r*16+rune(hexVal(p[3])), 4
			}
			return r, n
		}
	}
	if c < utf8.RuneSelf {
		// \\ \" \' \/ and any other escaped ASCII character stand for themselves.
		return rune(c), 2
	}
	return '\\', 1
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func hex4(p []byte) (rune, bool) {
	if len(p) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range p[:4] {
		v := hexVal(c)
		if v < 0 {
			return 0, false
		}
		r = r*16 + rune(v)
	}
	return r, true
}

// needsDecode reports whether raw must be decoded before the detector sees it; most values
// are plain UTF-8 and go to the detector as they are, with no offset map.
func needsDecode(raw []byte, esc escKind, sjis bool) bool {
	if sjis {
		// Eight bytes at a time: any byte from 0x80 up sets its word's high bits.
		i := 0
		for ; i <= len(raw)-8; i += 8 {
			if binary.LittleEndian.Uint64(raw[i:i+8])&0x80808080_80808080 != 0 {
				return true
			}
		}
		for ; i < len(raw); i++ {
			if raw[i] >= utf8.RuneSelf {
				return true
			}
		}
	}
	switch esc {
	case escJSON, escSQLSlash, escCOPY:
		if bytes.IndexByte(raw, '\\') >= 0 {
			return true
		}
	case escCSV:
		if bytes.IndexByte(raw, '"') >= 0 {
			return true
		}
	}
	if esc == escSQL || esc == escSQLSlash {
		return bytes.IndexByte(raw, '\'') >= 0
	}
	return false
}

// decodeValue appends the UTF-8 text raw stands for to text and, for every byte appended, the
// offset in raw of the unit it came from to m; m ends with len(raw), so a finding [s,e) in
// text covers raw[m[s]:m[e]].
func decodeValue(text []byte, m []int32, raw []byte, esc escKind, sjis bool) ([]byte, []int32) {
	if sjis {
		loadSJIS()
	}
	// A Shift_JIS character of two bytes becomes three bytes of UTF-8: grow once.
	if need := len(text) + len(raw)*3/2 + 4; cap(text) < need {
		text = append(make([]byte, 0, need), text...)
	}
	if need := len(m) + len(raw)*3/2 + 5; cap(m) < need {
		m = append(make([]int32, 0, need), m...)
	}
	for i := 0; i < len(raw); {
		c := raw[i]
		if c < utf8.RuneSelf && c != '\\' && c != '"' && c != '\'' {
			// Plain ASCII stands for itself whatever the escaping.
			text = append(text, c)
			m = append(m, int32(i))
			i++
			continue
		}
		// (sjisLeadBase and sjisTrailOK: isSJISLead, sjisLeadIndex and isSJISTrail as two
		// loads, where their range tests branched on the lead byte's range for each
		// character.)
		if lb := sjisLeadBase[c]; sjis && i+1 < len(raw) && lb != 0 && sjisTrailOK[raw[i+1]] {
			// A two-byte character, most of a Shift_JIS file's non-ASCII: its UTF-8 comes
			// ready from the table.
			if u := sjisUTF8[int(lb)-1+int(raw[i+1])-0x40]; u != 0 {
				o := int32(i)
				if u>>24 == 3 {
					text = append(text, byte(u), byte(u>>8), byte(u>>16))
					m = append(m, o, o, o)
				} else {
					text = append(text, byte(u), byte(u>>8))
					m = append(m, o, o)
				}
				i += 2
				continue
			}
		}
		r, n := unit(raw[i:], esc, sjis)
		k := len(text)
		text = utf8.AppendRune(text, r)
		for ; k < len(text); k++ {
			m = append(m, int32(i))
		}
		i += n
	}
	m = append(m, int32(len(raw)))
	return text, m
}

// appendRedacted appends raw with every digit replaced by '*' (by '0' in a bare number) and
// every letter (Latin, kana, kanji) by '●' in the file's encoding; separators, punctuation and escape sequences that do
// not stand for a letter or digit are kept, so the copy keeps its shape and stays valid CSV,
// JSON or SQL. Each character becomes one character: an escape sequence that stands for a
// letter or digit becomes as many marks as it has characters (`\u5c71`, six), so that the
// copy keeps the original's length in characters and no escape is left half-masked.
func appendRedacted(dst, raw []byte, esc escKind, sjis bool) []byte {
	if sjis {
		loadSJIS()
	}
	for i := 0; i < len(raw); {
		r, n := unit(raw[i:], esc, sjis)
		// chars is how many characters the unit is in the file: an escape's are ASCII.
		chars := 1
		if n > 1 && raw[i] < utf8.RuneSelf {
			chars = n
		}
		switch {
		case r == utf8.RuneError && n == 1 && raw[i] >= utf8.RuneSelf:
			// An invalid byte: kept, a Shift_JIS lead byte would pair with the next mark and
			// change the characters after it.
			dst = append(dst, '?')
		case esc == escNumber && r >= '0' && r <= '9':
			dst = append(dst, '0') // '*' would make the JSON or SQL unreadable
		case r != utf8.RuneError && unicode.IsDigit(r):
			for range chars {
				dst = append(dst, '*')
			}
		case r != utf8.RuneError && unicode.IsLetter(r):
			for range chars {
				if sjis {
					dst = append(dst, sjisBullet...)
				} else {
					dst = append(dst, "●"...)
				}
			}
		default:
			dst = append(dst, raw[i:i+n]...)
		}
		i += n
	}
	return dst
}

// maskPreview returns a masked preview of a detected value for text output: a card number
// keeps its first and last four digits (the most PCI DSS 3.4 allows to display is first six,
// last four), anything else shows only its shape. The value itself never leaves this function.
func maskPreview(text []byte, card bool) string {
	if card {
		var digits []byte
		for _, r := range string(text) {
			if unicode.IsDigit(r) {
				if r > '9' {
					r = '0' + (r - '０')
				}
				digits = append(digits, byte(r))
			}
		}
		if len(digits) >= 13 {
			var b []byte
			for i, d := range digits {
				if i > 0 && i%4 == 0 {
					b = append(b, ' ')
				}
				if i < 4 || i >= len(digits)-4 {
					b = append(b, d)
				} else {
					b = append(b, '*')
				}
			}
			return string(b)
		}
	}
	const maxRunes = 24
	out := appendRedacted(nil, text, escNone, false)
	if utf8.RuneCount(out) > maxRunes {
		n := 0
		for i := range string(out) {
			if n == maxRunes {
				return string(out[:i]) + "…"
			}
			n++
		}
	}
	return string(out)
}
