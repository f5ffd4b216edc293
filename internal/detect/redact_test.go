package detect

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
)

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

type valuer struct{ v string }

func (v valuer) LogValue() slog.Value { return slog.StringValue(v.v) }

type customer struct {
	Name  string
	Email string
}

// Synthetic personal values that must never reach the log output.
const (
	tCard  = "4111 1111 1111 1111"
	tCard2 = "5555555555554444"
	tEmail = "hanako.suzuki@example.jp"
	tPhone = "090-1234-5678"
	tName  = "鈴木 花子"
)

func TestRedactingHandler(t *testing.T) {
	tests := []struct {
		name  string
		log   func(l *slog.Logger)
		masks []string
	}{
		{"message", func(l *slog.Logger) { l.Info("customer " + tEmail + " paid with " + tCard) },
			[]string{"[redacted:email]", "[redacted:card_number]"}},
		{"string attrs", func(l *slog.Logger) { l.Info("x", "phone", tPhone, "memo", "card "+tCard2) },
			[]string{"[redacted:phone]", "[redacted:card_number]"}},
		{"name under a name key", func(l *slog.Logger) { l.Info("x", "name", tName) },
			[]string{"[redacted:person_name]"}},
		{"group", func(l *slog.Logger) {
			l.Info("x", slog.Group("customer", slog.String("email", tEmail), slog.Group("pay", slog.String("pan", tCard))))
		}, []string{"[redacted:email]", "[redacted:card_number]"}},
		{"error", func(l *slog.Logger) { l.Error("x", "err", errors.New("refused "+tCard2+" for "+tEmail)) },
			[]string{"[redacted:card_number]", "[redacted:email]"}},
		{"stringer", func(l *slog.Logger) { l.Info("x", "v", stringer{"tel " + tPhone}) }, []string{"[redacted:phone]"}},
		{"log valuer", func(l *slog.Logger) { l.Info("x", "v", valuer{tEmail}) }, []string{"[redacted:email]"}},
		{"struct", func(l *slog.Logger) { l.Info("x", "c", customer{Name: "x", Email: tEmail}) }, []string{"[redacted:email]"}},
		{"bytes", func(l *slog.Logger) { l.Info("x", "body", []byte(`{"tel":"`+tPhone+`"}`)) }, []string{"[redacted:phone]"}},
		{"integer card", func(l *slog.Logger) { l.Info("x", "n", int64(4111111111111111)) }, []string{"[redacted:card_number]"}},
		{"with attrs", func(l *slog.Logger) { l.With("email", tEmail).WithGroup("g").Info("x", "phone", tPhone) },
			[]string{"[redacted:email]", "[redacted:phone]"}},
	}
	secrets := []string{tCard, tCard2, "4111111111111111", tEmail, tPhone, tName}
	for _, format := range []string{"json", "text"} {
		for _, tc := range tests {
			var buf bytes.Buffer
			var next slog.Handler = slog.NewJSONHandler(&buf, nil)
			if format == "text" {
				next = slog.NewTextHandler(&buf, nil)
			}
			tc.log(slog.New(NewRedactingHandler(next)))
			out := buf.String()
			for i, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("%s/%s: personal value %d reached the log", format, tc.name, i)
				}
			}
			for _, m := range tc.masks {
				if !strings.Contains(out, m) {
					t.Errorf("%s/%s: mask %s missing", format, tc.name, m)
				}
			}
		}
	}
}

func TestRedactingHandlerKeepsOrdinaryValues(t *testing.T) {
	var buf bytes.Buffer
	l := slog.New(NewRedactingHandler(slog.NewJSONHandler(&buf, nil)))
	l.Info("order shipped", "order_id", "20241125-000123", "items", 3, "jan", "4901234567894", "ok", true)
	out := buf.String()
	for _, want := range []string{`"msg":"order shipped"`, `"order_id":"20241125-000123"`, `"items":3`, `"jan":"4901234567894"`, `"ok":true`} {
		if !strings.Contains(out, want) {
			t.Errorf("ordinary value altered: missing %s", want)
		}
	}
	if !NewRedactingHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})).Enabled(t.Context(), slog.LevelWarn) {
		t.Error("Enabled not passed through")
	}
}

func TestRedact(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"none", "no personal data 12:34", "no personal data 12:34"},
		{"card and email", "pay " + tCard + " mail " + tEmail, "pay [redacted:card_number] mail [redacted:email]"},
		{"empty", "", ""},
	}
	for _, tc := range tests {
		if got := Redact(tc.in); got != tc.want {
			t.Errorf("%s: redaction differs from expected", tc.name)
		}
	}
	s := "plain text without any personal data at all"
	if n := testing.AllocsPerRun(100, func() { Redact(s) }); n != 0 {
		t.Errorf("Redact allocates %v times on clean text", n)
	}
}

func FuzzRedact(f *testing.F) {
	for _, s := range []string{tCard, tEmail, tPhone, "お名前：" + tName + " 様", "", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := Redact(s)
		// Redaction is stable: nothing detectable is left behind that was
		// not there to begin with, and redacting again changes nothing.
		if Redact(r) != r {
			t.Fatalf("redaction is not idempotent")
		}
	})
}
