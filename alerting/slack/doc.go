// Package slack pages people on Slack through slack-go: a Block Kit message
// per page with Acknowledge and Escalate buttons (Sender), the message
// updated when the incident is acknowledged or resolved, and an
// http.Handler for Slack's interactive callbacks (Interactions) that
// verifies the request signature before it presses the pager's buttons.
//
// The Slack app needs the bot scopes chat:write (and chat:write.public to
// post in public channels it has not joined) and im:write for direct
// messages; its Interactivity Request URL points at the Interactions
// handler. Package slackfake is a loopback fake of the Web API methods used
// here, for tests.
package slack
