package scan

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/bits"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unsafe"

	"github.com/kinko-jp/kinko/internal/detect"
)

// JSONLReporter writes one JSON object per finding per line, keys in this fixed order:
// {"path","type","start","end","line","confidence","reason"}. It runs in the one goroutine
// that reports, so the parts that repeat (the path of the current file, types, reasons,
// confidences) are encoded once and reused.
type JSONLReporter struct {
	w     *bufio.Writer
	buf   []byte
	path  string
	pathJ []byte
	cache map[string][]byte // type or reason → its JSON string
	confs map[float64][]byte

	// The previous finding's confidence, and per type the previous reason: findings of a
	// type mostly share them.
	lastConf float64
	confJ    []byte
	reasons  [16]struct {
		s string
		j []byte
	}
}

// NewJSONLReporter returns a reporter writing JSON Lines to w; call Close to flush.
func NewJSONLReporter(w io.Writer) *JSONLReporter {
	return &JSONLReporter{w: bufio.NewWriterSize(w, 64<<10), cache: map[string][]byte{}, confs: map[float64][]byte{}}
}

// typeJSON holds each type name as a JSON string, by type index.
var typeJSON = func() [][]byte {
	var m [][]byte
	for _, t := range typeNames {
		m = append(m, appendJSONString(nil, string(t)))
	}
	return m
}()

// maxCached bounds the cache of encoded reasons; reasons are a small fixed set in practice.
const maxCached = 4096

func (r *JSONLReporter) cached(s string) []byte {
	if b, ok := r.cache[s]; ok {
		return b
	}
	b := appendJSONString(nil, s)
	if len(r.cache) < maxCached {
		r.cache[s] = b
	}
	return b
}

// Finding writes one line.
func (r *JSONLReporter) Finding(f *Finding) error {
	if f.Path != r.path || r.pathJ == nil {
		r.path, r.pathJ = f.Path, appendJSONString(r.pathJ[:0], f.Path)
	}
	if r.confJ == nil || f.Confidence != r.lastConf {
		conf, ok := r.confs[f.Confidence]
		if !ok {
			conf = strconv.AppendFloat(nil, f.Confidence, 'f', -1, 64)
			if len(r.confs) < maxCached {
				r.confs[f.Confidence] = conf
			}
		}
		r.lastConf, r.confJ = f.Confidence, conf
	}
	rc := &r.reasons[f.typ&15]
	if rc.j == nil || f.Reason != rc.s {
		rc.s, rc.j = f.Reason, r.cached(f.Reason)
	}
	b := append(r.buf[:0], `{"path":`...)
	b = append(b, r.pathJ...)
	b = append(b, `,"type":`...)
	if int(f.typ) < len(typeNames) && typeNames[f.typ] == f.Type {
		b = append(b, typeJSON[f.typ]...)
	} else {
		b = append(b, r.cached(string(f.Type))...)
	}
	b = append(b, `,"start":`...)
	b = strconv.AppendInt(b, f.Start, 10)
	b = append(b, `,"end":`...)
	b = strconv.AppendInt(b, f.End, 10)
	b = append(b, `,"line":`...)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = append(b, `,"confidence":`...)
	b = append(b, r.confJ...)
	b = append(b, `,"reason":`...)
	b = append(b, rc.j...)
	b = append(b, "}\n"...)
	r.buf = b
	_, err := r.w.Write(b)
	return err
}

// jsonlRender formats a batch's findings as JSON Lines in the worker that scanned it, so
// that formatting runs on every core and the one goroutine that reports only copies bytes
// (on dense customer data a finding every 30 bytes makes the output five times the input).
// Each worker has its own; the bytes are exactly what JSONLReporter.Finding writes.
type jsonlRender struct {
	path string
	// head[t] is `{"path":…,"type":…,"start":` for type index t of the current file.
	head [16][]byte
	// tails caches `,"confidence":…,"reason":…}` + newline by reason and confidence.
	// Reasons are the detector's string constants, so a pointer and a length identify
	// one without hashing it; a reason built at run time only misses the cache.
	tails [256]jsonlTail
	// last[t] is 1 + the slot in tails of the last finding of type index t (0: none).
	// The slot may have been given to another tail since: its reason and confidence
	// tell.
	last [16]uint16
	// pend is 1 + the slot of the tail of the line rendered last, not yet written (0:
	// none): it is written with the next line's head, in one copy of their join, or by
	// flush. Lines follow each other in a chunk, so a line's tail and the next line's
	// head are one copy, not two: the types and reasons of a file's findings repeat from
	// record to record, and so do these pairs.
	pend uint16
	// joins[join[p][t]] is what goes before a line of type index t when pend is p: the
	// tail in slot p-1 followed by head[t], or for p 0 head[t] alone; joins[0] is nil (not
	// made yet). The joins are the current file's, whose heads they hold, njoins of them.
	// (Indexes into one table, not a table of 4,096 slices: that was scanned by every
	// garbage collection. And no branch on pend: row 0 gives the heads.)
	join   [512][16]uint16
	joins  [maxJoins][]byte
	njoins int
	// The previous finding's line number below 10^8 (-1: none), the length of its
	// `,"line":N` and its digits as a little-endian word: a CSV record or a log line holds
	// several, and the key and the digits are written with two stores instead of a copy
	// of a length known only at run time.
	line  int
	lineN int
	lineD uint64
	// The lines rendered since the last flush: full chunks, and the chunk being filled.
	// (Fields, not appendHit's arguments and results: six words fewer to pass and store
	// for each finding.)
	out   [][]byte
	chunk []byte
}

// tailProbes is how many slots a tail may be looked for in; when all are taken the last is
// replaced.
const tailProbes = 8

type jsonlTail struct {
	reason *byte
	n      int
	conf   float64
	b      []byte
}

// maxJoins bounds the joins made for one file (a power of two, for the mask): past that
// none is made.
const maxJoins = 1024

// lineChunk is the size of the buffers rendered lines are written into: fixed, so that
// they are reused from batch to batch instead of growing (and becoming garbage) with each
// batch's findings.
const lineChunk = 256 << 10

// maxLine bounds one rendered line but for its path: three integers, the type, confidence
// and reason are short.
const maxLine = 512

// appendHits renders one line per hit of the file at path into chunks from c, appended
// to dst.
func (r *jsonlRender) appendHits(dst [][]byte, c *chunkPool, path string, hits []hit) [][]byte {
	r.setPath(path)
	r.out, r.chunk = dst, nil
	for i := range hits {
		r.appendHit(c, &hits[i])
	}
	return r.flush()
}

// flush returns the chunks rendered since the last flush, the one being filled included
// (nil if none), and forgets them.
func (r *jsonlRender) flush() [][]byte {
	r.writePending()
	if r.chunk != nil {
		r.out = append(r.out, r.chunk)
	}
	out := r.out
	r.out, r.chunk = nil, nil
	return out
}

// writePending writes the tail of the line rendered last, if not written yet. Its room in
// the chunk was made when the line was rendered.
func (r *jsonlRender) writePending() {
	if r.pend != 0 {
		r.chunk = append(r.chunk, r.tails[(r.pend-1)&255].b...)
		r.pend = 0
	}
}

// setPath makes the heads those of the file at path. No line may be pending (flush).
func (r *jsonlRender) setPath(path string) {
	r.line = -1
	if path != r.path || r.head[0] == nil {
		r.path = path
		r.join, r.njoins = [512][16]uint16{}, 1
		pj := appendJSONString(nil, path)
		for t := range typeNames {
			b := append(r.head[t][:0], `{"path":`...)
			b = append(b, pj...)
			b = append(b, `,"type":`...)
			b = append(b, typeJSON[t]...)
			r.head[t] = append(b, `,"start":`...)
			r.joins[r.njoins], r.join[0][t] = r.head[t], uint16(r.njoins)
			r.njoins++
		}
	}
}

// appendHit renders h into the chunk being filled, or into a new chunk from c when that
// one has no room for it (it then joins r.out); setPath must have been called for h's file.
func (r *jsonlRender) appendHit(c *chunkPool, h *hit) {
	r.appendFinding(c, h.typ, h.start, h.end, h.line, h.reason, h.conf)
}

// appendFinding is appendHit with the hit's fields as arguments: the worker renders each
// finding as it maps it, from the detector's Finding, without filling a hit in memory for
// this to read back.
//
// What nearly every finding takes is here, with no call but one copy (the previous line's
// tail and this line's head, joined; this line's tail waits for the next): the tail of
// the type's previous finding (a column, a key or a log field gives one reason to most
// findings of its type, and the types of a record alternate), room in the chunk, and
// offsets and a line number below 10^8 (a file under 100 MB). The rest goes to
// appendFindingSlow; with its calls in this function, the arguments and the chunk were
// stored to the stack and read back for every finding.
func (r *jsonlRender) appendFinding(c *chunkPool, typ uint8, start, end int64, line int, reason string, conf float64) {
	s := r.last[typ&15]
	l := &r.tails[(s-1)&255]
	b := r.chunk
	// The head, after the previous line's tail if pending; nil: the slow path writes them.
	head := r.joins[r.join[r.pend&511][typ&15]&(maxJoins-1)]
	if s == 0 || l.reason != unsafe.StringData(reason) || l.n != len(reason) || l.conf != conf || head == nil ||
		cap(b)-len(b) < len(head)+len(l.b)+maxLine || uint64(start) >= 1e8 || uint64(end) >= 1e8 || uint64(line) >= 1e8 {
		r.appendFindingSlow(c, typ, start, end, line, reason, conf)
		return
	}
	// The head's place is known before it is copied: the offsets and the line go after
	// it first, and the two copies (calls, around which what is live is stored and read
	// back) come last. Both offsets and the key between them take three 64-bit stores and
	// the line two, with no copy of a length known only at run time (each store may write
	// bytes past its part, which the next store or the tail overwrites). The room was
	// tested above (at most 8+7+8+16 bytes past the head, within maxLine), so the stores
	// go through word8, without a bounds check each.
	// (appendDec's eight-digit case, written out: as a function it is too large to inline.)
	n0 := len(b)
	n := n0 + len(head)
	p := unsafe.Pointer(unsafe.SliceData(b))
	x := decimal8(uint32(start))
	z := bits.TrailingZeros64((x&^0x30303030_30303030)|1<<56) &^ 7
	binary.LittleEndian.PutUint64(word8(p, n), x>>z)
	n += 8 - z>>3
	binary.LittleEndian.PutUint64(word8(p, n), endKey)
	n += len(`,"end":`)
	x = decimal8(uint32(end))
	z = bits.TrailingZeros64((x&^0x30303030_30303030)|1<<56) &^ 7
	binary.LittleEndian.PutUint64(word8(p, n), x>>z)
	n += 8 - z>>3
	if line != r.line {
		// setLine, written out (a call here had the values above stored and read back).
		x = decimal8(uint32(line))
		z = bits.TrailingZeros64((x&^0x30303030_30303030)|1<<56) &^ 7
		r.line, r.lineN, r.lineD = line, len(lineKey)+8-z>>3, x>>z
	}
	binary.LittleEndian.PutUint64(word8(p, n), lineKeyWord)
	binary.LittleEndian.PutUint64(word8(p, n+8), r.lineD)
	n += r.lineN
	w := b[:cap(b)]
	copy(w[n0:], head)
	// The tail waits for the next line's head (or flush): room for it was tested above.
	r.chunk, r.pend = w[:n], s
}

// word8 is the eight bytes at p+n, which the caller knows to be within one slice's capacity.
func word8(p unsafe.Pointer, n int) []byte {
	return (*[8]byte)(unsafe.Add(p, n))[:]
}

// lineKeyWord is lineKey as a little-endian word.
var lineKeyWord = binary.LittleEndian.Uint64([]byte(lineKey))

// setLine makes line (below 10^8) the one whose `,"line":N` lineN and lineD describe.
func (r *jsonlRender) setLine(line int) {
	x := decimal8(uint32(line))
	z := bits.TrailingZeros64((x&^0x30303030_30303030)|1<<56) &^ 7
	r.line, r.lineN, r.lineD = line, len(lineKey)+8-z>>3, x>>z
}

// lineKey is the key before a line number: eight bytes, one word.
const lineKey = `,"line":`

// appendFindingSlow is appendFinding for any finding: a tail not yet cached for its type,
// a chunk full, an offset or a line number of nine digits or more.
func (r *jsonlRender) appendFindingSlow(c *chunkPool, typ uint8, start, end int64, line int, reason string, conf float64) {
	if r.pend != 0 {
		// Written first, before tail may give its slot to another tail; and joined to
		// this head for the next time the pair comes.
		if j := &r.join[r.pend&511][typ&15]; *j == 0 && r.njoins < maxJoins {
			tail, head := r.tails[(r.pend-1)&255].b, r.head[typ&15]
			r.joins[r.njoins] = append(append(r.joins[r.njoins][:0], tail...), head...)
			*j = uint16(r.njoins)
			r.njoins++
		}
		r.writePending()
	}
	b := r.chunk
	head := r.head[typ&15]
	var tail []byte
	if s := r.last[typ&15]; s != 0 && r.tails[(s-1)&255].reason == unsafe.StringData(reason) &&
		r.tails[(s-1)&255].n == len(reason) && r.tails[(s-1)&255].conf == conf {
		tail = r.tails[(s-1)&255].b
	} else {
		var slot int
		tail, slot = r.tail(reason, conf)
		r.last[typ&15] = uint16(slot + 1)
	}
	if cap(b)-len(b) < len(head)+len(tail)+maxLine {
		if b != nil {
			r.out = append(r.out, b)
		}
		b = c.get(len(head) + len(tail) + maxLine)
	}
	b = append(b, head...)
	b = appendDec(b, start)
	b = append(b, `,"end":`...)
	b = appendDec(b, end)
	if uint64(line) < 1e8 {
		if line != r.line {
			r.setLine(line)
		}
		n := len(b)
		w := b[:cap(b)]
		binary.LittleEndian.PutUint64(w[n:n+8], lineKeyWord)
		binary.LittleEndian.PutUint64(w[n+8:n+16], r.lineD)
		b = w[:n+r.lineN]
	} else {
		b = append(b, lineKey...)
		b = appendDec(b, int64(line))
	}
	r.chunk = append(b, tail...)
}

// endKey is `,"end":` (and one byte more, written over) as a little-endian word.
var endKey = binary.LittleEndian.Uint64([]byte(`,"end":_`))

// appendDec appends v in decimal, exactly as strconv.AppendInt(b, v, 10). Offsets are most
// of what a worker formats (two or three per finding, tens of millions on a dense folder):
// strconv formats into a buffer of its own and copies it over with a memmove call, while
// this writes the digits in place, two at a time, when b has room (appendHits makes sure).
func appendDec(b []byte, v int64) []byte {
	if v < 0 {
		return strconv.AppendInt(b, v, 10)
	}
	u := uint64(v)
	l := len(b)
	if u < 1e8 && cap(b)-l >= 8 {
		// Up to eight digits (every offset in a file under 100 MB, every line number) in
		// one 64-bit store, computed for all eight at once. The leading zeros are the low
		// bytes that hold '0' (a bit set in the last byte keeps one digit for 0); they
		// are shifted out, and the bytes stored past the number are within the room.
		x := decimal8(uint32(u))
		z := bits.TrailingZeros64((x&^0x30303030_30303030)|1<<56) &^ 7
		binary.LittleEndian.PutUint64(b[l:l+8], x>>z)
		return b[:l+8-z>>3]
	}
	// The digit count from the bit length (1233/4096 ≈ log10 2), corrected by one compare.
	t := bits.Len64(u) * 1233 >> 12
	n := t
	if u >= pow10[t] {
		n++
	}
	n = max(n, 1)
	if cap(b)-l < n {
		return strconv.AppendUint(b, u, 10)
	}
	b = b[:l+n]
	d := b[l:]
	i := n
	// Four digits per step, as two pairs stored in one 32-bit write: the two halves do not
	// wait on each other, and an offset of eight digits takes two steps.
	for u >= 10000 {
		q := u / 10000
		r := u - q*10000
		hi := r / 100
		i -= 4
		binary.LittleEndian.PutUint32(d[i:], uint32(digitPairs16[hi])|uint32(digitPairs16[r-hi*100])<<16)
		u = q
	}
	if u >= 100 {
		q := u / 100
		i -= 2
		binary.LittleEndian.PutUint16(d[i:], digitPairs16[u-q*100])
		u = q
	}
	if u >= 10 {
		binary.LittleEndian.PutUint16(d, digitPairs16[u])
	} else {
		d[0] = byte('0' + u)
	}
	return b
}

// decimal8 returns the eight decimal digits of v < 10^8, leading zeros included, as ASCII
// in a little-endian word (the first digit in the low byte). The digits are split in
// lanes: v into two four-digit halves in 32-bit lanes, each into two pairs in 16-bit lanes,
// each pair into two digits in bytes. Each division is a multiply and a shift by
// constants exact for the lane's range (10486/2^20 for x/100 when x < 10^4, 103/2^10 for
// x/10 when x < 100), and no lane's product reaches the next lane.
func decimal8(v uint32) uint64 {
	hi := v / 10000
	x := uint64(hi) | uint64(v-hi*10000)<<32
	q := x * 10486 >> 20 & 0x0000007F_0000007F
	x = q | (x-q*100)<<16
	q = x * 103 >> 10 & 0x000F_000F_000F_000F
	x = q | (x-q*10)<<8
	return x | 0x30303030_30303030
}

// digitPairs16[n] is the two digits of n < 100 as a little-endian 16-bit word.
var digitPairs16 = func() (t [100]uint16) {
	for n := range t {
		t[n] = uint16(digitPairs[2*n]) | uint16(digitPairs[2*n+1])<<8
	}
	return t
}()

// pow10[n] is 10^n: a number below pow10[n] has at most n digits.
var pow10 = [...]uint64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12,
	1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19}

const digitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879" +
	"8081828384858687888990919293949596979899"

// chunkPool keeps lineChunk buffers for rendered lines. Unlike a sync.Pool it is not
// emptied by each garbage collection, which under the scan's tight heap limit runs often.
type chunkPool struct {
	mu   sync.Mutex
	free [][]byte
}

// maxFreeChunks bounds the buffers kept (16 MiB).
const maxFreeChunks = 64

func (c *chunkPool) get(min int) []byte {
	if min > lineChunk {
		return make([]byte, 0, min) // a very long path; not kept
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.free); n > 0 {
		b := c.free[n-1]
		c.free = c.free[:n-1]
		return b
	}
	return make([]byte, 0, lineChunk)
}

func (c *chunkPool) put(bs [][]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, b := range bs {
		if cap(b) == lineChunk && len(c.free) < maxFreeChunks {
			c.free = append(c.free, b[:0])
		}
	}
}

func (r *jsonlRender) tail(reason string, conf float64) ([]byte, int) {
	p := unsafe.StringData(reason)
	// Open addressing over a few slots: reasons are constants laid out next to each other,
	// and with one slot per hash two frequent tails that collided (which depends on where
	// the linker put their strings) were rendered again on every finding.
	h := (uint64(uintptr(unsafe.Pointer(p))) ^ uint64(len(reason))<<48 ^ math.Float64bits(conf)) * 0x9E3779B97F4A7C15
	i := int(h >> (64 - 8))
	var t *jsonlTail
	slot := 0
	for n := 0; n < tailProbes; n++ {
		slot = (i + n) & (len(r.tails) - 1)
		t = &r.tails[slot]
		if t.b == nil {
			break
		}
		if t.reason == p && t.n == len(reason) && t.conf == conf {
			return t.b, slot
		}
	}
	// The slot's bytes are written over (last still names the slot, but its reason and
	// confidence are the new tail's) and its joins are dropped.
	r.join[slot+1] = [16]uint16{}
	b := append(t.b[:0], `,"confidence":`...)
	b = strconv.AppendFloat(b, conf, 'f', -1, 64)
	b = append(b, `,"reason":`...)
	b = appendJSONString(b, reason)
	b = append(b, "}\n"...)
	*t = jsonlTail{reason: p, n: len(reason), conf: conf, b: b}
	return b, slot
}

// writeLines writes lines rendered by a jsonlRender.
func (r *JSONLReporter) writeLines(chunks [][]byte) error {
	for _, p := range chunks {
		if _, err := r.w.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// FileDone does nothing: JSON Lines carries findings only.
func (r *JSONLReporter) FileDone(*FileResult) error { return nil }

// Close flushes the output.
func (r *JSONLReporter) Close() error { return r.w.Flush() }

// appendJSONString appends s as a JSON string; invalid UTF-8 in a file name becomes U+FFFD.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	s = strings.ToValidUTF8(s, "\uFFFD")
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b = append(b, '\\', c)
		case c < 0x20:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// TextReporter writes a readable summary: per file, the counts per type and the first few
// findings with line and masked preview; at the end, the totals per type.
type TextReporter struct {
	w        *bufio.Writer
	perFile  int
	shown    int
	cur      string
	files    int
	withHits int
	skipped  int
	errors   int
	totals   map[detect.Type]int
	bytes    int64
	redacted int
}

// textPerFile is how many findings of a file the text output lists before "… and N more".
const textPerFile = 10

// NewTextReporter returns a reporter writing text to w; call Close to write the totals.
func NewTextReporter(w io.Writer) *TextReporter {
	return &TextReporter{w: bufio.NewWriter(w), perFile: textPerFile, totals: map[detect.Type]int{}}
}

// Finding lists a finding if the file has not listed too many yet.
func (r *TextReporter) Finding(f *Finding) error {
	if f.Path != r.cur {
		r.cur, r.shown = f.Path, 0
		fmt.Fprintf(r.w, "%s\n", safeText(f.Path))
	}
	r.shown++
	if r.shown <= r.perFile {
		preview := f.Preview
		if preview == "" {
			preview = "(masked)"
		}
		fmt.Fprintf(r.w, "  line %-7d %-12s %-28s %.2f %s\n", f.Line, f.Type, preview, f.Confidence, safeText(f.Reason))
	}
	return nil
}

// FileDone writes the file's counts per type.
func (r *TextReporter) FileDone(res *FileResult) error {
	switch {
	case res.Err != nil:
		r.errors++
		return nil
	case res.Skipped != "":
		r.skipped++
		return nil
	}
	r.files++
	r.bytes += res.Bytes
	if res.Redacted != "" {
		r.redacted++
	}
	if res.Findings == 0 {
		return nil
	}
	r.withHits++
	if r.shown > r.perFile {
		fmt.Fprintf(r.w, "  … and %d more\n", r.shown-r.perFile)
	}
	fmt.Fprintf(r.w, "  %d finding(s) [%s, %s]: %s\n", res.Findings, res.Format, res.Encoding, countsLine(res.Counts))
	if res.Redacted != "" {
		fmt.Fprintf(r.w, "  redacted copy: %s\n", safeText(res.Redacted))
	}
	fmt.Fprintln(r.w)
	for t, n := range res.Counts {
		r.totals[t] += n
	}
	r.cur = ""
	return r.w.Flush()
}

func countsLine(c map[detect.Type]int) string {
	var parts []string
	for _, t := range detect.AllTypes() {
		if n := c[t]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

// Close writes the totals.
func (r *TextReporter) Close() error {
	total := 0
	for _, n := range r.totals {
		total += n
	}
	fmt.Fprintf(r.w, "%d file(s) scanned (%s), %d with findings, %d finding(s)", r.files, humanBytes(r.bytes), r.withHits, total)
	if r.skipped > 0 {
		fmt.Fprintf(r.w, ", %d skipped", r.skipped)
	}
	if r.errors > 0 {
		fmt.Fprintf(r.w, ", %d error(s)", r.errors)
	}
	if r.redacted > 0 {
		fmt.Fprintf(r.w, ", %d redacted cop(ies) written", r.redacted)
	}
	fmt.Fprintln(r.w)
	for _, t := range detect.AllTypes() {
		if n := r.totals[t]; n > 0 {
			fmt.Fprintf(r.w, "  %-12s %d\n", t, n)
		}
	}
	return r.w.Flush()
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// safeText keeps control characters (a file name with an escape sequence) off the terminal.
func safeText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
}

// SARIFReporter writes SARIF 2.1.0 for GitHub code scanning: one rule per type, one result
// per finding with its byte region and start line. Results are streamed, so a scan with many
// findings does not hold them in memory.
type SARIFReporter struct {
	w       *bufio.Writer
	types   []detect.Type
	version string
	n       int
	started bool
}

// NewSARIFReporter returns a reporter for the given types (all when nil); call Close to end
// the document.
func NewSARIFReporter(w io.Writer, types []detect.Type, version string) *SARIFReporter {
	if len(types) == 0 {
		types = detect.AllTypes()
	}
	return &SARIFReporter{w: bufio.NewWriterSize(w, 64<<10), types: types, version: version}
}

// typeText names each type for SARIF: its rule name, title and description.
var typeText = map[detect.Type][3]string{
	detect.CardNumber: {"CardNumber", "Card number", "A payment card number (Luhn and issuer range valid). Card numbers must never be stored outside the payment provider (PCI DSS)."},
	detect.MyNumber:   {"MyNumber", "My Number", "A 12-digit 個人番号 with a valid check digit. Its handling is restricted by the My Number Act."},
	detect.Email:      {"EmailAddress", "Email address", "A customer's email address."},
	detect.Phone:      {"PhoneNumber", "Phone number", "A Japanese fixed, mobile or +81 phone number."},
	detect.PostalCode: {"PostalCode", "Postal code", "A Japanese postal code (〒)."},
	detect.Address:    {"Address", "Address", "A Japanese address: prefecture, municipality and the rest."},
	detect.BirthDate:  {"BirthDate", "Birth date", "A date of birth (西暦 or 和暦)."},
	detect.PersonName: {"PersonName", "Person name", "A person's name in kanji or kana."},
}

func (r *SARIFReporter) start() error {
	r.started = true
	type text struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID               string            `json:"id"`
		Name             string            `json:"name"`
		ShortDescription text              `json:"shortDescription"`
		FullDescription  text              `json:"fullDescription"`
		Help             text              `json:"help"`
		DefaultConfig    map[string]string `json:"defaultConfiguration"`
		Properties       map[string]any    `json:"properties"`
	}
	rules := make([]rule, 0, len(r.types))
	for _, t := range r.types {
		d := typeText[t]
		if d[0] == "" {
			d = [3]string{string(t), string(t), string(t)}
		}
		// security-severity is the score GitHub shows as critical/high/medium: a card number or
		// My Number in a file is a reportable incident, other personal data a serious one.
		level, severity := "warning", "6.5"
		if t == detect.CardNumber || t == detect.MyNumber {
			level, severity = "error", "9.0"
		}
		rules = append(rules, rule{
			ID: string(t), Name: d[0],
			ShortDescription: text{d[1] + " in a file"}, FullDescription: text{d[2]},
			Help:          text{d[2] + " Remove it, or keep it in the kinko vault instead of a file; `kinko scan --redact` writes a masked copy."},
			DefaultConfig: map[string]string{"level": level},
			Properties:    map[string]any{"tags": []string{"security", "privacy"}, "precision": "high", "security-severity": severity},
		})
	}
	rj, err := json.Marshal(rules)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.w, `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":{"name":"kinko","semanticVersion":%s,"informationUri":"https://github.com/kinko-jp/kinko","rules":%s}},"columnKind":"unicodeCodePoints","results":[`,
		appendJSONString(nil, semver(r.version)), rj)
	return nil
}

// semver makes the build version acceptable as SARIF's semanticVersion.
func semver(v string) string {
	if v == "" || v == "dev" {
		return "0.0.0-dev"
	}
	return strings.TrimPrefix(v, "v")
}

// Finding writes one result. The message names the type and the validator, never the value.
func (r *SARIFReporter) Finding(f *Finding) error {
	if !r.started {
		if err := r.start(); err != nil {
			return err
		}
	}
	idx := 0
	for i, t := range r.types {
		if t == f.Type {
			idx = i
		}
	}
	level := "warning"
	if f.Type == detect.CardNumber || f.Type == detect.MyNumber {
		level = "error"
	}
	name := typeText[f.Type][1]
	if name == "" {
		name = string(f.Type)
	}
	msg := fmt.Sprintf("%s found (%s, confidence %s); the value is not shown", name, f.Reason, strconv.FormatFloat(f.Confidence, 'f', -1, 64))
	if strings.HasSuffix(strings.ToLower(f.Path), ".gz") {
		msg += "; the region is in the decompressed content"
	}
	if r.n > 0 {
		r.w.WriteByte(',')
	}
	r.n++
	b := []byte(`{"ruleId":`)
	b = appendJSONString(b, string(f.Type))
	b = append(b, `,"ruleIndex":`...)
	b = strconv.AppendInt(b, int64(idx), 10)
	b = append(b, `,"level":"`...)
	b = append(b, level...)
	b = append(b, `","message":{"text":`...)
	b = appendJSONString(b, msg)
	b = append(b, `},"locations":[{"physicalLocation":{"artifactLocation":{"uri":`...)
	b = appendJSONString(b, sarifURI(f.Path))
	b = append(b, `},"region":{"startLine":`...)
	b = strconv.AppendInt(b, int64(f.Line), 10)
	b = append(b, `,"byteOffset":`...)
	b = strconv.AppendInt(b, f.Start, 10)
	b = append(b, `,"byteLength":`...)
	b = strconv.AppendInt(b, f.End-f.Start, 10)
	b = append(b, `}}}],"partialFingerprints":{"kinkoFinding/v1":`...)
	// The fingerprint names where and what, never the value: a hash of a card number would
	// be reversible by trying all numbers.
	b = appendJSONString(b, fmt.Sprintf("%s:%s:%d", sarifURI(f.Path), f.Type, f.Start))
	b = append(b, `}}`...)
	_, err := r.w.Write(b)
	return err
}

// FileDone does nothing: SARIF lists results only.
func (r *SARIFReporter) FileDone(*FileResult) error { return nil }

// Close ends the document.
func (r *SARIFReporter) Close() error {
	if !r.started {
		if err := r.start(); err != nil {
			return err
		}
	}
	r.w.WriteString("]}]}\n")
	return r.w.Flush()
}

// sarifURI turns a path into a relative URI reference (as GitHub expects for files in the
// repository) or a file:// URI for an absolute path, percent-encoding what URIs do not allow.
func sarifURI(p string) string {
	p = filepath.ToSlash(p)
	abs := strings.HasPrefix(p, "/")
	p = strings.TrimPrefix(p, "./")
	u := (&url.URL{Path: p}).EscapedPath()
	if abs {
		return "file://" + u
	}
	return u
}
