package detect

// One reading of the digit groups that start at a digit run, shared by the card, My
// Number, phone and postal parsers. Each of them used to read the run and the groups after
// it again, digit by digit through digitAt and separator by separator through sepAt, and a
// run of three, four, twelve or thirteen digits is asked by two or three of them
// ("090-…" by phone and postal, "4111 …" by card and My Number). The engine now reads
// the groups once per run, in a small struct on its stack, and each parser applies its own
// rules (which separators it accepts, how many digits, mixing) to what was read.
//
// Few runs are asked by more than one parser, so what this saves is less the second
// reading than the way of reading: the first group is the run the engine has counted,
// the others are counted by a byte loop like the engine's, and the digits' values are read
// (digits) only for a number whose shape a parser accepted, and only as many as it checks
// (four for a phone number).

// maxGroups is the most groups any parser reads: a card's 4-4-4-4-3.
const maxGroups = maxCardGroups

// groupSep is the separator after a group, as sepAt reads it (its kind, rune and
// width); k is sepNone unless a digit follows it (every parser treats a separator
// with no digit after as the end).
type groupSep struct {
	r rune
	k sepKind
	w uint8
}

// digitGroups is what readGroups read at a digit run: up to maxGroups groups of
// digits joined by one separator each (any of sepAt's; the parsers check kinds and
// mixing), as long as the digits before a group number at most maxCardDigits (no
// parser reads a group after 19 digits).
type digitGroups struct {
	// ng groups were read; lens[g] is group g's digit count (the whole run), ends[g]
	// the offset after it, seps[g] the separator after it (read for the last group too:
	// the card parser rejects a dash chain that goes on). Entries past ng are zero.
	ng   int
	lens [maxGroups]int
	ends [maxGroups]int
	seps [maxGroups]groupSep
}

// readGroups reads the digit groups that start at the digit run s[p:end] of n digits
// (the engine has counted it) into g, which must be zero.
func (g *digitGroups) readGroups(s string, p, n, end int) {
	g.lens[0], g.ends[0], g.ng = n, end, 1
	total := n
	for i := end; i < len(s); {
		// The separator: the ASCII ones here, the multi-byte ones through sepAt.
		var sep groupSep
		switch c := s[i]; {
		case c == '-':
			sep = groupSep{r: '-', k: sepHyphen, w: 1}
		case c == ' ':
			sep = groupSep{r: ' ', k: sepSpace, w: 1}
		case c >= 0xE2:
			k, r, w := sepAt(s, i)
			if k == sepNone {
				return
			}
			sep = groupSep{r: r, k: k, w: uint8(w)}
		default:
			return
		}
		// The next group: ASCII digits inline, as the engine counts a run, and
		// full-width ones (EF BC 90..99).
		j := i + int(sep.w)
		n = 0
		for {
			a := j
			// (Unsigned, and j < len(s)-2: the compiler then checks no bound of s[j…j+2].)
			for uint(j) < uint(len(s)) && s[j]-'0' < 10 {
				j++
			}
			n += j - a
			if j >= 0 && j < len(s)-2 && s[j] == fwLead && s[j+1] == fwMid && s[j+2]-fwDigit0 < 10 {
				j += 3
				n++
				continue
			}
			break
		}
		if n == 0 {
			return
		}
		g.seps[g.ng-1] = sep
		// No parser reads a sixth group, or a group after 19 digits.
		if g.ng == maxGroups || total > maxCardDigits {
			return
		}
		g.lens[g.ng], g.ends[g.ng] = n, j
		g.ng++
		total += n
		i = j
	}
}

// readGroupsAt is readGroups for a digit run at p not counted yet.
func (g *digitGroups) readGroupsAt(s string, p int) {
	n, i := 0, p
	for {
		_, w := digitAt(s, i)
		if w == 0 {
			break
		}
		i += w
		n++
	}
	g.readGroups(s, p, n, i)
}

// digits fills d with the values of the first len(d) digits of the groups read at p
// (all of them when they are fewer) and returns how many it filled.
func (g *digitGroups) digits(s string, p int, d []byte) int {
	nd, i := 0, p
	for k := 0; k < g.ng && nd < len(d); k++ {
		end := g.ends[k]
		if end-i == g.lens[k] {
			// ASCII: the group's bytes are its digits.
			src := s[i:end]
			if len(src) > len(d)-nd {
				src = src[:len(d)-nd]
			}
			dst := d[nd : nd+len(src)]
			for x := range dst {
				dst[x] = src[x] - '0'
			}
			nd += len(src)
		} else {
			// ASCII digits and full-width ones (EF BC 90..99), the only bytes of a group.
			for i < end && nd < len(d) {
				v := s[i] - '0'
				if v < 10 {
					i++
				} else {
					v = s[i+2] - fwDigit0
					i += 3
				}
				d[nd] = v
				nd++
			}
		}
		i = end + int(g.seps[k].w)
	}
	return nd
}
