//go:build race

package main

// raceEnabled: the race detector slows the large shard case tenfold; it runs a smaller one (the full size runs without -race).
const raceEnabled = true
