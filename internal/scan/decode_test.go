package scan

import (
	"bytes"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

func sjisBytes(t testing.TB, s string) []byte {
	t.Helper()
	b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}

func TestSJISRune(t *testing.T) {
	loadSJIS()
	cases := []struct {
		name string
		in   []byte
		r    rune
		n    int
	}{
		{"ascii", []byte("A"), 'A', 1},
		{"half-width katakana", []byte{0xB1}, 'ｱ', 1},
		{"kanji", []byte{0x8E, 0x52}, '山', 2},
		{"trail byte 0x5C (表)", []byte{0x95, 0x5C}, '表', 2},
		{"CP932 NEC circled one", []byte{0x87, 0x40}, '①', 2},
		{"CP932 IBM extension", []byte{0xFA, 0x40}, 'ⅰ', 2},
		{"full-width digit", []byte{0x82, 0x4F}, '０', 2},
		{"lead byte at end", []byte{0x8E}, utf8.RuneError, 1},
		{"invalid trail", []byte{0x8E, 0x20}, utf8.RuneError, 1},
		{"undefined byte", []byte{0xFD}, utf8.RuneError, 1},
	}
	for _, c := range cases {
		r, n := sjisRune(c.in)
		if r != c.r || n != c.n {
			t.Errorf("%s: got %U/%d, want %U/%d", c.name, r, n, c.r, c.n)
		}
	}
}

func TestDecodeValue(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		esc  escKind
		sjis bool
		want string
	}{
		{"plain", []byte("abc"), escNone, false, "abc"},
		{"json unicode escape", []byte(`\u5c71\u7530 x`), escJSON, false, "山田 x"},
		{"json surrogate pair", []byte(`\ud83d\ude00`), escJSON, false, "😀"},
		{"json simple escapes", []byte(`a\"b\\c\/d\n`), escJSON, false, "a\"b\\c/d\n"},
		{"json bad escape kept", []byte(`\u12`), escJSON, false, `\u12`},
		{"csv doubled quote", []byte(`say ""hi""`), escCSV, false, `say "hi"`},
		{"sql doubled quote", []byte(`O''Brien`), escSQL, false, `O'Brien`},
		{"mysql backslash", []byte(`It\'s\r\n`), escSQLSlash, false, "It's\r\n"},
		{"copy escapes", []byte(`a\tb\\c\101\x41`), escCOPY, false, "a\tb\\cAA"},
		{"shift_jis", nil, escNone, true, "山田 太郎"},
		{"shift_jis with 0x5C trail and json escape", nil, escJSON, true, `表\n`},
	}
	for _, c := range cases {
		raw := c.raw
		if raw == nil {
			raw = sjisBytes(t, c.want)
			if c.esc == escJSON {
				raw = append(sjisBytes(t, "表"), `\n`...)
				c.want = "表\n"
			}
		}
		text, m := decodeValue(nil, nil, raw, c.esc, c.sjis)
		if string(text) != c.want {
			t.Errorf("%s: decoded text differs", c.name)
		}
		if len(m) != len(text)+1 || int(m[len(m)-1]) != len(raw) {
			t.Errorf("%s: offset map has the wrong length or end", c.name)
		}
	}
}

// TestDecodeSJISMatchesXText: the table decoder agrees with golang.org/x/text on every
// valid two-byte code.
func TestDecodeSJISMatchesXText(t *testing.T) {
	loadSJIS()
	var raw []byte
	for l := 0x81; l <= 0xFC; l++ {
		if !isSJISLead(byte(l)) {
			continue
		}
		for tr := 0x40; tr <= 0xFC; tr++ {
			if tr == 0x7F {
				continue
			}
			if sjisTable[sjisLeadIndex(byte(l))*sjisTrailCount+tr-0x40] != 0 {
				raw = append(raw, byte(l), byte(tr))
			}
		}
	}
	want, err := japanese.ShiftJIS.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := decodeValue(nil, nil, raw, escNone, true)
	if !bytes.Equal(got, want) {
		t.Fatalf("table decoder differs from x/text over %d codes", len(raw)/2)
	}
}

func TestAppendRedacted(t *testing.T) {
	cases := []struct {
		name string
		raw  []byte
		esc  escKind
		sjis bool
		want []byte
	}{
		{"card with separators", []byte("4111-1111 1111-1111"), escNone, false, []byte("****-**** ****-****")},
		{"email", []byte("taro@ex.jp"), escNone, false, []byte("●●●●@●●.●●")},
		{"name with full-width space", []byte("山田　太郎"), escNone, false, []byte("●●　●●")},
		{"full-width digits", []byte("０９０－１２"), escNone, false, []byte("***－**")},
		{"bare number stays a number", []byte("4111111111111111"), escNumber, false, []byte("0000000000000000")},
		{"json escape becomes a mark per character", []byte(`\u5c71a\"`), escJSON, false, []byte(`●●●●●●●\"`)},
		{"escaped digit and surrogate pair letter", []byte(`\u0031\ud840\udc0b`), escJSON, false, []byte(`******●●●●●●●●●●●●`)},
		{"sql escapes", []byte(`it''s \x`), escSQLSlash, false, []byte(`●●''● ●●`)},
		{"shift_jis keeps its encoding", sjisBytes(t, "山田 090"), escNone, true, append(append(append([]byte{}, sjisBullet...), sjisBullet...), " ***"...)},
	}
	for _, c := range cases {
		if got := appendRedacted(nil, c.raw, c.esc, c.sjis); !bytes.Equal(got, c.want) {
			t.Errorf("%s: redacted copy differs from the expected shape", c.name)
		}
	}
}

func TestMaskPreview(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"visa", "4111 1111 1111 1111", "4111 **** **** 1111"},
		{"amex", "378282246310005", "3782 **** ***0 005"},
		{"full-width", "４１１１１１１１１１１１１１１１", "4111 **** **** 1111"},
		{"email", "taro@example.jp", "●●●●@●●●●●●●.●●"},
		{"long address truncated", "東京都世田谷区桜台1-2-3 サンハイツ101号室です", "●●●●●●●●●*-*-* ●●●●●***●…"},
	}
	for _, c := range cases {
		if got := maskPreview([]byte(c.in), c.name == "visa" || c.name == "amex" || c.name == "full-width"); got != c.want {
			t.Errorf("%s: preview %q, want %q", c.name, got, c.want)
		}
	}
}

func FuzzDecodeValue(f *testing.F) {
	f.Add([]byte(`\u5c71\ud83d\ude00 ""''\\x41`), uint8(1), false)
	f.Add(sjisBytes(f, "表示 山田　太郎 ０９０"), uint8(0), true)
	f.Add([]byte{0x95, 0x5C, '\\', 'n', 0x8E}, uint8(1), true)
	f.Add([]byte(`a\101\x4`), uint8(5), false)
	f.Fuzz(func(t *testing.T, raw []byte, e uint8, sjis bool) {
		esc := escKind(e % 7)
		text, m := decodeValue(nil, nil, raw, esc, sjis)
		if !utf8.Valid(text) {
			t.Fatalf("decoded text is not UTF-8")
		}
		if len(m) != len(text)+1 || int(m[len(text)]) != len(raw) {
			t.Fatalf("offset map length/end wrong")
		}
		for i := 1; i < len(m); i++ {
			if m[i] < m[i-1] || m[i] < 0 || int(m[i]) > len(raw) {
				t.Fatalf("offset map not monotonic within the input")
			}
		}
		// Redaction: as many characters as the input, never longer than 3 bytes per input byte.
		red := appendRedacted(nil, raw, esc, sjis)
		units := 0
		for i := 0; i < len(raw); {
			_, n := unit(raw[i:], esc, sjis)
			if n < 1 {
				t.Fatalf("unit did not advance")
			}
			i += n
			units++
		}
		if len(red) > 3*len(raw) {
			t.Fatalf("redacted copy too long")
		}
		if !sjis && utf8.Valid(raw) && utf8.RuneCount(red) != utf8.RuneCount(raw) {
			t.Fatalf("redacted copy changed the number of characters")
		}
		if sjis && esc == escNone {
			rt, _ := decodeValue(nil, nil, red, escNone, true)
			if utf8.RuneCount(rt) != units {
				t.Fatalf("Shift_JIS redacted copy changed the number of characters")
			}
		}
		if needsDecode(raw, esc, sjis) == false && !bytes.Equal(text, raw) && utf8.Valid(raw) {
			t.Fatalf("needsDecode said no but decoding changes the text")
		}
	})
}
