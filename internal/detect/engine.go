package detect

import (
	"math/bits"
	"slices"
	"strings"
	"unsafe"
)

// detector is one kind of personal data. Each detector lives in its own
// file and names the triggers it hooks; the hook functions themselves are
// called through the switches below, atDigits' and scan's (direct calls, so that the per-Scan
// state stays on the stack: a pointer passed through a func value escapes,
// and Scan must not allocate). A new detector is a file, a line in
// detectors and a case in each switch it hooks.
type detector struct {
	kind kind
	// digits: called at the first digit of every maximal digit run.
	digits bool
	// at: called at '@' (w=1), '＠' or "%40" (w=3).
	at bool
	// marks: called at each of these three-byte runes.
	marks []rune
	// value: called for a value whose key names this type: the whole text
	// under a keyed Context, or the value after an inline "key:", "key="
	// or "【key】" in free text.
	value bool
}

// detectors lists every detector in priority order (see allTypes).
var detectors = [...]detector{
	{kind: kCard, digits: true},
	{kind: kMyNumber, digits: true},
	{kind: kEmail, at: true},
	{kind: kPhone, digits: true},
	{kind: kPostal, digits: true},
	{kind: kAddress, marks: []rune{'都', '道', '府', '県'}},
	{kind: kBirth, digits: true},
	{kind: kName, marks: []rune{'様'}, value: true},
}

// kind is a detector's index in allTypes; the hot path switches on it
// rather than comparing Type strings.
type kind uint8

const (
	kCard kind = iota
	kMyNumber
	kEmail
	kPhone
	kPostal
	kAddress
	kBirth
	kName
)

func (k kind) typ() Type { return allTypes[k] }

func onAt(k kind, st *state, p, w int) (Finding, bool) {
	if k == kEmail {
		return emailOnAt(st, p, w)
	}
	return Finding{}, false
}

func onValue(k kind, st *state, start, limit int, keyed bool) (Finding, bool) {
	if k == kName {
		return nameOnValue(st, start, limit, keyed)
	}
	return Finding{}, false
}

// Engine scans text for the types it was built with. It is immutable after
// New and safe for concurrent use.
type Engine struct {
	types  typeSet
	digits []kind
	at     []kind
	values []kind
	// valueSet is values as a set: a key that names none of them has no value hook to run.
	valueSet typeSet
	// marks maps a trigger rune to its detectors; few enough to scan.
	marks []markHook
	// cls classifies each byte for the scan loop; mid3[lead] has bit
	// (second byte & 0x3F) set when some three-byte trigger starts with
	// lead and that second byte, so most kanji are passed over without
	// decoding.
	cls  [256]uint8
	mid3 [256]uint64
	// byLen[n] is the set of enabled digit detectors that can start at a
	// digit run of n digits (from runLengths).
	byLen [32]typeSet
}

type markHook struct {
	r rune
	k kind
}

// New returns an engine for the given types; nil or empty means all types.
func New(types []Type) *Engine {
	e := &Engine{}
	if len(types) == 0 {
		e.types = allSet
	}
	for _, t := range types {
		b, _ := bitOf(t)
		e.types |= b
	}
	for _, d := range detectors {
		if e.types&(1<<d.kind) == 0 {
			continue
		}
		if d.digits {
			e.digits = append(e.digits, d.kind)
		}
		if d.at {
			e.at = append(e.at, d.kind)
		}
		if d.value {
			e.values = append(e.values, d.kind)
			e.valueSet |= 1 << d.kind
		}
		for _, r := range d.marks {
			e.marks = append(e.marks, markHook{r, d.kind})
		}
	}
	// Digits trigger only the digit detectors: an engine without them (--types email)
	// passes over digit runs like any other byte.
	for c := '0'; c <= '9' && len(e.digits) > 0; c++ {
		e.cls[c] = clsDigit
	}
	for _, k := range e.digits {
		for n := range e.byLen {
			if runLengths[k]&(1<<n) != 0 {
				e.byLen[n] |= 1 << k
			}
		}
	}
	if len(e.at) > 0 {
		e.cls['@'] = clsAt
		e.cls['%'] = clsPercent
	}
	if len(e.values) > 0 {
		e.cls[':'] = clsSep
		e.cls['='] = clsSep
	}
	// Three-byte triggers: full-width digits (EF BC 90-99), ＠ (EF BC A0),
	// ： ＝ (EF BC 9A/9D), 】 (E3 80 91), and the marks.
	add3 := func(r rune) {
		lead, mid := byte(0xE0|r>>12), byte(r>>6&0x3F)
		e.cls[lead] = clsLead3
		e.mid3[lead] |= 1 << mid
	}
	// Every lead byte of a three-byte rune is clsLead3, with or without
	// triggers, so that the loop steps over kanji and kana a rune at a time.
	for b := 0xE0; b <= 0xEF; b++ {
		e.cls[b] = clsLead3
	}
	add3('０')
	add3('＠')
	add3('：')
	add3('】')
	for _, m := range e.marks {
		add3(m.r)
	}
	return e
}

// Types returns the types this engine detects, in priority order.
func (e *Engine) Types() []Type {
	var out []Type
	for _, t := range allTypes {
		if e.types.has(t) {
			out = append(out, t)
		}
	}
	return out
}

// state is one Scan call's view of the text.
type state struct {
	s string
	// ctx is the caller's Context, only read (by pointer: copied, its three words were
	// stored for each scanned value).
	ctx *Context
	// types are the detectors that run on this text: the engine's, narrowed
	// by a key that names its value's type.
	types typeSet
	// The digit run being examined: its digit count and first digit, set
	// by the engine before the digit hooks run so that each can reject a
	// run of the wrong length without parsing it.
	runLen   int
	runFirst byte
	// floor is the end of the last finding of this scan: detectors that
	// look back from their trigger (an email's local part) stop there, so
	// one value is never read as the start of the next.
	floor int
	// base is len(dst) when Scan began.
	base int
	// keys, when not nil, remembers the classes of inline keys across scans.
	keys *KeyCache
}

// KeyCache remembers how the inline keys one goroutine's scans met were classified:
// the same few ("tel=", "order_id=", "お電話番号：") come back on every line of a log or a
// mail, and classifying one reads it twice and looks its tokens up in maps. Not safe for
// concurrent use; the zero value is empty and ready.
type KeyCache struct {
	slots [keyCacheSlots]keySlot
}

const keyCacheSlots = 64

// keySlot is one remembered key (its bytes, so that the slot holds no pointer) and its
// class (classifyKey sets only hint and deny).
type keySlot struct {
	n          uint8
	hint, deny typeSet
	key        [maxKeyLen]byte
}

// classify is classifyKey(k) through the scan's key cache, if it has one.
func (st *state) classify(k string) Context {
	if st.keys == nil || len(k) == 0 || len(k) > maxKeyLen {
		return classifyKey(k)
	}
	sl := &st.keys.slots[(len(k)*7+int(k[0])+int(k[len(k)-1])*3)&(keyCacheSlots-1)]
	if int(sl.n) == len(k) && string(sl.key[:sl.n]) == k {
		return Context{hint: sl.hint, deny: sl.deny}
	}
	c := classifyKey(k)
	sl.n, sl.hint, sl.deny = uint8(len(k)), c.hint, c.deny
	copy(sl.key[:], k)
	return c
}

// contextAt returns the context that applies to a value starting at p: an
// inline key right before it ("tel=", "\"email\": \"", "生年月日："), else the
// Context the caller gave. (It is not remembered for the next hook at p: the
// hooks are asked only after their parse, and two parses of one run seldom
// both succeed, 500 times in 390,000 on a 30 MB corpus.)
func (st *state) contextAt(p int) Context {
	if k, ok := inlineKey(st.s, p); ok {
		c := st.classify(k)
		c.keyed = true
		return c
	}
	return *st.ctx
}

// Scan appends the findings in text to dst and returns it. text is UTF-8; a
// zero ctx means free text. The findings appended are sorted by Start and do
// not overlap.
func (e *Engine) Scan(dst []Finding, text []byte, ctx Context) []Finding {
	if len(text) == 0 {
		return dst
	}
	// The detectors read text as a string without copying it: text is only
	// read, and no string derived from it outlives this call (Reasons are
	// constants).
	return e.ScanCached(dst, text, &ctx, nil)
}

// ScanCached is Scan with a cache of the inline keys' classes, which the caller keeps
// from one call to the next (one per goroutine: kc is written). kc may be nil. The
// findings are Scan's under *ctx, which is only read. (ctx is a pointer: a Context is
// five registers, and with it by value the call's arguments did not fit in registers.)
//
// The scan's body is here, not behind a call: the scanner calls this for each of its values
// that Quiet did not pass (860,000 on a 30 MB corpus), and a second call layer cost a dozen
// instructions each.
func (e *Engine) ScanCached(dst []Finding, text []byte, ctx *Context, kc *KeyCache) []Finding {
	if len(text) == 0 {
		return dst
	}
	s := unsafe.String(unsafe.SliceData(text), len(text))
	// Filled field by field: a composite literal is built in a temporary and copied, and
	// the copy reads back the stores just made (a store-forwarding stall per call, ~5 % of
	// a scan of CSV cells).
	// A value under a key that names its type is checked for that type,
	// for card numbers (customers type them into any field: the leak this
	// package exists for) and email addresses (cheap: only an @ triggers
	// them); an address line may also carry its postal code and phone.
	// A key that names nothing (memo, note, body) gets every detector.
	// A key that rules a type out (created_at: no birth date; order_no: no
	// My Number) spares running it.
	// (Computed in a local and stored once: st is in memory.)
	types := e.types
	if ctx.keyed && ctx.hint != 0 {
		keep := ctx.hint | bCard | bEmail
		if ctx.hint&bAddress != 0 {
			keep |= bPostal | bPhone
		}
		types &= keep &^ (ctx.deny &^ ctx.hint)
		// A value that is, whole, a plain case of the type its key names: the finding the
		// scan would make, told without it. (Under such a key most values are; the scan's
		// set-up, the byte loop, atDigits, the group reading and the hook cost several
		// hundred instructions a value.)
		hint := ctx.hint & types
		switch {
		case hint&bName != 0 && nameValueFast(s, 0, len(s)):
			// The only value hook's finding, which scanValue would make (nameValueFast's
			// name starts and ends with a kanji or kana, so trimValue would leave the value
			// whole); a value found whole holds nothing else.
			return append(dst, Finding{Type: PersonName, Start: 0, End: len(s), Confidence: confNameKeyed, Reason: "name-shape; key name"})
		case hint&bPhone != 0 && types&(bPostal|bBirth|bMyNum) == 0 && (phoneValue(s) || phoneMarkValue(s)):
			// phoneValue's and phoneMarkValue's shapes, where no digit detector but the
			// phone's (and the card's, which they leave to the scan where it would be
			// asked) runs: atDigits, the group reading and phoneOnDigits.
			return append(dst, Finding{Type: Phone, Start: 0, End: len(s), Confidence: confPhoneKeyed, Reason: "jp-phone-shape; key phone"})
		case hint&bBirth != 0 && types&(bPostal|bPhone|bMyNum) == 0 && (birthValue(s) || eraBirthValue(s)):
			// birthValue's Gregorian and eraBirthValue's 和暦 shapes, where no digit
			// detector but the card's (which a year's run never starts: no group of four
			// follows it) runs: atDigits and birthDateOnDigits.
			return append(dst, Finding{Type: BirthDate, Start: 0, End: len(s), Confidence: confBirthKeyed, Reason: "calendar-date; key birth_date"})
		case hint&bPostal != 0 && postalValue(s):
			// NNN-NNNN or seven digits, ASCII, not starting with 0: atDigits (whose run of
			// three or seven no other digit detector starts at, a phone's only with a 0),
			// the group reading and postalOnDigits.
			return append(dst, Finding{Type: PostalCode, Start: 0, End: len(s), Confidence: confPostalKeyed, Reason: "postal-shape; key postal_code"})
		case hint&bEmail != 0 && types&^(bEmail|bCard) == 0 && emailValue(s):
			// emailValue's plain ASCII address, where no digit detector but the card's runs
			// (and emailValue leaves to the scan the local parts with a run the card's may
			// start at): the byte loop up to the @, atAt and emailOnAt.
			return append(dst, Finding{Type: Email, Start: 0, End: len(s), Confidence: confEmailKeyed, Reason: "email-syntax; key email"})
		}
		// An address filling an address key's value, from a prefecture at its start to
		// its end as addressAt reads it: the finding the scan would make at the
		// prefecture's last character (addressOnMark), with nothing before it that could
		// start another.
		if hint&bAddress != 0 {
			if end, ok := addressValue(s); ok && end == len(s) {
				return append(dst, Finding{Type: Address, Start: 0, End: len(s), Confidence: confAddressKeyed, Reason: "prefecture+municipality; key address"})
			}
		}
		// A My Number filling a My Number key's value (myNumberValue's shapes), where no
		// other digit detector of its first run but the card's runs: atDigits, the group
		// reading and myNumberOnDigits, whose parse myNumberValue runs itself.
		if hint&bMyNum != 0 && types&(bPhone|bBirth|bPostal) == 0 && myNumberValue(s) {
			return append(dst, Finding{Type: MyNumber, Start: 0, End: len(s), Confidence: confMyNumberKeyed, Reason: "mynumber-checkdigit; key my_number"})
		}
		// A card number filling a card key's value (cardValue's shapes), where no digit
		// detector but the card's runs at its first run: atDigits, the group reading and
		// cardOnDigits, whose parse cardValue runs itself.
		if hint&bCard != 0 && types&(bPhone|bMyNum|bBirth) == 0 {
			if f, ok := cardValue(s); ok {
				return append(dst, f)
			}
		}
	} else {
		types &^= ctx.deny &^ ctx.hint
	}
	var st state
	st.s, st.ctx, st.types, st.base, st.keys = s, ctx, types, len(dst), kc
	base := len(dst)
	// Only a key naming a type with a value hook (a person's name) has one to run: for a
	// phone or postal column scanValue would trim the value and find nothing to ask.
	if ctx.keyed && ctx.hint&e.valueSet != 0 {
		n := len(dst)
		var b, en int
		dst, b, en = e.scanValue(dst, &st)
		// A value found whole (a name filling its name column) holds
		// nothing else: value hooks accept no digits, so no card hides in
		// it either.
		if len(dst) > n && dst[len(dst)-1].Start <= b && dst[len(dst)-1].End >= en {
			return resolve(dst, base)
		}
	}
	dst = e.scan(dst, &st)
	return resolve(dst, base)
}

// scanString is Scan over a string (read only, like text).
func (e *Engine) scanString(dst []Finding, text string, ctx *Context, kc *KeyCache) []Finding {
	return e.ScanCached(dst, unsafe.Slice(unsafe.StringData(text), len(text)), ctx, kc)
}

// scanValue runs the value hooks of the types the key names over the whole
// text, trimmed of blanks and quotes, and returns the trimmed bounds too.
func (e *Engine) scanValue(dst []Finding, st *state) ([]Finding, int, int) {
	start, end := trimValue(st.s, 0, len(st.s))
	if start >= end {
		return dst, start, end
	}
	for _, k := range e.values {
		if st.ctx.hints(k) && !st.ctx.denies(k) {
			if f, ok := onValue(k, st, start, end, true); ok {
				dst = append(dst, f)
			}
		}
	}
	return dst, start, end
}

// trimValue narrows [start,end) past blanks and one pair of quotes.
func trimValue(s string, start, end int) (int, int) {
	for start < end {
		r, w := runeAt(s, start)
		if !isSpaceRune(r) && r != '\n' && r != '\r' {
			break
		}
		start += w
	}
	for end > start {
		r, w := runeBefore(s, end)
		if !isSpaceRune(r) && r != '\n' && r != '\r' {
			break
		}
		end -= w
	}
	if end-start >= 2 && (s[start] == '"' && s[end-1] == '"' || s[start] == '\'' && s[end-1] == '\'') {
		start++
		end--
	}
	return start, end
}

// Byte classes of the scan loop. Everything that is not a trigger is
// class 0 and costs one table load.
const (
	clsNone = iota
	clsDigit
	clsAt
	clsPercent
	clsSep
	clsLead3 // first byte of a three-byte rune that may be a trigger
)

// Quiet reports whether Scan is sure to find nothing in text under ctx without running a
// detector: the key names no type with a value hook, and text holds no byte at which
// Scan's byte loop stops (the same tests as the loop's, in the same steps: bytes of class
// 0, three-byte runes that start no trigger, digit runs that its short-run rule passes
// over or of a length no detector left by ctx starts at). A false answer says nothing.
// Ids, prices, codes and words make most cells of an export quiet; a caller that asks
// only where values were quiet before spares them Scan's set-up.
func (e *Engine) Quiet(text []byte, ctx *Context) bool {
	types := e.types
	if ctx.keyed && ctx.hint != 0 {
		if ctx.hint&e.valueSet != 0 {
			return false
		}
		keep := ctx.hint | bCard | bEmail
		if ctx.hint&bAddress != 0 {
			keep |= bPostal | bPhone
		}
		types &= keep
	}
	types &^= ctx.deny &^ ctx.hint
	s := text
	cls := &e.cls
	mid3 := &e.mid3
	// (uint: i is never negative, and so the compiler knows s[i] is within s.)
	for i := 0; uint(i) < uint(len(s)); {
		c := s[i]
		k := cls[c]
		if k == clsNone {
			i++
			continue
		}
		if k == clsLead3 && (i >= len(s)-2 || mid3[c]&(1<<(s[i+1]&0x3F)) == 0) {
			if i < len(s)-2 && uint16(s[i+1]&0xC0)<<8|uint16(s[i+2]&0xC0) == 0x8080 {
				i += 3
			} else {
				i++
			}
			continue
		}
		if k == clsSep && uint(i-1) < uint(len(s)) {
			// atSeparator's first tests, on which it returns at once: a ':' or '=' between
			// digits ("09:29:33"), or after an ASCII byte that ends no key, quote or blank.
			if c := s[i-1]; c-'0' < 10 && i+1 < len(s) && s[i+1]-'0' < 10 || c < 0x80 && !keyASCII[c] && c != '"' && c != '\'' && c != ' ' {
				i++
				continue
			}
		}
		if k != clsDigit {
			return false
		}
		j := i + 1
		for j < len(s) && s[j]-'0' < 10 {
			j++
		}
		if j-i <= 3 {
			a := byte(0)
			if j < len(s) {
				a = s[j]
			}
			if c := afterRun[a]; c&(afSep|afDate) == 0 || a < 0x80 && !(c&afSep != 0 && (s[i] == '0' || s[i] == '8' || j-i == 3)) &&
				!(j-i <= 2 && c&afDate != 0 && i > 0 && eraLeadByte(s[i-1])) {
				i = j
				continue
			}
		} else if (j == len(s) || s[j] < 0x80) && (j-i >= len(e.byLen) || e.byLen[j-i]&types == 0) {
			i = j
			continue
		}
		// (Not when a full-width digit continues the run: atDigits would count it too.)
		if (j == len(s) || s[j] != fwLead || j >= len(s)-2 || s[j+1] != fwMid || s[j+2]-fwDigit0 >= 10) && e.quietRun(unsafe.String(unsafe.SliceData(s), len(s)), i, j, types, ctx) {
			i = j
			continue
		}
		return false
	}
	return true
}

// quietRun reports whether atDigits, at the ASCII digit run s[i:j] that no full-width
// digit continues, is sure to find nothing under types and ctx: its own filters, in its
// order (the run glued to a time or a decimal, the short-run rule, byLen, the glued
// identifier, the card's and My Number's group of four, the phone's first digit and
// separator, the postal code's dash, the birth date's era, year and ISO 8601 tests), then
// birthDateOnDigits' test of a four-digit year with no birth context, postalOnDigits'
// verdict on seven digits filling a value, and phoneOnDigits' parse where only it is left. (Timestamps and dates under keys that name no
// birth date, "2023-11-22T09:29:33", "2023年7月8日"; account numbers.)
// A false answer says nothing.
func (e *Engine) quietRun(s string, i, j int, types typeSet, ctx *Context) bool {
	n := j - i
	if i >= 2 && (s[i-1] == ':' || s[i-1] == '.') && s[i-2]-'0' < 10 {
		return true
	}
	after := byte(0)
	if j < len(s) {
		after = s[j]
	}
	af := afterRun[after]
	first := s[i] - '0'
	if n <= 3 {
		if !(af&afSep != 0 && (first == 0 || first == 8 || n == 3)) && !(n <= 2 && af&afDate != 0 && eraLeadBefore(s, i)) {
			return true
		}
	}
	if n >= len(e.byLen) {
		return true
	}
	m := e.byLen[n] & types
	if i >= 2 && (s[i-1] == '-' || s[i-1] == '_' || s[i-1] == '#') && isWordByte(s[i-2]) {
		m &= bBirth
	}
	if m&(bCard|bMyNum) != 0 && n == 4 && (af&afGroup == 0 || !groupFollows(s, j)) {
		m &^= bCard | bMyNum
	}
	if m&bPhone != 0 && (first != 0 && !(first == 8 && (i > 0 && s[i-1] == '+' || i >= 3 && s[i-3:i] == "＋")) ||
		n < 10 && af&afSep == 0) {
		m &^= bPhone
	}
	if m&bPostal != 0 && n == 3 && af&afDash == 0 {
		m &^= bPostal
	}
	// Seven digits filling the value (an account number): postalOnDigits finds a postal
	// code there only under a key that names one (no 〒 or label before, no hyphen, and
	// contextAt(0) is ctx).
	if m&bPostal != 0 && n == 7 && i == 0 && j == len(s) && !ctx.hints(kPostal) {
		m &^= bPostal
	}
	if m&bBirth != 0 {
		if n <= 2 {
			if af&afDate == 0 || !eraLeadBefore(s, i) || i >= 3 && s[i-3:i] == "年" && (i < 6 || s[i-6:i-3] != "元") {
				m &^= bBirth
			}
		} else if n == 4 && af&afYear == 0 ||
			(n == 4 || n == 8) && !(s[i] == '1' && s[i+1] == '9' || s[i] == '2' && (s[i+1] == '0' || s[i+1] == '1')) ||
			n == 4 && j+6 < len(s) && after == '-' && s[j+3] == '-' && s[j+6] == 'T' {
			m &^= bBirth
		} else if n == 4 && !ctx.hints(kBirth) &&
			!strings.Contains(s[i:min(len(s), i+maxDateBytes+birthSuffixWindow)], "生") &&
			!inlineKeyBefore(s, i) && !labelBefore(s, i, birthLabelWindow, birthLabels) {
			// birthDateOnDigits' first test (st.ctx is ctx, the run ASCII).
			m &^= bBirth
		}
	}
	// phoneOnDigits' own tests, where the phone's is the last detector left (a member
	// number from 0): the first digit and length, then the parse of the groups that
	// atDigits reads.
	if m == bPhone {
		if first != 0 && first != 8 || n > mobileDigits+2 {
			return true
		}
		var g digitGroups
		g.readGroups(s, i, n, j)
		_, ok := phoneFromGroups(s, i, &g)
		return !ok
	}
	return m == 0
}

func (e *Engine) scan(dst []Finding, st *state) []Finding {
	s := st.s
	cls := &e.cls
	mid3 := &e.mid3
	i := 0
	if isoStampAt0(s) {
		i = len("2023-11-22T09:29:33")
	}
	for i < len(s) {
		// The hot loop: skip bytes that start nothing, and three-byte
		// runes whose first two bytes start no trigger (most kanji and
		// kana) without leaving the loop. (Quiet makes the same tests, and
		// the digit-run fast paths below; a change here is one there.)
		// (uint: i is never negative, and so the compiler knows s[i] is within s; and
		// i < len(s)-2, unlike i+2 < len(s), tells it that s[i+1] and s[i+2] are too.)
	bytes:
		for {
			// Bytes of class 0 in a loop of their own: in one loop with the runes' steps
			// the compiler copied i from register to register on every byte. Every lead
			// byte of a three-byte rune is of class clsLead3, and no other byte (New), so
			// such a lead is told by its high bits.
			for uint(i) < uint(len(s)) && cls[s[i]] == clsNone {
				i++
			}
			if uint(i) >= uint(len(s)) || s[i]&0xF0 != 0xE0 {
				break // the end, or a trigger other than a rune's
			}
			if i >= len(s)-2 {
				i++ // no room for a three-byte rune
				continue
			}
			// Three-byte runes, in a loop of their own too (kanji and kana come in
			// runs). The rune's second and third bytes are read in one load: the second
			// tells whether the rune may start a trigger, both whether it is a whole rune.
			// A whole rune that starts no trigger is stepped over at once (its
			// continuation bytes are of class 0 anyway); a lone lead byte by itself.
			for i < len(s)-2 {
				c := s[i]
				if c&0xF0 != 0xE0 {
					break
				}
				m := uint16(s[i+1]) | uint16(s[i+2])<<8
				if mid3[c]&(1<<(m&0x3F)) != 0 {
					break bytes
				}
				if m&0xC0C0 != 0x8080 {
					i++
					break
				}
				i += 3
			}
		}
		if uint(i) >= uint(len(s)) {
			break
		}
		c := s[i]
		switch cls[c] {
		case clsDigit:
			// Inline fast path for the short ASCII runs that are most
			// digits in real data (times, IP octets, dates): a run of one
			// to three digits followed by an ASCII byte starts nothing
			// unless it may be the first group of a phone number or a postal
			// code (a separator after a 0, an 8 or three digits) or an era
			// year (a date separator after an era letter, a blank or a
			// kanji): atDigits' short-run rule, with eraLeadByte for
			// eraLeadBefore and the byte after the run from afterRun.
			j := i + 1
			for j < len(s) && s[j]-'0' < 10 {
				j++
			}
			if j-i <= 3 {
				a := byte(0)
				if j < len(s) {
					a = s[j]
				}
				if c := afterRun[a]; c&(afSep|afDate) == 0 || a < 0x80 && !(c&afSep != 0 && (s[i] == '0' || s[i] == '8' || j-i == 3)) &&
					!(j-i <= 2 && c&afDate != 0 && i > 0 && eraLeadByte(s[i-1])) {
					i = j
					continue
				}
			} else if (j == len(s) || s[j] < 0x80) && (j-i >= len(e.byLen) || e.byLen[j-i]&st.types == 0) {
				// A run no digit detector of this text starts at (an id, a count, a
				// six-digit code; about a fifth of the runs in a customer export), not
				// continued by a full-width digit: atDigits would only count it again.
				i = j
				continue
			}
			dst, i = e.atDigits(dst, st, i, j)
			continue
		case clsAt:
			dst, i = e.atAt(dst, st, i, 1)
			continue
		case clsPercent:
			if i < len(s)-2 && s[i+1] == '4' && s[i+2] == '0' {
				dst, i = e.atAt(dst, st, i, 3)
				continue
			}
		case clsSep:
			dst = e.atSeparator(dst, st, i, 1)
		case clsLead3:
			if i >= len(s)-2 || s[i+1]&0xC0 != 0x80 || s[i+2]&0xC0 != 0x80 {
				break
			}
			r := rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
			switch {
			case r >= '０' && r <= '９' && len(e.digits) > 0:
				dst, i = e.atDigits(dst, st, i, i)
				continue
			case r == '＠':
				dst, i = e.atAt(dst, st, i, 3)
				continue
			case r == '：' || r == '＝' || r == '】':
				dst = e.atSeparator(dst, st, i, 3)
			default:
				for _, m := range e.marks {
					if m.r == r && st.types&(1<<m.k) != 0 {
						// (The mark hooks' switch, here for the reason atDigits has its.)
						var f Finding
						var ok bool
						switch m.k {
						case kAddress:
							f, ok = addressOnMark(st, i, r)
						case kName:
							f, ok = nameOnMark(st, i, r)
						}
						if ok {
							dst = append(dst, f)
							if f.End > i+3 {
								i = f.End
								goto next
							}
						}
					}
				}
			}
			i += 3
			continue
		}
		i++
	next:
	}
	return dst
}

// isoStampAt0 reports whether s starts with an ISO 8601 date and time
// ("2023-11-22T09:29:33", the start of most application log lines) on which the scan
// is sure to find nothing and after which it goes on at byte 19, as its tests would have
// it: the year starts no card or My Number (no group of four after it), no phone number
// (not from 0) and no birth date (atDigits' ISO 8601 test); the month is glued to the
// year and has no era before it; the day, hour and minute are followed by T or ':',
// which no detector takes after a run; the colons are between digits; and the second is
// glued to the minute, followed by nothing or by an ASCII byte that is no digit (.000,
// +09:00, Z, a blank), so that atDigits, if asked, returns at byte 19. (A year from 0,
// or a digit or non-ASCII byte after the second, is left to the scan: its path there is
// longer to follow.) The test costs about 30 instructions; the scan spent about 300 on
// these bytes, for each line of a log.
func isoStampAt0(s string) bool {
	const n = len("2023-11-22T09:29:33")
	if len(s) < n || s[0] == '0' || len(s) > n && (s[n] >= 0x80 || s[n]-'0' < 10) {
		return false
	}
	d := func(k int) bool { return s[k]-'0' < 10 }
	return s[4] == '-' && s[7] == '-' && s[10] == 'T' && s[13] == ':' && s[16] == ':' &&
		d(0) && d(1) && d(2) && d(3) && d(5) && d(6) && d(8) && d(9) && d(11) && d(12) &&
		d(14) && d(15) && d(17) && d(18)
}

// atDigits runs the digit detectors at the digit run starting at i and
// returns where scanning resumes. s[i:j] are ASCII digits the caller has
// counted already (j == i: none).
func (e *Engine) atDigits(dst []Finding, st *state, i, j int) ([]Finding, int) {
	s := st.s
	// Full-width digits, and ASCII ones after them, continue the run (the caller
	// counted its leading ASCII digits: a run followed by ASCII ends at j).
	end, n := j, j-i
	// (Unsigned, and end < len(s)-2: the compiler then checks no bound of s[end…end+2].)
	if uint(end) < uint(len(s)) && s[end] >= 0x80 {
		for uint(end) < uint(len(s)) {
			if c := s[end]; c-'0' < 10 {
				end++
			} else if c == fwLead && end < len(s)-2 && s[end+1] == fwMid && s[end+2]-fwDigit0 < 10 {
				end += 3
			} else {
				break
			}
			n++
		}
	}
	st.runLen = n
	st.runFirst, _ = digitAt(s, i)
	after := byte(0)
	if end < len(s) {
		after = s[end]
	}
	af := afterRun[after]
	// Fast path for the short runs that make up most digits in real data
	// (times, dates, IP octets, prices): one to three digits start only a
	// phone number (trunk 0, or "+81", followed by a separator), a postal
	// code (three digits and a dash) or an era date (after 昭和 or S).
	// A run right after "12:" or "3." continues a time, a decimal or an IP
	// address ("+09:00 ", "10.0.0.1"): every detector rejects such a glued
	// number, so none is asked.
	if i >= 2 && (s[i-1] == ':' || s[i-1] == '.') && s[i-2]-'0' < 10 {
		return dst, end
	}
	// An era year or the month after 元年 goes on with 年 or 月, or with a date separator
	// (afDate): "09:" after a blank, "12," after "S" start no date, and eraLeadBefore is
	// not asked.
	if n <= 3 {
		if !(af&afSep != 0 && (st.runFirst == 0 || st.runFirst == 8 || n == 3)) && !(n <= 2 && af&afDate != 0 && eraLeadBefore(s, i)) {
			return dst, end
		}
	}
	// Most digit runs (times, IP octets, counts) have a length no
	// detector starts with: byLen rejects them before any parsing. The
	// byte after the run (above) then tells most detectors whether the run
	// can continue into their shape: a date needs / - . or 年, a grouped
	// number a dash, a space or a parenthesis. The detectors left are asked
	// in their order (so that of equally good findings the first is kept).
	if n >= len(e.byLen) {
		return dst, end
	}
	m := e.byLen[n] & st.types
	// A run joined by '-', '_' or '#' to an ASCII letter or digit just
	// before it (the month of "2023-06-27", "ORD-1234-…") is part of an
	// identifier: the card, My Number, phone and postal parsers all start
	// the number at i and reject it as glued (numberGlued), so none is asked.
	if i >= 2 && (s[i-1] == '-' || s[i-1] == '_' || s[i-1] == '#') && isWordByte(s[i-2]) {
		m &= bBirth
	}
	// A group of four must be followed by a separator and a group of four
	// (or six: Amex, Diners) to start a card or a My Number.
	if m&(bCard|bMyNum) != 0 && n == 4 && (af&afGroup == 0 || !groupFollows(s, end)) {
		m &^= bCard | bMyNum
	}
	// A phone number starts with the trunk 0, or the 8 of "+81"; a short run
	// is its first group.
	if m&bPhone != 0 && (st.runFirst != 0 && !(st.runFirst == 8 && (i > 0 && s[i-1] == '+' || i >= 3 && s[i-3:i] == "＋")) ||
		n < 10 && af&afSep == 0) {
		m &^= bPhone
	}
	if m&bPostal != 0 && n == 3 && af&afDash == 0 {
		m &^= bPostal
	}
	if m&bBirth != 0 {
		// (Written out here: as a function these tests cost what they spare.)
		if n <= 2 {
			// One or two digits are an era year or a month after 元年: an era
			// name or letter sits just before, and a date separator, 年 or 月
			// just after. Right after 年 ("2023年6月6日": the month) they start a
			// date only after 元年 (parseGannenAt): no era name ends in 年.
			if af&afDate == 0 || !eraLeadBefore(s, i) || i >= 3 && s[i-3:i] == "年" && (i < 6 || s[i-6:i-3] != "元") {
				m &^= bBirth
			}
		} else if n == 4 && af&afYear == 0 ||
			// A four-digit year of a living person starts 19 or 20
			// (minBirthYear..maxBirthYear); ASCII only, full-width digits
			// go on to the parser.
			(n == 4 || n == 8) && s[i] < 0x80 && !(s[i] == '1' && s[i+1] == '9' || s[i] == '2' && (s[i+1] == '0' || s[i+1] == '1')) ||
			// An ISO 8601 timestamp ("2023-11-22T09:29:33") starts most log
			// lines and is never a birth date.
			n == 4 && end+6 < len(s) && after == '-' && s[end+3] == '-' && s[end+6] == 'T' {
			m &^= bBirth
		}
	}
	// The best finding so far is kept in place in dst (at its index), not copied about.
	best := -1
	if m&^bBirth != 0 {
		// The run's groups, read once for the card, My Number, phone and postal
		// parsers (declared here: only runs that reach them pay for the struct).
		var g digitGroups
		g.readGroups(s, i, n, end)
		for mg := m &^ bBirth; mg != 0; mg &= mg - 1 {
			// (The digit hooks' switch is here, not in a function like onAt's: a
			// call that only passes the finding on costs as much as the switch.)
			var f Finding
			var ok bool
			switch kind(bits.TrailingZeros16(uint16(mg))) {
			case kCard:
				f, ok = cardOnDigits(st, i, &g)
			case kMyNumber:
				f, ok = myNumberOnDigits(st, i, &g)
			case kPhone:
				f, ok = phoneOnDigits(st, i, &g)
			case kPostal:
				f, ok = postalOnDigits(st, i, &g)
			}
			if ok {
				if best < 0 {
					dst = append(dst, f)
					best = len(dst) - 1
				} else if better(f, dst[best]) {
					dst[best] = f
				}
			}
		}
	}
	// The birth date comes last of the digit detectors.
	if m&bBirth != 0 {
		if f, ok := birthDateOnDigits(st, i); ok {
			if best < 0 {
				dst = append(dst, f)
				best = len(dst) - 1
			} else if better(f, dst[best]) {
				dst[best] = f
			}
		}
	}
	// Resume after the finding unless it started before this run (a +81 or
	// an era name) and ended inside it.
	if best >= 0 && dst[best].End > end {
		end = dst[best].End
	}
	return dst, end
}

// What the byte after a digit run allows (afterRun[b]): classes of atDigits' tests.
const (
	// afSep: a phone number's group separator ("-", " ", "(", ")" or a multi-byte one).
	afSep = 1 << iota
	// afDate: what goes on after an era year or a month (dateSep's / . - or anything
	// non-ASCII: 年, 月, full-width forms).
	afDate
	// afGroup: what sepAt may read as a separator (groupFollows).
	afGroup
	// afDash: what may be a dash (sepAt's hyphens): NNN-NNNN.
	afDash
	// afYear: what goes on after a four-digit year (/ - . or 年 and the multi-byte
	// separators).
	afYear
)

var afterRun = func() (t [256]uint8) {
	for b := 0xE2; b <= 0xFF; b++ {
		t[b] = afSep | afGroup | afDash | afYear
	}
	for b := 0x80; b <= 0xFF; b++ {
		t[b] |= afDate
	}
	t['-'] = afSep | afDate | afGroup | afDash | afYear
	t[' '] = afSep | afGroup
	t['('] = afSep
	t[')'] = afSep
	t['/'] = afDate | afYear
	t['.'] = afDate | afYear
	return t
}()

// runLengths[k] has bit n set when detector k can start at a digit run
// of n digits: cards are 13–19 digits or a group of 4; My Numbers 12 or
// 4; phones 1–5 digits of an area code or "81", 10–11 plain, 12–13 as
// "81…"; postal codes 3 or 7; dates a year of 4, an era year or month of
// 1–2, or YYYYMMDD.
var runLengths = [...]uint32{
	kCard:     1<<4 | (1<<20 - 1<<13),
	kMyNumber: 1<<4 | 1<<12,
	kPhone:    (1<<6 - 1<<1) | 1<<10 | 1<<11 | 1<<12 | 1<<13,
	kPostal:   1<<3 | 1<<7,
	kBirth:    1<<1 | 1<<2 | 1<<4 | 1<<8,
	kEmail:    0,
	kAddress:  0,
	kName:     0,
}

// groupFollows reports whether a separator and a digit group of 4 or 6
// digits start at i.
func groupFollows(s string, i int) bool {
	// A blank or an ASCII dash without sepAt's call.
	w := 1
	if i >= len(s) || s[i] != ' ' && s[i] != '-' {
		k, _, kw := sepAt(s, i)
		if k == sepNone {
			return false
		}
		w = kw
	}
	n := 0
	for j := i + w; j < len(s) && n < 7; n++ {
		_, dw := digitAt(s, j)
		if dw == 0 {
			break
		}
		j += dw
	}
	return n == 4 || n == 6
}

// isWordByte reports whether the ASCII byte b is a word rune (isWordRune):
// a letter, a digit or '_'.
func isWordByte(b byte) bool {
	return b-'0' < 10 || (b|0x20)-'a' < 26 || b == '_'
}

// eraLeadByte reports whether b, just before a digit run, may end an era
// prefix: a multi-byte rune (昭和, 元年), a blank after one, or an era
// letter.
func eraLeadByte(b byte) bool {
	switch b {
	case 'M', 'T', 'S', 'H', 'R', 'm', 't', 's', 'h', 'r', ' ':
		return true
	}
	return b >= 0x80
}

// eraLeadBefore reports whether what ends just before i can end an era
// prefix: the last kanji of an era name (昭和, 令和, 大正, 明治, 平成),
// 年 of 元年, or an era letter (S60), with at most one blank between.
func eraLeadBefore(s string, i int) bool {
	// Read byte-wise (runeBefore is a call): each rune looked for is ASCII or three bytes,
	// and a three-byte sequence decodes to one of them only when it is its encoding.
	if i > 0 && s[i-1] == ' ' {
		i--
	} else if i >= 3 && s[i-3:i] == "\u3000" {
		i -= 3
	}
	if i <= 0 {
		return false
	}
	if c := s[i-1]; c < 0x80 {
		switch c {
		case 'M', 'T', 'S', 'H', 'R', 'm', 't', 's', 'h', 'r':
			// An era letter stands alone ("S60.4.1"), not at the end of a
			// word or after a digit ("2023-11-22T09:29").
			r2, _ := runeBefore(s, i-1)
			return !isWordRune(r2)
		}
		return false
	}
	if i >= 3 && s[i-3]&0xF0 == 0xE0 && uint16(s[i-2]&0xC0)<<8|uint16(s[i-1]&0xC0) == 0x8080 {
		switch rune(s[i-3]&0x0F)<<12 | rune(s[i-2]&0x3F)<<6 | rune(s[i-1]&0x3F) {
		case '和', '正', '治', '成', '年':
			return true
		}
	}
	return false
}

// atAt runs the email detectors at an @ of width w.
func (e *Engine) atAt(dst []Finding, st *state, i, w int) ([]Finding, int) {
	st.floor = 0
	// dst[:st.base] are the caller's, from other text.
	if len(dst) > st.base {
		if end := dst[len(dst)-1].End; end <= i {
			st.floor = end
		}
	}
	for _, k := range e.at {
		if f, ok := onAt(k, st, i, w); ok {
			return append(dst, f), max(f.End, i+w)
		}
	}
	return dst, i + w
}

// maxValueBytes bounds how far a value hook reads after an inline key.
const maxValueBytes = 512

// atSeparator handles an inline "key:" or "key=" whose separator is at i:
// if the key names a type with a value hook, the hook reads the value.
func (e *Engine) atSeparator(dst []Finding, st *state, i, w int) []Finding {
	s := st.s
	// Quick rejects: "12:34" (a time), "a == b", "://".
	if uint(i-1) < uint(len(s)) && s[i-1]-'0' < 10 && i+w < len(s) && s[i+w]-'0' < 10 { // (i > 0, unsigned: no bounds check)
		return dst
	}
	// The character before: a key's, a quote or a blank (ASCII from keyASCII, inline).
	if uint(i-1) < uint(len(s)) && s[i-1] < 0x80 {
		if c := s[i-1]; !keyASCII[c] && c != '"' && c != '\'' && c != ' ' {
			return dst
		}
	} else if !(i >= 3 && keyKanaKanji(s[i-3], s[i-2], s[i-1])) {
		// (A kana or kanji, the end of most Japanese keys, needs no decoding.)
		if r, _ := runeBefore(s, i); !isKeyRune(r) && r != '"' && r != '\'' && r != ' ' {
			return dst
		}
	}
	// Up to four blanks (isSpaceRune's), told byte-wise: most values start right after
	// the separator, and runeAt was a call at every separator of a log.
	v := i + w
	for n := 0; n < 4 && v < len(s); n++ {
		if c := s[v]; c == ' ' || c == '\t' {
			v++
		} else if c == 0xE3 && v < len(s)-2 && s[v+1] == 0x80 && s[v+2] == 0x80 { // U+3000
			v += 3
		} else {
			break
		}
	}
	quote := byte(0)
	if v < len(s) && (s[v] == '"' || s[v] == '\'') {
		quote = s[v]
		v++
	}
	// A value hook reads names: a value starting with a digit, a bracket
	// or a path is none.
	if v >= len(s) || s[v]-'0' < 10 || s[v] == '{' || s[v] == '[' || s[v] == '/' || s[v] == '-' {
		return dst
	}
	k, ok := inlineKey(s, v)
	if !ok || !mayNameValueKey(k) {
		return dst
	}
	kc := st.classify(k)
	if kc.hint == 0 {
		return dst
	}
	// The value ends at its closing quote or the end of the line, and no
	// value hook reads further than maxValueBytes: bounding the search keeps
	// a long block without quotes linear.
	limit := min(len(s), v+maxValueBytes)
	if quote != 0 {
		if j := strings.IndexByte(s[v:limit], quote); j >= 0 {
			limit = v + j
		}
	}
	if j := strings.IndexByte(s[v:limit], '\n'); j >= 0 {
		limit = v + j
	}
	for _, k := range e.values {
		if kc.hints(k) && !kc.denies(k) {
			if f, ok := onValue(k, st, v, limit, false); ok {
				dst = append(dst, f)
			}
		}
	}
	return dst
}

// better reports whether a should be kept over b when they overlap.
func better(a, b Finding) bool {
	if a.Confidence != b.Confidence {
		return a.Confidence > b.Confidence
	}
	if pa, pb := priority(a.Type), priority(b.Type); pa != pb {
		return pa < pb
	}
	return a.End-a.Start > b.End-b.Start
}

// resolve sorts dst[base:] by Start and drops overlaps, keeping the better
// finding of each overlapping pair.
func resolve(dst []Finding, base int) []Finding {
	if len(dst)-base < 2 {
		// Most values hold one finding or none: this much inlines into Scan.
		return dst
	}
	return resolveMany(dst, base)
}

// resolveMany is resolve for two findings or more.
func resolveMany(dst []Finding, base int) []Finding {
	fs := dst[base:]
	// The scan emits findings almost in order; skip the sort when they are
	// already sorted and disjoint.
	clean := true
	for i := 1; i < len(fs); i++ {
		if fs[i].Start < fs[i-1].End {
			clean = false
			break
		}
	}
	if clean {
		return dst
	}
	slices.SortStableFunc(fs, func(a, b Finding) int { return a.Start - b.Start })
	out := fs[:0]
	for _, f := range fs {
		keep := true
		for len(out) > 0 && out[len(out)-1].End > f.Start {
			if better(f, out[len(out)-1]) {
				out = out[:len(out)-1]
				continue
			}
			keep = false
			break
		}
		if keep {
			out = append(out, f)
		}
	}
	return dst[:base+len(out)]
}

// inlineKey finds the key of a "key=value", "key: value", "\"key\":\"value\"",
// "キー：値" or "【キー】値" pair whose value starts at p. It looks back over
// at most a few bytes of quotes and blanks, one separator, then the key.
func inlineKey(s string, p int) (string, bool) {
	// Most values asked about start a cell (p == 0) or follow an ASCII byte that can end no
	// separator, quote or blank before one (a digit run after "-" or "/"): no key.
	if p <= 0 {
		return "", false
	}
	if c := s[p-1]; c < 0x80 && c != ' ' && c != '"' && c != '\'' && c != ':' && c != '=' && c != ']' {
		return "", false
	}
	i := p
	i = skipBlanksBack(s, i)
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') {
		i--
	}
	i = skipBlanksBack(s, i)
	// The separator, told byte-wise (runeBefore's answer: ASCII, or the three bytes of
	// ： EF BC 9A, ＝ EF BC 9D, 】 E3 80 91).
	bracket := false
	switch {
	case i <= 0:
		return "", false
	case s[i-1] == ':' || s[i-1] == '=':
		i--
	case s[i-1] == ']':
		i--
		bracket = true
	case i >= 3 && s[i-3] == 0xEF && s[i-2] == 0xBC && (s[i-1] == 0x9A || s[i-1] == 0x9D):
		i -= 3
	case i >= 3 && s[i-3] == 0xE3 && s[i-2] == 0x80 && s[i-1] == 0x91:
		i -= 3
		bracket = true
	default:
		return "", false
	}
	if bracket {
		// "【お名前】山田": the key runs back to the opening bracket.
		end := i
		for j := 0; i > 0 && j < maxKeyLen; j++ {
			r, w := runeBefore(s, i)
			if r == '【' || r == '[' {
				// A mask written by Redact is not a key.
				if strings.HasPrefix(s[i-w:], maskPrefix) {
					return "", false
				}
				return s[i:end], end > i
			}
			if r == '\n' {
				break
			}
			i -= w
		}
		return "", false
	}
	i = skipBlanksBack(s, i)
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') {
		i--
	}
	end := i
	for lo := max(end-maxKeyLen, 0); i > lo; {
		// ASCII (most keys) inline, tested from a table (isKeyRune's answer; false for
		// every byte of a multi-byte rune).
		c := s[i-1]
		if keyASCII[c] {
			i--
			continue
		}
		if c < 0x80 {
			break
		}
		// Kana and kanji, most characters of Japanese keys, told from their bytes without
		// decoding them (isKeyRune's answer).
		if i >= 3 && keyKanaKanji(s[i-3], s[i-2], s[i-1]) {
			i -= 3
			continue
		}
		// runeBefore, with the three-byte case inline: a call for each character of
		// "お電話番号" was most of an inquiry mail's key reading.
		var r rune
		var w int
		if i >= 3 {
			if r3, ok := decode3(s[i-3], s[i-2], s[i-1]); ok {
				r, w = r3, 3
			} else {
				r, w = runeBefore(s, i)
			}
		} else {
			r, w = runeBefore(s, i)
		}
		if !isKeyRune(r) {
			break
		}
		i -= w
	}
	return s[i:end], end > i
}

// keyKanaKanji reports whether c0 c1 c2 encode a hiragana or katakana character from
// U+3041 to U+30FF or a CJK ideograph from U+4E00 to U+9FFF: most runes for which
// isKeyRune is true, told from the bytes (E3 81 81 to E3 83 BF, E4 B8 80 to E9 BF BF).
func keyKanaKanji(c0, c1, c2 byte) bool {
	if c1&0xC0 != 0x80 || c2&0xC0 != 0x80 {
		return false
	}
	return c0-0xE5 <= 0xE9-0xE5 || c0 == 0xE4 && c1 >= 0xB8 || c0 == 0xE3 && (c1-0x82 <= 1 || c1 == 0x81 && c2 >= 0x81)
}

// keyASCII[c] is isKeyRune(c) for ASCII c, false for the other bytes. Built once;
// read-only.
var keyASCII = func() (t [256]bool) {
	for c := range 0x80 {
		t[c] = isKeyRune(rune(c))
	}
	return t
}()

// isKeyRune reports whether r can be part of a key or a Japanese label.
func isKeyRune(r rune) bool {
	if r < 0x80 {
		return isASCIIAlnum(r) || r == '_' || r == '-' || r == '.'
	}
	switch {
	case r >= 0x3041 && r <= 0x30FF: // hiragana, katakana
		return true
	case r >= 0x4E00 && r <= 0x9FFF, r == '々', r == '〒': // CJK ideographs
		return true
	case r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ', r >= 'ｦ' && r <= 'ﾟ':
		return true
	}
	return false
}

// skipBlanksBack moves i back over at most a few spaces and tabs.
func skipBlanksBack(s string, i int) int {
	for n := 0; n < 4 && i > 0; n++ {
		// (The ideographic space ends in 0x80: most bytes are told from both blanks
		// by one compare each, without the compare of three.)
		switch c := s[i-1]; {
		case c == ' ':
			i--
		case c == 0x80 && i >= 3 && s[i-3:i] == "\u3000":
			i -= 3
		default:
			return i
		}
	}
	return i
}

// mayNameValueKey is a cheap filter before classifyKey for inline keys: only
// keys that can name a type with a value hook (a person's name) are worth
// classifying. It errs on the side of yes, in one pass over the key.
func mayNameValueKey(k string) bool {
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= 0x80 {
			return nameMarkIn(k)
		}
		rest := k[i:]
		switch c | 0x20 {
		case 'n':
			if containsFold(rest[:min(4, len(rest))], "name") {
				return true
			}
		case 's':
			if containsFold(rest[:min(3, len(rest))], "sei") || containsFold(rest[:min(6, len(rest))], "shimei") {
				return true
			}
		case 'm':
			if containsFold(rest[:min(3, len(rest))], "mei") {
				return true
			}
		case 'k':
			if containsFold(rest[:min(4, len(rest))], "kana") {
				return true
			}
		case 'f':
			if containsFold(rest[:min(4, len(rest))], "furi") {
				return true
			}
		case 'h':
			if containsFold(rest[:min(6, len(rest))], "holder") {
				return true
			}
		case 'r':
			if containsFold(rest[:min(9, len(rest))], "recipient") {
				return true
			}
		case 'a':
			if containsFold(rest[:min(9, len(rest))], "addressee") {
				return true
			}
		}
	}
	return false
}

// nameMarkIn reports whether k contains 名, 姓, ナ, な, セイ or メイ: the marks of a Japanese
// key that may name a person (氏名, お名前, フリガナ, セイ). One pass over k's bytes,
// comparing three at a time, instead of a search for each mark.
func nameMarkIn(k string) bool {
	const (
		mei  = 0xE5908D // 名
		sei  = 0xE5A793 // 姓
		na   = 0xE3838A // ナ
		naH  = 0xE381AA // な
		se   = 0xE382BB // セ
		me   = 0xE383A1 // メ
		iKat = 0xE382A4 // イ
	)
	for j := 0; j+3 <= len(k); j++ {
		// Every mark starts with E3 or E5 (the test lets E1 and E7 through too).
		if k[j]|0x06 != 0xE7 {
			continue
		}
		switch uint32(k[j])<<16 | uint32(k[j+1])<<8 | uint32(k[j+2]) {
		case mei, sei, na, naH:
			return true
		case se, me:
			if j+6 <= len(k) && uint32(k[j+3])<<16|uint32(k[j+4])<<8|uint32(k[j+5]) == iKat {
				return true
			}
		}
	}
	return false
}

// containsFold reports whether s contains the lower-case ASCII word sub,
// ignoring ASCII case.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && s[i+j]|0x20 == sub[j] {
			j++
		}
		if j == len(sub) {
			return true
		}
	}
	return false
}
