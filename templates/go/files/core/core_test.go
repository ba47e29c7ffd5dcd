package core

import "testing"

func TestSummarizeCountsAndTotals(t *testing.T) {
	got := Summarize([]Record{{Amount: 1.5}, {Amount: 2}})
	if want := (Summary{Count: 2, Total: 3.5}); got != want {
		t.Errorf("Summarize() = %+v, want %+v", got, want)
	}
}

func TestSummarizeOfNothing(t *testing.T) {
	if got := Summarize(nil); got != (Summary{}) {
		t.Errorf("Summarize(nil) = %+v, want the zero Summary", got)
	}
}
