package scan

import (
	"bytes"
	"strings"
)

// sqlParser reads MySQL (mysqldump) and PostgreSQL (pg_dump) dumps: it learns column names from
// CREATE TABLE and from INSERT INTO t (cols) / COPY t (cols), and emits every string and long
// number inside INSERT … VALUES tuples and every field of COPY … FROM stdin data with the
// context of its column. Other statements are lexed (so that a ';' inside a string does not
// end a statement) but not scanned: DDL, SET and comments hold no customer data.
//
// Like jsonLexer it is incremental and consumes complete tokens only.
type sqlParser struct {
	pos    int
	mysql  bool // backslash escapes in strings, # comments, "…" strings in VALUES
	sjis   bool
	keys   keyResolver
	schema map[string][]string // table → columns, from CREATE TABLE

	st        sqlStmt
	table     string
	tableSet  bool
	cols      [][]byte // reused buffers: a dump of one-row INSERTs names its columns every row
	colsOpen  bool
	depth     int
	col       int32
	values    bool
	expectCol bool // CREATE TABLE: the next identifier names a column
	from      int  // COPY: 1 after FROM, 2 after FROM STDIN
	colIdx    []int32
	copyData  bool
	copyCol   int32
	eWordEnd  int // just past a bare E (PostgreSQL E'…' string with backslash escapes), or -1

	path      []byte
	contStr   bool // a string longer than the record cap was cut; the data continues it
	contQuote byte
	contSlash bool
	contCol   int32
}

type sqlStmt uint8

const (
	stmtNone sqlStmt = iota
	stmtInsert
	stmtCreate
	stmtCopy
	stmtOther
)

// maxSchemaTables bounds the schema the parser remembers; a dump with more tables than this
// loses column context for the later ones instead of growing without limit.
const maxSchemaTables = 4096

func newSQLParser(mysql, sjis bool, keys keyResolver) *sqlParser {
	return &sqlParser{mysql: mysql, sjis: sjis, keys: keys, schema: map[string][]string{}, eWordEnd: -1}
}

func (p *sqlParser) rebase(n int) {
	p.pos -= n
	p.eWordEnd -= n
}

func (p *sqlParser) colCtx(col int32) int32 {
	if int(col) < len(p.colIdx) {
		return p.colIdx[col]
	}
	return -1
}

// parse consumes buf[p.pos:] and appends the values found. Unless eof, a token cut by the end
// of buf is left unconsumed.
func (p *sqlParser) parse(vals []value, buf []byte, eof bool) []value {
	i := p.pos
	if p.contStr {
		end, esc, ok := sqlStringEnd(buf, i, p.contQuote, p.contSlash, p.sjis, eof)
		if !ok && !eof {
			return vals
		}
		if end > i {
			vals = append(vals, value{start: int32(i), end: int32(end), col: p.contCol, esc: esc})
		}
		p.contStr = false
		i = min(end+1, len(buf))
	}
	// One switch on the byte's class (a jump table), where a chain of compares ran for
	// every byte between the strings of a dump: a comma took fifteen.
bytes:
	for i < len(buf) {
		if p.copyData {
			end := len(buf)
			if nl := bytes.IndexByte(buf[i:], '\n'); nl >= 0 {
				end = i + nl
			} else if !eof {
				break
			}
			vals = p.copyLine(vals, buf, i, end)
			i = min(end+1, len(buf))
			continue
		}
		c := buf[i]
		switch sqlClass[c] {
		case sqlSpace:
			i++
		case sqlDash, sqlSlash:
			// A comment if the next byte makes one: a cut one waits for it.
			if i+1 >= len(buf) {
				if !eof {
					break bytes
				}
				i++
				break
			}
			if c == '-' && buf[i+1] == '-' {
				k, ok := p.lineComment(buf, i, eof)
				if !ok {
					return vals
				}
				i = k
			} else if c == '/' && buf[i+1] == '*' {
				k := bytes.Index(buf[i+2:], []byte("*/"))
				if k < 0 {
					if !eof {
						p.pos = i
						return vals
					}
					i = len(buf)
					break
				}
				i += 2 + k + 2
			} else {
				i++
			}
		case sqlHash:
			if !p.mysql {
				i++
				break
			}
			k, ok := p.lineComment(buf, i, eof)
			if !ok {
				return vals
			}
			i = k
		case sqlDQuote:
			if !p.mysql || !p.values {
				// An identifier, as between backquotes.
				end, _, ok := sqlStringEnd(buf, i+1, c, false, p.sjis, eof)
				if !ok && !eof {
					p.pos = i
					return vals
				}
				p.ident(buf[i+1 : end])
				i = min(end+1, len(buf))
				break
			}
			fallthrough
		case sqlQuote:
			slash := p.mysql || p.eWordEnd == i
			end, esc, ok := sqlStringEnd(buf, i+1, c, slash, p.sjis, eof)
			if !ok && !eof {
				p.pos = i
				return vals
			}
			if p.values && p.depth >= 1 && end > i+1 {
				vals = append(vals, value{start: int32(i + 1), end: int32(end), col: p.colCtx(p.col), esc: esc})
			}
			i = min(end+1, len(buf))
		case sqlBackquote:
			end, _, ok := sqlStringEnd(buf, i+1, c, false, p.sjis, eof)
			if !ok && !eof {
				p.pos = i
				return vals
			}
			p.ident(buf[i+1 : end])
			i = min(end+1, len(buf))
		case sqlDigit:
			j, digits := i, true
			for j < len(buf) && (isWordByte(buf[j]) || buf[j] == '.') {
				if buf[j] < '0' || buf[j] > '9' {
					digits = false
				}
				j++
			}
			if j == len(buf) && !eof {
				p.pos = i
				return vals
			}
			if digits && j-i >= minNumberDigits && p.values && p.depth >= 1 {
				vals = append(vals, value{start: int32(i), end: int32(j), col: p.colCtx(p.col), esc: escNumber})
			}
			i = j
		case sqlWord:
			j := i
			for j < len(buf) && isWordByte(buf[j]) {
				j++
			}
			if j == len(buf) && !eof {
				p.pos = i
				return vals
			}
			p.word(buf[i:j])
			if j-i == 1 && (c == 'E' || c == 'e') {
				p.eWordEnd = j
			}
			i = j
		case sqlOpen:
			p.open()
			i++
		case sqlClose:
			p.close()
			i++
		case sqlComma:
			if p.depth == 1 {
				if p.values {
					p.col++
				} else if p.st == stmtCreate {
					p.expectCol = true
				}
			}
			i++
		case sqlDot:
			if p.depth == 0 && p.tableSet && !p.values {
				p.tableSet = false // schema.table: the next part names the table
			}
			i++
		case sqlSemicolon:
			p.endStatement()
			i++
		default:
			i++
		}
	}
	p.pos = min(i, len(buf))
	return vals
}

// lineComment returns the index past the comment that starts at buf[i] and runs to the end
// of the line, or false (p.pos set) when the line is cut and more data may follow.
func (p *sqlParser) lineComment(buf []byte, i int, eof bool) (int, bool) {
	nl := bytes.IndexByte(buf[i:], '\n')
	if nl < 0 {
		if !eof {
			p.pos = i
			return 0, false
		}
		nl = len(buf) - i - 1
	}
	return i + nl + 1, true
}

// The classes of bytes parse tells apart.
const (
	sqlOther uint8 = iota
	sqlSpace
	sqlDash
	sqlSlash
	sqlHash
	sqlQuote
	sqlDQuote
	sqlBackquote
	sqlDigit
	sqlWord
	sqlOpen
	sqlClose
	sqlComma
	sqlDot
	sqlSemicolon
)

// sqlClass[c] is the class of byte c.
var sqlClass = func() (t [256]uint8) {
	for c := range t {
		switch {
		case c >= '0' && c <= '9':
			t[c] = sqlDigit
		case isWordByte(byte(c)):
			t[c] = sqlWord
		}
	}
	for _, c := range " \t\n\r" {
		t[c] = sqlSpace
	}
	t['-'], t['/'], t['#'] = sqlDash, sqlSlash, sqlHash
	t['\''], t['"'], t['`'] = sqlQuote, sqlDQuote, sqlBackquote
	t['('], t[')'], t[','], t['.'], t[';'] = sqlOpen, sqlClose, sqlComma, sqlDot, sqlSemicolon
	return t
}()

// force consumes everything when a single token is longer than the record cap.
func (p *sqlParser) force(vals []value, buf []byte) []value {
	i := p.pos
	if i < len(buf) && !p.copyData && (buf[i] == '\'' || buf[i] == '"' && p.mysql && p.values) && p.values && p.depth >= 1 {
		slash := p.mysql || p.eWordEnd == i
		if _, _, ok := sqlStringEnd(buf, i+1, buf[i], slash, p.sjis, false); !ok {
			esc := escSQL
			if slash {
				esc = escSQLSlash
			}
			vals = append(vals, value{start: int32(i + 1), end: int32(len(buf)), col: p.colCtx(p.col), esc: esc})
			p.contStr, p.contQuote, p.contSlash, p.contCol = true, buf[i], slash, p.colCtx(p.col)
			p.pos = len(buf)
			return vals
		}
	}
	return p.parse(vals, buf, true)
}

func isWordByte(c byte) bool { return sqlWordByte[c] }

// sqlWordByte[c] is isWordByte's answer: one load where the compares took a chain of
// branches per byte of every number and word of a dump.
var sqlWordByte = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '$' || c >= 0x80
	}
	return t
}()

func (p *sqlParser) word(w []byte) {
	kw := func(s string) bool { return len(w) == len(s) && strings.EqualFold(string(w), s) }
	switch p.st {
	case stmtNone:
		switch {
		case kw("INSERT"), kw("REPLACE"):
			p.st = stmtInsert
		case kw("CREATE"):
			p.st = stmtCreate
		case kw("COPY"):
			p.st = stmtCopy
		default:
			p.st = stmtOther
		}
		return
	case stmtInsert:
		if p.values {
			if p.depth == 0 {
				p.values = false // ON DUPLICATE KEY UPDATE, RETURNING …
				p.st = stmtOther
			}
			return
		}
		switch {
		case kw("INTO"), kw("IGNORE"), kw("LOW_PRIORITY"), kw("DELAYED"), kw("HIGH_PRIORITY"):
			return
		case kw("VALUES"), kw("VALUE"):
			p.startValues()
			return
		case kw("SELECT"), kw("SET"), kw("DEFAULT"):
			p.st = stmtOther
			return
		}
	case stmtCreate:
		if p.depth == 0 && !p.tableSet {
			switch {
			case kw("TABLE"):
				p.expectCol = false
				p.from = 1 // reuse: 1 means TABLE was seen
				return
			case kw("TEMPORARY"), kw("TEMP"), kw("UNLOGGED"), kw("GLOBAL"), kw("LOCAL"), kw("IF"), kw("NOT"), kw("EXISTS"):
				return
			}
			if p.from != 1 {
				p.st = stmtOther // CREATE INDEX, VIEW, SEQUENCE, FUNCTION …
				return
			}
		}
		if p.depth == 1 && p.expectCol {
			switch {
			case kw("PRIMARY"), kw("KEY"), kw("UNIQUE"), kw("CONSTRAINT"), kw("INDEX"), kw("FOREIGN"),
				kw("CHECK"), kw("FULLTEXT"), kw("SPATIAL"), kw("EXCLUDE"), kw("LIKE"):
				p.expectCol = false // a constraint, not a column
				return
			}
		}
	case stmtCopy:
		if p.tableSet && p.depth == 0 {
			switch {
			case kw("FROM"):
				p.from = 1
			case kw("STDIN") && p.from == 1:
				p.from = 2
			}
			return
		}
	}
	p.ident(w)
}

// ident handles a name: the table of the statement, a column of its column list or of a
// CREATE TABLE.
func (p *sqlParser) ident(name []byte) {
	switch p.st {
	case stmtInsert, stmtCopy, stmtCreate:
	default:
		return
	}
	switch {
	case p.depth == 0 && !p.tableSet && !p.values:
		if p.st == stmtCreate && p.from != 1 {
			return
		}
		if p.table != string(name) {
			p.table = string(name)
		}
		p.tableSet = true
	case p.depth == 1 && p.colsOpen:
		p.addCol(name)
	case p.depth == 1 && p.st == stmtCreate && p.expectCol:
		p.addCol(name)
		p.expectCol = false
	}
}

func (p *sqlParser) addCol(name []byte) {
	if len(p.cols) < cap(p.cols) {
		p.cols = p.cols[:len(p.cols)+1]
	} else {
		p.cols = append(p.cols, nil)
	}
	p.cols[len(p.cols)-1] = append(p.cols[len(p.cols)-1][:0], name...)
}

func (p *sqlParser) open() {
	if p.depth == 0 && p.tableSet && !p.values {
		switch p.st {
		case stmtInsert, stmtCopy:
			p.colsOpen, p.cols = true, p.cols[:0]
		case stmtCreate:
			p.expectCol, p.cols = true, p.cols[:0]
		}
	}
	p.depth++
	if p.depth == 1 && p.values {
		p.col = 0
	}
}

func (p *sqlParser) close() {
	if p.depth == 0 {
		return
	}
	p.depth--
	if p.depth == 0 {
		p.colsOpen = false
		if p.st == stmtCreate && p.tableSet && len(p.cols) > 0 {
			if _, ok := p.schema[p.table]; ok || len(p.schema) < maxSchemaTables {
				cols := make([]string, len(p.cols))
				for i, c := range p.cols {
					cols[i] = string(c)
				}
				p.schema[p.table] = cols
			}
			p.st = stmtOther
		}
	}
}

// startValues resolves the contexts of the statement's columns: its own column list, else
// the columns of its CREATE TABLE.
func (p *sqlParser) startValues() {
	p.values = true
	p.colIdx = p.colIdx[:0]
	for _, c := range p.cols {
		p.path = append(append(append(p.path[:0], p.table...), '.'), c...)
		p.colIdx = append(p.colIdx, p.keys.keyIndex(p.path, escNone, p.sjis))
	}
	if len(p.cols) > 0 {
		return
	}
	for _, c := range p.schema[p.table] {
		// "products.name" is not a person's name: the table rules types out (detect.KeyContext).
		p.path = append(append(append(p.path[:0], p.table...), '.'), c...)
		p.colIdx = append(p.colIdx, p.keys.keyIndex(p.path, escNone, p.sjis))
	}
}

func (p *sqlParser) endStatement() {
	if p.st == stmtCopy && p.from == 2 {
		p.startValues()
		p.values = false
		p.copyData = true
	}
	p.st, p.tableSet, p.cols = stmtNone, false, p.cols[:0] // p.table stays, to reuse its string
	p.colsOpen, p.depth, p.col, p.values, p.expectCol, p.from = false, 0, 0, false, false, 0
}

// copyLine emits the fields of one line of COPY … FROM stdin data, or ends the data at "\.".
func (p *sqlParser) copyLine(vals []value, buf []byte, start, end int) []value {
	e := end
	if e > start && buf[e-1] == '\r' {
		e--
	}
	line := buf[start:e]
	if string(line) == `\.` {
		p.copyData = false
		p.colIdx = p.colIdx[:0]
		return vals
	}
	col := int32(0)
	for s := start; s <= e; {
		t := bytes.IndexByte(buf[s:e], '\t')
		fe := e
		if t >= 0 {
			fe = s + t
		}
		if fe > s && string(buf[s:fe]) != `\N` {
			vals = append(vals, value{start: int32(s), end: int32(fe), col: p.colCtx(col), esc: escCOPY})
		}
		col++
		if t < 0 {
			break
		}
		s = fe + 1
	}
	return vals
}

// sqlStringEnd finds the closing quote of a string or quoted identifier whose content starts
// at buf[i]: a quote not doubled, and with slash also not preceded by a backslash escape. It
// returns the index of the quote (len(buf) and ok=false if none) and how the content is
// escaped. Unless eof, a quote that is the last byte of buf is not taken as closing, since
// the next byte may double it.
func sqlStringEnd(buf []byte, i int, quote byte, slash, sjis, eof bool) (int, escKind, bool) {
	esc := escNone
	switch {
	case slash:
		esc = escSQLSlash
	case quote == '\'':
		esc = escSQL
	}
	has := false
	for i < len(buf) {
		c := buf[i]
		switch {
		case c == quote:
			if i+1 < len(buf) && buf[i+1] == quote {
				has = true
				i += 2
				continue
			}
			if i+1 == len(buf) && !eof {
				return len(buf), esc, false
			}
			if !has {
				esc = escNone
			}
			return i, esc, true
		case c == '\\' && slash:
			has = true
			i += 2
			continue
		case sjis && isSJISLead(c):
			i += 2
			continue
		}
		if !sjis && !slash {
			// Fast path: jump to the next quote.
			k := bytes.IndexByte(buf[i+1:], quote)
			if k < 0 {
				return len(buf), esc, false
			}
			i += 1 + k
			continue
		}
		if !sjis {
			// MySQL strings: jump to the next quote or backslash (the end of buf when
			// there is neither, as the byte loop would).
			rest := buf[i+1:]
			k := bytes.IndexByte(rest, quote)
			if k < 0 {
				k = len(rest)
			}
			if b := bytes.IndexByte(rest[:k], '\\'); b >= 0 {
				k = b
			}
			i += 1 + k
			continue
		}
		i++
	}
	if !has {
		esc = escNone
	}
	return len(buf), esc, false
}
