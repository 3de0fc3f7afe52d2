package smtpmail_test

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// mode is how the test server answers a message.
type mode int

const (
	accept mode = iota
	busy        // 451 at RCPT: try again later
	refuse      // 550 at RCPT: no such mailbox
	stall       // keeps the message, then does not answer until the client gave up
)

// received is one message the server kept.
type received struct {
	MessageID, From, To, Subject, Language, Body string
}

// mailbox is the test server's state; it outlives a server (restarts).
type mailbox struct {
	mu    sync.Mutex
	mode  func(to string) mode
	got   []received
	tries int           // RCPT commands seen
	wake  chan struct{} // closed to end stalls
}

func newMailbox() *mailbox {
	return &mailbox{mode: func(string) mode { return accept }, wake: make(chan struct{})}
}

func (b *mailbox) set(f func(to string) mode) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.mode = f
}

func (b *mailbox) all() []received {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]received(nil), b.got...)
}

// smtpServer is a real SMTP server on 127.0.0.1 for one test.
type smtpServer struct {
	s    *smtp.Server
	Addr string
	Port int
}

// startSMTP starts a server for box on addr ("" for any free port).
func startSMTP(t *testing.T, box *mailbox, addr string) *smtpServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := smtp.NewServer(backend{box})
	s.Domain = "localhost"
	s.AllowInsecureAuth = true
	go s.Serve(l)
	_, port, _ := net.SplitHostPort(l.Addr().String())
	p, _ := strconv.Atoi(port)
	srv := &smtpServer{s: s, Addr: l.Addr().String(), Port: p}
	t.Cleanup(srv.stop)
	return srv
}

func (s *smtpServer) stop() { s.s.Close() }

type backend struct{ box *mailbox }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{box: b.box}, nil }

type session struct {
	box      *mailbox
	from, to string
	mode     mode
}

func (s *session) Reset()        { s.to = "" }
func (s *session) Logout() error { return nil }
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.box.mu.Lock()
	s.box.tries++
	s.mode = s.box.mode(to)
	s.box.mu.Unlock()
	switch s.mode {
	case busy:
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later, " + to}
	case refuse:
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here: " + to}
	}
	s.to = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return err
	}
	m.From, m.To = s.from, s.to
	s.box.mu.Lock()
	s.box.got = append(s.box.got, m)
	wake := s.box.wake
	s.box.mu.Unlock()
	if s.mode == stall {
		// Kept, but the answer comes after the client's timeout: it
		// cannot know the message arrived.
		select {
		case <-wake:
		case <-time.After(10 * time.Second):
		}
	}
	return nil
}

var dec = new(mime.WordDecoder)

func parse(raw []byte) (received, error) {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return received{}, err
	}
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return received{}, err
	}
	body := io.Reader(m.Body)
	if strings.EqualFold(m.Header.Get("Content-Transfer-Encoding"), "quoted-printable") {
		body = quotedprintable.NewReader(m.Body)
	}
	b, err := io.ReadAll(body)
	if err != nil {
		return received{}, err
	}
	id := m.Header.Get("Message-Id")
	if id == "" {
		return received{}, errors.New("no Message-ID")
	}
	return received{MessageID: id, Subject: subject, Language: m.Header.Get("Content-Language"), Body: strings.TrimSuffix(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")}, nil
}
