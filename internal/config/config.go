// Package config builds kinko's typed configuration from, in rising precedence: defaults,
// an optional kinko.toml, KINKO_* environment variables (secrets also as *_FILE naming a
// file that holds them) and command-line flags. It validates everything at start and
// reports the first bad setting in one line that names it.
package config

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// Config is everything a kinko command may need. Secrets are kept out of String().
type Config struct {
	DataDir   string // folder for the SQLite database, key file, tombstones
	Database  string // postgres:// URL, or "" for SQLite in DataDir (secret: may hold a password)
	Addr      string // listen address for serve
	LogFormat string // text | json
	LogLevel  string // debug | info | warn | error
	KeyFile   string // master key file; default DataDir/kinko.key
	MasterKey string // base64 master key from the environment (secret), instead of KeyFile
	TLSCert   string // PEM certificate chain for HTTPS (serve); "" serves plain HTTP
	TLSKey    string // PEM private key of TLSCert

	// Source names where each setting came from, for error messages ("flag --addr",
	// "KINKO_ADDR", "kinko.toml addr").
	Source map[string]string
}

// Defaults.
const (
	DefaultDataDir = "./kinko-data"
	DefaultAddr    = "127.0.0.1:8740"
)

// Setting describes one configuration setting.
type Setting struct {
	Key    string // toml key and flag name (with - for _)
	Env    string
	Secret bool // may be given as ENV_FILE; never shown
	Flag   bool // may be given as a flag (secrets are not: flags show up in ps)
	Help   string
	Serve  bool // only kinko serve uses it (the other commands do not offer the flag)
}

// Settings lists every setting, for help texts and docs.
var Settings = []Setting{
	{"data", "KINKO_DATA", false, true, "data folder (SQLite database, key file, tombstones)", false},
	{"database", "KINKO_DATABASE_URL", true, true, "PostgreSQL URL (postgres://…); empty: SQLite in the data folder", false},
	{"addr", "KINKO_ADDR", false, true, "address kinko serve listens on", false},
	{"log_format", "KINKO_LOG_FORMAT", false, true, "log format: text or json", false},
	{"log_level", "KINKO_LOG_LEVEL", false, true, "log level: debug, info, warn or error", false},
	{"key_file", "KINKO_KEY_FILE", false, true, "master key file (default: DATA/kinko.key)", false},
	{"master_key", "KINKO_MASTER_KEY", true, false, "master key, base64, instead of a key file (environment or _FILE only)", false},
	{"tls_cert", "KINKO_TLS_CERT", false, true, "serve HTTPS with this PEM certificate (chain) file; needs tls_key", true},
	{"tls_key", "KINKO_TLS_KEY", false, true, "PEM private key file of tls_cert", true},
}

// Load builds the configuration. flags holds the flags the user actually set (name →
// value); getenv reads the environment; configPath is an explicit kinko.toml ("" looks for
// ./kinko.toml and KINKO_CONFIG).
func Load(flags map[string]string, getenv func(string) string, configPath string) (*Config, error) {
	c := &Config{DataDir: DefaultDataDir, Addr: DefaultAddr, LogFormat: "text", LogLevel: "info", Source: map[string]string{}}
	vals := map[string]*string{"data": &c.DataDir, "database": &c.Database, "addr": &c.Addr, "log_format": &c.LogFormat,
		"log_level": &c.LogLevel, "key_file": &c.KeyFile, "master_key": &c.MasterKey,
		"tls_cert": &c.TLSCert, "tls_key": &c.TLSKey}
	for k := range vals {
		c.Source[k] = "default"
	}

	// kinko.toml
	src := "flag --config"
	if configPath == "" {
		if configPath = getenv("KINKO_CONFIG"); configPath != "" {
			src = "KINKO_CONFIG"
		} else if _, err := os.Stat("kinko.toml"); err == nil {
			configPath, src = "kinko.toml", "kinko.toml"
		}
	}
	if configPath != "" {
		var raw map[string]any
		if _, err := toml.DecodeFile(configPath, &raw); err != nil {
			return nil, fmt.Errorf("config: %s (%s): %s", configPath, src, tomlError(err))
		}
		for k, v := range raw {
			if k == "master_key" {
				return nil, fmt.Errorf("config: %s: master_key must not be written in kinko.toml; use KINKO_MASTER_KEY, KINKO_MASTER_KEY_FILE or key_file", configPath)
			}
			dst, ok := vals[k]
			if !ok {
				return nil, fmt.Errorf("config: %s: unknown setting %q (known: %s)", configPath, k, knownKeys())
			}
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("config: %s: %s must be a string", configPath, k)
			}
			*dst, c.Source[k] = s, configPath+" "+k
		}
	}

	// Environment, then *_FILE for secrets.
	for _, st := range Settings {
		if v := getenv(st.Env); v != "" {
			*vals[st.Key], c.Source[st.Key] = v, st.Env
		}
		if st.Secret {
			if p := getenv(st.Env + "_FILE"); p != "" {
				if getenv(st.Env) != "" {
					return nil, fmt.Errorf("config: set %s or %s_FILE, not both", st.Env, st.Env)
				}
				if fi, err := os.Stat(p); err == nil && fi.Mode().Perm()&0o077 != 0 {
					// The same rule as for the key file: a secret others can read is no secret.
					return nil, fmt.Errorf("config: %s_FILE: %s is readable by group or others (mode %04o); run: chmod 600 %s", st.Env, p, fi.Mode().Perm(), p)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					return nil, fmt.Errorf("config: %s_FILE: %v", st.Env, unwrapPathErr(err))
				}
				*vals[st.Key], c.Source[st.Key] = strings.TrimSpace(string(b)), st.Env+"_FILE"
			}
		}
	}

	// Flags win.
	for k, v := range flags {
		key := strings.ReplaceAll(k, "-", "_")
		if dst, ok := vals[key]; ok {
			*dst, c.Source[key] = v, "flag --"+k
		}
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func knownKeys() string {
	var ks []string
	for _, s := range Settings {
		if s.Key != "master_key" {
			ks = append(ks, s.Key)
		}
	}
	return strings.Join(ks, ", ")
}

func tomlError(err error) string {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: not valid TOML", pe.Position.Line)
	}
	return unwrapPathErr(err).Error()
}

func unwrapPathErr(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}

func (c *Config) bad(key, format string, args ...any) error {
	return fmt.Errorf("config: %s: %s", c.Source[key], fmt.Sprintf(format, args...))
}

func (c *Config) validate() error {
	if strings.TrimSpace(c.DataDir) == "" {
		return c.bad("data", "the data folder must not be empty")
	}
	if host, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		return c.bad("addr", "%q is not host:port (e.g. 127.0.0.1:8740)", c.Addr)
	} else if host != "" && net.ParseIP(host) == nil && host != "localhost" {
		// A name other than localhost would need a lookup at start; say so instead of guessing.
		return c.bad("addr", "use an IP address or localhost as host, not %q", host)
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c.bad("log_format", "must be text or json, not %q", c.LogFormat)
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return c.bad("log_level", "must be debug, info, warn or error, not %q", c.LogLevel)
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		if c.TLSCert == "" {
			return c.bad("tls_key", "is set without tls_cert; give both (or neither, for plain HTTP)")
		}
		return c.bad("tls_cert", "is set without tls_key; give both (or neither, for plain HTTP)")
	}
	if c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") {
		// Never echo the value: a DSN may carry a password.
		return c.bad("database", "must be a postgres:// or postgresql:// URL (leave it empty for SQLite in the data folder)")
	}
	return nil
}

// KeyFilePath is the master key file in use.
func (c *Config) KeyFilePath() string {
	if c.KeyFile != "" {
		return c.KeyFile
	}
	return filepath.Join(c.DataDir, "kinko.key")
}

// TombstonePath is the list of shredded customers, beside the key file.
func (c *Config) TombstonePath() string {
	return filepath.Join(filepath.Dir(c.KeyFilePath()), "kinko.tombstones")
}

// DSN is the database to open: the PostgreSQL URL, or the SQLite file in the data folder.
func (c *Config) DSN() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "kinko.db")
}

// AuditJournalPath is the audit journal of this server (internal/store, audit_journal.go):
// "" for SQLite, whose journal sits beside the database; with PostgreSQL, a file in the
// data folder, one per server.
func (c *Config) AuditJournalPath() string {
	if c.UsesSQLite() {
		return ""
	}
	return filepath.Join(c.DataDir, "kinko.audit-journal")
}

// UsesSQLite reports whether the database is the embedded SQLite file.
func (c *Config) UsesSQLite() bool { return c.Database == "" }
