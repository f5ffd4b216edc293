package scan

import (
	"bytes"

	"github.com/kinko-jp/kinko/internal/detect"
)

// producerParser cuts a file's blocks where its format allows and, for formats whose
// structure spans lines (JSON, SQL), parses it. next returns how many bytes of buf form
// complete records; with eof it consumes everything.
type producerParser interface {
	next(b *batch, buf []byte, eof bool) int
	// force consumes everything when one record is longer than the cap.
	force(b *batch, buf []byte) int
	// rebase tells the parser the first n bytes of its buffer were cut off.
	rebase(n int)
	setSJIS(bool)
}

func (s *Scanner) newProducerParser(f *fileState, format Format, delim byte, head []byte) producerParser {
	sjis := f.enc == EncShiftJIS
	switch format {
	case FormatCSV, FormatTSV:
		return &csvProducer{delim: delim, sjis: sjis}
	case FormatJSON:
		k := newFileKeys()
		return &structProducer{keys: k, lex: &jsonLexer{sjis: sjis, keys: k, pendingKey: -1}}
	case FormatSQL:
		k := newFileKeys()
		return &structProducer{keys: k, sql: newSQLParser(isMySQL(head), sjis, k)}
	}
	return linesProducer{}
}

// linesProducer cuts at the last newline; workers split lines (text, logs, JSON Lines).
type linesProducer struct{}

func (linesProducer) next(b *batch, buf []byte, eof bool) int {
	b.mode = modeLines
	if eof {
		return len(buf)
	}
	return bytes.LastIndexByte(buf, '\n') + 1
}
func (linesProducer) force(b *batch, buf []byte) int { b.mode = modeLines; return len(buf) }
func (linesProducer) rebase(int)                     {}
func (linesProducer) setSJIS(bool)                   {}

// csvProducer reads the header once and cuts at record ends; workers parse the fields.
type csvProducer struct {
	delim    byte
	header   bool // the header record has been read
	sjis     bool
	ctxs     []detect.Context
	pos      int // start of the first record not yet known to be complete
	nextSkip int
}

func (p *csvProducer) setSJIS(v bool) { p.sjis = v }
func (p *csvProducer) rebase(n int)   { p.pos -= n }

func (p *csvProducer) next(b *batch, buf []byte, eof bool) int {
	b.mode, b.delim = modeCSV, p.delim
	if !p.header {
		end := csvRecordEnd(buf, 0, p.delim)
		if end < 0 {
			if !eof {
				return 0
			}
			end = len(buf)
		}
		p.header = true
		if names := csvHeader(buf, end, p.delim, p.sjis); names != nil {
			p.ctxs = make([]detect.Context, len(names))
			for i, n := range names {
				p.ctxs[i] = detect.KeyContext(n)
			}
			p.pos, p.nextSkip = end, end
		}
	}
	b.ctxs, b.skip, p.nextSkip = p.ctxs, p.nextSkip, 0
	if eof {
		return len(buf)
	}
	for {
		e := csvRecordEnd(buf, p.pos, p.delim)
		if e < 0 {
			break
		}
		p.pos = e
	}
	if p.pos == b.skip && b.skip > 0 {
		// Only the header so far: hand it over on its own only if more data cannot fit.
		p.nextSkip = b.skip
		return 0
	}
	return p.pos
}

func (p *csvProducer) force(b *batch, buf []byte) int {
	b.mode, b.delim, b.ctxs = modeCSV, p.delim, p.ctxs
	b.skip, p.nextSkip = p.nextSkip, 0
	p.pos = len(buf)
	return len(buf)
}

// structProducer runs the JSON or SQL parser in the producer, since their structure (a key
// stack, a table's columns) carries across lines; workers only decode and detect.
type structProducer struct {
	keys *fileKeys
	lex  *jsonLexer
	sql  *sqlParser
}

func (p *structProducer) setSJIS(v bool) {
	if p.lex != nil {
		p.lex.sjis = v
	} else {
		p.sql.sjis = v
	}
}

func (p *structProducer) rebase(n int) {
	if p.lex != nil {
		p.lex.rebase(n)
	} else {
		p.sql.rebase(n)
	}
}

func (p *structProducer) next(b *batch, buf []byte, eof bool) int {
	b.mode = modeValues
	var pos int
	if p.lex != nil {
		b.vals = p.lex.parse(b.vals[:0], buf, eof)
		pos = p.lex.pos
	} else {
		b.vals = p.sql.parse(b.vals[:0], buf, eof)
		pos = p.sql.pos
	}
	b.ctxs = p.keys.snapshot()
	return pos
}

func (p *structProducer) force(b *batch, buf []byte) int {
	b.mode = modeValues
	if p.lex != nil {
		b.vals = p.lex.force(b.vals, buf)
	} else {
		b.vals = p.sql.force(b.vals, buf)
	}
	b.ctxs = p.keys.snapshot()
	return len(buf)
}

// fileKeys computes a key's detect.Context once and hands out its index. The slice is only
// appended to, so a batch can hold a snapshot (ctxs[:n]) while the producer goes on adding.
type fileKeys struct {
	idx   map[string]int32
	ctxs  []detect.Context
	names []string // the key of each context, for recent
	text  []byte
	// recent is a cache in front of idx: a JSON document repeats the same few keys in
	// every object, and hashing each one for the map was 2 % of a folder scan. Two ways
	// per set, the key met last first: direct-mapped, the two dozen keys of a document
	// shared slots (ts, jan, items and birth_date all one) and four in ten missed.
	recent [64][2]recentKey
}

type recentKey struct {
	key string
	i   int32
}

// maxKeys bounds the distinct keys remembered per file: JSON whose keys are data (ids as
// keys) must not grow memory with file size; later keys go without key context.
const maxKeys = 16384

func newFileKeys() *fileKeys { return &fileKeys{idx: map[string]int32{}} }

func (k *fileKeys) keyIndex(key []byte, esc escKind, sjis bool) int32 {
	var r *[2]recentKey
	if n := len(key); n > 0 {
		// The length and three bytes, mixed by one multiply; the set from the top bits.
		h := uint32(n) | uint32(key[0])<<8 | uint32(key[n-1])<<16 | uint32(key[n/2])<<24
		r = &k.recent[(h*0x9E3779B1)>>26]
		if r[0].key == string(key) {
			return r[0].i
		}
		if r[1].key == string(key) {
			return r[1].i
		}
	}
	if i, ok := k.idx[string(key)]; ok {
		if r != nil {
			r[1], r[0] = r[0], recentKey{k.names[i], i}
		}
		return i
	}
	if len(k.idx) >= maxKeys || len(key) > 256 {
		return -1
	}
	name := key
	if needsDecode(key, esc, sjis) {
		k.text, _ = decodeValue(k.text[:0], nil, key, esc, sjis)
		name = k.text
	}
	k.ctxs = append(k.ctxs, detect.KeyContext(string(name)))
	i := int32(len(k.ctxs) - 1)
	ks := string(key)
	k.idx[ks] = i
	k.names = append(k.names, ks)
	if r != nil {
		r[1], r[0] = r[0], recentKey{ks, i}
	}
	return i
}

func (k *fileKeys) snapshot() []detect.Context { return k.ctxs[:len(k.ctxs):len(k.ctxs)] }
