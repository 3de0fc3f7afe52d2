// Package speech reads screens and receipts aloud with espeak-ng, and falls
// back to silence on a kiosk without it.
package speech

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
)

// Speaker reads text aloud, one utterance at a time.
//
// Never pass secrets: a PIN (or any digit of one) must never reach Speak, and
// a CPR number only masked (DDMMYY-xxxx). The package has nothing that reads
// a PIN pad: describe a PIN pad by how many digits are typed
// (keyboard.PinPad.Description), not by what they are.
type Speaker interface {
	// Speak says text in lang and returns when it has been said. A new
	// Speak first stops the one in progress. It returns ErrStopped if Stop
	// or a newer Speak cut it short, ctx.Err() if ctx ended, ErrUnsupportedLang
	// for a language it cannot speak, and nil for empty text.
	Speak(ctx context.Context, lang i18n.Lang, text string) error
	// Stop cuts the current utterance short; it does nothing when silent.
	Stop()
	// Available reports whether anything is heard: false for the silent fallback.
	Available() bool
	// Name names the implementation for logs and the staff status page.
	Name() string
	// SetVolume sets the loudness of what is said from now on, 0 (silent)
	// to 100 (loudest); values outside are clamped. DefaultVolume is the
	// level a new person starts at (the UI resets to it at logout).
	SetVolume(level int)
}

// DefaultVolume is the volume every session starts at: espeak-ng's own
// default amplitude (100 of 200), so the site's mixer setting (at most
// 65 dB, EN 301 549 5.1.3.13) is what a new person hears.
const DefaultVolume = 50

// clampVolume keeps a level within 0–100.
func clampVolume(level int) int { return min(max(level, 0), 100) }

// volume is a level that can be set and read from any goroutine; the zero
// value reads as DefaultVolume.
type volume struct {
	mu    sync.Mutex
	set   bool
	level int
}

func (v *volume) Set(level int) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.set, v.level = true, clampVolume(level)
}

func (v *volume) Get() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	if !v.set {
		return DefaultVolume
	}
	return v.level
}

var (
	// ErrStopped: the utterance was cut short by Stop or by a newer Speak.
	ErrStopped = errors.New("speech: stopped")
	// ErrUnsupportedLang: no voice for the language asked for.
	ErrUnsupportedLang = errors.New("speech: unsupported language")
)

// voices maps our languages to espeak-ng voice names.
var voices = map[i18n.Lang]string{i18n.Danish: "da", i18n.English: "en"}

// Silent is the fallback when no speech engine is installed: it says
// nothing and reports itself unavailable, so screens can hide the read-aloud
// button and say speech.unavailable instead. It keeps the volume it is
// given, so the UI behaves the same with or without a voice.
type Silent struct {
	// Reason says why nothing is heard (ReasonNoEngine, ReasonNoVoice,
	// ReasonNoDevice); "" is taken as ReasonNoEngine.
	Reason string
	vol    volume
}

var _ Speaker = (*Silent)(nil)

// Speak does nothing.
func (*Silent) Speak(context.Context, i18n.Lang, string) error { return nil }

// Stop does nothing.
func (*Silent) Stop() {}

// Available is false.
func (*Silent) Available() bool { return false }

// Name is "silent".
func (*Silent) Name() string { return "silent" }

// SetVolume records level (clamped to 0–100).
func (s *Silent) SetVolume(level int) { s.vol.Set(level) }

// Volume returns the level last set, or DefaultVolume.
func (s *Silent) Volume() int { return s.vol.Get() }

// ESpeak speaks with the espeak-ng program. With a player (aplay, paplay)
// it pipes espeak-ng's --stdout WAV into it; without one espeak-ng plays to
// the sound card itself.
type ESpeak struct {
	// Binary is the espeak-ng path.
	Binary string
	// Player is a command that plays a WAV stream from standard input, or
	// nil to let espeak-ng play.
	Player []string
	// Rate is in words per minute; slower than espeak-ng's 175 because many
	// listeners are older or not fluent in Danish.
	Rate int

	mu     sync.Mutex
	cancel context.CancelFunc // of the utterance in progress
	gen    uint64             // which utterance is current
	vol    volume
}

var _ Speaker = (*ESpeak)(nil)

// DefaultRate is the speaking rate NewESpeak uses.
const DefaultRate = 145

// NewESpeak finds espeak-ng and a player on PATH (aplay, then paplay).
func NewESpeak() (*ESpeak, error) {
	bin, err := exec.LookPath("espeak-ng")
	if err != nil {
		return nil, fmt.Errorf("speech: espeak-ng not found: %w", err)
	}
	e := &ESpeak{Binary: bin, Rate: DefaultRate}
	if p, err := exec.LookPath("aplay"); err == nil {
		e.Player = []string{p, "-q"}
	} else if p, err := exec.LookPath("paplay"); err == nil {
		e.Player = []string{p}
	}
	return e, nil
}

// Detect returns the best speaker on this machine: espeak-ng if it makes
// sound and there is a device to hear it on, else Silent with the reason
// (see DetectIn). Call it once at start.
func Detect() Speaker {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return DetectIn(ctx, SystemAudio())
}

// Name is "espeak-ng".
func (e *ESpeak) Name() string { return "espeak-ng" }

// Available is true.
func (e *ESpeak) Available() bool { return true }

// SetVolume sets the amplitude of the next utterance: level 0–100 maps to
// espeak-ng's -a 0–200, so DefaultVolume (50) is its default of 100.
func (e *ESpeak) SetVolume(level int) { e.vol.Set(level) }

// Volume returns the level last set, or DefaultVolume.
func (e *ESpeak) Volume() int { return e.vol.Get() }

// Amplitude returns espeak-ng's -a value for a volume level (clamped).
func Amplitude(level int) int { return clampVolume(level) * 2 }

func (e *ESpeak) args(lang i18n.Lang) ([]string, error) {
	v, ok := voices[lang]
	if !ok {
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedLang, lang)
	}
	rate := e.Rate
	if rate <= 0 {
		rate = DefaultRate
	}
	// --stdin: the text never becomes an argument, so text starting with
	// "-" cannot be taken for an option.
	return []string{"-v", v, "-s", strconv.Itoa(rate), "-a", strconv.Itoa(Amplitude(e.vol.Get())), "--stdin"}, nil
}

// begin stops the utterance in progress and makes a new current one.
func (e *ESpeak) begin(parent context.Context) (context.Context, uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		e.cancel()
	}
	ctx, cancel := context.WithCancel(parent)
	e.cancel = cancel
	e.gen++
	return ctx, e.gen
}

func (e *ESpeak) end(gen uint64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.gen == gen && e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
}

// Stop kills the utterance in progress, if any.
func (e *ESpeak) Stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.cancel != nil {
		e.cancel()
		e.cancel = nil
	}
}

// Speak says text; see Speaker.
func (e *ESpeak) Speak(ctx context.Context, lang i18n.Lang, text string) error {
	args, err := e.args(lang)
	if err != nil {
		return err
	}
	if strings.TrimSpace(text) == "" {
		return nil
	}
	uctx, gen := e.begin(ctx)
	defer e.end(gen)

	var runErr error
	if len(e.Player) == 0 {
		cmd := exec.CommandContext(uctx, e.Binary, args...)
		cmd.Stdin = strings.NewReader(text)
		runErr = cmd.Run()
	} else {
		runErr = e.pipe(uctx, args, text)
	}
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case uctx.Err() != nil:
		return ErrStopped
	case runErr != nil:
		return fmt.Errorf("speech: espeak-ng: %w", runErr)
	}
	return nil
}

// pipe runs espeak-ng --stdout | player, both killed when ctx ends. An OS
// pipe (not io.Pipe) joins them, so a player that dies makes espeak-ng get
// EPIPE instead of blocking.
func (e *ESpeak) pipe(ctx context.Context, args []string, text string) error {
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	speak := exec.CommandContext(ctx, e.Binary, append(args, "--stdout")...)
	speak.Stdin = strings.NewReader(text)
	speak.Stdout = pw
	play := exec.CommandContext(ctx, e.Player[0], e.Player[1:]...)
	play.Stdin = pr
	if err := play.Start(); err != nil {
		pr.Close()
		pw.Close()
		return fmt.Errorf("start player: %w", err)
	}
	pr.Close() // the player has its own copy
	speakErr := speak.Run()
	pw.Close() // end of stream for the player
	playErr := play.Wait()
	if speakErr != nil {
		return speakErr
	}
	return playErr
}

// SpeakToWAV writes text spoken in lang to a WAV file at path instead of
// playing it (for tests and for checking a voice).
func (e *ESpeak) SpeakToWAV(ctx context.Context, lang i18n.Lang, text, path string) error {
	args, err := e.args(lang)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, e.Binary, append(args, "-w", path)...)
	cmd.Stdin = strings.NewReader(text)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("speech: espeak-ng -w: %w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
