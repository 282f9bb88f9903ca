//go:build unix

package main

import (
	"os"
	"syscall"
)

// lockTemp holds an advisory lock on the temporary output file for as long as the process lives (the
// lock goes when the process does, however it ends), so that a later run can tell a live run's file
// from one left by a run that was killed.
func lockTemp(f *os.File) { _ = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) }

// unlocked reports whether no process holds the lock of the file at p.
func unlocked(p string) bool {
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	defer f.Close()
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) == nil
}
