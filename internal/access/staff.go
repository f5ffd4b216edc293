package access

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
)

// Deriver gives keys derived from the master key; *keyring.Keyring is one.
type Deriver interface {
	Derive(purpose string) (version uint32, key []byte, err error)
	DeriveVersion(v uint32, purpose string) ([]byte, error)
}

// Key purposes (HKDF info strings) of the keys this package derives.
const (
	totpKeyPurpose     = "kinko/staff-totp/v1"
	throttleKeyPurpose = "kinko/login-throttle/v1"
	totpADField        = "staff_totp" // the "field" of a sealed TOTP secret's associated data
)

// Status is whether a member may log in.
type Status string

const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// SetupLinkTTL is how long a setup link (token) stays valid: a day, so a new member can
// act on it the next morning, short enough that a forgotten one expires (issue 5).
const SetupLinkTTL = 24 * time.Hour

// RecoveryCodeCount codes are issued at enrolment, each usable once.
const RecoveryCodeCount = 10

// Errors of staff management. Login errors are in login.go.
var (
	ErrNoStaff        = errors.New("no such staff member")
	ErrStaffExists    = errors.New("a staff member with this email already exists in the shop")
	ErrInvalidEmail   = errors.New("not a valid email address")
	ErrSetupInvalid   = errors.New("setup link is invalid, used or expired")
	ErrTOTPInvalid    = errors.New("the 2FA code is not valid")
	ErrAlreadyEnroled = errors.New("2FA is already enrolled; an owner can reset it")
	ErrLastOwner      = errors.New("the shop must keep at least one active owner")
)

// Staff manages a server's staff members, their credentials and sessions.
type Staff struct {
	db       *store.DB
	keys     Deriver
	rand     io.Reader
	now      func() time.Time
	params   PasswordParams
	onNotice func(context.Context, Notice) error
	limits   LoginLimits

	dummyOnce sync.Once
	dummyHash string
}

// StaffOptions configure NewStaff; the zero value is right for production except Notify,
// which should write the audit trail.
type StaffOptions struct {
	Rand     io.Reader        // crypto/rand unless a test needs control
	Now      func() time.Time // time.Now unless a test needs control
	Password PasswordParams   // DefaultPasswordParams when zero
	Limits   LoginLimits      // DefaultLoginLimits when zero
	// Notify receives every Notice. An error fails the action that caused it where that
	// action can be undone (a login's session is dropped).
	Notify func(context.Context, Notice) error
}

// NewStaff returns the staff service.
func NewStaff(db *store.DB, keys Deriver, opt StaffOptions) *Staff {
	s := &Staff{db: db, keys: keys, rand: opt.Rand, now: opt.Now, params: opt.Password, onNotice: opt.Notify, limits: opt.Limits}
	if s.rand == nil {
		s.rand = rand.Reader
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.params == (PasswordParams{}) {
		s.params = DefaultPasswordParams
	}
	if s.limits == (LoginLimits{}) {
		s.limits = DefaultLoginLimits
	}
	return s
}

// Member is a staff member as callers see it: never a secret.
type Member struct {
	ID           string
	Shop         string // shop id
	Email        string
	Role         Role
	Status       Status
	PasswordSet  bool
	TOTPEnrolled bool
	SetupPending bool // an unexpired setup link is open
	LastLogin    time.Time
	LastLoginIP  string
	Created      time.Time
	Updated      time.Time
}

func (s *Staff) member(st store.Staff) Member {
	return Member{
		ID: st.ID, Shop: st.Shop, Email: st.Email, Role: Role(st.Role), Status: Status(st.Status),
		PasswordSet: st.PasswordHash != "", TOTPEnrolled: st.TOTPConfirmed,
		SetupPending: st.SetupHash != nil && s.now().Before(st.SetupExpires),
		LastLogin:    st.LastLogin, LastLoginIP: st.LastLoginIP, Created: st.Created, Updated: st.Updated,
	}
}

// NormalizeEmail lower-cases and trims a staff email and checks its shape (one @, a local
// part and a dotted domain, no spaces, at most 254 bytes).
func NormalizeEmail(e string) (string, error) {
	e = strings.ToLower(strings.TrimSpace(e))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(e) > 254 || strings.Contains(domain, "@") || !strings.Contains(domain, ".") ||
		strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return "", ErrInvalidEmail
	}
	for _, r := range e {
		if r <= ' ' || r == 0x7f {
			return "", ErrInvalidEmail
		}
	}
	return e, nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns 128 random bits in lower-case base32, like vault.NewID (not imported: vault
// may import access).
func newID(r io.Reader) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("reading random id: %w", err)
	}
	return idEncoding.EncodeToString(b[:]), nil
}

// Token prefixes make kinko's secrets recognisable to secret scanners (and kinko scan).
const (
	sessionPrefix = "kinkos_" // a staff session
	setupPrefix   = "kinkou_" // a one-time setup link
)

// newToken returns prefix + 256 random bits (base64url) and the SHA-256 stored in its place.
// 256 random bits cannot be guessed, so a fast hash is enough and keeps lookups cheap.
func (s *Staff) newToken(prefix string) (token string, hash []byte, err error) {
	var b [32]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		return "", nil, fmt.Errorf("reading random token: %w", err)
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b[:])
	return token, tokenHash(token), nil
}

func tokenHash(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

func validToken(prefix, token string) bool {
	return strings.HasPrefix(token, prefix) && len(token) == len(prefix)+43
}

// NewMember describes a member to add.
type NewMember struct {
	Shop  string // shop id
	Email string
	Role  Role
	// Password, when set, is the member's password (checked by CheckPassword); the member
	// then enrols 2FA at first login or through the setup link. Empty: the setup link sets it.
	Password string
}

// Add creates a member and a one-time setup link (token) valid for SetupLinkTTL, through
// which the member sets a password (unless one was given) and enrols 2FA. The token is
// shown once; only its hash is kept.
func (s *Staff) Add(ctx context.Context, nm NewMember) (Member, string, error) {
	email, err := NormalizeEmail(nm.Email)
	if err != nil {
		return Member{}, "", err
	}
	if _, err := ParseRole(string(nm.Role)); err != nil {
		return Member{}, "", err
	}
	var pwHash string
	if nm.Password != "" {
		if err := CheckPassword(nm.Password, email); err != nil {
			return Member{}, "", err
		}
		if pwHash, err = hashPassword(nm.Password, s.params, s.rand); err != nil {
			return Member{}, "", err
		}
	}
	id, err := newID(s.rand)
	if err != nil {
		return Member{}, "", err
	}
	token, hash, err := s.newToken(setupPrefix)
	if err != nil {
		return Member{}, "", err
	}
	now := s.now().UTC()
	st := store.Staff{ID: id, Shop: nm.Shop, Email: email, Role: string(nm.Role), Status: string(StatusActive),
		PasswordHash: pwHash, SetupHash: hash, SetupExpires: now.Add(SetupLinkTTL), Created: now, Updated: now}
	if err := s.db.CreateStaff(ctx, st); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Member{}, "", ErrStaffExists
		}
		return Member{}, "", fmt.Errorf("storing staff member: %w", err)
	}
	if err := s.notify(ctx, Notice{Kind: NoticeStaffCreated, Shop: nm.Shop, StaffID: id, Detail: "role " + string(nm.Role)}); err != nil {
		return Member{}, "", err
	}
	return s.member(st), token, nil
}

// Get returns a shop's member by email.
func (s *Staff) Get(ctx context.Context, shop, email string) (Member, error) {
	st, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

func (s *Staff) byEmail(ctx context.Context, shop, email string) (store.Staff, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return store.Staff{}, ErrNoStaff
	}
	st, err := s.db.StaffByEmail(ctx, shop, e)
	if errors.Is(err, store.ErrNotFound) {
		return store.Staff{}, ErrNoStaff
	}
	return st, err
}

// List returns a shop's members by email.
func (s *Staff) List(ctx context.Context, shop string) ([]Member, error) {
	all, err := s.db.ListStaff(ctx, shop)
	if err != nil {
		return nil, err
	}
	out := make([]Member, len(all))
	for i, st := range all {
		out[i] = s.member(st)
	}
	return out, nil
}

// update changes a shop's member found by email through fn (in one transaction).
func (s *Staff) update(ctx context.Context, shop, email string, fn func(st *store.Staff) error) (store.Staff, error) {
	cur, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return store.Staff{}, err
	}
	return s.updateID(ctx, cur.ID, fn)
}

func (s *Staff) updateID(ctx context.Context, id string, fn func(st *store.Staff) error) (store.Staff, error) {
	now := s.now().UTC()
	st, err := s.db.UpdateStaff(ctx, id, func(st *store.Staff) error {
		if err := fn(st); err != nil {
			return err
		}
		st.Updated = now
		return nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return store.Staff{}, ErrNoStaff
	}
	return st, err
}

// otherActiveOwners counts the shop's active owners other than id.
func (s *Staff) otherActiveOwners(ctx context.Context, shop, id string) (int, error) {
	all, err := s.db.ListStaff(ctx, shop)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, st := range all {
		if st.ID != id && st.Role == string(RoleOwner) && st.Status == string(StatusActive) {
			n++
		}
	}
	return n, nil
}

// SetRole changes a member's role. The shop keeps at least one active owner. Sessions stay:
// Authenticate reads the role afresh on every request, so the change applies at once.
func (s *Staff) SetRole(ctx context.Context, shop, email string, role Role) (Member, error) {
	if _, err := ParseRole(string(role)); err != nil {
		return Member{}, err
	}
	cur, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return Member{}, err
	}
	if cur.Role == string(role) {
		return s.member(cur), nil
	}
	if cur.Role == string(RoleOwner) && cur.Status == string(StatusActive) {
		if n, err := s.otherActiveOwners(ctx, shop, cur.ID); err != nil {
			return Member{}, err
		} else if n == 0 {
			return Member{}, ErrLastOwner
		}
	}
	old := cur.Role
	st, err := s.updateID(ctx, cur.ID, func(st *store.Staff) error { st.Role = string(role); return nil })
	if err != nil {
		return Member{}, err
	}
	if err := s.notify(ctx, Notice{Kind: NoticeRoleChanged, Shop: shop, StaffID: st.ID, Detail: old + "→" + string(role)}); err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

// SetStatus disables or enables a member. Disabling ends every session at once; the shop
// keeps at least one active owner.
func (s *Staff) SetStatus(ctx context.Context, shop, email string, status Status) (Member, error) {
	if status != StatusActive && status != StatusDisabled {
		return Member{}, fmt.Errorf("unknown status %q", status)
	}
	cur, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return Member{}, err
	}
	if status == StatusDisabled && cur.Role == string(RoleOwner) && cur.Status == string(StatusActive) {
		if n, err := s.otherActiveOwners(ctx, shop, cur.ID); err != nil {
			return Member{}, err
		} else if n == 0 {
			return Member{}, ErrLastOwner
		}
	}
	st, err := s.updateID(ctx, cur.ID, func(st *store.Staff) error { st.Status = string(status); return nil })
	if err != nil {
		return Member{}, err
	}
	kind := NoticeStaffEnabled
	if status == StatusDisabled {
		kind = NoticeStaffDisabled
		if _, err := s.db.DeleteStaffSessions(ctx, st.ID); err != nil {
			return Member{}, err
		}
	}
	if err := s.notify(ctx, Notice{Kind: kind, Shop: shop, StaffID: st.ID}); err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

// ResetTOTP removes a member's 2FA and recovery codes and ends the member's sessions; the
// next login yields an enrolment session (or the member uses a new setup link).
func (s *Staff) ResetTOTP(ctx context.Context, shop, email string) (Member, error) {
	st, err := s.update(ctx, shop, email, func(st *store.Staff) error {
		st.TOTPSecret, st.TOTPKeyVersion, st.TOTPConfirmed, st.TOTPLastStep = nil, 0, false, 0
		st.RecoveryHashes = [][]byte{}
		return nil
	})
	if err != nil {
		return Member{}, err
	}
	if _, err := s.db.DeleteStaffSessions(ctx, st.ID); err != nil {
		return Member{}, err
	}
	if err := s.notify(ctx, Notice{Kind: NoticeTOTPReset, Shop: shop, StaffID: st.ID}); err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

// NewSetupLink opens a fresh setup link for a member (replacing any open one), e.g. after a
// forgotten password; the token is shown once.
func (s *Staff) NewSetupLink(ctx context.Context, shop, email string) (string, error) {
	token, hash, err := s.newToken(setupPrefix)
	if err != nil {
		return "", err
	}
	exp := s.now().UTC().Add(SetupLinkTTL)
	st, err := s.update(ctx, shop, email, func(st *store.Staff) error {
		st.SetupHash, st.SetupExpires = hash, exp
		return nil
	})
	if err != nil {
		return "", err
	}
	if err := s.notify(ctx, Notice{Kind: NoticeSetupLinkIssued, Shop: shop, StaffID: st.ID}); err != nil {
		return "", err
	}
	return token, nil
}

// Unlock lifts a lockout of a shop's email before it ends by itself.
func (s *Staff) Unlock(ctx context.Context, shop, email string) error {
	st, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return err
	}
	acct, err := s.account(shop, st.Email)
	if err != nil {
		return err
	}
	if err := s.db.ClearLoginLock(ctx, shop, acct); err != nil {
		return err
	}
	return s.notify(ctx, Notice{Kind: NoticeStaffUnlocked, Shop: shop, StaffID: st.ID})
}

// RevokeSessions ends every session of a shop's member found by email.
func (s *Staff) RevokeSessions(ctx context.Context, shop, email string) (int, error) {
	st, err := s.byEmail(ctx, shop, email)
	if err != nil {
		return 0, err
	}
	return s.RevokeAll(ctx, st.ID)
}

// RevokeAll ends every session of the member with staffID and says how many there were.
func (s *Staff) RevokeAll(ctx context.Context, staffID string) (int, error) {
	st, err := s.db.StaffByID(ctx, staffID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, ErrNoStaff
	}
	if err != nil {
		return 0, err
	}
	n, err := s.db.DeleteStaffSessions(ctx, staffID)
	if err != nil {
		return 0, err
	}
	return n, s.notify(ctx, Notice{Kind: NoticeSessionsRevoked, Shop: st.Shop, StaffID: staffID, Detail: fmt.Sprintf("%d sessions", n)})
}

// SetupInfo checks a setup token and returns its member (the token stays valid).
func (s *Staff) SetupInfo(ctx context.Context, token string) (Member, error) {
	st, err := s.setupMember(ctx, token)
	if err != nil {
		return Member{}, err
	}
	return s.member(st), nil
}

func (s *Staff) setupMember(ctx context.Context, token string) (store.Staff, error) {
	token = strings.TrimSpace(token)
	if !validToken(setupPrefix, token) {
		return store.Staff{}, ErrSetupInvalid
	}
	st, err := s.db.StaffBySetupHash(ctx, tokenHash(token))
	if errors.Is(err, store.ErrNotFound) {
		return store.Staff{}, ErrSetupInvalid
	}
	if err != nil {
		return store.Staff{}, err
	}
	if !s.now().Before(st.SetupExpires) || st.Status != string(StatusActive) {
		return store.Staff{}, ErrSetupInvalid
	}
	return st, nil
}

// NewEnrolment draws a TOTP secret for m, to show and then confirm with CompleteSetup (or
// kept by BeginEnrolment for a restricted session).
func (s *Staff) NewEnrolment(ctx context.Context, m Member) (Enrolment, error) {
	shopName := ""
	if sh, err := s.db.Shop(ctx, m.Shop); err == nil {
		shopName = sh.Name
	}
	return newEnrolment(s.rand, shopName, m.Email)
}

// CompleteSetup finishes a setup link: it sets password (which may be empty when the member
// already has one), confirms the enrolment e with its first code, issues recovery codes
// (returned, shown once) and closes the link. Existing sessions end.
func (s *Staff) CompleteSetup(ctx context.Context, token, password string, e Enrolment, code string) ([]string, error) {
	st, err := s.setupMember(ctx, token)
	if err != nil {
		return nil, err
	}
	var pwHash string
	switch {
	case password != "":
		if err := CheckPassword(password, st.Email); err != nil {
			return nil, err
		}
		if pwHash, err = hashPassword(password, s.params, s.rand); err != nil {
			return nil, err
		}
	case st.PasswordHash == "":
		return nil, ErrPasswordShort
	}
	step, ok := verifyTOTP(e.Secret, code, s.now(), 0)
	if !ok {
		return nil, ErrTOTPInvalid
	}
	ver, sealed, err := s.sealTOTP(st.Shop, st.ID, e.Secret)
	if err != nil {
		return nil, err
	}
	codes, hashes, err := s.newRecoveryCodes(st.ID)
	if err != nil {
		return nil, err
	}
	hash := tokenHash(strings.TrimSpace(token))
	now := s.now()
	_, err = s.updateID(ctx, st.ID, func(cur *store.Staff) error {
		// Checked again inside the transaction: two setups racing with one link, one wins.
		if cur.SetupHash == nil || !seal.Equal(cur.SetupHash, hash) || !now.Before(cur.SetupExpires) {
			return ErrSetupInvalid
		}
		if pwHash != "" {
			cur.PasswordHash = pwHash
		}
		cur.TOTPSecret, cur.TOTPKeyVersion, cur.TOTPConfirmed, cur.TOTPLastStep = sealed, ver, true, step
		cur.SetupHash, cur.SetupExpires = nil, time.Time{}
		cur.RecoveryHashes = hashes
		return nil
	})
	if err != nil {
		return nil, err
	}
	if _, err := s.db.DeleteStaffSessions(ctx, st.ID); err != nil {
		return nil, err
	}
	if pwHash != "" {
		if err := s.notify(ctx, Notice{Kind: NoticePasswordSet, Shop: st.Shop, StaffID: st.ID}); err != nil {
			return nil, err
		}
	}
	if err := s.notify(ctx, Notice{Kind: NoticeTOTPEnrolled, Shop: st.Shop, StaffID: st.ID}); err != nil {
		return nil, err
	}
	return codes, nil
}

// BeginEnrolment starts 2FA enrolment for the member of a (restricted) session: a new
// secret is kept sealed, unconfirmed, and returned to show. A member with confirmed 2FA
// gets ErrAlreadyEnroled.
func (s *Staff) BeginEnrolment(ctx context.Context, sess Session) (Enrolment, error) {
	st, err := s.db.StaffByID(ctx, sess.StaffID)
	if err != nil {
		return Enrolment{}, ErrNoStaff
	}
	if st.TOTPConfirmed {
		return Enrolment{}, ErrAlreadyEnroled
	}
	e, err := s.NewEnrolment(ctx, s.member(st))
	if err != nil {
		return Enrolment{}, err
	}
	ver, sealed, err := s.sealTOTP(st.Shop, st.ID, e.Secret)
	if err != nil {
		return Enrolment{}, err
	}
	_, err = s.updateID(ctx, st.ID, func(cur *store.Staff) error {
		if cur.TOTPConfirmed {
			return ErrAlreadyEnroled
		}
		cur.TOTPSecret, cur.TOTPKeyVersion, cur.TOTPLastStep = sealed, ver, 0
		return nil
	})
	if err != nil {
		return Enrolment{}, err
	}
	return e, nil
}

// ConfirmEnrolment confirms the pending secret of the session's member with a first code,
// issues recovery codes (returned, shown once) and lifts the restriction of the member's
// sessions. A wrong code counts as a failed login (lockout applies).
func (s *Staff) ConfirmEnrolment(ctx context.Context, sess Session, code, ip string) ([]string, error) {
	st, err := s.db.StaffByID(ctx, sess.StaffID)
	if err != nil {
		return nil, ErrNoStaff
	}
	if st.TOTPConfirmed {
		return nil, ErrAlreadyEnroled
	}
	if st.TOTPSecret == nil {
		return nil, errors.New("no 2FA enrolment was started")
	}
	acct, err := s.account(st.Shop, st.Email)
	if err != nil {
		return nil, err
	}
	now := s.now()
	if until, _, err := s.db.LoginState(ctx, st.Shop, acct, ipKey(ip), now); err != nil {
		return nil, err
	} else if now.Before(until) {
		return nil, ErrLocked
	}
	secret, err := s.openTOTP(st)
	if err != nil {
		return nil, err
	}
	step, ok := verifyTOTP(secret, code, now, st.TOTPLastStep)
	if !ok {
		locked, err := s.db.RecordLoginFailure(ctx, store.LoginFailure{Shop: st.Shop, Account: acct, IP: ipKey(ip), At: now},
			s.limits.Window, s.limits.AccountFailures, s.limits.LockFor)
		if err != nil {
			return nil, err
		}
		if locked {
			return nil, ErrLocked
		}
		return nil, ErrTOTPInvalid
	}
	codes, hashes, err := s.newRecoveryCodes(st.ID)
	if err != nil {
		return nil, err
	}
	_, err = s.updateID(ctx, st.ID, func(cur *store.Staff) error {
		if cur.TOTPConfirmed || !seal.Equal(cur.TOTPSecret, st.TOTPSecret) {
			return ErrAlreadyEnroled
		}
		cur.TOTPConfirmed, cur.TOTPLastStep, cur.RecoveryHashes = true, step, hashes
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := s.db.UnrestrictSessions(ctx, st.ID); err != nil {
		return nil, err
	}
	if err := s.notify(ctx, Notice{Kind: NoticeTOTPEnrolled, Shop: st.Shop, StaffID: st.ID, IP: ip}); err != nil {
		return nil, err
	}
	return codes, nil
}

// sealTOTP seals a TOTP secret under the active master version's TOTP key, bound to the shop
// and member, so a secret copied to another member's row does not open.
func (s *Staff) sealTOTP(shop, staffID string, secret []byte) (uint32, []byte, error) {
	ver, raw, err := s.keys.Derive(totpKeyPurpose)
	if err != nil {
		return 0, nil, fmt.Errorf("deriving the 2FA key: %w", err)
	}
	k, err := seal.NewKey(raw)
	if err != nil {
		return 0, nil, err
	}
	ct, err := seal.Sealer{Rand: s.rand}.Seal(k, secret, seal.FieldAD(shop, staffID, totpADField, ver))
	return ver, ct, err
}

func (s *Staff) openTOTP(st store.Staff) ([]byte, error) {
	raw, err := s.keys.DeriveVersion(st.TOTPKeyVersion, totpKeyPurpose)
	if err != nil {
		return nil, fmt.Errorf("deriving the 2FA key: %w", err)
	}
	k, err := seal.NewKey(raw)
	if err != nil {
		return nil, err
	}
	return seal.Open(k, st.TOTPSecret, seal.FieldAD(st.Shop, st.ID, totpADField, st.TOTPKeyVersion))
}

// Recovery codes are 80 random bits written as four groups of four base32 letters
// (xxxx-xxxx-xxxx-xxxx): too many to guess, so a fast salted hash stores them safely.
const recoveryCodeChars = 16

var recoveryEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func (s *Staff) newRecoveryCodes(staffID string) (codes []string, hashes [][]byte, err error) {
	for range RecoveryCodeCount {
		var b [10]byte
		if _, err := io.ReadFull(s.rand, b[:]); err != nil {
			return nil, nil, fmt.Errorf("reading random recovery code: %w", err)
		}
		raw := recoveryEncoding.EncodeToString(b[:])
		codes = append(codes, raw[0:4]+"-"+raw[4:8]+"-"+raw[8:12]+"-"+raw[12:16])
		hashes = append(hashes, recoveryHash(staffID, raw))
	}
	return codes, hashes, nil
}

// normalizeRecoveryCode drops separators and case; ok is false when code cannot be one.
func normalizeRecoveryCode(code string) (string, bool) {
	var b strings.Builder
	for _, r := range strings.ToLower(code) {
		switch {
		case r == '-' || r == ' ':
		case r >= 'a' && r <= 'z' || r >= '2' && r <= '7':
			b.WriteRune(r)
		default:
			return "", false
		}
	}
	return b.String(), b.Len() == recoveryCodeChars
}

// recoveryHash is SHA-256 over the member id and the code, so equal codes of two members
// (never expected) would still hash apart.
func recoveryHash(staffID, normalized string) []byte {
	h := sha256.Sum256([]byte("kinko-recovery\x00" + staffID + "\x00" + normalized))
	return h[:]
}

// account is what login throttling knows an attempt by: an HMAC of shop and email under a
// key derived from the master key. Unknown addresses get accounts too, so they lock like
// real ones, and the address typed is never stored.
func (s *Staff) account(shop, email string) ([]byte, error) {
	_, key, err := s.keys.Derive(throttleKeyPurpose)
	if err != nil {
		return nil, fmt.Errorf("deriving the login throttle key: %w", err)
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(shop))
	m.Write([]byte{0})
	m.Write([]byte(email))
	return m.Sum(nil)[:seal.IndexSize], nil
}
