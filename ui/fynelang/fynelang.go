// Package fynelang gives Fyne's own strings a Danish translation. It is apart
// from ui/i18n so that i18n, and ui/speech with it, link no Fyne.
package fynelang

import (
	"embed"

	"fyne.io/fyne/v2/lang"
)

//go:embed fyne/*.json
var fyneFS embed.FS

// Register gives Fyne's own strings (dialog buttons OK,
// Cancel, Yes, No, Confirm; entry menus Copy, Paste, …) a Danish
// translation, which Fyne ships none of. Call it once at start, before
// building windows.
//
// Fyne picks its language once from the process locale (LANGUAGE, LC_ALL,
// LC_MESSAGES, LANG) and cannot switch per session, so the kiosk runs with
// LANG=da_DK.UTF-8 and these strings stay Danish. Screens must not depend on
// them: they build dialogs with dialog.NewCustomConfirm / NewCustom and our
// own keys (button.ok, button.cancel, button.yes, button.no, button.confirm,
// button.dismiss), which follow the session's language.
func Register() error {
	return lang.AddTranslationsFS(fyneFS, "fyne")
}
