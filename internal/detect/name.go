package detect

import "strings"

// Person names in kanji or kana (and Latin letters under a name key), found
// from context only: a value under a name key or column (name, 氏名, お名前,
// 姓, 名, フリガナ, first_name…), a value after an inline name label
// ("お名前：山田 太郎 様", "【氏名】山田花子"), or the words before a 様
// salutation ("山田 太郎 様"). A name is one to three tokens separated by
// single blanks; each token is kanji (with okurigana-free hiragana allowed
// for given names), katakana or hiragana, never a mix of kanji and katakana
// (that is a product: "オーガニック緑茶"), and never a word that only looks
// like a name before 様 (お客様, 皆様, ご担当者様).

// Name length limits, in tokens and characters.
const (
	maxNameTokens = 3  // family, middle, given
	maxKanjiToken = 6  // 勅使河原 (4), 佐々木小次郎 (6) unspaced
	maxKanaToken  = 12 // カタカナ given names are longer: アレクサンドラ
	maxLatinToken = 20
)

// Byte windows: how far back a name label may sit before a salutation
// ("お名前：" plus blanks), and how far a name value is read after a label.
const (
	nameLabelWindow   = 24
	maxNameValueBytes = 120
)

// script classes for name tokens.
type script uint8

const (
	scNone script = iota
	scKanji
	scHira
	scKata
	scLatin
)

func scriptOf(r rune) script { return script(runeInfo(r) & infoScript) }

// runeInfo returns what the name tokens need to know of r: its script (the bits of
// infoScript) and whether it starts an honorific (infoHonorific) or is a corporateRune
// (infoCorporate).
func runeInfo(r rune) uint8 {
	if uint32(r) < uint32(len(runeInfoTab)) {
		return runeInfoTab[r]
	}
	return 0
}

const (
	infoScript    = 0x07
	infoHonorific = 0x08
	infoCorporate = 0x10
)

// runeInfoTab is runeInfo for the Basic Multilingual Plane, where every rune it names
// lives: one load instead of a chain of range tests (scriptOfRune) and two switches
// (honorificStart, corporateRune) for every character of every name. Built once;
// read-only.
var runeInfoTab = func() *[1 << 16]uint8 {
	var t [1 << 16]uint8
	for r := range t {
		v := uint8(scriptOfRune(rune(r)))
		if honorificStart(rune(r)) {
			v |= infoHonorific
		}
		if corporateRune(rune(r)) {
			v |= infoCorporate
		}
		t[r] = v
	}
	return &t
}()

func scriptOfRune(r rune) script {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, r >= 0x3400 && r <= 0x4DBF, r == '々', r == '〆', r == 'ヶ':
		return scKanji
	case r >= 0x3041 && r <= 0x3096:
		return scHira
	case r >= 0x30A1 && r <= 0x30FA, r == 'ー', r == '・', r >= 0xFF66 && r <= 0xFF9F:
		return scKata
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r == '\'':
		return scLatin
	}
	return scNone
}

// honorifics end a name without being part of it.
var honorifics = []string{"様", "さま", "さん", "殿", "君", "くん", "ちゃん", "氏"}

// notNameBeforeSama are words that take 様 without being a person's name;
// matched as suffixes of the run before 様.
var notNameBeforeSama = []string{
	"客", "皆", "各位", "奥", "王", "神", "仏", "殿", "同", "仕", "模", "異", "多", "貴", "疲れ", "苦労",
	"世話", "父", "母", "兄", "姉", "弟", "妹", "娘", "息子", "者", "御中", "会社", "社", "店", "得意",
	"有", "一", "両", "今", "左", "斯", "何", "外", "個人", "法人", "本人", "友人", "知人", "夫人", "婦人", "方", "家族", "族", "主人", "旦那", "員", "主",
	"宛", "上", "先", "局", "部", "課", "係", "室", "所", "院", "校", "館", "屋", "堂", "組", "団",
	"協会", "センター", "チーム", "ショップ", "ストア", "オーナー", "ゲスト", "ユーザー", "メンバー", "様",
}

// notNameBeforeSamaByLast[b&0x3F] are the words of notNameBeforeSama whose last byte
// is b: each ends in a kanji or kana, whose last byte is a continuation byte, 0x80 to
// 0xBF (the init panics otherwise). Built once; read-only.
var notNameBeforeSamaByLast = func() (t [64][]string) {
	for _, w := range notNameBeforeSama {
		c := w[len(w)-1]
		if c&0xC0 != 0x80 {
			panic("detect: notNameBeforeSama: " + w + " does not end in a multi-byte rune")
		}
		t[c&0x3F] = append(t[c&0x3F], w)
	}
	return t
}()

// notNameTokens are labels and common words that sit where a surname would.
var notNameTokens = []string{
	"氏名", "宛名", "名前", "お名前", "担当", "担当者", "ご担当者", "送付先", "お届け先", "ご注文者", "注文者",
	"購入者", "会員", "お客", "顧客", "受取人", "差出人", "依頼主", "契約者", "申込者", "フリガナ", "ふりがな",
	"カナ", "姓", "名", "セイ", "メイ", "敬具", "拝啓", "各位", "以上", "宛先", "先生", "電話", "住所", "メール",
	"株式会社", "有限会社", "合同会社", "本日", "先日", "今回", "今後", "引き続き", "何卒",
}

// corporateMarks inside a token make it an organisation, not a person.
var corporateMarks = []string{"株式会社", "有限会社", "合同会社", "(株)", "（株）", "㈱", "会社", "商店", "支店", "大学", "病院", "銀行", "事務所"}

// nameToken describes one token.
type nameToken struct {
	start, end int
	runes      int
	sc         script // scKanji covers kanji with hiragana
	// first is the token's first character; corp is set when it holds a
	// corporateRune (readTokenForward decodes every character anyway).
	first rune
	corp  bool
}

// readTokenForward reads one name token at i, stopping before an
// honorific. It returns ok=false when i starts no name character.
func readTokenForward(s string, i, limit int) (t nameToken, ok bool) {
	t.start = i
	// seen has bit 1<<sc set for each script sc read (a mask rather than a switch on the
	// script: the scripts of a name's characters alternate unpredictably); corp the
	// infoCorporate bit of any character (only kanji have it among the name scripts).
	var seen, corp uint8
	var runes int
	var first rune
	// (limit within s, i compared as unsigned and i < len(s)-2 below: the compiler then
	// knows s[i], s[i+1] and s[i+2] are within s and checks none of them.)
	limit = min(limit, len(s))
token:
	for uint(i) < uint(limit) {
		// The characters that need no call — ASCII, and three-byte runes (every kanji and
		// kana) decoded inline, but for one that may start an honorific after the token's
		// first — in a loop of their own: with the calls in the loop, i, the masks and
		// the count were stored to the stack for each character of every name.
		for uint(i) < uint(limit) {
			var r rune
			var w int
			if c := s[i]; c < 0x80 {
				r, w = rune(c), 1
			} else if i < len(s)-2 && c-0xE1 < 0x0F && c != 0xED && uint16(s[i+1]&0xC0)<<8|uint16(s[i+2]&0xC0) == 0x8080 {
				r, w = rune(c&0x0F)<<12|rune(s[i+1]&0x3F)<<6|rune(s[i+2]&0x3F), 3
			} else {
				break
			}
			info := runeInfoTab[uint16(r)] // r < 1<<16
			// (The character's honorific bit first: it is rarely set, so the branch is
			// predicted, where runes > 0 was false at each token's first character.)
			if info&infoHonorific != 0 && runes > 0 {
				break
			}
			// scKanji, scHira, scKata and scLatin are 1 to 4; scNone (0) ends the token.
			sc := info & infoScript
			if sc-uint8(scKanji) > uint8(scLatin-scKanji) {
				break token
			}
			seen |= 1 << sc
			corp |= info & infoCorporate
			if runes == 0 {
				first = r
			}
			i += w
			runes++
		}
		if uint(i) >= uint(limit) {
			break
		}
		// The character the loop above stopped at: neither ASCII nor a three-byte rune
		// it decodes, or one that may start an honorific.
		r, w := runeAt(s, i)
		info := runeInfo(r)
		if info&infoHonorific != 0 && runes > 0 && hasHonorificAt(s, i) {
			break
		}
		sc := info & infoScript
		if sc-uint8(scKanji) > uint8(scLatin-scKanji) {
			break
		}
		seen |= 1 << sc
		corp |= info & infoCorporate
		if runes == 0 {
			first = r
		}
		i += w
		runes++
	}
	t.runes, t.first = runes, first
	t.end = i
	t.corp = corp != 0
	kanji, hira, kata, latin := seen&(1<<scKanji) != 0, seen&(1<<scHira) != 0, seen&(1<<scKata) != 0, seen&(1<<scLatin) != 0
	switch {
	case t.runes == 0:
		return t, false
	case latin && (kanji || hira || kata), kata && (kanji || hira):
		return t, false
	case latin:
		t.sc = scLatin
	case kata:
		t.sc = scKata
	case kanji:
		t.sc = scKanji
	default:
		t.sc = scHira
	}
	return t, tokenLenOK(t)
}

func tokenLenOK(t nameToken) bool {
	switch t.sc {
	case scKanji:
		return t.runes <= maxKanjiToken
	case scLatin:
		return t.runes <= maxLatinToken
	}
	return t.runes <= maxKanaToken
}

// honorificStart reports whether r starts one of the honorifics: a cheap test before
// hasHonorificAt for each character of a name.
func honorificStart(r rune) bool {
	switch r {
	case '様', '殿', '氏', '君', 'さ', 'く', 'ち':
		return true
	}
	return false
}

func hasHonorificAt(s string, i int) bool {
	r, w := runeAt(s, i)
	n := 0
	switch r {
	case '様', '殿', '氏':
		// Always an honorific right after a name.
		return true
	case '君':
		n = w
	case 'さ':
		if strings.HasPrefix(s[i+w:], "ま") || strings.HasPrefix(s[i+w:], "ん") {
			n = w + len("ま")
		}
	case 'く':
		if strings.HasPrefix(s[i+w:], "ん") {
			n = w + len("ん")
		}
	case 'ち':
		if strings.HasPrefix(s[i+w:], "ゃん") {
			n = w + len("ゃん")
		}
	}
	if n == 0 {
		return false
	}
	// A kana honorific followed by more kana is part of a word
	// ("さまざま"); followed by a kanji, a blank or punctuation it ends
	// the name. 君 followed by a kanji is a given name (君子).
	next, _ := runeAt(s, i+n)
	switch scriptOf(next) {
	case scNone:
		return true
	case scKanji:
		return r != '君'
	}
	return false
}

// notNameTokenSet is notNameTokens as a set. Built once; read-only.
var notNameTokenSet = func() map[string]bool {
	m := make(map[string]bool, len(notNameTokens))
	for _, w := range notNameTokens {
		m[w] = true
	}
	return m
}()

// notNameFirst holds the first character of every notNameTokens word: most tokens are
// names and start with none of them, which one table load tells without hashing the token.
var notNameFirst = func() *runeSet {
	var set runeSet
	for _, w := range notNameTokens {
		r, _ := runeAt(w, 0)
		set.add(r)
	}
	return &set
}()

// runeSet is a set of runes of the Basic Multilingual Plane, where all Japanese text
// lives, as a bitmap (8 KiB).
type runeSet [1 << 16 / 64]uint64

func (m *runeSet) add(r rune) {
	if r >= 0 && r < 1<<16 {
		m[r>>6] |= 1 << (r & 63)
	}
}

func (m *runeSet) has(r rune) bool {
	return r >= 0 && r < 1<<16 && m[r>>6]&(1<<(r&63)) != 0
}

// isNotNameTokenRead is isNotNameToken for a token readTokenForward read:
// the same answer from the first character and the corporate rune it noted.
func isNotNameTokenRead(s string, t *nameToken) bool {
	tok := s[t.start:t.end]
	if notNameFirst.has(t.first) && notNameTokenSet[tok] {
		return true
	}
	if len(tok) < 6 || !t.corp {
		return false
	}
	for _, c := range corporateMarks {
		if strings.Contains(tok, c) {
			return true
		}
	}
	return false
}

func isNotNameToken(s string) bool {
	if r, _ := runeAt(s, 0); notNameFirst.has(r) && notNameTokenSet[s] {
		return true
	}
	// Every corporate mark is at least two characters, and holds one of a
	// few kanji: look for those before matching whole marks.
	if len(s) < 6 || !hasCorporateRune(s) {
		return false
	}
	for _, c := range corporateMarks {
		if strings.Contains(s, c) {
			return true
		}
	}
	return false
}

// parseNameForward reads up to three tokens from i (after a label or at the
// start of a keyed value) and returns the span of the name.
func parseNameForward(s string, i, limit int, keyed bool) (start, end int, runes int, ok bool) {
	limit = min(limit, len(s), i+maxNameValueBytes)
	start, end = i, i
	n := 0
	var first script
	for n < maxNameTokens {
		if hasHonorificAt(s, i) {
			break
		}
		t, ok := readTokenForward(s, i, limit)
		if !ok {
			break
		}
		// Kanji with hiragana in one token is a given name in a name
		// column ("山田はなこ") but in prose it is a word with okurigana
		// ("未入力です"): only a keyed value may mix them.
		if !keyed && t.sc == scKanji && mixesHiragana(s[t.start:t.end]) {
			break
		}
		if isNotNameTokenRead(s, &t) {
			break
		}
		// A token followed by a key separator is the next label: "山田太郎
		// 電話：…".
		r, w := runeAt(s, t.end)
		if r == ':' || r == '：' || r == '=' {
			break
		}
		if n == 0 {
			first = t.sc
		} else if (first == scLatin) != (t.sc == scLatin) {
			break
		}
		end = t.end
		runes += t.runes
		n++
		// One blank between tokens.
		if !isSpaceRune(r) {
			break
		}
		i = t.end + w
	}
	if n == 0 {
		return 0, 0, 0, false
	}
	return start, end, runes, true
}

// nameValueFast reports whether s[start:limit] is a name that fills a keyed value as the
// general parse reads one (parseNameForward keyed, then nameValueEnds), in its common
// shape: one to three tokens of kanji, hiragana or katakana, each character a three-byte
// rune that starts no honorific and is no corporate mark, separated by single blanks, the
// last ending at limit. False means only that the general parse must decide (the caller
// sees to it that what follows limit is no key separator, which would make the parse drop
// the last token).
func nameValueFast(s string, start, limit int) bool {
	if start < 0 || start >= limit || limit-start > maxNameValueBytes || limit > len(s) {
		return false
	}
	// (s cut at limit, i never negative and compared with len(s)-2: the compiler then knows
	// s[i], s[i+1] and s[i+2] are within s and checks none of them.)
	s = s[:limit]
	i := start
	for n := 0; n < maxNameTokens; n++ {
		tok := i
		var seen uint8
		// A token's characters: three-byte runes (a lead byte and two continuation bytes,
		// tested at once) whose table entry is kanji, hiragana or katakana and starts no
		// honorific and marks no company. (E0 and ED leads, which readTokenForward's
		// decoding rejects, make no rune of those scripts.)
		for i < len(s)-2 {
			x := uint32(s[i])<<16 | uint32(s[i+1])<<8 | uint32(s[i+2])
			if x&0xF0C0C0 != 0xE08080 {
				break
			}
			info := runeInfoTab[uint16(x>>4&0xF000|x>>2&0x0FC0|x&0x3F)]
			if info&(infoHonorific|infoCorporate) != 0 || info&infoScript-uint8(scKanji) > uint8(scKata-scKanji) {
				break
			}
			seen |= 1 << (info & infoScript)
			i += 3
		}
		// readTokenForward's tests: no katakana with kanji or hiragana, the length of its
		// script; isNotNameTokenRead's (a corporate mark was ruled out above).
		runes := (i - tok) / 3
		if runes == 0 || seen&(1<<scKata) != 0 && seen&(1<<scKanji|1<<scHira) != 0 {
			return false
		}
		if seen&(1<<scKata) == 0 && seen&(1<<scKanji) != 0 {
			if runes > maxKanjiToken {
				return false
			}
		} else if runes > maxKanaToken {
			return false
		}
		first := rune(s[tok]&0x0F)<<12 | rune(s[tok+1]&0x3F)<<6 | rune(s[tok+2]&0x3F)
		if notNameFirst.has(first) && notNameTokenSet[s[tok:i]] {
			return false
		}
		if i == limit {
			return true
		}
		// One blank between tokens; anything else goes to the general parse.
		if c := s[i]; c == ' ' || c == '\t' {
			i++
		} else if i < len(s)-2 && c == 0xE3 && s[i+1] == 0x80 && s[i+2] == 0x80 { // U+3000
			i += 3
		} else {
			return false
		}
	}
	return false
}

// nameValueEnds reports whether nothing but blanks, an honorific, a quote
// or a delimiter follows end: a keyed value must be all name.
func nameValueEnds(s string, end, limit int) bool {
	i := end
	for i < limit {
		r, w := runeAt(s, i)
		if isSpaceRune(r) {
			i += w
			continue
		}
		if hasHonorificAt(s, i) {
			for _, h := range honorifics {
				if strings.HasPrefix(s[i:], h) {
					i += len(h)
					break
				}
			}
			continue
		}
		return false
	}
	return true
}

// Confidences: a key or label names the value; a salutation is strong but
// not perfect (山田商店様 is caught by the stop list, not every shop is).
const (
	confNameKeyed     = 0.93
	confNameLabel     = 0.93
	confNameSama      = 0.88
	confNameSamaLabel = 0.96
	confNameLatin     = 0.8
)

// nameOnValue checks a value under a name key, or after an inline name
// label in free text, running from start up to limit.
func nameOnValue(st *state, start, limit int, keyed bool) (Finding, bool) {
	s := st.s
	// A name column's value is mostly a plain name that fills it: told by one loop over its
	// characters, without the general parse's calls for each token and character.
	if keyed && (limit == len(s) || limit < len(s) && s[limit] < 0x80 && s[limit] != ':' && s[limit] != '=') &&
		nameValueFast(s, start, limit) {
		return Finding{Type: PersonName, Start: start, End: limit, Confidence: confNameKeyed, Reason: "name-shape; key name"}, true
	}
	b, e, runes, ok := parseNameForward(s, start, limit, keyed)
	if !ok {
		return Finding{}, false
	}
	if keyed && !nameValueEnds(s, e, limit) {
		return Finding{}, false
	}
	if !keyed && runes < 2 {
		return Finding{}, false
	}
	f := Finding{Type: PersonName, Start: b, End: e, Confidence: confNameKeyed, Reason: "name-shape; key name"}
	if !keyed {
		f.Confidence, f.Reason = confNameLabel, "name-shape; label"
	}
	if r, _ := runeAt(s, b); scriptOf(r) == scLatin {
		// Latin letters are a person's name only under a key that says
		// person (full_name, first_name, 氏名): under a bare "name" they
		// are as often a product ("Organic Green Tea"), and after an
		// inline label in prose they are too often ordinary words.
		if !keyed || genericNameKey(st.ctx.Key) {
			return Finding{}, false
		}
		f.Confidence = confNameLatin
	}
	return f, true
}

// genericNameKey reports whether key's last segment is just "name" (any
// case), which names products and shops as often as people.
func genericNameKey(key string) bool {
	if i := strings.LastIndexByte(key, '.'); i >= 0 {
		key = key[i+1:]
	}
	return strings.EqualFold(key, "name") || strings.EqualFold(key, "names")
}

// readTokenBackward reads the name token ending at end: a maximal run of one
// script family (kanji, katakana or hiragana).
func readTokenBackward(s string, end int) (t nameToken, ok bool) {
	t.end = end
	i := end
	r, _ := runeBefore(s, i)
	sc := scriptOf(r)
	if sc == scNone || sc == scLatin {
		return t, false
	}
	for i > 0 && t.runes <= maxKanaToken {
		r, w := runeBefore(s, i)
		if scriptOf(r) != sc {
			break
		}
		i -= w
		t.runes++
	}
	t.start = i
	t.sc = sc
	prev, _ := runeBefore(s, i)
	if sc == scHira && scriptOf(prev) == scKanji {
		// Kanji then hiragana: a surname with a given name in hiragana
		// ("石井さくら") when the kanji run starts the line or follows a
		// blank or punctuation; otherwise okurigana ("お疲れ様").
		if t.runes < 2 {
			return t, false
		}
		j, k := i, 0
		for j > 0 && k <= maxKanjiToken {
			r, w := runeBefore(s, j)
			if scriptOf(r) != scKanji {
				break
			}
			j -= w
			k++
		}
		if k > 4 {
			return t, false
		}
		if r, _ := runeBefore(s, j); j > 0 && (scriptOf(r) != scNone || r == '・') {
			return t, false
		}
		t.start = j
		t.runes += k
		t.sc = scKanji
		return t, true
	}
	return t, tokenLenOK(t) && t.runes >= 1
}

// nameOnMark handles 様 at q: the name is the one or two tokens before it.
func nameOnMark(st *state, q int, _ rune) (Finding, bool) {
	s := st.s
	// 様 followed by more kanji is a word (様子, 様式, 様々).
	if r, _ := runeAt(s, q+len("様")); r == '々' || r == '子' || r == '式' || r == '相' || r == '態' || r == '変' {
		return Finding{}, false
	}
	end := q
	if r, w := runeBefore(s, end); isSpaceRune(r) {
		end -= w
	}
	last, ok := readTokenBackward(s, end)
	if !ok || last.runes < 1 {
		return Finding{}, false
	}
	word := s[last.start:last.end]
	// Only the words that end in the word's last byte can be its suffix (a token read
	// back from 様 is not empty).
	for _, w := range notNameBeforeSamaByLast[word[len(word)-1]&0x3F] {
		if strings.HasSuffix(word, w) {
			return Finding{}, false
		}
	}
	if isNotNameToken(word) {
		return Finding{}, false
	}
	start := last.start
	runes := last.runes
	// A surname before a blank: "山田 太郎 様".
	if r, w := runeBefore(s, last.start); isSpaceRune(r) {
		if prev, ok := readTokenBackward(s, last.start-w); ok && !isNotNameToken(s[prev.start:prev.end]) &&
			(prev.sc == last.sc || prev.sc == scKanji && last.sc == scHira) && nameBoundaryBefore(s, prev.start) {
			start = prev.start
			runes += prev.runes
		}
	}
	if runes < 2 {
		return Finding{}, false
	}
	if !nameBoundaryBefore(s, start) && last.sc != scKanji {
		return Finding{}, false
	}
	f := Finding{Type: PersonName, Start: start, End: last.end, Confidence: confNameSama, Reason: "name-shape; salutation 様"}
	if labelBefore(s, start, nameLabelWindow, nameLabels) {
		f.Confidence, f.Reason = confNameSamaLabel, "name-shape; label+salutation 様"
	}
	return f, true
}

var nameLabels = newLabelSet("名前", "氏名", "宛名", "name", "Name", "NAME")

// nameBoundaryBefore reports whether a name may start at i: at the start,
// after a blank, punctuation or a label separator, or after hiragana (a
// particle) when the name is kanji.
func nameBoundaryBefore(s string, i int) bool {
	r, _ := runeBefore(s, i)
	if i == 0 || isSpaceRune(r) || r == '\n' || r == '\r' {
		return true
	}
	switch scriptOf(r) {
	case scNone:
		return true
	case scHira:
		return true
	}
	return false
}

func mixesHiragana(tok string) bool {
	for _, r := range tok {
		if scriptOf(r) == scHira {
			return true
		}
	}
	return false
}

// hasCorporateRune reports whether s holds a character that every
// corporate mark contains one of.
func hasCorporateRune(s string) bool {
	// Every mark is a three-byte rune: look at the lead bytes only, without the general
	// decoder (this runs on every name token of two or more characters). A continuation byte
	// is never a lead, so this finds the runes a range loop would.
	for i := 0; i+3 <= len(s); i++ {
		if s[i]&0xF0 != 0xE0 {
			continue
		}
		r, ok := decode3(s[i], s[i+1], s[i+2])
		if !ok {
			continue
		}
		if corporateRune(r) {
			return true
		}
	}
	return false
}

// corporateRune reports the characters of which every corporate mark
// holds one.
func corporateRune(r rune) bool {
	switch r {
	case '株', '会', '社', '商', '店', '学', '院', '行', '所', '㈱':
		return true
	}
	return false
}
