package audit

import (
	"context"

	"github.com/kinko-jp/kinko/internal/access"
)

// RecordNotice appends a staff-access notice (a login, a failure, a lockout, a role change,
// a 2FA reset…) as an event; it is what access.StaffOptions.Notify should be. The member
// concerned is the actor of what they did themselves (or "system" for an address that is
// not a member, and for changes made from the command line); when another member acted
// (Notice.By, set by the console), that member is the actor and the member concerned is
// named in the reason, so "who did what to whom" has an answer.
func (t *Trail) RecordNotice(ctx context.Context, n access.Notice) error {
	actor, reason := "system", n.Detail
	if n.StaffID != "" {
		actor = "staff:" + n.StaffID
	}
	if n.By != "" && n.By != actor {
		if n.StaffID != "" {
			reason = "member " + actor
			if n.Detail != "" {
				reason += "; " + n.Detail
			}
		}
		actor = n.By
	}
	outcome := OK
	switch n.Kind {
	case access.NoticeLoginFailed:
		outcome = Denied
	case access.NoticeLoginLocked, access.NoticeLoginWhileLocked, access.NoticeLoginThrottled, access.NoticeLoginIPRefused:
		outcome = Refused
	}
	return t.Append(ctx, Event{Time: n.Time, Actor: actor, ActorIP: n.IP, Action: string(n.Kind), Shop: n.Shop, Reason: reason,
		Outcome: outcome, RequestID: n.RequestID})
}
