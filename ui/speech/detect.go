package speech

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// Why read-aloud cannot be heard, as Reason returns it. The staff screen and
// the log say which, so staff know whether to plug in a loudspeaker or
// install espeak-ng.
const (
	ReasonNoEngine = "no_engine" // espeak-ng is not installed
	ReasonNoVoice  = "no_voice"  // espeak-ng runs but makes no sound (a broken install, a missing Danish voice)
	ReasonNoDevice = "no_device" // no sound card and no PulseAudio or PipeWire server
)

// Reason returns "" when sp can be heard, else why not (one of the Reason
// constants; ReasonNoEngine for a silent speaker that gives none).
func Reason(sp Speaker) string {
	if sp.Available() {
		return ""
	}
	if s, ok := sp.(*Silent); ok && s.Reason != "" {
		return s.Reason
	}
	return ReasonNoEngine
}

// Audio is where Detect looks for a place to send sound. The zero value is
// not useful; SystemAudio returns this machine's.
type Audio struct {
	Cards      string // ALSA's list of sound cards, /proc/asound/cards
	RuntimeDir string // $XDG_RUNTIME_DIR, which holds pulse/native and pipewire-0
	Pulse      string // $PULSE_SERVER, if set
}

// SystemAudio returns the places of this machine.
func SystemAudio() Audio {
	return Audio{Cards: "/proc/asound/cards", RuntimeDir: os.Getenv("XDG_RUNTIME_DIR"), Pulse: os.Getenv("PULSE_SERVER")}
}

// Device returns the sound device found ("alsa: …", "pulseaudio", "pipewire"),
// or "" when there is none. espeak-ng says nothing and exits 0 without one,
// so this is what tells a kiosk that speaks from one that only seems to.
func (a Audio) Device() string {
	if f, err := os.Open(a.Cards); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			// "--- no soundcards ---" when ALSA has none; cards look like
			// " 0 [PCH            ]: HDA-Intel - HDA Intel PCH".
			line := strings.TrimSpace(sc.Text())
			if i := strings.Index(line, "]: "); i > 0 && line[0] >= '0' && line[0] <= '9' {
				return "alsa: " + strings.TrimSpace(line[i+3:])
			}
		}
	}
	if s := strings.TrimPrefix(a.Pulse, "unix:"); s != "" && reachable(s) {
		return "pulseaudio"
	}
	if a.RuntimeDir != "" {
		if reachable(filepath.Join(a.RuntimeDir, "pulse", "native")) {
			return "pulseaudio"
		}
		if reachable(filepath.Join(a.RuntimeDir, "pipewire-0")) {
			return "pipewire"
		}
	}
	return ""
}

// reachable reports whether a sound server answers on the Unix socket at
// path: a socket file left behind by a server that died does not count.
func reachable(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// Heard checks that e really makes sound: it says a short Danish phrase to
// a WAV file and looks for samples above silence. A Danish voice that is
// missing or an espeak-ng that fails quietly is caught here.
func (e *ESpeak) Heard(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "bk-speech-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "check.wav")
	if err := e.SpeakToWAV(ctx, i18n.Danish, "Goddag.", path); err != nil {
		return err
	}
	w, err := ReadWAV(path)
	if err != nil {
		return fmt.Errorf("speech: espeak-ng wrote no usable WAV: %w", err)
	}
	if w.Duration() < 0.1 || w.Peak() < 0.01 {
		return fmt.Errorf("speech: espeak-ng made %.2f s of silence", w.Duration())
	}
	return nil
}

// DetectIn returns espeak-ng if it is installed, makes sound and there is
// a device to play it on; otherwise Silent with the reason.
func DetectIn(ctx context.Context, a Audio) Speaker {
	e, err := NewESpeak()
	if err != nil {
		slog.Info("speech: read-aloud unavailable: espeak-ng is not installed", "err", err)
		return &Silent{Reason: ReasonNoEngine}
	}
	if err := e.Heard(ctx); err != nil {
		slog.Warn("speech: read-aloud unavailable: espeak-ng makes no sound", "err", err)
		return &Silent{Reason: ReasonNoVoice}
	}
	dev := a.Device()
	if dev == "" {
		slog.Warn("speech: read-aloud unavailable: no audio device (no ALSA card, no PulseAudio or PipeWire socket)",
			"cards", a.Cards, "runtime_dir", a.RuntimeDir)
		return &Silent{Reason: ReasonNoDevice}
	}
	slog.Info("speech: using espeak-ng", "binary", e.Binary, "player", strings.Join(e.Player, " "), "device", dev)
	return e
}
