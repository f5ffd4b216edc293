package scan

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/kinko-jp/kinko/internal/detect"
)

// consume reports one batch's results; batches arrive in file and offset order.
func (s *Scanner) consume(b *batch, rep Reporter) error {
	f := b.file
	if f.counts == nil {
		f.counts = map[detect.Type]int{}
		if s.opts.Redact && b.mode != modeNone {
			f.red, f.redErr = openRedact(f.path, f.gz, f.mode)
		}
	}
	if b.warn != "" {
		s.opts.Notice(Notice{Path: f.path, Kind: NoticeWarning, Msg: b.warn})
	}
	var fd Finding
	for i, h := range b.hits {
		fd = Finding{Path: f.path, Type: typeNames[h.typ], Start: h.start, End: h.end, Line: h.line,
			Confidence: h.conf, Reason: h.reason, typ: h.typ}
		if i < len(b.previews) {
			fd.Preview = b.previews[i]
		}
		f.byType[h.typ]++
		f.findings++
		if err := rep.Finding(&fd); err != nil {
			return err
		}
	}
	n := len(b.hits)
	if b.lines != nil {
		for t, c := range b.counts {
			f.byType[t] += int(c)
			n += int(c)
		}
		f.findings += n
		if err := s.lines.writeLines(b.lines); err != nil {
			return err
		}
	}
	s.Stats.Findings.Add(int64(n))
	f.bytes += int64(len(b.buf))
	s.Stats.Bytes.Add(int64(len(b.buf)))
	if f.red != nil && f.redErr == nil {
		out := b.redacted
		if out == nil {
			out = b.buf
		}
		f.redErr = f.red.write(out)
	}
	if !b.last {
		return nil
	}
	for i, n := range f.byType {
		if n > 0 {
			f.counts[typeNames[i]] = n
		}
	}
	res := FileResult{Path: f.path, Format: f.format, Encoding: f.enc, Bytes: f.bytes, Counts: f.counts,
		Findings: f.findings, Skipped: f.skip, Err: f.err}
	if res.Encoding == encASCII {
		res.Encoding = EncUTF8
	}
	if f.red != nil {
		if f.err == nil && f.redErr == nil {
			f.redErr = f.red.commit()
			if f.redErr == nil {
				res.Redacted = f.red.final
			}
		} else {
			f.red.abort()
		}
	}
	if res.Err == nil && f.redErr != nil {
		res.Err = fmt.Errorf("writing redacted copy: %w", cleanErr(f.redErr))
	}
	switch {
	case res.Err != nil:
		s.Stats.Errors.Add(1)
		s.opts.Notice(Notice{Path: f.path, Kind: NoticeError, Msg: res.Err.Error()})
	case res.Skipped != "":
		s.opts.Notice(Notice{Path: f.path, Kind: NoticeSkip, Msg: "skipped: " + res.Skipped})
	default:
		s.Stats.Files.Add(1)
	}
	return rep.FileDone(&res)
}

// redactWriter writes NAME.redacted through a temporary file renamed into place at the end,
// so that an interrupted scan never leaves a half-written copy that looks complete.
type redactWriter struct {
	tmp   *os.File
	bw    *bufio.Writer
	zw    *gzip.Writer
	final string
}

func openRedact(path string, gz bool, mode fs.FileMode) (*redactWriter, error) {
	final := path + ".redacted"
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".redacted.tmp*")
	if err != nil {
		return nil, err
	}
	if mode != 0 {
		_ = tmp.Chmod(mode) // keep the original's permissions; a failure only leaves 0600
	}
	w := &redactWriter{tmp: tmp, bw: bufio.NewWriterSize(tmp, 256<<10), final: final}
	if gz {
		w.zw = gzip.NewWriter(w.bw)
	}
	return w, nil
}

func (w *redactWriter) write(p []byte) error {
	var err error
	if w.zw != nil {
		_, err = w.zw.Write(p)
	} else {
		_, err = w.bw.Write(p)
	}
	return err
}

func (w *redactWriter) commit() error {
	if w.zw != nil {
		if err := w.zw.Close(); err != nil {
			w.abort()
			return err
		}
	}
	if err := w.bw.Flush(); err != nil {
		w.abort()
		return err
	}
	if err := w.tmp.Close(); err != nil {
		os.Remove(w.tmp.Name())
		return err
	}
	if err := os.Rename(w.tmp.Name(), w.final); err != nil {
		os.Remove(w.tmp.Name())
		return err
	}
	return nil
}

func (w *redactWriter) abort() {
	w.tmp.Close()
	os.Remove(w.tmp.Name())
}
