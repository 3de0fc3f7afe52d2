package speech

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// Words rewrites text written for the eye into text for the ear, in lang:
// "15.12.2026 20:00" becomes "15. december klokken 20" ("15 December at
// 8 pm"), a masked CPR number "010180-xxxx" becomes the birth date it holds
// ("født 1. januar 1980"), and ids (UUIDs) are left out. A read-out
// "femten punktum tolv punktum" helps nobody, nor do "x x x x" or forty
// hex digits. The year is left out when it is now's.
//
// Every text the kiosk speaks goes through Words (ui's say), so a screen or
// receipt that prints dates as digits is still heard as words.
func Words(lang i18n.Lang, text string, now time.Time) string {
	w := words{en: lang == i18n.English, year: now.Year()}
	text = uuidRE.ReplaceAllString(text, "")
	text = enDateTimeRE.ReplaceAllStringFunc(text, func(m string) string {
		p := enDateTimeRE.FindStringSubmatch(m)
		return w.date(atoi(p[1]), monthNumber(p[2]), atoi(p[3])) + w.at(atoi(p[4]), atoi(p[5]))
	})
	text = wordDateRE.ReplaceAllStringFunc(text, func(m string) string {
		p := wordDateRE.FindStringSubmatch(m)
		month := monthNumber(p[2])
		if month == 0 {
			month = monthNumberDA(p[2])
		}
		s := w.date(atoi(p[1]), month, atoi(p[3]))
		if p[4] != "" {
			s += w.at(atoi(p[4]), atoi(p[5]))
		}
		return s
	})
	text = dateTimeRE.ReplaceAllStringFunc(text, func(m string) string {
		p := dateTimeRE.FindStringSubmatch(m)
		return p[1] + w.date(atoi(p[2]), atoi(p[3]), atoi(p[4])) + w.at(atoi(p[5]), atoi(p[6]))
	})
	text = dateRE.ReplaceAllStringFunc(text, func(m string) string {
		p := dateRE.FindStringSubmatch(m)
		return p[1] + w.date(atoi(p[2]), atoi(p[3]), atoi(p[4]))
	})
	text = cprRE.ReplaceAllStringFunc(text, func(m string) string {
		p := cprRE.FindStringSubmatch(m)
		return w.born(atoi(p[1]), atoi(p[2]), atoi(p[3]), now)
	})
	text = strings.ReplaceAll(text, "xxxx", "")
	text = strings.ReplaceAll(text, "()", "")
	return strings.Join(strings.Fields(text), " ")
}

var (
	uuidRE = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// 26 November 2026, 14:05 (English receipts).
	enDateTimeRE = regexp.MustCompile(`\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December) (\d{4}), (\d{1,2}):(\d{2})\b`)
	// 26. november 2026 kl. 14.05 and 26 November 2026 (timefmt's words):
	// the year goes when it is now's, "kl. 14.05" is said as a time.
	wordDateRE = regexp.MustCompile(`\b(\d{1,2})\.? (januar|februar|marts|april|maj|juni|juli|august|september|oktober|november|december|January|February|March|April|May|June|July|August|September|October|November|December) (\d{4})(?:,? (?:kl\. )?(\d{1,2})[:.](\d{2})\b)?`)
	// 26.11.2026 14:05 (screens), 26.11.2026 kl. 14.05 (Danish receipts);
	// a "kl." in front ("kl. 26.11.2026 14:05") goes, since "klokken" follows.
	dateTimeRE = regexp.MustCompile(`(^|[^\d.])(?:kl\. )?(\d{2})\.(\d{2})\.(\d{4}),? (?:kl\. )?(\d{1,2})[:.](\d{2})\b`)
	dateRE     = regexp.MustCompile(`(^|[^\d.])(\d{2})\.(\d{2})\.(\d{4})\b`)
	// A masked CPR number with what introduces it: "CPR 010180-xxxx",
	// "CPR: 010180-xxxx", "med CPR-nummer 010180-xxxx", "(010180-xxxx)".
	cprRE = regexp.MustCompile(`(?:(?:med |with )?CPR(?:-nummer| number)?:? )?\b(\d{2})(\d{2})(\d{2})-xxxx`)
)

var monthsDA = [...]string{"", "januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september",
	"oktober", "november", "december"}

var monthsEN = [...]string{"", "January", "February", "March", "April", "May", "June", "July", "August", "September",
	"October", "November", "December"}

func monthNumber(name string) int {
	for i, m := range monthsEN {
		if m == name {
			return i
		}
	}
	return 0
}

func monthNumberDA(name string) int {
	for i, m := range monthsDA {
		if m == name {
			return i
		}
	}
	return 0
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

type words struct {
	en   bool
	year int
}

// date is "15. december 2026" or "15 December 2026", the year left out
// when it is this year's; a date that is no date is read digit group by
// digit group rather than guessed at.
func (w words) date(d, m, y int) string {
	if m < 1 || m > 12 || d < 1 || d > 31 {
		return fmt.Sprintf("%d %d %d", d, m, y)
	}
	var s string
	if w.en {
		s = fmt.Sprintf("%d %s", d, monthsEN[m])
	} else {
		s = fmt.Sprintf("%d. %s", d, monthsDA[m])
	}
	if y != w.year {
		s += " " + strconv.Itoa(y)
	}
	return s
}

// at is " klokken 20", " klokken 14:05" (espeak-ng says "fjorten nul
// fem", not "punktum"), or " at 8 pm", " at 2:05 pm".
func (w words) at(h, m int) string {
	if !w.en {
		if m == 0 {
			return fmt.Sprintf(" klokken %d", h)
		}
		return fmt.Sprintf(" klokken %d:%02d", h, m)
	}
	suffix := "am"
	if h >= 12 {
		suffix = "pm"
	}
	h12 := h % 12
	if h12 == 0 {
		h12 = 12
	}
	if m == 0 {
		return fmt.Sprintf(" at %d %s", h12, suffix)
	}
	return fmt.Sprintf(" at %d:%02d %s", h12, m, suffix)
}

// born reads a masked CPR number as its birth date. The digit that gives
// the century is among the masked ones; everyone the kiosk names by CPR
// number is at least 15 (the youngest who may give consent), so the
// century is the one that makes the person 15 to 114 years old.
func (w words) born(d, m, yy int, now time.Time) string {
	y := 2000 + yy
	if y > now.Year()-15 {
		y -= 100
	}
	if time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Day() != d || m < 1 || m > 12 {
		if w.en {
			return "a CPR number"
		}
		return "et CPR-nummer"
	}
	w.year = 0 // a birth date always has its year
	if w.en {
		return "born " + w.date(d, m, y)
	}
	return "født " + w.date(d, m, y)
}
