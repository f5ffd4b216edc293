package weblog

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestSafeMethod(t *testing.T) {
	for in, want := range map[string]string{"GET": "GET", "PATCH": "PATCH", "get": "(unknown)", "PO ST": "(unknown)",
		"AVERYLONGMETHOD": "(unknown)", "": "", "<script>": "(unknown)"} {
		if got := SafeMethod(in); got != want {
			t.Errorf("SafeMethod(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStatusWriterAndAttrs(t *testing.T) {
	rec := httptest.NewRecorder()
	w := NewStatusWriter(rec)
	if w.Wrote() || w.Status() != http.StatusOK {
		t.Fatal("a fresh writer claims an answer")
	}
	w.WriteHeader(http.StatusTeapot)
	w.WriteHeader(http.StatusOK) // the first status counts
	if !w.Wrote() || w.Status() != http.StatusTeapot {
		t.Fatalf("status %d", w.Status())
	}
	r := httptest.NewRequest("GET", "/console/setup/kinkou_secret?q=hanako@example.jp", nil)
	attrs := Attrs(r, w.Status(), time.Now(), NewID())
	for _, a := range attrs {
		if v := a.Value.String(); v == r.URL.Path || v == r.URL.RawQuery {
			t.Errorf("the log line holds the raw path or query in %s", a.Key)
		}
	}
	if attrs[1].Value.String() != "(none)" {
		t.Errorf("route without a pattern: %q", attrs[1].Value.String())
	}
	if a, b := NewID(), NewID(); len(a) != 16 || a == b {
		t.Errorf("request ids %q %q", a, b)
	}
}
