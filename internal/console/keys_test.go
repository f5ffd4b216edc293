package console_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

var keySecretRE = regexp.MustCompile(`kinko_[A-Za-z0-9_-]{32}`)

// TestKeysRoles: only owners reach the API keys page or see it in the menu.
func TestKeysRoles(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	if _, _, err := e.keys.Create(context.Background(), e.shop, "existing-backend", []string{access.ScopeCheck}); err != nil {
		t.Fatal(err)
	}
	for _, role := range []access.Role{access.RoleAdmin, access.RoleSupport, access.RoleShipping, access.RoleMarketing, access.RoleAuditor} {
		b := e.loginAs(t, string(role)+"@example.jp", role)
		if p := b.get("/console/dashboard"); strings.Contains(p.body, `href="/console/keys"`) {
			t.Errorf("%s: the menu links to the keys page", role)
		}
		if p := b.get("/console/keys"); p.status != http.StatusForbidden || strings.Contains(p.body, "existing-backend") {
			t.Errorf("%s: keys page answered %d", role, p.status)
		}
		if p := b.post("/console/keys", url.Values{"name": {"sneaky"}, "scope": {"admin"}}); p.status != http.StatusForbidden || keySecretRE.MatchString(p.body) {
			t.Errorf("%s: key creation answered %d", role, p.status)
		}
	}
	if keys, _ := e.keys.List(context.Background(), e.shop); len(keys) != 1 {
		t.Fatalf("a refused creation made a key: %d keys", len(keys))
	}
	owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
	if p := owner.get("/console/dashboard"); !strings.Contains(p.body, `href="/console/keys"`) {
		t.Error("no keys link for the owner")
	}
}

// TestKeysCreateAndRevoke: a key made in the console authenticates with its scopes and
// limits, is shown once (never on a later page or in the log), and its creation and
// revocation are in the trail naming the owner.
func TestKeysCreateAndRevoke(t *testing.T) {
	storetest.Each(t, func(t *testing.T, bk storetest.Backend) {
		e := newEnv(t, bk)
		ctx := context.Background()
		owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
		me := e.id(t, "owner@example.jp")
		day := time.Now().In(time.FixedZone("JST", 9*3600)).AddDate(0, 0, 30).Format(time.DateOnly)
		p := owner.post("/console/keys", url.Values{"name": {"ec-cube-prod"}, "scope": {"customers:read", "check"},
			"allow": {"127.0.0.1\n192.0.2.0/24"}, "expires": {day}})
		secret := keySecretRE.FindString(p.body)
		if p.status != http.StatusOK || secret == "" || !strings.Contains(p.body, "今回しか表示されません") || !strings.Contains(p.body, `data-copy="new-key"`) {
			t.Fatalf("create: %d\n%s", p.status, p.body)
		}
		pr, err := e.keys.Authenticate(ctx, secret, "127.0.0.1")
		if err != nil || pr.Shop != e.shop || !pr.Can(access.ScopeCheck) || !pr.Can(access.ScopeCustomersRead) || pr.Can(access.ScopeCustomersWrite) {
			t.Fatalf("the new key: %+v, %v", pr, err)
		}
		var refused *access.KeyIPRefusedError
		if _, err := e.keys.Authenticate(ctx, secret, "198.51.100.7"); !errors.As(err, &refused) {
			t.Fatalf("the allow-list is not applied: %v", err)
		}
		keys, _ := e.keys.List(ctx, e.shop)
		if len(keys) != 1 || keys[0].Expires == nil || strings.Join(keys[0].AllowedIPs, " ") != "127.0.0.1/32 192.0.2.0/24" {
			t.Fatalf("stored key: %+v", keys)
		}
		id := keys[0].ID
		if exp := keys[0].Expires.In(time.FixedZone("JST", 9*3600)); exp.Format(time.DateOnly) != time.Now().In(exp.Location()).AddDate(0, 0, 31).Format(time.DateOnly) || exp.Hour() != 0 {
			t.Errorf("expiry %s is not the end of %s in Japan", exp, day)
		}
		evs, _ := e.trail.Query(ctx, audit.Filter{Actor: "staff:" + me, Action: audit.ActionKeyCreated})
		if len(evs) != 1 || !strings.HasPrefix(evs[0].Reason, id+"; scopes customers:read,check; allow 127.0.0.1/32,192.0.2.0/24; expires ") ||
			evs[0].ActorIP != "127.0.0.1" || evs[0].Shop != e.shop {
			t.Fatalf("creation event: %+v", evs)
		}
		for _, path := range []string{"/console/keys", "/console/dashboard", "/console/staff"} {
			p := owner.get(path)
			if strings.Contains(p.body, secret) || strings.Contains(p.body, secret[len("kinko_"):]) {
				t.Errorf("%s shows the secret again", path)
			}
		}
		if p := owner.get("/console/keys"); !strings.Contains(p.body, "ec-cube-prod") || !strings.Contains(p.body, id) || !strings.Contains(p.body, "192.0.2.0/24") {
			t.Error("the list does not show the key")
		}
		if strings.Contains(e.log.String(), secret) || strings.Contains(e.log.String(), secret[len("kinko_"):]) {
			t.Fatal("the secret is in the log")
		}

		// Masked reads only.
		p = owner.post("/console/keys", url.Values{"name": {"crm-sync"}, "scope": {"customers:read:masked"}})
		masked := keySecretRE.FindString(p.body)
		if pr, err := e.keys.Authenticate(ctx, masked, "203.0.113.5"); err != nil || !pr.MaskedReads() {
			t.Fatalf("masked key: %+v, %v", pr, err)
		}
		if p := owner.get("/console/keys"); !strings.Contains(p.body, "マスク表示のみ") {
			t.Error("the masked key is not marked")
		}

		// Mistakes are explained and make no key.
		for _, c := range []struct {
			form url.Values
			msg  string
		}{
			{url.Values{"name": {"x"}}, "権限を1つ以上"},
			{url.Values{"name": {""}, "scope": {"check"}}, "名前を1〜64文字"},
			{url.Values{"name": {"x"}, "scope": {"customers:read:masked", "customers:read"}}, "同時に選べません"},
			{url.Values{"name": {"x"}, "scope": {"check"}, "allow": {"10.0.0.300"}}, "CIDRとして読めない"},
			{url.Values{"name": {"x"}, "scope": {"check"}, "expires": {"2001-01-01"}}, "今日以降の日付"},
			{url.Values{"name": {"x"}, "scope": {"superpower"}}, "権限を1つ以上"},
		} {
			if p := owner.post("/console/keys", c.form); p.status != http.StatusBadRequest || !strings.Contains(p.body, c.msg) || keySecretRE.MatchString(p.body) {
				t.Errorf("%v: %d", c.form, p.status)
			}
		}
		if keys, _ := e.keys.List(ctx, e.shop); len(keys) != 2 {
			t.Fatalf("mistakes made keys: %d", len(keys))
		}

		// Revoke.
		if p := owner.post("/console/keys/"+id+"/revoke", nil); p.status != http.StatusSeeOther || p.location() != "/console/keys?m=revoked" {
			t.Fatalf("revoke: %d %q", p.status, p.location())
		}
		if _, err := e.keys.Authenticate(ctx, secret, "127.0.0.1"); !errors.Is(err, access.ErrUnauthenticated) {
			t.Fatalf("the revoked key works: %v", err)
		}
		if evs, _ := e.trail.Query(ctx, audit.Filter{Actor: "staff:" + me, Action: audit.ActionKeyRevoked}); len(evs) != 1 || evs[0].Reason != id {
			t.Fatalf("revocation event: %+v", evs)
		}
		if p := owner.get("/console/keys?m=revoked"); !strings.Contains(p.body, "失効させました") || !strings.Contains(p.body, "失効済み") {
			t.Error("the list does not show the revocation")
		}
		if p := owner.post("/console/keys/"+id+"/revoke", nil); p.status != http.StatusNotFound {
			t.Errorf("revoking twice: %d", p.status)
		}
		// Another shop's key cannot be revoked from here.
		oid, osecret, _ := e.keys.Create(ctx, e.other, "other-shop", []string{access.ScopeCheck})
		if p := owner.post("/console/keys/"+oid+"/revoke", nil); p.status != http.StatusNotFound {
			t.Errorf("revoking another shop's key: %d", p.status)
		}
		if _, err := e.keys.Authenticate(ctx, osecret, "127.0.0.1"); err != nil {
			t.Fatal("another shop's key was revoked")
		}
		if p := owner.get("/console/keys"); strings.Contains(p.body, "other-shop") {
			t.Error("another shop's key is listed")
		}
	})
}
