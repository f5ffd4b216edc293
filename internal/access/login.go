package access

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/store"
)

// Login errors, each with the HTTP answer it stands for. Their messages are safe to show.
var (
	// ErrInvalidCredentials (401): wrong email, password or 2FA code, a disabled member, or
	// a member without a password. Deliberately one answer, after the same work, whatever
	// was wrong.
	ErrInvalidCredentials = errors.New("invalid email, password or 2FA code")
	// ErrLocked (423 account_locked): too many failures for this email.
	ErrLocked = errors.New("account locked after too many failed logins; try again later")
	// ErrThrottled (429): too many failures from this network.
	ErrThrottled = errors.New("too many failed logins from this network; try again later")
	// ErrIPNotAllowed (403): the shop accepts staff logins only from its allow-list.
	ErrIPNotAllowed = errors.New("logins are not allowed from this network")
	// ErrEnrolmentRequired (403): a restricted session may only enrol 2FA.
	ErrEnrolmentRequired = errors.New("2FA enrolment required")
	// ErrSessionInvalid (401): no session, an unknown, expired or revoked one.
	ErrSessionInvalid = errors.New("missing, invalid or expired session")
)

// LoginLimits are the numbers behind lockout and throttling.
type LoginLimits struct {
	AccountFailures int           // failures of one email within Window that lock it
	Window          time.Duration // how far back failures count
	LockFor         time.Duration // how long a lock lasts
	IPFailures      int           // failures from one network within Window that throttle it
}

// DefaultLoginLimits: PCI DSS 8.3.4 asks to lock an account after at most 10 invalid
// attempts for at least 30 minutes; failures count within a 30-minute window. A network (an
// IPv4 address or an IPv6 /64) is throttled after 30 failures in that window, across
// accounts: credential stuffing tries one password per account and never trips an account
// lock. 30 is three accounts' worth of locking, so one member locking themselves out never
// throttles colleagues behind the same office router.
var DefaultLoginLimits = LoginLimits{AccountFailures: 10, Window: 30 * time.Minute, LockFor: 30 * time.Minute, IPFailures: 30}

// Session lifetimes.
const (
	// SessionIdleTimeout: PCI DSS 8.2.8 asks to re-authenticate after 15 minutes idle.
	SessionIdleTimeout = 15 * time.Minute
	// SessionMaxAge: a working day; a stolen token dies by the next morning whatever happens.
	SessionMaxAge = 12 * time.Hour
	// sessionTouchEvery: Authenticate writes a session's last activity at most once a
	// minute, not on every request; the idle timeout is exact to within this.
	sessionTouchEvery = time.Minute
)

// Session is a staff login. Token is set only in Login's answer: it is the bearer secret,
// shown once, stored as its SHA-256.
type Session struct {
	Token      string
	ID         string // names the session in the audit trail; not a secret
	StaffID    string
	Shop       string // shop id
	Role       Role
	Restricted bool // 2FA not enrolled yet: the session may only enrol (RequireFull)
	IP         string
	Created    time.Time
	LastSeen   time.Time
	Expires    time.Time // the absolute end; idle expiry is LastSeen + IdleTimeout
	// IdleTimeout is the shop's idle limit (SessionIdleTimeout unless the shop set a
	// stricter one), for a page that logs itself out when left alone.
	IdleTimeout time.Duration
}

// RequireFull returns ErrEnrolmentRequired for a restricted session: everything except 2FA
// enrolment and logout must call it.
func (s Session) RequireFull() error {
	if s.Restricted {
		return ErrEnrolmentRequired
	}
	return nil
}

// LoginRequest is one login attempt.
type LoginRequest struct {
	Shop     string // shop id
	Email    string
	Password string
	OTP      string // the 6-digit code, or a recovery code
	IP       string // the client address (no port)
	Device   string // e.g. the User-Agent: a first login from a new one is noticed
}

// Login checks a login attempt and opens a session. In order: the shop's IP allow-list
// (ErrIPNotAllowed), the lock of this email (ErrLocked), throttling of this network
// (ErrThrottled), then password and 2FA; any mistake there is ErrInvalidCredentials, counts
// as a failure, and the failure that reaches the limit answers ErrLocked. A member without
// confirmed 2FA gets a restricted session (Session.Restricted) that can only enrol.
func (s *Staff) Login(ctx context.Context, r LoginRequest) (Session, error) {
	if r.Shop == "" {
		return Session{}, errors.New("login: no shop")
	}
	now := s.now().UTC()
	ip := ipKey(r.IP)
	email, emailErr := NormalizeEmail(r.Email)
	if emailErr != nil {
		email = strings.ToLower(strings.TrimSpace(r.Email))
	}

	if allowed, err := s.ipAllowed(ctx, r.Shop, r.IP); err != nil {
		return Session{}, err
	} else if !allowed {
		return Session{}, errors.Join(ErrIPNotAllowed, s.notify(ctx, Notice{Kind: NoticeLoginIPRefused, Shop: r.Shop, IP: r.IP}))
	}
	acct, err := s.account(r.Shop, email)
	if err != nil {
		return Session{}, err
	}
	lockedUntil, ipFailures, err := s.db.LoginState(ctx, r.Shop, acct, ip, now.Add(-s.limits.Window))
	if err != nil {
		return Session{}, fmt.Errorf("reading login state: %w", err)
	}
	if now.Before(lockedUntil) {
		return Session{}, errors.Join(ErrLocked, s.notify(ctx, Notice{Kind: NoticeLoginWhileLocked, Shop: r.Shop, IP: r.IP}))
	}
	if ipFailures >= s.limits.IPFailures {
		return Session{}, errors.Join(ErrThrottled, s.notify(ctx, Notice{Kind: NoticeLoginThrottled, Shop: r.Shop, IP: r.IP}))
	}

	var st store.Staff
	found := false
	if emailErr == nil {
		st, err = s.db.StaffByEmail(ctx, r.Shop, email)
		switch {
		case err == nil:
			found = true
		case !errors.Is(err, store.ErrNotFound):
			return Session{}, fmt.Errorf("reading staff: %w", err)
		}
	}
	// Equal work for every answer: one argon2id hash whether or not the member exists, is
	// active or has a password, so timing does not tell which.
	ok := false
	if found && st.PasswordHash != "" {
		ok, err = verifyPassword(r.Password, st.PasswordHash)
		if err != nil {
			return Session{}, err
		}
	} else {
		if _, err := verifyPassword(r.Password, s.dummy()); err != nil {
			return Session{}, err
		}
	}
	ok = ok && st.Status == string(StatusActive)

	var notices []Notice
	if ok && st.TOTPConfirmed {
		var n *Notice
		ok, n, err = s.checkSecondFactor(ctx, st, r.OTP, now)
		if err != nil {
			return Session{}, err
		}
		if n != nil {
			n.IP = r.IP
			notices = append(notices, *n)
		}
	}
	staffID := ""
	if found {
		staffID = st.ID
	}
	if !ok {
		locked, err := s.db.RecordLoginFailure(ctx, store.LoginFailure{Shop: r.Shop, Account: acct, IP: ip, At: now},
			s.limits.Window, s.limits.AccountFailures, s.limits.LockFor)
		if err != nil {
			return Session{}, fmt.Errorf("recording a failed login: %w", err)
		}
		if locked {
			return Session{}, errors.Join(ErrLocked, s.notify(ctx, Notice{Kind: NoticeLoginLocked, Shop: r.Shop, StaffID: staffID, IP: r.IP}))
		}
		return Session{}, errors.Join(ErrInvalidCredentials, s.notify(ctx, Notice{Kind: NoticeLoginFailed, Shop: r.Shop, StaffID: staffID, IP: r.IP}))
	}

	idle, maxAge, err := s.sessionLimits(ctx, r.Shop)
	if err != nil {
		return Session{}, err
	}
	token, hash, err := s.newToken(sessionPrefix)
	if err != nil {
		return Session{}, err
	}
	var idb [9]byte
	if _, err := io.ReadFull(s.rand, idb[:]); err != nil {
		return Session{}, fmt.Errorf("reading random session id: %w", err)
	}
	sess := store.StaffSession{Hash: hash, ID: "ses_" + base64.RawURLEncoding.EncodeToString(idb[:]), StaffID: st.ID, Shop: r.Shop,
		Restricted: !st.TOTPConfirmed, IP: r.IP, Created: now, LastSeen: now}
	known := [][2]string{{"ip", fingerprint(ip)}}
	if r.Device != "" {
		known = append(known, [2]string{"device", fingerprint(r.Device)})
	}
	first, err := s.db.RecordLogin(ctx, store.LoginSuccess{Shop: r.Shop, Account: acct, Session: sess, Known: known, At: now})
	if err != nil {
		return Session{}, fmt.Errorf("recording a login: %w", err)
	}
	detail := ""
	if sess.Restricted {
		detail = "restricted: 2FA enrolment required"
	}
	notices = append(notices, Notice{Kind: NoticeLoginSucceeded, Shop: r.Shop, StaffID: st.ID, IP: r.IP, Detail: detail})
	if first[0] {
		notices = append(notices, Notice{Kind: NoticeNewIP, Shop: r.Shop, StaffID: st.ID, IP: r.IP})
	}
	if len(first) > 1 && first[1] {
		notices = append(notices, Notice{Kind: NoticeNewDevice, Shop: r.Shop, StaffID: st.ID, IP: r.IP})
	}
	for _, n := range notices {
		if err := s.notify(ctx, n); err != nil {
			// Fail closed: a login that cannot be recorded does not happen.
			s.db.DeleteSession(context.WithoutCancel(ctx), hash)
			return Session{}, err
		}
	}
	return s.session(sess, st, token, idle, maxAge), nil
}

// checkSecondFactor checks a TOTP code (refusing a step already used) or, failing that shape,
// a recovery code (used up by this login).
func (s *Staff) checkSecondFactor(ctx context.Context, st store.Staff, otp string, now time.Time) (bool, *Notice, error) {
	if rc, isRecovery := normalizeRecoveryCode(otp); isRecovery {
		err := s.db.UseRecoveryCode(ctx, st.ID, recoveryHash(st.ID, rc), now)
		if errors.Is(err, store.ErrNotFound) {
			return false, nil, nil
		}
		if err != nil {
			return false, nil, err
		}
		left, err := s.db.RecoveryCodesLeft(ctx, st.ID)
		if err != nil {
			return false, nil, err
		}
		return true, &Notice{Kind: NoticeRecoveryCodeUsed, Shop: st.Shop, StaffID: st.ID, Detail: fmt.Sprintf("%d recovery codes left", left)}, nil
	}
	secret, err := s.openTOTP(st)
	if err != nil {
		return false, nil, fmt.Errorf("opening the 2FA secret: %w", err)
	}
	step, ok := verifyTOTP(secret, otp, now, st.TOTPLastStep)
	if !ok {
		return false, nil, nil
	}
	// Remember the step in the same transaction that re-checks it: of two logins racing
	// with one code, one wins.
	_, err = s.db.UpdateStaff(ctx, st.ID, func(cur *store.Staff) error {
		if cur.TOTPLastStep >= step {
			return errReplay
		}
		cur.TOTPLastStep = step
		return nil
	})
	if errors.Is(err, errReplay) {
		return false, nil, nil
	}
	return err == nil, nil, err
}

var errReplay = errors.New("totp: code already used")

// dummy is a hash of no one's password, verified when there is no real hash to check.
func (s *Staff) dummy() string {
	s.dummyOnce.Do(func() {
		h, err := hashPassword("kinko dummy password, never anyone's", s.params, s.rand)
		if err != nil {
			// Without randomness nothing else works either; a fixed salt still costs the
			// same time, which is all the dummy is for.
			h, _ = hashPassword("kinko dummy password, never anyone's", s.params, zeroReader{})
		}
		s.dummyHash = h
	})
	return s.dummyHash
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func (s *Staff) session(ss store.StaffSession, st store.Staff, token string, idle, maxAge time.Duration) Session {
	return Session{Token: token, ID: ss.ID, StaffID: st.ID, Shop: ss.Shop, Role: Role(st.Role), Restricted: ss.Restricted,
		IP: ss.IP, Created: ss.Created, LastSeen: ss.LastSeen, Expires: ss.Created.Add(maxAge), IdleTimeout: idle}
}

// Authenticate finds the session of a bearer token. It fails with ErrSessionInvalid when the
// token is unknown, the session idle or old past its shop's limits (SessionIdleTimeout and
// SessionMaxAge unless the shop set stricter ones; then it is deleted), or its member
// disabled. It refreshes the idle time. The role and the limits are read afresh, so a role
// change or stricter limits apply to open sessions at once.
func (s *Staff) Authenticate(ctx context.Context, token string) (Session, error) {
	if !validToken(sessionPrefix, token) {
		return Session{}, ErrSessionInvalid
	}
	hash := tokenHash(token)
	ss, st, err := s.db.SessionByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return Session{}, ErrSessionInvalid
	}
	if err != nil {
		return Session{}, fmt.Errorf("reading session: %w", err)
	}
	idle, maxAge, err := s.sessionLimits(ctx, ss.Shop)
	if err != nil {
		return Session{}, err
	}
	now := s.now().UTC()
	if !now.Before(ss.LastSeen.Add(idle)) || !now.Before(ss.Created.Add(maxAge)) || st.Status != string(StatusActive) {
		if err := s.db.DeleteSession(ctx, hash); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Session{}, err
		}
		return Session{}, ErrSessionInvalid
	}
	if now.Sub(ss.LastSeen) >= sessionTouchEvery {
		if err := s.db.TouchSession(ctx, hash, now); err != nil && !errors.Is(err, store.ErrNotFound) {
			return Session{}, err
		}
		ss.LastSeen = now
	}
	return s.session(ss, st, "", idle, maxAge), nil
}

// Logout ends the session of token.
func (s *Staff) Logout(ctx context.Context, token string) error {
	if !validToken(sessionPrefix, token) {
		return ErrSessionInvalid
	}
	hash := tokenHash(token)
	ss, _, err := s.db.SessionByHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return ErrSessionInvalid
	}
	if err != nil {
		return err
	}
	if err := s.db.DeleteSession(ctx, hash); errors.Is(err, store.ErrNotFound) {
		return ErrSessionInvalid
	} else if err != nil {
		return err
	}
	return s.notify(ctx, Notice{Kind: NoticeLogout, Shop: ss.Shop, StaffID: ss.StaffID})
}

// ipKey is the network failures are counted by: the address for IPv4, the /64 for IPv6
// (one subscriber usually holds a whole /64 and can hop inside it freely).
func ipKey(ip string) string {
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return "invalid"
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return p.String()
	}
	return a.String()
}

// fingerprint is what staff_known keeps of an IP or device: its SHA-256.
func fingerprint(v string) string {
	h := sha256.Sum256([]byte(v))
	return string(h[:])
}
