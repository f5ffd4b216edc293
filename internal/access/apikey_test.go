package access

import (
	"context"
	"errors"
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
	p, err := k.Authenticate(ctx, secret)
	if err != nil || p.KeyID != id || p.Shop != "shop1" {
		t.Fatalf("authenticate: %v", err)
	}
	for name, bad := range map[string]string{"empty": "", "no prefix": strings.TrimPrefix(secret, "kinko_"), "one char off": secret[:37] + "A",
		"too long": secret + "A", "other key": "kinko_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"} {
		if bad == secret {
			continue
		}
		if _, err := k.Authenticate(ctx, bad); !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: accepted or wrong error: %v", name, err)
		}
	}
	// Revoked through this process: refused at once, despite the cache.
	if err := k.Revoke(ctx, "shop1", id); err != nil {
		t.Fatal(err)
	}
	if _, err := k.Authenticate(ctx, secret); !errors.Is(err, ErrUnauthenticated) {
		t.Fatal("a revoked key still authenticates")
	}
	// Revoked by another process: refused once the cache entry expires.
	id2, secret2, _ := k.Create(ctx, "shop1", "other", []string{ScopeCheck})
	k.Authenticate(ctx, secret2)
	other := NewKeys(db, nil, nil)
	other.Revoke(ctx, "shop1", id2)
	now = now.Add(CacheTTL + time.Second)
	if _, err := k.Authenticate(ctx, secret2); !errors.Is(err, ErrUnauthenticated) {
		t.Fatal("a key revoked elsewhere still works after the cache TTL")
	}
	if _, _, err := k.Create(ctx, "shop1", "bad\nname", []string{ScopeCheck}); err == nil {
		t.Fatal("a key name with a newline was accepted")
	}
}
