"""Communities, challenges, leaderboards, badges and streaks."""
