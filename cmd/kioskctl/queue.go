package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// queueReport is what `kioskctl queue` shows: no full CPR numbers, ever.
type queueReport struct {
	Incarnation    string                    `json:"incarnation"`
	UncleanStop    bool                      `json:"unclean_stop,omitempty"` // read from a repaired copy
	Pending        int                       `json:"pending"`
	OldestPending  time.Time                 `json:"oldest_pending,omitzero"`
	AckedNotPurged int                       `json:"acked_not_purged"`
	LastSeq        uint64                    `json:"last_seq"`
	Acked          uint64                    `json:"acked"`
	Purged         uint64                    `json:"purged"`
	PendingItems   []pendingItem             `json:"pending_items"`
	AckedItems     []pendingItem             `json:"acknowledged_items"` // answered by central, kept until purged
	Attention      []kiosksync.AttentionItem `json:"attention"`
	Dismissed      []kiosksync.Dismissal     `json:"dismissed"` // taken off the list by staff, kept for the retention
}

type pendingItem struct {
	Seq        uint64    `json:"seq"`
	ActionID   string    `json:"action_id"`
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	Assisted   bool      `json:"assisted"`
	Outcome    string    `json:"outcome,omitempty"` // central's verdict, once acknowledged
}

// outboxDir is the outbox for --data: the kiosk keeps it in data_dir/outbox
// (cmd/kiosk), and an operator may also name that directory itself.
func outboxDir(data string) string {
	if st, err := os.Stat(filepath.Join(data, "outbox")); err == nil && st.IsDir() {
		return filepath.Join(data, "outbox")
	}
	return data
}

func queue(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("queue")
	dir := fs.String("data", "", "the kiosk's data_dir (or the outbox directory in it); the kiosk must be stopped")
	asJSON := fs.Bool("json", false, "print JSON")
	summary := fs.Bool("summary", false, "print only the counts")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	ob, err := kiosksync.Open(outboxDir(*dir), kiosksync.Options{ReadOnly: true, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer ob.Close()
	if ob.ReadsCopy() && !*asJSON {
		fmt.Fprintln(out, "The kiosk did not stop cleanly: this lists a repaired copy of its outbox; its own files are unchanged and the kiosk repairs them when it starts.")
	}
	st := ob.Stats()
	rep := queueReport{
		Incarnation: ob.Incarnation(), UncleanStop: ob.ReadsCopy(), Pending: st.Pending, OldestPending: st.OldestPending,
		AckedNotPurged: st.AckedNotPurged, LastSeq: st.LastSeq, Acked: st.Acked, Purged: st.Purged,
	}
	item := func(it bk.PushItem) pendingItem {
		return pendingItem{
			Seq: it.Seq, ActionID: it.Action.ID, Kind: string(it.Action.Kind),
			OccurredAt: it.Action.OccurredAt, Assisted: it.Action.Assist != nil,
		}
	}
	kept, err := ob.Kept(100000)
	if err != nil {
		return err
	}
	for _, it := range kept {
		p := item(it)
		if v, _, ok, err := ob.Verdict(it.Seq); err == nil && ok {
			p.Outcome = string(v.Outcome)
		}
		rep.AckedItems = append(rep.AckedItems, p)
	}
	pending, err := ob.Pending(st.Acked+1, 100000, 256<<20)
	if err != nil {
		return err
	}
	for _, it := range pending {
		rep.PendingItems = append(rep.PendingItems, item(it))
	}
	if rep.Attention, err = ob.Attention(); err != nil {
		return err
	}
	if rep.Dismissed, err = ob.Dismissed(); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(out, "incarnation %s: %d pending, %d acknowledged not yet purged, %d need attention (seq last %d, acked %d, purged %d)\n",
		rep.Incarnation, rep.Pending, rep.AckedNotPurged, len(rep.Attention), rep.LastSeq, rep.Acked, rep.Purged)
	if *summary {
		return nil
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	if len(rep.PendingItems) > 0 {
		fmt.Fprintln(tw, "\nPENDING\tSEQ\tACTION\tKIND\tOCCURRED\tASSISTED")
		for _, p := range rep.PendingItems {
			fmt.Fprintf(tw, "\t%d\t%s\t%s\t%s\t%v\n", p.Seq, p.ActionID, p.Kind, p.OccurredAt.Local().Format(time.DateTime), p.Assisted)
		}
	}
	if len(rep.AckedItems) > 0 {
		fmt.Fprintln(tw, "\nACKNOWLEDGED\tSEQ\tACTION\tKIND\tOCCURRED\tOUTCOME")
		for _, p := range rep.AckedItems {
			fmt.Fprintf(tw, "\t%d\t%s\t%s\t%s\t%s\n", p.Seq, p.ActionID, p.Kind, p.OccurredAt.Local().Format(time.DateTime), p.Outcome)
		}
	}
	if len(rep.Attention) > 0 {
		fmt.Fprintln(tw, "\nATTENTION\tSEQ\tACTION\tOUTCOME\tREASON\tWHO\tMESSAGE")
		for _, a := range rep.Attention {
			fmt.Fprintf(tw, "\t%d\t%s\t%s\t%s\t%s\t%s\n", a.Seq, a.ActionID, a.Outcome, a.Reason, a.ActorCPR, a.Message)
		}
	}
	if len(rep.Dismissed) > 0 {
		fmt.Fprintln(tw, "\nDISMISSED\tSEQ\tACTION\tOUTCOME\tREASON\tBY\tAT")
		for _, d := range rep.Dismissed {
			fmt.Fprintf(tw, "\t%d\t%s\t%s\t%s\t%s\t%s\n", d.Seq, d.ActionID, d.Outcome, d.Reason, d.By, d.At.Local().Format(time.DateTime))
		}
	}
	return tw.Flush()
}
