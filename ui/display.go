package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	fynetheme "fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Volume steps of the – and + buttons: never fully silent, since a person
// who turned it down to nothing could not hear how to turn it up.
const (
	volumeStep = 10
	volumeMin  = 10
	volumeMax  = 100
)

// toggle makes a labelled on/off button: a ticked box and the primary fill
// when on (so the state is not shown by colour alone), at least a touch
// target in size.
func (u *KioskUI) toggle(id, label string, on bool, f func()) *widget.Button {
	b := u.button(id, label, f)
	if on {
		// Importance first: SetIcon draws the button, and a later change
		// of importance would not show until something redrew it.
		b.Importance = widget.HighImportance
		b.SetIcon(fynetheme.CheckButtonCheckedIcon())
	} else {
		b.SetIcon(fynetheme.CheckButtonIcon())
	}
	return b
}

// onOff says a toggle's new state, for read-aloud.
func (u *KioskUI) onOff(nameKey string, on bool) string {
	key := "chrome.off"
	if on {
		key = "chrome.on"
	}
	return u.tr.T(key, map[string]any{"Name": u.tr.T(nameKey, nil)})
}

func (u *KioskUI) toggleContrast() {
	u.settings.HighContrast = !u.settings.HighContrast
	u.applyTheme()
	u.refreshQuiet()
	u.announce(u.onOff("settings.high_contrast", u.settings.HighContrast))
}

func (u *KioskUI) toggleLarge() {
	u.settings.LargeText = !u.settings.LargeText
	u.applyTheme()
	u.refreshQuiet()
	u.announce(u.onOff("settings.large_text", u.settings.LargeText))
}

// toggleRead switches read-aloud. Switching it on reads the screen;
// switching it off stops speech and says so once, so a person who cannot
// see the button still knows which way it went (EN 301 549 5.6.1).
func (u *KioskUI) toggleRead() {
	u.readAloud = !u.readAloud
	u.refreshQuiet()
	if u.readAloud {
		u.speak(u.onOff("chrome.read_name", true))
		return
	}
	u.stopSpeech()
	u.sayNow(u.onOff("chrome.read_name", false))
}

// changeVolume moves the read-aloud volume by delta within
// volumeMin–volumeMax and says the new level at that level, whether or not
// read-aloud is on: a person setting the volume wants to hear it.
func (u *KioskUI) changeVolume(delta int) {
	u.volume = min(max(u.volume+delta, volumeMin), volumeMax)
	u.sp.SetVolume(u.volume)
	u.refreshQuiet()
	u.onRequest = !u.readAloud
	u.sayNow(u.tr.T("chrome.volume", map[string]any{"Level": u.volume}))
}

// openDisplay shows the display panel over the current screen; the
// header's "Skærm og lyd" closes it again, as does its own "Færdig".
func (u *KioskUI) openDisplay() {
	if u.displayOpen {
		u.closeDisplay()
		return
	}
	u.displayOpen = true
	u.showDisplayChange()
}

// showDisplayChange shows the panel opening or closing as a rebuild, not
// a new screen: what the person asked to hear goes on (they may be
// turning up the volume for it). With read-aloud on, what now shows is read.
func (u *KioskUI) showDisplayChange() {
	u.refreshQuiet()
	if u.readAloud {
		u.speak()
	}
}

// closeDisplay goes back to the screen the panel was opened on, as it is
// in the display just chosen (read aloud if read-aloud is now on).
func (u *KioskUI) closeDisplay() {
	u.displayOpen = false
	u.showDisplayChange()
}

// buildDisplay is the display panel: one screen for how the kiosk looks
// and sounds, so the header keeps two buttons for it ("Læs op" and
// "Skærm og lyd") instead of seven and the body gets the room. Each choice is a
// large toggle with a tick (not colour alone); the volume is − and + with
// the level between them.
func (u *KioskUI) buildDisplay() *screen {
	tr := u.tr
	contrast := u.toggle("toggle.contrast", tr.T("settings.high_contrast", nil), u.settings.HighContrast, u.toggleContrast)
	large := u.toggle("toggle.large", tr.T("settings.large_text", nil), u.settings.LargeText, u.toggleLarge)
	auto := u.toggle("toggle.read", tr.T("display.auto_read", nil), u.readAloud, u.toggleRead)
	down := u.button("volume.down", "−", func() { u.changeVolume(-volumeStep) })
	up := u.button("volume.up", "+", func() { u.changeVolume(volumeStep) })
	level := widget.NewLabelWithStyle(tr.T("chrome.volume", map[string]any{"Level": u.volume}), fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	u.labels["volume"] = level
	if u.volume <= volumeMin {
		down.Disable()
	}
	if u.volume >= volumeMax {
		up.Disable()
	}
	var speechNote fyne.CanvasObject
	if !u.speechAvailable() {
		for _, b := range []*widget.Button{auto, down, up} {
			b.Disable()
		}
		speechNote = u.noticeBox(noticeInfo, "display.speech", tr.T("speech.unavailable", nil))
	}
	grid := func(objs ...fyne.CanvasObject) fyne.CanvasObject {
		return &fyne.Container{Layout: &menuLayout{}, Objects: objs}
	}
	volume := container.New(gapRow{}, square(down), container.NewCenter(level), square(up))
	// Two by two where the width allows: how it looks on the first row,
	// how it sounds on the second, so the whole panel is in view at once.
	body := vbox(
		heading(tr.T("display.title", nil)),
		grid(tall(contrast), tall(large), tall(auto), container.NewCenter(volume)),
		speechNote,
	)
	return &screen{
		id:        "display",
		signedOut: u.sess == nil,
		body:      body,
		actions:   []fyne.CanvasObject{u.primary("display.done", tr.T("button.done", nil), u.closeDisplay)},
		speak: says(tr.T("display.title", nil), u.onOff("settings.high_contrast", u.settings.HighContrast),
			u.onOff("settings.large_text", u.settings.LargeText), u.onOff("display.auto_read", u.readAloud),
			tr.T("chrome.volume", map[string]any{"Level": u.volume}), tr.T("display.speak", nil)),
	}
}
