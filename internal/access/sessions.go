package access

import (
	"context"
	"time"
)

// SessionInfo describes an open session for a list (the console's staff page): never its
// token or the token's hash.
type SessionInfo struct {
	ID         string // names the session in the audit trail
	Created    time.Time
	LastSeen   time.Time
	IP         string
	Restricted bool // may only enrol 2FA
}

// Sessions lists the open sessions of the member with staffID, newest first. Sessions past
// their shop's idle or absolute limit are left out (Authenticate deletes them on their next use).
func (s *Staff) Sessions(ctx context.Context, staffID string) ([]SessionInfo, error) {
	all, err := s.db.StaffSessions(ctx, staffID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []SessionInfo
	for _, ss := range all {
		idle, maxAge, err := s.sessionLimits(ctx, ss.Shop)
		if err != nil {
			return nil, err
		}
		if !now.Before(ss.LastSeen.Add(idle)) || !now.Before(ss.Created.Add(maxAge)) {
			continue
		}
		out = append(out, SessionInfo{ID: ss.ID, Created: ss.Created, LastSeen: ss.LastSeen, IP: ss.IP, Restricted: ss.Restricted})
	}
	return out, nil
}
