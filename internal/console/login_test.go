package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

var secretRE = regexp.MustCompile(`<code class="secret"[^>]*>([A-Z2-7 ]+)</code>`)

// TestLoginEnrolLogout: first login of a member without 2FA lands on enrolment, nothing
// else opens until a code confirms it, recovery codes are shown once, and logout ends the
// session on the server, not only in the browser.
func TestLoginEnrolLogout(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	if _, _, err := e.staff.Add(ctx, access.NewMember{Shop: e.shop, Email: "new.member@example.jp", Role: access.RoleSupport, Password: testPassword}); err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	if p := b.get("/console/"); p.status != http.StatusSeeOther || p.location() != "/console/login" {
		t.Fatalf("visitor at /console/: %d → %q", p.status, p.location())
	}
	if p := b.get("/console/dashboard"); p.status != http.StatusSeeOther || p.location() != "/console/login" {
		t.Fatalf("visitor at the dashboard: %d → %q", p.status, p.location())
	}
	p := b.get("/console/login")
	if p.status != 200 || !strings.Contains(p.body, "ログイン") || !strings.Contains(p.body, `lang="ja"`) {
		t.Fatalf("login page: %d", p.status)
	}

	p = b.post("/console/login", url.Values{"email": {"new.member@example.jp"}, "password": {testPassword}})
	if p.status != http.StatusSeeOther || p.location() != "/console/enrol" {
		t.Fatalf("first login: %d → %q", p.status, p.location())
	}
	cookie := p.header.Get("Set-Cookie")
	for _, want := range []string{"kinko_session=kinkos_", "HttpOnly", "SameSite=Strict", "Path=/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie lacks %q", want)
		}
	}
	if p := b.get("/console/dashboard"); p.status != http.StatusSeeOther || p.location() != "/console/enrol" {
		t.Fatalf("restricted session opened the dashboard: %d → %q", p.status, p.location())
	}
	p = b.get("/console/enrol")
	m := secretRE.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil || !strings.Contains(p.body, `src="data:image/png;base64,`) {
		t.Fatalf("enrol page: %d, secret shown %v", p.status, m != nil)
	}
	secret, err := access.ParseTOTPSecret(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if again := secretRE.FindStringSubmatch(b.get("/console/enrol").body); again == nil || again[1] != m[1] {
		t.Fatal("reloading the enrol page changed the secret the member already scanned")
	}
	p = b.post("/console/enrol", url.Values{"code": {"000000"}})
	if p.status != http.StatusUnauthorized || !strings.Contains(p.body, "コードが正しくありません") {
		t.Fatalf("wrong code: %d", p.status)
	}
	if p := b.post("/console/enrol", url.Values{"code": {access.TOTPCode(secret, time.Now())}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("enrolment with a wrong form token: %d", p.status)
	}
	p = b.post("/console/enrol", url.Values{"code": {access.TOTPCode(secret, time.Now())}})
	if p.status != 200 || strings.Count(p.body, "<li><code>") != access.RecoveryCodeCount {
		t.Fatalf("confirm: %d, recovery codes shown: %d", p.status, strings.Count(p.body, "<li><code>"))
	}
	p = b.get("/console/dashboard")
	if p.status != 200 || !strings.Contains(p.body, "new.member@example.jp") || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("dashboard: %d, cache %q", p.status, p.header.Get("Cache-Control"))
	}
	if strings.Contains(p.body, `href="/console/staff"`) || strings.Contains(p.body, `href="/console/audit"`) {
		t.Error("support sees staff or audit pages in its menu")
	}

	// Logout needs the form token, then ends the session server-side.
	if p := b.post("/console/logout", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("logout with a forged token: %d", p.status)
	}
	var token string
	u, _ := url.Parse(e.url)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "kinko_session" {
			token = c.Value
		}
	}
	if p := b.post("/console/logout", nil); p.status != http.StatusSeeOther || p.location() != "/console/login?m=loggedout" {
		t.Fatalf("logout: %d → %q", p.status, p.location())
	}
	if _, err := e.staff.Authenticate(ctx, token); err == nil {
		t.Fatal("the session still works on the server after logout")
	}
	if p := b.get("/console/dashboard"); p.status != http.StatusSeeOther {
		t.Fatalf("dashboard after logout: %d", p.status)
	}
}

// TestLoginRefusals: wrong credentials and an unknown email read the same; the 10th failure
// locks the account (423) with a message that says what to do; nothing echoes a password.
func TestLoginRefusals(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	_, codes := e.member(t, e.shop, "locked.member@example.jp", access.RoleSupport)
	b := e.browser(t)
	unknown := b.post("/console/login", url.Values{"email": {"nobody@example.jp"}, "password": {"wrong-password-123"}, "otp": {"123456"}})
	wrong := b.post("/console/login", url.Values{"email": {"locked.member@example.jp"}, "password": {"wrong-password-123"}, "otp": {"123456"}})
	if unknown.status != 401 || wrong.status != 401 || !strings.Contains(wrong.body, "正しくありません") {
		t.Fatalf("wrong password %d, unknown email %d", wrong.status, unknown.status)
	}
	strip := func(s string) string {
		return regexp.MustCompile(`value="[^"]*"|X-Request-Id|[0-9a-f]{16}`).ReplaceAllString(s, "")
	}
	if strip(unknown.body) != strip(wrong.body) {
		t.Error("an unknown email is answered differently from a wrong password")
	}
	if strings.Contains(wrong.body, "wrong-password-123") {
		t.Error("the page echoes the password")
	}
	var last page
	for i := 2; i <= 10; i++ {
		last = b.post("/console/login", url.Values{"email": {"locked.member@example.jp"}, "password": {"wrong-password-123"}, "otp": {"123456"}})
	}
	if last.status != http.StatusLocked || !strings.Contains(last.body, "30分間ロック") {
		t.Fatalf("10th failure: %d", last.status)
	}
	p := b.post("/console/login", url.Values{"email": {"locked.member@example.jp"}, "password": {testPassword}, "otp": {codes[0]}})
	if p.status != http.StatusLocked || p.header.Get("Set-Cookie") != "" {
		t.Fatalf("right password while locked: %d (cookie %q)", p.status, p.header.Get("Set-Cookie"))
	}
	if strings.Contains(e.log.String(), "locked.member@example.jp") {
		t.Error("the log names the member's email")
	}
}

// TestSetupLink: the one-time link of kinko init / kinko user add sets the password and
// enrols 2FA in the browser, then is spent; the token never reaches the log.
func TestSetupLink(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	_, token, err := e.staff.Add(ctx, access.NewMember{Shop: e.shop, Email: "first.owner@example.jp", Role: access.RoleOwner})
	if err != nil {
		t.Fatal(err)
	}
	b := e.browser(t)
	if p := b.get("/console/setup/kinkou_notatoken"); p.status != http.StatusNotFound || !strings.Contains(p.body, "無効") {
		t.Fatalf("bad setup link: %d", p.status)
	}
	p := b.get("/console/setup/" + token)
	m := secretRE.FindStringSubmatch(p.body)
	if p.status != 200 || m == nil || !strings.Contains(p.body, "first.owner@example.jp") {
		t.Fatalf("setup page: %d", p.status)
	}
	secretField := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(p.body)
	secret, _ := access.ParseTOTPSecret(m[1])
	form := url.Values{"secret": {secretField[1]}, "password": {"a-long-owner-phrase-42"}, "password2": {"a-long-owner-phrase-43"},
		"code": {access.TOTPCode(secret, time.Now())}}
	if p := b.post("/console/setup/"+token, form); p.status != 400 || !strings.Contains(p.body, "一致しません") {
		t.Fatalf("mismatched passwords: %d", p.status)
	}
	form.Set("password", "password1234")
	form.Set("password2", "password1234")
	if p := b.post("/console/setup/"+token, form); p.status != 400 || !strings.Contains(p.body, "よく使われる") {
		t.Fatalf("common password: %d", p.status)
	}
	form.Set("password", "a-long-owner-phrase-42")
	form.Set("password2", "a-long-owner-phrase-42")
	p = b.post("/console/setup/"+token, form)
	if p.status != 200 || strings.Count(p.body, "<li><code>") != access.RecoveryCodeCount {
		t.Fatalf("setup: %d", p.status)
	}
	if p := b.get("/console/setup/" + token); p.status != http.StatusNotFound {
		t.Fatalf("a used setup link opens again: %d", p.status)
	}
	mem, err := e.staff.Get(ctx, e.shop, "first.owner@example.jp")
	if err != nil || !mem.PasswordSet || !mem.TOTPEnrolled {
		t.Fatalf("after setup: %+v %v", mem, err)
	}
	if log := e.log.String(); strings.Contains(log, token) || strings.Contains(log, "kinkou_") || !strings.Contains(log, "/console/setup/{token}") {
		t.Error("the log holds the setup token, or not the route pattern")
	}
}

// TestIdleRefreshLogsOut: the page's idle refresh lands on the login page and ends the
// session even before the server's own timeout.
func TestIdleRefreshLogsOut(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	b := e.loginAs(t, "idle.member@example.jp", access.RoleSupport)
	p := b.get("/console/dashboard")
	if !strings.Contains(p.body, `http-equiv="refresh" content="900;url=/console/login?m=expired"`) {
		t.Fatal("no idle refresh on the dashboard")
	}
	p = b.get("/console/login?m=expired")
	if p.status != 200 || !strings.Contains(p.body, "ログアウトしました") {
		t.Fatalf("expired notice: %d", p.status)
	}
	if p := b.get("/console/dashboard"); p.status != http.StatusSeeOther {
		t.Fatalf("session still open after the idle refresh: %d", p.status)
	}
}
