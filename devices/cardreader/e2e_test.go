package cardreader_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardreader"
	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/devices/ptytest"
	"github.com/borgerkiosk/borgerkiosk/devices/serialport"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
)

const pin = "4711"

var testCert = []byte("certificate of card 42")

func mustCard(t *testing.T) (string, ed25519.PublicKey) {
	t.Helper()
	pub, priv, _ := ed25519.GenerateKey(nil)
	c, err := cardsim.NewCardFile(testCert, priv, pin)
	if err != nil {
		t.Fatal(err)
	}
	c.Serial, c.Holder, c.Role = "42", "Test Person", "citizen"
	path := filepath.Join(t.TempDir(), "card.json")
	if err := c.Save(path); err != nil {
		t.Fatal(err)
	}
	return path, pub
}

// rig is a kiosk (Port + Reader) talking through a pty to a simulator.
type rig struct {
	sim    *cardsim.Simulator
	rd     *cardreader.Reader
	port   *serialport.Port
	status <-chan serialport.Status
	logs   *testtool.Buffer
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// newRig starts a simulator on a fresh pty and a kiosk whose port opens
// path() on every (re)connect.
func newRig(t *testing.T, master *os.File, path func() string) *rig {
	r := &rig{logs: &testtool.Buffer{}}
	log := slog.New(slog.NewTextHandler(r.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.sim = cardsim.New(log)
	r.rd = cardreader.New(cardreader.Options{Logger: log})
	r.port = serialport.NewPort(serialport.PortConfig{
		Open: func(context.Context) (io.ReadWriteCloser, error) {
			return serialport.Open(serialport.Config{Path: path(), Baud: 115200})
		},
		MinBackoff: 10 * time.Millisecond,
		Logger:     log,
	})
	var unsubscribe func()
	r.status, unsubscribe = r.port.Subscribe()
	ctx, cancel := context.WithCancel(t.Context())
	r.cancel = cancel
	r.wg.Go(func() { r.sim.Serve(ctx, master) })
	r.wg.Go(func() { r.port.Run(ctx, r.rd.Serve) })
	t.Cleanup(func() {
		cancel()
		r.wg.Wait()
		unsubscribe()
		r.rd.Close()
		if t.Failed() {
			t.Logf("logs:\n%s", r.logs)
		}
	})
	r.waitConnected(t)
	// The connect probe has been answered once a request gets through.
	if _, err := r.rd.Certificate(ctx); borgerkiosk.ErrorCode(err) != borgerkiosk.ENoCard {
		t.Fatalf("Certificate with an empty slot: %v; want no card", err)
	}
	return r
}

// waitConnected waits for the port to connect and the driver to take the
// connection (the port reports before it hands the connection over).
func (r *rig) waitConnected(t *testing.T) {
	t.Helper()
	for {
		if testtool.Recv(t, r.status, "port status connected").State == serialport.StateConnected {
			break
		}
	}
	testtool.Until(t, "the driver to take the connection", r.rd.Connected)
}

func (r *rig) insert(t *testing.T, path string) {
	t.Helper()
	if err := r.sim.Insert(path); err != nil {
		t.Fatal(err)
	}
	if ev := testtool.Recv(t, r.rd.Events(), "card inserted event"); ev != borgerkiosk.CardInserted {
		t.Fatalf("event = %v; want inserted", ev)
	}
}

func TestEndToEndThroughPTY(t *testing.T) {
	ctx := t.Context()
	card, pub := mustCard(t)
	master, tty := ptytest.Open(t)
	r := newRig(t, master, func() string { return tty })
	r.insert(t, card)

	_, err := r.rd.Sign(ctx, []byte("digest"))
	wantCode(t, "Sign before AUTH", err, borgerkiosk.ENotAuthed)

	cert, err := r.rd.Certificate(ctx)
	if err != nil || !bytes.Equal(cert, testCert) {
		t.Fatalf("Certificate = %q, %v; want %q", cert, err, testCert)
	}
	var pe *borgerkiosk.PINError
	if _, err := r.rd.Authenticate(ctx, "0000", []byte("nonce")); !errors.As(err, &pe) || pe.TriesLeft != 2 {
		t.Fatalf("wrong PIN: %v; want PINError with 2 tries left", err)
	}
	sig, err := r.rd.Authenticate(ctx, pin, []byte("nonce"))
	if err != nil || !ed25519.Verify(pub, []byte("nonce"), sig) {
		t.Fatalf("Authenticate = %x, %v; want a signature over the nonce", sig, err)
	}
	digest := bytes.Repeat([]byte{0xab}, 32)
	sig, err = r.rd.Sign(ctx, digest)
	if err != nil || !ed25519.Verify(pub, digest, sig) {
		t.Fatalf("Sign = %x, %v; want a signature over the digest", sig, err)
	}

	if err := r.sim.Remove(); err != nil {
		t.Fatal(err)
	}
	if ev := testtool.Recv(t, r.rd.Events(), "card removed event"); ev != borgerkiosk.CardRemoved {
		t.Fatalf("event = %v; want removed", ev)
	}
	_, err = r.rd.Sign(ctx, digest)
	wantCode(t, "Sign after removal", err, borgerkiosk.ENoCard)
	r.insert(t, card)
	_, err = r.rd.Sign(ctx, digest)
	wantCode(t, "Sign after reinsertion", err, borgerkiosk.ENotAuthed)

	logs := r.logs.String()
	if !strings.Contains(logs, "AUTH ****") {
		t.Errorf("logs do not show the masked AUTH request:\n%s", logs)
	}
	for _, secret := range []string{pin, "AUTH 0000"} {
		if strings.Contains(logs, secret) {
			t.Errorf("logs show %q:\n%s", secret, logs)
		}
	}
}

func TestLockPersistsAcrossSimulators(t *testing.T) {
	ctx := t.Context()
	card, _ := mustCard(t)
	master, tty := ptytest.Open(t)
	r := newRig(t, master, func() string { return tty })
	r.insert(t, card)
	var pe *borgerkiosk.PINError
	for _, left := range []int{2, 1} {
		if _, err := r.rd.Authenticate(ctx, "9999", []byte("n")); !errors.As(err, &pe) || pe.TriesLeft != left {
			t.Fatalf("wrong PIN: %v; want %d tries left", err, left)
		}
	}
	_, err := r.rd.Authenticate(ctx, "9999", []byte("n"))
	wantCode(t, "third wrong PIN", err, borgerkiosk.ECardLocked)
	r.cancel()
	r.wg.Wait()

	// A new simulator (a restart) loading the same card file.
	master2, tty2 := ptytest.Open(t)
	r2 := newRig(t, master2, func() string { return tty2 })
	r2.insert(t, card)
	_, err = r2.rd.Authenticate(ctx, pin, []byte("n"))
	wantCode(t, "right PIN on a locked card", err, borgerkiosk.ECardLocked)
	if _, err := r2.rd.Certificate(ctx); err != nil {
		t.Errorf("Certificate of a locked card: %v", err)
	}
}

func TestLineNoiseThroughPTY(t *testing.T) {
	ctx := t.Context()
	card, pub := mustCard(t)
	master, tty := ptytest.Open(t)
	r := newRig(t, master, func() string { return tty })
	r.insert(t, card)
	if _, err := r.rd.Authenticate(ctx, pin, []byte("n")); err != nil {
		t.Fatal(err)
	}
	for _, noise := range []string{
		"\x00\x01\xffjunk\r\n",
		strings.Repeat("A", 5000) + "\r\n",
		"bare\nLF\r\n",
		"CR\rinside\r\n",
		"HELLO\r\n",
	} {
		if err := r.sim.SendRaw([]byte(noise)); err != nil {
			t.Fatal(err)
		}
	}
	// Wait until the driver has seen the noise: a request on the line while
	// a garbled line arrives is failed on purpose (it may have been the reply).
	testtool.Until(t, "5 frame errors", func() bool { return r.rd.Stats().FrameErrors >= 5 })
	sig, err := r.rd.Sign(ctx, []byte("after noise"))
	if err != nil || !ed25519.Verify(pub, []byte("after noise"), sig) {
		t.Fatalf("Sign after line noise = %v; want a good signature", err)
	}
	if n := r.rd.Stats().FrameErrors; n != 5 {
		t.Errorf("FrameErrors = %d; want 5", n)
	}
	// The probes after the noise found the same card: no session change.
	if err := r.sim.Remove(); err != nil {
		t.Fatal(err)
	}
	if ev := testtool.Recv(t, r.rd.Events(), "card removed event"); ev != borgerkiosk.CardRemoved {
		t.Errorf("event = %v; want removed (and nothing before it)", ev)
	}
}

// TestSimulatorVanishesMidLine closes the device side in the middle of a
// line; the supervisor reconnects (to a new pty: a pty path cannot come back)
// and the card, still in the reader, is found again.
func TestSimulatorVanishesMidLine(t *testing.T) {
	ctx := t.Context()
	card, pub := mustCard(t)
	master, tty := ptytest.Open(t)
	var path atomic.Value
	path.Store(tty)
	r := newRig(t, master, func() string { return path.Load().(string) })
	r.insert(t, card)
	if _, err := r.rd.Authenticate(ctx, pin, []byte("n")); err != nil {
		t.Fatal(err)
	}

	master2, tty2 := ptytest.Open(t)
	path.Store(tty2)
	if err := r.sim.SendRaw([]byte("OK QUJDRE")); err != nil {
		t.Fatal(err)
	}
	master.Close()
	if ev := testtool.Recv(t, r.rd.Events(), "card removed event"); ev != borgerkiosk.CardRemoved {
		t.Fatalf("event = %v; want removed when the line dropped", ev)
	}
	for {
		s := testtool.Recv(t, r.status, "port status disconnected")
		if s.State == serialport.StateDisconnected {
			if s.Err == nil {
				t.Error("disconnected status has no reason")
			}
			break
		}
	}
	// The simulator's Serve ended with its pty; serve the new one.
	testtool.Until(t, "the simulator to see the kiosk gone", func() bool { return !r.sim.Status().KioskConnected })
	r.wg.Go(func() { r.sim.Serve(ctx, master2) })
	r.waitConnected(t)
	if ev := testtool.Recv(t, r.rd.Events(), "card inserted event"); ev != borgerkiosk.CardInserted {
		t.Fatalf("event = %v; want inserted (found by the probe)", ev)
	}
	_, err := r.rd.Sign(ctx, []byte("d"))
	wantCode(t, "Sign after reconnect", err, borgerkiosk.ENotAuthed)
	if _, err := r.rd.Authenticate(ctx, pin, []byte("n")); err != nil {
		t.Fatal(err)
	}
	sig, err := r.rd.Sign(ctx, []byte("d"))
	if err != nil || !ed25519.Verify(pub, []byte("d"), sig) {
		t.Fatalf("Sign after reconnect = %v", err)
	}
}
