package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// login posts credentials and returns status, code and token.
func (e *apiEnv) login(t *testing.T, email, password, otp string) (int, string, string) {
	t.Helper()
	r := e.do(t, "", "POST", "/v1/sessions", map[string]string{"email": email, "password": password, "otp": otp, "shop": "shop-a"})
	var out struct{ Token string }
	json.Unmarshal(r.body, &out)
	return r.status, r.code(), out.Token
}

func (e *apiEnv) withToken(token string) string {
	e.keys["session"] = token
	return "session"
}

// TestStaffFlow: a member logs in, enrols 2FA, reads masked customers, reveals with a
// reason, and the owner finds it all in the audit trail; lockout after 10 failures.
func TestStaffFlow(t *testing.T) {
	e := newAPI(t, storetest.SQLite(t))
	ctx := context.Background()
	const pw = "correct-horse-battery-9"
	if _, _, err := e.staff.Add(ctx, access.NewMember{Shop: e.shopA, Email: "support.api@example.jp", Role: access.RoleSupport, Password: pw}); err != nil {
		t.Fatal(err)
	}
	r := e.do(t, "all", "POST", "/v1/customers", hanako)
	var c struct{ ID string }
	json.Unmarshal(r.body, &c)

	// First login: restricted until 2FA is enrolled.
	st, _, tok := e.login(t, "support.api@example.jp", pw, "")
	if st != 201 || !strings.HasPrefix(tok, "kinkos_") {
		t.Fatalf("login: %d", st)
	}
	s := e.withToken(tok)
	if r := e.do(t, s, "GET", "/v1/customers/"+c.ID, nil); r.status != 403 || r.code() != "enrolment_required" {
		t.Fatalf("restricted session read a customer: %d %s", r.status, r.code())
	}
	r = e.do(t, s, "POST", "/v1/sessions/current/totp", nil)
	var en struct{ Secret string }
	json.Unmarshal(r.body, &en)
	secret, err := access.ParseTOTPSecret(en.Secret)
	if r.status != 200 || err != nil {
		t.Fatalf("begin enrolment: %d %v", r.status, err)
	}
	r = e.do(t, s, "POST", "/v1/sessions/current/totp/confirm", map[string]string{"code": access.TOTPCode(secret, time.Now())})
	if r.status != 200 || !bytes.Contains(r.body, []byte("recovery_codes")) {
		t.Fatalf("confirm enrolment: %d %s", r.status, r.code())
	}

	// Masked read, then reveal with a reason.
	r = e.do(t, s, "GET", "/v1/customers/"+c.ID, nil)
	if r.status != 200 || bytes.Contains(r.body, []byte(pEmail)) || bytes.Contains(r.body, []byte(pLine1)) || !bytes.Contains(r.body, []byte(`"masked":true`)) {
		t.Fatalf("support read: %d, or saw clear values", r.status)
	}
	if r := e.do(t, s, "POST", "/v1/customers/"+c.ID+"/reveal", map[string]any{"fields": []string{"email"}, "reason": "短い"}); r.status != 400 || r.code() != "reason_required" {
		t.Fatalf("reveal without a reason: %d %s", r.status, r.code())
	}
	r = e.do(t, s, "POST", "/v1/customers/"+c.ID+"/reveal", map[string]any{"fields": []string{"email"}, "reason": "お客様から登録メールの確認依頼があったため"})
	if r.status != 200 || !bytes.Contains(r.body, []byte(pEmail)) {
		t.Fatalf("reveal: %d %s", r.status, r.code())
	}
	if r := e.do(t, s, "POST", "/v1/customers/"+c.ID+"/reveal", map[string]any{"fields": []string{"birth_date"}, "reason": "年齢確認が必要になったため"}); r.status != 403 {
		t.Fatalf("support revealed the birth date: %d", r.status)
	}
	if r := e.do(t, s, "GET", "/v1/audit", nil); r.status != 403 {
		t.Fatalf("support read the audit trail: %d", r.status)
	}
	if r := e.do(t, s, "GET", "/metrics", nil); r.status != 403 {
		t.Fatalf("a staff session read metrics: %d", r.status)
	}

	// The shop's audit trail shows who saw the customer; no personal value in it.
	r = e.do(t, "all", "GET", "/v1/audit?customer="+c.ID, nil)
	if r.status != 200 || bytes.Contains(r.body, []byte(pEmail)) || bytes.Contains(r.body, []byte(pName)) {
		t.Fatalf("audit list: %d, or personal data in it", r.status)
	}
	var trail struct {
		Events []struct{ Action, Outcome, Actor, Reason string }
	}
	json.Unmarshal(r.body, &trail)
	seen := map[string]bool{}
	for _, ev := range trail.Events {
		seen[ev.Action+"/"+ev.Outcome] = true
		if ev.Action == "reveal" && ev.Outcome == "ok" && (!strings.HasPrefix(ev.Actor, "staff:") || ev.Reason == "") {
			t.Error("the reveal event lacks its staff actor or reason")
		}
	}
	for _, k := range []string{"create/ok", "read/ok", "reveal/ok", "reveal/denied"} {
		if !seen[k] {
			t.Errorf("audit trail lacks %s", k)
		}
	}
	if r := e.do(t, "other", "GET", "/v1/audit?customer="+c.ID, nil); r.status != 200 || bytes.Contains(r.body, []byte(c.ID)) {
		t.Fatal("another shop's key reads this shop's audit trail")
	}

	// Logout ends the session.
	if r := e.do(t, s, "DELETE", "/v1/sessions/current", nil); r.status != 204 {
		t.Fatalf("logout: %d", r.status)
	}
	if r := e.do(t, s, "GET", "/v1/customers/"+c.ID, nil); r.status != 401 {
		t.Fatalf("a logged-out session still works: %d", r.status)
	}

	// Lockout: the 10th failure locks, the right password is then refused with 423, and an
	// unknown email is answered exactly like a wrong password.
	st1, code1, _ := e.login(t, "nobody@example.jp", "wrong-password-123", "000000")
	st2, code2, _ := e.login(t, "support.api@example.jp", "wrong-password-123", "000000")
	if st1 != 401 || st2 != 401 || code1 != code2 {
		t.Fatalf("unknown email %d %s vs wrong password %d %s", st1, code1, st2, code2)
	}
	for range 8 {
		e.login(t, "support.api@example.jp", "wrong-password-123", "000000")
	}
	if st, code, _ := e.login(t, "support.api@example.jp", "wrong-password-123", "000000"); st != 423 || code != "account_locked" {
		t.Fatalf("10th failure: %d %s", st, code)
	}
	if st, code, tok := e.login(t, "support.api@example.jp", pw, access.TOTPCode(secret, time.Now())); st != 423 || code != "account_locked" || tok != "" {
		t.Fatalf("right password while locked: %d %s", st, code)
	}
	if strings.Contains(e.log.String(), pw) || strings.Contains(e.log.String(), "support.api@example.jp") {
		t.Fatal("the server log holds a password or a staff email")
	}
}
