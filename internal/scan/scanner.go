package scan

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/klauspost/compress/gzip"
)

// Options configures a Scanner.
type Options struct {
	Types   []detect.Type // nil: every type
	Redact  bool          // write NAME.redacted next to each file
	Exclude []string      // glob patterns: a file or folder whose name or path under the folder given matches is not scanned
	Jobs    int           // workers; 0 means GOMAXPROCS
	Preview bool          // fill Finding.Preview with a masked preview
	// MaxRecord caps the bytes of one line, CSV record or JSON/SQL token held in memory; a
	// longer one is scanned in pieces, with a warning. 0 means DefaultMaxRecord.
	MaxRecord int
	// Notice receives skipped files, warnings and per-file errors, in file order. Messages
	// never contain file content.
	Notice func(Notice)
}

// DefaultMaxRecord is the longest line, CSV record or single JSON/SQL string read whole.
// mysqldump writes INSERT lines of about 1 MiB by default (net_buffer_length), JSON and SQL
// are cut between tokens anyway, and a longer cap costs memory twice (the batch being scanned
// and the one being read): 4 MiB keeps the worst case well under the 64 MB budget.
const DefaultMaxRecord = 4 << 20

// blockSize is how much of a file one batch holds: big enough that hand-off costs nothing
// next to detection (a few µs per 256 KiB that takes about 2 ms to scan), small enough that
// a few batches in flight per worker stay a few MB — with their findings as JSON Lines,
// which on dense customer data are five times the batch.
const blockSize = 256 << 10

// NoticeKind says what a Notice is about.
type NoticeKind int

// Kinds of notices.
const (
	NoticeSkip NoticeKind = iota
	NoticeWarning
	NoticeError
)

// Notice is something to tell the user about a file.
type Notice struct {
	Path string
	Kind NoticeKind
	Msg  string
}

// Finding is one detected value in a file. The value itself is not part of it.
type Finding struct {
	Path       string
	Type       detect.Type
	Start, End int64 // byte offsets into the file (the decompressed stream of a .gz)
	Line       int   // 1-based line of Start
	Confidence float64
	Reason     string
	Preview    string // masked, e.g. "4111 **** **** 1111"; empty unless Options.Preview

	typ uint8 // index of Type in typeNames, for reporters
}

// hit is a finding on its way from a worker to the consumer: compact, since a batch of dense
// customer data carries tens of thousands of them and they count against the memory budget.
type hit struct {
	start, end int64
	reason     string
	conf       float64
	line       int
	typ        uint8   // index into typeNames
	esc        escKind // how the value is escaped in the file, for redaction
}

// typeNames are the detector's types; a hit stores an index into it.
var typeNames = detect.AllTypes()

func typeIndex(t detect.Type) uint8 {
	// A table load and one compare against the constant it names (a finding's Type is
	// one of the detector's constants): a loop over typeNames compared up to eight
	// strings, and a switch on the letters mispredicted as the types of a record alternate.
	if len(t) >= 2 {
		// The constant's bytes are the name's (one string in the binary): equal
		// pointers spare the byte compare, a runtime call.
		if k := typeSlot[(len(t)+int(t[1]))&31]; len(typeNames[k]) == len(t) &&
			(unsafe.StringData(string(typeNames[k])) == unsafe.StringData(string(t)) || typeNames[k] == t) {
			return k
		}
	}
	for i, n := range typeNames {
		if n == t {
			return uint8(i)
		}
	}
	return 0 // unreachable: the engine only returns its own types
}

// typeSlot[(len(t)+t[1])&31] is the index of type t in typeNames: the eight names give
// eight different slots (TestTypeIndex), and a name that did not would take the loop.
var typeSlot = func() (s [32]uint8) {
	for i, n := range typeNames {
		s[(len(n)+int(n[1]))&31] = uint8(i)
	}
	return s
}()

// FileResult summarises one file.
type FileResult struct {
	Path     string
	Format   Format
	Encoding Encoding
	Bytes    int64
	Counts   map[detect.Type]int
	Findings int
	Skipped  string // why the file was not scanned, if it was not
	Err      error
	Redacted string // path of the redacted copy, if one was written
}

// Reporter receives results in order: the findings of a file by offset, then its FileResult.
type Reporter interface {
	Finding(f *Finding) error
	FileDone(r *FileResult) error
}

// Stats are running totals, safe to read while a scan runs (for a progress line).
type Stats struct {
	Files, Bytes, Findings, Errors atomic.Int64
}

// Scanner scans files and folders. One Scanner runs one scan at a time.
type Scanner struct {
	opts   Options
	engine *detect.Engine
	Stats  Stats
	bufs   sync.Pool
	hits   sync.Pool
	vals   sync.Pool
	chunks chunkPool
	budget byteBudget
	// lines is the reporter when it is a JSONLReporter: the workers then format the
	// findings (see jsonlRender) and the consumer writes their bytes.
	lines *JSONLReporter
}

// inflightBytes bounds the bytes of all batches between the producer and the consumer. The
// batch count alone does not bound memory when records are long (a log of 6 MiB lines makes
// 6 MiB batches); a batch is weighed at twice its size for the findings and redacted copy
// that travel with it.
const inflightBytes = 24 << 20

// byteBudget is a counting semaphore over bytes; one batch bigger than the whole budget may
// still pass alone, so a long record never deadlocks the scan.
type byteBudget struct {
	mu   sync.Mutex
	cond *sync.Cond
	used int
}

func (b *byteBudget) acquire(n int) {
	b.mu.Lock()
	if b.cond == nil {
		b.cond = sync.NewCond(&b.mu)
	}
	for b.used > 0 && b.used+n > inflightBytes {
		b.cond.Wait()
	}
	b.used += n
	b.mu.Unlock()
}

// add takes n more bytes without waiting: a worker's output, known only once the batch is
// scanned. A worker must never wait on the consumer (which may be waiting for that very
// batch); the producer, which does wait, is held back instead.
func (b *byteBudget) add(n int) {
	b.mu.Lock()
	b.used += n
	b.mu.Unlock()
}

func (b *byteBudget) release(n int) {
	b.mu.Lock()
	b.used -= n
	if b.cond != nil {
		b.cond.Broadcast()
	}
	b.mu.Unlock()
}

// New returns a Scanner.
func New(opts Options) *Scanner {
	if opts.Jobs <= 0 {
		opts.Jobs = runtime.GOMAXPROCS(0)
	}
	if opts.MaxRecord <= 0 {
		opts.MaxRecord = DefaultMaxRecord
	}
	if opts.MaxRecord < blockSize {
		opts.MaxRecord = blockSize
	}
	if opts.Notice == nil {
		opts.Notice = func(Notice) {}
	}
	return &Scanner{opts: opts, engine: detect.New(opts.Types)}
}

// batch is a piece of one file, cut where its format allows, travelling from the producer
// through a worker to the consumer.
type batch struct {
	file  *fileState
	base  int64 // file offset of buf[0]
	line  int   // line number of buf[0]
	buf   []byte
	skip  int // bytes at the start that are not data (a CSV header)
	mode  batchMode
	delim byte
	sjis  bool
	vals  []value
	ctxs  []detect.Context // contexts the values' col fields index
	last  bool             // the file's final batch
	warn  string
	done  chan struct{}
	// weight is what the batch holds of the in-flight byte budget.
	weight int

	hits     []hit
	previews []string // masked previews, parallel to hits, when Options.Preview
	redacted []byte
	// With a JSONLReporter: the findings as JSON Lines, and their count by type index,
	// instead of hits.
	lines  [][]byte
	counts [16]int32
}

type batchMode uint8

const (
	modeNone   batchMode = iota // no data (a skipped file or an error)
	modeValues                  // values found by the producer (JSON, SQL)
	modeLines                   // text and logs: every line; lines that are JSON objects are parsed as JSON
	modeCSV                     // CSV/TSV records; contexts are the header's
)

// value is one piece of a batch for the detector.
type value struct {
	start, end int32
	col        int32 // index into the contexts; -1: no key (zero Context)
	esc        escKind
}

// fileState is one file's progress. The producer fills it before sending the file's first
// batch and sets err before its last; the consumer owns the rest.
type fileState struct {
	path   string // as reported: as given, or joined under the folder given
	format Format
	enc    Encoding
	gz     bool
	mode   fs.FileMode
	err    error
	skip   string

	// consumer only
	counts   map[detect.Type]int
	byType   [16]int // counts by type index while the file is read; typeNames has 8
	findings int
	bytes    int64
	red      *redactWriter
	redErr   error
}

// Run scans the given paths and reports to rep. It returns an error only for what stops the
// whole scan (a reporter failing, ctx cancelled); problems with single files are Notices and
// count in Stats.Errors.
func (s *Scanner) Run(ctx context.Context, paths []string, rep Reporter) error {
	// At most about Jobs+3 batches are alive at once (queued, being scanned, being reported,
	// being read): enough to keep every worker busy, few enough for the memory budget.
	s.lines = nil
	if jr, ok := rep.(*JSONLReporter); ok && !s.opts.Preview {
		s.lines = jr
	}
	jobs := make(chan *batch, s.opts.Jobs)
	order := make(chan *batch, s.opts.Jobs+1)
	var wg sync.WaitGroup
	for range s.opts.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := s.newWorker()
			for b := range jobs {
				w.process(b)
				close(b.done)
			}
		}()
	}
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() {
		defer close(order)
		defer close(jobs)
		s.walk(pctx, paths, jobs, order)
	}()
	var repErr error
	for b := range order {
		if b.done != nil {
			<-b.done
		}
		if repErr == nil {
			if repErr = s.consume(b, rep); repErr != nil {
				stop()
			}
		}
		s.putBuf(b.buf)
		s.budget.release(b.weight)
		if b.hits != nil {
			h := b.hits[:0]
			s.hits.Put(&h)
		}
		if b.vals != nil {
			v := b.vals[:0]
			s.vals.Put(&v)
		}
		if b.lines != nil {
			s.chunks.put(b.lines)
		}
	}
	wg.Wait()
	if repErr != nil {
		return repErr
	}
	return ctx.Err()
}

func (s *Scanner) getBuf() []byte {
	if p, ok := s.bufs.Get().(*[]byte); ok {
		return (*p)[:0]
	}
	return make([]byte, 0, blockSize+blockSize/4)
}

func (s *Scanner) putBuf(b []byte) {
	if cap(b) >= blockSize && cap(b) <= 2*blockSize {
		b = b[:0]
		s.bufs.Put(&b)
	}
}

// walk sends the batches of every file under paths, in order.
func (s *Scanner) walk(ctx context.Context, paths []string, jobs, order chan<- *batch) {
	for _, root := range paths {
		if ctx.Err() != nil {
			return
		}
		info, err := os.Stat(root)
		if err != nil {
			s.fail(order, root, err)
			continue
		}
		if !info.IsDir() {
			s.produce(ctx, root, info, jobs, order)
			continue
		}
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if err != nil {
				s.fail(order, p, err)
				if d != nil && d.IsDir() && p != root {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() && p != root && vcsDirs[d.Name()] {
				// Version-control internals are compressed objects: every one would be
				// reported as a skipped binary. Name the folder as a PATH to scan it anyway.
				return fs.SkipDir
			}
			if p != root && s.excluded(root, p) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if d.IsDir() || !d.Type().IsRegular() {
				return nil // symlinks and devices are not followed: a walk stays inside the folder given
			}
			if isRedactedName(d.Name()) {
				return nil // our own output from an earlier --redact
			}
			info, err := d.Info()
			if err != nil {
				s.fail(order, p, err)
				return nil
			}
			s.produce(ctx, p, info, jobs, order)
			return nil
		})
		if err != nil && ctx.Err() == nil {
			s.fail(order, root, err)
		}
	}
}

var vcsDirs = map[string]bool{".git": true, ".hg": true, ".svn": true}

func isRedactedName(name string) bool {
	return strings.HasSuffix(name, ".redacted") || strings.Contains(name, ".redacted.tmp")
}

// excluded matches the exclude globs against the entry's name and its slash-separated path
// under root (so "*.log", "vendor" and "logs/*.gz" all work as people expect).
func (s *Scanner) excluded(root, p string) bool {
	if len(s.opts.Exclude) == 0 {
		return false
	}
	name := filepath.Base(p)
	rel, err := filepath.Rel(root, p)
	if err != nil {
		rel = p
	}
	rel = filepath.ToSlash(rel)
	for _, g := range s.opts.Exclude {
		g = strings.TrimSuffix(filepath.ToSlash(g), "/")
		if ok, _ := filepath.Match(g, name); ok {
			return true
		}
		if ok, _ := filepath.Match(g, rel); ok {
			return true
		}
		if ok, _ := filepath.Match(g, filepath.ToSlash(p)); ok {
			return true
		}
	}
	return false
}

// ValidateExclude reports a malformed glob pattern.
func ValidateExclude(pattern string) error {
	_, err := filepath.Match(pattern, "")
	return err
}

func (s *Scanner) fail(order chan<- *batch, path string, err error) {
	order <- &batch{file: &fileState{path: path, err: cleanErr(err)}, last: true} // weight 0
}

// cleanErr drops the path an *fs.PathError repeats ("open x: permission denied"), since the
// notice names the file already.
func cleanErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// produce reads one file and sends its batches: to the workers (jobs) and, in the same order,
// to the consumer (order), which waits for each to be done.
func (s *Scanner) produce(ctx context.Context, path string, info fs.FileInfo, jobs, order chan<- *batch) {
	f := &fileState{path: path, mode: info.Mode().Perm()}
	send := func(b *batch) {
		b.file = f
		b.weight = 2 * len(b.buf)
		s.budget.acquire(b.weight)
		if b.mode != modeNone {
			b.done = make(chan struct{})
			jobs <- b
		}
		order <- b
	}
	fh, err := os.Open(path)
	if err != nil {
		f.err = cleanErr(err)
		send(&batch{last: true})
		return
	}
	defer fh.Close()
	var r io.Reader = fh
	name := path
	if strings.EqualFold(filepath.Ext(path), ".gz") {
		// klauspost/compress's gzip reader: the same format, errors and multi-member
		// handling as compress/gzip (its ErrChecksum and ErrHeader are compress/gzip's), its
		// inflate about twice as fast. The .redacted copy is still written by compress/gzip.
		zr, err := gzip.NewReader(fh)
		if err != nil {
			f.err = fmt.Errorf("not a readable gzip file: %w", err)
			send(&batch{last: true})
			return
		}
		defer zr.Close()
		r, f.gz, name = zr, true, strings.TrimSuffix(path, filepath.Ext(path))
	}

	buf, rerr := fill(r, s.getBuf(), blockSize)
	if rerr != nil && rerr != io.EOF {
		f.err = readErr(rerr)
		send(&batch{last: true})
		return
	}
	head := buf[:min(len(buf), sniffSize)]
	enc, why := sniffEncoding(head)
	if why != "" {
		f.skip = why
		send(&batch{last: true})
		return
	}
	format, delim := sniffFormat(name, head)
	f.format, f.enc = format, enc
	p := s.newProducerParser(f, format, delim, head)

	var base int64
	line := 1
	eof := rerr == io.EOF
	warned := false
	for {
		if ctx.Err() != nil {
			f.err = ctx.Err()
			send(&batch{last: true})
			return
		}
		if f.enc == encASCII {
			if i := indexHigh(buf); i >= 0 {
				e, _ := decideEncoding(buf[i:min(len(buf), i+sniffSize)])
				if e == "" {
					e = EncUTF8
				}
				f.enc = e
				p.setSJIS(e == EncShiftJIS)
			}
		}
		b := &batch{base: base, line: line, sjis: f.enc == EncShiftJIS}
		if format == FormatJSON || format == FormatSQL {
			if v, ok := s.vals.Get().(*[]value); ok {
				b.vals = *v
			}
		}
		cut := p.next(b, buf, eof)
		if cut == 0 && !eof && len(buf) < s.opts.MaxRecord {
			// Not one complete record yet: read more into the same block.
			var more []byte
			more, rerr = fill(r, buf, len(buf)+blockSize)
			if rerr != nil && rerr != io.EOF {
				f.err = readErr(rerr)
				send(&batch{last: true})
				return
			}
			buf, eof = more, rerr == io.EOF
			continue
		}
		if cut == 0 && !eof {
			cut = p.force(b, buf)
			if !warned {
				b.warn = fmt.Sprintf("a record near line %d is longer than %d MiB; it was scanned in pieces and a value across a cut may be missed", line, s.opts.MaxRecord>>20)
				warned = true
			}
		}
		rest := s.getBuf()
		rest = append(rest, buf[cut:]...)
		b.buf = buf[:cut]
		base += int64(cut)
		line += bytes.Count(b.buf, []byte{'\n'})
		b.last = eof && len(rest) == 0
		p.rebase(cut)
		send(b)
		if b.last {
			s.putBuf(rest)
			return
		}
		buf = rest
		if !eof {
			buf, rerr = fill(r, buf, blockSize)
			if rerr != nil && rerr != io.EOF {
				f.err = readErr(rerr)
				send(&batch{last: true})
				return
			}
			eof = rerr == io.EOF
		}
	}
}

// readErr words a read error; a corrupt .gz says so without quoting anything from it.
func readErr(err error) error {
	if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("reading: %w", err)
	}
	return fmt.Errorf("reading: %w", cleanErr(err))
}

// indexHigh returns the index of the first byte above 0x7F in p, or -1; it runs over every
// block of a file that is ASCII so far, so it looks at eight bytes at a time.
func indexHigh(p []byte) int {
	i := 0
	for ; i+8 <= len(p); i += 8 {
		if binary.LittleEndian.Uint64(p[i:])&0x8080808080808080 != 0 {
			break
		}
	}
	for ; i < len(p); i++ {
		if p[i] >= 0x80 {
			return i
		}
	}
	return -1
}

// fill reads from r until buf holds want bytes, r is exhausted (io.EOF) or fails.
func fill(r io.Reader, buf []byte, want int) ([]byte, error) {
	if cap(buf) < want {
		// Grow by half again at least, so a record of many blocks is copied a few times, not
		// once per block.
		nb := make([]byte, len(buf), max(want+want/4, cap(buf)*3/2))
		copy(nb, buf)
		buf = nb
	}
	for len(buf) < want {
		n, err := r.Read(buf[len(buf):want])
		buf = buf[:len(buf)+n]
		if err != nil {
			return buf, err
		}
	}
	return buf, nil
}
