// Package ui is the kiosk's Fyne front end: the citizen self-service and
// staff-assisted journeys. It talks to the rest of the kiosk only through
// the root's Kiosk and Session interfaces (kiosk.go) and a Speaker; cmd/kiosk
// wires the real devices in, ui/fake provides in-memory ones for tests.
//
// Every screen is rebuilt from scratch when shown, from the translator and
// the session, so a language or theme switch is a rebuild and a logout is
// a wipe: nothing of one person survives into the next person's screens.
package ui

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/timefmt"
	"github.com/borgerkiosk/borgerkiosk/ui/i18n"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
	"github.com/borgerkiosk/borgerkiosk/ui/speech"
	"github.com/borgerkiosk/borgerkiosk/ui/theme"
)

// Timer is a stoppable pending call, like *time.Timer.
type Timer interface{ Stop() bool }

// Config is the kiosk's settings that shape the screens.
type Config struct {
	KioskName             string
	IdleWarning           time.Duration // no touch for this long shows the idle warning
	IdleCountdown         time.Duration // then this long to tap "I am still here"; at least MinIdleCountdown
	MaxDelegationDays     int           // the longest validity a person may choose
	DefaultDelegationDays int           // the validity offered first
	ReminderDays          int           // what ends within this many days is listed at sign-in
	AssistDuration        time.Duration // how long a staff grant lasts; at most bk.MaxAssist
	// Zone is the time zone of every date and time on screen, the same as
	// the receipts' (the zero Zone is Danish time), never the machine's.
	Zone timefmt.Zone
	// CardReaderPlace and ScannerPlace are where the card reader and the
	// QR scanner sit on this kiosk; the welcome screen draws and says it.
	CardReaderPlace, ScannerPlace Place
}

// Place is where a device sits on the kiosk, seen by the person standing
// in front of the screen.
type Place string

// The places a device can have: on the shelf under the screen (left,
// middle or right) or on a side of the screen.
const (
	PlaceBelowLeft  Place = "below-left"
	PlaceBelow      Place = "below"
	PlaceBelowRight Place = "below-right"
	PlaceLeft       Place = "left"
	PlaceRight      Place = "right"
)

// Places lists every valid Place.
var Places = []Place{PlaceBelowLeft, PlaceBelow, PlaceBelowRight, PlaceLeft, PlaceRight}

// Valid reports whether p is one of Places.
func (p Place) Valid() bool { return slices.Contains(Places, p) }

// MinIdleCountdown is the least time a person gets to answer the idle
// warning (WCAG 2.2.1 asks for at least 20 seconds).
const MinIdleCountdown = 20 * time.Second

// DefaultConfig returns sensible settings for a library kiosk.
func DefaultConfig() Config {
	return Config{
		KioskName:             "Borgerkiosk",
		IdleWarning:           90 * time.Second,
		IdleCountdown:         30 * time.Second,
		MaxDelegationDays:     5 * 365,
		DefaultDelegationDays: 365,
		ReminderDays:          30,
		AssistDuration:        30 * time.Minute,
		// Most enclosures have the reader on the right, under the hand
		// most people use, and the scanner on the left.
		CardReaderPlace: PlaceBelowRight,
		ScannerPlace:    PlaceBelowLeft,
	}
}

// Validate checks the settings.
func (c Config) Validate() error {
	switch {
	case c.IdleWarning <= 0:
		return bk.Errorf(bk.EInvalid, "ui: IdleWarning must be positive")
	case c.IdleCountdown < MinIdleCountdown:
		return bk.Errorf(bk.EInvalid, "ui: IdleCountdown must be at least %s", MinIdleCountdown)
	case c.MaxDelegationDays < 1:
		return bk.Errorf(bk.EInvalid, "ui: MaxDelegationDays must be at least 1")
	case c.DefaultDelegationDays < 1 || c.DefaultDelegationDays > c.MaxDelegationDays:
		return bk.Errorf(bk.EInvalid, "ui: DefaultDelegationDays must be between 1 and MaxDelegationDays")
	case c.ReminderDays < 1:
		return bk.Errorf(bk.EInvalid, "ui: ReminderDays must be at least 1")
	case c.AssistDuration <= 0 || c.AssistDuration > bk.MaxAssist:
		return bk.Errorf(bk.EInvalid, "ui: AssistDuration must be between 0 and %s", bk.MaxAssist)
	case !c.CardReaderPlace.Valid() || !c.ScannerPlace.Valid():
		return bk.Errorf(bk.EInvalid, "ui: CardReaderPlace and ScannerPlace must each be one of %v", Places)
	case c.CardReaderPlace == c.ScannerPlace:
		return bk.Errorf(bk.EInvalid, "ui: the card reader and the scanner cannot both be %s", c.CardReaderPlace)
	}
	return nil
}

// Deps is what the UI needs from outside.
type Deps struct {
	Kiosk   bk.Kiosk
	Speaker speech.Speaker // nil means speech.Silent: read-aloud shown as unavailable
	Config  Config
	// Now is the clock for dates on screen and defaults; time.Now if nil.
	Now func() time.Time
	// AfterFunc schedules f after d (idle timer); time.AfterFunc if nil.
	// f may run on any goroutine.
	AfterFunc func(d time.Duration, f func()) Timer
	// Go runs device and network work off the Fyne thread; `go f()` if nil.
	// Tests pass a function that runs f at once, so journeys are synchronous.
	Go func(f func())
	// Catalog holds the translations; the embedded one if nil.
	Catalog *i18n.Catalog
	// Log receives diagnostics; slog.Default() if nil. Never CPRs or PINs.
	Log *slog.Logger
}

// KioskUI is the running front end of one kiosk window.
type KioskUI struct {
	app   fyne.App
	win   fyne.Window
	k     bk.Kiosk
	sp    speech.Speaker
	cfg   Config
	now   func() time.Time
	after func(time.Duration, func()) Timer
	goFn  func(func())
	log   *slog.Logger
	cat   *i18n.Catalog
	tr    *i18n.Translator

	cancelEvents func()
	status       bk.Status

	// Per-person state; wipe() resets all of it.
	settings  theme.Settings
	readAloud bool
	volume    int              // read-aloud volume, 0–100; speech.DefaultVolume at start
	card      *bk.CardInfo     // the card read, before and after sign-in
	sess      bk.Session       // nil when nobody is signed in
	assist    *bk.StaffGrant   // a staff grant waiting for or used by a citizen
	handover  *bk.HandoverInfo // a scanned code waiting for the delegate's decision
	state     *bk.CitizenState
	stateErr  error // why state could not be fetched live (offline)
	draft     *delegationDraft
	usage     *usageView // the usage log pages read in this session
	current   *screen
	rebuild   func() *screen
	notice    string // a one-off message shown on the next screen
	// noticeKind is the kind of box notice is shown in (setNotice).
	noticeKind theme.NoticeKind
	awaitScan  bool // the "scan your code" screen is waiting

	attention []bk.AttentionItem // staff home only

	idle      idleTimer
	headerBox *fyne.Container
	// banners are the current screen's state banners by id (updateBanners).
	banners map[string]*noticeView
	// bar is the current screen's action bar; barBanners the index in it
	// after the line and the banners added while the screen is shown.
	bar        *fyne.Container
	barBanners int
	// barLasting are the parts of the bar that stay while the screen is
	// shown (its line, buttons and kept message room), for screenLayout.
	barLasting []fyne.CanvasObject
	body       *pagedBody // the current screen's scrolling body
	// displayOpen: the display panel stands in for the screen (show).
	displayOpen bool
	refreshing  bool // show is rebuilding the same screen (refresh), which keeps the panel open
	// messageView is the box of the current screen's message line.
	messageView *noticeView
	quiet       bool          // the screen being shown is a rebuild after a toggle: do not read it again
	speakGen    atomic.Uint64 // bumped by every say and stop; see say
	remindGen   atomic.Uint64 // bumped when a take-your-card screen starts or ends
	// onRequest is set while speech the person asked for with read-aloud
	// off ("read the screen", "read the receipt") may still be playing: it
	// belongs to that screen and stops when the screen changes.
	onRequest bool
	acting    bool // an action is being saved: a second submit is ignored

	// Widgets of the current screen by stable id, for tests and for
	// screens that update in place. Reset on every show.
	pinPad *keyboard.PinPad
	cprPad *keyboard.CPRPad
	// nameKeyboard types the delegate's name on create_name, or the
	// person's e-mail on contact_email.
	nameKeyboard *keyboard.Keyboard
	buttons      map[string]*widget.Button
	labels       map[string]*widget.Label
}

// New builds the UI in win and shows the welcome screen. The caller runs
// the app (app.Run / win.ShowAndRun) and calls Close at shutdown.
func New(app fyne.App, win fyne.Window, d Deps) (*KioskUI, error) {
	if d.Kiosk == nil {
		return nil, bk.Errorf(bk.EInvalid, "ui: Deps.Kiosk is required")
	}
	if err := d.Config.Validate(); err != nil {
		return nil, err
	}
	u := &KioskUI{app: app, win: win, k: d.Kiosk, sp: d.Speaker, cfg: d.Config,
		now: d.Now, after: d.AfterFunc, goFn: d.Go, log: d.Log, cat: d.Catalog}
	if u.sp == nil {
		u.sp = &speech.Silent{}
	}
	if u.now == nil {
		u.now = time.Now
	}
	if u.after == nil {
		u.after = func(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
	}
	if u.goFn == nil {
		u.goFn = func(f func()) { go f() }
	}
	if u.log == nil {
		u.log = slog.Default()
	}
	u.log = u.log.With("component", "ui")
	if u.cat == nil {
		c, err := i18n.DefaultCatalog()
		if err != nil {
			return nil, err
		}
		u.cat = c
	}
	tr, err := i18n.NewTranslator(u.cat, i18n.Default)
	if err != nil {
		return nil, err
	}
	u.tr = tr
	u.idle.u = u
	u.volume = speech.DefaultVolume
	u.sp.SetVolume(u.volume)
	u.status = u.k.Status()
	// Not applyTheme: the window is not shown yet, so Fyne's RunWithContext
	// would find no GL context to make current (and no textures exist).
	u.app.Settings().SetTheme(theme.New(u.settings))
	u.cancelEvents = u.k.Subscribe(bk.Events{
		Card:   func(e bk.CardEvent) { fyne.Do(func() { u.onCard(e) }) },
		Scan:   func(code string) { fyne.Do(func() { u.onScan(code) }) },
		Status: func(s bk.Status) { fyne.Do(func() { u.onStatus(s) }) },
	})
	u.showWelcome()
	if u.k.CardPresent() {
		u.onCard(bk.CardInserted)
	}
	return u, nil
}

// Close stops listening to the kiosk and ends any session.
func (u *KioskUI) Close() {
	if u.cancelEvents != nil {
		u.cancelEvents()
		u.cancelEvents = nil
	}
	u.wipe()
}

// Screen returns the id of the screen shown (e.g. "welcome", "pin").
func (u *KioskUI) Screen() string {
	if u.current == nil {
		return ""
	}
	return u.current.id
}

// ctx returns a context for one device or network call.
func (u *KioskUI) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// work runs f off the Fyne thread, then done on it.
func (u *KioskUI) work(f func(), done func()) {
	u.goFn(func() {
		f()
		fyne.Do(done)
	})
}

// wipe ends the session and forgets everything about the person: the
// session, card, staff grant, scanned code, fetched state, draft, language,
// contrast, text size, read-aloud and its volume. The caller then shows a screen.
func (u *KioskUI) wipe() {
	u.idle.stop()
	if u.sess != nil {
		u.sess.Close()
	}
	// Whatever is being read (a receipt names the person) stops with the
	// session, whether read-aloud was on or a single read was asked for.
	u.stopSpeech()
	u.sess, u.card, u.assist, u.handover = nil, nil, nil, nil
	u.state, u.stateErr, u.draft, u.attention = nil, nil, nil, nil
	u.usage = nil
	if u.pinPad != nil {
		u.pinPad.Clear()
	}
	u.pinPad, u.cprPad, u.nameKeyboard = nil, nil, nil
	u.notice, u.noticeKind, u.awaitScan = "", noticeInfo, false
	u.readAloud = false
	u.acting = false
	u.displayOpen = false
	u.volume = speech.DefaultVolume
	u.sp.SetVolume(u.volume)
	u.settings = theme.Settings{}
	_ = u.tr.SetLang(i18n.Default)
	u.applyTheme()
}

// applyTheme sets the theme for u.settings, only when they changed, and
// inside the window's GL context. Fyne 2.7.1 answers a new theme by deleting
// every cached text texture (RescaleContext, from the settings listener)
// without making the GL context current, so the GL driver never frees them:
// ~120 KB per theme change, and setting the same theme again at every
// session end grew the kiosk by ~12 MB per 100 actions (docs/benchmarks.md).
// Fyne's window has RunWithContext; other drivers (tests) set it plainly.
func (u *KioskUI) applyTheme() {
	if cur, ok := u.app.Settings().Theme().(*theme.Theme); ok && cur.Settings() == u.settings {
		return
	}
	set := func() { u.app.Settings().SetTheme(theme.New(u.settings)) }
	if w, ok := u.win.(interface{ RunWithContext(func()) }); ok {
		w.RunWithContext(set)
		return
	}
	set()
}

// errText turns an error from the services into a translated sentence.
func (u *KioskUI) errText(err error) string {
	var pe *bk.PINError
	if errors.As(err, &pe) {
		return u.tr.TN("pin.wrong", pe.TriesLeft, map[string]any{"Tries": pe.TriesLeft})
	}
	switch bk.ErrorCode(err) {
	case bk.ECardLocked:
		return u.tr.T("card.locked", nil)
	case bk.ECardExpired:
		return u.tr.T("card.expired", nil)
	case bk.ECardRevoked:
		return u.tr.T("card.revoked", nil)
	case bk.ECardNotYet:
		return u.tr.T("card.not_yet_valid", nil)
	case bk.EUnknownIssuer, bk.EBadSignature:
		return u.tr.T("card.unknown_issuer", nil)
	case bk.EWrongRole:
		return u.tr.T("card.wrong_role", nil)
	case bk.ENoCard:
		return u.tr.T("card.insert", nil)
	case bk.EStaleTrust:
		return u.tr.T("action.stale_trust", nil)
	case bk.EUnavailable:
		return u.tr.T("error.device", nil)
	case bk.EAgeRule:
		return u.tr.T("err.age_rule", nil)
	case bk.EExpired:
		return u.tr.T("err.expired", nil)
	case bk.EAlreadyRevoked:
		return u.tr.T("err.already_revoked", nil)
	case bk.EAlreadyDeclined:
		return u.tr.T("err.already_declined", nil)
	case bk.ENotPermitted:
		return u.tr.T("err.not_permitted", nil)
	case bk.EBadValidity, bk.EUnknownScope:
		return u.tr.T("err.bad_terms", nil)
	case bk.EInvalid:
		return u.tr.T("err.invalid", nil)
	case bk.EForbidden:
		return u.tr.T("err.assist_expired", nil)
	case bk.EInternal:
		return u.tr.T("error.save", nil)
	}
	return u.tr.T("error.generic", nil)
}

// verdictText explains a preview verdict that is not a plain success.
func (u *KioskUI) verdictText(v bk.Verdict) string {
	switch v.Outcome {
	case bk.Superseded:
		return u.tr.T("result.superseded", nil)
	case bk.Rejected:
		return u.tr.T("action.rejected", map[string]any{"Reason": u.errText(&bk.Error{Code: v.Reason})})
	}
	return ""
}

func (u *KioskUI) date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return u.cfg.Zone.Date(t, u.lang())
}

func (u *KioskUI) clock(t time.Time) string {
	if t.IsZero() {
		return u.tr.T("staff.never", nil)
	}
	return u.cfg.Zone.DateTime(t, u.lang())
}

func (u *KioskUI) lang() string { return string(u.tr.Lang()) }

// Button returns the button with id on the current screen, or nil. Ids are
// stable ("home.consents", "consent.give.<consent id>", …) so tests and
// the soak build's remote control can find them.
func (u *KioskUI) Button(id string) *widget.Button { return u.buttons[id] }

// PinPad returns the PIN pad of the PIN screen (nil on other screens).
func (u *KioskUI) PinPad() *keyboard.PinPad {
	if u.Screen() != "pin" {
		return nil
	}
	return u.pinPad
}
