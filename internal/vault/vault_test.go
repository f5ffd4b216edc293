package vault_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
	"github.com/kinko-jp/kinko/internal/vault"
)

type env struct {
	v     *vault.Vault
	trail *audit.Trail
	db    *store.DB
	keys  *keyring.Keyring
	shop  string
	dir   string
	b     storetest.Backend
	tombs *keyring.Tombstones
}

func newEnv(t testing.TB, b storetest.Backend) *env {
	t.Helper()
	return newEnvWith(t, b, store.Options{})
}

// newEnvWith is newEnv with store options (the journal's file is b's).
func newEnvWith(t testing.TB, b storetest.Backend, opt store.Options) *env {
	t.Helper()
	dir := t.TempDir()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return openEnvWith(t, b, dir, kr, opt)
}

func openEnv(t testing.TB, b storetest.Backend, dir string, kr *keyring.Keyring) *env {
	t.Helper()
	return openEnvWith(t, b, dir, kr, store.Options{})
}

func openEnvWith(t testing.TB, b storetest.Backend, dir string, kr *keyring.Keyring, opt store.Options) *env {
	t.Helper()
	opt.AuditJournal = b.Journal
	db, err := store.Open(context.Background(), b.DSN, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	tombs := keyring.OpenTombstones(filepath.Join(dir, keyring.TombstoneFileName))
	trail, err := audit.Open(context.Background(), db, kr, filepath.Join(dir, audit.CheckpointFileName), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { trail.Close() })
	e := &env{v: vault.New(db, kr, tombs, trail, vault.Options{}), trail: trail, db: db, keys: kr, dir: dir, b: b, tombs: tombs}
	sh, err := e.v.ShopByName(context.Background(), vault.DefaultShop)
	if errors.Is(err, vault.ErrNoShop) {
		sh, err = e.v.CreateShop(context.Background(), vault.DefaultShop)
	}
	if err != nil {
		t.Fatal(err)
	}
	e.shop = sh.ID
	return e
}

func ptr(s string) *string { return &s }

// as is the env's shop backend: an API key (sees records whole).
func (e *env) as() vault.Actor {
	return vault.Actor{Shop: e.shop, ID: "key:test", RequestID: "req-test"}
}

// The personal values the tests store and then look for where they must not be.
const (
	name  = "鈴木 花子"
	kana  = "スズキ ハナコ"
	email = "hanako.suzuki.test@example.jp"
	phone = "090-1234-5678"
	line1 = "六本木8-16-13"
)

func hanako() vault.Input {
	return vault.Input{Name: ptr(name), NameKana: ptr(kana), Email: ptr(email), Phone: ptr(phone), PostalCode: ptr("106-0032"),
		Address:   &vault.Address{Prefecture: "東京都", City: "港区", Line1: line1},
		BirthDate: ptr("1985-04-01"), Gender: ptr("female"), Attributes: map[string]string{"rank": "gold"}}
}

func TestRoundTripSearchAndIsolation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		e := newEnv(t, b)
		rec, err := e.v.Create(ctx, e.as(), hanako())
		if err != nil {
			t.Fatal(err)
		}
		if !vault.ValidID(rec.ID) {
			t.Fatalf("id is not a vault id")
		}
		got, err := e.v.Get(ctx, e.as(), rec.ID)
		if err != nil {
			t.Fatal(err)
		}
		if *got.Name != name || *got.Email != email || got.Address.Line1 != line1 || got.Attributes["rank"] != "gold" || *got.BirthDate != "1985-04-01" {
			t.Fatal("round trip lost a field")
		}

		searches := []struct{ name, field, value string }{
			{"full-width phone", "phone", "０９０−１２３４−５６７８"},
			{"+81 phone", "phone", "+81 90 1234 5678"},
			{"upper-case email", "email", "HANAKO.SUZUKI.TEST@EXAMPLE.JP"},
			{"name without space", "name", "鈴木花子"},
			{"name with full-width space", "name", "鈴木　花子"},
			{"kana in hiragana", "name_kana", "すずき はなこ"},
			{"half-width kana", "name_kana", "ｽｽﾞｷ ﾊﾅｺ"},
		}
		for _, s := range searches {
			rs, err := e.v.Search(ctx, e.as(), s.field, s.value)
			if err != nil || len(rs) != 1 || rs[0].ID != rec.ID {
				t.Errorf("search %s: %d results, %v", s.name, len(rs), err)
			}
		}
		if rs, _ := e.v.Search(ctx, e.as(), "email", "other@example.jp"); len(rs) != 0 {
			t.Error("search for another email found someone")
		}
		var inErr *vault.InputError
		if _, err := e.v.Search(ctx, e.as(), "address", "x"); !errors.As(err, &inErr) {
			t.Errorf("search on an unindexed field: %v", err)
		}

		// A second shop with the same email sees only its own customer.
		other, err := e.v.CreateShop(ctx, "other-shop")
		if err != nil {
			t.Fatal(err)
		}
		rec2, err := e.v.Create(ctx, vault.Actor{Shop: other.ID, ID: "key:other"}, hanako())
		if err != nil {
			t.Fatal(err)
		}
		if rs, _ := e.v.Search(ctx, vault.Actor{Shop: other.ID, ID: "key:other"}, "email", email); len(rs) != 1 || rs[0].ID != rec2.ID {
			t.Fatal("the other shop does not find exactly its own customer")
		}
		if _, err := e.v.Get(ctx, vault.Actor{Shop: other.ID, ID: "key:other"}, rec.ID); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("shop B read shop A's customer: %v", err)
		}
		if err := e.v.Delete(ctx, vault.Actor{Shop: other.ID, ID: "key:other"}, rec.ID); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("shop B deleted shop A's customer: %v", err)
		}
		if _, err := e.v.Update(ctx, vault.Actor{Shop: other.ID, ID: "key:other"}, rec.ID, vault.Patch{Set: vault.Input{Name: ptr("x")}}); !errors.Is(err, vault.ErrNotFound) {
			t.Fatalf("shop B updated shop A's customer: %v", err)
		}
		if _, err := e.v.Get(ctx, e.as(), rec.ID); err != nil {
			t.Fatal("shop A's customer suffered from shop B's attempts")
		}
	})
}

func TestPatchKeepsAndClears(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	p, err := vault.DecodePatch([]byte(`{"phone":"03-1234-5678","gender":null}`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.v.Update(ctx, e.as(), rec.ID, p)
	if err != nil {
		t.Fatal(err)
	}
	if *got.Phone != "03-1234-5678" || got.Gender != nil || *got.Email != email || got.Address == nil {
		t.Fatal("patch did not replace, clear and keep as asked")
	}
	if rs, _ := e.v.Search(ctx, e.as(), "phone", phone); len(rs) != 0 {
		t.Fatal("the old phone still finds the customer")
	}
	if rs, _ := e.v.Search(ctx, e.as(), "phone", "0312345678"); len(rs) != 1 {
		t.Fatal("the new phone does not find the customer")
	}
	if !got.UpdatedAt.After(got.CreatedAt) && !got.UpdatedAt.Equal(got.CreatedAt) {
		t.Fatal("updated_at went backwards")
	}
}

// TestConcurrentPatchesAllApply: patches of different fields at the same time must all
// land; each is a read-modify-write of the whole sealed row, so without the revision check
// the last writer would silently undo the others.
func TestConcurrentPatchesAllApply(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	rec, _ := e.v.Create(ctx, e.as(), vault.Input{Name: ptr(name)})
	patches := map[string]vault.Input{
		"phone":  {Phone: ptr("03-1111-2222")},
		"email":  {Email: ptr("x@example.jp")},
		"gender": {Gender: ptr("other")},
		"kana":   {NameKana: ptr("スズキ")},
		"postal": {PostalCode: ptr("100-0001")},
		"birth":  {BirthDate: ptr("1990-01-02")},
	}
	for range 5 {
		var wg sync.WaitGroup
		for label, in := range patches {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := e.v.Update(ctx, e.as(), rec.ID, vault.Patch{Set: in}); err != nil {
					t.Errorf("patch %s: %v", label, err)
				}
			}()
		}
		wg.Wait()
		got, _ := e.v.Get(ctx, e.as(), rec.ID)
		if got.Phone == nil || got.Email == nil || got.Gender == nil || got.NameKana == nil || got.PostalCode == nil || got.BirthDate == nil || got.Name == nil {
			t.Fatal("a concurrent patch was lost")
		}
		e.v.Update(ctx, e.as(), rec.ID, vault.Patch{Clear: map[string]bool{"phone": true, "email": true, "gender": true, "name_kana": true, "postal_code": true, "birth_date": true}})
	}
}

func TestCardNumbersRefusedAndNothingStored(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	cases := []struct {
		name, field string
		in          vault.Input
	}{
		{"phone", "phone", vault.Input{Name: ptr(name), Phone: ptr("4111 1111 1111 1111")}},
		{"name", "name", vault.Input{Name: ptr("4111-1111-1111-1111")}},
		{"full-width in attribute", "attributes.memo", vault.Input{Attributes: map[string]string{"memo": "カード番号 ４１１１−１１１１−１１１１−１１１１"}}},
		{"address line", "address.line1", vault.Input{Address: &vault.Address{Line1: "5555555555554444"}}},
		{"jcb in email", "email", vault.Input{Email: ptr("3530111333300000@example.jp")}},
		{"amex in kana", "name_kana", vault.Input{NameKana: ptr("3782 822463 10005")}},
	}
	for _, c := range cases {
		before := e.v.Refused.Load()
		_, err := e.v.Create(ctx, e.as(), c.in)
		var cr *vault.CardRefusedError
		if !errors.As(err, &cr) || cr.Field != c.field {
			t.Errorf("%s: want card refusal naming %s, got %v", c.name, c.field, err)
			continue
		}
		if e.v.Refused.Load() != before+1 {
			t.Errorf("%s: refusal not counted", c.name)
		}
	}
	if n, _ := e.db.CountCustomers(ctx, e.shop); n != 0 {
		t.Fatalf("%d customers stored after refusals; want 0", n)
	}

	// A refused patch changes nothing either.
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	if _, err := e.v.Update(ctx, e.as(), rec.ID, vault.Patch{Set: vault.Input{Phone: ptr("4111111111111111"), Name: ptr("changed")}}); err == nil {
		t.Fatal("patch with a card number accepted")
	}
	if got, _ := e.v.Get(ctx, e.as(), rec.ID); *got.Name != name || *got.Phone != phone {
		t.Fatal("a refused patch changed the record")
	}
	if _, err := e.v.SetCard(ctx, e.as(), rec.ID, vault.CardRef{Provider: "gmo", Token: "4111111111111111", Last4: "1111", ExpMonth: 1, ExpYear: 2030}); err == nil {
		t.Fatal("a card number as token accepted")
	}
}

func TestRealLookingNegativesAccepted(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	values := map[string]string{
		"JAN code":               "4902102072341",
		"JAN code 2":             "4901234567894",
		"12-digit tracking":      "123456789012",
		"Yamato tracking":        "4567-8901-2345",
		"order number":           "20241125-000123",
		"order number prefix":    "ORD-2024112512345678",
		"mobile phone":           "090-1234-5678",
		"fixed phone":            "03-1234-5678",
		"phone +81":              "+81-90-1234-5678",
		"free dial":              "0120-123-456",
		"price":                  "¥1,234,567",
		"date":                   "2024-11-25",
		"ip address":             "192.168.100.200",
		"postal code":            "106-0032",
		"timestamp":              "1732500000123",
		"long digit run (20)":    "41111111111111111111",
		"amazon order":           "503-1234567-1234567",
		"invoice number (T+13)":  "T1234567890123",
		"full-width phone":       "０９０−１２３４−５６７８",
		"luhn-valid but no IIN":  "1234567812345670",
		"16 digits failing luhn": "4111111111111112",
	}
	for name, v := range values {
		if _, err := e.v.Create(ctx, e.as(), vault.Input{Attributes: map[string]string{"v": v}}); err != nil {
			t.Errorf("%s refused: %v", name, err)
		}
	}
}

func TestValidation(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, storetest.SQLite(t))
	many := map[string]string{}
	for i := range 65 {
		many[string(rune('a'+i/26))+string(rune('a'+i%26))] = "x"
	}
	cases := []struct {
		name, code string
		in         vault.Input
	}{
		{"date that does not exist", "invalid_field", vault.Input{BirthDate: ptr("1985-02-30")}},
		{"date in other format", "invalid_field", vault.Input{BirthDate: ptr("1985/04/01")}},
		{"future birth date", "invalid_field", vault.Input{BirthDate: ptr("2999-01-01")}},
		{"65 attributes", "too_many_attributes", vault.Input{Attributes: many}},
		{"email without @", "invalid_field", vault.Input{Email: ptr("not-an-email")}},
		{"phone with letters", "invalid_field", vault.Input{Phone: ptr("call me")}},
		{"postal code", "invalid_field", vault.Input{PostalCode: ptr("12-34")}},
		{"newline in name", "invalid_field", vault.Input{Name: ptr("a\nb")}},
		{"very long name", "invalid_field", vault.Input{Name: ptr(string(bytes.Repeat([]byte("あ"), 300)))}},
	}
	for _, c := range cases {
		_, err := e.v.Create(ctx, e.as(), c.in)
		var ie *vault.InputError
		if !errors.As(err, &ie) || ie.Code != c.code {
			t.Errorf("%s: want %s, got %v", c.name, c.code, err)
		}
	}
	if n, _ := e.db.CountCustomers(ctx, e.shop); n != 0 {
		t.Fatalf("invalid input stored %d customers", n)
	}
}

// TestSwappedCiphertextsFailToOpen moves sealed values between rows and between fields
// directly in the database: the read must fail, never return the other value.
func TestSwappedCiphertextsFailToOpen(t *testing.T) {
	ctx := context.Background()
	b := storetest.SQLite(t)
	e := newEnv(t, b)
	a, _ := e.v.Create(ctx, e.as(), hanako())
	other := hanako()
	other.Email = ptr("other.person@example.jp")
	c, _ := e.v.Create(ctx, e.as(), other)

	raw, err := sql.Open("sqlite", b.File)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(q, args...); err != nil {
			t.Fatal(err)
		}
	}
	var emailA, emailC, wrappedC []byte
	raw.QueryRow(`SELECT email FROM customers WHERE id = ?`, a.ID).Scan(&emailA)
	raw.QueryRow(`SELECT email, wrapped_dek FROM customers WHERE id = ?`, c.ID).Scan(&emailC, &wrappedC)

	// Between rows: A's email ciphertext into C's row.
	exec(`UPDATE customers SET email = ? WHERE id = ?`, emailA, c.ID)
	if _, err := e.v.Get(ctx, e.as(), c.ID); !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("a ciphertext moved between rows opened: %v", err)
	}
	exec(`UPDATE customers SET email = ? WHERE id = ?`, emailC, c.ID)
	if _, err := e.v.Get(ctx, e.as(), c.ID); err != nil {
		t.Fatalf("restored row does not open: %v", err)
	}
	// Between fields: A's email into A's name.
	exec(`UPDATE customers SET name = email WHERE id = ?`, a.ID)
	if _, err := e.v.Get(ctx, e.as(), a.ID); !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("a ciphertext moved between fields opened: %v", err)
	}
	// Wrapped data keys between rows.
	exec(`UPDATE customers SET wrapped_dek = ? WHERE id = ?`, wrappedC, a.ID)
	if _, err := e.v.Get(ctx, e.as(), a.ID); !errors.Is(err, vault.ErrIntegrity) {
		t.Fatalf("a data key moved between rows opened: %v", err)
	}
}

// TestNoPlaintextOnDisk searches the database file, its WAL and a backup for the stored
// values' UTF-8 bytes.
func TestNoPlaintextOnDisk(t *testing.T) {
	ctx := context.Background()
	b := storetest.SQLite(t)
	// The reads' events stay in the audit journal until the backup below moves them in.
	e := newEnvWith(t, b, store.Options{AuditJournalDelay: time.Hour})
	var ids []string
	for range 20 {
		rec, err := e.v.Create(ctx, e.as(), hanako())
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rec.ID)
	}
	// Reads after the creates: a create moves the journal's events in before its own.
	for _, id := range ids {
		if _, err := e.v.Get(ctx, e.as(), id); err != nil {
			t.Fatal(err)
		}
	}
	journal, err := os.ReadFile(b.File + "-audit-journal")
	if err != nil {
		t.Fatal(err)
	}
	second, err := os.ReadFile(b.File + "-audit-journal-2")
	if err != nil {
		t.Fatal(err)
	}
	journal = append(journal, second...)
	if len(journal) < 2*24+20*100 {
		t.Fatalf("the audit journal holds %d bytes: not the 20 reads' events", len(journal))
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := e.db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	files := []string{b.File, b.File + "-wal", backup, filepath.Join(e.dir, keyring.FileName), "journal"}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if f == "journal" {
			data, err = journal, nil
		} else if err != nil {
			t.Fatalf("%s: %v", filepath.Base(f), err)
		}
		if len(data) == 0 {
			t.Fatalf("%s is empty: the search would prove nothing", filepath.Base(f))
		}
		for label, v := range map[string]string{"name": name, "kana": kana, "email": email, "phone": phone, "address": line1, "surname": "鈴木"} {
			if bytes.Contains(data, []byte(v)) {
				t.Errorf("%s holds the plaintext %s", filepath.Base(f), label)
			}
		}
	}
}

// TestShredSurvivesBackupRestore: create, back up, delete, restore the backup over the
// database, start again: the customer is gone (410) and no field can be opened.
func TestShredSurvivesBackupRestore(t *testing.T) {
	ctx := context.Background()
	b := storetest.SQLite(t)
	e := newEnv(t, b)
	rec, _ := e.v.Create(ctx, e.as(), hanako())
	keep, _ := e.v.Create(ctx, e.as(), vault.Input{Name: ptr("残る 人")})
	backup := filepath.Join(t.TempDir(), "backup.db")
	if err := e.db.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	if err := e.v.Delete(ctx, e.as(), rec.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.v.Get(ctx, e.as(), rec.ID); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("after delete: %v", err)
	}
	if err := e.v.Delete(ctx, e.as(), rec.ID); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("second delete: %v", err)
	}
	e.db.Close()

	// Restore the backup over the database (WAL gone with it), then "start": open + Reshred.
	data, _ := os.ReadFile(backup)
	os.Remove(b.File + "-wal")
	os.Remove(b.File + "-shm")
	if err := os.WriteFile(b.File, data, 0o600); err != nil {
		t.Fatal(err)
	}
	kr, err := keyring.Open(filepath.Join(e.dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	e2 := openEnv(t, b, e.dir, kr)
	row, _ := e2.db.Customer(ctx, e2.shop, rec.ID)
	if row.Shredded || row.WrappedDEK == nil {
		t.Fatal("the restored backup should hold the customer before re-shredding (test setup)")
	}
	n, err := e2.v.Reshred(ctx)
	if err != nil || n != 1 {
		t.Fatalf("reshred: %d, %v", n, err)
	}
	if _, err := e2.v.Get(ctx, e2.as(), rec.ID); !errors.Is(err, vault.ErrShredded) {
		t.Fatalf("restored customer is readable again: %v", err)
	}
	row, _ = e2.db.Customer(ctx, e2.shop, rec.ID)
	if row.WrappedDEK != nil || row.Sealed[2] != nil {
		t.Fatal("key or ciphertext survived the re-shred")
	}
	if _, err := e2.v.Get(ctx, e2.as(), keep.ID); err != nil {
		t.Fatalf("a customer that was not deleted was lost: %v", err)
	}
	if rs, _ := e2.v.Search(ctx, e2.as(), "email", email); len(rs) != 0 {
		t.Fatal("the shredded customer is still found by search")
	}
}

// TestRotationWhileServing rotates the master key with one keyring (the CLI) while another
// (the server) keeps creating and reading customers; everything stays readable, the old
// version is retired, and field ciphertext is untouched.
func TestRotationWhileServing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		server := newEnv(t, b)
		var ids []string
		for range 50 {
			rec, err := server.v.Create(ctx, server.as(), hanako())
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, rec.ID)
		}
		var fieldBefore []byte
		row, _ := server.db.Customer(ctx, server.shop, ids[0])
		fieldBefore = row.Sealed[2]

		cliKeys, err := keyring.Open(filepath.Join(server.dir, keyring.FileName), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		cli := openEnv(t, b, server.dir, cliKeys)

		stop := make(chan struct{})
		var wg sync.WaitGroup
		var mu sync.Mutex
		var serveErr error
		wg.Add(1)
		go func() { // the server keeps working, reloading the key file as serve does
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				server.keys.Reload()
				rec, err := server.v.Create(ctx, server.as(), hanako())
				if err == nil {
					mu.Lock()
					ids = append(ids, rec.ID)
					mu.Unlock()
					_, err = server.v.Get(ctx, server.as(), ids[i%50])
				}
				if err != nil {
					serveErr = err
					return
				}
				time.Sleep(2 * time.Millisecond)
			}
		}()
		res, err := cli.v.RotateMasterKey(ctx, vault.RotateOptions{Grace: 1500 * time.Millisecond,
			BeforeRetire: func(ctx context.Context) error { _, err := cli.trail.Checkpoint(ctx); return err }})
		close(stop)
		wg.Wait()
		if err != nil {
			t.Fatal(err)
		}
		if serveErr != nil {
			t.Fatalf("the server failed during rotation: %v", serveErr)
		}
		if res.NewVersion != 2 || len(res.Retired) != 1 || res.Retired[0] != 1 || res.Rewrapped < 50 {
			t.Fatalf("rotation result %+v", res)
		}
		row, _ = server.db.Customer(ctx, server.shop, ids[0])
		if row.KeyVersion != 2 || !bytes.Equal(row.Sealed[2], fieldBefore) {
			t.Fatal("data key not re-wrapped, or field ciphertext touched")
		}
		// A fresh process (only the key file, v1 destroyed) reads every customer.
		freshKeys, err := keyring.Open(filepath.Join(server.dir, keyring.FileName), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		fresh := openEnv(t, b, server.dir, freshKeys)
		for _, id := range ids {
			if _, err := fresh.v.Get(ctx, fresh.as(), id); err != nil {
				t.Fatalf("after rotation a customer does not open: %v", err)
			}
		}
		if rs, _ := fresh.v.Search(ctx, fresh.as(), "email", email); len(rs) == 0 {
			t.Fatal("blind indexes stopped matching after rotation")
		}
	})
}
