package console

import (
	"cmp"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/audit"
)

// The staff pages (owners and admins): the shop's members, each member's recent logins and
// open sessions, and the actions on a member. Every action checks, besides the page's
// permission, that the acting role may manage the member's current role and the role it
// gives (Role.CanManage: an admin never touches an owner nor makes one), and that nobody
// acts on their own account here (a member cannot raise or lock out themselves). Each runs
// under access.WithActor, so the audit trail names who did it to whom.

func init() {
	section(func(s *Server) []route {
		return []route{
			{pattern: "GET " + Prefix + "staff", perm: access.PermManageStaff, h: s.staffList},
			{pattern: "POST " + Prefix + "staff/invite", perm: access.PermManageStaff, h: s.staffInvite},
			{pattern: "GET " + Prefix + "staff/{id}", perm: access.PermManageStaff, h: s.staffMember},
			{pattern: "POST " + Prefix + "staff/{id}/{action}", perm: access.PermManageStaff, h: s.staffAction},
		}
	})
	addMessages(staffMessages)
}

// staffLoginShown is how many recent logins the member page lists.
const staffLoginShown = 15

// staffLoginKinds are the audit actions of a member's own login attempts.
var staffLoginKinds = []access.NoticeKind{access.NoticeLoginSucceeded, access.NoticeLoginFailed, access.NoticeLoginLocked,
	access.NoticeLoginWhileLocked, access.NoticeRecoveryCodeUsed, access.NoticeNewIP, access.NoticeNewDevice}

// staffFlashes are the one-off notices after an action (?m=…): keys, never text from the URL.
var staffFlashes = map[string]string{
	"role": "staff.done.role", "disable": "staff.done.disable", "enable": "staff.done.enable", "reset-2fa": "staff.done.reset2fa",
	"revoke": "staff.done.revoke", "unlock": "staff.done.unlock",
}

// actingCtx is the request's context naming the logged-in member as the one who acts.
func actingCtx(r *http.Request, rc *reqCtx) *http.Request {
	return r.WithContext(access.WithActor(r.Context(), access.Acting{By: rc.actor.ID, IP: rc.actor.IP, RequestID: rc.id}))
}

// manageableRoles are the roles role may give.
func manageableRoles(role access.Role) []access.Role {
	var out []access.Role
	for _, r := range access.Roles {
		if role.CanManage(r) {
			out = append(out, r)
		}
	}
	return out
}

type staffListData struct {
	Members    []access.Member
	Me         string // own id: no actions on that row
	Roles      []access.Role
	OwnersHid  bool // the role cannot manage owners, whom the list leaves out
	Error      string
	Email      string // the invite form's email after an error
	InviteRole access.Role
}

func (s *Server) staffList(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	return s.showStaffList(w, r, rc, http.StatusOK, staffListData{InviteRole: access.RoleSupport})
}

func (s *Server) showStaffList(w http.ResponseWriter, r *http.Request, rc *reqCtx, status int, d staffListData) error {
	all, err := s.cfg.Staff.List(r.Context(), rc.sess.Shop)
	if err != nil {
		return err
	}
	for _, m := range all {
		if rc.sess.Role.CanManage(m.Role) || m.ID == rc.sess.StaffID {
			d.Members = append(d.Members, m)
		} else {
			d.OwnersHid = true
		}
	}
	d.Me, d.Roles = rc.sess.StaffID, manageableRoles(rc.sess.Role)
	s.render(w, r, rc, status, "staff", d)
	return nil
}

// staffInvite adds a member and shows the one-time setup link.
func (s *Server) staffInvite(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	d := staffListData{Email: strings.TrimSpace(r.PostFormValue("email")), InviteRole: access.Role(r.PostFormValue("role"))}
	role, err := access.ParseRole(r.PostFormValue("role"))
	if err != nil {
		d.Error = "staff.err.role"
		return s.showStaffList(w, r, rc, http.StatusBadRequest, d)
	}
	if !rc.sess.Role.CanManage(role) {
		return forbidden
	}
	r = actingCtx(r, rc)
	m, token, err := s.cfg.Staff.Add(r.Context(), access.NewMember{Shop: rc.sess.Shop, Email: d.Email, Role: role})
	switch {
	case errors.Is(err, access.ErrInvalidEmail):
		d.Error = "staff.err.email"
		return s.showStaffList(w, r, rc, http.StatusBadRequest, d)
	case errors.Is(err, access.ErrStaffExists):
		d.Error = "staff.err.exists"
		return s.showStaffList(w, r, rc, http.StatusConflict, d)
	case err != nil:
		return err
	}
	return s.showSetupLink(w, r, rc, m, token, "staff.link.invited")
}

// showSetupLink shows a setup link once, as a full URL of this console: the answer is
// no-store and the link is not kept anywhere but as its hash.
func (s *Server) showSetupLink(w http.ResponseWriter, r *http.Request, rc *reqCtx, m access.Member, token, intro string) error {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	s.render(w, r, rc, http.StatusOK, "staff_link", map[string]any{
		"Intro": intro, "Email": m.Email, "ID": m.ID, "Link": scheme + "://" + r.Host + Prefix + "setup/" + token,
		"Expires": s.now().Add(access.SetupLinkTTL),
	})
	return nil
}

type staffLogin struct {
	Time    time.Time
	Kind    string // message key
	IP      string
	Outcome string
}

// target is the member an action or page is about: of the same shop, and one the acting
// role may manage.
func (s *Server) target(r *http.Request, rc *reqCtx) (access.Member, error) {
	m, err := s.cfg.Staff.ByID(r.Context(), r.PathValue("id"))
	if errors.Is(err, access.ErrNoStaff) || err == nil && m.Shop != rc.sess.Shop {
		return access.Member{}, notFound
	}
	if err != nil {
		return access.Member{}, err
	}
	if !rc.sess.Role.CanManage(m.Role) {
		return access.Member{}, forbidden
	}
	return m, nil
}

func (s *Server) staffMember(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.target(r, rc)
	if err != nil {
		return err
	}
	sessions, err := s.cfg.Staff.Sessions(r.Context(), m.ID)
	if err != nil {
		return err
	}
	logins, err := s.recentLogins(r, rc, m.ID)
	if err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "staff_member", map[string]any{
		"M": m, "Self": m.ID == rc.sess.StaffID, "Sessions": sessions, "Logins": logins, "Roles": manageableRoles(rc.sess.Role),
		"Flash": staffFlashes[r.URL.Query().Get("m")],
	})
	return nil
}

// recentLogins reads a member's latest login attempts from the audit trail.
func (s *Server) recentLogins(r *http.Request, rc *reqCtx, id string) ([]staffLogin, error) {
	var evs []audit.Event
	for _, k := range staffLoginKinds {
		got, err := s.cfg.Trail.Query(r.Context(), audit.Filter{Actor: "staff:" + id, Action: string(k), Limit: staffLoginShown})
		if err != nil {
			return nil, err
		}
		evs = append(evs, got...)
	}
	slices.SortFunc(evs, func(a, b audit.Event) int { return cmp.Compare(b.Seq, a.Seq) })
	var out []staffLogin
	for _, e := range evs {
		if e.Shop != rc.sess.Shop {
			continue
		}
		if len(out) == staffLoginShown {
			break
		}
		out = append(out, staffLogin{Time: e.Time, Kind: "staff.ev." + e.Action, IP: e.ActorIP, Outcome: e.Outcome})
	}
	return out, nil
}

// staffAction runs one action on a member, then shows the member again with what was done.
func (s *Server) staffAction(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	m, err := s.target(r, rc)
	if err != nil {
		return err
	}
	if m.ID == rc.sess.StaffID {
		return &pageError{status: http.StatusForbidden, msg: "staff.err.self"}
	}
	action := r.PathValue("action")
	r = actingCtx(r, rc)
	ctx, shop := r.Context(), rc.sess.Shop
	switch action {
	case "role":
		role, perr := access.ParseRole(r.PostFormValue("role"))
		if perr != nil {
			return &pageError{status: http.StatusBadRequest, msg: "staff.err.role"}
		}
		if !rc.sess.Role.CanManage(role) {
			return forbidden
		}
		_, err = s.cfg.Staff.SetRole(ctx, shop, m.Email, role)
	case "disable":
		_, err = s.cfg.Staff.SetStatus(ctx, shop, m.Email, access.StatusDisabled)
	case "enable":
		_, err = s.cfg.Staff.SetStatus(ctx, shop, m.Email, access.StatusActive)
	case "reset-2fa":
		_, err = s.cfg.Staff.ResetTOTP(ctx, shop, m.Email)
	case "revoke":
		_, err = s.cfg.Staff.RevokeSessions(ctx, shop, m.Email)
	case "unlock":
		err = s.cfg.Staff.Unlock(ctx, shop, m.Email)
	case "setup-link":
		token, err := s.cfg.Staff.NewSetupLink(ctx, shop, m.Email)
		if err != nil {
			return err
		}
		return s.showSetupLink(w, r, rc, m, token, "staff.link.renewed")
	default:
		return notFound
	}
	if errors.Is(err, access.ErrLastOwner) {
		return &pageError{status: http.StatusConflict, msg: "staff.err.lastowner"}
	}
	if err != nil {
		return err
	}
	return redirect(w, r, Prefix+"staff/"+m.ID+"?m="+action)
}

var staffMessages = map[string][2]string{
	"title.staff":        {"スタッフ管理", "Staff"},
	"title.staff_member": {"スタッフの詳細", "Staff member"},
	"title.staff_link":   {"初期設定リンク", "Setup link"},

	"staff.intro":        {"管理画面を使うスタッフのアカウントです。権限は必要な業務の範囲で付与してください。", "The accounts of the people who use this console. Give each the least role their job needs."},
	"staff.ownershidden": {"オーナーのアカウントはオーナーだけが表示・変更できます。", "Owner accounts are shown and changed by owners only."},
	"staff.email":        {"メールアドレス", "Email"},
	"staff.role":         {"権限", "Role"},
	"staff.status":       {"状態", "Status"},
	"staff.2fa":          {"2段階認証", "2FA"},
	"staff.lastlogin":    {"最終ログイン", "Last login"},
	"staff.lastip":       {"最終ログインIP", "Last login IP"},
	"staff.link":         {"初期設定リンク", "Setup link"},
	"staff.open":         {"詳細", "Details"},
	"staff.you":          {"（あなた）", "(you)"},
	"staff.active":       {"有効", "Active"},
	"staff.disabled":     {"無効", "Disabled"},
	"staff.enrolled":     {"登録済み", "Enrolled"},
	"staff.notenrolled":  {"未登録", "Not set up"},
	"staff.pending":      {"未使用のリンクあり", "Link open"},
	"staff.none":         {"—", "—"},

	"staff.invite":       {"スタッフを招待", "Invite a member"},
	"staff.invite.help":  {"招待すると初期設定リンクが1回だけ表示されます。リンクを本人に安全な方法で伝えてください（24時間有効）。", "Inviting shows a setup link once. Pass it to the person by a safe channel (valid 24 hours)."},
	"staff.invite.email": {"招待するスタッフのメールアドレス", "The member's email"},
	"staff.invite.role":  {"付与する権限", "Role to give"},
	"staff.invite.do":    {"招待する", "Invite"},

	"staff.link.invited": {"%s さんを招待しました。次の初期設定リンクを本人に伝えてください。", "%s has been invited. Pass this setup link to them."},
	"staff.link.renewed": {"%s さんの新しい初期設定リンクを発行しました。以前のリンクは使えなくなりました。", "A new setup link for %s was issued; any earlier link no longer works."},
	"staff.link.once":    {"このリンクは今回しか表示されません。パスワードと2段階認証の設定に1回だけ使え、有効期限は %s までです。", "This link is shown only now. It works once, to set a password and 2FA, until %s."},
	"staff.link.label":   {"初期設定リンク", "Setup link"},
	"staff.link.copy":    {"リンクをコピー", "Copy the link"},
	"staff.link.copied":  {"コピーしました", "Copied"},
	"staff.link.back":    {"スタッフの詳細へ", "Back to the member"},

	"staff.sessions":        {"ログイン中のセッション", "Open sessions"},
	"staff.sessions.none":   {"ログイン中のセッションはありません。", "No open sessions."},
	"staff.session.started": {"開始", "Started"},
	"staff.session.seen":    {"最終操作", "Last active"},
	"staff.session.ip":      {"IPアドレス", "IP address"},
	"staff.session.state":   {"状態", "State"},
	"staff.session.limited": {"2段階認証の登録待ち", "Awaiting 2FA setup"},
	"staff.session.full":    {"通常", "Full"},
	"staff.logins":          {"最近のログイン履歴", "Recent logins"},
	"staff.logins.none":     {"ログインの記録はありません。", "No logins recorded."},
	"staff.logins.when":     {"日時", "When"},
	"staff.logins.what":     {"内容", "What"},

	"staff.ev.login.succeeded":          {"ログイン成功", "Logged in"},
	"staff.ev.login.failed":             {"ログイン失敗", "Failed login"},
	"staff.ev.login.locked":             {"失敗が続いたためロック", "Locked after failures"},
	"staff.ev.login.refused_locked":     {"ロック中のため拒否", "Refused while locked"},
	"staff.ev.login.recovery_code_used": {"リカバリーコードでログイン", "Logged in with a recovery code"},
	"staff.ev.login.new_ip":             {"新しいIPアドレスから", "From a new IP address"},
	"staff.ev.login.new_device":         {"新しい端末から", "From a new device"},

	"staff.actions":          {"操作", "Actions"},
	"staff.self":             {"自分自身の権限の変更、無効化、2段階認証のリセットはここではできません。ほかのオーナーに依頼してください。", "You cannot change your own role, disable yourself or reset your own 2FA here: ask another owner."},
	"staff.newrole":          {"新しい権限", "New role"},
	"staff.setrole":          {"権限を変更", "Change role"},
	"staff.do.disable":       {"アカウントを無効化", "Disable the account"},
	"staff.do.enable":        {"アカウントを有効化", "Enable the account"},
	"staff.do.reset2fa":      {"2段階認証をリセット", "Reset 2FA"},
	"staff.do.revoke":        {"すべてのセッションを終了", "End all sessions"},
	"staff.do.unlock":        {"ログインのロックを解除", "Unlock logins"},
	"staff.do.setuplink":     {"初期設定リンクを再発行", "Issue a new setup link"},
	"staff.help.disable":     {"無効化するとすぐにログアウトされ、ログインできなくなります。", "Disabling logs the member out at once and stops any login."},
	"staff.help.reset2fa":    {"スマートフォンを紛失した場合などに使います。ログイン中のセッションは終了し、次回ログイン時に再登録が必要です。", "For a lost phone: open sessions end and the member sets 2FA up again at the next login."},
	"staff.help.setuplink":   {"パスワードを忘れた場合などに、新しいパスワードと2段階認証を設定するリンクを発行します。", "For a forgotten password: a link to set a new password and 2FA."},
	"staff.confirm.disable":  {"このスタッフを無効化しますか？", "Disable this member?"},
	"staff.confirm.reset2fa": {"このスタッフの2段階認証をリセットしますか？", "Reset this member's 2FA?"},
	"staff.confirm.revoke":   {"このスタッフのすべてのセッションを終了しますか？", "End all of this member's sessions?"},

	"staff.done.role":     {"権限を変更しました。", "The role was changed."},
	"staff.done.disable":  {"アカウントを無効化し、セッションを終了しました。", "The account was disabled and its sessions ended."},
	"staff.done.enable":   {"アカウントを有効化しました。", "The account was enabled."},
	"staff.done.reset2fa": {"2段階認証をリセットしました。次回ログイン時に再登録が必要です。", "2FA was reset; the member sets it up again at the next login."},
	"staff.done.revoke":   {"すべてのセッションを終了しました。", "All sessions were ended."},
	"staff.done.unlock":   {"ログインのロックを解除しました。", "Logins were unlocked."},

	"staff.err.role":      {"権限の指定が正しくありません。", "That role is not valid."},
	"staff.err.email":     {"メールアドレスの形式が正しくありません。", "That email address is not valid."},
	"staff.err.exists":    {"このメールアドレスのスタッフはすでに登録されています。", "A member with this email already exists."},
	"staff.err.self":      {"自分自身のアカウントはこの画面から変更できません。ほかのオーナーに依頼してください。", "You cannot change your own account here; ask another owner."},
	"staff.err.lastowner": {"有効なオーナーが1人もいなくなるため、この操作はできません。先に別のスタッフをオーナーにしてください。", "The shop must keep at least one active owner: make someone else owner first."},
}
