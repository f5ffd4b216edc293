package corpusgen

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

var fixedTime = time.Date(2024, 1, 15, 0, 0, 0, 0, time.UTC)

// gen draws values; every file has its own, seeded from the corpus seed and the file's index.
type gen struct {
	r *rand.Rand
}

type person struct {
	sei, mei, seiKana, meiKana, romaSei, romaMei   string
	email, mobile, fixed, postal, pref, city, rest string
	by, bm, bd                                     int
	card, myNumber                                 string
	id                                             int
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) n(lo, hi int) int        { return lo + g.r.IntN(hi-lo+1) }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }

func (g *gen) digits(n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

func (g *gen) person() person {
	s := surnames[g.r.IntN(len(surnames))]
	m := givenNames[g.r.IntN(len(givenNames))]
	pf := prefectures[g.r.IntN(len(prefectures))]
	p := person{sei: s[0], seiKana: s[1], romaSei: s[2], mei: m[0], meiKana: m[1], romaMei: m[2],
		pref: pf[0], city: pf[1], id: g.n(10000000, 99999999)}
	switch g.r.IntN(4) {
	case 0:
		p.email = p.romaMei + "." + p.romaSei + "@" + g.pick(domains)
	case 1:
		p.email = p.romaSei + p.romaMei + fmt.Sprint(g.n(1, 99)) + "@" + g.pick(domains)
	case 2:
		p.email = p.romaMei[:1] + "_" + p.romaSei + "@" + g.pick(domains)
	default:
		p.email = p.romaMei + "+shop@" + g.pick(domains)
	}
	// Mobile numbers: 070/080/090 then a block that never starts with 0 (numbering plan).
	p.mobile = fmt.Sprintf("%s-%d%s-%s", g.pick([]string{"090", "080", "070"}), g.n(1, 9), g.digits(3), g.digits(4))
	switch g.r.IntN(3) {
	case 0:
		p.fixed = "03-" + fmt.Sprint(g.n(3000, 6999)) + "-" + g.digits(4)
	case 1:
		p.fixed = "06-" + fmt.Sprint(g.n(6000, 6999)) + "-" + g.digits(4)
	default:
		p.fixed = g.pick([]string{"011", "022", "045", "052", "075", "078", "082", "092", "098"}) + "-" + fmt.Sprint(g.n(200, 999)) + "-" + g.digits(4)
	}
	p.postal = fmt.Sprintf("%03d-%04d", g.n(1, 999), g.n(0, 9999))
	town := g.pick(towns)
	switch g.r.IntN(3) {
	case 0:
		p.rest = fmt.Sprintf("%s%d-%d-%d", town, g.n(1, 9), g.n(1, 30), g.n(1, 20))
	case 1:
		p.rest = fmt.Sprintf("%s%s丁目%s番%s号", town, fullWidth(fmt.Sprint(g.n(1, 9))), fullWidth(fmt.Sprint(g.n(1, 30))), fullWidth(fmt.Sprint(g.n(1, 20))))
	default:
		p.rest = fmt.Sprintf("%s%d丁目%d-%d", town, g.n(1, 9), g.n(1, 30), g.n(1, 20))
	}
	if g.chance(0.4) {
		p.rest += " " + g.pick(buildings) + fmt.Sprint(g.n(1, 9)*100+g.n(1, 12))
	}
	p.by, p.bm, p.bd = g.n(1940, 2005), g.n(1, 12), g.n(1, 28)
	p.card = g.pick(testCards)
	p.myNumber = g.myNumber()
	return p
}

func (p person) name(sep string) string    { return p.sei + sep + p.mei }
func (p person) kana(sep string) string    { return p.seiKana + sep + p.meiKana }
func (p person) address(sep string) string { return p.pref + p.city + sep + p.rest }
func (p person) addressNoSpace() string    { return p.pref + p.city + p.rest }
func (p person) iso() string               { return fmt.Sprintf("%04d-%02d-%02d", p.by, p.bm, p.bd) }
func (p person) slash() string             { return fmt.Sprintf("%d/%d/%d", p.by, p.bm, p.bd) }
func (p person) kanjiDate() string         { return fmt.Sprintf("%d年%d月%d日", p.by, p.bm, p.bd) }
func (p person) postalDigits() string      { return strings.ReplaceAll(p.postal, "-", "") }
func (g *gen) nameSep() string             { return g.pick([]string{" ", "　", " ", ""}) }
func (g *gen) phone(p person) string       { return g.phoneShape(p.mobile, p.fixed) }
func (p person) wareki() string            { return wareki(p.by, p.bm, p.bd) }
func (p person) birthForms() []string      { return []string{p.iso(), p.slash(), p.kanjiDate(), p.wareki()} }
func (g *gen) birth(p person) string       { return g.pick(p.birthForms()) }
func (g *gen) cardShape(c string) string   { return g.cardFormat(c) }
func (g *gen) myNumberShape(m string) string {
	return g.pick([]string{m, m[:4] + " " + m[4:8] + " " + m[8:], m[:4] + "-" + m[4:8] + "-" + m[8:]})
}

// wareki writes a date in the Japanese era calendar (昭和 from 1926-12-25, 平成 from
// 1989-01-08), with 元年 for an era's first year.
func wareki(y, m, d int) string {
	era, ey := "昭和", y-1925
	if y > 1989 || y == 1989 && (m > 1 || d >= 8) {
		era, ey = "平成", y-1988
	}
	yy := fmt.Sprint(ey)
	if ey == 1 {
		yy = "元"
	}
	return fmt.Sprintf("%s%s年%d月%d日", era, yy, m, d)
}

// phoneShape writes a mobile or fixed number in one of the ways customers type them.
func (g *gen) phoneShape(mobile, fixed string) string {
	n := mobile
	if g.chance(0.35) {
		n = fixed
	}
	switch g.r.IntN(8) {
	case 0:
		return strings.ReplaceAll(n, "-", "")
	case 1:
		i := strings.IndexByte(n, '-')
		return "(" + n[:i] + ")" + n[i+1:]
	case 7:
		// 03(1234)5678: the local-exchange part in parentheses, as printed on forms.
		i := strings.IndexByte(n, '-')
		j := strings.LastIndexByte(n, '-')
		return n[:i] + "(" + n[i+1:j] + ")" + n[j+1:]
	case 2:
		return "+81-" + n[1:]
	case 3:
		return fullWidth(strings.ReplaceAll(n, "-", "－"))
	case 4:
		return strings.ReplaceAll(n, "-", " ")
	}
	return n
}

func (g *gen) cardFormat(c string) string {
	switch g.r.IntN(5) {
	case 0:
		return groupDigits(c, " ")
	case 1:
		return groupDigits(c, "-")
	case 2:
		return fullWidth(c)
	}
	return c
}

// groupDigits groups a card number as printed on the card: 4-6-5 for 15 digits (Amex),
// 4-6-4 for 14 (Diners), 4-4-4-4 otherwise.
func groupDigits(c, sep string) string {
	switch len(c) {
	case 15:
		return c[:4] + sep + c[4:10] + sep + c[10:]
	case 14:
		return c[:4] + sep + c[4:10] + sep + c[10:]
	}
	var parts []string
	for i := 0; i < len(c); i += 4 {
		parts = append(parts, c[i:min(i+4, len(c))])
	}
	return strings.Join(parts, sep)
}

func fullWidth(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r - '0' + '０'
		}
		return r
	}, s)
}

// myNumber draws 11 digits and appends the 個人番号 check digit (Ministry of Internal Affairs
// ordinance): weights 2..7 for the 1st..6th digit from the right, 2..6 for the 7th..11th;
// check = 11 - sum mod 11, or 0 when the remainder is 0 or 1.
func (g *gen) myNumber() string {
	d := g.digits(11)
	return d + string(rune('0'+MyNumberCheck(d)))
}

// MyNumberCheck computes the check digit of the 11 leading digits of a My Number.
func MyNumberCheck(d11 string) int {
	sum := 0
	for n := 1; n <= 11; n++ {
		p := int(d11[11-n] - '0')
		q := n + 1
		if n >= 7 {
			q = n - 5
		}
		sum += p * q
	}
	r := sum % 11
	if r <= 1 {
		return 0
	}
	return 11 - r
}

// Hard negatives.

func (g *gen) orderNo() string {
	switch g.r.IntN(3) {
	case 0:
		return fmt.Sprintf("2024%02d%02d-%06d", g.n(1, 12), g.n(1, 28), g.n(1, 999999))
	case 1:
		return fmt.Sprintf("ORD-%d-%05d", g.n(2019, 2024), g.n(1, 99999))
	}
	return fmt.Sprint(g.n(1000000000, 1999999999))
}

// trackingNo is a 12-digit carrier number; about one in ten passes the My Number check.
func (g *gen) trackingNo() string { return fmt.Sprint(g.n(1, 9)) + g.digits(11) }

// jan is an EAN-13 with a valid check digit, Japanese prefix 45/49.
func (g *gen) jan() string {
	d := g.pick([]string{"45", "49"}) + g.digits(10)
	sum := 0
	for i := 0; i < 12; i++ {
		v := int(d[i] - '0')
		if i%2 == 1 {
			v *= 3
		}
		sum += v
	}
	return d + fmt.Sprint((10-sum%10)%10)
}

func (g *gen) price() int { return g.n(3, 300)*100 - g.pick2(0, 20) }
func (g *gen) pick2(a, b int) int {
	if g.chance(0.5) {
		return a
	}
	return b
}
func (g *gen) yen(p int) string { return "¥" + commas(p) }
func commas(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func (g *gen) orderDate() time.Time {
	return fixedTime.Add(-time.Duration(g.n(0, 365*24*3600)) * time.Second)
}
func (g *gen) isoTime() string  { return g.orderDate().Format("2006-01-02T15:04:05+09:00") }
func (g *gen) dateOnly() string { return g.orderDate().Format("2006-01-02") }
func (g *gen) sqlTime() string  { return g.orderDate().Format("2006-01-02 15:04:05") }
func (g *gen) kanjiDay() string {
	t := g.orderDate()
	return fmt.Sprintf("%d年%d月%d日", t.Year(), t.Month(), t.Day())
}
func (g *gen) ip() string {
	return fmt.Sprintf("%d.%d.%d.%d", g.pick3(203, 198, 192), g.n(0, 255), g.n(0, 255), g.n(1, 254))
}
func (g *gen) pick3(a, b, c int) int {
	return []int{a, b, c}[g.r.IntN(3)]
}
func (g *gen) uuid() string {
	h := "0123456789abcdef"
	b := []byte("xxxxxxxx-xxxx-4xxx-axxx-xxxxxxxxxxxx")
	for i := range b {
		if b[i] == 'x' {
			b[i] = h[g.r.IntN(16)]
		}
	}
	return string(b)
}

// memberNo is a zero-padded 10-digit member number: the shape of a fixed phone number without
// hyphens, but not one.
func (g *gen) memberNo() string { return "00" + g.digits(8) }

// registeredWareki is a membership date in the era calendar: a date that is not a birth date.
func (g *gen) registeredWareki() string {
	t := g.orderDate()
	return wareki(t.Year(), int(t.Month()), t.Day())
}

func (g *gen) sku() string         { return fmt.Sprintf("SKU-%s-%02d", g.digits(7), g.n(1, 20)) }
func (g *gen) epoch() string       { return fmt.Sprint(g.orderDate().Unix()) }
func (g *gen) epochMillis() string { return fmt.Sprint(g.orderDate().UnixMilli()) }
