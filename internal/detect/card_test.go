package detect

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// Test card numbers are the issuers' published test PANs; every other digit
// string here is synthetic.
func TestCardDetector(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string // the exact substrings detected, in order
	}{
		// positives
		{"visa plain", "4111111111111111", []string{"4111111111111111"}},
		{"visa spaces", "4111 1111 1111 1111", []string{"4111 1111 1111 1111"}},
		{"visa hyphens", "4111-1111-1111-1111", []string{"4111-1111-1111-1111"}},
		{"visa full-width minus sign", "４１１１−１１１１−１１１１−１１１１", []string{"４１１１−１１１１−１１１１−１１１１"}},
		{"visa full-width hyphen-minus", "４１１１－１１１１－１１１１－１１１１", []string{"４１１１－１１１１－１１１１－１１１１"}},
		{"visa prolonged sound mark", "4111ー1111ー1111ー1111", []string{"4111ー1111ー1111ー1111"}},
		{"visa ideographic spaces", "4111\u30001111\u30001111\u30001111", []string{"4111\u30001111\u30001111\u30001111"}},
		{"label then full-width", "カード番号 ４１１１１１１１１１１１１１１１", []string{"４１１１１１１１１１１１１１１１"}},
		{"label glued to full-width", "カード番号４１１１１１１１１１１１１１１１です", []string{"４１１１１１１１１１１１１１１１"}},
		{"in sentence", "お支払いは4111 1111 1111 1111でお願いします。", []string{"4111 1111 1111 1111"}},
		{"followed by expiry", "card 4111 1111 1111 1111 12/25", []string{"4111 1111 1111 1111"}},
		{"after a count", "x 12 4111 1111 1111 1111", []string{"4111 1111 1111 1111"}},
		{"csv cell", "1001,山田,4111111111111111,2025", []string{"4111111111111111"}},
		{"json value", `{"memo":"5555555555554444"}`, []string{"5555555555554444"}},
		{"log key", "card=4111111111111111 status=ok", []string{"4111111111111111"}},
		{"url path", "GET /cards/4111111111111111/ HTTP/1.1", []string{"4111111111111111"}},
		{"mastercard 5 series", "5555 5555 5555 4444", []string{"5555 5555 5555 4444"}},
		{"mastercard 2 series", "2223003122003222", []string{"2223003122003222"}},
		{"jcb", "3530111333300000", []string{"3530111333300000"}},
		{"jcb other", "3566-0020-2036-0505", []string{"3566-0020-2036-0505"}},
		{"amex 4-6-5", "3782 822463 10005", []string{"3782 822463 10005"}},
		{"amex plain", "378282246310005", []string{"378282246310005"}},
		{"diners 14", "30569309025904", []string{"30569309025904"}},
		{"diners 4-6-4", "3056 930902 5904", []string{"3056 930902 5904"}},
		{"discover", "6011111111111117", []string{"6011111111111117"}},
		{"unionpay", "6200000000000005", []string{"6200000000000005"}},
		{"visa 13 not a barcode", "4222222222222", []string{"4222222222222"}},
		{"two cards", "4111111111111111 and 5555555555554444", []string{"4111111111111111", "5555555555554444"}},
		{"No. prefix", "カードNo.4111111111111111", []string{"4111111111111111"}},
		// hard negatives
		{"jan code", "4902102072341", nil},
		{"jan code 2", "JAN:4901234567894", nil},
		{"jan code luhn-valid", "4902102070003", nil},
		{"jan code luhn-valid in text", "商品 4901234567894 を2点", nil},
		{"order number date", "20241125-000123", nil},
		{"order number prefixed", "ORD-2024112512345678", nil},
		{"tracking 12", "追跡番号 123456789012", nil},
		{"mobile", "090-1234-5678", nil},
		{"mobile full-width", "０９０−１２３４−５６７８", nil},
		{"plus81", "+81 90 1234 5678", nil},
		{"fixed", "(03)1234-5678", nil},
		{"price", "¥1,234,567,890,123", nil},
		{"date", "2024/11/25 12:34:56", nil},
		{"ip", "192.168.100.200", nil},
		{"substring of long run", "12345678904111111111111111", nil},
		{"card then more digits", "41111111111111110000", nil},
		{"luhn ok no issuer", "1234567812345670", nil},
		{"luhn fails", "4111111111111112", nil},
		{"dash chain too long", "4111-1111-1111-1111-1111", nil},
		{"mixed separators", "4111 1111-1111 1111", nil},
		{"glued to letters", "ORD4111111111111111", nil},
		{"glued suffix", "4111111111111111-01", nil},
		{"glued suffix letter", "4111111111111111a", nil},
		{"decimal", "3.4111111111111111", nil},
		{"ip-like", "10.4111111111111111", nil},
		{"repeated digit", "4444444444444444", nil},
		{"amex wrong length", "3782822463100056", nil},
		{"mastercard wrong length", "555555555555444", nil},
		{"bad layout 8-8", "41111111 11111111", nil},
		{"double space", "4111  1111  1111  1111", nil},
		{"uuid digits", "550e8400-e29b-41d4-a716-446655440000", nil},
		{"timestamp ns", "1732500000123456789", nil},
		{"empty", "", nil},
		{"no digits", "こんにちは、山田様。", nil},
	}
	for _, tc := range tests {
		got := FindCards(tc.text)
		checkInvariants(t, tc.name, tc.text, got)
		if len(got) != len(tc.want) {
			t.Errorf("%s: got %d card findings %s, want %d", tc.name, len(got), spans(got), len(tc.want))
			continue
		}
		for i, f := range got {
			if tc.text[f.Start:f.End] != tc.want[i] || f.Type != CardNumber {
				t.Errorf("%s: finding %d at [%d,%d) is not the expected span", tc.name, i, f.Start, f.End)
			}
		}
		if ContainsCard(tc.text) != (len(tc.want) > 0) {
			t.Errorf("%s: ContainsCard = %v", tc.name, !(len(tc.want) > 0))
		}
		// The engine agrees with FindCards on free text.
		e := New([]Type{CardNumber})
		if fs := e.Scan(nil, []byte(tc.text), Context{}); len(fs) != len(tc.want) {
			t.Errorf("%s: engine found %d cards %s, want %d", tc.name, len(fs), spans(fs), len(tc.want))
		}
	}
}

func TestCardContext(t *testing.T) {
	tests := []struct {
		name string
		key  string
		text string
		want bool
	}{
		{"phone column still refuses a card", "tel", "4111111111111111", true},
		{"card column", "card_no", "4111 1111 1111 1111", true},
		{"jan column", "jan_code", "4111111111111111", false},
		{"order column", "order_no", "4111111111111111", false},
		{"tracking column", "tracking_no", "4111111111111111", false},
		{"memo column", "memo", "カード 4111111111111111", true},
		{"inline order key", "", "order_id=4111111111111111", false},
		{"inline card key", "", `"card_number": "4111111111111111"`, true},
	}
	e := New(nil)
	for _, tc := range tests {
		var ctx Context
		if tc.key != "" {
			ctx = KeyContext(tc.key)
		}
		fs := e.Scan(nil, []byte(tc.text), ctx)
		got := false
		for _, f := range fs {
			got = got || f.Type == CardNumber
		}
		if got != tc.want {
			t.Errorf("%s: card found = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestLuhnAndEAN(t *testing.T) {
	d := func(s string) []byte {
		b := make([]byte, len(s))
		for i := range s {
			b[i] = s[i] - '0'
		}
		return b
	}
	if !luhn(d("79927398713")) || luhn(d("79927398710")) {
		t.Error("luhn: reference number misjudged")
	}
	if !ean13(d("4902102070003")) || !ean13(d("4901234567894")) || ean13(d("4222222222222")) {
		t.Error("ean13: reference barcodes misjudged")
	}
}

func TestContainsCardAllocs(t *testing.T) {
	inputs := []string{
		"山田太郎 様 東京都千代田区 no digits here at all, just text",
		"order 20241125-000123 tel 090-1234-5678",
		"card 4111 1111 1111 1111",
	}
	for _, in := range inputs {
		if n := testing.AllocsPerRun(100, func() { ContainsCard(in) }); n != 0 {
			t.Errorf("ContainsCard allocates %v times per call", n)
		}
	}
}

func BenchmarkContainsCardNoDigits(b *testing.B) {
	s := strings.Repeat("山田太郎様 東京都千代田区千代田 hello world ", 4)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ContainsCard(s)
	}
}

func BenchmarkContainsCardDigits(b *testing.B) {
	s := "注文番号 20241125-000123 電話 090-1234-5678 合計 ¥12,800"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		ContainsCard(s)
	}
}

func FuzzCard(f *testing.F) {
	for _, s := range []string{
		"4111 1111 1111 1111", "４１１１−１１１１−１１１１−１１１１", "カード番号 ４１１１１１１１１１１１１１１１",
		"20241125-000123", "ORD-2024112512345678", "4902102072341", "3782 822463 10005",
		"4111ー1111ー1111ー1111", "1 2 3 4 5 6 7 8 9 0 1 2 3 4 5", "\xef\xbc", "4111-\xe2\x88",
		"4111 1111 1111 1111 123456789012345678901234567890",
	} {
		f.Add(s)
	}
	e := New([]Type{CardNumber})
	f.Fuzz(func(t *testing.T, s string) {
		got := FindCards(s)
		checkInvariants(t, "fuzz", s, got)
		if ContainsCard(s) != (len(got) > 0) {
			t.Fatalf("ContainsCard disagrees with FindCards")
		}
		for _, c := range got {
			// Every finding re-validates on its own.
			if cs := FindCards(s[c.Start:c.End]); len(cs) != 1 {
				t.Fatalf("finding [%d,%d) does not stand alone", c.Start, c.End)
			}
		}
		fs := e.Scan(nil, []byte(s), Context{})
		checkInvariants(t, "fuzz engine", s, fs)
	})
}

// checkInvariants asserts what every Scan result must satisfy: offsets in
// bounds and on UTF-8 boundaries, sorted, not overlapping, confidence in
// 0..1, a reason, and no surrounding blanks.
func checkInvariants(t *testing.T, name, text string, fs []Finding) {
	t.Helper()
	prevEnd := 0
	for i, f := range fs {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("%s: finding %d has bad offsets [%d,%d) for %d bytes", name, i, f.Start, f.End, len(text))
		}
		if !boundary(text, f.Start) || !boundary(text, f.End) {
			t.Fatalf("%s: finding %d [%d,%d) not on UTF-8 boundaries", name, i, f.Start, f.End)
		}
		if f.Start < prevEnd {
			t.Fatalf("%s: finding %d [%d,%d) overlaps or is out of order", name, i, f.Start, f.End)
		}
		prevEnd = f.End
		if f.Confidence <= 0 || f.Confidence > 1 || f.Reason == "" {
			t.Fatalf("%s: finding %d has confidence %v reason %q", name, i, f.Confidence, f.Reason)
		}
		if _, ok := bitOf(f.Type); !ok {
			t.Fatalf("%s: finding %d has unknown type", name, i)
		}
		r, _ := utf8.DecodeRuneInString(text[f.Start:])
		l, _ := utf8.DecodeLastRuneInString(text[:f.End])
		if isSpaceRune(r) || isSpaceRune(l) || r == '"' || l == '"' || l == '\n' || r == '\n' {
			t.Fatalf("%s: finding %d [%d,%d) includes surrounding blanks or quotes", name, i, f.Start, f.End)
		}
	}
}

// boundary reports whether i falls between runes as a range loop sees them
// (an invalid byte counts as a rune of its own), so that no finding splits a
// valid UTF-8 sequence even in invalid text.
func boundary(s string, i int) bool {
	if i == len(s) {
		return true
	}
	for j := range s {
		if j == i {
			return true
		}
		if j > i {
			return false
		}
	}
	return false
}

// spans formats findings as type[start,end) for failure messages; never the
// values.
func spans(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(string(f.Type))
		b.WriteString("[")
		b.WriteString(itoa(f.Start))
		b.WriteString(",")
		b.WriteString(itoa(f.End))
		b.WriteString(") ")
	}
	return b.String()
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var buf [20]byte
	i := len(buf)
	neg := n < 0
	if neg {
		n = -n
	}
	for n > 0 {
		i--
		buf[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		buf[i] = '-'
	}
	return string(buf[i:])
}
