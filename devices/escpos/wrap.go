package escpos

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Wrap breaks s into lines of at most cols characters, breaking at spaces.
// Runs of spaces collapse to one; a word longer than a line is split. Each
// newline in s starts a new line, so "a\n\nb" keeps its empty line. Width is
// counted in characters, which is right for the single-byte code pages a
// receipt printer uses.
func Wrap(s string, cols int) []string {
	if cols < 1 {
		cols = 1
	}
	s = norm.NFC.String(strings.ReplaceAll(s, "\r\n", "\n"))
	var out []string
	for _, para := range strings.Split(s, "\n") {
		out = append(out, wrapParagraph(para, cols)...)
	}
	return out
}

func wrapParagraph(p string, cols int) []string {
	words := strings.Fields(p)
	if len(words) == 0 {
		return []string{""}
	}
	var lines []string
	var cur strings.Builder
	n := 0 // runes in cur
	for _, w := range words {
		wn := utf8.RuneCountInString(w)
		if n > 0 && n+1+wn <= cols {
			cur.WriteByte(' ')
			cur.WriteString(w)
			n += 1 + wn
			continue
		}
		if n > 0 {
			lines = append(lines, cur.String())
			cur.Reset()
			n = 0
		}
		for wn > cols { // split an over-long word (a URL, a long name)
			i := byteIndexOfRune(w, cols)
			lines = append(lines, w[:i])
			w = w[i:]
			wn -= cols
		}
		cur.WriteString(w)
		n = wn
	}
	return append(lines, cur.String())
}

// byteIndexOfRune returns the byte offset of the n-th rune of s.
func byteIndexOfRune(s string, n int) int {
	i := 0
	for j := range s {
		if i == n {
			return j
		}
		i++
	}
	return len(s)
}
