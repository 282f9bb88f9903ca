package ehr

//go:generate go run ./internal/gen/mmegen -src internal/gen/source -out table.tsv
