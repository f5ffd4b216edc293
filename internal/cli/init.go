package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"slices"
	"strings"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/config"
	"github.com/kinko-jp/kinko/internal/console"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/vault"
)

func init() {
	register(&Command{Name: "init", Summary: "create the data folder: key file, database, default shop, first API key", Run: runInit})
}

func runInit(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "init", "init [flags]",
		"Creates the master key file (mode 0600), the database (SQLite in the data folder unless\n"+
			"--database names PostgreSQL), the shop \"default\" and a first API key with every scope.\n"+
			"The key is printed once, as the last line of standard output; only its hash is kept.")
	cf := addCommonFlags(fs)
	owner := fs.String("owner-email", "", "email of the first owner (asked on a terminal when not given); a one-time setup link is printed")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "init takes no arguments"}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	return initialise(ctx, e, cfg, *owner)
}

// askOwner asks for the first owner's email on a terminal; "" when stdin is not one.
func askOwner(e *Env) string {
	if _, tty := stdinTerminal(e); !tty {
		return ""
	}
	fmt.Fprint(e.Stderr, "Email of the shop's first owner (empty to add one later): ")
	line, _ := bufio.NewReader(e.Stdin).ReadString('\n')
	return strings.TrimSpace(line)
}

// errInitialised: the installation already has its default shop.
var errInitialised = errors.New("already initialised")

// initialise sets up a fresh installation and prints the first API key as the last line
// of out. It refuses to touch an installation that already has its default shop, and never
// creates a key file for a database that already holds data (that would make every
// customer unreadable): a missing key file there must be restored from its backup.
func initialise(ctx context.Context, e *Env, cfg *config.Config, ownerEmail string) error {
	out := e.Stdout
	if err := ensureDataDir(cfg.DataDir); err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DSN(), store.Options{})
	if err != nil {
		return err
	}
	shops, err := db.Shops(ctx)
	db.Close()
	if err != nil {
		return err
	}
	var kr *keyring.Keyring
	createdKey := false
	switch {
	case cfg.MasterKey != "":
		kr, err = keyring.FromEnv(cfg.MasterKey, rand.Reader)
	case fileExists(cfg.KeyFilePath()):
		kr, err = keyring.Open(cfg.KeyFilePath(), rand.Reader)
	case len(shops) > 0:
		return fmt.Errorf("%s holds data but the key file %s is missing: restore it from your key backup (a new key could not read anything)", where(cfg), cfg.KeyFilePath())
	default:
		kr, err = keyring.Create(cfg.KeyFilePath(), rand.Reader)
		createdKey = true
	}
	if err != nil {
		return err
	}
	s, err := openWith(ctx, cfg, kr)
	if err != nil {
		return err
	}
	defer s.Close()
	if _, err := s.vault.ShopByName(ctx, vault.DefaultShop); err == nil {
		return fmt.Errorf("%s is %w (shop %q exists); to get another API key run kinko apikey create", where(cfg), errInitialised, vault.DefaultShop)
	} else if !errors.Is(err, vault.ErrNoShop) {
		return err
	}
	shop, err := s.vault.CreateShop(ctx, vault.DefaultShop)
	if err != nil {
		return err
	}
	// Every scope, less the one that only limits a key (masked reads).
	scopes := slices.DeleteFunc(slices.Clone(access.AllScopes), func(sc string) bool { return sc == access.ScopeCustomersReadMasked })
	secret, err := s.createKey(ctx, shop.ID, "initial", scopes, access.KeyLimits{})
	if err != nil {
		return err
	}
	if ownerEmail == "" {
		ownerEmail = askOwner(e)
	}
	var setupToken string
	if ownerEmail != "" {
		if _, setupToken, err = s.staff.Add(ctx, access.NewMember{Shop: shop.ID, Email: ownerEmail, Role: access.RoleOwner}); err != nil {
			return fmt.Errorf("first owner: %w", err)
		}
	}
	if createdKey {
		fmt.Fprintf(out, "Created the master key file %s (mode 0600). Back it up apart from the database: without it no customer can be read.\n", cfg.KeyFilePath())
	}
	fmt.Fprintf(out, "Initialised %s with the shop %q.\n", where(cfg), vault.DefaultShop)
	if setupToken != "" {
		fmt.Fprintf(out, "The owner %s sets a password and enrols 2FA with this one-time setup link, valid %s, in the console\n  %s\nor on the command line:\n  kinko user setup --data %s %s\n",
			ownerEmail, access.SetupLinkTTL, consoleURL(cfg, "setup/"+setupToken), cfg.DataDir, setupToken)
	} else {
		fmt.Fprintf(out, "No owner yet: add one with kinko user add --data %s --email EMAIL --role owner (it prints the console setup link)\n", cfg.DataDir)
	}
	fmt.Fprintf(out, "The first API key (all scopes) follows. It is shown only this once: store it in your shop backend's secrets now.\n")
	fmt.Fprintln(out, secret)
	return nil
}

// consoleURL is where the console answers when kinko serve runs with cfg.
func consoleURL(cfg *config.Config, page string) string {
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
	}
	host, port, _ := net.SplitHostPort(cfg.Addr)
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return scheme + "://" + net.JoinHostPort(host, port) + console.Prefix + page
}

func where(cfg *config.Config) string {
	if cfg.UsesSQLite() {
		return cfg.DSN()
	}
	return "the PostgreSQL database"
}
