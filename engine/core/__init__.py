"""One case on one date: periods and profiles, the requirement kinds, routing and the Engine."""
