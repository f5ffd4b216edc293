package client

import (
	"encoding/json"
	"errors"
	"time"
)

// Address is a Japanese postal address.
type Address struct {
	Prefecture string `json:"prefecture"` // 都道府県, such as 東京都
	City       string `json:"city"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
}

// CardRef is a payment provider's reference to a card. It never holds a card number: the
// server refuses any value (the token included) in which it finds one.
type CardRef struct {
	Provider string `json:"provider"` // required, at most 64 characters
	Token    string `json:"token"`    // required, at most 256 bytes
	Brand    string `json:"brand"`    // at most 32 characters
	Last4    string `json:"last4"`    // exactly 4 digits
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"` // four digits, 2000 to 2100
}

// Input is what a shop sends to create a customer. A nil field is absent. Every string is
// checked for card numbers; the server's limits are in docs/openapi.yaml (text fields at
// most 256 characters, phone 32, postal code 16, gender 32, at most 64 attributes with keys
// of at most 64 and values of at most 1024 characters).
type Input struct {
	Name       *string           `json:"name,omitempty"`
	NameKana   *string           `json:"name_kana,omitempty"`
	Email      *string           `json:"email,omitempty"`
	Phone      *string           `json:"phone,omitempty"`
	PostalCode *string           `json:"postal_code,omitempty"`
	Address    *Address          `json:"address,omitempty"`
	BirthDate  *string           `json:"birth_date,omitempty"` // YYYY-MM-DD
	Gender     *string           `json:"gender,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Customer is a customer record as the server returns it: the fields as they were given
// (normalisation applies to search only), the card reference if one was set, and times.
type Customer struct {
	ID string `json:"id"`
	Input
	Card      *CardRef  `json:"card,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Field names a customer field, for Patch.Clear.
type Field string

// The fields of a customer record that a Patch may set or clear.
const (
	FieldName       Field = "name"
	FieldNameKana   Field = "name_kana"
	FieldEmail      Field = "email"
	FieldPhone      Field = "phone"
	FieldPostalCode Field = "postal_code"
	FieldAddress    Field = "address"
	FieldBirthDate  Field = "birth_date"
	FieldGender     Field = "gender"
	FieldAttributes Field = "attributes"
)

// Patch is a partial update. Fields set (non-nil) in Set replace the stored ones; an
// address or attribute map replaces the stored one as a whole. Fields listed in Clear are
// removed (sent as JSON null). Every other field is kept.
type Patch struct {
	Set   Input
	Clear []Field
}

// MarshalJSON encodes the patch as the API's PATCH body. It fails when a field is both set
// and cleared, or when Clear names an unknown field.
func (p Patch) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	s := p.Set
	for _, f := range []struct {
		name Field
		v    *string
	}{{FieldName, s.Name}, {FieldNameKana, s.NameKana}, {FieldEmail, s.Email}, {FieldPhone, s.Phone},
		{FieldPostalCode, s.PostalCode}, {FieldBirthDate, s.BirthDate}, {FieldGender, s.Gender}} {
		if f.v != nil {
			m[string(f.name)] = *f.v
		}
	}
	if s.Address != nil {
		m[string(FieldAddress)] = s.Address
	}
	// A non-nil empty map is sent as {} (replace with no attributes), unlike Input's
	// omitempty encoding.
	if s.Attributes != nil {
		m[string(FieldAttributes)] = s.Attributes
	}
	for _, f := range p.Clear {
		if !knownField(f) {
			return nil, errors.New("patch: unknown field " + safeName(string(f)) + " in Clear")
		}
		if _, ok := m[string(f)]; ok {
			return nil, errors.New("patch: field " + string(f) + " is both set and cleared")
		}
		m[string(f)] = nil
	}
	return json.Marshal(m)
}

func knownField(f Field) bool {
	switch f {
	case FieldName, FieldNameKana, FieldEmail, FieldPhone, FieldPostalCode, FieldAddress, FieldBirthDate, FieldGender, FieldAttributes:
		return true
	}
	return false
}

// safeName repeats a name only if it is a plain identifier: a misplaced value must not end
// up in an error message.
func safeName(s string) string {
	if s == "" || len(s) > 64 {
		return "(unnamed)"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-') {
			return "(unnamed)"
		}
	}
	return s
}

// SearchField is a field customers can be searched by (exact match after normalisation).
type SearchField string

// The searchable fields and how the server normalises the value before matching: NFKC width
// folding for all; email lower-cased; phone digits only with +81 read as a leading 0; names
// and kana with every space removed, hiragana as katakana and Latin letters lower-cased.
const (
	SearchEmail    SearchField = "email"
	SearchPhone    SearchField = "phone"
	SearchName     SearchField = "name"
	SearchNameKana SearchField = "name_kana"
)

// Finding is one piece of sensitive data found by Check.
type Finding struct {
	Type  string `json:"type"`  // such as FindingCardNumber
	Start int    `json:"start"` // byte offsets into the UTF-8 text: text[Start:End] is the value
	End   int    `json:"end"`
}

// Finding types Check may report.
const (
	FindingCardNumber = "card_number"
	FindingMyNumber   = "my_number"
	FindingEmail      = "email"
	FindingPhone      = "phone"
	FindingPostalCode = "postal_code"
	FindingAddress    = "address"
	FindingBirthDate  = "birth_date"
	FindingPersonName = "person_name"
)
