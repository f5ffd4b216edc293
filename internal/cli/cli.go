// Package cli implements kinko's subcommands. Each command lives in its own file, registers
// itself with register in an init function, parses its own flags and returns an error; Main
// prints errors as "kinko: …" on stderr and turns them into an exit status.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"

	"golang.org/x/term"
)

// Env is what a command may touch of the outside world. Tests build their own.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// IsTerminal reports whether w is an interactive terminal (progress lines, prompts).
func (e *Env) IsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// Command is one kinko subcommand.
type Command struct {
	Name    string // as typed: "scan", "apikey create"
	Summary string // one line for `kinko help`
	Run     func(ctx context.Context, e *Env, args []string) error
}

var commands = map[string]*Command{}

// register adds a command; it is called from init functions only, so the table is fixed
// before Main runs.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: command registered twice: " + c.Name)
	}
	commands[c.Name] = c
}

// ExitError ends the process with Code and no message (e.g. `kinko scan` exits 1 on findings).
type ExitError struct{ Code int }

func (e ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// UsageError is a mistake in the command line; Main prints it with a hint to use -h.
type UsageError struct{ Msg string }

func (e UsageError) Error() string { return e.Msg }

// Main runs kinko with args (without the program name) and returns the exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: os.Getenv}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return run(ctx, e, args)
}

func run(ctx context.Context, e *Env, args []string) int {
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		if len(args) > 1 {
			if c, rest := lookup(args[1:]); c != nil && len(rest) == 0 {
				return finish(e, c.Name, c.Run(ctx, e, []string{"-h"}))
			}
		}
		usage(e.Stdout)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	if args[0] == "version" || args[0] == "--version" {
		fmt.Fprintln(e.Stdout, "kinko", Version)
		return 0
	}
	c, rest := lookup(args)
	if c == nil {
		fmt.Fprintf(e.Stderr, "kinko: unknown command %q (see kinko help)\n", strings.Join(args[:min(len(args), 2)], " "))
		return 2
	}
	return finish(e, c.Name, c.Run(ctx, e, rest))
}

// Version is set at build time with -ldflags "-X github.com/kinko-jp/kinko/internal/cli.Version=…".
var Version = "dev"

// lookup finds the longest registered command name that prefixes args ("apikey create" before "apikey").
func lookup(args []string) (*Command, []string) {
	for n := min(len(args), 3); n >= 1; n-- {
		if c, ok := commands[strings.Join(args[:n], " ")]; ok {
			return c, args[n:]
		}
	}
	return nil, nil
}

func finish(e *Env, name string, err error) int {
	var exit ExitError
	var usageErr UsageError
	switch {
	case err == nil, errors.Is(err, flag.ErrHelp):
		return 0
	case errors.As(err, &exit):
		return exit.Code
	case errors.As(err, &usageErr):
		fmt.Fprintf(e.Stderr, "kinko: %s (see kinko %s -h)\n", usageErr.Msg, name)
		return 2
	default:
		fmt.Fprintf(e.Stderr, "kinko: %s\n", err)
		return 1
	}
}

func usage(w io.Writer) {
	fmt.Fprint(w, "kinko: the customer-data vault and leak guard for online shops\n\nUsage: kinko COMMAND [flags]\n\nCommands:\n")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-16s %s\n", n, commands[n].Summary)
	}
	fmt.Fprint(w, "\nRun kinko COMMAND -h for the flags of a command.\n")
}

// newFlagSet returns a flag set for command name whose -h output goes to e.Stdout and lists
// every flag; parse errors are returned, not printed twice.
func newFlagSet(e *Env, name, synopsis, about string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.Stdout, "Usage: kinko %s\n\n%s\n", synopsis, about)
		fs.SetOutput(e.Stdout)
		if hasFlags(fs) {
			fmt.Fprint(e.Stdout, "\nFlags:\n")
			fs.PrintDefaults()
		}
		fs.SetOutput(io.Discard)
	}
	return fs
}

func hasFlags(fs *flag.FlagSet) bool {
	n := 0
	fs.VisitAll(func(*flag.Flag) { n++ })
	return n > 0
}

// parseFlags parses args; -h prints usage and returns flag.ErrHelp, anything else wrong is a UsageError.
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return flag.ErrHelp // the flag package has printed the usage already
	}
	if err != nil {
		return UsageError{Msg: err.Error()}
	}
	return nil
}
