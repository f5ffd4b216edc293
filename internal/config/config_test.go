package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	toml := filepath.Join(dir, "kinko.toml")
	os.WriteFile(toml, []byte("addr = \"127.0.0.1:1111\"\nlog_format = \"json\"\ndata = \"/from/toml\"\n"), 0o600)
	env := map[string]string{"KINKO_ADDR": "127.0.0.1:2222", "KINKO_LOG_LEVEL": "warn"}
	c, err := Load(map[string]string{"addr": "127.0.0.1:3333"}, func(k string) string { return env[k] }, toml)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:3333" || c.Source["addr"] != "flag --addr" {
		t.Errorf("flag must win: %s from %s", c.Addr, c.Source["addr"])
	}
	if c.LogLevel != "warn" || c.LogFormat != "json" || c.DataDir != "/from/toml" {
		t.Errorf("env and toml not applied: %+v", c)
	}
	if c.KeyFilePath() != "/from/toml/kinko.key" || c.TombstonePath() != "/from/toml/kinko.tombstones" || c.DSN() != "/from/toml/kinko.db" {
		t.Errorf("derived paths: %s %s %s", c.KeyFilePath(), c.TombstonePath(), c.DSN())
	}
}

func TestSecretFiles(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "url")
	os.WriteFile(f, []byte("postgres://kinko:s3cret@db/kinko\n"), 0o600)
	c, err := Load(nil, func(k string) string { return map[string]string{"KINKO_DATABASE_URL_FILE": f}[k] }, "")
	if err != nil || c.Database != "postgres://kinko:s3cret@db/kinko" || c.UsesSQLite() {
		t.Fatalf("_FILE: %v", err)
	}
	_, err = Load(nil, func(k string) string {
		return map[string]string{"KINKO_DATABASE_URL_FILE": f, "KINKO_DATABASE_URL": "postgres://x"}[k]
	}, "")
	if err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("both set: %v", err)
	}
	os.Chmod(f, 0o644)
	if _, err := Load(nil, func(k string) string { return map[string]string{"KINKO_DATABASE_URL_FILE": f}[k] }, ""); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Fatalf("a secret file others can read must be refused: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "k.toml"), []byte("master_key = \"abc\"\n"), 0o600)
	if _, err := Load(nil, func(string) string { return "" }, filepath.Join(dir, "k.toml")); err == nil || strings.Contains(err.Error(), "abc") {
		t.Fatalf("a master key in kinko.toml must be refused without repeating it: %v", err)
	}
	os.WriteFile(filepath.Join(dir, "bad.toml"), []byte("addr = \n"), 0o600)
	if _, err := Load(nil, func(string) string { return "" }, filepath.Join(dir, "bad.toml")); err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("invalid TOML must name the line: %v", err)
	}
	for _, bad := range []string{"mysql://u:pw@h/d", "s3cret"} {
		_, err := Load(nil, func(k string) string { return map[string]string{"KINKO_DATABASE_URL": bad}[k] }, "")
		if err == nil || strings.Contains(err.Error(), bad) {
			t.Errorf("a bad database URL must be refused without being repeated: %v", err)
		}
	}
}
