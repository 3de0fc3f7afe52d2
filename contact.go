package borgerkiosk

import (
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Contact is how a citizen wants to be told about what is ending or waiting:
// an e-mail address they chose to give at the kiosk (optional, never
// required), the language of messages, and whether e-mail reminders are on.
// It is set with a SetContact action signed by the citizen themself, so it
// holds no CPR number: central keeps it under a keyed digest of the signer's.
type Contact struct {
	// Email is the address messages go to; empty when the citizen has given
	// none or has removed it.
	Email string `json:"email,omitempty"`
	// Language of messages: LangDanish or LangEnglish.
	Language string `json:"language"`
	// EmailReminders is false when the citizen turned off reminders by
	// e-mail (NoticeKind.Reminder: "ends in 30 days"); news of a change
	// (offered, revoked, ended) still goes to the address.
	EmailReminders bool `json:"email_reminders"`
	// ChangedAt is when the action that set it occurred (set by the rules,
	// ignored in a payload).
	ChangedAt time.Time `json:"changed_at,omitzero"`
	// ChangedBy is that action's id (set by the rules).
	ChangedBy string `json:"changed_by,omitempty"`
}

// Languages a message can be written in.
const (
	LangDanish  = "da"
	LangEnglish = "en"
)

// MaxEmailLength is the longest address accepted: the 254 characters a
// forward path allows (RFC 5321 §4.5.3.1).
const MaxEmailLength = 254

// Check reports what is wrong with c, as an EInvalid error a person can act
// on, else nil. An empty Email is fine: it means "no address".
func (c *Contact) Check() error {
	if c.Language != LangDanish && c.Language != LangEnglish {
		return Errorf(EInvalid, "The language must be %q or %q.", LangDanish, LangEnglish)
	}
	return CheckEmail(c.Email)
}

// CheckEmail reports whether addr is one plain e-mail address (no name, no
// angle brackets, no spaces) of at most MaxEmailLength characters whose
// domain has a dot; "" passes (no address).
func CheckEmail(addr string) error {
	if addr == "" {
		return nil
	}
	if utf8.RuneCountInString(addr) > MaxEmailLength || len(addr) > 4*MaxEmailLength {
		return Errorf(EInvalid, "The e-mail address is too long (at most %d characters).", MaxEmailLength)
	}
	a, err := mail.ParseAddress(addr)
	// A parsed address that is not the input had a name, brackets or
	// comments around it; the kiosk asks for the address alone.
	if err != nil || a.Name != "" || a.Address != addr {
		return Errorf(EInvalid, "This is not an e-mail address. Write it like name@example.dk.")
	}
	at := strings.LastIndexByte(addr, '@')
	if domain := addr[at+1:]; !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return Errorf(EInvalid, "The part after @ must be a full domain, like example.dk.")
	}
	return nil
}

// MaskEmail shows enough of addr for a person to recognise it and no more:
// its first character, the domain, and stars ("m***@example.dk"). Logs use
// it (Contact.LogValue); an address is never logged in full.
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 {
		if addr == "" {
			return ""
		}
		return "***"
	}
	r, _ := utf8.DecodeRuneInString(addr)
	return string(r) + "***" + addr[at:]
}

// LogValue makes slog print the masked address.
func (c *Contact) LogValue() slog.Value {
	if c == nil {
		return slog.StringValue("none")
	}
	return slog.GroupValue(
		slog.String("email", MaskEmail(c.Email)),
		slog.String("language", c.Language),
		slog.Bool("email_reminders", c.EmailReminders),
	)
}

// HasEmail reports whether c gives an address.
func (c *Contact) HasEmail() bool { return c != nil && c.Email != "" }

// applyContact decides a SetContact action on the signer's current contact
// (nil when they have none). The later of two settings wins, by occurred_at:
// unlike a consent there is nothing restrictive to prefer, and a kiosk's
// late push of an old setting must not undo a newer one.
func (r *Rules) applyContact(cur *Contact, a *Action, p Payload) (Verdict, *Contact) {
	if p.Contact == nil {
		return Refuse(a.ID, Errorf(EInvalid, "action payload: contact is required")), nil
	}
	if err := p.Contact.Check(); err != nil {
		return Refuse(a.ID, err), nil
	}
	if cur != nil && a.OccurredAt.Before(cur.ChangedAt) {
		return superseded(a, EConflict, "A newer choice of contact details was made later; that one stands."), nil
	}
	next := *p.Contact
	next.ChangedAt, next.ChangedBy = a.OccurredAt, a.ID
	return applied(a), &next
}
