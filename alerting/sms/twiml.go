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

// writeTwiML answers an inbound SMS with reply (none when "").
func writeTwiML(w http.ResponseWriter, reply string) {
	var resp twimlResponse
	if reply != "" {
		reply = gsmLine(reply, maxReply)
		resp.Message = &reply
	}
	out, err := xml.Marshal(resp)
	if err != nil { // unreachable: a struct of strings
		http.Error(w, "TwiML: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(xml.Header))
	w.Write(out)
}
