package scan

import (
	"bytes"
	"encoding/binary"

	"github.com/kinko-jp/kinko/internal/detect"
)

// worker decodes the values of a batch, runs the detector on them and maps the findings back
// to file offsets. Its buffers are reused from batch to batch.
type worker struct {
	s      *Scanner
	fs     []detect.Finding
	text   []byte
	m      []int32
	vals   []value
	keys   *fileKeys // for JSON lines, whose keys are parsed here
	lex    jsonLexer
	zero   detect.Context
	hits   []hit
	prevs  []string
	redBuf []byte
	render jsonlRender
	// direct rendering (see process; the rendered chunks are render's): the line count up
	// to lineAt, the first newline at or after lineAt (len(b.buf): none), and the batch's
	// counts by type.
	direct bool
	lineAt int
	line   int
	nextNL int
	counts *[16]int32
	// kcache remembers the classes of the inline keys this worker's values held.
	kcache detect.KeyCache
	// quiet[col&255] says whether to ask Engine.Quiet about the column's next value (0)
	// or how many more values to scan directly (-n); see scanValues.
	quiet [256]int8
	// quietDigits[col&255] is the column's last quiet value that was all ASCII digits: its
	// context and length. Engine.Quiet's answer for such a value depends on nothing else,
	// so a value of as many digits under the same context is quiet without asking.
	quietDigits [256]quietRun
	// line1 holds a log line for scanValues.
	line1 [1]value
}

type quietRun struct {
	ctx *detect.Context
	n   int
}

// quietBackoff is how many values of a column that held a trigger are scanned without
// asking Engine.Quiet first.
const quietBackoff = 64

func (s *Scanner) newWorker() *worker { return &worker{s: s, keys: newFileKeys()} }

func (w *worker) process(b *batch) {
	w.hits, w.prevs = w.hits[:0], w.prevs[:0]
	// With the JSON Lines reporter (and no redacted copy, which needs the findings' spans),
	// each finding is rendered as it is found, its line counted then: no list of findings
	// is built and read back.
	w.direct = w.s.lines != nil && !w.s.opts.Redact
	if w.direct {
		w.render.setPath(b.file.path)
		w.lineAt, w.line, w.nextNL = 0, b.line, nextNewline(b.buf, 0)
		w.render.out, w.render.chunk, w.counts = nil, nil, &b.counts
	}
	switch b.mode {
	case modeValues:
		w.scanValues(b, b.vals, b.ctxs, true)
	case modeCSV:
		w.vals = appendCSVFields(w.vals[:0], b.buf, b.skip, b.delim)
		w.scanValues(b, w.vals, b.ctxs, true)
	case modeLines:
		w.scanLines(b)
	}
	if w.direct {
		if out := w.render.flush(); out != nil {
			b.lines = out
			n := 0
			for _, c := range b.lines {
				n += cap(c)
			}
			w.s.budget.add(n)
			b.weight += n
		}
		w.counts = nil
		return
	}
	w.setLines(b)
	if w.s.lines != nil && len(w.hits) > 0 {
		b.lines = w.render.appendHits(nil, &w.s.chunks, b.file.path, w.hits)
		n := 0
		for _, c := range b.lines {
			n += cap(c)
		}
		w.s.budget.add(n)
		b.weight += n
		for i := range w.hits {
			b.counts[w.hits[i].typ&15]++
		}
	} else if len(w.hits) > 0 {
		var out []hit
		if p, ok := w.s.hits.Get().(*[]hit); ok {
			out = *p
		}
		b.hits = append(out[:0], w.hits...)
		if len(w.prevs) > 0 {
			b.previews = append([]string(nil), w.prevs...)
		}
	}
	if w.s.opts.Redact {
		b.redacted = w.redact(b)
	}
}

// scanLines scans each line of a text or log batch. A line that is a JSON object (JSON Lines,
// structured application logs) is parsed so that its keys give context; any other line goes to
// the detector whole with a zero Context and the engine finds inline "key=value" itself.
func (w *worker) scanLines(b *batch) {
	buf := b.buf
	if len(w.keys.idx) >= maxKeys {
		w.keys = newFileKeys() // a worker's key cache is only a cache; start over when full
	}
	for i := 0; i < len(buf); {
		e := bytes.IndexByte(buf[i:], '\n')
		if e < 0 {
			e = len(buf)
		} else {
			e += i
		}
		s, t := i, e
		for s < t && (buf[s] == ' ' || buf[s] == '\t') {
			s++
		}
		for t > s && (buf[t-1] == '\r' || buf[t-1] == ' ' || buf[t-1] == '\t') {
			t--
		}
		if t-s >= 2 && buf[s] == '{' && buf[t-1] == '}' {
			// A fresh lexer per line, keeping its buffers.
			w.lex = jsonLexer{sjis: b.sjis, keys: w.keys, pendingKey: -1, pos: s,
				stack: w.lex.stack[:0], pendingName: w.lex.pendingName[:0], path: w.lex.path[:0]}
			w.vals = w.lex.parse(w.vals[:0], buf[:t], true)
			w.scanValues(b, w.vals, w.keys.ctxs, true)
		} else if t > s {
			w.line1[0] = value{start: int32(s), end: int32(t)}
			w.scanValues(b, w.line1[:], nil, false)
		}
		i = e + 1
	}
}

// scanValues runs the detector on each value of vals (b.buf[v.start:v.end], in the context
// ctxs[v.col], if any) and records the findings in file offsets. quiet says whether to ask
// Engine.Quiet first as the column's memory says (not for a log line). One loop with the
// work for a value in it, not a call per value: the call's arguments were stored and read
// back around the detector's calls for each of 1.3 million values of a 30 MB corpus.
func (w *worker) scanValues(b *batch, vals []value, ctxs []detect.Context, quiet bool) {
values:
	for _, v := range vals {
		start, end, esc := int(v.start), int(v.end), v.esc
		ctx := &w.zero
		if v.col >= 0 && int(v.col) < len(ctxs) {
			ctx = &ctxs[v.col]
		}
		raw := b.buf[start:end]
		text := raw
		var m []int32
		// Most values (unquoted CSV fields, log lines) are plain UTF-8 with no escapes:
		// needsDecode has nothing to look for in them.
		if (esc != escNone || b.sjis) && needsDecode(raw, esc, b.sjis) {
			w.text, w.m = decodeValue(w.text[:0], w.m[:0], raw, esc, b.sjis)
			text, m = w.text, w.m
		}
		// A column whose values were quiet (ids, prices, codes) is asked first whether this
		// one is: most are, and a quiet value needs no Scan. One that was not is scanned
		// directly for its next quietBackoff values, so a column of names or phone numbers
		// pays the question once in a while only.
		if quiet {
			q := &w.quiet[uint8(v.col)]
			if *q >= 0 {
				qd := &w.quietDigits[uint8(v.col)]
				if qd.ctx == ctx && qd.n == len(text) && allDigits(text) {
					continue values
				}
				if w.s.engine.Quiet(text, ctx) {
					if allDigits(text) {
						qd.ctx, qd.n = ctx, len(text)
					}
					continue values
				}
				*q = -quietBackoff
			} else {
				*q++
			}
		}
		w.fs = w.s.engine.ScanCached(w.fs[:0], text, ctx, &w.kcache)
		for k := range w.fs {
			f := &w.fs[k] // not copied: most of its fields are read once
			fs, fe := f.Start, f.End
			if uint(fs) > uint(fe) || uint(fe) > uint(len(text)) {
				// Clamp: a detector bug must not turn into offsets outside the file. (Tested
				// first in one pair of compares: a finding within its text, always, needs none.)
				fs, fe = min(max(fs, 0), len(text)), min(max(fe, 0), len(text))
				if fe < fs {
					fs, fe = fe, fs
				}
			}
			rs, re := fs, fe
			if m != nil {
				rs, re = int(m[fs]), int(m[fe])
			}
			if re <= rs {
				continue
			}
			typ := typeIndex(f.Type)
			if !w.direct {
				w.hits = append(w.hits, hit{start: b.base + int64(start+rs), end: b.base + int64(start+re),
					reason: f.Reason, conf: f.Confidence, typ: typ, esc: esc})
			} else {
				// Lines counted forward, findings being in offset order: the next newline is
				// kept, so a finding on the line of the one before (most of them: a CSV record, a
				// log line or a JSON object holds several) costs one compare, and each newline is
				// searched for once.
				if off := start + rs; off > w.lineAt {
					for w.nextNL < off {
						w.line++
						w.nextNL = nextNewline(b.buf, w.nextNL+1)
					}
					w.lineAt = off
				}
				// Rendered from the finding and its offsets as arguments: a hit filled here
				// was stored field by field and read back.
				w.render.appendFinding(&w.s.chunks, typ, b.base+int64(start+rs), b.base+int64(start+re), w.line, f.Reason, f.Confidence)
				w.counts[typ&15]++
			}
			if w.s.opts.Preview {
				w.prevs = append(w.prevs, maskPreview(text[fs:fe], f.Type == detect.CardNumber))
			}
		}
	}
}

// setLines fills in line numbers, counting newlines forward from the batch start; findings
// are in offset order, so the whole batch is counted once.
func (w *worker) setLines(b *batch) {
	line, at := b.line, 0
	for i := range w.hits {
		off := int(w.hits[i].start - b.base)
		if off > at {
			line += bytes.Count(b.buf[at:off], []byte{'\n'})
			at = off
		}
		w.hits[i].line = line
	}
}

// redact returns the batch's bytes with every finding masked in the file's own encoding.
func (w *worker) redact(b *batch) []byte {
	if len(w.hits) == 0 {
		return nil // the consumer writes b.buf as it is
	}
	out := w.redBuf[:0]
	at := 0
	for _, f := range w.hits {
		s, e := int(f.start-b.base), int(f.end-b.base)
		if s < at {
			continue
		}
		out = append(out, b.buf[at:s]...)
		out = appendRedacted(out, b.buf[s:e], f.esc, b.sjis)
		at = e
	}
	out = append(out, b.buf[at:]...)
	w.redBuf = nil // handed to the consumer; the next batch gets a new buffer
	return out
}

// allDigits reports whether b is ASCII digits only (and not empty), eight bytes at a time.
func allDigits(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i <= len(b)-8; i += 8 {
		// Each byte minus '0' below 10: no byte of x-'0' borrows or reaches 10.
		x := binary.LittleEndian.Uint64(b[i : i+8])
		if (x|(x+0x4646464646464646)|(x-0x3030303030303030))&highs != 0 {
			return false
		}
	}
	for ; i < len(b); i++ {
		if b[i]-'0' >= 10 {
			return false
		}
	}
	return len(b) > 0
}

// nextNewline returns the offset of the first newline in buf at or after i, or len(buf).
func nextNewline(buf []byte, i int) int {
	if j := bytes.IndexByte(buf[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(buf)
}
