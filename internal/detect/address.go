package detect

import (
	"strings"

	"github.com/kinko-jp/kinko/internal/jptext"
)

// Addresses: one of the 47 prefectures, then a municipality ending in 市, 区,
// 町, 村 or 郡 within a few characters, then the rest of the line (chōme,
// block, building) up to a delimiter. The engine triggers on the suffix of
// the prefecture (都, 道, 府, 県), which is rarer than its first character.

const (
	// maxMunicipalityRunes bounds the municipality name: the longest are
	// about seven characters (南アルプス市, 西多摩郡日の出町 counts 郡 first).
	maxMunicipalityRunes = 8
	// maxAddressBytes bounds the rest of the line: a Japanese address with a
	// building and room is well under a hundred characters.
	maxAddressBytes = 300
)

// prefectureByTail holds each prefecture name under its last two
// characters (6 bytes: 京都, 海道, 阪府, 森県…; 城県 is shared by 茨城県 and
// 宮城県), which the trigger then checks in full: an open-addressed table
// keyed by those six bytes as an integer, so the address trigger, run at
// every 都道府県 in the text, hashes no string. Built once; read-only
// afterwards.
var prefectureByTail = func() (t [128]prefTail) {
	for _, p := range jptext.Prefectures {
		k := tailKey(p, len(p))
		i := k.slot()
		for t[i].key != 0 && t[i].key != k {
			i = (i + 1) & (len(t) - 1)
		}
		t[i].key = k
		t[i].names = append(t[i].names, p)
	}
	return t
}()

type prefTail struct {
	key   tail6
	names []string
}

// tail6 is the six bytes before end, little-endian; 0 never occurs (a
// prefecture name ends in multi-byte characters).
type tail6 uint64

func tailKey(s string, end int) tail6 {
	b := s[end-6 : end]
	return tail6(b[0]) | tail6(b[1])<<8 | tail6(b[2])<<16 | tail6(b[3])<<24 | tail6(b[4])<<32 | tail6(b[5])<<40
}

func (k tail6) slot() int { return int(uint64(k) * 0x9E3779B97F4A7C15 >> 57) }

// prefectureEnding returns the start of the prefecture name that ends at
// end, or -1.
func prefectureEnding(s string, end int) int {
	if end < 6 {
		return -1
	}
	k := tailKey(s, end)
	t := &prefectureByTail
	for i := k.slot(); t[i].key != 0; i = (i + 1) & (len(t) - 1) {
		if t[i].key != k {
			continue
		}
		for _, p := range t[i].names {
			if st := end - len(p); st >= 0 && s[st:end] == p {
				return st
			}
		}
		return -1
	}
	return -1
}

// prefectureAt returns the end of the prefecture name starting at p.
func prefectureAt(s string, p int) (int, bool) {
	if p >= len(s) || s[p] < 0xE4 {
		return 0, false
	}
	for _, name := range jptext.Prefectures {
		if strings.HasPrefix(s[p:], name) {
			return p + len(name), true
		}
	}
	return 0, false
}

// isMunicipalitySuffix reports the characters that end a municipality
// (or a district, 郡, which a town or village follows).
func isMunicipalitySuffix(r rune) bool {
	return r == '市' || r == '区' || r == '町' || r == '村' || r == '郡'
}

// isPlaceRune reports characters that make up place names: kanji, kana,
// 々, ヶ, ケ and the prolonged sound mark.
func isPlaceRune(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA ||
		r == '々' || r == 'ー' || r == 'ヶ' || r == 'ケ'
}

// addressAt parses an address whose prefecture starts at p and ends at pe.
func addressAt(s string, p, pe int) (end int, ok bool) {
	i := pe
	if r, w := runeAt(s, i); isSpaceRune(r) {
		i += w
	}
	// Municipality: place characters ending in 市区町村郡, at least one
	// before the suffix ("東京都区部" is not a municipality).
	n := 0
	found := false
	for n < maxMunicipalityRunes {
		// runeAt, with the ASCII and three-byte cases inline (see readTokenForward).
		var r rune
		var w int
		if uint(i) >= uint(len(s)) { // (unsigned: see addressRest)
			break
		} else if c := s[i]; c < 0x80 {
			r, w = rune(c), 1
		} else if i < len(s)-2 && c-0xE1 < 0x0F && c != 0xED && uint16(s[i+1]&0xC0)<<8|uint16(s[i+2]&0xC0) == 0x8080 {
			r, w = rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
		} else {
			r, w = runeAt(s, i)
		}
		if !isPlaceRune(r) {
			break
		}
		i += w
		n++
		if isMunicipalitySuffix(r) && n > 1 {
			found = true
			break
		}
	}
	if !found {
		return 0, false
	}
	return addressRest(s, i, p+maxAddressBytes), true
}

// addressRest extends an address over the rest of the line: it stops at a
// line end, a field delimiter, a quote, two blanks, or a blank before
// something that is not address (a label, a phone number, 〒, a key=).
func addressRest(s string, i, limit int) int {
	end := i
	limit = min(limit, len(s))
	// (i compared as unsigned, and i < len(s)-2 below: the compiler then knows s[i],
	// s[i+1] and s[i+2] are within s and checks none of them.)
	for uint(i) < uint(limit) {
		// ASCII (block numbers, hyphens, a building's name) from a table: part of the
		// address, a blank, or a byte that ends it.
		c := s[i]
		if c < 0x80 {
			switch addressASCII[c] {
			case addrPart:
				i++
				end = i
			case addrBlank:
				if stopAfterBlank(s, i+1) {
					return end
				}
				i++
			default:
				return end
			}
			continue
		}
		// runeAt, with the three-byte case inline (see readTokenForward).
		var r rune
		var w int
		if i < len(s)-2 && c-0xE1 < 0x0F && c != 0xED && uint16(s[i+1]&0xC0)<<8|uint16(s[i+2]&0xC0) == 0x8080 {
			r, w = rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
		} else {
			r, w = runeAt(s, i)
		}
		// Kana, kanji and full-width forms, the bulk of an address, stop nothing but 様
		// and the full-width comma and colon.
		if r >= 0x3040 {
			if r == '様' || r == '，' || r == '：' {
				return end
			}
			i += w
			end = i
			continue
		}
		switch r {
		case '、', '。', '「', '」', '【', '】', '〒':
			return end
		case '\u3000':
			if stopAfterBlank(s, i+w) {
				return end
			}
			i += w
			continue
		}
		i += w
		end = i
	}
	return end
}

// addressASCII classes the ASCII bytes for addressRest: addrPart (0) continues an address,
// addrBlank is a space, addrStop ends it (controls, DEL, quotes and the punctuation of
// lists, keys and markup). Built once; read-only.
var addressASCII = func() (t [0x80]uint8) {
	for c := range 0x20 {
		t[c] = addrStop
	}
	for _, c := range []byte("\"',|;<>&=:{}[]\x7f") {
		t[c] = addrStop
	}
	t[' '] = addrBlank
	return t
}()

const (
	addrPart = iota
	addrBlank
	addrStop
)

// stopAfterBlank reports whether what follows a blank inside an address is
// something else: another blank, a label or key, a phone number, a mark.
func stopAfterBlank(s string, i int) bool {
	r, _ := runeAt(s, i)
	if isSpaceRune(r) || r == '〒' || r == '℡' || i >= len(s) {
		return true
	}
	rest := s[i:min(i+24, len(s))]
	// Most blanks in an address come before a block number or a building name: the first
	// two bytes rule out every stop word at once.
	if len(rest) >= 2 && stopWordLead.has(rune(rest[0])<<8|rune(rest[1])) {
		for _, l := range addressStopWords {
			if strings.HasPrefix(rest, l) {
				return true
			}
		}
	}
	// A key such as "tel=" or "name:" ends the address.
	for j := 0; j < len(rest); j++ {
		c := rest[j]
		if c == '=' || c == ':' {
			return j > 0
		}
		if !(isASCIIAlnum(rune(c)) || c == '_' || c == '-') {
			break
		}
	}
	// A phone number after the address: "… 1-2-3 03-1234-5678".
	if isDigitAt(s, i) {
		if _, ok := parsePhoneAt(s, i); ok {
			return true
		}
	}
	return false
}

var addressStopWords = []string{
	"TEL", "Tel", "tel", "FAX", "Fax", "fax", "電話", "携帯", "ＴＥＬ", "ＦＡＸ", "E-mail", "Email", "email",
	"メール", "担当", "氏名", "お名前", "生年月日",
}

// stopWordLead has bit b0<<8|b1 set for the first two bytes b0 b1 of every stop word
// (each is longer than two bytes).
var stopWordLead = func() *runeSet {
	var set runeSet
	for _, w := range addressStopWords {
		set.add(rune(w[0])<<8 | rune(w[1]))
	}
	return &set
}()

// Confidences: a prefecture followed by a municipality is an address in all
// but contrived text; a key says so outright.
const (
	confAddress      = 0.9
	confAddressKeyed = 0.97
)

// suffixLen is the UTF-8 length of 都, 道, 府 and 県.
const suffixLen = 3

// addressValue returns addressAt's end for an address whose prefecture starts s, found
// as the engine's byte loop finds it: at the first 都, 道, 府 or 県 among the first four
// characters (all three-byte kanji, which start no other trigger) that ends a prefecture
// name, which must then start at 0. ok is false for anything else.
func addressValue(s string) (end int, ok bool) {
	for i := 0; i < 4*suffixLen && i < len(s)-2; i += suffixLen {
		c := s[i]
		if c < 0xE4 || c > 0xE9 || s[i+1]&0xC0 != 0x80 || s[i+2]&0xC0 != 0x80 {
			return 0, false // not a kanji of U+4000..U+9FFF
		}
		switch s[i : i+suffixLen] {
		case "都", "道", "府", "県":
			switch prefectureEnding(s, i+suffixLen) {
			case 0:
				return addressAt(s, 0, i+suffixLen)
			case -1:
				continue
			}
			return 0, false
		}
	}
	return 0, false
}

func addressOnMark(st *state, q int, _ rune) (Finding, bool) {
	p := prefectureEnding(st.s, q+suffixLen)
	if p < 0 {
		return Finding{}, false
	}
	end, ok := addressAt(st.s, p, q+suffixLen)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(p)
	if kc.denies(kAddress) {
		return Finding{}, false
	}
	f := Finding{Type: Address, Start: p, End: end, Confidence: confAddress, Reason: "prefecture+municipality"}
	if kc.hints(kAddress) {
		f.Confidence, f.Reason = confAddressKeyed, "prefecture+municipality; key address"
	}
	return f, true
}
