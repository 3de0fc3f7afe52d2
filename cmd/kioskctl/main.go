// Command kioskctl is the operator's and developer's tool: card issuer keys,
// test cards, kiosk enrolment, queue inspection and the device simulators.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// command is one kioskctl subcommand.
type command struct {
	usage string
	run   func(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error
}

var commands map[string]command

func init() {
	commands = map[string]command{
		"issuer init":     {"issuer init --out FILE                      make a card issuer key", issuerInit},
		"card mint":       {"card mint --issuer FILE --cpr CPR --name NAME --pin PIN [--role citizen|staff --staff-id ID --days N] --out FILE", cardMint},
		"card revoke":     {"card revoke --central URL --operator-token-file FILE --serial SERIAL", cardRevoke},
		"enroll-token":    {"enroll-token --central URL --operator-token-file FILE [--ttl 24h]   issue a one-time kiosk enrolment token", enrollToken},
		"enroll":          {"enroll --central URL --token TOKEN --data DIR --kiosk-id ID [--site NAME]   enrol this kiosk", enroll},
		"queue":           {"queue --data DATA_DIR [--json|--summary]    list a stopped kiosk's pending, acknowledged and attention items", queue},
		"sim card-reader": {"sim card-reader [--link PATH] [--control SOCKET] [--insert CARDFILE]   card reader simulator on a pseudo-terminal", simCardReader},
		"sim send":        {"sim send --control SOCKET COMMAND...           send a command to a running simulator (e.g. insert FILE, remove, paper-out, scan TEXT)", simSend},
		"sim scanner":     {"sim scanner [--link PATH] [--control SOCKET]   QR scanner simulator (scan TEXT, scan-image FILE)", simScanner},
		"sim printer":     {"sim printer --out DIR [--link PATH] [--control SOCKET]   receipt printer simulator", simPrinter},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "kioskctl:", err)
		var u usageError
		if errors.As(err, &u) {
			os.Exit(2)
		}
		os.Exit(1)
	}
}

type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usage() string {
	var lines []string
	for _, c := range commands {
		lines = append(lines, "  kioskctl "+c.usage)
	}
	sort.Strings(lines)
	return "usage:\n" + strings.Join(lines, "\n")
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout io.Writer) error {
	for n := 2; n >= 1; n-- {
		if len(args) >= n {
			if c, ok := commands[strings.Join(args[:n], " ")]; ok {
				return c.run(ctx, args[n:], stdin, stdout)
			}
		}
	}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintln(stdout, usage())
		return nil
	}
	return usageError{fmt.Sprintf("unknown command %q\n%s", strings.Join(args, " "), usage())}
}

// flags makes a FlagSet that reports errors instead of exiting.
func flags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parse(fs *flag.FlagSet, args []string, required ...string) error {
	if err := fs.Parse(args); err != nil {
		return usageError{fmt.Sprintf("%s: %v\n%s", fs.Name(), err, commands[fs.Name()].usage)}
	}
	if fs.NArg() > 0 {
		return usageError{fmt.Sprintf("%s: unexpected argument %q", fs.Name(), fs.Arg(0))}
	}
	for _, r := range required {
		if fs.Lookup(r).Value.String() == "" {
			return usageError{fmt.Sprintf("%s: --%s is required\n  kioskctl %s", fs.Name(), r, commands[fs.Name()].usage)}
		}
	}
	return nil
}
