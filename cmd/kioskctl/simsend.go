package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"time"
)

// simSend sends one command to a running simulator's control socket and
// prints its answer, so scripts and people need no socat.
func simSend(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("sim send")
	socket := fs.String("control", "", "the simulator's control socket")
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("sim send: %v\n  kioskctl %s", err, commands["sim send"].usage)}
	}
	if *socket == "" || fs.NArg() == 0 {
		return usageError{"sim send: --control and a command are required\n  kioskctl " + commands["sim send"].usage}
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", *socket)
	if err != nil {
		return fmt.Errorf("no simulator answers on %s: %w", *socket, err)
	}
	defer c.Close()
	if _, err := fmt.Fprintln(c, strings.Join(fs.Args(), " ")); err != nil {
		return err
	}
	// The simulators answer each command with one or more lines at once; a
	// short quiet period ends the answer.
	r := bufio.NewReader(c)
	for {
		c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
		line, err := r.ReadString('\n')
		if line != "" {
			fmt.Fprint(out, line)
		}
		if err != nil {
			return nil
		}
	}
}
