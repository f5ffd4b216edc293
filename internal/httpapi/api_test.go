package httpapi_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/httpapi"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) { s.mu.Lock(); defer s.mu.Unlock(); return s.b.Write(p) }
func (s *syncBuf) String() string              { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

type apiEnv struct {
	url   string
	keys  map[string]string // label → secret
	log   *syncBuf
	db    *store.DB
	v     *vault.Vault
	staff *access.Staff
	trail *audit.Trail
	shopA string
}

// newAPI starts the API over a fresh database; rec, when given, records reads in place of
// the trail (BenchmarkHTTPGet's reference without an audit trail).
func newAPI(t testing.TB, b storetest.Backend, rec ...vault.Recorder) *apiEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, b.DSN, store.Options{AuditJournal: b.Journal})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	trail, err := audit.Open(ctx, db, kr, filepath.Join(dir, audit.CheckpointFileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trail.Close() })
	var r vault.Recorder = trail
	if len(rec) > 0 {
		r = rec[0]
	}
	v := vault.New(db, kr, keyring.OpenTombstones(filepath.Join(dir, keyring.TombstoneFileName)), r, vault.Options{})
	keys := access.NewKeys(db, nil, nil)
	e := &apiEnv{keys: map[string]string{}, log: &syncBuf{}, db: db, v: v}
	shopA, _ := v.CreateShop(ctx, "shop-a")
	shopB, _ := v.CreateShop(ctx, "shop-b")
	office, _ := access.ParseCIDR("192.0.2.0/24") // the test server's clients are on loopback
	for label, spec := range map[string]struct {
		shop   string
		scopes []string
		limits access.KeyLimits
	}{
		"masked":    {shopA.ID, []string{access.ScopeCustomersReadMasked}, access.KeyLimits{}},
		"office":    {shopA.ID, []string{access.ScopeCustomersRead}, access.KeyLimits{AllowIPs: []netip.Prefix{office}}},
		"loopback":  {shopA.ID, []string{access.ScopeCustomersRead}, access.KeyLimits{AllowIPs: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}},
		"all":       {shopA.ID, access.AllScopes, access.KeyLimits{}},
		"read":      {shopA.ID, []string{access.ScopeCustomersRead}, access.KeyLimits{}},
		"write":     {shopA.ID, []string{access.ScopeCustomersWrite, access.ScopeCustomersRead}, access.KeyLimits{}},
		"other":     {shopB.ID, access.AllScopes, access.KeyLimits{}},
		"revoked":   {shopA.ID, access.AllScopes, access.KeyLimits{}},
		"checking":  {shopA.ID, []string{access.ScopeCheck}, access.KeyLimits{}},
		"writeonly": {shopA.ID, []string{access.ScopeCustomersWrite}, access.KeyLimits{}},
		"metrics":   {shopA.ID, []string{access.ScopeMetrics}, access.KeyLimits{}},
	} {
		id, secret, err := keys.CreateLimited(ctx, spec.shop, label, spec.scopes, spec.limits)
		if err != nil {
			t.Fatal(err)
		}
		e.keys[label] = secret
		if label == "revoked" {
			keys.Revoke(ctx, spec.shop, id)
		}
	}
	logger := slog.New(slog.NewJSONHandler(e.log, nil))
	e.staff = access.NewStaff(db, kr, access.StaffOptions{})
	e.shopA = shopA.ID
	e.trail = trail
	srv := httpapi.New(httpapi.Config{Vault: v, Keys: keys, Staff: e.staff, Trail: trail, DB: db, Log: logger, Ready: db.Ping})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	e.url = ts.URL
	return e
}

type resp struct {
	status int
	body   []byte
	header http.Header
}

func (r resp) code() string {
	var b struct {
		Error struct{ Code, ID string }
	}
	json.Unmarshal(r.body, &b)
	return b.Error.Code
}

func (e *apiEnv) do(t *testing.T, key, method, path string, body any, hdr ...string) resp {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.url+path, rd)
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+e.keys[key])
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, b, res.Header}
}

const (
	pName  = "鈴木 花子"
	pEmail = "hanako.suzuki.api@example.jp"
	pPhone = "090-1234-5678"
	pLine1 = "六本木8-16-13"
	pCard  = "4111111111111111"
)

var hanako = map[string]any{"name": pName, "name_kana": "スズキ ハナコ", "email": pEmail, "phone": pPhone, "postal_code": "106-0032",
	"address": map[string]string{"prefecture": "東京都", "city": "港区", "line1": pLine1, "line2": ""}, "birth_date": "1985-04-01"}

func TestAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newAPI(t, b)
		r := e.do(t, "all", "POST", "/v1/customers", hanako)
		if r.status != 201 {
			t.Fatalf("create: %d", r.status)
		}
		var created struct{ ID string }
		json.Unmarshal(r.body, &created)
		id := created.ID
		if !vault.ValidID(id) || r.header.Get("Location") != "/v1/customers/"+id {
			t.Fatal("create: bad id or Location")
		}

		r = e.do(t, "read", "GET", "/v1/customers/"+id, nil)
		var rec map[string]any
		json.Unmarshal(r.body, &rec)
		if r.status != 200 || rec["email"] != pEmail || rec["id"] != id || rec["created_at"] == nil || r.header.Get("Cache-Control") != "no-store" {
			t.Fatalf("get: %d", r.status)
		}

		r = e.do(t, "read", "GET", "/v1/customers?phone=%EF%BC%90%EF%BC%99%EF%BC%90%EF%BC%8D%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%8D%EF%BC%95%EF%BC%96%EF%BC%97%EF%BC%98", nil)
		if r.status != 200 || !bytes.Contains(r.body, []byte(id)) {
			t.Fatalf("search by full-width phone: %d", r.status)
		}
		r = e.do(t, "read", "POST", "/v1/customers/search", map[string]string{"email": strings.ToUpper(pEmail)})
		if r.status != 200 || !bytes.Contains(r.body, []byte(id)) {
			t.Fatalf("POST search: %d", r.status)
		}
		r = e.do(t, "other", "GET", "/v1/customers?email="+pEmail, nil)
		if r.status != 200 || bytes.Contains(r.body, []byte(id)) || !bytes.Contains(r.body, []byte(`"customers":[]`)) {
			t.Fatalf("another shop's key found the customer: %d", r.status)
		}
		if r = e.do(t, "other", "GET", "/v1/customers/"+id, nil); r.status != 404 {
			t.Fatalf("another shop's key read the customer: %d", r.status)
		}
		if r = e.do(t, "other", "DELETE", "/v1/customers/"+id, nil); r.status != 404 {
			t.Fatalf("another shop's key deleted: %d", r.status)
		}

		r = e.do(t, "write", "PATCH", "/v1/customers/"+id, `{"phone":"03-1234-5678"}`)
		json.Unmarshal(r.body, &rec)
		if r.status != 200 || rec["phone"] != "03-1234-5678" || rec["email"] != pEmail {
			t.Fatalf("patch: %d", r.status)
		}
		r = e.do(t, "write", "PUT", "/v1/customers/"+id+"/card", map[string]any{"provider": "gmo-pg", "token": "tok_abc123", "brand": "visa", "last4": "1111", "exp_month": 12, "exp_year": 2030})
		if r.status != 200 || !bytes.Contains(r.body, []byte(`"last4":"1111"`)) {
			t.Fatalf("card: %d", r.status)
		}

		if r = e.do(t, "writeonly", "PATCH", "/v1/customers/"+id, `{}`); r.status != 200 || bytes.Contains(r.body, []byte(pEmail)) || !bytes.Contains(r.body, []byte(id)) {
			t.Fatalf("a write-only key read the record through PATCH: %d", r.status)
		}
		if r = e.do(t, "writeonly", "PATCH", "/v1/customers/"+id, `{"gender":"female"}`); r.status != 200 || bytes.Contains(r.body, []byte(pEmail)) {
			t.Fatalf("a write-only key read the record through PATCH: %d", r.status)
		}
		if r = e.do(t, "write", "DELETE", "/v1/customers/"+id, nil); r.status != 403 || r.code() != "forbidden" {
			t.Fatalf("delete without scope: %d %s", r.status, r.code())
		}
		if r = e.do(t, "all", "DELETE", "/v1/customers/"+id, nil); r.status != 204 {
			t.Fatalf("delete: %d", r.status)
		}
		if r = e.do(t, "read", "GET", "/v1/customers/"+id, nil); r.status != 410 || r.code() != "shredded" {
			t.Fatalf("after delete: %d %s", r.status, r.code())
		}
		if r = e.do(t, "all", "PATCH", "/v1/customers/"+id, `{"name":"x"}`); r.status != 410 {
			t.Fatalf("patch after delete: %d", r.status)
		}
		if r = e.do(t, "read", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil); r.status != 404 || r.code() != "not_found" {
			t.Fatalf("unknown id: %d", r.status)
		}
		if r = e.do(t, "", "GET", "/healthz", nil); r.status != 200 {
			t.Fatalf("healthz %d", r.status)
		}
		if r = e.do(t, "", "GET", "/readyz", nil); r.status != 200 {
			t.Fatalf("readyz %d", r.status)
		}
	})
}

// TestBadInput: every mistake gets a 4xx with a stable code and an id that is also in the
// log; nothing is stored; no personal value appears in the response or the log.
func TestBadInput(t *testing.T) {
	e := newAPI(t, storetest.SQLite(t))
	big := `{"name":"` + strings.Repeat("あ", httpapi.MaxBody/3+10) + `"}`
	many := map[string]string{}
	for i := range 65 {
		many[strings.Repeat("k", i+1)] = "v"
	}
	cases := []struct {
		name, key, method, path string
		body                    any
		hdr                     []string
		status                  int
		code                    string
	}{
		{"malformed JSON", "all", "POST", "/v1/customers", `{"name": "` + pName, nil, 400, "invalid_json"},
		{"not an object", "all", "POST", "/v1/customers", `["` + pEmail + `"]`, nil, 400, "invalid_json"},
		{"two objects", "all", "POST", "/v1/customers", `{"name":"a"} {"name":"b"}`, nil, 400, "invalid_json"},
		{"empty body", "all", "POST", "/v1/customers", "", nil, 400, "invalid_json"},
		{"unknown field", "all", "POST", "/v1/customers", `{"nmae":"` + pName + `"}`, nil, 400, "unknown_field"},
		{"personal data as a key", "all", "POST", "/v1/customers", `{"` + pEmail + `":"x"}`, nil, 400, "unknown_field"},
		{"wrong type", "all", "POST", "/v1/customers", `{"name":123}`, nil, 400, "invalid_field"},
		{"address wrong type", "all", "POST", "/v1/customers", `{"address":"` + pLine1 + `"}`, nil, 400, "invalid_field"},
		{"invalid UTF-8", "all", "POST", "/v1/customers", []byte("{\"name\":\"\xff\xfe" + pName + "\"}"), nil, 400, "invalid_utf8"},
		{"Shift_JIS bytes", "all", "POST", "/v1/customers", []byte("{\"name\":\"\x97\xe9\x96\xd8\"}"), nil, 400, "invalid_utf8"},
		{"date that does not exist", "all", "POST", "/v1/customers", `{"name":"` + pName + `","birth_date":"1985-02-30"}`, nil, 400, "invalid_field"},
		{"65 attributes", "all", "POST", "/v1/customers", map[string]any{"attributes": many}, nil, 400, "too_many_attributes"},
		{"body over 1 MiB", "all", "POST", "/v1/customers", big, nil, 413, "body_too_large"},
		{"not JSON content type", "all", "POST", "/v1/customers", `{"name":"a"}`, []string{"Content-Type", "text/plain"}, 415, "unsupported_media_type"},
		{"card number in phone", "all", "POST", "/v1/customers", `{"name":"` + pName + `","phone":"4111 1111 1111 1111"}`, nil, 422, "card_number_refused"},
		{"card in attribute", "all", "POST", "/v1/customers", `{"attributes":{"memo":"` + pCard + `"}}`, nil, 422, "card_number_refused"},
		{"card as token", "all", "PUT", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa/card", `{"provider":"p","token":"` + pCard + `","last4":"1111","exp_month":1,"exp_year":2030}`, nil, 422, "card_number_refused"},
		{"no key", "", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, nil, 401, "unauthorized"},
		{"revoked key", "revoked", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, nil, 401, "unauthorized"},
		{"wrong key", "", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, []string{"Authorization", "Bearer kinko_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}, 401, "unauthorized"},
		{"basic auth", "", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, []string{"Authorization", "Basic dXNlcjpwYXNz"}, 401, "unauthorized"},
		{"read key creating", "read", "POST", "/v1/customers", `{"name":"a"}`, nil, 403, "forbidden"},
		{"check key reading", "checking", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil, nil, 403, "forbidden"},
		{"metrics without admin", "read", "GET", "/metrics", nil, nil, 403, "forbidden"},
		{"search without field", "read", "GET", "/v1/customers", nil, nil, 400, "invalid_query"},
		{"search two fields", "read", "GET", "/v1/customers?email=a@b.jp&phone=0312345678", nil, nil, 400, "invalid_query"},
		{"search unknown field", "read", "GET", "/v1/customers?address=" + pLine1, nil, nil, 400, "invalid_query"},
		{"search empty phone", "read", "GET", "/v1/customers?phone=abc", nil, nil, 400, "invalid_query"},
		{"search for a card number", "read", "GET", "/v1/customers?phone=" + pCard, nil, nil, 422, "card_number_refused"},
		{"POST search for a card number", "read", "POST", "/v1/customers/search", `{"phone":"` + pCard + `"}`, nil, 422, "card_number_refused"},
		{"POST search with a number", "read", "POST", "/v1/customers/search", `{"email":5}`, nil, 400, "invalid_query"},
		{"method not allowed", "all", "PUT", "/v1/customers", `{}`, nil, 405, "method_not_allowed"},
		{"no such route", "all", "GET", "/v2/customers", nil, nil, 404, "no_route"},
		{"card ref bad month", "all", "PUT", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa/card", `{"provider":"p","token":"t","last4":"1111","exp_month":13,"exp_year":2030}`, nil, 400, "invalid_field"},
	}
	for _, c := range cases {
		r := e.do(t, c.key, c.method, c.path, c.body, c.hdr...)
		if r.status != c.status || r.code() != c.code {
			t.Errorf("%s: got %d %q, want %d %q", c.name, r.status, r.code(), c.status, c.code)
			continue
		}
		var eb struct {
			Error struct{ Code, Message, ID string }
		}
		if err := json.Unmarshal(r.body, &eb); err != nil || eb.Error.Message == "" || eb.Error.ID == "" {
			t.Errorf("%s: error body lacks message or id", c.name)
			continue
		}
		if !strings.Contains(e.log.String(), `"id":"`+eb.Error.ID+`"`) {
			t.Errorf("%s: error id not in the server log", c.name)
		}
		for label, v := range map[string]string{"name": pName, "email": pEmail, "address": pLine1, "card": pCard, "card digits": "1111 1111"} {
			if bytes.Contains(r.body, []byte(v)) {
				t.Errorf("%s: response echoes the %s", c.name, label)
			}
		}
		if c.code == "card_number_refused" && (!strings.Contains(eb.Error.Message, "field") || !bytes.Contains(r.body, []byte(`"field":"`))) {
			t.Errorf("%s: refusal does not name the field", c.name)
		}
	}
	if r := e.do(t, "all", "POST", "/v1/customers", `{"name":"`+pName+`","phone":"4111 1111 1111 1111"}`); !strings.Contains(r.body2(), "field phone") {
		t.Error("card refusal message must name the field phone")
	}
	if n, _ := e.db.CountCustomers(context.Background(), shopID(t, e, "shop-a")); n != 0 {
		t.Fatalf("%d customers stored by bad requests", n)
	}
	logs := e.log.String()
	for label, v := range map[string]string{"name": pName, "email": pEmail, "address": pLine1, "card": pCard, "card spaced": "4111 1111", "api key": e.keys["all"]} {
		if strings.Contains(logs, v) {
			t.Errorf("the server log contains the %s", label)
		}
	}
	if !strings.Contains(logs, `"route":"POST /v1/customers"`) {
		t.Error("log lines must name the route pattern")
	}
	if strings.Contains(logs, "aaaaaaaaaaaaaaaaaaaaaaaaaa") || strings.Contains(logs, "phone=") {
		t.Error("log lines must not hold the raw path or query")
	}
}

func (r resp) body2() string { return string(r.body) }

func shopID(t *testing.T, e *apiEnv, name string) string {
	s, err := e.v.ShopByName(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	return s.ID
}

func TestCheck(t *testing.T) {
	e := newAPI(t, storetest.SQLite(t))
	text := "お問い合わせ: カード 4111-1111-1111-1111 で払いました。連絡先 taro@example.jp"
	r := e.do(t, "checking", "POST", "/v1/check", map[string]string{"text": text})
	if r.status != 200 {
		t.Fatalf("check: %d", r.status)
	}
	var out struct {
		Findings []struct {
			Type       string
			Start, End int
		}
	}
	json.Unmarshal(r.body, &out)
	types := map[string]bool{}
	for _, f := range out.Findings {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Fatalf("offsets out of range")
		}
		types[f.Type] = true
		if f.Type == "card_number" && text[f.Start:f.End] != "4111-1111-1111-1111" {
			t.Error("card span does not cover exactly the value")
		}
	}
	if !types["card_number"] || !types["email"] {
		t.Fatalf("check found %v", types)
	}
	if bytes.Contains(r.body, []byte("4111")) || bytes.Contains(r.body, []byte("taro@")) {
		t.Fatal("check echoes the values")
	}
	if r := e.do(t, "read", "POST", "/v1/check", map[string]string{"text": "x"}); r.status != 403 {
		t.Fatalf("check without scope: %d", r.status)
	}
	if r := e.do(t, "metrics", "GET", "/v1/customers/aaaaaaaaaaaaaaaaaaaaaaaaaa", nil); r.status != 403 {
		t.Fatalf("a metrics key read customers: %d", r.status)
	}
	if r := e.do(t, "metrics", "GET", "/metrics", nil); r.status != 200 || !bytes.Contains(r.body, []byte("kinko_card_numbers_refused_total")) {
		t.Fatalf("metrics: %d", r.status)
	}
}

// API keys' own limits: a key limited to masked reads sees what owners see and reveals
// nothing; a key used from outside its allow-list is refused and the refusal recorded.
func TestKeyLimitsOverHTTP(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		e := newAPI(t, b)
		r := e.do(t, "write", "POST", "/v1/customers", hanako)
		var created struct{ ID string }
		json.Unmarshal(r.body, &created)
		if r.status != 201 {
			t.Fatalf("create: %d", r.status)
		}
		r = e.do(t, "masked", "GET", "/v1/customers/"+created.ID, nil)
		var rec map[string]any
		json.Unmarshal(r.body, &rec)
		if r.status != 200 || rec["masked"] != true || rec["email"] != "h***@example.jp" {
			t.Fatalf("masked read: %d %v", r.status, rec["email"])
		}
		for _, clear := range []string{pName, pEmail, pPhone, pLine1, "1985-04-01"} {
			if bytes.Contains(r.body, []byte(clear)) {
				t.Fatal("a masked key's read shows a clear value")
			}
		}
		if r = e.do(t, "masked", "GET", "/v1/customers?email="+pEmail, nil); r.status != 200 || !bytes.Contains(r.body, []byte(created.ID)) || bytes.Contains(r.body, []byte(pEmail)) {
			t.Fatalf("masked search: %d", r.status)
		}
		if r = e.do(t, "masked", "POST", "/v1/customers/"+created.ID+"/reveal", map[string]any{"fields": []string{"email"}, "reason": "問い合わせ番号1234の対応のため"}); r.status != 403 || bytes.Contains(r.body, []byte(pEmail)) {
			t.Fatalf("masked key reveal: %d", r.status)
		}
		if r = e.do(t, "masked", "PATCH", "/v1/customers/"+created.ID, `{"phone":"03-1234-5678"}`); r.status != 403 {
			t.Fatalf("masked key write: %d", r.status)
		}

		if r = e.do(t, "loopback", "GET", "/v1/customers/"+created.ID, nil); r.status != 200 || !bytes.Contains(r.body, []byte(pEmail)) {
			t.Fatalf("key inside its allow-list: %d", r.status)
		}
		for range 2 { // uncached, then cached
			if r = e.do(t, "office", "GET", "/v1/customers/"+created.ID, nil); r.status != 403 || r.code() != "ip_not_allowed" || bytes.Contains(r.body, []byte(pEmail)) {
				t.Fatalf("key outside its allow-list: %d %s", r.status, r.code())
			}
		}
		evs, err := e.trail.Query(context.Background(), audit.Filter{Action: httpapi.ActionKeyIPRefused})
		if err != nil || len(evs) != 2 || evs[0].ActorIP != "127.0.0.1" || evs[0].Outcome != audit.Refused || !strings.HasPrefix(evs[0].Actor, "key:") {
			t.Fatalf("refusals recorded: %d, %v", len(evs), err)
		}
		if r = e.do(t, "all", "GET", "/v1/audit?notices=everything", nil); r.status != 400 || r.code() != "invalid_query" {
			t.Fatalf("notices=everything: %d", r.status)
		}
		e.trail.Append(context.Background(), audit.Event{Actor: "staff:stf_x", Action: string(access.NoticeRoleChanged), Shop: e.shopA, Reason: "support→admin", Outcome: audit.OK})
		if r = e.do(t, "all", "GET", "/v1/audit?notices=owner", nil); r.status != 200 || !bytes.Contains(r.body, []byte(`"staff.role_changed"`)) || bytes.Contains(r.body, []byte(httpapi.ActionKeyIPRefused)) {
			t.Fatalf("notices=owner: %d %s", r.status, r.body)
		}
		evs, err = e.trail.Query(context.Background(), audit.Filter{Action: audit.ActionReveal})
		if err != nil || len(evs) != 1 || evs[0].Outcome != audit.Denied {
			t.Fatalf("the masked key's reveal is recorded as denied: %d, %v", len(evs), err)
		}
	})
}
