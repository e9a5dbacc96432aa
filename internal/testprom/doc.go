// Package testprom is test support: free loopback ports, the tail of a log,
// child processes kept until the test ends, and Debian's prometheus binary
// started on a given configuration and waited for. Import it from _test.go
// files only.
package testprom
