package detect

import "strings"

// Birth dates: a real calendar date written 西暦 (1985/4/1, 1985-04-01,
// 1985.4.1, 1985年4月1日, 19850401 under a birth key) or 和暦 (昭和60年4月1日,
// 平成元年4月1日, S60.4.1, H2/3/4), reported only when context says it is a
// birth date: a birth key or column, or a label such as 生年月日, 誕生日,
// birthday, DOB before it, or 生まれ after it. Any other date is not
// personal data.

// Plausible birth years: the oldest living people were born around 1910,
// and nobody registers an account before being born (the upper bound leaves
// room for the clock; the test pins no year).
const (
	minBirthYear = 1900
	maxBirthYear = 2100
	// birthLabelWindow is how far back (bytes) a label may sit: "生年月日
	// (西暦)：" plus blanks.
	birthLabelWindow = 40
	// birthSuffixWindow is how far after the date 生まれ may follow.
	birthSuffixWindow = 12
	// maxDateBytes bounds a date's length from its first digit: an era
	// year, 年, month, 月, day and 日 with full-width digits are 27 bytes.
	maxDateBytes = 27
)

// era is a Japanese era: its names and the Gregorian year of its year 1.
type era struct {
	kanji  string
	letter byte
	base   int // Gregorian year = base + era year
	max    int // last year of the era (0: current era)
}

var eras = [...]era{
	{"明治", 'M', 1867, 45}, {"大正", 'T', 1911, 15}, {"昭和", 'S', 1925, 64}, {"平成", 'H', 1988, 31}, {"令和", 'R', 2018, 0},
}

var birthLabels = newLabelSet(
	"生年月日", "誕生日", "誕生", "birth", "Birth", "BIRTH", "dob", "DOB", "Dob", "birthday", "Birthday",
	"date of birth", "Date of Birth", "bday", "BIRTHDAY", "生まれ",
)

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// readNum reads 1..maxLen digits at i.
func readNum(s string, i, maxLen int) (v, end, n int) {
	end = i
	for n <= maxLen && end < len(s) {
		// digitAt, written out: ASCII first.
		d := s[end] - '0'
		if d < 10 {
			end++
		} else if d == fwLead-'0' && end+2 < len(s) && s[end+1] == fwMid && s[end+2]-fwDigit0 < 10 {
			d = s[end+2] - fwDigit0
			end += 3
		} else {
			break
		}
		v = v*10 + int(d)
		n++
	}
	if n > maxLen {
		return 0, i, 0
	}
	return v, end, n
}

// dateSep reads a date separator at i: one of / - . (ASCII or full-width)
// or a dash; it returns its identity and width.
func dateSep(s string, i int) (rune, int) {
	r, w := runeAt(s, i)
	switch asciiOf(r) {
	case '/', '.', '-':
		return asciiOf(r), w
	}
	if k, _, w := sepAt(s, i); k == sepHyphen {
		return '-', w
	}
	return 0, 0
}

// parseMonthDay reads "M/D", "M月D日" after a year ended at i with the
// separator style of the year (kanji when kanji, else the same ASCII sep).
func parseMonthDay(s string, i int, kanji bool, sep rune) (m, d, end int, ok bool) {
	m, i2, n := readNum(s, i, 2)
	if n == 0 {
		return 0, 0, 0, false
	}
	i = i2
	if kanji {
		if !strings.HasPrefix(s[i:], "月") {
			return 0, 0, 0, false
		}
		i += len("月")
	} else {
		r, w := dateSep(s, i)
		if r != sep {
			return 0, 0, 0, false
		}
		i += w
	}
	d, i2, n = readNum(s, i, 2)
	if n == 0 {
		return 0, 0, 0, false
	}
	i = i2
	if kanji {
		if !strings.HasPrefix(s[i:], "日") {
			return 0, 0, 0, false
		}
		i += len("日")
	}
	return m, d, i, true
}

// parseBirthDateAt parses a date whose digit run starts at p, with an era
// name looked for just before p. It returns the span and the Gregorian year.
func parseBirthDateAt(s string, p int) (start, end, year int, ok bool) {
	if digitBefore(s, p) {
		return 0, 0, 0, false
	}
	start = p
	eraIdx := -1
	// 和暦 prefix: "昭和60年", "昭和 60年", "S60.", "H2/"; only one or two
	// digits can be an era year.
	q := p
	if r, w := runeBefore(s, q); r == ' ' || r == '\u3000' {
		q -= w
	}
	short := p+1 < len(s) && !isDigitAt(s, p+1) || p+2 < len(s) && !isDigitAt(s, p+2) || p+2 >= len(s)
	for k := 0; short && k < len(eras); k++ {
		e := &eras[k]
		if q >= len(e.kanji) && s[q-len(e.kanji):q] == e.kanji {
			eraIdx, start = k, q-len(e.kanji)
			break
		}
		if p >= 1 && (s[p-1] == e.letter || s[p-1] == e.letter|0x20) {
			// "S60.4.1": the letter must stand alone, not end a word.
			if r, _ := runeBefore(s, p-1); !isWordRune(r) {
				eraIdx, start = k, p-1
				break
			}
		}
	}
	var y, m, d, i int
	v, i, n := readNum(s, p, 8)
	switch {
	case eraIdx >= 0 && n >= 1 && n <= 2:
		e := eras[eraIdx]
		if v < 1 || (e.max > 0 && v > e.max) {
			return 0, 0, 0, false
		}
		y = e.base + v
		kanji := strings.HasPrefix(s[i:], "年")
		var sep rune
		if kanji {
			i += len("年")
		} else {
			var w int
			sep, w = dateSep(s, i)
			if sep == 0 || s[start] >= 0x80 {
				// Kanji eras take 年月日; letters take separators.
				return 0, 0, 0, false
			}
			i += w
		}
		if m, d, i, ok = parseMonthDay(s, i, kanji, sep); !ok {
			return 0, 0, 0, false
		}
	case n == 4:
		y = v
		kanji := strings.HasPrefix(s[i:], "年")
		var sep rune
		if kanji {
			i += len("年")
		} else {
			var w int
			if sep, w = dateSep(s, i); sep == 0 {
				return 0, 0, 0, false
			}
			i += w
		}
		if m, d, i, ok = parseMonthDay(s, i, kanji, sep); !ok {
			return 0, 0, 0, false
		}
	case n == 8 && eraIdx < 0:
		y, m, d = v/10000, v/100%100, v%100
	default:
		return 0, 0, 0, false
	}
	if y < minBirthYear || y > maxBirthYear || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return 0, 0, 0, false
	}
	// A date glued to more digits or to a time is still a date (a
	// timestamp is never a birth date, but context decides that).
	if r, _ := runeAt(s, i); isWordRune(r) {
		return 0, 0, 0, false
	}
	return start, i, y, true
}

// birthValue reports whether s is a whole Gregorian date as parseBirthDateAt reads one at
// its start and atDigits lets it: ASCII digits, YYYY/M/D with one of / - . both times,
// YYYY年M月D日 or YYYYMMDD, the year 1900..2100 (and starting 19, 20 or 21), the month and
// the day of one or two digits and real.
func birthValue(s string) bool {
	if len(s) < 8 || !(s[0] == '1' && s[1] == '9' || s[0] == '2' && (s[1] == '0' || s[1] == '1')) ||
		s[2]-'0' >= 10 || s[3]-'0' >= 10 {
		return false
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	var m, d int
	if len(s) == 8 && s[4]-'0' < 10 {
		for _, c := range []byte(s[4:]) {
			if c-'0' >= 10 {
				return false
			}
		}
		m, d = int(s[4]-'0')*10+int(s[5]-'0'), int(s[6]-'0')*10+int(s[7]-'0')
	} else {
		// num reads one or two digits at i; a third makes no month or day.
		num := func(i int) (int, int) {
			if i >= len(s) || s[i]-'0' >= 10 {
				return 0, -1
			}
			v := int(s[i] - '0')
			i++
			if i < len(s) && s[i]-'0' < 10 {
				v, i = v*10+int(s[i]-'0'), i+1
				if i < len(s) && s[i]-'0' < 10 {
					return 0, -1
				}
			}
			return v, i
		}
		i := 4
		kanji := strings.HasPrefix(s[i:], "年")
		var sep byte
		if kanji {
			i += len("年")
		} else if sep = s[i]; sep == '/' || sep == '-' || sep == '.' {
			i++
		} else {
			return false
		}
		if m, i = num(i); i < 0 {
			return false
		}
		if kanji && strings.HasPrefix(s[i:], "月") {
			i += len("月")
		} else if !kanji && i < len(s) && s[i] == sep {
			i++
		} else {
			return false
		}
		if d, i = num(i); i < 0 {
			return false
		}
		if kanji {
			if !strings.HasPrefix(s[i:], "日") {
				return false
			}
			i += len("日")
		}
		if i != len(s) {
			return false
		}
	}
	return y <= maxBirthYear && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// eraBirthValue reports whether s is a whole 和暦 date as parseBirthDateAt reads one at the
// digit run after its era name: an era's kanji name, one or two ASCII digits of a year of
// that era, 年, a month of one or two digits, 月, a day of one or two, 日, the Gregorian date
// real and within 1900..2100.
func eraBirthValue(s string) bool {
	if len(s) < len("昭和1年1月1日") {
		return false
	}
	k := -1
	for i := range eras {
		if s[:len(eras[i].kanji)] == eras[i].kanji {
			k = i
			break
		}
	}
	if k < 0 {
		return false
	}
	e := &eras[k]
	// num reads one or two ASCII digits at i followed by the kanji unit u.
	num := func(i int, u string) (int, int) {
		v, j := 0, i
		for j < len(s) && j-i < 3 && s[j]-'0' < 10 {
			v, j = v*10+int(s[j]-'0'), j+1
		}
		if j == i || j-i > 2 || !strings.HasPrefix(s[j:], u) {
			return 0, -1
		}
		return v, j + len(u)
	}
	v, i := num(len(e.kanji), "年")
	if i < 0 || v < 1 || e.max > 0 && v > e.max {
		return false
	}
	m, i := num(i, "月")
	if i < 0 {
		return false
	}
	d, i := num(i, "日")
	if i != len(s) {
		return false
	}
	y := e.base + v
	return y >= minBirthYear && y <= maxBirthYear && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(y, m)
}

// Heisei 元年 ("平成元年4月1日") has no digit before 年: the digit run
// starts at the month, so look back for "<era>元年".
func parseGannenAt(s string, p int) (start, end int, ok bool) {
	const gan = "元年"
	if p < len(gan) || s[p-len(gan):p] != gan {
		return 0, 0, false
	}
	q := p - len(gan)
	if r, w := runeBefore(s, q); r == ' ' || r == '\u3000' {
		q -= w
	}
	for _, e := range eras {
		if q >= len(e.kanji) && s[q-len(e.kanji):q] == e.kanji {
			m, d, end, ok := parseMonthDay(s, p, true, 0)
			if !ok || m < 1 || m > 12 || d < 1 || d > daysIn(e.base+1, m) {
				return 0, 0, false
			}
			return q - len(e.kanji), end, true
		}
	}
	return 0, 0, false
}

// Confidences: a real date under a birth key or label is a birth date.
const (
	confBirthKeyed = 0.96
	confBirthLabel = 0.93
)

func birthDateOnDigits(st *state, p int) (Finding, bool) {
	// A year of four digits, 8 digits (YYYYMMDD), an era year of one or two,
	// or the month after 元年.
	if st.runLen != 4 && st.runLen != 8 && st.runLen > 2 {
		return Finding{}, false
	}
	// Parse first: most digit runs are no date at all and fail here. Then
	// the cheap context checks (the caller's key, a label right before,
	// 生まれ right after), and only then an inline key, which costs a key
	// classification.
	s := st.s
	// A four-digit ASCII year ("2023-11-22 09:29", "2024/01/05") is most
	// often a date that is no birth date: reject it before parsing when no
	// context could make it one. Such a run has no era prefix, so the date
	// would start at p; every case below then needs the caller's key, a
	// label before p, an inline key before p, or 生 after the date, which
	// ends within maxDateBytes of p.
	if st.runLen == 4 && s[p] < 0x80 && !st.ctx.hints(kBirth) &&
		!strings.Contains(s[p:min(len(s), p+maxDateBytes+birthSuffixWindow)], "生") &&
		!inlineKeyBefore(s, p) && !labelBefore(s, p, birthLabelWindow, birthLabels) {
		return Finding{}, false
	}
	start, end, _, ok := parseBirthDateAt(s, p)
	if !ok {
		if start, end, ok = parseGannenAt(s, p); !ok {
			return Finding{}, false
		}
	}
	f := Finding{Type: BirthDate, Start: start, End: end}
	switch {
	case st.ctx.hints(kBirth) && !inlineKeyBefore(s, start):
		f.Confidence, f.Reason = confBirthKeyed, "calendar-date; key birth_date"
	case st.runLen == 8:
		// YYYYMMDD is an order number or a batch id as often as a date:
		// only a birth key makes it a birth date.
		if kc := st.contextAt(start); !kc.hints(kBirth) || kc.denies(kBirth) {
			return Finding{}, false
		}
		f.Confidence, f.Reason = confBirthKeyed, "calendar-date; key birth_date"
	case labelBefore(s, start, birthLabelWindow, birthLabels):
		f.Confidence, f.Reason = confBirthLabel, "calendar-date; label"
	case labelAfter(s, end, birthSuffixWindow, bornSuffixes):
		f.Confidence, f.Reason = confBirthLabel, "calendar-date; label 生まれ"
	case inlineKeyBefore(s, start):
		if kc := st.contextAt(start); !kc.hints(kBirth) || kc.denies(kBirth) {
			return Finding{}, false
		}
		f.Confidence, f.Reason = confBirthKeyed, "calendar-date; key birth_date"
	default:
		return Finding{}, false
	}
	return f, true
}

// inlineKeyBefore reports whether a key separator (':', '=', '：', '＝',
// '】') sits right before p, past blanks and a quote: the cheap test before
// looking the key up.
func inlineKeyBefore(s string, p int) bool {
	// As in inlineKey: nothing before, or an ASCII byte that ends no separator, quote or
	// blank, is no key.
	if p <= 0 {
		return false
	}
	if c := s[p-1]; c < 0x80 && c != ' ' && c != '"' && c != '\'' && c != ':' && c != '=' && c != ']' {
		return false
	}
	i := skipBlanksBack(s, p)
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') {
		i--
	}
	i = skipBlanksBack(s, i)
	r, _ := runeBefore(s, i)
	switch r {
	case ':', '=', '：', '＝', '】', ']':
		return true
	}
	return false
}

// bornSuffixes follow a birth date: "1985年4月1日生まれ", "1985年4月1日生".
var bornSuffixes = []string{"生まれ", "生"}
