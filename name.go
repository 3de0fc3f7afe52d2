package borgerkiosk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// EBadName is the code of a typed name that breaks a rule of CheckName.
const EBadName = "bad_name"

// The length a typed name may have, in letters, spaces and hyphens.
const (
	MinNameRunes = 2
	MaxNameRunes = 60
)

// NameProblem is the rule a typed name breaks, so a screen can say which.
type NameProblem int

const (
	NameOK       NameProblem = iota
	NameEmpty                // nothing typed
	NameTooShort             // fewer than MinNameRunes
	NameTooLong              // more than MaxNameRunes
	NameBadChar              // something other than a letter, a space or a hyphen
	NameBadJoin              // starts or ends with, or doubles, a space or a hyphen
)

// NormalName trims a typed name and joins its words with single spaces.
func NormalName(s string) string { return strings.Join(strings.Fields(s), " ") }

// CheckName finds what is wrong with a name typed for a person, as
// NormalName gives it: letters (Æ, Ø, Å and any other), single spaces and
// hyphens between them, MinNameRunes to MaxNameRunes long.
func CheckName(s string) NameProblem {
	n := utf8.RuneCountInString(s)
	switch {
	case strings.TrimSpace(s) == "":
		return NameEmpty
	case n > MaxNameRunes:
		return NameTooLong
	}
	prev := ' ' // as if after a space: the first rune must be a letter
	for _, r := range s {
		switch {
		case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r): // Mn: a combining accent
		case r == ' ' || r == '-':
			if prev == ' ' || prev == '-' {
				return NameBadJoin
			}
		default:
			return NameBadChar
		}
		prev = r
	}
	if prev == ' ' || prev == '-' {
		return NameBadJoin
	}
	if n < MinNameRunes {
		return NameTooShort
	}
	return NameOK
}

// Err returns nil for NameOK, else an *Error with code EBadName.
func (p NameProblem) Err() error {
	msg := map[NameProblem]string{
		NameEmpty:    "Type the name of the person.",
		NameTooShort: "A name has at least 2 letters.",
		NameTooLong:  "A name has at most 60 letters.",
		NameBadChar:  "A name has only letters, spaces and hyphens.",
		NameBadJoin:  "A name starts and ends with a letter, with one space or hyphen between its parts.",
	}[p]
	if msg == "" {
		return nil
	}
	return Errorf(EBadName, "%s", msg)
}
