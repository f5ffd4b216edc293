package access

// What the admin console needs of staff access beyond the API: form tokens, a member by id,
// and enrolments it can show again.

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
)

// csrfKeyPurpose derives the key of the console's anti-forgery tokens. It comes from the
// master key, so every server behind a load balancer agrees, and a rotation changes it.
const csrfKeyPurpose = "kinko/console-csrf/v1"

// FormToken is the anti-forgery token of a staff session: HMAC-SHA-256 of the session's
// bearer secret under a key derived from the master key. A page embeds it in each form; a
// forged request from another site cannot know it (it never sees the session cookie), and
// it dies with the session. It is not a secret worth more than the session itself.
func (s *Staff) FormToken(sessionToken string) (string, error) {
	_, key, err := s.keys.Derive(csrfKeyPurpose)
	if err != nil {
		return "", fmt.Errorf("deriving the form key: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(sessionToken))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)), nil
}

// CheckFormToken reports, in constant time, whether token is sessionToken's FormToken.
func (s *Staff) CheckFormToken(sessionToken, token string) bool {
	want, err := s.FormToken(sessionToken)
	if err != nil || token == "" {
		return false
	}
	return seal.Equal([]byte(want), []byte(token))
}

// ByID returns a member by id (for showing who is logged in).
func (s *Staff) ByID(ctx context.Context, id string) (Member, error) {
	st, err := s.db.StaffByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return Member{}, ErrNoStaff
	}
	if err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

// PendingEnrolment returns the 2FA enrolment the session's member has started and not yet
// confirmed, or starts one (BeginEnrolment). A page that shows the QR code again after a
// mistyped code then shows the same secret the member already scanned.
func (s *Staff) PendingEnrolment(ctx context.Context, sess Session) (Enrolment, error) {
	st, err := s.db.StaffByID(ctx, sess.StaffID)
	if err != nil {
		return Enrolment{}, ErrNoStaff
	}
	if st.TOTPConfirmed {
		return Enrolment{}, ErrAlreadyEnroled
	}
	if st.TOTPSecret == nil {
		return s.BeginEnrolment(ctx, sess)
	}
	secret, err := s.openTOTP(st)
	if err != nil {
		return Enrolment{}, err
	}
	shopName := ""
	if sh, err := s.db.Shop(ctx, st.Shop); err == nil {
		shopName = sh.Name
	}
	return enrolmentFor(secret, shopName, st.Email), nil
}

// EnrolmentFor rebuilds the enrolment of a secret already shown (the setup page keeps it
// in its form until the first code confirms it).
func EnrolmentFor(secret []byte, shopName, account string) Enrolment {
	return enrolmentFor(secret, shopName, account)
}
