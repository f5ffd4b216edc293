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

// parseMyNumberAt parses 12 digits, plain or in three groups of four with
// one kind of separator, starting at the digit run p.
func parseMyNumberAt(s string, p int) (start, end int, grouped, ok bool) {
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

func myNumberOnDigits(st *state, p int) (Finding, bool) {
	if st.runLen != myNumberDigits && st.runLen != 4 {
		return Finding{}, false
	}
	start, end, grouped, ok := parseMyNumberAt(st.s, p)
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
