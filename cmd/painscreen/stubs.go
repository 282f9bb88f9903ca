package main

import "io"

func runTest(args []string, stdin io.Reader, stdout, stderr io.Writer) int  { return 0 }
func runList(args []string, stdin io.Reader, stdout, stderr io.Writer) int  { return 0 }
func runShow(args []string, stdin io.Reader, stdout, stderr io.Writer) int  { return 0 }
