package smtpmail_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/central"
	"github.com/borgerkiosk/borgerkiosk/central/smtpmail"
)

func mailer(t *testing.T, port int) *smtpmail.Mailer {
	t.Helper()
	m, err := smtpmail.New(smtpmail.Config{Host: "127.0.0.1", Port: port, TLS: smtpmail.TLSNone,
		From: "Borgerkiosken <noreply@kommune.example.dk>", Timeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func message(email string, reminder bool) *central.Message {
	return &central.Message{ID: "n1", Kind: bk.NoticeEnded, Reminder: reminder,
		Contact: &bk.Contact{Email: email, Language: bk.LangDanish, EmailReminders: true},
		Subject: "Din fuldmagt er slut", Body: "Din fuldmagt til Bo Berg om skat er slut.\n\nSvar ikke på denne mail."}
}

func TestSend(t *testing.T) {
	box := newMailbox()
	srv := startSMTP(t, box, "")
	m := mailer(t, srv.Port)
	msg := message("karen@example.dk", false)
	if err := m.Send(context.Background(), msg); err != nil {
		t.Fatalf("Send = %v", err)
	}
	got := box.all()
	if len(got) != 1 {
		t.Fatalf("server got %d messages; want 1", len(got))
	}
	want := received{MessageID: "<notice-n1@kommune.example.dk>", From: "noreply@kommune.example.dk", To: "karen@example.dk",
		Subject: msg.Subject, Language: "da", Body: msg.Body}
	if g := got[0]; g != want {
		t.Errorf("server got %+v;\nwant %+v", g, want)
	}
}

func TestSendFailures(t *testing.T) {
	box := newMailbox()
	srv := startSMTP(t, box, "")
	m := mailer(t, srv.Port)
	ctx := context.Background()
	var perm *central.PermanentError

	box.set(func(string) mode { return refuse })
	err := m.Send(ctx, message("nobody@example.dk", false))
	if !errors.As(err, &perm) {
		t.Errorf("Send(refused) = %v; want a permanent error", err)
	}
	box.set(func(string) mode { return busy })
	if err := m.Send(ctx, message("karen@example.dk", false)); err == nil || errors.As(err, &perm) {
		t.Errorf("Send(busy) = %v; want a temporary error", err)
	}
	box.set(func(string) mode { return stall })
	if err := m.Send(ctx, message("karen@example.dk", false)); err == nil || errors.As(err, &perm) {
		t.Errorf("Send(no answer) = %v; want a temporary error", err)
	}
	close(box.wake)

	// Nobody listening.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	if err := mailer(t, port).Send(ctx, message("karen@example.dk", false)); err == nil || errors.As(err, &perm) {
		t.Errorf("Send(no server) = %v; want a temporary error", err)
	}
	if err := m.Send(ctx, message("", false)); !errors.As(err, &perm) {
		t.Errorf("Send(no address) = %v; want a permanent error", err)
	}
}

func TestReaches(t *testing.T) {
	m := mailer(t, 25)
	off := message("karen@example.dk", true)
	off.Contact.EmailReminders = false
	for _, tc := range []struct {
		name string
		msg  *central.Message
		want bool
	}{
		{"an address", message("karen@example.dk", false), true},
		{"a reminder", message("karen@example.dk", true), true},
		{"a reminder, reminders off", off, false},
		{"news, reminders off", &central.Message{Contact: off.Contact}, true},
		{"no address", message("", false), false},
		{"no contact", &central.Message{}, false},
	} {
		if got := m.Reaches(tc.msg); got != tc.want {
			t.Errorf("Reaches(%s) = %v; want %v", tc.name, got, tc.want)
		}
	}
}

func TestNew(t *testing.T) {
	for _, cfg := range []smtpmail.Config{
		{From: "a@example.dk"},
		{Host: "mail", From: "not an address"},
		{Host: "mail", From: "a@example.dk", TLS: "ssl"},
		{Host: "mail", From: "a@example.dk", Port: 70000},
	} {
		if _, err := smtpmail.New(cfg); err == nil || !strings.HasPrefix(err.Error(), "smtpmail: ") {
			t.Errorf("New(%+v) = %v; want an error", cfg, err)
		}
	}
}
