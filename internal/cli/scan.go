package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/scan"
)

func init() {
	register(&Command{Name: "scan", Summary: "find card numbers and personal data in files and folders", Run: runScan})
}

const scanAbout = `Scan files and folders for card numbers and customer data: CSV and TSV (UTF-8 or
Shift_JIS), JSON and JSON Lines, MySQL and PostgreSQL dumps, logs, plain text, and .gz of any
of these. Folders are walked; binary files are skipped and said so on stderr. Values are never
printed: text output shows a masked preview at most.

Output goes to stdout: "text" by default when stdout is a terminal, otherwise "jsonl" (one
{"path","type","start","end","line","confidence","reason"} object per finding; offsets are
bytes of the file itself, of the decompressed stream for .gz).

Exit status: 0 no findings, 1 findings, 2 an error (bad usage, or a file that could not be
read; errors name the file on stderr).

Types: ` + "card_number, my_number, email, phone, postal_code, address, birth_date, person_name."

// scanMemoryLimit is the Go heap's soft limit during a scan; with the runtime's own memory it
// keeps the process under 64 MB.
const scanMemoryLimit = 40 << 20

// stringList is a repeatable string flag (--exclude).
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func runScan(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "scan", "scan [flags] PATH…", scanAbout)
	format := fs.String("format", "", "output `format`: text, jsonl or sarif (default text on a terminal, jsonl otherwise)")
	types := fs.String("types", "", "comma-separated `types` to detect (default all)")
	redact := fs.Bool("redact", false, "write a redacted copy NAME.redacted next to each file (digits → *, letters → ●); the original is never changed")
	var exclude stringList
	fs.Var(&exclude, "exclude", "skip files and folders whose name or path under the folder matches `GLOB` (repeatable)")
	jobs := fs.Int("jobs", 0, "worker `count` (default: one per CPU)")

	// The flag package stops at the first operand; parse again after each one so flags may
	// follow paths ("kinko scan dir --format jsonl"). "--" ends flags.
	var paths []string
	rest := args
	for len(rest) > 0 {
		in := rest
		if err := parseFlags(fs, in); err != nil {
			return err
		}
		rest = fs.Args()
		if used := in[:len(in)-len(rest)]; len(used) > 0 && used[len(used)-1] == "--" {
			paths = append(paths, rest...) // everything after "--" is a path
			break
		}
		if len(rest) > 0 {
			paths = append(paths, rest[0])
			rest = rest[1:]
		}
	}
	if len(paths) == 0 {
		return UsageError{Msg: "scan: no PATH given"}
	}
	var ts []detect.Type
	if *types != "" {
		var err error
		if ts, err = detect.ParseTypes(*types); err != nil {
			return UsageError{Msg: "scan: --types: " + err.Error()}
		}
	}
	for _, g := range exclude {
		if err := scan.ValidateExclude(g); err != nil {
			return UsageError{Msg: fmt.Sprintf("scan: --exclude %q: %v", g, err)}
		}
	}
	if *jobs < 0 {
		return UsageError{Msg: "scan: --jobs must be positive"}
	}
	f := *format
	if f == "" {
		f = "jsonl"
		if e.IsTerminal(e.Stdout) {
			f = "text"
		}
	}
	var rep interface {
		scan.Reporter
		Close() error
	}
	switch f {
	case "text":
		rep = scan.NewTextReporter(e.Stdout)
	case "jsonl":
		rep = scan.NewJSONLReporter(e.Stdout)
	case "sarif":
		rep = scan.NewSARIFReporter(e.Stdout, ts, Version)
	default:
		return UsageError{Msg: fmt.Sprintf("scan: unknown --format %q (text, jsonl or sarif)", f)}
	}

	// The scanner's memory is bounded by design (a few blocks in flight); a soft limit makes
	// the garbage collector keep the heap near that instead of letting it double between
	// collections, which keeps RSS under the 64 MB budget. GOMEMLIMIT overrides it.
	if e.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(scanMemoryLimit))
	}
	var errMu sync.Mutex
	// A progress line needs a person at a terminal on stderr, and must not interleave with
	// findings printed on the same terminal.
	progress := newProgress(e, f == "text" || !e.IsTerminal(e.Stdout))
	sc := scan.New(scan.Options{
		Types: ts, Redact: *redact, Exclude: exclude, Jobs: *jobs, Preview: f == "text",
		Notice: func(n scan.Notice) {
			errMu.Lock()
			defer errMu.Unlock()
			progress.clear()
			switch n.Kind {
			case scan.NoticeWarning:
				fmt.Fprintf(e.Stderr, "kinko: %s: warning: %s\n", n.Path, n.Msg)
			default:
				fmt.Fprintf(e.Stderr, "kinko: %s: %s\n", n.Path, n.Msg)
			}
		},
	})
	stop := progress.start(&sc.Stats, &errMu)
	err := sc.Run(ctx, paths, rep)
	stop()
	if cerr := rep.Close(); err == nil {
		err = cerr
	}
	switch {
	case errors.Is(err, context.Canceled):
		return ExitError{Code: 2}
	case err != nil:
		fmt.Fprintf(e.Stderr, "kinko: scan: %v\n", err)
		return ExitError{Code: 2}
	case sc.Stats.Errors.Load() > 0:
		return ExitError{Code: 2}
	case sc.Stats.Findings.Load() > 0:
		return ExitError{Code: 1}
	}
	return nil
}

// progress prints a progress line on stderr while a long scan runs, when stderr is a terminal
// (a person watching; pipes and CI logs get no noise).
type progress struct {
	e       *Env
	on      bool
	mu      sync.Mutex
	visible bool
}

// progressAfter is how long a scan runs before the progress line appears: short scans stay
// quiet.
const progressAfter = time.Second

func newProgress(e *Env, allowed bool) *progress {
	return &progress{e: e, on: allowed && e.IsTerminal(e.Stderr)}
}

func (p *progress) start(st *scan.Stats, errMu *sync.Mutex) (stop func()) {
	if !p.on {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		began := time.Now()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if time.Since(began) < progressAfter {
					continue
				}
				errMu.Lock()
				p.mu.Lock()
				mb := float64(st.Bytes.Load()) / (1 << 20)
				fmt.Fprintf(p.e.Stderr, "\r\x1b[Kscanning: %d file(s), %.0f MiB, %.0f MiB/s, %d finding(s)",
					st.Files.Load(), mb, mb/time.Since(began).Seconds(), st.Findings.Load())
				p.visible = true
				p.mu.Unlock()
				errMu.Unlock()
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		p.clear()
	}
}

// clear removes the progress line before something else is printed on stderr.
func (p *progress) clear() {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.visible {
		io.WriteString(p.e.Stderr, "\r\x1b[K")
		p.visible = false
	}
}
