package console

import (
	"net/http"
	"strings"

	"github.com/kinko-jp/kinko/internal/jptext"
)

// Deleting a customer destroys its data key (crypto-shredding): the record, and every copy
// of it in backups, can never be opened again. The page says so and asks the member to type
// the first 8 characters of the customer's id, so that a misplaced click deletes nothing.

type deleteData struct {
	ID    string
	Short string
	Name  string // the name as the role sees it (masked for owners and admins)
	Error string // message key
}

func (s *Server) customerDeletePage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	vals := leafValues(rec)
	s.render(w, r, rc, http.StatusOK, "customer_delete", map[string]any{"D": &deleteData{ID: rec.ID, Short: shortID(rec.ID), Name: vals["name"]}})
	return nil
}

// customerDeleteSubmit shreds the customer when the typed confirmation matches its id (the
// first 8 characters, or the whole id), and goes back to the search page with a notice.
func (s *Server) customerDeleteSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	// As people type it: any case, full or half width, with or without the ellipsis shown
	// after it (which width folding turns into "...").
	typed := strings.TrimRight(strings.ToLower(strings.TrimSpace(jptext.Fold(r.PostFormValue("confirm")))), ".…")
	if typed != shortID(rec.ID) && typed != rec.ID {
		vals := leafValues(rec)
		s.render(w, r, rc, http.StatusUnprocessableEntity, "customer_delete", map[string]any{"D": &deleteData{ID: rec.ID, Short: shortID(rec.ID),
			Name: vals["name"], Error: "cust.delete.mismatch"}})
		return nil
	}
	if err := s.cfg.Vault.Delete(r.Context(), rc.actor, rec.ID); err != nil {
		return err
	}
	return redirect(w, r, Prefix+"customers?m=deleted")
}
