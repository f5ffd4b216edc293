package cli

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/kinko-jp/kinko/internal/config"
	"github.com/kinko-jp/kinko/internal/console"
	"github.com/kinko-jp/kinko/internal/detect"
	"github.com/kinko-jp/kinko/internal/httpapi"
)

func init() {
	register(&Command{Name: "serve", Summary: "run the vault server (JSON API); initialises an empty data folder first", Run: runServe})
}

func runServe(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "serve", "serve [flags]",
		"Runs the vault server. The JSON API is under /v1 (see docs/openapi.yaml); the staff\n"+
			"console under /console/; /healthz and /readyz answer liveness and readiness. On an\n"+
			"empty data folder it first does what kinko init does and prints the first API key.\n"+
			"With --tls-cert and --tls-key it serves HTTPS. On an address other than loopback it\n"+
			"refuses plain HTTP (staff passwords and customer data would cross the network in\n"+
			"clear) unless --insecure-http says a TLS proxy in front does that job.\n"+
			"Stops cleanly on SIGINT or SIGTERM.")
	cf := addCommonFlags(fs)
	owner := fs.String("owner-email", "", "on an empty data folder: email of the first owner (as kinko init)")
	insecure := fs.Bool("insecure-http", false, "allow plain HTTP on a non-loopback address (only behind a TLS-terminating proxy)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "serve takes no arguments"}
	}
	cfg, err := cf.load(e)
	if err != nil {
		return err
	}
	log := newLogger(e.Stderr, cfg)
	if e.Getenv("GOGC") == "" {
		// kinko's live heap is small (caches, in-flight requests) while every request
		// allocates: collecting at 4× the live heap instead of 2× halves GC work for a few
		// MB more memory. GOGC in the environment still wins.
		debug.SetGCPercent(400)
	}
	if err := checkTransport(cfg, *insecure); err != nil {
		return err
	}
	if !isInitialised(cfg) {
		log.Info("not initialised yet: initialising", slog.String("data", cfg.DataDir))
		if err := initialise(ctx, e, cfg, *owner); err != nil && !errors.Is(err, errInitialised) {
			return err
		}
	}
	s, err := openServices(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	if n, err := s.vault.Reshred(ctx); err != nil {
		return fmt.Errorf("re-shredding tombstoned customers: %w", err)
	} else if n > 0 {
		log.Warn("re-shredded customers deleted before a backup was restored", slog.Int("count", n))
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s (%s): %w", cfg.Addr, cfg.Source["addr"], err)
	}
	api := httpapi.New(httpapi.Config{Vault: s.vault, Keys: s.api, Staff: s.staff, Trail: s.trail, DB: s.db, Log: log,
		Ready: func(ctx context.Context) error {
			if s.keys.ActiveVersion() == 0 {
				return errors.New("no master key")
			}
			return s.db.Ping(ctx)
		}})
	con, err := console.New(console.Config{Vault: s.vault, Staff: s.staff, Keys: s.api, Trail: s.trail, Log: log})
	if err != nil {
		return err
	}
	root := http.NewServeMux()
	root.Handle(console.Prefix, con.Handler())
	root.Handle("/", api.Handler())
	srv := &http.Server{
		Handler:           root,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	// The CLI may rotate the master key while we run: re-read the key file every second
	// (cheap: a stat) so new customers are wrapped under the new version promptly.
	go func() {
		t := time.NewTicker(time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.keys.Reload(); err != nil {
					log.Error("re-reading the key file failed", slog.Any("err", err))
				}
			}
		}
	}()
	errc := make(chan error, 1)
	scheme := "http"
	if cfg.TLSCert != "" {
		scheme = "https"
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return fmt.Errorf("TLS certificate (%s, %s): %w", cfg.Source["tls_cert"], cfg.Source["tls_key"], err)
		}
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		ln = tls.NewListener(ln, srv.TLSConfig)
	}
	go func() { errc <- srv.Serve(ln) }()
	log.Info("kinko serving", slog.String("addr", ln.Addr().String()), slog.String("console", scheme+"://"+ln.Addr().String()+console.Prefix),
		slog.String("database", s.db.Dialect().String()), slog.String("version", Version))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// checkTransport refuses plain HTTP on an address other than loopback unless the operator
// says a TLS proxy is in front: staff passwords, session cookies and customer data must not
// cross a network in clear.
func checkTransport(cfg *config.Config, insecure bool) error {
	if cfg.TLSCert != "" || insecure {
		return nil
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("refusing to serve plain HTTP on %s (%s): staff logins and customer data would cross the network unencrypted; "+
		"give --tls-cert and --tls-key, or --insecure-http if a TLS-terminating proxy sits in front", cfg.Addr, cfg.Source["addr"])
}

// newLogger builds kinko's logger: text or JSON on w, every record passed through the
// detector's redaction so personal data cannot reach the log even by mistake.
func newLogger(w io.Writer, cfg *config.Config) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler
	if cfg.LogFormat == "json" {
		h = slog.NewJSONHandler(w, opts)
	} else {
		h = slog.NewTextHandler(w, opts)
	}
	return slog.New(detect.NewRedactingHandler(h))
}
