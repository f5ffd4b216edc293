package jptext

import (
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"ascii unchanged", "abc-123", "abc-123"},
		{"full-width digits", "０９０１２３", "090123"},
		{"full-width letters and at", "ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ", "TARO@EXAMPLE.JP"},
		{"full-width hyphen-minus", "１２３－４５６７", "123-4567"},
		{"ideographic space", "山田\u3000太郎", "山田 太郎"},
		{"half-width kana voiced", "ｽｽﾞｷ ﾊﾅｺ", "スズキ ハナコ"},
		{"half-width kana semi-voiced", "ﾊﾟﾝ", "パン"},
		{"kanji unchanged", "東京都千代田区", "東京都千代田区"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("%s: Fold mismatch (got %d bytes, want %d)", tc.name, len(got), len(tc.want))
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"lower", "Taro.Yamada@Example.JP", "taro.yamada@example.jp"},
		{"trim", "  taro@example.jp \t", "taro@example.jp"},
		{"full-width", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"},
		{"full-width upper with ideographic space", "\u3000ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ\u3000", "taro@example.jp"},
		{"plus tag kept", "taro+shop@example.jp", "taro+shop@example.jp"},
	}
	for _, tc := range tests {
		if got := NormalizeEmail(tc.in); got != tc.want {
			t.Errorf("%s: NormalizeEmail mismatch", tc.name)
		}
	}
}

func TestNormalizePhone(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"mobile hyphens", "090-1234-5678", "09012345678"},
		{"mobile full-width", "０９０−１２３４−５６７８", "09012345678"},
		{"mobile full-width hyphen-minus", "０９０－１２３４－５６７８", "09012345678"},
		{"plus81 mobile", "+81 90-1234-5678", "09012345678"},
		{"plus81 full-width", "＋８１ ９０ １２３４ ５６７８", "09012345678"},
		{"plus81 bracketed trunk", "+81 (0)3-1234-5678", "0312345678"},
		{"81 without plus", "81-3-1234-5678", "0312345678"},
		{"tokyo parentheses", "(03)1234-5678", "0312345678"},
		{"toll free", "0120-123-456", "0120123456"},
		{"domestic starting 08", "0812345678", "0812345678"},
		{"81 too short stays", "81-1234", "811234"},
		{"plus other country", "+1 212 555 0100", "12125550100"},
		{"no digits", "なし", ""},
	}
	for _, tc := range tests {
		if got := NormalizePhone(tc.in); got != tc.want {
			t.Errorf("%s: NormalizePhone mismatch (got %d digits, want %d)", tc.name, len(got), len(tc.want))
		}
	}
}

func TestNormalizeName(t *testing.T) {
	same := []struct{ name, a, b string }{
		{"hiragana vs katakana", "すずき はなこ", "スズキハナコ"},
		{"half-width kana", "ｽｽﾞｷ ﾊﾅｺ", "スズキハナコ"},
		{"ideographic space", "山田\u3000太郎", "山田太郎"},
		{"tab and spaces", " 山田\t太郎 ", "山田太郎"},
		{"latin case", "Taro YAMADA", "taroyamada"},
		{"full-width latin", "Ｔａｒｏ", "taro"},
		{"iteration mark", "さゝき", "サヽキ"},
		{"vu", "ゔぃ", "ヴィ"},
	}
	for _, tc := range same {
		if NormalizeName(tc.a) != NormalizeName(tc.b) {
			t.Errorf("%s: names should normalise equal", tc.name)
		}
		if NormalizeKana(tc.a) != NormalizeName(tc.a) {
			t.Errorf("%s: NormalizeKana differs from NormalizeName", tc.name)
		}
	}
	differ := []struct{ name, a, b string }{
		{"different kanji", "山田太郎", "山田次郎"},
		{"dakuten matters", "スズキ", "ススキ"},
		{"small kana matters", "キヨ", "キョ"},
	}
	for _, tc := range differ {
		if NormalizeName(tc.a) == NormalizeName(tc.b) {
			t.Errorf("%s: names should stay distinct", tc.name)
		}
	}
	if got := NormalizeName("すずき はなこ"); got != "スズキハナコ" {
		t.Errorf("hiragana to katakana: unexpected result (%d bytes)", len(got))
	}
}

func TestHiraganaToKatakana(t *testing.T) {
	if got := HiraganaToKatakana("やまだ たろう ABC 山田"); got != "ヤマダ タロウ ABC 山田" {
		t.Errorf("convert: unexpected result (%d bytes)", len(got))
	}
}

func TestNormalizePostalCode(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"hyphen", "123-4567", "1234567"},
		{"mark and full-width", "〒１２３−４５６７", "1234567"},
		{"plain", "1234567", "1234567"},
		{"spaces", " 100 0001 ", "1000001"},
	}
	for _, tc := range tests {
		if got := NormalizePostalCode(tc.in); got != tc.want {
			t.Errorf("%s: NormalizePostalCode mismatch", tc.name)
		}
	}
}

func TestPrefectures(t *testing.T) {
	seen := map[string]bool{}
	for i, p := range Prefectures {
		if p == "" || seen[p] {
			t.Fatalf("prefecture %d empty or duplicated", i+1)
		}
		seen[p] = true
		if !IsPrefecture(p) || PrefectureCode(p) != i+1 {
			t.Errorf("prefecture %d not recognised", i+1)
		}
	}
	if Prefectures[0] != "北海道" || Prefectures[12] != "東京都" || Prefectures[46] != "沖縄県" {
		t.Error("prefectures not in JIS order")
	}
	tests := []struct {
		name string
		in   string
		want bool
	}{
		{"tokyo", "東京都", true},
		{"padded", " 大阪府\u3000", true},
		{"no suffix", "東京", false},
		{"city", "京都市", false},
		{"empty", "", false},
		{"kanagawa", "神奈川県", true},
	}
	for _, tc := range tests {
		if got := IsPrefecture(tc.in); got != tc.want {
			t.Errorf("%s: IsPrefecture = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// FuzzNormalizers checks that every normaliser is idempotent, never panics and
// returns valid UTF-8 for valid input.
func FuzzNormalizers(f *testing.F) {
	for _, s := range []string{
		"", "０９０−１２３４−５６７８", "+81 90-1234-5678", "ｽｽﾞｷ ﾊﾅｺ", "すずき\u3000はなこ",
		"ＴＡＲＯ＠ＥＸＡＭＰＬＥ．ＪＰ", "〒１２３−４５６７", "+81 (0)3-1234-5678", "81-1234",
		"\xff\xfe", "ǅ", "ẞ", "İstanbul", "㎑", "ﾞﾟ", "ゝゞゟ", "+810123456789",
	} {
		f.Add(s)
	}
	funcs := []struct {
		name string
		fn   func(string) string
	}{
		{"Fold", Fold}, {"NormalizeEmail", NormalizeEmail}, {"NormalizePhone", NormalizePhone},
		{"NormalizeName", NormalizeName}, {"NormalizeKana", NormalizeKana},
		{"NormalizePostalCode", NormalizePostalCode},
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, fn := range funcs {
			once := fn.fn(s)
			if twice := fn.fn(once); twice != once {
				// Lengths only: the fuzzer keeps the failing input in
				// testdata/fuzz, and a failure message never echoes values.
				t.Fatalf("%s is not idempotent (input %d bytes, once %d, twice %d)", fn.name, len(s), len(once), len(twice))
			}
			if utf8.ValidString(s) && !utf8.ValidString(once) {
				t.Fatalf("%s produced invalid UTF-8", fn.name)
			}
		}
		_ = IsPrefecture(s)
	})
}
