package detect

import "testing"

func TestPostalCode(t *testing.T) {
	runDetCases(t, PostalCode, []detCase{
		{"mark", "", "〒100-0001", []string{"100-0001"}},
		{"mark space", "", "〒 100-0001 東京都", []string{"100-0001"}},
		{"mark plain", "", "〒1000001", []string{"1000001"}},
		{"mark full-width", "", "〒１００−０００１", []string{"１００−０００１"}},
		{"column", "zip", "100-0001", []string{"100-0001"}},
		{"column plain", "postal_code", "1000001", []string{"1000001"}},
		{"column japanese", "郵便番号", "５３０－０００１", []string{"５３０－０００１"}},
		{"label", "", "郵便番号: 530-0001", []string{"530-0001"}},
		{"before address", "", "送り先 530-0001 大阪府大阪市北区梅田1-1", []string{"530-0001"}},
		{"json", "", `{"zip":"1000001"}`, []string{"1000001"}},
		// hard negatives
		{"bare shape", "", "品番 123-4567", nil},
		{"bare 7 digits", "", "1000001", nil},
		{"phone tail", "", "0120-123-4567", nil},
		{"phone", "", "03-1234-5678", nil},
		{"zeros", "zip", "000-0000", nil},
		{"eight digits", "zip", "10000012", nil},
		{"order column", "order_no", "100-0001", nil},
		{"date", "", "〒なし 2024-1125", nil},
		{"glued", "", "〒A100-0001", nil},
	})
}

func FuzzPostalCode(f *testing.F) {
	fuzzDetector(f, PostalCode, []string{"〒100-0001", "郵便番号 1000001", "530-0001 大阪府", "〒", "〒１００－"})
}
