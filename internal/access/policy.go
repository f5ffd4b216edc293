package access

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Visibility is how much of a customer field a role sees by default. The zero value is
// Hidden, so a field the table does not name is never shown: the policy fails closed.
type Visibility int

const (
	Hidden Visibility = iota // absent from what the role sees
	Masked                   // a masked form (MaskValue): enough to recognise, not to use
	Clear                    // the value as stored
)

func (v Visibility) String() string {
	switch v {
	case Masked:
		return "masked"
	case Clear:
		return "clear"
	}
	return "hidden"
}

// Customer field names, as the JSON API spells them. Nested values are named with a dot
// (address.city, card.last4); every free attribute is "attributes.<key>" and follows the
// policy of FieldAttributes.
const (
	FieldName         = "name"
	FieldNameKana     = "name_kana"
	FieldEmail        = "email"
	FieldPhone        = "phone"
	FieldPostalCode   = "postal_code"
	FieldPrefecture   = "address.prefecture"
	FieldCity         = "address.city"
	FieldLine1        = "address.line1"
	FieldLine2        = "address.line2"
	FieldBirthDate    = "birth_date"
	FieldGender       = "gender"
	FieldAttributes   = "attributes"
	FieldCardProvider = "card.provider"
	FieldCardToken    = "card.token"
	FieldCardBrand    = "card.brand"
	FieldCardLast4    = "card.last4"
	FieldCardExpMonth = "card.exp_month"
	FieldCardExpYear  = "card.exp_year"
)

// Fields lists every leaf field the policy knows, in record order.
var Fields = []string{FieldName, FieldNameKana, FieldEmail, FieldPhone, FieldPostalCode, FieldPrefecture, FieldCity,
	FieldLine1, FieldLine2, FieldBirthDate, FieldGender, FieldAttributes, FieldCardProvider, FieldCardToken,
	FieldCardBrand, FieldCardLast4, FieldCardExpMonth, FieldCardExpYear}

// policyRow is one role's line of the table: its default view, and which top-level fields it
// may reveal with a reason.
type policyRow struct {
	view   map[string]Visibility
	reveal map[string]bool // top-level names: "email", "address", "card"…; "*" is any field
}

// policy is issue 5's role table. Everything not listed is Hidden.
//
//   - owner, admin: every field masked (birth date as an age band, the card as brand and
//     last 4 only); may reveal any field with a reason.
//   - support: name, masked email and phone, prefecture and city; may reveal contact details.
//   - shipping: name, phone, full address and postal code, nothing else.
//   - marketing: no direct identifier: prefecture, age band, gender, attributes.
//   - auditor: no customer field at all.
var policy = map[Role]policyRow{
	RoleOwner: {view: ownerView, reveal: map[string]bool{"*": true}},
	RoleAdmin: {view: ownerView, reveal: map[string]bool{"*": true}},
	RoleSupport: {
		view: map[string]Visibility{FieldName: Clear, FieldNameKana: Clear, FieldEmail: Masked, FieldPhone: Masked, FieldPrefecture: Clear, FieldCity: Clear},
		// The "email/phone/address": the postal code is part of the address.
		reveal: map[string]bool{"email": true, "phone": true, "address": true, "postal_code": true},
	},
	RoleShipping: {view: map[string]Visibility{FieldName: Clear, FieldNameKana: Clear, FieldPhone: Clear, FieldPostalCode: Clear,
		FieldPrefecture: Clear, FieldCity: Clear, FieldLine1: Clear, FieldLine2: Clear}},
	RoleMarketing: {view: map[string]Visibility{FieldPrefecture: Clear, FieldBirthDate: Masked, FieldGender: Clear, FieldAttributes: Clear}},
	RoleAuditor:   {},
	// An API key limited to masked reads: the owners' default view, nothing revealable.
	RoleMaskedKey: {view: ownerView},
}

var ownerView = map[string]Visibility{
	FieldName: Masked, FieldNameKana: Masked, FieldEmail: Masked, FieldPhone: Masked, FieldPostalCode: Masked,
	FieldPrefecture: Clear, FieldCity: Clear, FieldLine1: Masked, FieldLine2: Masked,
	FieldBirthDate: Masked, FieldGender: Clear, FieldAttributes: Clear,
	// A card reference is a provider's token, never a number; owners see which card it is
	// (brand, last 4, expiry) and reveal the token only with a reason.
	FieldCardProvider: Clear, FieldCardToken: Masked, FieldCardBrand: Clear, FieldCardLast4: Clear, FieldCardExpMonth: Clear, FieldCardExpYear: Clear,
}

// Policy is one role's view of customer records.
type Policy struct{ row policyRow }

// PolicyFor returns the policy of role r; an unknown role sees nothing and reveals nothing.
func PolicyFor(r Role) Policy { return Policy{row: policy[r]} }

// policyField maps "attributes.<key>" to FieldAttributes; other names are themselves.
func policyField(field string) string {
	if strings.HasPrefix(field, FieldAttributes+".") {
		return FieldAttributes
	}
	return field
}

// Visible says how field (a leaf name such as "address.city" or "attributes.size") is shown.
func (p Policy) Visible(field string) Visibility { return p.row.view[policyField(field)] }

// CanReveal says whether the role may reveal field (a top-level name such as "address" or a
// leaf such as "address.line1") with a reason.
func (p Policy) CanReveal(field string) bool {
	top, _, _ := strings.Cut(field, ".")
	if !knownTop[top] {
		return false
	}
	return p.row.reveal["*"] || p.row.reveal[top]
}

var knownTop = func() map[string]bool {
	t := map[string]bool{}
	for _, f := range Fields {
		top, _, _ := strings.Cut(f, ".")
		t[top] = true
	}
	t["address"], t["card"] = true, true
	return t
}()

// CanReveal reports whether role r may reveal field with a reason.
func CanReveal(r Role, field string) bool { return PolicyFor(r).CanReveal(field) }

// View applies the policy to a flattened record (leaf field name → value, as in Fields, with
// "attributes.<key>" for attributes) and returns what the role sees: hidden fields are
// absent, masked ones replaced by MaskValue, empty values dropped. now is the date age bands
// are computed at.
func (p Policy) View(fields map[string]string, now time.Time) map[string]string {
	out := make(map[string]string, len(fields))
	for f, v := range fields {
		if v == "" {
			continue
		}
		switch p.Visible(f) {
		case Clear:
			out[f] = v
		case Masked:
			if mv := MaskValue(f, v, now); mv != "" {
				out[f] = mv
			}
		}
	}
	return out
}

// hiddenMark stands for a value whose masked form shows only that it exists.
const hiddenMark = "***"

// MaskValue is the masked form of field's value v: MaskEmail, MaskPhone, MaskName,
// MaskPostalCode, AgeBand for birth_date (at now; "" when the date does not parse), and
// "***" for anything else.
func MaskValue(field, v string, now time.Time) string {
	switch policyField(field) {
	case FieldEmail:
		return MaskEmail(v)
	case FieldPhone:
		return MaskPhone(v)
	case FieldName, FieldNameKana:
		return MaskName(v)
	case FieldPostalCode:
		return MaskPostalCode(v)
	case FieldBirthDate:
		return AgeBand(v, now)
	}
	return hiddenMark
}

// MaskEmail keeps the first character of the local part and the domain:
// taro@example.jp → t***@example.jp. Anything without a local part and a domain is "***".
func MaskEmail(v string) string {
	at := strings.LastIndexByte(v, '@')
	if at <= 0 || at == len(v)-1 {
		return hiddenMark
	}
	r, _ := utf8.DecodeRuneInString(v)
	return string(r) + hiddenMark + v[at:]
}

// MaskPhone keeps the last 4 digits: 090-1234-5678 → ***-****-5678. A number with fewer
// than 8 digits is not a phone number worth showing half of, and becomes "***".
func MaskPhone(v string) string {
	var digits []byte
	for _, r := range v {
		switch {
		case r >= '0' && r <= '9':
			digits = append(digits, byte(r))
		case r >= '０' && r <= '９':
			digits = append(digits, byte('0'+r-'０'))
		}
	}
	if len(digits) < 8 {
		return hiddenMark
	}
	return "***-****-" + string(digits[len(digits)-4:])
}

// MaskName keeps the first character: 佐藤 太郎 → 佐**.
func MaskName(v string) string {
	r, _ := utf8.DecodeRuneInString(strings.TrimSpace(v))
	if r == utf8.RuneError {
		return hiddenMark
	}
	return string(r) + "**"
}

// MaskPostalCode keeps the first 3 digits (the delivery region, shared by many thousands of
// addresses): 150-0001 → 150-****.
func MaskPostalCode(v string) string {
	var digits []byte
	for i := 0; i < len(v); i++ {
		if v[i] >= '0' && v[i] <= '9' {
			digits = append(digits, v[i])
		}
	}
	if len(digits) != 7 {
		return hiddenMark
	}
	return string(digits[:3]) + "-****"
}

// AgeBand turns a birth date (YYYY-MM-DD) into the decade of the age at now: 30代 for 30 to
// 39; under 10 is 10歳未満 and 100 or more is 100歳以上. A date that does not parse, or lies
// after now, gives "".
func AgeBand(birthDate string, now time.Time) string {
	b, err := time.Parse(time.DateOnly, birthDate)
	if err != nil {
		return ""
	}
	y, mo, d := now.Date()
	age := y - b.Year()
	if mo < b.Month() || mo == b.Month() && d < b.Day() {
		age--
	}
	switch {
	case age < 0:
		return ""
	case age < 10:
		return "10歳未満"
	case age >= 100:
		return "100歳以上"
	}
	return fmt.Sprintf("%d代", age/10*10)
}
