package access

//go:generate go run gen_common_passwords.go

import (
	_ "embed"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"

	"github.com/kinko-jp/kinko/internal/seal"
)

// PasswordParams are argon2id's cost parameters. They are written into every hash, so they
// can be raised later without invalidating passwords already set.
type PasswordParams struct {
	Time      uint32 // passes over memory
	MemoryKiB uint32
	Threads   uint8 // lanes
	SaltLen   int
	KeyLen    int
}

// DefaultPasswordParams start from RFC 9106's second recommended option (argon2id, t=3,
// p=4, 64 MiB) and follow the RFC's tuning procedure (keep t and p, fit m to the time
// budget) towards ~50 ms per hash on the 2-core machine kinko is sized for: m = 38 MiB.
// BenchmarkPasswordHash on that machine with both cores free (load average 1.7,
// 2026-12-01, five runs): median 50.9 ms at 38 MiB, 62.1 ms at 48 MiB; the time is close
// to linear in m. Re-run the benchmark on the production host and adjust MemoryKiB if a
// login takes much longer: the parameters are written into every hash, so changing them
// never breaks a password (hashes made at 48 MiB keep verifying).
// The salt is 128 bits and the tag 256 bits, as the RFC recommends.
var DefaultPasswordParams = PasswordParams{Time: 3, MemoryKiB: 38 * 1024, Threads: 4, SaltLen: 16, KeyLen: 32}

// Password length limits. 12 characters: PCI DSS 8.3.6. The upper bound only stops abuse
// (a megabyte "password" in a login form); passphrases fit easily.
const (
	MinPasswordLen = 12
	MaxPasswordLen = 256 // bytes
)

// Password errors. Their messages never contain the password.
var (
	ErrPasswordShort  = fmt.Errorf("password: at least %d characters", MinPasswordLen)
	ErrPasswordLong   = fmt.Errorf("password: at most %d bytes", MaxPasswordLen)
	ErrPasswordCommon = errors.New("password: too common (it is in the list of passwords attackers try first); choose another")
	ErrPasswordEmail  = errors.New("password: must not contain the account's email address")
)

//go:embed common_passwords.txt
var commonPasswordsText string

var commonPasswords = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 8192)
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line != "" && !strings.HasPrefix(line, "#") {
			set[line] = struct{}{}
		}
	}
	return set
})

// CheckPassword says whether pw may be a staff password for email: long enough, not in
// the shipped list of common passwords (compared ignoring case), not containing the
// address's local part.
func CheckPassword(pw, email string) error {
	if len(pw) > MaxPasswordLen {
		return ErrPasswordLong
	}
	if !utf8.ValidString(pw) || utf8.RuneCountInString(pw) < MinPasswordLen {
		return ErrPasswordShort
	}
	lower := strings.ToLower(pw)
	if _, ok := commonPasswords()[lower]; ok {
		return ErrPasswordCommon
	}
	if local, _, ok := strings.Cut(strings.ToLower(email), "@"); ok && len(local) >= 4 && strings.Contains(lower, local) {
		return ErrPasswordEmail
	}
	return nil
}

// hashPassword returns pw's argon2id hash in the PHC string format,
// $argon2id$v=19$m=…,t=…,p=…$salt$tag (unpadded standard base64), the format other argon2
// tools read.
func hashPassword(pw string, p PasswordParams, rnd io.Reader) (string, error) {
	salt := make([]byte, p.SaltLen)
	if _, err := io.ReadFull(rnd, salt); err != nil {
		return "", fmt.Errorf("password: reading salt: %w", err)
	}
	tag := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(p.KeyLen))
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(tag)), nil
}

var errBadHash = errors.New("password: stored hash is not an argon2id hash kinko can read")

// Bounds on parameters read from a stored hash, so a corrupted or planted row cannot make
// one login allocate gigabytes or spin for minutes.
const (
	maxHashMemoryKiB = 1 << 20 // 1 GiB
	maxHashTime      = 64
)

// verifyPassword reports whether pw matches encoded, comparing in constant time.
func verifyPassword(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != fmt.Sprintf("v=%d", argon2.Version) {
		return false, errBadHash
	}
	var p PasswordParams
	if n, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil || n != 3 {
		return false, errBadHash
	}
	if p.MemoryKiB == 0 || p.MemoryKiB > maxHashMemoryKiB || p.Time == 0 || p.Time > maxHashTime || p.Threads == 0 {
		return false, errBadHash
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	tag, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(tag) < 16 || len(tag) > 64 {
		return false, errBadHash
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(tag)))
	return seal.Equal(got, tag), nil
}
