package cli

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/kinko-jp/kinko/internal/vault"
)

func init() {
	register(&Command{Name: "keys rotate", Summary: "new master key version; re-wrap every data key; retire the old version", Run: runKeysRotate})
	register(&Command{Name: "keys status", Summary: "list master key versions and how many keys each wraps", Run: runKeysStatus})
}

func runKeysRotate(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "keys rotate", "keys rotate [flags]",
		"Adds a new master key version to the key file and makes it active, re-wraps every\n"+
			"customer data key and shop key under it (field ciphertext is not touched), then\n"+
			"retires (destroys) old versions that nothing uses any more. A running kinko serve\n"+
			"keeps serving throughout: it re-reads the key file every second.\n\n"+
			"Old backups stay wrapped under the old version: keep a copy of the key file from\n"+
			"before the rotation with them (docs/operations.md).")
	cf := addCommonFlags(fs)
	grace := fs.Duration("grace", 3*time.Second, "wait this long for running servers to pick up the new version before the final sweep")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	var progress func(done, total int)
	if e.IsTerminal(e.Stderr) {
		progress = func(done, total int) { fmt.Fprintf(e.Stderr, "\rre-wrapping data keys: %d/%d", done, total) }
	}
	res, err := s.vault.RotateMasterKey(ctx, vault.RotateOptions{Grace: *grace, Progress: progress,
		// The latest audit checkpoint and the retention cut must be signed under a version
		// that stays.
		BeforeRetire: func(ctx context.Context) error {
			return s.trail.PrepareRetire(ctx, fmt.Sprintf("retiring versions older than %d", s.keys.ActiveVersion()))
		}})
	if progress != nil {
		fmt.Fprintln(e.Stderr)
	}
	if err != nil {
		return fmt.Errorf("rotation stopped (safe to run again): %w", err)
	}
	fmt.Fprintf(e.Stdout, "Master key version %d is active; wrapped keys moved to it: %d.\n", res.NewVersion, res.Rewrapped)
	for _, v := range res.Retired {
		fmt.Fprintf(e.Stdout, "Version %d retired (its key material is destroyed).\n", v)
	}
	return nil
}

func runKeysStatus(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "keys status", "keys status [flags]", "Lists the master key versions, their state and how many wrapped keys use each.")
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	counts, err := s.db.KeyVersionCounts(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tSTATE\tCREATED\tWRAPPED KEYS")
	for _, v := range s.keys.Versions() {
		created := "-"
		if !v.Created.IsZero() {
			created = v.Created.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\n", v.Number, v.State, created, counts[v.Number])
	}
	return tw.Flush()
}
