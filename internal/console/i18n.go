package console

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"
)

// Languages: Japanese is the default; English by the person's choice (a cookie set from
// the footer) or, failing that, the browser's Accept-Language.
const (
	langJA     = "ja"
	langEN     = "en"
	langCookie = "kinko_lang"
)

// pickLang chooses the page language.
func pickLang(r *http.Request) string {
	if c, err := r.Cookie(langCookie); err == nil && (c.Value == langJA || c.Value == langEN) {
		return c.Value
	}
	// The first language the browser names that we have wins; quality values are rarely
	// out of order, and ja stays the default for anything else.
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(tag)
		switch {
		case tag == "ja" || strings.HasPrefix(tag, "ja-"):
			return langJA
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return langEN
		}
	}
	return langJA
}

// setLang stores the language choice and goes back to the page it was made on.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	l := r.URL.Query().Get("l")
	if l != langJA && l != langEN {
		l = langJA
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	next := r.URL.Query().Get("next")
	// Only a console path: never an open redirect to another site ("//evil", "/\evil").
	if !strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\") || strings.Contains(next, "//") {
		next = Prefix
	}
	return redirect(w, r, next)
}

// T translates key into lang; args fill its %s/%d verbs. A missing key shows itself, and a
// test checks that every key used by the templates exists in both languages.
func T(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		return key
	}
	s := m[0]
	if lang == langEN {
		s = m[1]
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

var funcs = template.FuncMap{
	"t": T,
	"when": func(lang string, t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		loc := jst
		if lang == langEN {
			return t.In(loc).Format("2006-01-02 15:04 MST")
		}
		return t.In(loc).Format("2006/01/02 15:04")
	},
	"roleName": func(lang string, role any) string { return T(lang, "role."+fmt.Sprint(role)) },
	"other": func(lang string) string {
		if lang == langEN {
			return langJA
		}
		return langEN
	},
	"otherName": func(lang string) string {
		if lang == langEN {
			return "日本語"
		}
		return "English"
	},
	"join": strings.Join,
}

// jst is Japan time, the shop's clock; a fixed zone so the binary needs no tzdata.
var jst = time.FixedZone("JST", 9*3600)

// messages holds every string of the console: key → {Japanese, English}. The Japanese is
// written as an EC-CUBE shop's staff would read it. Each file of pages adds its own strings
// with addMessages from init.
var messages = map[string][2]string{}

// addMessages adds strings; a key defined twice is a programming error caught at start.
func addMessages(m map[string][2]string) {
	for k, v := range m {
		if _, dup := messages[k]; dup {
			panic("console: message " + k + " defined twice")
		}
		messages[k] = v
	}
}

func init() { addMessages(coreMessages) }

var coreMessages = map[string][2]string{
	"app.name":    {"kinko 管理画面", "kinko console"},
	"app.tagline": {"顧客データ金庫", "customer-data vault"},

	"title.login":     {"ログイン", "Log in"},
	"title.enrol":     {"2段階認証の登録", "Set up two-factor authentication"},
	"title.setup":     {"アカウントの初期設定", "Set up your account"},
	"title.recovery":  {"リカバリーコード", "Recovery codes"},
	"title.dashboard": {"ダッシュボード", "Dashboard"},
	"title.error":     {"エラー", "Error"},

	"nav.dashboard": {"ダッシュボード", "Dashboard"},
	"nav.customers": {"顧客", "Customers"},
	"nav.staff":     {"スタッフ", "Staff"},
	"nav.keys":      {"APIキー", "API keys"},
	"nav.audit":     {"監査ログ", "Audit trail"},
	"nav.settings":  {"設定", "Settings"},
	"nav.logout":    {"ログアウト", "Log out"},
	"nav.skip":      {"本文へ移動", "Skip to content"},
	"nav.menu":      {"メニュー", "Menu"},

	"role.owner":     {"オーナー", "Owner"},
	"role.admin":     {"管理者", "Admin"},
	"role.support":   {"サポート", "Support"},
	"role.shipping":  {"出荷担当", "Shipping"},
	"role.marketing": {"マーケティング", "Marketing"},
	"role.auditor":   {"監査担当", "Auditor"},

	"login.email":       {"メールアドレス", "Email"},
	"login.password":    {"パスワード", "Password"},
	"login.otp":         {"認証コード（6桁）またはリカバリーコード", "Authentication code (6 digits) or a recovery code"},
	"login.otp.help":    {"認証アプリに表示されている6桁の数字です。2段階認証をまだ登録していない方は空欄のままログインしてください。", "The 6-digit number in your authenticator app. If you have not set up two-factor authentication yet, leave it empty."},
	"login.shop":        {"ショップ", "Shop"},
	"login.shop.help":   {"複数のショップを運営している場合のみ入力します（空欄なら default）。", "Only when this server hosts several shops (empty means default)."},
	"login.other":       {"別のショップにログイン", "Log in to another shop"},
	"login.submit":      {"ログイン", "Log in"},
	"login.failed":      {"メールアドレス、パスワード、または認証コードが正しくありません。", "The email, password or authentication code is not correct."},
	"login.locked":      {"ログインの失敗が続いたため、このアカウントは30分間ロックされています。急ぐ場合はオーナーにロック解除を依頼してください。", "This account is locked for 30 minutes after too many failed logins. If it is urgent, ask an owner to unlock it."},
	"login.throttled":   {"このネットワークからのログイン失敗が多すぎます。しばらく時間をおいてから再度お試しください。", "Too many failed logins from this network. Please wait a while and try again."},
	"login.ipdenied":    {"このネットワークからはログインできません。社内ネットワークから接続するか、オーナーに確認してください。", "Logins are not allowed from this network. Connect from your office network or ask an owner."},
	"login.expired":     {"一定時間操作がなかったため、ログアウトしました。もう一度ログインしてください。", "You were logged out after a period of inactivity. Please log in again."},
	"login.loggedout":   {"ログアウトしました。", "You have logged out."},
	"login.setupdone":   {"初期設定が完了しました。設定したパスワードと認証コードでログインしてください。", "Your account is set up. Log in with your new password and authentication code."},
	"login.intro":       {"スタッフ専用の管理画面です。操作はすべて監査ログに記録されます。", "For shop staff only. Every action is recorded in the audit trail."},
	"enrol.intro":       {"管理画面を使うには2段階認証の登録が必要です。スマートフォンの認証アプリ（Google Authenticator、Microsoft Authenticator など）で下のQRコードを読み取ってください。", "Two-factor authentication is required to use the console. Scan the QR code below with an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, …)."},
	"enrol.secret":      {"QRコードを読み取れない場合は、次のキーを手入力してください：", "If you cannot scan the code, type this key into the app:"},
	"enrol.code":        {"アプリに表示された6桁のコード", "The 6-digit code the app shows"},
	"enrol.submit":      {"登録する", "Confirm"},
	"enrol.invalid":     {"コードが正しくありません。スマートフォンの時刻が正しいか確認し、次に表示されるコードでお試しください。", "That code is not valid. Check the time on your phone and try the next code."},
	"enrol.qr":          {"認証アプリ用のQRコード", "QR code for your authenticator app"},
	"recovery.intro":    {"スマートフォンを紛失したときのためのリカバリーコードです。各コードは1回だけ使えます。この画面は二度と表示されません。印刷するか、パスワードマネージャーに保管してください。", "These recovery codes let you log in if you lose your phone. Each works once. This page is shown only once: print them or keep them in a password manager."},
	"recovery.copy":     {"コピー", "Copy"},
	"recovery.copied":   {"コピーしました", "Copied"},
	"recovery.continue": {"保管しました。管理画面へ進む", "I have saved them. Continue"},
	"setup.intro":       {"%s さん、kinko へようこそ。パスワードを設定し、2段階認証を登録してください。このリンクは1回だけ、24時間以内に使えます。", "Welcome to kinko, %s. Set a password and set up two-factor authentication. This link works once, within 24 hours."},
	"setup.password":    {"新しいパスワード（12文字以上）", "New password (at least 12 characters)"},
	"setup.password2":   {"新しいパスワード（確認）", "New password (again)"},
	"setup.pwhelp":      {"よく使われるパスワードやメールアドレスを含むものは使えません。長めのフレーズがおすすめです。", "Common passwords and ones containing your email are refused. A long phrase works well."},
	"setup.keep":        {"パスワードは設定済みです。変更しない場合は空欄のままにしてください。", "A password is already set. Leave these empty to keep it."},
	"setup.mismatch":    {"確認用のパスワードが一致しません。", "The two passwords do not match."},
	"setup.invalid":     {"このリンクは無効か、使用済みか、期限切れです。オーナーに新しいリンクの発行を依頼してください。", "This link is invalid, already used or expired. Ask an owner for a new one."},
	"setup.submit":      {"設定を完了する", "Finish setup"},

	"pw.short":  {"パスワードは12文字以上にしてください。", "The password must be at least 12 characters."},
	"pw.long":   {"パスワードが長すぎます。", "The password is too long."},
	"pw.common": {"よく使われるパスワードのため使えません。別のパスワードにしてください。", "That password is too common. Choose another."},
	"pw.email":  {"パスワードにメールアドレスを含めることはできません。", "The password must not contain your email address."},

	"dash.intro":     {"本日（日本時間）の状況です。", "Today (Japan time) at a glance."},
	"dash.attention": {"オーナーへのお知らせ", "Needs the owner's attention"},
	"dash.none":      {"対応が必要なお知らせはありません。", "Nothing needs your attention."},
	"dash.reads":     {"顧客情報の閲覧", "Customer reads"},
	"dash.reveals":   {"マスク解除（理由付き表示）", "Reveals (with a reason)"},
	"dash.cards":     {"拒否したカード番号", "Card numbers refused"},
	"dash.failed":    {"ログイン失敗", "Failed logins"},
	"dash.lockouts":  {"アカウントロック", "Lockouts"},
	"dash.newip":     {"新しいIP・端末からのログイン", "Logins from a new IP or device"},
	"dash.welcome":   {"%s としてログインしています。", "Logged in as %s."},
	"dash.when":      {"日時", "When"},
	"dash.what":      {"内容", "What"},
	"dash.who":       {"対象スタッフ", "Member"},
	"dash.ip":        {"IPアドレス", "IP address"},

	"notice.login.locked":       {"ログイン失敗が続いたためアカウントをロックしました", "An account was locked after repeated failed logins"},
	"notice.login.throttled":    {"同じネットワークからのログイン失敗が多いため制限しました", "A network was throttled after many failed logins"},
	"notice.login.ip_refused":   {"許可されていないネットワークからのログインを拒否しました", "A login from a network outside the allow-list was refused"},
	"notice.login.new_ip":       {"新しいIPアドレスからログインがありました", "A login from a new IP address"},
	"notice.login.new_device":   {"新しい端末（ブラウザ）からログインがありました", "A login from a new device (browser)"},
	"notice.staff.role_changed": {"スタッフの権限が変更されました", "A member's role was changed"},
	"notice.staff.2fa_reset":    {"スタッフの2段階認証がリセットされました", "A member's two-factor authentication was reset"},

	"err.notfound":    {"ページが見つかりません。", "Page not found."},
	"err.forbidden":   {"この操作を行う権限がありません。", "Your role does not allow this."},
	"err.crossorigin": {"別のサイトから送信されたリクエストは受け付けられません。", "Requests sent from another site are refused."},
	"err.formtoken":   {"フォームの有効期限が切れました。ページを読み込み直してから、もう一度お試しください。", "The form has expired. Reload the page and try again."},
	"err.card":        {"カード番号と思われる値が含まれているため保存できません。カード番号は決済代行会社のトークンで管理してください。", "A card number was found in a value, so nothing was saved. Keep cards as a payment provider's token."},
	"err.input":       {"入力内容に誤りがあります。", "Some input is not valid."},
	"err.shredded":    {"この顧客は削除されています（データは復元できません）。", "This customer was deleted; the data cannot be recovered."},
	"err.audit":       {"監査ログに記録できないため、操作を中止しました。時間をおいて再度お試しください。", "The audit trail cannot be written, so nothing was done. Try again later."},
	"err.conflict":    {"ほかの操作と重なりました。もう一度お試しください。", "Another change got there first. Try again."},
	"err.internal":    {"内部エラーが発生しました。", "An internal error occurred."},
	"err.reqid":       {"お問い合わせの際は次のIDをお伝えください：%s", "When you report this, quote the request id %s."},
	"err.back":        {"トップへ戻る", "Back to the start"},

	"footer.lang":  {"表示言語", "Language"},
	"footer.audit": {"この画面での操作はすべて監査ログに記録されます。", "Everything done here is recorded in the audit trail."},
}
