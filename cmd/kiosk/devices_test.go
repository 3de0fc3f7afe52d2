package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardreader"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/devices/receipt"
	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/session"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// TestIdlePrinterLogsNoNoise prints a slip and then idles the real printer
// driver (the status poll, escpos.Printer, tarm/serial) against the
// simulator on a pseudo-terminal with a fast poll, and wants no warnings: an idle kiosk's
// log filled with "printer status timeout" and "discarded stale bytes"
// would hide real faults (issue 10, item 19).
func TestIdlePrinterLogsNoNoise(t *testing.T) {
	polls, poll := 200, 5*time.Millisecond
	if v := os.Getenv("BK_IDLE_POLL"); v != "" { // the real 5 s poll, for a person
		poll, _ = time.ParseDuration(v)
		polls = 10
	}
	pt := openPTY(t)
	sim := printersim.New(t.TempDir())
	// The receipt is saved only once the kiosk's status check after the job
	// has its answer, as with a slow machine: a real printer answers status
	// requests while it prints.
	printed := make(chan struct{})
	sim.OnReceipt = func(printersim.Printed) {
		select {
		case <-printed:
		case <-time.After(30 * time.Second):
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	go sim.Serve(ctx, pt.Master)

	logs := &testtool.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	cfg := DefaultConfig().Devices
	d := newPrinterDevice(cfg, log)
	d.poll = poll
	reader := cardreader.New(cardreader.Options{Logger: log})
	t.Cleanup(func() { reader.Close() })
	svc := session.New(session.Config{Logger: log}, session.Deps{
		Reader: reader, Trust: kiosksync.LoadBundles(t.TempDir(), nil, log),
	})
	var stops []chan struct{}
	goBG := func(f func()) {
		done := make(chan struct{})
		stops = append(stops, done)
		go func() { defer close(done); f() }()
	}
	runDevice(ctx, goBG, pt.TTYPath, cfg.PrinterBaud, "printer", svc, log, d.serve(svc))

	job, err := receipt.HandoverSlip(sampleSlip(), receipt.Printer{RasterQR: true})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		err := d.Print(ctx, job)
		if err == nil {
			break
		}
		if time.Now().After(deadline) || !errors.Is(err, escpos.ErrNoAnswer) {
			t.Fatalf("Print = %v; want it printed", err)
		}
		time.Sleep(20 * time.Millisecond) // the port is still connecting
	}
	close(printed)

	// Idle: count the polls by the simulator's answers, four bytes each.
	start := sim.StatusRequests()
	deadline = time.Now().Add(60*time.Second + time.Duration(polls)*poll)
	for sim.StatusRequests()-start < int64(4*polls) {
		if time.Now().After(deadline) {
			t.Fatalf("only %d status requests; want %d", sim.StatusRequests(), 4*polls)
		}
		time.Sleep(10 * time.Millisecond)
	}
	idle := logs.String() // before the shutdown, which logs the port closing
	cancel()
	for _, d := range stops {
		<-d
	}
	for _, l := range strings.Split(idle, "\n") {
		if strings.Contains(l, "level=WARN") || strings.Contains(l, "level=ERROR") {
			t.Errorf("idle printer logged: %s", l)
		}
	}
}

// sampleSlip is a handover slip: the longest job, with a QR code.
func sampleSlip() receipt.Receipt {
	now := time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC)
	return receipt.Receipt{
		Kiosk: "test-kiosk", At: now,
		Delegation: &bk.Delegation{
			ID: "d-1", Principal: bk.MustParseCPR("150550-1234"), PrincipalName: "Ingrid Sørensen",
			Delegate: bk.MustParseCPR("230492-2345"), Scopes: []bk.ScopeGrant{{ScopeID: "tax"}},
			ValidFrom: now, ValidTo: now.AddDate(1, 0, 0),
		},
		Handover: &receipt.Handover{URL: "https://borgerkiosk.dk/h/" + strings.Repeat("A", 300), Expires: now.Add(24 * time.Hour)},
	}
}
