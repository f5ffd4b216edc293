package console_test

import (
	"context"
	"errors"
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

// The test customer. None of its values appears in the console's own texts (help texts and
// examples), so finding one in a page means the page shows the customer's data.
const (
	cName     = "鈴木 一郎"
	cKana     = "スズキ イチロウ"
	cEmail    = "ichiro.suzuki@kinko-test.jp"
	cPhone    = "080-2345-6789"
	cPostal   = "150-0001"
	cPref     = "東京都"
	cCity     = "渋谷区"
	cLine1    = "神宮前9-8-7"
	cLine2    = "テストビル305"
	cBirth    = "1979-11-23"
	cGender   = "female"
	cAttrKey  = "rank"
	cAttrVal  = "platinum"
	cMaskMail = "i***@kinko-test.jp"
	cMaskTel  = "***-****-6789"
	cMaskName = "鈴**"
	cMaskZip  = "150-****"
)

func ptr(s string) *string { return &s }

func testInput() vault.Input {
	return vault.Input{Name: ptr(cName), NameKana: ptr(cKana), Email: ptr(cEmail), Phone: ptr(cPhone), PostalCode: ptr(cPostal),
		Address:   &vault.Address{Prefecture: cPref, City: cCity, Line1: cLine1, Line2: cLine2},
		BirthDate: ptr(cBirth), Gender: ptr(cGender), Attributes: map[string]string{cAttrKey: cAttrVal}}
}

// customer creates a customer in shop through an API-key actor and returns its id.
func (e *env) customer(t testing.TB, shop string, in vault.Input) string {
	t.Helper()
	rec, err := e.vault.Create(context.Background(), vault.Actor{Shop: shop, ID: "key:test"}, in)
	if err != nil {
		t.Fatal(err)
	}
	return rec.ID
}

// whole reads a customer whole (as an API key), to check what is stored.
func (e *env) whole(t testing.TB, shop, id string) *vault.Record {
	t.Helper()
	rec, err := e.vault.Get(context.Background(), vault.Actor{Shop: shop, ID: "key:test"}, id)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func (e *env) events(t testing.TB, f audit.Filter) []audit.Event {
	t.Helper()
	evs, err := e.trail.Query(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func staffActor(t testing.TB, e *env, email string) string {
	t.Helper()
	m, err := e.staff.Get(context.Background(), e.shop, email)
	if err != nil {
		t.Fatal(err)
	}
	return "staff:" + m.ID
}

func mustHave(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s: %q missing", what, w)
		}
	}
}

// cardDigits are the test card number's digits as they could leak: whole or in groups of
// eight or more. A bare "4111" would also match a random request id or a duration in a log
// line (a flaky test), so the groups are longer.
var cardDigits = []string{"4111111111111111", "41111111", "4111 1111", "4111-1111", "1111 1111 1111", "1111-1111-1111"}

func mustNotHave(t *testing.T, what, body string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(body, n) {
			t.Errorf("%s: %q must not appear", what, n)
		}
	}
}

// TestCustomerPagesPerRole: for each role, what the detail and search pages show and what
// they must not; the auditor sees no customer page at all. On SQLite and PostgreSQL.
func TestCustomerPagesPerRole(t *testing.T) {
	storetest.Each(t, func(t *testing.T, be storetest.Backend) {
		e := newEnv(t, be)
		id := e.customer(t, e.shop, testInput())
		band := access.AgeBand(cBirth, time.Now())
		clear := []string{cName, cKana, cEmail, cPhone, cPostal, cLine1, cLine2, cBirth}
		cases := []struct {
			role         access.Role
			detail, list []string // must appear (list: in the search results)
			not          []string // must appear in neither
			actions      []string // links and forms the role gets
			noActions    []string
		}{
			{role: access.RoleOwner, detail: []string{cMaskName, cMaskMail, cMaskTel, cMaskZip, cPref, cCity, band, cGender, cAttrKey, cAttrVal},
				list: []string{cMaskName, cMaskMail, cMaskTel, cPref, band}, not: clear,
				actions: []string{"/reveal", "/edit", "/delete"}},
			{role: access.RoleAdmin, detail: []string{cMaskName, cMaskMail, cMaskTel, cMaskZip, cPref, cCity, band, cGender, cAttrVal},
				list: []string{cMaskName, cMaskMail, cMaskTel}, not: clear,
				actions: []string{"/reveal", "/edit", "/delete"}},
			{role: access.RoleSupport, detail: []string{cName, cKana, cMaskMail, cMaskTel, cPref, cCity},
				list:    []string{cName, cKana, cMaskMail, cMaskTel, cPref, cCity},
				not:     []string{cEmail, cPhone, cPostal, cMaskZip, cLine1, cLine2, cBirth, band, cGender, cAttrVal},
				actions: []string{"/reveal", "/edit"}, noActions: []string{"/delete"}},
			{role: access.RoleShipping, detail: []string{cName, cKana, cPhone, cPostal, cPref, cCity, cLine1, cLine2},
				list:      []string{cName, cPhone, cPref, cCity},
				not:       []string{cEmail, cMaskMail, "@kinko-test.jp", cBirth, band, cGender, cAttrVal},
				noActions: []string{"/reveal", "/edit", "/delete"}},
			{role: access.RoleMarketing, detail: []string{cPref, band, cGender, cAttrKey, cAttrVal},
				list:      []string{cPref, band, cGender},
				not:       []string{cName, cKana, "鈴", "スズキ", "@kinko-test.jp", cMaskTel, cPhone, cCity, cLine1, cLine2, cPostal, cMaskZip, cBirth},
				noActions: []string{"/reveal", "/edit", "/delete"}},
		}
		for _, c := range cases {
			t.Run(string(c.role), func(t *testing.T) {
				b := e.loginAs(t, string(c.role)+"@example.jp", c.role)
				p := b.get("/console/customers/" + id)
				if p.status != http.StatusOK || p.header.Get("Cache-Control") != "no-store" {
					t.Fatalf("detail: %d %q", p.status, p.header.Get("Cache-Control"))
				}
				mustHave(t, "detail", p.body, append(c.detail, id)...)
				mustNotHave(t, "detail", p.body, c.not...)
				mustHave(t, "detail actions", p.body, c.actions...)
				mustNotHave(t, "detail actions", p.body, c.noActions...)
				if !strings.Contains(p.body, "<title>顧客詳細 |") {
					t.Error("detail: title is not the fixed page name")
				}

				b.get("/console/customers")
				p = b.post("/console/customers", url.Values{"field": {"email"}, "q": {"  ICHIRO.Suzuki@KINKO-TEST.jp "}})
				if p.status != http.StatusOK {
					t.Fatalf("search: %d", p.status)
				}
				mustHave(t, "search", p.body, append(c.list, `href="/console/customers/`+id+`"`)...)
				mustNotHave(t, "search", p.body, c.not...)
				// The results page repeats the term in its form (a POSTed body), never as it was stored.
				mustNotHave(t, "search", p.body, cEmail)
			})
		}
		t.Run("auditor", func(t *testing.T) {
			b := e.loginAs(t, "auditor@example.jp", access.RoleAuditor)
			for _, p := range []page{b.get("/console/customers"), b.get("/console/customers/" + id),
				b.post("/console/customers", url.Values{"field": {"email"}, "q": {cEmail}}),
				b.post("/console/customers/"+id+"/reveal", url.Values{"field": {"email"}, "reason": {"監査のため内容を確認します"}}),
				b.get("/console/customers/" + id + "/edit"), b.get("/console/customers/" + id + "/delete")} {
				if p.status != http.StatusForbidden {
					t.Errorf("auditor: %d, want 403", p.status)
				}
				mustNotHave(t, "auditor", p.body, append(clear, cMaskMail, cMaskTel, cPref)...)
			}
			if p := b.get("/console/dashboard"); strings.Contains(p.body, `href="/console/customers"`) {
				t.Error("the auditor's menu offers customers")
			}
			for _, ev := range e.events(t, audit.Filter{Actor: staffActor(t, e, "auditor@example.jp")}) {
				if ev.Action == audit.ActionRead || ev.Action == audit.ActionSearch || (ev.Action == audit.ActionReveal && ev.Outcome == audit.OK) {
					t.Errorf("the auditor read a customer: %+v", ev)
				}
			}
		})
		// Every read above is on record, by member.
		if evs := e.events(t, audit.Filter{Customer: id, Action: audit.ActionRead, Actor: staffActor(t, e, "support@example.jp")}); len(evs) != 1 {
			t.Errorf("support's read recorded %d times, want 1", len(evs))
		}
		if evs := e.events(t, audit.Filter{Action: audit.ActionSearch, Actor: staffActor(t, e, "marketing@example.jp")}); len(evs) != 1 ||
			len(evs[0].Customers) != 1 || evs[0].Customers[0] != id || len(evs[0].Query) == 0 {
			t.Errorf("marketing's search: %+v", evs)
		}
		mustNotHave(t, "log", e.log.String(), append(clear, "ICHIRO", "ichiro")...)
	})
}

var hrefRE = regexp.MustCompile(`(?:href|action|src)="([^"]*)"`)

// TestCustomerSearchNoURL: a search term is in no URL (no redirect, no link, no form
// action) and not in the log, also when the results span pages.
func TestCustomerSearchNoURL(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	var ids []string
	for i := range 25 {
		in := vault.Input{Name: ptr("佐藤 花子"), Email: ptr(fmt.Sprintf("hanako%02d@kinko-test.jp", i))}
		ids = append(ids, e.customer(t, e.shop, in))
	}
	e.customer(t, e.shop, vault.Input{Name: ptr("佐藤 次郎")})
	b := e.loginAs(t, "search.owner@example.jp", access.RoleOwner)
	b.get("/console/customers")
	term := "佐藤　花子" // full-width space: normalised as the API does
	var pages []page
	p1 := b.post("/console/customers", url.Values{"field": {"name"}, "q": {term}})
	p2 := b.post("/console/customers", url.Values{"field": {"name"}, "q": {term}, "page": {"2"}})
	pages = append(pages, p1, p2)
	if p1.status != 200 || p2.status != 200 {
		t.Fatalf("search: %d, %d", p1.status, p2.status)
	}
	count := func(p page) int { return strings.Count(p.body, `<a href="/console/customers/`) }
	if count(p1) != 20 || count(p2) != 5 {
		t.Fatalf("pages hold %d and %d results, want 20 and 5", count(p1), count(p2))
	}
	mustHave(t, "page 1", p1.body, "25件中 1〜20件目", "1 / 2 ページ", `name="page" value="2"`)
	mustHave(t, "page 2", p2.body, "25件中 21〜25件目", `name="page" value="1"`)
	// Page 2 shows results 21 to 25, none of page 1.
	for _, id := range ids {
		if strings.Contains(p1.body, id) == strings.Contains(p2.body, id) {
			t.Errorf("customer %s is on both pages or on neither", id)
		}
	}
	// A query string never searches.
	pages = append(pages, b.get("/console/customers?field=name&q="+url.QueryEscape(term)))
	if strings.Contains(pages[2].body, "件目") {
		t.Error("a GET with the term in the query string searched")
	}
	pages = append(pages, b.post("/console/customers", url.Values{"field": {"email"}, "q": {"hanako03@kinko-test.jp"}}))
	for i, p := range pages {
		if p.location() != "" {
			t.Errorf("page %d redirects to %q", i, p.location())
		}
		for _, m := range hrefRE.FindAllStringSubmatch(p.body, -1) {
			for _, bad := range []string{term, "佐藤", "花子", url.QueryEscape(term), "%E4%BD%90", "hanako", "q="} {
				if strings.Contains(m[1], bad) {
					t.Errorf("page %d: URL %q holds the search term", i, m[1])
				}
			}
		}
	}
	mustNotHave(t, "log", e.log.String(), "佐藤", "花子", "%E4%BD%90", "hanako")
	// Each search is audited with the term's blind index, never the term.
	for _, ev := range e.events(t, audit.Filter{Action: audit.ActionSearch}) {
		if len(ev.Query) == 0 || strings.Contains(ev.Reason, "佐藤") {
			t.Errorf("search event: %+v", ev)
		}
	}
	// A card number typed into the search box is refused and not repeated.
	card := "4111 1111 1111 1111"
	p := b.post("/console/customers", url.Values{"field": {"phone"}, "q": {card}})
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "カード番号") {
		t.Fatalf("card search: %d", p.status)
	}
	mustNotHave(t, "card search", p.body, append(cardDigits, card)...)
	mustNotHave(t, "log", e.log.String(), cardDigits...)
	// An empty value asks for one.
	if p := b.post("/console/customers", url.Values{"field": {"phone"}, "q": {"  "}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "検索する値を入力") {
		t.Errorf("empty search: %d", p.status)
	}
	if p := b.post("/console/customers", url.Values{"field": {"phone"}, "q": {"abc"}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "この項目では検索できない値です") {
		t.Errorf("letters as a phone number: %d", p.status)
	}
	// No result.
	if p := b.post("/console/customers", url.Values{"field": {"email"}, "q": {"nobody@kinko-test.jp"}}); !strings.Contains(p.body, "一致する顧客はいません") {
		t.Error("no 'no result' message")
	}
}

// TestCustomerReveal: support reveals a field with a reason and the trail names the member,
// the field and the reason, never a value; a reason too short or holding personal data
// re-shows the form without repeating it; a role that may not reveal gets no button, and
// its forged POST is refused (403) and recorded as denied.
func TestCustomerReveal(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.customer(t, e.shop, testInput())
	path := "/console/customers/" + id + "/reveal"
	sup := e.loginAs(t, "reveal.support@example.jp", access.RoleSupport)
	supActor := staffActor(t, e, "reveal.support@example.jp")
	sup.get("/console/customers/" + id)

	reason := "お客様からの問い合わせ対応のため"
	p := sup.post(path, url.Values{"field": {"email"}, "reason": {reason}})
	if p.status != http.StatusOK || p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("reveal: %d %q", p.status, p.header.Get("Cache-Control"))
	}
	shown := regexp.MustCompile(`data-hide-after="60" data-masked="` + regexp.QuoteMeta(cMaskMail) + `"[^>]*>` + regexp.QuoteMeta(cEmail) + ` `)
	if !shown.MatchString(p.body) {
		t.Error("the revealed email is not shown with its timer and masked form")
	}
	mustHave(t, "reveal", p.body, "監査ログに記録しました")
	mustNotHave(t, "reveal", p.body, cPhone, cLine1, cPostal, cBirth)

	evs := e.events(t, audit.Filter{Action: audit.ActionReveal, Customer: id})
	if len(evs) != 1 {
		t.Fatalf("%d reveal events, want 1", len(evs))
	}
	ev := evs[0]
	if ev.Actor != supActor || ev.Reason != reason || ev.Outcome != audit.OK || strings.Join(ev.Fields, ",") != "email" || ev.Shop != e.shop {
		t.Errorf("reveal event: %+v", ev)
	}
	mustNotHave(t, "reveal event", fmt.Sprintf("%+v", ev), cEmail, cName, cPhone)

	// The whole address, and a field support does not see at all.
	p = sup.post(path, url.Values{"field": {"address"}, "reason": {"配送先の確認依頼があったため"}})
	mustHave(t, "address reveal", p.body, cPref+" "+cCity+" "+cLine1+" "+cLine2)
	p = sup.post(path, url.Values{"field": {"postal_code"}, "reason": {"配送先の確認依頼があったため"}})
	mustHave(t, "postal code reveal", p.body, cPostal, `data-masked="非表示"`)

	// A reason too short, and one holding personal data: the form again, nothing revealed,
	// the reason not repeated.
	for _, c := range []struct{ reason, msg string }{
		{"至急確認", "理由が短すぎます"},
		{"お客様 " + cEmail + " からの問い合わせ", "個人情報"},
	} {
		p := sup.post(path, url.Values{"field": {"email"}, "reason": {c.reason}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, c.msg) || !strings.Contains(p.body, `<details class="reveal" open>`) {
			t.Errorf("reason %q: %d, message or open form missing", c.reason, p.status)
		}
		mustNotHave(t, "refused reveal", p.body, c.reason, cEmail, "data-hide-after")
	}
	if evs := e.events(t, audit.Filter{Action: audit.ActionReveal, Customer: id}); len(evs) != 3 {
		t.Errorf("%d reveal events after two refused reasons, want 3", len(evs))
	}

	// Support may not reveal the birth date: no button, and a forged POST is refused.
	if p := sup.get("/console/customers/" + id); strings.Contains(p.body, `name="field" value="birth_date"`) {
		t.Error("support is offered to reveal the birth date")
	}
	p = sup.post(path, url.Values{"field": {"birth_date"}, "reason": {"年齢確認のため必要になったため"}})
	if p.status != http.StatusForbidden {
		t.Errorf("support revealing the birth date: %d", p.status)
	}
	mustNotHave(t, "forbidden reveal", p.body, cBirth)

	// Marketing and shipping have no reveal at all; their forged POSTs are refused and on record.
	for _, role := range []access.Role{access.RoleMarketing, access.RoleShipping} {
		email := "reveal." + string(role) + "@example.jp"
		b := e.loginAs(t, email, role)
		if p := b.get("/console/customers/" + id); strings.Contains(p.body, "/reveal") {
			t.Errorf("%s is offered a reveal", role)
		}
		for _, reason := range []string{"キャンペーン分析のため必要", "短い"} {
			p := b.post(path, url.Values{"field": {"email"}, "reason": {reason}})
			if p.status != http.StatusForbidden {
				t.Errorf("%s's forged reveal: %d, want 403", role, p.status)
			}
			mustNotHave(t, string(role)+" forged reveal", p.body, cEmail, cMaskMail)
		}
		// Both attempts are on record as denied; the short reason is not kept.
		evs := e.events(t, audit.Filter{Action: audit.ActionReveal, Actor: staffActor(t, e, email)})
		if len(evs) != 2 || evs[0].Outcome != audit.Denied || evs[1].Outcome != audit.Denied || evs[0].Customers[0] != id || evs[0].Reason != "" {
			t.Errorf("%s's forged reveals on record: %+v", role, evs)
		}
	}
	var denied int
	for _, ev := range e.events(t, audit.Filter{Action: audit.ActionReveal}) {
		if ev.Outcome == audit.Denied {
			denied++
		}
		mustNotHave(t, "reveal events", fmt.Sprintf("%+v", ev), cEmail, cPhone, cLine1)
	}
	if denied != 5 {
		t.Errorf("%d denied reveals on record, want 5 (support birth date, marketing and shipping twice each)", denied)
	}
	mustNotHave(t, "log", e.log.String(), cEmail, cPhone, cLine1, cPostal, reason)
}

// TestCustomerEdit: the form shows no value the role does not see in clear; a card number
// typed into any field is refused by the vault (422, nothing stored, not repeated, on
// record); other mistakes name the field; empty inputs keep; changes are audited.
func TestCustomerEdit(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	ctx := context.Background()
	id := e.customer(t, e.shop, testInput())
	edit := "/console/customers/" + id + "/edit"
	sup := e.loginAs(t, "edit.support@example.jp", access.RoleSupport)
	supActor := staffActor(t, e, "edit.support@example.jp")

	p := sup.get(edit)
	if p.status != http.StatusOK {
		t.Fatalf("edit page: %d", p.status)
	}
	mustHave(t, "edit page", p.body, `placeholder="変更する場合のみ入力"`, `value="`+cName+`"`, cMaskMail, cMaskTel)
	mustNotHave(t, "edit page", p.body, cEmail, cPhone, cPostal, cLine1, cLine2, cBirth, cGender, cAttrVal, `name="attributes"`)
	unchanged := func(what string) {
		t.Helper()
		rec := e.whole(t, e.shop, id)
		if *rec.Phone != cPhone || *rec.Email != cEmail || rec.Address.Line1 != cLine1 || rec.Address.City != cCity || *rec.Name != cName {
			t.Errorf("%s: the record changed: %+v", what, rec.Input)
		}
	}

	// A card number, in the phone field or hidden in an address line.
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"phone": {"4111-1111-1111-1111"}, "email": {"new.mail@kinko-test.jp"}}, "電話番号"},
		{url.Values{"prefecture": {cPref}, "city": {cCity}, "line1": {"４１１１ １１１１ １１１１ １１１１"}}, "番地"},
	} {
		p := sup.post(edit, c.form)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("card number: %d, want 422", p.status)
		}
		mustHave(t, "card refused", p.body, "カード番号と思われる値が含まれているため保存できません", "対象の項目："+c.field)
		mustNotHave(t, "card refused", p.body, append(cardDigits, "４１１１", "new.mail", cEmail, cPhone)...)
		unchanged("card number")
	}
	refused := e.events(t, audit.Filter{Action: audit.ActionCardRefused, Actor: supActor})
	if len(refused) != 2 {
		t.Errorf("%d card refusals on record, want 2", len(refused))
	}
	for _, ev := range refused {
		mustNotHave(t, "refusal event", fmt.Sprintf("%+v", ev), append(cardDigits, "１１１１")...)
	}

	// Other mistakes: the field is named, what was typed into it is not repeated.
	for _, c := range []struct {
		form      url.Values
		msg, gone string
	}{
		{url.Values{"email": {"not-an-email-address"}}, "対象の項目：メールアドレス", "not-an-email-address"},
		{url.Values{"postal_code": {"12-34"}}, "対象の項目：郵便番号", "12-34"},
		{url.Values{"birth_date": {"2001-02-30"}}, "対象の項目：生年月日", "2001-02-30"},
		{url.Values{"city": {"港区"}}, "都道府県・市区町村・番地をすべて入力", ""},
		{url.Values{"phone": {"03-1234-0000"}, "clear": {"phone"}}, "どちらか一方", ""},
	} {
		p := sup.post(edit, c.form)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, c.msg) {
			t.Errorf("%v: %d, %q missing", c.form, p.status, c.msg)
		}
		if c.gone != "" {
			mustNotHave(t, "invalid input", p.body, c.gone)
		}
		unchanged(fmt.Sprint(c.form))
	}

	// Nothing changed: the prefilled name as it was, empty inputs.
	p = sup.post(edit, url.Values{"name": {cName}, "email": {""}})
	if p.status != http.StatusSeeOther || p.location() != "/console/customers/"+id+"?m=nochange" {
		t.Fatalf("no change: %d → %q", p.status, p.location())
	}
	unchanged("no change")

	// A real change: phone and the whole address; everything else kept.
	p = sup.post(edit, url.Values{"phone": {"03-9876-5432"}, "prefecture": {cPref}, "city": {"港区"}, "line1": {"六本木1-1-1"}})
	if p.status != http.StatusSeeOther || p.location() != "/console/customers/"+id+"?m=saved" {
		t.Fatalf("save: %d → %q %s", p.status, p.location(), p.body)
	}
	rec := e.whole(t, e.shop, id)
	if *rec.Phone != "03-9876-5432" || *rec.Email != cEmail || *rec.Name != cName || *rec.BirthDate != cBirth ||
		*rec.Address != (vault.Address{Prefecture: cPref, City: "港区", Line1: "六本木1-1-1"}) || rec.Attributes[cAttrKey] != cAttrVal {
		t.Errorf("after save: %+v %+v", rec.Input, rec.Address)
	}
	if p := sup.get(p.location()); !strings.Contains(p.body, "保存しました") || strings.Contains(p.body, "03-9876-5432") {
		t.Error("after save: no notice, or the new phone shown in clear to support")
	}
	updates := e.events(t, audit.Filter{Action: audit.ActionUpdate, Customer: id})
	if len(updates) != 1 || updates[0].Actor != supActor || strings.Join(updates[0].Fields, ",") != "address,phone" {
		t.Errorf("update events: %+v", updates)
	}
	mustNotHave(t, "update event", fmt.Sprintf("%+v", updates), "03-9876-5432", "六本木", "港区")

	// Removing a value.
	if p := sup.post(edit, url.Values{"clear": {"gender"}}); p.status != http.StatusSeeOther {
		t.Fatalf("clear gender: %d", p.status)
	}
	if rec := e.whole(t, e.shop, id); rec.Gender != nil {
		t.Errorf("gender not removed: %q", *rec.Gender)
	}

	// An owner sees masked values too (empty inputs) and edits the attributes it sees.
	owner := e.loginAs(t, "edit.owner@example.jp", access.RoleOwner)
	p = owner.get(edit)
	mustHave(t, "owner edit page", p.body, cAttrKey+"="+cAttrVal, cMaskMail, cMaskName)
	mustNotHave(t, "owner edit page", p.body, cEmail, cName, cBirth, "03-9876-5432", "六本木")
	if p := owner.post(edit, url.Values{"attributes": {"rank=gold\r\nsegment = vip\r\n"}}); p.status != http.StatusSeeOther {
		t.Fatalf("attributes: %d", p.status)
	}
	if rec := e.whole(t, e.shop, id); len(rec.Attributes) != 2 || rec.Attributes["rank"] != "gold" || rec.Attributes["segment"] != "vip" {
		t.Errorf("attributes: %v", rec.Attributes)
	}

	// Roles that may not write: no link, 403.
	for _, role := range []access.Role{access.RoleShipping, access.RoleMarketing} {
		b := e.loginAs(t, "edit."+string(role)+"@example.jp", role)
		if p := b.get("/console/customers/" + id); strings.Contains(p.body, "/edit") {
			t.Errorf("%s is offered the edit page", role)
		}
		if p := b.get(edit); p.status != http.StatusForbidden {
			t.Errorf("%s edit page: %d", role, p.status)
		}
		if p := b.post(edit, url.Values{"phone": {"03-1111-2222"}}); p.status != http.StatusForbidden {
			t.Errorf("%s edit: %d", role, p.status)
		}
	}
	if rec, _ := e.vault.Get(ctx, vault.Actor{Shop: e.shop, ID: "key:test"}, id); *rec.Phone != "03-9876-5432" {
		t.Error("a role without write changed the phone")
	}
	mustNotHave(t, "log", e.log.String(), append(cardDigits, "１１１１", cEmail, "03-9876-5432", "not-an-email")...)
}

// TestCustomerDelete: the page explains that deletion cannot be undone; a wrong
// confirmation deletes nothing; the right one shreds the customer (audited), the search page
// says so, and the customer's pages answer 410 from then on.
func TestCustomerDelete(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	id := e.customer(t, e.shop, testInput())
	del := "/console/customers/" + id + "/delete"

	sup := e.loginAs(t, "delete.support@example.jp", access.RoleSupport)
	if p := sup.get("/console/customers/" + id); strings.Contains(p.body, "/delete") {
		t.Error("support is offered delete")
	}
	if p := sup.get(del); p.status != http.StatusForbidden {
		t.Errorf("support delete page: %d", p.status)
	}
	if p := sup.post(del, url.Values{"confirm": {id[:8]}}); p.status != http.StatusForbidden {
		t.Errorf("support delete: %d", p.status)
	}

	owner := e.loginAs(t, "delete.owner@example.jp", access.RoleOwner)
	p := owner.get(del)
	if p.status != http.StatusOK {
		t.Fatalf("delete page: %d", p.status)
	}
	mustHave(t, "delete page", p.body, "取り消せません", "バックアップ", "二度と復号できません", "「"+id[:8]+"…」", cMaskName, `data-confirm=`)
	mustNotHave(t, "delete page", p.body, cName, cEmail, cPhone, cLine1)
	for _, wrong := range []string{"", id[:7], id[1:9], "abcdefgh", id + "x"} {
		p := owner.post(del, url.Values{"confirm": {wrong}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "一致しません") {
			t.Errorf("confirmation %q: %d", wrong, p.status)
		}
	}
	e.whole(t, e.shop, id) // still there
	if evs := e.events(t, audit.Filter{Action: audit.ActionDelete, Customer: id}); len(evs) != 0 {
		t.Fatalf("a refused confirmation is on record as a delete: %+v", evs)
	}

	// Typed as people type: upper case, full width, with the ellipsis shown.
	fullWidth := string(rune(strings.ToUpper(id[:1])[0]) + 0xFEE0) // Ａ or ２, full width
	p = owner.post(del, url.Values{"confirm": {" " + fullWidth + strings.ToUpper(id[1:4]) + id[4:8] + "… "}})
	if p.status != http.StatusSeeOther || p.location() != "/console/customers?m=deleted" {
		t.Fatalf("delete: %d → %q", p.status, p.location())
	}
	if p := owner.get(p.location()); !strings.Contains(p.body, "顧客を削除しました") {
		t.Error("no notice after delete")
	}
	evs := e.events(t, audit.Filter{Action: audit.ActionDelete, Customer: id})
	if len(evs) != 1 || evs[0].Actor != staffActor(t, e, "delete.owner@example.jp") || evs[0].Outcome != audit.OK {
		t.Errorf("delete events: %+v", evs)
	}
	if _, err := e.vault.Get(context.Background(), vault.Actor{Shop: e.shop, ID: "key:test"}, id); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("after delete: %v", err)
	}
	for _, p := range []page{owner.get("/console/customers/" + id), owner.get(del), owner.get("/console/customers/" + id + "/edit"),
		owner.post(del, url.Values{"confirm": {id[:8]}}),
		owner.post("/console/customers/"+id+"/reveal", url.Values{"field": {"email"}, "reason": {"削除後の確認のためです"}})} {
		if p.status != http.StatusGone || !strings.Contains(p.body, "この顧客は削除されています") {
			t.Errorf("shredded customer: %d", p.status)
		}
	}
	if p := owner.post("/console/customers", url.Values{"field": {"email"}, "q": {cEmail}}); !strings.Contains(p.body, "一致する顧客はいません") {
		t.Error("a deleted customer is still found")
	}
}

// TestCustomerOtherShop: a member never reaches another shop's customer, whatever the id:
// every page answers 404 and nothing of it shows or changes.
func TestCustomerOtherShop(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	theirs := e.customer(t, e.other, testInput())
	owner := e.loginAs(t, "shop.owner@example.jp", access.RoleOwner)
	base := "/console/customers/" + theirs
	for _, p := range []page{owner.get(base), owner.get(base + "/edit"), owner.get(base + "/delete"),
		owner.post(base+"/reveal", url.Values{"field": {"email"}, "reason": {"他店舗の顧客の確認のため"}}),
		owner.post(base+"/edit", url.Values{"phone": {"03-1111-2222"}}),
		owner.post(base+"/delete", url.Values{"confirm": {theirs[:8]}}),
		owner.get("/console/customers/not-an-id"), owner.get("/console/customers/" + strings.Repeat("a", 26))} {
		if p.status != http.StatusNotFound {
			t.Errorf("another shop's customer: %d, want 404", p.status)
		}
		mustNotHave(t, "another shop", p.body, cName, cMaskName, cMaskMail, cEmail, cPref)
	}
	if p := owner.post("/console/customers", url.Values{"field": {"email"}, "q": {cEmail}}); !strings.Contains(p.body, "一致する顧客はいません") || strings.Contains(p.body, theirs) {
		t.Error("search finds another shop's customer")
	}
	rec := e.whole(t, e.other, theirs)
	if *rec.Phone != cPhone {
		t.Error("another shop's customer was changed")
	}
	// The attempts are on record in the member's own shop, none of them a success.
	evs := e.events(t, audit.Filter{Customer: theirs, Actor: staffActor(t, e, "shop.owner@example.jp")})
	if len(evs) == 0 {
		t.Error("the attempts on another shop's customer are not on record")
	}
	for _, ev := range evs {
		if ev.Outcome == audit.OK || ev.Shop != e.shop {
			t.Errorf("attempt on another shop's customer: %+v", ev)
		}
	}
}
