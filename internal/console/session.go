package console

import (
	"errors"
	"net"
	"net/http"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// Cookie names. Over TLS the __Host- prefix makes the browser refuse the cookie unless it
// is Secure, host-only and for path /: no subdomain or plain-HTTP page can plant or read it.
const (
	cookieTLS   = "__Host-kinko_session"
	cookiePlain = "kinko_session"
)

func cookieName(r *http.Request) string {
	if r.TLS != nil {
		return cookieTLS
	}
	return cookiePlain
}

// setSessionCookie hands the browser the session's bearer secret. No Max-Age: the cookie
// ends with the browser, the session itself ends on the server (15 min idle, 12 h).
func setSessionCookie(w http.ResponseWriter, r *http.Request, token string) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: token, Path: "/", HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

func clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
}

// loadSession reads the session cookie into rc. A missing, expired or revoked session
// leaves rc.sess nil (the cookie is cleared); only an unexpected failure is an error.
func (s *Server) loadSession(r *http.Request, rc *reqCtx) error {
	if rc.sess != nil {
		return nil
	}
	c, err := r.Cookie(cookieName(r))
	if err != nil || c.Value == "" {
		return nil
	}
	sess, err := s.cfg.Staff.Authenticate(r.Context(), c.Value)
	if errors.Is(err, access.ErrSessionInvalid) {
		return nil
	}
	if err != nil {
		return err
	}
	me, err := s.cfg.Staff.ByID(r.Context(), sess.StaffID)
	if err != nil {
		return err
	}
	form, err := s.cfg.Staff.FormToken(c.Value)
	if err != nil {
		return err
	}
	rc.sess, rc.token, rc.me, rc.form = &sess, c.Value, me, form
	rc.actor = vault.Actor{Shop: sess.Shop, ID: "staff:" + sess.StaffID, Role: sess.Role, IP: clientIP(r), RequestID: rc.id}
	// The header names the shop by the display name its owner chose, else by its name.
	if set, err := s.cfg.Staff.ShopSettings(r.Context(), sess.Shop); err == nil && set.DisplayName != "" {
		rc.shop = set.DisplayName
	} else if sh, err := s.cfg.Vault.ShopByID(r.Context(), sess.Shop); err == nil {
		rc.shop = sh.Name
	}
	return nil
}

// clientIP is the peer address without its port; X-Forwarded-For is not trusted (as the API).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
