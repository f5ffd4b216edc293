--
-- PostgreSQL database dump
--

-- Dumped from database version 16.1

SET statement_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;

CREATE TABLE public.customers (
    id integer NOT NULL,
    name text NOT NULL,
    kana text,
    email text,
    phone text,
    postal_code text,
    address text,
    birth_date date,
    created_at timestamp with time zone
);

CREATE TABLE public.orders (
    id bigint NOT NULL,
    customer_id integer,
    order_no text,
    tracking_no text,
    total integer,
    ordered_at timestamp with time zone
);

COPY public.customers (id, name, kana, email, phone, postal_code, address, birth_date, created_at) FROM stdin;
44016089	山下 結衣	ヤマシタ ユイ	yui.yamashita@example.com	０８０－２１０２－９１６８	681-7622	愛知県名古屋市中村区 桜台５丁目２７番１４号 グランメゾン804	1959-03-26	2023-03-27 09:38:16+09
43990871	石井 翼	イシイ ツバサ	ishiitsubasa43@example.org	090(3384)8127	972-6616	福島県郡山市 青葉台４丁目３番１１号	1981-12-08	2023-04-17 22:48:41+09
43176221	斎藤蓮	サイトウ レン	saitoren65@example.com	06-6787-8340	793-3701	福岡県福岡市博多区 富士見１丁目２４番９号	1996-01-15	2023-11-20 01:19:24+09
96362224	西村 恵子	ニシムラ ケイコ	k_nishimura@example.jp	(090)8034-8610	626-8846	千葉県船橋市 富士見4-27-7 メゾン桜609	1976-09-06	2023-04-04 21:22:48+09
54658593	清水 正人	\N	masato.shimizu@example.org	080-9600-5541	641-0590	熊本県熊本市中央区 西新町4丁目1-14	1940-04-12	2023-04-05 16:23:02+09
67244124	加藤 健	\N	katoken34@example.jp	090-9325-3170	904-1155	愛媛県松山市 緑町１丁目１０番４号	1963-08-16	2023-02-09 10:31:10+09
72310684	近藤大輔	コンドウ ダイスケ	d_kondo@example.jp	08050720902	688-2387	群馬県前橋市 大手町７丁目６番７号	1969-11-11	2023-09-02 03:51:48+09
70997576	鈴木　隆	スズキ タカシ	suzukitakashi16@example.org	080-3338-0703	887-0087	岐阜県岐阜市 桜台６丁目２６番３号 ハイツ緑201	1994-03-14	2023-02-15 15:29:41+09
68598788	中島 優子	ナカジマ ユウコ	y_nakajima@example.jp	(070)3822-7245	234-0384	福井県福井市 神田１丁目２１番５号	1980-09-16	2023-10-03 12:32:20+09
97466948	池田　恵子	\N	ikedakeiko19@example.co.jp	(080)4286-7921	266-2387	岐阜県岐阜市 栄町4丁目8-1 パークサイド203	1959-10-24	2023-05-20 17:19:56+09
66235212	三浦 拓也	ミウラ タクヤ	miuratakuya11@mail.example.ne.jp	070-6467-9477	124-5687	高知県高知市 桜台5丁目7-4	1999-03-05	2023-01-18 18:14:10+09
42579517	小川 健	オガワ ケン	ken+shop@example.org	045-449-7150	592-5118	福岡県福岡市博多区 富士見7-9-2	1975-04-07	2023-06-01 09:00:04+09
37950332	中島　誠	ナカジマ マコト	makoto+shop@example.jp	０７０－３７７２－１２５８	024-7002	石川県金沢市 富士見2-13-17 メゾン桜106	1945-07-22	2023-09-13 14:39:30+09
15924868	後藤　優子	ゴトウ ユウコ	y_goto@example.com	022-733-2453	411-8064	千葉県船橋市 中央８丁目１４番１１号 パークサイド110	1970-03-16	2023-09-29 18:43:27+09
49329534	後藤 明美	ゴトウ アケミ	akemi+shop@example.co.jp	080 1458 6604	047-7465	秋田県秋田市 神田6-3-1	1996-10-27	2023-05-30 18:17:42+09
38807847	後藤 花子	\N	hanako.goto@example.jp	０８０－８０３８－８８９３	685-3086	広島県広島市中区 本町8丁目3-2	1943-08-09	2023-08-27 22:25:48+09
15262436	松田健太	マツダ ケンタ	k_matsuda@mail.example.ne.jp	070-6601-1179	966-3849	鳥取県鳥取市 港町１丁目１３番１８号	1946-10-06	2023-02-27 21:47:58+09
53081433	木村悠人	キムラ ユウト	yuto+shop@example.com	08054953725	407-8470	静岡県浜松市中央区 富士見８丁目１番２号	1958-04-25	2023-02-12 15:38:27+09
45616257	藤田　翼	\N	fujitatsubasa55@example.com	052-370-0794	214-8343	宮崎県宮崎市 神田4丁目7-19 ハイツ緑208	1991-06-23	2023-07-21 04:21:41+09
66603915	山口　隆	ヤマグチ タカシ	yamaguchitakashi81@example.jp	045-302-7092	865-3358	滋賀県大津市 西新町7-13-4 グランメゾン904	1946-09-17	2023-11-26 13:20:48+09
\.

INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1788059875, 40461519, '1787586997', '373218457638', 15880, '2023-02-13 13:44:20+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1965935367, 57792002, '1717602189', '628386074542', 8180, '2023-04-21 19:14:21+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1394121730, 27425265, '1185799037', '980521446622', 20480, '2023-09-28 16:47:27+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1134495170, 29472158, '20240223-508436', '732206424144', 18680, '2023-10-27 07:25:01+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1377052496, 42899778, '20240606-927117', '553804668769', 20400, '2023-03-18 09:36:23+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1321655253, 77016155, '1983817004', '495014326933', 1880, '2023-07-15 19:04:31+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1316520780, 63524887, '1717219591', '246172948738', 11780, '2023-07-15 15:22:25+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1665227022, 29841549, 'ORD-2020-59335', '849531503414', 9400, '2023-09-04 06:05:12+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1385650756, 31310348, '20240315-355251', '139599403069', 17980, '2023-07-07 11:50:19+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1060359971, 14080826, '20240214-746379', '362642825986', 24400, '2023-04-24 12:45:09+09');

COPY public.customers (id, name, kana, email, phone, postal_code, address, birth_date, created_at) FROM stdin;
44168326	長谷川 みゆき	ハセガワ ミユキ	hasegawamiyuki86@example.co.jp	0828817552	801-2137	岡山県岡山市北区 東町1-15-9 ハイツ緑410	1974-03-17	2023-07-07 17:54:48+09
46570947	佐々木 健太	ササキ ケンタ	kenta+shop@example.jp	03-5755-2415	119-8370	山梨県甲府市 中央5-15-1	1961-01-08	2023-12-26 11:05:44+09
57550914	坂本　千尋	サカモト チヒロ	chihiro.sakamoto@example.org	06-6973-1240	975-1788	茨城県水戸市 栄町5丁目15-13	1999-12-22	2023-03-30 10:05:43+09
14025727	佐藤　みゆき	サトウ ミユキ	satomiyuki24@example.com	080(2885)7324	575-4836	山形県山形市 栄町9-29-2	1943-02-03	2023-02-23 22:21:58+09
37656329	松本　正人	マツモト マサト	matsumotomasato54@mail.example.ne.jp	09062618008	229-3675	北海道札幌市中央区 大手町8丁目6-19	1976-03-28	2023-03-18 03:50:49+09
62777353	山田　結衣	ヤマダ ユイ	yui.yamada@mail.example.ne.jp	０８０－２２６６－０６２８	356-6836	奈良県奈良市 青葉台９丁目１０番１６号	1970-12-04	2023-10-09 13:57:36+09
42382631	青木 蓮	アオキ レン	ren.aoki@example.org	09064398502	547-6095	大分県大分市 青葉台６丁目２４番１号	1978-08-14	2023-07-22 01:45:19+09
69144049	中川浩二	\N	koji.nakagawa@mail.example.ne.jp	070-5721-9470	972-6949	大阪府大阪市北区 神田3丁目25-9	1977-12-07	2023-12-31 09:47:57+09
38366256	西村智子	ニシムラ トモコ	tomoko+shop@example.org	092(494)6254	233-8106	宮崎県宮崎市 緑町7-3-9 サンハイツ307	1968-05-14	2023-08-01 06:52:42+09
84726897	福田 花子	フクダ ハナコ	hanako.fukuda@mail.example.ne.jp	080 7149 5343	868-8236	山梨県甲府市 神田３丁目２２番１７号	1982-07-22	2023-10-07 03:35:19+09
76093925	斎藤千尋	サイトウ チヒロ	c_saito@example.org	(070)2593-6519	023-4842	福岡県福岡市博多区 大手町4-29-13	1959-11-11	2023-02-28 08:38:08+09
49492297	田中 大輔	タナカ ダイスケ	d_tanaka@mail.example.ne.jp	+81-80-4650-0824	288-9939	青森県青森市 西新町３丁目２２番６号 ハイツ緑312	1954-12-12	2023-09-02 19:24:47+09
47100882	近藤　愛	コンドウ アイ	a_kondo@example.jp	090-8099-1208	749-8804	岡山県岡山市北区 旭町６丁目１９番１０号 サンハイツ306	2003-01-21	2023-05-03 21:57:49+09
46949956	三浦 結衣	ミウラ ユイ	yui.miura@mail.example.ne.jp	06-6581-3188	674-7567	佐賀県佐賀市 中央6丁目3-6	1944-12-22	2023-10-04 13:48:14+09
18679222	山下 彩	\N	aya+shop@example.co.jp	092(922)2727	651-2381	山形県山形市 緑町5-12-3 コーポ山田410	2001-08-05	2023-06-14 14:34:37+09
19064175	阿部　恵子	アベ ケイコ	keiko+shop@example.com	０７０－７６３７－８４６３	761-9113	香川県高松市 富士見4-6-15	1947-06-03	2023-02-26 04:30:40+09
80213853	青木美咲	アオキ ミサキ	misaki.aoki@example.com	09021463983	135-9260	岩手県盛岡市 若葉8丁目13-4 コーポ山田710	1945-09-28	2023-07-12 00:18:49+09
98983657	木村 美咲	キムラ ミサキ	misaki.kimura@example.org	03-5636-9573	842-0648	石川県金沢市 桜台2-23-17	1961-01-06	2023-04-10 03:57:54+09
82485464	石井　智子	イシイ トモコ	t_ishii@example.jp	080 6534 0349	127-9643	長野県松本市 富士見2-3-11	1955-09-10	2023-01-15 04:39:35+09
30715610	斎藤 翼	サイトウ ツバサ	saitotsubasa75@example.org	(090)4580-8750	408-7384	宮崎県宮崎市 若葉7丁目21-12 グランメゾン609	1949-04-25	2023-08-05 13:50:19+09
\.

INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1776390387, 70158376, '1142647351', '753690912447', 13680, '2023-05-27 20:57:02+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1153253902, 45637077, '20240507-499936', '246491433465', 3980, '2023-11-02 19:33:27+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1174955473, 98728807, '1337709406', '714887199385', 10800, '2023-04-26 18:16:38+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1201289911, 20124712, '20241017-611846', '127615521854', 800, '2023-08-12 00:49:08+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1913869287, 76186810, 'ORD-2021-96180', '883623282568', 18700, '2023-11-03 08:44:06+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1631427186, 14413934, 'ORD-2024-13485', '138571661730', 15080, '2023-04-05 10:29:06+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1103227110, 33329804, '20241010-308550', '558083505410', 13080, '2023-12-24 16:42:02+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1440062897, 64350039, 'ORD-2019-83928', '128676310611', 22900, '2023-08-13 13:51:51+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1966633039, 77871877, '1427735898', '914411663731', 29880, '2023-10-06 22:36:59+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1741512254, 47078104, '1859417026', '982133128497', 12900, '2023-09-07 03:22:54+09');

COPY public.customers (id, name, kana, email, phone, postal_code, address, birth_date, created_at) FROM stdin;
32593800	福田康介	フクダ コウスケ	k_fukuda@example.org	082(710)9241	515-3685	岡山県岡山市北区 本町1丁目30-7	1968-06-28	2023-07-21 15:42:11+09
19748978	福田正人	フクダ マサト	masato.fukuda@example.jp	+81-3-4386-7773	848-9111	熊本県熊本市中央区 青葉台６丁目２６番６号 コーポ山田111	1995-01-08	2023-06-14 08:14:48+09
28712885	長谷川明美	ハセガワ アケミ	akemi.hasegawa@example.com	(070)7308-7998	532-5782	愛媛県松山市 桜台5丁目18-2 サンハイツ201	1970-12-16	2023-09-23 00:23:04+09
18275718	坂本拓也	サカモト タクヤ	t_sakamoto@example.co.jp	０６－６４３９－５２４８	854-1755	三重県津市 中央8丁目25-2	1956-01-10	2023-11-29 06:39:42+09
32633468	松田　一郎	マツダ イチロウ	i_matsuda@example.co.jp	(090)9789-7144	285-9392	熊本県熊本市中央区 緑町1丁目11-17	1997-08-17	2023-07-17 05:39:12+09
55913922	池田 誠	イケダ マコト	makoto+shop@example.org	090-1556-9245	532-5792	岐阜県岐阜市 南町9-5-6 ハイツ緑802	2001-06-21	2023-07-24 13:15:38+09
97611220	山口千尋	\N	chihiro.yamaguchi@example.co.jp	080-6591-6862	132-4757	和歌山県和歌山市 大手町４丁目３０番２０号 ハイツ緑406	2002-12-24	2023-01-25 23:12:01+09
67399117	福田　由美	フクダ ユミ	yumi.fukuda@example.com	０６－６０６３－１５５６	138-6656	山形県山形市 若葉6-6-20	1948-01-10	2024-01-12 16:14:17+09
49832853	橋本恵子	ハシモト ケイコ	k_hashimoto@example.co.jp	(03)5763-7718	242-9392	埼玉県さいたま市浦和区 南町８丁目１１番８号	1953-07-18	2023-05-17 08:34:21+09
67728184	太田 みゆき	\N	m_ota@example.com	080-6246-5500	435-2076	岐阜県岐阜市 港町7-21-2 サンハイツ404	1952-03-20	2023-06-15 14:35:05+09
65779176	渡辺 康介	ワタナベ コウスケ	watanabekosuke99@example.org	(070)9003-5247	156-7004	山口県下関市 本町3-1-2 メゾン桜205	1988-10-23	2023-12-05 04:57:00+09
93052536	小川 直樹	\N	n_ogawa@example.org	(03)6529-5204	221-9869	山梨県甲府市 栄町１丁目１４番８号	1974-09-06	2023-07-14 04:31:34+09
31387809	池田康介	\N	ikedakosuke76@example.com	(06)6182-3498	480-1822	山梨県甲府市 神田４丁目１３番１号	1995-08-22	2023-08-05 14:59:29+09
14040817	長谷川恵子	ハセガワ ケイコ	k_hasegawa@example.com	+81-6-6728-5133	998-1638	富山県富山市 緑町9-9-10 グランメゾン602	1966-09-23	2023-07-22 03:56:05+09
85461391	山本 正人	ヤマモト マサト	masato+shop@mail.example.ne.jp	(011)603-6907	189-4462	和歌山県和歌山市 本町６丁目３番１７号	1954-07-06	2023-06-12 12:06:19+09
80039954	中島　花子	\N	hanako.nakajima@mail.example.ne.jp	03 3576 5173	798-4279	兵庫県神戸市中央区 中央7丁目13-17	1973-12-25	2023-06-04 01:28:27+09
57993856	山崎 千尋	ヤマザキ チヒロ	chihiro+shop@mail.example.ne.jp	09089801634	231-2551	福島県郡山市 大手町3-13-19 コーポ山田311	1978-05-09	2023-02-09 06:16:05+09
61440925	福田花子	フクダ ハナコ	fukudahanako23@example.co.jp	090-7908-6445	331-0060	奈良県奈良市 神田１丁目２９番１７号	1949-10-27	2023-12-13 04:11:16+09
59971992	山下 大輔	ヤマシタ ダイスケ	daisuke.yamashita@example.co.jp	080-5388-0886	463-5769	熊本県熊本市中央区 青葉台1-25-4	2005-10-18	2023-03-25 04:51:14+09
51205849	小林太郎	コバヤシ タロウ	taro+shop@example.org	+81-6-6654-6505	200-8782	長崎県長崎市 富士見9丁目13-14 コーポ山田311	1995-05-13	2024-01-11 06:17:02+09
\.

INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1249396300, 29640140, 'ORD-2022-03178', '139268780759', 24000, '2023-02-15 18:40:11+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1057886363, 66506259, '1491961003', '411831506929', 29580, '2023-03-15 21:05:15+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1054186410, 42451641, '20240221-153732', '240550034388', 9380, '2024-01-10 15:00:15+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1810684204, 84827165, 'ORD-2024-42037', '183739376775', 15200, '2023-11-14 18:54:09+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1948335489, 56203424, 'ORD-2019-67177', '467415790662', 3400, '2023-03-08 06:58:34+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1481296395, 10654150, '20240623-441659', '444724682623', 20200, '2023-07-09 16:25:38+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1063633043, 64318928, '20240827-819132', '613083738319', 26080, '2023-04-14 14:40:51+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1402177998, 17717868, 'ORD-2022-36765', '493672040770', 22580, '2023-06-22 05:21:03+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1213860136, 15226431, 'ORD-2024-74099', '870476887461', 6600, '2023-08-25 15:30:53+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1728815743, 35180107, 'ORD-2021-42694', '254050115813', 27080, '2023-07-07 23:46:04+09');

COPY public.customers (id, name, kana, email, phone, postal_code, address, birth_date, created_at) FROM stdin;
58253900	斎藤 一郎	\N	saitoichiro80@example.com	+81-70-2322-4443	713-2104	富山県富山市 旭町７丁目１３番１４号	1971-08-15	2023-08-24 04:02:22+09
97206149	山田大輔	ヤマダ ダイスケ	d_yamada@mail.example.ne.jp	03 5913 9125	555-5699	広島県広島市中区 中央３丁目２６番１４号	1969-10-07	2023-07-03 07:25:49+09
40538916	岡本　由美	\N	yumi.okamoto@example.com	０７８－８２１－６０１３	054-7390	山形県山形市 神田３丁目１０番６号 コーポ山田302	1982-06-03	2024-01-07 08:51:58+09
59439754	松本 大輔	マツモト ダイスケ	matsumotodaisuke70@example.co.jp	090-1956-5311	101-7196	茨城県水戸市 東町８丁目１９番１４号	1982-05-23	2024-01-12 13:41:06+09
28351674	山本智子	ヤマモト トモコ	t_yamamoto@example.co.jp	(045)583-1907	965-1798	佐賀県佐賀市 緑町1-29-13 グランメゾン305	1984-12-05	2023-04-30 01:44:48+09
15395097	近藤　美咲	コンドウ ミサキ	m_kondo@example.com	090 5662 4023	599-5075	熊本県熊本市中央区 南町9-30-7 メゾン桜303	1961-10-02	2023-07-24 16:11:49+09
54566654	林　一郎	\N	ichiro.hayashi@example.com	090 6472 7961	475-7922	群馬県前橋市 東町５丁目１３番２０号	1969-12-13	2023-09-10 22:32:33+09
34638517	山田健	ヤマダ ケン	ken.yamada@example.org	０６－６３４８－０９７１	984-2237	東京都世田谷区 中央1-18-1	1980-10-10	2023-05-15 23:31:15+09
85670420	高橋　翼	タカハシ ツバサ	takahashitsubasa16@example.com	090-4997-4977	361-9728	青森県青森市 本町8丁目7-4 パークサイド908	1976-11-10	2023-02-26 01:55:33+09
81479554	三浦直樹	\N	n_miura@example.co.jp	０８０－２２３６－７０５９	327-4277	愛知県名古屋市中村区 富士見2丁目19-9	1941-01-26	2023-12-11 20:08:41+09
88344445	田中恵子	\N	tanakakeiko15@example.co.jp	０８０－１９９３－３０６７	615-8721	香川県高松市 桜台3-7-13	1946-09-14	2023-08-30 15:59:05+09
98453508	石井さくら	\N	sakura.ishii@example.com	090-4539-0994	755-7127	神奈川県横浜市港北区 神田９丁目１番９号	1984-02-07	2023-04-22 13:50:41+09
64749614	岡本 由美	オカモト ユミ	yumi+shop@example.jp	075-766-4263	471-3033	茨城県水戸市 東町４丁目２番９号 グランメゾン809	1980-03-18	2023-11-20 14:46:48+09
11127919	木村 浩二	\N	koji+shop@mail.example.ne.jp	080 4881 4969	982-5121	新潟県新潟市中央区 富士見2丁目22-10 コーポ山田202	2002-10-08	2023-01-15 22:18:30+09
82147345	森 結衣	\N	moriyui93@example.co.jp	090-9933-4165	142-8613	茨城県水戸市 本町３丁目５番９号	1949-11-19	2023-09-06 08:57:48+09
42634355	藤田 蓮	フジタ レン	ren+shop@example.org	+81-82-240-1209	217-5728	福岡県福岡市博多区 若葉２丁目１５番１２号 メゾン桜406	1982-09-18	2023-01-16 09:07:05+09
62369470	遠藤彩	エンドウ アヤ	a_endo@example.com	080(5326)5649	473-2950	茨城県水戸市 旭町9丁目19-5	2004-09-20	2023-08-13 04:59:01+09
19123534	加藤 直樹	\N	katonaoki62@example.co.jp	09013076480	328-6550	広島県広島市中区 西新町２丁目６番１５号 サンハイツ111	1993-02-28	2023-11-20 20:35:15+09
56862502	斎藤太郎	\N	taro+shop@example.jp	080-8773-7799	023-0103	滋賀県大津市 若葉5丁目6-7 ハイツ緑102	1995-10-28	2024-01-01 04:59:09+09
85177288	藤井　美咲	フジイ ミサキ	fujiimisaki13@example.org	070 7392 9104	232-2522	山梨県甲府市 旭町4-15-15	1956-11-20	2023-02-28 00:56:32+09
\.

INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1366059985, 86782597, '20241204-449195', '893638930147', 17000, '2023-09-17 01:52:35+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1358885596, 30891519, '1547177483', '852383198649', 10380, '2023-01-31 01:08:24+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1407435107, 82091950, '20241015-069220', '658934122688', 30000, '2024-01-03 20:40:29+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1227199566, 82128589, '1339375972', '998329211847', 5580, '2023-01-27 00:59:04+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1560902684, 15417184, '1363444839', '843531011385', 23300, '2023-02-10 18:38:20+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1975874135, 27279058, '20240111-162446', '202002749867', 3600, '2023-09-20 22:37:20+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1587166549, 37840888, '20240612-172873', '531366620935', 16680, '2023-12-08 20:21:50+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1437049460, 12956060, '20240408-716226', '147556052678', 2900, '2023-12-07 18:50:19+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1940584925, 24242814, 'ORD-2023-54684', '324842986634', 1480, '2023-01-20 19:55:33+09');
INSERT INTO public.orders (id, customer_id, order_no, tracking_no, total, ordered_at) VALUES (1582498776, 34509114, '20241009-114360', '385908451299', 12880, '2023-10-13 06:01:08+09');

--
-- PostgreSQL database dump complete
--
