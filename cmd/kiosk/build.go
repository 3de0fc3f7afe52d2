package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/devices/cardreader"
	"github.com/borgerkiosk/borgerkiosk/devices/escpos"
	"github.com/borgerkiosk/borgerkiosk/devices/receipt"
	"github.com/borgerkiosk/borgerkiosk/session"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// kiosk is everything of the kiosk except its window: the parts that run
// for real in tests too.
type kiosk struct {
	svc     *session.Service
	outbox  *kiosksync.Outbox
	pusher  *kiosksync.Pusher
	bundles *kiosksync.Bundles
	reader  *cardreader.Reader
	printer *printerDevice
	log     *slog.Logger
	stop    func() // stops the background work and closes the outbox
}

// Close stops the kiosk's background work and closes the outbox.
func (k *kiosk) Close() { k.stop() }

// build wires the kiosk from its configuration: enrolment on first start,
// the encrypted outbox, the pusher, the devices and the session service.
func build(ctx context.Context, cfg Config, log *slog.Logger) (*kiosk, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data_dir: %w", err)
	}
	id, err := identity(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	ob, err := kiosksync.Open(filepath.Join(cfg.DataDir, "outbox"), kiosksync.Options{
		Retention: cfg.Sync.Retention.Duration, Logger: log.With("component", "outbox"),
	})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	k := &kiosk{outbox: ob, log: log}
	var bg []chan struct{}
	goBG := func(f func()) {
		done := make(chan struct{})
		bg = append(bg, done)
		go func() { defer close(done); f() }()
	}
	k.stop = func() {
		cancel()
		for _, d := range bg {
			<-d
		}
		if k.reader != nil {
			k.reader.Close()
		}
		ob.Close()
	}

	k.bundles = kiosksync.LoadBundles(cfg.DataDir, id.CentralKey, log.With("component", "trust"))
	client := kiosksync.NewClient(id, nil)
	k.pusher, err = kiosksync.NewPusher(kiosksync.PusherConfig{
		Queue: ob, Client: client, Bundles: k.bundles, BundleInterval: cfg.Sync.BundleRefresh.Duration,
		StateDir: cfg.DataDir, Site: cfg.Site, Logger: log.With("component", "pusher"),
	})
	if err != nil {
		k.stop()
		return nil, err
	}

	k.reader = cardreader.New(cardreader.Options{Logger: log.With("device", "card-reader")})
	k.printer = newPrinterDevice(cfg.Devices, log.With("device", "printer"))
	ps := receipt.Printer{Config: escpos.Config{Columns: cfg.Devices.PrinterColumns}, RasterQR: !cfg.Devices.PrinterNativeQR}
	k.svc = session.New(session.Config{
		KioskID: id.KioskID, Site: cfg.Site, KioskKey: id.Key,
		HandoverBaseURL: handoverBase(cfg), HandoverValidity: cfg.Handover.Validity.Duration,
		MaxDelegation: time.Duration(cfg.Delegation.MaxDays) * 24 * time.Hour, Printer: ps, Zone: cfg.Zone(),
		Logger: log.With("component", "session"),
	}, session.Deps{
		Reader: k.reader, Outbox: ob, Central: client, Trust: k.bundles, Printer: k.printer,
		Sync:    syncStatus{pusher: k.pusher, outbox: ob},
		Confirm: confirmer{pusher: k.pusher, outbox: ob},
	})

	goBG(func() { k.pusher.Run(ctx) })
	goBG(func() {
		ch, unsub := k.pusher.Subscribe()
		defer unsub()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
				k.svc.StatusChanged()
			}
		}
	})
	runDevice(ctx, goBG, cfg.Devices.CardReader, cfg.Devices.CardReaderBaud, "reader", k.svc, log, k.reader.Serve)
	runDevice(ctx, goBG, cfg.Devices.Printer, cfg.Devices.PrinterBaud, "printer", k.svc, log, k.printer.serve(k.svc))
	runDevice(ctx, goBG, cfg.Devices.Scanner, cfg.Devices.ScannerBaud, "scanner", k.svc, log, scannerHandler(k.svc, log))
	return k, nil
}

// identity loads the kiosk's enrolment, enrolling first if needed.
func identity(ctx context.Context, cfg Config, log *slog.Logger) (*kiosksync.Identity, error) {
	id, err := kiosksync.LoadIdentity(cfg.DataDir)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, kiosksync.ErrNotEnrolled) {
		return nil, err
	}
	if cfg.EnrollTokenFile == "" {
		return nil, fmt.Errorf("this kiosk is not enrolled: set enroll_token_file in the config, or run kioskctl enroll")
	}
	tok, err := os.ReadFile(cfg.EnrollTokenFile)
	if err != nil {
		return nil, fmt.Errorf("enroll_token_file: %w", err)
	}
	log.Info("enrolling with central", "central", cfg.CentralURL, "kiosk", cfg.KioskID)
	return kiosksync.Enroll(ctx, cfg.DataDir, cfg.CentralURL, strings.TrimSpace(string(tok)), cfg.KioskID, cfg.Site, nil)
}

// handoverBase is the address phones open: the configured public URL, else
// central's own.
func handoverBase(cfg Config) string {
	if cfg.Handover.PublicURL != "" {
		return cfg.Handover.PublicURL
	}
	return cfg.CentralURL
}

// syncStatus shows the pusher and outbox to the session service.
type syncStatus struct {
	pusher *kiosksync.Pusher
	outbox *kiosksync.Outbox
}

func (s syncStatus) Status() bk.Status {
	st := s.pusher.Status()
	return bk.Status{
		Online: st.Online, Pending: st.Pending, OldestPending: st.OldestPending,
		// The outbox's own count: the pusher's is from its last attempt, so
		// it still counted an action staff had just dismissed.
		LastSync: st.LastSync, Attention: s.outbox.Stats().Attention, ClockSkew: st.ClockSkew,
	}
}

func (s syncStatus) Attention(ctx context.Context) ([]bk.AttentionItem, error) {
	items, err := s.outbox.Attention()
	if err != nil {
		return nil, bk.Errorf(bk.EUnavailable, "The kiosk's queue cannot be read.")
	}
	out := make([]bk.AttentionItem, 0, len(items))
	for i := len(items) - 1; i >= 0; i-- { // newest first
		it := items[i]
		out = append(out, bk.AttentionItem{
			ActionID: it.ActionID, Kind: it.Kind, OccurredAt: it.OccurredAt, Actor: it.ActorCPR, ActorName: it.ActorName,
			Verdict: bk.Verdict{ActionID: it.ActionID, Seq: it.Seq, Outcome: it.Outcome, Reason: it.Reason, Message: it.Message},
		})
	}
	return out, nil
}

// Dismiss takes actionID off the outbox's attention list, recording by.
func (s syncStatus) Dismiss(ctx context.Context, actionID, by string) error {
	items, err := s.outbox.Attention()
	if err != nil {
		return bk.Errorf(bk.EUnavailable, "The kiosk's queue cannot be read.")
	}
	for _, it := range items {
		if it.ActionID != actionID {
			continue
		}
		err := s.outbox.Dismiss(it.Seq, by)
		if errors.Is(err, kiosksync.ErrNotOnList) {
			break // dismissed meanwhile
		} else if err != nil {
			return bk.Errorf(bk.EUnavailable, "The kiosk's queue cannot be written.")
		}
		return nil
	}
	return bk.Errorf(bk.ENotFound, "That action is not on the attention list.")
}

// SyncNow asks the pusher for an attempt and waits for it to finish.
func (s syncStatus) SyncNow(ctx context.Context) error {
	before := s.pusher.Status().At
	ch, unsub := s.pusher.Subscribe()
	defer unsub()
	s.pusher.SyncNow()
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		select {
		case <-ctx.Done():
			return bk.Errorf(bk.EUnavailable, "The central service did not answer in time.")
		case st := <-ch:
			if !st.At.After(before) || st.State == kiosksync.StatePushing || st.State == kiosksync.StateStarting {
				continue
			}
			if !st.Online {
				return bk.Errorf(bk.EUnavailable, "The central service cannot be reached right now.")
			}
			return nil
		}
	}
}

// confirmer waits for the outbox to hold central's verdict on an action.
type confirmer struct {
	pusher *kiosksync.Pusher
	outbox *kiosksync.Outbox
}

func (c confirmer) AwaitVerdict(ctx context.Context, seq uint64) (bk.Verdict, bool) {
	ch, unsub := c.pusher.Subscribe()
	defer unsub()
	for {
		if v, _, ok, err := c.outbox.Verdict(seq); err == nil && ok {
			return v, true
		}
		select {
		case <-ctx.Done():
			return bk.Verdict{}, false
		case <-ch:
		}
	}
}
