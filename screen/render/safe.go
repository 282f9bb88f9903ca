package render

import "github.com/painscreen/painscreen/internal/safetext"

// appendSafe appends s with what could act on a terminal escaped (text and brief: input and definition
// strings never act on the terminal that shows them).
func appendSafe(b []byte, s string) []byte { return safetext.Append(b, s) }

func needsEscape(s string) bool { return safetext.NeedsEscape(s) }

func safe(s string) string { return safetext.String(s) }
