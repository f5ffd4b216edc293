package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/vault"
)

type loginRequest struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	OTP      string `json:"otp"`
	Shop     string `json:"shop,omitempty"` // shop name; "default" when absent
}

type sessionAnswer struct {
	Token      string    `json:"token"`
	ExpiresAt  time.Time `json:"expires_at"`
	Restricted bool      `json:"restricted"`
	Role       string    `json:"role"`
}

// login opens a staff session. Every refusal looks the same whether or not the email is a
// member; lockout and throttling have their own codes so a person knows to wait.
func (s *Server) login(w http.ResponseWriter, r *http.Request, _ caller) error {
	if s.staff == nil {
		return errorf(http.StatusNotFound, "no_route", "staff logins are not enabled on this server")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req loginRequest
	if err := vault.DecodeJSON(body, &req); err != nil {
		return err
	}
	shopName := req.Shop
	if shopName == "" {
		shopName = vault.DefaultShop
	}
	shop, err := s.vault.ShopByName(r.Context(), shopName)
	if errors.Is(err, vault.ErrNoShop) {
		return errorf(http.StatusUnauthorized, "invalid_credentials", "wrong email, password or 2FA code")
	}
	if err != nil {
		return err
	}
	sess, err := s.staff.Login(r.Context(), access.LoginRequest{Shop: shop.ID, Email: req.Email, Password: req.Password,
		OTP: req.OTP, IP: clientIP(r), Device: r.UserAgent()})
	switch {
	case err == nil:
	case errors.Is(err, access.ErrLocked):
		return errorf(http.StatusLocked, "account_locked", "too many failed logins: this account is locked for 30 minutes; an owner can unlock it sooner")
	case errors.Is(err, access.ErrThrottled):
		w.Header().Set("Retry-After", "900")
		return errorf(http.StatusTooManyRequests, "too_many_attempts", "too many failed logins from this network; wait and try again")
	case errors.Is(err, access.ErrIPNotAllowed):
		return errorf(http.StatusForbidden, "ip_not_allowed", "logins are not allowed from this network for this shop")
	case errors.Is(err, access.ErrInvalidCredentials):
		return errorf(http.StatusUnauthorized, "invalid_credentials", "wrong email, password or 2FA code")
	default:
		return err
	}
	writeJSON(w, http.StatusCreated, sessionAnswer{Token: sess.Token, ExpiresAt: sess.Expires, Restricted: sess.Restricted, Role: string(sess.Role)})
	return nil
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c caller) error {
	if c.sess == nil {
		return errorf(http.StatusBadRequest, "not_a_session", "log out with a staff session token, not an API key")
	}
	_, secret, _ := cutBearer(r)
	if err := s.staff.Logout(r.Context(), secret); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func cutBearer(r *http.Request) (string, string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 {
		return h[:6], h[7:], true
	}
	return "", "", false
}

// beginTOTP starts 2FA enrolment for a session that has none: the secret as text and as an
// otpauth:// URI (for an authenticator app). Confirm with the first code.
func (s *Server) beginTOTP(w http.ResponseWriter, r *http.Request, c caller) error {
	if c.sess == nil {
		return errorf(http.StatusBadRequest, "not_a_session", "2FA enrolment needs a staff session")
	}
	en, err := s.staff.BeginEnrolment(r.Context(), *c.sess)
	if errors.Is(err, access.ErrAlreadyEnroled) {
		return errorf(http.StatusConflict, "already_enrolled", "2FA is already enrolled; an owner can reset it")
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"secret": en.Base32, "otpauth_uri": en.URI})
	return nil
}

func (s *Server) confirmTOTP(w http.ResponseWriter, r *http.Request, c caller) error {
	if c.sess == nil {
		return errorf(http.StatusBadRequest, "not_a_session", "2FA enrolment needs a staff session")
	}
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req struct {
		Code string `json:"code"`
	}
	if err := vault.DecodeJSON(body, &req); err != nil {
		return err
	}
	codes, err := s.staff.ConfirmEnrolment(r.Context(), *c.sess, req.Code, clientIP(r))
	switch {
	case errors.Is(err, access.ErrTOTPInvalid):
		return errorf(http.StatusUnauthorized, "invalid_code", "that 2FA code is not valid; check the time on your phone and try the next code")
	case errors.Is(err, access.ErrLocked):
		return errorf(http.StatusLocked, "account_locked", "too many failed attempts: this account is locked for 30 minutes")
	case errors.Is(err, access.ErrAlreadyEnroled):
		return errorf(http.StatusConflict, "already_enrolled", "2FA is already enrolled")
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"recovery_codes": codes})
	return nil
}

type revealRequest struct {
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
}

// reveal shows clear values of a customer's fields to a staff member whose role allows it,
// with a reason that goes into the audit trail.
func (s *Server) reveal(w http.ResponseWriter, r *http.Request, c caller) error {
	body, err := readBody(r)
	if err != nil {
		return err
	}
	var req revealRequest
	if err := vault.DecodeJSON(body, &req); err != nil {
		return err
	}
	vals, err := s.vault.Reveal(r.Context(), c.actor, r.PathValue("id"), req.Fields, req.Reason)
	if err != nil {
		if errors.Is(err, vault.ErrForbidden) && c.key != nil {
			return errorf(http.StatusForbidden, "forbidden", "reveal is for staff sessions; an API key with customers:read reads records whole")
		}
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "fields": vals})
	return nil
}

// auditScan bounds how many events one request reads to find a shop's: on a server hosting
// many shops a shop's events are filtered from the newest of all.
const auditScan = 10000

// auditList answers "who saw this customer" and "what did this person see".
func (s *Server) auditList(w http.ResponseWriter, r *http.Request, c caller) error {
	q := r.URL.Query()
	f := audit.Filter{Customer: q.Get("customer"), Actor: q.Get("actor"), Action: q.Get("action")}
	for _, t := range []struct {
		name string
		dst  *time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			tm, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return errorf(http.StatusBadRequest, "invalid_query", t.name+" must be a time such as 2026-11-25T09:00:00+09:00")
			}
			*t.dst = tm
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 10000 {
			return errorf(http.StatusBadRequest, "invalid_query", "limit must be 1 to 10000")
		}
		f.Limit = n
	}
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	f.Limit = auditScan
	var events []audit.Event
	var err error
	switch q.Get("notices") {
	case "":
		events, err = s.trail.Query(r.Context(), f)
	case "owner":
		// What the owner should see (issue 5): new IP or device, 2FA reset, role change,
		// and the attacks (lockouts, throttling, allow-list refusals).
		events, err = s.trail.QueryActions(r.Context(), f, access.OwnerNoticeKinds())
	default:
		return errorf(http.StatusBadRequest, "invalid_query", "notices must be owner")
	}
	if err != nil {
		return err
	}
	out := struct {
		Events []audit.JSONEvent `json:"events"`
	}{Events: []audit.JSONEvent{}}
	for i := range events {
		e := &events[i]
		if e.Shop != c.actor.Shop {
			continue // another shop's, or the server's own: never shown to a shop
		}
		j := audit.ToJSON(e)
		j.Shop = "" // the caller's own shop
		out.Events = append(out.Events, j)
		if len(out.Events) == limit {
			break
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
