package detect

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// defaultEngine detects every type; it is immutable, so sharing it is safe.
var defaultEngine = New(nil)

// Redact returns text with every finding replaced by its type's mask
// ("[redacted:email]"). Text without findings is returned as is, without
// allocating.
func (e *Engine) Redact(text string, ctx Context) string {
	if text == "" {
		return text
	}
	var buf [8]Finding
	fs := e.scanString(buf[:0], text, &ctx, nil)
	if len(fs) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	prev := 0
	for _, f := range fs {
		b.WriteString(text[prev:f.Start])
		b.WriteString(f.Type.Mask())
		prev = f.End
	}
	b.WriteString(text[prev:])
	return b.String()
}

// Redact replaces every finding of every type in free text with its mask.
func Redact(text string) string { return defaultEngine.Redact(text, Context{}) }

// NewRedactingHandler wraps next so that personal data never reaches it:
// the message and every attribute's value (strings, numbers that could be
// card or phone numbers, errors, fmt.Stringers, LogValuers, any other value
// by its printed form, inside groups and in attributes added with
// WithAttrs) are scanned, each attribute with its key as context, and
// findings are replaced by masks such as "[redacted:email]".
//
// Keys and group names are left alone: they are chosen by the programmer,
// not typed by customers.
func NewRedactingHandler(next slog.Handler) slog.Handler {
	return &redactingHandler{next: next, e: defaultEngine}
}

type redactingHandler struct {
	next slog.Handler
	e    *Engine
}

var _ slog.Handler = (*redactingHandler)(nil)

func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.e.Redact(r.Message, Context{}), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(red), e: h.e}
}

func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), e: h.e}
}

// maxValuerDepth bounds LogValuer resolution and group nesting, as slog
// itself does, so a self-referencing value cannot loop.
const maxValuerDepth = 100

func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	return h.attrDepth(a, 0)
}

func (h *redactingHandler) attrDepth(a slog.Attr, depth int) slog.Attr {
	v := a.Value.Resolve()
	ctx := KeyContext(a.Key)
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.e.Redact(v.String(), ctx))
	case slog.KindInt64:
		// A card or phone number logged as a number.
		s := strconv.FormatInt(v.Int64(), 10)
		if r := h.e.Redact(s, ctx); r != s {
			return slog.String(a.Key, r)
		}
	case slog.KindUint64:
		s := strconv.FormatUint(v.Uint64(), 10)
		if r := h.e.Redact(s, ctx); r != s {
			return slog.String(a.Key, r)
		}
	case slog.KindGroup:
		if depth >= maxValuerDepth {
			return slog.String(a.Key, "[redacted:depth]")
		}
		g := v.Group()
		red := make([]slog.Attr, len(g))
		for i, x := range g {
			red[i] = h.attrDepth(x, depth+1)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(red...)}
	case slog.KindAny:
		switch x := v.Any().(type) {
		case error:
			return slog.String(a.Key, h.e.Redact(x.Error(), ctx))
		case fmt.Stringer:
			return slog.String(a.Key, h.e.Redact(x.String(), ctx))
		case []byte:
			return slog.String(a.Key, h.e.Redact(string(x), ctx))
		default:
			// Structs, maps, slices: judge the printed form; if it holds
			// personal data the value is replaced by its redacted print,
			// otherwise it goes on untouched for the next handler to
			// encode as it likes.
			s := fmt.Sprintf("%+v", x)
			if r := h.e.Redact(s, ctx); r != s {
				return slog.String(a.Key, r)
			}
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
