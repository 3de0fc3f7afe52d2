package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	bk "github.com/borgerkiosk/borgerkiosk"
	"github.com/borgerkiosk/borgerkiosk/ui/keyboard"
)

// The person's e-mail for reminders: optional, never asked for elsewhere.
// It is set, changed, turned off and removed with a signed set_contact
// action like any other change, in the language of the session.

func (u *KioskUI) openContact() { u.loadState(u.showContact) }

// contact is the person's contact details as last fetched; nil for none.
func (u *KioskUI) contact() *bk.Contact {
	if u.state == nil {
		return nil
	}
	return u.state.Contact
}

// showContact shows the address given (if any) and what can be done with
// it: write one, change it, turn reminders off or on, remove it.
func (u *KioskUI) showContact() {
	u.show(func() *screen {
		tr := u.tr
		if u.state == nil {
			return u.unavailable("contact", "contact.title")
		}
		note, noteText := u.staleNote()
		rows := []fyne.CanvasObject{heading(tr.T("contact.title", nil)), note}
		speak := []string{tr.T("contact.title", nil), noteText}
		c := u.contact()
		if !c.HasEmail() {
			t := tr.T("contact.none", nil)
			rows = append(rows, u.label("contact.none", t), u.primary("contact.add", tr.T("contact.add", nil), u.showContactEmail))
			speak = append(speak, t, tr.T("contact.add", nil))
		} else {
			email := tr.T("contact.email", map[string]any{"Email": c.Email})
			onKey, toggleKey := "contact.reminders_on", "contact.turn_off"
			if !c.EmailReminders {
				onKey, toggleKey = "contact.reminders_off", "contact.turn_on"
			}
			// Each of the two ways to stop e-mails says first what it does:
			// turning reminders off keeps the address, removing deletes it.
			toggleMeans := tr.T(toggleKey+"_means", nil)
			rows = append(rows,
				card(u.label("contact.address", email), u.label("contact.reminders", tr.T(onKey, nil))),
				u.big("contact.edit", tr.T("contact.edit", nil), u.showContactEmail),
				u.label("contact.toggle_means", toggleMeans),
				u.big("contact.toggle", tr.T(toggleKey, nil), func() {
					u.setContact(bk.Contact{Email: c.Email, Language: u.lang(), EmailReminders: !c.EmailReminders})
				}),
				u.label("contact.remove_means", tr.T("contact.remove_means", nil)),
				u.destructive("contact.remove", tr.T("contact.remove", nil), func() {
					u.decide(func() decision {
						return decision{id: "confirm_remove_email", question: u.tr.T("contact.confirm_remove", map[string]any{"Email": c.Email}),
							means: u.tr.T("contact.remove_means", nil), yes: u.tr.T("contact.remove", nil), no: u.tr.T("contact.keep", nil), danger: true}
					}, func() { u.setContact(bk.Contact{Language: u.lang()}) }, u.showContact)
				}),
			)
			speak = append(speak, email, tr.T(onKey, nil), toggleMeans, tr.T("contact.remove_means", nil),
				tr.T("contact.speak", map[string]any{"Toggle": tr.T(toggleKey, nil)}))
		}
		return &screen{
			id:      "contact",
			body:    vbox(rows...),
			actions: []fyne.CanvasObject{u.big("contact.back", tr.T("button.back", nil), u.showHome)},
			speak:   says(speak...),
		}
	})
}

// setContact signs c and shows the outcome, with the way back here.
func (u *KioskUI) setContact(c bk.Contact) {
	u.do(bk.SetContact, bk.Payload{Contact: &c}, u.openContact)
}

// showContactEmail asks for the address on the e-mail keyboard. Like the
// name step, the box and keyboard outlive a rebuild (contrast, text size,
// language), and a check that fails is shown in the bar and read aloud.
func (u *KioskUI) showContactEmail() {
	box := keyboard.NewTextBox()
	saved := ""
	if c := u.contact(); c != nil {
		saved = c.Email
	}
	box.SetText(saved)
	kb := keyboard.NewEmail(box)
	box.OnChanged = func(string) {
		u.touch()
		u.setMessage("")
	}
	save := func() {
		email := box.Text()
		if err := bk.CheckEmail(email); err != nil || email == "" {
			msg := u.tr.T("contact.bad_email", nil)
			u.setMessage(msg)
			u.announce(msg)
			return
		}
		on := true
		if c := u.contact(); c.HasEmail() {
			on = c.EmailReminders // a new address keeps the choice made
		}
		u.setContact(bk.Contact{Email: email, Language: u.lang(), EmailReminders: on})
	}
	u.nameKeyboard = kb
	u.show(func() *screen {
		tr := u.tr
		kb.SetLabels(keyboard.LabelsFor(tr))
		kb.Refresh() // in the new theme, as the name keyboard
		box.Placeholder = tr.T("contact.email_hint", nil)
		box.Refresh()
		msg := u.label("contact_email.message", "")
		msg.Importance = widget.DangerImportance
		return &screen{
			id: "contact_email",
			body: &fyne.Container{Layout: nameLayout{}, Objects: []fyne.CanvasObject{
				heading(tr.T("contact.email_title", nil)), box, kb}},
			message: msg,
			actions: []fyne.CanvasObject{u.big("contact_email.back", tr.T("button.back", nil), u.showContact),
				u.primary("contact_email.next", tr.T("contact.save", nil), save)},
			speak:   says(tr.T("contact.email_title", nil), tr.T("contact.email_hint", nil), tr.T("contact.email_speak", nil)),
			unsaved: func() bool { return box.Text() != saved },
		}
	})
}
