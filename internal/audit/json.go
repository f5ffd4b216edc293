package audit

import (
	"encoding/hex"
	"time"
)

// JSONEvent is an event as the API (GET /v1/audit) and `kinko audit list --format json`
// show it: one shape in both places.
type JSONEvent struct {
	Seq       uint64   `json:"seq"`
	Time      string   `json:"time"`
	Actor     string   `json:"actor"`
	IP        string   `json:"ip,omitempty"`
	Action    string   `json:"action"`
	Shop      string   `json:"shop,omitempty"`
	Customer  []string `json:"customer"`
	Fields    []string `json:"fields"`
	Reason    string   `json:"reason"`
	Outcome   string   `json:"outcome"`
	RequestID string   `json:"request_id,omitempty"`
	Query     string   `json:"query,omitempty"` // hex of the blind-index HMAC of a search term
}

// ToJSON converts an event for display.
func ToJSON(ev *Event) JSONEvent {
	j := JSONEvent{Seq: ev.Seq, Time: ev.Time.UTC().Format(time.RFC3339Nano), Actor: ev.Actor, IP: ev.ActorIP, Action: ev.Action,
		Shop: ev.Shop, Customer: nonNil(ev.Customers), Fields: nonNil(ev.Fields), Reason: ev.Reason, Outcome: ev.Outcome, RequestID: ev.RequestID}
	if len(ev.Query) > 0 {
		j.Query = hex.EncodeToString(ev.Query)
	}
	return j
}

func nonNil(l []string) []string {
	if l == nil {
		return []string{}
	}
	return l
}
