package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

func TestStaffConformance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		t.Parallel()
		ctx := context.Background()
		db := open(t, b)
		shop(t, db, "shopa", "a")
		shop(t, db, "shopb", "b")
		now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
		m := store.Staff{ID: "st1", Shop: "shopa", Email: "a@example.jp", Role: "support", Status: "active",
			SetupHash: []byte("setup-hash-1"), SetupExpires: now.Add(time.Hour), Created: now, Updated: now,
			RecoveryHashes: [][]byte{[]byte("r1"), []byte("r2")}}

		t.Run("create, conflict per shop, read", func(t *testing.T) {
			if err := db.CreateStaff(ctx, m); err != nil {
				t.Fatal(err)
			}
			dup := m
			dup.ID, dup.RecoveryHashes = "st2", nil
			if err := db.CreateStaff(ctx, dup); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("same email in the same shop: %v", err)
			}
			dup.Shop, dup.SetupHash = "shopb", []byte("setup-hash-2")
			if err := db.CreateStaff(ctx, dup); err != nil {
				t.Fatalf("same email in another shop: %v", err)
			}
			got, err := db.StaffByEmail(ctx, "shopa", "a@example.jp")
			if err != nil || got.ID != "st1" || got.PasswordHash != "" || got.TOTPConfirmed || !got.LastLogin.IsZero() || !got.SetupExpires.Equal(now.Add(time.Hour)) {
				t.Fatalf("by email: %+v %v", got, err)
			}
			if got, err := db.StaffBySetupHash(ctx, []byte("setup-hash-1")); err != nil || got.ID != "st1" {
				t.Fatalf("by setup hash: %v", err)
			}
			if _, err := db.StaffByEmail(ctx, "shopa", "nobody@example.jp"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown: %v", err)
			}
			if list, err := db.ListStaff(ctx, "shopb"); err != nil || len(list) != 1 || list[0].ID != "st2" {
				t.Fatalf("list is per shop: %v", err)
			}
		})

		t.Run("update is all or nothing", func(t *testing.T) {
			boom := errors.New("boom")
			if _, err := db.UpdateStaff(ctx, "st1", func(s *store.Staff) error { s.Role = "owner"; return boom }); !errors.Is(err, boom) {
				t.Fatalf("fn error: %v", err)
			}
			if got, _ := db.StaffByID(ctx, "st1"); got.Role != "support" {
				t.Fatal("a failed update wrote")
			}
			got, err := db.UpdateStaff(ctx, "st1", func(s *store.Staff) error {
				s.PasswordHash, s.TOTPSecret, s.TOTPKeyVersion, s.TOTPConfirmed, s.TOTPLastStep = "$argon2id$x", []byte("sealed"), 3, true, 42
				s.SetupHash, s.SetupExpires = nil, time.Time{}
				return nil
			})
			if err != nil || got.TOTPLastStep != 42 {
				t.Fatal(err)
			}
			got, _ = db.StaffByID(ctx, "st1")
			if got.PasswordHash != "$argon2id$x" || !bytes.Equal(got.TOTPSecret, []byte("sealed")) || got.TOTPKeyVersion != 3 || !got.TOTPConfirmed || got.SetupHash != nil {
				t.Fatalf("after update: %+v", got)
			}
			if _, err := db.UpdateStaff(ctx, "nope", func(*store.Staff) error { return nil }); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown id: %v", err)
			}
		})

		t.Run("recovery codes are one-time", func(t *testing.T) {
			if n, _ := db.RecoveryCodesLeft(ctx, "st1"); n != 2 {
				t.Fatalf("%d left", n)
			}
			if err := db.UseRecoveryCode(ctx, "st1", []byte("r1"), now); err != nil {
				t.Fatal(err)
			}
			if err := db.UseRecoveryCode(ctx, "st1", []byte("r1"), now); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second use: %v", err)
			}
			if err := db.UseRecoveryCode(ctx, "st2", []byte("r2"), now); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("another member's code: %v", err)
			}
			if _, err := db.UpdateStaff(ctx, "st1", func(s *store.Staff) error { s.RecoveryHashes = [][]byte{}; return nil }); err != nil {
				t.Fatal(err)
			}
			if n, _ := db.RecoveryCodesLeft(ctx, "st1"); n != 0 {
				t.Fatalf("%d left after clearing", n)
			}
		})

		t.Run("failures lock at the limit within the window", func(t *testing.T) {
			acct := []byte("account-1")
			for i := 1; i <= 3; i++ {
				locked, err := db.RecordLoginFailure(ctx, store.LoginFailure{Shop: "shopa", Account: acct, IP: "192.0.2.1", At: now.Add(time.Duration(i) * time.Minute)}, 30*time.Minute, 3, 30*time.Minute)
				if err != nil || locked != (i == 3) {
					t.Fatalf("failure %d: locked=%v %v", i, locked, err)
				}
			}
			until, ipFails, err := db.LoginState(ctx, "shopa", acct, "192.0.2.1", now)
			if err != nil || !until.Equal(now.Add(33*time.Minute)) || ipFails != 3 {
				t.Fatalf("state: %v %d %v", until, ipFails, err)
			}
			if until, _, _ := db.LoginState(ctx, "shopb", acct, "192.0.2.1", now); !until.IsZero() {
				t.Fatal("a lock leaks to another shop")
			}
			if err := db.ClearLoginLock(ctx, "shopa", acct); err != nil {
				t.Fatal(err)
			}
			if until, _, _ := db.LoginState(ctx, "shopa", acct, "192.0.2.1", now); !until.IsZero() {
				t.Fatal("unlock did not clear")
			}
			// Old failures fall out of the window.
			locked, err := db.RecordLoginFailure(ctx, store.LoginFailure{Shop: "shopa", Account: acct, IP: "192.0.2.1", At: now.Add(2 * time.Hour)}, 30*time.Minute, 2, 30*time.Minute)
			if err != nil || locked {
				t.Fatalf("a failure 2 h later: locked=%v %v", locked, err)
			}
		})

		t.Run("login and sessions", func(t *testing.T) {
			sess := store.StaffSession{Hash: []byte("session-hash"), ID: "ses_1", StaffID: "st1", Shop: "shopa", Restricted: true, IP: "192.0.2.9", Created: now, LastSeen: now}
			first, err := db.RecordLogin(ctx, store.LoginSuccess{Shop: "shopa", Account: []byte("account-1"), Session: sess, Known: [][2]string{{"ip", "h1"}, {"device", "d1"}}, At: now})
			if err != nil || !first[0] || !first[1] {
				t.Fatalf("first login: %v %v", first, err)
			}
			sess2 := sess
			sess2.Hash, sess2.ID = []byte("session-hash-2"), "ses_2"
			first, err = db.RecordLogin(ctx, store.LoginSuccess{Shop: "shopa", Account: []byte("account-1"), Session: sess2, Known: [][2]string{{"ip", "h1"}, {"device", "d2"}}, At: now})
			if err != nil || first[0] || !first[1] {
				t.Fatalf("second login: %v %v", first, err)
			}
			got, member, err := db.SessionByHash(ctx, []byte("session-hash"))
			if err != nil || got.ID != "ses_1" || !got.Restricted || member.ID != "st1" || !member.LastLogin.Equal(now) || member.LastLoginIP != "192.0.2.9" {
				t.Fatalf("session: %+v %v", got, err)
			}
			if err := db.UnrestrictSessions(ctx, "st1"); err != nil {
				t.Fatal(err)
			}
			if err := db.TouchSession(ctx, []byte("session-hash"), now.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			got, _, _ = db.SessionByHash(ctx, []byte("session-hash"))
			if got.Restricted || !got.LastSeen.Equal(now.Add(time.Minute)) {
				t.Fatalf("after touch: %+v", got)
			}
			if err := db.DeleteSession(ctx, []byte("session-hash")); err != nil {
				t.Fatal(err)
			}
			if err := db.DeleteSession(ctx, []byte("session-hash")); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second delete: %v", err)
			}
			if n, err := db.DeleteStaffSessions(ctx, "st1"); err != nil || n != 1 {
				t.Fatalf("delete all: %d %v", n, err)
			}
		})

		t.Run("allow-list", func(t *testing.T) {
			for i, c := range []string{"10.0.0.0/8", "2001:db8::/32", "10.0.0.0/8"} {
				if err := db.AddShopCIDR(ctx, "shopa", c, now.Add(time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			list, err := db.ShopCIDRs(ctx, "shopa")
			if err != nil || len(list) != 2 || list[0] != "10.0.0.0/8" || list[1] != "2001:db8::/32" {
				t.Fatalf("list %v %v", list, err)
			}
			if other, _ := db.ShopCIDRs(ctx, "shopb"); len(other) != 0 {
				t.Fatal("allow-list leaks to another shop")
			}
			if err := db.RemoveShopCIDR(ctx, "shopa", "10.0.0.0/8"); err != nil {
				t.Fatal(err)
			}
			if err := db.RemoveShopCIDR(ctx, "shopa", "10.0.0.0/8"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second removal: %v", err)
			}
		})
	})
}
