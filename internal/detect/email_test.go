package detect

import (
	"strings"
	"testing"
)

func TestEmail(t *testing.T) {
	runDetCases(t, Email, []detCase{
		{"plain", "", "連絡先 taro.yamada@example.co.jp まで", []string{"taro.yamada@example.co.jp"}},
		{"plus tag", "", "<hanako+shop@example.jp>", []string{"hanako+shop@example.jp"}},
		{"percent-encoded", "", "GET /signup?email=taro%40example.jp&x=1", []string{"taro%40example.jp"}},
		{"percent-encoded plus", "", "?m=taro%2Bshop%40example.jp", []string{"taro%2Bshop%40example.jp"}},
		{"full-width", "", "メール：ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", []string{"ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ"}},
		{"full-width at only", "", "taro＠example.jp", []string{"taro＠example.jp"}},
		{"json", "", `{"email":"t.suzuki@mail.example.com"}`, []string{"t.suzuki@mail.example.com"}},
		{"column", "email", "Taro@Example.JP", []string{"Taro@Example.JP"}},
		{"sentence end dot", "", "mail to hanako@example.jp.", []string{"hanako@example.jp"}},
		{"mailto", "", "mailto:info-1@shop.example.jp", []string{"info-1@shop.example.jp"}},
		{"japanese around", "", "アドレスはhanako@example.jpです", []string{"hanako@example.jp"}},
		// hard negatives
		{"retina asset", "", "/img/icon@2x.png", nil},
		{"npm version", "", "lodash@4.17.21", nil},
		{"scoped package", "", "@types/node", nil},
		{"no domain dot", "", "root@localhost", nil},
		{"at alone", "", "foo @ bar", nil},
		{"double dot", "", "taro@example..jp", nil},
		{"leading hyphen label", "", "taro@-example.jp", nil},
		{"numeric tld", "", "user@10.0.0.1", nil},
		{"css media", "", "@media screen", nil},
		{"percent other", "", "100%40 off", nil},
		{"local ends with dot", "", "taro.@example.jp", nil},
		{"symbols only local", "", "+@example.jp", nil},
		{"double at", "", "a@b@example.jp", nil},
	})
}

func FuzzEmail(f *testing.F) {
	fuzzDetector(f, Email, []string{
		"taro@example.jp", "taro%40example.jp", "ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ", "%2B%40a.jp", "@", "%40", "a@b.", "..@..",
	})
}

// TestFileExtensionLead checks the length-and-first-letters filter of fileExtension against
// the set it guards: every extension, in any case, is still found; other labels are not.
func TestFileExtensionLead(t *testing.T) {
	for _, e := range fileExtensions {
		for _, v := range []string{e, strings.ToUpper(e)} {
			if !fileExtension(v) {
				t.Errorf("fileExtension(%q) = false", v)
			}
		}
	}
	for _, v := range []string{"jp", "com", "net", "org", "co", "ne", "jpx", "pngs", "ｐｎｇ", "a", ""} {
		if got, want := fileExtension(v), fileExtensionSet[strings.ToLower(v)]; got != want {
			t.Errorf("fileExtension(%q) = %v, want %v", v, got, want)
		}
	}
}
