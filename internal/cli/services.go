package cli

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/config"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/vault"
)

// commonFlags are the configuration flags every command that opens the vault accepts.
type commonFlags struct {
	fs     *flag.FlagSet
	config *string
}

func addCommonFlags(fs *flag.FlagSet) *commonFlags {
	c := &commonFlags{fs: fs}
	c.config = fs.String("config", "", "kinko.toml to read (default: ./kinko.toml if present, or KINKO_CONFIG)")
	for _, s := range config.Settings {
		if !s.Flag || (s.Serve && fs.Name() != "serve") {
			continue
		}
		name := strings.ReplaceAll(s.Key, "_", "-")
		fs.String(name, "", s.Help+" (env "+s.Env+")")
	}
	return c
}

// load builds the configuration from the flags that were set, the environment and kinko.toml.
func (c *commonFlags) load(e *Env) (*config.Config, error) {
	set := map[string]string{}
	c.fs.Visit(func(f *flag.Flag) {
		if f.Name != "config" {
			set[f.Name] = f.Value.String()
		}
	})
	for _, s := range config.Settings {
		if !s.Flag {
			delete(set, s.Key)
		}
	}
	return config.Load(set, e.Getenv, *c.config)
}

// services are the opened domain objects a command works with.
type services struct {
	cfg   *config.Config
	keys  *keyring.Keyring
	db    *store.DB
	tombs *keyring.Tombstones
	trail *audit.Trail
	vault *vault.Vault
	api   *access.Keys
	staff *access.Staff
}

func (s *services) Close() {
	if s.trail != nil {
		s.trail.Close() // a last checkpoint
	}
	if s.db != nil {
		s.db.Close()
	}
}

// isInitialised reports whether the installation looks set up: a master key is available
// and (for SQLite) the database file exists. On PostgreSQL, or when only the key is there,
// initialise itself decides (it refuses to touch a database that already holds a shop).
func isInitialised(cfg *config.Config) bool {
	if cfg.MasterKey == "" && !fileExists(cfg.KeyFilePath()) {
		return false
	}
	if cfg.UsesSQLite() {
		return fileExists(cfg.DSN())
	}
	return false
}

func openKeyring(cfg *config.Config) (*keyring.Keyring, error) {
	if cfg.MasterKey != "" {
		return keyring.FromEnv(cfg.MasterKey, rand.Reader)
	}
	return keyring.Open(cfg.KeyFilePath(), rand.Reader)
}

// openServices opens an initialised installation.
func openServices(ctx context.Context, cfg *config.Config) (*services, error) {
	if cfg.MasterKey == "" {
		if _, err := os.Stat(cfg.KeyFilePath()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is not initialised: no key file %s (run kinko init --data %s)", cfg.DataDir, cfg.KeyFilePath(), cfg.DataDir)
		}
	}
	if cfg.UsesSQLite() {
		if _, err := os.Stat(cfg.DSN()); errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s is not initialised: no database %s (run kinko init --data %s)", cfg.DataDir, cfg.DSN(), cfg.DataDir)
		}
	}
	kr, err := openKeyring(cfg)
	if err != nil {
		return nil, err
	}
	return openWith(ctx, cfg, kr)
}

func openWith(ctx context.Context, cfg *config.Config, kr *keyring.Keyring) (*services, error) {
	db, err := store.Open(ctx, cfg.DSN(), store.Options{AuditJournal: cfg.AuditJournalPath()})
	if err != nil {
		return nil, err
	}
	tombs := keyring.OpenTombstones(cfg.TombstonePath())
	trail, err := audit.Open(ctx, db, kr, audit.CheckpointPath(cfg.KeyFilePath()), nil)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &services{
		cfg: cfg, keys: kr, db: db, tombs: tombs, trail: trail,
		vault: vault.New(db, kr, tombs, trail, vault.Options{}),
		api:   access.NewKeys(db, nil, nil),
		staff: access.NewStaff(db, kr, access.StaffOptions{Notify: trail.RecordNotice}),
	}, nil
}

// shopID resolves a shop name to its id.
func (s *services) shopID(ctx context.Context, name string) (string, error) {
	sh, err := s.vault.ShopByName(ctx, name)
	if errors.Is(err, vault.ErrNoShop) {
		return "", fmt.Errorf("no shop named %q (see kinko shop list)", name)
	}
	return sh.ID, err
}

func ensureDataDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	abs, _ := filepath.Abs(dir)
	fi, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("data folder: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		// The folder holds the key file and the database: keep others out of it.
		if err := os.Chmod(abs, 0o700); err != nil {
			return fmt.Errorf("data folder %s: %w", dir, err)
		}
	}
	return nil
}
