package escpos

import (
	"fmt"

	"github.com/borgerkiosk/borgerkiosk"
)

// Real-time status requests, DLE EOT n. The printer answers each with one
// byte, even while offline, so these work when nothing else does.
var (
	StatusPrinter = []byte{DLE, EOT, 1} // online, waiting for recovery
	StatusOffline = []byte{DLE, EOT, 2} // cover, paper-end stop, error
	StatusError   = []byte{DLE, EOT, 3} // cutter, (un)recoverable errors
	StatusPaper   = []byte{DLE, EOT, 4} // roll near end, roll end
)

// statusQuery asks all four statuses at once; the replies come in order.
var statusQuery = append(append(append(append([]byte(nil),
	StatusPrinter...), StatusOffline...), StatusError...), StatusPaper...)

// Status is what a printer reports about itself. The raw bytes are kept for
// logs.
type Status struct {
	Online           bool
	WaitingRecovery  bool // offline until an error is cleared
	CoverOpen        bool
	PaperOut         bool // roll end sensor: no paper
	PaperStop        bool // printing stopped because the paper ended
	PaperNearEnd     bool // a warning: print, but staff should change the roll
	Error            bool // some error stopped printing (see below)
	CutterError      bool
	RecoverableError bool
	Unrecoverable    bool
	AutoRecoverable  bool // e.g. print head too hot; clears by itself
	Raw              [4]byte
}

// Person-safe reasons. Each is an *borgerkiosk.Error with code EUnavailable;
// compare with errors.Is.
var (
	ErrNoAnswer      = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer does not answer; check that it is switched on and connected")
	ErrBadReply      = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer gave a reply that could not be understood")
	ErrPaperOut      = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer is out of paper")
	ErrCoverOpen     = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer cover is open")
	ErrCutter        = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer's paper cutter is stuck; staff must clear it")
	ErrPrinterFault  = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer has a fault and must be restarted by staff")
	ErrPrinterBusy   = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer is recovering from an error; try again in a moment")
	ErrOffline       = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer is offline")
	ErrPaperOutInJob = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer ran out of paper while printing; the receipt may be incomplete")
	ErrFaultInJob    = borgerkiosk.Errorf(borgerkiosk.EUnavailable, "the printer stopped with a fault while printing; the receipt may be incomplete")
)

// ParseStatus reads the replies to DLE EOT 1, 2, 3 and 4, in that order.
// Every status byte has bits 1 and 4 set and bits 0 and 7 clear; a byte that
// breaks this is noise on the line or another device, and is an error.
func ParseStatus(reply []byte) (Status, error) {
	var s Status
	if len(reply) != 4 {
		return s, fmt.Errorf("escpos: status reply of %d bytes, want 4", len(reply))
	}
	for i, c := range reply {
		if c&0x93 != 0x12 {
			return s, fmt.Errorf("escpos: status byte %d is %#02x, not a DLE EOT reply", i+1, c)
		}
	}
	copy(s.Raw[:], reply)
	p, o, e, r := reply[0], reply[1], reply[2], reply[3]
	s.Online = p&0x08 == 0
	s.WaitingRecovery = p&0x20 != 0
	s.CoverOpen = o&0x04 != 0
	s.PaperStop = o&0x20 != 0
	s.Error = o&0x40 != 0
	s.RecoverableError = e&0x04 != 0
	s.CutterError = e&0x08 != 0
	s.Unrecoverable = e&0x20 != 0
	s.AutoRecoverable = e&0x40 != 0
	s.PaperNearEnd = r&0x0C != 0
	s.PaperOut = r&0x60 != 0
	return s, nil
}

// Problem returns why the printer cannot print now, as an error safe to show
// a person, or nil when it can. A roll near its end is not a problem.
func (s Status) Problem() error {
	switch {
	case s.CoverOpen:
		return ErrCoverOpen
	case s.PaperOut || s.PaperStop:
		return ErrPaperOut
	case s.CutterError:
		return ErrCutter
	case s.Unrecoverable:
		return ErrPrinterFault
	case s.AutoRecoverable || s.RecoverableError || s.WaitingRecovery:
		return ErrPrinterBusy
	case s.Error:
		return ErrPrinterFault
	case !s.Online:
		return ErrOffline
	}
	return nil
}

func (s Status) String() string {
	return fmt.Sprintf("online=%t cover_open=%t paper_out=%t near_end=%t error=%t raw=% x",
		s.Online, s.CoverOpen, s.PaperOut || s.PaperStop, s.PaperNearEnd, s.Error, s.Raw)
}
