package borgerkiosk

import "fmt"

// unit is one unit of time in both kiosk languages, singular and plural.
type unit struct{ da1, daN, en1, enN string }

func (u unit) say(n int, lang string) string {
	switch {
	case lang == "en" && n == 1:
		return fmt.Sprintf("%d %s", n, u.en1)
	case lang == "en":
		return fmt.Sprintf("%d %s", n, u.enN)
	case n == 1:
		return fmt.Sprintf("%d %s", n, u.da1)
	}
	return fmt.Sprintf("%d %s", n, u.daN)
}

var (
	years  = unit{"år", "år", "year", "years"}
	months = unit{"måned", "måneder", "month", "months"}
	weeks  = unit{"uge", "uger", "week", "weeks"}
	days   = unit{"dag", "dage", "day", "days"}
)

// PeriodText says a length of days ("da" or "en") the way people say it:
// "5 år", not "1825 dage". Screens, receipts and speech all use it, so a
// period reads the same everywhere. Whole years are 365 days and whole
// months 30, the way the kiosk offers them (365, 730, 1825; 30, 90, 180);
// anything else is weeks when it divides by 7 and is under a month, else
// days, so no length is ever rounded.
func PeriodText(n int, lang string) string {
	switch {
	case n > 0 && n%365 == 0:
		return years.say(n/365, lang)
	case n > 0 && n%30 == 0:
		return months.say(n/30, lang)
	case n > 0 && n < 30 && n%7 == 0:
		return weeks.say(n/7, lang)
	}
	return days.say(n, lang)
}
