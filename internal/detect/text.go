package detect

import "unicode/utf8"

// Byte-level helpers shared by the detectors. They read UTF-8 without
// decoding whole runes where a byte comparison is enough: every trigger the
// engine looks for is either ASCII or a three-byte sequence.

// Full-width forms (U+FF01..U+FF5E) are EF BC xx / EF BD xx in UTF-8.
const (
	fwLead = 0xEF
	fwMid  = 0xBC
	// fwDigit0 is the last byte of ０ (U+FF10).
	fwDigit0 = 0x90
)

// digitAt returns the value of the digit at s[i] (ASCII 0-9 or full-width
// ０-９) and its width in bytes, or width 0 when s[i] starts no digit.
func digitAt(s string, i int) (v byte, w int) {
	if i >= len(s) {
		return 0, 0
	}
	c := s[i]
	if c-'0' < 10 {
		return c - '0', 1
	}
	if c == fwLead && i+2 < len(s) && s[i+1] == fwMid && s[i+2]-fwDigit0 < 10 {
		return s[i+2] - fwDigit0, 3
	}
	return 0, 0
}

// isDigitAt reports whether a digit starts at s[i].
func isDigitAt(s string, i int) bool {
	_, w := digitAt(s, i)
	return w > 0
}

// digitBefore reports whether the rune ending just before i is a digit.
func digitBefore(s string, i int) bool {
	if i <= 0 {
		return false
	}
	if c := s[i-1]; c-'0' < 10 {
		return true
	}
	return i >= 3 && s[i-3] == fwLead && s[i-2] == fwMid && s[i-1]-fwDigit0 < 10
}

// sepKind classifies a separator between digit groups.
type sepKind uint8

const (
	sepNone   sepKind = iota
	sepSpace          // ' ' or U+3000
	sepHyphen         // any of the dashes Japanese text uses between digits
)

// sepAt returns the kind, an identity (the rune) and the width of a digit
// group separator at s[i]. Japanese text separates digits with ASCII '-',
// full-width '－', the katakana prolonged sound mark 'ー' (the IME's default
// for '-' in kana mode), '‐' '‑' '‒' '–' '—' '―' '−' and half-width 'ｰ'.
func sepAt(s string, i int) (k sepKind, r rune, w int) {
	if i >= len(s) {
		return sepNone, 0, 0
	}
	switch c := s[i]; c {
	case ' ':
		return sepSpace, ' ', 1
	case '-':
		return sepHyphen, '-', 1
	case 0xE2, 0xE3, 0xEF:
		if i+2 >= len(s) {
			return sepNone, 0, 0
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\u3000':
			return sepSpace, r, w
		case 'ー', '－', '‐', '‑', '‒', '–', '—', '―', '−', 'ｰ':
			return sepHyphen, r, w
		}
	}
	return sepNone, 0, 0
}

// runeBefore decodes the rune ending just before i (RuneError, 0 at the
// start).
func runeBefore(s string, i int) (rune, int) {
	// (Unsigned: i <= 0 is i-1 < 0, and the compiler then knows s[i-1], and s[i-3] and
	// s[i-2] for i >= 3, are within s.)
	if uint(i-1) >= uint(len(s)) {
		return utf8.RuneError, 0
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	if i >= 3 {
		if r, ok := decode3(s[i-3], s[i-2], s[i-1]); ok {
			return r, 3
		}
	}
	return utf8.DecodeLastRuneInString(s[:i])
}

// decode3 decodes a three-byte UTF-8 sequence (U+0800..U+FFFF, where all
// Japanese text lives) without the general decoder; ok is false for
// anything else, which the caller hands to package utf8.
func decode3(c0, c1, c2 byte) (rune, bool) {
	if c0&0xF0 != 0xE0 || c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
		return 0, false
	}
	// Overlong forms (E0 80..9F) and surrogates (ED A0..BF) are invalid.
	if c0 == 0xE0 && c1 < 0xA0 || c0 == 0xED && c1 >= 0xA0 {
		return 0, false
	}
	return rune(c0&0x0F)<<12 | rune(c1&0x3F)<<6 | rune(c2&0x3F), true
}

// runeAt decodes the rune starting at i (RuneError, 0 at the end).
func runeAt(s string, i int) (rune, int) {
	// (Unsigned, and i < len(s)-2 below: the compiler then knows s[i], s[i+1] and s[i+2]
	// are within s.)
	if uint(i) >= uint(len(s)) {
		return utf8.RuneError, 0
	}
	if c := s[i]; c < utf8.RuneSelf {
		return rune(c), 1
	}
	if i < len(s)-2 {
		if r, ok := decode3(s[i], s[i+1], s[i+2]); ok {
			return r, 3
		}
	}
	return utf8.DecodeRuneInString(s[i:])
}

func isASCIIAlnum(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// isWordRune reports whether r glues to a number as part of one identifier:
// ASCII letters and digits, full-width letters and digits, and '_'.
func isWordRune(r rune) bool {
	return isASCIIAlnum(r) || r == '_' ||
		(r >= '０' && r <= '９') || (r >= 'Ａ' && r <= 'Ｚ') || (r >= 'ａ' && r <= 'ｚ')
}

// isSpaceRune reports ASCII blanks and the ideographic space.
func isSpaceRune(r rune) bool {
	return r == ' ' || r == '\t' || r == '\u3000'
}

// numberGlued reports whether the number spanning [start,end) is part of a
// longer identifier or number: glued to a letter or digit, or joined by a
// connector to one ("ORD-2024…", "…-01", "3.14", "10.0.0.1"). Spaces and
// Japanese text around a number do not glue: "カード番号４１１１…" is a
// number on its own.
func numberGlued(s string, start, end int) bool {
	// Nothing before the start of the text nor after its end (most values fill their
	// cell); an ASCII neighbour is read without a call.
	if start > 0 {
		r, w := rune(s[start-1]), 1
		if r >= 0x80 {
			r, w = runeBefore(s, start)
		}
		// (The rune beyond is read only after a connector: most neighbours are blanks,
		// separators or Japanese text.)
		if isWordRune(r) || connectorOf(r) != glueNone && connectorGlues(r, func() rune { r2, _ := runeBefore(s, start-w); return r2 }()) {
			return true
		}
	}
	if end < len(s) {
		r, w := rune(s[end]), 1
		if r >= 0x80 {
			r, w = runeAt(s, end)
		}
		return isWordRune(r) || connectorOf(r) != glueNone && connectorGlues(r, func() rune { r2, _ := runeAt(s, end+w); return r2 }())
	}
	return false
}

// connectorGlues reports whether connector c joins a number to the rune o
// on its other side. The rule is the same on both sides, so that masking
// one value never changes whether its neighbour counts as glued. Dashes,
// '_', '#' and '+' join any word ("ORD-…", "…-01", "A#…"); '.' and ':'
// join digits only ("1234.56", "10.0.0.1", "…:30"). A comma is not glue:
// it is the CSV delimiter as often as a thousands separator, and a
// thousands group is never long enough to be an identifier detected here.
func connectorGlues(c, o rune) bool {
	switch connectorOf(c) {
	case glueWord:
		return isWordRune(o)
	case glueDigit:
		return isDigitRune(o)
	}
	return false
}

// What a connector joins (connectorOf).
const (
	glueNone  = iota
	glueWord  // any word: '-', '_', '#', '+' and their full-width forms
	glueDigit // digits only: '.', ':' and their full-width forms
)

// connectorOf tells what c joins, if it is a connector (see connectorGlues).
func connectorOf(c rune) int {
	switch c {
	case '-', '_', '#', '－', '+', '＋', '＃':
		return glueWord
	case '.', '．', ':', '：':
		return glueDigit
	}
	return glueNone
}

func isDigitRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= '０' && r <= '９'
}
