package access

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// TestShopSessionLimits: a shop's stricter limits end sessions sooner (idle and absolute,
// injected clock), laxer ones are refused, and another shop keeps the defaults.
func TestShopSessionLimits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, testParams)
		ctx := context.Background()
		_, codes := f.enrolled("a@example.jp", pw, RoleSupport)
		if set, err := f.s.ShopSettings(ctx, testShop); err != nil || set.IdleTimeout != SessionIdleTimeout || set.MaxAge != SessionMaxAge || set.DisplayName != "" {
			t.Fatalf("defaults: %+v, %v", set, err)
		}
		for _, c := range []struct{ idle, max time.Duration }{
			{16 * time.Minute, time.Hour}, {4 * time.Minute, time.Hour}, {10 * time.Minute, 13 * time.Hour},
			{10 * time.Minute, 59 * time.Minute}, {0, 0},
		} {
			if err := f.s.SetSessionLimits(ctx, testShop, c.idle, c.max); !errors.Is(err, ErrTimeoutRange) {
				t.Errorf("idle %v, absolute %v: %v", c.idle, c.max, err)
			}
		}
		f.clearNotices()
		if err := f.s.SetSessionLimits(ctx, testShop, 5*time.Minute, time.Hour); err != nil {
			t.Fatal(err)
		}
		if !f.hasNotice(NoticeShopSettingsChanged) {
			t.Error("the change is not noticed")
		}

		// Idle: alive at 4:59 after the last use, gone at 5:00.
		s1, err := f.login("a@example.jp", pw, codes[0], "192.0.2.1")
		if err != nil || s1.IdleTimeout != 5*time.Minute || !s1.Expires.Equal(s1.Created.Add(time.Hour)) {
			t.Fatalf("login: %+v, %v", s1, err)
		}
		f.clock.add(5*time.Minute - time.Second)
		if got, err := f.s.Authenticate(ctx, s1.Token); err != nil || got.IdleTimeout != 5*time.Minute {
			t.Fatalf("at 4:59 idle: %v", err)
		}
		f.clock.add(5 * time.Minute)
		if _, err := f.s.Authenticate(ctx, s1.Token); !errors.Is(err, ErrSessionInvalid) {
			t.Fatalf("after 5 minutes idle: %v", err)
		}

		// Absolute: busy every 4 minutes, still ended at one hour.
		s2, err := f.login("a@example.jp", pw, codes[1], "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		for elapsed := 4 * time.Minute; elapsed < time.Hour; elapsed += 4 * time.Minute {
			f.clock.add(4 * time.Minute)
			if _, err := f.s.Authenticate(ctx, s2.Token); err != nil {
				t.Fatalf("at %v: %v", elapsed, err)
			}
		}
		f.clock.add(4 * time.Minute)
		if _, err := f.s.Authenticate(ctx, s2.Token); !errors.Is(err, ErrSessionInvalid) {
			t.Fatalf("past one hour: %v", err)
		}

		// Limits made stricter apply to a session already open.
		if err := f.s.SetSessionLimits(ctx, testShop, 15*time.Minute, 12*time.Hour); err != nil {
			t.Fatal(err)
		}
		s3, _ := f.login("a@example.jp", pw, codes[2], "192.0.2.1")
		f.clock.add(10 * time.Minute)
		if err := f.s.SetSessionLimits(ctx, testShop, 6*time.Minute, 12*time.Hour); err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.Authenticate(ctx, s3.Token); !errors.Is(err, ErrSessionInvalid) {
			t.Fatalf("an open session outlived a stricter limit: %v", err)
		}

		// The display name is the shop's own; bad names are refused.
		if err := f.s.SetDisplayName(ctx, testShop, "  金庫ストア 本店  "); err != nil {
			t.Fatal(err)
		}
		if set, _ := f.s.ShopSettings(ctx, testShop); set.DisplayName != "金庫ストア 本店" || set.IdleTimeout != 6*time.Minute {
			t.Fatalf("settings: %+v", set)
		}
		for _, bad := range []string{strings.Repeat("名", DisplayNameMax+1), "two\nlines", "tab\there"} {
			if err := f.s.SetDisplayName(ctx, testShop, bad); !errors.Is(err, ErrDisplayName) {
				t.Errorf("%q: %v", bad, err)
			}
		}
	})
}
