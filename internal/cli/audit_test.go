package cli

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
)

// auditData initialises a data folder and appends n events to its trail.
func auditData(t *testing.T, n int) string {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	if _, errOut, code := runCLI(t, nil, "init", "--data", data); code != 0 {
		t.Fatalf("init exit %d: %s", code, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, store.SQLiteFileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, err := keyring.Open(filepath.Join(data, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.Open(ctx, db, kr, audit.CheckpointPath(kr.Path()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= n; i++ {
		err := tr.Append(ctx, audit.Event{Actor: "key:key_test", Action: audit.ActionRead, Shop: "shp_1",
			Customers: []string{fmt.Sprintf("cus_%d", i%3)}, Fields: []string{"email"}, Outcome: audit.OK, RequestID: fmt.Sprintf("req_%d", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	return data
}

func TestAuditVerifyExitCodes(t *testing.T) {
	data := auditData(t, 12)
	out, errOut, code := runCLI(t, nil, "audit", "verify", "--data", data)
	// 13: init records its first key, then the 12 appended here.
	if code != 0 || !strings.Contains(out, "13 events") || !strings.Contains(out, "checkpoint at seq 13") || strings.Count(out, "\n") != 1 {
		t.Fatalf("intact trail: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, _, code := runCLI(t, nil, "audit", "verify", "--data", data, "--no-such-flag"); code != 2 {
		t.Fatalf("unknown flag: exit %d, want 2", code)
	}
	if _, _, code := runCLI(t, nil, "audit", "verify", "--data", data, "extra"); code != 2 {
		t.Fatalf("stray argument: exit %d, want 2", code)
	}
	help, _, code := runCLI(t, nil, "audit", "verify", "-h")
	if code != 0 || !strings.Contains(help, "-data") || !strings.Contains(help, "Exit status") {
		t.Fatalf("-h: exit %d", code)
	}

	// Edit one column of the 4th event, the way the acceptance check does.
	raw, err := sql.Open("sqlite", filepath.Join(data, store.SQLiteFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`UPDATE audit_events SET time = time + 1 WHERE rowid = (SELECT rowid FROM audit_events ORDER BY rowid LIMIT 1 OFFSET 3)`); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runCLI(t, nil, "audit", "verify", "--data", data)
	if code != 1 || out != "" || !strings.HasPrefix(errOut, "kinko: ") || !strings.Contains(errOut, "event 4: edited") {
		t.Fatalf("edited trail: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestAuditList(t *testing.T) {
	data := auditData(t, 9)
	out, errOut, code := runCLI(t, nil, "audit", "list", "--data", data, "--customer", "cus_1", "--format", "json")
	if code != 0 {
		t.Fatalf("list: exit %d: %s", code, errOut)
	}
	var res struct {
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 3 || res.Events[0]["seq"] != float64(8) { // event 1: init's first key
		t.Fatalf("events for cus_1: %d", len(res.Events))
	}
	for _, k := range []string{"time", "actor", "action", "customer", "fields", "reason", "outcome", "seq", "request_id"} {
		if _, ok := res.Events[0][k]; !ok {
			t.Fatalf("JSON event has no %q", k)
		}
	}
	out, _, code = runCLI(t, nil, "audit", "list", "--data", data, "--action", "read", "--limit", "2")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "key:key_test") {
		t.Fatalf("text list: exit %d, %q", code, out)
	}
	for _, bad := range [][]string{{"--from", "yesterday"}, {"--limit", "0"}, {"--format", "xml"}} {
		if _, _, code := runCLI(t, nil, append([]string{"audit", "list", "--data", data}, bad...)...); code != 2 {
			t.Fatalf("%v: exit %d, want 2", bad, code)
		}
	}
	help, _, _ := runCLI(t, nil, "audit", "list", "-h")
	for _, f := range []string{"-customer", "-actor", "-action", "-from", "-to", "-limit", "-format", "-data"} {
		if !strings.Contains(help, f) {
			t.Fatalf("-h does not describe %s", f)
		}
	}
}

func TestAuditPrune(t *testing.T) {
	data := auditData(t, 3)
	if out, errOut, code := runCLI(t, nil, "audit", "prune", "--data", data); code != 0 || !strings.Contains(out, "nothing to prune") {
		t.Fatalf("recent trail: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, errOut, code := runCLI(t, nil, "audit", "prune", "--data", data, "--keep-months", "11"); code != 2 || !strings.Contains(errOut, "at least 12") {
		t.Fatalf("11 months: exit %d, stderr %q", code, errOut)
	}

	// A data folder whose trail starts two years ago (kinko init would record its first
	// key now, and only a prefix of the trail is ever pruned).
	old := filepath.Join(t.TempDir(), "data")
	if err := os.MkdirAll(old, 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := keyring.Create(filepath.Join(old, keyring.FileName), rand.Reader); err != nil {
		t.Fatal(err)
	}
	appendAt(t, old, time.Now().AddDate(-2, 0, 0), 10)
	appendAt(t, old, time.Now().AddDate(0, -13, 0), 5)
	appendAt(t, old, time.Now().AddDate(0, -1, 0), 4)
	out, errOut, code := runCLI(t, nil, "audit", "prune", "--data", old, "--keep-months", "18")
	if code != 0 || !strings.Contains(out, "pruned 10 events") {
		t.Fatalf("prune 18 months: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, nil, "audit", "prune", "--data", old)
	if code != 0 || !strings.Contains(out, "pruned 5 events") {
		t.Fatalf("prune 12 months: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	out, errOut, code = runCLI(t, nil, "audit", "verify", "--data", old)
	if code != 0 || !strings.Contains(out, "pruned behind a signed cut") {
		t.Fatalf("verify after pruning: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// Deleting the cut makes the missing beginning visible.
	raw, err := sql.Open("sqlite", filepath.Join(old, store.SQLiteFileName))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.Exec(`DELETE FROM audit_retention_cut`); err != nil {
		t.Fatal(err)
	}
	if _, errOut, code := runCLI(t, nil, "audit", "verify", "--data", old); code != 1 || !strings.Contains(errOut, "event 1: missing") {
		t.Fatalf("cut deleted: exit %d, stderr %q", code, errOut)
	}
}

// appendAt appends n events dated at to the trail of data folder dir.
func appendAt(t *testing.T, dir string, at time.Time, n int) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, store.SQLiteFileName), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, err := keyring.Open(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := audit.Open(ctx, db, kr, audit.CheckpointPath(kr.Path()), nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := tr.Append(ctx, audit.Event{Time: at.Add(time.Duration(i) * time.Second), Actor: "key:key_test", Action: audit.ActionRead,
			Shop: "shp_1", Customers: []string{"cus_1"}, Fields: []string{"email"}, Outcome: audit.OK}); err != nil {
			t.Fatal(err)
		}
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
}
