// Package seal is kinko's one way to encrypt. It turns plaintext into ciphertext and back
// (AES-256-GCM with associated data), wraps data keys under a master key, derives subkeys
// (HKDF-SHA-256) and computes blind indexes (HMAC-SHA-256, truncated to 128 bits).
//
// Invariants:
//   - Nothing outside this package imports crypto/aes or crypto/cipher, or sees a nonce.
//   - Every ciphertext is bound to where it belongs through associated data (shop, customer,
//     field, key version): a ciphertext copied to another row or field fails to open.
//   - Nonces are 96-bit random values from the Reader given to the Sealer (crypto/rand in
//     production). With random nonces AES-GCM stays safe for up to 2^32 messages per key;
//     each customer has its own key and a record holds a handful of fields.
//   - Errors never contain key material or plaintext.
//
// The byte layout of every format is documented in docs/format.md.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"hash"
	"io"
)

// KeySize is the size of every symmetric key kinko uses: 256 bits.
const KeySize = 32

// FormatV1 is the first byte of a field ciphertext and of a wrapped key in format 1:
// AES-256-GCM, 12-byte random nonce, 16-byte tag.
const FormatV1 byte = 0x01

const (
	nonceSize = 12
	tagSize   = 16
	// Overhead is how many bytes sealing adds to a plaintext (version byte, nonce, tag).
	Overhead = 1 + nonceSize + tagSize
)

// ErrOpen is returned when a ciphertext does not open: wrong key, wrong associated data
// (moved to another row or field), truncated or tampered. Callers must not distinguish.
var ErrOpen = errors.New("seal: ciphertext does not open")

// Key is a 256-bit AES-GCM key ready for use. The zero Key is not usable.
type Key struct {
	aead cipher.AEAD
}

// NewKey prepares raw (32 bytes) for sealing. raw is not retained.
func NewKey(raw []byte) (Key, error) {
	if len(raw) != KeySize {
		return Key{}, fmt.Errorf("seal: key must be %d bytes, got %d", KeySize, len(raw))
	}
	block, err := aes.NewCipher(raw)
	if err != nil {
		return Key{}, fmt.Errorf("seal: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return Key{}, fmt.Errorf("seal: %w", err)
	}
	return Key{aead: aead}, nil
}

// Valid reports whether k was made by NewKey.
func (k Key) Valid() bool { return k.aead != nil }

// Sealer seals with nonces drawn from Rand.
type Sealer struct {
	Rand io.Reader // crypto/rand.Reader unless a test needs control
}

// Default seals with crypto/rand.
var Default = Sealer{Rand: rand.Reader}

// Seal encrypts plaintext under k, binding it to ad. The result is
// FormatV1 || nonce (12) || ciphertext || tag (16).
func (s Sealer) Seal(k Key, plaintext, ad []byte) ([]byte, error) {
	if !k.Valid() {
		return nil, errors.New("seal: zero key")
	}
	out := make([]byte, 1+nonceSize, Overhead+len(plaintext))
	out[0] = FormatV1
	if _, err := io.ReadFull(s.Rand, out[1:1+nonceSize]); err != nil {
		return nil, fmt.Errorf("seal: reading nonce: %w", err)
	}
	return k.aead.Seal(out, out[1:1+nonceSize], plaintext, ad), nil
}

// Open decrypts a ciphertext made by Seal with the same key and associated data.
func Open(k Key, ciphertext, ad []byte) ([]byte, error) {
	if !k.Valid() || len(ciphertext) < Overhead || ciphertext[0] != FormatV1 {
		return nil, ErrOpen
	}
	pt, err := k.aead.Open(nil, ciphertext[1:1+nonceSize], ciphertext[1+nonceSize:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// NewRandomKey returns KeySize random bytes from r.
func NewRandomKey(r io.Reader) ([]byte, error) {
	b := make([]byte, KeySize)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("seal: reading random key: %w", err)
	}
	return b, nil
}

// Derive returns a KeySize subkey of root for purpose info (HKDF-SHA-256, no salt: root is
// already uniformly random). Different info strings give independent keys.
func Derive(root []byte, info string) ([]byte, error) {
	if len(root) != KeySize {
		return nil, fmt.Errorf("seal: root key must be %d bytes", KeySize)
	}
	return hkdf.Key(sha256.New, root, nil, info, KeySize)
}

// IndexSize is the length of a blind index: HMAC-SHA-256 truncated to 128 bits, enough to
// make collisions between distinct values negligible for any shop's customer count.
const IndexSize = 16

// BlindIndex computes the blind index of an already normalised value under an index key
// (derived per shop and field). It is deterministic by design: equal values give equal
// indexes, which is what makes exact-match search possible without storing the value.
func BlindIndex(key, normalised []byte) []byte {
	m := hmac.New(sha256.New, key)
	m.Write(normalised)
	return m.Sum(nil)[:IndexSize]
}

// Indexer computes blind indexes (BlindIndex) under one index key. Keying HMAC-SHA-256
// costs two SHA-256 blocks and five allocations, as much as hashing a short value; an
// Indexer keys it once and starts each value from a copy of the keyed state. Safe for
// concurrent use.
type Indexer struct {
	key  []byte
	base hash.Cloner // nil if this build's HMAC cannot be cloned: then BlindIndex each time
}

// NewIndexer returns the Indexer of an index key.
func NewIndexer(key []byte) *Indexer {
	m := hmac.New(sha256.New, key)
	m.Reset() // keeps the keyed inner and outer states, which clones then start from
	base, _ := m.(hash.Cloner)
	return &Indexer{key: key, base: base}
}

// Index returns the blind index of an already normalised value: BlindIndex(key, normalised).
func (ix *Indexer) Index(normalised []byte) []byte {
	if ix.base == nil {
		return BlindIndex(ix.key, normalised)
	}
	m, err := ix.base.Clone()
	if err != nil {
		return BlindIndex(ix.key, normalised)
	}
	m.Write(normalised)
	return m.Sum(make([]byte, 0, sha256.Size))[:IndexSize]
}

// Equal compares two secrets in constant time.
func Equal(a, b []byte) bool { return subtle.ConstantTimeCompare(a, b) == 1 }
