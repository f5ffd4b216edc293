package scan

import (
	"sync"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// Shift_JIS here means Windows-31J (CP932), the encoding Excel and most Japanese shop systems
// write: golang.org/x/text's japanese.ShiftJIS decoder is the WHATWG Shift_JIS, which is CP932.
// The scanner needs the byte offset of every character, which a stream transformer does not
// give, so the two-byte table is taken from x/text once and decoding is a table lookup.

const (
	sjisTrailCount = 0xFC - 0x40 + 1 // trail bytes 0x40..0xFC (0x7F is invalid)
	sjisLeadCount  = (0x9F - 0x81 + 1) + (0xFC - 0xE0 + 1)
)

var (
	sjisOnce  sync.Once
	sjisTable []rune // lead index * sjisTrailCount + trail-0x40; 0 means invalid
	// sjisUTF8 is sjisTable with each rune already encoded as UTF-8: its bytes from the
	// lowest, and their count in the top byte (every CP932 character is in the BMP, so two
	// or three); 0 means invalid. decodeValue copies these instead of encoding rune by rune.
	sjisUTF8 []uint32
)

func isSJISLead(b byte) bool  { return (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC) }
func isSJISTrail(b byte) bool { return b >= 0x40 && b <= 0xFC && b != 0x7F }

// sjisLeadBase[b] is sjisLeadIndex(b)*sjisTrailCount+1 for a lead byte b (isSJISLead),
// else 0; sjisTrailOK[b] is isSJISTrail(b). Built once; read-only.
var sjisLeadBase, sjisTrailOK = func() (l [256]int32, t [256]bool) {
	for b := range 256 {
		if isSJISLead(byte(b)) {
			l[b] = int32(sjisLeadIndex(byte(b))*sjisTrailCount + 1)
		}
		t[b] = isSJISTrail(byte(b))
	}
	return l, t
}()

func sjisLeadIndex(b byte) int {
	if b <= 0x9F {
		return int(b - 0x81)
	}
	return int(b-0xE0) + (0x9F - 0x81 + 1)
}

func loadSJIS() {
	sjisOnce.Do(func() {
		t := make([]rune, sjisLeadCount*sjisTrailCount)
		u := make([]uint32, len(t))
		dec := japanese.ShiftJIS.NewDecoder()
		var in [2]byte
		for l := 0x81; l <= 0xFC; l++ {
			if !isSJISLead(byte(l)) {
				continue
			}
			for tr := 0x40; tr <= 0xFC; tr++ {
				if tr == 0x7F {
					continue
				}
				in[0], in[1] = byte(l), byte(tr)
				out, err := dec.Bytes(in[:])
				if err != nil {
					continue
				}
				r, n := utf8.DecodeRune(out)
				if n != len(out) || r == utf8.RuneError {
					continue
				}
				t[sjisLeadIndex(byte(l))*sjisTrailCount+tr-0x40] = r
				var p uint32
				for k, c := range out {
					p |= uint32(c) << (8 * k)
				}
				u[sjisLeadIndex(byte(l))*sjisTrailCount+tr-0x40] = p | uint32(len(out))<<24
			}
		}
		sjisTable, sjisUTF8 = t, u
	})
}

// sjisRune decodes the Shift_JIS character at the start of p. It returns the rune and the
// number of bytes it takes; an invalid byte decodes as utf8.RuneError of size 1 so that
// decoding always advances and offsets stay inside the input.
func sjisRune(p []byte) (rune, int) {
	b := p[0]
	switch {
	case b < 0x80:
		return rune(b), 1
	case b == 0x80:
		return 0x80, 1
	case b >= 0xA1 && b <= 0xDF: // half-width katakana
		return rune(b) - 0xA1 + 0xFF61, 1
	case isSJISLead(b) && len(p) > 1 && isSJISTrail(p[1]):
		if r := sjisTable[sjisLeadIndex(b)*sjisTrailCount+int(p[1])-0x40]; r != 0 {
			return r, 2
		}
	}
	return utf8.RuneError, 1
}

// sjisBullet is ● (U+25CF) in Shift_JIS, the redaction mark for letters.
var sjisBullet = []byte{0x81, 0x9C}

// validSJIS reports how many characters of p decode as Shift_JIS and how many are invalid; a
// lead byte cut off by the end of p is not counted against it.
func validSJIS(p []byte) (good, bad, multi int) {
	loadSJIS()
	for i := 0; i < len(p); {
		if isSJISLead(p[i]) && i+1 == len(p) {
			break
		}
		r, n := sjisRune(p[i:])
		if r == utf8.RuneError {
			bad++
		} else {
			good++
			if n == 2 || p[i] >= 0x80 {
				multi++
			}
		}
		i += n
	}
	return
}
