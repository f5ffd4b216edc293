package console_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

// TestDashboard: today's numbers come from the audit trail of the member's own shop, the
// owner's notices (a lockout, a login from a new IP) sit at the top, and roles that may not
// read the trail see no numbers at all.
func TestDashboard(t *testing.T) {
	storetest.Each(t, func(t *testing.T, be storetest.Backend) {
		e := newEnv(t, be)
		ctx := context.Background()
		api := vault.Actor{Shop: e.shop, ID: "key:test"}
		name, phone := "青木 真理", "4111-1111-1111-1111"
		rec, err := e.vault.Create(ctx, api, vault.Input{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		for range 3 {
			if _, err := e.vault.Get(ctx, api, rec.ID); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := e.vault.Create(ctx, api, vault.Input{Name: &name, Phone: &phone}); err == nil {
			t.Fatal("a card number in the phone field was stored")
		}
		// Another shop's reads count for that shop only.
		other := vault.Actor{Shop: e.other, ID: "key:other"}
		orec, _ := e.vault.Create(ctx, other, vault.Input{Name: &name})
		for range 5 {
			e.vault.Get(ctx, other, orec.ID)
		}
		// A member locks their account.
		e.member(t, e.shop, "careless.member@example.jp", access.RoleSupport)
		lb := e.browser(t)
		for range 10 {
			lb.post("/console/login", url.Values{"email": {"careless.member@example.jp"}, "password": {"wrong-password-123"}, "otp": {"123456"}})
		}

		owner := e.loginAs(t, "dash.owner@example.jp", access.RoleOwner)
		p := owner.get("/console/dashboard")
		if p.status != 200 {
			t.Fatalf("dashboard: %d", p.status)
		}
		stat := func(label string) string {
			m := regexp.MustCompile(`<span class="n">([0-9+]+)</span> <span class="label">` + label).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no %s on the dashboard", label)
			}
			return m[1]
		}
		if got := stat("顧客情報の閲覧"); got != "3" {
			t.Errorf("reads today = %s, want 3 (this shop's only)", got)
		}
		if got := stat("拒否したカード番号"); got != "1" {
			t.Errorf("card numbers refused = %s, want 1", got)
		}
		if got := stat("ログイン失敗"); got != "10" {
			t.Errorf("failed logins = %s, want 10", got)
		}
		if got := stat("アカウントロック"); got != "1" {
			t.Errorf("lockouts = %s, want 1", got)
		}
		attention := p.body[strings.Index(p.body, "オーナーへのお知らせ"):strings.Index(p.body, "本日（日本時間）")]
		if !strings.Contains(attention, "アカウントをロックしました") || !strings.Contains(attention, "careless.member@example.jp") ||
			!strings.Contains(attention, "新しいIPアドレスからログイン") {
			t.Error("the lockout or the new-IP login is not at the top for the owner")
		}
		if strings.Contains(p.body, name) || strings.Contains(p.body, "4111-1111") {
			t.Error("the dashboard shows a customer's name or a card number")
		}

		support := e.loginAs(t, "dash.support@example.jp", access.RoleSupport)
		sp := support.get("/console/dashboard")
		if sp.status != 200 || strings.Contains(sp.body, "顧客情報の閲覧") || strings.Contains(sp.body, "careless.member") {
			t.Fatalf("support sees the shop's numbers or notices: %d", sp.status)
		}
	})
}
