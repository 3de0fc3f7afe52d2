package cardsim

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/devices/ptytest"
)

const testPIN = "4711"

// MustCardFile writes a new card with testPIN into a temporary directory.
func MustCardFile(tb testing.TB) (path string, pub ed25519.PublicKey) {
	tb.Helper()
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := NewCardFile([]byte("certificate of card 42"), priv, testPIN)
	if err != nil {
		tb.Fatal(err)
	}
	c.Serial, c.Holder, c.Role = "42", "Test Person", "citizen"
	path = filepath.Join(tb.TempDir(), "card.json")
	if err := c.Save(path); err != nil {
		tb.Fatal(err)
	}
	return path, pub
}

func TestCardFileRoundTrip(t *testing.T) {
	path, pub := MustCardFile(t)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("card file mode = %v; want 0600", fi.Mode().Perm())
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(testPIN)) {
		t.Errorf("card file holds the PIN in plain: %s", raw)
	}
	c, err := LoadCardFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !c.PublicKey().Equal(pub) || c.Serial != "42" || c.TriesLeft != MaxTries || c.Locked {
		t.Errorf("loaded card = %+v", c)
	}
	if !c.CheckPIN(testPIN) || c.CheckPIN("4712") || c.CheckPIN("") {
		t.Error("CheckPIN accepts the wrong PIN or refuses the right one")
	}
	if sig := c.Sign([]byte("x")); !ed25519.Verify(pub, []byte("x"), sig) {
		t.Error("card signature does not verify")
	}
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*"))
	if len(matches) != 0 {
		t.Errorf("Save left temporary files: %v", matches)
	}
}

func TestNewCardFileRefuses(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(nil)
	for _, tt := range []struct {
		cert []byte
		priv ed25519.PrivateKey
		pin  string
	}{
		{nil, priv, "1234"},
		{[]byte("c"), priv[:10], "1234"},
		{[]byte("c"), priv, "123"},
		{[]byte("c"), priv, "12a4"},
		{[]byte("c"), priv, "1234567890123"},
	} {
		if _, err := NewCardFile(tt.cert, tt.priv, tt.pin); err == nil {
			t.Errorf("NewCardFile(%q, %d-byte key, %q) succeeded; want an error", tt.cert, len(tt.priv), tt.pin)
		}
	}
}

func TestLoadCardFileRefuses(t *testing.T) {
	path, _ := MustCardFile(t)
	good, _ := LoadCardFile(path)
	dir := t.TempDir()
	for name, mutate := range map[string]func(c *CardFile){
		"version":  func(c *CardFile) { c.Version = 9 },
		"no cert":  func(c *CardFile) { c.Certificate = nil },
		"seed":     func(c *CardFile) { c.KeySeed = c.KeySeed[:5] },
		"kdf":      func(c *CardFile) { c.PINKDF = "md5" },
		"tries":    func(c *CardFile) { c.TriesLeft = 7 },
		"no hash":  func(c *CardFile) { c.PINHash = nil },
		"iter":     func(c *CardFile) { c.PINIter = 0 },
		"negative": func(c *CardFile) { c.TriesLeft = -1 },
	} {
		c := *good
		mutate(&c)
		b, _ := json.Marshal(c)
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o600)
		if _, err := LoadCardFile(p); err == nil {
			t.Errorf("LoadCardFile with bad %s succeeded; want an error", name)
		}
	}
	p := filepath.Join(dir, "junk")
	os.WriteFile(p, []byte("{not json"), 0o600)
	if _, err := LoadCardFile(p); err == nil {
		t.Error("LoadCardFile of junk succeeded")
	}
}

// startSim serves a simulator on a pty master and returns a reader and
// writer on its tty (buffered both ways, unlike net.Pipe).
func startSim(t *testing.T, s *Simulator) *bufio.Reader {
	t.Helper()
	master, path := ptytest.Open(t)
	kiosk, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	var wg sync.WaitGroup
	wg.Go(func() { s.Serve(ctx, master) })
	t.Cleanup(func() { cancel(); wg.Wait(); kiosk.Close() })
	rd := bufio.NewReader(kiosk)
	pipeWriter[rd] = kiosk
	return rd
}

var pipeWriter = map[*bufio.Reader]io.Writer{}

func ask(t *testing.T, rd *bufio.Reader, req string) string {
	t.Helper()
	if _, err := pipeWriter[rd].Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	line, err := rd.ReadString('\n')
	if err != nil {
		t.Fatalf("reading reply to %q: %v", req, err)
	}
	if !strings.HasSuffix(line, "\r\n") {
		t.Fatalf("reply %q does not end in CR LF", line)
	}
	return strings.TrimSuffix(line, "\r\n")
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestSimulatorProtocol(t *testing.T) {
	path, pub := MustCardFile(t)
	s := New(quiet())
	rd := startSim(t, s)
	nonce := base64.StdEncoding.EncodeToString([]byte("nonce"))

	steps := []struct{ req, want string }{
		{"CERT\r\n", "ERR NOCARD"},
		{"AUTH 4711 " + nonce + "\r\n", "ERR NOCARD"},
		{"HELLO\r\n", "ERR BADREQ"},
		{"\r\n", "ERR BADREQ"},
		{"CERT extra\r\n", "ERR BADREQ"},
		{"AUTH 4711\r\n", "ERR BADREQ"},
		{"AUTH 4711 !!!\r\n", "ERR BADREQ"},
		{"SIGN\r\n", "ERR BADREQ"},
		{"\x00\x01\xff\r\n", "ERR BADREQ"},
		{"CERT\nCERT\r\n", "ERR BADREQ"}, // one bad stretch up to the next CR LF, one reply
		{strings.Repeat("A", 5000) + "\r\n", "ERR BADREQ"},
	}
	for _, st := range steps {
		if got := ask(t, rd, st.req); got != st.want {
			t.Errorf("%.30q -> %q; want %q", st.req, got, st.want)
		}
	}

	if err := s.Insert(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := rd.ReadString('\n'); got != "EVT INSERTED\r\n" {
		t.Fatalf("after Insert got %q; want EVT INSERTED", got)
	}
	if err := s.Insert(path); err == nil {
		t.Error("second Insert succeeded; want an error")
	}
	if got, want := ask(t, rd, "CERT\r\n"), "OK "+base64.StdEncoding.EncodeToString([]byte("certificate of card 42")); got != want {
		t.Errorf("CERT -> %q; want %q", got, want)
	}
	digest := base64.StdEncoding.EncodeToString([]byte("digest"))
	if got := ask(t, rd, "SIGN "+digest+"\r\n"); got != "ERR NOTAUTH" {
		t.Errorf("SIGN before AUTH -> %q; want ERR NOTAUTH", got)
	}
	if got := ask(t, rd, "AUTH 0000 "+nonce+"\r\n"); got != "ERR PIN 2" {
		t.Errorf("wrong PIN -> %q; want ERR PIN 2", got)
	}
	got := ask(t, rd, "AUTH 4711 "+nonce+"\r\n")
	sig, _ := base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "OK "))
	if !ed25519.Verify(pub, []byte("nonce"), sig) {
		t.Errorf("AUTH -> %q; want a signature over the nonce", got)
	}
	if st := s.Status(); st.TriesLeft != MaxTries || !st.Authenticated {
		t.Errorf("after right PIN status = %+v; want tries reset and authenticated", st)
	}
	got = ask(t, rd, "SIGN "+digest+"\r\n")
	sig, _ = base64.StdEncoding.DecodeString(strings.TrimPrefix(got, "OK "))
	if !ed25519.Verify(pub, []byte("digest"), sig) {
		t.Errorf("SIGN -> %q; want a signature over the digest", got)
	}
	if err := s.Remove(); err != nil {
		t.Fatal(err)
	}
	if got, _ := rd.ReadString('\n'); got != "EVT REMOVED\r\n" {
		t.Fatalf("after Remove got %q", got)
	}
	if got := ask(t, rd, "SIGN "+digest+"\r\n"); got != "ERR NOCARD" {
		t.Errorf("SIGN after removal -> %q; want ERR NOCARD", got)
	}
	if err := s.Remove(); err == nil {
		t.Error("Remove of an empty slot succeeded")
	}
}

func TestLockPersists(t *testing.T) {
	path, _ := MustCardFile(t)
	s := New(quiet())
	rd := startSim(t, s)
	ask(t, rd, "CERT\r\n") // Serve is running, so Insert's EVT line goes out
	s.Insert(path)
	rd.ReadString('\n')
	nonce := base64.StdEncoding.EncodeToString([]byte("n"))
	for _, want := range []string{"ERR PIN 2", "ERR PIN 1", "ERR LOCKED", "ERR LOCKED"} {
		if got := ask(t, rd, "AUTH 1111 "+nonce+"\r\n"); got != want {
			t.Errorf("wrong PIN -> %q; want %q", got, want)
		}
	}
	c, err := LoadCardFile(path)
	if err != nil || !c.Locked || c.TriesLeft != 0 {
		t.Fatalf("card file after lock = %+v, %v; want locked", c, err)
	}
	s2 := New(quiet())
	rd2 := startSim(t, s2)
	ask(t, rd2, "CERT\r\n")
	s2.Insert(path)
	rd2.ReadString('\n')
	if got := ask(t, rd2, "AUTH "+testPIN+" "+nonce+"\r\n"); got != "ERR LOCKED" {
		t.Errorf("right PIN on a locked card -> %q; want ERR LOCKED", got)
	}
}

func TestControl(t *testing.T) {
	path, _ := MustCardFile(t)
	s := New(quiet())
	var out bytes.Buffer
	script := "help\nstatus\ninsert\ninsert /no/such/card\ninsert " + path + "\nstatus\nraw \"x\"\nremove\nremove\nfrobnicate\nquit\nstatus\n"
	if err := s.ServeControl(t.Context(), strings.NewReader(script), &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"insert <cardfile>", "card: none", "error: insert needs", "error: cardsim:",
		"ok: inserted Test Person (serial 42, tries left 3)", "tries left: 3",
		"error: no kiosk connected", "ok: removed", "error: there is no card",
		`unknown command "frobnicate"`, "bye",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("control output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Count(out.String(), "kiosk: not connected") != 2 {
		t.Errorf("commands after quit were run:\n%s", out.String())
	}
}

func TestListenControl(t *testing.T) {
	path, _ := MustCardFile(t)
	s := New(quiet())
	sock := filepath.Join(t.TempDir(), "card.sock")
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.ListenControl(ctx, sock) }()

	var c net.Conn
	for c == nil { // the listener starts asynchronously
		var err error
		if c, err = net.Dial("unix", sock); err != nil {
			c = nil
			select {
			case err := <-done:
				t.Fatalf("ListenControl = %v", err)
			default:
			}
		}
	}
	fi, _ := os.Stat(sock)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("socket mode = %v; want 0600", fi.Mode().Perm())
	}
	if err := s.ListenControl(ctx, sock); err == nil {
		t.Error("second ListenControl on a live socket succeeded")
	}
	io.WriteString(c, "insert "+path+"\nquit\n")
	b, _ := io.ReadAll(c)
	if !strings.Contains(string(b), "ok: inserted") {
		t.Errorf("socket session = %q", b)
	}
	if !s.Status().Card {
		t.Error("insert over the socket did not insert")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("ListenControl after cancel = %v; want nil", err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Error("socket file left behind")
	}
}

// BenchmarkCheckPIN measures the PIN hash, which sets how long AUTH takes.
func BenchmarkCheckPIN(b *testing.B) {
	path, _ := MustCardFile(b)
	c, err := LoadCardFile(path)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		c.CheckPIN(testPIN)
	}
}
