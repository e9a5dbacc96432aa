package sms_test

import (
	"fmt"
	"time"

	"github.com/slawatch/slawatch/alerting"
	"github.com/slawatch/slawatch/alerting/sms"
)

func ExampleText() {
	m := alerting.Message{
		Kind: alerting.MessagePage, Ref: "12", AckCode: "12A", Severity: "critical",
		PO: "rbkc", ServiceOption: "repairs", Summary: "Answered in 20s 61% (target 80%)",
		Since: time.Date(2026, 7, 14, 1, 14, 0, 0, time.UTC), // 02:14 BST
	}
	fmt.Println(sms.Text(m))
	m.Kind, m.By, m.Via = alerting.MessageAcknowledged, "p-ann", "sms"
	fmt.Println(sms.Text(m))
	m.Kind = alerting.MessageResolved
	fmt.Println(sms.Text(m))
	// Output:
	// CRIT #12 rbkc/repairs: Answered in 20s 61% (target 80%) since 02:14. Reply 12A to ack
	// #12 acked by p-ann via sms. rbkc/repairs: Answered in 20s 61% (target 80%)
	// #12 RESOLVED rbkc/repairs: Answered in 20s 61% (target 80%) (from 02:14)
}

func ExampleParseReply() {
	for _, body := range []string{"ack #12a", "STOP", "Start", "hello?"} {
		r := sms.ParseReply(body)
		if r.Kind == sms.ReplyAck {
			fmt.Printf("%q: %v %s\n", body, r.Kind, r.Code)
			continue
		}
		fmt.Printf("%q: %v\n", body, r.Kind)
	}
	// Output:
	// "ack #12a": ack 12A
	// "STOP": stop
	// "Start": start
	// "hello?": help
}
