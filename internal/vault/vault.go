// Package vault keeps customer records: create, read, update, search, set a card reference,
// and delete by crypto-shredding. It is the one way in to customer data: HTTP handlers and
// the console call it and never touch store or keyring.
//
// Invariants:
//   - Every string that enters is checked by detect's card detector first; a card number is
//     refused before anything is validated further or written.
//   - Each customer has its own random data key (DEK), wrapped by the master key with the
//     shop and customer id as associated data; each field is sealed under the DEK with the
//     shop, customer, field name and DEK version as associated data (seal.FieldAD).
//   - Search uses blind indexes (HMAC of the normalised value under a per-shop, per-field
//     key); a plaintext value never reaches the store.
//   - Deleting destroys the wrapped DEK and index rows and records a tombstone outside the
//     database first, so a restored backup is shredded again at start (Reshred).
//   - A shop's customers are only ever read with that shop's id: one shop can never see,
//     find or delete another's.
package vault

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/jptext"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
)

var (
	// ErrNotFound: no such customer in this shop.
	ErrNotFound = errors.New("customer not found")
	// ErrShredded: the customer was deleted; its data can no longer be opened.
	ErrShredded = errors.New("customer was deleted (shredded)")
	// ErrConflict: the record kept changing under a concurrent update.
	ErrConflict = errors.New("customer was changed by another request; retry")
	// ErrIntegrity: a stored ciphertext did not open (tampered, moved or key missing).
	ErrIntegrity = errors.New("stored customer data failed its integrity check")
)

// Vault is the customer-record service for every shop on this server.
type Vault struct {
	db     *store.DB
	keys   *keyring.Keyring
	tombs  *keyring.Tombstones
	rec    Recorder
	sealer seal.Sealer
	rand   io.Reader
	now    func() time.Time

	shopMu    sync.RWMutex
	shopCache map[string]*shopKeys

	// Refused counts card numbers refused on the way in, since start (a metric).
	Refused atomic.Int64
}

// Options configure a Vault; zero fields take production defaults.
type Options struct {
	Rand io.Reader
	Now  func() time.Time
}

// New returns a Vault over db using the master keys in keys, recording every action
// through rec (and, for writes, in the same transaction as the change).
func New(db *store.DB, keys *keyring.Keyring, tombs *keyring.Tombstones, rec Recorder, opt Options) *Vault {
	v := &Vault{db: db, keys: keys, tombs: tombs, rec: rec, rand: opt.Rand, now: opt.Now, shopCache: map[string]*shopKeys{}}
	if v.rand == nil {
		v.rand = rand.Reader
	}
	if v.now == nil {
		v.now = time.Now
	}
	v.sealer = seal.Sealer{Rand: v.rand}
	return v
}

// dekVersion is the version of the per-customer data key scheme; bound into every field's
// associated data. It changes only if customers' data keys themselves are ever replaced.
const dekVersion = 1

// indexed are the fields with a blind index, and how each is normalised for it.
var indexed = []struct {
	field string
	norm  func(string) string
	get   func(*Input) *string
}{
	{"email", jptext.NormalizeEmail, func(in *Input) *string { return in.Email }},
	{"phone", jptext.NormalizePhone, func(in *Input) *string { return in.Phone }},
	{"name", jptext.NormalizeName, func(in *Input) *string { return in.Name }},
	{"name_kana", jptext.NormalizeKana, func(in *Input) *string { return in.NameKana }},
}

// SearchFields are the query parameters Search accepts.
var SearchFields = []string{"email", "phone", "name", "name_kana"}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewID returns a random, unguessable, URL-safe id: 128 bits in lower-case base32.
func NewID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("reading random id: %w", err)
	}
	return idEncoding.EncodeToString(b[:]), nil
}

// ValidID reports whether s could be an id made by NewID (so junk never reaches a query).
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Create validates in, seals it under a new data key and stores it with its audit event.
func (v *Vault) Create(ctx context.Context, a Actor, in Input) (*Record, error) {
	shop := a.Shop
	if err := v.allow(ctx, a, access.PermCustomersWrite, audit.ActionCreate, nil); err != nil {
		return nil, err
	}
	if err := v.admit(ctx, a, &in); err != nil {
		return nil, err
	}
	sk, err := v.shop(ctx, shop)
	if err != nil {
		return nil, err
	}
	id, err := NewID(v.rand)
	if err != nil {
		return nil, err
	}
	dek, err := seal.NewRandomKey(v.rand)
	if err != nil {
		return nil, err
	}
	kv, wrapped, err := v.keys.Wrap(dek, func(ver uint32) []byte { return seal.DEKAD(shop, id, ver) })
	if err != nil {
		return nil, err
	}
	now := v.now().UTC().Truncate(time.Microsecond)
	rec := &Record{ID: id, Input: in, CreatedAt: now, UpdatedAt: now}
	row := store.Customer{Shop: shop, ID: id, Revision: 1, Created: now, Updated: now, KeyVersion: kv, DEKVersion: dekVersion, WrappedDEK: wrapped}
	if err := v.sealAll(&row, dek, rec); err != nil {
		return nil, err
	}
	ev := a.event(audit.ActionCreate, audit.OK, []string{id}, presentFields(rec))
	if err := v.db.InsertCustomer(ctx, row, sk.indexRows(&rec.Input), ev); err != nil {
		return nil, fmt.Errorf("storing customer: %w", err)
	}
	return v.view(a, rec), nil
}

// admit is the gate every input passes: card numbers first, then shapes.
func (v *Vault) admit(ctx context.Context, a Actor, in *Input) error {
	if err := v.refuseCards(ctx, a, in.checkCards()); err != nil {
		return err
	}
	return in.validate()
}

// refuseCards counts and records a card-number refusal (field name only). The refusal
// stands even if the audit write fails; that failure is reported instead.
func (v *Vault) refuseCards(ctx context.Context, a Actor, err error) error {
	var cr *CardRefusedError
	if !errors.As(err, &cr) {
		return err
	}
	v.Refused.Add(1)
	if aerr := v.record(ctx, a.event(audit.ActionCardRefused, audit.Refused, nil, []string{cr.Field})); aerr != nil {
		return aerr
	}
	return err
}

// Get opens a customer, shown as the actor may see it, after recording the read: if the
// event cannot be written nothing is returned.
func (v *Vault) Get(ctx context.Context, a Actor, id string) (*Record, error) {
	if err := v.allow(ctx, a, access.PermCustomersRead, audit.ActionRead, nil); err != nil {
		return nil, err
	}
	rec, _, _, err := v.load(ctx, a.Shop, id)
	if err != nil {
		return nil, v.failedRead(ctx, a, audit.ActionRead, id, err)
	}
	shown := v.view(a, rec)
	if err := v.record(ctx, a.event(audit.ActionRead, audit.OK, []string{id}, presentFields(shown))); err != nil {
		return nil, err
	}
	return shown, nil
}

func (v *Vault) load(ctx context.Context, shop, id string) (*Record, store.Customer, []byte, error) {
	if !ValidID(id) {
		return nil, store.Customer{}, nil, ErrNotFound
	}
	row, err := v.db.Customer(ctx, shop, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, row, nil, ErrNotFound
	}
	if err != nil {
		return nil, row, nil, fmt.Errorf("reading customer: %w", err)
	}
	if row.Shredded {
		return nil, row, nil, ErrShredded
	}
	dek, err := v.keys.Unwrap(row.KeyVersion, row.WrappedDEK, seal.DEKAD(shop, id, row.KeyVersion))
	if err != nil {
		return nil, row, nil, fmt.Errorf("%w: data key: %v", ErrIntegrity, err)
	}
	rec, err := v.openAll(&row, dek)
	if err != nil {
		return nil, row, nil, err
	}
	return rec, row, dek, nil
}

// Update applies a patch with optimistic concurrency, retrying when another update won.
func (v *Vault) Update(ctx context.Context, a Actor, id string, p Patch) (*Record, error) {
	if err := v.allow(ctx, a, access.PermCustomersWrite, audit.ActionUpdate, []string{id}); err != nil {
		return nil, err
	}
	if err := v.admit(ctx, a, &p.Set); err != nil {
		return nil, err
	}
	if p.empty() {
		return v.Get(ctx, a, id) // nothing to change: no write, updated_at stays
	}
	return v.modify(ctx, a, id, p.fields(), func(rec *Record) { p.applyTo(&rec.Input) })
}

// SetCard stores a card reference (never a card number) on a customer.
func (v *Vault) SetCard(ctx context.Context, a Actor, id string, c CardRef) (*Record, error) {
	if err := v.allow(ctx, a, access.PermCustomersWrite, audit.ActionUpdate, []string{id}); err != nil {
		return nil, err
	}
	if err := v.refuseCards(ctx, a, c.checkCards()); err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return v.modify(ctx, a, id, []string{"card"}, func(rec *Record) { rec.Card = &c })
}

// maxAttempts bounds the optimistic-concurrency retries of one update; only many writers on
// the same customer at the same instant exhaust it, and then the client gets 409 to retry.
const maxAttempts = 20

func (v *Vault) modify(ctx context.Context, a Actor, id string, fields []string, change func(*Record)) (*Record, error) {
	shop := a.Shop
	sk, err := v.shop(ctx, shop)
	if err != nil {
		return nil, err
	}
	for attempt := range maxAttempts {
		if attempt > 0 {
			// Someone else updated the record first: back off a little, re-read, re-apply.
			time.Sleep(time.Duration(attempt) * time.Millisecond)
		}
		rec, row, dek, err := v.load(ctx, shop, id)
		if err != nil {
			return nil, v.failedRead(ctx, a, audit.ActionUpdate, id, err)
		}
		change(rec)
		rec.UpdatedAt = v.now().UTC().Truncate(time.Microsecond)
		row.Revision++
		row.Updated = rec.UpdatedAt
		if err := v.sealAll(&row, dek, rec); err != nil {
			return nil, err
		}
		ev := a.event(audit.ActionUpdate, audit.OK, []string{id}, fields)
		err = v.db.UpdateCustomer(ctx, row, sk.indexRows(&rec.Input), ev)
		if errors.Is(err, store.ErrConflict) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("updating customer: %w", err)
		}
		return v.view(a, rec), nil
	}
	return nil, ErrConflict
}

// fields names what the patch sets or clears, for the audit trail.
func (p *Patch) fields() []string {
	var out []string
	set := presentFields(&Record{Input: p.Set})
	out = append(out, set...)
	for k := range p.Clear {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (p *Patch) empty() bool {
	s := p.Set
	return len(p.Clear) == 0 && s.Name == nil && s.NameKana == nil && s.Email == nil && s.Phone == nil &&
		s.PostalCode == nil && s.Address == nil && s.BirthDate == nil && s.Gender == nil && s.Attributes == nil
}

func (p *Patch) applyTo(in *Input) {
	s := p.Set
	for _, f := range []struct {
		key      string
		dst, src **string
	}{{"name", &in.Name, &s.Name}, {"name_kana", &in.NameKana, &s.NameKana}, {"email", &in.Email, &s.Email},
		{"phone", &in.Phone, &s.Phone}, {"postal_code", &in.PostalCode, &s.PostalCode},
		{"birth_date", &in.BirthDate, &s.BirthDate}, {"gender", &in.Gender, &s.Gender}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
		if p.Clear[f.key] {
			*f.dst = nil
		}
	}
	if s.Address != nil {
		in.Address = s.Address
	}
	if p.Clear["address"] {
		in.Address = nil
	}
	if s.Attributes != nil {
		in.Attributes = s.Attributes
	}
	if p.Clear["attributes"] {
		in.Attributes = nil
	}
}

// Delete crypto-shreds a customer: the tombstone is written (and fsynced) outside the
// database first, then the wrapped data key, sealed fields and index rows are destroyed.
func (v *Vault) Delete(ctx context.Context, a Actor, id string) error {
	shop := a.Shop
	if err := v.allow(ctx, a, access.PermCustomersDelete, audit.ActionDelete, []string{id}); err != nil {
		return err
	}
	if !ValidID(id) {
		return v.failedRead(ctx, a, audit.ActionDelete, id, ErrNotFound)
	}
	row, err := v.db.Customer(ctx, shop, id)
	if errors.Is(err, store.ErrNotFound) {
		return v.failedRead(ctx, a, audit.ActionDelete, id, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("reading customer: %w", err)
	}
	if row.Shredded {
		return v.failedRead(ctx, a, audit.ActionDelete, id, ErrShredded)
	}
	if err := v.tombs.Add(shop, id); err != nil {
		return err
	}
	if err := v.db.ShredCustomer(ctx, shop, id, a.event(audit.ActionDelete, audit.OK, []string{id}, nil)); err != nil {
		return fmt.Errorf("shredding customer: %w", err)
	}
	return nil
}

// Reshred shreds again every tombstoned customer that is live in the database (a backup
// restored over it brought them back). It returns how many it shredded.
func (v *Vault) Reshred(ctx context.Context) (int, error) {
	n := 0
	err := v.tombs.Each(func(shop, id string) error {
		row, err := v.db.Customer(ctx, shop, id)
		if errors.Is(err, store.ErrNotFound) || (err == nil && row.Shredded) {
			return nil
		}
		if err != nil {
			return err
		}
		ev := audit.Event{Actor: "system", Action: audit.ActionDelete, Shop: shop, Customers: []string{id},
			Reason: "tombstoned customer found in the database (a restored backup); shredded again at start", Outcome: audit.OK}
		if err := v.db.ShredCustomer(ctx, shop, id, ev); err != nil {
			return err
		}
		n++
		return nil
	})
	return n, err
}

// MaxSearchResults bounds one search answer; exact-match search rarely matches more, and a
// bounded answer keeps bulk reading visible.
const MaxSearchResults = 100

// Search finds a shop's customers whose field equals value after normalisation. The
// search is recorded with the blind index of the value (never the value) and the ids found.
func (v *Vault) Search(ctx context.Context, a Actor, field, value string) ([]*Record, error) {
	shop := a.Shop
	if err := v.allow(ctx, a, access.PermCustomersRead, audit.ActionSearch, nil); err != nil {
		return nil, err
	}
	var norm func(string) string
	for _, ix := range indexed {
		if ix.field == field {
			norm = ix.norm
		}
	}
	if norm == nil {
		return nil, &InputError{Code: "invalid_query", Field: safeKey(field), Message: "search by one of: " + strings.Join(SearchFields, ", ")}
	}
	// A search value is a value that enters too: a card number typed into the search box
	// is refused (and counted) like one typed into a record.
	if detect.ContainsCard(value) {
		return nil, v.refuseCards(ctx, a, &CardRefusedError{Field: field})
	}
	n := norm(value)
	if n == "" {
		return nil, &InputError{Code: "invalid_query", Field: field, Message: "search value for " + field + " is empty after normalisation"}
	}
	sk, err := v.shop(ctx, shop)
	if err != nil {
		return nil, err
	}
	hmac := sk.index(field, n)
	ids, err := v.db.FindByIndex(ctx, shop, field, hmac, MaxSearchResults)
	if err != nil {
		return nil, fmt.Errorf("searching: %w", err)
	}
	out := make([]*Record, 0, len(ids))
	found := make([]string, 0, len(ids))
	for _, id := range ids {
		rec, _, _, err := v.load(ctx, shop, id)
		if errors.Is(err, ErrShredded) || errors.Is(err, ErrNotFound) {
			continue // deleted between the index read and now
		}
		if err != nil {
			return nil, err
		}
		out = append(out, v.view(a, rec))
		found = append(found, id)
	}
	ev := a.event(audit.ActionSearch, audit.OK, found, []string{field})
	ev.Query = hmac
	if err := v.record(ctx, ev); err != nil {
		return nil, err
	}
	return out, nil
}

// presentFields names the top-level fields rec holds, for the audit trail.
func presentFields(rec *Record) []string {
	in := &rec.Input
	var out []string
	for _, f := range []struct {
		name string
		ok   bool
	}{{"name", in.Name != nil}, {"name_kana", in.NameKana != nil}, {"email", in.Email != nil}, {"phone", in.Phone != nil},
		{"postal_code", in.PostalCode != nil}, {"address", in.Address != nil}, {"birth_date", in.BirthDate != nil || rec.AgeBand != ""},
		{"gender", in.Gender != nil}, {"attributes", in.Attributes != nil}, {"card", rec.Card != nil}} {
		if f.ok {
			out = append(out, f.name)
		}
	}
	return out
}

// The sealed fields, in store.Fields order.
const (
	fName = iota
	fNameKana
	fEmail
	fPhone
	fPostal
	fAddress
	fBirth
	fGender
	fAttributes
	fCard
)

func (v *Vault) sealAll(row *store.Customer, dek []byte, rec *Record) error {
	k, err := seal.NewKey(dek)
	if err != nil {
		return err
	}
	put := func(i int, plain []byte, present bool) error {
		if !present {
			row.Sealed[i] = nil
			return nil
		}
		ct, err := v.sealer.Seal(k, plain, seal.FieldAD(row.Shop, row.ID, store.Fields[i], row.DEKVersion))
		if err != nil {
			return err
		}
		row.Sealed[i] = ct
		return nil
	}
	str := func(i int, s *string) error {
		if s == nil {
			return put(i, nil, false)
		}
		return put(i, []byte(*s), true)
	}
	obj := func(i int, present bool, x any) error {
		if !present {
			return put(i, nil, false)
		}
		b, err := json.Marshal(x)
		if err != nil {
			return err
		}
		return put(i, b, true)
	}
	in := &rec.Input
	return errors.Join(
		str(fName, in.Name), str(fNameKana, in.NameKana), str(fEmail, in.Email), str(fPhone, in.Phone),
		str(fPostal, in.PostalCode), obj(fAddress, in.Address != nil, in.Address), str(fBirth, in.BirthDate),
		str(fGender, in.Gender), obj(fAttributes, in.Attributes != nil, in.Attributes), obj(fCard, rec.Card != nil, rec.Card))
}

func (v *Vault) openAll(row *store.Customer, dek []byte) (*Record, error) {
	k, err := seal.NewKey(dek)
	if err != nil {
		return nil, err
	}
	rec := &Record{ID: row.ID, CreatedAt: row.Created, UpdatedAt: row.Updated}
	var bad []string
	open := func(i int) []byte {
		ct := row.Sealed[i]
		if ct == nil {
			return nil
		}
		pt, err := seal.Open(k, ct, seal.FieldAD(row.Shop, row.ID, store.Fields[i], row.DEKVersion))
		if err != nil {
			bad = append(bad, store.Fields[i])
			return nil
		}
		return pt
	}
	str := func(i int) *string {
		if b := open(i); b != nil {
			s := string(b)
			return &s
		}
		return nil
	}
	obj := func(i int, dst any) bool {
		b := open(i)
		if b == nil {
			return false
		}
		if err := json.Unmarshal(b, dst); err != nil {
			bad = append(bad, store.Fields[i])
			return false
		}
		return true
	}
	in := &rec.Input
	in.Name, in.NameKana, in.Email, in.Phone = str(fName), str(fNameKana), str(fEmail), str(fPhone)
	in.PostalCode, in.BirthDate, in.Gender = str(fPostal), str(fBirth), str(fGender)
	var addr Address
	if obj(fAddress, &addr) {
		in.Address = &addr
	}
	var attrs map[string]string
	if obj(fAttributes, &attrs) {
		in.Attributes = attrs
	}
	var card CardRef
	if obj(fCard, &card) {
		rec.Card = &card
	}
	if len(bad) > 0 {
		// Field names only: which columns failed is safe to log, their bytes are not.
		return nil, fmt.Errorf("%w: fields %s", ErrIntegrity, strings.Join(bad, ","))
	}
	return rec, nil
}
