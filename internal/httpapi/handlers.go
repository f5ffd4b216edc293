package httpapi

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/vault"
)

func (s *Server) healthz(w http.ResponseWriter, r *http.Request, _ caller) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request, _ caller) error {
	err := s.ready(r.Context())
	if err == nil {
		// Ready means able to open data: every shop's key unwraps under the loaded keys.
		err = s.vault.CheckKeys(r.Context())
	}
	if err != nil {
		return &Error{Status: http.StatusServiceUnavailable, Code: "not_ready", Message: "not ready: database or keys unavailable", cause: err}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request, _ caller) error {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprintf(w, "# HELP kinko_card_numbers_refused_total Values refused because they held a card number.\n# TYPE kinko_card_numbers_refused_total counter\nkinko_card_numbers_refused_total %d\n", s.vault.Refused.Load())
	fmt.Fprint(w, "# HELP kinko_http_requests_total Requests answered, by status class.\n# TYPE kinko_http_requests_total counter\n")
	for c := 1; c <= 5; c++ {
		fmt.Fprintf(w, "kinko_http_requests_total{class=\"%dxx\"} %d\n", c, s.requests[c].Load())
	}
	return nil
}

// created is a create's answer, {"id":…}: a struct, which encoding/json writes without
// sorting a map's keys.
type created struct {
	ID string `json:"id"`
}

func (s *Server) createCustomer(w http.ResponseWriter, r *http.Request, c caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	in, err := vault.DecodeInput(body)
	if err != nil {
		return err
	}
	rec, err := s.vault.Create(r.Context(), c.actor, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/customers/"+rec.ID)
	writeJSON(w, http.StatusCreated, created{rec.ID})
	return nil
}

func (s *Server) getCustomer(w http.ResponseWriter, r *http.Request, c caller) error {
	rec, err := s.vault.Get(r.Context(), c.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, rec)
	return nil
}

func (s *Server) patchCustomer(w http.ResponseWriter, r *http.Request, c caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	patch, err := vault.DecodePatch(body)
	if err != nil {
		return err
	}
	rec, err := s.vault.Update(r.Context(), c.actor, r.PathValue("id"), patch)
	if err != nil {
		return err
	}
	writeRecordFor(w, c, rec)
	return nil
}

// writeRecordFor answers a write with the record when the key may read it, and otherwise
// with its id and time only: a write-only key must not become a way to read customers.
func writeRecordFor(w http.ResponseWriter, c caller, rec *vault.Record) {
	if c.can(access.ScopeCustomersRead) {
		writeJSON(w, http.StatusOK, rec)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": rec.ID, "updated_at": rec.UpdatedAt})
}

func (s *Server) deleteCustomer(w http.ResponseWriter, r *http.Request, c caller) error {
	if err := s.vault.Delete(r.Context(), c.actor, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) putCard(w http.ResponseWriter, r *http.Request, c caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	card, err := vault.DecodeCard(body)
	if err != nil {
		return err
	}
	rec, err := s.vault.SetCard(r.Context(), c.actor, r.PathValue("id"), card)
	if err != nil {
		return err
	}
	writeRecordFor(w, c, rec)
	return nil
}

type searchAnswer struct {
	Customers []*vault.Record `json:"customers"`
}

func (s *Server) searchCustomers(w http.ResponseWriter, r *http.Request, c caller) error {
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return errorf(http.StatusBadRequest, "invalid_query", "the query string is malformed")
	}
	return s.search(w, r, c, q)
}

// searchCustomersPost is the same search with the value in a JSON body, which keeps it out
// of URLs and therefore out of proxies' access logs.
func (s *Server) searchCustomersPost(w http.ResponseWriter, r *http.Request, c caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var m map[string]string
	if err := vault.DecodeJSON(body, &m); err != nil {
		var inErr *vault.InputError
		if errors.As(err, &inErr) && inErr.Code != "invalid_utf8" {
			return errorf(http.StatusBadRequest, "invalid_query", "send an object with one string member: email, phone, name or name_kana")
		}
		return err
	}
	q := url.Values{}
	for k, v := range m {
		q.Set(k, v)
	}
	return s.search(w, r, c, q)
}

func (s *Server) search(w http.ResponseWriter, r *http.Request, c caller, q url.Values) error {
	var field, value string
	n := 0
	for _, f := range vault.SearchFields {
		if vs, ok := q[f]; ok {
			n += len(vs)
			field, value = f, vs[0]
		}
	}
	if n != 1 || len(q) != 1 {
		return errorf(http.StatusBadRequest, "invalid_query", "search by exactly one of: email, phone, name, name_kana")
	}
	recs, err := s.vault.Search(r.Context(), c.actor, field, value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, searchAnswer{Customers: recs})
	return nil
}

type checkRequest struct {
	Text string `json:"text"`
}

type checkFinding struct {
	Type  detect.Type `json:"type"`
	Start int         `json:"start"`
	End   int         `json:"end"`
}

// check runs the detector over free text the shop is about to store elsewhere (an inquiry,
// a memo). The text is neither stored nor logged.
func (s *Server) check(w http.ResponseWriter, r *http.Request, _ caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req checkRequest
	if err := vault.DecodeJSON(body, &req); err != nil {
		return err
	}
	findings := s.engine.Scan(nil, []byte(req.Text), detect.Context{})
	out := struct {
		Findings []checkFinding `json:"findings"`
	}{Findings: make([]checkFinding, 0, len(findings))}
	for _, f := range findings {
		out.Findings = append(out.Findings, checkFinding{Type: f.Type, Start: f.Start, End: f.End})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
