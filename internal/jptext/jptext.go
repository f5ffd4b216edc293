// Package jptext normalises Japanese text the way customers type it, so that
// two spellings of the same value compare equal.
//
// It provides width folding (Fold; NFKC: full-width digits, letters and
// punctuation become ASCII, half-width katakana becomes full-width),
// normalisers for the fields kinko indexes (NormalizeEmail, NormalizePhone,
// NormalizeName, NormalizeKana, NormalizePostalCode), HiraganaToKatakana, and
// the 47 prefectures in JIS order (Prefectures, IsPrefecture,
// PrefectureCode).
//
// Invariants:
//   - every normaliser is idempotent: f(f(x)) == f(x), so a value normalised
//     twice (once by a client, once by the vault) still finds its index row;
//   - normalisers never fail and never panic, whatever the input (invalid
//     UTF-8 included); they are used for blind indexes only, stored values
//     stay as given.
package jptext

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold applies Unicode NFKC: full-width ASCII (０-９, Ａ-Ｚ, ＠, －, the
// ideographic space) becomes ASCII, half-width katakana with its voicing marks
// becomes composed full-width katakana (ｽﾞ → ズ). NFKC rather than width.Fold
// because only NFKC composes ﾞ/ﾟ with the preceding kana; NFKC is idempotent by
// Unicode's stability policy.
func Fold(s string) string {
	if isPlainASCII(s) {
		return s
	}
	return norm.NFKC.String(s)
}

// isPlainASCII reports whether s is printable ASCII plus ordinary whitespace,
// which NFKC leaves unchanged: the common case skips the normaliser.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// NormalizeEmail folds width, trims surrounding spaces and lower-cases the
// whole address. Lower-casing the local part is technically lossy (RFC 5321
// lets it be case-sensitive) but no Japanese mail provider treats it so, and a
// customer who types Taro@ must find taro@.
func NormalizeEmail(s string) string {
	return fixpoint(s, func(v string) string {
		return strings.TrimSpace(Fold(strings.ToLower(Fold(v))))
	})
}

// fixpoint applies f until the value stops changing. Case mapping and NFKC do
// not commute for a handful of compatibility characters, so one round is not
// always stable; two rounds are enough for every code point, the bound of
// four only guards against a future Unicode table surprising us.
func fixpoint(s string, f func(string) string) string {
	v := f(s)
	for range 4 {
		w := f(v)
		if w == v {
			return v
		}
		v = w
	}
	return v
}

// Country code handling for NormalizePhone.
const (
	// japanCC is Japan's ITU country code.
	japanCC = "81"
	// Japanese national numbers (without the trunk 0) are 9 digits for fixed
	// lines and toll-free numbers and 10 for mobile, IP and 0800 numbers.
	minNational, maxNational = 9, 10
)

// NormalizePhone folds width and keeps digits only. An international form of
// a Japanese number (+81 90-1234-5678, +81 (0)3-1234-5678, or 81 followed by
// a 9–10 digit national number) becomes the domestic form with its trunk 0, so
// "０９０−１２３４−５６７８" and "+81 90-1234-5678" both give "09012345678".
func NormalizePhone(s string) string {
	f := strings.TrimSpace(Fold(s))
	plus := strings.HasPrefix(f, "+")
	var b strings.Builder
	b.Grow(len(f))
	for i := 0; i < len(f); i++ {
		if c := f[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	d := b.String()
	if !strings.HasPrefix(d, japanCC) {
		return d
	}
	nat := d[len(japanCC):]
	switch {
	case strings.HasPrefix(nat, "0") && len(nat)-1 >= minNational && len(nat)-1 <= maxNational:
		// "+81 (0)3-…": the trunk 0 was written in brackets.
		return nat
	case strings.HasPrefix(nat, "0"):
		return d
	case plus || len(nat) >= minNational:
		if len(nat) >= minNational && len(nat) <= maxNational {
			return "0" + nat
		}
	}
	return d
}

// NormalizeName folds width, removes every space (ASCII, ideographic U+3000,
// tabs, any Unicode space), turns hiragana into katakana and lower-cases
// Latin letters, so 「すずき はなこ」, 「スズキハナコ」, 「ｽｽﾞｷ ﾊﾅｺ」 and
// "Hanako SUZUKI"/"hanako suzuki" each meet their own spelling.
func NormalizeName(s string) string {
	return fixpoint(s, normalizeName)
}

func normalizeName(s string) string {
	f := Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	for _, r := range f {
		switch {
		case unicode.IsSpace(r):
			continue
		case r >= 'A' && r <= 'Z':
			r += 'a' - 'A'
		case isHiraganaConvertible(r):
			r += katakanaOffset
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizeKana is NormalizeName: kana readings (フリガナ) are compared with
// the same folding, so a reading typed in hiragana finds one stored in
// katakana.
func NormalizeKana(s string) string { return NormalizeName(s) }

// katakanaOffset is the distance between a hiragana letter and its katakana
// twin: the two blocks are laid out in parallel (U+3041 ぁ ↔ U+30A1 ァ).
const katakanaOffset = 0x60

// isHiraganaConvertible reports whether r has a katakana twin at r+0x60:
// ぁ..ゖ and the iteration marks ゝゞ. ゟ (U+309F) has none.
func isHiraganaConvertible(r rune) bool {
	return (r >= 'ぁ' && r <= 'ゖ') || r == 'ゝ' || r == 'ゞ'
}

// HiraganaToKatakana converts hiragana letters to katakana and leaves every
// other rune alone.
func HiraganaToKatakana(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if isHiraganaConvertible(r) {
			r += katakanaOffset
		}
		b.WriteRune(r)
	}
	return b.String()
}

// NormalizePostalCode folds width and keeps digits only: "〒１２３−４５６７"
// gives "1234567".
func NormalizePostalCode(s string) string {
	f := Fold(s)
	var b strings.Builder
	b.Grow(len(f))
	for i := 0; i < len(f); i++ {
		if c := f[i]; c >= '0' && c <= '9' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Prefectures lists the 47 prefectures in JIS X 0401 order (code 01 北海道 to
// 47 沖縄県); Prefectures[i] has JIS code i+1.
var Prefectures = [47]string{
	"北海道", "青森県", "岩手県", "宮城県", "秋田県", "山形県", "福島県",
	"茨城県", "栃木県", "群馬県", "埼玉県", "千葉県", "東京都", "神奈川県",
	"新潟県", "富山県", "石川県", "福井県", "山梨県", "長野県", "岐阜県",
	"静岡県", "愛知県", "三重県", "滋賀県", "京都府", "大阪府", "兵庫県",
	"奈良県", "和歌山県", "鳥取県", "島根県", "岡山県", "広島県", "山口県",
	"徳島県", "香川県", "愛媛県", "高知県", "福岡県", "佐賀県", "長崎県",
	"熊本県", "大分県", "宮崎県", "鹿児島県", "沖縄県",
}

// IsPrefecture reports whether s, once width-folded and trimmed, is the full
// name of one of the 47 prefectures (with its 都道府県 suffix).
func IsPrefecture(s string) bool {
	return PrefectureCode(s) != 0
}

// PrefectureCode returns the JIS X 0401 code (1..47) of the prefecture named
// by s (width-folded, trimmed, with its suffix), or 0 if s names none.
func PrefectureCode(s string) int {
	s = strings.TrimSpace(Fold(s))
	for i, p := range Prefectures {
		if s == p {
			return i + 1
		}
	}
	return 0
}
