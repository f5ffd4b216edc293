package detect

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
)

func TestReadGroups(t *testing.T) {
	type grp struct {
		text string // the group's digits as written
		sep  string // the separator after it ("" for none)
	}
	tests := []struct {
		name string
		text string
		p    int
		want []grp
		vals string // the digit values kept, as ASCII
	}{
		{"one run", "0312345678", 0, []grp{{"0312345678", ""}}, "0312345678"},
		{"dashes", "090-1234-5678", 0, []grp{{"090", "-"}, {"1234", "-"}, {"5678", ""}}, "09012345678"},
		{"trailing dash", "090-1234-", 0, []grp{{"090", "-"}, {"1234", ""}}, "0901234"},
		{"mixed separators are read", "4111 1111-1111ー1111", 0, []grp{{"4111", " "}, {"1111", "-"}, {"1111", "ー"}, {"1111", ""}}, "4111111111111111"},
		{"full-width", "１２３－４５６７", 0, []grp{{"１２３", "－"}, {"４５６７", ""}}, "1234567"},
		{"mixed widths in a run", "1２3", 0, []grp{{"1２3", ""}}, "123"},
		{"ideographic space", "03\u30001234\u30005678", 0, []grp{{"03", "\u3000"}, {"1234", "\u3000"}, {"5678", ""}}, "0312345678"},
		{"no group after a letter", "123-abc", 0, []grp{{"123", ""}}, "123"},
		{"slash ends", "2024/11/25", 0, []grp{{"2024", ""}}, "2024"},
		{"parenthesis ends", "03(1234)5678", 0, []grp{{"03", ""}}, "03"},
		{"two separators end", "12--34", 0, []grp{{"12", ""}}, "12"},
		{"from p", "tel 03-1234", 4, []grp{{"03", "-"}, {"1234", ""}}, "031234"},
		{"five groups, separator after the last", "1-2-3-4-5-6", 0, []grp{{"1", "-"}, {"2", "-"}, {"3", "-"}, {"4", "-"}, {"5", "-"}}, "12345"},
		{"no group after 19 digits", "12345678901234567890 1", 0, []grp{{"12345678901234567890", " "}}, "12345678901234567890"},
		{"19 digits then a group", "1234567890123456789 1", 0, []grp{{"1234567890123456789", " "}, {"1", ""}}, "12345678901234567891"},
		{"all digits", "1234567890123456789 12345678", 0, []grp{{"1234567890123456789", " "}, {"12345678", ""}}, "123456789012345678912345678"},
		{"full-width then ASCII groups", "１2 34", 0, []grp{{"１2", " "}, {"34", ""}}, "1234"},
	}
	for _, tc := range tests {
		var g digitGroups
		g.readGroupsAt(tc.text, tc.p)
		if g.ng != len(tc.want) {
			t.Errorf("%s: %d groups, want %d", tc.name, g.ng, len(tc.want))
			continue
		}
		i := tc.p
		for k, w := range tc.want {
			n := 0
			for _, r := range w.text {
				if r >= '0' && r <= '9' || r >= '０' && r <= '９' {
					n++
				}
			}
			if g.lens[k] != n || g.ends[k] != i+len(w.text) {
				t.Errorf("%s: group %d: %d digits ending at %d, want %d ending at %d", tc.name, k, g.lens[k], g.ends[k], n, i+len(w.text))
			}
			i += len(w.text)
			sep := g.seps[k]
			if w.sep == "" {
				if sep.k != sepNone {
					t.Errorf("%s: group %d: separator %q, want none", tc.name, k, sep.r)
				}
				continue
			}
			k2, r, wd := sepAt(tc.text, i)
			if sep.k != k2 || sep.r != r || tc.text[i:i+wd] != w.sep {
				t.Errorf("%s: group %d: separator %v %q, want %q", tc.name, k, sep.k, sep.r, w.sep)
			}
			i += wd
		}
		for _, size := range []int{0, 1, 3, 12, 19, 30} {
			d := make([]byte, size)
			nd := g.digits(tc.text, tc.p, d)
			if nd != min(size, len(tc.vals)) {
				t.Errorf("%s: digits filled %d of %d, want %d", tc.name, nd, size, min(size, len(tc.vals)))
				continue
			}
			for k := 0; k < nd; k++ {
				if d[k] != tc.vals[k]-'0' {
					t.Errorf("%s: digit %d is %d, want %c", tc.name, k, d[k], tc.vals[k])
					break
				}
			}
		}
	}
}

// groupsPieces build the strings on which the parsers that read digitGroups are compared
// with the ones that read the text themselves (the ref… functions below, the code before
// digitGroups): digits of both widths, every separator sepAt knows and some it does not,
// parentheses, "+81", letters and connectors that glue.
var groupsPieces = []string{
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "4", "0", "1",
	"０", "１", "４", "９", "00", "090", "03", "0120", "4111", "1111", "81", "123", "4567",
	"4111", "1111", "4111", "4111 1111", "1111-1111", "12345678", "123456789012", "4111111111111111",
	"-", "-", "-", " ", " ", " ", "\u3000", "ー", "－", "−", "‐", "ｰ", "—",
	"(", ")", "（", "）", "+", "＋", "(0)",
	"a", "_", "#", ".", ":", "/", "年", "〒", "x", "\n", "\xe2", "\xef\xbc",
}

func randomGroupsText(rng *rand.Rand) string {
	var b strings.Builder
	n := 1 + rng.Intn(32)
	for k := 0; k < n; k++ {
		b.WriteString(groupsPieces[rng.Intn(len(groupsPieces))])
	}
	return b.String()
}

// checkGroupParsers compares, at every digit of s, each parser reading the groups read
// there with its reference form.
func checkGroupParsers(t *testing.T, s string) {
	t.Helper()
	for p := 0; p < len(s); p++ {
		if !isDigitAt(s, p) {
			continue
		}
		var g digitGroups
		g.readGroupsAt(s, p)
		c1, ok1 := cardFromGroups(s, p, &g)
		c2, ok2 := refParseCardAt(s, p)
		if ok1 != ok2 || ok1 && c1 != c2 {
			t.Fatalf("card at %d of %q: %v %+v, reference %v %+v", p, s, ok1, c1, ok2, c2)
		}
		if c3, ok3 := parseCardAt(s, p); ok3 != ok2 || ok3 && c3 != c2 {
			t.Fatalf("parseCardAt at %d of %q: %v %+v, reference %v %+v", p, s, ok3, c3, ok2, c2)
		}
		s1, e1, g1, m1 := myNumberFromGroups(s, p, &g)
		s2, e2, g2, m2 := refParseMyNumberAt(s, p)
		if m1 != m2 || m1 && (s1 != s2 || e1 != e2 || g1 != g2) {
			t.Fatalf("my number at %d of %q: %v %d %d %v, reference %v %d %d %v", p, s, m1, s1, e1, g1, m2, s2, e2, g2)
		}
		pe1, h1, pok1 := postalFromGroups(s, p, &g)
		pe2, h2, pok2 := refParsePostalAt(s, p)
		if pok1 != pok2 || pok1 && (pe1 != pe2 || h1 != h2) {
			t.Fatalf("postal at %d of %q: %v %d %v, reference %v %d %v", p, s, pok1, pe1, h1, pok2, pe2, h2)
		}
		ph1, ok1 := phoneFromGroups(s, p, &g)
		ph2, ok2 := parsePhoneAt(s, p) // the general parser, still used for "+81" and "(03)", is the reference
		if ok1 != ok2 || ok1 && !samePhone(ph1, ph2) {
			t.Fatalf("phone at %d of %q: %v %+v, reference %v %+v", p, s, ok1, ph1, ok2, ph2)
		}
	}
}

// samePhone compares what a phone candidate's users read (of the digits, the first four).
func samePhone(a, b phoneNum) bool {
	return a.start == b.start && a.end == b.end && a.n == b.n && a.ng == b.ng && a.intl == b.intl && a.paren == b.paren &&
		string(a.d[:4]) == string(b.d[:4]) && slices.Equal(a.lens[:a.ng], b.lens[:b.ng])
}

func TestGroupParsersMatchReference(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	n := 300000
	if testing.Short() {
		n = 30000
	}
	for k := 0; k < n; k++ {
		checkGroupParsers(t, randomGroupsText(rng))
	}
	for _, s := range []string{
		"4111 1111 1111 1111", "4111-1111-1111-1111", "3782 822463 10005", "4111111111111111",
		"4111 1111 1111 1111 1111 1111", "4111-1111-1111-1111-111", "1234 5678 9012", "1234-5678-9012",
		"123456789012", "090-1234-5678", "03 1234 5678 1234", "(03)1234-5678", "03(1234)5678",
		"+81 90 1234 5678", "+81-3-1234-5678", "＋８１ ９０ １２３４ ５６７８", "123-4567", "１２３ー４５６７",
		"1234567", "000-1234", "0312345678", "03-1234-5678-9", "03 1234 5678 9012 3456",
	} {
		checkGroupParsers(t, s)
		checkGroupParsers(t, "x "+s+" y")
	}
}

// FuzzDigitGroups checks the parsers that read digitGroups against their reference
// forms on any text.
func FuzzDigitGroups(f *testing.F) {
	for _, s := range []string{"4111 1111 1111 1111", "090-1234-5678", "(03)1234-5678", "+81 90 1234 5678", "〒123-4567", "1234 5678 9012", "１２３４－５６７８"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		checkGroupParsers(t, s)
	})
}

// The parsers as they were before digitGroups: each reads the digits and separators
// itself. (The phone parser's previous form is parsePhoneAt itself, which phone.go keeps
// for "+81" and parentheses: checkGroupParsers compares phoneFromGroups with it.)

func refParseCardAt(s string, p int) (c cardNum, ok bool) {
	if digitBefore(s, p) {
		return c, false
	}
	c.start = p
	var lens [maxCardGroups]int
	var ends [maxCardGroups]int
	var digits [maxCardDigits + 4]byte
	nd, ng := 0, 0
	var sepK sepKind
	var sepR rune
	i := p
	overflow := false
	for {
		// One group of digits.
		gl := 0
		for i < len(s) {
			v, w := digitAt(s, i)
			if w == 0 {
				break
			}
			if nd >= len(digits) {
				// A run longer than any card: a card-looking substring of a
				// longer number is not a card. A long word after
				// space-separated groups only ends the groups.
				if ng == 0 || sepK == sepHyphen {
					return c, false
				}
				overflow = true
				break
			}
			digits[nd] = v
			nd++
			gl++
			i += w
		}
		if overflow {
			break
		}
		lens[ng] = gl
		ends[ng] = i
		ng++
		if ng == 1 && gl >= minCardDigits {
			// A single unbroken run is the card or nothing.
			break
		}
		k, r, w := sepAt(s, i)
		if k == sepNone || i+w >= len(s) || !isDigitAt(s, i+w) {
			break
		}
		if sepK != sepNone && (k != sepK || r != sepR) {
			// "1234-5678 9012": mixed separators are two things, not one card.
			break
		}
		if ng == maxCardGroups || nd > maxCardDigits {
			if k == sepHyphen {
				return c, false // a dash chain longer than a card
			}
			break
		}
		sepK, sepR = k, r
		i += w
	}
	// Choose the span: a single run is itself; grouped digits must follow a
	// real card layout. A dash-joined chain is one identifier and must be
	// the card in full; space-separated groups may be followed by other
	// words ("4111 1111 1111 1111 12/25"), so every layout-valid prefix of
	// groups is tried, longest first.
	if ng == 1 {
		if lens[0] < minCardDigits || lens[0] > maxCardDigits {
			return c, false
		}
		c.end, c.n = ends[0], lens[0]
		copy(c.d[:], digits[:c.n])
		if numberGlued(s, c.start, c.end) {
			return c, false
		}
		c.issuer, ok = validCard(c.d[:c.n])
		return c, ok
	}
	c.grouped = true
	total := 0
	for g := 0; g < ng; g++ {
		total += lens[g]
	}
	for g := ng - 1; g >= 1; g-- {
		if sepK == sepHyphen && g != ng-1 {
			return c, false
		}
		if total >= minCardDigits && total <= maxCardDigits && cardLayout(lens[:g+1]) {
			c.end, c.n = ends[g], total
			copy(c.d[:], digits[:c.n])
			if !numberGlued(s, c.start, c.end) {
				if c.issuer, ok = validCard(c.d[:c.n]); ok {
					return c, true
				}
			}
		}
		total -= lens[g]
	}
	return c, false
}

func refParsePostalAt(s string, p int) (end int, hyphen, ok bool) {
	if digitBefore(s, p) {
		return 0, false, false
	}
	var d [7]byte
	n := 0
	i := p
	for i < len(s) && n < 7 {
		v, w := digitAt(s, i)
		if w == 0 {
			break
		}
		d[n] = v
		n++
		i += w
		if n == 3 {
			if k, _, w := sepAt(s, i); k == sepHyphen && i+w < len(s) && isDigitAt(s, i+w) {
				i += w
				hyphen = true
			} else if isDigitAt(s, i) {
				continue
			} else {
				return 0, false, false
			}
		}
	}
	if n != 7 || (i < len(s) && isDigitAt(s, i)) {
		return 0, false, false
	}
	// 000-xxxx is unassigned: Japan Post codes start at 001.
	if d[0] == 0 && d[1] == 0 && d[2] == 0 {
		return 0, false, false
	}
	if numberGlued(s, p, i) {
		return 0, false, false
	}
	return i, hyphen, true
}

func refParseMyNumberAt(s string, p int) (start, end int, grouped, ok bool) {
	if digitBefore(s, p) {
		return 0, 0, false, false
	}
	var d [myNumberDigits]byte
	n, g := 0, 0
	i := p
	var sepR rune
	for {
		gl := 0
		for i < len(s) {
			v, w := digitAt(s, i)
			if w == 0 {
				break
			}
			if n == myNumberDigits {
				return 0, 0, false, false
			}
			d[n] = v
			n++
			gl++
			i += w
		}
		g++
		if g == 1 && gl == myNumberDigits {
			break
		}
		if gl != 4 || g == 3 {
			break
		}
		k, r, w := sepAt(s, i)
		if k == sepNone || (sepR != 0 && r != sepR) || i+w >= len(s) || !isDigitAt(s, i+w) {
			break
		}
		sepR = r
		i += w
	}
	if n != myNumberDigits || (g != 1 && g != 3) {
		return 0, 0, false, false
	}
	if numberGlued(s, p, i) {
		return 0, 0, false, false
	}
	return p, i, g == 3, myNumberCheck(d[:])
}
