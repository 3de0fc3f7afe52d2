// Command mkdeb builds Borgerkiosk's Debian packages from binaries that
// `make build` left in bin/, with the nfpm library (fyne.io/tools makes a
// .tar.xz, not a .deb):
//
//	borgerkiosk-kiosk     the Fyne kiosk under the cage compositor, its unit,
//	                      udev rules, icon and /etc/borgerkiosk/kiosk.toml
//	borgerkiosk-central   the central service, its unit and
//	                      /etc/borgerkiosk/central.toml
//	borgerkiosk-kioskctl  the operator tool, which both of the others want;
//	                      a package of its own so that kiosk and central can
//	                      be installed on one machine without a file clash
//
// Run it from the repository root (make deb does):
//
//	go run ./packaging/mkdeb --bin bin --out dist [--version 1.2.3] [--arch arm64]
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

	"github.com/goreleaser/nfpm/v2"
	"github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mkdeb:", err)
		os.Exit(1)
	}
}

// Options say where the inputs are and what to build.
type Options struct {
	Root       string    // repository root, holding packaging/
	Bin        string    // directory with kiosk, central and kioskctl
	Out        string    // where the .deb files go (made if missing)
	Version    string    // Debian version, e.g. 1.2.3 or 0.1.0~git42.gabc1234
	GoArch     string    // GOARCH the binaries were built for
	Maintainer string    // "Name <email>"
	MTime      time.Time // time stamp of every file, for reproducible packages
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("mkdeb", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o Options
	fs.StringVar(&o.Root, "root", ".", "repository root (holds packaging/)")
	fs.StringVar(&o.Bin, "bin", "bin", "directory with the kiosk, central and kioskctl binaries")
	fs.StringVar(&o.Out, "out", "dist", "directory for the .deb files")
	fs.StringVar(&o.Version, "version", "", "package version (default: from `git describe --tags`, else 0.1.0)")
	fs.StringVar(&o.GoArch, "arch", "", "GOARCH of the binaries (default: $GOARCH, else this machine's)")
	fs.StringVar(&o.Maintainer, "maintainer", "", `"Name <email>" (default: $DEBFULLNAME <$DEBEMAIL>)`)
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
	if !strings.Contains(o.Maintainer, "<") || !strings.HasSuffix(o.Maintainer, ">") {
		return nil, fmt.Errorf("maintainer %q must look like \"Name <email>\"", o.Maintainer)
	}
	pkgs := Packages(o.Root, o.Bin, version)
	// Check every input before writing anything, so one run names every
	// missing file and never leaves half a set of packages behind.
	var errs []error
	for _, p := range pkgs {
		for _, c := range p.Contents {
			errs = append(errs, checkSource(c, o.GoArch))
		}
		for _, s := range []string{p.Scripts.PostInstall, p.Scripts.PreRemove, p.Scripts.PostRemove} {
			if s != "" {
				errs = append(errs, checkSource(&files.Content{Source: s}, ""))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(o.Out, 0o755); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range pkgs {
		p.Arch = arch
		p.Maintainer = o.Maintainer
		p.MTime = o.MTime
		path, err := write(p, o.Out)
		if err != nil {
			return out, fmt.Errorf("%s: %w", p.Name, err)
		}
		out = append(out, path)
	}
	return out, nil
}

// Packages describes the three packages; binaries come from bin, everything
// else from root/packaging.
func Packages(root, bin, version string) []*nfpm.Info {
	pk := func(p string) string { return filepath.Join(root, "packaging", p) }
	exe := func(src, dst string) *files.Content {
		return &files.Content{Source: filepath.Join(bin, src), Destination: dst, FileInfo: &files.ContentFileInfo{Mode: 0o755}}
	}
	data := func(src, dst string) *files.Content {
		return &files.Content{Source: pk(src), Destination: dst, FileInfo: &files.ContentFileInfo{Mode: 0o644}}
	}
	conf := func(src, dst string) *files.Content {
		c := data(src, dst)
		c.Type = files.TypeConfig // a conffile: dpkg keeps the operator's edits on upgrade
		return c
	}
	scripts := func(name string) nfpm.Scripts {
		return nfpm.Scripts{
			PostInstall: pk("deb/" + name + ".postinst"),
			PreRemove:   pk("deb/" + name + ".prerm"),
			PostRemove:  pk("deb/" + name + ".postrm"),
		}
	}
	info := func(name, desc string, o nfpm.Overridables) *nfpm.Info {
		return &nfpm.Info{
			Name:          name,
			Platform:      "linux",
			Version:       version,
			VersionSchema: "none", // DebianVersion already made it a Debian version
			Section:       "misc",
			Priority:      "optional",
			Homepage:      "https://github.com/borgerkiosk/borgerkiosk",
			Description:   desc,
			Overridables:  o,
		}
	}
	tools := "borgerkiosk-kioskctl (= " + version + ")"
	return []*nfpm.Info{
		info("borgerkiosk-kiosk", "Borgerkiosk citizen-service kiosk\n"+
			" The full-screen kiosk where citizens see and manage consents and\n"+
			" digital power of attorney with their card and PIN, with staff help\n"+
			" when needed. Runs under the cage kiosk compositor on tty1 as the\n"+
			" user kiosk, with the card reader, receipt printer and QR scanner on\n"+
			" serial ports. Enable with: systemctl enable --now borgerkiosk-kiosk", nfpm.Overridables{
			// The Fyne app is an X11 (GLFW) program: under cage it needs
			// Xwayland, and GLFW loads the X extension libraries at run time.
			Depends: []string{"cage", "xwayland", "espeak-ng", "libgl1", "fonts-dejavu-core", "adduser", "libc6",
				"libx11-6", "libxcursor1", "libxrandr2", "libxinerama1", "libxi6", "libxxf86vm1", tools},
			Recommends: []string{"locales"}, // the unit sets LANG=da_DK.UTF-8
			Contents: files.Contents{
				exe("kiosk", "/usr/bin/borgerkiosk-kiosk"),
				data("systemd/borgerkiosk-kiosk.service", "/lib/systemd/system/borgerkiosk-kiosk.service"),
				data("udev/99-borgerkiosk.rules", "/lib/udev/rules.d/99-borgerkiosk.rules"),
				data("icon.png", "/usr/share/icons/hicolor/512x512/apps/borgerkiosk.png"),
				conf("kiosk.example.toml", "/etc/borgerkiosk/kiosk.toml"),
			},
			Scripts: scripts("kiosk"),
		}),
		info("borgerkiosk-central", "Borgerkiosk central service\n"+
			" The registry behind the Borgerkiosk kiosks: receives their actions,\n"+
			" decides conflicts, serves trust bundles, the authorities' consent API\n"+
			" and the handover pages. Keeps its state in embedded Badger or in\n"+
			" PostgreSQL. Runs as the user borgerkiosk.", nfpm.Overridables{
			Depends:    []string{"adduser", "libc6"},
			Recommends: []string{tools},
			Suggests:   []string{"postgresql"},
			Contents: files.Contents{
				exe("central", "/usr/bin/borgerkiosk-central"),
				data("systemd/borgerkiosk-central.service", "/lib/systemd/system/borgerkiosk-central.service"),
				conf("central.example.toml", "/etc/borgerkiosk/central.toml"),
			},
			Scripts: scripts("central"),
		}),
		info("borgerkiosk-kioskctl", "Borgerkiosk operator tool\n"+
			" kioskctl makes card issuer keys, test cards and kiosk enrolment\n"+
			" tokens, lists what a stopped kiosk still holds, and simulates the\n"+
			" kiosk's serial devices.", nfpm.Overridables{
			Depends:  []string{"libc6"},
			Contents: files.Contents{exe("kioskctl", "/usr/bin/kioskctl")},
		}),
	}
}

func write(p *nfpm.Info, dir string) (string, error) {
	p = nfpm.WithDefaults(p)
	path := filepath.Join(dir, deb.Default.ConventionalFileName(p))
	// Write beside the target and rename, so a failed run never leaves a
	// truncated .deb that looks finished.
	tmp, err := os.CreateTemp(dir, ".mkdeb-*")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name())
	if err := deb.Default.Package(p, tmp); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return "", err
	}
	if err := tmp.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp.Name(), path)
}

// checkSource says clearly what is missing or wrong with one input file.
// Binaries (mode 0755) must be ELF programs for goArch.
func checkSource(c *files.Content, goArch string) error {
	st, err := os.Stat(c.Source)
	switch {
	case errors.Is(err, os.ErrNotExist) && c.FileInfo != nil && c.FileInfo.Mode&0o111 != 0:
		return fmt.Errorf("binary %s is missing (for %s): run `make build` first, or pass --bin DIR", c.Source, c.Destination)
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s is missing (for %s): run mkdeb from the repository root, or pass --root DIR", c.Source, c.Destination)
	case err != nil:
		return err
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s is not a regular file", c.Source)
	}
	if c.FileInfo == nil || c.FileInfo.Mode&0o111 == 0 {
		return nil
	}
	f, err := elf.Open(c.Source)
	if err != nil {
		return fmt.Errorf("binary %s is not a Linux (ELF) program: %v", c.Source, err)
	}
	defer f.Close()
	if want := elfMachine[goArch]; f.Machine != want {
		return fmt.Errorf("binary %s is built for %v, but the packages are for GOARCH=%s (%v); build with GOARCH=%s or pass --arch",
			c.Source, f.Machine, goArch, want, goArch)
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
	h, err2 := git(root, "rev-parse", "--short", "HEAD")
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
	// A local build names no person; set DEBFULLNAME and DEBEMAIL (or
	// --maintainer) for packages that leave the building.
	return "Borgerkiosk maintainers <borgerkiosk@localhost>"
}
