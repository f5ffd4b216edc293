// Package weblog is what the JSON API and the console share about serving a request: a
// random request id (shown to the client and written in the log, so a report can be
// matched to its log line), a ResponseWriter that remembers the status, and the fields of
// the one log line per request. The line names the route pattern, never the raw path or
// query: those can hold a setup token or a search value.
package weblog

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// NewID returns a request id: 64 random bits in hex.
func NewID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// StatusWriter records the status a handler answered.
type StatusWriter struct {
	http.ResponseWriter
	status int
}

// NewStatusWriter wraps w.
func NewStatusWriter(w http.ResponseWriter) *StatusWriter { return &StatusWriter{ResponseWriter: w} }

func (w *StatusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *StatusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Wrote reports whether anything was answered yet.
func (w *StatusWriter) Wrote() bool { return w.status != 0 }

// Status is the status answered (200 when the handler wrote nothing).
func (w *StatusWriter) Status() int {
	if w.status == 0 {
		return http.StatusOK
	}
	return w.status
}

// SafeMethod is the request method as it may be logged or shown: a short upper-case word,
// else "(unknown)".
func SafeMethod(m string) string {
	if len(m) > 10 || strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "(unknown)"
	}
	return m
}

// Attrs are the fields every request line has: method, route pattern, status, duration in
// milliseconds and request id.
func Attrs(r *http.Request, status int, start time.Time, id string) []slog.Attr {
	route := r.Pattern
	if route == "" {
		route = "(none)"
	}
	return []slog.Attr{slog.String("method", SafeMethod(r.Method)), slog.String("route", route), slog.Int("status", status),
		slog.Float64("ms", float64(time.Since(start).Microseconds())/1000), slog.String("id", id)}
}
