package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAPIKeyLimits(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	out, errOut, code := runCLI(t, nil, "apikey", "create", "--data", data, "--name", "crm", "--scope", "customers:read:masked",
		"--allow-ip", "192.0.2.0/24,2001:db8::/48", "--allow-ip", "198.51.100.7", "--expires", "2160h")
	if code != 0 || !strings.HasPrefix(out, "kinko_") {
		t.Fatalf("create with limits: exit %d, %q", code, errOut)
	}
	list, _, _ := runCLI(t, nil, "apikey", "list", "--data", data)
	line := ""
	for _, l := range strings.Split(list, "\n") {
		if strings.Contains(l, " crm ") {
			line = l
		}
	}
	if !strings.Contains(line, "customers:read:masked") || !strings.Contains(line, "192.0.2.0/24,2001:db8::/48,198.51.100.7/32") ||
		!strings.Contains(line, time.Now().UTC().Add(2160*time.Hour).Format("2006-01-02")) || !strings.Contains(list, "ALLOWED IPS") {
		t.Fatalf("list does not show the limits:\n%s", list)
	}
	for _, bad := range [][]string{
		{"--scope", "customers:read,customers:read:masked"},
		{"--scope", "check", "--allow-ip", "192.0.2.300"},
		{"--scope", "check", "--expires", "2020-01-01"},
		{"--scope", "check", "--expires", "soon"},
	} {
		args := append([]string{"apikey", "create", "--data", data, "--name", "bad"}, bad...)
		if _, _, code := runCLI(t, nil, args...); code != 2 {
			t.Errorf("%v: exit %d, want 2", bad, code)
		}
	}
}

func TestParseExpiry(t *testing.T) {
	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	for in, want := range map[string]time.Time{
		"720h":                      now.Add(720 * time.Hour),
		"2025-06-30":                time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC),
		"2025-06-30T18:00:00+09:00": time.Date(2025, 6, 30, 9, 0, 0, 0, time.UTC),
	} {
		if got, err := parseExpiry(in, now); err != nil || !got.Equal(want) {
			t.Errorf("%s: %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"-1h", "2025-03-31", "next week"} {
		if _, err := parseExpiry(in, now); err == nil {
			t.Errorf("%s: accepted", in)
		}
	}
}

// Key changes from the command line are in the audit trail (issue 5: "role and key
// changes"), named by id and limits, never by secret.
func TestAPIKeyChangesAreAudited(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	initOut, errOut, code := runCLI(t, nil, "init", "--data", data)
	if code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	out, _, code := runCLI(t, nil, "apikey", "create", "--data", data, "--name", "backend", "--scope", "check", "--allow-ip", "192.0.2.0/24")
	if code != 0 {
		t.Fatal("apikey create failed")
	}
	secret := strings.TrimSpace(out)
	list, _, _ := runCLI(t, nil, "apikey", "list", "--data", data)
	var id string
	for _, l := range strings.Split(list, "\n") {
		if f := strings.Fields(l); len(f) > 1 && f[1] == "backend" {
			id = f[0]
		}
	}
	if _, errOut, code := runCLI(t, nil, "apikey", "revoke", "--data", data, id); code != 0 {
		t.Fatalf("revoke: %s", errOut)
	}
	created, _, _ := runCLI(t, nil, "audit", "list", "--data", data, "--action", "key_created")
	revoked, _, _ := runCLI(t, nil, "audit", "list", "--data", data, "--action", "key_revoked")
	if strings.Count(created, "key_created") != 2 || !strings.Contains(created, id+"; scopes check; allow 192.0.2.0/24") || !strings.Contains(revoked, id) {
		t.Fatalf("key events:\n%s\n%s", created, revoked)
	}
	initKey := strings.TrimSpace(initOut[strings.LastIndex(strings.TrimSpace(initOut), "\n")+1:])
	for _, s := range []string{secret, initKey} {
		if s == "" || strings.Contains(created+revoked, s) {
			t.Fatal("a key's secret is in the audit trail")
		}
	}
}
