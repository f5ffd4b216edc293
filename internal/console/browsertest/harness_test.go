// Package browsertest drives the staff console in a real Chromium (through chromedp)
// against a real `kinko serve` on loopback: the binary is built from this module, the data
// folder made by `kinko init`, members added with `kinko user add`, customers created over
// the JSON API with the init API key. Nothing is faked between the browser and the database.
//
// Chromium is Debian's /usr/bin/chromium (or whatever `chromium` is on PATH). Without it the
// tests skip, except under CI=true, where they fail: CI must run them.
//
// KINKO_SCREENSHOTS=1 also saves a Japanese and an English screenshot of each page to
// docs/screenshots/ (committed; linked from README.md and docs/console.md).
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kinko-jp/kinko/internal/access"
)

const (
	ownerEmail = "owner@example.jp"
	password   = "kinko-browser-test-passphrase-2026"
	// actionTimeout bounds one browser step: a page of the console answers in milliseconds,
	// a login in well under a second (argon2id).
	actionTimeout = 20 * time.Second
)

// server is one `kinko serve` over a fresh data folder.
type server struct {
	bin, data, base string
	apiKey          string
	ownerSetup      string // the path of the owner's setup link, /console/setup/TOKEN
	cmd             *exec.Cmd
	log             *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// The server and the browser are shared by every test of the package (one build, one
// Chromium); each test opens its own browser contexts (own cookies) as tabs.
var (
	once     sync.Once
	shared   *server
	browser  context.Context
	stopAll  func()
	setupErr error
	used     bool // the shared server has served a run already
)

func TestMain(m *testing.M) {
	code := m.Run()
	if stopAll != nil {
		stopAll()
	}
	os.Exit(code)
}

// chromiumPath finds Chromium; "" when it is not installed.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	return ""
}

// start returns the shared server and browser, building and starting them the first time.
// Without Chromium it skips the test, or fails it under CI=true.
func start(t *testing.T) *server {
	t.Helper()
	chrome := chromiumPath()
	if chrome == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed: CI must run the browser tests (apt-get install -y chromium; .ci/run does it)")
		}
		t.Skip("chromium is not installed (apt-get install -y chromium): skipping the browser tests")
	}
	if testing.Short() {
		t.Skip("browser tests skipped in -short mode")
	}
	once.Do(func() { setupErr = setup(chrome) })
	if setupErr != nil {
		t.Fatal(setupErr)
	}
	if used {
		// A second run in one process (go test -count=2): the story starts from kinko init
		// again (the owner's setup link is spent), so it gets a fresh server of its own.
		s, err := startServer()
		if err != nil {
			t.Fatal(err)
		}
		stop := stopAll
		stopAll = func() { stop(); s.stop() }
		shared = s
	}
	used = true
	return shared
}

func setup(chrome string) error {
	s, err := startServer()
	if err != nil {
		return err
	}
	shared = s
	profile, err := os.MkdirTemp("", "kinko-chromium-")
	if err != nil {
		return err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chrome),
		chromedp.Headless,
		chromedp.NoSandbox, // tests run as root in CI containers
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelBrowser := chromedp.NewContext(allocCtx)
	stopAll = func() {
		cancelBrowser()
		cancelAlloc()
		os.RemoveAll(profile)
		s.stop()
	}
	if err := chromedp.Do(ctx); err != nil { // starts Chromium, with no timeout on its life
		return fmt.Errorf("starting chromium: %w", err)
	}
	browser = ctx
	return nil
}

// moduleRoot is the directory of go.mod.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", fmt.Errorf("not inside the kinko module")
	}
	return filepath.Dir(gomod), nil
}

var setupRE = regexp.MustCompile(`/console/setup/(kinkou_[A-Za-z0-9_-]+)`)

func startServer() (*server, error) {
	root, err := moduleRoot()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "kinko-browser-")
	if err != nil {
		return nil, err
	}
	s := &server{bin: filepath.Join(dir, "kinko"), data: filepath.Join(dir, "data"), log: &lockedBuffer{}}
	build := exec.Command("go", "build", "-o", s.bin, "./cmd/kinko")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/kinko: %v\n%s", err, out)
	}
	out, err := exec.Command(s.bin, "init", "--data", s.data, "--owner-email", ownerEmail).CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("kinko init: %v\n%s", err, out)
	}
	m := setupRE.FindStringSubmatch(string(out))
	key := regexp.MustCompile(`(?m)^(kinko_[A-Za-z0-9_-]+)$`).FindStringSubmatch(string(out))
	if m == nil || key == nil {
		return nil, fmt.Errorf("kinko init printed no setup link or API key:\n%s", out)
	}
	s.ownerSetup, s.apiKey = "/console/setup/"+m[1], key[1]
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	s.base = "http://" + addr
	s.cmd = exec.Command(s.bin, "serve", "--data", s.data, "--addr", addr)
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		res, err := http.Get(s.base + "/healthz")
		if err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("kinko serve did not answer /healthz within 20 s:\n%s", s.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (s *server) stop() {
	if s.cmd != nil && s.cmd.Process != nil {
		s.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(filepath.Dir(s.bin))
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// addMember runs `kinko user add` with a password file and returns the setup link's path.
func (s *server) addMember(t *testing.T, email, role string) string {
	t.Helper()
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte(password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(s.bin, "user", "add", "--data", s.data, "--email", email, "--role", role, "--password-file", pw).Output()
	if err != nil {
		t.Fatalf("kinko user add %s: %v", email, err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	token := strings.TrimSpace(lines[len(lines)-1])
	if !strings.HasPrefix(token, "kinkou_") {
		t.Fatalf("kinko user add printed no setup token last: %q", out)
	}
	return "/console/setup/" + token
}

// api calls the JSON API with the init key and decodes the answer into out.
func (s *server) api(t *testing.T, method, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, s.base+path, bytes.NewReader(b))
	req.Header.Set("Authorization", "Bearer "+s.apiKey)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatal(err)
		}
	}
}

// tab is one person's browser: its own browser context (cookies), in a tab of the shared
// Chromium.
type tab struct {
	t   *testing.T
	s   *server
	ctx context.Context
}

func (s *server) newTab(t *testing.T) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	b := &tab{t: t, s: s, ctx: ctx}
	// The first run opens the tab and ties it to ctx: no timeout on that one.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 900)); err != nil {
		t.Fatalf("opening a tab: %v", err)
	}
	return b
}

// do runs steps, failing the test on an error.
func (b *tab) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v\nserver log:\n%s", err, tail(b.s.log.String(), 2000))
	}
}

func run[T any](b *tab, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.t.Fatalf("browser: %v", err)
	}
	return v
}

// open navigates to a console path and returns the HTTP status of the page.
func (b *tab) open(path string) int64 {
	b.t.Helper()
	url := path
	if strings.HasPrefix(path, "/") {
		url = b.s.base + path
	}
	res := run(b, chromedp.NavigateResponse(url))
	if res == nil {
		return 0
	}
	return res.Status
}

// submit clicks a submit button (by CSS) and waits for the page it leads to; it returns
// that page's HTTP status (after redirects).
func (b *tab) submit(css string) int64 {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible)); err != nil {
		b.t.Fatalf("submitting %s: %v", css, err)
	}
	return b.status()
}

// status is the HTTP status of the page shown (Navigation Timing).
func (b *tab) status() int64 {
	b.t.Helper()
	return run(b, chromedp.Evaluate[int64](`performance.getEntriesByType("navigation")[0].responseStatus`))
}

// text is what the page says (the body's visible text).
func (b *tab) text() string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](`document.body.innerText`))
}

// html is the page's markup.
func (b *tab) html() string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](`document.documentElement.outerHTML`))
}

func (b *tab) path() string {
	b.t.Helper()
	return run(b, chromedp.Evaluate[string](`location.pathname + location.search`))
}

// fill types into an input found by CSS (clearing it first).
func (b *tab) fill(css, value string) {
	b.t.Helper()
	b.do(chromedp.Clear(chromedp.CSS(css)), chromedp.SendKeys(chromedp.CSS(css), value))
}

// lang sets the console language of this browser (the footer's switch) and comes back to
// the page it was on.
func (b *tab) lang(l string) {
	b.t.Helper()
	b.open("/console/lang?l=" + l + "&next=" + b.path())
}

// secretRE finds the TOTP secret the setup and enrolment pages show as text.
var secretRE = regexp.MustCompile(`<code class="secret"[^>]*>([A-Z2-7 ]+)</code>`)

func (b *tab) totpSecret() []byte {
	b.t.Helper()
	m := secretRE.FindStringSubmatch(b.html())
	if m == nil {
		b.t.Fatal("no TOTP secret on the page")
	}
	secret, err := access.ParseTOTPSecret(m[1])
	if err != nil {
		b.t.Fatal(err)
	}
	return secret
}

// codes returns an enrolment code and a login code for secret that the server accepts one
// after the other: the previous step's code to enrol and the current one to log in (the
// server takes ±1 step and refuses a step it has seen). It first waits out the end of a step
// so that the enrolment code cannot fall out of the window on its way.
func codes(secret []byte) (enrol, login string) {
	const step = 30
	if left := step - time.Now().Unix()%step; left < 4 {
		time.Sleep(time.Duration(left)*time.Second + 200*time.Millisecond)
	}
	now := time.Now()
	return access.TOTPCode(secret, now.Add(-step*time.Second)), access.TOTPCode(secret, now)
}

// setUp completes a setup link in the browser (password when asked, 2FA with the secret
// shown) and returns the TOTP secret and the login code to use next.
func (b *tab) setUp(link string, setPassword bool, shot string) (secret []byte, loginCode string, recovery []string) {
	b.t.Helper()
	if st := b.open(link); st != 200 {
		b.t.Fatalf("setup link: %d", st)
	}
	b.screenshot(shot)
	secret = b.totpSecret()
	if setPassword {
		b.fill("#password", password)
		b.fill("#password2", password)
	}
	enrol, login := codes(secret)
	b.fill("#code", enrol)
	if st := b.submit(`form button[type=submit].primary`); st != 200 {
		b.t.Fatalf("setup: %d\n%s", st, b.text())
	}
	recovery = strings.Fields(run(b, chromedp.Text(chromedp.CSS("#recovery-codes"))))
	if len(recovery) != access.RecoveryCodeCount {
		b.t.Fatalf("recovery codes shown: %d", len(recovery))
	}
	return secret, login, recovery
}

// login fills the login form; it returns the status of the page it lands on.
func (b *tab) login(email, pw, otp string) int64 {
	b.t.Helper()
	if st := b.open("/console/login"); st != 200 {
		b.t.Fatalf("login page: %d", st)
	}
	b.fill("#email", email)
	b.fill("#password", pw)
	b.fill("#otp", otp)
	return b.submit(`form[action="/console/login"] button[type=submit]`)
}

// screenshot saves the page as docs/screenshots/NAME-LANG.png in the language shown, when
// KINKO_SCREENSHOTS=1.
func (b *tab) screenshot(name string) {
	b.t.Helper()
	if name == "" || os.Getenv("KINKO_SCREENSHOTS") != "1" {
		return
	}
	lang := run(b, chromedp.Evaluate[string](`document.documentElement.lang`))
	png := run(b, chromedp.FullScreenshot(100))
	root, err := moduleRoot()
	if err != nil {
		b.t.Fatal(err)
	}
	dir := filepath.Join(root, "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+"-"+lang+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// screenshots saves a GET page in both languages and leaves it in Japanese.
func (b *tab) screenshots(name string) {
	b.t.Helper()
	if os.Getenv("KINKO_SCREENSHOTS") != "1" {
		return
	}
	b.lang("en")
	b.screenshot(name)
	b.lang("ja")
	b.screenshot(name)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
