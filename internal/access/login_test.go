package access

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/seal"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// testParams make argon2id cheap so tests that log in hundreds of times stay fast; the
// production parameters are measured by BenchmarkPasswordHash and used by TestEqualWork.
var testParams = PasswordParams{Time: 1, MemoryKiB: 64, Threads: 1, SaltLen: 16, KeyLen: 32}

// testKeys derives like a keyring with one master version.
type testKeys struct{ root []byte }

func (k testKeys) Derive(purpose string) (uint32, []byte, error) {
	key, err := seal.Derive(k.root, purpose)
	return 1, key, err
}

func (k testKeys) DeriveVersion(v uint32, purpose string) ([]byte, error) {
	if v != 1 {
		return nil, errors.New("unknown version")
	}
	return seal.Derive(k.root, purpose)
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	t       *testing.T
	db      *store.DB
	file    string
	s       *Staff
	clock   *clock
	mu      sync.Mutex
	notices []Notice
}

const testShop = "shop1"

func newFixture(t *testing.T, b storetest.Backend, params PasswordParams) *fixture {
	t.Helper()
	ctx := context.Background()
	// A database of its own: subtests sharing a backend must not share shops and members.
	if b.Name == "postgres" {
		b = storetest.Postgres(t)
	} else {
		b = storetest.SQLite(t)
	}
	db, err := store.Open(ctx, b.DSN, store.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", b.Name, err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.CreateShop(ctx, store.Shop{ID: testShop, Name: "default", KeyVersion: 1, WrappedKey: []byte("w"), Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	root := make([]byte, 32)
	rand.Read(root)
	f := &fixture{t: t, db: db, file: b.File, clock: &clock{t: time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)}}
	f.s = NewStaff(db, testKeys{root}, StaffOptions{Now: f.clock.now, Password: params, Notify: func(_ context.Context, n Notice) error {
		f.mu.Lock()
		f.notices = append(f.notices, n)
		f.mu.Unlock()
		return nil
	}})
	return f
}

func (f *fixture) kinds() []NoticeKind {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []NoticeKind
	for _, n := range f.notices {
		out = append(out, n.Kind)
	}
	return out
}

func (f *fixture) clearNotices() { f.mu.Lock(); f.notices = nil; f.mu.Unlock() }

func (f *fixture) hasNotice(k NoticeKind) bool {
	for _, got := range f.kinds() {
		if got == k {
			return true
		}
	}
	return false
}

// enrolled adds a member with a password and confirmed 2FA and returns the TOTP secret and
// recovery codes. The clock moves on a step so the enrolment code is not the next login's.
func (f *fixture) enrolled(email, pw string, role Role) ([]byte, []string) {
	f.t.Helper()
	ctx := context.Background()
	m, token, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: email, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	e, err := f.s.NewEnrolment(ctx, m)
	if err != nil {
		f.t.Fatal(err)
	}
	codes, err := f.s.CompleteSetup(ctx, token, pw, e, TOTPCode(e.Secret, f.clock.now()))
	if err != nil {
		f.t.Fatal(err)
	}
	f.clock.add(TOTPPeriod)
	return e.Secret, codes
}

func (f *fixture) login(email, pw, otp, ip string) (Session, error) {
	return f.s.Login(context.Background(), LoginRequest{Shop: testShop, Email: email, Password: pw, OTP: otp, IP: ip, Device: "test-agent"})
}

const pw = "correct-horse-battery-9"

func TestLockout(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		type step struct {
			advance      time.Duration
			email, pass  string
			otp          string // "good" for the current code
			want         error
			wantSession  bool
			wantNoticeOf NoticeKind
		}
		const good = "good"
		fail := func(n int, email, pass, otp string, last error) []step {
			var out []step
			for i := 1; i <= n; i++ {
				want := ErrInvalidCredentials
				if i == n && last != nil {
					want = last
				}
				out = append(out, step{email: email, pass: pass, otp: otp, want: want})
			}
			return out
		}
		cat := func(parts ...[]step) []step {
			var out []step
			for _, p := range parts {
				out = append(out, p...)
			}
			return out
		}
		tests := []struct {
			name  string
			steps []step
		}{
			{"9 failures then the right password logs in", cat(fail(9, "a@example.jp", "wrong-password-123", good, nil),
				[]step{{email: "a@example.jp", pass: pw, otp: good, wantSession: true}})},
			{"the 10th failure locks, 30 minutes later it is released", cat(fail(10, "a@example.jp", "wrong-password-123", good, ErrLocked),
				[]step{
					{email: "a@example.jp", pass: pw, otp: good, want: ErrLocked, wantNoticeOf: NoticeLoginWhileLocked},
					// The lock started with the 10th failure, 30 s before the attempt above.
					{advance: 29*time.Minute + 29*time.Second, email: "a@example.jp", pass: pw, otp: good, want: ErrLocked},
					{advance: time.Second, email: "a@example.jp", pass: pw, otp: good, wantSession: true},
				})},
			{"a wrong 2FA code counts as a failure", cat(fail(10, "a@example.jp", pw, "000001", ErrLocked),
				[]step{{email: "a@example.jp", pass: pw, otp: good, want: ErrLocked}})},
			{"a missing 2FA code counts as a failure", cat(fail(10, "a@example.jp", pw, "", ErrLocked))},
			{"an unknown email locks exactly like a known one", cat(fail(10, "nobody@example.jp", pw, good, ErrLocked),
				[]step{{email: "nobody@example.jp", pass: pw, otp: good, want: ErrLocked}})},
			{"failures older than 30 minutes do not count", cat(fail(9, "a@example.jp", "wrong-password-123", good, nil),
				[]step{
					{advance: 31 * time.Minute, email: "a@example.jp", pass: "wrong-password-123", want: ErrInvalidCredentials},
					{email: "a@example.jp", pass: pw, otp: good, wantSession: true},
				})},
			{"a lock is per email", cat(fail(10, "a@example.jp", "wrong-password-123", good, ErrLocked),
				[]step{{email: "b@example.jp", pass: pw, otp: good, wantSession: true}})},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, b, testParams)
				secrets := map[string][]byte{}
				secrets["a@example.jp"], _ = f.enrolled("a@example.jp", pw, RoleSupport)
				secrets["b@example.jp"], _ = f.enrolled("b@example.jp", pw, RoleSupport)
				for i, st := range tt.steps {
					if st.advance == 0 {
						st.advance = TOTPPeriod // a fresh step: codes are one-time
					}
					f.clock.add(st.advance)
					otp := st.otp
					if otp == good && secrets[st.email] != nil {
						otp = TOTPCode(secrets[st.email], f.clock.now())
					}
					f.clearNotices()
					sess, err := f.login(st.email, st.pass, otp, "192.0.2.10")
					if !errors.Is(err, st.want) || (err == nil) != st.wantSession || (st.wantSession && sess.Token == "") {
						t.Fatalf("attempt %d: got %v (session %v), want %v", i+1, err, sess.Token != "", st.want)
					}
					if st.wantNoticeOf != "" && !f.hasNotice(st.wantNoticeOf) {
						t.Fatalf("attempt %d: no %s notice in %v", i+1, st.wantNoticeOf, f.kinds())
					}
					if errors.Is(st.want, ErrLocked) && i < len(tt.steps)-1 && tt.steps[i+1].want == nil && !f.hasNotice(NoticeLoginLocked) && !f.hasNotice(NoticeLoginWhileLocked) {
						t.Fatalf("attempt %d: a lock without a notice", i+1)
					}
				}
			})
		}
	})
}

// TestUnknownEmailAnswersLikeWrongPassword: same error, same message, same notice kind, no
// email in the notice, and (with production parameters) the same argon2 work.
func TestUnknownEmailAnswersLikeWrongPassword(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		f := newFixture(t, b, testParams)
		f.enrolled("known@example.jp", pw, RoleSupport)
		if _, _, err := f.s.Add(context.Background(), NewMember{Shop: testShop, Email: "nopass@example.jp", Role: RoleSupport}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.s.Add(context.Background(), NewMember{Shop: testShop, Email: "off@example.jp", Role: RoleSupport, Password: pw}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.SetStatus(context.Background(), testShop, "off@example.jp", StatusDisabled); err != nil {
			t.Fatal(err)
		}
		tests := []struct{ name, email, pass string }{
			{"wrong password", "known@example.jp", "wrong-password-123"},
			{"unknown email", "unknown@example.jp", "wrong-password-123"},
			{"not an email at all", "unknown", "wrong-password-123"},
			{"member without a password yet", "nopass@example.jp", pw},
			{"disabled member, right password", "off@example.jp", pw},
		}
		var first string
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clearNotices()
				_, err := f.login(tt.email, tt.pass, "123456", "192.0.2.20")
				if !errors.Is(err, ErrInvalidCredentials) {
					t.Fatalf("got %v", err)
				}
				if first == "" {
					first = err.Error()
				} else if err.Error() != first {
					t.Fatalf("message %q differs from %q", err.Error(), first)
				}
				ks := f.kinds()
				if len(ks) != 1 || ks[0] != NoticeLoginFailed {
					t.Fatalf("notices %v", ks)
				}
				if strings.Contains(fmt.Sprintf("%+v", f.notices), "@") {
					t.Fatal("a notice names an email address")
				}
			})
		}
	})
}

// TestEqualWork times logins with the production argon2id parameters: an unknown email
// must cost about what a wrong password costs (a dummy hash is verified).
func TestEqualWork(t *testing.T) {
	if testing.Short() {
		t.Skip("argon2id at production cost")
	}
	f := newFixture(t, storetest.SQLite(t), DefaultPasswordParams)
	if _, _, err := f.s.Add(context.Background(), NewMember{Shop: testShop, Email: "known@example.jp", Role: RoleSupport, Password: pw}); err != nil {
		t.Fatal(err)
	}
	measure := func(email string) time.Duration {
		best := time.Hour
		for range 3 {
			f.clock.add(time.Hour) // never locked
			start := time.Now()
			if _, err := f.login(email, "wrong-password-123", "", "192.0.2.30"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("got %v", err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	measure("warm@example.jp")
	known, unknown := measure("known@example.jp"), measure("unknown@example.jp")
	t.Logf("wrong password %v, unknown email %v", known, unknown)
	if unknown < known/2 || known < unknown/2 {
		t.Fatalf("unknown email %v vs wrong password %v: the work differs", unknown, known)
	}
}

func TestIPThrottle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		tests := []struct {
			name     string
			attacker func(i int) string // the address of the i-th failure
			victim   string             // the address that then logs in right
			want     error
		}{
			{"one IPv4 address across accounts", func(int) string { return "198.51.100.7" }, "198.51.100.7", ErrThrottled},
			{"another address is not throttled", func(int) string { return "198.51.100.7" }, "198.51.100.8", nil},
			{"hopping inside one IPv6 /64", func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) }, "2001:db8:1:2::ffff", ErrThrottled},
			{"another /64 is not throttled", func(i int) string { return fmt.Sprintf("2001:db8:1:2::%x", i+1) }, "2001:db8:1:3::1", nil},
			{"IPv4-mapped IPv6 is the IPv4 address", func(int) string { return "::ffff:198.51.100.9" }, "198.51.100.9", ErrThrottled},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, b, testParams)
				secret, _ := f.enrolled("staff@example.jp", pw, RoleSupport)
				for i := range DefaultLoginLimits.IPFailures {
					// One attempt per account: no account ever locks.
					_, err := f.login(fmt.Sprintf("victim%d@example.jp", i), "Winter2025!!x", "", tt.attacker(i))
					if !errors.Is(err, ErrInvalidCredentials) {
						t.Fatalf("failure %d: %v", i+1, err)
					}
				}
				f.clock.add(TOTPPeriod)
				_, err := f.login("staff@example.jp", pw, TOTPCode(secret, f.clock.now()), tt.victim)
				if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if tt.want != nil {
					if !f.hasNotice(NoticeLoginThrottled) {
						t.Fatal("no throttle notice")
					}
					f.clock.add(DefaultLoginLimits.Window)
					if _, err := f.login("staff@example.jp", pw, TOTPCode(secret, f.clock.now()), tt.victim); err != nil {
						t.Fatalf("after the window: %v", err)
					}
				}
			})
		}
	})
}

func TestAllowList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		f := newFixture(t, b, testParams)
		secret, _ := f.enrolled("staff@example.jp", pw, RoleSupport)
		try := func(ip string) error {
			f.clock.add(TOTPPeriod)
			_, err := f.login("staff@example.jp", pw, TOTPCode(secret, f.clock.now()), ip)
			return err
		}
		if err := try("203.0.113.50"); err != nil {
			t.Fatalf("an empty list must allow every address: %v", err)
		}
		for _, c := range []string{"127.0.0.2", "10.20.0.0/16", "2001:db8:aa::/48"} {
			if _, err := f.s.AllowIP(ctx, testShop, c); err != nil {
				t.Fatal(err)
			}
			f.clock.add(time.Second)
		}
		if _, err := f.s.AllowIP(ctx, testShop, "10.20.99.1/16"); err != nil { // the same network again
			t.Fatal(err)
		}
		list, _ := f.s.AllowedIPs(ctx, testShop)
		if fmt.Sprint(list) != "[127.0.0.2/32 10.20.0.0/16 2001:db8:aa::/48]" {
			t.Fatalf("list %v", list)
		}
		tests := []struct {
			ip   string
			want error
		}{
			{"127.0.0.2", nil},
			{"127.0.0.3", ErrIPNotAllowed},
			{"127.0.0.1", ErrIPNotAllowed},
			{"10.20.255.254", nil},
			{"10.21.0.1", ErrIPNotAllowed},
			{"::ffff:10.20.1.1", nil},
			{"2001:db8:aa:ffff::1", nil},
			{"2001:db8:ab::1", ErrIPNotAllowed},
			{"::1", ErrIPNotAllowed},
			{"not-an-ip", ErrIPNotAllowed},
		}
		for _, tt := range tests {
			t.Run(tt.ip, func(t *testing.T) {
				f.clearNotices()
				err := try(tt.ip)
				if !errors.Is(err, tt.want) || (tt.want == nil && err != nil) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if tt.want != nil && !f.hasNotice(NoticeLoginIPRefused) {
					t.Fatal("a refused address is not noticed")
				}
			})
		}
		if _, err := f.s.DisallowIP(ctx, testShop, "127.0.0.2/32"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.DisallowIP(ctx, testShop, "127.0.0.2"); !errors.Is(err, ErrNotInAllowList) {
			t.Fatalf("second removal: %v", err)
		}
		if err := try("127.0.0.2"); !errors.Is(err, ErrIPNotAllowed) {
			t.Fatalf("after removal: %v", err)
		}
	})
}

func TestParseCIDR(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1/32"},
		{"192.0.2.77/24", "192.0.2.0/24"},
		{" 2001:db8::1 ", "2001:db8::1/128"},
		{"2001:db8::1/32", "2001:db8::/32"},
		{"::ffff:192.0.2.1", "192.0.2.1/32"},
		{"::ffff:192.0.2.0/120", "192.0.2.0/24"},
		{"fe80::1%eth0", "fe80::1/128"},
		{"192.0.2.0/33", ""},
		{"example.jp", ""},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			p, err := ParseCIDR(tt.in)
			if tt.want == "" {
				if err == nil {
					t.Fatalf("accepted as %v", p)
				}
				return
			}
			if err != nil || p.String() != tt.want {
				t.Fatalf("got %v %v, want %s", p, err, tt.want)
			}
		})
	}
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		tests := []struct {
			name string
			run  func(t *testing.T, f *fixture, login func() Session)
		}{
			{"idle timeout after 15 minutes, refreshed by use", func(t *testing.T, f *fixture, login func() Session) {
				s := login()
				f.clock.add(14 * time.Minute)
				if _, err := f.s.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("at 14 min: %v", err)
				}
				f.clock.add(14 * time.Minute) // 28 min after login, 14 after last use
				if _, err := f.s.Authenticate(ctx, s.Token); err != nil {
					t.Fatalf("14 min after last use: %v", err)
				}
				f.clock.add(15 * time.Minute)
				if _, err := f.s.Authenticate(ctx, s.Token); !errors.Is(err, ErrSessionInvalid) {
					t.Fatalf("15 min idle: %v", err)
				}
			}},
			{"absolute timeout after 12 hours however busy", func(t *testing.T, f *fixture, login func() Session) {
				s := login()
				for elapsed := time.Duration(0); elapsed < SessionMaxAge-10*time.Minute; elapsed += 10 * time.Minute {
					f.clock.add(10 * time.Minute)
					if _, err := f.s.Authenticate(ctx, s.Token); err != nil {
						t.Fatalf("after %v: %v", elapsed+10*time.Minute, err)
					}
				}
				f.clock.add(10 * time.Minute)
				if _, err := f.s.Authenticate(ctx, s.Token); !errors.Is(err, ErrSessionInvalid) {
					t.Fatalf("at 12 h: %v", err)
				}
			}},
			{"logout ends only this session", func(t *testing.T, f *fixture, login func() Session) {
				a, b := login(), login()
				if err := f.s.Logout(ctx, a.Token); err != nil {
					t.Fatal(err)
				}
				if _, err := f.s.Authenticate(ctx, a.Token); !errors.Is(err, ErrSessionInvalid) {
					t.Fatalf("after logout: %v", err)
				}
				if err := f.s.Logout(ctx, a.Token); !errors.Is(err, ErrSessionInvalid) {
					t.Fatalf("second logout: %v", err)
				}
				if _, err := f.s.Authenticate(ctx, b.Token); err != nil {
					t.Fatalf("other session: %v", err)
				}
			}},
			{"revoke all ends every session", func(t *testing.T, f *fixture, login func() Session) {
				a, b := login(), login()
				n, err := f.s.RevokeAll(ctx, a.StaffID)
				if err != nil || n != 2 {
					t.Fatalf("revoked %d, %v", n, err)
				}
				for _, s := range []Session{a, b} {
					if _, err := f.s.Authenticate(ctx, s.Token); !errors.Is(err, ErrSessionInvalid) {
						t.Fatalf("after revoke: %v", err)
					}
				}
			}},
			{"disabling a member ends its sessions", func(t *testing.T, f *fixture, login func() Session) {
				s := login()
				if _, err := f.s.SetStatus(ctx, testShop, "staff@example.jp", StatusDisabled); err != nil {
					t.Fatal(err)
				}
				if _, err := f.s.Authenticate(ctx, s.Token); !errors.Is(err, ErrSessionInvalid) {
					t.Fatalf("disabled: %v", err)
				}
			}},
			{"a role change applies to open sessions and is noticed", func(t *testing.T, f *fixture, login func() Session) {
				s := login()
				if s.Role != RoleSupport {
					t.Fatalf("role %s", s.Role)
				}
				if _, err := f.s.SetRole(ctx, testShop, "staff@example.jp", RoleShipping); err != nil {
					t.Fatal(err)
				}
				got, err := f.s.Authenticate(ctx, s.Token)
				if err != nil || got.Role != RoleShipping || got.Token != "" {
					t.Fatalf("after role change: %+v %v", got.Role, err)
				}
				if !f.hasNotice(NoticeRoleChanged) {
					t.Fatal("role change not noticed")
				}
			}},
			{"junk tokens", func(t *testing.T, f *fixture, login func() Session) {
				s := login()
				last := "A" // one character off: never the token's own last character
				if strings.HasSuffix(s.Token, last) {
					last = "B"
				}
				for _, tok := range []string{"", "kinkos_", s.Token + "x", strings.Replace(s.Token, "kinkos_", "kinkou_", 1), s.Token[:len(s.Token)-1] + last} {
					if _, err := f.s.Authenticate(ctx, tok); !errors.Is(err, ErrSessionInvalid) {
						t.Fatalf("token accepted: %v", err)
					}
				}
			}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f := newFixture(t, b, testParams)
				secret, _ := f.enrolled("staff@example.jp", pw, RoleSupport)
				tt.run(t, f, func() Session {
					t.Helper()
					f.clock.add(TOTPPeriod)
					s, err := f.login("staff@example.jp", pw, TOTPCode(secret, f.clock.now()), "192.0.2.40")
					if err != nil || s.Restricted {
						t.Fatalf("login: %v (restricted %v)", err, s.Restricted)
					}
					return s
				})
			})
		}
	})
}

func TestSecondFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		f := newFixture(t, b, testParams)
		secret, codes := f.enrolled("staff@example.jp", pw, RoleSupport)
		if len(codes) != RecoveryCodeCount {
			t.Fatalf("%d recovery codes", len(codes))
		}

		code := TOTPCode(secret, f.clock.now())
		if _, err := f.login("staff@example.jp", pw, code, "192.0.2.50"); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := f.login("staff@example.jp", pw, code, "192.0.2.50"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("replayed code: %v", err)
		}
		f.clock.add(10 * time.Second) // same step, still within the window
		if _, err := f.login("staff@example.jp", pw, code, "192.0.2.50"); !errors.Is(err, ErrInvalidCredentials) {
			t.Fatalf("replayed code later in its step: %v", err)
		}

		tests := []struct {
			name string
			otp  string
			ok   bool
		}{
			{"recovery code", codes[0], true},
			{"the same recovery code again", codes[0], false},
			{"recovery code in capitals without dashes", strings.ToUpper(strings.ReplaceAll(codes[1], "-", "")), true},
			{"made-up recovery code", "aaaa-bbbb-cccc-dddd", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				f.clearNotices()
				_, err := f.login("staff@example.jp", pw, tt.otp, "192.0.2.50")
				if (err == nil) != tt.ok {
					t.Fatalf("got %v", err)
				}
				if tt.ok && !f.hasNotice(NoticeRecoveryCodeUsed) {
					t.Fatal("recovery code use not noticed")
				}
			})
		}
		if n, _ := f.db.RecoveryCodesLeft(ctx, mustMember(t, f, "staff@example.jp").ID); n != RecoveryCodeCount-2 {
			t.Fatalf("%d codes left", n)
		}

		t.Run("reset 2FA gives an enrolment session", func(t *testing.T) {
			if _, err := f.s.ResetTOTP(ctx, testShop, "staff@example.jp"); err != nil {
				t.Fatal(err)
			}
			if !f.hasNotice(NoticeTOTPReset) {
				t.Fatal("reset not noticed")
			}
			s, err := f.login("staff@example.jp", pw, "", "192.0.2.50")
			if err != nil || !s.Restricted || !errors.Is(s.RequireFull(), ErrEnrolmentRequired) {
				t.Fatalf("login after reset: %v restricted=%v", err, s.Restricted)
			}
			e, err := f.s.BeginEnrolment(ctx, s)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.ConfirmEnrolment(ctx, s, "000000"+"0", "192.0.2.50"); !errors.Is(err, ErrTOTPInvalid) {
				t.Fatalf("wrong confirmation: %v", err)
			}
			codes, err := f.s.ConfirmEnrolment(ctx, s, TOTPCode(e.Secret, f.clock.now()), "192.0.2.50")
			if err != nil || len(codes) != RecoveryCodeCount {
				t.Fatalf("confirm: %v", err)
			}
			got, err := f.s.Authenticate(ctx, s.Token)
			if err != nil || got.Restricted {
				t.Fatalf("after enrolment the session is full: %v %v", err, got.Restricted)
			}
			if _, err := f.s.BeginEnrolment(ctx, got); !errors.Is(err, ErrAlreadyEnroled) {
				t.Fatalf("second enrolment: %v", err)
			}
			// The old secret is gone.
			f.clock.add(TOTPPeriod)
			if _, err := f.login("staff@example.jp", pw, TOTPCode(secret, f.clock.now()), "192.0.2.50"); !errors.Is(err, ErrInvalidCredentials) {
				t.Fatalf("old secret after reset: %v", err)
			}
			if _, err := f.login("staff@example.jp", pw, TOTPCode(e.Secret, f.clock.now()), "192.0.2.50"); err != nil {
				t.Fatalf("new secret: %v", err)
			}
		})
	})
}

func mustMember(t *testing.T, f *fixture, email string) Member {
	t.Helper()
	m, err := f.s.Get(context.Background(), testShop, email)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSetupAndNotices(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		f := newFixture(t, b, testParams)
		m, token, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: " Owner@Example.JP ", Role: RoleOwner})
		if err != nil || m.Email != "owner@example.jp" || !m.SetupPending || m.PasswordSet || m.TOTPEnrolled {
			t.Fatalf("add: %+v %v", m, err)
		}
		if _, _, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "owner@example.jp", Role: RoleSupport}); !errors.Is(err, ErrStaffExists) {
			t.Fatalf("duplicate: %v", err)
		}
		if _, _, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "x@example.jp", Role: RoleSupport, Password: "short"}); !errors.Is(err, ErrPasswordShort) {
			t.Fatalf("short password: %v", err)
		}
		if _, _, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "x@example.jp", Role: "root"}); err == nil {
			t.Fatal("unknown role accepted")
		}
		e, err := f.s.NewEnrolment(ctx, m)
		if err != nil {
			t.Fatal(err)
		}
		now := f.clock.now()
		steps := []struct {
			name             string
			token, pass, otp string
			want             error
		}{
			{"a junk token", "kinkou_nope", pw, TOTPCode(e.Secret, now), ErrSetupInvalid},
			{"a common password", token, "password1234", TOTPCode(e.Secret, now), ErrPasswordCommon},
			{"no password", token, "", TOTPCode(e.Secret, now), ErrPasswordShort},
			{"a wrong code", token, pw, "00000", ErrTOTPInvalid},
			{"all right", token, pw, TOTPCode(e.Secret, now), nil},
			{"the link is used up", token, pw, TOTPCode(e.Secret, now), ErrSetupInvalid},
		}
		for _, st := range steps {
			t.Run(st.name, func(t *testing.T) {
				codes, err := f.s.CompleteSetup(ctx, st.token, st.pass, e, st.otp)
				if !errors.Is(err, st.want) || (st.want == nil && err != nil) {
					t.Fatalf("got %v, want %v", err, st.want)
				}
				if err == nil && len(codes) != RecoveryCodeCount {
					t.Fatalf("%d recovery codes", len(codes))
				}
			})
		}

		t.Run("an expired link", func(t *testing.T) {
			_, tok, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "late@example.jp", Role: RoleSupport})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.s.SetupInfo(ctx, tok); err != nil {
				t.Fatalf("fresh link: %v", err)
			}
			f.clock.add(SetupLinkTTL)
			if _, err := f.s.SetupInfo(ctx, tok); !errors.Is(err, ErrSetupInvalid) {
				t.Fatalf("expired link: %v", err)
			}
		})

		t.Run("first login from an IP and a device is noticed, the second is not", func(t *testing.T) {
			f.clock.add(TOTPPeriod)
			f.clearNotices()
			if _, err := f.login("owner@example.jp", pw, TOTPCode(e.Secret, f.clock.now()), "192.0.2.60"); err != nil {
				t.Fatal(err)
			}
			if !f.hasNotice(NoticeNewIP) || !f.hasNotice(NoticeNewDevice) || !f.hasNotice(NoticeLoginSucceeded) {
				t.Fatalf("notices %v", f.kinds())
			}
			f.clock.add(TOTPPeriod)
			f.clearNotices()
			if _, err := f.login("owner@example.jp", pw, TOTPCode(e.Secret, f.clock.now()), "192.0.2.60"); err != nil {
				t.Fatal(err)
			}
			if f.hasNotice(NoticeNewIP) || f.hasNotice(NoticeNewDevice) {
				t.Fatalf("notices %v", f.kinds())
			}
			m := mustMember(t, f, "owner@example.jp")
			if m.LastLoginIP != "192.0.2.60" || !m.LastLogin.Equal(f.clock.now()) {
				t.Fatalf("last login %v %s", m.LastLogin, m.LastLoginIP)
			}
		})

		t.Run("the last owner stays", func(t *testing.T) {
			if _, err := f.s.SetRole(ctx, testShop, "owner@example.jp", RoleAdmin); !errors.Is(err, ErrLastOwner) {
				t.Fatalf("demote: %v", err)
			}
			if _, err := f.s.SetStatus(ctx, testShop, "owner@example.jp", StatusDisabled); !errors.Is(err, ErrLastOwner) {
				t.Fatalf("disable: %v", err)
			}
		})

		t.Run("a notice that cannot be recorded fails the login", func(t *testing.T) {
			f.s.onNotice = func(context.Context, Notice) error { return errors.New("audit down") }
			defer func() { f.s.onNotice = nil }()
			f.clock.add(TOTPPeriod)
			if s, err := f.login("owner@example.jp", pw, TOTPCode(e.Secret, f.clock.now()), "192.0.2.60"); err == nil || s.Token != "" {
				t.Fatalf("login with the audit down: %v", err)
			}
		})
	})
}

// TestNoSecretsStored searches the SQLite file for every secret a login involves.
func TestNoSecretsStored(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), testParams)
	ctx := context.Background()
	m, token, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "staff@example.jp", Role: RoleSupport})
	if err != nil {
		t.Fatal(err)
	}
	e, _ := f.s.NewEnrolment(ctx, m)
	codes, err := f.s.CompleteSetup(ctx, token, pw, e, TOTPCode(e.Secret, f.clock.now()))
	if err != nil {
		t.Fatal(err)
	}
	f.clock.add(TOTPPeriod)
	s, err := f.login("staff@example.jp", pw, TOTPCode(e.Secret, f.clock.now()), "192.0.2.70")
	if err != nil {
		t.Fatal(err)
	}
	f.login("someone.else@example.jp", "guess-guess-guess", "", "192.0.2.71")
	if err := f.db.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	f.db.Close()
	raw, err := os.ReadFile(f.file)
	if err != nil {
		t.Fatal(err)
	}
	wal, _ := os.ReadFile(f.file + "-wal")
	raw = append(raw, wal...)
	secrets := map[string][]byte{
		"password": []byte(pw), "setup token": []byte(token), "session token": []byte(s.Token),
		"TOTP secret": e.Secret, "TOTP secret in base32": []byte(e.Base32), "recovery code": []byte(codes[0]),
		"recovery code without dashes":  []byte(strings.ReplaceAll(codes[0], "-", "")),
		"an email that is not a member": []byte("someone.else"),
	}
	for name, v := range secrets {
		if bytes.Contains(raw, v) {
			t.Errorf("the database file holds the %s", name)
		}
	}
	if !bytes.Contains(raw, []byte("staff@example.jp")) {
		t.Error("the member's work email should be stored in clear (it is the login name)")
	}
}
