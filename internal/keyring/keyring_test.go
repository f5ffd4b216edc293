package keyring

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/seal"
)

func TestCreateOpenAndPermissions(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	kr, err := Create(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := os.Stat(path)
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v, want 0600", fi.Mode().Perm())
	}
	if _, err := Create(path, rand.Reader); err == nil {
		t.Fatal("Create overwrote an existing key file")
	}
	v, wrapped, err := kr.Wrap([]byte("0123456789abcdef0123456789abcdef"), func(v uint32) []byte { return seal.DEKAD("s", "c", v) })
	if err != nil || v != 1 {
		t.Fatalf("wrap: v%d %v", v, err)
	}
	kr2, err := Open(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	dek, err := kr2.Unwrap(v, wrapped, seal.DEKAD("s", "c", v))
	if err != nil || string(dek) != "0123456789abcdef0123456789abcdef" {
		t.Fatalf("unwrap after reopen: %v", err)
	}
	if _, err := kr2.Unwrap(v, wrapped, seal.DEKAD("s", "other", v)); err == nil {
		t.Fatal("a data key opened for another customer")
	}

	for _, mode := range []os.FileMode{0o640, 0o604, 0o644} {
		os.Chmod(path, mode)
		if _, err := Open(path, rand.Reader); err == nil || !strings.Contains(err.Error(), "chmod 600") {
			t.Errorf("mode %v: want refusal naming chmod 600, got %v", mode, err)
		}
	}
	os.Chmod(path, 0o600)
}

func TestDamagedFileRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	if _, err := Create(path, rand.Reader); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b[20] ^= 0xff
	os.WriteFile(path, b, 0o600)
	if _, err := Open(path, rand.Reader); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("damaged key file: %v", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "none"), rand.Reader); err == nil || !strings.Contains(err.Error(), "kinko init") {
		t.Fatalf("missing key file should point to kinko init: %v", err)
	}
}

func TestRotateRetireAndReload(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	cli, err := Create(path, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	server, _ := Open(path, rand.Reader)
	dek := bytes.Repeat([]byte{9}, 32)
	v1, w1, _ := server.Wrap(dek, func(v uint32) []byte { return seal.DEKAD("s", "c", v) })

	v2, err := cli.AddVersion()
	if err != nil || v2 != 2 {
		t.Fatalf("add version: %d %v", v2, err)
	}
	// The CLI wrapped under v2; the server has not reloaded yet but must still open it.
	_, w2, _ := cli.Wrap(dek, func(v uint32) []byte { return seal.DEKAD("s", "c", v) })
	if got, err := server.Unwrap(2, w2, seal.DEKAD("s", "c", 2)); err != nil || !bytes.Equal(got, dek) {
		t.Fatalf("server did not pick up v2 on a miss: %v", err)
	}
	if server.ActiveVersion() != 2 {
		t.Fatalf("server active version %d after reload, want 2", server.ActiveVersion())
	}
	if err := cli.Retire(2); err == nil {
		t.Fatal("retired the active version")
	}
	if err := cli.Retire(v1); err != nil {
		t.Fatal(err)
	}
	fresh, _ := Open(path, rand.Reader)
	if _, err := fresh.Unwrap(1, w1, seal.DEKAD("s", "c", 1)); err == nil {
		t.Fatal("a retired version still opens after restart")
	}
	b, _ := os.ReadFile(path)
	for _, ver := range fresh.Versions() {
		if ver.Number == 1 && ver.State != Retired {
			t.Fatalf("v1 state %v", ver.State)
		}
	}
	if len(b) != len(magic)+2+2*entrySize+32 {
		t.Fatalf("key file length %d", len(b))
	}
}

func TestFromEnv(t *testing.T) {
	raw := bytes.Repeat([]byte{3}, 32)
	kr, err := FromEnv(base64.StdEncoding.EncodeToString(raw), rand.Reader)
	if err != nil || kr.ActiveVersion() != 1 {
		t.Fatalf("env key: %v", err)
	}
	if _, err := kr.AddVersion(); err == nil {
		t.Fatal("rotating an environment key in place must be refused")
	}
	for name, v := range map[string]string{"not base64": "%%%", "short key": base64.StdEncoding.EncodeToString(raw[:16])} {
		_, err := FromEnv(v, rand.Reader)
		if err == nil {
			t.Errorf("%s: accepted", name)
		} else if strings.Contains(err.Error(), v) {
			t.Errorf("%s: the error repeats the secret", name)
		}
	}
}

func TestTombstones(t *testing.T) {
	ts := OpenTombstones(filepath.Join(t.TempDir(), TombstoneFileName))
	if err := ts.Each(func(string, string) error { t.Fatal("empty list yielded"); return nil }); err != nil {
		t.Fatal(err)
	}
	ts.Add("shop1", "c1")
	ts.Add("shop2", "c2")
	if err := ts.Add("bad shop", "c3"); err == nil {
		t.Fatal("an id with a space was accepted")
	}
	var got []string
	ts.Each(func(s, c string) error { got = append(got, s+"/"+c); return nil })
	if strings.Join(got, ",") != "shop1/c1,shop2/c2" {
		t.Fatalf("tombstones %v", got)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(marshal([]Version{{Number: 1, State: Active, raw: make([]byte, 32)}}))
	f.Add([]byte("KINKOKR1"))
	f.Fuzz(func(t *testing.T, b []byte) {
		vs, err := parse(b)
		if err != nil {
			return
		}
		// Whatever parses must marshal back to the same bytes.
		if !bytes.Equal(marshal(vs), b) {
			t.Fatal("parse/marshal round trip differs")
		}
	})
}

func TestDerive(t *testing.T) {
	path := filepath.Join(t.TempDir(), FileName)
	kr, _ := Create(path, rand.Reader)
	v, a, err := kr.Derive("kinko/audit/v1")
	if err != nil || v != 1 || len(a) != 32 {
		t.Fatalf("derive: %v", err)
	}
	b, _ := kr.DeriveVersion(1, "kinko/audit/v1")
	c, _ := kr.DeriveVersion(1, "kinko/other/v1")
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Fatal("derivation must be deterministic per purpose and differ between purposes")
	}
	if _, err := kr.DeriveVersion(7, "kinko/audit/v1"); err == nil {
		t.Fatal("derived from a version that does not exist")
	}
	kr.AddVersion()
	v2, d, _ := kr.Derive("kinko/audit/v1")
	if v2 != 2 || bytes.Equal(a, d) {
		t.Fatal("a new master version must give a new derived key")
	}
}
