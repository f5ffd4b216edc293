package access

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/kinko-jp/kinko/internal/store"
)

// A shop's owner may make its staff sessions stricter than the defaults, never laxer:
// PCI DSS 8.2.8 caps the idle time at 15 minutes (SessionIdleTimeout) and a working day
// bounds a session (SessionMaxAge). The floors keep a shop usable: under 5 minutes idle a
// member reading a customer's history is logged out mid-thought, under an hour a shift
// becomes a series of logins.
const (
	MinSessionIdleTimeout = 5 * time.Minute
	MinSessionMaxAge      = time.Hour
)

// DisplayNameMax bounds a shop's display name (characters).
const DisplayNameMax = 64

// Errors of shop settings; their messages are safe to show.
var (
	ErrTimeoutRange = fmt.Errorf("session limits may only be made stricter: idle %v to %v, absolute %v to %v",
		MinSessionIdleTimeout, SessionIdleTimeout, MinSessionMaxAge, SessionMaxAge)
	ErrDisplayName = fmt.Errorf("a display name is at most %d characters on one line", DisplayNameMax)
)

// ShopSettings are what a shop's owner sets: a display name for the console's header (the
// shop's name is its login identifier and does not change) and its session limits.
type ShopSettings struct {
	DisplayName string
	IdleTimeout time.Duration // in force: the shop's own, or SessionIdleTimeout
	MaxAge      time.Duration // in force: the shop's own, or SessionMaxAge
}

// ShopSettings returns a shop's settings, defaults filled in.
func (s *Staff) ShopSettings(ctx context.Context, shop string) (ShopSettings, error) {
	st, err := s.db.ShopSettings(ctx, shop)
	if err != nil {
		return ShopSettings{}, fmt.Errorf("reading shop settings: %w", err)
	}
	return settingsFrom(st), nil
}

// settingsFrom fills in the defaults and ignores a stored value outside the allowed range
// (a row edited by hand cannot make sessions laxer than PCI DSS allows).
func settingsFrom(st store.ShopSettings) ShopSettings {
	out := ShopSettings{DisplayName: st.DisplayName, IdleTimeout: SessionIdleTimeout, MaxAge: SessionMaxAge}
	if st.IdleTimeout >= MinSessionIdleTimeout && st.IdleTimeout <= SessionIdleTimeout {
		out.IdleTimeout = st.IdleTimeout
	}
	if st.MaxAge >= MinSessionMaxAge && st.MaxAge <= SessionMaxAge {
		out.MaxAge = st.MaxAge
	}
	return out
}

// SetSessionLimits sets a shop's idle and absolute session limits; each must lie between
// its floor and the default (ErrTimeoutRange). Open sessions follow the new limits at their
// next request.
func (s *Staff) SetSessionLimits(ctx context.Context, shop string, idle, maxAge time.Duration) error {
	if idle < MinSessionIdleTimeout || idle > SessionIdleTimeout || maxAge < MinSessionMaxAge || maxAge > SessionMaxAge {
		return ErrTimeoutRange
	}
	if _, err := s.db.UpdateShopSettings(ctx, shop, s.now().UTC(), func(st *store.ShopSettings) error {
		st.IdleTimeout, st.MaxAge = idle, maxAge
		return nil
	}); err != nil {
		return err
	}
	return s.notify(ctx, Notice{Kind: NoticeShopSettingsChanged, Shop: shop, Detail: fmt.Sprintf("session idle %v, absolute %v", idle, maxAge)})
}

// SetDisplayName sets the name the console shows for a shop ("" shows the shop's name).
func (s *Staff) SetDisplayName(ctx context.Context, shop, name string) error {
	name = strings.TrimSpace(name)
	if utf8.RuneCountInString(name) > DisplayNameMax || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsControl) >= 0 {
		return ErrDisplayName
	}
	if _, err := s.db.UpdateShopSettings(ctx, shop, s.now().UTC(), func(st *store.ShopSettings) error {
		st.DisplayName = name
		return nil
	}); err != nil {
		return err
	}
	return s.notify(ctx, Notice{Kind: NoticeShopSettingsChanged, Shop: shop, Detail: "display name"})
}

// sessionLimits are the idle and absolute limits in force for a shop's sessions.
func (s *Staff) sessionLimits(ctx context.Context, shop string) (idle, maxAge time.Duration, err error) {
	set, err := s.ShopSettings(ctx, shop)
	if err != nil {
		return 0, 0, err
	}
	return set.IdleTimeout, set.MaxAge, nil
}
