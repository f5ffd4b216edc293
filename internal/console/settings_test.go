package console_test

import (
	"context"
	"crypto/sha256"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// TestSettingsRoles: only owners reach the settings or see them in the menu.
func TestSettingsRoles(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	for _, role := range []access.Role{access.RoleAdmin, access.RoleSupport, access.RoleShipping, access.RoleMarketing, access.RoleAuditor} {
		b := e.loginAs(t, string(role)+"@example.jp", role)
		if p := b.get("/console/dashboard"); strings.Contains(p.body, `href="/console/settings"`) || strings.Contains(p.body, `href="/console/keys"`) {
			t.Errorf("%s: the menu links to settings or keys", role)
		}
		for _, path := range []string{"/console/settings", "/console/keys"} {
			if p := b.get(path); p.status != http.StatusForbidden {
				t.Errorf("%s: %s answered %d", role, path, p.status)
			}
		}
		for path, form := range map[string]url.Values{
			"/console/settings/allow":    {"cidr": {"127.0.0.0/8"}, "confirm": {"yes"}},
			"/console/settings/timeouts": {"idle_minutes": {"15"}, "max_hours": {"12"}},
			"/console/settings/name":     {"display_name": {"hijacked"}},
		} {
			if p := b.post(path, form); p.status != http.StatusForbidden {
				t.Errorf("%s: %s answered %d", role, path, p.status)
			}
		}
	}
	if l, _ := e.staff.AllowedIPs(ctx, e.shop); len(l) != 0 {
		t.Fatal("a refused change changed the allow-list")
	}
	if set, _ := e.staff.ShopSettings(ctx, e.shop); set.DisplayName != "" {
		t.Fatal("a refused change changed the display name")
	}
	owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
	if p := owner.get("/console/dashboard"); !strings.Contains(p.body, `href="/console/settings"`) {
		t.Error("no settings link for the owner")
	}
}

// TestSettingsAllowList: networks are added and removed; a change that would keep out the
// owner's own address asks first; the trail names the owner; the list applies to logins.
func TestSettingsAllowList(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
	me := e.id(t, "owner@example.jp")
	_, codes := e.member(t, e.shop, "clerk@example.jp", access.RoleSupport)
	list := func() string {
		l, err := e.staff.AllowedIPs(ctx, e.shop)
		if err != nil {
			t.Fatal(err)
		}
		s := make([]string, len(l))
		for i, p := range l {
			s[i] = p.String()
		}
		return strings.Join(s, " ")
	}
	if p := owner.get("/console/settings"); p.status != 200 || !strings.Contains(p.body, "127.0.0.1") || !strings.Contains(p.body, "どこからでもログインできます") {
		t.Fatalf("settings: %d", p.status)
	}
	// Adding an office network that leaves out 127.0.0.1: asked first, nothing changes.
	p := owner.post("/console/settings/allow", url.Values{"cidr": {"192.0.2.7/24"}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, "あなたの現在のIPアドレス（127.0.0.1）からはログインできなくなります") ||
		!strings.Contains(p.body, `name="confirm"`) || !strings.Contains(p.body, `value="192.0.2.0/24"`) || list() != "" {
		t.Fatalf("unconfirmed lockout: %d, list %q", p.status, list())
	}
	if p := owner.post("/console/settings/allow", url.Values{"cidr": {"192.0.2.0/24"}, "confirm": {"yes"}}); p.status != http.StatusSeeOther {
		t.Fatalf("confirmed: %d", p.status)
	}
	if list() != "192.0.2.0/24" {
		t.Fatalf("list %q", list())
	}
	evs, _ := e.trail.Query(ctx, audit.Filter{Actor: "staff:" + me, Action: string(access.NoticeAllowListChanged)})
	if len(evs) != 1 || evs[0].Reason != "added 192.0.2.0/24" || evs[0].ActorIP != "127.0.0.1" {
		t.Fatalf("audit: %+v", evs)
	}
	// The list applies: a login from 127.0.0.1 is refused; the open session carries on.
	b := e.browser(t)
	if p := b.post("/console/login", url.Values{"email": {"clerk@example.jp"}, "password": {testPassword}, "otp": {codes[0]}}); p.status != http.StatusForbidden ||
		!strings.Contains(p.body, "このネットワークからはログインできません") {
		t.Fatalf("login outside the list: %d", p.status)
	}
	if p := owner.get("/console/settings?m=allow"); p.status != 200 || !strings.Contains(p.body, "192.0.2.0/24") || !strings.Contains(p.body, "このリストに含まれていません") || !strings.Contains(p.body, "追加しました") {
		t.Fatal("the page does not show the list, the owner's position or the notice")
	}
	// Adding the owner's own network needs no confirmation; removing it again does.
	if p := owner.post("/console/settings/allow", url.Values{"cidr": {"127.0.0.0/8"}}); p.status != http.StatusSeeOther || list() != "192.0.2.0/24 127.0.0.0/8" {
		t.Fatalf("add own network: %d, %q", p.status, list())
	}
	if p := owner.post("/console/settings/disallow", url.Values{"cidr": {"127.0.0.0/8"}}); p.status != http.StatusConflict || list() != "192.0.2.0/24 127.0.0.0/8" {
		t.Fatalf("unconfirmed removal of own network: %d, %q", p.status, list())
	}
	if p := owner.post("/console/settings/disallow", url.Values{"cidr": {"127.0.0.0/8"}, "confirm": {"yes"}}); p.status != http.StatusSeeOther || list() != "192.0.2.0/24" {
		t.Fatalf("confirmed removal: %d, %q", p.status, list())
	}
	// Emptying the list allows everyone again: no question.
	if p := owner.post("/console/settings/disallow", url.Values{"cidr": {"192.0.2.0/24"}}); p.status != http.StatusSeeOther || list() != "" {
		t.Fatalf("empty the list: %d, %q", p.status, list())
	}
	if p := e.loginMember(t, "clerk@example.jp", codes[1]); !loggedIn(p) {
		t.Fatal("login refused with an empty list")
	}
	evs, _ = e.trail.Query(ctx, audit.Filter{Actor: "staff:" + me, Action: string(access.NoticeAllowListChanged)})
	if len(evs) != 4 || evs[0].Reason != "removed 192.0.2.0/24" {
		t.Fatalf("audit: %+v", evs)
	}
	for _, c := range []struct{ path, cidr, msg string }{
		{"/console/settings/allow", "10.0.0.300", "IPアドレスまたはCIDRとして読めません"},
		{"/console/settings/disallow", "198.51.100.0/24", "登録されていません"},
	} {
		if p := owner.post(c.path, url.Values{"cidr": {c.cidr}, "confirm": {"yes"}}); p.status < 400 || !strings.Contains(p.body, c.msg) {
			t.Errorf("%s %s: %d", c.path, c.cidr, p.status)
		}
	}
}

// TestSettingsSessionLimits: stricter limits are stored, shown, enforced on open sessions
// and drive the page's idle refresh; laxer ones are refused.
func TestSettingsSessionLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, bk storetest.Backend) {
		e := newEnv(t, bk)
		ctx := context.Background()
		owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
		me := e.id(t, "owner@example.jp")
		if p := owner.get("/console/settings"); !strings.Contains(p.body, `content="900;`) || !strings.Contains(p.body, `name="idle_minutes" type="number" inputmode="numeric" min="5" max="15" required value="15"`) {
			t.Fatal("the defaults are not shown")
		}
		for _, c := range [][2]string{{"16", "12"}, {"15", "13"}, {"4", "12"}, {"15", "0"}, {"ten", "12"}, {"", ""}} {
			p := owner.post("/console/settings/timeouts", url.Values{"idle_minutes": {c[0]}, "max_hours": {c[1]}})
			if p.status != http.StatusBadRequest || !strings.Contains(p.body, "緩めることはできません") {
				t.Errorf("%v: %d", c, p.status)
			}
		}
		if set, _ := e.staff.ShopSettings(ctx, e.shop); set.IdleTimeout != access.SessionIdleTimeout || set.MaxAge != access.SessionMaxAge {
			t.Fatalf("a laxer value was stored: %+v", set)
		}
		if p := owner.post("/console/settings/timeouts", url.Values{"idle_minutes": {"5"}, "max_hours": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("stricter: %d", p.status)
		}
		if set, _ := e.staff.ShopSettings(ctx, e.shop); set.IdleTimeout != 5*time.Minute || set.MaxAge != time.Hour {
			t.Fatalf("stored: %+v", set)
		}
		evs, _ := e.trail.Query(ctx, audit.Filter{Actor: "staff:" + me, Action: string(access.NoticeShopSettingsChanged)})
		if len(evs) != 1 || evs[0].Reason != "session idle 5m0s, absolute 1h0m0s" {
			t.Fatalf("audit: %+v", evs)
		}
		if p := owner.get("/console/settings?m=timeouts"); !strings.Contains(p.body, `content="300;url=/console/login?m=expired"`) || !strings.Contains(p.body, "保存しました") {
			t.Fatal("the idle refresh does not follow the shop's limit")
		}
		// Enforced on a member's open session: 4 minutes idle is fine, 6 is not.
		_, codes := e.member(t, e.shop, "clerk@example.jp", access.RoleSupport)
		cb := e.loginMember(t, "clerk@example.jp", codes[0])
		var token string
		for _, c := range cb.c.Jar.Cookies(mustURL(e.url)) {
			token = c.Value
		}
		hash := sha256.Sum256([]byte(token))
		if err := e.db.TouchSession(ctx, hash[:], time.Now().Add(-4*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if !loggedIn(cb) {
			t.Fatal("4 minutes idle ended the session")
		}
		if err := e.db.TouchSession(ctx, hash[:], time.Now().Add(-6*time.Minute)); err != nil {
			t.Fatal(err)
		}
		if p := cb.get("/console/dashboard"); p.status != http.StatusSeeOther || p.location() != "/console/login" {
			t.Fatalf("6 minutes idle under a 5-minute limit: %d", p.status)
		}
		// Another shop keeps the defaults.
		if set, _ := e.staff.ShopSettings(ctx, e.other); set.IdleTimeout != access.SessionIdleTimeout {
			t.Fatalf("the other shop: %+v", set)
		}
	})
}

// TestSettingsDisplayName: the header shows the display name to every member; the shop's
// login name does not change.
func TestSettingsDisplayName(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
	if p := owner.post("/console/settings/name", url.Values{"display_name": {"  金庫ストア 本店 "}}); p.status != http.StatusSeeOther {
		t.Fatalf("save: %d", p.status)
	}
	clerk := e.loginAs(t, "clerk@example.jp", access.RoleSupport) // logs in to shop "default"
	if p := clerk.get("/console/dashboard"); !strings.Contains(p.body, `<span class="shop">金庫ストア 本店</span>`) {
		t.Fatal("the header does not show the display name")
	}
	if p := owner.get("/console/settings"); !strings.Contains(p.body, `value="金庫ストア 本店"`) || !strings.Contains(p.body, "「default」") {
		t.Fatal("the settings page does not show the name and the shop id")
	}
	if sh, err := e.vault.ShopByName(context.Background(), "default"); err != nil || sh.ID != e.shop {
		t.Fatal("the shop's login name changed")
	}
	if p := owner.post("/console/settings/name", url.Values{"display_name": {strings.Repeat("店", 65)}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "64文字以内") {
		t.Fatalf("too long: %d", p.status)
	}
	if p := owner.post("/console/settings/name", url.Values{"display_name": {""}}); p.status != http.StatusSeeOther {
		t.Fatalf("clear: %d", p.status)
	}
	if p := clerk.get("/console/dashboard"); !strings.Contains(p.body, `<span class="shop">default</span>`) {
		t.Fatal("an empty display name does not fall back to the shop's name")
	}
}
