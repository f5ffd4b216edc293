package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/kinko-jp/kinko/internal/audit"
)

func init() {
	register(&Command{Name: "audit verify", Summary: "check the audit trail's hash chain and checkpoints; exit 1 when tampered", Run: runAuditVerify})
	register(&Command{Name: "audit list", Summary: "list audit events (who saw which customer, what a person did)", Run: runAuditList})
	register(&Command{Name: "audit prune", Summary: "remove audit events older than the retention (at least 12 months), keeping the chain verifiable", Run: runAuditPrune})
}

func runAuditPrune(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "audit prune", "audit prune [flags]",
		"Removes the audit events written more than --keep-months months ago. PCI DSS 10.5.1\n"+
			"asks for at least 12 months, so less is refused. The trail is verified first (a\n"+
			"damaged trail is never pruned); the events are removed together with a cut signed\n"+
			"with a key derived from the master key, naming the last event removed and its hash,\n"+
			"from which kinko audit verify then checks the chain. Run it from cron, e.g. monthly.")
	cf := addCommonFlags(fs)
	keep := fs.Int("keep-months", audit.MinRetentionMonths, fmt.Sprintf("keep this many months of events (at least %d)", audit.MinRetentionMonths))
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "audit prune takes no arguments"}
	}
	if *keep < audit.MinRetentionMonths {
		return UsageError{Msg: fmt.Sprintf("--keep-months must be at least %d (PCI DSS 10.5.1)", audit.MinRetentionMonths)}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	res, err := s.trail.Prune(ctx, *keep)
	if err != nil {
		return err
	}
	if res.Removed == 0 {
		fmt.Fprintf(e.Stdout, "nothing to prune: no event is older than %s\n", res.Before.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(e.Stdout, "pruned %d events older than %s; the trail now starts after the signed cut at seq %d\n",
		res.Removed, res.Before.Format(time.RFC3339), res.CutSeq)
	return nil
}

func runAuditVerify(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "audit verify", "audit verify [flags]",
		"Reads the whole audit trail and checks that every event is as it was written: the\n"+
			"sequence has no gap, every event's hash chains from the one before, the stored columns\n"+
			"match the hashed event, the customer index matches the events, and the checkpoints\n"+
			"(signed with a key derived from the master key, in the database and in the file\n"+
			"kinko.audit-checkpoint beside the key file) verify and match the chain.\n\n"+
			"Exit status: 0 intact (one summary line on stdout), 1 tampered or unreadable (the\n"+
			"first bad event's seq and what is wrong on stderr), 2 usage error. See docs/audit.md\n"+
			"for what this proves and what it cannot.")
	cf := addCommonFlags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "audit verify takes no arguments"}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	rep, err := audit.Verify(ctx, s.db, s.keys, audit.CheckpointPath(s.cfg.KeyFilePath()))
	if err != nil {
		return err
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(e.Stderr, "kinko: warning: %s\n", w)
	}
	if p := rep.Problem; p != nil {
		return fmt.Errorf("audit trail tampered: event %d: %s: %s", p.Seq, p.Kind, p.Detail)
	}
	cp := "no checkpoint"
	if c := rep.Checkpoint; c != nil {
		cp = fmt.Sprintf("checkpoint at seq %d (%s, %s, key version %d)", c.Seq, c.Time.Format(time.RFC3339), rep.CheckpointSource, c.KeyVersion)
		if rep.Unsigned > 0 {
			cp += fmt.Sprintf(", %d later events not yet checkpointed", rep.Unsigned)
		}
	}
	if c := rep.Cut; c != nil {
		cp += fmt.Sprintf("; events up to seq %d (older than %s) pruned behind a signed cut", c.Seq, c.Time.Format(time.RFC3339))
	}
	fmt.Fprintf(e.Stdout, "audit trail intact: %d events, %s; verified in %s\n", rep.Events, cp, rep.Elapsed.Round(time.Millisecond))
	return nil
}

func runAuditList(ctx context.Context, e *Env, args []string) error {
	fs := newFlagSet(e, "audit list", "audit list [flags]",
		"Lists audit events, newest first. --customer answers \"who saw this customer\";\n"+
			"--actor answers \"what did this person or key do\". Events name ids, actions, field\n"+
			"names, reasons and outcomes, never a value of personal data.")
	cf := addCommonFlags(fs)
	customer := fs.String("customer", "", "only events naming this customer id")
	actor := fs.String("actor", "", "only events by this actor (staff:<id>, key:<id>, system)")
	action := fs.String("action", "", "only this action (create, read, search, update, reveal, delete, login, …)")
	from := fs.String("from", "", "only events at or after this time (RFC 3339)")
	to := fs.String("to", "", "only events before this time (RFC 3339)")
	limit := fs.Int("limit", 100, "at most this many events (1–10000)")
	format := fs.String("format", "text", "output format: text or json")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return UsageError{Msg: "audit list takes no arguments"}
	}
	f := audit.Filter{Customer: *customer, Actor: *actor, Action: *action, Limit: *limit}
	for _, t := range []struct {
		flag, v string
		dst     *time.Time
	}{{"--from", *from, &f.From}, {"--to", *to, &f.To}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return UsageError{Msg: t.flag + " must be an RFC 3339 time such as 2025-04-01T09:00:00+09:00"}
		}
		*t.dst = v
	}
	if *limit < 1 || *limit > 10000 {
		return UsageError{Msg: "--limit must be between 1 and 10000"}
	}
	if *format != "text" && *format != "json" {
		return UsageError{Msg: "--format must be text or json"}
	}
	s, err := openFromFlags(ctx, e, cf)
	if err != nil {
		return err
	}
	defer s.Close()
	evs, err := audit.Query(ctx, s.db, f)
	if err != nil {
		return err
	}
	out := make([]audit.JSONEvent, len(evs))
	for i := range evs {
		out[i] = audit.ToJSON(&evs[i])
	}
	if *format == "json" {
		enc := json.NewEncoder(e.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Events []audit.JSONEvent `json:"events"`
		}{out})
	}
	tw := tabwriter.NewWriter(e.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tIP\tACTION\tCUSTOMER\tFIELDS\tOUTCOME\tREASON\tREQUEST")
	for _, ev := range out {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", ev.Seq, ev.Time, ev.Actor, dash(ev.IP), ev.Action,
			dash(strings.Join(ev.Customer, ",")), dash(strings.Join(ev.Fields, ",")), ev.Outcome, dash(ev.Reason), dash(ev.RequestID))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	// Keep one event on one line whatever a reason holds.
	return strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\r' {
			return ' '
		}
		return r
	}, s)
}
