package vault

import (
	"reflect"
	"testing"
)

// fastDecodeCases: bodies a shop's backend sends (taken by the quick path) and the forms it
// leaves to encoding/json. Both give DecodeInput's one result.
var fastDecodeCases = []struct {
	body string
	fast bool
}{
	{`{"name":"山田 太郎1","name_kana":"ヤマダ タロウ","email":"taro1@example.jp","phone":"09000000001","postal_code":"150-0002","address":{"prefecture":"東京都","city":"渋谷区渋谷","line1":"2-1-1","line2":"ヒカリエ 10F"},"birth_date":"1985-04-01"}`, true},
	// PHP's json_encode escapes every non-ASCII character (EC-CUBE's default).
	{`{"name":"\u5c71\u7530 \u592a\u90ce","email":"taro@example.jp","address":{"prefecture":"\u6771\u4eac\u90fd"}}`, true},
	{" {\n \"gender\" : \"female\" ,\r\n\t\"attributes\" : { \"会員ランク\" : \"gold\", \"k\\\"\\\\\\/\\b\\f\\n\\r\\t\" : \"v\", \"k\" : \"w\" } } \n", true},
	{`{"attributes":{"a":"1","a":"2"}}`, true},
	{`{}`, true},
	{`{"address":{}}`, true},
	{`{"attributes":{}}`, true},
	{`{"name":""}`, true},
	{`{"name":"\u0000"}`, true},
	// Left to encoding/json.
	{`{"Name":"x"}`, false},            // matched case-insensitively there
	{`{"na\u006de":"x"}`, false},       // an escaped key
	{`{"name":"x","name":"y"}`, false}, // a repeated key
	{`{"address":{"city":"a","city":"b"}}`, false},
	{`{"name":null}`, false},
	{`{"name":1}`, false},
	{`{"attributes":{"a":null}}`, false},
	{`{"address":{"zip":"x"}}`, false},
	{`{"unknown":"x"}`, false},
	{`{"name":"\ud83d\ude00"}`, false}, // a surrogate pair
	{`{"name":"\ud800"}`, false},       // a lone surrogate
	{`{"name":"x"} {}`, false},
	{`{"name":"x",}`, false},
	{`{"name":"x"`, false},
	{"{\"name\":\"a\tb\"}", false}, // a raw control character
	{`{"name":"\x"}`, false},
	{`{"name":"\u12"}`, false},
	{`[]`, false},
	{`null`, false},
	{``, false},
}

func TestDecodeInputFast(t *testing.T) {
	for _, c := range fastDecodeCases {
		fast, ok := decodeInputFast([]byte(c.body))
		if ok != c.fast {
			t.Errorf("%q: quick path taken %v, want %v", c.body, ok, c.fast)
		}
		var slow Input
		slowErr := decodeStrict([]byte(c.body), &slow)
		if ok && (slowErr != nil || !reflect.DeepEqual(fast, slow)) {
			t.Errorf("%q: quick path %+v, encoding/json %+v (%v)", c.body, fast, slow, slowErr)
		}
		// DecodeInput gives encoding/json's result whichever way it went.
		got, err := DecodeInput([]byte(c.body))
		if (err == nil) != (slowErr == nil) || err == nil && !reflect.DeepEqual(got, slow) {
			t.Errorf("%q: DecodeInput %+v, %v; encoding/json %+v, %v", c.body, got, err, slow, slowErr)
		}
		if err != nil && slowErr != nil && err.Error() != slowErr.Error() {
			t.Errorf("%q: DecodeInput's error %q, encoding/json's %q", c.body, err, slowErr)
		}
	}
}
