package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	bk "github.com/borgerkiosk/borgerkiosk"
	kiosksync "github.com/borgerkiosk/borgerkiosk/sync"
)

// queueReport is what `kioskctl queue` shows: no full CPR numbers, ever.
type queueReport struct {
	Incarnation    string                    `json:"incarnation"`
	Pending        int                       `json:"pending"`
	OldestPending  time.Time                 `json:"oldest_pending,omitzero"`
	AckedNotPurged int                       `json:"acked_not_purged"`
	LastSeq        uint64                    `json:"last_seq"`
	Acked          uint64                    `json:"acked"`
	Purged         uint64                    `json:"purged"`
	PendingItems   []pendingItem             `json:"pending_items"`
	AckedItems     []pendingItem             `json:"acknowledged_items"` // answered by central, kept until purged
	Attention      []kiosksync.AttentionItem `json:"attention"`
}

type pendingItem struct {
	Seq        uint64    `json:"seq"`
	ActionID   string    `json:"action_id"`
	Kind       string    `json:"kind"`
	OccurredAt time.Time `json:"occurred_at"`
	Assisted   bool      `json:"assisted"`
	Outcome    string    `json:"outcome,omitempty"` // central's verdict, once acknowledged
}

func queue(ctx context.Context, args []string, _ io.Reader, out io.Writer) error {
	fs := flags("queue")
	dir := fs.String("data", "", "the kiosk's data directory (the kiosk must be stopped)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parse(fs, args, "data"); err != nil {
		return err
	}
	ob, err := kiosksync.Open(*dir, kiosksync.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer ob.Close()
	st := ob.Stats()
	rep := queueReport{
		Incarnation: ob.Incarnation(), Pending: st.Pending, OldestPending: st.OldestPending,
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
	if *asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	fmt.Fprintf(out, "incarnation %s: %d pending, %d acknowledged not yet purged, %d need attention (seq last %d, acked %d, purged %d)\n",
		rep.Incarnation, rep.Pending, rep.AckedNotPurged, len(rep.Attention), rep.LastSeq, rep.Acked, rep.Purged)
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
	return tw.Flush()
}
