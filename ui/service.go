package ui

import bk "github.com/borgerkiosk/borgerkiosk"

// ui speaks the domain's port (kiosk.go at the root: what the screens need
// from the kiosk); the aliases keep the screens' code short.
type (
	CardInfo      = bk.CardInfo
	Staff         = bk.Staff
	DeviceState   = bk.DeviceState
	Status        = bk.Status
	AttentionItem = bk.AttentionItem
	Events        = bk.Events
	Kiosk         = bk.Kiosk
	Assist        = bk.StaffGrant
	Receipt       = bk.Receipt
	Result        = bk.Result
	Handover      = bk.Handover
	HandoverInfo  = bk.HandoverInfo
	Session       = bk.Session
)

const (
	DeviceOK       = bk.DeviceOK
	DevicePaperOut = bk.DevicePaperOut
	DeviceOffline  = bk.DeviceOffline
)
