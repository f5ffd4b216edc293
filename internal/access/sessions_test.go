package access

import (
	"context"
	"testing"
	"time"

	"github.com/kinko-jp/kinko/internal/store/storetest"
)

// TestSessionsList: a member's open sessions are listed newest first without any secret,
// and those past their idle limit are left out.
func TestSessionsList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		f := newFixture(t, b, testParams)
		ctx := context.Background()
		_, codes := f.enrolled("a@example.jp", pw, RoleSupport)
		s1, err := f.login("a@example.jp", pw, codes[0], "192.0.2.1")
		if err != nil {
			t.Fatal(err)
		}
		f.clock.add(10 * time.Minute)
		s2, err := f.login("a@example.jp", pw, codes[1], "192.0.2.2")
		if err != nil {
			t.Fatal(err)
		}
		list, err := f.s.Sessions(ctx, s1.StaffID)
		if err != nil || len(list) != 2 || list[0].ID != s2.ID || list[1].ID != s1.ID || list[0].IP != "192.0.2.2" || list[0].Restricted {
			t.Fatalf("sessions: %+v, %v", list, err)
		}
		f.clock.add(SessionIdleTimeout - 9*time.Minute) // s1 idle 16 minutes, s2 6
		if list, err = f.s.Sessions(ctx, s1.StaffID); err != nil || len(list) != 1 || list[0].ID != s2.ID {
			t.Fatalf("after s1 went idle: %+v, %v", list, err)
		}
	})
}

// TestWithActor: a notice raised under WithActor names who acted, with that request's
// address and id; without it (the CLI) the notice names no one else.
func TestWithActor(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), testParams)
	ctx := context.Background()
	if _, _, err := f.s.Add(ctx, NewMember{Shop: testShop, Email: "b@example.jp", Role: RoleSupport}); err != nil {
		t.Fatal(err)
	}
	f.clearNotices()
	if _, err := f.s.SetRole(ctx, testShop, "b@example.jp", RoleShipping); err != nil {
		t.Fatal(err)
	}
	acted := WithActor(ctx, Acting{By: "staff:a", IP: "192.0.2.9", RequestID: "req1"})
	if _, err := f.s.SetRole(acted, testShop, "b@example.jp", RoleSupport); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.NewSetupLink(acted, testShop, "b@example.jp"); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.notices) != 3 {
		t.Fatalf("notices: %+v", f.notices)
	}
	if n := f.notices[0]; n.By != "" || n.IP != "" || n.RequestID != "" {
		t.Errorf("a change without an actor names one: %+v", n)
	}
	for _, n := range f.notices[1:] {
		if n.By != "staff:a" || n.IP != "192.0.2.9" || n.RequestID != "req1" || n.StaffID == "" {
			t.Errorf("%s: %+v", n.Kind, n)
		}
	}
	if f.notices[2].Kind != NoticeSetupLinkIssued {
		t.Errorf("a new setup link is not noticed: %s", f.notices[2].Kind)
	}
}
