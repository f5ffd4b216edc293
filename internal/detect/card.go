package detect

// Card numbers (PAN): 13–19 digits, ASCII or full-width, written as one run
// or in groups separated by single spaces or single dashes of one kind,
// Luhn-valid, in a known issuer range with that issuer's lengths.

// Card number limits (ISO/IEC 7812: a PAN has 8–19 digits; the issuers kinko
// knows issue 13–19).
const (
	minCardDigits = 13
	maxCardDigits = 19
	// maxCardGroups bounds a grouped card: 4-4-4-4-3 is the longest layout.
	maxCardGroups = 5
)

// cardNum is a parsed card candidate.
type cardNum struct {
	start, end int
	d          [maxCardDigits]byte
	n          int
	grouped    bool
	issuer     string
}

// parseCardAt parses a card number whose first digit is at s[p] (the first
// digit of a digit run) and validates it. It returns ok=false for anything
// that is not a valid card, including a card-looking prefix of a longer run
// or of a longer dash-joined identifier.
func parseCardAt(s string, p int) (cardNum, bool) {
	var g digitGroups
	g.readGroupsAt(s, p)
	return cardFromGroups(s, p, &g)
}

// cardFromGroups is parseCardAt on the groups read at p.
func cardFromGroups(s string, p int, g *digitGroups) (c cardNum, ok bool) {
	if digitBefore(s, p) {
		return c, false
	}
	c.start = p
	lens, ends := &g.lens, &g.ends
	nd, ng := 0, 0
	var sepK sepKind
	var sepR rune
	for ng < g.ng {
		// One group of digits.
		gl := lens[ng]
		if nd+gl > maxCardDigits+4 {
			// A run longer than any card: a card-looking substring of a
			// longer number is not a card. A long word after
			// space-separated groups only ends the groups.
			if ng == 0 || sepK == sepHyphen {
				return c, false
			}
			break
		}
		nd += gl
		ng++
		if ng == 1 && gl >= minCardDigits {
			// A single unbroken run is the card or nothing.
			break
		}
		sp := g.seps[ng-1]
		if sp.k == sepNone {
			break
		}
		if sepK != sepNone && (sp.k != sepK || sp.r != sepR) {
			// "1234-5678 9012": mixed separators are two things, not one card.
			break
		}
		if ng == maxCardGroups || nd > maxCardDigits {
			if sp.k == sepHyphen {
				return c, false // a dash chain longer than a card
			}
			break
		}
		sepK, sepR = sp.k, sp.r
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
		if numberGlued(s, c.start, c.end) {
			return c, false
		}
		g.digits(s, p, c.d[:c.n])
		c.issuer, ok = validCard(c.d[:c.n])
		return c, ok
	}
	c.grouped = true
	total := 0
	for k := 0; k < ng; k++ {
		total += lens[k]
	}
	for k := ng - 1; k >= 1; k-- {
		if sepK == sepHyphen && k != ng-1 {
			return c, false
		}
		if total >= minCardDigits && total <= maxCardDigits && cardLayout(lens[:k+1]) {
			c.end, c.n = ends[k], total
			if !numberGlued(s, c.start, c.end) {
				g.digits(s, p, c.d[:c.n])
				if c.issuer, ok = validCard(c.d[:c.n]); ok {
					return c, true
				}
			}
		}
		total -= lens[k]
	}
	return c, false
}

// cardLayout reports whether group lengths follow a printed card layout:
// fours with a shorter or equal last group (4-4-4-4, 4-4-4-4-3, 4-4-4-1…),
// Amex 4-6-5, Diners 4-6-4.
func cardLayout(lens []int) bool {
	if len(lens) < 2 {
		return false
	}
	if len(lens) == 3 && lens[0] == 4 && lens[1] == 6 && (lens[2] == 5 || lens[2] == 4) {
		return true
	}
	for i, l := range lens {
		if i < len(lens)-1 && l != 4 {
			return false
		}
		if i == len(lens)-1 && (l < 1 || l > 4) {
			return false
		}
	}
	return true
}

// luhn reports whether d (digit values) passes the Luhn mod-10 check.
func luhn(d []byte) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		v := int(d[i])
		if double {
			v *= 2
			if v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// ean13 reports whether 13 digits carry a valid EAN-13 (JAN) check digit.
func ean13(d []byte) bool {
	if len(d) != 13 {
		return false
	}
	sum := 0
	for i := 0; i < 12; i++ {
		w := 1
		if i%2 == 1 {
			w = 3
		}
		sum += int(d[i]) * w
	}
	return (10-sum%10)%10 == int(d[12])
}

// validCard checks issuer range, issuer length and Luhn; it returns the
// issuer's name.
func validCard(d []byte) (string, bool) {
	n := len(d)
	if n < minCardDigits || n > maxCardDigits {
		return "", false
	}
	issuer := cardIssuer(d)
	if issuer == "" || !luhn(d) {
		return "", false
	}
	// A 13-digit Visa shares its length and leading 4 with JAN/EAN-13
	// barcodes (45/49 are Japan's); 13-digit Visa cards are no longer
	// issued, so a 13-digit number that is a valid barcode is a barcode.
	if n == 13 && ean13(d) {
		return "", false
	}
	// A number of one repeated digit is a placeholder, not a card.
	same := true
	for _, v := range d[1:] {
		if v != d[0] {
			same = false
			break
		}
	}
	if same {
		return "", false
	}
	return issuer, true
}

// cardIssuer returns the issuer whose range and lengths d (minCardDigits digits
// or more) falls in, or "". Ranges from the issuers' published BIN tables (2024).
func cardIssuer(d []byte) string {
	n := len(d)
	// The leading 2, 3, 4 and 6 digits as numbers, each from the one before.
	_ = d[5]
	p2 := int(d[0])*10 + int(d[1])
	p3 := p2*10 + int(d[2])
	p4 := p3*10 + int(d[3])
	p6 := (p4*10+int(d[4]))*10 + int(d[5])
	switch {
	case d[0] == 4:
		if n == 13 || n == 16 || n == 19 {
			return "visa"
		}
	case p2 >= 51 && p2 <= 55, p4 >= 2221 && p4 <= 2720:
		if n == 16 {
			return "mastercard"
		}
	case p4 >= 3528 && p4 <= 3589:
		if n >= 16 && n <= 19 {
			return "jcb"
		}
	case p2 == 34 || p2 == 37:
		if n == 15 {
			return "amex"
		}
	case p3 >= 300 && p3 <= 305, p2 == 36, p2 == 38, p2 == 39:
		if n >= 14 && n <= 19 {
			return "diners"
		}
	case p4 == 6011, p3 >= 644 && p3 <= 649, p2 == 65, p6 >= 622126 && p6 <= 622925:
		if n >= 16 && n <= 19 {
			return "discover"
		}
	case p2 == 62:
		if n >= 16 && n <= 19 {
			return "unionpay"
		}
	}
	return ""
}

// Card confidences: Luhn alone passes one random number in ten, the issuer
// range and length cut that further; a printed layout or a card key makes a
// coincidence implausible.
const (
	confCard        = 0.95
	confCardGrouped = 0.97
	confCardKeyed   = 0.99
	confCard13      = 0.85
)

// cardReasons are precomputed so that Scan does not allocate.
var cardReasons = map[string][2]string{
	"visa": {"luhn+issuer(visa)", "luhn+issuer(visa); key card"}, "mastercard": {"luhn+issuer(mastercard)", "luhn+issuer(mastercard); key card"},
	"jcb": {"luhn+issuer(jcb)", "luhn+issuer(jcb); key card"}, "amex": {"luhn+issuer(amex)", "luhn+issuer(amex); key card"},
	"diners": {"luhn+issuer(diners)", "luhn+issuer(diners); key card"}, "discover": {"luhn+issuer(discover)", "luhn+issuer(discover); key card"},
	"unionpay": {"luhn+issuer(unionpay)", "luhn+issuer(unionpay); key card"},
}

// cardValue returns cardOnDigits' finding under a card key for a card number that is the
// whole of s as atDigits reads one at its start: 13 to 19 ASCII digits, or groups from a
// first one of four followed by a blank or a dash and a group of four or six (groupFollows),
// read and parsed as atDigits and cardOnDigits do. ok is false for anything else, and for
// a card that does not fill s.
func cardValue(s string) (f Finding, ok bool) {
	n := 0
	for n < len(s) && s[n]-'0' < 10 {
		n++
	}
	var g digitGroups
	switch {
	case n == len(s) && n >= minCardDigits && n <= maxCardDigits:
	case n == 4 && len(s) > 4 && (s[4] == ' ' || s[4] == '-') && groupFollows(s, 4):
	default:
		return f, false
	}
	g.readGroups(s, 0, n, n)
	c, ok := cardFromGroups(s, 0, &g)
	if !ok || c.start != 0 || c.end != len(s) {
		return f, false
	}
	return Finding{Type: CardNumber, Start: 0, End: len(s), Confidence: confCardKeyed, Reason: cardReasons[c.issuer][1]}, true
}

// cardOnDigits is the card detector's digit-run trigger; g holds the groups read at p.
func cardOnDigits(st *state, p int, g *digitGroups) (Finding, bool) {
	// A card is one run of 13–19 digits or starts with a group of four.
	if st.runLen != 4 && (st.runLen < minCardDigits || st.runLen > maxCardDigits) {
		return Finding{}, false
	}
	c, ok := cardFromGroups(st.s, p, g)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(p)
	if kc.denies(kCard) {
		return Finding{}, false
	}
	conf := confCard
	switch {
	case kc.hints(kCard):
		conf = confCardKeyed
	case c.n == 13:
		conf = confCard13
	case c.grouped:
		conf = confCardGrouped
	}
	r := cardReasons[c.issuer]
	reason := r[0]
	if kc.hints(kCard) {
		reason = r[1]
	}
	return Finding{Type: CardNumber, Start: c.start, End: c.end, Confidence: conf, Reason: reason}, true
}

// ContainsCard reports whether s contains a card number. It is the vault's
// write-path check for every string value that enters, so it is
// allocation-free and returns after one byte scan when s holds no digit.
// Unlike Engine.Scan it ignores context: a card number is refused whatever
// the field is called.
func ContainsCard(s string) bool {
	for i := 0; i < len(s); {
		j := nextDigit(s, i)
		if j < 0 {
			return false
		}
		if _, ok := parseCardAt(s, j); ok {
			return true
		}
		i = skipDigits(s, j)
	}
	return false
}

// FindCards returns the card numbers in s, without context, sorted by Start.
func FindCards(s string) []Finding {
	var out []Finding
	for i := 0; i < len(s); {
		j := nextDigit(s, i)
		if j < 0 {
			break
		}
		if c, ok := parseCardAt(s, j); ok {
			conf := confCard
			if c.n == 13 {
				conf = confCard13
			} else if c.grouped {
				conf = confCardGrouped
			}
			out = append(out, Finding{Type: CardNumber, Start: c.start, End: c.end, Confidence: conf, Reason: cardReasons[c.issuer][0]})
			i = c.end
			continue
		}
		i = skipDigits(s, j)
	}
	return out
}

// nextDigit returns the index of the first digit (ASCII or full-width) at or
// after i, or -1.
func nextDigit(s string, i int) int {
	for ; i < len(s); i++ {
		c := s[i]
		if c-'0' < 10 {
			return i
		}
		if c == fwLead && i+2 < len(s) && s[i+1] == fwMid && s[i+2]-fwDigit0 < 10 {
			return i
		}
	}
	return -1
}

// skipDigits returns the index just past the digit run starting at i.
func skipDigits(s string, i int) int {
	for i < len(s) {
		_, w := digitAt(s, i)
		if w == 0 {
			break
		}
		i += w
	}
	return i
}
