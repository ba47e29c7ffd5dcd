// Package core holds the logic of every handler, as plain functions of the event.
//
// Nothing here knows about Lambda, so it is tested as ordinary code (core_test.go).
// Each handler in package handlers is a thin wrapper over one function here.
package core

import "math"

// Record is one record of the sample events.
type Record struct {
	ID     string  `json:"id"`
	Amount float64 `json:"amount"`
}

// Event is the sample handlers' event. Give each handler its own type as it grows
// (the events package of aws-lambda-go has the AWS services' events).
type Event struct {
	Records []Record `json:"records"`
}

// Result is what the sample handlers return.
type Result struct {
	Handler string  `json:"handler"`
	Count   int     `json:"count"`
	Total   float64 `json:"total"`
}

// Summary is the count and the total of some records.
type Summary struct {
	Count int
	Total float64
}

// Summarize counts the records and totals their amounts: the sample logic every handler shares.
func Summarize(records []Record) Summary {
	total := 0.0
	for _, r := range records {
		total += r.Amount
	}
	return Summary{Count: len(records), Total: math.Round(total*100) / 100}
}

// lambda-image:core (each handler's logic; new ones are added above this line)
