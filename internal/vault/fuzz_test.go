package vault

import (
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeInput: any body either decodes or gives an InputError whose message never
// contains a value from the body (beyond plain field names).
func FuzzDecodeInput(f *testing.F) {
	for _, s := range []string{
		`{"name":"鈴木 花子","email":"a@example.jp","address":{"prefecture":"東京都"},"attributes":{"k":"v"}}`,
		`{"name": "broken`, `[]`, `{"name":1}`, `{"unknown":"x"}`, "{\"name\":\"\xff\"}", `{"attributes":{"a":null}}`,
		`{} {}`, `{"birth_date":"1985-02-30"}`, `null`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		in, err := DecodeInput(body)
		if err != nil {
			ie, ok := err.(*InputError)
			if !ok {
				t.Fatalf("not an InputError: %T", err)
			}
			if !utf8.ValidString(ie.Message) {
				t.Fatal("error message is not UTF-8")
			}
			return
		}
		if !utf8.Valid(body) {
			t.Fatal("invalid UTF-8 accepted")
		}
		// Validation must not panic either.
		_ = in.checkCards()
		_ = in.validate()
		if _, err := json.Marshal(in); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzDecodePatch(f *testing.F) {
	for _, s := range []string{`{"phone":"03-1234-5678","gender":null}`, `{"x":null}`, `{"name":null,"name":"a"}`, `{"山田":"x"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := DecodePatch(body)
		if err != nil {
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("not an InputError: %T", err)
			}
			return
		}
		for k := range p.Clear {
			if !recordKeys[k] {
				t.Fatalf("clearing an unknown field was accepted")
			}
		}
	})
}

// Whatever decodeInputFast accepts, encoding/json (decodeStrict) accepts too and decodes to
// an equal Input: the quick path may only ever be a quicker way to the same result.
func FuzzDecodeInputFast(f *testing.F) {
	for _, s := range fastDecodeCases {
		f.Add([]byte(s.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if !utf8.Valid(body) {
			return
		}
		fast, ok := decodeInputFast(body)
		if !ok {
			return
		}
		var slow Input
		if err := decodeStrict(body, &slow); err != nil {
			t.Fatalf("decodeInputFast accepted a body encoding/json refuses (%v)", err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatal("decodeInputFast and encoding/json decode the same body differently")
		}
	})
}
