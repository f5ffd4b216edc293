package store

import "context"

// StaffSessions lists a member's sessions, newest first. The token hash stays out of the
// answer: a list of sessions is for showing, never for authenticating.
func (db *DB) StaffSessions(ctx context.Context, staffID string) ([]StaffSession, error) {
	rows, err := db.query(ctx, `SELECT id, staff_id, shop_id, restricted, ip, created_at, last_seen FROM staff_sessions WHERE staff_id = ? ORDER BY created_at DESC, id`, staffID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StaffSession
	for rows.Next() {
		var s StaffSession
		var restricted, created, seen int64
		if err := rows.Scan(&s.ID, &s.StaffID, &s.Shop, &restricted, &s.IP, &created, &seen); err != nil {
			return nil, err
		}
		s.Restricted, s.Created, s.LastSeen = restricted != 0, fromMicros(created), fromMicros(seen)
		out = append(out, s)
	}
	return out, rows.Err()
}
