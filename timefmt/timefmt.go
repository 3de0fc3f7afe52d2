// Package timefmt is the one place that says how Borgerkiosk shows a moment
// to a person: in one time zone, taken from the kiosk's and central's
// config (default Europe/Copenhagen), as a date or a date and time, in
// Danish or English. Screens, receipts, the staff screen and the handover
// pages all format through a Zone, so paper and screen never disagree.
//
// The zone database is embedded (time/tzdata): a kiosk image without
// /usr/share/zoneinfo still shows Danish time, and a machine whose own zone
// (TZ, /etc/localtime) is UTC changes nothing.
package timefmt

import (
	"fmt"
	"time"
	_ "time/tzdata" // kiosk images may lack /usr/share/zoneinfo

	bk "github.com/borgerkiosk/borgerkiosk"
)

// DefaultZone is the zone used when the config names none.
const DefaultZone = "Europe/Copenhagen"

// Zone formats moments in one location. The zero Zone is DefaultZone.
type Zone struct{ loc *time.Location }

// Load returns the zone named by an IANA name ("Europe/Copenhagen"); ""
// is DefaultZone. "Local" is refused: the machine's zone is what this
// package exists to ignore.
func Load(name string) (Zone, error) {
	if name == "" {
		name = DefaultZone
	}
	if name == "Local" {
		return Zone{}, bk.Errorf(bk.EInvalid, "time zone %q: name a zone such as %s, not the machine's own", name, DefaultZone)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Zone{}, bk.Errorf(bk.EInvalid, "time zone %q is not a known zone name (for example %s)", name, DefaultZone)
	}
	return Zone{loc: loc}, nil
}

// Default returns DefaultZone.
func Default() Zone { return Zone{} }

var defaultLoc = func() *time.Location {
	loc, err := time.LoadLocation(DefaultZone)
	if err != nil { // cannot happen with time/tzdata embedded
		panic(err)
	}
	return loc
}()

// Location returns the zone's location.
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return defaultLoc
	}
	return z.loc
}

// String returns the zone's name.
func (z Zone) String() string { return z.Location().String() }

// In returns t in the zone.
func (z Zone) In(t time.Time) time.Time { return t.In(z.Location()) }

var months = [...]string{"", "January", "February", "March", "April", "May", "June",
	"July", "August", "September", "October", "November", "December"}

var monthsDA = [...]string{"", "januar", "februar", "marts", "april", "maj", "juni",
	"juli", "august", "september", "oktober", "november", "december"}

// Date is the calendar day of t in the zone, in words: "26. november 2026"
// or "26 November 2026". Every date a person reads (screens, receipts,
// e-mails, the phone page) is written this one way: "26.11.2026" beside
// "2. marts 2028" on the next screen makes a reader stop and compare.
func (z Zone) Date(t time.Time, lang string) string {
	t = z.In(t)
	return day(t, lang) + fmt.Sprintf(" %d", t.Year())
}

// day is "26. november" or "26 November".
func day(t time.Time, lang string) string {
	if lang == "en" {
		return fmt.Sprintf("%d %s", t.Day(), months[t.Month()])
	}
	return fmt.Sprintf("%d. %s", t.Day(), monthsDA[t.Month()])
}

// Day is the calendar day of t in the zone as words, for a sentence:
// "3. december" or "3 December", with the year when it is not now's
// ("3. december 2025").
func (z Zone) Day(t, now time.Time, lang string) string {
	t = z.In(t)
	if t.Year() != z.In(now).Year() {
		return z.Date(t, lang)
	}
	return day(t, lang)
}

// DateTime is t in the zone to the minute: "26. november 2026 kl. 14.05"
// or "26 November 2026, 14:05".
func (z Zone) DateTime(t time.Time, lang string) string {
	t = z.In(t)
	if lang == "en" {
		return fmt.Sprintf("%s, %02d:%02d", z.Date(t, lang), t.Hour(), t.Minute())
	}
	return fmt.Sprintf("%s kl. %02d.%02d", z.Date(t, lang), t.Hour(), t.Minute())
}

// End says when something ending at t ends, in the words a person reads it
// by: an end at midnight in the zone is the last whole day "through" ("til
// og med"), so that 1 December 00:00 does not read as if 1 December were
// included; any other end is a date and time.
func (z Zone) End(t time.Time, lang string) (through bool, s string) {
	l := z.In(t)
	if l.Hour() == 0 && l.Minute() == 0 && l.Second() == 0 {
		return true, z.Date(l.AddDate(0, 0, -1), lang)
	}
	return false, z.DateTime(t, lang)
}

// LastDay is the last day something ending at t is in force, for short
// listings.
func (z Zone) LastDay(t time.Time, lang string) string {
	if through, s := z.End(t, lang); through {
		return s
	}
	return z.Date(t, lang)
}
