package access

import (
	"strings"
	"testing"
	"time"
)

// sample is a flattened customer record with values distinct enough to search for.
var sample = map[string]string{
	FieldName:         "佐藤 太郎",
	FieldNameKana:     "サトウ タロウ",
	FieldEmail:        "taro.sato@example.jp",
	FieldPhone:        "090-1234-5678",
	FieldPostalCode:   "150-0001",
	FieldPrefecture:   "東京都",
	FieldCity:         "渋谷区",
	FieldLine1:        "神宮前1-2-3",
	FieldLine2:        "メゾン301",
	FieldBirthDate:    "1990-05-01",
	FieldGender:       "male",
	"attributes.size": "L",
	FieldCardProvider: "pay.jp",
	FieldCardToken:    "tok_secret_123",
	FieldCardBrand:    "visa",
	FieldCardLast4:    "4242",
}

var policyNow = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func TestPolicyView(t *testing.T) {
	// For each role: exactly what it sees, then what must not appear anywhere in its view.
	tests := []struct {
		role    Role
		want    map[string]string
		mustNot []string
	}{
		{RoleOwner, map[string]string{
			FieldName: "佐**", FieldNameKana: "サ**", FieldEmail: "t***@example.jp", FieldPhone: "***-****-5678",
			FieldPostalCode: "150-****", FieldPrefecture: "東京都", FieldCity: "渋谷区", FieldLine1: "***", FieldLine2: "***",
			FieldBirthDate: "30代", FieldGender: "male", "attributes.size": "L", FieldCardProvider: "pay.jp", FieldCardToken: "***",
			FieldCardBrand: "visa", FieldCardLast4: "4242",
		}, []string{"taro.sato", "1234-5678", "神宮前", "メゾン", "1990", "tok_secret", "太郎", "0001"}},
		{RoleSupport, map[string]string{
			FieldName: "佐藤 太郎", FieldNameKana: "サトウ タロウ", FieldEmail: "t***@example.jp", FieldPhone: "***-****-5678",
			FieldPrefecture: "東京都", FieldCity: "渋谷区",
		}, []string{"taro.sato", "090-1234", "1234-5678", "神宮前", "メゾン", "150-0001", "1990", "30代", "male", "tok_", "4242"}},
		{RoleShipping, map[string]string{
			FieldName: "佐藤 太郎", FieldNameKana: "サトウ タロウ", FieldPhone: "090-1234-5678", FieldPostalCode: "150-0001",
			FieldPrefecture: "東京都", FieldCity: "渋谷区", FieldLine1: "神宮前1-2-3", FieldLine2: "メゾン301",
		}, []string{"taro", "example.jp", "1990", "30代", "male", "tok_", "4242", "visa"}},
		{RoleMarketing, map[string]string{
			FieldPrefecture: "東京都", FieldBirthDate: "30代", FieldGender: "male", "attributes.size": "L",
		}, []string{"佐藤", "サトウ", "taro", "example.jp", "5678", "150", "渋谷", "神宮前", "メゾン", "1990", "tok_", "4242"}},
		{RoleAuditor, map[string]string{}, []string{"佐藤", "taro", "5678", "東京", "渋谷", "神宮前", "1990", "30代", "male", "tok_", "4242", "L"}},
		{Role("intern"), map[string]string{}, []string{"佐藤", "taro", "5678", "東京"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			got := PolicyFor(tt.role).View(sample, policyNow)
			for f, w := range tt.want {
				if got[f] != w {
					t.Errorf("%s: got %q, want %q", f, got[f], w)
				}
			}
			for f := range got {
				if _, ok := tt.want[f]; !ok {
					t.Errorf("%s is visible and must not be", f)
				}
			}
			var all strings.Builder
			for f, v := range got {
				all.WriteString(f + "=" + v + "\n")
			}
			for _, bad := range tt.mustNot {
				if strings.Contains(all.String(), bad) {
					t.Errorf("view contains %q", bad)
				}
			}
		})
	}
}

func TestCanReveal(t *testing.T) {
	tests := []struct {
		role  Role
		yes   []string
		never []string
	}{
		{RoleOwner, []string{"email", "phone", "address", "address.line1", "postal_code", "birth_date", "card", "card.token", "attributes", "name"}, []string{"password", ""}},
		{RoleAdmin, []string{"email", "card", "birth_date"}, []string{"nonsense"}},
		{RoleSupport, []string{"email", "phone", "address", "address.line1", "postal_code"}, []string{"birth_date", "card", "card.token", "attributes", "gender", "name"}},
		{RoleShipping, nil, []string{"email", "phone", "address", "birth_date", "card"}},
		{RoleMarketing, nil, []string{"email", "phone", "address", "birth_date", "name"}},
		{RoleAuditor, nil, []string{"email", "phone", "address", "name"}},
	}
	for _, tt := range tests {
		t.Run(string(tt.role), func(t *testing.T) {
			for _, f := range tt.yes {
				if !CanReveal(tt.role, f) {
					t.Errorf("%s should be revealable", f)
				}
			}
			for _, f := range tt.never {
				if CanReveal(tt.role, f) {
					t.Errorf("%s must not be revealable", f)
				}
			}
		})
	}
}

func TestMaskHelpers(t *testing.T) {
	tests := []struct {
		name, got, want string
	}{
		{"email", MaskEmail("taro@example.jp"), "t***@example.jp"},
		{"email multibyte local", MaskEmail("たろう@example.jp"), "た***@example.jp"},
		{"email without domain", MaskEmail("taro@"), "***"},
		{"email without local", MaskEmail("@example.jp"), "***"},
		{"not an email", MaskEmail("taro"), "***"},
		{"phone", MaskPhone("090-1234-5678"), "***-****-5678"},
		{"phone full-width", MaskPhone("０９０１２３４５６７８"), "***-****-5678"},
		{"phone +81", MaskPhone("+81 3-1234-5678"), "***-****-5678"},
		{"phone too short", MaskPhone("12345"), "***"},
		{"name", MaskName("佐藤 太郎"), "佐**"},
		{"empty name", MaskName(""), "***"},
		{"postal", MaskPostalCode("150-0001"), "150-****"},
		{"postal bad", MaskPostalCode("1500"), "***"},
		{"age 35", AgeBand("1990-01-01", policyNow), "30代"},
		{"age 29, birthday tomorrow", AgeBand("1995-06-02", policyNow), "20代"},
		{"age 30 today", AgeBand("1995-06-01", policyNow), "30代"},
		{"child", AgeBand("2020-01-01", policyNow), "10歳未満"},
		{"centenarian", AgeBand("1920-01-01", policyNow), "100歳以上"},
		{"future", AgeBand("2030-01-01", policyNow), ""},
		{"garbage", AgeBand("yesterday", policyNow), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}

func TestRolesAndPermissions(t *testing.T) {
	for _, r := range Roles {
		if got, err := ParseRole(" " + strings.ToUpper(string(r)) + " "); err != nil || got != r {
			t.Errorf("ParseRole(%s) = %q, %v", r, got, err)
		}
	}
	if _, err := ParseRole("root"); err == nil {
		t.Error("unknown role accepted")
	}
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"owner manages owners", RoleOwner.CanManage(RoleOwner), true},
		{"admin manages support", RoleAdmin.CanManage(RoleSupport), true},
		{"admin does not manage owners", RoleAdmin.CanManage(RoleOwner), false},
		{"support manages nobody", RoleSupport.CanManage(RoleShipping), false},
		{"auditor reads audit", RoleAuditor.Can(PermAuditRead), true},
		{"auditor reads no customer", RoleAuditor.Can(PermCustomersRead), false},
		{"marketing cannot write", RoleMarketing.Can(PermCustomersWrite), false},
		{"shipping cannot reveal", RoleShipping.Can(PermReveal), false},
		{"only owner manages keys", RoleAdmin.Can(PermManageKeys), false},
		{"unknown role holds nothing", Role("x").Can(PermCustomersRead), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %v", tt.got)
			}
		})
	}
}
