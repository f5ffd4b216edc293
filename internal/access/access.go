// Package access decides who may do what: the shop API's bearer keys (created shown once,
// stored hashed, scoped, optionally limited to an IP allow-list, an expiry and masked
// reads), staff members with their roles and masking policy, passwords, TOTP, login with
// lockout and throttling, sessions, and the shop's IP allow-list for staff.
//
// Invariants:
//   - A key's secret is never stored, logged or shown again after creation; only its
//     SHA-256 is kept (keys carry 192 random bits, so a fast hash is safe and keeps every
//     request cheap).
//   - A key belongs to exactly one shop; everything it does is confined to that shop.
//   - A key used from outside its allow-list, or after its expiry, authenticates nothing.
package access

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/store"
)

// Scopes a key may carry.
const (
	ScopeCustomersRead = "customers:read"
	// ScopeCustomersReadMasked reads customers as owners see them in the console: every
	// identifying field masked, nothing revealable. For a backend that only needs to
	// recognise a customer (a support widget, a CRM sync of segments).
	ScopeCustomersReadMasked = "customers:read:masked"
	ScopeCustomersWrite      = "customers:write"
	ScopeCustomersDelete     = "customers:delete"
	ScopeCheck               = "check"
	ScopeMetrics             = "metrics"    // /metrics only: for a monitoring system, which needs no customer data
	ScopeAuditRead           = "audit:read" // GET /v1/audit: read the audit trail (issue 5)
	ScopeAdmin               = "admin"
)

// AllScopes lists every scope, in the order help texts show them.
var AllScopes = []string{ScopeCustomersRead, ScopeCustomersReadMasked, ScopeCustomersWrite, ScopeCustomersDelete, ScopeCheck, ScopeMetrics, ScopeAuditRead, ScopeAdmin}

// ParseScopes reads a comma-separated scope list, refusing unknown names.
func ParseScopes(s string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if !slices.Contains(AllScopes, p) {
			return nil, fmt.Errorf("unknown scope %q (known: %s)", p, strings.Join(AllScopes, ", "))
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("no scope given (known: " + strings.Join(AllScopes, ", ") + ")")
	}
	if slices.Contains(out, ScopeCustomersReadMasked) && (slices.Contains(out, ScopeCustomersRead) || slices.Contains(out, ScopeAdmin)) {
		return nil, fmt.Errorf("%s limits a key to masked reads: it cannot be combined with %s or %s", ScopeCustomersReadMasked, ScopeCustomersRead, ScopeAdmin)
	}
	return out, nil
}

// Principal is an API key of one shop, as authenticated.
type Principal struct {
	KeyID  string
	Shop   string
	Scopes []string
}

// Can reports whether p holds scope (admin holds every scope). A key limited to masked
// reads passes the customers:read check: what it reads is masked by RoleMaskedKey.
func (p Principal) Can(scope string) bool {
	if scope == ScopeCustomersRead && p.MaskedReads() {
		return true
	}
	return slices.Contains(p.Scopes, scope) || slices.Contains(p.Scopes, ScopeAdmin)
}

// MaskedReads reports whether the key is limited to masked reads (it holds
// customers:read:masked and neither customers:read nor admin): callers act for it with
// RoleMaskedKey, so the domain masks what it reads and refuses reveals.
func (p Principal) MaskedReads() bool {
	return slices.Contains(p.Scopes, ScopeCustomersReadMasked) &&
		!slices.Contains(p.Scopes, ScopeCustomersRead) && !slices.Contains(p.Scopes, ScopeAdmin)
}

// ErrUnauthenticated: no key, a malformed key, or a key that is unknown, revoked or
// expired. Callers must not say which.
var ErrUnauthenticated = errors.New("missing or invalid API key")

// KeyIPRefusedError: a valid key was used from outside its allow-list. It carries the key's
// identity so the refusal can be recorded; the answer is 403 and nothing is done.
type KeyIPRefusedError struct{ Principal Principal }

func (e *KeyIPRefusedError) Error() string { return "this API key may not be used from this address" }

// KeyLimits are the optional limits of a key.
type KeyLimits struct {
	AllowIPs []netip.Prefix // empty: any address
	Expires  time.Time      // zero: never
}

// Keys manages API keys.
type Keys struct {
	db   *store.DB
	rand io.Reader
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]cachedKey // by hash of the secret; positive answers only
}

type cachedKey struct {
	p        Principal
	allow    []netip.Prefix
	keyUntil time.Time // the key's own expiry (zero: none)
	expires  time.Time // of the cache entry
}

// CacheTTL is how long an authenticated key is remembered. A key revoked through this
// process stops at once; one revoked by another process (the CLI, another server) stops
// within CacheTTL. It saves a database read on every request.
const CacheTTL = 5 * time.Second

// cacheMax bounds the cache; only valid keys enter it, so it never grows past the number of
// keys actually in use, but a bound keeps that a fact rather than a hope.
const cacheMax = 10000

// NewKeys returns the API-key service.
func NewKeys(db *store.DB, rnd io.Reader, now func() time.Time) *Keys {
	if rnd == nil {
		rnd = rand.Reader
	}
	if now == nil {
		now = time.Now
	}
	return &Keys{db: db, rand: rnd, now: now, cache: map[string]cachedKey{}}
}

// keyPrefix marks kinko keys so secret scanners (and kinko scan) can recognise a leaked one.
const keyPrefix = "kinko_"

// Create makes a new key for shop and returns its id and the secret, which is shown once.
func (k *Keys) Create(ctx context.Context, shop, name string, scopes []string) (id, secret string, err error) {
	return k.CreateLimited(ctx, shop, name, scopes, KeyLimits{})
}

// CreateLimited is Create with an IP allow-list and an expiry.
func (k *Keys) CreateLimited(ctx context.Context, shop, name string, scopes []string, lim KeyLimits) (id, secret string, err error) {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, "\r\n\t") {
		return "", "", errors.New("key name: 1 to 64 characters on one line")
	}
	if !lim.Expires.IsZero() && !lim.Expires.After(k.now()) {
		return "", "", errors.New("the expiry must be in the future")
	}
	var ips []string
	for _, p := range lim.AllowIPs {
		ips = append(ips, p.Masked().String())
	}
	var until *time.Time
	if !lim.Expires.IsZero() {
		u := lim.Expires.UTC()
		until = &u
	}
	var idb [6]byte
	var sec [24]byte
	if _, err := io.ReadFull(k.rand, idb[:]); err != nil {
		return "", "", err
	}
	if _, err := io.ReadFull(k.rand, sec[:]); err != nil {
		return "", "", err
	}
	id = "key_" + base64.RawURLEncoding.EncodeToString(idb[:])
	secret = keyPrefix + base64.RawURLEncoding.EncodeToString(sec[:])
	err = k.db.CreateAPIKey(ctx, store.APIKey{ID: id, Shop: shop, Name: name, Hash: hashKey(secret), Scopes: scopes, Created: k.now().UTC(),
		AllowedIPs: ips, Expires: until})
	if err != nil {
		return "", "", fmt.Errorf("storing API key: %w", err)
	}
	return id, secret, nil
}

func hashKey(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// Authenticate finds the principal for a bearer secret used from address ip. An expired
// key is ErrUnauthenticated; a key used from outside its allow-list is a
// *KeyIPRefusedError.
func (k *Keys) Authenticate(ctx context.Context, secret, ip string) (Principal, error) {
	if !strings.HasPrefix(secret, keyPrefix) || len(secret) != len(keyPrefix)+32 {
		return Principal{}, ErrUnauthenticated
	}
	h := hashKey(secret)
	now := k.now()
	k.mu.Lock()
	c, ok := k.cache[string(h)]
	k.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.check(now, ip)
	}
	// Lookup by hash: timing reveals only whether some key's hash shares a B-tree path,
	// which says nothing about the secret.
	key, err := k.db.APIKeyByHash(ctx, h)
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("reading API key: %w", err)
	}
	c = cachedKey{p: Principal{KeyID: key.ID, Shop: key.Shop, Scopes: key.Scopes}, expires: now.Add(CacheTTL)}
	for _, s := range key.AllowedIPs {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			// Fail closed: a list that cannot be read allows nothing.
			return Principal{}, fmt.Errorf("API key %s has an invalid allow-list entry", key.ID)
		}
		c.allow = append(c.allow, p)
	}
	if key.Expires != nil {
		c.keyUntil = *key.Expires
	}
	k.mu.Lock()
	if len(k.cache) >= cacheMax {
		clear(k.cache)
	}
	k.cache[string(h)] = c
	k.mu.Unlock()
	return c.check(now, ip)
}

// check applies a key's limits to one use.
func (c *cachedKey) check(now time.Time, ip string) (Principal, error) {
	if !c.keyUntil.IsZero() && !now.Before(c.keyUntil) {
		return Principal{}, ErrUnauthenticated
	}
	if !Allowed(c.allow, ip) {
		return Principal{}, &KeyIPRefusedError{Principal: c.p}
	}
	return c.p, nil
}

// List returns a shop's keys (never their secrets).
func (k *Keys) List(ctx context.Context, shop string) ([]store.APIKey, error) {
	return k.db.APIKeys(ctx, shop)
}

// Revoke disables a key at once (in other processes within CacheTTL).
func (k *Keys) Revoke(ctx context.Context, shop, id string) error {
	err := k.db.RevokeAPIKey(ctx, shop, id)
	k.mu.Lock()
	clear(k.cache)
	k.mu.Unlock()
	return err
}

// SessionTokenPrefix starts every staff session token ("kinko_" starts API keys), so a
// bearer secret says which kind it is.
const SessionTokenPrefix = sessionPrefix

// KeyAuditReason is what the audit trail keeps of a key's creation: its id, scopes and
// limits; never the secret, nor the name (free text someone typed).
func KeyAuditReason(id string, scopes []string, lim KeyLimits) string {
	var b strings.Builder
	b.WriteString(id + "; scopes " + strings.Join(scopes, ","))
	if len(lim.AllowIPs) > 0 {
		ips := make([]string, len(lim.AllowIPs))
		for i, p := range lim.AllowIPs {
			ips[i] = p.String()
		}
		b.WriteString("; allow " + strings.Join(ips, ","))
	}
	if !lim.Expires.IsZero() {
		b.WriteString("; expires " + lim.Expires.UTC().Format(time.RFC3339))
	}
	return b.String()
}
