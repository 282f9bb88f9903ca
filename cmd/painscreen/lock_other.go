//go:build !unix

package main

import "os"

// lockTemp does nothing where there are no advisory locks: temporary files of killed runs stay (see
// outFile).
func lockTemp(*os.File) {}

// unlocked cannot tell, so no temporary file counts as stale.
func unlocked(string) bool { return false }
