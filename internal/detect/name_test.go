package detect

import "testing"

func TestPersonName(t *testing.T) {
	runDetCases(t, PersonName, []detCase{
		{"label and salutation", "", "お名前：山田 太郎 様", []string{"山田 太郎"}},
		{"salutation", "", "山田 太郎 様\nこのたびはご注文ありがとうございます。", []string{"山田 太郎"}},
		{"salutation glued", "", "鈴木花子様、お世話になっております。", []string{"鈴木花子"}},
		{"salutation after particle", "", "先日は佐藤様にご来店いただき", []string{"佐藤"}},
		{"katakana salutation", "", "ヤマダ タロウ 様", []string{"ヤマダ タロウ"}},
		{"kanji and hiragana", "", "件名：注文の件\n石井さくら 様\n", []string{"石井さくら"}},
		{"given name ending in 人", "", "斎藤 正人 様", []string{"斎藤 正人"}},
		{"okurigana after particle", "", "本当にお疲れさま、ご苦労様", nil},
		{"ideographic space", "", "高橋\u3000一郎様", []string{"高橋\u3000一郎"}},
		{"bracket label", "", "【お名前】伊藤 美咲", []string{"伊藤 美咲"}},
		{"label stops at next label", "", "氏名：中村 翔 電話：03-1234-5678", []string{"中村 翔"}},
		{"json name", "", `{"name":"小林 直樹","tel":"x"}`, []string{"小林 直樹"}},
		{"log key", "", "customer_name=加藤恵 status=ok", []string{"加藤恵"}},
		{"column name", "name", "渡辺 健太", []string{"渡辺 健太"}},
		{"column family name", "姓", "林", []string{"林"}},
		{"column given name", "first_name", "さくら", []string{"さくら"}},
		{"column kana", "フリガナ", "ワタナベ ケンタ", []string{"ワタナベ ケンタ"}},
		{"column with sama", "氏名", "山本 陽子 様", []string{"山本 陽子"}},
		{"column latin", "full_name", "Taro Yamada", []string{"Taro Yamada"}},
		{"column latin first name", "first_name", "Hanako", []string{"Hanako"}},
		// hard negatives
		{"customer", "", "お客様各位", nil},
		{"everyone", "", "皆様、いつもありがとうございます。", nil},
		{"person in charge", "", "ご担当者様", nil},
		{"tired", "", "お疲れ様です", nil},
		{"tired at line start", "", "疲れ様", nil},
		{"individual", "", "個人様向け", nil},
		{"state", "", "様子を見る", nil},
		{"various", "", "様々な商品", nil},
		{"company", "", "株式会社山田商店様", nil},
		{"shop", "", "山田商店様", nil},
		{"product column", "product_name", "緑茶", nil},
		{"product mix", "name", "オーガニック緑茶 100g", nil},
		{"name column number", "name", "12345", nil},
		{"no context", "", "山田太郎", nil},
		{"label with sentence", "", "名前：未入力です。", nil},
		{"latin free text", "", "Dear Taro Yamada", nil},
		{"latin under bare name key", "name", "Organic Green Tea", nil},
		{"latin after inline label", "", "name=Organic Green Tea", nil},
	})
}

func FuzzPersonName(f *testing.F) {
	fuzzDetector(f, PersonName, []string{
		"お名前：山田 太郎 様", "様", " 様", "【お名前】", "name=", `{"name":"`, "ヤマダ\u3000タロウ様", "お客様",
	})
}

func TestHasCorporateRune(t *testing.T) {
	ref := func(s string) bool {
		for _, r := range s {
			switch r {
			case '株', '会', '社', '商', '店', '学', '院', '行', '所', '㈱':
				return true
			}
		}
		return false
	}
	cases := []struct{ name, s string }{
		{"name", "山田太郎"},
		{"company", "山田商事株式会社"},
		{"mark at the end", "東京大学"},
		{"mark alone", "㈱"},
		{"kana", "ヤマダ タロウ"},
		{"stray lead byte before a mark", "\xe5株"},
		{"cut mark", "株"[:2]},
		{"mark after invalid bytes", "\xff\xfe会"},
		{"overlong", "\xe0\x80\x80店"},
		{"empty", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got, want := hasCorporateRune(c.s), ref(c.s); got != want {
				t.Errorf("hasCorporateRune = %v, want %v", got, want)
			}
		})
	}
}
