package cardsim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"github.com/borgerkiosk/borgerkiosk/devices/cardreader"
)

// maxSigned bounds a nonce or digest the simulator signs.
const maxSigned = 1024

// Simulator is a card reader with a slot for one simulated card.
type Simulator struct {
	log *slog.Logger

	mu     sync.Mutex // held while handling a request, so an EVT never splits a reply
	out    io.Writer  // the kiosk side while Serve runs
	outMu  sync.Mutex // one line per Write
	card   *CardFile
	path   string
	authed bool
}

// Status describes the simulator for its control interface.
type Status struct {
	KioskConnected bool // Serve is running
	Card           bool // a card is inserted
	Path           string
	Serial         string
	Holder         string
	Role           string
	TriesLeft      int
	Locked         bool
	Authenticated  bool
}

// New returns a simulator with an empty slot. A nil logger means slog.Default().
func New(log *slog.Logger) *Simulator {
	if log == nil {
		log = slog.Default()
	}
	return &Simulator{log: log}
}

// Serve speaks the protocol on rw (the kiosk's side of the line) until rw
// fails or ctx ends. When ctx ends it closes rw if rw is an io.Closer. Lines
// that break the protocol get ERR BADREQ.
func (s *Simulator) Serve(ctx context.Context, rw io.ReadWriter) error {
	s.mu.Lock()
	if s.out != nil {
		s.mu.Unlock()
		return errors.New("cardsim: Serve already running")
	}
	s.out = rw
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		s.out = nil
		s.mu.Unlock()
	}()
	stop := context.AfterFunc(ctx, func() {
		if c, ok := rw.(io.Closer); ok {
			c.Close()
		}
	})
	defer stop()

	f := cardreader.NewFramer(rw)
	for {
		line, err := f.Next()
		var fe *cardreader.FrameError
		switch {
		case errors.As(err, &fe):
			s.log.Warn("card reader simulator: framing error", "err", fe)
			s.mu.Lock()
			s.writeLocked("ERR BADREQ")
			s.mu.Unlock()
			continue
		case err != nil:
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return err
		}
		s.mu.Lock()
		resp := s.exec(line)
		s.writeLocked(resp)
		s.mu.Unlock()
	}
}

// writeLocked writes a line to the kiosk, if one is connected. s.mu is held.
func (s *Simulator) writeLocked(line string) {
	if s.out == nil {
		return
	}
	s.outMu.Lock()
	defer s.outMu.Unlock()
	if err := cardreader.WriteLine(s.out, line); err != nil {
		s.log.Warn("card reader simulator: write failed", "err", err)
	}
}

// SendRaw writes b to the kiosk unchanged, for testing how the kiosk copes
// with line noise.
func (s *Simulator) SendRaw(b []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.out == nil {
		return errors.New("no kiosk connected")
	}
	s.outMu.Lock()
	defer s.outMu.Unlock()
	_, err := s.out.Write(b)
	return err
}

func (s *Simulator) exec(line string) string {
	f := strings.Split(line, " ")
	switch f[0] {
	case "CERT":
		if len(f) != 1 {
			return "ERR BADREQ"
		}
		s.log.Info("card reader simulator: CERT")
		if s.card == nil {
			return "ERR NOCARD"
		}
		return "OK " + base64.StdEncoding.EncodeToString(s.card.Certificate)
	case "AUTH":
		if len(f) != 3 || f[1] == "" {
			return "ERR BADREQ"
		}
		nonce, ok := decodeArg(f[2])
		if !ok {
			return "ERR BADREQ"
		}
		s.log.Info("card reader simulator: AUTH ****")
		return s.auth(f[1], nonce)
	case "SIGN":
		if len(f) != 2 {
			return "ERR BADREQ"
		}
		digest, ok := decodeArg(f[1])
		if !ok {
			return "ERR BADREQ"
		}
		s.log.Info("card reader simulator: SIGN")
		switch {
		case s.card == nil:
			return "ERR NOCARD"
		case !s.authed:
			return "ERR NOTAUTH"
		}
		return "OK " + base64.StdEncoding.EncodeToString(s.card.Sign(digest))
	}
	s.log.Warn("card reader simulator: unknown request", "len", len(line))
	return "ERR BADREQ"
}

func decodeArg(a string) ([]byte, bool) {
	b, err := base64.StdEncoding.Strict().DecodeString(a)
	return b, err == nil && len(b) > 0 && len(b) <= maxSigned
}

// auth checks pin, counting and persisting wrong tries. s.mu is held.
func (s *Simulator) auth(pin string, nonce []byte) string {
	c := s.card
	if c == nil {
		return "ERR NOCARD"
	}
	s.authed = false
	if c.Locked || c.TriesLeft <= 0 {
		return "ERR LOCKED"
	}
	if !c.CheckPIN(pin) {
		c.TriesLeft--
		if c.TriesLeft <= 0 {
			c.TriesLeft, c.Locked = 0, true
		}
		// The count must survive a restart, or a person could guess
		// forever by restarting the simulator.
		if err := c.Save(s.path); err != nil {
			s.log.Error("card reader simulator: cannot save tries left", "err", err)
		}
		if c.Locked {
			s.log.Warn("card reader simulator: card locked", "serial", c.Serial)
			return "ERR LOCKED"
		}
		return "ERR PIN " + strconv.Itoa(c.TriesLeft)
	}
	if c.TriesLeft != MaxTries {
		c.TriesLeft = MaxTries
		if err := c.Save(s.path); err != nil {
			s.log.Error("card reader simulator: cannot save tries left", "err", err)
		}
	}
	s.authed = true
	return "OK " + base64.StdEncoding.EncodeToString(c.Sign(nonce))
}

// Insert loads the card file at path into the slot and tells the kiosk.
func (s *Simulator) Insert(path string) error {
	c, err := LoadCardFile(path)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card != nil {
		return errors.New("a card is already in the reader; remove it first")
	}
	s.card, s.path, s.authed = c, path, false
	s.writeLocked("EVT INSERTED")
	s.log.Info("card reader simulator: card inserted", "serial", c.Serial)
	return nil
}

// Remove takes the card out and tells the kiosk; the session ends.
func (s *Simulator) Remove() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.card == nil {
		return errors.New("there is no card in the reader")
	}
	s.card, s.path, s.authed = nil, "", false
	s.writeLocked("EVT REMOVED")
	s.log.Info("card reader simulator: card removed")
	return nil
}

// Status returns the simulator's state.
func (s *Simulator) Status() Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := Status{KioskConnected: s.out != nil, Authenticated: s.authed}
	if c := s.card; c != nil {
		st.Card = true
		st.Path, st.Serial, st.Holder, st.Role = s.path, c.Serial, c.Holder, c.Role
		st.TriesLeft, st.Locked = c.TriesLeft, c.Locked
	}
	return st
}

func (st Status) String() string {
	kiosk := "not connected"
	if st.KioskConnected {
		kiosk = "connected"
	}
	if !st.Card {
		return fmt.Sprintf("kiosk: %s\ncard: none", kiosk)
	}
	return fmt.Sprintf("kiosk: %s\ncard: %s\nserial: %s\nholder: %s\nrole: %s\ntries left: %d\nlocked: %v\nauthenticated: %v",
		kiosk, st.Path, st.Serial, st.Holder, st.Role, st.TriesLeft, st.Locked, st.Authenticated)
}
