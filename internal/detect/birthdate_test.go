package detect

import "testing"

func TestBirthDate(t *testing.T) {
	runDetCases(t, BirthDate, []detCase{
		{"label slash", "", "生年月日：1985/4/1", []string{"1985/4/1"}},
		{"label with era note", "", "生年月日（西暦）1985/4/1", []string{"1985/4/1"}},
		{"label iso", "", "生年月日 1985-04-01", []string{"1985-04-01"}},
		{"label kanji", "", "誕生日は1985年4月1日です", []string{"1985年4月1日"}},
		{"showa", "", "生年月日：昭和60年4月1日", []string{"昭和60年4月1日"}},
		{"heisei gannen", "", "生年月日 平成元年1月8日", []string{"平成元年1月8日"}},
		{"era letter", "", "DOB: S60.4.1", []string{"S60.4.1"}},
		{"era letter slash", "", "birthday=H2/3/4", []string{"H2/3/4"}},
		{"era letter full-width slash", "", "birthday=H2／3／4", []string{"H2／3／4"}},
		{"era letter dash", "", "DOB: S60-4-1", []string{"S60-4-1"}},
		{"era after a blank", "", "生年月日：昭和 60年4月1日", []string{"昭和 60年4月1日"}},
		{"gannen month", "", "生年月日：平成元年12月8日", []string{"平成元年12月8日"}},
		{"born suffix", "", "1990年12月31日生まれ", []string{"1990年12月31日"}},
		{"json key", "", `{"birth_date":"1985-04-01"}`, []string{"1985-04-01"}},
		{"column", "birthday", "1985/04/01", []string{"1985/04/01"}},
		{"column compact", "dob", "19850401", []string{"19850401"}},
		{"column full-width", "生年月日", "１９８５年４月１日", []string{"１９８５年４月１日"}},
		{"leap day", "birth_date", "2000-02-29", []string{"2000-02-29"}},
		// hard negatives
		{"no context", "", "1985/4/1", nil},
		{"order date", "order_date", "2024-11-25", nil},
		{"created label", "", "作成日 2024/11/25", nil},
		{"log timestamp", "", "2024-11-25T12:34:56Z GET /", nil},
		// an era letter or a blank before one or two digits that go on with ':' or ','
		{"time after an era letter", "birth_date", "S12:30", nil},
		{"time after an era letter and a blank", "birth_date", "S 12:30", nil},
		{"count after an era letter", "birth_date", "H2,3,4", nil},
		{"no such day", "birth_date", "1985-02-30", nil},
		{"not leap", "birth_date", "1900-02-29", nil},
		{"month 13", "birth_date", "1985/13/01", nil},
		{"showa 65", "birth_date", "昭和65年1月1日", nil},
		{"mixed separators", "birth_date", "1985/04-01", nil},
		{"year too old", "birth_date", "1850-01-01", nil},
		{"version", "", "birthday v1985.4.1a", nil},
		{"label for another value", "", "生年月日：未登録 最終ログイン 2024/11/25", nil},
		{"label then other words", "", "誕生日クーポン配布日 2024/11/25", nil},
	})
}

func FuzzBirthDate(f *testing.F) {
	fuzzDetector(f, BirthDate, []string{
		"生年月日：昭和60年4月1日", "平成元年1月8日生まれ", "S60.4.1", "birth=19850401", "元年", "令和", "生年月日 1985年",
	})
}
