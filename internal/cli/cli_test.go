package cli

import (
	"bytes"
	"context"
	"encoding/base64"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// runCLI runs kinko in-process with a controlled environment.
func runCLI(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(k string) string { return env[k] }}
	code = run(context.Background(), e, args)
	return out.String(), errb.String(), code
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestInitAndAPIKeyCreate(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	out, errOut, code := runCLI(t, nil, "init", "--data", data)
	if code != 0 {
		t.Fatalf("init exit %d: %s", code, errOut)
	}
	key := lastLine(out)
	if !strings.HasPrefix(key, "kinko_") || strings.ContainsAny(key, " \t") {
		t.Fatal("the last line of init's stdout is not the API key alone")
	}
	fi, err := os.Stat(filepath.Join(data, "kinko.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v", err)
	}
	if di, _ := os.Stat(data); di.Mode().Perm()&0o077 != 0 {
		t.Fatalf("data folder mode %v", di.Mode().Perm())
	}
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code == 0 || !strings.Contains(errOut, "already initialised") {
		t.Fatalf("second init: exit %d, %q", code, errOut)
	}

	out, errOut, code = runCLI(t, nil, "apikey", "create", "--data", data, "--name", "shop-backend", "--scope", "customers:read,customers:write")
	if code != 0 {
		t.Fatalf("apikey create: %s", errOut)
	}
	if strings.Count(out, "\n") != 1 || !strings.HasPrefix(out, "kinko_") {
		t.Fatal("apikey create must print only the new key")
	}
	newKey := strings.TrimSpace(out)
	list, _, _ := runCLI(t, nil, "apikey", "list", "--data", data)
	if !strings.Contains(list, "shop-backend") || strings.Contains(list, newKey) || strings.Contains(list, key) {
		t.Fatal("apikey list must show keys by name and never their secrets")
	}
	if _, errOut, code := runCLI(t, nil, "apikey", "create", "--data", data, "--name", "x", "--scope", "customers:everything"); code != 2 || !strings.Contains(errOut, "unknown scope") {
		t.Fatalf("unknown scope: exit %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "shop", "create", "--data", data, "second-shop"); code != 0 {
		t.Fatalf("shop create: %s", errOut)
	}
	if out, _, code := runCLI(t, nil, "apikey", "create", "--data", data, "--shop", "second-shop", "--name", "b", "--scope", "admin"); code != 0 || !strings.HasPrefix(out, "kinko_") {
		t.Fatal("apikey create for a second shop failed")
	}
	out, _, _ = runCLI(t, nil, "keys", "status", "--data", data)
	if !strings.Contains(out, "active") {
		t.Fatal("keys status does not show the active version")
	}
	out, errOut, code = runCLI(t, nil, "keys", "rotate", "--data", data, "--grace", "0s")
	if code != 0 || !strings.Contains(out, "Master key version 2 is active") || !strings.Contains(out, "Version 1 retired") {
		t.Fatalf("rotate: exit %d %q %q", code, out, errOut)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if _, errOut, code := runCLI(t, nil, "backup", "--data", data, "--out", backup); code != 0 {
		t.Fatalf("backup: %s", errOut)
	}
	if _, errOut, code := runCLI(t, nil, "backup", "--data", data, "--out", backup); code == 0 || !strings.Contains(errOut, "already exists") {
		t.Fatalf("backup over an existing file: %q", errOut)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "kinko.toml")
	os.WriteFile(toml, []byte("addr = \"nowhere\"\n"), 0o600)
	badToml := filepath.Join(dir, "bad.toml")
	os.WriteFile(badToml, []byte("colour = \"blue\"\n"), 0o600)
	cases := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"bad log format env", map[string]string{"KINKO_LOG_FORMAT": "xml"}, nil, "KINKO_LOG_FORMAT"},
		{"bad addr flag", nil, []string{"--addr", "8740"}, "flag --addr"},
		{"bad addr in toml", nil, []string{"--config", toml}, "kinko.toml addr"},
		{"unknown toml key", nil, []string{"--config", badToml}, `unknown setting "colour"`},
		{"bad database url", map[string]string{"KINKO_DATABASE_URL": "mysql://root:hunter2@db/x"}, nil, "KINKO_DATABASE_URL"},
		{"missing _FILE", map[string]string{"KINKO_MASTER_KEY_FILE": filepath.Join(dir, "none")}, nil, "KINKO_MASTER_KEY_FILE"},
		{"bad log level", nil, []string{"--log-level", "loud"}, "flag --log-level"},
	}
	for _, c := range cases {
		args := append([]string{"serve", "--data", filepath.Join(dir, "d")}, c.args...)
		_, errOut, code := runCLI(t, c.env, args...)
		if code == 0 || !strings.HasPrefix(errOut, "kinko: ") || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: exit %d, stderr %q; want one line naming %s", c.name, code, errOut, c.want)
		}
		if strings.Contains(errOut, "hunter2") {
			t.Errorf("%s: the error repeats a password", c.name)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "d")); err == nil {
		t.Error("a bad configuration still created the data folder")
	}
}

func TestHelpForEveryCommand(t *testing.T) {
	out, _, code := runCLI(t, nil, "help")
	if code != 0 {
		t.Fatalf("help exit %d", code)
	}
	var names []string
	for n := range commands {
		names = append(names, n)
		if !strings.Contains(out, n) {
			t.Errorf("kinko help does not list %s", n)
		}
	}
	sort.Strings(names)
	for _, n := range names {
		args := append(strings.Fields(n), "-h")
		out, errOut, code := runCLI(t, nil, args...)
		if code != 0 || strings.Count(out, "Usage: kinko "+n) != 1 || errOut != "" {
			t.Errorf("%s -h: exit %d, usage missing or stderr %q", n, code, errOut)
		}
		if n != "version" && !strings.Contains(out, "-") {
			t.Errorf("%s -h describes no flag", n)
		}
	}
	if _, errOut, code := runCLI(t, nil, "frobnicate"); code != 2 || !strings.HasPrefix(errOut, "kinko: unknown command") {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "init", "--nope"); code != 2 || !strings.HasPrefix(errOut, "kinko: ") {
		t.Errorf("unknown flag: %d %q", code, errOut)
	}
}

func TestKeyFileReadableByOthersRefused(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatal(errOut)
	}
	os.Chmod(filepath.Join(data, "kinko.key"), 0o644)
	_, errOut, code := runCLI(t, nil, "apikey", "list", "--data", data)
	if code == 0 || !strings.Contains(errOut, "readable by group or others") {
		t.Fatalf("a 0644 key file was accepted: %q", errOut)
	}
}

func TestMasterKeyFromEnvironment(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	env := map[string]string{"KINKO_MASTER_KEY": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{5}, 32))}
	out, errOut, code := runCLI(t, env, "init", "--data", data)
	if code != 0 || !strings.HasPrefix(lastLine(out), "kinko_") {
		t.Fatalf("init with env key: %s", errOut)
	}
	if _, err := os.Stat(filepath.Join(data, "kinko.key")); err == nil {
		t.Fatal("a key file was written although the key came from the environment")
	}
	if _, errOut, code := runCLI(t, env, "apikey", "list", "--data", data); code != 0 {
		t.Fatalf("reopen with env key: %s", errOut)
	}
	if _, _, code := runCLI(t, nil, "apikey", "list", "--data", data); code == 0 {
		t.Fatal("opened without the master key")
	}
}

// TestServeInitialisesAndServes: serve on an empty folder initialises it, prints the key,
// answers the API and stops on cancel.
func TestServeInitialisesAndServes(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	e := &Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	done := make(chan int)
	go func() { done <- run(ctx, e, []string{"serve", "--data", data, "--addr", addr, "--log-format", "json"}) }()
	var key string
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				key = lastLine(out.String())
				break
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !strings.HasPrefix(key, "kinko_") {
		t.Fatalf("serve did not become ready with a key; stderr: %s", errb.String())
	}
	req, _ := http.NewRequest("POST", "http://"+addr+"/v1/customers", strings.NewReader(`{"name":"山田 太郎","email":"taro.serve@example.jp"}`))
	req.Header.Set("Authorization", "Bearer "+key)
	res, err := http.DefaultClient.Do(req)
	if err != nil || res.StatusCode != 201 {
		t.Fatalf("create through serve: %v", err)
	}
	res.Body.Close()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("serve exit %d: %s", code, errb.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
	logs := errb.String()
	if !strings.Contains(logs, `"route":"POST /v1/customers"`) || strings.Contains(logs, "taro.serve") || strings.Contains(logs, "山田") || strings.Contains(logs, key) {
		t.Fatal("serve's log lacks the request line or holds personal data or the key")
	}
}

// TestMissingKeyFileIsNeverReplaced: a database with data and no key file must not get a
// new key (which could read nothing); serve and init say to restore the key.
func TestMissingKeyFileIsNeverReplaced(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatal(errOut)
	}
	key := filepath.Join(data, "kinko.key")
	os.Rename(key, key+".bak")
	for _, args := range [][]string{{"init", "--data", data}, {"serve", "--data", data, "--addr", "127.0.0.1:0"}} {
		_, errOut, code := runCLI(t, nil, args...)
		if code == 0 || !strings.Contains(errOut, "restore it from your key backup") {
			t.Errorf("%s: exit %d, %q", args[0], code, errOut)
		}
		if fileExists(key) {
			t.Fatalf("%s created a new key file over existing data", args[0])
		}
	}
}
