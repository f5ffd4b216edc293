package detect

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

func TestEngineOverlapAndOrder(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		types []Type
	}{
		// A 4-4-4 My Number under a card-ish label must not be reported
		// twice; a phone inside an address line ends the address.
		{"card beats phone-like", "4111-1111-1111-1111 090-1234-5678", []Type{CardNumber, Phone}},
		{"address then phone", "〒100-0001 東京都千代田区千代田1-1 03-1234-5678 山田 太郎 様", []Type{PostalCode, Address, Phone, PersonName}},
		{"everything", "お名前：山田 太郎 様 mail=taro@example.jp tel=090-1234-5678 生年月日：1985年4月1日 マイナンバー：123456789018 card 4111111111111111",
			[]Type{PersonName, Email, Phone, BirthDate, MyNumber, CardNumber}},
	}
	for _, tc := range tests {
		fs := allEngine.Scan(nil, []byte(tc.text), Context{})
		checkInvariants(t, tc.name, tc.text, fs)
		if len(fs) != len(tc.types) {
			t.Errorf("%s: got %s, want %d findings", tc.name, spans(fs), len(tc.types))
			continue
		}
		for i, f := range fs {
			if f.Type != tc.types[i] {
				t.Errorf("%s: finding %d is %s, want %s", tc.name, i, f.Type, tc.types[i])
			}
		}
	}
}

func TestResolve(t *testing.T) {
	fs := []Finding{
		{Type: Phone, Start: 10, End: 20, Confidence: 0.9, Reason: "r"},
		{Type: CardNumber, Start: 5, End: 25, Confidence: 0.95, Reason: "r"},
		{Type: Email, Start: 30, End: 40, Confidence: 0.5, Reason: "r"},
		{Type: MyNumber, Start: 30, End: 40, Confidence: 0.5, Reason: "r"},
	}
	got := resolve(fs, 0)
	if len(got) != 2 || got[0].Type != CardNumber || got[1].Type != MyNumber {
		t.Fatalf("resolve: got %s", spans(got))
	}
}

func TestScanAllocs(t *testing.T) {
	text := []byte(mixedCorpus(2000))
	dst := make([]Finding, 0, 1<<14)
	n := testing.AllocsPerRun(5, func() {
		dst = allEngine.Scan(dst[:0], text, Context{})
	})
	if n != 0 {
		t.Errorf("Scan allocates %v times per call with a large enough dst", n)
	}
	ctx := KeyContext("name")
	cell := []byte("山田 太郎")
	n = testing.AllocsPerRun(50, func() {
		dst = allEngine.Scan(dst[:0], cell, ctx)
	})
	if n != 0 {
		t.Errorf("keyed Scan allocates %v times per call", n)
	}
}

func TestEngineConcurrent(t *testing.T) {
	text := []byte(mixedCorpus(300))
	want := allEngine.Scan(nil, text, Context{})
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 5 {
				got := allEngine.Scan(nil, text, Context{})
				if len(got) != len(want) {
					t.Errorf("concurrent scan found %d, want %d", len(got), len(want))
					return
				}
			}
		}()
	}
	wg.Wait()
}

// FuzzEngine runs every detector over arbitrary text and keys.
func FuzzEngine(f *testing.F) {
	for _, s := range strings.Split(mixedCorpus(40), "\n") {
		f.Add(s, "")
	}
	f.Add("山田 太郎", "name")
	f.Add("1985-04-01", "birth_date")
	f.Add("\xef\xbc\x91\xe3", "")
	f.Fuzz(func(t *testing.T, s, key string) {
		var ctx Context
		if key != "" {
			ctx = KeyContext(key)
		}
		fs := allEngine.Scan(nil, []byte(s), ctx)
		checkInvariants(t, "engine", s, fs)
		// Quiet's promise (the scanner skips Scan on its word): no finding in a quiet text,
		// whichever types the engine looks for.
		for _, e := range quietEngines {
			if e.Quiet([]byte(s), &ctx) {
				if fs := e.Scan(nil, []byte(s), ctx); len(fs) > 0 {
					t.Fatalf("Quiet(%q) under key %q, but Scan finds %v", s, key, fs)
				}
			}
		}
	})
}

var quietEngines = []*Engine{allEngine, New([]Type{Email}), New([]Type{Phone, PostalCode}), New([]Type{CardNumber, MyNumber}), New([]Type{PersonName, Address, BirthDate})}

// mixedCorpus returns n lines of realistic shop data: CSV rows, application
// and access logs, inquiry mails, product text. All values are synthetic.
func mixedCorpus(n int) string {
	sei := []string{"山田", "鈴木", "佐藤", "高橋", "田中", "伊藤", "渡辺", "中村", "小林", "加藤"}
	mei := []string{"太郎", "花子", "一郎", "美咲", "翔", "陽子", "健太", "さくら", "直樹", "恵"}
	addr := []string{"東京都千代田区千代田1-1", "大阪府大阪市北区梅田1-1-1", "北海道札幌市中央区北1条西2丁目",
		"福岡県福岡市博多区博多駅前1-1", "神奈川県横浜市西区みなとみらい2-2-1", "沖縄県那覇市泉崎1-2-2"}
	var b strings.Builder
	for i := 0; i < n; i++ {
		s, m, a := sei[i%len(sei)], mei[(i/3)%len(mei)], addr[i%len(addr)]
		switch i % 8 {
		case 0:
			fmt.Fprintf(&b, "%d,%s %s,user%d@example.jp,090-%04d-%04d,〒100-%04d,%s\n", 1000+i, s, m, i, i%10000, (i*7)%10000, i%10000, a)
		case 1:
			fmt.Fprintf(&b, "2024-11-25T12:%02d:%02d+09:00 INFO order created order_id=ORD-20241125%08d amount=12800 items=3 ip=192.168.1.%d\n", i%60, i%60, i, i%255)
		case 2:
			fmt.Fprintf(&b, "%s %s 様\nこのたびは当店をご利用いただき、誠にありがとうございます。ご注文番号 20241125-%06d の商品を発送いたしました。お問い合わせ番号は 1234%08d です。\n", s, m, i, i)
		case 3:
			fmt.Fprintf(&b, "10.0.%d.%d - - [25/Nov/2024:12:34:56 +0900] \"GET /products/%d?ref=top HTTP/1.1\" 200 5123 \"-\" \"Mozilla/5.0\"\n", i%255, i%200, i)
		case 4:
			fmt.Fprintf(&b, "{\"customer\":{\"name\":\"%s %s\",\"email\":\"c%d@example.co.jp\",\"tel\":\"03-%04d-%04d\"},\"total\":%d}\n", s, m, i, i%10000, i%9999, 1000+i)
		case 5:
			b.WriteString("【新商品】国産有機緑茶 100g ¥1,280（税込）JAN 4901234567894 在庫あり。送料無料キャンペーン実施中、お早めにどうぞ。\n")
		case 6:
			fmt.Fprintf(&b, "お名前：%s %s\n生年月日：昭和%d年%d月%d日\nご住所：%s\n", s, m, 40+i%20, 1+i%12, 1+i%28, a)
		case 7:
			b.WriteString("商品の発送準備が整いました。配送業者のサイトで状況をご確認いただけます。今後ともよろしくお願いいたします。\n")
		}
	}
	return b.String()
}

// noPIICorpus is prose and logs without personal data: the common case
// for a log redactor and most files a scan walks.
func noPIICorpus(n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		switch i % 4 {
		case 0:
			b.WriteString("商品の発送準備が整いました。配送業者のサイトで状況をご確認いただけます。今後ともよろしくお願いいたします。\n")
		case 1:
			b.WriteString("level=info msg=\"cache warmed\" component=catalog duration_ms=12 keys=340 shard=eu-west\n")
		case 2:
			b.WriteString("本日は晴天なり。新しいコレクションを公開しました、ぜひご覧ください。季節の限定商品も多数ご用意しています。\n")
		case 3:
			b.WriteString("The quick brown fox jumps over the lazy dog; nothing to see here, just plain English text in a log line.\n")
		}
	}
	return b.String()
}

func benchScanLines(b *testing.B, corpus string) {
	lines := bytes.Split([]byte(corpus), []byte("\n"))
	b.SetBytes(int64(len(corpus)))
	dst := make([]Finding, 0, 64)
	b.ResetTimer()
	for b.Loop() {
		for _, l := range lines {
			dst = allEngine.Scan(dst[:0], l, Context{})
		}
	}
}

func benchScanBlock(b *testing.B, corpus string) {
	text := []byte(corpus)
	b.SetBytes(int64(len(text)))
	dst := make([]Finding, 0, 1<<16)
	b.ResetTimer()
	for b.Loop() {
		dst = allEngine.Scan(dst[:0], text, Context{})
	}
}

func BenchmarkEngineMixedLines(b *testing.B) { benchScanLines(b, mixedCorpus(20000)) }
func BenchmarkEngineMixedBlock(b *testing.B) { benchScanBlock(b, mixedCorpus(20000)) }
func BenchmarkEngineNoPIILines(b *testing.B) { benchScanLines(b, noPIICorpus(20000)) }
func BenchmarkEngineNoPIIBlock(b *testing.B) { benchScanBlock(b, noPIICorpus(20000)) }

// BenchmarkEngineKeyedCells scans CSV-like cells with their column context,
// as the scanner does for structured files.
func BenchmarkEngineKeyedCells(b *testing.B) {
	keys := []Context{KeyContext("id"), KeyContext("name"), KeyContext("email"), KeyContext("tel"),
		KeyContext("zip"), KeyContext("address"), KeyContext("birth_date"), KeyContext("memo")}
	cells := [][]byte{[]byte("10023"), []byte("山田 太郎"), []byte("taro@example.jp"), []byte("090-1234-5678"),
		[]byte("100-0001"), []byte("東京都千代田区千代田1-1"), []byte("1985-04-01"), []byte("配達は午前中希望")}
	n := 0
	for _, c := range cells {
		n += len(c)
	}
	b.SetBytes(int64(n))
	dst := make([]Finding, 0, 16)
	for b.Loop() {
		for i, c := range cells {
			dst = allEngine.Scan(dst[:0], c, keys[i])
		}
	}
}

// TestCleanTextHasNoFindings runs every detector over text full of numbers,
// dates and words that look like personal data but are not.
func TestCleanTextHasNoFindings(t *testing.T) {
	lines := append(strings.Split(noPIICorpus(8), "\n"),
		"2024-11-25T12:34:56.789+09:00 INFO request_id=7d7d2e2e-fbce-4953-a85b-cebaa2f193d8 status=200 bytes=5123",
		"10.0.12.34 - - [25/Nov/2024:12:34:56 +0900] \"GET /products/4901234567894?page=2 HTTP/1.1\" 200 5123",
		"注文番号：20241125-000123 お問い合わせ番号：123456789012 合計 ¥12,800（税込）",
		"order_id=ORD-2024112512345678 tracking_no=512345678901 jan=4902102070003 price=1280",
		"商品コード 4901234567894 在庫 120 点 価格 3,980円 送料 550円",
		"version 1.22.3 build 20241125.1 sha=4111111111111111abcdef",
		"東京都の天気は晴れ、最高気温18度。大阪府知事が会見。北海道産の牛乳を使用。",
		"お客様各位 皆様 ご担当者様 お疲れ様です 様々な 仕様変更 同様に",
		"ISBN978-4-7741-9999-1 ISSN 1234-5678 振込 口座 1234567",
		"icon@2x.png lodash@4.17.21 @media screen user@localhost",
		"作成日 2024/11/25 更新日 2024-11-26 発送日 2024年11月27日",
		"timestamp=1732500000123 nanos=1732500000123456789 pid=12345 port=8080",
	)
	for i, l := range lines {
		if l == "" {
			continue
		}
		if fs := allEngine.Scan(nil, []byte(l), Context{}); len(fs) != 0 {
			t.Errorf("clean line %d: unexpected findings %s", i, spans(fs))
		}
	}
}

// TestScanCachedMatchesScan checks that a key cache shared by many scans changes no finding:
// lines with inline keys that repeat, that collide in the cache and that differ only in a
// middle byte, scanned one at a time as a worker does.
func TestScanCachedMatchesScan(t *testing.T) {
	var lines []string
	lines = append(lines, strings.Split(mixedCorpus(400), "\n")...)
	keys := []string{"tel", "tal", "zip", "order_id", "ordxr_id", "birthday", "birthdax", "my_number",
		"card_number", "name", "nane", "お電話番号", "お電話暗号", "生年月日", "ご注文番号", "お名前", "お名刺",
		"user.tel", "customer_name", "product_name", "a", strings.Repeat("k", maxKeyLen), strings.Repeat("k", maxKeyLen+1)}
	vals := []string{"090-1234-5678", "100-0001", "1985-04-01", "4111 1111 1111 1111", "山田 太郎", "123456789018"}
	for i := 0; i < 2000; i++ {
		k, v := keys[i*7%len(keys)], vals[i*5%len(vals)]
		sep := "="
		if i%3 == 0 {
			sep = "："
		}
		lines = append(lines, fmt.Sprintf("INFO %s%s%s next=%d", k, sep, v, i))
	}
	var kc KeyCache
	for _, ctx := range []Context{{}, KeyContext("note"), KeyContext("tel")} {
		for _, l := range lines {
			want := allEngine.Scan(nil, []byte(l), ctx)
			got := allEngine.ScanCached(nil, []byte(l), &ctx, &kc)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("%q under %q: cached %v, uncached %v", l, ctx.Key, got, want)
			}
		}
	}
	dst := make([]Finding, 0, 16)
	line := []byte("INFO tel=090-1234-5678 zip=100-0001")
	if n := testing.AllocsPerRun(50, func() {
		dst = allEngine.ScanCached(dst[:0], line, &Context{}, &kc)
	}); n != 0 {
		t.Errorf("ScanCached allocates %v times per call", n)
	}
}

// eraLeadBeforeRef and numberGluedRef are the rune-decoding forms of eraLeadBefore and
// numberGlued, which read bytes: TestByteReadersMatchRuneReaders checks that they agree.
func eraLeadBeforeRef(s string, i int) bool {
	r, w := runeBefore(s, i)
	if r == ' ' || r == '\u3000' {
		i -= w
		r, w = runeBefore(s, i)
	}
	switch r {
	case '和', '正', '治', '成', '年':
		return true
	case 'M', 'T', 'S', 'H', 'R', 'm', 't', 's', 'h', 'r':
		r2, _ := runeBefore(s, i-w)
		return !isWordRune(r2)
	}
	return false
}

func numberGluedRef(s string, start, end int) bool {
	r, w := runeBefore(s, start)
	if isWordRune(r) || r != utf8.RuneError && connectorGlues(r, func() rune { r2, _ := runeBefore(s, start-w); return r2 }()) {
		return true
	}
	r, w = runeAt(s, end)
	return isWordRune(r) || r != utf8.RuneError && connectorGlues(r, func() rune { r2, _ := runeAt(s, end+w); return r2 }())
}

func TestByteReadersMatchRuneReaders(t *testing.T) {
	pieces := []string{"", "1", "a", "S", "_", " ", "\u3000", "和", "年", "元", "平",
		"Ａ", "１", "-", "－", ".", ":", "：", "#", "+", "＋", "\x80", "\xe3\x80", "\xe5\x92", "\xed\xa0\x80", "é", "😀"}
	n := 0
	for _, a := range pieces {
		for _, b := range pieces {
			for _, c := range pieces {
				for _, d := range pieces {
					s := a + b + c + d
					for i := 0; i <= len(s); i++ {
						if got, want := eraLeadBefore(s, i), eraLeadBeforeRef(s, i); got != want {
							t.Fatalf("eraLeadBefore(%q, %d) = %v, want %v", s, i, got, want)
						}
						for j := i; j <= len(s); j++ {
							if got, want := numberGlued(s, i, j), numberGluedRef(s, i, j); got != want {
								t.Fatalf("numberGlued(%q, %d, %d) = %v, want %v", s, i, j, got, want)
							}
							n++
						}
					}
				}
			}
		}
	}
	t.Logf("%d cases", n)
}

// TestQuietFindsNothing checks Quiet's promise: a text it calls quiet has no finding under
// that context. Texts are every piece of the mixed corpus between two delimiters, and
// cells and words of ids, prices, dates and names, under free-text and keyed contexts.
func TestQuietFindsNothing(t *testing.T) {
	var texts []string
	for _, l := range strings.Split(mixedCorpus(400), "\n") {
		texts = append(texts, l)
		texts = append(texts, strings.FieldsFunc(l, func(r rune) bool { return r == ',' || r == ' ' || r == '"' })...)
	}
	texts = append(texts, "12130884", "27,400", "¥11,200", "2023-03-18 15:24:24", "SKU-0532829-07", "4999509889192",
		"802080402995", "ORD-2024-98569", "1954/5/5", "昭和24年7月22日", "S60.4.1", "令和5年", "元年1月", "090 1234 5678",
		"03(1234)5678", "123", "12", "1", "１２３", "平成 2年", "東京都", "様", "a@b", "x%40y.jp", "key=山田", "【氏名】山田")
	ctxs := []Context{{}, KeyContext("id"), KeyContext("price"), KeyContext("created_at"), KeyContext("note"),
		KeyContext("tel"), KeyContext("birthday"), KeyContext("name"), KeyContext("address"), KeyContext("jan")}
	quiet := 0
	for _, ctx := range ctxs {
		for _, e := range []*Engine{allEngine, New([]Type{Email}), New([]Type{Phone, PostalCode})} {
			for _, s := range texts {
				if e.Quiet([]byte(s), &ctx) {
					quiet++
					if fs := e.Scan(nil, []byte(s), ctx); len(fs) > 0 {
						t.Fatalf("Quiet(%q) under %q, but Scan finds %v", s, ctx.Key, fs)
					}
				}
			}
		}
	}
	if quiet < len(texts) {
		t.Fatalf("only %d quiet texts: the test checks too little", quiet)
	}
}
