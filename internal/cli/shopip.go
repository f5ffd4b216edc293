package cli

import (
	"context"
	"fmt"

	"github.com/kinko-jp/kinko/internal/vault"
)

func init() {
	register(&Command{Name: "shop allow-ip", Summary: "add, remove or list the networks a shop's staff may log in from", Run: runShopAllowIP})
}

func runShopAllowIP(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "shop allow-ip", "shop allow-ip [flags] add|remove CIDR… | list",
		"Manages the shop's staff IP allow-list. Empty (the default), staff may log in from\n"+
			"anywhere; once it names a network, a login from anywhere else is refused (403) and the\n"+
			"owner is told. CIDR: a network (203.0.113.0/24, 2001:db8::/48) or one address.\n"+
			"Existing sessions are not ended: revoke them with kinko user revoke-sessions.")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop whose allow-list to change")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return UsageError{Msg: "give add, remove or list"}
	}
	verb := fs.Arg(0)
	// Flags may also follow the verb: shop allow-ip add --data D 10.0.0.0/8.
	if err := parseFlags(fs, fs.Args()[1:]); err != nil {
		return err
	}
	nets := fs.Args()
	switch verb {
	case "add", "remove":
		if len(nets) == 0 {
			return UsageError{Msg: verb + ": give at least one CIDR"}
		}
	case "list":
		if len(nets) > 0 {
			return UsageError{Msg: "list takes no CIDR"}
		}
	default:
		return UsageError{Msg: fmt.Sprintf("unknown action %q: give add, remove or list", verb)}
	}
	s, st, shopID, err := openStaff(ctx, e, cf, *shop)
	if err != nil {
		return err
	}
	defer s.Close()
	switch verb {
	case "add":
		before, err := st.AllowedIPs(ctx, shopID)
		if err != nil {
			return err
		}
		for _, n := range nets {
			p, err := st.AllowIP(ctx, shopID, n)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "Allowed %s.\n", p)
		}
		if len(before) == 0 {
			fmt.Fprintf(e.Stderr, "From now on staff of shop %q can log in only from the listed networks.\n", *shop)
		}
	case "remove":
		for _, n := range nets {
			p, err := st.DisallowIP(ctx, shopID, n)
			if err != nil {
				return fmt.Errorf("%s: %w", n, err)
			}
			fmt.Fprintf(e.Stderr, "Removed %s.\n", p)
		}
		if after, err := st.AllowedIPs(ctx, shopID); err == nil && len(after) == 0 {
			fmt.Fprintf(e.Stderr, "The list is empty: staff of shop %q may log in from any address.\n", *shop)
		}
	case "list":
		list, err := st.AllowedIPs(ctx, shopID)
		if err != nil {
			return err
		}
		if len(list) == 0 {
			fmt.Fprintf(e.Stderr, "The list is empty: staff of shop %q may log in from any address.\n", *shop)
		}
		for _, p := range list {
			fmt.Fprintln(e.Stdout, p)
		}
	}
	return nil
}
