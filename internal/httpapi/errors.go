package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// Error is what a client sees: a status, a stable code and a safe message. Internal causes
// stay in the log, joined to the response by the request id.
type Error struct {
	Status  int
	Code    string
	Message string
	Field   string // the request field concerned, when there is one (a known name, never a value)
	cause   error  // logged, never sent
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }
func (e *Error) Unwrap() error { return e.cause }

func errorf(status int, code, msg string) *Error {
	return &Error{Status: status, Code: code, Message: msg}
}

// toAPIError maps a domain error to what the client may see.
func toAPIError(err error) *Error {
	var apiErr *Error
	var inErr *vault.InputError
	var card *vault.CardRefusedError
	switch {
	case errors.As(err, &apiErr):
		return apiErr
	case errors.As(err, &card):
		return &Error{Status: http.StatusUnprocessableEntity, Code: "card_number_refused", Message: card.Error(), Field: card.Field, cause: err}
	case errors.As(err, &inErr):
		return &Error{Status: http.StatusBadRequest, Code: inErr.Code, Message: inErr.Message, Field: inErr.Field, cause: err}
	case errors.Is(err, vault.ErrNotFound):
		return errorf(http.StatusNotFound, "not_found", "no customer with this id")
	case errors.Is(err, vault.ErrShredded):
		return errorf(http.StatusGone, "shredded", "this customer was deleted; its data has been destroyed")
	case errors.Is(err, vault.ErrConflict):
		return &Error{Status: http.StatusConflict, Code: "conflict", Message: "the customer was changed by another request; retry", cause: err}
	case errors.Is(err, access.ErrUnauthenticated):
		return errorf(http.StatusUnauthorized, "unauthorized", "missing or invalid API key (Authorization: Bearer <key>)")
	case errors.Is(err, vault.ErrAuditUnavailable):
		return &Error{Status: http.StatusServiceUnavailable, Code: "audit_unavailable", Message: "the audit trail cannot be written, so nothing was done or shown; try again later", cause: err}
	case errors.Is(err, vault.ErrForbidden):
		return errorf(http.StatusForbidden, "forbidden", "your role does not allow this")
	case errors.Is(err, vault.ErrIntegrity):
		return &Error{Status: http.StatusInternalServerError, Code: "integrity_error", Message: "stored data failed its integrity check; the incident is logged", cause: err}
	}
	return &Error{Status: http.StatusInternalServerError, Code: "internal", Message: "internal error; the request id is in the server log", cause: err}
}

type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field,omitempty"`
		ID      string `json:"id"`
	} `json:"error"`
}

// writeError renders err and logs it with the same id.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	e := toAPIError(err)
	info := requestInfo(r)
	info.errCode = e.Code
	if e.Status >= 500 {
		s.log.LogAttrs(r.Context(), slog.LevelError, "request failed", slog.String("id", info.id), slog.String("code", e.Code), slog.Any("err", e.cause))
	}
	var b errorBody
	b.Error.Code, b.Error.Message, b.Error.Field, b.Error.ID = e.Code, e.Message, e.Field, info.id
	if e.Status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="kinko"`)
	}
	writeJSON(w, e.Status, b)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"encoding failed"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	// Responses may carry personal data: no shared or browser cache may keep them.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}
