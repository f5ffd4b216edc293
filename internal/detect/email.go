package detect

import "strings"

// Email addresses: local@domain with the @ written as '@', full-width '＠'
// or percent-encoded "%40" (a query string: "?email=taro%40example.jp").
// Full-width letters, digits and dots count as their ASCII forms. The domain
// needs at least two labels and an alphabetic top-level label that is not a
// file extension ("icon@2x.png" is a file name).

const (
	maxLocalBytes  = 64 * 3 // RFC 5321 64 characters, full-width ones 3 bytes
	maxDomainBytes = 253 * 3
)

// asciiOf maps a full-width ASCII form (U+FF01..U+FF5E) to ASCII and leaves
// ASCII alone; anything else gives 0.
func asciiOf(r rune) rune {
	if r < 0x80 {
		return r
	}
	if r >= 0xFF01 && r <= 0xFF5E {
		return r - 0xFEE0
	}
	return 0
}

func isLocalChar(c rune) bool {
	return isASCIIAlnum(c) || c == '.' || c == '_' || c == '+' || c == '-'
}

// emailBytes classes ASCII bytes for the address loops: emLocal for a local part's
// letters, digits and . _ + - (isLocalChar), emAlnum for letters and digits. Built once;
// read-only.
var emailBytes = func() (t [256]uint8) {
	for c := range 0x80 {
		if isLocalChar(rune(c)) {
			t[c] |= emLocal
		}
		if isASCIIAlnum(rune(c)) {
			t[c] |= emAlnum
		}
	}
	return t
}()

const (
	emLocal = 1 << iota
	emAlnum
)

func isHex(c byte) bool {
	return c-'0' < 10 || (c|0x20)-'a' < 6
}

func unhex(c byte) byte {
	if c <= '9' {
		return c - '0'
	}
	return (c | 0x20) - 'a' + 10
}

// parseEmailAt parses the address around the @ at at (width w).
func parseEmailAt(s string, at, w, floor int) (start, end int, ok bool) {
	// Local part, leftwards, not into the previous finding.
	i := at
	for at-i < maxLocalBytes && i > floor {
		// ASCII letters, digits and . _ + - in a loop of their own (most addresses are
		// ASCII throughout), each tested from a table; a byte two before which is a '%'
		// may end a percent escape and goes to the general steps below, like anything
		// else.
		for at-i < maxLocalBytes && i > floor && emailBytes[s[i-1]]&emLocal != 0 && (i-3 < floor || s[i-3] != '%') {
			i--
		}
		if at-i >= maxLocalBytes || i <= floor {
			break
		}
		// A percent escape: "%2B" is '+', part of the local part; "%3D" is
		// '=', which ends it.
		if i-3 >= floor && s[i-3] == '%' && isHex(s[i-2]) && isHex(s[i-1]) {
			c := rune(unhex(s[i-2])<<4 | unhex(s[i-1]))
			if !isLocalChar(c) {
				break
			}
			i -= 3
			continue
		}
		// ASCII without decoding: most addresses are ASCII throughout.
		if c := s[i-1]; c < 0x80 {
			if !isLocalChar(rune(c)) {
				break
			}
			i--
			continue
		}
		r, rw := runeBefore(s, i)
		if !isLocalChar(asciiOf(r)) {
			break
		}
		i -= rw
	}
	// Leading dots are punctuation, not address ("….taro@").
	for i < at {
		r, rw := runeAt(s, i)
		if asciiOf(r) != '.' {
			break
		}
		i += rw
	}
	if i == at {
		return 0, 0, false
	}
	// "a@b@c.jp" is no address, and a local part needs a letter or digit.
	if r, _ := runeBefore(s, i); r == '@' || r == '＠' || !hasAlnum(s[i:at]) {
		return 0, 0, false
	}
	start = i
	if r, _ := runeBefore(s, at); asciiOf(r) == '.' {
		return 0, 0, false
	}
	// Domain, rightwards: labels of letters, digits and '-', joined by dots.
	j := at + w
	labels := 0
	labelLen := 0
	lastDot, prevDot := -1, -1
	prev := rune('.')
	end = j
	for j < len(s) && j-at < maxDomainBytes {
		if emailBytes[s[j]]&emAlnum != 0 {
			// A run of ASCII letters and digits in a loop of its own: what the general
			// step below does for each of them (a letter or digit is neither '.' nor '-',
			// so it is all prev needs to know).
			if labelLen == 0 {
				labels++
			}
			k := j + 1
			for k < len(s) && k-at < maxDomainBytes && emailBytes[s[k]]&emAlnum != 0 {
				k++
			}
			labelLen += k - j
			j, end, prev = k, k, 'a'
			continue
		}
		c, rw := rune(s[j]), 1
		if c >= 0x80 {
			var r rune
			r, rw = runeAt(s, j)
			c = asciiOf(r)
		}
		switch {
		case isASCIIAlnum(c) || c == '-':
			if prev == '.' && c == '-' {
				return 0, 0, false
			}
			if labelLen == 0 {
				labels++
			}
			labelLen++
			j += rw
			if c != '-' {
				end = j
			}
		case c == '.' && prev != '.' && labelLen > 0:
			if prev == '-' {
				return 0, 0, false
			}
			prevDot, lastDot = lastDot, j+rw // start of the next label
			labelLen = 0
			j += rw
		default:
			goto done
		}
		prev = c
	}
done:
	// A trailing dot ends the sentence, not the domain.
	if labelLen == 0 {
		lastDot = prevDot
	}
	if labels < 2 || lastDot < 0 || lastDot >= end {
		return 0, 0, false
	}
	tld := s[lastDot:end]
	if n := tldLetters(tld); n < 2 || n > 24 || fileExtension(tld) {
		return 0, 0, false
	}
	// Glued on the right to more address-like text is not an address.
	if r, _ := runeAt(s, end); isASCIIAlnum(asciiOf(r)) || r == '@' {
		return 0, 0, false
	}
	return start, end, true
}

// tldLetters returns how many characters t has when all are letters (ASCII or full-width),
// else 0: one pass where a test for letters and a count of characters (twice) took three.
func tldLetters(t string) int {
	n := 0
	for _, r := range t {
		c := asciiOf(r)
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return 0
		}
		n++
	}
	return n
}

// fileExtensions are top-level labels that, after an @, name a file or an
// asset ("logo@2x.png", "pkg@1.2.min.js") rather than a mail domain.
var fileExtensions = []string{
	"png", "jpg", "jpeg", "gif", "svg", "webp", "bmp", "ico", "css", "js", "mjs", "map", "html", "htm",
	"json", "xml", "txt", "csv", "pdf", "zip", "gz", "tgz", "md", "go", "py", "rb", "php", "ts", "tsx", "jsx",
	"vue", "yml", "yaml", "toml", "lock", "woff", "woff2", "ttf", "otf", "eot", "mp4", "mp3", "wav", "log",
	"sh", "exe", "dll", "so", "jar", "war", "tar", "xz", "bz2", "rs", "java", "kt", "swift", "scss", "less",
}

// fileExtensionLead[(n-2)*676+a*26+b] is set when a file extension of n letters starts with
// the letters a, b (0 for 'a'). Built once; read-only.
var fileExtensionLead = func() *[4 * 26 * 26]bool {
	var t [4 * 26 * 26]bool
	for _, e := range fileExtensions {
		t[(len(e)-2)*26*26+int(e[0]-'a')*26+int(e[1]-'a')] = true
	}
	return &t
}()

// fileExtensionSet is fileExtensions as a set. Built once; read-only.
var fileExtensionSet = func() map[string]bool {
	m := make(map[string]bool, len(fileExtensions))
	for _, e := range fileExtensions {
		m[e] = true
	}
	return m
}()

func fileExtension(t string) bool {
	if len(t) > 5 {
		return false
	}
	// The length and the first two letters rule out nearly every real top-level domain
	// (jp, com, net) without hashing it.
	if len(t) >= 2 {
		if c0, c1 := t[0]|0x20-'a', t[1]|0x20-'a'; c0 < 26 && c1 < 26 && !fileExtensionLead[(len(t)-2)*26*26+int(c0)*26+int(c1)] {
			return false
		}
	}
	var b [5]byte
	for i := 0; i < len(t); i++ {
		b[i] = t[i] | 0x20
	}
	return fileExtensionSet[string(b[:len(t)])]
}

// Confidences: the syntax is specific; a percent-encoded @ could also be a
// literal "%40" in some other encoding, so it scores a little lower.
const (
	confEmail        = 0.97
	confEmailKeyed   = 0.99
	confEmailEncoded = 0.95
)

// emailOnAt is the email detector's trigger: '@', '＠' or "%40" at p.
func emailOnAt(st *state, p, w int) (Finding, bool) {
	start, end, ok := parseEmailAt(st.s, p, w, st.floor)
	if !ok {
		return Finding{}, false
	}
	kc := st.contextAt(start)
	if kc.denies(kEmail) {
		return Finding{}, false
	}
	f := Finding{Type: Email, Start: start, End: end, Confidence: confEmail, Reason: "email-syntax"}
	switch {
	case kc.hints(kEmail):
		f.Confidence, f.Reason = confEmailKeyed, "email-syntax; key email"
	case w == 3 && st.s[p] == '%':
		f.Confidence, f.Reason = confEmailEncoded, "email-syntax(percent-encoded)"
	case w == 3:
		f.Reason = "email-syntax(full-width)"
	}
	return f, true
}

// emailValue reports whether s is, whole, an address as the scan finds one in it: ASCII, one
// '@'; a local part of letters, digits and . _ + - that starts with no dot, ends with none
// and holds a letter or digit, with no run of digits a card may start at (thirteen or more,
// or four before a dash); a domain of two labels or more of letters, digits and inner
// dashes joined by single dots, the last of two to 24 letters and no file extension.
func emailValue(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at >= maxLocalBytes || len(s)-at >= maxDomainBytes || s[0] == '.' || s[at-1] == '.' {
		return false
	}
	alnum := false
	for i := 0; i < at; {
		c := s[i]
		if emailBytes[c]&emLocal == 0 {
			return false
		}
		if c-'0' < 10 {
			j := i + 1
			for j < at && s[j]-'0' < 10 {
				j++
			}
			if j-i >= 13 || j-i == 4 && s[j] == '-' {
				return false
			}
			i, alnum = j, true
			continue
		}
		if emailBytes[c]&emAlnum != 0 {
			alnum = true
		}
		i++
	}
	if !alnum {
		return false
	}
	// The domain: labels of letters, digits and dashes, no dash next to a dot or at the
	// end, no empty label.
	labels, last := 1, at+1
	for i := at + 1; i < len(s); i++ {
		switch c := s[i]; {
		case emailBytes[c]&emAlnum != 0:
		case c == '-':
			if i == last || i+1 == len(s) || s[i+1] == '.' {
				return false
			}
		case c == '.':
			if i == last || i+1 == len(s) {
				return false
			}
			labels, last = labels+1, i+1
		default:
			return false
		}
	}
	if labels < 2 || last >= len(s) {
		return false
	}
	tld := s[last:]
	if n := tldLetters(tld); n < 2 || n > 24 || fileExtension(tld) {
		return false
	}
	return true
}

func hasAlnum(t string) bool {
	for _, r := range t {
		if isASCIIAlnum(asciiOf(r)) {
			return true
		}
	}
	return false
}
