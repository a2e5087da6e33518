package queries

import (
	"context"
	"testing"
)

// BenchmarkGate measures what the gate alone adds to a read of a store that
// alone writes its data: the firm's gate looked up and held shared.
func BenchmarkGate(b *testing.B) {
	s := &Store{solo: true}
	ctx := context.Background()
	read := func(context.Context) error { return nil }
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := s.read(ctx, "acme", read); err != nil {
				b.Fatal(err)
			}
		}
	})
}
