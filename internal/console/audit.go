package console

import (
	"context"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
	"github.com/kinko-jp/kinko/internal/vault"
)

// The audit trail page: the shop's events filtered by customer, actor, action and dates,
// newest first; the chain's verification, run on demand and kept with its time; a CSV
// export of the filtered trail, itself recorded.
//
// Filters reach the URL (so a filtered view can be bookmarked and paged) only after they
// have been checked to be identifiers, action names or dates: the filter form is POSTed and
// answered with a redirect to the checked query, so an email typed by mistake into the
// customer or actor box never lands in the address bar, the history or a log.

const (
	// auditPageSize is how many events one page lists.
	auditPageSize = 50
	// auditBatch is how many events one query reads while collecting a page: events of
	// other shops on the same server are skipped in memory, as the API does.
	auditBatch = 1000
	// auditScanBudget bounds how many events one page examines; a page cut short by it
	// still links to the next one, so a shop sharing a server with a busy one pages on.
	auditScanBudget = 20000
	// exportMax bounds one CSV file (about 100 MB): narrower dates make smaller files.
	exportMax = 500000
	// verifyWait is how long the "verify now" button waits before answering; a larger
	// trail finishes in the background and the page shows the result when it is there.
	verifyWait = 5 * time.Second
	// verifyTimeout stops a verification that cannot finish (a database gone away).
	verifyTimeout = time.Hour
)

// Actions the console itself records.
const (
	ActionAuditExport   = "trail.exported"
	ActionAuditVerified = "trail.verified"
)

func init() {
	section(func(s *Server) []route {
		return []route{
			{pattern: "GET " + Prefix + "audit", perm: access.PermAuditRead, h: s.auditPage},
			{pattern: "POST " + Prefix + "audit", perm: access.PermAuditRead, h: s.auditFilter},
			{pattern: "POST " + Prefix + "audit/verify", perm: access.PermAuditRead, h: s.auditVerify},
			{pattern: "POST " + Prefix + "audit/export", perm: access.PermAuditRead, h: s.auditExport},
		}
	})
	addMessages(auditMessages)
}

// auditQuery is a checked filter: every value is an identifier, an action name or a date,
// safe in a URL.
type auditQuery struct {
	Customer string // customer id
	Actor    string // "staff:<id>", "key:<id>" or "system"
	Action   string
	From, To string // dates in Japan time, YYYY-MM-DD, both inclusive
	Before   uint64 // paging: only events older than this seq
}

// badFilter answers a filter that is not an identifier, an action or a date; the value is
// not repeated anywhere.
func badFilter(key string) error { return &pageError{status: http.StatusBadRequest, msg: key} }

// parseAuditQuery checks the filter fields of v (a query string or a posted form).
// actor_id, typed by hand, wins over actor, picked from the list.
func parseAuditQuery(v url.Values) (auditQuery, error) {
	q := auditQuery{
		Customer: strings.TrimSpace(v.Get("customer")),
		Actor:    strings.TrimSpace(v.Get("actor")),
		Action:   strings.TrimSpace(v.Get("action")),
		From:     strings.TrimSpace(v.Get("from")),
		To:       strings.TrimSpace(v.Get("to")),
	}
	if id := strings.TrimSpace(v.Get("actor_id")); id != "" {
		q.Actor = id
	}
	if q.Customer != "" && !vault.ValidID(q.Customer) {
		return q, badFilter("audit.bad.customer")
	}
	if q.Actor != "" && !validActor(q.Actor) {
		return q, badFilter("audit.bad.actor")
	}
	if q.Action != "" && !validAction(q.Action) {
		return q, badFilter("audit.bad.action")
	}
	from, err := parseDay(q.From)
	if err != nil {
		return q, badFilter("audit.bad.date")
	}
	to, err := parseDay(q.To)
	if err != nil {
		return q, badFilter("audit.bad.date")
	}
	if !from.IsZero() && !to.IsZero() && to.Before(from) {
		return q, badFilter("audit.bad.range")
	}
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseUint(b, 10, 64)
		if err != nil || n == 0 {
			return q, badFilter("audit.bad.page")
		}
		q.Before = n
	}
	return q, nil
}

// validActor accepts the actor forms the trail records: "system", "staff:<id>", "key:<id>".
func validActor(s string) bool {
	if s == "system" {
		return true
	}
	kind, id, ok := strings.Cut(s, ":")
	return ok && (kind == "staff" || kind == "key") && isIdent(id, "_-")
}

// validAction accepts short lowercase names such as "reveal" or "login.failed".
func validAction(s string) bool { return isIdent(s, "_.") }

func isIdent(s, extra string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune(extra, c)) {
			return false
		}
	}
	return true
}

// parseDay reads a date input (YYYY-MM-DD) as midnight in Japan time; "" is the zero time.
func parseDay(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	return time.ParseInLocation(time.DateOnly, s, jst)
}

// filter is the trail filter for q (the "to" day is included whole).
func (q auditQuery) filter() audit.Filter {
	f := audit.Filter{Customer: q.Customer, Actor: q.Actor, Action: q.Action, Before: q.Before}
	f.From, _ = parseDay(q.From)
	if to, _ := parseDay(q.To); !to.IsZero() {
		f.To = to.AddDate(0, 0, 1)
	}
	return f
}

// values is q as a query string, without the page.
func (q auditQuery) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"customer", q.Customer}, {"actor", q.Actor}, {"action", q.Action}, {"from", q.From}, {"to", q.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// url is the audit page for q, at page before (0: the newest).
func (q auditQuery) url(before uint64) string {
	v := q.values()
	if before > 0 {
		v.Set("before", strconv.FormatUint(before, 10))
	}
	if len(v) == 0 {
		return Prefix + "audit"
	}
	return Prefix + "audit?" + v.Encode()
}

// describe is q in words for the export's own audit event: identifiers and dates only.
func (q auditQuery) describe() string {
	var parts []string
	for _, kv := range [][2]string{{"customer", q.Customer}, {"actor", q.Actor}, {"action", q.Action}, {"from", q.From}, {"to", q.To}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	if len(parts) == 0 {
		return "filter: none"
	}
	return "filter: " + strings.Join(parts, " ")
}

// scanShop calls fn with the shop's events matching f, newest first, until fn returns false,
// the trail ends or budget events have been examined (0: no budget). It returns whether it
// stopped for the budget, and the seq to resume below.
func (s *Server) scanShop(ctx context.Context, shop string, f audit.Filter, budget int, fn func(e *audit.Event) bool) (cut bool, resume uint64, err error) {
	f.Limit = auditBatch
	seen := 0
	for {
		events, err := s.cfg.Trail.Query(ctx, f)
		if err != nil {
			return false, 0, err
		}
		for i := range events {
			e := &events[i]
			f.Before = e.Seq
			seen++
			// Another shop's, or the server's own (shop ""): never shown to a shop.
			if e.Shop == shop && !fn(e) {
				return false, 0, nil
			}
			if budget > 0 && seen >= budget {
				return true, e.Seq, nil
			}
		}
		if len(events) < auditBatch || f.Before <= 1 {
			return false, 0, nil
		}
	}
}

// auditRow is one event as the page and the CSV show it.
type auditRow struct {
	Seq       uint64
	Time      string
	Actor     string
	ActorID   string
	IP        string
	Action    string // translated when known
	ActionID  string
	Customers []string
	More      int // customers beyond those listed
	Fields    string
	Reason    string
	Outcome   string
	Bad       bool // denied, refused or error
	RequestID string
}

// auditRowsShown bounds the customer links of one row (a search names a page of them).
const auditRowsShown = 5

// actorNames names the shop's actors: members by email, API keys by "API key NAME/ID".
type actorNames map[string]string

func (s *Server) actorNames(ctx context.Context, lang, shop string) (actorNames, []access.Member, []actorOption, error) {
	names := actorNames{"system": T(lang, "audit.actor.system")}
	members, err := s.cfg.Staff.List(ctx, shop)
	if err != nil {
		return nil, nil, nil, err
	}
	var opts []actorOption
	for _, m := range members {
		names["staff:"+m.ID] = m.Email
		opts = append(opts, actorOption{Value: "staff:" + m.ID, Label: m.Email})
	}
	keys, err := s.cfg.Keys.List(ctx, shop)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, k := range keys {
		label := T(lang, "audit.actor.key", k.Name, k.ID)
		names["key:"+k.ID] = label
		opts = append(opts, actorOption{Value: "key:" + k.ID, Label: label})
	}
	opts = append(opts, actorOption{Value: "system", Label: names["system"]})
	return names, members, opts, nil
}

type actorOption struct{ Value, Label string }

func (n actorNames) name(actor string) string {
	if v, ok := n[actor]; ok {
		return v
	}
	return actor // a member or key since removed: its id is what is left
}

// formatTime is an event's time in Japan time, to the second.
func formatTime(lang string, t time.Time) string {
	if lang == langEN {
		return t.In(jst).Format("2006-01-02 15:04:05 MST")
	}
	return t.In(jst).Format("2006/01/02 15:04:05")
}

// actionLabel translates a known action and leaves others as recorded.
func actionLabel(lang, action string) string {
	key := "audit.action." + action
	if l := T(lang, key); l != key {
		return l
	}
	return action
}

func outcomeLabel(lang, outcome string) string {
	key := "audit.outcome." + outcome
	if l := T(lang, key); l != key {
		return l
	}
	return outcome
}

func (n actorNames) row(lang string, e *audit.Event) auditRow {
	r := auditRow{Seq: e.Seq, Time: formatTime(lang, e.Time), Actor: n.name(e.Actor), ActorID: e.Actor, IP: e.ActorIP,
		Action: actionLabel(lang, e.Action), ActionID: e.Action, Fields: strings.Join(e.Fields, ", "), Reason: e.Reason,
		Outcome: outcomeLabel(lang, e.Outcome), Bad: e.Outcome != audit.OK && e.Outcome != "", RequestID: e.RequestID}
	r.Customers = e.Customers
	if len(r.Customers) > auditRowsShown {
		r.More = len(r.Customers) - auditRowsShown
		r.Customers = r.Customers[:auditRowsShown]
	}
	return r
}

// auditPage lists the shop's events for the filter in the query string.
func (s *Server) auditPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q, err := parseAuditQuery(r.URL.Query())
	if err != nil {
		return err
	}
	return s.renderAudit(w, r, rc, q, http.StatusOK, "")
}

// auditFilter takes the filter form and redirects to its checked query string; a value
// that is not an identifier or a date is refused here, before it can reach a URL.
func (s *Server) auditFilter(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q, err := parseAuditQuery(r.PostForm)
	if err != nil {
		pe := toPageError(err)
		return s.renderAudit(w, r, rc, auditQuery{}, pe.status, pe.msg)
	}
	q.Before = 0
	return redirect(w, r, q.url(0))
}

func (s *Server) renderAudit(w http.ResponseWriter, r *http.Request, rc *reqCtx, q auditQuery, status int, errKey string) error {
	ctx := r.Context()
	names, _, opts, err := s.actorNames(ctx, rc.lang, rc.sess.Shop)
	if err != nil {
		return err
	}
	var rows []auditRow
	var next uint64
	if errKey == "" {
		cut, resume, err := s.scanShop(ctx, rc.sess.Shop, q.filter(), auditScanBudget, func(e *audit.Event) bool {
			if len(rows) == auditPageSize {
				next = rows[len(rows)-1].Seq
				return false
			}
			rows = append(rows, names.row(rc.lang, e))
			return true
		})
		if err != nil {
			return err
		}
		if cut {
			next = resume
		}
	}
	shops, err := s.cfg.Vault.ShopCount(ctx)
	if err != nil {
		return err
	}
	// The typed actor id shows in its own box when it is not one of the listed ones.
	actorListed := q.Actor == ""
	for _, o := range opts {
		actorListed = actorListed || o.Value == q.Actor
	}
	data := map[string]any{
		"Q": q, "Rows": rows, "Actors": opts, "ActorListed": actorListed, "Actions": actionOptions(rc.lang),
		"Error": errKey, "Filtered": len(q.values()) > 0, "Export": q.values(),
		"Verify": s.verify.view(rc.lang, names, rc.sess.Shop, shops > 1), "CheckpointErr": s.cfg.Trail.Err() != nil,
	}
	if q.Before > 0 {
		data["First"] = q.url(0)
	}
	if next > 0 {
		data["Next"] = q.url(next)
	}
	s.render(w, r, rc, status, "audit", data)
	return nil
}

// knownActions are the actions the filter offers, in the order staff look for them.
var knownActions = []string{
	audit.ActionReveal, audit.ActionRead, audit.ActionSearch, audit.ActionCreate, audit.ActionUpdate, audit.ActionDelete,
	audit.ActionCardRefused,
	string(access.NoticeLoginSucceeded), string(access.NoticeLoginFailed), string(access.NoticeLoginLocked),
	string(access.NoticeLoginWhileLocked), string(access.NoticeLoginThrottled), string(access.NoticeLoginIPRefused),
	string(access.NoticeNewIP), string(access.NoticeNewDevice), string(access.NoticeRecoveryCodeUsed),
	string(access.NoticeLogout), string(access.NoticeSessionsRevoked),
	string(access.NoticeStaffCreated), string(access.NoticeRoleChanged), string(access.NoticeStaffDisabled),
	string(access.NoticeStaffEnabled), string(access.NoticeStaffUnlocked), string(access.NoticePasswordSet),
	string(access.NoticeTOTPEnrolled), string(access.NoticeTOTPReset), string(access.NoticeAllowListChanged),
	audit.ActionKeyCreated, audit.ActionKeyRevoked, "apikey.ip_refused",
	ActionAuditExport, ActionAuditVerified,
}

func actionOptions(lang string) []actorOption {
	out := make([]actorOption, 0, len(knownActions))
	for _, a := range knownActions {
		out = append(out, actorOption{Value: a, Label: actionLabel(lang, a)})
	}
	return out
}

// auditExport answers the filtered trail as CSV (UTF-8 with a BOM, which Excel needs to
// read Japanese), after recording who exported which filter: if that record cannot be
// written, nothing is exported.
func (s *Server) auditExport(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	q, err := parseAuditQuery(r.PostForm)
	if err != nil {
		return err
	}
	q.Before = 0
	ctx := r.Context()
	names, _, _, err := s.actorNames(ctx, rc.lang, rc.sess.Shop)
	if err != nil {
		return err
	}
	ev := audit.Event{Actor: rc.actor.ID, ActorIP: rc.actor.IP, Action: ActionAuditExport, Shop: rc.sess.Shop,
		Reason: q.describe(), Outcome: audit.OK, RequestID: rc.id}
	if q.Customer != "" {
		ev.Customers = []string{q.Customer}
	}
	if err := s.cfg.Trail.Append(ctx, ev); err != nil {
		return &pageError{status: http.StatusServiceUnavailable, msg: "err.audit", cause: err}
	}
	name := "kinko-audit-" + s.now().In(jst).Format("20060102-150405") + ".csv"
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.WriteHeader(http.StatusOK)
	w.Write([]byte("\uFEFF"))
	cw := csv.NewWriter(w)
	cw.UseCRLF = true // what Excel writes and expects
	cw.Write([]string{"seq", T(rc.lang, "audit.col.time"), T(rc.lang, "audit.col.actor"), "actor_id", T(rc.lang, "audit.col.ip"),
		T(rc.lang, "audit.col.action"), "action_id", T(rc.lang, "audit.col.customers"), T(rc.lang, "audit.col.fields"),
		T(rc.lang, "audit.col.reason"), T(rc.lang, "audit.col.outcome"), "request_id"})
	n := 0
	_, _, err = s.scanShop(ctx, rc.sess.Shop, q.filter(), 0, func(e *audit.Event) bool {
		if n == exportMax {
			cw.Write([]string{T(rc.lang, "audit.export.truncated", exportMax)})
			return false
		}
		n++
		row := names.row(rc.lang, e)
		cw.Write(csvSafe([]string{strconv.FormatUint(e.Seq, 10), row.Time, row.Actor, e.Actor, e.ActorIP, row.Action, e.Action,
			strings.Join(e.Customers, " "), row.Fields, e.Reason, row.Outcome, e.RequestID}))
		return true
	})
	cw.Flush()
	if err != nil {
		// The header is gone: the file ends short, and the log says why.
		s.cfg.Log.Error("audit export failed", slog.String("id", rc.id), slog.Any("err", err))
	}
	return nil
}

// csvSafe neutralises cells a spreadsheet would run as a formula (=, +, -, @, and the tab
// and carriage return that also start one): a leading apostrophe makes them text.
func csvSafe(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// verifier runs the chain's verification one at a time, in the background, and keeps the
// last result: a large trail takes a while (docs/audit.md has the figures), and the page
// must not wait for it.
type verifier struct {
	mu      sync.Mutex
	running *verifyRun
	last    *verifyRun
}

type verifyRun struct {
	done    chan struct{}
	Started time.Time
	By      string // actor id of who asked
	Shop    string // their shop
	// Set when done:
	Finished   time.Time
	Report     *audit.Report
	Failed     bool // the trail could not be read (the log has why)
	Checkpoint time.Time
}

// verifyView is the verification as the page shows it.
type verifyView struct {
	Running    bool
	Since      string // when the running one started
	Done       bool   // a result is there
	Failed     bool
	OK         bool
	Shared     bool // the server holds other shops: no counts (they are theirs too)
	Events     uint64
	Unsigned   uint64
	Checkpoint string
	BadSeq     uint64
	BadKind    string // message key
	BadDetail  string
	When, By   string
}

// view shows the last verification to a member of shop. The chain is the whole server's:
// on a server with other shops (shared), the counts of events and who asked, when it was
// someone of another shop, are not this shop's to see; the verdict is everyone's.
func (v *verifier) view(lang string, names actorNames, shop string, shared bool) verifyView {
	v.mu.Lock()
	running, last := v.running, v.last
	v.mu.Unlock()
	out := verifyView{Shared: shared}
	if running != nil {
		out.Running, out.Since = true, formatTime(lang, running.Started)
	}
	if last == nil {
		return out
	}
	out.Done, out.Failed = true, last.Failed
	out.When, out.By = formatTime(lang, last.Finished), names.name(last.By)
	if last.Shop != shop {
		out.By = T(lang, "audit.verify.other_shop")
	}
	if rep := last.Report; rep != nil {
		if !shared {
			out.Events, out.Unsigned = rep.Events, rep.Unsigned
		}
		out.Checkpoint = "—"
		if !last.Checkpoint.IsZero() {
			out.Checkpoint = formatTime(lang, last.Checkpoint)
		}
		if p := rep.Problem; p != nil {
			out.BadSeq, out.BadDetail = p.Seq, p.Detail
			out.BadKind = "audit.kind." + strings.ReplaceAll(string(p.Kind), " ", "_")
		} else {
			out.OK = true
		}
	}
	return out
}

// start begins a verification unless one is running, and returns the one that runs.
func (s *Server) startVerify(rc *reqCtx) *verifyRun {
	v := &s.verify
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.running != nil {
		return v.running
	}
	run := &verifyRun{done: make(chan struct{}), Started: s.now(), By: rc.actor.ID, Shop: rc.sess.Shop}
	v.running = run
	shop, ip, reqID := rc.sess.Shop, rc.actor.IP, rc.id
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
		defer cancel()
		rep, err := s.cfg.Trail.Verify(ctx)
		run.Finished = s.now()
		ev := audit.Event{Actor: run.By, ActorIP: ip, Action: ActionAuditVerified, Shop: shop, Outcome: audit.OK, RequestID: reqID}
		switch {
		case err != nil:
			run.Failed = true
			ev.Outcome = audit.Error
			s.cfg.Log.Error("audit verification failed", slog.String("id", reqID), slog.Any("err", err))
		case rep.Problem != nil:
			run.Report = rep
			ev.Outcome = audit.Error
			ev.Reason = fmt.Sprintf("event %d: %s", rep.Problem.Seq, rep.Problem.Kind)
		default:
			run.Report = rep
			ev.Reason = fmt.Sprintf("%d events intact", rep.Events)
		}
		if rep != nil && rep.Checkpoint != nil {
			run.Checkpoint = rep.Checkpoint.Time
		}
		if err := s.cfg.Trail.Append(ctx, ev); err != nil {
			s.cfg.Log.Error("recording the audit verification failed", slog.String("id", reqID), slog.Any("err", err))
		}
		v.mu.Lock()
		v.running, v.last = nil, run
		v.mu.Unlock()
		close(run.done)
	}()
	return run
}

// auditVerify starts a verification and waits a little for it, then shows the page.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	run := s.startVerify(rc)
	select {
	case <-run.done:
	case <-time.After(verifyWait):
	case <-r.Context().Done():
	}
	q, err := parseAuditQuery(r.PostForm)
	if err != nil {
		q = auditQuery{}
	}
	return redirect(w, r, q.url(0))
}

var auditMessages = map[string][2]string{
	"title.audit": {"監査ログ", "Audit trail"},

	"audit.intro":            {"顧客情報の閲覧・変更、ログイン、権限の変更などの記録です（新しい順、日本時間）。記録は改ざんを検出できる形で保存されています。", "What was done with customer data, logins, role changes and more (newest first, Japan time). The records are chained so that tampering can be detected."},
	"audit.filter":           {"絞り込み", "Filter"},
	"audit.customer":         {"顧客ID", "Customer id"},
	"audit.customer.help":    {"顧客詳細ページのURLにある26文字のIDです。氏名やメールアドレスでは検索できません。", "The 26-character id from the customer's page. Names and email addresses cannot be searched here."},
	"audit.actor":            {"スタッフ・APIキー", "Staff member or API key"},
	"audit.actor.all":        {"すべて", "Anyone"},
	"audit.actor.id":         {"実行者ID（一覧にない場合）", "Actor id (when not in the list)"},
	"audit.actor.id.help":    {"staff:… または key:… の形式です（削除済みのスタッフなど）。", "As staff:… or key:… (for example a member since removed)."},
	"audit.actor.system":     {"システム", "System"},
	"audit.actor.key":        {"APIキー %s / %s", "API key %s / %s"},
	"audit.action":           {"操作", "Action"},
	"audit.action.all":       {"すべて", "Any"},
	"audit.from":             {"開始日", "From"},
	"audit.to":               {"終了日", "To"},
	"audit.apply":            {"絞り込む", "Apply"},
	"audit.clear":            {"条件をクリア", "Clear"},
	"audit.events":           {"記録", "Events"},
	"audit.none":             {"該当する記録はありません。", "No matching events."},
	"audit.next":             {"さらに古い記録", "Older events"},
	"audit.first":            {"最新の記録へ", "Back to the newest"},
	"audit.more":             {"ほか%d件", "and %d more"},
	"audit.col.time":         {"日時", "Time"},
	"audit.col.actor":        {"実行者", "Actor"},
	"audit.col.ip":           {"IPアドレス", "IP address"},
	"audit.col.action":       {"操作", "Action"},
	"audit.col.customers":    {"顧客ID", "Customers"},
	"audit.col.fields":       {"項目", "Fields"},
	"audit.col.reason":       {"理由", "Reason"},
	"audit.col.outcome":      {"結果", "Outcome"},
	"audit.export":           {"CSVでダウンロード", "Download as CSV"},
	"audit.export.help":      {"絞り込んだ記録をCSV（Excel対応）で保存します。ダウンロードしたことも監査ログに記録されます。", "Saves the filtered events as CSV (opens in Excel). The download itself is recorded in the audit trail."},
	"audit.export.truncated": {"（%d件で打ち切りました。期間を絞ってください）", "(cut at %d events: narrow the dates)"},

	"audit.verify":            {"改ざんチェック", "Tamper check"},
	"audit.verify.now":        {"今すぐ検証", "Verify now"},
	"audit.verify.help":       {"すべての記録のハッシュチェーンと署名付きチェックポイントを照合します。記録が多いと数十秒かかることがあります。", "Recomputes the hash chain of every event and checks the signed checkpoints. A large trail can take tens of seconds."},
	"audit.verify.never":      {"このサーバーが起動してから、まだ検証していません。", "Not verified since this server started."},
	"audit.verify.running":    {"検証中です（%s 開始）。しばらくしてからページを再読み込みしてください。", "Verifying (started %s). Reload the page in a while."},
	"audit.verify.ok":         {"改ざんは検出されていません", "No tampering detected"},
	"audit.verify.ok.detail":  {"%d件の記録を検証しました。最新の署名付きチェックポイント：%s", "%d events verified. Newest signed checkpoint: %s"},
	"audit.verify.ok.shared":  {"このサーバーの記録（ほかのショップの分も含みます）をすべて検証しました。最新の署名付きチェックポイント：%s", "Every event on this server (other shops' included) verified. Newest signed checkpoint: %s"},
	"audit.verify.other_shop": {"ほかのショップの担当者", "a member of another shop"},
	"audit.verify.unsigned":   {"最新のチェックポイント以降の%d件は、まだ署名されていません（数秒ごとに署名されます）。", "%d events after the newest checkpoint are not signed yet (checkpoints come every few seconds)."},
	"audit.verify.bad":        {"改ざんを検出しました", "Tampering detected"},
	"audit.verify.bad.detail": {"最初に不一致となった記録：#%d（%s）", "First event that is not as written: #%d (%s)"},
	"audit.verify.bad.help":   {"データベースが直接書き換えられた可能性があります。サーバーの管理者に連絡し、kinko audit verify の結果を確認してください。", "The database may have been changed behind kinko's back. Tell the server's administrator and check the output of kinko audit verify."},
	"audit.verify.failed":     {"検証を完了できませんでした（データベースを読み込めません）。サーバーのログを確認してください。", "The check could not finish (the database could not be read). See the server log."},
	"audit.verify.when":       {"検証日時：%s（実行：%s）", "Checked %s (by %s)"},
	"audit.verify.cperr":      {"自動チェックポイントの作成に失敗しています。記録が切り詰められたか、書き換えられた可能性があります。", "Automatic checkpoints are failing: the trail may have been cut or rewritten."},

	"audit.kind.edited":     {"内容の書き換え", "edited"},
	"audit.kind.missing":    {"記録の欠落", "missing"},
	"audit.kind.reordered":  {"順序の入れ替え", "reordered"},
	"audit.kind.inserted":   {"不正な追加", "inserted"},
	"audit.kind.tail_cut":   {"末尾の切り取り", "tail cut"},
	"audit.kind.checkpoint": {"チェックポイントの不一致", "checkpoint mismatch"},
	"audit.kind.index":      {"顧客索引の不一致", "customer index mismatch"},

	"audit.bad.customer": {"顧客IDは26文字の英小文字と数字です。氏名やメールアドレスでは絞り込めません。", "A customer id is 26 lowercase letters and digits. Names and email addresses cannot be used here."},
	"audit.bad.actor":    {"実行者IDは staff:… または key:… の形式で指定してください。", "An actor id looks like staff:… or key:…."},
	"audit.bad.action":   {"操作の指定が正しくありません。", "That action is not valid."},
	"audit.bad.date":     {"日付は YYYY-MM-DD の形式で指定してください。", "Dates are written YYYY-MM-DD."},
	"audit.bad.range":    {"終了日が開始日より前になっています。", "The end date is before the start date."},
	"audit.bad.page":     {"ページの指定が正しくありません。", "That page does not exist."},

	"audit.outcome.ok":      {"成功", "OK"},
	"audit.outcome.denied":  {"拒否（権限なし）", "Denied"},
	"audit.outcome.refused": {"拒否", "Refused"},
	"audit.outcome.error":   {"エラー", "Error"},

	"audit.action.create":       {"顧客の登録", "Customer created"},
	"audit.action.read":         {"顧客情報の閲覧", "Customer read"},
	"audit.action.search":       {"顧客の検索", "Customer search"},
	"audit.action.update":       {"顧客情報の変更", "Customer updated"},
	"audit.action.reveal":       {"マスク解除（理由付き表示）", "Field revealed (with a reason)"},
	"audit.action.delete":       {"顧客の削除", "Customer deleted"},
	"audit.action.card_refused": {"カード番号の保存を拒否", "Card number refused"},
	"audit.action.login":        {"ログイン", "Login"},
	"audit.action.login_failed": {"ログイン失敗", "Failed login"},
	"audit.action.lockout":      {"アカウントロック", "Account locked"},
	"audit.action.role_change":  {"権限の変更", "Role changed"},
	"audit.action.key_created":  {"APIキーの発行", "API key created"},
	"audit.action.key_revoked":  {"APIキーの無効化", "API key revoked"},

	"audit.action.login.succeeded":          {"ログイン", "Login"},
	"audit.action.login.failed":             {"ログイン失敗", "Failed login"},
	"audit.action.login.locked":             {"アカウントロック", "Account locked"},
	"audit.action.login.refused_locked":     {"ロック中のログインを拒否", "Login refused while locked"},
	"audit.action.login.throttled":          {"ログイン試行の制限", "Logins throttled"},
	"audit.action.login.ip_refused":         {"許可外ネットワークからのログインを拒否", "Login refused (network not allowed)"},
	"audit.action.login.new_ip":             {"新しいIPアドレスからのログイン", "Login from a new IP address"},
	"audit.action.login.new_device":         {"新しい端末からのログイン", "Login from a new device"},
	"audit.action.login.recovery_code_used": {"リカバリーコードでのログイン", "Recovery code used"},
	"audit.action.session.logout":           {"ログアウト", "Logout"},
	"audit.action.session.revoked_all":      {"全セッションの無効化", "All sessions revoked"},
	"audit.action.staff.created":            {"スタッフの追加", "Member added"},
	"audit.action.staff.role_changed":       {"スタッフの権限変更", "Member's role changed"},
	"audit.action.staff.disabled":           {"スタッフの無効化", "Member disabled"},
	"audit.action.staff.enabled":            {"スタッフの有効化", "Member enabled"},
	"audit.action.staff.unlocked":           {"アカウントロックの解除", "Member unlocked"},
	"audit.action.staff.password_set":       {"パスワードの設定", "Password set"},
	"audit.action.staff.2fa_enrolled":       {"2段階認証の登録", "Two-factor authentication set up"},
	"audit.action.staff.2fa_reset":          {"2段階認証のリセット", "Two-factor authentication reset"},
	"audit.action.shop.allowlist_changed":   {"IP許可リストの変更", "IP allow-list changed"},
	"audit.action.apikey.ip_refused":        {"許可外ネットワークからのAPIキー利用を拒否", "API key refused (network not allowed)"},
	"audit.action.trail.exported":           {"監査ログのCSV出力", "Audit trail exported"},
	"audit.action.trail.verified":           {"監査ログの改ざんチェック", "Audit trail verified"},
}
