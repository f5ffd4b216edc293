package scan

import "bytes"

// jsonLexer walks JSON text and emits its string values (and long numbers) with the key they
// belong to. It is incremental: parse consumes complete tokens only and leaves a token cut by
// the end of the data for the next call, so a JSON document of any size is read in bounded
// blocks. It is lenient by design: a scanner must keep going through broken or truncated
// files, so malformed input never stops it, it only loses key context.
type jsonLexer struct {
	pos        int
	stack      []jsonFrame
	deep       int // frames beyond maxJSONDepth, counted so that closers still balance
	expectKey  bool
	pendingKey int32
	sjis       bool
	keys       keyResolver

	contStr bool  // a string longer than the record cap was cut; the data continues it
	contKey int32 // the key of that string
}

type jsonFrame struct {
	obj bool
	key int32 // context index of the member being read (object) or inherited (array); -1 none
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
		switch {
		case c == '"':
			end, esc, ok := jsonStringEnd(buf, i+1, l.sjis)
			if !ok && !eof {
				l.pos = i
				return vals
			}
			top := len(l.stack) > 0 && l.stack[len(l.stack)-1].obj
			if l.expectKey && top {
				l.pendingKey = l.keys.keyIndex(buf[i+1:end], esc, l.sjis)
				l.expectKey = false
			} else if end > i+1 {
				vals = append(vals, value{start: int32(i + 1), end: int32(end), col: l.currentKey(), esc: esc})
			}
			i = min(end+1, len(buf))
		case c == ':':
			if len(l.stack) > 0 && l.stack[len(l.stack)-1].obj && l.deep == 0 {
				l.stack[len(l.stack)-1].key = l.pendingKey
			}
			l.pendingKey = -1
			i++
		case c == ',':
			if len(l.stack) > 0 && l.stack[len(l.stack)-1].obj && l.deep == 0 {
				l.stack[len(l.stack)-1].key = -1
				l.expectKey = true
			}
			i++
		case c == '{' || c == '[':
			if len(l.stack) >= maxJSONDepth {
				l.deep++
			} else if c == '{' {
				l.stack = append(l.stack, jsonFrame{obj: true, key: -1})
			} else {
				l.stack = append(l.stack, jsonFrame{key: l.currentKey()})
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
				vals = append(vals, value{start: int32(i), end: int32(j), col: l.currentKey()})
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
	for {
		q := bytes.IndexByte(buf[i:], '"')
		if q < 0 {
			return len(buf), esc, false
		}
		b := bytes.IndexByte(buf[i:i+q], '\\')
		if b < 0 {
			return i + q, esc, true
		}
		esc = escJSON
		i += b + 2
		if i > len(buf) {
			return len(buf), esc, false
		}
	}
}
