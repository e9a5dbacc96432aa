// Package apiauth authenticates callers of slawatch's HTTP APIs with bearer
// tokens. Credentials live in a file, one per line:
//
//	# name        scope   sha256 of the token (hex)
//	ealing-office ealing  9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
//	provider-dm   *       60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752
//
// The scope is the one PO id the credential may read and change, or * for
// the provider's staff (every PO). The file holds only SHA-256 hashes of
// the tokens, so reading it does not give a token away; presented tokens
// are hashed and compared in constant time. Tokens are Secrets: they never
// print. Middleware puts the authenticated Caller in the request context.
package apiauth
