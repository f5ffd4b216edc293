package audit_test

import (
	"context"
	"crypto/rand"
	"path/filepath"
	"testing"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/keyring"
	"github.com/kinko-jp/kinko/internal/store"
	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// TestRecordNotice: a change made by the member concerned, or from the CLI, names that
// member as the actor (as always); a change someone else made through the console names
// who did it as the actor and the member concerned in the reason.
func TestRecordNotice(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, storetest.SQLite(t).DSN, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	kr, err := keyring.Create(filepath.Join(dir, keyring.FileName), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := audit.Open(ctx, db, kr, audit.CheckpointPath(kr.Path()), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer trail.Close()
	record := trail.RecordNotice
	for _, c := range []struct {
		name                   string
		n                      access.Notice
		actor, reason, request string
	}{
		{"cli role change", access.Notice{Kind: access.NoticeRoleChanged, Shop: "s", StaffID: "b", Detail: "support→admin"}, "staff:b", "support→admin", ""},
		{"console role change", access.Notice{Kind: access.NoticeRoleChanged, Shop: "s", StaffID: "b", Detail: "support→admin", By: "staff:a", RequestID: "r1"},
			"staff:a", "member staff:b; support→admin", "r1"},
		{"console disable", access.Notice{Kind: access.NoticeStaffDisabled, Shop: "s", StaffID: "b", By: "staff:a"}, "staff:a", "member staff:b", ""},
		{"own action", access.Notice{Kind: access.NoticeSessionsRevoked, Shop: "s", StaffID: "a", By: "staff:a", Detail: "2 sessions"}, "staff:a", "2 sessions", ""},
		{"console allow-list", access.Notice{Kind: access.NoticeAllowListChanged, Shop: "s", By: "staff:a", Detail: "added 192.0.2.0/24"}, "staff:a", "added 192.0.2.0/24", ""},
		{"cli allow-list", access.Notice{Kind: access.NoticeAllowListChanged, Shop: "s", Detail: "added 192.0.2.0/24"}, "system", "added 192.0.2.0/24", ""},
	} {
		if err := record(ctx, c.n); err != nil {
			t.Fatal(err)
		}
		evs, err := trail.Query(ctx, audit.Filter{Limit: 1})
		if err != nil || len(evs) != 1 {
			t.Fatalf("%s: %v", c.name, err)
		}
		ev := evs[0]
		if ev.Actor != c.actor || ev.Reason != c.reason || ev.Action != string(c.n.Kind) || ev.RequestID != c.request {
			t.Errorf("%s: actor %q reason %q action %q request %q", c.name, ev.Actor, ev.Reason, ev.Action, ev.RequestID)
		}
	}
}
