package speech

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/internal/testtool"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// needTool finds a program or skips; under CI or BK_REQUIRE_TOOLS it fails.
func needTool(t *testing.T, name string) string {
	t.Helper()
	return testtool.Require(t, name)
}

func mustESpeak(t *testing.T) *ESpeak {
	t.Helper()
	needTool(t, "espeak-ng")
	e, err := NewESpeak()
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func TestSpeakToWAVIsNotSilent(t *testing.T) {
	e := mustESpeak(t)
	for _, tc := range []struct {
		lang i18n.Lang
		text string
	}{
		{i18n.Danish, "Velkommen. Sæt dit kort i."},
		{i18n.English, "Welcome. Insert your card."},
	} {
		path := filepath.Join(t.TempDir(), "out.wav")
		if err := e.SpeakToWAV(context.Background(), tc.lang, tc.text, path); err != nil {
			t.Fatalf("SpeakToWAV(%s) error = %v", tc.lang, err)
		}
		w, err := ReadWAV(path)
		if err != nil {
			t.Fatalf("ReadWAV: %v", err)
		}
		rms, peak, dur := w.RMS(), w.Peak(), w.Duration()
		t.Logf("%s %q: %d Hz, %.2f s, RMS %.3f, peak %.3f", tc.lang, tc.text, w.SampleRate, dur, rms, peak)
		if rms < 0.01 || peak < 0.1 {
			t.Errorf("%s: RMS = %.4f, peak = %.4f; want RMS ≥ 0.01 and peak ≥ 0.1 (speech, not silence)", tc.lang, rms, peak)
		}
		if dur < 0.5 {
			t.Errorf("%s: duration = %.2f s; want ≥ 0.5 s", tc.lang, dur)
		}
	}
}

func TestSpeakThroughPlayer(t *testing.T) {
	e := mustESpeak(t)
	out := filepath.Join(t.TempDir(), "played.wav")
	// A "player" that keeps what it is given, standing in for aplay.
	e.Player = []string{"sh", "-c", `cat > "$0"`, out}
	if err := e.Speak(context.Background(), i18n.Danish, "Du bliver logget ud om 30 sekunder."); err != nil {
		t.Fatalf("Speak() error = %v", err)
	}
	w, err := ReadWAV(out)
	if err != nil {
		t.Fatalf("ReadWAV(player input): %v", err)
	}
	if w.RMS() < 0.01 {
		t.Errorf("player got RMS %.4f; want speech", w.RMS())
	}
}

// waitSpeaking returns once utterance number gen has started.
func waitSpeaking(e *ESpeak, gen uint64) {
	for {
		e.mu.Lock()
		running := e.gen == gen && e.cancel != nil
		e.mu.Unlock()
		if running {
			return
		}
		runtime.Gosched()
	}
}

func TestStopCutsShort(t *testing.T) {
	e := mustESpeak(t)
	// A player that never finishes on its own.
	e.Player = []string{"sh", "-c", "cat > /dev/null; exec sleep 600"}
	done := make(chan error, 1)
	go func() { done <- e.Speak(context.Background(), i18n.Danish, "Hej") }()
	waitSpeaking(e, 1)
	e.Stop()
	if err := <-done; !errors.Is(err, ErrStopped) {
		t.Errorf("Speak after Stop error = %v; want ErrStopped", err)
	}
	e.Stop() // nothing running: no-op
}

func TestNewSpeakReplacesOld(t *testing.T) {
	e := mustESpeak(t)
	e.Player = []string{"sh", "-c", "cat > /dev/null; exec sleep 600"}
	first := make(chan error, 1)
	go func() { first <- e.Speak(context.Background(), i18n.Danish, "første") }()
	waitSpeaking(e, 1)
	e.Player = []string{"sh", "-c", "cat > /dev/null"}
	if err := e.Speak(context.Background(), i18n.English, "second"); err != nil {
		t.Errorf("second Speak error = %v; want nil", err)
	}
	if err := <-first; !errors.Is(err, ErrStopped) {
		t.Errorf("first Speak error = %v; want ErrStopped", err)
	}
}

func TestSpeakContextCancelled(t *testing.T) {
	e := mustESpeak(t)
	e.Player = []string{"sh", "-c", "cat > /dev/null; exec sleep 600"}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Speak(ctx, i18n.Danish, "Hej") }()
	waitSpeaking(e, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("Speak with cancelled ctx error = %v; want context.Canceled", err)
	}
}

func TestSpeakBadInput(t *testing.T) {
	e := &ESpeak{Binary: "/nonexistent/espeak-ng"}
	if err := e.Speak(context.Background(), "fr", "Bonjour"); !errors.Is(err, ErrUnsupportedLang) {
		t.Errorf("Speak(fr) error = %v; want ErrUnsupportedLang", err)
	}
	if err := e.Speak(context.Background(), i18n.Danish, "  "); err != nil {
		t.Errorf("Speak(empty) error = %v; want nil", err)
	}
	if err := e.Speak(context.Background(), i18n.Danish, "Hej"); err == nil {
		t.Errorf("Speak with a missing binary error = nil; want an error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := e.SpeakToWAV(ctx, "xx", "Hej", filepath.Join(t.TempDir(), "x.wav")); !errors.Is(err, ErrUnsupportedLang) {
		t.Errorf("SpeakToWAV(xx) error = %v; want ErrUnsupportedLang", err)
	}
}

func TestDetect(t *testing.T) {
	s := Detect()
	_, err := exec.LookPath("espeak-ng")
	switch {
	case err != nil:
		if s.Name() != "silent" || s.Available() || Reason(s) != ReasonNoEngine {
			t.Errorf("Detect() without espeak-ng = %s (reason %q); want silent, %q", s.Name(), Reason(s), ReasonNoEngine)
		}
	case SystemAudio().Device() == "":
		// espeak-ng would exit 0 and say nothing: not available.
		if s.Available() || Reason(s) != ReasonNoDevice {
			t.Errorf("Detect() with no audio device = %s (reason %q); want silent, %q", s.Name(), Reason(s), ReasonNoDevice)
		}
	default:
		if s.Name() != "espeak-ng" || !s.Available() || Reason(s) != "" {
			t.Errorf("Detect() = %s (available %t); want espeak-ng", s.Name(), s.Available())
		}
	}
}

// listen makes a live Unix socket at path, like a sound server's.
func listen(t *testing.T, path string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
}

func TestAudioDevice(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	none := write("none", "--- no soundcards ---\n")
	card := write("card", " 0 [PCH            ]: HDA-Intel - HDA Intel PCH\n                      HDA Intel PCH at 0xf7f10000 irq 32\n")
	pulseDir, pwDir, staleDir := filepath.Join(dir, "pulse-run"), filepath.Join(dir, "pw-run"), filepath.Join(dir, "stale-run")
	listen(t, filepath.Join(pulseDir, "pulse", "native"))
	listen(t, filepath.Join(pwDir, "pipewire-0"))
	// A socket file whose server is gone.
	l, err := net.Listen("unix", filepath.Join(dir, "stale.sock"))
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if err := os.MkdirAll(staleDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(dir, "stale.sock"), filepath.Join(staleDir, "pipewire-0")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		a    Audio
		want string
	}{
		{"nothing", Audio{Cards: filepath.Join(dir, "missing")}, ""},
		{"ALSA has no cards", Audio{Cards: none}, ""},
		{"ALSA card", Audio{Cards: card}, "alsa: HDA-Intel - HDA Intel PCH"},
		{"PulseAudio socket", Audio{Cards: none, RuntimeDir: pulseDir}, "pulseaudio"},
		{"PULSE_SERVER", Audio{Cards: none, Pulse: "unix:" + filepath.Join(pulseDir, "pulse", "native")}, "pulseaudio"},
		{"PipeWire socket", Audio{Cards: none, RuntimeDir: pwDir}, "pipewire"},
		{"dead socket", Audio{Cards: none, RuntimeDir: staleDir}, ""},
	} {
		if got := tt.a.Device(); got != tt.want {
			t.Errorf("%s: Device() = %q; want %q", tt.name, got, tt.want)
		}
	}
}

func TestDetectInNeedsADevice(t *testing.T) {
	needTool(t, "espeak-ng")
	dir := t.TempDir()
	none := Audio{Cards: filepath.Join(dir, "missing")}
	if s := DetectIn(context.Background(), none); s.Available() || Reason(s) != ReasonNoDevice {
		t.Errorf("DetectIn(no device) = %s (reason %q); want silent, %q", s.Name(), Reason(s), ReasonNoDevice)
	}
	pw := filepath.Join(dir, "run")
	listen(t, filepath.Join(pw, "pipewire-0"))
	if s := DetectIn(context.Background(), Audio{Cards: none.Cards, RuntimeDir: pw}); !s.Available() || Reason(s) != "" {
		t.Errorf("DetectIn(PipeWire) = %s (reason %q); want espeak-ng", s.Name(), Reason(s))
	}
}

func TestHeardCatchesASilentEngine(t *testing.T) {
	needTool(t, "espeak-ng")
	e, err := NewESpeak()
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Heard(context.Background()); err != nil {
		t.Errorf("Heard() with espeak-ng = %v; want nil", err)
	}
	// An "espeak-ng" that exits 0 and writes nothing, as a broken install does.
	e.Binary = "/bin/true"
	if err := e.Heard(context.Background()); err == nil {
		t.Errorf("Heard() with an engine that makes no sound = nil; want an error")
	}
	if r := Reason(&Silent{}); r != ReasonNoEngine {
		t.Errorf("Reason(&Silent{}) = %q; want %q", r, ReasonNoEngine)
	}
}

func TestSilent(t *testing.T) {
	silent := &Silent{}
	var s Speaker = silent
	if s.Available() || s.Name() != "silent" || s.Speak(context.Background(), i18n.Danish, "Hej") != nil {
		t.Errorf("Silent misbehaves")
	}
	s.Stop()
	if v := silent.Volume(); v != DefaultVolume {
		t.Errorf("Silent.Volume() before SetVolume = %d; want %d", v, DefaultVolume)
	}
	s.SetVolume(70)
	if v := silent.Volume(); v != 70 {
		t.Errorf("Silent.Volume() after SetVolume(70) = %d; want 70", v)
	}
}

func TestVolumeScalesToAmplitude(t *testing.T) {
	for _, tc := range []struct{ level, want int }{{-5, 0}, {0, 0}, {DefaultVolume, 100}, {73, 146}, {100, 200}, {101, 200}} {
		if got := Amplitude(tc.level); got != tc.want {
			t.Errorf("Amplitude(%d) = %d; want %d", tc.level, got, tc.want)
		}
	}
	e := &ESpeak{Binary: "espeak-ng"}
	args := func() string { a, _ := e.args(i18n.Danish); return strings.Join(a, " ") }
	if got := args(); !strings.Contains(got, "-a 100 ") {
		t.Errorf("args with the default volume = %q; want -a 100", got)
	}
	e.SetVolume(30)
	if got := args(); !strings.Contains(got, "-a 60 ") || e.Volume() != 30 {
		t.Errorf("args after SetVolume(30) = %q (Volume %d); want -a 60", got, e.Volume())
	}
}

// TestVolumeIsHeard checks with espeak-ng itself that a higher volume gives
// louder audio.
func TestVolumeIsHeard(t *testing.T) {
	e := mustESpeak(t)
	rms := func(level int) float64 {
		e.SetVolume(level)
		path := filepath.Join(t.TempDir(), "v.wav")
		if err := e.SpeakToWAV(context.Background(), i18n.Danish, "Lydstyrken er skruet op.", path); err != nil {
			t.Fatal(err)
		}
		w, err := ReadWAV(path)
		if err != nil {
			t.Fatal(err)
		}
		return w.RMS()
	}
	low, high := rms(20), rms(90)
	t.Logf("RMS at volume 20: %.4f, at 90: %.4f", low, high)
	if !(high > low*1.5) {
		t.Errorf("RMS at volume 90 = %.4f, at 20 = %.4f; want the louder clearly above", high, low)
	}
}

func TestDecodeWAV(t *testing.T) {
	mk := func(format, bits uint16, samples ...int16) []byte {
		var b bytes.Buffer
		data := new(bytes.Buffer)
		for _, s := range samples {
			_ = binary.Write(data, binary.LittleEndian, s)
		}
		b.WriteString("RIFF")
		_ = binary.Write(&b, binary.LittleEndian, uint32(36+data.Len()))
		b.WriteString("WAVEfmt ")
		for _, v := range []any{uint32(16), format, uint16(1), uint32(8000), uint32(16000), uint16(2), bits} {
			_ = binary.Write(&b, binary.LittleEndian, v)
		}
		b.WriteString("LIST")
		_ = binary.Write(&b, binary.LittleEndian, uint32(3))
		b.WriteString("abc\x00") // odd chunk, padded
		b.WriteString("data")
		_ = binary.Write(&b, binary.LittleEndian, uint32(0xFFFFFFFF)) // streamed: size unknown
		b.Write(data.Bytes())
		return b.Bytes()
	}
	w, err := DecodeWAV(bytes.NewReader(mk(1, 16, 0, 16384, -32768, 0)))
	if err != nil {
		t.Fatalf("DecodeWAV() error = %v", err)
	}
	if len(w.Samples) != 4 || w.Peak() != 1 || w.SampleRate != 8000 {
		t.Errorf("DecodeWAV() = %d samples, peak %v, %d Hz; want 4, 1, 8000", len(w.Samples), w.Peak(), w.SampleRate)
	}
	for _, tc := range []struct {
		name string
		in   []byte
	}{
		{"empty", nil},
		{"not riff", []byte("RIFX0000WAVE")},
		{"float", mk(3, 32, 1)},
		{"8-bit", mk(1, 8, 1)},
		{"truncated", mk(1, 16)[:30]},
	} {
		if _, err := DecodeWAV(bytes.NewReader(tc.in)); err == nil {
			t.Errorf("DecodeWAV(%s) error = nil; want an error", tc.name)
		}
	}
}
