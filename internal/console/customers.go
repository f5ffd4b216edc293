package console

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kinko-jp/kinko/internal/access"
	"github.com/kinko-jp/kinko/internal/vault"
)

// The customer pages: search, detail with reveal, edit, delete. Every read and change goes
// through vault with the member's actor, so masking per role, reveal with a reason, card
// refusal and the audit trail are the vault's, exactly as on the API. Search terms travel
// only in POSTed forms (the search page and its pager), never in a URL; customers are named
// by their random id.

func init() {
	section(func(s *Server) []route {
		p := Prefix + "customers"
		return []route{
			{pattern: "GET " + p, perm: access.PermCustomersRead, h: s.customersPage},
			{pattern: "POST " + p, perm: access.PermCustomersRead, h: s.customersSearch},
			{pattern: "GET " + p + "/{id}", perm: access.PermCustomersRead, h: s.customerPage},
			// Reveal is open to every reader: the vault decides per role and field, and a
			// refusal must reach it to be recorded as denied.
			{pattern: "POST " + p + "/{id}/reveal", perm: access.PermCustomersRead, h: s.customerReveal},
			{pattern: "GET " + p + "/{id}/edit", perm: access.PermCustomersWrite, h: s.customerEditPage},
			{pattern: "POST " + p + "/{id}/edit", perm: access.PermCustomersWrite, h: s.customerEditSubmit},
			{pattern: "GET " + p + "/{id}/delete", perm: access.PermCustomersDelete, h: s.customerDeletePage},
			{pattern: "POST " + p + "/{id}/delete", perm: access.PermCustomersDelete, h: s.customerDeleteSubmit},
		}
	})
	addMessages(customerMessages)
}

// customersPerPage: a page of results fits a laptop screen; a search answers at most
// vault.MaxSearchResults, so at most five pages.
const customersPerPage = 20

// revealSeconds is how long a revealed value stays on screen (console.js hides it).
const revealSeconds = 60

// customerNotices are the one-off notices after a redirect (?m=…): keys, never text from
// the URL.
var customerNotices = map[string]string{"deleted": "cust.flash.deleted", "saved": "cust.flash.saved", "nochange": "cust.flash.nochange"}

// searchOption is one field of the search form's select.
type searchOption struct {
	Value, Label string
	Selected     bool
}

// searchCol is one column of the results: a field the role sees.
type searchCol struct {
	Label  string // message key
	Masked bool
}

type searchCell struct {
	V      string
	Masked bool
}

type searchRow struct {
	ID    string
	Cells []searchCell
}

type searchData struct {
	Field, Value string
	Fields       []searchOption
	Searched     bool
	Error        string // message key
	ErrorField   string // message key of the field an error names
	Cols         []searchCol
	Results      []searchRow
	Total        int
	From, To     int
	Page, Pages  int
	Prev, Next   int // page numbers, 0 for none
	Capped       bool
	Max          int
}

// searchColumns are the result columns, each shown only to roles that see its field.
var searchColumns = []struct {
	label  string
	leaves []string
}{
	{"cust.field.name", []string{access.FieldName}},
	{"cust.field.name_kana", []string{access.FieldNameKana}},
	{"cust.field.email", []string{access.FieldEmail}},
	{"cust.field.phone", []string{access.FieldPhone}},
	{"cust.col.area", []string{access.FieldPrefecture, access.FieldCity}},
	{"cust.field.birth_date", []string{access.FieldBirthDate}},
	{"cust.field.gender", []string{access.FieldGender}},
}

func newSearchData(field string) *searchData {
	d := &searchData{Field: field, Max: vault.MaxSearchResults}
	for _, f := range vault.SearchFields {
		d.Fields = append(d.Fields, searchOption{Value: f, Label: "cust.field." + f, Selected: f == field})
	}
	return d
}

func (s *Server) customersPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	// Any query string is ignored: a search is only ever run from a POSTed form.
	s.render(w, r, rc, http.StatusOK, "customers", map[string]any{"S": newSearchData("email"), "Flash": customerNotices[r.URL.Query().Get("m")]})
	return nil
}

// customersSearch runs one search (vault.Search normalises the value as the API does and
// records the search with the value's blind index) and shows one page of the results.
func (s *Server) customersSearch(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	field := r.PostFormValue("field")
	if !isSearchField(field) {
		field = "email"
	}
	d := newSearchData(field)
	d.Value = strings.TrimSpace(r.PostFormValue("q"))
	fail := func(status int, msg string) error {
		d.Error = msg
		s.render(w, r, rc, status, "customers", map[string]any{"S": d})
		return nil
	}
	if d.Value == "" {
		return fail(http.StatusUnprocessableEntity, "cust.search.empty")
	}
	recs, err := s.cfg.Vault.Search(r.Context(), rc.actor, field, d.Value)
	var card *vault.CardRefusedError
	var inErr *vault.InputError
	switch {
	case errors.As(err, &card):
		d.Value = "" // never echo a card number
		return fail(http.StatusUnprocessableEntity, "err.card")
	case errors.As(err, &inErr):
		// Nothing left after normalisation (letters searched as a phone number…).
		return fail(http.StatusUnprocessableEntity, "cust.search.invalid")
	case err != nil:
		return err
	}
	d.Searched = true
	d.Total = len(recs)
	d.Capped = len(recs) >= vault.MaxSearchResults
	d.Pages = max(1, (len(recs)+customersPerPage-1)/customersPerPage)
	d.Page, _ = strconv.Atoi(r.PostFormValue("page"))
	d.Page = min(max(d.Page, 1), d.Pages)
	if d.Page > 1 {
		d.Prev = d.Page - 1
	}
	if d.Page < d.Pages {
		d.Next = d.Page + 1
	}
	lo, hi := (d.Page-1)*customersPerPage, min(d.Page*customersPerPage, len(recs))
	d.From, d.To = lo+1, hi
	pol := access.PolicyFor(rc.sess.Role)
	var shown []int
	for i, c := range searchColumns {
		vis := visibility(pol, c.leaves)
		if vis == access.Hidden {
			continue
		}
		shown = append(shown, i)
		d.Cols = append(d.Cols, searchCol{Label: c.label, Masked: vis == access.Masked})
	}
	for _, rec := range recs[lo:hi] {
		vals := leafValues(rec)
		row := searchRow{ID: rec.ID}
		for j, i := range shown {
			row.Cells = append(row.Cells, searchCell{V: joinLeaves(vals, searchColumns[i].leaves), Masked: d.Cols[j].Masked})
		}
		d.Results = append(d.Results, row)
	}
	s.render(w, r, rc, http.StatusOK, "customers", map[string]any{"S": d})
	return nil
}

func isSearchField(f string) bool {
	for _, sf := range vault.SearchFields {
		if f == sf {
			return true
		}
	}
	return false
}

// visibility is the most a role sees of any of leaves (Clear > Masked > Hidden).
func visibility(pol access.Policy, leaves []string) access.Visibility {
	v := access.Hidden
	for _, l := range leaves {
		v = max(v, pol.Visible(l))
	}
	return v
}

// leafValues names each non-empty value of a record as shown by the vault by its leaf field
// (access.Fields); a masked birth date is its age band.
func leafValues(rec *vault.Record) map[string]string {
	m := map[string]string{}
	put := func(k string, p *string) {
		if p != nil && *p != "" {
			m[k] = *p
		}
	}
	in := &rec.Input
	put(access.FieldName, in.Name)
	put(access.FieldNameKana, in.NameKana)
	put(access.FieldEmail, in.Email)
	put(access.FieldPhone, in.Phone)
	put(access.FieldPostalCode, in.PostalCode)
	put(access.FieldBirthDate, in.BirthDate)
	if rec.AgeBand != "" {
		m[access.FieldBirthDate] = rec.AgeBand
	}
	put(access.FieldGender, in.Gender)
	if a := in.Address; a != nil {
		put(access.FieldPrefecture, &a.Prefecture)
		put(access.FieldCity, &a.City)
		put(access.FieldLine1, &a.Line1)
		put(access.FieldLine2, &a.Line2)
	}
	if c := rec.Card; c != nil {
		put(access.FieldCardBrand, &c.Brand)
		put(access.FieldCardLast4, &c.Last4)
		if c.ExpMonth > 0 {
			m[access.FieldCardExpMonth] = strconv.Itoa(c.ExpMonth)
			m[access.FieldCardExpYear] = strconv.Itoa(c.ExpYear)
		}
		put(access.FieldCardProvider, &c.Provider)
		put(access.FieldCardToken, &c.Token)
	}
	return m
}

// joinLeaves joins the values of leaves present in m, in order.
func joinLeaves(m map[string]string, leaves []string) string {
	var parts []string
	for _, l := range leaves {
		if v := m[l]; v != "" {
			parts = append(parts, v)
		}
	}
	return strings.Join(parts, " ")
}

// customerRow is one line of the detail page: a top-level field of the record.
type customerRow struct {
	Key        string // top-level field name, what the reveal form sends
	Label      string // message key
	Value      string // what the role sees; "" for nothing
	Masked     bool   // (part of) the value is shown masked
	Hidden     bool   // the role sees none of it (only a reveal can show it)
	Partial    bool   // parts of it are not shown to the role
	Reveal     bool   // the role may reveal it with a reason
	Revealed   string // the clear value just revealed, "" otherwise
	MaskedText string // what replaces the revealed value when its time is up
	Attrs      []attr
	Open       bool   // the reveal form is open (it has an error)
	Error      string // message key of the reveal form's error
}

type attr struct{ K, V string }

// customerFields are the detail page's rows, each with its leaf fields in display order.
var customerFields = []struct {
	key    string
	leaves []string
}{
	{"name", []string{access.FieldName}},
	{"name_kana", []string{access.FieldNameKana}},
	{"email", []string{access.FieldEmail}},
	{"phone", []string{access.FieldPhone}},
	{"postal_code", []string{access.FieldPostalCode}},
	{"address", []string{access.FieldPrefecture, access.FieldCity, access.FieldLine1, access.FieldLine2}},
	{"birth_date", []string{access.FieldBirthDate}},
	{"gender", []string{access.FieldGender}},
	{"attributes", []string{access.FieldAttributes}},
	{"card", []string{access.FieldCardBrand, access.FieldCardLast4, access.FieldCardExpMonth, access.FieldCardExpYear, access.FieldCardProvider, access.FieldCardToken}},
}

func isCustomerField(key string) bool {
	for _, f := range customerFields {
		if f.key == key {
			return true
		}
	}
	return false
}

type customerData struct {
	ID        string
	Short     string
	Rows      []customerRow
	CanEdit   bool
	CanDelete bool
	AnyReveal bool
	MinReason int
	Seconds   int
	Revealed  string // message key of the revealed field, "" when nothing was revealed
}

// customerView builds the detail page of rec (as the vault showed it to the member);
// revealed holds the clear values of field revealedKey just revealed, by leaf name.
func (s *Server) customerView(rc *reqCtx, rec *vault.Record, revealedKey string, revealed map[string]string) *customerData {
	role := rc.sess.Role
	pol := access.PolicyFor(role)
	vals := leafValues(rec)
	d := &customerData{ID: rec.ID, Short: shortID(rec.ID), CanEdit: role.Can(access.PermCustomersWrite),
		CanDelete: role.Can(access.PermCustomersDelete), MinReason: vault.MinReasonLength, Seconds: revealSeconds}
	for _, f := range customerFields {
		row := customerRow{Key: f.key, Label: "cust.field." + f.key}
		seen := false
		for _, l := range f.leaves {
			switch pol.Visible(l) {
			case access.Hidden:
				row.Partial = true
			case access.Masked:
				seen = true
				if vals[l] != "" {
					row.Masked = true
				}
			case access.Clear:
				seen = true
			}
		}
		row.Hidden = !seen
		row.Partial = row.Partial && seen
		row.Reveal = role.Can(access.PermReveal) && access.CanReveal(role, f.key) && (row.Masked || row.Partial || row.Hidden)
		if !seen && !row.Reveal {
			continue // nothing of it for this role: not even that it exists
		}
		switch f.key {
		case "attributes":
			for k, v := range rec.Attributes {
				row.Attrs = append(row.Attrs, attr{k, v})
			}
			sort.Slice(row.Attrs, func(i, j int) bool { return row.Attrs[i].K < row.Attrs[j].K })
		case "card":
			row.Value = cardText(vals)
		default:
			row.Value = joinLeaves(vals, f.leaves)
		}
		row.MaskedText = row.Value
		if row.MaskedText == "" {
			row.MaskedText = T(rc.lang, "cust.hidden")
		}
		if f.key == revealedKey {
			if f.key == "card" {
				row.Revealed = cardText(revealed)
			} else {
				row.Revealed = joinLeaves(revealed, f.leaves)
			}
			if row.Revealed == "" {
				row.Revealed = T(rc.lang, "cust.none")
			}
			d.Revealed = row.Label
		}
		d.AnyReveal = d.AnyReveal || row.Reveal
		d.Rows = append(d.Rows, row)
	}
	return d
}

// cardText shows a card reference: brand, last 4, expiry, provider, token.
func cardText(m map[string]string) string {
	var parts []string
	for _, p := range []string{m[access.FieldCardBrand], last4(m[access.FieldCardLast4]), expiry(m), m[access.FieldCardProvider], m[access.FieldCardToken]} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

func last4(s string) string {
	if s == "" {
		return ""
	}
	return "**** " + s
}

func expiry(m map[string]string) string {
	mo, y := m[access.FieldCardExpMonth], m[access.FieldCardExpYear]
	if mo == "" || y == "" {
		return ""
	}
	if len(mo) == 1 {
		mo = "0" + mo
	}
	return mo + "/" + y
}

// shortID is what the delete page asks the member to type: the first 8 characters of the
// customer's random id (40 bits: enough that a slip of the finger never matches).
func shortID(id string) string {
	if len(id) < 8 {
		return id
	}
	return id[:8]
}

// customerPage shows one customer as the member's role sees it.
func (s *Server) customerPage(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	rec, err := s.cfg.Vault.Get(r.Context(), rc.actor, r.PathValue("id"))
	if err != nil {
		return err
	}
	s.render(w, r, rc, http.StatusOK, "customer", map[string]any{"C": s.customerView(rc, rec, "", nil), "Flash": customerNotices[r.URL.Query().Get("m")]})
	return nil
}

var customerMessages = map[string][2]string{
	"title.customers":       {"顧客検索", "Find a customer"},
	"title.customer":        {"顧客詳細", "Customer"},
	"title.customer_edit":   {"顧客情報の編集", "Edit customer"},
	"title.customer_delete": {"顧客の削除", "Delete customer"},

	"cust.flash.deleted":  {"顧客を削除しました。データは復元できません。", "The customer was deleted. The data cannot be recovered."},
	"cust.flash.saved":    {"顧客情報を保存しました。", "The customer was saved."},
	"cust.flash.nochange": {"変更された項目がないため、保存していません。", "Nothing was changed, so nothing was saved."},

	"cust.field.id":                 {"顧客ID", "Customer id"},
	"cust.field.name":               {"氏名", "Name"},
	"cust.field.name_kana":          {"氏名（フリガナ）", "Name (kana)"},
	"cust.field.email":              {"メールアドレス", "Email"},
	"cust.field.phone":              {"電話番号", "Phone"},
	"cust.field.postal_code":        {"郵便番号", "Postal code"},
	"cust.field.address":            {"住所", "Address"},
	"cust.field.address.prefecture": {"都道府県", "Prefecture"},
	"cust.field.address.city":       {"市区町村", "City"},
	"cust.field.address.line1":      {"番地", "Street address"},
	"cust.field.address.line2":      {"建物名・部屋番号", "Building, room"},
	"cust.field.birth_date":         {"生年月日", "Date of birth"},
	"cust.field.gender":             {"性別", "Gender"},
	"cust.field.attributes":         {"属性", "Attributes"},
	"cust.field.card":               {"カード（決済代行会社のトークン）", "Card (payment provider's token)"},
	"cust.col.area":                 {"地域", "Area"},

	"cust.hidden":  {"非表示", "Hidden"},
	"cust.none":    {"（登録なし）", "(none)"},
	"cust.empty":   {"—", "—"},
	"cust.partial": {"一部の項目はあなたの権限では表示されません。", "Parts of this are not shown to your role."},

	"cust.search.intro":   {"メールアドレス・電話番号・氏名・フリガナのいずれかで、完全一致で検索します。全角・半角、ハイフンや空白の違いは区別しません。検索した値は記録されず、URLにも残りません。", "Search by email, phone, name or kana, exact match. Full-width and half-width characters, hyphens and spaces are treated alike. The value you search for is not stored and never appears in a URL."},
	"cust.search.by":      {"検索する項目", "Search by"},
	"cust.search.value":   {"検索する値", "Value"},
	"cust.search.submit":  {"検索", "Search"},
	"cust.search.help":    {"例：taro@example.jp、090-1234-5678、山田 太郎、ヤマダ タロウ", "For example taro@example.jp, 090-1234-5678, 山田 太郎, ヤマダ タロウ"},
	"cust.search.empty":   {"検索する値を入力してください。", "Enter a value to search for."},
	"cust.search.invalid": {"この項目では検索できない値です。検索する項目と入力内容を確認してください。", "That value cannot be searched for in this field. Check the field and the value."},
	"cust.results":        {"検索結果", "Results"},
	"cust.results.count":  {"%d件中 %d〜%d件目", "%[2]d–%[3]d of %[1]d"},
	"cust.results.capped": {"一致した顧客が多いため、最初の%d件のみ表示しています。条件を変えて検索してください。",
		"Many customers match; only the first %d are shown. Search by another field."},
	"cust.results.none": {"一致する顧客はいません。", "No customer matches."},
	"cust.pager":        {"検索結果のページ", "Result pages"},
	"cust.pager.prev":   {"前のページ", "Previous page"},
	"cust.pager.next":   {"次のページ", "Next page"},
	"cust.pager.page":   {"%d / %d ページ", "Page %d of %d"},

	"cust.detail.intro":  {"あなたの権限で表示できる範囲の顧客情報です。この画面を開いたことは監査ログに記録されています。", "The customer as your role sees it. Opening this page was recorded in the audit trail."},
	"cust.detail.reveal": {"マスクされた項目は「表示」から理由を入力すると、%d秒間だけ表示されます。表示した項目と理由は監査ログに記録されます。", "To see a masked value, choose Reveal and give a reason; it is shown for %d seconds. The field and your reason are recorded in the audit trail."},
	"cust.detail.back":   {"顧客検索へ戻る", "Back to search"},
	"cust.detail.edit":   {"編集する", "Edit"},
	"cust.detail.delete": {"削除する", "Delete"},

	"cust.reveal.button":   {"表示", "Reveal"},
	"cust.reveal.reason":   {"表示する理由", "Reason for revealing"},
	"cust.reveal.help":     {"%d文字以上で、業務上の理由を具体的に書いてください（例：お客様からの配送先確認の問い合わせ対応）。理由は監査ログに残るため、氏名・電話番号・メールアドレスなどの個人情報は書かないでください。", "At least %d characters: say what the work is (for example: the customer called to check the delivery address). The reason is kept in the audit trail, so write no personal data such as names, phone numbers or emails."},
	"cust.reveal.submit":   {"理由を記録して表示", "Record the reason and reveal"},
	"cust.reveal.recorded": {"表示した項目と理由を監査ログに記録しました。値は60秒後に再びマスクされます。", "The field and your reason were recorded in the audit trail. The value is masked again after 60 seconds."},
	"cust.reveal.shown":    {"表示中：%s", "Revealed: %s"},
	"cust.reveal.left":     {"残り", "hidden in"},
	"cust.reveal.sec":      {"秒", "s"},
	"cust.reveal.short":    {"理由が短すぎます。10文字以上で、業務上の理由を書いてください。", "The reason is too short: say why you need this in at least 10 characters."},
	"cust.reveal.long":     {"理由が長すぎます。500文字以内で書いてください。", "The reason is too long: at most 500 characters."},
	"cust.reveal.personal": {"理由に個人情報（氏名・メールアドレス・電話番号・カード番号など）が含まれているようです。理由は監査ログに残るため、個人情報を含めずに1行で書き直してください。入力された理由は保存していません。", "The reason seems to contain personal data (a name, email, phone or card number). Reasons are kept in the audit trail, so write it again on one line without personal data. What you typed was not stored."},

	"cust.edit.intro":          {"変更する項目だけを入力してください。空欄の項目は変更されません。あなたの権限で表示されない値は空欄になっています（現在の値を確認するには、詳細画面で理由を入力して表示してください）。", "Fill in only what changes: empty inputs keep the stored value. Values your role does not see are left empty (to check one, reveal it with a reason on the customer page)."},
	"cust.edit.keep":           {"変更する場合のみ入力", "Only to change it"},
	"cust.edit.current":        {"現在の値：%s（マスク表示）", "Current value: %s (masked)"},
	"cust.edit.current.hidden": {"現在の値はあなたの権限では表示されません。", "Your role does not see the current value."},
	"cust.edit.current.none":   {"現在は登録されていません。", "Nothing is stored now."},
	"cust.edit.prefilled":      {"現在の値を表示しています。", "The current value is shown."},
	"cust.edit.clear":          {"この項目を削除する", "Remove this value"},
	"cust.edit.both":           {"「削除する」を選んだ項目に新しい値も入力されています。どちらか一方にしてください。", "A value was typed into a field marked for removal. Choose one or the other."},
	"cust.edit.address.help":   {"住所を変更すると、入力した内容で住所全体を置き換えます。都道府県・市区町村・番地は必須です。建物名・部屋番号がある場合はあわせて入力してください。", "Changing the address replaces it as a whole: prefecture, city and street address are required; add the building and room if there is one."},
	"cust.edit.address_all":    {"住所を変更する場合は、都道府県・市区町村・番地をすべて入力してください。", "To change the address, fill in the prefecture, city and street address."},
	"cust.edit.attrs":          {"属性は1行に1つ、「キー=値」の形で入力してください。", "Write attributes one per line as key=value."},
	"cust.edit.where":          {"対象の項目：%s", "Field: %s"},
	"cust.edit.submit":         {"保存する", "Save"},
	"cust.edit.cancel":         {"保存せずに戻る", "Back without saving"},

	"cust.hint.email":       {"例：taro@example.jp", "For example taro@example.jp"},
	"cust.hint.phone":       {"数字とハイフンで入力してください（例：090-1234-5678）。", "Digits with optional hyphens, for example 090-1234-5678."},
	"cust.hint.postal_code": {"7桁で入力してください（例：106-0032）。", "7 digits, for example 106-0032."},
	"cust.hint.birth_date":  {"実在する過去の日付を入力してください（例：1985-04-01）。", "A real date in the past, for example 1985-04-01."},
	"cust.hint.attributes":  {"1行に1つ、「キー=値」の形で入力します（例：rank=gold）。入力した内容で属性全体を置き換えます。", "One per line as key=value (for example rank=gold); replaces all attributes."},

	"cust.delete.intro":    {"この顧客のデータを完全に削除します。この操作は取り消せません。", "This deletes the customer's data for good. It cannot be undone."},
	"cust.delete.shred":    {"削除すると顧客ごとの暗号鍵を破棄するため（クリプトシュレッディング）、データベースに残った暗号文も、過去のバックアップに含まれるデータも、二度と復号できません。誤って削除した場合も復元する方法はありません。削除したことは監査ログに記録されます。", "Deleting destroys the customer's own encryption key (crypto-shredding): what remains in the database and every copy in past backups can never be decrypted again. There is no way to recover a customer deleted by mistake. The deletion is recorded in the audit trail."},
	"cust.delete.target":   {"削除する顧客", "Customer to delete"},
	"cust.delete.confirm":  {"確認のため、顧客IDの先頭8文字「%s」を入力してください", "To confirm, type the first 8 characters of the customer id: %s"},
	"cust.delete.help":     {"顧客ID全体を入力しても構いません。", "Typing the whole id works too."},
	"cust.delete.submit":   {"完全に削除する", "Delete for good"},
	"cust.delete.question": {"この顧客を完全に削除します。よろしいですか？", "Delete this customer for good?"},
	"cust.delete.mismatch": {"入力された文字が顧客IDの先頭8文字と一致しません。削除していません。", "What you typed does not match the first 8 characters of the id. Nothing was deleted."},
	"cust.delete.cancel":   {"削除せずに戻る", "Back without deleting"},
}
