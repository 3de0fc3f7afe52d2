package main

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"

	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/smtpmail"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
)

// NoticesConfig is the [notices] table: when people are reminded of an end,
// how delivery is retried, and the e-mail channel ([notices.email]).
type NoticesConfig struct {
	DelegationReminderDays []int       `toml:"delegation_reminder_days"`
	ConsentReminderDays    []int       `toml:"consent_reminder_days"`
	Every                  Duration    `toml:"every"`
	RetryBase              Duration    `toml:"retry_base"`
	RetryMax               Duration    `toml:"retry_max"`
	MaxAttempts            int         `toml:"max_attempts"`
	Lease                  Duration    `toml:"lease"`
	Email                  EmailConfig `toml:"email"`
}

// EmailConfig is the SMTP server notices are sent through; off without a
// host.
type EmailConfig struct {
	Host         string   `toml:"host"`
	Port         int      `toml:"port"`
	TLS          string   `toml:"tls"`
	Username     string   `toml:"username"`
	PasswordFile string   `toml:"password_file"`
	From         string   `toml:"from"`
	Timeout      Duration `toml:"timeout"`
}

func defaultNotices() NoticesConfig {
	return NoticesConfig{
		DelegationReminderDays: slices.Clone(bk.DefaultDelegationReminderDays), ConsentReminderDays: slices.Clone(bk.DefaultConsentReminderDays),
		Every: Duration{time.Minute}, RetryBase: Duration{time.Minute}, RetryMax: Duration{6 * time.Hour},
		MaxAttempts: 12, Lease: Duration{5 * time.Minute},
		Email: EmailConfig{Port: 587, TLS: smtpmail.TLSStartTLS, Timeout: Duration{30 * time.Second}},
	}
}

func (n *NoticesConfig) validate() []error {
	var errs []error
	bad := func(f string, a ...any) { errs = append(errs, fmt.Errorf("config: notices: "+f, a...)) }
	for _, l := range []struct {
		name string
		days []int
	}{{"delegation_reminder_days", n.DelegationReminderDays}, {"consent_reminder_days", n.ConsentReminderDays}} {
		for _, d := range l.days {
			if d < 1 || d > 365 {
				bad("%s: %d is not between 1 and 365", l.name, d)
			}
		}
	}
	if n.Every.Duration < time.Second || n.Every.Duration > time.Hour {
		bad("every must be between 1s and 1h")
	}
	if n.RetryBase.Duration < time.Second || n.RetryMax.Duration < n.RetryBase.Duration || n.RetryMax.Duration > 7*24*time.Hour {
		bad("retry_base must be at least 1s and retry_max between retry_base and 168h")
	}
	if n.MaxAttempts < 1 || n.MaxAttempts > 100 {
		bad("max_attempts must be between 1 and 100")
	}
	if e := n.Email; e.Host != "" {
		if _, err := smtpmail.New(n.smtp("")); err != nil {
			bad("email: %s", strings.TrimPrefix(err.Error(), "smtpmail: "))
		}
		if e.Username != "" && e.PasswordFile == "" {
			bad("email: username needs password_file")
		}
		if n.Lease.Duration <= e.Timeout.Duration {
			bad("lease must be longer than email timeout")
		}
	}
	return errs
}

func (n *NoticesConfig) smtp(password string) smtpmail.Config {
	e := n.Email
	return smtpmail.Config{Host: e.Host, Port: e.Port, TLS: e.TLS, Username: e.Username, Password: password, From: e.From, Timeout: e.Timeout.Duration}
}

// central returns central's notice settings, with the e-mail channel if
// configured (its password read from password_file).
func (n *NoticesConfig) central(zone timefmt.Zone) (central.NoticeConfig, error) {
	c := central.NoticeConfig{
		Reminders: central.Reminders{Delegation: n.DelegationReminderDays, Consent: n.ConsentReminderDays},
		Every:     n.Every.Duration, RetryBase: n.RetryBase.Duration, RetryMax: n.RetryMax.Duration,
		MaxAttempts: n.MaxAttempts, Lease: n.Lease.Duration, Zone: zone,
	}
	if n.Email.Host == "" {
		return c, nil
	}
	password := ""
	if f := n.Email.PasswordFile; f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return c, fmt.Errorf("notices: email: password_file: %w", err)
		}
		password = strings.TrimSpace(string(b))
		if password == "" {
			return c, errors.New("notices: email: password_file is empty")
		}
	}
	m, err := smtpmail.New(n.smtp(password))
	if err != nil {
		return c, err
	}
	c.Channels = append(c.Channels, m)
	return c, nil
}
