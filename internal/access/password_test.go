package access

import (
	"crypto/rand"
	"errors"
	"strings"
	"testing"
)

func TestCheckPassword(t *testing.T) {
	tests := []struct {
		name string
		pw   string
		want error
	}{
		{"good passphrase", "correct-horse-battery-9", nil},
		{"twelve characters", "kT7#mQ2$vL9p", nil},
		{"twelve multibyte characters", "金庫金庫金庫金庫金庫金庫", nil},
		{"eleven characters", "kT7#mQ2$vL9", ErrPasswordShort},
		{"empty", "", ErrPasswordShort},
		{"too long", strings.Repeat("x", MaxPasswordLen+1), ErrPasswordLong},
		{"common", "password1234", ErrPasswordCommon},
		{"common in capitals", "Password1234", ErrPasswordCommon},
		{"keyboard walk", "1qaz2wsx3edc", ErrPasswordCommon},
		{"digit run", "123456789012", ErrPasswordCommon},
		{"romaji", "sakura123456", ErrPasswordCommon},
		{"leet", "p@ssw0rd123456", ErrPasswordCommon},
		{"doubled word", "dragondragon", ErrPasswordCommon},
		{"contains the email", "xx-yamada.hanako-2025", ErrPasswordEmail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPassword(tt.pw, "Yamada.Hanako@example.jp")
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if err != nil && tt.pw != "" && strings.Contains(err.Error(), tt.pw) {
				t.Fatal("the error repeats the password")
			}
		})
	}
	if n := len(commonPasswords()); n < 2000 {
		t.Fatalf("the common password list holds only %d entries", n)
	}
	for p := range commonPasswords() {
		if len([]rune(p)) < MinPasswordLen || p != strings.ToLower(p) {
			t.Fatalf("list entry %q is shorter than the minimum or not lower-case", p)
		}
	}
}

func TestHashAndVerify(t *testing.T) {
	p := testParams
	h, err := hashPassword("correct-horse-battery-9", p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash does not carry its parameters: %s", h)
	}
	h2, _ := hashPassword("correct-horse-battery-9", p, rand.Reader)
	if h == h2 {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	tests := []struct {
		name, pw, hash string
		ok             bool
		bad            bool
	}{
		{"right", "correct-horse-battery-9", h, true, false},
		{"wrong", "correct-horse-battery-8", h, false, false},
		{"empty", "", h, false, false},
		{"default parameters readable", "x", mustHash(t, "x", DefaultPasswordParams), true, false},
		{"not argon2id", "x", "$argon2i$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false, true},
		{"absurd memory", "x", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", false, true},
		{"truncated", "x", "$argon2id$v=19$m=64,t=1,p=1$c2FsdHNhbHQ", false, true},
		{"garbage", "x", "plain text", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ok, err := verifyPassword(tt.pw, tt.hash)
			if ok != tt.ok || (err != nil) != tt.bad {
				t.Fatalf("ok=%v err=%v", ok, err)
			}
		})
	}
}

func mustHash(t *testing.T, pw string, p PasswordParams) string {
	t.Helper()
	h, err := hashPassword(pw, p, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// BenchmarkPasswordHash measures one argon2id hash with the production parameters: the
// figure DefaultPasswordParams is tuned to (~50 ms on 2 cores).
func BenchmarkPasswordHash(b *testing.B) {
	for b.Loop() {
		if _, err := hashPassword("correct-horse-battery-9", DefaultPasswordParams, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordHashRFC9106Second is the RFC's second option unchanged (64 MiB), for
// comparison.
func BenchmarkPasswordHashRFC9106Second(b *testing.B) {
	p := DefaultPasswordParams
	p.MemoryKiB = 64 * 1024
	for b.Loop() {
		if _, err := hashPassword("correct-horse-battery-9", p, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}
