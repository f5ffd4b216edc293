package detect

import "strings"

// labelBefore reports whether one of labels ends within window bytes before
// p on the same line, with nothing but separators between the label and p
// ("生年月日：", "個人番号は ", "郵便番号 (半角) "): a label further back,
// followed by other words, labels those words, not the value at p. It walks
// back from p over the gap, checking at each step whether a label ends
// there; it is called for candidates only, never per byte.
func labelBefore(s string, p, window int, labels *labelSet) bool {
	lo := max(p-window, 0)
	q := p
	for q > lo {
		// Most steps end in a byte no label ends with: one bit test instead of a compare
		// per label.
		if c := s[q-1]; labels.last[c>>6]&(1<<(c&63)) != 0 {
			for _, l := range labels.words {
				if q-len(l) >= 0 && s[q-1] == l[len(l)-1] && s[q-len(l):q] == l && !strings.HasSuffix(s[:q-len(l)], maskPrefix) {
					return true
				}
			}
		}
		r, w := runeBefore(s, q)
		if isGapRune(r) {
			q -= w
			continue
		}
		stepped := false
		// (Most bytes end no gap word either: one bit test before the compares.)
		if c := s[q-1]; labelGaps.last[c>>6]&(1<<(c&63)) != 0 {
			for _, g := range labelGaps.words {
				if q-len(g) >= lo && s[q-len(g):q] == g {
					q -= len(g)
					stepped = true
					break
				}
			}
		}
		if !stepped {
			return false
		}
	}
	return false
}

// labelSet is a list of labels with the set of their last bytes.
type labelSet struct {
	words []string
	last  [4]uint64 // bit c: some label ends with byte c
}

func newLabelSet(words ...string) *labelSet {
	l := &labelSet{words: words}
	for _, w := range words {
		c := w[len(w)-1]
		l.last[c>>6] |= 1 << (c & 63)
	}
	return l
}

// maskPrefix starts a mask written by Redact ("[redacted:my_number]"): a
// type name inside a mask is not a label for the number after it, so that
// redacting twice changes nothing.
const maskPrefix = "[redacted:"

// labelGaps are the words that may sit between a label and its value.
var labelGaps = newLabelSet("西暦", "和暦", "半角", "全角", "番号", "は", "が", "の", "年月日")

// isGapRune reports separators and brackets that may sit between a label
// and its value.
func isGapRune(r rune) bool {
	switch r {
	case ' ', '\t', '\u3000', ':', '：', '=', '＝', '"', '\'', '】', '[', ']', '(', ')', '（', '）', '「', '|', '-', '#', '＃', '・':
		return true
	}
	return false
}

// labelAfter reports whether one of labels starts within window bytes after
// p on the same line.
func labelAfter(s string, p, window int, labels []string) bool {
	hi := min(p+window, len(s))
	seg := s[p:hi]
	if i := strings.IndexByte(seg, '\n'); i >= 0 {
		seg = seg[:i]
	}
	for _, l := range labels {
		if strings.Contains(seg, l) {
			return true
		}
	}
	return false
}

// identifierLabels name numbers that are not personal data: order, tracking
// and slip numbers, barcodes, amounts. A number right after one of these is
// that identifier.
var identifierLabels = newLabelSet(
	"注文", "受注", "伝票", "追跡", "問合せ", "問い合わせ", "お問合せ", "配送", "荷物", "JAN", "ＪＡＮ",
	"商品コード", "品番", "型番", "order", "Order", "ORDER", "tracking", "Tracking", "TRACKING",
	"invoice", "Invoice", "sku", "SKU", "barcode", "金額", "合計", "価格", "円", "¥", "￥", "ID", "id:", "No.",
)

// identifierWindow is how far back an identifier label may sit.
const identifierWindow = 32

// negativeLabelBefore reports whether an identifier label sits shortly before p.
func negativeLabelBefore(s string, p int) bool {
	return labelBefore(s, p, identifierWindow, identifierLabels)
}
