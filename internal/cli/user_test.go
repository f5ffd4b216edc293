package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/config"
	"github.com/kinko-jp/kinko/internal/vault"
)

// codeReader answers the 2FA prompt: when first read, it waits for the secret kinko printed
// on out and returns the current code for it.
type codeReader struct {
	out  *syncBuffer
	done bool
	// wrong, when set, answers this instead of the right code.
	wrong string
}

var secretLine = regexp.MustCompile(`secret: ([A-Z2-7]+)`)

func (r *codeReader) Read(p []byte) (int, error) {
	if r.done {
		return 0, errors.New("read past the code")
	}
	r.done = true
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if m := secretLine.FindStringSubmatch(r.out.String()); m != nil {
			code := r.wrong
			if code == "" {
				secret, err := access.ParseTOTPSecret(m[1])
				if err != nil {
					return 0, err
				}
				code = access.TOTPCode(secret, time.Now())
			}
			return copy(p, code+"\n"), nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return 0, errors.New("no secret printed")
}

func runSetup(t *testing.T, data, token string, wrong string, extra ...string) (stdout, stderr string, code int) {
	t.Helper()
	out, errb := &syncBuffer{}, &syncBuffer{}
	e := &Env{Stdin: &codeReader{out: out, wrong: wrong}, Stdout: out, Stderr: errb, Getenv: func(string) string { return "" }}
	args := append([]string{"user", "setup", "--data", data}, extra...)
	code = run(context.Background(), e, append(args, token))
	return out.String(), errb.String(), code
}

func writePassword(t *testing.T, pw string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(p, []byte(pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestUserCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	good := writePassword(t, "correct-horse-battery-9")

	// The access.sh flow: a member added with --password-file.
	out, errOut, code := runCLI(t, nil, "user", "add", "--data", data, "--email", "Support.Bar@example.jp", "--role", "support", "--password-file", good)
	if code != 0 {
		t.Fatalf("user add --password-file: exit %d: %s", code, errOut)
	}
	if tok := lastLine(out); !strings.HasPrefix(tok, "kinkou_") || strings.Contains(out+errOut, "correct-horse") {
		t.Fatal("user add must print the setup token as its last line and never the password")
	}

	// An owner without a password: a setup link, then setup on the command line.
	out, errOut, code = runCLI(t, nil, "user", "add", "--data", data, "--email", "owner@example.jp", "--role", "owner")
	if code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	token := lastLine(out)
	if _, errOut, code := runSetup(t, data, token, "000000"); code == 0 || !strings.Contains(errOut, "kinko: no password") {
		t.Fatalf("setup without a password: exit %d %q", code, errOut)
	}
	weak := writePassword(t, "Password1234")
	if _, errOut, code := runSetup(t, data, token, "", "--password-file", weak); code != 1 || !strings.Contains(errOut, "too common") || strings.Contains(errOut, "Password1234") {
		t.Fatalf("setup with a common password: exit %d %q", code, errOut)
	}
	if _, errOut, code := runSetup(t, data, token, "12345", "--password-file", good); code != 1 || !strings.Contains(errOut, "kinko: the 2FA code is not valid") {
		t.Fatalf("setup with a wrong code: exit %d %q", code, errOut)
	}
	out, errOut, code = runSetup(t, data, token, "", "--password-file", good)
	if code != 0 {
		t.Fatalf("setup: exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "otpauth://totp/") || strings.Count(out, "\n  ") < 10 {
		t.Fatalf("setup output lacks the URI or the recovery codes:\n%s", out)
	}
	if _, errOut, code := runSetup(t, data, token, "", "--password-file", good); code != 1 || !strings.Contains(errOut, "setup link is invalid") {
		t.Fatalf("reusing the link: exit %d %q", code, errOut)
	}

	list := func() string {
		t.Helper()
		out, errOut, code := runCLI(t, nil, "user", "list", "--data", data)
		if code != 0 {
			t.Fatalf("user list: %s", errOut)
		}
		return out
	}
	rowOf := func(email string) string {
		for _, l := range strings.Split(list(), "\n") {
			if strings.HasPrefix(l, email+" ") {
				return strings.Join(strings.Fields(l), " ")
			}
		}
		t.Fatalf("%s not listed", email)
		return ""
	}
	if r := rowOf("owner@example.jp"); r != "owner@example.jp owner active yes never -" {
		t.Fatalf("owner row %q", r)
	}
	if r := rowOf("support.bar@example.jp"); r != "support.bar@example.jp support active (setup link open) no never -" {
		t.Fatalf("support row %q", r)
	}

	steps := []struct {
		name    string
		args    []string
		code    int
		errHas  string
		rowWant string // the support member's row afterwards, if checked
	}{
		{"set-role", []string{"user", "set-role", "--data", data, "support.bar@example.jp", "shipping"}, 0, "now shipping", "support.bar@example.jp shipping"},
		{"set-role unknown role", []string{"user", "set-role", "--data", data, "support.bar@example.jp", "root"}, 2, "unknown role", ""},
		{"disable", []string{"user", "disable", "--data", data, "support.bar@example.jp"}, 0, "now disabled", "support.bar@example.jp shipping disabled"},
		{"enable", []string{"user", "enable", "--data", data, "support.bar@example.jp"}, 0, "now active", "support.bar@example.jp shipping active"},
		{"reset-2fa", []string{"user", "reset-2fa", "--data", data, "owner@example.jp"}, 0, "Removed the 2FA", ""},
		{"revoke-sessions", []string{"user", "revoke-sessions", "--data", data, "owner@example.jp"}, 0, "Ended 0 sessions", ""},
		{"unlock", []string{"user", "unlock", "--data", data, "owner@example.jp"}, 0, "Unlocked", ""},
		{"unknown member", []string{"user", "disable", "--data", data, "nobody@example.jp"}, 1, "kinko: no such staff member", ""},
		{"last owner cannot be demoted", []string{"user", "set-role", "--data", data, "owner@example.jp", "admin"}, 1, "at least one active owner", ""},
		{"duplicate", []string{"user", "add", "--data", data, "--email", "owner@example.jp", "--role", "support"}, 1, "already exists", ""},
		{"short password", []string{"user", "add", "--data", data, "--email", "x@example.jp", "--role", "support", "--password-file", writePassword(t, "short")}, 1, "at least 12", ""},
		{"missing role", []string{"user", "add", "--data", data, "--email", "x@example.jp"}, 2, "--role are required", ""},
		{"bad email", []string{"user", "add", "--data", data, "--email", "x", "--role", "support"}, 2, "not a valid email", ""},
		{"unknown shop", []string{"user", "list", "--data", data, "--shop", "nope"}, 1, "no shop named", ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			_, errOut, code := runCLI(t, nil, st.args...)
			if code != st.code || !strings.Contains(errOut, st.errHas) {
				t.Fatalf("exit %d %q, want %d and %q", code, errOut, st.code, st.errHas)
			}
			if st.rowWant != "" && !strings.HasPrefix(rowOf("support.bar@example.jp"), st.rowWant) {
				t.Fatalf("row %q", rowOf("support.bar@example.jp"))
			}
		})
	}
	if r := rowOf("owner@example.jp"); !strings.HasPrefix(r, "owner@example.jp owner active no") {
		t.Fatalf("after reset-2fa: %q", r)
	}
	if strings.Contains(list(), "correct-horse") {
		t.Fatal("user list shows a password")
	}
	out, _, code = runCLI(t, nil, "user", "setup-link", "--data", data, "owner@example.jp")
	if code != 0 || !strings.HasPrefix(lastLine(out), "kinkou_") || lastLine(out) == token {
		t.Fatal("setup-link must print a new token")
	}
	for _, name := range []string{"user add", "user list", "user disable", "user enable", "user reset-2fa", "user set-role", "user setup", "user revoke-sessions", "shop allow-ip"} {
		out, _, code := runCLI(t, nil, append(strings.Fields(name), "-h")...)
		if code != 0 || !strings.Contains(out, "Usage: kinko "+name) {
			t.Errorf("%s -h: exit %d %q", name, code, out)
		}
	}
}

// TestUserAddThenLockout is access.sh's login half through the library: a member added by
// the CLI with --password-file is locked at the 10th failure, and the 11th attempt with the
// right password is refused.
func TestUserAddThenLockout(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if _, errOut, code := runCLI(t, nil, "user", "add", "--data", data, "--email", "support.bar@example.jp", "--role", "support", "--password-file", writePassword(t, "correct-horse-battery-9")); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	cfg, err := config.Load(map[string]string{"data": data}, func(string) string { return "" }, "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := openServices(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	shop, err := s.vault.ShopByName(ctx, vault.DefaultShop)
	if err != nil {
		t.Fatal(err)
	}
	st := staffService(s)
	try := func(pw string) error {
		_, err := st.Login(ctx, access.LoginRequest{Shop: shop.ID, Email: "support.bar@example.jp", Password: pw, OTP: "000000", IP: "127.0.0.1"})
		return err
	}
	for i := 1; i <= 10; i++ {
		want := access.ErrInvalidCredentials
		if i == 10 {
			want = access.ErrLocked
		}
		if err := try("wrong-password-123"); !errors.Is(err, want) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if err := try("correct-horse-battery-9"); !errors.Is(err, access.ErrLocked) {
		t.Fatalf("11th attempt with the right password: %v", err)
	}
}

func TestShopAllowIP(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	steps := []struct {
		name    string
		args    []string
		code    int
		outWant string
		errHas  string
	}{
		{"empty list", []string{"list"}, 0, "", "any address"},
		{"add two", []string{"add", "10.20.0.7/16", "2001:db8::1"}, 0, "", "only from the listed"},
		{"flags after the verb", []string{"add", "--shop", "default", "127.0.0.2"}, 0, "", "Allowed 127.0.0.2/32"},
		{"list", []string{"list"}, 0, "10.20.0.0/16\n2001:db8::1/128\n127.0.0.2/32\n", ""},
		{"not a network", []string{"add", "example.jp"}, 1, "", "not an IP address"},
		{"remove", []string{"remove", "127.0.0.2"}, 0, "", "Removed 127.0.0.2/32"},
		{"remove again", []string{"remove", "127.0.0.2"}, 1, "", "not in the allow-list"},
		{"list after removal", []string{"list"}, 0, "10.20.0.0/16\n2001:db8::1/128\n", ""},
		{"no verb", nil, 2, "", "give add, remove or list"},
		{"unknown verb", []string{"clear"}, 2, "", "unknown action"},
		{"add nothing", []string{"add"}, 2, "", "at least one CIDR"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			args := append([]string{"shop", "allow-ip", "--data", data}, st.args...)
			out, errOut, code := runCLI(t, nil, args...)
			if code != st.code || !strings.Contains(errOut, st.errHas) || (st.outWant != "" && out != st.outWant) {
				t.Fatalf("exit %d out %q err %q", code, out, errOut)
			}
		})
	}
}

// Role changes and 2FA resets reach the owner through kinko user notices, by email; other
// events (a staff member created) do not.
func TestUserNotices(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data, "--owner-email", "owner@example.jp"); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if _, errOut, code := runCLI(t, nil, "user", "add", "--data", data, "--email", "sup@example.jp", "--role", "support"); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	if out, _, code := runCLI(t, nil, "user", "notices", "--data", data); code != 0 || strings.Count(out, "\n") != 1 {
		t.Fatalf("no notice yet: exit %d\n%s", code, out)
	}
	if _, errOut, code := runCLI(t, nil, "user", "set-role", "--data", data, "sup@example.jp", "shipping"); code != 0 {
		t.Fatalf("set-role: %s", errOut)
	}
	if _, errOut, code := runCLI(t, nil, "user", "reset-2fa", "--data", data, "sup@example.jp"); code != 0 {
		t.Fatalf("reset-2fa: %s", errOut)
	}
	out, errOut, code := runCLI(t, nil, "user", "notices", "--data", data)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.Contains(lines[1], "staff.2fa_reset") || !strings.Contains(lines[2], "staff.role_changed") ||
		!strings.Contains(lines[2], "sup@example.jp") || !strings.Contains(lines[2], "support→shipping") {
		t.Fatalf("notices: exit %d, stderr %q\n%s", code, errOut, out)
	}
}
