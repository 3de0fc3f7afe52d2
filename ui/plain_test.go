package ui_test

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/internal/fixture"
	"github.com/borgerkiosk/borgerkiosk/ui/fake"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
	"github.com/borgerkiosk/borgerkiosk/ui/uitest"
)

// maxLIX and lixScore are the root's (bk.LIX), which messages use too.
const maxLIX = bk.MaxLIX

var lixScore = bk.LIX

func TestLIXScore(t *testing.T) {
	for _, tt := range []struct {
		texts []string
		want  float64
	}{
		{nil, 0},
		{[]string{"Sæt dit kort i."}, 4}, // 4 words, 1 sentence, no long word
		{[]string{"Fuldmagter", "Tilbage"}, 1 + 100*2/2.0},                // two units, both long
		{[]string{"Hej. Du kan se dine samtykker her."}, 3.5 + 100*1/7.0}, // "samtykker"
		{[]string{"1", "2", "−"}, 0},                                      // keypad keys are no words
		{[]string{"Lydstyrke 50 %"}, 2 + 100*1/2.0},                       // digits are a word, "%" is not
	} {
		if got, _, _, _ := lixScore(tt.texts); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("lixScore(%q) = %.2f; want %.2f", tt.texts, got, tt.want)
		}
	}
}

// screenTexts returns the text units a person sees on the window: the
// text of each label, button and heading (not its wrapped lines one by one)
// and any other visible text.
func screenTexts(w fyne.Window) []string {
	var out []string
	add := func(s string) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, strings.Join(strings.Fields(s), " "))
		}
	}
	objs := append([]fyne.CanvasObject{w.Canvas().Content()}, w.Canvas().Overlays().List()...)
	for _, o := range objs {
		uitest.Walk(o, func(o fyne.CanvasObject, _ fyne.Position) bool {
			switch v := o.(type) {
			case *widget.Label:
				add(v.Text)
			case *widget.Button:
				add(v.Text)
			case *widget.RichText:
				// A block segment is a line of its own (a tile's title and
				// the line under it); inline ones run on in one sentence.
				line := ""
				for _, seg := range v.Segments {
					line += seg.Textual()
					if seg.Inline() {
						continue
					}
					add(line)
					line = ""
				}
				add(line)
			case *canvas.Text:
				add(v.Text)
			default:
				return true
			}
			return false
		})
	}
	return out
}

var digitDate = regexp.MustCompile(`\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b`)

// TestLIXOfEveryDanishScreen keeps every Danish screen easy to read, each
// sentence said once, every date in words and no header button named as a
// button of the screen. Run
// with -v to see each screen's index (docs/accessibility.md lists them).
func TestLIXOfEveryDanishScreen(t *testing.T) {
	var report []string
	for _, v := range visits {
		t.Run(v.screen, func(t *testing.T) {
			h := goTo(t, v, i18n.Danish, theme.Settings{})
			texts := screenTexts(h.w)
			score, words, sentences, long := lixScore(texts)
			report = append(report, fmt.Sprintf("| %s | %.0f | %d | %d | %d |", v.screen, score, words, sentences, long))
			seen := map[string]bool{}
			for _, s := range texts {
				// One date style for people (timefmt's, in words): "14.03.2026"
				// on one screen and "2. marts 2028" on the next make a reader
				// stop and compare.
				if m := digitDate.FindString(s); m != "" {
					t.Errorf("%q writes a date as digits (%q); want timefmt's words", s, m)
				}
				// A sentence said twice ("Du har ingen fuldmagter.") is noise.
				if strings.HasSuffix(s, ".") && seen[s] {
					t.Errorf("%q is shown twice", s)
				}
				seen[s] = true
			}
			// A header button and a bar button with one name ("Afbryd"
			// twice) leave a person guessing which to press.
			ids := h.u.ButtonIDs()
			for _, c := range ids {
				if c != "logout" && c != "read" && c != "display" && !strings.HasPrefix(c, "lang.") {
					continue
				}
				for _, o := range ids {
					if o != c && h.u.Button(o).Text == h.u.Button(c).Text {
						t.Errorf("the header's %q and the screen's %q are both called %q", c, o, h.u.Button(c).Text)
					}
				}
			}
			if score > maxLIX {
				t.Errorf("LIX = %.1f (%d words, %d sentences, %d long); want ≤ %d. Text:\n%s",
					score, words, sentences, long, maxLIX, strings.Join(texts, "\n"))
			}
		})
	}
	t.Logf("LIX per screen:\n| screen | LIX | words | sentences | long words |\n%s", strings.Join(report, "\n"))
}

// TestScopesNameNoOwner: the areas of a power of attorney are read by the
// one who gives it and the one who gets it; their words say neither "my"
// nor "your", and the screens say whose they are.
func TestScopesNameNoOwner(t *testing.T) {
	for _, c := range []*bk.Catalogue{fake.New(time.Now).Catalogue(), fixture.Catalogue()} {
		for _, s := range c.Scopes {
			for _, text := range []string{s.Description.DA, s.Description.EN, s.Name.DA, s.Name.EN} {
				if w := fixture.OwnerWords(text); len(w) > 0 {
					t.Errorf("scope %q: %q names an owner %q", s.ID, text, w)
				}
			}
		}
	}
	h := goTo(t, visitTo(t, "handover_decision"), i18n.Danish, theme.Settings{})
	h.wantText("Du må gøre dette for Karen Hansen:")
}

// TestLegalBasisBehindReadMore: the legal basis of a request is one tap
// away, not on every card, and is read aloud when shown.
func TestLegalBasisBehindReadMore(t *testing.T) {
	h := newHarness(t)
	id := h.k.AddConsentRequest(karenCPR, "kobenhavn", purpose, []string{"income"}, 365)
	h.signIn(h.karen, pin)
	h.tap("home.consents")
	basis := h.T("consent.legal_basis", nil) + ": Dit samtykke"
	h.wantNoText(basis)
	h.wantText("Hvis du siger ja, gælder det i 1 år.")
	h.tap("toggle.read")
	n := len(h.sp.Utterances())
	h.tap("consent.more." + id)
	h.wantText(basis)
	if got := saidText(said(h, n)); !strings.Contains(got, basis) {
		t.Errorf("read aloud %q; want the legal basis %q", got, basis)
	}
	assertTapTargets(t, h)
}

// unspeakable is what must never reach the voice: dates as digits with
// dots ("femten punktum tolv"), a time as "kl. 14.05" ("fjorten punktum
// nul fem"), masked digits, UUIDs and bare hex ids.
var unspeakable = regexp.MustCompile(`\d{1,2}\.\d{1,2}\.\d{2,4}|kl\. \d{1,2}\.\d{2}|xxxx|(?i)[0-9a-f]{8}-[0-9a-f]{4}|\b[0-9a-f]{8}\b`)

// TestEveryScreenIsSaidInWords switches read-aloud on at every screen, in
// both languages, and checks all that is sent to the voice (the screen and
// its receipt) is words: no dotted dates, no "xxxx", no ids; that each
// screen has something to say in each language, different in the two, and
// never a PIN or a full CPR number. (One visit a language serves both
// checks: the screens are many, and each visit is a journey.)
func TestEveryScreenIsSaidInWords(t *testing.T) {
	for _, v := range visits {
		t.Run(v.screen, func(t *testing.T) {
			spoken := map[i18n.Lang]string{}
			for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
				h := goTo(t, v, lang, theme.Settings{})
				s := h.u.Spoken()
				spoken[lang] = s
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: the screen has nothing to read aloud", lang)
				}
				if strings.Contains(s, pin) || strings.Contains(s, karenCPR) || strings.Contains(s, peterCPR) {
					t.Errorf("%s: spoken text holds a PIN or a full CPR number: %q", lang, s)
				}
				n := len(h.sp.Utterances())
				h.tap("toggle.read")
				us := said(h, n)
				if len(us) == 0 {
					t.Errorf("%s: nothing was read aloud", lang)
				}
				for _, u := range us {
					if m := unspeakable.FindString(u.Text); m != "" {
						t.Errorf("%s: read aloud %q: holds %q", lang, u.Text, m)
					}
				}
				if r := h.u.SpokenReceipt(); r != "" && !strings.Contains(saidText(us), r) {
					t.Errorf("%s: the receipt %q was not read after the screen", lang, r)
				}
			}
			if spoken[i18n.Danish] == spoken[i18n.English] {
				t.Errorf("spoken text is the same in both languages: %q", spoken[i18n.Danish])
			}
		})
	}
}

// TestWelcomePointsAtTheRightControl keeps the spoken directions to the
// read-aloud button true to the layout, in both languages: it is the
// first button of the top row, in the left corner; a text that calls it
// the large button needs it to be the largest target on the screen.
func TestWelcomePointsAtTheRightControl(t *testing.T) {
	for _, lang := range []i18n.Lang{i18n.Danish, i18n.English} {
		h := goTo(t, visitTo(t, "welcome"), lang, theme.Settings{})
		read := h.u.Button("read")
		rects := map[fyne.CanvasObject]fyne.Position{}
		for _, tp := range uitest.Tappables(h.w.Canvas().Content()) {
			rects[tp.Object] = tp.Position
		}
		rp, ok := rects[read]
		if !ok {
			t.Fatalf("%s: no read-aloud button among the tap targets", lang)
		}
		for o, p := range rects {
			if o == read {
				continue
			}
			if p.Y < rp.Y-1 || (p.Y < rp.Y+read.Size().Height && p.X < rp.X) {
				t.Errorf("%s: %T at %v is higher or further left than the read-aloud button at %v", lang, o, p, rp)
			}
		}
		for _, text := range []string{h.T("chrome.hint", nil), h.T("welcome.speak", nil), h.T("welcome.settings_hint", nil)} {
			if !strings.Contains(text, "venstre") && !strings.Contains(text, "left") {
				t.Errorf("%s: %q does not say where the button is", lang, text)
			}
			if regexp.MustCompile(`(?i)\b(store|største|large|largest|big) (knap|button|read aloud button)`).MatchString(text) {
				area := read.Size().Width * read.Size().Height
				for o := range rects {
					if a := o.Size().Width * o.Size().Height; o != read && a >= area {
						t.Errorf("%s: %q calls the read-aloud button the large one, but %T is as large (%v)", lang, text, o, o.Size())
					}
				}
			}
		}
	}
}
