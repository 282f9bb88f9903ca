//go:build unix

package main

import (
	"os/signal"
	"syscall"
)

// ignoreSIGPIPE makes a write to a closed pipe fail with EPIPE instead of killing the process, so that
// score … | head -1 ends quietly with a status (see runScore), and every command can tell a write that
// failed.
func ignoreSIGPIPE() { signal.Ignore(syscall.SIGPIPE) }
