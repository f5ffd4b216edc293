// Package detect finds personal data in text: card numbers, My Numbers,
// email addresses, Japanese phone numbers, postal codes, addresses, birth
// dates and person names. It is the one detector of kinko (DESIGN.md "One
// detector"): the vault's write path refuses card numbers with ContainsCard,
// the scanner, POST /v1/check, the log redactor (NewRedactingHandler) and the
// mail guard call Engine.Scan.
//
// Detection validates, it does not just match: Luhn plus issuer ranges and
// lengths for cards, the 個人番号 check digit for My Numbers, real number
// shapes for phones, the 47 prefectures for addresses, real calendar dates
// (西暦 and 和暦) for birth dates. Context decides what a value can be: a
// Context built once per column or key by KeyContext (a CSV header, a JSON
// key, an SQL column, a log key), or, for free text (zero Context), the inline
// context the engine finds itself ("key=value", "key: value", "\"key\":\"v\"",
// "お名前：… 様", "生年月日：…").
//
// The engine is candidate-driven: one pass over the bytes finds triggers
// (digit runs, ASCII or full-width; @, ＠ and %40; ':' '=' and their
// full-width forms for inline keys; 様; the 都道府県 suffixes of
// prefectures) and only candidates are validated. Each detector lives in one
// file (card.go, mynumber.go, …) with its table tests and its fuzz test, and
// is wired in engine.go: a line in the detectors table and a case in the
// hook switches it uses.
//
// Invariants:
//   - Findings from one Scan are sorted by Start and never overlap; when two
//     detectors claim the same bytes the finding with the higher confidence
//     is kept.
//   - Start and End are byte offsets into the text given, on UTF-8
//     boundaries, covering exactly the value (no quotes, delimiters or
//     surrounding spaces).
//   - An Engine is immutable after New and safe for concurrent use; Scan
//     allocates nothing beyond growing dst.
//   - Nothing in this package logs, prints or returns a detected value; a
//     Reason names the validator and the context, never the data.
//
// Beyond the API agreed with the scanner and the vault (Type and its
// constants, AllTypes, ParseTypes, Finding, Context, KeyContext, Engine,
// New, Engine.Scan, ContainsCard, FindCards) the package provides:
//   - Type.Mask: the mask that replaces a value, "[redacted:email]";
//   - Context.Hints and Context.IsZero;
//   - KeyContext reads dotted keys ("customers.name", "products.name") by
//     their last segment, earlier segments only ruling types out;
//   - Engine.Types, Engine.Redact and Redact (all types, free text);
//   - NewRedactingHandler, a slog.Handler wrapper.
package detect

import (
	"fmt"
	"strings"
)

// Type names a kind of personal data. The names are part of kinko's output
// formats (scan --format jsonl, POST /v1/check) and must not change.
type Type string

// The detected types.
const (
	CardNumber Type = "card_number"
	MyNumber   Type = "my_number"
	Email      Type = "email"
	Phone      Type = "phone"
	PostalCode Type = "postal_code"
	Address    Type = "address"
	BirthDate  Type = "birth_date"
	PersonName Type = "person_name"
)

// allTypes is in bit order of typeSet; the order is also the tie-break when
// two findings with equal confidence claim the same bytes (a card number
// beats anything else, a My Number beats a phone number).
var allTypes = [...]Type{CardNumber, MyNumber, Email, Phone, PostalCode, Address, BirthDate, PersonName}

// AllTypes returns every type the package detects, in priority order.
func AllTypes() []Type {
	out := make([]Type, len(allTypes))
	copy(out, allTypes[:])
	return out
}

// ParseTypes parses a comma-separated list of type names ("card_number,email").
// Spaces around names are ignored and duplicates are dropped; an empty list
// gives nil (meaning all types to New). An unknown name is an error naming it.
func ParseTypes(csv string) ([]Type, error) {
	var out []Type
	var seen typeSet
	for _, f := range strings.Split(csv, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		b, ok := bitOf(Type(f))
		if !ok {
			return nil, fmt.Errorf("unknown detector type %q (known: %s)", f, knownNames())
		}
		if seen&b == 0 {
			seen |= b
			out = append(out, Type(f))
		}
	}
	return out, nil
}

func knownNames() string {
	names := make([]string, len(allTypes))
	for i, t := range allTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ",")
}

// Mask returns the replacement text used for a value of type t by Redact and
// the redacting log handler, e.g. "[redacted:email]".
func (t Type) Mask() string { return maskPrefix + string(t) + "]" }

// Finding is one detected value.
type Finding struct {
	Type       Type
	Start, End int     // byte offsets into the text passed in (UTF-8), covering exactly the value
	Confidence float64 // 0..1
	Reason     string  // validator and context, e.g. "luhn+issuer(visa)"; never the value
}

// typeSet is a bit set of types, bit i for allTypes[i].
type typeSet uint16

func bitOf(t Type) (typeSet, bool) {
	for i, a := range allTypes {
		if a == t {
			return 1 << i, true
		}
	}
	return 0, false
}

func (s typeSet) has(t Type) bool {
	b, _ := bitOf(t)
	return s&b != 0
}

const allSet typeSet = 1<<len(allTypes) - 1

// priority returns the tie-break rank of t: lower wins.
func priority(t Type) int {
	for i, a := range allTypes {
		if a == t {
			return i
		}
	}
	return len(allTypes)
}
