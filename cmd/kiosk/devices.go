package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/serialport"
	"github.com/borgerkiosk/borgerkiosk/session"
)

// runDevice keeps the serial device at path connected, driving it with
// handler and reporting its state to the staff screen. An empty path means
// the kiosk has no such device.
func runDevice(ctx context.Context, goBG func(func()), path string, baud int, name string, svc *session.Service, log *slog.Logger, handler serialport.Handler) {
	if path == "" {
		svc.SetDevice(name, bk.DeviceOffline)
		return
	}
	port := serialport.NewPort(serialport.PortConfig{
		Config: serialport.Config{Path: path, Baud: baud},
		Logger: log.With("device", name),
	})
	ch, unsub := port.Subscribe()
	goBG(func() {
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case st, ok := <-ch:
				if !ok {
					return
				}
				switch {
				case st.State == serialport.StateConnected && name != "printer":
					// The printer reports its own state from its status polls.
					svc.SetDevice(name, bk.DeviceOK)
				case st.State != serialport.StateConnected:
					svc.SetDevice(name, bk.DeviceOffline)
				}
			}
		}
	})
	goBG(func() { port.Run(ctx, handler) })
}

// printerDevice is the receipt printer across reconnections of its port.
type printerDevice struct {
	cfg  escpos.PrinterConfig
	log  *slog.Logger
	poll time.Duration // statusPoll; tests make it short

	mu sync.Mutex
	p  *escpos.Printer // nil while the port is down
}

func newPrinterDevice(cfg DevicesConfig, log *slog.Logger) *printerDevice {
	return &printerDevice{cfg: escpos.PrinterConfig{Baud: cfg.PrinterBaud, Logger: log}, log: log, poll: statusPoll}
}

var _ session.Printer = (*printerDevice)(nil)

// Print prints job on the printer of the current connection.
func (d *printerDevice) Print(ctx context.Context, job []byte) error {
	d.mu.Lock()
	p := d.p
	d.mu.Unlock()
	if p == nil {
		return escpos.ErrNoAnswer
	}
	return p.Print(ctx, job)
}

// statusPoll is how often an idle printer is asked for its status, so staff
// see "out of paper" before a citizen meets it and a dead line is noticed.
const statusPoll = 5 * time.Second

// serve returns the port handler: it polls the printer's status and ends the
// connection after three unanswered polls, so the port reconnects.
func (d *printerDevice) serve(svc *session.Service) func(ctx context.Context, rw io.ReadWriter) error {
	return func(ctx context.Context, rw io.ReadWriter) error {
		p := escpos.NewPrinter(rw, d.cfg)
		d.mu.Lock()
		d.p = p
		d.mu.Unlock()
		defer func() {
			d.mu.Lock()
			if d.p == p {
				d.p = nil
			}
			d.mu.Unlock()
		}()
		missed := 0
		t := time.NewTicker(d.poll)
		defer t.Stop()
		for {
			st, err := p.Status(ctx)
			switch {
			case err != nil && ctx.Err() != nil:
				return ctx.Err()
			case err != nil:
				missed++
				svc.SetDevice("printer", bk.DeviceOffline)
				if missed >= 3 {
					return err
				}
			default:
				missed = 0
				svc.SetDevice("printer", printerState(st.Problem()))
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-t.C:
			}
		}
	}
}

// printerState turns a printer problem into what the staff screen shows.
func printerState(problem error) bk.DeviceState {
	switch {
	case problem == nil:
		return bk.DeviceOK
	case errors.Is(problem, escpos.ErrPaperOut):
		return bk.DevicePaperOut
	default:
		return bk.DeviceOffline
	}
}
