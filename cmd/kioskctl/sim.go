package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/devices/cardsim"
	"github.com/borgerkiosk/borgerkiosk/devices/printersim"
	"github.com/borgerkiosk/borgerkiosk/devices/ptyhost"
	"github.com/borgerkiosk/borgerkiosk/devices/qrscanner"
	"github.com/borgerkiosk/borgerkiosk/devices/simctl"
)

// openPTY makes the simulator's pseudo-terminal and says where the kiosk
// should open it.
func openPTY(link string, out io.Writer, what string) (*ptyhost.PTY, error) {
	p, err := ptyhost.Open()
	if err != nil {
		return nil, err
	}
	where := p.TTYPath
	if link != "" {
		if err := p.Link(link); err != nil {
			p.Close()
			return nil, err
		}
		where = link + " -> " + p.TTYPath
	}
	fmt.Fprintf(out, "%s simulator on %s\n", what, where)
	return p, nil
}

// serveControl runs a control interface on a Unix socket when one is named,
// else on standard input.
func serveControl(ctx context.Context, socket string, stdin io.Reader, out io.Writer,
	listen func(context.Context, string) error, serve func(context.Context, io.Reader, io.Writer) error) error {
	if socket != "" {
		fmt.Fprintf(out, "control socket %s (e.g. echo help | socat - UNIX-CONNECT:%s)\n", socket, socket)
		return listen(ctx, socket)
	}
	fmt.Fprintln(out, "type help for commands")
	return serve(ctx, stdin, out)
}

func simCardReader(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flags("sim card-reader")
	link := fs.String("link", "", "also reach the reader at this path (a symlink)")
	control := fs.String("control", "", "Unix socket for insert/remove commands (default: this terminal)")
	insert := fs.String("insert", "", "card file to insert at start")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := openPTY(*link, out, "card reader")
	if err != nil {
		return err
	}
	defer p.Close()
	sim := cardsim.New(slog.Default().With("device", "card-reader-sim"))
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sim.Serve(ctx, p.Master) }()
	if *insert != "" {
		if err := sim.Insert(*insert); err != nil {
			return err
		}
	}
	go func() {
		serveControl(ctx, *control, stdin, out, sim.ListenControl, sim.ServeControl)
		cancel()
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

func simPrinter(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flags("sim printer")
	dir := fs.String("out", "", "directory for receipt PNG and text files")
	link := fs.String("link", "", "also reach the printer at this path (a symlink)")
	control := fs.String("control", "", "Unix socket for paper/cover commands (default: this terminal)")
	cols := fs.Int("columns", 42, "characters per line")
	if err := parse(fs, args, "out"); err != nil {
		return err
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		return err
	}
	p, err := openPTY(*link, out, "receipt printer")
	if err != nil {
		return err
	}
	defer p.Close()
	sim := printersim.New(*dir)
	sim.Columns = *cols
	sim.OnReceipt = func(r printersim.Printed) {
		if r.Discarded {
			fmt.Fprintf(out, "receipt %d discarded: the printer cannot print now\n", r.Seq)
			return
		}
		fmt.Fprintf(out, "receipt %d saved: %s\n", r.Seq, r.PNGPath)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- sim.Serve(ctx, p.Master) }()
	ctl := &printerControl{sim: sim}
	go func() {
		serveControl(ctx, *control, stdin, out, func(ctx context.Context, path string) error {
			return simctl.ListenUnix(ctx, path, ctl.serve)
		}, ctl.serve)
		cancel()
	}()
	select {
	case <-ctx.Done():
		return nil
	case err := <-errc:
		return err
	}
}

// printerControl lets a person make the simulated printer fail.
type printerControl struct{ sim *printersim.Simulator }

func (c *printerControl) serve(ctx context.Context, r io.Reader, w io.Writer) error {
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if ctx.Err() != nil {
			return nil
		}
		st := c.sim.State()
		switch f := strings.Fields(sc.Text()); {
		case len(f) == 0:
			continue
		case f[0] == "help":
			fmt.Fprintln(w, "commands: paper-out, paper-low, paper-ok, cover-open, cover-closed, offline, online, status, quit")
			continue
		case f[0] == "quit":
			return nil
		case f[0] == "paper-out":
			st.PaperOut = true
		case f[0] == "paper-low":
			st.PaperNearEnd = true
		case f[0] == "paper-ok":
			st.PaperOut, st.PaperNearEnd = false, false
		case f[0] == "cover-open":
			st.CoverOpen = true
		case f[0] == "cover-closed":
			st.CoverOpen = false
		case f[0] == "offline":
			st.Offline = true
		case f[0] == "online":
			st.Offline = false
		case f[0] == "status":
		default:
			fmt.Fprintf(w, "unknown command %q; type help\n", f[0])
			continue
		}
		c.sim.SetState(st)
		fmt.Fprintf(w, "printer: %+v\n", st)
	}
	return sc.Err()
}

func simScanner(ctx context.Context, args []string, stdin io.Reader, out io.Writer) error {
	fs := flags("sim scanner")
	link := fs.String("link", "", "also reach the scanner at this path (a symlink)")
	control := fs.String("control", "", "Unix socket for scan commands (default: this terminal)")
	if err := parse(fs, args); err != nil {
		return err
	}
	p, err := openPTY(*link, out, "QR scanner")
	if err != nil {
		return err
	}
	defer p.Close()
	sim := &qrscanner.Sim{W: p.Master, Framing: qrscanner.Framing{Suffix: qrscanner.SuffixCRLF}}
	serve := func(ctx context.Context, r io.Reader, w io.Writer) error {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			cmd, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
			switch cmd {
			case "":
			case "help":
				fmt.Fprintln(w, "commands: scan TEXT, scan-image FILE.png, quit")
			case "quit":
				return nil
			case "scan":
				if err := sim.Scan(ctx, arg); err != nil {
					fmt.Fprintf(w, "error: %v\n", err)
					continue
				}
				fmt.Fprintf(w, "scanned %d characters\n", len(arg))
			case "scan-image":
				texts, err := sim.ScanImage(ctx, arg)
				if err != nil {
					fmt.Fprintf(w, "error: %v\n", err)
					continue
				}
				if len(texts) == 0 {
					fmt.Fprintln(w, "no code found in the image")
					continue
				}
				fmt.Fprintf(w, "scanned %d code(s) from %s\n", len(texts), arg)
			default:
				fmt.Fprintf(w, "unknown command %q; type help\n", cmd)
			}
		}
		return sc.Err()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	serveControl(ctx, *control, stdin, out, func(ctx context.Context, path string) error {
		return simctl.ListenUnix(ctx, path, serve)
	}, serve)
	return nil
}
