// Command loadtest measures a real central service under load: it enrols K
// kiosks through the API, pushes N signed actions from each at a chosen
// concurrency while authorities check consents and delegations, and prints
// throughput, latencies, backpressure (503 and 429, whose Retry-After it
// honours), errors and central's (and PostgreSQL's) CPU and memory, each
// beside a baseline measured in the same run (see docs/scaling.md).
//
//	loadtest [-store badger|postgres] [-dsn DSN] [-kiosks K] [-actions N] [-concurrency C] [-json]
//
// By default it starts the central binary itself (-central-bin, else
// "central" beside this program or on PATH) in a temporary directory, with
// a card issuer of its own and, for PostgreSQL without -dsn, a temporary
// cluster as internal/pgtest makes for tests. With -central URL it loads a
// running central instead (see -operator-token-file and the other flags
// that mode needs); then central's own CPU and memory are not measured.
//
// It is a separate command so that the product binaries do not carry its
// baseline code (pgx used directly) or the test card issuer.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	rep, err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadtest:", err)
		os.Exit(2)
	}
	if rep != nil && !rep.OK() {
		os.Exit(1)
	}
}

// Options are the command's flags.
type Options struct {
	Store       string
	DSN         string
	CentralBin  string
	CentralURL  string
	OperatorTok string // file, with -central
	IssuerKey   string // file, with -central: the issuer central trusts
	AuthTokens  string // with -central: sundhed=FILE,skat=FILE
	Kiosks      int
	Actions     int
	Batch       int
	Concurrency int
	Checkers    int
	CheckFor    time.Duration
	Assist      bool
	JSON        bool
	JSONOut     string
	PgBouncer   bool
	BouncerPool int
	Quiet       bool
	// PreloadCitizens and PreloadConsents size a registry COPYed in
	// before the run (preload.go).
	PreloadCitizens, PreloadConsents int
}

func parseFlags(args []string, stderr io.Writer) (*Options, error) {
	o := &Options{}
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.Store, "store", "badger", "central's store: badger or postgres")
	fs.StringVar(&o.DSN, "dsn", "", "PostgreSQL DSN (a role that may create tables); default: a temporary cluster")
	fs.StringVar(&o.CentralBin, "central-bin", "", "the central binary to start; default: central beside loadtest, else on PATH")
	fs.StringVar(&o.CentralURL, "central", "", "load a running central at this URL instead of starting one")
	fs.StringVar(&o.OperatorTok, "operator-token-file", "", "with -central: the operator token file (its enrolment rate limit must be off)")
	fs.StringVar(&o.IssuerKey, "issuer-key", "", "with -central: the private key of a card issuer central trusts (kioskctl issuer init)")
	fs.StringVar(&o.AuthTokens, "authority-tokens", "", "with -central: sundhed=FILE,skat=FILE bearer token files")
	fs.IntVar(&o.Kiosks, "kiosks", 100, "kiosks to enrol")
	fs.IntVar(&o.Actions, "actions", 100, "signed actions each kiosk pushes")
	fs.IntVar(&o.Batch, "batch", 100, "actions per push (at most 256)")
	fs.IntVar(&o.Concurrency, "concurrency", 16, "pushes in flight")
	fs.IntVar(&o.Checkers, "checkers", 4, "authority clients checking consents and delegations, during ingest and after")
	fs.DurationVar(&o.CheckFor, "check-time", 10*time.Second, "how long the checks run after ingest, against their baselines")
	fs.BoolVar(&o.Assist, "assist", true, "staff-assisted actions (four signatures each, as the issue measured), else the citizen's alone (two)")
	fs.BoolVar(&o.JSON, "json", false, "print the report as JSON instead of a table")
	fs.BoolVar(&o.PgBouncer, "pgbouncer", false, "with -store postgres and no -dsn: central reaches the temporary cluster through pgbouncer in transaction mode")
	fs.IntVar(&o.BouncerPool, "pgbouncer-pool", 4, "with -pgbouncer: server connections pgbouncer keeps (central opens -concurrency)")
	fs.StringVar(&o.JSONOut, "json-out", "", "also write the report as JSON to this file")
	fs.BoolVar(&o.Quiet, "q", false, "no progress lines on standard error")
	fs.IntVar(&o.PreloadCitizens, "preload-citizens", 0, "with -store postgres: citizens of a registry COPYed in before the run (one delegation each)")
	fs.IntVar(&o.PreloadConsents, "preload-consents", 0, "with -preload-citizens: consents of those citizens, spread over five authorities")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	switch {
	case o.Store != "badger" && o.Store != "postgres":
		return nil, fmt.Errorf("-store must be badger or postgres, not %q", o.Store)
	case o.Kiosks < 1 || o.Actions < 1 || o.Concurrency < 1 || o.Checkers < 0:
		return nil, errors.New("-kiosks, -actions and -concurrency must be at least 1, -checkers at least 0")
	case o.Batch < 1 || o.Batch > 256:
		return nil, errors.New("-batch must be between 1 and 256")
	case o.Kiosks*(o.Actions+1) > 1_300_000:
		return nil, errors.New("at most 1,300,000 actions in all (the distinct CPR numbers the tool makes)")
	case o.PgBouncer && (o.Store != "postgres" || o.DSN != "" || o.CentralURL != ""):
		return nil, errors.New("-pgbouncer goes with -store postgres, without -dsn or -central")
	case o.PreloadCitizens < 0 || o.PreloadConsents < 0 || (o.PreloadCitizens > 0) != (o.PreloadConsents > 0):
		return nil, errors.New("-preload-citizens and -preload-consents go together, both above 0")
	case o.PreloadCitizens > 1_400_000 || o.PreloadConsents > 20_000_000:
		return nil, errors.New("at most 1,400,000 preloaded citizens (the distinct CPR numbers the tool makes) and 20,000,000 consents")
	case o.PreloadCitizens > 0 && (o.Store != "postgres" || o.CentralURL != ""):
		return nil, errors.New("-preload-citizens goes with -store postgres, central started by the tool")
	case o.CentralURL != "" && (o.OperatorTok == "" || o.IssuerKey == "" || o.AuthTokens == ""):
		return nil, errors.New("-central needs -operator-token-file, -issuer-key and -authority-tokens")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) (*Report, error) {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return nil, err
	}
	progress := func(format string, a ...any) {
		if !o.Quiet {
			fmt.Fprintf(stderr, "loadtest: "+format+"\n", a...)
		}
	}
	rep, err := measure(ctx, o, progress)
	if err != nil {
		return nil, err
	}
	if o.JSONOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(o.JSONOut, append(b, '\n'), 0o644); err != nil {
			return nil, err
		}
	}
	if o.JSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return rep, enc.Encode(rep)
	}
	rep.WriteTable(stdout)
	return rep, nil
}
