package sms

import (
	"context"
	"sync"
	"time"

	"github.com/slawatch/slawatch/alerting"
)

// fakeResponder records what the webhooks hand to the pager.
type fakeResponder struct {
	mu         sync.Mutex
	receipts   []receiptCall
	acks       []ackCall
	optOuts    []optOutCall
	ackReply   string
	ackErr     error
	receiptErr error
}

type receiptCall struct {
	channel, ref, status, detail string
	at                           time.Time
}

type ackCall struct{ channel, address, code string }

type optOutCall struct {
	channel, address string
	stop             bool
}

var _ alerting.Responder = (*fakeResponder)(nil)

func (f *fakeResponder) Receipt(_ context.Context, channel, ref, status string, at time.Time, detail string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.receipts = append(f.receipts, receiptCall{channel, ref, status, detail, at})
	return f.receiptErr
}

func (f *fakeResponder) AckCode(_ context.Context, channel, address, code string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.acks = append(f.acks, ackCall{channel, address, code})
	return f.ackReply, f.ackErr
}

func (f *fakeResponder) Act(context.Context, int64, string, string, string) (alerting.Outcome, error) {
	panic("Act is Slack's, not SMS's")
}

func (f *fakeResponder) OptOut(_ context.Context, channel, address string, stop bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.optOuts = append(f.optOuts, optOutCall{channel, address, stop})
	return nil
}

func (f *fakeResponder) calls() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.receipts) + len(f.acks) + len(f.optOuts)
}

func (f *fakeResponder) statuses() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, r := range f.receipts {
		out = append(out, r.status)
	}
	return out
}
