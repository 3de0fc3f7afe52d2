package borgerkiosk

import (
	"strings"
	"unicode"
)

// MaxLIX is the highest readability index a Danish text for citizens may
// have (screens, messages): below 30 is "very easy" text (children's
// books), which is what a kiosk for everyone, many of them old or new to
// Danish, should be.
const MaxLIX = 30

// LIX is the Danish readability index of texts (Björnsson's LIX): words
// per sentence plus the percentage of long words (more than six letters).
// Each text is a unit (a label, a button, a heading, a paragraph); a unit
// that does not end in . : ! or ? still ends a sentence, as a heading does
// on paper. Units without a letter (the digits of a keypad, "−", "+") are
// left out: they are not read as words.
func LIX(texts []string) (score float64, words, sentences, long int) {
	for _, t := range texts {
		if !strings.ContainsFunc(t, unicode.IsLetter) {
			continue
		}
		open := false // a sentence has words since its last full stop
		for _, f := range strings.Fields(t) {
			letters := 0
			for _, r := range f {
				if unicode.IsLetter(r) {
					letters++
				}
			}
			if letters > 0 || strings.ContainsFunc(f, unicode.IsDigit) {
				words++
				open = true
			}
			if letters > 6 {
				long++
			}
			if open && strings.ContainsAny(f[len(f)-1:], ".:!?") {
				sentences++
				open = false
			}
		}
		if open {
			sentences++
		}
	}
	if words == 0 || sentences == 0 {
		return 0, words, sentences, long
	}
	return float64(words)/float64(sentences) + 100*float64(long)/float64(words), words, sentences, long
}
