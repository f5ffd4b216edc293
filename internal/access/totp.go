package access

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
)

// TOTP as in RFC 6238 with the parameters every authenticator app supports: HMAC-SHA-1,
// 30-second steps, 6 digits. SHA-1 is fine here: HOTP needs only HMAC's PRF property, which
// SHA-1 still has, and other choices are ignored by several common apps.
const (
	TOTPPeriod = 30 * time.Second
	TOTPDigits = 6
	// TOTPSkew accepts the code of the step before and after the current one (±30 s), for
	// clocks that drift and codes typed near a step's end (RFC 6238 section 5.2).
	TOTPSkew = 1
	// totpSecretLen: 160 bits, the HMAC-SHA-1 key length RFC 4226 recommends.
	totpSecretLen = 20
	// TOTPIssuer names kinko in authenticator apps.
	TOTPIssuer = "kinko"
)

var totpBase32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// hotp is RFC 4226's HOTP value of counter under key, with digits digits.
func hotp(key []byte, counter uint64, digits int) string {
	mac := hmac.New(sha1.New, key)
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	mac.Write(msg[:])
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	v := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	mod := uint32(1)
	for range digits {
		mod *= 10
	}
	return fmt.Sprintf("%0*d", digits, v%mod)
}

// totpStep is the RFC 6238 time step of t.
func totpStep(t time.Time) int64 { return t.Unix() / int64(TOTPPeriod/time.Second) }

// TOTPCode returns the code of secret at t (for authenticator-like tools and tests).
func TOTPCode(secret []byte, t time.Time) string {
	return hotp(secret, uint64(totpStep(t)), TOTPDigits)
}

// verifyTOTP checks code against the steps around now and returns the step it matched. A
// step at or before lastStep is refused: a code works once (RFC 6238 section 5.2), so one
// seen over a shoulder or phished is useless after its owner used it.
func verifyTOTP(secret []byte, code string, now time.Time, lastStep int64) (int64, bool) {
	code = strings.TrimSpace(code)
	if len(code) != TOTPDigits {
		return 0, false
	}
	cur := totpStep(now)
	matched, ok := int64(0), false
	// Every candidate is computed and compared, in constant time, whatever matches.
	for s := cur - TOTPSkew; s <= cur+TOTPSkew; s++ {
		if seal.Equal([]byte(hotp(secret, uint64(s), TOTPDigits)), []byte(code)) && s > lastStep && !ok {
			matched, ok = s, true
		}
	}
	return matched, ok
}

// Enrolment is a new TOTP secret waiting for its first code: shown to the member as base32
// text and as an otpauth:// URI (a QR code in the console).
type Enrolment struct {
	Secret []byte
	Base32 string
	URI    string
}

// newEnrolment draws a secret for account (the member's email, shown in the app).
func newEnrolment(rnd io.Reader, shopName, account string) (Enrolment, error) {
	secret := make([]byte, totpSecretLen)
	if _, err := io.ReadFull(rnd, secret); err != nil {
		return Enrolment{}, fmt.Errorf("totp: reading secret: %w", err)
	}
	return enrolmentFor(secret, shopName, account), nil
}

func enrolmentFor(secret []byte, shopName, account string) Enrolment {
	b32 := totpBase32.EncodeToString(secret)
	issuer := TOTPIssuer
	if shopName != "" {
		issuer += " " + shopName
	}
	q := url.Values{}
	q.Set("secret", b32)
	q.Set("issuer", issuer)
	q.Set("algorithm", "SHA1")
	q.Set("digits", fmt.Sprint(TOTPDigits))
	q.Set("period", fmt.Sprint(int(TOTPPeriod/time.Second)))
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: q.Encode()}
	return Enrolment{Secret: secret, Base32: b32, URI: u.String()}
}

// ParseTOTPSecret reads a base32 secret as an enrolment shows it (spaces and case ignored).
func ParseTOTPSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	b, err := totpBase32.DecodeString(strings.TrimRight(s, "="))
	if err != nil || len(b) < 10 {
		return nil, fmt.Errorf("totp: not a base32 secret")
	}
	return b, nil
}
