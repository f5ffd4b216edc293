package scan

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// jsonLexer walks JSON text and emits its string values (and long numbers) with the key they
// belong to. It is incremental: parse consumes complete tokens only and leaves a token cut by
// the end of the data for the next call, so a JSON document of any size is read in bounded
// blocks. It is lenient by design: a scanner must keep going through broken or truncated
// files, so malformed input never stops it, it only loses key context.
type jsonLexer struct {
	pos        int
	stack      []jsonFrame
	deep       int      // frames beyond maxJSONDepth, counted so that closers still balance
	deepObj    []uint64 // one bit per frame beyond maxJSONDepth: set for an object
	expectKey  bool
	pendingKey int32
	sjis       bool
	keys       keyResolver

	contStr bool  // a string longer than the record cap was cut; the data continues it
	contKey int32 // the key of that string

	pendingName []byte // raw name of the key just read, until its ':'
	path        []byte
}

// inObject reports whether the innermost open container is an object.
func (l *jsonLexer) inObject() bool {
	if l.deep > 0 {
		d := l.deep - 1
		return d/64 < len(l.deepObj) && l.deepObj[d/64]&(1<<(d%64)) != 0
	}
	return len(l.stack) > 0 && l.stack[len(l.stack)-1].obj
}

// maxDeepBits bounds the bit stack of frames beyond maxJSONDepth (128 KiB); deeper still,
// containers are taken for arrays, so strings there are scanned as values.
const maxDeepBits = 1 << 20

func (l *jsonLexer) setDeep(d int, obj bool) {
	if d >= maxDeepBits {
		return
	}
	for d/64 >= len(l.deepObj) {
		l.deepObj = append(l.deepObj, 0)
	}
	if obj {
		l.deepObj[d/64] |= 1 << (d % 64)
	} else {
		l.deepObj[d/64] &^= 1 << (d % 64)
	}
}

// push opens an object or array. Frames are reused so their name buffers are too. An array
// inherits the member it is the value of: the strings in "emails": [...] are emails.
func (l *jsonLexer) push(obj bool) {
	key := l.currentKey()
	var parent []byte
	if len(l.stack) > 0 {
		parent = l.stack[len(l.stack)-1].name
	}
	if len(l.stack) < cap(l.stack) {
		l.stack = l.stack[:len(l.stack)+1]
	} else {
		l.stack = append(l.stack, jsonFrame{})
	}
	f := &l.stack[len(l.stack)-1]
	f.obj, f.key, f.name = obj, -1, f.name[:0]
	if !obj {
		f.key = key
		f.name = append(f.name, parent...)
	}
}

// readKey resolves a member name to its context. The key is given with its parent member's
// name ("customer.name", "items.name"), since detect.KeyContext lets the parent rule a type
// out: a name under "items" is a product's, not a person's.
func (l *jsonLexer) readKey(name []byte, esc escKind) {
	l.pendingName = append(l.pendingName[:0], name...)
	key := name
	if n := len(l.stack); n >= 2 && len(l.stack[n-2].name) > 0 && len(l.stack[n-2].name) < 64 {
		l.path = append(append(append(l.path[:0], l.stack[n-2].name...), '.'), name...)
		key = l.path
	}
	l.pendingKey = l.keys.keyIndex(key, esc, l.sjis)
}

type jsonFrame struct {
	obj  bool
	key  int32  // context index of the member being read (object) or inherited (array); -1 none
	name []byte // raw name of that member, the parent segment of the keys inside it
}

// maxJSONDepth bounds the key stack: deeper structure keeps the innermost key it had.
const maxJSONDepth = 256

// minNumberDigits is the shortest JSON or SQL number worth showing the detector: the shortest
// personal value written as a bare number is a 7-digit postal code.
const minNumberDigits = 7

// keyResolver turns a key or column name into an index into the contexts of the batch.
type keyResolver interface {
	keyIndex(key []byte, esc escKind, sjis bool) int32
}

func (l *jsonLexer) currentKey() int32 {
	if len(l.stack) == 0 {
		return -1
	}
	return l.stack[len(l.stack)-1].key
}

// parse consumes buf[l.pos:] and appends the values found. Unless eof, a string or number cut
// by the end of buf is left unconsumed (l.pos stays at its start).
func (l *jsonLexer) parse(vals []value, buf []byte, eof bool) []value {
	i := l.pos
	if l.contStr {
		end, esc, ok := jsonStringEnd(buf, i, l.sjis)
		if !ok && !eof {
			return vals
		}
		if end > i {
			vals = append(vals, value{start: int32(i), end: int32(end), col: l.contKey, esc: esc})
		}
		l.contStr = false
		i = min(end+1, len(buf))
	}
	for i < len(buf) {
		c := buf[i]
		if c <= ' ' {
			// Blanks and line ends (the indentation of pretty-printed JSON), tested first:
			// the cases below would each be compared before the default took them.
			i++
			continue
		}
		switch {
		case c == '"':
			end, esc, ok := jsonStringEnd(buf, i+1, l.sjis)
			if !ok && !eof {
				l.pos = i
				return vals
			}
			if l.expectKey && l.inObject() {
				l.readKey(buf[i+1:end], esc)
				l.expectKey = false
			} else if end > i+1 {
				vals = append(vals, value{start: int32(i + 1), end: int32(end), col: l.currentKey(), esc: esc})
			}
			i = min(end+1, len(buf))
		case c == ':':
			if len(l.stack) > 0 && l.stack[len(l.stack)-1].obj && l.deep == 0 {
				f := &l.stack[len(l.stack)-1]
				f.key = l.pendingKey
				f.name = append(f.name[:0], l.pendingName...)
			}
			l.pendingKey = -1
			i++
		case c == ',':
			if l.inObject() {
				if l.deep == 0 {
					l.stack[len(l.stack)-1].key = -1
				}
				l.expectKey = true
			}
			i++
		case c == '{' || c == '[':
			if len(l.stack) >= maxJSONDepth {
				l.setDeep(l.deep, c == '{')
				l.deep++
			} else {
				l.push(c == '{')
			}
			l.expectKey = c == '{'
			i++
		case c == '}' || c == ']':
			if l.deep > 0 {
				l.deep--
			} else if len(l.stack) > 0 {
				l.stack = l.stack[:len(l.stack)-1]
			}
			l.expectKey = false
			i++
		case c == '-' || (c >= '0' && c <= '9'):
			j, digits := i, 0
			for j < len(buf) && (buf[j] >= '0' && buf[j] <= '9' || buf[j] == '.' || buf[j] == 'e' || buf[j] == 'E' || buf[j] == '+' || buf[j] == '-') {
				if buf[j] >= '0' && buf[j] <= '9' {
					digits++
				}
				j++
			}
			if j == len(buf) && !eof {
				l.pos = i
				return vals
			}
			if digits >= minNumberDigits && !l.expectKey {
				vals = append(vals, value{start: int32(i), end: int32(j), col: l.currentKey(), esc: escNumber})
			}
			i = j
		default:
			i++
		}
	}
	l.pos = i
	return vals
}

// force consumes everything in buf when a single token is longer than the record cap: an open
// string is emitted up to the end of buf and continued in the next block.
func (l *jsonLexer) force(vals []value, buf []byte) []value {
	if l.pos < len(buf) && buf[l.pos] == '"' && !l.expectKey {
		if _, _, ok := jsonStringEnd(buf, l.pos+1, l.sjis); !ok {
			key := l.currentKey()
			vals = append(vals, value{start: int32(l.pos + 1), end: int32(len(buf)), col: key, esc: escJSON})
			l.contStr, l.contKey = true, key
			l.pos = len(buf)
			return vals
		}
	}
	return l.parse(vals, buf, true)
}

// rebase moves the lexer's position after the first n bytes of its buffer were cut off.
func (l *jsonLexer) rebase(n int) { l.pos -= n }

// jsonStringEnd finds the closing quote of a JSON string whose content starts at buf[i]. It
// returns the index of the quote (len(buf) and ok=false if there is none), and escJSON if the
// content has backslash escapes.
func jsonStringEnd(buf []byte, i int, sjis bool) (int, escKind, bool) {
	esc := escNone
	if sjis {
		// A Shift_JIS trail byte can be 0x5C; step over whole characters so it is not taken
		// for a backslash.
		for i < len(buf) {
			c := buf[i]
			switch {
			case c == '"':
				return i, esc, true
			case c == '\\':
				esc = escJSON
				i += 2
			case isSJISLead(c):
				i += 2
			default:
				i++
			}
		}
		return len(buf), esc, false
	}
	// The quote and the backslash looked for together, eight bytes at a time: the strings
	// of a JSON document are ten to thirty bytes, and two IndexByte calls (one for each,
	// the second over the first's span) cost more than the search.
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	start := i
	for i <= len(buf)-8 {
		x := binary.LittleEndian.Uint64(buf[i : i+8])
		a, b := x^(ones*'"'), x^(ones*'\\')
		// A zero byte in a or b is a match; the lowest set high bit marks the first one
		// exactly (a borrow can only mark bytes above it).
		m := (a-ones)&^a&highs | (b-ones)&^b&highs
		if m == 0 {
			i += 8
			continue
		}
		i += bits.TrailingZeros64(m) >> 3
		if buf[i] == '"' {
			return i, esc, true
		}
		esc = escJSON
		i += 2
	}
	for i < len(buf) {
		switch buf[i] {
		case '"':
			return i, esc, true
		case '\\':
			esc = escJSON
			i += 2
		default:
			i++
		}
	}
	return jsonStringCut(buf, start)
}

// jsonStringCut is jsonStringEnd for a string with no closing quote in buf, as it was
// written before: the escaping it reports (of the part a finding may come from at the end
// of a file) counts only the backslashes before some quote.
func jsonStringCut(buf []byte, i int) (int, escKind, bool) {
	esc := escNone
	for {
		q := bytes.IndexByte(buf[i:], '"')
		if q < 0 {
			return len(buf), esc, false
		}
		b := bytes.IndexByte(buf[i:i+q], '\\')
		if b < 0 {
			return i + q, esc, true // not reached: there is no closing quote
		}
		esc = escJSON
		i += b + 2
		if i > len(buf) {
			return len(buf), esc, false
		}
	}
}
