// Package cardreader is the kiosk-side driver of the card reader's line
// protocol (see DESIGN.md, "Identity at the kiosk"):
//
//	reader → kiosk   EVT INSERTED | EVT REMOVED
//	kiosk  → reader  CERT                      ← OK <base64 certificate>
//	kiosk  → reader  AUTH <pin> <base64 nonce> ← OK <base64 signature> | ERR PIN <n> | ERR LOCKED
//	kiosk  → reader  SIGN <base64 digest>      ← OK <base64 signature>
//
// plus ERR NOCARD, ERR NOTAUTH and ERR BADREQ replies. Lines end in CR LF and
// are at most MaxLine bytes.
package cardreader

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/borgerkiosk/borgerkiosk"
)

var _ borgerkiosk.CardReader = (*Reader)(nil)

// Options configure a Reader.
type Options struct {
	// Timeout is how long a request waits for its reply; 0 means 5 s.
	Timeout time.Duration
	// Logger; nil means slog.Default().
	Logger *slog.Logger
}

// Stats counts what went wrong on the line, for logs and metrics.
type Stats struct {
	FrameErrors  uint64 // lines that broke the framing rules (or were not protocol lines)
	Timeouts     uint64 // requests that got no reply in time
	StaleReplies uint64 // late replies to timed-out requests, dropped
	Unsolicited  uint64 // replies nobody asked for, dropped
}

// Reader implements borgerkiosk.CardReader over a serial connection handed to
// Serve. It outlives connections: when the port is reconnected, Serve is
// called again with the new connection, and Events stays the same channel.
//
// One goroutine (Serve) reads the line and splits card events from replies;
// requests are sent one at a time and wait for their reply up to a timeout.
type Reader struct {
	timeout time.Duration
	log     *slog.Logger
	events  *eventQueue
	sem     chan struct{} // one request on the line at a time

	mu      sync.Mutex
	conn    *conn
	pending *pending
	stale   int           // replies still owed to requests that gave up
	drained chan struct{} // closed when stale drops to 0
	present bool          // a card is in the reader, as far as we know
	cert    []byte        // its certificate, once read
	authed  bool          // AUTH succeeded since the card was inserted
	probing bool
	closed  bool
	stats   Stats
}

type conn struct {
	w    io.Writer
	done chan struct{}
}

type pending struct {
	kind string     // CERT, AUTH or SIGN
	ch   chan reply // buffered 1
}

type reply struct {
	line string
	err  error
}

// New returns a Reader with no connection; call Serve to attach one.
func New(opts Options) *Reader {
	if opts.Timeout <= 0 {
		opts.Timeout = 5 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Reader{
		timeout: opts.Timeout,
		log:     opts.Logger,
		events:  newEventQueue(),
		sem:     make(chan struct{}, 1),
	}
}

// Events implements borgerkiosk.CardReader.
func (r *Reader) Events() <-chan borgerkiosk.CardEvent { return r.events.out }

// Connected reports whether a connection is attached.
func (r *Reader) Connected() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.conn != nil
}

// Stats returns the line fault counters.
func (r *Reader) Stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stats
}

// Close closes the Events channel and makes every later request fail with
// EUnavailable. It does not close a connection; cancel Serve's context.
func (r *Reader) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	r.events.close()
	return nil
}

// Serve drives the reader over rw until rw fails or ctx ends, and returns
// why. When ctx ends, Serve closes rw if it is an io.Closer, to unblock its
// Read. Framing errors are logged and counted, never fatal. When Serve
// returns, a card that was in the reader is reported removed: the session
// ends, since nobody can vouch for what happened while the line was down.
//
// Serve has the signature of serialport.Handler.
func (r *Reader) Serve(ctx context.Context, rw io.ReadWriter) error {
	c := &conn{w: rw, done: make(chan struct{})}
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		return errors.New("cardreader: reader closed")
	case r.conn != nil:
		r.mu.Unlock()
		return errors.New("cardreader: Serve already running")
	}
	r.conn = c
	r.stale = 0
	r.mu.Unlock()

	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(cctx, func() {
		if cl, ok := rw.(io.Closer); ok {
			cl.Close()
		}
	})
	defer stop()

	r.log.Info("card reader connected")
	// A card may already be in the reader (the kiosk restarted, the cable
	// was replugged): ask.
	r.startProbe(cctx)

	f := NewFramer(rw)
	var err error
	for {
		line, ferr := f.Next()
		if ferr != nil {
			var fe *FrameError
			if errors.As(ferr, &fe) {
				r.badLine(cctx, fe)
				continue
			}
			err = ferr
			break
		}
		r.handle(cctx, line)
	}
	r.disconnect(c, err)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

func (r *Reader) handle(ctx context.Context, line string) {
	switch {
	case line == "EVT INSERTED":
		r.mu.Lock()
		if r.present {
			// A second insert without a removal: the REMOVED line was lost.
			r.endSessionLocked()
		}
		r.present, r.authed, r.cert = true, false, nil
		r.events.push(borgerkiosk.CardInserted)
		r.mu.Unlock()
		r.log.Info("card inserted")
	case line == "EVT REMOVED":
		r.mu.Lock()
		if r.present {
			r.endSessionLocked()
		}
		r.mu.Unlock()
		r.log.Info("card removed")
	case line == "OK" || strings.HasPrefix(line, "OK ") || strings.HasPrefix(line, "ERR "):
		r.reply(reply{line: line})
	default:
		r.badLine(ctx, fmt.Errorf("card reader sent an unknown line of %d bytes", len(line)))
	}
}

// endSessionLocked reports the card gone and fails a request in flight at
// once; its reply, when it comes, is dropped.
func (r *Reader) endSessionLocked() {
	r.present, r.authed, r.cert = false, false, nil
	r.events.push(borgerkiosk.CardRemoved)
	if p := r.pending; p != nil {
		r.pending = nil
		r.addStaleLocked()
		p.ch <- reply{err: noCard()}
	}
}

func (r *Reader) reply(rep reply) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stale > 0 {
		r.stale--
		r.stats.StaleReplies++
		if r.stale == 0 {
			close(r.drained)
		}
		r.log.Debug("card reader: dropped a late reply")
		return
	}
	if p := r.pending; p != nil {
		r.pending = nil
		p.ch <- r.applyLocked(p.kind, rep)
		return
	}
	r.stats.Unsolicited++
	r.log.Warn("card reader: reply nobody asked for")
}

// badLine handles a line that could not be understood. If a request is
// waiting, this was most likely its reply, so the request fails at once; but
// it may have been noise, so a reply may still come and the next request
// lets it pass first (see do). Since the lost line may have been an EVT, the
// card in the slot is checked again.
func (r *Reader) badLine(ctx context.Context, err error) {
	r.log.Warn("card reader line fault", "err", err)
	r.mu.Lock()
	r.stats.FrameErrors++
	// A bad line never counts as a reply owed earlier: guessing wrong there
	// would hand one request's reply to the next.
	if p := r.pending; p != nil {
		r.pending = nil
		r.addStaleLocked()
		p.ch <- reply{err: borgerkiosk.Errorf(borgerkiosk.EUnavailable, "The card reader sent a garbled reply.")}
	}
	r.mu.Unlock()
	r.startProbe(ctx)
}

func (r *Reader) disconnect(c *conn, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.conn != c {
		return
	}
	r.conn = nil
	close(c.done)
	if r.present {
		r.endSessionLocked()
	}
	if p := r.pending; p != nil {
		r.pending = nil
		p.ch <- reply{err: unavailable()}
	}
	if r.stale > 0 {
		r.stale = 0
		close(r.drained)
	}
	r.log.Warn("card reader disconnected", "err", err)
}

func (r *Reader) addStaleLocked() {
	if r.stale == 0 {
		r.drained = make(chan struct{})
	}
	r.stale++
}

// startProbe asks the reader for the card's certificate in the background,
// to learn whether a card is in and whether it is still the same card.
func (r *Reader) startProbe(ctx context.Context) {
	r.mu.Lock()
	if r.probing || r.closed {
		r.mu.Unlock()
		return
	}
	r.probing = true
	r.mu.Unlock()
	go func() {
		defer func() {
			r.mu.Lock()
			r.probing = false
			r.mu.Unlock()
		}()
		_, _ = r.Certificate(ctx)
	}()
}

// applyLocked updates what we know about the card from a reply, in line
// order with the EVT lines (the reply is applied by the line reader, before
// any later EVT line is read).
func (r *Reader) applyLocked(kind string, rep reply) reply {
	if rep.err != nil {
		return rep
	}
	line := rep.line
	if line == "ERR NOCARD" {
		if r.present {
			r.endSessionLocked()
		}
		return rep
	}
	switch kind {
	case "CERT":
		data, ok := strings.CutPrefix(line, "OK ")
		if !ok {
			return rep
		}
		cert, err := base64.StdEncoding.Strict().DecodeString(data)
		if err != nil || len(cert) == 0 {
			return rep
		}
		if r.present && r.cert != nil && !bytes.Equal(r.cert, cert) {
			// Another card, and both EVT lines were lost.
			r.endSessionLocked()
		}
		if !r.present {
			r.present, r.authed = true, false
			r.events.push(borgerkiosk.CardInserted)
			r.log.Info("card found in the reader")
		}
		r.cert = cert
	case "AUTH":
		r.authed = false
		if strings.HasPrefix(line, "OK ") {
			if !r.present {
				// No insertion was reported: no session can start.
				return reply{err: noCard()}
			}
			r.authed = true
		}
	case "SIGN":
		if line == "ERR NOTAUTH" {
			r.authed = false
		}
	}
	return rep
}

// do sends line and waits for its reply. logLine is what may be logged.
func (r *Reader) do(ctx context.Context, kind, line, logLine string) (string, error) {
	select {
	case r.sem <- struct{}{}:
	case <-ctx.Done():
		return "", ctx.Err()
	}
	defer func() { <-r.sem }()
	if err := ctx.Err(); err != nil {
		// select picks at random when both were ready.
		return "", err
	}

	// Replies owed to requests that gave up come first. Wait for them, but
	// not forever: a request the reader never saw will never be answered.
	r.mu.Lock()
	drained := r.drained
	stale := r.stale
	r.mu.Unlock()
	if stale > 0 {
		t := time.NewTimer(r.timeout)
		select {
		case <-drained:
		case <-t.C:
			r.mu.Lock()
			if r.stale > 0 {
				r.stale = 0
				close(r.drained)
			}
			r.mu.Unlock()
		case <-ctx.Done():
			t.Stop()
			return "", ctx.Err()
		}
		t.Stop()
	}

	r.mu.Lock()
	if r.closed || r.conn == nil {
		r.mu.Unlock()
		return "", unavailable()
	}
	c := r.conn
	p := &pending{kind: kind, ch: make(chan reply, 1)}
	r.pending = p
	r.mu.Unlock()

	r.log.Debug("card reader request", "line", logLine)
	if err := WriteLine(c.w, line); err != nil {
		r.mu.Lock()
		if r.pending == p {
			r.pending = nil
		}
		r.mu.Unlock()
		r.log.Warn("card reader write failed", "request", logLine, "err", err)
		return "", unavailable()
	}

	t := time.NewTimer(r.timeout)
	defer t.Stop()
	select {
	case rep := <-p.ch:
		return rep.line, rep.err
	case <-t.C:
		r.giveUp(p, c)
		r.mu.Lock()
		r.stats.Timeouts++
		r.mu.Unlock()
		r.log.Warn("card reader did not answer", "request", logLine, "timeout", r.timeout)
		return "", borgerkiosk.Errorf(borgerkiosk.EUnavailable, "The card reader did not answer in time.")
	case <-ctx.Done():
		r.giveUp(p, c)
		return "", ctx.Err()
	}
}

// giveUp stops waiting for p's reply; if it still comes, it is dropped.
func (r *Reader) giveUp(p *pending, c *conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.pending == p {
		r.pending = nil
		if r.conn == c {
			r.addStaleLocked()
		}
	}
}

// Certificate implements borgerkiosk.CardReader.
func (r *Reader) Certificate(ctx context.Context) ([]byte, error) {
	line, err := r.do(ctx, "CERT", "CERT", "CERT")
	if err != nil {
		return nil, err
	}
	return r.okData(line, "CERT")
}

// Authenticate implements borgerkiosk.CardReader. The PIN is never logged.
func (r *Reader) Authenticate(ctx context.Context, pin string, nonce []byte) ([]byte, error) {
	if err := checkPIN(pin); err != nil {
		return nil, err
	}
	if len(nonce) == 0 {
		return nil, borgerkiosk.Errorf(borgerkiosk.EInvalid, "The challenge to sign is empty.")
	}
	r.mu.Lock()
	r.authed = false
	r.mu.Unlock()
	line, err := r.do(ctx, "AUTH", "AUTH "+pin+" "+base64.StdEncoding.EncodeToString(nonce), "AUTH ****")
	if err != nil {
		return nil, err
	}
	return r.okData(line, "AUTH")
}

// Sign implements borgerkiosk.CardReader and borgerkiosk.Signer.
func (r *Reader) Sign(ctx context.Context, digest []byte) ([]byte, error) {
	if len(digest) == 0 {
		return nil, borgerkiosk.Errorf(borgerkiosk.EInvalid, "Nothing to sign.")
	}
	r.mu.Lock()
	present, authed := r.present, r.authed
	r.mu.Unlock()
	switch {
	case !present:
		return nil, noCard()
	case !authed:
		return nil, notAuthed()
	}
	line, err := r.do(ctx, "SIGN", "SIGN "+base64.StdEncoding.EncodeToString(digest), "SIGN")
	if err != nil {
		return nil, err
	}
	return r.okData(line, "SIGN")
}

// okData decodes an "OK <base64>" reply or maps an ERR reply to a domain error.
func (r *Reader) okData(line, request string) ([]byte, error) {
	if data, ok := strings.CutPrefix(line, "OK "); ok {
		b, err := base64.StdEncoding.Strict().DecodeString(data)
		if err != nil || len(b) == 0 {
			r.log.Warn("card reader: bad data in reply", "request", request)
			return nil, borgerkiosk.Errorf(borgerkiosk.EUnavailable, "The card reader sent a garbled reply.")
		}
		return b, nil
	}
	code, _ := strings.CutPrefix(line, "ERR ")
	switch {
	case code == "NOCARD":
		return nil, noCard()
	case code == "LOCKED":
		return nil, borgerkiosk.Errorf(borgerkiosk.ECardLocked, "The card is locked after too many wrong PINs.")
	case code == "NOTAUTH":
		return nil, notAuthed()
	case strings.HasPrefix(code, "PIN "):
		n, err := strconv.Atoi(strings.TrimPrefix(code, "PIN "))
		if err == nil && n >= 0 && n <= 99 {
			return nil, &borgerkiosk.PINError{TriesLeft: n}
		}
	case code == "BADREQ":
		r.log.Error("card reader rejected a request as malformed", "request", request)
		return nil, borgerkiosk.Errorf(borgerkiosk.EInternal, "The card reader did not understand the request.")
	}
	r.log.Warn("card reader: unexpected reply", "request", request, "reply_len", len(line))
	return nil, borgerkiosk.Errorf(borgerkiosk.EUnavailable, "The card reader sent an unexpected reply.")
}

// checkPIN refuses PINs that cannot travel as one protocol word.
func checkPIN(pin string) error {
	if len(pin) == 0 || len(pin) > 32 {
		return borgerkiosk.Errorf(borgerkiosk.EInvalid, "The PIN must be 1 to 32 characters.")
	}
	for i := 0; i < len(pin); i++ {
		if c := pin[i]; c <= ' ' || c > '~' {
			return borgerkiosk.Errorf(borgerkiosk.EInvalid, "The PIN can only hold digits and the letters A to Z.")
		}
	}
	return nil
}

func noCard() error {
	return borgerkiosk.Errorf(borgerkiosk.ENoCard, "There is no card in the reader.")
}

func notAuthed() error {
	return borgerkiosk.Errorf(borgerkiosk.ENotAuthed, "Enter your PIN first.")
}

func unavailable() error {
	return borgerkiosk.Errorf(borgerkiosk.EUnavailable, "The card reader cannot be reached.")
}

// eventQueue delivers card events in order without ever blocking the line
// reader: a removal must not be lost because nobody is reading yet.
type eventQueue struct {
	out    chan borgerkiosk.CardEvent
	mu     sync.Mutex
	q      []borgerkiosk.CardEvent
	wake   chan struct{}
	done   chan struct{}
	closed bool
}

func newEventQueue() *eventQueue {
	e := &eventQueue{
		out:  make(chan borgerkiosk.CardEvent),
		wake: make(chan struct{}, 1),
		done: make(chan struct{}),
	}
	go e.run()
	return e
}

func (e *eventQueue) push(ev borgerkiosk.CardEvent) {
	e.mu.Lock()
	if !e.closed {
		e.q = append(e.q, ev)
	}
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *eventQueue) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if !e.closed {
		e.closed = true
		close(e.done)
	}
}

func (e *eventQueue) run() {
	defer close(e.out)
	for {
		e.mu.Lock()
		if len(e.q) == 0 {
			e.mu.Unlock()
			select {
			case <-e.wake:
				continue
			case <-e.done:
				return
			}
		}
		ev := e.q[0]
		e.mu.Unlock()
		select {
		case e.out <- ev:
			e.mu.Lock()
			e.q = e.q[1:]
			e.mu.Unlock()
		case <-e.done:
			return
		}
	}
}
