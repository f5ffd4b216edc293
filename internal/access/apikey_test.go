package access

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

func TestParseScopes(t *testing.T) {
	cases := []struct {
		name, in string
		want     []string
		bad      bool
	}{
		{"one", "customers:read", []string{"customers:read"}, false},
		{"several with spaces and a repeat", " customers:read, check,customers:read ", []string{"customers:read", "check"}, false},
		{"unknown", "customers:read,customers:everything", nil, true},
		{"empty", " , ", nil, true},
	}
	for _, c := range cases {
		got, err := ParseScopes(c.in)
		if (err != nil) != c.bad || strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: got %v, %v", c.name, got, err)
		}
	}
	p := Principal{Scopes: []string{ScopeAdmin}}
	if !p.Can(ScopeCustomersDelete) {
		t.Error("admin must hold every scope")
	}
	if (Principal{Scopes: []string{ScopeCustomersRead}}).Can(ScopeCustomersWrite) {
		t.Error("read must not imply write")
	}
}

func TestKeysAuthenticateAndRevoke(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.SQLite(t).DSN, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateShop(ctx, store.Shop{ID: "shop1", Name: "s", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()})
	now := time.Now()
	k := NewKeys(db, nil, func() time.Time { return now })
	id, secret, err := k.Create(ctx, "shop1", "backend", []string{ScopeCustomersRead})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, "kinko_") || len(secret) != 38 || strings.Contains(secret, id) {
		t.Fatal("key shape")
	}
	p, err := k.Authenticate(ctx, secret, "192.0.2.1")
	if err != nil || p.KeyID != id || p.Shop != "shop1" {
		t.Fatalf("authenticate: %v", err)
	}
	for name, bad := range map[string]string{"empty": "", "no prefix": strings.TrimPrefix(secret, "kinko_"), "one char off": secret[:37] + "A",
		"too long": secret + "A", "other key": "kinko_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if bad == secret {
			continue
		}
		if _, err := k.Authenticate(ctx, bad, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: accepted or wrong error: %v", name, err)
		}
	}
	// Revoked through this process: refused at once, despite the cache.
	if err := k.Revoke(ctx, "shop1", id); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Authenticate(ctx, secret, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatal("a revoked key still authenticates")
	}
	// Revoked by another process: refused once the cache entry expires.
	id2, secret2, _ := k.Create(ctx, "shop1", "other", []string{ScopeCheck})
	k.Authenticate(ctx, secret2, "192.0.2.1")
	other := NewKeys(db, nil, nil)
	other.Revoke(ctx, "shop1", id2)
	now = now.Add(CacheTTL + time.Second)
	if _, err := k.Authenticate(ctx, secret2, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatal("a key revoked elsewhere still works after the cache TTL")
	}
	if _, _, err := k.Create(ctx, "shop1", "bad\nname", []string{ScopeCheck}); err == nil {
		t.Fatal("a key name with a newline was accepted")
	}
}

func TestKeyLimits(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, storetest.SQLite(t).DSN, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.CreateShop(ctx, store.Shop{ID: "shop1", Name: "s", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()})
	now := time.Date(2025, 4, 1, 9, 0, 0, 0, time.UTC)
	k := NewKeys(db, nil, func() time.Time { return now })
	office, _ := ParseCIDR("192.0.2.0/24")
	v6, _ := ParseCIDR("2001:db8::/48")
	_, secret, err := k.CreateLimited(ctx, "shop1", "backend", []string{ScopeCustomersRead},
		KeyLimits{AllowIPs: []netip.Prefix{office, v6}, Expires: now.Add(30 * 24 * time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, ip string
		ok       bool
	}{
		{"inside the IPv4 network", "192.0.2.200", true},
		{"IPv4-mapped IPv6 inside", "::ffff:192.0.2.7", true},
		{"inside the IPv6 network", "2001:db8::1", true},
		{"loopback", "127.0.0.1", false},
		{"loopback alias", "127.0.0.2", false},
		{"next network", "192.0.3.1", false},
		{"not an address", "", false},
	} {
		// Twice: the first answer comes from the database, the second from the cache.
		for range 2 {
			_, err := k.Authenticate(ctx, secret, c.ip)
			var refused *KeyIPRefusedError
			if c.ok && err != nil {
				t.Errorf("%s: refused: %v", c.name, err)
			}
			if !c.ok && !errors.As(err, &refused) {
				t.Errorf("%s: got %v, want KeyIPRefusedError", c.name, err)
			}
		}
	}
	listed, err := k.List(ctx, "shop1")
	if err != nil || len(listed) != 1 || strings.Join(listed[0].AllowedIPs, " ") != "192.0.2.0/24 2001:db8::/48" || listed[0].Expires == nil {
		t.Fatalf("listed limits: %+v, %v", listed, err)
	}
	// Expiry: works until the instant before, refused from then on (cached or not).
	now = now.Add(30*24*time.Hour - time.Second)
	if _, err := k.Authenticate(ctx, secret, "192.0.2.1"); err != nil {
		t.Fatalf("before expiry: %v", err)
	}
	now = now.Add(time.Second)
	if _, err := k.Authenticate(ctx, secret, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := NewKeys(db, nil, func() time.Time { return now }).Authenticate(ctx, secret, "192.0.2.1"); !errors.Is(err, ErrUnauthenticated) {
		t.Fatalf("at expiry, uncached: %v", err)
	}
	if _, _, err := k.CreateLimited(ctx, "shop1", "late", []string{ScopeCheck}, KeyLimits{Expires: now.Add(-time.Minute)}); err == nil {
		t.Fatal("a key expiring in the past was created")
	}
}

func TestMaskedReadScope(t *testing.T) {
	if _, err := ParseScopes("customers:read:masked,customers:read"); err == nil {
		t.Error("masked reads combined with full reads were accepted")
	}
	if _, err := ParseScopes("customers:read:masked,admin"); err == nil {
		t.Error("masked reads combined with admin were accepted")
	}
	p := Principal{Scopes: []string{ScopeCustomersReadMasked}}
	if !p.MaskedReads() || !p.Can(ScopeCustomersRead) || p.Can(ScopeCustomersWrite) {
		t.Error("a masked key reads (masked) and does nothing else")
	}
	if (Principal{Scopes: []string{ScopeCustomersRead}}).MaskedReads() || (Principal{Scopes: AllScopes}).MaskedReads() {
		t.Error("a full-read key, or one with every scope, is not masked")
	}
	if _, err := ParseRole(string(RoleMaskedKey)); err == nil {
		t.Error("the masked-key role must not be assignable to staff")
	}
	pol := PolicyFor(RoleMaskedKey)
	if pol.Visible(FieldEmail) != Masked || pol.Visible(FieldLine1) != Masked || pol.CanReveal("email") || RoleMaskedKey.Can(PermReveal) {
		t.Error("a masked key sees the owners' masked view and reveals nothing")
	}
}
