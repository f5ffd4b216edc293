package detect

import "testing"

func TestPhone(t *testing.T) {
	runDetCases(t, Phone, []detCase{
		// positives
		{"mobile hyphens", "", "TEL 090-1234-5678", []string{"090-1234-5678"}},
		{"mobile plain", "", "携帯 09012345678 まで", []string{"09012345678"}},
		{"mobile full-width", "", "電話：０９０−１２３４−５６７８", []string{"０９０−１２３４−５６７８"}},
		{"mobile prolonged mark", "", "080ー1234ー5678", []string{"080ー1234ー5678"}},
		{"plus81 mobile", "", "call +81 90-1234-5678 now", []string{"+81 90-1234-5678"}},
		{"plus81 plain", "", "+819012345678", []string{"+819012345678"}},
		{"plus81 full-width", "", "＋８１ ９０−１２３４−５６７８", []string{"＋８１ ９０−１２３４−５６７８"}},
		{"plus81 tokyo", "", "+81-3-1234-5678", []string{"+81-3-1234-5678"}},
		{"plus81 bracketed trunk", "", "+81 (0)3-1234-5678", []string{"+81 (0)3-1234-5678"}},
		{"tokyo hyphens", "", "03-1234-5678", []string{"03-1234-5678"}},
		{"osaka spaces", "", "06 1234 5678", []string{"06 1234 5678"}},
		{"area in parentheses", "", "(03)1234-5678", []string{"(03)1234-5678"}},
		{"local in parentheses", "", "03(1234)5678", []string{"03(1234)5678"}},
		{"three-digit area", "", "045-123-4567", []string{"045-123-4567"}},
		{"four-digit area", "", "0466-12-3456", []string{"0466-12-3456"}},
		{"five-digit area", "", "01267-2-3456", []string{"01267-2-3456"}},
		{"toll free", "", "フリーダイヤル 0120-123-456", []string{"0120-123-456"}},
		{"toll free 4-2-4", "", "0120-12-3456", []string{"0120-12-3456"}},
		{"navi dial", "", "0570-123-456", []string{"0570-123-456"}},
		{"0800", "", "0800-123-4567", []string{"0800-123-4567"}},
		{"ip phone", "", "050-1234-5678", []string{"050-1234-5678"}},
		{"fixed plain", "", "tel=0312345678", []string{"0312345678"}},
		{"json key", "", `{"tel":"0312345678"}`, []string{"0312345678"}},
		{"column tel", "tel", "0312345678", []string{"0312345678"}},
		{"column full-width", "電話番号", "０３−１２３４−５６７８", []string{"０３−１２３４−５６７８"}},
		{"two numbers", "", "TEL 03-1234-5678 FAX 03-1234-5679", []string{"03-1234-5678", "03-1234-5679"}},
		{"two plain numbers blank-separated", "", "02000000000 0100000000", []string{"02000000000", "0100000000"}},
		{"spaced number then more digits", "", "03 1234 5678 99", []string{"03 1234 5678"}},
		// hard negatives
		{"order number", "", "20241125-000123", nil},
		{"ord prefix", "", "ORD-09012345678", nil},
		{"too long", "", "090-1234-56789", nil},
		{"mobile wrong grouping", "", "0901-234-5678", nil},
		{"tokyo wrong area length", "", "031-234-5678", nil},
		{"fixed bad 2-digit area", "", "05-1234-5678", nil},
		{"mobile prefix 10 digits", "", "0901234567", nil},
		{"starts 00", "", "0012345678", nil},
		{"tracking 12", "", "123456789012", nil},
		{"date", "", "2024-11-25", nil},
		{"ip", "", "10.0.12.34", nil},
		{"price", "", "¥3,456,789", nil},
		{"decimal", "", "0312345678.5", nil},
		{"inside longer run", "", "1090123456789", nil},
		{"order column", "order_no", "09012345678", nil},
		{"jan column", "jan", "0312345678", nil},
		{"unclosed paren", "", "(03-1234-5678", nil},
		{"mixed separators", "", "090-1234 5678", nil},
		{"plus other country", "", "+1 212-555-0100", nil},
	})
}

func FuzzPhone(f *testing.F) {
	fuzzDetector(f, Phone, []string{
		"090-1234-5678", "+81 (0)3-1234-5678", "(03)1234-5678", "03(1234)5678", "０９０−１２３４−５６７８",
		"+81", "(", "(0", "03(", "+８１ ９０", "0120-12-3456",
	})
}
