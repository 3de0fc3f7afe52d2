package ui_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
)

// recorder is a working in-memory speech.Speaker for the screen tests: it
// keeps what it was asked to say, so a test can check that a screen is read
// aloud and that no PIN digit ever is.
type recorder struct {
	mu         sync.Mutex
	utterances []utterance
	stops      int
	volumes    []int
}

// utterance is one thing a recorder was asked to say, and the volume it
// would have been said at.
type utterance struct {
	Lang   i18n.Lang
	Text   string
	Volume int
}

var _ speech.Speaker = (*recorder)(nil)

// Speak records text; it refuses languages there is no voice for, like speech.ESpeak.
func (r *recorder) Speak(ctx context.Context, lang i18n.Lang, text string) error {
	if lang != i18n.Danish && lang != i18n.English {
		return fmt.Errorf("%w: %q", speech.ErrUnsupportedLang, lang)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.utterances = append(r.utterances, utterance{Lang: lang, Text: text, Volume: r.volumeLocked()})
	return nil
}

// SetVolume records level (clamped to 0–100).
func (r *recorder) SetVolume(level int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.volumes = append(r.volumes, min(max(level, 0), 100))
}

func (r *recorder) volumeLocked() int {
	if len(r.volumes) == 0 {
		return speech.DefaultVolume
	}
	return r.volumes[len(r.volumes)-1]
}

// Volume returns the level last set, or speech.DefaultVolume.
func (r *recorder) Volume() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.volumeLocked()
}

// Volumes returns every level set, oldest first.
func (r *recorder) Volumes() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int(nil), r.volumes...)
}

// Stop counts the stop.
func (r *recorder) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stops++
}

// Available is true.
func (r *recorder) Available() bool { return true }

// Name is "recorder".
func (r *recorder) Name() string { return "recorder" }

// Utterances returns what was said, oldest first.
func (r *recorder) Utterances() []utterance {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]utterance(nil), r.utterances...)
}

// Stops returns how many times Stop was called.
func (r *recorder) Stops() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.stops
}

// The screen tests rest on the recorder: it refuses a language with no
// voice, as espeak-ng does, and keeps what was said at which volume.
func TestRecorder(t *testing.T) {
	r := &recorder{}
	_ = r.Speak(context.Background(), i18n.Danish, "Velkommen")
	_ = r.Speak(context.Background(), i18n.English, "Welcome")
	if err := r.Speak(context.Background(), "de", "Hallo"); !errors.Is(err, speech.ErrUnsupportedLang) {
		t.Errorf("recorder.Speak(de) error = %v; want speech.ErrUnsupportedLang", err)
	}
	r.Stop()
	got := r.Utterances()
	if len(got) != 2 || got[0] != (utterance{i18n.Danish, "Velkommen", speech.DefaultVolume}) || got[1].Lang != i18n.English || r.Stops() != 1 {
		t.Errorf("recorder = %v, %d stops; want two utterances, 1 stop", got, r.Stops())
	}
	r.SetVolume(80)
	r.SetVolume(150)
	_ = r.Speak(context.Background(), i18n.Danish, "Højt")
	if v := r.Utterances()[2].Volume; v != 100 {
		t.Errorf("utterance after SetVolume(150) has volume %d; want 100 (clamped)", v)
	}
	if got := r.Volumes(); len(got) != 2 || got[0] != 80 || got[1] != 100 {
		t.Errorf("Volumes() = %v; want [80 100]", got)
	}
}
