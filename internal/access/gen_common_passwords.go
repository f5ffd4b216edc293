//go:build ignore

// gen_common_passwords writes common_passwords.txt: passwords of at least 12 characters that
// attackers try first, built from the patterns public breach corpora are made of (popular
// words and names, Japanese romaji, keyboard walks, digit runs, years and suffixes, simple
// leet spellings, doubled words). Nothing is downloaded; the list is what this program
// prints. Run with: go generate ./internal/access
package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
)

// minLen matches MinPasswordLen: shorter passwords are refused by length alone.
const minLen = 12

var words = strings.Fields(`
password passw0rd p@ssword p@ssw0rd pass secret letmein welcome welcome1 admin administrator root login
master shadow dragon monkey football baseball soccer hockey basketball golf tennis sunshine princess
iloveyou lovely loveme trustno1 superman batman spiderman starwars pokemon pikachu naruto doraemon totoro
ghibli gundam onepiece dragonball sailormoon hellokitty kitty michael jennifer jordan charlie thomas
daniel jessica ashley robert matthew andrew joshua nicole hunter ranger buster tigger summer winter spring
autumn freedom whatever qwerty qwertyuiop asdfgh asdfghjkl zxcvbnm computer internet access changeme
default guest test tester testing sample example company office business manager service support shop
store online ecommerce eccube makeshop shopify rakuten amazon yahoo google apple samsung sony nintendo
playstation minecraft fortnite tokyo osaka kyoto nagoya yokohama sapporo fukuoka kobe sendai hiroshima
okinawa japan nippon nihon sakura fujisan fuji samurai ninja sushi ramen tempura arigato arigatou
konnichiwa ohayou sayonara kawaii daisuki aishiteru tanaka suzuki takahashi watanabe ito yamamoto
nakamura kobayashi kato yoshida yamada sasaki yamaguchi matsumoto inoue kimura hayashi shimizu taro
hanako kenji hiroshi takeshi yuki akira haruka yui aoi hina sora riku kinko vault customer customers
database mysql oracle postgres server linux windows microsoft chocolate cookie banana orange strawberry
cherry flower butterfly rainbow angel blessed jesus christ heaven forever family friends together
mother father sister brother baby babygirl princess1 monkey1 dragon1 shadow1 master1 qwerty1 abc abcdef
abcdefg abcdefgh letmein1 iloveyou1 superstar rockstar killer hello helloworld goodbye purple yellow
silver golden diamond legend mustang ferrari porsche mercedes toyota honda nissan mazda subaru
`)

var suffixes = []string{"", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
	"!", "1!", "123!", "!!", "@123", "#1", "01", "007", "69", "99", "00", "000", "111", "2024", "2025", "2026",
	"2020", "2021", "2022", "2023", "2000", "1999", "1990", "1234!", "12345!", "@2024", "@2025", "@2026"}

var walks = strings.Fields(`
qwertyuiop qwertyuiop[] qwertyuiopasdf asdfghjkl; asdfghjkl;' zxcvbnm,./ 1qaz2wsx3edc 1qaz2wsx3edc4rfv
qazwsxedcrfv qazwsxedcrfvtgb 1q2w3e4r5t6y 1q2w3e4r5t6y7u 1q2w3e4r5t6y7u8i q1w2e3r4t5y6 q1w2e3r4t5y6u7
zaq12wsxcde3 zaq1xsw2cde3 !qaz@wsx#edc 1234qwerasdf 1234qwerasdfzxcv qwerasdfzxcv qweasdzxc123
asdfqwerzxcv poiuytrewq lkjhgfdsa mnbvcxz qwerty123456 123456qwerty abc123abc123 abcdef123456
abcdefghijkl abcdefghijklm abcdefghijklmn abcdefghijklmnop a1b2c3d4e5f6 a1b2c3d4e5f6g7 1a2b3c4d5e6f
`)

func main() {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.ToLower(s)
		if len([]rune(s)) < minLen || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	for _, w := range words {
		for _, s := range suffixes {
			add(w + s)
			add(s + w)
		}
		add(w + w)
		add(w + w + "1")
		add(w + w + "123")
		add(strings.Repeat(w, 3))
		add(leet(w) + "123456")
		add(leet(w) + "2024")
		add(leet(w) + "2025")
		add(leet(w) + "!")
		add(leet(w + w))
	}
	for _, a := range []string{"password", "iloveyou", "welcome", "admin", "qwerty", "letmein", "sakura", "tokyo"} {
		for _, b := range []string{"password", "admin", "shop", "tokyo", "japan", "123", "love", "you"} {
			add(a + b + "123")
			add(a + b + "2025")
			add(a + "@" + b)
		}
	}
	for _, w := range walks {
		add(w)
		add(w + "!")
		add(w + "1")
	}
	// Digit runs: ascending, descending, repeated, doubled patterns, dates.
	for n := minLen; n <= 20; n++ {
		asc, desc := "", ""
		for i := 0; i < n; i++ {
			asc += string(rune('0' + (i+1)%10))
			desc += string(rune('0' + (9-i%10+10)%10))
		}
		add(asc)
		add(desc)
		for d := '0'; d <= '9'; d++ {
			add(strings.Repeat(string(d), n))
		}
		for _, p := range []string{"12", "123", "1234", "123123", "321", "147258369", "159357", "654321", "112233", "abc", "ab", "a1", "xo", "qwe"} {
			add(strings.Repeat(p, n/len(p)+1)[:n])
		}
	}
	for y := 1950; y <= 2026; y++ {
		add(fmt.Sprintf("%d%d%d", y, y, y))
		add(fmt.Sprintf("password%d", y))
		add(fmt.Sprintf("iloveyou%d", y))
		add(fmt.Sprintf("welcome%d!", y))
		add(fmt.Sprintf("%d0101%d", y, y))
	}
	for c := 'a'; c <= 'z'; c++ {
		add(strings.Repeat(string(c), minLen))
	}
	slices.Sort(out)
	var b strings.Builder
	b.WriteString("# Common passwords of 12 or more characters, generated by gen_common_passwords.go: do not edit.\n")
	for _, s := range out {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if err := os.WriteFile("common_passwords.txt", []byte(b.String()), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%d passwords\n", len(out))
}

func leet(s string) string {
	return strings.NewReplacer("a", "@", "o", "0", "e", "3", "i", "1", "s", "$").Replace(s)
}
