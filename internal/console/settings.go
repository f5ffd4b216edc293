package console

import (
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
)

// The settings page (owners): the shop's display name, its session limits (stricter only)
// and its staff IP allow-list. A change to the allow-list that would keep out the address
// the owner is using right now is refused unless the owner confirms it, so nobody locks
// themselves out by a slip. Every change runs under access.WithActor: the trail names the
// owner.

func init() {
	section(func(s *Server) []route {
		return []route{
			{pattern: "GET " + Prefix + "settings", perm: access.PermManageIPs, h: s.settingsPage},
			{pattern: "POST " + Prefix + "settings/name", perm: access.PermManageIPs, h: s.settingsName},
			{pattern: "POST " + Prefix + "settings/timeouts", perm: access.PermManageIPs, h: s.settingsTimeouts},
			{pattern: "POST " + Prefix + "settings/allow", perm: access.PermManageIPs, h: s.settingsAllow},
			{pattern: "POST " + Prefix + "settings/disallow", perm: access.PermManageIPs, h: s.settingsAllow},
		}
	})
	addMessages(settingsMessages)
}

var settingsFlashes = map[string]string{
	"name": "settings.done.name", "timeouts": "settings.done.timeouts", "allow": "settings.done.allow", "disallow": "settings.done.disallow",
}

type settingsData struct {
	DisplayName string
	ShopName    string
	IdleMin     int
	MaxHours    int
	MinIdle     int
	MaxIdle     int
	MinHours    int
	MaxHoursCap int
	Allowed     []netip.Prefix
	MyIP        string
	MeInList    bool
	Error       string // message key
	// Confirm asks again for an allow-list change that would exclude MyIP.
	Confirm       bool
	ConfirmAction string // "allow" or "disallow"
	ConfirmCIDR   string
	CIDR          string // the add form's value after an error
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showSettings(w, r, rc, http.StatusOK, settingsData{}, settingsFlashes[r.URL.Query().Get("m")])
}

func (s *Server) showSettings(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d settingsData, flash string) error {
	set, err := s.cfg.Staff.ShopSettings(r.Context(), rc.sess.Shop)
	if err != nil {
		return err
	}
	if sh, err := s.cfg.Vault.ShopByID(r.Context(), rc.sess.Shop); err == nil {
		d.ShopName = sh.Name
	}
	if d.Error == "" || d.DisplayName == "" {
		d.DisplayName = set.DisplayName
	}
	if d.IdleMin == 0 {
		d.IdleMin, d.MaxHours = int(set.IdleTimeout/time.Minute), int(set.MaxAge/time.Hour)
	}
	d.MinIdle, d.MaxIdle = int(access.MinSessionIdleTimeout/time.Minute), int(access.SessionIdleTimeout/time.Minute)
	d.MinHours, d.MaxHoursCap = int(access.MinSessionMaxAge/time.Hour), int(access.SessionMaxAge/time.Hour)
	if d.Allowed, err = s.cfg.Staff.AllowedIPs(r.Context(), rc.sess.Shop); err != nil {
		return err
	}
	d.MyIP = clientIP(r)
	d.MeInList = len(d.Allowed) > 0 && access.Allowed(d.Allowed, d.MyIP)
	s.render(w, r, rc, status, "settings", map[string]any{"S": d, "Flash": flash})
	return nil
}

func (s *Server) settingsName(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	name := strings.TrimSpace(r.PostFormValue("display_name"))
	err := s.cfg.Staff.SetDisplayName(actingCtx(r, rc).Context(), rc.sess.Shop, name)
	if errors.Is(err, access.ErrDisplayName) {
		return s.showSettings(w, r, rc, http.StatusBadRequest, settingsData{Error: "settings.err.name", DisplayName: name}, "")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, Prefix+"settings?m=name")
}

func (s *Server) settingsTimeouts(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	idle, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("idle_minutes")))
	hours, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("max_hours")))
	err := errors.Join(err1, err2)
	if err == nil {
		err = s.cfg.Staff.SetSessionLimits(actingCtx(r, rc).Context(), rc.sess.Shop, time.Duration(idle)*time.Minute, time.Duration(hours)*time.Hour)
	}
	if err1 != nil || err2 != nil || errors.Is(err, access.ErrTimeoutRange) {
		return s.showSettings(w, r, rc, http.StatusBadRequest, settingsData{Error: "settings.err.timeouts"}, "")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, Prefix+"settings?m=timeouts")
}

// settingsAllow adds a network to the allow-list (…/allow) or removes one (…/disallow).
func (s *Server) settingsAllow(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	add := strings.HasSuffix(r.URL.Path, "/allow")
	action := "disallow"
	if add {
		action = "allow"
	}
	raw := strings.TrimSpace(r.PostFormValue("cidr"))
	p, err := access.ParseCIDR(raw)
	if err != nil {
		return s.showSettings(w, r, rc, http.StatusBadRequest, settingsData{Error: "settings.err.cidr", CIDR: raw}, "")
	}
	cur, err := s.cfg.Staff.AllowedIPs(r.Context(), rc.sess.Shop)
	if err != nil {
		return err
	}
	next := slices.DeleteFunc(slices.Clone(cur), func(q netip.Prefix) bool { return q == p })
	if add {
		next = append(next, p)
	}
	// An empty list allows everyone; a list that leaves out the owner's own address would
	// refuse the owner's next login.
	if !access.Allowed(next, clientIP(r)) && r.PostFormValue("confirm") != "yes" {
		return s.showSettings(w, r, rc, http.StatusConflict, settingsData{Confirm: true, ConfirmAction: action, ConfirmCIDR: p.String()}, "")
	}
	ctx := actingCtx(r, rc).Context()
	if add {
		_, err = s.cfg.Staff.AllowIP(ctx, rc.sess.Shop, p.String())
	} else {
		_, err = s.cfg.Staff.DisallowIP(ctx, rc.sess.Shop, p.String())
	}
	if errors.Is(err, access.ErrNotInAllowList) {
		return s.showSettings(w, r, rc, http.StatusNotFound, settingsData{Error: "settings.err.notlisted"}, "")
	}
	if err != nil {
		return err
	}
	return redirect(w, r, Prefix+"settings?m="+action)
}

var settingsMessages = map[string][2]string{
	"title.settings": {"設定", "Settings"},

	"settings.shop":          {"ショップの表示名", "Shop display name"},
	"settings.shop.label":    {"表示名（管理画面の上部に表示）", "Display name (shown at the top of the console)"},
	"settings.shop.help":     {"ログインに使うショップID「%s」は変わりません。空欄にするとショップIDを表示します。64文字まで。", "The shop id used to log in, “%s”, does not change. Leave empty to show the shop id. Up to 64 characters."},
	"settings.shop.save":     {"表示名を保存", "Save the display name"},
	"settings.sessions":      {"セッションの有効期限", "Session limits"},
	"settings.sessions.help": {"より厳しくする方向にのみ変更できます。無操作での自動ログアウトは最長15分（PCI DSS 8.2.8）、ログインの有効時間は最長12時間です。変更はログイン中のスタッフにもすぐに適用されます。", "Limits can only be made stricter: at most 15 minutes idle (PCI DSS 8.2.8) and 12 hours per login. Changes apply at once to members already logged in."},
	"settings.idle":          {"無操作で自動ログアウトするまで（分、%d〜%d）", "Log out after this many idle minutes (%d to %d)"},
	"settings.maxage":        {"ログインの有効時間（時間、%d〜%d）", "A login lasts at most this many hours (%d to %d)"},
	"settings.sessions.save": {"有効期限を保存", "Save the limits"},

	"settings.allow":          {"スタッフのIPアドレス制限", "Staff IP allow-list"},
	"settings.allow.help":     {"登録すると、ここにあるネットワークからしか管理画面・スタッフAPIにログインできなくなります。空の場合はどこからでもログインできます。ログイン中のセッションはそのまま続きます。", "Once it lists a network, staff can log in only from the networks listed. Empty: logins from anywhere. Open sessions carry on."},
	"settings.allow.empty":    {"制限はありません（どこからでもログインできます）。", "No restriction: logins from anywhere."},
	"settings.allow.cidr":     {"追加するIPアドレスまたはCIDR（例：203.0.113.0/24）", "IP address or CIDR network to add (e.g. 203.0.113.0/24)"},
	"settings.allow.add":      {"追加する", "Add"},
	"settings.allow.remove":   {"削除", "Remove"},
	"settings.allow.network":  {"ネットワーク", "Network"},
	"settings.allow.myip":     {"あなたの現在のIPアドレス：%s", "Your current IP address: %s"},
	"settings.allow.mein":     {"（このリストに含まれています）", "(inside this list)"},
	"settings.allow.meout":    {"（このリストに含まれていません）", "(not inside this list)"},
	"settings.allow.confirm":  {"このネットワークを削除しますか？", "Remove this network?"},
	"settings.lockout":        {"この変更を行うと、あなたの現在のIPアドレス（%s）からはログインできなくなります。現在のセッションは続きますが、ログアウト後は登録したネットワークからしかログインできません。", "After this change your current IP address (%s) can no longer log in. This session carries on, but after logging out you can log in only from the listed networks."},
	"settings.lockout.change": {"対象：%s", "Change: %s"},
	"settings.lockout.ok":     {"理解したうえで変更する", "I understand: make the change"},
	"settings.lockout.do":     {"変更する", "Make the change"},
	"settings.lockout.cancel": {"やめる", "Cancel"},

	"settings.done.name":     {"表示名を保存しました。", "The display name was saved."},
	"settings.done.timeouts": {"セッションの有効期限を保存しました。", "The session limits were saved."},
	"settings.done.allow":    {"ネットワークを追加しました。", "The network was added."},
	"settings.done.disallow": {"ネットワークを削除しました。", "The network was removed."},

	"settings.err.name":      {"表示名は改行を含まない64文字以内にしてください。", "The display name must be one line of at most 64 characters."},
	"settings.err.timeouts":  {"無操作ログアウトは5〜15分、有効時間は1〜12時間の範囲で指定してください（緩めることはできません）。", "Idle logout must be 5 to 15 minutes and a login 1 to 12 hours: limits cannot be made laxer."},
	"settings.err.cidr":      {"IPアドレスまたはCIDRとして読めません。", "That is not an IP address or CIDR network."},
	"settings.err.notlisted": {"そのネットワークは登録されていません。", "That network is not in the list."},
}
