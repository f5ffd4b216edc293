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
