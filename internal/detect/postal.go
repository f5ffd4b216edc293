package detect

// Japanese postal codes (郵便番号): 7 digits written NNN-NNNN, ASCII or
// full-width, with any dash Japanese text uses, or as 7 plain digits. A
// NNN-NNNN shape is a postal code after 〒, under a postal key or label, or
// when an address follows; 7 plain digits only under a postal key, label or
// 〒.

// Confidences: 〒 is unambiguous, a key nearly so; NNN-NNNN before a
// prefecture is how every Japanese address starts.
const (
	confPostalMark    = 0.99
	confPostalKeyed   = 0.97
	confPostalAddress = 0.93
	// postalLabelWindow is how far back a label such as 郵便番号 may sit.
	postalLabelWindow = 24
)

var postalLabels = newLabelSet("郵便番号", "〒", "zip", "Zip", "ZIP", "postal", "Postal", "POSTAL", "postcode")

// postalFromGroups parses NNN-NNNN (any dash) or NNNNNNN from the groups read at
// the digit run p.
func postalFromGroups(s string, p int, g *digitGroups) (end int, hyphen, ok bool) {
	if digitBefore(s, p) {
		return 0, false, false
	}
	switch {
	case g.lens[0] == 7:
		end = g.ends[0]
	case g.lens[0] == 3 && g.seps[0].k == sepHyphen && g.lens[1] == 4:
		end, hyphen = g.ends[1], true
	default:
		return 0, false, false
	}
	// 000-xxxx is unassigned: Japan Post codes start at 001. (The first group
	// holds the three digits.)
	d0, w0 := digitAt(s, p)
	d1, w1 := digitAt(s, p+w0)
	if d2, _ := digitAt(s, p+w0+w1); d0 == 0 && d1 == 0 && d2 == 0 {
		return 0, false, false
	}
	if numberGlued(s, p, end) {
		return 0, false, false
	}
	return end, hyphen, true
}

// postalOnDigits is the postal code detector's digit-run trigger; g holds the groups
// read at p.
func postalOnDigits(st *state, p int, g *digitGroups) (Finding, bool) {
	if st.runLen != 3 && st.runLen != 7 {
		return Finding{}, false
	}
	end, hyphen, ok := postalFromGroups(st.s, p, g)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(p)
	if kc.denies(kPostal) {
		return Finding{}, false
	}
	f := Finding{Type: PostalCode, Start: p, End: end}
	switch {
	case markBefore(st.s, p):
		f.Confidence, f.Reason = confPostalMark, "postal-shape; mark 〒"
	case kc.hints(kPostal):
		f.Confidence, f.Reason = confPostalKeyed, "postal-shape; key postal_code"
	case labelBefore(st.s, p, postalLabelWindow, postalLabels):
		f.Confidence, f.Reason = confPostalKeyed, "postal-shape; label"
	case hyphen && prefectureAfter(st.s, end):
		f.Confidence, f.Reason = confPostalAddress, "postal-shape; address follows"
	default:
		return Finding{}, false
	}
	return f, true
}

// postalValue reports whether s is a whole postal code of the common shapes, NNN-NNNN or
// NNNNNNN in ASCII digits, not starting with 0 (which would also start a phone number).
func postalValue(s string) bool {
	switch len(s) {
	case 8:
		return s[0]-'1' < 9 && s[1]-'0' < 10 && s[2]-'0' < 10 && s[3] == '-' &&
			s[4]-'0' < 10 && s[5]-'0' < 10 && s[6]-'0' < 10 && s[7]-'0' < 10
	case 7:
		return s[0]-'1' < 9 && s[1]-'0' < 10 && s[2]-'0' < 10 && s[3]-'0' < 10 &&
			s[4]-'0' < 10 && s[5]-'0' < 10 && s[6]-'0' < 10
	}
	return false
}

// markBefore reports whether 〒 (or its circled form 〶) precedes p, with at
// most one space between.
func markBefore(s string, p int) bool {
	r, w := runeBefore(s, p)
	if isSpaceRune(r) {
		r, _ = runeBefore(s, p-w)
	}
	return r == '〒' || r == '〶'
}

// prefectureAfter reports whether a prefecture name starts at p, after at
// most two blanks.
func prefectureAfter(s string, p int) bool {
	for n := 0; n < 2; n++ {
		r, w := runeAt(s, p)
		if !isSpaceRune(r) {
			break
		}
		p += w
	}
	_, ok := prefectureAt(s, p)
	return ok
}
