package console

import (
	"errors"
	"maps"
	"net/http"
	"sort"
	"strings"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// The edit form never shows a value the member's role does not see in clear: such inputs
// start empty ("only to change it"), with the masked value as a hint. An empty input keeps
// the stored value; a checkbox removes it. The vault validates and refuses card numbers,
// exactly as for the API.

// editInput is one input of the edit form.
type editInput struct {
	Lang      string
	Name      string // form name
	Label     string // message key
	Type      string // input type
	Value     string // prefilled (a value the role sees in clear) or what was typed
	prefill   string
	Current   string // the masked value the role sees, shown as a hint
	Hidden    bool   // the role does not see the current value at all
	Prefilled bool
	Invalid   bool
	Hint      string // message key: the expected format
	Max       int
	Mode      string // inputmode
	Clear     bool   // offers "remove this value"
	Cleared   bool
}

type editData struct {
	ID        string
	Fields    []*editInput
	Address   []*editInput
	AddrClear bool
	Attrs     *editInput // nil when the role does not see attributes in clear
	attrMap   map[string]string
	Error     string // message key
	ErrField  string // message key of the field the error is about
	Hint      string
}

// editFields are the single-value inputs, by the leaf field they change.
var editFields = []struct {
	name, leaf, typ, hint, mode string
	max                         int
}{
	{"name", access.FieldName, "text", "", "", 256},
	{"name_kana", access.FieldNameKana, "text", "", "", 256},
	{"email", access.FieldEmail, "email", "cust.hint.email", "email", 256},
	{"phone", access.FieldPhone, "tel", "cust.hint.phone", "tel", 32},
	{"postal_code", access.FieldPostalCode, "text", "cust.hint.postal_code", "numeric", 16},
	{"birth_date", access.FieldBirthDate, "date", "cust.hint.birth_date", "", 0}, // a date input has no maxlength
	{"gender", access.FieldGender, "text", "", "", 32},
}

var addressFields = []struct{ name, leaf string }{
	{"prefecture", access.FieldPrefecture}, {"city", access.FieldCity}, {"line1", access.FieldLine1}, {"line2", access.FieldLine2},
}

// newEditData builds the form for rec as the member's role sees it.
func newEditData(rc *reqCtx, rec *vault.Record) *editData {
	pol := access.PolicyFor(rc.sess.Role)
	vals := leafValues(rec)
	in := func(name, leaf, typ string, max int) *editInput {
		e := &editInput{Lang: rc.lang, Name: name, Label: "cust.field." + leaf, Type: typ, Max: max}
		switch pol.Visible(leaf) {
		case access.Clear:
			e.prefill, e.Value, e.Prefilled = vals[leaf], vals[leaf], vals[leaf] != ""
		case access.Masked:
			e.Current = vals[leaf]
		default:
			e.Hidden = true
		}
		return e
	}
	d := &editData{ID: rec.ID}
	for _, f := range editFields {
		e := in(f.name, f.leaf, f.typ, f.max)
		e.Hint, e.Mode, e.Clear = f.hint, f.mode, true
		d.Fields = append(d.Fields, e)
	}
	for _, f := range addressFields {
		d.Address = append(d.Address, in(f.name, f.leaf, "text", 256))
	}
	if pol.Visible(access.FieldAttributes) == access.Clear {
		d.attrMap = maps.Clone(rec.Attributes)
		text := formatAttrs(rec.Attributes)
		d.Attrs = &editInput{Lang: rc.lang, Name: "attributes", Label: "cust.field.attributes", Value: text, prefill: text,
			Prefilled: text != "", Hint: "cust.hint.attributes", Clear: true}
	}
	return d
}

func formatAttrs(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k + "=" + m[k] + "\n")
	}
	return b.String()
}

// parseAttrs reads "key=value" lines; blank lines are skipped.
func parseAttrs(text string) (map[string]string, bool) {
	m := map[string]string{}
	for line := range strings.Lines(text) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, false
		}
		m[k] = strings.TrimSpace(v)
	}
	return m, true
}

// formError is a mistake found before the vault is asked.
type formError struct{ msg, field string }

// patch reads the posted form into a vault.Patch, keeping what was typed in d so the form
// can be shown again.
func (d *editData) patch(r *http.Request) (vault.Patch, *formError) {
	p := vault.Patch{Clear: map[string]bool{}}
	clear := map[string]bool{}
	for _, c := range r.PostForm["clear"] {
		clear[c] = true
	}
	set := func(name string, v *string) {
		switch name {
		case "name":
			p.Set.Name = v
		case "name_kana":
			p.Set.NameKana = v
		case "email":
			p.Set.Email = v
		case "phone":
			p.Set.Phone = v
		case "postal_code":
			p.Set.PostalCode = v
		case "birth_date":
			p.Set.BirthDate = v
		case "gender":
			p.Set.Gender = v
		}
	}
	for _, e := range d.Fields {
		v := strings.TrimSpace(r.PostFormValue(e.Name))
		changed := v != "" && v != e.prefill
		if changed {
			e.Value = v
			set(e.Name, &v)
		}
		if clear[e.Name] {
			e.Cleared = true
			if changed {
				return p, &formError{"cust.edit.both", e.Label}
			}
			p.Clear[e.Name] = true
		}
	}
	var typed [4]string
	changed := false
	for i, e := range d.Address {
		typed[i] = strings.TrimSpace(r.PostFormValue(e.Name))
		if typed[i] == "" {
			typed[i] = e.prefill // empty keeps, as everywhere on this form
		}
		e.Value = typed[i]
		changed = changed || typed[i] != e.prefill
	}
	if clear["address"] {
		d.AddrClear = true
		if changed {
			return p, &formError{"cust.edit.both", "cust.field.address"}
		}
		p.Clear["address"] = true
	} else if changed {
		// The vault replaces the address as a whole; a part the member cannot see would be
		// lost without a word, so a changed address must be typed in full.
		if typed[0] == "" || typed[1] == "" || typed[2] == "" {
			return p, &formError{"cust.edit.address_all", "cust.field.address"}
		}
		p.Set.Address = &vault.Address{Prefecture: typed[0], City: typed[1], Line1: typed[2], Line2: typed[3]}
	}
	if d.Attrs != nil {
		text := r.PostFormValue("attributes")
		d.Attrs.Value = text
		m, ok := parseAttrs(text)
		if !ok {
			return p, &formError{"cust.edit.attrs", ""}
		}
		changed := len(m) > 0 && !maps.Equal(m, d.attrMap)
		if changed {
			p.Set.Attributes = m
		}
		if clear["attributes"] {
			d.Attrs.Cleared = true
			if changed {
				return p, &formError{"cust.edit.both", "cust.field.attributes"}
			}
			p.Clear["attributes"] = true
		}
	}
	return p, nil
}

func patchEmpty(p vault.Patch) bool {
	s := p.Set
	return len(p.Clear) == 0 && s.Name == nil && s.NameKana == nil && s.Email == nil && s.Phone == nil &&
		s.PostalCode == nil && s.Address == nil && s.BirthDate == nil && s.Gender == nil && s.Attributes == nil
}

// invalidate marks the input of a vault field name (as InputError.Field spells it) and
// drops what was typed into it.
func (d *editData) invalidate(field string) {
	mark := func(e *editInput) {
		e.Invalid, e.Value = true, e.prefill
	}
	for _, e := range d.Fields {
		if e.Name == field {
			mark(e)
		}
	}
	for _, e := range d.Address {
		if "address."+e.Name == field {
			mark(e)
		}
	}
	if d.Attrs != nil && strings.HasPrefix(field, "attributes") {
		mark(d.Attrs)
	}
}

// fieldLabel is the message key naming a vault field ("" for one the form does not know).
func fieldLabel(field string) string {
	if strings.HasPrefix(field, "attributes") {
		return "cust.field.attributes"
	}
	if _, ok := messages["cust.field."+field]; ok {
		return "cust.field." + field
	}
	return ""
}

// fieldHints are the expected formats of fields whose shape the vault checks.
var fieldHints = map[string]string{"email": "cust.hint.email", "phone": "cust.hint.phone", "postal_code": "cust.hint.postal_code",
	"birth_date": "cust.hint.birth_date", "attributes": "cust.hint.attributes"}

func (s *Server) customerEditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "customer_edit", map[string]any{"E": newEditData(rc, rec)})
	return nil
}

// customerEditSubmit saves the changed fields with vault.Update. A card number anywhere is
// refused by the vault (nothing stored, the refusal audited) and the form comes back with
// nothing that was typed; another invalid value is named by its field, its input emptied.
func (s *Server) customerEditSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, id)
	if err != nil {
		return err
	}
	d := newEditData(rc, rec)
	fail := func(d *editData) error {
		s.render(w, r, rc, http.StatusUnprocessableEntity, "customer_edit", map[string]any{"E": d})
		return nil
	}
	p, ferr := d.patch(r)
	if ferr != nil {
		d.Error, d.ErrField = ferr.msg, ferr.field
		return fail(d)
	}
	if patchEmpty(p) {
		return redirect(w, r, Prefix+"customers/"+rec.ID+"?m=nochange")
	}
	_, err = s.cfg.Vault.Update(r.Context(), rc.actor, rec.ID, p)
	var card *vault.CardRefusedError
	var inErr *vault.InputError
	switch {
	case errors.As(err, &card):
		clean := newEditData(rc, rec) // nothing typed comes back
		clean.Error, clean.ErrField = "err.card", fieldLabel(card.Field)
		return fail(clean)
	case errors.As(err, &inErr):
		d.invalidate(inErr.Field)
		d.Error, d.ErrField = "err.input", fieldLabel(inErr.Field)
		top, _, _ := strings.Cut(inErr.Field, ".")
		d.Hint = fieldHints[top]
		return fail(d)
	case err != nil:
		return err
	}
	return redirect(w, r, Prefix+"customers/"+rec.ID+"?m=saved")
}
