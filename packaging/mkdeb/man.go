package main

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Program is one installed command and the prose of its man page. The
// options are not written here: ManPage takes them from the binary's own
// help, so the page cannot drift from the flags.
type Program struct {
	Name     string   // as installed in /usr/bin
	Binary   string   // in the bin directory
	HelpArgs []string // what makes the binary print its flags
	Summary  string   // the NAME line's words after the dash
	Synopsis string
	About    []string // DESCRIPTION paragraphs
	Files    [][2]string
	SeeAlso  string
}

var (
	kioskProgram = Program{
		Name: "borgerkiosk-kiosk", Binary: "kiosk", HelpArgs: []string{"-h"},
		Summary:  "Borgerkiosk citizen-service kiosk",
		Synopsis: "[\\fIoptions\\fR]",
		About: []string{
			"The full-screen kiosk where citizens see and manage consents and digital power of attorney with their card and PIN. " +
				"It drives the serial card reader, receipt printer and QR scanner named in its configuration, keeps an encrypted " +
				"outbox of actions and sends them to the central service.",
			"On a kiosk it runs under the cage Wayland compositor on tty1, started by borgerkiosk-kiosk.service as the user kiosk. " +
				"It tells systemd it is ready once its window is up and sends watchdog pings from its user-interface thread, " +
				"so a hung screen is restarted.",
		},
		Files: [][2]string{
			{"/etc/borgerkiosk/kiosk.toml", "the configuration (every setting is explained in it)"},
			{"/var/lib/borgerkiosk", "the default data directory: the kiosk's key and its outbox"},
		},
		SeeAlso: "kioskctl(1), borgerkiosk-central(1), cage(1)",
	}
	centralProgram = Program{
		Name: "borgerkiosk-central", Binary: "central", HelpArgs: []string{"-h"},
		Summary:  "Borgerkiosk central service",
		Synopsis: "[\\fIoptions\\fR]",
		About: []string{
			"The registry behind the Borgerkiosk kiosks: it receives their actions, decides conflicts, serves trust bundles, " +
				"the authorities' consent API and the relatives' handover pages. It keeps its state in embedded Badger or in PostgreSQL.",
			"It refuses to start without a card issuer (issuer_files in the configuration); only with \\-\\-demo does it make a " +
				"development issuer key. Under systemd (borgerkiosk-central.service) it says when it is ready and sends watchdog pings.",
		},
		Files: [][2]string{
			{"/etc/borgerkiosk/central.toml", "the configuration (every setting is explained in it)"},
			{"/var/lib/borgerkiosk-central", "central's signing key, the operator token, the store key and the store"},
		},
		SeeAlso: "kioskctl(1), borgerkiosk-kiosk(1)",
	}
	kioskctlProgram = Program{
		Name: "kioskctl", Binary: "kioskctl", HelpArgs: []string{"help"},
		Summary:  "Borgerkiosk operator tool",
		Synopsis: "\\fIcommand\\fR [\\fIoptions\\fR]",
		About: []string{
			"kioskctl makes card issuer keys, test cards and kiosk enrolment tokens, enrols a kiosk, lists what a stopped " +
				"kiosk still holds in its outbox, and simulates the kiosk's serial devices on pseudo-terminals.",
		},
		SeeAlso: "borgerkiosk-kiosk(1), borgerkiosk-central(1)",
	}
)

// Help runs the binary to print its flags (Go's flag package exits non-zero
// after -h; what counts is what it printed).
func (p Program) Help(binary string) (string, error) {
	out, err := exec.Command(binary, p.HelpArgs...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return "", fmt.Errorf("%s %s: %v", binary, strings.Join(p.HelpArgs, " "), err)
	}
	return string(out), nil
}

// option is one flag as Go's flag.PrintDefaults prints it.
type option struct{ name, arg, usage string }

// parseFlags reads flag.PrintDefaults output: "  -name type" (or "  -x\t…")
// lines, each followed by usage lines indented with "    \t".
func parseFlags(help string) []option {
	var opts []option
	for _, line := range strings.Split(help, "\n") {
		switch {
		case strings.HasPrefix(line, "  -"):
			head, usage, _ := strings.Cut(strings.TrimPrefix(line, "  -"), "\t")
			name, arg, _ := strings.Cut(strings.TrimSpace(head), " ")
			opts = append(opts, option{name: name, arg: arg, usage: strings.TrimSpace(usage)})
		case strings.HasPrefix(line, "    \t") && len(opts) > 0:
			o := &opts[len(opts)-1]
			o.usage = strings.TrimSpace(o.usage + " " + strings.TrimSpace(line))
		}
	}
	return opts
}

// parseCommands reads kioskctl's "usage:" list: one "  kioskctl …" line per
// command, its flags in the line.
func parseCommands(help string) []string {
	var cmds []string
	for _, line := range strings.Split(help, "\n") {
		if c, ok := strings.CutPrefix(line, "  kioskctl "); ok {
			cmds = append(cmds, strings.TrimSpace(c))
		}
	}
	return cmds
}

// ManPage writes the page in man(7) roff from the program's prose and its
// help output.
func (p Program) ManPage(help, version string, date time.Time) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, ".TH %s 1 %q %q \"Borgerkiosk\"\n", strings.ToUpper(p.Name), date.UTC().Format("2006-01-02"), "borgerkiosk "+version)
	fmt.Fprintf(&b, ".SH NAME\n%s \\- %s\n", roffEscape(p.Name), p.Summary)
	fmt.Fprintf(&b, ".SH SYNOPSIS\n.B %s\n%s\n", roffEscape(p.Name), p.Synopsis)
	b.WriteString(".SH DESCRIPTION\n")
	for i, para := range p.About {
		if i > 0 {
			b.WriteString(".PP\n")
		}
		b.WriteString(para + "\n")
	}
	if p.HelpArgs[0] == "help" {
		cmds := parseCommands(help)
		if len(cmds) == 0 {
			return nil, fmt.Errorf("%s %s printed no commands:\n%s", p.Binary, p.HelpArgs[0], help)
		}
		b.WriteString(".SH COMMANDS\n")
		for _, c := range cmds {
			// "sub [flags]   what it does": the text after three spaces, if any.
			use, what, _ := strings.Cut(c, "   ")
			fmt.Fprintf(&b, ".TP\n.B %s\n%s\n", roffEscape(strings.TrimSpace(use)), roffEscape(strings.TrimSpace(what)))
		}
	} else {
		opts := parseFlags(help)
		if len(opts) == 0 {
			return nil, fmt.Errorf("%s %s printed no flags:\n%s", p.Binary, p.HelpArgs[0], help)
		}
		b.WriteString(".SH OPTIONS\n")
		for _, o := range opts {
			fmt.Fprintf(&b, ".TP\n.B \\-\\-%s", roffEscape(o.name))
			if o.arg != "" {
				fmt.Fprintf(&b, " \\fI%s\\fR", roffEscape(o.arg))
			}
			fmt.Fprintf(&b, "\n%s\n", roffEscape(o.usage))
		}
	}
	if len(p.Files) > 0 {
		b.WriteString(".SH FILES\n")
		for _, f := range p.Files {
			fmt.Fprintf(&b, ".TP\n.I %s\n%s\n", f[0], f[1])
		}
	}
	fmt.Fprintf(&b, ".SH SEE ALSO\n%s\n", p.SeeAlso)
	return b.Bytes(), nil
}

// roffEscape makes text from a help message safe in a roff line: a
// backslash is printed with \e, a dash is a real minus (options), and a
// line cannot start with a control character.
func roffEscape(s string) string {
	s = strings.ReplaceAll(s, `\`, `\e`)
	s = strings.ReplaceAll(s, "-", `\-`)
	if strings.HasPrefix(s, ".") || strings.HasPrefix(s, "'") {
		s = `\&` + s
	}
	return s
}
