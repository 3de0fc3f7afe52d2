// Command mkdeb builds Borgerkiosk's Debian packages from binaries that
// `make deb` left in bin/, with the pinned nfpm CLI (`go tool nfpm`, pinned
// in packaging/go.mod, so the product's go.mod holds none of nfpm's
// dependencies) and one nfpm.yaml per package in packaging/nfpm:
//
//	borgerkiosk-kiosk     the Fyne kiosk under the cage compositor, its unit,
//	                      PAM file, example udev rules, icon and kiosk.toml
//	borgerkiosk-central   the central service, its unit and central.toml
//	borgerkiosk-kioskctl  the operator tool, which both of the others want;
//	                      a package of its own so that kiosk and central can
//	                      be installed on one machine without a file clash
//
// Before nfpm runs, mkdeb writes what Debian wants beside the programs and
// what must follow from the source rather than be kept by hand: the man
// pages, from each binary's own --help (so they list exactly its flags), the
// changelog, from the version, the copyright file, from LICENSE, and the
// glibc the kiosk needs, from the symbol versions in its binary.
//
// Run it from packaging/ (make deb does):
//
//	go run ./mkdeb --root .. --bin ../bin --out ../dist [--version 1.2.3] [--maintainer "Name <mail>"]
//
// It prints the path of each package it wrote.
package main

import (
	"cmp"
	"debug/elf"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"time"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
}

// Options say where the inputs are and what to build.
type Options struct {
	Root       string    // repository root, holding packaging/ and LICENSE
	Bin        string    // directory with kiosk, central and kioskctl
	Out        string    // where the .deb files go (made if missing)
	Version    string    // Debian version, e.g. 1.2.3 or 0.1.0~git42.gabc1234
	GoArch     string    // GOARCH the binaries were built for
	Maintainer string    // "Name <email>"
	MTime      time.Time // time stamp of every file, for reproducible packages
	// Nfpm runs the nfpm CLI; nil means `go tool nfpm` in Root/packaging.
	Nfpm func(args []string, env []string) error
}

// DefaultMaintainer is who the packages name when neither --maintainer nor
// DEBFULLNAME/DEBEMAIL says otherwise: a real address (lintian refuses
// localhost), the project's.
const DefaultMaintainer = "Borgerkiosk maintainers <borgerkiosk@borgerkiosk.dk>"

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mkdeb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.Root, "root", "..", "repository root (holds packaging/ and LICENSE)")
	fs.StringVar(&o.Bin, "bin", "../bin", "directory with the kiosk, central and kioskctl binaries")
	fs.StringVar(&o.Out, "out", "../dist", "directory for the .deb files")
	fs.StringVar(&o.Version, "version", "", "package version (default: from `git describe --tags`, else 0.1.0)")
	fs.StringVar(&o.GoArch, "arch", "", "GOARCH of the binaries (default: $GOARCH, else this machine's)")
	fs.StringVar(&o.Maintainer, "maintainer", "", `"Name <email>" (default: $DEBFULLNAME <$DEBEMAIL>, else `+DefaultMaintainer+")")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if o.Version == "" {
		o.Version = gitVersion(o.Root)
	}
	if o.GoArch == "" {
		o.GoArch = cmp.Or(os.Getenv("GOARCH"), runtime.GOARCH)
	}
	if o.Maintainer == "" {
		o.Maintainer = defaultMaintainer()
	}
	o.MTime = sourceDate(o.Root)
	paths, err := Build(o)
	for _, p := range paths {
		fmt.Fprintln(stdout, p)
	}
	return err
}

// Package is one .deb: its name, its nfpm config, and the programs in it.
type Package struct {
	Name     string
	Config   string    // under packaging/nfpm
	Programs []Program // the binaries it installs, each with a man page
	Files    []string  // other inputs under packaging/, checked before building
}

// Packages are the three packages, in the order Build writes them.
var Packages = []Package{
	{Name: "borgerkiosk-kiosk", Config: "kiosk.yaml", Programs: []Program{kioskProgram},
		Files: []string{"systemd/borgerkiosk-kiosk.service", "systemd/borgerkiosk-kiosk-failed.service",
			"pam/borgerkiosk-kiosk", "udev/99-borgerkiosk.rules", "icon.png", "kiosk.example.toml",
			"deb/kiosk.postinst", "deb/kiosk.prerm", "deb/kiosk.postrm"}},
	{Name: "borgerkiosk-central", Config: "central.yaml", Programs: []Program{centralProgram},
		Files: []string{"systemd/borgerkiosk-central.service", "systemd/borgerkiosk-central-failed.service",
			"central.example.toml", "deb/central.postinst", "deb/central.prerm", "deb/central.postrm"}},
	{Name: "borgerkiosk-kioskctl", Config: "kioskctl.yaml", Programs: []Program{kioskctlProgram}},
}

// Build writes the packages into o.Out and returns their paths.
func Build(o Options) ([]string, error) {
	version, err := DebianVersion(o.Version)
	if err != nil {
		return nil, err
	}
	arch, ok := debArch[o.GoArch]
	if !ok {
		return nil, fmt.Errorf("GOARCH %q has no Debian architecture here; use one of %s", o.GoArch, strings.Join(goArches(), ", "))
	}
	if !validMaintainer.MatchString(o.Maintainer) {
		return nil, fmt.Errorf("maintainer %q must look like \"Name <user@host.domain>\"", o.Maintainer)
	}
	if strings.HasSuffix(o.Maintainer, "@localhost>") {
		return nil, fmt.Errorf("maintainer %q has no real mail host; set DEBFULLNAME and DEBEMAIL, or --maintainer", o.Maintainer)
	}
	pk := filepath.Join(o.Root, "packaging")
	// Check every input before writing anything, so one run names every
	// missing file and never leaves half a set of packages behind.
	var errs []error
	for _, p := range Packages {
		errs = append(errs, checkSource(filepath.Join(pk, "nfpm", p.Config), "the nfpm config of "+p.Name, ""))
		for _, f := range p.Files {
			errs = append(errs, checkSource(filepath.Join(pk, f), p.Name, ""))
		}
		for _, prog := range p.Programs {
			errs = append(errs, checkSource(filepath.Join(o.Bin, prog.Binary), "/usr/bin/"+prog.Name, o.GoArch))
		}
	}
	errs = append(errs, checkSource(filepath.Join(o.Root, "LICENSE"), "the copyright files", ""))
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	gen, err := os.MkdirTemp("", "mkdeb-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(gen)
	license, err := os.ReadFile(filepath.Join(o.Root, "LICENSE"))
	if err != nil {
		return nil, err
	}
	copyright, err := Copyright(string(license))
	if err != nil {
		return nil, fmt.Errorf("LICENSE: %w", err)
	}
	if err := os.WriteFile(filepath.Join(gen, "copyright"), []byte(copyright), 0o644); err != nil {
		return nil, err
	}
	libc := map[string]string{} // package → its Depends on glibc
	for _, p := range Packages {
		for _, prog := range p.Programs {
			d, err := LibcDepends(filepath.Join(o.Bin, prog.Binary))
			if err != nil {
				return nil, err
			}
			libc[p.Name] = newestLibc(libc[p.Name], d)
		}
		if err := writeGzip(filepath.Join(gen, p.Name, "changelog.gz"), Changelog(p.Name, version, o.Maintainer, o.MTime), o.MTime); err != nil {
			return nil, err
		}
		for _, prog := range p.Programs {
			help, err := prog.Help(filepath.Join(o.Bin, prog.Binary))
			if err != nil {
				return nil, err
			}
			page, err := prog.ManPage(help, version, o.MTime)
			if err != nil {
				return nil, err
			}
			if err := writeGzip(filepath.Join(gen, prog.Name+".1.gz"), page, o.MTime); err != nil {
				return nil, err
			}
		}
	}

	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	out, err := filepath.Abs(o.Out)
	if err != nil {
		return nil, err
	}
	bin, err := filepath.Abs(o.Bin)
	if err != nil {
		return nil, err
	}
	nfpm := o.Nfpm
	if nfpm == nil {
		nfpm = goToolNfpm(pk)
	}
	env := []string{
		"VERSION=" + version, "ARCH=" + arch, "MAINTAINER=" + o.Maintainer, "BIN=" + bin, "GEN=" + gen,
		"SOURCE_DATE_EPOCH=" + strconv.FormatInt(o.MTime.Unix(), 10),
	}
	var paths []string
	for _, p := range Packages {
		path := filepath.Join(out, p.Name+"_"+version+"_"+arch+".deb")
		// nfpm writes the target in place: build beside it and rename, so a
		// failed run never leaves a truncated .deb that looks finished.
		tmp := filepath.Join(out, "."+p.Name+".tmp.deb")
		err := nfpm([]string{"package", "--config", filepath.Join(pk, "nfpm", p.Config), "--packager", "deb", "--target", tmp},
			append(env, "LIBC="+libc[p.Name]))
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			os.Remove(tmp)
			return paths, fmt.Errorf("%s: %w", p.Name, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// goToolNfpm runs the nfpm pinned in packaging/go.mod, in packaging/ (where
// the configs' relative sources are).
func goToolNfpm(dir string) func(args, env []string) error {
	return func(args, env []string) error {
		cmd := exec.Command("go", append([]string{"tool", "nfpm"}, args...)...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return fmt.Errorf("go tool nfpm %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return nil
	}
}

// checkSource says clearly what is missing or wrong with one input file.
// With goArch set, it must be an ELF program for that architecture.
func checkSource(path, purpose, goArch string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, os.ErrNotExist) && goArch != "":
		return fmt.Errorf("binary %s is missing (for %s): run `make deb`, or pass --bin DIR", path, purpose)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s is missing (for %s): pass --root with the repository root", path, purpose)
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", path)
	case goArch == "":
		return nil
	}
	f, err := elf.Open(path)
	if err != nil {
		return fmt.Errorf("binary %s is not a Linux (ELF) program: %v", path, err)
	}
	defer f.Close()
	if want := elfMachine[goArch]; f.Machine != want {
		return fmt.Errorf("binary %s is built for %v, but the packages are for GOARCH=%s (%v); build with GOARCH=%s or pass --arch",
			path, f.Machine, goArch, want, goArch)
	}
	return nil
}

// debArch maps GOARCH to Debian's architecture names; elfMachine to the
// machine an ELF binary for that GOARCH declares.
var (
	debArch = map[string]string{
		"amd64": "amd64", "arm64": "arm64", "386": "i386", "arm": "armhf",
		"riscv64": "riscv64", "ppc64le": "ppc64el", "s390x": "s390x", "mips64le": "mips64el",
	}
	elfMachine = map[string]elf.Machine{
		"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64, "386": elf.EM_386, "arm": elf.EM_ARM,
		"riscv64": elf.EM_RISCV, "ppc64le": elf.EM_PPC64, "s390x": elf.EM_S390, "mips64le": elf.EM_MIPS,
	}
	validMaintainer = regexp.MustCompile(`^[^<>]+ <[^<>@\s]+@[^<>@\s]+>$`)
)

func goArches() []string {
	return []string{"amd64", "arm64", "386", "arm", "riscv64", "ppc64le", "s390x", "mips64le"}
}

var (
	debVersion = regexp.MustCompile(`^[0-9][A-Za-z0-9.+~]*(-[A-Za-z0-9.+~]+)?$`)
	describe   = regexp.MustCompile(`^(.+)-([0-9]+)-(g[0-9a-f]+)$`)
	preRelease = regexp.MustCompile(`-([A-Za-z])`)
)

// DebianVersion turns a version as people write it (v1.2.3, v1.2.3-rc1, or
// what `git describe --tags --long` prints) into a Debian version that sorts
// right: a pre-release's "-rc1" becomes "~rc1" (before 1.2.3, where a
// Debian "-" would mean a revision after it); v1.2.3-0-gabc is 1.2.3; and
// v1.2.3-4-gabc, four commits later, is 1.2.3+git4.gabc, after 1.2.3 and
// before 1.2.4.
func DebianVersion(v string) (string, error) {
	base, suffix := v, ""
	if m := describe.FindStringSubmatch(v); m != nil {
		base = m[1]
		if m[2] != "0" {
			suffix = "+git" + m[2] + "." + m[3]
		}
	}
	d := preRelease.ReplaceAllString(strings.TrimPrefix(base, "v"), "~$1") + suffix
	if !debVersion.MatchString(d) {
		return "", fmt.Errorf("version %q is not a Debian version: it must start with a digit and use only letters, digits and . + ~ (one - before a revision)", v)
	}
	return d, nil
}

// gitVersion is the version of the checkout at root: from the newest v*
// tag, or, before the first tag, 0.1.0~git<commits>.g<hash>, which sorts
// by commit count and before a release 0.1.0. Without git it is 0.1.0.
func gitVersion(root string) string {
	if d, err := git(root, "describe", "--tags", "--long", "--match", "v[0-9]*"); err == nil {
		if v, err := DebianVersion(d); err == nil {
			return v
		}
	}
	n, err1 := git(root, "rev-list", "--count", "HEAD")
	h, err2 := git(root, "rev-parse", "--short=12", "HEAD")
	if err1 != nil || err2 != nil {
		return "0.1.0"
	}
	return "0.1.0~git" + n + ".g" + h
}

// sourceDate is $SOURCE_DATE_EPOCH, else the last commit's time, else now:
// the same commit then gives the same package bytes.
func sourceDate(root string) time.Time {
	s := os.Getenv("SOURCE_DATE_EPOCH")
	if s == "" {
		s, _ = git(root, "log", "-1", "--format=%ct")
	}
	if sec, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Unix(sec, 0).UTC()
	}
	return time.Now().UTC()
}

func git(dir string, args ...string) (string, error) {
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).Output()
	return strings.TrimSpace(string(out)), err
}

func defaultMaintainer() string {
	name, mail := os.Getenv("DEBFULLNAME"), os.Getenv("DEBEMAIL")
	if name != "" && mail != "" {
		return name + " <" + mail + ">"
	}
	return DefaultMaintainer
}
