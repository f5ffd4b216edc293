package detect

import "testing"

func TestMyNumber(t *testing.T) {
	runDetCases(t, MyNumber, []detCase{
		// positives (synthetic numbers with valid check digits)
		{"column plain", "my_number", "123456789018", []string{"123456789018"}},
		{"column grouped", "マイナンバー", "1234 5678 9018", []string{"1234 5678 9018"}},
		{"column full-width", "個人番号", "９８７６５４３２１０９３", []string{"９８７６５４３２１０９３"}},
		{"label colon", "", "マイナンバー：123456789018", []string{"123456789018"}},
		{"label in sentence", "", "個人番号は 9876-5432-1093 です", []string{"9876-5432-1093"}},
		{"log key", "", "user=42 mynumber=314159265352 ok", []string{"314159265352"}},
		{"json key", "", `{"my_number":"555566667772"}`, []string{"555566667772"}},
		{"free text 4-4-4", "", "番号 3141 5926 5352 を登録", []string{"3141 5926 5352"}},
		// hard negatives
		{"bad check digit", "my_number", "123456789012", nil},
		{"tracking column", "tracking_no", "123456789018", nil},
		{"tracking label", "", "追跡番号 1234 5678 9018", nil},
		{"order label", "", "注文番号：123456789018", nil},
		{"bare 12 digits", "", "123456789018", nil},
		{"13 digits", "my_number", "1234567890183", nil},
		{"inside longer run", "", "マイナンバー 91234567890189", nil},
		{"wrong grouping", "", "マイナンバー 123 456 789 018", nil},
		{"glued id", "", "マイナンバー ID-123456789018", nil},
		{"phone column", "tel", "123456789018", nil},
		{"jan column", "jan", "123456789018", nil},
	})
	if !myNumberCheck([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 8}) || myNumberCheck([]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 1, 2}) {
		t.Error("check digit: reference misjudged")
	}
}

func FuzzMyNumber(f *testing.F) {
	fuzzDetector(f, MyNumber, []string{
		"マイナンバー：123456789018", "1234 5678 9018", "９８７６５４３２１０９３", "個人番号 1234-5678-",
	})
}
