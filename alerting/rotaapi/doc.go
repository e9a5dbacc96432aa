// Package rotaapi is the rota HTTP API under /api/v1/rotas/: PO staff read
// who is on call and put people on call (overrides), at once or pre-dated,
// and cancel overrides. Every change is appended to the store's rota change
// history with its author (the API credential's name) and time; nothing is
// ever deleted. The catalogue with the stored changes applied (Current) is
// what the pager resolves rotas on, and GapWatcher raises rota gaps before
// the shifts they fall in.
//
// Routes (all need "Authorization: Bearer TOKEN"; a credential scoped to a
// PO reaches only that PO, scope * every PO):
//
//	GET    /api/v1/rotas/{po}                        rotas, who is on call now, next handover
//	GET    /api/v1/rotas/{po}/{rota}/oncall?at=TIME  who is on call at TIME (default now)
//	GET    /api/v1/rotas/{po}/{rota}/changes         the change history, with author and time
//	POST   /api/v1/rotas/{po}/{rota}/overrides       {"person", "from", "to", "reason"} → 201
//	DELETE /api/v1/rotas/{po}/{rota}/overrides/{id}  appends a cancel → 200
//
// Times are RFC 3339 ("2026-10-23T17:00:00+01:00") or "YYYY-MM-DD HH:MM" in
// the rota's time zone. Responses carry person ids only, never contact
// details. Errors are JSON {"error": "...", "field": "..."}.
package rotaapi
