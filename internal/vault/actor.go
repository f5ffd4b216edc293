package vault

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/detect"
)

// Actor is who acts on customer data: an API key of a shop's backend or a staff member.
// Every vault call names one; it decides what is allowed and shown, and it is what the
// audit trail records.
type Actor struct {
	Shop      string
	ID        string      // "key:<api key id>" or "staff:<staff id>" (audit actor)
	Role      access.Role // staff role; "" for an API key (its scopes were checked by the caller)
	IP        string
	RequestID string
}

// IsStaff reports whether the actor is a staff member (masked views, reveal with a reason).
func (a Actor) IsStaff() bool { return a.Role != "" }

// Recorder appends audit events of actions that change no data (reads, searches, reveals,
// refusals): committed before the answer goes out, fsynced shortly after (audit.Trail's
// AppendRead). Events of changes are written in the change's own transaction instead.
type Recorder interface {
	AppendRead(ctx context.Context, events ...audit.Event) error
}

var (
	// ErrAuditUnavailable: the audit event could not be written, so the action did not
	// happen and nothing is returned (fail closed).
	ErrAuditUnavailable = errors.New("the audit trail cannot be written; nothing was done")
	// ErrForbidden: the actor's role does not allow this.
	ErrForbidden = errors.New("your role does not allow this")
)

// reasonDetector checks reasons, which go into the audit trail, for personal data.
var reasonDetector = detect.New(nil)

// MinReasonLength is the shortest reason accepted for revealing a field: long enough that
// "x" or "check" will not do, short enough for 「問い合わせ対応のため」.
const MinReasonLength = 10

func (a Actor) event(action, outcome string, customers, fields []string) audit.Event {
	return audit.Event{Actor: a.ID, ActorIP: a.IP, Action: action, Shop: a.Shop, Customers: customers,
		Fields: fields, Outcome: outcome, RequestID: a.RequestID}
}

// record appends events; failure means the action must not happen.
func (v *Vault) record(ctx context.Context, events ...audit.Event) error {
	if err := v.rec.AppendRead(ctx, events...); err != nil {
		return fmt.Errorf("%w: %v", ErrAuditUnavailable, err)
	}
	return nil
}

// allow checks a staff role's permission, recording a refusal. API keys were checked by
// scope before the call.
func (v *Vault) allow(ctx context.Context, a Actor, p access.Permission, action string, customers []string) error {
	if !a.IsStaff() || a.Role.Can(p) {
		return nil
	}
	if err := v.record(ctx, a.event(action, audit.Denied, customers, nil)); err != nil {
		return err
	}
	return ErrForbidden
}

// view is what actor a may see of rec: API keys see it whole (their scope allowed the
// read); staff see it through their role's policy, masked in the domain so that the API,
// the console and exports all show the same.
func (v *Vault) view(a Actor, rec *Record) *Record {
	if !a.IsStaff() {
		return rec
	}
	shown := access.PolicyFor(a.Role).View(flatten(rec), v.now())
	out := &Record{ID: rec.ID, CreatedAt: rec.CreatedAt, UpdatedAt: rec.UpdatedAt, Masked: true}
	unflatten(shown, out)
	return out
}

// flatten names every value of rec by its leaf field (as access.Fields does).
func flatten(rec *Record) map[string]string {
	m := map[string]string{}
	put := func(k string, s *string) {
		if s != nil {
			m[k] = *s
		}
	}
	in := &rec.Input
	put(access.FieldName, in.Name)
	put(access.FieldNameKana, in.NameKana)
	put(access.FieldEmail, in.Email)
	put(access.FieldPhone, in.Phone)
	put(access.FieldPostalCode, in.PostalCode)
	put(access.FieldBirthDate, in.BirthDate)
	put(access.FieldGender, in.Gender)
	if ad := in.Address; ad != nil {
		m[access.FieldPrefecture], m[access.FieldCity], m[access.FieldLine1], m[access.FieldLine2] = ad.Prefecture, ad.City, ad.Line1, ad.Line2
	}
	for k, val := range in.Attributes {
		m[access.FieldAttributes+"."+k] = val
	}
	if c := rec.Card; c != nil {
		m[access.FieldCardProvider], m[access.FieldCardToken], m[access.FieldCardBrand], m[access.FieldCardLast4] = c.Provider, c.Token, c.Brand, c.Last4
		m[access.FieldCardExpMonth], m[access.FieldCardExpYear] = fmt.Sprint(c.ExpMonth), fmt.Sprint(c.ExpYear)
	}
	return m
}

// unflatten puts shown values back into a record; a masked birth date (an age band such as
// 30代) goes to AgeBand, never into birth_date.
func unflatten(m map[string]string, out *Record) {
	get := func(k string) *string {
		if s, ok := m[k]; ok {
			return &s
		}
		return nil
	}
	in := &out.Input
	in.Name, in.NameKana, in.Email, in.Phone = get(access.FieldName), get(access.FieldNameKana), get(access.FieldEmail), get(access.FieldPhone)
	in.PostalCode, in.Gender = get(access.FieldPostalCode), get(access.FieldGender)
	if b, ok := m[access.FieldBirthDate]; ok {
		out.AgeBand = b
	}
	if p, c, l1, l2 := m[access.FieldPrefecture], m[access.FieldCity], m[access.FieldLine1], m[access.FieldLine2]; p+c+l1+l2 != "" {
		in.Address = &Address{Prefecture: p, City: c, Line1: l1, Line2: l2}
	}
	for k, val := range m {
		if key, ok := strings.CutPrefix(k, access.FieldAttributes+"."); ok {
			if in.Attributes == nil {
				in.Attributes = map[string]string{}
			}
			in.Attributes[key] = val
		}
	}
	if last4, ok := m[access.FieldCardLast4]; ok {
		out.Card = &CardRef{Provider: m[access.FieldCardProvider], Token: m[access.FieldCardToken], Brand: m[access.FieldCardBrand], Last4: last4}
		fmt.Sscan(m[access.FieldCardExpMonth], &out.Card.ExpMonth)
		fmt.Sscan(m[access.FieldCardExpYear], &out.Card.ExpYear)
	}
}

// Reveal returns the clear values of fields (top-level names such as "email" or "address",
// or leaves such as "address.line1") of one customer to a staff member whose role allows
// it, with a reason that goes into the audit trail with the field names.
func (v *Vault) Reveal(ctx context.Context, a Actor, id string, fields []string, reason string) (map[string]string, error) {
	if !a.IsStaff() {
		// An API key with customers:read already reads records whole.
		return nil, ErrForbidden
	}
	if len(fields) == 0 || len(fields) > 20 {
		return nil, &InputError{Code: "invalid_field", Field: "fields", Message: "name 1 to 20 fields to reveal"}
	}
	reason = strings.TrimSpace(reason)
	reasonErr := checkReason(reason)
	// Permission first: a refused attempt is recorded whatever its reason looks like (an
	// unsafe reason is recorded as absent, never stored).
	for _, f := range fields {
		if !a.Role.Can(access.PermReveal) || !access.CanReveal(a.Role, f) {
			kept := reason
			if reasonErr != nil {
				kept = ""
			}
			if err := v.record(ctx, audit.Event{Actor: a.ID, ActorIP: a.IP, Action: audit.ActionReveal, Shop: a.Shop,
				Customers: []string{id}, Fields: safeFields(fields), Reason: kept, Outcome: audit.Denied, RequestID: a.RequestID}); err != nil {
				return nil, err
			}
			return nil, ErrForbidden
		}
	}
	if reasonErr != nil {
		return nil, reasonErr
	}
	rec, _, _, err := v.load(ctx, a.Shop, id)
	if err != nil {
		return nil, v.failedRead(ctx, a, audit.ActionReveal, id, err)
	}
	all := flatten(rec)
	out := map[string]string{}
	for _, f := range fields {
		for k, val := range all {
			if k == f || strings.HasPrefix(k, f+".") {
				out[k] = val
			}
		}
	}
	ev := a.event(audit.ActionReveal, audit.OK, []string{id}, safeFields(fields))
	ev.Reason = reason
	if err := v.record(ctx, ev); err != nil {
		return nil, err
	}
	return out, nil
}

// checkReason refuses a reveal reason that is too short or long, spans lines, or holds
// personal data (it is stored in the audit trail, which must never hold any).
func checkReason(reason string) error {
	if n := utf8.RuneCountInString(reason); n < MinReasonLength || n > 500 || hasControl(reason, false) {
		return &InputError{Code: "reason_required", Field: "reason", Message: fmt.Sprintf("say why you need to see this (%d to 500 characters, one line)", MinReasonLength)}
	}
	if len(reasonDetector.Scan(nil, []byte(reason), detect.Context{})) > 0 {
		return &InputError{Code: "reason_required", Field: "reason", Message: "write the reason without personal data (no names, emails, phone or card numbers)"}
	}
	return nil
}

// safeFields keeps field names that are plain identifiers (what the audit may hold).
func safeFields(fields []string) []string {
	out := make([]string, 0, len(fields))
	for _, f := range fields {
		out = append(out, safeKey(f))
	}
	return out
}

// failedRead records a read that found nothing to show and returns err (or the audit
// failure, which wins: the answer must not go out unrecorded).
func (v *Vault) failedRead(ctx context.Context, a Actor, action, id string, err error) error {
	outcome := audit.Error
	switch {
	case errors.Is(err, ErrNotFound):
		outcome = "not_found"
	case errors.Is(err, ErrShredded):
		outcome = "shredded"
	}
	var customers []string
	if ValidID(id) {
		customers = []string{id}
	}
	if aerr := v.record(ctx, a.event(action, outcome, customers, nil)); aerr != nil {
		return aerr
	}
	return err
}
