package borgerkiosk

import (
	"encoding/json"
	"log/slog"
	"time"
	_ "time/tzdata" // the rule below must not depend on the machine's zoneinfo
)

// CPR is a Danish personal identification number, DDMMYY-SSSS.
//
// String and LogValue give the masked form DDMMYY-xxxx so that a CPR number
// printed or logged by mistake never shows in full; Full gives all ten digits
// for the places that need them (the wire, the store, a signature).
type CPR struct {
	digits string // exactly ten ASCII digits; "" for the zero value
}

// ParseCPR parses "DDMMYY-SSSS" or "DDMMYYSSSS". The number is valid when its
// date is a real date under the century rule of the seventh digit and that
// date is not after today: a number whose birth date lies in the future has
// not been issued (with a seventh digit of 4 and year 36, the date is 1
// January 2036). Modulus 11 is not checked: numbers without it have been
// issued since 2007.
//
// Where "today" comes from: ParseCPR has no clock of its own; the caller
// passes now, and today is the Danish calendar date of now (Europe/Copenhagen,
// whatever the machine's zone), because the date in a CPR number is a Danish
// date. Callers pass their injected clock: central its Server clock, the kiosk
// its UI/session clock, the tools time.Now. A person born today is valid,
// one born tomorrow is not (ECPRFutureBirth).
//
// Decoding JSON (UnmarshalJSON) and certificates checks form and date only,
// never the clock: stored and signed records must read back whatever the
// reader's clock says (a kiosk that boots with its clock in 1970 must still
// read its outbox). Every place where a number enters from outside — an API
// body, a query, the kiosk's CPR pad, a sign-in, a card being issued — parses
// it with ParseCPR or checks it with CheckBorn.
func ParseCPR(s string, now time.Time) (CPR, error) {
	c, err := parseCPRForm(s)
	if err != nil {
		return CPR{}, err
	}
	if err := c.CheckBorn(now); err != nil {
		return CPR{}, err
	}
	return c, nil
}

// parseCPRForm checks everything ParseCPR does except the clock.
func parseCPRForm(s string) (CPR, error) {
	var d []byte
	switch {
	case len(s) == 10:
		d = []byte(s)
	case len(s) == 11 && s[6] == '-':
		d = []byte(s[:6] + s[7:])
	default:
		return CPR{}, Errorf(EInvalid, "A CPR number has 10 digits, written DDMMYY-SSSS.")
	}
	for _, c := range d {
		if c < '0' || c > '9' {
			return CPR{}, Errorf(EInvalid, "A CPR number has only digits, written DDMMYY-SSSS.")
		}
	}
	c := CPR{digits: string(d)}
	if _, ok := c.birthDate(); !ok {
		return CPR{}, Errorf(EInvalid, "The CPR number does not start with a real date of birth.")
	}
	return c, nil
}

// danish is the zone of the dates in CPR numbers.
var danish = func() *time.Location {
	l, err := time.LoadLocation("Europe/Copenhagen")
	if err != nil {
		panic(err) // cannot happen: time/tzdata is embedded
	}
	return l
}()

// CheckBorn returns an ECPRFutureBirth error when the birth date in c is
// after today, the Danish calendar date of now (see ParseCPR). The zero CPR
// passes: whether a number is required is the caller's rule.
func (c CPR) CheckBorn(now time.Time) error {
	b, ok := c.birthDate()
	if !ok {
		return nil
	}
	y, m, d := now.In(danish).Date()
	if b.After(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)) {
		return Errorf(ECPRFutureBirth, "The date of birth in the CPR number is in the future, so no such number exists. Check that the digits are right.")
	}
	return nil
}

// MustParseCPR is ParseCPR at time.Now for constants in tests and demo data.
func MustParseCPR(s string) CPR {
	c, err := ParseCPR(s, time.Now())
	if err != nil {
		panic(err)
	}
	return c
}

func num(b string) int {
	n := 0
	for i := 0; i < len(b); i++ {
		n = n*10 + int(b[i]-'0')
	}
	return n
}

// century returns the full year for two-digit year yy and the seventh digit d7.
func century(yy, d7 int) int {
	switch {
	case d7 <= 3:
		return 1900 + yy
	case d7 == 4 || d7 == 9:
		if yy <= 36 {
			return 2000 + yy
		}
		return 1900 + yy
	default: // 5–8
		if yy <= 57 {
			return 2000 + yy
		}
		return 1800 + yy
	}
}

func (c CPR) birthDate() (time.Time, bool) {
	if len(c.digits) != 10 {
		return time.Time{}, false
	}
	day, month, yy := num(c.digits[0:2]), num(c.digits[2:4]), num(c.digits[4:6])
	year := century(yy, num(c.digits[6:7]))
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	if t.Day() != day || int(t.Month()) != month || t.Year() != year {
		return time.Time{}, false
	}
	return t, true
}

// IsZero reports whether c is the zero CPR (no number).
func (c CPR) IsZero() bool { return c.digits == "" }

// AgeOn returns the age in whole years on the calendar date of t.
func (c CPR) AgeOn(t time.Time) int {
	b, ok := c.birthDate()
	if !ok {
		return 0
	}
	y, m, d := t.Date()
	age := y - b.Year()
	if m < b.Month() || (m == b.Month() && d < b.Day()) {
		age--
	}
	return age
}

// Full returns the full number, DDMMYY-SSSS. Never log it.
func (c CPR) Full() string {
	if c.IsZero() {
		return ""
	}
	return c.digits[:6] + "-" + c.digits[6:]
}

// Digits returns the ten digits without the hyphen. Never log them.
func (c CPR) Digits() string { return c.digits }

// Masked returns DDMMYY-xxxx.
func (c CPR) Masked() string {
	if c.IsZero() {
		return ""
	}
	return c.digits[:6] + "-xxxx"
}

// String returns the masked form, so that fmt and errors never leak the number.
func (c CPR) String() string { return c.Masked() }

// LogValue makes slog print the masked form.
func (c CPR) LogValue() slog.Value { return slog.StringValue(c.Masked()) }

// MarshalJSON writes the full number: JSON is for the wire and the store only.
func (c CPR) MarshalJSON() ([]byte, error) { return json.Marshal(c.Full()) }

// UnmarshalJSON accepts both written forms and checks form and date, not the
// clock (see ParseCPR): APIs that take a CPR in JSON call CheckBorn.
func (c *CPR) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Errorf(EInvalid, "A CPR number must be a string.")
	}
	if s == "" {
		*c = CPR{}
		return nil
	}
	p, err := parseCPRForm(s)
	if err != nil {
		return err
	}
	*c = p
	return nil
}
