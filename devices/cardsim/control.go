package cardsim

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/devices/simctl"
)

const controlHelp = `commands:
  insert <cardfile>   put a card in the reader (EVT INSERTED)
  remove              take the card out (EVT REMOVED)
  status              show the card, its tries left and the kiosk link
  raw <quoted>        send bytes to the kiosk as is, e.g. raw "OK\x00\n" (line noise tests)
  help                this text
  quit                end this control session`

// ServeControl reads commands from r, one per line, and answers on w, until
// r ends, "quit", or ctx ends. A terminal prompt and a Unix socket (see
// ListenControl) both use it.
func (s *Simulator) ServeControl(ctx context.Context, r io.Reader, w io.Writer) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // lets the line reader go when we return first
	lines := make(chan string)
	readErr := make(chan error, 1)
	go func() {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 4096), 64*1024)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-ctx.Done():
				return
			}
		}
		readErr <- sc.Err()
	}()
	fmt.Fprintln(w, "card reader simulator; type help for commands")
	for {
		fmt.Fprint(w, "> ")
		select {
		case <-ctx.Done():
			fmt.Fprintln(w)
			return ctx.Err()
		case err := <-readErr:
			fmt.Fprintln(w)
			return err
		case line := <-lines:
			out, quit := s.control(strings.TrimSpace(line))
			if out != "" {
				fmt.Fprintln(w, out)
			}
			if quit {
				return nil
			}
		}
	}
}

func (s *Simulator) control(line string) (out string, quit bool) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "":
		return "", false
	case "help", "?":
		return controlHelp, false
	case "quit", "exit":
		return "bye", true
	case "status":
		return s.Status().String(), false
	case "insert":
		if arg == "" {
			return "error: insert needs a card file path", false
		}
		if err := s.Insert(arg); err != nil {
			return "error: " + err.Error(), false
		}
		st := s.Status()
		return fmt.Sprintf("ok: inserted %s (serial %s, tries left %d)", st.Holder, st.Serial, st.TriesLeft), false
	case "remove":
		if err := s.Remove(); err != nil {
			return "error: " + err.Error(), false
		}
		return "ok: removed", false
	case "raw":
		b, err := strconv.Unquote(arg)
		if err != nil {
			return `error: raw needs a Go-quoted string, e.g. raw "EVT\r\n"`, false
		}
		if err := s.SendRaw([]byte(b)); err != nil {
			return "error: " + err.Error(), false
		}
		return fmt.Sprintf("ok: sent %d bytes", len(b)), false
	}
	return fmt.Sprintf("error: unknown command %q; type help", cmd), false
}

// ListenControl serves the control commands on a Unix socket at socketPath
// (mode 0600) until ctx ends, then removes the socket and returns nil. A
// stale socket left by a crashed simulator is replaced; a live one is an
// error. Try it with: socat - UNIX-CONNECT:<socketPath>
func (s *Simulator) ListenControl(ctx context.Context, socketPath string) error {
	if err := simctl.ListenUnix(ctx, socketPath, s.ServeControl); err != nil {
		return fmt.Errorf("cardsim: %w", err)
	}
	return nil
}
