package cardreader_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardreader"
)

// fakeDevice is the far end of a pipe, driven line by line by a test.
type fakeDevice struct {
	t    *testing.T
	conn net.Conn
	rd   *bufio.Reader
}

func (d *fakeDevice) expect(want string) {
	d.t.Helper()
	line, err := d.rd.ReadString('\n')
	if err != nil {
		d.t.Fatalf("device: reading %q: %v", want, err)
	}
	if got := strings.TrimSuffix(line, "\r\n"); got != want {
		d.t.Fatalf("device got %q; want %q", got, want)
	}
}

func (d *fakeDevice) send(s string) {
	d.t.Helper()
	if _, err := io.WriteString(d.conn, s); err != nil {
		d.t.Fatalf("device: send: %v", err)
	}
}

type result struct {
	b   []byte
	err error
}

func async(f func() ([]byte, error)) <-chan result {
	ch := make(chan result, 1)
	go func() {
		b, err := f()
		ch <- result{b, err}
	}()
	return ch
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// connect attaches a new fake device to rd and answers the connect probe.
func connect(t *testing.T, ctx context.Context, rd *cardreader.Reader, wg *sync.WaitGroup, probeReply string) *fakeDevice {
	kiosk, dev := net.Pipe()
	wg.Go(func() { rd.Serve(ctx, kiosk) })
	d := &fakeDevice{t: t, conn: dev, rd: bufio.NewReader(dev)}
	d.expect("CERT")
	d.send(probeReply)
	synctest.Wait()
	return d
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	if got := borgerkiosk.ErrorCode(err); got != code {
		t.Errorf("%s: error %v (code %q); want code %q", what, err, got, code)
	}
}

func TestReaderFaults(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(t.Context())
		var wg sync.WaitGroup
		rd := cardreader.New(cardreader.Options{Timeout: time.Second, Logger: discard()})
		defer func() { cancel(); wg.Wait(); rd.Close() }()
		d := connect(t, ctx, rd, &wg, "ERR NOCARD\r\n")

		// A garbled reply fails the request, then the driver checks the slot.
		res := async(func() ([]byte, error) { return rd.Certificate(ctx) })
		d.expect("CERT")
		d.send("OK QU\x01JD\r\n")
		wantCode(t, "garbled reply", (<-res).err, borgerkiosk.EUnavailable)
		d.expect("CERT")
		d.send("ERR NOCARD\r\n")
		synctest.Wait()

		// No reply: a timeout; the late reply is dropped, not handed to the
		// next request.
		res = async(func() ([]byte, error) { return rd.Certificate(ctx) })
		d.expect("CERT")
		r := <-res
		wantCode(t, "no reply", r.err, borgerkiosk.EUnavailable)
		res = async(func() ([]byte, error) { return rd.Certificate(ctx) })
		synctest.Wait()
		d.send("ERR NOCARD\r\n") // late
		d.expect("CERT")
		d.send("OK " + b64("cert A") + "\r\n")
		if r := <-res; r.err != nil || string(r.b) != "cert A" {
			t.Errorf("Certificate after a late reply = %q, %v; want cert A", r.b, r.err)
		}
		if ev := <-rd.Events(); ev != borgerkiosk.CardInserted {
			t.Errorf("event = %v; want inserted (found by CERT)", ev)
		}

		// A request the reader never saw: the next one waits one timeout
		// for the missing reply, then goes ahead.
		res = async(func() ([]byte, error) { return rd.Certificate(ctx) })
		d.expect("CERT")
		wantCode(t, "lost request", (<-res).err, borgerkiosk.EUnavailable)
		start := time.Now()
		res = async(func() ([]byte, error) { return rd.Certificate(ctx) })
		d.expect("CERT")
		if waited := time.Since(start); waited != time.Second {
			t.Errorf("waited %v for the lost reply; want 1s", waited)
		}
		d.send("OK " + b64("cert A") + "\r\n")
		if r := <-res; r.err != nil {
			t.Errorf("Certificate after a lost request: %v", r.err)
		}

		// Error replies map to domain errors.
		for _, tt := range []struct{ reply, code string }{
			{"ERR LOCKED", borgerkiosk.ECardLocked},
			{"ERR PIN 1", borgerkiosk.EWrongPIN},
			{"ERR PIN x", borgerkiosk.EUnavailable},
			{"ERR BADREQ", borgerkiosk.EInternal},
			{"ERR WHATEVER", borgerkiosk.EUnavailable},
			{"OK !!!", borgerkiosk.EUnavailable},
			{"OK", borgerkiosk.EUnavailable},
		} {
			res = async(func() ([]byte, error) { return rd.Authenticate(ctx, "4711", []byte("nonce")) })
			d.expect("AUTH 4711 " + b64("nonce"))
			d.send(tt.reply + "\r\n")
			wantCode(t, tt.reply, (<-res).err, tt.code)
		}
		res = async(func() ([]byte, error) { return rd.Authenticate(ctx, "4711", []byte("nonce")) })
		d.expect("AUTH 4711 " + b64("nonce"))
		d.send("ERR PIN 2\r\n")
		var pe *borgerkiosk.PINError
		if err := (<-res).err; !errors.As(err, &pe) || pe.TriesLeft != 2 {
			t.Errorf("ERR PIN 2 -> %v; want PINError with 2 tries left", err)
		}
		for _, pin := range []string{"", "12 34", "12\r\n", "ÆØÅ", strings.Repeat("1", 33)} {
			_, err := rd.Authenticate(ctx, pin, []byte("n"))
			wantCode(t, "PIN "+pin, err, borgerkiosk.EInvalid)
		}

		// Authenticated, then the card is pulled while SIGN is in flight:
		// SIGN fails at once and the session is over.
		res = async(func() ([]byte, error) { return rd.Authenticate(ctx, "4711", []byte("nonce")) })
		d.expect("AUTH 4711 " + b64("nonce"))
		d.send("OK " + b64("sig") + "\r\n")
		if r := <-res; r.err != nil {
			t.Fatal(r.err)
		}
		res = async(func() ([]byte, error) { return rd.Sign(ctx, []byte("digest")) })
		d.expect("SIGN " + b64("digest"))
		d.send("EVT REMOVED\r\n")
		wantCode(t, "SIGN while removed", (<-res).err, borgerkiosk.ENoCard)
		if ev := <-rd.Events(); ev != borgerkiosk.CardRemoved {
			t.Errorf("event = %v; want removed", ev)
		}
		d.send("ERR NOCARD\r\n") // the reader's own answer to SIGN, now stale
		d.send("OK " + b64("unasked") + "\r\n")
		synctest.Wait()
		_, err := rd.Sign(ctx, []byte("digest"))
		wantCode(t, "SIGN after removal", err, borgerkiosk.ENoCard)
		if s := rd.Stats(); s.StaleReplies != 2 || s.Unsolicited != 1 || s.Timeouts != 2 || s.FrameErrors != 1 {
			t.Errorf("Stats = %+v; want 2 stale, 1 unsolicited, 2 timeouts, 1 frame error", s)
		}

		// Re-inserted: a new session, SIGN needs AUTH again.
		d.send("EVT INSERTED\r\n")
		if ev := <-rd.Events(); ev != borgerkiosk.CardInserted {
			t.Errorf("event = %v; want inserted", ev)
		}
		_, err = rd.Sign(ctx, []byte("digest"))
		wantCode(t, "SIGN after reinsertion", err, borgerkiosk.ENotAuthed)

		// The line is cut mid-reply: the request fails, the session ends,
		// and the driver is ready for the next connection.
		res = async(func() ([]byte, error) { return rd.Certificate(ctx) })
		d.expect("CERT")
		d.send("OK QUJD")
		d.conn.Close()
		wantCode(t, "cut-off reply", (<-res).err, borgerkiosk.EUnavailable)
		if ev := <-rd.Events(); ev != borgerkiosk.CardRemoved {
			t.Errorf("event after disconnect = %v; want removed", ev)
		}
		synctest.Wait()
		if rd.Connected() {
			t.Error("still connected after the line closed")
		}
		if s := rd.Stats(); s.FrameErrors != 2 {
			t.Errorf("FrameErrors = %d; want 2 (the cut-off line)", s.FrameErrors)
		}
		_, err = rd.Certificate(ctx)
		wantCode(t, "Certificate while disconnected", err, borgerkiosk.EUnavailable)

		// Reconnected with the card still in: found by the probe.
		d = connect(t, ctx, rd, &wg, "OK "+b64("cert A")+"\r\n")
		if ev := <-rd.Events(); ev != borgerkiosk.CardInserted {
			t.Errorf("event after reconnect = %v; want inserted", ev)
		}
		// A framing error may have eaten EVT lines: the driver re-reads the
		// certificate and notices another card.
		d.send("EVT \x00\r\n")
		d.expect("CERT")
		d.send("OK " + b64("cert B") + "\r\n")
		if ev := <-rd.Events(); ev != borgerkiosk.CardRemoved {
			t.Errorf("event = %v; want removed (another card)", ev)
		}
		if ev := <-rd.Events(); ev != borgerkiosk.CardInserted {
			t.Errorf("event = %v; want inserted (another card)", ev)
		}
	})
}

func TestCloseClosesEvents(t *testing.T) {
	rd := cardreader.New(cardreader.Options{Logger: discard()})
	rd.Close()
	if _, ok := <-rd.Events(); ok {
		t.Error("Events still open after Close")
	}
	_, err := rd.Certificate(t.Context())
	wantCode(t, "Certificate after Close", err, borgerkiosk.EUnavailable)
	if err := rd.Serve(t.Context(), nil); err == nil {
		t.Error("Serve after Close succeeded")
	}
}
