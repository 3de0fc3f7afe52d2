// Package smtpmail is a central.Channel that sends notices as plain-text
// e-mail over SMTP, with github.com/wneessen/go-mail (maintained, and
// it sorts an SMTP server's answers into temporary and permanent). Each
// message's Message-ID is derived from its notice, so a message sent again
// after a crash or a lost answer is the same message to the mail system.
package smtpmail

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/borgerkiosk/borgerkiosk/central"
)

// TLS policies.
const (
	TLSStartTLS = "starttls" // STARTTLS required (the default)
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // plain text: a relay on localhost only
)

// Config says how to reach the mail server.
type Config struct {
	Host     string // required
	Port     int    // default 587 (465 with TLSImplicit)
	TLS      string // TLSStartTLS, TLSImplicit or TLSNone; default TLSStartTLS
	Username string // with Password: SMTP AUTH PLAIN; empty: no auth
	Password string
	// From is the sender, e.g. "Borgerkiosken <noreply@kommune.dk>";
	// required. Its domain ends every Message-ID.
	From string
	// Timeout bounds one delivery (connect, talk, send); default 30s. It
	// must be shorter than central's notice lease.
	Timeout time.Duration
}

// Mailer sends messages by e-mail.
type Mailer struct {
	cfg    Config
	domain string
}

var _ central.Channel = (*Mailer)(nil)

// New checks cfg and returns a Mailer. It does not connect.
func New(cfg Config) (*Mailer, error) {
	if cfg.Host == "" {
		return nil, errors.New("smtpmail: host is required")
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtpmail: from %q is not an address: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case "":
		cfg.TLS = TLSStartTLS
	case TLSStartTLS, TLSImplicit, TLSNone:
	default:
		return nil, fmt.Errorf("smtpmail: tls must be %q, %q or %q", TLSStartTLS, TLSImplicit, TLSNone)
	}
	if cfg.Port == 0 {
		cfg.Port = 587
		if cfg.TLS == TLSImplicit {
			cfg.Port = 465
		}
	}
	if cfg.Port < 1 || cfg.Port > 65535 {
		return nil, fmt.Errorf("smtpmail: port %d is out of range", cfg.Port)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &Mailer{cfg: cfg, domain: from.Address[strings.LastIndexByte(from.Address, '@')+1:]}, nil
}

// Name implements central.Channel.
func (m *Mailer) Name() string { return "email" }

// Reaches implements central.Channel: the person gave an address, and, for
// a reminder, has not turned e-mail reminders off.
func (m *Mailer) Reaches(msg *central.Message) bool {
	return msg.Contact.HasEmail() && (!msg.Reminder || msg.Contact.EmailReminders)
}

// MessageID is the Message-ID (without angle brackets) of the message for
// a notice: the same on every attempt.
func (m *Mailer) MessageID(noticeID string) string { return "notice-" + noticeID + "@" + m.domain }

// Send implements central.Channel. A 5xx answer is a *central.PermanentError;
// anything else (no connection, a timeout, 4xx) may pass on a retry.
func (m *Mailer) Send(ctx context.Context, msg *central.Message) error {
	if !msg.Contact.HasEmail() {
		return &central.PermanentError{Err: errors.New("smtpmail: the person has no e-mail address")}
	}
	e := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP))
	if err := e.From(m.cfg.From); err != nil {
		return &central.PermanentError{Err: fmt.Errorf("smtpmail: from: %w", err)}
	}
	if err := e.To(msg.Contact.Email); err != nil {
		return &central.PermanentError{Err: errors.New("smtpmail: the address cannot be used")}
	}
	e.Subject(msg.Subject)
	e.SetMessageIDWithValue(m.MessageID(msg.ID))
	e.SetDate()
	e.SetBulk() // no out-of-office answers to a no-reply sender
	e.SetGenHeader("Auto-Submitted", "auto-generated")
	lang := msg.Contact.Language
	if lang == "" {
		lang = "da"
	}
	e.SetGenHeader(gomail.HeaderContentLang, lang)
	e.SetBodyString(gomail.TypeTextPlain, msg.Body)

	opts := []gomail.Option{gomail.WithPort(m.cfg.Port), gomail.WithTimeout(m.cfg.Timeout)}
	switch m.cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.NoTLS), gomail.WithPort(m.cfg.Port))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSLPort(false), gomail.WithPort(m.cfg.Port))
	default:
		opts = append(opts, gomail.WithTLSPortPolicy(gomail.TLSMandatory), gomail.WithPort(m.cfg.Port))
	}
	if m.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(m.cfg.Username), gomail.WithPassword(m.cfg.Password))
	}
	c, err := gomail.NewClient(m.cfg.Host, opts...)
	if err != nil {
		return &central.PermanentError{Err: fmt.Errorf("smtpmail: %w", err)}
	}
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	err = c.DialAndSendWithContext(ctx, e)
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return &central.PermanentError{Err: fmt.Errorf("smtpmail: the server refused the message: %w", err)}
	}
	if err != nil {
		return fmt.Errorf("smtpmail: %w", err)
	}
	return nil
}
