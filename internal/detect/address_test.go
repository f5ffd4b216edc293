package detect

import (
	"testing"

	"github.com/kinko-jp/kinko/internal/jptext"
)

func TestAddress(t *testing.T) {
	runDetCases(t, Address, []detCase{
		{"tokyo ward", "", "東京都千代田区千代田1-1", []string{"東京都千代田区千代田1-1"}},
		{"with building", "", "〒100-0001 東京都千代田区千代田1-1 千代田ビル3F", []string{"東京都千代田区千代田1-1 千代田ビル3F"}},
		{"hokkaido", "", "北海道札幌市中央区北1条西2丁目", []string{"北海道札幌市中央区北1条西2丁目"}},
		{"kyoto", "", "京都府京都市中京区寺町通御池上る上本能寺前町488", []string{"京都府京都市中京区寺町通御池上る上本能寺前町488"}},
		{"fuchu not kyoto", "", "東京都府中市宮町1-1", []string{"東京都府中市宮町1-1"}},
		{"kanagawa", "", "住所: 神奈川県横浜市西区みなとみらい2-2-1", []string{"神奈川県横浜市西区みなとみらい2-2-1"}},
		{"district and town", "", "長野県北安曇郡白馬村北城1-1", []string{"長野県北安曇郡白馬村北城1-1"}},
		{"space after prefecture", "", "大阪府 大阪市北区梅田1-1-1", []string{"大阪府 大阪市北区梅田1-1-1"}},
		{"stops at phone", "", "沖縄県那覇市泉崎1-2-2 098-866-2333", []string{"沖縄県那覇市泉崎1-2-2"}},
		{"stops at TEL", "", "福岡県福岡市博多区博多駅前1-1 TEL 092-000-0000", []string{"福岡県福岡市博多区博多駅前1-1"}},
		{"stops at quote", "", `{"address":"愛知県名古屋市中村区名駅1-1-1","tel":"x"}`, []string{"愛知県名古屋市中村区名駅1-1-1"}},
		{"stops at comma", "", "1,鹿児島県鹿児島市山下町11-1,x", []string{"鹿児島県鹿児島市山下町11-1"}},
		{"column", "address", "和歌山県和歌山市小松原通1-1", []string{"和歌山県和歌山市小松原通1-1"}},
		// hard negatives
		{"prefecture only", "", "東京都の天気は晴れ", nil},
		{"no municipality", "", "北海道産の牛乳", nil},
		{"ward word", "", "東京都区部の人口", nil},
		{"not a prefecture", "", "東京千代田区", nil},
		{"email address column", "email_address", "東京都千代田区千代田1-1", nil},
		{"governor", "", "大阪府知事", nil},
	})
}

func FuzzAddress(f *testing.F) {
	fuzzDetector(f, Address, []string{
		"東京都千代田区千代田1-1", "北海道", "京都府京都市", "東京都府中市", "県", "神奈川県横浜市 ", "東京都千代田区\xff",
	})
}

func TestPrefectureEnding(t *testing.T) {
	for _, p := range jptext.Prefectures {
		t.Run(p, func(t *testing.T) {
			if got := prefectureEnding("住所"+p, len("住所"+p)); got != len("住所") {
				t.Errorf("prefectureEnding(住所%s) = %d, want %d", p, got, len("住所"))
			}
			if got := prefectureEnding(p[3:], len(p)-3); got != -1 {
				t.Errorf("prefectureEnding of %s without its first character = %d, want -1", p, got)
			}
		})
	}
	for _, s := range []string{"", "県", "大都", "首都", "東京府", "城県", "x宮城県"[:7]} {
		if got := prefectureEnding(s, len(s)); got != -1 {
			t.Errorf("prefectureEnding(%q) = %d, want -1", s, got)
		}
	}
}
