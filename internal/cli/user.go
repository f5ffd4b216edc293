package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/vault"
)

func init() {
	register(&Command{Name: "user add", Summary: "add a staff member; prints a one-time setup link (token)", Run: runUserAdd})
	register(&Command{Name: "user list", Summary: "list a shop's staff: email, role, status, 2FA, last login", Run: runUserList})
	register(&Command{Name: "user disable", Summary: "stop a staff member logging in; ends their sessions", Run: userSimple("disable")})
	register(&Command{Name: "user enable", Summary: "let a disabled staff member log in again", Run: userSimple("enable")})
	register(&Command{Name: "user reset-2fa", Summary: "remove a staff member's 2FA; they enrol again at next login", Run: userSimple("reset-2fa")})
	register(&Command{Name: "user revoke-sessions", Summary: "end every session of a staff member", Run: userSimple("revoke-sessions")})
	register(&Command{Name: "user unlock", Summary: "lift a staff member's lockout before it ends", Run: userSimple("unlock")})
	register(&Command{Name: "user setup-link", Summary: "open a new one-time setup link for a staff member", Run: userSimple("setup-link")})
	register(&Command{Name: "user set-role", Summary: "change a staff member's role", Run: runUserSetRole})
	register(&Command{Name: "user setup", Summary: "use a setup link: set the password and enrol 2FA", Run: runUserSetup})
	register(&Command{Name: "user notices", Summary: "what the owner should see: logins from a new IP or device, 2FA resets, role changes, lockouts", Run: runUserNotices})
}

func roleNames() string {
	names := make([]string, len(access.Roles))
	for i, r := range access.Roles {
		names[i] = string(r)
	}
	return strings.Join(names, ", ")
}

// staffService is the staff service of the opened installation (notices go to the audit trail).
func staffService(s *services) *access.Staff { return s.staff }

// openStaff opens the installation and resolves the shop by name.
func openStaff(ctx context.Context, e *Env, cf *commonFlags, shop string) (*services, *access.Staff, string, error) {
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return nil, nil, "", err
	}
	shopID, err := s.shopID(ctx, shop)
	if err != nil {
		s.Close()
		return nil, nil, "", err
	}
	return s, staffService(s), shopID, nil
}

// readPasswordFile reads a password from a file: its first line, without the line end.
func readPasswordFile(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("password file: %w", err)
	}
	pw, _, _ := strings.Cut(string(b), "\n")
	return strings.TrimSuffix(pw, "\r"), nil
}

// stdinTerminal returns the file descriptor of standard input when it is a terminal.
func stdinTerminal(e *Env) (int, bool) {
	f, ok := e.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// promptNewPassword asks for a password twice on the terminal, without echo. With
// allowEmpty an empty answer keeps the current password.
func promptNewPassword(e *Env, fd int, email string, allowEmpty bool) (string, error) {
	for range 3 {
		fmt.Fprintf(e.Stderr, "New password (at least %d characters)", access.MinPasswordLen)
		if allowEmpty {
			fmt.Fprint(e.Stderr, ", or Enter to keep the current one")
		}
		fmt.Fprint(e.Stderr, ": ")
		a, err := term.ReadPassword(fd)
		fmt.Fprintln(e.Stderr)
		if err != nil {
			return "", err
		}
		if len(a) == 0 && allowEmpty {
			return "", nil
		}
		if err := access.CheckPassword(string(a), email); err != nil {
			fmt.Fprintf(e.Stderr, "%s\n", err)
			continue
		}
		fmt.Fprint(e.Stderr, "Again: ")
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.Stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			fmt.Fprintln(e.Stderr, "The two passwords differ.")
			continue
		}
		return string(a), nil
	}
	return "", errors.New("no password set")
}

func runUserAdd(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "user add", "user add --email EMAIL --role ROLE [flags]",
		"Adds a staff member to a shop. Roles: "+roleNames()+".\n\n"+
			"With --password-file the member gets that password (first line of the file) and enrols\n"+
			"2FA at first login or with kinko user setup. On a terminal without it, the password is\n"+
			"asked for. Either way a one-time setup link (token), valid 24 hours, is printed alone\n"+
			"as the last line of standard output: the member runs kinko user setup TOKEN to set the\n"+
			"password (if none) and enrol 2FA. Only the token's hash is kept.")
	cf := addCommonFlags(fs)
	email := fs.String("email", "", "the member's work email address (required)")
	role := fs.String("role", "", "the member's role (required): "+roleNames())
	shop := fs.String("shop", vault.DefaultShop, "shop the member works for")
	pwFile := fs.String("password-file", "", "file whose first line is the member's password")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "user add takes no arguments"}
	}
	if *email == "" || *role == "" {
		return UsageError{Msg: "--email and --role are required"}
	}
	r, err := access.ParseRole(*role)
	if err != nil {
		return UsageError{Msg: "--role: " + err.Error()}
	}
	normEmail, err := access.NormalizeEmail(*email)
	if err != nil {
		return UsageError{Msg: "--email: " + err.Error()}
	}
	var password string
	if *pwFile != "" {
		if password, err = readPasswordFile(*pwFile); err != nil {
			return err
		}
		if err := access.CheckPassword(password, normEmail); err != nil {
			return err
		}
	} else if fd, ok := stdinTerminal(e); ok {
		if password, err = promptNewPassword(e, fd, normEmail, false); err != nil {
			return err
		}
	}
	s, st, shopID, err := openStaff(ctx, e, cf, *shop)
	if err != nil {
		return err
	}
	defer s.Close()
	m, token, err := st.Add(ctx, access.NewMember{Shop: shopID, Email: normEmail, Role: r, Password: password})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "Added %s as %s of shop %q.\n", m.Email, m.Role, *shop)
	if password != "" {
		fmt.Fprintln(e.Stderr, "The password is set; 2FA is enrolled at the first login, or with the setup link below.")
	}
	fmt.Fprintf(e.Stderr, "One-time setup link, valid until %s; give it to the member only. They open\n  %s\nor run: kinko user setup TOKEN\n",
		time.Now().Add(access.SetupLinkTTL).Format(time.RFC3339), consoleURL(s.cfg, "setup/TOKEN"))
	fmt.Fprintln(e.Stdout, token)
	return nil
}

func runUserList(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "user list", "user list [flags]", "Lists a shop's staff: email, role, status, whether 2FA is enrolled, last login.")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop whose staff to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "user list takes no arguments"}
	}
	s, st, shopID, err := openStaff(ctx, e, cf, *shop)
	if err != nil {
		return err
	}
	defer s.Close()
	members, err := st.List(ctx, shopID)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tROLE\tSTATUS\t2FA\tLAST LOGIN\tFROM")
	for _, m := range members {
		status := string(m.Status)
		if m.SetupPending {
			status += " (setup link open)"
		}
		tfa := "no"
		if m.TOTPEnrolled {
			tfa = "yes"
		}
		last, from := "never", "-"
		if !m.LastLogin.IsZero() {
			last, from = m.LastLogin.Format(time.RFC3339), m.LastLoginIP
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Email, m.Role, status, tfa, last, from)
	}
	return tw.Flush()
}

func runUserNotices(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "user notices", "user notices [flags]",
		"Lists, newest first, the staff-access events an owner should look at: a first login\n"+
			"from a new IP address or device, a 2FA reset, a role change, an account locked, a\n"+
			"network throttled, a login refused by the IP allow-list. They come from the audit\n"+
			"trail (GET /v1/audit?notices=owner answers the same).")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop whose notices to list")
	since := fs.Duration("since", 30*24*time.Hour, "how far back to look")
	limit := fs.Int("limit", 100, "at most this many notices (1–10000)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "user notices takes no arguments"}
	}
	if *limit < 1 || *limit > 10000 {
		return UsageError{Msg: "--limit must be between 1 and 10000"}
	}
	s, st, shopID, err := openStaff(ctx, e, cf, *shop)
	if err != nil {
		return err
	}
	defer s.Close()
	members, err := st.List(ctx, shopID)
	if err != nil {
		return err
	}
	email := map[string]string{}
	for _, m := range members {
		email["staff:"+m.ID] = m.Email
	}
	// Other shops' events are filtered below, so ask for more than the limit.
	evs, err := audit.QueryActions(ctx, s.db, audit.Filter{From: time.Now().Add(-*since), Limit: 10000}, access.OwnerNoticeKinds())
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tNOTICE\tSTAFF\tIP\tDETAIL")
	n := 0
	for _, ev := range evs {
		if ev.Shop != shopID || n == *limit {
			continue
		}
		n++
		who := email[ev.Actor]
		if who == "" {
			who = ev.Actor
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ev.Time.Format(time.RFC3339), ev.Action, who, dash(ev.ActorIP), dash(ev.Reason))
	}
	return tw.Flush()
}

// userSimple builds the commands that take one EMAIL and do one thing to it.
func userSimple(action string) func(ctx context.Context, e *Env, args []string) error {
	about := map[string]string{
		"disable":         "Disables the member with EMAIL: they can no longer log in and their sessions end at once.",
		"enable":          "Enables a disabled member again.",
		"reset-2fa":       "Removes the member's 2FA secret and recovery codes and ends their sessions. Their next\nlogin gives a session that can only enrol 2FA again. The owner is told.",
		"revoke-sessions": "Ends every session of the member at once (e.g. a lost laptop).",
		"unlock":          "Lifts the member's lockout (10 failed logins) before its 30 minutes are over.",
		"setup-link":      "Opens a new one-time setup link for the member (a forgotten password, a new phone),\nreplacing any open one. The token is printed alone on standard output.",
	}[action]
	return func(ctx context.Context, e *Env, args []string) error {
		name := "user " + action
		fs := newFlagSet(e, name, name+" [flags] EMAIL", about)
		cf := addCommonFlags(fs)
		shop := fs.String("shop", vault.DefaultShop, "shop the member works for")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		if fs.NArg() != 1 {
			return UsageError{Msg: "give exactly one EMAIL"}
		}
		s, st, shopID, err := openStaff(ctx, e, cf, *shop)
		if err != nil {
			return err
		}
		defer s.Close()
		email := fs.Arg(0)
		switch action {
		case "disable", "enable":
			status := access.StatusActive
			if action == "disable" {
				status = access.StatusDisabled
			}
			m, err := st.SetStatus(ctx, shopID, email, status)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "%s is now %s.\n", m.Email, m.Status)
		case "reset-2fa":
			m, err := st.ResetTOTP(ctx, shopID, email)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "Removed the 2FA of %s and ended their sessions; they enrol again at their next login.\n", m.Email)
		case "revoke-sessions":
			n, err := st.RevokeSessions(ctx, shopID, email)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "Ended %d sessions.\n", n)
		case "unlock":
			if err := st.Unlock(ctx, shopID, email); err != nil {
				return err
			}
			fmt.Fprintln(e.Stderr, "Unlocked.")
		case "setup-link":
			token, err := st.NewSetupLink(ctx, shopID, email)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.Stderr, "One-time setup link, valid 24 hours; give it to the member only. They open %s or run: kinko user setup TOKEN\n",
				consoleURL(s.cfg, "setup/TOKEN"))
			fmt.Fprintln(e.Stdout, token)
		}
		return nil
	}
}

func runUserSetRole(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "user set-role", "user set-role [flags] EMAIL ROLE",
		"Changes the member's role ("+roleNames()+"). It applies to their open sessions at once and\nthe owner is told. A shop always keeps one active owner.")
	cf := addCommonFlags(fs)
	shop := fs.String("shop", vault.DefaultShop, "shop the member works for")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return UsageError{Msg: "give EMAIL and ROLE"}
	}
	r, err := access.ParseRole(fs.Arg(1))
	if err != nil {
		return UsageError{Msg: err.Error()}
	}
	s, st, shopID, err := openStaff(ctx, e, cf, *shop)
	if err != nil {
		return err
	}
	defer s.Close()
	m, err := st.SetRole(ctx, shopID, fs.Arg(0), r)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stderr, "%s is now %s.\n", m.Email, m.Role)
	return nil
}

func runUserSetup(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "user setup", "user setup [flags] TOKEN",
		"Uses a one-time setup link: sets the member's password (asked on a terminal, or read from\n"+
			"--password-file; a member who has one may keep it) and enrols 2FA: it prints a secret\n"+
			"and an otpauth:// URI for an authenticator app, then reads the app's 6-digit code from\n"+
			"standard input. Prints 10 one-time recovery codes, shown only this once.")
	cf := addCommonFlags(fs)
	pwFile := fs.String("password-file", "", "file whose first line is the new password")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return UsageError{Msg: "give exactly one TOKEN"}
	}
	token := fs.Arg(0)
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	st := staffService(s)
	m, err := st.SetupInfo(ctx, token)
	if err != nil {
		return err
	}
	fd, tty := stdinTerminal(e)
	var password string
	switch {
	case *pwFile != "":
		if password, err = readPasswordFile(*pwFile); err != nil {
			return err
		}
		if err := access.CheckPassword(password, m.Email); err != nil {
			return err
		}
	case tty:
		if password, err = promptNewPassword(e, fd, m.Email, m.PasswordSet); err != nil {
			return err
		}
	case !m.PasswordSet:
		return UsageError{Msg: "no password: give --password-file, or run on a terminal"}
	}
	enr, err := st.NewEnrolment(ctx, m)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.Stdout, "Setting up %s (%s).\n", m.Email, m.Role)
	fmt.Fprintf(e.Stdout, "Add this account to your authenticator app:\n  secret: %s\n  uri:    %s\n", enr.Base32, enr.URI)
	in := bufio.NewReader(e.Stdin)
	attempts := 1
	if tty {
		attempts = 3
	}
	for i := range attempts {
		fmt.Fprint(e.Stderr, "6-digit code from the app: ")
		line, rerr := in.ReadString('\n')
		code := strings.TrimSpace(line)
		if code == "" && rerr != nil {
			if rerr == io.EOF {
				return errors.New("no 2FA code given; nothing was changed")
			}
			return rerr
		}
		codes, err := st.CompleteSetup(ctx, token, password, enr, code)
		if errors.Is(err, access.ErrTOTPInvalid) && i+1 < attempts {
			fmt.Fprintln(e.Stderr, "That code is not valid; check the app's clock and try the current code.")
			continue
		}
		if err != nil {
			return err
		}
		fmt.Fprintln(e.Stdout, "Done: the password is set and 2FA is enrolled.")
		fmt.Fprintln(e.Stdout, "Recovery codes (each works once, in place of a 2FA code; keep them offline, they are not shown again):")
		for _, c := range codes {
			fmt.Fprintln(e.Stdout, "  "+c)
		}
		return nil
	}
	return access.ErrTOTPInvalid
}
