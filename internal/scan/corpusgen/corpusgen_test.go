package corpusgen

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestMyNumberCheck(t *testing.T) {
	cases := []struct {
		name, d11 string
		want      int
	}{
		{"published example 123456789018", "12345678901", 8},
		{"all zeros (remainder 0 gives 0)", "00000000000", 0},
		{"weight 2 on the last digit", "00000000001", 9},     // 1*2 = 2 → 11-2
		{"weight 3 on the 2nd from right", "00000000050", 7}, // 5*3 = 15 → 4 → 7
		{"remainder 1 gives 0", "00000000006", 0},            // 6*2 = 12 → 1 → 0
		{"weight 2 again at the 7th", "00001000000", 9},      // n=7 weighs 2
	}
	for _, c := range cases {
		if got := MyNumberCheck(c.d11); got != c.want {
			t.Errorf("%s: check digit %d, want %d", c.name, got, c.want)
		}
	}
}

// TestCommittedCorpusIsFresh regenerates the small corpus and compares it with the one in
// testdata, so the labels can never drift from the files they describe.
func TestCommittedCorpusIsFresh(t *testing.T) {
	root := filepath.Join("..", "..", "..", "testdata", "scan")
	dir := t.TempDir()
	labels, err := Generate(Config{Dir: dir, Seed: 1, Labels: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range FileNames() {
		got, _ := os.ReadFile(filepath.Join(dir, name))
		want, err := os.ReadFile(filepath.Join(root, "corpus", name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s differs from the generator's output; run: go run ./cmd/kinko-corpus -out testdata/scan/corpus -labels testdata/scan/corpus.labels.tsv", name)
		}
	}
	lp := filepath.Join(dir, "labels.tsv")
	if err := WriteLabels(lp, labels); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(lp)
	want, _ := os.ReadFile(filepath.Join(root, "corpus.labels.tsv"))
	if !bytes.Equal(got, want) {
		t.Errorf("corpus.labels.tsv differs from the generator's output")
	}
	back, err := ReadLabels(lp)
	if err != nil || len(back) != len(labels) {
		t.Errorf("labels do not read back")
	}
}

// TestLabelsCoverEveryPrefectureAndType: the corpus promises all 47 prefectures and every type.
func TestLabelsCoverEveryPrefectureAndType(t *testing.T) {
	if len(prefectures) != 47 {
		t.Fatalf("%d prefectures, want 47", len(prefectures))
	}
	dir := t.TempDir()
	labels, err := Generate(Config{Dir: dir, Seed: 1, Labels: true})
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]int{}
	seen := map[string]bool{}
	data := map[string][]byte{}
	for _, l := range labels {
		types[l.Type]++
		if l.Type != tAddress || filepath.Ext(l.Path) == ".gz" || l.Path == "customers_sjis.csv" {
			continue
		}
		if data[l.Path] == nil {
			data[l.Path], _ = os.ReadFile(filepath.Join(dir, l.Path))
		}
		v := data[l.Path][l.Start:l.End]
		for _, p := range prefectures {
			if bytes.HasPrefix(v, []byte(p[0])) {
				seen[p[0]] = true
			}
		}
	}
	for _, typ := range []string{tCard, tMyNum, tEmail, tPhone, tPostal, tAddress, tBirth, tName} {
		if types[typ] < 200 {
			t.Errorf("only %d labels of %s; the 0.995 targets need at least 200", types[typ], typ)
		}
	}
	if len(seen) != 47 {
		t.Errorf("addresses cover %d prefectures, want 47", len(seen))
	}
}
