package sms

import (
	"encoding/xml"
	"net/http"
)

// maxReply is Twilio's limit on a message body, in characters.
const maxReply = 1600

// twimlResponse is a TwiML messaging response: one reply, or none.
type twimlResponse struct {
	XMLName xml.Name `xml:"Response"`
	Message *string  `xml:"Message,omitempty"`
}

// WriteReply answers an inbound SMS with reply (none when ""), rewritten
// into GSM-7 (GSMLine).
func WriteReply(w http.ResponseWriter, reply string) {
	var resp twimlResponse
	if reply != "" {
		reply = gsmLine(reply, maxReply)
		resp.Message = &reply
	}
	WriteTwiML(w, resp)
}

// WriteTwiML writes a TwiML document (a messaging or a voice response).
func WriteTwiML(w http.ResponseWriter, doc any) {
	out, err := xml.Marshal(doc)
	if err != nil { // unreachable for structs of strings
		http.Error(w, "TwiML: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	w.Write(out)
}
