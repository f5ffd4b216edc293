package console_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/console"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

// env is a console on a real HTTP server on loopback over a real database, with the
// domain objects a test needs to arrange things.
type env struct {
	url    string
	db     *store.DB
	vault  *vault.Vault
	staff  *access.Staff
	keys   *access.Keys
	trail  *audit.Trail
	shop   string // shop id of "default"
	other  string // shop id of "other"
	log    *syncBuf
	dbFile string
	// tlsClient trusts the test server's certificate (newEnvTLS); nil for plain HTTP.
	tlsClient *http.Client
}

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func newEnv(t testing.TB, b storetest.Backend) *env { t.Helper(); return newEnvTLS(t, b, false) }

// newEnvTLS is newEnv served over HTTPS (httptest's certificate) when tls is set.
func newEnvTLS(t testing.TB, b storetest.Backend, tls bool) *env {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, b.DSN, store.Options{AuditJournal: b.Journal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	trail, err := audit.Open(ctx, db, kr, filepath.Join(dir, audit.CheckpointFileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trail.Close() })
	e := &env{db: db, trail: trail, log: &syncBuf{}, dbFile: b.File}
	e.vault = vault.New(db, kr, keyring.OpenTombstones(filepath.Join(dir, keyring.TombstoneFileName)), trail, vault.Options{})
	e.keys = access.NewKeys(db, nil, nil)
	e.staff = access.NewStaff(db, kr, access.StaffOptions{Password: fastPasswords, Notify: trail.RecordNotice})
	sh, err := e.vault.CreateShop(ctx, vault.DefaultShop)
	if err != nil {
		t.Fatal(err)
	}
	e.shop = sh.ID
	sh2, err := e.vault.CreateShop(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	e.other = sh2.ID
	srv, err := console.New(console.Config{Vault: e.vault, Staff: e.staff, Keys: e.keys, Trail: trail,
		Log: slog.New(slog.NewJSONHandler(e.log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, srv.Handler())
	ts := httptest.NewUnstartedServer(mux)
	if tls {
		ts.StartTLS()
		e.tlsClient = ts.Client()
	} else {
		ts.Start()
	}
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

// fastPasswords keep argon2id cheap in tests (the production parameters are measured in
// internal/access).
var fastPasswords = access.PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1, SaltLen: 16, KeyLen: 32}

// browser is one person's browser: a cookie jar, no automatic redirects (tests look at them).
type browser struct {
	t    testing.TB
	e    *env
	c    *http.Client
	lang string
	csrf string // the form token of the last page that had one
}

func (e *env) browser(t testing.TB) *browser {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	if e.tlsClient != nil {
		c.Transport = e.tlsClient.Transport
	}
	return &browser{t: t, e: e, c: c}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (p page) location() string { return p.header.Get("Location") }

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	if b.lang != "" {
		req.Header.Set("Accept-Language", b.lang)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, body: string(body), header: res.Header}
	if m := csrfRE.FindStringSubmatch(p.body); m != nil {
		b.csrf = m[1]
	}
	return p
}

func (b *browser) get(path string) page {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.e.url+path, nil)
	return b.do(req)
}

// post submits a form as the page would: with the last form token seen, unless the form
// sets its own "csrf".
func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok && b.csrf != "" {
		form.Set("csrf", b.csrf)
	}
	req, _ := http.NewRequest("POST", b.e.url+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

const testPassword = "correct-horse-battery-9"

// member adds a staff member with 2FA already enrolled (through a setup link, as a real
// member would) and returns the member and a recovery code to log in with (a TOTP code
// would be refused as a replay within the same 30 seconds).
func (e *env) member(t testing.TB, shop, email string, role access.Role) (access.Member, []string) {
	t.Helper()
	ctx := context.Background()
	m, token, err := e.staff.Add(ctx, access.NewMember{Shop: shop, Email: email, Role: role, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	en, err := e.staff.NewEnrolment(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := e.staff.CompleteSetup(ctx, token, "", en, access.TOTPCode(en.Secret, time.Now()))
	if err != nil {
		t.Fatal(err)
	}
	return m, codes
}

// loginAs logs a new browser in as a fresh, enrolled member of the default shop.
func (e *env) loginAs(t testing.TB, email string, role access.Role) *browser {
	t.Helper()
	_, codes := e.member(t, e.shop, email, role)
	b := e.browser(t)
	p := b.post("/console/login", url.Values{"email": {email}, "password": {testPassword}, "otp": {codes[0]}})
	if p.status != http.StatusSeeOther || p.location() != "/console/dashboard" {
		t.Fatalf("login as %s: %d → %q", role, p.status, p.location())
	}
	b.get("/console/dashboard") // picks up the form token
	return b
}
