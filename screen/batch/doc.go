// Package batch scores response files at any size: records are read, scored on several goroutines and
// written in input order, in memory bounded by a few batches of records whatever the size of the input,
// with follow-up (each record against its subject's baseline) and the tallies of what was written.
//
// A Runner scores sources one after the other into one render.Writer:
//
//	w, _ := render.NewWriter(os.Stdout, eng, render.Long, render.Options{})
//	r, _ := batch.NewRunner(eng, w, batch.Options{Jobs: 4})
//	err := r.Run(ctx, batch.Source{Name: "visits.csv", R: f, Format: respfile.FormatCSV})
//	_ = w.Close()
//	sum := r.Summary()
//
// Every input record gives exactly one output record: its report (with the record's errors in it when
// some answers could not be used), or a failure saying why it could not be scored. An input that cannot
// be read to its end gives the records before the problem, then one failure for the problem.
package batch
