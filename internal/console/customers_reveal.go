package console

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// maxReason is the vault's upper bound on a reason's length (characters).
const maxReason = 500

// customerReveal reveals one field of a customer with a reason (vault.Reveal records it,
// with the reason, in the audit trail) and shows the detail page with the clear value for
// revealSeconds. A role that may not reveal the field gets 403, and the vault records the
// attempt as denied; a reason the vault refuses re-shows the form without repeating it.
func (s *Server) customerReveal(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id, field, reason := r.PathValue("id"), r.PostFormValue("field"), r.PostFormValue("reason")
	if !isCustomerField(field) {
		return &pageError{status: http.StatusBadRequest, msg: "err.input"}
	}
	may := rc.sess.Role.Can(access.PermReveal) && access.CanReveal(rc.sess.Role, field)
	vals, err := s.cfg.Vault.Reveal(r.Context(), rc.actor, id, []string{field}, reason)
	var inErr *vault.InputError
	switch {
	case err == nil:
	case !may && (errors.Is(err, vault.ErrForbidden) || errors.As(err, &inErr)):
		// No button was offered: a form error would only coach a forged request.
		return forbidden
	case errors.As(err, &inErr) && inErr.Field == "reason":
		rec, gerr := s.cfg.Vault.Get(r.Context(), rc.actor, id)
		if gerr != nil {
			return gerr
		}
		d := s.customerView(rc, rec, "", nil)
		for i := range d.Rows {
			if d.Rows[i].Key == field {
				d.Rows[i].Open, d.Rows[i].Error = true, reasonProblem(reason)
			}
		}
		s.render(w, r, rc, http.StatusUnprocessableEntity, "customer", map[string]any{"C": d})
		return nil
	default:
		return err
	}
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, id)
	if err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "customer", map[string]any{"C": s.customerView(rc, rec, field, vals), "Flash": "cust.reveal.recorded"})
	return nil
}

// reasonProblem names what was wrong with a reason the vault refused: its length, or
// personal data in it (the reason goes into the audit trail, which must never hold any).
func reasonProblem(reason string) string {
	switch n := utf8.RuneCountInString(strings.TrimSpace(reason)); {
	case n < vault.MinReasonLength:
		return "cust.reveal.short"
	case n > maxReason:
		return "cust.reveal.long"
	}
	return "cust.reveal.personal"
}
