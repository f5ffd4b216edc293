// Package console is the staff-facing admin web UI served under /console/: server-rendered
// html/template pages with embedded assets, in Japanese (default) and English.
//
// It stands on the same domain packages as the JSON API and never goes around them: every
// customer read goes through vault (which asks access and records in audit), every login
// through access.Staff. Invariants:
//   - no inline script or style: the Content-Security-Policy forbids both, and the pages
//     work without any script except for conveniences (copy button, reveal timer);
//   - every state change is a POST that passes Go's cross-origin protection and carries the
//     session's form token (access.Staff.FormToken);
//   - no personal value in a URL, a page title or a log line; searches are POSTed and
//     customers are named by their random id; every page answers Cache-Control: no-store;
//   - the session cookie is HttpOnly, SameSite=Strict, and Secure whenever served over TLS.
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/vault"
	"github.com/kinko-jp/kinko/internal/weblog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Prefix is where the console is mounted.
const Prefix = "/console/"

// maxForm bounds a form body: the largest form (a customer edit with its attributes) is a
// few kilobytes.
const maxForm = 256 << 10

// csp allows nothing inline and nothing from elsewhere. Images may be data: URIs (the 2FA
// QR code is rendered on the server into one).
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'; connect-src 'self'"

// Config wires the console to the domain.
type Config struct {
	Vault *vault.Vault
	Staff *access.Staff
	Keys  *access.Keys
	Trail *audit.Trail
	Log   *slog.Logger
	Now   func() time.Time // time.Now when nil
}

// Server serves the console.
type Server struct {
	cfg    Config
	now    func() time.Time
	pages  map[string]*template.Template
	mux    *http.ServeMux
	verify verifier // the audit chain's last verification (audit.go)
}

// New parses the templates and builds the routes.
func New(c Config) (*Server, error) {
	s := &Server{cfg: c, now: c.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cfg.Log == nil {
		s.cfg.Log = slog.New(slog.DiscardHandler)
	}
	pages, err := parseTemplates()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.mux = http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	s.mux.Handle("GET "+Prefix+"static/", cacheStatic(http.StripPrefix(Prefix+"static/", http.FileServerFS(static))))
	for _, rt := range s.routes() {
		s.mux.Handle(rt.pattern, s.handle(rt))
	}
	s.mux.Handle(Prefix, s.handle(route{pattern: Prefix, public: true, h: func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
		return notFound
	}}))
	return s, nil
}

// route is one console page or action. public routes need no session; the others need a
// full (2FA-enrolled) session and, when perm is set, that permission.
type route struct {
	pattern string
	public  bool
	perm    access.Permission
	h       func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error
}

// sections are the console's groups of pages beyond login and the dashboard; each file of
// pages adds its own from init (as the cli package registers commands), so a new page is a
// new file.
var sections []func(s *Server) []route

func section(f func(s *Server) []route) { sections = append(sections, f) }

func (s *Server) routes() []route {
	rts := s.coreRoutes()
	for _, f := range sections {
		rts = append(rts, f(s)...)
	}
	return rts
}

func (s *Server) coreRoutes() []route {
	return []route{
		{pattern: "GET " + Prefix + "{$}", public: true, h: s.home},
		{pattern: "GET " + Prefix + "login", public: true, h: s.loginPage},
		{pattern: "POST " + Prefix + "login", public: true, h: s.loginSubmit},
		{pattern: "POST " + Prefix + "logout", public: true, h: s.logout},
		{pattern: "GET " + Prefix + "enrol", public: true, h: s.enrolPage},
		{pattern: "POST " + Prefix + "enrol", public: true, h: s.enrolSubmit},
		{pattern: "GET " + Prefix + "setup/{token}", public: true, h: s.setupPage},
		{pattern: "POST " + Prefix + "setup/{token}", public: true, h: s.setupSubmit},
		{pattern: "GET " + Prefix + "lang", public: true, h: s.setLang},
		{pattern: "GET " + Prefix + "dashboard", h: s.dashboard},
	}
}

// Handler returns the console with its security headers, cross-origin protection, request
// ids and one log line per request.
func (s *Server) Handler() http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := s.newReqCtx(w, r)
		s.renderError(w, r, rc, &pageError{status: http.StatusForbidden, msg: "err.crossorigin"})
	}))
	return s.middleware(cop.Handler(s.mux))
}

// reqCtx is what a handler knows about its request.
type reqCtx struct {
	id    string
	lang  string
	sess  *access.Session // nil when not logged in
	token string          // the session's bearer secret (from the cookie)
	me    access.Member
	form  string // the session's form token
	actor vault.Actor
	shop  string // shop name, for the header
}

type ctxKey struct{}

func (s *Server) newReqCtx(w http.ResponseWriter, r *http.Request) *reqCtx {
	if rc, ok := r.Context().Value(ctxKey{}).(*reqCtx); ok {
		return rc
	}
	return &reqCtx{id: weblog.NewID(), lang: pickLang(r)}
}

// middleware sets the headers every console answer carries, limits bodies, recovers panics
// and logs one line per request: method, route pattern (never the raw path: a setup link's
// token is in it), status, duration, request id.
func (s *Server) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rc := &reqCtx{id: weblog.NewID(), lang: pickLang(r)}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, rc))
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		h.Set("X-Request-Id", rc.id)
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		sw := weblog.NewStatusWriter(w)
		r.Body = http.MaxBytesReader(sw, r.Body, maxForm)
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.cfg.Log.Error("panic in console handler", slog.String("id", rc.id), slog.String("type", fmt.Sprintf("%T", v)))
				if !sw.Wrote() {
					s.renderError(sw, r, rc, errors.New("panic"))
				}
			}
			attrs := weblog.Attrs(r, sw.Status(), start, rc.id)
			if rc.sess != nil {
				attrs = append(attrs, slog.String("staff", rc.sess.StaffID))
			}
			s.cfg.Log.LogAttrs(r.Context(), slog.LevelInfo, "console", attrs...)
		}()
		next.ServeHTTP(sw, r)
	})
}

// cacheStatic lets browsers keep the embedded assets for an hour: they hold no data.
func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// handle runs a route: the session for non-public routes (a visitor is sent to the login
// page, a restricted session to 2FA enrolment), the permission, the form token on POST, and
// renders any error.
func (s *Server) handle(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := s.newReqCtx(w, r)
		w.Header().Set("Cache-Control", "no-store")
		err := s.loadSession(r, rc)
		if err == nil && !rt.public {
			switch {
			case rc.sess == nil:
				http.Redirect(w, r, Prefix+"login", http.StatusSeeOther)
				return
			case rc.sess.Restricted:
				http.Redirect(w, r, Prefix+"enrol", http.StatusSeeOther)
				return
			case rt.perm != "" && !rc.sess.Role.Can(rt.perm):
				err = forbidden
			}
		}
		if err == nil && r.Method == http.MethodPost && rc.sess != nil && !s.cfg.Staff.CheckFormToken(rc.token, r.PostFormValue("csrf")) {
			err = &pageError{status: http.StatusForbidden, msg: "err.formtoken"}
		}
		if err == nil {
			err = rt.h(w, r, rc)
		}
		if err != nil {
			s.renderError(w, r, rc, err)
		}
	})
}

// pageError is what a person sees of a failure: a status and a message key (translated);
// the cause is logged with the request id, never shown.
type pageError struct {
	status int
	msg    string
	cause  error
}

func (e *pageError) Error() string { return e.msg }
func (e *pageError) Unwrap() error { return e.cause }

var (
	notFound  = &pageError{status: http.StatusNotFound, msg: "err.notfound"}
	forbidden = &pageError{status: http.StatusForbidden, msg: "err.forbidden"}
)

// toPageError maps domain errors to what a person may see.
func toPageError(err error) *pageError {
	var pe *pageError
	var inErr *vault.InputError
	var card *vault.CardRefusedError
	switch {
	case errors.As(err, &pe):
		return pe
	case errors.As(err, &card):
		return &pageError{status: http.StatusUnprocessableEntity, msg: "err.card", cause: err}
	case errors.As(err, &inErr):
		return &pageError{status: http.StatusBadRequest, msg: "err.input", cause: err}
	case errors.Is(err, vault.ErrNotFound):
		return notFound
	case errors.Is(err, vault.ErrShredded):
		return &pageError{status: http.StatusGone, msg: "err.shredded"}
	case errors.Is(err, vault.ErrForbidden):
		return forbidden
	case errors.Is(err, vault.ErrAuditUnavailable):
		return &pageError{status: http.StatusServiceUnavailable, msg: "err.audit", cause: err}
	case errors.Is(err, vault.ErrConflict):
		return &pageError{status: http.StatusConflict, msg: "err.conflict", cause: err}
	}
	return &pageError{status: http.StatusInternalServerError, msg: "err.internal", cause: err}
}

func (s *Server) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	pe := toPageError(err)
	if pe.status >= 500 {
		s.cfg.Log.LogAttrs(r.Context(), slog.LevelError, "console request failed", slog.String("id", rc.id), slog.String("msg", pe.msg), slog.Any("err", pe.cause))
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, rc, pe.status, "error", map[string]any{"Message": pe.msg, "Status": pe.status})
}

// view is what every page template receives.
type view struct {
	Lang    string
	Title   string // message key
	CSRF    string
	Me      *access.Member
	Shop    string
	Path    string // the page's own path, for the language switch
	ReqID   string
	Nav     []navItem
	Flash   string // message key of a one-off notice
	Data    any
	NoIdle  bool // the page has no session: no idle-logout refresh
	IdleSec int
}

type navItem struct {
	Href, Label string
	Active      bool
}

// render executes page in the layout. Templates render into a buffer first, so a template
// failure answers a clean error page rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, page string, data any) {
	t, ok := s.pages[page]
	if !ok {
		panic("console: no template " + page)
	}
	v := view{Lang: rc.lang, Title: "title." + page, CSRF: rc.form, Shop: rc.shop, Path: r.URL.Path, ReqID: rc.id, Data: data,
		IdleSec: int(access.SessionIdleTimeout / time.Second)}
	if rc.sess != nil && rc.sess.IdleTimeout > 0 {
		v.IdleSec = int(rc.sess.IdleTimeout / time.Second) // the shop's own, when stricter
	}
	if rc.sess != nil && !rc.sess.Restricted {
		v.Me = &rc.me
		v.Nav = s.nav(rc, r.URL.Path)
	} else {
		v.NoIdle = true
	}
	if m, ok := data.(map[string]any); ok {
		if f, ok := m["Flash"].(string); ok {
			v.Flash = f
		}
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		s.cfg.Log.Error("console template failed", slog.String("id", rc.id), slog.String("page", page), slog.Any("err", err))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprintf(w, "internal error (request id %s)\n", rc.id)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// nav lists the pages the member's role may open.
func (s *Server) nav(rc *reqCtx, path string) []navItem {
	role := rc.sess.Role
	items := []struct {
		href, label string
		show        bool
	}{
		{Prefix + "dashboard", "nav.dashboard", true},
		{Prefix + "customers", "nav.customers", role.Can(access.PermCustomersRead)},
		{Prefix + "staff", "nav.staff", role.Can(access.PermManageStaff)},
		{Prefix + "keys", "nav.keys", role.Can(access.PermManageKeys)},
		{Prefix + "audit", "nav.audit", role.Can(access.PermAuditRead)},
		{Prefix + "settings", "nav.settings", role.Can(access.PermManageIPs)},
	}
	var out []navItem
	for _, it := range items {
		if it.show {
			out = append(out, navItem{Href: it.href, Label: it.label, Active: strings.HasPrefix(path, it.href)})
		}
	}
	return out
}

// parseTemplates parses each page together with the layout: pages define "content".
func parseTemplates() (map[string]*template.Template, error) {
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return nil, err
	}
	entries, err := templateFS.ReadDir("templates")
	if err != nil {
		return nil, err
	}
	pages := map[string]*template.Template{}
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".html")
		if name == "layout" {
			continue
		}
		body, err := templateFS.ReadFile("templates/" + e.Name())
		if err != nil {
			return nil, err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return nil, fmt.Errorf("console: layout: %w", err)
		}
		if _, err := t.Parse(string(body)); err != nil {
			return nil, fmt.Errorf("console: %s: %w", e.Name(), err)
		}
		pages[name] = t
	}
	return pages, nil
}

// redirect answers a POST with 303 to a console path.
func redirect(w http.ResponseWriter, r *http.Request, path string) error {
	http.Redirect(w, r, path, http.StatusSeeOther)
	return nil
}
