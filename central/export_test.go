package central

// Test-only: lets a test wait until a push holds its admission slot.

// PushesInFlight returns how many pushes are being handled now.
func (s *Server) PushesInFlight() int { return len(s.pushSlots) }
