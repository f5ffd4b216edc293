package detect

// My Number (個人番号): 12 digits, the last a check digit computed as the
// 行政手続における特定の個人を識別するための番号の利用等に関する法律施行令
// (Cabinet Order) Article 8 prescribes, written plain or 4-4-4.

const myNumberDigits = 12

// myNumberCheck reports whether 12 digits carry a valid 個人番号 check digit:
// with P(n) the n-th digit counting leftwards from the one before the check
// digit and Q(n) = n+1 for n ≤ 6, n−5 for n ≥ 7, the check digit is
// 11 − (ΣP(n)Q(n) mod 11), or 0 when the remainder is 0 or 1.
func myNumberCheck(d []byte) bool {
	if len(d) != myNumberDigits {
		return false
	}
	sum := 0
	for n := 1; n <= 11; n++ {
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += int(d[11-n]) * q
	}
	r := sum % 11
	want := 0
	if r > 1 {
		want = 11 - r
	}
	return int(d[11]) == want
}

// myNumberFromGroups parses 12 digits, plain or in three groups of four with
// one separator (the same rune twice), from the groups read at the digit run p.
func myNumberFromGroups(s string, p int, g *digitGroups) (start, end int, grouped, ok bool) {
	if digitBefore(s, p) {
		return 0, 0, false, false
	}
	switch {
	case g.lens[0] == myNumberDigits:
		end = g.ends[0]
	case g.ng >= 3 && g.lens[0] == 4 && g.lens[1] == 4 && g.lens[2] == 4 && g.seps[1].r == g.seps[0].r:
		// (Three groups were read: a separator and a digit follow the first two.)
		end, grouped = g.ends[2], true
	default:
		return 0, 0, false, false
	}
	if numberGlued(s, p, end) {
		return 0, 0, false, false
	}
	var d [myNumberDigits]byte
	g.digits(s, p, d[:])
	return p, end, grouped, myNumberCheck(d[:])
}

// myNumberValue reports whether s is, whole, a My Number as atDigits and myNumberOnDigits
// read one at its start: twelve ASCII digits, or 4-4-4 after a first group of four that
// groupFollows (which the card detector, asked first there, must not take: cardFromGroups
// fails on it), with a valid check digit.
func myNumberValue(s string) bool {
	n := 0
	for n < len(s) && s[n]-'0' < 10 {
		n++
	}
	var g digitGroups
	switch {
	case n == myNumberDigits && n == len(s):
		g.readGroups(s, 0, n, n)
	case n == 4 && len(s) > 4 && (s[4] == ' ' || s[4] == '-') && groupFollows(s, 4):
		g.readGroups(s, 0, n, n)
		if _, ok := cardFromGroups(s, 0, &g); ok {
			return false
		}
	default:
		return false
	}
	start, end, _, ok := myNumberFromGroups(s, 0, &g)
	return ok && start == 0 && end == len(s)
}

// Confidences. The check digit alone passes about one random 12-digit
// number in ten (tracking and order numbers are 12 digits too), so a bare
// number needs a word for it nearby; a My Number key or label makes it
// near-certain.
const (
	confMyNumberKeyed   = 0.98
	confMyNumberLabel   = 0.95
	confMyNumberGrouped = 0.6
	// myNumberLabelWindow is how far back (bytes) a label may sit: "個人番号
	// (マイナンバー)：" plus spaces.
	myNumberLabelWindow = 48
)

var myNumberLabels = newLabelSet("マイナンバー", "個人番号", "my number", "My Number", "MY NUMBER", "mynumber", "my_number", "MyNumber")

// myNumberOnDigits is the My Number detector's digit-run trigger; g holds the groups read at p.
func myNumberOnDigits(st *state, p int, g *digitGroups) (Finding, bool) {
	if st.runLen != myNumberDigits && st.runLen != 4 {
		return Finding{}, false
	}
	start, end, grouped, ok := myNumberFromGroups(st.s, p, g)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(p)
	if kc.denies(kMyNumber) {
		return Finding{}, false
	}
	f := Finding{Type: MyNumber, Start: start, End: end}
	switch {
	case kc.hints(kMyNumber):
		f.Confidence, f.Reason = confMyNumberKeyed, "mynumber-checkdigit; key my_number"
	case labelBefore(st.s, p, myNumberLabelWindow, myNumberLabels):
		f.Confidence, f.Reason = confMyNumberLabel, "mynumber-checkdigit; label"
	case grouped && !negativeLabelBefore(st.s, p):
		f.Confidence, f.Reason = confMyNumberGrouped, "mynumber-checkdigit(4-4-4)"
	default:
		return Finding{}, false
	}
	return f, true
}
