package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"
)

func init() {
	register(&Command{Name: "shop create", Summary: "add a shop (tenant) with its own keys", Run: runShopCreate})
	register(&Command{Name: "shop list", Summary: "list shops", Run: runShopList})
}

func runShopCreate(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "shop create", "shop create [flags] NAME",
		"Adds a shop: its own root key (wrapped by the master key) and blind-index keys. An API\n"+
			"key belongs to one shop and never sees another's customers. NAME: lower-case letters,\n"+
			"digits and hyphens. Create its keys with kinko apikey create --shop NAME.")
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return UsageError{Msg: "give exactly one shop NAME"}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.vault.CreateShop(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "Created shop %q.\n", fs.Arg(0))
	return nil
}

func runShopList(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "shop list", "shop list [flags]", "Lists the shops on this server.")
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	shops, err := s.db.Shops(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tCREATED")
	for _, sh := range shops {
		fmt.Fprintf(tw, "%s\t%s\n", sh.Name, sh.Created.Format(time.RFC3339))
	}
	return tw.Flush()
}
