package vault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/jptext"
)

// Address is a Japanese postal address.
type Address struct {
	Prefecture string `json:"prefecture"`
	City       string `json:"city"`
	Line1      string `json:"line1"`
	Line2      string `json:"line2"`
}

// CardRef is a payment provider's reference to a card: never the card number.
type CardRef struct {
	Provider string `json:"provider"`
	Token    string `json:"token"`
	Brand    string `json:"brand"`
	Last4    string `json:"last4"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
}

// Input is what a shop sends to create or change a customer. A nil field is absent.
type Input struct {
	Name       *string           `json:"name,omitempty"`
	NameKana   *string           `json:"name_kana,omitempty"`
	Email      *string           `json:"email,omitempty"`
	Phone      *string           `json:"phone,omitempty"`
	PostalCode *string           `json:"postal_code,omitempty"`
	Address    *Address          `json:"address,omitempty"`
	BirthDate  *string           `json:"birth_date,omitempty"`
	Gender     *string           `json:"gender,omitempty"`
	Attributes map[string]string `json:"attributes,omitempty"`
}

// Record is a customer as the API returns it.
type Record struct {
	ID string `json:"id"`
	Input
	Card *CardRef `json:"card,omitempty"`
	// AgeBand replaces birth_date for a staff role that sees only an age band (30代).
	AgeBand string `json:"age_band,omitempty"`
	// Masked is true when the record is shown through a staff role's policy: values may be
	// masked (t***@example.jp) or absent; reveal them with a reason.
	Masked    bool      `json:"masked,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Patch is a partial update: fields in Set replace the stored ones, fields named in Clear
// (sent as null) are removed, the rest are kept.
type Patch struct {
	Set   Input
	Clear map[string]bool
}

// Limits on what a record may hold; each keeps one customer's record small enough that a
// request body (1 MiB) can never be mostly one field, and stops abuse of free text.
const (
	MaxAttributes     = 64   // the limit
	maxAttrKeyLen     = 64   // characters
	maxAttrValueLen   = 1024 // characters
	maxTextLen        = 256  // characters, for name, email, address lines…
	maxGenderLen      = 32
	maxCardTokenLen   = 256
	maxProviderLength = 64
)

// InputError is a client mistake in a request: a stable code, the field it concerns, and a
// message that never contains the value sent.
type InputError struct {
	Code    string // invalid_json, invalid_utf8, unknown_field, invalid_field, too_many_attributes
	Field   string
	Message string
}

func (e *InputError) Error() string { return e.Message }

func invalid(field, format string, args ...any) *InputError {
	return &InputError{Code: "invalid_field", Field: field, Message: "field " + field + ": " + fmt.Sprintf(format, args...)}
}

// CardRefusedError means a card number was found in a value; Field names where, the value
// is never kept.
type CardRefusedError struct{ Field string }

func (e *CardRefusedError) Error() string {
	return "a card number was found in field " + e.Field + "; card numbers are never stored (use a payment provider's token)"
}

// fieldNames in input order, for stable error reports.
var recordKeys = map[string]bool{"name": true, "name_kana": true, "email": true, "phone": true, "postal_code": true,
	"address": true, "birth_date": true, "gender": true, "attributes": true}

// DecodeInput parses a create request body.
func DecodeInput(body []byte) (Input, error) {
	if utf8.Valid(body) {
		if in, ok := decodeInputFast(body); ok {
			return in, nil
		}
	}
	var in Input
	if err := decodeStrict(body, &in); err != nil {
		return Input{}, err
	}
	return in, nil
}

// DecodePatch parses a PATCH body: an object whose keys are record fields, null clearing one.
func DecodePatch(body []byte) (Patch, error) {
	if err := checkUTF8(body); err != nil {
		return Patch{}, err
	}
	var raw map[string]json.RawMessage
	if err := decodeStrict(body, &raw); err != nil {
		return Patch{}, err
	}
	p := Patch{Clear: map[string]bool{}}
	set := map[string]json.RawMessage{}
	for k, v := range raw {
		if !recordKeys[k] {
			return Patch{}, &InputError{Code: "unknown_field", Field: safeKey(k), Message: "unknown field " + safeKey(k)}
		}
		if string(bytes.TrimSpace(v)) == "null" {
			p.Clear[k] = true
			continue
		}
		set[k] = v
	}
	b, _ := json.Marshal(set)
	if err := decodeStrict(b, &p.Set); err != nil {
		return Patch{}, err
	}
	return p, nil
}

// DecodeCard parses a card reference.
func DecodeCard(body []byte) (CardRef, error) {
	var c CardRef
	if err := decodeStrict(body, &c); err != nil {
		return CardRef{}, err
	}
	return c, nil
}

func checkUTF8(body []byte) error {
	if !utf8.Valid(body) {
		return &InputError{Code: "invalid_utf8", Message: "request body is not valid UTF-8"}
	}
	return nil
}

// decodeStrict decodes exactly one JSON value into v, refusing unknown fields, invalid
// UTF-8 and trailing data. Its messages name fields and types, never values.
func decodeStrict(body []byte, v any) error {
	if err := checkUTF8(body); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return &InputError{Code: "invalid_json", Message: "request body must hold exactly one JSON object"}
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &InputError{Code: "invalid_json", Message: "request body is not valid JSON"}
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return &InputError{Code: "invalid_json", Message: "request body must be a JSON object"}
		}
		return &InputError{Code: "invalid_field", Field: field, Message: "field " + field + " must be " + jsonType(typ.Type.String())}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		k := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &InputError{Code: "unknown_field", Field: safeKey(k), Message: "unknown field " + safeKey(k)}
	}
	return &InputError{Code: "invalid_json", Message: "request body is not valid JSON"}
}

func jsonType(goType string) string {
	switch {
	case strings.Contains(goType, "map"):
		return "an object of strings"
	case strings.Contains(goType, "Address"), strings.Contains(goType, "struct"):
		return "an object"
	case strings.Contains(goType, "int"):
		return "an integer"
	}
	return "a string"
}

var safeKeyRE = regexp.MustCompile(`^[A-Za-z0-9_.\-]{1,64}$`)

// safeKey returns k if it is a plain identifier; an unknown key might itself be personal
// data (a shop sending {"山田太郎": …}), so anything else is not repeated.
func safeKey(k string) string {
	if safeKeyRE.MatchString(k) {
		return k
	}
	return "(unnamed)"
}

// checkCards runs the one card detector over every string the input carries. It runs before
// any other validation so that a card number is refused as such wherever it hides.
func (in *Input) checkCards() error {
	check := func(field string, s *string) error {
		if s != nil && detect.ContainsCard(*s) {
			return &CardRefusedError{Field: field}
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    *string
	}{{"name", in.Name}, {"name_kana", in.NameKana}, {"email", in.Email}, {"phone", in.Phone},
		{"postal_code", in.PostalCode}, {"birth_date", in.BirthDate}, {"gender", in.Gender}} {
		if err := check(f.name, f.v); err != nil {
			return err
		}
	}
	if a := in.Address; a != nil {
		for _, f := range []struct {
			name string
			v    *string
		}{{"address.prefecture", &a.Prefecture}, {"address.city", &a.City}, {"address.line1", &a.Line1}, {"address.line2", &a.Line2}} {
			if err := check(f.name, f.v); err != nil {
				return err
			}
		}
	}
	for k, v := range in.Attributes {
		if detect.ContainsCard(k) {
			return &CardRefusedError{Field: "attributes"}
		}
		if detect.ContainsCard(v) {
			return &CardRefusedError{Field: "attributes." + safeKey(k)}
		}
	}
	return nil
}

func (c *CardRef) checkCards() error {
	for _, f := range []struct{ name, v string }{{"provider", c.Provider}, {"token", c.Token}, {"brand", c.Brand}, {"last4", c.Last4}} {
		if detect.ContainsCard(f.v) {
			return &CardRefusedError{Field: "card." + f.name}
		}
	}
	return nil
}

// validate checks shapes and sizes. Values are never quoted in its errors.
func (in *Input) validate() error {
	if err := checkLine("name", in.Name, maxTextLen); err != nil {
		return err
	}
	if err := checkLine("name_kana", in.NameKana, maxTextLen); err != nil {
		return err
	}
	if err := checkLine("email", in.Email, maxTextLen); err != nil {
		return err
	}
	if in.Email != nil && *in.Email != "" && !emailShape(jptext.NormalizeEmail(*in.Email)) {
		return invalid("email", "must be an email address such as name@example.jp")
	}
	if err := checkLine("phone", in.Phone, 32); err != nil {
		return err
	}
	if in.Phone != nil && *in.Phone != "" {
		if !phoneShape(*in.Phone) {
			return invalid("phone", "must be a phone number: digits with optional +, spaces, hyphens or parentheses")
		}
	}
	if err := checkLine("postal_code", in.PostalCode, 16); err != nil {
		return err
	}
	if in.PostalCode != nil && *in.PostalCode != "" {
		if !postalShape(jptext.Fold(*in.PostalCode)) {
			return invalid("postal_code", "must be a 7-digit postal code such as 106-0032")
		}
	}
	if a := in.Address; a != nil {
		for _, f := range []struct {
			name string
			v    *string
		}{{"address.prefecture", &a.Prefecture}, {"address.city", &a.City}, {"address.line1", &a.Line1}, {"address.line2", &a.Line2}} {
			if err := checkLine(f.name, f.v, maxTextLen); err != nil {
				return err
			}
		}
	}
	if in.BirthDate != nil && *in.BirthDate != "" {
		d, err := time.Parse(time.DateOnly, *in.BirthDate)
		if err != nil || d.Format(time.DateOnly) != *in.BirthDate {
			return invalid("birth_date", "must be a date that exists, as YYYY-MM-DD")
		}
		if d.Year() < 1880 || d.After(time.Now().AddDate(0, 0, 1)) {
			return invalid("birth_date", "must be a past date after 1880")
		}
	}
	if err := checkLine("gender", in.Gender, maxGenderLen); err != nil {
		return err
	}
	if len(in.Attributes) > MaxAttributes {
		return &InputError{Code: "too_many_attributes", Field: "attributes", Message: fmt.Sprintf("attributes may hold at most %d entries", MaxAttributes)}
	}
	for k, v := range in.Attributes {
		if k == "" || utf8.RuneCountInString(k) > maxAttrKeyLen || hasControl(k, false) {
			return invalid("attributes", "keys must be 1 to %d characters without control characters", maxAttrKeyLen)
		}
		if utf8.RuneCountInString(v) > maxAttrValueLen || hasControl(v, true) {
			return invalid("attributes."+safeKey(k), "must be at most %d characters without control characters", maxAttrValueLen)
		}
	}
	return nil
}

func (c *CardRef) validate() error {
	if c.Provider == "" || utf8.RuneCountInString(c.Provider) > maxProviderLength || hasControl(c.Provider, false) {
		return invalid("provider", "is required: the payment provider's name (at most %d characters)", maxProviderLength)
	}
	if c.Token == "" || len(c.Token) > maxCardTokenLen || hasControl(c.Token, false) {
		return invalid("token", "is required: the provider's card token (at most %d bytes)", maxCardTokenLen)
	}
	if utf8.RuneCountInString(c.Brand) > 32 || hasControl(c.Brand, false) {
		return invalid("brand", "must be at most 32 characters")
	}
	if len(c.Last4) != 4 || strings.Trim(c.Last4, "0123456789") != "" {
		return invalid("last4", "must be the last 4 digits of the card")
	}
	if c.ExpMonth < 1 || c.ExpMonth > 12 {
		return invalid("exp_month", "must be 1 to 12")
	}
	if c.ExpYear < 2000 || c.ExpYear > 2100 {
		return invalid("exp_year", "must be a four-digit year")
	}
	return nil
}

func checkLine(field string, s *string, max int) error {
	if s == nil {
		return nil
	}
	if utf8.RuneCountInString(*s) > max {
		return invalid(field, "must be at most %d characters", max)
	}
	if hasControl(*s, false) {
		return invalid(field, "must not contain control characters or line breaks")
	}
	return nil
}

func hasControl(s string, allowNewline bool) bool {
	for _, r := range s {
		if r == '\t' || (allowNewline && (r == '\n' || r == '\r')) {
			continue
		}
		if unicode.IsControl(r) || r == utf8.RuneError || r == '\u2028' || r == '\u2029' {
			return true
		}
	}
	return false
}

func emailShape(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t<>()[],;:\"") &&
		!strings.Contains(domain, "@") && strings.Contains(domain, ".") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

func phoneShape(s string) bool {
	f := jptext.Fold(s)
	digits := 0
	for _, r := range f {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' || r == '-' || r == ' ' || r == '(' || r == ')' || r == '‐' || r == '−' || r == 'ー' || r == '―':
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 15
}

func postalShape(s string) bool {
	s = strings.TrimPrefix(strings.TrimSpace(s), "〒")
	if len(s) == 8 && s[3] == '-' {
		s = s[:3] + s[4:]
	}
	return len(s) == 7 && strings.Trim(s, "0123456789") == ""
}

// DecodeJSON decodes a small request object strictly (unknown fields, trailing data and
// invalid UTF-8 refused) with the same safe errors as customer records.
func DecodeJSON(body []byte, v any) error { return decodeStrict(body, v) }
