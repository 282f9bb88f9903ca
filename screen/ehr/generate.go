package ehr

//go:generate go run ./internal/mmegen -src internal/gen/source -out table.tsv
