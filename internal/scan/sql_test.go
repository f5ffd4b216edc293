package scan

import (
	"testing"
)

func lexSQL(data string, mysql bool, cuts ...int) []found {
	k := &namedKeys{}
	p := newSQLParser(mysql, false, k)
	return feed([]byte(data), cuts, p.parse, func() int { return p.pos }, p.rebase, k)
}

func TestSQLParser(t *testing.T) {
	cases := []struct {
		name  string
		mysql bool
		in    string
		want  string
	}{
		{"mysql schema then extended insert", true,
			"CREATE TABLE `customers` (\n  `id` int NOT NULL,\n  `name` varchar(10),\n  `tel` varchar(20),\n  PRIMARY KEY (`id`),\n  KEY `t` (`tel`)\n) ENGINE=InnoDB;\n" +
				"INSERT INTO `customers` VALUES (1,'山田','03-1234-5678'),(2,'佐藤',NULL);\n",
			"customers.name=山田;customers.tel=03-1234-5678;customers.name=佐藤;"},
		{"insert with column list", false,
			"INSERT INTO public.orders (id, tracking_no, email) VALUES (1, '123456789012', 'a@b.jp');",
			"orders.tracking_no=123456789012;orders.email=a@b.jp;"},
		{"long numbers are values", true,
			"INSERT INTO t (a, card) VALUES (12, 4111111111111111);",
			"t.card=4111111111111111;"},
		{"mysql backslash escape", true,
			"INSERT INTO t (memo, x) VALUES ('It\\'s; not the end', 'y');",
			`t.memo=It\'s; not the end;t.x=y;`},
		{"standard doubled quote", false,
			"INSERT INTO t (memo, x) VALUES ('O''Brien\\', 'y');",
			`t.memo=O''Brien\;t.x=y;`},
		{"postgres E string has backslash escapes", false,
			"INSERT INTO t (memo, x) VALUES (E'a\\'b', 'y');",
			`t.memo=a\'b;t.x=y;`},
		{"comments with quotes and semicolons", true,
			"-- it's; a comment\n/* 'x'; */ # also ';\nINSERT INTO t (a) VALUES ('v');",
			"t.a=v;"},
		{"mysql conditional comment skipped", true,
			"/*!40101 SET NAMES 'utf8mb4' */;\nINSERT INTO t (a) VALUES ('v');",
			"t.a=v;"},
		{"copy from stdin", false,
			"CREATE TABLE public.c (\n id integer,\n name text,\n email text\n);\nCOPY public.c (id, name, email) FROM stdin;\n1\t山田\ta@b.jp\n2\t\\N\tc\\td@e.jp\n\\.\nSELECT 'x';\n",
			"c.id=1;c.name=山田;c.email=a@b.jp;c.id=2;c.email=c\\td@e.jp;"},
		{"copy without column list uses the schema", false,
			"CREATE TABLE c (id int, tel text);\nCOPY c FROM stdin;\n1\t090\n\\.\n",
			"c.id=1;c.tel=090;"},
		{"other statements are not scanned", false,
			"SET client_encoding = 'UTF8';\nUPDATE t SET email = 'a@b.jp';\nSELECT pg_catalog.set_config('search_path', '', false);\n",
			""},
		{"on duplicate key update ends values", true,
			"INSERT INTO t (a) VALUES ('v') ON DUPLICATE KEY UPDATE a='w';",
			"t.a=v;"},
		{"create table comment not scanned", true,
			"CREATE TABLE t (\n `memo` text COMMENT 'free; text',\n `b` int\n);\nINSERT INTO t VALUES ('m', 12345678);",
			"t.memo=m;t.b=12345678;"},
		{"unterminated string at eof", true,
			"INSERT INTO t (a) VALUES ('abc",
			"t.a=abc;"},
	}
	for _, c := range cases {
		got := render(c.in, lexSQL(c.in, c.mysql))
		if got != c.want {
			t.Errorf("%s: values differ: got keys %s, want keys %s", c.name, keysOf(got), keysOf(c.want))
			continue
		}
		for cut := 1; cut < len(c.in); cut++ {
			if got := render(c.in, lexSQL(c.in, c.mysql, cut)); got != c.want {
				t.Errorf("%s: cutting at %d changed the values (keys %s)", c.name, cut, keysOf(got))
				break
			}
		}
	}
}

func FuzzSQLParser(f *testing.F) {
	f.Add([]byte("CREATE TABLE `c` (`id` int, `name` text);\nINSERT INTO `c` VALUES (1,'山田\\'s'),(2,'x');\n"), true, 10, 40)
	f.Add([]byte("COPY public.c (id, tel) FROM stdin;\n1\t090-1234-5678\n\\.\nINSERT INTO o (n) VALUES ('a''b');"), false, 5, 50)
	f.Add([]byte("/* x */ -- y\nINSERT INTO t (a) VALUES (E'\\'', 12345678901);"), false, 3, 9)
	f.Fuzz(func(t *testing.T, data []byte, mysql bool, c1, c2 int) {
		whole := lexSQL(string(data), mysql)
		prev := 0
		for _, v := range whole {
			if v.start < prev || v.end < v.start || v.end > len(data) {
				t.Fatalf("value [%d,%d) out of order or bounds", v.start, v.end)
			}
			prev = v.end
		}
		if len(data) == 0 {
			return
		}
		a, b := abs(c1)%len(data), abs(c2)%len(data)
		if render(string(data), lexSQL(string(data), mysql, min(a, b), max(a, b))) != render(string(data), whole) {
			t.Fatalf("cutting the input changed the values")
		}
	})
}
