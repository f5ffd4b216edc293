// Package httpapi is the shop-facing JSON API under /v1. Handlers are thin: decode,
// authorise, call the domain (vault, access, detect), encode. Errors are rendered in one
// place with a request id that also appears in the server's log line; a client never sees an
// internal error's text and nothing personal is ever logged (the route pattern is logged,
// never the raw path or query).
package httpapi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/vault"
	"github.com/kinko-jp/kinko/internal/weblog"
)

// MaxBody is the largest request body accepted (413 above it).
const MaxBody = 1 << 20

// Server serves the API.
type Server struct {
	vault  *vault.Vault
	keys   *access.Keys
	staff  *access.Staff
	trail  *audit.Trail
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
	Staff *access.Staff // staff logins; nil serves API keys only
	Trail *audit.Trail  // GET /v1/audit
	DB    *store.DB
	// Ready reports whether the server can serve (database reachable, keys loaded).
	Ready func(context.Context) error
	Log   *slog.Logger
}

// New returns the API server.
func New(c Config) *Server {
	return &Server{vault: c.Vault, keys: c.Keys, staff: c.Staff, trail: c.Trail, db: c.DB, ready: c.Ready, log: c.Log, engine: detect.New(nil)}
}

// Routes lists every route the API serves, as registered; the OpenAPI test compares it with
// docs/openapi.yaml.
func (s *Server) Routes() []Route { return s.routes() }

// Route is one method and path pattern.
type Route struct {
	Method, Pattern string
	// Scope is what the caller needs: "" nothing (public), ScopeSession any staff session
	// (also one still enrolling 2FA), otherwise an API-key scope (staff: see staffMay).
	Scope  string
	handle func(w http.ResponseWriter, r *http.Request, c caller) error
}

// ScopeSession marks routes for a staff session itself (logout, 2FA enrolment).
const ScopeSession = "session"

// caller is who made the request: an API key or a staff session, as a vault actor.
type caller struct {
	actor vault.Actor
	key   *access.Principal // nil for staff
	sess  *access.Session   // nil for API keys
}

func (c caller) can(scope string) bool {
	if c.key != nil {
		return c.key.Can(scope)
	}
	return staffMay(c.sess.Role, scope)
}

// staffMay maps route scopes to staff roles. Customer routes are let through for every
// role that may read customers: the vault applies the role (permissions, masking) itself,
// so the API and the console decide the same way.
func staffMay(r access.Role, scope string) bool {
	switch scope {
	case access.ScopeCustomersRead, access.ScopeCustomersWrite, access.ScopeCustomersDelete, access.ScopeCheck:
		return r.Can(access.PermCustomersRead)
	case access.ScopeAuditRead:
		return r.Can(access.PermAuditRead)
	case ScopeSession:
		return true
	}
	return false // metrics, admin: API keys only
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
		{"POST", "/v1/customers/{id}/reveal", access.ScopeCustomersRead, s.reveal},
		{"POST", "/v1/check", access.ScopeCheck, s.check},
		{"GET", "/v1/audit", access.ScopeAuditRead, s.auditList},
		{"POST", "/v1/sessions", "", s.login},
		{"DELETE", "/v1/sessions/current", ScopeSession, s.logout},
		{"POST", "/v1/sessions/current/totp", ScopeSession, s.beginTOTP},
		{"POST", "/v1/sessions/current/totp/confirm", ScopeSession, s.confirmTOTP},
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
		return errorf(http.StatusMethodNotAllowed, "method_not_allowed", "method "+weblog.SafeMethod(r.Method)+" is not allowed here")
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
		var c caller
		if rt.Scope != "" {
			var err error
			if c, err = s.authenticate(r); err != nil {
				return err
			}
			requestInfo(r).key = c.actor.ID
			if c.sess != nil && rt.Scope != ScopeSession {
				if err := c.sess.RequireFull(); err != nil {
					return errorf(http.StatusForbidden, "enrolment_required", "enrol two-factor authentication first (POST /v1/sessions/current/totp)")
				}
			}
			if !c.can(rt.Scope) {
				if c.sess != nil {
					return errorf(http.StatusForbidden, "forbidden", "your role does not allow this")
				}
				return errorf(http.StatusForbidden, "forbidden", "this API key lacks the scope "+rt.Scope)
			}
		}
		return rt.handle(w, r, c)
	})
}

// authenticate reads the bearer secret: "kinkos_…" is a staff session, "kinko_…" an API key.
func (s *Server) authenticate(r *http.Request) (caller, error) {
	h := r.Header.Get("Authorization")
	scheme, secret, ok := strings.Cut(h, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return caller{}, access.ErrUnauthenticated
	}
	secret = strings.TrimSpace(secret)
	ip := clientIP(r)
	rid := requestInfo(r).id
	if strings.HasPrefix(secret, access.SessionTokenPrefix) {
		if s.staff == nil {
			return caller{}, access.ErrUnauthenticated
		}
		sess, err := s.staff.Authenticate(r.Context(), secret)
		if err != nil {
			if errors.Is(err, access.ErrSessionInvalid) {
				return caller{}, errorf(http.StatusUnauthorized, "unauthorized", "the session is not valid (expired, logged out or revoked); log in again")
			}
			return caller{}, err
		}
		return caller{sess: &sess, actor: vault.Actor{Shop: sess.Shop, ID: "staff:" + sess.StaffID, Role: sess.Role, IP: ip, RequestID: rid}}, nil
	}
	p, err := s.keys.Authenticate(r.Context(), secret, ip)
	var refused *access.KeyIPRefusedError
	if errors.As(err, &refused) {
		// Recorded like a staff login from outside the allow-list; if the record cannot be
		// written the answer is 503, as for every unrecorded action.
		k := refused.Principal
		if s.trail != nil {
			ev := audit.Event{Actor: "key:" + k.KeyID, ActorIP: ip, Action: ActionKeyIPRefused, Shop: k.Shop, Outcome: audit.Refused, RequestID: rid}
			if err := s.trail.AppendRead(r.Context(), ev); err != nil {
				return caller{}, fmt.Errorf("%w: %v", vault.ErrAuditUnavailable, err)
			}
		}
		return caller{}, errorf(http.StatusForbidden, "ip_not_allowed", "this API key may not be used from this network")
	}
	if err != nil {
		return caller{}, err
	}
	a := vault.Actor{Shop: p.Shop, ID: "key:" + p.KeyID, IP: ip, RequestID: rid}
	if p.MaskedReads() {
		a.Role = access.RoleMaskedKey // the vault masks what it reads and refuses reveals
	}
	return caller{key: &p, actor: a}, nil
}

// ActionKeyIPRefused is the audit action of an API key used from outside its allow-list.
const ActionKeyIPRefused = "apikey.ip_refused"

// clientIP is the peer address without its port. kinko does not trust X-Forwarded-For:
// behind a proxy, the proxy's address is what is recorded (docs/operations.md).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
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

// middleware assigns the request id, limits the body, recovers panics and writes one log
// line per request: method, route pattern (never the raw path or query), status, duration,
// request id, API key id.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ri := &reqInfo{id: weblog.NewID()}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, ri))
		w.Header().Set("X-Request-Id", ri.id)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		sw := weblog.NewStatusWriter(w)
		r.Body = http.MaxBytesReader(sw, r.Body, MaxBody)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				// The panic value may hold request data: log only its type.
				s.log.Error("panic in handler", slog.String("id", ri.id), slog.String("type", fmt.Sprintf("%T", v)))
				if !sw.Wrote() {
					s.writeError(sw, r, errors.New("panic"))
				}
			}
			status := sw.Status()
			if c := status / 100; c >= 1 && c <= 5 {
				s.requests[c].Add(1)
			}
			if !s.log.Enabled(r.Context(), slog.LevelInfo) {
				return // --log-level warn: no access log line to build
			}
			attrs := weblog.Attrs(r, status, start, ri.id)
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
