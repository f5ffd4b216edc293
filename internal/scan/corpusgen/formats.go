package corpusgen

import (
	"fmt"
	"strings"
)

// The label types, as detect names them.
const (
	tCard    = "card_number"
	tMyNum   = "my_number"
	tEmail   = "email"
	tPhone   = "phone"
	tPostal  = "postal_code"
	tAddress = "address"
	tBirth   = "birth_date"
	tName    = "person_name"
)

// csvField writes one labelled CSV field, quoted when it needs to be (or at random, as some
// exporters quote everything); the label covers the content only.
func csvField(d *doc, g *gen, t, v string, delim string) {
	quote := strings.ContainsAny(v, delim+"\"\n") || delim == "," && g.chance(0.2)
	if quote {
		d.s(`"`)
	}
	if t == "" {
		d.s(v)
	} else {
		d.v(t, v)
	}
	if quote {
		d.s(`"`)
	}
}

func genCustomersCSV(g *gen, d *doc) {
	d.s("\ufeffid,name,name_kana,email,tel,zip,address,birthday,order_no,tracking_no,price,created_at,note\r\n")
	for d.more() {
		p := g.person()
		d.s(fmt.Sprint(p.id, ","))
		csvField(d, g, tName, p.name(g.nameSep()), ",")
		d.s(",")
		csvField(d, g, tName, p.kana(" "), ",")
		d.s(",")
		csvField(d, g, tEmail, p.email, ",")
		d.s(",")
		csvField(d, g, tPhone, g.phone(p), ",")
		d.s(",")
		zip := p.postal
		if g.chance(0.3) {
			zip = p.postalDigits()
		}
		csvField(d, g, tPostal, zip, ",")
		d.s(",")
		csvField(d, g, tAddress, p.address(g.pick([]string{"", " "})), ",")
		d.s(",")
		csvField(d, g, tBirth, g.pick([]string{p.iso(), p.slash()}), ",")
		d.s(",")
		csvField(d, g, "", g.orderNo(), ",")
		d.s(",")
		csvField(d, g, "", g.trackingNo(), ",")
		d.s(fmt.Sprint(",", g.price(), ","))
		csvField(d, g, "", g.sqlTime(), ",")
		d.s(",")
		switch g.r.IntN(8) {
		case 0:
			d.s(`"カード番号 `)
			d.v(tCard, g.cardShape(p.card))
			d.s(` で支払います"`)
		case 1:
			d.s(`"日中は`)
			d.v(tPhone, p.mobile)
			d.s(`へご連絡ください"`)
		case 2:
			d.s("ギフト包装希望")
		case 3:
			d.s(fmt.Sprintf(`"再配達 %s 午前"`, g.kanjiDay()))
		}
		d.s("\r\n")
	}
}

func genCustomersSJIS(g *gen, d *doc) {
	d.s("会員番号,姓,名,セイ,メイ,メールアドレス,電話番号,郵便番号,住所,生年月日,登録日,購入金額,商品名\r\n")
	for d.more() {
		p := g.person()
		d.s(g.memberNo() + ",")
		csvField(d, g, tName, p.sei, ",")
		d.s(",")
		csvField(d, g, tName, p.mei, ",")
		d.s(",")
		csvField(d, g, tName, p.seiKana, ",")
		d.s(",")
		csvField(d, g, tName, p.meiKana, ",")
		d.s(",")
		csvField(d, g, tEmail, p.email, ",")
		d.s(",")
		csvField(d, g, tPhone, g.phone(p), ",")
		d.s(",")
		csvField(d, g, tPostal, p.postal, ",")
		d.s(",")
		csvField(d, g, tAddress, p.address(""), ",")
		d.s(",")
		csvField(d, g, tBirth, g.pick([]string{p.kanjiDate(), p.wareki(), p.slash()}), ",")
		d.s(",")
		csvField(d, g, "", g.kanjiDay(), ",")
		d.s(`,"` + commas(g.price()) + `",`)
		csvField(d, g, "", g.pick(products), ",")
		d.s("\r\n")
	}
}

func genOrdersTSV(g *gen, d *doc) {
	d.s("order_id\tordered_at\tcustomer_name\tship_tel\tship_zip\tship_address\ttracking_no\tjan\tsku\tquantity\tprice\tip\tsession_id\n")
	for d.more() {
		p := g.person()
		d.s(g.orderNo() + "\t" + g.isoTime() + "\t")
		d.v(tName, p.name(g.nameSep()))
		d.s("\t")
		d.v(tPhone, g.phone(p))
		d.s("\t")
		d.v(tPostal, p.postal)
		d.s("\t")
		d.v(tAddress, p.address(" "))
		d.s(fmt.Sprintf("\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", g.trackingNo(), g.jan(), g.sku(), g.n(1, 5), g.price(), g.ip(), g.uuid()))
	}
}

func genProductsCSV(g *gen, d *doc) {
	d.s("product_id,jan,sku,product_name,price,list_price,stock,updated_at,warehouse_code\n")
	for d.more() {
		d.s(fmt.Sprintf("%d,%s,%s,", g.n(100000, 999999), g.jan(), g.sku()))
		csvField(d, g, "", g.pick(products), ",")
		d.s(fmt.Sprintf(",%d,\"%s\",%d,%s,WH-%s\n", g.price(), g.yen(g.price()), g.n(0, 500), g.isoTime(), g.digits(6)))
	}
}

// jsonEscape writes s the way Python's json.dumps does by default (ensure_ascii): non-ASCII
// as \uXXXX. Some shop systems export JSON like that.
func jsonEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
		} else {
			fmt.Fprintf(&b, "\\u%04x", r)
		}
	}
	return b.String()
}

func genCustomersJSON(g *gen, d *doc) {
	d.s("[\n")
	first := true
	for d.more() {
		p := g.person()
		ascii := g.chance(0.25)
		str := func(s string) string {
			if ascii {
				return jsonEscape(s)
			}
			return s
		}
		if !first {
			d.s(",\n")
		}
		first = false
		d.s(fmt.Sprintf("  {\n    \"id\": %d,\n    \"order_no\": \"%s\",\n    \"ordered_at\": \"%s\",\n    \"customer\": {\n      \"name\": \"", p.id, g.orderNo(), g.isoTime()))
		d.v(tName, str(p.name(g.nameSep())))
		d.s("\",\n      \"name_kana\": \"")
		d.v(tName, str(p.kana(" ")))
		d.s("\",\n      \"email\": \"")
		d.v(tEmail, p.email)
		d.s("\",\n      \"tel\": \"")
		d.v(tPhone, str(g.phone(p)))
		d.s("\",\n      \"birthday\": \"")
		d.v(tBirth, str(g.birth(p)))
		d.s("\"\n    },\n    \"shipping\": {\n      \"zip\": \"")
		d.v(tPostal, p.postal)
		d.s("\",\n      \"address\": \"")
		d.v(tAddress, str(p.address(" ")))
		d.s(fmt.Sprintf("\",\n      \"tracking_no\": \"%s\",\n      \"delivery_date\": \"%s\"\n    },\n    \"items\": [\n", g.trackingNo(), g.dateOnly()))
		for k := range g.n(1, 3) {
			if k > 0 {
				d.s(",\n")
			}
			d.s(fmt.Sprintf("      {\"jan\": \"%s\", \"name\": \"%s\", \"price\": %d, \"qty\": %d}", g.jan(), str(g.pick(products)), g.price(), g.n(1, 4)))
		}
		d.s("\n    ],\n")
		if g.chance(0.3) {
			d.s("    \"card_number\": ")
			d.v(tCard, p.card) // a raw JSON number, as a careless export writes it
			d.s(",\n")
		}
		d.s(fmt.Sprintf("    \"payment\": {\"brand\": \"visa\", \"last4\": \"%s\", \"token\": \"tok_%s\"},\n    \"total\": %d\n  }", g.digits(4), g.digits(16), g.price()))
	}
	d.s("\n]\n")
}

func genEventsJSONL(g *gen, d *doc) {
	for d.more() {
		p := g.person()
		switch g.r.IntN(5) {
		case 0:
			d.s(fmt.Sprintf(`{"ts":"%s","level":"info","event":"order.created","order_id":"%s","user":{"id":%d,"name":"`, g.isoTime(), g.orderNo(), p.id))
			d.v(tName, p.name(g.nameSep()))
			d.s(`","email":"`)
			d.v(tEmail, p.email)
			d.s(fmt.Sprintf(`"},"amount":%d,"ip":"%s","request_id":"%s"}`+"\n", g.price(), g.ip(), g.uuid()))
		case 1:
			d.s(fmt.Sprintf(`{"ts":"%s","level":"info","event":"profile.updated","user_id":%d,"changes":{"tel":"`, g.isoTime(), p.id))
			d.v(tPhone, g.phone(p))
			d.s(`","zip":"`)
			d.v(tPostal, p.postal)
			d.s(`","address":"`)
			d.v(tAddress, p.address(""))
			d.s(`","birth_date":"`)
			d.v(tBirth, p.iso())
			d.s(`"}}` + "\n")
		case 2:
			d.s(fmt.Sprintf(`{"ts":"%s","level":"error","event":"payment.failed","order_id":"%s","card_number":"`, g.isoTime(), g.orderNo()))
			d.v(tCard, g.cardShape(p.card))
			d.s(fmt.Sprintf(`","code":"card_declined","epoch_ms":%s}`+"\n", g.epochMillis()))
		case 3:
			d.s(fmt.Sprintf(`{"ts":"%s","level":"info","event":"shipment.created","tracking_no":"%s","items":[{"jan":"%s","qty":%d},{"jan":"%s","qty":1}],"warehouse":"WH-%s"}`+"\n",
				g.isoTime(), g.trackingNo(), g.jan(), g.n(1, 4), g.jan(), g.digits(6)))
		default:
			d.s(fmt.Sprintf(`{"ts":"%s","level":"info","event":"kyc.submitted","user_id":%d,"my_number":"`, g.isoTime(), p.id))
			d.v(tMyNum, g.myNumberShape(p.myNumber))
			d.s(fmt.Sprintf(`","session":"%s","epoch":%s}`+"\n", g.uuid(), g.epoch()))
		}
	}
}

// sqlStr writes a labelled SQL string literal; MySQL escapes a quote with a backslash.
func sqlStr(d *doc, t, v string) {
	d.s("'")
	if t == "" {
		d.s(v)
	} else {
		d.v(t, v)
	}
	d.s("'")
}

func genMySQLDump(g *gen, d *doc) {
	d.s("-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)\n--\n-- Host: localhost    Database: shop\n-- ------------------------------------------------------\n-- Server version\t8.0.36\n\n")
	d.s("/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;\n/*!50503 SET NAMES utf8mb4 */;\n/*!40103 SET TIME_ZONE='+00:00' */;\n\n")
	d.s("DROP TABLE IF EXISTS `customers`;\nCREATE TABLE `customers` (\n  `id` int NOT NULL AUTO_INCREMENT,\n  `name` varchar(100) NOT NULL,\n  `name_kana` varchar(100) DEFAULT NULL,\n  `email` varchar(255) NOT NULL,\n  `tel` varchar(20) DEFAULT NULL,\n  `zip` char(8) DEFAULT NULL,\n  `address` varchar(255) DEFAULT NULL,\n  `birthday` date DEFAULT NULL,\n  `memo` text COMMENT 'free text; customers write anything here',\n  `created_at` datetime NOT NULL,\n  PRIMARY KEY (`id`),\n  UNIQUE KEY `email` (`email`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n")
	d.s("DROP TABLE IF EXISTS `orders`;\nCREATE TABLE `orders` (\n  `id` bigint NOT NULL,\n  `customer_id` int NOT NULL,\n  `order_no` varchar(32) NOT NULL,\n  `tracking_no` varchar(20) DEFAULT NULL,\n  `jan` char(13) DEFAULT NULL,\n  `total` int NOT NULL,\n  `ordered_at` datetime NOT NULL,\n  `ip` varchar(45) DEFAULT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;\n\n")
	d.s("DROP TABLE IF EXISTS `products`;\nCREATE TABLE `products` (\n  `id` int NOT NULL,\n  `jan` char(13) NOT NULL,\n  `name` varchar(200) NOT NULL,\n  `price` int NOT NULL,\n  PRIMARY KEY (`id`)\n) ENGINE=InnoDB;\n\n")
	id := 0
	for d.more() {
		d.s("LOCK TABLES `customers` WRITE;\nINSERT INTO `customers` VALUES ")
		for k := range 12 {
			p := g.person()
			id++
			if k > 0 {
				d.s(",")
			}
			d.s(fmt.Sprintf("(%d,", id))
			sqlStr(d, tName, p.name(g.nameSep()))
			d.s(",")
			sqlStr(d, tName, p.kana(" "))
			d.s(",")
			sqlStr(d, tEmail, p.email)
			d.s(",")
			sqlStr(d, tPhone, g.phone(p))
			d.s(",")
			sqlStr(d, tPostal, p.postal)
			d.s(",")
			sqlStr(d, tAddress, p.address(" "))
			d.s(",")
			sqlStr(d, tBirth, p.iso())
			d.s(",")
			switch g.r.IntN(6) {
			case 0:
				d.s("'カード番号は")
				d.v(tCard, g.cardShape(p.card))
				d.s(" です\\r\\n電話してください'")
			case 1:
				d.s("'It\\'s a gift \\\"for mom\\\"'")
			default:
				d.s("NULL")
			}
			d.s(",")
			sqlStr(d, "", g.sqlTime())
			d.s(")")
		}
		d.s(";\nUNLOCK TABLES;\n")
		d.s("INSERT INTO `orders` VALUES ")
		for k := range 12 {
			if k > 0 {
				d.s(",")
			}
			d.s(fmt.Sprintf("(%d,%d,'%s','%s','%s',%d,'%s','%s')", g.n(1000000000, 1999999999), g.n(10000000, 99999999), g.orderNo(), g.trackingNo(), g.jan(), g.price(), g.sqlTime(), g.ip()))
		}
		d.s(";\nINSERT INTO `products` VALUES ")
		for k := range 6 {
			if k > 0 {
				d.s(",")
			}
			d.s(fmt.Sprintf("(%d,'%s','%s',%d)", g.n(100000, 999999), g.jan(), g.pick(products), g.price()))
		}
		d.s(";\n")
	}
	d.s("/*!40101 SET CHARACTER_SET_CLIENT=@OLD_CHARACTER_SET_CLIENT */;\n\n-- Dump completed on 2024-01-15 10:22:33\n")
}

func genPGDump(g *gen, d *doc) {
	d.s("--\n-- PostgreSQL database dump\n--\n\n-- Dumped from database version 16.1\n\nSET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\n\n")
	d.s("CREATE TABLE public.customers (\n    id integer NOT NULL,\n    name text NOT NULL,\n    kana text,\n    email text,\n    phone text,\n    postal_code text,\n    address text,\n    birth_date date,\n    created_at timestamp with time zone\n);\n\n")
	d.s("CREATE TABLE public.orders (\n    id bigint NOT NULL,\n    customer_id integer,\n    order_no text,\n    tracking_no text,\n    total integer,\n    ordered_at timestamp with time zone\n);\n\n")
	for d.more() {
		d.s("COPY public.customers (id, name, kana, email, phone, postal_code, address, birth_date, created_at) FROM stdin;\n")
		for range 20 {
			p := g.person()
			d.s(fmt.Sprintf("%d\t", p.id))
			d.v(tName, p.name(g.nameSep()))
			d.s("\t")
			if g.chance(0.2) {
				d.s(`\N`)
			} else {
				d.v(tName, p.kana(" "))
			}
			d.s("\t")
			d.v(tEmail, p.email)
			d.s("\t")
			d.v(tPhone, g.phone(p))
			d.s("\t")
			d.v(tPostal, p.postal)
			d.s("\t")
			d.v(tAddress, p.address(" "))
			d.s("\t")
			d.v(tBirth, p.iso())
			d.s("\t" + g.sqlTime() + "+09\n")
		}
		d.s("\\.\n\n")
		for range 10 {
			d.s(fmt.Sprintf("INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (%d, %d, '%s', '%s', %d, '%s+09');\n",
				g.n(1000000000, 1999999999), g.n(10000000, 99999999), g.orderNo(), g.trackingNo(), g.price(), g.sqlTime()))
		}
		d.s("\n")
	}
	d.s("--\n-- PostgreSQL database dump complete\n--\n")
}

// percentEncode writes an email the way a browser puts it in a query string.
func percentEncode(s string) string { return strings.ReplaceAll(s, "@", "%40") }

var userAgents = []string{
	"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Linux; Android 14; SO-51D) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.193 Mobile Safari/537.36",
}

func genAccessLog(g *gen, d *doc) {
	for d.more() {
		p := g.person()
		t := g.orderDate()
		d.s(fmt.Sprintf("%s - - [%s] \"", g.ip(), t.Format("02/Jan/2006:15:04:05 +0900")))
		switch g.r.IntN(8) {
		case 0:
			d.s("GET /contact/confirm?email=")
			d.v(tEmail, percentEncode(p.email))
			d.s("&tel=")
			d.v(tPhone, strings.ReplaceAll(p.mobile, "-", ""))
			d.s(" HTTP/1.1\" 200 ")
		case 1:
			d.s(fmt.Sprintf("GET /api/track?tracking_no=%s&order_id=%s HTTP/1.1\" 200 ", g.trackingNo(), g.orderNo()))
		case 2:
			d.s("GET /search?q=%E5%8C%97%E6%B5%B7%E9%81%93%E7%94%A3&page=" + fmt.Sprint(g.n(1, 9)) + " HTTP/1.1\" 200 ")
		case 3:
			d.s(fmt.Sprintf("GET /products/%s?jan=%s HTTP/1.1\" 200 ", g.sku(), g.jan()))
		case 4:
			d.s("POST /mypage/login?login_id=")
			d.v(tEmail, percentEncode(p.email))
			d.s(" HTTP/1.1\" 302 ")
		default:
			d.s(fmt.Sprintf("GET /cart?session=%s HTTP/1.1\" 200 ", g.uuid()))
		}
		d.s(fmt.Sprintf("%d \"https://shop.example.jp/\" \"%s\" %d.%03d\n", g.n(200, 90000), g.pick(userAgents), g.n(0, 2), g.n(0, 999)))
	}
}

func genAppLog(g *gen, d *doc) {
	for d.more() {
		p := g.person()
		d.s(g.orderDate().Format("2006-01-02T15:04:05.000+09:00") + " ")
		switch g.r.IntN(7) {
		case 0:
			d.s(fmt.Sprintf("INFO  [order] order placed order_id=%s customer_id=%d amount=%d items=%d ip=%s\n", g.orderNo(), p.id, g.price(), g.n(1, 5), g.ip()))
		case 1:
			d.s("WARN  [payment] authorization failed card_number=")
			d.v(tCard, strings.ReplaceAll(g.cardShape(p.card), " ", "-"))
			d.s(fmt.Sprintf(" exp=%02d/%02d email=", g.n(1, 12), g.n(25, 30)))
			d.v(tEmail, p.email)
			d.s("\n")
		case 2:
			d.s(`ERROR [signup] validation failed name="`)
			d.v(tName, p.name(" "))
			d.s(`" tel=`)
			d.v(tPhone, p.mobile)
			d.s(" zip=")
			d.v(tPostal, p.postal)
			d.s(" birthday=")
			d.v(tBirth, p.iso())
			d.s(fmt.Sprintf(" request_id=%s\n", g.uuid()))
		case 3:
			d.s(fmt.Sprintf("INFO  [shipping] label printed tracking_no=%s jan=%s order_id=%s\n", g.trackingNo(), g.jan(), g.orderNo()))
		case 4:
			d.s("DEBUG [mail] sent to=")
			d.v(tEmail, p.email)
			d.s(" template=order_confirm\n")
		case 5:
			d.s(fmt.Sprintf("INFO  [batch] processed rows=%d duration_ms=%d ts=%s next_run=%s\n", g.n(1000, 99999), g.n(10, 9999), g.epochMillis(), g.dateOnly()))
		default:
			d.s("INFO  [kyc] document received my_number=")
			d.v(tMyNum, p.myNumber)
			d.s(fmt.Sprintf(" user_id=%d\n", p.id))
		}
	}
}

func genInquiries(g *gen, d *doc) {
	n := 0
	for d.more() {
		p := g.person()
		n++
		d.s(fmt.Sprintf("==== 問い合わせ #%d (%s) ====\n件名：%s\n", n, g.isoTime(), g.pick([]string{"注文の件", "配送先の変更", "返品について", "会員情報の変更"})))
		if g.chance(0.5) {
			d.v(tName, p.name(g.nameSep()))
			d.s(" 様\n\n")
		} else {
			d.s("お名前：")
			d.v(tName, p.name(" "))
			d.s(" 様\n\n")
		}
		d.s("いつも当店をご利用いただき、誠にありがとうございます。\n")
		d.s(fmt.Sprintf("ご注文番号：%s（%sご注文）\n", g.orderNo(), g.kanjiDay()))
		d.s("お届け先：〒")
		d.v(tPostal, p.postal)
		d.s(" ")
		d.v(tAddress, p.address(""))
		d.s("\nお電話番号：")
		d.v(tPhone, g.phone(p))
		d.s("\nメールアドレス：")
		d.v(tEmail, p.email)
		d.s("\n")
		if g.chance(0.5) {
			d.s("生年月日：")
			d.v(tBirth, g.birth(p))
			d.s("\n")
		}
		d.s(fmt.Sprintf("お支払い金額：%s（税込）\n伝票番号：%s\n発送予定日：%s\n", g.yen(g.price()), g.trackingNo(), g.kanjiDay()))
		switch g.r.IntN(4) {
		case 0:
			d.s(fmt.Sprintf("会員登録日：%s\n", g.registeredWareki()))
		case 1:
			d.s(fmt.Sprintf("お問い合わせ番号：%s（ヤマト運輸）\n", g.trackingNo()))
		case 2:
			d.s(fmt.Sprintf("%sの倉庫より発送いたします。単価@%s円×%d点\n", g.pick([]string{"東京都", "大阪府", "千葉県", "埼玉県"}), commas(g.price()), g.n(1, 3)))
		default:
			d.s(fmt.Sprintf("会員番号：%s\n", g.memberNo()))
		}
		switch g.r.IntN(4) {
		case 0:
			d.s(g.pick([]string{"マイナンバー：", "個人番号："}))
			d.v(tMyNum, g.myNumberShape(p.myNumber))
			d.s("\n")
		case 1:
			d.s("カード番号：")
			d.v(tCard, g.cardShape(p.card))
			d.s("\n")
		}
		d.s(fmt.Sprintf("商品：%s ×%d（JAN %s）\n\n", g.pick(products), g.n(1, 3), g.jan()))
	}
}

func genMembersCSV(g *gen, d *doc) {
	d.s("member_no,full_name,mail,mobile,postcode,addr,birth_date,last_login_ip,points,last_login\n")
	for d.more() {
		p := g.person()
		d.s(fmt.Sprintf("M%08d,", p.id))
		csvField(d, g, tName, p.name(g.nameSep()), ",")
		d.s(",")
		csvField(d, g, tEmail, p.email, ",")
		d.s(",")
		csvField(d, g, tPhone, p.mobile, ",")
		d.s(",")
		csvField(d, g, tPostal, p.postal, ",")
		d.s(",")
		csvField(d, g, tAddress, p.addressNoSpace(), ",")
		d.s(",")
		csvField(d, g, tBirth, p.slash(), ",")
		d.s(fmt.Sprintf(",%s,%d,%s\n", g.ip(), g.n(0, 20000), g.isoTime()))
	}
}

// genEmployees is an HR export: employers hold My Numbers for payroll and tax filings.
func genEmployees(g *gen, d *doc) {
	d.s("社員番号,氏名,フリガナ,個人番号,生年月日,住所,電話番号,入社日,基本給,口座番号\n")
	for d.more() {
		p := g.person()
		d.s(fmt.Sprintf("%06d,", g.n(1, 999999)))
		csvField(d, g, tName, p.name(g.nameSep()), ",")
		d.s(",")
		csvField(d, g, tName, p.kana(" "), ",")
		d.s(",")
		csvField(d, g, tMyNum, g.myNumberShape(p.myNumber), ",")
		d.s(",")
		csvField(d, g, tBirth, g.pick([]string{p.wareki(), p.kanjiDate()}), ",")
		d.s(",")
		csvField(d, g, tAddress, p.address(""), ",")
		d.s(",")
		csvField(d, g, tPhone, g.phone(p), ",")
		d.s(fmt.Sprintf(",%s,%d,%s\n", g.kanjiDay(), g.n(180, 600)*1000, g.digits(7)))
	}
}

// genLegacyPayments is the export of an old payment table that kept full card numbers, the
// classic leak; its other columns are the numbers that look like cards but are not.
func genLegacyPayments(g *gen, d *doc) {
	d.s("order_no,card_number,exp,amount,approval_code,transaction_id,jan,paid_at\n")
	for d.more() {
		p := g.person()
		d.s(g.orderNo() + ",")
		csvField(d, g, tCard, g.cardShape(p.card), ",")
		d.s(fmt.Sprintf(",%02d/%02d,%d,%s,9%s,%s,%s\n", g.n(1, 12), g.n(25, 30), g.price(), g.digits(6), g.digits(15), g.jan(), g.sqlTime()))
	}
}
