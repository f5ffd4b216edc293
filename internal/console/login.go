package console

import (
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// home sends a visitor to the login page, a member still enrolling 2FA to enrolment, and
// everyone else to the dashboard.
func (s *Server) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	switch {
	case rc.sess == nil:
		return redirect(w, r, Prefix+"login")
	case rc.sess.Restricted:
		return redirect(w, r, Prefix+"enrol")
	}
	return redirect(w, r, Prefix+"dashboard")
}

// loginNotices are the one-off notices the login page shows after a redirect (?m=…): keys,
// never text from the URL.
var loginNotices = map[string]string{"expired": "login.expired", "loggedout": "login.loggedout", "setupdone": "login.setupdone"}

type loginData struct {
	Email, Shop string
	Error       string // message key
	Flash       string
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m := r.URL.Query().Get("m")
	if rc.sess != nil && m == "expired" {
		// The idle refresh of an open page lands here: end the session even if the server
		// has not timed it out yet (the page sat unattended for the idle timeout). The
		// cookie is SameSite=Strict, so another site cannot log a member out this way.
		if err := s.cfg.Staff.Logout(r.Context(), rc.token); err != nil && !errors.Is(err, access.ErrSessionInvalid) {
			return err
		}
		clearSessionCookie(w, r)
		rc.sess = nil
	}
	if rc.sess != nil {
		return s.home(w, r, rc)
	}
	s.render(w, r, rc, http.StatusOK, "login", loginData{Flash: loginNotices[m]})
	return nil
}

// loginSubmit checks email, password and code in one step (access.Staff.Login): lockout,
// throttling and the allow-list each get a message that tells the person what to do, and
// a wrong email reads exactly like a wrong password.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return &pageError{status: http.StatusBadRequest, msg: "err.input", cause: err}
	}
	d := loginData{Email: strings.TrimSpace(r.PostFormValue("email")), Shop: strings.TrimSpace(r.PostFormValue("shop"))}
	shopName := d.Shop
	if shopName == "" {
		shopName = vault.DefaultShop
	}
	fail := func(status int, key string) error {
		d.Error = key
		s.render(w, r, rc, status, "login", d)
		return nil
	}
	shop, err := s.cfg.Vault.ShopByName(r.Context(), shopName)
	if errors.Is(err, vault.ErrNoShop) {
		return fail(http.StatusUnauthorized, "login.failed")
	}
	if err != nil {
		return err
	}
	sess, err := s.cfg.Staff.Login(r.Context(), access.LoginRequest{Shop: shop.ID, Email: d.Email,
		Password: r.PostFormValue("password"), OTP: strings.TrimSpace(r.PostFormValue("otp")), IP: clientIP(r), Device: r.UserAgent()})
	switch {
	case err == nil:
	case errors.Is(err, access.ErrLocked):
		return fail(http.StatusLocked, "login.locked")
	case errors.Is(err, access.ErrThrottled):
		w.Header().Set("Retry-After", "900")
		return fail(http.StatusTooManyRequests, "login.throttled")
	case errors.Is(err, access.ErrIPNotAllowed):
		return fail(http.StatusForbidden, "login.ipdenied")
	case errors.Is(err, access.ErrInvalidCredentials):
		return fail(http.StatusUnauthorized, "login.failed")
	default:
		return err
	}
	setSessionCookie(w, r, sess.Token)
	if sess.Restricted {
		return redirect(w, r, Prefix+"enrol")
	}
	return redirect(w, r, Prefix+"dashboard")
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.sess != nil {
		if err := s.cfg.Staff.Logout(r.Context(), rc.token); err != nil && !errors.Is(err, access.ErrSessionInvalid) {
			return err
		}
	}
	clearSessionCookie(w, r)
	return redirect(w, r, Prefix+"login?m=loggedout")
}

type enrolData struct {
	QR     template.URL
	Secret string
	Error  string
	// Setup page only.
	Email       string
	NeedsPW     bool
	Token       string
	SecretField string
}

// enrolPage shows the QR code and secret of the member's pending 2FA enrolment.
func (s *Server) enrolPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.sess == nil {
		return redirect(w, r, Prefix+"login")
	}
	if !rc.sess.Restricted {
		return redirect(w, r, Prefix+"dashboard")
	}
	return s.showEnrol(w, r, rc, http.StatusOK, "")
}

func (s *Server) showEnrol(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, errKey string) error {
	en, err := s.cfg.Staff.PendingEnrolment(r.Context(), *rc.sess)
	if errors.Is(err, access.ErrAlreadyEnroled) {
		return redirect(w, r, Prefix+"dashboard")
	}
	if err != nil {
		return err
	}
	qr, err := qrDataURI(en.URI)
	if err != nil {
		return err
	}
	s.render(w, r, rc, status, "enrol", enrolData{QR: qr, Secret: groupSecret(en.Base32), Error: errKey})
	return nil
}

func (s *Server) enrolSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if rc.sess == nil {
		return redirect(w, r, Prefix+"login")
	}
	codes, err := s.cfg.Staff.ConfirmEnrolment(r.Context(), *rc.sess, strings.TrimSpace(r.PostFormValue("code")), clientIP(r))
	switch {
	case errors.Is(err, access.ErrTOTPInvalid):
		return s.showEnrol(w, r, rc, http.StatusUnauthorized, "enrol.invalid")
	case errors.Is(err, access.ErrLocked):
		clearSessionCookie(w, r)
		d := loginData{Error: "login.locked"}
		rc.sess = nil
		s.render(w, r, rc, http.StatusLocked, "login", d)
		return nil
	case errors.Is(err, access.ErrAlreadyEnroled):
		return redirect(w, r, Prefix+"dashboard")
	case err != nil:
		return err
	}
	rc.sess.Restricted = false
	s.render(w, r, rc, http.StatusOK, "recovery", map[string]any{"Codes": codes, "Next": Prefix + "dashboard"})
	return nil
}

// setupPage is the one-time link a new member (or the first owner from kinko init) opens
// to set a password and enrol 2FA. The token is in the path, as in any invitation link: it
// is never logged (the log names the route pattern) and the Referrer-Policy keeps it here.
func (s *Server) setupPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.cfg.Staff.SetupInfo(r.Context(), r.PathValue("token"))
	if errors.Is(err, access.ErrSetupInvalid) {
		s.render(w, r, rc, http.StatusNotFound, "setup", map[string]any{"Invalid": true})
		return nil
	}
	if err != nil {
		return err
	}
	en, err := s.cfg.Staff.NewEnrolment(r.Context(), m)
	if err != nil {
		return err
	}
	return s.showSetup(w, r, rc, http.StatusOK, m, en, "")
}

func (s *Server) showSetup(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, m access.Member, en access.Enrolment, errKey string) error {
	qr, err := qrDataURI(en.URI)
	if err != nil {
		return err
	}
	s.render(w, r, rc, status, "setup", map[string]any{"Enrol": enrolData{QR: qr, Secret: groupSecret(en.Base32), Error: errKey,
		Email: m.Email, NeedsPW: !m.PasswordSet, SecretField: en.Base32}})
	return nil
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	token := r.PathValue("token")
	m, err := s.cfg.Staff.SetupInfo(r.Context(), token)
	if errors.Is(err, access.ErrSetupInvalid) {
		s.render(w, r, rc, http.StatusNotFound, "setup", map[string]any{"Invalid": true})
		return nil
	}
	if err != nil {
		return err
	}
	secret, err := access.ParseTOTPSecret(r.PostFormValue("secret"))
	if err != nil {
		return &pageError{status: http.StatusBadRequest, msg: "err.input", cause: err}
	}
	en := access.EnrolmentFor(secret, s.shopName(r, m.Shop), m.Email)
	pw, pw2 := r.PostFormValue("password"), r.PostFormValue("password2")
	if pw != pw2 {
		return s.showSetup(w, r, rc, http.StatusBadRequest, m, en, "setup.mismatch")
	}
	codes, err := s.cfg.Staff.CompleteSetup(r.Context(), token, pw, en, strings.TrimSpace(r.PostFormValue("code")))
	if key := passwordError(err); key != "" {
		return s.showSetup(w, r, rc, http.StatusBadRequest, m, en, key)
	}
	switch {
	case errors.Is(err, access.ErrTOTPInvalid):
		return s.showSetup(w, r, rc, http.StatusUnauthorized, m, en, "enrol.invalid")
	case errors.Is(err, access.ErrSetupInvalid):
		s.render(w, r, rc, http.StatusNotFound, "setup", map[string]any{"Invalid": true})
		return nil
	case err != nil:
		return err
	}
	s.render(w, r, rc, http.StatusOK, "recovery", map[string]any{"Codes": codes, "Next": Prefix + "login?m=setupdone"})
	return nil
}

func (s *Server) shopName(r *http.Request, id string) string {
	if sh, err := s.cfg.Vault.ShopByID(r.Context(), id); err == nil {
		return sh.Name
	}
	return ""
}

// passwordError maps a refused password to its message key ("" when err is not one).
func passwordError(err error) string {
	switch {
	case errors.Is(err, access.ErrPasswordShort):
		return "pw.short"
	case errors.Is(err, access.ErrPasswordLong):
		return "pw.long"
	case errors.Is(err, access.ErrPasswordCommon):
		return "pw.common"
	case errors.Is(err, access.ErrPasswordEmail):
		return "pw.email"
	}
	return ""
}

// qrDataURI renders an otpauth:// URI as a PNG QR code in a data: URI (the CSP allows data:
// images and nothing leaves the server: no third-party QR service ever sees the secret).
func qrDataURI(uri string) (template.URL, error) {
	png, err := qrcode.Encode(uri, qrcode.Medium, 256)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// groupSecret spaces a base32 secret in groups of four, easier to type into an app.
func groupSecret(s string) string {
	var b strings.Builder
	for i, r := range s {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}
