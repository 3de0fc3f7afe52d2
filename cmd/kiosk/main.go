// Command kiosk runs the Borgerkiosk kiosk: the Fyne window, the devices, the
// encrypted outbox and the pusher to central.
//
//	kiosk --config /etc/borgerkiosk/kiosk.toml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"
	_ "time/tzdata" // Danish time on a machine without /usr/share/zoneinfo

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/borgerkiosk/borgerkiosk/ui"
	"github.com/borgerkiosk/borgerkiosk/ui/fynelang"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
)

func main() {
	if err := run(os.Args[1:], os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}

func run(args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("kiosk", flag.ContinueOnError)
	fs.SetOutput(stderr)
	configPath := fs.String("config", "/etc/borgerkiosk/kiosk.toml", "configuration file (TOML)")
	windowed := fs.Bool("windowed", false, "run in a window even if the config asks for full screen")
	debugLog := fs.Bool("debug", false, "log at debug level")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := loadConfig(*configPath)
	if err != nil {
		return err
	}
	level := slog.LevelInfo
	if *debugLog {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	slog.SetDefault(log)

	if cfg.GoMemoryLimitMB > 0 && os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(int64(cfg.GoMemoryLimitMB) << 20)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.DebugAddr != "" {
		if err := serveDebug(ctx, cfg.DebugAddr, log); err != nil {
			return fmt.Errorf("debug_addr: %w", err)
		}
	}
	k, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer k.Close()

	// Fyne's own strings (in dialogs it draws itself) follow LANG; ours
	// follow each session's choice.
	if err := fynelang.Register(); err != nil {
		log.Warn("Fyne translations", "err", err)
	}
	a := app.NewWithID("dk.borgerkiosk.kiosk")
	w := a.NewWindow("Borgerkiosk")
	sp := speech.Detect()
	log.Info("read-aloud", "engine", sp.Name(), "available", sp.Available(), "reason", speech.Reason(sp))
	kui, err := ui.New(a, w, ui.Deps{
		Kiosk: k.svc, Speaker: sp, Log: log.With("component", "ui"),
		Config: ui.Config{
			KioskName: cfg.Site, IdleWarning: cfg.Session.IdleWarning.Duration, IdleCountdown: cfg.Session.IdleCountdown.Duration,
			MaxDelegationDays: cfg.Delegation.MaxDays, DefaultDelegationDays: cfg.Delegation.DefaultDays,
			ReminderDays:   cfg.Delegation.ReminderDays,
			AssistDuration: time.Hour, Zone: cfg.Zone(),
			CardReaderPlace: ui.Place(cfg.Enclosure.CardReader), ScannerPlace: ui.Place(cfg.Enclosure.Scanner),
		},
	})
	if err != nil {
		return err
	}
	defer kui.Close()
	if remote != nil { // a soak build (-tags soak): a test drives the window
		if err := remote(ctx, kui, log); err != nil {
			return err
		}
	}
	w.Resize(fyne.NewSize(1280, 1024))
	w.SetFullScreen(cfg.Fullscreen && !*windowed)
	go func() {
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	log.Info("kiosk started", "kiosk", cfg.KioskID, "central", cfg.CentralURL)
	a.Lifecycle().SetOnStarted(func() { startWatchdog(ctx, log) })
	w.ShowAndRun()
	return nil
}

func loadConfig(path string) (Config, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return Config{}, fmt.Errorf("config file %s not found; see packaging/kiosk.example.toml", path)
		}
		return Config{}, err
	}
	defer f.Close()
	c, err := ParseConfig(f)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
