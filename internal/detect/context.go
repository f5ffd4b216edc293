package detect

import "strings"

// Context is what the structure around a value says about it: a CSV header,
// a JSON key, an SQL column, a log key. Build it once per column with
// KeyContext; the zero Context means free text, where the engine looks for
// inline keys itself.
type Context struct {
	// Key is the key or column name as given to KeyContext.
	Key string
	// hint is the set of types the key names ("tel" → phone).
	hint typeSet
	// deny is the set of types the key rules out: a 12-digit value under
	// "tracking_no" is not a My Number, a 13-digit value under "jan" is not
	// a card number.
	deny typeSet
	// keyed is true when the text is the value of a key (structured), even
	// one that says nothing, so a value that fills the whole text can be
	// judged as a whole.
	keyed bool
}

// KeyContext classifies a key or column name. Dotted keys ("customers.name",
// "order.shipping.tel") are classified by their last segment, with earlier
// segments only able to deny ("products.name" is not a person's name).
// Matching is case-insensitive and understands snake_case, kebab-case,
// camelCase and Japanese labels (氏名, 電話番号, 生年月日, …).
func KeyContext(key string) Context {
	c := classifyKey(key)
	c.Key = key
	c.keyed = true
	return c
}

// IsZero reports whether c is the zero Context (free text).
func (c Context) IsZero() bool { return !c.keyed && c.hint == 0 && c.deny == 0 }

// Hints returns the types the key names, in priority order.
func (c Context) Hints() []Type {
	var out []Type
	for i, t := range allTypes {
		if c.hint&(1<<i) != 0 {
			out = append(out, t)
		}
	}
	return out
}

func (c Context) hints(k kind) bool { return c.hint&(1<<k) != 0 }

// denies reports whether the key rules t out and does not also name it
// ("card_no" names a card even though "no" alone would say order number).
func (c Context) denies(k kind) bool { return c.deny&^c.hint&(1<<k) != 0 }

// Bits for the key classifier.
const (
	bCard    typeSet = 1 << 0
	bMyNum   typeSet = 1 << 1
	bEmail   typeSet = 1 << 2
	bPhone   typeSet = 1 << 3
	bPostal  typeSet = 1 << 4
	bAddress typeSet = 1 << 5
	bBirth   typeSet = 1 << 6
	bName    typeSet = 1 << 7
	// digitIDs are the types a number-like identifier key (order, tracking,
	// JAN, price…) rules out.
	digitIDs = bCard | bMyNum | bPhone | bPostal | bBirth
)

// asciiTokens maps a lower-case key token to the types it names and rules
// out. Tokens are split at non-alphanumerics and camelCase humps.
var asciiTokens = map[string][2]typeSet{
	// card
	"card": {bCard, 0}, "cardno": {bCard, 0}, "cardnumber": {bCard, 0}, "cardnum": {bCard, 0},
	"creditcard": {bCard, 0}, "cc": {bCard, 0}, "ccnum": {bCard, 0}, "ccnumber": {bCard, 0}, "pan": {bCard, 0},
	"credit": {bCard, 0},
	// my number
	"mynumber": {bMyNum, 0}, "mynum": {bMyNum, 0}, "mynumberno": {bMyNum, 0}, "kojinbango": {bMyNum, 0},
	"kojin": {bMyNum, 0}, "individualnumber": {bMyNum, 0},
	// email
	"email": {bEmail, bAddress}, "mail": {bEmail, bAddress}, "emailaddress": {bEmail, bAddress},
	"mailaddress": {bEmail, bAddress}, "mailto": {bEmail, bAddress},
	// phone
	"tel": {bPhone, 0}, "telno": {bPhone, 0}, "phone": {bPhone, 0}, "phoneno": {bPhone, 0},
	"phonenumber": {bPhone, 0}, "telephone": {bPhone, 0}, "mobile": {bPhone, 0}, "cell": {bPhone, 0},
	"cellphone": {bPhone, 0}, "fax": {bPhone, 0}, "keitai": {bPhone, 0}, "denwa": {bPhone, 0}, "msisdn": {bPhone, 0},
	// postal code
	"zip": {bPostal, 0}, "zipcode": {bPostal, 0}, "postal": {bPostal, 0}, "postalcode": {bPostal, 0},
	"postcode": {bPostal, 0}, "yubin": {bPostal, 0}, "yubinbango": {bPostal, 0}, "zipcd": {bPostal, 0},
	// address
	"address": {bAddress, 0}, "addr": {bAddress, 0}, "address1": {bAddress, 0}, "address2": {bAddress, 0},
	"addr1": {bAddress, 0}, "addr2": {bAddress, 0}, "jusho": {bAddress, 0}, "juusho": {bAddress, 0},
	"street": {bAddress, 0},
	"ip":     {0, bAddress | digitIDs}, "ipaddr": {0, bAddress | digitIDs}, "mac": {0, bAddress}, "remote": {0, bAddress},
	"url": {0, bAddress | bName}, "host": {0, bAddress | bName}, "server": {0, bAddress | bName},
	"wallet": {0, bAddress}, "bitcoin": {0, bAddress},
	// birth date
	"birth": {bBirth, 0}, "birthday": {bBirth, 0}, "birthdate": {bBirth, 0}, "dob": {bBirth, 0},
	"bday": {bBirth, 0}, "born": {bBirth, 0}, "tanjobi": {bBirth, 0}, "seinengappi": {bBirth, 0},
	// person name
	"name": {bName, 0}, "names": {bName, 0}, "fullname": {bName, 0}, "firstname": {bName, 0},
	"lastname": {bName, 0}, "givenname": {bName, 0}, "familyname": {bName, 0}, "surname": {bName, 0},
	"middlename": {bName, 0}, "namae": {bName, 0}, "shimei": {bName, 0}, "sei": {bName, 0}, "mei": {bName, 0},
	"seimei": {bName, 0}, "kana": {bName, 0}, "furigana": {bName, 0}, "namekana": {bName, 0},
	"customername": {bName, 0}, "username": {bName, 0}, "recipient": {bName, 0}, "addressee": {bName, 0},
	"holder": {bName, 0}, "cardholder": {bName | bCard, 0},
	// identifiers, amounts and dates that are none of the above
	"order": {0, digitIDs}, "orderno": {0, digitIDs}, "orderid": {0, digitIDs}, "ord": {0, digitIDs},
	"tracking": {0, digitIDs}, "track": {0, digitIDs}, "trackingno": {0, digitIDs}, "shipment": {0, digitIDs},
	"slip": {0, digitIDs}, "invoice": {0, digitIDs}, "receipt": {0, digitIDs},
	"jan": {0, digitIDs}, "ean": {0, digitIDs}, "gtin": {0, digitIDs}, "upc": {0, digitIDs},
	"barcode": {0, digitIDs}, "sku": {0, digitIDs | bName}, "isbn": {0, digitIDs}, "price": {0, digitIDs},
	"amount": {0, digitIDs}, "total": {0, digitIDs}, "subtotal": {0, digitIDs}, "tax": {0, digitIDs},
	"qty": {0, digitIDs}, "quantity": {0, digitIDs}, "stock": {0, digitIDs}, "point": {0, digitIDs},
	"points": {0, digitIDs}, "id": {0, digitIDs}, "uuid": {0, digitIDs}, "txn": {0, digitIDs},
	"transaction": {0, digitIDs}, "session": {0, digitIDs}, "request": {0, digitIDs}, "trace": {0, digitIDs},
	"span": {0, digitIDs}, "hash": {0, digitIDs}, "token": {0, bCard | bMyNum | bPhone}, "serial": {0, digitIDs},
	"version": {0, digitIDs}, "count": {0, digitIDs}, "size": {0, digitIDs}, "bytes": {0, digitIDs},
	"status": {0, digitIDs}, "duration": {0, digitIDs}, "latency": {0, digitIDs}, "timestamp": {0, digitIDs},
	"time": {0, digitIDs}, "ts": {0, digitIDs}, "created": {0, bBirth}, "updated": {0, bBirth},
	"ordered": {0, bBirth}, "shipped": {0, bBirth}, "expiry": {0, bBirth},
	"pid": {0, digitIDs}, "port": {0, digitIDs}, "last4": {0, bCard},
	// names that are not people's
	"product": {0, bName | digitIDs}, "item": {0, bName | digitIDs}, "goods": {0, bName | digitIDs},
	"shop": {0, bName}, "store": {0, bName}, "company": {0, bName}, "corp": {0, bName}, "file": {0, bName},
	"filename": {0, bName}, "hostname": {0, bName}, "domain": {0, bName}, "brand": {0, bName},
	"category": {0, bName}, "app": {0, bName}, "service": {0, bName}, "event": {0, bName}, "plan": {0, bName},
	"campaign": {0, bName}, "bank": {0, bName}, "branch": {0, bName}, "table": {0, bName}, "column": {0, bName},
	"display": {0, bName}, "screen": {0, bName}, "nick": {0, bName}, "nickname": {0, bName}, "login": {0, bName},
	"model": {0, bName}, "course": {0, bName}, "class": {0, bName}, "tag": {0, bName}, "key": {0, bName},
	"type": {0, bName}, "city": {0, bName}, "town": {0, bName}, "pref": {0, bName}, "prefecture": {0, bName},
	"station": {0, bName}, "building": {0, bName}, "area": {0, bName}, "region": {0, bName},
	"country": {0, bName}, "method": {0, bName}, "carrier": {0, bName}, "coupon": {0, bName | digitIDs},
	"payment": {0, bName}, "param": {0, bName}, "field": {0, bName}, "label": {0, bName}, "title": {0, bName},
	"subject": {0, bName}, "handle": {0, bName}, "site": {0, bName}, "page": {0, bName},
}

// jaKeywords are Japanese label fragments, matched as substrings.
var jaKeywords = []struct {
	frag       string
	hint, deny typeSet
}{
	{"カード", bCard, 0}, {"クレジット", bCard, 0},
	{"個人番号", bMyNum, 0}, {"マイナンバー", bMyNum, 0},
	{"メール", bEmail, bAddress}, {"ﾒｰﾙ", bEmail, bAddress},
	{"電話", bPhone, 0}, {"携帯", bPhone, 0}, {"ＴＥＬ", bPhone, 0}, {"ＦＡＸ", bPhone, 0}, {"連絡先", bPhone, 0},
	{"郵便", bPostal, 0}, {"〒", bPostal, 0},
	{"住所", bAddress, 0}, {"所在地", bAddress, 0}, {"届け先", bAddress, 0}, {"送付先", bAddress, 0},
	{"生年月日", bBirth, 0}, {"誕生", bBirth, 0}, {"生まれ", bBirth, 0},
	{"氏名", bName, 0}, {"名前", bName, 0}, {"姓", bName, 0}, {"名", bName, 0}, {"フリガナ", bName, 0},
	{"ふりがな", bName, 0}, {"カナ", bName, 0}, {"セイ", bName, 0}, {"メイ", bName, 0}, {"宛名", bName, 0},
	{"様", bName, 0},
	{"注文", 0, digitIDs}, {"受注", 0, digitIDs}, {"伝票", 0, digitIDs}, {"追跡", 0, digitIDs},
	{"問合せ", 0, digitIDs}, {"問い合わせ", 0, digitIDs}, {"お問合せ", 0, digitIDs}, {"配送", 0, digitIDs},
	{"荷物", 0, digitIDs}, {"金額", 0, digitIDs}, {"価格", 0, digitIDs}, {"税", 0, digitIDs},
	{"数量", 0, digitIDs}, {"在庫", 0, digitIDs}, {"ポイント", 0, digitIDs}, {"JAN", 0, digitIDs},
	{"商品", 0, bName | digitIDs}, {"品名", 0, bName}, {"会社", 0, bName}, {"店", 0, bName},
	{"社名", 0, bName}, {"ファイル", 0, bName}, {"ブランド", 0, bName}, {"件名", 0, bName},
	{"都道府県", 0, bName}, {"県名", 0, bName}, {"市区町村", 0, bName}, {"建物", 0, bName},
	{"駅", 0, bName}, {"銀行", 0, bName}, {"支店", 0, bName}, {"日時", 0, bBirth}, {"注文日", 0, bBirth},
	{"発送", 0, bBirth | digitIDs}, {"作成", 0, bBirth}, {"更新", 0, bBirth},
}

// jaKeywordsByRune indexes jaKeywords by their first rune. Built once;
// read-only afterwards.
var jaKeywordsByRune = func() map[rune][]int {
	m := map[rune][]int{}
	for i, kw := range jaKeywords {
		r := []rune(kw.frag)[0]
		m[r] = append(m[r], i)
	}
	return m
}()

// maxKeyLen bounds the work spent on one key: real keys are short, and a
// "key" longer than this is prose, not a label.
const maxKeyLen = 64

// classifyKey computes hint and deny sets for a key. It does not allocate.
func classifyKey(key string) Context {
	var c Context
	if len(key) > maxKeyLen {
		return c
	}
	// The last dotted segment names the value; earlier ones (a table, a
	// parent object) may only deny.
	last := key
	if i := strings.LastIndexByte(key, '.'); i >= 0 && i+1 < len(key) {
		last = key[i+1:]
		p := classifySegment(key[:i])
		c.deny |= p.deny & bName
	}
	s := classifySegment(last)
	c.hint |= s.hint
	c.deny |= s.deny
	c.hint &^= c.deny &^ digitIDs
	// A key that names one kind of value outright rules out the others that
	// look alike: a "tel" column holding 12 digits is not a My Number. Cards
	// are never ruled out by a naming key: customers type card numbers into
	// the phone and name fields, which is the leak this package exists for.
	if h := c.hint & (bMyNum | bPhone | bPostal | bBirth); h != 0 {
		c.deny |= (digitIDs &^ bCard) &^ h
	}
	return c
}

// classifySegment tokenises one key segment and ORs the token classes.
func classifySegment(k string) Context {
	var c Context
	var buf [maxKeyLen]byte
	n := 0
	flush := func() {
		if n == 0 {
			return
		}
		if v, ok := asciiTokens[string(buf[:n])]; ok {
			c.hint |= v[0]
			c.deny |= v[1]
		} else if v, ok := asciiTokens[string(buf[:n-1])]; ok && n > 3 && buf[n-1] == 's' {
			// Plurals: "products", "orders", "emails".
			c.hint |= v[0]
			c.deny |= v[1]
		} else if n > 4 && string(buf[n-4:n]) == "name" {
			// Compounds such as "customername", "sendername": a name unless
			// the head says it is not a person's.
			if v, ok := asciiTokens[string(buf[:n-4])]; ok && v[1]&bName != 0 {
				c.deny |= bName
			} else {
				c.hint |= bName
			}
		}
		n = 0
	}
	nonASCII := false
	for i := 0; i < len(k); i++ {
		b := k[i]
		switch {
		case b >= 'A' && b <= 'Z':
			// camelCase hump: "firstName" → first, name.
			if i > 0 && k[i-1] >= 'a' && k[i-1] <= 'z' {
				flush()
			}
			buf[n] = b + 'a' - 'A'
			n++
		case b >= 'a' && b <= 'z', b >= '0' && b <= '9':
			buf[n] = b
			n++
		default:
			if b >= 0x80 {
				nonASCII = true
			}
			flush()
		}
	}
	flush()
	// The segment as one word catches compounds split by separators:
	// "my_number", "card-no", "birth_date", "zip_code".
	var whole [maxKeyLen]byte
	wn := 0
	for i := 0; i < len(k); i++ {
		if b := k[i]; b < 0x80 && isASCIIAlnum(rune(b)) {
			whole[wn] = b | 0x20 // ASCII lower-case for letters; digits keep their value
			if b <= '9' {
				whole[wn] = b
			}
			wn++
		}
	}
	if v, ok := asciiTokens[string(whole[:wn])]; ok && wn > 0 {
		c.hint |= v[0]
		c.deny |= v[1]
	}
	if nonASCII {
		// Each rune of the key may start a keyword: look only at the
		// keywords starting with that rune.
		for i, r := range k {
			for _, idx := range jaKeywordsByRune[r] {
				kw := &jaKeywords[idx]
				if strings.HasPrefix(k[i:], kw.frag) {
					c.hint |= kw.hint
					c.deny |= kw.deny
				}
			}
		}
		// 商品名, 会社名, 店舗名: the head decides, the trailing 名 does not.
		if c.deny&bName != 0 {
			c.hint &^= bName
		}
		// 電話番号 and カード番号 end in 番号 like 注文番号 does; only the
		// identifier keywords deny, so nothing more to do here.
	}
	// For the text types a denying word wins ("mail_address" is not a postal
	// address, "product_name" not a person); for the digit types the naming
	// word wins ("card_no" is a card although "no" alone says identifier).
	c.hint &^= c.deny &^ digitIDs
	return c
}
