package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/vault"
)

func init() {
	register(&Command{Name: "apikey create", Summary: "create an API key for a shop; prints only the key", Run: runAPIKeyCreate})
	register(&Command{Name: "apikey list", Summary: "list a shop's API keys (never their secrets)", Run: runAPIKeyList})
	register(&Command{Name: "apikey revoke", Summary: "revoke an API key at once", Run: runAPIKeyRevoke})
}

func runAPIKeyCreate(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "apikey create", "apikey create --name NAME --scope SCOPE[,SCOPE…] [flags]",
		"Creates an API key and prints it, alone, on standard output. It is shown only once;\n"+
			"kinko keeps its hash. Scopes: "+strings.Join(access.AllScopes, ", ")+" (admin implies all;\n"+
			access.ScopeCustomersReadMasked+" limits the key to masked reads, as owners see customers, with no reveal).\n"+
			"--allow-ip limits where the key may be used from; a request from elsewhere is refused\n"+
			"(403 ip_not_allowed) and recorded in the audit trail. --expires ends it at a date.")
	cf := addCommonFlags(fs)
	name := fs.String("name", "", "what the key is for, e.g. shop-backend (required)")
	scope := fs.String("scope", "", "comma-separated scopes (required)")
	shop := fs.String("shop", vault.DefaultShop, "shop the key belongs to")
	var allow []string
	fs.Func("allow-ip", "a network (CIDR) or address the key may be used from; repeatable or comma-separated (default: anywhere)", func(v string) error {
		allow = append(allow, strings.Split(v, ",")...)
		return nil
	})
	expires := fs.String("expires", "", "when the key stops working: a date (2026-03-31, end of that day UTC), an RFC 3339 time, or a duration from now (2160h)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return UsageError{Msg: "--name is required"}
	}
	scopes, err := access.ParseScopes(*scope)
	if err != nil {
		return UsageError{Msg: "--scope: " + err.Error()}
	}
	var lim access.KeyLimits
	for _, a := range allow {
		if strings.TrimSpace(a) == "" {
			continue
		}
		p, err := access.ParseCIDR(a)
		if err != nil {
			return UsageError{Msg: "--allow-ip: " + err.Error()}
		}
		lim.AllowIPs = append(lim.AllowIPs, p)
	}
	if *expires != "" {
		if lim.Expires, err = parseExpiry(*expires, time.Now()); err != nil {
			return UsageError{Msg: "--expires: " + err.Error()}
		}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	shopID, err := s.shopID(ctx, *shop)
	if err != nil {
		return err
	}
	secret, err := s.createKey(ctx, shopID, *name, scopes, lim)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.Stdout, secret)
	return nil
}

// createKey creates a key and records it in the audit trail (actor system: the command
// line runs with the data folder's rights). An unrecorded key must not exist: if the event
// cannot be written the key is revoked and nothing is shown.
func (s *services) createKey(ctx context.Context, shopID, name string, scopes []string, lim access.KeyLimits) (string, error) {
	id, secret, err := s.api.CreateLimited(ctx, shopID, name, scopes, lim)
	if err != nil {
		return "", err
	}
	ev := audit.Event{Actor: "system", Action: audit.ActionKeyCreated, Shop: shopID, Reason: access.KeyAuditReason(id, scopes, lim), Outcome: audit.OK}
	if err := s.trail.Append(ctx, ev); err != nil {
		return "", errors.Join(fmt.Errorf("the audit trail cannot record the new key, so it was revoked: %w", err), s.api.Revoke(ctx, shopID, id))
	}
	return secret, nil
}

func runAPIKeyList(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "apikey list", "apikey list [flags]", "Lists a shop's API keys: id, name, scopes, created, revoked. Secrets are never shown.")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop whose keys to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	shopID, err := s.shopID(ctx, *shop)
	if err != nil {
		return err
	}
	keys, err := s.api.List(ctx, shopID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tALLOWED IPS\tEXPIRES\tCREATED\tREVOKED")
	for _, k := range keys {
		rev, exp, ips := "-", "-", "any"
		if k.Revoked != nil {
			rev = k.Revoked.Format(time.RFC3339)
		}
		if k.Expires != nil {
			exp = k.Expires.Format(time.RFC3339)
		}
		if len(k.AllowedIPs) > 0 {
			ips = strings.Join(k.AllowedIPs, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", k.ID, k.Name, strings.Join(k.Scopes, ","), ips, exp, k.Created.Format(time.RFC3339), rev)
	}
	return tw.Flush()
}

func runAPIKeyRevoke(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "apikey revoke", "apikey revoke [flags] KEY_ID", "Revokes the API key with id KEY_ID (see kinko apikey list); it stops working at once.")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop the key belongs to")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return UsageError{Msg: "give exactly one KEY_ID"}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	shopID, err := s.shopID(ctx, *shop)
	if err != nil {
		return err
	}
	if err := s.api.Revoke(ctx, shopID, fs.Arg(0)); err != nil {
		return fmt.Errorf("no active key %q in shop %q", fs.Arg(0), *shop)
	}
	// Revoking is containment: it stands even if the trail then cannot record it.
	ev := audit.Event{Actor: "system", Action: audit.ActionKeyRevoked, Shop: shopID, Reason: fs.Arg(0), Outcome: audit.OK}
	if err := s.trail.Append(ctx, ev); err != nil {
		return fmt.Errorf("revoked %s, but the audit trail cannot record it: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.Stderr, "Revoked %s.\n", fs.Arg(0))
	return nil
}

func openFromFlags(ctx context.Context, e *Env, cf *commonFlags) (*services, error) {
	cfg, err := cf.load(e)
	if err != nil {
		return nil, err
	}
	return openServices(ctx, cfg)
}

// parseExpiry reads --expires: a date (the key works through that day, UTC), an RFC 3339
// time, or a duration from now.
func parseExpiry(v string, now time.Time) (time.Time, error) {
	var t time.Time
	if d, err := time.ParseDuration(v); err == nil {
		t = now.Add(d)
	} else if day, err := time.Parse(time.DateOnly, v); err == nil {
		t = day.AddDate(0, 0, 1)
	} else if t, err = time.Parse(time.RFC3339, v); err != nil {
		return time.Time{}, errors.New("give a date (2026-03-31), an RFC 3339 time or a duration (2160h)")
	}
	if !t.After(now) {
		return time.Time{}, errors.New("the expiry must be in the future")
	}
	return t.UTC(), nil
}
