package vault

import (
	"unicode/utf16"
	"unicode/utf8"
)

// decodeInputFast parses the common shape of a create body without reflection: one object
// whose keys are the record's, each written exactly and once, with string values (escapes
// allowed, but for UTF-16 surrogate pairs), an address object of its four keys and an
// attributes object of strings. It reports false for anything else: another spelling of a
// key, a repeated key, null, a number, a syntax error, data after the object. DecodeInput
// then decodes the body with encoding/json, whose results and errors stay the contract;
// this is only the quicker way to the same Input (a create spent about 12 µs in
// encoding/json, docs/performance-log.md). FuzzDecodeInputFast checks that whatever it
// accepts, encoding/json decodes to an equal Input. body must be valid UTF-8.
func decodeInputFast(body []byte) (Input, bool) {
	p := fastJSON{b: body}
	var in Input
	if !p.open() {
		return Input{}, false
	}
	for more := !p.close(); more; {
		key, ok := p.key()
		if !ok {
			return Input{}, false
		}
		var s **string
		switch string(key) { // compared in place, not copied
		case "name":
			s = &in.Name
		case "name_kana":
			s = &in.NameKana
		case "email":
			s = &in.Email
		case "phone":
			s = &in.Phone
		case "postal_code":
			s = &in.PostalCode
		case "birth_date":
			s = &in.BirthDate
		case "gender":
			s = &in.Gender
		case "address":
			if in.Address != nil {
				return Input{}, false
			}
			in.Address = new(Address)
			if !p.address(in.Address) {
				return Input{}, false
			}
		case "attributes":
			if in.Attributes != nil {
				return Input{}, false
			}
			in.Attributes = map[string]string{}
			if !p.attributes(in.Attributes) {
				return Input{}, false
			}
		default:
			return Input{}, false
		}
		if s != nil {
			if *s != nil {
				return Input{}, false
			}
			v, ok := p.str()
			if !ok {
				return Input{}, false
			}
			*s = &v
		}
		if more, ok = p.next(); !ok {
			return Input{}, false
		}
	}
	p.ws()
	return in, p.i == len(p.b)
}

// fastJSON reads the few JSON forms decodeInputFast accepts; each method reports false on
// anything else.
type fastJSON struct {
	b []byte
	i int
}

func (p *fastJSON) ws() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

// open reads an object's '{'.
func (p *fastJSON) open() bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '{' {
		p.i++
		return true
	}
	return false
}

// close reads the '}' of an object that has no member (after open).
func (p *fastJSON) close() bool {
	p.ws()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return true
	}
	return false
}

// next reads what follows a member: ',' (more is true) or '}'.
func (p *fastJSON) next() (more, ok bool) {
	p.ws()
	if p.i < len(p.b) {
		switch p.b[p.i] {
		case ',':
			p.i++
			return true, true
		case '}':
			p.i++
			return false, true
		}
	}
	return false, false
}

// key reads a member's name without escapes and its ':'; the name aliases the body.
func (p *fastJSON) key() ([]byte, bool) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			k := p.b[start:j]
			p.i = j + 1
			p.ws()
			if p.i >= len(p.b) || p.b[p.i] != ':' {
				return nil, false
			}
			p.i++
			return k, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

// str reads a string value.
func (p *fastJSON) str() (string, bool) {
	p.ws()
	if p.i >= len(p.b) || p.b[p.i] != '"' {
		return "", false
	}
	start := p.i + 1
	for j := start; j < len(p.b); j++ {
		switch c := p.b[j]; {
		case c == '"':
			p.i = j + 1
			return string(p.b[start:j]), true
		case c == '\\':
			p.i = j
			return p.escaped(append(make([]byte, 0, j-start+16), p.b[start:j]...))
		case c < 0x20:
			return "", false
		}
	}
	return "", false
}

// escaped reads the rest of a string from its first backslash, appending to buf.
func (p *fastJSON) escaped(buf []byte) (string, bool) {
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), true
		case c < 0x20:
			return "", false
		case c != '\\':
			buf = append(buf, c)
			p.i++
			continue
		}
		if p.i+1 >= len(p.b) {
			return "", false
		}
		e := p.b[p.i+1]
		p.i += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			if p.i+4 > len(p.b) {
				return "", false
			}
			var r rune
			for _, h := range p.b[p.i : p.i+4] {
				switch {
				case '0' <= h && h <= '9':
					r = r<<4 | rune(h-'0')
				case 'a' <= h && h <= 'f':
					r = r<<4 | rune(h-'a'+10)
				case 'A' <= h && h <= 'F':
					r = r<<4 | rune(h-'A'+10)
				default:
					return "", false
				}
			}
			if utf16.IsSurrogate(r) {
				return "", false // pairs and lone halves: encoding/json's rules
			}
			buf = utf8.AppendRune(buf, r)
			p.i += 4
		default:
			return "", false
		}
	}
	return "", false
}

// address reads the address object: its four keys, each at most once.
func (p *fastJSON) address(a *Address) bool {
	if !p.open() {
		return false
	}
	var seen [4]bool
	for more := !p.close(); more; {
		key, ok := p.key()
		if !ok {
			return false
		}
		var f int
		var s *string
		switch string(key) {
		case "prefecture":
			f, s = 0, &a.Prefecture
		case "city":
			f, s = 1, &a.City
		case "line1":
			f, s = 2, &a.Line1
		case "line2":
			f, s = 3, &a.Line2
		default:
			return false
		}
		if seen[f] {
			return false
		}
		seen[f] = true
		if *s, ok = p.str(); !ok {
			return false
		}
		if more, ok = p.next(); !ok {
			return false
		}
	}
	return true
}

// attributes reads an object of strings into m (a repeated name keeps its last value, as
// encoding/json does).
func (p *fastJSON) attributes(m map[string]string) bool {
	if !p.open() {
		return false
	}
	for more := !p.close(); more; {
		k, ok := p.str()
		if !ok {
			return false
		}
		p.ws()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			return false
		}
		p.i++
		v, ok := p.str()
		if !ok {
			return false
		}
		m[k] = v
		if more, ok = p.next(); !ok {
			return false
		}
	}
	return true
}
