package access

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/kinko-jp/kinko/internal/store"
)

// A shop's IP allow-list limits where its staff may log in from. An empty list allows every
// address (a fresh install must stay reachable); once it names a network, logins from
// anywhere else are refused with ErrIPNotAllowed and noticed. It is checked at login.
// API keys carry their own allow-list (KeyLimits), checked on every request.

// ParseCIDR reads a network (192.0.2.0/24, 2001:db8::/32) or a single address (taken as
// /32 or /128) and returns it in canonical form: host bits cleared, IPv4-mapped IPv6
// written as IPv4.
func ParseCIDR(s string) (netip.Prefix, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "/") {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR network", s)
		}
		a = a.Unmap().WithZone("")
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not an IP address or CIDR network", s)
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	return p.Masked(), nil
}

// AllowIP adds a network to a shop's allow-list and returns it in canonical form.
func (s *Staff) AllowIP(ctx context.Context, shop, cidr string) (netip.Prefix, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return netip.Prefix{}, err
	}
	if err := s.db.AddShopCIDR(ctx, shop, p.String(), s.now().UTC()); err != nil {
		return netip.Prefix{}, err
	}
	return p, s.notify(ctx, Notice{Kind: NoticeAllowListChanged, Shop: shop, Detail: "added " + p.String()})
}

// ErrNotInAllowList: the network to remove is not in the list.
var ErrNotInAllowList = errors.New("that network is not in the allow-list")

// DisallowIP removes a network from a shop's allow-list.
func (s *Staff) DisallowIP(ctx context.Context, shop, cidr string) (netip.Prefix, error) {
	p, err := ParseCIDR(cidr)
	if err != nil {
		return netip.Prefix{}, err
	}
	if err := s.db.RemoveShopCIDR(ctx, shop, p.String()); errors.Is(err, store.ErrNotFound) {
		return netip.Prefix{}, ErrNotInAllowList
	} else if err != nil {
		return netip.Prefix{}, err
	}
	return p, s.notify(ctx, Notice{Kind: NoticeAllowListChanged, Shop: shop, Detail: "removed " + p.String()})
}

// AllowedIPs lists a shop's allow-list (empty: every address may log in).
func (s *Staff) AllowedIPs(ctx context.Context, shop string) ([]netip.Prefix, error) {
	rows, err := s.db.ShopCIDRs(ctx, shop)
	if err != nil {
		return nil, err
	}
	out := make([]netip.Prefix, 0, len(rows))
	for _, r := range rows {
		p, err := netip.ParsePrefix(r)
		if err != nil {
			return nil, fmt.Errorf("allow-list of shop %s holds an invalid network", shop)
		}
		out = append(out, p)
	}
	return out, nil
}

// ipAllowed reports whether ip may log in to shop.
func (s *Staff) ipAllowed(ctx context.Context, shop, ip string) (bool, error) {
	list, err := s.AllowedIPs(ctx, shop)
	if err != nil {
		return false, err
	}
	return Allowed(list, ip), nil
}

// Allowed reports whether ip is inside one of list's networks; an empty list allows all,
// an address that does not parse is never allowed by a non-empty list.
func Allowed(list []netip.Prefix, ip string) bool {
	if len(list) == 0 {
		return true
	}
	a, err := netip.ParseAddr(strings.TrimSpace(ip))
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range list {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
