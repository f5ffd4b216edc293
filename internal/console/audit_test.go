package console_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

// TestAuditRoles: owners, admins and auditors open the audit trail; support, shipping and
// marketing are refused and do not see it in their menu.
func TestAuditRoles(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	for _, tc := range []struct {
		role access.Role
		ok   bool
	}{
		{access.RoleOwner, true}, {access.RoleAdmin, true}, {access.RoleAuditor, true},
		{access.RoleSupport, false}, {access.RoleShipping, false}, {access.RoleMarketing, false},
	} {
		t.Run(string(tc.role), func(t *testing.T) {
			b := e.loginAs(t, "audit."+string(tc.role)+"@example.jp", tc.role)
			dash := b.get("/console/dashboard")
			if got := strings.Contains(dash.body, `href="/console/audit"`); got != tc.ok {
				t.Errorf("menu link to the audit trail shown: %v, want %v", got, tc.ok)
			}
			p := b.get("/console/audit")
			if tc.ok {
				if p.status != 200 || !strings.Contains(p.body, "監査ログ") || !strings.Contains(p.body, `id="verify-now"`) {
					t.Fatalf("audit page: %d", p.status)
				}
				return
			}
			if p.status != http.StatusForbidden || strings.Contains(p.body, `id="audit-events"`) {
				t.Fatalf("audit page for %s: %d", tc.role, p.status)
			}
			for _, path := range []string{"/console/audit/export", "/console/audit/verify"} {
				if p := b.post(path, nil); p.status != http.StatusForbidden || strings.Contains(p.body, "seq,") {
					t.Errorf("POST %s for %s: %d", path, tc.role, p.status)
				}
			}
		})
	}
}

// auditFixture fills the trail with events of both shops: reads and reveals of two
// customers by two members and an API key, over three days.
type auditFixture struct {
	c1, c2    string // customers of the default shop
	foreign   string // a customer of the other shop
	alice     access.Member
	bob       access.Member
	keyID     string
	day1      time.Time // midnight JST of the first day
	email, ph string    // c1's clear email and phone
}

func newAuditFixture(t *testing.T, e *env) *auditFixture {
	t.Helper()
	ctx := context.Background()
	f := &auditFixture{email: "hanako.yamada@example.jp", ph: "090-1234-5678"}
	key := vault.Actor{Shop: e.shop, ID: "key:test"}
	name := "山田 花子"
	c1, err := e.vault.Create(ctx, key, vault.Input{Name: &name, Email: &f.email, Phone: &f.ph})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := e.vault.Create(ctx, key, vault.Input{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.vault.Create(ctx, vault.Actor{Shop: e.other, ID: "key:other"}, vault.Input{Name: &name})
	if err != nil {
		t.Fatal(err)
	}
	f.c1, f.c2, f.foreign = c1.ID, c2.ID, other.ID
	f.alice, _ = e.member(t, e.shop, "alice.support@example.jp", access.RoleSupport)
	f.bob, _ = e.member(t, e.shop, "bob.admin@example.jp", access.RoleAdmin)
	id, _, err := e.keys.Create(ctx, e.shop, "eccube-sync", []string{"customers:read"})
	if err != nil {
		t.Fatal(err)
	}
	f.keyID = id
	f.day1 = time.Date(2026, 3, 1, 0, 0, 0, 0, time.FixedZone("JST", 9*3600))
	var evs []audit.Event
	for i := range 60 {
		evs = append(evs, audit.Event{Time: f.day1.Add(time.Duration(i) * time.Minute), Actor: "staff:" + f.alice.ID, ActorIP: "192.0.2.10",
			Action: audit.ActionRead, Shop: e.shop, Customers: []string{f.c1}, Fields: []string{"name"}, Outcome: audit.OK})
	}
	evs = append(evs,
		audit.Event{Time: f.day1.Add(25 * time.Hour), Actor: "staff:" + f.bob.ID, ActorIP: "192.0.2.20", Action: audit.ActionReveal,
			Shop: e.shop, Customers: []string{f.c2}, Fields: []string{"phone"}, Reason: "配送業者からの問い合わせ", Outcome: audit.OK},
		audit.Event{Time: f.day1.Add(49 * time.Hour), Actor: "key:" + f.keyID, ActorIP: "198.51.100.7", Action: audit.ActionSearch,
			Shop: e.shop, Customers: []string{f.c1, f.c2}, Outcome: audit.OK},
		audit.Event{Time: f.day1.Add(50 * time.Hour), Actor: "staff:" + f.alice.ID, ActorIP: "192.0.2.10", Action: audit.ActionReveal,
			Shop: e.shop, Customers: []string{f.c1}, Fields: []string{"email"}, Reason: "=HYPERLINK(\"http://evil.example\",\"x\")", Outcome: audit.Denied},
		audit.Event{Time: f.day1.Add(26 * time.Hour), Actor: "staff:someoneelse", ActorIP: "203.0.113.99", Action: audit.ActionReveal,
			Shop: e.other, Customers: []string{f.foreign}, Fields: []string{"email"}, Reason: "other-shop-reason", Outcome: audit.OK},
	)
	if err := e.trail.Append(ctx, evs...); err != nil {
		t.Fatal(err)
	}
	return f
}

// TestAuditFilters: the page lists the shop's events newest first with names, IPs,
// translated actions, customer links, fields, reasons and outcomes; each filter narrows it;
// paging walks the rest; another shop's events never show; filters reach the URL only as
// identifiers and dates, and an email typed into a box is refused before it can.
func TestAuditFilters(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	f := newAuditFixture(t, e)
	b := e.loginAs(t, "auditor@example.jp", access.RoleAuditor)

	p := b.get("/console/audit")
	if p.status != 200 {
		t.Fatalf("audit page: %d", p.status)
	}
	for _, want := range []string{"alice.support@example.jp", "bob.admin@example.jp", "APIキー eccube-sync / " + f.keyID,
		"マスク解除（理由付き表示）", "配送業者からの問い合わせ", `href="/console/customers/` + f.c2 + `"`, "192.0.2.20", "拒否（権限なし）",
		"2026/03/03 02:00:00", `id="audit-next"`} {
		if !strings.Contains(p.body, want) {
			t.Errorf("audit page lacks %q", want)
		}
	}
	for _, bad := range []string{f.foreign, "other-shop-reason", "203.0.113.99", f.email, f.ph, "山田"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("audit page shows %q (another shop's event or a personal value)", bad)
		}
	}
	// Newest first: the denied reveal (day 3, 02:00 UTC+9 → 50h) comes before the search.
	if i, j := strings.Index(p.body, "=HYPERLINK"), strings.Index(p.body, "eccube-sync / "+f.keyID+"</td>"); i < 0 || j < 0 || i > j {
		t.Errorf("not newest first (reveal at %d, search at %d)", i, j)
	}
	// The listing includes the auditor's own login; a page holds 50 events.
	if n := strings.Count(p.body, `<tr id="ev-`); n != 50 {
		t.Errorf("first page lists %d events, want 50", n)
	}
	m := regexp.MustCompile(`<a href="([^"]+)" rel="next"`).FindStringSubmatch(p.body)
	if m == nil {
		t.Fatal("no link to older events")
	}
	next := strings.ReplaceAll(m[1], "&amp;", "&")
	p2 := b.get(next)
	if p2.status != 200 || strings.Count(p2.body, `<tr id="ev-`) == 0 {
		t.Fatalf("second page %q: %d", next, p2.status)
	}
	seen := map[string]bool{}
	for _, body := range []string{p.body, p2.body} {
		for _, part := range strings.Split(body, `<tr id="ev-`)[1:] {
			seq, _, _ := strings.Cut(part, `"`)
			if seen[seq] {
				t.Errorf("event %s listed on two pages", seq)
			}
			seen[seq] = true
		}
	}

	count := func(p page, action string) int { return strings.Count(p.body, `data-action="`+action+`"`) }
	for _, tc := range []struct {
		name  string
		query url.Values
		want  map[string]int // action → rows
		none  []string
	}{
		{"customer", url.Values{"customer": {f.c2}}, map[string]int{"reveal": 1, "search": 1, "read": 0}, []string{"alice.support"}},
		{"actor from the list", url.Values{"actor": {"staff:" + f.bob.ID}}, map[string]int{"reveal": 1, "read": 0, "search": 0}, nil},
		{"actor typed", url.Values{"actor_id": {"key:" + f.keyID}}, map[string]int{"search": 1, "reveal": 0}, nil},
		{"action", url.Values{"action": {"reveal"}}, map[string]int{"reveal": 2, "read": 0}, []string{"other-shop-reason"}},
		{"one day", url.Values{"from": {"2026-03-02"}, "to": {"2026-03-02"}}, map[string]int{"reveal": 1, "read": 0, "search": 0}, nil},
		{"from", url.Values{"from": {"2026-03-03"}, "action": {"reveal"}}, map[string]int{"reveal": 1}, []string{"配送業者"}},
		{"nothing", url.Values{"customer": {f.foreign}}, map[string]int{"reveal": 0}, []string{"other-shop-reason"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := b.post("/console/audit", tc.query)
			loc := r.location()
			if r.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/console/audit?") {
				t.Fatalf("filter: %d → %q", r.status, loc)
			}
			p := b.get(loc)
			if p.status != 200 {
				t.Fatalf("%s: %d", loc, p.status)
			}
			for a, n := range tc.want {
				if got := count(p, a); got != n {
					t.Errorf("%s rows: %d, want %d", a, got, n)
				}
			}
			for _, bad := range tc.none {
				if strings.Contains(between(p.body, `<tbody>`, `</tbody>`), bad) {
					t.Errorf("filtered page shows %q", bad)
				}
			}
		})
	}

	// Personal values typed into the boxes are refused and never reach a URL.
	for _, form := range []url.Values{{"customer": {f.email}}, {"actor_id": {f.email}}, {"customer": {"山田花子"}}, {"from": {"yesterday"}},
		{"from": {"2026-03-03"}, "to": {"2026-03-01"}}} {
		r := b.post("/console/audit", form)
		if r.status != http.StatusBadRequest || r.location() != "" || strings.Contains(r.body, `value="`+f.email) {
			t.Errorf("filter %v: %d → %q", form, r.status, r.location())
		}
	}
	if p := b.get("/console/audit?customer=" + url.QueryEscape(f.email)); p.status != http.StatusBadRequest || strings.Contains(p.body, f.email) {
		t.Errorf("GET with an email as customer: %d", p.status)
	}
	if strings.Contains(e.log.String(), f.email) || strings.Contains(e.log.String(), "hanako") {
		t.Error("the log holds a typed email")
	}
}

// TestAuditVerify: the verify button reports an intact chain, and after a row is edited in
// the database file, the first broken event; both checks are recorded. The chain is the
// whole server's: on this server of two shops no count of events is shown (the other shop's
// are in it), and the other shop's members see the verdict but not who asked.
func TestAuditVerify(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	f := newAuditFixture(t, e)
	b := e.loginAs(t, "verify.owner@example.jp", access.RoleOwner)
	if p := b.get("/console/audit"); !strings.Contains(p.body, "まだ検証していません") {
		t.Fatal("a verification result shown before any ran")
	}
	r := b.post("/console/audit/verify", nil)
	if r.status != http.StatusSeeOther || r.location() != "/console/audit" {
		t.Fatalf("verify: %d → %q", r.status, r.location())
	}
	p := b.get("/console/audit")
	res := between(p.body, `id="verify"`, `</section>`)
	if !strings.Contains(res, "改ざんは検出されていません") || !strings.Contains(res, "ほかのショップの分も含みます") || strings.Contains(res, "件の記録を検証しました") || strings.Contains(res, "改ざんを検出しました") {
		t.Fatalf("intact trail not reported as intact, or with a count:\n%s", res)
	}
	if !strings.Contains(res, "verify.owner@example.jp") {
		t.Fatalf("who asked is not shown to their own shop:\n%s", res)
	}
	_, codes := e.member(t, e.other, "other.owner@example.jp", access.RoleOwner)
	ob := e.browser(t)
	if p := ob.post("/console/login", url.Values{"shop": {"other"}, "email": {"other.owner@example.jp"}, "password": {testPassword}, "otp": {codes[0]}}); p.status != http.StatusSeeOther {
		t.Fatalf("login to the other shop: %d", p.status)
	}
	theirs := between(ob.get("/console/audit").body, `id="verify"`, `</section>`)
	if !strings.Contains(theirs, "改ざんは検出されていません") || !strings.Contains(theirs, "ほかのショップの担当者") || strings.Contains(theirs, "verify.owner") {
		t.Fatalf("the other shop's view of the verification:\n%s", theirs)
	}

	// Someone with the database file changes what a reveal says it was.
	raw, err := sql.Open("sqlite", "file:"+e.dbFile+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	evs, err := e.trail.Query(context.Background(), audit.Filter{Action: audit.ActionReveal, Customer: f.c2})
	if err != nil || len(evs) != 1 {
		t.Fatalf("finding the reveal: %v (%d)", err, len(evs))
	}
	bad := evs[0].Seq
	if _, err := raw.Exec(`UPDATE audit_events SET action = 'read' WHERE seq = ?`, bad); err != nil {
		t.Fatal(err)
	}
	b.post("/console/audit/verify", nil)
	p = b.get("/console/audit")
	res = between(p.body, `id="verify"`, `</section>`)
	if !strings.Contains(res, "改ざんを検出しました") || !strings.Contains(res, fmt.Sprintf("#%d", bad)) || strings.Contains(res, "改ざんは検出されていません") {
		t.Fatalf("tampered trail not reported at event %d:\n%s", bad, res)
	}
	b.lang = "en"
	if p := b.get("/console/audit"); !strings.Contains(p.body, "Tampering detected") {
		t.Error("English page lacks the broken state")
	}

	got, err := e.trail.Query(context.Background(), audit.Filter{Action: "trail.verified"})
	if err != nil || len(got) != 2 {
		t.Fatalf("verification events: %v, %d", err, len(got))
	}
	if got[0].Outcome != audit.Error || !strings.Contains(got[0].Reason, fmt.Sprint(bad)) || got[1].Outcome != audit.OK || !strings.HasPrefix(got[0].Actor, "staff:") {
		t.Errorf("verification events: %+v / %+v", got[0], got[1])
	}
}

// TestAuditExport: the CSV has a BOM, a header, one row per event of the filter and shop,
// neutralised formulas, and the export is recorded with its filter.
func TestAuditExport(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	f := newAuditFixture(t, e)
	me, codes := e.member(t, e.shop, "export.admin@example.jp", access.RoleAdmin)
	b := e.browser(t)
	if p := b.post("/console/login", url.Values{"email": {"export.admin@example.jp"}, "password": {testPassword}, "otp": {codes[0]}}); p.status != http.StatusSeeOther {
		t.Fatalf("login: %d", p.status)
	}
	b.get("/console/audit")
	if p := b.post("/console/audit/export", url.Values{"csrf": {"forged"}}); p.status != http.StatusForbidden {
		t.Fatalf("export with a forged form token: %d", p.status)
	}
	p := b.post("/console/audit/export", url.Values{"action": {"reveal"}})
	if p.status != 200 || p.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(p.header.Get("Content-Disposition"), `attachment; filename="kinko-audit-`) || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("export: %d %q %q", p.status, p.header.Get("Content-Type"), p.header.Get("Content-Disposition"))
	}
	if !strings.HasPrefix(p.body, "\uFEFF") {
		t.Fatal("no UTF-8 byte order mark (Excel would show mojibake)")
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(p.body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || rows[0][0] != "seq" || rows[0][1] != "日時" || rows[0][5] != "操作" {
		t.Fatalf("export rows: %q", rows)
	}
	for _, r := range rows[1:] {
		if r[6] != "reveal" || len(r) != 12 {
			t.Errorf("row: %q", r)
		}
	}
	if rows[1][9] != `'=HYPERLINK("http://evil.example","x")` || rows[1][2] != "alice.support@example.jp" {
		t.Errorf("formula not neutralised or actor not named: %q", rows[1])
	}
	if rows[2][9] != "配送業者からの問い合わせ" || rows[2][7] != f.c2 {
		t.Errorf("second row: %q", rows[2])
	}
	for _, bad := range []string{"other-shop-reason", f.foreign, f.email, f.ph, "山田"} {
		if strings.Contains(p.body, bad) {
			t.Errorf("export holds %q", bad)
		}
	}
	// Everything, by customer, in English.
	b.lang = "en"
	p = b.post("/console/audit/export", url.Values{"customer": {f.c1}})
	rows, _ = csv.NewReader(bytes.NewReader([]byte(strings.TrimPrefix(p.body, "\uFEFF")))).ReadAll()
	// Its 60 reads, its creation, the search, the denied reveal, and this export itself.
	if len(rows) != 1+60+4 || rows[0][1] != "Time" || !strings.HasSuffix(rows[1][1], " JST") {
		t.Fatalf("customer export: %d rows, header %q", len(rows), rows[0])
	}
	if p := b.post("/console/audit/export", url.Values{"customer": {f.email}}); p.status != http.StatusBadRequest || strings.Contains(p.body, f.email) {
		t.Errorf("export by email: %d", p.status)
	}

	got, err := e.trail.Query(context.Background(), audit.Filter{Action: "trail.exported", Actor: "staff:" + me.ID})
	if err != nil || len(got) != 2 {
		t.Fatalf("export events: %v, %d", err, len(got))
	}
	if got[1].Reason != "filter: action=reveal" || got[0].Reason != "filter: customer="+f.c1 || got[0].Customers[0] != f.c1 || got[0].Shop != e.shop || got[0].ActorIP == "" {
		t.Errorf("export events: %+v / %+v", got[0], got[1])
	}
}

// between is the text of s between the first a and the next b after it ("" if absent).
func between(s, a, b string) string {
	_, rest, ok := strings.Cut(s, a)
	if !ok {
		return ""
	}
	in, _, _ := strings.Cut(rest, b)
	return in
}
