package console

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
)

// The API keys page (owners): the shop's keys, creating one (its secret shown once) and
// revoking one. access.Keys does not write the trail itself, so the page records each
// creation and revocation, naming the member: a key whose creation cannot be recorded is
// revoked at once and not shown (fail closed).

func init() {
	section(func(s *Server) []route {
		return []route{
			{pattern: "GET " + Prefix + "keys", perm: access.PermManageKeys, h: s.keysPage},
			{pattern: "POST " + Prefix + "keys", perm: access.PermManageKeys, h: s.keyCreate},
			{pattern: "POST " + Prefix + "keys/{id}/revoke", perm: access.PermManageKeys, h: s.keyRevoke},
		}
	})
	addMessages(keysMessages)
}

// keyAllowMax bounds a key's allow-list: a handful of servers' networks, not a country.
const keyAllowMax = 32

type keyRow struct {
	ID, Name        string
	Scopes          []string
	AllowedIPs      []string
	Created         time.Time
	LastUsed        time.Time // the key's newest event in the trail; zero: none
	Expires         time.Time // zero: never
	Expired         bool
	Revoked         time.Time
	IsRevoked       bool
	MaskedReadsOnly bool
}

type keysData struct {
	Keys    []keyRow
	Scopes  []string
	Checked map[string]bool
	Name    string
	Allow   string
	Expires string
	Error   string
	Flash   string
	MinDate string // the earliest expiry date the form accepts (today)
}

func (s *Server) keysPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := keysData{Checked: map[string]bool{}}
	if r.URL.Query().Get("m") == "revoked" {
		d.Flash = "keys.revoked"
	}
	return s.showKeys(w, r, rc, http.StatusOK, d)
}

func (s *Server) showKeys(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d keysData) error {
	list, err := s.cfg.Keys.List(r.Context(), rc.sess.Shop)
	if err != nil {
		return err
	}
	now := s.now()
	for _, k := range list {
		row := keyRow{ID: k.ID, Name: k.Name, Scopes: k.Scopes, AllowedIPs: k.AllowedIPs, Created: k.Created,
			MaskedReadsOnly: slices.Contains(k.Scopes, access.ScopeCustomersReadMasked)}
		if k.Expires != nil {
			row.Expires, row.Expired = *k.Expires, !now.Before(*k.Expires)
		}
		if k.Revoked != nil {
			row.Revoked, row.IsRevoked = *k.Revoked, true
		}
		last, err := s.cfg.Trail.Query(r.Context(), audit.Filter{Actor: "key:" + k.ID, Limit: 1})
		if err != nil {
			return err
		}
		if len(last) == 1 {
			row.LastUsed = last[0].Time
		}
		d.Keys = append(d.Keys, row)
	}
	slices.Reverse(d.Keys) // newest first
	d.Scopes = access.AllScopes
	d.MinDate = now.In(jst).Format(time.DateOnly)
	data := map[string]any{"K": d, "Flash": d.Flash}
	s.render(w, r, rc, status, "keys", data)
	return nil
}

// keyCreate makes a key from the form and shows its secret once.
func (s *Server) keyCreate(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := r.ParseForm(); err != nil {
		return &pageError{status: http.StatusBadRequest, msg: "err.input", cause: err}
	}
	d := keysData{Checked: map[string]bool{}, Name: strings.TrimSpace(r.PostFormValue("name")),
		Allow: strings.TrimSpace(r.PostFormValue("allow")), Expires: strings.TrimSpace(r.PostFormValue("expires"))}
	for _, sc := range r.PostForm["scope"] {
		d.Checked[sc] = true
	}
	fail := func(key string) error {
		d.Error = key
		return s.showKeys(w, r, rc, http.StatusBadRequest, d)
	}
	if d.Name == "" || len(d.Name) > 64 || strings.ContainsAny(d.Name, "\r\n\t") {
		return fail("keys.err.name")
	}
	scopes, err := access.ParseScopes(strings.Join(r.PostForm["scope"], ","))
	if err != nil {
		if d.Checked[access.ScopeCustomersReadMasked] {
			return fail("keys.err.masked")
		}
		return fail("keys.err.scopes")
	}
	var lim access.KeyLimits
	for _, f := range strings.FieldsFunc(d.Allow, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' || r == ' ' || r == '\t' }) {
		p, err := access.ParseCIDR(f)
		if err != nil {
			return fail("keys.err.cidr")
		}
		if !slices.Contains(lim.AllowIPs, p) {
			lim.AllowIPs = append(lim.AllowIPs, p)
		}
	}
	if len(lim.AllowIPs) > keyAllowMax {
		return fail("keys.err.cidrmany")
	}
	if d.Expires != "" {
		// The key works through the whole of the chosen day, Japan time.
		day, err := time.ParseInLocation(time.DateOnly, d.Expires, jst)
		if err != nil || !day.AddDate(0, 0, 1).After(s.now()) {
			return fail("keys.err.expires")
		}
		lim.Expires = day.AddDate(0, 0, 1)
	}
	id, secret, err := s.cfg.Keys.CreateLimited(r.Context(), rc.sess.Shop, d.Name, scopes, lim)
	if err != nil {
		return err
	}
	ev := audit.Event{Actor: rc.actor.ID, ActorIP: rc.actor.IP, Action: audit.ActionKeyCreated, Shop: rc.sess.Shop,
		Reason: access.KeyAuditReason(id, scopes, lim), Outcome: audit.OK, RequestID: rc.id}
	if err := s.cfg.Trail.Append(r.Context(), ev); err != nil {
		// Unrecorded, the key must not exist: revoke it and show nothing.
		rerr := s.cfg.Keys.Revoke(r.Context(), rc.sess.Shop, id)
		return &pageError{status: http.StatusServiceUnavailable, msg: "err.audit", cause: errors.Join(err, rerr)}
	}
	s.render(w, r, rc, http.StatusOK, "key_created", map[string]any{"ID": id, "Name": d.Name, "Secret": secret, "Scopes": scopes})
	return nil
}

// keyRevoke revokes a key of the shop. Revoking is containment, so it happens even if the
// trail then cannot record it; the page says so (503) and the log has the cause.
func (s *Server) keyRevoke(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	id := r.PathValue("id")
	if err := s.cfg.Keys.Revoke(r.Context(), rc.sess.Shop, id); err != nil {
		return notFound
	}
	ev := audit.Event{Actor: rc.actor.ID, ActorIP: rc.actor.IP, Action: audit.ActionKeyRevoked, Shop: rc.sess.Shop,
		Reason: id, Outcome: audit.OK, RequestID: rc.id}
	if err := s.cfg.Trail.Append(r.Context(), ev); err != nil {
		return &pageError{status: http.StatusServiceUnavailable, msg: "err.audit", cause: err}
	}
	return redirect(w, r, Prefix+"keys?m=revoked")
}

var keysMessages = map[string][2]string{
	"title.keys":        {"APIキー", "API keys"},
	"title.key_created": {"APIキーを作成しました", "API key created"},

	"keys.intro":     {"ショップのシステム（EC-CUBE など）が kinko のAPIを呼び出すためのキーです。用途ごとに必要な権限だけを付けて作成してください。", "Keys your shop's systems (EC-CUBE, …) use to call kinko's API. Make one per purpose, with only the scopes it needs."},
	"keys.none":      {"APIキーはまだありません。", "No API keys yet."},
	"keys.name":      {"名前", "Name"},
	"keys.id":        {"キーID", "Key id"},
	"keys.scopes":    {"権限（スコープ）", "Scopes"},
	"keys.created":   {"作成日時", "Created"},
	"keys.lastused":  {"最終利用", "Last used"},
	"keys.expires":   {"有効期限", "Expires"},
	"keys.allow":     {"接続元IP制限", "Allowed addresses"},
	"keys.state":     {"状態", "State"},
	"keys.anyip":     {"制限なし", "Any"},
	"keys.never":     {"なし", "Never"},
	"keys.unused":    {"記録なし", "Not recorded"},
	"keys.active":    {"有効", "Active"},
	"keys.expired":   {"期限切れ", "Expired"},
	"keys.isrevoked": {"失効済み", "Revoked"},
	"keys.revoke":    {"失効させる", "Revoke"},
	"keys.confirm":   {"このAPIキーを失効させますか？このキーを使っているシステムはすぐにAPIを呼び出せなくなります。", "Revoke this API key? Systems using it stop working at once."},
	"keys.revoked":   {"APIキーを失効させました。", "The API key was revoked."},
	"keys.masked":    {"マスク表示のみ", "Masked reads only"},

	"keys.new":           {"APIキーを作成", "Create an API key"},
	"keys.new.name":      {"名前（用途がわかるように）", "Name (what it is for)"},
	"keys.new.namehelp":  {"例：ec-cube-本番。64文字まで。", "For example shop-backend-production. Up to 64 characters."},
	"keys.new.scopes":    {"付与する権限", "Scopes to give"},
	"keys.new.allow":     {"接続元IP制限（任意）", "Allowed addresses (optional)"},
	"keys.new.allowhelp": {"このキーを使えるサーバーのIPアドレスまたはCIDR（例：203.0.113.10、198.51.100.0/24）。1行に1つ。空欄ならどこからでも使えます。", "IP addresses or CIDR networks of the servers that may use this key (203.0.113.10, 198.51.100.0/24), one per line. Empty: anywhere."},
	"keys.new.expires":   {"有効期限（任意）", "Expiry (optional)"},
	"keys.new.exphelp":   {"指定した日の終わり（日本時間）まで使えます。空欄なら無期限です。", "The key works until the end of that day, Japan time. Empty: no expiry."},
	"keys.new.submit":    {"作成する", "Create"},

	"keys.scope.customers:read":        {"顧客情報の参照", "Read customers"},
	"keys.scope.customers:read:masked": {"顧客情報の参照（マスク表示のみ・表示解除不可）", "Read customers, masked only (no reveal)"},
	"keys.scope.customers:write":       {"顧客情報の登録・更新", "Create and update customers"},
	"keys.scope.customers:delete":      {"顧客情報の削除", "Delete customers"},
	"keys.scope.check":                 {"カード番号・個人情報のチェック", "Check text for card numbers and personal data"},
	"keys.scope.metrics":               {"監視用メトリクス", "Monitoring metrics"},
	"keys.scope.audit:read":            {"監査ログの参照", "Read the audit trail"},
	"keys.scope.admin":                 {"すべての権限（管理者）", "Everything (admin)"},

	"keys.shown.once":   {"このキーは今回しか表示されません。kinko にはハッシュしか保存されないため、再表示できません。今すぐコピーして、ショップのシステムの設定に安全に保管してください。", "This key is shown only now. kinko keeps only its hash and cannot show it again: copy it now into your shop system's settings and keep it safe."},
	"keys.shown.label":  {"APIキー", "API key"},
	"keys.shown.copy":   {"キーをコピー", "Copy the key"},
	"keys.shown.copied": {"コピーしました", "Copied"},
	"keys.shown.done":   {"保管しました。一覧へ戻る", "I have stored it. Back to the list"},
	"keys.shown.intro":  {"「%s」（%s）を作成しました。", "Created “%s” (%s)."},

	"keys.err.name":     {"名前を1〜64文字で入力してください（改行は使えません）。", "Give a name of 1 to 64 characters on one line."},
	"keys.err.scopes":   {"権限を1つ以上選んでください。", "Choose at least one scope."},
	"keys.err.masked":   {"「マスク表示のみ」は「顧客情報の参照」や「すべての権限」と同時に選べません。", "“Masked reads only” cannot be combined with “Read customers” or “Everything”."},
	"keys.err.cidr":     {"接続元IP制限に、IPアドレスまたはCIDRとして読めないものがあります。", "An allowed address is not an IP address or CIDR network."},
	"keys.err.cidrmany": {"接続元IP制限は32件までです。", "At most 32 allowed addresses."},
	"keys.err.expires":  {"有効期限は今日以降の日付を指定してください。", "The expiry must be today or a later date."},
}
