// Package httpapi is the shop-facing JSON API under /v1. Handlers are thin: decode,
// authorise, call the domain (vault, access, detect), encode. Errors are rendered in one
// place with a request id that also appears in the server's log line; a client never sees an
// internal error's text and nothing personal is ever logged (the route pattern is logged,
// never the raw path or query).
package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/vault"
)

// MaxBody is the largest request body accepted (413 above it).
const MaxBody = 1 << 20

// Server serves the API.
type Server struct {
	vault  *vault.Vault
	keys   *access.Keys
	db     *store.DB
	ready  func(context.Context) error
	engine *detect.Engine
	log    *slog.Logger

	requests [6]atomic.Int64 // by status class 1xx..5xx
}

// Config wires a Server.
type Config struct {
	Vault *vault.Vault
	Keys  *access.Keys
	DB    *store.DB
	// Ready reports whether the server can serve (database reachable, keys loaded).
	Ready func(context.Context) error
	Log   *slog.Logger
}

// New returns the API server.
func New(c Config) *Server {
	return &Server{vault: c.Vault, keys: c.Keys, db: c.DB, ready: c.Ready, log: c.Log, engine: detect.New(nil)}
}

// Routes lists every route the API serves, as registered; the OpenAPI test compares it with
// docs/openapi.yaml.
func (s *Server) Routes() []Route { return s.routes() }

// Route is one method and path pattern.
type Route struct {
	Method, Pattern string
	Scope           string // "" when no key is needed
	handle          func(w http.ResponseWriter, r *http.Request, p access.Principal) error
}

func (s *Server) routes() []Route {
	return []Route{
		{"GET", "/healthz", "", s.healthz},
		{"GET", "/readyz", "", s.readyz},
		{"GET", "/metrics", access.ScopeMetrics, s.metrics},
		{"POST", "/v1/customers", access.ScopeCustomersWrite, s.createCustomer},
		{"GET", "/v1/customers", access.ScopeCustomersRead, s.searchCustomers},
		{"POST", "/v1/customers/search", access.ScopeCustomersRead, s.searchCustomersPost},
		{"GET", "/v1/customers/{id}", access.ScopeCustomersRead, s.getCustomer},
		{"PATCH", "/v1/customers/{id}", access.ScopeCustomersWrite, s.patchCustomer},
		{"DELETE", "/v1/customers/{id}", access.ScopeCustomersDelete, s.deleteCustomer},
		{"PUT", "/v1/customers/{id}/card", access.ScopeCustomersWrite, s.putCard},
		{"POST", "/v1/check", access.ScopeCheck, s.check},
	}
}

// Handler returns the HTTP handler with logging, recovery and JSON errors for every
// unknown path or method.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	methods := map[string]map[string]bool{} // pattern → methods served
	var patterns []string
	for _, rt := range s.routes() {
		mux.Handle(rt.Method+" "+rt.Pattern, s.endpoint(rt))
		if methods[rt.Pattern] == nil {
			methods[rt.Pattern] = map[string]bool{}
			patterns = append(patterns, rt.Pattern)
		}
		methods[rt.Pattern][rt.Method] = true
	}
	// Every other common method on a known path answers 405 in JSON (the mux's own 405 is
	// plain text); method-less patterns would collide with the {id} wildcard.
	notAllowed := s.plain(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusMethodNotAllowed, "method_not_allowed", "method "+safeMethod(r.Method)+" is not allowed here")
	})
	for _, p := range patterns {
		for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
			if !methods[p][m] {
				mux.Handle(m+" "+p, notAllowed)
			}
		}
	}
	mux.Handle("/", s.plain(func(w http.ResponseWriter, r *http.Request) error {
		return errorf(http.StatusNotFound, "no_route", "no such API route")
	}))
	return s.middleware(mux)
}

func safeMethod(m string) string {
	if len(m) > 10 || strings.IndexFunc(m, func(r rune) bool { return r < 'A' || r > 'Z' }) >= 0 {
		return "(unknown)"
	}
	return m
}

func (s *Server) plain(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// endpoint authenticates (when the route needs a scope), checks the scope and runs the
// handler; any error is rendered by writeError.
func (s *Server) endpoint(rt Route) http.Handler {
	return s.plain(func(w http.ResponseWriter, r *http.Request) error {
		var p access.Principal
		if rt.Scope != "" {
			var err error
			if p, err = s.authenticate(r); err != nil {
				return err
			}
			requestInfo(r).key = p.KeyID
			if !p.Can(rt.Scope) {
				return errorf(http.StatusForbidden, "forbidden", "this API key lacks the scope "+rt.Scope)
			}
		}
		return rt.handle(w, r, p)
	})
}

func (s *Server) authenticate(r *http.Request) (access.Principal, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return access.Principal{}, access.ErrUnauthenticated
	}
	return s.keys.Authenticate(r.Context(), strings.TrimSpace(secret))
}

// reqInfo travels with a request for the log line.
type reqInfo struct {
	id      string
	key     string
	errCode string
}

type ctxKey struct{}

func requestInfo(r *http.Request) *reqInfo {
	if ri, ok := r.Context().Value(ctxKey{}).(*reqInfo); ok {
		return ri
	}
	return &reqInfo{}
}

func newRequestID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// middleware assigns the request id, limits the body, recovers panics and writes one log
// line per request: method, route pattern (never the raw path or query), status, duration,
// request id, API key id.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: newRequestID()}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		w.Header().Set("X-Request-Id", ri.id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		sw := &statusWriter{ResponseWriter: w}
		r.Body = http.MaxBytesReader(sw, r.Body, MaxBody)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The panic value may hold request data: log only its type.
				s.log.Error("panic in handler", slog.String("id", ri.id), slog.String("type", fmt.Sprintf("%T", v)))
				if sw.status == 0 {
					s.writeError(sw, r, errors.New("panic"))
				}
			}
			route := r.Pattern
			if route == "" {
				route = "(none)"
			}
			status := sw.status
			if status == 0 {
				status = http.StatusOK
			}
			if c := status / 100; c >= 1 && c <= 5 {
				s.requests[c].Add(1)
			}
			attrs := []slog.Attr{slog.String("method", safeMethod(r.Method)), slog.String("route", route), slog.Int("status", status),
				slog.Float64("ms", float64(time.Since(start).Microseconds())/1000), slog.String("id", ri.id)}
			if ri.key != "" {
				attrs = append(attrs, slog.String("key", ri.key))
			}
			if ri.errCode != "" {
				attrs = append(attrs, slog.String("error", ri.errCode))
			}
			s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// readBody reads a JSON request body: content type JSON (or none), at most MaxBody bytes.
func readBody(r *http.Request) ([]byte, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return nil, errorf(http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as application/json")
		}
	}
	b, err := io.ReadAll(r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, errorf(http.StatusRequestEntityTooLarge, "body_too_large", fmt.Sprintf("request body is larger than %d bytes", MaxBody))
	}
	if err != nil {
		return nil, errorf(http.StatusBadRequest, "unreadable_body", "the request body could not be read")
	}
	if len(b) == 0 {
		return nil, errorf(http.StatusBadRequest, "invalid_json", "request body is empty; send a JSON object")
	}
	return b, nil
}
