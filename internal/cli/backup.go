package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
)

func init() {
	register(&Command{Name: "backup", Summary: "write a consistent copy of the SQLite database", Run: runBackup})
}

func runBackup(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "backup", "backup --out FILE [flags]",
		"Writes a consistent copy of the SQLite database (safe while kinko serve runs) to FILE,\n"+
			"mode 0600. The copy holds ciphertext only; restoring it needs the key file too, which\n"+
			"the backup does not contain (keep them apart). Customers deleted after the backup are\n"+
			"shredded again when a server starts on the restored file.\n"+
			"For PostgreSQL use pg_dump (docs/operations.md).")
	cf := addCommonFlags(fs)
	out := fs.String("out", "", "file to write (must not exist)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return UsageError{Msg: "--out is required"}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	if !cfg.UsesSQLite() {
		return errors.New("backup copies the embedded SQLite database; for PostgreSQL use pg_dump (docs/operations.md)")
	}
	if fileExists(*out) {
		return fmt.Errorf("%s already exists; choose a new file", *out)
	}
	s, err := openServices(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.db.Backup(ctx, *out); err != nil {
		os.Remove(*out)
		return err
	}
	fmt.Fprintf(e.Stderr, "Backed up %s to %s.\n", cfg.DSN(), *out)
	return nil
}
