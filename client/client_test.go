package client_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // driver "pgx", to create and drop test schemas

	"github.com/kinko-jp/kinko/client"
	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/httpapi"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

// The client's tests run against a real kinko API on loopback: the same pieces
// internal/cli's serve wires (store, keyring, vault, access keys, httpapi), over SQLite and,
// when KINKO_TEST_POSTGRES names a server, over PostgreSQL with one schema per test.

func TestClient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		fresh := storetest.SQLite
		if b.Name == "postgres" {
			fresh = storetest.Postgres
		}
		runSuite(t, func(t *testing.T) string { return fresh(t).DSN })
	})
}

// syncBuffer collects the server's log lines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// server is one running API with its own database, key file and default shop.
type server struct {
	url      string
	key      string // every scope
	shop     string
	keys     *access.Keys
	vault    *vault.Vault
	log      *syncBuffer
	notReady atomic.Bool
}

func startServer(t *testing.T, dsn string) *server {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, dsn, store.Options{})
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	dir := t.TempDir()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatalf("creating the key file: %v", err)
	}
	tombs := keyring.OpenTombstones(filepath.Join(dir, keyring.TombstoneFileName))
	trail, err := audit.Open(ctx, db, kr, filepath.Join(dir, audit.CheckpointFileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trail.Close() })
	s := &server{vault: vault.New(db, kr, tombs, trail, vault.Options{}), keys: access.NewKeys(db, nil, nil), log: &syncBuffer{}}
	shop, err := s.vault.CreateShop(ctx, vault.DefaultShop)
	if err != nil {
		t.Fatalf("creating the shop: %v", err)
	}
	s.shop = shop.ID
	s.key = s.newKey(t, s.shop, access.AllScopes...)
	api := httpapi.New(httpapi.Config{Vault: s.vault, Keys: s.keys, DB: db,
		Log: slog.New(slog.NewTextHandler(s.log, nil)),
		Ready: func(ctx context.Context) error {
			if s.notReady.Load() {
				return errors.New("test: not ready")
			}
			if kr.ActiveVersion() == 0 {
				return errors.New("no master key")
			}
			return db.Ping(ctx)
		}})
	ts := httptest.NewServer(api.Handler())
	t.Cleanup(ts.Close)
	s.url = ts.URL
	return s
}

func (s *server) newKey(t *testing.T, shop string, scopes ...string) string {
	t.Helper()
	_, secret, err := s.keys.Create(context.Background(), shop, "test", scopes)
	if err != nil {
		t.Fatalf("creating an API key: %v", err)
	}
	return secret
}

func (s *server) client(key string) *client.Client { return client.New(s.url, key) }

// runSuite runs every client case against a fresh server on the database dsn gives.
func runSuite(t *testing.T, dsn func(t *testing.T) string) {
	cases := []struct {
		name string
		run  func(t *testing.T, s *server)
	}{
		{"health", testHealth},
		{"round trip of every field", testRoundTrip},
		{"update", testUpdate},
		{"search", testSearch},
		{"delete shreds", testDelete},
		{"error mapping", testErrors},
		{"card numbers are refused and nothing is stored", testCardRefused},
		{"check", testCheck},
		{"metrics", testMetrics},
		{"shops are isolated", testShops},
		{"the server log holds no personal value", testLogClean},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, startServer(t, dsn(t)))
		})
	}
}

// fullInput sets every field a customer can hold.
func fullInput() client.Input {
	return client.Input{
		Name:       new("山田 太郎"),
		NameKana:   new("ヤマダ タロウ"),
		Email:      new("Taro.Yamada+shop@Example.jp"),
		Phone:      new("090-1234-5678"),
		PostalCode: new("106-0032"),
		Address:    &client.Address{Prefecture: "東京都", City: "港区", Line1: "六本木1-2-3", Line2: "金庫ビル 4F"},
		BirthDate:  new("1985-04-01"),
		Gender:     new("male"),
		Attributes: map[string]string{"member_rank": "gold", "memo": "置き配希望\n午前中", "顧客番号": "A-1001"},
	}
}

// diffFields names the fields in which two inputs differ (names only: never values).
func diffFields(a, b client.Input) []string {
	var out []string
	str := func(name string, x, y *string) {
		if (x == nil) != (y == nil) || (x != nil && *x != *y) {
			out = append(out, name)
		}
	}
	str("name", a.Name, b.Name)
	str("name_kana", a.NameKana, b.NameKana)
	str("email", a.Email, b.Email)
	str("phone", a.Phone, b.Phone)
	str("postal_code", a.PostalCode, b.PostalCode)
	str("birth_date", a.BirthDate, b.BirthDate)
	str("gender", a.Gender, b.Gender)
	if !reflect.DeepEqual(a.Address, b.Address) {
		out = append(out, "address")
	}
	if len(a.Attributes) != len(b.Attributes) || (len(a.Attributes) > 0 && !reflect.DeepEqual(a.Attributes, b.Attributes)) {
		out = append(out, "attributes")
	}
	return out
}

func mustCreate(t *testing.T, c *client.Client, in client.Input) string {
	t.Helper()
	id, err := c.CreateCustomer(context.Background(), in)
	if err != nil {
		t.Fatalf("create: %v", err)
	}
	return id
}

// apiError asserts err is an *APIError with status and code, and returns it.
func apiError(t *testing.T, what string, err error, status int, code string) *client.APIError {
	t.Helper()
	var e *client.APIError
	if !errors.As(err, &e) {
		t.Fatalf("%s: got error %v, want an *APIError %d %s", what, err, status, code)
	}
	if e.Status != status || e.Code != code {
		t.Fatalf("%s: got %d %s, want %d %s", what, e.Status, e.Code, status, code)
	}
	if e.ID == "" {
		t.Errorf("%s: the error has no request id", what)
	}
	if e.Message == "" {
		t.Errorf("%s: the error has no message", what)
	}
	if !strings.Contains(err.Error(), code) {
		t.Errorf("%s: Error() does not name the code", what)
	}
	return e
}

func testHealth(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client("")
	if err := c.Healthz(ctx); err != nil {
		t.Fatalf("healthz: %v", err)
	}
	if err := c.Readyz(ctx); err != nil {
		t.Fatalf("readyz: %v", err)
	}
	s.notReady.Store(true)
	apiError(t, "readyz while not ready", c.Readyz(ctx), 503, client.CodeNotReady)
	if err := c.Healthz(ctx); err != nil {
		t.Fatalf("healthz while not ready: %v", err)
	}
}

func testRoundTrip(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	in := fullInput()
	before := time.Now().Add(-time.Second)
	id := mustCreate(t, c, in)
	if !validID(id) {
		t.Fatalf("create returned an id that is not 26 lower-case base32 characters (length %d)", len(id))
	}
	got, err := c.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.ID != id {
		t.Errorf("get: the record carries another id")
	}
	if d := diffFields(in, got.Input); len(d) > 0 {
		t.Errorf("get: fields differ from what was created: %v", d)
	}
	if got.Card != nil {
		t.Errorf("get: a card reference appeared that was never set")
	}
	if got.CreatedAt.Before(before) || got.CreatedAt.After(time.Now().Add(time.Second)) || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("get: created_at/updated_at are not the creation time")
	}

	card := client.CardRef{Provider: "pay.jp", Token: "tok_0123456789abcdef", Brand: "Visa", Last4: "4242", ExpMonth: 12, ExpYear: 2030}
	after, err := c.SetCard(ctx, id, card)
	if err != nil {
		t.Fatalf("set card: %v", err)
	}
	if after.Card == nil || *after.Card != card {
		t.Errorf("set card: the answer does not carry the card reference sent")
	}
	if d := diffFields(in, after.Input); len(d) > 0 {
		t.Errorf("set card: other fields changed: %v", d)
	}
	got, err = c.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get after set card: %v", err)
	}
	if got.Card == nil || *got.Card != card {
		t.Errorf("get after set card: the card reference did not round-trip")
	}
	if d := diffFields(in, got.Input); len(d) > 0 {
		t.Errorf("get after set card: fields differ: %v", d)
	}
	if got.UpdatedAt.Before(got.CreatedAt) {
		t.Errorf("get after set card: updated_at is before created_at")
	}

	// A second card replaces the first.
	card2 := client.CardRef{Provider: "stripe", Token: "pm_abc", Brand: "JCB", Last4: "0000", ExpMonth: 1, ExpYear: 2031}
	if _, err := c.SetCard(ctx, id, card2); err != nil {
		t.Fatalf("set second card: %v", err)
	}
	got, err = c.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get after second card: %v", err)
	}
	if got.Card == nil || *got.Card != card2 {
		t.Errorf("get after second card: the second card reference did not replace the first")
	}

	// A customer with no fields at all is a valid record.
	empty := mustCreate(t, c, client.Input{})
	got, err = c.GetCustomer(ctx, empty)
	if err != nil {
		t.Fatalf("get empty: %v", err)
	}
	if d := diffFields(client.Input{}, got.Input); len(d) > 0 {
		t.Errorf("get empty: fields appeared: %v", d)
	}
}

func validID(id string) bool {
	if len(id) != 26 {
		return false
	}
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= '2' && r <= '7') {
			return false
		}
	}
	return true
}

func testUpdate(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	in := fullInput()
	id := mustCreate(t, c, in)
	created, err := c.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get: %v", err)
	}

	steps := []struct {
		name  string
		patch client.Patch
		want  func(*client.Input)
	}{
		{"set one field, keep the others", client.Patch{Set: client.Input{Gender: new("female")}},
			func(w *client.Input) { w.Gender = new("female") }},
		{"clear one field", client.Patch{Clear: []client.Field{client.FieldName}},
			func(w *client.Input) { w.Name = nil }},
		{"set and clear together", client.Patch{Set: client.Input{Name: new("鈴木 花子"), Phone: new("03-1234-5678")}, Clear: []client.Field{client.FieldBirthDate, client.FieldGender}},
			func(w *client.Input) {
				w.Name, w.Phone, w.BirthDate, w.Gender = new("鈴木 花子"), new("03-1234-5678"), nil, nil
			}},
		{"replace the address as a whole", client.Patch{Set: client.Input{Address: &client.Address{Prefecture: "大阪府", City: "大阪市北区"}}},
			func(w *client.Input) { w.Address = &client.Address{Prefecture: "大阪府", City: "大阪市北区"} }},
		{"replace the attributes as a whole", client.Patch{Set: client.Input{Attributes: map[string]string{"tier": "new"}}},
			func(w *client.Input) { w.Attributes = map[string]string{"tier": "new"} }},
		{"empty attributes", client.Patch{Set: client.Input{Attributes: map[string]string{}}},
			func(w *client.Input) { w.Attributes = nil }},
		{"clear address and attributes", client.Patch{Clear: []client.Field{client.FieldAddress, client.FieldAttributes}},
			func(w *client.Input) { w.Address, w.Attributes = nil, nil }},
		{"empty patch keeps everything", client.Patch{}, func(*client.Input) {}},
		{"clear every field", client.Patch{Clear: []client.Field{client.FieldName, client.FieldNameKana, client.FieldEmail, client.FieldPhone,
			client.FieldPostalCode, client.FieldAddress, client.FieldBirthDate, client.FieldGender, client.FieldAttributes}},
			func(w *client.Input) { *w = client.Input{} }},
	}
	want := in
	last := created.UpdatedAt
	for _, st := range steps {
		st.want(&want)
		got, err := c.UpdateCustomer(ctx, id, st.patch)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if d := diffFields(want, got.Input); len(d) > 0 {
			t.Errorf("%s: the answer differs in %v", st.name, d)
		}
		if got.UpdatedAt.Before(last) || !got.CreatedAt.Equal(created.CreatedAt) {
			t.Errorf("%s: updated_at went back or created_at changed", st.name)
		}
		last = got.UpdatedAt
		again, err := c.GetCustomer(ctx, id)
		if err != nil {
			t.Fatalf("%s: get: %v", st.name, err)
		}
		if d := diffFields(want, again.Input); len(d) > 0 {
			t.Errorf("%s: the stored record differs in %v", st.name, d)
		}
	}

	// A patch that sets and clears one field is refused by the client before any request.
	_, err = c.UpdateCustomer(ctx, id, client.Patch{Set: client.Input{Email: new("x@example.jp")}, Clear: []client.Field{client.FieldEmail}})
	var ae *client.APIError
	if err == nil || errors.As(err, &ae) {
		t.Errorf("set-and-clear patch: got %v, want a client-side error", err)
	}
	_, err = c.UpdateCustomer(ctx, id, client.Patch{Clear: []client.Field{"card"}})
	if err == nil || errors.As(err, &ae) {
		t.Errorf("clearing an unknown field: got %v, want a client-side error", err)
	}
	apiError(t, "update unknown id", func() error {
		_, err := c.UpdateCustomer(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa", client.Patch{Set: client.Input{Gender: new("x")}})
		return err
	}(), 404, client.CodeNotFound)
	apiError(t, "update with an invalid value", func() error {
		_, err := c.UpdateCustomer(ctx, id, client.Patch{Set: client.Input{BirthDate: new("1990-13-01")}})
		return err
	}(), 400, client.CodeInvalidField)
}

func testSearch(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	a := mustCreate(t, c, fullInput())
	other := fullInput()
	other.Name, other.NameKana, other.Phone = new("佐藤 次郎"), new("サトウ ジロウ"), new("+81 80-9999-0000")
	b := mustCreate(t, c, other) // same email as a
	mustCreate(t, c, client.Input{Name: new("無関係 な人"), Email: new("someone@example.com")})

	type search func(context.Context, client.SearchField, string) ([]client.Customer, error)
	methods := []struct {
		name string
		fn   search
	}{{"POST", c.SearchCustomers}, {"GET", c.SearchCustomersByQuery}}
	cases := []struct {
		name  string
		field client.SearchField
		value string
		want  []string
	}{
		{"email as stored", client.SearchEmail, "Taro.Yamada+shop@Example.jp", []string{a, b}},
		{"email lower-cased", client.SearchEmail, "taro.yamada+shop@example.jp", []string{a, b}},
		{"email full-width", client.SearchEmail, "ｔａｒｏ．ｙａｍａｄａ＋ｓｈｏｐ＠ｅｘａｍｐｌｅ．ｊｐ", []string{a, b}},
		{"phone digits only", client.SearchPhone, "09012345678", []string{a}},
		{"phone full-width", client.SearchPhone, "０９０−１２３４−５６７８", []string{a}},
		{"phone +81", client.SearchPhone, "+81-90-1234-5678", []string{a}},
		{"phone stored as +81 found domestic", client.SearchPhone, "080-9999-0000", []string{b}},
		{"name without spaces", client.SearchName, "山田太郎", []string{a}},
		{"name with a full-width space", client.SearchName, "山田　太郎", []string{a}},
		{"kana in hiragana", client.SearchNameKana, "やまだ たろう", []string{a}},
		{"kana half-width", client.SearchNameKana, "ﾔﾏﾀﾞﾀﾛｳ", []string{a}},
		{"no match", client.SearchEmail, "nobody@example.jp", nil},
		{"query characters in the value", client.SearchEmail, "a&email=b@example.jp", nil},
	}
	for _, m := range methods {
		for _, tc := range cases {
			got, err := m.fn(ctx, tc.field, tc.value)
			if err != nil {
				t.Errorf("%s %s: %v", m.name, tc.name, err)
				continue
			}
			if got == nil {
				t.Errorf("%s %s: nil slice, want an empty one", m.name, tc.name)
			}
			var ids []string
			for _, cu := range got {
				ids = append(ids, cu.ID)
			}
			if !sameSet(ids, tc.want) {
				t.Errorf("%s %s: found %d customers, not the %d expected", m.name, tc.name, len(ids), len(tc.want))
			}
			for _, cu := range got {
				if cu.ID == a {
					if d := diffFields(fullInput(), cu.Input); len(d) > 0 {
						t.Errorf("%s %s: the found record differs in %v", m.name, tc.name, d)
					}
				}
			}
		}
		bad := []struct {
			name  string
			field client.SearchField
			value string
		}{
			{"a field without an index", "postal_code", "106-0032"},
			{"an unknown field", "nope", "x"},
			{"empty after normalisation", client.SearchPhone, "　-　"},
			{"empty field name", "", "x"},
		}
		for _, tc := range bad {
			_, err := m.fn(ctx, tc.field, tc.value)
			apiError(t, m.name+" "+tc.name, err, 400, client.CodeInvalidQuery)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		if seen[x] == 0 {
			return false
		}
		seen[x]--
	}
	return true
}

func testDelete(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	id := mustCreate(t, c, fullInput())
	keep := mustCreate(t, c, client.Input{Name: new("残る 人"), Email: new("Taro.Yamada+shop@Example.jp")})
	if err := c.DeleteCustomer(ctx, id); err != nil {
		t.Fatalf("delete: %v", err)
	}
	_, err := c.GetCustomer(ctx, id)
	apiError(t, "get after delete", err, 410, client.CodeShredded)
	if !client.IsShredded(err) || client.IsNotFound(err) {
		t.Errorf("get after delete: IsShredded/IsNotFound disagree with the code")
	}
	_, err = c.UpdateCustomer(ctx, id, client.Patch{Set: client.Input{Gender: new("x")}})
	apiError(t, "update after delete", err, 410, client.CodeShredded)
	_, err = c.SetCard(ctx, id, client.CardRef{Provider: "p", Token: "t", Last4: "1234", ExpMonth: 1, ExpYear: 2030})
	apiError(t, "set card after delete", err, 410, client.CodeShredded)
	apiError(t, "delete twice", c.DeleteCustomer(ctx, id), 410, client.CodeShredded)
	found, err := c.SearchCustomers(ctx, client.SearchEmail, "taro.yamada+shop@example.jp")
	if err != nil {
		t.Fatalf("search after delete: %v", err)
	}
	if len(found) != 1 || found[0].ID != keep {
		t.Errorf("search after delete: found %d customers, want only the one kept", len(found))
	}
	found, err = c.SearchCustomers(ctx, client.SearchName, "山田太郎")
	if err != nil || len(found) != 0 {
		t.Errorf("search by the deleted name: found %d customers (err %v), want none", len(found), err)
	}
	err = c.DeleteCustomer(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa")
	apiError(t, "delete unknown", err, 404, client.CodeNotFound)
	if !client.IsNotFound(err) {
		t.Errorf("delete unknown: IsNotFound is false")
	}
	if _, err := c.GetCustomer(ctx, keep); err != nil {
		t.Errorf("the other customer is no longer readable: %v", err)
	}
}

// bigName is over the 1 MiB body limit on its own.
var bigName = strings.Repeat("a", httpapi.MaxBody+1)

func testErrors(t *testing.T, s *server) {
	ctx := context.Background()
	ro := s.client(s.newKey(t, s.shop, access.ScopeCustomersRead))
	rw := s.client(s.newKey(t, s.shop, access.ScopeCustomersRead, access.ScopeCustomersWrite))
	all := s.client(s.key)
	id := mustCreate(t, all, client.Input{Name: new("既存 顧客")})
	manyAttrs := map[string]string{}
	for i := range 65 {
		manyAttrs[fmt.Sprintf("k%02d", i)] = "v"
	}
	sixtyFour := map[string]string{}
	for i := range 64 {
		sixtyFour[fmt.Sprintf("k%02d", i)] = "v"
	}
	cases := []struct {
		name    string
		call    func() error
		status  int
		code    string
		mention string   // the message must name this (a field)
		secrets []string // values sent that must not appear in the error
	}{
		{"bad key", func() error { _, err := s.client("kinko_"+strings.Repeat("A", 32)).GetCustomer(ctx, id); return err }, 401, client.CodeUnauthorized, "", nil},
		{"malformed key", func() error { _, err := s.client("not-a-key").GetCustomer(ctx, id); return err }, 401, client.CodeUnauthorized, "", nil},
		{"no key", func() error {
			_, err := s.client("").SearchCustomers(ctx, client.SearchEmail, "a@example.jp")
			return err
		}, 401, client.CodeUnauthorized, "", nil},
		{"read-only key creates", func() error { _, err := ro.CreateCustomer(ctx, client.Input{Name: new("読取 専用")}); return err }, 403, client.CodeForbidden, "customers:write", []string{"読取"}},
		{"read-only key updates", func() error {
			_, err := ro.UpdateCustomer(ctx, id, client.Patch{Clear: []client.Field{client.FieldName}})
			return err
		}, 403, client.CodeForbidden, "customers:write", nil},
		{"read-write key deletes", func() error { return rw.DeleteCustomer(ctx, id) }, 403, client.CodeForbidden, "customers:delete", nil},
		{"read-write key checks", func() error { _, err := rw.Check(ctx, "hello"); return err }, 403, client.CodeForbidden, "check", nil},
		{"read-write key reads metrics", func() error { _, err := rw.Metrics(ctx); return err }, 403, client.CodeForbidden, "metrics", nil},
		{"unknown id", func() error { _, err := all.GetCustomer(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa"); return err }, 404, client.CodeNotFound, "", nil},
		{"malformed id", func() error { _, err := all.GetCustomer(ctx, "../../etc/passwd"); return err }, 404, client.CodeNotFound, "", nil},
		{"card for unknown id", func() error {
			_, err := all.SetCard(ctx, "aaaaaaaaaaaaaaaaaaaaaaaaaa", client.CardRef{Provider: "p", Token: "t", Last4: "1234", ExpMonth: 1, ExpYear: 2030})
			return err
		}, 404, client.CodeNotFound, "", nil},
		{"birth date that does not exist", func() error {
			_, err := all.CreateCustomer(ctx, client.Input{BirthDate: new("2001-02-30")})
			return err
		}, 400, client.CodeInvalidField, "birth_date", []string{"2001-02-30"}},
		{"birth date in another layout", func() error {
			_, err := all.CreateCustomer(ctx, client.Input{BirthDate: new("2001/02/03")})
			return err
		}, 400, client.CodeInvalidField, "birth_date", []string{"2001/02/03"}},
		{"email without a domain", func() error { _, err := all.CreateCustomer(ctx, client.Input{Email: new("taro.yamada")}); return err }, 400, client.CodeInvalidField, "email", []string{"taro.yamada"}},
		{"phone with letters", func() error { _, err := all.CreateCustomer(ctx, client.Input{Phone: new("090-CALL-TARO")}); return err }, 400, client.CodeInvalidField, "phone", []string{"CALL-TARO"}},
		{"postal code too short", func() error { _, err := all.CreateCustomer(ctx, client.Input{PostalCode: new("98-76")}); return err }, 400, client.CodeInvalidField, "postal_code", []string{"98-76"}},
		{"name too long", func() error {
			_, err := all.CreateCustomer(ctx, client.Input{Name: new(strings.Repeat("長", 257))})
			return err
		}, 400, client.CodeInvalidField, "name", []string{"長長長"}},
		{"name with a line break", func() error { _, err := all.CreateCustomer(ctx, client.Input{Name: new("山田\n太郎")}); return err }, 400, client.CodeInvalidField, "name", []string{"山田"}},
		{"65 attributes", func() error { _, err := all.CreateCustomer(ctx, client.Input{Attributes: manyAttrs}); return err }, 400, client.CodeTooManyAttributes, "64", nil},
		{"card reference without last4", func() error {
			_, err := all.SetCard(ctx, id, client.CardRef{Provider: "p", Token: "tok_secret_token", ExpMonth: 1, ExpYear: 2030})
			return err
		}, 400, client.CodeInvalidField, "last4", []string{"tok_secret_token"}},
		{"card reference with month 13", func() error {
			_, err := all.SetCard(ctx, id, client.CardRef{Provider: "p", Token: "tok_secret_token", Last4: "1234", ExpMonth: 13, ExpYear: 2030})
			return err
		}, 400, client.CodeInvalidField, "exp_month", []string{"tok_secret_token"}},
		{"body over 1 MiB", func() error { _, err := all.CreateCustomer(ctx, client.Input{Name: new(bigName)}); return err }, 413, client.CodeBodyTooLarge, "", []string{"aaaaaaaa"}},
		{"patch body over 1 MiB", func() error {
			_, err := all.UpdateCustomer(ctx, id, client.Patch{Set: client.Input{Name: new(bigName)}})
			return err
		}, 413, client.CodeBodyTooLarge, "", []string{"aaaaaaaa"}},
		{"check body over 1 MiB", func() error { _, err := all.Check(ctx, bigName); return err }, 413, client.CodeBodyTooLarge, "", []string{"aaaaaaaa"}},
	}
	for _, tc := range cases {
		err := tc.call()
		e := apiError(t, tc.name, err, tc.status, tc.code)
		if tc.mention != "" && !strings.Contains(e.Message, tc.mention) {
			t.Errorf("%s: the message does not name %s", tc.name, tc.mention)
		}
		for _, v := range tc.secrets {
			if strings.Contains(err.Error(), v) {
				t.Errorf("%s: the error repeats a value that was sent", tc.name)
			}
		}
	}
	// The limit is 64, not fewer.
	if _, err := all.CreateCustomer(ctx, client.Input{Attributes: sixtyFour}); err != nil {
		t.Errorf("64 attributes: %v", err)
	}
	// The record that failed updates is unchanged.
	got, err := all.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get after failed updates: %v", err)
	}
	if got.Name == nil || *got.Name != "既存 顧客" || got.Card != nil {
		t.Errorf("failed updates changed the record")
	}
}

func testCardRefused(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	id := mustCreate(t, c, client.Input{Name: new("カード 確認"), Phone: new("090-0000-1111")})
	const (
		visa      = "4111111111111111"
		visaSpace = "4111 1111 1111 1111"
		jcbWide   = "３５６６－００２０－２０３６－０５０５" // JCB test number, full width with full-width hyphens
		amex      = "3782-822463-10005"
	)
	cases := []struct {
		name   string
		call   func() error
		field  string
		digits []string // must not appear in the error, in any layout
	}{
		{"create: phone", func() error {
			_, err := c.CreateCustomer(ctx, client.Input{Name: new("拒否 一"), Phone: new(visaSpace)})
			return err
		}, "phone", []string{visa, visaSpace, "4111 1111"}},
		{"create: name", func() error { _, err := c.CreateCustomer(ctx, client.Input{Name: new("拒否 " + visa)}); return err }, "name", []string{visa}},
		{"create: address line", func() error {
			_, err := c.CreateCustomer(ctx, client.Input{Name: new("拒否 二"), Address: &client.Address{Prefecture: "東京都", Line1: amex}})
			return err
		}, "address.line1", []string{amex, "822463"}},
		{"create: attribute, full width", func() error {
			_, err := c.CreateCustomer(ctx, client.Input{Name: new("拒否 三"), Attributes: map[string]string{"memo": "カード " + jcbWide}})
			return err
		}, "attributes.memo", []string{jcbWide, "3566", "３５６６"}},
		{"update: email", func() error {
			_, err := c.UpdateCustomer(ctx, id, client.Patch{Set: client.Input{Gender: new(visa)}})
			return err
		}, "gender", []string{visa}},
		{"card reference: token", func() error {
			_, err := c.SetCard(ctx, id, client.CardRef{Provider: "pay.jp", Token: visa, Last4: "1111", ExpMonth: 1, ExpYear: 2030})
			return err
		}, "card.token", []string{visa}},
	}
	for _, tc := range cases {
		err := tc.call()
		e := apiError(t, tc.name, err, 422, client.CodeCardNumberRefused)
		if !client.IsCardNumberRefused(err) {
			t.Errorf("%s: IsCardNumberRefused is false", tc.name)
		}
		if !strings.Contains(e.Message, "field "+tc.field) || e.Field != tc.field {
			t.Errorf("%s: the error does not name the field %s", tc.name, tc.field)
		}
		for _, d := range tc.digits {
			if strings.Contains(err.Error(), d) {
				t.Errorf("%s: the error holds card digits", tc.name)
			}
		}
	}
	// Nothing was stored: no refused create left a customer behind, the update and the card
	// reference did not change the record.
	for _, name := range []string{"拒否一", "拒否二", "拒否三"} {
		found, err := c.SearchCustomers(ctx, client.SearchName, name)
		if err != nil || len(found) != 0 {
			t.Errorf("a refused create was stored (%d found, err %v)", len(found), err)
		}
	}
	got, err := c.GetCustomer(ctx, id)
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	if got.Gender != nil || got.Card != nil || !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Errorf("a refused update or card reference changed the record")
	}
	m, err := c.Metrics(ctx)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	if !strings.Contains(m, fmt.Sprintf("kinko_card_numbers_refused_total %d\n", len(cases))) {
		t.Errorf("the refusal counter does not count the %d refusals", len(cases))
	}
}

func testCheck(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.newKey(t, s.shop, access.ScopeCheck))
	text := "お問い合わせ: カード番号は 4111-1111-1111-1111 です"
	got, err := c.Check(ctx, text)
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	n := 0
	for _, f := range got {
		if f.Type != client.FindingCardNumber {
			continue
		}
		n++
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End || text[f.Start:f.End] != "4111-1111-1111-1111" {
			t.Errorf("check: the card finding's offsets do not cover the card number")
		}
	}
	if n != 1 {
		t.Errorf("check: %d card findings, want 1", n)
	}
	got, err = c.Check(ctx, "注文番号 2024-0001-7788 の配送について")
	if err != nil {
		t.Fatalf("check without a card: %v", err)
	}
	for _, f := range got {
		if f.Type == client.FindingCardNumber {
			t.Errorf("check: an order number was reported as a card number")
		}
	}
	if got == nil {
		t.Errorf("check: nil findings, want an empty slice")
	}
	got, err = c.Check(ctx, "")
	if err != nil || len(got) != 0 {
		t.Errorf("check of empty text: %d findings, err %v", len(got), err)
	}
}

func testMetrics(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.newKey(t, s.shop, access.ScopeAdmin))
	m, err := c.Metrics(ctx)
	if err != nil {
		t.Fatalf("metrics: %v", err)
	}
	for _, want := range []string{"kinko_card_numbers_refused_total 0", `kinko_http_requests_total{class="2xx"}`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics: missing %s", want)
		}
	}
	// An admin key holds every scope.
	if _, err := c.CreateCustomer(ctx, client.Input{Name: new("管理 者")}); err != nil {
		t.Errorf("admin key create: %v", err)
	}
}

func testShops(t *testing.T, s *server) {
	ctx := context.Background()
	other, err := s.vault.CreateShop(ctx, "other")
	if err != nil {
		t.Fatalf("creating a second shop: %v", err)
	}
	a := s.client(s.key)
	b := s.client(s.newKey(t, other.ID, access.AllScopes...))
	in := client.Input{Name: new("共通 名前"), Email: new("same@example.jp")}
	idA := mustCreate(t, a, in)
	idB := mustCreate(t, b, in)
	for _, tc := range []struct {
		name string
		c    *client.Client
		want string
	}{{"shop a", a, idA}, {"shop b", b, idB}} {
		found, err := tc.c.SearchCustomers(ctx, client.SearchEmail, "same@example.jp")
		if err != nil {
			t.Fatalf("%s: search: %v", tc.name, err)
		}
		if len(found) != 1 || found[0].ID != tc.want {
			t.Errorf("%s: search found %d customers, want only its own", tc.name, len(found))
		}
	}
	_, err = b.GetCustomer(ctx, idA)
	apiError(t, "shop b reads shop a's customer", err, 404, client.CodeNotFound)
	apiError(t, "shop b deletes shop a's customer", b.DeleteCustomer(ctx, idA), 404, client.CodeNotFound)
	_, err = b.UpdateCustomer(ctx, idA, client.Patch{Clear: []client.Field{client.FieldName}})
	apiError(t, "shop b updates shop a's customer", err, 404, client.CodeNotFound)
	got, err := a.GetCustomer(ctx, idA)
	if err != nil || got.Name == nil {
		t.Errorf("shop a's customer was changed by shop b (err %v)", err)
	}
}

func testLogClean(t *testing.T, s *server) {
	ctx := context.Background()
	c := s.client(s.key)
	in := fullInput()
	id := mustCreate(t, c, in)
	if _, err := c.GetCustomer(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SearchCustomersByQuery(ctx, client.SearchEmail, *in.Email); err != nil {
		t.Fatal(err)
	}
	if _, err := c.SearchCustomers(ctx, client.SearchPhone, *in.Phone); err != nil {
		t.Fatal(err)
	}
	_, refusal := c.CreateCustomer(ctx, client.Input{Phone: new("4111 1111 1111 1111")})
	e := apiError(t, "card refusal", refusal, 422, client.CodeCardNumberRefused)
	if _, err := c.Check(ctx, "4111-1111-1111-1111"); err != nil {
		t.Fatal(err)
	}
	log := s.log.String()
	if !strings.Contains(log, `route="GET /v1/customers/{id}"`) {
		t.Fatalf("the server log does not hold the request lines this test expects")
	}
	// The error's request id joins the answer to the server's log line.
	if !strings.Contains(log, "id="+e.ID+" ") {
		t.Errorf("the refusal's request id is not in the server log")
	}
	for name, v := range map[string]string{"name": *in.Name, "email": *in.Email, "email (query-escaped)": url.QueryEscape(*in.Email),
		"phone": *in.Phone, "address": in.Address.Line1, "card": "4111 1111", "card (hyphens)": "4111-1111", "customer id": id} {
		if strings.Contains(log, v) {
			t.Errorf("the server log holds the %s", name)
		}
	}
}
