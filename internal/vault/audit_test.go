package vault_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

func staff(e *env, role access.Role) vault.Actor {
	return vault.Actor{Shop: e.shop, ID: "staff:" + string(role) + "-1", Role: role, IP: "192.0.2.10", RequestID: "req-" + string(role)}
}

func events(t *testing.T, e *env, f audit.Filter) []audit.Event {
	t.Helper()
	f.Limit = 1000
	evs, err := e.trail.Query(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

// TestEveryActionIsAudited: create, read, search, update, card reference, refusal, a read
// of an unknown id and delete each leave an event naming the actor, the customer and the
// fields, and no event or audit column holds a personal value.
func TestEveryActionIsAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, b)
		a := e.as()
		rec, err := e.v.Create(ctx, a, hanako())
		if err != nil {
			t.Fatal(err)
		}
		e.v.Get(ctx, a, rec.ID)
		e.v.Search(ctx, a, "email", email)
		e.v.Update(ctx, a, rec.ID, vault.Patch{Set: vault.Input{Phone: ptr("03-1234-5678")}})
		e.v.SetCard(ctx, a, rec.ID, vault.CardRef{Provider: "pay.jp", Token: "car_x", Last4: "4242", ExpMonth: 1, ExpYear: 2030})
		e.v.Create(ctx, a, vault.Input{Phone: ptr("4111 1111 1111 1111")})
		e.v.Get(ctx, a, "aaaaaaaaaaaaaaaaaaaaaaaaaa")
		if err := e.v.Delete(ctx, a, rec.ID); err != nil {
			t.Fatal(err)
		}
		e.v.Get(ctx, a, rec.ID)

		want := []struct{ action, outcome, field string }{
			{audit.ActionCreate, audit.OK, "email"}, {audit.ActionRead, audit.OK, "email"}, {audit.ActionSearch, audit.OK, "email"},
			{audit.ActionUpdate, audit.OK, "phone"}, {audit.ActionUpdate, audit.OK, "card"}, {audit.ActionCardRefused, audit.Refused, "phone"},
			{audit.ActionRead, "not_found", ""}, {audit.ActionDelete, audit.OK, ""}, {audit.ActionRead, "shredded", ""},
		}
		got := events(t, e, audit.Filter{Actor: a.ID})
		if len(got) != len(want) {
			t.Fatalf("%d events, want %d", len(got), len(want))
		}
		for i, w := range want {
			ev := got[len(got)-1-i] // newest first
			if ev.Action != w.action || ev.Outcome != w.outcome || ev.Shop != e.shop || ev.RequestID != a.RequestID {
				t.Errorf("event %d: %s/%s, want %s/%s", i, ev.Action, ev.Outcome, w.action, w.outcome)
			}
			if w.field != "" && !contains(ev.Fields, w.field) {
				t.Errorf("event %d (%s) does not name field %s", i, ev.Action, w.field)
			}
			if w.action == audit.ActionSearch && (len(ev.Query) != 16 || !contains(ev.Customers, rec.ID)) {
				t.Errorf("search event lacks the blind index or the ids found")
			}
		}
		if who := events(t, e, audit.Filter{Customer: rec.ID}); len(who) < 6 {
			t.Errorf("who saw this customer: %d events", len(who))
		}
		// Nothing personal in any event.
		for _, ev := range events(t, e, audit.Filter{}) {
			j, _ := json.Marshal(ev)
			for label, v := range map[string]string{"email": email, "name": name, "phone": phone, "card": "4111 1111"} {
				if bytes.Contains(j, []byte(v)) {
					t.Errorf("an audit event holds the %s", label)
				}
			}
		}
		if b.File != "" {
			e.db.Checkpoint(ctx)
			data, _ := os.ReadFile(b.File)
			if bytes.Contains(data, []byte(email)) || bytes.Contains(data, []byte("鈴木")) {
				t.Error("the database file holds a personal value in clear")
			}
		}
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type failingRecorder struct{}

func (failingRecorder) AppendRead(context.Context, ...audit.Event) error {
	return errors.New("disk full")
}

// TestFailClosed: when the audit event cannot be written, reads return nothing and writes
// do not happen.
func TestFailClosed(t *testing.T) {
	ctx := context.Background()
	b := storetest.SQLite(t)
	e := newEnv(t, b)
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	broken := vault.New(e.db, e.keys, e.tombs, failingRecorder{}, vault.Options{})
	got, err := broken.Get(ctx, e.as(), rec.ID)
	if !errors.Is(err, vault.ErrAuditUnavailable) || got != nil {
		t.Fatalf("a read without its audit event returned data (err %v)", err)
	}
	rs, err := broken.Search(ctx, e.as(), "email", email)
	if !errors.Is(err, vault.ErrAuditUnavailable) || rs != nil {
		t.Fatalf("a search without its audit event returned data (err %v)", err)
	}
	if _, err := broken.Reveal(ctx, staff(e, access.RoleOwner), rec.ID, []string{"email"}, "お客様からの住所変更の依頼"); !errors.Is(err, vault.ErrAuditUnavailable) {
		t.Fatalf("a reveal without its audit event: %v", err)
	}

	// Writes carry their event in the same transaction: break the chain head and nothing is
	// created, changed or deleted.
	raw, err := sql.Open("sqlite", b.File)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DROP TABLE audit_chain_head`); err != nil {
		t.Fatal(err)
	}
	n0, _ := e.db.CountCustomers(ctx, e.shop)
	if _, err := e.v.Create(ctx, e.as(), hanako()); err == nil {
		t.Fatal("a customer was created without its audit event")
	}
	if _, err := e.v.Update(ctx, e.as(), rec.ID, vault.Patch{Set: vault.Input{Name: ptr("changed")}}); err == nil {
		t.Fatal("a customer was changed without its audit event")
	}
	if err := e.v.Delete(ctx, e.as(), rec.ID); err == nil {
		t.Fatal("a customer was deleted without its audit event")
	}
	if n, _ := e.db.CountCustomers(ctx, e.shop); n != n0 {
		t.Fatalf("customers %d → %d", n0, n)
	}
	row, _ := e.db.Customer(ctx, e.shop, rec.ID)
	if row.Shredded || row.WrappedDEK == nil {
		t.Fatal("the failed delete shredded the customer")
	}
}

// TestMaskingPerRole: what each role sees of the same customer, and what it must not.
func TestMaskingPerRole(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	cases := []struct {
		role      access.Role
		must      []string
		mustNot   []string
		forbidden bool
	}{
		{access.RoleOwner, []string{`"masked":true`, "東京都", "港区", `"h***@example.jp"`}, []string{email, "090-1234-5678", line1, "1985-04-01"}, false},
		{access.RoleSupport, []string{name, "東京都", "港区", "5678"}, []string{email, "090-1234-5678", line1, "1985", "106-0032"}, false},
		{access.RoleShipping, []string{name, "090-1234-5678", line1, "106-0032"}, []string{email, "hanako", "1985", "gold"}, false},
		{access.RoleMarketing, []string{"東京都", `"age_band":"40代"`, "female", "gold"}, []string{name, "鈴木", email, "hanako", "5678", line1, "港区", "1985-04-01"}, false},
		{access.RoleAuditor, nil, nil, true},
	}
	for _, c := range cases {
		got, err := e.v.Get(ctx, staff(e, c.role), rec.ID)
		if c.forbidden {
			if !errors.Is(err, vault.ErrForbidden) || got != nil {
				t.Errorf("%s: read a customer (err %v)", c.role, err)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", c.role, err)
		}
		j, _ := json.Marshal(got)
		for _, m := range c.must {
			if !bytes.Contains(j, []byte(m)) {
				t.Errorf("%s does not see %q", c.role, label(m))
			}
		}
		for _, m := range c.mustNot {
			if bytes.Contains(j, []byte(m)) {
				t.Errorf("%s sees what it must not (%s)", c.role, label(m))
			}
		}
		// Search shows the same masked view.
		rs, err := e.v.Search(ctx, staff(e, c.role), "email", email)
		if err != nil || len(rs) != 1 {
			t.Fatalf("%s: search %v", c.role, err)
		}
		j2, _ := json.Marshal(rs[0])
		if !bytes.Equal(j, j2) {
			t.Errorf("%s: search and read show different things", c.role)
		}
	}
	if _, err := e.v.Create(ctx, staff(e, access.RoleShipping), hanako()); !errors.Is(err, vault.ErrForbidden) {
		t.Errorf("shipping created a customer: %v", err)
	}
	if err := e.v.Delete(ctx, staff(e, access.RoleSupport), rec.ID); !errors.Is(err, vault.ErrForbidden) {
		t.Errorf("support deleted a customer: %v", err)
	}
	denied := events(t, e, audit.Filter{Action: audit.ActionRead})
	n := 0
	for _, ev := range denied {
		if ev.Outcome == audit.Denied {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the auditor's refused read is not on record (%d denied reads)", n)
	}
}

// label names a probe without printing personal values in a failure.
func label(s string) string {
	switch s {
	case email, name, phone, line1:
		return "a personal value"
	}
	return s
}

func TestRevealWithReason(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	sup := staff(e, access.RoleSupport)
	vals, err := e.v.Reveal(ctx, sup, rec.ID, []string{"email", "address"}, "お客様から配送先確認の電話があったため")
	if err != nil {
		t.Fatal(err)
	}
	if vals["email"] != email || vals["address.line1"] != line1 {
		t.Fatal("reveal did not return the clear values")
	}
	cases := []struct {
		name   string
		a      vault.Actor
		fields []string
		reason string
		code   string
		err    error
	}{
		{"short reason", sup, []string{"email"}, "確認", "reason_required", nil},
		{"reason holding an email", sup, []string{"email"}, "customer " + email + " asked by phone", "reason_required", nil},
		{"support may not reveal the birth date", sup, []string{"birth_date"}, "年齢確認のため必要になったため", "", vault.ErrForbidden},
		{"shipping may not reveal", staff(e, access.RoleShipping), []string{"email"}, "配送業者からの問い合わせ対応", "", vault.ErrForbidden},
		{"an API key does not reveal", e.as(), []string{"email"}, "配送業者からの問い合わせ対応", "", vault.ErrForbidden},
		// A refused role is refused (and recorded) whatever the reason looks like.
		{"marketing with a short reason", staff(e, access.RoleMarketing), []string{"email"}, "見たい", "", vault.ErrForbidden},
		{"marketing with an email as reason", staff(e, access.RoleMarketing), []string{"email"}, "mail " + email + " please", "", vault.ErrForbidden},
	}
	for _, c := range cases {
		_, err := e.v.Reveal(ctx, c.a, rec.ID, c.fields, c.reason)
		var ie *vault.InputError
		switch {
		case c.code != "" && !(errors.As(err, &ie) && ie.Code == c.code):
			t.Errorf("%s: %v", c.name, err)
		case c.err != nil && !errors.Is(err, c.err):
			t.Errorf("%s: %v", c.name, err)
		}
	}
	evs := events(t, e, audit.Filter{Action: audit.ActionReveal})
	var ok, denied int
	for _, ev := range evs {
		if strings.Contains(ev.Reason, email) {
			t.Fatal("a reason with personal data reached the trail")
		}
		switch ev.Outcome {
		case audit.OK:
			ok++
			if !contains(ev.Fields, "email") || ev.Reason == "" || ev.Actor != sup.ID {
				t.Error("the reveal event lacks its fields, reason or actor")
			}
		case audit.Denied:
			denied++
		}
	}
	if ok != 1 || denied != 4 {
		t.Errorf("reveal events: %d ok, %d denied; want 1 and 4", ok, denied)
	}
}
