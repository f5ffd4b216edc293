package console_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// id returns the staff id of a default-shop member.
func (e *env) id(t testing.TB, email string) string {
	t.Helper()
	m, err := e.staff.Get(context.Background(), e.shop, email)
	if err != nil {
		t.Fatal(err)
	}
	return m.ID
}

// staffEvent asserts that the trail holds an event of kind done by actor to the member
// with staff id target, and returns it.
func (e *env) staffEvent(t testing.TB, kind access.NoticeKind, actor, target string) audit.Event {
	t.Helper()
	evs, err := e.trail.Query(context.Background(), audit.Filter{Actor: "staff:" + actor, Action: string(kind)})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if strings.HasPrefix(ev.Reason, "member staff:"+target) && ev.Shop == e.shop && ev.ActorIP == "127.0.0.1" && ev.RequestID != "" {
			return ev
		}
	}
	t.Fatalf("no %s event by staff:%s naming staff:%s (got %+v)", kind, actor, target, evs)
	return audit.Event{}
}

// loginMember logs an existing member in with a recovery code; the browser holds a session.
func (e *env) loginMember(t testing.TB, email, code string) *browser {
	t.Helper()
	b := e.browser(t)
	p := b.post("/console/login", url.Values{"email": {email}, "password": {testPassword}, "otp": {code}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("login as %s: %d", email, p.status)
	}
	return b
}

func loggedIn(b *browser) bool { return b.get("/console/dashboard").status == http.StatusOK }

var setupLinkRE = regexp.MustCompile(`http://127\.0\.0\.1:\d+/console/setup/(kinkou_[A-Za-z0-9_-]{43})`)

// TestStaffRoles: only owners and admins reach the staff pages or see them in the menu.
func TestStaffRoles(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.member(t, e.shop, "target@example.jp", access.RoleSupport)
	for _, role := range []access.Role{access.RoleSupport, access.RoleShipping, access.RoleMarketing, access.RoleAuditor} {
		b := e.loginAs(t, string(role)+"@example.jp", role)
		if p := b.get("/console/dashboard"); strings.Contains(p.body, `href="/console/staff"`) {
			t.Errorf("%s: the menu links to the staff page", role)
		}
		if p := b.get("/console/staff"); p.status != http.StatusForbidden || strings.Contains(p.body, "target@example.jp") {
			t.Errorf("%s: staff page answered %d", role, p.status)
		}
		id := e.id(t, "target@example.jp")
		if p := b.post("/console/staff/"+id+"/disable", nil); p.status != http.StatusForbidden {
			t.Errorf("%s: disable answered %d", role, p.status)
		}
		if p := b.post("/console/staff/invite", url.Values{"email": {"x-" + string(role) + "@example.jp"}, "role": {"support"}}); p.status != http.StatusForbidden {
			t.Errorf("%s: invite answered %d", role, p.status)
		}
	}
	if m, _ := e.staff.Get(context.Background(), e.shop, "target@example.jp"); m.Status != access.StatusActive {
		t.Fatal("a refused disable disabled")
	}
	if _, err := e.staff.Get(context.Background(), e.shop, "x-support@example.jp"); err == nil {
		t.Fatal("a refused invite added a member")
	}
	for _, role := range []access.Role{access.RoleOwner, access.RoleAdmin} {
		b := e.loginAs(t, "menu-"+string(role)+"@example.jp", role)
		if p := b.get("/console/dashboard"); !strings.Contains(p.body, `href="/console/staff"`) {
			t.Errorf("%s: no staff link in the menu", role)
		}
		if p := b.get("/console/staff"); p.status != http.StatusOK || !strings.Contains(p.body, "target@example.jp") {
			t.Errorf("%s: staff page answered %d", role, p.status)
		}
	}
}

// TestStaffAdminAndOwners: an admin neither sees nor touches an owner, and cannot make
// anyone owner; an owner can.
func TestStaffAdminAndOwners(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	e.member(t, e.shop, "boss@example.jp", access.RoleOwner)
	e.member(t, e.shop, "clerk@example.jp", access.RoleSupport)
	owner, clerk := e.id(t, "boss@example.jp"), e.id(t, "clerk@example.jp")
	admin := e.loginAs(t, "admin@example.jp", access.RoleAdmin)

	p := admin.get("/console/staff")
	if p.status != 200 || strings.Contains(p.body, "boss@example.jp") || strings.Contains(p.body, owner) || !strings.Contains(p.body, "clerk@example.jp") {
		t.Fatalf("admin's staff list: %d, shows the owner or not the clerk", p.status)
	}
	if strings.Contains(p.body, `value="owner"`) || !strings.Contains(p.body, "オーナーのアカウントはオーナーだけが") {
		t.Error("admin is offered the owner role, or not told owners are hidden")
	}
	if p := admin.get("/console/staff/" + owner); p.status != http.StatusForbidden || strings.Contains(p.body, "boss@example.jp") {
		t.Errorf("admin opened the owner's page: %d", p.status)
	}
	for _, action := range []string{"role", "disable", "reset-2fa", "revoke", "unlock", "setup-link"} {
		if p := admin.post("/console/staff/"+owner+"/"+action, url.Values{"role": {"support"}}); p.status != http.StatusForbidden || strings.Contains(p.body, "kinkou_") {
			t.Errorf("admin %s on the owner: %d", action, p.status)
		}
	}
	if m, _ := e.staff.Get(ctx, e.shop, "boss@example.jp"); m.Role != access.RoleOwner || m.Status != access.StatusActive || !m.TOTPEnrolled || m.SetupPending {
		t.Fatalf("the owner was changed by an admin: %+v", m)
	}
	if p := admin.post("/console/staff/"+clerk+"/role", url.Values{"role": {"owner"}}); p.status != http.StatusForbidden {
		t.Errorf("admin made someone owner: %d", p.status)
	}
	if p := admin.post("/console/staff/invite", url.Values{"email": {"new-owner@example.jp"}, "role": {"owner"}}); p.status != http.StatusForbidden {
		t.Errorf("admin invited an owner: %d", p.status)
	}
	if m, _ := e.staff.Get(ctx, e.shop, "clerk@example.jp"); m.Role != access.RoleSupport {
		t.Fatal("the clerk became owner")
	}
	if _, err := e.staff.Get(ctx, e.shop, "new-owner@example.jp"); err == nil {
		t.Fatal("an owner was invited by an admin")
	}
	// What an admin may do: manage the clerk, and the trail names the admin.
	if p := admin.post("/console/staff/"+clerk+"/role", url.Values{"role": {"shipping"}}); p.status != http.StatusSeeOther {
		t.Fatalf("admin role change: %d", p.status)
	}
	e.staffEvent(t, access.NoticeRoleChanged, e.id(t, "admin@example.jp"), clerk)

	// A member of another shop is not found, whatever the role.
	other, _ := e.member(t, e.other, "elsewhere@example.jp", access.RoleSupport)
	ob := e.loginAs(t, "owner2@example.jp", access.RoleOwner)
	if p := ob.get("/console/staff/" + other.ID); p.status != http.StatusNotFound || strings.Contains(p.body, "elsewhere@example.jp") {
		t.Errorf("another shop's member: %d", p.status)
	}
	if p := ob.post("/console/staff/"+other.ID+"/disable", nil); p.status != http.StatusNotFound {
		t.Errorf("disable another shop's member: %d", p.status)
	}
	if p := ob.get("/console/staff"); strings.Contains(p.body, "elsewhere@example.jp") || !strings.Contains(p.body, "boss@example.jp") || !strings.Contains(p.body, `value="owner"`) {
		t.Error("the owner's list shows another shop, or not the owners, or no owner role to give")
	}
}

// TestStaffInvite: an invitation shows a working setup link once, never again, never in the
// log; the trail names who invited.
func TestStaffInvite(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	owner := e.loginAs(t, "inviter@example.jp", access.RoleOwner)
	p := owner.post("/console/staff/invite", url.Values{"email": {"New.Hire@Example.jp"}, "role": {"shipping"}})
	m := setupLinkRE.FindStringSubmatch(p.body)
	if p.status != http.StatusOK || m == nil || !strings.Contains(p.body, `data-copy="setup-link"`) || !strings.Contains(p.body, "今回しか表示されません") {
		t.Fatalf("invite: %d, no link, copy button or warning\n%s", p.status, p.body)
	}
	token := m[1]
	if !strings.Contains(p.header.Get("Cache-Control"), "no-store") {
		t.Error("the link page may be cached")
	}
	hire, err := e.staff.Get(context.Background(), e.shop, "new.hire@example.jp")
	if err != nil || hire.Role != access.RoleShipping || !hire.SetupPending {
		t.Fatalf("invited member: %+v, %v", hire, err)
	}
	ev := e.staffEvent(t, access.NoticeStaffCreated, e.id(t, "inviter@example.jp"), hire.ID)
	if strings.Contains(ev.Reason, "hire") {
		t.Error("the audit event holds the email")
	}
	for _, path := range []string{"/console/staff", "/console/staff/" + hire.ID, "/console/dashboard"} {
		if p := owner.get(path); strings.Contains(p.body, token) || strings.Contains(p.body, "/console/setup/") {
			t.Errorf("%s shows the setup link again", path)
		}
	}
	if strings.Contains(e.log.String(), token) || strings.Contains(e.log.String(), "hire@") {
		t.Error("the log holds the setup token or the email")
	}
	// The link works for the new member.
	nb := e.browser(t)
	if p := nb.get("/console/setup/" + token); p.status != http.StatusOK || !strings.Contains(p.body, "new.hire@example.jp") || !strings.Contains(p.body, `name="password"`) {
		t.Fatalf("setup link: %d", p.status)
	}
	// Mistakes are explained, and nothing is added.
	for _, c := range []struct{ email, role, msg string }{
		{"new.hire@example.jp", "support", "すでに登録されています"},
		{"not-an-email", "support", "形式が正しくありません"},
		{"x@example.jp", "superuser", "権限の指定が正しくありません"},
	} {
		if p := owner.post("/console/staff/invite", url.Values{"email": {c.email}, "role": {c.role}}); p.status < 400 || !strings.Contains(p.body, c.msg) || setupLinkRE.MatchString(p.body) {
			t.Errorf("invite %s as %s: %d", c.email, c.role, p.status)
		}
	}
	// A new link replaces the first one.
	p = owner.post("/console/staff/"+hire.ID+"/setup-link", nil)
	m2 := setupLinkRE.FindStringSubmatch(p.body)
	if p.status != 200 || m2 == nil || m2[1] == token {
		t.Fatalf("new setup link: %d", p.status)
	}
	if p := nb.get("/console/setup/" + token); p.status != http.StatusNotFound {
		t.Errorf("the replaced link still works: %d", p.status)
	}
	if p := nb.get("/console/setup/" + m2[1]); p.status != http.StatusOK {
		t.Errorf("the new link does not work: %d", p.status)
	}
	e.staffEvent(t, access.NoticeSetupLinkIssued, e.id(t, "inviter@example.jp"), hire.ID)
}

// TestStaffActions: each action changes the domain at once and is in the trail naming the
// member who did it; nobody acts on their own account; sessions and logins are listed
// without any secret.
func TestStaffActions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, bk storetest.Backend) {
		e := newEnv(t, bk)
		ctx := context.Background()
		owner := e.loginAs(t, "owner@example.jp", access.RoleOwner)
		me := e.id(t, "owner@example.jp")
		_, codes := e.member(t, e.shop, "clerk@example.jp", access.RoleSupport)
		clerk := e.id(t, "clerk@example.jp")
		cb := e.loginMember(t, "clerk@example.jp", codes[0])
		get := func() access.Member {
			m, err := e.staff.Get(ctx, e.shop, "clerk@example.jp")
			if err != nil {
				t.Fatal(err)
			}
			return m
		}
		act := func(action string, form url.Values) {
			t.Helper()
			p := owner.post("/console/staff/"+clerk+"/"+action, form)
			if p.status != http.StatusSeeOther || p.location() != "/console/staff/"+clerk+"?m="+action {
				t.Fatalf("%s: %d → %q", action, p.status, p.location())
			}
		}

		// The member page: sessions and recent logins, no secret.
		p := owner.get("/console/staff/" + clerk)
		var cookie string
		for _, c := range cb.c.Jar.Cookies(mustURL(e.url)) {
			cookie = c.Value
		}
		if p.status != 200 || !strings.Contains(p.body, "127.0.0.1") || !strings.Contains(p.body, "ログイン成功") || !strings.Contains(p.body, "通常") {
			t.Fatalf("member page: %d\n%s", p.status, p.body)
		}
		if cookie == "" || strings.Contains(p.body, cookie) || strings.Contains(p.body, "kinkos_") {
			t.Fatal("the member page shows a session token")
		}

		act("role", url.Values{"role": {"admin"}})
		if get().Role != access.RoleAdmin {
			t.Fatal("role not changed")
		}
		if ev := e.staffEvent(t, access.NoticeRoleChanged, me, clerk); !strings.Contains(ev.Reason, "support→admin") {
			t.Errorf("role change reason %q", ev.Reason)
		}
		if p := owner.get("/console/staff/" + clerk + "?m=role"); !strings.Contains(p.body, "権限を変更しました") {
			t.Error("no notice after the role change")
		}

		act("revoke", nil)
		if loggedIn(cb) {
			t.Fatal("revoked session still works")
		}
		e.staffEvent(t, access.NoticeSessionsRevoked, me, clerk)

		cb = e.loginMember(t, "clerk@example.jp", codes[1])
		act("disable", nil)
		if get().Status != access.StatusDisabled || loggedIn(cb) {
			t.Fatal("disabled member still active or logged in")
		}
		e.staffEvent(t, access.NoticeStaffDisabled, me, clerk)
		if p := cb.post("/console/login", url.Values{"email": {"clerk@example.jp"}, "password": {testPassword}, "otp": {codes[2]}}); p.status == http.StatusSeeOther {
			t.Fatal("a disabled member logged in")
		}
		act("enable", nil)
		if get().Status != access.StatusActive {
			t.Fatal("not enabled")
		}
		e.staffEvent(t, access.NoticeStaffEnabled, me, clerk)

		// Lock the clerk with 10 wrong passwords, then unlock from the console.
		for range 10 {
			e.staff.Login(ctx, access.LoginRequest{Shop: e.shop, Email: "clerk@example.jp", Password: "wrong-password-1234", IP: "192.0.2.1"})
		}
		if _, err := e.staff.Login(ctx, access.LoginRequest{Shop: e.shop, Email: "clerk@example.jp", Password: testPassword, OTP: codes[3], IP: "192.0.2.1"}); err == nil {
			t.Fatal("not locked")
		}
		act("unlock", nil)
		e.staffEvent(t, access.NoticeStaffUnlocked, me, clerk)
		cb = e.loginMember(t, "clerk@example.jp", codes[4])

		act("reset-2fa", nil)
		if get().TOTPEnrolled || loggedIn(cb) {
			t.Fatal("2FA not reset or sessions not ended")
		}
		e.staffEvent(t, access.NoticeTOTPReset, me, clerk)

		// Nobody acts on their own account; the sole owner stays owner.
		for _, action := range []string{"role", "disable", "reset-2fa", "revoke"} {
			if p := owner.post("/console/staff/"+me+"/"+action, url.Values{"role": {"support"}}); p.status != http.StatusForbidden || !strings.Contains(p.body, "自分自身のアカウント") {
				t.Errorf("own %s: %d", action, p.status)
			}
		}
		if p := owner.get("/console/staff/" + me); !strings.Contains(p.body, "自分自身の権限の変更") || strings.Contains(p.body, "/console/staff/"+me+"/role") {
			t.Error("own page offers actions or does not say why not")
		}
		if m, _ := e.staff.Get(ctx, e.shop, "owner@example.jp"); m.Role != access.RoleOwner || m.Status != access.StatusActive || !loggedIn(owner) {
			t.Fatal("the sole owner changed themselves")
		}
		if p := owner.post("/console/staff/"+clerk+"/fly", nil); p.status != http.StatusNotFound {
			t.Errorf("unknown action: %d", p.status)
		}
		if p := owner.post("/console/staff/"+clerk+"/disable", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden || get().Status != access.StatusActive {
			t.Error("an action without the form token went through")
		}
	})
}

// TestStaffLastOwner: the shop keeps an active owner. Through the console an owner cannot
// demote or disable themselves (so the acting owner is always an active owner besides the
// one changed); another owner can be demoted, and an admin touches no owner.
func TestStaffLastOwner(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	a := e.loginAs(t, "a-owner@example.jp", access.RoleOwner)
	_, bcodes := e.member(t, e.shop, "b-owner@example.jp", access.RoleOwner)
	aid, bid := e.id(t, "a-owner@example.jp"), e.id(t, "b-owner@example.jp")
	b := e.loginMember(t, "b-owner@example.jp", bcodes[0])
	b.get("/console/dashboard")
	if p := a.post("/console/staff/"+bid+"/role", url.Values{"role": {"admin"}}); p.status != http.StatusSeeOther {
		t.Fatalf("demote the other owner: %d", p.status)
	}
	if p := b.post("/console/staff/"+aid+"/role", url.Values{"role": {"support"}}); p.status != http.StatusForbidden {
		t.Errorf("an admin demoted the owner: %d", p.status)
	}
	if p := b.post("/console/staff/"+aid+"/disable", nil); p.status != http.StatusForbidden {
		t.Errorf("an admin disabled the owner: %d", p.status)
	}
	for _, action := range []string{"role", "disable"} {
		p := a.post("/console/staff/"+aid+"/"+action, url.Values{"role": {"admin"}})
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "ほかのオーナーに依頼してください") {
			t.Errorf("the last owner %s themselves: %d", action, p.status)
		}
	}
	if m, _ := e.staff.Get(ctx, e.shop, "a-owner@example.jp"); m.Role != access.RoleOwner || m.Status != access.StatusActive {
		t.Fatal("no active owner left")
	}
	// The domain's guard stands behind the console's rule.
	if _, err := e.staff.SetRole(ctx, e.shop, "a-owner@example.jp", access.RoleAdmin); err != access.ErrLastOwner {
		t.Fatalf("domain: %v", err)
	}
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
