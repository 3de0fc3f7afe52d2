package ui_test

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

var (
	quotedRE = regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`)
	fieldRE  = regexp.MustCompile(`\{\{[^}]*\}\}`)
	wordRE   = regexp.MustCompile(`\p{L}+`)
)

// catalogueWords returns the lower-case words of every message text of
// lang in ui/i18n/messages (the quoted strings of its TOML files, without
// their {{.Field}} placeholders).
func catalogueWords(t *testing.T, lang i18n.Lang) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("i18n", "messages", "*."+string(lang)+".toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no message files for %s: %v", lang, err)
	}
	words := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(data), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "#") {
				continue
			}
			for _, q := range quotedRE.FindAllStringSubmatch(line, -1) {
				for _, w := range wordRE.FindAllString(fieldRE.ReplaceAllString(q[1], " "), -1) {
					words[strings.ToLower(w)] = true
				}
			}
		}
	}
	return words
}

// onlyIn returns the words of a that b never uses: words that on a screen
// in b's language can only have come from a's messages.
func onlyIn(a, b map[string]bool) map[string]bool {
	out := map[string]bool{}
	for w := range a {
		if !b[w] {
			out[w] = true
		}
	}
	return out
}

// operatorText is what the screens show as the authorities wrote it, in
// one language, so it cannot be translated: the purpose an authority gives
// with a check (seedUsage), shown in the usage log.
var operatorText = []string{"Skat for 2025", "Støtte til bolig"}

// foreignWords returns the words of texts that are in foreign, sorted:
// not counting operatorText, addresses (borgerkiosk.dk/kode,
// karen@mail.dk) and single letters (the keyboards' keys).
func foreignWords(texts []string, foreign map[string]bool) []string {
	set := map[string]bool{}
	for _, s := range texts {
		for _, o := range operatorText {
			s = strings.ReplaceAll(s, o, " ")
		}
		for _, f := range strings.Fields(s) {
			if strings.ContainsAny(f, "/@") {
				s = strings.ReplaceAll(s, f, " ")
			}
		}
		for _, w := range wordRE.FindAllString(s, -1) {
			if len([]rune(w)) > 1 && foreign[strings.ToLower(w)] {
				set[w] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for w := range set {
		out = append(out, w)
	}
	sort.Strings(out)
	return out
}

// TestSwitchedLanguageSaysNoWordOfTheOther reaches every screen in one
// language, switches to the other with the header's button (as a person
// does half way through), and fails if the screen shows or says a word
// that only the first language's messages use: a text translated once
// when it was made and kept, instead of translated when drawn. Words are
// taken from the message files, so names, addresses and numbers never
// count, nor do operatorText, addresses and the keyboards' letters.
func TestSwitchedLanguageSaysNoWordOfTheOther(t *testing.T) {
	da, en := catalogueWords(t, i18n.Danish), catalogueWords(t, i18n.English)
	only := map[i18n.Lang]map[string]bool{i18n.Danish: onlyIn(da, en), i18n.English: onlyIn(en, da)}
	for _, v := range visits {
		t.Run(v.screen, func(t *testing.T) {
			for _, from := range []i18n.Lang{i18n.Danish, i18n.English} {
				to := i18n.English
				if from == i18n.English {
					to = i18n.Danish
				}
				h := goTo(t, v, from, theme.Settings{})
				h.setLang(to)
				h.wantScreen(v.screen)
				if got := foreignWords(screenTexts(h.w), only[from]); len(got) > 0 {
					t.Errorf("%s switched from %s to %s shows %s words %q:\n%s", v.screen, from, to, from, got, strings.Join(screenTexts(h.w), "\n"))
				}
				if got := foreignWords([]string{h.u.Spoken()}, only[from]); len(got) > 0 {
					t.Errorf("%s switched from %s to %s says %s words %q: %q", v.screen, from, to, from, got, h.u.Spoken())
				}
			}
		})
	}
}

// TestWrongPINSaysWhyInTheNewLanguage: the PIN screen's "wrong PIN, n
// tries left" is no visit of its own, so it is switched here.
func TestWrongPINSaysWhyInTheNewLanguage(t *testing.T) {
	only := onlyIn(catalogueWords(t, i18n.Danish), catalogueWords(t, i18n.English))
	h := newHarness(t)
	h.signIn(h.karen, "9999")
	h.wantScreen("pin")
	if h.label("pin.message") == "" {
		t.Fatal("a wrong PIN left no message")
	}
	h.setLang(i18n.English)
	if got := foreignWords(append(screenTexts(h.w), h.u.Spoken()), only); len(got) > 0 {
		t.Errorf("the PIN screen switched to English shows or says Danish words %q: %q", got, h.label("pin.message"))
	}
}
