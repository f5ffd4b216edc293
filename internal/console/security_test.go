package console_test

import (
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/console"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// TestSecurityHeaders: every answer, pages and errors alike, carries the strict CSP and
// its companions; nothing personal is cacheable.
func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.loginAs(t, "headers.owner@example.jp", access.RoleOwner)
	for _, path := range []string{"/console/login", "/console/dashboard", "/console/no-such-page", "/console/setup/kinkou_x"} {
		p := b.get(path)
		csp := p.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: CSP lacks %q", path, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
			t.Errorf("%s: CSP allows unsafe code", path)
		}
		for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
			"X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
			if got := p.header.Get(h); got != want {
				t.Errorf("%s: %s = %q, want %q", path, h, got, want)
			}
		}
	}
	if p := b.get("/console/static/console.css"); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") {
		t.Fatalf("stylesheet: %d %q", p.status, p.header.Get("Content-Type"))
	}
}

// TestCrossSiteRefused: a form posted from another site is refused before any handler
// runs, whether or not the browser holds a session.
func TestCrossSiteRefused(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.loginAs(t, "xsite.owner@example.jp", access.RoleOwner)
	for _, path := range []string{"/console/login", "/console/logout"} {
		req, _ := http.NewRequest("POST", e.url+path, strings.NewReader(url.Values{"csrf": {b.csrf}, "email": {"a@b.jp"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		p := b.do(req)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "別のサイト") {
			t.Errorf("cross-site POST %s: %d", path, p.status)
		}
	}
	if p := b.get("/console/dashboard"); p.status != 200 {
		t.Fatalf("the cross-site logout ended the session: %d", p.status)
	}
}

// TestLanguage: Japanese by default, English from Accept-Language or the footer's choice,
// which sticks; the switch never redirects off the console.
func TestLanguage(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.browser(t)
	if p := b.get("/console/login"); !strings.Contains(p.body, "ログイン") || !strings.Contains(p.body, `<html lang="ja">`) {
		t.Fatal("not Japanese by default")
	}
	b.lang = "en-US,en;q=0.9"
	if p := b.get("/console/login"); !strings.Contains(p.body, "Log in") || !strings.Contains(p.body, `<html lang="en">`) {
		t.Fatal("Accept-Language: en not honoured")
	}
	b.lang = "en"
	p := b.get("/console/lang?l=ja&next=/console/login")
	if p.status != http.StatusSeeOther || p.location() != "/console/login" {
		t.Fatalf("language switch: %d → %q", p.status, p.location())
	}
	if p := b.get("/console/login"); !strings.Contains(p.body, "ログイン") {
		t.Fatal("the chosen language does not stick over Accept-Language")
	}
	for _, next := range []string{"https://evil.example/", "//evil.example/", "/console/\\evil", "/elsewhere"} {
		if p := b.get("/console/lang?l=en&next=" + url.QueryEscape(next)); p.location() != "/console/" {
			t.Errorf("language switch to %q redirects to %q", next, p.location())
		}
	}
}

// TestMessages: every key the templates and handlers use exists in both languages, and no
// template holds inline script or style (the CSP would block them anyway).
func TestMessages(t *testing.T) {
	keyRE := regexp.MustCompile(`\bt \$?[.\w]*[Ll]ang "([a-z0-9_.]+)"`)
	goKeyRE := regexp.MustCompile(`"((?:title|nav|err|login|enrol|setup|recovery|dash|pw|notice|role|footer|app|cust|staff|keys|audit|settings)\.[a-z0-9_.]+)"`)
	seen := map[string]bool{}
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		isTmpl, isGo := strings.HasSuffix(path, ".html"), strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go")
		if !isTmpl && !isGo {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src := string(b)
		if isTmpl {
			if regexp.MustCompile(`<script[^>]*>\s*[^<\s]`).MatchString(src) || strings.Contains(src, "<style") || strings.Contains(src, " style=") ||
				regexp.MustCompile(`\son[a-z]+=`).MatchString(src) {
				t.Errorf("%s: inline script, style or event handler", path)
			}
			for _, m := range keyRE.FindAllStringSubmatch(src, -1) {
				seen[m[1]] = true
			}
		}
		if isGo && path != "i18n.go" {
			for _, m := range goKeyRE.FindAllStringSubmatch(src, -1) {
				seen[m[1]] = true
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) < 20 {
		t.Fatalf("found only %d message keys: the scan is broken", len(seen))
	}
	for k := range seen {
		if strings.HasSuffix(k, ".") {
			continue // a prefix joined with a value at run time
		}
		ja, en := console.T("ja", k), console.T("en", k)
		if ja == k || en == k || ja == "" || en == "" {
			t.Errorf("message %q is missing in a language", k)
		}
	}
}

// TestCookieOverTLS: served over HTTPS, the session cookie is Secure and __Host- prefixed
// (the browser then refuses it from plain HTTP or a subdomain), and HSTS is sent.
func TestCookieOverTLS(t *testing.T) {
	e := newEnvTLS(t, storetest.SQLite(t), true)
	_, codes := e.member(t, e.shop, "tls.member@example.jp", access.RoleSupport)
	b := e.browser(t)
	p := b.post("/console/login", url.Values{"email": {"tls.member@example.jp"}, "password": {testPassword}, "otp": {codes[0]}})
	c := p.header.Get("Set-Cookie")
	if p.status != http.StatusSeeOther || !strings.HasPrefix(c, "__Host-kinko_session=kinkos_") || !strings.Contains(c, "Secure") ||
		!strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") || !strings.Contains(c, "Path=/") || strings.Contains(c, "Domain=") {
		t.Fatalf("login over TLS: %d, cookie %q", p.status, c)
	}
	if !strings.Contains(p.header.Get("Strict-Transport-Security"), "max-age=") {
		t.Error("no HSTS over TLS")
	}
	if p := b.get("/console/dashboard"); p.status != 200 {
		t.Fatalf("dashboard over TLS: %d", p.status)
	}
}
