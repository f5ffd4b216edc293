// Command kinko-corpus writes the labelled corpus the scanner's quality test and benchmarks
// use (see internal/scan/corpusgen):
//
//	kinko-corpus -out testdata/scan/corpus -labels testdata/scan/corpus.labels.tsv
//	kinko-corpus -out /tmp/kinko-corpus -size 600MB
//	kinko-corpus -out /tmp/kinko-big -size 300MB -only app.log
package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/kinko-jp/kinko/internal/scan/corpusgen"
)

func main() {
	out := flag.String("out", "", "output `folder` (required)")
	size := flag.String("size", "", "approximate total `size`, e.g. 320KB, 600MB (default the committed corpus's size)")
	labels := flag.String("labels", "", "write the labels to this `file`, one per line as tab-separated path, type, start and end (byte offsets)")
	seed := flag.Uint64("seed", 1, "random `seed`; the same seed gives the same bytes")
	only := flag.String("only", "", "generate only this `file` of the corpus, at the full size ("+strings.Join(corpusgen.FileNames(), ", ")+")")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		flag.Usage()
		os.Exit(2)
	}
	n, err := parseSize(*size)
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinko-corpus: -size:", err)
		os.Exit(2)
	}
	ls, err := corpusgen.Generate(corpusgen.Config{Dir: *out, Size: n, Seed: *seed, Only: *only, Labels: *labels != ""})
	if err != nil {
		fmt.Fprintln(os.Stderr, "kinko-corpus:", err)
		os.Exit(1)
	}
	if *labels != "" {
		if err := corpusgen.WriteLabels(*labels, ls); err != nil {
			fmt.Fprintln(os.Stderr, "kinko-corpus:", err)
			os.Exit(1)
		}
	}
}

func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, nil
	}
	mult := int64(1)
	u := strings.ToUpper(s)
	for _, x := range []struct {
		suf string
		m   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, x.suf) {
			mult, u = x.m, strings.TrimSuffix(u, x.suf)
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size like 600MB", s)
	}
	return n * mult, nil
}
