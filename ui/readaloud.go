package ui

import (
	"context"
	"errors"
	"strings"

	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
)

// utterance is one part of what say speaks.
type utterance struct {
	lang i18n.Lang
	text string
}

// say speaks parts one after another, off the Fyne thread. A newer say or
// stopSpeech ends the sequence: Speak itself cuts the utterance in progress
// short, and the generation number keeps a finished part from starting the
// next one after something newer began.
func (u *KioskUI) say(parts ...utterance) {
	if !u.sp.Available() {
		return
	}
	gen := u.speakGen.Add(1)
	sp := u.sp
	u.goFn(func() {
		for _, p := range parts {
			if strings.TrimSpace(p.text) == "" {
				continue
			}
			if u.speakGen.Load() != gen {
				return
			}
			if err := sp.Speak(context.Background(), p.lang, u.forEar(p.lang, p.text)); err != nil {
				if !errors.Is(err, speech.ErrStopped) {
					u.log.Warn("read aloud failed", "err", err)
				}
				return
			}
		}
	})
}

// forEar is text as it is said: dates and times as words, CPR numbers as
// birth dates, no ids (speech.Words).
func (u *KioskUI) forEar(lang i18n.Lang, text string) string {
	return speech.Words(lang, text, u.now())
}

// sayNow speaks sentences in the session's language.
func (u *KioskUI) sayNow(text ...string) { u.say(utterance{u.tr.Lang(), says(text...)}) }

// announce speaks a change on the screen (an error shown in place, a
// toggle's new state, a banner) when read-aloud is on.
func (u *KioskUI) announce(text ...string) {
	if u.readAloud {
		u.sayNow(text...)
	}
}

// stopSpeech cuts off whatever is being said and what was to follow.
func (u *KioskUI) stopSpeech() {
	u.speakGen.Add(1)
	u.sp.Stop()
}

// speak reads the current screen aloud, then its receipt if it has one;
// before is said first (such as "read-aloud is on").
func (u *KioskUI) speak(before ...string) {
	if u.current == nil {
		return
	}
	lang := u.tr.Lang()
	parts := []utterance{{lang, says(append(before, u.current.speak)...)}}
	if u.current.receipt != "" {
		parts = append(parts, u.receiptParts()...)
	}
	u.say(parts...)
}

// receiptParts says "the receipt says" in the person's language, then the
// receipt in its own.
func (u *KioskUI) receiptParts() []utterance {
	rl := u.current.receiptLang
	if rl == "" {
		rl = u.tr.Lang()
	}
	return []utterance{{u.tr.Lang(), u.tr.T("receipt.speak_intro", nil)}, {rl, u.current.receipt}}
}

// speakReceipt reads the current screen's receipt on request.
func (u *KioskUI) speakReceipt() {
	if u.current != nil && u.current.receipt != "" {
		u.onRequest = !u.readAloud
		u.say(u.receiptParts()...)
	}
}

func (u *KioskUI) speechAvailable() bool { return u.sp.Available() }

// readPage reads the screen shown aloud once, on request: the header's
// large "Læs op".
func (u *KioskUI) readPage() {
	u.onRequest = !u.readAloud
	u.speak()
}

// says joins sentences for read-aloud, skipping empty ones.
func says(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			if !strings.HasSuffix(p, ".") && !strings.HasSuffix(p, "?") && !strings.HasSuffix(p, "!") {
				p += "."
			}
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

// sayList puts a section's spoken items after its title, in front of rest;
// an empty section is left out (the summary already gave its count).
func sayList(title string, items []string, rest []string) []string {
	if len(items) == 0 {
		return rest
	}
	return append(append([]string{title}, items...), rest...)
}
