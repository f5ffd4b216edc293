package detect

import (
	"strings"
	"testing"
)

func TestParseTypes(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Type
		wantErr string
	}{
		{"two", "card_number,email", []Type{CardNumber, Email}, ""},
		{"spaces and duplicates", " phone , phone,my_number ", []Type{Phone, MyNumber}, ""},
		{"empty", "", nil, ""},
		{"unknown names it", "card_number,ssn", nil, `"ssn"`},
	}
	for _, tc := range tests {
		got, err := ParseTypes(tc.in)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: error %v, want one naming %s", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tc.want) {
			t.Errorf("%s: got %v, %v", tc.name, got, err)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%s: got %v", tc.name, got)
			}
		}
	}
	all := AllTypes()
	if len(all) != 8 || all[0] != CardNumber {
		t.Fatalf("AllTypes = %v", all)
	}
	all[0] = "x"
	if AllTypes()[0] != CardNumber {
		t.Error("AllTypes exposes internal state")
	}
	if got := New(nil).Types(); len(got) != 8 {
		t.Errorf("New(nil) types = %v", got)
	}
	if got := New([]Type{Email}).Types(); len(got) != 1 || got[0] != Email {
		t.Errorf("New(email) types = %v", got)
	}
}

func TestKeyContext(t *testing.T) {
	tests := []struct {
		key        string
		hint, deny []Type
	}{
		{"tel", []Type{Phone}, []Type{MyNumber, PostalCode}},
		{"phone_number", []Type{Phone}, nil},
		{"電話番号", []Type{Phone}, nil},
		{"email", []Type{Email}, []Type{Address}},
		{"mail_address", []Type{Email}, []Type{Address}},
		{"ip_address", nil, []Type{Address, MyNumber, CardNumber}},
		{"remote_addr", nil, []Type{Address}},
		{"address", []Type{Address}, nil},
		{"住所", []Type{Address}, nil},
		{"zip", []Type{PostalCode}, nil},
		{"郵便番号", []Type{PostalCode}, nil},
		{"my_number", []Type{MyNumber}, nil},
		{"マイナンバー", []Type{MyNumber}, nil},
		{"tracking_no", nil, []Type{MyNumber, CardNumber, Phone}},
		{"jan_code", nil, []Type{CardNumber}},
		{"order_id", nil, []Type{CardNumber, MyNumber}},
		{"注文番号", nil, []Type{CardNumber, MyNumber}},
		{"birth_date", []Type{BirthDate}, nil},
		{"dateOfBirth", []Type{BirthDate}, nil},
		{"生年月日", []Type{BirthDate}, nil},
		{"order_date", nil, nil},
		{"name", []Type{PersonName}, nil},
		{"first_name", []Type{PersonName}, nil},
		{"lastName", []Type{PersonName}, nil},
		{"customername", []Type{PersonName}, nil},
		{"氏名", []Type{PersonName}, nil},
		{"お名前", []Type{PersonName}, nil},
		{"姓", []Type{PersonName}, nil},
		{"フリガナ", []Type{PersonName}, nil},
		{"product_name", nil, []Type{PersonName}},
		{"商品名", nil, []Type{PersonName}},
		{"products.name", nil, []Type{PersonName}},
		{"customers.name", []Type{PersonName}, nil},
		{"card_no", []Type{CardNumber}, nil},
		{"memo", nil, nil},
	}
	for _, tc := range tests {
		c := KeyContext(tc.key)
		if c.Key != tc.key || c.IsZero() {
			t.Errorf("%s: key not kept", tc.key)
		}
		for _, h := range tc.hint {
			if !c.hint.has(h) {
				t.Errorf("%s: should hint %s", tc.key, h)
			}
		}
		for _, d := range tc.deny {
			if !(c.deny.has(d) && !c.hint.has(d)) {
				t.Errorf("%s: should deny %s", tc.key, d)
			}
		}
		if len(tc.hint) == 0 && len(c.Hints()) != 0 {
			t.Errorf("%s: unexpected hints %v", tc.key, c.Hints())
		}
	}
	if !(Context{}).IsZero() {
		t.Error("zero Context not zero")
	}
}

func TestInlineKey(t *testing.T) {
	tests := []struct {
		name, before, value, want string
	}{
		{"equals", "tel=", "0312345678", "tel"},
		{"colon space", "phone: ", "0312345678", "phone"},
		{"json", `{"email":"`, `x@example.jp"}`, "email"},
		{"json spaced", `{"email" : "`, `x@example.jp"}`, "email"},
		{"full-width colon", "■お名前：", "山田", "お名前"},
		{"brackets", "【生年月日】", "1985年4月1日", "生年月日"},
		{"dotted key", "user.tel=", "0312345678", "user.tel"},
		{"none", "hello ", "0312345678", ""},
		{"start of text", "", "0312345678", ""},
	}
	for _, tc := range tests {
		got, _ := inlineKey(tc.before+tc.value, len(tc.before))
		if got != tc.want {
			t.Errorf("%s: inline key %q, want %q", tc.name, got, tc.want)
		}
	}
}
