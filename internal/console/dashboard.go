package console

import (
	"net/http"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
)

// dashboardScan bounds how many of today's events the dashboard reads; a shop past it sees
// "100000+" rather than a slow page.
const dashboardScan = 100000

// attentionDays is how far back owner notices stay at the top of the dashboard.
const attentionDays = 7

type dashCount struct {
	Label string // message key
	N     int
	More  bool // the scan was capped: at least N
	Alert bool // non-zero is worth a look
}

type dashNotice struct {
	Time   time.Time
	Kind   string // message key
	Member string // staff email, or "" when not a member
	IP     string
}

// dashboard shows today's numbers from the audit trail (to roles that may read it) and,
// at the top, the notices that need the owner: lockouts, throttling, refused networks,
// logins from new IPs or devices, role changes and 2FA resets.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	data := map[string]any{"Email": rc.me.Email}
	if !rc.sess.Role.Can(access.PermAuditRead) {
		s.render(w, r, rc, http.StatusOK, "dashboard", data)
		return nil
	}
	now := s.now().In(jst)
	midnight := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, jst)
	events, err := s.cfg.Trail.Query(r.Context(), audit.Filter{From: midnight.Add(-attentionDays * 24 * time.Hour), Limit: dashboardScan})
	if err != nil {
		return err
	}
	counts := map[string]int{}
	var notices []dashNotice
	names := map[string]string{}
	for i := range events {
		e := &events[i]
		if e.Shop != rc.sess.Shop {
			continue
		}
		if !e.Time.Before(midnight) {
			for _, b := range dashBuckets(e.Action) {
				counts[b]++
			}
		}
		if access.NoticeKind(e.Action).ForOwner() && len(notices) < 20 {
			notices = append(notices, dashNotice{Time: e.Time, Kind: "notice." + e.Action, Member: s.memberEmail(r, names, e.Actor), IP: e.ActorIP})
		}
	}
	capped := len(events) == dashboardScan
	var cards []dashCount
	for _, b := range []struct {
		key   string
		alert bool
	}{{"dash.reads", false}, {"dash.reveals", false}, {"dash.cards", true}, {"dash.failed", true}, {"dash.lockouts", true}, {"dash.newip", true}} {
		cards = append(cards, dashCount{Label: b.key, N: counts[b.key], More: capped, Alert: b.alert && counts[b.key] > 0})
	}
	data["Counts"] = cards
	data["Notices"] = notices
	data["ShowStats"] = true
	s.render(w, r, rc, http.StatusOK, "dashboard", data)
	return nil
}

// dashBuckets files an audit action under the dashboard numbers it counts towards. The
// failure that locks an account is recorded as the lock, and is a failed login too.
func dashBuckets(action string) []string {
	switch action {
	case audit.ActionRead, audit.ActionSearch:
		return []string{"dash.reads"}
	case audit.ActionReveal:
		return []string{"dash.reveals"}
	case audit.ActionCardRefused:
		return []string{"dash.cards"}
	case string(access.NoticeLoginFailed):
		return []string{"dash.failed"}
	case string(access.NoticeLoginLocked):
		return []string{"dash.failed", "dash.lockouts"}
	case string(access.NoticeNewIP), string(access.NoticeNewDevice):
		return []string{"dash.newip"}
	}
	return nil
}

// memberEmail names the staff member of an audit actor ("staff:<id>") for the page; names
// caches lookups within one request.
func (s *Server) memberEmail(r *http.Request, names map[string]string, actor string) string {
	if n, ok := names[actor]; ok {
		return n
	}
	n := ""
	if len(actor) > 6 && actor[:6] == "staff:" {
		if m, err := s.cfg.Staff.ByID(r.Context(), actor[6:]); err == nil {
			n = m.Email
		}
	}
	names[actor] = n
	return n
}
