package access

import (
	"context"
	"time"
)

// Notice is something about staff access that belongs in the audit trail and, for the
// kinds marked "owner", in front of the shop's owner. access does not write the trail
// itself: the service hands each Notice to StaffOptions.Notify, which the caller wires to
// its audit log. A Notice never holds a password, a code, a token or an email address: the
// member is named by StaffID (empty when the email typed is not a member).
type Notice struct {
	Kind    NoticeKind
	Time    time.Time
	Shop    string // shop id
	StaffID string // the member concerned; "" for an address that is not a member
	IP      string // where the attempt came from, when there was one
	Detail  string // safe words: "support→admin", "3 recovery codes left", "restricted"
	// By is who made the change ("staff:<id>"), as named by WithActor on the context of the
	// call (the console does); "" from the CLI and for logins, where StaffID acts for
	// itself. RequestID ties the notice to that request's log line.
	By        string
	RequestID string
}

// Acting names who acts through a context: the member behind a console request, with the
// address and request id the audit event should carry.
type Acting struct {
	By        string // "staff:<id>"
	IP        string
	RequestID string
}

type actingKey struct{}

// WithActor returns ctx carrying a: every Notice raised under it names a.By as the one who
// acted (and a.IP where the notice has no address of its own), so the audit trail answers
// "who did what to whom".
func WithActor(ctx context.Context, a Acting) context.Context {
	return context.WithValue(ctx, actingKey{}, a)
}

// NoticeKind names what happened; the strings are stable (they end up in the audit trail).
type NoticeKind string

const (
	NoticeLoginSucceeded   NoticeKind = "login.succeeded"
	NoticeLoginFailed      NoticeKind = "login.failed"
	NoticeLoginLocked      NoticeKind = "login.locked" // owner: this failure locked the account
	NoticeLoginWhileLocked NoticeKind = "login.refused_locked"
	NoticeLoginThrottled   NoticeKind = "login.throttled"  // owner: an IP was throttled
	NoticeLoginIPRefused   NoticeKind = "login.ip_refused" // owner: outside the allow-list
	NoticeNewIP            NoticeKind = "login.new_ip"     // owner: first login from this IP
	NoticeNewDevice        NoticeKind = "login.new_device" // owner: first login from this device
	NoticeRecoveryCodeUsed NoticeKind = "login.recovery_code_used"
	NoticeLogout           NoticeKind = "session.logout"
	NoticeSessionsRevoked  NoticeKind = "session.revoked_all"
	NoticeStaffCreated     NoticeKind = "staff.created"
	NoticeRoleChanged      NoticeKind = "staff.role_changed" // owner
	NoticeStaffDisabled    NoticeKind = "staff.disabled"
	NoticeStaffEnabled     NoticeKind = "staff.enabled"
	NoticeStaffUnlocked    NoticeKind = "staff.unlocked"
	NoticePasswordSet      NoticeKind = "staff.password_set"
	NoticeTOTPEnrolled     NoticeKind = "staff.2fa_enrolled"
	NoticeTOTPReset        NoticeKind = "staff.2fa_reset" // owner
	NoticeSetupLinkIssued  NoticeKind = "staff.setup_link_issued"
	NoticeAllowListChanged NoticeKind = "shop.allowlist_changed"
	// NoticeShopSettingsChanged: session limits or the display name changed.
	NoticeShopSettingsChanged NoticeKind = "shop.settings_changed"
)

// ForOwner reports whether the owner should be shown this notice (issue 5: a new IP or
// device, a 2FA reset, a role change; and lockouts and refusals, which are attacks).
func (k NoticeKind) ForOwner() bool {
	switch k {
	case NoticeLoginLocked, NoticeLoginThrottled, NoticeLoginIPRefused, NoticeNewIP, NoticeNewDevice,
		NoticeRoleChanged, NoticeTOTPReset:
		return true
	}
	return false
}

// OwnerNoticeKinds lists the kinds ForOwner accepts, for listing them from the audit trail
// (kinko user notices, GET /v1/audit?notices=owner).
func OwnerNoticeKinds() []string {
	return []string{string(NoticeNewIP), string(NoticeNewDevice), string(NoticeTOTPReset), string(NoticeRoleChanged),
		string(NoticeLoginLocked), string(NoticeLoginThrottled), string(NoticeLoginIPRefused)}
}

// notify hands n to the configured callback. Its error is returned so that an action whose
// record cannot be written can be undone (fail closed).
func (s *Staff) notify(ctx context.Context, n Notice) error {
	if s.onNotice == nil {
		return nil
	}
	if n.Time.IsZero() {
		n.Time = s.now().UTC()
	}
	if a, ok := ctx.Value(actingKey{}).(Acting); ok {
		if n.By == "" {
			n.By = a.By
		}
		if n.IP == "" {
			n.IP = a.IP
		}
		if n.RequestID == "" {
			n.RequestID = a.RequestID
		}
	}
	return s.onNotice(ctx, n)
}
