package detect

import (
	"slices"
	"unsafe"
)

// detector is one kind of personal data. Each detector lives in its own file
// and hooks the triggers it needs; a nil hook means "not interested".
type detector struct {
	typ Type
	// onDigits is called at the first digit of every maximal digit run.
	onDigits func(st *state, p int) (Finding, bool)
}

// detectors lists every detector in priority order (see allTypes).
var detectors = [...]*detector{
	{typ: CardNumber, onDigits: cardOnDigits},
}

// Engine scans text for the types it was built with. It is immutable after
// New and safe for concurrent use.
type Engine struct {
	types  typeSet
	digits []*detector
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
		if !e.types.has(d.typ) {
			continue
		}
		if d.onDigits != nil {
			e.digits = append(e.digits, d)
		}
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
	s   string
	ctx Context
}

// contextAt returns the context that applies to a value starting at p: an
// inline key right before it ("tel=", "\"email\": \"", "生年月日："), else the
// Context the caller gave.
func (st *state) contextAt(p int) Context {
	if k, ok := inlineKey(st.s, p); ok {
		c := classifyKey(k)
		c.keyed = true
		return c
	}
	return st.ctx
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
	st := state{s: unsafe.String(unsafe.SliceData(text), len(text)), ctx: ctx}
	base := len(dst)
	dst = e.scan(dst, &st)
	return resolve(dst, base)
}

func (e *Engine) scan(dst []Finding, st *state) []Finding {
	s := st.s
	for i := 0; i < len(s); {
		c := s[i]
		if c-'0' < 10 || (c == fwLead && i+2 < len(s) && s[i+1] == fwMid && s[i+2]-fwDigit0 < 10) {
			end := skipDigits(s, i)
			var best Finding
			found := false
			for _, d := range e.digits {
				if f, ok := d.onDigits(st, i); ok && (!found || better(f, best)) {
					best, found = f, true
				}
			}
			if found {
				dst = append(dst, best)
				if best.End > end {
					end = best.End
				}
			}
			i = end
			continue
		}
		i++
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
	fs := dst[base:]
	if len(fs) < 2 {
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
	i := p
	i = skipBlanksBack(s, i)
	if i > 0 && (s[i-1] == '"' || s[i-1] == '\'') {
		i--
	}
	i = skipBlanksBack(s, i)
	r, w := runeBefore(s, i)
	switch r {
	case ':', '=', '：', '＝', '】', ']':
		i -= w
	default:
		return "", false
	}
	if r == '】' || r == ']' {
		// "【お名前】山田": the key runs back to the opening bracket.
		end := i
		for j := 0; i > 0 && j < maxKeyLen; j++ {
			r, w := runeBefore(s, i)
			if r == '【' || r == '[' {
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
	for i > 0 && end-i < maxKeyLen {
		r, w := runeBefore(s, i)
		if !isKeyRune(r) {
			break
		}
		i -= w
	}
	return s[i:end], end > i
}

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
		switch {
		case s[i-1] == ' ':
			i--
		case i >= 3 && s[i-3:i] == "\u3000":
			i -= 3
		default:
			return i
		}
	}
	return i
}
