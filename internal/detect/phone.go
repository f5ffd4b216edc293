package detect

import "strings"

// Japanese phone numbers: mobile (070/080/090, 060), IP (050), M2M (020),
// toll-free and navigation (0120, 0800, 0570, 0990) and fixed lines (10
// digits: an area code of 2–5 digits with the trunk 0, a local exchange and a
// 4-digit subscriber number), written plain, with dashes or spaces, with the
// area code in parentheses, or internationally as +81 without the trunk 0.

// Phone number lengths in digits, trunk 0 included (MIC numbering plan).
const (
	fixedDigits  = 10 // 0AB-CDE-FGHJ
	mobileDigits = 11 // 0A0-CDEF-GHJK
	// maxPhoneGroups: 3 groups is every domestic layout; +81 adds one.
	maxPhoneGroups = 4
)

// phoneNum is a parsed phone candidate: national digits (with the trunk 0;
// phoneFromGroups fills only the first four, all that validPhone reads of them)
// and the length of each written group.
type phoneNum struct {
	start, end int
	d          [mobileDigits + 1]byte
	n          int
	lens       [maxPhoneGroups]int
	ng         int
	intl       bool
	paren      bool
}

// parsePhoneAt parses a phone number whose digit run starts at p (the
// number itself may start earlier, at '+' or '(').
func parsePhoneAt(s string, p int) (ph phoneNum, ok bool) {
	if digitBefore(s, p) {
		return ph, false
	}
	ph.start = p
	i := p
	// "+81 …": the run starts at 8 after a plus sign.
	if r, w := runeBefore(s, p); r == '+' || r == '＋' {
		v1, w1 := digitAt(s, p)
		if w1 == 0 || v1 != 8 || p+w1 >= len(s) {
			return ph, false
		}
		v2, w2 := digitAt(s, p+w1)
		if w2 == 0 || v2 != 1 {
			return ph, false
		}
		ph.intl = true
		ph.start = p - w
		i = p + w1 + w2
		// One separator after the country code, and an optional "(0)".
		if k, _, w := sepAt(s, i); k != sepNone {
			i += w
		}
		if i+2 < len(s) && s[i] == '(' && s[i+1] == '0' && s[i+2] == ')' {
			i += 3
			if k, _, w := sepAt(s, i); k != sepNone {
				i += w
			}
		}
		ph.d[0] = 0
		ph.n = 1
		if v, w := digitAt(s, i); w == 0 || v == 0 {
			return ph, false
		}
	} else if r == '(' || r == '（' {
		ph.start = p - w
		ph.paren = true
	} else if v, _ := digitAt(s, p); v != 0 {
		return ph, false
	}
	var sepR rune
	inParen := ph.paren
	// Digit count and end after each group: blank-separated groups may be
	// followed by other numbers ("TEL 03 1234 5678 FAX …"), so shorter
	// prefixes of the groups are tried too.
	var nAt, endAt [maxPhoneGroups]int
	for ph.ng < maxPhoneGroups {
		gl := 0
		overflow := false
		for i < len(s) {
			v, w := digitAt(s, i)
			if w == 0 {
				break
			}
			if ph.n >= len(ph.d) {
				overflow = true
				break
			}
			ph.d[ph.n] = v
			ph.n++
			gl++
			i += w
		}
		if overflow {
			// Longer than any phone number: the number ended before this
			// group if a blank separated it, else it is none.
			if ph.ng > 0 && !inParen && (sepR == ' ' || sepR == '\u3000') {
				ph.n = nAt[ph.ng-1]
				break
			}
			return ph, false
		}
		if gl == 0 {
			return ph, false
		}
		ph.lens[ph.ng] = gl
		nAt[ph.ng], endAt[ph.ng] = ph.n, i
		ph.ng++
		ph.end = i
		// Separators: one dash or space, or a closing parenthesis (with an
		// optional dash or space after it), or an opening one before the
		// local number: "(03)1234-5678", "03(1234)5678".
		j := i
		if inParen {
			if j < len(s) && s[j] == ')' {
				j++
			} else if r, w := runeAt(s, j); r == '）' {
				j += w
			} else {
				return ph, false
			}
			inParen = false
			if k, _, w := sepAt(s, j); k != sepNone {
				j += w
			}
		} else if j < len(s) && s[j] == '(' {
			j++
			inParen = true
		} else if r, w := runeAt(s, j); r == '（' {
			j += w
			inParen = true
		} else {
			k, r, w := sepAt(s, j)
			if k == sepNone {
				break
			}
			if sepR != 0 && r != sepR {
				break
			}
			sepR = r
			j += w
		}
		if j >= len(s) || !isDigitAt(s, j) {
			if inParen {
				return ph, false
			}
			break
		}
		i = j
	}
	if inParen {
		return ph, false
	}
	// With '+81' the first national group follows the restored trunk 0.
	if ph.intl {
		ph.lens[0]++
	}
	spaced := sepR == ' ' || sepR == '\u3000'
	for g := ph.ng; g >= 1; g-- {
		if g < ph.ng && !spaced {
			// A dash-joined chain is one identifier: all or nothing.
			return ph, false
		}
		c := ph
		c.ng, c.n, c.end = g, nAt[g-1], endAt[g-1]
		if !numberGlued(s, c.start, c.end) && validPhone(&c) {
			return c, true
		}
	}
	return ph, false
}

// phoneFromGroups is parsePhoneAt on the groups read at the digit run p. The
// common shapes (a domestic number, plain or in groups joined by one kind of
// separator) are read from g; "+81", and parentheses before the run or after a
// group, go to parsePhoneAt. Of the digits it reads the first four, all that
// validPhone reads.
func phoneFromGroups(s string, p int, g *digitGroups) (ph phoneNum, ok bool) {
	if digitBefore(s, p) {
		return ph, false
	}
	// What runeBefore would read as '+', '＋', '(' or '（' (the full-width forms are
	// three bytes, which runeBefore decodes only as themselves).
	if p > 0 && (s[p-1] == '+' || s[p-1] == '(' || p >= 3 && (s[p-3:p] == "＋" || s[p-3:p] == "（")) {
		return parsePhoneAt(s, p)
	}
	if v, _ := digitAt(s, p); v != 0 {
		return ph, false
	}
	ph.start = p
	var sepR rune
	for ph.ng < maxPhoneGroups {
		gl := g.lens[ph.ng]
		if ph.n+gl > len(ph.d) {
			// Longer than any phone number: the number ended before this
			// group if a blank separated it, else it is none.
			if ph.ng > 0 && (sepR == ' ' || sepR == '\u3000') {
				break
			}
			return ph, false
		}
		ph.n += gl
		ph.lens[ph.ng] = gl
		j := g.ends[ph.ng]
		sp := g.seps[ph.ng]
		ph.ng++
		ph.end = j
		if j < len(s) && s[j] == '(' || j+3 <= len(s) && s[j:j+3] == "（" {
			// "03(1234)5678".
			return parsePhoneAt(s, p)
		}
		if sp.k == sepNone || sepR != 0 && sp.r != sepR {
			break
		}
		sepR = sp.r
	}
	if ph.n >= fixedDigits {
		// (validPhone rejects fewer digits before reading any.)
		g.digits(s, p, ph.d[:4])
	}
	// The groups read, then (blank-separated) each shorter prefix of them: ph
	// is narrowed in place.
	spaced := sepR == ' ' || sepR == '\u3000'
	all := ph.ng
	for k := all; k >= 1; k-- {
		if k < all {
			if !spaced {
				// A dash-joined chain is one identifier: all or nothing.
				return ph, false
			}
			ph.n -= ph.lens[k]
		}
		ph.ng, ph.end = k, g.ends[k-1]
		if !numberGlued(s, ph.start, ph.end) && validPhone(&ph) {
			return ph, true
		}
	}
	return ph, false
}

// validPhone checks the digits and the written grouping against the
// numbering plan. Of the digits it reads the first four and their count.
func validPhone(ph *phoneNum) bool {
	d := ph.d[:ph.n]
	if len(d) < fixedDigits || d[0] != 0 || d[1] == 0 {
		return false
	}
	// The leading 3 and 4 digits as numbers (d holds 10 or more).
	p3 := int(d[0])*100 + int(d[1])*10 + int(d[2])
	p4 := p3*10 + int(d[3])
	lens := ph.lens[:ph.ng]
	grouped := len(lens) > 1
	shape := func(want ...int) bool {
		if !grouped {
			return true
		}
		if len(lens) != len(want) {
			return false
		}
		for i := range want {
			if lens[i] != want[i] {
				return false
			}
		}
		return true
	}
	switch {
	case p3 == 60 || p3 == 70 || p3 == 80 || p3 == 90 || p3 == 50 || p3 == 20:
		// 0A0: mobile, PHS, IP, M2M, 11 digits (0800 is toll-free, below).
		if p4 == 800 {
			return len(d) == mobileDigits && shape(4, 3, 4)
		}
		return len(d) == mobileDigits && shape(3, 4, 4)
	case p4 == 120 || p4 == 570 || p4 == 990:
		// 0120 / 0570 / 0990: 10 digits, 4-3-3 or 4-2-4 (0120-12-3456).
		return len(d) == fixedDigits && (shape(4, 3, 3) || shape(4, 2, 4))
	}
	if len(d) != fixedDigits {
		return false
	}
	if !grouped {
		return true
	}
	// Fixed line: area code (2–5 digits with the trunk 0) + local exchange
	// (1–4 digits) = 6 digits, then the 4-digit subscriber number. Two-digit
	// area codes exist only for Tokyo (03), Osaka (06) and parts of Chiba and
	// Saitama (04).
	if len(lens) != 3 || lens[2] != 4 || lens[0]+lens[1] != 6 || lens[0] < 2 || lens[0] > 5 {
		return false
	}
	if lens[0] == 2 && d[1] != 3 && d[1] != 4 && d[1] != 6 {
		return false
	}
	if lens[0] > 2 && (d[1] == 3 || d[1] == 6) {
		// 03 and 06 are the whole area code: "031-234-5678" is no number.
		return false
	}
	return true
}

// Phone confidences: the numbering plan rejects most digit strings, the
// written grouping or a +81 prefix makes a coincidence rare, and a bare
// 10-digit run is the weakest shape (many identifiers start with 0).
const (
	confPhoneKeyed   = 0.97
	confPhoneGrouped = 0.92
	confPhoneMobile  = 0.85
	confPhoneFixed   = 0.7
)

// phoneValue reports whether s is a whole phone number as phoneFromGroups reads one at its
// start, in the common shapes: ten or eleven digits (ASCII or full-width) starting with 0, or
// three groups of them joined by one kind of separator, '-', ' ' or '－', that validPhone
// accepts whole. It is false for a first group of four followed by one of four or six,
// which the card (and My Number) detectors are asked about too.
func phoneValue(s string) bool {
	var ph phoneNum
	var sep rune
	for i := 0; ; {
		a := ph.n
		for i < len(s) {
			var d byte
			if c := s[i]; c-'0' < 10 {
				d, i = c-'0', i+1
			} else if c == fwLead && i < len(s)-2 && s[i+1] == fwMid && s[i+2]-fwDigit0 < 10 {
				d, i = s[i+2]-fwDigit0, i+3
			} else {
				break
			}
			if ph.n < len(ph.d) {
				ph.d[ph.n] = d
			}
			ph.n++
		}
		if ph.n == a || ph.ng == 3 {
			return false
		}
		ph.lens[ph.ng] = ph.n - a
		ph.ng++
		if i == len(s) {
			break
		}
		var r rune
		if c := s[i]; c == '-' || c == ' ' {
			r = rune(c)
			i++
		} else if strings.HasPrefix(s[i:], "－") {
			r = '－'
			i += len("－")
		} else {
			return false
		}
		if sep != 0 && r != sep {
			return false
		}
		sep = r
	}
	if ph.ng != 1 && ph.ng != 3 || ph.n > len(ph.d) || ph.ng == 3 && ph.lens[0] == 4 && (ph.lens[1] == 4 || ph.lens[1] == 6) {
		return false
	}
	return validPhone(&ph)
}

// phoneMarkValue reports whether s is a whole phone number that starts with '(' and the
// trunk 0 ("(03)1234-5678") or with "+81", as parsePhoneAt reads it from the digit run
// after the mark, which is what phoneOnDigits does there: the run is one atDigits asks the
// phone detector about (two, three, five, ten or eleven digits, four only before ')', and
// for "+81" twelve or thirteen too), and no other detector of its length but the card's,
// which four digits before ')' do not start.
func phoneMarkValue(s string) bool {
	if len(s) < fixedDigits+1 || s[0] != '(' && s[0] != '+' {
		return false
	}
	n := 1
	for n < len(s) && s[n]-'0' < 10 {
		n++
	}
	n--
	if s[0] == '(' && s[1] != '0' || s[0] == '+' && (n < 2 || s[1] != '8' || s[2] != '1') {
		return false
	}
	switch n {
	case 2, 3, 5, 10, 11:
	case 4:
		if s[0] != '(' || s[5] != ')' {
			return false
		}
	case 12, 13:
		if s[0] != '+' {
			return false
		}
	default:
		return false
	}
	ph, ok := parsePhoneAt(s, 1)
	return ok && ph.start == 0 && ph.end == len(s)
}

// phoneOnDigits is the phone detector's digit-run trigger; g holds the groups read at p.
func phoneOnDigits(st *state, p int, g *digitGroups) (Finding, bool) {
	// Domestic numbers start with the trunk 0; "+81" starts with 8.
	if st.runFirst != 0 && st.runFirst != 8 || st.runLen > mobileDigits+2 {
		return Finding{}, false
	}
	ph, ok := phoneFromGroups(st.s, p, g)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(p)
	if kc.denies(kPhone) {
		return Finding{}, false
	}
	f := Finding{Type: Phone, Start: ph.start, End: ph.end}
	switch {
	case kc.hints(kPhone):
		f.Confidence, f.Reason = confPhoneKeyed, "jp-phone-shape; key phone"
	case ph.intl:
		f.Confidence, f.Reason = confPhoneGrouped, "jp-phone-shape(+81)"
	case ph.ng > 1:
		f.Confidence, f.Reason = confPhoneGrouped, "jp-phone-shape(grouped)"
	case ph.n == mobileDigits:
		f.Confidence, f.Reason = confPhoneMobile, "jp-phone-shape(mobile)"
	default:
		f.Confidence, f.Reason = confPhoneFixed, "jp-phone-shape(fixed)"
	}
	return f, true
}
